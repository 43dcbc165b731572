// SPDX-License-Identifier: GPL-2.0
/*
 * A baseline: KHO's radix-tree tracker (upstream since 2026), see
 * kho_radix.h.
 *
 * As upstream: page-sized nodes allocated on the way down and never freed
 * while the tracker lives, a bit per folio keyed by order and pfn, no
 * serialization (the tree is the handover, its root's address is all the
 * next kernel needs), and a next kernel that walks the tree and makes two
 * memblock calls and one memmap write per preserved folio.
 *
 * Simplified or added:
 *  - the root's address is handed over as it is, not in an FDT property;
 *  - the next kernel validates before it reserves anything (upstream
 *    trusts the tree): every node must be a page of memory, no node may be
 *    its own ancestor, no more nodes than pages of memory are read, every
 *    key must decode to an order up to %KHO_RADIX_MAX_ORDER and a folio
 *    inside memory. That is a walk of its own, so the tree is read twice;
 *  - the bulk deserializer (not upstream) merges the orders' key ranges
 *    into address order for memblock_reserve_bulk(), like the bitmap
 *    baseline's.
 */

#define pr_fmt(fmt) "kho_radix: " fmt

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/slab.h>

#include "kho_radix.h"

/* the lowest key bit a node of @level indexes */
static inline unsigned int kho_radix_shift(unsigned int level)
{
	return KHO_RADIX_LEAF_SHIFT + (level - 1) * KHO_RADIX_SLOT_SHIFT;
}

static inline u64 kho_radix_key(unsigned long pfn, unsigned int order)
{
	return BIT_ULL(KHO_RADIX_ORDER0_BIT - order) | (pfn >> order);
}

/* the order of @key, or -1 if no folio of an order we take has that key */
static inline int kho_radix_key_order(u64 key)
{
	int top = fls64(key) - 1;

	if (top > KHO_RADIX_ORDER0_BIT ||
	    top < KHO_RADIX_ORDER0_BIT - KHO_RADIX_MAX_ORDER)
		return -1;
	return KHO_RADIX_ORDER0_BIT - top;
}

static inline unsigned long kho_radix_key_pfn(u64 key, unsigned int order)
{
	return (unsigned long)(key ^ BIT_ULL(KHO_RADIX_ORDER0_BIT - order))
	       << order;
}

static void *kho_radix_node(phys_addr_t phys)
{
	return phys_to_virt(phys);
}

/**
 * kho_radix_init() - an empty tracker
 * @t: the tracker
 */
void kho_radix_init(struct kho_radix *t)
{
	memset(t, 0, sizeof(*t));
}

static phys_addr_t kho_radix_alloc_node(struct kho_radix *t, bool leaf)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return 0;
	t->nr_nodes++;
	t->nr_leaves += leaf;
	return page_to_phys(page);
}

/* the leaf of @key, allocating the nodes on the way down if @alloc */
static unsigned long *kho_radix_leaf(struct kho_radix *t, u64 key, bool alloc)
{
	unsigned int level;
	phys_addr_t phys;

	if (!t->root) {
		if (!alloc)
			return NULL;
		t->root = kho_radix_alloc_node(t, false);
		if (!t->root)
			return NULL;
	}
	phys = t->root;
	for (level = KHO_RADIX_TOP_LEVEL; level; level--) {
		u64 *node = kho_radix_node(phys);
		unsigned long i = (key >> kho_radix_shift(level)) &
				  (KHO_RADIX_SLOTS - 1);

		if (!node[i]) {
			if (!alloc)
				return NULL;
			node[i] = kho_radix_alloc_node(t, level == 1);
			if (!node[i])
				return NULL;
		}
		phys = node[i];
	}
	return kho_radix_node(phys);
}

/**
 * kho_radix_preserve() - preserve a folio
 * @t:     the tracker
 * @pfn:   its first page frame, aligned to @order
 * @order: its order
 *
 * Sets the folio's bit, allocating the nodes that lead to it.
 *
 * Return: 0; -EINVAL for an order above %KHO_RADIX_MAX_ORDER, a misaligned
 * or too large @pfn; -ENOMEM.
 */
int kho_radix_preserve(struct kho_radix *t, unsigned long pfn,
		       unsigned int order)
{
	unsigned long *leaf;
	u64 key;

	if (order > KHO_RADIX_MAX_ORDER || !IS_ALIGNED(pfn, 1UL << order) ||
	    (u64)pfn >> KHO_RADIX_ORDER0_BIT)
		return -EINVAL;
	key = kho_radix_key(pfn, order);
	leaf = kho_radix_leaf(t, key, true);
	if (!leaf)
		return -ENOMEM;
	if (!test_and_set_bit(key & (KHO_RADIX_LEAF_BITS - 1), leaf))
		t->nr_folios++;
	return 0;
}

/**
 * kho_radix_unpreserve() - stop preserving a folio
 * @t:     the tracker
 * @pfn:   its first page frame
 * @order: its order
 *
 * Clears the bit; the nodes stay.
 *
 * Return: 0, or -ENOENT if the folio was not preserved.
 */
int kho_radix_unpreserve(struct kho_radix *t, unsigned long pfn,
			 unsigned int order)
{
	unsigned long *leaf, bit;
	u64 key;

	if (order > KHO_RADIX_MAX_ORDER || (u64)pfn >> KHO_RADIX_ORDER0_BIT)
		return -ENOENT;
	key = kho_radix_key(pfn, order);
	bit = key & (KHO_RADIX_LEAF_BITS - 1);
	leaf = kho_radix_leaf(t, key, false);
	/*
	 * Not test_and_clear_bit(): the x86 one of tools/ (the harness)
	 * complements the bit. The caller serializes updates anyway.
	 */
	if (!leaf || !test_bit(bit, leaf))
		return -ENOENT;
	__clear_bit(bit, leaf);
	t->nr_folios--;
	return 0;
}

/*
 * Every node of the tree, children before their parent, so that @fn may
 * free them. Only for the tree this kernel built.
 */
static int kho_radix_visit_nodes(phys_addr_t phys, unsigned int level,
				   kho_baseline_page_fn_t fn, void *arg)
{
	u64 *node = kho_radix_node(phys);
	unsigned long i;
	int ret;

	for (i = 0; level && i < KHO_RADIX_SLOTS; i++) {
		if (!node[i])
			continue;
		ret = kho_radix_visit_nodes(node[i], level - 1, fn, arg);
		if (ret)
			return ret;
	}
	return fn(arg, phys, 0);
}

static int kho_radix_free_node(void *arg, phys_addr_t phys,
			       unsigned int order)
{
	__free_page(pfn_to_page(PHYS_PFN(phys)));
	return 0;
}

/**
 * kho_radix_destroy() - free every node
 * @t: the tracker, empty afterwards
 */
void kho_radix_destroy(struct kho_radix *t)
{
	if (t->root)
		kho_radix_visit_nodes(t->root, KHO_RADIX_TOP_LEVEL,
					kho_radix_free_node, NULL);
	kho_radix_init(t);
}

/* ---- next kernel ------------------------------------------------------ */

/*
 * One walk over a handed-over tree. With @check, every node is checked
 * before it is read (see the top of the file) and @budget bounds the nodes
 * read, so that a tree whose nodes are shared many times over cannot keep
 * the walk going for long.
 */
struct kho_radix_walk {
	bool check;
	unsigned long budget;
	phys_addr_t path[KHO_RADIX_TOP_LEVEL + 1];
	int (*leaf)(struct kho_radix_walk *w, const unsigned long *bitmap,
		    u64 base);
	unsigned int how;
	struct kho_baseline_stats st;
	u64 sum;
};

static int __init kho_radix_check_node(struct kho_radix_walk *w,
				       phys_addr_t phys, unsigned int level)
{
	unsigned int l;

	if (!PAGE_ALIGNED(phys) || !memblock_is_region_memory(phys, PAGE_SIZE)) {
		pr_err("level %u node %#llx is not a page of memory\n", level,
		       (u64)phys);
		return -EINVAL;
	}
	for (l = level + 1; l <= KHO_RADIX_TOP_LEVEL; l++) {
		if (w->path[l] == phys) {
			pr_err("level %u node %#llx is its own ancestor\n",
			       level, (u64)phys);
			return -ELOOP;
		}
	}
	if (!w->budget--) {
		pr_err("more nodes than pages of memory: nodes are shared\n");
		return -E2BIG;
	}
	return 0;
}

static int __init kho_radix_walk_node(struct kho_radix_walk *w,
				      phys_addr_t phys, unsigned int level,
				      u64 base)
{
	const u64 *node;
	unsigned long i;
	int ret;

	if (w->check) {
		ret = kho_radix_check_node(w, phys, level);
		if (ret)
			return ret;
	}
	node = kho_radix_node(phys);
	if (!level)
		return w->leaf(w, (const unsigned long *)node, base);
	w->path[level] = phys;
	for (i = 0; i < KHO_RADIX_SLOTS; i++) {
		if (!node[i])
			continue;
		ret = kho_radix_walk_node(w, node[i], level - 1,
					  base | ((u64)i << kho_radix_shift(level)));
		if (ret)
			return ret;
	}
	return 0;
}

static int __init kho_radix_walk(struct kho_radix_walk *w, phys_addr_t root)
{
	if (!root)
		return 0;
	return kho_radix_walk_node(w, root, KHO_RADIX_TOP_LEVEL, 0);
}

/* the validating pass: every set bit is a folio of memory */
static int __init kho_radix_check_leaf(struct kho_radix_walk *w,
				       const unsigned long *bitmap, u64 base)
{
	unsigned long bit;

	w->st.nr_records++;
	for_each_set_bit(bit, bitmap, KHO_RADIX_LEAF_BITS) {
		u64 key = base | bit;
		int order = kho_radix_key_order(key);
		unsigned long pfn;

		if (order < 0) {
			pr_err("key %#llx has no order up to %d\n", key,
			       KHO_RADIX_MAX_ORDER);
			return -ERANGE;
		}
		pfn = kho_radix_key_pfn(key, order);
		if (!memblock_is_region_memory(PFN_PHYS(pfn),
					       PAGE_SIZE << order)) {
			pr_err("folio %#llx of order %d is not memory\n",
			       (u64)PFN_PHYS(pfn), order);
			return -EINVAL;
		}
		w->st.nr_folios++;
		w->st.nr_pages += 1UL << order;
	}
	return 0;
}

/* upstream's walk: per set bit, two memblock calls and the order */
static int __init kho_radix_act_leaf(struct kho_radix_walk *w,
				     const unsigned long *bitmap, u64 base)
{
	unsigned long bit;

	for_each_set_bit(bit, bitmap, KHO_RADIX_LEAF_BITS) {
		u64 key = base | bit;
		unsigned int order = kho_radix_key_order(key);
		phys_addr_t phys = PFN_PHYS(kho_radix_key_pfn(key, order));

		if (w->how & KHO_BASELINE_RESERVE) {
			memblock_reserve(phys, PAGE_SIZE << order);
			memblock_reserved_mark_noinit(phys, PAGE_SIZE << order);
		}
		if (w->how & KHO_BASELINE_MARK)
			pfn_to_page(PHYS_PFN(phys))->private = order;
	}
	return 0;
}

/*
 * The first set key in [@key, @end) of a validated tree, or @end: a
 * descent from the root per step, skipping absent subtrees whole.
 */
static u64 __init kho_radix_next(phys_addr_t root, u64 key, u64 end)
{
	while (key < end) {
		phys_addr_t phys = root;
		unsigned int level;
		unsigned long bit;

		for (level = KHO_RADIX_TOP_LEVEL; level && phys; level--) {
			const u64 *node = kho_radix_node(phys);
			unsigned int shift = kho_radix_shift(level);

			phys = node[(key >> shift) & (KHO_RADIX_SLOTS - 1)];
			if (!phys)
				key = ((key >> shift) + 1) << shift;
		}
		if (!phys)
			continue;
		bit = find_next_bit(kho_radix_node(phys), KHO_RADIX_LEAF_BITS,
				    key & (KHO_RADIX_LEAF_BITS - 1));
		if (bit < KHO_RADIX_LEAF_BITS)
			return min(end, (key & ~(u64)(KHO_RADIX_LEAF_BITS - 1)) |
					bit);
		key = (key | (KHO_RADIX_LEAF_BITS - 1)) + 1;
	}
	return end;
}

/* the bulk merge: the next folio of every order, in address order */
struct kho_radix_cursor {
	u64 key;
	u64 end;
	phys_addr_t phys;
	unsigned int order;
};

struct kho_radix_merge {
	phys_addr_t root;
	unsigned int nr;
	struct kho_radix_cursor c[KHO_RADIX_MAX_ORDER + 1];
};

static void __init kho_radix_cursor_seek(struct kho_radix_merge *m,
					 struct kho_radix_cursor *c, u64 key)
{
	c->key = kho_radix_next(m->root, key, c->end);
	if (c->key == c->end)
		c->phys = PHYS_ADDR_MAX;
	else
		c->phys = PFN_PHYS(kho_radix_key_pfn(c->key, c->order));
}

static void __init kho_radix_merge_start(struct kho_radix_merge *m)
{
	unsigned int order;

	m->nr = 0;
	for (order = 0; order <= KHO_RADIX_MAX_ORDER; order++) {
		struct kho_radix_cursor *c = &m->c[m->nr];

		c->order = order;
		c->end = BIT_ULL(KHO_RADIX_ORDER0_BIT - order + 1);
		kho_radix_cursor_seek(m, c,
				      BIT_ULL(KHO_RADIX_ORDER0_BIT - order));
		if (c->phys != PHYS_ADDR_MAX)
			m->nr++;
	}
}

/* memblock_reserve_bulk() callback: the folios in address order */
static void __init kho_radix_bulk_fill(void *arg, unsigned long idx,
				       struct memblock_bulk_range *out,
				       unsigned int n)
{
	struct kho_radix_merge *m = arg;
	unsigned int i, j;

	if (!idx)
		kho_radix_merge_start(m);
	for (j = 0; j < n; j++) {
		struct kho_radix_cursor *min = NULL;

		for (i = 0; i < m->nr; i++)
			if (!min || m->c[i].phys < min->phys)
				min = &m->c[i];
		if (WARN_ON(!min || min->phys == PHYS_ADDR_MAX)) {
			out[j].base = 0;
			out[j].size = 0;
			continue;
		}
		out[j].base = min->phys;
		out[j].size = PAGE_SIZE << min->order;
		kho_radix_cursor_seek(m, min, min->key + 1);
	}
}

/**
 * kho_radix_deserialize() - the next kernel's walk of a handed-over tree
 * @root: physical address of the root node, 0 for an empty tree
 * @how:  %KHO_BASELINE_RESERVE, %KHO_BASELINE_MARK, %KHO_BASELINE_BULK
 * @st:   set to what was found
 *
 * Validates the whole tree first (see the top of the file), then per
 * folio: memblock_reserve() and memblock_reserved_mark_noinit() with
 * %KHO_BASELINE_RESERVE, in key order as upstream; page->private = order
 * with %KHO_BASELINE_MARK; and with %KHO_BASELINE_BULK one
 * memblock_reserve_bulk() over all folios in address order.
 *
 * Return: 0; -EINVAL, -ELOOP, -E2BIG or -ERANGE for a malformed tree, and
 * then nothing was reserved or marked; -ENOMEM or the error of
 * memblock_reserve_bulk().
 */
int __init kho_radix_deserialize(phys_addr_t root, unsigned int how,
				 struct kho_baseline_stats *st)
{
	struct kho_radix_walk w = {
		.check = true,
		.budget = memblock_phys_mem_size() >> PAGE_SHIFT,
		.leaf = kho_radix_check_leaf,
	};
	struct kho_radix_merge *m;
	int ret;

	ret = kho_radix_walk(&w, root);
	*st = w.st;
	if (ret)
		return ret;

	w.check = false;
	w.leaf = kho_radix_act_leaf;
	w.how = how & ~(how & KHO_BASELINE_BULK ? KHO_BASELINE_RESERVE : 0);
	if (w.how)
		kho_radix_walk(&w, root);
	if (!(how & KHO_BASELINE_BULK) || !st->nr_folios)
		return 0;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->root = root;
	ret = memblock_reserve_bulk(st->nr_folios, kho_radix_bulk_fill, m,
				    MEMBLOCK_RSRV_NOINIT);
	kfree(m);
	return ret;
}

/**
 * kho_radix_restore_order() - the order of a preserved folio, next kernel
 * @pfn: its first page frame
 *
 * Return: what kho_radix_deserialize() left in page->private.
 */
unsigned int kho_radix_restore_order(unsigned long pfn)
{
	return pfn_to_page(pfn)->private;
}

static int __init kho_radix_read_leaf(struct kho_radix_walk *w,
				      const unsigned long *bitmap, u64 base)
{
	unsigned long i;

	for (i = 0; i < KHO_RADIX_LEAF_BITS / BITS_PER_LONG; i++)
		w->sum ^= bitmap[i];
	return 0;
}

/**
 * kho_radix_read_all() - read every node of a handed-over tree once
 * @root: physical address of the root node
 *
 * The lower bound of any deserializer. Interior nodes are read by the
 * walk itself; nodes are checked as kho_radix_deserialize() checks them.
 *
 * Return: a checksum of the leaves, so that the reads happen; 0 for a
 * malformed tree.
 */
u64 __init kho_radix_read_all(phys_addr_t root)
{
	struct kho_radix_walk w = {
		.check = true,
		.budget = memblock_phys_mem_size() >> PAGE_SHIFT,
		.leaf = kho_radix_read_leaf,
	};

	return kho_radix_walk(&w, root) ? 0 : w.sum;
}

/* ---- the ops table entry ---------------------------------------------- */

static void *kho_radix_create(unsigned long variant)
{
	struct kho_radix *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (t)
		kho_radix_init(t);
	return t;
}

static void kho_radix_ops_destroy(void *t)
{
	kho_radix_destroy(t);
	kfree(t);
}

static int kho_radix_ops_preserve(void *t, unsigned long pfn,
				  unsigned int order)
{
	return kho_radix_preserve(t, pfn, order);
}

static int kho_radix_ops_unpreserve(void *t, unsigned long pfn,
				    unsigned int order)
{
	return kho_radix_unpreserve(t, pfn, order);
}

/* nothing to finish: the tree is the handover */
static int kho_radix_serialize(void *t, struct kho_baseline_handover *h)
{
	const struct kho_radix *kr = t;

	h->phys = kr->root;
	h->size = kr->root ? PAGE_SIZE : 0;
	h->variant = 0;
	return 0;
}

static void kho_radix_abort(void *t)
{
}

static void kho_radix_sizes(void *t, const struct kho_baseline_handover *h,
			    struct kho_baseline_sizes *s)
{
	const struct kho_radix *kr = t;

	s->tracker = (u64)kr->nr_nodes * PAGE_SIZE;
	s->handover = s->tracker;
	s->handover_alloc = 0;
	s->nr_records = kr->nr_leaves;
}

static int kho_radix_ops_pages(void *t, kho_baseline_page_fn_t fn,
				       void *arg)
{
	const struct kho_radix *kr = t;

	if (!kr->root)
		return 0;
	return kho_radix_visit_nodes(kr->root, KHO_RADIX_TOP_LEVEL, fn, arg);
}

static int __init kho_radix_ops_deserialize(const struct kho_baseline_handover *h,
					    unsigned int how,
					    struct kho_baseline_stats *st)
{
	return kho_radix_deserialize(h->phys, how, st);
}

static u64 __init kho_radix_probe(const struct kho_baseline_handover *h)
{
	return kho_radix_read_all(h->phys);
}

struct kho_baseline_ops kho_radix_ops = {
	.name = "radix",
	.strategy = "radix",
	.upstream = "KHO since 2026 (kho-v2): radix tree of page-sized nodes, bitmap leaves, handed over in place",
	.create = kho_radix_create,
	.destroy = kho_radix_ops_destroy,
	.preserve = kho_radix_ops_preserve,
	.unpreserve = kho_radix_ops_unpreserve,
	.serialize = kho_radix_serialize,
	.abort = kho_radix_abort,
	.sizes = kho_radix_sizes,
	.for_each_page = kho_radix_ops_pages,
	.deserialize = kho_radix_ops_deserialize,
	.restore = kho_radix_restore_order,
	.probe = kho_radix_probe,
};

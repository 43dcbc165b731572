// SPDX-License-Identifier: GPL-2.0
/*
 * The baseline: KHO's bitmap tracker of Linux 6.16, see kho_bitmap.h.
 *
 * Only what the benchmark measures is here, but all of it as upstream does
 * it: the per-order xarrays, bitmaps allocated on first use and never
 * freed, the chunk list that references the bitmaps in place, and a next
 * kernel that makes two memblock calls and one memmap write per preserved
 * folio, order by order. The bulk deserializer is not upstream: it feeds
 * the same folios, merged into address order, to memblock_reserve_bulk(),
 * so that the benchmark can tell what the data structure buys from what the
 * memblock entry point buys.
 */

#define pr_fmt(fmt) "kho_bitmap: " fmt

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/libfdt.h>
#include <linux/limits.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "kho_baseline.h"
#include "kho_bitmap.h"

/* at most one stream per order in the bulk merge */
#define KHO_BITMAP_MAX_ORDERS	64

/* the bitmaps of one order, by index (pfn >> order) / bits */
struct kho_bitmap_order {
	struct xarray bitmaps;
};

/**
 * kho_bitmap_init() - an empty tracker
 * @kb:   the tracker
 * @bits: bits per bitmap, %KHO_BITMAP_BITS_6_16 or %KHO_BITMAP_BITS_6_18
 */
void kho_bitmap_init(struct kho_bitmap *kb, unsigned int bits)
{
	memset(kb, 0, sizeof(*kb));
	xa_init(&kb->orders);
	kb->bits = bits;
}

/*
 * Upstream takes each bitmap from kmalloc(); here it must live in simulated
 * physical memory, so bitmaps are carved from pool pages the way the slab
 * allocator would carve them (eight per page in 6.16, one in 6.18). The
 * pages are chained through page->private to be freed.
 */
static unsigned long *kho_bitmap_alloc_bitmap(struct kho_bitmap *kb)
{
	size_t size = kb->bits / 8;
	struct page *page;
	void *bitmap;

	if (!kb->carve_phys || kb->carve_off + size > PAGE_SIZE) {
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!page)
			return NULL;
		page->private = kb->pages;
		kb->pages = page_to_phys(page);
		kb->carve_phys = kb->pages;
		kb->carve_off = 0;
	}
	bitmap = phys_to_virt(kb->carve_phys + kb->carve_off);
	kb->carve_off += size;
	kb->nr_bitmaps++;
	return bitmap;
}

static struct kho_bitmap_order *kho_bitmap_get_order(struct kho_bitmap *kb,
						     unsigned int order)
{
	struct kho_bitmap_order *o = xa_load(&kb->orders, order);
	void *old;

	if (o)
		return o;
	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return ERR_PTR(-ENOMEM);
	xa_init(&o->bitmaps);
	old = xa_cmpxchg(&kb->orders, order, NULL, o, GFP_KERNEL);
	if (xa_is_err(old)) {
		kfree(o);
		return ERR_PTR(xa_err(old));
	}
	kb->nr_orders++;
	return o;
}

/**
 * kho_bitmap_preserve() - preserve a folio
 * @kb:    the tracker
 * @pfn:   its first page frame, aligned to @order
 * @order: its order
 *
 * Sets bit (@pfn >> @order) % bits of bitmap (@pfn >> @order) / bits of the
 * order's xarray, allocating the bitmap on first use.
 *
 * Return: 0, or -ENOMEM.
 */
int kho_bitmap_preserve(struct kho_bitmap *kb, unsigned long pfn,
			unsigned int order)
{
	unsigned long pfn_high = pfn >> order;
	struct kho_bitmap_order *o;
	unsigned long *bitmap;
	void *old;

	o = kho_bitmap_get_order(kb, order);
	if (IS_ERR(o))
		return PTR_ERR(o);

	bitmap = xa_load(&o->bitmaps, pfn_high / kb->bits);
	if (!bitmap) {
		bitmap = kho_bitmap_alloc_bitmap(kb);
		if (!bitmap)
			return -ENOMEM;
		old = xa_store(&o->bitmaps, pfn_high / kb->bits, bitmap,
			       GFP_KERNEL);
		if (xa_is_err(old))
			return xa_err(old);
	}
	if (!test_and_set_bit(pfn_high % kb->bits, bitmap))
		kb->nr_folios++;
	return 0;
}

/**
 * kho_bitmap_unpreserve() - stop preserving a folio
 * @kb:    the tracker
 * @pfn:   its first page frame
 * @order: its order
 *
 * Clears the bit; the bitmap stays, as upstream.
 *
 * Return: 0, or -ENOENT if the folio was not preserved.
 */
int kho_bitmap_unpreserve(struct kho_bitmap *kb, unsigned long pfn,
			  unsigned int order)
{
	unsigned long pfn_high = pfn >> order;
	struct kho_bitmap_order *o = xa_load(&kb->orders, order);
	unsigned long *bitmap;

	bitmap = o ? xa_load(&o->bitmaps, pfn_high / kb->bits) : NULL;
	/* not test_and_clear_bit(): tools/' x86 one complements the bit */
	if (!bitmap || !test_bit(pfn_high % kb->bits, bitmap))
		return -ENOENT;
	__clear_bit(pfn_high % kb->bits, bitmap);
	kb->nr_folios--;
	return 0;
}

/**
 * kho_bitmap_struct_bytes() - memory of the tracker outside slab caches
 * @kb: the tracker
 *
 * The bitmaps and the per-order structures; the xarray nodes come from the
 * radix_tree_node cache, which the benchmark counts itself.
 *
 * Return: bytes.
 */
size_t kho_bitmap_struct_bytes(const struct kho_bitmap *kb)
{
	return kb->nr_bitmaps * (kb->bits / 8) +
	       kb->nr_orders * sizeof(struct kho_bitmap_order);
}

static struct kho_bitmap_chunk *kho_bitmap_new_chunk(struct kho_bitmap *kb,
						     struct kho_bitmap_chunk *prev,
						     unsigned int order)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	struct kho_bitmap_chunk *chunk;

	if (!page)
		return NULL;
	chunk = page_address(page);
	chunk->hdr.order = order;
	if (prev)
		prev->hdr.next = page_to_phys(page);
	else
		kb->first_chunk = page_to_phys(page);
	kb->nr_chunks++;
	return chunk;
}

static int kho_bitmap_build_fdt(struct kho_bitmap *kb)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	void *fdt;
	int err;

	if (!page)
		return -ENOMEM;
	fdt = page_address(page);
	err = fdt_create(fdt, PAGE_SIZE);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_string(fdt, "compatible",
					 KHO_BITMAP_FDT_COMPATIBLE);
	err = err ?: fdt_property_u64(fdt, KHO_BITMAP_FDT_PROP_MEM_MAP,
				      kb->first_chunk);
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_finish(fdt);
	if (err) {
		__free_page(page);
		return -ENOSPC;
	}
	kb->fdt_phys = page_to_phys(page);
	kb->fdt_size = PAGE_SIZE;
	return 0;
}

/**
 * kho_bitmap_serialize() - write the chunk list and the root FDT
 * @kb: the tracker
 *
 * Orders in increasing order, each order's bitmaps by index, as many per
 * chunk as fit; a new order starts a new chunk.
 *
 * Return: 0, or -ENOMEM (the partial list is freed).
 */
int kho_bitmap_serialize(struct kho_bitmap *kb)
{
	struct kho_bitmap_chunk *chunk, *last = NULL;
	struct kho_bitmap_order *o;
	unsigned long order, idx;
	unsigned long *bitmap;

	xa_for_each(&kb->orders, order, o) {
		chunk = NULL;
		xa_for_each(&o->bitmaps, idx, bitmap) {
			struct kho_bitmap_elm *elm;

			if (!chunk ||
			    chunk->hdr.nr_elms == KHO_BITMAP_CHUNK_ELMS) {
				chunk = kho_bitmap_new_chunk(kb, last, order);
				if (!chunk)
					goto nomem;
				last = chunk;
			}
			elm = &chunk->elms[chunk->hdr.nr_elms++];
			elm->phys_start = PFN_PHYS((u64)idx * kb->bits << order);
			elm->bitmap = virt_to_phys(bitmap);
		}
	}
	if (!kho_bitmap_build_fdt(kb))
		return 0;
nomem:
	kho_bitmap_abort(kb);
	return -ENOMEM;
}

/**
 * kho_bitmap_abort() - free the chunk list and the root FDT
 * @kb: the tracker
 */
void kho_bitmap_abort(struct kho_bitmap *kb)
{
	phys_addr_t phys = kb->first_chunk;

	while (phys) {
		struct kho_bitmap_chunk *chunk = phys_to_virt(phys);

		phys = chunk->hdr.next;
		__free_page(pfn_to_page(PHYS_PFN(virt_to_phys(chunk))));
	}
	if (kb->fdt_phys)
		__free_page(pfn_to_page(PHYS_PFN(kb->fdt_phys)));
	kb->first_chunk = 0;
	kb->nr_chunks = 0;
	kb->fdt_phys = 0;
	kb->fdt_size = 0;
}

/**
 * kho_bitmap_destroy() - free everything the tracker holds
 * @kb: the tracker
 */
void kho_bitmap_destroy(struct kho_bitmap *kb)
{
	struct kho_bitmap_order *o;
	unsigned long order;

	kho_bitmap_abort(kb);
	xa_for_each(&kb->orders, order, o) {
		xa_destroy(&o->bitmaps);
		kfree(o);
	}
	xa_destroy(&kb->orders);
	while (kb->pages) {
		struct page *page = pfn_to_page(PHYS_PFN(kb->pages));

		kb->pages = page->private;
		__free_page(page);
	}
	kb->carve_phys = 0;
	kb->nr_bitmaps = 0;
	kb->nr_orders = 0;
	kb->nr_folios = 0;
}

/**
 * kho_bitmap_handover_bytes() - bytes the next kernel reads
 * @kb: a serialized tracker
 *
 * The root FDT, every chunk's header and elements, and every bitmap.
 *
 * Return: bytes.
 */
size_t kho_bitmap_handover_bytes(const struct kho_bitmap *kb)
{
	size_t bytes = fdt_totalsize(phys_to_virt(kb->fdt_phys));
	phys_addr_t phys = kb->first_chunk;

	while (phys) {
		const struct kho_bitmap_chunk *chunk = phys_to_virt(phys);

		bytes += sizeof(chunk->hdr) +
			 chunk->hdr.nr_elms * (sizeof(chunk->elms[0]) +
					       kb->bits / 8);
		phys = chunk->hdr.next;
	}
	return bytes;
}

/*
 * next kernel: the chunk at @phys, NULL at the end of the list. Not just
 * phys_to_virt(): in a kernel, physical address 0 maps to a valid pointer.
 */
static const struct kho_bitmap_chunk *kho_bitmap_chunk_at(u64 phys)
{
	return phys ? phys_to_virt(phys) : NULL;
}

/* next kernel: the chunk list the root FDT points at */
static const struct kho_bitmap_chunk *__init kho_bitmap_first(phys_addr_t fdt_phys,
						       size_t fdt_size)
{
	const void *fdt = phys_to_virt(fdt_phys);
	const void *prop;
	int len;

	if (fdt_check_header(fdt) || fdt_totalsize(fdt) > fdt_size)
		return ERR_PTR(-EINVAL);
	prop = fdt_getprop(fdt, 0, KHO_BITMAP_FDT_PROP_MEM_MAP, &len);
	if (!prop || len != sizeof(u64))
		return ERR_PTR(-ENOENT);
	return kho_bitmap_chunk_at(fdt64_ld(prop));
}

/*
 * upstream's deserialize_bitmap(): per set bit, two memblock calls and the
 * order in page->private. A kernel can run the two halves at different
 * times (@reserve, @mark): memblock must learn about preserved memory before
 * it allocates, and the memmap it writes to exists only later in boot.
 */
static unsigned long __init kho_bitmap_deserialize_bitmap(unsigned int order,
							  const struct kho_bitmap_elm *elm,
							  unsigned int bits,
							  bool reserve, bool mark)
{
	const unsigned long *bitmap = phys_to_virt(elm->bitmap);
	phys_addr_t size = PAGE_SIZE << order;
	unsigned long bit, nr = 0;

	for_each_set_bit(bit, bitmap, bits) {
		phys_addr_t phys = elm->phys_start +
				   ((phys_addr_t)bit << (order + PAGE_SHIFT));

		if (reserve) {
			memblock_reserve(phys, size);
			memblock_reserved_mark_noinit(phys, size);
		}
		if (mark)
			pfn_to_page(PHYS_PFN(phys))->private = order;
		nr++;
	}
	return nr;
}

/*
 * The bulk deserializer walks the folios of every order at once, in address
 * order: one stream per order (its chunks are consecutive in the list), and
 * at each step the stream whose next folio comes first.
 */
struct kho_bitmap_stream {
	const struct kho_bitmap_chunk *chunk;
	unsigned int elm;
	unsigned long bit;
	phys_addr_t phys;
};

struct kho_bitmap_merge {
	const struct kho_bitmap_chunk *first;
	unsigned int bits;
	unsigned int nr;
	struct kho_bitmap_stream s[KHO_BITMAP_MAX_ORDERS];
};

/* move @s to its next set bit at or after s->bit, or to its end */
static void __init kho_bitmap_stream_seek(struct kho_bitmap_merge *m,
				   struct kho_bitmap_stream *s)
{
	const struct kho_bitmap_chunk *chunk = s->chunk;
	unsigned int order = chunk->hdr.order;

	for (;;) {
		const struct kho_bitmap_elm *elm;

		if (s->elm == chunk->hdr.nr_elms) {
			const struct kho_bitmap_chunk *next;

			next = kho_bitmap_chunk_at(chunk->hdr.next);
			if (!next || next->hdr.order != order) {
				s->phys = PHYS_ADDR_MAX;
				return;
			}
			s->chunk = chunk = next;
			s->elm = 0;
			s->bit = 0;
			continue;
		}
		elm = &chunk->elms[s->elm];
		s->bit = find_next_bit(phys_to_virt(elm->bitmap), m->bits,
				       s->bit);
		if (s->bit < m->bits) {
			s->phys = elm->phys_start +
				  ((phys_addr_t)s->bit << (order + PAGE_SHIFT));
			return;
		}
		s->elm++;
		s->bit = 0;
	}
}

static void __init kho_bitmap_merge_start(struct kho_bitmap_merge *m)
{
	const struct kho_bitmap_chunk *chunk;
	int prev_order = -1;

	m->nr = 0;
	for (chunk = m->first; chunk; chunk = kho_bitmap_chunk_at(chunk->hdr.next)) {
		struct kho_bitmap_stream *s;

		if ((int)chunk->hdr.order == prev_order)
			continue;
		prev_order = chunk->hdr.order;
		if (WARN_ON(m->nr == KHO_BITMAP_MAX_ORDERS))
			break;
		s = &m->s[m->nr++];
		*s = (struct kho_bitmap_stream){ .chunk = chunk };
		kho_bitmap_stream_seek(m, s);
	}
}

/* memblock_reserve_bulk() callback: the folios in address order */
static void __init kho_bitmap_bulk_fill(void *arg, unsigned long idx,
					struct memblock_bulk_range *out,
					unsigned int n)
{
	struct kho_bitmap_merge *m = arg;
	unsigned int i, j;

	if (!idx)
		kho_bitmap_merge_start(m);
	for (j = 0; j < n; j++) {
		struct kho_bitmap_stream *min = NULL;

		for (i = 0; i < m->nr; i++)
			if (m->s[i].phys != PHYS_ADDR_MAX &&
			    (!min || m->s[i].phys < min->phys))
				min = &m->s[i];
		if (WARN_ON(!min)) {
			out[j].base = 0;
			out[j].size = 0;
			continue;
		}
		out[j].base = min->phys;
		out[j].size = PAGE_SIZE << min->chunk->hdr.order;
		min->bit++;
		kho_bitmap_stream_seek(m, min);
	}
}

/* every bitmap of the list, in list order: what upstream walks */
static void __init kho_bitmap_walk(const struct kho_bitmap_chunk *first,
				   unsigned int bits, bool reserve, bool mark,
				   struct kho_baseline_stats *st)
{
	const struct kho_bitmap_chunk *chunk;
	unsigned int i;

	for (chunk = first; chunk; chunk = kho_bitmap_chunk_at(chunk->hdr.next)) {
		for (i = 0; i < chunk->hdr.nr_elms; i++) {
			unsigned long nr;

			nr = kho_bitmap_deserialize_bitmap(chunk->hdr.order,
							   &chunk->elms[i],
							   bits, reserve, mark);
			st->nr_folios += nr;
			st->nr_pages += nr << chunk->hdr.order;
		}
		st->nr_records += chunk->hdr.nr_elms;
	}
}

/**
 * kho_bitmap_deserialize() - reserve every preserved folio, next kernel side
 * @fdt_phys: physical address of the root FDT
 * @fdt_size: its size
 * @bits:     bits per bitmap the previous kernel used
 * @how:      %KHO_BASELINE_RESERVE: as upstream, memblock_reserve() and
 *            memblock_reserved_mark_noinit() per folio, in list order;
 *            %KHO_BASELINE_MARK: the order in the head page's
 *            page->private, which is how the next kernel restores it;
 *            %KHO_BASELINE_BULK: one memblock_reserve_bulk() over all
 *            folios merged into address order, instead of the per-folio
 *            memblock calls
 * @st:       set to what was found
 *
 * A kernel that must reserve before its memmap exists makes two calls, one
 * with each of the first two flags.
 *
 * Return: 0, -EINVAL or -ENOENT for a bad FDT, -ENOMEM, or the error of
 * memblock_reserve_bulk().
 */
int __init kho_bitmap_deserialize(phys_addr_t fdt_phys, size_t fdt_size,
				  unsigned int bits, unsigned int how,
				  struct kho_baseline_stats *st)
{
	bool bulk = how & KHO_BASELINE_BULK;
	const struct kho_bitmap_chunk *first;
	struct kho_bitmap_merge *m;
	int ret;

	memset(st, 0, sizeof(*st));
	first = kho_bitmap_first(fdt_phys, fdt_size);
	if (IS_ERR(first))
		return PTR_ERR(first);

	kho_bitmap_walk(first, bits, !bulk && (how & KHO_BASELINE_RESERVE),
			how & KHO_BASELINE_MARK, st);
	if (!bulk)
		return 0;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->first = first;
	m->bits = bits;
	ret = memblock_reserve_bulk(st->nr_folios, kho_bitmap_bulk_fill, m,
				    MEMBLOCK_RSRV_NOINIT);
	kfree(m);
	return ret;
}

/**
 * kho_bitmap_restore_order() - the order of a preserved folio, next kernel
 * @pfn: its first page frame
 *
 * Return: what kho_bitmap_deserialize() left in page->private.
 */
unsigned int kho_bitmap_restore_order(unsigned long pfn)
{
	return pfn_to_page(pfn)->private;
}

/**
 * kho_bitmap_read_all() - read every byte of the handover once, in order
 * @fdt_phys: physical address of the root FDT
 * @fdt_size: its size
 * @bits:     bits per bitmap
 *
 * The lower bound of any deserializer: it must at least read this much.
 *
 * Return: a checksum of what was read, so that the reads happen.
 */
u64 __init kho_bitmap_read_all(phys_addr_t fdt_phys, size_t fdt_size,
			       unsigned int bits)
{
	const struct kho_bitmap_chunk *chunk;
	u64 sum = 0;
	unsigned int i, w;

	chunk = kho_bitmap_first(fdt_phys, fdt_size);
	if (IS_ERR(chunk))
		return 0;
	for (; chunk; chunk = kho_bitmap_chunk_at(chunk->hdr.next)) {
		sum ^= chunk->hdr.order + chunk->hdr.nr_elms;
		for (i = 0; i < chunk->hdr.nr_elms; i++) {
			const u64 *bitmap;

			bitmap = phys_to_virt(chunk->elms[i].bitmap);
			sum ^= chunk->elms[i].phys_start;
			for (w = 0; w < bits / 64; w++)
				sum ^= bitmap[w];
		}
	}
	return sum;
}

/* ---- the ops table entries -------------------------------------------- */

static void *kho_bitmap_create(unsigned long bits)
{
	struct kho_bitmap *kb = kzalloc(sizeof(*kb), GFP_KERNEL);

	if (kb)
		kho_bitmap_init(kb, bits);
	return kb;
}

static void kho_bitmap_ops_destroy(void *t)
{
	kho_bitmap_destroy(t);
	kfree(t);
}

static int kho_bitmap_ops_preserve(void *t, unsigned long pfn,
				   unsigned int order)
{
	return kho_bitmap_preserve(t, pfn, order);
}

static int kho_bitmap_ops_unpreserve(void *t, unsigned long pfn,
				     unsigned int order)
{
	return kho_bitmap_unpreserve(t, pfn, order);
}

static int kho_bitmap_ops_serialize(void *t, struct kho_baseline_handover *h)
{
	struct kho_bitmap *kb = t;
	int ret = kho_bitmap_serialize(kb);

	if (ret)
		return ret;
	h->phys = kb->fdt_phys;
	h->size = kb->fdt_size;
	h->variant = kb->bits;
	return 0;
}

static void kho_bitmap_ops_abort(void *t)
{
	kho_bitmap_abort(t);
}

static void kho_bitmap_sizes(void *t, const struct kho_baseline_handover *h,
			     struct kho_baseline_sizes *s)
{
	const struct kho_bitmap *kb = t;

	s->tracker = kho_bitmap_struct_bytes(kb);
	s->handover = kho_bitmap_handover_bytes(kb);
	s->handover_alloc = (kb->nr_chunks + 1) * PAGE_SIZE;
	s->nr_records = kb->nr_bitmaps;
}

/* the pages bitmaps are carved from, the chunks and the root FDT */
static int kho_bitmap_pages(void *t, kho_baseline_page_fn_t fn,
				    void *arg)
{
	const struct kho_bitmap *kb = t;
	phys_addr_t phys;
	int ret;

	for (phys = kb->pages; phys;
	     phys = pfn_to_page(PHYS_PFN(phys))->private) {
		ret = fn(arg, phys, 0);
		if (ret)
			return ret;
	}
	for (phys = kb->first_chunk; phys;
	     phys = ((struct kho_bitmap_chunk *)phys_to_virt(phys))->hdr.next) {
		ret = fn(arg, phys, 0);
		if (ret)
			return ret;
	}
	return kb->fdt_phys ? fn(arg, kb->fdt_phys, 0) : 0;
}

static int __init kho_bitmap_ops_deserialize(const struct kho_baseline_handover *h,
					     unsigned int how,
					     struct kho_baseline_stats *st)
{
	return kho_bitmap_deserialize(h->phys, h->size, h->variant, how, st);
}

static u64 __init kho_bitmap_probe(const struct kho_baseline_handover *h)
{
	return kho_bitmap_read_all(h->phys, h->size, h->variant);
}

/* the two releases differ only in the size of a bitmap */
#define KHO_BITMAP_OPS(_name, _upstream, _variant) {			\
	.name = _name,							\
	.strategy = "bitmap",						\
	.upstream = _upstream,						\
	.variant = _variant,						\
	.create = kho_bitmap_create,					\
	.destroy = kho_bitmap_ops_destroy,				\
	.preserve = kho_bitmap_ops_preserve,				\
	.unpreserve = kho_bitmap_ops_unpreserve,			\
	.serialize = kho_bitmap_ops_serialize,				\
	.abort = kho_bitmap_ops_abort,					\
	.sizes = kho_bitmap_sizes,					\
	.for_each_page = kho_bitmap_pages,				\
	.deserialize = kho_bitmap_ops_deserialize,			\
	.restore = kho_bitmap_restore_order,				\
	.probe = kho_bitmap_probe,					\
}

struct kho_baseline_ops kho_bitmap_6_16_ops =
	KHO_BITMAP_OPS("bitmap-6.16",
		       "KHO as merged in 6.16: per-order xarrays of 512-byte bitmaps, a chunk list referencing them",
		       KHO_BITMAP_BITS_6_16);

/* 6.18: the same with a page per bitmap */
struct kho_baseline_ops kho_bitmap_6_18_ops =
	KHO_BITMAP_OPS("bitmap-6.18",
		       "KHO of 6.18: the same with page-sized bitmaps",
		       KHO_BITMAP_BITS_6_18);

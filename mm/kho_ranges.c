// SPDX-License-Identifier: GPL-2.0
/*
 * kho_ranges: track memory preserved across kexec as coalesced ranges and
 * serialize it into one physically contiguous, sorted array.
 */

#define pr_fmt(fmt) "kho_ranges: " fmt

#include <linux/build_bug.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kho_ranges.h>
#include <linux/libfdt.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/xarray.h>

/**
 * DOC: kho_ranges tracker
 *
 * A driver that wants memory to survive kexec preserves it here. The tracker
 * is a maple tree indexed by page frame number: each entry spans one range
 * of physically contiguous preserved pages and stores the range's info word
 * (folio order, flags, caller tag) as an xa_mk_value() entry, so it costs no
 * allocation of its own. A new range that touches a neighbour with an equal
 * info word is merged with it in the same store, which is why a million
 * buddy-allocated folios usually need a few thousand entries.
 *
 * Preserving memory that overlaps a preserved range fails with -EEXIST,
 * whatever the info words: two owners of one page is a bug to report, not
 * something to merge. Unpreserving part of a range splits it; unpreserving a
 * whole range removes it and frees the tree nodes it no longer needs.
 *
 * When the kernel is about to kexec, kho_ranges_serialize() writes every
 * range, in address order, into one physically contiguous blob and builds a
 * root FDT that points at it. The blob and the FDT preserve themselves. The
 * tracker is frozen until kho_ranges_abort().
 */

/* the ABI is byte-exact: see Documentation/core-api/kho_ranges.rst */
static_assert(sizeof(struct kho_ranges_blob_hdr) == 48);
static_assert(sizeof(struct kho_ranges_blob_range) == 16);
static_assert(sizeof(struct kho_ranges_blob_hdr_v2) == 64);
static_assert(sizeof(struct kho_ranges_blob_bitmap) == 24);

/* a record holds at most this many pages of one range */
static unsigned long kho_ranges_record_max(unsigned int order)
{
	return U32_MAX & ~((1UL << order) - 1);
}

static int kho_ranges_check(unsigned long pfn, unsigned long nr_pages,
			    u32 info)
{
	unsigned int order = kho_ranges_info_order(info);
	u32 flags = info & (KHO_RANGES_INFO_COMPAT_MASK |
			    KHO_RANGES_INFO_INCOMPAT_MASK);

	if (!nr_pages || pfn + nr_pages < pfn || pfn + nr_pages == 0)
		return -EINVAL;
	if (order > KHO_RANGES_MAX_ORDER)
		return -EINVAL;
	if (!IS_ALIGNED(pfn, 1UL << order) ||
	    !IS_ALIGNED(nr_pages, 1UL << order))
		return -EINVAL;
	if (flags & ~(KHO_RANGES_INFO_KNOWN_COMPAT |
		      KHO_RANGES_INFO_KNOWN_INCOMPAT))
		return -EINVAL;
	/* only the serializer marks its own blob and FDT as handover */
	if (info & KHO_RANGES_INFO_HANDOVER)
		return -EINVAL;
	return 0;
}

/**
 * kho_ranges_init() - initialise an empty tracker
 * @kr: the tracker
 */
void kho_ranges_init(struct kho_ranges *kr)
{
	memset(kr, 0, sizeof(*kr));
	mutex_init(&kr->lock);
	mt_init_flags(&kr->mt, MT_FLAGS_LOCK_EXTERN);
	mt_set_external_lock(&kr->mt, &kr->lock);
}
EXPORT_SYMBOL_GPL(kho_ranges_init);

/*
 * Leaves. An aligned window of KHO_RANGES_WINDOW_PAGES pages whose entries
 * all lie inside it may be one tree entry spanning the whole window that
 * points at a leaf, instead of an entry per range and per gap between
 * ranges. A leaf holds the window's preserved pages in one of two forms:
 *
 *  - a run list: sorted runs of pages, each with its info word, 8 bytes a
 *    run, in a slab object of 32 to 4096 bytes that is replaced by the next
 *    size when full. Runs of one info word never touch (they are merged);
 *    runs of different ones may. Adding a folio is a binary search and a
 *    short memmove, not a tree store: a window costs the tree two stores
 *    and the one that makes the leaf, however many folios it gets.
 *  - a bitmap, one bit per folio of one info word of order at most
 *    KHO_RANGES_LEAF_MAX_ORDER, for a window of that info word whose runs
 *    would take more handover bytes as range records than the bitmap does
 *    (kho_ranges_runs_max()).
 *
 * A window becomes a run list when a folio that touches nothing lands in
 * it while it is empty (kho_ranges_leaf_first()), or once it holds two
 * range entries; and a bitmap when its run list of one info word gets too
 * many runs (or when it holds KHO_RANGES_LEAF_RANGES entries of one info
 * word of order 5 or 6, whose bitmaps are 16 or 24 bytes). A bitmap that
 * gets a folio of another info word becomes a run list again if its runs
 * fit one. A window stops being a leaf when a range reaching out of it, a
 * run more than the largest run list takes, or a folio of another info
 * word over a bitmap of too many runs, is preserved over it (it is turned
 * back into ranges first); when the lone run of its run list, filled in
 * address order, reaches KHO_RANGES_FILL_FOLIOS folios (it becomes the
 * range hint's); or when its last folio is unpreserved (it is freed). A
 * window of more than KHO_RANGES_MIXED_SCAN entries of several info words
 * stays ranges.
 *
 * A leaf window holds no other entry, and a leaf's pages are exactly the
 * pages it preserves. Pages of a leaf never merge with a neighbouring range
 * in the tree; kho_ranges_walk() and the serializer join them. A preserve
 * finds its window's leaf through the leaf hint (the last preserve's), the
 * leaf index (a cache, see "The leaf index" below), or else the tree.
 */
#define KHO_RANGES_WINDOW_PAGES		4096UL
#define KHO_RANGES_LEAF_MAX_ORDER	6	/* a window is whole u64 words */
#define KHO_RANGES_LEAF_RANGES		16U
#define KHO_RANGES_RUNS_CLASSES		8	/* run lists of 32 .. 4096 bytes */
#define KHO_RANGES_MIXED_SCAN		128	/* see kho_ranges_maybe_leaf() */
#define KHO_RANGES_FILL_FOLIOS		16	/* see kho_ranges_leaf_add() */

struct kho_ranges_leaf {
	u32 info;		/* the bitmap's, or the run list's first run's */
	u16 nr_folios;
	u16 nr_runs:11;		/* run list: runs in use */
	u16 class:4;		/* 0: bitmap; else run list of 16 << class bytes */
	u16 mixed:1;		/* run list: a run of another info word came */
	unsigned long bits[];	/* the bitmap, or the runs */
};

/* a run of a run list: pages [@first, @last] of the window, of @info */
struct kho_ranges_run {
	u16 first;
	u16 last;
	u32 info;
};

/* bitmap caches by order, then run-list caches by class */
static struct kmem_cache *kho_ranges_leaf_caches[KHO_RANGES_LEAF_MAX_ORDER + 1 +
						 KHO_RANGES_RUNS_CLASSES];
static DEFINE_MUTEX(kho_ranges_leaf_caches_lock);

static bool kho_ranges_is_leaf(const void *entry)
{
	return entry && !xa_is_value(entry);
}

static unsigned long kho_ranges_leaf_nbits(u32 info)
{
	return KHO_RANGES_WINDOW_PAGES >> kho_ranges_info_order(info);
}

static size_t kho_ranges_bitmap_size(unsigned int order)
{
	return sizeof(struct kho_ranges_leaf) +
	       BITS_TO_LONGS(KHO_RANGES_WINDOW_PAGES >> order) * sizeof(long);
}

/* runs a run list of @class holds: 3, 7, 15, 31, 63, 127, 255, 511 */
static unsigned int kho_ranges_runs_cap(unsigned int class)
{
	return ((16U << class) - sizeof(struct kho_ranges_leaf)) /
	       sizeof(struct kho_ranges_run);
}

/*
 * The most runs of one info word of order @order a run list keeps before
 * it becomes a bitmap: as many as take no more handover bytes as 16-byte
 * range records than the bitmap record's words (32 at order 0), and at
 * least KHO_RANGES_LEAF_RANGES: a blob with a bitmap record is a 2.x blob,
 * which the next kernel reads more slowly than range records alone, so a
 * few runs of a high order are not worth their bitmap. Above order 6,
 * never.
 */
static unsigned int kho_ranges_runs_max(unsigned int order)
{
	unsigned int bytes;

	if (order > KHO_RANGES_LEAF_MAX_ORDER)
		return UINT_MAX;
	bytes = (KHO_RANGES_WINDOW_PAGES >> order) / 8;
	return max(KHO_RANGES_LEAF_RANGES,
		   bytes / (unsigned int)sizeof(struct kho_ranges_blob_range));
}

static size_t kho_ranges_leaf_size(const struct kho_ranges_leaf *leaf)
{
	if (leaf->class)
		return 16U << leaf->class;
	return kho_ranges_bitmap_size(kho_ranges_info_order(leaf->info));
}

static struct kho_ranges_run *kho_ranges_runs(const struct kho_ranges_leaf *leaf)
{
	return (struct kho_ranges_run *)leaf->bits;
}

static unsigned long kho_ranges_run_folios(const struct kho_ranges_run *run)
{
	return (run->last - run->first + 1UL) >> kho_ranges_info_order(run->info);
}

static unsigned long kho_ranges_window(unsigned long pfn)
{
	return ALIGN_DOWN(pfn, KHO_RANGES_WINDOW_PAGES);
}

/* cache @idx: a bitmap of order @idx, or a run list of class @idx - 6 */
static struct kmem_cache *kho_ranges_leaf_cache(unsigned int idx)
{
	static const char * const names[] = {
		"kho_ranges_leaf0", "kho_ranges_leaf1", "kho_ranges_leaf2",
		"kho_ranges_leaf3", "kho_ranges_leaf4", "kho_ranges_leaf5",
		"kho_ranges_leaf6", "kho_ranges_runs32", "kho_ranges_runs64",
		"kho_ranges_runs128", "kho_ranges_runs256", "kho_ranges_runs512",
		"kho_ranges_runs1k", "kho_ranges_runs2k", "kho_ranges_runs4k",
	};
	struct kmem_cache *cache = READ_ONCE(kho_ranges_leaf_caches[idx]);
	size_t size;

	BUILD_BUG_ON(ARRAY_SIZE(names) != ARRAY_SIZE(kho_ranges_leaf_caches));
	if (cache)
		return cache;
	size = idx <= KHO_RANGES_LEAF_MAX_ORDER ? kho_ranges_bitmap_size(idx) :
	       16U << (idx - KHO_RANGES_LEAF_MAX_ORDER);
	mutex_lock(&kho_ranges_leaf_caches_lock);
	cache = kho_ranges_leaf_caches[idx];
	if (!cache) {
		cache = kmem_cache_create(names[idx], size, 0, 0, NULL);
		WRITE_ONCE(kho_ranges_leaf_caches[idx], cache);
	}
	mutex_unlock(&kho_ranges_leaf_caches_lock);
	return cache;
}

static unsigned int kho_ranges_leaf_idx(const struct kho_ranges_leaf *leaf)
{
	if (leaf->class)
		return KHO_RANGES_LEAF_MAX_ORDER + leaf->class;
	return kho_ranges_info_order(leaf->info);
}

/* an empty leaf: a run list of @class, or a bitmap of @info for class 0 */
static struct kho_ranges_leaf *kho_ranges_leaf_alloc(u32 info,
						     unsigned int class,
						     gfp_t gfp)
{
	unsigned int order = kho_ranges_info_order(info);
	struct kmem_cache *cache;
	struct kho_ranges_leaf *leaf;

	cache = kho_ranges_leaf_cache(class ? KHO_RANGES_LEAF_MAX_ORDER + class :
				      order);
	if (!cache)
		return NULL;
	leaf = kmem_cache_alloc(cache, gfp);
	if (!leaf)
		return NULL;
	leaf->info = info;
	leaf->nr_folios = 0;
	leaf->nr_runs = 0;
	leaf->class = class;
	leaf->mixed = 0;
	if (!class)
		bitmap_zero(leaf->bits, kho_ranges_leaf_nbits(info));
	return leaf;
}

static void kho_ranges_leaf_free(struct kho_ranges_leaf *leaf)
{
	kmem_cache_free(kho_ranges_leaf_caches[kho_ranges_leaf_idx(leaf)], leaf);
}

/* the smallest class of run list with room for @nr runs and one more, or 0 */
static unsigned int kho_ranges_runs_class(unsigned long nr)
{
	unsigned int class;

	for (class = 1; class <= KHO_RANGES_RUNS_CLASSES; class++)
		if (kho_ranges_runs_cap(class) > nr)
			return class;
	return 0;
}

/* set or clear bits [@start, @start + @nr) */
static void kho_ranges_bits_assign(unsigned long *map, unsigned long start,
				   unsigned long nr, bool set)
{
	while (nr) {
		unsigned long off = start % BITS_PER_LONG;
		unsigned long n = min(nr, BITS_PER_LONG - off);
		unsigned long mask = (n == BITS_PER_LONG ? ~0UL :
				      ((1UL << n) - 1)) << off;

		if (set)
			map[start / BITS_PER_LONG] |= mask;
		else
			map[start / BITS_PER_LONG] &= ~mask;
		start += n;
		nr -= n;
	}
}

/* index of the first run of @leaf's run list that ends at or after page @p */
static unsigned int kho_ranges_runs_find(const struct kho_ranges_leaf *leaf,
					 unsigned long p)
{
	const struct kho_ranges_run *runs = kho_ranges_runs(leaf);
	unsigned int lo = 0, n = leaf->nr_runs;

	/*
	 * Halve the span without a branch on the runs: the folios of a
	 * scattered window land anywhere in it, and a mispredicted branch
	 * per step cost more than the search's instructions.
	 */
	while (n > 1) {
		unsigned int half = n / 2;

		lo += (runs[lo + half - 1].last < p) * half;
		n -= half;
	}
	return lo + (n && runs[lo].last < p);
}

/*
 * The first maximal run of @leaf of one info word with a page at or after
 * page @from of the window: pages [*@first, *@last] of *@info, where
 * *@first may be below @from. False if there is none.
 */
static bool kho_ranges_leaf_next_run(const struct kho_ranges_leaf *leaf,
				     unsigned long from, unsigned long *first,
				     unsigned long *last, u32 *info)
{
	unsigned int order = kho_ranges_info_order(leaf->info);
	unsigned long nbits = kho_ranges_leaf_nbits(leaf->info), bit, end;

	if (leaf->class) {
		unsigned int i = kho_ranges_runs_find(leaf, from);
		const struct kho_ranges_run *run = &kho_ranges_runs(leaf)[i];

		if (i == leaf->nr_runs)
			return false;
		*first = run->first;
		*last = run->last;
		*info = run->info;
		return true;
	}
	bit = find_next_bit(leaf->bits, nbits, from >> order);
	if (bit >= nbits)
		return false;
	end = find_next_zero_bit(leaf->bits, nbits, bit);
	while (bit == from >> order && bit && test_bit(bit - 1, leaf->bits))
		from = (--bit) << order;
	*first = bit << order;
	*last = (end << order) - 1;
	*info = leaf->info;
	return true;
}

/* folios of bitmap @leaf (window at @ws) that pages [@first, @last] fall in */
static void kho_ranges_leaf_span(const struct kho_ranges_leaf *leaf,
				 unsigned long ws, unsigned long first,
				 unsigned long last, unsigned long *bit,
				 unsigned long *end)
{
	unsigned int order = kho_ranges_info_order(leaf->info);

	*bit = (first - ws) >> order;
	*end = ((last - ws) >> order) + 1;
}

/*
 * Runs of set bits in @leaf, counted up to @max: a run starts at every
 * set bit whose lower neighbour is clear, so a word at a time.
 */
static unsigned long kho_ranges_leaf_runs(const struct kho_ranges_leaf *leaf,
					  unsigned long max)
{
	unsigned long nwords = BITS_TO_LONGS(kho_ranges_leaf_nbits(leaf->info));
	unsigned long i, runs = 0, carry = 0;

	for (i = 0; i < nwords && runs <= max; i++) {
		unsigned long w = leaf->bits[i];

		if (w)
			runs += hweight_long(w & ~((w << 1) | carry));
		carry = w >> (BITS_PER_LONG - 1);
	}
	return runs;
}

/* does @leaf preserve any page of [@first, @last]? */
static bool kho_ranges_leaf_any(const struct kho_ranges_leaf *leaf,
				unsigned long ws, unsigned long first,
				unsigned long last)
{
	unsigned long bit, end;

	if (leaf->class) {
		unsigned int i = kho_ranges_runs_find(leaf, first - ws);

		return i < leaf->nr_runs &&
		       kho_ranges_runs(leaf)[i].first <= last - ws;
	}
	kho_ranges_leaf_span(leaf, ws, first, last, &bit, &end);
	return find_next_bit(leaf->bits, end, bit) < end;
}

/*
 * Can pages [@first, @last] of @leaf (window at @ws) be unpreserved: all
 * preserved, and the cut at either end on a folio boundary? 0, -ENOENT or
 * -EINVAL, as for kho_ranges_unpreserve().
 */
static int kho_ranges_leaf_cut(const struct kho_ranges_leaf *leaf,
			       unsigned long ws, unsigned long first,
			       unsigned long last)
{
	const struct kho_ranges_run *runs = kho_ranges_runs(leaf);
	unsigned long p = first - ws, q = last - ws, bit, end;
	unsigned int i, j, order = kho_ranges_info_order(leaf->info);

	if (!leaf->class) {
		if (!IS_ALIGNED(first, 1UL << order) ||
		    !IS_ALIGNED(last + 1, 1UL << order))
			return -EINVAL;
		kho_ranges_leaf_span(leaf, ws, first, last, &bit, &end);
		return find_next_zero_bit(leaf->bits, end, bit) < end ?
		       -ENOENT : 0;
	}
	/* from the lowest page up, as over range entries */
	i = kho_ranges_runs_find(leaf, p);
	if (i == leaf->nr_runs || runs[i].first > p)
		return -ENOENT;
	if (!IS_ALIGNED(first, 1UL << kho_ranges_info_order(runs[i].info)))
		return -EINVAL;
	for (j = i; runs[j].last < q; j++)
		if (j + 1 == leaf->nr_runs || runs[j + 1].first != runs[j].last + 1)
			return -ENOENT;
	if (!IS_ALIGNED(last + 1, 1UL << kho_ranges_info_order(runs[j].info)))
		return -EINVAL;
	return 0;
}

/*
 * Does adding (@set) pages [@p, @q] of @info at @i = kho_ranges_runs_find(@p)
 * to @leaf's run list, or taking them out, take a run more than it has room
 * for? The caller checked that none is there, or that all are.
 */
static bool kho_ranges_runs_full(const struct kho_ranges_leaf *leaf,
				 unsigned int i, unsigned long p,
				 unsigned long q, u32 info, bool set)
{
	const struct kho_ranges_run *runs = kho_ranges_runs(leaf);
	unsigned int n = leaf->nr_runs;

	if (!leaf->class || n < kho_ranges_runs_cap(leaf->class))
		return false;
	if (set)
		return !(i && runs[i - 1].last + 1 == p &&
			 runs[i - 1].info == info) &&
		       !(i < n && runs[i].first == q + 1 && runs[i].info == info);
	return runs[i].first < p && runs[i].last > q;
}

/* add pages [@p, @q] of @info at @i to a run list that has the room */
static void kho_ranges_runs_set(struct kho_ranges_leaf *leaf, unsigned int i,
				unsigned long p, unsigned long q, u32 info)
{
	struct kho_ranges_run *runs = kho_ranges_runs(leaf);
	unsigned int n = leaf->nr_runs;
	bool left = i && runs[i - 1].last + 1 == p && runs[i - 1].info == info;
	bool right = i < n && runs[i].first == q + 1 && runs[i].info == info;

	if (left && right) {
		runs[i - 1].last = runs[i].last;
		memmove(&runs[i], &runs[i + 1], (n - i - 1) * sizeof(*runs));
		leaf->nr_runs--;
	} else if (left) {
		runs[i - 1].last = q;
	} else if (right) {
		runs[i].first = p;
	} else {
		memmove(&runs[i + 1], &runs[i], (n - i) * sizeof(*runs));
		runs[i] = (struct kho_ranges_run){ p, q, info };
		leaf->nr_runs++;
	}
}

/*
 * Take pages [@p, @q], all there, out of a run list that has the room; @i
 * is kho_ranges_runs_find(@p). Return the folios taken out.
 */
static unsigned long kho_ranges_runs_clear(struct kho_ranges_leaf *leaf,
					   unsigned int i, unsigned long p,
					   unsigned long q)
{
	struct kho_ranges_run *runs = kho_ranges_runs(leaf), cut;
	unsigned int j = i, k, n = leaf->nr_runs, keep_lo, keep_hi;
	unsigned long folios = 0;

	while (runs[j].last < q)
		j++;
	/* a cut inside one run: split it */
	if (i == j && runs[i].first < p && runs[i].last > q) {
		memmove(&runs[i + 1], &runs[i], (n - i) * sizeof(*runs));
		runs[i].last = p - 1;
		runs[i + 1].first = q + 1;
		leaf->nr_runs++;
		cut = (struct kho_ranges_run){ p, q, runs[i].info };
		return kho_ranges_run_folios(&cut);
	}
	for (k = i; k <= j; k++) {
		cut = runs[k];
		cut.first = max_t(unsigned long, cut.first, p);
		cut.last = min_t(unsigned long, cut.last, q);
		folios += kho_ranges_run_folios(&cut);
	}
	/* runs i..j lose [p, q]: the ends may keep a part */
	keep_lo = runs[i].first < p;
	keep_hi = runs[j].last > q;
	if (keep_lo)
		runs[i].last = p - 1;
	if (keep_hi)
		runs[j].first = q + 1;
	/* drop runs i + keep_lo .. j - keep_hi */
	memmove(&runs[i + keep_lo], &runs[j + 1 - keep_hi],
		(n - j - 1 + keep_hi) * sizeof(*runs));
	leaf->nr_runs -= j + 1 - keep_hi - (i + keep_lo);
	return folios;
}

/*
 * The leaf index. A folio whose window is not the last preserve's finds
 * its leaf in the tree, a walk from the root of a few hundred instructions
 * and cache lines: most of the cost of a folio in a scattered window. The
 * index is a direct-mapped cache in front of that walk: slot i holds the
 * leaf of a window whose number is i modulo the number of slots, or NULL.
 * Physical memory is mostly one span, so the windows of a machine take
 * consecutive slots and seldom share one.
 *
 * It is a cache, never the only way to a leaf: a slot that holds another
 * window's leaf, or none, sends the folio to the tree as before, which
 * then fills the slot. It is made, of KHO_RANGES_INDEX_MIN slots, on the
 * first such walk that finds a leaf, so that a tracker filled in address
 * order (the last leaf is the hint) never pays for one. It doubles once
 * it has missed (sent a folio down the tree to a leaf) as often as it has
 * slots, while there are more leaves than slots, and as long as it stays
 * within KHO_RANGES_INDEX_SHARE of the leaves' memory: a tracker whose
 * folios find their leaves through the hint keeps a small one, and one of
 * scattered windows gets a slot a leaf. Without memory to grow it stays
 * as it is.
 */
#define KHO_RANGES_INDEX_SHARE	2	/* index <= leaf_bytes / 2 */
#define KHO_RANGES_INDEX_MIN	16U

static u32 *kho_ranges_index_wins(const struct kho_ranges *kr)
{
	return (u32 *)(kr->leaf_index + (1UL << kr->leaf_index_bits));
}

/* the slot of window @ws, or NULL if its number does not fit a u32 */
static void **kho_ranges_index_slot(const struct kho_ranges *kr,
				    unsigned long ws)
{
	unsigned long win = ws / KHO_RANGES_WINDOW_PAGES;

	if (!kr->leaf_index || win > U32_MAX)
		return NULL;
	return &kr->leaf_index[win & ((1UL << kr->leaf_index_bits) - 1)];
}

/* the leaf of window @ws if the index has it, else NULL */
static struct kho_ranges_leaf *kho_ranges_index_find(const struct kho_ranges *kr,
						     unsigned long ws)
{
	void **slot = kho_ranges_index_slot(kr, ws);

	if (!slot || kho_ranges_index_wins(kr)[slot - kr->leaf_index] !=
		     ws / KHO_RANGES_WINDOW_PAGES)
		return NULL;
	return *slot;
}

static void kho_ranges_index_set(struct kho_ranges *kr, unsigned long ws,
				 struct kho_ranges_leaf *leaf)
{
	void **slot = kho_ranges_index_slot(kr, ws);

	if (!slot)
		return;
	*slot = leaf;
	kho_ranges_index_wins(kr)[slot - kr->leaf_index] =
		ws / KHO_RANGES_WINDOW_PAGES;
}

/* twice the slots, within KHO_RANGES_INDEX_SHARE; best effort */
static void kho_ranges_index_grow(struct kho_ranges *kr, gfp_t gfp)
{
	unsigned int bits = kr->leaf_index ? kr->leaf_index_bits + 1 :
			    ilog2(KHO_RANGES_INDEX_MIN);
	unsigned long n = 1UL << bits, old = 0, i;
	size_t bytes = n * KHO_RANGES_INDEX_SLOT;
	void **index, **was = kr->leaf_index;
	u32 *wins;

	if (bytes > kr->leaf_bytes / KHO_RANGES_INDEX_SHARE)
		return;
	index = kzalloc(bytes, gfp | __GFP_NOWARN);
	if (!index)
		return;
	wins = (u32 *)(index + n);
	if (was) {
		old = 1UL << kr->leaf_index_bits;
		for (i = 0; i < old; i++) {
			u32 win = kho_ranges_index_wins(kr)[i];

			if (!was[i])
				continue;
			index[win & (n - 1)] = was[i];
			wins[win & (n - 1)] = win;
		}
	}
	kr->leaf_index = index;
	kr->leaf_index_bits = bits;
	kfree(was);
}

/* a walk of the tree found @leaf of window @ws: keep it for the next folio */
static void kho_ranges_index_note(struct kho_ranges *kr, unsigned long ws,
				  struct kho_ranges_leaf *leaf, gfp_t gfp)
{
	unsigned long slots = kr->leaf_index ? 1UL << kr->leaf_index_bits : 0;

	/* grown once it has missed as often as it has slots */
	if (++kr->leaf_index_misses > slots && kr->nr_leaves > slots) {
		kho_ranges_index_grow(kr, gfp);
		kr->leaf_index_misses = 0;
	}
	kho_ranges_index_set(kr, ws, leaf);
}

/* @leaf of window @ws enters (@sign 1) or leaves (-1) the tree */
static void kho_ranges_leaf_account(struct kho_ranges *kr,
				    struct kho_ranges_leaf *leaf,
				    unsigned long ws, int sign)
{
	/* a leaf leaving the tree is no shortcut any more */
	if (sign < 0 && kr->hint_leaf == leaf)
		kr->hint_leaf = NULL;
	if (sign > 0)
		kho_ranges_index_set(kr, ws, leaf);
	else if (kho_ranges_index_find(kr, ws) == leaf)
		kho_ranges_index_set(kr, ws, NULL);
	kr->nr_leaves += sign;
	kr->leaf_bytes += sign * (long)kho_ranges_leaf_size(leaf);
	if (leaf->class) {
		kr->leaf_runs += sign * (long)leaf->nr_runs;
	} else {
		kr->nr_bitmap_leaves += sign;
		kr->leaf_words += sign *
				  (long)(kho_ranges_leaf_nbits(leaf->info) / 64);
	}
	kr->leaf_folios += sign * (long)leaf->nr_folios;
}

/*
 * Is run list @leaf due to become a bitmap: its runs all of one info word
 * of order at most KHO_RANGES_LEAF_MAX_ORDER, and kho_ranges_runs_max() of
 * them?
 */
static bool kho_ranges_runs_bitmap(const struct kho_ranges_leaf *leaf)
{
	unsigned int order = kho_ranges_info_order(leaf->info);

	return !leaf->mixed && order <= KHO_RANGES_LEAF_MAX_ORDER &&
	       leaf->nr_runs >= kho_ranges_runs_max(order);
}

/*
 * Give @leaf of window @ws room for one run more, of @info: for a run
 * list, the next size of run list, or a bitmap if its runs and @info are
 * all one info word and the runs too many; for a bitmap that @info is not
 * its own, a run list of its runs. The new leaf takes its place in the
 * tree, an exact fit that allocates no node. ERR_PTR(-E2BIG) if the runs
 * are more than the largest run list takes; ERR_PTR(-ENOMEM).
 */
static struct kho_ranges_leaf *kho_ranges_leaf_grow(struct kho_ranges *kr,
						    struct kho_ranges_leaf *leaf,
						    unsigned long ws, u32 info,
						    gfp_t gfp)
{
	MA_STATE(mas, &kr->mt, ws, ws + KHO_RANGES_WINDOW_PAGES - 1);
	const struct kho_ranges_run *runs = kho_ranges_runs(leaf);
	unsigned int max = kho_ranges_runs_cap(KHO_RANGES_RUNS_CLASSES);
	bool bitmap = leaf->class && info == leaf->info &&
		      kho_ranges_runs_bitmap(leaf);
	unsigned long nr = leaf->class ? leaf->nr_runs :
			   kho_ranges_leaf_runs(leaf, max);
	unsigned int class = bitmap ? 0 : kho_ranges_runs_class(nr);
	unsigned long p = 0, first, last;
	struct kho_ranges_leaf *grown;
	unsigned int i, order;
	u32 run_info;

	if (!bitmap && !class)
		return ERR_PTR(-E2BIG);
	grown = kho_ranges_leaf_alloc(leaf->info, class, gfp | __GFP_NOWARN);
	if (!grown)
		return ERR_PTR(-ENOMEM);
	if (class && leaf->class) {
		memcpy(kho_ranges_runs(grown), runs,
		       leaf->nr_runs * sizeof(*runs));
		grown->nr_runs = leaf->nr_runs;
		grown->mixed = leaf->mixed;
	} else if (class) {
		/* a bitmap's runs, for a folio of another info word */
		while (kho_ranges_leaf_next_run(leaf, p, &first, &last,
						&run_info)) {
			kho_ranges_runs(grown)[grown->nr_runs++] =
				(struct kho_ranges_run){ first, last, run_info };
			p = last + 1;
		}
	} else {
		order = kho_ranges_info_order(leaf->info);
		for (i = 0; i < leaf->nr_runs; i++)
			kho_ranges_bits_assign(grown->bits, runs[i].first >> order,
					       kho_ranges_run_folios(&runs[i]),
					       true);
	}
	grown->nr_folios = leaf->nr_folios;
	if (mas_store_gfp(&mas, grown, gfp)) {
		kho_ranges_leaf_free(grown);
		return ERR_PTR(-ENOMEM);
	}
	kho_ranges_leaf_account(kr, leaf, ws, -1);
	kho_ranges_leaf_account(kr, grown, ws, 1);
	kho_ranges_leaf_free(leaf);
	return grown;
}

/*
 * The range hint: the range the last preserve stored, [@hint_start,
 * @hint_end] of info @hint_info, with nothing in the tree from @hint_end + 1
 * to @hint_limit - 1. A preserve of the folio right after it grows it
 * without touching the tree: the tree has [@hint_start, @hint_stored], and
 * the tail up to @hint_end is stored by kho_ranges_settle() before anything
 * else reads or changes the tree. A buffer filled a folio at a time, in
 * address order, costs one store instead of one per folio. Any other change
 * to the tree forgets the hint.
 */
static void kho_ranges_hint_forget(struct kho_ranges *kr)
{
	WARN_ON_ONCE(kr->hint_limit && kr->hint_end != kr->hint_stored);
	kr->hint_limit = 0;
}

/* pages of the hint range that the tree does not have yet */
static bool kho_ranges_tail(const struct kho_ranges *kr)
{
	return kr->hint_limit && kr->hint_end != kr->hint_stored;
}

/* last page frame of the range entry @mas is on, with the hint's tail */
static unsigned long kho_ranges_entry_last(const struct kho_ranges *kr,
					   const struct ma_state *mas)
{
	if (kho_ranges_tail(kr) && mas->index == kr->hint_start)
		return kr->hint_end;
	return mas->last;
}

/*
 * Store the hint range's tail. It grows an entry over part of the free gap
 * after it, which the maple tree usually does in place; on -ENOMEM nothing
 * changed and the tail is still the hint's.
 */
static int __kho_ranges_settle(struct kho_ranges *kr, gfp_t gfp)
{
	MA_STATE(mas, &kr->mt, kr->hint_start, kr->hint_end);
	int ret;

	ret = mas_store_gfp(&mas, xa_mk_value(kr->hint_info), gfp);
	if (ret)
		return ret;
	kr->hint_stored = kr->hint_end;
	return 0;
}

static int kho_ranges_settle(struct kho_ranges *kr, gfp_t gfp)
{
	return kho_ranges_tail(kr) ? __kho_ranges_settle(kr, gfp) : 0;
}

/*
 * Does the window of the entry @mas is on hold another entry, so that it
 * may become a leaf? A look at its two neighbours from where the store
 * left @mas: one reaching out of the window says no at once, as it does
 * where contiguous allocations span windows; kho_ranges_maybe_leaf()
 * checks the rest.
 */
static bool kho_ranges_leaf_likely(struct ma_state *mas)
{
	unsigned long ws = kho_ranges_window(mas->index);
	unsigned long we = ws + KHO_RANGES_WINDOW_PAGES - 1;
	struct ma_state back = *mas;
	void *prev, *next;

	if (mas->last > we)
		return false;
	/* a neighbour that reaches out of the window keeps it ranges */
	prev = mas_prev(&back, ws);
	if (prev && back.index < ws)
		return false;
	next = mas_next(mas, we);
	if (next && mas->last > we)
		return false;
	return prev || next;
}

/*
 * Store [@pfn, @pfn + @nr_pages) as a range entry, merged with neighbouring
 * ranges of the same info word. The caller checked that it is free. Return
 * 1 instead of 0 if the window may have become dense enough for a leaf.
 */
static int kho_ranges_insert(struct kho_ranges *kr, unsigned long pfn,
			     unsigned long nr_pages, u32 info, gfp_t gfp)
{
	MA_STATE(mas, &kr->mt, pfn, pfn);
	unsigned long last = pfn + nr_pages - 1;
	unsigned long start = pfn, end = last;
	void *new = xa_mk_value(info);
	int merged = 0;
	void *entry;
	int ret;

	kho_ranges_hint_forget(kr);
	/* the neighbours: one walk to the page before, one step past the gap */
	mas_set(&mas, pfn ? pfn - 1 : pfn);
	entry = mas_walk(&mas);
	if (pfn && entry == new) {
		start = mas.index;
		merged++;
	}
	if (last != ULONG_MAX) {
		entry = mas_next(&mas, last + 1);
		if (entry == new && mas.index == last + 1) {
			end = mas.last;
			merged++;
		}
	}

	mas_set_range(&mas, start, end);
	ret = mas_store_gfp(&mas, new, gfp);
	if (ret)
		return ret;
	kr->nr_ranges = kr->nr_ranges + 1 - merged;
	/* only a range that merged with nothing adds to its window */
	return !merged && kho_ranges_leaf_likely(&mas);
}

/*
 * kho_ranges_insert() for the common case: mas_walk() found [@pfn, @pfn +
 * @nr_pages) inside the free gap @mas is on. Only a range the gap touches
 * can be a neighbour to merge with, so an isolated folio costs no walk
 * beyond the one that found the gap. Return as kho_ranges_insert().
 */
static int kho_ranges_insert_gap(struct kho_ranges *kr, struct ma_state *mas,
				 unsigned long pfn, unsigned long nr_pages,
				 u32 info, gfp_t gfp)
{
	unsigned long last = pfn + nr_pages - 1;
	unsigned long start = pfn, end = last;
	bool left = pfn && mas->index == pfn;
	bool right = last != ULONG_MAX && mas->last == last;
	/* the gap's end, or short of it if it runs to the last page frame */
	unsigned long limit = mas->last == ULONG_MAX ? ULONG_MAX : mas->last + 1;
	void *new = xa_mk_value(info);
	int merged = 0;
	int ret;

	kho_ranges_hint_forget(kr);
	if (left && mas_prev(mas, 0) == new) {
		start = mas->index;
		merged++;
	}
	if (right) {
		mas_set(mas, last + 1);
		if (mas_walk(mas) == new) {
			end = mas->last;
			merged++;
		}
	}
	mas_set_range(mas, start, end);
	ret = mas_store_gfp(mas, new, gfp);
	if (ret)
		return ret;
	kr->nr_ranges = kr->nr_ranges + 1 - merged;
	if (end == last) {
		kr->hint_start = start;
		kr->hint_end = end;
		kr->hint_stored = end;
		kr->hint_info = info;
		kr->hint_limit = limit;
	}
	return !merged && kho_ranges_leaf_likely(mas);
}

/*
 * The next folio after the range the last preserve stored, with its info
 * word and short of the next entry: grow the range over it, in the hint
 * only (kho_ranges_settle() stores it). Return true if it was such a folio.
 */
static bool kho_ranges_extend_hint(struct kho_ranges *kr, unsigned long pfn,
				   unsigned long last, u32 info)
{
	if (!kr->hint_limit || pfn != kr->hint_end + 1 ||
	    info != kr->hint_info || last >= kr->hint_limit - 1)
		return false;
	kr->hint_end = last;
	kr->nr_pages += last - pfn + 1;
	return true;
}

static int kho_ranges_dissolve(struct kho_ranges *kr, unsigned long ws,
			       struct kho_ranges_leaf *leaf, gfp_t gfp);

/*
 * Add the pages [@pfn, @last] of @info to @leaf of window @ws, a run list
 * or a bitmap of @info: -EEXIST if any is there already, -ENOMEM if a full
 * run list could not grow, -E2BIG if it is the largest run list of
 * several info words (the caller turns the window back into ranges).
 */
static int kho_ranges_leaf_set(struct kho_ranges *kr,
			       struct kho_ranges_leaf *leaf, unsigned long ws,
			       unsigned long pfn, unsigned long last, u32 info,
			       gfp_t gfp)
{
	unsigned long p = pfn - ws, q = last - ws;
	unsigned long nr = (last - pfn + 1) >> kho_ranges_info_order(info);
	const struct kho_ranges_run *runs = kho_ranges_runs(leaf);
	unsigned int i = 0;

	if (leaf->class) {
		/* one search: the first run that ends at or after @p */
		i = kho_ranges_runs_find(leaf, p);
		if (i < leaf->nr_runs && runs[i].first <= q)
			return -EEXIST;
		if (kho_ranges_runs_full(leaf, i, p, q, info, true)) {
			leaf = kho_ranges_leaf_grow(kr, leaf, ws, info, gfp);
			if (IS_ERR(leaf))
				return PTR_ERR(leaf);
		}
	} else if (nr == 1) {
		/* one folio of a bitmap, the usual call: one word to look at */
		if (test_bit(p >> kho_ranges_info_order(info), leaf->bits))
			return -EEXIST;
	} else if (kho_ranges_leaf_any(leaf, ws, pfn, last)) {
		return -EEXIST;
	}
	if (leaf->class) {
		kr->leaf_runs -= leaf->nr_runs;
		kho_ranges_runs_set(leaf, i, p, q, info);
		kr->leaf_runs += leaf->nr_runs;
		leaf->mixed |= info != leaf->info;
	} else if (nr == 1) {
		__set_bit(p >> kho_ranges_info_order(info), leaf->bits);
	} else {
		kho_ranges_bits_assign(leaf->bits,
				       p >> kho_ranges_info_order(info), nr, true);
	}
	leaf->nr_folios += nr;
	kr->leaf_folios += nr;
	kr->nr_pages += last - pfn + 1;
	/* runs of one info word that outweigh a bitmap: best effort */
	if (leaf->class && kho_ranges_runs_bitmap(leaf)) {
		struct kho_ranges_leaf *bitmap;

		bitmap = kho_ranges_leaf_grow(kr, leaf, ws, leaf->info, gfp);
		if (!IS_ERR(bitmap))
			leaf = bitmap;
	}
	kr->hint_leaf = leaf;
	kr->hint_ws = ws;
	/* a full window is one range: best effort, it is right either way */
	runs = kho_ranges_runs(leaf);
	if (leaf->class ? leaf->nr_runs == 1 && !runs[0].first &&
			  runs[0].last == KHO_RANGES_WINDOW_PAGES - 1 :
			  leaf->nr_folios == kho_ranges_leaf_nbits(leaf->info))
		kho_ranges_dissolve(kr, ws, leaf, gfp | __GFP_NOWARN);
	return 0;
}

/*
 * Turn the leaf of window @ws back into ranges. On failure the leaf is put
 * back: the window's memory is preserved the same way as before.
 */
static int kho_ranges_dissolve(struct kho_ranges *kr, unsigned long ws,
			       struct kho_ranges_leaf *leaf, gfp_t gfp)
{
	MA_STATE(mas, &kr->mt, ws, ws + KHO_RANGES_WINDOW_PAGES - 1);
	unsigned long nr_ranges = kr->nr_ranges, p = 0, first, last;
	u32 info;
	int ret;

	kho_ranges_hint_forget(kr);
	ret = mas_store_gfp(&mas, NULL, gfp);
	if (ret)
		return ret;
	while (kho_ranges_leaf_next_run(leaf, p, &first, &last, &info)) {
		ret = kho_ranges_insert(kr, ws + first, last - first + 1, info,
					gfp);
		if (ret < 0) {
			/* the window as it was: neighbours lose what they grew into it */
			mas_set_range(&mas, ws, ws + KHO_RANGES_WINDOW_PAGES - 1);
			mas_store_gfp(&mas, leaf, gfp | __GFP_NOFAIL);
			kr->nr_ranges = nr_ranges;
			return ret;
		}
		p = last + 1;
	}
	kho_ranges_leaf_account(kr, leaf, ws, -1);
	kho_ranges_leaf_free(leaf);
	return 0;
}

/* turn every leaf that [@pfn, @last] touches back into ranges */
static int kho_ranges_dissolve_range(struct kho_ranges *kr, unsigned long pfn,
				     unsigned long last, gfp_t gfp)
{
	MA_STATE(mas, &kr->mt, pfn, pfn);
	void *entry;
	int ret;

	mas_for_each(&mas, entry, last) {
		if (!kho_ranges_is_leaf(entry))
			continue;
		ret = kho_ranges_dissolve(kr, mas.index, entry, gfp);
		if (ret)
			return ret;
		mas_set(&mas, mas.index + KHO_RANGES_WINDOW_PAGES);
	}
	return 0;
}

/*
 * After a range was stored in window @ws: if the window now holds two
 * range entries or more, all inside it, make it a leaf: a run list, or a
 * bitmap for kho_ranges_runs_max() entries of one info word. Best effort:
 * without memory the ranges stay as they are.
 */
static void kho_ranges_maybe_leaf(struct kho_ranges *kr, unsigned long ws,
				  gfp_t gfp)
{
	MA_STATE(mas, &kr->mt, ws, ws);
	unsigned long we = ws + KHO_RANGES_WINDOW_PAGES - 1, nr = 0;
	struct kho_ranges_leaf *leaf;
	unsigned int order, class = 0;
	bool one_info = true;
	void *entry, *first = NULL;

	/* range entries only, all inside the window */
	mas_for_each(&mas, entry, we) {
		if (!xa_is_value(entry) || mas.index < ws || mas.last > we)
			return;
		if (!first)
			first = entry;
		one_info &= entry == first;
		/*
		 * Several info words: counting a crowded window at every
		 * insert costs a step per entry, so past a bound it stays
		 * ranges. One info word: a bitmap is due.
		 */
		if (++nr > KHO_RANGES_MIXED_SCAN && !one_info)
			return;
	}
	if (nr < 2)
		return;
	order = kho_ranges_info_order(xa_to_value(first));
	/* a bitmap for many of one info word, else a run list with room */
	if (!one_info || order > KHO_RANGES_LEAF_MAX_ORDER ||
	    nr < kho_ranges_runs_max(order)) {
		class = kho_ranges_runs_class(nr);
		if (!class)
			return;
	}
	leaf = kho_ranges_leaf_alloc(xa_to_value(first), class,
				     gfp | __GFP_NOWARN);
	if (!leaf)
		return;
	leaf->mixed = !one_info;
	mas_set(&mas, ws);
	mas_for_each(&mas, entry, we) {
		struct kho_ranges_run run = { mas.index - ws, mas.last - ws,
					      xa_to_value(entry) };

		if (class)
			kho_ranges_runs(leaf)[leaf->nr_runs++] = run;
		else
			kho_ranges_bits_assign(leaf->bits, run.first >> order,
					       kho_ranges_run_folios(&run), true);
		leaf->nr_folios += kho_ranges_run_folios(&run);
	}
	kho_ranges_hint_forget(kr);
	mas_set_range(&mas, ws, we);
	if (mas_store_gfp(&mas, leaf, gfp | __GFP_NOWARN)) {
		kho_ranges_leaf_free(leaf);
		return;
	}
	kr->nr_ranges -= nr;
	kho_ranges_leaf_account(kr, leaf, ws, 1);
}

/* can @leaf hold folios of @info: a run list, or a bitmap of @info? */
static bool kho_ranges_leaf_takes(const struct kho_ranges_leaf *leaf, u32 info)
{
	return leaf->class || leaf->info == info;
}

/*
 * kho_ranges_leaf_set(), and if the leaf is a run list too full to take
 * the range, turn it back into ranges: 1 then, for the caller to store the
 * range in the tree. A run list of one run of KHO_RANGES_FILL_FOLIOS
 * folios or more that the range continues, with its info word, is a
 * contiguous allocation being filled in address order, which the range
 * hint takes at no cost a folio: it is turned back into a range first, and
 * 1 returned as well (best effort: without memory the run list takes the
 * range). Shorter runs stay: buddy-allocated folios come in short
 * ascending stretches between isolated ones, which the run list keeps
 * without a store.
 */
static int kho_ranges_leaf_add(struct kho_ranges *kr,
			       struct kho_ranges_leaf *leaf, unsigned long ws,
			       unsigned long pfn, unsigned long last, u32 info,
			       gfp_t gfp)
{
	const struct kho_ranges_run *run = kho_ranges_runs(leaf);
	int ret;

	if (leaf->class && leaf->nr_runs == 1 && run->info == info &&
	    ws + run->last + 1 == pfn &&
	    kho_ranges_run_folios(run) >= KHO_RANGES_FILL_FOLIOS &&
	    !kho_ranges_dissolve(kr, ws, leaf, gfp | __GFP_NOWARN))
		return 1;
	ret = kho_ranges_leaf_set(kr, leaf, ws, pfn, last, info, gfp);

	if (ret != -E2BIG)
		return ret;
	ret = kho_ranges_dissolve(kr, ws, leaf, gfp);
	return ret ?: 1;
}

/* is any page of [@pfn, @last] preserved, counting the hint's tail? */
static bool kho_ranges_taken(struct kho_ranges *kr, unsigned long pfn,
			     unsigned long last)
{
	MA_STATE(mas, &kr->mt, pfn, pfn);
	void *entry;

	if (kho_ranges_tail(kr) && pfn <= kr->hint_end &&
	    last > kr->hint_stored)
		return true;
	mas_for_each(&mas, entry, last)
		if (!kho_ranges_is_leaf(entry) ||
		    kho_ranges_leaf_any(entry, mas.index, max(pfn, mas.index),
					min(last, mas.last)))
			return true;
	return false;
}

/*
 * A folio alone in an empty window, @mas on the free gap that holds it and
 * the whole window, touching no neighbour: make the window a run list of
 * one run at once. The next folio that lands in the window then costs no
 * tree store, and the window never goes through range entries to become a
 * leaf. Return 1 if the folio was not such a one or no leaf could be had,
 * for the caller to store a range.
 */
static int kho_ranges_leaf_first(struct kho_ranges *kr, struct ma_state *mas,
				 unsigned long pfn, unsigned long last, u32 info,
				 gfp_t gfp)
{
	unsigned long ws = kho_ranges_window(pfn);
	unsigned long we = ws + KHO_RANGES_WINDOW_PAGES - 1;
	struct kho_ranges_leaf *leaf;

	if (mas->index > ws || mas->last < we || last > we ||
	    (pfn == ws && last == we) || (pfn && mas->index == pfn) ||
	    (last != ULONG_MAX && mas->last == last))
		return 1;
	leaf = kho_ranges_leaf_alloc(info, 1, gfp | __GFP_NOWARN);
	if (!leaf)
		return 1;
	kho_ranges_runs(leaf)[0] = (struct kho_ranges_run){ pfn - ws, last - ws,
							    info };
	leaf->nr_runs = 1;
	leaf->nr_folios = (last - pfn + 1) >> kho_ranges_info_order(info);
	kho_ranges_hint_forget(kr);
	mas_set_range(mas, ws, we);
	if (mas_store_gfp(mas, leaf, gfp)) {
		kho_ranges_leaf_free(leaf);
		return -ENOMEM;
	}
	kho_ranges_leaf_account(kr, leaf, ws, 1);
	kr->nr_pages += last - pfn + 1;
	kr->hint_leaf = leaf;
	kr->hint_ws = ws;
	return 0;
}

/*
 * __kho_ranges_preserve() past its shortcuts: the folio goes in through the
 * tree. Kept out of line so that a folio that a shortcut takes costs no
 * maple state.
 */
static noinline int kho_ranges_preserve_tree(struct kho_ranges *kr,
					     unsigned long pfn,
					     unsigned long nr_pages, u32 info,
					     gfp_t gfp)
{
	MA_STATE(mas, &kr->mt, pfn, pfn);
	unsigned long last = pfn + nr_pages - 1, ws = kho_ranges_window(pfn);
	struct kho_ranges_leaf *leaf, *grown;
	unsigned int nr_leaves = 0;
	void *entry;
	int ret;

	/* one walk: a free gap that holds the range, or a leaf that takes it */
	entry = mas_walk(&mas);
	if (mas.last >= last) {
		if (!entry) {
			ret = kho_ranges_leaf_first(kr, &mas, pfn, last, info,
						    gfp);
			if (ret <= 0)
				return ret;
			ret = kho_ranges_insert_gap(kr, &mas, pfn, nr_pages,
						    info, gfp);
			if (ret < 0)
				return ret;
			kr->nr_pages += nr_pages;
			if (ret)
				kho_ranges_maybe_leaf(kr, ws, gfp);
			return 0;
		}
		if (kho_ranges_is_leaf(entry)) {
			kho_ranges_index_note(kr, mas.index, entry, gfp);
			if (kho_ranges_leaf_takes(entry, info)) {
				ret = kho_ranges_leaf_add(kr, entry, mas.index,
							  pfn, last, info, gfp);
				if (ret <= 0)
					return ret;
			}
		}
	}

	/* taken: a range, or a folio a leaf has */
	leaf = NULL;
	mas_set(&mas, pfn);
	mas_for_each(&mas, entry, last) {
		if (!kho_ranges_is_leaf(entry) ||
		    kho_ranges_leaf_any(entry, mas.index, max(pfn, mas.index),
					min(last, mas.last)))
			return -EEXIST;
		leaf = entry;
		ws = mas.index;
		nr_leaves++;
	}

	/*
	 * Inside one leaf: a run or bits to add, once a bitmap of another
	 * info word is a run list
	 */
	if (nr_leaves == 1 && pfn >= ws && last < ws + KHO_RANGES_WINDOW_PAGES) {
		/* best effort: if it cannot, the window becomes ranges */
		if (!kho_ranges_leaf_takes(leaf, info)) {
			grown = kho_ranges_leaf_grow(kr, leaf, ws, info, gfp);
			if (!IS_ERR(grown))
				leaf = grown;
		}
		if (kho_ranges_leaf_takes(leaf, info)) {
			ret = kho_ranges_leaf_add(kr, leaf, ws, pfn, last, info,
						  gfp);
			if (ret <= 0)
				return ret;
			nr_leaves = 0;
		}
	}
	if (nr_leaves) {
		ret = kho_ranges_dissolve_range(kr, pfn, last, gfp);
		if (ret)
			return ret;
	}

	ret = kho_ranges_insert(kr, pfn, nr_pages, info, gfp);
	if (ret < 0)
		return ret;
	kr->nr_pages += nr_pages;
	if (ret)
		kho_ranges_maybe_leaf(kr, kho_ranges_window(pfn), gfp);
	return 0;
}

static int __kho_ranges_preserve(struct kho_ranges *kr, unsigned long pfn,
				 unsigned long nr_pages, u32 info, gfp_t gfp)
{
	unsigned long last = pfn + nr_pages - 1, ws;
	struct kho_ranges_leaf *leaf;
	int ret;

	lockdep_assert_held(&kr->lock);

	if (kr->finalized)
		return -EBUSY;

	/* right after the range the last call stored: grow it */
	if (kho_ranges_extend_hint(kr, pfn, last, info))
		return 0;
	ret = kho_ranges_settle(kr, gfp);
	if (ret)
		return kho_ranges_taken(kr, pfn, last) ? -EEXIST : ret;

	/* the leaf the last call added to, or the index's, if it has the folio */
	leaf = kr->hint_leaf;
	ws = kr->hint_ws;
	if (!leaf || pfn < ws || pfn >= ws + KHO_RANGES_WINDOW_PAGES) {
		ws = kho_ranges_window(pfn);
		leaf = kho_ranges_index_find(kr, ws);
	}
	if (leaf && kho_ranges_leaf_takes(leaf, info) &&
	    last < ws + KHO_RANGES_WINDOW_PAGES) {
		ret = kho_ranges_leaf_add(kr, leaf, ws, pfn, last, info, gfp);
		if (ret <= 0)
			return ret;
	}

	return kho_ranges_preserve_tree(kr, pfn, nr_pages, info, gfp);
}

/**
 * kho_ranges_preserve() - preserve a physical range across kexec
 * @kr:       the tracker
 * @pfn:      first page frame
 * @nr_pages: number of pages, a multiple of the folio size in @info
 * @info:     info word, see KHO_RANGES_INFO()
 *
 * The range merges with preserved neighbours that carry the same @info.
 *
 * Context: Process context; takes the tracker lock and may sleep.
 * Return: 0 on success; -EINVAL for a misaligned range, an order above
 * %KHO_RANGES_MAX_ORDER or an undefined flag; -EEXIST if any page of the
 * range is already preserved; -EBUSY after kho_ranges_serialize();
 * -ENOMEM if the tree could not grow, in which case nothing changed.
 */
int kho_ranges_preserve(struct kho_ranges *kr, unsigned long pfn,
			unsigned long nr_pages, u32 info)
{
	int ret = kho_ranges_check(pfn, nr_pages, info);

	if (ret)
		return ret;

	mutex_lock(&kr->lock);
	ret = __kho_ranges_preserve(kr, pfn, nr_pages, info, GFP_KERNEL);
	mutex_unlock(&kr->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_ranges_preserve);

/*
 * Clear the folios of [@pfn, @last] in the leaves there, which all have
 * them; free emptied leaves. Run lists that a cut splits get their room
 * first, so that -ENOMEM leaves every leaf as it was; -E2BIG if one is the
 * largest run list of several info words (the caller turns it back into
 * ranges).
 */
static int kho_ranges_unpreserve_leaves(struct kho_ranges *kr,
					unsigned long pfn, unsigned long last,
					gfp_t gfp)
{
	MA_STATE(mas, &kr->mt, pfn, pfn);
	struct kho_ranges_leaf *leaf, *grown;
	unsigned long p, q, bit, end, nr;
	unsigned int i;

	mas_for_each(&mas, leaf, last) {
		unsigned long ws = mas.index;

		p = max(pfn, ws) - ws;
		q = min(last, mas.last) - ws;
		if (!leaf->class)
			continue;
		i = kho_ranges_runs_find(leaf, p);
		if (!kho_ranges_runs_full(leaf, i, p, q, 0, false))
			continue;
		grown = kho_ranges_leaf_grow(kr, leaf, ws,
					     kho_ranges_runs(leaf)[i].info, gfp);
		if (IS_ERR(grown))
			return PTR_ERR(grown);
		mas_set(&mas, ws + KHO_RANGES_WINDOW_PAGES);
	}

	mas_set(&mas, pfn);
	mas_for_each(&mas, leaf, last) {
		unsigned long ws = mas.index;

		p = max(pfn, ws) - ws;
		q = min(last, mas.last) - ws;
		if (leaf->class) {
			kr->leaf_runs -= leaf->nr_runs;
			nr = kho_ranges_runs_clear(leaf,
						   kho_ranges_runs_find(leaf, p),
						   p, q);
			kr->leaf_runs += leaf->nr_runs;
		} else {
			kho_ranges_leaf_span(leaf, ws, ws + p, ws + q, &bit,
					     &end);
			kho_ranges_bits_assign(leaf->bits, bit, end - bit, false);
			nr = end - bit;
		}
		leaf->nr_folios -= nr;
		kr->leaf_folios -= nr;
		if (leaf->nr_folios)
			continue;
		/* an empty leaf that cannot be dropped now stays, preserving nothing */
		mas_set_range(&mas, ws, ws + KHO_RANGES_WINDOW_PAGES - 1);
		if (!mas_store_gfp(&mas, NULL, gfp | __GFP_NOWARN)) {
			kho_ranges_leaf_account(kr, leaf, ws, -1);
			kho_ranges_leaf_free(leaf);
		}
		mas_set(&mas, ws + KHO_RANGES_WINDOW_PAGES);
	}
	return 0;
}

static int __kho_ranges_unpreserve(struct kho_ranges *kr, unsigned long pfn,
				   unsigned long nr_pages, gfp_t gfp)
{
	MA_STATE(mas, &kr->mt, pfn, pfn);
	unsigned long last = pfn + nr_pages - 1;
	unsigned long next = pfn, nr_leaves = 0, nr_ranges = 0;
	long delta = 0;
	void *entry;
	int ret;

	lockdep_assert_held(&kr->lock);

	if (kr->finalized)
		return -EBUSY;

	/*
	 * Every page must be preserved, and a cut may only fall on a folio
	 * boundary of the range or leaf it cuts. The hint range counts with
	 * its tail, which is stored only once the call is known to be good.
	 */
	if (kho_ranges_tail(kr) && pfn > kr->hint_stored && pfn <= kr->hint_end)
		mas_set(&mas, kr->hint_start);
	mas_for_each(&mas, entry, last) {
		unsigned long elast = kho_ranges_is_leaf(entry) ? mas.last :
				      kho_ranges_entry_last(kr, &mas);
		unsigned long from = max(pfn, mas.index);
		unsigned long to = min(last, elast);
		unsigned int order;

		if (mas.index > next)
			return -ENOENT;
		if (kho_ranges_is_leaf(entry)) {
			ret = kho_ranges_leaf_cut(entry, mas.index, from, to);
			if (ret)
				return ret;
			nr_leaves++;
		} else {
			order = kho_ranges_info_order(xa_to_value(entry));
			if (mas.index < pfn) {
				if (!IS_ALIGNED(pfn, 1UL << order))
					return -EINVAL;
				delta++;
			}
			if (elast > last) {
				if (!IS_ALIGNED(last + 1, 1UL << order))
					return -EINVAL;
				delta++;
			}
			delta--;
			nr_ranges++;
		}
		if (elast >= last) {
			next = last + 1;
			break;
		}
		next = elast + 1;
		/* past the tail the tree has a gap: go on after it */
		if (elast != mas.last)
			mas_set(&mas, next);
	}
	if (next != last + 1)
		return -ENOENT;
	ret = kho_ranges_settle(kr, gfp);
	if (ret)
		return ret;
	kho_ranges_hint_forget(kr);

	if (nr_leaves && nr_ranges) {
		/* both kinds: ranges only, then as any range */
		ret = kho_ranges_dissolve_range(kr, pfn, last, gfp);
		return ret ?: __kho_ranges_unpreserve(kr, pfn, nr_pages, gfp);
	}
	if (nr_leaves) {
		ret = kho_ranges_unpreserve_leaves(kr, pfn, last, gfp);
		if (ret == -E2BIG) {
			/* a run list that cannot split: as ranges */
			ret = kho_ranges_dissolve_range(kr, pfn, last, gfp);
			return ret ?: __kho_ranges_unpreserve(kr, pfn, nr_pages,
							      gfp);
		}
		if (ret)
			return ret;
		kr->nr_pages -= nr_pages;
		return 0;
	}

	mas_set_range(&mas, pfn, last);
	ret = mas_store_gfp(&mas, NULL, gfp);
	if (ret)
		return ret;

	kr->nr_ranges += delta;
	kr->nr_pages -= nr_pages;
	return 0;
}

/**
 * kho_ranges_unpreserve() - stop preserving a physical range
 * @kr:       the tracker
 * @pfn:      first page frame
 * @nr_pages: number of pages
 *
 * The range may span several preserved ranges and may cut one at either
 * end, splitting it, as long as the cut falls on a folio boundary.
 *
 * Context: Process context; takes the tracker lock and may sleep.
 * Return: 0 on success; -EINVAL for an empty range or a cut through a folio;
 * -ENOENT if any page of the range is not preserved; -EBUSY after
 * kho_ranges_serialize(); -ENOMEM if a split needed a tree node that could
 * not be allocated, in which case nothing changed.
 */
int kho_ranges_unpreserve(struct kho_ranges *kr, unsigned long pfn,
			  unsigned long nr_pages)
{
	int ret;

	if (!nr_pages || pfn + nr_pages < pfn || pfn + nr_pages == 0)
		return -EINVAL;

	mutex_lock(&kr->lock);
	ret = __kho_ranges_unpreserve(kr, pfn, nr_pages, GFP_KERNEL);
	mutex_unlock(&kr->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_ranges_unpreserve);

/**
 * kho_ranges_preserve_folio() - preserve a folio, keeping its order
 * @kr:    the tracker
 * @folio: the folio
 * @tag:   caller tag stored in the info word
 *
 * The next kernel gets it back with kho_ranges_restore_folio().
 *
 * Context: Process context; may sleep.
 * Return: see kho_ranges_preserve().
 */
int kho_ranges_preserve_folio(struct kho_ranges *kr, struct folio *folio,
			      u16 tag)
{
	unsigned int order = folio_order(folio);

	return kho_ranges_preserve(kr, folio_pfn(folio), 1UL << order,
				   KHO_RANGES_INFO(order, KHO_RANGES_INFO_FOLIO,
						   tag));
}
EXPORT_SYMBOL_GPL(kho_ranges_preserve_folio);

/**
 * kho_ranges_unpreserve_folio() - stop preserving a folio
 * @kr:    the tracker
 * @folio: the folio
 *
 * Context: Process context; may sleep.
 * Return: see kho_ranges_unpreserve().
 */
int kho_ranges_unpreserve_folio(struct kho_ranges *kr, struct folio *folio)
{
	return kho_ranges_unpreserve(kr, folio_pfn(folio),
				     1UL << folio_order(folio));
}
EXPORT_SYMBOL_GPL(kho_ranges_unpreserve_folio);

/**
 * kho_ranges_preserve_pages() - preserve a block from alloc_pages()
 * @kr:    the tracker
 * @page:  first page of the block
 * @order: order the block was allocated with
 * @tag:   caller tag stored in the info word
 *
 * The block is not a compound page; the next kernel gets it back with
 * kho_ranges_restore_pages() and the same @order.
 *
 * Context: Process context; may sleep.
 * Return: see kho_ranges_preserve().
 */
int kho_ranges_preserve_pages(struct kho_ranges *kr, struct page *page,
			      unsigned int order, u16 tag)
{
	if (order > KHO_RANGES_MAX_ORDER)
		return -EINVAL;
	return kho_ranges_preserve(kr, page_to_pfn(page), 1UL << order,
				   KHO_RANGES_INFO(order, 0, tag));
}
EXPORT_SYMBOL_GPL(kho_ranges_preserve_pages);

/**
 * kho_ranges_unpreserve_pages() - stop preserving a block from alloc_pages()
 * @kr:    the tracker
 * @page:  first page of the block
 * @order: order the block was preserved with
 *
 * Context: Process context; may sleep.
 * Return: see kho_ranges_unpreserve().
 */
int kho_ranges_unpreserve_pages(struct kho_ranges *kr, struct page *page,
				unsigned int order)
{
	if (order > KHO_RANGES_MAX_ORDER)
		return -EINVAL;
	return kho_ranges_unpreserve(kr, page_to_pfn(page), 1UL << order);
}
EXPORT_SYMBOL_GPL(kho_ranges_unpreserve_pages);

/* length of the run of physically consecutive pages at @pages[0] */
static unsigned int kho_ranges_run(struct page **pages, unsigned int nr)
{
	unsigned long pfn = page_to_pfn(pages[0]);
	unsigned int i;

	for (i = 1; i < nr; i++)
		if (page_to_pfn(pages[i]) != pfn + i)
			break;
	return i;
}

/**
 * kho_ranges_preserve_page_array() - preserve the pages of a vmalloc() area
 * @kr:       the tracker
 * @pages:    the area's order-0 pages, in virtual order
 * @nr_pages: number of entries in @pages
 * @tag:      caller tag stored in the info word
 *
 * Physically consecutive pages become one range, and the ranges coalesce
 * with each other and with neighbours as any other. All or nothing: on
 * failure no page of the array stays preserved.
 *
 * Context: Process context; may sleep.
 * Return: see kho_ranges_preserve().
 */
int kho_ranges_preserve_page_array(struct kho_ranges *kr, struct page **pages,
				   unsigned int nr_pages, u16 tag)
{
	u32 info = KHO_RANGES_INFO(0, 0, tag);
	unsigned int done = 0, run;
	int ret = 0;

	if (!nr_pages)
		return -EINVAL;

	mutex_lock(&kr->lock);
	while (done < nr_pages) {
		run = kho_ranges_run(pages + done, nr_pages - done);
		ret = __kho_ranges_preserve(kr, page_to_pfn(pages[done]), run,
					    info, GFP_KERNEL);
		if (ret)
			break;
		done += run;
	}
	/* Undo in reverse order; splitting back may need nodes: must not fail */
	while (ret && done) {
		unsigned int first = 0;

		while (first + (run = kho_ranges_run(pages + first,
						     done - first)) < done)
			first += run;
		WARN_ON(__kho_ranges_unpreserve(kr, page_to_pfn(pages[first]),
						run,
						GFP_KERNEL | __GFP_NOFAIL));
		done = first;
	}
	mutex_unlock(&kr->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_ranges_preserve_page_array);

/**
 * kho_ranges_unpreserve_page_array() - stop preserving a vmalloc() area
 * @kr:       the tracker
 * @pages:    the pages given to kho_ranges_preserve_page_array()
 * @nr_pages: number of entries in @pages
 *
 * Context: Process context; may sleep.
 * Return: see kho_ranges_unpreserve(). On failure the pages before the
 * failing run are no longer preserved and the others still are.
 */
int kho_ranges_unpreserve_page_array(struct kho_ranges *kr,
				     struct page **pages,
				     unsigned int nr_pages)
{
	unsigned int done = 0, run;
	int ret = 0;

	mutex_lock(&kr->lock);
	while (done < nr_pages) {
		run = kho_ranges_run(pages + done, nr_pages - done);
		ret = __kho_ranges_unpreserve(kr, page_to_pfn(pages[done]), run,
					      GFP_KERNEL);
		if (ret)
			break;
		done += run;
	}
	mutex_unlock(&kr->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_ranges_unpreserve_page_array);

/*
 * The preserved memory as maximal runs of one info word, in address order,
 * whatever holds it: range entries, and runs of set bits of leaves, joined
 * where they touch.
 */
struct kho_ranges_iter {
	const struct kho_ranges *kr;
	struct ma_state mas;
	const struct kho_ranges_leaf *leaf;	/* leaf being scanned, at @ws */
	unsigned long ws, bit;
	/* the run found next, held back in case the one after extends it */
	bool have;
	unsigned long next_pfn, next_nr;
	u32 next_info;
	/* the run returned */
	unsigned long pfn, nr_pages;
	u32 info;
};

static void kho_ranges_iter_start(struct kho_ranges_iter *it,
				  struct kho_ranges *kr)
{
	MA_STATE(mas, &kr->mt, 0, 0);

	memset(it, 0, sizeof(*it));
	it->kr = kr;
	it->mas = mas;
}

/* the next piece, not joined: a range entry or a run of a leaf's bits */
static bool kho_ranges_iter_piece(struct kho_ranges_iter *it,
				  unsigned long *pfn, unsigned long *nr,
				  u32 *info)
{
	void *entry;

	for (;;) {
		if (it->leaf) {
			unsigned long first, last;

			if (kho_ranges_leaf_next_run(it->leaf, it->bit, &first,
						     &last, info)) {
				it->bit = last + 1;
				*pfn = it->ws + first;
				*nr = last - first + 1;
				return true;
			}
			it->leaf = NULL;
		}
		entry = mas_find(&it->mas, ULONG_MAX);
		if (!entry)
			return false;
		if (kho_ranges_is_leaf(entry)) {
			it->leaf = entry;
			it->ws = it->mas.index;
			it->bit = 0;
			continue;
		}
		*pfn = it->mas.index;
		*nr = kho_ranges_entry_last(it->kr, &it->mas) - it->mas.index + 1;
		*info = xa_to_value(entry);
		return true;
	}
}

static bool kho_ranges_iter_next(struct kho_ranges_iter *it)
{
	unsigned long pfn, nr;
	u32 info;

	if (!it->have && !kho_ranges_iter_piece(it, &it->next_pfn,
						&it->next_nr, &it->next_info))
		return false;
	it->pfn = it->next_pfn;
	it->nr_pages = it->next_nr;
	it->info = it->next_info;
	it->have = false;
	while (kho_ranges_iter_piece(it, &pfn, &nr, &info)) {
		if (pfn != it->pfn + it->nr_pages || info != it->info) {
			it->have = true;
			it->next_pfn = pfn;
			it->next_nr = nr;
			it->next_info = info;
			break;
		}
		it->nr_pages += nr;
	}
	return true;
}

/**
 * kho_ranges_walk() - call @fn for every preserved range, in address order
 * @kr:   the tracker
 * @fn:   callback; a non-zero return stops the walk
 * @priv: passed to @fn
 *
 * Context: Process context; @fn runs under the tracker lock and must not
 * call back into the tracker.
 * Return: 0, or what @fn returned to stop the walk.
 */
int kho_ranges_walk(struct kho_ranges *kr, kho_ranges_walk_fn fn, void *priv)
{
	struct kho_ranges_iter it;
	int ret = 0;

	mutex_lock(&kr->lock);
	kho_ranges_iter_start(&it, kr);
	while (!ret && kho_ranges_iter_next(&it))
		ret = fn(priv, it.pfn, it.nr_pages, it.info);
	mutex_unlock(&kr->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_ranges_walk);

/**
 * kho_ranges_find_overlap() - find a preserved range overlapping a region
 * @kr:    the tracker
 * @start: first byte of the region
 * @end:   last byte of the region
 * @first: if not NULL, set to the first byte of the lowest overlapping range
 * @last:  if not NULL, set to the last byte of that range
 *
 * For code that places memory the tracker must not lose, such as kexec
 * segments, which are copied over their destination at kexec time.
 *
 * Context: Process context; takes the tracker lock.
 * Return: true if any preserved page overlaps [@start, @end].
 */
bool kho_ranges_find_overlap(struct kho_ranges *kr, phys_addr_t start,
			     phys_addr_t end, phys_addr_t *first,
			     phys_addr_t *last)
{
	MA_STATE(mas, &kr->mt, PHYS_PFN(start), PHYS_PFN(start));
	unsigned long lo = 0, hi = 0;
	bool found = false;
	void *entry;

	if (end < start)
		return false;
	mutex_lock(&kr->lock);
	/* the hint's tail is in a gap of the tree, past its stored part */
	if (kho_ranges_tail(kr) && PHYS_PFN(start) > kr->hint_stored &&
	    PHYS_PFN(start) <= kr->hint_end) {
		lo = kr->hint_start;
		hi = kr->hint_end;
		found = true;
	}
	mas_for_each(&mas, entry, PHYS_PFN(end)) {
		const struct kho_ranges_leaf *leaf = entry;
		unsigned long rf, rl;
		u32 ri;

		if (found)
			break;
		if (!kho_ranges_is_leaf(entry)) {
			lo = mas.index;
			hi = kho_ranges_entry_last(kr, &mas);
			found = true;
			break;
		}
		/* the run that holds the lowest preserved page */
		if (!kho_ranges_leaf_next_run(leaf,
					      max(PHYS_PFN(start), mas.index) -
					      mas.index, &rf, &rl, &ri) ||
		    mas.index + rf > min(PHYS_PFN(end), mas.last))
			continue;
		lo = mas.index + rf;
		hi = mas.index + rl;
		found = true;
		break;
	}
	if (found) {
		if (first)
			*first = PFN_PHYS(lo);
		if (last)
			*last = PFN_PHYS(hi + 1) - 1;
	}
	mutex_unlock(&kr->lock);
	return found;
}
EXPORT_SYMBOL_GPL(kho_ranges_find_overlap);

/**
 * kho_ranges_blob_size() - bytes of a blob with @nr_records range records
 * @nr_records: number of records
 *
 * Return: the size, or SIZE_MAX if it does not fit in a size_t.
 */
size_t kho_ranges_blob_size(unsigned long nr_records)
{
	size_t payload;

	if (check_mul_overflow((size_t)nr_records,
			       sizeof(struct kho_ranges_blob_range), &payload) ||
	    payload > SIZE_MAX - sizeof(struct kho_ranges_blob_hdr))
		return SIZE_MAX;
	return sizeof(struct kho_ranges_blob_hdr) + payload;
}
EXPORT_SYMBOL_GPL(kho_ranges_blob_size);

/*
 * Bytes of a blob: its header, the range records, the bitmap records and
 * their words. SIZE_MAX if that does not fit in a size_t.
 */
static size_t kho_ranges_layout_size(size_t hdr_size, unsigned long nr_ranges,
				     unsigned long nr_bitmaps,
				     unsigned long nr_words)
{
	size_t size = hdr_size, part;

	if (check_mul_overflow((size_t)nr_ranges,
			       sizeof(struct kho_ranges_blob_range), &part) ||
	    check_add_overflow(size, part, &size) ||
	    check_mul_overflow((size_t)nr_bitmaps,
			       sizeof(struct kho_ranges_blob_bitmap), &part) ||
	    check_add_overflow(size, part, &size) ||
	    check_mul_overflow((size_t)nr_words, sizeof(u64), &part) ||
	    check_add_overflow(size, part, &size))
		return SIZE_MAX;
	return size;
}

/*
 * The blob must be physically contiguous: the next kernel reads it before it
 * has page tables for anything but what the boot protocol maps. Up to
 * MAX_PAGE_ORDER it comes from the buddy allocator, beyond that from
 * alloc_contig_pages(), which needs CONFIG_CONTIG_ALLOC.
 */
static struct page *kho_ranges_alloc_blob(size_t size)
{
	unsigned int order = get_order(size);

	if (order <= MAX_PAGE_ORDER)
		return alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
#ifdef CONFIG_CONTIG_ALLOC
	return alloc_contig_pages(PAGE_ALIGN(size) >> PAGE_SHIFT,
				  GFP_KERNEL | __GFP_NOWARN, first_online_node,
				  NULL);
#else
	pr_err("blob of %zu bytes exceeds MAX_PAGE_ORDER and CONFIG_CONTIG_ALLOC is off\n",
	       size);
	return NULL;
#endif
}

static void kho_ranges_free_blob(struct page *page, size_t size)
{
	unsigned int order = get_order(size);

	if (order <= MAX_PAGE_ORDER)
		__free_pages(page, order);
#ifdef CONFIG_CONTIG_ALLOC
	else
		free_contig_range(page_to_pfn(page),
				  PAGE_ALIGN(size) >> PAGE_SHIFT);
#endif
}

/*
 * The serializer's output. One walk of the tree writes each range entry as
 * range records and each leaf as bits of a bitmap record; leaves of one info
 * word in consecutive windows share a record. Range records go where they
 * belong; bitmap records and their words go to a staging place after room
 * for the most range records there can be, and move down behind the range
 * records once their number is known.
 */
/*
 * A bitmap whose runs take no more bytes as range records than its words
 * is written as range records: at most 32 runs, for order 0.
 */
static unsigned long kho_ranges_leaf_runs_max(const struct kho_ranges_leaf *leaf)
{
	return kho_ranges_leaf_nbits(leaf->info) / 8 /
	       sizeof(struct kho_ranges_blob_range);
}

struct kho_ranges_out {
	u8 *blob;
	struct kho_ranges_blob_range *ranges;
	struct kho_ranges_blob_bitmap *bitmaps;
	u8 *words;
	unsigned long nr_ranges, nr_bitmaps, nr_words;
	unsigned long bm_end;		/* first pfn after the open record */
	unsigned long range_end;	/* first pfn after the last range record */
	u32 range_info;			/* and its info word */
};

static inline void kho_ranges_out_range(struct kho_ranges_out *o,
					unsigned long pfn,
					unsigned long nr_pages, u32 info)
{
	unsigned long chunk = kho_ranges_record_max(kho_ranges_info_order(info));
	struct kho_ranges_blob_range *rec;
	unsigned long n;

	/* a leaf's run that goes on from the record before: one record */
	if (o->nr_ranges && pfn == o->range_end && info == o->range_info) {
		rec = &o->ranges[o->nr_ranges - 1];
		n = min(nr_pages, chunk - le32_to_cpu(rec->nr_pages));
		rec->nr_pages = cpu_to_le32(le32_to_cpu(rec->nr_pages) + n);
		pfn += n;
		nr_pages -= n;
	}
	while (nr_pages) {
		rec = &o->ranges[o->nr_ranges++];
		n = min(nr_pages, chunk);
		rec->start = cpu_to_le64(PFN_PHYS(pfn));
		rec->nr_pages = cpu_to_le32(n);
		rec->info = cpu_to_le32(info);
		pfn += n;
		nr_pages -= n;
	}
	o->range_end = pfn;
	o->range_info = info;
}

static void kho_ranges_out_leaf(struct kho_ranges_out *o, unsigned long ws,
				const struct kho_ranges_leaf *leaf)
{
	unsigned long nbits = kho_ranges_leaf_nbits(leaf->info), i;
	__le64 *w = (__le64 *)o->words + o->nr_words;
	struct kho_ranges_blob_bitmap *bm = NULL;

	if (o->nr_bitmaps && o->bm_end == ws)
		bm = &o->bitmaps[o->nr_bitmaps - 1];
	if (!bm || le32_to_cpu(bm->info) != leaf->info ||
	    le32_to_cpu(bm->nr_bits) + nbits > KHO_RANGES_BITMAP_MAX_BITS) {
		bm = &o->bitmaps[o->nr_bitmaps++];
		bm->start = cpu_to_le64(PFN_PHYS(ws));
		bm->info = cpu_to_le32(leaf->info);
		bm->nr_bits = 0;
		bm->words = cpu_to_le64((u8 *)w - o->blob);
	}
	bm->nr_bits = cpu_to_le32(le32_to_cpu(bm->nr_bits) + nbits);
	for (i = 0; i < nbits / 64; i++) {
		u64 v = leaf->bits[i * 64 / BITS_PER_LONG];

		if (BITS_PER_LONG == 32)
			v |= (u64)leaf->bits[i * 2 + 1] << 32;
		w[i] = cpu_to_le64(v);
	}
	o->nr_words += nbits / 64;
	o->bm_end = ws + KHO_RANGES_WINDOW_PAGES;
}

/*
 * A leaf goes out as a bitmap, unless its runs take fewer bytes as range
 * records: a leaf may have lost most of its folios since it was made. The
 * runs are found a word at a time, one __ffs() per edge.
 */
static void kho_ranges_out_window(struct kho_ranges_out *o, unsigned long ws,
				  const struct kho_ranges_leaf *leaf)
{
	unsigned long nwords = BITS_TO_LONGS(kho_ranges_leaf_nbits(leaf->info));
	unsigned int order = kho_ranges_info_order(leaf->info);
	unsigned long max = kho_ranges_leaf_runs_max(leaf);
	unsigned long i, start = 0, edge;
	bool open = false;

	if (leaf->class) {
		const struct kho_ranges_run *run = kho_ranges_runs(leaf);
		const struct kho_ranges_run *end = run + leaf->nr_runs;
		struct kho_ranges_blob_range *rec;

		if (run == end)
			return;
		/* the first run may go on from the record before */
		kho_ranges_out_range(o, ws + run->first,
				     run->last - run->first + 1, run->info);
		/*
		 * The others are a record each: runs of one info word never
		 * touch, and none is longer than a record takes.
		 */
		rec = &o->ranges[o->nr_ranges];
		for (run++; run < end; run++, rec++) {
			rec->start = cpu_to_le64(PFN_PHYS(ws + run->first));
			rec->nr_pages = cpu_to_le32(run->last - run->first + 1);
			rec->info = cpu_to_le32(run->info);
		}
		o->nr_ranges = rec - o->ranges;
		o->range_end = ws + end[-1].last + 1;
		o->range_info = end[-1].info;
		return;
	}
	if (kho_ranges_leaf_runs(leaf, max) > max) {
		kho_ranges_out_leaf(o, ws, leaf);
		return;
	}
	for (i = 0; i < nwords; i++) {
		unsigned long w = leaf->bits[i], from = 0, x;

		/* a word wholly out of a run, or wholly in one, has no edge */
		if (w == (open ? ~0UL : 0))
			continue;
		/* the next edge at or above @from: a clear bit in a run, a set one out of it */
		while ((x = (open ? ~w : w) & (~0UL << from))) {
			from = __ffs(x);
			edge = i * BITS_PER_LONG + from;
			if (open)
				kho_ranges_out_range(o, ws + (start << order),
						     (edge - start) << order,
						     leaf->info);
			else
				start = edge;
			open = !open;
		}
	}
	if (open)
		kho_ranges_out_range(o, ws + (start << order),
				     (nwords * BITS_PER_LONG - start) << order,
				     leaf->info);
}

static void kho_ranges_out_walk(struct kho_ranges *kr, struct kho_ranges_out *o)
{
	MA_STATE(mas, &kr->mt, 0, 0);
	void *entry;

	lockdep_assert_held(&kr->lock);
	mas_for_each(&mas, entry, ULONG_MAX) {
		if (!kho_ranges_is_leaf(entry))
			kho_ranges_out_range(o, mas.index,
					     mas.last - mas.index + 1,
					     xa_to_value(entry));
		else
			kho_ranges_out_window(o, mas.index, entry);
	}
}

/* move the bitmap records and words down behind the range records */
static size_t kho_ranges_out_pack(struct kho_ranges_out *o, size_t hdr_size)
{
	u8 *bitmaps = o->blob + hdr_size + o->nr_ranges * sizeof(*o->ranges);
	u8 *words = bitmaps + o->nr_bitmaps * sizeof(*o->bitmaps);
	unsigned long i;

	memmove(bitmaps, o->bitmaps, o->nr_bitmaps * sizeof(*o->bitmaps));
	memmove(words, o->words, o->nr_words * sizeof(u64));
	for (i = 0; i < o->nr_bitmaps; i++) {
		struct kho_ranges_blob_bitmap *bm = (void *)bitmaps;

		bm[i].words = cpu_to_le64(le64_to_cpu(bm[i].words) -
					  (o->words - words));
	}
	return words + o->nr_words * sizeof(u64) - o->blob;
}

/* the most range records the tracker's entries and leaves make */
static unsigned long kho_ranges_max_records(const struct kho_ranges *kr)
{
	return kr->nr_ranges + (kr->nr_pages >> 31) + kr->leaf_runs +
	       kr->leaf_words / 2;
}

static int kho_ranges_build_fdt(struct kho_ranges *kr, void *fdt,
				size_t fdt_size)
{
	int err;

	err = fdt_create(fdt, fdt_size);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_string(fdt, "compatible",
					 kr->blob_major == KHO_RANGES_VERSION_MAJOR_V2 ?
					 KHO_RANGES_FDT_COMPATIBLE_V2 :
					 KHO_RANGES_FDT_COMPATIBLE);
	err = err ?: fdt_property_u64(fdt, KHO_RANGES_FDT_PROP_BLOB,
				      kr->blob_phys);
	err = err ?: fdt_property_u64(fdt, KHO_RANGES_FDT_PROP_BLOB_SIZE,
				      kr->blob_size);
	err = err ?: fdt_property_u64(fdt, KHO_RANGES_FDT_PROP_SPARE,
				      kr->spare_phys);
	err = err ?: fdt_property_u64(fdt, KHO_RANGES_FDT_PROP_SPARE_SIZE,
				      kr->spare_size);
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_finish(fdt);
	if (err) {
		pr_err("cannot build the root FDT: %s\n", fdt_strerror(err));
		return -ENOSPC;
	}
	return 0;
}

/**
 * kho_ranges_serialize() - write the handover blob and its root FDT
 * @kr: the tracker
 *
 * Allocates one physically contiguous blob and one page for the root FDT,
 * preserves both, and writes every range as a record sorted by address.
 * After the records the blob allocation holds spare room for the next
 * kernel's memblock.reserved, so that reserving the records never makes
 * memblock allocate on memory that is still to be reserved. On
 * success the tracker is frozen: @kr->fdt_phys and @kr->fdt_size are what
 * the boot protocol hands to the next kernel. On failure nothing changed and
 * the call may be retried.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EBUSY if already serialized; -ENOMEM if the blob,
 * the FDT page or a tree node could not be allocated; -E2BIG if the blob
 * would not fit in a size_t.
 */
int kho_ranges_serialize(struct kho_ranges *kr)
{
	unsigned long max_ranges, max_extents;
	struct kho_ranges_blob_hdr_v2 *hdr;
	struct kho_ranges_out out;
	struct page *blob, *fdt;
	size_t size, spare, alloc, hdr_size;
	u64 sum;
	int ret;

	mutex_lock(&kr->lock);
	if (kr->finalized) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = kho_ranges_settle(kr, GFP_KERNEL);
	if (ret)
		goto out_unlock;

retry:
	/*
	 * The most records there can be: a range entry is one record, plus
	 * one for each U32_MAX pages of a long one; a run of a run list one;
	 * a sparse bitmap up to half its words (kho_ranges_leaf_runs_max());
	 * two more for the blob and the FDT, preserved below. Should
	 * preserving those turn a leaf back into ranges, the sizes are taken
	 * again.
	 */
	max_ranges = kho_ranges_max_records(kr) + 2;
	hdr_size = kr->nr_bitmap_leaves ? sizeof(*hdr) : sizeof(hdr->v1);
	size = kho_ranges_layout_size(hdr_size, max_ranges,
				      kr->nr_bitmap_leaves, kr->leaf_words);
	if (size == SIZE_MAX) {
		ret = -E2BIG;
		goto out_unlock;
	}
	/*
	 * memblock.reserved gets a region per run of preserved pages at most:
	 * one per range record, and one per run of set bits, which is at most
	 * one per folio of a leaf.
	 */
	max_extents = max_ranges +
		      min(kr->leaf_folios, kr->leaf_words * 32 +
			  kr->nr_bitmap_leaves);
	spare = PAGE_ALIGN((max_extents + KHO_RANGES_SPARE_EXTRA_RECORDS) *
			   KHO_RANGES_SPARE_PER_RECORD);
	alloc = PAGE_ALIGN(size) + spare;

	ret = -ENOMEM;
	blob = kho_ranges_alloc_blob(alloc);
	if (!blob)
		goto out_unlock;
	/* not zeroed: fdt_create() clears the whole buffer it is given */
	fdt = alloc_page(GFP_KERNEL);
	if (!fdt)
		goto out_free_blob;

	ret = __kho_ranges_preserve(kr, page_to_pfn(blob), alloc >> PAGE_SHIFT,
				    KHO_RANGES_INFO(0, KHO_RANGES_INFO_HANDOVER, 0),
				    GFP_KERNEL);
	if (ret)
		goto out_free_fdt;
	ret = __kho_ranges_preserve(kr, page_to_pfn(fdt), 1,
				    KHO_RANGES_INFO(0, KHO_RANGES_INFO_HANDOVER, 0),
				    GFP_KERNEL);
	if (ret)
		goto out_unpreserve_blob;
	/* the FDT page may have grown the blob's range in the hint only */
	ret = kho_ranges_settle(kr, GFP_KERNEL);
	if (ret)
		goto out_unpreserve_fdt;
	if (kho_ranges_max_records(kr) > max_ranges) {
		/* the handover landed in a leaf window: size again */
		WARN_ON(__kho_ranges_unpreserve(kr, page_to_pfn(fdt), 1,
						GFP_KERNEL | __GFP_NOFAIL));
		WARN_ON(__kho_ranges_unpreserve(kr, page_to_pfn(blob),
						alloc >> PAGE_SHIFT,
						GFP_KERNEL | __GFP_NOFAIL));
		__free_page(fdt);
		kho_ranges_free_blob(blob, alloc);
		goto retry;
	}

	hdr = page_address(blob);
	out = (struct kho_ranges_out){ .blob = (u8 *)hdr };
	out.ranges = (void *)(out.blob + hdr_size);
	out.bitmaps = (void *)(out.ranges + max_ranges);
	out.words = (u8 *)(out.bitmaps + kr->nr_bitmap_leaves);
	kho_ranges_out_walk(kr, &out);
	if (!out.nr_bitmaps && hdr_size != sizeof(hdr->v1)) {
		/* only emptied leaves: a 1.0 blob after all */
		memmove(out.blob + sizeof(hdr->v1), out.ranges,
			out.nr_ranges * sizeof(*out.ranges));
		hdr_size = sizeof(hdr->v1);
	}
	size = kho_ranges_out_pack(&out, hdr_size);

	memset(hdr, 0, hdr_size);
	hdr->v1.magic = cpu_to_le32(KHO_RANGES_MAGIC);
	if (out.nr_bitmaps) {
		hdr->v1.major = cpu_to_le16(KHO_RANGES_VERSION_MAJOR_V2);
		hdr->v1.minor = cpu_to_le16(KHO_RANGES_VERSION_MINOR_V2);
		hdr->nr_bitmaps = cpu_to_le64(out.nr_bitmaps);
		hdr->bitmap_size = cpu_to_le32(sizeof(struct kho_ranges_blob_bitmap));
	} else {
		hdr->v1.major = cpu_to_le16(KHO_RANGES_VERSION_MAJOR);
		hdr->v1.minor = cpu_to_le16(KHO_RANGES_VERSION_MINOR);
	}
	hdr->v1.hdr_size = cpu_to_le32(hdr_size);
	hdr->v1.range_size = cpu_to_le32(sizeof(struct kho_ranges_blob_range));
	hdr->v1.page_shift = cpu_to_le32(PAGE_SHIFT);
	hdr->v1.nr_ranges = cpu_to_le64(out.nr_ranges);
	hdr->v1.payload_size = cpu_to_le64(size - hdr_size);
	if (!kr->crc32_blob)
		hdr->v1.flags = cpu_to_le32(KHO_RANGES_BLOB_XXH64);
	sum = kho_ranges_blob_checksum(hdr, size, le32_to_cpu(hdr->v1.flags));
	hdr->v1.crc = cpu_to_le32((u32)sum);
	hdr->v1.reserved = cpu_to_le32((u32)(sum >> 32));

	kr->blob_phys = page_to_phys(blob);
	kr->blob_size = size;
	kr->blob_major = le16_to_cpu(hdr->v1.major);
	kr->blob_alloc = alloc;
	kr->spare_phys = kr->blob_phys + alloc - spare;
	kr->spare_size = spare;
	ret = kho_ranges_build_fdt(kr, page_address(fdt), PAGE_SIZE);
	if (ret)
		goto out_unpreserve_fdt;

	kr->fdt_phys = page_to_phys(fdt);
	kr->fdt_size = PAGE_SIZE;
	kr->finalized = true;
	mutex_unlock(&kr->lock);
	return 0;

out_unpreserve_fdt:
	kr->blob_phys = 0;
	kr->blob_size = 0;
	kr->blob_major = 0;
	kr->blob_alloc = 0;
	kr->spare_phys = 0;
	kr->spare_size = 0;
	WARN_ON(__kho_ranges_unpreserve(kr, page_to_pfn(fdt), 1,
					GFP_KERNEL | __GFP_NOFAIL));
out_unpreserve_blob:
	WARN_ON(__kho_ranges_unpreserve(kr, page_to_pfn(blob),
					alloc >> PAGE_SHIFT,
					GFP_KERNEL | __GFP_NOFAIL));
out_free_fdt:
	__free_page(fdt);
out_free_blob:
	kho_ranges_free_blob(blob, alloc);
out_unlock:
	mutex_unlock(&kr->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_ranges_serialize);

/**
 * kho_ranges_abort() - drop the serialized blob and unfreeze the tracker
 * @kr: the tracker
 *
 * For a kexec that will not happen after all. Does nothing if the tracker
 * was not serialized.
 *
 * Context: Process context; may sleep.
 */
void kho_ranges_abort(struct kho_ranges *kr)
{
	mutex_lock(&kr->lock);
	if (kr->finalized) {
		kr->finalized = false;
		WARN_ON(__kho_ranges_unpreserve(kr, PHYS_PFN(kr->fdt_phys), 1,
						GFP_KERNEL | __GFP_NOFAIL));
		WARN_ON(__kho_ranges_unpreserve(kr, PHYS_PFN(kr->blob_phys),
						kr->blob_alloc >> PAGE_SHIFT,
						GFP_KERNEL | __GFP_NOFAIL));
		__free_page(pfn_to_page(PHYS_PFN(kr->fdt_phys)));
		kho_ranges_free_blob(pfn_to_page(PHYS_PFN(kr->blob_phys)),
				     kr->blob_alloc);
		kr->blob_phys = 0;
		kr->blob_size = 0;
		kr->blob_major = 0;
		kr->blob_alloc = 0;
		kr->spare_phys = 0;
		kr->spare_size = 0;
		kr->fdt_phys = 0;
		kr->fdt_size = 0;
	}
	mutex_unlock(&kr->lock);
}
EXPORT_SYMBOL_GPL(kho_ranges_abort);

/**
 * kho_ranges_destroy() - free everything the tracker holds
 * @kr: the tracker
 *
 * Drops a serialized blob as kho_ranges_abort() does, then frees the tree.
 * The memory that was preserved is not touched.
 *
 * Context: Process context; may sleep.
 */
void kho_ranges_destroy(struct kho_ranges *kr)
{
	MA_STATE(mas, &kr->mt, 0, 0);
	void *entry;

	kho_ranges_abort(kr);
	mutex_lock(&kr->lock);
	mas_for_each(&mas, entry, ULONG_MAX)
		if (kho_ranges_is_leaf(entry))
			kho_ranges_leaf_free(entry);
	__mt_destroy(&kr->mt);
	kfree(kr->leaf_index);
	kr->leaf_index = NULL;
	kr->leaf_index_bits = 0;
	kr->leaf_index_misses = 0;
	kr->hint_leaf = NULL;
	kr->hint_limit = 0;
	kr->nr_ranges = 0;
	kr->nr_pages = 0;
	kr->nr_leaves = 0;
	kr->leaf_bytes = 0;
	kr->leaf_words = 0;
	kr->leaf_runs = 0;
	kr->nr_bitmap_leaves = 0;
	kr->leaf_folios = 0;
	mutex_unlock(&kr->lock);
}
EXPORT_SYMBOL_GPL(kho_ranges_destroy);

// SPDX-License-Identifier: GPL-2.0
/*
 * kho_ranges: track memory preserved across kexec as coalesced ranges and
 * serialize it into one physically contiguous, sorted array.
 */

#define pr_fmt(fmt) "kho_ranges: " fmt

#include <linux/build_bug.h>
#include <linux/crc32.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kho_ranges.h>
#include <linux/libfdt.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/printk.h>
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

static int __kho_ranges_preserve(struct kho_ranges *kr, unsigned long pfn,
				 unsigned long nr_pages, u32 info, gfp_t gfp)
{
	MA_STATE(mas, &kr->mt, pfn, pfn);
	unsigned long last = pfn + nr_pages - 1;
	unsigned long start = pfn, end = last;
	void *new = xa_mk_value(info);
	int merged = 0;
	void *entry;
	int ret;

	lockdep_assert_held(&kr->lock);

	if (kr->finalized)
		return -EBUSY;

	mas_set(&mas, pfn);
	if (mas_find(&mas, last))
		return -EEXIST;

	if (pfn) {
		mas_set(&mas, pfn - 1);
		entry = mas_walk(&mas);
		if (entry == new) {
			start = mas.index;
			merged++;
		}
	}
	mas_set(&mas, last + 1);
	entry = mas_walk(&mas);
	if (entry == new) {
		end = mas.last;
		merged++;
	}

	mas_set_range(&mas, start, end);
	ret = mas_store_gfp(&mas, new, gfp);
	if (ret)
		return ret;

	kr->nr_ranges = kr->nr_ranges + 1 - merged;
	kr->nr_pages += nr_pages;
	return 0;
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

static int __kho_ranges_unpreserve(struct kho_ranges *kr, unsigned long pfn,
				   unsigned long nr_pages, gfp_t gfp)
{
	MA_STATE(mas, &kr->mt, pfn, pfn);
	unsigned long last = pfn + nr_pages - 1;
	unsigned long next = pfn;
	long delta = 0;
	void *entry;
	int ret;

	lockdep_assert_held(&kr->lock);

	if (kr->finalized)
		return -EBUSY;

	/*
	 * Every page must be preserved, and a cut may only fall on a folio
	 * boundary of the range it cuts.
	 */
	mas_for_each(&mas, entry, last) {
		unsigned int order = kho_ranges_info_order(xa_to_value(entry));

		if (mas.index > next)
			return -ENOENT;
		if (mas.index < pfn) {
			if (!IS_ALIGNED(pfn, 1UL << order))
				return -EINVAL;
			delta++;
		}
		if (mas.last > last) {
			if (!IS_ALIGNED(last + 1, 1UL << order))
				return -EINVAL;
			delta++;
		}
		delta--;
		if (mas.last >= last) {
			next = last + 1;
			break;
		}
		next = mas.last + 1;
	}
	if (next != last + 1)
		return -ENOENT;

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
	MA_STATE(mas, &kr->mt, 0, 0);
	void *entry;
	int ret = 0;

	mutex_lock(&kr->lock);
	mas_for_each(&mas, entry, ULONG_MAX) {
		ret = fn(priv, mas.index, mas.last - mas.index + 1,
			 xa_to_value(entry));
		if (ret)
			break;
	}
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
	void *entry;

	if (end < start)
		return false;
	mutex_lock(&kr->lock);
	entry = mas_find(&mas, PHYS_PFN(end));
	if (entry) {
		if (first)
			*first = PFN_PHYS(mas.index);
		if (last)
			*last = PFN_PHYS(mas.last + 1) - 1;
	}
	mutex_unlock(&kr->lock);
	return entry;
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
 * The serializer's plan. Preserved memory is cut into aligned windows of
 * KHO_RANGES_WINDOW_PAGES pages; a window whose ranges all carry one info
 * word of a small order, and that no range enters or leaves, may be written
 * as bits of a bitmap record instead of one range record per range, and is
 * when that takes fewer bytes. Consecutive bitmap windows of one info word
 * share a record. The same walk runs twice: once to count (@hdr NULL), once
 * to write, and decides the same way both times.
 *
 * Handover ranges (the blob and the root FDT, preserved while serializing)
 * are always range records and take no part in the decisions, so that
 * preserving them between the two walks changes nothing but their own
 * records. A range record may therefore lie inside a bitmap window, on
 * pages whose bits are clear.
 */
#define KHO_RANGES_WINDOW_PAGES		4096UL
#define KHO_RANGES_BITMAP_MAX_ORDER	6	/* a window is whole u64 words */

struct kho_ranges_plan {
	/* counts, then positions as the second walk writes */
	unsigned long nr_ranges;
	unsigned long nr_bitmaps;
	unsigned long nr_words;
	/* the bitmap record being extended */
	unsigned long bm_end;		/* first pfn after its window */
	unsigned long bm_bits;		/* folios in its window */
	u32 bm_info;
	bool bm_open;
	/* where to write, or NULL to count */
	struct kho_ranges_blob_range *ranges;
	struct kho_ranges_blob_bitmap *bitmaps;
	__le64 *words;
	u8 *blob;
};

static void kho_ranges_plan_range(struct kho_ranges_plan *p, unsigned long pfn,
				  unsigned long nr_pages, u32 info)
{
	unsigned long chunk = kho_ranges_record_max(kho_ranges_info_order(info));

	while (nr_pages) {
		unsigned long n = min(nr_pages, chunk);

		if (p->ranges) {
			struct kho_ranges_blob_range *rec = &p->ranges[p->nr_ranges];

			rec->start = cpu_to_le64(PFN_PHYS(pfn));
			rec->nr_pages = cpu_to_le32(n);
			rec->info = cpu_to_le32(info);
		}
		p->nr_ranges++;
		pfn += n;
		nr_pages -= n;
	}
}

/* can the open bitmap record take window @ws of @bits folios? */
static bool kho_ranges_plan_extends(const struct kho_ranges_plan *p,
				    unsigned long ws, u32 info,
				    unsigned long bits)
{
	return p->bm_open && p->bm_info == info && p->bm_end == ws &&
	       p->bm_bits + bits <= KHO_RANGES_BITMAP_MAX_BITS;
}

/* open a bitmap record for window @ws, or extend the open one over it */
static void kho_ranges_plan_window(struct kho_ranges_plan *p, unsigned long ws,
				   u32 info)
{
	unsigned int order = kho_ranges_info_order(info);
	unsigned long bits = KHO_RANGES_WINDOW_PAGES >> order;
	struct kho_ranges_blob_bitmap *bm;

	if (!kho_ranges_plan_extends(p, ws, info, bits)) {
		if (p->bitmaps) {
			bm = &p->bitmaps[p->nr_bitmaps];
			bm->start = cpu_to_le64(PFN_PHYS(ws));
			bm->info = cpu_to_le32(info);
			bm->nr_bits = 0;
			bm->words = cpu_to_le64((u8 *)&p->words[p->nr_words] -
						p->blob);
		}
		p->nr_bitmaps++;
		p->bm_open = true;
		p->bm_info = info;
		p->bm_bits = 0;
	}
	p->bm_bits += bits;
	if (p->bitmaps) {
		bm = &p->bitmaps[p->nr_bitmaps - 1];
		bm->nr_bits = cpu_to_le32(le32_to_cpu(bm->nr_bits) + bits);
		memset(&p->words[p->nr_words], 0, bits / 8);
	}
	p->nr_words += bits / 64;
	p->bm_end = ws + KHO_RANGES_WINDOW_PAGES;
}

/* set the bits of a range in the window the open bitmap record ends with */
static void kho_ranges_plan_bits(struct kho_ranges_plan *p, unsigned long ws,
				 unsigned long pfn, unsigned long nr_pages,
				 unsigned int order)
{
	unsigned long bits = KHO_RANGES_WINDOW_PAGES >> order;
	unsigned long first = (pfn - ws) >> order, i;
	__le64 *w;

	if (!p->words)
		return;
	w = &p->words[p->nr_words - bits / 64];
	for (i = first; i < first + (nr_pages >> order); i++)
		w[i / 64] |= cpu_to_le64(BIT_ULL(i % 64));
}

static bool kho_ranges_is_handover(u32 info)
{
	return info & KHO_RANGES_INFO_HANDOVER;
}

/*
 * Plan the window that holds @pfn, the first pfn not planned yet. @spill is
 * the first pfn after the last non-handover range planned so far; a range
 * of an earlier window reaching into this one keeps it in range records.
 * Return: the first pfn after the last range that starts in the window.
 */
static unsigned long kho_ranges_plan_one(struct kho_ranges *kr,
					 struct kho_ranges_plan *p,
					 unsigned long pfn, unsigned long *spill)
{
	MA_STATE(mas, &kr->mt, pfn, pfn);
	unsigned long ws = ALIGN_DOWN(pfn, KHO_RANGES_WINDOW_PAGES);
	unsigned long we = ws + KHO_RANGES_WINDOW_PAGES - 1;
	unsigned long nr = 0, next = pfn;
	bool bitmap = *spill <= ws;
	u32 info = 0;
	void *entry;

	/* the window's ranges: one info word, none sticking out? */
	mas_for_each(&mas, entry, we) {
		u32 i = xa_to_value(entry);

		if (kho_ranges_is_handover(i))
			continue;
		if (nr++ && i != info)
			bitmap = false;
		info = i;
		if (mas.last > we ||
		    kho_ranges_info_order(i) > KHO_RANGES_BITMAP_MAX_ORDER)
			bitmap = false;
	}
	if (!nr)
		bitmap = false;
	if (bitmap) {
		unsigned long bits = KHO_RANGES_WINDOW_PAGES >>
				     kho_ranges_info_order(info);
		size_t cost = bits / 8;

		if (!kho_ranges_plan_extends(p, ws, info, bits))
			cost += sizeof(struct kho_ranges_blob_bitmap);
		bitmap = cost < nr * sizeof(struct kho_ranges_blob_range);
	}
	if (bitmap)
		kho_ranges_plan_window(p, ws, info);
	else if (nr)
		p->bm_open = false;

	mas_set(&mas, pfn);
	mas_for_each(&mas, entry, we) {
		u32 i = xa_to_value(entry);
		unsigned long n = mas.last - mas.index + 1;

		if (bitmap && !kho_ranges_is_handover(i))
			kho_ranges_plan_bits(p, ws, mas.index, n,
					     kho_ranges_info_order(i));
		else
			kho_ranges_plan_range(p, mas.index, n, i);
		if (!kho_ranges_is_handover(i))
			*spill = max(*spill, mas.last + 1);
		next = mas.last + 1;
	}
	return next;
}

static void kho_ranges_plan(struct kho_ranges *kr, struct kho_ranges_plan *p)
{
	MA_STATE(mas, &kr->mt, 0, 0);
	unsigned long pfn = 0, spill = 0;

	lockdep_assert_held(&kr->lock);
	for (;;) {
		mas_set(&mas, pfn);
		if (!mas_find(&mas, ULONG_MAX))
			break;
		pfn = kho_ranges_plan_one(kr, p, mas.index, &spill);
		if (!pfn)		/* the last range ends at ULONG_MAX */
			break;
	}
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
	struct kho_ranges_plan plan = { 0 }, out = { 0 };
	struct kho_ranges_blob_hdr_v2 *hdr;
	unsigned long max_records, handover;
	struct page *blob, *fdt;
	size_t size, spare, alloc, hdr_size;
	u32 crc;
	int ret;

	mutex_lock(&kr->lock);
	if (kr->finalized) {
		ret = -EBUSY;
		goto out_unlock;
	}

	/*
	 * The blob and the FDT, preserved below, are a range record each;
	 * they never merge with other ranges, whose plan they leave alone.
	 */
	kho_ranges_plan(kr, &plan);
	hdr_size = plan.nr_bitmaps ? sizeof(*hdr) : sizeof(hdr->v1);
	size = kho_ranges_layout_size(hdr_size, plan.nr_ranges + 2,
				      plan.nr_bitmaps, plan.nr_words);
	if (size == SIZE_MAX) {
		ret = -E2BIG;
		goto out_unlock;
	}
	/*
	 * memblock.reserved gets a region per run of preserved pages at most:
	 * one per tree range, one more per U32_MAX pages of a long range.
	 */
	max_records = kr->nr_ranges + 2 + (kr->nr_pages >> 31);
	spare = PAGE_ALIGN((max_records + KHO_RANGES_SPARE_EXTRA_RECORDS) *
			   KHO_RANGES_SPARE_PER_RECORD);
	alloc = PAGE_ALIGN(size) + spare;

	ret = -ENOMEM;
	blob = kho_ranges_alloc_blob(alloc);
	if (!blob)
		goto out_unlock;
	fdt = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!fdt)
		goto out_free_blob;

	handover = kr->nr_ranges;
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
	handover = kr->nr_ranges - handover;

	hdr = page_address(blob);
	out.blob = (u8 *)hdr;
	out.ranges = (void *)(out.blob + hdr_size);
	out.bitmaps = (void *)(out.ranges + plan.nr_ranges + handover);
	out.words = (void *)(out.bitmaps + plan.nr_bitmaps);
	kho_ranges_plan(kr, &out);
	if (WARN_ON(out.nr_ranges != plan.nr_ranges + handover ||
		    out.nr_bitmaps != plan.nr_bitmaps ||
		    out.nr_words != plan.nr_words)) {
		ret = -EFAULT;
		goto out_unpreserve_fdt;
	}
	size = kho_ranges_layout_size(hdr_size, out.nr_ranges, out.nr_bitmaps,
				      out.nr_words);

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
	crc = crc32_le(~0U, (void *)hdr, size);
	hdr->v1.crc = cpu_to_le32(~crc);

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
	kho_ranges_abort(kr);
	mutex_lock(&kr->lock);
	__mt_destroy(&kr->mt);
	kr->nr_ranges = 0;
	kr->nr_pages = 0;
	mutex_unlock(&kr->lock);
}
EXPORT_SYMBOL_GPL(kho_ranges_destroy);

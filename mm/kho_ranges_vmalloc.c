// SPDX-License-Identifier: GPL-2.0
/*
 * kho_ranges driver API: vmalloc() areas preserved whole, runs of pages,
 * and restoring with a cursor over the incoming records.
 */

#define pr_fmt(fmt) "kho_ranges: " fmt

#include <linux/cacheflush.h>
#include <linux/crc32.h>
#include <linux/export.h>
#include <linux/io.h>
#include <linux/kho_ranges.h>
#include <linux/kho_ranges_vmalloc.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include "internal.h"
#include "kho_ranges_records.h"

/**
 * DOC: kho_ranges driver API
 *
 * A driver that preserves a vmalloc() area calls
 * kho_ranges_preserve_vmalloc() and gets a handle, a u64 it can keep in its
 * own preserved data or FDT node. The area's pages are preserved as runs of
 * consecutive pfns, with the order of the area's mapping, and its page list
 * goes into a preserved allocation of its own: a 40-byte header and one
 * u64 per run, so that an area built from contiguous chunks costs a few
 * bytes, however large. In the next kernel, kho_ranges_restore_vmalloc()
 * checks the handle and the list against the blob before it maps anything,
 * and maps the pages at the same size and with the same page order.
 *
 * A restore of many folios in address order walks the blob with a struct
 * kho_ranges_restore_cursor: each lookup costs O(1) while the folios come
 * in address order, and a binary search when they do not.
 */

/* ---- the incoming records, read in place ----------------------------- */

/* start of range record @i, or of bitmap record @i */
static u64 kho_ranges_vm_start(const struct kho_ranges_incoming *in,
			       bool bitmaps, unsigned long i)
{
	return bitmaps ? get_unaligned_le64(&kho_ranges_in_bitmap(in, i)->start) :
			 kho_ranges_in_start(in, i);
}

/*
 * Move *@pos to the last record of @n starting at or below @phys: stay, step
 * once, or search. False if every record starts above @phys.
 */
static bool kho_ranges_vm_seek(const struct kho_ranges_incoming *in,
			       bool bitmaps, unsigned long n, phys_addr_t phys,
			       unsigned long *pos)
{
	unsigned long p = *pos, i;

	if (p < n && kho_ranges_vm_start(in, bitmaps, p) <= phys) {
		if (p + 1 < n && kho_ranges_vm_start(in, bitmaps, p + 1) <= phys) {
			p++;
			if (p + 1 < n && kho_ranges_vm_start(in, bitmaps, p + 1) <= phys)
				p = kho_ranges_search(in, bitmaps, phys,
							 p + 1, n) - 1;
		}
		*pos = p;
		return true;
	}
	i = kho_ranges_search(in, bitmaps, phys, 0, min(p, n));
	*pos = i ? i - 1 : 0;
	return i;
}

/**
 * kho_ranges_restore_cursor_init() - start a cursor at the lowest record
 * @cur: the cursor
 * @in:  a validated blob
 */
void kho_ranges_restore_cursor_init(struct kho_ranges_restore_cursor *cur,
				    const struct kho_ranges_incoming *in)
{
	memset(cur, 0, sizeof(*cur));
	cur->in = in;
}
EXPORT_SYMBOL_GPL(kho_ranges_restore_cursor_init);

/* make range record @i the cursor's */
static void kho_ranges_vm_cache_range(struct kho_ranges_restore_cursor *cur,
				      unsigned long i)
{
	const struct kho_ranges_blob_range *r =
		(const void *)(cur->in->records + i * cur->in->range_size);

	cur->r = i;
	cur->r_start = get_unaligned_le64(&r->start);
	cur->r_size = (u64)get_unaligned_le32(&r->nr_pages) << PAGE_SHIFT;
	cur->r_info = get_unaligned_le32(&r->info);
}

/**
 * __kho_ranges_cursor_lookup() - kho_ranges_cursor_lookup() past the cursor
 * @cur:      a cursor on a validated blob
 * @phys:     physical address, outside the records the cursor holds
 * @start:    as kho_ranges_cursor_lookup()
 * @nr_pages: as kho_ranges_cursor_lookup()
 * @info:     as kho_ranges_cursor_lookup()
 *
 * Searches the range records, then the bitmap records, from the cursor's
 * position: the next record first, a binary search otherwise. The records
 * that answer become the cursor's.
 *
 * Return: 0 if found, -ENOENT if @phys is not preserved.
 */
int __kho_ranges_cursor_lookup(struct kho_ranges_restore_cursor *cur,
			       phys_addr_t phys, phys_addr_t *start,
			       unsigned long *nr_pages, u32 *info)
{
	const struct kho_ranges_incoming *in = cur->in;
	const struct kho_ranges_blob_bitmap *bm;
	unsigned long next = cur->r + 1;
	bool found;

	/*
	 * The cursor holds record r (or nothing yet): in address order the
	 * answer is most often the next one. Otherwise seek, and hold the
	 * record the seek stops at, hit or not.
	 */
	if (cur->r_size && phys > cur->r_start && next < in->nr_ranges &&
	    phys - kho_ranges_in_start(in, next) <
	    kho_ranges_in_bytes(in, next)) {
		kho_ranges_vm_cache_range(cur, next);
		return kho_ranges_cursor_lookup(cur, phys, start, nr_pages,
						info);
	}
	if (in->nr_ranges) {
		found = kho_ranges_vm_seek(in, false, in->nr_ranges, phys,
					   &cur->r);
		kho_ranges_vm_cache_range(cur, cur->r);
		if (found && phys - cur->r_start < cur->r_size)
			return kho_ranges_cursor_lookup(cur, phys, start,
							nr_pages, info);
	}
	if (!in->nr_bitmaps ||
	    !kho_ranges_vm_seek(in, true, in->nr_bitmaps, phys, &cur->b))
		return -ENOENT;
	bm = (const void *)(in->bitmaps + cur->b * in->bitmap_size);
	cur->b_start = get_unaligned_le64(&bm->start);
	cur->b_info = get_unaligned_le32(&bm->info);
	cur->b_shift = PAGE_SHIFT + kho_ranges_info_order(cur->b_info);
	cur->b_size = (u64)get_unaligned_le32(&bm->nr_bits) << cur->b_shift;
	cur->b_words = (const u8 *)in->blob + get_unaligned_le64(&bm->words);
	if (phys - cur->b_start >= cur->b_size ||
	    !kho_ranges_cursor_bit(cur, phys))
		return -ENOENT;
	return kho_ranges_cursor_lookup(cur, phys, start, nr_pages, info);
}
EXPORT_SYMBOL_GPL(__kho_ranges_cursor_lookup);

static bool kho_ranges_vm_unknown(u32 info)
{
	return info & KHO_RANGES_INFO_INCOMPAT_MASK &
	       ~KHO_RANGES_INFO_KNOWN_INCOMPAT;
}

/**
 * kho_ranges_cursor_restore_folio() - kho_ranges_restore_folio() with a cursor
 * @cur:  a cursor on a validated blob
 * @phys: physical address of the folio's first byte
 *
 * Return: the folio with a reference count of one, or NULL (with a warning)
 * if @phys is not the start of a preserved folio.
 */
struct folio *kho_ranges_cursor_restore_folio(struct kho_ranges_restore_cursor *cur,
					      phys_addr_t phys)
{
	unsigned long i, nr;
	phys_addr_t start;
	struct page *page;
	unsigned int order;
	u32 info;

	if (kho_ranges_cursor_lookup(cur, phys, &start, NULL, &info) ||
	    kho_ranges_vm_unknown(info) || !(info & KHO_RANGES_INFO_FOLIO) ||
	    !IS_ALIGNED(phys - start,
			PAGE_SIZE << kho_ranges_info_order(info))) {
		pr_warn("restore: %#llx is not the start of a preserved folio\n",
			(u64)phys);
		return NULL;
	}
	order = kho_ranges_info_order(info);
	nr = 1UL << order;
	page = pfn_to_page(PHYS_PFN(phys));
	set_page_count(page, 1);
	for (i = 1; i < nr; i++)
		set_page_count(page + i, 0);
	if (order)
		prep_compound_page(page, order);
	adjust_managed_page_count(page, nr);
	return page_folio(page);
}
EXPORT_SYMBOL_GPL(kho_ranges_cursor_restore_folio);

/*
 * Is [@phys, @phys + @nr pages) preserved as plain pages, each block of the
 * records' order whole inside it, nothing a folio or of unknown kind? With
 * @order or @tag not negative, every record must have that order or tag.
 */
static int kho_ranges_vm_check_run(struct kho_ranges_restore_cursor *cur,
				   phys_addr_t phys, unsigned long nr,
				   int order, int tag)
{
	phys_addr_t pos = phys, end = phys + ((phys_addr_t)nr << PAGE_SHIFT);
	phys_addr_t start, ext_end, blk;
	unsigned long len;
	unsigned int o;
	u32 info;

	if (!nr || end <= phys)
		return -EINVAL;
	while (pos < end) {
		if (kho_ranges_cursor_lookup(cur, pos, &start, &len, &info))
			return -ENOENT;
		o = kho_ranges_info_order(info);
		blk = (phys_addr_t)PAGE_SIZE << o;
		ext_end = start + ((phys_addr_t)len << PAGE_SHIFT);
		if (kho_ranges_vm_unknown(info) ||
		    info & (KHO_RANGES_INFO_FOLIO | KHO_RANGES_INFO_HANDOVER) ||
		    (order >= 0 && o != order) ||
		    (tag >= 0 && kho_ranges_info_tag(info) != tag) ||
		    !IS_ALIGNED(pos - start, blk) ||
		    (end < ext_end && !IS_ALIGNED(end - start, blk)))
			return -EINVAL;
		pos = ext_end;
	}
	return 0;
}

/* plain order-0 pages, as alloc_pages() and a split leave them */
static void kho_ranges_vm_init_pages(struct page *page, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		set_page_count(page + i, 1);
	adjust_managed_page_count(page, nr);
}

/**
 * kho_ranges_cursor_restore_page_run() - take back a run of pages, with a cursor
 * @cur:      a cursor on a validated blob
 * @phys:     physical address of the run's first byte
 * @nr_pages: pages in the run
 *
 * The run may span several preserved ranges and blocks of any order, as
 * long as it holds each block whole: kho_ranges_preserve_pages() blocks, a
 * page array, or a vmalloc area's pages. Every page comes back as an
 * order-0 page with a reference count of one.
 *
 * Return: the first page, or NULL (with a message) if a page of the run
 * was not preserved as a plain page or the run cuts a block in two.
 */
struct page *kho_ranges_cursor_restore_page_run(struct kho_ranges_restore_cursor *cur,
						phys_addr_t phys,
						unsigned long nr_pages)
{
	struct page *page;
	int ret;

	ret = PAGE_ALIGNED(phys) ?
	      kho_ranges_vm_check_run(cur, phys, nr_pages, -1, -1) : -EINVAL;
	if (ret) {
		pr_warn("restore: %#llx+%lu pages is not a run of preserved pages (%d)\n",
			(u64)phys, nr_pages, ret);
		return NULL;
	}
	page = pfn_to_page(PHYS_PFN(phys));
	kho_ranges_vm_init_pages(page, nr_pages);
	return page;
}
EXPORT_SYMBOL_GPL(kho_ranges_cursor_restore_page_run);

/**
 * kho_ranges_restore_page_run() - take back a run of preserved pages
 * @in:       a validated blob
 * @phys:     physical address of the run's first byte
 * @nr_pages: pages in the run
 *
 * kho_ranges_cursor_restore_page_run() with a cursor of its own.
 *
 * Return: the first page, or NULL (with a message).
 */
struct page *kho_ranges_restore_page_run(const struct kho_ranges_incoming *in,
					 phys_addr_t phys,
					 unsigned long nr_pages)
{
	struct kho_ranges_restore_cursor cur;

	kho_ranges_restore_cursor_init(&cur, in);
	return kho_ranges_cursor_restore_page_run(&cur, phys, nr_pages);
}
EXPORT_SYMBOL_GPL(kho_ranges_restore_page_run);

/* ---- vmalloc areas ---------------------------------------------------- */

static size_t kho_ranges_vm_list_bytes(unsigned long nr_runs)
{
	return sizeof(struct kho_ranges_vmalloc_list) + nr_runs * sizeof(__le64);
}

static u64 kho_ranges_vm_run(unsigned long pfn, unsigned long nr)
{
	return pfn | (u64)nr << KHO_RANGES_VMALLOC_PFN_BITS;
}

static void kho_ranges_vm_run_get(const struct kho_ranges_vmalloc_list *l,
				  unsigned long i, unsigned long *pfn,
				  unsigned long *nr)
{
	u64 v = le64_to_cpu(l->runs[i]);

	*pfn = v & (BIT_ULL(KHO_RANGES_VMALLOC_PFN_BITS) - 1);
	*nr = v >> KHO_RANGES_VMALLOC_PFN_BITS;
}

static u32 kho_ranges_vm_crc(const struct kho_ranges_vmalloc_list *l,
			     unsigned long nr_runs)
{
	u32 crc;

	crc = crc32_le(~0U, (const u8 *)l,
		       offsetof(struct kho_ranges_vmalloc_list, crc));
	crc = crc32_le(crc, (const u8 *)"\0\0\0\0", sizeof(l->crc));
	crc = crc32_le(crc, (const u8 *)&l->reserved,
		       kho_ranges_vm_list_bytes(nr_runs) -
		       offsetof(struct kho_ranges_vmalloc_list, reserved));
	return ~crc;
}

static unsigned int kho_ranges_vm_order(const struct vm_struct *vm)
{
#ifdef CONFIG_HAVE_ARCH_HUGE_VMALLOC
	return vm->page_order;
#else
	return 0;
#endif
}

/*
 * Walk the area's pages as runs of consecutive pfns, in blocks of its
 * order: count them (@l NULL) or write them into @l.
 */
static unsigned long kho_ranges_vm_runs(const struct vm_struct *vm,
					unsigned int order,
					struct kho_ranges_vmalloc_list *l)
{
	unsigned long step = 1UL << order, i, n = 0, pfn = 0, len = 0;
	/* a run's length field is 24 bits wide: whole blocks of the order */
	unsigned long max = round_down(KHO_RANGES_VMALLOC_RUN_MAX, step);

	for (i = 0; i < vm->nr_pages; i += step) {
		unsigned long p = page_to_pfn(vm->pages[i]);

		if (len && p == pfn + len && len + step <= max) {
			len += step;
			continue;
		}
		if (len && l)
			l->runs[n - 1] = cpu_to_le64(kho_ranges_vm_run(pfn, len));
		pfn = p;
		len = step;
		n++;
	}
	if (len && l)
		l->runs[n - 1] = cpu_to_le64(kho_ranges_vm_run(pfn, len));
	return n;
}

static void kho_ranges_vm_unpreserve_runs(struct kho_ranges *kr,
					  const struct kho_ranges_vmalloc_list *l,
					  unsigned long nr_runs)
{
	unsigned long i, pfn, nr;

	for (i = 0; i < nr_runs; i++) {
		kho_ranges_vm_run_get(l, i, &pfn, &nr);
		kho_ranges_unpreserve(kr, pfn, nr);
	}
}

/**
 * kho_ranges_preserve_vmalloc() - preserve a vmalloc() area whole
 * @kr:     the tracker
 * @ptr:    start of the area, as vmalloc() or vmalloc_huge() returned it
 * @handle: set to the handle that kho_ranges_restore_vmalloc() takes
 *
 * Preserves every page of the area, in runs of consecutive pfns with the
 * page order of its mapping, and a page list that lets the next kernel map
 * them again at the same size, in the same order and with the same order.
 * The handle is a u64 the driver keeps in memory it preserves or in its
 * FDT node.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EINVAL if @ptr does not start a vmalloc() area;
 * -EOPNOTSUPP for an area without pages of its own (vmap(), ioremap());
 * -ENOMEM; or the error of kho_ranges_preserve(), e.g. -EBUSY once the
 * tracker is serialized, -EEXIST if a page is preserved already. On error
 * nothing stays preserved.
 */
int kho_ranges_preserve_vmalloc(struct kho_ranges *kr, void *ptr, u64 *handle)
{
	struct kho_ranges_vmalloc_list *l;
	unsigned long nr_runs, i, pfn, nr;
	struct vm_struct *vm = find_vm_area(ptr);
	unsigned int order, lorder;
	struct page *lpage;
	size_t bytes;
	u32 cookie;
	int ret;

	if (!vm || vm->addr != ptr)
		return -EINVAL;
	if (!(vm->flags & VM_ALLOC) || !vm->pages || !vm->nr_pages)
		return -EOPNOTSUPP;
	order = kho_ranges_vm_order(vm);
	if (order > KHO_RANGES_MAX_ORDER ||
	    !IS_ALIGNED(vm->nr_pages, 1UL << order))
		return -EOPNOTSUPP;

	nr_runs = kho_ranges_vm_runs(vm, order, NULL);
	bytes = kho_ranges_vm_list_bytes(nr_runs);
	lorder = get_order(bytes);
	lpage = alloc_pages(GFP_KERNEL | __GFP_ZERO, lorder);
	if (!lpage)
		return -ENOMEM;
	l = page_address(lpage);
	kho_ranges_vm_runs(vm, order, l);
	cookie = get_random_u32() & ~PAGE_MASK;
	l->version = cpu_to_le16(KHO_RANGES_VMALLOC_VERSION);
	l->order = cpu_to_le16(order);
	l->nr_pages = cpu_to_le32(vm->nr_pages);
	l->nr_runs = cpu_to_le32(nr_runs);
	l->flags = cpu_to_le32(order ? KHO_RANGES_VMALLOC_HUGE : 0);
	l->cookie = cpu_to_le32(cookie);
	l->self = cpu_to_le64(page_to_phys(lpage));
	l->magic = cpu_to_le32(KHO_RANGES_VMALLOC_MAGIC);
	l->crc = cpu_to_le32(kho_ranges_vm_crc(l, nr_runs));

	for (i = 0; i < nr_runs; i++) {
		kho_ranges_vm_run_get(l, i, &pfn, &nr);
		ret = kho_ranges_preserve(kr, pfn, nr,
					  KHO_RANGES_INFO(order, 0,
							  KHO_RANGES_TAG_VMALLOC));
		if (ret)
			goto err_runs;
	}
	ret = kho_ranges_preserve(kr, page_to_pfn(lpage), 1UL << lorder,
				  KHO_RANGES_INFO(0, 0,
						  KHO_RANGES_TAG_VMALLOC_LIST));
	if (ret)
		goto err_runs;
	*handle = page_to_phys(lpage) | cookie;
	return 0;

err_runs:
	kho_ranges_vm_unpreserve_runs(kr, l, i);
	__free_pages(lpage, lorder);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_ranges_preserve_vmalloc);

/* the list @handle names in this kernel, if the tracker preserves it */
static struct kho_ranges_vmalloc_list *
kho_ranges_vm_own_list(struct kho_ranges *kr, u64 handle)
{
	phys_addr_t phys = handle & PAGE_MASK;
	struct kho_ranges_vmalloc_list *l;

	if (kr && !kho_ranges_find_overlap(kr, phys, phys + PAGE_SIZE - 1,
					   NULL, NULL))
		return NULL;
	l = phys_to_virt(phys);
	if (le32_to_cpu(l->magic) != KHO_RANGES_VMALLOC_MAGIC ||
	    le64_to_cpu(l->self) != phys ||
	    le32_to_cpu(l->cookie) != (handle & ~PAGE_MASK))
		return NULL;
	return l;
}

/**
 * kho_ranges_unpreserve_vmalloc() - undo kho_ranges_preserve_vmalloc()
 * @kr:     the tracker
 * @handle: what kho_ranges_preserve_vmalloc() returned
 *
 * Unpreserves the area's pages and frees its page list. The area itself
 * stays mapped and the driver's.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EINVAL if @handle names no page list this tracker preserves;
 * the error of kho_ranges_unpreserve(), e.g. -EBUSY once the tracker is
 * serialized.
 */
int kho_ranges_unpreserve_vmalloc(struct kho_ranges *kr, u64 handle)
{
	struct kho_ranges_vmalloc_list *l = kho_ranges_vm_own_list(kr, handle);
	unsigned long nr_runs;
	unsigned int lorder;
	int ret;

	if (!l)
		return -EINVAL;
	nr_runs = le32_to_cpu(l->nr_runs);
	lorder = get_order(kho_ranges_vm_list_bytes(nr_runs));
	ret = kho_ranges_unpreserve(kr, PHYS_PFN(handle), 1UL << lorder);
	if (ret)
		return ret;
	kho_ranges_vm_unpreserve_runs(kr, l, nr_runs);
	l->magic = 0;
	__free_pages(pfn_to_page(PHYS_PFN(handle)), lorder);
	return 0;
}
EXPORT_SYMBOL_GPL(kho_ranges_unpreserve_vmalloc);

/**
 * kho_ranges_vmalloc_stats() - the size of a preserved area's page list
 * @handle:     what kho_ranges_preserve_vmalloc() returned, in this kernel
 * @nr_pages:   if not NULL, set to the pages of the area
 * @order:      if not NULL, set to the page order of its mapping
 * @nr_runs:    if not NULL, set to the runs of its page list
 * @list_bytes: if not NULL, set to the bytes of its page list
 *
 * Return: 0, or -EINVAL if @handle does not name a page list.
 */
int kho_ranges_vmalloc_stats(u64 handle, unsigned long *nr_pages,
			     unsigned int *order, unsigned long *nr_runs,
			     size_t *list_bytes)
{
	const struct kho_ranges_vmalloc_list *l =
		kho_ranges_vm_own_list(NULL, handle);

	if (!l)
		return -EINVAL;
	if (nr_pages)
		*nr_pages = le32_to_cpu(l->nr_pages);
	if (order)
		*order = le16_to_cpu(l->order);
	if (nr_runs)
		*nr_runs = le32_to_cpu(l->nr_runs);
	if (list_bytes)
		*list_bytes = kho_ranges_vm_list_bytes(le32_to_cpu(l->nr_runs));
	return 0;
}
EXPORT_SYMBOL_GPL(kho_ranges_vmalloc_stats);

/*
 * The page list @handle names in the blob, checked whole: its pages are a
 * preserved page list, its header and checksum are right and every run is
 * preserved as pages of the list's order. Nothing is touched.
 */
static struct kho_ranges_vmalloc_list *
kho_ranges_vm_in_list(const struct kho_ranges_incoming *in, u64 handle,
		      struct kho_ranges_restore_cursor *cur, int *err)
{
	phys_addr_t phys = handle & PAGE_MASK, start;
	struct kho_ranges_vmalloc_list *l;
	unsigned long nr, nr_runs, i, pfn, total = 0;
	unsigned int order;
	u32 info;

	*err = -ESTALE;
	if (kho_ranges_cursor_lookup(cur, phys, &start, &nr, &info) ||
	    kho_ranges_info_tag(info) != KHO_RANGES_TAG_VMALLOC_LIST ||
	    info & (KHO_RANGES_INFO_FOLIO | KHO_RANGES_INFO_HANDOVER)) {
		pr_err("vmalloc handle %#llx: no page list there from the previous kernel\n",
		       handle);
		return NULL;
	}
	l = phys_to_virt(phys);
	if (le64_to_cpu(l->self) != phys ||
	    le32_to_cpu(l->cookie) != (handle & ~PAGE_MASK)) {
		pr_err("vmalloc handle %#llx: stale, the page list there is another one\n",
		       handle);
		return NULL;
	}
	if (le32_to_cpu(l->magic) == KHO_RANGES_VMALLOC_MAGIC_DONE) {
		pr_err("vmalloc handle %#llx: restored already\n", handle);
		*err = -EALREADY;
		return NULL;
	}

	*err = -EBADMSG;
	nr_runs = le32_to_cpu(l->nr_runs);
	order = le16_to_cpu(l->order);
	if (le32_to_cpu(l->magic) != KHO_RANGES_VMALLOC_MAGIC ||
	    le16_to_cpu(l->version) != KHO_RANGES_VMALLOC_VERSION ||
	    order > KHO_RANGES_MAX_ORDER || !nr_runs ||
	    nr_runs > le32_to_cpu(l->nr_pages) ||
	    kho_ranges_vm_check_run(cur, phys,
				    PFN_UP(kho_ranges_vm_list_bytes(nr_runs)),
				    -1, KHO_RANGES_TAG_VMALLOC_LIST)) {
		pr_err("vmalloc handle %#llx: page list header is corrupt\n",
		       handle);
		return NULL;
	}
	if (kho_ranges_vm_crc(l, nr_runs) != le32_to_cpu(l->crc)) {
		pr_err("vmalloc handle %#llx: page list checksum %#x, expected %#x\n",
		       handle, kho_ranges_vm_crc(l, nr_runs),
		       le32_to_cpu(l->crc));
		return NULL;
	}
	for (i = 0; i < nr_runs; i++) {
		kho_ranges_vm_run_get(l, i, &pfn, &nr);
		if (!nr || !IS_ALIGNED(pfn | nr, 1UL << order) ||
		    kho_ranges_vm_check_run(cur, PFN_PHYS(pfn), nr, order,
					    KHO_RANGES_TAG_VMALLOC)) {
			pr_err("vmalloc handle %#llx: run %lu (pfn %#lx, %lu pages) was not preserved as order-%u pages\n",
			       handle, i, pfn, nr, order);
			return NULL;
		}
		total += nr;
	}
	if (total != le32_to_cpu(l->nr_pages)) {
		pr_err("vmalloc handle %#llx: runs hold %lu pages, the header says %u\n",
		       handle, total, le32_to_cpu(l->nr_pages));
		return NULL;
	}
	*err = 0;
	return l;
}

/*
 * Map @pages at a new area of the vmalloc space, with PMD or larger
 * mappings where @order allows: the area vfree() takes apart.
 */
static void *kho_ranges_vm_map(struct page **pages, unsigned long nr,
			       unsigned int order)
{
	unsigned long size = nr << PAGE_SHIFT, addr;
	unsigned int shift = PAGE_SHIFT + order;
	struct vm_struct *area;

	area = __get_vm_area_node(size, PAGE_SIZE << order, shift,
				  VM_ALLOC | (order ? VM_ALLOW_HUGE_VMAP : 0),
				  VMALLOC_START, VMALLOC_END, NUMA_NO_NODE,
				  GFP_KERNEL, __builtin_return_address(0));
	if (!area)
		return NULL;
	addr = (unsigned long)area->addr;
	if (vmap_pages_range_noflush(addr, addr + size, PAGE_KERNEL, pages,
				     shift)) {
		free_vm_area(area);
		return NULL;
	}
	flush_cache_vmap(addr, addr + size);
	area->pages = pages;
	area->nr_pages = nr;
#ifdef CONFIG_HAVE_ARCH_HUGE_VMALLOC
	area->page_order = order;
#endif
	return area->addr;
}

/* one restore at a time: the restored mark is what refuses a second one */
static DEFINE_MUTEX(kho_ranges_vm_restore_lock);

/**
 * kho_ranges_restore_vmalloc() - map a vmalloc() area of the last kernel again
 * @in:     a validated blob
 * @handle: what kho_ranges_preserve_vmalloc() returned in the last kernel
 *
 * Checks the page list and every page it names against the blob, then maps
 * the pages at a new vmalloc() address, in the same order and with the
 * same page order: the area has the size and contents it had, and is freed
 * with vfree(). The page list stays reserved, marked restored, so that a
 * second call fails cleanly.
 *
 * Context: Process context; may sleep. Restores are serialized with each
 * other.
 * Return: the area, or an ERR_PTR() with a message: -ESTALE if no page list
 * of the last kernel is at @handle (a handle from an older boot, or not a
 * handle); -EALREADY if the area was restored already; -EBADMSG if the
 * page list is corrupt or names memory that was not preserved as the
 * area's pages; -ENOMEM. No page is mapped or restored on error.
 */
void *kho_ranges_restore_vmalloc(const struct kho_ranges_incoming *in,
				 u64 handle)
{
	struct kho_ranges_restore_cursor cur;
	struct kho_ranges_vmalloc_list *l;
	unsigned long nr_pages, nr_runs, i, j, k = 0, pfn, nr;
	struct page **pages;
	unsigned int order;
	void *addr;
	int err;

	kho_ranges_restore_cursor_init(&cur, in);
	mutex_lock(&kho_ranges_vm_restore_lock);
	l = kho_ranges_vm_in_list(in, handle, &cur, &err);
	if (!l)
		goto out;
	nr_pages = le32_to_cpu(l->nr_pages);
	nr_runs = le32_to_cpu(l->nr_runs);
	order = le16_to_cpu(l->order);

	err = -ENOMEM;
	pages = kvmalloc_array(nr_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		goto out;
	for (i = 0; i < nr_runs; i++) {
		kho_ranges_vm_run_get(l, i, &pfn, &nr);
		for (j = 0; j < nr; j++)
			pages[k++] = pfn_to_page(pfn + j);
	}
	addr = kho_ranges_vm_map(pages, nr_pages, order);
	if (!addr) {
		pr_err("vmalloc handle %#llx: cannot map %lu pages\n", handle,
		       nr_pages);
		kvfree(pages);
		goto out;
	}
	for (i = 0; i < nr_runs; i++) {
		kho_ranges_vm_run_get(l, i, &pfn, &nr);
		kho_ranges_vm_init_pages(pfn_to_page(pfn), nr);
	}
	l->magic = cpu_to_le32(KHO_RANGES_VMALLOC_MAGIC_DONE);
	mutex_unlock(&kho_ranges_vm_restore_lock);
	return addr;
out:
	mutex_unlock(&kho_ranges_vm_restore_lock);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(kho_ranges_restore_vmalloc);

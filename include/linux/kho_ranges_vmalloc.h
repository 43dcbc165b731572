/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kho_ranges: what a driver calls to hand vmalloc() areas and runs of pages
 * to the next kernel, and to take them back there.
 *
 * See Documentation/core-api/kho_ranges.rst, "Driver API".
 */
#ifndef _LINUX_KHO_RANGES_VMALLOC_H
#define _LINUX_KHO_RANGES_VMALLOC_H

#include <linux/types.h>
#include <linux/kho_ranges.h>
#include <linux/mm.h>
#include <linux/unaligned.h>

/*
 * Caller tags the driver API preserves with. Drivers choose their own tags
 * for kho_ranges_preserve() and friends below these.
 */
#define KHO_RANGES_TAG_VMALLOC		0xfff0	/* pages of vmalloc areas */
#define KHO_RANGES_TAG_VMALLOC_LIST	0xfff1	/* their page lists */
#define KHO_RANGES_TAG_COMPAT		0xfff2	/* upstream KHO's names */
#define KHO_RANGES_TAG_COMPAT_DIR	0xfff3	/* kho_add_subtree() names */

/*
 * The page list of a preserved vmalloc area, in preserved pages of its
 * own; all fields little-endian. A handle is the list's physical address
 * with the list's cookie in the bits below PAGE_SHIFT.
 */
#define KHO_RANGES_VMALLOC_MAGIC	0x4c56524bU	/* "KRVL" */
#define KHO_RANGES_VMALLOC_MAGIC_DONE	0x4456524bU	/* "KRVD": restored */
#define KHO_RANGES_VMALLOC_VERSION	1
/* the area was vmalloc_huge(): map it again with its page order */
#define KHO_RANGES_VMALLOC_HUGE		0x1U

/**
 * struct kho_ranges_vmalloc_list - header of a vmalloc area's page list
 * @magic:    KHO_RANGES_VMALLOC_MAGIC; KHO_RANGES_VMALLOC_MAGIC_DONE once
 *            the next kernel restored the area.
 * @version:  KHO_RANGES_VMALLOC_VERSION.
 * @order:    page order of the area's mapping; every run is a whole
 *            number of naturally aligned blocks of that order.
 * @nr_pages: pages of the area.
 * @nr_runs:  number of runs that follow the header.
 * @flags:    KHO_RANGES_VMALLOC_*.
 * @cookie:   random bits, repeated in the handle: a handle kept from an
 *            older boot does not match a list written since at its place.
 * @self:     physical address of this header.
 * @crc:      crc32 of the header (this field zero) and of the runs.
 * @reserved: zero.
 * @runs:     the area's pages in address order of the area, as runs of
 *            consecutive pfns: bits 0..39 the first pfn, bits 40..63 the
 *            number of pages.
 */
struct kho_ranges_vmalloc_list {
	__le32 magic;
	__le16 version;
	__le16 order;
	__le32 nr_pages;
	__le32 nr_runs;
	__le32 flags;
	__le32 cookie;
	__le64 self;
	__le32 crc;
	__le32 reserved;
	__le64 runs[];
};

#define KHO_RANGES_VMALLOC_PFN_BITS	40
#define KHO_RANGES_VMALLOC_RUN_MAX	((1U << (64 - KHO_RANGES_VMALLOC_PFN_BITS)) - 1)

/**
 * struct kho_ranges_restore_cursor - where the last lookup hit in a blob
 * @in:      the blob
 * @r:       range record of the last hit, or where the search stopped
 * @b:       bitmap record likewise
 * @r_start: start of range record @r, once a lookup searched
 * @r_size:  its bytes; 0 until then
 * @r_info:  its info word
 * @b_start: start of bitmap record @b's window once a lookup hit it
 * @b_size:  bytes of the window, 0 before
 * @b_words: its bits
 * @b_shift: PAGE_SHIFT plus its order
 * @b_info:  its info word
 *
 * Lookups in address order cost O(1) each: a lookup inside the record of
 * the last hit is answered from the cursor, and one after it tries the next
 * record before it searches. Lookups in any other order cost a binary
 * search, O(log R).
 */
struct kho_ranges_restore_cursor {
	const struct kho_ranges_incoming *in;
	unsigned long r;
	unsigned long b;
	u64 r_start;
	u64 r_size;
	u32 r_info;
	u32 b_info;
	u64 b_start;
	u64 b_size;
	const u8 *b_words;
	unsigned int b_shift;
};

void kho_ranges_restore_cursor_init(struct kho_ranges_restore_cursor *cur,
				    const struct kho_ranges_incoming *in);
int __kho_ranges_cursor_lookup(struct kho_ranges_restore_cursor *cur,
			       phys_addr_t phys, phys_addr_t *start,
			       unsigned long *nr_pages, u32 *info);

/* is the folio of @phys, inside the cursor's bitmap window, preserved? */
static inline bool kho_ranges_cursor_bit(const struct kho_ranges_restore_cursor *cur,
					 phys_addr_t phys)
{
	unsigned long bit = (phys - cur->b_start) >> cur->b_shift;

	return get_unaligned_le64(cur->b_words + bit / 64 * 8) >> (bit % 64) & 1;
}

/**
 * kho_ranges_cursor_lookup() - kho_ranges_lookup(), starting at a cursor
 * @cur:      a cursor on a validated blob
 * @phys:     physical address
 * @start:    if not NULL, set to the range's start
 * @nr_pages: if not NULL, set to the range's length in pages
 * @info:     if not NULL, set to the range's info word
 *
 * The same answers as kho_ranges_lookup(): a range record, or for memory a
 * bitmap record holds, the one folio holding @phys. Inside the range or
 * the bitmap window of the last hit, the answer comes from the cursor,
 * inline; anywhere else from __kho_ranges_cursor_lookup(), which moves the
 * cursor to the records that answer.
 *
 * Return: 0 if found, -ENOENT if @phys is not preserved.
 */
static inline int kho_ranges_cursor_lookup(struct kho_ranges_restore_cursor *cur,
					   phys_addr_t phys, phys_addr_t *start,
					   unsigned long *nr_pages, u32 *info)
{
	if (phys - cur->r_start < cur->r_size) {
		if (start)
			*start = cur->r_start;
		if (nr_pages)
			*nr_pages = cur->r_size >> PAGE_SHIFT;
		if (info)
			*info = cur->r_info;
		return 0;
	}
	if (phys - cur->b_start < cur->b_size && kho_ranges_cursor_bit(cur, phys)) {
		if (start)
			*start = cur->b_start + ((phys - cur->b_start) >>
						 cur->b_shift << cur->b_shift);
		if (nr_pages)
			*nr_pages = 1UL << (cur->b_shift - PAGE_SHIFT);
		if (info)
			*info = cur->b_info;
		return 0;
	}
	return __kho_ranges_cursor_lookup(cur, phys, start, nr_pages, info);
}
struct folio *kho_ranges_cursor_restore_folio(struct kho_ranges_restore_cursor *cur,
					      phys_addr_t phys);
struct page *kho_ranges_cursor_restore_page_run(struct kho_ranges_restore_cursor *cur,
						phys_addr_t phys,
						unsigned long nr_pages);
struct page *kho_ranges_restore_page_run(const struct kho_ranges_incoming *in,
					 phys_addr_t phys,
					 unsigned long nr_pages);

int kho_ranges_preserve_vmalloc(struct kho_ranges *kr, void *ptr, u64 *handle);
int kho_ranges_unpreserve_vmalloc(struct kho_ranges *kr, u64 handle);
void *kho_ranges_restore_vmalloc(const struct kho_ranges_incoming *in,
				 u64 handle);
int kho_ranges_vmalloc_stats(u64 handle, unsigned long *nr_pages,
			     unsigned int *order, unsigned long *nr_runs,
			     size_t *list_bytes);

#endif /* _LINUX_KHO_RANGES_VMALLOC_H */

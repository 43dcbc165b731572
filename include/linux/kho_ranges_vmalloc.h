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
 * @in: the blob
 * @r:  range record of the last hit, or where the search stopped
 * @b:  bitmap record likewise
 *
 * Lookups in address order cost O(1) each: the cursor stays on a record
 * while the lookups are inside it and steps to the next one after it.
 * Lookups in any other order cost a binary search, O(log R).
 */
struct kho_ranges_restore_cursor {
	const struct kho_ranges_incoming *in;
	unsigned long r;
	unsigned long b;
};

void kho_ranges_restore_cursor_init(struct kho_ranges_restore_cursor *cur,
				    const struct kho_ranges_incoming *in);
int kho_ranges_cursor_lookup(struct kho_ranges_restore_cursor *cur,
			     phys_addr_t phys, phys_addr_t *start,
			     unsigned long *nr_pages, u32 *info);
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

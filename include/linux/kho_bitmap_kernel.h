/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KHO's bitmap tracker (the benchmark's baseline, bench/kho_bitmap.c) run
 * next to kho_ranges in the same kernel, for comparison at boot. See
 * mm/kho_bitmap_kernel.c.
 */
#ifndef _LINUX_KHO_BITMAP_KERNEL_H
#define _LINUX_KHO_BITMAP_KERNEL_H

#include <linux/errno.h>
#include <linux/types.h>

struct page;

/* kho_ranges tags of the bitmap tracker's own memory */
#define KHO_BITMAP_TAG_ROOT	0xb170	/* root page + memblock room */
#define KHO_BITMAP_TAG_META	0xb171	/* bitmaps, chunks, bitmap FDT */

#ifdef CONFIG_KHO_BITMAP
bool kho_bitmap_kernel_enabled(void);
int kho_bitmap_kernel_preserve(struct page *page, unsigned int order);
int kho_bitmap_kernel_serialize(void);
int kho_bitmap_kernel_order(struct page *page);
void kho_bitmap_set_fdt(phys_addr_t phys, size_t size);
bool kho_bitmap_boot_reserve(void);
#else
static inline bool kho_bitmap_kernel_enabled(void)
{
	return false;
}

static inline int kho_bitmap_kernel_preserve(struct page *page,
					     unsigned int order)
{
	return 0;
}

static inline int kho_bitmap_kernel_serialize(void)
{
	return 0;
}

static inline int kho_bitmap_kernel_order(struct page *page)
{
	return -ENOENT;
}

static inline void kho_bitmap_set_fdt(phys_addr_t phys, size_t size) { }

static inline bool kho_bitmap_boot_reserve(void)
{
	return false;
}
#endif

#endif /* _LINUX_KHO_BITMAP_KERNEL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The baselines of the kho_ranges benchmark (kho_baseline.h) run next to
 * kho_ranges in the same kernel, chosen with kho_tracker=NAME, so that the
 * boot-time cost of their handovers is measured by the same kernel on the
 * same machine. See kho_baseline_kernel.c; copied into include/linux/ by
 * patches/assemble.sh.
 */
#ifndef _LINUX_KHO_BASELINE_KERNEL_H
#define _LINUX_KHO_BASELINE_KERNEL_H

#include <linux/errno.h>
#include <linux/types.h>

struct page;

/* kho_ranges tags of a baseline's own memory */
#define KHO_BASELINE_TAG_ROOT	0xb170	/* root page + memblock room */
#define KHO_BASELINE_TAG_META	0xb171	/* the tracker's pages, its handover */

#ifdef CONFIG_KHO_BASELINES
const char *kho_baseline_kernel_name(void);
int kho_baseline_kernel_preserve(struct page *page, unsigned int order);
int kho_baseline_kernel_serialize(void);
int kho_baseline_kernel_order(struct page *page);
void kho_baseline_set_fdt(phys_addr_t phys, size_t size);
bool kho_baseline_boot_reserve(void);
#else
static inline const char *kho_baseline_kernel_name(void)
{
	return NULL;
}

static inline int kho_baseline_kernel_preserve(struct page *page,
					       unsigned int order)
{
	return 0;
}

static inline int kho_baseline_kernel_serialize(void)
{
	return 0;
}

static inline int kho_baseline_kernel_order(struct page *page)
{
	return -ENOENT;
}

static inline void kho_baseline_set_fdt(phys_addr_t phys, size_t size) { }

static inline bool kho_baseline_boot_reserve(void)
{
	return false;
}
#endif

#endif /* _LINUX_KHO_BASELINE_KERNEL_H */

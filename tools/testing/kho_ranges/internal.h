/* SPDX-License-Identifier: GPL-2.0 */
/* The mm-internal helpers that restoring a folio or a vmalloc area needs (mm/internal.h). */
#ifndef _KHO_HARNESS_MM_INTERNAL_H
#define _KHO_HARNESS_MM_INTERNAL_H

#include <linux/mm.h>

static inline void prep_compound_page(struct page *page, unsigned int order)
{
	unsigned long i;

	page->compound_order = order;
	for (i = 1; i < (1UL << order); i++)
		page[i].compound_head = page;
}

/* mm/vmalloc.c, in the kernel with patches/kernel/0007 */
struct vm_struct;
struct vm_struct *__get_vm_area_node(unsigned long size, unsigned long align,
				     unsigned long shift, unsigned long flags,
				     unsigned long start, unsigned long end,
				     int node, gfp_t gfp_mask,
				     const void *caller);
int vmap_pages_range_noflush(unsigned long addr, unsigned long end,
			     unsigned long prot, struct page **pages,
			     unsigned int page_shift);

#endif

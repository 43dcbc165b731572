/* SPDX-License-Identifier: GPL-2.0 */
/* The mm-internal helpers that restoring a folio needs (mm/internal.h). */
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

#endif

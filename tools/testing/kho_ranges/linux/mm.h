/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the parts of <linux/mm.h> that kho_ranges uses.
 *
 * "Physical" addresses are real addresses inside the simulated RAM arena
 * (see sim.h), so phys_to_virt() stays the identity of the tools headers;
 * what this adds is a real struct page memmap covering the arena and a page
 * allocator that hands out arena pages.
 */
#ifndef _KHO_HARNESS_LINUX_MM_H
#define _KHO_HARNESS_LINUX_MM_H

#include_next <linux/mm.h>
#include <linux/gfp.h>
#include <linux/pfn.h>

#undef pfn_to_page

#define PAGE_ALIGNED(addr)	IS_ALIGNED((unsigned long)(addr), PAGE_SIZE)

struct seq_file;

struct page {
	unsigned long flags;
	unsigned long private;
	int refcount;
	unsigned int compound_order;
	struct page *compound_head;
};

struct folio {
	struct page page;
};

/* no NUMA here: alloc_contig_pages() ignores its nodemask */
struct kho_harness_nodemask;
#define nodemask_t struct kho_harness_nodemask

extern struct page *kho_sim_memmap;
extern unsigned long kho_sim_base_pfn;

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return kho_sim_memmap + (pfn - kho_sim_base_pfn);
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return kho_sim_base_pfn + (page - kho_sim_memmap);
}

#define page_to_phys(page)	PFN_PHYS(page_to_pfn(page))

static inline void *page_address(const struct page *page)
{
	return phys_to_virt(page_to_phys(page));
}

static inline struct folio *page_folio(struct page *page)
{
	return (struct folio *)(page->compound_head ?: page);
}

static inline struct page *folio_page(struct folio *folio, unsigned long n)
{
	return &folio->page + n;
}

static inline unsigned int folio_order(const struct folio *folio)
{
	return folio->page.compound_order;
}

static inline unsigned long folio_pfn(const struct folio *folio)
{
	return page_to_pfn(&folio->page);
}

static inline int page_count(const struct page *page)
{
	return page->refcount;
}

static inline void set_page_count(struct page *page, int v)
{
	page->refcount = v;
}

static inline unsigned int get_order(unsigned long size)
{
	unsigned int order = 0;

	size = (size - 1) >> PAGE_SHIFT;
	while (size) {
		order++;
		size >>= 1;
	}
	return order;
}

#define first_online_node	0

struct page *alloc_pages(gfp_t gfp, unsigned int order);
void __free_pages(struct page *page, unsigned int order);
#define alloc_page(gfp)		alloc_pages(gfp, 0)
#define __free_page(page)	__free_pages(page, 0)
struct folio *folio_alloc(gfp_t gfp, unsigned int order);
void folio_put(struct folio *folio);
struct page *alloc_contig_pages(unsigned long nr_pages, gfp_t gfp, int nid,
				nodemask_t *nodemask);
void free_contig_range(unsigned long pfn, unsigned long nr_pages);
void adjust_managed_page_count(struct page *page, long count);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * The vmalloc() space of the simulated machine: areas are reservations of
 * the process's address space, and mapping a page into one maps the
 * arena's memory of that page there (kho_sim_alias()), so that a vmalloc()
 * address and phys_to_virt() of its page see the same bytes.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "sim.h"

static struct vm_struct *vm_areas;

struct vm_struct *__get_vm_area_node(unsigned long size, unsigned long align,
				     unsigned long shift, unsigned long flags,
				     unsigned long start, unsigned long end,
				     int node, gfp_t gfp_mask,
				     const void *caller)
{
	struct vm_struct *area = calloc(1, sizeof(*area));
	unsigned long a = align < PAGE_SIZE ? PAGE_SIZE : align;

	if (!area)
		return NULL;
	area->raw_size = size + a;
	area->raw = mmap(NULL, area->raw_size, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area->raw == MAP_FAILED) {
		free(area);
		return NULL;
	}
	area->addr = (void *)ALIGN((unsigned long)area->raw, a);
	area->size = size;
	area->flags = flags;
	area->next = vm_areas;
	vm_areas = area;
	return area;
}

int vmap_pages_range_noflush(unsigned long addr, unsigned long end,
			     unsigned long prot, struct page **pages,
			     unsigned int page_shift)
{
	unsigned long i, n = (end - addr) >> PAGE_SHIFT, run;

	if (!IS_ALIGNED(addr, 1UL << page_shift))
		return -EINVAL;
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n &&
		     page_to_pfn(pages[i + run]) == page_to_pfn(pages[i]) + run;
		     run++)
			;
		if (kho_sim_alias((void *)(addr + (i << PAGE_SHIFT)),
				  page_to_phys(pages[i]), run << PAGE_SHIFT))
			return -ENOMEM;
	}
	return 0;
}

struct vm_struct *find_vm_area(const void *addr)
{
	struct vm_struct *a;

	for (a = vm_areas; a; a = a->next)
		if ((unsigned long)addr - (unsigned long)a->addr < a->size)
			return a;
	return NULL;
}

static void vm_unlink(struct vm_struct *area)
{
	struct vm_struct **pp;

	for (pp = &vm_areas; *pp; pp = &(*pp)->next) {
		if (*pp == area) {
			*pp = area->next;
			return;
		}
	}
	assert(0);
}

void free_vm_area(struct vm_struct *area)
{
	vm_unlink(area);
	munmap(area->raw, area->raw_size);
	free(area);
}

void *kho_harness_vmalloc_pages(struct page **pages, unsigned int nr_pages,
				unsigned int order)
{
	unsigned long size = (unsigned long)nr_pages << PAGE_SHIFT;
	struct vm_struct *area;

	area = __get_vm_area_node(size, PAGE_SIZE << order, PAGE_SHIFT + order,
				  VM_ALLOC | (order ? VM_ALLOW_HUGE_VMAP : 0),
				  VMALLOC_START, VMALLOC_END, NUMA_NO_NODE, 0,
				  NULL);
	if (!area)
		return NULL;
	if (vmap_pages_range_noflush((unsigned long)area->addr,
				     (unsigned long)area->addr + size,
				     PAGE_KERNEL, pages, PAGE_SHIFT + order)) {
		free_vm_area(area);
		return NULL;
	}
	area->pages = pages;
	area->nr_pages = nr_pages;
	area->page_order = order;
	return area->addr;
}

/* @order blocks, split into order-0 pages as mm/vmalloc.c does */
static void *vm_alloc(unsigned long size, unsigned int order)
{
	unsigned int nr = ALIGN(PFN_UP(size), 1U << order), i, j;
	struct page **pages = kvmalloc_array(nr, sizeof(*pages),
					     GFP_KERNEL | __GFP_ZERO);
	struct page *page;
	void *addr;

	if (!pages)
		return NULL;
	for (i = 0; i < nr; i += 1U << order) {
		page = alloc_pages(GFP_KERNEL, order);
		if (!page)
			goto err;
		for (j = 0; j < 1U << order; j++) {
			set_page_count(page + j, 1);
			pages[i + j] = page + j;
		}
	}
	addr = kho_harness_vmalloc_pages(pages, nr, order);
	if (addr)
		return addr;
err:
	for (i = 0; i < nr && pages[i]; i++)
		__free_pages(pages[i], 0);
	kvfree(pages);
	return NULL;
}

void *vmalloc(unsigned long size)
{
	return vm_alloc(size, 0);
}

void *vmalloc_huge(unsigned long size, gfp_t gfp)
{
	unsigned long pmd = PAGE_SIZE << KHO_HARNESS_PMD_ORDER;

	return vm_alloc(size, size >= pmd ? KHO_HARNESS_PMD_ORDER : 0);
}

/* as mm/vmalloc.c: every page is an order-0 page, then the array */
void vfree(const void *addr)
{
	struct vm_struct *area;
	unsigned int i;

	if (!addr)
		return;
	area = find_vm_area(addr);
	assert(area && area->addr == addr);
	for (i = 0; i < area->nr_pages; i++)
		__free_pages(area->pages[i], 0);
	kvfree(area->pages);
	free_vm_area(area);
}

struct page *vmalloc_to_page(const void *addr)
{
	struct vm_struct *area = find_vm_area(addr);

	if (!area || !area->pages)
		return NULL;
	return area->pages[((unsigned long)addr - (unsigned long)area->addr) >>
			   PAGE_SHIFT];
}

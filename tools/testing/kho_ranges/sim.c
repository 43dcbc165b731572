// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated machine: RAM arena, memmap, page allocator, memblock boot
 * and fault injection. See sim.h.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kho_ranges.h>
#include <linux/mm.h>
#include <linux/memblock.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "sim.h"

#define SIM_ALIGN	(1UL << 30)
#define SIM_MAX_ORDER	40

struct kho_sim kho_sim;
struct kho_sim_faults kho_sim_faults;
__thread struct kho_harness_lock_stat kho_harness_lock_stat;
struct page *kho_sim_memmap;
unsigned long kho_sim_base_pfn;
bool movable_node_enabled;
/* the kernel's tracker and handover, as mm/kho_ranges_kernel.c has them */
struct kho_ranges kho_ranges_kernel;
struct kho_ranges_incoming kho_ranges_incoming;

static void *arena_map;
static size_t arena_map_size;
/* the arena's memory, so that vmap() can map its pages a second time */
static int arena_fd = -1;
static size_t memmap_size;
static struct memblock saved_memblock;
static bool memblock_saved;

/* pool: bump allocation plus one free list per order */
static phys_addr_t pool_next;
static phys_addr_t free_list[SIM_MAX_ORDER];
static unsigned long pages_in_use;


int kho_sim_init(u64 ram_size, u64 pool_size)
{
	u64 total;
	char *p;

	ram_size = ALIGN(ram_size, SIM_ALIGN);
	pool_size = ALIGN(pool_size, SIM_ALIGN);
	total = ram_size + pool_size;
	arena_map_size = total + SIM_ALIGN;
	arena_fd = memfd_create("kho_sim_ram", 0);
	if (arena_fd < 0)
		return -ENOMEM;
	if (ftruncate(arena_fd, total)) {
		close(arena_fd);
		return -ENOMEM;
	}
	arena_map = mmap(NULL, arena_map_size, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena_map == MAP_FAILED) {
		close(arena_fd);
		return -ENOMEM;
	}
	p = (char *)ALIGN((unsigned long)arena_map, SIM_ALIGN);
	if (mmap(p, total, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, arena_fd, 0) != p) {
		munmap(arena_map, arena_map_size);
		close(arena_fd);
		return -ENOMEM;
	}

	kho_sim.ram_base = (phys_addr_t)p;
	kho_sim.ram_size = ram_size;
	kho_sim.pool_base = kho_sim.ram_base + ram_size;
	kho_sim.pool_size = pool_size;
	kho_sim_base_pfn = PHYS_PFN(kho_sim.ram_base);

	memmap_size = (total >> PAGE_SHIFT) * sizeof(struct page);
	kho_sim_memmap = mmap(NULL, memmap_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			      -1, 0);
	if (kho_sim_memmap == MAP_FAILED) {
		munmap(arena_map, arena_map_size);
		close(arena_fd);
		return -ENOMEM;
	}

	if (!memblock_saved) {
		/* what start_kernel() would have done long before */
		maple_tree_init();
		radix_tree_init();
		saved_memblock = memblock;
		memblock_saved = true;
	}
	kho_sim_reset_pages();
	return 0;
}

void kho_sim_exit(void)
{
	munmap(kho_sim_memmap, memmap_size);
	munmap(arena_map, arena_map_size);
	close(arena_fd);
	arena_fd = -1;
	memset(&kho_sim, 0, sizeof(kho_sim));
}

int kho_sim_alias(void *va, phys_addr_t phys, size_t len)
{
	void *p = mmap(va, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		       arena_fd, phys - kho_sim.ram_base);

	return p == va ? 0 : -ENOMEM;
}

void kho_sim_reset_pages(void)
{
	madvise(kho_sim_memmap, memmap_size, MADV_DONTNEED);
	pool_next = kho_sim.pool_base;
	memset(free_list, 0, sizeof(free_list));
	pages_in_use = 0;
}

unsigned long kho_sim_pages_in_use(void)
{
	return pages_in_use;
}

static void reset_type(struct memblock_type *now,
		       const struct memblock_type *boot)
{
	*now = *boot;
	memset(now->regions, 0, boot->max * sizeof(*now->regions));
}

void kho_sim_boot(bool allow_resize)
{
	/* the arrays a resize allocated lived in the old kernel's memory */
	reset_type(&memblock.memory, &saved_memblock.memory);
	reset_type(&memblock.reserved, &saved_memblock.reserved);
	memblock.bottom_up = saved_memblock.bottom_up;
	memblock.current_limit = saved_memblock.current_limit;
	memblock_add(kho_sim.ram_base, kho_sim.ram_size + kho_sim.pool_size);
	if (allow_resize)
		memblock_allow_resize();
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	phys_addr_t phys;
	struct page *page;

	if (kho_sim_faults.fail_pages && !(gfp & __GFP_NOFAIL))
		return NULL;
	if (order >= SIM_MAX_ORDER)
		return NULL;

	phys = free_list[order];
	if (phys) {
		free_list[order] = *(phys_addr_t *)phys;
	} else {
		phys = ALIGN(pool_next, PAGE_SIZE << order);
		if (phys + (PAGE_SIZE << order) >
		    kho_sim.pool_base + kho_sim.pool_size)
			return NULL;
		pool_next = phys + (PAGE_SIZE << order);
	}
	if (gfp & __GFP_ZERO)
		memset((void *)phys, 0, PAGE_SIZE << order);
	page = pfn_to_page(PHYS_PFN(phys));
	memset(page, 0, sizeof(*page) << order);
	page->refcount = 1;
	pages_in_use += 1UL << order;
	return page;
}

void __free_pages(struct page *page, unsigned int order)
{
	phys_addr_t phys = page_to_phys(page);

	assert(phys >= kho_sim.pool_base &&
	       phys < kho_sim.pool_base + kho_sim.pool_size);
	memset(page, 0, sizeof(*page) << order);
	*(phys_addr_t *)phys = free_list[order];
	free_list[order] = phys;
	pages_in_use -= 1UL << order;
}

struct folio *folio_alloc(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);
	unsigned long i;

	if (!page)
		return NULL;
	page->compound_order = order;
	for (i = 1; i < (1UL << order); i++)
		page[i].compound_head = page;
	return (struct folio *)page;
}

void folio_put(struct folio *folio)
{
	__free_pages(&folio->page, folio_order(folio));
}

struct page *alloc_contig_pages(unsigned long nr_pages, gfp_t gfp, int nid,
				nodemask_t *nodemask)
{
	unsigned int order = get_order(nr_pages << PAGE_SHIFT);

	return alloc_pages(gfp, order);
}

void free_contig_range(unsigned long pfn, unsigned long nr_pages)
{
	__free_pages(pfn_to_page(pfn), get_order(nr_pages << PAGE_SHIFT));
}

void adjust_managed_page_count(struct page *page, long count)
{
}

/*
 * Fault injection for the slab shim of tools/testing/shared/linux.c: the
 * link wraps the allocation entry points the maple tree and xarray use.
 */
static bool slab_should_fail(gfp_t gfp)
{
	unsigned long n;

	if (!kho_sim_faults.slab_every || (gfp & __GFP_NOFAIL))
		return false;
	n = __atomic_add_fetch(&kho_sim_faults.slab_attempts, 1,
			       __ATOMIC_RELAXED);
	if (n % kho_sim_faults.slab_every)
		return false;
	__atomic_add_fetch(&kho_sim_faults.slab_failed, 1, __ATOMIC_RELAXED);
	return true;
}

void *__wrap_kmem_cache_alloc_lru(struct kmem_cache *cachep,
				  struct list_lru *lru, int gfp)
{
	if (slab_should_fail(gfp))
		return NULL;
	return __real_kmem_cache_alloc_lru(cachep, lru, gfp);
}

int __wrap_kmem_cache_alloc_bulk(struct kmem_cache *cachep, gfp_t gfp,
				 size_t size, void **list)
{
	if (slab_should_fail(gfp))
		return 0;
	return __real_kmem_cache_alloc_bulk(cachep, gfp, size, list);
}

unsigned long kho_sim_slab_objects(void)
{
	return __atomic_load_n(&nr_allocated, __ATOMIC_RELAXED);
}

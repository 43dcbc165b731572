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
#define SIM_LOW_BASE	(1UL << 32)
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
	/*
	 * "Physical" addresses are the arena's user addresses. Put it at 4
	 * GiB, where a PC's RAM above the PCI hole starts, when that range is
	 * free: the page frame numbers (2^20 on) and so the depth of every
	 * xarray indexed by them are then those of a real machine, where the
	 * default place (pfn about 2^35) adds two levels to each. Sanitizer
	 * builds keep that range for their shadow: they get the default.
	 */
	arena_map = mmap((void *)SIM_LOW_BASE, arena_map_size, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			 MAP_FIXED_NOREPLACE, -1, 0);
	if (arena_map == MAP_FAILED)
		arena_map = mmap(NULL, arena_map_size, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				 -1, 0);
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

void kho_sim_reset_memmap(void)
{
	madvise(kho_sim_memmap, memmap_size, MADV_DONTNEED);
}

void kho_sim_reset_pages(void)
{
	kho_sim_reset_memmap();
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

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
static void sim_check_clean(const struct page *page, unsigned long nr)
{
	static const struct page clean;
	unsigned long i;

	for (i = 0; i < nr; i++)
		assert(!memcmp(&page[i], &clean, sizeof(clean)));
}
#else
static void sim_check_clean(const struct page *page, unsigned long nr)
{
}
#endif

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
	/*
	 * Free pages have clean struct pages: __free_pages() and
	 * kho_sim_reset_pages() clean them. Only the head is written, as the
	 * kernel's post_alloc_hook() does for an allocation without
	 * __GFP_COMP: an allocation of many pages costs no walk of the
	 * memmap (the sanitizer build checks the tails instead).
	 */
	sim_check_clean(page + 1, (1UL << order) - 1);
	memset(page, 0, sizeof(*page));
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

/*
 * The kernel slab model (kho_sim_slab_model), for the benchmark's timings.
 * tools/testing/shared/linux.c's slab is built to find bugs, not to cost
 * what SLUB costs: it fails every allocation without __GFP_DIRECT_RECLAIM
 * (so each maple tree store that needs nodes fails its GFP_NOWAIT attempt
 * and retries), and it hands every object of an aligned cache (maple nodes
 * are 256-byte aligned) to malloc() and back to free(). With the model on,
 * GFP_NOWAIT succeeds, as it does in a kernel with free memory, and freed
 * objects of every cache go to a free list of their cache that later
 * allocations take from first, as SLUB's per-CPU free lists do. Objects
 * on the free lists are not counted as allocated. The tests leave it off:
 * the sanitizers see every object's real lifetime, and the fault injection
 * above still fails allocations either way.
 */
bool kho_sim_slab_model;

#define SIM_CACHES	32

static struct sim_cache {
	struct kmem_cache *cachep;
	unsigned int size;
	int lock;
	void *free;		/* linked through each object's first word */
} sim_caches[SIM_CACHES];

struct kmem_cache *__wrap_kmem_cache_create(const char *name,
					    unsigned int size,
					    unsigned int align,
					    unsigned int flags,
					    void (*ctor)(void *))
{
	struct kmem_cache *cachep;
	int i;

	cachep = __real_kmem_cache_create(name, size, align, flags, ctor);
	for (i = 0; cachep && i < SIM_CACHES; i++) {
		if (!__atomic_load_n(&sim_caches[i].cachep, __ATOMIC_ACQUIRE)) {
			sim_caches[i].size = size;
			__atomic_store_n(&sim_caches[i].cachep, cachep,
					 __ATOMIC_RELEASE);
			break;
		}
	}
	return cachep;
}

static struct sim_cache *sim_cache(struct kmem_cache *cachep)
{
	int i;

	for (i = 0; i < SIM_CACHES; i++)
		if (__atomic_load_n(&sim_caches[i].cachep, __ATOMIC_ACQUIRE) ==
		    cachep)
			return &sim_caches[i];
	return NULL;
}

static void sim_cache_lock(struct sim_cache *c)
{
	while (__atomic_exchange_n(&c->lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void sim_cache_unlock(struct sim_cache *c)
{
	__atomic_store_n(&c->lock, 0, __ATOMIC_RELEASE);
}

/* up to @nr objects from @c's free list into @list; how many */
static size_t sim_cache_take(struct sim_cache *c, gfp_t gfp, size_t nr,
			     void **list)
{
	size_t i;

	sim_cache_lock(c);
	for (i = 0; i < nr && c->free; i++) {
		list[i] = c->free;
		c->free = *(void **)c->free;
	}
	/* as SLUB's prefetch_freepointer(): the next pop's load is under way */
	if (c->free)
		__builtin_prefetch(c->free);
	sim_cache_unlock(c);
	for (nr = 0; nr < i; nr++)
		if (gfp & __GFP_ZERO)
			memset(list[nr], 0, c->size);
	__atomic_add_fetch(&nr_allocated, (int)i, __ATOMIC_RELAXED);
	return i;
}

static void sim_cache_put(struct sim_cache *c, size_t nr, void **list)
{
	size_t i;

	sim_cache_lock(c);
	for (i = 0; i < nr; i++) {
		*(void **)list[i] = c->free;
		c->free = list[i];
	}
	sim_cache_unlock(c);
	__atomic_sub_fetch(&nr_allocated, (int)nr, __ATOMIC_RELAXED);
}

void *__wrap_kmem_cache_alloc_lru(struct kmem_cache *cachep,
				  struct list_lru *lru, int gfp)
{
	struct sim_cache *c;
	void *p;

	if (slab_should_fail(gfp))
		return NULL;
	if (kho_sim_slab_model) {
		c = sim_cache(cachep);
		if (c && sim_cache_take(c, gfp, 1, &p))
			return p;
		if (!(gfp & __GFP_DIRECT_RECLAIM))
			kmem_cache_set_non_kernel(cachep, 1);
	}
	return __real_kmem_cache_alloc_lru(cachep, lru, gfp);
}

int __wrap_kmem_cache_alloc_bulk(struct kmem_cache *cachep, gfp_t gfp,
				 size_t size, void **list)
{
	struct sim_cache *c;
	size_t got = 0;

	if (slab_should_fail(gfp))
		return 0;
	if (kho_sim_slab_model) {
		c = sim_cache(cachep);
		if (c)
			got = sim_cache_take(c, gfp, size, list);
		if (got == size)
			return size;
		if (!(gfp & __GFP_DIRECT_RECLAIM))
			kmem_cache_set_non_kernel(cachep, size - got);
		if (!__real_kmem_cache_alloc_bulk(cachep, gfp, size - got,
						  list + got)) {
			if (got)
				sim_cache_put(c, got, list);
			return 0;
		}
		return size;
	}
	return __real_kmem_cache_alloc_bulk(cachep, gfp, size, list);
}

void __wrap_kmem_cache_free(struct kmem_cache *cachep, void *objp)
{
	struct sim_cache *c = kho_sim_slab_model ? sim_cache(cachep) : NULL;

	if (c)
		sim_cache_put(c, 1, &objp);
	else
		__real_kmem_cache_free(cachep, objp);
}

void __wrap_kmem_cache_free_bulk(struct kmem_cache *cachep, size_t size,
				 void **list)
{
	struct sim_cache *c = kho_sim_slab_model ? sim_cache(cachep) : NULL;

	if (c)
		sim_cache_put(c, size, list);
	else
		__real_kmem_cache_free_bulk(cachep, size, list);
}

unsigned long kho_sim_slab_objects(void)
{
	return __atomic_load_n(&nr_allocated, __ATOMIC_RELAXED);
}

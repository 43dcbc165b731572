/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Simulated machine for running mm/kho_ranges*.c in userspace.
 *
 * RAM is one large sparse shared mapping of a memfd (MAP_NORESERVE, so
 * that vmap() can map its pages again elsewhere), aligned to
 * 1 GiB so that folios of any order up to PUD size are naturally aligned.
 * Its addresses are its physical addresses: phys_to_virt() is the identity,
 * as in the kernel's tools/testing shims. It is registered with the real
 * mm/memblock.c as memory and has a struct page memmap.
 *
 * The arena is split in two:
 *
 *   [ram_base, ram_base + ram_size)    where workloads place preserved folios
 *   [pool_base, pool_base + pool_size) where alloc_pages() takes pages from,
 *                                      e.g. the serialized blob
 */
#ifndef _KHO_SIM_H
#define _KHO_SIM_H

#include <linux/types.h>
#include <stdbool.h>

struct kho_sim {
	phys_addr_t ram_base;
	u64 ram_size;
	phys_addr_t pool_base;
	u64 pool_size;
};

extern struct kho_sim kho_sim;

int kho_sim_init(u64 ram_size, u64 pool_size);
void kho_sim_exit(void);

/*
 * Map [@phys, @phys + @len) of the arena at @va too, over what was there:
 * what vmap() does with page tables. Used by the vmalloc shim (vmalloc.c).
 */
int kho_sim_alias(void *va, phys_addr_t phys, size_t len);

/* forget every page allocation and every struct page state */
void kho_sim_reset_pages(void);
/*
 * Only every struct page state, as a next kernel's fresh memmap: pages
 * allocated before stay allocated, so a tracker that lives on can still
 * allocate without being handed its own pages again.
 */
void kho_sim_reset_memmap(void);

/*
 * Start the "next kernel": empty memblock, then memblock_add() the arena
 * (both parts), as early boot does from the firmware memory map.
 */
void kho_sim_boot(bool allow_resize);

/* pages allocated from the pool right now */
unsigned long kho_sim_pages_in_use(void);

/*
 * Fault injection. Slab allocations (maple tree and xarray nodes) fail on
 * every nth attempt once armed; page allocations fail while fail_pages is
 * set. Allocations with __GFP_NOFAIL never fail.
 */
struct kho_sim_faults {
	unsigned long slab_every;
	unsigned long slab_attempts;
	unsigned long slab_failed;
	bool fail_pages;
};

extern struct kho_sim_faults kho_sim_faults;

/* slab objects and bytes currently allocated (tracker memory) */
unsigned long kho_sim_slab_objects(void);

/* slab costs as in a kernel (sim.c); the benchmark turns it on */
extern bool kho_sim_slab_model;

/*
 * Symbols of the kernel code and shims linked into the harness that no
 * header declares in userspace.
 */
struct kmem_cache;
struct list_lru;
extern int nr_allocated;
void maple_tree_init(void);
void radix_tree_init(void);
void *__real_kmem_cache_alloc_lru(struct kmem_cache *cachep,
				  struct list_lru *lru, int gfp);
int __real_kmem_cache_alloc_bulk(struct kmem_cache *cachep, gfp_t gfp,
				 size_t size, void **list);
struct kmem_cache *__real_kmem_cache_create(const char *name,
					    unsigned int size,
					    unsigned int align,
					    unsigned int flags,
					    void (*ctor)(void *));
void __real_kmem_cache_free(struct kmem_cache *cachep, void *objp);
void __real_kmem_cache_free_bulk(struct kmem_cache *cachep, size_t size,
				 void **list);
void kmem_cache_set_non_kernel(struct kmem_cache *cachep, unsigned int val);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A baseline: Kexec HandOver's tracker of preserved memory as upstream has
 * it since 2026 ("kho-v2"), a radix tree that is its own handover, written
 * for this benchmark from its description.
 *
 * Every preserved folio is one bit. Its key packs the order above the pfn:
 *
 *   key = BIT(KHO_RADIX_ORDER0_BIT - order) | (pfn >> order)
 *
 * so that each order has a key range of its own (order 0 the highest) and
 * the folios of one order are in address order within it. The tree is
 * made of page-sized nodes: an interior node holds 512 physical addresses
 * of nodes of the level below (0: none), a leaf is a bitmap of 32,768
 * keys. Three interior levels and the leaves cover the 41 key bits of a
 * 52-bit physical address space. The next kernel is given the physical
 * address of the root and reads the tree in place.
 */
#ifndef _BENCH_KHO_RADIX_H
#define _BENCH_KHO_RADIX_H

#include <linux/types.h>

#include "kho_baseline.h"

/* 52-bit physical addresses: order-0 keys carry bit 40 */
#define KHO_RADIX_PHYS_BITS	52
#define KHO_RADIX_ORDER0_BIT	(KHO_RADIX_PHYS_BITS - PAGE_SHIFT)
#define KHO_RADIX_KEY_BITS	(KHO_RADIX_ORDER0_BIT + 1)

/* 512 u64 slots per interior node, 32,768 bits per leaf (4 KiB pages) */
#define KHO_RADIX_SLOT_SHIFT	(PAGE_SHIFT - 3)
#define KHO_RADIX_SLOTS		(1UL << KHO_RADIX_SLOT_SHIFT)
#define KHO_RADIX_LEAF_SHIFT	(PAGE_SHIFT + 3)
#define KHO_RADIX_LEAF_BITS	(1UL << KHO_RADIX_LEAF_SHIFT)

/* interior levels above the leaves (level 0); the root is the top one */
#define KHO_RADIX_TOP_LEVEL						\
	DIV_ROUND_UP(KHO_RADIX_KEY_BITS - KHO_RADIX_LEAF_SHIFT,		\
		     KHO_RADIX_SLOT_SHIFT)

/*
 * The largest order the tree takes: 1 GiB folios and then some. The next
 * kernel rejects a key of a larger one.
 */
#define KHO_RADIX_MAX_ORDER	20

/**
 * struct kho_radix - the tracker of the previous kernel
 * @root:      physical address of the root node, 0 while empty
 * @nr_nodes:  nodes allocated, leaves included
 * @nr_leaves: leaves allocated
 * @nr_folios: folios preserved
 */
struct kho_radix {
	phys_addr_t root;
	unsigned long nr_nodes;
	unsigned long nr_leaves;
	unsigned long nr_folios;
};

void kho_radix_init(struct kho_radix *t);
void kho_radix_destroy(struct kho_radix *t);
int kho_radix_preserve(struct kho_radix *t, unsigned long pfn,
		       unsigned int order);
int kho_radix_unpreserve(struct kho_radix *t, unsigned long pfn,
			 unsigned int order);

/* next kernel side */
int kho_radix_deserialize(phys_addr_t root, unsigned int how,
			  struct kho_baseline_stats *st);
unsigned int kho_radix_restore_order(unsigned long pfn);
u64 kho_radix_read_all(phys_addr_t root);

#endif /* _BENCH_KHO_RADIX_H */

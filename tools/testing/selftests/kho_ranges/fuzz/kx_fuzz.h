/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzz input format for the radix baseline's deserializer
 * (bench/baselines/kho_radix.c), shared by its libFuzzer target and the
 * seed generator.
 *
 *   struct kx_fuzz_ctl        8 bytes: flags and the root
 *   struct kx_fuzz_rec[]      16 bytes each, applied in order
 *
 * Node n of the input is the page at RAM + KX_FUZZ_IMG_OFF + n * PAGE_SIZE,
 * zeroed before the records are applied. Addresses below KX_FUZZ_ARENA
 * are offsets into RAM, made absolute by the harness (as in kb_fuzz.h).
 *
 * A key names a folio by its physical address, which depends on where the
 * harness mapped RAM. So records that place a pointer or a bit do it by
 * key: "the key of the folio of @order @key_off folios into RAM", and the
 * harness computes the slot or bit of that key at @level. Since RAM is
 * 1 GiB aligned, the folios of one order in RAM then fall in the same
 * nodes wherever RAM is: the same input is the same tree. Raw records
 * write any word anywhere.
 */
#ifndef _KX_FUZZ_H
#define _KX_FUZZ_H

#include <linux/kernel.h>
#include <linux/unaligned.h>

#include "kho_radix.h"

#define KX_FUZZ_ARENA		(1ULL << 30)
/*
 * Memory, as the next kernel sees it: the first 64 MiB of the arena. The
 * deserializer reads at most as many nodes as there are pages of memory,
 * so a tree of shared nodes costs one read of memory: keep that short.
 */
#define KX_FUZZ_RAM		(64ULL << 20)
#define KX_FUZZ_MAX_INPUT	(16U << 10)
#define KX_FUZZ_IMG_OFF		(1U << 20)
#define KX_FUZZ_MAX_NODES	256
/* memblock allocates only below this, as upstream's scratch areas */
#define KX_FUZZ_SCRATCH		KX_FUZZ_IMG_OFF

/* ctl.flags */
#define KX_FUZZ_BULK		0x01	/* memblock_reserve_bulk() variant */

struct kx_fuzz_ctl {
	u8 flags;
	u8 pad[3];
	__le32 root;		/* an offset into RAM (0: empty tree) */
} __packed;

/* kx_fuzz_rec.kind */
enum {
	KX_REC_WORD,		/* node[slot] = value */
	KX_REC_PTR,		/* node[slot] = value, relocated */
	KX_REC_PTR_KEY,		/* node[slot of key at level] = value, relocated */
	KX_REC_BITS_KEY,	/* leaf: bit of key + j for each bit j of value */
	KX_NR_REC
};

struct kx_fuzz_rec {
	u8 node;
	u8 kind;
	u8 level;
	u8 order;
	__le32 arg;		/* slot, or key_off: folios of @order into RAM */
	__le64 value;
} __packed;

static inline u64 kx_fuzz_reloc(u64 v, phys_addr_t base)
{
	return v < KX_FUZZ_ARENA ? v + base : v;
}

/* the key of the folio of @order @off folios into RAM at @base */
static inline u64 kx_fuzz_key(phys_addr_t base, unsigned int order, u64 off)
{
	order %= KHO_RADIX_MAX_ORDER + 1;
	return BIT_ULL(KHO_RADIX_ORDER0_BIT - order) +
	       ((PHYS_PFN(base) >> order) + off);
}

static inline unsigned int kx_fuzz_slot(u64 key, unsigned int level)
{
	unsigned int shift = KHO_RADIX_LEAF_SHIFT +
			     (level - 1) * KHO_RADIX_SLOT_SHIFT;

	return level ? (key >> shift) & (KHO_RADIX_SLOTS - 1) :
		       key & (KHO_RADIX_LEAF_BITS - 1);
}

/* apply one record to the nodes at @img; RAM starts at @base */
static inline void kx_fuzz_apply(u8 *img, const struct kx_fuzz_rec *r,
				 phys_addr_t base)
{
	u64 *node = (u64 *)(img + (unsigned long)r->node * PAGE_SIZE);
	u64 arg = le32_to_cpu(r->arg), value = le64_to_cpu(r->value);
	unsigned int level = r->level % (KHO_RADIX_TOP_LEVEL + 1), j;
	u64 key;

	switch (r->kind % KX_NR_REC) {
	case KX_REC_WORD:
		node[arg % KHO_RADIX_SLOTS] = value;
		break;
	case KX_REC_PTR:
		node[arg % KHO_RADIX_SLOTS] = kx_fuzz_reloc(value, base);
		break;
	case KX_REC_PTR_KEY:
		key = kx_fuzz_key(base, r->order, arg);
		node[kx_fuzz_slot(key, level ?: 1)] = kx_fuzz_reloc(value, base);
		break;
	default:
		key = kx_fuzz_key(base, r->order, arg);
		for (j = 0; j < 64; j++)
			if (value & BIT_ULL(j))
				__set_bit(kx_fuzz_slot(key + j, 0),
					  (unsigned long *)node);
	}
}

#endif /* _KX_FUZZ_H */

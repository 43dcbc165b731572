/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzz input format for the bitmap baseline's deserializer
 * (bench/baselines/kho_bitmap.c), shared by its libFuzzer target and the seed
 * generator. The same idea as kr_fuzz.h: addresses in the input are
 * offsets into the simulated RAM, made absolute by the harness.
 *
 *   struct kb_fuzz_ctl        8 bytes, little endian
 *   image                     the rest: chunks and bitmaps, placed at
 *                             RAM + KB_FUZZ_IMG_OFF
 *
 * The root FDT is generated: compatible "kho-v1" and a
 * preserved-memory-map property pointing at ctl.first. With KB_FUZZ_RELOC
 * the harness follows the chunk list from there, inside the image, and
 * adds the RAM base to every next, phys_start and bitmap below
 * KB_FUZZ_ARENA, as the loader of a previous kernel's memory would have
 * found them. Chunks are not padded to pages: the deserializer reads only
 * the header and nr_elms elements.
 */
#ifndef _KB_FUZZ_H
#define _KB_FUZZ_H

#include <linux/kernel.h>
#include <linux/unaligned.h>

#include "kho_bitmap.h"

#define KB_FUZZ_ARENA		(1ULL << 30)
#define KB_FUZZ_MAX_INPUT	(16U << 10)
#define KB_FUZZ_IMG_OFF		(1U << 20)
/* memblock allocates only below this, as upstream's scratch areas */
#define KB_FUZZ_SCRATCH		KB_FUZZ_IMG_OFF
#define KB_FUZZ_FDT_OFF		(KB_FUZZ_ARENA - PAGE_SIZE)
#define KB_FUZZ_MAX_CHUNKS	256

/* ctl.flags */
#define KB_FUZZ_RELOC		0x01
#define KB_FUZZ_BULK		0x02	/* memblock_reserve_bulk() variant */
#define KB_FUZZ_BITS_6_18	0x04	/* page-sized bitmaps, as 6.18 */

struct kb_fuzz_ctl {
	u8 flags;
	u8 pad[3];
	__le32 first;		/* first chunk, an offset into RAM */
} __packed;

#define KB_CHUNK_NEXT		0
#define KB_CHUNK_ORDER		8
#define KB_CHUNK_NR		12
#define KB_CHUNK_ELMS		16
#define KB_ELM_SIZE		16

static inline u64 kb_fuzz_reloc(u64 v, phys_addr_t base)
{
	return v < KB_FUZZ_ARENA ? v + base : v;
}

static inline bool kb_fuzz_seen(const u64 *seen, unsigned int nr, u64 off)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (seen[i] == off)
			return true;
	return false;
}

/* relocate the chunk list that starts at offset @first of RAM */
static inline void kb_fuzz_reloc_image(u8 *img, size_t len, u64 first,
				       phys_addr_t base)
{
	u64 seen[KB_FUZZ_MAX_CHUNKS], off = first;
	unsigned int nr_seen = 0;

	while (nr_seen < KB_FUZZ_MAX_CHUNKS && off >= KB_FUZZ_IMG_OFF &&
	       off - KB_FUZZ_IMG_OFF <= len - KB_CHUNK_ELMS &&
	       len >= KB_CHUNK_ELMS && !kb_fuzz_seen(seen, nr_seen, off)) {
		u8 *chunk = img + (off - KB_FUZZ_IMG_OFF);
		size_t room = len - (off - KB_FUZZ_IMG_OFF) - KB_CHUNK_ELMS;
		u64 nr = get_unaligned_le32(chunk + KB_CHUNK_NR);
		u64 next = get_unaligned_le64(chunk + KB_CHUNK_NEXT);
		u64 i;

		seen[nr_seen++] = off;
		for (i = 0; i < nr && i < room / KB_ELM_SIZE; i++) {
			u8 *elm = chunk + KB_CHUNK_ELMS + i * KB_ELM_SIZE;

			put_unaligned_le64(kb_fuzz_reloc(get_unaligned_le64(elm),
							 base), elm);
			put_unaligned_le64(kb_fuzz_reloc(get_unaligned_le64(elm + 8),
							 base), elm + 8);
		}
		if (!next)
			break;
		put_unaligned_le64(kb_fuzz_reloc(next, base), chunk + KB_CHUNK_NEXT);
		off = next;
	}
}

#endif

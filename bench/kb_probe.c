// SPDX-License-Identifier: GPL-2.0
/*
 * The limit probe of ranges. Any deserializer of the same preserved memory
 * must at least read the handover and write memblock.reserved's regions
 * for it: one region per run of preserved pages, in address order, runs
 * that touch joined. This does exactly that and nothing else: no checks,
 * no checksum, no memblock calls, into a region array that is already
 * large enough. It reads the blob's range records and the set bits of its
 * bitmap records, merges the two sorted streams, and writes a struct
 * memblock_region per run with MEMBLOCK_RSRV_NOINIT, as the bulk
 * deserializer leaves them. The time it takes is "the limit" that
 * make bench divides ranges-bulk by.
 */
#include <stdlib.h>

#include <linux/bitops.h>
#include <linux/bitmap.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/unaligned.h>

#include "kb_probe.h"

struct kb_probe_bits {
	const u8 *rec;			/* next bitmap record */
	unsigned long left;		/* records from @rec on */
	u32 stride;
	const u8 *blob;
	/* the current record */
	const unsigned long *words;
	u64 start;
	unsigned int shift;
	unsigned long nbits;
	unsigned long bit;
};

/* the next run of set bits, as [*base, *end), or false */
static bool kb_probe_run(struct kb_probe_bits *b, u64 *base, u64 *end)
{
	unsigned long first, last;

	for (;;) {
		if (b->words) {
			first = find_next_bit(b->words, b->nbits, b->bit);
			if (first < b->nbits) {
				last = find_next_zero_bit(b->words, b->nbits,
							  first);
				b->bit = last;
				*base = b->start + ((u64)first << b->shift);
				*end = b->start + ((u64)last << b->shift);
				return true;
			}
		}
		if (!b->left)
			return false;
		b->start = get_unaligned_le64(b->rec);
		b->shift = PAGE_SHIFT + (get_unaligned_le32(b->rec + 8) & 0x1f);
		b->nbits = get_unaligned_le32(b->rec + 12);
		b->words = (const void *)(b->blob + get_unaligned_le64(b->rec + 16));
		b->bit = 0;
		b->rec += b->stride;
		b->left--;
	}
}

/**
 * kb_probe_ranges() - the limit: read a blob, write its memblock regions
 * @blob: a blob kho_ranges_serialize() wrote
 *
 * Return: the number of regions written.
 */
unsigned long kb_probe_ranges(const void *blob)
{
	static struct memblock_region *out;
	static unsigned long room;
	const u8 *p = blob;
	u32 hdr_size = get_unaligned_le32(p + 8);
	u32 range_size = get_unaligned_le32(p + 12);
	unsigned long nr = get_unaligned_le64(p + 24), i = 0, n = 0;
	struct kb_probe_bits b = { .blob = p };
	const u8 *rec = p + hdr_size;
	u64 rbase = 0, rend = 0, bbase = 0, bend = 0, base, end;
	bool have_r, have_b;

	if (get_unaligned_le16(p + 4) == 2) {
		b.left = get_unaligned_le64(p + 48);
		b.stride = get_unaligned_le32(p + 56);
		b.rec = rec + nr * range_size;
	}
	have_r = nr > 0;
	if (have_r) {
		rbase = get_unaligned_le64(rec);
		rend = rbase + ((u64)get_unaligned_le32(rec + 8) << PAGE_SHIFT);
	}
	have_b = kb_probe_run(&b, &bbase, &bend);
	while (have_r || have_b) {
		if (have_r && (!have_b || rbase < bbase)) {
			base = rbase;
			end = rend;
			have_r = ++i < nr;
			if (have_r) {
				rec += range_size;
				rbase = get_unaligned_le64(rec);
				rend = rbase + ((u64)get_unaligned_le32(rec + 8)
						<< PAGE_SHIFT);
			}
		} else {
			base = bbase;
			end = bend;
			have_b = kb_probe_run(&b, &bbase, &bend);
		}
		if (n && out[n - 1].base + out[n - 1].size == base) {
			out[n - 1].size += end - base;
		} else {
			/* grows in the warm-up run, never in a timed one */
			if (n == room) {
				room = room ? 2 * room : 1024;
				out = realloc(out, room * sizeof(*out));
				if (!out)
					return 0;
			}
			out[n].base = base;
			out[n].size = end - base;
			out[n].flags = MEMBLOCK_RSRV_NOINIT;
			n++;
		}
	}
	return n;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the inputs of fuzz_bitmap (kb_fuzz.h):
 *
 *   mkcorpus_bitmap CORPUS HOSTILE
 *
 * CORPUS gets handovers the baseline's own serializer wrote, moved into
 * one compact image with addresses relative to RAM: the seeds. HOSTILE
 * gets one input per kind of hostile handover, the same kinds as the
 * kho_ranges inputs fuzz/hostile.sh runs next to them; most of them crash
 * the baseline, which is why they are not seeds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>

#include "sim.h"
#include "kb_fuzz.h"

static u8 buf[KB_FUZZ_MAX_INPUT];

struct image {
	struct kb_fuzz_ctl ctl;
	u8 b[KB_FUZZ_MAX_INPUT - sizeof(struct kb_fuzz_ctl)];
	size_t len;
};

static void write_input(const char *dir, const char *name,
			const struct image *im)
{
	size_t len = sizeof(im->ctl) + im->len;
	char path[512];
	FILE *f;

	memcpy(buf, &im->ctl, sizeof(im->ctl));
	memcpy(buf + sizeof(im->ctl), im->b, im->len);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/*
 * An element's phys_start is aligned to what its bitmap covers (16 MiB to
 * 8 GiB), so it may lie below the start of RAM, where no offset from it
 * reaches. Express it from the first folio of RAM instead: the same
 * folios, the bitmap shifted by the folios in between, which are none.
 */
static u64 rebase(u8 *out, const u8 *bitmap, unsigned int bits, u64 start,
		  unsigned int order)
{
	const u64 folio = PAGE_SIZE << order, base = kho_sim.ram_base;
	u64 shift = start < base ? (base - start + folio - 1) / folio : 0;
	unsigned int i;

	memset(out, 0, bits / 8);
	for (i = 0; i < bits; i++) {
		if (!(bitmap[i / 8] & (1 << (i % 8))))
			continue;
		if (i < shift) {
			fprintf(stderr, "a folio below RAM\n");
			exit(1);
		}
		out[(i - shift) / 8] |= 1 << ((i - shift) % 8);
	}
	return start + shift * folio - base;
}

/*
 * The serialized list, compacted: every chunk's header and elements one
 * after the other, then every bitmap, all pointers made offsets into RAM.
 */
static void image_from(struct image *im, const struct kho_bitmap *kb)
{
	const phys_addr_t base = kho_sim.ram_base;
	const size_t bmp = kb->bits / 8;
	phys_addr_t chunk;
	size_t off = 0, bitmaps;
	u64 prev = 0;

	memset(im, 0, sizeof(*im));
	bitmaps = 0;
	for (chunk = kb->first_chunk; chunk;
	     chunk = ((struct kho_bitmap_chunk *)chunk)->hdr.next)
		bitmaps += KB_CHUNK_ELMS +
			   KB_ELM_SIZE * ((struct kho_bitmap_chunk *)chunk)->hdr.nr_elms;
	for (chunk = kb->first_chunk; chunk;
	     chunk = ((struct kho_bitmap_chunk *)chunk)->hdr.next) {
		const struct kho_bitmap_chunk *c = (const void *)chunk;
		u8 *out = im->b + off;
		u32 i;

		if (prev)
			put_unaligned_le64(KB_FUZZ_IMG_OFF + off,
					   im->b + prev - KB_FUZZ_IMG_OFF);
		else
			im->ctl.first = cpu_to_le32(KB_FUZZ_IMG_OFF + off);
		prev = KB_FUZZ_IMG_OFF + off;
		put_unaligned_le32(c->hdr.order, out + KB_CHUNK_ORDER);
		put_unaligned_le32(c->hdr.nr_elms, out + KB_CHUNK_NR);
		for (i = 0; i < c->hdr.nr_elms; i++) {
			u8 *elm = out + KB_CHUNK_ELMS + i * KB_ELM_SIZE;

			if (bitmaps + bmp > sizeof(im->b)) {
				fprintf(stderr, "handover too large for an input\n");
				exit(1);
			}
			put_unaligned_le64(KB_FUZZ_IMG_OFF + bitmaps, elm + 8);
			put_unaligned_le64(rebase(im->b + bitmaps,
						  (void *)c->elms[i].bitmap,
						  kb->bits, c->elms[i].phys_start,
						  c->hdr.order), elm);
			bitmaps += bmp;
		}
		off += KB_CHUNK_ELMS + KB_ELM_SIZE * c->hdr.nr_elms;
	}
	im->len = bitmaps;
	im->ctl.flags = KB_FUZZ_RELOC | (kb->bits == KHO_BITMAP_BITS_6_18 ?
					 KB_FUZZ_BITS_6_18 : 0);
}

/* a serialized baseline tracker, as seeds */
static void seed(const char *dir, const char *name, unsigned int bits,
		 void (*fill)(struct kho_bitmap *kb), bool bulk_too)
{
	static struct image im;
	struct kho_bitmap kb;
	char bulk[256];

	kho_sim_reset_pages();
	kho_bitmap_init(&kb, bits);
	fill(&kb);
	if (kho_bitmap_serialize(&kb))
		exit(1);
	image_from(&im, &kb);
	write_input(dir, name, &im);
	if (bulk_too) {
		im.ctl.flags |= KB_FUZZ_BULK;
		snprintf(bulk, sizeof(bulk), "%s-bulk", name);
		write_input(dir, bulk, &im);
	}
	kho_bitmap_destroy(&kb);
}

#define PFN(off)	(PHYS_PFN(kho_sim.ram_base) + (off))

/* the round-trip mix: folios of orders 0..9, a few per order */
static void fill_mixed(struct kho_bitmap *kb)
{
	unsigned int i;

	for (i = 0; i < 40; i++)
		kho_bitmap_preserve(kb, PFN(8192UL * (1 + i / 4) + (i % 4 << (i / 4))),
				    i / 4);
}

/* scattered order-0 pages: several bitmaps of one order */
static void fill_scattered(struct kho_bitmap *kb)
{
	unsigned int i;

	for (i = 0; i < 200; i++)
		kho_bitmap_preserve(kb, PFN(512 + 97 * i + i % 7), 0);
}

/* the first and the last folio of RAM */
static void fill_ends(struct kho_bitmap *kb)
{
	kho_bitmap_preserve(kb, PFN(0), 0);
	kho_bitmap_preserve(kb, PFN((KB_FUZZ_ARENA >> PAGE_SHIFT) - 512), 9);
}

static void fill_nothing(struct kho_bitmap *kb)
{
}

/* a small valid handover: order 0 and order 9, one chunk each */
static void hostile_base(struct image *im)
{
	struct kho_bitmap kb;

	kho_sim_reset_pages();
	kho_bitmap_init(&kb, KHO_BITMAP_BITS_6_16);
	kho_bitmap_preserve(&kb, PFN(16), 0);
	kho_bitmap_preserve(&kb, PFN(17), 0);
	kho_bitmap_preserve(&kb, PFN(4096), 9);
	if (kho_bitmap_serialize(&kb))
		exit(1);
	image_from(im, &kb);
	kho_bitmap_destroy(&kb);
}

/* offsets in the image of the base handover's two chunks */
#define CHUNK0		0
#define CHUNK1		(KB_CHUNK_ELMS + KB_ELM_SIZE)
#define ELM(c)		((c) + KB_CHUNK_ELMS)

static void hostile(const char *dir)
{
	static struct image im;
	u8 *bitmap;
	u32 i;

	hostile_base(&im);
	write_input(dir, "valid", &im);

	/* no elements at all: nothing preserved */
	hostile_base(&im);
	put_unaligned_le32(0, im.b + CHUNK0 + KB_CHUNK_NR);
	put_unaligned_le64(0, im.b + CHUNK0 + KB_CHUNK_NEXT);
	write_input(dir, "empty", &im);

	/* a folio ending at the last byte of RAM */
	hostile_base(&im);
	/* the folio is bit 8 of the bitmap: 8 folios after phys_start */
	put_unaligned_le64(KB_FUZZ_ARENA - 9 * (2 << 20), im.b + ELM(CHUNK1));
	write_input(dir, "end-of-ram", &im);

	/* folios beyond RAM: an absolute address, no memory there */
	hostile_base(&im);
	put_unaligned_le64(1ULL << 40, im.b + ELM(CHUNK0));
	write_input(dir, "outside-ram", &im);

	/* a folio whose end wraps past 2^64 */
	hostile_base(&im);
	put_unaligned_le64(0ULL - 9 * (2 << 20), im.b + ELM(CHUNK1));
	write_input(dir, "wrap-64", &im);

	/* an order-9 folio on a 4 KiB boundary only */
	hostile_base(&im);
	put_unaligned_le64((16 << 20) + PAGE_SIZE, im.b + ELM(CHUNK1));
	write_input(dir, "misaligned", &im);

	/* the order-0 pages inside the order-9 folio */
	hostile_base(&im);
	put_unaligned_le64(4096ULL << PAGE_SHIFT, im.b + ELM(CHUNK0));
	write_input(dir, "overlap", &im);

	/* an order no folio has; the shift by it is undefined */
	hostile_base(&im);
	put_unaligned_le32(60, im.b + CHUNK1 + KB_CHUNK_ORDER);
	write_input(dir, "huge-order", &im);

	/* the root FDT points outside RAM */
	hostile_base(&im);
	im.ctl.first = cpu_to_le32(0xfff00000);
	im.ctl.flags &= ~KB_FUZZ_RELOC;
	write_input(dir, "pointer-outside-ram", &im);

	/* more elements than the chunk holds: the list's end is read on */
	hostile_base(&im);
	put_unaligned_le32(300, im.b + CHUNK1 + KB_CHUNK_NR);
	write_input(dir, "truncated", &im);

	/* a chunk that is its own successor */
	hostile_base(&im);
	put_unaligned_le64(KB_FUZZ_IMG_OFF + CHUNK1, im.b + CHUNK1 + KB_CHUNK_NEXT);
	write_input(dir, "cyclic", &im);

	/* one flipped bit in a pointer, as a memory error would leave it */
	hostile_base(&im);
	im.b[CHUNK0 + KB_CHUNK_NEXT + 5] ^= 0x10;
	write_input(dir, "bitflip", &im);

	/* every bit of a chunk's bitmap set: 4096 folios of order 0 */
	hostile_base(&im);
	bitmap = im.b + get_unaligned_le64(im.b + ELM(CHUNK0) + 8) - KB_FUZZ_IMG_OFF;
	for (i = 0; i < KHO_BITMAP_BITS_6_16 / 8; i++)
		bitmap[i] = 0xff;
	write_input(dir, "max", &im);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s CORPUS HOSTILE\n", argv[0]);
		return 1;
	}
	if (kho_sim_init(0, KB_FUZZ_ARENA))
		return 1;
	seed(argv[1], "mixed-6.16", KHO_BITMAP_BITS_6_16, fill_mixed, true);
	seed(argv[1], "scattered-6.16", KHO_BITMAP_BITS_6_16, fill_scattered,
	     true);
	seed(argv[1], "ends-6.18", KHO_BITMAP_BITS_6_18, fill_ends, true);
	seed(argv[1], "empty-6.16", KHO_BITMAP_BITS_6_16, fill_nothing, false);
	hostile(argv[2]);
	kho_sim_exit();
	return 0;
}

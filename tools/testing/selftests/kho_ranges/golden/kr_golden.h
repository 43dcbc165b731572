/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A writer of kho_ranges blobs that shares no code with mm/kho_ranges.c:
 * every field is put byte by byte from the ABI table in
 * Documentation/core-api/kho_ranges.rst, and the checksum is a bitwise
 * crc32 rather than lib/crc32.c, or an xxh64 written from the xxHash
 * specification rather than lib/xxhash.c. It can write the bytes the way a
 * little-endian, a big-endian or a 32-bit kernel would produce them, and
 * longer headers and records the way a later minor version would; of
 * major 2, with bitmap records and their words.
 *
 * Also the format of the golden handovers in this directory: NAME.blob and
 * NAME.fdt are the bytes as a previous kernel left them, NAME.txt says
 * where they were and what a reader must find in them.
 */
#ifndef _KR_GOLDEN_H
#define _KR_GOLDEN_H

#include <string.h>

#include <linux/types.h>
#include <linux/kho_ranges_abi.h>
#include <linux/libfdt.h>

/* the golden handovers' "physical memory": nothing is ever mapped there */
#define KR_GOLDEN_BASE		0x100000000ULL

/* how the writer's CPU would have produced the bytes */
enum kr_writer_cpu {
	KR_WRITER_LE64,		/* x86-64: stores are already little endian */
	KR_WRITER_BE64,		/* big endian: native stores, then byte swap */
	KR_WRITER_LE32,		/* 32-bit: a u64 is two u32 words */
};

struct kr_writer {
	enum kr_writer_cpu cpu;
	u16 major;
	u16 minor;
	u32 hdr_size;
	u32 range_size;
	u32 flags;
	u32 page_shift;
	u32 bitmap_size;	/* major 2 */
};

struct kr_writer_rec {
	u64 start;
	u32 nr_pages;
	u32 info;
};

/*
 * A bitmap record (major 2): @bits holds DIV_ROUND_UP(@nr_bits, 64) words
 * as the CPU has them, bit b of word w for folio w * 64 + b.
 */
struct kr_writer_bm {
	u64 start;
	u32 info;
	u32 nr_bits;
	const u64 *bits;
};

/* what a 1.0 kernel writes */
#define KR_WRITER_V1(c) ((struct kr_writer){				\
	.cpu = (c), .major = 1, .minor = 0, .hdr_size = 48,		\
	.range_size = 16, .page_shift = 12,				\
})

/* what a 2.0 kernel writes for a blob with bitmap records */
#define KR_WRITER_V2(c) ((struct kr_writer){				\
	.cpu = (c), .major = 2, .minor = 0, .hdr_size = 64,		\
	.range_size = 16, .page_shift = 12, .bitmap_size = 24,		\
})

/* bytes of the words of a bitmap record of @nr_bits folios */
static inline u64 kr_writer_words_len(u32 nr_bits)
{
	return ((u64)nr_bits + 63) / 64 * 8;
}

/* store @bytes bytes of @v at @p, little endian, as CPU @cpu gets there */
static inline void kr_writer_put(u8 *p, u64 v, unsigned int bytes,
				 enum kr_writer_cpu cpu)
{
	u8 native[8];
	unsigned int i;

	switch (cpu) {
	case KR_WRITER_LE64:
		for (i = 0; i < bytes; i++)
			p[i] = v >> (8 * i);
		break;
	case KR_WRITER_BE64:
		/* the value as it sits in a big-endian register spilled */
		for (i = 0; i < bytes; i++)
			native[i] = v >> (8 * (bytes - 1 - i));
		/* cpu_to_le*() on big endian is a byte swap */
		for (i = 0; i < bytes; i++)
			p[i] = native[bytes - 1 - i];
		break;
	case KR_WRITER_LE32:
		/* a u64 field is written as its low word, then its high word */
		if (bytes == 8) {
			kr_writer_put(p, (u32)v, 4, cpu);
			kr_writer_put(p + 4, (u32)(v >> 32), 4, cpu);
		} else {
			for (i = 0; i < bytes; i++)
				p[i] = (u32)v >> (8 * i);
		}
		break;
	}
}

/* crc32 (IEEE 802.3, reflected), one bit at a time */
static inline u32 kr_writer_crc32(u32 crc, const u8 *p, size_t len)
{
	unsigned int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return crc;
}

/* xxh64 from the xxHash specification: one pass, seed 0, little endian */
#define KR_XXH_P1	0x9e3779b185ebca87ULL
#define KR_XXH_P2	0xc2b2ae3d27d4eb4fULL
#define KR_XXH_P3	0x165667b19e3779f9ULL
#define KR_XXH_P4	0x85ebca77c2b2ae63ULL
#define KR_XXH_P5	0x27d4eb2f165667c5ULL

static inline u64 kr_writer_rotl(u64 x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline u64 kr_writer_le(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static inline u64 kr_writer_xxh_round(u64 acc, u64 lane)
{
	return kr_writer_rotl(acc + lane * KR_XXH_P2, 31) * KR_XXH_P1;
}

static inline u64 kr_writer_xxh64(const u8 *p, size_t len)
{
	u64 v[4] = { KR_XXH_P1 + KR_XXH_P2, KR_XXH_P2, 0, -KR_XXH_P1 };
	size_t left = len;
	unsigned int i;
	u64 h;

	if (left >= 32) {
		for (; left >= 32; left -= 32, p += 32)
			for (i = 0; i < 4; i++)
				v[i] = kr_writer_xxh_round(v[i],
							   kr_writer_le(p + 8 * i, 8));
		h = kr_writer_rotl(v[0], 1) + kr_writer_rotl(v[1], 7) +
		    kr_writer_rotl(v[2], 12) + kr_writer_rotl(v[3], 18);
		for (i = 0; i < 4; i++)
			h = (h ^ kr_writer_xxh_round(0, v[i])) * KR_XXH_P1 +
			    KR_XXH_P4;
	} else {
		h = KR_XXH_P5;
	}
	h += len;
	for (; left >= 8; left -= 8, p += 8)
		h = kr_writer_rotl(h ^ kr_writer_xxh_round(0, kr_writer_le(p, 8)),
				   27) * KR_XXH_P1 + KR_XXH_P4;
	if (left >= 4) {
		h = kr_writer_rotl(h ^ kr_writer_le(p, 4) * KR_XXH_P1, 23) *
		    KR_XXH_P2 + KR_XXH_P3;
		left -= 4;
		p += 4;
	}
	for (; left; left--, p++)
		h = kr_writer_rotl(h ^ *p * KR_XXH_P5, 11) * KR_XXH_P1;
	h = (h ^ (h >> 33)) * KR_XXH_P2;
	h = (h ^ (h >> 29)) * KR_XXH_P3;
	return h ^ (h >> 32);
}

/* the header fields of 1.0, at their offsets in every version */
static inline void kr_writer_hdr(u8 *out, const struct kr_writer *w,
				 unsigned long nr, u64 payload)
{
	kr_writer_put(out + 0, KHO_RANGES_MAGIC, 4, w->cpu);
	kr_writer_put(out + 4, w->major, 2, w->cpu);
	kr_writer_put(out + 6, w->minor, 2, w->cpu);
	kr_writer_put(out + 8, w->hdr_size, 4, w->cpu);
	kr_writer_put(out + 12, w->range_size, 4, w->cpu);
	kr_writer_put(out + 16, w->flags, 4, w->cpu);
	kr_writer_put(out + 20, w->page_shift, 4, w->cpu);
	kr_writer_put(out + 24, nr, 8, w->cpu);
	kr_writer_put(out + 32, payload, 8, w->cpu);
}

/*
 * Write a blob with @nr range records and, for major 2, @nr_bm bitmap
 * records and their words to @out; bytes a newer minor appends to the
 * header or to a record are filled with a pattern a reader must skip.
 * The words of each bitmap record follow the bitmap records in record
 * order. Returns the blob's size.
 */
static inline size_t kr_writer_blob_v2(u8 *out, const struct kr_writer *w,
				       const struct kr_writer_rec *r,
				       unsigned long nr,
				       const struct kr_writer_bm *bm,
				       unsigned long nr_bm)
{
	/* a header of major 1 has no room for the bitmap fields */
	u32 fixed = w->major == 2 ? 64 : 48;
	size_t size = w->hdr_size + (size_t)nr * w->range_size;
	size_t words;
	unsigned long i, k;
	u32 crc;

	if (w->major != 2)
		nr_bm = 0;
	size += (size_t)nr_bm * w->bitmap_size;
	words = size;
	for (i = 0; i < nr_bm; i++)
		size += kr_writer_words_len(bm[i].nr_bits);

	memset(out, 0, w->hdr_size);
	kr_writer_hdr(out, w, nr, size - w->hdr_size);
	if (w->major == 2) {
		kr_writer_put(out + 48, nr_bm, 8, w->cpu);
		kr_writer_put(out + 56, w->bitmap_size, 4, w->cpu);
	}
	if (w->hdr_size > fixed)
		memset(out + fixed, 0xc3, w->hdr_size - fixed);

	for (i = 0; i < nr; i++) {
		u8 *rec = out + w->hdr_size + i * w->range_size;

		kr_writer_put(rec + 0, r[i].start, 8, w->cpu);
		kr_writer_put(rec + 8, r[i].nr_pages, 4, w->cpu);
		kr_writer_put(rec + 12, r[i].info, 4, w->cpu);
		memset(rec + 16, 0x3c, w->range_size - 16);
	}

	for (i = 0; i < nr_bm; i++) {
		u8 *rec = out + w->hdr_size + nr * w->range_size +
			  i * w->bitmap_size;

		kr_writer_put(rec + 0, bm[i].start, 8, w->cpu);
		kr_writer_put(rec + 8, bm[i].info, 4, w->cpu);
		kr_writer_put(rec + 12, bm[i].nr_bits, 4, w->cpu);
		kr_writer_put(rec + 16, words, 8, w->cpu);
		memset(rec + 24, 0x96, w->bitmap_size - 24);
		for (k = 0; k < kr_writer_words_len(bm[i].nr_bits) / 8; k++)
			kr_writer_put(out + words + 8 * k, bm[i].bits[k], 8,
				      w->cpu);
		words += kr_writer_words_len(bm[i].nr_bits);
	}

	/* bytes 40 to 47 are still zero, as the checksum reads them */
	if (w->flags & KHO_RANGES_BLOB_XXH64) {
		u64 sum = kr_writer_xxh64(out, size);

		kr_writer_put(out + 40, (u32)sum, 4, w->cpu);
		kr_writer_put(out + 44, (u32)(sum >> 32), 4, w->cpu);
		return size;
	}
	crc = ~kr_writer_crc32(~0U, out, size);
	kr_writer_put(out + 40, crc, 4, w->cpu);
	return size;
}

/* a blob of range records alone, as any major writes it */
static inline size_t kr_writer_blob(u8 *out, const struct kr_writer *w,
				    const struct kr_writer_rec *r,
				    unsigned long nr)
{
	return kr_writer_blob_v2(out, w, r, nr, NULL, 0);
}

/*
 * A root FDT as the ABI describes it, compatible with @compatible;
 * @spare_size 0 leaves spare out.
 */
static inline int kr_writer_fdt_compat(void *fdt, size_t room,
				       const char *compatible, u64 blob,
				       u64 blob_size, u64 spare, u64 spare_size)
{
	int err;

	err = fdt_create(fdt, room);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_string(fdt, "compatible", compatible);
	err = err ?: fdt_property_u64(fdt, KHO_RANGES_FDT_PROP_BLOB, blob);
	err = err ?: fdt_property_u64(fdt, KHO_RANGES_FDT_PROP_BLOB_SIZE,
				      blob_size);
	if (spare_size) {
		err = err ?: fdt_property_u64(fdt, KHO_RANGES_FDT_PROP_SPARE,
					      spare);
		err = err ?: fdt_property_u64(fdt,
					      KHO_RANGES_FDT_PROP_SPARE_SIZE,
					      spare_size);
	}
	err = err ?: fdt_end_node(fdt);
	return err ?: fdt_finish(fdt);
}

/* the root FDT of a 1.x blob */
static inline int kr_writer_fdt(void *fdt, size_t room, u64 blob,
				u64 blob_size, u64 spare, u64 spare_size)
{
	return kr_writer_fdt_compat(fdt, room, KHO_RANGES_FDT_COMPATIBLE, blob,
				    blob_size, spare, spare_size);
}

/* the root FDT of a blob of writer @w: a 2.x blob is "kho-ranges-v2" */
static inline int kr_writer_fdt_for(void *fdt, size_t room,
				    const struct kr_writer *w, u64 blob,
				    u64 blob_size, u64 spare, u64 spare_size)
{
	return kr_writer_fdt_compat(fdt, room, w->major == 2 ?
				    KHO_RANGES_FDT_COMPATIBLE_V2 :
				    KHO_RANGES_FDT_COMPATIBLE, blob, blob_size,
				    spare, spare_size);
}

#endif

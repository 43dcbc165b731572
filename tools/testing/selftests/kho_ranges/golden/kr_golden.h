/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A writer of kho_ranges blobs that shares no code with mm/kho_ranges.c:
 * every field is put byte by byte from the ABI table in
 * Documentation/core-api/kho_ranges.rst, and the checksum is a bitwise
 * crc32 rather than lib/crc32.c. It can write the bytes the way a
 * little-endian, a big-endian or a 32-bit kernel would produce them, and
 * longer headers and records the way a later minor version would.
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
};

struct kr_writer_rec {
	u64 start;
	u32 nr_pages;
	u32 info;
};

/* what a 1.0 kernel writes */
#define KR_WRITER_V1(c) ((struct kr_writer){				\
	.cpu = (c), .major = 1, .minor = 0, .hdr_size = 48,		\
	.range_size = 16, .page_shift = 12,				\
})

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

/*
 * Write a blob with @nr records to @out; bytes a newer minor appends to the
 * header or to a record are filled with a pattern a reader must skip.
 * Returns its size.
 */
static inline size_t kr_writer_blob(u8 *out, const struct kr_writer *w,
				    const struct kr_writer_rec *r,
				    unsigned long nr)
{
	size_t size = w->hdr_size + (size_t)nr * w->range_size;
	unsigned long i;
	u32 crc;

	memset(out, 0, w->hdr_size);
	kr_writer_put(out + 0, KHO_RANGES_MAGIC, 4, w->cpu);
	kr_writer_put(out + 4, w->major, 2, w->cpu);
	kr_writer_put(out + 6, w->minor, 2, w->cpu);
	kr_writer_put(out + 8, w->hdr_size, 4, w->cpu);
	kr_writer_put(out + 12, w->range_size, 4, w->cpu);
	kr_writer_put(out + 16, w->flags, 4, w->cpu);
	kr_writer_put(out + 20, w->page_shift, 4, w->cpu);
	kr_writer_put(out + 24, nr, 8, w->cpu);
	kr_writer_put(out + 32, (u64)nr * w->range_size, 8, w->cpu);
	memset(out + 48, 0xc3, w->hdr_size - 48);

	for (i = 0; i < nr; i++) {
		u8 *rec = out + w->hdr_size + i * w->range_size;

		kr_writer_put(rec + 0, r[i].start, 8, w->cpu);
		kr_writer_put(rec + 8, r[i].nr_pages, 4, w->cpu);
		kr_writer_put(rec + 12, r[i].info, 4, w->cpu);
		memset(rec + 16, 0x3c, w->range_size - 16);
	}

	crc = ~kr_writer_crc32(~0U, out, size);
	kr_writer_put(out + 40, crc, 4, w->cpu);
	return size;
}

/* a root FDT as the ABI describes it; @spare_size 0 leaves spare out */
static inline int kr_writer_fdt(void *fdt, size_t room, u64 blob,
				u64 blob_size, u64 spare, u64 spare_size)
{
	int err;

	err = fdt_create(fdt, room);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_string(fdt, "compatible",
					 KHO_RANGES_FDT_COMPATIBLE);
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

#endif

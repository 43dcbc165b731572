/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kho_ranges handover ABI: the bytes one kernel leaves for the next.
 *
 * Everything in this file is read by a kernel that may be older or newer
 * than the one that wrote it, so it only ever changes by the rules in
 * Documentation/core-api/kho_ranges.rst ("Versioning").
 */
#ifndef _LINUX_KHO_RANGES_ABI_H
#define _LINUX_KHO_RANGES_ABI_H

#include <linux/types.h>

/*
 * Root FDT. The boot protocol (a setup_data entry on x86, a command line
 * parameter as fallback) carries the physical address and size of a
 * flattened device tree whose root node has:
 *
 *   compatible = "kho-ranges-v1";	(major 1 blob; "kho-ranges-v2" alone
 *					 for a major 2 blob)
 *   blob       = <u64 physical address of the blob>;
 *   blob-size  = <u64 size of the blob in bytes: header and payload>;
 *   spare      = <u64 physical address of spare room>;	(optional)
 *   spare-size = <u64 size of the spare room in bytes>;	(optional)
 *
 * The spare room is preserved memory that holds nothing: the next kernel
 * may move memblock.reserved into it before it reserves the ranges, so that
 * reserving them never makes memblock allocate (see memblock_reserved_move).
 * It lies inside a range with KHO_RANGES_INFO_HANDOVER. It is a hint: a
 * reader uses it only if it passes the rules of "The spare room" in
 * Documentation/core-api/kho_ranges.rst.
 */
#define KHO_RANGES_FDT_COMPATIBLE	"kho-ranges-v1"
/* a blob of major version 2: a 1.x reader must not take it */
#define KHO_RANGES_FDT_COMPATIBLE_V2	"kho-ranges-v2"
#define KHO_RANGES_FDT_PROP_BLOB	"blob"
#define KHO_RANGES_FDT_PROP_BLOB_SIZE	"blob-size"
#define KHO_RANGES_FDT_PROP_SPARE	"spare"
#define KHO_RANGES_FDT_PROP_SPARE_SIZE	"spare-size"

/*
 * The serializer's sizing of the spare room, writer policy and not ABI: a
 * reader never computes the room from these, it checks what the root FDT
 * names against what it needs itself. Per extent the next kernel may have
 * to reserve, 32 bytes (generous for any kernel's struct memblock_region,
 * 24 bytes on 64-bit), plus room for the next kernel's own early
 * reservations.
 */
#define KHO_RANGES_SPARE_PER_RECORD	32
#define KHO_RANGES_SPARE_EXTRA_RECORDS	256

/* "KHOR" read as a little-endian u32 */
#define KHO_RANGES_MAGIC		0x524f484bU
#define KHO_RANGES_VERSION_MAJOR	1
#define KHO_RANGES_VERSION_MINOR	0
/*
 * Major 2 adds bitmap records. A writer uses it only for a blob that has
 * some; a blob of range records alone is written as 1.0, which every reader
 * takes. A reader of major 2 reads majors 1 and 2.
 */
#define KHO_RANGES_VERSION_MAJOR_V2	2
#define KHO_RANGES_VERSION_MINOR_V2	0

/*
 * Blob header flags: the low half may be ignored by a reader that does not
 * know them, the high half must make it reject the blob. None are defined
 * in version 1.0 or 2.0.
 */
#define KHO_RANGES_BLOB_COMPAT_MASK	0x0000ffffU
#define KHO_RANGES_BLOB_INCOMPAT_MASK	0xffff0000U
/*
 * Incompat flag, any major: the checksum is xxh64 (seed 0) instead of
 * crc32, over the same bytes with bytes 40 to 47 of the header (@crc and
 * @reserved) read as zero; @crc holds its low 32 bits and @reserved its high
 * 32 bits. A reader that does not know the flag cannot check the blob and
 * must refuse it; the writer's policy says when it is written.
 */
#define KHO_RANGES_BLOB_XXH64		0x00010000U
/* the incompat flags this reader knows */
#define KHO_RANGES_BLOB_INCOMPAT_KNOWN	KHO_RANGES_BLOB_XXH64

/**
 * struct kho_ranges_blob_hdr - blob header, the first 48 bytes of any major
 * @magic:        %KHO_RANGES_MAGIC.
 * @major:        ABI major version; a reader rejects any major it does not
 *                know. It decides how everything after it is read.
 * @minor:        ABI minor version; minors only append fields to the header
 *                or to each record (range or bitmap), which an older reader
 *                of the same major skips.
 * @hdr_size:     size of the header as written, a multiple of 8 and at least
 *                sizeof(struct kho_ranges_blob_hdr) (48) in major 1, at least
 *                sizeof(struct kho_ranges_blob_hdr_v2) (64) in major 2; the
 *                range records start at this offset.
 * @range_size:   size of one range record as written, a multiple of 8 and at
 *                least sizeof(struct kho_ranges_blob_range) of version 1.0.
 * @flags:        blob flags, see %KHO_RANGES_BLOB_COMPAT_MASK.
 * @page_shift:   PAGE_SHIFT of the writer; the reader must have the same.
 * @nr_ranges:    number of range records.
 * @payload_size: bytes after the header: @nr_ranges * @range_size in major
 *                1; in major 2 also the bitmap records and their words.
 * @crc:          crc32 (crc32_le(~0, ...) ^ ~0) of all @hdr_size bytes of
 *                the header, this field read as zero and any bytes a later
 *                minor appended included, followed by the @payload_size
 *                bytes of payload; nothing after them. With
 *                %KHO_RANGES_BLOB_XXH64 the low half of an xxh64 instead.
 * @reserved:     written as zero, ignored by readers; with
 *                %KHO_RANGES_BLOB_XXH64 the high half of the xxh64.
 *
 * All fields are little endian, whatever the writer's byte order. The first
 * 48 bytes are the same in every major version; bytes 48 and on of a major
 * 1 header belong to later 1.x minors, never to struct
 * kho_ranges_blob_hdr_v2.
 */
struct kho_ranges_blob_hdr {
	__le32 magic;
	__le16 major;
	__le16 minor;
	__le32 hdr_size;
	__le32 range_size;
	__le32 flags;
	__le32 page_shift;
	__le64 nr_ranges;
	__le64 payload_size;
	__le32 crc;
	__le32 reserved;
};

/**
 * struct kho_ranges_blob_hdr_v2 - header of a major 2 blob
 * @v1:          the version 1 header, every field at its offset; @v1.payload_size
 *               counts the range records, the bitmap records and the bitmap
 *               words, and @v1.crc covers all of them.
 * @nr_bitmaps:  number of bitmap records.
 * @bitmap_size: size of one bitmap record as written, a multiple of 8 and at
 *               least sizeof(struct kho_ranges_blob_bitmap) of version 2.0,
 *               also when @nr_bitmaps is zero.
 * @reserved:    written as zero, ignored by readers.
 *
 * The payload is the range records, then the bitmap records, then the
 * bitmap words of every bitmap record in record order, with nothing between
 * and nothing after. A writer uses this header only for a blob with bitmap
 * records (see %KHO_RANGES_VERSION_MAJOR_V2).
 */
struct kho_ranges_blob_hdr_v2 {
	struct kho_ranges_blob_hdr v1;
	__le64 nr_bitmaps;
	__le32 bitmap_size;
	__le32 reserved;
};

/**
 * struct kho_ranges_blob_bitmap - folios of one order in a window, as bits
 * @start:   physical address of the window's first folio, aligned to the
 *           folio size given by the order in @info (and to nothing more).
 * @info:    info word of every folio of the window, as in a range record.
 * @nr_bits: folios in the window, 1 to %KHO_RANGES_BITMAP_MAX_BITS; any
 *           number, not only a multiple of 64.
 * @words:   blob offset of the bitmap: DIV_ROUND_UP(@nr_bits, 64) little
 *           endian u64 words, right after the previous record's words (the
 *           first record's right after the last bitmap record); bit b of
 *           word w stands for the folio at @start + (w * 64 + b) folios.
 *           Bits past @nr_bits are zero.
 *
 * Windows are sorted by @start and never overlap one another; a range
 * record may lie inside a window where its bits are clear. At least one
 * bit is set. Each maximal run of set bits is one extent of preserved
 * memory, which must not overlap a range record or another run.
 */
struct kho_ranges_blob_bitmap {
	__le64 start;
	__le32 info;
	__le32 nr_bits;
	__le64 words;
};

/* a bitmap record's window is at most this many folios */
#define KHO_RANGES_BITMAP_MAX_BITS	(1U << 20)

/**
 * struct kho_ranges_blob_range - one preserved physical range
 * @start:    physical address of the first byte, page aligned and aligned to
 *            the folio size given by the order in @info.
 * @nr_pages: length in pages, a non-zero multiple of the folio size.
 * @info:     packed info word, see KHO_RANGES_INFO_*.
 *
 * Records are sorted by @start and never overlap, nor overlap a run of set
 * bits of a bitmap record (major 2). Adjacent records may have equal @info
 * (a range longer than U32_MAX pages is split, and a leaf written as range
 * records is not joined to its neighbours).
 */
struct kho_ranges_blob_range {
	__le64 start;
	__le32 nr_pages;
	__le32 info;
};

/*
 * The info word, the same 32 bits in the tracker and in the blob:
 *
 *   bits  0..5   folio order: the range is a run of naturally aligned
 *                folios (or page blocks) of 2^order pages each
 *   bits  6..10  compat flags: a reader ignores those it does not know
 *   bits 11..15  incompat flags: a reader that does not know one still
 *                reserves the range but refuses to restore it
 *   bits 16..31  caller tag, opaque to kho_ranges
 */
#define KHO_RANGES_INFO_ORDER_MASK	0x0000003fU
#define KHO_RANGES_INFO_COMPAT_MASK	0x000007c0U
#define KHO_RANGES_INFO_INCOMPAT_MASK	0x0000f800U
#define KHO_RANGES_INFO_TAG_SHIFT	16
#define KHO_RANGES_INFO_TAG_MASK	0xffff0000U

/* a record's nr_pages is 32 bits wide: one folio of this order still fits */
#define KHO_RANGES_MAX_ORDER		31

/*
 * compat: the range is the handover's own memory: the whole blob allocation
 * (the blob, its rounding to whole pages and the spare room after it) and
 * the root FDT's page. Only the serializer sets it; kho_ranges_preserve()
 * refuses it from callers.
 */
#define KHO_RANGES_INFO_HANDOVER	0x00000040U
/* incompat: each 2^order block is a compound folio, not a plain page block */
#define KHO_RANGES_INFO_FOLIO		0x00000800U

#define KHO_RANGES_INFO_KNOWN_COMPAT	KHO_RANGES_INFO_HANDOVER
#define KHO_RANGES_INFO_KNOWN_INCOMPAT	KHO_RANGES_INFO_FOLIO

#define KHO_RANGES_INFO(order, flags, tag)				\
	(((u32)(order) & KHO_RANGES_INFO_ORDER_MASK) |			\
	 ((u32)(flags) & (KHO_RANGES_INFO_COMPAT_MASK |			\
			  KHO_RANGES_INFO_INCOMPAT_MASK)) |		\
	 ((u32)(tag) << KHO_RANGES_INFO_TAG_SHIFT))

static inline unsigned int kho_ranges_info_order(u32 info)
{
	return info & KHO_RANGES_INFO_ORDER_MASK;
}

static inline u16 kho_ranges_info_tag(u32 info)
{
	return info >> KHO_RANGES_INFO_TAG_SHIFT;
}

#endif /* _LINUX_KHO_RANGES_ABI_H */

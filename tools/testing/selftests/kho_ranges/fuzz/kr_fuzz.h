/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzz input format for the kho_ranges deserializer, shared by the
 * libFuzzer target and the seed corpus generator.
 *
 * The simulated machine's RAM lands at a different address in every
 * process, and a blob is only interesting to fuzz if its records point into
 * that RAM and its checksum matches. So an input is a small control header
 * followed by the blob (and optionally the root FDT) with addresses relative
 * to the start of RAM; the harness places the bytes at fixed offsets in the
 * arena, relocates them and, if asked, re-seals the checksum, exactly as a
 * previous kernel would have left them. Every decision the relocation makes
 * is itself controlled by the input, so hostile absolute addresses, bad
 * checksums and malformed FDTs stay reachable:
 *
 *   struct kr_fuzz_ctl        20 bytes, little endian
 *   FDT bytes                 ctl.fdt_len bytes, only with KR_FUZZ_RAW_FDT
 *   blob bytes                the rest
 *
 * A record start (or an FDT address) below KR_FUZZ_ARENA is an offset into
 * RAM and gets the RAM base added; anything else is used as it is, which is
 * how wrap-around and outside-memory addresses are written. That holds for
 * range records and, in a major 2 blob, for the window start of bitmap
 * records; their words offset is an offset into the blob and stays as it
 * is.
 */
#ifndef _KR_FUZZ_H
#define _KR_FUZZ_H

#include <linux/crc32.h>
#include <linux/kho_ranges.h>
#include <linux/libfdt.h>
#include <linux/unaligned.h>

/* RAM of the fuzzed machine, and where the harness puts the handover */
#define KR_FUZZ_ARENA		(1ULL << 30)
#define KR_FUZZ_MAX_INPUT	(16U << 10)
#define KR_FUZZ_FDT_OFF		(KR_FUZZ_ARENA - 2 * KR_FUZZ_MAX_INPUT)
/* the blob may start anywhere below the FDT, also misaligned */
#define KR_FUZZ_BLOB_SPAN	(KR_FUZZ_FDT_OFF - KR_FUZZ_MAX_INPUT)

/*
 * A header or FDT may claim a blob much larger than the input; the checksum
 * then runs over that much memory. Claims up to the largest blob the buddy
 * allocator hands out (MAX_PAGE_ORDER, 4 MiB) are followed, larger ones are
 * cut down to it: they reach the same code and would only make each input
 * slower.
 */
#define KR_FUZZ_CLAIM_MAX	((4U << 20) + KR_FUZZ_MAX_INPUT)

/* ctl.flags */
#define KR_FUZZ_RESEAL		0x01	/* recompute the blob crc */
#define KR_FUZZ_RELOC		0x02	/* offsets below KR_FUZZ_ARENA += base */
#define KR_FUZZ_RAW_FDT		0x04	/* FDT bytes come from the input */
#define KR_FUZZ_NO_SPARE	0x08	/* generated FDT without spare room */
#define KR_FUZZ_NO_RESIZE	0x10	/* boot before memblock may grow */

struct kr_fuzz_ctl {
	u8 flags;
	u8 mode;		/* enum kho_ranges_reserve_mode, modulo 3 */
	__le16 fdt_len;		/* bytes of FDT with KR_FUZZ_RAW_FDT */
	__le32 blob_off;	/* blob at base + blob_off % KR_FUZZ_BLOB_SPAN */
	__le32 blob_size_adj;	/* FDT blob-size = blob bytes + (s32)adj */
				/* |adj| at most KR_FUZZ_CLAIM_MAX */
	__le32 spare_off;	/* FDT spare = base + spare_off */
	__le32 spare_size;	/* FDT spare-size */
} __packed;

/* an address as the input writes it, made absolute */
static inline u64 kr_fuzz_reloc(u64 v, phys_addr_t base)
{
	return v < KR_FUZZ_ARENA ? v + base : v;
}

/*
 * Add @base to every record start that fits in @len bytes of @blob. Only
 * walks a header that says where the records are; a header too broken for
 * that is left alone for the validator to reject.
 */
#define KR_FUZZ_HDR(blob, field)					\
	((blob) + offsetof(struct kho_ranges_blob_hdr, field))

#define KR_FUZZ_HDR2(blob, field)					\
	((blob) + offsetof(struct kho_ranges_blob_hdr_v2, field))

/*
 * Where the bitmap records of a major 2 blob of @len bytes start, and how
 * many of them the header claims; false if it is not such a blob or its
 * range records do not fit in @len.
 */
static inline bool kr_fuzz_bitmaps(const u8 *blob, size_t len, u64 *off,
				   u64 *nr_bm, u64 *bm_size)
{
	u64 hdr_size, range_size, nr;

	if (len < sizeof(struct kho_ranges_blob_hdr_v2) ||
	    get_unaligned_le16(KR_FUZZ_HDR(blob, major)) !=
	    KHO_RANGES_VERSION_MAJOR_V2)
		return false;
	hdr_size = get_unaligned_le32(KR_FUZZ_HDR(blob, hdr_size));
	range_size = get_unaligned_le32(KR_FUZZ_HDR(blob, range_size));
	nr = get_unaligned_le64(KR_FUZZ_HDR(blob, nr_ranges));
	*nr_bm = get_unaligned_le64(KR_FUZZ_HDR2(blob, nr_bitmaps));
	*bm_size = get_unaligned_le32(KR_FUZZ_HDR2(blob, bitmap_size));
	if (hdr_size < sizeof(struct kho_ranges_blob_hdr_v2) || hdr_size > len ||
	    range_size < sizeof(struct kho_ranges_blob_range) ||
	    *bm_size < sizeof(struct kho_ranges_blob_bitmap) ||
	    nr > (len - hdr_size) / range_size)
		return false;
	*off = hdr_size + nr * range_size;
	return true;
}

static inline void kr_fuzz_reloc_blob(u8 *blob, size_t len, phys_addr_t base)
{
	u64 i, nr, hdr_size, range_size, off, nr_bm, bm_size;

	if (len < sizeof(struct kho_ranges_blob_hdr))
		return;
	hdr_size = get_unaligned_le32(KR_FUZZ_HDR(blob, hdr_size));
	range_size = get_unaligned_le32(KR_FUZZ_HDR(blob, range_size));
	nr = get_unaligned_le64(KR_FUZZ_HDR(blob, nr_ranges));
	if (hdr_size < sizeof(struct kho_ranges_blob_hdr) || hdr_size > len ||
	    range_size < sizeof(struct kho_ranges_blob_range))
		return;
	for (i = 0; i < nr && (len - hdr_size) / range_size > i; i++) {
		u8 *start = blob + hdr_size + i * range_size;

		put_unaligned_le64(kr_fuzz_reloc(get_unaligned_le64(start), base),
				   start);
	}
	/* major 2: the window starts of the bitmap records */
	if (!kr_fuzz_bitmaps(blob, len, &off, &nr_bm, &bm_size))
		return;
	for (i = 0; i < nr_bm && (len - off) / bm_size > i; i++) {
		u8 *start = blob + off + i * bm_size;

		put_unaligned_le64(kr_fuzz_reloc(get_unaligned_le64(start), base),
				   start);
	}
}

/*
 * Seal the blob as a writer does: the checksum its flags call for (crc32
 * or xxh64, kho_ranges_blob_checksum()) over header and
 * payload, if the header's sizes stay inside the @room bytes the harness
 * controls (at most KR_FUZZ_CLAIM_MAX). In every major the crc field is at
 * the same offset and payload_size counts all that follows the header (in
 * major 2 the range records, the bitmap records and their words).
 */
static inline void kr_fuzz_seal_blob(u8 *blob, size_t room)
{
	u64 hdr_size, payload, sum;
	u32 flags;

	room = min_t(size_t, room, KR_FUZZ_CLAIM_MAX);
	if (room < sizeof(struct kho_ranges_blob_hdr))
		return;
	hdr_size = get_unaligned_le32(KR_FUZZ_HDR(blob, hdr_size));
	payload = get_unaligned_le64(KR_FUZZ_HDR(blob, payload_size));
	if (hdr_size < sizeof(struct kho_ranges_blob_hdr) || hdr_size > room ||
	    payload > room - hdr_size)
		return;
	flags = get_unaligned_le32(KR_FUZZ_HDR(blob, flags));
	sum = kho_ranges_blob_checksum(blob, hdr_size + payload, flags);
	put_unaligned_le32((u32)sum, KR_FUZZ_HDR(blob, crc));
	if (flags & KHO_RANGES_BLOB_XXH64)
		put_unaligned_le32((u32)(sum >> 32), KR_FUZZ_HDR(blob, reserved));
}

/* a root FDT as kho_ranges_serialize() writes it, into @room bytes */
static inline int kr_fuzz_build_fdt(void *fdt, size_t room, u64 blob,
				    u64 blob_size, bool spare, u64 spare_phys,
				    u64 spare_size)
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
	if (spare) {
		err = err ?: fdt_property_u64(fdt, KHO_RANGES_FDT_PROP_SPARE,
					      spare_phys);
		err = err ?: fdt_property_u64(fdt,
					      KHO_RANGES_FDT_PROP_SPARE_SIZE,
					      spare_size);
	}
	err = err ?: fdt_end_node(fdt);
	return err ?: fdt_finish(fdt);
}

/* relocate a u64 property of a raw FDT in place, if it is there */
static inline void kr_fuzz_reloc_prop(void *fdt, const char *name,
				      phys_addr_t base)
{
	int len;
	void *p = fdt_getprop_w(fdt, 0, name, &len);

	if (p && len == sizeof(u64))
		put_unaligned_be64(kr_fuzz_reloc(get_unaligned_be64(p), base), p);
}

#endif

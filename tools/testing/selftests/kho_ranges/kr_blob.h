/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for tests that take a serialized blob apart: where it is, its
 * range and bitmap records, and re-sealing it (crc) after a deliberate
 * corruption.
 */
#ifndef _KR_BLOB_H
#define _KR_BLOB_H

#include <linux/crc32.h>
#include <linux/kho_ranges.h>
#include <linux/libfdt.h>

static inline struct kho_ranges_blob_hdr *kr_blob_hdr(struct kho_ranges *kr)
{
	return phys_to_virt(kr->blob_phys);
}

static inline struct kho_ranges_blob_range *kr_blob_rec(struct kho_ranges *kr,
							unsigned long i)
{
	struct kho_ranges_blob_hdr *hdr = kr_blob_hdr(kr);

	return (void *)((u8 *)hdr + le32_to_cpu(hdr->hdr_size) +
			i * le32_to_cpu(hdr->range_size));
}

/* a major 2 blob's header */
static inline struct kho_ranges_blob_hdr_v2 *kr_blob_hdr2(struct kho_ranges *kr)
{
	return phys_to_virt(kr->blob_phys);
}

/* bitmap record @i of a major 2 blob, after the range records */
static inline struct kho_ranges_blob_bitmap *kr_blob_bm(struct kho_ranges *kr,
							unsigned long i)
{
	struct kho_ranges_blob_hdr_v2 *hdr = kr_blob_hdr2(kr);

	return (void *)((u8 *)hdr + le32_to_cpu(hdr->v1.hdr_size) +
			le64_to_cpu(hdr->v1.nr_ranges) *
			le32_to_cpu(hdr->v1.range_size) +
			i * le32_to_cpu(hdr->bitmap_size));
}

/* the words of bitmap record @i, where its record says they are */
static inline __le64 *kr_blob_words(struct kho_ranges *kr, unsigned long i)
{
	return (void *)((u8 *)kr_blob_hdr(kr) +
			le64_to_cpu(kr_blob_bm(kr, i)->words));
}

/* recompute the checksum the header's flags call for, as a writer does */
static inline void kr_blob_seal(struct kho_ranges_blob_hdr *hdr)
{
	size_t len = le32_to_cpu(hdr->hdr_size) + le64_to_cpu(hdr->payload_size);
	u32 flags = le32_to_cpu(hdr->flags);
	u64 sum = kho_ranges_blob_checksum(hdr, len, flags);

	hdr->crc = cpu_to_le32((u32)sum);
	if (flags & KHO_RANGES_BLOB_XXH64)
		hdr->reserved = cpu_to_le32((u32)(sum >> 32));
}

/* rewrite the FDT's blob-size property in place */
static inline int kr_fdt_set_blob_size(struct kho_ranges *kr, u64 size)
{
	return fdt_setprop_inplace_u64(phys_to_virt(kr->fdt_phys), 0,
				       KHO_RANGES_FDT_PROP_BLOB_SIZE, size);
}

#endif

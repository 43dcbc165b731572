/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kho_ranges: reading the records of a validated blob, for the files of
 * mm/ that do (kho_ranges_restore.c, kho_ranges_vmalloc.c). Include after
 * <linux/kho_ranges.h> and <linux/unaligned.h>.
 */
#ifndef _MM_KHO_RANGES_RECORDS_H
#define _MM_KHO_RANGES_RECORDS_H

/* start of the @i-th range record of @in */
static inline u64 kho_ranges_in_start(const struct kho_ranges_incoming *in,
				      unsigned long i)
{
	const struct kho_ranges_blob_range *r =
		(const void *)(in->records + i * in->range_size);

	return get_unaligned_le64(&r->start);
}

/* bytes the @i-th range record of @in covers */
static inline u64 kho_ranges_in_bytes(const struct kho_ranges_incoming *in,
				      unsigned long i)
{
	const struct kho_ranges_blob_range *r =
		(const void *)(in->records + i * in->range_size);

	return (u64)get_unaligned_le32(&r->nr_pages) << PAGE_SHIFT;
}

/* the @i-th bitmap record of @in */
static inline const struct kho_ranges_blob_bitmap *
kho_ranges_in_bitmap(const struct kho_ranges_incoming *in, unsigned long i)
{
	return (const void *)(in->bitmaps + i * in->bitmap_size);
}
#endif /* _MM_KHO_RANGES_RECORDS_H */

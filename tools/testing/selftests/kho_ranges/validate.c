// SPDX-License-Identifier: GPL-2.0
/*
 * The next kernel trusts nothing: every way a blob or its root FDT can be
 * wrong gets its own error code, and memblock.reserved stays untouched.
 *
 * Each test starts from a valid blob with a handful of ranges, breaks one
 * thing (re-sealing the checksum where the point is to get past it), boots
 * a fresh memblock and deserializes.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "kr_test.h"
#include "kr_blob.h"

FIXTURE(bad_blob) {
	struct kho_ranges kr;
	struct kho_ranges_blob_hdr *hdr;
	unsigned long nr;
	struct kho_ranges_incoming in;
};

FIXTURE_SETUP(bad_blob)
{
	unsigned long i;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&self->kr);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(64 * i), 8,
						 KHO_RANGES_INFO(3, 0, i)));
	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	self->hdr = kr_blob_hdr(&self->kr);
	self->nr = le64_to_cpu(self->hdr->nr_ranges);
	ASSERT_EQ(9, self->nr);	/* 8 ranges + the blob and FDT pages */
	kho_sim_boot(true);
}

FIXTURE_TEARDOWN(bad_blob)
{
	kho_ranges_destroy(&self->kr);
	kho_sim_exit();
}

/* deserialize and demand @err with nothing reserved, or success */
static int __deserialize(struct __test_metadata *_metadata,
			 struct kho_ranges *kr, struct kho_ranges_incoming *in)
{
	int ret = kho_ranges_deserialize(in, kr->fdt_phys, kr->fdt_size,
					 KHO_RANGES_RESERVE_ASCENDING);

	if (ret) {
		EXPECT_EQ(0, memblock.reserved.total_size);
		EXPECT_EQ(0, in->nr_ranges);
	} else {
		EXPECT_EQ(NULL, kr_check_reserved(in));
	}
	return ret;
}

#define deserialize(_metadata, self) \
	__deserialize(_metadata, &(self)->kr, &(self)->in)

TEST_F(bad_blob, valid_blob_is_accepted)
{
	ASSERT_EQ(0, deserialize(_metadata, self));
	ASSERT_EQ(9, self->in.nr_ranges);
}

TEST_F(bad_blob, bad_magic)
{
	self->hdr->magic ^= cpu_to_le32(1);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, newer_major_version)
{
	self->hdr->major = cpu_to_le16(KHO_RANGES_VERSION_MAJOR_V2 + 1);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EPROTONOSUPPORT, deserialize(_metadata, self));
}

TEST_F(bad_blob, header_too_small)
{
	self->hdr->hdr_size = cpu_to_le32(sizeof(*self->hdr) - 8);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, header_size_unaligned)
{
	self->hdr->hdr_size = cpu_to_le32(sizeof(*self->hdr) + 4);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, record_too_small)
{
	self->hdr->range_size = cpu_to_le32(8);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, other_page_size)
{
	self->hdr->page_shift = cpu_to_le32(16);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EOPNOTSUPP, deserialize(_metadata, self));
}

TEST_F(bad_blob, unknown_incompat_blob_flag)
{
	self->hdr->flags |= cpu_to_le32(1U << 17);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EOPNOTSUPP, deserialize(_metadata, self));
}

TEST_F(bad_blob, unknown_compat_blob_flag_is_ignored)
{
	self->hdr->flags |= cpu_to_le32(1U << 3);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(0, deserialize(_metadata, self));
}

TEST_F(bad_blob, count_beyond_payload)
{
	self->hdr->nr_ranges = cpu_to_le64(self->nr + 1);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EMSGSIZE, deserialize(_metadata, self));
}

TEST_F(bad_blob, count_overflows)
{
	self->hdr->nr_ranges = cpu_to_le64(1ULL << 62);
	self->hdr->payload_size = cpu_to_le64(0);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EMSGSIZE, deserialize(_metadata, self));
}

TEST_F(bad_blob, truncated_blob)
{
	/* the FDT says the blob is one byte shorter than the header says */
	ASSERT_EQ(0, kr_fdt_set_blob_size(&self->kr, self->kr.blob_size - 1));
	ASSERT_EQ(-EMSGSIZE, deserialize(_metadata, self));
}

TEST_F(bad_blob, blob_smaller_than_header)
{
	ASSERT_EQ(0, kr_fdt_set_blob_size(&self->kr, 16));
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, header_checksum_mismatch)
{
	self->hdr->crc ^= cpu_to_le32(0x100);
	ASSERT_EQ(-EBADMSG, deserialize(_metadata, self));
}

TEST_F(bad_blob, payload_bit_flip)
{
	kr_blob_rec(&self->kr, 3)->nr_pages ^= cpu_to_le32(0x10);
	ASSERT_EQ(-EBADMSG, deserialize(_metadata, self));
}

TEST_F(bad_blob, unsorted_records)
{
	struct kho_ranges_blob_range tmp = *kr_blob_rec(&self->kr, 2);

	*kr_blob_rec(&self->kr, 2) = *kr_blob_rec(&self->kr, 3);
	*kr_blob_rec(&self->kr, 3) = tmp;
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, overlapping_records)
{
	/* records 0..7 are 8 pages every 64: stretch record 2 into 3 */
	kr_blob_rec(&self->kr, 2)->nr_pages = cpu_to_le32(72);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, misaligned_start)
{
	struct kho_ranges_blob_range *rec = kr_blob_rec(&self->kr, 1);

	rec->start = cpu_to_le64(le64_to_cpu(rec->start) + 512);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, start_not_aligned_to_order)
{
	struct kho_ranges_blob_range *rec = kr_blob_rec(&self->kr, 1);

	rec->start = cpu_to_le64(le64_to_cpu(rec->start) + PAGE_SIZE);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, empty_record)
{
	kr_blob_rec(&self->kr, 1)->nr_pages = 0;
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, order_above_max)
{
	struct kho_ranges_blob_range *rec = kr_blob_rec(&self->kr, 0);

	rec->info = cpu_to_le32(le32_to_cpu(rec->info) | KHO_RANGES_INFO_ORDER_MASK);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, wraps_around_64bit)
{
	/* the last record (the pool lies above RAM) moved to the top */
	struct kho_ranges_blob_range *rec = kr_blob_rec(&self->kr, self->nr - 1);

	rec->start = cpu_to_le64(~0ULL - PAGE_SIZE + 1);
	rec->nr_pages = cpu_to_le32(2);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, record_outside_ram)
{
	struct kho_ranges_blob_range *rec = kr_blob_rec(&self->kr, self->nr - 1);

	rec->start = cpu_to_le64(kho_sim.pool_base + kho_sim.pool_size);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-ERANGE, deserialize(_metadata, self));
}

TEST_F(bad_blob, record_straddles_end_of_ram)
{
	struct kho_ranges_blob_range *rec = kr_blob_rec(&self->kr, self->nr - 1);

	rec->start = cpu_to_le64(kho_sim.pool_base + kho_sim.pool_size - PAGE_SIZE);
	rec->nr_pages = cpu_to_le32(2);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(-ERANGE, deserialize(_metadata, self));
}

/* the first and the last page of RAM are fine to preserve */
TEST(records_touching_both_ends_of_ram)
{
	struct kho_ranges_incoming in;
	struct kho_ranges kr;
	phys_addr_t end;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	end = kho_sim.pool_base + kho_sim.pool_size;
	kho_ranges_init(&kr);
	ASSERT_EQ(0, kho_ranges_preserve(&kr, PHYS_PFN(kho_sim.ram_base), 1,
					 KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_preserve(&kr, PHYS_PFN(end) - 512, 512,
					 KHO_RANGES_INFO(9, KHO_RANGES_INFO_FOLIO, 0)));
	ASSERT_EQ(0, kho_ranges_serialize(&kr));
	kho_sim_boot(true);
	ASSERT_EQ(0, kho_ranges_deserialize(&in, kr.fdt_phys, kr.fdt_size,
					    KHO_RANGES_RESERVE_DESCENDING));
	ASSERT_EQ(NULL, kr_check_reserved(&in));
	ASSERT_NE(NULL, kho_ranges_restore_folio(&in, end - (PAGE_SIZE << 9)));
	kho_ranges_destroy(&kr);
	kho_sim_exit();
}

TEST_F(bad_blob, blob_does_not_preserve_itself)
{
	/* drop the last record (the blob's own pages) from the count */
	self->hdr->nr_ranges = cpu_to_le64(self->nr - 1);
	self->hdr->payload_size = cpu_to_le64((self->nr - 1) * 16);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(0, kr_fdt_set_blob_size(&self->kr, sizeof(*self->hdr) +
					  (self->nr - 1) * 16));
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

/* an incompat info flag this kernel does not know: reserve, never restore */
TEST_F(bad_blob, unknown_incompat_info_flag_reserves_but_refuses)
{
	struct kho_ranges_blob_range *rec = kr_blob_rec(&self->kr, 4);
	phys_addr_t phys = le64_to_cpu(rec->start);

	rec->info = cpu_to_le32(le32_to_cpu(rec->info) | 0x8000);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(0, deserialize(_metadata, self));
	ASSERT_EQ(1, self->in.nr_unknown);
	ASSERT_NULL(kho_ranges_restore_pages(&self->in, phys, 3));
	ASSERT_NE(NULL, kho_ranges_restore_pages(&self->in, phys + 64 * PAGE_SIZE, 3));
}

/* a compat info flag this kernel does not know: ignored */
TEST_F(bad_blob, unknown_compat_info_flag_is_ignored)
{
	struct kho_ranges_blob_range *rec = kr_blob_rec(&self->kr, 4);
	phys_addr_t phys = le64_to_cpu(rec->start);

	rec->info = cpu_to_le32(le32_to_cpu(rec->info) | 0x400);
	kr_blob_seal(self->hdr);
	ASSERT_EQ(0, deserialize(_metadata, self));
	ASSERT_EQ(0, self->in.nr_unknown);
	ASSERT_NE(NULL, kho_ranges_restore_pages(&self->in, phys, 3));
}

TEST_F(bad_blob, fdt_wrong_compatible)
{
	void *fdt = phys_to_virt(self->kr.fdt_phys);

	/* same length, so it can be rewritten in place */
	ASSERT_EQ(0, fdt_setprop_inplace(fdt, 0, "compatible", "kho-ranges-v3",
					 sizeof("kho-ranges-v3")));
	ASSERT_EQ(-EPROTONOSUPPORT, deserialize(_metadata, self));
}

TEST_F(bad_blob, fdt_missing_blob_property)
{
	void *fdt = phys_to_virt(self->kr.fdt_phys);

	ASSERT_EQ(0, fdt_nop_property(fdt, 0, KHO_RANGES_FDT_PROP_BLOB));
	ASSERT_EQ(-ENOENT, deserialize(_metadata, self));
}

TEST_F(bad_blob, fdt_corrupt_header)
{
	struct fdt_header *fdt = phys_to_virt(self->kr.fdt_phys);

	fdt->magic = 0;
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, fdt_larger_than_its_mapping)
{
	struct fdt_header *fdt = phys_to_virt(self->kr.fdt_phys);

	fdt->totalsize = cpu_to_fdt32(2 * PAGE_SIZE);
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

TEST_F(bad_blob, fdt_outside_memory)
{
	int ret = kho_ranges_deserialize(&self->in, kho_sim.pool_base +
					 kho_sim.pool_size, PAGE_SIZE,
					 KHO_RANGES_RESERVE_ASCENDING);

	ASSERT_EQ(-ERANGE, ret);
	ASSERT_EQ(0, memblock.reserved.total_size);
}

TEST_F(bad_blob, blob_outside_memory)
{
	void *fdt = phys_to_virt(self->kr.fdt_phys);

	ASSERT_EQ(0, fdt_setprop_inplace_u64(fdt, 0, KHO_RANGES_FDT_PROP_BLOB,
					     kho_sim.ram_base - PAGE_SIZE));
	ASSERT_EQ(-ERANGE, deserialize(_metadata, self));
}

TEST_F(bad_blob, blob_misaligned)
{
	void *fdt = phys_to_virt(self->kr.fdt_phys);

	ASSERT_EQ(0, fdt_setprop_inplace_u64(fdt, 0, KHO_RANGES_FDT_PROP_BLOB,
					     self->kr.blob_phys + 8));
	ASSERT_EQ(-EINVAL, deserialize(_metadata, self));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Serialize -> deserialize round trips, checked against what the real
 * mm/memblock.c holds afterwards, and restore lookups in the next kernel.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "kr_test.h"
#include "kr_blob.h"

FIXTURE(roundtrip) {
	struct kho_ranges kr;
	struct folio *folios[64];
	struct page *blocks[16];
	struct page *vpages[40];
	unsigned int nr_folios;
};

/*
 * A little of everything: folios of orders 0..9 from the pool (adjacent
 * same-order folios, as the buddy allocator hands them out), page blocks,
 * a vmalloc area of scattered pages with a run in it, and plain ranges in
 * RAM.
 */
FIXTURE_SETUP(roundtrip)
{
	unsigned int i;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&self->kr);

	for (i = 0; i < 40; i++) {
		self->folios[i] = folio_alloc(GFP_KERNEL, i / 4);
		ASSERT_NE(NULL, self->folios[i]);
		ASSERT_EQ(0, kho_ranges_preserve_folio(&self->kr, self->folios[i], 1));
	}
	self->nr_folios = 40;
	for (i = 0; i < ARRAY_SIZE(self->blocks); i++) {
		self->blocks[i] = alloc_pages(GFP_KERNEL, i % 3);
		ASSERT_NE(NULL, self->blocks[i]);
		ASSERT_EQ(0, kho_ranges_preserve_pages(&self->kr, self->blocks[i],
						       i % 3, 2));
	}
	for (i = 0; i < ARRAY_SIZE(self->vpages); i++)
		self->vpages[i] = pfn_to_page(kr_pfn(i < 10 ? 1000 + i :
						     5000 + 7 * i));
	ASSERT_EQ(0, kho_ranges_preserve_page_array(&self->kr, self->vpages,
						    ARRAY_SIZE(self->vpages), 3));
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(100000 + 3 * i),
						 1, KR_TAG(4)));
}

FIXTURE_TEARDOWN(roundtrip)
{
	kho_ranges_destroy(&self->kr);
	kho_sim_exit();
}

/*
 * The blob holds exactly the tracker's ranges (+ the handover pages), as
 * range records and as runs of bitmap bits: the 100 pages three apart are
 * cheaper as a bitmap window, so this is a major 2 blob.
 */
TEST_F(roundtrip, blob_matches_tracker)
{
	struct kho_ranges_blob_hdr_v2 *hdr;
	struct kho_ranges_incoming in;
	struct kr_ranges rs;
	unsigned long i, handover = 0;

	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	hdr = (void *)kr_blob_hdr(&self->kr);
	ASSERT_EQ(KHO_RANGES_MAGIC, le32_to_cpu(hdr->v1.magic));
	ASSERT_EQ(KHO_RANGES_VERSION_MAJOR_V2, le16_to_cpu(hdr->v1.major));
	ASSERT_EQ(sizeof(*hdr), le32_to_cpu(hdr->v1.hdr_size));
	ASSERT_EQ(16, le32_to_cpu(hdr->v1.range_size));
	ASSERT_EQ(24, le32_to_cpu(hdr->bitmap_size));
	ASSERT_LE(1, le64_to_cpu(hdr->nr_bitmaps));
	ASSERT_EQ(PAGE_SHIFT, le32_to_cpu(hdr->v1.page_shift));
	ASSERT_EQ(self->kr.blob_size,
		  sizeof(*hdr) + le64_to_cpu(hdr->v1.payload_size));
	ASSERT_EQ(0, fdt_node_check_compatible(phys_to_virt(self->kr.fdt_phys),
					       0, KHO_RANGES_FDT_COMPATIBLE_V2));
	ASSERT_NE(0, fdt_node_check_compatible(phys_to_virt(self->kr.fdt_phys),
					       0, KHO_RANGES_FDT_COMPATIBLE));

	/* the tracker now includes the blob and FDT pages: compare all */
	ASSERT_EQ(NULL, kr_blob_matches(&self->kr, &in));
	rs = kr_collect(&self->kr);
	ASSERT_EQ(rs.nr, in.nr_extents);
	ASSERT_LT(in.nr_ranges, rs.nr);
	for (i = 0; i < rs.nr; i++)
		if (rs.r[i].info & KHO_RANGES_INFO_HANDOVER)
			handover += rs.r[i].nr_pages;
	/* blob pages (records, then spare room) plus one FDT page */
	ASSERT_EQ(self->kr.blob_alloc / PAGE_SIZE + 1, handover);
	ASSERT_EQ(self->kr.blob_phys + self->kr.blob_alloc,
		  self->kr.spare_phys + self->kr.spare_size);
	ASSERT_LE(PAGE_ALIGN(self->kr.blob_size),
		  self->kr.spare_phys - self->kr.blob_phys);
	TH_LOG("%lu ranges: %lu range records, %lu bitmap records, %zu blob bytes",
	       rs.nr, in.nr_ranges, in.nr_bitmaps, self->kr.blob_size);
	kr_ranges_free(&rs);
}

/* no window is denser as bits: a 1.0 blob, which any reader takes */
TEST_F(roundtrip, sparse_blob_is_version_1)
{
	struct kho_ranges_blob_hdr *hdr;
	struct kho_ranges_incoming in;
	unsigned long i;

	/* the two dense windows go: 100 pages three apart, the vmalloc area */
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr,
						   kr_pfn(100000 + 3 * i), 1));
	ASSERT_EQ(0, kho_ranges_unpreserve_page_array(&self->kr, self->vpages,
						      ARRAY_SIZE(self->vpages)));
	ASSERT_EQ(0, self->kr.nr_bitmap_leaves);
	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	hdr = kr_blob_hdr(&self->kr);
	ASSERT_EQ(KHO_RANGES_VERSION_MAJOR, le16_to_cpu(hdr->major));
	ASSERT_EQ(sizeof(*hdr), le32_to_cpu(hdr->hdr_size));
	ASSERT_EQ(self->kr.blob_size, sizeof(*hdr) +
		  le64_to_cpu(hdr->nr_ranges) * sizeof(struct kho_ranges_blob_range));
	ASSERT_EQ(0, fdt_node_check_compatible(phys_to_virt(self->kr.fdt_phys),
					       0, KHO_RANGES_FDT_COMPATIBLE));
	ASSERT_EQ(NULL, kr_blob_matches(&self->kr, &in));
	ASSERT_EQ(in.nr_extents, in.nr_ranges);
	ASSERT_EQ(0, in.nr_bitmaps);
}

/* memblock.reserved afterwards holds exactly the preserved bytes, noinit */
TEST_F(roundtrip, deserialize_reserves_exactly_the_ranges)
{
	enum kho_ranges_reserve_mode modes[] = {
		KHO_RANGES_RESERVE_ASCENDING, KHO_RANGES_RESERVE_DESCENDING,
	};
	struct memblock_region first[256];
	unsigned long first_cnt = 0;
	struct kho_ranges_incoming in;
	unsigned int m;

	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		kho_sim_boot(true);
		ASSERT_EQ(0, memblock.reserved.total_size);
		ASSERT_EQ(0, kho_ranges_deserialize(&in, self->kr.fdt_phys,
						    self->kr.fdt_size, modes[m]));
		ASSERT_EQ(self->kr.nr_pages, in.nr_pages);
		ASSERT_EQ(0, in.nr_unknown);
		ASSERT_EQ(NULL, kr_check_reserved(&in));
		/* both orders of memblock calls end in the same state */
		if (!m) {
			first_cnt = memblock.reserved.cnt;
			ASSERT_LE(first_cnt, ARRAY_SIZE(first));
			memcpy(first, memblock.reserved.regions,
			       first_cnt * sizeof(first[0]));
		} else {
			ASSERT_EQ(first_cnt, memblock.reserved.cnt);
			ASSERT_EQ(0, memcmp(first, memblock.reserved.regions,
					    first_cnt * sizeof(first[0])));
		}
	}
}

/* more ranges than memblock.reserved's 128 boot slots: it must grow */
TEST_F(roundtrip, deserialize_grows_memblock_array)
{
	struct kho_ranges_incoming in;
	unsigned long i;

	for (i = 0; i < 3000; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(200000 + 2 * i),
						 1, KR_TAG(6)));
	ASSERT_EQ(0, kr_kexec(&self->kr, &in, true, KHO_RANGES_RESERVE_ASCENDING));
	ASSERT_LT(3000, memblock.reserved.cnt);
	ASSERT_EQ(NULL, kr_check_reserved(&in));
}

/*
 * Very early boot: memblock may not grow yet (x86 allows it only once the
 * e820 map is in, and growing would then allocate from memory that may be
 * preserved). The spare room takes memblock.reserved instead.
 */
TEST_F(roundtrip, deserialize_without_resize_uses_spare_room)
{
	struct kho_ranges_incoming in;
	unsigned long i;

	for (i = 0; i < 3000; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(200000 + 2 * i),
						 1, KR_TAG(6)));
	ASSERT_EQ(0, kr_kexec(&self->kr, &in, false, KHO_RANGES_RESERVE_DESCENDING));
	ASSERT_EQ(self->kr.spare_phys, in.spare_phys);
	ASSERT_EQ(self->kr.spare_size, in.spare_size);
	ASSERT_EQ((void *)in.spare_phys, (void *)memblock.reserved.regions);
	ASSERT_LT(3000, memblock.reserved.cnt);
	ASSERT_EQ(NULL, kr_check_reserved(&in));
}

/*
 * The early-boot case at scale: 120,000 isolated pages, memblock not
 * allowed to grow, one bulk merge into the spare room. Every preserved
 * byte must end up reserved noinit.
 */
TEST(bulk_120k_scattered_ranges_without_resize)
{
	struct kho_ranges_incoming in;
	struct kho_ranges kr;
	unsigned long i;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&kr);
	for (i = 0; i < 120000; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&kr, kr_pfn(2 * i + 1), 1,
						 KR_TAG(8)));
	ASSERT_EQ(0, kr_kexec(&kr, &in, false, KHO_RANGES_RESERVE_BULK));
	ASSERT_LT(120000, in.nr_extents);
	ASSERT_EQ((void *)in.spare_phys, (void *)memblock.reserved.regions);
	ASSERT_LT(120000, memblock.reserved.cnt);
	ASSERT_EQ(NULL, kr_check_reserved(&in));
	kho_ranges_destroy(&kr);
	kho_sim_exit();
}

/* a spare room outside the handover ranges is ignored, not trusted */
TEST_F(roundtrip, misplaced_spare_room_is_ignored)
{
	struct kho_ranges_incoming in;
	void *fdt;

	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	fdt = phys_to_virt(self->kr.fdt_phys);
	ASSERT_EQ(0, fdt_setprop_inplace_u64(fdt, 0, KHO_RANGES_FDT_PROP_SPARE,
					     kho_sim.ram_base));
	kho_sim_boot(true);
	ASSERT_EQ(0, kho_ranges_deserialize(&in, self->kr.fdt_phys,
					    self->kr.fdt_size,
					    KHO_RANGES_RESERVE_ASCENDING));
	ASSERT_EQ(0, in.spare_size);
	ASSERT_EQ(NULL, kr_check_reserved(&in));
}

/* every preserved folio comes back with its order, only at its head */
TEST_F(roundtrip, restore_every_folio)
{
	struct kho_ranges_incoming in;
	unsigned int i;

	ASSERT_EQ(0, kr_kexec(&self->kr, &in, true, KHO_RANGES_RESERVE_DESCENDING));
	kho_sim_reset_pages();		/* the new kernel's memmap */

	for (i = 0; i < self->nr_folios; i++) {
		phys_addr_t phys = page_to_phys(&self->folios[i]->page);
		unsigned int order = i / 4;
		struct folio *f;

		if (order) {
			/* a tail page is not a folio start */
			ASSERT_NULL(kho_ranges_restore_folio(&in, phys + PAGE_SIZE));
		}
		/* nor may a folio come back as a page block */
		ASSERT_NULL(kho_ranges_restore_pages(&in, phys, order));
		f = kho_ranges_restore_folio(&in, phys);
		ASSERT_NE(NULL, f);
		ASSERT_EQ(phys, page_to_phys(&f->page));
		ASSERT_EQ(order, folio_order(f));
		ASSERT_EQ(1, page_count(&f->page));
		if (order)
			ASSERT_EQ(&f->page, folio_page(f, (1 << order) - 1)->compound_head);
	}
}

TEST_F(roundtrip, restore_page_blocks_and_vmalloc_pages)
{
	struct kho_ranges_incoming in;
	unsigned int i;

	ASSERT_EQ(0, kr_kexec(&self->kr, &in, true, KHO_RANGES_RESERVE_ASCENDING));
	kho_sim_reset_pages();

	for (i = 0; i < ARRAY_SIZE(self->blocks); i++) {
		phys_addr_t phys = page_to_phys(self->blocks[i]);
		unsigned int order = i % 3;

		ASSERT_NULL(kho_ranges_restore_folio(&in, phys));
		ASSERT_NULL(kho_ranges_restore_pages(&in, phys, order + 1));
		ASSERT_EQ(self->blocks[i], kho_ranges_restore_pages(&in, phys, order));
	}
	for (i = 0; i < ARRAY_SIZE(self->vpages); i++)
		ASSERT_EQ(self->vpages[i],
			  kho_ranges_restore_pages(&in, page_to_phys(self->vpages[i]), 0));
}

TEST_F(roundtrip, lookup_outside_ranges_is_enoent)
{
	struct kho_ranges_incoming in;
	phys_addr_t start;
	unsigned long nr;
	u32 info;

	ASSERT_EQ(0, kr_kexec(&self->kr, &in, true, KHO_RANGES_RESERVE_ASCENDING));
	EXPECT_EQ(-ENOENT, kho_ranges_lookup(&in, 0, NULL, NULL, NULL));
	EXPECT_EQ(-ENOENT, kho_ranges_lookup(&in, PFN_PHYS(kr_pfn(100001)),
					     NULL, NULL, NULL));
	EXPECT_EQ(-ENOENT, kho_ranges_lookup(&in, ~(phys_addr_t)0, NULL, NULL,
					     NULL));
	ASSERT_EQ(0, kho_ranges_lookup(&in, PFN_PHYS(kr_pfn(100003)) + 17,
				       &start, &nr, &info));
	EXPECT_EQ(PFN_PHYS(kr_pfn(100003)), start);
	EXPECT_EQ(1, nr);
	EXPECT_EQ(KR_TAG(4), info);
	EXPECT_NULL(kho_ranges_restore_pages(&in, PFN_PHYS(kr_pfn(100001)), 0));
}

/* a driver finds its metadata block again by its tag */
TEST_F(roundtrip, find_tag_finds_first_range_of_tag)
{
	struct kho_ranges_incoming in;
	phys_addr_t start;
	unsigned long nr;

	ASSERT_EQ(0, kr_kexec(&self->kr, &in, true, KHO_RANGES_RESERVE_ASCENDING));
	ASSERT_EQ(0, kho_ranges_find_tag(&in, 4, &start, &nr));
	ASSERT_EQ(PFN_PHYS(kr_pfn(100000)), start);
	ASSERT_EQ(1, nr);
	ASSERT_EQ(0, kho_ranges_find_tag(&in, 3, &start, NULL));
	ASSERT_EQ(PFN_PHYS(kr_pfn(1000)), start);
	ASSERT_EQ(-ENOENT, kho_ranges_find_tag(&in, 0x7777, &start, NULL));
}

/* a failed serialize leaves the tracker as it was, and can be retried */
TEST_F(roundtrip, serialize_enomem_is_retryable)
{
	struct kr_ranges before, after;
	unsigned long pool = kho_sim_pages_in_use();
	struct kho_ranges_incoming in;

	before = kr_collect(&self->kr);
	kho_sim_faults.fail_pages = true;
	ASSERT_EQ(-ENOMEM, kho_ranges_serialize(&self->kr));
	kho_sim_faults.fail_pages = false;
	ASSERT_FALSE(self->kr.finalized);
	ASSERT_EQ(pool, kho_sim_pages_in_use());
	after = kr_collect(&self->kr);
	ASSERT_TRUE(kr_ranges_equal(&before, &after));
	ASSERT_EQ(0, kr_kexec(&self->kr, &in, true, KHO_RANGES_RESERVE_ASCENDING));
	kr_ranges_free(&before);
	kr_ranges_free(&after);
}

/* a range longer than a record can say is split into equal-info records */
TEST(serialize_splits_huge_range)
{
	struct kho_ranges kr;
	struct kho_ranges_blob_range *rec;
	unsigned long pfn = 1UL << 40;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&kr);
	ASSERT_EQ(0, kho_ranges_preserve(&kr, pfn, (1UL << 33) + 8,
					 KHO_RANGES_INFO(3, 0, 0)));
	ASSERT_EQ(0, kho_ranges_serialize(&kr));
	/* the pool (blob, FDT) lies below 2^40 pages: records 1.. are ours */
	rec = kr_blob_rec(&kr, 1);
	ASSERT_EQ(PFN_PHYS(pfn), le64_to_cpu(rec[0].start));
	ASSERT_EQ(U32_MAX & ~7U, le32_to_cpu(rec[0].nr_pages));
	ASSERT_EQ(KHO_RANGES_INFO(3, 0, 0), le32_to_cpu(rec[1].info));
	ASSERT_EQ((1UL << 33) + 8, (u64)le32_to_cpu(rec[0].nr_pages) +
		  le32_to_cpu(rec[1].nr_pages) + le32_to_cpu(rec[2].nr_pages));
	ASSERT_EQ(4, le64_to_cpu(kr_blob_hdr(&kr)->nr_ranges));
	kho_ranges_destroy(&kr);
	kho_sim_exit();
}

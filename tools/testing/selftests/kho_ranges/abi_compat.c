// SPDX-License-Identifier: GPL-2.0
/*
 * ABI compatibility: what a 1.0 reader does with blobs from other writers,
 * by the rules of Documentation/core-api/kho_ranges-robustness.rst.
 *
 *   writer                              reader 1.0
 *   big-endian or 32-bit kernel         same bytes, read identically
 *   newer minor (longer hdr/records)    skips what it does not know
 *   unknown compat flags                ignored
 *   unknown incompat info flags         range reserved, never restored
 *   unknown incompat blob flags         blob rejected, nothing reserved
 *   newer major                         blob rejected, nothing reserved
 *
 * and the same for 2.0 blobs with bitmap records (the v2_ tests), whose
 * newer minors also append fields to bitmap records.
 *
 * The blobs come from golden/kr_golden.h, a writer that shares no code
 * with mm/kho_ranges.c, and from the golden files in golden/, which no
 * later change may stop reading.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>

#include "kselftest_harness.h"
#include "kr_test.h"
#include "kr_blob.h"
#include "golden/kr_golden.h"

/*
 * The handover the tests write: four pool pages, the blob in the first,
 * spare room in the next two, the root FDT in the last, all preserved by
 * one handover record after the user's records.
 */
#define ABI_PAGES		4
#define ABI_MAX_RECS		64
#define ABI_MAX_BMS		4

struct abi {
	phys_addr_t base;
	struct kr_writer_rec r[ABI_MAX_RECS];
	unsigned long nr;
	/* bitmap records, for a major 2 writer */
	struct kr_writer_bm bm[ABI_MAX_BMS];
	u64 bits[ABI_MAX_BMS][4];
	unsigned long nr_bm;
	struct kho_ranges_incoming in;
};

FIXTURE(abi) {
	struct abi a;
};

FIXTURE_SETUP(abi)
{
	struct abi *a = &self->a;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	a->base = page_to_phys(alloc_pages(GFP_KERNEL, 2));
	/* a little of everything, in RAM, below the pool */
	a->r[0] = (struct kr_writer_rec){ PFN_PHYS(kr_pfn(0)), 1,
					     KHO_RANGES_INFO(0, 0, 1) };
	a->r[1] = (struct kr_writer_rec){ PFN_PHYS(kr_pfn(512)), 512,
					     KHO_RANGES_INFO(9, KHO_RANGES_INFO_FOLIO, 2) };
	a->r[2] = (struct kr_writer_rec){ PFN_PHYS(kr_pfn(2048)), 64,
					     KHO_RANGES_INFO(3, 0, 3) };
	a->r[3] = (struct kr_writer_rec){ PFN_PHYS(kr_pfn(4096)), 4,
					     KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO, 4) };
	a->nr = 4;
}

FIXTURE_TEARDOWN(abi)
{
	kho_sim_exit();
}

/* write the handover with @w, boot, deserialize */
static int abi_boot(struct abi *a, const struct kr_writer *w,
		    enum kho_ranges_reserve_mode mode)
{
	struct kr_writer_rec r[ABI_MAX_RECS + 1];
	u8 *blob = phys_to_virt(a->base);
	void *fdt = blob + 3 * PAGE_SIZE;
	size_t size;

	memcpy(r, a->r, a->nr * sizeof(*r));
	r[a->nr] = (struct kr_writer_rec){
		a->base, ABI_PAGES,
		KHO_RANGES_INFO(0, KHO_RANGES_INFO_HANDOVER, 0)
	};
	size = kr_writer_blob_v2(blob, w, r, a->nr + 1, a->bm, a->nr_bm);
	if (kr_writer_fdt_for(fdt, PAGE_SIZE, w, a->base, size,
			      a->base + PAGE_SIZE, 2 * PAGE_SIZE))
		return -ENOSPC;
	kho_sim_boot(true);
	return kho_ranges_deserialize(&a->in, a->base + 3 * PAGE_SIZE,
				      PAGE_SIZE, mode);
}

/* rejected, and not a byte reserved */
#define ASSERT_REJECTED(err, ret) do {				\
	ASSERT_EQ(err, ret);					\
	ASSERT_EQ(0, memblock.reserved.total_size);		\
	ASSERT_EQ(0, a->in.nr_ranges);			\
} while (0)

/* accepted: every record found as written, reserved exactly */
static void abi_check_accepted(struct __test_metadata *_metadata,
			       struct abi *a)
{
	unsigned long i;

	ASSERT_EQ(a->nr + 1, a->in.nr_ranges);
	ASSERT_EQ(NULL, kr_check_reserved(&a->in));
	for (i = 0; i < a->nr; i++) {
		phys_addr_t start;
		unsigned long nr;
		u32 info;

		ASSERT_EQ(0, kho_ranges_lookup(&a->in, a->r[i].start +
					       PAGE_SIZE * (a->r[i].nr_pages - 1),
					       &start, &nr, &info));
		ASSERT_EQ(a->r[i].start, start);
		ASSERT_EQ(a->r[i].nr_pages, nr);
		ASSERT_EQ(a->r[i].info, info);
	}
	/* the spare room is trusted and memblock.reserved moved into it */
	ASSERT_EQ(a->base + PAGE_SIZE, a->in.spare_phys);
	ASSERT_EQ((void *)(a->base + PAGE_SIZE),
		  (void *)memblock.reserved.regions);
}

/*
 * The format is little endian with fixed-width fields, so a big-endian or a
 * 32-bit kernel writes the very bytes x86-64 writes: the independent
 * writer, in each of its three ways, reproduces mm/kho_ranges.c's blob byte
 * for byte, checksum included, and a range longer than a record can hold
 * is cut the same way.
 */
TEST(writers_of_any_cpu_produce_the_serializers_bytes)
{
	const enum kr_writer_cpu cpus[] = {
		KR_WRITER_LE64, KR_WRITER_BE64, KR_WRITER_LE32,
	};
	static struct kr_writer_rec r[4096];
	struct page *vpages[16];
	struct kho_ranges kr;
	struct kr_ranges rs;
	unsigned long i, nr = 0;
	unsigned int c;
	static u8 out[1 << 16];

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&kr);
	for (i = 0; i < 24; i++)
		ASSERT_EQ(0, kho_ranges_preserve_folio(&kr, folio_alloc(GFP_KERNEL,
									  i / 3), 1));
	for (i = 0; i < ARRAY_SIZE(vpages); i++)
		vpages[i] = pfn_to_page(kr_pfn(i < 5 ? 700 + i : 900 + 3 * i));
	ASSERT_EQ(0, kho_ranges_preserve_page_array(&kr, vpages,
						    ARRAY_SIZE(vpages), 3));
	/* 2^33 + 8 pages: three records of at most U32_MAX pages */
	ASSERT_EQ(0, kho_ranges_preserve(&kr, 1UL << 40, (1UL << 33) + 8,
					 KHO_RANGES_INFO(3, 0, 0xabcd)));
	ASSERT_EQ(0, kho_ranges_serialize(&kr));

	/* records by the ABI text: ranges in order, cut at U32_MAX pages */
	rs = kr_collect(&kr);
	for (i = 0; i < rs.nr; i++) {
		unsigned int order = kho_ranges_info_order(rs.r[i].info);
		u64 max = U32_MAX & ~((1ULL << order) - 1);
		u64 pfn = rs.r[i].pfn, left = rs.r[i].nr_pages;

		while (left) {
			u64 n = left < max ? left : max;

			ASSERT_LT(nr, ARRAY_SIZE(r));
			r[nr++] = (struct kr_writer_rec){ pfn << PAGE_SHIFT, n,
							  rs.r[i].info };
			pfn += n;
			left -= n;
		}
	}
	kr_ranges_free(&rs);

	/* xxh64 by default, crc32 for a next kernel older than the flag */
	for (c = 0; c < 2 * ARRAY_SIZE(cpus); c++) {
		struct kr_writer w = KR_WRITER_V1(cpus[c % ARRAY_SIZE(cpus)]);

		if (c == ARRAY_SIZE(cpus)) {
			kho_ranges_abort(&kr);
			kr.crc32_blob = true;
			ASSERT_EQ(0, kho_ranges_serialize(&kr));
		}
		w.flags = kr.crc32_blob ? 0 : KHO_RANGES_BLOB_XXH64;
		ASSERT_EQ(kr.blob_size, kr_writer_blob(out, &w, r, nr));
		ASSERT_EQ(0, memcmp(out, kr_blob_hdr(&kr), kr.blob_size)) {
			TH_LOG("writer %u differs from the serializer", c);
		}
	}
	kho_ranges_destroy(&kr);
	kho_sim_exit();
}

/* and so each of them is read identically: same records, same memblock */
TEST_F(abi, big_endian_and_32bit_writers_are_read_identically)
{
	struct abi *a = &self->a;
	const enum kr_writer_cpu cpus[] = {
		KR_WRITER_LE64, KR_WRITER_BE64, KR_WRITER_LE32,
	};
	struct memblock_region first[64];
	unsigned long first_cnt = 0;
	unsigned int c;

	for (c = 0; c < ARRAY_SIZE(cpus); c++) {
		struct kr_writer w = KR_WRITER_V1(cpus[c]);

		ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_DESCENDING));
		abi_check_accepted(_metadata, a);
		ASSERT_NE(NULL, kho_ranges_restore_folio(&a->in,
							 a->r[1].start));
		if (!c) {
			first_cnt = memblock.reserved.cnt;
			memcpy(first, memblock.reserved.regions,
			       first_cnt * sizeof(first[0]));
			continue;
		}
		ASSERT_EQ(first_cnt, memblock.reserved.cnt);
		ASSERT_EQ(0, memcmp(first, memblock.reserved.regions,
				    first_cnt * sizeof(first[0])));
	}
}

/*
 * A later 1.x appends fields to the header and to each record; 1.0 steps
 * over them by hdr_size and range_size and reads the same ranges. The
 * appended bytes are not zero, so reading them would show.
 */
TEST_F(abi, newer_minor_longer_header_and_records_are_skipped)
{
	struct abi *a = &self->a;
	const struct { u16 minor; u32 hdr_size, range_size; } v[] = {
		{ 1, 56, 16 }, { 2, 48, 24 }, { 3, 64, 32 }, { 0xffff, 120, 40 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct kr_writer w = KR_WRITER_V1(KR_WRITER_LE64);

		w.minor = v[i].minor;
		w.hdr_size = v[i].hdr_size;
		w.range_size = v[i].range_size;
		ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_BULK));
		ASSERT_EQ(v[i].range_size, a->in.range_size);
		abi_check_accepted(_metadata, a);
		ASSERT_NE(NULL, kho_ranges_restore_pages(&a->in,
							 a->r[2].start, 3));
	}
}

/* but sizes must still be whole 8-byte words and hold 1.0's fields */
TEST_F(abi, newer_minor_with_malformed_sizes_is_rejected)
{
	struct abi *a = &self->a;
	const struct { u32 hdr_size, range_size; } v[] = {
		{ 52, 16 }, { 48, 20 }, { 40, 16 }, { 48, 8 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct kr_writer w = KR_WRITER_V1(KR_WRITER_LE64);

		/* a valid blob, then its sizes changed and the crc redone */
		w.minor = 1;
		ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_BULK));
		put_unaligned_le32(v[i].hdr_size, phys_to_virt(a->base + 8));
		put_unaligned_le32(v[i].range_size, phys_to_virt(a->base + 12));
		kr_blob_seal(phys_to_virt(a->base));
		kho_sim_boot(true);
		ASSERT_REJECTED(-EINVAL,
				kho_ranges_deserialize(&a->in,
						       a->base + 3 * PAGE_SIZE,
						       PAGE_SIZE,
						       KHO_RANGES_RESERVE_BULK));
	}
}

/* compat info bits 6..10 a reader does not know: the range is as usual */
TEST_F(abi, unknown_compat_info_flags_are_ignored)
{
	struct abi *a = &self->a;
	unsigned int bit;

	for (bit = 7; bit <= 10; bit++) {
		struct kr_writer w = KR_WRITER_V1(KR_WRITER_BE64);

		a->r[1].info = KHO_RANGES_INFO(9, KHO_RANGES_INFO_FOLIO |
						  (1U << bit), 2);
		ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_ASCENDING));
		abi_check_accepted(_metadata, a);
		ASSERT_EQ(0, a->in.nr_unknown);
		ASSERT_NE(NULL, kho_ranges_restore_folio(&a->in,
							 a->r[1].start));
	}
}

/*
 * incompat info bits 11..15 a reader does not know: the memory stays
 * reserved (it is someone's), but nobody gets it back in a form this
 * kernel cannot vouch for.
 */
TEST_F(abi, unknown_incompat_info_flags_reserve_but_never_restore)
{
	struct abi *a = &self->a;
	unsigned int bit;

	for (bit = 12; bit <= 15; bit++) {
		struct kr_writer w = KR_WRITER_V1(KR_WRITER_LE32);

		a->r[1].info = KHO_RANGES_INFO(9, KHO_RANGES_INFO_FOLIO |
						  (1U << bit), 2);
		ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_DESCENDING));
		abi_check_accepted(_metadata, a);
		ASSERT_EQ(1, a->in.nr_unknown);
		ASSERT_NULL(kho_ranges_restore_folio(&a->in, a->r[1].start));
		ASSERT_NULL(kho_ranges_restore_pages(&a->in, a->r[1].start, 9));
		/* the other ranges are unaffected */
		ASSERT_NE(NULL, kho_ranges_restore_folio(&a->in,
							 a->r[3].start));
	}
}

/* blob flags: bits 0..15 ignored, unknown bits 16..31 reject the blob */
TEST_F(abi, unknown_blob_flags)
{
	struct abi *a = &self->a;
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		struct kr_writer w = KR_WRITER_V1(KR_WRITER_LE64);
		int ret;

		w.flags = 1U << bit;
		ret = abi_boot(a, &w, KHO_RANGES_RESERVE_ASCENDING);
		if (bit < 16 || (1U << bit) & KHO_RANGES_BLOB_INCOMPAT_KNOWN) {
			ASSERT_EQ(0, ret);
			abi_check_accepted(_metadata, a);
		} else {
			ASSERT_REJECTED(-EOPNOTSUPP, ret);
		}
	}
}

/* any other major, older or newer, is rejected before a record is read */
TEST_F(abi, other_major_versions_are_rejected)
{
	struct abi *a = &self->a;
	const u16 majors[] = { 0, 3, 4, 0x100, 0xffff };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(majors); i++) {
		struct kr_writer w = KR_WRITER_V1(KR_WRITER_BE64);

		w.major = majors[i];
		ASSERT_REJECTED(-EPROTONOSUPPORT,
				abi_boot(a, &w, KHO_RANGES_RESERVE_ASCENDING));
	}
}

/*
 * The root FDT's compatible is a string list: a writer whose format an
 * older reader can still read lists that reader's string after its own;
 * one that cannot does not, and is rejected. This reader knows v2 and v1.
 */
TEST_F(abi, fdt_compatible_lists)
{
	struct abi *a = &self->a;
	static const char both[] = "kho-ranges-v3\0kho-ranges-v2";
	static const char v2[] = "kho-ranges-v3";
	void *fdt = phys_to_virt(a->base + 3 * PAGE_SIZE);
	struct kr_writer w = KR_WRITER_V1(KR_WRITER_LE64);

	ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_ASCENDING));
	ASSERT_EQ(0, fdt_open_into(fdt, fdt, PAGE_SIZE));
	ASSERT_EQ(0, fdt_setprop(fdt, 0, "compatible", both, sizeof(both)));
	kho_sim_boot(true);
	ASSERT_EQ(0, kho_ranges_deserialize(&a->in, a->base + 3 * PAGE_SIZE,
					    PAGE_SIZE, KHO_RANGES_RESERVE_BULK));
	abi_check_accepted(_metadata, a);

	ASSERT_EQ(0, fdt_setprop(fdt, 0, "compatible", v2, sizeof(v2)));
	kho_sim_boot(true);
	memset(&a->in, 0, sizeof(a->in));
	ASSERT_REJECTED(-EPROTONOSUPPORT,
			kho_ranges_deserialize(&a->in,
					       a->base + 3 * PAGE_SIZE,
					       PAGE_SIZE, KHO_RANGES_RESERVE_BULK));
}

/*
 * Found by fuzzing. The DT spec puts the structure block on a 4-byte
 * boundary; fdt_check_header() does not check that, and libfdt would load
 * every tag misaligned. Such an FDT is malformed: -EINVAL.
 */
TEST_F(abi, fdt_structure_block_misaligned_is_rejected)
{
	struct abi *a = &self->a;
	u8 *fdt = phys_to_virt(a->base + 3 * PAGE_SIZE);
	struct kr_writer w = KR_WRITER_V1(KR_WRITER_LE64);
	unsigned int off;

	ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_ASCENDING));
	off = fdt_off_dt_struct(fdt);
	memmove(fdt + off + 2, fdt + off, fdt_totalsize(fdt) - off);
	fdt_set_off_dt_struct(fdt, off + 2);
	fdt_set_off_dt_strings(fdt, fdt_off_dt_strings(fdt) + 2);
	fdt_set_totalsize(fdt, fdt_totalsize(fdt) + 2);
	ASSERT_EQ(0, fdt_check_header(fdt));
	kho_sim_boot(true);
	memset(&a->in, 0, sizeof(a->in));
	ASSERT_REJECTED(-EINVAL,
			kho_ranges_deserialize(&a->in,
					       a->base + 3 * PAGE_SIZE,
					       PAGE_SIZE, KHO_RANGES_RESERVE_BULK));
}

/*
 * Found by fuzzing. Spare room on the blob itself is handover memory, so
 * it passed as spare room; memblock.reserved then moved over the records
 * before they were reserved. It must be ignored like any bad spare room.
 */
TEST_F(abi, spare_room_on_the_blob_is_ignored)
{
	struct abi *a = &self->a;
	void *fdt = phys_to_virt(a->base + 3 * PAGE_SIZE);
	struct kr_writer w = KR_WRITER_V1(KR_WRITER_LE64);

	ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_ASCENDING));
	ASSERT_EQ(0, fdt_setprop_inplace_u64(fdt, 0, KHO_RANGES_FDT_PROP_SPARE,
					     a->base));
	kho_sim_boot(true);
	ASSERT_EQ(0, kho_ranges_deserialize(&a->in, a->base + 3 * PAGE_SIZE,
					    PAGE_SIZE, KHO_RANGES_RESERVE_ASCENDING));
	ASSERT_EQ(0, a->in.spare_size);
	ASSERT_EQ(NULL, kr_check_reserved(&a->in));
	ASSERT_EQ(0, kho_ranges_lookup(&a->in, a->r[3].start, NULL, NULL,
				       NULL));
}

/*
 * Found by fuzzing. Spare room too small for the records: memblock grew
 * out of it and freed the array it left, whole pages of it, un-reserving
 * the handover range around it. Spare room must hold every region the
 * records can add, and be whole pages; otherwise it is ignored.
 */
TEST(spare_room_too_small_is_ignored)
{
	const u64 sizes[] = { PAGE_SIZE, 0 };
	struct kho_ranges_incoming in;
	struct kho_ranges kr;
	unsigned long i;
	void *fdt;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&kr);
	for (i = 0; i < 600; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&kr, kr_pfn(2 * i), 1, KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_serialize(&kr));
	fdt = phys_to_virt(kr.fdt_phys);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		/* one page, then all of it but the last 8 bytes */
		ASSERT_EQ(0, fdt_setprop_inplace_u64(fdt, 0,
						     KHO_RANGES_FDT_PROP_SPARE_SIZE,
						     sizes[i] ?: kr.spare_size - 8));
		kho_sim_boot(true);
		ASSERT_EQ(0, kho_ranges_deserialize(&in, kr.fdt_phys, kr.fdt_size,
						    KHO_RANGES_RESERVE_DESCENDING));
		ASSERT_EQ(0, in.spare_size);
		ASSERT_EQ(NULL, kr_check_reserved(&in));
	}
	kho_ranges_destroy(&kr);
	kho_sim_exit();
}

/*
 * ABI 2.0: bitmap records. Three windows of orders 0, 2 and 6 after the
 * fixture's range records, none of them whole words long, and a range
 * record in clear bits of the first.
 */
static void abi_add_bitmaps(struct abi *a)
{
	static const struct {
		unsigned long off;
		u32 info, nr_bits;
		unsigned int nr_set, set[8];
	} v[] = {
		{ 8192, KHO_RANGES_INFO(0, 0, 5), 100,
		  7, { 0, 1, 2, 10, 63, 64, 99 } },
		{ 16384, KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO, 6), 77,
		  3, { 0, 5, 76 } },
		{ 32768, KHO_RANGES_INFO(6, KHO_RANGES_INFO_FOLIO, 7), 130,
		  8, { 1, 64, 65, 66, 67, 68, 69, 129 } },
	};
	unsigned int i, k;

	memset(a->bits, 0, sizeof(a->bits));
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		for (k = 0; k < v[i].nr_set; k++)
			a->bits[i][v[i].set[k] / 64] |= 1ULL << (v[i].set[k] % 64);
		a->bm[i] = (struct kr_writer_bm){ PFN_PHYS(kr_pfn(v[i].off)),
						  v[i].info, v[i].nr_bits,
						  a->bits[i] };
	}
	a->nr_bm = ARRAY_SIZE(v);
	/* pages 3 and 4 of the first window are clear */
	a->r[a->nr++] = (struct kr_writer_rec){ PFN_PHYS(kr_pfn(8192 + 3)), 2,
						KHO_RANGES_INFO(0, 0, 8) };
}

static bool abi_bit(const struct kr_writer_bm *bm, unsigned long b)
{
	return bm->bits[b / 64] >> (b % 64) & 1;
}

/*
 * accepted with its bitmap records: every folio of every window found if
 * its bit is set, not found if it is clear (unless a range record holds
 * it), and the pages and runs counted as the records and bits give them
 */
static void abi_check_bitmaps(struct __test_metadata *_metadata,
			      struct abi *a)
{
	unsigned long i, b, k, pages = ABI_PAGES, runs = a->nr + 1;

	ASSERT_EQ(a->nr_bm, a->in.nr_bitmaps);
	for (i = 0; i < a->nr; i++)
		pages += a->r[i].nr_pages;
	for (i = 0; i < a->nr_bm; i++) {
		const struct kr_writer_bm *bm = &a->bm[i];
		unsigned int order = kho_ranges_info_order(bm->info);

		for (b = 0; b < bm->nr_bits; b++) {
			u64 phys = bm->start + (b << (PAGE_SHIFT + order));
			phys_addr_t start;
			unsigned long nr;
			u32 info;
			int ret;

			ret = kho_ranges_lookup(&a->in, phys, &start, &nr, &info);
			if (abi_bit(bm, b)) {
				ASSERT_EQ(0, ret);
				ASSERT_EQ(phys, start);
				ASSERT_EQ(1UL << order, nr);
				ASSERT_EQ(bm->info, info);
				pages += 1UL << order;
				runs += !b || !abi_bit(bm, b - 1);
				continue;
			}
			for (k = 0; k < a->nr; k++)
				if (phys >= a->r[k].start &&
				    phys < a->r[k].start +
				    a->r[k].nr_pages * PAGE_SIZE)
					break;
			if (k < a->nr) {
				ASSERT_EQ(0, ret);
				ASSERT_EQ(a->r[k].start, start);
			} else {
				ASSERT_EQ(-ENOENT, ret);
			}
		}
	}
	ASSERT_EQ(pages, a->in.nr_pages);
	ASSERT_EQ(runs, a->in.nr_extents);
}

/*
 * The words of a bitmap record are little-endian u64s whatever the CPU, as
 * every other field: the independent writer, in each of its three ways,
 * reproduces a major 2 blob of mm/kho_ranges.c byte for byte from its
 * records and bits.
 */
TEST(v2_writers_of_any_cpu_produce_the_serializers_bytes)
{
	const enum kr_writer_cpu cpus[] = {
		KR_WRITER_LE64, KR_WRITER_BE64, KR_WRITER_LE32,
	};
	static struct kr_writer_rec r[256];
	static struct kr_writer_bm bm[16];
	static u64 words[1024];
	static u8 out[1 << 16];
	unsigned long i, k, nr, nr_bm, w = 0;
	struct kho_ranges kr;
	const u8 *b;
	unsigned int c;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&kr);
	for (i = 0; i < 24; i++)
		ASSERT_EQ(0, kho_ranges_preserve_folio(&kr, folio_alloc(GFP_KERNEL,
									  i / 3), 1));
	/* windows of orders 0, 2 and 6, dense enough for bitmap records */
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&kr, kr_pfn(4096 + 3 * i), 1,
						 KR_TAG(1)));
	for (i = 0; i < 40; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&kr, kr_pfn(12288 + 8 * i), 4,
						 KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO, 5)));
	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&kr, kr_pfn(20480 + 64 * (4 * i + 1)),
						 64, KHO_RANGES_INFO(6, 0, 7)));
	ASSERT_EQ(0, kho_ranges_serialize(&kr));
	ASSERT_EQ(KHO_RANGES_VERSION_MAJOR_V2, kr.blob_major);

	/* the records and bits, read by the ABI table */
	b = (const u8 *)kr_blob_hdr(&kr);
	nr = get_unaligned_le64(b + 24);
	nr_bm = get_unaligned_le64(b + 48);
	ASSERT_GE(ARRAY_SIZE(r), nr);
	ASSERT_GE(ARRAY_SIZE(bm), nr_bm);
	ASSERT_EQ(3, nr_bm);
	for (i = 0; i < nr; i++) {
		const u8 *p = b + 64 + 16 * i;

		r[i] = (struct kr_writer_rec){ get_unaligned_le64(p),
					       get_unaligned_le32(p + 8),
					       get_unaligned_le32(p + 12) };
	}
	for (i = 0; i < nr_bm; i++) {
		const u8 *p = b + 64 + 16 * nr + 24 * i;
		u32 nr_bits = get_unaligned_le32(p + 12);

		bm[i] = (struct kr_writer_bm){ get_unaligned_le64(p),
					       get_unaligned_le32(p + 8),
					       nr_bits, &words[w] };
		for (k = 0; k < kr_writer_words_len(nr_bits) / 8; k++) {
			ASSERT_GT(ARRAY_SIZE(words), w);
			words[w++] = get_unaligned_le64(b +
							get_unaligned_le64(p + 16) +
							8 * k);
		}
	}

	/* xxh64 by default, crc32 for a next kernel older than the flag */
	for (c = 0; c < 2 * ARRAY_SIZE(cpus); c++) {
		struct kr_writer wr = KR_WRITER_V2(cpus[c % ARRAY_SIZE(cpus)]);

		if (c == ARRAY_SIZE(cpus)) {
			kho_ranges_abort(&kr);
			kr.crc32_blob = true;
			ASSERT_EQ(0, kho_ranges_serialize(&kr));
			b = (const u8 *)kr_blob_hdr(&kr);
		}
		wr.flags = kr.crc32_blob ? 0 : KHO_RANGES_BLOB_XXH64;
		ASSERT_EQ(kr.blob_size, kr_writer_blob_v2(out, &wr, r, nr, bm,
							  nr_bm));
		ASSERT_EQ(0, memcmp(out, b, kr.blob_size)) {
			TH_LOG("writer %u differs from the serializer", c);
		}
	}
	kho_ranges_destroy(&kr);
	kho_sim_exit();
}

/* a 2.0 blob from any CPU: same bytes, same records, same memblock */
TEST_F(abi, v2_big_endian_and_32bit_writers_are_read_identically)
{
	struct abi *a = &self->a;
	const enum kr_writer_cpu cpus[] = {
		KR_WRITER_LE64, KR_WRITER_BE64, KR_WRITER_LE32,
	};
	static struct memblock_region first[512];
	static u8 first_blob[PAGE_SIZE];
	struct kho_ranges_incoming first_in = { 0 };
	unsigned long first_cnt = 0;
	unsigned int c;

	abi_add_bitmaps(a);
	for (c = 0; c < ARRAY_SIZE(cpus); c++) {
		struct kr_writer w = KR_WRITER_V2(cpus[c]);

		ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_DESCENDING));
		abi_check_accepted(_metadata, a);
		abi_check_bitmaps(_metadata, a);
		ASSERT_NE(NULL, kho_ranges_restore_folio(&a->in,
							 a->bm[1].start +
							 5 * 4 * PAGE_SIZE));
		if (!c) {
			first_in = a->in;
			memcpy(first_blob, phys_to_virt(a->base), PAGE_SIZE);
			first_cnt = memblock.reserved.cnt;
			ASSERT_GE(ARRAY_SIZE(first), first_cnt);
			memcpy(first, memblock.reserved.regions,
			       first_cnt * sizeof(first[0]));
			continue;
		}
		ASSERT_EQ(0, memcmp(first_blob, phys_to_virt(a->base),
				    PAGE_SIZE));
		ASSERT_EQ(first_in.nr_extents, a->in.nr_extents);
		ASSERT_EQ(first_in.nr_pages, a->in.nr_pages);
		ASSERT_EQ(first_in.nr_folios, a->in.nr_folios);
		ASSERT_EQ(first_in.blob_len, a->in.blob_len);
		ASSERT_EQ(first_cnt, memblock.reserved.cnt);
		ASSERT_EQ(0, memcmp(first, memblock.reserved.regions,
				    first_cnt * sizeof(first[0])));
	}
}

/*
 * A later 2.x appends fields to the header, to the range records and to
 * the bitmap records; 2.0 steps over them by hdr_size, range_size and
 * bitmap_size (the appended bytes are not zero) and reads the same runs.
 */
TEST_F(abi, v2_newer_minor_longer_header_and_records_are_skipped)
{
	struct abi *a = &self->a;
	const struct {
		u16 minor;
		u32 hdr_size, range_size, bitmap_size;
	} v[] = {
		{ 1, 72, 16, 24 }, { 2, 64, 24, 32 }, { 3, 80, 32, 40 },
		{ 0xffff, 128, 40, 48 },
	};
	struct kr_writer w = KR_WRITER_V2(KR_WRITER_LE64);
	struct kr_ranges first, runs;
	unsigned int i;

	abi_add_bitmaps(a);
	ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_BULK));
	first = kr_collect_incoming(&a->in);
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		w.minor = v[i].minor;
		w.hdr_size = v[i].hdr_size;
		w.range_size = v[i].range_size;
		w.bitmap_size = v[i].bitmap_size;
		ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_BULK));
		ASSERT_EQ(v[i].range_size, a->in.range_size);
		ASSERT_EQ(v[i].bitmap_size, a->in.bitmap_size);
		abi_check_accepted(_metadata, a);
		abi_check_bitmaps(_metadata, a);
		runs = kr_collect_incoming(&a->in);
		ASSERT_TRUE(kr_ranges_equal(&first, &runs));
		kr_ranges_free(&runs);
		ASSERT_NE(NULL, kho_ranges_restore_folio(&a->in,
							 a->bm[2].start +
							 64 * PAGE_SIZE));
	}
	kr_ranges_free(&first);
}

/* but the sizes must be whole words and hold 2.0's fields */
TEST_F(abi, v2_newer_minor_with_malformed_sizes_is_rejected)
{
	struct abi *a = &self->a;
	const struct { u32 hdr_size, bitmap_size; } v[] = {
		{ 56, 24 }, { 68, 24 }, { 64, 20 }, { 64, 28 }, { 64, 16 },
	};
	unsigned int i;

	abi_add_bitmaps(a);
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct kr_writer w = KR_WRITER_V2(KR_WRITER_LE64);

		/* a valid blob, then its sizes changed and the crc redone */
		w.minor = 1;
		ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_BULK));
		put_unaligned_le32(v[i].hdr_size, phys_to_virt(a->base + 8));
		put_unaligned_le32(v[i].bitmap_size, phys_to_virt(a->base + 56));
		kr_blob_seal(phys_to_virt(a->base));
		kho_sim_boot(true);
		memset(&a->in, 0, sizeof(a->in));
		ASSERT_REJECTED(-EINVAL,
				kho_ranges_deserialize(&a->in,
						       a->base + 3 * PAGE_SIZE,
						       PAGE_SIZE,
						       KHO_RANGES_RESERVE_BULK));
	}
}

/*
 * Info flags a reader does not know, on a bitmap record, as on a range
 * record: compat ones ignored; incompat ones keep every folio of the
 * window reserved and none restorable (nr_unknown counts its runs).
 */
TEST_F(abi, v2_unknown_info_flags_in_bitmap_records)
{
	struct abi *a = &self->a;
	struct kr_writer w = KR_WRITER_V2(KR_WRITER_BE64);
	phys_addr_t folio;

	abi_add_bitmaps(a);
	folio = a->bm[1].start + 5 * 4 * PAGE_SIZE;
	a->bm[1].info = KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO | (1U << 9), 6);
	ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_ASCENDING));
	abi_check_accepted(_metadata, a);
	abi_check_bitmaps(_metadata, a);
	ASSERT_EQ(0, a->in.nr_unknown);
	ASSERT_NE(NULL, kho_ranges_restore_folio(&a->in, folio));

	a->bm[1].info = KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO | (1U << 14), 6);
	ASSERT_EQ(0, abi_boot(a, &w, KHO_RANGES_RESERVE_ASCENDING));
	abi_check_accepted(_metadata, a);
	abi_check_bitmaps(_metadata, a);
	ASSERT_EQ(3, a->in.nr_unknown);
	ASSERT_NULL(kho_ranges_restore_folio(&a->in, a->bm[1].start));
	ASSERT_NULL(kho_ranges_restore_folio(&a->in, folio));
	ASSERT_NULL(kho_ranges_restore_pages(&a->in, folio, 2));
	/* the other windows are unaffected */
	ASSERT_NE(NULL, kho_ranges_restore_folio(&a->in, a->bm[2].start +
						 64 * PAGE_SIZE));
	ASSERT_NE(NULL, kho_ranges_restore_pages(&a->in, a->bm[0].start, 0));
}

/*
 * Golden handovers: bytes a previous kernel left, committed once and never
 * rewritten. Their addresses are absolute (golden/NAME.txt says where the
 * memory was), so the test tells memblock that memory exists there, and
 * validates and reserves the unchanged bytes from a copy in the heap;
 * validation and reservation only read the blob and only consult and
 * update memblock, never the memory itself.
 */
struct golden {
	u64 mem_base, mem_size;
	u64 fdt, fdt_size, blob, blob_size, spare, spare_size;
	unsigned long nr, pages, folios, unknown;
	struct kr_writer_rec r[256];
	unsigned long nr_r;
	/* major 2: the bitmap records and their words, and every run */
	bool v2;
	unsigned long nr_bm, extents;
	struct kr_writer_bm bm[32];
	unsigned long nr_bm_r;
	u64 words[4096];
	unsigned long nr_words;
	struct kr_range runs[1024];
	unsigned long nr_runs;
};

static void *golden_read(const char *name, const char *ext, size_t *len)
{
	char path[4096], file[4096];
	static u8 buf[1 << 16];
	FILE *f;

	snprintf(file, sizeof(file), "%s", __FILE__);
	snprintf(path, sizeof(path), "%s/golden/%s.%s", dirname(file), name,
		 ext);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return memcpy(malloc(*len + 1), buf, *len);
}

/* a "words" line: more words of the last bitmap record */
static bool golden_words(struct golden *g, char *line)
{
	char *p = line + strlen("words"), *end;

	if (!g->nr_bm_r)
		return false;
	for (;;) {
		u64 v = strtoull(p, &end, 16);

		if (end == p)
			return true;
		if (g->nr_words == ARRAY_SIZE(g->words))
			return false;
		g->words[g->nr_words++] = v;
		p = end;
	}
}

static bool golden_parse(struct golden *g, char *txt)
{
	unsigned long i, w = 0;
	char *line;

	memset(g, 0, sizeof(*g));
	for (line = strtok(txt, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long long a, b;
		unsigned int nr, info;

		if (sscanf(line, "memory %llx %llx", &a, &b) == 2) {
			g->mem_base = a;
			g->mem_size = b;
		} else if (sscanf(line, "fdt %llx %llx", &a, &b) == 2) {
			g->fdt = a;
			g->fdt_size = b;
		} else if (sscanf(line, "blob %llx %llx", &a, &b) == 2) {
			g->blob = a;
			g->blob_size = b;
		} else if (sscanf(line, "spare %llx %llx", &a, &b) == 2) {
			g->spare = a;
			g->spare_size = b;
		} else if (sscanf(line, "totals %lu %lu %lu %lu", &g->nr,
				  &g->pages, &g->folios, &g->unknown) == 4) {
			continue;
		} else if (sscanf(line, "bitmaps %lu %lu", &g->nr_bm,
				  &g->extents) == 2) {
			g->v2 = true;
		} else if (sscanf(line, "range %llx %u %x", &a, &nr, &info) == 3) {
			if (g->nr_r == ARRAY_SIZE(g->r))
				return false;
			g->r[g->nr_r++] = (struct kr_writer_rec){ a, nr, info };
		} else if (sscanf(line, "bitmap %llx %u %x", &a, &nr, &info) == 3) {
			if (g->nr_bm_r == ARRAY_SIZE(g->bm))
				return false;
			/* the words pointer is set once all are read */
			g->bm[g->nr_bm_r++] = (struct kr_writer_bm){ a, info, nr };
		} else if (!strncmp(line, "words ", 6)) {
			if (!golden_words(g, line))
				return false;
		} else if (sscanf(line, "run %llx %llu %x", &a, &b, &info) == 3) {
			if (g->nr_runs == ARRAY_SIZE(g->runs))
				return false;
			g->runs[g->nr_runs++] = (struct kr_range){ a >> PAGE_SHIFT,
								   b, info };
		}
	}
	for (i = 0; i < g->nr_bm_r; i++) {
		g->bm[i].bits = &g->words[w];
		w += kr_writer_words_len(g->bm[i].nr_bits) / 8;
	}
	return g->nr && g->nr == g->nr_r && w == g->nr_words &&
	       g->nr_bm == g->nr_bm_r && g->extents == g->nr_runs &&
	       (g->v2 || !g->nr_bm_r);
}

/* the range record of @g that holds @phys, if any */
static const struct kr_writer_rec *golden_range_at(const struct golden *g,
						   u64 phys)
{
	unsigned long i;

	for (i = 0; i < g->nr; i++)
		if (phys >= g->r[i].start &&
		    phys - g->r[i].start < (u64)g->r[i].nr_pages * PAGE_SIZE)
			return &g->r[i];
	return NULL;
}

/*
 * The bitmap records of a major 2 golden, as a reader finds them: the
 * records and words as written, every run in address order, and every
 * folio of every window found or not as its bit says.
 */
static void golden_check_bitmaps(struct __test_metadata *_metadata,
				 const struct golden *g,
				 const struct kho_ranges_incoming *in)
{
	struct kr_ranges runs;
	unsigned long i, b, k;

	ASSERT_EQ(g->nr_bm, in->nr_bitmaps);
	ASSERT_EQ(g->extents, in->nr_extents);
	for (i = 0; i < g->nr_bm; i++) {
		const struct kr_writer_bm *bm = &g->bm[i];
		const u8 *rec = in->bitmaps + i * in->bitmap_size;
		const u8 *words = (const u8 *)in->blob +
				  get_unaligned_le64(rec + 16);
		unsigned int order = kho_ranges_info_order(bm->info);

		ASSERT_EQ(bm->start, get_unaligned_le64(rec));
		ASSERT_EQ(bm->info, get_unaligned_le32(rec + 8));
		ASSERT_EQ(bm->nr_bits, get_unaligned_le32(rec + 12));
		for (k = 0; k < kr_writer_words_len(bm->nr_bits) / 8; k++)
			ASSERT_EQ(bm->bits[k], get_unaligned_le64(words + 8 * k));
		for (b = 0; b < bm->nr_bits; b++) {
			u64 phys = bm->start + (b << (PAGE_SHIFT + order));
			const struct kr_writer_rec *r = golden_range_at(g, phys);
			phys_addr_t start;
			unsigned long nr;
			u32 info;
			int ret;

			ret = kho_ranges_lookup(in, phys, &start, &nr, &info);
			if (bm->bits[b / 64] >> (b % 64) & 1) {
				ASSERT_EQ(0, ret);
				ASSERT_EQ(phys, start);
				ASSERT_EQ(1UL << order, nr);
				ASSERT_EQ(bm->info, info);
			} else if (r) {
				ASSERT_EQ(0, ret);
				ASSERT_EQ(r->start, start);
			} else {
				ASSERT_EQ(-ENOENT, ret);
			}
		}
	}
	runs = kr_collect_incoming(in);
	ASSERT_EQ(g->nr_runs, runs.nr);
	for (i = 0; i < runs.nr; i++) {
		ASSERT_EQ(g->runs[i].pfn, runs.r[i].pfn);
		ASSERT_EQ(g->runs[i].nr_pages, runs.r[i].nr_pages);
		ASSERT_EQ(g->runs[i].info, runs.r[i].info);
	}
	kr_ranges_free(&runs);
}

static void golden_check(struct __test_metadata *_metadata, const char *name)
{
	const enum kho_ranges_reserve_mode modes[] = {
		KHO_RANGES_RESERVE_ASCENDING, KHO_RANGES_RESERVE_DESCENDING,
		KHO_RANGES_RESERVE_BULK,
	};
	size_t txt_len, blob_len, fdt_len, blob_size;
	struct kho_ranges_incoming in;
	static struct golden g;
	phys_addr_t blob_phys;
	const void *prop;
	unsigned long i;
	unsigned int m;
	char *txt;
	u8 *blob;
	void *fdt;
	int len;

	txt = golden_read(name, "txt", &txt_len);
	blob = golden_read(name, "blob", &blob_len);
	fdt = golden_read(name, "fdt", &fdt_len);
	ASSERT_TRUE(txt && blob && fdt);
	txt[txt_len] = 0;
	ASSERT_TRUE(golden_parse(&g, txt));

	ASSERT_EQ(0, kho_ranges_fdt_parse(fdt, fdt_len, &blob_phys, &blob_size));
	/* a 2.x blob is only for readers of major 2 */
	ASSERT_EQ(0, fdt_node_check_compatible(fdt, 0, g.v2 ?
					       KHO_RANGES_FDT_COMPATIBLE_V2 :
					       KHO_RANGES_FDT_COMPATIBLE));
	ASSERT_EQ(!g.v2, !fdt_node_check_compatible(fdt, 0,
						    KHO_RANGES_FDT_COMPATIBLE));
	ASSERT_EQ(g.v2 ? 2 : 1, get_unaligned_le16(blob + 4));
	ASSERT_EQ(g.blob, blob_phys);
	ASSERT_EQ(g.blob_size, blob_size);
	ASSERT_EQ(blob_len, blob_size);
	ASSERT_EQ(g.fdt_size, fdt_len);
	prop = fdt_getprop(fdt, 0, KHO_RANGES_FDT_PROP_SPARE, &len);
	ASSERT_TRUE(prop && len == 8);
	ASSERT_EQ(g.spare, get_unaligned_be64(prop));

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		kho_sim_boot(true);
		ASSERT_EQ(0, memblock_add(g.mem_base, g.mem_size));
		ASSERT_EQ(0, kho_ranges_validate(&in, blob_phys, blob, blob_size));
		ASSERT_EQ(g.nr, in.nr_ranges);
		ASSERT_EQ(g.pages, in.nr_pages);
		ASSERT_EQ(g.folios, in.nr_folios);
		ASSERT_EQ(g.unknown, in.nr_unknown);
		for (i = 0; i < g.nr; i++) {
			const u8 *rec = in.records + i * in.range_size;
			phys_addr_t start;
			unsigned long nr;
			u32 info;

			ASSERT_EQ(g.r[i].start, get_unaligned_le64(rec));
			ASSERT_EQ(g.r[i].nr_pages, get_unaligned_le32(rec + 8));
			ASSERT_EQ(g.r[i].info, get_unaligned_le32(rec + 12));
			ASSERT_EQ(0, kho_ranges_lookup(&in, g.r[i].start, &start,
						       &nr, &info));
			ASSERT_EQ(g.r[i].start, start);
		}
		if (g.v2) {
			golden_check_bitmaps(_metadata, &g, &in);
		} else {
			ASSERT_EQ(0, in.nr_bitmaps);
			ASSERT_EQ(g.nr, in.nr_extents);
		}
		ASSERT_EQ(0, kho_ranges_reserve(&in, modes[m]));
		ASSERT_EQ(NULL, kr_check_reserved(&in));
	}
	kho_sim_exit();
	free(txt);
	free(blob);
	free(fdt);
}

/* mm/kho_ranges.c of ABI 1.0, as it wrote a mixed workload */
TEST(golden_v1_serializer_still_reads)
{
	golden_check(_metadata, "v1-serializer");
}

/* a 1.3 big-endian writer: longer header and records, unknown flags */
TEST(golden_v1_minor3_still_reads)
{
	golden_check(_metadata, "v1-minor3");
}

/* mm/kho_ranges.c of ABI 2.0: range records and bitmap records */
TEST(golden_v2_serializer_reads)
{
	golden_check(_metadata, "v2-serializer");
}

/* the serializer's default checksum, frozen: KHO_RANGES_BLOB_XXH64 */
TEST(golden_v2_xxh64_reads)
{
	golden_check(_metadata, "v2-xxh64");
}

/*
 * a 2.1 big-endian writer: longer header, range and bitmap records,
 * windows of 1 to 100 folios, a range record in a window's clear bits,
 * unknown flags
 */
TEST(golden_v2_minor1_reads)
{
	golden_check(_metadata, "v2-minor1");
}

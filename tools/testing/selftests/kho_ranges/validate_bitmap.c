// SPDX-License-Identifier: GPL-2.0
/*
 * Bitmap records (ABI 2.0) are validated as strictly as range records:
 * each rule has a test of its own that demands its own error code, and a
 * rejected blob leaves memblock.reserved exactly as the boot left it.
 *
 * The bad_bitmap fixture serializes a real major 2 blob, with range
 * records and bitmap records, breaks one thing (re-sealing the checksum
 * where the point is to get past it), boots a fresh memblock and
 * deserializes. Blobs the serializer never writes (windows that are not
 * whole words, orders above 6, a window of the largest size) come from the
 * independent writer of golden/kr_golden.h. What an accepted blob reserves
 * is checked against what the test put in it, not against the
 * deserializer's own walk.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "kr_test.h"
#include "kr_blob.h"
#include "golden/kr_golden.h"

/*
 * Memory as the next kernel must find it: sorted intervals, touching ones
 * merged, compared with the noinit regions of memblock.reserved.
 */
struct bb_iv {
	u64 start, end;
};

struct bb_ivs {
	struct bb_iv *iv;
	unsigned long nr, cap;
};

static void bb_iv_add(struct bb_ivs *v, u64 start, u64 end)
{
	if (v->nr == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 64;
		v->iv = realloc(v->iv, v->cap * sizeof(*v->iv));
	}
	v->iv[v->nr++] = (struct bb_iv){ start, end };
}

static int bb_iv_cmp(const void *a, const void *b)
{
	const struct bb_iv *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* sort and merge what touches; NULL, or what overlaps */
static const char *bb_iv_merge(struct bb_ivs *v)
{
	unsigned long i, n = 0;

	qsort(v->iv, v->nr, sizeof(*v->iv), bb_iv_cmp);
	for (i = 0; i < v->nr; i++) {
		if (n && v->iv[i].start < v->iv[n - 1].end)
			return "expected memory overlaps itself";
		if (n && v->iv[i].start == v->iv[n - 1].end)
			v->iv[n - 1].end = v->iv[i].end;
		else
			v->iv[n++] = v->iv[i];
	}
	v->nr = n;
	return NULL;
}

static void bb_iv_free(struct bb_ivs *v)
{
	free(v->iv);
	memset(v, 0, sizeof(*v));
}

/* the noinit regions of memblock.reserved, touching ones merged */
static struct bb_ivs bb_noinit(void)
{
	struct memblock_type *t = &memblock.reserved;
	struct bb_ivs v = { 0 };
	unsigned long i;

	for (i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];

		if (!r->size || !(r->flags & MEMBLOCK_RSRV_NOINIT))
			continue;
		bb_iv_add(&v, r->base, r->base + r->size);
	}
	bb_iv_merge(&v);
	return v;
}

/* is memblock.reserved noinit exactly on @want (merged)? */
static const char *bb_check_noinit(const struct bb_ivs *want)
{
	struct bb_ivs got = bb_noinit();
	const char *err = NULL;

	if (got.nr != want->nr)
		err = "noinit regions differ in number from the preserved memory";
	else if (memcmp(got.iv, want->iv, got.nr * sizeof(*got.iv)))
		err = "noinit regions differ from the preserved memory";
	bb_iv_free(&got);
	return err;
}

/* the tracker's ranges (the blob and FDT pages included) as intervals */
static struct bb_ivs bb_tracker_ivs(struct kho_ranges *kr)
{
	struct kr_ranges rs = kr_collect(kr);
	struct bb_ivs v = { 0 };
	unsigned long i;

	for (i = 0; i < rs.nr; i++)
		bb_iv_add(&v, PFN_PHYS(rs.r[i].pfn),
			  PFN_PHYS(rs.r[i].pfn + rs.r[i].nr_pages));
	kr_ranges_free(&rs);
	bb_iv_merge(&v);
	return v;
}

/*
 * Boot a fresh memblock and deserialize. A rejection must leave
 * memblock.reserved as the boot left it, region by region, and @in empty;
 * an acceptance must reserve what @in says (the exact memory is checked by
 * the tests against what they put in the blob).
 */
static int bb_run(struct __test_metadata *_metadata,
		  struct kho_ranges_incoming *in, phys_addr_t fdt_phys,
		  size_t fdt_size, enum kho_ranges_reserve_mode mode)
{
	struct memblock_type *t = &memblock.reserved;
	struct memblock_region *before;
	unsigned long cnt;
	u64 total;
	int ret;

	kho_sim_boot(true);
	cnt = t->cnt;
	total = t->total_size;
	before = malloc(t->max * sizeof(*before));
	memcpy(before, t->regions, t->max * sizeof(*before));
	ret = kho_ranges_deserialize(in, fdt_phys, fdt_size, mode);
	/* memblock could not grow: only after validation passed */
	if (ret == -ENOMEM) {
		EXPECT_NE(NULL, in->blob);
	} else if (ret) {
		EXPECT_EQ(cnt, t->cnt);
		EXPECT_EQ(total, t->total_size);
		EXPECT_EQ(0, memcmp(before, t->regions, cnt * sizeof(*before)));
		EXPECT_EQ(0, in->nr_ranges);
		EXPECT_EQ(0, in->nr_bitmaps);
		EXPECT_NULL(in->blob);
	} else {
		EXPECT_EQ(NULL, kr_check_reserved(in));
	}
	free(before);
	return ret;
}

/*
 * The fixture's memory, in pages from the start of RAM. Windows are the
 * serializer's 4096 pages; four of them become bitmap records, the rest
 * of the ranges range records:
 *
 *   bitmap 0   BB_W0  order 0, tag 1: pages 3i, i < 100
 *   bitmap 1   BB_W1  order 0, tag 2: pages 3i + 1 (the next window)
 *   bitmap 2   BB_W2  order-2 folios, tag 5: every other one of 80
 *   bitmap 3   BB_W3  order-6 folios, tag 7: two windows in one record
 *   range 0    0      8 pages, order 3, tag 3
 *   range 1    BB_R1  an order-9 folio, tag 8
 *   range 2    BB_R2  one page, tag 9
 *   range 3..  the blob and the root FDT, in the pool
 */
#define BB_W0		4096UL
#define BB_W1		8192UL
#define BB_W2		12288UL
#define BB_W3		20480UL
#define BB_R1		32768UL
#define BB_R2		(40960UL + 7)
#define BB_NR_BM	4

#define BB_INFO0	KHO_RANGES_INFO(0, 0, 1)
#define BB_INFO1	KHO_RANGES_INFO(0, 0, 2)
#define BB_INFO2	KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO, 5)
#define BB_INFO3	KHO_RANGES_INFO(6, KHO_RANGES_INFO_FOLIO, 7)

/*
 * the set bits of bitmap 3: folios 0 and 1 are one run; 2, 3 and 126 are
 * clear; 16 ranges in each window, so that a tracker that keeps dense
 * windows as bitmaps does so here too
 */
static const unsigned int bb_w3_bits[] = {
	0, 1, 5, 9, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36,
	67, 71, 73, 75, 77, 79, 81, 83, 85, 87, 89, 91, 93, 95, 97, 127,
};

FIXTURE(bad_bitmap) {
	struct kho_ranges kr;
	struct kho_ranges_incoming in;
	unsigned long nr_ranges;
};

FIXTURE_SETUP(bad_bitmap)
{
	static const unsigned long at[BB_NR_BM] = { BB_W0, BB_W1, BB_W2, BB_W3 };
	static const u32 nr_bits[BB_NR_BM] = { 4096, 4096, 1024, 128 };
	static const u32 info[BB_NR_BM] = { BB_INFO0, BB_INFO1, BB_INFO2,
					    BB_INFO3 };
	struct kho_ranges *kr = &self->kr;
	struct kho_ranges_blob_hdr_v2 *hdr;
	unsigned long i;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(kr);
	ASSERT_EQ(0, kho_ranges_preserve(kr, kr_pfn(0), 8,
					 KHO_RANGES_INFO(3, 0, 3)));
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, kho_ranges_preserve(kr, kr_pfn(BB_W0 + 3 * i), 1,
						 BB_INFO0));
		ASSERT_EQ(0, kho_ranges_preserve(kr, kr_pfn(BB_W1 + 3 * i + 1),
						 1, BB_INFO1));
	}
	for (i = 0; i < 40; i++)
		ASSERT_EQ(0, kho_ranges_preserve(kr, kr_pfn(BB_W2 + 8 * i), 4,
						 BB_INFO2));
	for (i = 0; i < ARRAY_SIZE(bb_w3_bits); i++)
		ASSERT_EQ(0, kho_ranges_preserve(kr, kr_pfn(BB_W3 +
							    64 * bb_w3_bits[i]),
						 64, BB_INFO3));
	ASSERT_EQ(0, kho_ranges_preserve(kr, kr_pfn(BB_R1), 512,
					 KHO_RANGES_INFO(9, KHO_RANGES_INFO_FOLIO, 8)));
	ASSERT_EQ(0, kho_ranges_preserve(kr, kr_pfn(BB_R2), 1,
					 KHO_RANGES_INFO(0, 0, 9)));
	ASSERT_EQ(0, kho_ranges_serialize(kr));

	/* the serializer's plan, which the tests break one rule at a time */
	hdr = kr_blob_hdr2(kr);
	ASSERT_EQ(KHO_RANGES_VERSION_MAJOR_V2, le16_to_cpu(hdr->v1.major));
	ASSERT_EQ(64, le32_to_cpu(hdr->v1.hdr_size));
	ASSERT_EQ(24, le32_to_cpu(hdr->bitmap_size));
	ASSERT_EQ(BB_NR_BM, le64_to_cpu(hdr->nr_bitmaps));
	for (i = 0; i < BB_NR_BM; i++) {
		ASSERT_EQ(PFN_PHYS(kr_pfn(at[i])),
			  le64_to_cpu(kr_blob_bm(kr, i)->start));
		ASSERT_EQ(nr_bits[i], le32_to_cpu(kr_blob_bm(kr, i)->nr_bits));
		ASSERT_EQ(info[i], le32_to_cpu(kr_blob_bm(kr, i)->info));
	}
	self->nr_ranges = le64_to_cpu(hdr->v1.nr_ranges);
	ASSERT_LE(4, self->nr_ranges);
	ASSERT_EQ(PFN_PHYS(kr_pfn(0)), le64_to_cpu(kr_blob_rec(kr, 0)->start));
	ASSERT_EQ(PFN_PHYS(kr_pfn(BB_R1)),
		  le64_to_cpu(kr_blob_rec(kr, 1)->start));
	ASSERT_EQ(PFN_PHYS(kr_pfn(BB_R2)),
		  le64_to_cpu(kr_blob_rec(kr, 2)->start));
}

FIXTURE_TEARDOWN(bad_bitmap)
{
	kho_ranges_destroy(&self->kr);
	kho_sim_exit();
}

/*
 * Deserialize (see bb_run()); and validate the same bytes once more from a
 * heap buffer of exactly the size the FDT gives, where ASan sees any read
 * past the blob. Both must come to the same answer.
 */
static int bb_both(struct __test_metadata *_metadata, struct kho_ranges *kr,
		   struct kho_ranges_incoming *in,
		   enum kho_ranges_reserve_mode mode)
{
	struct kho_ranges_incoming tmp;
	const void *prop;
	int len, exact, ret;
	size_t size;
	void *copy;

	prop = fdt_getprop(phys_to_virt(kr->fdt_phys), 0,
			   KHO_RANGES_FDT_PROP_BLOB_SIZE, &len);
	EXPECT_TRUE(prop && len == 8);
	size = get_unaligned_be64(prop);
	copy = malloc(size);
	memcpy(copy, phys_to_virt(kr->blob_phys), size);
	kho_sim_boot(true);
	exact = kho_ranges_validate(&tmp, kr->blob_phys, copy, size);
	free(copy);

	ret = bb_run(_metadata, in, kr->fdt_phys, kr->fdt_size, mode);
	EXPECT_EQ(ret, exact);
	return ret;
}

#define bb_deserialize(self, mode) \
	bb_both(_metadata, &(self)->kr, &(self)->in, mode)
#define bb_asc(self)	bb_deserialize(self, KHO_RANGES_RESERVE_ASCENDING)

#define BM(self, i)	kr_blob_bm(&(self)->kr, i)
#define WORDS(self, i)	kr_blob_words(&(self)->kr, i)
#define HDR(self)	kr_blob_hdr2(&(self)->kr)
#define SEAL(self)	kr_blob_seal(kr_blob_hdr(&(self)->kr))

static void bb_add_le64(__le64 *p, s64 d)
{
	*p = cpu_to_le64(le64_to_cpu(*p) + d);
}

static void bb_add_le32(__le32 *p, s32 d)
{
	*p = cpu_to_le32(le32_to_cpu(*p) + d);
}

/* grow the payload by @d bytes at its end, as the header and FDT say */
static int bb_grow_payload(struct kho_ranges *kr, s64 d)
{
	bb_add_le64(&kr_blob_hdr(kr)->payload_size, d);
	kr_blob_seal(kr_blob_hdr(kr));
	return kr_fdt_set_blob_size(kr, kr->blob_size + d);
}

/*
 * A blob taken apart into the independent writer's records, changed, and
 * written back in place the way a 2.0 writer lays it out.
 */
#define BB_MAX_RECS	64
#define BB_MAX_WORDS	1024

struct bb_edit {
	struct kr_writer_rec r[BB_MAX_RECS];
	unsigned long nr;
	struct kr_writer_bm bm[BB_MAX_RECS];
	unsigned long nr_bm;
	u64 words[BB_MAX_WORDS];
	u32 flags;
};

static void bb_load(struct __test_metadata *_metadata, struct kho_ranges *kr,
		    struct bb_edit *e)
{
	const u8 *b = phys_to_virt(kr->blob_phys);
	u32 hdr_size = get_unaligned_le32(b + 8);
	u32 range_size = get_unaligned_le32(b + 12);
	u32 bm_size = get_unaligned_le32(b + 56);
	unsigned long i, k, w = 0;

	memset(e, 0, sizeof(*e));
	e->nr = get_unaligned_le64(b + 24);
	e->nr_bm = get_unaligned_le64(b + 48);
	e->flags = get_unaligned_le32(b + 16);
	ASSERT_GE(BB_MAX_RECS, e->nr);
	ASSERT_GE(BB_MAX_RECS, e->nr_bm);
	for (i = 0; i < e->nr; i++) {
		const u8 *r = b + hdr_size + i * range_size;

		e->r[i] = (struct kr_writer_rec){ get_unaligned_le64(r),
						  get_unaligned_le32(r + 8),
						  get_unaligned_le32(r + 12) };
	}
	for (i = 0; i < e->nr_bm; i++) {
		const u8 *r = b + hdr_size + e->nr * range_size + i * bm_size;
		u32 nr_bits = get_unaligned_le32(r + 12);
		const u8 *words = b + get_unaligned_le64(r + 16);

		e->bm[i] = (struct kr_writer_bm){ get_unaligned_le64(r),
						  get_unaligned_le32(r + 8),
						  nr_bits, &e->words[w] };
		for (k = 0; k < kr_writer_words_len(nr_bits) / 8; k++) {
			ASSERT_GT(BB_MAX_WORDS, w);
			e->words[w++] = get_unaligned_le64(words + 8 * k);
		}
	}
}

static void bb_store(struct __test_metadata *_metadata, struct kho_ranges *kr,
		     const struct bb_edit *e)
{
	struct kr_writer w = KR_WRITER_V2(KR_WRITER_LE64);
	size_t size;

	w.flags = e->flags;
	size = kr_writer_blob_v2(phys_to_virt(kr->blob_phys), &w, e->r, e->nr,
				 e->bm, e->nr_bm);
	/* the spare room after the records stays clear of them */
	ASSERT_LE(PAGE_ALIGN(size), kr->spare_phys - kr->blob_phys);
	ASSERT_EQ(0, kr_fdt_set_blob_size(kr, size));
	kr->blob_size = size;
}

/* a range record, in address order */
static void bb_insert(struct __test_metadata *_metadata, struct bb_edit *e,
		      u64 start, u32 nr_pages, u32 info)
{
	unsigned long i = e->nr;

	ASSERT_GT(BB_MAX_RECS, e->nr);
	while (i && e->r[i - 1].start > start) {
		e->r[i] = e->r[i - 1];
		i--;
	}
	e->r[i] = (struct kr_writer_rec){ start, nr_pages, info };
	e->nr++;
}

/* the range record that holds @phys; it must be there */
static unsigned long bb_find(struct __test_metadata *_metadata,
			     const struct bb_edit *e, u64 phys)
{
	unsigned long i;

	for (i = 0; i < e->nr; i++)
		if (phys >= e->r[i].start &&
		    phys - e->r[i].start < (u64)e->r[i].nr_pages * PAGE_SIZE)
			return i;
	EXPECT_TRUE(false) {
		TH_LOG("no range record holds %#llx", (unsigned long long)phys);
	}
	return 0;
}

static void bb_remove(struct bb_edit *e, unsigned long i)
{
	memmove(&e->r[i], &e->r[i + 1], (e->nr - i - 1) * sizeof(e->r[0]));
	e->nr--;
}

static phys_addr_t bb_phys(unsigned long off)
{
	return PFN_PHYS(kr_pfn(off));
}

/* ------------------------------------------------------------------ */
/* What the serializer wrote is accepted, and is what the tracker held */

TEST_F(bad_bitmap, valid_v2_blob_is_accepted)
{
	struct kr_ranges rs, blob;
	struct bb_ivs want;

	ASSERT_EQ(0, bb_asc(self));
	ASSERT_EQ(self->nr_ranges, self->in.nr_ranges);
	ASSERT_EQ(BB_NR_BM, self->in.nr_bitmaps);
	ASSERT_EQ(24, self->in.bitmap_size);
	rs = kr_collect(&self->kr);
	blob = kr_collect_incoming(&self->in);
	ASSERT_TRUE(kr_ranges_equal(&rs, &blob));
	ASSERT_EQ(rs.nr, self->in.nr_extents);
	want = bb_tracker_ivs(&self->kr);
	ASSERT_EQ(NULL, bb_check_noinit(&want));
	bb_iv_free(&want);
	kr_ranges_free(&rs);
	kr_ranges_free(&blob);
}

/*
 * The editor the tests below use: taking the serializer's blob apart and
 * writing it again with the independent writer gives the same bytes.
 */
TEST_F(bad_bitmap, independent_writer_reproduces_the_blob)
{
	static struct bb_edit e;
	u8 *copy = malloc(self->kr.blob_size);
	size_t size = self->kr.blob_size;

	memcpy(copy, kr_blob_hdr(&self->kr), size);
	bb_load(_metadata, &self->kr, &e);
	memset(kr_blob_hdr(&self->kr), 0x5a, size);
	bb_store(_metadata, &self->kr, &e);
	ASSERT_EQ(size, self->kr.blob_size);
	ASSERT_EQ(0, memcmp(copy, kr_blob_hdr(&self->kr), size));
	free(copy);
}

/* ------------------------------------------------------------------ */
/* The major 2 header */

TEST_F(bad_bitmap, v2_header_shorter_than_64_bytes)
{
	HDR(self)->v1.hdr_size = cpu_to_le32(56);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
	/* 1.0's header size is not enough for a major 2 blob either */
	HDR(self)->v1.hdr_size = cpu_to_le32(48);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

TEST_F(bad_bitmap, bitmap_record_shorter_than_24_bytes)
{
	HDR(self)->bitmap_size = cpu_to_le32(16);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

TEST_F(bad_bitmap, bitmap_record_size_not_whole_words)
{
	HDR(self)->bitmap_size = cpu_to_le32(28);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

TEST_F(bad_bitmap, bitmap_count_beyond_payload)
{
	u64 payload = le64_to_cpu(HDR(self)->v1.payload_size);
	u64 nr = BB_NR_BM + payload / 24 + 1;

	HDR(self)->nr_bitmaps = cpu_to_le64(nr);
	SEAL(self);
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
	/* and the first words where so many records would end: past the blob */
	BM(self, 0)->words = cpu_to_le64(64 + self->nr_ranges * 16 + nr * 24);
	SEAL(self);
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
}

TEST_F(bad_bitmap, bitmap_count_overflows)
{
	HDR(self)->nr_bitmaps = cpu_to_le64(1ULL << 62);
	SEAL(self);
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
}

TEST_F(bad_bitmap, payload_shorter_than_the_records)
{
	u64 recs = self->nr_ranges * 16 + BB_NR_BM * 24;

	HDR(self)->v1.payload_size = cpu_to_le64(recs - 8);
	SEAL(self);
	ASSERT_EQ(0, kr_fdt_set_blob_size(&self->kr, 64 + recs - 8));
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
}

TEST_F(bad_bitmap, payload_not_whole_words)
{
	ASSERT_EQ(0, bb_grow_payload(&self->kr, 4));
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
}

/* ------------------------------------------------------------------ */
/* Each bitmap record on its own: -EINVAL */

TEST_F(bad_bitmap, window_of_no_folios)
{
	BM(self, 2)->nr_bits = 0;
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

TEST_F(bad_bitmap, window_of_more_than_max_bits)
{
	BM(self, 3)->nr_bits = cpu_to_le32(KHO_RANGES_BITMAP_MAX_BITS + 1);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

/*
 * Order 32 on the last window, moved past the end of memory to where
 * folios of order 32 are aligned: only the order is wrong (with it, the
 * runs would just be outside memory). Order 63 would not even make a
 * folio size.
 */
TEST_F(bad_bitmap, order_above_max)
{
	const u32 orders[] = { KHO_RANGES_MAX_ORDER + 1, 63 };
	unsigned int i;

	BM(self, 3)->start = cpu_to_le64(ALIGN(kho_sim.pool_base +
					       kho_sim.pool_size,
					       1ULL << (PAGE_SHIFT + 32)));
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		BM(self, 3)->info = cpu_to_le32((BB_INFO3 &
						 ~KHO_RANGES_INFO_ORDER_MASK) |
						orders[i]);
		SEAL(self);
		ASSERT_EQ(-EINVAL, bb_asc(self));
	}
	/* the same window of order 31 is well formed, but not in memory */
	BM(self, 3)->info = cpu_to_le32((BB_INFO3 & ~KHO_RANGES_INFO_ORDER_MASK) |
					KHO_RANGES_MAX_ORDER);
	SEAL(self);
	ASSERT_EQ(-ERANGE, bb_asc(self));
}

TEST_F(bad_bitmap, window_start_not_page_aligned)
{
	bb_add_le64(&BM(self, 0)->start, 512);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

TEST_F(bad_bitmap, window_start_not_aligned_to_its_order)
{
	/* a page, and half an order-6 folio: page aligned, not folio aligned */
	bb_add_le64(&BM(self, 2)->start, PAGE_SIZE);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
	bb_add_le64(&BM(self, 2)->start, -PAGE_SIZE);
	bb_add_le64(&BM(self, 3)->start, 32 * PAGE_SIZE);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

TEST_F(bad_bitmap, window_wraps_past_2_64)
{
	/* the last window, 32 MiB, starting 16 MiB below 2^64 (aligned) */
	BM(self, 3)->start = cpu_to_le64(0ULL - (16ULL << 20));
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

/* ------------------------------------------------------------------ */
/* Where the words are: -EMSGSIZE */

TEST_F(bad_bitmap, first_words_not_right_after_the_records)
{
	bb_add_le64(&BM(self, 0)->words, 8);
	SEAL(self);
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
	bb_add_le64(&BM(self, 0)->words, -16);
	SEAL(self);
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
}

TEST_F(bad_bitmap, words_not_where_the_previous_words_end)
{
	bb_add_le64(&BM(self, 1)->words, 8);
	SEAL(self);
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
	/* two records sharing words */
	BM(self, 1)->words = BM(self, 0)->words;
	SEAL(self);
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
}

TEST_F(bad_bitmap, words_past_the_end_of_the_blob)
{
	/* the last window one word longer than the blob holds */
	bb_add_le32(&BM(self, 3)->nr_bits, 64);
	SEAL(self);
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
	/* and two folios longer: its last word, past the blob, is not read */
	bb_add_le32(&BM(self, 3)->nr_bits, -62);
	SEAL(self);
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
}

TEST_F(bad_bitmap, bytes_after_the_last_words)
{
	ASSERT_EQ(0, bb_grow_payload(&self->kr, 8));
	ASSERT_EQ(-EMSGSIZE, bb_asc(self));
}

/* ------------------------------------------------------------------ */
/* The windows together: sorted, apart, -EINVAL */

TEST_F(bad_bitmap, windows_unsorted)
{
	struct kho_ranges_blob_bitmap *a = BM(self, 0), *b = BM(self, 1);
	__le64 tmp[64], start = a->start;
	__le32 info = a->info;

	/* swap windows 0 and 1 (both 4096 bits), words and all */
	a->start = b->start;
	a->info = b->info;
	b->start = start;
	b->info = info;
	memcpy(tmp, WORDS(self, 0), sizeof(tmp));
	memcpy(WORDS(self, 0), WORDS(self, 1), sizeof(tmp));
	memcpy(WORDS(self, 1), tmp, sizeof(tmp));
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

/*
 * Window 1 moved one page into window 0: its set pages (3i + 2 of window
 * 0) are clear in window 0, so no page is claimed twice, but the windows
 * overlap, which the ABI forbids.
 */
TEST_F(bad_bitmap, windows_overlap_where_bits_are_clear)
{
	BM(self, 1)->start = cpu_to_le64(bb_phys(BB_W0 + 1));
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

/* and by the last folio of a window only, with nothing set there */
TEST_F(bad_bitmap, windows_overlap_by_one_folio)
{
	BM(self, 1)->start = cpu_to_le64(bb_phys(BB_W1 - 1));
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

/* ------------------------------------------------------------------ */
/* The bits: -EINVAL */

TEST_F(bad_bitmap, no_bit_set)
{
	memset(WORDS(self, 2), 0, 1024 / 8);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

TEST_F(bad_bitmap, bit_set_past_the_window)
{
	/* a window of 4090 folios: bits 4090..4095 of its last word */
	BM(self, 0)->nr_bits = cpu_to_le32(4090);
	WORDS(self, 0)[63] |= cpu_to_le64(1ULL << 61);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
	WORDS(self, 0)[63] = cpu_to_le64(1ULL << 58);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

/* the same window with those bits clear is fine: windows need not be words */
TEST_F(bad_bitmap, window_not_whole_words_is_accepted)
{
	struct kr_ranges rs, blob;

	BM(self, 0)->nr_bits = cpu_to_le32(4090);
	SEAL(self);
	ASSERT_EQ(0, bb_asc(self));
	rs = kr_collect(&self->kr);
	blob = kr_collect_incoming(&self->in);
	ASSERT_TRUE(kr_ranges_equal(&rs, &blob));
	kr_ranges_free(&rs);
	kr_ranges_free(&blob);
}

/* ------------------------------------------------------------------ */
/* Range records and bitmap runs together: sorted and disjoint, -EINVAL */

TEST_F(bad_bitmap, range_record_on_a_set_bit)
{
	/* range 0 made one page, on bit 3 of window 0 (sorted still) */
	kr_blob_rec(&self->kr, 0)->start = cpu_to_le64(bb_phys(BB_W0 + 3));
	kr_blob_rec(&self->kr, 0)->nr_pages = cpu_to_le32(1);
	kr_blob_rec(&self->kr, 0)->info = cpu_to_le32(KR_PLAIN);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

TEST_F(bad_bitmap, range_record_over_runs_and_gaps)
{
	/* range 0 (8 pages) over bits 0..7 of window 0: runs 0, 3 and 6 */
	kr_blob_rec(&self->kr, 0)->start = cpu_to_le64(bb_phys(BB_W0));
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

TEST_F(bad_bitmap, range_record_reaching_into_a_window)
{
	/* 16 pages from 8 before window 0 to its bit 7 */
	kr_blob_rec(&self->kr, 0)->start = cpu_to_le64(bb_phys(BB_W0 - 8));
	kr_blob_rec(&self->kr, 0)->nr_pages = cpu_to_le32(16);
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

TEST_F(bad_bitmap, bitmap_run_on_a_range_record)
{
	/* window 3 moved onto range 1, the order-9 folio: bits 0, 1 on it */
	BM(self, 3)->start = cpu_to_le64(bb_phys(BB_R1));
	SEAL(self);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

/* ------------------------------------------------------------------ */
/* Memory: -ERANGE */

TEST_F(bad_bitmap, bitmap_run_outside_memory)
{
	BM(self, 3)->start = cpu_to_le64(kho_sim.pool_base + kho_sim.pool_size);
	SEAL(self);
	ASSERT_EQ(-ERANGE, bb_asc(self));
}

TEST_F(bad_bitmap, bitmap_run_straddles_the_end_of_memory)
{
	/* folios 0 and 1 of window 3 are one run: the end of memory between */
	BM(self, 3)->start = cpu_to_le64(kho_sim.pool_base + kho_sim.pool_size -
					 64 * PAGE_SIZE);
	SEAL(self);
	ASSERT_EQ(-ERANGE, bb_asc(self));
}

/* ------------------------------------------------------------------ */
/* The checksum covers the words: -EBADMSG */

TEST_F(bad_bitmap, bit_flip_in_the_words)
{
	WORDS(self, 1)[10] ^= cpu_to_le64(1ULL << 33);
	ASSERT_EQ(-EBADMSG, bb_asc(self));
}

/* ------------------------------------------------------------------ */
/* The blob must preserve itself, by range records or bitmap runs */

TEST_F(bad_bitmap, blob_does_not_preserve_itself)
{
	static struct bb_edit e;

	bb_load(_metadata, &self->kr, &e);
	bb_remove(&e, bb_find(_metadata, &e, self->kr.blob_phys));
	bb_store(_metadata, &self->kr, &e);
	ASSERT_EQ(-EINVAL, bb_asc(self));
}

TEST_F(bad_bitmap, blob_preserved_by_a_bitmap_run_is_accepted)
{
	static struct bb_edit e;
	unsigned long i, n;
	u64 *bits;

	bb_load(_metadata, &self->kr, &e);
	i = bb_find(_metadata, &e, self->kr.blob_phys);
	n = e.r[i].nr_pages;
	ASSERT_GE(64, n);
	/* the pool lies above RAM: the last window */
	bits = &e.words[BB_MAX_WORDS - 1];
	*bits = n == 64 ? ~0ULL : (1ULL << n) - 1;
	e.bm[e.nr_bm++] = (struct kr_writer_bm){
		e.r[i].start,
		KHO_RANGES_INFO(0, KHO_RANGES_INFO_HANDOVER, 0), n, bits
	};
	bb_remove(&e, i);
	bb_store(_metadata, &self->kr, &e);
	ASSERT_EQ(0, bb_asc(self));
	ASSERT_EQ(self->nr_ranges - 1, self->in.nr_ranges);
	ASSERT_EQ(BB_NR_BM + 1, self->in.nr_bitmaps);
}

/* ------------------------------------------------------------------ */
/* What an accepted v2 blob gives back */

/* range records may lie in a window where its bits are clear */
TEST_F(bad_bitmap, range_records_in_clear_bits_are_accepted)
{
	const struct kr_writer_rec add[] = {
		/* between bits 0 and 3 of window 0, and after its last bit */
		{ bb_phys(BB_W0 + 1), 2, KHO_RANGES_INFO(0, 0, 0x21) },
		{ bb_phys(BB_W0 + 512), 512, KHO_RANGES_INFO(9, 0, 0x22) },
		/* clear folio 1 of window 2 as a page block, a page of folio 3 */
		{ bb_phys(BB_W2 + 4), 4, KHO_RANGES_INFO(2, 0, 0x23) },
		{ bb_phys(BB_W2 + 13), 1, KHO_RANGES_INFO(0, 0, 0x24) },
		/* clear folios 2 and 3 of window 3, as one block of order 7 */
		{ bb_phys(BB_W3 + 128), 128, KHO_RANGES_INFO(7, 0, 0x25) },
	};
	static struct bb_edit e;
	phys_addr_t start;
	struct bb_ivs want;
	unsigned long i, nr;
	u32 info;

	bb_load(_metadata, &self->kr, &e);
	for (i = 0; i < ARRAY_SIZE(add); i++)
		bb_insert(_metadata, &e, add[i].start, add[i].nr_pages,
			  add[i].info);
	bb_store(_metadata, &self->kr, &e);
	ASSERT_EQ(0, bb_asc(self));
	ASSERT_EQ(self->nr_ranges + ARRAY_SIZE(add), self->in.nr_ranges);

	for (i = 0; i < ARRAY_SIZE(add); i++) {
		u64 last = add[i].start + (add[i].nr_pages - 1) * PAGE_SIZE;

		ASSERT_EQ(0, kho_ranges_lookup(&self->in, last, &start, &nr,
					       &info));
		ASSERT_EQ(add[i].start, start);
		ASSERT_EQ(add[i].nr_pages, nr);
		ASSERT_EQ(add[i].info, info);
	}
	/* the bits around them are still the bitmap's */
	ASSERT_EQ(0, kho_ranges_lookup(&self->in, bb_phys(BB_W0 + 3), &start,
				       &nr, &info));
	ASSERT_EQ(bb_phys(BB_W0 + 3), start);
	ASSERT_EQ(1, nr);
	ASSERT_EQ(BB_INFO0, info);
	ASSERT_EQ(-ENOENT, kho_ranges_lookup(&self->in, bb_phys(BB_W0 + 4),
					     NULL, NULL, NULL));
	ASSERT_EQ(-ENOENT, kho_ranges_lookup(&self->in, bb_phys(BB_W2 + 12),
					     NULL, NULL, NULL));
	ASSERT_NE(NULL, kho_ranges_restore_pages(&self->in, bb_phys(BB_W2 + 4), 2));
	ASSERT_NE(NULL, kho_ranges_restore_folio(&self->in, bb_phys(BB_W2 + 8)));

	/* reserved: the tracker's memory and the records added, no more */
	want = bb_tracker_ivs(&self->kr);
	for (i = 0; i < ARRAY_SIZE(add); i++)
		bb_iv_add(&want, add[i].start,
			  add[i].start + add[i].nr_pages * PAGE_SIZE);
	ASSERT_EQ(NULL, bb_iv_merge(&want));
	ASSERT_EQ(NULL, bb_check_noinit(&want));
	bb_iv_free(&want);
}

TEST_F(bad_bitmap, bitmap_folios_are_found_and_restored)
{
	const phys_addr_t w0 = bb_phys(BB_W0), w2 = bb_phys(BB_W2);
	const phys_addr_t w3 = bb_phys(BB_W3);
	struct kho_ranges_incoming *in = &self->in;
	phys_addr_t start;
	struct folio *f;
	unsigned long nr;
	u32 info;

	ASSERT_EQ(0, bb_asc(self));

	/* a set bit: its folio, from any of its pages */
	ASSERT_EQ(0, kho_ranges_lookup(in, w2 + (78 * 4 + 3) * PAGE_SIZE,
				       &start, &nr, &info));
	ASSERT_EQ(w2 + 78 * 4 * PAGE_SIZE, start);
	ASSERT_EQ(4, nr);
	ASSERT_EQ(BB_INFO2, info);
	/* a clear bit between set ones, past the last, the window's last */
	ASSERT_EQ(-ENOENT, kho_ranges_lookup(in, w2 + 4 * PAGE_SIZE, NULL,
					     NULL, NULL));
	ASSERT_EQ(-ENOENT, kho_ranges_lookup(in, w2 + 80 * 4 * PAGE_SIZE,
					     NULL, NULL, NULL));
	ASSERT_EQ(-ENOENT, kho_ranges_lookup(in, w2 + 1023 * 4 * PAGE_SIZE,
					     NULL, NULL, NULL));

	/* folios of order 2: the set ones, at their first page only */
	f = kho_ranges_restore_folio(in, w2 + 8 * PAGE_SIZE);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, folio_order(f));
	ASSERT_EQ(PHYS_PFN(w2) + 8, folio_pfn(f));
	ASSERT_NULL(kho_ranges_restore_folio(in, w2 + 4 * PAGE_SIZE));
	ASSERT_NULL(kho_ranges_restore_folio(in, w2 + 9 * PAGE_SIZE));
	ASSERT_NULL(kho_ranges_restore_pages(in, w2 + 16 * PAGE_SIZE, 2));

	/* plain pages of order 0 */
	ASSERT_EQ(pfn_to_page(PHYS_PFN(w0) + 3),
		  kho_ranges_restore_pages(in, w0 + 3 * PAGE_SIZE, 0));
	ASSERT_NULL(kho_ranges_restore_pages(in, w0 + 4 * PAGE_SIZE, 0));
	ASSERT_NULL(kho_ranges_restore_folio(in, w0 + 6 * PAGE_SIZE));
	ASSERT_NULL(kho_ranges_restore_pages(in, w0 + 6 * PAGE_SIZE, 1));

	/* order 6, one record over two windows: its last bit */
	f = kho_ranges_restore_folio(in, w3 + 127 * 64 * PAGE_SIZE);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(6, folio_order(f));
	ASSERT_EQ(-ENOENT, kho_ranges_lookup(in, w3 + 126 * 64 * PAGE_SIZE,
					     NULL, NULL, NULL));

	/* a tag finds the first run that carries it */
	ASSERT_EQ(0, kho_ranges_find_tag(in, 7, &start, &nr));
	ASSERT_EQ(w3, start);
	ASSERT_EQ(128, nr);
	ASSERT_EQ(0, kho_ranges_find_tag(in, 2, &start, &nr));
	ASSERT_EQ(bb_phys(BB_W1 + 1), start);
	ASSERT_EQ(1, nr);
	ASSERT_EQ(-ENOENT, kho_ranges_find_tag(in, 0x77, &start, &nr));
}

/* one call per run up or down, or all at once: the same memory */
TEST_F(bad_bitmap, reserve_modes_reserve_the_same_memory)
{
	const enum kho_ranges_reserve_mode modes[] = {
		KHO_RANGES_RESERVE_ASCENDING, KHO_RANGES_RESERVE_DESCENDING,
		KHO_RANGES_RESERVE_BULK,
	};
	struct bb_ivs want = bb_tracker_ivs(&self->kr);
	unsigned int m;

	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		ASSERT_EQ(0, bb_deserialize(self, modes[m]));
		ASSERT_EQ(NULL, bb_check_noinit(&want)) {
			TH_LOG("reserve mode %u", m);
		}
		ASSERT_EQ(self->kr.spare_phys, self->in.spare_phys);
	}
	bb_iv_free(&want);
}

/* ------------------------------------------------------------------ */
/*
 * Blobs from the independent writer: the handover in pool pages (blob,
 * then one page of root FDT, each preserved by a handover record), records
 * in RAM, no spare room.
 */
#define HB_MAX_RECS	64
#define HB_MAX_WORDS	(1UL << 15)

struct hb {
	struct kr_writer w;
	struct kr_writer_rec r[HB_MAX_RECS];
	unsigned long nr;
	struct kr_writer_bm bm[HB_MAX_RECS];
	unsigned long nr_bm;
	u64 words[HB_MAX_WORDS];
	unsigned long nr_words;
	phys_addr_t blob, fdt;
	unsigned int order;
	struct kho_ranges_incoming in;
};

static void hb_init(struct hb *h, struct kr_writer w, unsigned int order)
{
	memset(h, 0, sizeof(*h));
	h->w = w;
	h->order = order;
	h->blob = page_to_phys(alloc_pages(GFP_KERNEL, order));
	h->fdt = page_to_phys(alloc_pages(GFP_KERNEL, 0));
}

static void hb_reset(struct hb *h)
{
	h->nr = 0;
	h->nr_bm = 0;
	h->nr_words = 0;
}

/* a bitmap record after the others, its words zeroed to set bits in */
static u64 *hb_bitmap(struct hb *h, u64 start, u32 info, u32 nr_bits)
{
	u64 *w = &h->words[h->nr_words];
	unsigned long n = kr_writer_words_len(nr_bits) / 8;

	if (h->nr_bm == HB_MAX_RECS || h->nr_words + n > HB_MAX_WORDS)
		abort();
	memset(w, 0, n * 8);
	h->bm[h->nr_bm++] = (struct kr_writer_bm){ start, info, nr_bits, w };
	h->nr_words += n;
	return w;
}

/* a range record, in address order */
static void hb_range(struct hb *h, u64 start, u32 nr_pages, u32 info)
{
	unsigned long i = h->nr;

	if (h->nr == HB_MAX_RECS - 2)
		abort();
	while (i && h->r[i - 1].start > start) {
		h->r[i] = h->r[i - 1];
		i--;
	}
	h->r[i] = (struct kr_writer_rec){ start, nr_pages, info };
	h->nr++;
}

static bool hb_bit(const u64 *w, unsigned long b)
{
	return w[b / 64] >> (b % 64) & 1;
}

/* write the handover, boot and deserialize (see bb_run()) */
static int hb_boot(struct __test_metadata *_metadata, struct hb *h,
		   enum kho_ranges_reserve_mode mode)
{
	struct kr_writer_rec r[HB_MAX_RECS];
	const u32 ho = KHO_RANGES_INFO(0, KHO_RANGES_INFO_HANDOVER, 0);
	unsigned long nr = h->nr;
	size_t size;

	memcpy(r, h->r, nr * sizeof(*r));
	/* the pool lies above RAM, where the records are */
	r[nr++] = (struct kr_writer_rec){ min(h->blob, h->fdt),
					  h->blob < h->fdt ? 1U << h->order : 1,
					  ho };
	r[nr++] = (struct kr_writer_rec){ max(h->blob, h->fdt),
					  h->blob < h->fdt ? 1 : 1U << h->order,
					  ho };
	size = kr_writer_blob_v2(phys_to_virt(h->blob), &h->w, r, nr, h->bm,
				 h->nr_bm);
	if (size > PAGE_SIZE << h->order)
		abort();
	if (kr_writer_fdt_for(phys_to_virt(h->fdt), PAGE_SIZE, &h->w, h->blob,
			      size, 0, 0))
		abort();
	return bb_run(_metadata, &h->in, h->fdt, PAGE_SIZE, mode);
}

/*
 * What @h must reserve and count, worked out from the records and bits it
 * was given: the intervals, pages, folios and runs.
 */
struct hb_expect {
	struct bb_ivs iv;
	unsigned long pages, folios, extents;
};

static struct hb_expect hb_expect(const struct hb *h)
{
	struct hb_expect x = { 0 };
	unsigned long i, b;

	for (i = 0; i < h->nr; i++) {
		bb_iv_add(&x.iv, h->r[i].start,
			  h->r[i].start + h->r[i].nr_pages * PAGE_SIZE);
		x.pages += h->r[i].nr_pages;
		x.folios += h->r[i].nr_pages >>
			    kho_ranges_info_order(h->r[i].info);
		x.extents++;
	}
	/* the blob and the FDT */
	bb_iv_add(&x.iv, h->blob, h->blob + (PAGE_SIZE << h->order));
	bb_iv_add(&x.iv, h->fdt, h->fdt + PAGE_SIZE);
	x.pages += (1UL << h->order) + 1;
	x.folios += (1UL << h->order) + 1;
	x.extents += 2;
	for (i = 0; i < h->nr_bm; i++) {
		const struct kr_writer_bm *bm = &h->bm[i];
		unsigned int order = kho_ranges_info_order(bm->info);
		u64 fsize = PAGE_SIZE << order;

		for (b = 0; b < bm->nr_bits; b++) {
			if (!hb_bit(bm->bits, b))
				continue;
			bb_iv_add(&x.iv, bm->start + b * fsize,
				  bm->start + (b + 1) * fsize);
			x.pages += 1UL << order;
			x.folios++;
			if (!b || !hb_bit(bm->bits, b - 1))
				x.extents++;
		}
	}
	bb_iv_merge(&x.iv);
	return x;
}

/* the range record of @h that holds @phys, if any */
static const struct kr_writer_rec *hb_range_at(const struct hb *h, u64 phys)
{
	unsigned long i;

	for (i = 0; i < h->nr; i++)
		if (phys >= h->r[i].start &&
		    phys < h->r[i].start + h->r[i].nr_pages * PAGE_SIZE)
			return &h->r[i];
	return NULL;
}

/* every folio of every window: found if its bit is set, else not */
static void hb_check_lookups(struct __test_metadata *_metadata,
			     const struct hb *h, unsigned long max_bits)
{
	unsigned long i, b;

	for (i = 0; i < h->nr_bm; i++) {
		const struct kr_writer_bm *bm = &h->bm[i];
		unsigned int order = kho_ranges_info_order(bm->info);

		for (b = 0; b < bm->nr_bits && b < max_bits; b++) {
			u64 phys = bm->start + (b << (PAGE_SHIFT + order));
			/* the folio's last byte */
			u64 at = phys + (PAGE_SIZE << order) - 1;
			const struct kr_writer_rec *r = hb_range_at(h, at);
			phys_addr_t start;
			unsigned long nr;
			u32 info;
			int ret;

			ret = kho_ranges_lookup(&h->in, at, &start, &nr, &info);
			if (hb_bit(bm->bits, b)) {
				ASSERT_EQ(0, ret);
				ASSERT_EQ(phys, start);
				ASSERT_EQ(1UL << order, nr);
				ASSERT_EQ(bm->info, info);
			} else if (r) {
				ASSERT_EQ(0, ret);
				ASSERT_EQ(r->start, start);
			} else {
				ASSERT_EQ(-ENOENT, ret) {
					TH_LOG("window %lu bit %lu", i, b);
				}
			}
		}
	}
}

/*
 * A pattern with the first and last bits set, runs across word boundaries
 * and a whole word set where the window is long enough, and some noise.
 */
static void hb_pattern(u64 *w, u32 nr_bits, u32 seed)
{
	u32 b, x = seed * 2654435761U + 1;

	for (b = 0; b < nr_bits; b++) {
		x = x * 1103515245U + 12345;
		if ((x >> 16) % 5 < 2)
			w[b / 64] |= 1ULL << (b % 64);
	}
	if (nr_bits > 70)
		for (b = 60; b <= 70; b++)
			w[b / 64] |= 1ULL << (b % 64);
	if (nr_bits >= 128)
		w[1] = ~0ULL;
	w[0] |= 1;
	w[(nr_bits - 1) / 64] |= 1ULL << ((nr_bits - 1) % 64);
}

/*
 * Windows of every order the serializer writes and more, of any length,
 * not only whole words, with range records in some of their clear bits:
 * each reserve mode reserves exactly the set bits and the range records,
 * and every folio is found or not as its bit says.
 */
TEST(bitmap_windows_of_any_order_and_length_reserve_exactly_their_bits)
{
	const enum kho_ranges_reserve_mode modes[] = {
		KHO_RANGES_RESERVE_ASCENDING, KHO_RANGES_RESERVE_DESCENDING,
		KHO_RANGES_RESERVE_BULK,
	};
	/* orders 0..6 and 9; lengths around word boundaries */
	static const unsigned int order[] = { 0, 1, 2, 3, 4, 5, 6, 9 };
	static const u32 nr_bits[] = { 333, 1, 63, 65, 127, 129, 100, 7 };
	struct bb_ivs first = { 0 };
	static struct hb h;
	struct hb_expect x;
	unsigned int i, m;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	hb_init(&h, KR_WRITER_V2(KR_WRITER_LE64), 1);
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		/* 128 MiB apart: the longest window, 100 * 256 KiB, fits */
		u64 start = bb_phys(32768UL * i);
		u32 info = KHO_RANGES_INFO(order[i], i & 1 ?
					   KHO_RANGES_INFO_FOLIO : 0, 0x40 + i);
		u64 *w = hb_bitmap(&h, start, info, nr_bits[i]);
		u32 b;

		hb_pattern(w, nr_bits[i], i);
		/* a range record on the first clear folio, one order lower */
		for (b = 0; b < nr_bits[i] && hb_bit(w, b); b++)
			;
		if (b < nr_bits[i] && order[i])
			hb_range(&h, start + ((u64)b << (PAGE_SHIFT + order[i])),
				 1U << (order[i] - 1),
				 KHO_RANGES_INFO(order[i] - 1, 0, 0x50 + i));
		else if (b < nr_bits[i])
			hb_range(&h, start + ((u64)b << PAGE_SHIFT), 1,
				 KHO_RANGES_INFO(0, 0, 0x50 + i));
	}
	x = hb_expect(&h);

	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		struct bb_ivs got;

		ASSERT_EQ(0, hb_boot(_metadata, &h, modes[m]));
		ASSERT_EQ(ARRAY_SIZE(order), h.in.nr_bitmaps);
		ASSERT_EQ(h.nr + 2, h.in.nr_ranges);
		ASSERT_EQ(x.pages, h.in.nr_pages);
		ASSERT_EQ(x.folios, h.in.nr_folios);
		ASSERT_EQ(x.extents, h.in.nr_extents);
		ASSERT_EQ(NULL, bb_check_noinit(&x.iv)) {
			TH_LOG("reserve mode %u", m);
		}
		got = bb_noinit();
		if (!m)
			first = got;
		ASSERT_EQ(first.nr, got.nr);
		ASSERT_EQ(0, memcmp(first.iv, got.iv, got.nr * sizeof(*got.iv)));
		if (m)
			bb_iv_free(&got);
	}
	hb_check_lookups(_metadata, &h, ~0UL);
	bb_iv_free(&first);
	bb_iv_free(&x.iv);
	kho_sim_exit();
}

/*
 * The largest window, 2^20 folios: its words are 128 KiB. It may reach past
 * the end of memory where its bits are clear; a set bit there is -ERANGE,
 * and one folio more than the largest window is -EINVAL.
 */
TEST(bitmap_window_of_max_bits_and_one_more)
{
	const u32 max = KHO_RANGES_BITMAP_MAX_BITS;
	const u32 info = KHO_RANGES_INFO(0, 0, 1);
	static struct hb h;
	struct hb_expect x;
	u64 *w;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	/* 2^20 pages is 4 GiB: more than RAM and pool together */
	ASSERT_LT(KR_TEST_RAM + KR_TEST_POOL, (u64)max << PAGE_SHIFT);
	hb_init(&h, KR_WRITER_V2(KR_WRITER_LE64), 6);

	w = hb_bitmap(&h, bb_phys(0), info, max);
	w[0] = 0x21;
	w[100000 / 64] |= 1ULL << (100000 % 64);
	x = hb_expect(&h);
	ASSERT_EQ(0, hb_boot(_metadata, &h, KHO_RANGES_RESERVE_BULK));
	ASSERT_EQ(3 + (1UL << h.order) + 1, h.in.nr_pages);
	ASSERT_EQ(NULL, bb_check_noinit(&x.iv));
	hb_check_lookups(_metadata, &h, 1 << 17);
	bb_iv_free(&x.iv);

	/* the window's last folio, 4 GiB on: not memory */
	w[(max - 1) / 64] |= 1ULL << 63;
	ASSERT_EQ(-ERANGE, hb_boot(_metadata, &h, KHO_RANGES_RESERVE_BULK));

	hb_reset(&h);
	w = hb_bitmap(&h, bb_phys(0), info, max + 1);
	w[0] = 0x21;
	ASSERT_EQ(-EINVAL, hb_boot(_metadata, &h, KHO_RANGES_RESERVE_BULK));
	kho_sim_exit();
}

/* set bits @first, @first + @step, ... below @end of @w */
static void hb_set(u64 *w, u32 first, u32 end, u32 step)
{
	u32 b;

	for (b = first; b < end; b += step)
		w[b / 64] |= 1ULL << (b % 64);
}

/*
 * The extents come to memblock_reserve_bulk() in batches of
 * MEMBLOCK_BULK_BATCH, and validation checks the runs in batches of the
 * same size: lay records and runs out so that batches end everywhere,
 * inside a window's runs, where a range record in its clear bits cuts
 * them, inside 40 touching range records. Runs and records that touch
 * are still two extents but one memblock region. Every mode must reserve
 * exactly the records and the set bits, count every extent, and reject a
 * range record on the 45th run of a window as it would the first.
 *
 *   window A, order 0   runs 0, 2, .. 198 (100 runs of one page), 300-363
 *                       (across a word), 1000-1099 in runs of 3, and
 *                       range records on bits 1, 101, 250 and 364
 *   40 range records    one page each, touching, after window A
 *   window B, order 2   hb_pattern(), and 5 range records after it
 */
TEST(bulk_batches_end_anywhere_among_runs_and_records)
{
	const enum kho_ranges_reserve_mode modes[] = {
		KHO_RANGES_RESERVE_DESCENDING, KHO_RANGES_RESERVE_BULK,
	};
	const u32 info_a = KHO_RANGES_INFO(0, 0, 1);
	const u32 info_b = KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO, 2);
	const u32 info_r = KHO_RANGES_INFO(0, 0, 3);
	static const u32 in_a[] = { 1, 101, 250, 364 };
	static struct hb h;
	struct hb_expect x;
	unsigned int i, m;
	u64 *w;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	hb_init(&h, KR_WRITER_V2(KR_WRITER_LE64), 1);

	w = hb_bitmap(&h, bb_phys(0), info_a, 4096);
	hb_set(w, 0, 200, 2);
	hb_set(w, 300, 364, 1);
	for (i = 1000; i < 1100; i += 5)
		hb_set(w, i, i + 3, 1);
	for (i = 0; i < ARRAY_SIZE(in_a); i++)
		hb_range(&h, bb_phys(in_a[i]), 1, info_r);
	for (i = 0; i < 40; i++)
		hb_range(&h, bb_phys(5000 + i), 1, info_r);
	w = hb_bitmap(&h, bb_phys(8192), info_b, 200);
	hb_pattern(w, 200, 7);
	for (i = 0; i < 5; i++)
		hb_range(&h, bb_phys(9000 + 3 * i), 2, info_r);
	x = hb_expect(&h);
	/* 100 + 1 + 20 runs, a batch of 32 ends inside each stretch */
	ASSERT_LT(4 * MEMBLOCK_BULK_BATCH, x.extents);

	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		ASSERT_EQ(0, hb_boot(_metadata, &h, modes[m]));
		ASSERT_EQ(x.extents, h.in.nr_extents);
		ASSERT_EQ(x.pages, h.in.nr_pages);
		ASSERT_EQ(x.folios, h.in.nr_folios);
		ASSERT_EQ(NULL, bb_check_noinit(&x.iv)) {
			TH_LOG("reserve mode %u", m);
		}
	}
	hb_check_lookups(_metadata, &h, ~0UL);
	bb_iv_free(&x.iv);

	/* bit 90 is the 46th run of window A */
	hb_range(&h, bb_phys(90), 1, info_r);
	for (m = 0; m < ARRAY_SIZE(modes); m++)
		ASSERT_EQ(-EINVAL, hb_boot(_metadata, &h, modes[m]));
	kho_sim_exit();
}

/*
 * Found while writing these tests: when memblock_reserve_bulk() cannot
 * place a bigger array outside the span of the runs (no spare room, runs
 * from the first to the last page of memory), kho_ranges_reserve() falls
 * back to one call per run, which can grow the array between them. The
 * fallback kept the bulk call's -ENOMEM and so reserved nothing but the
 * blob. The same for a 1.0 and a 2.0 blob.
 */
TEST(bulk_reservation_falls_back_when_memblock_cannot_grow_outside_the_runs)
{
	unsigned int major;

	for (major = 1; major <= 2; major++) {
		struct kho_ranges_incoming in;
		struct kho_ranges kr;
		struct bb_ivs want;
		unsigned long i;
		void *fdt;

		ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
		kho_ranges_init(&kr);
		ASSERT_EQ(0, kho_ranges_preserve(&kr, kr_pfn(0), 1, KR_TAG(1)));
		ASSERT_EQ(0, kho_ranges_preserve(&kr,
						 PHYS_PFN(kho_sim.pool_base +
							  kho_sim.pool_size) - 1,
						 1, KR_TAG(1)));
		/* 300 runs: more than memblock.reserved's static 128 slots */
		for (i = 0; i < 300; i++)
			ASSERT_EQ(0, kho_ranges_preserve(&kr, kr_pfn(4096 + 3 * i), 1,
							 KR_TAG(major == 2 ? 2 : 2 + (i & 1))));
		ASSERT_EQ(0, kho_ranges_serialize(&kr));
		ASSERT_EQ(major, kr.blob_major);
		fdt = phys_to_virt(kr.fdt_phys);
		ASSERT_EQ(0, fdt_nop_property(fdt, 0, KHO_RANGES_FDT_PROP_SPARE));
		ASSERT_EQ(0, fdt_nop_property(fdt, 0,
					      KHO_RANGES_FDT_PROP_SPARE_SIZE));

		ASSERT_EQ(0, bb_run(_metadata, &in, kr.fdt_phys, kr.fdt_size,
				    KHO_RANGES_RESERVE_BULK));
		ASSERT_EQ(0, in.spare_size);
		ASSERT_LT(300, in.nr_extents);
		want = bb_tracker_ivs(&kr);
		ASSERT_EQ(NULL, bb_check_noinit(&want));
		bb_iv_free(&want);
		kho_ranges_destroy(&kr);
		kho_sim_exit();
	}
}

/*
 * Without usable spare room, reserving one run per memblock call would grow
 * memblock.reserved into free memory, top-down, while preserved memory is
 * only partly reserved: the array would land on preserved runs not
 * reserved yet, which are then reserved (and marked noinit) around it, and
 * the next growth frees the old array with memblock_free(), un-reserving
 * those runs: preserved pages free for the page allocator. Runs at the top
 * of memory, one page apart, as a handover without spare room (another
 * writer's, or a corrupted FDT) can have them, showed it in every mode:
 * bulk cannot grow outside runs that span all of memory and falls back to
 * one call per run. Found by fuzzing (descending bitmap runs).
 * kho_ranges_reserve() now first moves memblock.reserved into a hole no
 * run touches, with room for every run, which makes every mode exact.
 */
FIXTURE(no_spare_room) {
	struct kho_ranges kr;
	struct kho_ranges_incoming in;
};

FIXTURE_VARIANT(no_spare_room) {
	enum kho_ranges_reserve_mode mode;
};

FIXTURE_VARIANT_ADD(no_spare_room, ascending) {
	.mode = KHO_RANGES_RESERVE_ASCENDING,
};

FIXTURE_VARIANT_ADD(no_spare_room, descending) {
	.mode = KHO_RANGES_RESERVE_DESCENDING,
};

FIXTURE_VARIANT_ADD(no_spare_room, bulk) {
	.mode = KHO_RANGES_RESERVE_BULK,
};

/* 2048 runs at the top of memory, one page apart; the FDT without spare */
FIXTURE_SETUP(no_spare_room)
{
	unsigned long i, top;
	void *fdt;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&self->kr);
	top = PHYS_PFN(kho_sim.pool_base + kho_sim.pool_size);
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(0), 1, KR_TAG(1)));
	for (i = 0; i < 2048; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, top - 4096 + 2 * i, 1,
						 KR_TAG(2)));
	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	fdt = phys_to_virt(self->kr.fdt_phys);
	ASSERT_EQ(0, fdt_nop_property(fdt, 0, KHO_RANGES_FDT_PROP_SPARE));
	ASSERT_EQ(0, fdt_nop_property(fdt, 0, KHO_RANGES_FDT_PROP_SPARE_SIZE));
}

FIXTURE_TEARDOWN(no_spare_room)
{
	kho_ranges_destroy(&self->kr);
	kho_sim_exit();
}

TEST_F(no_spare_room, every_run_stays_reserved)
{
	struct bb_ivs want = bb_tracker_ivs(&self->kr);

	ASSERT_EQ(0, bb_run(_metadata, &self->in, self->kr.fdt_phys,
			    self->kr.fdt_size, variant->mode));
	ASSERT_EQ(0, self->in.spare_size);
	ASSERT_LT(2048, self->in.nr_extents);
	ASSERT_EQ(NULL, bb_check_noinit(&want));
	/* the array moved once, before the runs, and never grew again */
	ASSERT_LE(2 * self->in.nr_extents, memblock.reserved.max);
	bb_iv_free(&want);
}

/* what the fix does, from the outside: every mode is then exact */
TEST_F(no_spare_room, exact_once_memblock_reserved_is_in_a_hole)
{
	/* 1 MiB of RAM that no run touches */
	const phys_addr_t hole = PFN_PHYS(kr_pfn(100000));
	struct bb_ivs want = bb_tracker_ivs(&self->kr);

	kho_sim_boot(true);
	ASSERT_EQ(0, memblock_reserve(hole, 1 << 20));
	ASSERT_EQ(0, memblock_reserved_move(hole, 1 << 20));
	ASSERT_EQ(0, kho_ranges_deserialize(&self->in, self->kr.fdt_phys,
					    self->kr.fdt_size, variant->mode));
	ASSERT_EQ((void *)hole, (void *)memblock.reserved.regions);
	ASSERT_EQ(NULL, bb_check_noinit(&want));
	bb_iv_free(&want);
}

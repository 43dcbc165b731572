// SPDX-License-Identifier: GPL-2.0
/*
 * Limits: how many ranges fit the largest blob the buddy allocator can
 * hand out in one piece, what happens one range beyond, and what happens
 * when no contiguous memory is left at all.
 *
 * The blob allocation is the records (48 + 16 bytes a record) followed by
 * the spare room for the next kernel's memblock.reserved (32 bytes a
 * record, plus 256 records' worth), each rounded up to whole pages, for
 * the tracker's ranges plus two (the blob and the FDT themselves). Up to
 * MAX_PAGE_ORDER (4 MiB with 4 KiB pages) it comes from alloc_pages();
 * beyond, from alloc_contig_pages() with CONFIG_CONTIG_ALLOC, which may
 * well fail on a fragmented machine. A failure is -ENOMEM with the tracker
 * untouched.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "kr_test.h"
#include "kr_blob.h"

#define LIMIT_BUDDY_BYTES	(PAGE_SIZE << MAX_PAGE_ORDER)

/* the allocation kho_ranges_serialize() makes for @nr_ranges ranges */
static size_t limit_alloc(unsigned long nr_ranges)
{
	unsigned long records = nr_ranges + 2;

	return PAGE_ALIGN(kho_ranges_blob_size(records)) +
	       PAGE_ALIGN((records + KHO_RANGES_SPARE_EXTRA_RECORDS) *
			  KHO_RANGES_SPARE_PER_RECORD);
}

/* the most ranges whose blob the buddy allocator can still provide */
static unsigned long limit_buddy_ranges(void)
{
	unsigned long n = 0;

	while (limit_alloc(n + 1) <= LIMIT_BUDDY_BYTES)
		n++;
	return n;
}

FIXTURE(limits) {
	struct kho_ranges kr;
	unsigned long max;
};

/*
 * isolated pages, every other one, tags alternating: ranges that never
 * coalesce, and windows the serializer cannot write as bitmaps
 */
FIXTURE_SETUP(limits)
{
	unsigned long i;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&self->kr);
	self->max = limit_buddy_ranges();
	for (i = 0; i < self->max; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(2 * i), 1,
						 KR_TAG(i & 1)));
}

FIXTURE_TEARDOWN(limits)
{
	memset(&kho_sim_faults, 0, sizeof(kho_sim_faults));
	kho_ranges_destroy(&self->kr);
	kho_sim_exit();
}

/*
 * Exactly the limit: one buddy block of MAX_PAGE_ORDER, which the next
 * kernel reads and reserves. One range more and the allocation is larger
 * than any buddy block: it can only come from alloc_contig_pages().
 */
TEST_F(limits, largest_buddy_blob)
{
	struct kho_ranges_incoming in;

	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	ASSERT_EQ(limit_alloc(self->max), self->kr.blob_alloc);
	ASSERT_EQ(MAX_PAGE_ORDER, get_order(self->kr.blob_alloc));
	kho_sim_boot(true);
	ASSERT_EQ(0, kho_ranges_deserialize(&in, self->kr.fdt_phys,
					    self->kr.fdt_size,
					    KHO_RANGES_RESERVE_BULK));
	/* the blob and FDT records may have coalesced */
	ASSERT_EQ(kr_runs(&self->kr), in.nr_ranges);
	ASSERT_EQ(NULL, kr_check_reserved(&in));
	kho_ranges_abort(&self->kr);

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(2 * self->max), 1,
					 KR_TAG(self->max & 1)));
	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	ASSERT_LT(LIMIT_BUDDY_BYTES, self->kr.blob_alloc);
	TH_LOG("%lu ranges fit a %lu KiB buddy blob (%zu bytes of records, the rest spare room); %lu need alloc_contig_pages()",
	       self->max, LIMIT_BUDDY_BYTES >> 10,
	       kho_ranges_blob_size(self->max + 2), self->max + 1);
}

/* nothing to compare but the tracker's own ranges */
#define LIMIT_ASSERT_UNCHANGED(kr, before) do {				\
	struct kr_ranges __now = kr_collect(kr);			\
									\
	ASSERT_TRUE(kr_ranges_equal(before, &__now));			\
	kr_ranges_free(&__now);						\
	ASSERT_EQ(NULL, kr_check_invariants(kr));			\
	ASSERT_FALSE((kr)->finalized);					\
} while (0)

/*
 * A machine whose memory is cut into MAX_PAGE_ORDER blocks with one left
 * free (and one free page for the FDT): the largest buddy blob still
 * fits, one range more needs a larger contiguous block, which does not
 * exist. Serialize fails with -ENOMEM, leaves the tracker and the page
 * allocator as they were, and succeeds again once a range is dropped.
 */
TEST_F(limits, beyond_the_largest_block_fails_cleanly)
{
	struct page *fdt_page, *chunk, *keep = NULL;
	unsigned long pool, chunks = 0;
	struct kr_ranges before;

	fdt_page = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NE(NULL, fdt_page);
	while ((chunk = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER))) {
		keep = chunk;
		chunks++;
	}
	ASSERT_LT(1, chunks);
	__free_pages(keep, MAX_PAGE_ORDER);
	__free_pages(fdt_page, 0);
	pool = kho_sim_pages_in_use();

	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	kho_ranges_abort(&self->kr);
	ASSERT_EQ(pool, kho_sim_pages_in_use());

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(2 * self->max), 1,
					 KR_TAG(self->max & 1)));
	before = kr_collect(&self->kr);
	ASSERT_EQ(-ENOMEM, kho_ranges_serialize(&self->kr));
	ASSERT_EQ(pool, kho_sim_pages_in_use());
	LIMIT_ASSERT_UNCHANGED(&self->kr, &before);
	kr_ranges_free(&before);

	ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(0), 1));
	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	ASSERT_EQ(kr_runs(&self->kr),
		  le64_to_cpu(kr_blob_hdr(&self->kr)->nr_ranges));
	TH_LOG("%lu blocks of order %d taken, one left: %lu ranges serialize, %lu fail with -ENOMEM",
	       chunks - 1, MAX_PAGE_ORDER, self->max, self->max + 1);
}

/* no pages at all: -ENOMEM on either side of the limit, tracker intact */
TEST_F(limits, no_pages_fails_cleanly_both_sides_of_the_limit)
{
	unsigned long pool = kho_sim_pages_in_use();
	struct kr_ranges before;
	int i;

	for (i = 0; i < 2; i++) {
		if (i)
			ASSERT_EQ(0, kho_ranges_preserve(&self->kr,
							 kr_pfn(2 * self->max),
							 1, KR_TAG(self->max & 1)));
		before = kr_collect(&self->kr);
		kho_sim_faults.fail_pages = true;
		ASSERT_EQ(-ENOMEM, kho_ranges_serialize(&self->kr));
		kho_sim_faults.fail_pages = false;
		ASSERT_EQ(pool, kho_sim_pages_in_use());
		LIMIT_ASSERT_UNCHANGED(&self->kr, &before);
		kr_ranges_free(&before);
		ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
		kho_ranges_abort(&self->kr);
	}
}

/*
 * The sizes themselves cannot overflow: a record count whose blob would
 * not fit a size_t is reported as SIZE_MAX, which serialize turns into
 * -E2BIG before allocating anything.
 */
TEST(blob_size_overflow_is_detected)
{
	size_t max_nr = (SIZE_MAX - sizeof(struct kho_ranges_blob_hdr)) /
			sizeof(struct kho_ranges_blob_range);

	ASSERT_EQ(sizeof(struct kho_ranges_blob_hdr) +
		  max_nr * sizeof(struct kho_ranges_blob_range),
		  kho_ranges_blob_size(max_nr));
	ASSERT_EQ(SIZE_MAX, kho_ranges_blob_size(max_nr + 1));
	ASSERT_EQ(SIZE_MAX, kho_ranges_blob_size(ULONG_MAX));
	ASSERT_EQ(48 + 16 * 262141, kho_ranges_blob_size(262141));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Leaves: a 4096-page window of the tracker whose ranges share one info
 * word becomes one tree entry pointing at a leaf once it holds two of
 * them: a run list, and a bitmap once the runs would take more handover
 * bytes than the bitmap. These tests follow one window through its life:
 * the second range makes it a leaf, preserves of the same info add to it,
 * the run list grows and becomes a bitmap, overlaps are found on the
 * leaf, another info word or a range reaching out turns it back into
 * ranges, and unpreserving its last folio frees it.
 *
 * Window W is pages [4096, 8192) of the simulated RAM; pictures show its
 * first pages, one character a page: '-' free, 'a' preserved as KR_TAG(1).
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "kr_test.h"

#define W		4096UL	/* first page of the window, RAM-relative */
#define A		KR_TAG(1)

FIXTURE(leaves) {
	struct kho_ranges kr;
	unsigned long slab_before;
};

FIXTURE_SETUP(leaves)
{
	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	self->slab_before = kho_sim_slab_objects();
	kho_ranges_init(&self->kr);
}

FIXTURE_TEARDOWN(leaves)
{
	EXPECT_EQ(NULL, kr_check_invariants(&self->kr));
	kho_ranges_destroy(&self->kr);
	EXPECT_EQ(self->slab_before, kho_sim_slab_objects());
	kho_sim_exit();
}

/* a-a-a-a-... : @n isolated pages of A from the window's start */
static int leaves_fill(struct kho_ranges *kr, unsigned long n)
{
	unsigned long i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++)
		ret = kho_ranges_preserve(kr, kr_pfn(W + 2 * i), 1, A);
	return ret;
}

/* the tracker's ranges are every other page from W, @n of them */
static const char *leaves_alternate(struct kho_ranges *kr, unsigned long n)
{
	struct kr_ranges rs = kr_collect(kr);
	const char *err = NULL;
	unsigned long i;

	if (rs.nr != n)
		err = "wrong number of ranges";
	for (i = 0; i < rs.nr && !err; i++)
		if (rs.r[i].pfn != kr_pfn(W + 2 * i) || rs.r[i].nr_pages != 1 ||
		    rs.r[i].info != A)
			err = "a range is not where it was preserved";
	kr_ranges_free(&rs);
	return err;
}

/*
 * A lone folio in an empty window makes the window one leaf entry at
 * once, a run list of one run that grows by doubling; the 32nd run of one
 * info word makes it a bitmap, as more range records would outweigh the
 * 512-byte bitmap.
 */
TEST_F(leaves, lone_folio_makes_a_run_list_then_a_bitmap)
{
	unsigned long n;

	ASSERT_EQ(0, leaves_fill(&self->kr, 1));
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(1, self->kr.leaf_runs);
	ASSERT_EQ(0, self->kr.nr_ranges);
	ASSERT_EQ(32, self->kr.leaf_bytes);
	ASSERT_EQ(NULL, leaves_alternate(&self->kr, 1));
	for (n = 2; n <= 31; n++) {
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr,
						 kr_pfn(W + 2 * (n - 1)), 1, A));
		ASSERT_EQ(1, self->kr.nr_leaves);
		ASSERT_EQ(0, self->kr.nr_bitmap_leaves);
		ASSERT_EQ(n, self->kr.leaf_runs);
		ASSERT_EQ(0, self->kr.nr_ranges);
		/* an 8-byte header and room for 3, 7, 15 or 31 runs of 8 */
		ASSERT_EQ(n <= 3 ? 32 : n <= 7 ? 64 : n <= 15 ? 128 : 256,
			  self->kr.leaf_bytes);
		ASSERT_EQ(NULL, leaves_alternate(&self->kr, n));
	}
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 62), 1, A));
	ASSERT_EQ(1, self->kr.nr_bitmap_leaves);
	ASSERT_EQ(0, self->kr.leaf_runs);
	ASSERT_EQ(8 + 4096 / 8, self->kr.leaf_bytes);
	ASSERT_EQ(32, self->kr.leaf_folios);
	ASSERT_EQ(32, self->kr.nr_pages);
	ASSERT_EQ(NULL, leaves_alternate(&self->kr, 32));
}

/*
 * A lone folio makes its window a run list; folios that follow it in
 * address order grow its run, and once the run is KHO_RANGES_FILL_FOLIOS
 * (16) folios long the next one turns it into a range entry that the range
 * hint grows with no tree store. A second range in the window makes it a
 * run list again.
 */
TEST_F(leaves, ascending_fill_leaves_the_run_list_for_a_range)
{
	struct kr_ranges rs;
	unsigned long i;

	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 8 + i), 1,
						 A));
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(1, self->kr.leaf_runs);
	ASSERT_EQ(0, self->kr.nr_ranges);
	for (; i < 92; i++) {
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 8 + i), 1,
						 A));
		ASSERT_EQ(0, self->kr.nr_leaves);
		ASSERT_EQ(1, self->kr.nr_ranges);
	}
	ASSERT_EQ(92, self->kr.nr_pages);
	rs = kr_collect(&self->kr);
	ASSERT_EQ(1, rs.nr);
	ASSERT_EQ(kr_pfn(W + 8), rs.r[0].pfn);
	ASSERT_EQ(92, rs.r[0].nr_pages);
	kr_ranges_free(&rs);

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 200), 1, A));
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(2, self->kr.leaf_runs);
	ASSERT_EQ(0, self->kr.nr_ranges);
	ASSERT_EQ(93, self->kr.nr_pages);
}

/* a shorter ascending run stays in the run list: no store for it */
TEST_F(leaves, short_ascending_run_stays_in_the_run_list)
{
	unsigned long i;

	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 8 + i), 1,
						 A));
	/* a gap, then another short stretch: two runs, still one leaf */
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr,
						 kr_pfn(W + 100 + i), 1, A));
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(2, self->kr.leaf_runs);
	ASSERT_EQ(0, self->kr.nr_ranges);
	ASSERT_EQ(24, self->kr.nr_pages);
}

/*
 * A full run list must grow to take a new run, or to split one: with no
 * memory the call fails with -ENOMEM and the leaf is as it was. Runs
 * 0 2 4 6 8 10 12-14 fill a run list of seven.
 */
TEST_F(leaves, full_run_list_grows_or_changes_nothing)
{
	struct kr_ranges before, after;
	unsigned long i;

	ASSERT_EQ(0, leaves_fill(&self->kr, 6));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 12), 3, A));
	ASSERT_EQ(7, self->kr.leaf_runs);
	ASSERT_EQ(64, self->kr.leaf_bytes);
	before = kr_collect(&self->kr);

	kho_sim_faults.slab_every = 1;
	EXPECT_EQ(-ENOMEM, kho_ranges_preserve(&self->kr, kr_pfn(W + 16), 1, A));
	EXPECT_EQ(-ENOMEM, kho_ranges_unpreserve(&self->kr, kr_pfn(W + 13), 1));
	/* no new run, no split: no room needed */
	EXPECT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 15), 1, A));
	EXPECT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(W + 15), 1));
	memset(&kho_sim_faults, 0, sizeof(kho_sim_faults));
	after = kr_collect(&self->kr);
	ASSERT_EQ(before.nr, after.nr);
	for (i = 0; i < before.nr; i++) {
		ASSERT_EQ(before.r[i].pfn, after.r[i].pfn);
		ASSERT_EQ(before.r[i].nr_pages, after.r[i].nr_pages);
	}
	ASSERT_EQ(9, self->kr.nr_pages);
	kr_ranges_free(&after);

	ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(W + 13), 1));
	ASSERT_EQ(8, self->kr.leaf_runs);
	ASSERT_EQ(128, self->kr.leaf_bytes);
	after = kr_collect(&self->kr);
	ASSERT_EQ(8, after.nr);
	ASSERT_EQ(kr_pfn(W + 12), after.r[6].pfn);
	ASSERT_EQ(kr_pfn(W + 14), after.r[7].pfn);
	kr_ranges_free(&after);
	kr_ranges_free(&before);
}

/*
 * Every other page of the window: 2048 ranges would take ~70 KiB of tree
 * nodes; the leaf is its 520-byte bitmap and one entry.
 */
TEST_F(leaves, dense_window_costs_a_bitmap)
{
	long bytes;

	ASSERT_EQ(0, leaves_fill(&self->kr, 2048));
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(NULL, leaves_alternate(&self->kr, 2048));
	bytes = (kho_sim_slab_objects() - self->slab_before -
		 self->kr.nr_leaves) * 256 + self->kr.leaf_bytes;
	ASSERT_GE(1024, bytes);
	TH_LOG("2048 isolated pages in one window: %ld bytes of tracker", bytes);
}

/* overlap is found on the leaf's folios: taken pages fail, holes are free */
TEST_F(leaves, overlap_is_checked_on_bits)
{
	phys_addr_t first, last;

	ASSERT_EQ(0, leaves_fill(&self->kr, 16));
	ASSERT_EQ(1, self->kr.nr_leaves);
	EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, kr_pfn(W + 2), 1, A));
	EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, kr_pfn(W + 1), 2, A));
	EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, kr_pfn(W + 4), 1,
					       KR_TAG(2)));
	/* a hole of the same info: a bit set, no allocation, still a leaf */
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 1), 1, A));
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(17, self->kr.leaf_folios);
	/* pages W+0..W+2 are now one run: that is the overlap reported */
	ASSERT_TRUE(kho_ranges_find_overlap(&self->kr, PFN_PHYS(kr_pfn(W + 1)),
					    PFN_PHYS(kr_pfn(W + 40)), &first,
					    &last));
	ASSERT_EQ(PFN_PHYS(kr_pfn(W)), first);
	ASSERT_EQ(PFN_PHYS(kr_pfn(W + 3)) - 1, last);
	ASSERT_FALSE(kho_ranges_find_overlap(&self->kr, PFN_PHYS(kr_pfn(W + 33)),
					     PFN_PHYS(kr_pfn(W + 33)), NULL,
					     NULL));
}

/*
 * A run list takes runs of any info word; a bitmap takes only its own, and
 * another one in a hole makes it a run list of its runs and that one: 41
 * runs of two info words.
 */
TEST_F(leaves, another_info_word_makes_a_bitmap_a_run_list)
{
	struct kr_ranges rs;
	unsigned long i;

	/* the window after W: a run list takes b among the a */
	for (i = 0; i < 20; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr,
						 kr_pfn(W + 4096 + 2 * i), 1, A));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 4096 + 41), 1,
					 KR_TAG(2)));
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(21, self->kr.leaf_runs);
	for (i = 0; i < 20; i++)
		ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr,
						   kr_pfn(W + 4096 + 2 * i), 1));
	ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(W + 4096 + 41),
					   1));
	ASSERT_EQ(0, self->kr.nr_leaves);

	/* W: 40 of a are a bitmap, and b in a hole makes it a run list */
	ASSERT_EQ(0, leaves_fill(&self->kr, 40));
	ASSERT_EQ(1, self->kr.nr_bitmap_leaves);
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 1), 1,
					 KR_TAG(2)));
	ASSERT_EQ(0, self->kr.nr_bitmap_leaves);
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(41, self->kr.leaf_runs);
	ASSERT_EQ(0, self->kr.nr_ranges);
	/* a a a ... with b in the first hole: 41 ranges, in order */
	rs = kr_collect(&self->kr);
	ASSERT_EQ(41, rs.nr);
	ASSERT_EQ(kr_pfn(W + 1), rs.r[1].pfn);
	ASSERT_EQ(KR_TAG(2), rs.r[1].info);
	ASSERT_EQ(kr_pfn(W + 78), rs.r[40].pfn);
	kr_ranges_free(&rs);
}

/*
 * A bitmap of more runs than the largest run list holds cannot take
 * another info word as a run list: b in a hole of 2048 a turns the window
 * into ranges, 2049 of them, and a window of so many entries of two info
 * words stays ranges.
 */
TEST_F(leaves, another_info_word_in_a_crowded_bitmap_makes_ranges)
{
	struct kr_ranges rs;

	ASSERT_EQ(0, leaves_fill(&self->kr, 2048));
	ASSERT_EQ(1, self->kr.nr_bitmap_leaves);
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 1), 1,
					 KR_TAG(2)));
	ASSERT_EQ(0, self->kr.nr_leaves);
	ASSERT_EQ(2049, self->kr.nr_ranges);
	ASSERT_EQ(2049, self->kr.nr_pages);
	rs = kr_collect(&self->kr);
	ASSERT_EQ(2049, rs.nr);
	ASSERT_EQ(kr_pfn(W + 1), rs.r[1].pfn);
	ASSERT_EQ(KR_TAG(2), rs.r[1].info);
	ASSERT_EQ(kr_pfn(W + 4094), rs.r[2048].pfn);
	ASSERT_EQ(A, rs.r[2048].info);
	kr_ranges_free(&rs);
}

/*
 * A run list of several info words holds 511 runs at most: the 512th, or a
 * split past that, turns the window back into ranges, and it stays ranges.
 */
TEST_F(leaves, mixed_run_list_past_its_largest_is_ranges)
{
	struct kr_ranges rs;
	unsigned long i;

	for (i = 0; i < 511; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 4 * i),
						 i < 510 ? 1 : 3,
						 i % 2 ? A : KR_TAG(2)));
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(511, self->kr.leaf_runs);
	ASSERT_EQ(4096, self->kr.leaf_bytes);
	/* a split of the last run: 512 runs, as ranges */
	ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(W + 4 * 510 + 1),
					   1));
	ASSERT_EQ(0, self->kr.nr_leaves);
	ASSERT_EQ(512, self->kr.nr_ranges);
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 3000), 1, A));
	ASSERT_EQ(0, self->kr.nr_leaves);
	ASSERT_EQ(513, self->kr.nr_ranges);
	rs = kr_collect(&self->kr);
	ASSERT_EQ(513, rs.nr);
	ASSERT_EQ(kr_pfn(W + 4 * 510), rs.r[510].pfn);
	ASSERT_EQ(1, rs.r[510].nr_pages);
	ASSERT_EQ(kr_pfn(W + 4 * 510 + 2), rs.r[511].pfn);
	kr_ranges_free(&rs);
	ASSERT_EQ(511 + 1 + 1, self->kr.nr_pages);
}

/* so does a range of the same info that reaches out of the window */
TEST_F(leaves, a_range_reaching_out_dissolves_the_leaf)
{
	struct kr_ranges rs;

	ASSERT_EQ(0, leaves_fill(&self->kr, 16));
	/* a-a-...-a then aaaa across the window's end into the next one */
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 4094), 4, A));
	ASSERT_EQ(0, self->kr.nr_leaves);
	rs = kr_collect(&self->kr);
	ASSERT_EQ(17, rs.nr);
	ASSERT_EQ(kr_pfn(W + 4094), rs.r[16].pfn);
	ASSERT_EQ(4, rs.r[16].nr_pages);
	kr_ranges_free(&rs);
}

/* unpreserve checks every bit and every cut, then clears; the last frees */
TEST_F(leaves, unpreserve_clears_bits_and_frees_the_empty_leaf)
{
	u32 o1 = KHO_RANGES_INFO(1, 0, 1);
	unsigned long i;

	/* order-1 folios, every other pair of pages: an order-1 leaf */
	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 4 * i), 2,
						 o1));
	ASSERT_EQ(1, self->kr.nr_leaves);
	EXPECT_EQ(-ENOENT, kho_ranges_unpreserve(&self->kr, kr_pfn(W + 2), 2));
	EXPECT_EQ(-ENOENT, kho_ranges_unpreserve(&self->kr, kr_pfn(W), 4));
	EXPECT_EQ(-EINVAL, kho_ranges_unpreserve(&self->kr, kr_pfn(W + 1), 1));
	EXPECT_EQ(32, self->kr.nr_pages);
	for (i = 0; i < 15; i++)
		ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(W + 4 * i),
						   2));
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(1, self->kr.leaf_folios);
	ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(W + 60), 2));
	ASSERT_EQ(0, self->kr.nr_leaves);
	ASSERT_EQ(0, self->kr.nr_pages);
	ASSERT_EQ(self->slab_before, kho_sim_slab_objects());
}

/* one unpreserve over a leaf and a range beside it: both go */
TEST_F(leaves, unpreserve_across_a_leaf_and_a_range)
{
	struct kr_ranges rs;

	ASSERT_EQ(0, leaves_fill(&self->kr, 2048));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 4096), 8, A));
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(1, self->kr.nr_ranges);
	/* a hole inside: nothing changes */
	EXPECT_EQ(-ENOENT, kho_ranges_unpreserve(&self->kr, kr_pfn(W + 4093),
						 4));
	ASSERT_EQ(1, self->kr.nr_leaves);
	/* ...a-aa|aaaaaaaa: then cut aa|aa out across the window's end */
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(W + 4095), 1, A));
	ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(W + 4094), 4));
	ASSERT_EQ(0, self->kr.nr_leaves);
	rs = kr_collect(&self->kr);
	ASSERT_EQ(2048, rs.nr);
	ASSERT_EQ(kr_pfn(W + 4092), rs.r[2046].pfn);
	ASSERT_EQ(kr_pfn(W + 4098), rs.r[2047].pfn);
	ASSERT_EQ(6, rs.r[2047].nr_pages);
	kr_ranges_free(&rs);
	ASSERT_EQ(2047 + 6, self->kr.nr_pages);
}

/* a leaf crosses kexec as a bitmap record and comes back page by page */
TEST_F(leaves, leaf_round_trips_as_a_bitmap_record)
{
	struct kho_ranges_incoming in;
	unsigned long i;
	u32 info;

	ASSERT_EQ(0, leaves_fill(&self->kr, 2048));
	ASSERT_EQ(0, kr_kexec(&self->kr, &in, true, KHO_RANGES_RESERVE_BULK));
	ASSERT_EQ(1, in.nr_bitmaps);
	ASSERT_EQ(2048 + in.nr_ranges, in.nr_extents);
	ASSERT_EQ(NULL, kr_check_reserved(&in));
	for (i = 0; i < 4096; i++) {
		int ret = kho_ranges_lookup(&in, PFN_PHYS(kr_pfn(W + i)), NULL,
					    NULL, &info);

		ASSERT_EQ(i % 2 ? -ENOENT : 0, ret);
		if (!ret)
			ASSERT_EQ(A, info);
	}
	kho_ranges_abort(&self->kr);
}

/* filled to the last page, in any order, a leaf is one range again */
TEST_F(leaves, full_window_is_one_range)
{
	unsigned long i;

	/* 1531 is prime to 4096: every page once, in a scattered order */
	for (i = 0; i < 4096; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr,
						 kr_pfn(W + i * 1531 % 4096), 1,
						 A));
	ASSERT_EQ(0, self->kr.nr_leaves);
	ASSERT_EQ(1, self->kr.nr_ranges);
	ASSERT_EQ(4096, self->kr.nr_pages);
}

/* a leaf that lost most of its folios goes out as range records */
TEST_F(leaves, sparse_leaf_is_written_as_ranges)
{
	struct kho_ranges_incoming in;
	unsigned long i;

	ASSERT_EQ(0, leaves_fill(&self->kr, 40));
	for (i = 3; i < 40; i++)
		ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr,
						   kr_pfn(W + 2 * i), 1));
	ASSERT_EQ(1, self->kr.nr_leaves);
	ASSERT_EQ(0, kr_kexec(&self->kr, &in, true, KHO_RANGES_RESERVE_BULK));
	ASSERT_EQ(0, in.nr_bitmaps);
	ASSERT_EQ(KHO_RANGES_VERSION_MAJOR,
		  le16_to_cpu(((struct kho_ranges_blob_hdr *)in.blob)->major));
	ASSERT_EQ(NULL, kr_blob_matches(&self->kr, &in));
	kho_ranges_abort(&self->kr);
}

/*
 * The leaf index. Windows 1 to 40 get a folio each, in a scattered order:
 * 40 leaves, each made by its first folio, and no walk of the tree has yet
 * found a leaf, so there is no index. The first walk that does makes it,
 * of 16 slots, where windows 5, 21 and 37 share one: folios for them in
 * turn must each land in their own window's leaf, and a leaf freed while
 * it holds the slot must leave it (the invariants check that every leaf
 * the index holds is its window's tree entry). Then three more folios for
 * every window, in the scattered order, miss often enough to grow it.
 */
#define IX_WINDOWS	40UL

/* folio @k of window @win: every other page, clear of the window's edges */
static unsigned long ix_page(unsigned long win, unsigned long k)
{
	return win * KR_WINDOW_PAGES + 1 + 2 * k;
}

/* the tracker holds folios 0 .. @nr[w] - 1 of every window w, no more */
static const char *ix_expect(struct kho_ranges *kr, const unsigned long *nr)
{
	struct kr_ranges rs = kr_collect(kr);
	const char *err = NULL;
	unsigned long w, k, i = 0;

	for (w = 1; w <= IX_WINDOWS && !err; w++) {
		for (k = 0; k < nr[w] && !err; k++, i++)
			if (i >= rs.nr || rs.r[i].pfn != kr_pfn(ix_page(w, k)) ||
			    rs.r[i].nr_pages != 1 || rs.r[i].info != A)
				err = "a folio is not where it was preserved";
	}
	if (!err && i != rs.nr)
		err = "more folios than were preserved";
	kr_ranges_free(&rs);
	return err ?: kr_check_invariants(kr);
}

static int ix_add(struct kho_ranges *kr, unsigned long *nr, unsigned long w)
{
	int ret = kho_ranges_preserve(kr, kr_pfn(ix_page(w, nr[w])), 1, A);

	if (!ret)
		nr[w]++;
	return ret;
}

TEST_F(leaves, index_finds_scattered_leaves_and_forgets_freed_ones)
{
	unsigned long nr[IX_WINDOWS + 1] = { 0 }, slots, i, k;
	const unsigned long turn[] = { 21, 5, 37, 21, 5, 37 };

	/* 17 is prime to 40: windows 1..40 in a scattered order */
	for (i = 0; i < IX_WINDOWS; i++)
		ASSERT_EQ(0, ix_add(&self->kr, nr, 1 + i * 17 % IX_WINDOWS));
	ASSERT_EQ(IX_WINDOWS, self->kr.nr_leaves);
	ASSERT_EQ(NULL, self->kr.leaf_index);

	/* 5, 21 and 37 in turn: one slot, a miss each time */
	for (i = 0; i < ARRAY_SIZE(turn); i++) {
		ASSERT_EQ(0, ix_add(&self->kr, nr, turn[i]));
		ASSERT_EQ(-EEXIST, kho_ranges_preserve(&self->kr,
						       kr_pfn(ix_page(turn[(i + 1) % 3], 0)),
						       1, A));
	}
	ASSERT_EQ(16 * (sizeof(void *) + sizeof(u32)),
		  kho_ranges_leaf_index_bytes(&self->kr));
	ASSERT_EQ(NULL, ix_expect(&self->kr, nr));

	/* window 5 takes the slot back, then empties: its leaf is freed */
	ASSERT_EQ(0, ix_add(&self->kr, nr, 5));
	for (k = 0; k < nr[5]; k++)
		ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr,
						   kr_pfn(ix_page(5, k)), 1));
	nr[5] = 0;
	ASSERT_EQ(IX_WINDOWS - 1, self->kr.nr_leaves);
	ASSERT_EQ(NULL, ix_expect(&self->kr, nr));
	ASSERT_EQ(0, ix_add(&self->kr, nr, 21));
	ASSERT_EQ(0, ix_add(&self->kr, nr, 37));
	ASSERT_EQ(0, ix_add(&self->kr, nr, 5));
	ASSERT_EQ(NULL, ix_expect(&self->kr, nr));
	ASSERT_EQ(16 * (sizeof(void *) + sizeof(u32)),
		  kho_ranges_leaf_index_bytes(&self->kr));

	/* three more folios a window, scattered: it grows, within its share */
	for (k = 0; k < 3; k++)
		for (i = 0; i < IX_WINDOWS; i++)
			ASSERT_EQ(0, ix_add(&self->kr, nr,
					    1 + i * 17 % IX_WINDOWS));
	ASSERT_EQ(NULL, ix_expect(&self->kr, nr));
	ASSERT_EQ(IX_WINDOWS, self->kr.nr_leaves);
	slots = 1UL << self->kr.leaf_index_bits;
	ASSERT_LT(16, slots);
	ASSERT_EQ(slots * (sizeof(void *) + sizeof(u32)),
		  kho_ranges_leaf_index_bytes(&self->kr));
	ASSERT_GE(self->kr.leaf_bytes / 2, kho_ranges_leaf_index_bytes(&self->kr));
}

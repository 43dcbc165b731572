// SPDX-License-Identifier: GPL-2.0
/*
 * Tracker tests: coalescing, splitting, info boundaries, overlap errors and
 * the folio, page-block and vmalloc page-array entry points.
 *
 * Pictures use one character per page: '-' free, letters for preserved
 * pages, equal letters for equal info words.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "kr_test.h"

FIXTURE(tracker) {
	struct kho_ranges kr;
	unsigned long slab_before;
};

FIXTURE_SETUP(tracker)
{
	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	self->slab_before = kho_sim_slab_objects();
	kho_ranges_init(&self->kr);
}

FIXTURE_TEARDOWN(tracker)
{
	EXPECT_EQ(NULL, kr_check_invariants(&self->kr));
	kho_ranges_destroy(&self->kr);
	/* destroy gives every tree node back */
	EXPECT_EQ(self->slab_before, kho_sim_slab_objects());
	kho_sim_exit();
}

#define ASSERT_RANGE(rs, i, off, n, inf) do {			\
	ASSERT_EQ(kr_pfn(off), (rs).r[i].pfn);			\
	ASSERT_EQ((unsigned long)(n), (rs).r[i].nr_pages);	\
	ASSERT_EQ((u32)(inf), (rs).r[i].info);			\
} while (0)

/*
 * AAAA + AAAA -> AAAAAAAA, then + AAAA -> one range of 12 pages; a range
 * with another tag touching it stays separate.
 */
TEST_F(tracker, coalesce_adjacent_equal_info)
{
	struct kr_ranges rs;

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(0), 4, KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(4), 4, KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(8), 4, KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(12), 4, KR_TAG(7)));
	rs = kr_collect(&self->kr);
	ASSERT_EQ(2, rs.nr);
	ASSERT_RANGE(rs, 0, 0, 12, KR_PLAIN);
	ASSERT_RANGE(rs, 1, 12, 4, KR_TAG(7));
	ASSERT_EQ(2, kr_runs(&self->kr));
	ASSERT_EQ(16, self->kr.nr_pages);
	kr_ranges_free(&rs);
}

/*
 * Ascending folios grow the range the last call stored without a walk;
 * they stop growing it one page short of the next entry (B), and the
 * folio that closes the gap merges the way any insert does. The grown
 * range never covers what B, or a later unpreserve, changed:
 *
 *   A A A A A . B      then A on the hole: AAAAAA B (two ranges)
 *   unpreserve page 3, preserve A on 4: -EEXIST (4 is still A's)
 */
TEST_F(tracker, ascending_folios_grow_the_last_range)
{
	struct kr_ranges rs;
	unsigned long i;

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(6), 1, KR_TAG(2)));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(i), 1,
						 KR_PLAIN));
	ASSERT_EQ(2, kr_runs(&self->kr));
	EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, kr_pfn(4), 2,
					       KR_PLAIN));
	EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, kr_pfn(5), 2,
					       KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(5), 1, KR_PLAIN));
	rs = kr_collect(&self->kr);
	ASSERT_EQ(2, rs.nr);
	ASSERT_RANGE(rs, 0, 0, 6, KR_PLAIN);
	ASSERT_RANGE(rs, 1, 6, 1, KR_TAG(2));
	kr_ranges_free(&rs);

	ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(3), 1));
	EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, kr_pfn(4), 1,
					       KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(3), 1, KR_PLAIN));
	rs = kr_collect(&self->kr);
	ASSERT_EQ(2, rs.nr);
	ASSERT_RANGE(rs, 0, 0, 6, KR_PLAIN);
	ASSERT_EQ(7, self->kr.nr_pages);
	kr_ranges_free(&rs);
}

/*
 * Pages S+2..S+9 grow the range of pages S, S+1 in the hint only: every
 * reader sees them before any store does, and the first call that needs
 * the tree stores them first. The first folio reaches into the next
 * window, so that it is a range entry and no window becomes a leaf; B is
 * alone in a window further on.
 *
 *   . . . A A|A A A A A A A A . . . . |B
 */
#define S	4095UL
TEST_F(tracker, grown_tail_is_seen_before_it_is_stored)
{
	phys_addr_t base = PFN_PHYS(kr_pfn(S)), first, last;
	struct kr_ranges rs;
	unsigned long i;

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(3 * 4096), 1,
					 KR_TAG(2)));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(S), 2, KR_PLAIN));
	for (i = 2; i < 10; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(S + i), 1,
						 KR_PLAIN));
	ASSERT_EQ(11, self->kr.nr_pages);
	rs = kr_collect(&self->kr);
	ASSERT_EQ(2, rs.nr);
	ASSERT_RANGE(rs, 0, S, 10, KR_PLAIN);
	kr_ranges_free(&rs);

	/* a region that starts in the tail, and one that ends in it */
	ASSERT_TRUE(kho_ranges_find_overlap(&self->kr, base + 7 * PAGE_SIZE,
					    base + 8 * PAGE_SIZE, &first, &last));
	ASSERT_EQ(base, first);
	ASSERT_EQ(base + 10 * PAGE_SIZE - 1, last);
	ASSERT_TRUE(kho_ranges_find_overlap(&self->kr, base, base, &first,
					    &last));
	ASSERT_EQ(base + 10 * PAGE_SIZE - 1, last);
	ASSERT_FALSE(kho_ranges_find_overlap(&self->kr, base + 10 * PAGE_SIZE,
					     PFN_PHYS(kr_pfn(3 * 4096)) - 1,
					     NULL, NULL));

	/* calls against the tail: refused as if it were stored */
	EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, kr_pfn(S + 9), 1,
					       KR_TAG(3)));
	EXPECT_EQ(-ENOENT, kho_ranges_unpreserve(&self->kr, kr_pfn(S + 8), 3));
	/* one that starts in it cuts it */
	ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(S + 6), 2));
	rs = kr_collect(&self->kr);
	ASSERT_EQ(3, rs.nr);
	ASSERT_RANGE(rs, 0, S, 6, KR_PLAIN);
	ASSERT_RANGE(rs, 1, S + 8, 2, KR_PLAIN);
	ASSERT_EQ(9, self->kr.nr_pages);
	/* the two pieces are range entries, B a run of its window's leaf */
	ASSERT_EQ(2, self->kr.nr_ranges);
	ASSERT_EQ(1, self->kr.leaf_runs);
	kr_ranges_free(&rs);
}
#undef S

/* AAAA----AAAA, fill the hole with AAAA: the three become one entry */
TEST_F(tracker, coalesce_fills_hole_both_sides)
{
	struct kr_ranges rs;

	/* the first reaches into the next window: no leaf, tree entries */
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(4000), 100,
					 KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(4200), 100,
					 KR_PLAIN));
	ASSERT_EQ(2, self->kr.nr_ranges);
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(4100), 100,
					 KR_PLAIN));
	ASSERT_EQ(1, self->kr.nr_ranges);
	ASSERT_EQ(0, self->kr.nr_leaves);
	rs = kr_collect(&self->kr);
	ASSERT_EQ(1, rs.nr);
	ASSERT_RANGE(rs, 0, 4000, 300, KR_PLAIN);
	kr_ranges_free(&rs);
}

/* order-0 pages next to an order-3 folio: different info, no merge */
TEST_F(tracker, no_coalesce_across_orders_or_flags)
{
	u32 folio3 = KHO_RANGES_INFO(3, KHO_RANGES_INFO_FOLIO, 0);
	u32 block3 = KHO_RANGES_INFO(3, 0, 0);

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(0), 8, KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(8), 8, folio3));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(16), 8, block3));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(24), 16, folio3));
	ASSERT_EQ(4, kr_runs(&self->kr));
}

/* AAAAAAAA then anything that touches one of its pages: -EEXIST */
TEST_F(tracker, overlap_is_eexist_whatever_the_info)
{
	struct kr_ranges before, after;

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(8), 8, KR_PLAIN));
	before = kr_collect(&self->kr);
	EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, kr_pfn(8), 8, KR_PLAIN));
	EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, kr_pfn(4), 8, KR_PLAIN));
	EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, kr_pfn(15), 1, KR_TAG(3)));
	EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, kr_pfn(0), 64, KR_TAG(1)));
	after = kr_collect(&self->kr);
	ASSERT_TRUE(kr_ranges_equal(&before, &after));
	kr_ranges_free(&before);
	kr_ranges_free(&after);
}

TEST_F(tracker, bad_arguments_are_einval)
{
	/* misaligned for the order, or not a whole number of folios */
	EXPECT_EQ(-EINVAL, kho_ranges_preserve(&self->kr, kr_pfn(4), 8,
					       KHO_RANGES_INFO(3, 0, 0)));
	EXPECT_EQ(-EINVAL, kho_ranges_preserve(&self->kr, kr_pfn(8), 12,
					       KHO_RANGES_INFO(3, 0, 0)));
	EXPECT_EQ(-EINVAL, kho_ranges_preserve(&self->kr, kr_pfn(0), 0, KR_PLAIN));
	/* wraps past the end of the pfn space */
	EXPECT_EQ(-EINVAL, kho_ranges_preserve(&self->kr, ULONG_MAX - 3, 8,
					       KR_PLAIN));
	/* order 32 does not fit a record's 32-bit page count */
	EXPECT_EQ(-EINVAL, kho_ranges_preserve(&self->kr, 0, 1UL << 32,
					       KHO_RANGES_INFO(32, 0, 0)));
	/* undefined flags are refused, not stored */
	EXPECT_EQ(-EINVAL, kho_ranges_preserve(&self->kr, kr_pfn(0), 1,
					       KR_PLAIN | 0x80));
	EXPECT_EQ(-EINVAL, kho_ranges_preserve(&self->kr, kr_pfn(0), 1,
					       KR_PLAIN | 0x8000));
	/* the serializer's mark for its own blob and FDT is not for callers */
	EXPECT_EQ(-EINVAL, kho_ranges_preserve(&self->kr, kr_pfn(0), 1,
					       KR_PLAIN | KHO_RANGES_INFO_HANDOVER));
	EXPECT_EQ(0, self->kr.nr_ranges);
	EXPECT_EQ(-EINVAL, kho_ranges_unpreserve(&self->kr, kr_pfn(0), 0));
}

/* the largest order, the largest tag and every defined flag round-trip */
TEST_F(tracker, info_word_boundaries)
{
	u32 big = KHO_RANGES_INFO(KHO_RANGES_MAX_ORDER, KHO_RANGES_INFO_FOLIO,
				  0xffff);
	unsigned long pfn = 1UL << KHO_RANGES_MAX_ORDER;
	struct kr_ranges rs;

	ASSERT_EQ(KHO_RANGES_MAX_ORDER, kho_ranges_info_order(big));
	ASSERT_EQ(0xffff, kho_ranges_info_tag(big));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, pfn, 1UL << KHO_RANGES_MAX_ORDER,
					 big));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, 0, 1, KHO_RANGES_INFO(0, 0, 0)));
	rs = kr_collect(&self->kr);
	ASSERT_EQ(2, rs.nr);
	ASSERT_EQ(0, rs.r[0].pfn);
	ASSERT_EQ(big, rs.r[1].info);
	ASSERT_EQ(1UL << KHO_RANGES_MAX_ORDER, rs.r[1].nr_pages);
	kr_ranges_free(&rs);
	ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, pfn, 1UL << KHO_RANGES_MAX_ORDER));
}

/* AAAAAAAAAAAAAAAA minus ----XXXX-------- -> AAAA----AAAAAAAA */
TEST_F(tracker, unpreserve_middle_splits)
{
	struct kr_ranges rs;

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(0), 16, KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(4), 4));
	rs = kr_collect(&self->kr);
	ASSERT_EQ(2, rs.nr);
	ASSERT_RANGE(rs, 0, 0, 4, KR_PLAIN);
	ASSERT_RANGE(rs, 1, 8, 8, KR_PLAIN);
	ASSERT_EQ(12, self->kr.nr_pages);
	kr_ranges_free(&rs);
}

/* AAAABBBBCCCC minus --XXXXXXXX-- -> AA--------CC */
TEST_F(tracker, unpreserve_spans_several_ranges)
{
	struct kr_ranges rs;

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(0), 4, KR_TAG(1)));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(4), 4, KR_TAG(2)));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(8), 4, KR_TAG(3)));
	ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(2), 8));
	rs = kr_collect(&self->kr);
	ASSERT_EQ(2, rs.nr);
	ASSERT_RANGE(rs, 0, 0, 2, KR_TAG(1));
	ASSERT_RANGE(rs, 1, 10, 2, KR_TAG(3));
	ASSERT_EQ(2, kr_runs(&self->kr));
	kr_ranges_free(&rs);
}

/* AAAA--AA: unpreserving across the hole fails and changes nothing */
TEST_F(tracker, unpreserve_hole_is_enoent)
{
	struct kr_ranges before, after;

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(0), 4, KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(6), 2, KR_PLAIN));
	before = kr_collect(&self->kr);
	EXPECT_EQ(-ENOENT, kho_ranges_unpreserve(&self->kr, kr_pfn(0), 8));
	EXPECT_EQ(-ENOENT, kho_ranges_unpreserve(&self->kr, kr_pfn(4), 1));
	EXPECT_EQ(-ENOENT, kho_ranges_unpreserve(&self->kr, kr_pfn(6), 3));
	EXPECT_EQ(-ENOENT, kho_ranges_unpreserve(&self->kr, kr_pfn(100), 1));
	after = kr_collect(&self->kr);
	ASSERT_TRUE(kr_ranges_equal(&before, &after));
	kr_ranges_free(&before);
	kr_ranges_free(&after);
}

/* two order-3 folios: a cut may fall between them, never inside one */
TEST_F(tracker, unpreserve_never_cuts_a_folio)
{
	u32 folio3 = KHO_RANGES_INFO(3, KHO_RANGES_INFO_FOLIO, 0);

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(0), 16, folio3));
	EXPECT_EQ(-EINVAL, kho_ranges_unpreserve(&self->kr, kr_pfn(4), 8));
	EXPECT_EQ(-EINVAL, kho_ranges_unpreserve(&self->kr, kr_pfn(0), 4));
	EXPECT_EQ(-EINVAL, kho_ranges_unpreserve(&self->kr, kr_pfn(12), 4));
	EXPECT_EQ(16, self->kr.nr_pages);
	EXPECT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(8), 8));
	EXPECT_EQ(8, self->kr.nr_pages);
	EXPECT_EQ(1, kr_runs(&self->kr));
}

/*
 * 10k isolated pages, then all unpreserved: the tree gives its nodes back.
 * Tags alternate, so no window can become a leaf: these are range entries.
 */
TEST_F(tracker, unpreserve_frees_tree_nodes)
{
	unsigned long i, grown;

	for (i = 0; i < 10000; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(2 * i), 1,
						 KR_TAG(i & 1)));
	ASSERT_EQ(10000, self->kr.nr_ranges);
	grown = kho_sim_slab_objects() - self->slab_before;
	ASSERT_LT(0, grown);
	TH_LOG("10000 isolated ranges: %lu maple nodes, %lu bytes per range",
	       grown, grown * 256 / 10000);
	for (i = 0; i < 10000; i++)
		ASSERT_EQ(0, kho_ranges_unpreserve(&self->kr, kr_pfn(2 * i), 1));
	ASSERT_EQ(0, self->kr.nr_ranges);
	ASSERT_EQ(self->slab_before, kho_sim_slab_objects());
}

/* folios keep their order; page blocks are told apart from folios */
TEST_F(tracker, folio_and_page_block_api)
{
	struct folio *f = folio_alloc(GFP_KERNEL, 4);
	struct page *p = alloc_pages(GFP_KERNEL, 2);
	struct kr_ranges rs;

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, kho_ranges_preserve_folio(&self->kr, f, 42));
	ASSERT_EQ(0, kho_ranges_preserve_pages(&self->kr, p, 2, 43));
	EXPECT_EQ(-EEXIST, kho_ranges_preserve_folio(&self->kr, f, 42));
	rs = kr_collect(&self->kr);
	ASSERT_EQ(2, rs.nr);
	ASSERT_EQ(folio_pfn(f), rs.r[0].pfn);
	ASSERT_EQ(16, rs.r[0].nr_pages);
	ASSERT_EQ(KHO_RANGES_INFO(4, KHO_RANGES_INFO_FOLIO, 42), rs.r[0].info);
	ASSERT_EQ(page_to_pfn(p), rs.r[1].pfn);
	ASSERT_EQ(KHO_RANGES_INFO(2, 0, 43), rs.r[1].info);
	kr_ranges_free(&rs);
	EXPECT_EQ(-EINVAL, kho_ranges_preserve_pages(&self->kr, p, 40, 0));
	ASSERT_EQ(0, kho_ranges_unpreserve_folio(&self->kr, f));
	ASSERT_EQ(0, kho_ranges_unpreserve_pages(&self->kr, p, 2));
	ASSERT_EQ(0, self->kr.nr_ranges);
	folio_put(f);
	__free_pages(p, 2);
}

/*
 * A vmalloc area's pages in virtual order: 5 6 | 0 1 2 3 4 | 20 | 9 8.
 * Runs coalesce with each other: pages 0..6 become one range, 8 and 9 one
 * more (two single-page runs), 20 its own.
 */
TEST_F(tracker, page_array_coalesces_runs)
{
	unsigned long offs[] = { 5, 6, 0, 1, 2, 3, 4, 20, 9, 8 };
	struct page *pages[ARRAY_SIZE(offs)];
	struct kr_ranges rs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(offs); i++)
		pages[i] = pfn_to_page(kr_pfn(offs[i]));
	ASSERT_EQ(0, kho_ranges_preserve_page_array(&self->kr, pages,
						    ARRAY_SIZE(pages), 9));
	rs = kr_collect(&self->kr);
	ASSERT_EQ(3, rs.nr);
	ASSERT_RANGE(rs, 0, 0, 7, KR_TAG(9));
	ASSERT_RANGE(rs, 1, 8, 2, KR_TAG(9));
	ASSERT_RANGE(rs, 2, 20, 1, KR_TAG(9));
	kr_ranges_free(&rs);
	ASSERT_EQ(0, kho_ranges_unpreserve_page_array(&self->kr, pages,
						      ARRAY_SIZE(pages)));
	ASSERT_EQ(0, self->kr.nr_ranges);
}

/* the third run collides: the first two must not stay preserved */
TEST_F(tracker, page_array_all_or_nothing)
{
	unsigned long offs[] = { 0, 1, 10, 11, 30, 31, 50 };
	struct page *pages[ARRAY_SIZE(offs)];
	struct kr_ranges before, after;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(offs); i++)
		pages[i] = pfn_to_page(kr_pfn(offs[i]));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(31), 1, KR_TAG(1)));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(2), 2, KR_TAG(5)));
	before = kr_collect(&self->kr);
	ASSERT_EQ(-EEXIST, kho_ranges_preserve_page_array(&self->kr, pages,
							  ARRAY_SIZE(pages), 5));
	after = kr_collect(&self->kr);
	ASSERT_TRUE(kr_ranges_equal(&before, &after));
	kr_ranges_free(&before);
	kr_ranges_free(&after);
}

/* serializing freezes the tracker; abort thaws it and frees the blob */
TEST_F(tracker, serialize_freezes_until_abort)
{
	struct kr_ranges before, after;
	unsigned long pool_pages = kho_sim_pages_in_use();

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(0), 4, KR_PLAIN));
	before = kr_collect(&self->kr);
	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	ASSERT_TRUE(self->kr.finalized);
	EXPECT_EQ(-EBUSY, kho_ranges_preserve(&self->kr, kr_pfn(8), 4, KR_PLAIN));
	EXPECT_EQ(-EBUSY, kho_ranges_unpreserve(&self->kr, kr_pfn(0), 4));
	EXPECT_EQ(-EBUSY, kho_ranges_serialize(&self->kr));
	kho_ranges_abort(&self->kr);
	ASSERT_FALSE(self->kr.finalized);
	ASSERT_EQ(pool_pages, kho_sim_pages_in_use());
	after = kr_collect(&self->kr);
	ASSERT_TRUE(kr_ranges_equal(&before, &after));
	EXPECT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(8), 4, KR_PLAIN));
	kr_ranges_free(&before);
	kr_ranges_free(&after);
}

/* ----AAAA----BB: which byte ranges hit preserved pages, and which first */
TEST_F(tracker, find_overlap_reports_lowest_range)
{
	phys_addr_t base = PFN_PHYS(kr_pfn(0)), first, last;

	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(4), 4, KR_PLAIN));
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(12), 2, KR_TAG(1)));
	ASSERT_FALSE(kho_ranges_find_overlap(&self->kr, base,
					     base + 4 * PAGE_SIZE - 1, NULL, NULL));
	ASSERT_TRUE(kho_ranges_find_overlap(&self->kr, base,
					    base + 4 * PAGE_SIZE, &first, &last));
	ASSERT_EQ(base + 4 * PAGE_SIZE, first);
	ASSERT_EQ(base + 8 * PAGE_SIZE - 1, last);
	ASSERT_TRUE(kho_ranges_find_overlap(&self->kr, base + 7 * PAGE_SIZE + 100,
					    base + 20 * PAGE_SIZE, &first, NULL));
	ASSERT_EQ(base + 4 * PAGE_SIZE, first);
	ASSERT_TRUE(kho_ranges_find_overlap(&self->kr, base + 9 * PAGE_SIZE,
					    base + 20 * PAGE_SIZE, &first, &last));
	ASSERT_EQ(base + 12 * PAGE_SIZE, first);
	ASSERT_EQ(base + 14 * PAGE_SIZE - 1, last);
	ASSERT_FALSE(kho_ranges_find_overlap(&self->kr, base + 14 * PAGE_SIZE,
					     base + 40 * PAGE_SIZE, NULL, NULL));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: the tracker's maple tree fails to allocate a node on
 * every Nth attempt (kho_sim_faults.slab_every), for many N, while random
 * operations run against the reference model of kr_model.h. The promise
 * checked after every single call:
 *
 *   - it succeeded completely and the tracker is the model with the
 *     operation applied, or
 *   - it returned -ENOMEM and the tracker is exactly the model as it was
 *     before the call (counters included),
 *
 * for preserve and unpreserve, for the page-array entry points (all or
 * nothing when preserving; a clean prefix when unpreserving, as
 * documented), and for serialization, which must leave the tracker intact
 * and retryable whether the blob's pages or the tree nodes for preserving
 * them are what failed.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "kr_model.h"
#include "kr_blob.h"

/* slab_every from 1 (every allocation fails) to this */
#define FAULTS_MAX_EVERY	48
#define FAULTS_OPS_PER_EVERY	300
#define FAULTS_ROUNDS		(8 * FAULTS_MAX_EVERY)

FIXTURE(faults) {
	struct kho_ranges kr;
	struct kr_model m;
	unsigned long calls;
	unsigned long enomem;
};

FIXTURE_SETUP(faults)
{
	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&self->kr);
	kr_model_init(&self->m, kr_pfn(1UL << 16), 0x5eed);
}

FIXTURE_TEARDOWN(faults)
{
	memset(&kho_sim_faults, 0, sizeof(kho_sim_faults));
	kho_ranges_destroy(&self->kr);
	kho_sim_exit();
}

static void faults_arm(unsigned long every)
{
	memset(&kho_sim_faults, 0, sizeof(kho_sim_faults));
	kho_sim_faults.slab_every = every;
}

/* fail only the @nth allocation from now on */
static void faults_arm_nth(unsigned long nth)
{
	faults_arm(1UL << 30);
	kho_sim_faults.slab_attempts = (1UL << 30) - nth;
}

/* the tracker is exactly the model, counters included */
#define ASSERT_MATCHES_MODEL(self, what) do {				\
	ASSERT_EQ(NULL, kr_model_compare(&(self)->m, &(self)->kr)) {	\
		TH_LOG("%s, slab_every %lu", what,			\
		       kho_sim_faults.slab_every);			\
	}								\
	ASSERT_EQ(NULL, kr_check_invariants(&(self)->kr));		\
} while (0)

/*
 * Random preserves and unpreserves, slab_every = 1 .. FAULTS_MAX_EVERY. An
 * -ENOMEM can only come from the store, after every check passed: the
 * model must have expected success.
 */
static void faults_random_ops(struct __test_metadata *_metadata,
			      struct _test_data_faults *self, bool leafy)
{
	unsigned long every, n, ok = 0, leaves = 0;

	self->m.leafy = leafy;
	for (every = 1; every <= FAULTS_MAX_EVERY; every++) {
		faults_arm(every);
		for (n = 0; n < FAULTS_OPS_PER_EVERY; n++) {
			struct kr_model_op op = kr_model_random_op(&self->m);
			unsigned long pfn = self->m.base + op.off;
			int want, got;

			if (op.preserve) {
				want = kr_model_preserve(&self->m, op.off, op.nr,
							 op.info, false);
				got = kho_ranges_preserve(&self->kr, pfn, op.nr,
							  op.info);
			} else {
				want = kr_model_unpreserve(&self->m, op.off,
							   op.nr, false);
				got = kho_ranges_unpreserve(&self->kr, pfn,
							    op.nr);
			}
			self->calls++;
			if (got == -ENOMEM) {
				ASSERT_EQ(0, want);
				self->enomem++;
			} else {
				ASSERT_EQ(want, got);
			}
			if (!got) {
				ok++;
				if (op.preserve)
					kr_model_preserve(&self->m, op.off, op.nr,
							  op.info, true);
				else
					kr_model_unpreserve(&self->m, op.off,
							    op.nr, true);
			}
			ASSERT_MATCHES_MODEL(self, op.preserve ? "preserve" :
					     "unpreserve");
			leaves = max(leaves, self->kr.nr_leaves);
		}
	}
	/* the sweep must have hit both outcomes */
	ASSERT_LT(0, self->enomem);
	ASSERT_LT(self->calls / 10, ok);
	/* and, leafy, both representations */
	if (leafy)
		ASSERT_LT(0, leaves);
	TH_LOG("slab_every 1..%d: %lu calls, %lu -ENOMEM, %lu succeeded, up to %lu leaves, 0 inconsistencies",
	       FAULTS_MAX_EVERY, self->calls, self->enomem, ok, leaves);
}

TEST_F(faults, preserve_unpreserve_all_or_nothing)
{
	faults_random_ops(_metadata, self, false);
}

/* the same where windows become leaves and turn back into ranges */
TEST_F(faults, preserve_unpreserve_leaves_all_or_nothing)
{
	faults_random_ops(_metadata, self, true);
}

/* up to 24 distinct free pages of the window, in runs of consecutive pfns */
static unsigned int faults_page_array(struct kr_model *m, struct page **pages,
				      unsigned int *runs)
{
	unsigned int nr = 0, want = 1 + kr_rand(m) % 24;
	unsigned long off = kr_rand(m) % (KR_MODEL_PAGES - 64);

	*runs = 0;
	while (nr < want && off < KR_MODEL_PAGES - 1) {
		unsigned int len = 1 + kr_rand(m) % 4;

		(*runs)++;
		while (len-- && nr < want && off < KR_MODEL_PAGES - 1 &&
		       !kr_model_used(m, off))
			pages[nr++] = pfn_to_page(m->base + off++);
		/* a hole, so that the next run starts a new range */
		off += 2 + kr_rand(m) % 64;
	}
	return nr;
}

/*
 * vmalloc() areas: preserving one is all or nothing even when the tree
 * fails halfway through its runs; unpreserving one that fails leaves the
 * runs before the failing one unpreserved and the rest preserved, and a
 * retry finishes the job.
 */
TEST_F(faults, page_array_all_or_nothing)
{
	struct page *live[64][24];
	unsigned int live_nr[64], nr_live = 0, i, runs;
	unsigned long every, n, unpreserve_enomem = 0, b;
	u16 tag;

	/*
	 * A page across each window boundary of the model's pages keeps
	 * every window ranges, whose splits need tree nodes: run lists
	 * rarely need memory to give pages back.
	 */
	for (b = ALIGN(self->m.base + 1, 4096); b < self->m.base + KR_MODEL_PAGES;
	     b += 4096) {
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, b - 1, 2,
						 KR_TAG(3)));
		kr_model_preserve(&self->m, b - 1 - self->m.base, 2, KR_TAG(3),
				  true);
	}

	for (every = 1; every <= FAULTS_MAX_EVERY; every++) {
		for (n = 0; n < FAULTS_OPS_PER_EVERY / 10; n++) {
			struct page **pages;
			unsigned int nr, j;
			int got;

			faults_arm(every);
			if (nr_live < ARRAY_SIZE(live) && kr_rand(&self->m) % 3) {
				pages = live[nr_live];
				nr = faults_page_array(&self->m, pages, &runs);
				if (!nr)
					continue;
				/*
				 * Two tags: windows of one tag can become
				 * leaves, windows of both stay ranges whose
				 * splits need memory.
				 */
				tag = 0x77 + kr_rand(&self->m) % 2;
				got = kho_ranges_preserve_page_array(&self->kr,
								     pages, nr,
								     tag);
				self->calls++;
				if (got) {
					ASSERT_EQ(-ENOMEM, got);
					self->enomem++;
				} else {
					for (j = 0; j < nr; j++)
						kr_model_preserve(&self->m,
								  page_to_pfn(pages[j]) -
								  self->m.base, 1,
								  KR_TAG(tag), true);
					live_nr[nr_live++] = nr;
				}
				ASSERT_MATCHES_MODEL(self, "preserve_page_array");
				continue;
			}
			if (!nr_live)
				continue;

			/* unpreserve a random live area */
			i = kr_rand(&self->m) % nr_live;
			pages = live[i];
			nr = live_nr[i];
			got = kho_ranges_unpreserve_page_array(&self->kr, pages, nr);
			self->calls++;
			if (got) {
				ASSERT_EQ(-ENOMEM, got);
				unpreserve_enomem++;
				/* a prefix of pages is gone, the rest is still there */
				for (j = 0; j < nr; j++)
					if (kho_ranges_find_overlap(&self->kr,
								    page_to_phys(pages[j]),
								    page_to_phys(pages[j]),
								    NULL, NULL))
						break;
				for (; j < nr; j++)
					ASSERT_TRUE(kho_ranges_find_overlap(&self->kr,
									    page_to_phys(pages[j]),
									    page_to_phys(pages[j]),
									    NULL, NULL));
				/* and retrying without faults finishes it */
				faults_arm(0);
				for (j = 0; j < nr; j++)
					if (kho_ranges_find_overlap(&self->kr,
								    page_to_phys(pages[j]),
								    page_to_phys(pages[j]),
								    NULL, NULL))
						break;
				ASSERT_EQ(0, kho_ranges_unpreserve_page_array(&self->kr,
									      pages + j,
									      nr - j));
			}
			for (j = 0; j < nr; j++)
				kr_model_unpreserve(&self->m,
						    page_to_pfn(pages[j]) - self->m.base,
						    1, true);
			ASSERT_MATCHES_MODEL(self, "unpreserve_page_array");
			live_nr[i] = live_nr[--nr_live];
			memcpy(live[i], live[nr_live], sizeof(live[i]));
		}
	}
	ASSERT_LT(0, self->enomem);
	ASSERT_LT(0, unpreserve_enomem);
	TH_LOG("slab_every 1..%d: %lu page-array calls, %lu preserves and %lu unpreserves failed with -ENOMEM, 0 inconsistencies",
	       FAULTS_MAX_EVERY, self->calls, self->enomem, unpreserve_enomem);
}

/* a tracker with some of everything, and its model */
static void faults_fill(struct __test_metadata *_metadata,
			struct kho_ranges *kr, struct kr_model *m)
{
	unsigned long n;

	faults_arm(0);
	for (n = 0; n < 2000; n++) {
		struct kr_model_op op = kr_model_random_op(m);

		if (op.preserve &&
		    !kr_model_preserve(m, op.off, op.nr, op.info, true))
			ASSERT_EQ(0, kho_ranges_preserve(kr, m->base + op.off,
							 op.nr, op.info));
	}
	ASSERT_EQ(NULL, kr_model_compare(m, kr));
}

/* the tracker is exactly @before, counters included */
#define ASSERT_UNCHANGED(kr, before, what) do {				\
	struct kr_ranges __now = kr_collect(kr);			\
									\
	ASSERT_TRUE(kr_ranges_equal(before, &__now)) {			\
		TH_LOG("%s, slab_every %lu", what,			\
		       kho_sim_faults.slab_every);			\
	}								\
	kr_ranges_free(&__now);						\
	ASSERT_EQ(NULL, kr_check_invariants(kr));			\
} while (0)

/*
 * Serialization preserves the blob's and the FDT's own pages, which needs
 * tree nodes only when their leaf is full. The blob comes from the start
 * of the pool; each round adds one isolated range a little above it, each
 * lower than the last, so that they all go into the leaf the blob lands in
 * and over the rounds that leaf goes through every fill level. Whichever allocation fails, the tracker must come back exactly as it
 * was, every page given back, and a retry must work; when it succeeds, the
 * blob must deserialize and abort must restore the tracker, even with the
 * faults still armed (its unpreserves cannot fail).
 */
TEST_F(faults, serialize_failure_leaves_tracker_intact)
{
	unsigned long every, round, pool, ok = 0, failed = 0;
	const unsigned long above = PHYS_PFN(kho_sim.pool_base) + 512;
	struct kho_ranges_incoming in;
	struct kr_ranges before;

	faults_fill(_metadata, &self->kr, &self->m);
	pool = kho_sim_pages_in_use();

	for (round = 0; round < FAULTS_ROUNDS; round++) {
		int ret;

		faults_arm(0);
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, above + 2 * (FAULTS_ROUNDS - round),
						 1, KR_TAG(9)));
		before = kr_collect(&self->kr);
		/*
		 * A serialization makes no allocation or three (one GFP_NOWAIT
		 * attempt the harness's slab always refuses, then the nodes):
		 * alternate the sweep of slab_every with failing exactly the
		 * second or the third.
		 */
		every = 1 + round / 2 % FAULTS_MAX_EVERY;
		if (round % 2)
			faults_arm_nth(2 + round / 2 % 2);
		else
			faults_arm(every);
		ret = kho_ranges_serialize(&self->kr);
		if (ret) {
			ASSERT_EQ(-ENOMEM, ret);
			ASSERT_FALSE(self->kr.finalized);
			ASSERT_EQ(pool, kho_sim_pages_in_use());
			ASSERT_EQ(0, self->kr.blob_phys);
			ASSERT_UNCHANGED(&self->kr, &before, "failed serialize");
			kr_ranges_free(&before);
			failed++;
			continue;
		}
		ok++;
		ASSERT_TRUE(self->kr.finalized);
		/* preserving is refused while frozen, faults or not */
		ASSERT_EQ(-EBUSY, kho_ranges_preserve(&self->kr, kr_pfn(0), 1,
						      KR_PLAIN));
		kho_sim_boot(true);
		ASSERT_EQ(0, kho_ranges_deserialize(&in, self->kr.fdt_phys,
						    self->kr.fdt_size,
						    KHO_RANGES_RESERVE_DESCENDING));
		ASSERT_EQ(NULL, kr_check_reserved(&in));
		ASSERT_EQ(self->kr.nr_pages, in.nr_pages);
		kho_ranges_abort(&self->kr);
		ASSERT_EQ(pool, kho_sim_pages_in_use());
		ASSERT_UNCHANGED(&self->kr, &before, "abort");
		kr_ranges_free(&before);
	}

	/* the page allocator failing instead: same promise */
	before = kr_collect(&self->kr);
	faults_arm(0);
	kho_sim_faults.fail_pages = true;
	ASSERT_EQ(-ENOMEM, kho_ranges_serialize(&self->kr));
	ASSERT_EQ(pool, kho_sim_pages_in_use());
	ASSERT_UNCHANGED(&self->kr, &before, "serialize without pages");
	kr_ranges_free(&before);
	failed++;

	/* and after all that, a retry with nothing failing works */
	faults_arm(0);
	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	kho_ranges_abort(&self->kr);
	/*
	 * With run lists the blob and the FDT often join a leaf and need no
	 * slab object at all, so only the page allocator's failure is sure
	 * to happen; every round that did fail was checked above.
	 */
	ASSERT_LT(0, ok);
	ASSERT_LT(0, failed);
	TH_LOG("%lu serializations under faults: %lu failed cleanly with -ENOMEM, %lu succeeded and aborted cleanly",
	       ok + failed, failed, ok);
}

/*
 * The single-folio entry points go through the same store: toggle folios
 * of a long run of equal folios, splitting it and joining it again, with
 * every slab_every.
 */
TEST_F(faults, folio_toggle_all_or_nothing)
{
	u32 info = KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO, 5);
	unsigned long every, n, i, calls = 0, enomem = 0;

	for (i = 0; i < 512; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, self->m.base + 4 * i,
						 4, info));
	kr_model_preserve(&self->m, 0, 2048, info, true);

	for (every = 1; every <= FAULTS_MAX_EVERY; every++) {
		faults_arm(every);
		for (n = 0; n < 64; n++) {
			struct folio *f;
			int ret;

			i = kr_rand(&self->m) % 512;
			f = (struct folio *)pfn_to_page(self->m.base + 4 * i);
			f->page.compound_order = 2;
			if (kr_model_used(&self->m, 4 * i))
				ret = kho_ranges_unpreserve_folio(&self->kr, f);
			else
				ret = kho_ranges_preserve_folio(&self->kr, f, 5);
			calls++;
			if (ret == -ENOMEM) {
				enomem++;
			} else {
				ASSERT_EQ(0, ret);
				if (kr_model_used(&self->m, 4 * i))
					kr_model_unpreserve(&self->m, 4 * i, 4,
							    true);
				else
					kr_model_preserve(&self->m, 4 * i, 4,
							  info, true);
			}
			ASSERT_MATCHES_MODEL(self, "folio");
		}
	}
	ASSERT_LT(0, enomem);
	TH_LOG("slab_every 1..%d: %lu folio calls, %lu -ENOMEM, 0 inconsistencies",
	       FAULTS_MAX_EVERY, calls, enomem);
}

/* one call checked against the model: -ENOMEM only where it would succeed */
static int faults_one(struct __test_metadata *_metadata,
		      struct _test_data_faults *self, bool preserve,
		      unsigned long off, unsigned long nr, u32 info)
{
	unsigned long pfn = self->m.base + off;
	int want, got;

	if (preserve) {
		want = kr_model_preserve(&self->m, off, nr, info, false);
		got = kho_ranges_preserve(&self->kr, pfn, nr, info);
	} else {
		want = kr_model_unpreserve(&self->m, off, nr, false);
		got = kho_ranges_unpreserve(&self->kr, pfn, nr);
	}
	/* -ENOMEM stands for success that could not be had */
	EXPECT_EQ(want, got == -ENOMEM ? 0 : got);
	if (!got && preserve)
		kr_model_preserve(&self->m, off, nr, info, true);
	else if (!got)
		kr_model_unpreserve(&self->m, off, nr, true);
	return got;
}

/*
 * Runs of ascending pages grow the hint range without a store; the next
 * other call stores the tail first. Whatever that call is, a failed store
 * of the tail loses nothing and reports what the call would have: -EEXIST
 * or -ENOENT when the call is wrong, -ENOMEM only when it is right.
 */
TEST_F(faults, grown_tail_all_or_nothing)
{
	unsigned long every, n, i, calls = 0, enomem = 0;

	for (every = 1; every <= FAULTS_MAX_EVERY; every++) {
		faults_arm(every);
		for (n = 0; n < 32; n++) {
			struct kr_model_op op = kr_model_random_op(&self->m);
			unsigned long k = 2 + kr_rand(&self->m) % 15;
			int ret;

			for (i = 0; i < k; i++) {
				ret = faults_one(_metadata, self, true,
						 op.off + i, 1, KR_PLAIN);
				calls++;
				enomem += ret == -ENOMEM;
				ASSERT_MATCHES_MODEL(self, "ascending page");
			}
			/* the same op again: a call against the tail */
			ret = faults_one(_metadata, self, op.preserve, op.off,
					 op.nr, op.info);
			calls++;
			enomem += ret == -ENOMEM;
			ASSERT_MATCHES_MODEL(self, "after a tail");
		}
	}
	ASSERT_LT(0, enomem);
	TH_LOG("slab_every 1..%d: %lu calls, %lu -ENOMEM, 0 inconsistencies",
	       FAULTS_MAX_EVERY, calls, enomem);
}

/*
 * The same against a big tree, where storing a tail may need nodes: a tail
 * at every place in its leaf node. A call against the tail is -EEXIST even
 * when the tail cannot be stored; a good call then fails with -ENOMEM and
 * changes nothing, or succeeds.
 */
TEST_F(faults, tail_store_failure_keeps_the_errors)
{
	unsigned long j, failed = 0;
	struct kr_ranges rs;

	for (j = 0; j < 1000; j++)
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, self->m.base + 8 * j,
						 1, KR_TAG(1)));
	for (j = 0; j < 1000; j += 3) {
		unsigned long pfn = self->m.base + 8 * j + 2;
		int ret;

		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, pfn, 1, KR_PLAIN));
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, pfn + 1, 1,
						 KR_PLAIN));
		faults_arm(1);
		EXPECT_EQ(-EEXIST, kho_ranges_preserve(&self->kr, pfn + 1, 1,
						       KR_TAG(2)));
		EXPECT_EQ(-ENOENT, kho_ranges_unpreserve(&self->kr, pfn, 3));
		ret = kho_ranges_preserve(&self->kr, pfn + 4, 1, KR_TAG(2));
		memset(&kho_sim_faults, 0, sizeof(kho_sim_faults));
		if (ret == -ENOMEM) {
			failed++;
			ASSERT_EQ(0, kho_ranges_preserve(&self->kr, pfn + 4, 1,
							 KR_TAG(2)));
		} else {
			ASSERT_EQ(0, ret);
		}
		ASSERT_EQ(NULL, kr_check_invariants(&self->kr));
	}
	rs = kr_collect(&self->kr);
	EXPECT_EQ(1000 + 2 * 334, rs.nr);
	EXPECT_EQ(1000 + 3 * 334, self->kr.nr_pages);
	kr_ranges_free(&rs);
	/* some of the tails could not be stored */
	ASSERT_LT(0, failed);
	TH_LOG("%lu of 334 tails could not be stored with every allocation failing",
	       failed);
}

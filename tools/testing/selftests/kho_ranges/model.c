// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized model test: thousands of preserve/unpreserve operations, each
 * result and the whole tree compared with kr_model.h after every step.
 */
#include "kselftest_harness.h"
#include "kr_model.h"

#define MODEL_OPS	20000

FIXTURE(model) {
	struct kho_ranges kr;
	struct kr_model m;
};

FIXTURE_SETUP(model)
{
	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&self->kr);
}

FIXTURE_TEARDOWN(model)
{
	kho_ranges_destroy(&self->kr);
	kho_sim_exit();
}

static void run_model_mode(struct __test_metadata *_metadata,
			   struct kho_ranges *kr, struct kr_model *m, u64 seed,
			   bool leafy, bool sparse)
{
	unsigned long n, ok = 0, leaves = 0, dissolved = 0, prev = 0;
	unsigned long runs = 0, bitmaps = 0;

	kr_model_init(m, kr_pfn(1UL << 16), seed);
	m->leafy = leafy;
	m->sparse = sparse;
	for (n = 0; n < MODEL_OPS; n++) {
		struct kr_model_op op = kr_model_random_op(m);
		int want, got;

		/* unpreserve mostly what exists, so splits really happen */
		if (op.preserve) {
			want = kr_model_preserve(m, op.off, op.nr, op.info, true);
			got = kho_ranges_preserve(kr, m->base + op.off,
						  op.nr, op.info);
		} else {
			want = kr_model_unpreserve(m, op.off, op.nr, true);
			got = kho_ranges_unpreserve(kr, m->base + op.off,
						    op.nr);
		}
		ASSERT_EQ(want, got) {
			TH_LOG("seed %llu op %lu: %s off %lu nr %lu info %#x",
			       (unsigned long long)seed, n,
			       op.preserve ? "preserve" : "unpreserve",
			       op.off, op.nr, op.info);
		}
		ok += !got;
		ASSERT_EQ(NULL, kr_model_compare(m, kr)) {
			TH_LOG("seed %llu after op %lu", (unsigned long long)seed, n);
		}
		leaves = max(leaves, kr->nr_leaves);
		dissolved += kr->nr_leaves < prev;
		prev = kr->nr_leaves;
		runs = max(runs, kr->leaf_runs);
		bitmaps = max(bitmaps, kr->nr_bitmap_leaves);
	}
	ASSERT_EQ(NULL, kr_check_invariants(kr));
	/* the ops must have done something, not bounced off errors */
	ASSERT_LT(MODEL_OPS / 10, ok);
	/* leafy: windows became leaves, and leaves went back to ranges */
	if (leafy) {
		ASSERT_LT(0, leaves);
		ASSERT_LT(0, dissolved);
	}
	/* sparse: run lists of many runs, and at times a bitmap */
	if (sparse)
		ASSERT_LT(20, runs);
	if (sparse && leafy)
		ASSERT_LT(0, bitmaps);
	TH_LOG("seed %llu: %d ops, %lu succeeded, %lu ranges and %lu leaves at the end, up to %lu leaves (%lu runs, %lu bitmaps), %lu times fewer",
	       (unsigned long long)seed, MODEL_OPS, ok, kr->nr_ranges,
	       kr->nr_leaves, leaves, runs, bitmaps, dissolved);
}

static void run_model(struct __test_metadata *_metadata,
		      struct kho_ranges *kr, struct kr_model *m, u64 seed,
		      bool leafy)
{
	run_model_mode(_metadata, kr, m, seed, leafy, false);
}

TEST_F(model, random_ops_seed_1)
{
	run_model(_metadata, &self->kr, &self->m, 1, false);
}

TEST_F(model, random_ops_seed_2)
{
	run_model(_metadata, &self->kr, &self->m, 0xdeadbeef, false);
}

TEST_F(model, random_ops_seed_3)
{
	run_model(_metadata, &self->kr, &self->m, 20261123, false);
}

/* windows that become leaves and go back to ranges, against the model */
TEST_F(model, random_ops_leaves_seed_1)
{
	run_model(_metadata, &self->kr, &self->m, 11, true);
}

TEST_F(model, random_ops_leaves_seed_2)
{
	run_model(_metadata, &self->kr, &self->m, 0xfeedface, true);
}

/* run lists: runs added, merged, cut and split, and grown into bitmaps */
TEST_F(model, random_ops_run_lists_seed_1)
{
	run_model_mode(_metadata, &self->kr, &self->m, 5, true, true);
}

TEST_F(model, random_ops_run_lists_seed_2)
{
	run_model_mode(_metadata, &self->kr, &self->m, 0xabcdef, true, true);
}

/* run lists of many info words: runs of every order side by side */
TEST_F(model, random_ops_mixed_run_lists_seed_1)
{
	run_model_mode(_metadata, &self->kr, &self->m, 21, false, true);
}

TEST_F(model, random_ops_mixed_run_lists_seed_2)
{
	run_model_mode(_metadata, &self->kr, &self->m, 0x5eed5, false, true);
}

/* the model's final state survives a round trip through the blob */
static void model_round_trip(struct __test_metadata *_metadata,
			     struct _test_data_model *self, bool leafy)
{
	struct kho_ranges_incoming in;
	unsigned long i;

	run_model(_metadata, &self->kr, &self->m, 77, leafy);
	ASSERT_EQ(0, kr_kexec(&self->kr, &in, true, KHO_RANGES_RESERVE_ASCENDING));
	ASSERT_EQ(NULL, kr_check_reserved(&in));
	for (i = 0; i < KR_MODEL_PAGES; i++) {
		u32 info;
		int ret = kho_ranges_lookup(&in, PFN_PHYS(self->m.base + i),
					    NULL, NULL, &info);

		if (kr_model_used(&self->m, i)) {
			ASSERT_EQ(0, ret);
			ASSERT_EQ(self->m.info[i] - 1, info);
		} else {
			ASSERT_EQ(-ENOENT, ret);
		}
	}
	if (leafy)
		ASSERT_LT(0, in.nr_bitmaps);
}

TEST_F(model, random_ops_then_round_trip)
{
	model_round_trip(_metadata, self, false);
}

/* ... with leaves, which the blob carries as bitmap records */
TEST_F(model, random_ops_with_leaves_then_round_trip)
{
	model_round_trip(_metadata, self, true);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * memblock_reserve_bulk() (patches/memblock/0030-*.patch) against the real
 * mm/memblock.c: the pictures it must draw, the equivalence with one
 * memblock_reserve() + memblock_reserved_mark_noinit() per range, the
 * input it must refuse, and KHO_RANGES_RESERVE_BULK on a real blob.
 *
 * Pictures use one character per page of simulated RAM: '-' not
 * reserved, 'r' reserved, 'N' reserved with MEMBLOCK_RSRV_NOINIT; the
 * line "ranges" shows what is passed in.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "kr_test.h"

/* where memblock.reserved lives during a test, so that it never grows */
#define MBB_ROOM_PAGES		256

#define MBB_PG(n)		(kho_sim.ram_base + (phys_addr_t)(n) * PAGE_SIZE)

struct mbb_range {
	phys_addr_t base;
	phys_addr_t size;
};

/* the ranges handed to memblock_reserve_bulk(), and how @fill was called */
struct mbb_list {
	const struct mbb_range *r;
	unsigned long nr;
	unsigned long calls;		/* ranges asked for, all passes */
	unsigned long batches;		/* calls of @fill */
	unsigned long next;
	bool out_of_order;
};

static void mbb_fill(void *arg, unsigned long idx,
		     struct memblock_bulk_range *out, unsigned int n)
{
	struct mbb_list *l = arg;
	unsigned int i;

	/*
	 * The contract: each call asks for the ranges right after the last
	 * call's, a new pass restarts at 0, never past @nr, and never none
	 * or more than a batch.
	 */
	if ((idx && idx != l->next) || !n || n > MEMBLOCK_BULK_BATCH ||
	    idx + n > l->nr)
		l->out_of_order = true;
	l->next = idx + n;
	l->calls += n;
	l->batches++;
	for (i = 0; i < n && idx + i < l->nr; i++) {
		out[i].base = l->r[idx + i].base;
		out[i].size = l->r[idx + i].size;
	}
}

static int mbb_bulk(const struct mbb_range *r, unsigned long nr,
		    struct mbb_list *l)
{
	*l = (struct mbb_list){ .r = r, .nr = nr };
	return memblock_reserve_bulk(nr, mbb_fill, l, MEMBLOCK_RSRV_NOINIT);
}

/* the same ranges the old way, one pair of memblock calls each */
static int mbb_one_by_one(const struct mbb_range *r, unsigned long nr)
{
	unsigned long i;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		ret = memblock_reserve(r[i].base, r[i].size);
		if (!ret)
			ret = memblock_reserved_mark_noinit(r[i].base,
							    r[i].size);
	}
	return ret;
}

struct mbb_snap {
	unsigned long cnt;
	phys_addr_t total;
	struct memblock_region *r;
};

static void mbb_snap_take(struct mbb_snap *s)
{
	s->cnt = memblock.reserved.cnt;
	s->total = memblock.reserved.total_size;
	s->r = malloc((s->cnt + 1) * sizeof(*s->r));
	memcpy(s->r, memblock.reserved.regions, s->cnt * sizeof(*s->r));
}

static bool mbb_snap_equal(const struct mbb_snap *a, const struct mbb_snap *b)
{
	unsigned long i;

	if (a->cnt != b->cnt || a->total != b->total)
		return false;
	for (i = 0; i < a->cnt; i++)
		if (a->r[i].base != b->r[i].base ||
		    a->r[i].size != b->r[i].size ||
		    a->r[i].flags != b->r[i].flags)
			return false;
	return true;
}

/* memblock.reserved is sorted, disjoint, merged, and adds up */
static const char *mbb_check_reserved(void)
{
	struct memblock_type *t = &memblock.reserved;
	phys_addr_t total = 0;
	unsigned long i;

	for (i = 0; i < t->cnt; i++) {
		struct memblock_region *r = &t->regions[i];

		if (!r->size)
			return "empty region";
		total += r->size;
		if (!i)
			continue;
		if (r[-1].base + r[-1].size > r->base)
			return "regions overlap or are unsorted";
		if (r[-1].base + r[-1].size == r->base &&
		    r[-1].flags == r->flags)
			return "touching regions with equal flags not merged";
	}
	if (total != t->total_size)
		return "total_size does not add up";
	/*
	 * Slots past cnt may hold anything: memblock never reads them, and
	 * memblock_remove_region() leaves one stale itself.
	 */
	return NULL;
}

/* the region of memblock.reserved that holds @phys, or NULL */
static struct memblock_region *mbb_region_at(phys_addr_t phys)
{
	struct memblock_type *t = &memblock.reserved;
	unsigned long i;

	for (i = 0; i < t->cnt; i++)
		if (phys >= t->regions[i].base &&
		    phys - t->regions[i].base < t->regions[i].size)
			return &t->regions[i];
	return NULL;
}

/*
 * A fresh next kernel whose memblock.reserved already moved into a room of
 * its own at the start of the pool, as the kho_ranges spare room does:
 * then neither way of reserving grows the array, and their results can be
 * compared region for region.
 */
FIXTURE(memblock_bulk) {
	struct mbb_list l;
};

static void mbb_boot(struct __test_metadata *_metadata)
{
	phys_addr_t room = kho_sim.pool_base;

	kho_sim_boot(true);
	ASSERT_EQ(0, memblock_reserve(room, MBB_ROOM_PAGES * PAGE_SIZE));
	ASSERT_EQ(0, memblock_reserved_move(room, MBB_ROOM_PAGES * PAGE_SIZE));
}

FIXTURE_SETUP(memblock_bulk)
{
	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	mbb_boot(_metadata);
}

FIXTURE_TEARDOWN(memblock_bulk)
{
	EXPECT_EQ(NULL, mbb_check_reserved());
	EXPECT_FALSE(self->l.out_of_order);
	kho_sim_exit();
}

#define ASSERT_REGION(i, first, pages, fl) do {				\
	struct memblock_region *__r = &memblock.reserved.regions[i];	\
	ASSERT_EQ(MBB_PG(first), __r->base);				\
	ASSERT_EQ((phys_addr_t)(pages) * PAGE_SIZE, __r->size);		\
	ASSERT_EQ((fl), __r->flags);					\
} while (0)

/*
 *   before   ----------------------------
 *   ranges   --AA--BBCC------DD----------
 *   after    --NN--NNNN------NN----------
 *
 * Touching ranges become one region; one call, one pass over the ranges
 * (memblock.reserved holds few regions: they are merged from a copy).
 */
TEST_F(memblock_bulk, ranges_into_empty_reserved)
{
	const struct mbb_range r[] = {
		{ MBB_PG(2), 2 * PAGE_SIZE }, { MBB_PG(6), 2 * PAGE_SIZE },
		{ MBB_PG(8), 2 * PAGE_SIZE }, { MBB_PG(16), 2 * PAGE_SIZE },
	};
	struct memblock_region *room = memblock.reserved.regions;

	ASSERT_EQ(0, mbb_bulk(r, ARRAY_SIZE(r), &self->l));
	ASSERT_EQ(ARRAY_SIZE(r), self->l.calls);
	/* the room memblock.reserved lives in, then the ranges */
	ASSERT_EQ(4, memblock.reserved.cnt);
	ASSERT_REGION(0, 2, 2, MEMBLOCK_RSRV_NOINIT);
	ASSERT_REGION(1, 6, 4, MEMBLOCK_RSRV_NOINIT);
	ASSERT_REGION(2, 16, 2, MEMBLOCK_RSRV_NOINIT);
	ASSERT_EQ(kho_sim.pool_base, memblock.reserved.regions[3].base);
	ASSERT_EQ(room, memblock.reserved.regions);
	ASSERT_EQ((8 + MBB_ROOM_PAGES) * PAGE_SIZE,
		  memblock.reserved.total_size);
}

/*
 *   before   ----rrrrrrrrrr--------------
 *   ranges   -AAAAAA--BBBBBBBBBB---------
 *   after    -NNNNNNrrNNNNNNNNNN---------
 *
 * A region reserved before keeps what no range covers and gains the flag
 * where one does, as reserving then marking each range would leave it.
 */
TEST_F(memblock_bulk, overlap_with_reserved_region_gains_flag)
{
	const struct mbb_range r[] = {
		{ MBB_PG(1), 6 * PAGE_SIZE }, { MBB_PG(9), 10 * PAGE_SIZE },
	};
	struct mbb_snap want, got;

	ASSERT_EQ(0, memblock_reserve(MBB_PG(4), 10 * PAGE_SIZE));
	ASSERT_EQ(0, mbb_one_by_one(r, ARRAY_SIZE(r)));
	mbb_snap_take(&want);

	mbb_boot(_metadata);
	ASSERT_EQ(0, memblock_reserve(MBB_PG(4), 10 * PAGE_SIZE));
	ASSERT_EQ(0, mbb_bulk(r, ARRAY_SIZE(r), &self->l));
	ASSERT_REGION(0, 1, 6, MEMBLOCK_RSRV_NOINIT);
	ASSERT_REGION(1, 7, 2, 0);
	ASSERT_REGION(2, 9, 10, MEMBLOCK_RSRV_NOINIT);
	mbb_snap_take(&got);
	ASSERT_TRUE(mbb_snap_equal(&want, &got));
	free(want.r);
	free(got.r);
}

/*
 *   before   --rrrrrrrrrrrrrrrrrr--------
 *   ranges   ------AAAA------------------
 *   after    --rrrrNNNNrrrrrrrrrr--------
 *
 * A range inside a reserved region splits it in three.
 */
TEST_F(memblock_bulk, range_inside_reserved_region_splits_it)
{
	const struct mbb_range r[] = { { MBB_PG(6), 4 * PAGE_SIZE } };
	phys_addr_t total;

	ASSERT_EQ(0, memblock_reserve(MBB_PG(2), 18 * PAGE_SIZE));
	total = memblock.reserved.total_size;
	ASSERT_EQ(0, mbb_bulk(r, ARRAY_SIZE(r), &self->l));
	ASSERT_REGION(0, 2, 4, 0);
	ASSERT_REGION(1, 6, 4, MEMBLOCK_RSRV_NOINIT);
	ASSERT_REGION(2, 10, 10, 0);
	/* nothing new is reserved: the bytes were reserved already */
	ASSERT_EQ(total, memblock.reserved.total_size);
}

/*
 *   before   NNNN----NNNN--rrrr----------
 *   ranges   ----AAAA------BBBBCC--------
 *   after    NNNNNNNNNNNN--NNNNNN--------
 *
 * A range that fills the gap between two noinit regions merges all three;
 * a range that covers a plain region exactly turns it noinit, and merges
 * with the next range.
 */
TEST_F(memblock_bulk, ranges_merge_with_neighbours)
{
	const struct mbb_range r[] = {
		{ MBB_PG(4), 4 * PAGE_SIZE }, { MBB_PG(14), 4 * PAGE_SIZE },
		{ MBB_PG(18), 2 * PAGE_SIZE },
	};

	ASSERT_EQ(0, memblock_reserve(MBB_PG(0), 4 * PAGE_SIZE));
	ASSERT_EQ(0, memblock_reserved_mark_noinit(MBB_PG(0), 4 * PAGE_SIZE));
	ASSERT_EQ(0, memblock_reserve(MBB_PG(8), 4 * PAGE_SIZE));
	ASSERT_EQ(0, memblock_reserved_mark_noinit(MBB_PG(8), 4 * PAGE_SIZE));
	ASSERT_EQ(0, memblock_reserve(MBB_PG(14), 4 * PAGE_SIZE));
	ASSERT_EQ(4, memblock.reserved.cnt);

	ASSERT_EQ(0, mbb_bulk(r, ARRAY_SIZE(r), &self->l));
	ASSERT_EQ(3, memblock.reserved.cnt);
	ASSERT_REGION(0, 0, 12, MEMBLOCK_RSRV_NOINIT);
	ASSERT_REGION(1, 14, 6, MEMBLOCK_RSRV_NOINIT);
}

/*
 * Unsorted and overlapping input is refused before anything changes:
 *
 *   ranges   ----BBBB--AAAA----   (B given first)
 *   ranges   ----AAAAAA--------
 *            -------BBBBB------
 */
TEST_F(memblock_bulk, unsorted_or_overlapping_ranges_are_refused)
{
	const struct mbb_range unsorted[] = {
		{ MBB_PG(10), 4 * PAGE_SIZE }, { MBB_PG(4), 4 * PAGE_SIZE },
	};
	const struct mbb_range overlapping[] = {
		{ MBB_PG(4), 6 * PAGE_SIZE }, { MBB_PG(7), 5 * PAGE_SIZE },
	};
	struct mbb_snap before, after;

	ASSERT_EQ(0, memblock_reserve(MBB_PG(40), PAGE_SIZE));
	mbb_snap_take(&before);
	ASSERT_EQ(-EINVAL, mbb_bulk(unsorted, ARRAY_SIZE(unsorted), &self->l));
	ASSERT_EQ(-EINVAL, mbb_bulk(overlapping, ARRAY_SIZE(overlapping),
				    &self->l));
	mbb_snap_take(&after);
	ASSERT_TRUE(mbb_snap_equal(&before, &after));
	free(before.r);
	free(after.r);
}

/* empty ranges, and no ranges at all, change nothing */
TEST_F(memblock_bulk, empty_ranges_are_skipped)
{
	const struct mbb_range r[] = {
		{ MBB_PG(3), 0 }, { MBB_PG(4), PAGE_SIZE }, { MBB_PG(1), 0 },
		{ MBB_PG(5), PAGE_SIZE },
	};
	unsigned long cnt = memblock.reserved.cnt;

	ASSERT_EQ(0, mbb_bulk(r, 0, &self->l));
	ASSERT_EQ(cnt, memblock.reserved.cnt);
	ASSERT_EQ(0, mbb_bulk(r, ARRAY_SIZE(r), &self->l));
	ASSERT_EQ(cnt + 1, memblock.reserved.cnt);
	ASSERT_REGION(0, 4, 2, MEMBLOCK_RSRV_NOINIT);
}

static unsigned long mbb_rand(unsigned long *state)
{
	*state = *state * 6364136223846793005UL + 1442695040888963407UL;
	return *state >> 33;
}

/*
 * Random pictures: up to 60 plain regions reserved before, up to 2000
 * sorted ranges, some touching each other, many overlapping the regions in
 * every way. The bulk call must leave memblock.reserved exactly as one
 * memblock_reserve() + memblock_reserved_mark_noinit() per range does.
 */
TEST_F(memblock_bulk, same_result_as_one_call_per_range)
{
	unsigned long seed, state, i, nr, nr_old;
	struct mbb_range *r = malloc(2000 * sizeof(*r));
	struct mbb_range old[60];
	struct mbb_snap want, got;

	ASSERT_NE(NULL, r);
	for (seed = 1; seed <= 40; seed++) {
		unsigned long pos;

		state = seed;
		pos = mbb_rand(&state) % 8;
		nr_old = mbb_rand(&state) % ARRAY_SIZE(old);
		for (i = 0; i < nr_old; i++)
			old[i] = (struct mbb_range){
				MBB_PG(mbb_rand(&state) % 20000),
				(1 + mbb_rand(&state) % 64) * PAGE_SIZE };
		nr = 1 + mbb_rand(&state) % 2000;
		for (i = 0; i < nr; i++) {
			unsigned long gap = mbb_rand(&state) % 3 ?
				mbb_rand(&state) % 16 : 0;
			unsigned long len = 1 + mbb_rand(&state) % 8;

			r[i] = (struct mbb_range){ MBB_PG(pos + gap),
						   len * PAGE_SIZE };
			pos += gap + len;
		}

		mbb_boot(_metadata);
		for (i = 0; i < nr_old; i++)
			ASSERT_EQ(0, memblock_reserve(old[i].base, old[i].size));
		ASSERT_EQ(0, mbb_one_by_one(r, nr));
		mbb_snap_take(&want);

		mbb_boot(_metadata);
		for (i = 0; i < nr_old; i++)
			ASSERT_EQ(0, memblock_reserve(old[i].base, old[i].size));
		ASSERT_EQ(0, mbb_bulk(r, nr, &self->l));
		ASSERT_EQ(NULL, mbb_check_reserved());
		mbb_snap_take(&got);
		if (!mbb_snap_equal(&want, &got))
			TH_LOG("seed %lu: %lu regions one by one, %lu in bulk",
			       seed, want.cnt, got.cnt);
		ASSERT_TRUE(mbb_snap_equal(&want, &got));
		free(want.r);
		free(got.r);
	}
	free(r);
}

/*
 * The ranges come to memblock in batches of MEMBLOCK_BULK_BATCH: lists of
 * every length around multiples of it, with touching ranges, gaps and
 * empty ranges on both sides of every batch boundary, and old regions
 * between them. Nothing may be lost at a boundary, nothing merged that
 * does not touch: the result is the one of one call per range, and in
 * one pass (few old regions) @fill is asked once per batch, in order.
 * Ranges i with i % 4 < 2 touch the next one; an empty range ends every
 * even batch and starts every odd one.
 */
TEST_F(memblock_bulk, batches_of_any_length_lose_and_merge_nothing)
{
	const unsigned long lens[] = {
		1, 2, 31, 32, 33, 63, 64, 65, 95, 96, 97, 500,
	};
	struct mbb_range r[500];
	struct mbb_snap want, got;
	unsigned int l;

	for (l = 0; l < ARRAY_SIZE(lens); l++) {
		unsigned long nr = lens[l], i, pos = 0;

		for (i = 0; i < nr; i++) {
			unsigned long len = 1 + i % 3;
			bool odd = (i / MEMBLOCK_BULK_BATCH) % 2;

			/* an empty one last in even batches, first in odd ones */
			if ((!odd && i % MEMBLOCK_BULK_BATCH ==
				     MEMBLOCK_BULK_BATCH - 1) ||
			    (odd && i % MEMBLOCK_BULK_BATCH == 0))
				len = 0;
			r[i] = (struct mbb_range){ MBB_PG(pos), len * PAGE_SIZE };
			pos += len + (i % 4 < 2 ? 0 : 1 + i % 5);
		}

		mbb_boot(_metadata);
		ASSERT_EQ(0, memblock_reserve(MBB_PG(pos / 2), 3 * PAGE_SIZE));
		ASSERT_EQ(0, memblock_reserve(MBB_PG(pos + 7), PAGE_SIZE));
		ASSERT_EQ(0, mbb_one_by_one(r, nr));
		mbb_snap_take(&want);

		mbb_boot(_metadata);
		ASSERT_EQ(0, memblock_reserve(MBB_PG(pos / 2), 3 * PAGE_SIZE));
		ASSERT_EQ(0, memblock_reserve(MBB_PG(pos + 7), PAGE_SIZE));
		ASSERT_EQ(0, mbb_bulk(r, nr, &self->l));
		ASSERT_FALSE(self->l.out_of_order);
		ASSERT_EQ(nr, self->l.calls);
		ASSERT_EQ(DIV_ROUND_UP(nr, MEMBLOCK_BULK_BATCH),
			  self->l.batches);
		mbb_snap_take(&got);
		ASSERT_TRUE(mbb_snap_equal(&want, &got)) {
			TH_LOG("%lu ranges: %lu regions one by one, %lu in bulk",
			       nr, want.cnt, got.cnt);
		}
		free(want.r);
		free(got.r);
	}
}

/*
 *   before   ----------------------rr--|   (| the end of the address space)
 *   ranges   AA--BBBBBBBBBBBBBBBBBBBBBBBBBBB...   (B reaches past it)
 *   after    NN--NNNNNNNNNNNNNNNNNNNNNNNNNN|
 *
 * A range that runs past the end of the address space ends there, as
 * memblock_reserve() caps it, whether its end wraps around to a low
 * address or to 0; the region it overlaps gains the flag.
 */
TEST_F(memblock_bulk, range_past_the_end_of_the_address_space_is_capped)
{
	const phys_addr_t top = PHYS_ADDR_MAX - 8 * PAGE_SIZE + 1;
	const struct mbb_range wrap[] = {
		{ MBB_PG(2), 2 * PAGE_SIZE },
		{ top, 16 * PAGE_SIZE },
	};
	const struct mbb_range to_zero[] = {
		{ MBB_PG(2), 2 * PAGE_SIZE },
		{ top, 8 * PAGE_SIZE },
	};
	const struct mbb_range *lists[] = { wrap, to_zero };
	struct mbb_snap want, got;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		mbb_boot(_metadata);
		ASSERT_EQ(0, memblock_reserve(top + 4 * PAGE_SIZE, PAGE_SIZE));
		ASSERT_EQ(0, mbb_one_by_one(lists[i], 2));
		mbb_snap_take(&want);

		mbb_boot(_metadata);
		ASSERT_EQ(0, memblock_reserve(top + 4 * PAGE_SIZE, PAGE_SIZE));
		ASSERT_EQ(0, mbb_bulk(lists[i], 2, &self->l));
		mbb_snap_take(&got);
		ASSERT_TRUE(mbb_snap_equal(&want, &got));
		ASSERT_EQ(top, got.r[got.cnt - 1].base);
		ASSERT_EQ(PHYS_ADDR_MAX - top, got.r[got.cnt - 1].size);
		ASSERT_EQ(MEMBLOCK_RSRV_NOINIT, got.r[got.cnt - 1].flags);
		free(want.r);
		free(got.r);
	}
}

/* the regions of memblock.reserved below @limit, and their total size */
static void mbb_snap_below(struct mbb_snap *s, phys_addr_t limit)
{
	unsigned long i;

	s->cnt = 0;
	s->total = 0;
	s->r = malloc((memblock.reserved.cnt + 1) * sizeof(*s->r));
	for (i = 0; i < memblock.reserved.cnt; i++) {
		if (memblock.reserved.regions[i].base >= limit)
			break;
		s->r[s->cnt++] = memblock.reserved.regions[i];
		s->total += memblock.reserved.regions[i].size;
	}
}

/*
 * The merge writes its result from the bottom of memblock.reserved while
 * it still reads the old regions from the top. Give it the smallest array
 * it accepts without growing, so that the writes run as close behind the
 * reads as the dry run allows, and check that no old region is lost: up to
 * 80 plain regions and 100 ranges, densely overlapping, for 40 seeds.
 */
TEST_F(memblock_bulk, tightest_array_same_result)
{
	const phys_addr_t room = kho_sim.pool_base;
	unsigned long seed, state, i, nr, nr_old, slots;
	struct mbb_range r[100], old[80];
	struct mbb_snap want, got;

	for (seed = 1; seed <= 40; seed++) {
		unsigned long pos;

		state = seed;
		pos = mbb_rand(&state) % 4;
		nr_old = 40 + mbb_rand(&state) % 41;
		for (i = 0; i < nr_old; i++)
			old[i] = (struct mbb_range){
				MBB_PG(mbb_rand(&state) % 600),
				(1 + mbb_rand(&state) % 4) * PAGE_SIZE };
		nr = 50 + mbb_rand(&state) % 51;
		for (i = 0; i < nr; i++) {
			unsigned long gap = mbb_rand(&state) % 4;
			unsigned long len = 1 + mbb_rand(&state) % 3;

			r[i] = (struct mbb_range){ MBB_PG(pos + gap),
						   len * PAGE_SIZE };
			pos += gap + len;
		}

		mbb_boot(_metadata);
		for (i = 0; i < nr_old; i++)
			ASSERT_EQ(0, memblock_reserve(old[i].base, old[i].size));
		ASSERT_EQ(0, mbb_one_by_one(r, nr));
		mbb_snap_below(&want, room);

		/* 129: memblock_reserved_move() wants more than the boot 128 */
		for (slots = 129; slots < 1024; slots++) {
			size_t size = slots * sizeof(struct memblock_region);

			kho_sim_boot(true);
			ASSERT_EQ(0, memblock_reserve(room, size));
			ASSERT_EQ(0, memblock_reserved_move(room, size));
			for (i = 0; i < nr_old; i++)
				ASSERT_EQ(0, memblock_reserve(old[i].base,
							      old[i].size));
			ASSERT_EQ(0, mbb_bulk(r, nr, &self->l));
			ASSERT_EQ(NULL, mbb_check_reserved());
			/* stop at the first array it did not have to grow */
			if ((phys_addr_t)memblock.reserved.regions == room)
				break;
		}
		ASSERT_GT(1024, slots);
		mbb_snap_below(&got, room);
		ASSERT_TRUE(mbb_snap_equal(&want, &got));
		free(want.r);
		free(got.r);
	}
}

/*
 * The result of merging @nr_old regions r (each one page, two apart, from
 * page 1000) with 100 ranges below them and one over all of them, in an
 * array of @slots: 101 noinit regions. The result runs 100 regions ahead
 * of the old ones it has yet to read, and only ends with 101 regions
 * because the old ones merge at the end:
 *
 *   before   ----------------...r-r-r-r-r-r
 *   ranges   A-B-C-D-...(100)...EEEEEEEEEEE
 *   after    N-N-N-N-...(100)...NNNNNNNNNNN
 *
 * Return the array's max afterwards, and in *@calls how often the ranges
 * were fetched.
 */
static unsigned long mbb_run_ahead(struct __test_metadata *_metadata,
				   unsigned long nr_old, unsigned long slots,
				   unsigned long *calls)
{
	size_t size = slots * sizeof(struct memblock_region);
	struct mbb_range r[101];
	struct mbb_snap got;
	struct mbb_list l;
	unsigned long i, max;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_sim_boot(true);
	ASSERT_EQ(0, memblock_reserve(kho_sim.pool_base, size));
	ASSERT_EQ(0, memblock_reserved_move(kho_sim.pool_base, size));
	for (i = 0; i < nr_old; i++)
		ASSERT_EQ(0, memblock_reserve(MBB_PG(1000 + 2 * i), PAGE_SIZE));
	for (i = 0; i < 100; i++)
		r[i] = (struct mbb_range){ MBB_PG(2 * i), PAGE_SIZE };
	r[100] = (struct mbb_range){ MBB_PG(1000),
				     (2 * nr_old - 1) * PAGE_SIZE };

	ASSERT_EQ(0, mbb_bulk(r, ARRAY_SIZE(r), &l));
	ASSERT_EQ(NULL, mbb_check_reserved());
	mbb_snap_below(&got, kho_sim.pool_base);
	ASSERT_EQ(101, got.cnt);
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(MBB_PG(2 * i), got.r[i].base);
		ASSERT_EQ(PAGE_SIZE, got.r[i].size);
		ASSERT_EQ(MEMBLOCK_RSRV_NOINIT, got.r[i].flags);
	}
	ASSERT_EQ(MBB_PG(1000), got.r[100].base);
	ASSERT_EQ((2 * nr_old - 1) * PAGE_SIZE, got.r[100].size);
	ASSERT_EQ(MEMBLOCK_RSRV_NOINIT, got.r[100].flags);
	free(got.r);
	max = memblock.reserved.max;
	*calls = l.calls;
	kho_sim_exit();
	return max;
}

/*
 * 60 old regions, and room for them and all 101 ranges in 170 slots: few
 * enough to be merged from a copy, in one pass over the ranges, and the
 * array need not grow.
 */
TEST(memblock_bulk_result_running_ahead_from_a_copy)
{
	unsigned long calls;

	ASSERT_EQ(170, mbb_run_ahead(_metadata, 60, 170, &calls));
	ASSERT_EQ(101, calls);
}

/*
 * The same in 129 slots, fewer than the regions and ranges: the dry run
 * must see that the result runs 100 regions ahead and grow the array, as
 * writing from the bottom would overwrite old regions not read yet.
 */
TEST(memblock_bulk_result_running_ahead_grows)
{
	unsigned long calls;

	ASSERT_LT(129, mbb_run_ahead(_metadata, 60, 129, &calls));
	/* a dry run, another after growing, the merge */
	ASSERT_EQ(3 * 101, calls);
}

/*
 * 140 old regions, more than the copy holds, in 260 slots: merged in
 * place after a dry run, the regions moved up far enough for the lead.
 */
TEST(memblock_bulk_result_running_ahead_in_place)
{
	unsigned long calls;

	ASSERT_EQ(260, mbb_run_ahead(_metadata, 140, 260, &calls));
	ASSERT_EQ(2 * 101, calls);
}

/*
 * 3000 isolated pages in a memblock.reserved of 128 boot slots: the array
 * grows before the merge, out of the span of the ranges, and the result
 * holds every page as its own noinit region.
 */
TEST(memblock_bulk_grows_reserved_array)
{
	const unsigned long nr = 3000;
	struct mbb_range *r = malloc(nr * sizeof(*r));
	struct mbb_list l;
	phys_addr_t array;
	unsigned long i;

	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_sim_boot(true);
	for (i = 0; i < nr; i++)
		r[i] = (struct mbb_range){ MBB_PG(2 * i), PAGE_SIZE };

	ASSERT_EQ(0, mbb_bulk(r, nr, &l));
	ASSERT_FALSE(l.out_of_order);
	ASSERT_EQ(NULL, mbb_check_reserved());
	/* the pages, and the array memblock allocated for itself */
	ASSERT_EQ(nr + 1, memblock.reserved.cnt);
	ASSERT_LE(nr + 1, memblock.reserved.max);
	array = (phys_addr_t)memblock.reserved.regions;
	ASSERT_TRUE(array >= MBB_PG(2 * nr) || array < MBB_PG(0));
	for (i = 0; i < nr; i++) {
		struct memblock_region *rgn = mbb_region_at(r[i].base);

		ASSERT_NE(NULL, rgn);
		ASSERT_EQ(r[i].base, rgn->base);
		ASSERT_EQ(PAGE_SIZE, rgn->size);
		ASSERT_EQ(MEMBLOCK_RSRV_NOINIT, rgn->flags);
	}
	free(r);
	kho_sim_exit();
}

/*
 *   before   r---------------------------   (128 boot slots, 1 used)
 *   ranges   --ABCDEFGH...  (100,000 touching pages)
 *   after    r-NNNNNNNN...  (2 regions)
 *
 * Touching ranges merge on the fly: the merge needs room for what it ends
 * with, not for every range, so the boot array is enough.
 */
TEST(memblock_bulk_touching_ranges_need_no_room)
{
	const unsigned long nr = 100000;
	struct mbb_range *r = malloc(nr * sizeof(*r));
	struct mbb_list l;
	unsigned long i;

	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_sim_boot(false);
	ASSERT_EQ(0, memblock_reserve(MBB_PG(0), PAGE_SIZE));
	for (i = 0; i < nr; i++)
		r[i] = (struct mbb_range){ MBB_PG(2 + i), PAGE_SIZE };

	/* memblock may not grow: growing would panic */
	ASSERT_EQ(0, mbb_bulk(r, nr, &l));
	ASSERT_EQ(NULL, mbb_check_reserved());
	ASSERT_EQ(2, memblock.reserved.cnt);
	ASSERT_EQ(128, memblock.reserved.max);
	ASSERT_EQ(MBB_PG(2), memblock.reserved.regions[1].base);
	ASSERT_EQ(nr * PAGE_SIZE, memblock.reserved.regions[1].size);
	free(r);
	kho_sim_exit();
}

/*
 * KHO_RANGES_RESERVE_BULK on a real blob: the same memblock.reserved as
 * one call per record, the blob and the spare room included.
 */
TEST(memblock_bulk_kho_ranges_reserve_mode)
{
	struct kho_ranges_incoming in;
	struct mbb_snap want, got;
	struct kho_ranges kr;
	unsigned long i;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&kr);
	for (i = 0; i < 40; i++) {
		struct folio *folio = folio_alloc(GFP_KERNEL, i / 4);

		ASSERT_NE(NULL, folio);
		ASSERT_EQ(0, kho_ranges_preserve_folio(&kr, folio, 1));
	}
	for (i = 0; i < 2000; i++)
		ASSERT_EQ(0, kho_ranges_preserve(&kr, kr_pfn(3 * i + (i & 1)),
						 1, KR_TAG(i % 3)));
	ASSERT_EQ(0, kho_ranges_serialize(&kr));

	kho_sim_boot(true);
	ASSERT_EQ(0, kho_ranges_deserialize(&in, kr.fdt_phys, kr.fdt_size,
					    KHO_RANGES_RESERVE_DESCENDING));
	mbb_snap_take(&want);

	kho_sim_boot(true);
	ASSERT_EQ(0, kho_ranges_deserialize(&in, kr.fdt_phys, kr.fdt_size,
					    KHO_RANGES_RESERVE_BULK));
	ASSERT_EQ(NULL, kr_check_reserved(&in));
	ASSERT_EQ(NULL, mbb_check_reserved());
	/* no growth: memblock.reserved moved into the spare room first */
	ASSERT_EQ((void *)in.spare_phys, (void *)memblock.reserved.regions);
	mbb_snap_take(&got);
	ASSERT_TRUE(mbb_snap_equal(&want, &got));
	free(want.r);
	free(got.r);
	kho_ranges_destroy(&kr);
	kho_sim_exit();
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kho_ranges selftests: the simulated machine, a copy
 * of the tracker's contents, and checks of memblock.reserved.
 */
#ifndef _KR_TEST_H
#define _KR_TEST_H

#include <stdlib.h>
#include <string.h>

#include <linux/kho_ranges.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/unaligned.h>

#include "sim.h"

/* 1 GiB of RAM for workloads, 1 GiB of pool for alloc_pages() */
#define KR_TEST_RAM		(1ULL << 30)
#define KR_TEST_POOL		(1ULL << 30)

/* info words the tests use most */
#define KR_PLAIN		KHO_RANGES_INFO(0, 0, 0)
#define KR_TAG(t)		KHO_RANGES_INFO(0, 0, t)

struct kr_range {
	unsigned long pfn;
	unsigned long nr_pages;
	u32 info;
};

struct kr_ranges {
	struct kr_range *r;
	unsigned long nr;
	unsigned long cap;
};

/* a pfn @off pages into the simulated RAM */
static inline unsigned long kr_pfn(unsigned long off)
{
	return PHYS_PFN(kho_sim.ram_base) + off;
}

static inline int kr_collect_one(void *priv, unsigned long pfn,
				 unsigned long nr_pages, u32 info)
{
	struct kr_ranges *rs = priv;

	if (rs->nr == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 64;
		rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
	}
	rs->r[rs->nr++] = (struct kr_range){ pfn, nr_pages, info };
	return 0;
}

/* the tracker's ranges, in address order; free with kr_ranges_free() */
static inline struct kr_ranges kr_collect(struct kho_ranges *kr)
{
	struct kr_ranges rs = { 0 };

	kho_ranges_walk(kr, kr_collect_one, &rs);
	return rs;
}

/* as kr_collect_one(), joining a run to the one before if they touch */
static inline int kr_collect_join(void *priv, unsigned long pfn,
				  unsigned long nr_pages, u32 info)
{
	struct kr_ranges *rs = priv;
	struct kr_range *prev = rs->nr ? &rs->r[rs->nr - 1] : NULL;

	if (prev && prev->pfn + prev->nr_pages == pfn && prev->info == info) {
		prev->nr_pages += nr_pages;
		return 0;
	}
	return kr_collect_one(priv, pfn, nr_pages, info);
}

/*
 * What a validated blob preserves, as maximal runs of one info word in
 * address order: comparable with kr_collect() of the tracker it came from.
 */
static inline struct kr_ranges kr_collect_incoming(const struct kho_ranges_incoming *in)
{
	struct kr_ranges rs = { 0 };

	kho_ranges_walk_incoming(in, kr_collect_join, &rs);
	return rs;
}

static inline void kr_ranges_free(struct kr_ranges *rs)
{
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

static inline bool kr_ranges_equal(const struct kr_ranges *a,
				   const struct kr_ranges *b);

/*
 * Boot the next kernel and validate @kr's serialized blob there (into
 * @in): does it preserve exactly what the tracker does? NULL if so.
 */
static inline const char *kr_blob_matches(struct kho_ranges *kr,
					  struct kho_ranges_incoming *in)
{
	struct kr_ranges rs, blob;
	const char *err = NULL;

	kho_sim_boot(true);
	if (kho_ranges_validate(in, kr->blob_phys, phys_to_virt(kr->blob_phys),
				kr->blob_size))
		return "the blob is rejected";
	rs = kr_collect(kr);
	blob = kr_collect_incoming(in);
	if (!kr_ranges_equal(&rs, &blob))
		err = "the blob preserves other memory than the tracker";
	kr_ranges_free(&rs);
	kr_ranges_free(&blob);
	return err;
}

static inline bool kr_ranges_equal(const struct kr_ranges *a,
				   const struct kr_ranges *b)
{
	unsigned long i;

	if (a->nr != b->nr)
		return false;
	for (i = 0; i < a->nr; i++)
		if (a->r[i].pfn != b->r[i].pfn ||
		    a->r[i].nr_pages != b->r[i].nr_pages ||
		    a->r[i].info != b->r[i].info)
			return false;
	return true;
}

/*
 * The tracker's own invariants: sorted, non-overlapping, fully coalesced
 * (no two touching ranges with the same info), and counters that match.
 * Returns NULL when they hold, or what is wrong.
 */
/*
 * Runs the tracker stores without bitmaps: range entries and the runs of
 * run-list leaves. A window of two entries or more becomes a run list, so
 * tests of coalescing count both.
 */
static inline unsigned long kr_runs(const struct kho_ranges *kr)
{
	return kr->nr_ranges + kr->leaf_runs;
}

/* pages of a leaf window (mm/kho_ranges.c, KHO_RANGES_WINDOW_PAGES) */
#define KR_WINDOW_PAGES		4096UL

/*
 * The leaf index: every leaf it holds is the tree's entry for its window,
 * over the whole window, in the slot of the window's number.
 */
static inline const char *kr_check_index(struct kho_ranges *kr)
{
	unsigned long i, n = kr->leaf_index ? 1UL << kr->leaf_index_bits : 0;
	const u32 *wins = (const u32 *)(kr->leaf_index + n);
	const char *err = NULL;

	mutex_lock(&kr->lock);
	for (i = 0; i < n && !err; i++) {
		MA_STATE(mas, &kr->mt, 0, 0);
		unsigned long ws = wins[i] * KR_WINDOW_PAGES;

		if (!kr->leaf_index[i])
			continue;
		mas_set(&mas, ws);
		if ((wins[i] & (n - 1)) != i)
			err = "leaf index: a window in another's slot";
		else if (mas_walk(&mas) != kr->leaf_index[i] ||
			 mas.index != ws ||
			 mas.last != ws + KR_WINDOW_PAGES - 1)
			err = "leaf index: a leaf that is not its window's";
	}
	mutex_unlock(&kr->lock);
	return err;
}

static inline const char *kr_check_invariants(struct kho_ranges *kr)
{
	struct kr_ranges rs = kr_collect(kr);
	const char *err = kr_check_index(kr);
	unsigned long i, pages = 0;

	for (i = 0; i < rs.nr && !err; i++) {
		const struct kr_range *r = &rs.r[i];
		unsigned int order = kho_ranges_info_order(r->info);

		pages += r->nr_pages;
		if (!r->nr_pages)
			err = "empty range";
		else if (!IS_ALIGNED(r->pfn | r->nr_pages, 1UL << order))
			err = "range not aligned to its order";
		else if (i && rs.r[i - 1].pfn + rs.r[i - 1].nr_pages > r->pfn)
			err = "ranges overlap or are unsorted";
		else if (i && rs.r[i - 1].pfn + rs.r[i - 1].nr_pages == r->pfn &&
			 rs.r[i - 1].info == r->info)
			err = "touching ranges with equal info not coalesced";
	}
	/* with leaves, walked ranges and tree entries differ in number */
	if (!err && !kr->nr_leaves && rs.nr != kr->nr_ranges)
		err = "nr_ranges does not match the tree";
	if (!err && kr->nr_leaves && kr->nr_ranges > rs.nr)
		err = "more range entries than walked ranges";
	if (!err && pages != kr->nr_pages)
		err = "nr_pages does not match the tree";
	kr_ranges_free(&rs);
	return err;
}

/*
 * After a deserialize: does memblock.reserved hold exactly the records, as
 * noinit regions? Regions without the noinit flag (the blob reservation
 * before its record is marked, memblock's own arrays) must not overlap a
 * preserved range only partially; every record must be inside noinit
 * regions and every noinit byte must belong to a record.
 */
/* every byte of one run of preserved pages in noinit regions? */
static inline int kr_check_reserved_one(void *priv, unsigned long pfn,
					unsigned long nr_pages, u32 info)
{
	struct memblock_type *t = &memblock.reserved;
	u64 pos = PFN_PHYS(pfn), end = PFN_PHYS(pfn + nr_pages);
	unsigned long *r = priv;

	while (pos < end) {
		while (*r < t->cnt &&
		       t->regions[*r].base + t->regions[*r].size <= pos)
			(*r)++;
		if (*r == t->cnt || t->regions[*r].base > pos ||
		    !(t->regions[*r].flags & MEMBLOCK_RSRV_NOINIT))
			return 1;
		pos = t->regions[*r].base + t->regions[*r].size;
	}
	return 0;
}

static inline const char *kr_check_reserved(const struct kho_ranges_incoming *in)
{
	struct memblock_type *t = &memblock.reserved;
	unsigned long i, r = 0;
	u64 noinit = 0;

	for (i = 0; i < t->cnt; i++)
		if (t->regions[i].flags & MEMBLOCK_RSRV_NOINIT)
			noinit += t->regions[i].size;
	if (noinit != (u64)in->nr_pages << PAGE_SHIFT)
		return "noinit bytes differ from preserved bytes";

	return kho_ranges_walk_incoming(in, kr_check_reserved_one, &r) ?
	       "a preserved byte is not reserved noinit" : NULL;
}

/*
 * The kexec in between: serialize in this kernel, boot the next one (a
 * fresh memblock, growable or not), and deserialize there.
 */
static inline int kr_kexec(struct kho_ranges *kr, struct kho_ranges_incoming *in,
			   bool resize, enum kho_ranges_reserve_mode mode)
{
	int ret = kho_ranges_serialize(kr);

	if (ret)
		return ret;
	kho_sim_boot(resize);
	return kho_ranges_deserialize(in, kr->fdt_phys, kr->fdt_size, mode);
}

#endif

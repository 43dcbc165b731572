/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference model of the tracker: one info word per page in a small pfn
 * window, and the tracker's rules restated in the simplest terms. Random
 * operations run against both; after each, the tracker's ranges must be
 * exactly the model's maximal runs of equal info.
 */
#ifndef _KR_MODEL_H
#define _KR_MODEL_H

#include <errno.h>
#include <stdlib.h>

#include "kr_test.h"

/* two of the tracker's 4096-page windows, so that ops cross between them */
#define KR_MODEL_PAGES	8192

/*
 * @leafy: most ops preserve order-0 pages of one info word, so that windows
 * fill up and become leaves, and now and then another info word or a long
 * range turns one back into ranges; otherwise ops draw from 24 info words
 * and windows stay ranges.
 * @sparse: few folios preserved at a time (preserves of one or two folios
 * a third of the time, unpreserves of what is there otherwise), so that
 * windows stay run lists, growing, splitting and merging runs: of one info
 * word with @leafy, now and then dense enough for a bitmap; of many
 * without.
 */
struct kr_model {
	unsigned long base;		/* first pfn of the window */
	u32 info[KR_MODEL_PAGES];	/* info + 1 per page, 0 = free */
	u64 rng;
	bool leafy;
	bool sparse;
};

static inline u64 kr_rand(struct kr_model *m)
{
	/* xorshift64*: deterministic for a given seed */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545F4914F6CDD1DULL;
}

static inline void kr_model_init(struct kr_model *m, unsigned long base,
				 u64 seed)
{
	memset(m, 0, sizeof(*m));
	m->base = base;
	m->rng = seed ? seed : 1;
}

static inline bool kr_model_used(const struct kr_model *m, unsigned long i)
{
	return m->info[i] != 0;
}

/* what kho_ranges_preserve() must return for this window-relative range */
static inline int kr_model_preserve(struct kr_model *m, unsigned long off,
				    unsigned long nr, u32 info, bool apply)
{
	unsigned int order = kho_ranges_info_order(info);
	unsigned long i;

	if (!nr || !IS_ALIGNED(m->base + off, 1UL << order) ||
	    !IS_ALIGNED(nr, 1UL << order))
		return -EINVAL;
	for (i = off; i < off + nr; i++)
		if (kr_model_used(m, i))
			return -EEXIST;
	if (apply)
		for (i = off; i < off + nr; i++)
			m->info[i] = info + 1;
	return 0;
}

static inline unsigned int kr_model_order(const struct kr_model *m,
					  unsigned long i)
{
	return kho_ranges_info_order(m->info[i] - 1);
}

/* what kho_ranges_unpreserve() must return, checked in the tracker's order */
static inline int kr_model_unpreserve(struct kr_model *m, unsigned long off,
				      unsigned long nr, bool apply)
{
	unsigned long last = off + nr - 1, i;

	if (!nr)
		return -EINVAL;
	if (!kr_model_used(m, off))
		return -ENOENT;
	/* the range holding @off starts before it: the cut must be aligned */
	if (off && m->info[off - 1] == m->info[off] &&
	    !IS_ALIGNED(m->base + off, 1UL << kr_model_order(m, off)))
		return -EINVAL;
	for (i = off; i <= last; i++)
		if (!kr_model_used(m, i))
			return -ENOENT;
	if (last + 1 < KR_MODEL_PAGES && m->info[last + 1] == m->info[last] &&
	    !IS_ALIGNED(m->base + last + 1, 1UL << kr_model_order(m, last)))
		return -EINVAL;
	if (apply)
		for (i = off; i <= last; i++)
			m->info[i] = 0;
	return 0;
}

/* NULL if the tracker holds exactly the model's runs */
static inline const char *kr_model_compare(const struct kr_model *m,
					   struct kho_ranges *kr)
{
	struct kr_ranges rs = kr_collect(kr);
	const char *err = NULL;
	unsigned long i = 0, r = 0;

	while (i < KR_MODEL_PAGES && !err) {
		unsigned long start;

		if (!kr_model_used(m, i)) {
			i++;
			continue;
		}
		start = i;
		while (i < KR_MODEL_PAGES && m->info[i] == m->info[start])
			i++;
		if (r == rs.nr)
			err = "tracker lacks a range the model has";
		else if (rs.r[r].pfn != m->base + start ||
			 rs.r[r].nr_pages != i - start ||
			 rs.r[r].info != m->info[start] - 1)
			err = "tracker range differs from the model";
		r++;
	}
	if (!err && r != rs.nr)
		err = "tracker has a range the model lacks";
	kr_ranges_free(&rs);
	return err;
}

/* a random operation: range, info, preserve or not */
struct kr_model_op {
	bool preserve;
	unsigned long off;
	unsigned long nr;
	u32 info;
};

static inline struct kr_model_op kr_model_random_op(struct kr_model *m)
{
	struct kr_model_op op;
	unsigned int order = kr_rand(m) % 4;
	u32 flags = kr_rand(m) % 2 ? KHO_RANGES_INFO_FOLIO : 0;

	op.preserve = kr_rand(m) % 5 < 3;
	/* mostly aligned, sometimes not, to exercise -EINVAL */
	op.off = kr_rand(m) % (KR_MODEL_PAGES - 64);
	if (kr_rand(m) % 8)
		op.off &= ~((1UL << order) - 1);
	op.nr = (1 + kr_rand(m) % 4) << order;
	if (!(kr_rand(m) % 16))
		op.nr += 1;
	op.info = KHO_RANGES_INFO(order, flags, kr_rand(m) % 3);
	if (m->leafy && kr_rand(m) % 64) {
		op.info = KR_TAG(1);
		op.nr = kr_rand(m) % 8 ? 1 + kr_rand(m) % 4 :
					 1 + kr_rand(m) % 64;
	}
	if (m->sparse && (op.info == KR_TAG(1) || !m->leafy)) {
		op.preserve = kr_rand(m) % 3 == 0;
		op.nr = (1 + kr_rand(m) % 2) <<
			kho_ranges_info_order(op.info);
	}

	/* most unpreserves start at a preserved folio, so splits happen */
	if (!op.preserve && kr_rand(m) % 4) {
		/* leafy: mostly one of another info word, so leaves form again */
		bool other = m->leafy && kr_rand(m) % 4;
		unsigned long i;

		for (i = op.off; i < KR_MODEL_PAGES - 64; i++) {
			if (!kr_model_used(m, i) ||
			    (other && m->info[i] == KR_TAG(1) + 1))
				continue;
			order = kr_model_order(m, i);
			op.off = i & ~((1UL << order) - 1);
			op.nr = (1 + kr_rand(m) % 2) << order;
			break;
		}
	}
	return op;
}

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * kho_bench: kho_ranges against the baselines of bench/baselines/ (upstream
 * KHO's trackers, behind the ops table of kho_baseline.h), on the same
 * workloads (workload.c), in the same process, against the same real
 * xarray, maple tree and mm/memblock.c.
 *
 * For each workload and tracker it measures preserving every folio,
 * serializing, and then, in a freshly booted "next kernel" each time,
 * deserializing with each strategy, looking up every folio's order again
 * (restore), and reading the handover once (the physical limit). Each
 * measurement is repeated and its median reported; see bench/README.md
 * for every flag and CSV column.
 *
 * The functions named kb_ir_*() are exactly the measured code: run under
 * callgrind with --toggle-collect='kb_ir_*' they give the deterministic
 * instruction counts of bench/regress.sh.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/kho_ranges.h>
#include <linux/kho_ranges_vmalloc.h>
#include <linux/libfdt.h>
#include <linux/maple_tree.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/xarray.h>

#include "sim.h"
#include "kho_baseline.h"
#include "kho_bitmap.h"
#include "kb_probe.h"
#include "workload.h"

#define KB_MAX_REPS	64
#define KB_POOL		(4ULL << 30)
#define NSEC_PER_SEC	1000000000ULL

/*
 * A baseline's deserializers are KB_BASELINE (upstream's walk) and
 * KB_BASELINE_BULK, named after the baseline: "bitmap", "radix-bulk".
 */
enum kb_strategy {
	KB_BASELINE,
	KB_BASELINE_BULK,
	KB_RANGES,
	KB_RANGES_ASC,
	KB_RANGES_DESC,
	KB_RANGES_BULK,
	KB_NR_STRATEGIES,
};

static const char *const kb_strategy_names[KB_NR_STRATEGIES] = {
	[KB_BASELINE] = "baseline",
	[KB_BASELINE_BULK] = "baseline-bulk",
	[KB_RANGES] = "ranges",
	[KB_RANGES_ASC] = "ranges-asc",
	[KB_RANGES_DESC] = "ranges-desc",
	[KB_RANGES_BULK] = "ranges-bulk",
};

static bool kb_is_baseline(enum kb_strategy s)
{
	return s == KB_BASELINE || s == KB_BASELINE_BULK;
}

/* rows of a tracker: kho_baselines[] by index, then ranges */
#define KB_MAX_TRACKERS		8
#define KB_RANGES_TRACKER	(KB_MAX_TRACKERS - 1)

struct kb_config {
	unsigned int reps;
	unsigned int warmup;
	double budget;
	double max_run;
	bool strategy[KB_NR_STRATEGIES];
	bool baseline[KB_MAX_TRACKERS];
	const char *csv;
	const char *dump;
	bool summary;
	/* sweep */
	const char *kind;
	double from;
	double to;
	unsigned int steps;
};

/* one measurement: the median of its timed runs */
struct kb_time {
	unsigned long long median;
	unsigned long long min;
	unsigned long long max;
	unsigned int reps;
};

/* one CSV row: a tracker and one of its deserialize strategies */
struct kb_row {
	char tracker[16];
	char strategy_name[24];
	unsigned int tracker_idx;
	enum kb_strategy strategy;
	bool skipped;
	struct kb_time preserve;
	struct kb_time serialize;
	struct kb_time deserialize;
	struct kb_time restore;
	struct kb_time probe;
	unsigned long long tracker_bytes;
	unsigned long long handover_bytes;
	unsigned long long handover_alloc;
	unsigned long long nr_records;
	unsigned long long regions;
};

#define KB_MAX_ROWS	(KB_MAX_TRACKERS * KB_NR_STRATEGIES)

/* everything the measured functions work on */
struct kb_ctx {
	struct kb_workload *w;
	struct page ***area_pages;
	struct kho_ranges kr;
	bool kr_live;
	struct kho_ranges_incoming in;
	const struct kho_baseline_ops *ops;
	void *bt;
	struct kho_baseline_handover h;
	struct kho_baseline_stats st;
	long slab_delta;
	unsigned long long sum;
	int err;
};

static unsigned long long kb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int kb_cmp_u64(const void *a, const void *b)
{
	const unsigned long long *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * Warm-up runs fault in what the measured code touches (memmap, pool pages,
 * slab free lists) so that the timed runs see a warm machine, as a kernel
 * would. A run slower than the budget is not repeated: it is the sample.
 */
static struct kb_time kb_measure(const struct kb_config *cfg,
				 void (*setup)(struct kb_ctx *),
				 void (*fn)(struct kb_ctx *), struct kb_ctx *c)
{
	unsigned long long budget = cfg->budget * NSEC_PER_SEC, total = 0, t[KB_MAX_REPS];
	struct kb_time r = { 0 };
	unsigned int i, n = 0;
	bool slow = false;

	for (i = 0; i < cfg->warmup && !slow; i++) {
		unsigned long long t0;

		if (setup)
			setup(c);
		t0 = kb_now();
		fn(c);
		t0 = kb_now() - t0;
		if (t0 > budget) {
			t[n++] = t0;
			slow = true;
		}
	}
	while (!slow && n < cfg->reps) {
		unsigned long long t0;

		if (setup)
			setup(c);
		t0 = kb_now();
		fn(c);
		t[n] = kb_now() - t0;
		total += t[n++];
		if (total > budget)
			break;
	}
	qsort(t, n, sizeof(t[0]), kb_cmp_u64);
	r.reps = n;
	r.min = t[0];
	r.max = t[n - 1];
	r.median = n & 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	return r;
}

static void kb_err(struct kb_ctx *c, int err)
{
	if (err && !c->err)
		c->err = err;
}

/* ---- kho_ranges -------------------------------------------------------- */

/*
 * The xarray frees its nodes through call_rcu(): wait for every free of
 * the last tracker, or they would land in the next one's node count.
 */
static void kb_settle(void)
{
	rcu_barrier();
}

static void kb_setup_ranges_preserve(struct kb_ctx *c)
{
	if (c->kr_live)
		kho_ranges_destroy(&c->kr);
	kb_settle();
	kho_ranges_init(&c->kr);
	c->kr_live = true;
}

static noinline void kb_ir_preserve_ranges(struct kb_ctx *c)
{
	const struct kb_workload *w = c->w;
	long before = kho_sim_slab_objects();
	unsigned long i;

	if (w->nr_areas) {
		for (i = 0; i < w->nr_areas; i++)
			kb_err(c, kho_ranges_preserve_page_array(&c->kr,
								  c->area_pages[i],
								  w->areas[i].nr,
								  0));
	} else {
		for (i = 0; i < w->nr_folios; i++) {
			unsigned int order = w->folios[i].order;

			kb_err(c, kho_ranges_preserve(&c->kr, w->folios[i].pfn,
						      1UL << order,
						      KHO_RANGES_INFO(order,
								      KHO_RANGES_INFO_FOLIO,
								      0)));
		}
	}
	c->slab_delta = kho_sim_slab_objects() - before;
}

static void kb_setup_ranges_serialize(struct kb_ctx *c)
{
	kho_ranges_abort(&c->kr);
}

static noinline void kb_ir_serialize_ranges(struct kb_ctx *c)
{
	kb_err(c, kho_ranges_serialize(&c->kr));
}

static void kb_setup_boot(struct kb_ctx *c)
{
	kho_sim_boot(true);
}

static void kb_deserialize_ranges(struct kb_ctx *c,
				  enum kho_ranges_reserve_mode mode)
{
	kb_err(c, kho_ranges_deserialize(&c->in, c->kr.fdt_phys,
					 c->kr.fdt_size, mode));
}

static noinline void kb_ir_deserialize_ranges_asc(struct kb_ctx *c)
{
	kb_deserialize_ranges(c, KHO_RANGES_RESERVE_ASCENDING);
}

static noinline void kb_ir_deserialize_ranges_desc(struct kb_ctx *c)
{
	kb_deserialize_ranges(c, KHO_RANGES_RESERVE_DESCENDING);
}

static noinline void kb_ir_deserialize_ranges_bulk(struct kb_ctx *c)
{
	kb_deserialize_ranges(c, KHO_RANGES_RESERVE_BULK);
}

static noinline void kb_ir_restore_ranges(struct kb_ctx *c)
{
	const struct kb_workload *w = c->w;
	unsigned long i;
	unsigned long long sum = 0;
	u32 info;

	for (i = 0; i < w->nr_folios; i++) {
		kb_err(c, kho_ranges_lookup(&c->in, PFN_PHYS(w->folios[i].pfn),
					    NULL, NULL, &info));
		sum += kho_ranges_info_order(info);
	}
	c->sum = sum;
}

static noinline void kb_ir_probe_ranges(struct kb_ctx *c)
{
	c->sum = kb_probe_ranges(phys_to_virt(c->kr.blob_phys));
}

/* ---- the baselines (kho_baseline.h) ----------------------------------- */

static void kb_setup_baseline_preserve(struct kb_ctx *c)
{
	if (c->bt)
		c->ops->destroy(c->bt);
	kb_settle();
	c->bt = c->ops->create(c->ops->variant);
	if (!c->bt)
		kb_err(c, -ENOMEM);
}

static void kb_preserve_baseline(struct kb_ctx *c)
{
	const struct kb_workload *w = c->w;
	long before = kho_sim_slab_objects();
	unsigned long i;

	for (i = 0; i < w->nr_folios; i++)
		kb_err(c, c->ops->preserve(c->bt, w->folios[i].pfn,
					   w->folios[i].order));
	c->slab_delta = kho_sim_slab_objects() - before;
}

static void kb_setup_baseline_serialize(struct kb_ctx *c)
{
	c->ops->abort(c->bt);
}

static void kb_serialize_baseline(struct kb_ctx *c)
{
	kb_err(c, c->ops->serialize(c->bt, &c->h));
}

static void kb_deserialize_baseline(struct kb_ctx *c, unsigned int how)
{
	kb_err(c, c->ops->deserialize(&c->h, how, &c->st));
}

static void kb_restore_baseline(struct kb_ctx *c)
{
	unsigned int (*restore)(unsigned long pfn) = c->ops->restore;
	const struct kb_workload *w = c->w;
	unsigned long i;
	unsigned long long sum = 0;

	for (i = 0; i < w->nr_folios; i++)
		sum += restore(w->folios[i].pfn);
	c->sum = sum;
}

static void kb_probe_baseline(struct kb_ctx *c)
{
	c->sum = c->ops->probe(&c->h);
}

/*
 * The measured functions of a baseline, under names of its own for
 * callgrind (bench/regress.sh): kb_ir_preserve_bitmap() and so on.
 */
struct kb_ir {
	const char *strategy;
	void (*preserve)(struct kb_ctx *c);
	void (*serialize)(struct kb_ctx *c);
	void (*deserialize)(struct kb_ctx *c);
	void (*deserialize_bulk)(struct kb_ctx *c);
	void (*restore)(struct kb_ctx *c);
	void (*probe)(struct kb_ctx *c);
};

#define KB_IR_BASELINE(id)						\
static noinline void kb_ir_preserve_##id(struct kb_ctx *c)		\
{									\
	kb_preserve_baseline(c);					\
}									\
static noinline void kb_ir_serialize_##id(struct kb_ctx *c)		\
{									\
	kb_serialize_baseline(c);					\
}									\
static noinline void kb_ir_deserialize_##id(struct kb_ctx *c)		\
{									\
	kb_deserialize_baseline(c, KHO_BASELINE_RESERVE |		\
				KHO_BASELINE_MARK);			\
}									\
static noinline void kb_ir_deserialize_##id##_bulk(struct kb_ctx *c)	\
{									\
	kb_deserialize_baseline(c, KHO_BASELINE_BULK | KHO_BASELINE_MARK); \
}									\
static noinline void kb_ir_restore_##id(struct kb_ctx *c)		\
{									\
	kb_restore_baseline(c);						\
}									\
static noinline void kb_ir_probe_##id(struct kb_ctx *c)		\
{									\
	kb_probe_baseline(c);						\
}									\
static const struct kb_ir kb_ir_##id = {				\
	.strategy = #id,						\
	.preserve = kb_ir_preserve_##id,				\
	.serialize = kb_ir_serialize_##id,				\
	.deserialize = kb_ir_deserialize_##id,				\
	.deserialize_bulk = kb_ir_deserialize_##id##_bulk,		\
	.restore = kb_ir_restore_##id,					\
	.probe = kb_ir_probe_##id,					\
}

/* one line per strategy name of kho_baselines[]; others use "baseline" */
KB_IR_BASELINE(baseline);
KB_IR_BASELINE(bitmap);
KB_IR_BASELINE(radix);

static const struct kb_ir *const kb_irs[] = { &kb_ir_bitmap, &kb_ir_radix };

static const struct kb_ir *kb_ir_of(const struct kho_baseline_ops *ops)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kb_irs); i++)
		if (!strcmp(kb_irs[i]->strategy, ops->strategy))
			return kb_irs[i];
	return &kb_ir_baseline;
}

/* ---- one workload ------------------------------------------------------ */

/* bytes of memblock.reserved with MEMBLOCK_RSRV_NOINIT, to check results */
static unsigned long long kb_noinit_bytes(void)
{
	unsigned long long bytes = 0;
	unsigned long i;

	for (i = 0; i < memblock.reserved.cnt; i++)
		if (memblock.reserved.regions[i].flags & MEMBLOCK_RSRV_NOINIT)
			bytes += memblock.reserved.regions[i].size;
	return bytes;
}

static unsigned long long kb_order_sum(const struct kb_workload *w)
{
	unsigned long i;
	unsigned long long sum = 0;

	for (i = 0; i < w->nr_folios; i++)
		sum += w->folios[i].order;
	return sum;
}

static void (*const kb_deserializers[KB_NR_STRATEGIES])(struct kb_ctx *) = {
	/*
	 * One call per range in the cheaper order for memblock: descending
	 * beat ascending on every workload (bench/README.md), since memblock
	 * then finds the insertion point at index 0 and moves the array with
	 * one memmove() instead of comparing against every region first.
	 */
	[KB_RANGES] = kb_ir_deserialize_ranges_desc,
	[KB_RANGES_ASC] = kb_ir_deserialize_ranges_asc,
	[KB_RANGES_DESC] = kb_ir_deserialize_ranges_desc,
	[KB_RANGES_BULK] = kb_ir_deserialize_ranges_bulk,
};

static int kb_fail(struct kb_ctx *c, const char *what)
{
	fprintf(stderr, "kho_bench: %s failed: %s\n", what, strerror(-c->err));
	return c->err;
}

/*
 * Deserialize with every selected strategy of one tracker, each in freshly
 * booted memblock, and check what memblock holds afterwards.
 */
static int kb_deserialize_all(const struct kb_config *cfg, struct kb_ctx *c,
			      const struct kb_ir *ir,
			      unsigned long long want_noinit,
			      const struct kb_row *proto, struct kb_row *rows,
			      unsigned int *nr_rows, const bool (*skip)[KB_NR_STRATEGIES])
{
	enum kb_strategy s;

	for (s = 0; s < KB_NR_STRATEGIES; s++) {
		void (*fn)(struct kb_ctx *c);
		struct kb_row *row;

		if (!cfg->strategy[s] || kb_is_baseline(s) != !!ir)
			continue;
		row = &rows[(*nr_rows)++];
		*row = *proto;
		row->strategy = s;
		if (ir)
			snprintf(row->strategy_name, sizeof(row->strategy_name),
				 "%s%s", c->ops->strategy,
				 s == KB_BASELINE_BULK ? "-bulk" : "");
		else
			snprintf(row->strategy_name, sizeof(row->strategy_name),
				 "%s", kb_strategy_names[s]);
		if (skip && skip[proto->tracker_idx][s]) {
			row->skipped = true;
			continue;
		}
		if (!ir)
			fn = kb_deserializers[s];
		else if (s == KB_BASELINE_BULK)
			fn = ir->deserialize_bulk;
		else
			fn = ir->deserialize;
		row->deserialize = kb_measure(cfg, kb_setup_boot, fn, c);
		if (c->err)
			return kb_fail(c, row->strategy_name);
		row->regions = memblock.reserved.cnt;
		if (kb_noinit_bytes() != want_noinit ||
		    (ir && c->st.nr_folios != c->w->nr_folios)) {
			fprintf(stderr, "kho_bench: %s %s left %llu noinit bytes, expected %llu\n",
				row->tracker, row->strategy_name,
				kb_noinit_bytes(), want_noinit);
			return -EFAULT;
		}
	}
	return 0;
}

/* the tracker-level columns go into every row of the tracker */
static void kb_fill(struct kb_row *rows, unsigned int from, unsigned int to,
		    const struct kb_time *restore, const struct kb_time *probe)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		rows[i].restore = *restore;
		rows[i].probe = *probe;
	}
}

/*
 * Restore with a cursor: every folio's order looked up again through one
 * struct kho_ranges_restore_cursor, in address order and in the workload's
 * order, beside a binary search per folio and the bitmap tracker's
 * page->private (its restore_ns, measured in workload order, and again in
 * address order here while the memmap still holds it). One line on stdout
 * and, with --csv, one row in restore_cursor.csv next to it. Timed with
 * kb_measure(), but not kb_ir_*(): bench/regress.sh does not count it.
 */
static unsigned long *kb_rc_pfns;

static int kb_rc_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static noinline void kb_rc_cursor_sorted(struct kb_ctx *c)
{
	struct kho_ranges_restore_cursor cur;
	unsigned long long sum = 0;
	unsigned long i;
	u32 info;

	kho_ranges_restore_cursor_init(&cur, &c->in);
	for (i = 0; i < c->w->nr_folios; i++) {
		kb_err(c, kho_ranges_cursor_lookup(&cur, PFN_PHYS(kb_rc_pfns[i]),
						   NULL, NULL, &info));
		sum += kho_ranges_info_order(info);
	}
	c->sum = sum;
}

static noinline void kb_rc_cursor_workload(struct kb_ctx *c)
{
	struct kho_ranges_restore_cursor cur;
	unsigned long long sum = 0;
	unsigned long i;
	u32 info;

	kho_ranges_restore_cursor_init(&cur, &c->in);
	for (i = 0; i < c->w->nr_folios; i++) {
		kb_err(c, kho_ranges_cursor_lookup(&cur,
						   PFN_PHYS(c->w->folios[i].pfn),
						   NULL, NULL, &info));
		sum += kho_ranges_info_order(info);
	}
	c->sum = sum;
}

static noinline void kb_rc_bsearch_sorted(struct kb_ctx *c)
{
	unsigned long long sum = 0;
	unsigned long i;
	u32 info;

	for (i = 0; i < c->w->nr_folios; i++) {
		kb_err(c, kho_ranges_lookup(&c->in, PFN_PHYS(kb_rc_pfns[i]),
					    NULL, NULL, &info));
		sum += kho_ranges_info_order(info);
	}
	c->sum = sum;
}

static noinline void kb_rc_bitmap_sorted(struct kb_ctx *c)
{
	unsigned long long sum = 0;
	unsigned long i;

	for (i = 0; i < c->w->nr_folios; i++)
		sum += kho_bitmap_restore_order(kb_rc_pfns[i]);
	c->sum = sum;
}

static void kb_restore_cursor(const struct kb_config *cfg, struct kb_ctx *c,
			      const struct kb_row *rows, unsigned int first,
			      const struct kb_time *bsearch)
{
	static const char *const names[] = {
		"bitmap_private_ns", "bitmap_private_sorted_ns",
		"ranges_bsearch_ns", "ranges_bsearch_sorted_ns",
		"ranges_cursor_sorted_ns", "ranges_cursor_ns",
	};
	void (*const fns[])(struct kb_ctx *) = {
		NULL, kb_rc_bitmap_sorted, NULL, kb_rc_bsearch_sorted,
		kb_rc_cursor_sorted, kb_rc_cursor_workload,
	};
	unsigned long long want = kb_order_sum(c->w), ns[6] = { 0 };
	const struct kb_workload *w = c->w;
	char path[4096], *slash;
	unsigned long i;
	FILE *f;

	kb_rc_pfns = malloc(w->nr_folios * sizeof(*kb_rc_pfns));
	if (!kb_rc_pfns)
		return;
	for (i = 0; i < w->nr_folios; i++)
		kb_rc_pfns[i] = w->folios[i].pfn;
	qsort(kb_rc_pfns, w->nr_folios, sizeof(*kb_rc_pfns), kb_rc_cmp);
	ns[0] = first ? rows[0].restore.median : 0;
	ns[2] = bsearch->median;
	for (i = 0; i < ARRAY_SIZE(fns); i++) {
		if (!fns[i] || (i == 1 && !first))
			continue;
		c->err = 0;
		ns[i] = kb_measure(cfg, NULL, fns[i], c).median;
		/* the memmap may not hold the bitmap's orders any more */
		if (c->err || c->sum != want)
			ns[i] = 0;
	}
	free(kb_rc_pfns);
	printf("restore %s: %lu folios, %lu records:", w->name, w->nr_folios,
	       c->in.nr_ranges + c->in.nr_bitmaps);
	for (i = 0; i < ARRAY_SIZE(ns); i++)
		printf(" %s=%llu", names[i], ns[i]);
	printf("\n");
	if (!cfg->csv)
		return;
	snprintf(path, sizeof(path), "%s", cfg->csv);
	slash = strrchr(path, '/');
	snprintf(slash ? slash + 1 : path,
		 sizeof(path) - (slash ? slash + 1 - path : 0),
		 "restore_cursor.csv");
	f = fopen(path, "a");
	if (!f)
		return;
	if (!ftell(f) && !fseek(f, 0, SEEK_END) && !ftell(f)) {
		fprintf(f, "workload,nr_folios,nr_records");
		for (i = 0; i < ARRAY_SIZE(ns); i++)
			fprintf(f, ",%s", names[i]);
		fprintf(f, "\n");
	}
	fprintf(f, "%s,%lu,%lu", w->name, w->nr_folios,
		c->in.nr_ranges + c->in.nr_bitmaps);
	for (i = 0; i < ARRAY_SIZE(ns); i++)
		fprintf(f, ",%llu", ns[i]);
	fprintf(f, "\n");
	fclose(f);
}

static int kb_run_ranges(const struct kb_config *cfg, struct kb_ctx *c,
			 struct kb_row *rows, unsigned int *nr_rows,
			 const bool (*skip)[KB_NR_STRATEGIES])
{
	struct kb_time restore = { 0 }, probe;
	unsigned int first = *nr_rows, i;
	struct kb_row proto = { 0 };
	bool deserialized = false;
	unsigned long long noinit;
	int ret;

	snprintf(proto.tracker, sizeof(proto.tracker), "ranges");
	proto.tracker_idx = KB_RANGES_TRACKER;
	proto.preserve = kb_measure(cfg, kb_setup_ranges_preserve,
				    kb_ir_preserve_ranges, c);
	if (c->err)
		return kb_fail(c, "kho_ranges preserve");
	/*
	 * Slab objects are maple nodes and leaves; a leaf is counted at its
	 * own size (a kmem_cache object: its header and bitmap), and the leaf
	 * index (kmalloc()) at its own.
	 */
	proto.tracker_bytes = (c->slab_delta - c->kr.nr_leaves) *
			      sizeof(struct maple_node) + c->kr.leaf_bytes +
			      kho_ranges_leaf_index_bytes(&c->kr);

	proto.serialize = kb_measure(cfg, kb_setup_ranges_serialize,
				     kb_ir_serialize_ranges, c);
	if (c->err)
		return kb_fail(c, "kho_ranges_serialize");
	proto.handover_bytes = c->kr.blob_size +
			       fdt_totalsize(phys_to_virt(c->kr.fdt_phys));
	proto.handover_alloc = c->kr.blob_alloc + c->kr.fdt_size;
	/* every preserved page, the blob's and the FDT's included */
	noinit = (unsigned long long)c->kr.nr_pages << PAGE_SHIFT;

	proto.nr_records =
		le64_to_cpu(((struct kho_ranges_blob_hdr *)
			     phys_to_virt(c->kr.blob_phys))->nr_ranges);

	ret = kb_deserialize_all(cfg, c, NULL, noinit, &proto, rows, nr_rows,
				 skip);
	if (ret)
		return ret;
	for (i = first; i < *nr_rows; i++)
		deserialized |= !rows[i].skipped;
	/* restore searches the blob kho_ranges_validate() accepted last */
	if (deserialized) {
		restore = kb_measure(cfg, NULL, kb_ir_restore_ranges, c);
		if (c->err || c->sum != kb_order_sum(c->w)) {
			fprintf(stderr, "kho_bench: ranges restore found the wrong orders\n");
			return -EFAULT;
		}
		kb_restore_cursor(cfg, c, rows, first, &restore);
	}
	probe = kb_measure(cfg, NULL, kb_ir_probe_ranges, c);
	kb_fill(rows, first, *nr_rows, &restore, &probe);
	return 0;
}

static int kb_run_baseline(const struct kb_config *cfg, struct kb_ctx *c,
			   unsigned int idx, struct kb_row *rows,
			   unsigned int *nr_rows,
			   const bool (*skip)[KB_NR_STRATEGIES])
{
	struct kb_time restore = { 0 }, probe;
	unsigned int first = *nr_rows, i;
	struct kho_baseline_sizes sizes;
	struct kb_row proto = { 0 };
	const struct kb_ir *ir;
	bool deserialized = false;
	int ret;

	if (c->bt)
		c->ops->destroy(c->bt);
	c->bt = NULL;
	c->ops = kho_baselines[idx];
	ir = kb_ir_of(c->ops);
	snprintf(proto.tracker, sizeof(proto.tracker), "%s", c->ops->name);
	proto.tracker_idx = idx;
	proto.preserve = kb_measure(cfg, kb_setup_baseline_preserve,
				    ir->preserve, c);
	if (c->err)
		return kb_fail(c, "baseline preserve");

	proto.serialize = kb_measure(cfg, kb_setup_baseline_serialize,
				     ir->serialize, c);
	if (c->err)
		return kb_fail(c, "baseline serialize");
	/* the only slab objects a baseline allocates are xarray nodes */
	c->ops->sizes(c->bt, &c->h, &sizes);
	proto.tracker_bytes = c->slab_delta * sizeof(struct xa_node) +
			      sizes.tracker;
	proto.handover_bytes = sizes.handover;
	proto.handover_alloc = sizes.handover_alloc;
	proto.nr_records = sizes.nr_records;

	ret = kb_deserialize_all(cfg, c, ir, c->w->bytes, &proto, rows,
				 nr_rows, skip);
	if (ret)
		return ret;
	for (i = first; i < *nr_rows; i++)
		deserialized |= !rows[i].skipped;
	/* restore reads what the last deserialize left in the memmap */
	if (deserialized) {
		restore = kb_measure(cfg, NULL, ir->restore, c);
		if (c->sum != kb_order_sum(c->w)) {
			fprintf(stderr, "kho_bench: %s restore found the wrong orders\n",
				c->ops->name);
			return -EFAULT;
		}
	}
	probe = kb_measure(cfg, NULL, ir->probe, c);
	kb_fill(rows, first, *nr_rows, &restore, &probe);
	return 0;
}

static void kb_release(struct kb_ctx *c)
{
	unsigned long i;

	if (c->kr_live)
		kho_ranges_destroy(&c->kr);
	if (c->bt)
		c->ops->destroy(c->bt);
	c->kr_live = false;
	c->bt = NULL;
	if (c->area_pages) {
		for (i = 0; i < c->w->nr_areas; i++)
			free(c->area_pages[i]);
		free(c->area_pages);
		c->area_pages = NULL;
	}
}

/*
 * Measure one workload with every selected tracker into @rows. The
 * simulated machine is made for it and torn down after.
 */
static int kb_run(const struct kb_config *cfg, struct kb_workload *w,
		  struct kb_row *rows, unsigned int *nr_rows,
		  const bool (*skip)[KB_NR_STRATEGIES])
{
	struct kb_ctx c = { .w = w };
	unsigned long i, j;
	unsigned int t;
	int ret;

	*nr_rows = 0;
	/* slab costs as in a kernel, for every tracker (sim.c) */
	kho_sim_slab_model = true;
	ret = kho_sim_init(w->ram_size, KB_POOL);
	if (ret) {
		fprintf(stderr, "kho_bench: cannot map %llu GiB of RAM\n",
			(unsigned long long)w->ram_size >> 30);
		return ret;
	}
	kb_workload_place(w, PHYS_PFN(kho_sim.ram_base));

	if (w->nr_areas) {
		c.area_pages = calloc(w->nr_areas, sizeof(*c.area_pages));
		for (i = 0; c.area_pages && i < w->nr_areas; i++) {
			c.area_pages[i] = malloc(w->areas[i].nr *
						 sizeof(struct page *));
			if (!c.area_pages[i])
				break;
			for (j = 0; j < w->areas[i].nr; j++)
				c.area_pages[i][j] =
					pfn_to_page(w->folios[w->areas[i].first + j].pfn);
		}
		if (!c.area_pages || i < w->nr_areas) {
			ret = -ENOMEM;
			goto out;
		}
	}

	for (t = 0; t < kho_nr_baselines && !ret; t++)
		if (cfg->baseline[t])
			ret = kb_run_baseline(cfg, &c, t, rows, nr_rows, skip);
	if (!ret)
		ret = kb_run_ranges(cfg, &c, rows, nr_rows, skip);
out:
	kb_release(&c);
	kho_sim_exit();
	return ret;
}

/* ---- output ------------------------------------------------------------ */

static const char kb_csv_header[] =
	"workload,params,nr_folios,preserved_bytes,tracker,strategy,reps,preserve_ns,tracker_bytes,serialize_ns,handover_bytes,handover_alloc_bytes,nr_records,deserialize_ns,deserialize_min_ns,deserialize_max_ns,memblock_regions,restore_ns,probe_ns";

static int kb_write_csv(const char *file, const struct kb_workload *w,
			const struct kb_row *rows, unsigned int nr_rows)
{
	struct stat st;
	bool header = stat(file, &st) || !st.st_size;
	unsigned int i;
	FILE *f;

	f = fopen(file, "a");
	if (!f) {
		fprintf(stderr, "kho_bench: cannot write %s\n", file);
		return -EIO;
	}
	if (header)
		fprintf(f, "%s\n", kb_csv_header);
	for (i = 0; i < nr_rows; i++) {
		const struct kb_row *r = &rows[i];

		/*
		 * A skipped deserialize leaves its columns empty; the
		 * tracker's own figures are still measured and written.
		 */
		if (r->skipped) {
			fprintf(f, "%s,\"%s\",%lu,%llu,%s,%s,0,%llu,%llu,%llu,%llu,%llu,%llu,,,,,%llu,%llu\n",
				w->name, w->params, w->nr_folios,
				(unsigned long long)w->bytes, r->tracker,
				r->strategy_name,
				r->preserve.median, r->tracker_bytes,
				r->serialize.median, r->handover_bytes,
				r->handover_alloc, r->nr_records,
				r->restore.median, r->probe.median);
			continue;
		}
		fprintf(f, "%s,\"%s\",%lu,%llu,%s,%s,%u,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n",
			w->name, w->params, w->nr_folios,
			(unsigned long long)w->bytes, r->tracker,
			r->strategy_name, r->deserialize.reps,
			r->preserve.median, r->tracker_bytes,
			r->serialize.median, r->handover_bytes,
			r->handover_alloc, r->nr_records,
			r->deserialize.median, r->deserialize.min,
			r->deserialize.max, r->regions, r->restore.median,
			r->probe.median);
	}
	return fclose(f) ? -EIO : 0;
}

static const char *kb_ns(unsigned long long ns, char *buf, size_t len)
{
	if (ns >= 10 * NSEC_PER_SEC)
		snprintf(buf, len, "%.1f s", ns / 1e9);
	else if (ns >= 10000000)
		snprintf(buf, len, "%.0f ms", ns / 1e6);
	else if (ns >= 10000)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.1f us", ns / 1e3);
	return buf;
}

static const char *kb_bytes(unsigned long long b, char *buf, size_t len)
{
	if (b >= 10ULL << 30)
		snprintf(buf, len, "%.1f GiB", b / (double)(1ULL << 30));
	else if (b >= 10ULL << 20)
		snprintf(buf, len, "%.1f MiB", b / (double)(1ULL << 20));
	else if (b >= 10ULL << 10)
		snprintf(buf, len, "%.1f KiB", b / 1024.0);
	else
		snprintf(buf, len, "%llu B", b);
	return buf;
}

static const struct kb_row *kb_find(const struct kb_row *rows,
				    unsigned int nr, const char *tracker,
				    enum kb_strategy s)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (rows[i].strategy == s && !rows[i].skipped &&
		    !strcmp(rows[i].tracker, tracker))
			return &rows[i];
	return NULL;
}

/* one ratio column: baseline / ranges, or "-" */
static void kb_ratio(double a, double b)
{
	if (a > 0 && b > 0)
		printf(" %12.2fx", a / b);
	else
		printf(" %13s", "-");
}

/* the first row of @tracker, any strategy */
static const struct kb_row *kb_tracker_row(const struct kb_row *rows,
					   unsigned int nr, const char *tracker)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(rows[i].tracker, tracker))
			return &rows[i];
	return NULL;
}

static void kb_summary(const struct kb_workload *w, const struct kb_row *rows,
		       unsigned int nr)
{
	static const char *const metrics[] = {
		"deserialize, upstream / ranges",
		"deserialize, bulk / ranges-bulk",
		"deserialize, upstream / ranges-bulk",
		"handover bytes", "tracker memory", "preserve", "serialize",
		"memblock regions", "restore",
	};
	const struct kb_row *bl[KB_MAX_TRACKERS], *rt, *rg, *rgb;
	unsigned int i, m, nr_bl = 0;
	char b[10][24];

	printf("\n== %s: %s ==\n", w->name, w->params);
	printf("%lu folios, %s preserved; times are medians (reps = timed runs of deserialize)\n",
	       w->nr_folios, kb_bytes(w->bytes, b[0], sizeof(b[0])));
	printf("%-12s %-12s %4s %10s %10s %10s %10s %9s %11s %8s %10s %10s\n",
	       "tracker", "strategy", "reps", "preserve", "memory", "serialize",
	       "handover", "records", "deserialize", "regions", "restore",
	       "probe");
	for (i = 0; i < nr; i++) {
		const struct kb_row *r = &rows[i];

		if (r->skipped) {
			printf("%-12s %-12s skipped: predicted to take longer than --max-run\n",
			       r->tracker, r->strategy_name);
			continue;
		}
		printf("%-12s %-12s %4u %10s %10s %10s %10s %9llu %11s %8llu %10s %10s\n",
		       r->tracker, r->strategy_name,
		       r->deserialize.reps,
		       kb_ns(r->preserve.median, b[0], sizeof(b[0])),
		       kb_bytes(r->tracker_bytes, b[1], sizeof(b[1])),
		       kb_ns(r->serialize.median, b[2], sizeof(b[2])),
		       kb_bytes(r->handover_bytes, b[3], sizeof(b[3])),
		       r->nr_records,
		       kb_ns(r->deserialize.median, b[4], sizeof(b[4])),
		       r->regions,
		       kb_ns(r->restore.median, b[5], sizeof(b[5])),
		       kb_ns(r->probe.median, b[6], sizeof(b[6])));
	}

	rt = kb_tracker_row(rows, nr, "ranges");
	rg = kb_find(rows, nr, "ranges", KB_RANGES);
	rgb = kb_find(rows, nr, "ranges", KB_RANGES_BULK);
	for (i = 0; i < kho_nr_baselines && nr_bl < KB_MAX_TRACKERS; i++) {
		const struct kb_row *r = kb_tracker_row(rows, nr,
							kho_baselines[i]->name);

		if (r)
			bl[nr_bl++] = r;
	}
	if (!rt || !nr_bl)
		return;
	/* no probe: ranges' and the baselines' measure different work */
	printf("ratios baseline / ranges (above 1: ranges is smaller or faster)\n");
	printf("  %-36s", "");
	for (i = 0; i < nr_bl; i++)
		printf(" %13s", bl[i]->tracker);
	printf("\n");
	for (m = 0; m < ARRAY_SIZE(metrics); m++) {
		printf("  %-36s", metrics[m]);
		for (i = 0; i < nr_bl; i++) {
			const struct kb_row *t = bl[i];
			const struct kb_row *up, *bulk;

			up = kb_find(rows, nr, t->tracker, KB_BASELINE);
			bulk = kb_find(rows, nr, t->tracker, KB_BASELINE_BULK);
			switch (m) {
			case 0:
				kb_ratio(up && rg ? up->deserialize.median : 0,
					 rg ? rg->deserialize.median : 0);
				break;
			case 1:
				kb_ratio(bulk && rgb ? bulk->deserialize.median : 0,
					 rgb ? rgb->deserialize.median : 0);
				break;
			case 2:
				kb_ratio(up && rgb ? up->deserialize.median : 0,
					 rgb ? rgb->deserialize.median : 0);
				break;
			case 3:
				kb_ratio(t->handover_bytes, rt->handover_bytes);
				break;
			case 4:
				kb_ratio(t->tracker_bytes, rt->tracker_bytes);
				break;
			case 5:
				kb_ratio(t->preserve.median, rt->preserve.median);
				break;
			case 6:
				kb_ratio(t->serialize.median, rt->serialize.median);
				break;
			case 7:
				kb_ratio(up && rg ? up->regions : 0,
					 rg ? rg->regions : 0);
				break;
			default:
				kb_ratio(t->restore.median, rt->restore.median);
			}
		}
		printf("\n");
	}
}

/* ---- command line ------------------------------------------------------ */

static void kb_usage(FILE *f)
{
	fprintf(f,
		"usage: kho_bench WORKLOAD [options]   (bench/README.md has the details)\n"
		"workloads: rapoport contig scatter alternate density vmalloc sweep replay\n"
		"measurement: --reps N --warmup N --budget SEC --max-run SEC\n"
		"             --strategies LIST --bitmap 6.16|6.18|both\n"
		"             --baselines all|bitmap-6.16,bitmap-6.18,radix\n"
		"output:      --csv FILE --dump FILE --no-summary\n"
		"workload:    --seed N --ram-gib G\n"
		"  rapoport   --per-order N --max-order N --uniform --noise P --extent N\n"
		"  contig     --gib G --order N\n"
		"  scatter    --count N\n"
		"  alternate  --mib N\n"
		"  density    --mib N --percent P\n"
		"  vmalloc    --areas N --area-pages N --run-prob P\n"
		"  sweep      --kind rapoport|scatter --from N --to N --steps N\n"
		"  replay     --input FILE\n");
}

static int kb_parse_strategies(struct kb_config *cfg, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	enum kb_strategy s;
	unsigned int i;
	int ret = 0;

	memset(cfg->strategy, 0, sizeof(cfg->strategy));
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		for (s = 0; s < KB_NR_STRATEGIES; s++)
			if (!strcmp(tok, kb_strategy_names[s]))
				break;
		/* a baseline's strategy name selects every baseline's */
		for (i = 0; s == KB_NR_STRATEGIES && i < kho_nr_baselines; i++) {
			const char *name = kho_baselines[i]->strategy;
			size_t len = strlen(name);

			if (!strcmp(tok, name))
				s = KB_BASELINE;
			else if (!strncmp(tok, name, len) &&
				 !strcmp(tok + len, "-bulk"))
				s = KB_BASELINE_BULK;
		}
		if (s == KB_NR_STRATEGIES) {
			fprintf(stderr, "kho_bench: unknown strategy %s\n", tok);
			ret = -EINVAL;
		} else {
			cfg->strategy[s] = true;
		}
	}
	free(copy);
	return ret;
}

enum {
	OPT_REPS = 256, OPT_WARMUP, OPT_BUDGET, OPT_MAX_RUN, OPT_STRATEGIES,
	OPT_BITMAP, OPT_BASELINES, OPT_CSV, OPT_DUMP, OPT_NO_SUMMARY, OPT_SEED, OPT_RAM,
	OPT_PER_ORDER, OPT_MAX_ORDER, OPT_UNIFORM, OPT_NOISE, OPT_EXTENT, OPT_GIB,
	OPT_ORDER, OPT_COUNT, OPT_MIB, OPT_PERCENT, OPT_AREAS, OPT_AREA_PAGES,
	OPT_RUN_PROB, OPT_KIND, OPT_FROM, OPT_TO, OPT_STEPS, OPT_INPUT,
	OPT_HELP,
};

static const struct option kb_options[] = {
	{ "reps", required_argument, NULL, OPT_REPS },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "budget", required_argument, NULL, OPT_BUDGET },
	{ "max-run", required_argument, NULL, OPT_MAX_RUN },
	{ "strategies", required_argument, NULL, OPT_STRATEGIES },
	{ "bitmap", required_argument, NULL, OPT_BITMAP },
	{ "baselines", required_argument, NULL, OPT_BASELINES },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "dump", required_argument, NULL, OPT_DUMP },
	{ "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "ram-gib", required_argument, NULL, OPT_RAM },
	{ "per-order", required_argument, NULL, OPT_PER_ORDER },
	{ "max-order", required_argument, NULL, OPT_MAX_ORDER },
	{ "uniform", no_argument, NULL, OPT_UNIFORM },
	{ "noise", required_argument, NULL, OPT_NOISE },
	{ "extent", required_argument, NULL, OPT_EXTENT },
	{ "gib", required_argument, NULL, OPT_GIB },
	{ "order", required_argument, NULL, OPT_ORDER },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "mib", required_argument, NULL, OPT_MIB },
	{ "percent", required_argument, NULL, OPT_PERCENT },
	{ "areas", required_argument, NULL, OPT_AREAS },
	{ "area-pages", required_argument, NULL, OPT_AREA_PAGES },
	{ "run-prob", required_argument, NULL, OPT_RUN_PROB },
	{ "kind", required_argument, NULL, OPT_KIND },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "steps", required_argument, NULL, OPT_STEPS },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* --baselines LIST: names of kho_baselines[], or "all" */
static int kb_parse_baselines(struct kb_config *cfg, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	unsigned int i;
	int ret = 0;

	memset(cfg->baseline, 0, sizeof(cfg->baseline));
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		const struct kho_baseline_ops *ops = kho_baseline_find(tok);

		for (i = 0; i < kho_nr_baselines; i++)
			if (!strcmp(tok, "all") || kho_baselines[i] == ops)
				cfg->baseline[i] = true;
		if (!ops && strcmp(tok, "all")) {
			fprintf(stderr, "kho_bench: unknown baseline %s\n", tok);
			ret = -EINVAL;
		}
	}
	free(copy);
	return ret;
}

/* --bitmap 6.16|6.18|both: which bitmap baselines, the others as they are */
static int kb_parse_bitmap(struct kb_config *cfg, const char *v)
{
	bool b16 = !strcmp(v, "6.16") || !strcmp(v, "both");
	bool b18 = !strcmp(v, "6.18") || !strcmp(v, "both");
	unsigned int i;

	if (!b16 && !b18)
		return -EINVAL;
	for (i = 0; i < kho_nr_baselines; i++) {
		if (kho_baselines[i] == &kho_bitmap_6_16_ops)
			cfg->baseline[i] = b16;
		if (kho_baselines[i] == &kho_bitmap_6_18_ops)
			cfg->baseline[i] = b18;
	}
	return 0;
}

static int kb_parse(int argc, char **argv, struct kb_config *cfg,
		    struct kb_params *p)
{
	int opt, ret = 0;

	kb_params_default(p);
	memset(cfg, 0, sizeof(*cfg));
	cfg->reps = 5;
	cfg->warmup = 1;
	cfg->budget = 3;
	cfg->max_run = 20;
	kb_parse_baselines(cfg, "bitmap-6.16,radix");
	cfg->summary = true;
	cfg->kind = "rapoport";
	cfg->from = 100;
	cfg->to = 1e6;
	cfg->steps = 2;
	kb_parse_strategies(cfg, "baseline,baseline-bulk,ranges,ranges-bulk");

	while (!ret && (opt = getopt_long(argc, argv, "", kb_options,
					  NULL)) != -1) {
		switch (opt) {
		case OPT_REPS:
			cfg->reps = min(max(atoi(optarg), 1), KB_MAX_REPS);
			break;
		case OPT_WARMUP:
			cfg->warmup = max(atoi(optarg), 0);
			break;
		case OPT_BUDGET:
			cfg->budget = atof(optarg);
			break;
		case OPT_MAX_RUN:
			cfg->max_run = atof(optarg);
			break;
		case OPT_STRATEGIES:
			ret = kb_parse_strategies(cfg, optarg);
			break;
		case OPT_BITMAP:
			ret = kb_parse_bitmap(cfg, optarg);
			break;
		case OPT_BASELINES:
			ret = kb_parse_baselines(cfg, optarg);
			break;
		case OPT_CSV:
			cfg->csv = optarg;
			break;
		case OPT_DUMP:
			cfg->dump = optarg;
			break;
		case OPT_NO_SUMMARY:
			cfg->summary = false;
			break;
		case OPT_SEED:
			p->seed = strtoull(optarg, NULL, 0);
			break;
		case OPT_RAM:
			p->ram_gib = atof(optarg);
			break;
		case OPT_PER_ORDER:
			p->per_order = strtoul(optarg, NULL, 0);
			break;
		case OPT_MAX_ORDER:
			p->max_order = atoi(optarg);
			break;
		case OPT_UNIFORM:
			p->uniform = true;
			break;
		case OPT_NOISE:
			p->noise = atof(optarg);
			break;
		case OPT_EXTENT:
			p->extent = atof(optarg);
			break;
		case OPT_GIB:
			p->gib = atof(optarg);
			break;
		case OPT_ORDER:
			p->order = atoi(optarg);
			break;
		case OPT_COUNT:
			p->count = strtod(optarg, NULL);
			break;
		case OPT_PERCENT:
			p->percent = strtod(optarg, NULL);
			break;
		case OPT_MIB:
			p->mib = strtoul(optarg, NULL, 0);
			break;
		case OPT_AREAS:
			p->areas = strtoul(optarg, NULL, 0);
			break;
		case OPT_AREA_PAGES:
			p->area_pages = strtoul(optarg, NULL, 0);
			break;
		case OPT_RUN_PROB:
			p->run_prob = atof(optarg);
			break;
		case OPT_KIND:
			cfg->kind = optarg;
			break;
		case OPT_FROM:
			cfg->from = strtod(optarg, NULL);
			break;
		case OPT_TO:
			cfg->to = strtod(optarg, NULL);
			break;
		case OPT_STEPS:
			cfg->steps = max(atoi(optarg), 1);
			break;
		case OPT_INPUT:
			p->input = optarg;
			break;
		case OPT_HELP:
			kb_usage(stdout);
			exit(0);
		default:
			ret = -EINVAL;
		}
	}
	if (ret || optind != argc - 1) {
		kb_usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int kb_generate(const char *name, struct kb_workload *w,
		       const struct kb_params *p)
{
	static const struct {
		const char *name;
		int (*fn)(struct kb_workload *w, const struct kb_params *p);
	} gen[] = {
		{ "rapoport", kb_workload_rapoport },
		{ "contig", kb_workload_contig },
		{ "scatter", kb_workload_scatter },
		{ "alternate", kb_workload_alternate },
		{ "density", kb_workload_density },
		{ "vmalloc", kb_workload_vmalloc },
		{ "replay", kb_workload_replay },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(gen); i++) {
		if (strcmp(name, gen[i].name))
			continue;
		if (!strcmp(name, "replay") && !p->input) {
			fprintf(stderr, "kho_bench: replay needs --input FILE\n");
			return -EINVAL;
		}
		ret = gen[i].fn(w, p);
		if (ret)
			fprintf(stderr, "kho_bench: cannot generate %s: %s\n",
				name, strerror(-ret));
		return ret;
	}
	fprintf(stderr, "kho_bench: unknown workload %s\n", name);
	kb_usage(stderr);
	return -EINVAL;
}

static int kb_output(const struct kb_config *cfg, const struct kb_workload *w,
		     const struct kb_row *rows, unsigned int nr)
{
	if (cfg->summary)
		kb_summary(w, rows, nr);
	return cfg->csv ? kb_write_csv(cfg->csv, w, rows, nr) : 0;
}

static int kb_one(const struct kb_config *cfg, const char *name,
		  const struct kb_params *p)
{
	struct kb_row rows[KB_MAX_ROWS];
	struct kb_workload w;
	unsigned int nr;
	int ret;

	ret = kb_generate(name, &w, p);
	if (!ret && cfg->dump) {
		ret = kb_workload_dump(&w, cfg->dump);
		if (ret)
			fprintf(stderr, "kho_bench: cannot write %s\n",
				cfg->dump);
	}
	if (!ret)
		ret = kb_run(cfg, &w, rows, &nr, NULL);
	if (!ret)
		ret = kb_output(cfg, &w, rows, nr);
	kb_workload_free(&w);
	return ret;
}

/* least-squares slope of log(t) over log(n): t grows like n^slope */
static double kb_slope(const double *n, const double *t, unsigned int nr)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		double x = log(n[i]), y = log(t[i]);

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	if (nr < 2 || sxx * nr == sx * sx)
		return NAN;
	return (nr * sxy - sx * sy) / (nr * sxx - sx * sx);
}

#define KB_SWEEP_MAX	64
/* the exponent is fitted where fixed costs no longer dominate */
#define KB_SWEEP_FIT_FROM	1000

/*
 * Deserialize time against the number of folios, from --from to --to in
 * --steps per decade. A strategy whose next run is predicted (quadratic
 * growth from its last one) to take longer than --max-run is skipped from
 * then on; its exponent is fitted on the sizes it ran.
 */
static int kb_sweep(const struct kb_config *cfg, const struct kb_params *base)
{
	static double xs[KB_MAX_ROWS][KB_SWEEP_MAX], ys[KB_MAX_ROWS][KB_SWEEP_MAX];
	unsigned int nr_pts[KB_MAX_ROWS] = { 0 }, nr_series = 0, i, nr, step;
	char label[KB_MAX_ROWS][64];
	static unsigned long long last[KB_MAX_TRACKERS][KB_NR_STRATEGIES];
	static bool skip[KB_MAX_TRACKERS][KB_NR_STRATEGIES];
	double prev_n = 0;
	int ret = 0;

	if (strcmp(cfg->kind, "rapoport") && strcmp(cfg->kind, "scatter")) {
		fprintf(stderr, "kho_bench: sweep --kind is rapoport or scatter\n");
		return -EINVAL;
	}
	for (step = 0; step < KB_SWEEP_MAX && !ret; step++) {
		double n = cfg->from * pow(10, (double)step / cfg->steps);
		struct kb_row rows[KB_MAX_ROWS];
		struct kb_params p = *base;
		struct kb_workload w;
		enum kb_strategy s;
		unsigned int t;

		if (n > cfg->to * 1.0001)
			break;
		if (!strcmp(cfg->kind, "rapoport"))
			p.per_order = max(1UL, (unsigned long)(n / (p.max_order + 1) + 0.5));
		else
			p.count = n + 0.5;
		for (t = 0; t < KB_MAX_TRACKERS; t++) {
			for (s = 0; s < KB_NR_STRATEGIES; s++) {
				double grow = prev_n ? n / prev_n : 1;

				if (last[t][s] &&
				    last[t][s] * grow * grow / 1e9 > cfg->max_run)
					skip[t][s] = true;
			}
		}
		prev_n = n;

		ret = kb_generate(cfg->kind, &w, &p);
		if (ret)
			break;
		snprintf(w.name, sizeof(w.name), "sweep-%s", cfg->kind);
		ret = kb_run(cfg, &w, rows, &nr, skip);
		if (!ret)
			ret = kb_output(cfg, &w, rows, nr);
		for (i = 0; !ret && i < nr; i++) {
			if (rows[i].skipped)
				continue;
			t = rows[i].tracker_idx;
			s = rows[i].strategy;
			last[t][s] = max(last[t][s], rows[i].deserialize.median);
			snprintf(label[i], sizeof(label[i]), "%.15s %.15s",
				 rows[i].tracker,
				 rows[i].strategy_name);
			if (w.nr_folios >= KB_SWEEP_FIT_FROM) {
				xs[i][nr_pts[i]] = w.nr_folios;
				ys[i][nr_pts[i]++] = rows[i].deserialize.median;
			}
		}
		kb_workload_free(&w);
		nr_series = max(nr_series, nr);
	}
	if (ret)
		return ret;

	printf("\n== sweep-%s: growth of deserialize time, t ~ n^k, least squares over n >= %d ==\n",
	       cfg->kind, KB_SWEEP_FIT_FROM);
	for (i = 0; i < nr_series; i++)
		printf("  %-30s k = %.2f  (%u sizes, up to %.0f folios)\n",
		       label[i], kb_slope(xs[i], ys[i], nr_pts[i]), nr_pts[i],
		       nr_pts[i] ? xs[i][nr_pts[i] - 1] : 0);
	return 0;
}

/*
 * glibc picks its EVEX (AVX-512VL) string functions where the CPU has them.
 * On this project's AMD EPYC guest their masked loads cost 1 to 3 us a call
 * near the end of a page: libfdt's string table search ends at the end of
 * the FDT page, so each fdt_property_u64() took 1.1 to 3.3 us instead of 40
 * ns, the same for any tracker but once per property. The kernel's
 * memcmp(), memcpy() and memset() never use AVX-512, so the measured code
 * runs with glibc's AVX2 ones: re-run with the tunable that drops EVEX,
 * unless it is set already or valgrind (which never offers AVX-512) runs
 * us. KB_KEEP_EVEX=1 measures with glibc's choice.
 */
#define KB_TUNABLE	"glibc.cpu.hwcaps=-AVX512VL"

static void kb_no_evex(char **argv)
{
	const char *t = getenv("GLIBC_TUNABLES");
	const char *preload = getenv("LD_PRELOAD");
	static char v[512];

	if (getenv("KB_KEEP_EVEX") || (t && strstr(t, KB_TUNABLE)) ||
	    (preload && strstr(preload, "vgpreload")))
		return;
	if (snprintf(v, sizeof(v), "%s%s%s", t ?: "", t ? ":" : "",
		     KB_TUNABLE) >= (int)sizeof(v) ||
	    setenv("GLIBC_TUNABLES", v, 1))
		return;
	execv("/proc/self/exe", argv);
	fprintf(stderr, "kho_bench: cannot re-run with %s: %m; measuring with glibc's own string functions\n",
		KB_TUNABLE);
}

int main(int argc, char **argv)
{
	const char *workload;
	struct kb_config cfg;
	struct kb_params p;
	int ret;

	kb_no_evex(argv);
	if (kb_parse(argc, argv, &cfg, &p))
		return 2;
	workload = argv[optind];
	if (cfg.summary)
		printf("kho_bench %s: medians of up to %u timed runs after %u warm-up run(s); a measurement stops repeating once its runs add up to %.1f s; CLOCK_MONOTONIC; real mm/memblock.c, lib/xarray.c, lib/maple_tree.c of %s; GLIBC_TUNABLES=%s\n",
		       workload, cfg.reps, cfg.warmup, cfg.budget,
		       "linux-6.12", getenv("GLIBC_TUNABLES") ?: "(unset)");
	if (!strcmp(workload, "sweep"))
		ret = kb_sweep(&cfg, &p);
	else
		ret = kb_one(&cfg, workload, &p);
	return ret ? 1 : 0;
}

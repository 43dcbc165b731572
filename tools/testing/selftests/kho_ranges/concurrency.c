// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency: several threads preserve and unpreserve at once through the
 * tracker's external mutex (kho_ranges.h), each in its own window of pfns
 * with its own reference model (kr_model.h), so that every call's result
 * is known in advance although the calls interleave. On top of that each
 * thread keeps poking at the other windows where the answer is known too:
 * a pinned range there must always make a preserve fail with -EEXIST, and
 * a hole next to it must make an unpreserve fail with -ENOENT. A reader
 * walks the tree meanwhile and checks that it never sees it half-updated.
 *
 * Run under ThreadSanitizer by `make test-tsan`, and under ASan with the
 * other selftests. The windows are 2 * KR_MODEL_PAGES apart, so ranges of
 * different threads never touch and never coalesce.
 *
 *   window 0            gap         window 1            gap
 *   [model pages ...]   [--PPPP--]  [model pages ...]   [--PPPP--] ...
 *                          pinned
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kr_model.h"
#include "kr_blob.h"

#define CONC_THREADS		4
#define CONC_OPS		50000
#define CONC_STRIDE		(2 * KR_MODEL_PAGES)
#define CONC_PIN_OFF		(KR_MODEL_PAGES + KR_MODEL_PAGES / 2)
#define CONC_PIN_PAGES		16
#define CONC_PIN_INFO		KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO, 0xbeef)
#define CONC_CHECK_EVERY	1000
#define CONC_WALKS		500

struct conc_thread {
	pthread_t tid;
	struct kho_ranges *kr;
	struct kr_model m;
	unsigned int id;
	unsigned long ops;
	unsigned long ok;
	unsigned long contended;
	unsigned long busy;
	unsigned long progress;		/* atomic: successful calls so far */
	unsigned long done;		/* atomic: calls made so far */
	bool finished;			/* atomic */
	bool stop_on_busy;
	const char *err;
	unsigned long err_op;
	struct kho_harness_lock_stat lock;
	unsigned long long ns;
};

struct conc_reader {
	pthread_t tid;
	struct kho_ranges *kr;
	struct conc_thread *t;
	unsigned long base;
	unsigned long walks;
	const char *err;
	struct kho_harness_lock_stat lock;
	unsigned long long hold_ns;
	unsigned long long ns;
};

static unsigned long conc_base(unsigned int window)
{
	return kr_pfn(1UL << 16) + (unsigned long)window * CONC_STRIDE;
}

static unsigned long conc_pin(unsigned int window)
{
	return conc_base(window) + CONC_PIN_OFF;
}

/* the tracker's ranges inside @m's window are exactly the model's runs */
static const char *conc_window_compare(const struct kr_model *m,
				       struct kho_ranges *kr)
{
	struct kr_ranges rs = kr_collect(kr);
	const char *err = NULL;
	unsigned long i = 0, r = 0;

	while (r < rs.nr && rs.r[r].pfn < m->base)
		r++;
	while (i < KR_MODEL_PAGES && !err) {
		unsigned long start;

		if (!kr_model_used(m, i)) {
			i++;
			continue;
		}
		start = i;
		while (i < KR_MODEL_PAGES && m->info[i] == m->info[start])
			i++;
		if (r == rs.nr || rs.r[r].pfn != m->base + start ||
		    rs.r[r].nr_pages != i - start ||
		    rs.r[r].info != m->info[start] - 1)
			err = "window differs from its model";
		r++;
	}
	if (!err && r < rs.nr && rs.r[r].pfn < m->base + KR_MODEL_PAGES)
		err = "window has a range its model lacks";
	kr_ranges_free(&rs);
	return err;
}

/* calls into another thread's window whose answer never changes */
static const char *conc_contend(struct conc_thread *t)
{
	unsigned int other = (t->id + 1 + kr_rand(&t->m) % (CONC_THREADS - 1)) %
			     CONC_THREADS;
	unsigned long pin = conc_pin(other);
	unsigned long at = pin + kr_rand(&t->m) % CONC_PIN_PAGES;
	phys_addr_t first, last;

	if (kho_ranges_preserve(t->kr, at, 1, KR_PLAIN) != -EEXIST)
		return "preserve on a pinned page did not fail with -EEXIST";
	if (kho_ranges_preserve(t->kr, pin - 4, 8, KHO_RANGES_INFO(2, 0, 1)) !=
	    -EEXIST)
		return "preserve across a pinned range did not fail with -EEXIST";
	if (kho_ranges_unpreserve(t->kr, pin - 2, 4) != -ENOENT)
		return "unpreserve of a hole did not fail with -ENOENT";
	if (!kho_ranges_find_overlap(t->kr, PFN_PHYS(at), PFN_PHYS(at),
				     &first, &last) ||
	    first != PFN_PHYS(pin) ||
	    last != PFN_PHYS(pin + CONC_PIN_PAGES) - 1)
		return "pinned range not found where it is";
	t->contended++;
	return NULL;
}

static void *conc_worker(void *arg)
{
	struct conc_thread *t = arg;
	unsigned long long t0 = kho_harness_now_ns();
	unsigned long n;

	for (n = 0; n < t->ops && !t->err; n++) {
		struct kr_model_op op;
		int want, got;

		__atomic_store_n(&t->done, n, __ATOMIC_RELAXED);
		/* once frozen the tracker answers -EBUSY before anything else */
		if (n % 8 == 7 && !t->stop_on_busy) {
			t->err = conc_contend(t);
			t->err_op = n;
			continue;
		}
		op = kr_model_random_op(&t->m);
		if (op.preserve) {
			want = kr_model_preserve(&t->m, op.off, op.nr, op.info,
						 false);
			got = kho_ranges_preserve(t->kr, t->m.base + op.off,
						  op.nr, op.info);
		} else {
			want = kr_model_unpreserve(&t->m, op.off, op.nr, false);
			got = kho_ranges_unpreserve(t->kr, t->m.base + op.off,
						    op.nr);
		}
		if (got == -EBUSY && t->stop_on_busy) {
			t->busy++;
			break;
		}
		if (got != want) {
			t->err = "a call returned what the model did not expect";
			t->err_op = n;
			break;
		}
		if (!got) {
			t->ok++;
			__atomic_store_n(&t->progress, t->ok, __ATOMIC_RELAXED);
			if (op.preserve)
				kr_model_preserve(&t->m, op.off, op.nr, op.info,
						  true);
			else
				kr_model_unpreserve(&t->m, op.off, op.nr, true);
		}
		if (!t->stop_on_busy && n % CONC_CHECK_EVERY == 0) {
			t->err = conc_window_compare(&t->m, t->kr);
			t->err_op = n;
		}
	}
	t->ops = n;
	__atomic_store_n(&t->finished, true, __ATOMIC_RELEASE);
	t->lock = kho_harness_lock_stat;
	t->ns = kho_harness_now_ns() - t0;
	return NULL;
}

struct conc_walk {
	unsigned long prev_end;
	unsigned long pinned;
	unsigned long base;
	const char *err;
};

static int conc_walk_one(void *priv, unsigned long pfn, unsigned long nr,
			 u32 info)
{
	struct conc_walk *w = priv;
	unsigned long i;

	if (pfn < w->prev_end || !nr)
		w->err = "walk saw overlapping or unsorted ranges";
	for (i = 0; i < CONC_THREADS; i++)
		if (pfn == w->base + i * CONC_STRIDE + CONC_PIN_OFF &&
		    nr == CONC_PIN_PAGES && info == CONC_PIN_INFO)
			w->pinned++;
	w->prev_end = pfn + nr;
	return w->err ? 1 : 0;
}

/*
 * Has the writers' progress reached walk @k of CONC_WALKS? The walks are
 * spread evenly over the writers' calls, so that their number is fixed
 * whatever the scheduler does, and all of them overlap the writers.
 */
static bool conc_walk_due(const struct conc_reader *r, unsigned long k)
{
	unsigned long done = 0, finished = 0, i;

	for (i = 0; i < CONC_THREADS; i++) {
		done += __atomic_load_n(&r->t[i].done, __ATOMIC_RELAXED);
		finished += __atomic_load_n(&r->t[i].finished,
					    __ATOMIC_ACQUIRE);
	}
	return finished == CONC_THREADS ||
	       done >= k * (CONC_THREADS * (unsigned long)CONC_OPS / CONC_WALKS);
}

/* whole-tree walks while the writers run: always sorted, pins all there */
static void *conc_reader(void *arg)
{
	struct conc_reader *r = arg;
	unsigned long long t0 = kho_harness_now_ns();

	for (r->walks = 0; r->walks < CONC_WALKS && !r->err; r->walks++) {
		struct conc_walk w = { .base = r->base };
		unsigned long long h0;

		while (!conc_walk_due(r, r->walks))
			usleep(100);
		h0 = kho_harness_now_ns();
		kho_ranges_walk(r->kr, conc_walk_one, &w);
		r->hold_ns += kho_harness_now_ns() - h0;
		if (!w.err && w.pinned != CONC_THREADS)
			w.err = "walk missed a pinned range";
		r->err = w.err;
	}
	r->lock = kho_harness_lock_stat;
	r->hold_ns -= r->lock.wait_ns;
	r->ns = kho_harness_now_ns() - t0;
	return NULL;
}

/* the fixture, in a type of its own so that helpers can take it */
struct conc {
	struct kho_ranges kr;
	struct conc_thread *t;
	struct conc_reader reader;
};

FIXTURE(concurrency) {
	struct conc c;
};

FIXTURE_SETUP(concurrency)
{
	struct conc *c = &self->c;
	unsigned int i;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&c->kr);
	c->t = calloc(CONC_THREADS, sizeof(*c->t));
	ASSERT_NE(NULL, c->t);
	for (i = 0; i < CONC_THREADS; i++) {
		struct conc_thread *t = &c->t[i];

		t->kr = &c->kr;
		t->id = i;
		t->ops = CONC_OPS;
		kr_model_init(&t->m, conc_base(i), 1000 + i);
		/* half the threads fill their windows into leaves */
		t->m.leafy = i & 1;
		ASSERT_EQ(0, kho_ranges_preserve(&c->kr, conc_pin(i),
						 CONC_PIN_PAGES, CONC_PIN_INFO));
	}
	c->reader = (struct conc_reader){
		.kr = &c->kr, .t = c->t, .base = conc_base(0),
	};
}

FIXTURE_TEARDOWN(concurrency)
{
	struct conc *c = &self->c;

	kho_ranges_destroy(&c->kr);
	free(c->t);
	kho_sim_exit();
}

static void conc_run(struct __test_metadata *_metadata,
		     struct conc *c, bool reader)
{
	unsigned int i;

	if (reader)
		ASSERT_EQ(0, pthread_create(&c->reader.tid, NULL,
					    conc_reader, &c->reader));
	for (i = 0; i < CONC_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&c->t[i].tid, NULL, conc_worker,
					    &c->t[i]));
}

static void conc_join(struct __test_metadata *_metadata,
		      struct conc *c, bool reader)
{
	unsigned int i;

	for (i = 0; i < CONC_THREADS; i++)
		ASSERT_EQ(0, pthread_join(c->t[i].tid, NULL));
	if (reader) {
		ASSERT_EQ(0, pthread_join(c->reader.tid, NULL));
		ASSERT_EQ(NULL, c->reader.err);
	}
	for (i = 0; i < CONC_THREADS; i++) {
		ASSERT_EQ(NULL, c->t[i].err) {
			TH_LOG("thread %u, op %lu", i, c->t[i].err_op);
		}
	}
}

/* the tracker after the threads: every window its model, every pin there */
static void conc_check_final(struct __test_metadata *_metadata,
			     struct conc *c)
{
	unsigned long pages = 0, i, j;
	phys_addr_t first, last;

	ASSERT_EQ(NULL, kr_check_invariants(&c->kr));
	for (i = 0; i < CONC_THREADS; i++) {
		ASSERT_EQ(NULL, conc_window_compare(&c->t[i].m, &c->kr));
		for (j = 0; j < KR_MODEL_PAGES; j++)
			pages += kr_model_used(&c->t[i].m, j);
		ASSERT_TRUE(kho_ranges_find_overlap(&c->kr,
						    PFN_PHYS(conc_pin(i)),
						    PFN_PHYS(conc_pin(i)),
						    &first, &last));
		ASSERT_EQ(PFN_PHYS(conc_pin(i) + CONC_PIN_PAGES) - 1, last);
		pages += CONC_PIN_PAGES;
	}
	/* nothing outside the windows and the pins */
	ASSERT_EQ(pages, c->kr.nr_pages);
}

/*
 * The harness watchdog is 30 s by default; 200,000 contended calls under
 * ASan or TSan on a loaded 2-core machine can take longer. Not a timing
 * check: only a bound on a hang.
 */
TEST_F_TIMEOUT(concurrency, threads_in_disjoint_windows_match_their_models, 600)
{
	struct conc *c = &self->c;
	unsigned long ops = 0, ok = 0, contended = 0, i;

	conc_run(_metadata, c, true);
	conc_join(_metadata, c, true);
	conc_check_final(_metadata, c);
	for (i = 0; i < CONC_THREADS; i++) {
		ops += c->t[i].ops;
		ok += c->t[i].ok;
		contended += c->t[i].contended;
		/* each thread did real work, not just errors */
		ASSERT_LT(c->t[i].ops / 10, c->t[i].ok);
		ASSERT_LT(0, c->t[i].contended);
	}
	ASSERT_EQ(CONC_WALKS, c->reader.walks);
	/* the leafy threads' windows ended up as leaves: both kinds were hit */
	ASSERT_LT(0, c->kr.nr_leaves);
	for (i = 0; i < CONC_THREADS; i++)
		TH_LOG("writer %lu: %lu ops in %llu ms, lock taken %lu times, %lu contended, %llu ms waiting",
		       i, c->t[i].ops, c->t[i].ns / 1000000, c->t[i].lock.acquired,
		       c->t[i].lock.contended, c->t[i].lock.wait_ns / 1000000);
	TH_LOG("reader: %lu walks in %llu ms, holding the lock %llu ms, %lu contended, %llu ms waiting",
	       c->reader.walks, c->reader.ns / 1000000,
	       c->reader.hold_ns / 1000000, c->reader.lock.contended,
	       c->reader.lock.wait_ns / 1000000);
	TH_LOG("%d threads x %d ops: %lu calls (%lu succeeded, %lu cross-window contention checks), %lu concurrent walks, %lu leaves and %lu ranges at the end, 0 mismatches",
	       CONC_THREADS, CONC_OPS, ops, ok, contended, c->reader.walks,
	       c->kr.nr_leaves, c->kr.nr_ranges);
}

/*
 * Serialize while the threads preserve: it freezes the tracker in one step
 * under the lock, so every call returns either success (and is in the
 * blob) or -EBUSY (and is not); the blob holds exactly the tracker.
 */
TEST_F_TIMEOUT(concurrency, serialize_is_atomic_against_writers, 600)
{
	struct conc *c = &self->c;
	struct kho_ranges_incoming in;
	struct kr_ranges rs, blob;
	unsigned long i;

	for (i = 0; i < CONC_THREADS; i++) {
		c->t[i].stop_on_busy = true;
		c->t[i].ops = ULONG_MAX;
	}
	conc_run(_metadata, c, false);
	/* let every writer get going, whatever the scheduler does */
	for (i = 0; i < CONC_THREADS; i++)
		while (__atomic_load_n(&c->t[i].progress, __ATOMIC_RELAXED) < 64)
			sched_yield();
	ASSERT_EQ(0, kho_ranges_serialize(&c->kr));
	conc_join(_metadata, c, false);

	for (i = 0; i < CONC_THREADS; i++) {
		ASSERT_EQ(1, c->t[i].busy);
		ASSERT_EQ(NULL, conc_window_compare(&c->t[i].m, &c->kr));
	}
	kho_sim_boot(true);
	ASSERT_EQ(0, kho_ranges_deserialize(&in, c->kr.fdt_phys,
					    c->kr.fdt_size,
					    KHO_RANGES_RESERVE_DESCENDING));
	ASSERT_EQ(NULL, kr_check_reserved(&in));
	/* the blob holds exactly the tracker, leaves as bitmap records */
	rs = kr_collect(&c->kr);
	blob = kr_collect_incoming(&in);
	ASSERT_TRUE(kr_ranges_equal(&rs, &blob));
	kr_ranges_free(&rs);
	kr_ranges_free(&blob);
	ASSERT_EQ(c->kr.nr_pages, in.nr_pages);
	TH_LOG("%d writers stopped by -EBUSY at the freeze; blob of %lu records matches the tracker",
	       CONC_THREADS, (unsigned long)in.nr_ranges);
}

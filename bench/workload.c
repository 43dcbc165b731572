// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark workloads, see workload.h and bench/README.md.
 *
 * Every generator is deterministic for a given seed, so that both trackers,
 * every repetition and every machine see the same folios.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/mm.h>

#include "workload.h"

#define KB_GIB			((u64)1 << 30)
#define KB_PAGES_PER_GIB	(KB_GIB >> PAGE_SHIFT)
/* the buddy allocator's largest block, MAX_PAGE_ORDER of x86 */
#define KB_BUDDY_MAX_ORDER	10
#define KB_ORDER_LIMIT		30

/* splitmix64: small, fast, and the same everywhere */
static u64 kb_rand(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 kb_below(u64 *state, u64 n)
{
	return kb_rand(state) % n;
}

static double kb_unit(u64 *state)
{
	return (kb_rand(state) >> 11) * (1.0 / (1ULL << 53));
}

/**
 * kb_params_default() - the parameters of the default suite
 * @p: filled in
 */
void kb_params_default(struct kb_params *p)
{
	memset(p, 0, sizeof(*p));
	p->seed = 1;
	p->per_order = 1000;
	p->max_order = 10;
	p->noise = 0.3;
	p->extent = 8;
	p->gib = 4;
	p->count = 100000;
	p->mib = 256;
	p->percent = 50;
	p->areas = 64;
	p->area_pages = 256;
	p->run_prob = 0.05;
}

static int kb_add(struct kb_workload *w, unsigned long pfn,
		  unsigned int order)
{
	unsigned long n = w->nr_folios;

	/* grow by doubling: the sweep adds a million folios one by one */
	if (!(n & (n - 1))) {
		struct kb_folio *f = realloc(w->folios,
					     (n ? 2 * n : 1) * sizeof(*f));

		if (!f)
			return -ENOMEM;
		w->folios = f;
	}
	w->folios[n] = (struct kb_folio){ .pfn = pfn, .order = order };
	w->nr_folios++;
	w->bytes += PAGE_SIZE << order;
	return 0;
}

static void kb_name(struct kb_workload *w, const char *name)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", name);
}

static u64 kb_ram(const struct kb_params *p, u64 need)
{
	u64 ram = p->ram_gib > 0 ? (u64)(p->ram_gib * KB_GIB) : need;

	return ALIGN(ram, KB_GIB);
}

/*
 * A buddy allocator that only splits: free lists are stacks, a request
 * takes the smallest free block that fits, keeps its lower half and pushes
 * the upper halves, as expand() in mm/page_alloc.c does. So a run of
 * requests of one order is served from the buddies of one split, at
 * adjacent addresses, until another request takes the buddy first.
 */
struct kb_buddy {
	unsigned long *stack[KB_BUDDY_MAX_ORDER + 1];
	unsigned long nr[KB_BUDDY_MAX_ORDER + 1];
	unsigned long cap[KB_BUDDY_MAX_ORDER + 1];
};

static int kb_buddy_push(struct kb_buddy *b, unsigned int order,
			 unsigned long pfn)
{
	if (b->nr[order] == b->cap[order]) {
		unsigned long cap = b->cap[order] ? 2 * b->cap[order] : 64;
		unsigned long *s = realloc(b->stack[order], cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		b->stack[order] = s;
		b->cap[order] = cap;
	}
	b->stack[order][b->nr[order]++] = pfn;
	return 0;
}

static long kb_buddy_alloc(struct kb_buddy *b, unsigned int order)
{
	unsigned int k = order;
	unsigned long pfn;

	while (k <= KB_BUDDY_MAX_ORDER && !b->nr[k])
		k++;
	if (k > KB_BUDDY_MAX_ORDER)
		return -ENOMEM;
	pfn = b->stack[k][--b->nr[k]];
	while (k > order) {
		k--;
		if (kb_buddy_push(b, k, pfn + (1UL << k)))
			return -ENOMEM;
	}
	return pfn;
}

/*
 * The free list of max-order blocks of a machine that has run for a while:
 * extents of adjacent blocks (geometric lengths of mean @extent) in random
 * order, each extent lowest address first. A freshly booted machine would
 * be one extent; page_alloc.shuffle=1 would be extents of one block.
 */
static int kb_buddy_boot(struct kb_buddy *b, unsigned long nr_pages,
			 double extent, u64 *seed)
{
	unsigned long nr = nr_pages >> KB_BUDDY_MAX_ORDER, nr_ext = 0, i, j;
	struct kb_extent {
		unsigned long start;
		unsigned long len;
	} *ext = malloc(nr * sizeof(*ext)), tmp;
	int ret = 0;

	if (!ext)
		return -ENOMEM;
	for (i = 0; i < nr; i += ext[nr_ext++].len) {
		ext[nr_ext].start = i;
		ext[nr_ext].len = 1;
		while (i + ext[nr_ext].len < nr &&
		       kb_unit(seed) >= 1 / max(extent, 1.0))
			ext[nr_ext].len++;
	}
	for (i = nr_ext; i > 1; i--) {
		j = kb_below(seed, i);
		tmp = ext[i - 1];
		ext[i - 1] = ext[j];
		ext[j] = tmp;
	}
	/* a stack: push the last extent first, each from its top down */
	for (i = nr_ext; i-- && !ret; )
		for (j = ext[i].start + ext[i].len; j-- > ext[i].start && !ret; )
			ret = kb_buddy_push(b, KB_BUDDY_MAX_ORDER,
					    j << KB_BUDDY_MAX_ORDER);
	free(ext);
	return ret;
}

static void kb_buddy_free(struct kb_buddy *b)
{
	unsigned int k;

	for (k = 0; k <= KB_BUDDY_MAX_ORDER; k++)
		free(b->stack[k]);
}

/* RAM pages as an occupancy bitmap, for the placements that are not buddy */
struct kb_space {
	unsigned long *used;
	unsigned long nr_pages;
};

static int kb_space_init(struct kb_space *s, u64 ram_size)
{
	s->nr_pages = ram_size >> PAGE_SHIFT;
	s->used = calloc(BITS_TO_LONGS(s->nr_pages), sizeof(long));
	return s->used ? 0 : -ENOMEM;
}

static bool kb_space_free(struct kb_space *s, unsigned long pfn,
			  unsigned long nr)
{
	return pfn + nr <= s->nr_pages &&
	       find_next_bit(s->used, pfn + nr, pfn) >= pfn + nr;
}

static void kb_space_take(struct kb_space *s, unsigned long pfn,
			  unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		__set_bit(pfn + i, s->used);
}

/*
 * A random free block of @order: random tries first, then a scan from a
 * random start, so that an almost full RAM still terminates.
 */
static long kb_space_random(struct kb_space *s, u64 *seed, unsigned int order)
{
	unsigned long slots = s->nr_pages >> order, start, i;
	unsigned int try;

	if (!slots)
		return -ENOMEM;
	for (try = 0; try < 64; try++) {
		unsigned long pfn = kb_below(seed, slots) << order;

		if (kb_space_free(s, pfn, 1UL << order))
			return pfn;
	}
	start = kb_below(seed, slots);
	for (i = 0; i < slots; i++) {
		unsigned long pfn = ((start + i) % slots) << order;

		if (kb_space_free(s, pfn, 1UL << order))
			return pfn;
	}
	return -ENOMEM;
}

/**
 * kb_workload_rapoport() - about a thousand folios of every order
 * @w: filled in
 * @p: per_order, max_order, uniform, noise, seed, ram_gib
 *
 * Large orders first, as a machine that preserves guest memory and then
 * the smaller state around it would. Buddy-like placement (the default)
 * takes every folio from a splitting buddy allocator over the whole RAM,
 * with a random number of unrelated allocations (mean noise/(1-noise))
 * before each one; uniform placement puts every folio at a random free
 * aligned address instead.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int kb_workload_rapoport(struct kb_workload *w, const struct kb_params *p)
{
	unsigned long per_order = p->per_order, i;
	u64 seed = p->seed, bytes = 0;
	struct kb_buddy buddy = { 0 };
	struct kb_space space = { 0 };
	int order, ret = 0;
	long pfn;

	if (p->max_order > KB_BUDDY_MAX_ORDER || !per_order ||
	    p->noise < 0 || p->noise >= 1)
		return -EINVAL;
	kb_name(w, "rapoport");
	for (order = 0; order <= (int)p->max_order; order++)
		bytes += (u64)per_order * (PAGE_SIZE << order);
	/* half of RAM at most, and never less than the 16 GiB of the issue */
	w->ram_size = kb_ram(p, max(2 * bytes, 16 * KB_GIB));
	snprintf(w->params, sizeof(w->params),
		 "per_order=%lu max_order=%u placement=%s noise=%.3g extent=%.3g ram_gib=%llu seed=%llu",
		 per_order, p->max_order, p->uniform ? "uniform" : "buddy",
		 p->noise, p->extent, (unsigned long long)(w->ram_size / KB_GIB),
		 (unsigned long long)p->seed);

	if (p->uniform) {
		ret = kb_space_init(&space, w->ram_size);
	} else {
		ret = kb_buddy_boot(&buddy, w->ram_size >> PAGE_SHIFT,
				    p->extent, &seed);
	}

	for (order = p->max_order; order >= 0 && !ret; order--) {
		for (i = 0; i < per_order && !ret; i++) {
			if (p->uniform) {
				pfn = kb_space_random(&space, &seed, order);
				if (pfn >= 0)
					kb_space_take(&space, pfn, 1UL << order);
			} else {
				while (kb_unit(&seed) < p->noise)
					kb_buddy_alloc(&buddy,
						       kb_below(&seed, 4));
				pfn = kb_buddy_alloc(&buddy, order);
			}
			ret = pfn < 0 ? -ENOMEM : kb_add(w, pfn, order);
		}
	}
	kb_buddy_free(&buddy);
	free(space.used);
	return ret;
}

/**
 * kb_workload_contig() - one physically contiguous run of folios
 * @w: filled in
 * @p: gib, order, ram_gib
 *
 * Order 0 is the case of a large preserved buffer made of single pages
 * (memblock_reserve() per page, reported at over 2 s for 48 GiB); order 9
 * is hugetlb-like.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int kb_workload_contig(struct kb_workload *w, const struct kb_params *p)
{
	u64 bytes = (u64)(p->gib * KB_GIB);
	unsigned long nr, i;
	int ret = 0;

	if (p->order > KB_ORDER_LIMIT || bytes < (PAGE_SIZE << p->order))
		return -EINVAL;
	kb_name(w, "contig");
	nr = bytes / (PAGE_SIZE << p->order);
	w->ram_size = kb_ram(p, bytes + KB_GIB);
	snprintf(w->params, sizeof(w->params),
		 "gib=%g order=%u ram_gib=%llu", p->gib, p->order,
		 (unsigned long long)(w->ram_size / KB_GIB));
	for (i = 0; i < nr && !ret; i++)
		ret = kb_add(w, i << p->order, p->order);
	return ret;
}

static void kb_shuffle(struct kb_folio *f, unsigned long nr, u64 *seed)
{
	unsigned long i;

	for (i = nr; i > 1; i--) {
		unsigned long j = kb_below(seed, i);
		struct kb_folio tmp = f[i - 1];

		f[i - 1] = f[j];
		f[j] = tmp;
	}
}

/**
 * kb_workload_scatter() - isolated pages spread uniformly over RAM
 * @w: filled in
 * @p: count, seed, ram_gib
 *
 * The worst case for ranges: no two pages touch, so every page is a range.
 * RAM is cut into @count equal slots and each page lands at a random
 * offset of its slot, never on the slot's last page, so no two touch. They
 * are preserved in random order.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int kb_workload_scatter(struct kb_workload *w, const struct kb_params *p)
{
	unsigned long i, slot;
	u64 seed = p->seed;
	int ret = 0;

	if (!p->count)
		return -EINVAL;
	kb_name(w, "scatter");
	w->ram_size = kb_ram(p, max(16 * KB_GIB,
				    (u64)p->count * 4 * (u64)PAGE_SIZE));
	slot = (w->ram_size >> PAGE_SHIFT) / p->count;
	if (slot < 2)
		return -EINVAL;
	snprintf(w->params, sizeof(w->params), "count=%lu ram_gib=%llu seed=%llu",
		 p->count, (unsigned long long)(w->ram_size / KB_GIB),
		 (unsigned long long)p->seed);
	for (i = 0; i < p->count && !ret; i++)
		ret = kb_add(w, i * slot + kb_below(&seed, slot - 1), 0);
	kb_shuffle(w->folios, w->nr_folios, &seed);
	return ret;
}

/**
 * kb_workload_alternate() - every other page of a region
 * @w: filled in
 * @p: mib, ram_gib
 *
 * Adversarial for ranges: as many ranges as pages, while a bitmap is half
 * full.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int kb_workload_alternate(struct kb_workload *w, const struct kb_params *p)
{
	unsigned long nr = (p->mib << 20) / (2 * PAGE_SIZE), i;
	int ret = 0;

	if (!nr)
		return -EINVAL;
	kb_name(w, "alternate");
	w->ram_size = kb_ram(p, (p->mib << 20) + KB_GIB);
	snprintf(w->params, sizeof(w->params), "mib=%lu ram_gib=%llu", p->mib,
		 (unsigned long long)(w->ram_size / KB_GIB));
	for (i = 0; i < nr && !ret; i++)
		ret = kb_add(w, 2 * i, 0);
	return ret;
}

/**
 * kb_workload_density() - a share of a region's pages, each drawn alone
 * @w: filled in
 * @p: mib, percent, seed, ram_gib
 *
 * Each page of the region is preserved with probability @percent / 100,
 * independently, and the pages are preserved in random order. With the
 * same region and seed a sweep of @percent shows where ranges, bitmaps and
 * a mix of both cost least: few pages are few ranges, a full region is one
 * range, and in between runs are short and many.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int kb_workload_density(struct kb_workload *w, const struct kb_params *p)
{
	unsigned long pages = (p->mib << 20) >> PAGE_SHIFT, i;
	u64 seed = p->seed;
	int ret = 0;

	if (!pages || !(p->percent > 0) || p->percent > 100)
		return -EINVAL;
	kb_name(w, "density");
	w->ram_size = kb_ram(p, (p->mib << 20) + KB_GIB);
	snprintf(w->params, sizeof(w->params),
		 "mib=%lu percent=%.3g ram_gib=%llu seed=%llu", p->mib,
		 p->percent, (unsigned long long)(w->ram_size / KB_GIB),
		 (unsigned long long)p->seed);
	for (i = 0; i < pages && !ret; i++)
		if (kb_unit(&seed) * 100 < p->percent)
			ret = kb_add(w, i, 0);
	if (!ret && !w->nr_folios)
		ret = -EINVAL;
	kb_shuffle(w->folios, w->nr_folios, &seed);
	return ret;
}

/**
 * kb_workload_vmalloc() - vmalloc() areas of scattered pages
 * @w: filled in
 * @p: areas, area_pages, run_prob, seed, ram_gib
 *
 * Each page of an area follows the previous one physically with
 * probability @run_prob (when that page is free), and lands on a random
 * free page otherwise: mostly scattered, with occasional runs.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int kb_workload_vmalloc(struct kb_workload *w, const struct kb_params *p)
{
	struct kb_space space;
	unsigned long a, i;
	u64 seed = p->seed;
	int ret;

	if (!p->areas || !p->area_pages || p->run_prob < 0 || p->run_prob > 1)
		return -EINVAL;
	kb_name(w, "vmalloc");
	w->ram_size = kb_ram(p, 16 * KB_GIB);
	snprintf(w->params, sizeof(w->params),
		 "areas=%lu area_pages=%lu run_prob=%.3g ram_gib=%llu seed=%llu",
		 p->areas, p->area_pages, p->run_prob,
		 (unsigned long long)(w->ram_size / KB_GIB),
		 (unsigned long long)p->seed);
	if (p->areas * p->area_pages > (w->ram_size >> PAGE_SHIFT) / 2)
		return -EINVAL;
	ret = kb_space_init(&space, w->ram_size);
	if (!ret) {
		w->areas = calloc(p->areas, sizeof(*w->areas));
		if (!w->areas)
			ret = -ENOMEM;
	}
	for (a = 0; a < p->areas && !ret; a++) {
		w->areas[a].first = w->nr_folios;
		w->areas[a].nr = p->area_pages;
		w->nr_areas++;
		for (i = 0; i < p->area_pages && !ret; i++) {
			long pfn = -1;

			if (i && kb_unit(&seed) < p->run_prob) {
				pfn = w->folios[w->nr_folios - 1].pfn + 1;
				if (!kb_space_free(&space, pfn, 1))
					pfn = -1;
			}
			if (pfn < 0)
				pfn = kb_space_random(&space, &seed, 0);
			if (pfn < 0) {
				ret = -ENOMEM;
				break;
			}
			kb_space_take(&space, pfn, 1);
			ret = kb_add(w, pfn, 0);
		}
	}
	free(space.used);
	return ret;
}

static int kb_cmp_pfn(const void *a, const void *b)
{
	const struct kb_folio *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/**
 * kb_workload_replay() - the folios a real kernel preserved
 * @w: filled in
 * @p: input, ram_gib
 *
 * One "phys order" pair per line, phys in hex, '#' starts a comment, the
 * format --dump writes. The addresses are moved down by a multiple of
 * 1 GiB so that RAM starts at the lowest one, which keeps every folio
 * aligned as it was; folios must be aligned to their order and must not
 * overlap.
 *
 * Return: 0, -ENOENT if the file cannot be read, -EINVAL for a bad line or
 * folio (with a message), -ENOMEM.
 */
int kb_workload_replay(struct kb_workload *w, const struct kb_params *p)
{
	unsigned long long phys;
	unsigned long lineno = 0, base, end = 0, i;
	struct kb_folio *sorted;
	unsigned int order;
	char line[256];
	int ret = 0;
	FILE *f;

	kb_name(w, "replay");
	f = fopen(p->input, "r");
	if (!f) {
		fprintf(stderr, "replay: cannot read %s\n", p->input);
		return -ENOENT;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');

		lineno++;
		if (hash)
			*hash = 0;
		if (strspn(line, " \t\r\n") == strlen(line))
			continue;
		if (sscanf(line, "%llx %u", &phys, &order) != 2 ||
		    order > KB_ORDER_LIMIT ||
		    !IS_ALIGNED(phys, PAGE_SIZE << order)) {
			fprintf(stderr, "%s:%lu: expected \"<hex phys> <order>\" with phys aligned to the order\n",
				p->input, lineno);
			ret = -EINVAL;
			break;
		}
		ret = kb_add(w, phys >> PAGE_SHIFT, order);
	}
	fclose(f);
	if (ret)
		return ret;
	if (!w->nr_folios) {
		fprintf(stderr, "%s: no folios\n", p->input);
		return -EINVAL;
	}

	sorted = malloc(w->nr_folios * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, w->folios, w->nr_folios * sizeof(*sorted));
	qsort(sorted, w->nr_folios, sizeof(*sorted), kb_cmp_pfn);
	for (i = 1; i < w->nr_folios; i++) {
		if (sorted[i - 1].pfn + (1UL << sorted[i - 1].order) >
		    sorted[i].pfn) {
			fprintf(stderr, "%s: folio at %#lx overlaps the one at %#lx\n",
				p->input, PFN_PHYS(sorted[i].pfn),
				PFN_PHYS(sorted[i - 1].pfn));
			free(sorted);
			return -EINVAL;
		}
	}
	base = ALIGN_DOWN(sorted[0].pfn, KB_PAGES_PER_GIB);
	free(sorted);

	for (i = 0; i < w->nr_folios; i++) {
		w->folios[i].pfn -= base;
		end = max(end, w->folios[i].pfn + (1UL << w->folios[i].order));
	}
	w->ram_size = kb_ram(p, (u64)end << PAGE_SHIFT);
	snprintf(w->params, sizeof(w->params), "input=%s ram_gib=%llu",
		 p->input, (unsigned long long)(w->ram_size / KB_GIB));
	return 0;
}

/**
 * kb_workload_dump() - write the folio list for kb_workload_replay()
 * @w:    a workload that is not placed yet
 * @file: where to
 *
 * Return: 0, or -EIO.
 */
int kb_workload_dump(const struct kb_workload *w, const char *file)
{
	FILE *f = fopen(file, "w");
	unsigned long i;
	int err;

	if (!f)
		return -EIO;
	fprintf(f, "# kho_bench %s %s\n", w->name, w->params);
	fprintf(f, "# <phys, hex byte offset into RAM> <order>, in preserve order\n");
	for (i = 0; i < w->nr_folios; i++)
		fprintf(f, "%#llx %u\n",
			(unsigned long long)PFN_PHYS(w->folios[i].pfn),
			w->folios[i].order);
	err = ferror(f);
	return fclose(f) || err ? -EIO : 0;
}

/**
 * kb_workload_place() - move the folios into simulated RAM
 * @w:        the workload
 * @base_pfn: first page frame of RAM
 */
void kb_workload_place(struct kb_workload *w, unsigned long base_pfn)
{
	unsigned long i;

	for (i = 0; i < w->nr_folios; i++)
		w->folios[i].pfn += base_pfn;
}

/**
 * kb_workload_free() - free the lists
 * @w: the workload
 */
void kb_workload_free(struct kb_workload *w)
{
	free(w->folios);
	free(w->areas);
	memset(w, 0, sizeof(*w));
}

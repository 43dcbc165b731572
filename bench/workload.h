/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Benchmark workloads: which folios a kernel preserves, and where.
 *
 * A workload is a list of folios placed in simulated RAM before the RAM
 * exists: each folio's pfn is an offset in pages from the start of RAM
 * until kb_workload_place() moves the list into the arena. That way a
 * workload knows how much RAM it needs, its list can be dumped and replayed
 * as plain "phys order" pairs, and the same list is handed to both
 * trackers.
 */
#ifndef _BENCH_WORKLOAD_H
#define _BENCH_WORKLOAD_H

#include <linux/types.h>
#include <stdbool.h>

/**
 * struct kb_folio - one preserved folio
 * @pfn:   first page frame (an offset into RAM until placed)
 * @order: folio order
 */
struct kb_folio {
	unsigned long pfn;
	unsigned int order;
};

/**
 * struct kb_area - a vmalloc() area: order-0 folios [@first, @first + @nr)
 * @first: index of its first page in the folio list
 * @nr:    number of pages
 */
struct kb_area {
	unsigned long first;
	unsigned long nr;
};

/**
 * struct kb_workload - a generated or replayed list of folios
 * @name:      workload name, the CSV's first column
 * @params:    the parameters that made it, for the CSV
 * @ram_size:  bytes of RAM it needs
 * @folios:    the folios, in the order they are preserved
 * @nr_folios: number of folios
 * @areas:     vmalloc areas (only the vmalloc workload has any)
 * @nr_areas:  number of areas
 * @bytes:     bytes preserved
 */
struct kb_workload {
	char name[32];
	char params[160];
	u64 ram_size;
	struct kb_folio *folios;
	unsigned long nr_folios;
	struct kb_area *areas;
	unsigned long nr_areas;
	u64 bytes;
};

/**
 * struct kb_params - every knob of every workload (see bench/README.md)
 * @seed:      random seed
 * @ram_gib:   RAM to simulate, 0 for the workload's default
 * @per_order: rapoport: folios of each order
 * @max_order: rapoport: largest order
 * @uniform:   rapoport: uniform random placement instead of buddy-like
 * @noise:     rapoport: probability of an unrelated allocation between two
 *             preserved ones, which breaks runs of adjacent folios
 * @extent:    rapoport: mean length, in max-order blocks, of the runs of
 *             adjacent blocks on the aged free list
 * @gib:       contig: GiB preserved
 * @order:     contig: folio order
 * @count:     scatter: number of pages
 * @mib:       alternate, density: MiB of the region
 * @percent:   density: share of the region's pages preserved, 0 to 100
 * @areas:     vmalloc: number of areas
 * @area_pages: vmalloc: pages per area
 * @run_prob:  vmalloc: probability that a page follows the previous one
 * @input:     replay: file to read
 */
struct kb_params {
	u64 seed;
	double ram_gib;
	unsigned long per_order;
	unsigned int max_order;
	bool uniform;
	double noise;
	double extent;
	double gib;
	unsigned int order;
	unsigned long count;
	unsigned long mib;
	double percent;
	unsigned long areas;
	unsigned long area_pages;
	double run_prob;
	const char *input;
};

void kb_params_default(struct kb_params *p);

int kb_workload_rapoport(struct kb_workload *w, const struct kb_params *p);
int kb_workload_contig(struct kb_workload *w, const struct kb_params *p);
int kb_workload_scatter(struct kb_workload *w, const struct kb_params *p);
int kb_workload_alternate(struct kb_workload *w, const struct kb_params *p);
int kb_workload_density(struct kb_workload *w, const struct kb_params *p);
int kb_workload_vmalloc(struct kb_workload *w, const struct kb_params *p);
int kb_workload_replay(struct kb_workload *w, const struct kb_params *p);

int kb_workload_dump(const struct kb_workload *w, const char *file);
void kb_workload_place(struct kb_workload *w, unsigned long base_pfn);
void kb_workload_free(struct kb_workload *w);

#endif

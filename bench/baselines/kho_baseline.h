/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trackers kho_ranges is measured against, behind one ops table.
 *
 * Each baseline is one file of this directory that builds unchanged in the
 * userspace harness (bench/kho_bench.c, the fuzz targets, the selftests)
 * and in a kernel tree (patches/assemble.sh copies it into mm/, where
 * kho_baseline_kernel.c drives it for kho_tracker=NAME). Adding a baseline
 * is one such file and one entry of kho_baselines[].
 *
 * A baseline models one upstream design of Kexec HandOver's tracker of
 * preserved memory; each file says which one, and what it simplified.
 */
#ifndef _KHO_BASELINE_H
#define _KHO_BASELINE_H

#include <linux/types.h>

/*
 * What a deserializer does per preserved folio. Upstream does
 * %KHO_BASELINE_RESERVE and %KHO_BASELINE_MARK in one walk; a kernel that
 * must reserve before its memmap exists runs them as two calls.
 * %KHO_BASELINE_BULK replaces the per-folio memblock calls with one
 * memblock_reserve_bulk() over every folio in address order (not upstream:
 * it separates what the data structure costs from what memblock costs).
 */
#define KHO_BASELINE_RESERVE	0x1	/* memblock_reserve() + mark_noinit() */
#define KHO_BASELINE_MARK	0x2	/* page->private = order */
#define KHO_BASELINE_BULK	0x4	/* one memblock_reserve_bulk() */

/**
 * struct kho_baseline_handover - what one kernel hands the next
 * @phys:    physical address the next kernel starts from (an FDT, a root)
 * @size:    bytes at @phys
 * @variant: the baseline's variant, as kho_baseline_ops.variant
 */
struct kho_baseline_handover {
	phys_addr_t phys;
	size_t size;
	unsigned long variant;
};

/**
 * struct kho_baseline_sizes - what a serialized tracker costs in memory
 * @tracker:       bytes the tracker allocated, slab objects not included
 *                 (the harness counts those itself)
 * @handover:      bytes the next kernel reads
 * @handover_alloc: bytes allocated for the handover beyond @tracker
 * @nr_records:    the baseline's unit of handover (bitmaps, leaves)
 */
struct kho_baseline_sizes {
	u64 tracker;
	u64 handover;
	u64 handover_alloc;
	u64 nr_records;
};

/**
 * struct kho_baseline_stats - what a deserializer found
 * @nr_folios:  folios reserved or marked
 * @nr_pages:   pages they span
 * @nr_records: bitmaps or leaves that held them
 */
struct kho_baseline_stats {
	unsigned long nr_folios;
	unsigned long nr_pages;
	unsigned long nr_records;
};

/* called on every block of pages a tracker occupies: 0, or stop with -errno */
typedef int (*kho_baseline_page_fn_t)(void *arg, phys_addr_t phys,
				    unsigned int order);

/**
 * struct kho_baseline_ops - one baseline tracker
 * @name:        "bitmap-6.16": the tracker column of the benchmark and the
 *               value of kho_tracker= in the kernel
 * @strategy:    name of its upstream deserializer ("bitmap", "radix"); the
 *               bulk one is the same with "-bulk"
 * @upstream:    the upstream design it stands for, in a few words
 * @variant:     passed to @create (bits per bitmap, say)
 * @create:      an empty tracker, or NULL
 * @destroy:     free it and everything it allocated, handover included
 * @preserve:    preserve the folio of @order at @pfn: 0 or -errno
 * @unpreserve:  stop preserving it: 0 or -ENOENT
 * @serialize:   finish the handover into @h (0 where the tracker is
 *               already its own handover): 0 or -errno
 * @abort:       undo @serialize
 * @sizes:       memory figures of a serialized tracker
 * @for_each_page: call @fn on every block of pages the tracker and its
 *               handover occupy, for a kernel to preserve them too
 * @deserialize: next kernel: validate as far as the baseline does, then
 *               act on every folio (%KHO_BASELINE_RESERVE etc.)
 * @restore:     next kernel: the order of the folio at @pfn, as left by
 *               @deserialize with %KHO_BASELINE_MARK
 * @probe:       next kernel: read every byte of the handover once
 */
struct kho_baseline_ops {
	const char *name;
	const char *strategy;
	const char *upstream;
	unsigned long variant;
	void *(*create)(unsigned long variant);
	void (*destroy)(void *t);
	int (*preserve)(void *t, unsigned long pfn, unsigned int order);
	int (*unpreserve)(void *t, unsigned long pfn, unsigned int order);
	int (*serialize)(void *t, struct kho_baseline_handover *h);
	void (*abort)(void *t);
	void (*sizes)(void *t, const struct kho_baseline_handover *h,
		      struct kho_baseline_sizes *s);
	int (*for_each_page)(void *t, kho_baseline_page_fn_t fn, void *arg);
	int (*deserialize)(const struct kho_baseline_handover *h,
			   unsigned int how, struct kho_baseline_stats *st);
	unsigned int (*restore)(unsigned long pfn);
	u64 (*probe)(const struct kho_baseline_handover *h);
};

/*
 * Not const: their deserializers are __init, and modpost accepts references
 * from data to init code only from variables named *_ops.
 */
extern struct kho_baseline_ops kho_bitmap_6_16_ops;
extern struct kho_baseline_ops kho_bitmap_6_18_ops;
extern struct kho_baseline_ops kho_radix_ops;

/* every baseline, in the order the benchmark prints them */
extern const struct kho_baseline_ops *const kho_baselines[];
extern const unsigned int kho_nr_baselines;

const struct kho_baseline_ops *kho_baseline_find(const char *name);

#endif /* _KHO_BASELINE_H */

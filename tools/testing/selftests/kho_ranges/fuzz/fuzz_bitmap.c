// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the bitmap baseline's deserializer
 * (bench/baselines/kho_bitmap.c, upstream KHO of 6.16 as the benchmark
 * models it) on hostile input, the
 * same way fuzz_ranges.c drives kho_ranges: a fresh boot of the simulated
 * machine per input, the input's chunk list placed in RAM (kb_fuzz.h), a
 * generated root FDT, then kho_bitmap_deserialize().
 *
 * The baseline validates nothing: a pointer out of RAM, an order too large
 * to shift by or a folio without a struct page makes it read or write
 * wildly, and a chunk list that loops makes it spin forever. Those
 * outcomes are known (fuzz/hostile.sh shows each), so the harness reads
 * every input first the way the deserializer will, but safely, sorts out
 * the inputs that would meet one of them and counts them by kind, and runs
 * the baseline on the others only. A crash this target reports is then a
 * kind of mishandling not on the list. What the baseline accepts is
 * checked as for kho_ranges, and counted:
 *
 *  - rejected: memblock.reserved must be as the boot left it;
 *  - accepted: everything reserved must be memory, and every folio must
 *    be aligned to its order.
 *
 * Upstream confines the next kernel's early memblock allocations to
 * scratch areas the previous kernel left free, so that memblock growing
 * its arrays never lands on the chunk list or a bitmap while they are
 * still to be read (the model has no scratch of its own: without it,
 * memblock's grown array overwrote a chunk and the list looped forever).
 * The harness does the same with the first KB_FUZZ_SCRATCH bytes of RAM;
 * an input that puts a chunk or bitmap there is sorted out too.
 *
 * Inputs with more than KB_FUZZ_MAX_FOLIOS folios are not run either: two
 * memblock calls per folio, quadratic in their number, only cost time.
 * KB_FUZZ_RUN_ALL=1 runs every input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/bitops.h>
#include <linux/kho_ranges.h>
#include <linux/libfdt.h>
#include <linux/memblock.h>
#include <linux/mm.h>

#include "sim.h"
#include "fuzz_memblock.h"
#include "kho_baseline.h"
#include "kb_fuzz.h"

#define KB_FUZZ_MAX_FOLIOS	256

/* what the survey predicts the baseline will do with an input */
enum kb_survey {
	KB_RUN,			/* nothing known: run it */
	KB_WILD_CHUNK,		/* reads a chunk outside RAM or misaligned */
	KB_WILD_BITMAP,		/* reads a bitmap outside RAM */
	KB_HUGE_ORDER,		/* shifts by order + PAGE_SHIFT >= 64 */
	KB_NO_MEMMAP,		/* writes the struct page of a folio not in RAM */
	KB_IN_SCRATCH,		/* a chunk or bitmap memblock may allocate over */
	KB_LOOPS,		/* the chunk list never ends */
	KB_TOO_MANY,		/* too slow to be worth it */
	KB_NR_SURVEY
};

static const char * const kb_survey_name[KB_NR_SURVEY] = {
	[KB_WILD_CHUNK] = "chunk pointer out of RAM",
	[KB_WILD_BITMAP] = "bitmap pointer out of RAM",
	[KB_HUGE_ORDER] = "order too large to shift by",
	[KB_NO_MEMMAP] = "folio outside RAM (struct page write)",
	[KB_IN_SCRATCH] = "chunk or bitmap in scratch memory",
	[KB_LOOPS] = "chunk list loops",
	[KB_TOO_MANY] = "too many folios (not run)",
};

static struct {
	unsigned long inputs;
	unsigned long accepted;
	unsigned long rejected;
	unsigned long outside_memory;
	unsigned long misaligned;
	unsigned long sorted_out[KB_NR_SURVEY];
} stats;

static bool run_all;

static void kb_fuzz_print_stats(void)
{
	unsigned int i;

	fprintf(stderr, "kb_fuzz: %lu inputs run: %lu accepted (%lu reserving memory that does not exist, %lu with a folio not aligned to its order), %lu rejected\n",
		stats.inputs, stats.accepted, stats.outside_memory,
		stats.misaligned, stats.rejected);
	for (i = 1; i < KB_NR_SURVEY; i++)
		fprintf(stderr, "kb_fuzz:   %-40s %lu inputs sorted out\n",
			kb_survey_name[i], stats.sorted_out[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (kho_sim_init(0, KB_FUZZ_ARENA)) {
		fprintf(stderr, "kb_fuzz: cannot map the simulated RAM\n");
		exit(1);
	}
	run_all = getenv("KB_FUZZ_RUN_ALL");
	atexit(kb_fuzz_print_stats);
	return 0;
}

/* does any set bit of @bitmap stand for a folio outside [lo, hi)? */
static bool kb_fuzz_outside(const unsigned long *bitmap, unsigned int bits,
			    u64 start, unsigned int order, phys_addr_t lo,
			    phys_addr_t hi)
{
	unsigned long bit;

	for_each_set_bit(bit, bitmap, bits) {
		u64 phys = start + ((u64)bit << (order + PAGE_SHIFT));

		if (phys < lo || phys > hi - (PAGE_SIZE << order) ||
		    (PAGE_SIZE << order) > hi - lo)
			return true;
	}
	return false;
}

/*
 * Read the list the way the deserializer will, but only where that is
 * safe, and say what it would run into first.
 */
static enum kb_survey kb_fuzz_survey(phys_addr_t first, unsigned int bits,
				     bool *misaligned)
{
	const phys_addr_t lo = kho_sim.ram_base, hi = lo + KB_FUZZ_ARENA;
	phys_addr_t seen[KB_FUZZ_MAX_CHUNKS], chunk = first;
	unsigned long folios = 0;
	unsigned int nr_seen = 0;

	*misaligned = false;
	while (chunk) {
		const u8 *c = (const void *)chunk;
		u32 order, nr, i;

		if (chunk < lo || chunk > hi - KB_CHUNK_ELMS ||
		    !IS_ALIGNED(chunk, 8))
			return KB_WILD_CHUNK;
		if (kb_fuzz_seen(seen, nr_seen, chunk))
			return KB_LOOPS;
		if (nr_seen == KB_FUZZ_MAX_CHUNKS)
			return KB_TOO_MANY;
		seen[nr_seen++] = chunk;
		if (chunk < lo + KB_FUZZ_SCRATCH)
			return KB_IN_SCRATCH;
		order = get_unaligned_le32(c + KB_CHUNK_ORDER);
		nr = get_unaligned_le32(c + KB_CHUNK_NR);
		if (nr > (hi - chunk - KB_CHUNK_ELMS) / KB_ELM_SIZE)
			return KB_WILD_CHUNK;
		/* PAGE_SIZE << order is computed for every element */
		if (nr && order >= 64 - PAGE_SHIFT)
			return KB_HUGE_ORDER;
		for (i = 0; i < nr; i++) {
			const u8 *elm = c + KB_CHUNK_ELMS + (u64)i * KB_ELM_SIZE;
			u64 start = get_unaligned_le64(elm);
			phys_addr_t bitmap = get_unaligned_le64(elm + 8);
			unsigned long set;

			if (bitmap < lo || bitmap > hi - bits / 8 ||
			    !IS_ALIGNED(bitmap, 8))
				return KB_WILD_BITMAP;
			if (bitmap < lo + KB_FUZZ_SCRATCH)
				return KB_IN_SCRATCH;
			set = bitmap_weight((void *)bitmap, bits);
			if (!set)
				continue;
			if (kb_fuzz_outside((void *)bitmap, bits, start, order,
					    lo, hi))
				return KB_NO_MEMMAP;
			if (start & ((PAGE_SIZE << order) - 1))
				*misaligned = true;
			folios += set;
			if (folios > KB_FUZZ_MAX_FOLIOS)
				return KB_TOO_MANY;
		}
		chunk = get_unaligned_le64(c + KB_CHUNK_NEXT);
	}
	return KB_RUN;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const phys_addr_t base = kho_sim.ram_base;
	void *fdt = (void *)(base + KB_FUZZ_FDT_OFF);
	u8 *img = (void *)(base + KB_FUZZ_IMG_OFF);
	struct kho_baseline_stats st;
	unsigned long cnt;
	enum kb_survey survey;
	struct kb_fuzz_ctl ctl;
	unsigned int bits;
	phys_addr_t first;
	bool misaligned;
	u64 total;
	int ret;

	if (size < sizeof(ctl) || size > KB_FUZZ_MAX_INPUT)
		return -1;
	memcpy(&ctl, data, sizeof(ctl));
	data += sizeof(ctl);
	size -= sizeof(ctl);
	bits = ctl.flags & KB_FUZZ_BITS_6_18 ? KHO_BITMAP_BITS_6_18 :
					       KHO_BITMAP_BITS_6_16;

	madvise((void *)base, KB_FUZZ_ARENA, MADV_DONTNEED);
	memcpy(img, data, size);
	first = le32_to_cpu(ctl.first);
	/* 0 is the empty list, as the previous kernel writes it */
	if ((ctl.flags & KB_FUZZ_RELOC) && first) {
		kb_fuzz_reloc_image(img, size, first, base);
		first = kb_fuzz_reloc(first, base);
	}
	if (fdt_create(fdt, PAGE_SIZE) || fdt_finish_reservemap(fdt) ||
	    fdt_begin_node(fdt, "") ||
	    fdt_property_string(fdt, "compatible", KHO_BITMAP_FDT_COMPATIBLE) ||
	    fdt_property_u64(fdt, KHO_BITMAP_FDT_PROP_MEM_MAP, first) ||
	    fdt_end_node(fdt) || fdt_finish(fdt))
		abort();

	survey = kb_fuzz_survey(first, bits, &misaligned);
	stats.sorted_out[survey]++;
	if (survey != KB_RUN && !run_all)
		return 0;
	stats.inputs++;
	kho_sim_boot(true);
	memblock_set_current_limit(base + KB_FUZZ_SCRATCH);
	cnt = memblock.reserved.cnt;
	total = memblock.reserved.total_size;
	ret = kho_bitmap_deserialize(base + KB_FUZZ_FDT_OFF, PAGE_SIZE, bits,
				     KHO_BASELINE_MARK |
				     (ctl.flags & KB_FUZZ_BULK ? KHO_BASELINE_BULK :
								 KHO_BASELINE_RESERVE),
				     &st);
	if (ret) {
		stats.rejected++;
		if (!fuzz_unchanged_but_array(cnt, total, KB_FUZZ_ARENA)) {
			fprintf(stderr, "kb_fuzz: rejected with %d but memblock.reserved changed\n",
				ret);
			abort();
		}
	} else {
		stats.accepted++;
		stats.outside_memory += !fuzz_reserved_is_memory();
		stats.misaligned += misaligned;
	}
	kho_sim_reset_pages();
	return 0;
}

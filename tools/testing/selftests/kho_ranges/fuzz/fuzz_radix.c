// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the radix baseline's deserializer
 * (bench/baselines/kho_radix.c, upstream KHO's tracker since 2026 as the
 * benchmark models it) on hostile input: a fresh boot of the simulated
 * machine per input with KX_FUZZ_RAM of memory, the input's nodes placed
 * in it (kx_fuzz.h), then kho_radix_deserialize() on the root.
 *
 * Unlike upstream, the model validates the whole tree before it reserves
 * anything, so every input is run, and what it does is checked as for
 * kho_ranges:
 *
 *  - rejected: memblock.reserved must be as the boot left it;
 *  - accepted: everything reserved must be memory, and the pages reserved
 *    as noinit no more than the folios found.
 *
 * A validated tree with more than KX_FUZZ_MAX_FOLIOS folios is not
 * reserved (two memblock calls per folio, quadratic in their number, only
 * cost time); KB_FUZZ_RUN_ALL=1 reserves every one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/memblock.h>
#include <linux/mm.h>

#include "sim.h"
#include "fuzz_memblock.h"
#include "kx_fuzz.h"

#define KX_FUZZ_MAX_FOLIOS	4096

static struct {
	unsigned long inputs;
	unsigned long accepted;
	unsigned long rejected[5];
	unsigned long too_many;
} stats;

static const int kx_errs[] = { -EINVAL, -ELOOP, -E2BIG, -ERANGE };
static const char *const kx_err_names[] = {
	"node or folio not in memory", "node its own ancestor",
	"more nodes than pages", "key of no order", "other error",
};

static bool run_all;

static void kx_fuzz_print_stats(void)
{
	unsigned int i;

	fprintf(stderr, "kx_fuzz: %lu inputs run: %lu accepted (%lu too many folios to reserve), %lu rejected\n",
		stats.inputs, stats.accepted, stats.too_many,
		stats.inputs - stats.accepted);
	for (i = 0; i < ARRAY_SIZE(stats.rejected); i++)
		fprintf(stderr, "kx_fuzz:   rejected: %-32s %lu\n",
			kx_err_names[i], stats.rejected[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (kho_sim_init(0, KX_FUZZ_ARENA)) {
		fprintf(stderr, "kx_fuzz: cannot map the simulated RAM\n");
		exit(1);
	}
	run_all = getenv("KB_FUZZ_RUN_ALL");
	atexit(kx_fuzz_print_stats);
	return 0;
}

static u64 kx_fuzz_noinit_bytes(void)
{
	struct memblock_type *t = &memblock.reserved;
	unsigned long i;
	u64 bytes = 0;

	for (i = 0; i < t->cnt; i++)
		if (t->regions[i].flags & MEMBLOCK_RSRV_NOINIT)
			bytes += t->regions[i].size;
	return bytes;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const phys_addr_t base = kho_sim.ram_base;
	u8 *img = (void *)(base + KX_FUZZ_IMG_OFF);
	struct kho_baseline_stats st;
	struct kx_fuzz_ctl ctl;
	unsigned int how, i;
	phys_addr_t root;
	unsigned long cnt;
	u64 total;
	int ret;

	if (size < sizeof(ctl) || size > KX_FUZZ_MAX_INPUT)
		return -1;
	memcpy(&ctl, data, sizeof(ctl));
	data += sizeof(ctl);
	size -= sizeof(ctl);

	madvise((void *)base, KX_FUZZ_ARENA, MADV_DONTNEED);
	for (; size >= sizeof(struct kx_fuzz_rec);
	     data += sizeof(struct kx_fuzz_rec), size -= sizeof(struct kx_fuzz_rec)) {
		struct kx_fuzz_rec r;

		memcpy(&r, data, sizeof(r));
		kx_fuzz_apply(img, &r, base);
	}
	root = le32_to_cpu(ctl.root);
	root = root ? kx_fuzz_reloc(root, base) : 0;
	how = KHO_BASELINE_MARK | (ctl.flags & KX_FUZZ_BULK ?
				   KHO_BASELINE_BULK : KHO_BASELINE_RESERVE);

	stats.inputs++;
	kho_sim_boot(true);
	memblock_remove(base + KX_FUZZ_RAM, KX_FUZZ_ARENA - KX_FUZZ_RAM);
	memblock_set_current_limit(base + KX_FUZZ_SCRATCH);
	cnt = memblock.reserved.cnt;
	total = memblock.reserved.total_size;

	/* validation only, to count the folios first */
	ret = kho_radix_deserialize(root, 0, &st);
	if (!ret && st.nr_folios > KX_FUZZ_MAX_FOLIOS && !run_all) {
		stats.accepted++;
		stats.too_many++;
		goto out;
	}
	if (!ret)
		ret = kho_radix_deserialize(root, how, &st);
	if (ret) {
		for (i = 0; i < ARRAY_SIZE(kx_errs) && kx_errs[i] != ret; i++)
			;
		stats.rejected[i]++;
		if (!fuzz_unchanged_but_array(cnt, total, KX_FUZZ_RAM)) {
			fprintf(stderr, "kx_fuzz: rejected with %d but memblock.reserved changed\n",
				ret);
			abort();
		}
		goto out;
	}
	stats.accepted++;
	if (!fuzz_reserved_is_memory()) {
		fprintf(stderr, "kx_fuzz: accepted, but reserved what is not memory\n");
		abort();
	}
	if (kx_fuzz_noinit_bytes() > (u64)st.nr_pages << PAGE_SHIFT) {
		fprintf(stderr, "kx_fuzz: reserved more than the %lu pages found\n",
			st.nr_pages);
		abort();
	}
out:
	kho_sim_reset_pages();
	return 0;
}

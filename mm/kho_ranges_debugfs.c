// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs interface of the kernel's kho_ranges tracker:
 *
 *   kho_ranges/finalize   write 1: serialize now (the baseline of
 *                         kho_tracker= first, if the kernel runs one);
 *                         write 0: abort; read: state
 *   kho_ranges/ranges     one "start end info" line per preserved range (hex)
 *   kho_ranges/folios     one "phys order" line per preserved folio (hex
 *                         phys), the replay format of the benchmark
 *   kho_ranges/handover   blob, spare room and root FDT addresses and sizes
 *   kho_ranges/counters   ranges and pages preserved now, and what the
 *                         previous kernel handed over: range and bitmap
 *                         records, the runs of pages they make (extents),
 *                         folios, pages and blob bytes
 */

#define pr_fmt(fmt) "kho_ranges: " fmt

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/kho_baseline_kernel.h>
#include <linux/kho_ranges.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>

static int kho_ranges_finalize_get(void *data, u64 *val)
{
	*val = READ_ONCE(kho_ranges_kernel.finalized);
	return 0;
}

/*
 * With a baseline (kho_tracker=NAME), it is serialized first: its pages and
 * root page go into kho_ranges_kernel, which must not be serialized yet.
 * -EBUSY from it means it already was, by a test module or an earlier
 * write. Abort leaves the baseline serialized: it has no way back, and
 * preserving into it then fails with -EBUSY.
 */
static int kho_ranges_finalize_set(void *data, u64 val)
{
	int ret;

	if (val == 1) {
		ret = kho_baseline_kernel_serialize();
		if (ret && ret != -EBUSY)
			return ret;
		return kho_ranges_serialize(&kho_ranges_kernel);
	}
	if (val == 0) {
		kho_ranges_abort(&kho_ranges_kernel);
		return 0;
	}
	return -EINVAL;
}

DEFINE_DEBUGFS_ATTRIBUTE(kho_ranges_finalize_fops, kho_ranges_finalize_get,
			 kho_ranges_finalize_set, "%llu\n");

static int kho_ranges_show_range(void *priv, unsigned long pfn,
				 unsigned long nr_pages, u32 info)
{
	seq_printf(priv, "%#llx %#llx %#x\n", (u64)PFN_PHYS(pfn),
		   (u64)PFN_PHYS(pfn + nr_pages) - 1, info);
	return 0;
}

static int kho_ranges_ranges_show(struct seq_file *m, void *v)
{
	return kho_ranges_walk(&kho_ranges_kernel, kho_ranges_show_range, m);
}
DEFINE_SHOW_ATTRIBUTE(kho_ranges_ranges);

static int kho_ranges_show_folios(void *priv, unsigned long pfn,
				  unsigned long nr_pages, u32 info)
{
	unsigned int order = kho_ranges_info_order(info);
	unsigned long i;

	for (i = 0; i < nr_pages; i += 1UL << order)
		seq_printf(priv, "%#llx %u\n", (u64)PFN_PHYS(pfn + i), order);
	return 0;
}

static int kho_ranges_folios_show(struct seq_file *m, void *v)
{
	return kho_ranges_walk(&kho_ranges_kernel, kho_ranges_show_folios, m);
}
DEFINE_SHOW_ATTRIBUTE(kho_ranges_folios);

static int kho_ranges_handover_show(struct seq_file *m, void *v)
{
	struct kho_ranges *kr = &kho_ranges_kernel;

	mutex_lock(&kr->lock);
	seq_printf(m, "finalized %d\n", kr->finalized);
	seq_printf(m, "fdt %#llx %zu\n", (u64)kr->fdt_phys, kr->fdt_size);
	seq_printf(m, "blob %#llx %zu\n", (u64)kr->blob_phys, kr->blob_size);
	seq_printf(m, "blob_alloc %zu\n", kr->blob_alloc);
	seq_printf(m, "spare %#llx %zu\n", (u64)kr->spare_phys, kr->spare_size);
	mutex_unlock(&kr->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kho_ranges_handover);

static int kho_ranges_counters_show(struct seq_file *m, void *v)
{
	struct kho_ranges_incoming *in = &kho_ranges_incoming;

	seq_printf(m, "ranges %lu\n", READ_ONCE(kho_ranges_kernel.nr_ranges));
	seq_printf(m, "pages %lu\n", READ_ONCE(kho_ranges_kernel.nr_pages));
	seq_printf(m, "incoming_ranges %lu\n", in->nr_ranges);
	seq_printf(m, "incoming_bitmaps %lu\n", in->nr_bitmaps);
	seq_printf(m, "incoming_extents %lu\n", in->nr_extents);
	seq_printf(m, "incoming_blob_bytes %zu\n", in->blob_len);
	seq_printf(m, "incoming_folios %lu\n", in->nr_folios);
	seq_printf(m, "incoming_pages %lu\n", in->nr_pages);
	seq_printf(m, "incoming_unknown %lu\n", in->nr_unknown);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kho_ranges_counters);

static int __init kho_ranges_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("kho_ranges", NULL);

	debugfs_create_file("finalize", 0600, dir, NULL,
			    &kho_ranges_finalize_fops);
	debugfs_create_file("ranges", 0400, dir, NULL, &kho_ranges_ranges_fops);
	debugfs_create_file("folios", 0400, dir, NULL, &kho_ranges_folios_fops);
	debugfs_create_file("handover", 0400, dir, NULL,
			    &kho_ranges_handover_fops);
	debugfs_create_file("counters", 0400, dir, NULL,
			    &kho_ranges_counters_fops);
	return 0;
}
late_initcall(kho_ranges_debugfs_init);

// SPDX-License-Identifier: GPL-2.0
/*
 * The baselines of the benchmark (kho_baseline.h: bitmap-6.16, bitmap-6.18,
 * radix) run next to kho_ranges in the same kernel binary, through their
 * ops table, so that the boot-time cost of every handover is measured by
 * the same kernel on the same machine. Kernel only: patches/assemble.sh
 * copies it into mm/ with the baselines.
 */

/* the deserialize line has the kho_ranges prefix the QEMU harness reads */
#define pr_fmt(fmt) "kho_ranges: " fmt

#include <linux/err.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/kho_baseline_kernel.h>
#include <linux/kho_ranges.h>
#include <linux/kho_ranges_warm.h>
#include <linux/kstrtox.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/timex.h>

#include "kho_baseline.h"

/**
 * DOC: the baselines in the kernel
 *
 * ``kho_tracker=NAME`` (``bitmap`` or ``bitmap-6.16``, ``bitmap-6.18``,
 * ``radix``; ``ranges`` for none) on the command line of every kernel of a
 * kexec chain. The first kernel preserves into both trackers: kho_ranges
 * stays the source of truth (kexec keeps its segments off kho_ranges'
 * memory, and owners find and restore their memory through it), and the
 * baseline is serialized beside it. The baseline's own memory (the pages
 * its ops list: bitmaps, chunks, FDT, or radix nodes) is preserved in
 * kho_ranges under %KHO_BASELINE_TAG_META, so that kexec does not
 * overwrite it, and a root page under %KHO_BASELINE_TAG_ROOT says which
 * baseline it is and where its handover starts.
 *
 * The next kernel, at the point where kho_ranges_boot_reserve() would run
 * (right after e820__memblock_setup() on x86), validates the kho_ranges
 * blob without reserving anything, finds the root page, and times the
 * memblock half of the baseline's deserializer (%KHO_BASELINE_RESERVE:
 * memblock_reserve() and memblock_reserved_mark_noinit() per preserved
 * folio) against the memblock state kho_ranges would have met. The memmap
 * does not exist yet at that point, so the other half (%KHO_BASELINE_MARK:
 * page->private = order per folio) is timed in an early initcall. The
 * printed figure is the sum of both; upstream does both in one walk later
 * in boot, when memblock allocations are confined to its scratch areas.
 * Then the kho_ranges records are reserved too (untimed, printed on a line
 * of their own), so that owners restore as usual.
 *
 * Upstream confines early memblock allocations to scratch memory while it
 * reserves; here the previous kernel sets aside a room after the root page
 * that memblock.reserved moves into before the timed walk, sized for one
 * region per run of preserved pages (at most one per folio), so that
 * growing memblock.reserved never allocates on memory not reserved yet. The move, like the blob and spare
 * reservation of kho_ranges, is bookkeeping every tracker needs; it is
 * left out of the baseline's figure (kho_ranges' figure includes its own),
 * and so are the early page-table faults on the handover, taken by an
 * untimed read of all of it (the ops' probe) first. Both choices favour
 * the baseline.
 *
 * With ``kho_ranges_warm``, each half runs twice and both passes are
 * timed: memblock.reserved is put back as it was between the two memblock
 * passes (the memmap pass writes the same values again), so the second
 * pass does the same work with code and data met before, as the userspace
 * harness measures after its warm-up run.
 */

#define KHO_BASELINE_ROOT_MAGIC	0x544f4f524c534142ULL	/* "BASLROOT" */
/* memblock.reserved slots beyond one per folio: the regions boot made */
#define KHO_BASELINE_ROOM_EXTRA	512
#define KHO_BASELINE_NAME_LEN	16

/*
 * The root page, the handover between two kernels of this same binary: no
 * versioning beyond the magic.
 */
struct kho_baseline_root {
	u64 magic;
	char name[KHO_BASELINE_NAME_LEN];
	u64 phys;
	u64 size;
	u64 variant;
	u64 room_phys;
	u64 room_size;
};

static const struct kho_baseline_ops *kho_baseline_on __ro_after_init;
static void *kho_baseline_tracker;
static unsigned long kho_baseline_nr_folios;
static struct kho_baseline_handover kho_baseline_out;
static DEFINE_MUTEX(kho_baseline_lock);
static bool kho_baseline_serialized;

/* what the previous kernel handed over, between the two boot halves */
static struct {
	struct kho_baseline_handover h;
	unsigned long nr_folios;
	u64 prep_cycles;
	u64 memblock_cycles;
	u64 warm_memblock_cycles;
	bool warm;
	bool restorable;
} kho_baseline_in __ro_after_init;

static phys_addr_t kho_baseline_fdt_phys __initdata;
static size_t kho_baseline_fdt_size __initdata;

/* kho_tracker=ranges|bitmap|bitmap-6.16|bitmap-6.18|radix */
static int __init kho_baseline_tracker_param(char *s)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "ranges")) {
		kho_baseline_on = NULL;
		return 0;
	}
	kho_baseline_on = kho_baseline_find(s);
	return kho_baseline_on ? 0 : -EINVAL;
}
early_param("kho_tracker", kho_baseline_tracker_param);

/*
 * kho_ranges_kernel.c keeps the root FDT's address to itself; record it
 * from the same sources: this early_param for kexec_load() users, and
 * kho_baseline_set_fdt() from the boot protocol.
 */
static int __init kho_baseline_fdt_param(char *s)
{
	u64 phys;

	if (!s || kstrtoull(s, 0, &phys))
		return -EINVAL;
	if (!kho_baseline_fdt_phys)
		kho_baseline_set_fdt(phys, PAGE_SIZE);
	return 0;
}
early_param("kho_ranges_fdt", kho_baseline_fdt_param);

/**
 * kho_baseline_set_fdt() - record where the previous kernel's kho_ranges FDT is
 * @phys: physical address, from the boot protocol
 * @size: size of the FDT allocation
 *
 * Called by architecture code next to kho_ranges_set_fdt().
 */
void __init kho_baseline_set_fdt(phys_addr_t phys, size_t size)
{
	kho_baseline_fdt_phys = phys;
	kho_baseline_fdt_size = size;
}

/**
 * kho_baseline_kernel_name() - the baseline in use
 *
 * Return: its name ("bitmap-6.16", "radix", ...), or NULL if the kernel
 * was booted without ``kho_tracker=`` naming one.
 */
const char *kho_baseline_kernel_name(void)
{
	return kho_baseline_on ? kho_baseline_on->name : NULL;
}
EXPORT_SYMBOL_GPL(kho_baseline_kernel_name);

/**
 * kho_baseline_kernel_preserve() - preserve a folio in the baseline too
 * @page:  its head page
 * @order: its order
 *
 * The caller preserves it in kho_ranges_kernel as well. Does nothing
 * without a baseline.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EBUSY once serialized; -ENOMEM; the baseline's -EINVAL.
 */
int kho_baseline_kernel_preserve(struct page *page, unsigned int order)
{
	int ret = -EBUSY;

	if (!kho_baseline_on)
		return 0;
	mutex_lock(&kho_baseline_lock);
	if (!kho_baseline_tracker) {
		ret = -ENOMEM;
	} else if (!kho_baseline_serialized) {
		ret = kho_baseline_on->preserve(kho_baseline_tracker,
						page_to_pfn(page), order);
		kho_baseline_nr_folios += !ret;
	}
	mutex_unlock(&kho_baseline_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_baseline_kernel_preserve);

/* a page of the tracker or its handover: kho_ranges keeps it for kexec */
static int kho_baseline_preserve_meta(void *arg, phys_addr_t phys,
				      unsigned int order)
{
	return kho_ranges_preserve_pages(&kho_ranges_kernel,
					 pfn_to_page(PHYS_PFN(phys)), order,
					 KHO_BASELINE_TAG_META);
}

struct kho_baseline_runs {
	unsigned long runs;
	unsigned long end;
};

/* a run of kho_ranges_kernel: one memblock region in the next kernel */
static int kho_baseline_count_run(void *priv, unsigned long pfn,
				  unsigned long nr_pages, u32 info)
{
	struct kho_baseline_runs *r = priv;

	if (pfn != r->end)
		r->runs++;
	r->end = pfn + nr_pages;
	return 0;
}

/* a page of the tracker or its handover: a region of its own at most */
static int kho_baseline_count_meta(void *arg, phys_addr_t phys,
				   unsigned int order)
{
	(*(unsigned long *)arg)++;
	return 0;
}

/*
 * The regions memblock.reserved holds at most while the next kernel walks
 * the baseline and then reserves the kho_ranges records: one per run of
 * preserved pages (memblock merges adjacent regions of equal flags; every
 * folio the baseline holds is in kho_ranges_kernel too), one per page of
 * the baseline's own, and the regions the early boot made. At most one
 * per folio: 2 GiB of single pages in a row take one region, not 524,288.
 */
static unsigned long kho_baseline_room_regions(void)
{
	struct kho_baseline_runs r = { 0 };
	unsigned long meta = 0;

	if (kho_ranges_walk(&kho_ranges_kernel, kho_baseline_count_run, &r) ||
	    kho_baseline_on->for_each_page(kho_baseline_tracker,
					   kho_baseline_count_meta, &meta))
		r.runs = kho_baseline_nr_folios;
	return min(r.runs + meta, kho_baseline_nr_folios) +
	       KHO_BASELINE_ROOM_EXTRA;
}

/* the root page, followed by the room for the next memblock.reserved */
static int kho_baseline_write_root(unsigned long regions)
{
	size_t room = PAGE_ALIGN(regions * sizeof(struct memblock_region));
	unsigned int order = get_order(PAGE_SIZE + room);
	struct kho_baseline_root *root;
	struct page *page;
	int ret;

	if (order > MAX_PAGE_ORDER)
		return -E2BIG;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		return -ENOMEM;
	root = page_address(page);
	root->magic = KHO_BASELINE_ROOT_MAGIC;
	strscpy(root->name, kho_baseline_on->name, sizeof(root->name));
	root->phys = kho_baseline_out.phys;
	root->size = kho_baseline_out.size;
	root->variant = kho_baseline_out.variant;
	root->room_phys = page_to_phys(page) + PAGE_SIZE;
	root->room_size = (PAGE_SIZE << order) - PAGE_SIZE;
	ret = kho_ranges_preserve_pages(&kho_ranges_kernel, page, order,
					KHO_BASELINE_TAG_ROOT);
	if (ret)
		__free_pages(page, order);
	return ret;
}

/**
 * kho_baseline_kernel_serialize() - serialize the baseline for kexec
 *
 * Finishes the baseline's handover, preserves its pages and a root page
 * in kho_ranges_kernel. Call it before kho_ranges_serialize(). Does
 * nothing without a baseline.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EBUSY if already serialized; -ENOMEM or -E2BIG. On failure
 * kho_ranges_kernel may hold part of the baseline's pages: do not kexec.
 */
int kho_baseline_kernel_serialize(void)
{
	const struct kho_baseline_ops *ops = kho_baseline_on;
	struct kho_baseline_sizes sizes;
	unsigned long regions;
	int ret;

	if (!ops)
		return 0;
	mutex_lock(&kho_baseline_lock);
	ret = -EBUSY;
	if (kho_baseline_serialized || !kho_baseline_tracker)
		goto out;
	ret = ops->serialize(kho_baseline_tracker, &kho_baseline_out);
	if (ret)
		goto out;
	/* counted before the pages of the baseline join kho_ranges_kernel */
	regions = kho_baseline_room_regions();
	ret = ops->for_each_page(kho_baseline_tracker,
				 kho_baseline_preserve_meta, NULL);
	if (!ret)
		ret = kho_baseline_write_root(regions);
	if (ret) {
		ops->abort(kho_baseline_tracker);
		goto out;
	}
	kho_baseline_serialized = true;
	ops->sizes(kho_baseline_tracker, &kho_baseline_out, &sizes);
	pr_info("%s tracker serialized: folios=%lu records=%llu handover=%llu bytes at %#llx room=%lu regions\n",
		ops->name, kho_baseline_nr_folios, sizes.nr_records,
		sizes.handover, (u64)kho_baseline_out.phys, regions);
out:
	mutex_unlock(&kho_baseline_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_baseline_kernel_serialize);

/**
 * kho_baseline_kernel_order() - the order the baseline's deserializer left
 * @page: head page of a folio the previous kernel preserved
 *
 * Return: its order as the baseline's deserializer recorded it, or -ENOENT
 * if this kernel did not deserialize a baseline's handover.
 */
int kho_baseline_kernel_order(struct page *page)
{
	if (!kho_baseline_in.restorable)
		return -ENOENT;
	return kho_baseline_on->restore(page_to_pfn(page));
}
EXPORT_SYMBOL_GPL(kho_baseline_kernel_order);

/*
 * Accept the root page only if it names the baseline this kernel runs and
 * its handover starts where the kho_ranges records say, under the
 * baseline's tag. The rest of the handover is the baseline's to check (or,
 * as upstream, to trust).
 */
static bool __init kho_baseline_root_ok(const struct kho_ranges_incoming *in,
					const struct kho_baseline_root *root,
					phys_addr_t root_phys,
					unsigned long nr_pages)
{
	unsigned long nr;
	phys_addr_t start;
	u32 info;

	if (root->magic != KHO_BASELINE_ROOT_MAGIC ||
	    strncmp(root->name, kho_baseline_on->name, sizeof(root->name)) ||
	    root->variant != kho_baseline_on->variant ||
	    root->room_phys != root_phys + PAGE_SIZE || !root->room_size ||
	    root->room_size > ((u64)nr_pages << PAGE_SHIFT) - PAGE_SIZE ||
	    root->size > PAGE_SIZE)
		return false;
	if (!root->phys)	/* an empty radix tree */
		return true;
	return !kho_ranges_lookup(in, root->phys, &start, &nr, &info) &&
	       kho_ranges_info_tag(info) == KHO_BASELINE_TAG_META &&
	       PAGE_ALIGNED(root->phys);
}

/**
 * kho_baseline_boot_reserve() - reserve a baseline's handover, timing it
 *
 * Replaces kho_ranges_boot_reserve() with ``kho_tracker=NAME`` when the
 * previous kernel handed over that baseline: see "the baselines in the
 * kernel" above.
 *
 * Return: true if it reserved the handover (the kho_ranges records too),
 * false if kho_ranges_boot_reserve() should run instead; nothing has been
 * reserved then except, possibly, the root page.
 */
bool __init kho_baseline_boot_reserve(void)
{
	const struct kho_baseline_ops *ops = kho_baseline_on;
	struct kho_ranges_incoming *in = &kho_ranges_incoming;
	const struct kho_baseline_root *root;
	struct kho_baseline_handover h;
	struct kho_baseline_stats st;
	phys_addr_t blob_phys, root_phys;
	unsigned long nr_pages;
	cycles_t cp, c0, c1, c2;
	size_t blob_size;
	bool warm;
	int ret;

	if (!ops || !kho_baseline_fdt_phys)
		return false;
	cp = get_cycles();
	/* on error, kho_ranges_boot_reserve() says what is wrong */
	if (!memblock_is_region_memory(kho_baseline_fdt_phys,
				       kho_baseline_fdt_size) ||
	    kho_ranges_fdt_parse(phys_to_virt(kho_baseline_fdt_phys),
				 kho_baseline_fdt_size, &blob_phys, &blob_size) ||
	    !memblock_is_region_memory(blob_phys, blob_size) ||
	    kho_ranges_validate(in, blob_phys, phys_to_virt(blob_phys),
				blob_size))
		return false;

	if (kho_ranges_find_tag(in, KHO_BASELINE_TAG_ROOT, &root_phys,
				&nr_pages)) {
		pr_warn("kho_tracker=%s, but no baseline was handed over\n",
			ops->name);
		return false;
	}
	root = phys_to_virt(root_phys);
	if (!kho_baseline_root_ok(in, root, root_phys, nr_pages)) {
		pr_err("baseline root at %#llx is malformed or not %s\n",
		       (u64)root_phys, ops->name);
		return false;
	}
	h = (struct kho_baseline_handover){
		.phys = root->phys, .size = root->size,
		.variant = root->variant,
	};

	/* untimed: the room for memblock.reserved, see the DOC above */
	ret = memblock_reserve(root_phys, (phys_addr_t)nr_pages << PAGE_SHIFT);
	if (!ret)
		ret = memblock_reserved_move(root->room_phys, root->room_size);
	if (ret) {
		pr_err("cannot move memblock.reserved into the baseline room (%d)\n",
		       ret);
		return false;
	}
	ops->probe(&h);

	/* cycles only: the TSC is not calibrated yet, see kho_ranges_kernel.c */
	warm = kho_ranges_warm_enabled() && !kho_ranges_reserved_save();
	c0 = get_cycles();
	ret = ops->deserialize(&h, KHO_BASELINE_RESERVE, &st);
	c1 = get_cycles();
	if (ret) {
		pr_err("%s handover rejected (%d)\n", ops->name, ret);
	} else {
		kho_baseline_in.h = h;
		kho_baseline_in.nr_folios = st.nr_folios;
		kho_baseline_in.prep_cycles = c0 - cp;
		kho_baseline_in.memblock_cycles = c1 - c0;
	}
	if (!ret && warm) {
		kho_ranges_reserved_restore();
		c0 = get_cycles();
		ret = ops->deserialize(&h, KHO_BASELINE_RESERVE, &st);
		c1 = get_cycles();
		if (ret || st.nr_folios != kho_baseline_in.nr_folios) {
			pr_err("%s handover changed between two passes (%d)\n",
			       ops->name, ret);
			kho_baseline_in.nr_folios = 0;
		} else {
			kho_baseline_in.warm_memblock_cycles = c1 - c0;
			kho_baseline_in.warm = true;
		}
	}

	/* untimed: what owners restore from */
	ret = kho_ranges_reserve(in, KHO_RANGES_RESERVE_BULK);
	c2 = get_cycles();
	if (ret) {
		pr_err("handover rejected (%d): preserved memory is not protected\n",
		       ret);
		memset(in, 0, sizeof(*in));
		memset(&kho_baseline_in, 0, sizeof(kho_baseline_in));
		return true;
	}
	pr_info("%s mode: kho_ranges records reserved after the baseline: ranges=%lu folios=%lu pages=%lu ns=%llu cycles=%llu bitmaps=%lu extents=%lu (not in the baseline figure)\n",
		ops->name, in->nr_ranges, in->nr_folios, in->nr_pages,
		kho_ranges_cycles_to_ns(c2 - c1), (u64)(c2 - c1),
		in->nr_bitmaps, in->nr_extents);
	return true;
}

/* the memmap half, now that the memmap exists; and the figure */
static int __init kho_baseline_boot_memmap(void)
{
	const struct kho_baseline_ops *ops = kho_baseline_on;
	struct kho_baseline_stats st;
	cycles_t c0, c1;
	u64 cycles;
	int ret;

	if (!ops || !kho_baseline_in.nr_folios)
		return 0;
	c0 = get_cycles();
	ret = ops->deserialize(&kho_baseline_in.h, KHO_BASELINE_MARK, &st);
	c1 = get_cycles();
	if (ret || st.nr_folios != kho_baseline_in.nr_folios) {
		pr_err("%s handover changed between the boot halves (%d)\n",
		       ops->name, ret);
		return 0;
	}
	kho_baseline_in.restorable = true;
	cycles = kho_baseline_in.memblock_cycles + (u64)(c1 - c0);
	pr_info("deserialize: tracker=%s mode=upstream ranges=%lu folios=%lu pages=%lu ns=%llu cycles=%llu memblock_cycles=%llu memmap_cycles=%llu prep_cycles=%llu baseline=%s\n",
		ops->strategy, st.nr_records, st.nr_folios, st.nr_pages,
		kho_ranges_cycles_to_ns(cycles), cycles,
		kho_baseline_in.memblock_cycles, (u64)(c1 - c0),
		kho_baseline_in.prep_cycles, ops->name);
	if (!kho_baseline_in.warm)
		return 0;
	/* page->private = order again: the same values, a second time */
	c0 = get_cycles();
	ret = ops->deserialize(&kho_baseline_in.h, KHO_BASELINE_MARK, &st);
	c1 = get_cycles();
	if (ret)
		return 0;
	cycles = kho_baseline_in.warm_memblock_cycles + (u64)(c1 - c0);
	pr_info("deserialize: warm: tracker=%s warm_ns=%llu warm_cycles=%llu warm_memblock_cycles=%llu warm_memmap_cycles=%llu\n",
		ops->strategy, kho_ranges_cycles_to_ns(cycles), cycles,
		kho_baseline_in.warm_memblock_cycles, (u64)(c1 - c0));
	return 0;
}
early_initcall(kho_baseline_boot_memmap);

static int __init kho_baseline_kernel_init(void)
{
	if (kho_baseline_on)
		kho_baseline_tracker =
			kho_baseline_on->create(kho_baseline_on->variant);
	return 0;
}
core_initcall(kho_baseline_kernel_init);

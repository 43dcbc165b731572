// SPDX-License-Identifier: GPL-2.0
/*
 * KHO's bitmap tracker (mm/kho_bitmap.c, copied from the benchmark's
 * baseline) run next to kho_ranges in the same kernel binary, so that the
 * boot-time cost of both handovers is measured by the same kernel on the
 * same machine.
 */

/* the deserialize line has the kho_ranges prefix the QEMU harness reads */
#define pr_fmt(fmt) "kho_ranges: " fmt

#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/kho_bitmap_kernel.h>
#include <linux/kho_ranges.h>
#include <linux/kstrtox.h>
#include <linux/libfdt.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched/clock.h>
#include <linux/timex.h>
#include <linux/string.h>

#include "kho_bitmap.h"

/**
 * DOC: kho_bitmap in the kernel
 *
 * ``kho_tracker=bitmap`` on the command line of every kernel of a kexec
 * chain. The first kernel preserves into both trackers: kho_ranges stays
 * the source of truth (kexec keeps its segments off kho_ranges' memory, and
 * owners find and restore their memory through it), and the bitmap tracker
 * is serialized beside it. Its own memory (bitmaps, chunks and its root
 * FDT) is preserved in kho_ranges under %KHO_BITMAP_TAG_META, so that kexec
 * does not overwrite it, and a root page under %KHO_BITMAP_TAG_ROOT says
 * where its FDT is.
 *
 * The next kernel, at the point where kho_ranges_boot_reserve() would run
 * (right after e820__memblock_setup() on x86), validates the kho_ranges blob
 * without reserving anything, finds the root page, and times the memblock
 * half of upstream's deserializer: memblock_reserve() and
 * memblock_reserved_mark_noinit() per preserved folio, against the memblock
 * state kho_ranges would have met. The memmap does not exist yet at that
 * point, so the other half, page->private = order per folio, is timed in an
 * early initcall. The printed figure is the sum of both; upstream does both
 * in one walk later in boot, when memblock allocations are confined to its
 * scratch areas. Then the kho_ranges records are reserved too (untimed,
 * printed on a line of their own), so that owners restore as usual.
 *
 * Upstream confines early memblock allocations to scratch memory while it
 * reserves; here the previous kernel sets aside a room after the root page
 * that memblock.reserved moves into before the timed walk, sized for one
 * region per preserved folio, so that growing memblock.reserved never
 * allocates on memory not reserved yet. The move, like the blob and spare
 * reservation of kho_ranges, is bookkeeping both trackers need; it is left
 * out of the bitmap figure (kho_ranges' figure includes its own), and so
 * are the early page-table faults on the bitmaps, which are taken by an
 * untimed read of the whole bitmap handover first. Both choices favour the
 * baseline.
 */

#define KHO_BITMAP_ROOT_MAGIC	0x544f4f52504d424bULL	/* "KBMPROOT" */
/* memblock.reserved slots beyond one per folio: the regions boot made */
#define KHO_BITMAP_ROOM_EXTRA	512

/*
 * The root page, the handover between two kernels of this same binary: no
 * versioning beyond the magic.
 */
struct kho_bitmap_root {
	u64 magic;
	u64 fdt_phys;
	u64 fdt_size;
	u64 bits;
	u64 room_phys;
	u64 room_size;
};

static bool kho_bitmap_on __ro_after_init;
static struct kho_bitmap kho_bitmap_kernel;
static DEFINE_MUTEX(kho_bitmap_lock);
static bool kho_bitmap_serialized;

/* what the previous kernel handed over, between the two boot halves */
static struct {
	phys_addr_t fdt_phys;
	size_t fdt_size;
	unsigned int bits;
	unsigned long nr_folios;
	u64 memblock_ns;
	u64 memblock_cycles;
	bool restorable;
} kho_bitmap_in __ro_after_init;

static phys_addr_t kho_bitmap_fdt_phys __initdata;
static size_t kho_bitmap_fdt_size __initdata;

/* kho_tracker=ranges|bitmap */
static int __init kho_bitmap_tracker_param(char *s)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "bitmap"))
		kho_bitmap_on = true;
	else if (!strcmp(s, "ranges"))
		kho_bitmap_on = false;
	else
		return -EINVAL;
	return 0;
}
early_param("kho_tracker", kho_bitmap_tracker_param);

/*
 * kho_ranges_kernel.c keeps the root FDT's address to itself; record it
 * from the same sources: this early_param for kexec_load() users, and
 * kho_bitmap_set_fdt() from the boot protocol.
 */
static int __init kho_bitmap_fdt_param(char *s)
{
	u64 phys;

	if (!s || kstrtoull(s, 0, &phys))
		return -EINVAL;
	if (!kho_bitmap_fdt_phys)
		kho_bitmap_set_fdt(phys, PAGE_SIZE);
	return 0;
}
early_param("kho_ranges_fdt", kho_bitmap_fdt_param);

/**
 * kho_bitmap_set_fdt() - record where the previous kernel's kho_ranges FDT is
 * @phys: physical address, from the boot protocol
 * @size: size of the FDT allocation
 *
 * Called by architecture code next to kho_ranges_set_fdt().
 */
void __init kho_bitmap_set_fdt(phys_addr_t phys, size_t size)
{
	kho_bitmap_fdt_phys = phys;
	kho_bitmap_fdt_size = size;
}

/**
 * kho_bitmap_kernel_enabled() - is the bitmap tracker in use?
 *
 * Return: true if the kernel was booted with ``kho_tracker=bitmap``.
 */
bool kho_bitmap_kernel_enabled(void)
{
	return kho_bitmap_on;
}
EXPORT_SYMBOL_GPL(kho_bitmap_kernel_enabled);

/**
 * kho_bitmap_kernel_preserve() - preserve a folio in the bitmap tracker
 * @page:  its head page
 * @order: its order
 *
 * The caller preserves it in kho_ranges_kernel as well.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EBUSY once serialized; -ENOMEM.
 */
int kho_bitmap_kernel_preserve(struct page *page, unsigned int order)
{
	int ret = -EBUSY;

	mutex_lock(&kho_bitmap_lock);
	if (!kho_bitmap_serialized)
		ret = kho_bitmap_preserve(&kho_bitmap_kernel, page_to_pfn(page),
					  order);
	mutex_unlock(&kho_bitmap_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_bitmap_kernel_preserve);

static int kho_bitmap_preserve_meta(phys_addr_t phys)
{
	return kho_ranges_preserve_pages(&kho_ranges_kernel,
					 pfn_to_page(PHYS_PFN(phys)), 0,
					 KHO_BITMAP_TAG_META);
}

/*
 * The tracker's own pages: upstream's next kernel reads them before it
 * allocates outside scratch memory; here kho_ranges keeps them safe.
 */
static int kho_bitmap_preserve_all_meta(struct kho_bitmap *kb)
{
	phys_addr_t phys;
	int ret;

	for (phys = kb->pages; phys;
	     phys = pfn_to_page(PHYS_PFN(phys))->private) {
		ret = kho_bitmap_preserve_meta(phys);
		if (ret)
			return ret;
	}
	for (phys = kb->first_chunk; phys;
	     phys = ((struct kho_bitmap_chunk *)phys_to_virt(phys))->hdr.next) {
		ret = kho_bitmap_preserve_meta(phys);
		if (ret)
			return ret;
	}
	return kho_bitmap_preserve_meta(kb->fdt_phys);
}

/* the root page, followed by the room for the next memblock.reserved */
static int kho_bitmap_write_root(struct kho_bitmap *kb)
{
	size_t room = PAGE_ALIGN((kb->nr_folios + KHO_BITMAP_ROOM_EXTRA) *
				 sizeof(struct memblock_region));
	unsigned int order = get_order(PAGE_SIZE + room);
	struct kho_bitmap_root *root;
	struct page *page;
	int ret;

	if (order > MAX_PAGE_ORDER)
		return -E2BIG;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		return -ENOMEM;
	root = page_address(page);
	root->magic = KHO_BITMAP_ROOT_MAGIC;
	root->fdt_phys = kb->fdt_phys;
	root->fdt_size = kb->fdt_size;
	root->bits = kb->bits;
	root->room_phys = page_to_phys(page) + PAGE_SIZE;
	root->room_size = (PAGE_SIZE << order) - PAGE_SIZE;
	ret = kho_ranges_preserve_pages(&kho_ranges_kernel, page, order,
					KHO_BITMAP_TAG_ROOT);
	if (ret)
		__free_pages(page, order);
	return ret;
}

/**
 * kho_bitmap_kernel_serialize() - serialize the bitmap tracker for kexec
 *
 * Writes the chunk list and the bitmap FDT, preserves them, the bitmaps
 * and a root page in kho_ranges_kernel. Call it before
 * kho_ranges_serialize(). Does nothing without ``kho_tracker=bitmap``.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EBUSY if already serialized; -ENOMEM or -E2BIG. On failure
 * kho_ranges_kernel may hold part of the tracker's pages: do not kexec.
 */
int kho_bitmap_kernel_serialize(void)
{
	struct kho_bitmap *kb = &kho_bitmap_kernel;
	int ret;

	if (!kho_bitmap_on)
		return 0;
	mutex_lock(&kho_bitmap_lock);
	ret = -EBUSY;
	if (kho_bitmap_serialized)
		goto out;
	ret = kho_bitmap_serialize(kb);
	if (ret)
		goto out;
	ret = kho_bitmap_preserve_all_meta(kb);
	if (!ret)
		ret = kho_bitmap_write_root(kb);
	if (ret) {
		kho_bitmap_abort(kb);
		goto out;
	}
	kho_bitmap_serialized = true;
	pr_info("bitmap tracker serialized: folios=%lu bitmaps=%lu chunks=%lu fdt=%#llx\n",
		kb->nr_folios, kb->nr_bitmaps, kb->nr_chunks,
		(u64)kb->fdt_phys);
out:
	mutex_unlock(&kho_bitmap_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_bitmap_kernel_serialize);

/**
 * kho_bitmap_kernel_order() - the order the bitmap deserializer left
 * @page: head page of a folio the previous kernel preserved
 *
 * Return: its page->private as the bitmap deserializer wrote it, or -ENOENT
 * if this kernel did not deserialize a bitmap handover.
 */
int kho_bitmap_kernel_order(struct page *page)
{
	if (!kho_bitmap_in.restorable)
		return -ENOENT;
	return kho_bitmap_restore_order(page_to_pfn(page));
}
EXPORT_SYMBOL_GPL(kho_bitmap_kernel_order);

/*
 * Accept the root page only if it and the bitmap FDT are where the
 * kho_ranges records say, under the bitmap tracker's tags. The bitmaps and
 * chunks are trusted, as upstream trusts them.
 */
static bool __init kho_bitmap_root_ok(const struct kho_ranges_incoming *in,
				      const struct kho_bitmap_root *root,
				      phys_addr_t root_phys,
				      unsigned long nr_pages)
{
	unsigned long nr;
	phys_addr_t start;
	u32 info;

	if (root->magic != KHO_BITMAP_ROOT_MAGIC ||
	    (root->bits != KHO_BITMAP_BITS_6_16 &&
	     root->bits != KHO_BITMAP_BITS_6_18) ||
	    root->room_phys != root_phys + PAGE_SIZE || !root->room_size ||
	    root->room_size > ((u64)nr_pages << PAGE_SHIFT) - PAGE_SIZE ||
	    root->fdt_size != PAGE_SIZE)
		return false;
	return !kho_ranges_lookup(in, root->fdt_phys, &start, &nr, &info) &&
	       kho_ranges_info_tag(info) == KHO_BITMAP_TAG_META &&
	       PAGE_ALIGNED(root->fdt_phys);
}

/**
 * kho_bitmap_boot_reserve() - reserve a bitmap handover, timing it
 *
 * Replaces kho_ranges_boot_reserve() with ``kho_tracker=bitmap`` when the
 * previous kernel handed over a bitmap tracker: see "kho_bitmap in the
 * kernel" above.
 *
 * Return: true if it reserved the handover (the kho_ranges records too),
 * false if kho_ranges_boot_reserve() should run instead; nothing has been
 * reserved then except, possibly, the root page.
 */
bool __init kho_bitmap_boot_reserve(void)
{
	struct kho_ranges_incoming *in = &kho_ranges_incoming;
	const struct kho_bitmap_root *root;
	phys_addr_t blob_phys, root_phys;
	unsigned long nr_pages, nr;
	size_t blob_size;
	cycles_t c0, c1, c2;
	u64 t0, t1, t2;
	int ret;

	if (!kho_bitmap_on || !kho_bitmap_fdt_phys)
		return false;
	/* on error, kho_ranges_boot_reserve() says what is wrong */
	if (!memblock_is_region_memory(kho_bitmap_fdt_phys, kho_bitmap_fdt_size) ||
	    kho_ranges_fdt_parse(phys_to_virt(kho_bitmap_fdt_phys),
				 kho_bitmap_fdt_size, &blob_phys, &blob_size) ||
	    !memblock_is_region_memory(blob_phys, blob_size) ||
	    kho_ranges_validate(in, blob_phys, phys_to_virt(blob_phys),
				blob_size))
		return false;

	if (kho_ranges_find_tag(in, KHO_BITMAP_TAG_ROOT, &root_phys,
				&nr_pages)) {
		pr_warn("kho_tracker=bitmap, but no bitmap tracker was handed over\n");
		return false;
	}
	root = phys_to_virt(root_phys);
	if (!kho_bitmap_root_ok(in, root, root_phys, nr_pages)) {
		pr_err("bitmap root at %#llx is malformed\n", (u64)root_phys);
		return false;
	}

	/* untimed: the room for memblock.reserved, see the DOC above */
	ret = memblock_reserve(root_phys, (phys_addr_t)nr_pages << PAGE_SHIFT);
	if (!ret)
		ret = memblock_reserved_move(root->room_phys, root->room_size);
	if (ret) {
		pr_err("cannot move memblock.reserved into the bitmap room (%d)\n",
		       ret);
		return false;
	}
	kho_bitmap_read_all(root->fdt_phys, root->fdt_size, root->bits);

	/* sched_clock() may not tick yet: see kho_ranges_boot_reserve() */
	t0 = sched_clock();
	c0 = get_cycles();
	ret = kho_bitmap_deserialize_memblock(root->fdt_phys, root->fdt_size,
					      root->bits, &nr);
	c1 = get_cycles();
	t1 = sched_clock();
	if (ret) {
		pr_err("bitmap handover rejected (%d)\n", ret);
	} else {
		kho_bitmap_in.fdt_phys = root->fdt_phys;
		kho_bitmap_in.fdt_size = root->fdt_size;
		kho_bitmap_in.bits = root->bits;
		kho_bitmap_in.nr_folios = nr;
		kho_bitmap_in.memblock_ns = t1 - t0;
		kho_bitmap_in.memblock_cycles = c1 - c0;
	}

	/* untimed: what owners restore from */
	ret = kho_ranges_reserve(in, KHO_RANGES_RESERVE_BULK);
	c2 = get_cycles();
	t2 = sched_clock();
	if (ret) {
		pr_err("handover rejected (%d): preserved memory is not protected\n",
		       ret);
		memset(in, 0, sizeof(*in));
		memset(&kho_bitmap_in, 0, sizeof(kho_bitmap_in));
		return true;
	}
	pr_info("bitmap mode: kho_ranges records reserved after the bitmaps: ranges=%lu folios=%lu pages=%lu ns=%llu cycles=%llu bitmaps=%lu extents=%lu (not in the bitmap figure)\n",
		in->nr_ranges, in->nr_folios, in->nr_pages, t2 - t1,
		(u64)(c2 - c1), in->nr_bitmaps, in->nr_extents);
	return true;
}

/* the bitmaps the handover holds, and the pages their bits stand for */
static void __init kho_bitmap_count(unsigned long *nr_bitmaps,
				    unsigned long *nr_pages)
{
	const void *fdt = phys_to_virt(kho_bitmap_in.fdt_phys);
	const struct kho_bitmap_chunk *chunk;
	const void *prop;
	unsigned int i;
	int len;

	*nr_bitmaps = 0;
	*nr_pages = 0;
	prop = fdt_getprop(fdt, 0, KHO_BITMAP_FDT_PROP_MEM_MAP, &len);
	if (!prop || len != sizeof(u64))
		return;
	for (chunk = phys_to_virt(fdt64_ld(prop)); chunk;
	     chunk = chunk->hdr.next ? phys_to_virt(chunk->hdr.next) : NULL) {
		for (i = 0; i < chunk->hdr.nr_elms; i++) {
			const unsigned long *bitmap;

			bitmap = phys_to_virt(chunk->elms[i].bitmap);
			*nr_pages += bitmap_weight(bitmap, kho_bitmap_in.bits) <<
				     chunk->hdr.order;
		}
		*nr_bitmaps += chunk->hdr.nr_elms;
	}
}

/* the memmap half, now that the memmap exists; and the figure */
static int __init kho_bitmap_boot_memmap(void)
{
	unsigned long nr, nr_bitmaps, nr_pages;
	cycles_t c0, c1;
	u64 t0, t1;
	int ret;

	if (!kho_bitmap_in.fdt_phys)
		return 0;
	t0 = sched_clock();
	c0 = get_cycles();
	ret = kho_bitmap_deserialize_memmap(kho_bitmap_in.fdt_phys,
					    kho_bitmap_in.fdt_size,
					    kho_bitmap_in.bits, &nr);
	c1 = get_cycles();
	t1 = sched_clock();
	if (ret || nr != kho_bitmap_in.nr_folios) {
		pr_err("bitmap handover changed between the boot halves (%d)\n",
		       ret);
		return 0;
	}
	kho_bitmap_count(&nr_bitmaps, &nr_pages);
	kho_bitmap_in.restorable = true;
	pr_info("deserialize: tracker=bitmap mode=upstream ranges=%lu folios=%lu pages=%lu ns=%llu cycles=%llu memblock_cycles=%llu memmap_cycles=%llu\n",
		nr_bitmaps, nr, nr_pages, kho_bitmap_in.memblock_ns + (t1 - t0),
		kho_bitmap_in.memblock_cycles + (u64)(c1 - c0),
		kho_bitmap_in.memblock_cycles, (u64)(c1 - c0));
	return 0;
}
early_initcall(kho_bitmap_boot_memmap);

static int __init kho_bitmap_kernel_init(void)
{
	kho_bitmap_init(&kho_bitmap_kernel, KHO_BITMAP_BITS_6_16);
	return 0;
}
core_initcall(kho_bitmap_kernel_init);

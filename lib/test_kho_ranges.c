// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end test of kho_ranges across a real kexec.
 *
 * Enabled with test_kho_ranges.run=1, the same on every kernel of a chain:
 *
 * If the previous kernel handed over a test record, find it by its tag,
 * restore every folio, block and vmalloc page through the API, check orders
 * and checksums, free them, and print one PASS or FAIL line.
 *
 * Then (first kernel, or the next round of a chain) allocate with
 * alloc_pages() at random orders, folio_alloc() and vmalloc(), fill
 * everything with seeded pseudo-random bytes, preserve it all, write a
 * record of what was preserved (with a crc32 of every block) into a block
 * preserved under its own tag, and serialize. User space then loads and
 * executes the next kernel with kexec.
 *
 * test_kho_ranges.corrupt=1 flips a byte of the serialized blob: the next
 * kernel must reject the handover cleanly and still boot.
 */

#define pr_fmt(fmt) "KHO-TEST: " fmt

#include <linux/crc32.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kho_ranges.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#define KTR_TAG		0x7e57
#define KTR_DATA_TAG	0x7e58
#define KTR_MAGIC	0x4b54525fU

enum ktr_kind { KTR_PAGES, KTR_FOLIO, KTR_VMALLOC };

struct ktr_entry {
	u64 phys;
	u32 order;
	u32 kind;
	u32 crc;
	u32 area;
};

struct ktr_record {
	u32 magic;
	u32 round;
	u32 nr_entries;
	u32 nr_areas;
	u64 bytes;
	struct ktr_entry entries[];
};

static bool run;
module_param(run, bool, 0444);
MODULE_PARM_DESC(run, "verify what the previous kernel preserved, preserve anew");
static unsigned int nr_blocks = 192;
module_param(nr_blocks, uint, 0444);
static unsigned int nr_areas = 8;
module_param(nr_areas, uint, 0444);
static unsigned int max_order = 9;
module_param(max_order, uint, 0444);
static unsigned long seed = 20261123;
module_param(seed, ulong, 0444);
static bool corrupt;
module_param(corrupt, bool, 0444);

static u64 ktr_rng;

static u64 ktr_rand(void)
{
	ktr_rng ^= ktr_rng >> 12;
	ktr_rng ^= ktr_rng << 25;
	ktr_rng ^= ktr_rng >> 27;
	return ktr_rng * 0x2545F4914F6CDD1DULL;
}

static u32 ktr_fill(void *p, size_t len)
{
	u64 *w = p;
	size_t i;

	for (i = 0; i < len / sizeof(u64); i++)
		w[i] = ktr_rand();
	return crc32_le(~0U, p, len);
}

static int ktr_preserve_area(struct ktr_record *rec, unsigned int area)
{
	unsigned int nr = 1 + ktr_rand() % 64, i;
	struct page **pages;
	void *va;
	int ret;

	va = vmalloc(nr * PAGE_SIZE);
	pages = kcalloc(nr, sizeof(*pages), GFP_KERNEL);
	if (!va || !pages) {
		vfree(va);
		kfree(pages);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		struct ktr_entry *e = &rec->entries[rec->nr_entries + i];

		pages[i] = vmalloc_to_page(va + i * PAGE_SIZE);
		e->phys = page_to_phys(pages[i]);
		e->order = 0;
		e->kind = KTR_VMALLOC;
		e->area = area;
		e->crc = ktr_fill(va + i * PAGE_SIZE, PAGE_SIZE);
	}
	ret = kho_ranges_preserve_page_array(&kho_ranges_kernel, pages, nr,
					     KTR_DATA_TAG);
	kfree(pages);
	if (ret)
		return ret;	/* the area leaks: it may be half-preserved */
	rec->nr_entries += nr;
	rec->bytes += (u64)nr * PAGE_SIZE;
	return 0;
}

static int ktr_preserve_block(struct ktr_record *rec, unsigned int i)
{
	struct ktr_entry *e = &rec->entries[rec->nr_entries];
	unsigned int order = ktr_rand() % (max_order + 1);
	struct folio *folio = NULL;
	struct page *page;
	int ret;

	if (i % 2) {
		folio = folio_alloc(GFP_KERNEL | __GFP_NOWARN, order);
		page = folio ? &folio->page : NULL;
	} else {
		page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
	}
	if (!page)
		return -ENOMEM;

	e->phys = page_to_phys(page);
	e->order = order;
	e->kind = folio ? KTR_FOLIO : KTR_PAGES;
	e->crc = ktr_fill(page_address(page), PAGE_SIZE << order);
	if (folio)
		ret = kho_ranges_preserve_folio(&kho_ranges_kernel, folio,
						KTR_DATA_TAG);
	else
		ret = kho_ranges_preserve_pages(&kho_ranges_kernel, page, order,
						KTR_DATA_TAG);
	if (ret) {
		if (folio)
			folio_put(folio);
		else
			__free_pages(page, order);
		return ret;
	}
	rec->nr_entries++;
	rec->bytes += PAGE_SIZE << order;
	return 0;
}

static int ktr_preserve(u32 round)
{
	size_t size = struct_size_t(struct ktr_record, entries,
				    nr_blocks + 64 * nr_areas);
	unsigned int rec_order = get_order(size), i;
	struct ktr_record *rec;
	struct page *rec_page;
	int ret;

	ktr_rng = seed + round;
	rec_page = alloc_pages(GFP_KERNEL | __GFP_ZERO, rec_order);
	if (!rec_page)
		return -ENOMEM;
	rec = page_address(rec_page);
	rec->magic = KTR_MAGIC;
	rec->round = round;

	for (i = 0; i < nr_blocks; i++) {
		ret = ktr_preserve_block(rec, i);
		if (ret)
			return ret;
	}
	for (i = 0; i < nr_areas; i++) {
		ret = ktr_preserve_area(rec, i);
		if (ret)
			return ret;
	}
	rec->nr_areas = nr_areas;
	ret = kho_ranges_preserve_pages(&kho_ranges_kernel, rec_page,
					rec_order, KTR_TAG);
	if (ret)
		return ret;

	ret = kho_ranges_serialize(&kho_ranges_kernel);
	if (ret)
		return ret;
	pr_info("round %u preserved entries=%u bytes=%llu ranges=%lu record=%#llx fdt=%#llx\n",
		round, rec->nr_entries, rec->bytes,
		kho_ranges_kernel.nr_ranges, (u64)page_to_phys(rec_page),
		(u64)kho_ranges_kernel.fdt_phys);

	if (corrupt) {
		u8 *blob = phys_to_virt(kho_ranges_kernel.blob_phys);

		blob[kho_ranges_kernel.blob_size - 1] ^= 0x5a;
		pr_info("corrupted the blob on purpose\n");
	}
	return 0;
}

/* restore and check one vmalloc area: its pages, mapped again */
static unsigned int ktr_verify_area(struct ktr_record *rec, unsigned int first,
				    unsigned int nr)
{
	struct page **pages = kcalloc(nr, sizeof(*pages), GFP_KERNEL);
	unsigned int i, bad = 0;
	void *va;

	if (!pages)
		return nr;
	for (i = 0; i < nr; i++) {
		pages[i] = kho_ranges_restore_pages(&kho_ranges_incoming,
						    rec->entries[first + i].phys, 0);
		if (!pages[i]) {
			while (i--)
				__free_page(pages[i]);
			kfree(pages);
			return nr;
		}
	}
	va = vmap(pages, nr, VM_MAP, PAGE_KERNEL);
	for (i = 0; i < nr; i++)
		if (!va || crc32_le(~0U, va + i * PAGE_SIZE, PAGE_SIZE) !=
		    rec->entries[first + i].crc)
			bad++;
	if (va)
		vunmap(va);
	for (i = 0; i < nr; i++)
		__free_page(pages[i]);
	kfree(pages);
	return bad;
}

static unsigned int ktr_verify_block(struct ktr_entry *e)
{
	unsigned int bad = 0;
	struct folio *folio;
	struct page *page;

	if (e->kind == KTR_FOLIO) {
		folio = kho_ranges_restore_folio(&kho_ranges_incoming, e->phys);
		if (!folio)
			return 1;
		if (folio_order(folio) != e->order)
			bad = 1;
		else if (crc32_le(~0U, folio_address(folio),
				  PAGE_SIZE << e->order) != e->crc)
			bad = 1;
		folio_put(folio);
		return bad;
	}
	page = kho_ranges_restore_pages(&kho_ranges_incoming, e->phys, e->order);
	if (!page)
		return 1;
	if (crc32_le(~0U, page_address(page), PAGE_SIZE << e->order) != e->crc)
		bad = 1;
	__free_pages(page, e->order);
	return bad;
}

static int ktr_verify(u32 *round)
{
	unsigned int i = 0, bad = 0, blocks = 0;
	unsigned long nr_pages;
	struct ktr_record *rec;
	struct page *rec_page;
	phys_addr_t phys;

	if (!kho_ranges_incoming.nr_ranges) {
		pr_info("no handover from the previous kernel\n");
		return -ENOENT;
	}
	if (kho_ranges_find_tag(&kho_ranges_incoming, KTR_TAG, &phys,
				&nr_pages)) {
		pr_err("FAIL: no test record in the handover\n");
		return -ENOENT;
	}
	rec_page = kho_ranges_restore_pages(&kho_ranges_incoming, phys,
					    ilog2(nr_pages));
	if (!rec_page) {
		pr_err("FAIL: test record not restorable\n");
		return -EINVAL;
	}
	rec = page_address(rec_page);
	if (rec->magic != KTR_MAGIC) {
		pr_err("FAIL: test record corrupt\n");
		return -EINVAL;
	}

	while (i < rec->nr_entries) {
		struct ktr_entry *e = &rec->entries[i];
		unsigned int n = 1;

		if (e->kind == KTR_VMALLOC) {
			while (i + n < rec->nr_entries &&
			       rec->entries[i + n].kind == KTR_VMALLOC &&
			       rec->entries[i + n].area == e->area)
				n++;
			bad += ktr_verify_area(rec, i, n);
		} else {
			bad += ktr_verify_block(e);
		}
		blocks += n;
		i += n;
	}
	pr_info("%s round=%u entries=%u areas=%u bytes=%llu mismatches=%u\n",
		bad ? "FAIL" : "PASS", rec->round, blocks, rec->nr_areas,
		rec->bytes, bad);
	*round = rec->round;
	__free_pages(rec_page, ilog2(nr_pages));
	return bad ? -EIO : 0;
}

static int __init test_kho_ranges_init(void)
{
	u32 round = 0;
	int ret;

	if (!run)
		return 0;
	ret = ktr_verify(&round);
	if (ret && ret != -ENOENT)
		return 0;	/* a failed round ends the chain */
	ret = ktr_preserve(round + 1);
	if (ret)
		pr_err("FAIL: round %u could not preserve (%d)\n", round + 1, ret);
	return 0;
}
late_initcall(test_kho_ranges_init);

MODULE_DESCRIPTION("kho_ranges kexec round-trip test");
MODULE_LICENSE("GPL");

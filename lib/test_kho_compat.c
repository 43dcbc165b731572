// SPDX-License-Identifier: GPL-2.0
/*
 * A Kexec HandOver user written only against upstream's
 * <linux/kexec_handover.h>, run on kho_ranges' compatibility layer across a
 * real kexec.
 *
 * Enabled with test_kho_compat.run=1 on every kernel of a chain. In a
 * kernel that KHO booted (is_kho_boot()), it finds its state through the
 * sub-FDT name it registered, restores the state folio, a data folio, a
 * run of pages and a vmalloc() area, and checks every byte; a second
 * kho_restore_vmalloc() of the same area must return NULL. Then it
 * allocates, fills and preserves the same set anew for the next kernel.
 */

#define pr_fmt(fmt) "KHO-COMPAT: " fmt

#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#define KTC_NAME	"kho-compat-test"
#define KTC_MAGIC	0x4b54435fU
#define KTC_FOLIO_ORDER	2
#define KTC_NR_PAGES	8
#define KTC_AREA_PAGES	37

struct ktc_state {
	u32 magic;
	u32 round;
	DECLARE_KHOSER_PTR(data, u8 *);
	phys_addr_t pages;
	struct kho_vmalloc area;
};

static bool run;
module_param(run, bool, 0444);
MODULE_PARM_DESC(run, "restore what the previous kernel preserved, preserve anew");

static u8 ktc_byte(u32 round, u32 what, size_t i)
{
	return (u8)(i * 131 + (i >> 8) * 7 + round * 17 + what * 59);
}

static void ktc_fill(u8 *p, size_t len, u32 round, u32 what)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = ktc_byte(round, what, i);
}

static unsigned long ktc_check(const u8 *p, size_t len, u32 round, u32 what)
{
	unsigned long bad = 0;
	size_t i;

	for (i = 0; i < len; i++)
		bad += p[i] != ktc_byte(round, what, i);
	return bad;
}

static int ktc_restore(void)
{
	unsigned long bad = 0;
	struct folio *folio;
	struct ktc_state *st;
	struct page *pages;
	phys_addr_t phys;
	bool twice;
	void *area;
	u8 *data;

	if (!is_kho_boot()) {
		pr_info("not a KHO boot\n");
		return 0;
	}
	if (kho_retrieve_subtree(KTC_NAME, &phys)) {
		pr_info("no state from the previous kernel\n");
		return 0;
	}
	folio = kho_restore_folio(phys);
	if (!folio) {
		pr_err("FAIL: state folio at %#llx not restored\n", (u64)phys);
		return -EINVAL;
	}
	st = folio_address(folio);
	if (st->magic != KTC_MAGIC) {
		pr_err("FAIL: state folio is corrupt\n");
		return -EINVAL;
	}

	data = KHOSER_LOAD_PTR(st->data);
	folio = kho_restore_folio(virt_to_phys(data));
	if (!folio || folio_order(folio) != KTC_FOLIO_ORDER) {
		pr_err("FAIL: data folio not restored with its order\n");
		bad++;
	} else {
		bad += ktc_check(data, folio_size(folio), st->round, 1);
		folio_put(folio);
	}

	pages = kho_restore_pages(st->pages, KTC_NR_PAGES);
	if (!pages) {
		pr_err("FAIL: pages not restored\n");
		bad++;
	} else {
		unsigned int i;

		for (i = 0; i < KTC_NR_PAGES; i++) {
			bad += ktc_check(page_address(pages + i), PAGE_SIZE,
					 st->round, 2 + i);
			__free_page(pages + i);
		}
	}

	area = kho_restore_vmalloc(&st->area);
	if (!area) {
		pr_err("FAIL: vmalloc area not restored\n");
		bad++;
	} else {
		bad += ktc_check(area, KTC_AREA_PAGES * PAGE_SIZE, st->round,
				 100);
	}
	twice = !kho_restore_vmalloc(&st->area);
	vfree(area);

	pr_info("%s round=%u folio+pages+vmalloc mismatches=%lu twice=%s\n",
		!bad && twice ? "PASS" : "FAIL", st->round, bad,
		twice ? "refused" : "MAPPED");
	return st->round;
}

static int ktc_preserve(u32 round)
{
	struct folio *state, *data;
	struct ktc_state *st;
	struct page *pages;
	unsigned int i;
	void *area;
	int err;

	state = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	data = folio_alloc(GFP_KERNEL, KTC_FOLIO_ORDER);
	pages = alloc_pages(GFP_KERNEL, get_order(KTC_NR_PAGES * PAGE_SIZE));
	area = vmalloc(KTC_AREA_PAGES * PAGE_SIZE);
	if (!state || !data || !pages || !area)
		return -ENOMEM;
	split_page(pages, get_order(KTC_NR_PAGES * PAGE_SIZE));

	st = folio_address(state);
	st->magic = KTC_MAGIC;
	st->round = round;
	ktc_fill(folio_address(data), folio_size(data), round, 1);
	KHOSER_STORE_PTR(st->data, (u8 *)folio_address(data));
	for (i = 0; i < KTC_NR_PAGES; i++)
		ktc_fill(page_address(pages + i), PAGE_SIZE, round, 2 + i);
	st->pages = page_to_phys(pages);
	ktc_fill(area, KTC_AREA_PAGES * PAGE_SIZE, round, 100);

	err = kho_preserve_folio(state);
	err = err ?: kho_preserve_folio(data);
	err = err ?: kho_preserve_pages(pages, KTC_NR_PAGES);
	err = err ?: kho_preserve_vmalloc(area, &st->area);
	err = err ?: kho_add_subtree(KTC_NAME, st);
	if (err) {
		pr_err("FAIL: preserving round %u: %d\n", round, err);
		return err;
	}
	pr_info("round %u preserved: kho_is_enabled=%d vmalloc pages=%u\n",
		round, kho_is_enabled(), st->area.total_pages);
	return 0;
}

static int __init test_kho_compat_init(void)
{
	int round;

	if (!run)
		return 0;
	round = ktc_restore();
	if (round >= 0)
		ktc_preserve(round + 1);
	return 0;
}
late_initcall(test_kho_compat_init);

MODULE_DESCRIPTION("an upstream KHO user on kho_ranges across kexec");
MODULE_LICENSE("GPL");

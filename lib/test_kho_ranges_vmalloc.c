// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc() areas across a real kexec, through kho_ranges' driver API.
 *
 * Enabled with test_kho_ranges_vmalloc.run=1, the same on every kernel of
 * a chain. Each kernel first takes back what the previous one preserved:
 * it finds its state page by its tag, maps every area again with
 * kho_ranges_restore_vmalloc() and compares every byte with the pattern it
 * was filled with; a second restore of a handle must fail with -EALREADY,
 * a handle with another cookie with -ESTALE, and the area whose page list
 * was corrupted on purpose with -EBADMSG. Then it vmallocs areas of each
 * shape (one page; 512 and 100 pages, which vmalloc() takes in runs of
 * contiguous pages on a fresh kernel; vmalloc_huge() of two PMDs), fills
 * and preserves them, and prints what each page list costs. The
 * handover is serialized by whoever kexecs (debugfs kho_ranges/finalize).
 */

#define pr_fmt(fmt) "KHO-VMALLOC: " fmt

#include <linux/err.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kho_ranges.h>
#include <linux/kho_ranges_vmalloc.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#define KTV_TAG		0x7e59
#define KTV_MAGIC	0x4b54565fU
#define KTV_MAX_AREAS	16

enum ktv_kind { KTV_SINGLE, KTV_PAGES, KTV_SMALL, KTV_HUGE, KTV_CORRUPT };

static const char *const ktv_kind_names[] = {
	[KTV_SINGLE] = "single-page",
	[KTV_PAGES] = "512-pages",
	[KTV_SMALL] = "100-pages",
	[KTV_HUGE] = "huge",
	[KTV_CORRUPT] = "corrupt",
};

struct ktv_area {
	u64 handle;
	u32 nr_pages;
	u32 kind;
};

struct ktv_state {
	u32 magic;
	u32 round;
	u32 nr_areas;
	u32 reserved;
	struct ktv_area areas[KTV_MAX_AREAS];
};

static bool run;
module_param(run, bool, 0444);
MODULE_PARM_DESC(run, "restore what the previous kernel preserved, preserve anew");

/* the pattern of word @i of area @a in round @round */
static u64 ktv_word(u32 round, u32 a, u64 i)
{
	u64 x = ((u64)round << 48 | (u64)a << 40 | i) + 0x9e3779b97f4a7c15ULL;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void ktv_fill(u64 *p, size_t bytes, u32 round, u32 a)
{
	size_t i;

	for (i = 0; i < bytes / sizeof(u64); i++)
		p[i] = ktv_word(round, a, i);
}

static unsigned long ktv_check(const u64 *p, size_t bytes, u32 round, u32 a)
{
	unsigned long bad = 0;
	size_t i;

	for (i = 0; i < bytes / sizeof(u64); i++)
		bad += p[i] != ktv_word(round, a, i);
	return bad;
}

static int ktv_restore(void)
{
	const struct kho_ranges_incoming *in = &kho_ranges_incoming;
	unsigned long bad = 0, pages = 0, restored = 0;
	bool ealready = true, estale = true, ebadmsg = true;
	struct ktv_state *st;
	phys_addr_t phys;
	struct page *page;
	void *addr, *again;
	u32 i;

	if (kho_ranges_find_tag(in, KTV_TAG, &phys, NULL)) {
		pr_info("no areas from the previous kernel\n");
		return 0;
	}
	page = kho_ranges_restore_pages(in, phys, 0);
	st = page ? page_address(page) : NULL;
	if (!st || st->magic != KTV_MAGIC || st->nr_areas > KTV_MAX_AREAS) {
		pr_err("FAIL: state page at %#llx is missing or corrupt\n",
		       (u64)phys);
		return -EINVAL;
	}
	for (i = 0; i < st->nr_areas; i++) {
		struct ktv_area *a = &st->areas[i];

		addr = kho_ranges_restore_vmalloc(in, a->handle);
		if (a->kind == KTV_CORRUPT) {
			if (PTR_ERR(addr) != -EBADMSG) {
				pr_err("FAIL: corrupt page list gave %ld\n",
				       PTR_ERR(addr));
				ebadmsg = false;
				if (!IS_ERR(addr))
					vfree(addr);
			}
			continue;
		}
		if (IS_ERR(addr)) {
			pr_err("FAIL: area %u (%s) not restored: %ld\n", i,
			       ktv_kind_names[a->kind], PTR_ERR(addr));
			bad++;
			continue;
		}
		if (!is_vmalloc_addr(addr) ||
		    find_vm_area(addr)->nr_pages != a->nr_pages) {
			pr_err("FAIL: area %u is not a %u-page vmalloc area\n",
			       i, a->nr_pages);
			bad++;
		}
		bad += ktv_check(addr, (size_t)a->nr_pages << PAGE_SHIFT,
				 st->round, i);
		pages += a->nr_pages;
		restored++;
		again = kho_ranges_restore_vmalloc(in, a->handle);
		if (PTR_ERR(again) != -EALREADY) {
			pr_err("FAIL: second restore of area %u gave %ld\n", i,
			       PTR_ERR(again));
			ealready = false;
		}
		again = kho_ranges_restore_vmalloc(in, a->handle ^ 1);
		if (PTR_ERR(again) != -ESTALE) {
			pr_err("FAIL: a stale handle of area %u gave %ld\n", i,
			       PTR_ERR(again));
			estale = false;
		}
		vfree(addr);
	}
	pr_info("%s round=%u areas=%lu pages=%lu mismatches=%lu ealready=%s estale=%s ebadmsg=%s\n",
		!bad && ealready && estale && ebadmsg ? "PASS" : "FAIL",
		st->round, restored, pages, bad, ealready ? "ok" : "bad",
		estale ? "ok" : "bad", ebadmsg ? "ok" : "bad");
	i = st->round;
	__free_page(page);
	return i;
}

static void *ktv_alloc(enum ktv_kind kind, u32 *nr_pages)
{
	switch (kind) {
	case KTV_SINGLE:
		*nr_pages = 1;
		return vmalloc(PAGE_SIZE);
	case KTV_PAGES:
		*nr_pages = 512;
		return vmalloc(512 * PAGE_SIZE);
	case KTV_SMALL:
		*nr_pages = 100;
		return vmalloc(100 * PAGE_SIZE);
	case KTV_HUGE:
		*nr_pages = 2 * (PMD_SIZE >> PAGE_SHIFT);
		return vmalloc_huge(2 * PMD_SIZE, GFP_KERNEL);
	case KTV_CORRUPT:
		*nr_pages = 8;
		return vmalloc(8 * PAGE_SIZE);
	}
	return NULL;
}

static int ktv_preserve(u32 round)
{
	static const enum ktv_kind kinds[] = {
		KTV_SINGLE, KTV_SINGLE, KTV_PAGES, KTV_SMALL, KTV_HUGE,
		KTV_HUGE, KTV_CORRUPT,
	};
	unsigned long nr_pages, nr_runs;
	struct ktv_state *st;
	struct page *page;
	unsigned int order;
	size_t bytes;
	void *addr;
	u32 i, n;
	int ret;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	st = page_address(page);
	st->magic = KTV_MAGIC;
	st->round = round;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct ktv_area *a = &st->areas[i];

		addr = ktv_alloc(kinds[i], &n);
		if (!addr)
			return -ENOMEM;
		ktv_fill(addr, (size_t)n << PAGE_SHIFT, round, i);
		ret = kho_ranges_preserve_vmalloc(&kho_ranges_kernel, addr,
						  &a->handle);
		if (ret) {
			pr_err("FAIL: preserving area %u: %d\n", i, ret);
			return ret;
		}
		a->nr_pages = n;
		a->kind = kinds[i];
		st->nr_areas++;
		kho_ranges_vmalloc_stats(a->handle, &nr_pages, &order,
					 &nr_runs, &bytes);
		pr_info("round %u area %u %s: pages=%lu order=%u runs=%lu list=%zu bytes per_page_milli=%lu\n",
			round, i, ktv_kind_names[a->kind], nr_pages, order,
			nr_runs, bytes, bytes * 1000 / nr_pages);
		if (a->kind == KTV_CORRUPT) {
			/* a bit of the first run's pfn: the checksum no longer holds */
			struct kho_ranges_vmalloc_list *l =
				phys_to_virt(a->handle & PAGE_MASK);

			l->runs[0] ^= cpu_to_le64(1ULL << 3);
		}
		/* the areas stay mapped and allocated: this kernel ends in kexec */
	}
	ret = kho_ranges_preserve_pages(&kho_ranges_kernel, page, 0, KTV_TAG);
	if (ret)
		return ret;
	pr_info("round %u preserved areas=%u\n", round, st->nr_areas);
	return 0;
}

static int __init test_kho_ranges_vmalloc_init(void)
{
	int round;

	if (!run)
		return 0;
	round = ktv_restore();
	if (round < 0)
		return 0;
	ktv_preserve(round + 1);
	return 0;
}
late_initcall(test_kho_ranges_vmalloc_init);

MODULE_DESCRIPTION("kho_ranges vmalloc areas across kexec");
MODULE_LICENSE("GPL");

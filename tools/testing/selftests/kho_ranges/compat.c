// SPDX-License-Identifier: GPL-2.0
/*
 * Upstream KHO's driver API on kho_ranges (mm/kho_ranges_compat.c): a
 * driver written only against <linux/kexec_handover.h> preserves a folio,
 * a run of pages, a vmalloc() area and a named sub-FDT, and takes them all
 * back in the next kernel.
 */
#include <errno.h>

#include <linux/kexec_handover.h>
#include <linux/kho_ranges_vmalloc.h>
#include <linux/vmalloc.h>

#include "kselftest_harness.h"
#include "kr_test.h"

/* what the driver keeps in its preserved state page */
struct kr_compat_state {
	DECLARE_KHOSER_PTR(data, u64 *);
	struct kho_vmalloc area;
	phys_addr_t folio;
	phys_addr_t pages;
};

TEST(compat_round_trip)
{
	struct kho_ranges_incoming *in = &kho_ranges_incoming;
	struct kr_compat_state *st, *st2;
	struct folio *folio, *f2, *stf;
	struct page *pages, *p2;
	phys_addr_t fdt_phys;
	u64 *area, *a2, *data;
	unsigned int i;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&kho_ranges_kernel);
	ASSERT_TRUE(kho_is_enabled());
	ASSERT_FALSE(is_kho_boot());

	stf = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	ASSERT_NE(NULL, stf);
	st = page_address(&stf->page);
	folio = folio_alloc(GFP_KERNEL, 3);
	pages = alloc_pages(GFP_KERNEL, 2);
	area = vmalloc(40 * PAGE_SIZE);
	ASSERT_NE(NULL, folio);
	ASSERT_NE(NULL, pages);
	ASSERT_NE(NULL, area);
	for (i = 0; i < 40 * PAGE_SIZE / 8; i++)
		area[i] = i * 77;
	data = page_address(&folio->page);
	data[5] = 0x1234;
	KHOSER_STORE_PTR(st->data, data);
	st->folio = PFN_PHYS(folio_pfn(folio));
	st->pages = page_to_phys(pages);

	ASSERT_EQ(0, kho_preserve_folio(stf));
	ASSERT_EQ(0, kho_preserve_folio(folio));
	ASSERT_EQ(0, kho_preserve_pages(pages, 4));
	ASSERT_EQ(0, kho_preserve_vmalloc(area, &st->area));
	ASSERT_EQ(40, st->area.total_pages);
	ASSERT_EQ(0, st->area.order);
	/* the state page stands in for the driver's FDT */
	ASSERT_EQ(0, kho_add_subtree("kr-compat-test", st));
	ASSERT_EQ(-EEXIST, kho_add_subtree("kr-compat-test", st));
	/* preserve and unpreserve: gone from the handover */
	ASSERT_EQ(0, kho_unpreserve_pages(pages + 2, 2));
	ASSERT_EQ(0, kho_preserve_pages(pages + 2, 2));
	ASSERT_EQ(0, kho_ranges_serialize(&kho_ranges_kernel));
	/* serialized: frozen until aborted */
	ASSERT_EQ(-EBUSY, kho_preserve_pages(pages, 1));

	/* next kernel */
	kho_sim_boot(true);
	ASSERT_EQ(0, kho_ranges_validate(in, kho_ranges_kernel.blob_phys,
					 phys_to_virt(kho_ranges_kernel.blob_phys),
					 kho_ranges_kernel.blob_size));
	ASSERT_TRUE(is_kho_boot());
	ASSERT_EQ(-ENOENT, kho_retrieve_subtree("nobody", &fdt_phys));
	ASSERT_EQ(0, kho_retrieve_subtree("kr-compat-test", &fdt_phys));
	st2 = phys_to_virt(fdt_phys);
	ASSERT_EQ(st, st2);
	ASSERT_NE(NULL, kho_restore_folio(fdt_phys));

	f2 = kho_restore_folio(st2->folio);
	ASSERT_EQ(folio, f2);
	ASSERT_EQ(3, folio_order(f2));
	ASSERT_EQ(0x1234, KHOSER_LOAD_PTR(st2->data)[5]);
	/* a run of pages is not a folio, and a folio is not a run of pages */
	ASSERT_EQ(NULL, kho_restore_folio(st2->pages));
	ASSERT_EQ(NULL, kho_restore_pages(st2->folio, 8));
	p2 = kho_restore_pages(st2->pages, 4);
	ASSERT_EQ(pages, p2);
	a2 = kho_restore_vmalloc(&st2->area);
	ASSERT_NE(NULL, a2);
	for (i = 0; i < 40 * PAGE_SIZE / 8; i++)
		ASSERT_EQ((u64)i * 77, a2[i]);
	/* restoring twice: NULL, not a second mapping */
	ASSERT_EQ(NULL, kho_restore_vmalloc(&st2->area));
	vfree(a2);

	kho_ranges_destroy(&kho_ranges_kernel);
	memset(in, 0, sizeof(*in));
	kho_sim_exit();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The driver API (mm/kho_ranges_vmalloc.c): vmalloc() areas preserved
 * whole and mapped again in the next kernel, runs of pages, the restore
 * cursor, and the errors a driver can act on.
 */
#include <errno.h>

#include <linux/err.h>
#include <linux/kho_ranges_vmalloc.h>
#include <linux/vmalloc.h>

#include "kselftest_harness.h"
#include "kr_test.h"
#include "kr_blob.h"

/* a page of the area: bytes no other page of any test has */
static void kr_api_fill(void *p, size_t len, u64 seed)
{
	u64 *w = p, x = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
}

/* the list a handle names, in the kernel that wrote it */
static struct kho_ranges_vmalloc_list *kr_api_list(u64 handle)
{
	return phys_to_virt(handle & PAGE_MASK);
}

static void kr_api_reseal(struct kho_ranges_vmalloc_list *l)
{
	size_t bytes = sizeof(*l) + le32_to_cpu(l->nr_runs) * sizeof(__le64);
	u32 crc;

	crc = crc32_le(~0U, (const u8 *)l,
		       offsetof(struct kho_ranges_vmalloc_list, crc));
	crc = crc32_le(crc, (const u8 *)"\0\0\0\0", 4);
	crc = crc32_le(crc, (const u8 *)&l->reserved,
		       bytes - offsetof(struct kho_ranges_vmalloc_list, reserved));
	l->crc = cpu_to_le32(~crc);
}

/* how the area's pages lie in physical memory */
enum kr_api_shape {
	KR_SHAPE_SINGLE,	/* one page */
	KR_SHAPE_CONTIG,	/* 300 consecutive pages: one run */
	KR_SHAPE_SCATTERED,	/* 128 pages, every other page: 128 runs */
	KR_SHAPE_CHUNKS,	/* 96 pages in chunks of 8, gaps between */
	KR_SHAPE_HUGE,		/* vmalloc_huge(4 MiB): two order-9 blocks */
};

FIXTURE(vmalloc_area) {
	struct kho_ranges kr;
	struct kho_ranges_incoming in;
	void *area;
	void *copy;
	size_t size;
	u64 handle;
};

FIXTURE_VARIANT(vmalloc_area) {
	enum kr_api_shape shape;
	unsigned long nr_pages;
	unsigned long nr_runs;
	unsigned int order;
};

FIXTURE_VARIANT_ADD(vmalloc_area, single) {
	.shape = KR_SHAPE_SINGLE, .nr_pages = 1, .nr_runs = 1,
};

FIXTURE_VARIANT_ADD(vmalloc_area, contiguous) {
	.shape = KR_SHAPE_CONTIG, .nr_pages = 300, .nr_runs = 1,
};

FIXTURE_VARIANT_ADD(vmalloc_area, scattered) {
	.shape = KR_SHAPE_SCATTERED, .nr_pages = 128, .nr_runs = 128,
};

FIXTURE_VARIANT_ADD(vmalloc_area, chunks) {
	.shape = KR_SHAPE_CHUNKS, .nr_pages = 96, .nr_runs = 12,
};

FIXTURE_VARIANT_ADD(vmalloc_area, huge) {
	.shape = KR_SHAPE_HUGE, .nr_pages = 1024, .nr_runs = 1, .order = 9,
};

/* an area of @nr pages taken every @stride pages, in chunks of @chunk */
static void *kr_api_area_strided(unsigned long nr, unsigned int chunk,
				 unsigned int stride)
{
	struct page **pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL);
	struct page *base = alloc_pages(GFP_KERNEL,
					get_order(nr / chunk * stride * PAGE_SIZE));
	unsigned long i;

	if (!pages || !base)
		return NULL;
	for (i = 0; i < nr; i++) {
		pages[i] = base + i / chunk * stride + i % chunk;
		set_page_count(pages[i], 1);
	}
	return kho_harness_vmalloc_pages(pages, nr, 0);
}

FIXTURE_SETUP(vmalloc_area)
{
	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&self->kr);
	self->size = variant->nr_pages * PAGE_SIZE;

	switch (variant->shape) {
	case KR_SHAPE_SINGLE:
	case KR_SHAPE_CONTIG:
		self->area = vmalloc(self->size);
		break;
	case KR_SHAPE_SCATTERED:
		self->area = kr_api_area_strided(variant->nr_pages, 1, 2);
		break;
	case KR_SHAPE_CHUNKS:
		self->area = kr_api_area_strided(variant->nr_pages, 8, 11);
		break;
	case KR_SHAPE_HUGE:
		self->area = vmalloc_huge(self->size, GFP_KERNEL);
		break;
	}
	ASSERT_NE(NULL, self->area);
	self->copy = malloc(self->size);
	ASSERT_NE(NULL, self->copy);
	kr_api_fill(self->area, self->size, variant->shape + 1);
	memcpy(self->copy, self->area, self->size);
	ASSERT_EQ(0, kho_ranges_preserve_vmalloc(&self->kr, self->area,
						 &self->handle));
}

FIXTURE_TEARDOWN(vmalloc_area)
{
	free(self->copy);
	kho_ranges_destroy(&self->kr);
	kho_sim_exit();
}

/* serialize, boot the next kernel and validate the blob into self->in */
#define KR_API_NEXT_KERNEL()						\
	do {								\
		ASSERT_EQ(0, kho_ranges_serialize(&self->kr));		\
		ASSERT_EQ(NULL, kr_blob_matches(&self->kr, &self->in)); \
	} while (0)

/*
 * The page list is one u64 per run of consecutive pfns after a 40-byte
 * header, and every run is preserved with the tag of vmalloc pages and the
 * area's order: a contiguous area of any size costs 48 bytes.
 */
TEST_F(vmalloc_area, page_list_is_runs)
{
	struct kho_ranges_vmalloc_list *l = kr_api_list(self->handle);
	unsigned long nr_pages, nr_runs;
	unsigned int order;
	size_t bytes;

	ASSERT_EQ(0, kho_ranges_vmalloc_stats(self->handle, &nr_pages, &order,
					      &nr_runs, &bytes));
	ASSERT_EQ(variant->nr_pages, nr_pages);
	ASSERT_EQ(variant->nr_runs, nr_runs);
	ASSERT_EQ(variant->order, order);
	ASSERT_EQ(40 + 8 * variant->nr_runs, bytes);
	ASSERT_EQ(40, sizeof(*l));
	ASSERT_EQ(KHO_RANGES_VMALLOC_MAGIC, le32_to_cpu(l->magic));
	ASSERT_EQ(variant->order ? KHO_RANGES_VMALLOC_HUGE : 0,
		  le32_to_cpu(l->flags));
	/* the handle's low bits are the list's cookie */
	ASSERT_EQ(le32_to_cpu(l->cookie), self->handle & ~PAGE_MASK);
	/* pages of the area, the list's pages: nothing else */
	ASSERT_EQ(variant->nr_pages + 1, self->kr.nr_pages);
	TH_LOG("%lu pages, %lu runs: page list %zu bytes, %.3f bytes per preserved page",
	       nr_pages, nr_runs, bytes, (double)bytes / nr_pages);
}

/*
 * Next kernel: the area comes back at the same size, every byte the same,
 * with the same page order, each page an order-0 page with one reference,
 * mapped over the very pages that were preserved.
 */
TEST_F(vmalloc_area, restores_every_byte)
{
	struct vm_struct *vm;
	unsigned long i;
	void *p;

	KR_API_NEXT_KERNEL();
	p = kho_ranges_restore_vmalloc(&self->in, self->handle);
	ASSERT_FALSE(IS_ERR(p));
	ASSERT_NE(self->area, p);
	vm = find_vm_area(p);
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(p, vm->addr);
	ASSERT_EQ(self->size, vm->size);
	ASSERT_EQ(variant->nr_pages, vm->nr_pages);
	ASSERT_EQ(variant->order, vm->page_order);
	ASSERT_TRUE(IS_ALIGNED((unsigned long)p, PAGE_SIZE << variant->order));
	ASSERT_EQ(0, memcmp(self->copy, p, self->size));
	for (i = 0; i < vm->nr_pages; i++) {
		ASSERT_EQ(vmalloc_to_page(self->area + i * PAGE_SIZE),
			  vm->pages[i]);
		ASSERT_EQ(1, page_count(vm->pages[i]));
	}
	/* one mapping of the same memory: a write shows through the other */
	((char *)p)[self->size - 1] ^= 0x5a;
	ASSERT_EQ(((char *)p)[self->size - 1],
		  ((char *)self->area)[self->size - 1]);
	vfree(p);
}

/* a second restore of the same handle fails and maps nothing */
TEST_F(vmalloc_area, restoring_twice_is_ealready)
{
	void *p;

	KR_API_NEXT_KERNEL();
	p = kho_ranges_restore_vmalloc(&self->in, self->handle);
	ASSERT_FALSE(IS_ERR(p));
	ASSERT_EQ(-EALREADY, PTR_ERR(kho_ranges_restore_vmalloc(&self->in,
								 self->handle)));
	ASSERT_EQ(0, memcmp(self->copy, p, self->size));
	vfree(p);
}

/*
 * A handle of an older boot: its page is not preserved as a page list any
 * more, or a newer list lies there with another cookie. A wrong guess at
 * a handle is the same.
 */
TEST_F(vmalloc_area, foreign_handles_are_estale)
{
	u64 h = self->handle;
	struct kho_ranges_incoming *in = &self->in;

	KR_API_NEXT_KERNEL();
	/* another cookie: the list there is not the one the handle meant */
	ASSERT_EQ(-ESTALE, PTR_ERR(kho_ranges_restore_vmalloc(in, h ^ 1)));
	/* a page nothing preserved */
	ASSERT_EQ(-ESTALE, PTR_ERR(kho_ranges_restore_vmalloc(in,
		  PFN_PHYS(kr_pfn(12345)) | (h & ~PAGE_MASK))));
	/* a page of the area: preserved, but not as a page list */
	ASSERT_EQ(-ESTALE, PTR_ERR(kho_ranges_restore_vmalloc(in,
		  page_to_phys(vmalloc_to_page(self->area)) |
		  (h & ~PAGE_MASK))));
	/* the real one still works after all that */
	ASSERT_FALSE(IS_ERR(kho_ranges_restore_vmalloc(in, h)));
}

/* pages the tests can tell apart after a failed restore */
static void kr_api_mark_pages(void *area, unsigned long nr, int count)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		set_page_count(vmalloc_to_page(area + i * PAGE_SIZE), count);
}

static bool kr_api_pages_marked(void *area, unsigned long nr, int count)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		if (page_count(vmalloc_to_page(area + i * PAGE_SIZE)) != count)
			return false;
	return true;
}

/*
 * A corrupt page list: a flipped bit (the checksum catches it), a run
 * moved to memory nobody preserved or to another driver's preserved
 * memory (checksum fixed up: the blob catches it), a header that claims
 * more pages than the runs hold. Each is -EBADMSG, and no page of the area
 * is touched.
 */
TEST_F(vmalloc_area, corrupt_page_lists_are_ebadmsg)
{
	struct kho_ranges_vmalloc_list *l = kr_api_list(self->handle);
	unsigned long nr = variant->nr_pages;
	struct folio *other = folio_alloc(GFP_KERNEL, variant->order);
	__le64 run0 = l->runs[0];
	u32 crc = l->crc;

	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, kho_ranges_preserve(&self->kr, folio_pfn(other),
					 1UL << variant->order,
					 KHO_RANGES_INFO(variant->order, 0, 7)));
	KR_API_NEXT_KERNEL();
	kr_api_mark_pages(self->area, nr, 42);

	l->runs[0] = cpu_to_le64(le64_to_cpu(run0) ^ (1ULL << 45));
	ASSERT_EQ(-EBADMSG, PTR_ERR(kho_ranges_restore_vmalloc(&self->in,
								self->handle)));
	/* a run over pages nobody preserved, checksum right */
	l->runs[0] = cpu_to_le64((le64_to_cpu(run0) & ~(BIT_ULL(40) - 1)) |
				 kr_pfn(1 << 16));
	kr_api_reseal(l);
	ASSERT_EQ(-EBADMSG, PTR_ERR(kho_ranges_restore_vmalloc(&self->in,
								self->handle)));
	/* over another driver's pages of the same order */
	l->runs[0] = cpu_to_le64((u64)(1UL << variant->order) << 40 |
				 folio_pfn(other));
	if (variant->nr_runs == 1)
		l->nr_pages = cpu_to_le32(1UL << variant->order);
	kr_api_reseal(l);
	ASSERT_EQ(-EBADMSG, PTR_ERR(kho_ranges_restore_vmalloc(&self->in,
								self->handle)));
	/* the runs hold fewer pages than the header says */
	l->runs[0] = run0;
	l->nr_pages = cpu_to_le32(nr + 1);
	kr_api_reseal(l);
	ASSERT_EQ(-EBADMSG, PTR_ERR(kho_ranges_restore_vmalloc(&self->in,
								self->handle)));
	ASSERT_TRUE(kr_api_pages_marked(self->area, nr, 42));

	/* put back as written: restorable */
	l->nr_pages = cpu_to_le32(nr);
	l->crc = crc;
	ASSERT_FALSE(IS_ERR(kho_ranges_restore_vmalloc(&self->in,
						       self->handle)));
	ASSERT_TRUE(kr_api_pages_marked(self->area, nr, 1));
}

/* unpreserving gives back the pages and the page list: nothing stays */
TEST_F(vmalloc_area, unpreserve_leaves_nothing)
{
	unsigned long in_use = kho_sim_pages_in_use();

	ASSERT_EQ(-EINVAL, kho_ranges_unpreserve_vmalloc(&self->kr,
							 self->handle ^ 1));
	ASSERT_EQ(0, kho_ranges_unpreserve_vmalloc(&self->kr, self->handle));
	ASSERT_EQ(0, self->kr.nr_pages);
	ASSERT_EQ(0, self->kr.nr_ranges);
	ASSERT_EQ(in_use - 1, kho_sim_pages_in_use());
	ASSERT_EQ(-EINVAL, kho_ranges_unpreserve_vmalloc(&self->kr,
							 self->handle));
	/* and it can be preserved again */
	ASSERT_EQ(0, kho_ranges_preserve_vmalloc(&self->kr, self->area,
						 &self->handle));
	ASSERT_EQ(variant->nr_pages + 1, self->kr.nr_pages);
}

/* the same area twice: its pages are preserved already */
TEST_F(vmalloc_area, preserving_twice_is_refused_cleanly)
{
	unsigned long pages = self->kr.nr_pages, in_use = kho_sim_pages_in_use();
	u64 h;

	ASSERT_NE(0, kho_ranges_preserve_vmalloc(&self->kr, self->area, &h));
	ASSERT_EQ(pages, self->kr.nr_pages);
	ASSERT_EQ(in_use, kho_sim_pages_in_use());
}

/* no area there, or not at its start */
TEST(vmalloc_not_an_area)
{
	struct kho_ranges kr;
	char stack[16];
	void *p;
	u64 h;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&kr);
	p = vmalloc(4 * PAGE_SIZE);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(-EINVAL, kho_ranges_preserve_vmalloc(&kr, stack, &h));
	ASSERT_EQ(-EINVAL, kho_ranges_preserve_vmalloc(&kr, p + PAGE_SIZE, &h));
	ASSERT_EQ(0, kr.nr_pages);
	vfree(p);
	kho_ranges_destroy(&kr);
	kho_sim_exit();
}

/*
 * A blob with range records and bitmap records of several orders, and a
 * set of addresses: every preserved folio's first and last byte, and the
 * pages between them.
 */
FIXTURE(cursor) {
	struct kho_ranges kr;
	struct kho_ranges_incoming in;
	phys_addr_t *addrs;
	unsigned long nr;
};

FIXTURE_SETUP(cursor)
{
	unsigned long i, off = 0;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&self->kr);
	/* runs of folios of orders 0..5, with holes: range records */
	for (i = 0; i < 600; i++) {
		unsigned int order = i % 6;

		off = ALIGN(off, 1UL << order);
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr, kr_pfn(off),
						 1UL << order,
						 KHO_RANGES_INFO(order, 0, 1)));
		off += (1UL << order) * (i % 7 ? 1 : 3);
	}
	/* every other page of 4 MiB, twice: bitmap records */
	for (i = 0; i < 2048; i++) {
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr,
						 kr_pfn(0x10000 + 2 * i), 1,
						 KR_TAG(2)));
		ASSERT_EQ(0, kho_ranges_preserve(&self->kr,
						 kr_pfn(0x20000 + 8 * i), 4,
						 KHO_RANGES_INFO(2, 0, 3)));
	}
	ASSERT_EQ(0, kho_ranges_serialize(&self->kr));
	ASSERT_EQ(NULL, kr_blob_matches(&self->kr, &self->in));
	ASSERT_LT(0, self->in.nr_bitmaps);
	ASSERT_LT(100, self->in.nr_ranges);

	/* an address in every page, from the first preserved to past the last */
	self->nr = 0x20000 + 8 * 2048 + 16;
	self->addrs = malloc(self->nr * sizeof(*self->addrs));
	ASSERT_NE(NULL, self->addrs);
	for (i = 0; i < self->nr; i++)
		self->addrs[i] = PFN_PHYS(kr_pfn(i)) + (i % 3) * 2047;
}

FIXTURE_TEARDOWN(cursor)
{
	free(self->addrs);
	kho_ranges_destroy(&self->kr);
	kho_sim_exit();
}

/* one cursor, any order of lookups: the answers of kho_ranges_lookup() */
static int kr_api_compare(struct kho_ranges_incoming *in,
			  struct kho_ranges_restore_cursor *cur,
			  phys_addr_t phys, unsigned long *found)
{
	unsigned long n1 = 0, n2 = 0;
	phys_addr_t s1 = 0, s2 = 0;
	u32 i1 = 0, i2 = 0;
	int r1, r2;

	r1 = kho_ranges_lookup(in, phys, &s1, &n1, &i1);
	r2 = kho_ranges_cursor_lookup(cur, phys, &s2, &n2, &i2);
	if (r1 != r2 || s1 != s2 || n1 != n2 || i1 != i2)
		return -1;
	*found += !r1;
	return 0;
}

/* pages the tracker preserves below @end */
static unsigned long kr_api_pages_below(struct kho_ranges *kr,
					unsigned long end)
{
	struct kr_ranges rs = kr_collect(kr);
	unsigned long i, n = 0;

	for (i = 0; i < rs.nr; i++)
		if (rs.r[i].pfn < end)
			n += min(end - rs.r[i].pfn, rs.r[i].nr_pages);
	kr_ranges_free(&rs);
	return n;
}

TEST_F(cursor, same_answers_as_binary_search_in_any_order)
{
	struct kho_ranges_restore_cursor cur;
	unsigned long i, j, found = 0;
	phys_addr_t t;

	kho_ranges_restore_cursor_init(&cur, &self->in);
	for (i = 0; i < self->nr; i++)
		ASSERT_EQ(0, kr_api_compare(&self->in, &cur, self->addrs[i],
					    &found));
	ASSERT_EQ(kr_api_pages_below(&self->kr, kr_pfn(self->nr)), found);
	/* descending, with the cursor where the last walk left it */
	for (i = self->nr; i--; )
		ASSERT_EQ(0, kr_api_compare(&self->in, &cur, self->addrs[i],
					    &found));
	/* shuffled */
	srandom(12);
	for (i = self->nr - 1; i > 0; i--) {
		j = random() % (i + 1);
		t = self->addrs[i];
		self->addrs[i] = self->addrs[j];
		self->addrs[j] = t;
	}
	for (i = 0; i < self->nr; i++)
		ASSERT_EQ(0, kr_api_compare(&self->in, &cur, self->addrs[i],
					    &found));
	/* below and above everything */
	ASSERT_EQ(0, kr_api_compare(&self->in, &cur, kho_sim.ram_base - 1,
				    &found));
	ASSERT_EQ(0, kr_api_compare(&self->in, &cur, ~(phys_addr_t)0, &found));
}

static int kr_api_cmp_folio(const void *a, const void *b)
{
	unsigned long x = folio_pfn(*(struct folio **)a);
	unsigned long y = folio_pfn(*(struct folio **)b);

	return x < y ? -1 : x > y;
}

/*
 * Folios restored through one cursor in address order: each the folio
 * preserved, of its order, with one reference; a plain block is refused.
 */
TEST(cursor_restores_folios)
{
	struct kho_ranges_restore_cursor cur;
	struct kho_ranges_incoming in;
	struct folio *folios[64], *f;
	struct kho_ranges kr;
	struct page *block;
	unsigned int i;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&kr);
	for (i = 0; i < ARRAY_SIZE(folios); i++) {
		folios[i] = folio_alloc(GFP_KERNEL, (i * 7) % 5);
		ASSERT_NE(NULL, folios[i]);
		ASSERT_EQ(0, kho_ranges_preserve_folio(&kr, folios[i], 1));
	}
	block = alloc_pages(GFP_KERNEL, 2);
	ASSERT_NE(NULL, block);
	ASSERT_EQ(0, kho_ranges_preserve_pages(&kr, block, 2, 1));
	ASSERT_EQ(0, kho_ranges_serialize(&kr));
	ASSERT_EQ(NULL, kr_blob_matches(&kr, &in));

	qsort(folios, ARRAY_SIZE(folios), sizeof(folios[0]), kr_api_cmp_folio);
	kho_ranges_restore_cursor_init(&cur, &in);
	for (i = 0; i < ARRAY_SIZE(folios); i++) {
		f = kho_ranges_cursor_restore_folio(&cur,
						    PFN_PHYS(folio_pfn(folios[i])));
		ASSERT_EQ(folios[i], f);
		ASSERT_EQ((folio_pfn(f) - folio_pfn(folios[0])) ? folio_order(f) :
			  folio_order(folios[0]), folio_order(f));
		ASSERT_EQ(1, page_count(&f->page));
	}
	ASSERT_EQ(NULL, kho_ranges_cursor_restore_folio(&cur,
							page_to_phys(block)));
	/* not the start of its folio */
	for (i = 0; i < ARRAY_SIZE(folios); i++)
		if (folio_order(folios[i]))
			break;
	ASSERT_EQ(NULL, kho_ranges_cursor_restore_folio(&cur,
			PFN_PHYS(folio_pfn(folios[i]) + 1)));
	kho_ranges_destroy(&kr);
	kho_sim_exit();
}

/*
 * Runs of pages: across records and blocks of several orders, whole
 * blocks only, plain pages only.
 */
TEST(page_runs)
{
	struct kho_ranges_incoming in;
	struct kho_ranges kr;
	struct folio *folio;
	struct page *page;
	unsigned long i;

	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_ranges_init(&kr);
	/* 10 pages, then four order-2 blocks, touching: two records */
	ASSERT_EQ(0, kho_ranges_preserve(&kr, kr_pfn(100), 10, KR_TAG(1)));
	ASSERT_EQ(0, kho_ranges_preserve(&kr, kr_pfn(112), 16,
					 KHO_RANGES_INFO(2, 0, 1)));
	folio = folio_alloc(GFP_KERNEL, 3);
	ASSERT_NE(NULL, folio);
	ASSERT_EQ(0, kho_ranges_preserve_folio(&kr, folio, 1));
	ASSERT_EQ(0, kho_ranges_serialize(&kr));
	ASSERT_EQ(NULL, kr_blob_matches(&kr, &in));

	/* a hole at pfn 110..111 */
	ASSERT_EQ(NULL, kho_ranges_restore_page_run(&in, PFN_PHYS(kr_pfn(100)),
						    28));
	/* cuts an order-2 block */
	ASSERT_EQ(NULL, kho_ranges_restore_page_run(&in, PFN_PHYS(kr_pfn(112)),
						    6));
	ASSERT_EQ(NULL, kho_ranges_restore_page_run(&in, PFN_PHYS(kr_pfn(113)),
						    3));
	/* a folio is not a run of pages */
	ASSERT_EQ(NULL, kho_ranges_restore_page_run(&in, folio_pfn(folio) <<
						    PAGE_SHIFT, 8));
	/* not page aligned, empty */
	ASSERT_EQ(NULL, kho_ranges_restore_page_run(&in, PFN_PHYS(kr_pfn(100)) + 1,
						    1));
	ASSERT_EQ(NULL, kho_ranges_restore_page_run(&in, PFN_PHYS(kr_pfn(100)),
						    0));
	for (i = 100; i < 128; i++)
		set_page_count(pfn_to_page(kr_pfn(i)), 9);

	page = kho_ranges_restore_page_run(&in, PFN_PHYS(kr_pfn(102)), 8);
	ASSERT_EQ(pfn_to_page(kr_pfn(102)), page);
	page = kho_ranges_restore_page_run(&in, PFN_PHYS(kr_pfn(112)), 16);
	ASSERT_EQ(pfn_to_page(kr_pfn(112)), page);
	for (i = 100; i < 128; i++)
		ASSERT_EQ(i < 102 || (i >= 110 && i < 112) ? 9 : 1,
			  page_count(pfn_to_page(kr_pfn(i))));
	kho_ranges_destroy(&kr);
	kho_sim_exit();
}

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
 *
 * With kho_tracker=NAME (bitmap, bitmap-6.18, radix: the baselines of
 * bench/baselines/, through their ops table and kho_baseline_kernel.c)
 * every block is preserved in that baseline too, and the next kernel also
 * checks the order the baseline's deserializer left in each head page.
 *
 * test_kho_ranges.workload=rapoport or alternate replaces the random blocks
 * with a benchmark workload of bench/workload.c, sized for a VM and not
 * filled (the record then has no checksums; orders are still verified):
 * rapoport is nr_per_order folios of every order 0..10, largest first, with
 * unpreserved order-0..3 allocations in between to break runs; alternate is
 * every other page of alternate_mib MiB. The next kernel's deserialize line
 * is the measurement.
 *
 * test_kho_ranges.workload=fragmented preserves every other page of
 * fragmented_mib MiB taken as blocks of MAX_PAGE_ORDER, each preserved page
 * filled with a pattern of its physical address, the seed and the round:
 * the serializer writes such windows as bitmap records. The next kernel
 * checks that the blob has bitmap records, that the pages between the
 * preserved ones were not handed over, that the runs of the data tag are
 * the preserved pages one by one, and restores every page and compares
 * every byte with the pattern.
 *
 * test_kho_ranges.workload=list preserves the folio list user space writes
 * into the debugfs file test_kho_ranges/folios, one "phys order" line per
 * folio (hex phys, '#' comments): the format of kho_bench --dump, so that
 * the VM and the userspace harness run the very same list. Writing 1 to
 * test_kho_ranges/preserve maps the list into this machine's RAM and
 * preserves it, in list order; serializing is left to whoever kexecs
 * (kho_ranges/finalize). The list's addresses are offsets into the
 * harness's RAM; each block of MAX_PAGE_ORDER they touch is mapped to a
 * block of that order from the page allocator, in address order, on the
 * stretch of free blocks where the fewest consecutive blocks of the list
 * land apart (the line reports those breaks: a stretch across a hole in
 * this machine's memory map has one), and blocks apart in the list stay
 * apart here, so that every folio keeps its offset in its block and runs
 * join or stay apart as in the harness.
 * The record keeps the number of folios and a hash of their addresses and
 * orders; the next kernel walks the handover, checks both, checks the
 * baseline's order of every folio and restores every one.
 */

#define pr_fmt(fmt) "KHO-TEST: " fmt

#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kho_baseline_kernel.h>
#include <linux/kho_ranges.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define KTR_TAG		0x7e57
#define KTR_DATA_TAG	0x7e58
#define KTR_MAGIC	0x4b54525fU
/* the record's blocks were not filled: check orders, not checksums */
#define KTR_REC_NOCRC	BIT(0)
/* fragmented: order-0 pages filled with ktr_pattern(), holes between */
#define KTR_REC_PATTERN	BIT(1)
/* list: a folio list from user space; count and hash, no entries */
#define KTR_REC_LIST	BIT(2)
/* rapoport: orders 0..10, as bench/workload.c */
#define KTR_RAPOPORT_MAX_ORDER	min(10, MAX_PAGE_ORDER)

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
	u32 flags;
	u32 reserved;
	u64 bytes;
	u64 hash;
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
static char *workload;
module_param(workload, charp, 0444);
MODULE_PARM_DESC(workload, "rapoport, alternate, fragmented, or list (from debugfs) instead of random filled blocks");
static unsigned int nr_per_order = 100;
module_param(nr_per_order, uint, 0444);
static unsigned int noise_pct = 30;
module_param(noise_pct, uint, 0444);
static unsigned int alternate_mib = 256;
module_param(alternate_mib, uint, 0444);
/*
 * 32 MiB are 8 blocks of 4 MiB, in at least two 16 MiB windows of the
 * serializer: the record block can keep one window in range records, not
 * both, so the blob has a bitmap record whatever the addresses.
 */
static unsigned int fragmented_mib = 32;
module_param(fragmented_mib, uint, 0444);
MODULE_PARM_DESC(fragmented_mib, "fragmented: MiB of which every other page is preserved");

/*
 * unpreserved allocations of the rapoport and fragmented workloads, freed
 * after serializing so that the blob and the FDT cannot land on them
 */
static LIST_HEAD(ktr_noise);

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

/* into kho_ranges, and into the baseline of kho_tracker= if there is one */
static int ktr_preserve_pages(struct page *page, unsigned int order, u16 tag)
{
	int ret = kho_ranges_preserve_pages(&kho_ranges_kernel, page, order,
					    tag);

	return ret ?: kho_baseline_kernel_preserve(page, order);
}

static int ktr_preserve_folio(struct folio *folio)
{
	int ret = kho_ranges_preserve_folio(&kho_ranges_kernel, folio,
					    KTR_DATA_TAG);

	return ret ?: kho_baseline_kernel_preserve(&folio->page,
						 folio_order(folio));
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
	for (i = 0; !ret && i < nr; i++)
		ret = kho_baseline_kernel_preserve(pages[i], 0);
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
		ret = ktr_preserve_folio(folio);
	else
		ret = ktr_preserve_pages(page, order, KTR_DATA_TAG);
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

static unsigned int ktr_alternate_blocks(void)
{
	return ((u64)alternate_mib << 20) >> (PAGE_SHIFT + MAX_PAGE_ORDER);
}

/* one rapoport folio, after a geometric number of unrelated allocations */
static int ktr_rapoport_folio(struct ktr_record *rec, unsigned int order)
{
	struct ktr_entry *e = &rec->entries[rec->nr_entries];
	struct folio *folio;
	struct page *noise;
	int ret;

	while (ktr_rand() % 100 < noise_pct) {
		unsigned int noise_order = ktr_rand() % 4;

		noise = alloc_pages(GFP_KERNEL | __GFP_NOWARN, noise_order);
		if (!noise)
			break;
		set_page_private(noise, noise_order);
		list_add(&noise->lru, &ktr_noise);
	}
	folio = folio_alloc(GFP_KERNEL | __GFP_NOWARN, order);
	if (!folio)
		return -ENOMEM;
	e->phys = PFN_PHYS(folio_pfn(folio));
	e->order = order;
	e->kind = KTR_FOLIO;
	ret = ktr_preserve_folio(folio);
	if (ret) {
		folio_put(folio);
		return ret;
	}
	rec->nr_entries++;
	rec->bytes += PAGE_SIZE << order;
	return 0;
}

/* every other page of a block of the largest order, split into pages */
static int ktr_alternate_block(struct ktr_record *rec)
{
	unsigned int order = MAX_PAGE_ORDER, i;
	struct page *page;
	int ret = 0;

	page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
	if (!page)
		return -ENOMEM;
	split_page(page, order);
	for (i = 0; i < 1U << order; i++) {
		struct ktr_entry *e = &rec->entries[rec->nr_entries];

		if (i % 2 || ret) {
			__free_page(page + i);
			continue;
		}
		e->phys = page_to_phys(page + i);
		e->order = 0;
		e->kind = KTR_PAGES;
		ret = ktr_preserve_pages(page + i, 0, KTR_DATA_TAG);
		if (ret) {
			__free_page(page + i);
			continue;
		}
		rec->nr_entries++;
		rec->bytes += PAGE_SIZE;
	}
	return ret;
}

/* the fragmented workload's bytes: a function of the address, seed, round */
static u64 ktr_pattern(u64 phys, u32 round)
{
	u64 x = phys ^ ((seed + round) * 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void ktr_pattern_fill(struct page *page, u32 round)
{
	phys_addr_t phys = page_to_phys(page);
	u64 *w = page_address(page);
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(u64); i++)
		w[i] = ktr_pattern(phys + i * sizeof(u64), round);
}

static unsigned int ktr_fragmented_blocks(void)
{
	return max_t(u64, 1, ((u64)fragmented_mib << 20) >>
			     (PAGE_SHIFT + MAX_PAGE_ORDER));
}

/*
 * Every other page of blocks of the largest order, split into pages: the
 * even pages filled and preserved, the odd ones kept allocated until the
 * blob is written. Consecutive blocks usually follow one another in
 * memory; @regions counts the contiguous stretches they make.
 */
static int ktr_preserve_fragmented(struct ktr_record *rec,
				   unsigned int *regions)
{
	unsigned int order = MAX_PAGE_ORDER, b, i;
	phys_addr_t end = 0;
	struct page *page;
	int ret;

	rec->flags |= KTR_REC_PATTERN;
	*regions = 0;
	for (b = 0; b < ktr_fragmented_blocks(); b++) {
		page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
		if (!page)
			return -ENOMEM;
		if (page_to_phys(page) != end)
			(*regions)++;
		end = page_to_phys(page) + (PAGE_SIZE << order);
		split_page(page, order);
		for (i = 0; i < 1U << order; i++) {
			struct ktr_entry *e = &rec->entries[rec->nr_entries];

			if (i % 2) {
				set_page_private(page + i, 0);
				list_add(&page[i].lru, &ktr_noise);
				continue;
			}
			ktr_pattern_fill(page + i, rec->round);
			ret = ktr_preserve_pages(page + i, 0, KTR_DATA_TAG);
			if (ret)
				return ret;	/* the rest of the block leaks */
			e->phys = page_to_phys(page + i);
			e->order = 0;
			e->kind = KTR_PAGES;
			rec->nr_entries++;
			rec->bytes += PAGE_SIZE;
		}
	}
	return 0;
}

/* workload=list: the folios user space wrote, see the top of the file */
struct ktr_list_folio {
	u64 phys;	/* offset into the harness's RAM */
	u32 order;
};

#define KTR_BLOCK_SHIFT	(PAGE_SHIFT + MAX_PAGE_ORDER)
/* a longer line is an error, unless its excess is a comment */
#define KTR_LINE_MAX	128

static DEFINE_MUTEX(ktr_list_lock);
static struct ktr_list_folio *ktr_list;
static unsigned long ktr_list_nr, ktr_list_cap, ktr_list_lineno;
static char ktr_list_line[KTR_LINE_MAX];
static unsigned int ktr_list_len;
static bool ktr_list_bad, ktr_list_preserved, ktr_list_skip;

static bool ktr_is_list(void)
{
	return workload && !strcmp(workload, "list");
}

/* order-independent: the same for the list and for the handover's walk */
static u64 ktr_list_mix(u64 phys, unsigned int order)
{
	u64 x = phys ^ ((u64)order << 56) ^ seed;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int ktr_list_add(u64 phys, unsigned int order)
{
	if (ktr_list_nr == ktr_list_cap) {
		unsigned long cap = ktr_list_cap ? 2 * ktr_list_cap : 4096;
		struct ktr_list_folio *l = vmalloc_array(cap, sizeof(*l));

		if (!l)
			return -ENOMEM;
		if (ktr_list)
			memcpy(l, ktr_list, ktr_list_nr * sizeof(*l));
		vfree(ktr_list);
		ktr_list = l;
		ktr_list_cap = cap;
	}
	ktr_list[ktr_list_nr].phys = phys;
	ktr_list[ktr_list_nr].order = order;
	ktr_list_nr++;
	return 0;
}

/* one line of the list, without its newline */
static int ktr_list_parse(char *line)
{
	char *hash = strchr(line, '#');
	unsigned int order;
	u64 phys;

	ktr_list_lineno++;
	if (hash)
		*hash = 0;
	line = strim(line);
	if (!*line)
		return 0;
	if (sscanf(line, "%llx %u", &phys, &order) != 2 ||
	    order > MAX_PAGE_ORDER || !IS_ALIGNED(phys, PAGE_SIZE << order)) {
		pr_err("list line %lu: expected \"<hex phys> <order>\", order up to %d, phys aligned to it\n",
		       ktr_list_lineno, MAX_PAGE_ORDER);
		return -EINVAL;
	}
	return ktr_list_add(phys, order);
}

static ssize_t ktr_list_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	char buf[256];
	size_t done = 0;
	int ret = 0;

	mutex_lock(&ktr_list_lock);
	if (ktr_list_preserved || ktr_list_bad) {
		ret = -EBUSY;
		goto out;
	}
	while (!ret && done < len) {
		size_t n = min(len - done, sizeof(buf)), i;

		if (copy_from_user(buf, ubuf + done, n)) {
			ret = -EFAULT;
			break;
		}
		for (i = 0; !ret && i < n; i++) {
			if (buf[i] != '\n') {
				if (ktr_list_skip)
					continue;
				if (ktr_list_len == KTR_LINE_MAX - 1) {
					ktr_list_line[ktr_list_len] = 0;
					ktr_list_skip = strchr(ktr_list_line, '#');
					if (ktr_list_skip)
						continue;
					pr_err("list line %lu: too long\n",
					       ktr_list_lineno + 1);
					ret = -EINVAL;
					break;
				}
				ktr_list_line[ktr_list_len++] = buf[i];
				continue;
			}
			ktr_list_line[ktr_list_len] = 0;
			ktr_list_len = 0;
			ktr_list_skip = false;
			ret = ktr_list_parse(ktr_list_line);
		}
		done += n;
	}
	if (ret)
		ktr_list_bad = true;
out:
	mutex_unlock(&ktr_list_lock);
	return ret ?: len;
}

static const struct file_operations ktr_list_fops = {
	.owner = THIS_MODULE,
	.write = ktr_list_write,
	.llseek = noop_llseek,
};

static int ktr_cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Map the list's blocks that @used marks, in order, onto the sorted blocks
 * @vm from index @start: a block that follows the previous one in the list
 * takes the next block here, which is a break if it does not follow the
 * previous one here; a block after a gap in the list skips a block here
 * that would make the two adjacent. With @map, record where each went and
 * mark in @kept the blocks used. Return: the breaks, or UINT_MAX if @vm
 * runs out first.
 */
static unsigned int ktr_list_assign(const unsigned long *vm, unsigned long nr_vm,
				    unsigned long start, const unsigned long *used,
				    unsigned long nr_blocks, unsigned long *map,
				    bool *kept, unsigned int limit)
{
	const unsigned long pages = 1UL << MAX_PAGE_ORDER;
	unsigned long b, prev = ULONG_MAX, last = 0, i = start;
	unsigned int breaks = 0;

	for_each_set_bit(b, used, nr_blocks) {
		if (prev != ULONG_MAX && b != prev + 1 && i < nr_vm &&
		    vm[i] == last + pages)
			i++;	/* apart in the list: apart here */
		if (i >= nr_vm)
			return UINT_MAX;
		if (prev != ULONG_MAX && b == prev + 1 && vm[i] != last + pages &&
		    ++breaks >= limit)
			return UINT_MAX;
		last = vm[i];
		if (map) {
			map[b] = vm[i];
			kept[i] = true;
		}
		i++;
		prev = b;
	}
	return breaks;
}

/*
 * Where each block of the list goes: @map[b] is the first pfn here of the
 * list's block b (offset b << KTR_BLOCK_SHIFT), for every block a folio
 * touches. Every free block of MAX_PAGE_ORDER is taken from the page
 * allocator and sorted; the list's blocks go, in order, to the stretch of
 * them that breaks the fewest adjacencies of the list (a stretch across a
 * hole of this machine's memory map breaks one). Blocks not used go back.
 * Return: the number of blocks kept allocated, or -ENOMEM.
 */
static long ktr_list_map(unsigned long *map, unsigned long nr_blocks,
			 unsigned long *used, unsigned int *breaks)
{
	unsigned long need = 0, got = 0, prev = ULONG_MAX, b, i, best_start = 0;
	unsigned long max = totalram_pages() >> MAX_PAGE_ORDER, *vm;
	unsigned int best = UINT_MAX, n;
	bool *kept;
	long ret;

	for_each_set_bit(b, used, nr_blocks) {
		need += prev != ULONG_MAX && b != prev + 1 ? 2 : 1;
		prev = b;
	}
	vm = vmalloc_array(max, sizeof(*vm));
	kept = vzalloc(max);
	if (!vm || !kept) {
		ret = -ENOMEM;
		goto out;
	}
	/*
	 * In a kernel that restored the previous round's list, thousands of
	 * its single pages sit on the per-cpu lists, each keeping its block
	 * from merging back to MAX_PAGE_ORDER.
	 */
	drain_all_pages(NULL);
	for (got = 0; got < max; got++) {
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN |
						__GFP_NORETRY, MAX_PAGE_ORDER);

		if (!page)
			break;
		vm[got] = page_to_pfn(page);
	}
	if (got < need) {
		pr_err("list: %lu blocks of order %d needed, %lu available\n",
		       need, MAX_PAGE_ORDER, got);
		ret = -ENOMEM;
		goto out;
	}
	sort(vm, got, sizeof(*vm), ktr_cmp_ulong, NULL);

	for (i = 0; i < got && best; i++) {
		n = ktr_list_assign(vm, got, i, used, nr_blocks, NULL, NULL,
				    best);
		if (n < best) {
			best = n;
			best_start = i;
		}
	}
	*breaks = ktr_list_assign(vm, got, best_start, used, nr_blocks, map,
				  kept, UINT_MAX);
	ret = 0;
	for (i = 0; i < got; i++) {
		if (kept[i])
			ret++;
		else
			__free_pages(pfn_to_page(vm[i]), MAX_PAGE_ORDER);
	}
	got = 0;
out:
	while (got--)
		__free_pages(pfn_to_page(vm[got]), MAX_PAGE_ORDER);
	vfree(kept);
	vfree(vm);
	return ret;
}

/*
 * Preserve the list, in its order, and a record of it. The blocks stay
 * allocated, preserved folios and the pages between them alike: this
 * kernel is about to kexec.
 */
static int ktr_list_preserve(u32 round)
{
	unsigned long nr_blocks = 0, i, *map = NULL, *used = NULL;
	unsigned int breaks = 0;
	struct ktr_record *rec;
	struct page *rec_page;
	long kept;
	int ret;

	if (!ktr_list_nr)
		return -ENODATA;
	for (i = 0; i < ktr_list_nr; i++) {
		u64 last = ktr_list[i].phys + (PAGE_SIZE << ktr_list[i].order) - 1;

		nr_blocks = max_t(unsigned long, nr_blocks,
				  (last >> KTR_BLOCK_SHIFT) + 1);
	}
	map = vmalloc_array(nr_blocks, sizeof(*map));
	used = bitmap_zalloc(nr_blocks, GFP_KERNEL);
	rec_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	ret = -ENOMEM;
	if (!map || !used || !rec_page)
		goto out;
	for (i = 0; i < ktr_list_nr; i++)
		__set_bit(ktr_list[i].phys >> KTR_BLOCK_SHIFT, used);
	kept = ktr_list_map(map, nr_blocks, used, &breaks);
	if (kept < 0) {
		ret = kept;
		goto out;
	}

	rec = page_address(rec_page);
	rec->magic = KTR_MAGIC;
	rec->round = round;
	rec->flags = KTR_REC_NOCRC | KTR_REC_LIST;
	for (i = 0; i < ktr_list_nr; i++) {
		const struct ktr_list_folio *f = &ktr_list[i];
		unsigned long pfn = map[f->phys >> KTR_BLOCK_SHIFT] +
			((f->phys >> PAGE_SHIFT) &
			 ((1UL << MAX_PAGE_ORDER) - 1));

		ret = ktr_preserve_pages(pfn_to_page(pfn), f->order,
					 KTR_DATA_TAG);
		if (ret) {
			pr_err("list: folio %lu (%#llx order %u) not preserved (%d)\n",
			       i, f->phys, f->order, ret);
			goto out;
		}
		rec->nr_entries++;
		rec->bytes += PAGE_SIZE << f->order;
		rec->hash += ktr_list_mix(PFN_PHYS(pfn), f->order);
	}
	ret = ktr_preserve_pages(rec_page, 0, KTR_TAG);
	if (ret)
		goto out;
	rec_page = NULL;
	pr_info("round %u list preserved: folios=%u bytes=%llu blocks=%ld of %lu breaks=%u ranges=%lu\n",
		round, rec->nr_entries, rec->bytes, kept, nr_blocks, breaks,
		kho_ranges_kernel.nr_ranges);
out:
	if (rec_page)
		__free_page(rec_page);
	bitmap_free(used);
	vfree(map);
	return ret;
}

static u32 ktr_list_round = 1;

static int ktr_list_preserve_set(void *data, u64 val)
{
	int ret;

	if (val != 1)
		return -EINVAL;
	mutex_lock(&ktr_list_lock);
	ret = ktr_list_bad || ktr_list_preserved ? -EBUSY : 0;
	if (!ret && ktr_list_len) {
		ktr_list_line[ktr_list_len] = 0;	/* no newline at the end */
		ret = ktr_list_parse(ktr_list_line);
	}
	ktr_list_len = 0;
	if (!ret)
		ret = ktr_list_preserve(ktr_list_round);
	if (ret)
		pr_err("FAIL: round %u could not preserve the list (%d)\n",
		       ktr_list_round, ret);
	ktr_list_preserved = true;
	vfree(ktr_list);
	ktr_list = NULL;
	ktr_list_nr = 0;
	ktr_list_cap = 0;
	mutex_unlock(&ktr_list_lock);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(ktr_list_preserve_fops, NULL, ktr_list_preserve_set,
			 "%llu\n");

static void ktr_list_debugfs(u32 round)
{
	struct dentry *dir = debugfs_create_dir("test_kho_ranges", NULL);

	ktr_list_round = round;
	debugfs_create_file("folios", 0200, dir, NULL, &ktr_list_fops);
	debugfs_create_file("preserve", 0200, dir, NULL,
			    &ktr_list_preserve_fops);
}

static int ktr_preserve_workload(struct ktr_record *rec)
{
	int order, i, ret;

	rec->flags |= KTR_REC_NOCRC;
	if (!strcmp(workload, "rapoport")) {
		for (order = KTR_RAPOPORT_MAX_ORDER; order >= 0; order--) {
			for (i = 0; i < nr_per_order; i++) {
				ret = ktr_rapoport_folio(rec, order);
				if (ret)
					return ret;
			}
		}
		return 0;
	}
	for (i = 0; i < ktr_alternate_blocks(); i++) {
		ret = ktr_alternate_block(rec);
		if (ret)
			return ret;
	}
	return 0;
}

static size_t ktr_record_entries(void)
{
	if (!workload)
		return nr_blocks + 64 * nr_areas;
	if (!strcmp(workload, "rapoport"))
		return (size_t)nr_per_order * (KTR_RAPOPORT_MAX_ORDER + 1);
	if (!strcmp(workload, "fragmented"))
		return (size_t)ktr_fragmented_blocks() << (MAX_PAGE_ORDER - 1);
	return (size_t)ktr_alternate_blocks() << (MAX_PAGE_ORDER - 1);
}

static int ktr_preserve(u32 round)
{
	size_t size = struct_size_t(struct ktr_record, entries,
				    ktr_record_entries());
	unsigned int rec_order = get_order(size), i;
	unsigned int regions = 0;
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

	if (workload && !strcmp(workload, "fragmented")) {
		ret = ktr_preserve_fragmented(rec, &regions);
		if (ret)
			return ret;
	} else if (workload) {
		ret = ktr_preserve_workload(rec);
		if (ret)
			return ret;
	} else {
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
	}
	ret = ktr_preserve_pages(rec_page, rec_order, KTR_TAG);
	if (ret)
		return ret;

	ret = kho_baseline_kernel_serialize();
	if (ret)
		return ret;
	ret = kho_ranges_serialize(&kho_ranges_kernel);
	if (ret)
		return ret;
	while (!list_empty(&ktr_noise)) {
		struct page *noise = list_first_entry(&ktr_noise, struct page,
						      lru);

		list_del(&noise->lru);
		__free_pages(noise, page_private(noise));
		set_page_private(noise, 0);
	}
	pr_info("round %u preserved entries=%u bytes=%llu ranges=%lu record=%#llx fdt=%#llx abi=%u blob=%zu\n",
		round, rec->nr_entries, rec->bytes,
		kho_ranges_kernel.nr_ranges, (u64)page_to_phys(rec_page),
		(u64)kho_ranges_kernel.fdt_phys, kho_ranges_kernel.blob_major,
		kho_ranges_kernel.blob_size);
	if (rec->flags & KTR_REC_PATTERN)
		pr_info("round %u fragmented: %u blocks of order %d in %u contiguous regions, every other page preserved\n",
			round, ktr_fragmented_blocks(), MAX_PAGE_ORDER, regions);

	if (corrupt) {
		u8 *blob = phys_to_virt(kho_ranges_kernel.blob_phys);

		blob[kho_ranges_kernel.blob_size - 1] ^= 0x5a;
		pr_info("corrupted the blob on purpose\n");
	}
	return 0;
}

static unsigned int ktr_baseline_checked, ktr_baseline_wrong;

/*
 * With a baseline, the order its deserializer left in the head page must
 * be the one preserved. Cleared afterwards: restored pages go back to the
 * page allocator with page->private as it expects it.
 */
static void ktr_check_baseline_order(phys_addr_t phys, unsigned int order)
{
	struct page *page = pfn_to_page(PHYS_PFN(phys));
	int got = kho_baseline_kernel_order(page);

	if (got == -ENOENT)
		return;
	ktr_baseline_checked++;
	if (got != order) {
		if (ktr_baseline_wrong++ < 4)
			pr_err("%s order of %#llx is %d, preserved %u\n",
			       kho_baseline_kernel_name(), (u64)phys, got,
			       order);
	}
	set_page_private(page, 0);
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
		ktr_check_baseline_order(rec->entries[first + i].phys, 0);
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

static unsigned int ktr_verify_block(struct ktr_entry *e, bool crc)
{
	unsigned int bad = 0;
	struct folio *folio;
	struct page *page;

	ktr_check_baseline_order(e->phys, e->order);

	if (e->kind == KTR_FOLIO) {
		folio = kho_ranges_restore_folio(&kho_ranges_incoming, e->phys);
		if (!folio)
			return 1;
		if (folio_order(folio) != e->order)
			bad = 1;
		else if (crc && crc32_le(~0U, folio_address(folio),
				  PAGE_SIZE << e->order) != e->crc)
			bad = 1;
		folio_put(folio);
		return bad;
	}
	page = kho_ranges_restore_pages(&kho_ranges_incoming, e->phys, e->order);
	if (!page)
		return 1;
	if (crc && crc32_le(~0U, page_address(page),
			    PAGE_SIZE << e->order) != e->crc)
		bad = 1;
	__free_pages(page, e->order);
	return bad;
}

struct ktr_runs {
	unsigned long runs;
	unsigned long pages;
};

static int ktr_count_data_run(void *priv, unsigned long pfn,
			      unsigned long nr_pages, u32 info)
{
	struct ktr_runs *r = priv;

	if (kho_ranges_info_tag(info) == KTR_DATA_TAG) {
		r->runs++;
		r->pages += nr_pages;
	}
	return 0;
}

static unsigned int ktr_pattern_reported;

/* restore one page of the fragmented workload and compare every byte */
static bool ktr_verify_pattern_page(phys_addr_t phys, u32 round)
{
	unsigned int i, b, wrong = 0;
	struct page *page;
	const u64 *w;

	ktr_check_baseline_order(phys, 0);
	page = kho_ranges_restore_pages(&kho_ranges_incoming, phys, 0);
	if (!page) {
		pr_err("fragmented: page %#llx not restorable\n", (u64)phys);
		return false;
	}
	w = page_address(page);
	for (i = 0; i < PAGE_SIZE / sizeof(u64); i++) {
		u64 want = ktr_pattern(phys + i * sizeof(u64), round);
		u64 diff = w[i] ^ want;

		if (!diff)
			continue;
		for (b = 0; b < sizeof(u64); b++)
			wrong += !!((diff >> (8 * b)) & 0xff);
		if (ktr_pattern_reported++ < 4)
			pr_err("fragmented: %#llx holds %#llx, expected %#llx\n",
			       (u64)phys + i * sizeof(u64), w[i], want);
	}
	__free_page(page);
	if (wrong)
		pr_err("fragmented: page %#llx has %u wrong bytes\n",
		       (u64)phys, wrong);
	return !wrong;
}

/*
 * The fragmented workload: bitmap records in the blob, the pages between
 * the preserved ones not handed over, the data tag's runs exactly the
 * preserved pages, and every byte of every page. Return: failed checks.
 */
static unsigned int ktr_verify_fragmented(struct ktr_record *rec,
					  unsigned int *holes)
{
	const struct kho_ranges_incoming *in = &kho_ranges_incoming;
	const struct kho_ranges_blob_hdr *hdr = in->blob;
	unsigned int i, bad = 0, handed_over = 0;
	struct ktr_runs r = { 0 };

	if (!in->nr_bitmaps ||
	    le16_to_cpu(hdr->major) != KHO_RANGES_VERSION_MAJOR_V2) {
		pr_err("fragmented: blob of ABI %u.%u with %lu bitmap records, expected bitmaps\n",
		       le16_to_cpu(hdr->major), le16_to_cpu(hdr->minor),
		       in->nr_bitmaps);
		bad++;
	}
	kho_ranges_walk_incoming(in, ktr_count_data_run, &r);
	if (r.runs != rec->nr_entries || r.pages != rec->nr_entries) {
		pr_err("fragmented: %lu runs of %lu pages under the data tag, %u single pages preserved\n",
		       r.runs, r.pages, rec->nr_entries);
		bad++;
	}
	*holes = 0;
	for (i = 0; i < rec->nr_entries; i++) {
		phys_addr_t hole = rec->entries[i].phys + PAGE_SIZE;

		(*holes)++;
		if (kho_ranges_lookup(in, hole, NULL, NULL, NULL) == -ENOENT)
			continue;
		if (handed_over++ < 4)
			pr_err("fragmented: %#llx, between preserved pages, was handed over\n",
			       (u64)hole);
		bad++;
	}
	for (i = 0; i < rec->nr_entries; i++)
		bad += !ktr_verify_pattern_page(rec->entries[i].phys, rec->round);
	return bad;
}

struct ktr_list_walk {
	unsigned long folios;
	unsigned long bad;
	u64 hash;
};

/* every folio of a run of the data tag: its baseline order, and restore */
static int ktr_list_verify_run(void *priv, unsigned long pfn,
			       unsigned long nr_pages, u32 info)
{
	unsigned int order = kho_ranges_info_order(info);
	struct ktr_list_walk *w = priv;
	unsigned long i;

	if (kho_ranges_info_tag(info) != KTR_DATA_TAG)
		return 0;
	for (i = 0; i < nr_pages; i += 1UL << order) {
		phys_addr_t phys = PFN_PHYS(pfn + i);
		struct page *page;

		w->folios++;
		w->hash += ktr_list_mix(phys, order);
		ktr_check_baseline_order(phys, order);
		page = kho_ranges_restore_pages(&kho_ranges_incoming, phys,
						order);
		if (!page) {
			w->bad++;
			continue;
		}
		__free_pages(page, order);
	}
	return 0;
}

/* the list workload: the same folios, count and hash, all restorable */
static unsigned int ktr_verify_list(struct ktr_record *rec)
{
	struct ktr_list_walk w = { 0 };

	kho_ranges_walk_incoming(&kho_ranges_incoming, ktr_list_verify_run,
				 &w);
	if (w.folios != rec->nr_entries || w.hash != rec->hash) {
		pr_err("list: %lu folios handed over (hash %#llx), %u preserved (hash %#llx)\n",
		       w.folios, w.hash, rec->nr_entries, rec->hash);
		w.bad++;
	}
	if (w.bad > UINT_MAX)
		return UINT_MAX;
	return w.bad;
}

static int ktr_verify(u32 *round)
{
	unsigned int i = 0, bad = 0, blocks = 0, holes = 0;
	unsigned long nr_pages;
	struct ktr_record *rec;
	struct page *rec_page;
	phys_addr_t phys;

	if (!kho_ranges_incoming.nr_extents) {
		pr_info("no handover from the previous kernel\n");
		return -ENOENT;
	}
	if (kho_ranges_find_tag(&kho_ranges_incoming, KTR_TAG, &phys,
				&nr_pages)) {
		pr_err("FAIL: no test record in the handover\n");
		return -ENOENT;
	}
	ktr_check_baseline_order(phys, ilog2(nr_pages));
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

	if (rec->flags & KTR_REC_PATTERN) {
		bad += ktr_verify_fragmented(rec, &holes);
		blocks = rec->nr_entries;
		i = rec->nr_entries;
	}
	if (rec->flags & KTR_REC_LIST) {
		bad += ktr_verify_list(rec);
		blocks = rec->nr_entries;
		i = rec->nr_entries;
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
			bad += ktr_verify_block(e, !(rec->flags & KTR_REC_NOCRC));
		}
		blocks += n;
		i += n;
	}
	if (ktr_baseline_checked || kho_baseline_kernel_name()) {
		pr_info("%s orders: checked=%u wrong=%u\n",
			kho_baseline_kernel_name() ?: "baseline",
			ktr_baseline_checked, ktr_baseline_wrong);
		if (!ktr_baseline_checked)
			bad++;	/* a baseline, but nothing deserialized */
		bad += ktr_baseline_wrong;
	}
	if (rec->flags & KTR_REC_PATTERN)
		pr_info("%s round=%u fragmented entries=%u bitmaps=%lu extents=%lu bytes=%llu holes=%u mismatches=%u\n",
			bad ? "FAIL" : "PASS", rec->round, blocks,
			kho_ranges_incoming.nr_bitmaps,
			kho_ranges_incoming.nr_extents, rec->bytes, holes, bad);
	else
		pr_info("%s round=%u entries=%u areas=%u bytes=%llu mismatches=%u\n",
			bad ? "FAIL" : "PASS", rec->round, blocks,
			rec->nr_areas, rec->bytes, bad);
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
	if (ktr_is_list()) {
		ktr_list_debugfs(round + 1);	/* user space writes the list */
		return 0;
	}
	ret = ktr_preserve(round + 1);
	if (ret)
		pr_err("FAIL: round %u could not preserve (%d)\n", round + 1, ret);
	return 0;
}
late_initcall(test_kho_ranges_init);

MODULE_DESCRIPTION("kho_ranges kexec round-trip test");
MODULE_LICENSE("GPL");

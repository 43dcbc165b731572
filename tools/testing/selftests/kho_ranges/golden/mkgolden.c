// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the golden handovers that abi_compat.c reads back:
 *
 *   v1-serializer   what mm/kho_ranges.c of ABI 1.0 wrote for a mix of
 *                   folios, page blocks and a vmalloc area, moved to
 *                   KR_GOLDEN_BASE
 *   v1-minor3       a later 1.x writer: longer header and records, a
 *                   compat blob flag and info flags 1.0 does not know,
 *                   from a big-endian kernel
 *   v2-serializer   what mm/kho_ranges.c of ABI 2.0 wrote for a mix of
 *                   range records and bitmap records of orders 0, 2, 3
 *                   and 6, moved to KR_GOLDEN_BASE
 *   v2-minor1       a later 2.x writer: longer header, range and bitmap
 *                   records, windows that are not whole words, a range
 *                   record in a window's clear bits, info flags 2.0 does
 *                   not know, from a big-endian kernel
 *
 *   mkgolden DIR
 *
 * Golden means frozen: the files are committed once and every later
 * reader must accept them unchanged. A set whose NAME.blob is already in
 * DIR is left alone, so this only ever adds new sets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kr_test.h"
#include "kr_blob.h"
#include "kr_golden.h"

static const char *outdir;

static FILE *open_out(const char *name, const char *ext)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s", outdir, name, ext);
	f = fopen(path, ext[0] == 't' ? "w" : "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

/* is the set @name written already? Then it is frozen. */
static bool frozen(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.blob", outdir, name);
	if (access(path, F_OK))
		return false;
	printf("%s: already written, left alone\n", name);
	return true;
}

static void write_bytes(const char *name, const char *ext, const void *p,
			size_t len)
{
	FILE *f = open_out(name, ext);

	if (fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(name);
		exit(1);
	}
}

/* a run of preserved pages, as a reader gets them in address order */
struct run {
	u64 start, pages;
	u32 info;
};

static int run_cmp(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool unknown_info(u32 info)
{
	return info & KHO_RANGES_INFO_INCOMPAT_MASK &
	       ~KHO_RANGES_INFO_KNOWN_INCOMPAT;
}

static bool bit_set(const u8 *words, unsigned long b)
{
	return words[b / 8] >> (b % 8) & 1;
}

/*
 * NAME.txt: where everything was, and what a reader must find. Worked out
 * from the bytes by the ABI table: the records, for major 2 the bitmap
 * records and their words, and the runs of preserved pages the two make
 * in address order (one per range record, one per run of set bits).
 */
static void write_expect(const char *name, const char *what, u64 mem_size,
			 u64 fdt, size_t fdt_size, u64 blob, size_t blob_size,
			 u64 spare, u64 spare_size, const u8 *bytes)
{
	u16 major = get_unaligned_le16(bytes + 4);
	u32 hdr_size = get_unaligned_le32(bytes + 8);
	u32 range_size = get_unaligned_le32(bytes + 12);
	u64 nr = get_unaligned_le64(bytes + 24);
	u64 nr_bm = major == 2 ? get_unaligned_le64(bytes + 48) : 0;
	u32 bm_size = major == 2 ? get_unaligned_le32(bytes + 56) : 0;
	const u8 *bms = bytes + hdr_size + nr * range_size;
	unsigned long pages = 0, folios = 0, unknown = 0, i, b, n = 0;
	static struct run runs[1 << 16];
	FILE *f = open_out(name, "txt");

	for (i = 0; i < nr; i++) {
		const u8 *r = bytes + hdr_size + i * range_size;
		u32 info = get_unaligned_le32(r + 12);

		pages += get_unaligned_le32(r + 8);
		folios += get_unaligned_le32(r + 8) >> kho_ranges_info_order(info);
		unknown += unknown_info(info);
		runs[n++] = (struct run){ get_unaligned_le64(r),
					  get_unaligned_le32(r + 8), info };
	}
	for (i = 0; i < nr_bm; i++) {
		const u8 *r = bms + i * bm_size;
		u32 info = get_unaligned_le32(r + 8);
		u32 nr_bits = get_unaligned_le32(r + 12);
		const u8 *words = bytes + get_unaligned_le64(r + 16);
		unsigned int order = kho_ranges_info_order(info);

		for (b = 0; b < nr_bits; b++) {
			if (!bit_set(words, b))
				continue;
			pages += 1UL << order;
			folios++;
			if (b && bit_set(words, b - 1)) {
				runs[n - 1].pages += 1UL << order;
				continue;
			}
			if (n == ARRAY_SIZE(runs))
				exit(1);
			unknown += unknown_info(info);
			runs[n++] = (struct run){
				get_unaligned_le64(r) + ((u64)b << (PAGE_SHIFT + order)),
				1UL << order, info
			};
		}
	}
	qsort(runs, n, sizeof(runs[0]), run_cmp);

	fprintf(f, "# kho_ranges golden handover, frozen: %s\n", what);
	fprintf(f, "memory %#llx %#llx\n", KR_GOLDEN_BASE,
		(unsigned long long)mem_size);
	fprintf(f, "fdt %#llx %#zx\n", (unsigned long long)fdt, fdt_size);
	fprintf(f, "blob %#llx %#zx\n", (unsigned long long)blob, blob_size);
	fprintf(f, "spare %#llx %#llx\n", (unsigned long long)spare,
		(unsigned long long)spare_size);
	fprintf(f, "totals %llu %lu %lu %lu\n", (unsigned long long)nr, pages,
		folios, unknown);
	if (major == 2)
		fprintf(f, "bitmaps %llu %lu\n", (unsigned long long)nr_bm, n);
	for (i = 0; i < nr; i++) {
		const u8 *r = bytes + hdr_size + i * range_size;

		fprintf(f, "range %#llx %u %#x\n",
			(unsigned long long)get_unaligned_le64(r),
			get_unaligned_le32(r + 8), get_unaligned_le32(r + 12));
	}
	for (i = 0; i < nr_bm; i++) {
		const u8 *r = bms + i * bm_size;
		u32 nr_bits = get_unaligned_le32(r + 12);
		const u8 *words = bytes + get_unaligned_le64(r + 16);

		fprintf(f, "bitmap %#llx %u %#x\n",
			(unsigned long long)get_unaligned_le64(r), nr_bits,
			get_unaligned_le32(r + 8));
		for (b = 0; b < (nr_bits + 63) / 64; b++)
			fprintf(f, "%s%#llx%s", b % 4 ? " " : "words ",
				(unsigned long long)get_unaligned_le64(words + 8 * b),
				b % 4 == 3 || b == (nr_bits - 1) / 64 ? "\n" : "");
	}
	for (i = 0; major == 2 && i < n; i++)
		fprintf(f, "run %#llx %llu %#x\n", (unsigned long long)runs[i].start,
			(unsigned long long)runs[i].pages, runs[i].info);
	if (fclose(f)) {
		perror(name);
		exit(1);
	}
}

/* the round-trip mix, kept under memblock's 128 static regions */
static void golden_serializer(void)
{
	const u64 delta = kho_sim.ram_base - KR_GOLDEN_BASE;
	struct kho_ranges_blob_hdr *hdr;
	static u8 blob[1 << 16], fdt[PAGE_SIZE];
	struct page *vpages[24];
	struct kho_ranges kr;
	unsigned long i, nr;

	if (frozen("v1-serializer"))
		return;
	kho_ranges_init(&kr);
	for (i = 0; i < 40; i++)
		kho_ranges_preserve_folio(&kr, folio_alloc(GFP_KERNEL, i / 4), 1);
	for (i = 0; i < 12; i++)
		kho_ranges_preserve_pages(&kr, alloc_pages(GFP_KERNEL, i % 3),
					  i % 3, 2);
	for (i = 0; i < ARRAY_SIZE(vpages); i++)
		vpages[i] = pfn_to_page(kr_pfn(i < 8 ? 1000 + i : 5000 + 7 * i));
	kho_ranges_preserve_page_array(&kr, vpages, ARRAY_SIZE(vpages), 3);
	for (i = 0; i < 20; i++)
		kho_ranges_preserve(&kr, kr_pfn(100000 + 3 * i), 1, KR_TAG(4));
	if (kho_ranges_serialize(&kr))
		exit(1);

	/* the same bytes, as if RAM had started at KR_GOLDEN_BASE */
	hdr = kr_blob_hdr(&kr);
	memcpy(blob, hdr, kr.blob_size);
	nr = le64_to_cpu(hdr->nr_ranges);
	for (i = 0; i < nr; i++) {
		u8 *start = blob + sizeof(*hdr) + 16 * i;

		put_unaligned_le64(get_unaligned_le64(start) - delta, start);
	}
	put_unaligned_le32(0, blob + 40);
	put_unaligned_le32(~kr_writer_crc32(~0U, blob, kr.blob_size), blob + 40);
	memcpy(fdt, phys_to_virt(kr.fdt_phys), PAGE_SIZE);
	fdt_setprop_inplace_u64(fdt, 0, KHO_RANGES_FDT_PROP_BLOB,
				kr.blob_phys - delta);
	fdt_setprop_inplace_u64(fdt, 0, KHO_RANGES_FDT_PROP_SPARE,
				kr.spare_phys - delta);

	write_bytes("v1-serializer", "blob", blob, kr.blob_size);
	write_bytes("v1-serializer", "fdt", fdt, fdt_totalsize(fdt));
	write_expect("v1-serializer",
		     "mm/kho_ranges.c ABI 1.0: folios, page blocks, a vmalloc area",
		     KR_TEST_RAM + KR_TEST_POOL, kr.fdt_phys - delta,
		     fdt_totalsize(fdt), kr.blob_phys - delta, kr.blob_size,
		     kr.spare_phys - delta, kr.spare_size, blob);
	kho_ranges_destroy(&kr);
}

/* a later minor from a big-endian kernel, by the independent writer */
static void golden_minor3(void)
{
	const u64 b = KR_GOLDEN_BASE;
	struct kr_writer w = KR_WRITER_V1(KR_WRITER_BE64);
	const struct kr_writer_rec r[] = {
		{ b, 1, KHO_RANGES_INFO(0, 0, 1) },
		{ b + 0x200000, 512, KHO_RANGES_INFO(9, KHO_RANGES_INFO_FOLIO, 2) },
		{ b + 0x400000, 4, KHO_RANGES_INFO(0, KHO_RANGES_INFO_HANDOVER, 0) },
		/* compat info flag 1.0 does not know: restorable */
		{ b + 0x800000, 16, KHO_RANGES_INFO(2, 0x80, 3) },
		/* incompat info flag 1.0 does not know: reserved only */
		{ b + 0x900000, 8, KHO_RANGES_INFO(3, 0x1000, 4) },
		{ b + 0x3ff00000, 256, KHO_RANGES_INFO(8, KHO_RANGES_INFO_FOLIO, 0xffff) },
	};
	static u8 blob[PAGE_SIZE], fdt[PAGE_SIZE];
	size_t size;

	if (frozen("v1-minor3"))
		return;
	w.minor = 3;
	w.hdr_size = 64;
	w.range_size = 24;
	w.flags = 0x20;		/* a compat blob flag */
	size = kr_writer_blob(blob, &w, r, ARRAY_SIZE(r));
	if (kr_writer_fdt(fdt, sizeof(fdt), b + 0x400000, size, b + 0x401000,
			  2 * PAGE_SIZE))
		exit(1);
	write_bytes("v1-minor3", "blob", blob, size);
	write_bytes("v1-minor3", "fdt", fdt, fdt_totalsize(fdt));
	write_expect("v1-minor3",
		     "ABI 1.3 from a big-endian writer: 64-byte header, 24-byte records, unknown flags",
		     1ULL << 30, b + 0x403000, fdt_totalsize(fdt), b + 0x400000,
		     size, b + 0x401000, 2 * PAGE_SIZE, blob);
}

/*
 * The round-trip mix again, now with windows dense enough for bitmap
 * records of orders 0, 2, 3 and 6 (the last over two windows), a window
 * of mixed tags that stays range records, and few enough runs for
 * memblock's 128 static regions. @crc32: checksummed with crc32, as
 * v2-serializer was, or with the default xxh64 (v2-xxh64).
 */
static void golden_v2_serializer(const char *name, bool crc32)
{
	const u64 delta = kho_sim.ram_base - KR_GOLDEN_BASE;
	static u8 blob[1 << 16], fdt[PAGE_SIZE];
	struct page *vpages[16];
	unsigned long i, nr, nr_bm;
	struct kho_ranges kr;

	if (frozen(name))
		return;
	kho_sim_reset_pages();
	kho_ranges_init(&kr);
	kr.crc32_blob = crc32;
	for (i = 0; i < 21; i++)
		kho_ranges_preserve_folio(&kr, folio_alloc(GFP_KERNEL, i / 3), 1);
	for (i = 0; i < 6; i++)
		kho_ranges_preserve_pages(&kr, alloc_pages(GFP_KERNEL, i % 3),
					  i % 3, 2);
	for (i = 0; i < ARRAY_SIZE(vpages); i++)
		vpages[i] = pfn_to_page(kr_pfn(i < 6 ? 1000 + i : 2000 + 7 * i));
	kho_ranges_preserve_page_array(&kr, vpages, ARRAY_SIZE(vpages), 3);
	/* order 0: 40 pages five apart */
	for (i = 0; i < 40; i++)
		kho_ranges_preserve(&kr, kr_pfn(8192 + 5 * i), 1, KR_TAG(4));
	/* order 3: every other page block of 16 */
	for (i = 0; i < 8; i++)
		kho_ranges_preserve(&kr, kr_pfn(12288 + 16 * i), 8,
				    KHO_RANGES_INFO(3, 0, 5));
	/* order 2: every third folio of 36 */
	for (i = 0; i < 12; i++)
		kho_ranges_preserve(&kr, kr_pfn(16384 + 12 * i), 4,
				    KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO, 6));
	/* order 6: folios 2, 22, 42, 62 of one window, 18 and 38 of the next */
	for (i = 0; i < 6; i++)
		kho_ranges_preserve(&kr, kr_pfn(20480 + 64 * (20 * i + 2)), 64,
				    KHO_RANGES_INFO(6, KHO_RANGES_INFO_FOLIO, 7));
	/* mixed tags: range records */
	for (i = 0; i < 6; i++)
		kho_ranges_preserve(&kr, kr_pfn(28672 + 2 * i), 1,
				    KR_TAG(8 + (i & 1)));
	if (kho_ranges_serialize(&kr) ||
	    kr.blob_major != KHO_RANGES_VERSION_MAJOR_V2 ||
	    kr.blob_size > sizeof(blob))
		exit(1);

	/* the same bytes, as if RAM had started at KR_GOLDEN_BASE */
	memcpy(blob, kr_blob_hdr(&kr), kr.blob_size);
	nr = get_unaligned_le64(blob + 24);
	nr_bm = get_unaligned_le64(blob + 48);
	for (i = 0; i < nr + nr_bm; i++) {
		u8 *start = blob + 64 + (i < nr ? 16 * i : 16 * nr + 24 * (i - nr));

		put_unaligned_le64(get_unaligned_le64(start) - delta, start);
	}
	put_unaligned_le64(0, blob + 40);
	if (crc32) {
		put_unaligned_le32(~kr_writer_crc32(~0U, blob, kr.blob_size),
				   blob + 40);
	} else {
		put_unaligned_le64(kr_writer_xxh64(blob, kr.blob_size),
				   blob + 40);
	}
	memcpy(fdt, phys_to_virt(kr.fdt_phys), PAGE_SIZE);
	fdt_setprop_inplace_u64(fdt, 0, KHO_RANGES_FDT_PROP_BLOB,
				kr.blob_phys - delta);
	fdt_setprop_inplace_u64(fdt, 0, KHO_RANGES_FDT_PROP_SPARE,
				kr.spare_phys - delta);

	write_bytes(name, "blob", blob, kr.blob_size);
	write_bytes(name, "fdt", fdt, fdt_totalsize(fdt));
	write_expect(name, crc32 ?
		     "mm/kho_ranges.c ABI 2.0: range records and bitmap records of orders 0, 2, 3, 6" :
		     "mm/kho_ranges.c ABI 2.0, xxh64 flag: range records and bitmap records of orders 0, 2, 3, 6",
		     KR_TEST_RAM + KR_TEST_POOL, kr.fdt_phys - delta,
		     fdt_totalsize(fdt), kr.blob_phys - delta, kr.blob_size,
		     kr.spare_phys - delta, kr.spare_size, blob);
	kho_ranges_destroy(&kr);
}

/* a later 2.x minor from a big-endian kernel, by the independent writer */
static void golden_v2_minor1(void)
{
	const u64 b = KR_GOLDEN_BASE;
	struct kr_writer w = KR_WRITER_V2(KR_WRITER_BE64);
	const struct kr_writer_rec r[] = {
		{ b, 1, KHO_RANGES_INFO(0, 0, 1) },
		{ b + 0x200000, 512, KHO_RANGES_INFO(9, KHO_RANGES_INFO_FOLIO, 2) },
		{ b + 0x400000, 4, KHO_RANGES_INFO(0, KHO_RANGES_INFO_HANDOVER, 0) },
		/* in clear bits 50 and 51 of the first window */
		{ b + 0x1000000 + 50 * PAGE_SIZE, 2, KHO_RANGES_INFO(0, 0, 4) },
		{ b + 0x3ff00000, 256, KHO_RANGES_INFO(8, KHO_RANGES_INFO_FOLIO, 0xffff) },
	};
	/* bits 0-2, 40, 63-65, 99 */
	static const u64 bits_a[] = {
		0x8000010000000007ULL, 0x0000000800000003ULL,
	};
	/* bits 0, 3, 69 */
	static const u64 bits_b[] = { 0x9, 0x20 };
	/* bits 0, 2 */
	static const u64 bits_c[] = { 0x5 };
	/* bits 4, 5: one run */
	static const u64 bits_d[] = { 0x30 };
	static const u64 bits_e[] = { 0x1 };
	const struct kr_writer_bm bm[] = {
		{ b + 0x1000000, KHO_RANGES_INFO(0, 0, 3), 100, bits_a },
		{ b + 0x2000000, KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO, 5), 70,
		  bits_b },
		/* a compat info flag 2.0 does not know: restorable */
		{ b + 0x3000000, KHO_RANGES_INFO(6, KHO_RANGES_INFO_FOLIO | 0x100, 6),
		  3, bits_c },
		/* an incompat info flag 2.0 does not know: reserved only */
		{ b + 0x4000000, KHO_RANGES_INFO(4, 0x2000, 7), 10, bits_d },
		/* an order the serializer does not write as bits */
		{ b + 0x8000000, KHO_RANGES_INFO(9, KHO_RANGES_INFO_FOLIO, 8), 1,
		  bits_e },
	};
	static u8 blob[PAGE_SIZE], fdt[PAGE_SIZE];
	size_t size;

	if (frozen("v2-minor1"))
		return;
	w.minor = 1;
	w.hdr_size = 80;
	w.range_size = 24;
	w.bitmap_size = 32;
	w.flags = 0x4;		/* a compat blob flag */
	size = kr_writer_blob_v2(blob, &w, r, ARRAY_SIZE(r), bm, ARRAY_SIZE(bm));
	if (kr_writer_fdt_for(fdt, sizeof(fdt), &w, b + 0x400000, size,
			      b + 0x401000, 2 * PAGE_SIZE))
		exit(1);
	write_bytes("v2-minor1", "blob", blob, size);
	write_bytes("v2-minor1", "fdt", fdt, fdt_totalsize(fdt));
	write_expect("v2-minor1",
		     "ABI 2.1 from a big-endian writer: 80-byte header, 24-byte range and 32-byte bitmap records, windows of 1 to 100 folios, unknown flags",
		     1ULL << 30, b + 0x403000, fdt_totalsize(fdt), b + 0x400000,
		     size, b + 0x401000, 2 * PAGE_SIZE, blob);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 1;
	}
	outdir = argv[1];
	if (kho_sim_init(KR_TEST_RAM, KR_TEST_POOL))
		return 1;
	golden_serializer();
	golden_minor3();
	golden_v2_serializer("v2-serializer", true);
	golden_v2_serializer("v2-xxh64", false);
	golden_v2_minor1();
	kho_sim_exit();
	return 0;
}

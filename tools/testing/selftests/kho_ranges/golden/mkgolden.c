// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the golden v1 handovers that abi_compat.c reads back:
 *
 *   v1-serializer   what mm/kho_ranges.c of ABI 1.0 wrote for a mix of
 *                   folios, page blocks and a vmalloc area, moved to
 *                   KR_GOLDEN_BASE
 *   v1-minor3       a later 1.x writer: longer header and records, a
 *                   compat blob flag and info flags 1.0 does not know,
 *                   from a big-endian kernel
 *
 *   mkgolden DIR
 *
 * Golden means frozen: the files are committed once and every later
 * reader must accept them unchanged. Run this only to add a new set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void write_bytes(const char *name, const char *ext, const void *p,
			size_t len)
{
	FILE *f = open_out(name, ext);

	if (fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(name);
		exit(1);
	}
}

/* NAME.txt: where everything was, and what a reader must find */
static void write_expect(const char *name, const char *what, u64 mem_size,
			 u64 fdt, size_t fdt_size, u64 blob, size_t blob_size,
			 u64 spare, u64 spare_size, const u8 *bytes)
{
	u32 hdr_size = get_unaligned_le32(bytes + 8);
	u32 range_size = get_unaligned_le32(bytes + 12);
	u64 nr = get_unaligned_le64(bytes + 24);
	unsigned long pages = 0, folios = 0, unknown = 0, i;
	FILE *f = open_out(name, "txt");

	for (i = 0; i < nr; i++) {
		const u8 *r = bytes + hdr_size + i * range_size;
		u32 info = get_unaligned_le32(r + 12);

		pages += get_unaligned_le32(r + 8);
		folios += get_unaligned_le32(r + 8) >> kho_ranges_info_order(info);
		unknown += !!(info & KHO_RANGES_INFO_INCOMPAT_MASK &
			      ~KHO_RANGES_INFO_KNOWN_INCOMPAT);
	}
	fprintf(f, "# kho_ranges golden handover, frozen: %s\n", what);
	fprintf(f, "memory %#llx %#llx\n", KR_GOLDEN_BASE,
		(unsigned long long)mem_size);
	fprintf(f, "fdt %#llx %#zx\n", (unsigned long long)fdt, fdt_size);
	fprintf(f, "blob %#llx %#zx\n", (unsigned long long)blob, blob_size);
	fprintf(f, "spare %#llx %#llx\n", (unsigned long long)spare,
		(unsigned long long)spare_size);
	fprintf(f, "totals %llu %lu %lu %lu\n", (unsigned long long)nr, pages,
		folios, unknown);
	for (i = 0; i < nr; i++) {
		const u8 *r = bytes + hdr_size + i * range_size;

		fprintf(f, "range %#llx %u %#x\n",
			(unsigned long long)get_unaligned_le64(r),
			get_unaligned_le32(r + 8), get_unaligned_le32(r + 12));
	}
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
	kho_sim_exit();
	return 0;
}

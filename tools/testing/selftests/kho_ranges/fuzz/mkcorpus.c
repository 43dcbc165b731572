// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus of fuzz_ranges: blobs the real serializer
 * produced for the round-trip workloads, made relative to the start of RAM
 * (see kr_fuzz.h), and hand-made edge cases a serializer never writes.
 *
 *   mkcorpus DIR
 *
 * The output is committed; run it again (make fuzz-corpus) only when the
 * input format changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_test.h"
#include "kr_blob.h"
#include "kr_fuzz.h"

static const char *outdir;
static u8 buf[KR_FUZZ_MAX_INPUT];

static void write_seed(const char *name, const struct kr_fuzz_ctl *ctl,
		       const void *fdt, size_t fdt_len, const void *blob,
		       size_t blob_len)
{
	char path[512];
	size_t len = sizeof(*ctl) + fdt_len + blob_len;
	FILE *f;

	if (len > KR_FUZZ_MAX_INPUT) {
		fprintf(stderr, "%s: %zu bytes is more than an input holds\n",
			name, len);
		exit(1);
	}
	memcpy(buf, ctl, sizeof(*ctl));
	memcpy(buf + sizeof(*ctl), fdt, fdt_len);
	memcpy(buf + sizeof(*ctl) + fdt_len, blob, blob_len);
	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/*
 * Serialize @kr and write it as seeds: generated FDT, the serializer's own
 * FDT bytes, and whatever @flags and @mode add.
 */
static void seed_from_tracker_spare(const char *name, struct kho_ranges *kr,
				    u8 flags, u8 mode, bool raw_fdt_too,
				    u32 spare_size)
{
	const phys_addr_t base = kho_sim.ram_base;
	struct kho_ranges_blob_hdr *hdr;
	struct kr_fuzz_ctl ctl = { 0 };
	static u8 blob[KR_FUZZ_MAX_INPUT], fdt[PAGE_SIZE];
	char raw_name[256];
	unsigned long i;

	if (kho_ranges_serialize(kr)) {
		fprintf(stderr, "%s: serialize failed\n", name);
		exit(1);
	}
	hdr = kr_blob_hdr(kr);
	memcpy(blob, hdr, kr->blob_size);
	for (i = 0; i < le64_to_cpu(hdr->nr_ranges); i++) {
		u8 *start = blob + sizeof(*hdr) + i * sizeof(struct kho_ranges_blob_range);

		put_unaligned_le64(get_unaligned_le64(start) - base, start);
	}
	ctl.flags = KR_FUZZ_RELOC | KR_FUZZ_RESEAL | flags;
	ctl.mode = mode;
	ctl.blob_off = cpu_to_le32(kr->blob_phys - base);
	ctl.spare_off = cpu_to_le32(kr->spare_phys - base);
	ctl.spare_size = cpu_to_le32(spare_size ?: kr->spare_size);
	write_seed(name, &ctl, NULL, 0, blob, kr->blob_size);

	if (raw_fdt_too) {
		memcpy(fdt, phys_to_virt(kr->fdt_phys), PAGE_SIZE);
		fdt_setprop_inplace_u64(fdt, 0, KHO_RANGES_FDT_PROP_BLOB,
					kr->blob_phys - base);
		fdt_setprop_inplace_u64(fdt, 0, KHO_RANGES_FDT_PROP_SPARE,
					kr->spare_phys - base);
		ctl.flags |= KR_FUZZ_RAW_FDT;
		ctl.fdt_len = cpu_to_le16(fdt_totalsize(fdt));
		snprintf(raw_name, sizeof(raw_name), "%s-rawfdt", name);
		write_seed(raw_name, &ctl, fdt, fdt_totalsize(fdt), blob,
			   kr->blob_size);
	}
	kho_ranges_abort(kr);
}

static void seed_from_tracker(const char *name, struct kho_ranges *kr,
			      u8 flags, u8 mode, bool raw_fdt_too)
{
	seed_from_tracker_spare(name, kr, flags, mode, raw_fdt_too, 0);
}

static void fresh(struct kho_ranges *kr)
{
	kho_sim_reset_pages();
	kho_ranges_init(kr);
}

/* the round-trip selftests' mix: folios, page blocks, a vmalloc area */
static void seeds_roundtrip(void)
{
	struct page *vpages[40];
	struct kho_ranges kr;
	unsigned int i;

	fresh(&kr);
	for (i = 0; i < 40; i++)
		kho_ranges_preserve_folio(&kr, folio_alloc(GFP_KERNEL, i / 4), 1);
	for (i = 0; i < 16; i++)
		kho_ranges_preserve_pages(&kr, alloc_pages(GFP_KERNEL, i % 3),
					  i % 3, 2);
	for (i = 0; i < ARRAY_SIZE(vpages); i++)
		vpages[i] = pfn_to_page(kr_pfn(i < 10 ? 100000 + i :
					       105000 + 7 * i));
	kho_ranges_preserve_page_array(&kr, vpages, ARRAY_SIZE(vpages), 3);
	for (i = 0; i < 100; i++)
		kho_ranges_preserve(&kr, kr_pfn(200000 + 3 * i), 1, KR_TAG(4));

	seed_from_tracker("rt-mixed-desc", &kr, 0,
			  KHO_RANGES_RESERVE_DESCENDING, true);
	seed_from_tracker("rt-mixed-asc", &kr, 0, KHO_RANGES_RESERVE_ASCENDING,
			  false);
	seed_from_tracker("rt-mixed-bulk", &kr, 0, KHO_RANGES_RESERVE_BULK,
			  false);
	seed_from_tracker("rt-mixed-nospare", &kr, KR_FUZZ_NO_SPARE,
			  KHO_RANGES_RESERVE_DESCENDING, false);
	kho_ranges_destroy(&kr);
}

/* more records than memblock.reserved's 128 boot slots */
static void seeds_many(void)
{
	struct kho_ranges kr;
	unsigned int i;

	fresh(&kr);
	for (i = 0; i < 600; i++)
		kho_ranges_preserve(&kr, kr_pfn(1000 + 5 * i), 1 + i % 3,
				    KR_TAG(i % 5));
	/* up to the end of RAM, where memblock's top-down search starts */
	kho_ranges_preserve(&kr, kr_pfn((KR_FUZZ_ARENA >> PAGE_SHIFT) - 512),
			    512, KHO_RANGES_INFO(9, KHO_RANGES_INFO_FOLIO, 9));
	seed_from_tracker("many-desc-noresize", &kr, KR_FUZZ_NO_RESIZE,
			  KHO_RANGES_RESERVE_DESCENDING, false);
	seed_from_tracker("many-asc-nospare", &kr, KR_FUZZ_NO_SPARE,
			  KHO_RANGES_RESERVE_ASCENDING, false);
	seed_from_tracker("many-bulk-nospare-noresize", &kr,
			  KR_FUZZ_NO_SPARE | KR_FUZZ_NO_RESIZE,
			  KHO_RANGES_RESERVE_BULK, false);
	/*
	 * Found by fuzzing: spare room too small for the records. memblock
	 * grew out of it and freed it, whole pages, un-reserving preserved
	 * memory around it.
	 */
	seed_from_tracker_spare("regress-spare-too-small", &kr, 0,
				KHO_RANGES_RESERVE_ASCENDING, false, 0x1270);
	seed_from_tracker_spare("regress-spare-one-page", &kr, 0,
				KHO_RANGES_RESERVE_ASCENDING, false, PAGE_SIZE);
	kho_ranges_destroy(&kr);
}

/* the most records one input holds: every other page */
static void seeds_max(void)
{
	size_t room = KR_FUZZ_MAX_INPUT - sizeof(struct kr_fuzz_ctl);
	struct kho_ranges kr;
	unsigned long i = 0;

	fresh(&kr);
	/* two records more for the blob and the FDT */
	while (kho_ranges_blob_size(kr.nr_ranges + 3) <= room)
		kho_ranges_preserve(&kr, kr_pfn(4096 + 2 * i++), 1, KR_PLAIN);
	seed_from_tracker("max-records", &kr, 0, KHO_RANGES_RESERVE_BULK,
			  false);
	kho_ranges_destroy(&kr);

	fresh(&kr);
	seed_from_tracker("empty-tracker", &kr, 0,
			  KHO_RANGES_RESERVE_DESCENDING, true);
	kho_ranges_destroy(&kr);
}

/*
 * Hand-made blobs: a header and records written field by field, the blob
 * at 1 MiB into RAM with a record that preserves it.
 */
#define HAND_BLOB_OFF	(1U << 20)

struct hand {
	u8 b[KR_FUZZ_MAX_INPUT];
	size_t len;
	u32 hdr_size;
	u32 range_size;
	u64 nr;
};

static void hand_start(struct hand *h, u32 hdr_size, u32 range_size)
{
	memset(h, 0, sizeof(*h));
	h->hdr_size = hdr_size;
	h->range_size = range_size;
	put_unaligned_le32(KHO_RANGES_MAGIC, h->b);
	put_unaligned_le16(KHO_RANGES_VERSION_MAJOR, h->b + 4);
	put_unaligned_le16(KHO_RANGES_VERSION_MINOR, h->b + 6);
	put_unaligned_le32(hdr_size, h->b + 8);
	put_unaligned_le32(range_size, h->b + 12);
	put_unaligned_le32(PAGE_SHIFT, h->b + 20);
	h->len = hdr_size;
}

static void hand_rec(struct hand *h, u64 start, u32 nr_pages, u32 info)
{
	u8 *r = h->b + h->len;

	put_unaligned_le64(start, r);
	put_unaligned_le32(nr_pages, r + 8);
	put_unaligned_le32(info, r + 12);
	/* a newer writer's extra record fields: not zero, to be skipped */
	memset(r + 16, 0xa5, h->range_size - 16);
	h->len += h->range_size;
	h->nr++;
}

static void hand_finish(struct hand *h)
{
	put_unaligned_le64(h->nr, h->b + 24);
	put_unaligned_le64(h->nr * h->range_size, h->b + 32);
	/* a newer writer's extra header fields */
	memset(h->b + 48, 0x5a, h->hdr_size - 48);
	/* sealed before relocation: only KR_FUZZ_RESEAL makes it match */
	kr_fuzz_seal_blob(h->b, h->len);
}

static void hand_write(const char *name, struct hand *h, u8 flags, u8 mode,
		       s32 size_adj)
{
	struct kr_fuzz_ctl ctl = {
		.flags = flags,
		.mode = mode,
		.blob_off = cpu_to_le32(HAND_BLOB_OFF),
		.blob_size_adj = cpu_to_le32(size_adj),
		.spare_off = cpu_to_le32(HAND_BLOB_OFF + PAGE_SIZE),
		.spare_size = cpu_to_le32(PAGE_SIZE),
	};

	write_seed(name, &ctl, NULL, 0, h->b, h->len);
}

/* relocated and sealed: what a previous kernel would have written */
#define HF		(KR_FUZZ_RELOC | KR_FUZZ_RESEAL)
#define HANDOVER	KHO_RANGES_INFO(0, KHO_RANGES_INFO_HANDOVER, 0)
#define FOLIO(o, t)	KHO_RANGES_INFO(o, KHO_RANGES_INFO_FOLIO, t)

/* a valid hand-made blob: the blob's two pages and a few folios */
static void hand_basic(struct hand *h, u32 hdr_size, u32 range_size)
{
	hand_start(h, hdr_size, range_size);
	hand_rec(h, 0, 1, FOLIO(0, 1));
	hand_rec(h, 64 * PAGE_SIZE, 64, FOLIO(6, 2));
	hand_rec(h, HAND_BLOB_OFF, 2, HANDOVER);
	hand_rec(h, 4 << 20, 512, KHO_RANGES_INFO(9, 0, 3));
	hand_finish(h);
}

static void seeds_hand(void)
{
	struct kr_fuzz_ctl ctl = {
		.flags = KR_FUZZ_RELOC | KR_FUZZ_RESEAL,
	};
	const u64 end = KR_FUZZ_ARENA;
	static struct hand h;

	hand_basic(&h, 48, 16);
	hand_write("hand-basic", &h, HF, KHO_RANGES_RESERVE_ASCENDING, 0);
	/* relocated, not sealed: the crc is the writer's, before relocation */
	hand_write("hand-basic-badcrc", &h, KR_FUZZ_RELOC, 0, 0);
	hand_write("hand-truncated", &h, HF, 0, -1);
	h.b[0] ^= 1;
	hand_write("hand-bad-magic", &h, HF, 0, 0);

	/* a newer minor: longer header and records, which 1.0 skips */
	hand_basic(&h, 64, 24);
	put_unaligned_le16(3, h.b + 6);
	hand_write("hand-minor3-hdr64-rec24", &h, HF, KHO_RANGES_RESERVE_BULK, 0);

	hand_basic(&h, 48, 16);
	put_unaligned_le16(2, h.b + 4);
	hand_write("hand-major2", &h, HF, 0, 0);

	hand_basic(&h, 48, 16);
	put_unaligned_le32(0x0000ffff, h.b + 16);
	hand_write("hand-blob-flags-compat", &h, HF, 0, 0);
	put_unaligned_le32(0x00010000, h.b + 16);
	hand_write("hand-blob-flags-incompat", &h, HF, 0, 0);

	hand_basic(&h, 48, 16);
	put_unaligned_le32(16, h.b + 20);
	hand_write("hand-page-shift-16", &h, HF, 0, 0);

	/* no records: nothing preserves the blob */
	hand_start(&h, 48, 16);
	hand_finish(&h);
	hand_write("hand-zero-records", &h, HF, 0, 0);

	/* the first and the last pages of RAM */
	hand_start(&h, 48, 16);
	hand_rec(&h, 0, 1, KHO_RANGES_INFO(0, 0, 7));
	hand_rec(&h, HAND_BLOB_OFF, 1, HANDOVER);
	hand_rec(&h, end - (2 << 20), 512, FOLIO(9, 7));
	hand_finish(&h);
	hand_write("hand-end-of-ram", &h, HF, KHO_RANGES_RESERVE_DESCENDING, 0);

	hand_start(&h, 48, 16);
	hand_rec(&h, HAND_BLOB_OFF, 1, HANDOVER);
	hand_rec(&h, end - PAGE_SIZE, 2, KHO_RANGES_INFO(0, 0, 7));
	hand_finish(&h);
	hand_write("hand-straddles-end-of-ram", &h, HF, 0, 0);

	/* absolute addresses: wrapping past 2^64, and below RAM */
	hand_start(&h, 48, 16);
	hand_rec(&h, HAND_BLOB_OFF, 1, HANDOVER);
	hand_rec(&h, ~0ULL - PAGE_SIZE + 1, 2, KHO_RANGES_INFO(0, 0, 7));
	hand_finish(&h);
	hand_write("hand-wraps-64bit", &h, HF, 0, 0);

	hand_start(&h, 48, 16);
	hand_rec(&h, HAND_BLOB_OFF, 1, HANDOVER);
	hand_rec(&h, ~0ULL - (1ULL << 40) + 1, 1U << 31, FOLIO(31, 7));
	hand_finish(&h);
	hand_write("hand-order31-near-top", &h, HF, 0, 0);

	hand_start(&h, 48, 16);
	hand_rec(&h, 0x1000 | end, 1, KHO_RANGES_INFO(0, 0, 7));
	hand_rec(&h, HAND_BLOB_OFF, 1, HANDOVER);
	hand_finish(&h);
	hand_write("hand-outside-ram", &h, HF, 0, 0);

	/* info words with flags no kernel defines yet, and bad orders */
	hand_start(&h, 48, 16);
	hand_rec(&h, 0, 1, KHO_RANGES_INFO(0, 0x780, 1));
	hand_rec(&h, HAND_BLOB_OFF, 1, HANDOVER | 0x400);
	hand_rec(&h, 2 << 20, 8, KHO_RANGES_INFO(3, KHO_RANGES_INFO_FOLIO | 0x1000, 2));
	hand_rec(&h, 3 << 20, 8, KHO_RANGES_INFO(3, 0xf000, 0xffff));
	hand_finish(&h);
	hand_write("hand-info-unknown-flags", &h, HF, KHO_RANGES_RESERVE_BULK, 0);

	hand_start(&h, 48, 16);
	hand_rec(&h, HAND_BLOB_OFF, 1, HANDOVER);
	hand_rec(&h, 2 << 20, 8, 0x3f);
	hand_finish(&h);
	hand_write("hand-info-order63", &h, HF, 0, 0);

	/* unsorted, overlapping, empty, misaligned */
	hand_start(&h, 48, 16);
	hand_rec(&h, HAND_BLOB_OFF, 1, HANDOVER);
	hand_rec(&h, 0, 1, KR_PLAIN);
	hand_finish(&h);
	hand_write("hand-unsorted", &h, HF, 0, 0);

	hand_start(&h, 48, 16);
	hand_rec(&h, HAND_BLOB_OFF, 4, HANDOVER);
	hand_rec(&h, HAND_BLOB_OFF + 3 * PAGE_SIZE, 1, KR_PLAIN);
	hand_finish(&h);
	hand_write("hand-overlap", &h, HF, 0, 0);

	hand_start(&h, 48, 16);
	hand_rec(&h, HAND_BLOB_OFF, 1, HANDOVER);
	hand_rec(&h, (2 << 20) + PAGE_SIZE, 8, FOLIO(3, 1));
	hand_finish(&h);
	hand_write("hand-misaligned-order", &h, HF, 0, 0);

	hand_start(&h, 48, 16);
	hand_rec(&h, HAND_BLOB_OFF, 1, HANDOVER);
	hand_rec(&h, 2 << 20, 0, KR_PLAIN);
	hand_rec(&h, (3 << 20) + 512, 1, KR_PLAIN);
	hand_finish(&h);
	hand_write("hand-empty-and-misaligned", &h, HF, 0, 0);

	/* counts that do not add up */
	hand_basic(&h, 48, 16);
	put_unaligned_le64(262141, h.b + 24);
	put_unaligned_le64(262141 * 16ULL, h.b + 32);
	hand_write("hand-claims-262141-records", &h, HF, 0,
		   262141 * 16 + 48 - h.len);
	put_unaligned_le64(~0ULL, h.b + 24);
	hand_write("hand-claims-u64max-records", &h, HF, 0, 0);

	/* the blob placed off a page boundary */
	hand_basic(&h, 48, 16);
	ctl.blob_off = cpu_to_le32(HAND_BLOB_OFF + 8);
	write_seed("hand-blob-misaligned", &ctl, NULL, 0, h.b, h.len);

	/*
	 * Found by fuzzing: spare room on the blob itself. memblock.reserved
	 * moved there and overwrote the records before they were reserved.
	 */
	ctl.blob_off = cpu_to_le32(HAND_BLOB_OFF);
	ctl.spare_off = cpu_to_le32(HAND_BLOB_OFF);
	ctl.spare_size = cpu_to_le32(PAGE_SIZE);
	write_seed("regress-spare-on-blob", &ctl, NULL, 0, h.b, h.len);
}

/* root FDTs that are not what the boot protocol promised */
static void seeds_fdt(void)
{
	struct kr_fuzz_ctl ctl = {
		.flags = HF | KR_FUZZ_RAW_FDT,
		.blob_off = cpu_to_le32(HAND_BLOB_OFF),
	};
	static struct hand h;
	static u8 fdt[PAGE_SIZE];
	unsigned int off;

	hand_basic(&h, 48, 16);
	kr_fuzz_build_fdt(fdt, sizeof(fdt), HAND_BLOB_OFF, h.len, true,
			  HAND_BLOB_OFF + PAGE_SIZE, PAGE_SIZE);
	fdt_setprop_inplace(fdt, 0, "compatible", "kho-ranges-v2",
			    sizeof("kho-ranges-v2"));
	ctl.fdt_len = cpu_to_le16(fdt_totalsize(fdt));
	write_seed("fdt-compatible-v2", &ctl, fdt, fdt_totalsize(fdt), h.b,
		   h.len);

	/* spare room on the first record, a folio, not handover memory */
	kr_fuzz_build_fdt(fdt, sizeof(fdt), HAND_BLOB_OFF, h.len, true, 0,
			  PAGE_SIZE);
	ctl.fdt_len = cpu_to_le16(fdt_totalsize(fdt));
	write_seed("fdt-spare-outside-handover", &ctl, fdt, fdt_totalsize(fdt),
		   h.b, h.len);

	kr_fuzz_build_fdt(fdt, sizeof(fdt), HAND_BLOB_OFF, h.len, false, 0, 0);
	fdt_nop_property(fdt, 0, KHO_RANGES_FDT_PROP_BLOB_SIZE);
	ctl.fdt_len = cpu_to_le16(fdt_totalsize(fdt));
	write_seed("fdt-no-blob-size", &ctl, fdt, fdt_totalsize(fdt), h.b,
		   h.len);

	/* the blob the FDT points at is nowhere in memory */
	kr_fuzz_build_fdt(fdt, sizeof(fdt), 1ULL << 40, h.len, false, 0, 0);
	ctl.fdt_len = cpu_to_le16(fdt_totalsize(fdt));
	write_seed("fdt-blob-outside-ram", &ctl, fdt, fdt_totalsize(fdt), h.b,
		   h.len);

	ctl.fdt_len = 0;
	write_seed("fdt-empty", &ctl, NULL, 0, h.b, h.len);

	/*
	 * Found by fuzzing: a structure block two bytes off its 4-byte
	 * alignment passes fdt_check_header(), and libfdt then loads every
	 * tag misaligned.
	 */
	kr_fuzz_build_fdt(fdt, sizeof(fdt), HAND_BLOB_OFF, h.len, false, 0, 0);
	off = fdt_off_dt_struct(fdt);
	memmove(fdt + off + 2, fdt + off, fdt_totalsize(fdt) - off);
	memset(fdt + off, 0, 2);
	fdt_set_off_dt_struct(fdt, off + 2);
	fdt_set_off_dt_strings(fdt, fdt_off_dt_strings(fdt) + 2);
	fdt_set_totalsize(fdt, fdt_totalsize(fdt) + 2);
	ctl.fdt_len = cpu_to_le16(fdt_totalsize(fdt));
	write_seed("regress-fdt-struct-misaligned", &ctl, fdt,
		   fdt_totalsize(fdt), h.b, h.len);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 1;
	}
	outdir = argv[1];
	if (kho_sim_init(0, KR_FUZZ_ARENA))
		return 1;
	seeds_roundtrip();
	seeds_many();
	seeds_max();
	seeds_hand();
	seeds_fdt();
	kho_sim_exit();
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus of fuzz_ranges: blobs the real serializer
 * produced for the round-trip workloads, made relative to the start of RAM
 * (see kr_fuzz.h), and hand-made edge cases a serializer never writes; of
 * ABI 1.0 and of ABI 2.0 (bitmap records), valid ones and near misses that
 * break one rule each.
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
#include "golden/kr_golden.h"

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

/* make the record and window starts of a blob offsets into RAM again */
static void unreloc_blob(u8 *blob, size_t len, phys_addr_t base)
{
	u32 hdr_size = get_unaligned_le32(KR_FUZZ_HDR(blob, hdr_size));
	u32 range_size = get_unaligned_le32(KR_FUZZ_HDR(blob, range_size));
	u64 nr = get_unaligned_le64(KR_FUZZ_HDR(blob, nr_ranges));
	u64 i, off, nr_bm, bm_size;

	for (i = 0; i < nr; i++) {
		u8 *start = blob + hdr_size + i * range_size;

		put_unaligned_le64(get_unaligned_le64(start) - base, start);
	}
	if (!kr_fuzz_bitmaps(blob, len, &off, &nr_bm, &bm_size))
		return;
	for (i = 0; i < nr_bm; i++) {
		u8 *start = blob + off + i * bm_size;

		put_unaligned_le64(get_unaligned_le64(start) - base, start);
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

	if (kho_ranges_serialize(kr)) {
		fprintf(stderr, "%s: serialize failed\n", name);
		exit(1);
	}
	hdr = kr_blob_hdr(kr);
	memcpy(blob, hdr, kr->blob_size);
	unreloc_blob(blob, kr->blob_size, base);
	/*
	 * sealed over the offsets, as the hand-made seeds are: the same
	 * bytes wherever the simulated RAM was, and only KR_FUZZ_RESEAL
	 * makes the crc match after relocation
	 */
	kr_fuzz_seal_blob(blob, kr->blob_size);
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

/*
 * the round-trip selftests' mix: folios, page blocks, a vmalloc area, and
 * 100 pages three apart, which the serializer writes as a bitmap record
 * (a 2.0 blob), or with tags alternating as range records (1.0)
 */
static void seeds_roundtrip_mix(const char *name, bool v2)
{
	struct page *vpages[40];
	struct kho_ranges kr;
	char seed[64];
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
		kho_ranges_preserve(&kr, kr_pfn(200000 + 3 * i), 1,
				    KR_TAG(v2 ? 4 : 4 + (i & 1)));

	snprintf(seed, sizeof(seed), "%s-desc", name);
	seed_from_tracker(seed, &kr, 0, KHO_RANGES_RESERVE_DESCENDING, true);
	if (!v2) {
		kho_ranges_destroy(&kr);
		return;
	}
	seed_from_tracker("rt-mixed-asc", &kr, 0, KHO_RANGES_RESERVE_ASCENDING,
			  false);
	seed_from_tracker("rt-mixed-bulk", &kr, 0, KHO_RANGES_RESERVE_BULK,
			  false);
	seed_from_tracker("rt-mixed-nospare", &kr, KR_FUZZ_NO_SPARE,
			  KHO_RANGES_RESERVE_DESCENDING, false);
	kho_ranges_destroy(&kr);
}

static void seeds_roundtrip(void)
{
	seeds_roundtrip_mix("rt-mixed", true);
	seeds_roundtrip_mix("rt-mixed-v1", false);
}

/*
 * 2.0 blobs of the serializer: windows of every order it writes as bits
 * (order 6 over two windows, one record), few enough runs for memblock's
 * static array; 600 pages two apart (600 runs, more than that array
 * holds); eight windows of one info word in one record.
 */
static void seeds_v2(void)
{
	/* ranges per window: just enough for the bitmap to be smaller */
	static const unsigned int per[] = { 34, 18, 10, 6, 4, 3, 3 };
	/* clear of the pool's first pages, where the blob is allocated */
	const unsigned long at = 65536;
	struct kho_ranges kr;
	unsigned int o, i, w;

	fresh(&kr);
	for (o = 0; o <= 6; o++)
		for (i = 0; i < per[o]; i++)
			kho_ranges_preserve(&kr, kr_pfn(at + 4096 * (2 * o + 1) +
							((2UL * i + 1) << o)),
					    1U << o,
					    KHO_RANGES_INFO(o, o & 1 ?
							    KHO_RANGES_INFO_FOLIO : 0,
							    o));
	for (i = 0; i < 3; i++)
		kho_ranges_preserve(&kr, kr_pfn(at + 4096 * 14 +
						((2UL * i + 1) << 6)),
				    64, KHO_RANGES_INFO(6, 0, 6));
	kho_ranges_preserve(&kr, kr_pfn(at), 4, KHO_RANGES_INFO(2, 0, 9));
	seed_from_tracker("v2-orders-desc", &kr, 0,
			  KHO_RANGES_RESERVE_DESCENDING, true);
	seed_from_tracker("v2-orders-bulk-noresize", &kr, KR_FUZZ_NO_RESIZE,
			  KHO_RANGES_RESERVE_BULK, false);
	seed_from_tracker("v2-orders-asc-nospare-noresize", &kr,
			  KR_FUZZ_NO_SPARE | KR_FUZZ_NO_RESIZE,
			  KHO_RANGES_RESERVE_ASCENDING, false);
	kho_ranges_destroy(&kr);

	fresh(&kr);
	for (i = 0; i < 600; i++)
		kho_ranges_preserve(&kr, kr_pfn(at + 2 * i), 1, KR_TAG(1));
	kho_ranges_preserve(&kr, kr_pfn(at + 4096), 8, KHO_RANGES_INFO(3, 0, 2));
	seed_from_tracker("v2-dense-asc", &kr, 0, KHO_RANGES_RESERVE_ASCENDING,
			  false);
	seed_from_tracker("v2-dense-bulk-nospare", &kr, KR_FUZZ_NO_SPARE,
			  KHO_RANGES_RESERVE_BULK, false);
	kho_ranges_destroy(&kr);

	fresh(&kr);
	for (w = 0; w < 8; w++)
		for (i = 0; i < 40; i++)
			kho_ranges_preserve(&kr, kr_pfn(at + 4096 * w + 7 * i + w),
					    1, KR_TAG(3));
	seed_from_tracker("v2-long-record-desc", &kr, 0,
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
	/* two records more for the blob and the FDT; tags alternate, 1.0 */
	while (kho_ranges_blob_size(kr.nr_ranges + 3) <= room) {
		kho_ranges_preserve(&kr, kr_pfn(4096 + 2 * i), 1, KR_TAG(i & 1));
		i++;
	}
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

	/* major 2 with 1.0's header: too short for a 2.0 header */
	hand_basic(&h, 48, 16);
	put_unaligned_le16(2, h.b + 4);
	hand_write("hand-major2", &h, HF, 0, 0);
	hand_basic(&h, 48, 16);
	put_unaligned_le16(3, h.b + 4);
	hand_write("hand-major3", &h, HF, 0, 0);

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

/*
 * Hand-made 2.0 blobs, by the independent writer of golden/kr_golden.h:
 * range records, then bitmap records of orders 0, 2 and 6 whose lengths
 * are not whole words, a range record in clear bits of the first window,
 * the blob at 1 MiB into RAM with a handover record.
 */
struct hand2 {
	struct kr_writer w;
	struct kr_writer_rec r[16];
	unsigned long nr;
	struct kr_writer_bm bm[16];
	u64 bits[16][4];
	unsigned long nr_bm;
};

static struct hand h2buf;

static void hand2_basic(struct hand2 *h, struct kr_writer w)
{
	static const struct {
		u64 start;
		u32 info, nr_bits;
		unsigned int nr_set, set[8];
	} v[] = {
		{ 2 << 20, KHO_RANGES_INFO(0, 0, 5), 100,
		  7, { 0, 1, 2, 10, 63, 64, 99 } },
		{ 8 << 20, KHO_RANGES_INFO(2, KHO_RANGES_INFO_FOLIO, 6), 77,
		  3, { 0, 5, 76 } },
		{ 16 << 20, KHO_RANGES_INFO(6, KHO_RANGES_INFO_FOLIO, 7), 130,
		  8, { 1, 64, 65, 66, 67, 68, 69, 129 } },
	};
	unsigned int i, k;

	memset(h, 0, sizeof(*h));
	h->w = w;
	h->r[h->nr++] = (struct kr_writer_rec){ 0, 1, FOLIO(0, 1) };
	h->r[h->nr++] = (struct kr_writer_rec){ HAND_BLOB_OFF, 2, HANDOVER };
	/* pages 3 and 4 of the first window are clear */
	h->r[h->nr++] = (struct kr_writer_rec){ (2 << 20) + 3 * PAGE_SIZE, 2,
						KHO_RANGES_INFO(0, 0, 8) };
	h->r[h->nr++] = (struct kr_writer_rec){ 4 << 20, 512,
						KHO_RANGES_INFO(9, 0, 3) };
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		for (k = 0; k < v[i].nr_set; k++)
			h->bits[i][v[i].set[k] / 64] |= 1ULL << (v[i].set[k] % 64);
		h->bm[i] = (struct kr_writer_bm){ v[i].start, v[i].info,
						  v[i].nr_bits, h->bits[i] };
	}
	h->nr_bm = ARRAY_SIZE(v);
}

/* write @h2 into @h (sealed before relocation, as hand_finish() does) */
static void hand2_finish(struct hand *h, const struct hand2 *h2)
{
	memset(h, 0, sizeof(*h));
	h->len = kr_writer_blob_v2(h->b, &h2->w, h2->r, h2->nr, h2->bm,
				   h2->nr_bm);
	h->hdr_size = h2->w.hdr_size;
	h->range_size = h2->w.range_size;
	h->nr = h2->nr;
}

/* offsets of a 2.0 blob of hand2_basic(): header, bitmap record @i */
#define H2_BM(h2, i)	((h2)->w.hdr_size + (h2)->nr * (h2)->w.range_size + \
			 (i) * (h2)->w.bitmap_size)

static void hand2_write(const char *name, struct hand *h, u8 mode,
			s32 size_adj)
{
	hand_write(name, h, HF, mode, size_adj);
}

/* change @bytes at @off of the basic blob, reseal, write as @name */
static void hand2_patch(const char *name, u32 off, u64 v, unsigned int bytes)
{
	static struct hand2 h2;
	struct hand *h = &h2buf;

	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	hand2_finish(h, &h2);
	if (bytes == 8)
		put_unaligned_le64(v, h->b + off);
	else
		put_unaligned_le32(v, h->b + off);
	kr_fuzz_seal_blob(h->b, h->len);
	hand2_write(name, h, 0, 0);
}

static void seeds_hand_v2(void)
{
	const u32 max = KHO_RANGES_BITMAP_MAX_BITS;
	static struct hand2 h2;
	struct hand *h = &h2buf;
	u32 bm0, bm1, bm2;
	unsigned int o;

	/* valid: in each reserve mode, from a later minor, big endian */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	hand2_finish(h, &h2);
	hand2_write("hand2-basic", h, KHO_RANGES_RESERVE_ASCENDING, 0);
	hand2_write("hand2-basic-bulk", h, KHO_RANGES_RESERVE_BULK, 0);
	hand_write("hand2-basic-desc-noresize", h, HF | KR_FUZZ_NO_RESIZE,
		   KHO_RANGES_RESERVE_DESCENDING, 0);
	hand_write("hand2-basic-badcrc", h, KR_FUZZ_RELOC, 0, 0);
	hand2_write("hand2-truncated", h, 0, -1);
	bm0 = H2_BM(&h2, 0);
	bm1 = H2_BM(&h2, 1);
	bm2 = H2_BM(&h2, 2);

	h2.w.minor = 1;
	h2.w.hdr_size = 80;
	h2.w.range_size = 24;
	h2.w.bitmap_size = 32;
	h2.w.cpu = KR_WRITER_BE64;
	hand2_finish(h, &h2);
	hand2_write("hand2-minor1-hdr80-rec24-bm32", h, KHO_RANGES_RESERVE_BULK, 0);

	/* info flags no kernel defines yet on bitmap records */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	h2.bm[1].info |= 0x100;
	h2.bm[2].info |= 0x2000;
	hand2_finish(h, &h2);
	hand2_write("hand2-info-unknown-flags", h, KHO_RANGES_RESERVE_ASCENDING, 0);

	/* windows of orders 0..9 64 MiB apart, lengths around word boundaries */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	h2.nr_bm = 0;
	for (o = 0; o <= 9; o++) {
		static const u32 len[] = { 1, 63, 64, 65, 127, 129, 200, 3, 2, 5 };

		memset(h2.bits[o], 0, sizeof(h2.bits[o]));
		h2.bits[o][0] = 1 | 1ULL << 1 | 1ULL << 62;
		h2.bits[o][(len[o] - 1) / 64] |= 1ULL << ((len[o] - 1) % 64);
		if (len[o] < 64)
			h2.bits[o][0] &= (1ULL << len[o]) - 1;
		h2.bm[h2.nr_bm++] = (struct kr_writer_bm){
			(u64)(32 + 64 * o) << 20, KHO_RANGES_INFO(o, 0, o),
			len[o], h2.bits[o]
		};
	}
	hand2_finish(h, &h2);
	hand2_write("hand2-orders-0-to-9", h, KHO_RANGES_RESERVE_DESCENDING, 0);

	/* the blob preserved by a bitmap record of handover pages */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	memmove(&h2.r[1], &h2.r[2], 2 * sizeof(h2.r[0]));
	h2.nr--;
	/* its window lies below the others */
	memmove(&h2.bm[1], &h2.bm[0], 3 * sizeof(h2.bm[0]));
	h2.bits[3][0] = 3;
	h2.bm[0] = (struct kr_writer_bm){ HAND_BLOB_OFF, HANDOVER, 2, h2.bits[3] };
	h2.nr_bm = 4;
	hand2_finish(h, &h2);
	hand2_write("hand2-blob-in-bitmap", h, KHO_RANGES_RESERVE_BULK, 0);

	/* a 2.0 header and no bitmap record */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	h2.nr_bm = 0;
	hand2_finish(h, &h2);
	hand2_write("hand2-zero-bitmaps", h, KHO_RANGES_RESERVE_ASCENDING, 0);

	/* a window from 4 pages below the end of RAM, set bits in RAM */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	h2.bits[2][0] = 0xf;
	h2.bits[2][1] = 0;
	h2.bits[2][2] = 0;
	h2.bm[2] = (struct kr_writer_bm){ KR_FUZZ_ARENA - 4 * PAGE_SIZE,
					  KHO_RANGES_INFO(0, 0, 7), 130,
					  h2.bits[2] };
	hand2_finish(h, &h2);
	hand2_write("hand2-window-past-end-of-ram", h,
		    KHO_RANGES_RESERVE_DESCENDING, 0);
	/* and a set bit past the end: the run straddles it */
	h2.bits[2][0] = 0x3f;
	hand2_finish(h, &h2);
	hand2_write("hand2-run-straddles-end-of-ram", h, 0, 0);

	/* nothing preserves the blob */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	h2.r[1] = h2.r[2];
	h2.r[2] = h2.r[3];
	h2.nr--;
	hand2_finish(h, &h2);
	hand2_write("hand2-blob-not-preserved", h, 0, 0);

	/* a range record on a set bit */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	h2.r[2].start -= PAGE_SIZE;
	hand2_finish(h, &h2);
	hand2_write("hand2-range-on-set-bit", h, 0, 0);

	/* windows unsorted; windows overlapping where their bits are clear */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	h2.bm[1].start = HAND_BLOB_OFF + 16 * PAGE_SIZE;
	hand2_finish(h, &h2);
	hand2_write("hand2-windows-unsorted", h, 0, 0);
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	h2.bm[2].start = 9 << 20;
	hand2_finish(h, &h2);
	hand2_write("hand2-windows-overlap", h, 0, 0);

	/* no bit set; a bit set past the window */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	memset(h2.bits[1], 0, sizeof(h2.bits[1]));
	hand2_finish(h, &h2);
	hand2_write("hand2-no-bit-set", h, 0, 0);
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	h2.bits[0][1] |= 1ULL << 36;
	hand2_finish(h, &h2);
	hand2_write("hand2-bit-past-window", h, 0, 0);

	/*
	 * Found by fuzzing, a hang of the harness: a header claiming 2^38
	 * bitmap records, with KR_FUZZ_NO_RESIZE, made its count of runs
	 * walk every record the arena could hold (zeroes past the blob, no
	 * words to use up its budget). The validator rejects the blob at
	 * once (-EMSGSIZE).
	 */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	h2.nr_bm = 0;
	hand2_finish(h, &h2);
	put_unaligned_le64(0x7d00000700ULL, h->b + 48);
	kr_fuzz_seal_blob(h->b, h->len);
	hand_write("regress-harness-bitmap-count-noresize", h,
		   HF | KR_FUZZ_NO_RESIZE, KHO_RANGES_RESERVE_BULK, 0);

	/* one field of the basic blob broken, the blob re-sealed */
	hand2_patch("hand2-hdr56", 8, 56, 4);
	hand2_patch("hand2-bitmap-size-16", 56, 16, 4);
	hand2_patch("hand2-bitmap-size-28", 56, 28, 4);
	hand2_patch("hand2-count-beyond-payload", 48, 100, 8);
	hand2_patch("hand2-count-overflows", 48, 1ULL << 62, 8);
	hand2_patch("hand2-nr-bits-0", bm1 + 12, 0, 4);
	hand2_patch("hand2-nr-bits-max-plus-1", bm2 + 12, max + 1, 4);
	hand2_patch("hand2-order32", bm2 + 8, KHO_RANGES_INFO(32, 0, 7), 4);
	hand2_patch("hand2-window-misaligned", bm1, (8 << 20) + PAGE_SIZE, 8);
	hand2_patch("hand2-window-wraps", bm2, 0ULL - (16ULL << 20), 8);
	/* the first words follow the three records, two words long */
	hand2_patch("hand2-words-off-by-8", bm1 + 16, H2_BM(&h2, 3) + 16 + 8, 8);
	hand2_patch("hand2-words-past-blob", bm2 + 12, 130 + 64, 4);
	hand2_patch("hand2-first-words-early", bm0 + 16, bm2, 8);

	/* bytes after the last words, whole words and not */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	hand2_finish(h, &h2);
	h->len += 8;
	put_unaligned_le64(h->len - h2.w.hdr_size, h->b + 32);
	kr_fuzz_seal_blob(h->b, h->len);
	hand2_write("hand2-trailing-bytes", h, 0, 0);
	h->len -= 4;
	put_unaligned_le64(h->len - h2.w.hdr_size, h->b + 32);
	kr_fuzz_seal_blob(h->b, h->len);
	hand2_write("hand2-payload-not-words", h, 0, 0);
}

/* root FDTs that are not what the boot protocol promised */
static void seeds_fdt(void)
{
	struct kr_fuzz_ctl ctl = {
		.flags = HF | KR_FUZZ_RAW_FDT,
		.blob_off = cpu_to_le32(HAND_BLOB_OFF),
	};
	static struct hand2 h2;
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

	/* a 2.0 blob whose FDT names only "kho-ranges-v1": read all the same */
	hand2_basic(&h2, KR_WRITER_V2(KR_WRITER_LE64));
	hand2_finish(&h2buf, &h2);
	kr_fuzz_build_fdt(fdt, sizeof(fdt), HAND_BLOB_OFF, h2buf.len, true,
			  HAND_BLOB_OFF + PAGE_SIZE, PAGE_SIZE);
	ctl.fdt_len = cpu_to_le16(fdt_totalsize(fdt));
	write_seed("fdt-v2-blob-v1-compatible", &ctl, fdt, fdt_totalsize(fdt),
		   h2buf.b, h2buf.len);
	/* and as the serializer names it */
	fdt_setprop_inplace(fdt, 0, "compatible", "kho-ranges-v2",
			    sizeof("kho-ranges-v2"));
	write_seed("fdt-v2-blob-v2-compatible", &ctl, fdt, fdt_totalsize(fdt),
		   h2buf.b, h2buf.len);

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
	seeds_v2();
	seeds_hand();
	seeds_hand_v2();
	seeds_fdt();
	kho_sim_exit();
	return 0;
}

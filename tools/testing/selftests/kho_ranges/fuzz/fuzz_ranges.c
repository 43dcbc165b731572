// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the next kernel's side of kho_ranges on hostile input.
 *
 * Every input is a fresh boot of the simulated machine: empty memblock with
 * 1 GiB of RAM, the input's root FDT and blob placed in it as kr_fuzz.h
 * describes, then kho_ranges_deserialize() (FDT parse, blob validation,
 * spare room, memblock reservation) and, if it accepts, restore lookups.
 *
 * The invariant checked on every input, besides ASan and UBSan:
 *
 *  - rejected: a documented error code, and memblock.reserved exactly as
 *    the boot left it. The one exception is -ENOMEM, which only the
 *    reservation step returns once validation passed (memblock could not
 *    grow); then everything reserved must lie inside the records.
 *  - accepted: memblock.reserved covers exactly the records as noinit
 *    regions (kr_check_reserved()), and every record is found again by
 *    kho_ranges_lookup(), kho_ranges_find_tag() and the restore calls with
 *    the start, length and info word the blob gives. In a major 2 blob the
 *    harness reads the bitmap records and their words itself: the runs of
 *    set bits and the range records, sorted, must be what
 *    kho_ranges_walk_incoming() gives and what the counters say, a set bit
 *    is found as its one folio, a clear bit is not found (unless a range
 *    record holds it).
 *
 * Besides, it counts one hazard the invariant cannot see: memblock growing
 * its own array onto a preserved range that is not reserved yet, which
 * happens when the FDT names no usable spare room.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kr_test.h"
#include "kr_fuzz.h"

/* restore work per input is bounded, so that a few inputs do not dominate */
#define KR_FUZZ_RESTORE_RECORDS	64
#define KR_FUZZ_RESTORE_ORDER	10
/* and so are find_tag() calls, lookups of single bits, words counted */
#define KR_FUZZ_TAG_EXTENTS	32
#define KR_FUZZ_PROBE_BITS	512
#define KR_FUZZ_COUNT_WORDS	(1UL << 16)

static struct {
	unsigned long inputs;
	unsigned long accepted;
	unsigned long reserve_enomem;
	unsigned long array_on_preserved;
	unsigned long err[256];
} stats;

/* memblock.reserved's static array, before memblock may grow */
static unsigned long kr_fuzz_static_slots;

#define kr_fuzz_fail(fmt, ...) do {					\
	fprintf(stderr, "kr_fuzz: invariant broken: " fmt "\n",		\
		##__VA_ARGS__);						\
	abort();							\
} while (0)

static void kr_fuzz_print_stats(void)
{
	static const int codes[] = { EINVAL, EPROTONOSUPPORT, ENOENT, ERANGE,
				     EOPNOTSUPP, EMSGSIZE, EBADMSG, ENOMEM };
	unsigned int i;

	fprintf(stderr, "kr_fuzz: %lu inputs, %lu accepted, %lu -ENOMEM while reserving, %lu with memblock's array on preserved memory\n",
		stats.inputs, stats.accepted, stats.reserve_enomem,
		stats.array_on_preserved);
	for (i = 0; i < ARRAY_SIZE(codes); i++)
		fprintf(stderr, "kr_fuzz:   -%-16s %lu\n", strerror(codes[i]),
			stats.err[codes[i]]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (kho_sim_init(0, KR_FUZZ_ARENA)) {
		fprintf(stderr, "kr_fuzz: cannot map the simulated RAM\n");
		exit(1);
	}
	kho_sim_boot(false);
	kr_fuzz_static_slots = memblock.reserved.max;
	atexit(kr_fuzz_print_stats);
	return 0;
}

static bool kr_fuzz_known_error(int ret)
{
	switch (-ret) {
	case EINVAL: case EPROTONOSUPPORT: case ENOENT: case ERANGE:
	case EOPNOTSUPP: case EMSGSIZE: case EBADMSG: case ENOMEM:
		return true;
	}
	return false;
}

static void kr_fuzz_rec(const struct kho_ranges_incoming *in, unsigned long i,
			u64 *start, u64 *nr, u32 *info)
{
	const u8 *r = in->records + i * in->range_size;

	*start = get_unaligned_le64(r);
	*nr = get_unaligned_le32(r + 8);
	*info = get_unaligned_le32(r + 12);
}

struct kr_fuzz_span {
	u64 a, end;
};

static int kr_fuzz_overlaps_one(void *priv, unsigned long pfn,
				unsigned long nr_pages, u32 info)
{
	const struct kr_fuzz_span *s = priv;

	return s->a < PFN_PHYS(pfn + nr_pages) && PFN_PHYS(pfn) < s->end;
}

/* does [a, a + size) overlap a range record or a run of set bits? */
static bool kr_fuzz_on_records(const struct kho_ranges_incoming *in,
			       phys_addr_t a, u64 size)
{
	struct kr_fuzz_span s = { a, a + size };

	return kho_ranges_walk_incoming(in, kr_fuzz_overlaps_one, &s);
}

static int kr_fuzz_covers_one(void *priv, unsigned long pfn,
			      unsigned long nr_pages, u32 info)
{
	struct kr_fuzz_span *s = priv;

	if (PFN_PHYS(pfn) <= s->a && s->a < PFN_PHYS(pfn + nr_pages))
		s->a = PFN_PHYS(pfn + nr_pages);
	return s->a >= s->end;
}

/* is [a, a + size) inside records and runs that touch one another? */
static bool kr_fuzz_in_record(const struct kho_ranges_incoming *in,
			      phys_addr_t a, u64 size)
{
	struct kr_fuzz_span s = { a, a + size };

	return kho_ranges_walk_incoming(in, kr_fuzz_covers_one, &s);
}

/*
 * memblock.reserved's array, once it left the static one, lives in RAM; in
 * the spare room that is intended, anywhere else on preserved memory it has
 * overwritten what the previous kernel left there.
 */
static void kr_fuzz_check_array(const struct kho_ranges_incoming *in)
{
	struct memblock_type *t = &memblock.reserved;
	phys_addr_t a = (phys_addr_t)t->regions;
	u64 size = t->max * sizeof(*t->regions);

	if (a < kho_sim.ram_base || a >= kho_sim.ram_base + KR_FUZZ_ARENA)
		return;
	if (in->spare_size && a >= in->spare_phys &&
	    a + size <= in->spare_phys + in->spare_size)
		return;
	if (kr_fuzz_on_records(in, a, size)) {
		stats.array_on_preserved++;
		if (getenv("KR_FUZZ_STRICT"))
			kr_fuzz_fail("memblock.reserved array at %#llx on preserved memory",
				     (unsigned long long)a);
	}
}

/*
 * What an accepted blob preserves, as the harness reads it: each range
 * record, and each run of set bits of each bitmap record, in address
 * order. Read from the bytes, not through the deserializer's cursor.
 */
struct kr_fuzz_ext {
	u64 start, size;
	u32 info;
	bool bitmap;
};

static int kr_fuzz_ext_cmp(const void *a, const void *b)
{
	const struct kr_fuzz_ext *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool kr_fuzz_bit(const u8 *words, unsigned long b)
{
	return words[b / 8] >> (b % 8) & 1;
}

static const u8 *kr_fuzz_bm(const struct kho_ranges_incoming *in,
			    unsigned long i, u64 *start, u32 *info, u32 *nr_bits)
{
	const u8 *r = in->bitmaps + i * in->bitmap_size;

	*start = get_unaligned_le64(r);
	*info = get_unaligned_le32(r + 8);
	*nr_bits = get_unaligned_le32(r + 12);
	return (const u8 *)in->blob + get_unaligned_le64(r + 16);
}

static struct kr_fuzz_ext *kr_fuzz_extents(const struct kho_ranges_incoming *in,
					   unsigned long *n)
{
	unsigned long i, b, nr = in->nr_ranges, cap = in->nr_ranges;
	struct kr_fuzz_ext *e;

	for (i = 0; i < in->nr_bitmaps; i++) {
		u64 start;
		u32 info, nr_bits;
		const u8 *w = kr_fuzz_bm(in, i, &start, &info, &nr_bits);

		for (b = 0; b < nr_bits; b++)
			cap += kr_fuzz_bit(w, b) && (!b || !kr_fuzz_bit(w, b - 1));
	}
	e = malloc((cap + 1) * sizeof(*e));
	if (!e)
		kr_fuzz_fail("out of memory for %lu extents", cap);
	for (i = 0; i < in->nr_ranges; i++) {
		u64 start, pages;
		u32 info;

		kr_fuzz_rec(in, i, &start, &pages, &info);
		e[i] = (struct kr_fuzz_ext){ start, pages << PAGE_SHIFT, info };
	}
	for (i = 0; i < in->nr_bitmaps; i++) {
		u64 start;
		u32 info, nr_bits;
		const u8 *w = kr_fuzz_bm(in, i, &start, &info, &nr_bits);
		unsigned int shift = PAGE_SHIFT + kho_ranges_info_order(info);

		for (b = 0; b < nr_bits; b++) {
			if (!kr_fuzz_bit(w, b))
				continue;
			if (b && kr_fuzz_bit(w, b - 1)) {
				e[nr - 1].size += 1ULL << shift;
				continue;
			}
			e[nr++] = (struct kr_fuzz_ext){ start + ((u64)b << shift),
							1ULL << shift, info,
							true };
		}
	}
	qsort(e, nr, sizeof(*e), kr_fuzz_ext_cmp);
	*n = nr;
	return e;
}

/*
 * What kho_ranges_lookup() must say about @phys: the range record that
 * holds it, the one folio of a run that holds it, or nothing.
 */
static int kr_fuzz_expect(const struct kr_fuzz_ext *e, unsigned long n,
			  u64 phys, u64 *start, u64 *pages, u32 *info)
{
	unsigned long lo = 0, hi = n;
	const struct kr_fuzz_ext *x;
	unsigned int shift;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (e[mid].start <= phys)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || phys - e[lo - 1].start >= e[lo - 1].size)
		return -ENOENT;
	x = &e[lo - 1];
	*info = x->info;
	if (!x->bitmap) {
		*start = x->start;
		*pages = x->size >> PAGE_SHIFT;
		return 0;
	}
	shift = PAGE_SHIFT + kho_ranges_info_order(x->info);
	*start = x->start + ((phys - x->start) >> shift << shift);
	*pages = 1ULL << (shift - PAGE_SHIFT);
	return 0;
}

static void kr_fuzz_check_lookup(const struct kho_ranges_incoming *in,
				 const struct kr_fuzz_ext *e, unsigned long n,
				 u64 phys)
{
	u64 want_start = 0, want_pages = 0;
	u32 want_info = 0, info = 0;
	phys_addr_t start = 0;
	unsigned long pages = 0;
	int want, ret;

	want = kr_fuzz_expect(e, n, phys, &want_start, &want_pages, &want_info);
	ret = kho_ranges_lookup(in, phys, &start, &pages, &info);
	if (ret != want || (!ret && (start != want_start ||
				     pages != want_pages || info != want_info)))
		kr_fuzz_fail("lookup of %#llx: %d %#llx+%lu pages info %#x, expected %d %#llx+%llu pages info %#x",
			     (unsigned long long)phys, ret,
			     (unsigned long long)start, pages, info, want,
			     (unsigned long long)want_start,
			     (unsigned long long)want_pages, want_info);
}

/* restore the folio or block at @phys as its info word says, or refuse */
static void kr_fuzz_check_restore(const struct kho_ranges_incoming *in,
				  u64 phys, u32 info)
{
	unsigned int order = kho_ranges_info_order(info);
	bool unknown = info & KHO_RANGES_INFO_INCOMPAT_MASK &
		       ~KHO_RANGES_INFO_KNOWN_INCOMPAT;
	bool folio = info & KHO_RANGES_INFO_FOLIO;
	struct folio *f = kho_ranges_restore_folio(in, phys);
	struct page *p = kho_ranges_restore_pages(in, phys, order);

	if (unknown ? f || p :
	    folio ? !f || p || folio_order(f) != order :
	    f || p != pfn_to_page(PHYS_PFN(phys)))
		kr_fuzz_fail("%#llx (info %#x) restored wrongly",
			     (unsigned long long)phys, info);
	if (order && (kho_ranges_restore_folio(in, phys + PAGE_SIZE) ||
		      kho_ranges_restore_pages(in, phys + PAGE_SIZE, order)))
		kr_fuzz_fail("tail page of %#llx restored",
			     (unsigned long long)phys);
}

/*
 * An accepted blob keeps every rule of the ABI, as the harness reads them
 * from the bytes: well-formed range records; bitmap records of 1 to
 * KHO_RANGES_BITMAP_MAX_BITS folios of order 31 at most, aligned windows
 * inside the address space, sorted and apart, their words one after the
 * other after the records, up to the end of the blob, with some bit set
 * and none past the window.
 */
static void kr_fuzz_check_abi(const struct kho_ranges_incoming *in)
{
	u64 words = (in->records - (const u8 *)in->blob) +
		    (u64)in->nr_ranges * in->range_size +
		    (u64)in->nr_bitmaps * in->bitmap_size;
	u64 prev_end = 0, k;
	unsigned long i;

	for (i = 0; i < in->nr_ranges; i++) {
		unsigned int order;
		u64 start, nr;
		u32 info;

		kr_fuzz_rec(in, i, &start, &nr, &info);
		order = kho_ranges_info_order(info);
		if (!nr || order > KHO_RANGES_MAX_ORDER ||
		    start % (PAGE_SIZE << order) || nr % (1ULL << order) ||
		    start + (nr << PAGE_SHIFT) <= start)
			kr_fuzz_fail("accepted range record %lu (%#llx, info %#x) is malformed",
				     i, (unsigned long long)start, info);
	}
	for (i = 0; i < in->nr_bitmaps; i++) {
		const u8 *r = in->bitmaps + i * in->bitmap_size;
		u64 start = get_unaligned_le64(r), off = get_unaligned_le64(r + 16);
		u32 info = get_unaligned_le32(r + 8);
		u32 nr = get_unaligned_le32(r + 12);
		unsigned int order = kho_ranges_info_order(info);
		u64 len = DIV_ROUND_UP((u64)nr, 64), any = 0, v = 0;

		if (!nr || nr > KHO_RANGES_BITMAP_MAX_BITS ||
		    order > KHO_RANGES_MAX_ORDER || start % (PAGE_SIZE << order) ||
		    start + ((u64)nr << (PAGE_SHIFT + order)) <= start)
			kr_fuzz_fail("accepted bitmap record %lu (%#llx, %u folios, info %#x) is malformed",
				     i, (unsigned long long)start, nr, info);
		if (off != words || off > in->blob_len ||
		    len > (in->blob_len - off) / 8)
			kr_fuzz_fail("accepted bitmap record %lu has its words at %#llx, not %#llx",
				     i, (unsigned long long)off,
				     (unsigned long long)words);
		if (i && start < prev_end)
			kr_fuzz_fail("accepted bitmap record %lu is not sorted after or overlaps the one before",
				     i);
		for (k = 0; k < len; k++) {
			v = get_unaligned_le64((const u8 *)in->blob + off + 8 * k);
			any |= v;
		}
		if (!any)
			kr_fuzz_fail("accepted bitmap record %lu has no bit set", i);
		if (nr % 64 && v >> (nr % 64))
			kr_fuzz_fail("accepted bitmap record %lu has bits past its window",
				     i);
		prev_end = start + ((u64)nr << (PAGE_SHIFT + order));
		words += 8 * len;
	}
	if (words != in->blob_len)
		kr_fuzz_fail("accepted blob of %zu bytes has %llu after the last words",
			     in->blob_len, (unsigned long long)(in->blob_len - words));
}

/* every record and run comes back through the lookup and restore API */
static void kr_fuzz_check_lookups(const struct kho_ranges_incoming *in)
{
	u64 prev_end = 0, pages = 0, folios = 0;
	unsigned long i, b, n, probes = 0;
	struct kr_fuzz_ext *e = kr_fuzz_extents(in, &n);
	struct kr_ranges walk = { 0 };

	/* the walk, unjoined: one call per record or run, as memblock gets them */
	kho_ranges_walk_incoming(in, kr_collect_one, &walk);
	if (n != in->nr_extents || walk.nr != n)
		kr_fuzz_fail("%lu extents in the blob, %lu counted, %lu walked",
			     n, in->nr_extents, walk.nr);
	for (i = 0; i < n; i++) {
		unsigned int order = kho_ranges_info_order(e[i].info);
		u64 start = e[i].start, size = e[i].size;
		phys_addr_t s;

		if (i && start < prev_end)
			kr_fuzz_fail("accepted extent %lu at %#llx overlaps", i,
				     (unsigned long long)start);
		if (walk.r[i].pfn != PHYS_PFN(start) ||
		    walk.r[i].nr_pages != size >> PAGE_SHIFT ||
		    walk.r[i].info != e[i].info)
			kr_fuzz_fail("walk differs at extent %lu (%#llx)", i,
				     (unsigned long long)start);
		pages += size >> PAGE_SHIFT;
		folios += size >> (PAGE_SHIFT + order);
		kr_fuzz_check_lookup(in, e, n, start);
		kr_fuzz_check_lookup(in, e, n, start + size - 1);
		if (start > prev_end)
			kr_fuzz_check_lookup(in, e, n, start - 1);
		prev_end = start + size;
		if (i < KR_FUZZ_TAG_EXTENTS &&
		    (kho_ranges_find_tag(in, kho_ranges_info_tag(e[i].info),
					 &s, NULL) || s > start))
			kr_fuzz_fail("tag of extent %lu not found", i);

		if (i < KR_FUZZ_RESTORE_RECORDS &&
		    order <= KR_FUZZ_RESTORE_ORDER) {
			kr_fuzz_check_restore(in, start, e[i].info);
			/* the next folio of the range or run, if any */
			if (size > PAGE_SIZE << order)
				kr_fuzz_check_restore(in, start + (PAGE_SIZE << order),
						      e[i].info);
		}
	}
	if (pages != in->nr_pages || folios != in->nr_folios)
		kr_fuzz_fail("%lu pages, %lu folios counted; the blob holds %llu, %llu",
			     in->nr_pages, in->nr_folios,
			     (unsigned long long)pages,
			     (unsigned long long)folios);

	/* single folios of the windows, set and clear, up to a budget */
	for (i = 0; i < in->nr_bitmaps && probes < KR_FUZZ_PROBE_BITS; i++) {
		u64 start;
		u32 info, nr_bits;
		unsigned int shift;

		kr_fuzz_bm(in, i, &start, &info, &nr_bits);
		shift = PAGE_SHIFT + kho_ranges_info_order(info);
		for (b = 0; b < nr_bits && probes < KR_FUZZ_PROBE_BITS;
		     b++, probes++)
			kr_fuzz_check_lookup(in, e, n, start + ((u64)b << shift) +
					     ((1ULL << shift) - 1) / 2);
	}
	kr_ranges_free(&walk);
	free(e);
}

/* after a failed reservation: nothing reserved outside the records */
static void kr_fuzz_check_partial(const struct kho_ranges_incoming *in)
{
	struct memblock_type *t = &memblock.reserved;
	unsigned long i;

	for (i = 0; i < t->cnt; i++) {
		phys_addr_t a = t->regions[i].base;
		phys_addr_t size = t->regions[i].size;

		/* memblock's own grown array, reserved by memblock itself */
		if (!size || (void *)a == (void *)t->regions)
			continue;
		if (!kr_fuzz_in_record(in, a, size) &&
		    !(in->spare_size && a >= in->spare_phys &&
		      a + size <= in->spare_phys + in->spare_size))
			kr_fuzz_fail("reserved %#llx+%#llx outside the records",
				     (unsigned long long)a,
				     (unsigned long long)size);
	}
}

/*
 * Runs of set bits in the bitmap records of the blob placed at @blob, with
 * @room bytes of the arena from there: no fewer than any reservation of
 * it makes. Records and words outside the arena are skipped, since a blob
 * that puts them there is rejected. Stops past @max runs, and gives up
 * (ULONG_MAX) past KR_FUZZ_COUNT_WORDS records and words: a header may
 * claim 2^40 records of which the arena holds tens of millions.
 */
static unsigned long kr_fuzz_count_runs(const u8 *blob, u64 room,
					unsigned long max)
{
	unsigned long runs = 0, words = 0;
	u64 i, k, off, nr_bm, bm_size;

	if (!kr_fuzz_bitmaps(blob, room, &off, &nr_bm, &bm_size))
		return 0;
	for (i = 0; i < nr_bm && (room - off) / bm_size > i && runs <= max; i++) {
		const u8 *r = blob + off + i * bm_size;
		u64 nr_bits = get_unaligned_le32(r + 12);
		u64 w = get_unaligned_le64(r + 16);
		u64 len = DIV_ROUND_UP(nr_bits, 64);
		bool prev = false;

		words += 1 + len;
		if (words > KR_FUZZ_COUNT_WORDS)
			return ULONG_MAX;
		if (w > room || len > (room - w) / 8)
			continue;
		for (k = 0; k < len; k++) {
			u64 v = get_unaligned_le64(blob + w + 8 * k);

			if (k == len - 1 && nr_bits % 64)
				v &= (1ULL << (nr_bits % 64)) - 1;
			/* runs that start in this word: 0 -> 1 transitions */
			runs += hweight64(v & ~(v << 1 | prev));
			prev = v >> 63;
		}
	}
	return runs;
}

/*
 * Before memblock may grow (memblock_allow_resize()), a reservation that
 * needs more than the 128 static slots panics in memblock_double_array().
 * x86 reserves preserved memory after e820__memblock_setup() allowed it, so
 * this only models an architecture that reserves earlier, and only for
 * blobs small enough that memblock never has to grow: each range record,
 * each run of set bits, and the blob and spare room add one region at
 * most.
 */
static bool kr_fuzz_no_resize(const struct kr_fuzz_ctl *ctl, const u8 *blob,
			      size_t len)
{
	u64 room = kho_sim.ram_base + KR_FUZZ_ARENA - (phys_addr_t)blob;
	unsigned long runs;
	u64 nr;

	if (!(ctl->flags & KR_FUZZ_NO_RESIZE) ||
	    len < sizeof(struct kho_ranges_blob_hdr))
		return false;
	nr = get_unaligned_le64(KR_FUZZ_HDR(blob, nr_ranges));
	if (nr + 2 > kr_fuzz_static_slots)
		return false;
	runs = kr_fuzz_count_runs(blob, room, kr_fuzz_static_slots - 2 - nr);
	return runs != ULONG_MAX && nr + runs + 2 <= kr_fuzz_static_slots;
}

/*
 * Lay the input out in the zeroed machine as a previous kernel would have:
 * blob, relocated and sealed as the control header asks, and root FDT.
 * Returns the FDT's size for the boot protocol.
 */
static size_t kr_fuzz_place(const struct kr_fuzz_ctl *ctl, const u8 *fdt_bytes,
			    size_t fdt_len, const u8 *blob, size_t blob_len,
			    phys_addr_t blob_phys)
{
	const phys_addr_t base = kho_sim.ram_base;
	void *fdt = (void *)(base + KR_FUZZ_FDT_OFF);
	u64 claim = KR_FUZZ_CLAIM_MAX;

	memcpy((void *)blob_phys, blob, blob_len);
	if (ctl->flags & KR_FUZZ_RELOC)
		kr_fuzz_reloc_blob((void *)blob_phys, blob_len, base);

	if (ctl->flags & KR_FUZZ_RAW_FDT) {
		memcpy(fdt, fdt_bytes, fdt_len);
		if ((ctl->flags & KR_FUZZ_RELOC) &&
		    fdt_len >= sizeof(struct fdt_header) &&
		    !fdt_check_header(fdt) && fdt_totalsize(fdt) <= fdt_len &&
		    IS_ALIGNED(fdt_off_dt_struct(fdt), FDT_TAGSIZE)) {
			kr_fuzz_reloc_prop(fdt, KHO_RANGES_FDT_PROP_BLOB, base);
			kr_fuzz_reloc_prop(fdt, KHO_RANGES_FDT_PROP_SPARE, base);
		}
	} else {
		s64 adj = (s32)le32_to_cpu(ctl->blob_size_adj);

		if (adj > (s64)KR_FUZZ_CLAIM_MAX)
			adj = KR_FUZZ_CLAIM_MAX;
		if (adj < -(s64)KR_FUZZ_CLAIM_MAX)
			adj = -(s64)KR_FUZZ_CLAIM_MAX;
		claim = blob_len + adj;
		if (kr_fuzz_build_fdt(fdt, PAGE_SIZE, blob_phys, claim,
				      !(ctl->flags & KR_FUZZ_NO_SPARE),
				      kr_fuzz_reloc(le32_to_cpu(ctl->spare_off),
						    base),
				      le32_to_cpu(ctl->spare_size)))
			kr_fuzz_fail("cannot build the root FDT");
	}

	/* a checksum over more than the FDT claims is never read */
	if (ctl->flags & KR_FUZZ_RESEAL)
		kr_fuzz_seal_blob((void *)blob_phys,
				  min(claim, (u64)(base + KR_FUZZ_FDT_OFF - blob_phys)));
	return ctl->flags & KR_FUZZ_RAW_FDT ? fdt_len : fdt_totalsize(fdt);
}

/* what deserialize did must be one of the two outcomes the ABI allows */
static void kr_fuzz_check(int ret, struct kho_ranges_incoming *in,
			  unsigned long cnt, u64 total)
{
	const char *err;

	if (ret == -ENOMEM) {
		stats.reserve_enomem++;
		kr_fuzz_check_partial(in);
	} else if (ret) {
		if (!kr_fuzz_known_error(ret))
			kr_fuzz_fail("undocumented error %d", ret);
		if (memblock.reserved.cnt != cnt ||
		    memblock.reserved.total_size != total)
			kr_fuzz_fail("rejected with %d but memblock.reserved changed",
				     ret);
	} else {
		err = kr_check_reserved(in);
		if (err)
			kr_fuzz_fail("accepted, but %s", err);
		kr_fuzz_check_array(in);
		kr_fuzz_check_abi(in);
		kr_fuzz_check_lookups(in);
		kho_sim_reset_pages();
		stats.accepted++;
	}
	if (ret)
		stats.err[-ret & 0xff]++;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const phys_addr_t base = kho_sim.ram_base;
	struct kho_ranges_incoming in;
	struct kr_fuzz_ctl ctl;
	size_t fdt_len = 0, fdt_size, blob_len;
	phys_addr_t blob_phys;
	unsigned long cnt;
	u64 total;

	if (size < sizeof(ctl) || size > KR_FUZZ_MAX_INPUT)
		return -1;
	memcpy(&ctl, data, sizeof(ctl));
	data += sizeof(ctl);
	size -= sizeof(ctl);
	if (ctl.flags & KR_FUZZ_RAW_FDT)
		fdt_len = min_t(size_t, le16_to_cpu(ctl.fdt_len), size);
	blob_len = size - fdt_len;
	blob_phys = base + le32_to_cpu(ctl.blob_off) % KR_FUZZ_BLOB_SPAN;
	stats.inputs++;

	/* a zeroed machine: no byte of an earlier input may leak in */
	madvise((void *)base, KR_FUZZ_ARENA, MADV_DONTNEED);
	fdt_size = kr_fuzz_place(&ctl, data, fdt_len, data + fdt_len,
				 blob_len, blob_phys);
	kho_sim_boot(!kr_fuzz_no_resize(&ctl, (void *)blob_phys, blob_len));

	cnt = memblock.reserved.cnt;
	total = memblock.reserved.total_size;
	kr_fuzz_check(kho_ranges_deserialize(&in, base + KR_FUZZ_FDT_OFF,
					     fdt_size, ctl.mode % 3),
		      &in, cnt, total);
	return 0;
}

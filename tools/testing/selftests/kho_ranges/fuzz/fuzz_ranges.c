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
 *    the start, length and info word the blob gives.
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

/* does [a, a + size) overlap a record? */
static bool kr_fuzz_on_records(const struct kho_ranges_incoming *in,
			       phys_addr_t a, u64 size)
{
	unsigned long i;

	for (i = 0; i < in->nr_ranges; i++) {
		u64 start, nr;
		u32 info;

		kr_fuzz_rec(in, i, &start, &nr, &info);
		if (a < start + (nr << PAGE_SHIFT) && start < a + size)
			return true;
	}
	return false;
}

/* is [a, a + size) inside one record? */
static bool kr_fuzz_in_record(const struct kho_ranges_incoming *in,
			      phys_addr_t a, u64 size)
{
	phys_addr_t start;
	unsigned long nr;

	return !kho_ranges_lookup(in, a, &start, &nr, NULL) &&
	       a + size <= start + ((u64)nr << PAGE_SHIFT);
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

/* every record comes back through the lookup and restore API */
static void kr_fuzz_check_lookups(const struct kho_ranges_incoming *in)
{
	u64 prev_end = 0, pages = 0;
	unsigned long i;

	for (i = 0; i < in->nr_ranges; i++) {
		unsigned int order;
		u64 start, nr, size;
		phys_addr_t s;
		unsigned long n;
		u32 info, inf;

		kr_fuzz_rec(in, i, &start, &nr, &info);
		size = nr << PAGE_SHIFT;
		order = kho_ranges_info_order(info);
		pages += nr;
		if (start < prev_end)
			kr_fuzz_fail("accepted record %lu overlaps", i);
		if (kho_ranges_lookup(in, start, &s, &n, &inf) || s != start ||
		    n != nr || inf != info ||
		    kho_ranges_lookup(in, start + size - 1, &s, NULL, NULL) ||
		    s != start)
			kr_fuzz_fail("record %lu at %#llx not found by lookup",
				     i, (unsigned long long)start);
		if (start > prev_end &&
		    kho_ranges_lookup(in, start - 1, NULL, NULL, NULL) != -ENOENT)
			kr_fuzz_fail("the gap before record %lu is found", i);
		prev_end = start + size;
		if (kho_ranges_find_tag(in, kho_ranges_info_tag(info), &s, NULL) ||
		    s > start)
			kr_fuzz_fail("tag of record %lu not found", i);

		if (i < KR_FUZZ_RESTORE_RECORDS &&
		    order <= KR_FUZZ_RESTORE_ORDER) {
			bool unknown = info & KHO_RANGES_INFO_INCOMPAT_MASK &
				       ~KHO_RANGES_INFO_KNOWN_INCOMPAT;
			bool folio = info & KHO_RANGES_INFO_FOLIO;
			struct folio *f = kho_ranges_restore_folio(in, start);
			struct page *p = kho_ranges_restore_pages(in, start,
								  order);

			if (unknown ? f || p :
			    folio ? !f || p || folio_order(f) != order :
			    f || p != pfn_to_page(PHYS_PFN(start)))
				kr_fuzz_fail("record %lu (info %#x) restored wrongly",
					     i, info);
			if (order && (kho_ranges_restore_folio(in, start + PAGE_SIZE) ||
				      kho_ranges_restore_pages(in, start + PAGE_SIZE,
							       order)))
				kr_fuzz_fail("tail page of record %lu restored", i);
		}
	}
	if (pages != in->nr_pages)
		kr_fuzz_fail("nr_pages %lu, records hold %llu", in->nr_pages,
			     (unsigned long long)pages);
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
 * Before memblock may grow (memblock_allow_resize()), a reservation that
 * needs more than the 128 static slots panics in memblock_double_array().
 * x86 reserves preserved memory after e820__memblock_setup() allowed it, so
 * this only models an architecture that reserves earlier, and only for
 * blobs small enough that memblock never has to grow: each record and the
 * blob and spare room add one region at most.
 */
static bool kr_fuzz_no_resize(const struct kr_fuzz_ctl *ctl, const u8 *blob,
			      size_t len)
{
	if (!(ctl->flags & KR_FUZZ_NO_RESIZE) ||
	    len < sizeof(struct kho_ranges_blob_hdr))
		return false;
	return get_unaligned_le64(KR_FUZZ_HDR(blob, nr_ranges)) + 2 <=
	       kr_fuzz_static_slots;
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

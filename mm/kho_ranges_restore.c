// SPDX-License-Identifier: GPL-2.0
/*
 * kho_ranges, next kernel side: validate the blob the previous kernel left,
 * reserve every preserved range in memblock, and hand folios back to their
 * owners.
 */

#define pr_fmt(fmt) "kho_ranges: " fmt

#include <linux/crc32.h>
#include <linux/export.h>
#include <linux/io.h>
#include <linux/kho_ranges.h>
#include <linux/libfdt.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/unaligned.h>
#include <linux/xxhash.h>
#include "internal.h"
#include "kho_ranges_records.h"

/**
 * DOC: kho_ranges deserializer
 *
 * The next kernel trusts nothing in the blob. kho_ranges_validate() checks
 * the header (magic, major version, sizes, page size, checksum) and then
 * every record (aligned, non-empty, no wrap-around, sorted, non-overlapping,
 * inside memblock.memory, and covering the blob itself) without touching
 * memblock. Only a blob that passes all of it is reserved, by
 * kho_ranges_reserve(), in one pass over the sorted records.
 *
 * A blob of major 2 also has bitmap records: a window of folios of one
 * order, one bit each. Range records and the runs of set bits of the bitmap
 * records are read as one stream in address order (struct
 * kho_ranges_cursor), which is what validation checks and what memblock
 * gets: the work per run of preserved pages is one memblock region, and
 * there is no work per folio at boot, since a folio's order is found again
 * by a binary search in the blob when its owner restores it.
 *
 * Validation and memblock_reserve_bulk() read that stream in batches, so
 * that the work per extent is a few dozen instructions: the range records
 * up to the next run in a loop of their own, the runs up to the next range
 * record MEMBLOCK_BULK_BATCH at a time.
 */

static u64 kho_ranges_rec_start(const struct kho_ranges_incoming *in,
				unsigned long i)
{
	return kho_ranges_in_start(in, i);
}

static void kho_ranges_rec(const struct kho_ranges_incoming *in,
			   unsigned long i, u64 *start, u64 *size, u32 *info)
{
	const struct kho_ranges_blob_range *r =
		(const void *)(in->records + i * in->range_size);

	*start = get_unaligned_le64(&r->start);
	*size = (u64)get_unaligned_le32(&r->nr_pages) << PAGE_SHIFT;
	*info = get_unaligned_le32(&r->info);
}

static const struct kho_ranges_blob_bitmap *
kho_ranges_bm(const struct kho_ranges_incoming *in, unsigned long i)
{
	return kho_ranges_in_bitmap(in, i);
}

/* the lowest set bit of a non-zero @v, as __ffs64() finds it */
static inline unsigned int kho_ranges_ffs64(u64 v)
{
	u32 lo = v;

	if (BITS_PER_LONG == 64)
		return __ffs((unsigned long)v);
	return lo ? __ffs(lo) : 32 + __ffs((u32)(v >> 32));
}

/*
 * The first bit at or after @from that is set (@set) or clear, or @nr_bits.
 * Bit b is bit b % 64 of the little-endian u64 at @words + b / 64 * 8.
 */
static inline unsigned long kho_ranges_bits_find(const u8 *words,
					  unsigned long nr_bits,
					  unsigned long from, bool set)
{
	while (from < nr_bits) {
		u64 v = get_unaligned_le64(words + from / 64 * 8);

		if (!set)
			v = ~v;
		v >>= from % 64;
		if (v)
			return min(nr_bits, from + kho_ranges_ffs64(v));
		from = round_down(from, 64) + 64;
	}
	return nr_bits;
}

static const u8 *kho_ranges_bm_words(const struct kho_ranges_incoming *in,
				     const struct kho_ranges_blob_bitmap *bm)
{
	return (const u8 *)in->blob + get_unaligned_le64(&bm->words);
}

static unsigned long kho_ranges_bm_find(const struct kho_ranges_incoming *in,
					const struct kho_ranges_blob_bitmap *bm,
					unsigned long from, bool set)
{
	return kho_ranges_bits_find(kho_ranges_bm_words(in, bm),
				    get_unaligned_le32(&bm->nr_bits), from, set);
}

/**
 * struct kho_ranges_cursor - range records and bitmap runs in address order
 * @in:         the blob
 * @r:          next range record; @next_start is its start
 * @b:          bitmap record being scanned, in @words, @nr_bits, @start,
 *              @shift and @info; @b == @in->nr_bitmaps at the end
 * @word:       the bits of the word at bit @wbase not yet returned as runs
 * @idx:        extents returned so far
 * @run:        a bitmap run is pending in @run_start and @run_size
 * @range:      the extent returned last was a range record
 */
struct kho_ranges_cursor {
	const struct kho_ranges_incoming *in;
	unsigned long r, b, idx, nr_bits, wbase;
	const u8 *words;
	u64 word, start, run_start, run_size, next_start;
	unsigned int shift;
	u32 info;
	bool run, range;
};

static void kho_ranges_cursor_bitmap(struct kho_ranges_cursor *c)
{
	const struct kho_ranges_blob_bitmap *bm;

	c->wbase = 0;
	c->word = 0;
	if (c->b >= c->in->nr_bitmaps)
		return;
	bm = kho_ranges_bm(c->in, c->b);
	c->words = kho_ranges_bm_words(c->in, bm);
	c->nr_bits = get_unaligned_le32(&bm->nr_bits);
	c->start = get_unaligned_le64(&bm->start);
	c->info = get_unaligned_le32(&bm->info);
	c->shift = PAGE_SHIFT + kho_ranges_info_order(c->info);
	c->word = get_unaligned_le64(c->words);
}

static void kho_ranges_cursor_seek_range(struct kho_ranges_cursor *c,
					 unsigned long r)
{
	c->r = r;
	if (r < c->in->nr_ranges)
		c->next_start = kho_ranges_rec_start(c->in, r);
}

static void kho_ranges_cursor_init(struct kho_ranges_cursor *c,
				   const struct kho_ranges_incoming *in)
{
	memset(c, 0, sizeof(*c));
	c->in = in;
	kho_ranges_cursor_seek_range(c, 0);
	kho_ranges_cursor_bitmap(c);
}

/*
 * The next run of set bits of a bitmap record's @words (@nr_bits of them)
 * from where the scan is: *@word, the bits of the word at bit *@wbase not
 * yet returned. Its first bit in *@first and length in *@len, the scan
 * moved past it; false if the record has no set bit left. Validation has
 * checked that no bit past a window is set, so whole words can be read.
 * Inline into its callers, which keep the scan in registers.
 */
static __always_inline bool kho_ranges_words_run(const u8 *words,
						 unsigned long nr_bits,
						 unsigned long *wbase,
						 u64 *word,
						 unsigned long *first,
						 unsigned int *len)
{
	unsigned long base = *wbase;
	unsigned int off, n;
	u64 w = *word;

	while (!w) {
		base += 64;
		if (base >= nr_bits) {
			*wbase = base;
			*word = 0;
			return false;
		}
		w = get_unaligned_le64(words + base / 8);
	}
	off = kho_ranges_ffs64(w);
	*first = base + off;
	n = ~(w >> off) ? kho_ranges_ffs64(~(w >> off)) : 64 - off;
	if (off + n < 64) {
		w &= ~0ULL << (off + n);
	} else {
		/* the run reaches the end of the word: follow it */
		for (w = 0;;) {
			base += 64;
			if (base >= nr_bits)
				break;
			w = get_unaligned_le64(words + base / 8);
			if (w != ~0ULL)
				break;
			n += 64;
			w = 0;
		}
		if (w) {
			off = kho_ranges_ffs64(~w);
			n += off;
			w &= ~0ULL << off;
		}
	}
	*wbase = base;
	*word = w;
	*len = n;
	return true;
}

/* make the next run of set bits pending, if there is one */
static inline void kho_ranges_cursor_run(struct kho_ranges_cursor *c)
{
	unsigned long first;
	unsigned int len;

	while (!c->run && c->b < c->in->nr_bitmaps) {
		if (!kho_ranges_words_run(c->words, c->nr_bits, &c->wbase,
					  &c->word, &first, &len)) {
			c->b++;
			kho_ranges_cursor_bitmap(c);
			continue;
		}
		c->run = true;
		c->run_start = c->start + ((u64)first << c->shift);
		c->run_size = (u64)len << c->shift;
	}
}

/*
 * The next extent: a range record, or a run of set bits of a bitmap
 * record, whichever starts lower. The streams are each sorted in a valid
 * blob; validation checks that what comes out is.
 */
static inline bool kho_ranges_cursor_next(struct kho_ranges_cursor *c, u64 *start,
				   u64 *size, u32 *info)
{
	const struct kho_ranges_incoming *in = c->in;
	bool range = c->r < in->nr_ranges;

	/* no bitmap run left (or none at all, in a 1.x blob): records only */
	if (!c->run && c->b >= in->nr_bitmaps) {
		if (!range)
			return false;
		kho_ranges_rec(in, c->r++, start, size, info);
		c->range = true;
		c->idx++;
		return true;
	}
	kho_ranges_cursor_run(c);
	if (range && c->run && c->next_start > c->run_start)
		range = false;
	c->range = range;
	if (range) {
		kho_ranges_rec(in, c->r, start, size, info);
		kho_ranges_cursor_seek_range(c, c->r + 1);
	} else if (c->run) {
		*start = c->run_start;
		*size = c->run_size;
		*info = c->info;
		c->run = false;
	} else {
		return false;
	}
	c->idx++;
	return true;
}

/*
 * Up to @n runs of set bits of one bitmap record that start below @limit,
 * into @out: the pending run and those after it, with the state of the
 * scan in local variables rather than in the cursor. Returns how many, and
 * the record's info word in *@info and its folio shift in *@shift; 0 when
 * the next run starts at or above @limit or no run is left, which
 * c->run then tells apart. A run left in the record stays pending.
 */
static unsigned int __init kho_ranges_cursor_runs(struct kho_ranges_cursor *c,
						  struct memblock_bulk_range *out,
						  unsigned int n, u64 limit,
						  u32 *info, unsigned int *shift)
{
	const u8 *words = c->words;
	unsigned long wbase = c->wbase, nr_bits = c->nr_bits, first;
	u64 word = c->word, start = c->start;
	u64 run_start = c->run_start, run_size = c->run_size;
	unsigned int i = 0, len, sh;

	if (!c->run) {
		kho_ranges_cursor_run(c);
		if (!c->run)
			return 0;
		words = c->words;
		wbase = c->wbase;
		nr_bits = c->nr_bits;
		word = c->word;
		start = c->start;
		run_start = c->run_start;
		run_size = c->run_size;
	}
	sh = c->shift;
	*info = c->info;
	*shift = sh;
	while (i < n && run_start < limit) {
		out[i].base = run_start;
		out[i].size = run_size;
		i++;
		/* the next run of this record */
		if (!kho_ranges_words_run(words, nr_bits, &wbase, &word, &first,
					  &len))
			goto next_record;
		run_start = start + ((u64)first << sh);
		run_size = (u64)len << sh;
	}
	c->wbase = wbase;
	c->word = word;
	c->run_start = run_start;
	c->run_size = run_size;
	return i;

next_record:
	/* this record is done: the next run is another record's */
	c->wbase = wbase;
	c->word = 0;
	c->run = false;
	kho_ranges_cursor_run(c);
	return i;
}

/**
 * kho_ranges_fdt_parse() - find the blob the root FDT points at
 * @fdt:       the root FDT, mapped
 * @fdt_size:  bytes mapped at @fdt
 * @blob_phys: where to store the blob's physical address
 * @blob_size: where to store the blob's size
 *
 * Return: 0 on success; -EINVAL if @fdt is not a well-formed FDT of at most
 * @fdt_size bytes; -EPROTONOSUPPORT if its root is compatible with neither
 * "kho-ranges-v2" nor "kho-ranges-v1"; -ENOENT if a property is missing or
 * malformed.
 */
int __init kho_ranges_fdt_parse(const void *fdt, size_t fdt_size,
				phys_addr_t *blob_phys,
				size_t *blob_size)
{
	const void *prop;
	u64 phys, size;
	int len;

	/*
	 * fdt_check_header() bounds the blocks but does not check that the
	 * structure block is 4-byte aligned, as the DT spec requires; libfdt
	 * then loads its tags misaligned, which faults on some architectures.
	 */
	if (fdt_size < sizeof(struct fdt_header) || fdt_check_header(fdt) ||
	    fdt_totalsize(fdt) > fdt_size ||
	    !IS_ALIGNED(fdt_off_dt_struct(fdt), FDT_TAGSIZE)) {
		pr_err("root FDT is corrupt or larger than its %zu bytes\n",
		       fdt_size);
		return -EINVAL;
	}
	if (fdt_node_check_compatible(fdt, 0, KHO_RANGES_FDT_COMPATIBLE_V2) &&
	    fdt_node_check_compatible(fdt, 0, KHO_RANGES_FDT_COMPATIBLE)) {
		pr_err("root FDT is compatible with neither %s nor %s\n",
		       KHO_RANGES_FDT_COMPATIBLE_V2, KHO_RANGES_FDT_COMPATIBLE);
		return -EPROTONOSUPPORT;
	}

	prop = fdt_getprop(fdt, 0, KHO_RANGES_FDT_PROP_BLOB, &len);
	if (!prop || len != sizeof(u64))
		goto bad_prop;
	phys = get_unaligned_be64(prop);
	prop = fdt_getprop(fdt, 0, KHO_RANGES_FDT_PROP_BLOB_SIZE, &len);
	if (!prop || len != sizeof(u64))
		goto bad_prop;
	size = get_unaligned_be64(prop);

	if (phys != (phys_addr_t)phys || size != (size_t)size) {
		pr_err("blob at %#llx+%#llx is beyond this kernel's reach\n",
		       phys, size);
		return -ERANGE;
	}
	*blob_phys = phys;
	*blob_size = size;
	return 0;

bad_prop:
	pr_err("root FDT has no valid %s/%s property\n",
	       KHO_RANGES_FDT_PROP_BLOB, KHO_RANGES_FDT_PROP_BLOB_SIZE);
	return -ENOENT;
}

/*
 * The optional spare room: accepted only if it lies inside one handover
 * range of the validated blob, so that it is memory the previous kernel set
 * aside for this and nothing else.
 */
static void __init kho_ranges_find_spare(struct kho_ranges_incoming *in,
					 const void *fdt)
{
	const void *phys_prop, *size_prop;
	unsigned long nr;
	phys_addr_t start;
	u64 phys, size, blob_end;
	int len1, len2;
	u32 info;

	phys_prop = fdt_getprop(fdt, 0, KHO_RANGES_FDT_PROP_SPARE, &len1);
	size_prop = fdt_getprop(fdt, 0, KHO_RANGES_FDT_PROP_SPARE_SIZE, &len2);
	if (!phys_prop && !size_prop)
		return;
	if (!phys_prop || !size_prop || len1 != sizeof(u64) ||
	    len2 != sizeof(u64))
		goto bad;
	phys = get_unaligned_be64(phys_prop);
	size = get_unaligned_be64(size_prop);
	/*
	 * memblock.reserved moves into it while the records are still to be
	 * read, so it must not overlap the blob's header and records. And it
	 * must hold every region reserving the records can add: if memblock
	 * had to grow out of it, it would free the array it leaves, whole
	 * pages of it, un-reserving preserved memory.
	 */
	blob_end = in->blob_phys + in->blob_len;
	if (!size || !PAGE_ALIGNED(phys) || !PAGE_ALIGNED(size) ||
	    phys + size < phys || phys != (phys_addr_t)phys ||
	    (phys < blob_end && phys + size > in->blob_phys) ||
	    size / sizeof(struct memblock_region) <
	    memblock.reserved.cnt + in->nr_extents + 2 ||
	    kho_ranges_lookup(in, phys, &start, &nr, &info) ||
	    !(info & KHO_RANGES_INFO_HANDOVER) ||
	    phys + size > start + ((u64)nr << PAGE_SHIFT))
		goto bad;
	in->spare_phys = phys;
	in->spare_size = size;
	return;
bad:
	pr_warn("ignoring malformed spare room in the root FDT\n");
}

/**
 * kho_ranges_blob_checksum() - the checksum a blob's header flags call for
 * @blob:  the blob: header and payload, at least 48 bytes
 * @len:   bytes of header and payload the checksum covers
 * @flags: the header's flags
 *
 * Without %KHO_RANGES_BLOB_XXH64, the crc32 of the @len bytes with the
 * @crc field (bytes 40 to 43) read as zero; with it, the xxh64 (seed 0)
 * with bytes 40 to 47 (@crc and @reserved) read as zero. What the fields
 * hold does not matter, so a writer and a reader call it alike.
 *
 * Return: the value bytes 40 to 47 must hold, as a CPU-order u64: the low
 * half goes to @crc, the high half (zero for crc32) to @reserved.
 */
u64 kho_ranges_blob_checksum(const void *blob, size_t len, u32 flags)
{
	static const u8 zero[8];
	const size_t at = offsetof(struct kho_ranges_blob_hdr, crc);
	const u8 *p = blob;
	struct xxh64_state xs;
	u32 crc;

	if (WARN_ON_ONCE(len < sizeof(struct kho_ranges_blob_hdr)))
		return 0;
	if (flags & KHO_RANGES_BLOB_XXH64) {
		xxh64_reset(&xs, 0);
		xxh64_update(&xs, p, at);
		xxh64_update(&xs, zero, 8);
		xxh64_update(&xs, p + at + 8, len - at - 8);
		return xxh64_digest(&xs);
	}
	crc = crc32_le(~0U, p, at);
	crc = crc32_le(crc, zero, 4);
	crc = crc32_le(crc, p + at + 4, len - at - 4);
	return ~crc;
}
EXPORT_SYMBOL_GPL(kho_ranges_blob_checksum);

/*
 * The header, and where the records are. Fills in the layout fields of
 * @in; validation of the records comes after.
 */
static int __init kho_ranges_check_hdr(struct kho_ranges_incoming *in,
				       const void *blob, size_t blob_size)
{
	const struct kho_ranges_blob_hdr_v2 *hdr2 = blob;
	const struct kho_ranges_blob_hdr *hdr = &hdr2->v1;
	u32 hdr_size = le32_to_cpu(hdr->hdr_size);
	u32 range_size = le32_to_cpu(hdr->range_size);
	u16 major = le16_to_cpu(hdr->major);
	u64 nr = le64_to_cpu(hdr->nr_ranges);
	u64 payload = le64_to_cpu(hdr->payload_size);
	u32 flags = le32_to_cpu(hdr->flags);
	u64 nr_bm = 0, bytes, bm_bytes = 0;
	u32 bm_size = 0, min_hdr = sizeof(*hdr);
	u64 sum, want;

	if (le32_to_cpu(hdr->magic) != KHO_RANGES_MAGIC) {
		pr_err("bad blob magic %#x\n", le32_to_cpu(hdr->magic));
		return -EINVAL;
	}
	if (major != KHO_RANGES_VERSION_MAJOR &&
	    major != KHO_RANGES_VERSION_MAJOR_V2) {
		pr_err("blob ABI %u.%u is not supported (this kernel reads 1.x and 2.x)\n",
		       major, le16_to_cpu(hdr->minor));
		return -EPROTONOSUPPORT;
	}
	if (major == KHO_RANGES_VERSION_MAJOR_V2)
		min_hdr = sizeof(*hdr2);
	if (hdr_size < min_hdr || !IS_ALIGNED(hdr_size, 8) ||
	    range_size < sizeof(struct kho_ranges_blob_range) ||
	    !IS_ALIGNED(range_size, 8)) {
		pr_err("bad blob layout: header %u bytes, records %u bytes\n",
		       hdr_size, range_size);
		return -EINVAL;
	}
	if (hdr_size > blob_size) {
		pr_err("blob of %zu bytes is shorter than its %u-byte header\n",
		       blob_size, hdr_size);
		return -EMSGSIZE;
	}
	if (major == KHO_RANGES_VERSION_MAJOR_V2) {
		nr_bm = le64_to_cpu(hdr2->nr_bitmaps);
		bm_size = le32_to_cpu(hdr2->bitmap_size);
		if (bm_size < sizeof(struct kho_ranges_blob_bitmap) ||
		    !IS_ALIGNED(bm_size, 8)) {
			pr_err("bad blob layout: bitmap records %u bytes\n",
			       bm_size);
			return -EINVAL;
		}
	}
	if (le32_to_cpu(hdr->page_shift) != PAGE_SHIFT) {
		pr_err("blob written with PAGE_SHIFT %u, this kernel has %u\n",
		       le32_to_cpu(hdr->page_shift), PAGE_SHIFT);
		return -EOPNOTSUPP;
	}
	if (flags & KHO_RANGES_BLOB_INCOMPAT_MASK &
	    ~KHO_RANGES_BLOB_INCOMPAT_KNOWN) {
		pr_err("blob has unknown incompatible flags %#x\n",
		       flags & KHO_RANGES_BLOB_INCOMPAT_MASK &
		       ~KHO_RANGES_BLOB_INCOMPAT_KNOWN);
		return -EOPNOTSUPP;
	}
	/* 1.x: the records are the payload; 2.x: words follow the records */
	if (check_mul_overflow(nr, (u64)range_size, &bytes) ||
	    check_mul_overflow(nr_bm, (u64)bm_size, &bm_bytes) ||
	    check_add_overflow(bytes, bm_bytes, &bytes) ||
	    (major == KHO_RANGES_VERSION_MAJOR ? bytes != payload :
	     bytes > payload || !IS_ALIGNED(payload - bytes, 8)) ||
	    payload > blob_size - hdr_size) {
		pr_err("blob sizes do not add up: %llu+%llu records of %u+%u bytes, payload %llu, blob %zu\n",
		       nr, nr_bm, range_size, bm_size, payload, blob_size);
		return -EMSGSIZE;
	}

	kho_ranges_phase_end(KHO_RANGES_PHASE_HDR);
	want = le32_to_cpu(hdr->crc);
	if (flags & KHO_RANGES_BLOB_XXH64)
		want |= (u64)le32_to_cpu(hdr->reserved) << 32;
	sum = kho_ranges_blob_checksum(hdr, hdr_size + payload, flags);
	if (sum != want) {
		pr_err("blob %s %#llx, expected %#llx\n",
		       flags & KHO_RANGES_BLOB_XXH64 ? "xxh64" : "crc32",
		       sum, want);
		return -EBADMSG;
	}
	kho_ranges_phase_end(KHO_RANGES_PHASE_CSUM);

	in->blob = blob;
	in->blob_len = hdr_size + payload;
	in->records = (const u8 *)blob + hdr_size;
	in->range_size = range_size;
	in->nr_ranges = nr;
	in->bitmaps = nr_bm ? in->records + nr * range_size : NULL;
	in->bitmap_size = bm_size;
	in->nr_bitmaps = nr_bm;
	return 0;
}

/*
 * Set by a caller that wants the time of each step, for the duration of its
 * call (see struct kho_ranges_phase_times); NULL otherwise.
 */
struct kho_ranges_phase_times *kho_ranges_phase_times;

/* does [@start, @start + @size) fit in this kernel's phys_addr_t? */
static bool kho_ranges_reachable(u64 start, u64 size)
{
	return start + size >= start && start == (phys_addr_t)start &&
	       start + size - 1 == (phys_addr_t)(start + size - 1);
}

/*
 * Each bitmap record on its own: its window aligned, inside the address
 * space, at most KHO_RANGES_BITMAP_MAX_BITS folios, its words where the
 * previous record's end, no bit set past the window and at least one set;
 * the windows sorted and apart.
 */
static int __init kho_ranges_check_bitmaps(const struct kho_ranges_incoming *in)
{
	u64 words = (in->records - (const u8 *)in->blob) +
		    (u64)in->nr_ranges * in->range_size +
		    (u64)in->nr_bitmaps * in->bitmap_size;
	u64 prev_end = 0;
	unsigned long i;

	for (i = 0; i < in->nr_bitmaps; i++) {
		const struct kho_ranges_blob_bitmap *bm = kho_ranges_bm(in, i);
		u64 start = get_unaligned_le64(&bm->start);
		u64 off = get_unaligned_le64(&bm->words);
		u32 info = get_unaligned_le32(&bm->info);
		u32 nr = get_unaligned_le32(&bm->nr_bits);
		unsigned int order = kho_ranges_info_order(info);
		u64 len = DIV_ROUND_UP((u64)nr, 64) * sizeof(u64);

		if (!nr || nr > KHO_RANGES_BITMAP_MAX_BITS ||
		    order > KHO_RANGES_MAX_ORDER ||
		    !IS_ALIGNED(start, PAGE_SIZE << order) ||
		    !kho_ranges_reachable(start, (u64)nr << (PAGE_SHIFT + order))) {
			pr_err("bitmap record %lu (%#llx, %u folios, info %#x) is malformed\n",
			       i, start, nr, info);
			return -EINVAL;
		}
		if (off != words || len > in->blob_len - off) {
			pr_err("bitmap record %lu has its words at %#llx, not at %#llx inside the blob\n",
			       i, off, words);
			return -EMSGSIZE;
		}
		if (i && start < prev_end) {
			pr_err("bitmap record %lu at %#llx %s the one before it\n",
			       i, start, start < get_unaligned_le64(&kho_ranges_bm(in, i - 1)->start) ?
			       "is not sorted after" : "overlaps");
			return -EINVAL;
		}
		if (kho_ranges_bm_find(in, bm, 0, true) == nr) {
			pr_err("bitmap record %lu at %#llx has no bit set\n",
			       i, start);
			return -EINVAL;
		}
		if (nr % 64 &&
		    get_unaligned_le64((const u8 *)in->blob + off + len - 8) >>
		    (nr % 64)) {
			pr_err("bitmap record %lu at %#llx has bits set past its %u folios\n",
			       i, start, nr);
			return -EINVAL;
		}
		prev_end = start + ((u64)nr << (PAGE_SHIFT + order));
		words += len;
	}
	if (words != in->blob_len) {
		pr_err("blob has %llu bytes after the last bitmap's words\n",
		       in->blob_len - words);
		return -EMSGSIZE;
	}
	return 0;
}

/*
 * What kho_ranges_validate() has learnt from the extents so far: where the
 * last one ended, how far the blob is preserved from its start, the
 * region of memblock.memory the last one lay in (@mr; [@mem_lo, @mem_hi),
 * empty before the first), the totals, and the info words of the range
 * records or'ed together.
 */
struct kho_ranges_check {
	u64 prev_end;
	u64 covered;
	u64 mem_lo;
	u64 mem_hi;
	const struct memblock_region *mr;
	unsigned long nr_pages;
	unsigned long nr_folios;
	unsigned long nr_unknown;
	u32 info_seen;
};

/*
 * Is [@start, @end) inside one region of memblock.memory, as
 * memblock_is_region_memory() says? For extents that come in address
 * order, once the quick test against the region of the last one failed:
 * st->mr is where the search stopped last time and only moves up.
 */
static noinline bool __init kho_ranges_in_memory(struct kho_ranges_check *st,
						 u64 start, u64 end)
{
	const struct memblock_region *last = memblock.memory.regions +
					     memblock.memory.cnt;
	const struct memblock_region *r = st->mr;

	while (r < last && r->base + r->size <= start)
		r++;
	st->mr = r;
	if (r == last || r->base > start || end > r->base + r->size)
		return false;
	st->mem_lo = r->base;
	st->mem_hi = r->base + r->size;
	return true;
}

static bool kho_ranges_info_unknown(u32 info)
{
	return info & KHO_RANGES_INFO_INCOMPAT_MASK &
	       ~KHO_RANGES_INFO_KNOWN_INCOMPAT;
}

/*
 * Extent [@start, @end) of info word @info after the one that ended at
 * *@prev_end: in order, and inside the memory region [*@mem_lo, *@mem_hi)
 * of the one before or another one found from @st (which the bounds then
 * become); it moves *@covered, the end of what preserves the blob from its
 * start. The callers keep these in local variables across their loops.
 */
static __always_inline int kho_ranges_check_extent(struct kho_ranges_check *st,
						   u64 start, u64 end, u32 info,
						   u64 *prev_end, u64 *covered,
						   u64 *mem_lo, u64 *mem_hi)
{
	if (unlikely(start < *prev_end)) {
		pr_err("%#llx+%#llx (info %#x) overlaps or is not sorted after what comes before it\n",
		       start, end - start, info);
		return -EINVAL;
	}
	if (unlikely(start < *mem_lo || end > *mem_hi)) {
		if (!kho_ranges_in_memory(st, start, end)) {
			pr_err("preserved %#llx+%#llx is outside memory\n",
			       start, end - start);
			return -ERANGE;
		}
		*mem_lo = st->mem_lo;
		*mem_hi = st->mem_hi;
	}
	if (unlikely(start <= *covered) && end > *covered)
		*covered = end;
	*prev_end = end;
	return 0;
}

/*
 * The range records from *@r on that come before the next bitmap run, the
 * one at @limit (U64_MAX when none is left): those that start at or below
 * it, each well formed, after the extent before it and in memory. This
 * loop is most of the work of a blob of range records, so its state lives
 * in local variables, and info words with unknown flags are only noted
 * here (@info_seen) and counted once at the end.
 */
static int __init kho_ranges_check_ranges(const struct kho_ranges_incoming *in,
					  struct kho_ranges_check *st,
					  unsigned long *r, u64 limit)
{
	const u32 stride = in->range_size;
	const u8 *rec = in->records + *r * stride;
	const u8 *last = in->records + in->nr_ranges * stride;
	u64 prev_end = st->prev_end, covered = st->covered;
	u64 mem_lo = st->mem_lo, mem_hi = st->mem_hi;
	unsigned long pages = 0, folios = 0;
	u32 seen = 0, nr, info;
	u64 start, end;
	int ret = 0;

	for (; rec < last; rec += stride) {
		start = get_unaligned_le64(rec);
		if (start > limit)
			break;
		nr = get_unaligned_le32(rec + 8);
		info = get_unaligned_le32(rec + 12);
		end = start + ((u64)nr << PAGE_SHIFT);
		/* empty or wrapping, misaligned for its order, out of reach */
		if (unlikely(kho_ranges_info_order(info) > KHO_RANGES_MAX_ORDER ||
			     end <= start ||
			     ((start | end) &
			      ((PAGE_SIZE << kho_ranges_info_order(info)) - 1)) ||
			     !kho_ranges_reachable(start, end - start))) {
			pr_err("record %lu (%#llx+%#llx, info %#x) is malformed\n",
			       (unsigned long)((rec - in->records) / stride),
			       start, (u64)nr << PAGE_SHIFT, info);
			ret = -EINVAL;
			break;
		}
		ret = kho_ranges_check_extent(st, start, end, info, &prev_end,
					      &covered, &mem_lo, &mem_hi);
		if (ret)
			break;
		seen |= info;
		pages += nr;
		folios += nr >> kho_ranges_info_order(info);
	}
	*r = (rec - in->records) / stride;
	st->prev_end = prev_end;
	st->covered = covered;
	st->mem_lo = mem_lo;
	st->mem_hi = mem_hi;
	st->nr_pages += pages;
	st->nr_folios += folios;
	st->info_seen |= seen;
	return ret;
}

/*
 * @n runs of one bitmap record, with info word @info and folios of 1 <<
 * @shift bytes: each after the extent before it, and in memory. Their
 * alignment and reach follow from the record's, checked before.
 */
static int __init kho_ranges_check_runs(struct kho_ranges_check *st,
					const struct memblock_bulk_range *run,
					unsigned int n, u32 info,
					unsigned int shift)
{
	u64 prev_end = st->prev_end, covered = st->covered;
	u64 mem_lo = st->mem_lo, mem_hi = st->mem_hi;
	unsigned long pages = 0, folios = 0;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		u64 start = run[i].base, end = start + run[i].size;

		ret = kho_ranges_check_extent(st, start, end, info, &prev_end,
					      &covered, &mem_lo, &mem_hi);
		if (ret)
			break;
		pages += (end - start) >> PAGE_SHIFT;
		folios += (end - start) >> shift;
	}
	st->prev_end = prev_end;
	st->covered = covered;
	st->nr_pages += pages;
	st->nr_folios += folios;
	if (kho_ranges_info_unknown(info))
		st->nr_unknown += i;
	return ret;
}

/* range records with info flags this kernel does not know, counted */
static unsigned long __init kho_ranges_count_unknown(const struct kho_ranges_incoming *in)
{
	unsigned long i, n = 0;

	for (i = 0; i < in->nr_ranges; i++)
		n += kho_ranges_info_unknown(get_unaligned_le32(in->records +
							       i * in->range_size + 12));
	return n;
}

/**
 * kho_ranges_validate() - check a blob left by the previous kernel
 * @in:        filled in on success
 * @blob_phys: physical address of the blob
 * @blob:      the blob, mapped
 * @blob_size: bytes mapped at @blob, as the root FDT gives them
 *
 * Reads the blob and nothing else; memblock is only consulted.
 *
 * Return: 0 if the blob can be reserved. Otherwise, after a pr_err() that
 * says what is wrong: -EINVAL for a bad magic, layout, misaligned, empty,
 * wrapping, unsorted or overlapping record, a bitmap record with bits past
 * its window or none set, or a blob that does not preserve itself;
 * -EPROTONOSUPPORT for an unknown major version; -EOPNOTSUPP for another
 * page size or unknown incompatible blob flags; -EMSGSIZE if the sizes in
 * the header do not fit the blob (truncation) or bitmap words are not where
 * they belong; -EBADMSG for a checksum mismatch; -ERANGE for a record, or
 * the blob, outside memory.
 */
int __init kho_ranges_validate(struct kho_ranges_incoming *in,
			       phys_addr_t blob_phys,
			       const void *blob, size_t blob_size)
{
	struct kho_ranges_check st = {
		.covered = blob_phys,
		.mr = memblock.memory.regions,
	};
	struct memblock_bulk_range runs[MEMBLOCK_BULK_BATCH];
	unsigned long r = 0, nr_runs = 0;
	struct kho_ranges_cursor c;
	unsigned int n, shift;
	u64 next;
	u32 info;
	int ret;

	memset(in, 0, sizeof(*in));
	if (!PAGE_ALIGNED(blob_phys) || blob_size < sizeof(struct kho_ranges_blob_hdr) ||
	    blob_phys + blob_size < blob_phys) {
		pr_err("blob at %#llx+%#zx is misaligned or too small\n",
		       (u64)blob_phys, blob_size);
		return -EINVAL;
	}
	if (!memblock_is_region_memory(blob_phys, blob_size)) {
		pr_err("blob at %#llx+%#zx is outside memory\n", (u64)blob_phys,
		       blob_size);
		return -ERANGE;
	}
	ret = kho_ranges_check_hdr(in, blob, blob_size);
	if (!ret)
		ret = kho_ranges_check_bitmaps(in);
	if (ret)
		goto out_invalid;
	in->blob_phys = blob_phys;

	/*
	 * Range records and bitmap runs in address order, checked as they
	 * come: the runs that start below the next range record, a batch at
	 * a time, then the range records up to the next run.
	 */
	kho_ranges_cursor_init(&c, in);
	for (;;) {
		next = r < in->nr_ranges ? kho_ranges_in_start(in, r) : U64_MAX;
		n = kho_ranges_cursor_runs(&c, runs, ARRAY_SIZE(runs), next,
					   &info, &shift);
		if (n) {
			ret = kho_ranges_check_runs(&st, runs, n, info, shift);
			if (ret)
				goto out_invalid;
			nr_runs += n;
			continue;
		}
		if (r == in->nr_ranges)
			break;
		ret = kho_ranges_check_ranges(in, &st, &r,
					      c.run ? c.run_start : U64_MAX);
		if (ret)
			goto out_invalid;
	}
	if (st.covered < blob_phys + blob_size) {
		pr_err("blob at %#llx does not preserve itself\n", (u64)blob_phys);
		ret = -EINVAL;
		goto out_invalid;
	}
	if (kho_ranges_info_unknown(st.info_seen))
		st.nr_unknown += kho_ranges_count_unknown(in);
	if (st.nr_unknown)
		pr_warn("%lu ranges have flags this kernel does not know: reserved, not restorable\n",
			st.nr_unknown);
	in->nr_extents = r + nr_runs;
	kho_ranges_phase_end(KHO_RANGES_PHASE_RECORDS);
	in->nr_pages = st.nr_pages;
	in->nr_folios = st.nr_folios;
	in->nr_unknown = st.nr_unknown;
	return 0;

out_invalid:
	memset(in, 0, sizeof(*in));
	return ret;
}

/* range record @rec as memblock_reserve_bulk() takes it */
static __always_inline void kho_ranges_rec_bulk(const u8 *rec,
						struct memblock_bulk_range *out)
{
	out->base = get_unaligned_le64(rec);
	out->size = (phys_addr_t)get_unaligned_le32(rec + 8) << PAGE_SHIFT;
}

/*
 * Range records from record @r on into @out: up to @n of them, as long as
 * they start at or below @limit. Returns how many.
 */
static __always_inline unsigned int
kho_ranges_fill_records(const struct kho_ranges_incoming *in, unsigned long r,
			struct memblock_bulk_range *out, unsigned int n,
			u64 limit)
{
	const u32 stride = in->range_size;
	const u8 *rec = in->records + r * stride;
	const u8 *last = in->records + in->nr_ranges * stride;
	unsigned int i;
	u64 start;

	for (i = 0; i < n && rec < last; i++, rec += stride) {
		start = get_unaligned_le64(rec);
		if (start > limit)
			break;
		kho_ranges_rec_bulk(rec, &out[i]);
	}
	return i;
}

/*
 * memblock_reserve_bulk() callback for a 1.x blob: extent @idx is record
 * @idx, and memblock asks for no more than there are, so the loop needs
 * neither kho_ranges_fill_records()'s bounds nor its limit (they cost 3-4%
 * of reserving scatter's and vmalloc's records).
 */
static void __init kho_ranges_bulk_fill(void *arg, unsigned long idx,
					struct memblock_bulk_range *out,
					unsigned int n)
{
	const struct kho_ranges_incoming *in = arg;
	const u8 *rec = in->records + idx * in->range_size;
	u32 stride = in->range_size;
	unsigned int i;

	for (i = 0; i < n; i++, rec += stride)
		kho_ranges_rec_bulk(rec, &out[i]);
}

/*
 * The same with bitmap records: memblock asks for the extents in order,
 * from 0 in each of its passes, so a cursor makes each O(1). The runs that
 * start below the next range record come a batch at a time, then the
 * range records up to the next run.
 */
static void __init kho_ranges_bulk_fill_run(void *arg, unsigned long idx,
					    struct memblock_bulk_range *out,
					    unsigned int n)
{
	struct kho_ranges_cursor *c = arg;
	const struct kho_ranges_incoming *in = c->in;
	unsigned int i = 0, k, shift;
	u64 next;
	u32 info;

	if (!idx)
		kho_ranges_cursor_init(c, in);
	while (i < n) {
		next = c->r < in->nr_ranges ? kho_ranges_in_start(in, c->r) :
					      U64_MAX;
		k = kho_ranges_cursor_runs(c, out + i, n - i, next, &info,
					   &shift);
		i += k;
		if (k)
			continue;
		if (c->r == in->nr_ranges)
			break;
		k = kho_ranges_fill_records(in, c->r, out + i, n - i,
					    c->run ? c->run_start : U64_MAX);
		i += k;
		c->r += k;
	}
	/* more asked for than the blob has: memblock skips empty ranges */
	for (; i < n; i++) {
		out[i].base = 0;
		out[i].size = 0;
	}
}

static int __init kho_ranges_reserve_one(u64 start, u64 size)
{
	int ret = memblock_reserve(start, size);

	return ret ?: memblock_reserved_mark_noinit(start, size);
}

/* the highest bit below @hi that is set (@set) or clear, or -1 */
static long __init kho_ranges_bits_rfind(const u8 *words, unsigned long hi,
					 bool set)
{
	while (hi) {
		u64 v = get_unaligned_le64(words + (hi - 1) / 64 * 8);
		unsigned int top = (hi - 1) % 64;

		if (!set)
			v = ~v;
		if (top < 63)
			v &= (1ULL << (top + 1)) - 1;
		if (v)
			return round_down(hi - 1, 64) +
			       ((u32)(v >> 32) ? 32 + __fls((u32)(v >> 32)) :
				__fls((u32)v));
		hi = round_down(hi - 1, 64);
	}
	return -1;
}

/* the runs of bitmap record @b, highest first, one memblock call each */
static int __init kho_ranges_reserve_bitmap_desc(const struct kho_ranges_incoming *in,
						 unsigned long b,
						 unsigned long *n)
{
	const struct kho_ranges_blob_bitmap *bm = kho_ranges_bm(in, b);
	const u8 *words = kho_ranges_bm_words(in, bm);
	u64 start = get_unaligned_le64(&bm->start);
	unsigned int shift = PAGE_SHIFT +
			     kho_ranges_info_order(get_unaligned_le32(&bm->info));
	unsigned long hi = get_unaligned_le32(&bm->nr_bits);
	long last, first;
	int ret = 0;

	while (!ret) {
		last = kho_ranges_bits_rfind(words, hi, true);
		if (last < 0)
			break;
		first = kho_ranges_bits_rfind(words, last, false) + 1;
		ret = kho_ranges_reserve_one(start + ((u64)first << shift),
					     (u64)(last + 1 - first) << shift);
		(*n)++;
		hi = first;
	}
	return ret;
}

/*
 * The highest page-aligned @size bytes that are free in memblock and that
 * no run of @in touches, or 0; at the top of their hole, as memblock places
 * its own allocations. Free memory and the runs both come in address order.
 */
static phys_addr_t __init kho_ranges_find_hole(const struct kho_ranges_incoming *in,
					       phys_addr_t size)
{
	phys_addr_t fstart, fend, lo, hi, best = 0;
	struct kho_ranges_cursor c;
	u64 start = 0, bytes = 0, i;
	bool have;
	u32 info;

	kho_ranges_cursor_init(&c, in);
	have = kho_ranges_cursor_next(&c, &start, &bytes, &info);
	for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &fstart, &fend,
				NULL) {
		lo = PAGE_ALIGN(fstart);
		while (lo && lo < fend) {
			while (have && start + bytes <= lo)
				have = kho_ranges_cursor_next(&c, &start,
							      &bytes, &info);
			hi = round_down(have && start < fend ? start : fend,
					PAGE_SIZE);
			if (hi > lo && hi - lo >= size)
				best = hi - size;
			if (!have || start >= fend)
				break;
			lo = PAGE_ALIGN(start + bytes);
		}
	}
	return best;
}

/*
 * Without usable spare room, memblock.reserved would grow on demand while
 * the runs are only partly reserved: into free memory that may hold runs
 * not reserved yet, and a later growth frees the old array, un-reserving
 * them. Move it first into a hole that no run touches, with room for every
 * run (a run can split a region in two). Best effort: without such a hole
 * it grows as before, with a warning.
 */
static void __init kho_ranges_reserved_to_hole(const struct kho_ranges_incoming *in)
{
	struct memblock_type *type = &memblock.reserved;
	unsigned long slots = type->cnt + 2 * in->nr_extents + 8;
	phys_addr_t size, hole;
	int ret;

	if (type->max - type->cnt >= 2 * in->nr_extents + 8)
		return;
	size = PAGE_ALIGN(slots * sizeof(struct memblock_region));
	hole = kho_ranges_find_hole(in, size);
	ret = hole ? memblock_reserve(hole, size) : -ENOSPC;
	if (!ret) {
		ret = memblock_reserved_move(hole, size);
		if (ret)
			memblock_phys_free(hole, size);
	}
	if (ret && ret != -EBUSY)
		pr_warn("no room for memblock.reserved away from %lu preserved runs (%d)\n",
			in->nr_extents, ret);
}

/**
 * kho_ranges_reserve() - reserve every range of a validated blob
 * @in:   a blob accepted by kho_ranges_validate()
 * @mode: order of the memblock calls
 *
 * Each range record and each run of set bits of a bitmap record becomes a
 * reserved, noinit memblock region: the memory is neither handed to the
 * page allocator nor has its struct pages initialised, until the owner
 * restores it. In the modes with one call per run, the range records come
 * in @mode's order and the bitmap runs after them, in the same order.
 *
 * Return: 0, or the error of the memblock call that failed. On failure the
 * runs reserved so far stay reserved (handing them to the page allocator
 * would be worse than leaking them), and the message says how many.
 */
int __init kho_ranges_reserve(const struct kho_ranges_incoming *in,
			      enum kho_ranges_reserve_mode mode)
{
	struct kho_ranges_cursor c;
	unsigned long n = 0, i;
	u64 start, size;
	u32 info;
	int ret;

	/*
	 * The blob first: growing memblock.reserved below allocates from
	 * memblock, and that must not land on the records being read.
	 */
	ret = memblock_reserve(in->blob_phys, in->blob_len);
	if (!ret && in->spare_size)
		ret = memblock_reserve(in->spare_phys, in->spare_size);
	if (ret) {
		pr_err("cannot reserve the blob itself (%d)\n", ret);
		return ret;
	}

	/*
	 * Then give memblock.reserved room for every run, so that it never
	 * allocates while preserved memory is only partly reserved. Once slab
	 * is up memblock grows from slab instead, which is safe.
	 */
	ret = in->spare_size ?
	      memblock_reserved_move(in->spare_phys, in->spare_size) : -ENOENT;
	if (ret && ret != -EBUSY && ret != -EINVAL && ret != -ENOENT)
		pr_warn("cannot move memblock.reserved into the spare room (%d)\n",
			ret);
	if (ret && ret != -EBUSY)
		kho_ranges_reserved_to_hole(in);
	ret = 0;
	kho_ranges_phase_end(KHO_RANGES_PHASE_MOVE);

	/* the runs are sorted and disjoint: validation checked that */
	if (mode == KHO_RANGES_RESERVE_BULK) {
		kho_ranges_cursor_init(&c, in);
		if (in->nr_bitmaps)
			ret = memblock_reserve_bulk(in->nr_extents,
						    kho_ranges_bulk_fill_run, &c,
						    MEMBLOCK_RSRV_NOINIT);
		else
			ret = memblock_reserve_bulk(in->nr_extents,
						    kho_ranges_bulk_fill,
						    (void *)in, MEMBLOCK_RSRV_NOINIT);
		if (!ret) {
			kho_ranges_phase_end(KHO_RANGES_PHASE_MERGE);
			return 0;
		}
		/*
		 * Nothing is reserved then (memblock could not place a bigger
		 * array outside the records' span): one call per run can
		 * still grow the array, so fall back rather than lose them.
		 */
		pr_warn("reserving %lu preserved ranges at once failed (%d); one by one instead\n",
			in->nr_extents, ret);
		mode = KHO_RANGES_RESERVE_DESCENDING;
		ret = 0;
	}

	for (n = 0; n < in->nr_ranges && !ret; n++) {
		i = mode == KHO_RANGES_RESERVE_DESCENDING ?
			in->nr_ranges - 1 - n : n;
		kho_ranges_rec(in, i, &start, &size, &info);
		ret = kho_ranges_reserve_one(start, size);
	}
	/* then the bitmap runs, in the same order */
	if (mode == KHO_RANGES_RESERVE_DESCENDING) {
		for (i = in->nr_bitmaps; i-- && !ret; )
			ret = kho_ranges_reserve_bitmap_desc(in, i, &n);
	} else {
		kho_ranges_cursor_init(&c, in);
		kho_ranges_cursor_seek_range(&c, in->nr_ranges);
		while (!ret && kho_ranges_cursor_next(&c, &start, &size, &info)) {
			ret = kho_ranges_reserve_one(start, size);
			n++;
		}
	}
	if (ret)
		pr_err("reserving preserved memory failed (%d) after %lu of %lu runs; those stay reserved\n",
		       ret, n - 1, in->nr_extents);
	else
		kho_ranges_phase_end(KHO_RANGES_PHASE_MERGE);
	return ret;
}

/**
 * kho_ranges_deserialize() - validate and reserve what the root FDT points at
 * @in:       filled in on success
 * @fdt_phys: physical address of the root FDT, from the boot protocol
 * @fdt_size: its size
 * @mode:     order of the memblock calls, see kho_ranges_reserve()
 *
 * For callers that can reach the FDT and the blob through phys_to_virt().
 *
 * Return: 0 on success, or the error of kho_ranges_fdt_parse(),
 * kho_ranges_validate() or kho_ranges_reserve(); -ERANGE if the FDT is not
 * in memory.
 */
int __init kho_ranges_deserialize(struct kho_ranges_incoming *in,
				  phys_addr_t fdt_phys,
				  size_t fdt_size,
				  enum kho_ranges_reserve_mode mode)
{
	phys_addr_t blob_phys;
	size_t blob_size;
	int ret;

	kho_ranges_phase_end(KHO_RANGES_PHASE_START);
	if (!fdt_size || !memblock_is_region_memory(fdt_phys, fdt_size)) {
		pr_err("root FDT at %#llx+%#zx is outside memory\n", (u64)fdt_phys,
		       fdt_size);
		return -ERANGE;
	}
	ret = kho_ranges_fdt_parse(phys_to_virt(fdt_phys), fdt_size,
				   &blob_phys, &blob_size);
	if (ret)
		return ret;
	if (!memblock_is_region_memory(blob_phys, blob_size)) {
		pr_err("blob at %#llx+%#zx is outside memory\n", (u64)blob_phys,
		       blob_size);
		return -ERANGE;
	}
	kho_ranges_phase_end(KHO_RANGES_PHASE_FDT);
	ret = kho_ranges_validate(in, blob_phys, phys_to_virt(blob_phys),
				  blob_size);
	if (ret)
		return ret;
	kho_ranges_find_spare(in, phys_to_virt(fdt_phys));
	return kho_ranges_reserve(in, mode);
}

/**
 * kho_ranges_search() - binary search of a validated blob's records
 * @in:      a validated blob
 * @bitmaps: search the bitmap records, not the range records
 * @phys:    physical address
 * @lo:      first record to consider
 * @hi:      one past the last
 *
 * Return: the first of records [@lo, @hi) that starts above @phys, or @hi;
 * the record before it, if any, is the only one that can hold @phys.
 */
unsigned long kho_ranges_search(const struct kho_ranges_incoming *in,
				bool bitmaps, phys_addr_t phys,
				unsigned long lo, unsigned long hi)
{
	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		u64 s = bitmaps ?
			get_unaligned_le64(&kho_ranges_in_bitmap(in, mid)->start) :
			kho_ranges_in_start(in, mid);

		if (s <= phys)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
EXPORT_SYMBOL_GPL(kho_ranges_search);

/* the folio of a bitmap record that holds @phys, if its bit is set */
static noinline int kho_ranges_lookup_bitmap(const struct kho_ranges_incoming *in,
				    phys_addr_t phys, phys_addr_t *start,
				    unsigned long *nr_pages, u32 *info)
{
	unsigned long lo, bit;
	const struct kho_ranges_blob_bitmap *bm;
	unsigned int shift;
	u64 s;
	u32 i_info;

	/* first window that starts after @phys */
	lo = kho_ranges_search(in, true, phys, 0, in->nr_bitmaps);
	if (!lo)
		return -ENOENT;
	bm = kho_ranges_bm(in, lo - 1);
	s = get_unaligned_le64(&bm->start);
	i_info = get_unaligned_le32(&bm->info);
	shift = PAGE_SHIFT + kho_ranges_info_order(i_info);
	bit = (phys - s) >> shift;
	if (bit >= get_unaligned_le32(&bm->nr_bits) ||
	    kho_ranges_bm_find(in, bm, bit, true) != bit)
		return -ENOENT;
	if (start)
		*start = s + ((u64)bit << shift);
	if (nr_pages)
		*nr_pages = 1UL << kho_ranges_info_order(i_info);
	if (info)
		*info = i_info;
	return 0;
}

/**
 * kho_ranges_lookup() - find the preserved range holding @phys
 * @in:       a validated blob
 * @phys:     physical address
 * @start:    if not NULL, set to the range's start
 * @nr_pages: if not NULL, set to the range's length in pages
 * @info:     if not NULL, set to the range's info word
 *
 * A binary search over the sorted range records, then over the bitmap
 * records. For memory a bitmap record holds, the range is the one folio
 * that holds @phys.
 *
 * Return: 0 if found, -ENOENT if @phys is not preserved.
 */
int kho_ranges_lookup(const struct kho_ranges_incoming *in, phys_addr_t phys,
		      phys_addr_t *start, unsigned long *nr_pages, u32 *info)
{
	unsigned long lo;
	u64 s, size;
	u32 i_info;

	/* first record that starts after @phys */
	lo = kho_ranges_search(in, false, phys, 0, in->nr_ranges);
	if (!lo)
		goto bitmaps;
	kho_ranges_rec(in, lo - 1, &s, &size, &i_info);
	if (phys - s >= size)
		goto bitmaps;
	if (start)
		*start = s;
	if (nr_pages)
		*nr_pages = size >> PAGE_SHIFT;
	if (info)
		*info = i_info;
	return 0;

bitmaps:
	if (!in->nr_bitmaps)
		return -ENOENT;
	return kho_ranges_lookup_bitmap(in, phys, start, nr_pages, info);
}
EXPORT_SYMBOL_GPL(kho_ranges_lookup);

/**
 * kho_ranges_walk_incoming() - call @fn for every run of preserved pages
 * @in:   a validated blob
 * @fn:   callback; a non-zero return stops the walk
 * @priv: passed to @fn
 *
 * In address order: each range record, and each run of set bits of a
 * bitmap record, as a pfn, a number of pages and an info word.
 *
 * Return: 0, or what @fn returned to stop the walk.
 */
int kho_ranges_walk_incoming(const struct kho_ranges_incoming *in,
			     kho_ranges_walk_fn fn, void *priv)
{
	struct kho_ranges_cursor c;
	u64 start, size;
	u32 info;
	int ret = 0;

	kho_ranges_cursor_init(&c, in);
	while (!ret && kho_ranges_cursor_next(&c, &start, &size, &info))
		ret = fn(priv, PHYS_PFN(start), size >> PAGE_SHIFT, info);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_ranges_walk_incoming);

struct kho_ranges_tag_walk {
	u16 tag;
	u64 start;
	unsigned long nr_pages;
};

static int kho_ranges_tag_one(void *priv, unsigned long pfn,
			      unsigned long nr_pages, u32 info)
{
	struct kho_ranges_tag_walk *t = priv;

	if (kho_ranges_info_tag(info) != t->tag)
		return 0;
	t->start = PFN_PHYS(pfn);
	t->nr_pages = nr_pages;
	return 1;
}

/**
 * kho_ranges_find_tag() - find the first preserved range with a caller tag
 * @in:       a validated blob
 * @tag:      the tag given when preserving
 * @start:    set to the range's start
 * @nr_pages: if not NULL, set to the range's length in pages
 *
 * How a driver finds its own metadata again: it preserves one block under a
 * tag no one else uses, and records everything else in it.
 *
 * Return: 0 if found, -ENOENT otherwise.
 */
int kho_ranges_find_tag(const struct kho_ranges_incoming *in, u16 tag,
			phys_addr_t *start, unsigned long *nr_pages)
{
	struct kho_ranges_tag_walk t = { .tag = tag };

	if (!kho_ranges_walk_incoming(in, kho_ranges_tag_one, &t))
		return -ENOENT;
	*start = t.start;
	if (nr_pages)
		*nr_pages = t.nr_pages;
	return 0;
}
EXPORT_SYMBOL_GPL(kho_ranges_find_tag);

static struct page *kho_ranges_restore(const struct kho_ranges_incoming *in,
				       phys_addr_t phys, bool folio,
				       unsigned int order)
{
	unsigned long i, nr;
	phys_addr_t start;
	struct page *page;
	u32 info;

	if (kho_ranges_lookup(in, phys, &start, NULL, &info)) {
		pr_warn("restore: %#llx is not preserved\n", (u64)phys);
		return NULL;
	}
	if (info & KHO_RANGES_INFO_INCOMPAT_MASK &
	    ~KHO_RANGES_INFO_KNOWN_INCOMPAT) {
		pr_warn("restore: %#llx has unknown flags %#x\n", (u64)phys, info);
		return NULL;
	}
	if (folio)
		order = kho_ranges_info_order(info);
	if (!!(info & KHO_RANGES_INFO_FOLIO) != folio ||
	    kho_ranges_info_order(info) != order ||
	    !IS_ALIGNED(phys - start, PAGE_SIZE << order)) {
		pr_warn("restore: %#llx is not the start of a preserved %s of order %u (info %#x)\n",
			(u64)phys, folio ? "folio" : "page block", order, info);
		return NULL;
	}

	nr = 1UL << order;
	page = pfn_to_page(PHYS_PFN(phys));
	set_page_count(page, 1);
	for (i = 1; i < nr; i++)
		set_page_count(page + i, 0);
	if (folio && order)
		prep_compound_page(page, order);
	adjust_managed_page_count(page, nr);
	return page;
}

/**
 * kho_ranges_restore_folio() - take back a folio preserved by the last kernel
 * @in:   a validated blob
 * @phys: physical address of the folio's first byte
 *
 * The order comes from the blob, as the previous kernel recorded it with
 * kho_ranges_preserve_folio().
 *
 * Return: the folio with a reference count of one, or NULL (with a warning)
 * if @phys is not the start of a preserved folio.
 */
struct folio *kho_ranges_restore_folio(const struct kho_ranges_incoming *in,
				       phys_addr_t phys)
{
	struct page *page = kho_ranges_restore(in, phys, true, 0);

	return page ? page_folio(page) : NULL;
}
EXPORT_SYMBOL_GPL(kho_ranges_restore_folio);

/**
 * kho_ranges_restore_pages() - take back a block preserved as plain pages
 * @in:    a validated blob
 * @phys:  physical address of the block's first byte
 * @order: order it was preserved with, 0 for a vmalloc() area's page
 *
 * Return: the first page, its count set to one as alloc_pages() leaves it,
 * or NULL (with a warning) if @phys does not start a block of @order that
 * was preserved with kho_ranges_preserve_pages() or as part of a page array.
 */
struct page *kho_ranges_restore_pages(const struct kho_ranges_incoming *in,
				      phys_addr_t phys, unsigned int order)
{
	if (order > KHO_RANGES_MAX_ORDER)
		return NULL;
	return kho_ranges_restore(in, phys, false, order);
}
EXPORT_SYMBOL_GPL(kho_ranges_restore_pages);

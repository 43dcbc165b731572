/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kho_ranges: Kexec HandOver of preserved memory as coalesced ranges.
 *
 * See Documentation/core-api/kho_ranges.rst.
 */
#ifndef _LINUX_KHO_RANGES_H
#define _LINUX_KHO_RANGES_H

#include <linux/types.h>
#include <linux/maple_tree.h>
#include <linux/mutex.h>
#include <linux/kho_ranges_abi.h>

struct page;
struct folio;

/**
 * struct kho_ranges - tracker of the memory this kernel preserves
 * @mt:        maple tree keyed by PFN; each entry covers one coalesced range
 *             and is xa_mk_value(info word).
 * @lock:      external lock of @mt; serializes all writers and the
 *             serializer. Preserve and unpreserve may sleep.
 * @nr_ranges: number of range entries in @mt.
 * @nr_pages:  number of preserved pages.
 * @nr_leaves: number of leaves in @mt: windows of pages whose folios are
 *             bits of a bitmap (mm/kho_ranges.c, "Leaves").
 * @nr_bitmap_leaves: how many of them are bitmaps; the others are run
 *             lists.
 * @leaf_bytes: memory of the leaves.
 * @leaf_words: u64 words of bitmap in the leaves.
 * @leaf_runs: runs in the run lists.
 * @leaf_folios: folios the leaves preserve.
 * @hint_leaf: the leaf the last preserve set bits in, or NULL: a shortcut
 *             past the tree for the next folio of its window.
 * @hint_ws:   first page frame of its window.
 * @leaf_index: a cache from window to leaf for preserve, or NULL: slot i
 *             holds a leaf of a window whose number is i modulo the
 *             slots, with the window numbers (u32) after the pointers
 *             (mm/kho_ranges.c, "The leaf index").
 * @leaf_index_bits: log2 of its slots (kho_ranges_leaf_index_bytes()).
 * @leaf_index_misses: walks of the tree that found a leaf since it last
 *             grew.
 * @hint_start: the range the last preserve stored: its first page frame,
 * @hint_end:  its last page frame,
 * @hint_stored: the last page frame of it that the tree has; preserves
 *             that grow the range only move @hint_end, and the next other
 *             use of the tree stores the rest (mm/kho_ranges.c),
 * @hint_info: its info word,
 * @hint_limit: and the first page frame of the entry after it; 0 when
 *             there is no such range to grow.
 * @crc32_blob: checksum the blob with crc32, as ABI 1.0 and 2.0 readers
 *             expect, instead of xxh64 (%KHO_RANGES_BLOB_XXH64): for a
 *             next kernel older than that flag. Set before serializing.
 * @finalized: a blob has been serialized; the tracker is frozen until
 *             kho_ranges_abort().
 * @blob_phys: physical address of the serialized blob.
 * @blob_size: bytes of the blob in use (header + records).
 * @blob_major: ABI major version the blob was written with.
 * @blob_alloc: bytes allocated for the blob (whole pages).
 * @spare_phys: physical address of the spare room, inside the blob
 *             allocation after the records.
 * @spare_size: its size.
 * @fdt_phys:  physical address of the root FDT.
 * @fdt_size:  size of the root FDT allocation.
 */
struct kho_ranges {
	struct maple_tree mt;
	struct mutex lock;
	unsigned long nr_ranges;
	unsigned long nr_pages;
	unsigned long nr_leaves;
	unsigned long nr_bitmap_leaves;
	unsigned long leaf_bytes;
	unsigned long leaf_words;
	unsigned long leaf_runs;
	unsigned long leaf_folios;
	void *hint_leaf;
	unsigned long hint_ws;
	void **leaf_index;
	unsigned int leaf_index_bits;
	unsigned long leaf_index_misses;
	unsigned long hint_start;
	unsigned long hint_end;
	unsigned long hint_stored;
	u32 hint_info;
	unsigned long hint_limit;
	bool crc32_blob;
	bool finalized;
	phys_addr_t blob_phys;
	size_t blob_size;
	u16 blob_major;
	size_t blob_alloc;
	phys_addr_t spare_phys;
	size_t spare_size;
	phys_addr_t fdt_phys;
	size_t fdt_size;
};

/* a slot of the leaf index: a leaf pointer and its window's number */
#define KHO_RANGES_INDEX_SLOT	(sizeof(void *) + sizeof(u32))

/* memory of @kr's leaf index */
static inline size_t kho_ranges_leaf_index_bytes(const struct kho_ranges *kr)
{
	return kr->leaf_index ? KHO_RANGES_INDEX_SLOT << kr->leaf_index_bits : 0;
}

void kho_ranges_init(struct kho_ranges *kr);
void kho_ranges_destroy(struct kho_ranges *kr);

int kho_ranges_preserve(struct kho_ranges *kr, unsigned long pfn,
			unsigned long nr_pages, u32 info);
int kho_ranges_unpreserve(struct kho_ranges *kr, unsigned long pfn,
			  unsigned long nr_pages);

int kho_ranges_preserve_folio(struct kho_ranges *kr, struct folio *folio,
			      u16 tag);
int kho_ranges_unpreserve_folio(struct kho_ranges *kr, struct folio *folio);
int kho_ranges_preserve_pages(struct kho_ranges *kr, struct page *page,
			      unsigned int order, u16 tag);
int kho_ranges_unpreserve_pages(struct kho_ranges *kr, struct page *page,
				unsigned int order);
int kho_ranges_preserve_page_array(struct kho_ranges *kr, struct page **pages,
				   unsigned int nr_pages, u16 tag);
int kho_ranges_unpreserve_page_array(struct kho_ranges *kr,
				     struct page **pages,
				     unsigned int nr_pages);

typedef int (*kho_ranges_walk_fn)(void *priv, unsigned long pfn,
				  unsigned long nr_pages, u32 info);
int kho_ranges_walk(struct kho_ranges *kr, kho_ranges_walk_fn fn, void *priv);

bool kho_ranges_find_overlap(struct kho_ranges *kr, phys_addr_t start,
			     phys_addr_t end, phys_addr_t *first,
			     phys_addr_t *last);

size_t kho_ranges_blob_size(unsigned long nr_records);
u64 kho_ranges_blob_checksum(const void *blob, size_t len, u32 flags);
int kho_ranges_serialize(struct kho_ranges *kr);
void kho_ranges_abort(struct kho_ranges *kr);

/*
 * Next kernel side.
 */

/**
 * enum kho_ranges_reserve_mode - how the deserializer feeds memblock
 * @KHO_RANGES_RESERVE_ASCENDING:  one memblock_reserve() per record, lowest
 *                                 address first.
 * @KHO_RANGES_RESERVE_DESCENDING: one memblock_reserve() per record, highest
 *                                 address first; memblock inserts at the
 *                                 front of its array then, which is cheaper
 *                                 when the records do not merge.
 * @KHO_RANGES_RESERVE_BULK:       all records in one memblock_reserve_bulk()
 *                                 call that merges the sorted array into
 *                                 memblock.reserved in a single pass and
 *                                 sets the noinit flag as it goes: linear
 *                                 in the number of records instead of
 *                                 quadratic.
 */
enum kho_ranges_reserve_mode {
	KHO_RANGES_RESERVE_ASCENDING,
	KHO_RANGES_RESERVE_DESCENDING,
	KHO_RANGES_RESERVE_BULK,
};

/**
 * struct kho_ranges_incoming - a validated blob left by the previous kernel
 * @blob_phys:   physical address of the blob.
 * @blob:        the blob, mapped.
 * @blob_len:    bytes of the blob in use: header and payload.
 * @records:     first range record, mapped.
 * @range_size:  stride of the range records.
 * @nr_ranges:   number of range records.
 * @bitmaps:     first bitmap record, mapped (major 2; NULL in a 1.x blob).
 * @bitmap_size: stride of the bitmap records.
 * @nr_bitmaps:  number of bitmap records.
 * @nr_extents:  runs of preserved pages the records make: one per range
 *               record and one per run of set bits in a bitmap record; what
 *               memblock gets.
 * @nr_pages:    pages the records cover.
 * @nr_folios:   folios (or page blocks) the records cover.
 * @nr_unknown:  records with incompat info flags this kernel does not know;
 *               they are reserved but cannot be restored.
 * @spare_phys:  spare room memblock.reserved may move into, or 0.
 * @spare_size:  its size.
 */
struct kho_ranges_incoming {
	phys_addr_t blob_phys;
	const void *blob;
	size_t blob_len;
	const u8 *records;
	u32 range_size;
	unsigned long nr_ranges;
	const u8 *bitmaps;
	u32 bitmap_size;
	unsigned long nr_bitmaps;
	unsigned long nr_extents;
	unsigned long nr_pages;
	unsigned long nr_folios;
	unsigned long nr_unknown;
	phys_addr_t spare_phys;
	size_t spare_size;
};

/**
 * enum kho_ranges_phase - the steps of kho_ranges_deserialize(), in order
 * @KHO_RANGES_PHASE_START:   entry of kho_ranges_deserialize().
 * @KHO_RANGES_PHASE_FDT:     root FDT checked and parsed, blob found.
 * @KHO_RANGES_PHASE_HDR:     blob header and sizes checked against the
 *                            bounds.
 * @KHO_RANGES_PHASE_CSUM:    checksum of header and payload.
 * @KHO_RANGES_PHASE_RECORDS: every record checked (order, alignment,
 *                            sorting, memory), bitmap records included.
 * @KHO_RANGES_PHASE_MOVE:    blob and spare room reserved, spare room
 *                            found in the FDT, memblock.reserved moved into
 *                            it (memblock_reserved_move()).
 * @KHO_RANGES_PHASE_MERGE:   every run reserved: memblock_reserve_bulk(),
 *                            which sets the noinit flag in the same pass,
 *                            or one memblock_reserve() and
 *                            memblock_reserved_mark_noinit() per run.
 * @KHO_RANGES_NR_PHASES:     number of timestamps.
 */
enum kho_ranges_phase {
	KHO_RANGES_PHASE_START,
	KHO_RANGES_PHASE_FDT,
	KHO_RANGES_PHASE_HDR,
	KHO_RANGES_PHASE_CSUM,
	KHO_RANGES_PHASE_RECORDS,
	KHO_RANGES_PHASE_MOVE,
	KHO_RANGES_PHASE_MERGE,
	KHO_RANGES_NR_PHASES,
};

/**
 * struct kho_ranges_phase_times - when each step of a deserialize ended
 * @clock: read at the end of each phase; its unit is the caller's.
 * @t:     the readings, indexed by &enum kho_ranges_phase; phase P took
 *         t[P] - t[P - 1]. A step that did not run (an error before it)
 *         leaves its slot alone.
 *
 * A caller that wants the breakdown points kho_ranges_phase_times at one
 * of these for the duration of its call; the deserializer itself never
 * reads a clock.
 */
struct kho_ranges_phase_times {
	u64 (*clock)(void);
	u64 t[KHO_RANGES_NR_PHASES];
};

extern struct kho_ranges_phase_times *kho_ranges_phase_times;

static inline void kho_ranges_phase_end(enum kho_ranges_phase phase)
{
	struct kho_ranges_phase_times *pt = kho_ranges_phase_times;

	if (pt)
		pt->t[phase] = pt->clock();
}

unsigned long kho_ranges_search(const struct kho_ranges_incoming *in,
				bool bitmaps, phys_addr_t phys,
				unsigned long lo, unsigned long hi);

int kho_ranges_fdt_parse(const void *fdt, size_t fdt_size,
			 phys_addr_t *blob_phys, size_t *blob_size);
int kho_ranges_validate(struct kho_ranges_incoming *in, phys_addr_t blob_phys,
			const void *blob, size_t blob_size);
int kho_ranges_reserve(const struct kho_ranges_incoming *in,
		       enum kho_ranges_reserve_mode mode);
int kho_ranges_deserialize(struct kho_ranges_incoming *in, phys_addr_t fdt_phys,
			   size_t fdt_size, enum kho_ranges_reserve_mode mode);

int kho_ranges_lookup(const struct kho_ranges_incoming *in, phys_addr_t phys,
		      phys_addr_t *start, unsigned long *nr_pages, u32 *info);
int kho_ranges_walk_incoming(const struct kho_ranges_incoming *in,
			     kho_ranges_walk_fn fn, void *priv);
int kho_ranges_find_tag(const struct kho_ranges_incoming *in, u16 tag,
			phys_addr_t *start, unsigned long *nr_pages);
struct folio *kho_ranges_restore_folio(const struct kho_ranges_incoming *in,
				       phys_addr_t phys);
struct page *kho_ranges_restore_pages(const struct kho_ranges_incoming *in,
				      phys_addr_t phys, unsigned int order);

/* the running kernel's tracker, and what the previous kernel handed over */
extern struct kho_ranges kho_ranges_kernel;
extern struct kho_ranges_incoming kho_ranges_incoming;

#ifdef CONFIG_KHO_RANGES
void kho_ranges_set_fdt(phys_addr_t phys, size_t size);
void kho_ranges_boot_reserve(void);
bool kho_ranges_kexec_conflict(unsigned long start, unsigned long end,
			       unsigned long *first, unsigned long *last);
int kho_ranges_kexec_fdt(phys_addr_t *phys, size_t *size);
u64 kho_ranges_cycles_to_ns(u64 cycles);
#else
static inline void kho_ranges_set_fdt(phys_addr_t phys, size_t size) { }
static inline void kho_ranges_boot_reserve(void) { }
static inline bool kho_ranges_kexec_conflict(unsigned long start,
					     unsigned long end,
					     unsigned long *first,
					     unsigned long *last)
{
	return false;
}

static inline int kho_ranges_kexec_fdt(phys_addr_t *phys, size_t *size)
{
	return -ENOENT;
}

static inline u64 kho_ranges_cycles_to_ns(u64 cycles)
{
	return 0;
}
#endif

#endif /* _LINUX_KHO_RANGES_H */

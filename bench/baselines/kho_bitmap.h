/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The baseline kho_ranges is measured against: Kexec HandOver's tracker of
 * preserved memory as first merged (Linux 6.16), an xarray of bitmaps per
 * folio order, written for this benchmark from its description.
 *
 * The handover format, the bytes one kernel leaves for the next, is a
 * singly linked list of page-sized chunks; each chunk lists bitmaps of one
 * order, which are referenced in place, not copied. A root FDT property
 * holds the physical address of the first chunk.
 */
#ifndef _BENCH_KHO_BITMAP_H
#define _BENCH_KHO_BITMAP_H

#include <linux/types.h>
#include <linux/xarray.h>

/* bits per bitmap: 512 bytes in 6.16, a whole page from 6.18 on */
#define KHO_BITMAP_BITS_6_16	4096
#define KHO_BITMAP_BITS_6_18	(PAGE_SIZE * 8)

#define KHO_BITMAP_FDT_COMPATIBLE	"kho-v1"
#define KHO_BITMAP_FDT_PROP_MEM_MAP	"preserved-memory-map"

/**
 * struct kho_bitmap_chunk_hdr - header of one chunk of the handover list
 * @next:    physical address of the next chunk, 0 at the end
 * @order:   folio order of every bitmap in this chunk
 * @nr_elms: number of elements that follow
 */
struct kho_bitmap_chunk_hdr {
	u64 next;
	u32 order;
	u32 nr_elms;
};

/**
 * struct kho_bitmap_elm - one bitmap of the handover list
 * @phys_start: physical address that bit 0 of the bitmap stands for
 * @bitmap:     physical address of the bitmap
 */
struct kho_bitmap_elm {
	u64 phys_start;
	u64 bitmap;
};

#define KHO_BITMAP_CHUNK_ELMS						\
	((PAGE_SIZE - sizeof(struct kho_bitmap_chunk_hdr)) /		\
	 sizeof(struct kho_bitmap_elm))

/**
 * struct kho_bitmap_chunk - one page of the handover list
 * @hdr:  the header
 * @elms: the bitmaps, 255 with 4 KiB pages
 */
struct kho_bitmap_chunk {
	struct kho_bitmap_chunk_hdr hdr;
	struct kho_bitmap_elm elms[KHO_BITMAP_CHUNK_ELMS];
};

/**
 * struct kho_bitmap - the tracker of the previous kernel
 * @orders:      order -> struct kho_bitmap_order
 * @bits:        bits per bitmap (PRESERVE_BITS)
 * @carve_phys:  page the next bitmap is carved from, 0 for none
 * @carve_off:   offset of the next bitmap in it
 * @pages:       first page holding bitmaps; a list through page->private
 * @nr_bitmaps:  bitmaps allocated
 * @nr_orders:   orders that have their own xarray
 * @nr_folios:   folios preserved
 * @first_chunk: physical address of the first chunk once serialized
 * @nr_chunks:   chunks written
 * @fdt_phys:    physical address of the root FDT once serialized
 * @fdt_size:    its size
 */
struct kho_bitmap {
	struct xarray orders;
	unsigned int bits;
	phys_addr_t carve_phys;
	size_t carve_off;
	phys_addr_t pages;
	unsigned long nr_bitmaps;
	unsigned long nr_orders;
	unsigned long nr_folios;
	phys_addr_t first_chunk;
	unsigned long nr_chunks;
	phys_addr_t fdt_phys;
	size_t fdt_size;
};

void kho_bitmap_init(struct kho_bitmap *kb, unsigned int bits);
void kho_bitmap_destroy(struct kho_bitmap *kb);
int kho_bitmap_preserve(struct kho_bitmap *kb, unsigned long pfn,
			unsigned int order);
int kho_bitmap_unpreserve(struct kho_bitmap *kb, unsigned long pfn,
			  unsigned int order);
size_t kho_bitmap_struct_bytes(const struct kho_bitmap *kb);

int kho_bitmap_serialize(struct kho_bitmap *kb);
void kho_bitmap_abort(struct kho_bitmap *kb);
size_t kho_bitmap_handover_bytes(const struct kho_bitmap *kb);

/* next kernel side */
struct kho_baseline_stats;
int kho_bitmap_deserialize(phys_addr_t fdt_phys, size_t fdt_size,
			   unsigned int bits, unsigned int how,
			   struct kho_baseline_stats *st);
unsigned int kho_bitmap_restore_order(unsigned long pfn);
u64 kho_bitmap_read_all(phys_addr_t fdt_phys, size_t fdt_size,
			unsigned int bits);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Upstream Kexec HandOver's driver API, on top of kho_ranges.
 *
 * The function names and signatures of <linux/kexec_handover.h> of Linux
 * 6.18, so that a driver written for KHO builds unchanged against a kernel
 * with kho_ranges (CONFIG_KHO_RANGES_COMPAT). Everything a driver preserves
 * goes into the kernel's kho_ranges tracker and comes back from what the
 * previous kernel handed over; see mm/kho_ranges_compat.c and
 * Documentation/core-api/kho_ranges.rst, "Upstream KHO's names".
 */
#ifndef _LINUX_KEXEC_HANDOVER_H
#define _LINUX_KEXEC_HANDOVER_H

#include <linux/types.h>
#include <linux/errno.h>

struct folio;
struct page;

/*
 * A pointer in preserved memory, stored as the physical address the next
 * kernel can map again.
 */
#define DECLARE_KHOSER_PTR(name, type)	\
	union {				\
		phys_addr_t phys;	\
		type ptr;		\
	} name

#define KHOSER_STORE_PTR(dest, val)				\
	({							\
		typeof((dest).ptr) __kho_p = (val);		\
		(dest).phys = virt_to_phys(__kho_p);		\
	})

#define KHOSER_LOAD_PTR(src)						\
	({								\
		typeof(src) __kho_s = (src);				\
		(typeof(__kho_s.ptr))(__kho_s.phys ?			\
				      phys_to_virt(__kho_s.phys) : NULL); \
	})

/**
 * struct kho_vmalloc - what a driver keeps to restore a vmalloc() area
 * @handle:      the kho_ranges_preserve_vmalloc() handle
 * @total_pages: pages of the area
 * @flags:       non-zero if the area was mapped with huge pages
 * @order:       page order of its mapping
 *
 * The driver stores it in memory it preserves, as it is; 16 bytes, the
 * size of upstream's.
 */
struct kho_vmalloc {
	u64 handle;
	unsigned int total_pages;
	unsigned short flags;
	unsigned short order;
};

#ifdef CONFIG_KHO_RANGES_COMPAT
bool kho_is_enabled(void);
bool is_kho_boot(void);

int kho_preserve_folio(struct folio *folio);
int kho_unpreserve_folio(struct folio *folio);
int kho_preserve_pages(struct page *page, unsigned int nr_pages);
int kho_unpreserve_pages(struct page *page, unsigned int nr_pages);
int kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *preservation);
void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation);
struct folio *kho_restore_folio(phys_addr_t phys);
struct page *kho_restore_pages(phys_addr_t phys, unsigned int nr_pages);
void *kho_restore_vmalloc(const struct kho_vmalloc *preservation);

int kho_add_subtree(const char *name, void *fdt);
void kho_remove_subtree(void *fdt);
int kho_retrieve_subtree(const char *name, phys_addr_t *phys);
#else
static inline bool kho_is_enabled(void)
{
	return false;
}

static inline bool is_kho_boot(void)
{
	return false;
}

static inline int kho_preserve_folio(struct folio *folio)
{
	return -EOPNOTSUPP;
}

static inline int kho_unpreserve_folio(struct folio *folio)
{
	return -EOPNOTSUPP;
}

static inline int kho_preserve_pages(struct page *page, unsigned int nr_pages)
{
	return -EOPNOTSUPP;
}

static inline int kho_unpreserve_pages(struct page *page,
				       unsigned int nr_pages)
{
	return -EOPNOTSUPP;
}

static inline int kho_preserve_vmalloc(void *ptr,
				       struct kho_vmalloc *preservation)
{
	return -EOPNOTSUPP;
}

static inline void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation)
{
}

static inline struct folio *kho_restore_folio(phys_addr_t phys)
{
	return NULL;
}

static inline struct page *kho_restore_pages(phys_addr_t phys,
					     unsigned int nr_pages)
{
	return NULL;
}

static inline void *kho_restore_vmalloc(const struct kho_vmalloc *preservation)
{
	return NULL;
}

static inline int kho_add_subtree(const char *name, void *fdt)
{
	return -EOPNOTSUPP;
}

static inline void kho_remove_subtree(void *fdt)
{
}

static inline int kho_retrieve_subtree(const char *name, phys_addr_t *phys)
{
	return -EOPNOTSUPP;
}
#endif /* CONFIG_KHO_RANGES_COMPAT */

#endif /* _LINUX_KEXEC_HANDOVER_H */

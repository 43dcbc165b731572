/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the parts of <linux/vmalloc.h> that kho_ranges
 * uses. An area is a reservation of the process's address space into which
 * the arena's pages are mapped a second time (kho_sim_alias()), so that the
 * bytes written through a vmalloc() address are the bytes of its pages, as
 * in the kernel. vmalloc.c implements it.
 */
#ifndef _KHO_HARNESS_LINUX_VMALLOC_H
#define _KHO_HARNESS_LINUX_VMALLOC_H

#include <linux/mm.h>
#include <linux/slab.h>

/* as on x86_64: vmalloc_huge() maps PMD-sized pages */
#define CONFIG_HAVE_ARCH_HUGE_VMALLOC	1
#define KHO_HARNESS_PMD_ORDER		9

#define VM_IOREMAP		0x00000001
#define VM_ALLOC		0x00000002
#define VM_MAP			0x00000004
#define VM_USERMAP		0x00000008
#define VM_ALLOW_HUGE_VMAP	0x00000400

#define VMALLOC_START		0UL
#define VMALLOC_END		(~0UL)
#ifndef NUMA_NO_NODE
#define NUMA_NO_NODE		(-1)
#endif
#define PAGE_KERNEL		0UL

struct vm_struct {
	struct vm_struct *next;
	void *addr;
	unsigned long size;
	unsigned long flags;
	struct page **pages;
	unsigned int page_order;
	unsigned int nr_pages;
	/* the reservation the area was aligned in */
	void *raw;
	size_t raw_size;
};

struct vm_struct *find_vm_area(const void *addr);
void free_vm_area(struct vm_struct *area);
void *vmalloc(unsigned long size);
void *vmalloc_huge(unsigned long size, gfp_t gfp);
void vfree(const void *addr);
struct page *vmalloc_to_page(const void *addr);

/*
 * Test helper, no kernel counterpart: a VM_ALLOC area of @nr_pages given
 * pages (a kvmalloc_array() the area then owns), in blocks of @order as
 * vmalloc() would have allocated them, so that tests can build areas of any
 * physical shape.
 */
void *kho_harness_vmalloc_pages(struct page **pages, unsigned int nr_pages,
				unsigned int order);

static inline void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return kmalloc(n * size, gfp);
}

static inline void kvfree(const void *p)
{
	kfree((void *)p);
}

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Upstream Kexec HandOver's driver API (<linux/kexec_handover.h>) on top of
 * the kernel's kho_ranges tracker and what the previous kernel handed over.
 */

#define pr_fmt(fmt) "kho_ranges: " fmt

#include <linux/err.h>
#include <linux/export.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/kho_ranges.h>
#include <linux/kho_ranges_vmalloc.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/unaligned.h>

/**
 * DOC: upstream KHO's names
 *
 * With CONFIG_KHO_RANGES_COMPAT the functions of upstream's
 * <linux/kexec_handover.h> preserve into kho_ranges_kernel and restore from
 * kho_ranges_incoming, with the same names, arguments and return values, so
 * that a KHO user builds unchanged. Memory preserved through them carries
 * the tag KHO_RANGES_TAG_COMPAT. A named sub-FDT (kho_add_subtree()) is an
 * entry in a directory page, preserved under KHO_RANGES_TAG_COMPAT_DIR,
 * which the next kernel finds by its tag. The handover is serialized as
 * for any other kho_ranges user (debugfs kho_ranges/finalize, or a caller
 * of kho_ranges_serialize()).
 */

#define KHO_COMPAT_DIR_MAGIC	0x5244524bU	/* "KRDR" */
#define KHO_COMPAT_NAME_LEN	48

struct kho_compat_dir_entry {
	char name[KHO_COMPAT_NAME_LEN];
	__le64 phys;
};

struct kho_compat_dir {
	__le32 magic;
	__le32 nr;
	struct kho_compat_dir_entry ent[];
};

#define KHO_COMPAT_DIR_MAX						\
	((PAGE_SIZE - sizeof(struct kho_compat_dir)) /			\
	 sizeof(struct kho_compat_dir_entry))

static DEFINE_MUTEX(kho_compat_lock);
static struct kho_compat_dir *kho_compat_dir;

/**
 * kho_is_enabled() - can memory be handed to the next kernel?
 *
 * Return: true: kho_ranges is built in whenever this is.
 */
bool kho_is_enabled(void)
{
	return true;
}
EXPORT_SYMBOL_GPL(kho_is_enabled);

/**
 * is_kho_boot() - did the previous kernel hand memory over?
 *
 * Return: true if a handover was accepted at boot.
 */
bool is_kho_boot(void)
{
	return kho_ranges_incoming.nr_extents != 0;
}
EXPORT_SYMBOL_GPL(is_kho_boot);

/**
 * kho_preserve_folio() - preserve a folio across kexec
 * @folio: the folio
 *
 * Return: 0, or the error of kho_ranges_preserve_folio().
 */
int kho_preserve_folio(struct folio *folio)
{
	return kho_ranges_preserve_folio(&kho_ranges_kernel, folio,
					 KHO_RANGES_TAG_COMPAT);
}
EXPORT_SYMBOL_GPL(kho_preserve_folio);

/**
 * kho_unpreserve_folio() - undo kho_preserve_folio()
 * @folio: the folio
 *
 * Return: 0, or the error of kho_ranges_unpreserve_folio().
 */
int kho_unpreserve_folio(struct folio *folio)
{
	return kho_ranges_unpreserve_folio(&kho_ranges_kernel, folio);
}
EXPORT_SYMBOL_GPL(kho_unpreserve_folio);

/**
 * kho_preserve_pages() - preserve a run of order-0 pages across kexec
 * @page:     first page
 * @nr_pages: pages in the run
 *
 * Return: 0, or the error of kho_ranges_preserve().
 */
int kho_preserve_pages(struct page *page, unsigned int nr_pages)
{
	return kho_ranges_preserve(&kho_ranges_kernel, page_to_pfn(page),
				   nr_pages,
				   KHO_RANGES_INFO(0, 0, KHO_RANGES_TAG_COMPAT));
}
EXPORT_SYMBOL_GPL(kho_preserve_pages);

/**
 * kho_unpreserve_pages() - undo kho_preserve_pages()
 * @page:     first page
 * @nr_pages: pages in the run
 *
 * Return: 0, or the error of kho_ranges_unpreserve().
 */
int kho_unpreserve_pages(struct page *page, unsigned int nr_pages)
{
	return kho_ranges_unpreserve(&kho_ranges_kernel, page_to_pfn(page),
				     nr_pages);
}
EXPORT_SYMBOL_GPL(kho_unpreserve_pages);

/**
 * kho_preserve_vmalloc() - preserve a vmalloc() area across kexec
 * @ptr:          start of the area
 * @preservation: filled in with what kho_restore_vmalloc() needs
 *
 * Return: 0, or the error of kho_ranges_preserve_vmalloc().
 */
int kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *preservation)
{
	unsigned long nr_pages = 0;
	unsigned int order = 0;
	u64 handle;
	int ret;

	ret = kho_ranges_preserve_vmalloc(&kho_ranges_kernel, ptr, &handle);
	if (ret)
		return ret;
	kho_ranges_vmalloc_stats(handle, &nr_pages, &order, NULL, NULL);
	memset(preservation, 0, sizeof(*preservation));
	preservation->handle = handle;
	preservation->total_pages = nr_pages;
	preservation->order = order;
	preservation->flags = !!order;
	return 0;
}
EXPORT_SYMBOL_GPL(kho_preserve_vmalloc);

/**
 * kho_unpreserve_vmalloc() - undo kho_preserve_vmalloc()
 * @preservation: what kho_preserve_vmalloc() filled in
 */
void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation)
{
	if (kho_ranges_unpreserve_vmalloc(&kho_ranges_kernel,
					  preservation->handle))
		pr_warn("%s: %#llx is not preserved\n", __func__,
			(unsigned long long)preservation->handle);
	memset(preservation, 0, sizeof(*preservation));
}
EXPORT_SYMBOL_GPL(kho_unpreserve_vmalloc);

/**
 * kho_restore_folio() - take back a folio the previous kernel preserved
 * @phys: physical address of the folio
 *
 * Return: the folio, or NULL.
 */
struct folio *kho_restore_folio(phys_addr_t phys)
{
	return kho_ranges_restore_folio(&kho_ranges_incoming, phys);
}
EXPORT_SYMBOL_GPL(kho_restore_folio);

/**
 * kho_restore_pages() - take back a run of pages the previous kernel preserved
 * @phys:     physical address of the first page
 * @nr_pages: pages in the run
 *
 * Return: the first page, or NULL.
 */
struct page *kho_restore_pages(phys_addr_t phys, unsigned int nr_pages)
{
	return kho_ranges_restore_page_run(&kho_ranges_incoming, phys,
					   nr_pages);
}
EXPORT_SYMBOL_GPL(kho_restore_pages);

/**
 * kho_restore_vmalloc() - map a vmalloc() area of the previous kernel again
 * @preservation: what kho_preserve_vmalloc() filled in there
 *
 * Return: the area, or NULL (the message says why).
 */
void *kho_restore_vmalloc(const struct kho_vmalloc *preservation)
{
	void *addr = kho_ranges_restore_vmalloc(&kho_ranges_incoming,
						preservation->handle);

	return IS_ERR(addr) ? NULL : addr;
}
EXPORT_SYMBOL_GPL(kho_restore_vmalloc);

/**
 * kho_add_subtree() - name a sub-FDT for the next kernel
 * @name: its name, at most 47 characters
 * @fdt:  the FDT; its pages must be preserved by the caller
 *
 * Return: 0; -EEXIST if @name is taken; -ENAMETOOLONG; -ENOSPC when the
 * directory page is full; -ENOMEM; or the error of kho_ranges_preserve().
 */
int kho_add_subtree(const char *name, void *fdt)
{
	struct kho_compat_dir *dir;
	struct page *page;
	u32 i, nr;
	int ret = 0;

	if (strlen(name) >= KHO_COMPAT_NAME_LEN)
		return -ENAMETOOLONG;
	mutex_lock(&kho_compat_lock);
	if (!kho_compat_dir) {
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!page) {
			ret = -ENOMEM;
			goto out;
		}
		ret = kho_ranges_preserve(&kho_ranges_kernel,
					  page_to_pfn(page), 1,
					  KHO_RANGES_INFO(0, 0,
							  KHO_RANGES_TAG_COMPAT_DIR));
		if (ret) {
			__free_page(page);
			goto out;
		}
		kho_compat_dir = page_address(page);
		kho_compat_dir->magic = cpu_to_le32(KHO_COMPAT_DIR_MAGIC);
	}
	dir = kho_compat_dir;
	nr = le32_to_cpu(dir->nr);
	for (i = 0; i < nr; i++) {
		if (!strcmp(dir->ent[i].name, name)) {
			ret = -EEXIST;
			goto out;
		}
	}
	if (nr == KHO_COMPAT_DIR_MAX) {
		ret = -ENOSPC;
		goto out;
	}
	/* the length is checked above; the rest of the entry is zero */
	memcpy(dir->ent[nr].name, name, strlen(name));
	dir->ent[nr].phys = cpu_to_le64(virt_to_phys(fdt));
	dir->nr = cpu_to_le32(nr + 1);
out:
	mutex_unlock(&kho_compat_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(kho_add_subtree);

/**
 * kho_remove_subtree() - undo kho_add_subtree()
 * @fdt: the FDT given to kho_add_subtree()
 */
void kho_remove_subtree(void *fdt)
{
	struct kho_compat_dir *dir;
	u64 phys = virt_to_phys(fdt);
	u32 i, nr;

	mutex_lock(&kho_compat_lock);
	dir = kho_compat_dir;
	nr = dir ? le32_to_cpu(dir->nr) : 0;
	for (i = 0; i < nr; i++) {
		if (le64_to_cpu(dir->ent[i].phys) != phys)
			continue;
		memmove(&dir->ent[i], &dir->ent[i + 1],
			(nr - i - 1) * sizeof(dir->ent[0]));
		memset(&dir->ent[nr - 1], 0, sizeof(dir->ent[0]));
		dir->nr = cpu_to_le32(nr - 1);
		break;
	}
	mutex_unlock(&kho_compat_lock);
}
EXPORT_SYMBOL_GPL(kho_remove_subtree);

/**
 * kho_retrieve_subtree() - find a sub-FDT the previous kernel named
 * @name: the name given to kho_add_subtree()
 * @phys: set to the FDT's physical address
 *
 * Return: 0; -ENOENT if the previous kernel named no such sub-FDT or
 * handed nothing over; -EINVAL if its directory is corrupt.
 */
int kho_retrieve_subtree(const char *name, phys_addr_t *phys)
{
	const struct kho_compat_dir *dir;
	unsigned long nr_pages;
	phys_addr_t start;
	u32 i, nr;

	if (kho_ranges_find_tag(&kho_ranges_incoming,
				KHO_RANGES_TAG_COMPAT_DIR, &start, &nr_pages))
		return -ENOENT;
	dir = phys_to_virt(start);
	nr = le32_to_cpu(dir->nr);
	if (le32_to_cpu(dir->magic) != KHO_COMPAT_DIR_MAGIC ||
	    nr > KHO_COMPAT_DIR_MAX) {
		pr_err("sub-FDT directory at %#llx is corrupt\n", (u64)start);
		return -EINVAL;
	}
	for (i = 0; i < nr; i++) {
		if (strncmp(dir->ent[i].name, name, KHO_COMPAT_NAME_LEN))
			continue;
		*phys = le64_to_cpu(dir->ent[i].phys);
		return 0;
	}
	return -ENOENT;
}
EXPORT_SYMBOL_GPL(kho_retrieve_subtree);

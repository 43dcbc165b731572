// SPDX-License-Identifier: GPL-2.0
/*
 * kho_ranges in the running kernel: the kernel's own tracker, the boot hook
 * that reserves what the previous kernel preserved, and the checks that keep
 * kexec from loading a new kernel on top of preserved memory.
 */

#define pr_fmt(fmt) "kho_ranges: " fmt

#include <linux/export.h>
#include <linux/init.h>
#include <linux/kstrtox.h>
#include <linux/kho_ranges.h>
#include <linux/kho_ranges_warm.h>
#include <linux/math64.h>
#include <linux/mc146818rtc.h>
#include <linux/memblock.h>
#include <linux/printk.h>
#include <linux/time64.h>
#include <linux/timex.h>
#include <linux/string.h>

/**
 * DOC: kho_ranges in the kernel
 *
 * Drivers preserve memory in kho_ranges_kernel. Writing 1 to the debugfs
 * file kho_ranges/finalize serializes it; a later kexec_file_load() passes
 * the root FDT to the next kernel (on x86 as a setup_data entry of type
 * SETUP_KHO_RANGES), and places the new kernel's segments around preserved
 * memory. kexec_load() users, whose segments user space places, pass
 * ``kho_ranges_fdt=<phys>`` on the next kernel's command line instead.
 *
 * The next kernel calls kho_ranges_boot_reserve() as soon as memblock knows
 * the memory map and before anything allocates from memblock: on x86 right
 * after e820__memblock_setup().
 */

struct kho_ranges kho_ranges_kernel;
EXPORT_SYMBOL_GPL(kho_ranges_kernel);

struct kho_ranges_incoming kho_ranges_incoming;
EXPORT_SYMBOL_GPL(kho_ranges_incoming);

static phys_addr_t kho_ranges_fdt_phys __initdata;
static size_t kho_ranges_fdt_size __initdata;
static enum kho_ranges_reserve_mode kho_ranges_mode __initdata =
	KHO_RANGES_RESERVE_BULK;

static const char *const kho_ranges_mode_names[] __initconst = {
	[KHO_RANGES_RESERVE_ASCENDING] = "ascending",
	[KHO_RANGES_RESERVE_DESCENDING] = "descending",
	[KHO_RANGES_RESERVE_BULK] = "bulk",
};

/**
 * kho_ranges_set_fdt() - record where the previous kernel's root FDT is
 * @phys: physical address, from the boot protocol
 * @size: size of the FDT allocation
 *
 * Called by architecture code while it parses the boot protocol, before
 * kho_ranges_boot_reserve().
 */
void __init kho_ranges_set_fdt(phys_addr_t phys, size_t size)
{
	kho_ranges_fdt_phys = phys;
	kho_ranges_fdt_size = size;
}

/* kho_ranges_fdt=<phys>: for kexec_load() users; the FDT is one page */
static int __init kho_ranges_fdt_param(char *s)
{
	u64 phys;

	if (!s || kstrtoull(s, 0, &phys))
		return -EINVAL;
	if (!kho_ranges_fdt_phys)
		kho_ranges_set_fdt(phys, PAGE_SIZE);
	return 0;
}
early_param("kho_ranges_fdt", kho_ranges_fdt_param);

/* kho_ranges_reserve=ascending|descending|bulk: how to feed memblock */
static int __init kho_ranges_mode_param(char *s)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(kho_ranges_mode_names); i++) {
		if (kho_ranges_mode_names[i] && s &&
		    !strcmp(s, kho_ranges_mode_names[i])) {
			kho_ranges_mode = i;
			return 0;
		}
	}
	return -EINVAL;
}
early_param("kho_ranges_reserve", kho_ranges_mode_param);

/*
 * kho_ranges_checksum=crc32|xxh64: how this kernel checksums its handover.
 * xxh64 (the default) is an incompat blob flag: a next kernel that predates
 * it refuses the blob, so kexec into such a kernel needs crc32.
 */
static bool kho_ranges_crc32_blob __initdata;

static int __init kho_ranges_checksum_param(char *s)
{
	if (s && !strcmp(s, "crc32"))
		kho_ranges_crc32_blob = true;
	else if (s && !strcmp(s, "xxh64"))
		kho_ranges_crc32_blob = false;
	else
		return -EINVAL;
	return 0;
}
early_param("kho_ranges_checksum", kho_ranges_checksum_param);

/*
 * The boot-time figure. kho_ranges_boot_reserve() runs long before the
 * TSC is calibrated and sched_clock() ticks, so it only takes cycle
 * stamps; the line goes out from an initcall, when they can be converted.
 * With kho_ranges_warm, the whole deserialize runs twice (@warm: the
 * second pass, on memblock.reserved as the first one found it): the
 * difference is what code and mappings met for the first time cost (under
 * TCG, translating the code), the second pass is what the userspace
 * harness measures after its warm-up run.
 */
static struct kho_ranges_boot_figure {
	struct kho_ranges_phase_times pt;
	struct kho_ranges_phase_times warm;
	u64 cycles;
	u64 warm_cycles;
	bool valid;
	bool warm_valid;
} kho_ranges_boot_figure __initdata;

static bool kho_ranges_warm __initdata;

/* kho_ranges_warm: deserialize twice, print the second pass too */
static int __init kho_ranges_warm_param(char *s)
{
	kho_ranges_warm = true;
	return 0;
}
early_param("kho_ranges_warm", kho_ranges_warm_param);

/**
 * kho_ranges_warm_enabled() - was the kernel booted with kho_ranges_warm?
 *
 * Return: true if boot-time deserializers should run twice, timing both
 * passes, with kho_ranges_reserved_save() and kho_ranges_reserved_restore()
 * around the first.
 */
bool __init kho_ranges_warm_enabled(void)
{
	return kho_ranges_warm;
}

/* memblock.reserved as it was before a first pass, see below */
#define KHO_RANGES_SNAP_REGIONS	256

static struct {
	struct memblock_region *regions;
	unsigned long cnt;
	unsigned long max;
	phys_addr_t total_size;
	bool valid;
	struct memblock_region saved[KHO_RANGES_SNAP_REGIONS];
} kho_ranges_snap __initdata;

/**
 * kho_ranges_reserved_save() - remember memblock.reserved before a first pass
 *
 * Early boot only, before anything but the handover's deserializer changes
 * memblock.reserved: it then holds the regions the early boot reserved,
 * a few dozen.
 *
 * Return: 0, or -E2BIG if it holds more regions than can be saved.
 */
int __init kho_ranges_reserved_save(void)
{
	struct memblock_type *type = &memblock.reserved;

	if (type->cnt > KHO_RANGES_SNAP_REGIONS)
		return -E2BIG;
	kho_ranges_snap.regions = type->regions;
	kho_ranges_snap.cnt = type->cnt;
	kho_ranges_snap.max = type->max;
	kho_ranges_snap.total_size = type->total_size;
	memcpy(kho_ranges_snap.saved, type->regions,
	       type->cnt * sizeof(*type->regions));
	kho_ranges_snap.valid = true;
	return 0;
}

/**
 * kho_ranges_reserved_restore() - put memblock.reserved back as it was saved
 *
 * Undoes what a deserializer reserved since kho_ranges_reserved_save():
 * the saved array gets its regions back, its unused slots zeroed again
 * (memblock_reserved_move() leaves them so, and the bulk merge relies on
 * it), and memblock.reserved points at it again. An array the deserializer
 * moved memblock.reserved into stays reserved by nobody: it is memory the
 * handover set aside for that, and the next pass moves into it again.
 */
void __init kho_ranges_reserved_restore(void)
{
	struct memblock_type *type = &memblock.reserved;
	unsigned long end = kho_ranges_snap.max;

	if (WARN_ON(!kho_ranges_snap.valid))
		return;
	if (type->regions == kho_ranges_snap.regions)
		end = max(type->cnt, kho_ranges_snap.cnt);
	memcpy(kho_ranges_snap.regions, kho_ranges_snap.saved,
	       kho_ranges_snap.cnt * sizeof(*type->regions));
	memset(kho_ranges_snap.regions + kho_ranges_snap.cnt, 0,
	       (end - kho_ranges_snap.cnt) * sizeof(*type->regions));
	type->regions = kho_ranges_snap.regions;
	type->cnt = kho_ranges_snap.cnt;
	type->max = kho_ranges_snap.max;
	type->total_size = kho_ranges_snap.total_size;
	kho_ranges_snap.valid = false;
}

static u64 __init kho_ranges_read_cycles(void)
{
	return get_cycles();
}

/*
 * Under QEMU's TCG the PIT calibration of the TSC often fails (tsc_khz stays
 * 0), and jiffies are no reference either: ticks come late under a loaded
 * host. QEMU's RTC follows the host's clock, so count cycles over one second
 * between two changes of its seconds register, once. The flag RTC_UIP would
 * mark the edge too, but it is up for 244 us only, and a vCPU of a busy host
 * misses it. The error is the time between two polls: microseconds in a
 * second.
 */
#define KHO_RANGES_CALIBRATE_MAX_CYCLES	(1ULL << 35)

#ifdef CONFIG_X86
/* the cycle count when the RTC's seconds next change, or 0 after @limit */
static cycles_t __init kho_ranges_rtc_edge(cycles_t limit)
{
	u8 sec = CMOS_READ(RTC_SECONDS);
	cycles_t now;

	do {
		now = get_cycles();
		if (CMOS_READ(RTC_SECONDS) != sec)
			return now;
	} while (now < limit);
	return 0;
}

static unsigned int __init kho_ranges_calibrate_khz(void)
{
	cycles_t limit = get_cycles() + KHO_RANGES_CALIBRATE_MAX_CYCLES;
	cycles_t c0, c1;

	c0 = kho_ranges_rtc_edge(limit);
	c1 = c0 ? kho_ranges_rtc_edge(limit) : 0;
	if (!c1)
		return 0;
	return div_u64(c1 - c0, MSEC_PER_SEC);
}
#endif

static unsigned int kho_ranges_khz __initdata;
static bool kho_ranges_khz_rtc __initdata;
static bool kho_ranges_khz_known __initdata;

/* the frequency of get_cycles() in kHz, or 0 if there is none */
static unsigned int __init kho_ranges_cycles_khz(void)
{
	if (kho_ranges_khz_known)
		return kho_ranges_khz;
	kho_ranges_khz_known = true;
#ifdef CONFIG_X86
	if (!boot_cpu_has(X86_FEATURE_TSC))
		return 0;
	if (tsc_khz) {
		kho_ranges_khz = tsc_khz;
		return kho_ranges_khz;
	}
	kho_ranges_khz = kho_ranges_calibrate_khz();
	kho_ranges_khz_rtc = kho_ranges_khz;
#endif
	return kho_ranges_khz;
}

/**
 * kho_ranges_cycles_to_ns() - convert a get_cycles() delta to nanoseconds
 * @cycles: the delta
 *
 * Uses the TSC frequency the kernel calibrated (tsc_khz) or, if that
 * failed, as it often does under QEMU's TCG, counts cycles over one second
 * of the RTC once (see kho_ranges_calibrate_khz()). Boot only, and not
 * before tsc_init(): early_initcall() and later are fine. A cycle is
 * 1/khz ms; the conversion is as good as the frequency, to about one part
 * in a million with tsc_khz, a few in a million with the RTC.
 *
 * Return: the nanoseconds, or 0 if the cycle counter's frequency is not
 * known.
 */
u64 __init kho_ranges_cycles_to_ns(u64 cycles)
{
	unsigned int khz = kho_ranges_cycles_khz();

	if (!khz)
		return 0;
	return mul_u64_u32_div(cycles, USEC_PER_SEC, khz);
}

/**
 * kho_ranges_boot_reserve() - reserve what the previous kernel preserved
 *
 * Validates the handover and reserves every preserved range in memblock,
 * taking a get_cycles() stamp at the end of each step (enum
 * kho_ranges_phase). The line kho_ranges_boot_report() prints from these
 * is what the QEMU harness reads. A rejected handover is reported and
 * otherwise ignored: the boot goes on, without the preserved memory.
 */
void __init kho_ranges_boot_reserve(void)
{
	struct kho_ranges_boot_figure *fig = &kho_ranges_boot_figure;
	bool warm = kho_ranges_warm && !kho_ranges_reserved_save();
	cycles_t c0, c1;
	int ret;

	if (!kho_ranges_fdt_phys)
		return;

	fig->pt.clock = kho_ranges_read_cycles;
	kho_ranges_phase_times = &fig->pt;
	c0 = get_cycles();
	ret = kho_ranges_deserialize(&kho_ranges_incoming, kho_ranges_fdt_phys,
				     kho_ranges_fdt_size, kho_ranges_mode);
	c1 = get_cycles();
	kho_ranges_phase_times = NULL;
	if (!ret && warm) {
		fig->cycles = c1 - c0;
		kho_ranges_reserved_restore();
		memset(&kho_ranges_incoming, 0, sizeof(kho_ranges_incoming));
		fig->warm.clock = kho_ranges_read_cycles;
		kho_ranges_phase_times = &fig->warm;
		c0 = get_cycles();
		ret = kho_ranges_deserialize(&kho_ranges_incoming,
					     kho_ranges_fdt_phys,
					     kho_ranges_fdt_size,
					     kho_ranges_mode);
		c1 = get_cycles();
		kho_ranges_phase_times = NULL;
		fig->warm_cycles = c1 - c0;
		fig->warm_valid = !ret;
	} else {
		fig->cycles = c1 - c0;
	}
	if (ret) {
		pr_err("handover at %#llx rejected (%d): preserved memory is not protected\n",
		       (u64)kho_ranges_fdt_phys, ret);
		memset(&kho_ranges_incoming, 0, sizeof(kho_ranges_incoming));
		return;
	}
	fig->valid = true;
}

/* the phase that ended at t[i], in cycles */
static u64 __init kho_ranges_phase_cycles(const struct kho_ranges_phase_times *pt,
					  enum kho_ranges_phase i)
{
	return pt->t[i] - pt->t[i - 1];
}

/*
 * The deserialize line: ranges= counts range records, bitmaps= bitmap
 * records, extents= the runs of preserved pages both make, which is what
 * memblock gets, and blob= the bytes of the blob in use; then the cycles of
 * each phase of enum kho_ranges_phase, and the frequency of get_cycles()
 * ns= is computed with, and where it comes from.
 */
static int __init kho_ranges_boot_report(void)
{
	const struct kho_ranges_boot_figure *fig = &kho_ranges_boot_figure;
	const struct kho_ranges_phase_times *pt = &fig->pt;
	const struct kho_ranges_incoming *in = &kho_ranges_incoming;
	u64 ns;

	if (!fig->valid)
		return 0;
	ns = kho_ranges_cycles_to_ns(fig->cycles);
	pr_info("deserialize: tracker=ranges mode=%s ranges=%lu folios=%lu pages=%lu ns=%llu cycles=%llu bitmaps=%lu extents=%lu blob=%zu fdt_cycles=%llu hdr_cycles=%llu csum_cycles=%llu records_cycles=%llu move_cycles=%llu merge_cycles=%llu tsc_khz=%u khz_source=%s\n",
		kho_ranges_mode_names[kho_ranges_mode], in->nr_ranges,
		in->nr_folios, in->nr_pages, ns, fig->cycles,
		in->nr_bitmaps, in->nr_extents, in->blob_len,
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_FDT),
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_HDR),
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_CSUM),
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_RECORDS),
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_MOVE),
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_MERGE),
		kho_ranges_khz, kho_ranges_khz_rtc ? "rtc" :
		kho_ranges_khz ? "tsc_khz" : "none");
	if (!fig->warm_valid)
		return 0;
	pt = &fig->warm;
	pr_info("deserialize: warm: tracker=ranges warm_ns=%llu warm_cycles=%llu warm_fdt_cycles=%llu warm_hdr_cycles=%llu warm_csum_cycles=%llu warm_records_cycles=%llu warm_move_cycles=%llu warm_merge_cycles=%llu\n",
		kho_ranges_cycles_to_ns(fig->warm_cycles), fig->warm_cycles,
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_FDT),
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_HDR),
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_CSUM),
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_RECORDS),
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_MOVE),
		kho_ranges_phase_cycles(pt, KHO_RANGES_PHASE_MERGE));
	return 0;
}
early_initcall(kho_ranges_boot_report);

/**
 * kho_ranges_kexec_conflict() - would a kexec segment overwrite preserved memory?
 * @start: first byte of the segment's destination
 * @end:   last byte
 * @first: if not NULL, set to the first byte of the lowest conflicting range
 * @last:  if not NULL, set to its last byte
 *
 * Segments are copied over their destination at kexec time, whatever was
 * there, so they must avoid preserved memory.
 *
 * Return: true on a conflict.
 */
bool kho_ranges_kexec_conflict(unsigned long start, unsigned long end,
			       unsigned long *first, unsigned long *last)
{
	phys_addr_t f, l;

	if (!kho_ranges_find_overlap(&kho_ranges_kernel, start, end, &f, &l))
		return false;
	if (first)
		*first = f;
	if (last)
		*last = l;
	return true;
}

/**
 * kho_ranges_kexec_fdt() - the root FDT to hand to the next kernel
 * @phys: set to its physical address
 * @size: set to its size
 *
 * Return: 0 if the kernel's tracker is serialized, -ENOENT otherwise.
 */
int kho_ranges_kexec_fdt(phys_addr_t *phys, size_t *size)
{
	int ret = -ENOENT;

	mutex_lock(&kho_ranges_kernel.lock);
	if (kho_ranges_kernel.finalized) {
		*phys = kho_ranges_kernel.fdt_phys;
		*size = kho_ranges_kernel.fdt_size;
		ret = 0;
	}
	mutex_unlock(&kho_ranges_kernel.lock);
	return ret;
}

static int __init kho_ranges_kernel_init(void)
{
	kho_ranges_init(&kho_ranges_kernel);
	kho_ranges_kernel.crc32_blob = kho_ranges_crc32_blob;
	return 0;
}
core_initcall(kho_ranges_kernel_init);

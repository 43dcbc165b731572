/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deserializing twice at boot, for the benchmark (kho_ranges_warm on the
 * command line): the first pass is what a boot pays, code and mappings met
 * for the first time included; memblock.reserved is then put back as it
 * was and the same work is done and timed again, as the userspace harness
 * times it after a warm-up run. See mm/kho_ranges_kernel.c.
 */
#ifndef _LINUX_KHO_RANGES_WARM_H
#define _LINUX_KHO_RANGES_WARM_H

#include <linux/types.h>

bool kho_ranges_warm_enabled(void);
int kho_ranges_reserved_save(void);
void kho_ranges_reserved_restore(void);

#endif /* _LINUX_KHO_RANGES_WARM_H */

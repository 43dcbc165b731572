// SPDX-License-Identifier: GPL-2.0
/*
 * Placeholder overlay for vm/examples/kho-dummy: proves that files in
 * KHO_PATCH_DIR are copied into the tree and built with CONFIG_KHO_RANGES.
 */
#include <linux/init.h>
#include <linux/printk.h>

static int __init kho_ranges_dummy_init(void)
{
	pr_info("KHO-VM: kho_ranges dummy overlay built in\n");
	return 0;
}
late_initcall(kho_ranges_dummy_init);

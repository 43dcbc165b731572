/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's <linux/maple_tree.h> for code that uses the maple tree,
 * without the CONFIG_DEBUG_MAPLE_TREE atomics that the tools/testing/shared
 * wrapper redefines for the tree's own compilation unit.
 */
#ifndef _KHO_HARNESS_LINUX_MAPLE_TREE_H
#define _KHO_HARNESS_LINUX_MAPLE_TREE_H
#include <limits.h>
#include <stdint.h>
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <kinc/linux/maple_tree.h>
#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * __ffs() as an architecture provides it: one instruction (bsf/tzcnt on
 * x86), where tools/include's generic version is a ladder of shifts and
 * tests. Every tracker the harness builds and measures gets this one, the
 * bitmap baseline's find_next_bit() included, so that bit scanning costs
 * what it costs in a kernel.
 */
#ifndef _TOOLS_LINUX_ASM_GENERIC_BITOPS___FFS_H_
#define _TOOLS_LINUX_ASM_GENERIC_BITOPS___FFS_H_

#include <asm/types.h>
#include <asm/bitsperlong.h>

/* undefined for 0, as the kernel's */
static __always_inline unsigned int __ffs(unsigned long word)
{
	return __builtin_ctzl(word);
}

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hweight as an architecture provides it. On x86-64 the kernel patches in
 * the popcnt instruction on every CPU that has it (arch/x86's
 * __arch_hweight64() alternative), where tools/include's generic version
 * always calls the software __sw_hweight64(). As with __ffs.h here, every
 * tracker the harness builds gets this one, so that counting bits costs
 * what it costs in a kernel; other architectures keep the software one.
 */
#ifndef _ASM_GENERIC_BITOPS_ARCH_HWEIGHT_H_
#define _ASM_GENERIC_BITOPS_ARCH_HWEIGHT_H_

#include <asm/types.h>

#if defined(__x86_64__)
static inline unsigned long __arch_hweight64(__u64 w)
{
	__u64 res;

	asm ("popcntq %1, %0" : "=r" (res) : "rm" (w));
	return res;
}

static inline unsigned int __arch_hweight32(unsigned int w)
{
	unsigned int res;

	asm ("popcntl %1, %0" : "=r" (res) : "rm" (w));
	return res;
}
#else
static inline unsigned long __arch_hweight64(__u64 w)
{
	return __sw_hweight64(w);
}

static inline unsigned int __arch_hweight32(unsigned int w)
{
	return __sw_hweight32(w);
}
#endif

static inline unsigned int __arch_hweight16(unsigned int w)
{
	return __arch_hweight32(w & 0xffff);
}

static inline unsigned int __arch_hweight8(unsigned int w)
{
	return __arch_hweight32(w & 0xff);
}
#endif /* _ASM_GENERIC_BITOPS_ARCH_HWEIGHT_H_ */

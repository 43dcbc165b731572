/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forced first include of lib/crc32.c in userspace: the attributes and byte
 * order helpers that the kernel's own headers would have defined by then.
 */
#ifndef _KHO_HARNESS_CRC_PRELUDE_H
#define _KHO_HARNESS_CRC_PRELUDE_H
#include <endian.h>
#include <sys/cdefs.h>
#include <linux/compiler.h>
#include <linux/types.h>

#ifndef __pure
#define __pure			__attribute_pure__
#endif
#ifndef __alias
#define __kho_attribute(a)	__attribute__((a))
#define __alias(symbol)		__kho_attribute(__alias__(#symbol))
#endif
#ifndef ____cacheline_aligned
#define ____cacheline_aligned	__aligned(64)
#endif
/* constant expressions: the generated tables use them in initializers */
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define __cpu_to_le32(x)	((u32)(x))
#define __cpu_to_be32(x)	__builtin_bswap32(x)
#else
#define __cpu_to_le32(x)	__builtin_bswap32(x)
#define __cpu_to_be32(x)	((u32)(x))
#endif
#define __le32_to_cpu(x)	__cpu_to_le32(x)
#define __be32_to_cpu(x)	__cpu_to_be32(x)
#define cpu_to_le32(x)		__cpu_to_le32(x)
#define cpu_to_be32(x)		__cpu_to_be32(x)
#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* The fixed-width limits of the kernel's <linux/limits.h>. */
#ifndef _KHO_HARNESS_LINUX_LIMITS_H
#define _KHO_HARNESS_LINUX_LIMITS_H
#include <limits.h>
#include <stdint.h>
#ifndef U8_MAX
#define U8_MAX		((u8)~0U)
#endif
#define U16_MAX		((u16)~0U)
#define U32_MAX		((u32)~0U)
#define U64_MAX		((u64)~0ULL)
#endif

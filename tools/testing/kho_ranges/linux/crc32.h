/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's <linux/crc32.h>, after the attribute it takes for granted. */
#ifndef _KHO_HARNESS_LINUX_CRC32_H
#define _KHO_HARNESS_LINUX_CRC32_H
#include <sys/cdefs.h>
#include <linux/compiler.h>
#ifndef __pure
#define __pure	__attribute_pure__
#endif
#include_next <linux/crc32.h>
#endif

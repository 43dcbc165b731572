/* SPDX-License-Identifier: GPL-2.0 */
/* What lib/crc32.c needs of <linux/module.h> in userspace. */
#ifndef _KHO_HARNESS_CRC_MODULE_H
#define _KHO_HARNESS_CRC_MODULE_H
#include <linux/compiler.h>
#define EXPORT_SYMBOL(sym)
#define MODULE_AUTHOR(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_LICENSE(x)
#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* What lib/crc32.c needs of <linux/module.h> in userspace. */
#ifndef _KHO_HARNESS_CRC_MODULE_H
#define _KHO_HARNESS_CRC_MODULE_H
#include <linux/compiler.h>
#define EXPORT_SYMBOL(sym)
#define MODULE_AUTHOR(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_LICENSE(x)
#ifndef __alias
#define __alias(symbol)	__attribute__((__alias__(#symbol)))
#endif
#ifndef __pure
#define __pure		__attribute__((__pure__))
#endif
#endif

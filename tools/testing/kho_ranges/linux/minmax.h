/* SPDX-License-Identifier: GPL-2.0 */
/* min()/max() live in the tools <linux/kernel.h>. */
#ifndef _KHO_HARNESS_LINUX_MINMAX_H
#define _KHO_HARNESS_LINUX_MINMAX_H
#include <linux/kernel.h>
#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/cacheflush.h>: nothing to flush here. */
#ifndef _KHO_HARNESS_LINUX_CACHEFLUSH_H
#define _KHO_HARNESS_LINUX_CACHEFLUSH_H

#define flush_cache_vmap(start, end)	do { } while (0)

#endif

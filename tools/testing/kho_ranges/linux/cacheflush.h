/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/cacheflush.h>: nothing to flush here. */
#ifndef _KHO_HARNESS_LINUX_CACHEFLUSH_H
#define _KHO_HARNESS_LINUX_CACHEFLUSH_H

static inline void flush_cache_vmap(unsigned long start, unsigned long end)
{
}

#endif

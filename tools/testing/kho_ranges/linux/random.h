/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/random.h>. */
#ifndef _KHO_HARNESS_LINUX_RANDOM_H
#define _KHO_HARNESS_LINUX_RANDOM_H

#include <stdlib.h>
#include <linux/types.h>

static inline u32 get_random_u32(void)
{
	return (u32)random() << 16 ^ (u32)random();
}

#endif

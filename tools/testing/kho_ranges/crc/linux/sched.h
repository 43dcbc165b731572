/* SPDX-License-Identifier: GPL-2.0 */
/* lib/crc32.c includes <linux/sched.h> and needs nothing from it. */
#ifndef _KHO_HARNESS_CRC_SCHED_H
#define _KHO_HARNESS_CRC_SCHED_H
#endif

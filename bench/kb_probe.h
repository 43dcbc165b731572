/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The limit probe of ranges: the least work any deserializer of the same
 * preserved memory does (bench/kb_probe.c).
 */
#ifndef _KB_PROBE_H
#define _KB_PROBE_H

#include <linux/types.h>

unsigned long kb_probe_ranges(const void *blob);

#endif

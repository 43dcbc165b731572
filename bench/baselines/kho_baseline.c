// SPDX-License-Identifier: GPL-2.0
/*
 * The table of baseline trackers (kho_baseline.h): the one place a new
 * baseline is added, for the benchmark and the kernel alike.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "kho_baseline.h"

const struct kho_baseline_ops *const kho_baselines[] = {
	&kho_bitmap_6_16_ops,
	&kho_bitmap_6_18_ops,
	&kho_radix_ops,
};

const unsigned int kho_nr_baselines = ARRAY_SIZE(kho_baselines);

/**
 * kho_baseline_find() - a baseline by name
 * @name: its kho_baseline_ops.name; "bitmap" is "bitmap-6.16"
 *
 * Return: the baseline, or NULL if there is none of that name.
 */
const struct kho_baseline_ops *kho_baseline_find(const char *name)
{
	unsigned int i;

	if (!strcmp(name, "bitmap"))
		name = "bitmap-6.16";
	for (i = 0; i < kho_nr_baselines; i++)
		if (!strcmp(kho_baselines[i]->name, name))
			return kho_baselines[i];
	return NULL;
}

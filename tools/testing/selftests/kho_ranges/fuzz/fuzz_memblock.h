/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the baselines' fuzz targets check of memblock.reserved after a
 * deserialize, whether it succeeded or failed.
 */
#ifndef _FUZZ_MEMBLOCK_H
#define _FUZZ_MEMBLOCK_H

#include <linux/memblock.h>

#include "sim.h"

/* is every reserved region inside memblock.memory? */
static inline bool fuzz_reserved_is_memory(void)
{
	struct memblock_type *t = &memblock.reserved;
	unsigned long i;

	for (i = 0; i < t->cnt; i++)
		if (t->regions[i].size &&
		    !memblock_is_region_memory(t->regions[i].base,
					       t->regions[i].size))
			return false;
	return true;
}

/*
 * memblock_reserve_bulk() reserves nothing when it fails, but the array it
 * may have grown before finding out stays (so it does for kho_ranges):
 * memblock.reserved holds @cnt regions of @total bytes, as before, but for
 * that array's own region, which lies in the first @ram bytes of RAM.
 */
static inline bool fuzz_unchanged_but_array(unsigned long cnt, u64 total,
					    u64 ram)
{
	struct memblock_type *t = &memblock.reserved;
	u64 array = PAGE_ALIGN(t->max * sizeof(*t->regions));
	phys_addr_t at = (phys_addr_t)t->regions;

	if (t->cnt == cnt && t->total_size == total)
		return true;
	/* a grown array is in RAM; the boot's static one is not */
	return at >= kho_sim.ram_base && at < kho_sim.ram_base + ram &&
	       t->cnt <= cnt + 1 && t->total_size == total + array;
}

#endif /* _FUZZ_MEMBLOCK_H */

// SPDX-License-Identifier: GPL-2.0
#include <linux/kho_ranges.h>
#include <linux/mm.h>
#include "sim.h"
#include "kselftest_harness.h"

TEST(smoke)
{
	struct kho_ranges kr;

	ASSERT_EQ(0, kho_sim_init(1UL << 30, 1UL << 30));
	kho_ranges_init(&kr);
	ASSERT_EQ(0, kho_ranges_preserve(&kr, PHYS_PFN(kho_sim.ram_base), 1, 0));
	kho_ranges_destroy(&kr);
	kho_sim_exit();
}

TEST_HARNESS_MAIN

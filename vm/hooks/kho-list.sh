#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm-bench hook: in every stage that kexecs, write the folio list /folios
# (kho_bench --dump's "phys order" lines, put there by vm/vm-bench.sh) into
# lib/test_kho_ranges.c (test_kho_ranges.workload=list), which maps it into
# this machine's RAM and preserves it, then serialize through debugfs:
# kho_ranges/finalize serializes the baseline of kho_tracker= too.
[ "$KHO_LAST" = 1 ] && exit 0
d=/sys/kernel/debug/test_kho_ranges
[ -f /folios ] || { echo "KHO-VM: FAIL no /folios"; exit 1; }
cat /folios >$d/folios || exit 1
echo 1 >$d/preserve || exit 1
echo 1 >/sys/kernel/debug/kho_ranges/finalize || exit 1
read -r up _ </proc/uptime
echo "KHO-VM: stage $KHO_STAGE preserved /folios and finalized [t=${up}s]"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make vm-check`: the kho_ranges kernel series in QEMU, across real kexecs.
#
#   1. round trip: lib/test_kho_ranges.c preserves alloc_pages() blocks,
#      folios and vmalloc() areas in stage 1, restores and verifies them in
#      stage 2, preserves anew and kexecs again: three stages with
#      kexec_file_load (setup_data handover), two with kexec_load
#      (kho_ranges_fdt= handover), in two VMs side by side;
#   2. the same with kho_tracker=bitmap and kho_tracker=radix: upstream
#      KHO's bitmap tracker of 6.16 and its radix tree, the baselines of
#      bench/baselines/ built into the same kernel, hand over and reserve;
#      restore goes through kho_ranges and the orders the baseline left in
#      the memmap are checked. The bitmap run preserves a kho_bench --dump
#      folio list (vm/examples/rapoport-20.folios, test_kho_ranges.
#      workload=list, written by the hook vm/hooks/kho-list.sh, which
#      serializes both trackers through kho_ranges/finalize) and kexecs both
#      ways: kexec_load's kho_ranges_fdt= must reach the baseline too;
#   3. a fragmented region (test_kho_ranges.workload=fragmented): every
#      other page of 32 MiB, filled with a pattern of its address, so that
#      the blob carries bitmap records (ABI 2.0); stage 2 checks that it
#      did, that the pages in between were not handed over, and restores
#      and compares every byte;
#   4. a deliberately corrupted blob: stage 2 must reject the handover with
#      a clean error and still boot to the end;
#   5. the driver API: lib/test_kho_ranges_vmalloc.c preserves vmalloc()
#      areas of each shape (one page, runs of pages, vmalloc_huge()) with
#      kho_ranges_preserve_vmalloc() and restores them whole, and
#      lib/test_kho_compat.c, written only against upstream KHO's
#      <linux/kexec_handover.h>, preserves and restores through the
#      compatibility layer; a hook serializes before each kexec.
#
# Every check is one TAP line; the totals go to build/tap/vm-check.tap for
# .ci/run. Serial logs are kept in build/vm/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

series=$top/build/kho-series
logs=$top/build/vm
mkdir -p "$logs" "$top/build/tap"
patches/assemble.sh "$series" >/dev/null
export KHO_PATCH_DIR=$series
export KERNEL_CONFIG_EXTRA=$top/patches/kho.config
check_dir=.cache/vm/check

n=0
pass=0
fail=0
tap=$top/build/tap/vm-check.tap
: >"$tap.tmp"

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok $n $2" | tee -a "$tap.tmp"
	else
		fail=$((fail + 1))
		echo "not ok $n $2" | tee -a "$tap.tmp"
	fi
}

# vmrun NAME VM-CHECK-ARGS...: run vm-check.sh, keep its logs as NAME-*
vmrun() {
	local name=$1 rc=0
	shift
	rm -rf "$check_dir"
	vm/vm-check.sh "$@" >"$logs/$name.out" 2>&1 || rc=$?
	for f in "$check_dir"/*/serial-*.log; do
		[ -e "$f" ] && cp "$f" "$logs/$name-$(basename "$f")"
	done
	grep -E '^vm-check:' "$logs/$name.out" || tail -40 "$logs/$name.out"
	return $rc
}

rc=0
vmrun roundtrip --modes "file classic" --append "test_kho_ranges.run=1" \
	--expect 'KHO-TEST: PASS round=1 .* mismatches=0' \
	--expect 'kho_ranges: deserialize: tracker=ranges' || rc=$?
ok $rc "kexec round trip, kexec_file_load x2 and kexec_load x1, all restored and verified"
grep -q 'KHO-TEST: PASS round=2 .* mismatches=0' "$logs/roundtrip-serial-file.log"
ok $? "chained kexec: round 2 preserved in stage 2 and verified in stage 3"
! grep -q 'KHO-TEST: FAIL' "$logs"/roundtrip-serial-*.log
ok $? "no FAIL line from the test module"

rc=0
vmrun bitmap --modes "file classic" --rounds 2 \
	--add "$top/vm/examples/rapoport-20.folios:/folios" \
	--hook "$top/vm/hooks/kho-list.sh" \
	--append "test_kho_ranges.run=1 test_kho_ranges.workload=list kho_tracker=bitmap" \
	--expect 'kho_ranges: bitmap-6.16 tracker serialized: folios=221 ' \
	--expect 'KHO-VM: stage 1 preserved /folios and finalized' \
	--expect 'kho_ranges: deserialize: tracker=bitmap' \
	--expect 'KHO-TEST: PASS round=1 entries=220 .* mismatches=0' \
	--expect 'KHO-TEST: bitmap-6.16 orders: checked=221 wrong=0' || rc=$?
ok $rc "bitmap tracker in the same kernel: a kho_bench folio list preserved, finalized through debugfs, handed over by kexec_file_load and kexec_load (kho_ranges_fdt=), reserved, verified"

rc=0
vmrun radix --modes file --rounds 2 \
	--append "test_kho_ranges.run=1 kho_tracker=radix" \
	--expect 'kho_ranges: deserialize: tracker=radix' \
	--expect 'KHO-TEST: PASS round=1 .* mismatches=0' \
	--expect 'KHO-TEST: radix orders: checked=[1-9][0-9]* wrong=0' || rc=$?
ok $rc "radix tree in the same kernel: handed over, validated, reserved, verified"

rc=0
vmrun fragmented --modes file --rounds 2 \
	--append "test_kho_ranges.run=1 test_kho_ranges.workload=fragmented" \
	--expect 'kho_ranges: deserialize: tracker=ranges .* bitmaps=[1-9][0-9]* extents=[1-9][0-9]*' \
	--expect 'KHO-TEST: PASS round=1 fragmented entries=[1-9][0-9]* bitmaps=[1-9][0-9]* .* mismatches=0' || rc=$?
ok $rc "fragmented region: bitmap records (ABI 2.0) handed over, holes not preserved, every byte verified"

rc=0
vmrun corrupt --modes file --rounds 2 \
	--append "test_kho_ranges.run=1 test_kho_ranges.corrupt=1" \
	--expect 'kho_ranges: blob (xxh64|crc32) 0x[0-9a-f]+, expected 0x[0-9a-f]+' \
	--expect 'kho_ranges: handover at 0x[0-9a-f]+ rejected \(-74\)' \
	--expect 'KHO-TEST: no handover from the previous kernel' || rc=$?
ok $rc "corrupted blob: rejected with -EBADMSG, boot completes"

rc=0
vmrun driver-api --modes "file classic" --hook "$top/vm/hooks/kho-finalize.sh" \
	--append "test_kho_ranges_vmalloc.run=1 test_kho_compat.run=1" \
	--expect 'KHO-VMALLOC: PASS round=1 areas=6 pages=[0-9]+ mismatches=0 ealready=ok estale=ok ebadmsg=ok' \
	--expect 'KHO-COMPAT: PASS round=1 folio\+pages\+vmalloc mismatches=0 twice=refused' || rc=$?
ok $rc "vmalloc areas (one page, 512 and 100 pages, vmalloc_huge) back through kho_ranges_restore_vmalloc(), every byte checked; -EALREADY, -ESTALE, -EBADMSG"
grep -q 'KHO-VMALLOC: PASS round=2 areas=6 .* mismatches=0' "$logs/driver-api-serial-file.log"
ok $? "chained kexec: vmalloc areas preserved in stage 2 and restored in stage 3"
grep -qE 'KHO-VMALLOC: round 1 area [0-9]+ huge: pages=1024 order=9 runs=1 ' "$logs/driver-api-serial-file.log"
ok $? "vmalloc_huge() area preserved with its page order (9) as one run"
grep -q 'KHO-COMPAT: PASS round=2 ' "$logs/driver-api-serial-file.log"
ok $? "compat layer: a module written only against <linux/kexec_handover.h> passes across kexec_file_load x2 and kexec_load"
! grep -qE 'KHO-(VMALLOC|COMPAT): .*FAIL' "$logs"/driver-api-serial-*.log
ok $? "no FAIL line from the driver API test modules"

grep -hE 'KHO-TEST: PASS|KHO-TEST: [a-z0-9.-]+ orders|KHO-VMALLOC: (PASS|round 1 area)|KHO-COMPAT: PASS|kho_ranges: deserialize|rejected' "$logs"/*-serial-*.log | sed 's/^/# /'
{
	echo "TAP version 13"
	echo "1..$n"
	cat "$tap.tmp"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
} >"$tap"
rm -f "$tap.tmp"
echo "vm-check: $pass passed, $fail failed"
[ "$fail" = 0 ]

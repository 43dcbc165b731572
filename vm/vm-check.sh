#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end kexec round trip: build the kernel (cached), build the
# initramfs, boot QEMU and check the serial log for the stage markers.
#
#   vm/vm-check.sh [--rounds R] [--modes "file classic"] [--timeout SEC]
#                  [--add SRC[:DEST]]... [--hook SCRIPT]... [--expect REGEX]...
#                  [--append ARGS]
#
# By default two VMs run side by side (one per core):
#   file     kexec -s -l (kexec_file_load), R = 3 stages (two chained kexecs)
#   classic  plain kexec -l (kexec_load), 2 stages
# --rounds sets the stage count of every mode (default: file 3, others 2).
# --expect REGEX must match a line of every log (grep -E), e.g. a marker
# printed by a hook or a test module.  --add/--hook go to build-initramfs.sh.
# A log fails on a missing marker, "KHO-VM: FAIL", or a kernel
# panic/BUG/Oops/WARNING.
#
# Kernel selection is build-kernel.sh's: KERNEL_SRC, KHO_PATCH_DIR,
# KERNEL_CONFIG_EXTRA.  VM_PARALLEL=0 runs the VMs one after the other;
# VM_VERBOSE=1 shows the build output.  Logs: .cache/vm/check/<variant>/.
# Success: exit 0, stdout "vm-check: PASS ..." and "vm-check: N passed, 0 failed".
# Failure: exit 1, the reason and the tail of the serial log.
set -euo pipefail

VM_LOG_TAG=vm-check
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

rounds=
modes="file classic"
tmo=${VM_TIMEOUT:-120}
init_args=()
expects=()
append=
while (($#)); do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--modes) modes=$2; shift 2 ;;
	--timeout) tmo=$2; shift 2 ;;
	--add | --hook) init_args+=("$1" "$2"); shift 2 ;;
	--expect) expects+=("$2"); shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	-h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) vm_die "unknown argument: $1" ;;
	esac
done

t0=$(vm_now)
mkdir -p "$VM_CACHE"
steps_log=$(mktemp "$VM_CACHE/.vm-check.XXXXXX")
trap 'rm -f "$steps_log" "$steps_log.out"' EXIT

# run_step NAME OUTFILE CMD... : stdout to OUTFILE, stderr to $steps_log
# (and to stderr with VM_VERBOSE=1); on failure print the log tail and stop.
run_step() {
	local name=$1 outf=$2 rc=0
	shift 2
	if [[ ${VM_VERBOSE:-0} == 1 ]]; then
		"$@" >"$outf" 2> >(tee -a "$steps_log" >&2) || rc=$?
	else
		"$@" >"$outf" 2>>"$steps_log" || rc=$?
	fi
	if ((rc)); then
		echo "vm-check: FAIL $name (exit $rc)"
		tail -40 "$steps_log"
		echo "vm-check: 0 passed, 1 failed"
		exit 1
	fi
}

t=$(vm_now)
run_step build-kernel "$steps_log.out" "$VM_DIR/build-kernel.sh" --env
eval "$(cat "$steps_log.out")"
t_kernel=$(vm_elapsed "$t")

out=$VM_CACHE/check/$KERNEL_VARIANT
mkdir -p "$out"
t=$(vm_now)
run_step build-initramfs "$steps_log.out" "$VM_DIR/build-initramfs.sh" --kernel "$BZIMAGE" \
	--out "$out" "${init_args[@]}"
initrd=$(tail -1 "$steps_log.out")
t_initrd=$(vm_elapsed "$t")

# ------------------------------------------------------------------ boot VMs
declare -A vm_rounds vm_time
pids=()
for mode in $modes; do
	r=${rounds:-$([[ $mode == file ]] && echo 3 || echo 2)}
	vm_rounds[$mode]=$r
	args=(--kernel "$BZIMAGE" --initrd "$initrd" --mode "$mode" --rounds "$r"
		--timeout "$tmo" --log "$out/serial-$mode.log")
	[[ -n $append ]] && args+=(--append "$append")
	rm -f "$out/result-$mode" "$out/run-$mode.err"
	(
		s=$(vm_now)
		rc=0
		"$VM_DIR/run.sh" "${args[@]}" 2>>"$out/run-$mode.err" || rc=$?
		printf '%s %s\n' "$rc" "$(vm_elapsed "$s")" >"$out/result-$mode"
	) &
	pids+=($!)
	if [[ ${VM_PARALLEL:-1} == 0 ]]; then wait "$!" || true; fi
done
wait "${pids[@]}" || true

# ------------------------------------------------------------------- checks
# check_log MODE -> prints the first problem, returns 1 on failure
check_log() {
	local mode=$1 r=${vm_rounds[$1]} log=$out/serial-$1.log i m re
	local rc
	read -r rc _ <"$out/result-$mode" || { echo "no result"; return 1; }
	[[ -f $log ]] || { echo "no serial log"; return 1; }
	if grep -q '^KHO-VM: FAIL' "$log"; then
		grep -m1 '^KHO-VM: FAIL' "$log"
		return 1
	fi
	re='Kernel panic|BUG:|Oops|WARNING:|general protection fault|Call Trace:'
	if grep -qE "$re" "$log"; then
		echo "kernel error: $(grep -m1 -E "$re" "$log")"
		return 1
	fi
	case $rc in
	124 | 137)
		echo "timed out after ${tmo}s (last marker: $(grep '^KHO-VM:' "$log" | tail -1 || echo none))"
		return 1
		;;
	esac
	for ((i = 1; i <= r; i++)); do
		grep -q "^KHO-VM: stage $i reached" "$log" || { echo "stage $i not reached"; return 1; }
		if ((i < r)); then
			m=$mode
			[[ $mode == alt ]] && m=$( ((i % 2)) && echo file || echo classic)
			grep -q "^KHO-VM: stage $i kexec -> stage $((i + 1)) ($m)" "$log" ||
				{ echo "stage $i did not kexec ($m)"; return 1; }
		fi
	done
	grep -q "^KHO-VM: all $r stages done" "$log" || { echo "final marker missing"; return 1; }
	for re in "${expects[@]}"; do
		grep -qE -- "$re" "$log" || { echo "--expect '$re' not found"; return 1; }
	done
	((rc == 0)) || { echo "qemu exited $rc"; return 1; }
	return 0
}

passed=0
failed=0
summary=()
for mode in $modes; do
	read -r _ "vm_time[$mode]" <"$out/result-$mode" 2>/dev/null || vm_time[$mode]="?"
	if why=$(check_log "$mode"); then
		passed=$((passed + 1))
		summary+=("$mode ${vm_rounds[$mode]}/${vm_rounds[$mode]} stages ${vm_time[$mode]}s")
	else
		failed=$((failed + 1))
		echo "vm-check: FAIL $mode: $why (log $out/serial-$mode.log)"
		echo "---- tail of $out/serial-$mode.log ----"
		tail -40 "$out/serial-$mode.log" 2>/dev/null || true
		echo "----"
	fi
done

release=$(cat "$KERNEL_OBJ/include/config/kernel.release" 2>/dev/null || echo '?')
if ((failed == 0 && passed > 0)); then
	joined=$(IFS=';'; echo "${summary[*]}")
	echo "vm-check: PASS $release ($KERNEL_VARIANT) ${joined//;/, }; total $(vm_elapsed "$t0")s (kernel ${t_kernel}s, initramfs ${t_initrd}s)"
fi
echo "vm-check: $passed passed, $failed failed"
((failed == 0 && passed > 0))

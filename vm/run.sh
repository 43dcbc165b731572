#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the round-trip VM once under QEMU (TCG) and log the serial console.
#
#   vm/run.sh --kernel BZIMAGE --initrd INITRD [--log FILE] [--rounds R]
#             [--mode file|classic|alt] [--timeout SEC] [--append "ARGS"]
#             [--interactive]
#
#   --rounds R      kho_rounds=R: stage 1 kexecs into 2, ... up to stage R
#                   (default 2, i.e. one kexec round trip)
#   --mode          kho_kexec=: file = kexec -s -l, classic = plain kexec -l,
#                   alt = alternate (default file)
#   --timeout SEC   hard limit for qemu (default $VM_TIMEOUT or 120)
#   --append ARGS   extra kernel command line words (also $VM_APPEND)
#   --log FILE      serial log (default .cache/vm/logs/serial.log)
#   --interactive   serial on this terminal, shell on the last stage
#                   (Ctrl-A X quits qemu)
# Environment: VM_MEM (2G), VM_ACCEL (tcg; KVM faults on this host),
#   VM_CPU (max), VM_VERBOSE=1 also copies the serial output to stderr.
# Exit status is qemu's: 0 after the guest's `reboot -f` (-no-reboot) or
# after a panic (panic=-1), 124 on timeout.  Judge success by the log.
set -euo pipefail

VM_LOG_TAG=run
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kernel=
initrd=
log=$VM_CACHE/logs/serial.log
rounds=2
mode="file"
tmo=${VM_TIMEOUT:-120}
append=${VM_APPEND:-}
interactive=0
while (($#)); do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	--timeout) tmo=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	--interactive) interactive=1; shift ;;
	-h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) vm_die "unknown argument: $1" ;;
	esac
done
[[ -f $kernel ]] || vm_die "--kernel: no such file '$kernel'"
[[ -f $initrd ]] || vm_die "--initrd: no such file '$initrd'"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || vm_die "--rounds must be a positive number"
case $mode in file | classic | alt) ;; *) vm_die "--mode must be file, classic or alt" ;; esac

vm_need qemu-system-x86_64:qemu-system-x86 timeout:coreutils

cmdline="console=ttyS0 earlyprintk=serial,ttyS0 panic=-1 oops=panic nokaslr"
cmdline+=" kho_stage=1 kho_rounds=$rounds kho_kexec=$mode"
((interactive)) && cmdline+=" kho_shell=1"
cmdline+=${append:+ ${append# }}

qemu=(qemu-system-x86_64 -accel "${VM_ACCEL:-tcg}" -cpu "${VM_CPU:-max}"
	-m "${VM_MEM:-2G}" -smp 1 -nographic -no-reboot
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline")

mkdir -p "$(dirname "$log")"
vm_log "qemu (timeout ${tmo}s): -append \"$cmdline\" -> $log"
t0=$(vm_now)
rc=0
if ((interactive)); then
	timeout --foreground "$tmo" "${qemu[@]}" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
elif [[ ${VM_VERBOSE:-0} == 1 ]]; then
	timeout -k 5 "$tmo" "${qemu[@]}" </dev/null 2>&1 | tee "$log" >&2 || rc=${PIPESTATUS[0]}
else
	timeout -k 5 "$tmo" "${qemu[@]}" </dev/null >"$log" 2>&1 || rc=$?
fi
# -nographic puts the serial line in CRLF mode; keep the log grep-friendly.
sed -i 's/\r$//' "$log"
case $rc in
0) vm_log "qemu exited 0 after $(vm_elapsed "$t0") s" ;;
124 | 137) vm_log "qemu TIMED OUT after ${tmo}s" ;;
*) vm_log "qemu exited $rc after $(vm_elapsed "$t0") s" ;;
esac
exit "$rc"

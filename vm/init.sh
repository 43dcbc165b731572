#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the kexec round-trip initramfs (busybox sh).  Installed by
# vm/build-initramfs.sh.  Behaviour is chosen on the kernel command line:
#
#   kho_stage=N     stage number of this boot (default 1)
#   kho_rounds=R    last stage: stage N < R kexecs into stage N+1 (default 2)
#   kho_kexec=MODE  file    -> kexec -s -l (kexec_file_load, default)
#                   classic -> kexec -l    (plain: kexec_load in kexec-tools 2.0.25)
#                   alt     -> file on odd stages, classic on even ones
#   kho_shell=1     on the last stage, start a shell instead of rebooting
#
# Hooks: every file in /etc/kho/stage.d/ (sorted) is run as
# `sh HOOK STAGE ROUNDS` with KHO_STAGE, KHO_ROUNDS, KHO_LAST (1 on the last
# stage) in the environment, before this stage kexecs or ends.  A hook that
# exits non-zero fails the run ("KHO-VM: FAIL ...").
#
# Serial markers (grepped by vm/vm-check.sh):
#   KHO-VM: stage N reached ...
#   KHO-VM: stage N kexec -> stage N+1 (MODE)
#   KHO-VM: all R stages done
#   KHO-VM: FAIL <reason>

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root

mkdir -p /proc /sys /dev /tmp /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
[ -c /dev/console ] || mknod -m 600 /dev/console c 5 1
exec </dev/console >/dev/console 2>&1
mount -t debugfs debugfs /sys/kernel/debug || true
mount -t tmpfs -o size=512m tmpfs /tmp || true

say() {
	read -r up _ </proc/uptime
	echo "KHO-VM: $* [t=${up}s]"
}

param() { # NAME DEFAULT
	# shellcheck disable=SC2013 # words, not lines
	for w in $(cat /proc/cmdline); do
		case $w in "$1"=*) echo "${w#*=}"; return ;; esac
	done
	echo "$2"
}

finish() {
	if [ "$(param kho_shell 0)" = 1 ]; then
		echo "KHO-VM: shell (exit to reboot)"
		setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1' || sh
	fi
	say "rebooting"
	sync
	reboot -f
	sleep 5
	echo b >/proc/sysrq-trigger 2>/dev/null
	exit 1 # init dying panics, panic=-1 reboots
}

fail() {
	say "FAIL $*"
	finish
}

stage=$(param kho_stage 1)
rounds=$(param kho_rounds 2)
mode=$(param kho_kexec file)
case $stage$rounds in *[!0-9]*) fail "bad kho_stage=$stage/kho_rounds=$rounds" ;; esac
if [ "$mode" = alt ]; then
	if [ $((stage % 2)) = 1 ]; then mode="file"; else mode="classic"; fi
fi

say "stage $stage reached (of $rounds, kexec=$mode, kernel $(uname -r))"

export KHO_STAGE="$stage" KHO_ROUNDS="$rounds" KHO_LAST=0
[ "$stage" -ge "$rounds" ] && KHO_LAST=1
for hook in /etc/kho/stage.d/*; do
	[ -f "$hook" ] || continue
	sh "$hook" "$stage" "$rounds" || fail "hook ${hook##*/} exited $? in stage $stage"
done

if [ "$stage" -ge "$rounds" ]; then
	say "all $rounds stages done"
	finish
fi

# ------------------------------------------------------------ kexec onwards
next=$((stage + 1))
[ -f /bzImage ] || fail "stage $stage: no /bzImage to kexec into"
[ -f /stage2.cpio.gz ] || fail "stage $stage: no /stage2.cpio.gz"
initrd=/stage2.cpio.gz
if [ "$next" -lt "$rounds" ]; then
	# The next stage kexecs again, so it needs the kernel and the inner
	# initramfs too: append them as an uncompressed cpio archive (the kernel
	# unpacks concatenated archives).  An archive cannot hold itself, but it
	# can hold the inner one, which is all the next stage needs.
	(cd / && printf 'bzImage\nstage2.cpio.gz\n' | cpio -o -H newc >/tmp/carry.cpio 2>/dev/null) ||
		fail "stage $stage: cpio -o failed"
	cat /stage2.cpio.gz /tmp/carry.cpio >/tmp/next-initrd.cpio || fail "no space for next initrd"
	rm -f /tmp/carry.cpio
	initrd=/tmp/next-initrd.cpio
fi

cmdline=""
# shellcheck disable=SC2013 # words, not lines
for w in $(cat /proc/cmdline); do
	case $w in kho_stage=* | kho_ranges_fdt=*) ;; *) cmdline="$cmdline $w" ;; esac
done
cmdline="${cmdline# } kho_stage=$next"

case $mode in
file) kflag=-s ;;
classic) kflag= ;;
*) fail "unknown kho_kexec=$mode" ;;
esac

# kexec_load passes no setup_data: hand a serialized kho_ranges root FDT
# over on the command line instead.
handover=/sys/kernel/debug/kho_ranges/handover
if [ "$mode" = classic ] && [ -r $handover ]; then
	fdt=$(awk '$1 == "fdt" && $2 != "0x0" { print $2 }' $handover)
	[ -n "$fdt" ] && cmdline="$cmdline kho_ranges_fdt=$fdt"
fi
# shellcheck disable=SC2086 # $kflag is empty or one word
kexec $kflag -l /bzImage --initrd="$initrd" --append="$cmdline" ||
	fail "stage $stage: kexec $kflag -l failed (rc $?)"
say "stage $stage kexec -> stage $next ($mode)"
kexec -e
fail "stage $stage: kexec -e returned (rc $?)"

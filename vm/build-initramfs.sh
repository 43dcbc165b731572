#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs pair for the QEMU kexec round trip.
#
#   vm/build-initramfs.sh --kernel BZIMAGE [--out DIR]
#                         [--add SRC[:DEST]]... [--hook SCRIPT]...
#
#   stage2.cpio.gz  inner image: busybox-static, /usr/sbin/kexec and the
#                   shared libraries ldd lists for it, /init (vm/init.sh),
#                   /dev/console, extra files and hooks.
#   initrd.cpio.gz  outer image for stage 1: stage2.cpio.gz followed by an
#                   uncompressed cpio holding /bzImage (the kernel to kexec
#                   into) and /stage2.cpio.gz.  The kernel unpacks the
#                   concatenation.  Later stages rebuild the same layout at
#                   run time (see vm/init.sh), so any number of rounds works.
#
# --add SRC[:DEST]  put file SRC at DEST (default /extra/<basename of SRC>).
#                   Dynamically linked programs get their ldd libraries too.
# --hook SCRIPT     same as --add SCRIPT:/etc/kho/stage.d/<basename>: run by
#                   /init in every stage as `sh SCRIPT STAGE ROUNDS`.
# Environment: INITRAMFS_EXTRA="SRC[:DEST] ..." and INITRAMFS_HOOKS="SCRIPT ..."
# are added to the command-line ones; SOURCE_DATE_EPOCH (default 0) sets all
# mtimes, so the output is byte-for-byte reproducible.  Outputs are only
# rewritten when their content changed.  Prints the outer image path.
set -euo pipefail

VM_LOG_TAG=build-initramfs
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kernel=
out=$VM_CACHE/initramfs
adds=()
hooks=()
while (($#)); do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--add) adds+=("$2"); shift 2 ;;
	--hook) hooks+=("$2"); shift 2 ;;
	-h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) vm_die "unknown argument: $1" ;;
	esac
done
for a in ${INITRAMFS_EXTRA:-}; do adds+=("$a"); done
for h in ${INITRAMFS_HOOKS:-}; do hooks+=("$h"); done
[[ -n $kernel ]] || vm_die "--kernel BZIMAGE is required"
[[ -f $kernel ]] || vm_die "no such kernel image: $kernel"

vm_need /bin/busybox:busybox-static /usr/sbin/kexec:kexec-tools cpio:cpio gzip:gzip
applets=$(/bin/busybox --list)
grep -qx cpio <<<"$applets" || vm_die "/bin/busybox has no cpio applet (need busybox-static)"
ldd /bin/busybox >/dev/null 2>&1 && vm_die "/bin/busybox is dynamically linked; install busybox-static"

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}
mkdir -p "$out"
out=$(realpath "$out")
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

# install_file SRC DEST [MODE]
install_file() {
	mkdir -p "$root$(dirname "$2")"
	cp -L "$1" "$root$2"
	chmod "${3:-0755}" "$root$2"
}

# Copy the shared libraries (and loader) of an ELF program, at the paths ldd
# reports, so the loader finds them in the guest.
install_libs() {
	local lib
	ldd "$1" >/dev/null 2>&1 || return 0 # static, script, module, ...
	while read -r lib; do
		[[ -e $root$lib ]] || install_file "$lib" "$lib"
	done < <(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
}

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc/kho/stage.d,lib64}
install_file /bin/busybox /bin/busybox
for applet in $applets; do
	[[ $applet == busybox || -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
done
install_file /usr/sbin/kexec /usr/sbin/kexec
install_libs /usr/sbin/kexec
install_file "$VM_DIR/init.sh" /init

for a in "${adds[@]}"; do
	src=${a%%:*}
	dst=${a#*:}
	[[ $a == *:* ]] || dst=/extra/$(basename "$src")
	[[ -f $src ]] || vm_die "--add: no such file $src"
	[[ $dst == /* ]] || dst=/$dst
	install_file "$src" "$dst"
	install_libs "$src"
	vm_log "added $src -> $dst"
done
for h in "${hooks[@]}"; do
	[[ -f $h ]] || vm_die "--hook: no such file $h"
	install_file "$h" "/etc/kho/stage.d/$(basename "$h")"
	vm_log "hook $(basename "$h")"
done

printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
if [[ $(id -u) -eq 0 ]]; then
	mknod -m 600 "$root/dev/console" c 5 1
else
	vm_log "not root: no /dev/console node in the image (init creates it after mounting devtmpfs)"
fi

# mkcpio DIR -> newc archive on stdout, sorted, owned by root, fixed mtimes
mkcpio() {
	find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet)
}

mkcpio "$root" | gzip -n -9 >"$work/stage2.cpio.gz"
# The kernel only looks for an uncompressed cpio header at 4-byte aligned
# offsets after a compressed member ("invalid magic at start of compressed
# archive" otherwise): pad the gzip member with NULs, which it skips.
pad=$(( (4 - $(stat -c %s "$work/stage2.cpio.gz") % 4) % 4 ))
head -c "$pad" /dev/zero >>"$work/stage2.cpio.gz"

carry=$work/carry
mkdir -p "$carry"
cp "$kernel" "$carry/bzImage"
cp "$work/stage2.cpio.gz" "$carry/stage2.cpio.gz"
mkcpio "$carry" >"$work/carry.cpio"
cat "$work/stage2.cpio.gz" "$work/carry.cpio" >"$work/initrd.cpio.gz"

changed=
vm_write_if_changed "$work/stage2.cpio.gz" "$out/stage2.cpio.gz" && changed+=" stage2.cpio.gz"
vm_write_if_changed "$work/initrd.cpio.gz" "$out/initrd.cpio.gz" && changed+=" initrd.cpio.gz"
vm_log "$(du -k "$out/stage2.cpio.gz" | cut -f1) KiB inner, $(du -k "$out/initrd.cpio.gz" | cut -f1) KiB outer;" \
	"$(if [[ -n $changed ]]; then echo "updated$changed"; else echo unchanged; fi)"
printf '%s\n' "$out/initrd.cpio.gz"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Assemble the kernel series into one directory that vm/build-kernel.sh
# (KHO_PATCH_DIR=) or a developer can apply to a 6.12 tree:
#
#   patches/assemble.sh OUT
#   cp -r OUT/{mm,include,lib} /path/to/linux/     # the overlay files
#   cd /path/to/linux && for p in $(cat OUT/series); do patch -p1 < OUT/$p; done
#
# The overlay is the project's kernel C, copied unchanged; the patches are
# the memblock patches (patches/memblock) and the wiring (patches/kernel).
# The benchmark's baselines (bench/baselines/: the ops table, one file per
# baseline, their kernel glue) go into mm/, their headers private to mm/
# where #include "kho_baseline.h" finds them, but for the glue's API,
# kho_baseline_kernel.h, which goes to include/linux/ for the test module
# and the architecture code (kho_tracker=NAME).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: assemble.sh OUT}

rm -rf "$out.tmp"
mkdir -p "$out.tmp/mm" "$out.tmp/include/linux" "$out.tmp/lib"
cp "$top"/mm/kho_ranges*.c "$top"/mm/kho_ranges*.h "$out.tmp/mm/"
cp "$top"/include/linux/kho_ranges*.h "$top"/include/linux/kexec_handover.h \
	"$out.tmp/include/linux/"
for f in "$top"/bench/baselines/*.[ch]; do
	case $f in
	*/kho_baseline_kernel.h) cp "$f" "$out.tmp/include/linux/" ;;
	*) cp "$f" "$out.tmp/mm/" ;;
	esac
done
for f in "$top"/lib/*.c "$top"/bench/kernel/*.c "$top"/bench/kernel/*.h; do
	[ -e "$f" ] || continue
	case $f in
	*/lib/*) cp "$f" "$out.tmp/lib/" ;;
	*.h) cp "$f" "$out.tmp/include/linux/" ;;
	*) cp "$f" "$out.tmp/mm/" ;;
	esac
done
: >"$out.tmp/series"
for p in "$top"/patches/memblock/*.patch "$top"/patches/kernel/*.patch; do
	[ -e "$p" ] || continue
	n=$(basename "$(dirname "$p")")-$(basename "$p")
	cp "$p" "$out.tmp/$n"
	echo "$n" >>"$out.tmp/series"
done
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make vm-bench`: the benchmark's workloads in QEMU, both trackers in the
# same kernel binary, timed by the kernel that kexec started.
#
#   vm/vm-bench.sh [--reps N] [--out DIR] [--cases "CASE ..."]
#
# A CASE is WORKLOAD:PARAM, e.g. rapoport:100 (nr_per_order),
# alternate:64 (MiB) or empty:0 (only the test's own record page: the
# fixed cost). For every case, rep and tracker (kho_tracker=ranges,
# then kho_tracker=bitmap, then kho_tracker=radix: interleaved, so that
# load on the host hits all alike) one VM boots, lib/test_kho_ranges.c
# preserves the workload in
# stage 1, and stage 2 prints its boot-time line
#
#   kho_ranges: deserialize: tracker=T mode=M ranges= folios= pages= ns= cycles= ...
#
# (cycles: get_cycles(), the TSC, stamped at boot; ns: the same converted
# with tsc_khz once it is calibrated) and restores and verifies every folio
# (KHO-TEST: PASS). The ranges line also has the cycles of each phase of
# kho_ranges_deserialize() (fdt_cycles= ... merge_cycles=), a baseline's
# its two walks (memblock_cycles=, memmap_cycles=) and the untimed work
# before them (prep_cycles=). The lines go to DIR/vm-WORKLOAD.csv (one row
# per boot), DIR/vm-summary.csv (medians and the baseline/ranges ratio per
# case), DIR/vm-phases.csv (the median of every phase per case),
# DIR/vm-ratios.csv (the VM's ratios beside those of the userspace harness,
# build/kho_bench run on the same sizes) and DIR/vm-WORKLOAD.png.
#
# Environment: KHO_BENCH (build/kho_bench), VM_MEM (default 4G),
# VM_BENCH_REPS (3), VM_BENCH_CASES,
# VM_BENCH_TIMEOUT per boot (300 s). Serial logs: build/vm-bench/.
# Times are TCG's: compare trackers, not machines.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

reps=${VM_BENCH_REPS:-3}
kho_bench=${KHO_BENCH:-$top/build/kho_bench}
trackers=${VM_BENCH_TRACKERS:-"ranges bitmap radix"}
out=$top/results
cases=${VM_BENCH_CASES:-"empty:0 rapoport:30 rapoport:100 rapoport:300 alternate:16 alternate:64"}
while (($#)); do
	case $1 in
	--reps) reps=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--cases) cases=$2; shift 2 ;;
	-h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "vm-bench: unknown argument $1" >&2; exit 2 ;;
	esac
done
export VM_MEM=${VM_MEM:-4G}
tmo=${VM_BENCH_TIMEOUT:-300}
logs=$top/build/vm-bench
series=$top/build/kho-series-bench
mkdir -p "$logs" "$out"
t_start=$(date +%s)

# Its own patch directory, so that vm-check's build is never disturbed.
patches/assemble.sh "$series" >/dev/null
bz=$(KHO_PATCH_DIR=$series KERNEL_CONFIG_EXTRA=$top/patches/kho.config \
	vm/build-kernel.sh | tail -1)
vm/build-initramfs.sh --kernel "$bz" --out "$logs/initramfs" >/dev/null
initrd=$logs/initramfs/initrd.cpio.gz

# the optional fields of the deserialize line, one CSV column each
phase_cols="memblock_cycles memmap_cycles prep_cycles fdt_cycles hdr_cycles csum_cycles records_cycles move_cycles merge_cycles tsc_khz"
re_line='kho_ranges: deserialize: tracker=([a-z]+) mode=([a-z]+) ranges=([0-9]+) folios=([0-9]+) pages=([0-9]+) ns=([0-9]+) cycles=([0-9]+)'
for c in $cases; do
	w=${c%%:*}
	: >"$logs/$w.rows"
done

for c in $cases; do
	w=${c%%:*}
	p=${c#*:}
	case $w in
	rapoport) args="test_kho_ranges.workload=rapoport test_kho_ranges.nr_per_order=$p" ;;
	alternate) args="test_kho_ranges.workload=alternate test_kho_ranges.alternate_mib=$p" ;;
	empty) args="test_kho_ranges.nr_blocks=0 test_kho_ranges.nr_areas=0" ;;
	*) echo "vm-bench: unknown workload $w" >&2; exit 2 ;;
	esac
	for ((r = 1; r <= reps; r++)); do
		for t in $trackers; do
			log=$logs/$w-$p-$t-$r.log
			t0=$(date +%s)
			vm/run.sh --kernel "$bz" --initrd "$initrd" --rounds 2 \
				--timeout "$tmo" --log "$log" \
				--append "test_kho_ranges.run=1 kho_tracker=$t $args" \
				2>/dev/null || true
			line=$(grep -oE "$re_line.*" "$log" | head -1 || true)
			pass=0
			grep -qE 'KHO-TEST: PASS round=1 .* mismatches=0' "$log" && pass=1
			if [[ ! $line =~ $re_line ]] || [[ ${BASH_REMATCH[1]} != "$t" ]]; then
				echo "vm-bench: $w:$p $t rep $r: no deserialize line for $t, see $log" >&2
				exit 1
			fi
			extra=
			for f in $phase_cols; do
				extra+=,$(sed -nE "s/.* $f=([0-9]+).*/\\1/p" <<<"$line")
			done
			echo "$w,$p,$t,${BASH_REMATCH[2]},$r,${BASH_REMATCH[3]},${BASH_REMATCH[4]},${BASH_REMATCH[5]},${BASH_REMATCH[6]},${BASH_REMATCH[7]}$extra,$pass" \
				>>"$logs/$w.rows"
			printf 'vm-bench: %-9s %-4s %-6s rep %d: cycles=%-10s ranges=%-6s folios=%-6s verified=%s (%ss)\n' \
				"$w" "$p" "$t" "$r" "${BASH_REMATCH[7]}" "${BASH_REMATCH[3]}" \
				"${BASH_REMATCH[4]}" "$pass" "$(($(date +%s) - t0))"
			((pass)) || { echo "vm-bench: $w:$p $t rep $r did not verify, see $log" >&2; exit 1; }
		done
	done
done

hdr=workload,param,tracker,mode,rep,ranges,folios,pages,ns,cycles,${phase_cols// /,},verified
echo "workload,param,tracker,mode,boots,ranges,folios,pages,median_cycles,min_cycles,max_cycles,over_ranges" \
	>"$out/vm-summary.csv"
for w in $(for c in $cases; do echo "${c%%:*}"; done | sort -u); do
	{ echo "$hdr"; cat "$logs/$w.rows"; } >"$out/vm-$w.csv"
	# medians per (param, tracker); the ratio on the bitmap row
	tail -n +2 "$out/vm-$w.csv" | sort -t, -k2,2n -k3,3r -k10,10n | awk -F, '
		function flush() {
			if (!n)
				return
			med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			m[key] = med
			ratio = ""
			if (tr != "ranges" && ((w "," p ",ranges") in m))
				ratio = sprintf("%.2f", med / m[w "," p ",ranges"])
			printf "%s,%s,%s,%s,%d,%s,%s,%s,%d,%d,%d,%s\n", w, p, tr, mode,
				n, rg, fo, pg, med, v[1], v[n], ratio
			n = 0
		}
		{
			k = $1 "," $2 "," $3
			if (k != key) { flush(); key = k; w = $1; p = $2; tr = $3 }
			mode = $4; rg = $6; fo = $7; pg = $8; v[++n] = $10
		}
		END { flush() }' >>"$out/vm-summary.csv"
	grep "^$w," "$out/vm-summary.csv" | awk -F, -v t="$w" '
		$3 == "ranges" { r[$2] = $9; f[$2] = $7 }
		$3 == "bitmap" { b[$2] = $9 }
		$3 == "radix" { x[$2] = $9 }
		END { for (p in r) print f[p], r[p] / 1e6, b[p] / 1e6, x[p] / 1e6 }' |
		sort -n >"$logs/$w.dat"
	gnuplot <<-EOF
		set terminal pngcairo size 800,500
		set output "$out/vm-$w.png"
		set title "$w in QEMU (TCG, $VM_MEM): boot-time deserialize, median of $reps boots"
		set xlabel "preserved folios (bitmap tracker)"
		set ylabel "deserialize (million TSC cycles, TCG)"
		set logscale xy
		set key top left
		set grid
		plot "$logs/$w.dat" using 1:3 with linespoints title "bitmap (upstream 6.16)", \
		     "$logs/$w.dat" using 1:4 with linespoints title "radix (upstream 2026)", \
		     "$logs/$w.dat" using 1:2 with linespoints title "ranges (bulk)"
	EOF
done
# the median of every column of the figure, per case
ncols=$((10 + $(wc -w <<<"$phase_cols")))
echo "workload,param,tracker,boots,ns,cycles,${phase_cols// /,}" >"$out/vm-phases.csv"
for w in $(for c in $cases; do echo "${c%%:*}"; done | sort -u); do
	tail -n +2 "$out/vm-$w.csv" | awk -F, -v ncols="$ncols" '
		function median(k, col,   i, j, x, m, a) {
			m = 0
			for (i = 1; i <= n[k]; i++)
				if (v[k, i, col] != "")
					a[++m] = v[k, i, col] + 0
			if (!m)
				return ""
			for (i = 2; i <= m; i++) {
				x = a[i]
				for (j = i - 1; j >= 1 && a[j] > x; j--)
					a[j + 1] = a[j]
				a[j + 1] = x
			}
			return sprintf("%.0f", m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2)
		}
		{
			k = $1 "," $2 "," $3
			if (!(k in n))
				keys[++nk] = k
			n[k]++
			for (c = 9; c <= ncols; c++)
				v[k, n[k], c] = $c
		}
		END {
			for (i = 1; i <= nk; i++) {
				line = keys[i] "," n[keys[i]]
				for (c = 9; c <= ncols; c++)
					line = line "," median(keys[i], c)
				print line
			}
		}' >>"$out/vm-phases.csv"
done

# The VM's ratios beside the userspace harness's on the same sizes: one
# kho_bench run per case, bitmap-6.16 and radix with their per-folio
# memblock calls against ranges-bulk, as in the kernel.
# walk: the ranges figure without the phases whose cost under TCG is fixed,
# that of translating code met for the first time (FDT, header, checksum,
# move; see kho_ranges_warm), beside the baselines' whole walks.
echo "workload,param,vm_folios,vm_ranges_cycles,vm_bitmap_over_ranges,vm_radix_over_ranges,vm_ranges_walk_cycles,vm_bitmap_over_ranges_walk,vm_radix_over_ranges_walk,harness_folios,harness_ranges_ns,harness_bitmap_over_ranges,harness_radix_over_ranges" \
	>"$out/vm-ratios.csv"
for c in $cases; do
	w=${c%%:*}
	p=${c#*:}
	case $w in
	rapoport) hargs="--per-order $p" ;;
	alternate) hargs="--mib $p" ;;
	*) hargs= ;;
	esac
	h=,,,
	if [ -n "$hargs" ] && [ -x "$kho_bench" ] && "$kho_bench" "$w" $hargs --reps 3 \
		--baselines bitmap-6.16,radix --strategies baseline,ranges-bulk \
		--ram-gib "${VM_MEM%G}" --no-summary --csv "$logs/harness-$w-$p.csv" \
		>/dev/null 2>&1; then
		h=$(sed 's/"[^"]*"//' "$logs/harness-$w-$p.csv" | awk -F, '
			$5 == "ranges" && $6 == "ranges-bulk" { r = $14; f = $3 }
			$5 == "bitmap-6.16" && $6 == "bitmap" { b = $14 }
			$5 == "radix" && $6 == "radix" { x = $14 }
			END {
				if (r > 0)
					printf "%s,%s,%.2f,%.2f", f, r, b / r, x / r
				else
					printf ",,,"
			}')
	fi
	awk -F, -v w="$w" -v p="$p" -v h="$h" '
		function ratio(a, b) { return a > 0 && b > 0 ? sprintf("%.2f", a / b) : "" }
		FILENAME ~ /vm-phases/ {
			if ($1 == w && $2 == p && $3 == "ranges")
				rw[$2] = $13 + $15
			next
		}
		$1 != w || $2 != p { next }
		!($2 in seen) { seen[$2] = 1; ps[++np] = $2 }
		$3 == "ranges" { f[$2] = $7; r[$2] = $9 }
		$3 == "bitmap" { b[$2] = $12; bc[$2] = $9 }
		$3 == "radix" { x[$2] = $12; xc[$2] = $9 }
		END {
			for (i = 1; i <= np; i++) {
				p = ps[i]
				print w "," p "," f[p] "," r[p] "," b[p] "," x[p] "," rw[p] "," \
					ratio(bc[p], rw[p]) "," ratio(xc[p], rw[p]) "," h
			}
		}' "$out/vm-phases.csv" "$out/vm-summary.csv" >>"$out/vm-ratios.csv"
done

# column(1) merges empty fields: show them as -
show() { sed -E ':a; s/,,/,-,/; ta; s/,$/,-/' "$1" | column -s, -t; }
show "$out/vm-summary.csv"
echo
show "$out/vm-phases.csv"
echo
show "$out/vm-ratios.csv"
echo "vm-bench: $(($(date +%s) - t_start)) s, VM_MEM=$VM_MEM, $reps boots per case and tracker"

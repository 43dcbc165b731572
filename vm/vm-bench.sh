#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make vm-bench`: the benchmark's workloads in QEMU, every tracker in the
# same kernel binary, timed by the kernel that kexec started, beside the
# userspace harness on the very same folio list.
#
#   vm/vm-bench.sh [--reps N] [--out DIR] [--cases "CASE ..."] [--jobs N]
#
# For every CASE (below), build/kho_bench generates the workload with
# --ram-gib VM_BENCH_RAM_GIB and writes its folio list (--dump); the
# harness measures that list (kho_bench replay: every baseline's upstream
# walk against ranges-bulk, --reps 7), and the list goes into the VM's
# initramfs as /folios. For every case and tracker (kho_tracker=ranges,
# bitmap-6.16, bitmap-6.18, radix) one VM boots a chain of reps + 1
# kernels of the same binary (ranges: VM_BENCH_RANGES_REPS + 1): in each but the last the hook
# vm/hooks/kho-list.sh writes the list into lib/test_kho_ranges.c
# (test_kho_ranges.workload=list), which maps it into the VM's RAM and
# preserves it, and serializes through kho_ranges/finalize; each kernel
# after the first (one rep each), booted with kho_ranges_warm,
# deserializes twice and prints
#
#   kho_ranges: deserialize: tracker=T mode=M ranges= folios= pages= ns= cycles= ...
#   kho_ranges: deserialize: warm: tracker=T warm_ns= warm_cycles= ...
#
# (the first pass, then the second one on memblock.reserved put back as
# the first found it; cycles: get_cycles(), the TSC, stamped at boot; ns:
# converted once the frequency is known) with the cycles of every phase
# (ranges: fdt_ hdr_ csum_ records_ move_ merge_cycles; a baseline:
# memblock_ and memmap_cycles, prep_cycles before them), then restores and
# verifies every folio (KHO-TEST: PASS).
#
# Cases (VM_BENCH_CASES, default all but empty):
#   rapoport          rapoport --per-order VM_BENCH_PER_ORDER (buddy-like)
#   rapoport-uniform  the same, --uniform
#   scatter           scatter --count VM_BENCH_SCATTER
#   contig-0          contig --order 0 --gib VM_BENCH_CONTIG_GIB
#   contig-9          contig --order 9 --gib VM_BENCH_CONTIG_GIB
#   vmalloc           vmalloc (64 areas of 256 pages)
#   alternate         alternate --mib VM_BENCH_ALTERNATE_MIB
#   empty             no list: the test's own record page (fixed cost)
#
# Outputs in DIR: vm-CASE.csv (one row per boot), vm-summary.csv (medians,
# cold and warm, and each baseline's ratio to ranges), vm-phases.csv (the
# median of every phase), vm-ratios.csv (per case and baseline: harness
# ratio, VM ratios and the phases; vm-ratios.md the same as a table),
# vm-ratios.png (VM ratio against harness ratio). Serial logs and lists:
# build/vm-bench/.
#
# Environment: KHO_BENCH (build/kho_bench), VM_MEM (5G), VM_BENCH_REPS (3),
# VM_BENCH_RANGES_REPS (5: ranges' short window takes the host's
# preemptions as outliers, see below), VM_BENCH_TRACKERS, VM_BENCH_JOBS (VMs at a time, 1), VM_BENCH_TIMEOUT
# per VM (300 s), VM_BENCH_RAM_GIB (3: the harness's RAM, which the VM
# must hold), VM_BENCH_PER_ORDER (150), VM_BENCH_SCATTER (10000),
# VM_BENCH_CONTIG_GIB (3), VM_BENCH_ALTERNATE_MIB (64).
# Times are TCG's: compare trackers, not machines.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

reps=${VM_BENCH_REPS:-3}
# ranges' window is 0.1-10 ms, a host timeslice: one preemption of the
# vCPU in it moves a sample by a whole timeslice, so it gets more samples
ranges_reps=${VM_BENCH_RANGES_REPS:-5}
kho_bench=${KHO_BENCH:-$top/build/kho_bench}
trackers=${VM_BENCH_TRACKERS:-"ranges bitmap-6.16 bitmap-6.18 radix"}
out=$top/results
cases=${VM_BENCH_CASES:-"rapoport rapoport-uniform scatter contig-0 contig-9 vmalloc alternate"}
jobs=${VM_BENCH_JOBS:-1}
while (($#)); do
	case $1 in
	--reps) reps=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--cases) cases=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	-h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "vm-bench: unknown argument $1" >&2; exit 2 ;;
	esac
done
export VM_MEM=${VM_MEM:-5G}
ram_gib=${VM_BENCH_RAM_GIB:-3}
tmo=${VM_BENCH_TIMEOUT:-300}
logs=$top/build/vm-bench
series=$top/build/kho-series-bench
mkdir -p "$logs/lists" "$out"
t_start=$(date +%s)

# the kho_bench arguments of a case
case_args() {
	case $1 in
	rapoport) echo "rapoport --per-order ${VM_BENCH_PER_ORDER:-150}" ;;
	rapoport-uniform) echo "rapoport --uniform --per-order ${VM_BENCH_PER_ORDER:-150}" ;;
	scatter) echo "scatter --count ${VM_BENCH_SCATTER:-10000}" ;;
	contig-0) echo "contig --order 0 --gib ${VM_BENCH_CONTIG_GIB:-3}" ;;
	contig-9) echo "contig --order 9 --gib ${VM_BENCH_CONTIG_GIB:-3}" ;;
	vmalloc) echo "vmalloc" ;;
	alternate) echo "alternate --mib ${VM_BENCH_ALTERNATE_MIB:-64}" ;;
	empty) echo "" ;;
	*) echo "vm-bench: unknown case $1" >&2; return 1 ;;
	esac
}
for c in $cases; do case_args "$c" >/dev/null; done

# Its own patch directory, so that vm-check's build is never disturbed.
patches/assemble.sh "$series" >/dev/null
bz=$(KHO_PATCH_DIR=$series KERNEL_CONFIG_EXTRA=$top/patches/kho.config \
	vm/build-kernel.sh | tail -1)
t_built=$(date +%s)

# The lists, the harness on them, one initramfs per case.
harness_rows() { # CASE CSV: tracker,strategy,folios,records,deserialize_ns
	sed 's/"[^"]*"//' "$2" | awk -F, -v c="$1" 'NR > 1 { print c "," $5 "," $6 "," $3 "," $13 "," $14 }'
}
: >"$logs/harness.rows"
for c in $cases; do
	args=$(case_args "$c")
	list=$logs/lists/$c.folios
	if [ -n "$args" ]; then
		# shellcheck disable=SC2086 # $args is words
		"$kho_bench" $args --ram-gib "$ram_gib" --dump "$list.tmp" \
			--reps 1 --warmup 0 --baselines bitmap-6.16 \
			--strategies ranges-bulk --no-summary >/dev/null
		mv "$list.tmp" "$list"
		rm -f "$logs/harness-$c.csv"
		"$kho_bench" replay --input "$list" --ram-gib "$ram_gib" --reps 7 \
			--baselines bitmap-6.16,bitmap-6.18,radix \
			--strategies baseline,ranges-bulk --no-summary \
			--csv "$logs/harness-$c.csv" >/dev/null
		harness_rows "$c" "$logs/harness-$c.csv" >>"$logs/harness.rows"
		vm/build-initramfs.sh --kernel "$bz" --out "$logs/initramfs-$c" \
			--add "$list:/folios" --hook vm/hooks/kho-list.sh >/dev/null
	else
		vm/build-initramfs.sh --kernel "$bz" --out "$logs/initramfs-$c" >/dev/null
	fi
	printf 'vm-bench: %-16s %s (%s folios)\n' "$c" "${args:-no list}" \
		"$( [ -n "$args" ] && grep -vc '^#' "$list" || echo 0)"
done
t_lists=$(date +%s)

# One VM per case and tracker, a chain of reps + 1 kernels: stage 1
# preserves, stages 2.. each deserialize (one rep each), verify, and but
# for the last preserve the list again.
nreps() { # TRACKER
	if [ "$1" = ranges ]; then echo "$ranges_reps"; else echo "$reps"; fi
}
run() { # CASE TRACKER
	local c=$1 t=$2 log args t0
	log=$logs/$c-$t.log
	args="test_kho_ranges.run=1 kho_tracker=$t kho_ranges_warm"
	if [ -n "$(case_args "$c")" ]; then
		args+=" test_kho_ranges.workload=list"
	else
		args+=" test_kho_ranges.nr_blocks=0 test_kho_ranges.nr_areas=0"
	fi
	t0=$(date +%s)
	vm/run.sh --kernel "$bz" --initrd "$logs/initramfs-$c/initrd.cpio.gz" \
		--rounds $(($(nreps "$t") + 1)) --timeout "$tmo" --log "$log" \
		--append "$args" >/dev/null 2>&1 || true
	echo "$(($(date +%s) - t0))" >"$log.secs"
	printf 'vm-bench: %-16s %-11s %s(%ss)\n' "$c" "$t" \
		"$(grep -oE 'deserialize: (warm: )?tracker=[a-z]+.* (cycles|warm_cycles)=[0-9]+' "$log" |
			sed -E 's/.* (warm_)?cycles=([0-9]+)$/\1cycles=\2/' | tr '\n' ' ')" \
		"$(cat "$log.secs")"
}

# cold: the line's own fields; warm: those of the warm line
cold_cols="ranges folios pages ns cycles memblock_cycles memmap_cycles prep_cycles fdt_cycles hdr_cycles csum_cycles records_cycles move_cycles merge_cycles bitmaps extents tsc_khz"
warm_cols="warm_ns warm_cycles warm_memblock_cycles warm_memmap_cycles warm_fdt_cycles warm_hdr_cycles warm_csum_cycles warm_records_cycles warm_move_cycles warm_merge_cycles"
field() { # NAME LINE
	sed -nE "s/.* $1=([0-9]+).*/\\1/p" <<<" $2"
}
parse() { # CASE TRACKER REP -> one CSV row, or a message and failure
	local c=$1 t=$2 r=$3 log line warm row f want mode breaks
	log=$logs/$c-$t.log
	line=$(grep -oE 'kho_ranges: deserialize: tracker=[a-z].*' "$log" | sed -n "${r}p" || true)
	warm=$(grep -oE 'kho_ranges: deserialize: warm: .*' "$log" | sed -n "${r}p" || true)
	want=$t
	[ "$t" = ranges ] || want=$(sed -nE 's/.* baseline=([a-z0-9.-]+).*/\1/p' <<<"$line")
	if [ -z "$line" ] || [ "$want" != "$t" ]; then
		echo "vm-bench: $c $t rep $r: no deserialize line for $t, see $log" >&2
		return 1
	fi
	if ! grep -qE "KHO-TEST: PASS round=$r .* mismatches=0" "$log"; then
		echo "vm-bench: $c $t rep $r did not verify, see $log" >&2
		return 1
	fi
	mode=$(sed -nE 's/.* mode=([a-z]+).*/\1/p' <<<"$line")
	row="$c,$t,$mode,$r"
	for f in $cold_cols; do row+=,$(field "$f" "$line"); done
	for f in $warm_cols; do row+=,$(field "$f" "$warm"); done
	# the list's adjacent blocks that landed apart in the VM this round
	breaks=$(grep -oE 'list preserved: .* breaks=[0-9]+' "$log" | sed -n "${r}p" | sed -E 's/.*breaks=//')
	echo "$row,$breaks,$(cat "$log.secs"),1"
}

# The VMs, one after the other by default: a second VM on a 2-core host
# preempts the vCPU of the first, and the TSC counts that time, in long
# walks more often than in short ones (VM_BENCH_JOBS=2 made the bitmap
# walk of scatter 50% slower and left ranges' 2 ms alone).
n=0
for c in $cases; do
	for t in $trackers; do
		run "$c" "$t" &
		n=$((n + 1))
		if ((n >= jobs)); then
			wait -n
			n=$((n - 1))
		fi
	done
done
wait
t_boots=$(date +%s)

hdr="case,tracker,mode,rep,${cold_cols// /,},${warm_cols// /,},breaks,vm_s,verified"
for c in $cases; do
	{
		echo "$hdr"
		for t in $trackers; do
			for ((r = 1; r <= $(nreps "$t"); r++)); do
				parse "$c" "$t" "$r"
			done
		done
	} >"$out/vm-$c.csv"
done

# medians of every numeric column per (case, tracker): vm-phases.csv
ncols=$(awk -F, '{ print NF; exit }' <<<"$hdr")
echo "case,tracker,boots,${cold_cols// /,},${warm_cols// /,},breaks,vm_s" >"$out/vm-phases.csv"
for c in $cases; do
	tail -n +2 "$out/vm-$c.csv" | awk -F, -v ncols="$ncols" '
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
			k = $1 "," $2
			if (!(k in n))
				keys[++nk] = k
			n[k]++
			for (c = 5; c < ncols; c++)
				v[k, n[k], c] = $c
		}
		END {
			for (i = 1; i <= nk; i++) {
				line = keys[i] "," n[keys[i]]
				for (c = 5; c < ncols; c++)
					line = line "," median(keys[i], c)
				print line
			}
		}' >>"$out/vm-phases.csv"
done

# vm-phases.csv columns, by name
col() { awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) print i; exit }' "$out/vm-phases.csv"; }

# vm-summary.csv: cold and warm medians, each baseline over ranges
awk -F, -v cy="$(col cycles)" -v wcy="$(col warm_cycles)" -v rg="$(col ranges)" \
	-v fo="$(col folios)" -v pg="$(col pages)" -v ex="$(col extents)" '
	function ratio(a, b) { return a > 0 && b > 0 ? sprintf("%.2f", a / b) : "" }
	BEGIN { print "case,tracker,boots,records,extents,folios,pages,median_cycles,median_warm_cycles,over_ranges,warm_over_ranges" }
	NR == 1 { next }
	{
		if ($2 == "ranges") { r[$1] = $cy; w[$1] = $wcy }
		print $1 "," $2 "," $3 "," $rg "," $ex "," $fo "," $pg "," $cy "," $wcy "," \
			ratio($cy, r[$1]) "," ratio($wcy, w[$1])
	}' "$out/vm-phases.csv" >"$out/vm-summary.csv"

# vm-ratios.csv: per case and baseline, the harness's ratio on the same
# list beside the VM's, cold (first pass) and warm (second pass), with the
# ranges phases (warm) and the baseline's two walks (warm)
awk -F, -v cy="$(col cycles)" -v wcy="$(col warm_cycles)" -v ex="$(col extents)" \
	-v fo="$(col folios)" -v wf="$(col warm_fdt_cycles)" -v wh="$(col warm_hdr_cycles)" \
	-v wc="$(col warm_csum_cycles)" -v wr="$(col warm_records_cycles)" \
	-v wmv="$(col warm_move_cycles)" -v wmg="$(col warm_merge_cycles)" \
	-v wmb="$(col warm_memblock_cycles)" -v wmm="$(col warm_memmap_cycles)" \
	-v khz="$(col tsc_khz)" '
	function ratio(a, b) { return a > 0 && b > 0 ? sprintf("%.3g", a / b) : "" }
	BEGIN {
		print "case,baseline,folios,ranges_extents,harness_ranges_ns,harness_baseline_ns,harness_ratio," \
			"vm_ranges_cycles,vm_baseline_cycles,vm_ratio,vm_warm_ranges_cycles,vm_warm_baseline_cycles,vm_warm_ratio," \
			"warm_ratio_over_harness,warm_fdt,warm_hdr,warm_csum,warm_records,warm_move,warm_merge," \
			"warm_baseline_memblock,warm_baseline_memmap,vm_warm_ranges_ns,vm_warm_baseline_ns"
	}
	FILENAME ~ /harness/ {
		if ($3 == "ranges-bulk")
			hr[$1] = $6
		else
			hb[$1, $2] = $6
		next
	}
	FNR == 1 { next }
	$2 == "ranges" {
		cases[++nc] = $1
		rc[$1] = $cy; rw[$1] = $wcy; rx[$1] = $ex; rf[$1] = $fo; k[$1] = $khz
		ph[$1] = $wf "," $wh "," $wc "," $wr "," $wmv "," $wmg
		next
	}
	{ bc[$1, $2] = $cy; bw[$1, $2] = $wcy; bm[$1, $2] = $wmb "," $wmm; bl[$1, ++nb[$1]] = $2 }
	END {
		for (i = 1; i <= nc; i++) {
			c = cases[i]
			for (j = 1; j <= nb[c]; j++) {
				b = bl[c, j]
				h = ratio(hb[c, b], hr[c])
				vw = ratio(bw[c, b], rw[c])
				ns = k[c] > 0 ? sprintf("%.0f,%.0f", rw[c] * 1e6 / k[c], bw[c, b] * 1e6 / k[c]) : ","
				print c "," b "," rf[c] "," rx[c] "," hr[c] "," hb[c, b] "," h "," \
					rc[c] "," bc[c, b] "," ratio(bc[c, b], rc[c]) "," rw[c] "," bw[c, b] "," vw "," \
					ratio(vw, h) "," ph[c] "," bm[c, b] "," ns
			}
		}
	}' "$logs/harness.rows" "$out/vm-phases.csv" >"$out/vm-ratios.csv"

# vm-ratios.png: VM ratio against harness ratio, one point per case and
# baseline (each case labelled at its bitmap-6.16 point), log-log, with
# y = x and the 2x band
awk -F, 'NR > 1 && $7 != "" && $13 != "" { print $7, $13, $10, $1 "/" $2 }' \
	"$out/vm-ratios.csv" >"$logs/ratios.dat"
# one label per case, on its bitmap-6.16 point
awk '$4 ~ /\/bitmap-6.16$/ { sub("/.*", "", $4); print }' "$logs/ratios.dat" >"$logs/labels.dat"
gnuplot <<-EOF
	set terminal pngcairo size 1000,700 enhanced font ",10"
	set output "$out/vm-ratios.png"
	set title "baseline deserialize / ranges deserialize: VM (QEMU TCG, $VM_MEM, medians of $reps and $ranges_reps kernels) against the harness, same folio lists"
	set xlabel "harness ratio (kho\\\\_bench replay, median of 7)"
	set ylabel "VM ratio"
	set logscale xy
	set grid xtics ytics mxtics mytics lc rgb "#dddddd"
	set key top left
	set format x "10^{%T}"
	set format y "10^{%T}"
	plot x with lines lc rgb "black" title "y = x", \
	     2 * x with lines dt 2 lc rgb "gray" title "2x", \
	     x / 2 with lines dt 2 lc rgb "gray" notitle, \
	     "$logs/ratios.dat" using 1:2 with points pt 7 ps 1.2 title "VM warm (second pass)", \
	     "$logs/ratios.dat" using 1:3 with points pt 6 ps 1.2 title "VM cold (first pass)", \
	     "$logs/labels.dat" using 1:2:4 with labels offset 0.8,0.5 left font ",9" notitle
EOF

# the table of bench/README.md: per case and baseline, ratios and phases
awk -F, '
	function m(x) { return x == "" ? "-" : sprintf("%.3g M", x / 1e6) }
	NR == 1 {
		print "| case | baseline | folios | extents | harness ratio | VM cold ratio | VM warm ratio | warm / harness | ranges warm: fdt | hdr | csum | records | move | merge | total | baseline warm: memblock | memmap | total |"
		print "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
		next
	}
	{
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			$1, $2, $3, $4, $7, $10, $13, $14, m($15), m($16), m($17), m($18),
			m($19), m($20), m($11), m($21), m($22), m($12)
	}' "$out/vm-ratios.csv" >"$out/vm-ratios.md"

# column(1) merges empty fields: show them as -
show() { sed -E ':a; s/,,/,-,/; ta; s/,$/,-/' "$1" | column -s, -t; }
show "$out/vm-summary.csv"
echo
cut -d, -f1-14 "$out/vm-ratios.csv" >"$logs/ratios-short.csv"
show "$logs/ratios-short.csv"
echo "vm-bench: $(($(date +%s) - t_start)) s (kernel $((t_built - t_start)) s, lists and harness $((t_lists - t_built)) s, $(($(wc -w <<<"$cases") * $(wc -w <<<"$trackers"))) VMs $((t_boots - t_lists)) s, $jobs at a time), VM_MEM=$VM_MEM, RAM of the lists ${ram_gib} GiB, $reps kernels per case and baseline, $ranges_reps for ranges; load: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The default benchmark suite (make bench): every workload with kho_ranges
# and every baseline of bench/baselines/ (bitmap-6.16, bitmap-6.18, radix),
# CSVs and plots into results/, and a summary of the ratios.
#
#   bench/run.sh BENCH_BINARY RESULTS_DIR
#
# KB_QUICK=1 shrinks every workload (a smoke test of the whole pipeline).
# KB_REPS=N sets the timed runs a measurement (default 11).
# KB_SUMMARY_ONLY=1 measures nothing: it prints the tables of the CSVs
# already in RESULTS_DIR.
set -euo pipefail

bench=${1:-build/kho_bench}
out=${2:-results}
here=$(dirname "$0")
quick=${KB_QUICK:-0}
summary_only=${KB_SUMMARY_ONLY:-0}
reps=${KB_REPS:-11}
mkdir -p "$out"
start=$(date +%s)

echo "== what is measured, and how =="
echo "machine:   $(uname -srm), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "memory:    $(free -g | awk '/^Mem:/ { print $2 " GiB, " $7 " GiB available" }')"
echo "load:      $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start; other work shares these CPUs"
echo "compiler:  $(${CC:-cc} --version | head -1), -O2, no sanitizers"
echo "method:    one process per workload; every tracker preserves the same folio list;"
echo "           every deserialize runs in a freshly booted simulated memblock (real mm/memblock.c"
echo "           of linux 6.12 + patches/memblock); medians of up to $reps timed runs after 1 warm-up,"
echo "           fewer when the runs of one measurement exceed 3 s (the CSV's reps column)"
if command -v perf >/dev/null 2>&1; then
	if perf stat -x, -e instructions true 2>&1 | grep -q 'not supported'; then
		echo "perf:      no hardware counters on this machine (instructions, cycles: <not supported>);"
		echo "           software counters only; deterministic instruction counts: make bench-regress (callgrind)"
		perf_hw=0
	else
		perf_hw=1
	fi
else
	echo "perf:      not installed; deterministic instruction counts: make bench-regress (callgrind)"
	perf_hw=-1
fi
echo

# every workload of the suite, into CSVs
measure() {
	# what this suite writes; results/vm-* are make vm-bench's and stay
	find "$out" -maxdepth 1 \( -name '*.csv' -o -name '*.png' -o -name sweep.log \) \
		! -name 'vm-*' -delete

	# 11 timed runs a measurement (the sweeps ask for 3): a millisecond
	# preserve moves by up to 2x from run to run on a shared machine, and
	# the median of 5 still moved the ratios by 1.5x between suites
	run() {
		local csv=$1
		shift
		"$bench" --reps "$reps" "$@" --baselines all --csv "$out/$csv.csv"
	}

	# every baseline's upstream and bulk deserializer, every ranges strategy
	all=baseline,baseline-bulk,ranges,ranges-asc,ranges-desc,ranges-bulk
	if [ "$quick" = 1 ]; then
		run rapoport rapoport --per-order 100 --strategies $all \
			--dump "$out/rapoport.folios"
		run rapoport replay --input "$out/rapoport.folios"
		run contig contig --gib 0.25
		run scatter scatter --count 2000 --strategies $all
		run alternate alternate --mib 8 --strategies $all
		run vmalloc vmalloc --areas 4 --area-pages 256
		for pc in 1 10 50 100; do
			run density density --mib 16 --percent $pc --strategies $all
		done
		run sweep-rapoport sweep --kind rapoport --from 100 --to 10000 --reps 3 |
			tee "$out/sweep.log"
		run sweep-scatter sweep --kind scatter --from 100 --to 10000 --reps 3 |
			tee -a "$out/sweep.log"
	else
		# ~1000 folios of each order 0..10 in 16 GiB, buddy-like, then uniform
		run rapoport rapoport --strategies $all \
			--dump "$out/rapoport.folios"
		run rapoport rapoport --uniform --strategies $all
		# the dumped list replays to the same numbers
		run rapoport replay --input "$out/rapoport.folios"
		run contig contig --gib 4 --order 0
		run contig contig --gib 48 --order 9
		run scatter scatter --count 30000 --strategies $all
		run alternate alternate --mib 256 --strategies $all
		run vmalloc vmalloc --areas 64 --area-pages 256 --strategies $all
		# the same 256 MiB region and seed, 0.1% to 100% of its pages preserved
		for pc in 0.1 0.2 0.5 1 2 5 10 20 50 90 100; do
			run density density --mib 256 --percent $pc --strategies $all
		done
		run sweep-rapoport sweep --kind rapoport --from 100 --to 1e6 --reps 3 |
			tee "$out/sweep.log"
		run sweep-scatter sweep --kind scatter --from 100 --to 1e6 --reps 3 |
			tee -a "$out/sweep.log"
	fi
	rm -f "$out/rapoport.folios"

	echo
	echo "== checksum speed: what the next kernel pays per blob byte to check it =="
	"$(dirname "$bench")/kho_csum" --csv "$out/checksum.csv"

	if [ "${perf_hw:-0}" -ge 0 ]; then
		echo
		echo "== perf stat of the rapoport workload (whole process) =="
		perf stat -e task-clock,page-faults,context-switches,instructions,cycles \
			"$bench" rapoport --no-summary --per-order "$([ "$quick" = 1 ] && echo 100 || echo 1000)" 2>&1 |
			grep -E 'task-clock|page-faults|context|instructions|cycles|elapsed'
	fi
}

if [ "$summary_only" != 1 ]; then
	measure
fi

# One line per measured workload: for every metric, the ratio of each
# baseline to ranges of the CSV medians (above 1: ranges is smaller or
# faster), one column per baseline.
baselines="bitmap-6.16 bitmap-6.18 radix"
summary() {
	awk -F, -v bl="$baselines" '
	FNR == 1 || NF < 19 { next }
	{
		key = $1 " " $2
		if (!(key in seen)) { seen[key] = 1; order[++n] = key; folios[key] = $3 }
		t = $5; s = $6
		# a baseline strategy is named after it: bitmap, radix-bulk
		if (t != "ranges") s = (s ~ /-bulk$/) ? "bulk" : "up"
		deser[key, t, s] = $14
		pres[key, t] = $8; mem[key, t] = $9; hand[key, t] = $11
		ser[key, t] = $10; rest[key, t] = $18; probe[key, t] = $19
	}
	function r(a, b) {
		if (!(a > 0 && b > 0)) return "-"
		return (a / b >= 100) ? sprintf("%.0fx", a / b) : sprintf("%.3gx", a / b)
	}
	END {
		nb = split(bl, b, " ")
		nm = split("deser-up/r deser-up/rb deser-bk/rb handover memory preserve serialize restore", m, " ")
		printf "%-15s %8s", "", ""
		for (j = 1; j <= nm; j++) printf " | %-*s", nb * 7 - 1, m[j]
		printf "\n%-15s %8s", "workload", "folios"
		for (j = 1; j <= nm; j++) { printf " |"; for (i = 1; i <= nb; i++) printf " %6s", substr(b[i], 1, 1) == "b" ? substr(b[i], 8) : b[i] }
		printf "  params\n"
		for (k = 1; k <= n; k++) {
			key = order[k]; split(key, w, " ")
			p = key; sub(/^[^ ]* /, "", p); gsub(/"/, "", p)
			printf "%-15s %8d", w[1], folios[key]
			for (j = 1; j <= nm; j++) {
				printf " |"
				for (i = 1; i <= nb; i++) {
					t = b[i]
					if (j == 1) v = r(deser[key, t, "up"], deser[key, "ranges", "ranges"])
					else if (j == 2) v = r(deser[key, t, "up"], deser[key, "ranges", "ranges-bulk"])
					else if (j == 3) v = r(deser[key, t, "bulk"], deser[key, "ranges", "ranges-bulk"])
					else if (j == 4) v = r(hand[key, t], hand[key, "ranges"])
					else if (j == 5) v = r(mem[key, t], mem[key, "ranges"])
					else if (j == 6) v = r(pres[key, t], pres[key, "ranges"])
					else if (j == 7) v = r(ser[key, t], ser[key, "ranges"])
					else v = r(rest[key, t], rest[key, "ranges"])
					printf " %6s", v
				}
			}
			printf "  %s\n", p
		}
	}' "$@"
}

# Every workload where radix is smaller or faster than ranges on some
# metric (ratio below 1), with the reason of each metric.
radix_wins() {
	awk -F, '
	FNR == 1 || NF < 19 { next }
	{
		key = $1 " " $2
		if (!(key in seen)) { seen[key] = 1; order[++n] = key }
		t = $5; s = $6
		if (t != "radix" && t != "ranges") next
		deser[key, t, s] = $14
		v[key, t, "preserve"] = $8; v[key, t, "memory"] = $9
		v[key, t, "handover"] = $11; v[key, t, "serialize"] = $10
		v[key, t, "restore"] = $18
	}
	END {
		why["preserve"] = "a bit set in a leaf found by three array lookups, against a maple tree insert that merges ranges"
		why["serialize"] = "radix has nothing to serialize: the tree is the handover"
		why["restore"] = "page->private, written by the deserializer, against a binary search of the blob"
		why["memory"] = "one bit per folio in a 4 KiB leaf, against a range or leaf per run, where runs are many and short"
		why["handover"] = "one bit per folio in a 4 KiB leaf, against records, where runs are many and short"
		why["deserialize"] = "see the deserialize columns"
		split("preserve memory serialize handover restore", ms, " ")
		for (k = 1; k <= n; k++) {
			key = order[k]; split(key, w, " ")
			p = key; sub(/^[^ ]* /, "", p); gsub(/"/, "", p)
			line = ""
			for (j = 1; j <= 5; j++) {
				a = v[key, "radix", ms[j]]; b = v[key, "ranges", ms[j]]
				if (a != "" && b > 0 && a < b) {
					line = line sprintf("    %-10s %.3gx: %s\n", ms[j], a / b, why[ms[j]])
					cnt[ms[j]]++
				}
			}
			a = deser[key, "radix", "radix"]; b = deser[key, "ranges", "ranges"]
			if (a != "" && b > 0 && a < b)
				line = line sprintf("    %-10s %.3gx: radix vs ranges\n", "deserialize", a / b)
			a = deser[key, "radix", "radix-bulk"]; b = deser[key, "ranges", "ranges-bulk"]
			if (a != "" && b > 0 && a < b)
				line = line sprintf("    %-10s %.3gx: radix-bulk vs ranges-bulk\n", "deserialize", a / b)
			if (line != "") { printf "%s %s\n%s", w[1], p, line; nw++ }
		}
		printf "%d of %d workloads have a metric where radix beats ranges\n", nw, n
	}' "$@"
}

# the suite's CSVs; results/vm-* are make vm-bench's
mapfile -t csvs < <(find "$out" -maxdepth 1 -name '*.csv' ! -name 'vm-*' | sort)

echo
echo "== summary: baseline / ranges, medians (above 1: ranges is smaller or faster) =="
echo "one column per baseline: 6.16 = bitmap-6.16, 6.18 = bitmap-6.18, radix"
echo "deser-up/r: upstream walk vs ranges; deser-up/rb: upstream walk vs ranges-bulk;"
echo "deser-bk/rb: the baseline's bulk deserializer vs ranges-bulk; no probe column: the probes of"
echo "ranges and of the baselines measure different work (bench/README.md, the limit probe)"
summary "${csvs[@]}"
echo
echo "== where radix beats ranges (radix / ranges below 1) =="
radix_wins "${csvs[@]}"
echo
echo "== bounded worst case: ranges / bitmap-6.16, handover <= 1 and tracker memory <= 1.5 =="
bounds() {
	awk -F, '
	FNR == 1 || NF < 19 { next }
	$5 == "bitmap-6.16" || $5 == "ranges" {
		key = $1 " " $2
		if (!(key in seen)) { seen[key] = 1; order[++n] = key }
		hand[key, $5] = $11; mem[key, $5] = $9
	}
	END {
		printf "%-15s %10s %10s %10s %10s %7s %7s  %s\n", "workload", "handover", "bitmap", "tracker", "bitmap",
		       "hand", "mem", "params"
		for (i = 1; i <= n; i++) {
			k = order[i]; split(k, w, " ")
			p = k; sub(/^[^ ]* /, "", p); gsub(/"/, "", p)
			hb = hand[k, "bitmap-6.16"]; hr = hand[k, "ranges"]
			mb = mem[k, "bitmap-6.16"]; mr = mem[k, "ranges"]
			if (!hb || !hr || !mb || !mr)
				continue
			ok = (hr <= hb && mr <= 1.5 * mb)
			bad += !ok
			printf "%-15s %10d %10d %10d %10d %6.2fx %6.2fx  %s%s\n", w[1], hr, hb, mr, mb,
			       hr / hb, mr / mb, ok ? "" : "OUT OF BOUND  ", p
			checked++
		}
		printf "%d workloads checked, %d out of bound\n", checked, bad
	}' "$@"
}
bounds "${csvs[@]}"

echo
echo "== growth of deserialize time with the number of folios, t ~ n^k =="
grep -h -E '^  [a-z0-9.-]+ [a-z-]+ +k = |^== sweep-[a-z]+: growth' "$out/sweep.log" 2>/dev/null || true

echo
if command -v gnuplot >/dev/null 2>&1; then
	gnuplot -e "dir='$out'" "$here/plot.gp" && echo "plots: $(cd "$out" && ls ./*.png | tr '\n' ' ')"
else
	echo "gnuplot not installed: no plots"
fi
echo "csv:   $(cd "$out" && ls ./*.csv | tr '\n' ' ')"
echo "suite: $(( $(date +%s) - start )) s"

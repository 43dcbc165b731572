#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The CI performance-regression gate (make bench-regress).
#
# Counts the instructions of every measured function (kb_ir_*() in
# bench/kho_bench.c: preserve, serialize, each deserialize strategy,
# restore, probe) with callgrind on small fixed workloads, one timed run
# each, and compares them with results/baseline.json. Instruction counts
# do not depend on the machine's load, so the gate can be strict.
#
#   bench/regress.sh BENCH_BINARY BASELINE          compare, exit 1 on regression
#   bench/regress.sh BENCH_BINARY BASELINE --update  write a new baseline
#
# With KB_TAP=FILE it also writes the comparison as a TAP log with a
# kselftest totals line, for .ci/run to add up.
#
# A count more than KB_REGRESS_THRESHOLD percent (default 5) above its
# baseline fails the gate; one more than that below it is reported, so that
# the baseline can be lowered with --update (make bench-baseline).
set -euo pipefail

bench=${1:?usage: regress.sh BENCH_BINARY BASELINE [--update]}
baseline=${2:?usage: regress.sh BENCH_BINARY BASELINE [--update]}
update=${3:-}
threshold=${KB_REGRESS_THRESHOLD:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v valgrind >/dev/null || { echo "bench-regress: valgrind is not installed"; exit 2; }

all=bitmap,bitmap-bulk,ranges-asc,ranges-desc,ranges-bulk
# name and arguments of each gate workload: small, but past the sizes
# where fixed costs dominate
workloads=(
	"rapoport|rapoport --per-order 200"
	"rapoport-uniform|rapoport --per-order 100 --uniform"
	"contig|contig --gib 0.125"
	"scatter|scatter --count 3000"
	"alternate|alternate --mib 16"
	"vmalloc|vmalloc --areas 8 --area-pages 256"
)

# "workload/function count" lines, sorted
for w in "${workloads[@]}"; do
	name=${w%%|*}
	args=${w#*|}
	# shellcheck disable=SC2086
	valgrind --tool=callgrind --callgrind-out-file="$tmp/$name.cg" \
		--collect-atstart=no --toggle-collect='kb_ir_*' \
		"$bench" $args --strategies $all --reps 1 --warmup 0 \
		--no-summary >/dev/null 2>"$tmp/$name.err" || {
		cat "$tmp/$name.err"; echo "bench-regress: $name failed"; exit 2; }
	callgrind_annotate --inclusive=yes --threshold=100 --auto=no \
		"$tmp/$name.cg" |
		awk -v w="$name" '$1 ~ /^[0-9,]+$/ && /kb_ir_/ {
			n = $1; gsub(",", "", n)
			f = $0; sub(/.*:/, "", f); sub(/ .*/, "", f)
			print w "/" f, n }'
done | sort > "$tmp/now"

if [ "$update" = --update ]; then
	{
		echo "{"
		echo "  \"comment\": \"instructions per measured function (callgrind, bench/regress.sh); regenerate with make bench-baseline\","
		echo "  \"threshold_percent\": $threshold,"
		echo "  \"compiler\": \"$(${CC:-cc} --version | head -1)\","
		echo "  \"counts\": {"
		awk '{ printf "%s    \"%s\": %s", (NR > 1 ? ",\n" : ""), $1, $2 } END { print "" }' "$tmp/now"
		echo "  }"
		echo "}"
	} > "$baseline"
	echo "bench-regress: wrote $baseline ($(wc -l < "$tmp/now") counts)"
	exit 0
fi

[ -s "$baseline" ] || { echo "bench-regress: no $baseline; make bench-baseline writes one"; exit 2; }
sed -n 's/^ *"\([^"]*\/kb_ir_[^"]*\)": \([0-9]*\).*/\1 \2/p' "$baseline" | sort > "$tmp/base"

join -a1 -a2 -e missing -o 0,1.2,2.2 "$tmp/base" "$tmp/now" |
awk -v t="$threshold" -v tap="${KB_TAP:-/dev/null}" '
	BEGIN { bad = 0; n = 0; printf "%-48s %15s %15s %8s\n", "workload/function", "baseline", "now", "change" }
	{
		n++
		if ($2 == "missing" || $3 == "missing") {
			printf "%-48s %15s %15s %8s  %s\n", $1, $2, $3, "", "(function added or removed: make bench-baseline)"
			tests[n] = "not ok " n " " $1 " added or removed"
			bad++; next
		}
		d = ($3 - $2) * 100.0 / $2
		flag = ""
		if (d > t) { flag = "REGRESSION"; bad++ }
		else if (d < -t) flag = "improved: lower the baseline"
		printf "%-48s %15d %15d %+7.2f%%  %s\n", $1, $2, $3, d, flag
		tests[n] = sprintf("%s %d %s %+.2f%%", flag == "REGRESSION" ? "not ok" : "ok", n, $1, d)
	}
	END {
		printf "%d counts compared, threshold +%s%%: %s\n", n, t, bad ? "FAIL" : "ok"
		print "TAP version 13" > tap
		print "1.." n > tap
		for (i = 1; i <= n; i++)
			print tests[i] > tap
		printf "# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n", n - bad, bad > tap
		exit bad != 0
	}'

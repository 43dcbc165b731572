#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Why a VM ratio differs from the harness's: TCG's cost per instruction,
# phase by phase. After `make vm-bench`:
#
#   vm/tcg-cpi.sh [--out DIR] [CASE ...]     (default: rapoport scatter alternate)
#
# For each case, callgrind counts the instructions the harness executes on
# the very list the VM ran (build/vm-bench/lists/CASE.folios, kho_bench
# replay, one deserialize of ranges-bulk and of the upstream bitmap-6.16
# walk), ranges split by phase as the kernel's phase stamps split it: fdt
# (kho_ranges_fdt_parse), validation (kho_ranges_validate: header,
# checksum, records), move (the rest: the spare room's FDT lookup, the
# reservations of blob and spare room, memblock_reserved_move(), which
# the harness's memblock refuses with -EBUSY, its slab being up) and
# merge (memblock_reserve_bulk). DIR/vm-cpi.csv
# puts them beside the VM's warm cycles of the same phases (median, from
# DIR/vm-phases.csv): cycles per harness instruction. The harness's time
# ratio follows its instruction ratio; the VM's follows instructions times
# TCG's cycles per instruction, which is not the same for every phase.
# Takes seconds per case (valgrind runs the bitmap walk too).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

out=$top/results
if [ "${1:-}" = --out ]; then
	out=$2
	shift 2
fi
cases=${*:-"rapoport scatter alternate"}
kho_bench=${KHO_BENCH:-$top/build/kho_bench}
logs=$top/build/vm-bench
ram_gib=${VM_BENCH_RAM_GIB:-3}

# inclusive instructions of a function in a callgrind profile
ir() { # FILE FUNCTION
	callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
		awk -v f="$2" '!done && $0 ~ (":" f " \\[") { gsub(",", "", $1); print $1; done = 1 }'
}
# the warm median of a phase, from vm-phases.csv
phase() { # CASE TRACKER COLUMN
	awk -F, -v c="$1" -v t="$2" -v name="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
		$1 == c && $2 == t { print $col }' "$out/vm-phases.csv"
}
cpi() { awk -v c="$1" -v i="$2" 'BEGIN { if (i > 0 && c != "") printf "%.2f", c / i }'; }

echo "case,phase,harness_instructions,vm_warm_cycles,vm_cycles_per_instruction" >"$out/vm-cpi.csv"
for c in $cases; do
	list=$logs/lists/$c.folios
	[ -f "$list" ] || { echo "tcg-cpi: no $list: run make vm-bench first" >&2; exit 1; }
	cg=$logs/callgrind-$c.out
	valgrind --tool=callgrind --callgrind-out-file="$cg" --collect-atstart=no \
		--toggle-collect='kb_ir_deserialize_ranges_bulk' \
		--toggle-collect='kb_ir_deserialize_bitmap' \
		"$kho_bench" replay --input "$list" --ram-gib "$ram_gib" --reps 1 \
		--warmup 0 --baselines bitmap-6.16 --strategies ranges-bulk,baseline \
		--no-summary >/dev/null 2>&1
	total=$(ir "$cg" kb_ir_deserialize_ranges_bulk)
	fdt=$(ir "$cg" kho_ranges_fdt_parse)
	val=$(ir "$cg" kho_ranges_validate)
	merge=$(ir "$cg" memblock_reserve_bulk)
	bitmap=$(ir "$cg" kb_ir_deserialize_bitmap)
	# the rest: the spare room's FDT lookup, reservations, the move
	move=$((total - fdt - val - merge))
	{
		echo "$c,fdt,$fdt,$(phase "$c" ranges warm_fdt_cycles),$(cpi "$(phase "$c" ranges warm_fdt_cycles)" "$fdt")"
		v=$(($(phase "$c" ranges warm_hdr_cycles) + $(phase "$c" ranges warm_csum_cycles) + $(phase "$c" ranges warm_records_cycles)))
		echo "$c,hdr+csum+records,$val,$v,$(cpi "$v" "$val")"
		echo "$c,move,$move,$(phase "$c" ranges warm_move_cycles),$(cpi "$(phase "$c" ranges warm_move_cycles)" "$move")"
		echo "$c,merge,$merge,$(phase "$c" ranges warm_merge_cycles),$(cpi "$(phase "$c" ranges warm_merge_cycles)" "$merge")"
		echo "$c,ranges total,$total,$(phase "$c" ranges warm_cycles),$(cpi "$(phase "$c" ranges warm_cycles)" "$total")"
		echo "$c,bitmap-6.16 walk,$bitmap,$(phase "$c" bitmap-6.16 warm_cycles),$(cpi "$(phase "$c" bitmap-6.16 warm_cycles)" "$bitmap")"
	} >>"$out/vm-cpi.csv"
done
column -s, -t "$out/vm-cpi.csv"

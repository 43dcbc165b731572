#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The same kinds of hostile handover, each written once in kho_ranges' format
# and once in each baseline's (bitmap 6.16, radix), through the three
# deserializers: what each does with them. Every input runs in its own process, under ASan and UBSan,
# with a time limit (a list that loops never returns).
#
#   hostile.sh BUILD_DIR FUZZ_DIR
set -u
B=$1
F=$2
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1
export KB_FUZZ_RUN_ALL=1

# kind, kho_ranges input, bitmap baseline input, radix baseline input
# ("-": the format has no such field)
table="
valid                corpus/ranges/hand-basic              hostile/bitmap/valid               hostile/radix/valid
empty                corpus/ranges/empty-tracker           hostile/bitmap/empty               hostile/radix/empty
end-of-ram           corpus/ranges/hand-end-of-ram         hostile/bitmap/end-of-ram          hostile/radix/end-of-ram
outside-ram          corpus/ranges/hand-outside-ram        hostile/bitmap/outside-ram         hostile/radix/outside-ram
wrap-64              corpus/ranges/hand-wraps-64bit        hostile/bitmap/wrap-64             hostile/radix/largest-key
misaligned           corpus/ranges/hand-misaligned-order   hostile/bitmap/misaligned          -
overlap              corpus/ranges/hand-overlap            hostile/bitmap/overlap             hostile/radix/overlap
huge-order           corpus/ranges/hand-info-order63       hostile/bitmap/huge-order          hostile/radix/huge-order
pointer-outside-ram  corpus/ranges/fdt-blob-outside-ram    hostile/bitmap/pointer-outside-ram hostile/radix/pointer-outside-ram
truncated            corpus/ranges/hand-truncated          hostile/bitmap/truncated           hostile/radix/straddles-end
count-or-cycle       corpus/ranges/hand-claims-u64max-records hostile/bitmap/cyclic           hostile/radix/cyclic
shared-nodes         -                                     -                                  hostile/radix/shared-nodes
corrupted            corpus/ranges/hand-basic-badcrc       hostile/bitmap/bitflip             hostile/radix/bitflip
unknown-flags        corpus/ranges/hand-info-unknown-flags -                                  -
newer-major          corpus/ranges/hand-major3             -                                  -
max                  corpus/ranges/max-records             hostile/bitmap/max                 hostile/radix/max
"

# what one deserializer did with one input, in a few words
outcome()
{
	local bin=$1 in=$2 out rc
	[ "$in" = - ] && { echo "n/a (the format has no such field)"; return; }
	out=$(timeout 10 "$bin" -detect_leaks=0 -runs=1 "$F/$in" 2>&1); rc=$?
	if [ $rc = 124 ]; then
		echo "HANG (no return in 10 s)"
	elif grep -q 'SUMMARY:' <<<"$out"; then
		echo "CRASH: $(grep -m1 -oE '(runtime error: .{0,60}|SEGV on unknown address|AddressSanitizer: [a-z-]+)' <<<"$out")" \
			"at $(grep -m1 SUMMARY <<<"$out" | grep -oE '[A-Za-z0-9_./-]+\.[ch]:[0-9]+' | xargs -r basename)"
	elif grep -q 'invariant broken' <<<"$out"; then
		echo "BROKEN: $(grep -m1 -oE 'invariant broken: .*' <<<"$out")"
	elif grep -qE '(kr_fuzz: 1 inputs, 1 accepted|k[bx]_fuzz: 1 inputs run: 1 accepted)' <<<"$out"; then
		local note
		note=$(grep -oE '[1-9][0-9]* (reserving memory that does not exist|with a folio not aligned to its order)' <<<"$out" | \
		       sed 's/^1 //' | tr '\n' ';')
		grep -q 'assertion failed at' <<<"$out" && note="${note}memblock WARN_ON;"
		echo "accepted${note:+ (${note%;})}"
	else
		echo "rejected: $(grep -m1 -vE '^(INFO|Running|Executed|\*\*\*|k[rbx]_fuzz|MERGE|$|.*: Running)' <<<"$out" | cut -c1-70)"
	fi
}

printf '%-20s | %-60s | %-60s | %s\n' kind kho_ranges \
	"bitmap baseline (upstream 6.16 model)" "radix baseline (upstream 2026 model)"
while read -r kind r b x; do
	[ -z "$kind" ] && continue
	printf '%-20s | %-60s | %-60s | %s\n' "$kind" "$(outcome "$B/fuzz_ranges" "$r")" \
		"$(outcome "$B/fuzz_bitmap" "$b")" "$(outcome "$B/fuzz_radix" "$x")"
done <<<"$table"

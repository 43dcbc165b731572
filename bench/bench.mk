# SPDX-License-Identifier: GPL-2.0
#
# Benchmark: kho_ranges against upstream KHO's trackers, the baselines of
# bench/baselines/ (bench/README.md)
#
#   make bench            the default suite: results/*.csv, *.png, summary
#   make bench-quick      the same pipeline on small workloads (a smoke test)
#   make bench-regress    CI gate: callgrind instruction counts against
#                         results/baseline.json, fails above +5%
#   make bench-baseline   rewrite results/baseline.json from this tree
#
# kho_bench links the plain (-O2, no sanitizer) objects. The maple tree in
# them is built with CONFIG_DEBUG_MAPLE_TREE, as tools/testing/shared
# builds it; that costs 0.6% of the instructions of preserving (callgrind,
# rapoport), so the benchmark uses the same objects as the tests.

BENCH_SRCS := $(wildcard bench/*.c)
BENCH_HDRS := $(wildcard bench/*.h bench/baselines/*.h)
RESULTS    := results

.PHONY: bench-quick bench-regress bench-baseline

$(B)/kho_bench: $(BENCH_SRCS) $(BENCH_HDRS) $(KERNEL_OBJS_plain) $(GEN)/ktree/.stamp
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS_OPT) $(WARN) $(KR_DEF) $(KR_INC) -Ibench -Ibench/baselines \
		$(BENCH_SRCS) $(KERNEL_OBJS_plain) $(LDLIBS) -lm -o $@

# the checksum speeds behind the blob's checksum choice (results/checksum.csv)
$(B)/kho_csum: bench/checksum/kho_csum.c $(KERNEL_OBJS_plain)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS_OPT) $(WARN) $(KR_DEF) $(KR_INC) $< \
		$(KERNEL_OBJS_plain) $(LDLIBS) -o $@

bench: $(CACHE)/deps.stamp
	@$(MAKE) --no-print-directory $(B)/kho_bench $(B)/kho_csum
	@mkdir -p $(RESULTS)
	@set -o pipefail; CC=$(CC) bench/run.sh $(B)/kho_bench $(RESULTS)

bench-quick: $(CACHE)/deps.stamp
	@$(MAKE) --no-print-directory $(B)/kho_bench
	@KB_QUICK=1 CC=$(CC) bench/run.sh $(B)/kho_bench $(B)/results-quick

bench-regress: $(CACHE)/deps.stamp
	@$(MAKE) --no-print-directory $(B)/kho_bench
	@echo "== bench-regress: instruction counts (callgrind) vs $(RESULTS)/baseline.json =="
	@mkdir -p $(B)/tap
	@KB_TAP=$(B)/tap/bench-regress.tap CC=$(CC) \
		bench/regress.sh $(B)/kho_bench $(RESULTS)/baseline.json

bench-baseline: $(CACHE)/deps.stamp
	@$(MAKE) --no-print-directory $(B)/kho_bench
	@CC=$(CC) bench/regress.sh $(B)/kho_bench $(RESULTS)/baseline.json --update

CHECK_TARGETS += bench-regress

# SPDX-License-Identifier: GPL-2.0
#
# The benchmark in QEMU: every tracker in one kernel binary, boot-time
# deserialize read from the serial log, on the folio lists the harness
# measures (vm/vm-bench.sh, bench/README.md "Userspace vs VM"). Not part
# of `make check`: it takes about 8 minutes.
#
#   make vm-bench                  results/vm-*.csv, vm-ratios.md, vm-ratios.png
#   make vm-bench VM_BENCH_REPS=5 VM_MEM=6G
#   make vm-bench VM_BENCH_CASES="empty rapoport alternate"

.PHONY: vm-bench

vm-bench: $(CACHE)/deps.stamp $(KSRC_STAMP)
	@echo "== vm-bench (ranges and the baselines, QEMU, kexec) =="
	@$(MAKE) --no-print-directory $(B)/kho_bench
	@VM_BENCH_REPS=$(VM_BENCH_REPS) VM_BENCH_CASES="$(VM_BENCH_CASES)" \
		vm/vm-bench.sh --out $(RESULTS)

# SPDX-License-Identifier: GPL-2.0
#
# The kernel series in QEMU: see vm/README.md and vm/kho-check.sh.

.PHONY: vm-check

vm-check: $(CACHE)/deps.stamp $(KSRC_STAMP)
	@echo "== vm-check (kernel series, QEMU, kexec) =="
	@vm/kho-check.sh

CHECK_TARGETS += vm-check

# The benchmark in QEMU (vm/bench.mk, vm/vm-bench.sh).
-include vm/bench.mk

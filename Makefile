# SPDX-License-Identifier: GPL-2.0
#
# kho_ranges: build the kernel's own maple tree, xarray, memblock, crc32 and
# libfdt in userspace (the way tools/testing/{radix-tree,memblock} do), link
# mm/kho_ranges*.c against them, and run the tests and the benchmark.
#
#   make check       build everything, run every test
#   make bench       run the tracker comparison, write results/
#   make deps        install the Debian packages the build needs
#
# KERNEL_SRC=/path/to/linux builds against another extracted kernel tree.

SHELL		:= /bin/bash
KERNEL_TARBALL	?= /usr/src/linux-source-6.12.tar.xz
CACHE		:= .cache
KERNEL_SRC	?= $(CACHE)/linux-source-6.12
K		:= $(abspath $(KERNEL_SRC))
B		:= build
SAN		?= -fsanitize=address,undefined -fno-omit-frame-pointer

DEB_PKGS	:= linux-source-6.12 liburcu-dev libfdt-dev gnuplot-nox \
		   valgrind clang libclang-rt-14-dev linux-perf \
		   qemu-system-x86 kexec-tools busybox-static ccache bc \
		   flex bison libelf-dev libssl-dev cpio xz-utils perl

.PHONY: all check bench bench-quick deps clean test-unit checkpatch

all: $(B)/test_kho_ranges $(B)/test_kho_ranges.san $(B)/kho_bench

# ---------------------------------------------------------------------------
# Dependencies: install what is missing, once.

$(CACHE)/deps.stamp:
	@mkdir -p $(CACHE)
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@

deps: $(CACHE)/deps.stamp

$(abspath $(CACHE))/linux-source-6.12/Makefile: | $(CACHE)/deps.stamp
	@echo "extracting $(KERNEL_TARBALL) into $(CACHE)/"
	@tar -C $(CACHE) -xf $(KERNEL_TARBALL)
	@touch $@

KSRC_STAMP := $(K)/Makefile

# ---------------------------------------------------------------------------
# Generated headers and links into the kernel tree.

GEN := $(B)/gen

$(GEN)/.stamp: $(KSRC_STAMP) tools/testing/kho_ranges/arch/asm-generic/bitops/__ffs.h
	@mkdir -p $(GEN)/generated $(GEN)/linux $(GEN)/asm $(GEN)/mb $(GEN)/crc/lib
	@echo "#define XA_CHUNK_SHIFT 6" > $(GEN)/generated/map-shift.h
	@echo "#define CONFIG_64BIT 1" > $(GEN)/generated/bit-length.h
	@cp $(K)/tools/testing/shared/autoconf.h $(GEN)/generated/autoconf.h
	@ln -sfn $(K)/include $(GEN)/kinc
	@ln -sf $(K)/include/linux/crc32.h $(GEN)/linux/crc32.h
	@ln -sf $(K)/include/linux/crc32poly.h $(GEN)/linux/crc32poly.h
	@ln -sf $(K)/include/linux/bitrev.h $(GEN)/linux/bitrev.h
	@ln -sf $(K)/include/linux/xxhash.h $(GEN)/linux/xxhash.h
	@ln -sf $(K)/tools/arch/x86/include/asm/asm.h $(GEN)/asm/asm.h
	@ln -sf $(K)/tools/arch/x86/include/asm/cmpxchg.h $(GEN)/asm/cmpxchg.h
	@ln -sf $(K)/tools/testing/memblock/internal.h $(GEN)/mb/internal.h
	@ln -sf $(K)/lib/crc32defs.h $(GEN)/crc/lib/crc32defs.h
	@touch $@

# mm/memblock.c and include/linux/memblock.h with the project's memblock
# patches (git format-patch files against the kernel tree) applied to a copy
MEMBLOCK_PATCHES := $(sort $(wildcard patches/memblock/*.patch))

$(GEN)/ktree/.stamp: $(GEN)/.stamp $(MEMBLOCK_PATCHES)
	@rm -rf $(GEN)/ktree && mkdir -p $(GEN)/ktree/mm $(GEN)/ktree/include/linux
	@cp $(K)/mm/memblock.c $(GEN)/ktree/mm/
	@cp $(K)/include/linux/memblock.h $(GEN)/ktree/include/linux/
	@for p in $(MEMBLOCK_PATCHES); do \
		echo "  PATCH   $$p"; \
		patch -s --no-backup-if-mismatch -d $(GEN)/ktree -p1 < $$p || exit 1; \
	done
	@ln -sf $(abspath $(GEN))/ktree/mm/memblock.c $(GEN)/mb/memblock.c
	@ln -sf $(abspath $(GEN))/ktree/include/linux/memblock.h $(GEN)/linux/memblock.h
	@touch $@

$(GEN)/mb/memblock.c: $(GEN)/ktree/.stamp ;

# lib/radix-tree.c with its statics opened up, as tools/testing/shared does
$(GEN)/radix-tree.c: $(GEN)/.stamp
	@sed -e 's/^static //' -e 's/__always_inline //' -e 's/inline //' \
		< $(K)/lib/radix-tree.c > $@

# crc32 tables, from the kernel's own generator
$(GEN)/crc/crc32table.h: $(GEN)/.stamp
	@mkdir -p $(GEN)/crc/include/generated
	@printf '#define CONFIG_CRC32_SLICEBY8 1\n#define CONFIG_64BIT 1\n' > $(GEN)/crc/include/generated/autoconf.h
	@mkdir -p $(GEN)/crc/include/linux
	@ln -sf $(K)/include/linux/crc32poly.h $(GEN)/crc/include/linux/crc32poly.h
	@ln -sf $(K)/lib/gen_crc32table.c $(GEN)/crc/lib/gen_crc32table.c
	$(CC) -O2 -o $(GEN)/crc/gen_crc32table $(GEN)/crc/lib/gen_crc32table.c
	$(GEN)/crc/gen_crc32table > $@

# ---------------------------------------------------------------------------
# Include paths, one per family of kernel code.

# maple tree + xarray, as tools/testing/radix-tree builds them
# the architecture's __ffs() for every build (tools/testing/kho_ranges/arch)
ARCH_INC := -Itools/testing/kho_ranges/arch

RT_INC := $(ARCH_INC) -I$(K)/tools/testing/shared -I$(GEN) -I$(GEN)/generated \
	  -I$(K)/tools/testing/radix-tree -I$(K)/tools/include -I$(K)/lib
RT_DEF := -D_LGPL_SOURCE -DCONFIG_64BIT=1

# memblock, as tools/testing/memblock builds it
MB_INC := -I$(GEN)/mb -I$(GEN) -I$(K)/tools/testing/memblock -I$(K)/tools/include
MB_DEF := -DCONFIG_PHYS_ADDR_T_64BIT

# kho_ranges and everything written against it
KR_INC := $(ARCH_INC) -Itools/testing/kho_ranges -Iinclude -Ibench/baselines -I$(GEN) -I$(GEN)/generated \
	  -I$(K)/tools/testing/shared -I$(K)/tools/testing/memblock \
	  -I$(K)/tools/include -I$(K)/scripts/dtc/libfdt
KR_DEF := -D_LGPL_SOURCE -DCONFIG_64BIT=1 -DCONFIG_PHYS_ADDR_T_64BIT -DCONFIG_CONTIG_ALLOC=1 \
	  -DCONFIG_KHO_RANGES_COMPAT=1 \
	  

CRC_INC := -Itools/testing/kho_ranges/crc -I$(GEN)/crc -I$(GEN) \
	   -I$(K)/tools/include

FDT_SRCS := fdt fdt_ro fdt_rw fdt_sw fdt_wip fdt_strerror

# the baselines of bench/baselines/ that build in both worlds (the ops
# table and one file per baseline; kho_baseline_kernel.c is kernel-only)
BASELINES := kho_baseline kho_bitmap kho_radix

Q      ?= @
WARN   := -Wall -Wno-unused-function -Werror=implicit-function-declaration -Werror=int-conversion
CFLAGS_OPT ?= -O2 -g

# Two flavours: plain (benchmark, valgrind) and sanitized (tests).
# every object of ours sees the tracker's structures: rebuild on any change
KR_HDRS := $(wildcard include/linux/*.h mm/*.h tools/testing/kho_ranges/arch/asm-generic/bitops/*.h)

define flavour
$(B)/$(1)/maple.o: $(GEN)/.stamp
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(RT_DEF) $(RT_INC) -c $(K)/tools/testing/shared/maple-shim.c -o $$@
$(B)/$(1)/xarray.o: $(GEN)/.stamp
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(RT_DEF) $(RT_INC) -c $(K)/tools/testing/shared/xarray-shared.c -o $$@
$(B)/$(1)/radix-tree.o: $(GEN)/radix-tree.c
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(RT_DEF) $(RT_INC) -c $$< -o $$@
$(B)/$(1)/linux.o: $(GEN)/.stamp
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) -Wno-maybe-uninitialized $(RT_DEF) $(RT_INC) -c $(K)/tools/testing/shared/linux.c -o $$@
$(B)/$(1)/lib_%.o: $(GEN)/.stamp
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(RT_DEF) $(RT_INC) -c $(K)/tools/lib/$$*.c -o $$@
$(B)/$(1)/memblock.o: $(GEN)/mb/memblock.c
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) -Wno-format $(MB_DEF) $(MB_INC) -c $$< -o $$@
$(B)/$(1)/mb_slab.o: $(GEN)/.stamp
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(MB_DEF) $(MB_INC) -c $(K)/tools/testing/memblock/lib/slab.c -o $$@
$(B)/$(1)/mmzone.o: $(GEN)/.stamp
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(MB_DEF) $(MB_INC) -c $(K)/tools/testing/memblock/mmzone.c -o $$@
$(B)/$(1)/crc32.o: $(GEN)/crc/crc32table.h
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(CRC_INC) -include tools/testing/kho_ranges/crc/crc_prelude.h -c $(K)/lib/crc32.c -o $$@
$(B)/$(1)/xxhash.o: $(GEN)/.stamp
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(CRC_INC) -include linux/kernel.h -c $(K)/lib/xxhash.c -o $$@
$(B)/$(1)/libfdt_%.o: $(GEN)/.stamp
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) -I$(K)/scripts/dtc/libfdt -c $(K)/scripts/dtc/libfdt/$$*.c -o $$@
$(B)/$(1)/kr_%.o: mm/%.c $(KR_HDRS) $(GEN)/ktree/.stamp $$(wildcard tools/testing/kho_ranges/*.h tools/testing/kho_ranges/linux/*.h \
	tools/testing/kho_ranges/crc/*.h tools/testing/kho_ranges/crc/linux/*.h)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(KR_DEF) $(KR_INC) -c $$< -o $$@
$(B)/$(1)/bl_%.o: bench/baselines/%.c $$(wildcard bench/baselines/*.h) $(KR_HDRS) $(GEN)/ktree/.stamp $$(wildcard tools/testing/kho_ranges/*.h tools/testing/kho_ranges/linux/*.h)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(KR_DEF) $(KR_INC) -Ibench/baselines -c $$< -o $$@
$(B)/$(1)/sim_%.o: tools/testing/kho_ranges/%.c $$(wildcard tools/testing/kho_ranges/*.h tools/testing/kho_ranges/linux/*.h) $(KR_HDRS) $(GEN)/ktree/.stamp
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(KR_DEF) $(KR_INC) -c $$< -o $$@
$(B)/$(1)/sim.o: tools/testing/kho_ranges/sim.c $$(wildcard tools/testing/kho_ranges/*.h tools/testing/kho_ranges/linux/*.h) $(KR_HDRS) $(GEN)/ktree/.stamp
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $(2) $(WARN) $(KR_DEF) $(KR_INC) -c $$< -o $$@

KERNEL_OBJS_$(1) := $(addprefix $(B)/$(1)/, maple.o xarray.o linux.o \
	radix-tree.o lib_bitmap.o lib_find_bit.o lib_hweight.o lib_slab.o \
	lib_vsprintf.o \
	memblock.o mb_slab.o mmzone.o crc32.o xxhash.o \
	$(addprefix libfdt_,$(addsuffix .o,$(FDT_SRCS))) \
	kr_kho_ranges.o kr_kho_ranges_restore.o kr_kho_ranges_vmalloc.o \
	kr_kho_ranges_compat.o sim.o sim_vmalloc.o \
	$(addprefix bl_,$(addsuffix .o,$(BASELINES))))
endef

$(eval $(call flavour,plain,$(CFLAGS_OPT)))
$(eval $(call flavour,san,-O1 -g $(SAN)))

LDLIBS := -lpthread -lurcu -Wl,--wrap=kmem_cache_alloc_lru \
	  -Wl,--wrap=kmem_cache_alloc_bulk -Wl,--wrap=kmem_cache_create \
	  -Wl,--wrap=kmem_cache_free -Wl,--wrap=kmem_cache_free_bulk

# ---------------------------------------------------------------------------
# Tests

ST := tools/testing/selftests/kho_ranges
TEST_SRCS := $(wildcard $(ST)/*.c)
TEST_HDRS := $(wildcard $(ST)/*.h)
ST_INC := -I$(K)/tools/testing/selftests

# kselftest_harness.h wants one translation unit: include every test file
$(B)/selftests_all.c: $(TEST_SRCS) Makefile
	@mkdir -p $(B)
	@{ echo '// SPDX-License-Identifier: GPL-2.0'; \
	   echo '/* generated: every kho_ranges selftest, one TAP binary */'; \
	   echo '#include "kselftest_harness.h"'; \
	   for f in $(sort $(TEST_SRCS)); do echo "#include \"$(CURDIR)/$$f\""; done; \
	   echo 'TEST_HARNESS_MAIN'; } > $@

$(B)/test_kho_ranges: $(B)/selftests_all.c $(TEST_SRCS) $(TEST_HDRS) $(KERNEL_OBJS_plain)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS_OPT) $(WARN) $(KR_DEF) $(KR_INC) -I$(ST) $(ST_INC) \
		$< $(KERNEL_OBJS_plain) $(LDLIBS) -o $@

$(B)/test_kho_ranges.san: $(B)/selftests_all.c $(TEST_SRCS) $(TEST_HDRS) $(KERNEL_OBJS_san)
	@echo "  LD      $@"
	$(Q)$(CC) -O1 -g $(SAN) $(WARN) $(KR_DEF) $(KR_INC) -I$(ST) $(ST_INC) \
		$< $(KERNEL_OBJS_san) $(LDLIBS) -o $@

# Each suite leaves its TAP log in build/tap/; .ci/run adds them up.
test-unit: $(B)/test_kho_ranges.san
	@echo "== selftests (ASan + UBSan) =="
	@mkdir -p $(B)/tap
	@set -o pipefail; ASAN_OPTIONS=detect_leaks=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(B)/test_kho_ranges.san 2>&1 | tee $(B)/tap/selftests.tap | \
		grep -E '^(not )?ok |^# (PASSED|FAILED|Totals)'

CHECKPATCH_FILES := $(wildcard mm/*.c mm/*.h include/linux/*.h lib/*.c bench/*.c bench/*.h \
	bench/baselines/*.c bench/baselines/*.h bench/checksum/*.c \
	$(ST)/*.c $(ST)/*.h tools/testing/kho_ranges/*.c \
	tools/testing/kho_ranges/*.h tools/testing/kho_ranges/linux/*.h)

checkpatch: $(KSRC_STAMP)
	@echo "== checkpatch =="
	@fail=0; for f in $(CHECKPATCH_FILES); do \
		out=$$(perl $(K)/scripts/checkpatch.pl --no-tree --terse \
			--show-types --ignore SPDX_LICENSE_TAG -f $$f | \
			grep -E 'ERROR|WARNING'); \
		if [ -n "$$out" ]; then echo "$$out"; fail=1; fi; \
	done; \
	if [ $$fail = 0 ]; then echo "checkpatch: $(words $(CHECKPATCH_FILES)) files, 0 errors, 0 warnings"; fi; \
	exit $$fail

# included makefiles append their suites (fuzz pass, thread stress, vm-check)
CHECK_TARGETS := all test-unit checkpatch

check: $(CACHE)/deps.stamp
	@for t in $(CHECK_TARGETS); do $(MAKE) --no-print-directory $$t || exit 1; done

# ---------------------------------------------------------------------------
# Benchmark (bench/bench.mk), fuzzing and fault injection (fuzz.mk), the
# kernel and QEMU path (vm/vm.mk)

include bench/bench.mk
-include tools/testing/selftests/kho_ranges/fuzz/fuzz.mk
-include vm/vm.mk

clean:
	rm -rf $(B)

# the extracted tree must exist before anything reads it
$(GEN)/.stamp: | $(CACHE)/deps.stamp

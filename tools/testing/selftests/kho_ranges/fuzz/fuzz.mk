# SPDX-License-Identifier: GPL-2.0
#
# Hostile input and threads: libFuzzer targets for the three deserializers, and
# the selftests again under ThreadSanitizer. Included by the top Makefile.
# See Documentation/core-api/kho_ranges-robustness.rst.
#
#   make fuzz FUZZ_TIME=1200   fuzz each target for FUZZ_TIME seconds
#   make fuzz-check            replay the committed corpus, short bounded pass
#   make fuzz-hostile          every deserializer on the same hostile inputs
#   make test-tsan             concurrency selftests under ThreadSanitizer
#   make fuzz-corpus           rewrite the committed seed corpus
#   make golden-write          write golden sets not written yet (once)

FZ		:= $(ST)/fuzz
FZ_CC		:= clang
FZ_WARN		:= -Wno-unknown-warning-option -Wno-c2x-extensions
FZ_SAN		:= -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
		   -fno-sanitize-recover=all -fno-omit-frame-pointer $(FZ_WARN)
TSAN		:= -O1 -g -fsanitize=thread -fno-omit-frame-pointer $(FZ_WARN)

# the kernel objects once more, with clang: coverage-guided and sanitized
# for libFuzzer, and with ThreadSanitizer
$(B)/fuzz/%: CC := $(FZ_CC)
$(B)/tsan/%: CC := $(FZ_CC)
# no comparison tracing in the crc loop: nothing there for libFuzzer to learn
$(B)/fuzz/crc32.o: CC := $(FZ_CC) -fno-sanitize-coverage=trace-cmp
$(eval $(call flavour,fuzz,$(FZ_SAN)))
$(eval $(call flavour,tsan,$(TSAN)))

FZ_INC		:= $(KR_DEF) $(KR_INC) -I$(ST) -I$(FZ) -Ibench/baselines
FZ_HDRS		:= $(wildcard $(FZ)/*.h bench/baselines/*.h) $(TEST_HDRS)

# the baselines' deserializers are in KERNEL_OBJS (bench/baselines/)
FUZZ_TARGETS	:= fuzz_ranges fuzz_bitmap fuzz_radix

$(B)/fuzz_ranges: $(FZ)/fuzz_ranges.c $(FZ_HDRS) $(KERNEL_OBJS_fuzz)
	@echo "  LD      $@"
	$(Q)$(FZ_CC) $(FZ_SAN) -fsanitize=fuzzer $(WARN) $(FZ_INC) \
		$< $(KERNEL_OBJS_fuzz) $(LDLIBS) -o $@

$(B)/fuzz_bitmap $(B)/fuzz_radix: $(B)/fuzz_%: $(FZ)/fuzz_%.c $(FZ_HDRS) \
		  $(KERNEL_OBJS_fuzz)
	@echo "  LD      $@"
	$(Q)$(FZ_CC) $(FZ_SAN) -fsanitize=fuzzer $(WARN) $(FZ_INC) \
		$< $(KERNEL_OBJS_fuzz) $(LDLIBS) -o $@

$(B)/mkcorpus: $(FZ)/mkcorpus.c $(FZ_HDRS) $(KERNEL_OBJS_plain)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS_OPT) $(WARN) $(FZ_INC) $< $(KERNEL_OBJS_plain) \
		$(LDLIBS) -o $@

$(B)/mkgolden: $(ST)/golden/mkgolden.c $(ST)/golden/kr_golden.h $(TEST_HDRS) \
	      $(KERNEL_OBJS_plain)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS_OPT) $(WARN) $(FZ_INC) -I$(ST)/golden $< \
		$(KERNEL_OBJS_plain) $(LDLIBS) -o $@

# write new golden sets: those already in golden/ are frozen, left alone
golden-write: $(B)/mkgolden
	$(B)/mkgolden $(ST)/golden

$(B)/mkcorpus_bitmap $(B)/mkcorpus_radix: $(B)/mkcorpus_%: $(FZ)/mkcorpus_%.c \
		      $(FZ_HDRS) $(KERNEL_OBJS_plain)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS_OPT) $(WARN) $(FZ_INC) $< \
		$(KERNEL_OBJS_plain) $(LDLIBS) -o $@

# rewrite the committed seeds (only when the input format changes)
fuzz-corpus: $(B)/mkcorpus $(B)/mkcorpus_bitmap $(B)/mkcorpus_radix
	@rm -rf $(FZ)/corpus/ranges && mkdir -p $(FZ)/corpus/ranges
	$(B)/mkcorpus $(FZ)/corpus/ranges
	@echo "$$(ls $(FZ)/corpus/ranges | wc -l) seeds in $(FZ)/corpus/ranges"
	@set -e; for c in bitmap radix; do \
		rm -rf $(FZ)/corpus/$$c $(FZ)/hostile/$$c; \
		mkdir -p $(FZ)/corpus/$$c $(FZ)/hostile/$$c; \
		$(B)/mkcorpus_$$c $(FZ)/corpus/$$c $(FZ)/hostile/$$c; \
		echo "$$(ls $(FZ)/corpus/$$c | wc -l) seeds in $(FZ)/corpus/$$c, $$(ls $(FZ)/hostile/$$c | wc -l) hostile inputs"; \
	done

# libFuzzer: no stdout (every rejected blob has its pr_err()), crashes and
# their inputs in build/fuzz-run/artifacts/, new coverage in
# build/fuzz-run/work/. The baseline validates nothing and crashes within
# seconds, so it runs in fork mode: every crash is saved and fuzzing goes on.
FUZZ_TIME	?= 60
FUZZ_FLAGS	:= -max_len=16384 -close_fd_mask=1 -print_final_stats=1 \
		   -timeout=10 -rss_limit_mb=4096 -detect_leaks=0
FUZZ_FLAGS_bitmap := -fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
		   -ignore_ooms=1
FUZZ_ENV	:= ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
		   UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

fuzz: $(CACHE)/deps.stamp
	@$(MAKE) --no-print-directory $(addprefix $(B)/,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
		c=$${t#fuzz_}; \
		mkdir -p $(B)/fuzz-run/work/$$c $(B)/fuzz-run/artifacts/$$c; \
		echo "== $$t: $(FUZZ_TIME) s, log in $(B)/fuzz-run/$$c.log =="; \
		$(FUZZ_ENV) $(B)/$$t $(FUZZ_FLAGS) $(FUZZ_FLAGS_$$c) \
			-max_total_time=$(FUZZ_TIME) \
			-artifact_prefix=$(B)/fuzz-run/artifacts/$$c/ \
			$(B)/fuzz-run/work/$$c $(FZ)/corpus/$$c \
			> $(B)/fuzz-run/$$c.log 2>&1 || true; \
		grep -E '^(#[0-9]+.*DONE|stat::|k[rb]_fuzz: [0-9]|==[0-9]+==ERROR|SUMMARY|INFO: (fuzzed|exiting))' \
			$(B)/fuzz-run/$$c.log | tail -12; \
		echo "$$t: $$(ls $(B)/fuzz-run/artifacts/$$c | wc -l) crash/timeout inputs in $(B)/fuzz-run/artifacts/$$c"; \
	done
	@$(MAKE) --no-print-directory fuzz-hostile

# the same hostile handovers through both deserializers, side by side
fuzz-hostile: $(addprefix $(B)/,$(FUZZ_TARGETS))
	@$(FZ)/hostile.sh $(B) $(FZ)

# make check: every committed input through every deserializer, then a
# short mutation pass over kho_ranges and one over the radix baseline
# (which validates too), which must find nothing
FUZZ_CHECK_TIME	?= 30
FUZZ_CHECK_TIME_RADIX ?= 15

fuzz-check: $(addprefix $(B)/,$(FUZZ_TARGETS))
	@echo "== fuzz: corpus replay, $(FUZZ_CHECK_TIME) s of fuzz_ranges, $(FUZZ_CHECK_TIME_RADIX) s of fuzz_radix =="
	@mkdir -p $(B)/fuzz-run/check
	@set -e; for t in $(FUZZ_TARGETS); do \
		c=$${t#fuzz_}; \
		$(FUZZ_ENV) $(B)/$$t $(FUZZ_FLAGS) -runs=0 $(FZ)/corpus/$$c \
			> $(B)/fuzz-run/check-$$c.log 2>&1 || { \
			tail -40 $(B)/fuzz-run/check-$$c.log; exit 1; }; \
		echo "$$t: $$(ls $(FZ)/corpus/$$c | wc -l) committed inputs replayed"; \
	done
	@rm -rf $(B)/fuzz-run/check/ranges; mkdir -p $(B)/fuzz-run/check/ranges
	@$(FUZZ_ENV) $(B)/fuzz_ranges $(FUZZ_FLAGS) -seed=1 \
		-max_total_time=$(FUZZ_CHECK_TIME) \
		-artifact_prefix=$(B)/fuzz-run/check/ \
		$(B)/fuzz-run/check/ranges $(FZ)/corpus/ranges \
		> $(B)/fuzz-run/check-mutate.log 2>&1 || { \
		tail -40 $(B)/fuzz-run/check-mutate.log; exit 1; }
	@echo "fuzz_ranges: $$(grep -h 'stat::number_of_executed_units' \
		$(B)/fuzz-run/check-mutate.log | awk '{print $$2}') executions, 0 crashes"
	@rm -rf $(B)/fuzz-run/check/radix; mkdir -p $(B)/fuzz-run/check/radix
	@$(FUZZ_ENV) $(B)/fuzz_radix $(FUZZ_FLAGS) -seed=1 \
		-max_total_time=$(FUZZ_CHECK_TIME_RADIX) \
		-artifact_prefix=$(B)/fuzz-run/check/ \
		$(B)/fuzz-run/check/radix $(FZ)/corpus/radix $(FZ)/hostile/radix \
		> $(B)/fuzz-run/check-mutate-radix.log 2>&1 || { \
		tail -40 $(B)/fuzz-run/check-mutate-radix.log; exit 1; }
	@echo "fuzz_radix: $$(grep -h 'stat::number_of_executed_units' \
		$(B)/fuzz-run/check-mutate-radix.log | awk '{print $$2}') executions, 0 crashes"

# ---------------------------------------------------------------------------
# ThreadSanitizer: the same selftests binary built with -fsanitize=thread,
# running the fixtures that use threads

TSAN_FIXTURES	:= -f concurrency

$(B)/test_kho_ranges.tsan: $(B)/selftests_all.c $(TEST_SRCS) $(TEST_HDRS) $(KERNEL_OBJS_tsan)
	@echo "  LD      $@"
	$(Q)$(FZ_CC) $(TSAN) $(WARN) $(KR_DEF) $(KR_INC) -I$(ST) $(ST_INC) \
		$< $(KERNEL_OBJS_tsan) $(LDLIBS) -o $@

test-tsan: $(B)/test_kho_ranges.tsan
	@echo "== selftests with threads (ThreadSanitizer) =="
	@mkdir -p $(B)/tap
	@set -o pipefail; TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
		$(B)/test_kho_ranges.tsan $(TSAN_FIXTURES) 2>&1 | \
		tee $(B)/tap/tsan.tap | \
		grep -E '^(not )?ok |^# (PASSED|FAILED|Totals)|WARNING: ThreadSanitizer'

.PHONY: fuzz fuzz-check fuzz-hostile fuzz-corpus golden-write test-tsan
CHECK_TARGETS += fuzz-check test-tsan

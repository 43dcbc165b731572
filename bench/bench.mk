# SPDX-License-Identifier: GPL-2.0
# Benchmark

BENCH_SRCS := $(wildcard bench/*.c)
BENCH_HDRS := $(wildcard bench/*.h)

$(B)/kho_bench: $(BENCH_SRCS) $(BENCH_HDRS) $(KERNEL_OBJS_plain)
	$(CC) $(CFLAGS_OPT) $(WARN) $(KR_DEF) $(KR_INC) -Ibench \
		$(BENCH_SRCS) $(KERNEL_OBJS_plain) $(LDLIBS) -lm -o $@

bench: $(CACHE)/deps.stamp
	$(MAKE) $(B)/kho_bench
	$(B)/kho_bench demo


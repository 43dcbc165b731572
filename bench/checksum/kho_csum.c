// SPDX-License-Identifier: GPL-2.0
/*
 * kho_csum: how fast each checksum the next kernel could check a blob with
 * runs on this machine, over the blob sizes make bench produces.
 *
 *   kho_csum [--csv FILE]
 *
 * crc32 is lib/crc32.c of Linux 6.12 (generic slice-by-8, what 6.12 runs on
 * x86), xxh64 is lib/xxhash.c of the same tree, both built unchanged, and
 * both through kho_ranges_blob_checksum(), the function the deserializer
 * calls. crc32c is the SSE 4.2 crc32 instruction over 8-byte words, one
 * stream: a stand-in for arch/x86's crc32c-intel, which interleaves three
 * streams and is faster still; the kernel does not let early boot code
 * reach it in 6.12 (it sits behind the crypto API), so it is measured for
 * the record only. Each figure is the median of 15 timed runs of enough
 * repetitions to take about 2 ms, after one warm-up run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/kernel.h>
#include <linux/kho_ranges.h>

#define KC_RUNS		15

/* every checksum is added here and printed, so none is optimised away */
static u64 kc_sink;

typedef u64 (*kc_fn)(const void *p, size_t len);

static u64 kc_crc32(const void *p, size_t len)
{
	return kho_ranges_blob_checksum(p, len, 0);
}

static u64 kc_xxh64(const void *p, size_t len)
{
	return kho_ranges_blob_checksum(p, len, KHO_RANGES_BLOB_XXH64);
}

__attribute__((target("sse4.2")))
static u64 kc_crc32c(const void *p, size_t len)
{
	const unsigned char *b = p;
	u64 crc = ~0U;
	u64 v;

	for (; len >= 8; len -= 8, b += 8) {
		memcpy(&v, b, 8);
		crc = __builtin_ia32_crc32di(crc, v);
	}
	while (len--)
		crc = __builtin_ia32_crc32qi(crc, *b++);
	return ~(u32)crc;
}

static const struct {
	const char *name;
	kc_fn fn;
	const char *what;
} kc_algs[] = {
	{ "crc32", kc_crc32, "lib/crc32.c crc32_le, generic slice-by-8" },
	{ "xxh64", kc_xxh64, "lib/xxhash.c xxh64" },
	{ "crc32c", kc_crc32c, "SSE 4.2 crc32q, one stream (not callable in early boot in 6.12)" },
};

/* blob sizes of make bench: 4 KiB, rapoport, vmalloc, scatter, 4 MiB */
static const size_t kc_sizes[] = { 4096, 21263, 249031, 480311, 4 << 20 };

static double kc_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int kc_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	FILE *csv = NULL;
	unsigned char *buf;
	double ns[KC_RUNS];
	size_t s, a, i, max = 0;
	int r, k, reps;

	if (argc == 3 && !strcmp(argv[1], "--csv")) {
		csv = fopen(argv[2], "w");
		if (!csv) {
			perror(argv[2]);
			return 1;
		}
		fprintf(csv, "algorithm,bytes,reps,median_ns,gb_per_s\n");
	} else if (argc != 1) {
		fprintf(stderr, "usage: kho_csum [--csv FILE]\n");
		return 2;
	}
	for (s = 0; s < ARRAY_SIZE(kc_sizes); s++)
		max = kc_sizes[s] > max ? kc_sizes[s] : max;
	buf = malloc(max);
	if (!buf)
		return 1;
	/* a blob-like pattern; neither algorithm's speed depends on it */
	for (i = 0; i < max; i++)
		buf[i] = (i * 2654435761u) >> 13;

	printf("checksum speed, median of %d runs (%s)\n", KC_RUNS,
	       "ns per checksum of a blob of that size");
	printf("%-8s %10s %12s %10s  %s\n", "alg", "bytes", "ns", "GB/s",
	       "implementation");
	for (s = 0; s < ARRAY_SIZE(kc_sizes); s++) {
		for (a = 0; a < ARRAY_SIZE(kc_algs); a++) {
			double t0, per;

			reps = 1 + (int)(2000000.0 / (kc_sizes[s] / 1.0));
			for (r = -1; r < KC_RUNS; r++) {
				t0 = kc_now();
				for (k = 0; k < reps; k++)
					kc_sink += kc_algs[a].fn(buf, kc_sizes[s]);
				if (r >= 0)
					ns[r] = (kc_now() - t0) / reps;
			}
			qsort(ns, KC_RUNS, sizeof(ns[0]), kc_cmp);
			per = ns[KC_RUNS / 2];
			printf("%-8s %10zu %12.0f %10.2f  %s\n",
			       kc_algs[a].name, kc_sizes[s], per,
			       kc_sizes[s] / per, kc_algs[a].what);
			if (csv)
				fprintf(csv, "%s,%zu,%d,%.0f,%.3f\n",
					kc_algs[a].name, kc_sizes[s], reps,
					per, kc_sizes[s] / per);
		}
	}
	if (csv)
		fclose(csv);
	free(buf);
	printf("(sum of all checksums %#llx)\n", (unsigned long long)kc_sink);
	return 0;
}

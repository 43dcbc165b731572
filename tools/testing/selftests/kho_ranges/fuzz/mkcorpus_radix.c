// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the inputs of fuzz_radix (kx_fuzz.h):
 *
 *   mkcorpus_radix CORPUS HOSTILE
 *
 * CORPUS gets trees of folio lists, the seeds; HOSTILE one input per kind
 * of hostile handover, the kinds fuzz/hostile.sh runs next to the
 * kho_ranges and bitmap ones. The radix baseline validates, so the hostile
 * inputs are seeds too.
 *
 * A tree is written the way kho_radix_preserve() builds it: a node per
 * key prefix of each level, linked by key, so that the input means the
 * same tree wherever the harness maps RAM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>

#include "sim.h"
#include "kx_fuzz.h"

#define KX_MAX_RECS	((KX_FUZZ_MAX_INPUT - sizeof(struct kx_fuzz_ctl)) / \
			 sizeof(struct kx_fuzz_rec))

struct input {
	struct kx_fuzz_ctl ctl;
	struct kx_fuzz_rec r[KX_MAX_RECS];
	unsigned int nr;
	/* the key prefix of every node, by level; the root is node 0 */
	u64 prefix[KX_FUZZ_MAX_NODES];
	u8 level[KX_FUZZ_MAX_NODES];
	unsigned int nr_nodes;
};

static void add(struct input *in, u8 node, u8 kind, u8 level, u8 order,
		u32 arg, u64 value)
{
	if (in->nr == KX_MAX_RECS) {
		fprintf(stderr, "mkcorpus_radix: input too large\n");
		exit(1);
	}
	in->r[in->nr++] = (struct kx_fuzz_rec){
		.node = node, .kind = kind, .level = level, .order = order,
		.arg = cpu_to_le32(arg), .value = cpu_to_le64(value),
	};
}

static u64 node_off(unsigned int n)
{
	return KX_FUZZ_IMG_OFF + (u64)n * PAGE_SIZE;
}

static void start(struct input *in, bool bulk)
{
	memset(in, 0, sizeof(*in));
	in->ctl.flags = bulk ? KX_FUZZ_BULK : 0;
	in->ctl.root = cpu_to_le32(node_off(0));
	in->level[0] = KHO_RADIX_TOP_LEVEL;
	in->nr_nodes = 1;
}

/* the node of @level whose keys start with @prefix, made if new */
static unsigned int node_of(struct input *in, unsigned int level, u64 prefix,
			    bool *made)
{
	unsigned int n;

	*made = false;
	for (n = 0; n < in->nr_nodes; n++)
		if (in->level[n] == level && in->prefix[n] == prefix)
			return n;
	if (n == KX_FUZZ_MAX_NODES) {
		fprintf(stderr, "mkcorpus_radix: too many nodes\n");
		exit(1);
	}
	in->level[n] = level;
	in->prefix[n] = prefix;
	in->nr_nodes++;
	*made = true;
	return n;
}

/* the folio of @order @off folios into RAM, its path linked as needed */
static void folio(struct input *in, unsigned int order, u32 off)
{
	u64 key = kx_fuzz_key(kho_sim.ram_base, order, off);
	unsigned int level, parent = 0, n;
	bool made;

	for (level = KHO_RADIX_TOP_LEVEL; level; level--) {
		unsigned int shift = KHO_RADIX_LEAF_SHIFT +
				     (level - 1) * KHO_RADIX_SLOT_SHIFT;

		n = node_of(in, level - 1, key >> shift, &made);
		if (made)
			add(in, parent, KX_REC_PTR_KEY, level, order, off,
			    node_off(n));
		parent = n;
	}
	add(in, parent, KX_REC_BITS_KEY, 0, order, off, 1);
}

static void write_input(const char *dir, const char *name,
			const struct input *in)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&in->ctl, sizeof(in->ctl), 1, f) != 1 ||
	    fwrite(in->r, sizeof(in->r[0]), in->nr, f) != in->nr || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* order 0 and order 9, as the bitmap's hostile base */
static void base(struct input *in)
{
	start(in, false);
	folio(in, 0, 16);
	folio(in, 0, 17);
	folio(in, 9, 8);
}

/* a chain of @depth raw nodes from the root, slot @slot each */
static void chain(struct input *in, unsigned int slot)
{
	add(in, 0, KX_REC_PTR, 0, 0, slot, node_off(1));
	add(in, 1, KX_REC_PTR, 0, 0, slot, node_off(2));
	add(in, 2, KX_REC_PTR, 0, 0, slot, node_off(3));
}

static void seeds(const char *dir)
{
	static struct input in;
	unsigned int i, order, bulk;
	char name[64];

	for (bulk = 0; bulk < 2; bulk++) {
		start(&in, bulk);
		for (order = 0; order <= 10; order++)
			for (i = 0; i < 4; i++)
				folio(&in, order, 3 + 5 * i);
		snprintf(name, sizeof(name), "mixed%s", bulk ? "-bulk" : "");
		write_input(dir, name, &in);

		start(&in, bulk);
		for (i = 0; i < 200; i++)
			folio(&in, 0, 512 + 1201 * i + i % 7);
		snprintf(name, sizeof(name), "scattered%s", bulk ? "-bulk" : "");
		write_input(dir, name, &in);

		start(&in, bulk);
		folio(&in, 0, 0);
		folio(&in, 9, (KX_FUZZ_RAM >> (PAGE_SHIFT + 9)) - 1);
		snprintf(name, sizeof(name), "ends%s", bulk ? "-bulk" : "");
		write_input(dir, name, &in);
	}
	start(&in, false);
	in.ctl.root = 0;
	write_input(dir, "empty", &in);
}

static void hostile(const char *dir)
{
	static struct input in;
	unsigned int i, j;

	base(&in);
	write_input(dir, "valid", &in);

	start(&in, false);
	in.ctl.root = 0;
	write_input(dir, "empty", &in);

	/* an order-9 folio ending at the last byte of RAM */
	base(&in);
	folio(&in, 9, (KX_FUZZ_RAM >> (PAGE_SHIFT + 9)) - 1);
	write_input(dir, "end-of-ram", &in);

	/* the page after RAM */
	base(&in);
	folio(&in, 0, KX_FUZZ_RAM >> PAGE_SHIFT);
	write_input(dir, "outside-ram", &in);

	/* the largest key: order 0, the last page of a 52-bit space */
	start(&in, false);
	chain(&in, KHO_RADIX_SLOTS - 1);
	in.r[0].arg = cpu_to_le32(KHO_RADIX_SLOTS / 2 - 1);
	add(&in, 3, KX_REC_WORD, 0, 0, KHO_RADIX_SLOTS - 1, BIT_ULL(63));
	write_input(dir, "largest-key", &in);

	/* the order-0 pages inside the order-9 folio */
	base(&in);
	folio(&in, 0, 8 << 9);
	write_input(dir, "overlap", &in);

	/* key 1: no folio of an order the tree takes has it */
	start(&in, false);
	chain(&in, 0);
	add(&in, 3, KX_REC_WORD, 0, 0, 0, 2);
	write_input(dir, "huge-order", &in);

	/* a node pointer outside RAM */
	base(&in);
	add(&in, 1, KX_REC_PTR_KEY, 2, 0, 16, 0xfff00000);
	write_input(dir, "pointer-outside-ram", &in);

	/* a node of which only half is in RAM */
	base(&in);
	add(&in, 1, KX_REC_PTR_KEY, 2, 0, 16, KX_FUZZ_RAM - PAGE_SIZE / 2);
	write_input(dir, "straddles-end", &in);

	/* a leaf slot that points back at the root */
	base(&in);
	add(&in, 2, KX_REC_PTR_KEY, 1, 0, 16, node_off(0));
	write_input(dir, "cyclic", &in);

	/* one flipped bit in a leaf, as a memory error would leave it */
	base(&in);
	add(&in, 3, KX_REC_BITS_KEY, 0, 0, 16, 4);
	write_input(dir, "bitflip", &in);

	/* a bit for every page of memory: 16,384 folios of order 0 */
	base(&in);
	for (i = 0; i < (KX_FUZZ_RAM >> PAGE_SHIFT) / 64; i++)
		add(&in, 3, KX_REC_BITS_KEY, 0, 0, 64 * i, ~0ULL);
	write_input(dir, "max", &in);

	/* 100 slots of each level to the same node: 10^6 leaves to read */
	start(&in, false);
	for (j = 0; j < 3; j++)
		for (i = 0; i < 100; i++)
			add(&in, j, KX_REC_PTR, 0, 0, i, node_off(j + 1));
	write_input(dir, "shared-nodes", &in);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s CORPUS HOSTILE\n", argv[0]);
		return 1;
	}
	if (kho_sim_init(0, KX_FUZZ_ARENA))
		return 1;
	seeds(argv[1]);
	hostile(argv[2]);
	kho_sim_exit();
	return 0;
}

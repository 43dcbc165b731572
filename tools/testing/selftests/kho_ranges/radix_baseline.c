// SPDX-License-Identifier: GPL-2.0
/*
 * The radix baseline (bench/baselines/kho_radix.c, upstream KHO's tracker
 * since 2026) must hand over exactly what was preserved, and its next
 * kernel must turn away a hostile tree before it reserves or marks
 * anything: a node outside memory or not page aligned, a node that is its
 * own ancestor, nodes shared so often that the walk would not end, a key of
 * no order it takes, a folio outside memory. Each test builds a real tree
 * with kho_radix_preserve(), breaks one thing in place, boots a fresh
 * memblock and deserializes.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "kr_test.h"
#include "kho_radix.h"

#define RX_KEY(pfn, order)	(BIT_ULL(KHO_RADIX_ORDER0_BIT - (order)) | \
				 ((u64)(pfn) >> (order)))

static unsigned int rx_slot(u64 key, unsigned int level)
{
	unsigned int shift = KHO_RADIX_LEAF_SHIFT +
			     (level - 1) * KHO_RADIX_SLOT_SHIFT;

	return (key >> shift) & (KHO_RADIX_SLOTS - 1);
}

/* the node of @level on the way to @key (the root is the top level) */
static u64 *rx_node(const struct kho_radix *t, u64 key, unsigned int level)
{
	phys_addr_t phys = t->root;
	unsigned int l;

	for (l = KHO_RADIX_TOP_LEVEL; l > level && phys; l--)
		phys = ((u64 *)phys_to_virt(phys))[rx_slot(key, l)];
	return phys ? phys_to_virt(phys) : NULL;
}

static unsigned long long rx_noinit_bytes(void)
{
	unsigned long long bytes = 0;
	unsigned long i;

	for (i = 0; i < memblock.reserved.cnt; i++)
		if (memblock.reserved.regions[i].flags & MEMBLOCK_RSRV_NOINIT)
			bytes += memblock.reserved.regions[i].size;
	return bytes;
}

struct rx_ctx {
	struct kho_radix t;
	struct kho_baseline_stats st;
	unsigned long boot_cnt;
	u64 boot_total;
	/* a pointer a test broke, put back before the tree is freed */
	u64 *broken;
	u64 saved;
};

FIXTURE(radix) {
	struct rx_ctx c;
};

FIXTURE_SETUP(radix)
{
	ASSERT_EQ(0, kho_sim_init(KR_TEST_RAM, KR_TEST_POOL));
	kho_radix_init(&self->c.t);
	self->c.broken = NULL;
}

FIXTURE_TEARDOWN(radix)
{
	if (self->c.broken)
		*self->c.broken = self->c.saved;
	kho_radix_destroy(&self->c.t);
	kho_sim_exit();
}

static void rx_break(struct rx_ctx *self, u64 *slot, u64 value)
{
	self->broken = slot;
	self->saved = *slot;
	*slot = value;
}

/* a fresh next kernel, and what memblock.reserved holds in it */
static void rx_boot(struct rx_ctx *self)
{
	kho_sim_boot(true);
	self->boot_cnt = memblock.reserved.cnt;
	self->boot_total = memblock.reserved.total_size;
}

static bool rx_reserved_unchanged(struct rx_ctx *self)
{
	return memblock.reserved.cnt == self->boot_cnt &&
	       memblock.reserved.total_size == self->boot_total;
}

/* one folio of every order 0..10, and three pages in a row */
static unsigned long long rx_fill(struct __test_metadata *_metadata,
				  struct kho_radix *t)
{
	unsigned long long bytes = 0;
	unsigned int order;

	for (order = 0; order <= 10; order++) {
		ASSERT_EQ(0, kho_radix_preserve(t, kr_pfn(4096UL * (order + 1)),
						order));
		bytes += PAGE_SIZE << order;
	}
	for (order = 0; order < 3; order++)
		ASSERT_EQ(0, kho_radix_preserve(t, kr_pfn(100000 + order), 0));
	return bytes + 3 * PAGE_SIZE;
}

/*
 * Every folio comes back: reserved as noinit, its order in its head page,
 * with the upstream walk and with the bulk one.
 */
TEST_F(radix, round_trip)
{
	unsigned long long bytes = rx_fill(_metadata, &self->c.t);
	unsigned int how[] = {
		KHO_BASELINE_RESERVE | KHO_BASELINE_MARK,
		KHO_BASELINE_BULK | KHO_BASELINE_MARK,
	};
	unsigned int i, order;

	ASSERT_EQ(14, self->c.t.nr_folios);
	for (i = 0; i < ARRAY_SIZE(how); i++) {
		rx_boot(&self->c);
		ASSERT_EQ(0, kho_radix_deserialize(self->c.t.root, how[i],
						   &self->c.st));
		EXPECT_EQ(14, self->c.st.nr_folios);
		EXPECT_EQ(bytes >> PAGE_SHIFT, self->c.st.nr_pages);
		EXPECT_EQ(self->c.t.nr_leaves, self->c.st.nr_records);
		EXPECT_EQ(bytes, rx_noinit_bytes());
		/* the three pages in a row are one region */
		EXPECT_EQ(self->c.boot_cnt + 12, memblock.reserved.cnt);
		for (order = 0; order <= 10; order++)
			EXPECT_EQ(order, kho_radix_restore_order(kr_pfn(4096UL * (order + 1))));
		kho_sim_reset_memmap();
	}
}

/* the memblock half and the memmap half are separate calls */
TEST_F(radix, reserve_and_mark_apart)
{
	unsigned long long bytes = rx_fill(_metadata, &self->c.t);

	rx_boot(&self->c);
	ASSERT_EQ(0, kho_radix_deserialize(self->c.t.root, KHO_BASELINE_RESERVE,
					   &self->c.st));
	EXPECT_EQ(bytes, rx_noinit_bytes());
	EXPECT_EQ(0, kho_radix_restore_order(kr_pfn(4096UL * 11)));
	ASSERT_EQ(0, kho_radix_deserialize(self->c.t.root, KHO_BASELINE_MARK,
					   &self->c.st));
	EXPECT_EQ(bytes, rx_noinit_bytes());
	EXPECT_EQ(10, kho_radix_restore_order(kr_pfn(4096UL * 11)));
}

/* unpreserve clears the bit, keeps the nodes, and knows what it cleared */
TEST_F(radix, unpreserve)
{
	unsigned long nodes;

	ASSERT_EQ(0, kho_radix_preserve(&self->c.t, kr_pfn(512), 9));
	ASSERT_EQ(0, kho_radix_preserve(&self->c.t, kr_pfn(7), 0));
	nodes = self->c.t.nr_nodes;
	/* the two orders' key ranges share the root, nothing below */
	EXPECT_EQ(1 + 2 * KHO_RADIX_TOP_LEVEL, nodes);
	EXPECT_EQ(0, kho_radix_unpreserve(&self->c.t, kr_pfn(512), 9));
	EXPECT_EQ(-ENOENT, kho_radix_unpreserve(&self->c.t, kr_pfn(512), 9));
	EXPECT_EQ(-ENOENT, kho_radix_unpreserve(&self->c.t, kr_pfn(512), 8));
	EXPECT_EQ(nodes, self->c.t.nr_nodes);
	rx_boot(&self->c);
	ASSERT_EQ(0, kho_radix_deserialize(self->c.t.root,
					   KHO_BASELINE_RESERVE, &self->c.st));
	EXPECT_EQ(1, self->c.st.nr_folios);
	EXPECT_EQ(PAGE_SIZE, rx_noinit_bytes());
}

TEST_F(radix, preserve_refuses_what_it_cannot_key)
{
	EXPECT_EQ(-EINVAL, kho_radix_preserve(&self->c.t, kr_pfn(1), 1));
	EXPECT_EQ(-EINVAL, kho_radix_preserve(&self->c.t, kr_pfn(0),
					      KHO_RADIX_MAX_ORDER + 1));
	EXPECT_EQ(-EINVAL, kho_radix_preserve(&self->c.t,
					      1UL << KHO_RADIX_ORDER0_BIT, 0));
	EXPECT_EQ(0, self->c.t.nr_nodes);
}

TEST_F(radix, empty_tree)
{
	rx_boot(&self->c);
	ASSERT_EQ(0, kho_radix_deserialize(0, KHO_BASELINE_RESERVE |
					   KHO_BASELINE_BULK, &self->c.st));
	EXPECT_EQ(0, self->c.st.nr_folios);
	EXPECT_TRUE(rx_reserved_unchanged(&self->c));
}

/*
 * A hostile tree is rejected before anything is reserved or marked: the
 * valid folio found before the bad node is not reserved either.
 */
static void rx_expect_rejected(struct __test_metadata *_metadata,
			       struct rx_ctx *self, int err)
{
	unsigned int i;
	unsigned int how[] = {
		KHO_BASELINE_RESERVE | KHO_BASELINE_MARK,
		KHO_BASELINE_BULK | KHO_BASELINE_MARK,
	};

	for (i = 0; i < ARRAY_SIZE(how); i++) {
		rx_boot(self);
		EXPECT_EQ(err, kho_radix_deserialize(self->t.root, how[i],
						     &self->st));
		EXPECT_TRUE(rx_reserved_unchanged(self));
		EXPECT_EQ(0, kho_radix_restore_order(kr_pfn(4096UL * 11)));
		kho_sim_reset_memmap();
	}
}

TEST_F(radix, node_outside_memory)
{
	u64 key = RX_KEY(kr_pfn(100000), 0);

	rx_fill(_metadata, &self->c.t);
	rx_break(&self->c, &rx_node(&self->c.t, key, 1)[rx_slot(key, 1)],
		 kho_sim.pool_base + kho_sim.pool_size);
	rx_expect_rejected(_metadata, &self->c, -EINVAL);
}

TEST_F(radix, node_not_page_aligned)
{
	u64 key = RX_KEY(kr_pfn(100000), 0);
	u64 *slot;

	rx_fill(_metadata, &self->c.t);
	slot = &rx_node(&self->c.t, key, 2)[rx_slot(key, 2)];
	rx_break(&self->c, slot, *slot + 8);
	rx_expect_rejected(_metadata, &self->c, -EINVAL);
}

/* a leaf slot that points back at the root: a cycle */
TEST_F(radix, node_is_its_own_ancestor)
{
	u64 key = RX_KEY(kr_pfn(100000), 0);

	rx_fill(_metadata, &self->c.t);
	rx_break(&self->c, &rx_node(&self->c.t, key, 1)[rx_slot(key, 1)],
		 self->c.t.root);
	rx_expect_rejected(_metadata, &self->c, -ELOOP);
}

/*
 * Every slot of every level points at the same node: 512^3 leaves to
 * visit, more than there are pages of memory, so the walk gives up. With
 * memory cut to the pool's first 64 MiB (where the nodes are) the walk
 * reads at most 16,384 nodes.
 */
TEST_F(radix, nodes_shared_beyond_memory)
{
	u64 key = RX_KEY(kr_pfn(0), 0);
	unsigned int level, i;
	u64 *node;

	/* an empty leaf: nothing to decode, only nodes to visit */
	ASSERT_EQ(0, kho_radix_preserve(&self->c.t, kr_pfn(0), 0));
	ASSERT_EQ(0, kho_radix_unpreserve(&self->c.t, kr_pfn(0), 0));
	for (level = KHO_RADIX_TOP_LEVEL; level; level--) {
		node = rx_node(&self->c.t, key, level);
		for (i = 0; i < KHO_RADIX_SLOTS; i++)
			node[i] = node[rx_slot(key, level)];
	}
	rx_boot(&self->c);
	memblock_remove(kho_sim.ram_base, kho_sim.ram_size);
	memblock_remove(kho_sim.pool_base + (64 << 20),
			kho_sim.pool_size - (64 << 20));
	ASSERT_GT(kho_sim.pool_base + (64 << 20), self->c.t.root);
	EXPECT_EQ(-E2BIG, kho_radix_deserialize(self->c.t.root,
						KHO_BASELINE_RESERVE,
						&self->c.st));
	EXPECT_TRUE(rx_reserved_unchanged(&self->c));
	/* the tree is a DAG now: put it back for kho_radix_destroy() */
	for (level = KHO_RADIX_TOP_LEVEL; level; level--) {
		node = rx_node(&self->c.t, key, level);
		for (i = 0; i < KHO_RADIX_SLOTS; i++)
			if (i != rx_slot(key, level))
				node[i] = 0;
	}
}

/* a key above every order's range: bit 41 set, order -1 */
TEST_F(radix, key_above_every_order)
{
	u64 key = RX_KEY(kr_pfn(0), 0);
	unsigned int top = rx_slot(key, KHO_RADIX_TOP_LEVEL);
	u64 *root;

	ASSERT_EQ(0, kho_radix_preserve(&self->c.t, kr_pfn(0), 0));
	root = phys_to_virt(self->c.t.root);
	ASSERT_EQ(0, (top + 256) >> 9);
	rx_break(&self->c, &root[top + 256], root[top]);
	rx_expect_rejected(_metadata, &self->c, -ERANGE);
}

/*
 * A key below every order's range: the leaf of an order-20 folio, hung
 * again at slot 0 of its parent, stands for keys under 2^15 too, which
 * would be orders 26 and up.
 */
TEST_F(radix, key_below_every_order)
{
	unsigned long pfn = ALIGN(kr_pfn(0), 1UL << KHO_RADIX_MAX_ORDER);
	u64 key = RX_KEY(pfn, KHO_RADIX_MAX_ORDER);
	u64 *parent;

	ASSERT_EQ(0, kho_radix_preserve(&self->c.t, pfn, KHO_RADIX_MAX_ORDER));
	parent = rx_node(&self->c.t, key, 1);
	ASSERT_NE(0, rx_slot(key, 1));
	ASSERT_EQ(0, rx_slot(key, 2));
	ASSERT_EQ(0, rx_slot(key, KHO_RADIX_TOP_LEVEL));
	rx_break(&self->c, &parent[0], parent[rx_slot(key, 1)]);
	rx_expect_rejected(_metadata, &self->c, -ERANGE);
}

/* a folio past the end of memory, keyed like any other */
TEST_F(radix, folio_outside_memory)
{
	unsigned long end = PHYS_PFN(kho_sim.pool_base + kho_sim.pool_size);

	rx_fill(_metadata, &self->c.t);
	ASSERT_EQ(0, kho_radix_preserve(&self->c.t, end, 0));
	rx_expect_rejected(_metadata, &self->c, -EINVAL);
	/* one that starts in memory and ends past its last page */
	ASSERT_EQ(0, kho_radix_unpreserve(&self->c.t, end, 0));
	ASSERT_EQ(0, kho_radix_preserve(&self->c.t, end - 1024, 10));
	rx_boot(&self->c);
	memblock_remove(PFN_PHYS(end - 1), PAGE_SIZE);
	EXPECT_EQ(-EINVAL, kho_radix_deserialize(self->c.t.root,
						 KHO_BASELINE_RESERVE,
						 &self->c.st));
	EXPECT_TRUE(rx_reserved_unchanged(&self->c));
}

/* a folio at the very end of memory is fine */
TEST_F(radix, folio_at_end_of_memory)
{
	unsigned long end = PHYS_PFN(kho_sim.pool_base + kho_sim.pool_size);

	ASSERT_EQ(0, kho_radix_preserve(&self->c.t, end - 1024, 10));
	rx_boot(&self->c);
	ASSERT_EQ(0, kho_radix_deserialize(self->c.t.root, KHO_BASELINE_RESERVE,
					   &self->c.st));
	EXPECT_EQ(PAGE_SIZE << 10, rx_noinit_bytes());
}

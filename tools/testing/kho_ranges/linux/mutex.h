/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sleeping lock for the harness that hands over the way the kernel's
 * mutex does, not the way a glibc mutex does.
 *
 * A glibc mutex lets the thread that unlocks take the lock straight back
 * before the waiter it woke gets to run, so a thread that relocks in a loop
 * keeps a waiter off the lock until the scheduler preempts it: waits of a
 * whole timeslice, and a run time set by the scheduler rather than by the
 * work. The kernel's mutex bounds that stealing (MUTEX_FLAG_HANDOFF gives
 * the lock to a waiter that lost it once). This one is stricter and simpler:
 * a ticket lock whose waiters sleep on a futex, served in arrival order.
 * Uncontended, lock and unlock are one atomic each, like the kernel's
 * fast path.
 *
 * It also remembers its owner, so that lockdep_assert_held() checks
 * something, and counts per thread how often a caller had to wait and for
 * how long (struct kho_harness_lock_stat).
 */
#ifndef _KHO_HARNESS_LINUX_MUTEX_H
#define _KHO_HARNESS_LINUX_MUTEX_H

#include <assert.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct mutex {
	unsigned int next;	/* ticket the next caller of mutex_lock() takes */
	unsigned int serving;	/* ticket that owns the lock */
	pthread_t owner;
	bool held;
};

/* per thread: acquisitions, those that had to wait, and the time waited */
struct kho_harness_lock_stat {
	unsigned long acquired;
	unsigned long contended;
	unsigned long long wait_ns;
};

extern __thread struct kho_harness_lock_stat kho_harness_lock_stat;

static inline unsigned long long kho_harness_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#define DEFINE_MUTEX(name)	struct mutex name = { 0 }

static inline void mutex_init(struct mutex *lock)
{
	lock->next = 0;
	lock->serving = 0;
	lock->held = false;
}

static inline void mutex_lock(struct mutex *lock)
{
	struct kho_harness_lock_stat *st = &kho_harness_lock_stat;
	unsigned int me = __atomic_fetch_add(&lock->next, 1, __ATOMIC_SEQ_CST);
	unsigned int now = __atomic_load_n(&lock->serving, __ATOMIC_SEQ_CST);

	if (now != me) {
		unsigned long long t0 = kho_harness_now_ns();

		do {
			syscall(SYS_futex, &lock->serving, FUTEX_WAIT_PRIVATE,
				now, NULL, NULL, 0);
			now = __atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE);
		} while (now != me);
		st->wait_ns += kho_harness_now_ns() - t0;
		st->contended++;
	}
	st->acquired++;
	lock->owner = pthread_self();
	__atomic_store_n(&lock->held, true, __ATOMIC_RELAXED);
}

static inline void mutex_unlock(struct mutex *lock)
{
	unsigned int now;

	__atomic_store_n(&lock->held, false, __ATOMIC_RELAXED);
	/*
	 * Sequentially consistent against mutex_lock(): either a new waiter
	 * sees the new ticket, or this sees the waiter and wakes it. Waiters
	 * sleep on one word: wake them all, the one served runs.
	 */
	now = __atomic_add_fetch(&lock->serving, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&lock->next, __ATOMIC_SEQ_CST) != now)
		syscall(SYS_futex, &lock->serving, FUTEX_WAKE_PRIVATE, INT_MAX,
			NULL, NULL, 0);
}

static inline bool kho_harness_mutex_is_mine(struct mutex *lock)
{
	return __atomic_load_n(&lock->held, __ATOMIC_RELAXED) &&
	       pthread_equal(lock->owner, pthread_self());
}

#define lockdep_assert_held(l)	assert(kho_harness_mutex_is_mine(l))

#endif

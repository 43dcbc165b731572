/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sleeping lock for the harness: a pthread mutex that remembers its owner
 * so that lockdep_assert_held() really checks something.
 */
#ifndef _KHO_HARNESS_LINUX_MUTEX_H
#define _KHO_HARNESS_LINUX_MUTEX_H

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>

struct mutex {
	pthread_mutex_t m;
	pthread_t owner;
	bool held;
};

static inline void mutex_init(struct mutex *lock)
{
	pthread_mutex_init(&lock->m, NULL);
	lock->held = false;
}

static inline void mutex_lock(struct mutex *lock)
{
	pthread_mutex_lock(&lock->m);
	lock->owner = pthread_self();
	__atomic_store_n(&lock->held, true, __ATOMIC_RELAXED);
}

static inline void mutex_unlock(struct mutex *lock)
{
	__atomic_store_n(&lock->held, false, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lock->m);
}

static inline bool kho_harness_mutex_is_mine(struct mutex *lock)
{
	return __atomic_load_n(&lock->held, __ATOMIC_RELAXED) &&
	       pthread_equal(lock->owner, pthread_self());
}

#define lockdep_assert_held(l)	assert(kho_harness_mutex_is_mine(l))

#endif

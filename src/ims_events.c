/* ims_events.c -- the block queue between the parsing thread and the
 * building thread (see ims_events.h). Whole blocks change hands through
 * two counters; within a block each side works alone. A side that finds
 * nothing to do spins a little, then sleeps on a mutex and a condition
 * variable; the producer wakes a sleeping consumer once a few blocks are
 * waiting, not for each (a wake is a system call and, on a virtual
 * machine, an interrupt that costs tens of microseconds). */
#include "config.h"
#include "ims_events.h"
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* A few microseconds of asking before sleeping. Longer spins were
 * measured and lost: on the shared virtual machines we run on, a spinning
 * CPU slows the other one down. */
#define SPINS 200

typedef struct slot {
	char *data;
	size_t cap;
	size_t len;                   /* written by the producer before head moves */
} slot;

struct ims_events {
	slot *slots;
	unsigned nblocks;
	unsigned wake_batch;          /* blocks handed over before a sleeper is woken */
	_Atomic uint64_t head;        /* blocks handed over */
	_Atomic uint64_t tail;        /* blocks given back */
	_Atomic uint64_t consumed;    /* bytes of the blocks given back */
	atomic_bool closed;
	atomic_bool abandoned;

	pthread_mutex_t mu;
	pthread_cond_t wake;          /* a side that sleeps waits on it */
	atomic_int sleepers;

	/* the producer's own */
	bool holding;                 /* it holds slot head % nblocks */
	char *scratch;                /* where records go after abandon */
	size_t scratch_cap;
};

ims_events *ims_events_new(size_t block_size, unsigned nblocks)
{
	ims_events *q = xcalloc(1, sizeof *q);
	q->nblocks = nblocks;
	q->wake_batch = nblocks >= 8 ? nblocks / 8 : 1;
	q->slots = xcalloc(nblocks, sizeof *q->slots);
	for (unsigned i = 0; i < nblocks; i++) {
		q->slots[i].data = xmalloc(block_size);
		q->slots[i].cap = block_size;
	}
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	atomic_init(&q->consumed, 0);
	atomic_init(&q->closed, false);
	atomic_init(&q->abandoned, false);
	atomic_init(&q->sleepers, 0);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->wake, NULL);
	return q;
}

void ims_events_free(ims_events *q)
{
	if (!q)
		return;
	for (unsigned i = 0; i < q->nblocks; i++)
		free(q->slots[i].data);
	free(q->slots);
	free(q->scratch);
	pthread_cond_destroy(&q->wake);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

bool ims_events_abandoned(const ims_events *q)
{
	return atomic_load(&q->abandoned);
}

/* Wakes the other side if it sleeps. The counter it waits on was stored
 * (sequentially consistent) before this reads sleepers, and a sleeper
 * counts itself before it reads the counter again under the mutex: one
 * of the two sees the other. */
static void wake_other(ims_events *q)
{
	if (atomic_load(&q->sleepers) == 0)
		return;
	pthread_mutex_lock(&q->mu);
	pthread_cond_broadcast(&q->wake);
	pthread_mutex_unlock(&q->mu);
}

/* Waits until ready(q, arg) holds: spins a little, then sleeps. */
static void wait_until(ims_events *q, bool (*ready)(ims_events *, uint64_t), uint64_t arg)
{
	for (int i = 0; i < SPINS; i++) {
		if (ready(q, arg))
			return;
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
	pthread_mutex_lock(&q->mu);
	atomic_fetch_add(&q->sleepers, 1);
	while (!ready(q, arg))
		pthread_cond_wait(&q->wake, &q->mu);
	atomic_fetch_sub(&q->sleepers, 1);
	pthread_mutex_unlock(&q->mu);
}

static bool slot_free(ims_events *q, uint64_t unused)
{
	(void)unused;
	return atomic_load(&q->head) - atomic_load(&q->tail) < q->nblocks ||
	       atomic_load(&q->abandoned);
}

static bool consumed_up_to(ims_events *q, uint64_t mark)
{
	return atomic_load(&q->consumed) >= mark || atomic_load(&q->abandoned);
}

static bool block_ready(ims_events *q, uint64_t tail)
{
	return atomic_load(&q->head) != tail || atomic_load(&q->closed);
}

static char *scratch(ims_events *q, size_t n, size_t *room)
{
	if (n > q->scratch_cap) {
		q->scratch = xrealloc(q->scratch, n);
		q->scratch_cap = n;
	}
	*room = q->scratch_cap;
	return q->scratch;
}

char *ims_events_block(ims_events *q, size_t n, size_t *room)
{
	if (!atomic_load(&q->abandoned))
		wait_until(q, slot_free, 0);
	if (atomic_load(&q->abandoned))
		return scratch(q, n, room);
	slot *s = &q->slots[atomic_load(&q->head) % q->nblocks];
	if (n > s->cap) {
		free(s->data);
		s->data = xmalloc(n);
		s->cap = n;
	}
	q->holding = true;
	*room = s->cap;
	return s->data;
}

void ims_events_hand_over(ims_events *q, size_t used)
{
	if (!q->holding)
		return; /* scratch space */
	q->holding = false;
	q->slots[atomic_load(&q->head) % q->nblocks].len = used;
	uint64_t head = atomic_fetch_add(&q->head, 1) + 1;
	/* a consumer asleep is woken for a few blocks at once: each wake costs
	 * the producer a system call and the machine an interrupt */
	if (head - atomic_load(&q->tail) >= q->wake_batch)
		wake_other(q);
}

void ims_events_close(ims_events *q)
{
	atomic_store(&q->closed, true);
	wake_other(q);
}

void ims_events_wait_consumed(ims_events *q, uint64_t mark)
{
	wake_other(q);
	wait_until(q, consumed_up_to, mark);
}

const char *ims_events_take(ims_events *q, size_t *len)
{
	uint64_t tail = atomic_load(&q->tail);
	wait_until(q, block_ready, tail);
	if (atomic_load(&q->head) == tail)
		return NULL; /* closed, and every block read */
	slot *s = &q->slots[tail % q->nblocks];
	*len = s->len;
	return s->data;
}

void ims_events_give_back(ims_events *q)
{
	uint64_t tail = atomic_load(&q->tail);
	atomic_fetch_add(&q->consumed, q->slots[tail % q->nblocks].len);
	atomic_fetch_add(&q->tail, 1);
	wake_other(q);
}

void ims_events_abandon(ims_events *q)
{
	atomic_store(&q->abandoned, true);
	wake_other(q);
}

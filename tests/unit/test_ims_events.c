/* test_ims_events.c -- unit tests of the block queue between the parsing and
 * the building thread (src/ims_events.c): every record arrives once, whole
 * and in order, across many more blocks than the queue holds and with
 * records longer than a block; a wait for the consumer ends only once it
 * gave the blocks back; and a consumer that abandons the queue never leaves
 * the producer waiting. */
#include "config.h"
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ims_events.h"
#include "check_main.h"

/* A record: its number, its length, then length - 16 bytes that follow
 * from its number. */
typedef struct record_head {
	uint64_t number;
	uint64_t length;
} record_head;

static size_t record_length(uint64_t number)
{
	/* mostly short, now and then longer than a block (1 KiB in these tests) */
	return number % 97 == 0 ? 3000 + number % 500 : 16 + 8 * (number % 13);
}

static unsigned char record_byte(uint64_t number, size_t i)
{
	return (unsigned char)(number * 31 + i * 7);
}

/* The producer's side: writes n records into q, handing a block over when
 * the next record does not fit, as ims_parse.c does. */
typedef struct writer {
	ims_events *q;
	char *block;
	size_t room, used;
	uint64_t handed;          /* bytes in the blocks handed over */
} writer;

static void write_record(writer *w, uint64_t number)
{
	size_t n = record_length(number);
	if (!w->block || w->room - w->used < n) {
		if (w->block) {
			ims_events_hand_over(w->q, w->used);
			w->handed += w->used;
		}
		w->block = ims_events_block(w->q, n, &w->room);
		w->used = 0;
		ck_assert_uint_ge(w->room, n);
	}
	unsigned char *at = (unsigned char *)w->block + w->used;
	record_head h = { number, n };
	memcpy(at, &h, sizeof h);
	for (size_t i = sizeof h; i < n; i++)
		at[i] = record_byte(number, i);
	w->used += n;
}

static void flush(writer *w)
{
	if (w->block) {
		ims_events_hand_over(w->q, w->used);
		w->handed += w->used;
	}
	w->block = NULL;
}

/* The consumer's side: reads records and checks each; stops (abandoning
 * the queue) after stop_after records when that is not 0. */
typedef struct reader {
	ims_events *q;
	uint64_t records;
	uint64_t bad;
	uint64_t stop_after;
	atomic_uint_fast64_t given_back;   /* bytes */
} reader;

static void *read_all(void *arg)
{
	reader *r = arg;
	const char *block;
	size_t len;
	while ((block = ims_events_take(r->q, &len))) {
		for (size_t off = 0; off < len;) {
			record_head h;
			memcpy(&h, block + off, sizeof h);
			if (h.number != r->records || h.length != record_length(h.number))
				r->bad++;
			for (size_t i = sizeof h; i < h.length; i++)
				if ((unsigned char)block[off + i] != record_byte(h.number, i))
					r->bad++;
			off += h.length ? h.length : len;
			r->records++;
			if (r->stop_after && r->records == r->stop_after) {
				ims_events_abandon(r->q);
				return NULL;
			}
		}
		atomic_fetch_add(&r->given_back, len);
		ims_events_give_back(r->q);
	}
	return NULL;
}

/* What a run of the queue ends with. */
typedef struct outcome {
	uint64_t records, bad;     /* as the reader counted them */
	bool abandoned;
} outcome;

/* Runs a queue of nblocks blocks of 1 KiB: a reader in a thread of its own
 * (stopping after stop_after records when that is not 0), and this thread
 * writing records 0..n-1, then closing the queue. Every `wait_every`
 * records (0: never) it waits for the reader to have given back what was
 * written, and checks that it has. */
static outcome run_queue(unsigned nblocks, uint64_t n, uint64_t wait_every, uint64_t stop_after)
{
	ims_events *q = ims_events_new(1024, nblocks);
	reader r = { .q = q, .stop_after = stop_after };
	writer w = { .q = q };
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, read_all, &r), 0);
	for (uint64_t i = 0; i < n; i++) {
		write_record(&w, i);
		if (wait_every && i % wait_every == wait_every - 1) {
			flush(&w);
			ims_events_wait_consumed(q, w.handed);
			uint64_t given_back = atomic_load(&r.given_back);
			if (!ims_events_abandoned(q))
				ck_assert_uint_ge(given_back, w.handed);
		}
	}
	flush(&w);
	ims_events_close(q);
	pthread_join(t, NULL);
	outcome o = { r.records, r.bad, ims_events_abandoned(q) };
	ims_events_free(q);
	return o;
}

START_TEST(test_records_arrive_in_order)
{
	outcome o = run_queue(4, 200000, 0, 0);
	ck_assert_uint_eq(o.records, 200000);
	ck_assert_uint_eq(o.bad, 0);
	ck_assert(!o.abandoned);
}
END_TEST

START_TEST(test_close_without_records)
{
	outcome o = run_queue(4, 0, 0, 0);
	ck_assert_uint_eq(o.records, 0);
}
END_TEST

START_TEST(test_wait_consumed)
{
	/* after each wait, the consumer has given back every byte up to the
	 * mark: the producer may then drop what those records point into */
	outcome o = run_queue(8, 20000, 1000, 0);
	ck_assert_uint_eq(o.records, 20000);
	ck_assert_uint_eq(o.bad, 0);
}
END_TEST

START_TEST(test_abandon_releases_the_producer)
{
	/* the consumer stops early (the builder refused the file): the
	 * producer's writes and waits go on without blocking, into scratch */
	outcome o = run_queue(2, 100000, 7000, 500);
	ck_assert(o.abandoned);
	ck_assert_uint_eq(o.records, 500);
	ck_assert_uint_eq(o.bad, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ims_events");
	TCase *tc = tcase_create("queue");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_records_arrive_in_order);
	tcase_add_test(tc, test_close_without_records);
	tcase_add_test(tc, test_wait_consumed);
	tcase_add_test(tc, test_abandon_releases_the_producer);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

/* ims_events.h -- a queue of bytes in blocks from one producer thread to one
 * consumer thread: libxml2's SAX callbacks write the parse events into it,
 * and the thread that builds the model reads them (ims_parse.c's pipeline).
 * What the bytes mean is the caller's business; the queue only moves whole
 * blocks, and lets the consumer stop the producer. */
#ifndef IMS2MOODLE_IMS_EVENTS_H
#define IMS2MOODLE_IMS_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ims_events ims_events;

/* A queue of nblocks blocks of block_size bytes (a block grows for a single
 * record longer than that). */
ims_events *ims_events_new(size_t block_size, unsigned nblocks);
void ims_events_free(ims_events *q);

/* ---- producer ---- */

/* A block to write records into, with room for at least n bytes: returns
 * its start and sets *room. Waits for a free block. After the consumer
 * abandoned the queue the block is scratch space that goes nowhere. */
char *ims_events_block(ims_events *q, size_t n, size_t *room);
/* Hands the block from ims_events_block over, holding its first used bytes. */
void ims_events_hand_over(ims_events *q, size_t used);
/* Tells the consumer that no block comes after those handed over. */
void ims_events_close(ims_events *q);
/* Waits until the consumer has given back blocks holding mark bytes in all
 * (counted over every block handed over), or abandoned the queue. */
void ims_events_wait_consumed(ims_events *q, uint64_t mark);
/* Whether the consumer abandoned the queue. */
bool ims_events_abandoned(const ims_events *q);

/* ---- consumer ---- */

/* The next block and its length; NULL once the producer closed the queue
 * and every block was read. Waits for one. */
const char *ims_events_take(ims_events *q, size_t *len);
/* Gives the block from the last take back to the producer. */
void ims_events_give_back(ims_events *q);
/* Reads no more: the producer's waits end and its records go nowhere. */
void ims_events_abandon(ims_events *q);

#endif

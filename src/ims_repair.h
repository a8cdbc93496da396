/* ims_repair.h -- an opt-in streaming filter between the file and libxml2
 * that repairs exactly two harmless defects real exporters ship (reference
 * §8 #78, #79): a bare '&' that starts no reference (read as "&amp;"), and
 * whitespace before the XML declaration (skipped). Nothing else is ever
 * repaired. Every repair is recorded in the model with its original
 * line:col, and positions libxml2 reports are mapped back to the original
 * file. With no repair asked for, the filter passes bytes through untouched. */
#ifndef IMS2MOODLE_IMS_REPAIR_H
#define IMS2MOODLE_IMS_REPAIR_H

#include <stddef.h>
#include <stdint.h>
#include "ims_model.h"
#include "util.h"

typedef struct ims_repairer ims_repairer;

/* Receives the filtered bytes; terminate is 1 on the last call. */
typedef void (*ims_feed_fn)(void *ctx, const char *data, size_t n, int terminate);

/* A repairer for the enum ims_repair bits in flags, recording repairs in m
 * under file index `file`. Returns NULL when flags is 0; every function
 * below accepts NULL and then passes bytes through unchanged. */
ims_repairer *ims_repairer_new(unsigned flags, ims_model *m, uint32_t file);
void ims_repairer_free(ims_repairer *r);

/* Filters the next chunk of the original file into feed (possibly holding a
 * few bytes back until the next chunk decides them). */
void ims_repair_feed(ims_repairer *r, const char *data, size_t n, ims_feed_fn feed, void *ctx);
/* Flushes what was held back and calls feed with terminate = 1. */
void ims_repair_finish(ims_repairer *r, ims_feed_fn feed, void *ctx);

/* Maps a position in the filtered stream (as libxml2 reports it) to the
 * original file. */
void ims_repair_map_position(const ims_repairer *r, int *line, int *col);

/* Parses a comma-separated list of repair names ("ampersand",
 * "leading-space") into bits. Returns 0, or -EXIT_USAGE with e set. */
int ims_repair_parse_list(const char *list, unsigned *flags, errinfo *e);

#endif

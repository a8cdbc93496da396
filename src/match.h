/* match.h -- learning the part of the Moodle site a file refers to, with
 * the fewest bulk reads: in reconcile mode everything from Moodle (the
 * truth); in diff mode what the store knows is taken from the store, and
 * only what it does not know is read (reference §3, issue "two ways to know
 * the site"). The result is the site snapshot the planner diffs against. */
#ifndef IMS2MOODLE_MATCH_H
#define IMS2MOODLE_MATCH_H

#include "ims_model.h"
#include "moodle_client.h"
#include "settings.h"
#include "site.h"
#include "state.h"

/* Which reading a run uses: the configured one, or with READ_AUTO a
 * reconcile on the first run (empty store) and every reconcile_every, a
 * diff in between. now is the Unix time. */
enum site_read match_choose_read(const settings *cfg, const state_view *store, int64_t now);

/* Fills s (which already holds the site info and the role ids) for the
 * records of m. Returns 0, or the read's error (-EXIT_UNAVAILABLE when the
 * site cannot be read). */
int match_read_site(moodle_client *c, const ims_model *m, const state_view *store,
		    const settings *cfg, enum site_read read, site_snapshot *s, errinfo *e);

#endif

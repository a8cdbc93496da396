/* apply.h -- executing a plan through the REST API: in dependency order
 * (categories, courses, users, enrolments and roles, course groups,
 * withdrawals, course hides, user suspensions), in batches per web service
 * function sized to the field budget, several requests in flight (courses
 * one at a time; enrolments sorted by user so that concurrent batches never
 * share one). A failed all-or-nothing batch is split in halves until the
 * records Moodle refuses are isolated (a deadlocked batch is first retried
 * whole); a write whose answer was lost is sent again only when that is
 * harmless, and a creation is never raced: it is looked for after a delay,
 * and what is still unknown is left to the next run. Every change is
 * journalled before and after it is sent, and the store learns only
 * confirmed results, so running apply again is the resume. */
#ifndef IMS2MOODLE_APPLY_H
#define IMS2MOODLE_APPLY_H

#include <stdbool.h>
#include "conf.h"
#include "moodle_client.h"
#include "plan.h"
#include "settings.h"
#include "site.h"
#include "state.h"

typedef struct apply_options {
	int batch_create_users, batch_update_users, batch_enrol, batch_unenrol, batch_roles,
	    batch_group_members, batch_create_courses;
	int write_retries;
	double settle_delay;
	bool check_hidden;
	enum password_policy password;
	bool progress;             /* a progress line on standard error */
	bool force;                /* run the actions a safety threshold holds back */
} apply_options;

/* Fills o from the [apply] section and the settings. */
void apply_options_load(apply_options *o, config *c, const settings *s);

/* Executes p on the site and records the outcome in p (p->is_outcome, each
 * action's result and error, p->results) and what was confirmed in the
 * store (db may be NULL in tests). Returns 0 when the run went through,
 * even with records Moodle refused; a negative code with e set when it had
 * to stop (a course created visible though asked hidden, the store
 * failing, libcurl failing); the outcome then says what ran. */
int apply_plan(plan *p, moodle_client *c, state_db *db, const state_view *store,
	       site_snapshot *site, int64_t run_id, const apply_options *o, errinfo *e);

#endif

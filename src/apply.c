/* apply.c -- the executor's engine (see apply.h): phases in dependency
 * order, batches cut to the field budget, the serial lane for course
 * creation, bisection of refused batches, retries of harmless writes,
 * settling of creations whose answer was lost, journal, progress. */
#include "config.h"
#include "apply_internal.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void apply_options_load(apply_options *o, config *c, const settings *s)
{
	memset(o, 0, sizeof *o);
	o->batch_create_users = (int)config_int(c, "apply", "batch_create_users");
	o->batch_update_users = (int)config_int(c, "apply", "batch_update_users");
	o->batch_enrol = (int)config_int(c, "apply", "batch_enrol");
	o->batch_unenrol = (int)config_int(c, "apply", "batch_unenrol");
	o->batch_roles = (int)config_int(c, "apply", "batch_roles");
	o->batch_group_members = (int)config_int(c, "apply", "batch_group_members");
	o->batch_create_courses = (int)config_int(c, "apply", "batch_create_courses");
	o->write_retries = (int)config_int(c, "apply", "write_retries");
	o->settle_delay = config_duration(c, "apply", "settle_delay");
	o->check_hidden = config_bool(c, "apply", "check_hidden");
	o->password = s->password;
}

/* ---- results -------------------------------------------------------------------- */

const char *ap_key(applier *ap, const char *fmt, ...)
{
	char buf[600];
	va_list va;
	va_start(va, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, va);
	va_end(va);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	return strtab_intern(&ap->keys, buf, (size_t)n);
}

void ap_store_error(applier *ap, int rc, const errinfo *e)
{
	if (!ap->fatal) {
		ap->fatal = rc;
		ap->fatal_err = *e;
	}
}

static void progress(applier *ap, const char *what, bool force)
{
	if (!ap->o->progress)
		return;
	double now = now_monotonic();
	if (!force && now - ap->last_progress < 0.25)
		return;
	ap->last_progress = now;
	double rate = now > ap->started ? (double)ap->finished / (now - ap->started) : 0;
	fprintf(stderr, "\r  %-22s %zu/%zu actions (%.0f/s)   ", what, ap->finished, ap->total, rate);
	if (force)
		fputc('\n', stderr);
}

void ap_set_result(applier *ap, plan_action *a, enum action_result r, const char *error)
{
	bool first = a->result == AR_PLANNED;
	a->result = (uint8_t)r;
	a->error = error ? strtab_intern(&ap->keys, error, strlen(error)) : NULL;
	if (first && r != AR_PLANNED)
		ap->finished++;
	int64_t entry = ap->journal[a - ap->p->actions];
	if (ap->db && entry) {
		errinfo e;
		int rc = state_journal_end(ap->db, entry, action_result_name(r), a->error, &e);
		if (rc < 0)
			ap_store_error(ap, rc, &e);
	}
	if (r == AR_DONE)
		ap_record(ap, a);
	else if (r == AR_FAILED)
		ap_record_failure(ap, a);
}

/* ---- batches ---------------------------------------------------------------------- */

static void on_batch_done(moodle_client *c, moodle_request *r, void *ctx);

batch *ap_new_batch(applier *ap, const kind_ops *ops, plan_action **items, size_t n)
{
	batch *b = xcalloc(1, sizeof *b);
	b->ap = ap;
	b->ops = ops;
	b->items = xmalloc(n * sizeof *items);
	memcpy(b->items, items, n * sizeof *items);
	b->n = n;
	return b;
}

static void free_batch(batch *b)
{
	free(b->items);
	free(b);
}

/* Store writes are grouped in one transaction per answer handled (or per
 * batch sent); an open one is joined, never nested. */
static int txn_begin(applier *ap, errinfo *e)
{
	if (!ap->db || ap->txn_depth++ > 0)
		return 0;
	return state_begin(ap->db, e);
}

static int txn_commit(applier *ap, errinfo *e)
{
	if (!ap->db || --ap->txn_depth > 0)
		return 0;
	return state_commit(ap->db, e);
}

static void journal_begin(applier *ap, batch *b)
{
	if (!ap->db)
		return;
	errinfo e;
	int rc = txn_begin(ap, &e);
	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		plan_action *a = b->items[i];
		if (ap->journal[a - ap->p->actions])
			continue;
		char target[300], request[200];
		snprintf(target, sizeof target, "%s%s%s", a->group_id ? a->group_id : "",
			 a->group_id && (a->person_id || a->user_ref) ? "/" : "",
			 a->person_id ? a->person_id : a->user_ref ? a->user_ref : "");
		snprintf(request, sizeof request, "%s #%u%s%s", b->ops->function, a->seq, a->role ? " role " : "",
			 a->role ? a->role : "");
		int64_t entry = 0;
		rc = state_journal_begin(ap->db, ap->run, plan_kind_name(a->kind), target, request, &entry, &e);
		if (rc == 0)
			ap->journal[a - ap->p->actions] = entry;
		if (rc == 0)
			ap_record_intent(ap, a);
	}
	int crc = txn_commit(ap, &e);
	if (rc == 0)
		rc = crc;
	if (rc < 0)
		ap_store_error(ap, rc, &e);
}

static void submit_now(applier *ap, batch *b, double delay)
{
	moodle_request *r = moodle_request_new(b->ops->function, true);
	for (size_t i = 0; i < b->n; i++)
		b->ops->encode(ap, b->items[i], &r->form, i);
	r->done = on_batch_done;
	r->ctx = b;
	if (delay > 0)
		r->not_before = now_monotonic() + delay;
	b->attempts++;
	if (b->attempts == 1)
		journal_begin(ap, b);
	errinfo e;
	if (moodle_submit(ap->c, r, &e) < 0) {
		for (size_t i = 0; i < b->n; i++)
			ap_set_result(ap, b->items[i], AR_FAILED, e.msg);
		moodle_request_free(r);
		free_batch(b);
	}
}

static void submit_batch(applier *ap, batch *b, double delay)
{
	if (!b->ops->serial) {
		submit_now(ap, b, delay);
		return;
	}
	if (!ap->serial_busy) {
		ap->serial_busy = true;
		submit_now(ap, b, delay);
		return;
	}
	if (ap->nserial == ap->cserial)
		ap->serial_queue = xrealloc(ap->serial_queue, (ap->cserial = ap->cserial ? ap->cserial * 2 : 16) * sizeof *ap->serial_queue);
	ap->serial_queue[ap->nserial++] = *b;
	free(b);
}

void ap_submit(applier *ap, batch *b)
{
	submit_batch(ap, b, 0);
}

static void next_serial(applier *ap)
{
	ap->serial_busy = false;
	if (!ap->nserial)
		return;
	batch *b = xmalloc(sizeof *b);
	*b = ap->serial_queue[0];
	memmove(ap->serial_queue, ap->serial_queue + 1, --ap->nserial * sizeof *ap->serial_queue);
	ap->serial_busy = true;
	submit_now(ap, b, 0);
}

static void fail_all(applier *ap, batch *b, enum action_result res, const char *why)
{
	for (size_t i = 0; i < b->n; i++)
		ap_set_result(ap, b->items[i], res, why);
}

static void split(applier *ap, batch *b)
{
	size_t half = b->n / 2;
	submit_batch(ap, ap_new_batch(ap, b->ops, b->items, half), 0);
	submit_batch(ap, ap_new_batch(ap, b->ops, b->items + half, b->n - half), 0);
}

static void on_batch_done(moodle_client *c, moodle_request *r, void *ctx)
{
	batch *b = ctx;
	applier *ap = b->ap;
	char why[1600];
	bool serial = b->ops->serial;
	bool keep = false; /* the batch is sent again */

	errinfo se;
	if (txn_begin(ap, &se) < 0)
		ap_store_error(ap, se.code, &se);
	if (r->outcome == MO_DONE) {
		b->ops->done(ap, b, r->reply);
	} else if (r->outcome == MO_FAILED) {
		moodle_request_error(r, why, sizeof why);
		bool answered = r->err.status == MS_MOODLE_ERROR || r->err.status == MS_PHP_ERROR;
		bool deadlock = answered && strcmp(r->err.errorcode, "dmlwriteexception") == 0;
		if (deadlock && b->attempts <= ap->o->write_retries) {
			/* a deadlocked batch holds no bad record: send it again, whole */
			log_info("%s: the site rolled a batch of %zu back (dmlwriteexception); sending it again",
				 b->ops->function, b->n);
			keep = true;
		} else if (answered && b->n > 1) {
			split(ap, b); /* find the records Moodle refuses */
		} else if (!answered && moodle_error_transient(&r->err) && b->attempts <= ap->o->write_retries) {
			keep = true; /* never reached the site */
		} else {
			fail_all(ap, b, AR_FAILED, why);
		}
	} else {
		moodle_request_error(r, why, sizeof why);
		if (b->ops->idempotent && b->attempts <= ap->o->write_retries) {
			log_info("%s: %s; sending it again (it sets a state: harmless if it happened)",
				 b->ops->function, why);
			keep = true;
		} else {
			fail_all(ap, b, AR_UNKNOWN, why);
			if (b->ops->creates)
				for (size_t i = 0; i < b->n; i++) {
					ap->unknown = xrealloc(ap->unknown, (ap->nunknown + 1) * sizeof *ap->unknown);
					ap->unknown[ap->nunknown++] = b->items[i];
				}
		}
	}
	if (txn_commit(ap, &se) < 0)
		ap_store_error(ap, se.code, &se);
	moodle_request_free(r);
	const char *function = b->ops->function;
	if (keep) {
		if (serial)
			ap->serial_busy = false;
		submit_batch(ap, b, 0.5 * b->attempts);
	} else {
		if (serial)
			next_serial(ap);
		free_batch(b);
	}
	progress(ap, function, false);
	(void)c;
}

/* ---- phases ------------------------------------------------------------------------- */

static int cmp_by_user(const void *x, const void *y)
{
	const plan_action *a = *(plan_action *const *)x, *b = *(plan_action *const *)y;
	if (a->userid != b->userid)
		return a->userid < b->userid ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Cuts items into batches of at most size items and the field budget;
 * when by_user, a batch never splits one user's items across batches. */
static void cut_and_submit(applier *ap, const kind_ops *ops, plan_action **items, size_t n, bool by_user)
{
	size_t budget = moodle_param_budget(ap->c);
	size_t size = (size_t)ops->batch_size(ap->o);
	mform tmp = MFORM_INIT;
	size_t start = 0, fields = 0;
	for (size_t i = 0; i < n; i++) {
		mform_reset(&tmp);
		ops->encode(ap, items[i], &tmp, i - start);
		bool full = i > start && (i - start >= size || fields + tmp.fields > budget);
		if (full && by_user) {
			/* move the cut back to where the user changes, if that leaves a batch */
			size_t cut = i;
			while (cut > start && items[cut]->userid == items[cut - 1]->userid)
				cut--;
			if (cut > start) {
				submit_batch(ap, ap_new_batch(ap, ops, items + start, cut - start), 0);
				start = cut;
				fields = 0;
				for (size_t k = cut; k < i; k++) {
					mform_reset(&tmp);
					ops->encode(ap, items[k], &tmp, k - start);
					fields += tmp.fields;
				}
				mform_reset(&tmp);
				ops->encode(ap, items[i], &tmp, i - start);
				full = false;
			}
		}
		if (full) {
			submit_batch(ap, ap_new_batch(ap, ops, items + start, i - start), 0);
			start = i;
			fields = 0;
		}
		fields += tmp.fields;
	}
	if (start < n)
		submit_batch(ap, ap_new_batch(ap, ops, items + start, n - start), 0);
	mform_free(&tmp);
}

static void settle(applier *ap, const kind_ops *ops)
{
	if (!ap->nunknown || !ops->settle)
		return;
	if (ap->o->settle_delay > 0) {
		log_info("%zu creation(s) had their answer lost; looking for them in %.0f s", ap->nunknown,
			 ap->o->settle_delay);
		struct timespec ts = { (time_t)ap->o->settle_delay,
				       (long)((ap->o->settle_delay - (double)(time_t)ap->o->settle_delay) * 1e9) };
		nanosleep(&ts, NULL);
	}
	plan_action **items = ap->unknown;
	size_t n = ap->nunknown;
	ap->unknown = NULL;
	ap->nunknown = 0;
	ops->settle(ap, items, n);
	free(items);
}

static int run_phase(applier *ap, const kind_ops *ops, plan_action **items, size_t n, errinfo *e)
{
	if (ops->one_by_one) {
		/* each may depend on the one before (a category's parent) */
		for (size_t i = 0; i < n; i++) {
			const char *why = NULL;
			if (!ops->resolve(ap, items[i], &why)) {
				ap_set_result(ap, items[i], AR_NOT_RUN, why);
				continue;
			}
			submit_batch(ap, ap_new_batch(ap, ops, &items[i], 1), 0);
			int rc = moodle_run(ap->c, e);
			if (rc == 0)
				settle(ap, ops);
			if (rc < 0 || (rc = moodle_run(ap->c, e)) < 0)
				return rc;
		}
		return 0;
	}
	size_t ready = 0;
	for (size_t i = 0; i < n; i++) {
		const char *why = NULL;
		if (ops->resolve(ap, items[i], &why))
			items[ready++] = items[i];
		else
			ap_set_result(ap, items[i], AR_NOT_RUN, why);
	}
	bool by_user = strcmp(ops->function, "enrol_manual_enrol_users") == 0 ||
		       strcmp(ops->function, "enrol_manual_unenrol_users") == 0;
	if (by_user)
		sort_array(items, ready, sizeof *items, cmp_by_user);
	cut_and_submit(ap, ops, items, ready, by_user);
	int rc = moodle_run(ap->c, e);
	if (rc == 0) {
		settle(ap, ops);
		rc = moodle_run(ap->c, e); /* creations sent again while settling */
	}
	if (rc == 0 && ops->after)
		ops->after(ap, items, ready);
	progress(ap, ops->function, true);
	return rc;
}

static void applier_init(applier *ap, plan *p, moodle_client *c, state_db *db,
			 const state_view *store, site_snapshot *site, int64_t run, const apply_options *o)
{
	memset(ap, 0, sizeof *ap);
	ap->p = p;
	ap->c = c;
	ap->db = db;
	ap->store = store;
	ap->site = site;
	ap->run = run;
	ap->o = o;
	arena_init(&ap->mem);
	strtab_init(&ap->keys, &p->mem);
	ptrmap *maps[] = { &ap->course_ids, &ap->user_ids, &ap->category_ids, &ap->group_ids,
			   &ap->roles, &ap->stored_courses, &ap->stored_users };
	for (size_t i = 0; i < ARRAY_LEN(maps); i++)
		ptrmap_init(maps[i]);
	ap->total = p->nactions;
	ap->journal = xcalloc(p->nactions + 1, sizeof *ap->journal);
	ap->started = now_monotonic();
}

static void applier_free(applier *ap)
{
	ptrmap *maps[] = { &ap->course_ids, &ap->user_ids, &ap->category_ids, &ap->group_ids,
			   &ap->roles, &ap->stored_courses, &ap->stored_users };
	for (size_t i = 0; i < ARRAY_LEN(maps); i++)
		ptrmap_free(maps[i]);
	free(ap->unknown);
	free(ap->serial_queue);
	free(ap->journal);
	strtab_free(&ap->keys);
	arena_free(&ap->mem);
}

int apply_plan(plan *p, moodle_client *c, state_db *db, const state_view *store,
	       site_snapshot *site, int64_t run_id, const apply_options *o, errinfo *e)
{
	applier ap;
	int rc = 0;
	applier_init(&ap, p, c, db, store, site, run_id, o);
	p->is_outcome = true;
	p->run_id = run_id;
	plan_action **items = xcalloc(p->nactions + 1, sizeof *items);

	/* what a safety threshold holds back waits for --force; nothing else
	 * depends on it (withdrawals, hides and suspensions come last) */
	for (size_t k = 0; k < p->nactions && !o->force; k++)
		if (p->actions[k].held)
			ap_set_result(&ap, &p->actions[k], AR_NOT_RUN,
				      "held back: a safety threshold it counts for is exceeded (apply --force "
				      "makes it)");
	/* the actions are sorted by kind: each run of kinds that share a
	 * function is one phase */
	size_t i = 0;
	while (i < p->nactions && rc == 0 && !ap.fatal) {
		const kind_ops *ops = ops_for(p->actions[i].kind);
		size_t n = 0;
		for (; i < p->nactions && ops_for(p->actions[i].kind) == ops; i++)
			if (p->actions[i].result == AR_PLANNED)
				items[n++] = &p->actions[i];
		if (!n)
			continue;
		if (!ops) {
			for (size_t k = 0; k < n; k++)
				ap_set_result(&ap, items[k], AR_NOT_RUN, "no web service function for this action");
			continue;
		}
		rc = run_phase(&ap, ops, items, n, e);
	}
	for (size_t k = 0; k < p->nactions; k++) {
		plan_action *a = &p->actions[k];
		if (a->result == AR_PLANNED)
			ap_set_result(&ap, a, AR_NOT_RUN, ap.fatal ? "the run stopped before this action" : NULL);
		p->results[a->kind][a->result]++;
	}
	if (rc == 0 && ap.fatal) {
		*e = ap.fatal_err;
		rc = ap.fatal;
	}
	free(items);
	applier_free(&ap);
	return rc;
}

/* plan.c -- the planner's driver: file-level checks, the phases in order,
 * safety thresholds, and the deterministic sort (see plan.h). */
#include "config.h"
#include "plan_internal.h"
#include "isodate.h"
#include "ims_summary.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- records ----------------------------------------------------------------- */

const char *pl_str(planner *pl, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	return strtab_intern(&pl->strings, buf, (size_t)n);
}

static void *grow(void *arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 256;
	return xrealloc(arr, *cap * size);
}

plan_action *pl_action(planner *pl, enum plan_kind kind, uint32_t line, const char *reason)
{
	plan *p = pl->p;
	p->actions = grow(p->actions, &pl->cap_actions, p->nactions, sizeof *p->actions);
	plan_action *a = &p->actions[p->nactions];
	memset(a, 0, sizeof *a);
	a->kind = (uint8_t)kind;
	a->line = line;
	a->reason = reason;
	a->seq = (uint32_t)p->nactions; /* insertion order: the sort's last tie-breaker */
	p->nactions++;
	p->counts[kind]++;
	return a;
}

plan_object *pl_object(planner *pl, plan_action *a)
{
	a->obj = arena_alloc(&pl->p->mem, sizeof *a->obj);
	return a->obj;
}

void pl_change(planner *pl, plan_object *o, const char *field, const char *from, const char *to)
{
	plan_change *c = arena_alloc(&pl->p->mem, sizeof *c);
	c->field = field;
	c->from = from;
	c->to = to;
	plan_change **tail = &o->changes;
	while (*tail)
		tail = &(*tail)->next;
	*tail = c;
}

void pl_skip(planner *pl, uint32_t line, const char *what, const char *group_id,
	     const char *person_id, const char *reason)
{
	plan *p = pl->p;
	p->skips = grow(p->skips, &pl->cap_skips, p->nskips, sizeof *p->skips);
	p->skips[p->nskips++] = (plan_skip){ line, what, group_id, person_id, reason };
}

void pl_quarantine(planner *pl, uint32_t line, const char *what, const char *id,
		   const char *group_id, const char *reason, const char *candidates)
{
	plan *p = pl->p;
	p->quarantine = grow(p->quarantine, &pl->cap_quarantine, p->nquarantine, sizeof *p->quarantine);
	p->quarantine[p->nquarantine++] = (plan_quarantine){ line, what, id, group_id, reason, candidates };
}

int pl_role_bit(planner *pl, const char *shortname, int64_t id)
{
	for (int i = 0; i < pl->nroles; i++)
		if (pl->role_ids[i] == id)
			return i;
	if (pl->nroles == MAX_ROLES)
		return -1;
	pl->role_names[pl->nroles] = shortname;
	pl->role_ids[pl->nroles] = id;
	return pl->nroles++;
}

bool pl_protected_user(const planner *pl, int64_t userid)
{
	return userid <= 2 || userid == pl->site->info.token_userid;
}

/* ---- file-level checks ------------------------------------------------------------ */

static bool target_is_ours(const planner *pl)
{
	const ims_properties *pr = &pl->m->properties;
	if (!pl->cfg->target || !pr->targets)
		return true;
	for (const ims_typed_text *t = pr->targets; t; t = t->next)
		if (t->value && strcmp(t->value, pl->cfg->target) == 0)
			return true;
	return false;
}

/* An event file older than the last one applied would replay old changes
 * (§8 #27): e.g. re-enrol students who were dropped since. */
static const char *older_than_last(planner *pl)
{
	const char *mine = pl->m->properties.datetime;
	const char *last = pl->store ? pl->store->last_file_datetime : NULL;
	isodate a, b;
	if (!pl->cfg->refuse_older_file || pl->cfg->mode != MODE_EVENT || !mine || !last)
		return NULL;
	if (!isodate_parse(mine, strlen(mine), &a) || !isodate_parse(last, strlen(last), &b))
		return NULL;
	if (isodate_cmp(&a, &b) >= 0)
		return NULL;
	return pl_str(pl, "the file is dated %s, older than the last file applied (%s): applying it "
		      "would replay changes that later files undid; use --force if this is intended",
		      mine, last);
}

static void copy_model_quarantine(void *ctx, const char *kind, const char *id,
				  const char *container, uint32_t line, const char *reason)
{
	pl_quarantine(ctx, line, kind, id, container, reason, NULL);
}

/* Snapshot mode: a person or group repeated with different content cannot
 * be trusted to say what the full state is (§8 #42). */
static void quarantine_conflicting_duplicates(planner *pl)
{
	for (ims_person *p = pl->m->persons; p; p = p->next)
		if (p->dup_conflict && !p->quarantine)
			pl_quarantine(pl, p->loc.line, "person", p->id, NULL,
				      "repeated in the file with different content (snapshot mode)", NULL);
	for (ims_group *g = pl->m->groups; g; g = g->next)
		if (g->dup_conflict && !g->quarantine)
			pl_quarantine(pl, g->loc.line, "group", g->id, NULL,
				      "repeated in the file with different content (snapshot mode)", NULL);
}

/* ---- sorting ------------------------------------------------------------------------ */

static const char *course_key(const plan_action *a)
{
	if (a->kind == PA_CREATE_CATEGORY)
		return a->obj && a->obj->category_ref ? a->obj->category_ref : "";
	if (a->group_id)
		return a->group_id;
	return a->course_ref ? a->course_ref : "";
}

static const char *user_key(const plan_action *a)
{
	if (a->person_id)
		return a->person_id;
	return a->user_ref ? a->user_ref : "";
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_actions(const void *x, const void *y)
{
	const plan_action *a = x, *b = y;
	int c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = cmp_str(course_key(a), course_key(b))) != 0)
		return c;
	if ((c = cmp_str(user_key(a), user_key(b))) != 0)
		return c;
	if ((c = cmp_str(a->role, b->role)) != 0)
		return c;
	if ((c = cmp_str(a->obj ? a->obj->name : NULL, b->obj ? b->obj->name : NULL)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp_skips(const void *x, const void *y)
{
	const plan_skip *a = x, *b = y;
	int c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if ((c = cmp_str(a->group_id, b->group_id)) != 0)
		return c;
	return cmp_str(a->person_id, b->person_id);
}

static int cmp_quarantine(const void *x, const void *y)
{
	const plan_quarantine *a = x, *b = y;
	int c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if ((c = cmp_str(a->what, b->what)) != 0)
		return c;
	if ((c = cmp_str(a->id, b->id)) != 0)
		return c;
	return cmp_str(a->reason, b->reason);
}

static void sort_plan(plan *p)
{
	sort_array(p->actions, p->nactions, sizeof *p->actions, cmp_actions);
	for (size_t i = 0; i < p->nactions; i++)
		p->actions[i].seq = (uint32_t)(i + 1);
	sort_array(p->skips, p->nskips, sizeof *p->skips, cmp_skips);
	sort_array(p->quarantine, p->nquarantine, sizeof *p->quarantine, cmp_quarantine);
}

static int cmp_strp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* ---- safety thresholds ---------------------------------------------------------------- */

static int safety_class_of(enum plan_kind k)
{
	switch (k) {
	case PA_SUSPEND: return SAFE_SUSPEND;
	case PA_UNENROL: return SAFE_UNENROL;
	case PA_SUSPEND_USER: return SAFE_USER_SUSPEND;
	case PA_DELETE_USER: return SAFE_USER_DELETE;
	case PA_HIDE_COURSE: return SAFE_COURSE_HIDE;
	default: return -1;
	}
}

/* Records one threshold check; returns whether it is exceeded. */
static bool add_check(planner *pl, enum safety_class cls, const char *scope, int64_t count,
		      int64_t base, const threshold *t, bool per_course)
{
	plan *p = pl->p;
	double percent = base > 0 ? 100.0 * (double)count / (double)base : (count ? 100.0 : 0.0);
	bool over_count = t->max_count >= 0 && count > t->max_count;
	int64_t min = per_course ? pl->cfg->per_course_min : pl->cfg->global_min;
	bool over_percent = t->max_percent >= 0 && base > 0 && percent > t->max_percent && count >= min;
	p->safety = xrealloc(p->safety, (p->nsafety + 1) * sizeof *p->safety);
	p->safety[p->nsafety++] = (plan_safety){ cls, scope, count, base, percent, t->max_percent,
						 t->max_count, min, over_count || over_percent };
	if (over_count || over_percent)
		p->refused = true;
	return over_count || over_percent;
}

/* Active enrolments ims2moodle manages in a course (or everywhere, courseid 0). */
typedef struct base_ctx {
	int64_t n;
} base_ctx;

static void count_active(void *ctx, const state_enrolment *e)
{
	if (!e->suspended)
		((base_ctx *)ctx)->n++;
}

static int64_t active_in_roster(const site_roster *r)
{
	int64_t active = 0;
	for (size_t i = 0; r && i < r->n; i++)
		active += r->items[i]->active;
	return active;
}

/* The enrolments a withdrawal percentage is of: those ims2moodle made (the
 * store), or with enrolments.manage = all every active one Moodle showed,
 * whichever is more; per course, or for courseid 0 over every course. */
static int64_t managed_enrolments(const planner *pl, int64_t courseid)
{
	base_ctx b = { 0 };
	if (pl->store)
		state_each_enrolment(pl->store, courseid, count_active, &b);
	if (!pl->cfg->manage_all)
		return b.n;
	if (courseid) {
		int64_t active = active_in_roster(site_roster_of(pl->site, courseid));
		return active > b.n ? active : b.n;
	}
	/* site-wide: per course the larger of the two, summed */
	int64_t sum = 0;
	for (size_t i = 0; i < pl->site->ncourses; i++) {
		int64_t id = pl->site->courses[i]->id;
		base_ctx c = { 0 };
		if (pl->store)
			state_each_enrolment(pl->store, id, count_active, &c);
		int64_t active = active_in_roster(site_roster_of(pl->site, id));
		sum += active > c.n ? active : c.n;
	}
	return sum > b.n ? sum : b.n;
}

void plan_check_safety(planner *pl)
{
	plan *p = pl->p;
	int64_t global[SAFE_CLASS_COUNT] = { 0 };
	ptrmap per_course;            /* group id -> counts (int64_t[2]) */
	const char **course_order = NULL;
	size_t ncourse = 0;

	ptrmap_init(&per_course);
	for (size_t i = 0; i < p->nactions; i++) {
		const plan_action *a = &p->actions[i];
		int cls = safety_class_of(a->kind);
		if (cls < 0)
			continue;
		global[cls]++;
		if ((cls == SAFE_SUSPEND || cls == SAFE_UNENROL) && a->group_id) {
			int64_t *c = ptrmap_get(&per_course, a->group_id);
			if (!c) {
				/* suspends, unenrols, the course id, then whether each is exceeded */
				c = arena_alloc(&p->mem, 5 * sizeof *c);
				c[2] = a->courseid;
				ptrmap_put(&per_course, a->group_id, c);
				course_order = xrealloc(course_order, (ncourse + 1) * sizeof *course_order);
				course_order[ncourse++] = a->group_id;
			}
			c[cls == SAFE_SUSPEND ? 0 : 1]++;
		}
	}
	/* the bases */
	int64_t all_enrol = managed_enrolments(pl, 0);
	int64_t users = pl->store && pl->store->nusers ? (int64_t)pl->store->nusers : (int64_t)pl->site->nusers;
	int64_t courses = pl->store && pl->store->ncourses ? (int64_t)pl->store->ncourses : (int64_t)pl->site->ncourses;
	int64_t bases[SAFE_CLASS_COUNT] = { all_enrol, all_enrol, users, users, courses };
	bool exceeded[SAFE_CLASS_COUNT];
	for (int cls = 0; cls < SAFE_CLASS_COUNT; cls++)
		exceeded[cls] = add_check(pl, cls, "site", global[cls], bases[cls], &pl->cfg->global[cls], false);

	sort_array(course_order, ncourse, sizeof *course_order, cmp_strp);
	for (size_t i = 0; i < ncourse; i++) {
		int64_t *c = ptrmap_get(&per_course, course_order[i]);
		int64_t base = managed_enrolments(pl, c[2]);
		for (int k = 0; k < 2; k++)
			if (c[k])
				c[3 + k] = add_check(pl, k == 0 ? SAFE_SUSPEND : SAFE_UNENROL, course_order[i], c[k],
						     base, &pl->cfg->per_course[k == 0 ? SAFE_SUSPEND : SAFE_UNENROL],
						     true);
	}
	/* what an exceeded threshold guards is held back; the rest of the plan
	 * can still be applied (reference §8 #5: additions go, drops wait) */
	for (size_t i = 0; i < p->nactions; i++) {
		plan_action *a = &p->actions[i];
		int cls = safety_class_of(a->kind);
		if (cls < 0)
			continue;
		const int64_t *c = a->group_id && (cls == SAFE_SUSPEND || cls == SAFE_UNENROL)
				   ? ptrmap_get(&per_course, a->group_id) : NULL;
		a->held = exceeded[cls] || (c && c[cls == SAFE_SUSPEND ? 3 : 4]);
	}
	free(course_order);
	ptrmap_free(&per_course);
}

/* ---- the driver ------------------------------------------------------------------------ */

static void planner_init(planner *pl, const ims_model *m, const site_snapshot *site,
			 const state_view *store, const settings *cfg, int64_t now, plan *p)
{
	memset(pl, 0, sizeof *pl);
	pl->m = m;
	pl->site = site;
	pl->store = store;
	pl->cfg = cfg;
	pl->now = now;
	pl->p = p;
	strtab_init(&pl->strings, &p->mem);
	arena_init(&pl->work);
	ptrmap_init(&pl->courses);
	ptrmap_init(&pl->users);
	ptrmap_init(&pl->wants);
	ptrmap_init(&pl->planned);
}

static void planner_free(planner *pl)
{
	ptrmap_free(&pl->courses);
	ptrmap_free(&pl->users);
	ptrmap_free(&pl->wants);
	ptrmap_free(&pl->planned);
	free(pl->crefs);
	free(pl->urefs);
	free(pl->wantv);
	strtab_free(&pl->strings);
	arena_free(&pl->work);
}

static bool file_has_records(const ims_model *m)
{
	return m->persons || m->groups || m->memberships;
}

int plan_build(const ims_model *m, const site_snapshot *site, const state_view *store,
	       const settings *cfg, int64_t now, plan **out, errinfo *e)
{
	plan *p = xcalloc(1, sizeof *p);
	planner pl;

	arena_init(&p->mem);
	p->file = m->nfiles ? m->files[m->nfiles - 1] : NULL;
	p->file_datetime = m->properties.datetime;
	p->mode = cfg->mode;
	p->site_url = site->info.url;
	p->site_requests = site->requests;
	p->repairs = m->repairs;
	p->warnings = m->warnings;
	planner_init(&pl, m, site, store, cfg, now, p);

	if (!target_is_ours(&pl)) {
		p->skipped_reason = pl_str(&pl, "properties/target does not name this importer ('%s'); "
					   "the file is for another system", cfg->target);
	} else if ((p->refused_reason = older_than_last(&pl)) != NULL) {
		p->refused = true;
	} else if (cfg->mode == MODE_SNAPSHOT && !file_has_records(m) && !cfg->allow_empty_snapshot) {
		p->refused_reason = "the file holds no records: in snapshot mode that would read as "
				    "'everyone left'; an empty extract is far more often an export "
				    "failure (set plan.allow_empty_snapshot if it is real)";
		p->refused = true;
	} else {
		ims_each_quarantined(m, copy_model_quarantine, &pl);
		if (cfg->mode == MODE_SNAPSHOT)
			quarantine_conflicting_duplicates(&pl);
		plan_courses(&pl);
		plan_users(&pl);
		plan_enrolments(&pl);
		sort_plan(p);
		plan_check_safety(&pl);
	}
	planner_free(&pl);
	*out = p;
	(void)e;
	return 0;
}

void plan_free(plan *p)
{
	if (!p)
		return;
	free(p->actions);
	free(p->skips);
	free(p->quarantine);
	free(p->safety);
	arena_free(&p->mem);
	free(p);
}

bool plan_has_changes(const plan *p)
{
	return p->nactions > 0;
}

/* state.c -- the emulated site's rows, indexes and undo log (see state.h). */
#include "config.h"
#include "state.h"
#include "mtext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- arrays indexed by id ---- */

static void slot_set(void ***arr, size_t *cap, mid id, void *p)
{
	if ((size_t)id >= *cap) {
		size_t ncap = *cap ? *cap : 64;
		while (ncap <= (size_t)id)
			ncap *= 2;
		*arr = xrealloc(*arr, ncap * sizeof **arr);
		memset(*arr + *cap, 0, (ncap - *cap) * sizeof **arr);
		*cap = ncap;
	}
	(*arr)[id] = p;
}

#define SLOT_GET(arr, cap, id) ((id) > 0 && (size_t)(id) < (cap) ? (arr)[id] : NULL)

muser *st_user(const state *st, mid id) { return SLOT_GET(st->users, st->users_cap, id); }
mcourse *st_course(const state *st, mid id) { return SLOT_GET(st->courses, st->courses_cap, id); }
mcategory *st_cat(const state *st, mid id) { return SLOT_GET(st->cats, st->cats_cap, id); }
menrol *st_enrol(const state *st, mid id) { return SLOT_GET(st->enrols, st->enrols_cap, id); }
mgroup *st_group(const state *st, mid id) { return SLOT_GET(st->groups, st->groups_cap, id); }

mrole *st_role(const state *st, mid id)
{
	for (size_t i = 0; i < st->roles.n; i++) {
		mrole *r = st->roles.v[i];
		if (r->id == id)
			return r;
	}
	return NULL;
}

mrole *st_role_by_shortname(const state *st, const char *sn)
{
	for (size_t i = 0; i < st->roles.n; i++) {
		mrole *r = st->roles.v[i];
		if (strcmp(r->shortname, sn) == 0)
			return r;
	}
	return NULL;
}

mcontext *st_context(const state *st, mid id)
{
	return id > 0 ? u64map_get(&st->contexts, (uint64_t)id) : NULL;
}

static uint64_t inst_key(int level, mid instance)
{
	return ((uint64_t)level << 56) | ((uint64_t)instance & 0x00FFFFFFFFFFFFFFULL);
}

mcontext *st_context_of(const state *st, int level, mid instance)
{
	return u64map_get(&st->ctx_by_inst, inst_key(level, instance));
}

static uint64_t cu_key(mid ctx, mid user)
{
	return ((uint64_t)ctx << 32) ^ (uint64_t)user;
}

const vec *st_ras(const state *st, mid contextid, mid userid)
{
	const vec *v = u64map_get(&st->ra_by_ctxuser, cu_key(contextid, userid));
	return v && v->n ? v : NULL;
}

muenrol *st_ue(const menrol *inst, mid userid)
{
	return u64map_get(&inst->ues, (uint64_t)userid);
}

menrol *st_course_instance(const mcourse *c, const char *name, bool only_enabled)
{
	for (size_t i = 0; i < c->enrols.n; i++) {
		menrol *e = c->enrols.v[i];
		if (strcmp(e->enrol, name) == 0 && (!only_enabled || e->status == ENROL_INSTANCE_ENABLED))
			return e;
	}
	return NULL;
}

long long st_now(const state *st)
{
	return st->set.now ? st->set.now : (long long)time(NULL);
}

bool st_is_siteadmin(const state *st, mid userid)
{
	for (size_t i = 0; i < st->set.siteadmins.n; i++)
		if ((mid)(intptr_t)st->set.siteadmins.v[i] == userid)
			return true;
	return false;
}

char *st_fullname(const muser *u)
{
	return xasprintf("%s %s", st_s(u->firstname), st_s(u->lastname));
}

/* ---- undo log ---- */

void st_undo_push(state *st, undo_fn revert, undo_fn release, void *a, void *b, long long n)
{
	undo_rec *r = xmalloc(sizeof *r);
	r->revert = revert;
	r->release = release;
	r->a = a;
	r->b = b;
	r->n = n;
	vec_push(&st->undo, r);
}

void st_commit(state *st)
{
	for (size_t i = 0; i < st->undo.n; i++) {
		undo_rec *r = st->undo.v[i];
		if (r->release)
			r->release(st, r->a, r->b, r->n);
		free(r);
	}
	st->undo.n = 0;
}

size_t st_mark(const state *st)
{
	return st->undo.n;
}

void st_rollback_to(state *st, size_t mark)
{
	while (st->undo.n > mark) {
		undo_rec *r = st->undo.v[--st->undo.n];
		r->revert(st, r->a, r->b, r->n);
		free(r);
	}
}

void st_rollback(state *st)
{
	st_rollback_to(st, 0);
}

static void rv_int(state *st, void *f, void *b, long long old) { (void)st; (void)b; *(int *)f = (int)old; }
static void rv_ll(state *st, void *f, void *b, long long old) { (void)st; (void)b; *(long long *)f = old; }
static void rv_str(state *st, void *f, void *old, long long n) { (void)st; (void)n; free(*(char **)f); *(char **)f = old; }
static void rl_free_b(state *st, void *a, void *b, long long n) { (void)st; (void)a; (void)n; free(b); }

void st_set_int(state *st, int *field, int v)
{
	if (*field == v)
		return;
	st_undo_push(st, rv_int, NULL, field, NULL, *field);
	*field = v;
}

void st_set_ll(state *st, long long *field, long long v)
{
	if (*field == v)
		return;
	st_undo_push(st, rv_ll, NULL, field, NULL, *field);
	*field = v;
}

void st_set_str(state *st, char **field, const char *v)
{
	if ((!*field && !v) || (*field && v && strcmp(*field, v) == 0))
		return;
	st_undo_push(st, rv_str, rl_free_b, field, *field, 0);
	*field = v ? xstrdup(v) : NULL;
}

/* ---- contexts ---- */

static void ctx_link(state *st, mcontext *c)
{
	u64map_put(&st->contexts, (uint64_t)c->id, c);
	u64map_put(&st->ctx_by_inst, inst_key(c->level, c->instance), c);
}

static void ctx_unlink(state *st, mcontext *c)
{
	u64map_del(&st->contexts, (uint64_t)c->id);
	if (u64map_get(&st->ctx_by_inst, inst_key(c->level, c->instance)) == c)
		u64map_del(&st->ctx_by_inst, inst_key(c->level, c->instance));
}

static void rv_ctx_insert(state *st, void *a, void *b, long long n) { (void)b; (void)n; ctx_unlink(st, a); free(a); }
static void rv_ctx_delete(state *st, void *a, void *b, long long n) { (void)b; (void)n; ctx_link(st, a); }
static void rl_free_a(state *st, void *a, void *b, long long n) { (void)st; (void)b; (void)n; free(a); }

static mid ctx_new(state *st, int level, mid instance)
{
	mcontext *c = xcalloc(1, sizeof *c);
	c->id = st->seq_context++;
	c->level = level;
	c->instance = instance;
	ctx_link(st, c);
	st_undo_push(st, rv_ctx_insert, NULL, c, NULL, 0);
	return c->id;
}

static void ctx_delete(state *st, mid id)
{
	mcontext *c = st_context(st, id);
	if (!c)
		return;
	ctx_unlink(st, c);
	st_undo_push(st, rv_ctx_delete, rl_free_a, c, NULL, 0);
}

/* ---- users ---- */

static void user_index(state *st, muser *u, bool add)
{
	if (add) {
		strmulti_add(&st->user_username, u->username, u);
		if (u->idnumber && *u->idnumber)
			strmulti_add(&st->user_idnumber, u->idnumber, u);
		if (u->email && *u->email) {
			strmulti_add(&st->user_email, u->email, u);
			char *low = mt_ascii_lower(u->email);
			strmulti_add(&st->user_email_lower, low, u);
			free(low);
		}
	} else {
		strmulti_del(&st->user_username, u->username, u);
		if (u->idnumber && *u->idnumber)
			strmulti_del(&st->user_idnumber, u->idnumber, u);
		if (u->email && *u->email) {
			strmulti_del(&st->user_email, u->email, u);
			char *low = mt_ascii_lower(u->email);
			strmulti_del(&st->user_email_lower, low, u);
			free(low);
		}
	}
}

static void free_user(muser *u)
{
	char **strs[] = { &u->username, &u->auth, &u->password, &u->firstname, &u->lastname, &u->email,
			  &u->idnumber, &u->institution, &u->department, &u->address, &u->phone1, &u->phone2,
			  &u->city, &u->country, &u->lang, &u->theme, &u->timezone, &u->calendartype,
			  &u->description, &u->firstnamephonetic, &u->lastnamephonetic, &u->middlename,
			  &u->alternatename, &u->interests };
	for (size_t i = 0; i < ARRAY_LEN(strs); i++)
		free(*strs[i]);
	for (size_t i = 0; i < u->prefs.n; i++) {
		mpref *p = u->prefs.v[i];
		free(p->name);
		free(p->value);
		free(p);
	}
	vec_free(&u->prefs);
	vec_free(&u->ues);
	vec_free(&u->ras);
	vec_free(&u->members);
	free(u);
}

static void user_link(state *st, muser *u)
{
	slot_set((void ***)&st->users, &st->users_cap, u->id, u);
	user_index(st, u, true);
	st->n_users++;
}

static void user_unlink(state *st, muser *u)
{
	user_index(st, u, false);
	st->users[u->id] = NULL;
	st->n_users--;
}

static void rv_user_insert(state *st, void *a, void *b, long long n) { (void)b; (void)n; user_unlink(st, a); free_user(a); }

muser *st_user_alloc(const state *st)
{
	muser *u = xcalloc(1, sizeof *u);
	u->auth = xstrdup("manual");
	u->password = xstrdup("");
	u->confirmed = 1;
	u->mnethostid = 1;
	u->lang = xstrdup(st->set.lang ? st->set.lang : "en");
	u->theme = xstrdup("");
	u->timezone = xstrdup("99");
	u->calendartype = xstrdup("gregorian");
	u->mailformat = 1;
	u->maildisplay = 2;
	u->autosubscribe = 1;
	u->descriptionformat = 1;
	u->country = xstrdup("");
	u->city = xstrdup("");
	u->idnumber = xstrdup("");
	u->institution = xstrdup("");
	u->department = xstrdup("");
	u->address = xstrdup("");
	u->phone1 = xstrdup("");
	u->phone2 = xstrdup("");
	return u;
}

void st_user_insert(state *st, muser *u)
{
	if (!u->id)
		u->id = st->seq_user++;
	else if (u->id >= st->seq_user)
		st->seq_user = u->id + 1;
	user_link(st, u);
	st_undo_push(st, rv_user_insert, NULL, u, NULL, 0);
	if (!u->contextid)
		u->contextid = ctx_new(st, CTX_USER, u->id);
}

enum { IX_USERNAME, IX_EMAIL, IX_UIDNUMBER, IX_SHORTNAME, IX_CIDNUMBER };

/* Replaces an indexed string field; returns the old value (owned by the caller). */
static char *ix_apply(state *st, void *row, int which, char *nv)
{
	char *old;
	if (which <= IX_UIDNUMBER) {
		muser *u = row;
		user_index(st, u, false);
		char **f = which == IX_USERNAME ? &u->username : which == IX_EMAIL ? &u->email : &u->idnumber;
		old = *f;
		*f = nv;
		user_index(st, u, true);
	} else {
		mcourse *c = row;
		char **f = which == IX_SHORTNAME ? &c->shortname : &c->idnumber;
		strmulti *m = which == IX_SHORTNAME ? &st->course_shortname : &st->course_idnumber;
		if (*f && **f)
			strmulti_del(m, *f, c);
		old = *f;
		*f = nv;
		if (nv && *nv)
			strmulti_add(m, nv, c);
	}
	return old;
}

static void rv_ix(state *st, void *row, void *old, long long which)
{
	free(ix_apply(st, row, (int)which, old));
}

static void ix_set(state *st, void *row, int which, char *cur, const char *v)
{
	if (cur && v && strcmp(cur, v) == 0)
		return;
	char *old = ix_apply(st, row, which, xstrdup(v ? v : ""));
	st_undo_push(st, rv_ix, rl_free_b, row, old, which);
}

void st_user_set_username(state *st, muser *u, const char *v) { ix_set(st, u, IX_USERNAME, u->username, v); }
void st_user_set_email(state *st, muser *u, const char *v) { ix_set(st, u, IX_EMAIL, u->email, v); }
void st_user_set_idnumber(state *st, muser *u, const char *v) { ix_set(st, u, IX_UIDNUMBER, u->idnumber, v); }
void st_course_set_shortname(state *st, mcourse *c, const char *v) { ix_set(st, c, IX_SHORTNAME, c->shortname, v); }
void st_course_set_idnumber(state *st, mcourse *c, const char *v) { ix_set(st, c, IX_CIDNUMBER, c->idnumber, v); }

/* ---- preferences ---- */

static void rv_pref_insert(state *st, void *u, void *p, long long n)
{
	(void)st;
	(void)n;
	vec_remove(&((muser *)u)->prefs, p);
	free(((mpref *)p)->name);
	free(((mpref *)p)->value);
	free(p);
}

static void rv_pref_delete(state *st, void *u, void *p, long long pos)
{
	(void)st;
	vec_insert(&((muser *)u)->prefs, (size_t)pos, p);
}

static void rl_pref_free(state *st, void *u, void *p, long long n)
{
	(void)st;
	(void)u;
	(void)n;
	free(((mpref *)p)->name);
	free(((mpref *)p)->value);
	free(p);
}

void st_pref_set(state *st, muser *u, const char *name, const char *value)
{
	for (size_t i = 0; i < u->prefs.n; i++) {
		mpref *p = u->prefs.v[i];
		if (strcmp(p->name, name) == 0) {
			st_set_str(st, &p->value, value);
			return;
		}
	}
	mpref *p = xcalloc(1, sizeof *p);
	p->name = xstrdup(name);
	p->value = xstrdup(value);
	vec_push(&u->prefs, p);
	st_undo_push(st, rv_pref_insert, NULL, u, p, 0);
}

void st_pref_delete(state *st, muser *u, mpref *p)
{
	long pos = vec_index(&u->prefs, p);
	if (pos < 0)
		return;
	vec_remove_at(&u->prefs, (size_t)pos);
	st_undo_push(st, rv_pref_delete, rl_pref_free, u, p, pos);
}

/* ---- categories ---- */

static vec *siblings(state *st, mcategory *cat)
{
	mcategory *p = cat->parent ? st_cat(st, cat->parent) : NULL;
	return p ? &p->children : &st->topcats;
}

static void free_cat(mcategory *c)
{
	free(c->name);
	free(c->idnumber);
	free(c->description);
	free(c->theme);
	free(c->path);
	vec_free(&c->children);
	vec_free(&c->courses);
	free(c);
}

static void rv_cat_insert(state *st, void *a, void *b, long long n)
{
	(void)b;
	(void)n;
	mcategory *c = a;
	vec_remove(siblings(st, c), c);
	if (c->idnumber)
		strmulti_del(&st->cat_idnumber, c->idnumber, c);
	st->cats[c->id] = NULL;
	st->n_cats--;
	st->cats_dirty = true;
	free_cat(c);
}

void st_cat_insert(state *st, mcategory *c)
{
	if (!c->id)
		c->id = st->seq_cat++;
	else if (c->id >= st->seq_cat)
		st->seq_cat = c->id + 1;
	slot_set((void ***)&st->cats, &st->cats_cap, c->id, c);
	vec_push(siblings(st, c), c);
	if (c->idnumber)
		strmulti_add(&st->cat_idnumber, c->idnumber, c);
	st->n_cats++;
	st->cats_dirty = true;
	st_undo_push(st, rv_cat_insert, NULL, c, NULL, 0);
	if (!c->contextid)
		c->contextid = ctx_new(st, CTX_COURSECAT, c->id);
}

static void walk_cats(vec *list, long long *k, int depth, const char *path)
{
	for (size_t i = 0; i < list->n; i++) {
		mcategory *c = list->v[i];
		c->sortorder = 10000LL * ++*k;
		c->depth = depth;
		free(c->path);
		c->path = xasprintf("%s/%lld", path, c->id);
		walk_cats(&c->children, k, depth + 1, c->path);
	}
}

void st_refresh_categories(state *st)
{
	if (!st->cats_dirty)
		return;
	long long k = 0;
	walk_cats(&st->topcats, &k, 1, "");
	st->cats_dirty = false;
}

long long st_course_sortorder(state *st, mcourse *c)
{
	if (!c->cat)
		return 1;
	if (c->unsorted)
		return 0;
	st_refresh_categories(st);
	if (c->cat->pos_dirty || st->n_unsorted) {
		/* unsorted courses (sortorder 0) take no place in the range */
		long p = 0;
		for (size_t i = 0; i < c->cat->courses.n; i++) {
			mcourse *k = c->cat->courses.v[i];
			k->pos = p;
			if (!k->unsorted)
				p++;
		}
		c->cat->pos_dirty = false;
	}
	return c->cat->sortorder + c->pos + 1;
}

static void rv_unsorted(state *st, void *a, void *b, long long old)
{
	(void)b;
	mcourse *c = a;
	if (c->unsorted && !old)
		st->n_unsorted--;
	else if (!c->unsorted && old)
		st->n_unsorted++;
	c->unsorted = (int)old;
	if (c->cat)
		c->cat->pos_dirty = true;
}

void st_course_set_unsorted(state *st, mcourse *c, int v)
{
	if (c->unsorted == v)
		return;
	st_undo_push(st, rv_unsorted, NULL, c, NULL, c->unsorted);
	if (v)
		st->n_unsorted++;
	else
		st->n_unsorted--;
	c->unsorted = v;
	if (c->cat)
		c->cat->pos_dirty = true;
}

void st_fix_sortorder(state *st)
{
	if (!st->n_unsorted)
		return;
	for (size_t i = 0; i < st->courses_cap && st->n_unsorted; i++)
		if (st->courses[i] && st->courses[i]->unsorted)
			st_course_set_unsorted(st, st->courses[i], 0);
}

static void free_group(mgroup *g);

void st_groupcache_invalidate(mcourse *c)
{
	if (!c->groupcache)
		return;
	for (size_t i = 0; i < c->groupcache->n; i++)
		free_group(c->groupcache->v[i]);
	vec_free(c->groupcache);
	free(c->groupcache);
	c->groupcache = NULL;
}

static int cmp_group_name(const void *a, const void *b)
{
	const mgroup *x = *(mgroup *const *)a, *y = *(mgroup *const *)b;
	int r = strcmp(x->name, y->name);
	if (r)
		return r;
	return x->id < y->id ? -1 : x->id > y->id;
}

const vec *st_groupcache(state *st, mcourse *c)
{
	(void)st;
	if (c->groupcache)
		return c->groupcache;
	c->groupcache = xcalloc(1, sizeof *c->groupcache);
	for (size_t i = 0; i < c->groups.n; i++) {
		mgroup *g = c->groups.v[i], *copy = xcalloc(1, sizeof *copy);
		copy->id = g->id;
		copy->courseid = g->courseid;
		copy->name = xstrdup(g->name);
		copy->idnumber = xstrdup(st_s(g->idnumber));
		copy->description = xstrdup(st_s(g->description));
		copy->descriptionformat = g->descriptionformat;
		copy->enrolmentkey = g->enrolmentkey ? xstrdup(g->enrolmentkey) : NULL;
		copy->visibility = g->visibility;
		copy->participation = g->participation;
		copy->timecreated = g->timecreated;
		copy->timemodified = g->timemodified;
		vec_push(c->groupcache, copy);
	}
	vec_sort(c->groupcache, cmp_group_name);
	return c->groupcache;
}

/* ---- courses ---- */

mcourse *st_course_alloc(const state *st)
{
	mcourse *c = xcalloc(1, sizeof *c);
	c->format = xstrdup("topics");
	c->summary = xstrdup("");
	c->summaryformat = 1;
	c->idnumber = xstrdup("");
	c->showgrades = 1;
	c->newsitems = 5;
	c->visible = c->visibleold = 1;
	c->enablecompletion = st->set.enablecompletion ? st->set.completion_default : 0;
	c->lang = xstrdup("");
	c->theme = xstrdup("");
	c->calendartype = xstrdup("");
	c->hiddensections = 1;
	c->showcompletionconditions = 1;
	return c;
}

static void free_course(mcourse *c)
{
	st_groupcache_invalidate(c);
	free(c->fullname);
	free(c->shortname);
	free(c->idnumber);
	free(c->summary);
	free(c->format);
	free(c->lang);
	free(c->theme);
	free(c->calendartype);
	vec_free(&c->enrols);
	vec_free(&c->groups);
	free(c);
}

static void course_link(state *st, mcourse *c, long pos)
{
	slot_set((void ***)&st->courses, &st->courses_cap, c->id, c);
	strmulti_add(&st->course_shortname, c->shortname, c);
	if (c->idnumber && *c->idnumber)
		strmulti_add(&st->course_idnumber, c->idnumber, c);
	c->cat = c->category ? st_cat(st, c->category) : NULL;
	if (c->cat) {
		if (pos < 0 || (size_t)pos > c->cat->courses.n)
			pos = (long)c->cat->courses.n;
		vec_insert(&c->cat->courses, (size_t)pos, c);
		c->cat->pos_dirty = true;
	}
	st->n_courses++;
}

static long course_unlink(state *st, mcourse *c)
{
	long pos = -1;
	strmulti_del(&st->course_shortname, c->shortname, c);
	if (c->idnumber && *c->idnumber)
		strmulti_del(&st->course_idnumber, c->idnumber, c);
	if (c->cat) {
		pos = vec_index(&c->cat->courses, c);
		if (pos >= 0)
			vec_remove_at(&c->cat->courses, (size_t)pos);
		c->cat->pos_dirty = true;
	}
	st->courses[c->id] = NULL;
	st->n_courses--;
	return pos;
}

static void rv_course_insert(state *st, void *a, void *b, long long n) { (void)b; (void)n; course_unlink(st, a); free_course(a); }
static void rv_course_delete(state *st, void *a, void *b, long long pos) { (void)b; course_link(st, a, (long)pos); }
static void rl_course_free(state *st, void *a, void *b, long long n) { (void)st; (void)b; (void)n; free_course(a); }

void st_course_insert(state *st, mcourse *c)
{
	if (!c->id)
		c->id = st->seq_course++;
	else if (c->id >= st->seq_course)
		st->seq_course = c->id + 1;
	course_link(st, c, 0);
	st_undo_push(st, rv_course_insert, NULL, c, NULL, 0);
	if (!c->contextid)
		c->contextid = ctx_new(st, CTX_COURSE, c->id);
}

static void rv_course_move(state *st, void *a, void *oldcat, long long oldpos)
{
	mcourse *c = a;
	if (c->cat) {
		vec_remove(&c->cat->courses, c);
		c->cat->pos_dirty = true;
	}
	c->cat = oldcat;
	c->category = c->cat ? c->cat->id : 0;
	if (c->cat) {
		vec_insert(&c->cat->courses, (size_t)oldpos, c);
		c->cat->pos_dirty = true;
	}
}

void st_course_move(state *st, mcourse *c, mcategory *to)
{
	if (c->cat == to)
		return;
	long oldpos = c->cat ? vec_index(&c->cat->courses, c) : 0;
	mcategory *old = c->cat;
	if (old) {
		vec_remove_at(&old->courses, (size_t)oldpos);
		old->pos_dirty = true;
	}
	/* fix_course_sortorder(): the course keeps sortorder % 10000 in the new
	 * range, duplicates are resolved by (sortorder ASC, id DESC) */
	size_t p = (size_t)oldpos + 1, at;
	if (p > to->courses.n)
		at = to->courses.n;
	else {
		mcourse *other = to->courses.v[p - 1];
		at = c->id > other->id ? p - 1 : p;
	}
	vec_insert(&to->courses, at, c);
	to->pos_dirty = true;
	c->cat = to;
	c->category = to->id;
	st_undo_push(st, rv_course_move, NULL, c, old, oldpos);
}

/* ---- enrol instances and enrolments ---- */

static void free_enrol(menrol *e)
{
	free(e->enrol);
	u64map_free(&e->ues);
	free(e);
}

static void enrol_link(state *st, mcourse *c, menrol *e, long pos)
{
	slot_set((void ***)&st->enrols, &st->enrols_cap, e->id, e);
	e->course = c;
	e->courseid = c->id;
	if (pos < 0 || (size_t)pos > c->enrols.n)
		pos = (long)c->enrols.n;
	vec_insert(&c->enrols, (size_t)pos, e);
}

static long enrol_unlink(state *st, menrol *e)
{
	long pos = vec_index(&e->course->enrols, e);
	if (pos >= 0)
		vec_remove_at(&e->course->enrols, (size_t)pos);
	st->enrols[e->id] = NULL;
	return pos;
}

static void rv_enrol_insert(state *st, void *a, void *b, long long n) { (void)b; (void)n; enrol_unlink(st, a); free_enrol(a); }
static void rv_enrol_delete(state *st, void *a, void *c, long long pos) { enrol_link(st, c, a, (long)pos); }
static void rl_enrol_free(state *st, void *a, void *b, long long n) { (void)st; (void)b; (void)n; free_enrol(a); }

void st_enrol_insert(state *st, mcourse *c, menrol *e)
{
	if (!e->id)
		e->id = st->seq_enrol++;
	else if (e->id >= st->seq_enrol)
		st->seq_enrol = e->id + 1;
	enrol_link(st, c, e, -1);
	st_undo_push(st, rv_enrol_insert, NULL, e, NULL, 0);
}

void st_enrol_delete(state *st, menrol *e)
{
	/* the caller removes the enrolments first */
	vec all = { 0 };
	size_t it = 0;
	uint64_t k;
	void *v;
	while (u64map_next(&e->ues, &it, &k, &v))
		vec_push(&all, v);
	for (size_t i = 0; i < all.n; i++)
		st_ue_delete(st, all.v[i]);
	vec_free(&all);
	mcourse *c = e->course;
	long pos = enrol_unlink(st, e);
	st_undo_push(st, rv_enrol_delete, rl_enrol_free, e, c, pos);
}

void st_add_default_instances(state *st, mcourse *c)
{
	long long now = st_now(st);
	if (st->set.manual_enabled && st->set.manual_defaultenrol) {
		menrol *e = xcalloc(1, sizeof *e);
		e->enrol = xstrdup("manual");
		e->status = st->set.manual_status;
		e->roleid = st->set.manual_roleid;
		e->customint1 = st->set.manual_welcome;
		e->timecreated = now;
		st_enrol_insert(st, c, e);
	}
	if (st->set.guest_enabled && st->set.guest_defaultenrol) {
		menrol *e = xcalloc(1, sizeof *e);
		e->enrol = xstrdup("guest");
		e->status = st->set.guest_status;
		e->roleid = 0;
		e->customint1_null = true;
		e->timecreated = now;
		st_enrol_insert(st, c, e);
	}
	if (st->set.self_enabled && st->set.self_defaultenrol) {
		menrol *e = xcalloc(1, sizeof *e);
		e->enrol = xstrdup("self");
		e->status = st->set.self_status;
		e->roleid = st->set.self_roleid;
		e->customint1 = 0;
		e->timecreated = now;
		st_enrol_insert(st, c, e);
	}
}

static void ue_link(state *st, muenrol *ue)
{
	u64map_put(&ue->inst->ues, (uint64_t)ue->userid, ue);
	muser *u = st_user(st, ue->userid);
	if (u)
		vec_push(&u->ues, ue);
	st->n_ues++;
}

static void ue_unlink(state *st, muenrol *ue)
{
	u64map_del(&ue->inst->ues, (uint64_t)ue->userid);
	muser *u = st_user(st, ue->userid);
	if (u)
		vec_remove(&u->ues, ue);
	st->n_ues--;
}

static void rv_ue_insert(state *st, void *a, void *b, long long n) { (void)b; (void)n; ue_unlink(st, a); free(a); }
static void rv_ue_delete(state *st, void *a, void *b, long long n) { (void)b; (void)n; ue_link(st, a); }

void st_ue_insert(state *st, menrol *inst, muenrol *ue)
{
	if (!ue->id)
		ue->id = st->seq_ue++;
	else if (ue->id >= st->seq_ue)
		st->seq_ue = ue->id + 1;
	ue->inst = inst;
	ue->enrolid = inst->id;
	ue_link(st, ue);
	st_undo_push(st, rv_ue_insert, NULL, ue, NULL, 0);
}

void st_ue_delete(state *st, muenrol *ue)
{
	ue_unlink(st, ue);
	st_undo_push(st, rv_ue_delete, rl_free_a, ue, NULL, 0);
}

/* ---- role assignments ---- */

static vec *ra_vec(u64map *m, uint64_t key, bool create)
{
	vec *v = u64map_get(m, key);
	if (!v && create) {
		v = xcalloc(1, sizeof *v);
		u64map_put(m, key, v);
	}
	return v;
}

static void ra_vec_remove(u64map *m, uint64_t key, mra *ra)
{
	vec *v = u64map_get(m, key);
	if (!v)
		return;
	vec_remove(v, ra);
	if (!v->n) {
		u64map_del(m, key);
		vec_free(v);
		free(v);
	}
}

static void ra_link(state *st, mra *ra)
{
	vec_push(ra_vec(&st->ra_by_ctxuser, cu_key(ra->contextid, ra->userid), true), ra);
	vec_push(ra_vec(&st->ra_by_ctx, (uint64_t)ra->contextid, true), ra);
	muser *u = st_user(st, ra->userid);
	if (u)
		vec_push(&u->ras, ra);
	st->n_ras++;
}

static void ra_unlink(state *st, mra *ra)
{
	ra_vec_remove(&st->ra_by_ctxuser, cu_key(ra->contextid, ra->userid), ra);
	ra_vec_remove(&st->ra_by_ctx, (uint64_t)ra->contextid, ra);
	muser *u = st_user(st, ra->userid);
	if (u)
		vec_remove(&u->ras, ra);
	st->n_ras--;
}

static void free_ra(mra *ra)
{
	free(ra->component);
	free(ra);
}

static void rv_ra_insert(state *st, void *a, void *b, long long n) { (void)b; (void)n; ra_unlink(st, a); free_ra(a); }
static void rv_ra_delete(state *st, void *a, void *b, long long n) { (void)b; (void)n; ra_link(st, a); }
static void rl_ra_free(state *st, void *a, void *b, long long n) { (void)st; (void)b; (void)n; free_ra(a); }

void st_ra_insert(state *st, mra *ra)
{
	if (!ra->id)
		ra->id = st->seq_ra++;
	else if (ra->id >= st->seq_ra)
		st->seq_ra = ra->id + 1;
	if (!ra->component)
		ra->component = xstrdup("");
	ra_link(st, ra);
	st_undo_push(st, rv_ra_insert, NULL, ra, NULL, 0);
}

void st_ra_delete(state *st, mra *ra)
{
	ra_unlink(st, ra);
	st_undo_push(st, rv_ra_delete, rl_ra_free, ra, NULL, 0);
}

/* ---- groups ---- */

static void free_group(mgroup *g)
{
	free(g->name);
	free(g->idnumber);
	free(g->description);
	free(g->enrolmentkey);
	u64map_free(&g->members);
	free(g);
}

static void group_link(state *st, mgroup *g)
{
	slot_set((void ***)&st->groups, &st->groups_cap, g->id, g);
	g->course = st_course(st, g->courseid);
	size_t at = g->course->groups.n;
	while (at > 0 && ((mgroup *)g->course->groups.v[at - 1])->id > g->id)
		at--;
	vec_insert(&g->course->groups, at, g);
}

static void group_unlink(state *st, mgroup *g)
{
	vec_remove(&g->course->groups, g);
	st->groups[g->id] = NULL;
}

static void rv_group_insert(state *st, void *a, void *b, long long n) { (void)b; (void)n; group_unlink(st, a); free_group(a); }
static void rv_group_delete(state *st, void *a, void *b, long long n) { (void)b; (void)n; group_link(st, a); }
static void rl_group_free(state *st, void *a, void *b, long long n) { (void)st; (void)b; (void)n; free_group(a); }

void st_group_insert(state *st, mgroup *g)
{
	if (!g->id)
		g->id = st->seq_group++;
	else if (g->id >= st->seq_group)
		st->seq_group = g->id + 1;
	group_link(st, g);
	st_undo_push(st, rv_group_insert, NULL, g, NULL, 0);
}

static void member_link(state *st, mmember *m)
{
	u64map_put(&m->group->members, (uint64_t)m->userid, m);
	muser *u = st_user(st, m->userid);
	if (u)
		vec_push(&u->members, m);
}

static void member_unlink(state *st, mmember *m)
{
	u64map_del(&m->group->members, (uint64_t)m->userid);
	muser *u = st_user(st, m->userid);
	if (u)
		vec_remove(&u->members, m);
}

static void free_member(mmember *m)
{
	free(m->component);
	free(m);
}

static void rv_member_insert(state *st, void *a, void *b, long long n) { (void)b; (void)n; member_unlink(st, a); free_member(a); }
static void rv_member_delete(state *st, void *a, void *b, long long n) { (void)b; (void)n; member_link(st, a); }
static void rl_member_free(state *st, void *a, void *b, long long n) { (void)st; (void)b; (void)n; free_member(a); }

void st_member_insert(state *st, mgroup *g, mmember *m)
{
	if (!m->id)
		m->id = st->seq_member++;
	else if (m->id >= st->seq_member)
		st->seq_member = m->id + 1;
	m->group = g;
	m->groupid = g->id;
	if (!m->component)
		m->component = xstrdup("");
	member_link(st, m);
	st_undo_push(st, rv_member_insert, NULL, m, NULL, 0);
}

void st_member_delete(state *st, mmember *m)
{
	member_unlink(st, m);
	st_undo_push(st, rv_member_delete, rl_member_free, m, NULL, 0);
}

void st_group_delete(state *st, mgroup *g)
{
	st_groupcache_invalidate(g->course);
	vec all = { 0 };
	size_t it = 0;
	uint64_t k;
	void *v;
	while (u64map_next(&g->members, &it, &k, &v))
		vec_push(&all, v);
	for (size_t i = 0; i < all.n; i++)
		st_member_delete(st, all.v[i]);
	vec_free(&all);
	group_unlink(st, g);
	st_undo_push(st, rv_group_delete, rl_group_free, g, NULL, 0);
}

void st_course_delete(state *st, mcourse *c)
{
	st_groupcache_invalidate(c);
	st_course_set_unsorted(st, c, 0);
	while (c->groups.n)
		st_group_delete(st, c->groups.v[c->groups.n - 1]);
	while (c->enrols.n)
		st_enrol_delete(st, c->enrols.v[c->enrols.n - 1]);
	vec *ras = u64map_get(&st->ra_by_ctx, (uint64_t)c->contextid);
	while (ras && ras->n) {
		st_ra_delete(st, ras->v[ras->n - 1]);
		ras = u64map_get(&st->ra_by_ctx, (uint64_t)c->contextid);
	}
	ctx_delete(st, c->contextid);
	long pos = course_unlink(st, c);
	st_undo_push(st, rv_course_delete, rl_course_free, c, NULL, pos);
}

/* ---- notifications ---- */

static void rv_notif_insert(state *st, void *a, void *b, long long n)
{
	(void)b;
	(void)n;
	vec_remove(&st->notifications, a);
	free(((mnotif *)a)->eventtype);
	free(((mnotif *)a)->subject);
	free(a);
}

void st_notif_insert(state *st, mnotif *nt)
{
	if (!nt->id)
		nt->id = st->seq_notif++;
	else if (nt->id >= st->seq_notif)
		st->seq_notif = nt->id + 1;
	vec_push(&st->notifications, nt);
	st_undo_push(st, rv_notif_insert, NULL, nt, NULL, 0);
}

/* ---- loader helpers ---- */

mid st_load_drop_user(state *st, muser *u)
{
	mid ctx = u->contextid;
	mcontext *c = st_context(st, ctx);
	if (c) {
		ctx_unlink(st, c);
		free(c);
	}
	user_unlink(st, u);
	free_user(u);
	return ctx;
}

mid st_load_drop_cat(state *st, mcategory *cat)
{
	mid ctx = cat->contextid;
	mcontext *c = st_context(st, ctx);
	if (c) {
		ctx_unlink(st, c);
		free(c);
	}
	vec_remove(siblings(st, cat), cat);
	if (cat->idnumber)
		strmulti_del(&st->cat_idnumber, cat->idnumber, cat);
	st->cats[cat->id] = NULL;
	st->n_cats--;
	st->cats_dirty = true;
	free_cat(cat);
	return ctx;
}

void st_load_context(state *st, mid id, int level, mid instance)
{
	if (id <= 0 || st_context(st, id))
		return;
	mcontext *c = xcalloc(1, sizeof *c);
	c->id = id;
	c->level = level;
	c->instance = instance;
	ctx_link(st, c);
	if (id >= st->seq_context)
		st->seq_context = id + 1;
}

/* ---- accounts ---- */

maccount *st_account_by_token(const state *st, const char *token)
{
	if (!token || !*token)
		return NULL;
	for (size_t i = 0; i < st->accounts.n; i++) {
		maccount *a = st->accounts.v[i];
		if (strcmp(a->token, token) == 0)
			return a;
	}
	return NULL;
}

void st_account_free(maccount *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->caps.n; i++)
		free(a->caps.v[i]);
	vec_free(&a->caps);
	vec_free(&a->allow_assign);
	free(a->token);
	free(a->name);
	free(a);
}

void st_account_add(state *st, maccount *a)
{
	for (size_t i = 0; i < st->accounts.n; i++) {
		maccount *o = st->accounts.v[i];
		if (strcmp(o->token, a->token) == 0) {
			st_account_free(o);
			st->accounts.v[i] = a;
			return;
		}
	}
	vec_push(&st->accounts, a);
}

/* ---- the fresh site ---- */

static const char *const service_functions[] = {
	"core_webservice_get_site_info", "core_course_get_courses_by_field", "core_course_get_courses",
	"core_course_create_courses", "core_course_update_courses", "core_course_delete_courses",
	"core_course_duplicate_course", "core_course_get_categories", "core_course_create_categories",
	"core_user_get_users_by_field", "core_user_get_users", "core_user_create_users",
	"core_user_update_users", "enrol_manual_enrol_users", "enrol_manual_unenrol_users",
	"core_enrol_get_enrolled_users", "core_enrol_get_course_enrolment_methods",
	"core_enrol_get_users_courses", "core_group_create_groups", "core_group_get_course_groups",
	"core_group_add_group_members", "core_role_assign_roles", "core_role_unassign_roles",
	"core_cohort_add_cohort_members", "core_cohort_create_cohorts", "core_cohort_delete_cohort_members",
	"core_cohort_delete_cohorts", "core_cohort_get_cohort_members", "core_cohort_search_cohorts",
	"core_cohort_get_cohorts", "core_cohort_update_cohorts",
};

static void add_role(state *st, mid id, const char *sn, const char *arch, const int *levels, int nl)
{
	mrole *r = xcalloc(1, sizeof *r);
	r->id = id;
	r->shortname = xstrdup(sn);
	r->name = xstrdup("");
	r->sortorder = (int)id;
	r->archetype = xstrdup(arch);
	for (int i = 0; i < nl && i < 6; i++)
		r->levels[r->nlevels++] = levels[i];
	vec_push(&st->roles, r);
}

void st_settings_defaults(msettings *s)
{
	memset(s, 0, sizeof *s);
	s->passwordpolicy = 1;
	s->minpasswordlength = 8;
	s->minpassworddigits = 1;
	s->minpasswordlower = 1;
	s->minpasswordupper = 1;
	s->minpasswordnonalphanum = 1;
	s->manual_enabled = 1;
	s->manual_defaultenrol = 1;
	s->manual_status = 0;
	s->manual_welcome = 1;
	s->manual_roleid = 5;
	s->guest_enabled = 1;
	s->guest_defaultenrol = 1;
	s->guest_status = 1;
	s->self_enabled = 1;
	s->self_defaultenrol = 1;
	s->self_status = 1;
	s->self_roleid = 5;
	s->enablecompletion = 1;
	s->completion_default = 1;
	vec_push(&s->coursecontact, (void *)(intptr_t)3);
	vec_push(&s->siteadmins, (void *)(intptr_t)2);
	s->sitename = xstrdup("IMS Import Test Site");
	s->defaultcountry = xstrdup("");
	s->lang = xstrdup("en");
	s->max_input_vars = 5000;
}

state *st_new_fresh(const char *admin_token)
{
	state *st = xcalloc(1, sizeof *st);
	pthread_mutex_init(&st->lock, NULL);
	st_settings_defaults(&st->set);
	st->seq_user = st->seq_course = st->seq_cat = st->seq_enrol = st->seq_ue = 1;
	st->seq_ra = st->seq_group = st->seq_member = st->seq_notif = 1;

	static const int sys_cat_course[] = { CTX_SYSTEM, CTX_COURSECAT, CTX_COURSE };
	static const int sys_cat[] = { CTX_SYSTEM, CTX_COURSECAT };
	static const int course_mod[] = { CTX_COURSE, CTX_MODULE };
	add_role(st, 1, "manager", "manager", sys_cat_course, 3);
	add_role(st, 2, "coursecreator", "coursecreator", sys_cat, 2);
	add_role(st, 3, "editingteacher", "editingteacher", course_mod, 2);
	add_role(st, 4, "teacher", "teacher", course_mod, 2);
	add_role(st, 5, "student", "student", course_mod, 2);
	add_role(st, 6, "guest", "guest", NULL, 0);
	add_role(st, 7, "user", "user", NULL, 0);
	add_role(st, 8, "frontpage", "frontpage", NULL, 0);

	/* contexts 1 system, 2 site course, 3 Category 1, 4 guest, 5 admin;
	 * 6-10 are the fresh site's blocks (not modelled) */
	st->seq_context = 1;
	ctx_new(st, CTX_SYSTEM, 0);

	mcourse *site = st_course_alloc(st);
	site->id = 1;
	site->category = 0;
	site->fullname = xstrdup("IMS Import Test Site");
	site->shortname = xstrdup("imstest");
	free(site->summary);
	site->summary = xstrdup("Local Moodle 4.5 for IMS Enterprise import measurements");
	site->summaryformat = 0;
	free(site->format);
	site->format = xstrdup("site");
	site->newsitems = 3;
	site->enablecompletion = 0;
	site->numsections = 1;
	site->showcompletionconditions = -1;
	site->timecreated = 1795307986;
	site->timemodified = 1795308027;
	site->cacherev = 1795309642;
	st_course_insert(st, site);

	mcategory *cat = xcalloc(1, sizeof *cat);
	cat->id = 1;
	cat->name = xstrdup("Category 1");
	cat->description = xstrdup("");
	cat->descriptionformat = 1;
	cat->visible = cat->visibleold = 1;
	cat->timemodified = 1795307986;
	cat->theme = xstrdup("");
	st_cat_insert(st, cat);

	muser *guest = st_user_alloc(st);
	guest->id = 1;
	guest->username = xstrdup("guest");
	guest->firstname = xstrdup("Guest user");
	guest->lastname = xstrdup(" ");
	guest->email = xstrdup("root@localhost");
	guest->description = xstrdup("This user is a special user that allows read-only access to some courses.");
	guest->timecreated = 1795307986;
	st_user_insert(st, guest);

	muser *admin = st_user_alloc(st);
	admin->id = 2;
	admin->username = xstrdup("admin");
	admin->firstname = xstrdup("Admin");
	admin->lastname = xstrdup("User");
	admin->email = xstrdup("admin@example.com");
	admin->timecreated = 1795307986;
	st_user_insert(st, admin);
	st_pref_set(st, admin, "last_time_enrolments_synced", "1795308150");
	st->seq_context = 11;

	for (size_t i = 0; i < ARRAY_LEN(service_functions); i++)
		vec_push(&st->service, xstrdup(service_functions[i]));

	if (admin_token) {
		maccount *a = xcalloc(1, sizeof *a);
		a->token = xstrdup(admin_token);
		a->userid = 2;
		a->name = xstrdup("admin");
		st_account_add(st, a);
	}
	st_commit(st);
	return st;
}

void st_free(state *st)
{
	if (!st)
		return;
	st_rollback(st);
	vec_free(&st->undo);
	for (size_t i = 0; i < st->courses_cap; i++) {
		mcourse *c = st->courses[i];
		if (!c)
			continue;
		for (size_t j = 0; j < c->groups.n; j++) {
			mgroup *g = c->groups.v[j];
			size_t it = 0;
			uint64_t k;
			void *v;
			while (u64map_next(&g->members, &it, &k, &v))
				free_member(v);
			free_group(g);
		}
		for (size_t j = 0; j < c->enrols.n; j++) {
			menrol *e = c->enrols.v[j];
			size_t it = 0;
			uint64_t k;
			void *v;
			while (u64map_next(&e->ues, &it, &k, &v))
				free(v);
			free_enrol(e);
		}
		free_course(c);
	}
	free(st->courses);
	free(st->enrols);
	free(st->groups);
	for (size_t i = 0; i < st->users_cap; i++)
		if (st->users[i])
			free_user(st->users[i]);
	free(st->users);
	for (size_t i = 0; i < st->cats_cap; i++)
		if (st->cats[i])
			free_cat(st->cats[i]);
	free(st->cats);
	size_t it = 0;
	uint64_t k;
	void *v;
	while (u64map_next(&st->ra_by_ctx, &it, &k, &v)) {
		vec *rv = v;
		for (size_t j = 0; j < rv->n; j++)
			free_ra(rv->v[j]);
		vec_free(rv);
		free(rv);
	}
	u64map_free(&st->ra_by_ctx);
	it = 0;
	while (u64map_next(&st->ra_by_ctxuser, &it, &k, &v)) {
		vec_free(v);
		free(v);
	}
	u64map_free(&st->ra_by_ctxuser);
	it = 0;
	while (u64map_next(&st->contexts, &it, &k, &v))
		free(v);
	u64map_free(&st->contexts);
	u64map_free(&st->ctx_by_inst);
	for (size_t i = 0; i < st->roles.n; i++) {
		mrole *r = st->roles.v[i];
		free(r->shortname);
		free(r->name);
		free(r->archetype);
		free(r);
	}
	vec_free(&st->roles);
	vec_free(&st->topcats);
	for (size_t i = 0; i < st->notifications.n; i++) {
		mnotif *n = st->notifications.v[i];
		free(n->eventtype);
		free(n->subject);
		free(n);
	}
	vec_free(&st->notifications);
	for (size_t i = 0; i < st->accounts.n; i++)
		st_account_free(st->accounts.v[i]);
	vec_free(&st->accounts);
	for (size_t i = 0; i < st->service.n; i++)
		free(st->service.v[i]);
	vec_free(&st->service);
	strmulti_free(&st->user_username);
	strmulti_free(&st->user_idnumber);
	strmulti_free(&st->user_email);
	strmulti_free(&st->user_email_lower);
	strmulti_free(&st->course_shortname);
	strmulti_free(&st->course_idnumber);
	strmulti_free(&st->cat_idnumber);
	vec_free(&st->set.coursecontact);
	vec_free(&st->set.siteadmins);
	free(st->set.sitename);
	free(st->set.defaultcountry);
	free(st->set.lang);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

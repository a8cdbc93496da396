/* site.c -- the snapshot of the Moodle site and its indexes (see site.h). */
#include "config.h"
#include "site.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define ID_KEY PTRMAP_ID_KEY

site_snapshot *site_new(void)
{
	site_snapshot *s = xcalloc(1, sizeof *s);
	arena_init(&s->mem);
	strtab_init(&s->strings, &s->mem);
	ptrmap *maps[] = { &s->category_by_id, &s->course_by_id, &s->courses_by_idnumber,
			   &s->courses_by_shortname, &s->user_by_id, &s->users_by_idnumber,
			   &s->users_by_username, &s->users_by_email, &s->roster_by_course,
			   &s->roleid_by_name, &s->rolename_by_id, &s->groups_by_course };
	for (size_t i = 0; i < ARRAY_LEN(maps); i++)
		ptrmap_init(maps[i]);
	return s;
}

void site_free(site_snapshot *s)
{
	if (!s)
		return;
	const void *k;
	void *v;
	for (size_t it = 0; ptrmap_next(&s->roster_by_course, &it, &k, &v);) {
		ptrmap_free(&((site_roster *)v)->by_user);
		free(((site_roster *)v)->items);
	}
	ptrmap *maps[] = { &s->category_by_id, &s->course_by_id, &s->courses_by_idnumber,
			   &s->courses_by_shortname, &s->user_by_id, &s->users_by_idnumber,
			   &s->users_by_username, &s->users_by_email, &s->roster_by_course,
			   &s->roleid_by_name, &s->rolename_by_id, &s->groups_by_course };
	for (size_t i = 0; i < ARRAY_LEN(maps); i++)
		ptrmap_free(maps[i]);
	free(s->categories);
	free(s->courses);
	free(s->users);
	strtab_free(&s->strings);
	arena_free(&s->mem);
	free(s);
}

const char *site_intern(site_snapshot *s, const char *str)
{
	return str ? strtab_intern(&s->strings, str, strlen(str)) : NULL;
}

void *site_alloc(site_snapshot *s, size_t n)
{
	return arena_alloc(&s->mem, n);
}

static void push(void ***arr, size_t *n, void *item)
{
	if ((*n & (*n - 1)) == 0) /* 0, 1, 2, 4, ...: grow to the next power of two */
		*arr = xrealloc(*arr, (*n ? *n * 2 : 1) * sizeof **arr);
	(*arr)[(*n)++] = item;
}

static void index_multi(site_snapshot *s, ptrmap *map, const char *key, void *item)
{
	if (!key || !*key)
		return;
	site_match *m = site_alloc(s, sizeof *m);
	m->item = item;
	site_match *head = ptrmap_get(map, key);
	if (!head) {
		ptrmap_put(map, key, m);
		return;
	}
	while (head->next)
		head = head->next;
	head->next = m; /* keep insertion order: candidates are listed as found */
}

static const char *lower_key(site_snapshot *s, const char *str)
{
	if (!str)
		return NULL;
	size_t n = strlen(str);
	char *tmp = xmalloc(n + 1);
	for (size_t i = 0; i <= n; i++)
		tmp[i] = (str[i] >= 'A' && str[i] <= 'Z') ? (char)(str[i] + 32) : str[i];
	const char *k = strtab_intern(&s->strings, tmp, n);
	free(tmp);
	return k;
}

site_category *site_add_category(site_snapshot *s, site_category *c)
{
	site_category *old = ptrmap_get(&s->category_by_id, ID_KEY(c->id));
	if (old)
		return old;
	ptrmap_put(&s->category_by_id, ID_KEY(c->id), c);
	push((void ***)&s->categories, &s->ncategories, c);
	return c;
}

site_course *site_add_course(site_snapshot *s, site_course *c)
{
	site_course *old = ptrmap_get(&s->course_by_id, ID_KEY(c->id));
	if (old)
		return old;
	ptrmap_put(&s->course_by_id, ID_KEY(c->id), c);
	push((void ***)&s->courses, &s->ncourses, c);
	index_multi(s, &s->courses_by_idnumber, c->idnumber, c);
	index_multi(s, &s->courses_by_shortname, c->shortname, c);
	return c;
}

site_user *site_add_user(site_snapshot *s, site_user *u)
{
	site_user *old = ptrmap_get(&s->user_by_id, ID_KEY(u->id));
	if (old)
		return old;
	ptrmap_put(&s->user_by_id, ID_KEY(u->id), u);
	push((void ***)&s->users, &s->nusers, u);
	index_multi(s, &s->users_by_idnumber, u->idnumber, u);
	index_multi(s, &s->users_by_username, u->username, u);
	index_multi(s, &s->users_by_email, lower_key(s, u->email), u);
	return u;
}

site_roster *site_add_roster(site_snapshot *s, int64_t courseid)
{
	site_roster *r = ptrmap_get(&s->roster_by_course, ID_KEY(courseid));
	if (r)
		return r;
	r = site_alloc(s, sizeof *r);
	r->courseid = courseid;
	ptrmap_init(&r->by_user);
	ptrmap_put(&s->roster_by_course, ID_KEY(courseid), r);
	return r;
}

static int64_t *copy_ids(site_snapshot *s, const int64_t *ids, int n)
{
	if (n <= 0)
		return NULL;
	int64_t *c = site_alloc(s, (size_t)n * sizeof *c);
	memcpy(c, ids, (size_t)n * sizeof *c);
	return c;
}

site_enrolment *site_roster_add(site_snapshot *s, site_roster *r, int64_t userid,
				const int64_t *roleids, int nroles, bool active,
				const int64_t *groupids, int ngroups)
{
	site_enrolment *e = ptrmap_get(&r->by_user, ID_KEY(userid));
	if (!e) {
		e = site_alloc(s, sizeof *e);
		ptrmap_put(&r->by_user, ID_KEY(userid), e);
		push((void ***)&r->items, &r->n, e);
	}
	e->userid = userid;
	e->roleids = copy_ids(s, roleids, nroles);
	e->nroles = nroles;
	e->active = active;
	e->groupids = copy_ids(s, groupids, ngroups);
	e->ngroups = ngroups;
	return e;
}

site_group_list *site_add_group_list(site_snapshot *s, int64_t courseid)
{
	site_group_list *l = ptrmap_get(&s->groups_by_course, ID_KEY(courseid));
	if (!l) {
		l = site_alloc(s, sizeof *l);
		ptrmap_put(&s->groups_by_course, ID_KEY(courseid), l);
	}
	return l;
}

void site_add_course_group(site_snapshot *s, int64_t courseid, int64_t id, const char *name,
			   const char *idnumber)
{
	site_group_list *l = site_add_group_list(s, courseid);
	site_group *arr = site_alloc(s, (l->n + 1) * sizeof *arr);
	if (l->n)
		memcpy(arr, l->items, l->n * sizeof *arr);
	arr[l->n] = (site_group){ id, courseid, site_intern(s, name), site_intern(s, idnumber) };
	l->items = arr;
	l->n++;
}

void site_set_role(site_snapshot *s, const char *shortname, int64_t id)
{
	const char *k = site_intern(s, shortname);
	ptrmap_put(&s->roleid_by_name, k, (void *)(intptr_t)id);
	ptrmap_put(&s->rolename_by_id, ID_KEY(id), (void *)k);
}

site_category *site_category_by_id(const site_snapshot *s, int64_t id)
{
	return ptrmap_get(&s->category_by_id, ID_KEY(id));
}

site_course *site_course_by_id(const site_snapshot *s, int64_t id)
{
	return ptrmap_get(&s->course_by_id, ID_KEY(id));
}

site_user *site_user_by_id(const site_snapshot *s, int64_t id)
{
	return ptrmap_get(&s->user_by_id, ID_KEY(id));
}

static const site_match *lookup(const site_snapshot *s, const ptrmap *map, const char *key)
{
	if (!key || !*key)
		return NULL;
	const char *k = strtab_lookup(&s->strings, key, strlen(key));
	return k ? ptrmap_get(map, k) : NULL;
}

const site_match *site_courses_by_idnumber(const site_snapshot *s, const char *key)
{
	return lookup(s, &s->courses_by_idnumber, key);
}

const site_match *site_courses_by_shortname(const site_snapshot *s, const char *key)
{
	return lookup(s, &s->courses_by_shortname, key);
}

const site_match *site_users_by_idnumber(const site_snapshot *s, const char *key)
{
	return lookup(s, &s->users_by_idnumber, key);
}

const site_match *site_users_by_username(const site_snapshot *s, const char *key)
{
	return lookup(s, &s->users_by_username, key);
}

const site_match *site_users_by_email(const site_snapshot *s, const char *key)
{
	if (!key || !*key)
		return NULL;
	size_t n = strlen(key);
	char *tmp = xmalloc(n + 1);
	for (size_t i = 0; i <= n; i++)
		tmp[i] = (key[i] >= 'A' && key[i] <= 'Z') ? (char)(key[i] + 32) : key[i];
	const char *k = strtab_lookup(&s->strings, tmp, n);
	free(tmp);
	return k ? ptrmap_get(&s->users_by_email, k) : NULL;
}

site_roster *site_roster_of(const site_snapshot *s, int64_t courseid)
{
	return ptrmap_get(&s->roster_by_course, ID_KEY(courseid));
}

const site_group_list *site_groups_of(const site_snapshot *s, int64_t courseid)
{
	return ptrmap_get(&s->groups_by_course, ID_KEY(courseid));
}

site_enrolment *site_roster_find(const site_roster *r, int64_t userid)
{
	return r ? ptrmap_get(&r->by_user, ID_KEY(userid)) : NULL;
}

int64_t site_role_id(const site_snapshot *s, const char *shortname)
{
	if (!shortname)
		return 0;
	const char *k = strtab_lookup(&s->strings, shortname, strlen(shortname));
	return k ? (int64_t)(intptr_t)ptrmap_get(&s->roleid_by_name, k) : 0;
}

const char *site_role_name(const site_snapshot *s, int64_t id)
{
	return ptrmap_get(&s->rolename_by_id, ID_KEY(id));
}

size_t site_match_count(const site_match *m)
{
	size_t n = 0;
	for (; m; m = m->next)
		n++;
	return n;
}

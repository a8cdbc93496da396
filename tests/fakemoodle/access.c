/* access.c -- capabilities, require_login and role assignability for the
 * emulated service accounts (see access.h). */
#include "config.h"
#include "access.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool acc_has(const wsctx *c, const char *cap)
{
	if (c->admin)
		return true;
	if (!c->acct)
		return false;
	for (size_t i = 0; i < c->acct->caps.n; i++)
		if (!strcmp(c->acct->caps.v[i], cap))
			return true;
	return false;
}

int acc_require(wsctx *c, const char *cap)
{
	return acc_has(c, cap) ? 0 : ws_nopermissions(c, cap);
}

const char *acc_cap_name(const char *cap)
{
	static const struct {
		const char *cap, *name;
	} names[] = {
		{ "moodle/course:create", "Create courses" },
		{ "moodle/course:update", "Update course settings" },
		{ "moodle/course:delete", "Delete courses" },
		{ "moodle/course:visibility", "Hide/show courses" },
		{ "moodle/course:view", "View courses without participation" },
		{ "moodle/course:viewhiddencourses", "View hidden courses" },
		{ "moodle/course:changecategory", "Change course category" },
		{ "moodle/course:changefullname", "Change course full name" },
		{ "moodle/course:changeshortname", "Change course short name" },
		{ "moodle/course:changeidnumber", "Change course ID number" },
		{ "moodle/course:changesummary", "Change course summary" },
		{ "moodle/course:setforcedlanguage", "Force course language" },
		{ "moodle/course:viewparticipants", "View participants" },
		{ "moodle/course:enrolreview", "Review course enrolments" },
		{ "moodle/course:managegroups", "Manage groups" },
		{ "moodle/category:manage", "Manage course categories" },
		{ "moodle/category:viewhiddencategories", "See hidden categories" },
		{ "moodle/user:create", "Create users" },
		{ "moodle/user:update", "Update user profiles" },
		{ "moodle/user:delete", "Delete users" },
		{ "moodle/user:viewdetails", "View user profiles" },
		{ "moodle/user:viewalldetails", "View user full information" },
		{ "moodle/role:assign", "Assign roles to users" },
		{ "moodle/role:review", "Review permissions for others" },
		{ "moodle/site:accessallgroups", "Access all groups" },
		{ "moodle/restore:restorecourse", "Restore courses" },
		{ "moodle/backup:backupcourse", "Backup courses" },
		{ "moodle/backup:userinfo", "Backup user data" },
		{ "moodle/restore:userinfo", "Restore user data" },
		{ "enrol/manual:enrol", "Enrol users" },
		{ "enrol/manual:unenrol", "Unenrol users from the course" },
		{ "webservice/rest:use", "Use REST protocol" },
	};
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (!strcmp(names[i].cap, cap))
			return names[i].name;
	return cap;
}

bool acc_ue_active(state *st, const muenrol *ue)
{
	/* now is rounded down to 100 s, as enrol SQL does */
	long long now = st_now(st) / 100 * 100;
	return ue->status == ENROL_ACTIVE && ue->inst->status == ENROL_INSTANCE_ENABLED && ue->timestart < now &&
	       (ue->timeend == 0 || ue->timeend > now);
}

bool acc_is_enrolled(state *st, mcourse *course, mid userid, bool onlyactive)
{
	for (size_t i = 0; i < course->enrols.n; i++) {
		muenrol *ue = st_ue(course->enrols.v[i], userid);
		if (ue && (!onlyactive || acc_ue_active(st, ue)))
			return true;
	}
	return false;
}

int acc_require_login(wsctx *c, mcourse *course)
{
	if (c->admin || course->id == 1)
		return 0;
	if (!course->visible && !acc_has(c, "moodle/course:viewhiddencourses"))
		return ws_require_login(c, "Course is hidden");
	if (!acc_has(c, "moodle/course:view") && !acc_is_enrolled(c->st, course, c->user->id, true))
		return ws_require_login(c, "Not enrolled");
	return 0;
}

bool acc_can_assign(const wsctx *c, mid roleid, int level)
{
	mrole *r = st_role(c->st, roleid);
	if (!r)
		return false;
	bool levelok = false;
	for (int i = 0; i < r->nlevels; i++)
		if (r->levels[i] == level)
			levelok = true;
	if (!levelok)
		return false;
	if (c->admin)
		return true;
	if (!acc_has(c, "moodle/role:assign"))
		return false;
	for (size_t i = 0; i < c->acct->allow_assign.n; i++)
		if ((mid)(intptr_t)c->acct->allow_assign.v[i] == roleid)
			return true;
	return false;
}

bool acc_has_coursecontact_role(state *st, mid userid)
{
	muser *u = st_user(st, userid);
	if (!u)
		return false;
	for (size_t i = 0; i < u->ras.n; i++) {
		mra *ra = u->ras.v[i];
		for (size_t j = 0; j < st->set.coursecontact.n; j++)
			if ((mid)(intptr_t)st->set.coursecontact.v[j] == ra->roleid)
				return true;
	}
	return false;
}

bool acc_sharing_course(state *st, mid a, mid b)
{
	muser *ua = st_user(st, a), *ub = st_user(st, b);
	if (!ua || !ub)
		return false;
	for (size_t i = 0; i < ua->ues.n; i++) {
		muenrol *ue = ua->ues.v[i];
		if (!acc_ue_active(st, ue))
			continue;
		if (acc_is_enrolled(st, ue->inst->course, b, true))
			return true;
	}
	return false;
}

static int contact_rank(state *st, mid roleid)
{
	for (size_t j = 0; j < st->set.coursecontact.n; j++)
		if ((mid)(intptr_t)st->set.coursecontact.v[j] == roleid) {
			mrole *r = st_role(st, roleid);
			return r ? r->sortorder : 1000;
		}
	return -1;
}

typedef struct contact_item {
	muser *u;
	int rank;
} contact_item;

static int cmp_contact(const void *a, const void *b)
{
	const contact_item *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	int c = strcmp(st_s(x->u->lastname), st_s(y->u->lastname));
	if (c)
		return c;
	c = strcmp(st_s(x->u->firstname), st_s(y->u->firstname));
	if (c)
		return c;
	return x->u->id < y->u->id ? -1 : x->u->id > y->u->id;
}

void acc_course_contacts(state *st, mcourse *course, bool onlyenrolled, vec *out)
{
	vec *ras = u64map_get(&st->ra_by_ctx, (uint64_t)course->contextid);
	if (!ras)
		return;
	contact_item *items = xcalloc(ras->n + 1, sizeof *items);
	size_t n = 0;
	for (size_t i = 0; i < ras->n; i++) {
		mra *ra = ras->v[i];
		int rank = contact_rank(st, ra->roleid);
		if (rank < 0)
			continue;
		muser *u = st_user(st, ra->userid);
		if (!u || u->deleted)
			continue;
		if (onlyenrolled && !acc_is_enrolled(st, course, u->id, true))
			continue;
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			if (items[k].u == u) {
				if (rank < items[k].rank)
					items[k].rank = rank;
				dup = true;
			}
		if (!dup) {
			items[n].u = u;
			items[n].rank = rank;
			n++;
		}
	}
	if (n > 1)
		qsort(items, n, sizeof *items, cmp_contact);
	for (size_t i = 0; i < n; i++)
		vec_push(out, items[i].u);
	free(items);
}

/* plan_enrol.c -- memberships -> enrolments. First what the file wants of
 * each user in each course (roles made active or withdrawn, dates, course
 * group), then the difference with what is there: Moodle's roster when it
 * was read, and the store for what ims2moodle made (Moodle cannot report
 * dates or which method made an enrolment). By default only enrolments
 * ims2moodle made are ever withdrawn or changed. */
#include "config.h"
#include "plan_internal.h"
#include "isodate.h"

#include <string.h>

/* ---- what the file wants ------------------------------------------------------ */

static want *want_of(planner *pl, cref *c, uref *u, uint32_t line)
{
	const void *key = PTRMAP_PAIR_KEY(c->index, u->index);
	want *w = ptrmap_get(&pl->wants, key);
	if (w)
		return w;
	w = arena_alloc(&pl->work, sizeof *w);
	w->c = c;
	w->u = u;
	w->line = line;
	ptrmap_put(&pl->wants, key, w);
	if ((pl->nwants & (pl->nwants - 1)) == 0)
		pl->wantv = xrealloc(pl->wantv, (pl->nwants ? pl->nwants * 2 : 1) * sizeof *pl->wantv);
	pl->wantv[pl->nwants++] = w;
	return w;
}

static int64_t date_of(planner *pl, const char *s, bool end)
{
	isodate d;
	int64_t t;
	if (!s || !*s || !isodate_parse(s, strlen(s), &d) ||
	    isodate_to_unix(&d, pl->cfg->timezone, end, &t) < 0)
		return 0;
	return t;
}

/* The enrolment dates of a role: only dates marked restrict="1" by default
 * (Moodle's rule, §8 #59); an end date includes its whole day; a begin
 * after the end drops both (§8 #58). */
static void role_dates(planner *pl, const ims_role *r, int64_t *start, int64_t *end)
{
	const ims_timeframe *tf = r->x ? r->x->timeframe : NULL;
	*start = *end = 0;
	if (!tf || pl->cfg->dates == DATES_NEVER)
		return;
	bool all = pl->cfg->dates == DATES_ALWAYS;
	if (all || str_eq(tf->begin_restrict, "1"))
		*start = date_of(pl, tf->begin, false);
	if (all || str_eq(tf->end_restrict, "1"))
		*end = date_of(pl, tf->end, true);
	if (*start && *end && *start > *end)
		*start = *end = 0;
}

static const char *role_label(int roletype)
{
	return ims_roletype_name(roletype);
}

static void want_role(planner *pl, cref *c, uref *u, const ims_member *mb, const ims_role *r)
{
	const char *shortname = r->roletype > 0 && r->roletype < ROLE_COUNT ? pl->cfg->role_map[r->roletype] : NULL;
	if (!shortname) {
		pl_quarantine(pl, r->line, "role", mb->id, c->group_id,
			      pl_str(pl, "roletype %s (%s) is not mapped to a Moodle role (roles.map.%s)",
				     ims_roletype_code(r->roletype), role_label(r->roletype),
				     ims_roletype_code(r->roletype)), NULL);
		return;
	}
	int64_t roleid = site_role_id(pl->site, shortname);
	int bit = roleid ? pl_role_bit(pl, shortname, roleid) : -1;
	if (bit < 0) {
		pl_quarantine(pl, r->line, "role", mb->id, c->group_id,
			      pl_str(pl, "the id of Moodle role '%s' is not known (roles.ids)", shortname), NULL);
		return;
	}
	want *w = want_of(pl, c, u, r->line);
	uint32_t m = 1u << bit;
	w->line = r->line;
	if (r->status == ST_ACTIVE && r->recstatus != RS_DELETE) {
		w->active |= m;
		w->withdrawn &= ~m;
		role_dates(pl, r, &w->timestart, &w->timeend);
		if (r->x && r->x->cohort && *r->x->cohort && pl->cfg->course_groups)
			w->cohort = r->x->cohort;
	} else {
		w->withdrawn |= m;
		w->active &= ~m;
	}
}

/* A member without idtype (the DTD requires one) is taken for a person
 * only when its id names no group: not one of the file's, and not a Moodle
 * course's idnumber among the courses read (all of them in reconcile).
 * Otherwise it is quarantined: guessing wrong would enrol a course as a user
 * (§8 #40, #41; Moodle's own plugin makes that mistake, §4.5). Returns false
 * when the member is not a person. */
static bool member_is_person(planner *pl, const ims_membership *ms, const ims_member *mb)
{
	if (mb->idtype == IDT_PERSON)
		return true;
	if (mb->idtype == IDT_GROUP) {
		pl_skip(pl, mb->line, "member", ms->id, mb->id,
			"the member is a group (a cross-list or meta course): not supported; link the "
			"courses in Moodle");
		return false;
	}
	const char *id = mb->id;
	const char *canon = ims_canonical(pl->m, id);
	bool group = ims_find_group(pl->m, canon) != NULL;
	bool person = ims_find_person(pl->m, canon) != NULL;
	const char *why = NULL;
	if (group && person)
		why = "no idtype, and the id names both a person and a group of the file";
	else if (group)
		why = "no idtype, and the id names a group of the file, not a person: the file needs "
		      "<idtype>1</idtype> or <idtype>2</idtype>";
	else if (site_courses_by_idnumber(pl->site, canon ? canon : id))
		why = "no idtype, and the id is a Moodle course's idnumber: it may name a group, not a "
		      "person; the file needs <idtype>1</idtype> or <idtype>2</idtype>";
	if (why) {
		pl_quarantine(pl, mb->line, "member", id, ms->id, why, NULL);
		return false;
	}
	return true;
}

static void want_membership(planner *pl, const ims_membership *ms)
{
	if (ms->quarantine)
		return;
	cref *c = plan_course_of_container(pl, ms->id, ms->loc.line);
	if (c->state == CS_SKIP) {
		pl_skip(pl, ms->loc.line, "membership", ms->id, NULL,
			pl_str(pl, "%s: no enrolments", c->why));
		return;
	}
	if (c->state == CS_QUARANTINED) {
		pl_quarantine(pl, ms->loc.line, "membership", ms->id, NULL,
			      c->group ? pl_str(pl, "its group is quarantined: %s", c->why) : c->why, NULL);
		return;
	}
	for (const ims_member *mb = ms->members; mb; mb = mb->next) {
		if (mb->quarantine || !member_is_person(pl, ms, mb))
			continue;
		uref *u = plan_user_of_member(pl, mb->id, mb->line);
		if (u->state == US_QUARANTINED) {
			pl_quarantine(pl, mb->line, "member", mb->id, ms->id,
				      u->person ? pl_str(pl, "the person is quarantined: %s", u->why) : u->why,
				      NULL);
			continue;
		}
		if (u->state == US_SKIP) {
			pl_skip(pl, mb->line, "member", ms->id, mb->id, u->why);
			continue;
		}
		for (const ims_role *r = mb->roles; r; r = r->next)
			if (!r->quarantine)
				want_role(pl, c, u, mb, r);
	}
}

/* ---- the difference ---------------------------------------------------------- */

static plan_action *enrol_action(planner *pl, enum plan_kind kind, const want *w, int bit,
				 const char *reason)
{
	plan_action *a = pl_action(pl, kind, w->line, reason);
	a->group_id = w->c->group_id;
	a->person_id = w->u->person_id;
	a->courseid = w->c->courseid;
	a->course_ref = w->c->state == CS_CREATE ? w->c->ref : NULL;
	a->userid = w->u->userid;
	a->user_ref = w->u->state == US_CREATE ? w->u->username : NULL;
	if (bit >= 0) {
		a->roleid = pl->role_ids[bit];
		a->role = pl->role_names[bit];
	}
	a->timestart = w->timestart;
	a->timeend = w->timeend;
	return a;
}

static int first_bit(uint32_t mask)
{
	for (int i = 0; i < MAX_ROLES; i++)
		if (mask & (1u << i))
			return i;
	return -1;
}

static bool has_role(const int64_t *ids, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static void fresh_enrolment(planner *pl, const want *w, const char *reason)
{
	int first = first_bit(w->active);
	enrol_action(pl, PA_ENROL, w, first, reason);
	for (int b = first + 1; b < pl->nroles; b++)
		if (w->active & (1u << b))
			enrol_action(pl, PA_ADD_ROLE, w, b, "the file gives the person this role too");
}

static bool window_now(const planner *pl, const want *w)
{
	return w->timestart <= pl->now && (w->timeend == 0 || w->timeend > pl->now);
}

/* Role removal for the roles ims2moodle gave that the file withdraws (and,
 * in snapshot mode, no longer lists). */
static void remove_roles(planner *pl, const want *w, const state_enrolment *se, bool snapshot)
{
	for (int i = 0; se && i < se->nroles; i++) {
		int64_t id = se->roleids[i];
		int bit = -1;
		for (int b = 0; b < pl->nroles; b++)
			if (pl->role_ids[b] == id)
				bit = b;
		bool withdrawn = bit >= 0 && (w->withdrawn & (1u << bit));
		bool absent = snapshot && (bit < 0 || !(w->active & (1u << bit)));
		if (!withdrawn && !absent)
			continue;
		plan_action *a = enrol_action(pl, PA_REMOVE_ROLE, w, -1,
					      withdrawn ? "the file withdraws this role; the person keeps "
							  "the others"
							: "the role is absent from the snapshot");
		a->roleid = id;
		a->role = bit >= 0 ? pl->role_names[bit] : site_role_name(pl->site, id);
	}
}

static void diff_active(planner *pl, const want *w, const state_enrolment *se,
			const site_enrolment *re, bool roster_read)
{
	bool snapshot = pl->cfg->mode == MODE_SNAPSHOT && w->c->in_scope;
	int first = first_bit(w->active);

	if (!se && !re) {
		fresh_enrolment(pl, w, roster_read ? "not enrolled in the course"
						   : "not enrolled as far as the store knows (diff mode)");
		return;
	}
	if (!se && !pl->cfg->manage_all) {
		/* Someone else's enrolment: add missing roles, change nothing else. */
		bool changed = false;
		for (int b = 0; b < pl->nroles; b++)
			if ((w->active & (1u << b)) && !has_role(re->roleids, re->nroles, pl->role_ids[b])) {
				enrol_action(pl, PA_ADD_ROLE, w, b,
					     "enrolled by another method or by hand: the role is added, "
					     "the enrolment is left as it is");
				changed = true;
			}
		if (!re->active)
			pl_skip(pl, w->line, "enrolment", w->c->group_id, w->u->person_id,
				"enrolled but not active, by another method or by hand: ims2moodle changes "
				"only enrolments it made (enrolments.manage = all)");
		else if (!changed)
			pl->p->unchanged++;
		return;
	}
	if (roster_read && !re) {
		pl->p->drift++;
		fresh_enrolment(pl, w, "ims2moodle enrolled this person, but the enrolment is no "
				       "longer in Moodle (removed since)");
		return;
	}
	bool changed = false;
	bool suspended = se ? se->suspended : !re->active;
	if (suspended) {
		enrol_action(pl, PA_REACTIVATE, w, first, "the file makes the enrolment active again");
		changed = true;
	} else if (re && !re->active && window_now(pl, w)) {
		if (se)
			pl->p->drift++;
		enrol_action(pl, PA_REACTIVATE, w, first,
			     "Moodle shows the enrolment inactive, though it should be active now");
		changed = true;
	} else if (se && (se->timestart != w->timestart || se->timeend != w->timeend)) {
		enrol_action(pl, PA_UPDATE_ENROLMENT, w, first, "the enrolment dates changed");
		changed = true;
	} else if (se && !se->confirmed) {
		/* the last write's answer was lost: send the state again */
		enrol_action(pl, PA_UPDATE_ENROLMENT, w, first,
			     "the last change of this enrolment was not confirmed by Moodle");
		changed = true;
	}
	for (int b = 0; b < pl->nroles; b++) {
		if (!(w->active & (1u << b)))
			continue;
		int64_t id = pl->role_ids[b];
		bool in_store = se && has_role(se->roleids, se->nroles, id);
		bool in_moodle = re && has_role(re->roleids, re->nroles, id);
		/* what Moodle has, when known (the roster, or someone else's
		 * enrolment as the store remembers it), else what the store holds */
		bool moodle_known = roster_read || re;
		if ((moodle_known && !in_moodle) || (!moodle_known && !in_store)) {
			if (in_store)
				pl->p->drift++;
			enrol_action(pl, PA_ADD_ROLE, w, b,
				     in_store ? "ims2moodle gave this role, but Moodle no longer has it"
					      : "the file gives the person this role");
			changed = true;
		}
	}
	size_t before = pl->p->nactions;
	remove_roles(pl, w, se, snapshot);
	if (!changed && pl->p->nactions == before)
		pl->p->unchanged++;
}

static void withdraw(planner *pl, const want *w, const state_enrolment *se, const site_enrolment *re,
		     bool roster_read, const char *reason)
{
	int bit = -1;
	if (pl->cfg->withdraw == WITHDRAW_IGNORE) {
		pl_skip(pl, w->line, "enrolment", w->c->group_id, w->u->person_id,
			"withdrawal ignored (enrolments.withdraw = ignore)");
		return;
	}
	if (pl->cfg->withdraw == WITHDRAW_UNENROL) {
		plan_action *a = enrol_action(pl, PA_UNENROL, w, -1, reason);
		a->timestart = a->timeend = 0;
		return;
	}
	bool suspended = se ? se->suspended : !re->active;
	if (suspended && se && roster_read && re && re->active) {
		/* the store remembers a suspension Moodle no longer shows */
		pl->p->drift++;
		suspended = false;
		reason = "ims2moodle suspended this enrolment, but Moodle shows it active (changed "
			 "since): the file still withdraws it";
	}
	if (suspended && (!se || se->confirmed)) {
		pl->p->unchanged++;
		return;
	}
	plan_action *a = enrol_action(pl, PA_SUSPEND, w, bit,
				      suspended ? "the last change of this enrolment was not confirmed by Moodle"
						: reason);
	a->suspend = true;
	/* Moodle overwrites what is not sent: keep the dates and a role */
	a->timestart = se ? se->timestart : 0;
	a->timeend = se ? se->timeend : 0;
	int64_t roleid = se && se->nroles ? se->roleids[0] : re && re->nroles ? re->roleids[0] : 0;
	a->roleid = roleid;
	a->role = roleid ? site_role_name(pl->site, roleid) : NULL;
}

/* Someone else's enrolment that the file withdraws: only the roles
 * ims2moodle gave it are taken back (those Moodle still shows, when the
 * roster was read); the enrolment itself is left as it is. Returns whether
 * there were such roles. */
static bool withdraw_foreign_roles(planner *pl, const want *w, const site_enrolment *re,
				   bool roster_read)
{
	const state_foreign *fr = pl->store ? state_foreign_of(pl->store, w->c->courseid, w->u->userid)
					    : NULL;
	bool any = false;
	for (int i = 0; fr && i < fr->ngiven; i++)
		for (int b = 0; b < pl->nroles; b++) {
			if (pl->role_ids[b] != fr->given[i] || !(w->withdrawn & (1u << b)))
				continue;
			any = true;
			if (roster_read && !(re && has_role(re->roleids, re->nroles, fr->given[i]))) {
				pl->p->unchanged++; /* gone already */
				continue;
			}
			plan_action *a = enrol_action(pl, PA_REMOVE_ROLE, w, b,
						      "ims2moodle gave this role to an enrolment made by hand or "
						      "by another method; the file withdraws it: the role is taken "
						      "back, the enrolment is left as it is");
			a->timestart = a->timeend = 0;
		}
	return any;
}

static void diff_withdrawn(planner *pl, const want *w, const state_enrolment *se,
			   const site_enrolment *re, bool roster_read)
{
	if (!se && !pl->cfg->manage_all && withdraw_foreign_roles(pl, w, re, roster_read))
		return;
	if (!se && !(pl->cfg->manage_all && re)) {
		pl_skip(pl, w->line, "enrolment", w->c->group_id, w->u->person_id,
			re ? "enrolled by another method or by hand: ims2moodle withdraws only "
			     "enrolments it made"
			   : "not enrolled: nothing to withdraw");
		return;
	}
	if (roster_read && !re) {
		pl_skip(pl, w->line, "enrolment", w->c->group_id, w->u->person_id,
			"already removed from the course in Moodle");
		return;
	}
	/* Event mode: roles the file does not mention stay; if some remain,
	 * only the withdrawn roles go. */
	if (se && pl->cfg->mode == MODE_EVENT) {
		bool remaining = false;
		for (int i = 0; i < se->nroles; i++) {
			bool withdrawn = false;
			for (int b = 0; b < pl->nroles; b++)
				if (pl->role_ids[b] == se->roleids[i] && (w->withdrawn & (1u << b)))
					withdrawn = true;
			remaining |= !withdrawn;
		}
		if (remaining) {
			remove_roles(pl, w, se, false);
			return;
		}
	}
	withdraw(pl, w, se, re, roster_read, "the file withdraws the enrolment (status 0 or recstatus 3)");
}

static void course_group(planner *pl, const want *w, const state_enrolment *se,
			 const site_enrolment *re)
{
	const cref *c = w->c;
	const site_group_list *groups = c->state == CS_EXISTS ? site_groups_of(pl->site, c->courseid) : NULL;
	const site_group *g = NULL;

	if (c->state == CS_EXISTS && !groups) {
		pl_skip(pl, w->line, "course group", c->group_id, w->u->person_id,
			"the course's groups could not be read");
		return;
	}
	if (has_markup(w->cohort) || utf8_chars(w->cohort) > 254) {
		/* Moodle would refuse the group, and the batch with it, every night */
		pl_skip(pl, w->line, "course group", c->group_id, w->u->person_id,
			pl_str(pl, "the course group name '%s' %s: the person is enrolled without the "
			       "group", w->cohort, has_markup(w->cohort)
			       ? "contains markup (<...>), which Moodle refuses"
			       : "is longer than Moodle's 254 characters"));
		return;
	}
	for (size_t i = 0; groups && i < groups->n; i++)
		if (str_eq(groups->items[i].name, w->cohort))
			g = &groups->items[i];
	if (g && re && has_role(re->groupids, re->ngroups, g->id))
		return;
	/* without a roster (diff mode), an enrolment ims2moodle made and
	 * Moodle confirmed had its group added with it */
	if (g && !re && se && se->confirmed)
		return;
	if (!g) {
		const char *key = pl_str(pl, "group:%u:%s", c->index, w->cohort);
		if (!ptrmap_get(&pl->planned, key)) {
			ptrmap_put(&pl->planned, key, (void *)key);
			plan_action *a = enrol_action(pl, PA_CREATE_GROUP, w, -1,
						      "a role names this course group (extension/cohort)");
			a->person_id = NULL;
			a->user_ref = NULL;
			a->userid = 0;
			a->timestart = a->timeend = 0;
			pl_object(pl, a)->name = w->cohort;
		}
	}
	plan_action *a = enrol_action(pl, PA_ADD_TO_GROUP, w, -1, "the role names this course group");
	a->timestart = a->timeend = 0;
	plan_object *o = pl_object(pl, a);
	o->name = w->cohort;
	o->groupid = g ? g->id : 0;
}

/* Diff mode, the course not read: someone else's enrolment as the last
 * reconcile saw it, with the roles ims2moodle has given it since, so that
 * it is left alone as a reconcile would; NULL when the store knows none. */
static const site_enrolment *foreign_from_store(planner *pl, int64_t courseid, int64_t userid)
{
	const state_foreign *f = pl->store ? state_foreign_of(pl->store, courseid, userid) : NULL;
	if (!f || !f->seen)
		return NULL;
	site_enrolment *re = arena_alloc(&pl->work, sizeof *re);
	re->userid = userid;
	re->active = f->active;
	re->roleids = arena_alloc(&pl->work, (size_t)(f->nroles + f->ngiven + 1) * sizeof *re->roleids);
	for (int i = 0; i < f->nroles; i++)
		re->roleids[re->nroles++] = f->roleids[i];
	for (int i = 0; i < f->ngiven; i++)
		if (!has_role(re->roleids, re->nroles, f->given[i]))
			re->roleids[re->nroles++] = f->given[i];
	return re;
}

static void diff_want(planner *pl, const want *w, ptrmap *seen)
{
	const cref *c = w->c;
	const uref *u = w->u;
	bool fresh = c->state == CS_CREATE || u->state == US_CREATE;
	const state_enrolment *se = NULL;
	const site_enrolment *re = NULL;
	const site_roster *roster = NULL;

	if (c->state != CS_EXISTS && c->state != CS_CREATE)
		return;
	if (!fresh) {
		se = pl->store ? state_enrolment_of(pl->store, c->courseid, u->userid) : NULL;
		roster = site_roster_of(pl->site, c->courseid);
		re = site_roster_find(roster, u->userid);
		if (!roster && !se)
			re = foreign_from_store(pl, c->courseid, u->userid);
		const void *key = PTRMAP_PAIR_KEY(c->courseid, u->userid);
		ptrmap_put(seen, key, (void *)1);
	}
	if (w->active) {
		if (fresh)
			fresh_enrolment(pl, w, c->state == CS_CREATE ? "the course is created by this plan"
								      : "the user is created by this plan");
		else
			diff_active(pl, w, se, re, roster != NULL);
		if (w->cohort)
			course_group(pl, w, se, re);
	} else if (w->withdrawn) {
		if (fresh)
			pl_skip(pl, w->line, "enrolment", c->group_id, u->person_id,
				"withdrawal for a course or user that does not exist yet: nothing to withdraw");
		else
			diff_withdrawn(pl, w, se, re, roster != NULL);
	}
}

/* ---- snapshot mode: what the file no longer lists ------------------------------ */

typedef struct absent_ctx {
	planner *pl;
	const cref *c;
	ptrmap *seen;
} absent_ctx;

static void withdraw_absent(void *ctx, const state_enrolment *se)
{
	absent_ctx *x = ctx;
	planner *pl = x->pl;
	const void *key = PTRMAP_PAIR_KEY(se->courseid, se->userid);
	if (ptrmap_get(x->seen, key))
		return;
	const site_roster *roster = site_roster_of(pl->site, se->courseid);
	const site_enrolment *re = site_roster_find(roster, se->userid);
	if (roster && !re)
		return; /* already gone from Moodle */
	if (se->suspended && !(roster && re->active))
		return; /* suspended already (and Moodle, when read, agrees) */
	want w = { 0 };
	w.c = (cref *)x->c;
	uref u = { 0 };
	u.person_id = se->person_id;
	u.userid = se->userid;
	u.state = US_EXISTS;
	w.u = &u;
	withdraw(pl, &w, se, re, roster != NULL, "absent from the snapshot (snapshot mode)");
}

static void withdraw_absent_in_scope(planner *pl, ptrmap *seen)
{
	for (size_t i = 0; i < pl->ncrefs; i++) {
		const cref *c = pl->crefs[i];
		if (!c->in_scope || c->state != CS_EXISTS)
			continue;
		absent_ctx x = { pl, c, seen };
		if (pl->store)
			state_each_enrolment(pl->store, c->courseid, withdraw_absent, &x);
	}
}

void plan_enrolments(planner *pl)
{
	ptrmap seen;
	for (const ims_membership *ms = pl->m->memberships; ms; ms = ms->next)
		want_membership(pl, ms);
	ptrmap_init(&seen);
	for (size_t i = 0; i < pl->nwants; i++)
		diff_want(pl, pl->wantv[i], &seen);
	if (pl->cfg->mode == MODE_SNAPSHOT)
		withdraw_absent_in_scope(pl, &seen);
	ptrmap_free(&seen);
}

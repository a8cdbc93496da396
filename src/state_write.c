/* state_write.c -- confirmed results written into the state store by
 * apply (see state.h): courses, users and enrolments ims2moodle created,
 * matched or changed, and the removal of enrolments. */
#include "config.h"
#include "state_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *state_roles_encode(const int64_t *ids, int n)
{
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < n; i++)
		sb_addf(&sb, "%s%" PRId64, i ? "," : "", ids[i]);
	return sb_detach(&sb);
}

int state_roles_decode(const char *text, int64_t *ids, int cap)
{
	int n = 0;
	if (!text)
		return -1;
	for (const char *p = text; *p;) {
		char *end;
		if (!(*p == '-' || (*p >= '0' && *p <= '9')))
			return -1;
		errno = 0;
		long long v = strtoll(p, &end, 10);
		if (end == p || errno || (*end && *end != ',') || (*end == ',' && !end[1]))
			return -1;
		if (n < cap)
			ids[n] = v;
		n++;
		p = *end ? end + 1 : end;
	}
	return n;
}

/* Moodle's ids start at 1; 0 or less is a caller's mistake. */
static int bad_id(state_db *s, errinfo *e, const char *what, int64_t id)
{
	return err_set(e, -EXIT_SOFTWARE, "state store %s: %s id %lld is not a Moodle id", s->path,
		       what, (long long)id);
}

int state_put_course(state_db *s, const state_course *c, errinfo *e)
{
	if (c->courseid <= 0)
		return bad_id(s, e, "course", c->courseid);
	sqlite3_stmt *st = state_stmt(s, SS_PUT_COURSE);
	if (st) {
		sqlite3_bind_int64(st, 1, c->courseid);
		state_bind_text(st, 2, c->group_id);
		state_bind_text(st, 3, c->idnumber);
		state_bind_text(st, 4, c->shortname);
		sqlite3_bind_int(st, 5, c->created);
		sqlite3_bind_int(st, 6, c->hidden_by_us);
		sqlite3_bind_int(st, 7, c->visible);
	}
	return state_step_done(s, st, e, "cannot record a course");
}

int state_put_user(state_db *s, const state_user *u, errinfo *e)
{
	if (u->userid <= 0)
		return bad_id(s, e, "user", u->userid);
	sqlite3_stmt *st = state_stmt(s, SS_PUT_USER);
	if (st) {
		sqlite3_bind_int64(st, 1, u->userid);
		state_bind_text(st, 2, u->person_id);
		state_bind_text(st, 3, u->username);
		state_bind_text(st, 4, u->idnumber);
		state_bind_text(st, 5, u->email);
		sqlite3_bind_int(st, 6, u->created);
		sqlite3_bind_int(st, 7, u->suspended_by_us);
	}
	return state_step_done(s, st, e, "cannot record a user");
}

int state_put_enrolment(state_db *s, const state_enrolment *en, errinfo *e)
{
	if (en->courseid <= 0)
		return bad_id(s, e, "course", en->courseid);
	if (en->userid <= 0)
		return bad_id(s, e, "user", en->userid);
	if (en->nroles < 0 || (en->nroles > 0 && !en->roleids))
		return err_set(e, -EXIT_SOFTWARE, "state store %s: an enrolment with %d roles and %s",
			       s->path, en->nroles, en->roleids ? "role ids" : "no role ids");
	char *roles = state_roles_encode(en->roleids, en->nroles);
	sqlite3_stmt *st = state_stmt(s, SS_PUT_ENROLMENT);
	if (st) {
		sqlite3_bind_int64(st, 1, en->courseid);
		sqlite3_bind_int64(st, 2, en->userid);
		state_bind_text(st, 3, en->group_id);
		state_bind_text(st, 4, en->person_id);
		state_bind_text(st, 5, roles);
		sqlite3_bind_int64(st, 6, en->timestart);
		sqlite3_bind_int64(st, 7, en->timeend);
		sqlite3_bind_int(st, 8, en->suspended);
		sqlite3_bind_int(st, 9, en->confirmed);
		sqlite3_bind_int64(st, 10, en->last_run);
	}
	int rc = state_step_done(s, st, e, "cannot record an enrolment");
	free(roles);
	return rc;
}

int state_delete_enrolment(state_db *s, int64_t courseid, int64_t userid, errinfo *e)
{
	sqlite3_stmt *st = state_stmt(s, SS_DEL_ENROLMENT);
	if (st) {
		sqlite3_bind_int64(st, 1, courseid);
		sqlite3_bind_int64(st, 2, userid);
	}
	return state_step_done(s, st, e, "cannot remove an enrolment");
}

static int foreign_role(state_db *s, enum state_stmt which, int64_t courseid, int64_t userid,
			int64_t roleid, errinfo *e, const char *what)
{
	if (courseid <= 0)
		return bad_id(s, e, "course", courseid);
	if (userid <= 0)
		return bad_id(s, e, "user", userid);
	sqlite3_stmt *st = state_stmt(s, which);
	if (st) {
		sqlite3_bind_int64(st, 1, courseid);
		sqlite3_bind_int64(st, 2, userid);
		sqlite3_bind_int64(st, 3, roleid);
	}
	return state_step_done(s, st, e, what);
}

int state_put_foreign_role(state_db *s, int64_t courseid, int64_t userid, int64_t roleid, errinfo *e)
{
	return foreign_role(s, SS_PUT_FOREIGN_ROLE, courseid, userid, roleid, e,
			    "cannot record a role given to another's enrolment");
}

int state_delete_foreign_role(state_db *s, int64_t courseid, int64_t userid, int64_t roleid,
			      errinfo *e)
{
	return foreign_role(s, SS_DEL_FOREIGN_ROLE, courseid, userid, roleid, e,
			    "cannot remove a role given to another's enrolment");
}

int state_replace_foreign_enrolments(state_db *s, int64_t courseid, const state_foreign *list, size_t n,
				     errinfo *e)
{
	if (courseid <= 0)
		return bad_id(s, e, "course", courseid);
	sqlite3_stmt *st = state_stmt(s, SS_DEL_FOREIGN_ENROLMENTS);
	if (st)
		sqlite3_bind_int64(st, 1, courseid);
	int rc = state_step_done(s, st, e, "cannot replace the other enrolments of a course");
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (list[i].userid <= 0)
			return bad_id(s, e, "user", list[i].userid);
		char *roles = state_roles_encode(list[i].roleids, list[i].nroles);
		st = state_stmt(s, SS_PUT_FOREIGN_ENROLMENT);
		if (st) {
			sqlite3_bind_int64(st, 1, courseid);
			sqlite3_bind_int64(st, 2, list[i].userid);
			sqlite3_bind_int(st, 3, list[i].active);
			state_bind_text(st, 4, roles);
		}
		rc = state_step_done(s, st, e, "cannot record another's enrolment");
		free(roles);
	}
	return rc;
}

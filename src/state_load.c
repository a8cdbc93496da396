/* state_load.c -- reads the whole state store into a state_view for the
 * planner (see state.h), in one read transaction so that courses, users
 * and enrolments are one consistent snapshot. */
#include "config.h"
#include "state_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Prepares sql into *st; returns 0 or the error of state_db_error. */
static int prepare(state_db *s, const char *sql, sqlite3_stmt **st, errinfo *e)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return state_db_error(s, e, "cannot read");
	return 0;
}

/* Steps st to its end; returns 0 or the error of state_db_error. */
static int finish(state_db *s, sqlite3_stmt *st, int rc, errinfo *e)
{
	int code = rc == SQLITE_DONE ? 0 : state_db_error(s, e, "cannot read");
	sqlite3_finalize(st);
	return code;
}

static int load_courses(state_db *s, state_view *v, errinfo *e)
{
	sqlite3_stmt *st;
	int rc = prepare(s, "SELECT courseid, group_id, idnumber, shortname, created,"
			 " hidden_by_us, visible FROM courses ORDER BY courseid", &st, e);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		state_course c = {
			.courseid = sqlite3_column_int64(st, 0), .group_id = col_text(st, 1),
			.idnumber = col_text(st, 2), .shortname = col_text(st, 3),
			.created = sqlite3_column_int(st, 4) != 0,
			.hidden_by_us = sqlite3_column_int(st, 5) != 0,
			.visible = sqlite3_column_int(st, 6),
		};
		state_view_add_course(v, &c);
	}
	return finish(s, st, rc, e);
}

static int load_users(state_db *s, state_view *v, errinfo *e)
{
	sqlite3_stmt *st;
	int rc = prepare(s, "SELECT userid, person_id, username, idnumber, email, created,"
			 " suspended_by_us FROM users ORDER BY userid", &st, e);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		state_user u = {
			.userid = sqlite3_column_int64(st, 0), .person_id = col_text(st, 1),
			.username = col_text(st, 2), .idnumber = col_text(st, 3),
			.email = col_text(st, 4), .created = sqlite3_column_int(st, 5) != 0,
			.suspended_by_us = sqlite3_column_int(st, 6) != 0,
		};
		state_view_add_user(v, &u);
	}
	return finish(s, st, rc, e);
}

/* Decodes the roles of row st into en, using buf (of cap ids) when they fit
 * and *heap (malloc'd, the caller frees) when not. Returns false when the
 * stored text is corrupt. */
static bool row_roles(sqlite3_stmt *st, state_enrolment *en, int64_t *buf, int cap,
		      int64_t **heap)
{
	const char *text = col_text(st, 4);
	int n = state_roles_decode(text, buf, cap);
	en->roleids = buf;
	if (n > cap) {
		*heap = xrealloc(*heap, (size_t)n * sizeof **heap);
		state_roles_decode(text, *heap, n);
		en->roleids = *heap;
	}
	en->nroles = n;
	return n >= 0;
}

static int load_enrolments(state_db *s, state_view *v, errinfo *e)
{
	sqlite3_stmt *st;
	int64_t buf[16], *heap = NULL;
	int rc = prepare(s, "SELECT courseid, userid, group_id, person_id, roles,"
			 " timestart, timeend, suspended, confirmed, last_run"
			 " FROM enrolments ORDER BY courseid, userid", &st, e);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		state_enrolment en = {
			.courseid = sqlite3_column_int64(st, 0), .userid = sqlite3_column_int64(st, 1),
			.group_id = col_text(st, 2), .person_id = col_text(st, 3),
			.timestart = sqlite3_column_int64(st, 5), .timeend = sqlite3_column_int64(st, 6),
			.suspended = sqlite3_column_int(st, 7) != 0,
			.confirmed = sqlite3_column_int(st, 8) != 0,
			.last_run = sqlite3_column_int64(st, 9),
		};
		if (!row_roles(st, &en, buf, (int)ARRAY_LEN(buf), &heap)) {
			rc = err_set(e, -EXIT_IOERR,
				     "state store %s: the roles of the enrolment of user %lld in course "
				     "%lld are corrupt ('%s')", s->path, (long long)en.userid,
				     (long long)en.courseid, col_text(st, 4) ? col_text(st, 4) : "NULL");
			sqlite3_finalize(st);
			free(heap);
			return rc;
		}
		state_view_add_enrolment(v, &en);
	}
	free(heap);
	return finish(s, st, rc, e);
}

static int load_foreign_roles(state_db *s, state_view *v, errinfo *e)
{
	sqlite3_stmt *st;
	int rc = prepare(s, "SELECT courseid, userid, roleid FROM foreign_roles"
			 " ORDER BY courseid, userid, roleid", &st, e);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		state_view_add_foreign_role(v, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
					    sqlite3_column_int64(st, 2));
	return finish(s, st, rc, e);
}

static int load_foreign_enrolments(state_db *s, state_view *v, errinfo *e)
{
	sqlite3_stmt *st;
	int64_t roles[STATE_FOREIGN_ROLES_MAX];
	int rc = prepare(s, "SELECT courseid, userid, active, roles FROM foreign_enrolments"
			 " ORDER BY courseid, userid", &st, e);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = state_roles_decode(col_text(st, 3), roles, STATE_FOREIGN_ROLES_MAX);
		state_view_add_foreign_enrolment(v, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
						 sqlite3_column_int(st, 2) != 0, roles,
						 n < 0 ? 0 : n > STATE_FOREIGN_ROLES_MAX ? STATE_FOREIGN_ROLES_MAX : n);
	}
	return finish(s, st, rc, e);
}

static void load_meta(state_db *s, state_view *v)
{
	char *last = state_get_meta(s, "last_reconcile");
	v->last_reconcile = last ? strtoll(last, NULL, 10) : 0;
	free(last);
	char *dt = state_get_meta(s, "last_file_datetime");
	if (dt)
		v->last_file_datetime = strtab_intern(&v->strings, dt, strlen(dt));
	free(dt);
}

int state_load(state_db *s, state_view **out, errinfo *e)
{
	bool own_tx = sqlite3_get_autocommit(s->db) != 0;
	state_view *v = state_view_new();
	int rc = own_tx ? state_exec(s, "BEGIN", e, "cannot read") : 0;

	if (rc == 0 && (rc = load_courses(s, v, e)) == 0 && (rc = load_users(s, v, e)) == 0 &&
	    (rc = load_enrolments(s, v, e)) == 0 && (rc = load_foreign_roles(s, v, e)) == 0 &&
	    (rc = load_foreign_enrolments(s, v, e)) == 0)
		load_meta(s, v);
	if (own_tx)
		sqlite3_exec(s->db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	if (rc < 0) {
		state_view_free(v);
		v = NULL;
	}
	*out = v;
	return rc;
}

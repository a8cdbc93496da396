/* test_plan.c -- unit tests of the planner: a model parsed from a small IMS
 * file, a site snapshot and a store view built by hand, the default
 * settings; the plan rendered one line per action and compared exactly. */
#include "config.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims_parse.h"
#include "plan.h"
#include "settings.h"
#include "site.h"
#include "state.h"
#include "check_main.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

/* ---- fixtures -------------------------------------------------------------- */

static ims_model *parse(const char *xml)
{
	ims_model *m = ims_model_new();
	errinfo e;
	ims_parse_options opt;
	ims_parse_options_init(&opt);
	int rc = ims_parse_memory(m, "test.xml", xml, strlen(xml), &opt, NULL, &e);
	ck_assert_msg(rc == 0, "parse failed: %s", e.msg);
	return m;
}

static site_snapshot *site_with_roles(void)
{
	site_snapshot *s = site_new();
	s->info.url = site_intern(s, "http://moodle.test");
	s->info.token_userid = 2;
	site_set_role(s, "manager", 1);
	site_set_role(s, "editingteacher", 3);
	site_set_role(s, "teacher", 4);
	site_set_role(s, "student", 5);
	site_category *c = site_alloc(s, sizeof *c);
	*c = (site_category){ 1, 0, site_intern(s, "Category 1"), NULL, 1 };
	site_add_category(s, c);
	s->all_courses_read = true;
	return s;
}

static site_course *add_course(site_snapshot *s, int64_t id, const char *idnumber,
			       const char *shortname, int visible)
{
	site_course *c = site_alloc(s, sizeof *c);
	c->id = id;
	c->categoryid = 1;
	c->idnumber = site_intern(s, idnumber);
	c->shortname = site_intern(s, shortname);
	c->fullname = site_intern(s, shortname);
	c->visible = visible;
	return site_add_course(s, c);
}

static site_user *add_user(site_snapshot *s, int64_t id, const char *idnumber, const char *username)
{
	site_user *u = site_alloc(s, sizeof *u);
	u->id = id;
	u->idnumber = site_intern(s, idnumber);
	u->username = site_intern(s, username);
	char email[128];
	snprintf(email, sizeof email, "%s@example.edu", username);
	u->email = site_intern(s, email);
	u->firstname = site_intern(s, "First");
	u->lastname = site_intern(s, "Last");
	return site_add_user(s, u);
}

static void enrolled(site_snapshot *s, int64_t courseid, int64_t userid, int64_t roleid, bool active)
{
	site_roster *r = site_add_roster(s, courseid);
	site_roster_add(s, r, userid, &roleid, 1, active, NULL, 0);
}

static void owned(state_view *v, int64_t courseid, int64_t userid, const char *group,
		  const char *person, int64_t roleid, bool suspended, int64_t ts, int64_t te)
{
	state_enrolment e = { 0 };
	e.courseid = courseid;
	e.userid = userid;
	e.group_id = group;
	e.person_id = person;
	e.roleids = &roleid;
	e.nroles = 1;
	e.suspended = suspended;
	e.timestart = ts;
	e.timeend = te;
	e.confirmed = true;
	state_view_add_enrolment(v, &e);
}

/* One line per action: "kind group person role [suspend] [ts..te]". */
static char *render(const plan *p)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < p->nactions; i++) {
		const plan_action *a = &p->actions[i];
		sb_addf(&sb, "%s", plan_kind_name(a->kind));
		if (a->kind == PA_CREATE_CATEGORY)
			sb_addf(&sb, " %s", a->obj->category_ref);
		if (a->group_id)
			sb_addf(&sb, " %s", a->group_id);
		if (a->person_id)
			sb_addf(&sb, " %s", a->person_id);
		if (a->role)
			sb_addf(&sb, " %s", a->role);
		if (a->timestart || a->timeend)
			sb_addf(&sb, " %lld..%lld", (long long)a->timestart, (long long)a->timeend);
		sb_addc(&sb, '\n');
	}
	return sb_detach(&sb);
}

static char *render_other(const plan *p)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < p->nskips; i++)
		sb_addf(&sb, "skip %s %s: %s\n", p->skips[i].what,
			p->skips[i].person_id ? p->skips[i].person_id : p->skips[i].group_id ? p->skips[i].group_id : "",
			p->skips[i].reason);
	for (size_t i = 0; i < p->nquarantine; i++)
		sb_addf(&sb, "quarantine %s %s: %s%s%s\n", p->quarantine[i].what, p->quarantine[i].id,
			p->quarantine[i].reason, p->quarantine[i].candidates ? " | " : "",
			p->quarantine[i].candidates ? p->quarantine[i].candidates : "");
	return sb_detach(&sb);
}

static plan *build(ims_model *m, site_snapshot *s, state_view *v, const settings *cfg)
{
	plan *p = NULL;
	errinfo e;
	ck_assert_int_eq(plan_build(m, s, v, cfg, NOW, &p, &e), 0);
	return p;
}

#define PERSON(id, user) \
	"<person><sourcedid><source>SIS</source><id>" id "</id></sourcedid><userid>" user \
	"</userid><name><fn>A " id "</fn><n><given>A</given><family>" id "</family></n></name>" \
	"<email>" user "@example.edu</email></person>"
#define GROUP(id, title) \
	"<group><sourcedid><source>SIS</source><id>" id "</id></sourcedid>" \
	"<description><short>" id "</short><long>" title "</long></description></group>"
#define MEMBER(id, roletype, status) \
	"<member><sourcedid><source>SIS</source><id>" id "</id></sourcedid><idtype>1</idtype>" \
	"<role roletype=\"" roletype "\"><status>" status "</status></role></member>"
#define MEMBERSHIP(group, members) \
	"<membership><sourcedid><source>SIS</source><id>" group "</id></sourcedid>" members "</membership>"
#define FILE_OF(body) \
	"<?xml version=\"1.0\"?><enterprise><properties><datasource>SIS</datasource>" \
	"<datetime>2026-01-01</datetime></properties>" body "</enterprise>"

#define EXPECT_ACTIONS(p, text) do { \
	char *got_ = render(p); \
	ck_assert_msg(strcmp(got_, text) == 0, "actions:\n%s\nexpected:\n%s", got_, text); \
	free(got_); \
} while (0)

#define EXPECT_OTHER(p, text) do { \
	char *got_ = render_other(p); \
	ck_assert_msg(strcmp(got_, text) == 0, "skips and quarantine:\n%s\nexpected:\n%s", got_, text); \
	free(got_); \
} while (0)

/* ---- tests -------------------------------------------------------------------- */

START_TEST(test_first_run_creates_hidden_course_users_and_enrolments)
{
	ims_model *m = parse(FILE_OF(PERSON("P1", "Alice") PERSON("P2", "bob") GROUP("C1", "Chemistry")
				     MEMBERSHIP("C1", MEMBER("P1", "01", "1") MEMBER("P2", "Instructor", "1"))));
	site_snapshot *s = site_with_roles();
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, NULL, &cfg);
	EXPECT_ACTIONS(p, "create_course C1\n"
			  "create_user P1\n"
			  "create_user P2\n"
			  "enrol C1 P1 student\n"
			  "enrol C1 P2 editingteacher\n");
	EXPECT_OTHER(p, "");
	/* hidden, shortname from the id, fullname from the long description */
	ck_assert_int_eq(p->actions[0].obj->visible, 0);
	ck_assert_str_eq(p->actions[0].obj->shortname, "C1");
	ck_assert_str_eq(p->actions[0].obj->fullname, "Chemistry");
	ck_assert_int_eq(p->actions[0].obj->categoryid, 1);
	/* usernames lower-cased (§8 #64), idnumber from the sourcedid */
	ck_assert_str_eq(p->actions[1].obj->username, "alice");
	ck_assert_str_eq(p->actions[1].obj->idnumber, "P1");
	ck_assert_str_eq(p->actions[3].course_ref, "C1");
	ck_assert_str_eq(p->actions[3].user_ref, "alice");
	ck_assert_int_eq(p->actions[3].roleid, 5);
	ck_assert(!p->refused);
	plan_free(p);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_unchanged_site_plans_nothing)
{
	ims_model *m = parse(FILE_OF(PERSON("P1", "alice") GROUP("C1", "Chemistry")
				     MEMBERSHIP("C1", MEMBER("P1", "01", "1"))));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "C1", 0);
	add_user(s, 20, "P1", "alice");
	enrolled(s, 10, 20, 5, true);
	state_view *v = state_view_new();
	owned(v, 10, 20, "C1", "P1", 5, false, 0, 0);
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, v, &cfg);
	EXPECT_ACTIONS(p, "");
	EXPECT_OTHER(p, "");
	ck_assert_uint_eq(p->unchanged, 1);
	ck_assert(!plan_has_changes(p));
	plan_free(p);
	state_view_free(v);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_withdrawal_suspends_own_enrolment_keeping_dates)
{
	ims_model *m = parse(FILE_OF(MEMBERSHIP("C1", MEMBER("P1", "01", "0") MEMBER("P2", "01", "0")
						 MEMBER("P3", "01", "0"))));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "C1", 1);
	add_user(s, 20, "P1", "alice");
	add_user(s, 21, "P2", "bob");
	add_user(s, 22, "P3", "carol");
	enrolled(s, 10, 20, 5, true);
	enrolled(s, 10, 21, 5, true); /* enrolled by hand: not ours */
	state_view *v = state_view_new();
	owned(v, 10, 20, "C1", "P1", 5, false, 1000, 2000);
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, v, &cfg);
	EXPECT_ACTIONS(p, "suspend C1 P1 student 1000..2000\n");
	ck_assert(p->actions[0].suspend);
	EXPECT_OTHER(p, "skip enrolment P2: enrolled by another method or by hand: ims2moodle "
			"withdraws only enrolments it made\n"
			"skip enrolment P3: not enrolled: nothing to withdraw\n");
	plan_free(p);

	/* unenrol only by configuration */
	cfg.withdraw = WITHDRAW_UNENROL;
	p = build(m, s, v, &cfg);
	EXPECT_ACTIONS(p, "unenrol C1 P1\n");
	plan_free(p);
	state_view_free(v);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_reconcile_reports_drift_and_restores_the_file)
{
	/* P1 active in the file, ims2moodle enrolled it, someone removed it;
	 * P2 active, ims2moodle gave the student role, Moodle no longer has it;
	 * P3 withdrawn, ims2moodle suspended it, someone reactivated it;
	 * P4 active, ims2moodle enrolled it, someone suspended it;
	 * P5 active and as the store remembers: no drift */
	ims_model *m = parse(FILE_OF(MEMBERSHIP("C1", MEMBER("P1", "01", "1") MEMBER("P2", "01", "1")
						 MEMBER("P3", "01", "0") MEMBER("P4", "01", "1")
						 MEMBER("P5", "01", "1"))));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "C1", 1);
	add_user(s, 20, "P1", "alice");
	add_user(s, 21, "P2", "bob");
	add_user(s, 22, "P3", "carol");
	add_user(s, 23, "P4", "dave");
	add_user(s, 24, "P5", "erin");
	site_roster *r = site_add_roster(s, 10); /* the course was read: P1 is not in it */
	site_roster_add(s, r, 21, NULL, 0, true, NULL, 0);
	enrolled(s, 10, 22, 5, true);
	enrolled(s, 10, 23, 5, false);
	enrolled(s, 10, 24, 5, true);
	state_view *v = state_view_new();
	owned(v, 10, 20, "C1", "P1", 5, false, 0, 0);
	owned(v, 10, 21, "C1", "P2", 5, false, 0, 0);
	owned(v, 10, 22, "C1", "P3", 5, true, 0, 0);
	owned(v, 10, 23, "C1", "P4", 5, false, 0, 0);
	owned(v, 10, 24, "C1", "P5", 5, false, 0, 0);
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, v, &cfg);
	EXPECT_ACTIONS(p, "enrol C1 P1 student\n"
			  "reactivate C1 P4 student\n"
			  "add_role C1 P2 student\n"
			  "suspend C1 P3 student\n");
	ck_assert_uint_eq(p->drift, 4);
	ck_assert_uint_eq(p->unchanged, 1);
	for (size_t i = 0; i < p->nactions; i++)
		if (p->actions[i].kind == PA_SUSPEND)
			ck_assert_str_eq(p->actions[i].reason,
					 "ims2moodle suspended this enrolment, but Moodle shows it active "
					 "(changed since): the file still withdraws it");
	plan_free(p);

	/* without the course's roster (diff mode) the store is trusted: no drift */
	site_snapshot *s2 = site_with_roles();
	add_course(s2, 10, "C1", "C1", 1);
	add_user(s2, 20, "P1", "alice");
	add_user(s2, 21, "P2", "bob");
	add_user(s2, 22, "P3", "carol");
	add_user(s2, 23, "P4", "dave");
	add_user(s2, 24, "P5", "erin");
	p = build(m, s2, v, &cfg);
	EXPECT_ACTIONS(p, "");
	ck_assert_uint_eq(p->drift, 0);
	ck_assert_uint_eq(p->unchanged, 5);
	plan_free(p);
	site_free(s2);
	state_view_free(v);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_markup_moodle_refuses_is_never_sent)
{
	/* a family name with a tag: Moodle's NOTAGS cleaning refuses the whole
	 * create_users call; a course group name with one: create_groups */
	ims_model *m = parse(FILE_OF(
		"<person><sourcedid><id>P1</id></sourcedid><userid>ann</userid><name><fn>Ann B</fn>"
		"<n><given>Ann</given><family>&lt;b&gt;B&lt;/b&gt;</family></n></name>"
		"<email>ann@example.edu</email></person>" PERSON("P2", "bob")
		MEMBERSHIP("C1", "<member><sourcedid><id>P2</id></sourcedid><idtype>1</idtype>"
			   "<role roletype=\"01\"><status>1</status><extension><cohort>Lab &lt;A&gt;"
			   "</cohort></extension></role></member>")));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "C1", 1);
	site_add_group_list(s, 10);
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, NULL, &cfg);
	EXPECT_ACTIONS(p, "create_user P2\n"
			  "enrol C1 P2 student\n");
	EXPECT_OTHER(p, "skip course group P2: the course group name 'Lab <A>' contains markup (<...>), "
			"which Moodle refuses: the person is enrolled without the group\n"
			"quarantine person P1: its name or city contains markup (<...>), which Moodle "
			"refuses\n");
	plan_free(p);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_role_change_adds_new_and_removes_old)
{
	ims_model *m = parse(FILE_OF(MEMBERSHIP("C1", "<member><sourcedid><id>P1</id></sourcedid>"
						"<idtype>1</idtype><role roletype=\"01\"><status>0</status>"
						"</role><role roletype=\"08\"><status>1</status></role></member>")));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "C1", 1);
	add_user(s, 20, "P1", "alice");
	enrolled(s, 10, 20, 5, true);
	state_view *v = state_view_new();
	owned(v, 10, 20, "C1", "P1", 5, false, 0, 0);
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, v, &cfg);
	EXPECT_ACTIONS(p, "add_role C1 P1 teacher\n"
			  "remove_role C1 P1 student\n");
	EXPECT_OTHER(p, "");
	plan_free(p);
	state_view_free(v);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_unmapped_and_unknown_roles_are_quarantined)
{
	ims_model *m = parse(FILE_OF(MEMBERSHIP("C1", MEMBER("P1", "05", "1") MEMBER("P2", "Observer", "1"))));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "C1", 1);
	add_user(s, 20, "P1", "alice");
	add_user(s, 21, "P2", "bob");
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, NULL, &cfg);
	EXPECT_ACTIONS(p, "");
	EXPECT_OTHER(p, "quarantine role P1: roletype 05 (Manager) is not mapped to a Moodle role (roles.map.05)\n"
			"quarantine role P2: roletype 'Observer' is not an IMS role type (01-08)\n");
	plan_free(p);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_ambiguities_are_quarantined_with_candidates)
{
	ims_model *m = parse(FILE_OF(PERSON("P1", "alice") GROUP("C1", "Chemistry")
				     MEMBERSHIP("C1", MEMBER("P1", "01", "1"))));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "X", 1);
	add_course(s, 11, "", "C1", 1);
	add_user(s, 20, "P1", "alice");
	add_user(s, 21, "P1", "alice2");
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, NULL, &cfg);
	EXPECT_ACTIONS(p, "");
	EXPECT_OTHER(p, "quarantine group C1: ambiguous: the idnumber matches one course and the shortname "
			"another | by idnumber: course 10 'X' (idnumber 'C1'); by shortname: course 11 'C1' "
			"(idnumber '')\n"
			"quarantine membership C1: its group is quarantined: ambiguous: the idnumber matches "
			"one course and the shortname another\n"
			"quarantine person P1: ambiguous: 2 Moodle users have idnumber 'P1' | user 20 'alice' "
			"(idnumber 'P1'); user 21 'alice2' (idnumber 'P1')\n");
	plan_free(p);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_deletes_hide_courses_and_suspend_users)
{
	ims_model *m = parse(FILE_OF(
		"<person recstatus=\"3\"><sourcedid><id>P1</id></sourcedid><name><fn>x</fn></name></person>"
		"<person recstatus=\"3\"><sourcedid><id>ADMIN</id></sourcedid><name><fn>x</fn></name></person>"
		"<person recstatus=\"3\"><sourcedid><id>P9</id></sourcedid><name><fn>x</fn></name></person>"
		"<group recstatus=\"3\"><sourcedid><id>C1</id></sourcedid><description><short>C1</short></description></group>"
		"<group recstatus=\"3\"><sourcedid><id>C9</id></sourcedid><description><short>C9</short></description></group>"));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "C1", 1);
	add_user(s, 20, "P1", "alice");
	add_user(s, 2, "ADMIN", "admin");
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, NULL, &cfg);
	EXPECT_ACTIONS(p, "hide_course C1\n"
			  "suspend_user P1\n");
	EXPECT_OTHER(p, "skip person ADMIN: delete record of the guest, the site administrator or the service "
			"account: never suspended or deleted\n"
			"skip person P9: delete record (recstatus 3) of a user who is not in Moodle\n"
			"skip group C9: delete record (recstatus 3) of a course that does not exist; courses "
			"are never created from a delete record\n");
	plan_free(p);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_snapshot_withdraws_absent_and_thresholds_refuse)
{
	ims_model *m = parse(FILE_OF(GROUP("C1", "Chemistry") MEMBERSHIP("C1", MEMBER("P1", "01", "1"))));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "C1", 1);
	state_view *v = state_view_new();
	static const char *people[] = { "P1", "P2", "P3", "P4" };
	for (int i = 0; i < 4; i++) {
		add_user(s, 20 + i, people[i], people[i]);
		enrolled(s, 10, 20 + i, 5, true);
		owned(v, 10, 20 + i, "C1", people[i], 5, false, 0, 0);
	}
	settings cfg;
	settings_defaults(&cfg);
	cfg.mode = MODE_SNAPSHOT;
	/* by default a site-wide percentage needs 10 withdrawals to refuse a plan */
	plan *p = build(m, s, v, &cfg);
	ck_assert_uint_eq(p->nactions, 3);
	ck_assert(!p->refused);
	plan_free(p);
	cfg.global_min = 1;
	p = build(m, s, v, &cfg);
	EXPECT_ACTIONS(p, "suspend C1 P2 student\n"
			  "suspend C1 P3 student\n"
			  "suspend C1 P4 student\n");
	ck_assert_str_eq(p->actions[0].reason, "absent from the snapshot (snapshot mode)");
	/* 3 of 4 managed enrolments (75 %) is over the global 10 % */
	ck_assert(p->refused);
	bool found = false;
	for (size_t i = 0; i < p->nsafety; i++)
		if (p->safety[i].cls == SAFE_SUSPEND && strcmp(p->safety[i].scope, "site") == 0) {
			ck_assert_int_eq(p->safety[i].count, 3);
			ck_assert_int_eq(p->safety[i].base, 4);
			ck_assert(p->safety[i].exceeded);
			found = true;
		}
	ck_assert(found);
	plan_free(p);

	/* event mode plans nothing for the absent ones */
	cfg.mode = MODE_EVENT;
	p = build(m, s, v, &cfg);
	EXPECT_ACTIONS(p, "");
	ck_assert(!p->refused);
	plan_free(p);
	state_view_free(v);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_members_outside_the_file)
{
	/* §8 #81: a membership-only file; §8 #34: a person nowhere */
	ims_model *m = parse(FILE_OF(MEMBERSHIP("C1", MEMBER("P1", "01", "1") MEMBER("P404", "01", "1"))
				     MEMBERSHIP("C404", MEMBER("P1", "01", "1"))));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "C1", 1);
	add_user(s, 20, "P1", "alice");
	site_add_roster(s, 10);
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, NULL, &cfg);
	EXPECT_ACTIONS(p, "enrol C1 P1 student\n");
	EXPECT_OTHER(p, "quarantine member P404: the person is neither in the file nor a Moodle user (no user "
			"has it as idnumber)\n"
			"quarantine membership C404: the group is neither in the file nor a Moodle course (no "
			"course has it as idnumber)\n");
	plan_free(p);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_groups_that_are_not_courses_and_group_members)
{
	ims_model *m = parse(FILE_OF(
		"<group><sourcedid><id>T1</id></sourcedid><grouptype><typevalue level=\"1\">Term</typevalue>"
		"</grouptype><description><short>T1</short></description></group>"
		MEMBERSHIP("T1", MEMBER("P1", "01", "1"))
		MEMBERSHIP("C1", "<member><sourcedid><id>S1</id></sourcedid><idtype>2</idtype>"
			   "<role><status>1</status></role></member>")));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "C1", 1);
	add_user(s, 20, "P1", "alice");
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, NULL, &cfg);
	EXPECT_ACTIONS(p, "");
	EXPECT_OTHER(p, "skip member S1: the member is a group (a cross-list or meta course): not supported; "
			"link the courses in Moodle\n"
			"skip membership T1: group of type 'Term', not a course: no enrolments\n");
	plan_free(p);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_usernames_that_collide_when_lowercased)
{
	ims_model *m = parse(FILE_OF(PERSON("P1", "JDoe") PERSON("P2", "jdoe") PERSON("P3", "jdoe3")));
	site_snapshot *s = site_with_roles();
	settings cfg;
	settings_defaults(&cfg);
	plan *p = build(m, s, NULL, &cfg);
	/* which of the two owns the login cannot be known: neither gets it */
	EXPECT_ACTIONS(p, "create_user P3\n");
	EXPECT_OTHER(p, "quarantine person P1: username 'jdoe' would belong to several persons in the "
			"file (P1, P2): their userids differ only in case, or are the same\n"
			"quarantine person P2: username 'jdoe' would belong to several persons in the "
			"file (P1, P2): their userids differ only in case, or are the same\n");
	plan_free(p);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_file_level_refusals)
{
	settings cfg;
	settings_defaults(&cfg);
	site_snapshot *s = site_with_roles();

	/* §8 #28: a target that is not ours */
	ims_model *m = parse("<enterprise><properties><datasource>x</datasource><target>LMS-B</target>"
			     "<datetime>2026-01-01</datetime></properties>" PERSON("P1", "a") "</enterprise>");
	cfg.target = "LMS-A";
	plan *p = build(m, s, NULL, &cfg);
	ck_assert_ptr_nonnull(p->skipped_reason);
	ck_assert_uint_eq(p->nactions, 0);
	plan_free(p);
	ims_model_free(m);
	cfg.target = NULL;

	/* §8 #27: an event file older than the last applied */
	m = parse(FILE_OF(PERSON("P1", "a")));
	state_view *v = state_view_new();
	v->last_file_datetime = "2026-02-01";
	p = build(m, s, v, &cfg);
	ck_assert(p->refused);
	ck_assert_ptr_nonnull(strstr(p->refused_reason, "older than the last file applied (2026-02-01)"));
	plan_free(p);
	state_view_free(v);
	ims_model_free(m);

	/* §8 #4: an empty snapshot */
	m = parse(FILE_OF(""));
	cfg.mode = MODE_SNAPSHOT;
	p = build(m, s, NULL, &cfg);
	ck_assert(p->refused);
	ck_assert_uint_eq(p->nactions, 0);
	plan_free(p);
	cfg.allow_empty_snapshot = true;
	p = build(m, s, NULL, &cfg);
	ck_assert(!p->refused);
	plan_free(p);
	ims_model_free(m);
	site_free(s);
}
END_TEST

START_TEST(test_dates_restrict_and_end_of_day)
{
	ims_model *m = parse(FILE_OF(MEMBERSHIP("C1",
		"<member><sourcedid><id>P1</id></sourcedid><idtype>1</idtype><role roletype=\"01\">"
		"<status>1</status><timeframe><begin restrict=\"1\">2026-02-01</begin>"
		"<end restrict=\"1\">2026-06-30</end></timeframe></role></member>"
		"<member><sourcedid><id>P2</id></sourcedid><idtype>1</idtype><role roletype=\"01\">"
		"<status>1</status><timeframe><begin>2026-02-01</begin><end restrict=\"1\">2026-01-01</end>"
		"</timeframe></role></member>")));
	site_snapshot *s = site_with_roles();
	add_course(s, 10, "C1", "C1", 1);
	add_user(s, 20, "P1", "alice");
	add_user(s, 21, "P2", "bob");
	site_add_roster(s, 10);
	settings cfg;
	settings_defaults(&cfg);
	cfg.timezone = "Europe/Oslo";
	plan *p = build(m, s, NULL, &cfg);
	/* Oslo is UTC+1 in February and UTC+2 in June; the end day is inclusive */
	EXPECT_ACTIONS(p, "enrol C1 P1 student 1769900400..1782856799\n"
			  "enrol C1 P2 student 0..1767308399\n");
	plan_free(p);
	cfg.dates = DATES_ALWAYS; /* then P2's begin is after its end: both dropped (§8 #58) */
	p = build(m, s, NULL, &cfg);
	EXPECT_ACTIONS(p, "enrol C1 P1 student 1769900400..1782856799\n"
			  "enrol C1 P2 student\n");
	plan_free(p);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_categories_and_course_groups)
{
	ims_model *m = parse(FILE_OF(
		"<group><sourcedid><id>C1</id></sourcedid><description><short>C1</short></description>"
		"<org><orgunit>Science</orgunit><orgunit>Chemistry</orgunit></org></group>"
		MEMBERSHIP("C1", "<member><sourcedid><id>P1</id></sourcedid><idtype>1</idtype>"
			   "<role roletype=\"01\"><status>1</status><extension><cohort>Lab A</cohort>"
			   "</extension></role></member>")));
	site_snapshot *s = site_with_roles();
	site_category *sci = site_alloc(s, sizeof *sci);
	*sci = (site_category){ 7, 0, site_intern(s, "Science"), NULL, 1 };
	site_add_category(s, sci);
	add_user(s, 20, "P1", "alice");
	settings cfg;
	settings_defaults(&cfg);
	cfg.category_from_orgunit = true;
	plan *p = build(m, s, NULL, &cfg);
	EXPECT_ACTIONS(p, "create_category Science/Chemistry C1\n"
			  "create_course C1\n"
			  "enrol C1 P1 student\n"
			  "create_group C1\n"
			  "add_to_group C1 P1\n");
	ck_assert_int_eq(p->actions[0].obj->parentid, 7);
	ck_assert_str_eq(p->actions[0].obj->name, "Chemistry");
	ck_assert_str_eq(p->actions[1].obj->category_ref, "Science/Chemistry");
	ck_assert_str_eq(p->actions[3].obj->name, "Lab A");
	plan_free(p);
	site_free(s);
	ims_model_free(m);
}
END_TEST

START_TEST(test_plan_is_deterministic)
{
	const char *xml = FILE_OF(PERSON("P3", "c") PERSON("P1", "a") PERSON("P2", "b") GROUP("C2", "Two")
				  GROUP("C1", "One") MEMBERSHIP("C2", MEMBER("P3", "01", "1") MEMBER("P1", "02", "1"))
				  MEMBERSHIP("C1", MEMBER("P2", "01", "1") MEMBER("P1", "01", "1")));
	char *first = NULL;
	for (int round = 0; round < 3; round++) {
		ims_model *m = parse(xml);
		site_snapshot *s = site_with_roles();
		settings cfg;
		settings_defaults(&cfg);
		plan *p = build(m, s, NULL, &cfg);
		char *text = render(p);
		if (!first)
			first = text;
		else {
			ck_assert_str_eq(text, first);
			free(text);
		}
		plan_free(p);
		site_free(s);
		ims_model_free(m);
	}
	ck_assert_str_eq(first, "create_course C1\ncreate_course C2\ncreate_user P1\ncreate_user P2\n"
				"create_user P3\nenrol C1 P1 student\nenrol C1 P2 student\n"
				"enrol C2 P1 editingteacher\nenrol C2 P3 student\n");
	free(first);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("plan");
	tcase_add_test(tc, test_first_run_creates_hidden_course_users_and_enrolments);
	tcase_add_test(tc, test_unchanged_site_plans_nothing);
	tcase_add_test(tc, test_withdrawal_suspends_own_enrolment_keeping_dates);
	tcase_add_test(tc, test_reconcile_reports_drift_and_restores_the_file);
	tcase_add_test(tc, test_markup_moodle_refuses_is_never_sent);
	tcase_add_test(tc, test_role_change_adds_new_and_removes_old);
	tcase_add_test(tc, test_unmapped_and_unknown_roles_are_quarantined);
	tcase_add_test(tc, test_ambiguities_are_quarantined_with_candidates);
	tcase_add_test(tc, test_deletes_hide_courses_and_suspend_users);
	tcase_add_test(tc, test_snapshot_withdraws_absent_and_thresholds_refuse);
	tcase_add_test(tc, test_members_outside_the_file);
	tcase_add_test(tc, test_groups_that_are_not_courses_and_group_members);
	tcase_add_test(tc, test_usernames_that_collide_when_lowercased);
	tcase_add_test(tc, test_file_level_refusals);
	tcase_add_test(tc, test_dates_restrict_and_end_of_day);
	tcase_add_test(tc, test_categories_and_course_groups);
	tcase_add_test(tc, test_plan_is_deterministic);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

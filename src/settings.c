/* settings.c -- the safe defaults of the run settings (see settings.h). */
#include "config.h"
#include "settings.h"

#include <string.h>

static const char *const default_useridtypes[] = { NULL };
static const char *const default_update_fields[] = { "firstname", "lastname", "email", NULL };
static const char *const default_course_match[] = { "idnumber", "shortname", NULL };
static const char *const default_noncourse_typevalues[] = {
	"Term", "CrossListedSection", "College", "Department", "School", "Faculty", NULL
};
/* A stock Moodle's role ids; `ping` and the rosters confirm or correct them. */
static const char *const default_role_names[] = { "manager", "editingteacher", "teacher",
						  "student", NULL };
static const int64_t default_role_ids[] = { 1, 3, 4, 5 };

void settings_defaults(settings *s)
{
	memset(s, 0, sizeof *s);
	s->refuse_older_file = true;

	s->user_match = MATCH_IDNUMBER;
	s->useridtypes = (const char **)default_useridtypes;
	s->username_from_sourcedid = false;
	s->lowercase_usernames = true;
	s->create_users = true;
	s->auth = "manual";
	s->password = PASSWORD_RANDOM;
	s->update_users = UPDATE_RECSTATUS;
	s->user_update_fields = (const char **)default_update_fields;
	s->person_delete = PDEL_SUSPEND;

	s->course_match = (const char **)default_course_match;
	s->create_courses = true;
	s->courses_visible = false;
	s->shortname_from = NAME_ID;
	s->fullname_from[0] = NAME_FULL;
	s->fullname_from[1] = NAME_LONG;
	s->fullname_from[2] = NAME_SHORT;
	s->fullname_from[3] = NAME_ID;
	s->summary_from = NAME_NONE;
	s->default_category = 1;
	s->group_delete = GDEL_HIDE;
	s->noncourse_typevalues = (const char **)default_noncourse_typevalues;

	/* Moodle's own defaults (enrol_imsenterprise), except that 05 Manager
	 * and 07 Administrator stay unmapped: such roles are quarantined rather
	 * than granted. */
	s->role_map[ROLE_LEARNER] = "student";
	s->role_map[ROLE_INSTRUCTOR] = "editingteacher";
	s->role_map[ROLE_CONTENT_DEVELOPER] = "editingteacher";
	s->role_map[ROLE_MEMBER] = "student";
	s->role_map[ROLE_MENTOR] = "teacher";
	s->role_map[ROLE_TEACHING_ASSISTANT] = "teacher";

	s->withdraw = WITHDRAW_SUSPEND;
	s->dates = DATES_RESTRICT;
	s->timezone = "UTC";
	s->course_groups = true;

	s->mode = MODE_EVENT;
	s->site_read = READ_AUTO;
	s->reconcile_every = 7 * 86400;

	s->global[SAFE_SUSPEND] = (threshold){ 10.0, 1000 };
	s->global[SAFE_UNENROL] = (threshold){ 5.0, 200 };
	s->global[SAFE_USER_SUSPEND] = (threshold){ 5.0, 100 };
	s->global[SAFE_USER_DELETE] = (threshold){ 1.0, 10 };
	s->global[SAFE_COURSE_HIDE] = (threshold){ 10.0, 50 };
	s->per_course[SAFE_SUSPEND] = (threshold){ 50.0, -1 };
	s->per_course[SAFE_UNENROL] = (threshold){ 25.0, -1 };
	s->per_course[SAFE_USER_SUSPEND] = (threshold){ -1, -1 };
	s->per_course[SAFE_USER_DELETE] = (threshold){ -1, -1 };
	s->per_course[SAFE_COURSE_HIDE] = (threshold){ -1, -1 };
	s->per_course_min = 5;

	s->role_id_names = (const char **)default_role_names;
	s->role_ids = default_role_ids;
}

const char *safety_class_name(enum safety_class c)
{
	static const char *const names[SAFE_CLASS_COUNT] = {
		"suspend", "unenrol", "user_suspend", "user_delete", "course_hide",
	};
	return (unsigned)c < SAFE_CLASS_COUNT ? names[c] : "?";
}

const char *plan_mode_name(enum plan_mode m)
{
	return m == MODE_SNAPSHOT ? "snapshot" : "event";
}

const char *site_read_name(enum site_read r)
{
	return r == READ_DIFF ? "diff" : r == READ_AUTO ? "auto" : "reconcile";
}

/* settings.c -- the safe defaults of the run settings (see settings.h). */
#include "config.h"
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	s->global_min = 10;
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

/* ---- from the configuration ----------------------------------------------------- */

static int pick(const char *v, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (v && strcmp(v, names[i]) == 0)
			return i;
	return 0;
}

static enum name_source name_source_of(const char *v)
{
	static const char *const names[] = { "id", "short", "long", "full", "none" };
	return (enum name_source)pick(v, names, 5);
}

/* Every item of a list key must be one of the allowed words. */
static int check_list(config *c, const char *section, const char *name, const char *const *allowed,
		      size_t nallowed, errinfo *e)
{
	const char **items = config_list(c, section, name);
	for (size_t i = 0; items[i]; i++) {
		bool ok = false;
		for (size_t k = 0; k < nallowed; k++)
			ok |= strcmp(items[i], allowed[k]) == 0;
		if (!ok) {
			strbuf sb = STRBUF_INIT;
			for (size_t k = 0; k < nallowed; k++)
				sb_addf(&sb, "%s%s", k ? ", " : "", allowed[k]);
			int rc = err_set(e, -EXIT_CONFIG, "%s: %s.%s lists %s; not '%s'",
					 config_origin(c, section, name), section, name, sb.buf, items[i]);
			sb_free(&sb);
			return rc;
		}
	}
	return 0;
}

static int load_role_ids(settings *s, config *c, errinfo *e)
{
	const char **items = config_list(c, "roles", "ids");
	size_t n = 0;
	while (items[n])
		n++;
	const char **names = xcalloc(n + 1, sizeof *names);
	int64_t *ids = xcalloc(n + 1, sizeof *ids);
	for (size_t i = 0; i < n; i++) {
		const char *colon = strchr(items[i], ':');
		char *end = NULL;
		long long id = colon ? strtoll(colon + 1, &end, 10) : 0;
		if (!colon || colon == items[i] || !end || *end || id <= 0) {
			free(names);
			free(ids);
			return err_set(e, -EXIT_CONFIG, "%s: roles.ids items are shortname:id, not '%s'",
				       config_origin(c, "roles", "ids"), items[i]);
		}
		/* the name part is cut in place: the list is owned by the configuration */
		*(char *)colon = '\0';
		names[i] = items[i];
		ids[i] = id;
	}
	s->role_id_names = names;
	s->role_ids = ids;
	s->owned_role_arrays = true;
	return 0;
}

static bool zone_known(const char *tz)
{
	char path[512];
	if (!tz || !*tz || strcmp(tz, "UTC") == 0)
		return true;
	if (strstr(tz, ".."))
		return false;
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
	return access(path, R_OK) == 0;
}

int settings_load(settings *s, config *c, errinfo *e)
{
	static const char *const matches[] = { "idnumber", "username", "email" };
	static const char *const passwords[] = { "random", "createpassword", "none" };
	static const char *const updates[] = { "never", "recstatus", "changed" };
	static const char *const pdel[] = { "suspend", "delete", "ignore" };
	static const char *const gdel[] = { "hide", "ignore" };
	static const char *const withdraws[] = { "suspend", "unenrol", "ignore" };
	static const char *const dates[] = { "restrict", "always", "never" };
	static const char *const modes[] = { "event", "snapshot" };
	static const char *const reads[] = { "reconcile", "diff", "auto" };
	int rc;

	settings_defaults(s);
	const char **repairs = config_list(c, "files", "repair");
	for (size_t i = 0; repairs[i]; i++) {
		if (strcmp(repairs[i], "ampersand") == 0)
			s->repair |= 1u << 0;
		else if (strcmp(repairs[i], "leading-space") == 0)
			s->repair |= 1u << 1;
		else
			return err_set(e, -EXIT_CONFIG, "%s: unknown repair '%s' (known: ampersand, "
				       "leading-space)", config_origin(c, "files", "repair"), repairs[i]);
	}
	s->apply_dtd_defaults = config_bool(c, "files", "apply_dtd_defaults");
	s->accept_fragment = config_bool(c, "files", "accept_fragment");
	s->parse_threads = (int)config_int(c, "files", "parse_threads");
	s->target = config_str(c, "files", "target");
	s->refuse_older_file = config_bool(c, "files", "refuse_older");

	s->user_match = (enum user_match)pick(config_str(c, "users", "match"), matches, 3);
	s->useridtypes = config_list(c, "users", "useridtypes");
	s->username_from_sourcedid = config_bool(c, "users", "username_from_sourcedid");
	s->lowercase_usernames = config_bool(c, "users", "lowercase_usernames");
	s->create_users = config_bool(c, "users", "create");
	s->auth = config_str(c, "users", "auth");
	s->password = (enum password_policy)pick(config_str(c, "users", "password"), passwords, 3);
	s->update_users = (enum user_update)pick(config_str(c, "users", "update"), updates, 3);
	s->user_update_fields = config_list(c, "users", "update_fields");
	s->split_fn = config_bool(c, "users", "split_fn");
	s->empty_clears = config_bool(c, "users", "empty_clears");
	s->missing_email = config_str(c, "users", "missing_email");
	s->person_delete = (enum person_delete_action)pick(config_str(c, "users", "delete"), pdel, 3);

	s->course_match = config_list(c, "courses", "match");
	s->create_courses = config_bool(c, "courses", "create");
	s->courses_visible = config_bool(c, "courses", "visible");
	s->shortname_from = name_source_of(config_str(c, "courses", "shortname"));
	static const char *const sources[] = { "id", "short", "long", "full" };
	static const char *const course_fields[] = { "idnumber", "shortname" };
	static const char *const user_fields[] = { "firstname", "lastname", "email", "city", "country" };
	if ((rc = check_list(c, "courses", "fullname", sources, 4, e)) < 0 ||
	    (rc = check_list(c, "courses", "match", course_fields, 2, e)) < 0 ||
	    (rc = check_list(c, "users", "update_fields", user_fields, 5, e)) < 0)
		return rc;
	const char **full = config_list(c, "courses", "fullname");
	bool ended = false;
	for (int i = 0; i < 4; i++) {
		ended |= !full[i];
		s->fullname_from[i] = ended ? NAME_NONE : name_source_of(full[i]);
	}
	s->summary_from = name_source_of(config_str(c, "courses", "summary"));
	s->default_category = config_int(c, "courses", "category");
	s->category_from_orgunit = config_bool(c, "courses", "category_from_orgunit");
	s->update_courses = config_bool(c, "courses", "update");
	s->group_delete = (enum group_delete_action)pick(config_str(c, "courses", "delete"), gdel, 2);
	s->course_typevalues = config_list(c, "courses", "course_typevalues");
	if (!s->course_typevalues[0])
		s->course_typevalues = NULL;
	s->noncourse_typevalues = config_list(c, "courses", "noncourse_typevalues");

	for (int r = 1; r < ROLE_COUNT; r++) {
		char key[16];
		snprintf(key, sizeof key, "map.%02d", r);
		const char *v = config_str(c, "roles", key);
		s->role_map[r] = v && *v ? v : NULL;
	}
	if ((rc = load_role_ids(s, c, e)) < 0)
		return rc;

	s->withdraw = (enum withdraw_action)pick(config_str(c, "enrolments", "withdraw"), withdraws, 3);
	s->dates = (enum date_policy)pick(config_str(c, "enrolments", "dates"), dates, 3);
	s->timezone = config_str(c, "enrolments", "timezone");
	if (!zone_known(s->timezone))
		return err_set(e, -EXIT_CONFIG, "%s: enrolments.timezone '%s' is not a known time zone "
			       "(e.g. Europe/Oslo, America/New_York, UTC)",
			       config_origin(c, "enrolments", "timezone"), s->timezone);
	s->manage_all = strcmp(config_str(c, "enrolments", "manage"), "all") == 0;
	s->course_groups = config_bool(c, "enrolments", "course_groups");

	s->mode = (enum plan_mode)pick(config_str(c, "plan", "mode"), modes, 2);
	s->scope = config_list(c, "plan", "scope");
	if (!s->scope[0])
		s->scope = NULL;
	s->allow_empty_snapshot = config_bool(c, "plan", "allow_empty_snapshot");
	s->site_read = (enum site_read)pick(config_str(c, "plan", "site_read"), reads, 3);
	s->reconcile_every = (int64_t)config_duration(c, "plan", "reconcile_every");

	static const char *const classes[SAFE_CLASS_COUNT] = {
		"suspend", "unenrol", "user_suspend", "user_delete", "course_hide",
	};
	for (int k = 0; k < SAFE_CLASS_COUNT; k++) {
		char key[64];
		snprintf(key, sizeof key, "%s_max_percent", classes[k]);
		s->global[k].max_percent = config_percent(c, "safety", key);
		snprintf(key, sizeof key, "%s_max_count", classes[k]);
		s->global[k].max_count = config_int(c, "safety", key);
	}
	s->per_course[SAFE_SUSPEND].max_percent = config_percent(c, "safety", "course_suspend_max_percent");
	s->per_course[SAFE_UNENROL].max_percent = config_percent(c, "safety", "course_unenrol_max_percent");
	s->per_course_min = config_int(c, "safety", "course_min_count");
	s->global_min = config_int(c, "safety", "min_count");
	return 0;
}

void settings_free(settings *s)
{
	if (s->owned_role_arrays) {
		free((void *)s->role_id_names);
		free((void *)s->role_ids);
		s->owned_role_arrays = false;
	}
}

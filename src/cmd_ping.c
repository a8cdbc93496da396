/* cmd_ping.c -- `ims2moodle ping`: the first thing an administrator runs.
 * Connects with the configured token and says, one line per check, whether
 * the site can be used: the site and release, the token's user, the web
 * service functions missing from the token's service, and the rights the
 * account lacks -- probing read-only the ones Moodle never reports (a
 * missing right there makes existing users or hidden courses look absent),
 * and saying plainly what cannot be probed. Each problem comes with its fix. */
#include "config.h"
#include "commands.h"
#include "log.h"
#include "moodle_read.h"
#include "run.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The functions the importer calls (moodle-ws.md §2). */
static const char *const needed[] = {
	"core_webservice_get_site_info", "core_course_get_categories", "core_course_get_courses",
	"core_course_get_courses_by_field", "core_course_create_categories",
	"core_course_create_courses", "core_course_update_courses", "core_user_get_users_by_field",
	"core_user_create_users", "core_user_update_users", "core_enrol_get_enrolled_users",
	"enrol_manual_enrol_users", "enrol_manual_unenrol_users", "core_role_assign_roles",
	"core_role_unassign_roles", "core_group_get_course_groups", "core_group_create_groups",
	"core_group_add_group_members",
};

enum verdict { V_OK, V_MISSING, V_WARNING, V_INFO };

typedef struct pinger {
	bool json;
	json_object *checks;
	int problems;
} pinger;

static void report(pinger *pg, enum verdict v, const char *what, const char *detail, const char *fix)
{
	static const char *const names[] = { "OK", "MISSING", "WARNING", "NOTE" };
	if (v == V_MISSING)
		pg->problems++;
	if (pg->json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "verdict", json_object_new_string(names[v]));
		json_object_object_add(o, "check", json_object_new_string(what));
		if (detail)
			json_object_object_add(o, "detail", json_object_new_string(detail));
		if (fix)
			json_object_object_add(o, "fix", json_object_new_string(fix));
		json_object_array_add(pg->checks, o);
		return;
	}
	printf("  %-8s %s%s%s\n", names[v], what, detail ? ": " : "", detail ? detail : "");
	if (fix)
		printf("           fix: %s\n", fix);
}

static void check_functions(pinger *pg, json_object *info, bool need_delete)
{
	json_object *fns = NULL;
	json_object_object_get_ex(info, "functions", &fns);
	size_t n = fns && json_object_is_type(fns, json_type_array) ? json_object_array_length(fns) : 0;
	int missing = 0;
	size_t total = ARRAY_LEN(needed) + (need_delete ? 1 : 0);
	if (!pg->json)
		printf("\nWeb service functions (%zu needed)\n", total);
	for (size_t i = 0; i < total; i++) {
		const char *want = i < ARRAY_LEN(needed) ? needed[i] : "core_user_delete_users";
		bool found = false;
		for (size_t k = 0; k < n && !found; k++)
			found = str_eq(json_str_of(json_object_array_get_idx(fns, k), "name"), want);
		if (found)
			continue;
		missing++;
		char fix[512];
		snprintf(fix, sizeof fix, "Site administration > Server > Web services > External services > "
			 "(the token's service) > Functions > Add functions: %s", want);
		report(pg, V_MISSING, want, "not in the token's service", fix);
	}
	if (!missing) {
		char detail[64];
		snprintf(detail, sizeof detail, "all %zu are in the token's service", total);
		report(pg, V_OK, "functions", detail, NULL);
	}
}

/* Another user's record without username: no moodle/user:viewalldetails. */
static void probe_user_details(pinger *pg, moodle_client *c, int64_t self)
{
	moodle_request *r = moodle_request_new("core_user_get_users_by_field", false);
	mform_add(&r->form, "field", "id");
	mform_add_int(&r->form, self == 2 ? 1 : 2, "values[0]");
	errinfo e;
	if (moodle_call(c, r, &e) == 0 && r->outcome == MO_DONE &&
	    json_object_is_type(r->reply, json_type_array) && json_object_array_length(r->reply) > 0) {
		json_object *u = json_object_array_get_idx(r->reply, 0);
		if (json_str_of(u, "username"))
			report(pg, V_OK, "moodle/user:viewalldetails", "other users' usernames and idnumbers are "
			       "visible", NULL);
		else
			report(pg, V_MISSING, "moodle/user:viewalldetails",
			       "other users come back without username and idnumber: existing users would "
			       "look absent, and the importer would try to create them again",
			       "give the account's role moodle/user:viewalldetails at system level");
	} else {
		report(pg, V_WARNING, "moodle/user:viewalldetails", "could not be probed (no other user "
		       "could be read)", "give the account's role moodle/user:viewalldetails at system level");
	}
	moodle_request_free(r);
}

/* The course list: readable at all, idnumbers shown (course:update), and
 * hidden courses shown (viewhiddencourses) when there is one. */
static void probe_courses(pinger *pg, moodle_client *c)
{
	moodle_request *r = moodle_request_new("core_course_get_courses", false);
	errinfo e;
	char why[1200];
	if (moodle_call(c, r, &e) < 0 || r->outcome != MO_DONE || !json_object_is_type(r->reply, json_type_array)) {
		report(pg, V_MISSING, "reading all courses", moodle_request_error(r, why, sizeof why),
		       "give the account's role moodle/course:view, moodle/course:viewhiddencourses and "
		       "moodle/course:update at system level (one course it cannot enter fails the call)");
		moodle_request_free(r);
		return;
	}
	size_t n = json_object_array_length(r->reply), courses = 0, hidden = 0, with_idnumber = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(r->reply, i);
		if (json_int_of(o, "id") <= 1)
			continue;
		courses++;
		json_object *v;
		if (json_object_object_get_ex(o, "idnumber", &v))
			with_idnumber++;
		if (json_object_object_get_ex(o, "visible", &v) && json_object_get_int(v) == 0)
			hidden++;
	}
	char detail[200];
	snprintf(detail, sizeof detail, "%zu courses readable", courses);
	report(pg, V_OK, "reading all courses", detail, NULL);
	if (courses && with_idnumber < courses)
		report(pg, V_MISSING, "moodle/course:update", "courses come back without idnumber: groups "
		       "cannot be matched to their courses", "give the account's role moodle/course:update at "
		       "system level");
	if (hidden)
		report(pg, V_OK, "moodle/course:viewhiddencourses", "hidden courses are visible", NULL);
	else
		report(pg, V_WARNING, "moodle/course:viewhiddencourses",
		       "cannot be probed: the site has no hidden course the account can see. Without it, "
		       "the hidden courses ims2moodle creates would look absent",
		       "make sure the account's role has moodle/course:viewhiddencourses at system level");
	moodle_request_free(r);
}

int cmd_ping(int argc, char **argv)
{
	run_args a = { 0 };
	pinger pg = { 0 };
	errinfo e;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vqh", run_long_options, NULL)) != -1) {
		if (run_common_option(&a, c, optarg))
			continue;
		if (c == 'f') {
			pg.json = strcmp(optarg, "json") == 0;
			if (!pg.json && strcmp(optarg, "text") != 0) {
				fprintf(stderr, "ims2moodle ping: --format text or json\n");
				return EXIT_USAGE;
			}
		} else if (c == 'h') {
			printf("usage: ims2moodle ping [--config F] [--url URL] [--format text|json] [-v]\n"
			       "Checks that the site can be used with the configured token: the functions of the\n"
			       "token's service and the account's rights, with the fix for each problem.\n"
			       "Exit status: 0 all is well, 1 functions or rights are missing, 69 the site cannot\n"
			       "be reached or refuses the token, 78 configuration.\n");
			return 0;
		} else {
			return EXIT_USAGE;
		}
	}
	config *cfg = config_new();
	settings s = { 0 };
	moodle_options mo;
	char *token = NULL;
	moodle_client *client = NULL;
	site_snapshot *site = site_new();
	json_object *info = NULL;
	const char *path = config_default_path(a.config_path);
	int rc = path ? config_load(cfg, path, &e) : 0;
	if (rc == 0)
		rc = settings_load(&s, cfg, &e);
	if (rc == 0)
		rc = moodle_options_load(&mo, cfg, a.url, &token, &e);
	if (rc == 0)
		rc = moodle_client_new(&mo, &client, &e);
	if (rc == 0)
		rc = moodle_read_site_info(client, site, &info, &e);
	if (rc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", e.msg);
		int status = err_exit_status(rc == -EXIT_NOINPUT ? -EXIT_CONFIG : rc);
		json_object_put(info);
		settings_free(&s);
		site_free(site);
		moodle_client_free(client);
		config_free(cfg);
		free(token);
		return status;
	}
	pg.checks = json_object_new_array();
	if (!pg.json) {
		printf("ims2moodle ping: %s\n", moodle_url(client));
		printf("  site:    %s (Moodle %s, version %s)\n", site->info.sitename ? site->info.sitename : "?",
		       site->info.release ? site->info.release : "?", site->info.version ? site->info.version : "?");
		printf("  token:   user %lld '%s'%s\n", (long long)site->info.token_userid,
		       json_str_of(info, "username") ? json_str_of(info, "username") : "?",
		       site->info.token_is_admin ? " (a site administrator)" : "");
	}
	check_functions(&pg, info, s.person_delete == PDEL_DELETE);
	if (!pg.json)
		printf("\nRights of the account\n");
	if (site->info.token_is_admin) {
		report(&pg, V_OK, "site administrator", "every capability", NULL);
	} else {
		probe_user_details(&pg, client, site->info.token_userid);
		probe_courses(&pg, client);
		report(&pg, V_WARNING, "moodle/course:visibility",
		       "cannot be probed without creating a course. Without it, a course asked hidden is "
		       "created visible; apply reads new courses back and stops if that happens",
		       "give the account's role moodle/course:visibility at system level");
		report(&pg, V_WARNING, "moodle/role:assign",
		       "cannot be probed read-only. Enrolling needs it, and the account's role must be "
		       "allowed to assign the mapped roles (student, editingteacher, teacher)",
		       "Site administration > Users > Permissions > Define roles > Allow role assignments");
	}
	if (!pg.json)
		printf("\nNotes\n");
	report(&pg, V_INFO, "course welcome message",
	       "Moodle sends its course welcome message to every user enrolled through the web service, "
	       "unless the manual enrolment plugin's \"Send course welcome message\" default is off when "
	       "the courses are created (Moodle's own IMS importer never sends it)",
	       "Site administration > Plugins > Enrolments > Manual enrolments > Send course welcome "
	       "message: No, before the first apply");
	if (pg.json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "site", json_object_new_string(moodle_url(client)));
		if (site->info.sitename)
			json_object_object_add(o, "sitename", json_object_new_string(site->info.sitename));
		if (site->info.release)
			json_object_object_add(o, "release", json_object_new_string(site->info.release));
		json_object_object_add(o, "userid", json_object_new_int64(site->info.token_userid));
		json_object_object_add(o, "siteadmin", json_object_new_boolean(site->info.token_is_admin));
		json_object_object_add(o, "problems", json_object_new_int(pg.problems));
		json_object_object_add(o, "checks", pg.checks);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("\n%s\n", pg.problems ? "Some functions or rights are missing: fix them before the first apply."
					     : "The site can be used.");
		json_object_put(pg.checks);
	}
	json_object_put(info);
	settings_free(&s);
	site_free(site);
	moodle_client_free(client);
	config_free(cfg);
	free(token);
	return pg.problems ? 1 : 0;
}

/* functions.c -- the emulated external functions: parameter descriptions
 * (copied from Moodle 4.5's *_parameters(), in their key order, which
 * decides the first "Missing required key"), handlers and write flags. */
#include "config.h"
#include "functions.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char P_SITE_INFO[] = "serviceshortnames [ALPHANUMEXT] def\n";

static const char P_COURSES_BY_FIELD[] =
	"field ALPHA def=''\n"
	"value RAW def=''\n";

static const char P_GET_COURSES[] =
	"options {} def\n"
	" ids [INT] opt\n";

static const char P_CREATE_COURSES[] =
	"courses [] req\n"
	" fullname TEXT req\n"
	" shortname TEXT req\n"
	" categoryid INT req\n"
	" idnumber RAW opt\n"
	" summary RAW opt\n"
	" summaryformat INT def=1\n"
	" format PLUGIN def=topics\n"
	" showgrades INT def=1\n"
	" newsitems INT def=5\n"
	" startdate INT opt\n"
	" enddate INT opt\n"
	" numsections INT opt\n"
	" maxbytes INT def=0\n"
	" showreports INT def=0\n"
	" visible INT opt\n"
	" hiddensections INT opt\n"
	" groupmode INT def=0\n"
	" groupmodeforce INT def=0\n"
	" defaultgroupingid INT def=0\n"
	" enablecompletion INT opt\n"
	" completionnotify INT opt\n"
	" lang SAFEDIR opt\n"
	" forcetheme PLUGIN opt\n"
	" courseformatoptions [] opt\n"
	"  name ALPHANUMEXT req\n"
	"  value RAW req\n"
	" customfields [] opt\n"
	"  shortname ALPHANUMEXT req\n"
	"  value RAW req\n";

static const char P_UPDATE_COURSES[] =
	"courses [] req\n"
	" id INT req\n"
	" fullname TEXT opt\n"
	" shortname TEXT opt\n"
	" categoryid INT opt\n"
	" idnumber RAW opt\n"
	" summary RAW opt\n"
	" summaryformat INT opt\n"
	" format PLUGIN opt\n"
	" showgrades INT opt\n"
	" newsitems INT opt\n"
	" startdate INT opt\n"
	" enddate INT opt\n"
	" numsections INT opt\n"
	" maxbytes INT opt\n"
	" showreports INT opt\n"
	" visible INT opt\n"
	" hiddensections INT opt\n"
	" groupmode INT opt\n"
	" groupmodeforce INT opt\n"
	" defaultgroupingid INT opt\n"
	" enablecompletion INT opt\n"
	" completionnotify INT opt\n"
	" lang SAFEDIR opt\n"
	" forcetheme PLUGIN opt\n"
	" courseformatoptions [] opt\n"
	"  name ALPHANUMEXT req\n"
	"  value RAW req\n"
	" customfields [] opt\n"
	"  shortname ALPHANUMEXT req\n"
	"  value RAW req\n";

static const char P_DELETE_COURSES[] = "courseids [INT] req\n";

static const char P_DUPLICATE_COURSE[] =
	"courseid INT req\n"
	"fullname TEXT req\n"
	"shortname TEXT req\n"
	"categoryid INT req\n"
	"visible INT def=1\n"
	"options [] def\n"
	" name ALPHAEXT req\n"
	" value RAW req\n";

static const char P_GET_CATEGORIES[] =
	"criteria [] def\n"
	" key ALPHA req\n"
	" value RAW req\n"
	"addsubcategories BOOL def=1\n";

static const char P_CREATE_CATEGORIES[] =
	"categories [] req\n"
	" name TEXT req\n"
	" parent INT def=0\n"
	" idnumber RAW opt\n"
	" description RAW opt\n"
	" descriptionformat INT def=1\n"
	" theme THEME opt\n";

static const char P_USERS_BY_FIELD[] =
	"field ALPHA req\n"
	"values [RAW] req\n";

static const char P_GET_USERS[] =
	"criteria [] req\n"
	" key ALPHA req\n"
	" value RAW req\n";

static const char P_CREATE_USERS[] =
	"users [] req\n"
	" createpassword BOOL opt\n"
	" username USERNAME req\n"
	" auth AUTH def=manual\n"
	" password RAW opt\n"
	" firstname NOTAGS req\n"
	" lastname NOTAGS req\n"
	" email RAW_TRIMMED req\n"
	" maildisplay INT opt\n"
	" city TEXT opt\n"
	" country ALPHA opt\n"
	" timezone TIMEZONE opt\n"
	" description RAW opt\n"
	" firstnamephonetic NOTAGS opt\n"
	" lastnamephonetic NOTAGS opt\n"
	" middlename NOTAGS opt\n"
	" alternatename NOTAGS opt\n"
	" interests TEXT opt\n"
	" idnumber RAW def=''\n"
	" institution TEXT opt\n"
	" department TEXT opt\n"
	" phone1 NOTAGS opt\n"
	" phone2 NOTAGS opt\n"
	" address TEXT opt\n"
	" lang LANG def=en\n"
	" calendartype PLUGIN def=gregorian\n"
	" theme THEME opt\n"
	" mailformat INT opt\n"
	" customfields [] opt\n"
	"  type ALPHANUMEXT req\n"
	"  value RAW req\n"
	" preferences [] opt\n"
	"  type RAW req\n"
	"  value RAW req\n";

static const char P_UPDATE_USERS[] =
	"users [] req\n"
	" id INT req\n"
	" username USERNAME opt\n"
	" auth AUTH opt\n"
	" suspended BOOL opt\n"
	" password RAW opt\n"
	" firstname NOTAGS opt\n"
	" lastname NOTAGS opt\n"
	" email RAW_TRIMMED opt\n"
	" maildisplay INT opt\n"
	" city TEXT opt\n"
	" country ALPHA opt\n"
	" timezone TIMEZONE opt\n"
	" description RAW opt\n"
	" userpicture INT opt\n"
	" firstnamephonetic NOTAGS opt\n"
	" lastnamephonetic NOTAGS opt\n"
	" middlename NOTAGS opt\n"
	" alternatename NOTAGS opt\n"
	" interests TEXT opt\n"
	" idnumber RAW opt\n"
	" institution TEXT opt\n"
	" department TEXT opt\n"
	" phone1 NOTAGS opt\n"
	" phone2 NOTAGS opt\n"
	" address TEXT opt\n"
	" lang LANG opt\n"
	" calendartype PLUGIN opt\n"
	" theme THEME opt\n"
	" mailformat INT opt\n"
	" customfields [] opt\n"
	"  type ALPHANUMEXT req\n"
	"  value RAW req\n"
	" preferences [] opt\n"
	"  type RAW req\n"
	"  value RAW req\n";

static const char P_DELETE_USERS[] = "userids [INT] req\n";

static const char P_ENROL[] =
	"enrolments [] req\n"
	" roleid INT req\n"
	" userid INT req\n"
	" courseid INT req\n"
	" timestart INT opt\n"
	" timeend INT opt\n"
	" suspend INT opt\n";

static const char P_UNENROL[] =
	"enrolments [] req\n"
	" userid INT req\n"
	" courseid INT req\n"
	" roleid INT opt\n";

static const char P_ENROLLED_USERS[] =
	"courseid INT req\n"
	"options [] def\n"
	" name ALPHANUMEXT req\n"
	" value RAW req\n";

static const char P_ENROL_METHODS[] = "courseid INT req\n";

static const char P_USERS_COURSES[] =
	"userid INT req\n"
	"returnusercount BOOL def=1\n";

static const char P_CREATE_GROUPS[] =
	"groups [] req\n"
	" courseid INT req\n"
	" name TEXT req\n"
	" description RAW req\n"
	" descriptionformat INT def=1\n"
	" enrolmentkey RAW opt\n"
	" idnumber RAW opt\n"
	" visibility INT def=0\n"
	" participation BOOL def=1\n"
	" customfields [] opt\n"
	"  shortname ALPHANUMEXT req\n"
	"  value RAW req\n";

static const char P_COURSE_GROUPS[] = "courseid INT req\n";

static const char P_ADD_MEMBERS[] =
	"members [] req\n"
	" groupid INT req\n"
	" userid INT req\n";

static const char P_ASSIGN[] =
	"assignments [] req\n"
	" roleid INT req\n"
	" userid INT req\n"
	" contextid INT opt\n"
	" contextlevel ALPHA opt\n"
	" instanceid INT opt\n";

static const char P_UNASSIGN[] =
	"unassignments [] req\n"
	" roleid INT req\n"
	" userid INT req\n"
	" contextid INT opt\n"
	" contextlevel ALPHA opt\n"
	" instanceid INT opt\n";

static const ws_function functions[] = {
	{ "core_webservice_get_site_info", P_SITE_INFO, fn_get_site_info, false },
	{ "core_course_get_courses_by_field", P_COURSES_BY_FIELD, fn_get_courses_by_field, false },
	{ "core_course_get_courses", P_GET_COURSES, fn_get_courses, false },
	{ "core_course_create_courses", P_CREATE_COURSES, fn_create_courses, true },
	{ "core_course_update_courses", P_UPDATE_COURSES, fn_update_courses, true },
	{ "core_course_delete_courses", P_DELETE_COURSES, fn_delete_courses, true },
	{ "core_course_duplicate_course", P_DUPLICATE_COURSE, fn_duplicate_course, true },
	{ "core_course_get_categories", P_GET_CATEGORIES, fn_get_categories, false },
	{ "core_course_create_categories", P_CREATE_CATEGORIES, fn_create_categories, true },
	{ "core_user_get_users_by_field", P_USERS_BY_FIELD, fn_get_users_by_field, false },
	{ "core_user_get_users", P_GET_USERS, fn_get_users, false },
	{ "core_user_create_users", P_CREATE_USERS, fn_create_users, true },
	{ "core_user_update_users", P_UPDATE_USERS, fn_update_users, true },
	{ "core_user_delete_users", P_DELETE_USERS, fn_delete_users, true },
	{ "enrol_manual_enrol_users", P_ENROL, fn_enrol_users, true },
	{ "enrol_manual_unenrol_users", P_UNENROL, fn_unenrol_users, true },
	{ "core_enrol_get_enrolled_users", P_ENROLLED_USERS, fn_get_enrolled_users, false },
	{ "core_enrol_get_course_enrolment_methods", P_ENROL_METHODS, fn_get_course_enrolment_methods, false },
	{ "core_enrol_get_users_courses", P_USERS_COURSES, fn_get_users_courses, false },
	{ "core_group_create_groups", P_CREATE_GROUPS, fn_create_groups, true },
	{ "core_group_get_course_groups", P_COURSE_GROUPS, fn_get_course_groups, false },
	{ "core_group_add_group_members", P_ADD_MEMBERS, fn_add_group_members, true },
	{ "core_role_assign_roles", P_ASSIGN, fn_assign_roles, true },
	{ "core_role_unassign_roles", P_UNASSIGN, fn_unassign_roles, true },
	/* known to Moodle, not emulated (calling them gives a codingerror) */
	{ "core_cohort_add_cohort_members", "", NULL, true },
	{ "core_cohort_create_cohorts", "", NULL, true },
	{ "core_cohort_delete_cohort_members", "", NULL, true },
	{ "core_cohort_delete_cohorts", "", NULL, true },
	{ "core_cohort_get_cohort_members", "", NULL, false },
	{ "core_cohort_search_cohorts", "", NULL, false },
	{ "core_cohort_get_cohorts", "", NULL, false },
	{ "core_cohort_update_cohorts", "", NULL, true },
	{ "core_course_update_categories", "", NULL, true },
	{ "core_course_delete_categories", "", NULL, true },
	{ "core_course_get_contents", "", NULL, false },
	{ "core_course_import_course", "", NULL, true },
	{ "core_course_search_courses", "", NULL, false },
	{ "core_enrol_get_enrolled_users_with_capability", "", NULL, false },
	{ "core_group_delete_groups", "", NULL, true },
	{ "core_group_delete_group_members", "", NULL, true },
	{ "core_group_get_group_members", "", NULL, false },
	{ "core_group_get_groups", "", NULL, false },
	{ "core_group_update_groups", "", NULL, true },
	{ "core_user_get_course_user_profiles", "", NULL, false },
	{ "core_user_update_user_preferences", "", NULL, true },
	{ "enrol_self_enrol_user", "", NULL, true },
	{ "enrol_guest_get_instance_info", "", NULL, false },
};

static desc *descs[ARRAY_LEN(functions)];
static pthread_once_t descs_once = PTHREAD_ONCE_INIT;

static void parse_all(void)
{
	for (size_t i = 0; i < ARRAY_LEN(functions); i++) {
		errinfo e;
		descs[i] = desc_parse(functions[i].params, &e);
		if (!descs[i]) {
			fprintf(stderr, "fakemoodle: bad description of %s: %s\n", functions[i].name, e.msg);
			abort();
		}
	}
}

const ws_function *fn_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(functions); i++)
		if (!strcmp(functions[i].name, name))
			return &functions[i];
	return NULL;
}

const desc *fn_desc(const ws_function *f)
{
	pthread_once(&descs_once, parse_all);
	return descs[f - functions];
}

const char *fn_version(const char *name)
{
	return strncmp(name, "enrol_manual_", 13) == 0 ? "2024042200" : "2024090300";
}

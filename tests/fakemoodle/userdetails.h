/* userdetails.h -- user_get_user_details(): the user record a caller may
 * see, field by field, as Moodle 4.5 decides it from the caller's
 * capabilities (viewalldetails, viewfullnames, viewhiddendetails ...),
 * the requested userfields and whether a course is given. The functions
 * that return users then keep the keys of their own return description. */
#ifndef FAKEMOODLE_USERDETAILS_H
#define FAKEMOODLE_USERDETAILS_H

#include <json-c/json.h>
#include <stdbool.h>
#include "state.h"
#include "ws.h"

/* Bit per userfields name (user_get_default_fields()). */
enum {
	UF_ID, UF_USERNAME, UF_FULLNAME, UF_FIRSTNAME, UF_LASTNAME, UF_EMAIL, UF_ADDRESS, UF_PHONE1, UF_PHONE2,
	UF_DEPARTMENT, UF_INSTITUTION, UF_INTERESTS, UF_FIRSTACCESS, UF_LASTACCESS, UF_AUTH, UF_CONFIRMED,
	UF_IDNUMBER, UF_LANG, UF_THEME, UF_TIMEZONE, UF_MAILFORMAT, UF_TRACKFORUMS, UF_DESCRIPTION,
	UF_DESCRIPTIONFORMAT, UF_CITY, UF_COUNTRY, UF_PROFILEIMAGEURLSMALL, UF_PROFILEIMAGEURL, UF_CUSTOMFIELDS,
	UF_GROUPS, UF_ROLES, UF_PREFERENCES, UF_ENROLLEDCOURSES, UF_SUSPENDED, UF_LASTCOURSEACCESS, UF__COUNT
};
#define UF_ALL ((1ULL << UF__COUNT) - 1)

/* The bit for a field name, or -1 when it is not a known user field. */
int ud_field(const char *name);
/* user_get_user_details($user, $course, $fields): NULL when the caller
 * may not see the user at all. course may be NULL (system profile). */
json_object *ud_details(wsctx *c, muser *u, mcourse *course, unsigned long long fields);
/* user_get_user_details_courses($user) for the user_description() readers. */
json_object *ud_details_courses(wsctx *c, muser *u);
/* Drops the keys not in keep (a NULL-terminated list). */
void ud_keep(json_object *o, const char *const *keep);
/* The keys of core_user_external::user_description(). */
extern const char *const ud_user_description_keys[];
/* enrol_get_users_courses($userid, onlyactive): the user's courses (no
 * site course), hidden ones only when the user may see them, ordered by
 * visible DESC, sortorder ASC. Fills out with mcourse*. */
void ud_users_courses(state *st, muser *u, bool onlyactive, vec *out);
/* The user may see the hidden course (site admin, or a manager/teacher
 * role in it, at category or system level). */
bool ud_user_can_view_hidden(state *st, muser *u, mcourse *co);

#endif

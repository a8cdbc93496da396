/* functions.h -- the external functions the emulator knows: each one's
 * parameter description (the validate.h text form), its handler and
 * whether it writes; plus the names Moodle's external_functions table has
 * but the emulator does not run. */
#ifndef FAKEMOODLE_FUNCTIONS_H
#define FAKEMOODLE_FUNCTIONS_H

#include <stdbool.h>
#include "validate.h"
#include "ws.h"

typedef int (*ws_handler)(wsctx *c);

typedef struct ws_function {
	const char *name;
	const char *params;      /* description text */
	ws_handler run;          /* NULL: known to Moodle, not emulated */
	bool write;
} ws_function;

/* The function called name, or NULL when Moodle has no such function. */
const ws_function *fn_lookup(const char *name);
/* Its parsed description (parsed once, thread-safe). */
const desc *fn_desc(const ws_function *f);
/* The version site_info reports ("2024090300", enrol_manual "2024042200"). */
const char *fn_version(const char *name);

/* The handlers, one file per family. */
int fn_get_site_info(wsctx *c);
int fn_get_courses_by_field(wsctx *c);
int fn_get_courses(wsctx *c);
int fn_create_courses(wsctx *c);
int fn_update_courses(wsctx *c);
int fn_delete_courses(wsctx *c);
int fn_duplicate_course(wsctx *c);
int fn_get_categories(wsctx *c);
int fn_create_categories(wsctx *c);
int fn_get_users_by_field(wsctx *c);
int fn_get_users(wsctx *c);
int fn_create_users(wsctx *c);
int fn_update_users(wsctx *c);
int fn_delete_users(wsctx *c);
int fn_enrol_users(wsctx *c);
int fn_unenrol_users(wsctx *c);
int fn_get_enrolled_users(wsctx *c);
int fn_get_course_enrolment_methods(wsctx *c);
int fn_get_users_courses(wsctx *c);
int fn_create_groups(wsctx *c);
int fn_get_course_groups(wsctx *c);
int fn_add_group_members(wsctx *c);
int fn_assign_roles(wsctx *c);
int fn_unassign_roles(wsctx *c);

#endif

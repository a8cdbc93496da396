/* plan_kinds.c -- names of plan action kinds and results, and which kinds
 * are destructive (see plan.h). */
#include "config.h"
#include "plan.h"

static const struct {
	const char *name, *label;
	bool destructive;
} kinds[PA_KIND_COUNT] = {
	[PA_CREATE_CATEGORY] = { "create_category", "create category", false },
	[PA_CREATE_COURSE] = { "create_course", "create course", false },
	[PA_UPDATE_COURSE] = { "update_course", "update course", false },
	[PA_CREATE_USER] = { "create_user", "create user", false },
	[PA_UPDATE_USER] = { "update_user", "update user", false },
	[PA_REACTIVATE_USER] = { "reactivate_user", "reactivate user", false },
	[PA_ENROL] = { "enrol", "enrol", false },
	[PA_REACTIVATE] = { "reactivate", "reactivate enrolment", false },
	[PA_UPDATE_ENROLMENT] = { "update_enrolment", "change enrolment dates", false },
	[PA_ADD_ROLE] = { "add_role", "add role", false },
	[PA_REMOVE_ROLE] = { "remove_role", "remove role", true },
	[PA_CREATE_GROUP] = { "create_group", "create course group", false },
	[PA_ADD_TO_GROUP] = { "add_to_group", "add to course group", false },
	[PA_SUSPEND] = { "suspend", "suspend enrolment", true },
	[PA_UNENROL] = { "unenrol", "unenrol", true },
	[PA_HIDE_COURSE] = { "hide_course", "hide course", true },
	[PA_SUSPEND_USER] = { "suspend_user", "suspend user", true },
	[PA_DELETE_USER] = { "delete_user", "delete user", true },
};

const char *plan_kind_name(enum plan_kind k)
{
	return (unsigned)k < PA_KIND_COUNT ? kinds[k].name : "unknown";
}

const char *plan_kind_label(enum plan_kind k)
{
	return (unsigned)k < PA_KIND_COUNT ? kinds[k].label : "unknown";
}

bool plan_kind_destructive(enum plan_kind k)
{
	return (unsigned)k < PA_KIND_COUNT && kinds[k].destructive;
}

const char *action_result_name(enum action_result r)
{
	static const char *const names[] = { "planned", "done", "failed", "unknown", "not run" };
	return (unsigned)r <= AR_NOT_RUN ? names[r] : "?";
}

/* access.h -- service accounts and capabilities: has_capability for the
 * token's user (site admins have every capability; other accounts have the
 * capability set of their system-level role), require_login into a course,
 * get_assignable_roles, and the course-contact and sharing rules that
 * decide which user fields a caller may see. */
#ifndef FAKEMOODLE_ACCESS_H
#define FAKEMOODLE_ACCESS_H

#include <stdbool.h>
#include "state.h"
#include "ws.h"

/* has_capability(cap) for the caller, in any context (accounts hold their
 * role at system level, which every context inherits). */
bool acc_has(const wsctx *c, const char *cap);
/* require_capability(): 0, or -1 with nopermissions set. */
int acc_require(wsctx *c, const char *cap);
/* The capability's human name (get_capability_string). */
const char *acc_cap_name(const char *cap);
/* require_login($course) as validate_context runs it: 0, or -1 with
 * requireloginerror set (debuginfo "Course is hidden" / "Not enrolled"). */
int acc_require_login(wsctx *c, mcourse *course);
/* True when the role can be assigned by the caller in a context of level. */
bool acc_can_assign(const wsctx *c, mid roleid, int level);
/* is_enrolled(course, user) with an active enrolment (onlyactive) or any. */
bool acc_is_enrolled(state *st, mcourse *course, mid userid, bool onlyactive);
/* The user enrolment is active now (status, instance enabled, dates). */
bool acc_ue_active(state *st, const muenrol *ue);
/* has_coursecontact_role(): the user holds a course-contact role anywhere. */
bool acc_has_coursecontact_role(state *st, mid userid);
/* enrol_sharing_course(): both users actively enrolled in one course. */
bool acc_sharing_course(state *st, mid a, mid b);
/* The course contacts ($CFG->coursecontact roles in the course context,
 * users not deleted, with an active enrolment when onlyenrolled), one entry
 * per user, by role sortorder then lastname, firstname, id. Fills out with
 * muser*. */
void acc_course_contacts(state *st, mcourse *course, bool onlyenrolled, vec *out);

#endif

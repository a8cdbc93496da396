/* identity.h -- how a person or group of the file is named in Moodle: a
 * person's username taken from the preferred userid (lower-cased), a group's
 * course shortname from the configured description, as the planner creates
 * them and as match.c looks them up. One place, so that both agree. */
#ifndef IMS2MOODLE_IDENTITY_H
#define IMS2MOODLE_IDENTITY_H

#include <stdbool.h>
#include "ims_model.h"
#include "settings.h"
#include "strtab.h"

/* The username of p (interned in t), or NULL when it has none. */
const char *person_username(const settings *cfg, const ims_person *p, strtab *t);

/* The text of g that src names (its id or a description), or NULL when
 * empty. */
const char *group_name_from(const ims_group *g, enum name_source src);
/* The shortname of g's course: courses.shortname, falling back to the long
 * description, then the id (§8 #75). */
const char *group_shortname(const settings *cfg, const ims_group *g);
/* Whether courses.match finds courses by field ("idnumber", "shortname"). */
bool course_match_uses(const settings *cfg, const char *field);

#endif

/* identity.h -- how a person of the file is named in Moodle: the username
 * taken from the preferred userid (lower-cased), as the planner creates it
 * and as match.c looks it up. One place, so that both agree. */
#ifndef IMS2MOODLE_IDENTITY_H
#define IMS2MOODLE_IDENTITY_H

#include "ims_model.h"
#include "settings.h"
#include "strtab.h"

/* The username of p (interned in t), or NULL when it has none. */
const char *person_username(const settings *cfg, const ims_person *p, strtab *t);

#endif

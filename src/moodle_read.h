/* moodle_read.h -- the bulk reads that fill the site snapshot (reference
 * §3): site info, all categories, all courses in one call or courses by
 * idnumber, users by a field in chunks, and the enrolments (with the
 * inactive ones told apart) and groups of courses. Each runs its requests
 * concurrently; any failed read fails the whole read, since a plan made
 * from half a site could withdraw what it merely did not see. Every read
 * sends moodlewssettingraw=1, so names come back as stored. */
#ifndef IMS2MOODLE_MOODLE_READ_H
#define IMS2MOODLE_MOODLE_READ_H

#include <json-c/json.h>
#include "moodle_client.h"
#include "site.h"

/* core_webservice_get_site_info into s->info. *reply (if not NULL) gets the
 * whole reply (the caller puts it), e.g. for the functions list. */
int moodle_read_site_info(moodle_client *c, site_snapshot *s, json_object **reply, errinfo *e);
/* Every category the token can see. */
int moodle_read_categories(moodle_client *c, site_snapshot *s, errinfo *e);
/* Every course (core_course_get_courses without options); the front page
 * is left out. Sets s->all_courses_read. */
int moodle_read_all_courses(moodle_client *c, site_snapshot *s, errinfo *e);
/* The courses whose idnumber is one of ids (one request each, concurrent). */
int moodle_read_courses_by_idnumber(moodle_client *c, site_snapshot *s, const char *const *ids,
				    size_t n, errinfo *e);
/* The same for another field of core_course_get_courses_by_field
 * (shortname, idnumber). */
int moodle_read_courses_by_field(moodle_client *c, site_snapshot *s, const char *field,
				 const char *const *values, size_t n, errinfo *e);
/* Users whose field (idnumber, username or email) is one of values, in
 * chunks that fit the field budget. Empty values are never sent (Moodle
 * would match every user with that field empty). */
int moodle_read_users(moodle_client *c, site_snapshot *s, const char *field,
		      const char *const *values, size_t n, errinfo *e);
/* The enrolments of each course: who, with which roles, and whether Moodle
 * counts the enrolment active (a second call lists the inactive ones); with
 * groups, also each user's course groups. Large courses are read in pages. */
int moodle_read_rosters(moodle_client *c, site_snapshot *s, const int64_t *courseids, size_t n,
			bool groups, errinfo *e);
/* The groups of each course (one cheap request each). */
int moodle_read_course_groups(moodle_client *c, site_snapshot *s, const int64_t *courseids,
			      size_t n, errinfo *e);

/* JSON helpers shared with apply: a member as an integer (0 when absent or
 * not a number), a string (NULL when absent or null), a boolean. */
int64_t json_int_of(json_object *o, const char *key);
const char *json_str_of(json_object *o, const char *key);
bool json_bool_of(json_object *o, const char *key);

#endif

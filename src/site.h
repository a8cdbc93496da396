/* site.h -- what ims2moodle knows of the Moodle site at planning time: the
 * categories, courses and users a run refers to, and the enrolments of the
 * courses it read. Filled by match.c from bulk REST reads (or from the
 * store in diff mode); read by the planner, which does no I/O.
 *
 * Everything lives in the snapshot's arena; strings are interned, so ids
 * compare with ==. Absent values are NULL. */
#ifndef IMS2MOODLE_SITE_H
#define IMS2MOODLE_SITE_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "ptrmap.h"
#include "strtab.h"

typedef struct site_category {
	int64_t id;
	int64_t parent;            /* 0 = top level */
	const char *name;
	const char *idnumber;      /* NULL when Moodle says null */
	int visible;               /* -1 unknown */
} site_category;

typedef struct site_course {
	int64_t id;
	int64_t categoryid;
	const char *shortname, *fullname, *idnumber, *summary;
	int visible;               /* 0, 1, or -1 unknown (token without course:update) */
	int64_t startdate, enddate;
	bool from_store;           /* known from the store only (diff mode) */
} site_course;

typedef struct site_user {
	int64_t id;
	const char *username, *idnumber, *email;
	const char *firstname, *lastname;
	const char *auth;
	const char *city, *country;
	bool suspended;
	bool from_store;
} site_user;

/* One user's enrolment in a course as Moodle reports it: any method, and
 * whether Moodle counts it active now (status, instance and dates). */
typedef struct site_enrolment {
	int64_t userid;
	int64_t *roleids;          /* course-context roles */
	int nroles;
	bool active;
	int64_t *groupids;
	int ngroups;
} site_enrolment;

typedef struct site_group {
	int64_t id;
	int64_t courseid;
	const char *name;
	const char *idnumber;
} site_group;

/* The enrolments of one course, when they were read. */
typedef struct site_roster {
	int64_t courseid;
	site_enrolment **items;    /* in the order they were added */
	size_t n;
	ptrmap by_user;            /* (void*)(intptr_t)userid -> site_enrolment* */
} site_roster;

/* The groups of one course, when they were read. */
typedef struct site_group_list {
	site_group *items;
	size_t n;
} site_group_list;

/* A list of candidates for a key that need not be unique (user idnumber,
 * course idnumber and shortname). */
typedef struct site_match {
	struct site_match *next;
	void *item;                /* site_course* or site_user* */
} site_match;

typedef struct site_info {
	const char *url;
	const char *sitename, *release, *version;
	int64_t token_userid;
	bool token_is_admin;
} site_info;

typedef struct site_snapshot {
	arena mem;
	strtab strings;
	site_info info;

	site_category **categories;
	size_t ncategories;
	site_course **courses;
	size_t ncourses;
	site_user **users;
	size_t nusers;

	ptrmap category_by_id;     /* (void*)id -> site_category* */
	ptrmap course_by_id;       /* (void*)id -> site_course* */
	ptrmap courses_by_idnumber;/* interned -> site_match* */
	ptrmap courses_by_shortname;
	ptrmap user_by_id;
	ptrmap users_by_idnumber;  /* interned -> site_match* */
	ptrmap users_by_username;  /* interned -> site_match* */
	ptrmap users_by_email;     /* interned, lower-cased -> site_match* */
	ptrmap roster_by_course;   /* (void*)courseid -> site_roster* */
	ptrmap groups_by_course;   /* (void*)courseid -> site_group_list* */

	/* role shortname (interned) <-> id, from the configuration and from
	 * what the rosters showed */
	ptrmap roleid_by_name;
	ptrmap rolename_by_id;

	bool all_courses_read;     /* every course of the site is in courses[] */
	uint64_t requests;         /* REST requests the reads took */
} site_snapshot;

site_snapshot *site_new(void);
void site_free(site_snapshot *s);
const char *site_intern(site_snapshot *s, const char *str);

/* Adders copy nothing: the caller fills a struct from site_alloc and hands
 * it over; strings must be interned with site_intern. Adding an id that is
 * already there replaces nothing and returns the existing object. */
void *site_alloc(site_snapshot *s, size_t n);
site_category *site_add_category(site_snapshot *s, site_category *c);
site_course *site_add_course(site_snapshot *s, site_course *c);
site_user *site_add_user(site_snapshot *s, site_user *u);
site_roster *site_add_roster(site_snapshot *s, int64_t courseid);
/* Adds an enrolment to a roster (roleids and groupids are copied). */
site_enrolment *site_roster_add(site_snapshot *s, site_roster *r, int64_t userid,
				const int64_t *roleids, int nroles, bool active,
				const int64_t *groupids, int ngroups);
/* Marks a course's groups as read (none yet) and returns the list. */
site_group_list *site_add_group_list(site_snapshot *s, int64_t courseid);
void site_add_course_group(site_snapshot *s, int64_t courseid, int64_t id, const char *name,
			   const char *idnumber);
void site_set_role(site_snapshot *s, const char *shortname, int64_t id);

site_category *site_category_by_id(const site_snapshot *s, int64_t id);
site_course *site_course_by_id(const site_snapshot *s, int64_t id);
site_user *site_user_by_id(const site_snapshot *s, int64_t id);
/* Candidates (may be several) for an exact key; NULL when none. key must be
 * interned with site_intern (or be any string: it is looked up first). */
const site_match *site_courses_by_idnumber(const site_snapshot *s, const char *key);
const site_match *site_courses_by_shortname(const site_snapshot *s, const char *key);
const site_match *site_users_by_idnumber(const site_snapshot *s, const char *key);
const site_match *site_users_by_username(const site_snapshot *s, const char *key);
/* Email lookup ignores ASCII case. */
const site_match *site_users_by_email(const site_snapshot *s, const char *key);
site_roster *site_roster_of(const site_snapshot *s, int64_t courseid);
/* The course's groups, or NULL when they were not read. */
const site_group_list *site_groups_of(const site_snapshot *s, int64_t courseid);
site_enrolment *site_roster_find(const site_roster *r, int64_t userid);
int64_t site_role_id(const site_snapshot *s, const char *shortname);  /* 0 if unknown */
const char *site_role_name(const site_snapshot *s, int64_t id);        /* NULL if unknown */
size_t site_match_count(const site_match *m);

#endif

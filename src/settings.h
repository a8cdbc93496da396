/* settings.h -- the validated settings that decide what a run does: how
 * identities are matched, what is created, how withdrawals and deletions
 * are handled, the planning mode and the safety thresholds. Filled from the
 * configuration file (config.c) with safe defaults; read by match, plan and
 * apply. Every key is documented in doc/ims2moodle.conf.5 and in the
 * example configuration (`ims2moodle config`). */
#ifndef IMS2MOODLE_SETTINGS_H
#define IMS2MOODLE_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>
#include "conf.h"
#include "ims_model.h"
#include "util.h"

enum user_match { MATCH_IDNUMBER, MATCH_USERNAME, MATCH_EMAIL };
enum withdraw_action { WITHDRAW_SUSPEND, WITHDRAW_UNENROL, WITHDRAW_IGNORE };
enum person_delete_action { PDEL_SUSPEND, PDEL_DELETE, PDEL_IGNORE };
enum group_delete_action { GDEL_HIDE, GDEL_IGNORE };
enum plan_mode { MODE_EVENT, MODE_SNAPSHOT };
enum site_read { READ_RECONCILE, READ_DIFF, READ_AUTO };
enum user_update { UPDATE_NEVER, UPDATE_RECSTATUS, UPDATE_CHANGED };
enum date_policy { DATES_RESTRICT, DATES_ALWAYS, DATES_NEVER };
enum password_policy { PASSWORD_RANDOM, PASSWORD_CREATE, PASSWORD_NONE };
enum name_source { NAME_ID, NAME_SHORT, NAME_LONG, NAME_FULL, NAME_NONE };

/* The destructive classes that safety thresholds guard. */
enum safety_class { SAFE_SUSPEND, SAFE_UNENROL, SAFE_USER_SUSPEND, SAFE_USER_DELETE,
		    SAFE_COURSE_HIDE, SAFE_CLASS_COUNT };

typedef struct threshold {
	double max_percent;        /* of the base (e.g. managed enrolments); < 0 = no limit */
	int64_t max_count;         /* absolute; < 0 = no limit */
} threshold;

typedef struct settings {
	/* files */
	unsigned repair;                   /* enum ims_repair bits */
	bool apply_dtd_defaults;
	bool accept_fragment;
	int parse_threads;                 /* ims_parse_options.threads */
	const char *target;                /* our name in properties/target, or NULL */
	bool refuse_older_file;            /* event mode: refuse a file older than the last applied */

	/* users */
	enum user_match user_match;
	const char **useridtypes;          /* preferred userid types, in order (NULL-terminated) */
	bool username_from_sourcedid;      /* when no userid: use the sourcedid id */
	bool lowercase_usernames;
	bool create_users;
	const char *auth;                  /* auth plugin of new users */
	enum password_policy password;
	enum user_update update_users;
	const char **user_update_fields;   /* firstname, lastname, email, city, country, auth */
	bool split_fn;                     /* a person with fn only: split at the last space */
	bool empty_clears;                 /* an empty element clears the Moodle field */
	const char *missing_email;         /* template for persons without email, or NULL */
	enum person_delete_action person_delete;

	/* courses */
	const char **course_match;         /* "idnumber", "shortname", in order */
	bool create_courses;
	bool courses_visible;              /* create visible (default: hidden) */
	enum name_source shortname_from;
	enum name_source fullname_from[4]; /* first non-empty wins; NAME_NONE ends */
	enum name_source summary_from;
	int64_t default_category;          /* Moodle category id for new courses */
	bool category_from_orgunit;        /* org/orgunit path names the category */
	bool update_courses;               /* apply group recstatus 2 to names */
	enum group_delete_action group_delete;
	const char **course_typevalues;    /* grouptype typevalues that are courses; NULL = any */
	const char **noncourse_typevalues; /* typevalues that are never courses */

	/* roles: IMS code (1..8) -> Moodle role shortname, NULL = unmapped */
	const char *role_map[ROLE_COUNT];

	/* enrolments */
	enum withdraw_action withdraw;
	enum date_policy dates;
	const char *timezone;              /* the site's, for dates without a zone */
	bool manage_all;                   /* also change enrolments ims2moodle did not make */
	bool course_groups;                /* role extension/cohort -> a course group */

	/* planning */
	enum plan_mode mode;
	const char **scope;                /* snapshot scope: group ids; NULL = groups in the file */
	bool allow_empty_snapshot;
	enum site_read site_read;
	int64_t reconcile_every;           /* seconds, for READ_AUTO */

	/* safety */
	threshold global[SAFE_CLASS_COUNT];
	threshold per_course[SAFE_CLASS_COUNT];
	int64_t global_min;                /* site-wide percentages apply from this count on */
	int64_t per_course_min;            /* per-course percentages apply from this count on */

	/* Moodle role ids by shortname (no WS function lists roles) */
	const char **role_id_names;        /* NULL-terminated, parallel to role_ids */
	const int64_t *role_ids;
	bool owned_role_arrays;            /* settings_free frees the two arrays */
} settings;

/* Fills s with the documented defaults. */
void settings_defaults(settings *s);
/* Fills s from the configuration (the defaults for what it leaves out).
 * Strings and lists point into c, which must outlive s. Returns 0 or
 * -EXIT_CONFIG naming the key's file:line. */
int settings_load(settings *s, config *c, errinfo *e);
/* Frees what settings_load allocated (not the strings, which are c's). */
void settings_free(settings *s);
const char *safety_class_name(enum safety_class c);   /* "suspend", "unenrol", ... */
const char *plan_mode_name(enum plan_mode m);          /* "event", "snapshot" */
const char *site_read_name(enum site_read r);          /* "reconcile", "diff", "auto" */

#endif

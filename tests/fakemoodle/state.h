/* state.h -- the emulated Moodle site: categories, courses with their enrol
 * instances, users, enrolments, role assignments, groups, contexts, site
 * settings and service accounts, with the hash indexes Moodle has (by id,
 * username, idnumber, email, shortname...) and an undo log that gives the
 * functions PostgreSQL's transactions: a rollback restores every row, but
 * not the id sequences, so a rolled-back insert burns its id.
 *
 * All access happens under st->lock (one request at a time, like Moodle's
 * serial semantics). Every change to a row goes through the st_* setters
 * below so that it can be undone. */
#ifndef FAKEMOODLE_STATE_H
#define FAKEMOODLE_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "coll.h"
#include "util.h"

typedef long long mid;   /* a database id */

enum { CTX_SYSTEM = 10, CTX_USER = 30, CTX_COURSECAT = 40, CTX_COURSE = 50, CTX_MODULE = 70, CTX_BLOCK = 80 };
enum { ENROL_ACTIVE = 0, ENROL_SUSPENDED = 1 };          /* user_enrolments.status */
enum { ENROL_INSTANCE_ENABLED = 0, ENROL_INSTANCE_DISABLED = 1 };

typedef struct mcontext {
	mid id;
	int level;
	mid instance;
} mcontext;

typedef struct mrole {
	mid id;
	char *shortname;
	char *name;             /* "" for the standard roles */
	int sortorder;
	char *archetype;
	int levels[6];          /* context levels where it can be assigned */
	int nlevels;
} mrole;

typedef struct mcategory {
	mid id;
	char *name;
	char *idnumber;         /* NULL = SQL NULL */
	char *description;
	int descriptionformat;
	mid parent;
	int visible, visibleold;
	long long timemodified;
	char *theme;
	mid contextid;
	vec children;           /* mcategory*, sibling order */
	vec courses;            /* mcourse*, by sortorder (position 0 first) */
	/* derived by st_refresh_categories() */
	long long sortorder;
	int depth;
	char *path;
	bool pos_dirty;         /* course positions need renumbering */
} mcategory;

typedef struct mcourse mcourse;

typedef struct menrol {
	mid id;
	mid courseid;
	char *enrol;            /* "manual", "guest", "self" */
	int status;             /* 0 enabled, 1 disabled */
	mid roleid;
	long long customint1;   /* manual: send welcome message */
	bool customint1_null;
	long long timecreated;
	u64map ues;             /* userid -> muenrol* */
	mcourse *course;
} menrol;

typedef struct muenrol {
	mid id;
	mid enrolid;
	mid userid;
	int status;
	long long timestart, timeend, timecreated, timemodified;
	menrol *inst;
} muenrol;

typedef struct mgroup {
	mid id;
	mid courseid;
	char *name;
	char *idnumber;
	char *description;
	int descriptionformat;
	char *enrolmentkey;     /* NULL = SQL NULL */
	int visibility;
	int participation;
	long long timecreated, timemodified;
	u64map members;         /* userid -> mmember* */
	mcourse *course;
} mgroup;

typedef struct mmember {
	mid id;
	mid groupid;
	mid userid;
	char *component;
	mid itemid;
	long long timeadded;
	mgroup *group;
} mmember;

struct mcourse {
	mid id;
	mid category;           /* 0 for the site course */
	char *fullname, *shortname, *idnumber, *summary, *format;
	int summaryformat;
	int showgrades, newsitems, showreports, visible, visibleold;
	long long startdate, enddate, maxbytes, defaultgroupingid;
	int groupmode, groupmodeforce, enablecompletion, completionnotify;
	char *lang, *theme, *calendartype;
	long long timecreated, timemodified, cacherev;
	int marker, legacyfiles, requested;
	int showactivitydates;
	int showcompletionconditions;   /* -1 = SQL NULL (the site course) */
	mid createdby;          /* who created it through the WS (can_delete_course) */
	int numsections;        /* last section number */
	int hiddensections, coursedisplay;
	mid contextid;
	vec enrols;             /* menrol*, instance order */
	vec groups;             /* mgroup*, by id */
	mcategory *cat;         /* NULL for the site course */
	long pos;               /* position in cat->courses (derived) */
	int unsorted;           /* sortorder 0 until the next fix_course_sortorder() */
	vec *groupcache;        /* MUC 'groupdata' of the course: snapshot copies
	                         * (mgroup*), NULL when invalid; not transactional */
};

typedef struct mpref {
	char *name;
	char *value;
	bool numeric;           /* json number when true (admin's _lastloaded) */
} mpref;

typedef struct mra {
	mid id;
	mid roleid;
	mid contextid;
	mid userid;
	char *component;
	mid itemid;
	long long timemodified;
} mra;

typedef struct muser {
	mid id;
	char *username, *auth, *password, *firstname, *lastname, *email, *idnumber;
	char *institution, *department, *address, *phone1, *phone2, *city, *country;
	char *lang, *theme, *timezone, *calendartype;
	char *description;      /* NULL = SQL NULL */
	char *firstnamephonetic, *lastnamephonetic, *middlename, *alternatename;
	char *interests;        /* tags, comma list; NULL when none */
	int descriptionformat, confirmed, deleted, suspended, mailformat, maildisplay;
	int trackforums, autosubscribe, maildigest;
	mid mnethostid;
	long long firstaccess, lastaccess, timecreated, timemodified;
	mid contextid;
	vec prefs;              /* mpref* */
	vec ues;                /* muenrol* */
	vec ras;                /* mra* */
	vec members;            /* mmember* */
} muser;

typedef struct mnotif {
	mid id;
	mid useridto, useridfrom;
	char *eventtype;
	char *subject;
	long long timecreated;
} mnotif;

/* A token: who it authenticates and what that account may do. Site admins
 * (settings.siteadmins) may do everything. */
typedef struct maccount {
	char *token;
	mid userid;
	vec caps;               /* char*, capability names */
	vec allow_assign;       /* role ids (as intptr_t) this account's role may assign */
	char *name;             /* label, informational */
} maccount;

typedef struct mfunc_entry {
	char *name;
} mfunc_entry;

/* Site settings that change behaviour. */
typedef struct msettings {
	int debug;
	int allowaccountssameemail;
	int extendedusernamechars;
	int passwordpolicy, minpasswordlength, minpassworddigits, minpasswordlower;
	int minpasswordupper, minpasswordnonalphanum, maxconsecutiveidentchars;
	int manual_enabled, manual_defaultenrol, manual_status, manual_welcome;
	mid manual_roleid;
	int guest_enabled, guest_defaultenrol, guest_status;
	int self_enabled, self_defaultenrol, self_status;
	mid self_roleid;
	int enablecompletion;
	int completion_default;     /* moodlecourse/enablecompletion */
	vec coursecontact;          /* role ids as intptr_t */
	vec siteadmins;             /* user ids as intptr_t */
	char *sitename;
	char *defaultcountry;       /* "" = unset */
	char *lang;
	long long now;              /* 0 = real clock, else fixed time() */
	int max_input_vars;
	int maxbytes;
} msettings;

/* One reversible change (see st_undo_push). */
typedef struct state state;
typedef void (*undo_fn)(state *st, void *a, void *b, long long n);
typedef struct undo_rec {
	undo_fn revert;     /* on rollback, newest first */
	undo_fn release;    /* on commit (frees what the change replaced), may be NULL */
	void *a, *b;
	long long n;
} undo_rec;

struct state {
	pthread_mutex_t lock;
	msettings set;

	/* rows by id (NULL = no row) */
	muser **users; size_t users_cap;
	mcourse **courses; size_t courses_cap;
	mcategory **cats; size_t cats_cap;
	menrol **enrols; size_t enrols_cap;
	mgroup **groups; size_t groups_cap;
	u64map contexts;        /* id -> mcontext* */
	u64map ctx_by_inst;     /* (level << 56 | instance) -> mcontext* */
	u64map ra_by_ctxuser;   /* (ctx << 32 | user) -> vec* of mra* */
	u64map ra_by_ctx;       /* ctx -> vec* of mra* */
	vec roles;              /* mrole* */
	vec topcats;            /* mcategory*, top-level sibling order */
	vec notifications;      /* mnotif* */
	vec accounts;           /* maccount* */
	vec service;            /* char*: the service's function names, in order */

	/* secondary indexes */
	strmulti user_username, user_idnumber, user_email, user_email_lower;
	strmulti course_shortname, course_idnumber, cat_idnumber;

	/* sequences (next id); never rolled back */
	mid seq_user, seq_course, seq_cat, seq_enrol, seq_ue, seq_ra, seq_group;
	mid seq_member, seq_context, seq_notif;

	/* counts of live rows */
	size_t n_users, n_courses, n_cats, n_ues, n_ras;
	size_t n_unsorted;      /* courses with unsorted set (a hint) */

	bool cats_dirty;        /* category sortorder/depth/path need recomputing */

	vec undo;               /* undo_rec* since the last commit */
};

/* The settings of a fresh site. */
void st_settings_defaults(msettings *s);
/* Creates the fresh site of the transcripts README: guest 1, admin 2, site
 * course 1, Category 1, roles 1-8, the 31 functions of the imsimport
 * service, the admin's token. Never fails. */
state *st_new_fresh(const char *admin_token);
void st_free(state *st);

/* time() as the site sees it (settings.now when fixed). */
long long st_now(const state *st);

/* ---- transactions ---- */
void st_undo_push(state *st, undo_fn revert, undo_fn release, void *a, void *b, long long n);
/* Makes every change since the last commit permanent. */
void st_commit(state *st);
/* Undoes every change since the last commit (ids stay consumed). */
void st_rollback(state *st);
/* Number of pending changes (a savepoint for st_rollback_to). */
size_t st_mark(const state *st);
/* Undoes the changes made after mark. */
void st_rollback_to(state *st, size_t mark);

/* ---- generic reversible setters ---- */
void st_set_int(state *st, int *field, int v);
void st_set_ll(state *st, long long *field, long long v);
/* v may be NULL (SQL NULL); the string is copied. */
void st_set_str(state *st, char **field, const char *v);

/* ---- lookups ---- */
muser *st_user(const state *st, mid id);
mcourse *st_course(const state *st, mid id);
mcategory *st_cat(const state *st, mid id);
menrol *st_enrol(const state *st, mid id);
mgroup *st_group(const state *st, mid id);
mrole *st_role(const state *st, mid id);
mcontext *st_context(const state *st, mid id);
mcontext *st_context_of(const state *st, int level, mid instance);
/* Role assignments of user in context (NULL when none). */
const vec *st_ras(const state *st, mid contextid, mid userid);
/* A user's enrolment in an instance, or NULL. */
muenrol *st_ue(const menrol *inst, mid userid);
/* The course's first instance of plugin name (enabled only if
 * only_enabled), or NULL. */
menrol *st_course_instance(const mcourse *c, const char *name, bool only_enabled);

/* ---- inserts (all reversible; ids come from the sequences) ---- */
/* The new user gets id and context. u is owned by the state afterwards. */
void st_user_insert(state *st, muser *u);
/* A new course with its context; placed first in its category. */
void st_course_insert(state *st, mcourse *c);
/* A new category, last among its siblings, with its context. */
void st_cat_insert(state *st, mcategory *cat);
void st_enrol_insert(state *st, mcourse *c, menrol *e);
void st_ue_insert(state *st, menrol *inst, muenrol *ue);
void st_ra_insert(state *st, mra *ra);
void st_group_insert(state *st, mgroup *g);
void st_member_insert(state *st, mgroup *g, mmember *m);
void st_notif_insert(state *st, mnotif *nt);
void st_pref_set(state *st, muser *u, const char *name, const char *value);

/* ---- deletes (reversible; rows are freed at commit) ---- */
void st_ue_delete(state *st, muenrol *ue);
void st_ra_delete(state *st, mra *ra);
void st_member_delete(state *st, mmember *m);
void st_group_delete(state *st, mgroup *g);
void st_enrol_delete(state *st, menrol *e);
/* Deletes the course and everything in it (instances, enrolments, role
 * assignments in its context, groups). */
void st_course_delete(state *st, mcourse *c);
void st_pref_delete(state *st, muser *u, mpref *p);

/* ---- indexed field setters (keep the indexes right, reversible) ---- */
void st_user_set_username(state *st, muser *u, const char *v);
void st_user_set_email(state *st, muser *u, const char *v);
void st_user_set_idnumber(state *st, muser *u, const char *v);
void st_course_set_shortname(state *st, mcourse *c, const char *v);
void st_course_set_idnumber(state *st, mcourse *c, const char *v);
/* Moves the course to another category, placing it as fix_course_sortorder() would. */
void st_course_move(state *st, mcourse *c, mcategory *to);

/* ---- derived data ---- */
/* Recomputes category sortorder (depth-first, 10000 apart), depth and path. */
void st_refresh_categories(state *st);
/* The course's sortorder (category sortorder + position; 1 for the site;
 * 0 while unsorted). */
long long st_course_sortorder(state *st, mcourse *c);
/* fix_course_sortorder(): unsorted courses (restored duplicates) get their
 * place (reversible). */
void st_fix_sortorder(state *st);
/* Marks a course unsorted (sortorder 0) or not, reversibly. */
void st_course_set_unsorted(state *st, mcourse *c, int v);
/* groups_get_course_data(): the course's cached groups, built from the
 * current rows when the cache is cold. Not rolled back with the data. */
const vec *st_groupcache(state *st, mcourse *c);
/* cache_helper::invalidate_by_definition('core', 'groupdata', ..., course). */
void st_groupcache_invalidate(mcourse *c);

/* ---- helpers for building rows ---- */
muser *st_user_alloc(const state *st);     /* defaults of a new user row */
mcourse *st_course_alloc(const state *st); /* defaults of a new course row */
/* The default enrol instances of a new course, per the plugin settings. */
void st_add_default_instances(state *st, mcourse *c);
/* Empty strings are never NULL: returns s or "". */
static inline const char *st_s(const char *s) { return s ? s : ""; }
/* fullname($user): firstname + " " + lastname. Caller frees. */
char *st_fullname(const muser *u);

/* ---- for the state loader only (not undoable) ---- */
/* Removes a fresh-site user (no enrolments or roles); returns its context id. */
mid st_load_drop_user(state *st, muser *u);
/* Removes a fresh-site category (no children or courses); returns its context id. */
mid st_load_drop_cat(state *st, mcategory *c);
/* Makes sure context id exists for (level, instance); bumps the sequence. */
void st_load_context(state *st, mid id, int level, mid instance);

/* A role by shortname, or NULL. */
mrole *st_role_by_shortname(const state *st, const char *shortname);
/* True when userid is a site admin. */
bool st_is_siteadmin(const state *st, mid userid);
maccount *st_account_by_token(const state *st, const char *token);
/* Adds (or replaces) an account; takes ownership. */
void st_account_add(state *st, maccount *a);
void st_account_free(maccount *a);

#endif

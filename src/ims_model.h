/* ims_model.h -- the in-memory IMS Enterprise 1.1 model: persons, groups,
 * memberships, members and roles, as read from one or more files.
 *
 * Everything lives in the model's arena, so the whole model is freed by
 * ims_model_free. The ids of persons, groups and memberships and the short
 * vocabulary records repeat (sources, codes, types) are interned: equal ids
 * compare with ==. A member's id is not (a full load has half a million,
 * and looking each up while parsing costs more than the rest of a member):
 * ims_canonical gives its interned twin when a person or group has it. Free text unique to a record (names, emails, descriptions,
 * extensions) is stored once, not interned. Absent optional text is NULL;
 * present but empty text is "" (the reference §4.7 distinguishes them). Lists are singly linked in document
 * order. Line numbers are those of the record's start tag in its file. */
#ifndef IMS2MOODLE_IMS_MODEL_H
#define IMS2MOODLE_IMS_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "strtab.h"
#include "ptrmap.h"

/* recstatus (person, group, role): absent, add, update, delete, or a value
 * that is none of those (the record is quarantined, never read as delete). */
enum ims_recstatus { RS_NONE = 0, RS_ADD = 1, RS_UPDATE = 2, RS_DELETE = 3, RS_INVALID = -1 };

/* role/status: absent, 0, 1 or invalid (absent and invalid quarantine). */
enum ims_status { ST_MISSING = -1, ST_INACTIVE = 0, ST_ACTIVE = 1, ST_INVALID = -2 };

/* member/idtype: 1 person, 2 group. */
enum ims_idtype { IDT_MISSING = 0, IDT_PERSON = 1, IDT_GROUP = 2, IDT_INVALID = -1 };

/* Role types, IMS codes 01..08 (reference §3). 0 = absent, -1 = unknown. */
enum ims_roletype {
	ROLE_MISSING = 0, ROLE_LEARNER = 1, ROLE_INSTRUCTOR = 2, ROLE_CONTENT_DEVELOPER = 3,
	ROLE_MEMBER = 4, ROLE_MANAGER = 5, ROLE_MENTOR = 6, ROLE_ADMINISTRATOR = 7,
	ROLE_TEACHING_ASSISTANT = 8, ROLE_UNKNOWN = -1
};
#define ROLE_COUNT 9

typedef struct ims_sourcedid {
	struct ims_sourcedid *next;
	const char *source;   /* may be NULL (Colleague omits it) */
	const char *id;       /* trimmed; "" when empty (the record is quarantined) */
	const char *type;     /* sourcedidtype: New, Old, Duplicate, or NULL */
} ims_sourcedid;

typedef struct ims_userid {
	struct ims_userid *next;
	const char *value;
	const char *useridtype;
	const char *password;          /* never logged nor reported */
	const char *pwencryptiontype;
	const char *authenticationtype;
} ims_userid;

typedef struct ims_typed_text {        /* tel (teltype), partname (partnametype) */
	struct ims_typed_text *next;
	const char *type;
	const char *value;
} ims_typed_text;

typedef struct ims_instrole {
	struct ims_instrole *next;
	const char *primaryrole;
	const char *type;
} ims_instrole;

typedef struct ims_adr {
	const char *pobox, *extadd, *locality, *region, *pcode, *country;
	ims_typed_text *streets;       /* type unused */
} ims_adr;

typedef struct ims_timeframe {
	const char *begin, *end;       /* as written (trimmed) */
	const char *begin_restrict, *end_restrict;
	const char *adminperiod;
} ims_timeframe;

/* A warning or quarantine reason is attached to the place it concerns. */
typedef struct ims_loc {
	uint32_t file;                 /* index into ims_model.files */
	uint32_t line;
	uint32_t col;
} ims_loc;

typedef struct ims_person {
	struct ims_person *next;
	ims_loc loc;
	int recstatus;                 /* enum ims_recstatus */
	const char *recstatus_raw;     /* when RS_INVALID */
	ims_sourcedid *sourcedids;
	const char *id;                /* the key: the sourcedid that is not "Old" */
	ims_userid *userids;
	const char *fn, *sort, *nickname;
	const char *given, *family, *prefix, *suffix;
	ims_typed_text *others;        /* n/other */
	ims_typed_text *partnames;
	const char *gender, *bday;
	const char *email, *url;
	ims_typed_text *tels;
	ims_adr *adr;
	const char *photo;
	const char *systemrole;
	ims_instrole *instroles;
	const char *datasource;
	const char *extension;         /* raw XML text of the extension's content */
	const char *quarantine;        /* why this record is not applied, or NULL */
	uint64_t fingerprint;          /* content hash, for duplicate detection */
	int duplicates;                /* how many other records with this id were merged */
	bool dup_conflict;             /* a duplicate differed (snapshot mode quarantines) */
} ims_person;

typedef struct ims_relationship {
	struct ims_relationship *next;
	const char *relation;          /* 1 parent, 2 child, 3 also-known-as; default "1" */
	const char *source, *id;
	const char *label;
} ims_relationship;

typedef struct ims_grouptype {
	struct ims_grouptype *next;
	const char *scheme;
	ims_typed_text *typevalues;    /* type = level */
} ims_grouptype;

typedef struct ims_group {
	struct ims_group *next;
	ims_loc loc;
	int recstatus;
	const char *recstatus_raw;
	ims_sourcedid *sourcedids;
	const char *id;
	ims_grouptype *grouptypes;
	const char *short_desc, *long_desc, *full_desc;
	const char *orgname, *orgtype, *orgid;
	ims_typed_text *orgunits;      /* outermost first */
	ims_timeframe *timeframe;
	const char *enrollaccept, *enrollallowed;
	const char *email, *url;
	ims_relationship *relationships;
	const char *datasource;
	const char *extension;
	const char *quarantine;
	uint64_t fingerprint;
	int duplicates;
	bool dup_conflict;
} ims_group;

/* Fields of a role that most files leave out, kept apart to keep roles small. */
typedef struct ims_role_extra {
	const char *roletype_raw;      /* as written, when not a clean code */
	const char *subrole;
	const char *userid;
	const char *datetime;
	const char *email;
	const char *datasource;
	ims_timeframe *timeframe;
	const char *extension;
	const char *cohort;            /* extension/cohort (Moodle: a course group) */
	const char *status_raw;        /* when ST_INVALID */
	const char *recstatus_raw;     /* when RS_INVALID */
} ims_role_extra;

typedef struct ims_role {
	struct ims_role *next;
	uint32_t line;
	int8_t roletype;               /* enum ims_roletype */
	int8_t status;                 /* enum ims_status */
	int8_t recstatus;              /* enum ims_recstatus */
	bool roletype_from_element;    /* Capita dialect: <roletype> child */
	ims_role_extra *x;             /* NULL when none of its fields is present */
	const char *quarantine;
} ims_role;

typedef struct ims_member {
	struct ims_member *next;
	uint32_t line;
	int8_t idtype;                 /* enum ims_idtype */
	const char *source;
	const char *id;                /* the person's or group's sourcedid id (not interned) */
	ims_role *roles;
	const char *quarantine;
} ims_member;

typedef struct ims_membership {
	struct ims_membership *next;
	ims_loc loc;
	const char *source;
	const char *id;                /* the container group's sourcedid id */
	const char *lmb_type;          /* Banner's stray <type> (merge/meta) */
	const char *recstatus_raw;     /* a recstatus on membership (not in the DTD) */
	ims_member *members;
	const char *quarantine;
} ims_membership;

typedef struct ims_properties {
	ims_loc loc;
	const char *lang;
	const char *datasource;
	const char *type;
	const char *datetime;
	ims_typed_text *targets;
	bool present;
} ims_properties;

/* Warning kinds, grouped in the check summary. */
enum ims_warning_kind {
	W_NO_PROPERTIES, W_UPPERCASE_NAME, W_UNKNOWN_ELEMENT, W_DUPLICATE_RECORD,
	W_ORDER, W_NBSP_IN_ID, W_DATETIME_FORMAT, W_DATE_FORMAT, W_BEGIN_AFTER_END,
	W_RECSTATUS_ON_MEMBERSHIP, W_FOREIGN_NAMESPACE, W_NO_SHORT_DESCRIPTION,
	W_IDTYPE_MISSING, W_CASE_ONLY_ID, W_SELF_RELATIONSHIP, W_MULTIPLE_TIMEFRAME,
	W_NON_STANDARD_VALUE, W_RELATIONSHIP_CYCLE,
	W_KIND_COUNT
};

#define IMS_WARNING_SAMPLES 5

typedef struct ims_warning_sample {
	ims_loc loc;
	const char *detail;            /* interned */
} ims_warning_sample;

typedef struct ims_warning_group {
	uint64_t count;
	int nsamples;
	ims_warning_sample samples[IMS_WARNING_SAMPLES];
} ims_warning_group;

/* Repairs made while reading (--repair), by kind: 0 ampersand, 1 leading-space. */
#define IMS_REPAIR_KINDS 2
#define IMS_REPAIR_SAMPLES 10
typedef struct ims_repair_group {
	uint64_t count;
	int nsamples;
	ims_loc samples[IMS_REPAIR_SAMPLES];   /* original line:col */
} ims_repair_group;

const char *ims_repair_kind_name(int kind);   /* "ampersand", "leading-space" */

typedef struct ims_counts {
	uint64_t persons, groups, memberships, members, roles;
	uint64_t roles_by_type[ROLE_COUNT + 1];   /* index roletype; [ROLE_COUNT] = unknown */
	uint64_t roles_by_status[3];              /* inactive, active, missing/invalid */
	uint64_t recstatus[3][5];                 /* [person, group, role][none, add, update, delete, invalid] */
	uint64_t quarantined;
	uint64_t duplicates;
} ims_counts;

typedef struct ims_model {
	arena mem;
	strtab strings;
	const char **files;            /* names of the files read, in order */
	uint32_t nfiles;
	ims_properties properties;     /* of the last file that had them */
	ims_person *persons;           /* current records only (duplicates merged) */
	ims_group *groups;
	ims_membership *memberships;
	ptrmap person_by_id;           /* interned id -> ims_person* */
	ptrmap group_by_id;            /* interned id -> ims_group* */
	ims_counts counts;
	ims_warning_group warnings[W_KIND_COUNT];
	ims_repair_group repairs[IMS_REPAIR_KINDS];
	/* tails for O(1) appends */
	ims_person **persons_tail;
	ims_group **groups_tail;
	ims_membership **memberships_tail;
} ims_model;

ims_model *ims_model_new(void);
void ims_model_free(ims_model *m);

/* Interns s[0..n) in the model's table. */
const char *ims_intern(ims_model *m, const char *s, size_t n);
/* The interned copy of s if the model has one (e.g. the id of a person or
 * group of the file), else NULL. */
const char *ims_canonical(const ims_model *m, const char *s);
/* Allocates zeroed memory in the model's arena. */
void *ims_alloc(ims_model *m, size_t n);
/* Adds a warning of kind at loc with a printf-style detail. */
void ims_warn(ims_model *m, enum ims_warning_kind kind, ims_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *ims_warning_name(enum ims_warning_kind kind);

/* Adds a finished record to the model: indexes it, and merges a repeated
 * sourcedid by the reference's rule (§8 #42: identical records merge
 * silently, conflicting ones are replaced by the later one, with a warning).
 * Returns true when the record is a new one in the list, false when it was
 * merged into the record of the same id (which keeps its place). */
bool ims_model_add_person(ims_model *m, ims_person *p);
bool ims_model_add_group(ims_model *m, ims_group *g);
void ims_model_add_membership(ims_model *m, ims_membership *ms);

ims_person *ims_find_person(const ims_model *m, const char *interned_id);
ims_group *ims_find_group(const ims_model *m, const char *interned_id);

/* Recomputes m->counts from the records (after parsing, or after merging). */
void ims_model_count(ims_model *m);

/* Role type helpers: "01", "1", "Learner", "learner", "Content Developer"
 * -> code; anything else -> ROLE_UNKNOWN; empty -> ROLE_MISSING. */
int ims_roletype_parse(const char *s, size_t n);
const char *ims_roletype_name(int code);   /* "Learner", ... */
const char *ims_roletype_code(int code);   /* "01", ... */

#endif

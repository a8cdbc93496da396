/* ims_build.c -- IMS element events -> model records (see ims_build.h).
 *
 * A stack of frames mirrors the open elements. Each frame's state says
 * where in the IMS tree it is (person, person/name, role/timeframe, ...);
 * a leaf frame also says which model field its text fills. The next state
 * is a function of the parent state and the child's name, so `id` under
 * `sourcedid` and `id` under `org` go to different places, and vendor
 * elements inside `extension` are never mistaken for IMS ones. */
#include "config.h"
#include "ims_build.h"
#include "isodate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- element names ---------------------------------------------------- */

static const char *const name_strings[IMS_NAME_COUNT] = {
	[N_ADMINPERIOD] = "adminperiod", [N_ADR] = "adr", [N_BDAY] = "bday",
	[N_BEGIN] = "begin", [N_COMMENTS] = "comments", [N_COUNTRY] = "country",
	[N_DATASOURCE] = "datasource", [N_DATETIME] = "datetime",
	[N_DEMOGRAPHICS] = "demographics", [N_DESCRIPTION] = "description",
	[N_DISABILITY] = "disability", [N_EMAIL] = "email", [N_END] = "end",
	[N_ENROLLACCEPT] = "enrollaccept", [N_ENROLLALLOWED] = "enrollallowed",
	[N_ENROLLCONTROL] = "enrollcontrol", [N_ENTERPRISE] = "enterprise",
	[N_EXTADD] = "extadd", [N_EXTENSION] = "extension", [N_EXTREF] = "extref",
	[N_FAMILY] = "family", [N_FINALRESULT] = "finalresult", [N_FN] = "fn",
	[N_FULL] = "full", [N_GENDER] = "gender", [N_GIVEN] = "given",
	[N_GROUP] = "group", [N_GROUPTYPE] = "grouptype", [N_ID] = "id",
	[N_IDTYPE] = "idtype", [N_INSTITUTIONROLE] = "institutionrole",
	[N_INTERIMRESULT] = "interimresult", [N_LABEL] = "label",
	[N_LOCALITY] = "locality", [N_LONG] = "long", [N_MEMBER] = "member",
	[N_MEMBERSHIP] = "membership", [N_N] = "n", [N_NAME] = "name",
	[N_NICKNAME] = "nickname", [N_ORG] = "org", [N_ORGNAME] = "orgname",
	[N_ORGUNIT] = "orgunit", [N_OTHER] = "other", [N_PARTNAME] = "partname",
	[N_PCODE] = "pcode", [N_PERSON] = "person", [N_PHOTO] = "photo",
	[N_POBOX] = "pobox", [N_PREFIX] = "prefix", [N_PROPERTIES] = "properties",
	[N_REGION] = "region", [N_RELATIONSHIP] = "relationship", [N_ROLE] = "role",
	[N_ROLETYPE] = "roletype", [N_SCHEME] = "scheme", [N_SHORT] = "short",
	[N_SORT] = "sort", [N_SOURCE] = "source", [N_SOURCEDID] = "sourcedid",
	[N_STATUS] = "status", [N_STREET] = "street", [N_SUBROLE] = "subrole",
	[N_SUFFIX] = "suffix", [N_SYSTEMROLE] = "systemrole", [N_TARGET] = "target",
	[N_TEL] = "tel", [N_TIMEFRAME] = "timeframe", [N_TYPE] = "type",
	[N_TYPEVALUE] = "typevalue", [N_URL] = "url", [N_USERID] = "userid",
};

const char *ims_name_string(int name)
{
	return name > IMS_NAME_UNKNOWN && name < IMS_NAME_COUNT ? name_strings[name] : NULL;
}

int ims_name_lookup(const char *local, bool *exact)
{
	char lower[32];
	size_t n = strlen(local);
	bool upper = false;

	*exact = true;
	if (n == 0 || n >= sizeof lower)
		return IMS_NAME_UNKNOWN;
	for (size_t i = 0; i <= n; i++) {
		char c = local[i];
		if (c >= 'A' && c <= 'Z') {
			c = (char)(c + 32);
			upper = true;
		}
		lower[i] = c;
	}
	/* The names are sorted, so a binary search finds one. */
	int lo = 1, hi = IMS_NAME_COUNT - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(lower, name_strings[mid]);
		if (c == 0) {
			*exact = !upper;
			return mid;
		}
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return IMS_NAME_UNKNOWN;
}

/* ---- states and fields -------------------------------------------------- */

enum state {
	S_DOC, S_ENTERPRISE, S_SKIP, S_EXT, S_PROPS,
	S_PERSON, S_P_NAME, S_P_N, S_P_DEMO, S_P_ADR, S_P_PHOTO,
	S_GROUP, S_G_GROUPTYPE, S_G_DESC, S_G_ORG, S_G_ENROLLCONTROL, S_G_REL,
	S_TIMEFRAME, S_MEMBERSHIP, S_MEMBER, S_ROLE, S_SOURCEDID, S_LEAF,
};

enum field {
	F_NONE,
	F_PROP_DATASOURCE, F_PROP_TARGET, F_PROP_TYPE, F_PROP_DATETIME,
	F_SID_SOURCE, F_SID_ID,
	F_P_USERID, F_P_FN, F_P_SORT, F_P_NICKNAME, F_P_FAMILY, F_P_GIVEN, F_P_OTHER,
	F_P_PREFIX, F_P_SUFFIX, F_P_PARTNAME, F_P_GENDER, F_P_BDAY, F_P_EMAIL, F_P_URL,
	F_P_TEL, F_P_DATASOURCE, F_P_PHOTO,
	F_ADR_POBOX, F_ADR_EXTADD, F_ADR_STREET, F_ADR_LOCALITY, F_ADR_REGION,
	F_ADR_PCODE, F_ADR_COUNTRY,
	F_G_SCHEME, F_G_TYPEVALUE, F_G_SHORT, F_G_LONG, F_G_FULL, F_G_ORGNAME,
	F_G_ORGUNIT, F_G_ORGTYPE, F_G_ORGID, F_G_ENROLLACCEPT, F_G_ENROLLALLOWED,
	F_G_EMAIL, F_G_URL, F_G_DATASOURCE, F_G_REL_LABEL,
	F_TF_BEGIN, F_TF_END, F_TF_ADMINPERIOD,
	F_MS_TYPE, F_MB_IDTYPE,
	F_R_SUBROLE, F_R_STATUS, F_R_USERID, F_R_DATETIME, F_R_EMAIL, F_R_DATASOURCE,
	F_R_ROLETYPE,
	F_COUNT
};

/* A record's id and the hash of its lower-cased form (fold_hash). */
typedef struct folded_rec {
	uint64_t hash;
	void *rec;              /* ims_person or ims_group, read at the end */
} folded_rec;

typedef struct frame {
	uint8_t state;
	uint8_t field;
	uint8_t name;           /* enum ims_name */
	const char *local;      /* for messages and extension capture */
} frame;

struct ims_builder {
	ims_model *m;
	ims_locator locate;     /* the current position, asked for only when needed */
	void *locate_ctx;
	const ims_parse_options *opt;
	uint32_t file;
	frame *stack;
	int depth;              /* frames in use; stack[0] is S_DOC */
	bool root_seen;
	bool fragment;          /* the root is a record (--accept-fragment): its
	                         * <enterprise> frame is synthetic */
	bool seen_membership;

	/* records being built */
	ims_person *person;
	ims_group *group;
	ims_membership *ms;
	ims_member *member;
	ims_member **member_tail;
	ims_role *role;
	ims_loc record_loc;
	uint64_t fp;            /* running fingerprint of the record */

	/* sub-structures being built */
	ims_sourcedid sid;
	bool sid_empty;         /* its id is "" (known without reading the string) */
	bool member_id_empty;
	ims_timeframe *tf;
	ims_relationship *rel;
	ims_grouptype *gt;
	ims_userid *uid;
	ims_typed_text *tt;
	const char *idtype_attr;

	/* the value each interned field had last: most repeat it (every
	 * member's source, idtype and status), and comparing with it costs
	 * less than hashing */
	const char *recent[F_COUNT];

	/* the ids of the model's persons and groups with a hash of their
	 * lower-cased form, gathered as records arrive, for the check of ids
	 * that differ only by case (ims_build_finish) */
	struct folded_ids { struct folded_rec *v; size_t n, cap; } folded[2];

	strbuf text;            /* text of the open leaf */
	strbuf raw;             /* extension being captured */
	int ext_depth;          /* depth of the extension element */
	bool cohort;            /* inside role/extension/cohort */
	strbuf cohort_text;
};

enum { FOLD_PERSONS, FOLD_GROUPS };

static uint64_t fold_hash(const char *s)
{
	uint64_t h = HASH_SEED;
	for (; *s; s++) {
		h ^= (unsigned char)((*s >= 'A' && *s <= 'Z') ? *s + 32 : *s);
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Notes a record of the model's list (one without an id is not checked). */
static void fold_record(ims_builder *b, int which, const char *id, void *rec)
{
	struct folded_ids *f = &b->folded[which];
	if (!id || !*id)
		return;
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 1024;
		f->v = xrealloc(f->v, f->cap * sizeof *f->v);
	}
	f->v[f->n++] = (folded_rec){ fold_hash(id), rec };
}

ims_builder *ims_builder_new(ims_model *m, uint32_t file, const ims_parse_options *opt,
			      ims_locator locate, void *locate_ctx)
{
	ims_builder *b = xcalloc(1, sizeof *b);
	b->m = m;
	b->locate = locate;
	b->locate_ctx = locate_ctx;
	b->opt = opt;
	b->file = file;
	b->stack = xcalloc((size_t)opt->max_depth + 2, sizeof *b->stack);
	b->stack[0].state = S_DOC;
	/* the records of files read before into the same model */
	for (ims_person *p = m->persons; p; p = p->next)
		fold_record(b, FOLD_PERSONS, p->id, p);
	for (ims_group *g = m->groups; g; g = g->next)
		fold_record(b, FOLD_GROUPS, g->id, g);
	return b;
}

void ims_builder_free(ims_builder *b)
{
	if (!b)
		return;
	sb_free(&b->text);
	sb_free(&b->raw);
	sb_free(&b->cohort_text);
	free(b->stack);
	free(b->folded[FOLD_PERSONS].v);
	free(b->folded[FOLD_GROUPS].v);
	free(b);
}

int ims_build_depth(const ims_builder *b)
{
	return b->depth;
}

void ims_build_open_path(const ims_builder *b, char *out, size_t outsz)
{
	size_t used = 0;
	out[0] = '\0';
	/* a fragment's <enterprise> is not in the file: leave it out */
	int first = b->fragment ? 2 : 1;
	for (int i = first; i <= b->depth && used + 1 < outsz; i++) {
		int n = snprintf(out + used, outsz - used, "%s%s", i > first ? "/" : "",
				 b->stack[i].local ? b->stack[i].local : "?");
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* ---- small helpers ------------------------------------------------------ */

static ims_loc here(ims_builder *b)
{
	return b->locate(b->locate_ctx);
}

static const char *intern(ims_builder *b, const char *s, size_t n)
{
	return ims_intern(b->m, s, n);
}

static const char *intern_attr(ims_builder *b, const ims_attr *a)
{
	const char *v = a->value;
	size_t n = a->len;
	str_trim_span(&v, &n);
	return intern(b, v, n);
}

static void fp_add(ims_builder *b, const void *data, size_t n)
{
	b->fp = hash_words(data, n, b->fp);
}

/* Adds a number (an element's name id, a recstatus) to the fingerprint. */
static inline void fp_add_number(ims_builder *b, uint64_t v)
{
	b->fp = hash_mix(b->fp, v);
}

/* Sets a single-valued field; a repeated element keeps the first value. */
static void set_once(ims_builder *b, const char **slot, const char *value, const char *what)
{
	if (*slot) {
		ims_warn(b->m, W_MULTIPLE_TIMEFRAME, here(b), "repeated <%s>; the first one is kept", what);
		return;
	}
	*slot = value;
}

static ims_role_extra *role_extra(ims_builder *b)
{
	if (!b->role->x)
		b->role->x = ims_alloc(b->m, sizeof *b->role->x);
	return b->role->x;
}

static ims_typed_text *new_tt(ims_builder *b, ims_typed_text **list)
{
	ims_typed_text *t = ims_alloc(b->m, sizeof *t);
	while (*list)
		list = &(*list)->next;
	*list = t;
	return t;
}

/* Parses a recstatus attribute: 1, 2 or 3 (trimmed), else RS_INVALID. */
static int parse_recstatus(ims_builder *b, const ims_attr *a, const char **raw)
{
	const char *v = a->value;
	size_t n = a->len;
	str_trim_span(&v, &n);
	if (n == 1 && v[0] >= '1' && v[0] <= '3')
		return v[0] - '0';
	*raw = intern(b, a->value, a->len);
	return RS_INVALID;
}

/* Whether the attribute is `name` (given in lower case), in any case:
 * inline, since every role and userid asks it of each attribute. */
static inline bool attr_is(const ims_attr *a, const char *name)
{
	const char *s = a->name;
	for (; *name; s++, name++)
		if (*s != *name && !(*s >= 'A' && *s <= 'Z' && *s + 32 == *name))
			return false;
	return *s == '\0';
}

/* The value of v when it is exactly one ASCII digit, else -1 (status and
 * idtype codes, read for every member). */
static inline int one_digit(const char *v)
{
	return v[0] >= '0' && v[0] <= '9' && v[1] == '\0' ? v[0] - '0' : -1;
}

/* Whether the text s[0..n) is the interned string t: short texts byte by
 * byte, without a call. */
static inline bool same_text(const char *t, const char *s, size_t n)
{
	if (strtab_len(t) != n)
		return false;
	if (n > 16)
		return memcmp(t, s, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] != s[i])
			return false;
	return true;
}

/* A NBSP (U+00A0) at either end of an id is not trimmed, but warned (§8 #44).
 * Checked on the text buffer, before interning, so that the interned
 * string is never read back (it is cold in memory). */
static void check_nbsp(ims_builder *b, const char *id, size_t n)
{
	if ((n >= 2 && (unsigned char)id[0] == 0xC2 && (unsigned char)id[1] == 0xA0) ||
	    (n >= 2 && (unsigned char)id[n - 2] == 0xC2 && (unsigned char)id[n - 1] == 0xA0))
		ims_warn(b->m, W_NBSP_IN_ID, here(b),
			 "id '%.*s' begins or ends with a no-break space (U+00A0), kept as is", (int)n, id);
}

static void check_date(ims_builder *b, const char *what, const char *value, ims_loc loc)
{
	isodate d;
	if (value && *value && !isodate_parse(value, strlen(value), &d))
		ims_warn(b->m, W_DATE_FORMAT, loc,
			 "%s '%s' is not a date ims2moodle reads (ISO 8601 YYYY-MM-DD, or a date-time); "
			 "it will be ignored", what, value);
}

static void check_timeframe(ims_builder *b, const ims_timeframe *tf, const char *owner,
			    ims_loc loc)
{
	isodate d1, d2;
	if (!tf)
		return;
	check_date(b, "begin", tf->begin, loc);
	check_date(b, "end", tf->end, loc);
	if (tf->begin && tf->end && isodate_parse(tf->begin, strlen(tf->begin), &d1) &&
	    isodate_parse(tf->end, strlen(tf->end), &d2) && isodate_cmp(&d1, &d2) > 0)
		ims_warn(b->m, W_BEGIN_AFTER_END, loc,
			 "%s: begin %s is after end %s; both dates will be ignored", owner,
			 tf->begin, tf->end);
}

/* ---- transitions ---------------------------------------------------------- */

typedef struct next {
	uint8_t state, field;
} next;

#define LEAF(f) ((next){ S_LEAF, (f) })
#define TO(s) ((next){ (s), F_NONE })
#define UNKNOWN ((next){ 255, F_NONE })

static next child_of(int parent, int name)
{
	switch (parent) {
	case S_ENTERPRISE:
		switch (name) {
		case N_PROPERTIES: return TO(S_PROPS);
		case N_PERSON: return TO(S_PERSON);
		case N_GROUP: return TO(S_GROUP);
		case N_MEMBERSHIP: return TO(S_MEMBERSHIP);
		case N_COMMENTS: return TO(S_SKIP);
		}
		break;
	case S_PROPS:
		switch (name) {
		case N_COMMENTS: return TO(S_SKIP);
		case N_DATASOURCE: return LEAF(F_PROP_DATASOURCE);
		case N_TARGET: return LEAF(F_PROP_TARGET);
		case N_TYPE: return LEAF(F_PROP_TYPE);
		case N_DATETIME: return LEAF(F_PROP_DATETIME);
		case N_EXTENSION: return TO(S_EXT);
		}
		break;
	case S_PERSON:
		switch (name) {
		case N_COMMENTS: return TO(S_SKIP);
		case N_SOURCEDID: return TO(S_SOURCEDID);
		case N_USERID: return LEAF(F_P_USERID);
		case N_NAME: return TO(S_P_NAME);
		case N_DEMOGRAPHICS: return TO(S_P_DEMO);
		case N_EMAIL: return LEAF(F_P_EMAIL);
		case N_URL: return LEAF(F_P_URL);
		case N_TEL: return LEAF(F_P_TEL);
		case N_ADR: return TO(S_P_ADR);
		case N_PHOTO: return TO(S_P_PHOTO);
		case N_SYSTEMROLE: return TO(S_SKIP);
		case N_INSTITUTIONROLE: return TO(S_SKIP);
		case N_DATASOURCE: return LEAF(F_P_DATASOURCE);
		case N_EXTENSION: return TO(S_EXT);
		}
		break;
	case S_P_NAME:
		switch (name) {
		case N_FN: return LEAF(F_P_FN);
		case N_SORT: return LEAF(F_P_SORT);
		case N_NICKNAME: return LEAF(F_P_NICKNAME);
		case N_N: return TO(S_P_N);
		}
		break;
	case S_P_N:
		switch (name) {
		case N_FAMILY: return LEAF(F_P_FAMILY);
		case N_GIVEN: return LEAF(F_P_GIVEN);
		case N_OTHER: return LEAF(F_P_OTHER);
		case N_PREFIX: return LEAF(F_P_PREFIX);
		case N_SUFFIX: return LEAF(F_P_SUFFIX);
		case N_PARTNAME: return LEAF(F_P_PARTNAME);
		}
		break;
	case S_P_DEMO:
		switch (name) {
		case N_GENDER: return LEAF(F_P_GENDER);
		case N_BDAY: return LEAF(F_P_BDAY);
		case N_DISABILITY: return TO(S_SKIP);
		}
		break;
	case S_P_ADR:
		switch (name) {
		case N_POBOX: return LEAF(F_ADR_POBOX);
		case N_EXTADD: return LEAF(F_ADR_EXTADD);
		case N_STREET: return LEAF(F_ADR_STREET);
		case N_LOCALITY: return LEAF(F_ADR_LOCALITY);
		case N_REGION: return LEAF(F_ADR_REGION);
		case N_PCODE: return LEAF(F_ADR_PCODE);
		case N_COUNTRY: return LEAF(F_ADR_COUNTRY);
		}
		break;
	case S_P_PHOTO:
		if (name == N_EXTREF)
			return LEAF(F_P_PHOTO);
		break;
	case S_GROUP:
		switch (name) {
		case N_COMMENTS: return TO(S_SKIP);
		case N_SOURCEDID: return TO(S_SOURCEDID);
		case N_GROUPTYPE: return TO(S_G_GROUPTYPE);
		case N_DESCRIPTION: return TO(S_G_DESC);
		case N_ORG: return TO(S_G_ORG);
		case N_TIMEFRAME: return TO(S_TIMEFRAME);
		case N_ENROLLCONTROL: return TO(S_G_ENROLLCONTROL);
		case N_EMAIL: return LEAF(F_G_EMAIL);
		case N_URL: return LEAF(F_G_URL);
		case N_RELATIONSHIP: return TO(S_G_REL);
		case N_DATASOURCE: return LEAF(F_G_DATASOURCE);
		case N_EXTENSION: return TO(S_EXT);
		}
		break;
	case S_G_GROUPTYPE:
		if (name == N_SCHEME)
			return LEAF(F_G_SCHEME);
		if (name == N_TYPEVALUE)
			return LEAF(F_G_TYPEVALUE);
		break;
	case S_G_DESC:
		switch (name) {
		case N_SHORT: return LEAF(F_G_SHORT);
		case N_LONG: return LEAF(F_G_LONG);
		case N_FULL: return LEAF(F_G_FULL);
		}
		break;
	case S_G_ORG:
		switch (name) {
		case N_ORGNAME: return LEAF(F_G_ORGNAME);
		case N_ORGUNIT: return LEAF(F_G_ORGUNIT);
		case N_TYPE: return LEAF(F_G_ORGTYPE);
		case N_ID: return LEAF(F_G_ORGID);
		}
		break;
	case S_G_ENROLLCONTROL:
		if (name == N_ENROLLACCEPT)
			return LEAF(F_G_ENROLLACCEPT);
		if (name == N_ENROLLALLOWED)
			return LEAF(F_G_ENROLLALLOWED);
		break;
	case S_G_REL:
		if (name == N_SOURCEDID)
			return TO(S_SOURCEDID);
		if (name == N_LABEL)
			return LEAF(F_G_REL_LABEL);
		break;
	case S_TIMEFRAME:
		switch (name) {
		case N_BEGIN: return LEAF(F_TF_BEGIN);
		case N_END: return LEAF(F_TF_END);
		case N_ADMINPERIOD: return LEAF(F_TF_ADMINPERIOD);
		}
		break;
	case S_MEMBERSHIP:
		switch (name) {
		case N_COMMENTS: return TO(S_SKIP);
		case N_SOURCEDID: return TO(S_SOURCEDID);
		case N_MEMBER: return TO(S_MEMBER);
		case N_TYPE: return LEAF(F_MS_TYPE);
		}
		break;
	case S_MEMBER:
		switch (name) {
		case N_COMMENTS: return TO(S_SKIP);
		case N_SOURCEDID: return TO(S_SOURCEDID);
		case N_IDTYPE: return LEAF(F_MB_IDTYPE);
		case N_ROLE: return TO(S_ROLE);
		}
		break;
	case S_ROLE:
		switch (name) {
		case N_COMMENTS: return TO(S_SKIP);
		case N_SUBROLE: return LEAF(F_R_SUBROLE);
		case N_STATUS: return LEAF(F_R_STATUS);
		case N_USERID: return LEAF(F_R_USERID);
		case N_DATETIME: return LEAF(F_R_DATETIME);
		case N_EMAIL: return LEAF(F_R_EMAIL);
		case N_DATASOURCE: return LEAF(F_R_DATASOURCE);
		case N_ROLETYPE: return LEAF(F_R_ROLETYPE);
		case N_TIMEFRAME: return TO(S_TIMEFRAME);
		case N_INTERIMRESULT: return TO(S_SKIP);
		case N_FINALRESULT: return TO(S_SKIP);
		case N_EXTENSION: return TO(S_EXT);
		}
		break;
	case S_SOURCEDID:
		if (name == N_SOURCE)
			return LEAF(F_SID_SOURCE);
		if (name == N_ID)
			return LEAF(F_SID_ID);
		break;
	}
	return UNKNOWN;
}

int ims_build_scope(int parent, int name)
{
	if (parent == IMS_SCOPE_TEXT)
		return IMS_SCOPE_TEXT;
	if (parent == S_DOC) /* a fragment's record is not followed */
		return name == N_ENTERPRISE ? S_ENTERPRISE : IMS_SCOPE_TEXT;
	if (parent == S_SKIP)
		return S_SKIP;
	/* as ims_build_start: an unknown element is skipped (or the file refused) */
	next nx = name != IMS_NAME_UNKNOWN ? child_of(parent, name) : UNKNOWN;
	if (nx.state == UNKNOWN.state)
		return S_SKIP;
	if (nx.state == S_LEAF || nx.state == S_EXT)
		return IMS_SCOPE_TEXT;
	return nx.state;
}

/* ---- starting records and sub-structures ---------------------------------- */

static void start_person(ims_builder *b, const ims_attr *attrs, size_t nattrs, ims_loc loc)
{
	ims_person *p = ims_alloc(b->m, sizeof *p);
	p->loc = loc;
	for (size_t i = 0; i < nattrs; i++)
		if (attr_is(&attrs[i], "recstatus"))
			p->recstatus = parse_recstatus(b, &attrs[i], &p->recstatus_raw);
	b->person = p;
	b->fp = HASH_SEED;
	fp_add_number(b, (uint64_t)p->recstatus);
	if (b->seen_membership)
		ims_warn(b->m, W_ORDER, loc, "person after a membership (the standard puts memberships last)");
}

static void start_group(ims_builder *b, const ims_attr *attrs, size_t nattrs, ims_loc loc)
{
	ims_group *g = ims_alloc(b->m, sizeof *g);
	g->loc = loc;
	for (size_t i = 0; i < nattrs; i++)
		if (attr_is(&attrs[i], "recstatus"))
			g->recstatus = parse_recstatus(b, &attrs[i], &g->recstatus_raw);
	b->group = g;
	b->fp = HASH_SEED;
	fp_add_number(b, (uint64_t)g->recstatus);
	if (b->seen_membership)
		ims_warn(b->m, W_ORDER, loc, "group after a membership (the standard puts memberships last)");
}

static void start_membership(ims_builder *b, const ims_attr *attrs, size_t nattrs, ims_loc loc)
{
	ims_membership *ms = ims_alloc(b->m, sizeof *ms);
	ms->loc = loc;
	for (size_t i = 0; i < nattrs; i++) {
		if (attr_is(&attrs[i], "recstatus")) {
			ms->recstatus_raw = intern_attr(b, &attrs[i]);
			ims_warn(b->m, W_RECSTATUS_ON_MEMBERSHIP, loc,
				 "recstatus=\"%s\" on <membership> has no standard meaning; ignored",
				 ms->recstatus_raw);
		}
	}
	b->ms = ms;
	b->member_tail = &ms->members;
	b->seen_membership = true;
}

static void start_member(ims_builder *b, const ims_attr *attrs, size_t nattrs, ims_loc loc)
{
	ims_member *mb = ims_alloc(b->m, sizeof *mb);
	b->member_id_empty = false;
	mb->line = loc.line;
	for (size_t i = 0; i < nattrs; i++)
		if (attr_is(&attrs[i], "recstatus"))
			ims_warn(b->m, W_RECSTATUS_ON_MEMBERSHIP, loc,
				 "recstatus on <member> has no standard meaning; ignored");
	*b->member_tail = mb;
	b->member_tail = &mb->next;
	b->member = mb;
	b->idtype_attr = NULL;
}

static void start_role(ims_builder *b, const ims_attr *attrs, size_t nattrs, ims_loc loc)
{
	ims_role *r = ims_alloc(b->m, sizeof *r);
	r->line = loc.line;
	r->status = ST_MISSING;
	r->roletype = ROLE_MISSING;
	ims_role **tail = &b->member->roles;
	while (*tail)
		tail = &(*tail)->next;
	*tail = r;
	b->role = r;
	for (size_t i = 0; i < nattrs; i++) {
		if (attr_is(&attrs[i], "roletype")) {
			r->roletype = (int8_t)ims_roletype_parse(attrs[i].value, attrs[i].len);
			if (r->roletype == ROLE_UNKNOWN || r->roletype == ROLE_MISSING)
				role_extra(b)->roletype_raw = intern(b, attrs[i].value, attrs[i].len);
			if (r->roletype == ROLE_MISSING)
				r->roletype = ROLE_UNKNOWN; /* roletype="" is not absent */
		} else if (attr_is(&attrs[i], "recstatus")) {
			const char *raw = NULL;
			r->recstatus = (int8_t)parse_recstatus(b, &attrs[i], &raw);
			if (raw)
				role_extra(b)->recstatus_raw = raw;
		}
	}
}

/* Attributes of leaf elements and attribute-only elements. */
static void leaf_attrs(ims_builder *b, int field, int name, const ims_attr *attrs,
		       size_t nattrs)
{
	switch (field) {
	case F_P_USERID: {
		ims_userid *u = ims_alloc(b->m, sizeof *u);
		ims_userid **tail = &b->person->userids;
		while (*tail)
			tail = &(*tail)->next;
		*tail = u;
		for (size_t i = 0; i < nattrs; i++) {
			const char *v = intern_attr(b, &attrs[i]);
			if (attr_is(&attrs[i], "useridtype"))
				u->useridtype = v;
			else if (attr_is(&attrs[i], "password"))
				u->password = v;
			else if (attr_is(&attrs[i], "pwencryptiontype"))
				u->pwencryptiontype = v;
			else if (attr_is(&attrs[i], "authenticationtype"))
				u->authenticationtype = v;
		}
		b->uid = u;
		return;
	}
	case F_P_TEL:
	case F_P_PARTNAME:
	case F_P_OTHER:
	case F_ADR_STREET:
	case F_G_TYPEVALUE:
	case F_G_ORGUNIT:
	case F_PROP_TARGET: {
		ims_typed_text **list =
			field == F_P_TEL ? &b->person->tels :
			field == F_P_PARTNAME ? &b->person->partnames :
			field == F_P_OTHER ? &b->person->others :
			field == F_ADR_STREET ? &b->person->adr->streets :
			field == F_G_TYPEVALUE ? &b->gt->typevalues :
			field == F_G_ORGUNIT ? &b->group->orgunits : &b->m->properties.targets;
		const char *type_attr = field == F_P_TEL ? "teltype" :
					field == F_P_PARTNAME ? "partnametype" :
					field == F_G_TYPEVALUE ? "level" : NULL;
		b->tt = new_tt(b, list);
		for (size_t i = 0; type_attr && i < nattrs; i++)
			if (attr_is(&attrs[i], type_attr))
				b->tt->type = intern_attr(b, &attrs[i]);
		if (field == F_P_TEL && !b->tt->type)
			b->tt->type = intern(b, "1", 1); /* DTD default */
		return;
	}
	case F_TF_BEGIN:
	case F_TF_END:
		for (size_t i = 0; i < nattrs; i++)
			if (attr_is(&attrs[i], "restrict")) {
				const char *v = intern_attr(b, &attrs[i]);
				if (field == F_TF_BEGIN)
					b->tf->begin_restrict = v;
				else
					b->tf->end_restrict = v;
			}
		return;
	case F_MB_IDTYPE:
		for (size_t i = 0; i < nattrs; i++)
			if (attr_is(&attrs[i], "idtype"))
				b->idtype_attr = intern_attr(b, &attrs[i]);
		return;
	}
	(void)name;
}

/* Attribute-only elements under person: systemrole, institutionrole. */
static void person_role_attrs(ims_builder *b, int name, const ims_attr *attrs, size_t nattrs)
{
	if (name == N_SYSTEMROLE) {
		for (size_t i = 0; i < nattrs; i++)
			if (attr_is(&attrs[i], "systemroletype"))
				b->person->systemrole = intern_attr(b, &attrs[i]);
		return;
	}
	ims_instrole *ir = ims_alloc(b->m, sizeof *ir);
	ims_instrole **tail = &b->person->instroles;
	while (*tail)
		tail = &(*tail)->next;
	*tail = ir;
	for (size_t i = 0; i < nattrs; i++) {
		if (attr_is(&attrs[i], "primaryrole"))
			ir->primaryrole = intern_attr(b, &attrs[i]);
		else if (attr_is(&attrs[i], "institutionroletype"))
			ir->type = intern_attr(b, &attrs[i]);
	}
}

static ims_timeframe *start_timeframe(ims_builder *b, int parent, ims_loc loc)
{
	ims_timeframe **slot = parent == S_GROUP ? &b->group->timeframe : &role_extra(b)->timeframe;
	ims_timeframe *tf = ims_alloc(b->m, sizeof *tf);
	if (*slot)
		ims_warn(b->m, W_MULTIPLE_TIMEFRAME, loc, "repeated <timeframe>; the first one is kept");
	else
		*slot = tf;
	return tf;
}

/* ---- extension capture --------------------------------------------------- */

static void raw_escape(strbuf *sb, const char *s, size_t n, bool attr)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': sb_adds(sb, "&amp;"); break;
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '"':
			if (attr) {
				sb_adds(sb, "&quot;");
				break;
			}
			/* fall through */
		default: sb_addc(sb, s[i]);
		}
	}
}

static int raw_check(ims_builder *b, errinfo *e)
{
	if (b->raw.len > b->opt->max_extension)
		return err_set(e, -EXIT_DATAERR,
			       "an <extension> is longer than %zu bytes (the limit for one extension)",
			       b->opt->max_extension);
	return 0;
}

static void store_extension(ims_builder *b, int owner)
{
	const char *raw = arena_strndup(&b->m->mem, sb_str(&b->raw), b->raw.len);
	switch (owner) {
	case S_PERSON: b->person->extension = raw; break;
	case S_GROUP: b->group->extension = raw; break;
	case S_ROLE: role_extra(b)->extension = raw; break;
	default: break; /* properties/extension: not kept */
	}
}

/* ---- events ----------------------------------------------------------------- */

int ims_build_start(ims_builder *b, const char *local, int name, bool exact, bool same_ns,
		    const ims_attr *attrs, size_t nattrs, errinfo *e)
{
	frame *parent = &b->stack[b->depth];
	int ps = parent->state;
	next nx;

	if (b->depth + 1 > b->opt->max_depth)
		return err_set(e, -EXIT_DATAERR,
			       "elements are nested deeper than %d levels; refused as hostile",
			       b->opt->max_depth);

	if (ps == S_EXT) {
		sb_addc(&b->raw, '<');
		sb_adds(&b->raw, local);
		for (size_t i = 0; i < nattrs; i++) {
			sb_addf(&b->raw, " %s=\"", attrs[i].name);
			raw_escape(&b->raw, attrs[i].value, attrs[i].len, true);
			sb_addc(&b->raw, '"');
		}
		sb_addc(&b->raw, '>');
		fp_add(b, local, strlen(local));
		if (b->depth == b->ext_depth && b->stack[b->depth - 1].state == S_ROLE &&
		    str_ieq_ascii(local, "cohort")) {
			b->cohort = true;
			sb_reset(&b->cohort_text);
		}
		b->depth++;
		/* libxml2's dictionary keeps `local` for the whole parse: its end
		 * tag in the kept text needs it (it was written "</?>") */
		b->stack[b->depth] = (frame){ S_EXT, F_NONE, (uint8_t)name, local };
		return raw_check(b, e);
	}
	if (ps == S_SKIP) {
		b->depth++;
		b->stack[b->depth] = (frame){ S_SKIP, F_NONE, (uint8_t)name, NULL };
		return 0;
	}

	if (ps == S_DOC) {
		bool record = name == N_PERSON || name == N_GROUP || name == N_MEMBERSHIP;
		if (b->root_seen)
			return err_set(e, -EXIT_DATAERR, "a second root element <%s>", local);
		b->root_seen = true;
		if (name == N_ENTERPRISE) {
			nx = TO(S_ENTERPRISE);
		} else if (record && b->opt->accept_fragment) {
			/* An LMB message: one record without <enterprise> (§8 #77). */
			b->fragment = true;
			b->depth++;
			b->stack[b->depth] = (frame){ S_ENTERPRISE, F_NONE, N_ENTERPRISE, "enterprise" };
			parent = &b->stack[b->depth];
			ps = S_ENTERPRISE;
			nx = child_of(ps, name);
		} else if (record) {
			return err_set(e, -EXIT_DATAERR,
				       "the root element is <%s>, a single-record message (as LMB posts "
				       "them), not an IMS Enterprise file; refused (accept it with "
				       "--accept-fragment)", local);
		} else {
			return err_set(e, -EXIT_DATAERR,
				       "the root element is <%s>, not <enterprise>: this is not an IMS "
				       "Enterprise file", local);
		}
	} else {
		nx = name != IMS_NAME_UNKNOWN ? child_of(ps, name) : UNKNOWN;
	}

	/* The position is asked for only where a record, a member or a role
	 * starts, or a warning may need it: leaves and sourcedids are most
	 * elements */
	bool positioned = !exact || !same_ns || nx.state == 255 || nx.state == S_PERSON ||
			  nx.state == S_GROUP || nx.state == S_MEMBERSHIP || nx.state == S_MEMBER ||
			  nx.state == S_ROLE || nx.state == S_PROPS || nx.state == S_TIMEFRAME ||
			  nx.state == S_P_ADR;
	ims_loc loc = positioned ? here(b) : (ims_loc){ 0 };
	if (nx.state == 255) {
		if (ps == S_ENTERPRISE && same_ns)
			return err_set(e, -EXIT_DATAERR,
				       "unknown element <%s> directly under <enterprise>: only properties, "
				       "person, group and membership may be there, and skipping it could "
				       "lose every record inside; refused", local);
		/* The same risk one level down: a record (or a member) inside
		 * another record is a file assembled wrongly, and skipping it
		 * would read as "withdrawn" in snapshot mode (§8 #32) */
		if (same_ns && ps != S_SKIP &&
		    (name == N_PERSON || name == N_GROUP || name == N_MEMBERSHIP || name == N_MEMBER)) {
			/* the innermost record open: the one not closed, if any */
			uint32_t line = b->member ? b->member->line : b->person ? b->person->loc.line :
					b->group ? b->group->loc.line : b->ms ? b->ms->loc.line : 0;
			const char *what = b->member ? "member" : b->person ? "person" :
					   b->group ? "group" : "membership";
			char where[96] = "";
			if (line)
				snprintf(where, sizeof where, " (is the <%s> of line %u closed?)", what, line);
			return err_set(e, -EXIT_DATAERR,
				       "<%s> inside <%s>%s: %s can only be %s, and skipping it could "
				       "lose the records inside; refused", local,
				       parent->local ? parent->local : "?", where,
				       name == N_MEMBER ? "a member" : "a record",
				       name == N_MEMBER ? "directly inside a <membership>" :
				       "directly inside <enterprise>");
		}
		if (same_ns)
			ims_warn(b->m, W_UNKNOWN_ELEMENT, loc, "unknown element <%s> inside <%s>, ignored",
				 local, parent->local ? parent->local : "?");
		else
			ims_warn(b->m, W_FOREIGN_NAMESPACE, loc,
				 "element <%s> of another namespace inside <%s>, ignored", local,
				 parent->local ? parent->local : "?");
		nx = TO(S_SKIP);
	} else {
		if (!exact)
			ims_warn(b->m, W_UPPERCASE_NAME, loc,
				 "element <%s> is not written in lower case; read as <%s>", local,
				 name_strings[name]);
		if (!same_ns)
			ims_warn(b->m, W_FOREIGN_NAMESPACE, loc,
				 "IMS element <%s> is not in the root element's namespace; read anyway",
				 local);
	}

	if (b->person || b->group)
		fp_add_number(b, (uint64_t)name);

	switch (nx.state) {
	case S_PERSON: start_person(b, attrs, nattrs, loc); break;
	case S_GROUP: start_group(b, attrs, nattrs, loc); break;
	case S_MEMBERSHIP: start_membership(b, attrs, nattrs, loc); break;
	case S_MEMBER: start_member(b, attrs, nattrs, loc); break;
	case S_ROLE: start_role(b, attrs, nattrs, loc); break;
	case S_PROPS:
		b->m->properties.present = true;
		b->m->properties.loc = loc;
		for (size_t i = 0; i < nattrs; i++)
			if (attr_is(&attrs[i], "lang"))
				b->m->properties.lang = intern_attr(b, &attrs[i]);
		break;
	case S_SOURCEDID:
		memset(&b->sid, 0, sizeof b->sid);
		for (size_t i = 0; i < nattrs; i++)
			if (attr_is(&attrs[i], "sourcedidtype"))
				b->sid.type = intern_attr(b, &attrs[i]);
		break;
	case S_TIMEFRAME:
		b->tf = start_timeframe(b, ps, loc);
		break;
	case S_P_ADR:
		if (b->person->adr)
			ims_warn(b->m, W_MULTIPLE_TIMEFRAME, loc, "repeated <adr>; the first one is kept");
		else
			b->person->adr = ims_alloc(b->m, sizeof *b->person->adr);
		break;
	case S_G_GROUPTYPE: {
		ims_grouptype *gt = ims_alloc(b->m, sizeof *gt);
		ims_grouptype **tail = &b->group->grouptypes;
		while (*tail)
			tail = &(*tail)->next;
		*tail = gt;
		b->gt = gt;
		break;
	}
	case S_G_REL: {
		ims_relationship *rel = ims_alloc(b->m, sizeof *rel);
		rel->relation = intern(b, "1", 1); /* DTD default */
		for (size_t i = 0; i < nattrs; i++)
			if (attr_is(&attrs[i], "relation"))
				rel->relation = intern_attr(b, &attrs[i]);
		b->rel = rel;
		break;
	}
	case S_EXT:
		sb_reset(&b->raw);
		b->ext_depth = b->depth + 1;
		break;
	case S_SKIP:
		if (ps == S_PERSON && (name == N_SYSTEMROLE || name == N_INSTITUTIONROLE))
			person_role_attrs(b, name, attrs, nattrs);
		break;
	case S_LEAF:
		sb_reset(&b->text);
		leaf_attrs(b, nx.field, name, attrs, nattrs);
		break;
	}
	if (b->person || b->group)
		for (size_t i = 0; i < nattrs; i++) {
			fp_add(b, attrs[i].name, strlen(attrs[i].name));
			fp_add(b, attrs[i].value, attrs[i].len);
		}

	b->depth++;
	b->stack[b->depth] = (frame){ nx.state, nx.field, (uint8_t)name, name_strings[name] ? name_strings[name] : NULL };
	if (!b->stack[b->depth].local)
		b->stack[b->depth].local = intern(b, local, strlen(local));
	return 0;
}

int ims_build_text(ims_builder *b, const char *text, size_t len, errinfo *e)
{
	frame *f = &b->stack[b->depth];

	if (f->state == S_LEAF) {
		if (b->text.len + len > b->opt->max_field)
			return err_set(e, -EXIT_DATAERR,
				       "the text of <%s> is longer than %zu bytes (the limit for one field)",
				       f->local, b->opt->max_field);
		sb_add(&b->text, text, len);
	} else if (f->state == S_EXT && b->depth >= b->ext_depth) {
		raw_escape(&b->raw, text, len, false);
		if (b->cohort)
			sb_add(&b->cohort_text, text, len);
		return raw_check(b, e);
	}
	return 0;
}

static const char *quarantine_reason(ims_builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The trimmed, interned text of the leaf being closed. */
/* Free text that is unique to its record (names, addresses, descriptions)
 * is copied into the arena; ids and the short vocabulary every record
 * repeats (source, status, idtype, role and type codes) are interned, so ids
 * compare with == and the table stays small enough to stay in cache. */
static bool is_free_text(int field)
{
	switch (field) {
	case F_P_USERID: case F_P_FN: case F_P_SORT: case F_P_NICKNAME: case F_P_FAMILY:
	case F_P_GIVEN: case F_P_OTHER: case F_P_PREFIX: case F_P_SUFFIX: case F_P_PARTNAME:
	case F_P_BDAY: case F_P_EMAIL: case F_P_URL: case F_P_TEL: case F_P_PHOTO:
	case F_ADR_POBOX: case F_ADR_EXTADD: case F_ADR_STREET: case F_ADR_LOCALITY:
	case F_ADR_PCODE: case F_G_SHORT: case F_G_LONG: case F_G_FULL: case F_G_EMAIL:
	case F_G_URL: case F_R_USERID: case F_R_EMAIL: case F_R_DATETIME:
		return true;
	}
	return false;
}

static const char *leaf_value(ims_builder *b, int field)
{
	const char *s = sb_str(&b->text);
	size_t n = b->text.len;
	str_trim_span(&s, &n);
	if (b->person || b->group)
		fp_add(b, s, n);
	if (field == F_SID_ID) {
		b->sid_empty = n == 0;
		check_nbsp(b, s, n);
	}
	if (is_free_text(field) || (field == F_SID_ID && b->stack[b->depth - 1].state == S_MEMBER))
		return arena_strndup(&b->m->mem, s, n);
	const char *last = b->recent[field];
	if (last && same_text(last, s, n))
		return last;
	return b->recent[field] = intern(b, s, n);
}

static void end_leaf(ims_builder *b, int field, const char *what)
{
	const char *v = leaf_value(b, field);
	ims_person *p = b->person;
	ims_group *g = b->group;
	ims_properties *pr = &b->m->properties;

	switch (field) {
	case F_PROP_DATASOURCE: pr->datasource = v; break;
	case F_PROP_TYPE: pr->type = v; break;
	case F_PROP_DATETIME: {
		isodate d;
		pr->datetime = v;
		if (*v && !isodate_parse(v, strlen(v), &d))
			ims_warn(b->m, W_DATETIME_FORMAT, here(b),
				 "properties/datetime '%s' is not ISO 8601; kept as text, the file's "
				 "date is unknown", v);
		break;
	}
	case F_SID_SOURCE: set_once(b, &b->sid.source, v, what); break;
	case F_SID_ID: set_once(b, &b->sid.id, v, what); break;
	case F_P_USERID: b->uid->value = v; break;
	case F_P_FN: set_once(b, &p->fn, v, what); break;
	case F_P_SORT: set_once(b, &p->sort, v, what); break;
	case F_P_NICKNAME: set_once(b, &p->nickname, v, what); break;
	case F_P_FAMILY: set_once(b, &p->family, v, what); break;
	case F_P_GIVEN: set_once(b, &p->given, v, what); break;
	case F_P_PREFIX: set_once(b, &p->prefix, v, what); break;
	case F_P_SUFFIX: set_once(b, &p->suffix, v, what); break;
	case F_P_GENDER: set_once(b, &p->gender, v, what); break;
	case F_P_BDAY: set_once(b, &p->bday, v, what); break;
	case F_P_EMAIL: set_once(b, &p->email, v, what); break;
	case F_P_URL: set_once(b, &p->url, v, what); break;
	case F_P_DATASOURCE: set_once(b, &p->datasource, v, what); break;
	case F_P_PHOTO: set_once(b, &p->photo, v, what); break;
	case F_P_TEL:
	case F_P_PARTNAME:
	case F_P_OTHER:
	case F_ADR_STREET:
	case F_G_TYPEVALUE:
	case F_G_ORGUNIT:
	case F_PROP_TARGET:
		b->tt->value = v;
		break;
	case F_ADR_POBOX: set_once(b, &p->adr->pobox, v, what); break;
	case F_ADR_EXTADD: set_once(b, &p->adr->extadd, v, what); break;
	case F_ADR_LOCALITY: set_once(b, &p->adr->locality, v, what); break;
	case F_ADR_REGION: set_once(b, &p->adr->region, v, what); break;
	case F_ADR_PCODE: set_once(b, &p->adr->pcode, v, what); break;
	case F_ADR_COUNTRY: set_once(b, &p->adr->country, v, what); break;
	case F_G_SCHEME: set_once(b, &b->gt->scheme, v, what); break;
	case F_G_SHORT: set_once(b, &g->short_desc, v, what); break;
	case F_G_LONG: set_once(b, &g->long_desc, v, what); break;
	case F_G_FULL: set_once(b, &g->full_desc, v, what); break;
	case F_G_ORGNAME: set_once(b, &g->orgname, v, what); break;
	case F_G_ORGTYPE: set_once(b, &g->orgtype, v, what); break;
	case F_G_ORGID: set_once(b, &g->orgid, v, what); break;
	case F_G_ENROLLACCEPT: set_once(b, &g->enrollaccept, v, what); break;
	case F_G_ENROLLALLOWED: set_once(b, &g->enrollallowed, v, what); break;
	case F_G_EMAIL: set_once(b, &g->email, v, what); break;
	case F_G_URL: set_once(b, &g->url, v, what); break;
	case F_G_DATASOURCE: set_once(b, &g->datasource, v, what); break;
	case F_G_REL_LABEL: set_once(b, &b->rel->label, v, what); break;
	case F_TF_BEGIN: set_once(b, &b->tf->begin, v, what); break;
	case F_TF_END: set_once(b, &b->tf->end, v, what); break;
	case F_TF_ADMINPERIOD: set_once(b, &b->tf->adminperiod, v, what); break;
	case F_MS_TYPE: set_once(b, &b->ms->lmb_type, v, what); break;
	case F_MB_IDTYPE: {
		/* <idtype>1</idtype>, or Moodle's <idtype idtype="1"/> (§8 #39).
		 * Guessing wrong enrols a course as a user (§8 #40): when the
		 * forms disagree, the member is quarantined. */
		const char *attr = b->idtype_attr;
		b->idtype_attr = NULL;
		if (*v && attr && *attr && strcmp(v, attr) != 0) {
			if (!b->member->quarantine)
				b->member->quarantine = quarantine_reason(
					b, "<idtype idtype=\"%s\"> holds the text '%s'; the two disagree", attr, v);
			b->member->idtype = IDT_INVALID;
			break;
		}
		if (!*v && attr)
			v = attr;
		int digit = one_digit(v);
		int idtype = digit == 1 ? IDT_PERSON : digit == 2 ? IDT_GROUP : IDT_INVALID;
		if (b->member->idtype != IDT_MISSING) {
			if (idtype != b->member->idtype && !b->member->quarantine)
				b->member->quarantine = quarantine_reason(
					b, "repeated <idtype> with different values ('%s' after '%s')", v,
					b->member->idtype == IDT_PERSON ? "1" : b->member->idtype == IDT_GROUP ? "2" : "?");
			else
				ims_warn(b->m, W_MULTIPLE_TIMEFRAME, here(b), "repeated <idtype>; the first one is kept");
			break;
		}
		b->member->idtype = (int8_t)idtype;
		if (b->member->idtype == IDT_INVALID && !b->member->quarantine)
			b->member->quarantine = quarantine_reason(b, "idtype '%s' is not 1 (person) or 2 (group)", v);
		break;
	}
	case F_R_SUBROLE: set_once(b, &role_extra(b)->subrole, v, what); break;
	case F_R_USERID: set_once(b, &role_extra(b)->userid, v, what); break;
	case F_R_DATETIME: set_once(b, &role_extra(b)->datetime, v, what); break;
	case F_R_EMAIL: set_once(b, &role_extra(b)->email, v, what); break;
	case F_R_DATASOURCE: set_once(b, &role_extra(b)->datasource, v, what); break;
	case F_R_STATUS: {
		int digit = one_digit(v);
		if (b->role->status != ST_MISSING) {
			/* <status>1</status><status>0</status>: which one is meant
			 * cannot be known, and one of them withdraws */
			int again = digit == 0 ? ST_INACTIVE : digit == 1 ? ST_ACTIVE : ST_INVALID;
			if (again != b->role->status && !b->role->quarantine)
				b->role->quarantine = quarantine_reason(
					b, "repeated <status> with different values ('%s' after '%s')", v,
					b->role->status == ST_ACTIVE ? "1" : b->role->status == ST_INACTIVE ? "0" :
					(b->role->x && b->role->x->status_raw ? b->role->x->status_raw : "?"));
			else
				ims_warn(b->m, W_MULTIPLE_TIMEFRAME, here(b), "repeated <status>; the first one is kept");
			break;
		}
		if (digit == 0 || digit == 1) {
			b->role->status = (int8_t)digit;
		} else {
			b->role->status = ST_INVALID;
			role_extra(b)->status_raw = v;
		}
		break;
	}
	case F_R_ROLETYPE:
		/* Capita: <roletype>01</roletype>; with the attribute too, both must agree. */
		if (b->role->roletype == ROLE_MISSING) {
			b->role->roletype = (int8_t)ims_roletype_parse(v, strlen(v));
			b->role->roletype_from_element = true;
			if (b->role->roletype == ROLE_UNKNOWN || b->role->roletype == ROLE_MISSING) {
				role_extra(b)->roletype_raw = v;
				b->role->roletype = ROLE_UNKNOWN;
			}
		} else if (ims_roletype_parse(v, strlen(v)) != b->role->roletype && !b->role->quarantine) {
			/* which one is meant cannot be known, and one of them may
			 * grant teacher rights (§8 #47) */
			b->role->quarantine = quarantine_reason(
				b, "the roletype attribute (%s) and <roletype>%s</roletype> disagree",
				b->role->roletype > 0 ? ims_roletype_code(b->role->roletype) :
				(b->role->x && b->role->x->roletype_raw ? b->role->x->roletype_raw : "?"), v);
		}
		break;
	}
}

static void end_sourcedid(ims_builder *b, int owner)
{
	const char *id = b->sid.id;
	if (!id) {
		id = b->sid.id = intern(b, "", 0);
		b->sid_empty = true;
	}
	switch (owner) {
	case S_PERSON:
	case S_GROUP: {
		ims_sourcedid *s = ims_alloc(b->m, sizeof *s);
		*s = b->sid;
		ims_sourcedid **tail = owner == S_PERSON ? &b->person->sourcedids : &b->group->sourcedids;
		while (*tail)
			tail = &(*tail)->next;
		*tail = s;
		break;
	}
	case S_MEMBERSHIP:
		if (b->ms->id) {
			ims_warn(b->m, W_MULTIPLE_TIMEFRAME, here(b), "repeated <sourcedid> in <membership>; the first one is kept");
			break;
		}
		b->ms->source = b->sid.source;
		b->ms->id = id;
		break;
	case S_MEMBER:
		if (b->member->id) {
			ims_warn(b->m, W_MULTIPLE_TIMEFRAME, here(b), "repeated <sourcedid> in <member>; the first one is kept");
			break;
		}
		b->member->source = b->sid.source;
		b->member->id = id;
		b->member_id_empty = b->sid_empty;
		break;
	case S_G_REL:
		b->rel->source = b->sid.source;
		b->rel->id = id;
		break;
	}
}

/* The key of a person or group: the first sourcedid not marked Old (a PIFU
 * id change lists Old and New, §8 #65). */
static const char *record_key(ims_sourcedid *list)
{
	for (ims_sourcedid *s = list; s; s = s->next)
		if (!str_ieq_ascii(s->type, "Old"))
			return s->id;
	return list ? list->id : NULL;
}

static const char *quarantine_reason(ims_builder *b, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return intern(b, buf, strlen(buf));
}

static void end_person(ims_builder *b)
{
	ims_person *p = b->person;
	p->id = record_key(p->sourcedids);
	if (!p->sourcedids)
		p->quarantine = quarantine_reason(b, "person has no <sourcedid>");
	else if (!*p->id)
		p->quarantine = quarantine_reason(b, "person has an empty sourcedid id");
	else if (p->recstatus == RS_INVALID)
		p->quarantine = quarantine_reason(b, "recstatus '%s' is not 1, 2 or 3", p->recstatus_raw);
	p->fingerprint = b->fp;
	if (ims_model_add_person(b->m, p))
		fold_record(b, FOLD_PERSONS, p->id, p);
	b->person = NULL;
}

static void end_group(ims_builder *b)
{
	ims_group *g = b->group;
	g->id = record_key(g->sourcedids);
	if (!g->sourcedids)
		g->quarantine = quarantine_reason(b, "group has no <sourcedid>");
	else if (!*g->id)
		g->quarantine = quarantine_reason(b, "group has an empty sourcedid id");
	else if (g->recstatus == RS_INVALID)
		g->quarantine = quarantine_reason(b, "recstatus '%s' is not 1, 2 or 3", g->recstatus_raw);
	if (g->id && *g->id && (!g->short_desc || !*g->short_desc) && g->recstatus != RS_DELETE)
		ims_warn(b->m, W_NO_SHORT_DESCRIPTION, g->loc,
			 "group %s has no description/short; the long description or the id "
			 "will be used", g->id);
	check_timeframe(b, g->timeframe, "group", g->loc);
	g->fingerprint = b->fp;
	if (ims_model_add_group(b->m, g))
		fold_record(b, FOLD_GROUPS, g->id, g);
	b->group = NULL;
}

static void end_role_checks(ims_builder *b, ims_member *mb, ims_role *r)
{
	ims_loc loc = { b->file, r->line, 0 };
	if (r->x)
		check_timeframe(b, r->x->timeframe, "role", loc);
	if (r->quarantine)
		return;
	if (r->recstatus == RS_INVALID)
		r->quarantine = quarantine_reason(b, "role recstatus '%s' is not 1, 2 or 3",
						  r->x->recstatus_raw);
	else if (r->status == ST_MISSING)
		r->quarantine = quarantine_reason(b, "role has no <status> (required); never read as a "
						  "withdrawal");
	else if (r->status == ST_INVALID)
		r->quarantine = quarantine_reason(b, "role status '%s' is not 0 or 1", r->x->status_raw);
	else if (r->roletype == ROLE_UNKNOWN)
		r->quarantine = quarantine_reason(b, "roletype '%s' is not an IMS role type (01-08)",
						  r->x && r->x->roletype_raw ? r->x->roletype_raw : "");
	else if (r->roletype == ROLE_MISSING && mb->idtype != IDT_GROUP) {
		if (b->opt->apply_dtd_defaults)
			r->roletype = ROLE_LEARNER;
		else
			r->quarantine = quarantine_reason(b, "role has no roletype (set apply_dtd_defaults "
							  "to read it as the DTD default 01 Learner)");
	}
}

static void end_member(ims_builder *b)
{
	ims_member *mb = b->member;
	if (!mb->id) {
		mb->id = "";
		b->member_id_empty = true;
	}
	if (!mb->quarantine) {
		if (b->member_id_empty)
			mb->quarantine = quarantine_reason(b, "member has an empty or missing sourcedid id");
		else if (!mb->roles)
			mb->quarantine = quarantine_reason(b, "member has no <role>");
	}
	if (mb->idtype == IDT_MISSING && !b->member_id_empty)
		ims_warn(b->m, W_IDTYPE_MISSING, here(b),
			 "member %s has no idtype; it is a person only if the id names one and no group",
			 mb->id);
	for (ims_role *r = mb->roles; r; r = r->next)
		end_role_checks(b, mb, r);
	b->member = NULL;
}

static void end_membership(ims_builder *b)
{
	ims_membership *ms = b->ms;
	if (!ms->id || !*ms->id)
		ms->quarantine = quarantine_reason(b, "membership has an empty or missing sourcedid id "
						   "(the group)");
	else if (!ms->members)
		ms->quarantine = quarantine_reason(b, "membership has no <member>");
	ims_model_add_membership(b->m, ms);
	b->ms = NULL;
}

int ims_build_end(ims_builder *b, errinfo *e)
{
	frame f = b->stack[b->depth];
	int parent = b->stack[b->depth - 1].state;

	b->depth--;
	switch (f.state) {
	case S_EXT:
		if (b->depth + 1 == b->ext_depth) {
			store_extension(b, parent);
		} else {
			sb_adds(&b->raw, "</");
			sb_adds(&b->raw, f.local ? f.local : "?");
			sb_addc(&b->raw, '>');
			if (b->cohort && b->depth == b->ext_depth) {
				const char *s = sb_str(&b->cohort_text);
				size_t n = b->cohort_text.len;
				str_trim_span(&s, &n);
				if (!role_extra(b)->cohort)
					role_extra(b)->cohort = intern(b, s, n);
				b->cohort = false;
			}
		}
		return raw_check(b, e);
	case S_LEAF: end_leaf(b, f.field, f.local); break;
	case S_SOURCEDID: end_sourcedid(b, parent); break;
	case S_PERSON: end_person(b); break;
	case S_GROUP: end_group(b); break;
	case S_MEMBER: end_member(b); break;
	case S_MEMBERSHIP: end_membership(b); break;
	case S_ROLE: b->role = NULL; break;
	case S_G_REL:
		if (b->rel->id && b->group->sourcedids && b->rel->id == record_key(b->group->sourcedids)) {
			ims_warn(b->m, W_SELF_RELATIONSHIP, here(b),
				 "group %s names itself as its relationship; that edge is ignored", b->rel->id);
		} else {
			ims_relationship **tail = &b->group->relationships;
			while (*tail)
				tail = &(*tail)->next;
			*tail = b->rel;
		}
		b->rel = NULL;
		break;
	}
	/* a fragment's record closed: so is its synthetic <enterprise> */
	if (b->fragment && b->depth == 1)
		b->depth = 0;
	return 0;
}

/* Ids that differ only by case (§8 #43): the records whose lower-cased
 * ids hash alike are found with a table of the hashes (gathered as the
 * records arrived, fold_record), and only those are sorted, by hash, line
 * and id, and their neighbours compared. */
typedef struct folded_id {
	uint64_t hash;
	const char *id;
	ims_loc loc;
} folded_id;

static int cmp_folded(const void *x, const void *y)
{
	const folded_id *a = x, *b = y;
	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	return strcmp(a->id, b->id);
}

static void check_case_only_ids(ims_builder *b, int which)
{
	const struct folded_ids *f = &b->folded[which];
	size_t size = 64;
	while (size < 2 * f->n)
		size *= 2;
	uint32_t *slot = xcalloc(size, sizeof *slot);   /* index + 1 in f->v, 0 empty */
	bool *alike = xcalloc(f->n + 1, sizeof *alike);
	size_t nalike = 0;
	for (size_t i = 0; i < f->n; i++) {
		size_t at = (size_t)f->v[i].hash & (size - 1);
		while (slot[at] && f->v[slot[at] - 1].hash != f->v[i].hash)
			at = (at + 1) & (size - 1);
		if (!slot[at]) {
			slot[at] = (uint32_t)i + 1;
			continue;
		}
		size_t first = slot[at] - 1;
		nalike += !alike[first] + 1;
		alike[first] = alike[i] = true;
	}
	folded_id *v = xcalloc(nalike + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < f->n && n < nalike; i++) {
		if (!alike[i])
			continue;
		/* the record's id and place now (a later duplicate may have replaced them) */
		if (which == FOLD_PERSONS) {
			const ims_person *p = f->v[i].rec;
			v[n++] = (folded_id){ f->v[i].hash, p->id, p->loc };
		} else {
			const ims_group *g = f->v[i].rec;
			v[n++] = (folded_id){ f->v[i].hash, g->id, g->loc };
		}
	}
	sort_array(v, n, sizeof *v, cmp_folded);
	for (size_t i = 1; i < n; i++)
		if (v[i].hash == v[i - 1].hash && v[i].id != v[i - 1].id && str_ieq_ascii(v[i].id, v[i - 1].id))
			ims_warn(b->m, W_CASE_ONLY_ID, v[i].loc,
				 "%s ids '%s' and '%s' differ only by case; they are different ids, "
				 "but a case-insensitive Moodle database may see one",
				 which == FOLD_PERSONS ? "person" : "group", v[i - 1].id, v[i].id);
	free(v);
	free(alike);
	free(slot);
}

/* Whether a relationship names the group's parent (relation 1, the
 * default); child (2) and also-known-as (3) links are not walked. */
static bool parent_link(const ims_relationship *r)
{
	return !r->relation || !*r->relation || strcmp(r->relation, "1") == 0;
}

/* Relationship cycles (§8 #74: A's parent is B, B's parent is A) are
 * reported; nothing follows the links today (they build no categories), so
 * this is a warning. An iterative depth-first walk of the parent links
 * between the file's groups: a link back to a group on the path closes a
 * cycle, reported once, where it closes. */
static void check_relationship_cycles(ims_builder *b)
{
	ptrmap state;            /* group -> 1 on the path, 2 done */
	ptrmap_init(&state);
	size_t cap = 64, depth;
	struct step { ims_group *g; ims_relationship *next; } *stack = xmalloc(cap * sizeof *stack);
	for (ims_group *root = b->m->groups; root; root = root->next) {
		if (ptrmap_get(&state, root))
			continue;
		depth = 0;
		stack[depth++] = (struct step){ root, root->relationships };
		ptrmap_put(&state, root, (void *)1);
		while (depth) {
			struct step *top = &stack[depth - 1];
			ims_relationship *r = top->next;
			if (!r) {
				ptrmap_put(&state, top->g, (void *)2);
				depth--;
				continue;
			}
			top->next = r->next;
			ims_group *to = parent_link(r) && r->id ? ims_find_group(b->m, r->id) : NULL;
			if (!to || to == top->g)
				continue; /* outside the file, or a self-link (warned already) */
			uintptr_t st = (uintptr_t)ptrmap_get(&state, to);
			if (st == 1) {
				ims_warn(b->m, W_RELATIONSHIP_CYCLE, top->g->loc,
					 "group %s's parent link to %s closes a cycle of relationships; "
					 "the links are not followed", top->g->id, to->id);
			} else if (st == 0) {
				if (depth == cap)
					stack = xrealloc(stack, (cap *= 2) * sizeof *stack);
				stack[depth++] = (struct step){ to, to->relationships };
				ptrmap_put(&state, to, (void *)1);
			}
		}
	}
	free(stack);
	ptrmap_free(&state);
}

int ims_build_finish(ims_builder *b, errinfo *e)
{
	if (!b->root_seen)
		return err_set(e, -EXIT_DATAERR, "the file has no root element");
	/* a single-record message (--accept-fragment) never has properties */
	if (!b->m->properties.present && !b->fragment)
		ims_warn(b->m, W_NO_PROPERTIES, (ims_loc){ b->file, 1, 1 },
			 "no <properties> (the standard requires it; Moodle's own examples omit it)");
	check_case_only_ids(b, FOLD_PERSONS);
	check_case_only_ids(b, FOLD_GROUPS);
	check_relationship_cycles(b);
	return 0;
}

/* ims_model.c -- the IMS model's storage, indexes, duplicate merging,
 * warnings and counts (see ims_model.h). */
#include "config.h"
#include "ims_model.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

ims_model *ims_model_new(void)
{
	ims_model *m = xcalloc(1, sizeof *m);
	arena_init(&m->mem);
	strtab_init(&m->strings, &m->mem);
	ptrmap_init(&m->person_by_id);
	ptrmap_init(&m->group_by_id);
	m->persons_tail = &m->persons;
	m->groups_tail = &m->groups;
	m->memberships_tail = &m->memberships;
	return m;
}

void ims_model_free(ims_model *m)
{
	if (!m)
		return;
	ptrmap_free(&m->person_by_id);
	ptrmap_free(&m->group_by_id);
	strtab_free(&m->strings);
	free(m->files);
	arena_free(&m->mem);
	free(m);
}

const char *ims_intern(ims_model *m, const char *s, size_t n)
{
	return strtab_intern(&m->strings, s, n);
}

const char *ims_canonical(const ims_model *m, const char *s)
{
	return s ? strtab_lookup(&m->strings, s, strlen(s)) : NULL;
}

void *ims_alloc(ims_model *m, size_t n)
{
	return arena_alloc(&m->mem, n);
}

static const char *const warning_names[W_KIND_COUNT] = {
	[W_NO_PROPERTIES] = "no-properties",
	[W_UPPERCASE_NAME] = "uppercase-element",
	[W_UNKNOWN_ELEMENT] = "unknown-element",
	[W_DUPLICATE_RECORD] = "duplicate-record",
	[W_ORDER] = "record-order",
	[W_NBSP_IN_ID] = "nbsp-in-id",
	[W_DATETIME_FORMAT] = "datetime-format",
	[W_DATE_FORMAT] = "date-format",
	[W_BEGIN_AFTER_END] = "begin-after-end",
	[W_RECSTATUS_ON_MEMBERSHIP] = "recstatus-on-membership",
	[W_FOREIGN_NAMESPACE] = "foreign-namespace",
	[W_NO_SHORT_DESCRIPTION] = "no-short-description",
	[W_IDTYPE_MISSING] = "idtype-missing",
	[W_CASE_ONLY_ID] = "ids-differ-by-case",
	[W_SELF_RELATIONSHIP] = "self-relationship",
	[W_MULTIPLE_TIMEFRAME] = "repeated-element",
	[W_NON_STANDARD_VALUE] = "non-standard-value",
	[W_RELATIONSHIP_CYCLE] = "relationship-cycle",
};

const char *ims_repair_kind_name(int kind)
{
	return kind == 0 ? "ampersand" : kind == 1 ? "leading-space" : "unknown";
}

const char *ims_warning_name(enum ims_warning_kind kind)
{
	return (unsigned)kind < W_KIND_COUNT ? warning_names[kind] : "unknown";
}

void ims_warn(ims_model *m, enum ims_warning_kind kind, ims_loc loc, const char *fmt, ...)
{
	ims_warning_group *g = &m->warnings[kind];
	g->count++;
	if (g->nsamples >= IMS_WARNING_SAMPLES)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	g->samples[g->nsamples].loc = loc;
	g->samples[g->nsamples].detail = ims_intern(m, buf, strlen(buf));
	g->nsamples++;
}

static const char *file_name(const ims_model *m, ims_loc loc)
{
	return loc.file < m->nfiles ? m->files[loc.file] : "?";
}

bool ims_model_add_person(ims_model *m, ims_person *p)
{
	ims_person *old = p->id && *p->id ? ptrmap_get(&m->person_by_id, p->id) : NULL;

	if (!old) {
		if (p->id && *p->id)
			ptrmap_put(&m->person_by_id, p->id, p);
		*m->persons_tail = p;
		m->persons_tail = &p->next;
		return true;
	}
	if (old->fingerprint == p->fingerprint) {
		old->duplicates++;
		return false;
	}
	ims_warn(m, W_DUPLICATE_RECORD, p->loc,
		 "person %s repeated with different content (first at %s:%u); the later record "
		 "wins (snapshot mode quarantines it)",
		 p->id, file_name(m, old->loc), old->loc.line);
	int dups = old->duplicates + 1;
	ims_person *next = old->next;
	*old = *p;
	old->next = next;
	old->duplicates = dups;
	old->dup_conflict = true;
	return false;
}

bool ims_model_add_group(ims_model *m, ims_group *g)
{
	ims_group *old = g->id && *g->id ? ptrmap_get(&m->group_by_id, g->id) : NULL;

	if (!old) {
		if (g->id && *g->id)
			ptrmap_put(&m->group_by_id, g->id, g);
		*m->groups_tail = g;
		m->groups_tail = &g->next;
		return true;
	}
	if (old->fingerprint == g->fingerprint) {
		old->duplicates++;
		return false;
	}
	ims_warn(m, W_DUPLICATE_RECORD, g->loc,
		 "group %s repeated with different content (first at %s:%u); the later record "
		 "wins (snapshot mode quarantines it)",
		 g->id, file_name(m, old->loc), old->loc.line);
	int dups = old->duplicates + 1;
	ims_group *next = old->next;
	*old = *g;
	old->next = next;
	old->duplicates = dups;
	old->dup_conflict = true;
	return false;
}

void ims_model_add_membership(ims_model *m, ims_membership *ms)
{
	*m->memberships_tail = ms;
	m->memberships_tail = &ms->next;
}

ims_person *ims_find_person(const ims_model *m, const char *interned_id)
{
	return interned_id ? ptrmap_get(&m->person_by_id, interned_id) : NULL;
}

ims_group *ims_find_group(const ims_model *m, const char *interned_id)
{
	return interned_id ? ptrmap_get(&m->group_by_id, interned_id) : NULL;
}

static int rs_index(int rs)
{
	return rs == RS_INVALID ? 4 : (rs >= 0 && rs <= 3 ? rs : 4);
}

void ims_model_count(ims_model *m)
{
	ims_counts *c = &m->counts;
	memset(c, 0, sizeof *c);
	for (ims_person *p = m->persons; p; p = p->next) {
		c->persons++;
		c->recstatus[0][rs_index(p->recstatus)]++;
		c->duplicates += (uint64_t)p->duplicates;
		if (p->quarantine)
			c->quarantined++;
	}
	for (ims_group *g = m->groups; g; g = g->next) {
		c->groups++;
		c->recstatus[1][rs_index(g->recstatus)]++;
		c->duplicates += (uint64_t)g->duplicates;
		if (g->quarantine)
			c->quarantined++;
	}
	for (ims_membership *ms = m->memberships; ms; ms = ms->next) {
		c->memberships++;
		if (ms->quarantine)
			c->quarantined++;
		for (ims_member *mb = ms->members; mb; mb = mb->next) {
			c->members++;
			if (mb->quarantine && !ms->quarantine)
				c->quarantined++;
			for (ims_role *r = mb->roles; r; r = r->next) {
				c->roles++;
				int t = r->roletype;
				c->roles_by_type[t >= 0 && t < ROLE_COUNT ? t : ROLE_COUNT]++;
				c->roles_by_status[r->status == ST_ACTIVE ? 1 : r->status == ST_INACTIVE ? 0 : 2]++;
				c->recstatus[2][rs_index(r->recstatus)]++;
				if (r->quarantine && !mb->quarantine && !ms->quarantine)
					c->quarantined++;
			}
		}
	}
}

static const struct {
	const char *word;
	int code;
} role_words[] = {
	{ "learner", ROLE_LEARNER },
	{ "instructor", ROLE_INSTRUCTOR },
	{ "contentdeveloper", ROLE_CONTENT_DEVELOPER },
	{ "member", ROLE_MEMBER },
	{ "manager", ROLE_MANAGER },
	{ "mentor", ROLE_MENTOR },
	{ "administrator", ROLE_ADMINISTRATOR },
	{ "teachingassistant", ROLE_TEACHING_ASSISTANT },
};

int ims_roletype_parse(const char *s, size_t n)
{
	char word[32];
	size_t w = 0;

	str_trim_span(&s, &n);
	if (n == 0)
		return ROLE_MISSING;
	if (s[0] >= '0' && s[0] <= '9') {
		int v = 0;
		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9' || i > 2)
				return ROLE_UNKNOWN;
			v = v * 10 + (s[i] - '0');
		}
		return v >= 1 && v <= 8 ? v : ROLE_UNKNOWN;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ' ')
			continue;
		if (w + 1 >= sizeof word)
			return ROLE_UNKNOWN;
		word[w++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	word[w] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(role_words); i++)
		if (strcmp(word, role_words[i].word) == 0)
			return role_words[i].code;
	return ROLE_UNKNOWN;
}

const char *ims_roletype_name(int code)
{
	static const char *const names[ROLE_COUNT] = {
		"(none)", "Learner", "Instructor", "ContentDeveloper", "Member",
		"Manager", "Mentor", "Administrator", "TeachingAssistant",
	};
	return code >= 0 && code < ROLE_COUNT ? names[code] : "(unknown)";
}

const char *ims_roletype_code(int code)
{
	static const char *const codes[ROLE_COUNT] = {
		"", "01", "02", "03", "04", "05", "06", "07", "08",
	};
	return code >= 0 && code < ROLE_COUNT ? codes[code] : "?";
}

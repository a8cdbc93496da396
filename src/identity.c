/* identity.c -- the username of a person, the shortname of a group (see identity.h). */
#include "config.h"
#include "identity.h"

#include <stdlib.h>
#include <string.h>

/* The userid a username comes from: the first of the configured
 * useridtypes that the person has, else the first non-empty userid
 * (Banner sends several: reference §8 #62). */
static const char *raw_username(const settings *cfg, const ims_person *p)
{
	for (const char **t = cfg->useridtypes; t && *t; t++)
		for (const ims_userid *u = p->userids; u; u = u->next)
			if (u->value && *u->value && str_eq(u->useridtype, *t))
				return u->value;
	if (!cfg->useridtypes || !cfg->useridtypes[0])
		for (const ims_userid *u = p->userids; u; u = u->next)
			if (u->value && *u->value)
				return u->value;
	return cfg->username_from_sourcedid ? p->id : NULL;
}

const char *person_username(const settings *cfg, const ims_person *p, strtab *t)
{
	const char *raw = raw_username(cfg, p);
	if (!raw)
		return NULL;
	size_t n = strlen(raw);
	char *buf = xmalloc(n + 1);
	for (size_t i = 0; i <= n; i++)
		buf[i] = (cfg->lowercase_usernames && raw[i] >= 'A' && raw[i] <= 'Z') ? (char)(raw[i] + 32) : raw[i];
	const char *u = strtab_intern(t, buf, n);
	free(buf);
	return u;
}

const char *group_name_from(const ims_group *g, enum name_source src)
{
	const char *v = NULL;
	switch (src) {
	case NAME_ID: v = g->id; break;
	case NAME_SHORT: v = g->short_desc; break;
	case NAME_LONG: v = g->long_desc; break;
	case NAME_FULL: v = g->full_desc; break;
	case NAME_NONE: v = NULL; break;
	}
	return v && *v ? v : NULL;
}

const char *group_shortname(const settings *cfg, const ims_group *g)
{
	const char *v = group_name_from(g, cfg->shortname_from);
	if (!v)
		v = g->long_desc && *g->long_desc ? g->long_desc : g->id;
	return v;
}

bool course_match_uses(const settings *cfg, const char *field)
{
	for (const char **f = cfg->course_match; f && *f; f++)
		if (str_ieq_ascii(*f, field))
			return true;
	return false;
}

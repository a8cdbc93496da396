/* conf.c -- reading and checking the configuration file (see conf.h). */
#include "config.h"
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

struct config {
	char **values;           /* parallel to config_keys; NULL = default */
	char **origins;
	const char ***lists;     /* parsed lists, cached */
	size_t nkeys;
};

static size_t key_count(void)
{
	size_t n = 0;
	while (config_keys[n].section)
		n++;
	return n;
}

config *config_new(void)
{
	config *c = xcalloc(1, sizeof *c);
	c->nkeys = key_count();
	c->values = xcalloc(c->nkeys, sizeof *c->values);
	c->origins = xcalloc(c->nkeys, sizeof *c->origins);
	c->lists = xcalloc(c->nkeys, sizeof *c->lists);
	return c;
}

static void free_list(const char **l)
{
	if (!l)
		return;
	for (size_t i = 0; l[i]; i++)
		free((char *)l[i]);
	free(l);
}

void config_free(config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nkeys; i++) {
		free(c->values[i]);
		free(c->origins[i]);
		free_list(c->lists[i]);
	}
	free(c->values);
	free(c->origins);
	free(c->lists);
	free(c);
}

static long find_key(const char *section, const char *name)
{
	for (long i = 0; config_keys[i].section; i++)
		if (strcmp(config_keys[i].section, section) == 0 && strcmp(config_keys[i].name, name) == 0)
			return i;
	return -1;
}

static bool section_exists(const char *section)
{
	for (size_t i = 0; config_keys[i].section; i++)
		if (strcmp(config_keys[i].section, section) == 0)
			return true;
	return false;
}

/* ---- values ---------------------------------------------------------------------- */

static bool parse_int(const char *v, int64_t *out)
{
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || end == v || *end)
		return false;
	*out = n;
	return true;
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		if (str_ieq_ascii(v, yes[i])) {
			*out = true;
			return true;
		}
		if (str_ieq_ascii(v, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool parse_duration(const char *v, double *out)
{
	char *end;
	double n = strtod(v, &end);
	if (end == v || n < 0)
		return false;
	while (*end == ' ')
		end++;
	double mult = strcmp(end, "") == 0 || strcmp(end, "s") == 0 ? 1 :
		      strcmp(end, "ms") == 0 ? 0.001 : strcmp(end, "m") == 0 ? 60 :
		      strcmp(end, "h") == 0 ? 3600 : strcmp(end, "d") == 0 ? 86400 : -1;
	if (mult < 0)
		return false;
	*out = n * mult;
	return true;
}

static bool parse_percent(const char *v, double *out)
{
	char *end;
	if (str_ieq_ascii(v, "none")) {
		*out = -1;
		return true;
	}
	double n = strtod(v, &end);
	if (end == v || (*end && strcmp(end, "%") != 0) || n < 0 || n > 100)
		return false;
	*out = n;
	return true;
}

static bool in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);
	for (const char *p = choices; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return true;
		p = bar ? bar + 1 : p + len;
	}
	return false;
}

static const char *type_name(enum config_type t)
{
	switch (t) {
	case CT_INT: return "a whole number";
	case CT_BOOL: return "yes or no";
	case CT_DURATION: return "a duration such as 30s, 5m, 2h or 7d";
	case CT_PERCENT: return "a percentage from 0 to 100, or none";
	default: return "a value";
	}
}

/* Checks v against the key's type; returns 0 or -EXIT_CONFIG. */
static int check_value(const config_key *k, const char *v, const char *origin, errinfo *e)
{
	int64_t n;
	bool b;
	double d;
	switch (k->type) {
	case CT_INT:
		if (!parse_int(v, &n))
			break;
		if (k->choices) {
			long long lo, hi;
			if (sscanf(k->choices, "%lld..%lld", &lo, &hi) == 2 && (n < lo || n > hi))
				return err_set(e, -EXIT_CONFIG, "%s: %s.%s must be from %lld to %lld, not %s",
					       origin, k->section, k->name, lo, hi, v);
		}
		return 0;
	case CT_BOOL:
		if (parse_bool(v, &b))
			return 0;
		break;
	case CT_DURATION:
		if (parse_duration(v, &d))
			return 0;
		break;
	case CT_PERCENT:
		if (parse_percent(v, &d))
			return 0;
		break;
	case CT_ENUM:
		if (in_choices(k->choices, v))
			return 0;
		return err_set(e, -EXIT_CONFIG, "%s: %s.%s is one of %s, not '%s'", origin, k->section,
			       k->name, k->choices, v);
	case CT_STRING:
	case CT_LIST:
		return 0;
	}
	return err_set(e, -EXIT_CONFIG, "%s: %s.%s must be %s, not '%s'", origin, k->section, k->name,
		       type_name(k->type), v);
}

int config_set(config *c, const char *section, const char *name, const char *value,
	       const char *origin, errinfo *e)
{
	long i = find_key(section, name);
	if (i < 0) {
		if (!section_exists(section))
			return err_set(e, -EXIT_CONFIG, "%s: unknown section [%s]", origin, section);
		return err_set(e, -EXIT_CONFIG, "%s: unknown key '%s' in [%s] (see `ims2moodle config` "
			       "for every key)", origin, name, section);
	}
	int rc = check_value(&config_keys[i], value, origin, e);
	if (rc < 0)
		return rc;
	free(c->values[i]);
	free(c->origins[i]);
	free_list(c->lists[i]);
	c->lists[i] = NULL;
	c->values[i] = xstrdup(value);
	c->origins[i] = xstrdup(origin);
	return 0;
}

/* ---- the file -------------------------------------------------------------------- */

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

int config_load(config *c, const char *path, errinfo *e)
{
	char *text;
	size_t len;
	char section[64] = "";
	int rc = read_file(path, &text, &len, e);
	if (rc < 0)
		return err_prefix(e, "configuration: ");
	int lineno = 0;
	char *save = NULL;
	for (char *line = text; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		char origin[512];
		snprintf(origin, sizeof origin, "%s:%d", path, lineno);
		char *s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (!end || end[1] != '\0' || end - s - 1 >= (long)sizeof section) {
				rc = err_set(e, -EXIT_CONFIG, "%s: a section header is [name]", origin);
				break;
			}
			*end = '\0';
			snprintf(section, sizeof section, "%s", trim(s + 1));
			if (!section_exists(section)) {
				rc = err_set(e, -EXIT_CONFIG, "%s: unknown section [%s]", origin, section);
				break;
			}
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = err_set(e, -EXIT_CONFIG, "%s: expected 'key = value'", origin);
			break;
		}
		if (!*section) {
			rc = err_set(e, -EXIT_CONFIG, "%s: a key before any [section]", origin);
			break;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		size_t vn = strlen(value);
		if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
			value[vn - 1] = '\0';
			value++;
		}
		if ((rc = config_set(c, section, key, value, origin, e)) < 0)
			break;
	}
	free(text);
	return rc;
}

/* ---- getters ----------------------------------------------------------------------- */

static long must_find(const char *section, const char *name)
{
	long i = find_key(section, name);
	if (i < 0) {
		fprintf(stderr, "ims2moodle: internal error: configuration key %s.%s is not declared\n",
			section, name);
		abort();
	}
	return i;
}

const char *config_str(const config *c, const char *section, const char *name)
{
	long i = must_find(section, name);
	return c->values[i] ? c->values[i] : config_keys[i].def;
}

int64_t config_int(const config *c, const char *section, const char *name)
{
	int64_t n = 0;
	const char *v = config_str(c, section, name);
	return v && parse_int(v, &n) ? n : 0;
}

bool config_bool(const config *c, const char *section, const char *name)
{
	bool b = false;
	const char *v = config_str(c, section, name);
	return v && parse_bool(v, &b) ? b : false;
}

double config_duration(const config *c, const char *section, const char *name)
{
	double d = 0;
	const char *v = config_str(c, section, name);
	return v && parse_duration(v, &d) ? d : 0;
}

double config_percent(const config *c, const char *section, const char *name)
{
	double d = -1;
	const char *v = config_str(c, section, name);
	return v && parse_percent(v, &d) ? d : -1;
}

const char **config_list(config *c, const char *section, const char *name)
{
	long i = must_find(section, name);
	if (c->lists[i])
		return c->lists[i];
	const char *v = config_str(c, section, name);
	size_t n = 0, cap = 4;
	const char **l = xcalloc(cap, sizeof *l);
	for (const char *p = v ? v : ""; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *s = p;
		str_trim_span(&s, &len);
		if (len) {
			if (n + 2 > cap)
				l = xrealloc(l, (cap *= 2) * sizeof *l);
			l[n++] = xstrndup(s, len);
		}
		p = comma ? comma + 1 : p + strlen(p);
	}
	l[n] = NULL;
	c->lists[i] = l;
	return l;
}

const char *config_origin(const config *c, const char *section, const char *name)
{
	long i = must_find(section, name);
	return c->origins[i] ? c->origins[i] : "default";
}

bool config_is_set(const config *c, const char *section, const char *name)
{
	return c->values[must_find(section, name)] != NULL;
}

/* ---- the example ---------------------------------------------------------------------- */

static void write_wrapped(FILE *out, const char *text)
{
	const char *p = text;
	while (*p) {
		size_t n = strlen(p), cut = n;
		if (n > 74) {
			cut = 74;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = 74;
		}
		fprintf(out, "# %.*s\n", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

void config_write_example(FILE *out)
{
	const char *section = NULL;
	fprintf(out, "# ims2moodle.conf -- every key with its default. A key left out has its\n"
		     "# default; an unknown key is an error. The token is never written here:\n"
		     "# it comes from MOODLE_TOKEN or a token file (moodle.token_file).\n");
	for (size_t i = 0; config_keys[i].section; i++) {
		const config_key *k = &config_keys[i];
		if (!section || strcmp(section, k->section) != 0) {
			section = k->section;
			fprintf(out, "\n[%s]\n", section);
		}
		fprintf(out, "\n");
		write_wrapped(out, k->doc);
		if (k->type == CT_ENUM)
			fprintf(out, "# One of: %s.\n", k->choices);
		if (k->def)
			fprintf(out, "#%s = %s\n", k->name, k->def);
		else
			fprintf(out, "#%s =\n", k->name);
	}
}

const char *config_default_path(const char *path)
{
	if (path)
		return path;
	const char *env = getenv("IMS2MOODLE_CONFIG");
	if (env && *env)
		return env;
	static const char sys[] = SYSCONFDIR "/ims2moodle.conf";
	return access(sys, R_OK) == 0 ? sys : NULL;
}

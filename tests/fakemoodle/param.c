/* param.c -- clean_param() and validate_param() for the PARAM_* types the
 * emulated functions declare (see param.h). */
#include "config.h"
#include "param.h"
#include "mtext.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const names[P__COUNT] = {
	[P_INT] = "int", [P_BOOL] = "bool", [P_FLOAT] = "float", [P_RAW] = "raw",
	[P_RAW_TRIMMED] = "raw_trimmed", [P_TEXT] = "text", [P_NOTAGS] = "notags",
	[P_ALPHA] = "alpha", [P_ALPHAEXT] = "alphaext", [P_ALPHANUM] = "alphanum",
	[P_ALPHANUMEXT] = "alphanumext", [P_SEQUENCE] = "sequence", [P_SAFEDIR] = "safedir",
	[P_PLUGIN] = "plugin", [P_USERNAME] = "username", [P_AUTH] = "auth", [P_LANG] = "lang",
	[P_THEME] = "theme", [P_TIMEZONE] = "timezone", [P_EMAIL] = "email",
};

const char *ptype_name(int t)
{
	return t >= 0 && t < P__COUNT ? names[t] : NULL;
}

int ptype_parse(const char *name)
{
	for (int t = 0; t < P__COUNT; t++)
		if (strcasecmp(names[t], name) == 0)
			return t;
	return -1;
}

bool param_auth_installed(const char *n)
{
	static const char *const auths[] = { "cas", "db", "email", "ldap", "lti", "manual", "mnet",
					     "nologin", "none", "oauth2", "shibboleth", "webservice" };
	for (size_t i = 0; i < ARRAY_LEN(auths); i++)
		if (strcmp(auths[i], n) == 0)
			return true;
	return false;
}

bool param_lang_installed(const char *n)
{
	return strcmp(n, "en") == 0;
}

bool param_theme_installed(const char *n)
{
	return strcmp(n, "boost") == 0 || strcmp(n, "classic") == 0;
}

bool param_plugin_name_ok(const char *s, size_t n)
{
	/* ^[a-z](?:[a-z0-9_](?!__))*[a-z0-9]+$ */
	if (n < 2 || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
		if (c == '_' && i + 1 < n && s[i + 1] == '_')
			return false;
	}
	char l = s[n - 1];
	return (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
}

static void keep_chars(strbuf *out, const char *s, size_t n, const char *extra, bool digits, bool alpha)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if ((alpha && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) ||
		    (digits && c >= '0' && c <= '9') || (c && extra && strchr(extra, c)))
			sb_addc(out, c);
	}
}

static bool timezone_ok(const char *s)
{
	static regex_t re;
	static int compiled;
	if (!compiled) {
		/* ^(([+-]?(0?[0-9](\.[5|0])?|1[0-3](\.0)?|1[0-2]\.5))|(99)|[[:alnum:]]+(\/?[[:alpha:]_-])+)$ */
		if (regcomp(&re, "^(([+-]?(0?[0-9](\\.[5|0])?|1[0-3](\\.0)?|1[0-2]\\.5))|(99)|[a-zA-Z0-9]+(/?[a-zA-Z_-])+)$",
			    REG_EXTENDED | REG_NOSUB) != 0)
			return false;
		compiled = 1;
	}
	return regexec(&re, s, 0, NULL, 0) == 0;
}

void param_clean(strbuf *out, int type, const char *s, size_t n, const param_env *env)
{
	switch (type) {
	case P_INT:
		sb_addf(out, "%lld", mt_php_intval(s));
		return;
	case P_BOOL: {
		char low[8] = "";
		if (n < sizeof low) {
			for (size_t i = 0; i < n; i++)
				low[i] = (char)tolower((unsigned char)s[i]);
			low[n] = '\0';
		}
		if (!strcmp(low, "on") || !strcmp(low, "yes") || !strcmp(low, "true"))
			sb_addc(out, '1');
		else if (!strcmp(low, "off") || !strcmp(low, "no") || !strcmp(low, "false"))
			sb_addc(out, '0');
		else
			sb_addc(out, mt_php_empty(s) ? '0' : '1');
		return;
	}
	case P_FLOAT:
	case P_RAW:
	case P_EMAIL:
		sb_add(out, s, n);
		return;
	case P_RAW_TRIMMED: {
		const char *p = s;
		size_t l = n;
		mt_php_trim(&p, &l);
		sb_add(out, p, l);
		return;
	}
	case P_TEXT:
		if (mt_param_text_ok(s, n))
			sb_add(out, s, n);
		else
			mt_strip_tags(out, s, n);
		return;
	case P_NOTAGS:
		mt_strip_tags(out, s, n);
		return;
	case P_ALPHA:
		keep_chars(out, s, n, NULL, false, true);
		return;
	case P_ALPHAEXT:
		keep_chars(out, s, n, "_-", false, true);
		return;
	case P_ALPHANUM:
		keep_chars(out, s, n, NULL, true, true);
		return;
	case P_ALPHANUMEXT:
	case P_SAFEDIR:
		keep_chars(out, s, n, "_-", true, true);
		return;
	case P_SEQUENCE:
		keep_chars(out, s, n, ",", true, false);
		return;
	case P_PLUGIN:
		if (param_plugin_name_ok(s, n))
			sb_add(out, s, n);
		return;
	case P_AUTH:
		if (param_plugin_name_ok(s, n) && strlen(s) == n && param_auth_installed(s))
			sb_add(out, s, n);
		return;
	case P_LANG: {
		strbuf t = STRBUF_INIT;
		keep_chars(&t, s, n, "_-", true, true);
		if (param_lang_installed(sb_str(&t)))
			sb_add(out, t.buf, t.len);
		sb_free(&t);
		return;
	}
	case P_THEME: {
		if (param_plugin_name_ok(s, n) && strlen(s) == n && param_theme_installed(s))
			sb_add(out, s, n);
		return;
	}
	case P_TIMEZONE:
		if (strlen(s) == n && timezone_ok(s))
			sb_add(out, s, n);
		return;
	case P_USERNAME: {
		const char *p = s;
		size_t l = n;
		mt_php_trim(&p, &l);
		strbuf low = STRBUF_INIT;
		mt_lower(&low, p, l);
		if (env && env->extendedusernamechars)
			sb_add(out, sb_str(&low), low.len);
		else
			for (size_t i = 0; i < low.len; i++) {
				char c = low.buf[i];
				if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
				    c == '@' || c == '_')
					sb_addc(out, c);
			}
		sb_free(&low);
		return;
	}
	default:
		sb_add(out, s, n);
	}
}

bool param_valid(int type, const char *s, size_t n, const param_env *env)
{
	if (type == P_BOOL)
		return n == 1 && (s[0] == '0' || s[0] == '1');
	if (type == P_INT)
		return mt_is_canonical_int(s, n);
	/* fix_utf8 runs first for the text types: invalid UTF-8 or NUL changes the value */
	if (!(n && mt_is_canonical_int(s, n)) && !mt_utf8_clean(s, n))
		return false;
	if (type == P_RAW || type == P_EMAIL || type == P_FLOAT)
		return true;
	if (type == P_TEXT)
		return mt_param_text_ok(s, n);
	if (type == P_NOTAGS)
		return mt_strip_tags_noop(s, n);
	strbuf c = STRBUF_INIT;
	param_clean(&c, type, s, n, env);
	bool ok = c.len == n && (n == 0 || memcmp(c.buf, s, n) == 0);
	sb_free(&c);
	return ok;
}

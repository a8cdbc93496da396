/* param.h -- Moodle's PARAM_* types: their names (as they appear in
 * validation messages), clean_param() and the "value must equal its cleaned
 * form" test that validate_param() applies. */
#ifndef FAKEMOODLE_PARAM_H
#define FAKEMOODLE_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

enum ptype {
	P_INT, P_BOOL, P_FLOAT, P_RAW, P_RAW_TRIMMED, P_TEXT, P_NOTAGS, P_ALPHA,
	P_ALPHAEXT, P_ALPHANUM, P_ALPHANUMEXT, P_SEQUENCE, P_SAFEDIR, P_PLUGIN,
	P_USERNAME, P_AUTH, P_LANG, P_THEME, P_TIMEZONE, P_EMAIL, P__COUNT
};

/* What cleaning depends on: site settings. */
typedef struct param_env {
	bool extendedusernamechars;
} param_env;

/* "int", "bool", "raw_trimmed", ... or NULL. */
const char *ptype_name(int t);
/* The type for a name ("INT", "int", "ALPHANUMEXT"...), or -1. */
int ptype_parse(const char *name);
/* clean_param($s, $type) as a string; appends to out. */
void param_clean(strbuf *out, int type, const char *s, size_t n, const param_env *env);
/* validate_param(): true when s equals its cleaned form (PARAM_BOOL: only
 * "0"/"1", as validate_parameters accepts them). */
bool param_valid(int type, const char *s, size_t n, const param_env *env);

/* Installed plugins of the emulated site. */
bool param_auth_installed(const char *name);
bool param_lang_installed(const char *name);
bool param_theme_installed(const char *name);
/* is_valid_plugin_name(). */
bool param_plugin_name_ok(const char *s, size_t n);

#endif

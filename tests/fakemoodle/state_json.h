/* state_json.h -- the state's JSON form: what --state loads, what --dump
 * and GET /__state write. The format is documented in README.md: a fresh
 * site plus the objects the file lists (an object with the id of a
 * fresh-site object replaces it), every field optional but the few that
 * identify a row. The dump is deterministic: rows sorted by id, keys in a
 * fixed order, so equal states dump byte for byte equally. */
#ifndef FAKEMOODLE_STATE_JSON_H
#define FAKEMOODLE_STATE_JSON_H

#include <json-c/json.h>
#include "state.h"
#include "util.h"

/* Applies a parsed state document to st (normally a fresh site): settings,
 * sequences, roles, service, accounts, categories, courses, users,
 * enrolments, role assignments, groups. Returns 0, or -EXIT_DATAERR with e
 * set (st is then partly loaded and should be discarded). */
int state_load_json(state *st, json_object *doc, errinfo *e);
/* Reads and applies a state file. */
int state_load_file(state *st, const char *path, errinfo *e);
/* Writes the whole state as JSON (one row per line) to out. */
void state_dump(state *st, strbuf *out);
/* Applies a settings object ({"debug": 15, ...}); unknown keys are an
 * error. Used by the load and by the test hook. */
int state_apply_settings(state *st, json_object *obj, errinfo *e);
/* Appends a JSON string literal (quotes, escapes; UTF-8 kept). */
void json_add_str(strbuf *out, const char *s);

#endif

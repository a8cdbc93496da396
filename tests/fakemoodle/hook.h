/* hook.h -- the test hook (POST /__hook): changes a test makes to the
 * site outside the Web Services, like the SQL preconditions of the
 * transcripts. The body is one operation object or a list of them:
 *   {"op": "settings", "set": {"debug": 15, ...}}
 *   {"op": "enrol_instance", "courseid": 3, "enrol": "manual",
 *    "set": {"status": 1, "customint1": 0, "roleid": 5}}
 *   {"op": "delete_enrol_instance", "courseid": 3, "enrol": "manual"}
 *   {"op": "service", "add": [names], "remove": [names]}
 *   {"op": "load", "state": {... a state document, applied on top ...}}
 * Each operation is committed at once. */
#ifndef FAKEMOODLE_HOOK_H
#define FAKEMOODLE_HOOK_H

#include <json-c/json.h>
#include "state.h"
#include "util.h"

/* Applies the operations in order (caller holds st->lock). Returns 0, or
 * -EXIT_DATAERR with e set; operations before the bad one stay applied. */
int hook_apply(state *st, json_object *doc, errinfo *e);

#endif

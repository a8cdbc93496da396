/* ims_summary.h -- the summary `ims2moodle check` prints for a file: counts,
 * roles by type and status, recstatus, warnings by kind with their first
 * places, quarantined records with their reasons, and repairs. */
#ifndef IMS2MOODLE_IMS_SUMMARY_H
#define IMS2MOODLE_IMS_SUMMARY_H

#include <json-c/json.h>
#include <stdio.h>
#include "ims_model.h"

/* Appends the summary of one parsed model as text. */
void ims_summary_text(FILE *out, const ims_model *m, const char *file, bool color);
/* Returns a new JSON object with the summary (caller releases with
 * json_object_put). Integer keys: persons, groups, memberships, members,
 * roles, warnings, quarantined; objects roles_by_type, roles_by_status,
 * recstatus, warning_kinds, repairs; array quarantine. */
json_object *ims_summary_json(const ims_model *m, const char *file);
/* The warnings of a model (its W_KIND_COUNT groups) as a new JSON object
 * {"kind": {"count": N, "first": [{"line": L, "detail": "..."}]}} with the
 * kinds that occurred, and as text lines "INDENTkind (N):" with the first
 * places under them. check and the plan reports share them. */
json_object *ims_summary_warnings_json(const ims_warning_group *w);
void ims_summary_warnings_text(FILE *out, const ims_warning_group *w, const char *indent);
/* Total of warnings of every kind. */
uint64_t ims_summary_warning_count(const ims_model *m);

/* Calls fn for each quarantined record (person, group, membership, member,
 * role) in file order, with its kind, sourcedid, line and reason. */
typedef void (*ims_quarantine_fn)(void *ctx, const char *kind, const char *id,
				  const char *container, uint32_t line, const char *reason);
void ims_each_quarantined(const ims_model *m, ims_quarantine_fn fn, void *ctx);

/* Adds the repairs of m as a JSON object {"ampersand": {"count": N, "first":
 * [{"line":..,"col":..}]}, "leading-space": {...}} to obj under "repairs". */
void ims_summary_add_repairs_json(json_object *obj, const ims_model *m);
/* Writes "repairs: ..." lines (nothing when no repair was made). */
void ims_summary_repairs_text(FILE *out, const ims_model *m, const char *indent);

#endif

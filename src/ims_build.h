/* ims_build.h -- turns a stream of XML element events into the IMS model,
 * dispatching on each element's path, not its local name (reference §2.7).
 * Knows IMS, not XML: ims_parse.c drives it from libxml2's SAX callbacks. */
#ifndef IMS2MOODLE_IMS_BUILD_H
#define IMS2MOODLE_IMS_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include "ims_model.h"
#include "ims_parse.h"
#include "util.h"

/* IMS element names; IMS_NAME_UNKNOWN for anything else. */
enum ims_name {
	IMS_NAME_UNKNOWN = 0,
	N_ADMINPERIOD, N_ADR, N_BDAY, N_BEGIN, N_COMMENTS, N_COUNTRY, N_DATASOURCE,
	N_DATETIME, N_DEMOGRAPHICS, N_DESCRIPTION, N_DISABILITY, N_EMAIL, N_END,
	N_ENROLLACCEPT, N_ENROLLALLOWED, N_ENROLLCONTROL, N_ENTERPRISE, N_EXTADD,
	N_EXTENSION, N_EXTREF, N_FAMILY, N_FINALRESULT, N_FN, N_FULL, N_GENDER, N_GIVEN,
	N_GROUP, N_GROUPTYPE, N_ID, N_IDTYPE, N_INSTITUTIONROLE, N_INTERIMRESULT,
	N_LABEL, N_LOCALITY, N_LONG, N_MEMBER, N_MEMBERSHIP, N_N, N_NAME, N_NICKNAME,
	N_ORG, N_ORGNAME, N_ORGUNIT, N_OTHER, N_PARTNAME, N_PCODE, N_PERSON, N_PHOTO,
	N_POBOX, N_PREFIX, N_PROPERTIES, N_REGION, N_RELATIONSHIP, N_ROLE, N_ROLETYPE,
	N_SCHEME, N_SHORT, N_SORT, N_SOURCE, N_SOURCEDID, N_STATUS, N_STREET, N_SUBROLE,
	N_SUFFIX, N_SYSTEMROLE, N_TARGET, N_TEL, N_TIMEFRAME, N_TYPE, N_TYPEVALUE, N_URL,
	N_USERID,
	IMS_NAME_COUNT
};

/* Looks a local name up, ASCII case-insensitively; *exact tells whether the
 * name was written in the standard (lower) case. */
int ims_name_lookup(const char *local, bool *exact);
/* The standard spelling of an IMS element name; NULL for IMS_NAME_UNKNOWN. */
const char *ims_name_string(int name);

typedef struct ims_attr {
	const char *name;        /* local name, NUL-terminated */
	const char *value;       /* not NUL-terminated */
	size_t len;
} ims_attr;

typedef struct ims_builder ims_builder;

/* Returns the current position in the file; called only when a record
 * starts or a warning is made, since most elements need none. */
typedef ims_loc (*ims_locator)(void *ctx);

/* A builder adds records to m, tagging them with file index `file`. */
ims_builder *ims_builder_new(ims_model *m, uint32_t file, const ims_parse_options *opt,
			      ims_locator locate, void *locate_ctx);
void ims_builder_free(ims_builder *b);

/* Event handlers. Each returns 0, or -EXIT_DATAERR with e set when the file
 * must be refused (e->msg without the file:line prefix, which the caller
 * adds). name is the ims_name of local (or IMS_NAME_UNKNOWN); exact as from
 * ims_name_lookup; same_ns tells whether the element is in the root
 * element's namespace. */
int ims_build_start(ims_builder *b, const char *local, int name, bool exact, bool same_ns,
		    const ims_attr *attrs, size_t nattrs, errinfo *e);
int ims_build_text(ims_builder *b, const char *text, size_t len, errinfo *e);
int ims_build_end(ims_builder *b, errinfo *e);
/* Which text the builder reads, for a caller that would rather not hand it
 * the rest (ims_parse.c's pipeline). The document's scope is IMS_SCOPE_DOC,
 * and ims_build_scope(scope of the parent, name) gives an element's. The
 * builder ignores the text of an element whose scope is not IMS_SCOPE_TEXT
 * whatever it holds; IMS_SCOPE_TEXT means that it may read it. */
enum { IMS_SCOPE_DOC = 0, IMS_SCOPE_TEXT = 255 };
int ims_build_scope(int parent, int name);
/* After the document ended well-formed: checks that a root was seen and runs
 * the whole-file checks (ids differing only by case). */
int ims_build_finish(ims_builder *b, errinfo *e);
/* Current element depth (0 outside the root). */
int ims_build_depth(const ims_builder *b);
/* Writes the open elements as "enterprise/person/sourcedid" into out. */
void ims_build_open_path(const ims_builder *b, char *out, size_t outsz);

#endif

/* ws.h -- one Web Services REST call, from the raw query string and body
 * to the reply bytes: PHP's request parsing, the REST server's steps
 * (token, function, service, parameters), the function itself, and
 * Moodle's JSON or XML encoding of the result or of the exception.
 * Also the exception helpers every function family uses. */
#ifndef FAKEMOODLE_WS_H
#define FAKEMOODLE_WS_H

#include <json-c/json.h>
#include <stdbool.h>
#include "arena.h"
#include "form.h"
#include "param.h"
#include "state.h"
#include "validate.h"

/* Exception classes as get_class() names them in 4.5. */
#define EXC_MOODLE "core\\exception\\moodle_exception"
#define EXC_INVALID_PARAM "core\\exception\\invalid_parameter_exception"
#define EXC_INVALID_RESPONSE "core\\exception\\invalid_response_exception"
#define EXC_CODING "core\\exception\\coding_exception"
#define EXC_CAPABILITY "core\\exception\\required_capability_exception"
#define EXC_REQUIRE_LOGIN "core\\exception\\require_login_exception"
#define EXC_RESTRICTED "core_external\\restricted_context_exception"
#define EXC_ACCESS "webservice_access_exception"
#define EXC_MISSING_RECORD "dml_missing_record_exception"
#define EXC_DML_WRITE "dml_write_exception"

typedef struct ws_error {
	const char *exception;
	const char *errorcode;   /* NULL for PHP Error/TypeError */
	const char *message;
	const char *debuginfo;   /* NULL: none */
} ws_error;

/* What a function sees while it runs (under the state lock). */
typedef struct wsctx {
	state *st;
	arena *a;
	maccount *acct;
	muser *user;             /* the token's user */
	bool admin;              /* is_siteadmin */
	bool raw;                /* moodlewssettingraw */
	const char *wwwroot;
	pv *params;              /* the validated parameters */
	json_object *result;     /* the reply (NULL = JSON null) */
	ws_error err;
	param_env penv;
} wsctx;

/* ---- exceptions: each sets c->err and returns -1 ---- */
int ws_throw(wsctx *c, const char *cls, const char *code, const char *message, const char *debuginfo);
/* moodle_exception(code) with its English message. */
int ws_moodle(wsctx *c, const char *code, const char *message, const char *debuginfo);
/* invalid_parameter_exception(debuginfo). */
int ws_invalid_param(wsctx *c, const char *debuginfo);
/* coding_exception(hint, debuginfo). */
int ws_coding(wsctx *c, const char *hint, const char *debuginfo);
/* required_capability_exception for cap. */
int ws_nopermissions(wsctx *c, const char *cap);
/* require_login_exception(debuginfo). */
int ws_require_login(wsctx *c, const char *debuginfo);
/* dml_missing_record_exception for table (user -> invaliduser), with the
 * SQL as debuginfo. */
int ws_missing_record(wsctx *c, const char *table, const char *sql);
/* dml_write_exception with debuginfo. */
int ws_dml_write(wsctx *c, const char *debuginfo);
/* A plain PHP Error/TypeError (no errorcode, never debuginfo). */
int ws_php_error(wsctx *c, const char *cls, const char *message);
/* An arena sprintf. */
char *ws_fmt(wsctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- formatting helpers for replies ---- */
/* external_format_string: raw, or format_string(). */
json_object *ws_fstring(wsctx *c, const char *s);
/* external_format_text: sets *fmtout to the returned format. */
json_object *ws_ftext(wsctx *c, const char *s, int fmt, int *fmtout);
json_object *ws_jstr(const char *s);   /* "" for NULL */
/* A JSON object as PHP's json_encode writes it (\/ and \uXXXX escapes;
 * empty objects as []). Appends. */
void ws_php_json(strbuf *out, json_object *o);

/* ---- the call ---- */
typedef struct ws_call ws_call;

/* Parses a request the way PHP and the REST server do. body_is_form: the
 * Content-Type is application/x-www-form-urlencoded (otherwise PHP ignores
 * the body). Never fails. */
ws_call *ws_call_parse(const char *query, size_t qlen, const char *body, size_t blen, bool body_is_form,
		       int max_input_vars);
void ws_call_free(ws_call *c);
/* The wsfunction sent ("" when none), the name=value pairs received, and
 * whether the function writes. */
const char *ws_call_function(const ws_call *c);
long ws_call_fields(const ws_call *c);
long ws_call_fields_dropped(const ws_call *c);
bool ws_function_is_write(const char *name);

typedef struct ws_reply {
	int status;
	const char *content_type;
	strbuf body;
} ws_reply;

enum { WS_NORMAL = 0, WS_DEADLOCK = 1 };
/* Runs the call against st (the caller holds st->lock) and writes the
 * reply. mode WS_DEADLOCK: a write function's changes are rolled back and
 * the reply is the dml_write_exception of a deadlock. */
void ws_call_run(state *st, ws_call *call, const char *wwwroot, int mode, ws_reply *out);

/* Rethrows the current error as errorcoursecontextnotvalid /
 * errorcatcontextnotvalid ("... The context error message was: <message>"). */
int ws_wrap_course_context(wsctx *c, mid courseid);
int ws_wrap_cat_context(wsctx *c, mid catid);
/* Small JSON builders. */
static inline json_object *jint(long long v) { return json_object_new_int64(v); }
static inline json_object *jbool(bool b) { return json_object_new_boolean(b); }
static inline void jadd(json_object *o, const char *k, json_object *v) { json_object_object_add(o, k, v); }

#endif

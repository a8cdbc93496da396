/* ws.c -- one REST call end to end (see ws.h): PHP request parsing, the
 * REST server's checks, dispatch, and Moodle's JSON/XML reply encoding. */
#include "config.h"
#include "ws.h"
#include "access.h"
#include "functions.h"
#include "mtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ws_call {
	arena a;
	pv *get, *post;
	form_count qcnt, bcnt;
	const char *function;  /* "" when absent */
};

ws_call *ws_call_parse(const char *query, size_t qlen, const char *body, size_t blen, bool body_is_form,
		       int max_input_vars)
{
	ws_call *c = xcalloc(1, sizeof *c);
	arena_init(&c->a);
	c->get = pv_new_arr(&c->a);
	c->post = pv_new_arr(&c->a);
	if (query && qlen)
		form_parse(&c->a, c->get, query, qlen, false, max_input_vars, &c->qcnt);
	if (body && blen && body_is_form)
		form_parse(&c->a, c->post, body, blen, true, max_input_vars, &c->bcnt);
	pv *f = pv_get(c->post, "wsfunction");
	if (!f)
		f = pv_get(c->get, "wsfunction");
	c->function = f && f->type == PV_STR ? f->s : "";
	return c;
}

void ws_call_free(ws_call *c)
{
	if (!c)
		return;
	arena_free(&c->a);
	free(c);
}

const char *ws_call_function(const ws_call *c)
{
	return c->function;
}

long ws_call_fields(const ws_call *c)
{
	return c->qcnt.pairs + c->bcnt.pairs;
}

long ws_call_fields_dropped(const ws_call *c)
{
	return (c->qcnt.pairs - c->qcnt.kept) + (c->bcnt.pairs - c->bcnt.kept);
}

bool ws_function_is_write(const char *name)
{
	const ws_function *f = fn_lookup(name);
	return f && f->write;
}

/* ---- exceptions ---- */

static const char *adup(wsctx *c, const char *s)
{
	return s ? arena_strndup(c->a, s, strlen(s)) : NULL;
}

char *ws_fmt(wsctx *c, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	char *r = arena_strndup(c->a, sb_str(&sb), sb.len);
	sb_free(&sb);
	return r;
}

int ws_throw(wsctx *c, const char *cls, const char *code, const char *message, const char *debuginfo)
{
	c->err.exception = cls;
	c->err.errorcode = adup(c, code);
	c->err.message = adup(c, message);
	c->err.debuginfo = adup(c, debuginfo);
	return -1;
}

int ws_moodle(wsctx *c, const char *code, const char *message, const char *debuginfo)
{
	return ws_throw(c, EXC_MOODLE, code, message, debuginfo);
}

int ws_invalid_param(wsctx *c, const char *debuginfo)
{
	return ws_throw(c, EXC_INVALID_PARAM, "invalidparameter", "Invalid parameter value detected", debuginfo);
}

int ws_coding(wsctx *c, const char *hint, const char *debuginfo)
{
	char *m = ws_fmt(c, "Coding error detected, it must be fixed by a programmer: %s", hint);
	return ws_throw(c, EXC_CODING, "codingerror", m, debuginfo);
}

int ws_nopermissions(wsctx *c, const char *cap)
{
	char *m = ws_fmt(c, "Sorry, but you do not currently have permissions to do that (%s).", acc_cap_name(cap));
	return ws_throw(c, EXC_CAPABILITY, "nopermissions", m, NULL);
}

int ws_require_login(wsctx *c, const char *debuginfo)
{
	return ws_throw(c, EXC_REQUIRE_LOGIN, "requireloginerror", "Course or activity not accessible.", debuginfo);
}

int ws_missing_record(wsctx *c, const char *table, const char *sql)
{
	if (!strcmp(table, "user"))
		return ws_throw(c, EXC_MISSING_RECORD, "invaliduser", "Invalid user", sql);
	char *m = ws_fmt(c, "Can't find data record in database table %s.", table);
	return ws_throw(c, EXC_MISSING_RECORD, "invalidrecord", m, sql);
}

int ws_dml_write(wsctx *c, const char *debuginfo)
{
	return ws_throw(c, EXC_DML_WRITE, "dmlwriteexception", "Error writing to database", debuginfo);
}

int ws_php_error(wsctx *c, const char *cls, const char *message)
{
	return ws_throw(c, cls, NULL, message, NULL);
}

/* ---- reply helpers ---- */

json_object *ws_jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

json_object *ws_fstring(wsctx *c, const char *s)
{
	if (c->raw)
		return ws_jstr(s);
	strbuf sb = STRBUF_INIT;
	mt_format_string(&sb, s ? s : "");
	json_object *o = json_object_new_string_len(sb_str(&sb), (int)sb.len);
	sb_free(&sb);
	return o;
}

json_object *ws_ftext(wsctx *c, const char *s, int fmt, int *fmtout)
{
	if (c->raw) {
		*fmtout = fmt;
		return ws_jstr(s);
	}
	strbuf sb = STRBUF_INIT;
	mt_format_text(&sb, s ? s : "", fmt);
	json_object *o = json_object_new_string_len(sb_str(&sb), (int)sb.len);
	sb_free(&sb);
	*fmtout = 1;
	return o;
}

static void php_json_str(strbuf *out, const char *s, size_t n)
{
	sb_addc(out, '"');
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];
		switch (c) {
		case '"': sb_adds(out, "\\\""); continue;
		case '\\': sb_adds(out, "\\\\"); continue;
		case '/': sb_adds(out, "\\/"); continue;
		case '\b': sb_adds(out, "\\b"); continue;
		case '\f': sb_adds(out, "\\f"); continue;
		case '\n': sb_adds(out, "\\n"); continue;
		case '\r': sb_adds(out, "\\r"); continue;
		case '\t': sb_adds(out, "\\t"); continue;
		}
		if (c < 0x20) {
			sb_addf(out, "\\u%04x", c);
		} else if (c < 0x80) {
			sb_addc(out, (char)c);
		} else {
			unsigned cp = 0;
			size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
			if (len == 1 || i + len > n) {
				sb_adds(out, "\\ufffd");
				continue;
			}
			cp = len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
			for (size_t k = 1; k < len; k++)
				cp = (cp << 6) | (p[i + k] & 0x3F);
			i += len - 1;
			if (cp >= 0x10000) {
				cp -= 0x10000;
				sb_addf(out, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
			} else
				sb_addf(out, "\\u%04x", cp);
		}
	}
	sb_addc(out, '"');
}

void ws_php_json(strbuf *out, json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		sb_adds(out, "null");
		break;
	case json_type_boolean:
		sb_adds(out, json_object_get_boolean(o) ? "true" : "false");
		break;
	case json_type_int:
		sb_addf(out, "%lld", (long long)json_object_get_int64(o));
		break;
	case json_type_double: {
		double d = json_object_get_double(o);
		if (d == (long long)d)
			sb_addf(out, "%.1f", d);
		else
			sb_addf(out, "%.17g", d);
		break;
	}
	case json_type_string:
		php_json_str(out, json_object_get_string(o), (size_t)json_object_get_string_len(o));
		break;
	case json_type_array: {
		sb_addc(out, '[');
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_addc(out, ',');
			ws_php_json(out, json_object_array_get_idx(o, i));
		}
		sb_addc(out, ']');
		break;
	}
	case json_type_object: {
		if (json_object_object_length(o) == 0) {
			sb_adds(out, "[]");
			break;
		}
		sb_addc(out, '{');
		bool first = true;
		json_object_object_foreach(o, k, v)
		{
			if (!first)
				sb_addc(out, ',');
			first = false;
			php_json_str(out, k, strlen(k));
			sb_addc(out, ':');
			ws_php_json(out, v);
		}
		sb_addc(out, '}');
		break;
	}
	}
}

static void xml_escape(strbuf *out, const char *s)
{
	/* htmlspecialchars(ENT_COMPAT) */
	for (; *s; s++) {
		switch (*s) {
		case '&': sb_adds(out, "&amp;"); break;
		case '<': sb_adds(out, "&lt;"); break;
		case '>': sb_adds(out, "&gt;"); break;
		case '"': sb_adds(out, "&quot;"); break;
		default: sb_addc(out, *s);
		}
	}
}

/* xmlize_result() over the JSON reply: objects are SINGLE (their keys as
 * present: absent optional keys are left out, see README), arrays MULTIPLE. */
static void xmlize(strbuf *out, json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		sb_adds(out, "<VALUE null=\"null\"/>\n");
		break;
	case json_type_boolean:
		sb_addf(out, "<VALUE>%d</VALUE>\n", json_object_get_boolean(o) ? 1 : 0);
		break;
	case json_type_array:
		sb_adds(out, "<MULTIPLE>\n");
		for (size_t i = 0; i < json_object_array_length(o); i++)
			xmlize(out, json_object_array_get_idx(o, i));
		sb_adds(out, "</MULTIPLE>\n");
		break;
	case json_type_object: {
		sb_adds(out, "<SINGLE>\n");
		json_object_object_foreach(o, k, v)
		{
			sb_adds(out, "<KEY name=\"");
			sb_adds(out, k);
			sb_adds(out, "\">");
			xmlize(out, v);
			sb_adds(out, "</KEY>\n");
		}
		sb_adds(out, "</SINGLE>\n");
		break;
	}
	default:
		sb_adds(out, "<VALUE>");
		xml_escape(out, json_object_get_string(o));
		sb_adds(out, "</VALUE>\n");
	}
}

static void encode_error(const ws_error *e, bool json, bool debug, ws_reply *out)
{
	if (json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "exception", json_object_new_string(e->exception));
		if (e->errorcode)
			json_object_object_add(o, "errorcode", json_object_new_string(e->errorcode));
		json_object_object_add(o, "message", json_object_new_string(e->message ? e->message : ""));
		if (debug && e->debuginfo)
			json_object_object_add(o, "debuginfo", json_object_new_string(e->debuginfo));
		ws_php_json(&out->body, o);
		json_object_put(o);
		return;
	}
	sb_adds(&out->body, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<EXCEPTION class=\"");
	sb_adds(&out->body, e->exception);
	sb_adds(&out->body, "\">\n");
	if (e->errorcode) {
		sb_adds(&out->body, "<ERRORCODE>");
		xml_escape(&out->body, e->errorcode);
		sb_adds(&out->body, "</ERRORCODE>\n");
	}
	sb_adds(&out->body, "<MESSAGE>");
	xml_escape(&out->body, e->message ? e->message : "");
	sb_adds(&out->body, "</MESSAGE>\n");
	if (debug && e->debuginfo) {
		sb_adds(&out->body, "<DEBUGINFO>");
		xml_escape(&out->body, e->debuginfo);
		sb_adds(&out->body, "</DEBUGINFO>\n");
	}
	sb_adds(&out->body, "</EXCEPTION>\n");
}

/* ---- the call ---- */

static const char ACCESS_DEBUGINFO[] =
	"Access to the function %s() is not allowed.\n"
	"                     There could be multiple reasons for this:\n"
	"                     1. The service linked to the user token does not contain the function.\n"
	"                     2. The service is user-restricted and the user is not listed.\n"
	"                     3. The service is IP-restricted and the user IP is not listed.\n"
	"                     4. The service is time-restricted and the time has expired.\n"
	"                     5. The token is time-restricted and the time has expired.\n"
	"                     6. The service requires a specific capability which the user does not have.\n"
	"                     7. The function is called with username/password (no user token is sent)\n"
	"                     and none of the services has the function to allow the user.\n"
	"                     These settings can be found in Administration > Site administration\n"
	"                     > Server > Web services > External services and Manage tokens.";

static bool in_service(const state *st, const char *name)
{
	for (size_t i = 0; i < st->service.n; i++)
		if (!strcmp(st->service.v[i], name))
			return true;
	return false;
}

static const char *setting(ws_call *call, const char *name)
{
	pv *v = pv_get(call->post, name);
	if (!v)
		v = pv_get(call->get, name);
	return v && v->type == PV_STR ? v->s : NULL;
}

/* Steps 2-7 of the REST server; returns 0 with c->result set, or -1. */
static int dispatch(wsctx *c, pv *params, const char *token, const char *fname, int mode)
{
	state *st = c->st;
	c->acct = st_account_by_token(st, token);
	if (!c->acct)
		return ws_moodle(c, "invalidtoken", "Invalid token - token not found", NULL);
	c->user = st_user(st, c->acct->userid);
	/* deleting a user deletes its tokens */
	if (!c->user || c->user->deleted)
		return ws_moodle(c, "invalidtoken", "Invalid token - token not found", NULL);
	if (!c->user->confirmed)
		return ws_moodle(c, "wsaccessuserunconfirmed",
				 ws_fmt(c, "Refused web service access for unconfirmed username: %s", c->user->username),
				 NULL);
	if (c->user->suspended)
		return ws_moodle(c, "wsaccessusersuspended",
				 ws_fmt(c, "Refused web service access for suspended username: %s", c->user->username),
				 NULL);
	if (!strcmp(c->user->auth, "nologin"))
		return ws_moodle(c, "wsaccessusernologin",
				 ws_fmt(c, "Refused web service access for nologin authentication username: %s",
					c->user->username), NULL);
	c->admin = st_is_siteadmin(st, c->user->id);
	if (!acc_has(c, "webservice/rest:use"))
		return ws_throw(c, EXC_ACCESS, "accessexception", "Access control exception",
				"You are not allowed to use the {$a} protocol (missing capability: webservice/rest:use)");
	if (mt_php_empty(fname))
		return ws_invalid_param(c, "Missing function name");
	const ws_function *f = fn_lookup(fname);
	if (!f)
		return ws_missing_record(c, "external_functions",
					 ws_fmt(c, "SELECT * FROM {external_functions} WHERE name = ?\n[array (\n  0 => '%s',\n)]",
						fname));
	if (!in_service(st, f->name))
		return ws_throw(c, EXC_ACCESS, "accessexception", "Access control exception",
				ws_fmt(c, ACCESS_DEBUGINFO, f->name));
	const char *dbg = NULL;
	if (validate_params(c->a, fn_desc(f), params, &c->penv, &c->params, &dbg))
		return ws_invalid_param(c, dbg);
	if (!f->run)
		return ws_coding(c, ws_fmt(c, "%s is not emulated by fakemoodle", f->name), NULL);
	int rc = f->run(c);
	if (rc == 0 && mode == WS_DEADLOCK && f->write) {
		st_rollback(st);
		return ws_dml_write(c, "ERROR:  deadlock detected\nDETAIL:  Process 4242 waits for ShareLock on transaction "
				       "1234; blocked by process 4243.\nProcess 4243 waits for ShareLock on transaction 1235; "
				       "blocked by process 4242.\nHINT:  See server log for query details.");
	}
	return rc;
}

void ws_call_run(state *st, ws_call *call, const char *wwwroot, int mode, ws_reply *out)
{
	/* set_web_service_call_settings(): read (POST wins) and remove moodlewssetting* */
	static const char *const settings[] = { "moodlewssettingraw", "moodlewssettingfileurl", "moodlewssettingfilter",
						"moodlewssettinglang", "moodlewssettingtimezone" };
	const char *raw = setting(call, "moodlewssettingraw");
	for (size_t i = 0; i < ARRAY_LEN(settings); i++) {
		pv_del(call->get, settings[i]);
		pv_del(call->post, settings[i]);
	}
	pv *merged = form_merge(&call->a, call->get, call->post);
	pv *fmt = pv_get(merged, "moodlewsrestformat");
	bool json = fmt && fmt->type == PV_STR && !strcmp(fmt->s, "json");
	pv *tok = pv_get(merged, "wstoken");
	pv *fn = pv_get(merged, "wsfunction");
	const char *token = tok && tok->type == PV_STR ? tok->s : NULL;
	const char *fname = fn && fn->type == PV_STR ? fn->s : "";
	pv_del(merged, "moodlewsrestformat");
	pv_del(merged, "wstoken");
	pv_del(merged, "wsfunction");

	wsctx c = { 0 };
	c.st = st;
	c.a = &call->a;
	c.wwwroot = wwwroot;
	c.penv.extendedusernamechars = st->set.extendedusernamechars != 0;
	if (raw) {
		strbuf b = STRBUF_INIT;
		param_clean(&b, P_BOOL, raw, strlen(raw), NULL);
		c.raw = sb_str(&b)[0] == '1';
		sb_free(&b);
	}
	int rc = dispatch(&c, merged, token, fname, mode);
	/* the server's exception handler aborts open transactions; functions
	 * commit what must survive */
	if (rc)
		st_rollback(st);
	else
		st_commit(st);

	out->status = 200;
	out->content_type = json ? "application/json" : "application/xml; charset=utf-8";
	if (rc) {
		encode_error(&c.err, json, st->set.debug >= 15, out);
	} else if (json) {
		if (c.result)
			ws_php_json(&out->body, c.result);
		else
			sb_adds(&out->body, "null");
	} else {
		sb_adds(&out->body, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<RESPONSE>\n");
		if (c.result)
			xmlize(&out->body, c.result);
		sb_adds(&out->body, "</RESPONSE>\n");
	}
	json_object_put(c.result);
}

int ws_wrap_course_context(wsctx *c, mid courseid)
{
	char *m = ws_fmt(c, "You cannot execute functions in the course context (course id:%lld). "
			    "The context error message was: %s", courseid, c->err.message);
	return ws_moodle(c, "errorcoursecontextnotvalid", m, NULL);
}

int ws_wrap_cat_context(wsctx *c, mid catid)
{
	char *m = ws_fmt(c, "You cannot execute functions in the category context (category id:%lld). "
			    "The context error message was: %s", catid, c->err.message);
	return ws_moodle(c, "errorcatcontextnotvalid", m, NULL);
}

/* fn_courses.c -- the course functions: get_courses_by_field, get_courses,
 * create_courses (all-or-nothing), update_courses (per-item warnings),
 * delete_courses (no transaction), duplicate_course. */
#include "config.h"
#include "functions.h"
#include "access.h"
#include "mtext.h"

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared output pieces ---- */

static void add_format_options(json_object *arr, mcourse *co, bool by_field)
{
	/* course_get_format()->get_config_for_external() / get_format_options():
	 * unknown formats fall back to the default format (topics) */
	json_object *o = json_object_new_object();
	jadd(o, "name", ws_jstr("hiddensections"));
	jadd(o, "value", jint(co->hiddensections));
	json_object_array_add(arr, o);
	o = json_object_new_object();
	jadd(o, "name", ws_jstr("coursedisplay"));
	jadd(o, "value", jint(co->coursedisplay));
	json_object_array_add(arr, o);
	if (by_field) {
		o = json_object_new_object();
		jadd(o, "name", ws_jstr("indentation"));
		jadd(o, "value", ws_jstr("1"));
		json_object_array_add(arr, o);
	}
}

static json_object *filters_json(void)
{
	static const char *const f[] = { "displayh5p", "activitynames", "mathjaxloader", "emoticon", "urltolink",
					 "mediaplugin" };
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < ARRAY_LEN(f); i++) {
		json_object *o = json_object_new_object();
		jadd(o, "filter", ws_jstr(f[i]));
		jadd(o, "localstate", jint(0));
		jadd(o, "inheritedstate", jint(1));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *nullable_int(int v)
{
	return v < 0 ? NULL : jbool(v != 0);
}

/* get_course_public_information() */
static json_object *course_public(wsctx *c, mcourse *co)
{
	json_object *o = json_object_new_object();
	jadd(o, "id", jint(co->id));
	jadd(o, "fullname", ws_fstring(c, co->fullname));
	jadd(o, "displayname", ws_fstring(c, co->fullname));
	jadd(o, "shortname", ws_fstring(c, co->shortname));
	jadd(o, "courseimage", ws_jstr(ws_fmt(c, "%s/pluginfile.php/%lld/course/generated/course.svg", c->wwwroot,
					      co->contextid)));
	jadd(o, "categoryid", jint(co->category));
	jadd(o, "categoryname", co->cat ? ws_fstring(c, co->cat->name) : ws_jstr(""));
	jadd(o, "sortorder", jint(st_course_sortorder(c->st, co)));
	int fmt;
	json_object *summary = ws_ftext(c, co->summary, co->summaryformat, &fmt);
	jadd(o, "summary", summary);
	jadd(o, "summaryformat", jint(fmt));
	jadd(o, "summaryfiles", json_object_new_array());
	jadd(o, "overviewfiles", json_object_new_array());
	jadd(o, "showactivitydates", jbool(co->showactivitydates != 0));
	jadd(o, "showcompletionconditions", nullable_int(co->showcompletionconditions));
	json_object *contacts = json_object_new_array();
	vec cs = { 0 };
	acc_course_contacts(c->st, co, true, &cs);
	for (size_t i = 0; i < cs.n; i++) {
		muser *u = cs.v[i];
		json_object *ct = json_object_new_object();
		jadd(ct, "id", jint(u->id));
		char *fn = st_fullname(u);
		jadd(ct, "fullname", ws_jstr(fn));
		free(fn);
		json_object_array_add(contacts, ct);
	}
	vec_free(&cs);
	jadd(o, "contacts", contacts);
	json_object *methods = json_object_new_array();
	for (size_t i = 0; i < co->enrols.n; i++) {
		menrol *e = co->enrols.v[i];
		if (e->status == ENROL_INSTANCE_ENABLED)
			json_object_array_add(methods, ws_jstr(e->enrol));
	}
	jadd(o, "enrollmentmethods", methods);
	return o;
}

/* The fields of get_courses_by_field for a course the caller can enter. */
static void course_full(wsctx *c, json_object *o, mcourse *co, bool canupdate)
{
	jadd(o, "format", ws_jstr(co->format));
	jadd(o, "showgrades", jint(co->showgrades));
	jadd(o, "newsitems", jint(co->newsitems));
	jadd(o, "startdate", jint(co->startdate));
	jadd(o, "enddate", jint(co->enddate));
	jadd(o, "maxbytes", jint(co->maxbytes));
	jadd(o, "showreports", jint(co->showreports));
	jadd(o, "visible", jint(co->visible));
	jadd(o, "groupmode", jint(co->groupmode));
	jadd(o, "groupmodeforce", jint(co->groupmodeforce));
	jadd(o, "defaultgroupingid", jint(co->defaultgroupingid));
	jadd(o, "enablecompletion", jint(co->enablecompletion));
	jadd(o, "completionnotify", jint(co->completionnotify));
	jadd(o, "lang", ws_jstr(param_lang_installed(co->lang) ? co->lang : ""));
	jadd(o, "theme", ws_jstr(param_theme_installed(co->theme) ? co->theme : ""));
	jadd(o, "marker", jint(co->marker));
	jadd(o, "filters", filters_json());
	if (canupdate) {
		jadd(o, "idnumber", ws_jstr(co->idnumber));
		jadd(o, "legacyfiles", jint(co->legacyfiles));
		jadd(o, "calendartype", ws_jstr(co->calendartype));
		jadd(o, "timecreated", jint(co->timecreated));
		jadd(o, "timemodified", jint(co->timemodified));
		jadd(o, "requested", jint(co->requested));
		jadd(o, "cacherev", jint(co->cacherev));
	}
	if (strcmp(co->format, "site") != 0) {
		json_object *fo = json_object_new_array();
		add_format_options(fo, co, true);
		jadd(o, "courseformatoptions", fo);
	}
}

/* ---- core_course_get_courses_by_field ---- */

static int cmp_course_id(const void *a, const void *b)
{
	mid x = (*(mcourse *const *)a)->id, y = (*(mcourse *const *)b)->id;
	return x < y ? -1 : x > y;
}

static void collect_all_courses(state *st, vec *out)
{
	for (size_t i = 0; i < st->courses_cap; i++)
		if (st->courses[i])
			vec_push(out, st->courses[i]);
}

static void collect_matches(state *st, const strmulti *idx, const char *key, bool idnumber, vec *out)
{
	if (idnumber && !*key) {
		/* an empty idnumber is not indexed: every course without one */
		for (size_t i = 0; i < st->courses_cap; i++)
			if (st->courses[i] && !*st_s(st->courses[i]->idnumber))
				vec_push(out, st->courses[i]);
		return;
	}
	const vec *v = strmulti_get(idx, key);
	for (size_t i = 0; v && i < v->n; i++)
		vec_push(out, v->v[i]);
	vec_sort(out, cmp_course_id);
}

int fn_get_courses_by_field(wsctx *c)
{
	state *st = c->st;
	const char *field = vp_str(c->params, "field");
	const char *value = vp_str(c->params, "value");
	vec courses = { 0 };
	json_object *warnings = json_object_new_array();
	bool *validated = NULL; /* for ids: course -> contextvalidated */
	int rc = -1;

	if (mt_php_empty(field)) {
		collect_all_courses(st, &courses);
	} else if (!strcmp(field, "id") || !strcmp(field, "category") || !strcmp(field, "sectionid")) {
		long long v = mt_php_intval(value);
		if (!strcmp(field, "id")) {
			mcourse *co = st_course(st, v);
			if (co)
				vec_push(&courses, co);
		} else if (!strcmp(field, "category")) {
			mcategory *cat = st_cat(st, v);
			for (size_t i = 0; cat && i < cat->courses.n; i++)
				vec_push(&courses, cat->courses.v[i]);
			vec_sort(&courses, cmp_course_id);
		} else {
			/* sections are not modelled: section ids are not known */
			json_object_put(warnings);
			vec_free(&courses);
			return ws_php_error(c, "Error", "Attempt to read property \"id\" on bool");
		}
	} else if (!strcmp(field, "ids")) {
		strbuf seq = STRBUF_INIT;
		param_clean(&seq, P_SEQUENCE, value, strlen(value), NULL);
		const char *p = sb_str(&seq);
		/* explode(','), array_unique, in the given order */
		vec ids = { 0 };
		bool bad = false;
		for (;;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			if (!len)
				bad = true;
			long long id = len ? mt_php_intval(p) : 0;
			bool seen = false;
			for (size_t i = 0; i < ids.n; i++)
				if ((long long)(intptr_t)ids.v[i] == id)
					seen = true;
			if (!seen)
				vec_push(&ids, (void *)(intptr_t)id);
			if (!comma)
				break;
			p = comma + 1;
		}
		sb_free(&seq);
		if (bad) {
			vec_free(&ids);
			json_object_put(warnings);
			return ws_throw(c, "dml_read_exception", "dmlreadexception", "Error reading from database",
					"ERROR:  invalid input syntax for type bigint: \"\"");
		}
		validated = xcalloc(ids.n + 1, sizeof *validated);
		for (size_t i = 0; i < ids.n; i++) {
			mcourse *co = st_course(st, (mid)(intptr_t)ids.v[i]);
			if (!co) {
				vec_free(&ids);
				vec_free(&courses);
				free(validated);
				json_object_put(warnings);
				return ws_php_error(c, "Error", "Attempt to assign property \"contextvalidated\" on null");
			}
			vec_push(&courses, co);
			if (acc_require_login(c, co) == 0)
				validated[i] = true;
			else {
				json_object *w = json_object_new_object();
				jadd(w, "item", ws_jstr("course"));
				jadd(w, "itemid", jint(co->id));
				jadd(w, "warningcode", ws_jstr("1"));
				jadd(w, "message", ws_jstr("No access rights in course context"));
				json_object_array_add(warnings, w);
			}
		}
		vec_free(&ids);
	} else if (!strcmp(field, "shortname")) {
		strbuf t = STRBUF_INIT;
		param_clean(&t, P_TEXT, value, strlen(value), NULL);
		collect_matches(st, &st->course_shortname, sb_str(&t), false, &courses);
		sb_free(&t);
	} else if (!strcmp(field, "idnumber")) {
		collect_matches(st, &st->course_idnumber, value, true, &courses);
	} else {
		json_object_put(warnings);
		return ws_invalid_param(c, "Invalid field name");
	}

	json_object *list = json_object_new_array();
	bool canupdate = acc_has(c, "moodle/course:update");
	bool canviewhidden = acc_has(c, "moodle/course:viewhiddencourses");
	for (size_t i = 0; i < courses.n; i++) {
		mcourse *co = courses.v[i];
		if (!co->visible && !canviewhidden && !canupdate)
			continue;
		bool entered = validated ? validated[i] : acc_require_login(c, co) == 0;
		if (!entered) {
			/* can_view_course_info(): visible courses, or hidden ones
			 * with viewhiddencourses or update */
			if (co->id == 1 || co->visible || canviewhidden || canupdate)
				json_object_array_add(list, course_public(c, co));
			continue;
		}
		json_object *o = course_public(c, co);
		course_full(c, o, co, canupdate);
		json_object_array_add(list, o);
	}
	json_object *res = json_object_new_object();
	jadd(res, "courses", list);
	jadd(res, "warnings", warnings);
	c->result = res;
	rc = 0;
	free(validated);
	vec_free(&courses);
	return rc;
}

/* ---- core_course_get_courses ---- */

static json_object *course_info(wsctx *c, mcourse *co, bool admin)
{
	json_object *o = json_object_new_object();
	jadd(o, "id", jint(co->id));
	jadd(o, "shortname", ws_fstring(c, co->shortname));
	jadd(o, "categoryid", jint(co->category));
	jadd(o, "fullname", ws_fstring(c, co->fullname));
	jadd(o, "displayname", ws_fstring(c, co->fullname));
	int fmt;
	json_object *summary = ws_ftext(c, co->summary, co->summaryformat, &fmt);
	jadd(o, "summary", summary);
	jadd(o, "summaryformat", jint(fmt));
	jadd(o, "format", ws_jstr(co->format));
	jadd(o, "startdate", jint(co->startdate));
	jadd(o, "enddate", jint(co->enddate));
	bool site = !strcmp(co->format, "site");
	if (site)
		jadd(o, "numsections", jint(co->numsections));
	if (admin) {
		jadd(o, "categorysortorder", jint(st_course_sortorder(c->st, co)));
		jadd(o, "idnumber", ws_jstr(co->idnumber));
		jadd(o, "showgrades", jint(co->showgrades));
		jadd(o, "showreports", jint(co->showreports));
		jadd(o, "newsitems", jint(co->newsitems));
		jadd(o, "visible", jint(co->visible));
		jadd(o, "maxbytes", jint(co->maxbytes));
		if (!site)
			jadd(o, "hiddensections", jint(co->hiddensections));
		json_object_object_del(o, "numsections");
		jadd(o, "numsections", jint(co->numsections));
		jadd(o, "groupmode", jint(co->groupmode));
		jadd(o, "groupmodeforce", jint(co->groupmodeforce));
		jadd(o, "defaultgroupingid", jint(co->defaultgroupingid));
		jadd(o, "lang", ws_jstr(param_lang_installed(co->lang) ? co->lang : ""));
		jadd(o, "timecreated", jint(co->timecreated));
		jadd(o, "timemodified", jint(co->timemodified));
		jadd(o, "forcetheme", ws_jstr(param_theme_installed(co->theme) ? co->theme : ""));
		jadd(o, "enablecompletion", jint(co->enablecompletion));
		jadd(o, "completionnotify", jint(co->completionnotify));
		json_object *fo = json_object_new_array();
		if (site) {
			json_object *n = json_object_new_object();
			jadd(n, "name", ws_jstr("numsections"));
			jadd(n, "value", jint(co->numsections));
			json_object_array_add(fo, n);
		} else
			add_format_options(fo, co, false);
		jadd(o, "courseformatoptions", fo);
	}
	jadd(o, "showactivitydates", jbool(co->showactivitydates != 0));
	jadd(o, "showcompletionconditions", nullable_int(co->showcompletionconditions));
	return o;
}

int fn_get_courses(wsctx *c)
{
	state *st = c->st;
	pv *opts = vp_get(c->params, "options");
	pv *ids = vp_get(opts, "ids");
	vec courses = { 0 };
	if (!ids || !vp_len(ids))
		collect_all_courses(st, &courses);
	else {
		/* get_records_list: missing ids skipped; id order here */
		for (size_t i = 0; i < vp_len(ids); i++) {
			mcourse *co = st_course(st, mt_php_intval(vp_item(ids, i)->s));
			if (co && vec_index(&courses, co) < 0)
				vec_push(&courses, co);
		}
		vec_sort(&courses, cmp_course_id);
	}
	json_object *list = json_object_new_array();
	for (size_t i = 0; i < courses.n; i++) {
		mcourse *co = courses.v[i];
		if (acc_require_login(c, co)) {
			ws_wrap_course_context(c, co->id);
			json_object_put(list);
			vec_free(&courses);
			return -1;
		}
		if (co->id != 1 && acc_require(c, "moodle/course:view")) {
			json_object_put(list);
			vec_free(&courses);
			return -1;
		}
		bool admin = acc_has(c, "moodle/course:update");
		if (admin || co->visible || acc_has(c, "moodle/course:viewhiddencourses"))
			json_object_array_add(list, course_info(c, co, admin));
	}
	vec_free(&courses);
	c->result = list;
	return 0;
}

/* ---- create ---- */

/* Column lengths of mdl_course that the emulated writes check (PostgreSQL
 * varchar(n) counts characters). */
static const char *course_too_long(pv *it)
{
	static const struct {
		const char *key;
		size_t max;
	} cols[] = { { "fullname", 254 }, { "shortname", 255 }, { "idnumber", 100 }, { "format", 21 },
		     { "lang", 30 } };
	for (size_t i = 0; i < ARRAY_LEN(cols); i++) {
		const char *v = vp_str(it, cols[i].key);
		if (v && mt_utf8_len(v, strlen(v)) > cols[i].max)
			return cols[i].key;
	}
	return NULL;
}

static int too_long_error(wsctx *c, const char *table, const char *col)
{
	(void)col;
	return ws_dml_write(c, ws_fmt(c, "ERROR:  value too long for type character varying\nINSERT INTO mdl_%s", table));
}

static bool php_trim_empty(const char *s)
{
	size_t n = strlen(s);
	mt_php_trim(&s, &n);
	return n == 0;
}

static bool course_dates_error(wsctx *c, pv *it, const char **code)
{
	(void)c;
	const char *sd = vp_str(it, "startdate"), *ed = vp_str(it, "enddate");
	bool sd_empty = !sd || mt_php_empty(sd), ed_empty = !ed || mt_php_empty(ed);
	if (!sd_empty && !ed_empty && mt_php_intval(ed) < mt_php_intval(sd)) {
		*code = "enddatebeforestartdate";
		return true;
	}
	if (sd_empty && !ed_empty) {
		*code = "nostartdatenoenddate";
		return true;
	}
	return false;
}

static int date_exception(wsctx *c, const char *code)
{
	if (!strcmp(code, "enddatebeforestartdate"))
		return ws_moodle(c, code, "The course end date must be after the start date.", NULL);
	return ws_moodle(c, code, "A course end date can only be set if a start date is also set.", NULL);
}

static bool valid_format_value(long long f)
{
	return f == 0 || f == 1 || f == 2 || f == 4;
}

static int format_not_supported(wsctx *c)
{
	return ws_moodle(c, "formatnotsupported", "error/formatnotsupported", NULL);
}

static bool shortname_taken(state *st, const char *sn, mcourse *except)
{
	const vec *v = strmulti_get(&st->course_shortname, sn);
	for (size_t i = 0; v && i < v->n; i++)
		if (v->v[i] != except)
			return true;
	return false;
}

static bool idnumber_taken(state *st, const char *idn, mcourse *except)
{
	const vec *v = strmulti_get(&st->course_idnumber, idn);
	for (size_t i = 0; v && i < v->n; i++)
		if (v->v[i] != except)
			return true;
	return false;
}

/* The value a courseformatoptions entry gives a course field, if any. */
static const char *format_option(pv *it, const char *name)
{
	pv *opts = vp_get(it, "courseformatoptions");
	const char *r = NULL;
	for (size_t i = 0; opts && i < vp_len(opts); i++)
		if (!strcmp(vp_str(vp_item(opts, i), "name"), name))
			r = vp_str(vp_item(opts, i), "value");
	return r;
}

static int create_one(wsctx *c, pv *it, json_object *out)
{
	state *st = c->st;
	mid catid = vp_int(it, "categoryid", 0);
	mcategory *cat = st_cat(st, catid);
	if (!cat) {
		ws_invalid_param(c, "Context does not exist");
		return ws_wrap_cat_context(c, catid);
	}
	if (acc_require(c, "moodle/course:create"))
		return -1;
	if (php_trim_empty(vp_str(it, "fullname")))
		return ws_moodle(c, "errorinvalidparam", "The param \"fullname\" is invalid.", NULL);
	if (php_trim_empty(vp_str(it, "shortname")))
		return ws_moodle(c, "errorinvalidparam", "The param \"shortname\" is invalid.", NULL);
	const char *lang = vp_str(it, "lang");
	if (lang && !param_lang_installed(lang))
		return ws_moodle(c, "errorinvalidparam", "The param \"lang\" is invalid.", NULL);
	if (lang && !acc_has(c, "moodle/course:setforcedlanguage"))
		lang = NULL;
	int visible = vp_has(it, "visible") ? (int)vp_int(it, "visible", 1) : cat->visible;
	if (!acc_has(c, "moodle/course:visibility"))
		visible = cat->visible;
	int enablecompletion = 0;
	if (st->set.enablecompletion)
		enablecompletion = vp_has(it, "enablecompletion") ? (int)vp_int(it, "enablecompletion", 0)
								  : st->set.completion_default;
	long long sf = vp_int(it, "summaryformat", 1);
	if (!valid_format_value(sf))
		return format_not_supported(c);

	/* create_course() */
	const char *sn = vp_str(it, "shortname");
	const char *idn = vp_str(it, "idnumber");
	if (!mt_php_empty(sn) && shortname_taken(st, sn, NULL))
		return ws_moodle(c, "shortnametaken", ws_fmt(c, "Short name is already used for another course (%s)", sn),
				 NULL);
	if (idn && !mt_php_empty(idn) && idnumber_taken(st, idn, NULL))
		return ws_moodle(c, "courseidnumbertaken",
				 ws_fmt(c, "ID number is already used for another course (%s)", idn), NULL);
	const char *dcode;
	if (course_dates_error(c, it, &dcode))
		return date_exception(c, dcode);
	const char *toolong = course_too_long(it);
	if (toolong)
		return too_long_error(c, "course", toolong);

	long long now = st_now(st);
	mcourse *co = st_course_alloc(st);
	co->category = cat->id;
	co->fullname = xstrdup(vp_str(it, "fullname"));
	co->shortname = xstrdup(sn);
	free(co->idnumber);
	co->idnumber = xstrdup(idn ? idn : "");
	if (vp_str(it, "summary")) {
		free(co->summary);
		co->summary = xstrdup(vp_str(it, "summary"));
	}
	co->summaryformat = (int)sf;
	free(co->format);
	co->format = xstrdup(vp_str(it, "format"));
	co->showgrades = (int)vp_int(it, "showgrades", 1);
	co->newsitems = (int)vp_int(it, "newsitems", 5);
	co->startdate = vp_int(it, "startdate", 0);
	co->enddate = vp_int(it, "enddate", 0);
	co->maxbytes = vp_int(it, "maxbytes", 0);
	co->showreports = (int)vp_int(it, "showreports", 0);
	co->visible = co->visibleold = visible;
	co->groupmode = (int)vp_int(it, "groupmode", 0);
	co->groupmodeforce = (int)vp_int(it, "groupmodeforce", 0);
	co->defaultgroupingid = vp_int(it, "defaultgroupingid", 0);
	co->enablecompletion = enablecompletion;
	co->completionnotify = (int)vp_int(it, "completionnotify", 0);
	if (lang) {
		free(co->lang);
		co->lang = xstrdup(lang);
	}
	const char *opt;
	co->hiddensections = (int)vp_int(it, "hiddensections", 1);
	if ((opt = format_option(it, "hiddensections")))
		co->hiddensections = (int)mt_php_intval(opt);
	if ((opt = format_option(it, "coursedisplay")))
		co->coursedisplay = (int)mt_php_intval(opt);
	co->numsections = (int)vp_int(it, "numsections", 0);
	if ((opt = format_option(it, "numsections")))
		co->numsections = (int)mt_php_intval(opt);
	if (co->numsections < 0)
		co->numsections = 0;
	co->timecreated = co->timemodified = now;
	co->cacherev = now;
	co->createdby = c->user->id;
	st_course_insert(st, co);
	st_fix_sortorder(st);
	st_add_default_instances(st, co);

	json_object *r = json_object_new_object();
	jadd(r, "id", jint(co->id));
	jadd(r, "shortname", ws_jstr(co->shortname));
	json_object_array_add(out, r);
	return 0;
}

int fn_create_courses(wsctx *c)
{
	pv *courses = vp_get(c->params, "courses");
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < vp_len(courses); i++)
		if (create_one(c, vp_item(courses, i), out)) {
			json_object_put(out);
			return -1;
		}
	c->result = out;
	return 0;
}

/* ---- update ---- */

static bool changed(const char *newv, const char *oldv)
{
	return !mt_php_loose_eq(newv, oldv);
}

static bool changed_int(const char *newv, long long oldv)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", oldv);
	return !mt_php_loose_eq(newv, buf);
}

static int update_one(wsctx *c, pv *it)
{
	state *st = c->st;
	mid id = vp_int(it, "id", 0);
	mcourse *co = st_course(st, id);
	if (!co)
		return ws_missing_record(c, "course", ws_fmt(c, "SELECT id,category FROM {course} WHERE id = ?\n"
							     "[array (\n  0 => %lld,\n)]", id));
	if (acc_require_login(c, co))
		return -1;
	if (acc_require(c, "moodle/course:update"))
		return -1;
	const char *v;
	mcategory *newcat = NULL;
	if ((v = vp_str(it, "categoryid")) && changed_int(v, co->category)) {
		if (acc_require(c, "moodle/course:changecategory"))
			return -1;
	}
	if ((v = vp_str(it, "fullname")) && changed(v, co->fullname)) {
		if (acc_require(c, "moodle/course:changefullname"))
			return -1;
		if (php_trim_empty(v))
			return ws_moodle(c, "errorinvalidparam", "The param \"fullname\" is invalid.", NULL);
	}
	if ((v = vp_str(it, "shortname")) && changed(v, co->shortname)) {
		if (acc_require(c, "moodle/course:changeshortname"))
			return -1;
		if (php_trim_empty(v))
			return ws_moodle(c, "errorinvalidparam", "The param \"shortname\" is invalid.", NULL);
	}
	if ((v = vp_str(it, "idnumber")) && changed(v, co->idnumber) && acc_require(c, "moodle/course:changeidnumber"))
		return -1;
	if ((v = vp_str(it, "summary")) && changed(v, co->summary) && acc_require(c, "moodle/course:changesummary"))
		return -1;
	if ((v = vp_str(it, "summaryformat")) && changed_int(v, co->summaryformat)) {
		if (acc_require(c, "moodle/course:changesummary"))
			return -1;
		if (!valid_format_value(mt_php_intval(v)))
			return format_not_supported(c);
	}
	if ((v = vp_str(it, "visible")) && changed_int(v, co->visible) && acc_require(c, "moodle/course:visibility"))
		return -1;
	if ((v = vp_str(it, "lang")) && changed(v, co->lang)) {
		if (acc_require(c, "moodle/course:setforcedlanguage"))
			return -1;
		if (!param_lang_installed(v))
			return ws_moodle(c, "errorinvalidparam", "The param \"lang\" is invalid.", NULL);
	}
	/* update_course() */
	if (co->id == 1)
		return ws_moodle(c, "invalidcourse", "Invalid course", NULL);
	const char *sn = vp_str(it, "shortname");
	if (sn && !mt_php_empty(sn) && changed(sn, co->shortname) && shortname_taken(st, sn, co))
		return ws_moodle(c, "shortnametaken", ws_fmt(c, "Short name is already used for another course (%s)", sn),
				 NULL);
	const char *idn = vp_str(it, "idnumber");
	if (idn && !mt_php_empty(idn) && changed(idn, co->idnumber) && idnumber_taken(st, idn, co))
		return ws_moodle(c, "courseidnumbertaken",
				 ws_fmt(c, "ID number is already used for another course (%s)", idn), NULL);
	const char *dcode;
	if (course_dates_error(c, it, &dcode))
		return date_exception(c, dcode);
	long long catid = vp_int(it, "categoryid", 0);
	bool movecat = catid && catid != co->category;
	if (movecat) {
		newcat = st_cat(st, catid);
		if (!newcat)
			return ws_missing_record(c, "course_categories",
						 ws_fmt(c, "SELECT id,parent FROM {course_categories} WHERE id = ?\n"
							   "[array (\n  0 => %lld,\n)]", catid));
	}
	const char *toolong = course_too_long(it);
	if (toolong)
		return ws_dml_write(c, "ERROR:  value too long for type character varying\nUPDATE mdl_course");

	/* the write */
	int visible = vp_has(it, "visible") ? (int)vp_int(it, "visible", 1) : co->visible;
	if (visible != co->visible)
		st_set_int(st, &co->visibleold, visible);
	else if (movecat && !newcat->visible)
		visible = 0;
	st_set_int(st, &co->visible, visible);
	if ((v = vp_str(it, "fullname")))
		st_set_str(st, &co->fullname, v);
	if (sn)
		st_course_set_shortname(st, co, sn);
	if (idn)
		st_course_set_idnumber(st, co, idn);
	if ((v = vp_str(it, "summary")))
		st_set_str(st, &co->summary, v);
	if ((v = vp_str(it, "summaryformat")))
		st_set_int(st, &co->summaryformat, (int)mt_php_intval(v));
	if ((v = vp_str(it, "format"))) {
		st_set_str(st, &co->format, v);
		if (!strcmp(v, "singleactivity"))
			st_set_int(st, &co->newsitems, 0);
	}
	static const struct {
		const char *key;
		size_t off;
	} ints[] = { { "showgrades", offsetof(mcourse, showgrades) }, { "newsitems", offsetof(mcourse, newsitems) },
		     { "showreports", offsetof(mcourse, showreports) }, { "groupmode", offsetof(mcourse, groupmode) },
		     { "groupmodeforce", offsetof(mcourse, groupmodeforce) },
		     { "enablecompletion", offsetof(mcourse, enablecompletion) },
		     { "completionnotify", offsetof(mcourse, completionnotify) },
		     { "hiddensections", offsetof(mcourse, hiddensections) } };
	for (size_t i = 0; i < ARRAY_LEN(ints); i++)
		if ((v = vp_str(it, ints[i].key)))
			st_set_int(st, (int *)((char *)co + ints[i].off), (int)mt_php_intval(v));
	static const struct {
		const char *key;
		size_t off;
	} lls[] = { { "startdate", offsetof(mcourse, startdate) }, { "enddate", offsetof(mcourse, enddate) },
		    { "defaultgroupingid", offsetof(mcourse, defaultgroupingid) } };
	for (size_t i = 0; i < ARRAY_LEN(lls); i++)
		if ((v = vp_str(it, lls[i].key)))
			st_set_ll(st, (long long *)((char *)co + lls[i].off), mt_php_intval(v));
	if ((v = vp_str(it, "maxbytes"))) {
		long long mb = mt_php_intval(v);
		/* get_max_upload_file_size(): capped at the PHP upload limit (64M here) */
		if (mb != 0 && (mb < 0 || mb > 67108864))
			mb = 67108864;
		st_set_ll(st, &co->maxbytes, mb);
	}
	if ((v = vp_str(it, "lang")))
		st_set_str(st, &co->lang, v);
	const char *opt;
	if ((opt = format_option(it, "hiddensections")))
		st_set_int(st, &co->hiddensections, (int)mt_php_intval(opt));
	if ((opt = format_option(it, "coursedisplay")))
		st_set_int(st, &co->coursedisplay, (int)mt_php_intval(opt));
	if (movecat) {
		st_course_move(st, co, newcat);
		st_fix_sortorder(st);
	}
	st_set_ll(st, &co->timemodified, st_now(st));
	return 0;
}

static void add_warning(json_object *arr, const char *item, mid itemid, const char *code, const char *message)
{
	json_object *w = json_object_new_object();
	jadd(w, "item", ws_jstr(item));
	jadd(w, "itemid", jint(itemid));
	jadd(w, "warningcode", ws_jstr(code));
	jadd(w, "message", ws_jstr(message));
	json_object_array_add(arr, w);
}

int fn_update_courses(wsctx *c)
{
	pv *courses = vp_get(c->params, "courses");
	json_object *warnings = json_object_new_array();
	for (size_t i = 0; i < vp_len(courses); i++) {
		pv *it = vp_item(courses, i);
		size_t mark = st_mark(c->st);
		if (update_one(c, it)) {
			st_rollback_to(c->st, mark);
			add_warning(warnings, "course", vp_int(it, "id", 0),
				    c->err.errorcode ? c->err.errorcode : "0", c->err.message);
			memset(&c->err, 0, sizeof c->err);
		} else
			st_commit(c->st);
	}
	json_object *res = json_object_new_object();
	jadd(res, "warnings", warnings);
	c->result = res;
	return 0;
}

/* ---- delete ---- */

static bool can_delete_course(wsctx *c, mcourse *co)
{
	if (acc_has(c, "moodle/course:delete"))
		return true;
	if (!acc_has(c, "moodle/course:create"))
		return false;
	return co->createdby == c->user->id && co->timecreated >= st_now(c->st) - 86400;
}

int fn_delete_courses(wsctx *c)
{
	pv *ids = vp_get(c->params, "courseids");
	json_object *warnings = json_object_new_array();
	for (size_t i = 0; i < vp_len(ids); i++) {
		const char *sid = vp_item(ids, i)->s;
		mcourse *co = st_course(c->st, mt_php_intval(sid));
		if (!co) {
			add_warning(warnings, "course", mt_php_intval(sid), "unknowncourseidnumber",
				    ws_fmt(c, "Unknown course ID %s", sid));
			continue;
		}
		if (acc_require_login(c, co)) {
			/* not caught: the call fails, earlier deletions stay */
			json_object_put(warnings);
			return -1;
		}
		if (!can_delete_course(c, co)) {
			add_warning(warnings, "course", co->id, "cannotdeletecourse",
				    ws_fmt(c, "You do not have the permission to delete this course%s", sid));
			continue;
		}
		if (co->id == 1) {
			add_warning(warnings, "course", co->id, "cannotdeletecategorycourse",
				    ws_fmt(c, "Course %s failed to be deleted", sid));
			continue;
		}
		st_course_delete(c->st, co);
		st_commit(c->st);
	}
	st_fix_sortorder(c->st);
	json_object *res = json_object_new_object();
	jadd(res, "warnings", warnings);
	c->result = res;
	return 0;
}

/* ---- duplicate ---- */

static const char *const backup_options[] = { "activities", "blocks", "filters", "users", "enrolments",
					      "role_assignments", "comments", "userscompletion", "logs",
					      "grade_histories" };

int fn_duplicate_course(wsctx *c)
{
	state *st = c->st;
	pv *p = c->params;
	mcourse *src = st_course(st, vp_int(p, "courseid", 0));
	if (!src)
		return ws_moodle(c, "invalidcourseid", "You are trying to use an invalid course ID", NULL);
	mid catid = vp_int(p, "categoryid", 0);
	mcategory *cat = st_cat(st, catid);
	if (!cat)
		return ws_missing_record(c, "course_categories",
					 ws_fmt(c, "SELECT id,parent FROM {course_categories} WHERE id = ?\n"
						   "[array (\n  0 => %lld,\n)]", catid));
	if (acc_require_login(c, src))
		return -1;
	pv *opts = vp_get(p, "options");
	bool users = false;
	for (size_t i = 0; i < vp_len(opts); i++) {
		pv *o = vp_item(opts, i);
		const char *name = vp_str(o, "name"), *value = vp_str(o, "value");
		long long iv = mt_php_intval(value);
		/* clean_param(PARAM_INT) gives an int: 0 or 1 only */
		bool known = false;
		for (size_t k = 0; k < ARRAY_LEN(backup_options); k++)
			if (!strcmp(backup_options[k], name))
				known = true;
		if ((iv != 0 && iv != 1) || !known)
			return ws_moodle(c, "invalidextparam", ws_fmt(c, "Invalid external api parameter: %s", name), NULL);
		if (!strcmp(name, "users"))
			users = iv == 1;
	}
	if (acc_require(c, "moodle/course:create") || acc_require(c, "moodle/restore:restorecourse") ||
	    acc_require(c, "moodle/backup:backupcourse"))
		return -1;
	if (users && (acc_require(c, "moodle/backup:userinfo") || acc_require(c, "moodle/restore:userinfo")))
		return -1;
	const char *sn = vp_str(p, "shortname");
	const vec *taken = strmulti_get(&st->course_shortname, sn);
	if (taken && taken->n) {
		strbuf names = STRBUF_INIT;
		vec sorted = { 0 };
		for (size_t i = 0; i < taken->n; i++)
			vec_push(&sorted, taken->v[i]);
		vec_sort(&sorted, cmp_course_id);
		for (size_t i = 0; i < sorted.n; i++) {
			if (i)
				sb_addc(&names, ',');
			sb_adds(&names, ((mcourse *)sorted.v[i])->fullname);
		}
		vec_free(&sorted);
		int rc = ws_moodle(c, "shortnametaken",
				   ws_fmt(c, "Short name is already used for another course (%s)", sb_str(&names)), NULL);
		sb_free(&names);
		return rc;
	}
	/* backup + restore into a new course: settings copied, idnumber only
	 * when unused (the source still has it), fresh default instances */
	long long now = st_now(st);
	mcourse *co = st_course_alloc(st);
	co->category = cat->id;
	co->fullname = xstrdup(vp_str(p, "fullname"));
	co->shortname = xstrdup(sn);
	free(co->summary);
	co->summary = xstrdup(src->summary);
	co->summaryformat = src->summaryformat;
	free(co->format);
	co->format = xstrdup(src->format);
	co->showgrades = src->showgrades;
	co->newsitems = src->newsitems;
	co->startdate = src->startdate;
	co->enddate = src->enddate;
	co->maxbytes = src->maxbytes;
	co->showreports = src->showreports;
	co->visible = co->visibleold = (int)vp_int(p, "visible", 1);
	co->groupmode = src->groupmode;
	co->groupmodeforce = src->groupmodeforce;
	co->enablecompletion = src->enablecompletion;
	co->completionnotify = src->completionnotify;
	free(co->lang);
	co->lang = xstrdup(src->lang);
	co->numsections = src->numsections;
	co->hiddensections = src->hiddensections;
	co->coursedisplay = src->coursedisplay;
	co->showactivitydates = src->showactivitydates;
	co->showcompletionconditions = src->showcompletionconditions;
	co->timecreated = co->timemodified = co->cacherev = now;
	co->createdby = c->user->id;
	st_course_insert(st, co);
	/* restore_dbops::create_new_course() inserts it with sortorder 0 and
	 * nothing calls fix_course_sortorder() */
	st_course_set_unsorted(st, co, 1);
	st_add_default_instances(st, co);
	json_object *r = json_object_new_object();
	jadd(r, "id", jint(co->id));
	jadd(r, "shortname", ws_jstr(co->shortname));
	c->result = r;
	return 0;
}

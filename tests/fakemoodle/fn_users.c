/* fn_users.c -- the user functions: get_users_by_field, get_users,
 * create_users (all-or-nothing, Moodle's check order and password
 * matrix), update_users (per-user transactions, warnings, the
 * invalidresponse trap), delete_users (soft delete, all-or-nothing). */
#include "config.h"
#include "functions.h"
#include "access.h"
#include "mtext.h"
#include "userdetails.h"

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ISO 3166-1 alpha-2 codes (Moodle's get_list_of_countries()). */
static const char COUNTRIES[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY "
	"BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK "
	"FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR "
	"IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK "
	"ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
	"PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF "
	"TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

static bool country_ok(const char *c)
{
	if (strlen(c) != 2)
		return false;
	for (size_t i = 0; i + 1 < sizeof COUNTRIES; i += 3)
		if (COUNTRIES[i] == c[0] && COUNTRIES[i + 1] == c[1])
			return true;
	return false;
}

static bool auth_internal(const char *auth)
{
	static const char *const internal[] = { "manual", "email", "nologin", "none", "webservice" };
	for (size_t i = 0; i < ARRAY_LEN(internal); i++)
		if (!strcmp(internal[i], auth))
			return true;
	return false;
}

static bool auth_can_change_password(const char *auth)
{
	return !strcmp(auth, "manual") || !strcmp(auth, "email") || !strcmp(auth, "none");
}

static char *fake_hash(const char *pw)
{
	uint64_t h = hash_bytes(pw, strlen(pw), HASH_SEED);
	return xasprintf("$6$fakemoodle$%016llx", (unsigned long long)h);
}

static pw_policy policy(state *st)
{
	pw_policy p = { st->set.passwordpolicy, st->set.minpasswordlength, st->set.minpassworddigits,
			st->set.minpasswordlower, st->set.minpasswordupper, st->set.minpasswordnonalphanum,
			st->set.maxconsecutiveidentchars };
	return p;
}

static int policy_exception(wsctx *c, const char *html)
{
	return ws_moodle(c, html, ws_fmt(c, "error/%s", html), NULL);
}

static bool email_in_use(state *st, const char *email, muser *except)
{
	char *low = mt_ascii_lower(email);
	const vec *v = strmulti_get(&st->user_email_lower, low);
	free(low);
	for (size_t i = 0; v && i < v->n; i++) {
		muser *u = v->v[i];
		if (u != except && u->mnethostid == 1)
			return true;
	}
	return false;
}

static muser *user_by_username(state *st, const char *username)
{
	const vec *v = strmulti_get(&st->user_username, username);
	return v && v->n ? v->v[0] : NULL;
}

/* varchar lengths of mdl_user (characters). */
static const struct {
	const char *key;
	size_t max;
} USER_COLS[] = { { "username", 100 }, { "firstname", 100 }, { "lastname", 100 }, { "email", 100 },
		  { "idnumber", 255 }, { "institution", 255 }, { "department", 255 }, { "address", 255 },
		  { "city", 120 }, { "country", 2 }, { "lang", 30 }, { "theme", 50 }, { "timezone", 100 },
		  { "phone1", 20 }, { "phone2", 20 }, { "auth", 20 }, { "calendartype", 30 },
		  { "firstnamephonetic", 255 }, { "lastnamephonetic", 255 }, { "middlename", 255 },
		  { "alternatename", 255 } };

static const char *user_too_long(pv *it)
{
	for (size_t i = 0; i < ARRAY_LEN(USER_COLS); i++) {
		const char *v = vp_str(it, USER_COLS[i].key);
		if (v && mt_utf8_len(v, strlen(v)) > USER_COLS[i].max)
			return USER_COLS[i].key;
	}
	return NULL;
}

static char *interests_list(const char *s)
{
	/* explode(','), trim, drop empty ones (tags keep first appearance) */
	strbuf out = STRBUF_INIT;
	const char *p = s;
	for (;;) {
		const char *comma = strchr(p, ',');
		const char *t = p;
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		mt_php_trim(&t, &n);
		if (n && !(n == 1 && t[0] == '0')) {
			if (out.len)
				sb_adds(&out, ", ");
			sb_add(&out, t, n);
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return sb_detach(&out);
}

/* ---- get_users_by_field ---- */

static int cmp_user_id(const void *a, const void *b)
{
	mid x = (*(muser *const *)a)->id, y = (*(muser *const *)b)->id;
	return x < y ? -1 : x > y;
}

int fn_get_users_by_field(wsctx *c)
{
	state *st = c->st;
	const char *field = vp_str(c->params, "field");
	pv *values = vp_get(c->params, "values");
	int ptype;
	if (!strcmp(field, "id"))
		ptype = P_INT;
	else if (!strcmp(field, "idnumber"))
		ptype = P_RAW;
	else if (!strcmp(field, "username"))
		ptype = P_USERNAME;
	else if (!strcmp(field, "email"))
		ptype = P_RAW_TRIMMED;
	else
		return ws_coding(c, "invalid field parameter",
				 ws_fmt(c, "The search field '%s' is not supported, look at the web service documentation",
					field));
	vec found = { 0 };
	for (size_t i = 0; i < vp_len(values); i++) {
		const char *v = vp_item(values, i)->s;
		strbuf cl = STRBUF_INIT;
		param_clean(&cl, ptype, v, strlen(v), &c->penv);
		if (!mt_php_loose_eq(v, sb_str(&cl))) {
			int rc = ws_invalid_param(c, ws_fmt(c, "The field '%s' value is invalid: %s(cleaned value: %s)", field,
							    v, sb_str(&cl)));
			sb_free(&cl);
			vec_free(&found);
			return rc;
		}
		const vec *m = NULL;
		muser *one = NULL;
		if (ptype == P_INT)
			one = st_user(st, mt_php_intval(sb_str(&cl)));
		else if (!strcmp(field, "idnumber"))
			m = strmulti_get(&st->user_idnumber, sb_str(&cl));
		else if (!strcmp(field, "username"))
			m = strmulti_get(&st->user_username, sb_str(&cl));
		else
			m = strmulti_get(&st->user_email, sb_str(&cl));
		if (one && vec_index(&found, one) < 0)
			vec_push(&found, one);
		for (size_t k = 0; m && k < m->n; k++)
			if (vec_index(&found, m->v[k]) < 0)
				vec_push(&found, m->v[k]);
		sb_free(&cl);
	}
	vec_sort(&found, cmp_user_id);
	json_object *list = json_object_new_array();
	for (size_t i = 0; i < found.n; i++) {
		json_object *d = ud_details_courses(c, found.v[i]);
		json_object *fv = NULL;
		if (d && json_object_object_get_ex(d, field, &fv) && fv &&
		    !(json_object_is_type(fv, json_type_string) && mt_php_empty(json_object_get_string(fv))) &&
		    !(json_object_is_type(fv, json_type_int) && json_object_get_int64(fv) == 0))
			json_object_array_add(list, d);
		else
			json_object_put(d);
	}
	vec_free(&found);
	c->result = list;
	return 0;
}

/* ---- get_users ---- */

/* SQL LIKE with % and _ (backslash escapes), case-insensitive. */
static bool like_match(const char *s, const char *pat)
{
	for (;;) {
		if (!*pat)
			return !*s;
		if (*pat == '%') {
			while (*pat == '%')
				pat++;
			if (!*pat)
				return true;
			for (const char *t = s;; t++) {
				if (like_match(t, pat))
					return true;
				if (!*t)
					return false;
			}
		}
		if (!*s)
			return false;
		if (*pat == '_') {
			/* one character (UTF-8 sequence) */
			s++;
			while ((*s & 0xC0) == 0x80)
				s++;
			pat++;
			continue;
		}
		if (*pat == '\\' && pat[1])
			pat++;
		if (*s != *pat)
			return false;
		s++;
		pat++;
	}
}

static bool ilike(const char *value, const char *pattern)
{
	strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	mt_lower(&a, value, strlen(value));
	mt_lower(&b, pattern, strlen(pattern));
	bool r = like_match(sb_str(&a), sb_str(&b));
	sb_free(&a);
	sb_free(&b);
	return r;
}

int fn_get_users(wsctx *c)
{
	state *st = c->st;
	pv *criteria = vp_get(c->params, "criteria");
	json_object *warnings = json_object_new_array();
	size_t n = vp_len(criteria);
	const char **keys = xcalloc(n + 1, sizeof *keys);
	char **vals = xcalloc(n + 1, sizeof *vals);
	size_t used = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		pv *it = vp_item(criteria, i);
		const char *key = vp_str(it, "key"), *value = vp_str(it, "value");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(vp_str(vp_item(criteria, j), "key"), key)) {
				rc = ws_moodle(c, "keyalreadyset", "error/keyalreadyset",
					       ws_fmt(c, "The key %s can only be sent once", key));
				goto out;
			}
		int ptype = -1;
		if (!strcmp(key, "id"))
			ptype = P_INT;
		else if (!strcmp(key, "idnumber"))
			ptype = P_RAW;
		else if (!strcmp(key, "username"))
			ptype = P_USERNAME;
		else if (!strcmp(key, "email"))
			ptype = P_RAW_TRIMMED;
		else if (!strcmp(key, "auth"))
			ptype = P_AUTH;
		else if (!strcmp(key, "lastname") || !strcmp(key, "firstname"))
			ptype = P_NOTAGS;
		if (ptype < 0) {
			json_object *w = json_object_new_object();
			jadd(w, "item", ws_jstr(key));
			jadd(w, "warningcode", ws_jstr("invalidfieldparameter"));
			jadd(w, "message", ws_jstr(ws_fmt(c, "The search key '%s' is not supported, look at the web service "
							     "documentation", key)));
			json_object_array_add(warnings, w);
			continue;
		}
		strbuf cl = STRBUF_INIT;
		param_clean(&cl, ptype, value, strlen(value), &c->penv);
		keys[used] = key;
		vals[used] = sb_detach(&cl);
		if (!vals[used])
			vals[used] = xstrdup("");
		used++;
	}
	json_object *users = json_object_new_array();
	for (size_t id = 0; id < st->users_cap; id++) {
		muser *u = st->users[id];
		if (!u || u->deleted)
			continue;
		bool ok = true;
		for (size_t k = 0; k < used && ok; k++) {
			const char *key = keys[k], *v = vals[k];
			if (!strcmp(key, "id"))
				ok = u->id == mt_php_intval(v);
			else if (!strcmp(key, "idnumber"))
				ok = !strcmp(st_s(u->idnumber), v);
			else if (!strcmp(key, "username"))
				ok = !strcmp(u->username, v);
			else if (!strcmp(key, "auth"))
				ok = !strcmp(u->auth, v);
			else if (!strcmp(key, "email"))
				ok = ilike(st_s(u->email), v);
			else if (!strcmp(key, "firstname"))
				ok = ilike(st_s(u->firstname), v);
			else
				ok = ilike(st_s(u->lastname), v);
		}
		if (!ok)
			continue;
		json_object *d = ud_details_courses(c, u);
		if (!d)
			continue;
		bool valid = true;
		for (size_t k = 0; k < used; k++) {
			json_object *fv;
			if (!json_object_object_get_ex(d, keys[k], &fv) || !fv ||
			    (json_object_is_type(fv, json_type_string) && mt_php_empty(json_object_get_string(fv))))
				valid = false;
		}
		if (valid)
			json_object_array_add(users, d);
		else
			json_object_put(d);
	}
	json_object *res = json_object_new_object();
	jadd(res, "users", users);
	jadd(res, "warnings", warnings);
	warnings = NULL;
	c->result = res;
out:
	json_object_put(warnings);
	for (size_t i = 0; i < used; i++)
		free(vals[i]);
	free(vals);
	free(keys);
	return rc;
}

/* ---- create_users ---- */

static int create_one(wsctx *c, pv *it, json_object *out)
{
	state *st = c->st;
	static const char *const nonblank[] = { "username", "firstname", "lastname" };
	for (size_t i = 0; i < ARRAY_LEN(nonblank); i++) {
		const char *v = vp_str(it, nonblank[i]);
		size_t n = strlen(v);
		mt_php_trim(&v, &n);
		if (!n)
			return ws_invalid_param(c, ws_fmt(c, "The field %s cannot be blank", nonblank[i]));
	}
	const char *username = vp_str(it, "username");
	if (user_by_username(st, username))
		return ws_invalid_param(c, ws_fmt(c, "Username already exists: %s", username));
	const char *auth = vp_str(it, "auth");
	if (!param_auth_installed(auth) || !strcmp(auth, "mnet") || !strcmp(auth, "webservice"))
		return ws_invalid_param(c, ws_fmt(c, "Invalid authentication type: %s", auth));
	const char *lang = vp_str(it, "lang");
	if (!lang || !param_lang_installed(lang))
		return ws_invalid_param(c, ws_fmt(c, "Invalid language code: %s", lang ? lang : ""));
	const char *theme = vp_str(it, "theme");
	if (theme && !mt_php_empty(theme) && !param_theme_installed(theme))
		return ws_invalid_param(c, ws_fmt(c, "Invalid theme: %s", theme));
	const char *password = vp_str(it, "password");
	const char *cp = vp_str(it, "createpassword");
	bool createpassword = cp && cp[0] == '1';
	bool internal = auth_internal(auth);
	if (internal && mt_php_empty(password) && !createpassword)
		return ws_invalid_param(c, "Invalid password: you must provide a password, or set createpassword.");
	const char *email = vp_str(it, "email");
	if (!mt_validate_email(email))
		return ws_invalid_param(c, ws_fmt(c, "Email address is invalid: %s", email));
	if (!st->set.allowaccountssameemail && email_in_use(st, email, NULL))
		return ws_invalid_param(c, ws_fmt(c, "Email address already exists: %s", email));
	/* user_create_user(): the policy when the password is to be set */
	if (internal && !createpassword && password) {
		pw_policy pol = policy(st);
		strbuf errs = STRBUF_INIT;
		if (!mt_password_ok(&pol, password, &errs)) {
			int rc = policy_exception(c, sb_str(&errs));
			sb_free(&errs);
			return rc;
		}
		sb_free(&errs);
	}
	if (user_too_long(it))
		return ws_dml_write(c, "ERROR:  value too long for type character varying(100)\n"
				       "INSERT INTO mdl_user (username,auth,firstname,lastname,email,idnumber,lang,"
				       "calendartype,confirmed,mnethostid,maildisplay,mailformat,maildigest,autosubscribe,"
				       "trackforums,city,country,timecreated,timemodified) VALUES($1,$2,$3,$4,$5,$6,$7,$8,"
				       "$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19) RETURNING id");

	muser *u = st_user_alloc(st);
	u->username = xstrdup(username);
	free(u->auth);
	u->auth = xstrdup(auth);
	u->firstname = xstrdup(vp_str(it, "firstname"));
	u->lastname = xstrdup(vp_str(it, "lastname"));
	u->email = xstrdup(email);
	static const struct {
		const char *key;
		size_t off;
	} strs[] = { { "idnumber", offsetof(muser, idnumber) }, { "institution", offsetof(muser, institution) },
		     { "department", offsetof(muser, department) }, { "address", offsetof(muser, address) },
		     { "phone1", offsetof(muser, phone1) }, { "phone2", offsetof(muser, phone2) },
		     { "city", offsetof(muser, city) }, { "lang", offsetof(muser, lang) },
		     { "calendartype", offsetof(muser, calendartype) }, { "theme", offsetof(muser, theme) },
		     { "timezone", offsetof(muser, timezone) }, { "description", offsetof(muser, description) },
		     { "firstnamephonetic", offsetof(muser, firstnamephonetic) },
		     { "lastnamephonetic", offsetof(muser, lastnamephonetic) },
		     { "middlename", offsetof(muser, middlename) }, { "alternatename", offsetof(muser, alternatename) } };
	for (size_t i = 0; i < ARRAY_LEN(strs); i++) {
		const char *v = vp_str(it, strs[i].key);
		if (!v)
			continue;
		char **f = (char **)((char *)u + strs[i].off);
		free(*f);
		*f = xstrdup(v);
	}
	const char *country = vp_str(it, "country");
	if (country) {
		free(u->country);
		/* core_user::validate(): an unknown code becomes the site default */
		u->country = xstrdup(country_ok(country) ? country : (*st->set.defaultcountry ? st->set.defaultcountry : "0"));
	}
	if (vp_has(it, "mailformat"))
		u->mailformat = (int)vp_int(it, "mailformat", 1);
	if (vp_has(it, "maildisplay"))
		u->maildisplay = (int)vp_int(it, "maildisplay", 2);
	free(u->password);
	if (!internal)
		u->password = xstrdup("not cached");
	else if (createpassword)
		u->password = fake_hash("generated");
	else if (auth_can_change_password(auth))
		u->password = fake_hash(password);
	else
		u->password = xstrdup("");
	u->timecreated = u->timemodified = st_now(st);
	st_user_insert(st, u);
	const char *interests = vp_str(it, "interests");
	if (interests && !mt_php_empty(interests)) {
		char *l = interests_list(interests);
		u->interests = *l ? l : NULL;
		if (!*l)
			free(l);
	}
	if (createpassword)
		st_pref_set(st, u, "auth_forcepasswordchange", "1");
	pv *prefs = vp_get(it, "preferences");
	for (size_t i = 0; i < vp_len(prefs); i++) {
		pv *p = vp_item(prefs, i);
		st_pref_set(st, u, vp_str(p, "type"), vp_str(p, "value"));
	}
	json_object *r = json_object_new_object();
	jadd(r, "id", jint(u->id));
	jadd(r, "username", ws_jstr(u->username));
	json_object_array_add(out, r);
	return 0;
}

int fn_create_users(wsctx *c)
{
	if (acc_require(c, "moodle/user:create"))
		return -1;
	pv *users = vp_get(c->params, "users");
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < vp_len(users); i++)
		if (create_one(c, vp_item(users, i), out)) {
			json_object_put(out);
			return -1;
		}
	c->result = out;
	return 0;
}

/* ---- update_users ---- */

static int update_one(wsctx *c, pv *it)
{
	state *st = c->st;
	mid id = vp_int(it, "id", 0);
	muser *u = st_user(st, id);
	if (!u)
		return ws_moodle(c, "invaliduserid", "Invalid user ID", "Invalid user ID");
	if (u->id != c->user->id && st_is_siteadmin(st, u->id) && !c->admin)
		return ws_moodle(c, "usernotupdatedadmin", "error/usernotupdatedadmin", "Cannot update admin accounts");
	if (u->deleted)
		return ws_moodle(c, "usernotupdateddeleted", "error/usernotupdateddeleted", "User is a deleted user");
	if (u->mnethostid != 1)
		return ws_moodle(c, "usernotupdatedremote", "error/usernotupdatedremote", "User is a remote user");
	if (u->id == 1)
		return ws_moodle(c, "usernotupdatedguest", "error/usernotupdatedguest", "Cannot update guest account");
	const char *email = vp_str(it, "email");
	if (email && strcmp(email, st_s(u->email))) {
		if (!mt_validate_email(email))
			return ws_moodle(c, "useremailinvalid", "error/useremailinvalid", "Invalid email address");
		if (!st->set.allowaccountssameemail && email_in_use(st, email, u))
			return ws_moodle(c, "useremailduplicate", "Duplicate address", "Duplicate email address");
	}
	/* user_update_user() */
	const char *password = vp_str(it, "password");
	if (password) {
		pw_policy pol = policy(st);
		strbuf errs = STRBUF_INIT;
		if (!mt_password_ok(&pol, password, &errs)) {
			int rc = policy_exception(c, sb_str(&errs));
			sb_free(&errs);
			return rc;
		}
		sb_free(&errs);
	}
	const char *username = vp_str(it, "username");
	if (username) {
		muser *other = user_by_username(st, username);
		if (other && other != u)
			return ws_dml_write(c, ws_fmt(c, "ERROR:  duplicate key value violates unique constraint "
							 "\"mdl_user_mneuse_uix\"\nDETAIL:  Key (mnethostid, username)=(1, %s) "
							 "already exists.\nUPDATE mdl_user", username));
	}
	if (user_too_long(it))
		return ws_dml_write(c, "ERROR:  value too long for type character varying\nUPDATE mdl_user");
	if (username)
		st_user_set_username(st, u, username);
	if (email)
		st_user_set_email(st, u, email);
	const char *v;
	if ((v = vp_str(it, "idnumber")))
		st_user_set_idnumber(st, u, v);
	static const struct {
		const char *key;
		size_t off;
	} strs[] = { { "auth", offsetof(muser, auth) }, { "firstname", offsetof(muser, firstname) },
		     { "lastname", offsetof(muser, lastname) }, { "institution", offsetof(muser, institution) },
		     { "department", offsetof(muser, department) }, { "address", offsetof(muser, address) },
		     { "phone1", offsetof(muser, phone1) }, { "phone2", offsetof(muser, phone2) },
		     { "city", offsetof(muser, city) }, { "lang", offsetof(muser, lang) },
		     { "theme", offsetof(muser, theme) }, { "timezone", offsetof(muser, timezone) },
		     { "description", offsetof(muser, description) },
		     { "firstnamephonetic", offsetof(muser, firstnamephonetic) },
		     { "lastnamephonetic", offsetof(muser, lastnamephonetic) },
		     { "middlename", offsetof(muser, middlename) }, { "alternatename", offsetof(muser, alternatename) } };
	for (size_t i = 0; i < ARRAY_LEN(strs); i++)
		if ((v = vp_str(it, strs[i].key)))
			st_set_str(st, (char **)((char *)u + strs[i].off), v);
	if ((v = vp_str(it, "calendartype")) && *v)
		st_set_str(st, &u->calendartype, v);
	if ((v = vp_str(it, "country")))
		st_set_str(st, &u->country, country_ok(v) ? v : (*st->set.defaultcountry ? st->set.defaultcountry : "0"));
	if ((v = vp_str(it, "suspended")))
		st_set_int(st, &u->suspended, v[0] == '1');
	if ((v = vp_str(it, "mailformat")))
		st_set_int(st, &u->mailformat, (int)mt_php_intval(v));
	if ((v = vp_str(it, "maildisplay")))
		st_set_int(st, &u->maildisplay, (int)mt_php_intval(v));
	if (password && auth_can_change_password(u->auth)) {
		char *h = fake_hash(password);
		st_set_str(st, &u->password, h);
		free(h);
	}
	st_set_ll(st, &u->timemodified, st_now(st));
	const char *interests = vp_str(it, "interests");
	if (interests && !mt_php_empty(interests)) {
		char *l = interests_list(interests);
		st_set_str(st, &u->interests, *l ? l : NULL);
		free(l);
	}
	pv *prefs = vp_get(it, "preferences");
	for (size_t i = 0; i < vp_len(prefs); i++) {
		pv *p = vp_item(prefs, i);
		st_pref_set(st, u, vp_str(p, "type"), vp_str(p, "value"));
	}
	return 0;
}

static bool alphanum(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

int fn_update_users(wsctx *c)
{
	if (acc_require(c, "moodle/user:update"))
		return -1;
	pv *users = vp_get(c->params, "users");
	json_object *warnings = json_object_new_array();
	const char *badcode = NULL;
	for (size_t i = 0; i < vp_len(users); i++) {
		pv *it = vp_item(users, i);
		size_t mark = st_mark(c->st);
		if (update_one(c, it)) {
			st_rollback_to(c->st, mark);
			const char *code = c->err.errorcode ? c->err.errorcode : "0";
			json_object *w = json_object_new_object();
			jadd(w, "item", ws_jstr("user"));
			jadd(w, "itemid", jint(vp_int(it, "id", 0)));
			jadd(w, "warningcode", ws_jstr(code));
			jadd(w, "message", ws_jstr(c->err.message));
			json_object_array_add(warnings, w);
			if (!badcode && !alphanum(code))
				badcode = code;
			memset(&c->err, 0, sizeof c->err);
		} else
			st_commit(c->st);
	}
	if (badcode) {
		/* clean_returnvalue(): warningcode is PARAM_ALPHANUM; the users
		 * already updated stay committed */
		json_object_put(warnings);
		return ws_throw(c, EXC_INVALID_RESPONSE, "invalidresponse", "Invalid response value detected",
				ws_fmt(c, "warnings => Invalid response value detected: warningcode => Invalid response "
					  "value detected: Invalid external api response: the value is \"%s\" of PHP type "
					  "\"string\", the server was expecting \"alphanum\" type", badcode));
	}
	json_object *res = json_object_new_object();
	jadd(res, "warnings", warnings);
	c->result = res;
	return 0;
}

/* ---- delete_users ---- */

static void delete_user(wsctx *c, muser *u)
{
	state *st = c->st;
	/* enrol_user_delete(), role_unassign_all(), groups, preferences */
	while (u->ues.n)
		st_ue_delete(st, u->ues.v[u->ues.n - 1]);
	while (u->ras.n)
		st_ra_delete(st, u->ras.v[u->ras.n - 1]);
	while (u->members.n)
		st_member_delete(st, u->members.v[u->members.n - 1]);
	while (u->prefs.n)
		st_pref_delete(st, u, u->prefs.v[u->prefs.n - 1]);
	const char *delemail = u->email && *u->email ? u->email
						      : ws_fmt(c, "%s.%lld@unknownemail.invalid", u->username, u->id);
	long long deltime = st_now(st);
	strbuf prefix = STRBUF_INIT;
	param_env env = { false };
	param_clean(&prefix, P_USERNAME, delemail, strlen(delemail), &env);
	char ts[32];
	snprintf(ts, sizeof ts, "%lld", deltime);
	size_t maxlen = 100 - (strlen(ts) + 1);
	/* core_text::substr counts characters; the cleaned prefix is ASCII */
	if (prefix.len > maxlen)
		prefix.len = maxlen;
	char *name = NULL;
	for (;;) {
		free(name);
		name = xasprintf("%.*s.%lld", (int)prefix.len, sb_str(&prefix), deltime);
		if (!user_by_username(st, name))
			break;
		deltime++;
	}
	char md5[33];
	mt_md5_hex(u->username, md5);
	st_user_set_username(st, u, name);
	st_user_set_email(st, u, md5);
	st_user_set_idnumber(st, u, "");
	st_set_int(st, &u->deleted, 1);
	st_set_ll(st, &u->timemodified, deltime);
	free(name);
	sb_free(&prefix);
}

int fn_delete_users(wsctx *c)
{
	if (acc_require(c, "moodle/user:delete"))
		return -1;
	pv *ids = vp_get(c->params, "userids");
	for (size_t i = 0; i < vp_len(ids); i++) {
		mid id = mt_php_intval(vp_item(ids, i)->s);
		muser *u = st_user(c->st, id);
		if (!u || u->deleted)
			return ws_missing_record(c, "user", ws_fmt(c, "SELECT * FROM {user} WHERE id = ? AND deleted = ?\n"
								     "[array (\n  0 => %lld,\n  1 => 0,\n)]", id));
		if (st_is_siteadmin(c->st, u->id))
			return ws_moodle(c, "useradminodelete", "Administrator accounts cannot be deleted.", NULL);
		if (u->id == c->user->id)
			return ws_moodle(c, "usernotdeletederror", "error/usernotdeletederror", NULL);
		delete_user(c, u);
	}
	/* tokens of deleted users go too (after commit, see ws.c) */
	c->result = NULL;
	return 0;
}

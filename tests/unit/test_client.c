/* test_client.c -- the REST client (moodle_client, moodle_read, site)
 * against the Moodle emulator tests/fakemoodle, which each test starts on
 * 127.0.0.1 port 0 with a small state of its own and stops by its PID.
 *
 * What is asserted, against moodle-ws.md and the transcripts of the real
 * Moodle 4.5 (T07, T12, T17, T18): the typed snapshot every bulk read fills;
 * every write the importer makes, with the state the emulator holds after
 * it; Moodle's errors kept whole (exception class after its last backslash,
 * errorcode, message, debuginfo); transport faults (HTTP 5xx, resets,
 * stalls past the timeout, truncated and non-JSON bodies) classified apart
 * from Moodle's answers; reads retried through seeded faults and ending with
 * the same snapshot as without them; writes never sent twice and reported
 * as of unknown outcome when they may have committed (the emulator's state
 * shows that they did); the field budget refusing a request before it is
 * sent; the token in no error text and no log line; and the retry policy
 * itself (backoff bounds, jitter, count and time limits).
 *
 * FAKEMOODLE names the emulator (make check sets it); without it the suite
 * is skipped (exit 77). */
#include "config.h"
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "moodle_client.h"
#include "moodle_read.h"
#include "site.h"
#include "check_main.h"

#define TOKEN "c0ffee00d15ea5e0123456789abcdef0"
#define NOW 1767225600 /* the emulator's fixed clock: 2026-01-01 00:00 UTC */

static const char *fakemoodle;

/* ---- the emulator -------------------------------------------------------------------- */

typedef struct emu {
	pid_t pid;
	FILE *out;
	char url[128];
	char dir[64];
} emu;

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* Starts the emulator with the state (JSON text, or NULL for the fresh site)
 * and the extra arguments (NULL-terminated). */
static void emu_start(emu *m, const char *state, const char *const *extra)
{
	memset(m, 0, sizeof *m);
	snprintf(m->dir, sizeof m->dir, "/tmp/ims2moodle-client-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(m->dir));
	char statepath[128], errpath[128];
	snprintf(statepath, sizeof statepath, "%s/state.json", m->dir);
	snprintf(errpath, sizeof errpath, "%s/stderr.log", m->dir);
	write_text(statepath, state ? state : "{}");

	const char *argv[32] = { fakemoodle, "--listen", "127.0.0.1:0", "--token", TOKEN,
				 "--state", statepath };
	size_t n = 7;
	for (size_t i = 0; extra && extra[i]; i++) {
		ck_assert_uint_lt(n, ARRAY_LEN(argv) - 1);
		argv[n++] = extra[i];
	}
	argv[n] = NULL;

	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t parent = getpid();
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* a failed assertion ends the test process: take the emulator with it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fds[1], 1);
		if (err >= 0)
			dup2(err, 2);
		close(fds[0]);
		close(fds[1]);
		execv(fakemoodle, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	m->pid = pid;
	m->out = fdopen(fds[0], "r");
	char line[256] = "";
	ck_assert_msg(fgets(line, sizeof line, m->out) != NULL, "the emulator did not start (see %s)", errpath);
	line[strcspn(line, "\r\n")] = '\0';
	ck_assert_msg(strncmp(line, "http://127.0.0.1:", 17) == 0, "first line: %s", line);
	snprintf(m->url, sizeof m->url, "%s", line);
}

static void emu_stop(emu *m)
{
	if (m->pid > 0) {
		kill(m->pid, SIGTERM);
		int st;
		waitpid(m->pid, &st, 0);
		m->pid = 0;
	}
	if (m->out)
		fclose(m->out);
	m->out = NULL;
	char path[160];
	snprintf(path, sizeof path, "%s/state.json", m->dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/stderr.log", m->dir);
	unlink(path);
	rmdir(m->dir);
}

static size_t collect(char *p, size_t size, size_t n, void *user)
{
	sb_add(user, p, size * n);
	return size * n;
}

/* GET (body NULL) or POST one of the emulator's own endpoints; the reply
 * as JSON (the caller puts it). */
static json_object *emu_http(const emu *m, const char *path, const char *body)
{
	char *url = xasprintf("%s%s", m->url, path);
	strbuf out = STRBUF_INIT;
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	CURLcode rc = curl_easy_perform(h);
	long http = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http);
	curl_easy_cleanup(h);
	free(url);
	ck_assert_msg(rc == CURLE_OK && http == 200, "%s: curl %d, HTTP %ld: %s", path, rc, http, sb_str(&out));
	json_object *o = json_tokener_parse(sb_str(&out));
	ck_assert_msg(o != NULL, "%s: not JSON", path);
	sb_free(&out);
	return o;
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

/* The number /__stats shows for a function's key ("count", "faults",
 * "fields_max", "fields_dropped"); 0 when the function was never called. */
static int64_t fn_stat(const emu *m, const char *function, const char *key)
{
	json_object *st = emu_http(m, "/__stats", NULL);
	json_object *fn = member(member(st, "functions"), function);
	int64_t v = fn ? json_int_of(fn, key) : 0;
	json_object_put(st);
	return v;
}

static int64_t total_stat(const emu *m, const char *key)
{
	json_object *st = emu_http(m, "/__stats", NULL);
	int64_t v = json_int_of(st, key);
	json_object_put(st);
	return v;
}

/* The rows of a /__state table whose keys match (pairs of key and int
 * value, then NULL). */
static int count_rows(json_object *state, const char *table, ...)
{
	json_object *rows = member(state, table);
	int found = 0;
	for (size_t i = 0; rows && i < json_object_array_length(rows); i++) {
		json_object *row = json_object_array_get_idx(rows, i);
		va_list ap;
		va_start(ap, table);
		bool match = true;
		const char *key;
		while ((key = va_arg(ap, const char *)) != NULL) {
			int64_t want = va_arg(ap, int64_t);
			if (json_int_of(row, key) != want)
				match = false;
		}
		va_end(ap);
		found += match;
	}
	return found;
}

static json_object *row_by_id(json_object *state, const char *table, int64_t id)
{
	json_object *rows = member(state, table);
	for (size_t i = 0; rows && i < json_object_array_length(rows); i++)
		if (json_int_of(json_object_array_get_idx(rows, i), "id") == id)
			return json_object_array_get_idx(rows, i);
	return NULL;
}

static int enrolments_of(const emu *m, int64_t userid, int64_t courseid)
{
	json_object *st = emu_http(m, "/__state", NULL);
	int n = count_rows(st, "user_enrolments", "userid", userid, "courseid", courseid, (char *)NULL);
	json_object_put(st);
	return n;
}

/* ---- the client ---------------------------------------------------------------------- */

static moodle_options options_for(const emu *m)
{
	moodle_options o = { 0 };
	o.url = m ? m->url : "http://127.0.0.1:9";
	o.token = TOKEN;
	o.timeout = 10;
	o.connect_timeout = 5;
	o.concurrency = 1;
	o.field_budget = 4000;
	o.retries = 0;
	o.retry_max_time = 30;
	o.retry_base = 0.005;
	return o;
}

static moodle_client *client_new(const moodle_options *o)
{
	moodle_client *c;
	errinfo e;
	ck_assert_int_eq(moodle_client_new(o, &c, &e), 0);
	return c;
}

/* A request with the given name=value pairs (NULL-terminated). */
static moodle_request *request(const char *function, bool write, ...)
{
	moodle_request *r = moodle_request_new(function, write);
	va_list ap;
	va_start(ap, write);
	const char *name;
	while ((name = va_arg(ap, const char *)) != NULL)
		mform_add(&r->form, name, va_arg(ap, const char *));
	va_end(ap);
	return r;
}

/* The token must be in no text made from a request's failure. */
static void assert_no_token(const moodle_request *r)
{
	char buf[2000], text[1500];
	moodle_request_error(r, buf, sizeof buf);
	ck_assert_msg(strstr(buf, TOKEN) == NULL, "the token in: %s", buf);
	moodle_error_text(&r->err, text, sizeof text);
	ck_assert_msg(strstr(text, TOKEN) == NULL, "the token in: %s", text);
	errinfo e;
	moodle_read_failure(r, &e);
	ck_assert_msg(strstr(e.msg, TOKEN) == NULL, "the token in: %s", e.msg);
}

static moodle_request *run(moodle_client *c, moodle_request *r)
{
	errinfo e;
	ck_assert_int_eq(moodle_call(c, r, &e), 0);
	if (r->outcome != MO_DONE)
		assert_no_token(r);
	return r;
}

/* One call on a new client: the finished request (the caller frees it). */
static moodle_request *call_once(const moodle_options *o, moodle_request *r)
{
	moodle_client *c = client_new(o);
	run(c, r);
	moodle_client_free(c);
	return r;
}

/* ---- states -------------------------------------------------------------------------- */

/* Categories, courses (one hidden, one without idnumber), users (one
 * suspended account, two sharing an idnumber), and in PHY101 enrolments of
 * each kind onlyactive/onlysuspended tell apart (moodle-ws.md §2.17):
 * active; active for a suspended account (counts as active); status
 * suspended; ended; not yet started. Two groups, listed by name. */
static const char STATE_SITE[] =
	"{\"settings\": {\"debug\": 15, \"now\": 1767225600},\n"
	" \"categories\": [{\"id\": 2, \"name\": \"Science & Tech\", \"idnumber\": \"SCI\"},\n"
	"  {\"id\": 3, \"name\": \"Physics\", \"parent\": 2, \"visible\": 0}],\n"
	" \"courses\": [\n"
	"  {\"id\": 2, \"shortname\": \"PHY101\", \"fullname\": \"Physics & Maths\", \"category\": 3,"
	"   \"idnumber\": \"PHY101-2026\", \"visible\": 0, \"summary\": \"<p>Waves</p>\","
	"   \"startdate\": 1767225600, \"enddate\": 1782864000},\n"
	"  {\"id\": 3, \"shortname\": \"CHE101\", \"fullname\": \"Chemistry\", \"category\": 2, \"idnumber\": \"CHE101\"},\n"
	"  {\"id\": 4, \"shortname\": \"ART200\", \"fullname\": \"Art\", \"category\": 1}],\n"
	" \"users\": [\n"
	"  {\"id\": 3, \"username\": \"alice\", \"firstname\": \"Alice\", \"lastname\": \"Archer\","
	"   \"email\": \"alice@example.com\", \"idnumber\": \"S1\", \"city\": \"Leeds\", \"country\": \"GB\"},\n"
	"  {\"id\": 4, \"username\": \"bob\", \"firstname\": \"Bob\", \"lastname\": \"Baker\","
	"   \"email\": \"bob@example.com\", \"idnumber\": \"S2\", \"suspended\": 1, \"auth\": \"nologin\"},\n"
	"  {\"id\": 5, \"username\": \"carol\", \"firstname\": \"Carol\", \"lastname\": \"Cook\","
	"   \"email\": \"carol@example.com\", \"idnumber\": \"S3\"},\n"
	"  {\"id\": 6, \"username\": \"dave\", \"firstname\": \"Dave\", \"lastname\": \"Dean\","
	"   \"email\": \"dave@example.com\", \"idnumber\": \"S3\"},\n"
	"  {\"id\": 7, \"username\": \"eve\", \"firstname\": \"Eve\", \"lastname\": \"Evans\","
	"   \"email\": \"Eve@Example.com\", \"idnumber\": \"S5\"}],\n"
	" \"user_enrolments\": [\n"
	"  {\"courseid\": 2, \"userid\": 3, \"status\": 0},\n"
	"  {\"courseid\": 2, \"userid\": 4, \"status\": 0},\n"
	"  {\"courseid\": 2, \"userid\": 5, \"status\": 1},\n"
	"  {\"courseid\": 2, \"userid\": 6, \"status\": 0, \"timestart\": 1735689600, \"timeend\": 1764547200},\n"
	"  {\"courseid\": 2, \"userid\": 7, \"status\": 0, \"timestart\": 1798761600},\n"
	"  {\"courseid\": 3, \"userid\": 3, \"status\": 0}],\n"
	" \"role_assignments\": [\n"
	"  {\"userid\": 3, \"roleid\": 5, \"courseid\": 2}, {\"userid\": 4, \"roleid\": 5, \"courseid\": 2},\n"
	"  {\"userid\": 5, \"roleid\": 3, \"courseid\": 2}, {\"userid\": 6, \"roleid\": 5, \"courseid\": 2},\n"
	"  {\"userid\": 7, \"roleid\": 5, \"courseid\": 2}, {\"userid\": 7, \"roleid\": 4, \"courseid\": 2},\n"
	"  {\"userid\": 3, \"roleid\": 5, \"courseid\": 3}],\n"
	" \"groups\": [\n"
	"  {\"id\": 1, \"courseid\": 2, \"name\": \"Lab B\", \"idnumber\": \"PHY-LAB-B\", \"members\": [3, 7]},\n"
	"  {\"id\": 2, \"courseid\": 2, \"name\": \"Lab A\", \"members\": [7]}]}\n";

static void assert_moodle_error(const moodle_request *r, enum moodle_status status, const char *exception,
				const char *errorcode, const char *message, const char *debuginfo);

/* ---- reads into the snapshot ----------------------------------------------------------- */

START_TEST(test_site_info_and_functions)
{
	emu m;
	emu_start(&m, STATE_SITE, NULL);
	moodle_options o = options_for(&m);
	moodle_client *c = client_new(&o);
	site_snapshot *s = site_new();
	json_object *reply = NULL;
	errinfo e;
	ck_assert_int_eq(moodle_read_site_info(c, s, &reply, &e), 0);
	ck_assert_str_eq(s->info.url, m.url);
	ck_assert_str_eq(s->info.sitename, "IMS Import Test Site");
	ck_assert_str_eq(s->info.version, "2024090300");            /* a string (§2.1, T01) */
	ck_assert_str_eq(s->info.release, "4.5dev+ (Build: 20240903)");
	ck_assert_int_eq(s->info.token_userid, 2);
	ck_assert(s->info.token_is_admin);
	ck_assert_uint_eq(s->requests, 1);

	/* functions: exactly the token's service, in its order */
	json_object *state = emu_http(&m, "/__state", NULL);
	json_object *service = member(state, "service"), *fns = member(reply, "functions");
	ck_assert_uint_eq(json_object_array_length(fns), json_object_array_length(service));
	ck_assert_uint_ge(json_object_array_length(fns), 19);
	for (size_t i = 0; i < json_object_array_length(fns); i++)
		ck_assert_str_eq(json_str_of(json_object_array_get_idx(fns, i), "name"),
				 json_object_get_string(json_object_array_get_idx(service, i)));
	json_object_put(state);
	json_object_put(reply);

	/* a function taken out of the service is gone from the list, and calling
	 * it is Moodle's accessexception (T07), not a transport fault */
	json_object_put(emu_http(&m, "/__hook", "{\"op\": \"service\", \"remove\": [\"core_group_get_course_groups\"]}"));
	ck_assert_int_eq(moodle_read_site_info(c, s, &reply, &e), 0);
	fns = member(reply, "functions");
	for (size_t i = 0; i < json_object_array_length(fns); i++)
		ck_assert_str_ne(json_str_of(json_object_array_get_idx(fns, i), "name"), "core_group_get_course_groups");
	json_object_put(reply);
	int64_t courseid = 2;
	ck_assert_int_eq(moodle_read_course_groups(c, s, &courseid, 1, &e), -EXIT_UNAVAILABLE);
	ck_assert_msg(strncmp(e.msg, "core_group_get_course_groups: webservice_access_exception/accessexception: "
			      "Access control exception (Access to the function core_group_get_course_groups() is not "
			      "allowed.\n", 166) == 0, "%s", e.msg);
	moodle_request *r = run(c, request("core_group_get_course_groups", false, "courseid", "2", NULL));
	assert_moodle_error(r, MS_MOODLE_ERROR, "webservice_access_exception", "accessexception",
			    "Access control exception",    /* T18, the reasons in debuginfo */
			    "Access to the function core_group_get_course_groups() is not allowed.\n"
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
			    "                     > Server > Web services > External services and Manage tokens.");
	moodle_request_free(r);
	site_free(s);
	moodle_client_free(c);
	emu_stop(&m);
}
END_TEST

START_TEST(test_categories_and_courses)
{
	emu m;
	emu_start(&m, STATE_SITE, NULL);
	moodle_options o = options_for(&m);
	moodle_client *c = client_new(&o);
	site_snapshot *s = site_new();
	errinfo e;

	ck_assert_int_eq(moodle_read_categories(c, s, &e), 0);
	ck_assert_uint_eq(s->ncategories, 3);
	site_category *cat = site_category_by_id(s, 1);
	ck_assert_str_eq(cat->name, "Category 1");
	ck_assert_ptr_null(cat->idnumber);                  /* JSON null (T11) */
	ck_assert_int_eq(cat->parent, 0);
	ck_assert_int_eq(cat->visible, 1);
	cat = site_category_by_id(s, 2);
	ck_assert_str_eq(cat->name, "Science & Tech");      /* raw: not &amp; (§1.8) */
	ck_assert_str_eq(cat->idnumber, "SCI");
	cat = site_category_by_id(s, 3);
	ck_assert_int_eq(cat->parent, 2);
	ck_assert_int_eq(cat->visible, 0);

	/* every course, the front page left out */
	ck_assert_int_eq(moodle_read_all_courses(c, s, &e), 0);
	ck_assert(s->all_courses_read);
	ck_assert_uint_eq(s->ncourses, 3);
	ck_assert_ptr_null(site_course_by_id(s, 1));
	site_course *co = site_course_by_id(s, 2);
	ck_assert_str_eq(co->shortname, "PHY101");
	ck_assert_str_eq(co->fullname, "Physics & Maths");
	ck_assert_str_eq(co->idnumber, "PHY101-2026");
	ck_assert_str_eq(co->summary, "<p>Waves</p>");
	ck_assert_int_eq(co->categoryid, 3);
	ck_assert_int_eq(co->visible, 0);                   /* hidden, seen with an admin token */
	ck_assert_int_eq(co->startdate, 1767225600);
	ck_assert_int_eq(co->enddate, 1782864000);
	ck_assert_ptr_eq(site_courses_by_idnumber(s, "PHY101-2026")->item, co);
	ck_assert_ptr_eq(site_courses_by_shortname(s, "PHY101")->item, co);
	co = site_course_by_id(s, 4);
	ck_assert_str_eq(co->idnumber, "");                 /* none: "" (RAW), not indexed */
	ck_assert_ptr_null(site_courses_by_idnumber(s, ""));
	ck_assert_int_eq(co->visible, 1);
	ck_assert_uint_eq(fn_stat(&m, "core_course_get_courses", "count"), 1);
	site_free(s);

	/* by field: one request per non-empty value (an empty idnumber would
	 * match every course without one, the front page included: §2.2) */
	s = site_new();
	const char *const ids[] = { "CHE101", "", NULL, "NO-SUCH", "PHY101-2026" };
	ck_assert_int_eq(moodle_read_courses_by_idnumber(c, s, ids, ARRAY_LEN(ids), &e), 0);
	ck_assert_uint_eq(fn_stat(&m, "core_course_get_courses_by_field", "count"), 3);
	ck_assert_uint_eq(s->ncourses, 2);
	ck_assert_int_eq(((site_course *)site_courses_by_idnumber(s, "CHE101")->item)->id, 3);
	co = site_course_by_id(s, 2);
	ck_assert_str_eq(co->fullname, "Physics & Maths");
	ck_assert_int_eq(co->categoryid, 3);
	ck_assert_int_eq(co->visible, 0);
	ck_assert_ptr_null(site_courses_by_idnumber(s, "NO-SUCH"));
	const char *const names[] = { "ART200" };
	ck_assert_int_eq(moodle_read_courses_by_field(c, s, "shortname", names, 1, &e), 0);
	ck_assert_int_eq(((site_course *)site_courses_by_shortname(s, "ART200")->item)->id, 4);
	ck_assert_uint_eq(s->requests, 4);
	site_free(s);
	moodle_client_free(c);
	emu_stop(&m);
}
END_TEST

START_TEST(test_users_by_field)
{
	emu m;
	emu_start(&m, STATE_SITE, NULL);
	moodle_options o = options_for(&m);
	moodle_client *c = client_new(&o);
	site_snapshot *s = site_new();
	errinfo e;
	const char *const ids[] = { "S1", "S2", "", "S3", "S404", "S1" };
	ck_assert_int_eq(moodle_read_users(c, s, "idnumber", ids, ARRAY_LEN(ids), &e), 0);
	ck_assert_uint_eq(s->nusers, 4);
	ck_assert_uint_eq(fn_stat(&m, "core_user_get_users_by_field", "count"), 1);
	ck_assert_uint_eq(fn_stat(&m, "core_user_get_users_by_field", "fields_max"), 4 + 1 + 5);
	site_user *u = site_user_by_id(s, 3);
	ck_assert_str_eq(u->username, "alice");
	ck_assert_str_eq(u->idnumber, "S1");
	ck_assert_str_eq(u->email, "alice@example.com");
	ck_assert_str_eq(u->firstname, "Alice");
	ck_assert_str_eq(u->lastname, "Archer");
	ck_assert_str_eq(u->auth, "manual");
	ck_assert_str_eq(u->city, "Leeds");
	ck_assert_str_eq(u->country, "GB");
	ck_assert(!u->suspended);
	u = site_user_by_id(s, 4);
	ck_assert(u->suspended);                            /* suspended accounts are returned (§2.10) */
	ck_assert_str_eq(u->auth, "nologin");
	ck_assert_ptr_null(u->city);                        /* empty fields are left out */
	/* a user idnumber is not unique: both candidates, in id order */
	const site_match *mt = site_users_by_idnumber(s, "S3");
	ck_assert_uint_eq(site_match_count(mt), 2);
	ck_assert_int_eq(((site_user *)mt->item)->id, 5);
	ck_assert_int_eq(((site_user *)mt->next->item)->id, 6);
	ck_assert_ptr_null(site_users_by_idnumber(s, "S404"));
	ck_assert_ptr_eq(site_users_by_username(s, "alice")->item, site_user_by_id(s, 3));

	/* email: Moodle matches the case exactly, the snapshot ignores it */
	const char *const emails[] = { "eve@example.com", "Eve@Example.com" };
	ck_assert_int_eq(moodle_read_users(c, s, "email", emails, 2, &e), 0);
	ck_assert_uint_eq(s->nusers, 5);
	ck_assert_int_eq(((site_user *)site_users_by_email(s, "EVE@example.COM")->item)->id, 7);

	/* a value Moodle would clean fails the whole call (T18), with its reason */
	const char *const bad[] = { "alice", "Alice" };
	ck_assert_int_eq(moodle_read_users(c, s, "username", bad, 2, &e), -EXIT_SOFTWARE);
	ck_assert_str_eq(e.msg, "core_user_get_users_by_field: invalid_parameter_exception/invalidparameter: "
				"Invalid parameter value detected (The field 'username' value is invalid: "
				"Alice(cleaned value: alice))");
	site_free(s);
	moodle_client_free(c);
	emu_stop(&m);
}
END_TEST

/* A state of n users u001.. with idnumbers I001.. */
static char *state_of_users(int n)
{
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "{\"users\": [");
	for (int i = 1; i <= n; i++)
		sb_addf(&sb, "%s{\"id\": %d, \"username\": \"u%03d\", \"firstname\": \"U\", \"lastname\": \"%03d\", "
			"\"email\": \"u%03d@example.com\", \"idnumber\": \"I%03d\"}", i > 1 ? ",\n" : "",
			i + 2, i, i, i, i);
	sb_adds(&sb, "]}\n");
	return sb_detach(&sb);
}

START_TEST(test_users_in_chunks_under_the_field_budget)
{
	/* max_input_vars 20 and a field budget of 20: 4 header pairs, "field",
	 * and 15 values per request */
	char *state = state_of_users(45);
	emu m;
	const char *const args[] = { "--max-input-vars", "20", NULL };
	emu_start(&m, state, args);
	free(state);
	moodle_options o = options_for(&m);
	o.field_budget = 20;
	o.concurrency = 4;
	moodle_client *c = client_new(&o);
	ck_assert_uint_eq(moodle_param_budget(c), 16);
	site_snapshot *s = site_new();
	const char *values[47];
	char buf[47][8];
	for (int i = 0; i < 47; i++) {
		snprintf(buf[i], sizeof buf[i], "I%03d", i + 1); /* I046, I047 do not exist */
		values[i] = buf[i];
	}
	errinfo e;
	ck_assert_int_eq(moodle_read_users(c, s, "idnumber", values, 47, &e), 0);
	ck_assert_uint_eq(s->nusers, 45);
	for (int i = 1; i <= 45; i++) {
		char name[8];
		snprintf(name, sizeof name, "u%03d", i);
		ck_assert_str_eq(site_user_by_id(s, i + 2)->username, name);
	}
	ck_assert_uint_eq(s->requests, 4);                   /* 15 + 15 + 15 + 2 */
	ck_assert_int_eq(fn_stat(&m, "core_user_get_users_by_field", "count"), 4);
	ck_assert_int_eq(fn_stat(&m, "core_user_get_users_by_field", "fields_max"), 20);
	ck_assert_int_eq(fn_stat(&m, "core_user_get_users_by_field", "fields_dropped"), 0);
	ck_assert_int_eq(total_stat(&m, "fields_max"), 20);

	/* one field more is refused before it is sent: nothing reaches the site */
	moodle_request *r = moodle_request_new("core_user_get_users_by_field", false);
	mform_add(&r->form, "field", "idnumber");
	for (int i = 0; i < 16; i++)
		mform_addf(&r->form, values[i], "values[%d]", i);
	ck_assert_int_eq(moodle_call(c, r, &e), -EXIT_SOFTWARE);
	ck_assert_str_eq(e.msg, "internal error: a core_user_get_users_by_field request of 17 fields is over "
				"the budget of 16; it was not sent (PHP would drop what is beyond max_input_vars)");
	moodle_request_free(r);
	ck_assert_uint_eq(moodle_requests_sent(c), 4);
	ck_assert_int_eq(total_stat(&m, "requests"), 4);
	ck_assert_int_eq(total_stat(&m, "fields_max"), 20);

	/* the counter that proves it: the same request sent by hand loses its
	 * last values to max_input_vars, silently (T19) */
	strbuf body = STRBUF_INIT;
	sb_addf(&body, "/webservice/rest/server.php?wstoken=%s&wsfunction=core_user_get_users_by_field"
		"&moodlewsrestformat=json&moodlewssettingraw=1", TOKEN);
	sb_adds(&body, "&field=idnumber");
	for (int i = 0; i < 17; i++)
		sb_addf(&body, "&values[%d]=%s", i, values[i]);
	json_object *reply = emu_http(&m, body.buf, NULL);
	sb_free(&body);
	ck_assert_uint_eq(json_object_array_length(reply), 15);   /* 20 query pairs kept: 4 + field + 15 */
	json_object_put(reply);
	ck_assert_int_eq(fn_stat(&m, "core_user_get_users_by_field", "fields_dropped"), 2);
	site_free(s);
	moodle_client_free(c);
	emu_stop(&m);
}
END_TEST

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* "3,5" from an id list, sorted. */
static const char *ids_text(const int64_t *ids, int n, char *buf, size_t size)
{
	int64_t tmp[64];
	ck_assert_int_le(n, 64);
	if (n)
		memcpy(tmp, ids, (size_t)n * sizeof *tmp);
	sort_array(tmp, (size_t)n, sizeof *tmp, cmp_i64);
	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%lld", i ? "," : "", (long long)tmp[i]);
	return buf;
}

static void assert_enrolment(const site_roster *ro, int64_t userid, bool active, const char *roles,
			     const char *groups)
{
	site_enrolment *en = site_roster_find(ro, userid);
	ck_assert_msg(en != NULL, "user %lld not in the roster of course %lld", (long long)userid,
		      (long long)ro->courseid);
	char buf[256];
	ck_assert_msg(en->active == active, "user %lld: active %d", (long long)userid, en->active);
	ck_assert_str_eq(ids_text(en->roleids, en->nroles, buf, sizeof buf), roles);
	if (groups)
		ck_assert_str_eq(ids_text(en->groupids, en->ngroups, buf, sizeof buf), groups);
}

START_TEST(test_rosters_and_groups)
{
	emu m;
	emu_start(&m, STATE_SITE, NULL);
	moodle_options o = options_for(&m);
	o.concurrency = 4;
	moodle_client *c = client_new(&o);
	site_snapshot *s = site_new();
	errinfo e;
	const int64_t courses[] = { 2, 3, 4 };
	ck_assert_int_eq(moodle_read_rosters(c, s, courses, 3, true, &e), 0);
	/* two calls per course: everyone, then the inactive (onlysuspended) */
	ck_assert_int_eq(fn_stat(&m, "core_enrol_get_enrolled_users", "count"), 6);
	ck_assert_uint_eq(s->requests, 6);
	site_roster *ro = site_roster_of(s, 2);
	ck_assert_uint_eq(ro->n, 5);
	assert_enrolment(ro, 3, true, "5", "1");
	assert_enrolment(ro, 4, true, "5", "");    /* a suspended account, an active enrolment */
	assert_enrolment(ro, 5, false, "3", "");   /* enrolment suspended */
	assert_enrolment(ro, 6, false, "5", "");   /* ended 2025-12-01 */
	assert_enrolment(ro, 7, false, "4,5", "1,2"); /* starts 2027 */
	ro = site_roster_of(s, 3);
	ck_assert_uint_eq(ro->n, 1);
	assert_enrolment(ro, 3, true, "5", "");
	ck_assert_uint_eq(site_roster_of(s, 4)->n, 0);
	ck_assert_ptr_null(site_roster_of(s, 5));
	/* the rosters taught the role names */
	ck_assert_int_eq(site_role_id(s, "student"), 5);
	ck_assert_int_eq(site_role_id(s, "editingteacher"), 3);
	ck_assert_str_eq(site_role_name(s, 4), "teacher");

	ck_assert_int_eq(moodle_read_course_groups(c, s, courses, 3, &e), 0);
	const site_group_list *gl = site_groups_of(s, 2);
	ck_assert_uint_eq(gl->n, 2);
	ck_assert_int_eq(gl->items[0].id, 2);       /* by name: "Lab A" first */
	ck_assert_str_eq(gl->items[0].name, "Lab A");
	ck_assert_str_eq(gl->items[0].idnumber, "");
	ck_assert_int_eq(gl->items[1].id, 1);
	ck_assert_str_eq(gl->items[1].name, "Lab B");
	ck_assert_str_eq(gl->items[1].idnumber, "PHY-LAB-B");
	ck_assert_int_eq(gl->items[1].courseid, 2);
	ck_assert_uint_eq(site_groups_of(s, 3)->n, 0);       /* read, none */
	ck_assert_ptr_null(site_groups_of(s, 5));            /* not read */

	/* a course that does not exist fails the whole read (§2.21) */
	const int64_t missing[] = { 3, 99 };
	ck_assert_int_eq(moodle_read_course_groups(c, s, missing, 2, &e), -EXIT_SOFTWARE);
	ck_assert_str_eq(e.msg, "core_group_get_course_groups: moodle_exception/errorcoursecontextnotvalid: "
				"You cannot execute functions in the course context (course id:99). The context error "
				"message was: Invalid parameter value detected");  /* T15 */
	ck_assert_int_eq(moodle_read_rosters(c, s, missing + 1, 1, false, &e), -EXIT_SOFTWARE);
	ck_assert_msg(strstr(e.msg, "core_enrol_get_enrolled_users: dml_missing_record_exception/invalidrecord: ")
		      == e.msg, "%s", e.msg);
	site_free(s);
	moodle_client_free(c);
	emu_stop(&m);
}
END_TEST

START_TEST(test_roster_pages)
{
	/* 1001 enrolments: the client reads pages of 1000 (and one more) */
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "{\"courses\": [{\"id\": 2, \"shortname\": \"BIG\"}], \"users\": [");
	for (int i = 0; i < 1001; i++)
		sb_addf(&sb, "%s{\"id\": %d, \"username\": \"p%d\"}", i ? "," : "", 10 + i, i);
	sb_adds(&sb, "], \"user_enrolments\": [");
	for (int i = 0; i < 1001; i++)
		sb_addf(&sb, "%s{\"courseid\": 2, \"userid\": %d, \"status\": %d}", i ? "," : "", 10 + i, i % 100 == 7);
	sb_adds(&sb, "], \"role_assignments\": [");
	for (int i = 0; i < 1001; i++)
		sb_addf(&sb, "%s{\"courseid\": 2, \"userid\": %d, \"roleid\": 5}", i ? "," : "", 10 + i);
	sb_adds(&sb, "]}");
	emu m;
	emu_start(&m, sb.buf, NULL);
	sb_free(&sb);
	moodle_options o = options_for(&m);
	o.concurrency = 2;
	moodle_client *c = client_new(&o);
	site_snapshot *s = site_new();
	errinfo e;
	const int64_t course = 2;
	ck_assert_int_eq(moodle_read_rosters(c, s, &course, 1, false, &e), 0);
	ck_assert_int_eq(fn_stat(&m, "core_enrol_get_enrolled_users", "count"), 3);
	site_roster *ro = site_roster_of(s, 2);
	ck_assert_uint_eq(ro->n, 1001);
	int inactive = 0;
	for (size_t i = 0; i < ro->n; i++) {
		site_enrolment *en = ro->items[i];
		ck_assert_int_eq(en->nroles, 1);
		ck_assert_int_eq(en->roleids[0], 5);
		ck_assert_int_eq(en->active, (en->userid - 10) % 100 != 7);
		inactive += !en->active;
	}
	ck_assert_int_eq(inactive, 10);
	site_free(s);
	moodle_client_free(c);
	emu_stop(&m);
}
END_TEST

/* ---- every write the importer makes --------------------------------------------------- */

static json_object *reply_of(moodle_request *r)
{
	ck_assert_msg(r->outcome == MO_DONE, "%s: outcome %d", r->function, r->outcome);
	ck_assert_int_eq(r->attempts, 1);
	return r->reply;
}

START_TEST(test_every_write)
{
	emu m;
	emu_start(&m, STATE_SITE, NULL);
	moodle_options o = options_for(&m);
	moodle_client *c = client_new(&o);
	char cat[32], course[32], user[32], group[32];

	moodle_request *r = run(c, request("core_course_create_categories", true,
		"categories[0][name]", "Arts & Crafts", "categories[0][idnumber]", "ARTS",
		"categories[0][parent]", "2", NULL));
	json_object *o0 = json_object_array_get_idx(reply_of(r), 0);
	ck_assert_str_eq(json_str_of(o0, "name"), "Arts & Crafts");
	snprintf(cat, sizeof cat, "%lld", (long long)json_int_of(o0, "id"));
	moodle_request_free(r);

	r = run(c, request("core_course_create_courses", true, "courses[0][fullname]", "Pottery",
		"courses[0][shortname]", "POT1", "courses[0][categoryid]", cat, "courses[0][idnumber]", "POT1-2026",
		"courses[0][visible]", "0", "courses[0][startdate]", "1767225600", NULL));
	o0 = json_object_array_get_idx(reply_of(r), 0);
	ck_assert_str_eq(json_str_of(o0, "shortname"), "POT1");
	snprintf(course, sizeof course, "%lld", (long long)json_int_of(o0, "id"));
	moodle_request_free(r);

	r = run(c, request("core_course_update_courses", true, "courses[0][id]", course,
		"courses[0][fullname]", "Pottery & Glass", NULL));
	ck_assert_str_eq(json_object_to_json_string(reply_of(r)), "{ \"warnings\": [ ] }");
	moodle_request_free(r);

	r = run(c, request("core_user_create_users", true, "users[0][username]", "zoe", "users[0][auth]", "nologin",
		"users[0][password]", "Xy-12345678", "users[0][firstname]", "Zoe", "users[0][lastname]", "Zeta",
		"users[0][email]", "zoe@example.com", "users[0][idnumber]", "S9", NULL));
	o0 = json_object_array_get_idx(reply_of(r), 0);
	ck_assert_str_eq(json_str_of(o0, "username"), "zoe");
	snprintf(user, sizeof user, "%lld", (long long)json_int_of(o0, "id"));
	moodle_request_free(r);

	r = run(c, request("core_user_update_users", true, "users[0][id]", user, "users[0][city]", "York", NULL));
	ck_assert_str_eq(json_object_to_json_string(reply_of(r)), "{ \"warnings\": [ ] }");
	moodle_request_free(r);

	/* functions without a return description answer null (§1.4) */
	r = run(c, request("enrol_manual_enrol_users", true, "enrolments[0][roleid]", "5",
		"enrolments[0][userid]", user, "enrolments[0][courseid]", course, "enrolments[0][timestart]",
		"1767225600", "enrolments[0][suspend]", "0", NULL));
	ck_assert_ptr_null(reply_of(r));
	moodle_request_free(r);

	r = run(c, request("core_role_assign_roles", true, "assignments[0][roleid]", "4", "assignments[0][userid]", user,
		"assignments[0][contextlevel]", "course", "assignments[0][instanceid]", course, NULL));
	ck_assert_ptr_null(reply_of(r));
	moodle_request_free(r);

	r = run(c, request("core_group_create_groups", true, "groups[0][courseid]", course, "groups[0][name]", "Kiln",
		"groups[0][description]", "", "groups[0][idnumber]", "POT-KILN", NULL));
	o0 = json_object_array_get_idx(reply_of(r), 0);
	ck_assert_str_eq(json_str_of(o0, "name"), "Kiln");
	snprintf(group, sizeof group, "%lld", (long long)json_int_of(o0, "id"));
	moodle_request_free(r);

	r = run(c, request("core_group_add_group_members", true, "members[0][groupid]", group,
		"members[0][userid]", user, NULL));
	ck_assert_ptr_null(reply_of(r));
	moodle_request_free(r);

	/* the state after: each write done once, as asked */
	json_object *st = emu_http(&m, "/__state", NULL);
	int64_t cid = atoll(course), uid = atoll(user), gid = atoll(group);
	json_object *row = row_by_id(st, "categories", atoll(cat));
	ck_assert_str_eq(json_str_of(row, "idnumber"), "ARTS");
	ck_assert_int_eq(json_int_of(row, "parent"), 2);
	row = row_by_id(st, "courses", cid);
	ck_assert_str_eq(json_str_of(row, "fullname"), "Pottery & Glass");
	ck_assert_str_eq(json_str_of(row, "idnumber"), "POT1-2026");
	ck_assert_int_eq(json_int_of(row, "visible"), 0);
	ck_assert_int_eq(json_int_of(row, "category"), atoll(cat));
	row = row_by_id(st, "users", uid);
	ck_assert_str_eq(json_str_of(row, "city"), "York");
	ck_assert_str_eq(json_str_of(row, "auth"), "nologin");
	ck_assert_int_eq(count_rows(st, "user_enrolments", "userid", uid, "courseid", cid, "status", (int64_t)0,
				    "timestart", (int64_t)NOW, (char *)NULL), 1);
	ck_assert_int_eq(count_rows(st, "role_assignments", "userid", uid, "instanceid", cid, (char *)NULL), 2);
	ck_assert_int_eq(count_rows(st, "role_assignments", "userid", uid, "instanceid", cid, "roleid", (int64_t)4,
				    (char *)NULL), 1);
	row = row_by_id(st, "groups", gid);
	ck_assert_str_eq(json_str_of(row, "idnumber"), "POT-KILN");
	ck_assert_int_eq(json_int_of(json_object_array_get_idx(member(row, "members"), 0), "userid"), uid);
	json_object_put(st);

	r = run(c, request("core_role_unassign_roles", true, "unassignments[0][roleid]", "4",
		"unassignments[0][userid]", user, "unassignments[0][contextlevel]", "course",
		"unassignments[0][instanceid]", course, NULL));
	ck_assert_ptr_null(reply_of(r));
	moodle_request_free(r);
	r = run(c, request("enrol_manual_unenrol_users", true, "enrolments[0][userid]", user,
		"enrolments[0][courseid]", course, NULL));
	ck_assert_ptr_null(reply_of(r));
	moodle_request_free(r);
	/* core_user_delete_users is not in the default service (README) */
	json_object_put(emu_http(&m, "/__hook", "{\"op\": \"service\", \"add\": [\"core_user_delete_users\"]}"));
	r = run(c, request("core_user_delete_users", true, "userids[0]", user, NULL));
	ck_assert_ptr_null(reply_of(r));
	moodle_request_free(r);

	st = emu_http(&m, "/__state", NULL);
	ck_assert_int_eq(count_rows(st, "user_enrolments", "userid", uid, (char *)NULL), 0);
	ck_assert_int_eq(count_rows(st, "role_assignments", "userid", uid, (char *)NULL), 0);
	ck_assert_int_eq(json_object_array_length(member(row_by_id(st, "groups", gid), "members")), 0);
	ck_assert_int_eq(json_int_of(row_by_id(st, "users", uid), "deleted"), 1);
	json_object_put(st);
	/* one request each, none repeated */
	ck_assert_int_eq(total_stat(&m, "requests"), 12);
	ck_assert_uint_eq(moodle_requests_sent(c), 12);
	moodle_client_free(c);
	emu_stop(&m);
}
END_TEST

/* ---- Moodle's errors ------------------------------------------------------------------- */

static void assert_moodle_error(const moodle_request *r, enum moodle_status status, const char *exception,
				const char *errorcode, const char *message, const char *debuginfo)
{
	ck_assert_msg(r->err.status == status, "%s: status %d", r->function, r->err.status);
	ck_assert_int_eq(r->outcome, MO_FAILED);            /* an answer: nothing was done */
	ck_assert_int_eq(r->attempts, 1);                   /* and never retried */
	ck_assert_int_eq(r->err.http, 200);
	ck_assert_str_eq(r->err.exception, exception);
	ck_assert_str_eq(r->err.errorcode, errorcode);
	ck_assert_str_eq(r->err.message, message);
	ck_assert_str_eq(r->err.debuginfo, debuginfo);
	ck_assert(!moodle_error_transient(&r->err));
}

START_TEST(test_moodle_errors)
{
	emu m;
	emu_start(&m, STATE_SITE, NULL);
	moodle_options o = options_for(&m);
	o.retries = 3;                                      /* none of these is worth a retry */
	moodle_client *c = client_new(&o);
	moodle_request *r;
	errinfo e;

	/* T07/T18, with debugging at 15: debuginfo kept */
	r = run(c, request("core_course_create_courses", true, "courses[0][fullname]", "Other",
		"courses[0][shortname]", "CHE101", "courses[0][categoryid]", "1", NULL));
	assert_moodle_error(r, MS_MOODLE_ERROR, "moodle_exception", "shortnametaken",
			    "Short name is already used for another course (CHE101)", "");
	moodle_request_free(r);
	r = run(c, request("core_user_create_users", true, "users[0][username]", "Alice", "users[0][password]",
		"Passw0rd!", "users[0][firstname]", "Alice", "users[0][lastname]", "Test", "users[0][email]",
		"Alice@example.com", NULL));
	assert_moodle_error(r, MS_MOODLE_ERROR, "invalid_parameter_exception", "invalidparameter",
			    "Invalid parameter value detected",
			    "users => Invalid parameter value detected: username => Invalid parameter value detected: "
			    "Invalid external api parameter: the value is \"Alice\", the server was expecting "
			    "\"username\" type");
	moodle_request_free(r);
	r = run(c, request("enrol_manual_unenrol_users", true, "enrolments[0][userid]", "3",
		"enrolments[0][courseid]", "999", NULL));
	assert_moodle_error(r, MS_MOODLE_ERROR, "dml_missing_record_exception", "invalidrecord",
			    "Can't find data record in database table course.",
			    "SELECT id,category FROM {course} WHERE id = ?\n[array (\n  0 => 999,\n)]");
	moodle_request_free(r);
	r = run(c, request("core_no_such_function", false, NULL));
	ck_assert_int_eq(r->err.status, MS_MOODLE_ERROR);   /* T07; its debuginfo was not recorded */
	ck_assert_int_eq(r->outcome, MO_FAILED);
	ck_assert_str_eq(r->err.exception, "dml_missing_record_exception");
	ck_assert_str_eq(r->err.errorcode, "invalidrecord");
	ck_assert_str_eq(r->err.message, "Can't find data record in database table external_functions.");
	moodle_request_free(r);
	/* a PHP Error has no errorcode (T07: the ids trap) */
	r = run(c, request("core_course_get_courses_by_field", false, "field", "ids", "value", "2,999", NULL));
	assert_moodle_error(r, MS_PHP_ERROR, "Error", "", "Attempt to assign property \"contextvalidated\" on null", "");
	ck_assert_int_eq(moodle_read_failure(r, &e), -EXIT_SOFTWARE);
	ck_assert_str_eq(e.msg, "core_course_get_courses_by_field: Error: Attempt to assign property "
				"\"contextvalidated\" on null");
	moodle_request_free(r);
	/* the course has no manual instance any more (T17) */
	json_object_put(emu_http(&m, "/__hook", "{\"op\": \"delete_enrol_instance\", \"courseid\": 3, \"enrol\": \"manual\"}"));
	r = run(c, request("enrol_manual_enrol_users", true, "enrolments[0][roleid]", "5", "enrolments[0][userid]", "4",
		"enrolments[0][courseid]", "3", NULL));
	assert_moodle_error(r, MS_MOODLE_ERROR, "moodle_exception", "wsnoinstance",
			    "Manual enrolment plugin instance doesn't exist or is disabled for the course (id = 3)", "");
	char buf[1600];
	ck_assert_str_eq(moodle_request_error(r, buf, sizeof buf), "enrol_manual_enrol_users: moodle_exception/"
			 "wsnoinstance: Manual enrolment plugin instance doesn't exist or is disabled for the course (id = 3)");
	moodle_request_free(r);

	/* the exception to "an answer: nothing was done": update_users commits
	 * user by user, and a password the policy refuses turns the whole reply
	 * into invalidresponse (T14) -- after the other user was updated */
	r = run(c, request("core_user_update_users", true, "users[0][id]", "5", "users[0][city]", "Hull",
		"users[1][id]", "6", "users[1][password]", "abc", NULL));
	ck_assert_int_eq(r->outcome, MO_FAILED);
	ck_assert_str_eq(r->err.exception, "invalid_response_exception");
	ck_assert_str_eq(r->err.errorcode, "invalidresponse");
	ck_assert_str_eq(r->err.message, "Invalid response value detected");
	json_object *st = emu_http(&m, "/__state", NULL);
	ck_assert_str_eq(json_str_of(row_by_id(st, "users", 5), "city"), "Hull");
	json_object_put(st);
	moodle_request_free(r);

	/* on a production site (debug 0) there is no debuginfo */
	json_object_put(emu_http(&m, "/__hook", "{\"op\": \"settings\", \"set\": {\"debug\": 0}}"));
	r = run(c, request("core_user_get_users_by_field", false, "field", "username", "values[0]", "Alice", NULL));
	assert_moodle_error(r, MS_MOODLE_ERROR, "invalid_parameter_exception", "invalidparameter",
			    "Invalid parameter value detected", "");
	ck_assert_int_eq(moodle_read_failure(r, &e), -EXIT_SOFTWARE);
	moodle_request_free(r);
	ck_assert_int_eq(total_stat(&m, "requests"), 8);
	moodle_client_free(c);

	/* a token Moodle does not know: the site refuses us */
	o.token = "0123456789abcdef0123456789abcdef";
	r = call_once(&o, request("core_webservice_get_site_info", false, NULL));
	assert_moodle_error(r, MS_MOODLE_ERROR, "moodle_exception", "invalidtoken", "Invalid token - token not found", "");
	ck_assert_int_eq(moodle_read_failure(r, &e), -EXIT_UNAVAILABLE);
	ck_assert_str_eq(e.msg, "core_webservice_get_site_info: moodle_exception/invalidtoken: Invalid token - token "
				"not found");
	moodle_request_free(r);
	emu_stop(&m);
}
END_TEST

/* ---- transport faults ------------------------------------------------------------------- */

static void fault_args(const char **args, char *spec, size_t n, const char *kind, const char *function,
		       const char *more)
{
	snprintf(spec, n, "%s=1@%s%s%s", kind, function, more ? "," : "", more ? more : "");
	args[0] = "--faults";
	args[1] = spec;
	args[2] = "--seed";
	args[3] = "1";
	args[4] = NULL;
}

/* A read meeting the fault every time, not retried: what it is taken for. */
static moodle_request *read_under_fault(const char *kind, const char *more, double timeout, emu *m)
{
	char spec[200];
	const char *args[5];
	fault_args(args, spec, sizeof spec, kind, "core_course_get_categories", more);
	emu_start(m, STATE_SITE, args);
	moodle_options o = options_for(m);
	o.timeout = timeout;
	moodle_request *r = call_once(&o, request("core_course_get_categories", false, NULL));
	ck_assert_int_eq(r->outcome, MO_FAILED);
	ck_assert_int_eq(r->attempts, 1);
	ck_assert_str_eq(r->err.errorcode, "");
	ck_assert_str_eq(r->err.exception, "");
	ck_assert(moodle_error_transient(&r->err));
	errinfo e;
	ck_assert_int_eq(moodle_read_failure(r, &e), -EXIT_UNAVAILABLE);
	ck_assert_int_eq(fn_stat(m, "core_course_get_categories", "faults"), 1);
	return r;
}

START_TEST(test_http_errors_are_not_moodle_errors)
{
	static const char *const kinds[] = { "http500", "http502", "http503", "http504" };
	static const long codes[] = { 500, 502, 503, 504 };
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		emu m;
		moodle_request *r = read_under_fault(kinds[i], NULL, 10, &m);
		ck_assert_int_eq(r->err.status, MS_HTTP_ERROR);
		ck_assert_int_eq(r->err.http, codes[i]);
		char want[64], buf[1600];
		snprintf(want, sizeof want, "HTTP %ld text/html", codes[i]);
		ck_assert_str_eq(r->err.detail, want);
		snprintf(want, sizeof want, "core_course_get_categories: HTTP %ld text/html", codes[i]);
		ck_assert_str_eq(moodle_request_error(r, buf, sizeof buf), want);
		moodle_request_free(r);
		emu_stop(&m);
	}
}
END_TEST

START_TEST(test_connection_faults)
{
	emu m;
	moodle_request *r;
	/* reset before and after the call ran: no answer at all */
	static const char *const resets[] = { "reset-before", "reset-after" };
	for (size_t i = 0; i < 2; i++) {
		r = read_under_fault(resets[i], NULL, 10, &m);
		ck_assert_int_eq(r->err.status, MS_TRANSPORT);
		ck_assert_msg(r->err.curl == CURLE_RECV_ERROR || r->err.curl == CURLE_GOT_NOTHING,
			      "%s: curl %d (%s)", resets[i], r->err.curl, r->err.detail);
		ck_assert(r->err.connected);
		ck_assert_int_eq(r->err.http, 0);
		moodle_request_free(r);
		emu_stop(&m);
	}
	/* a body shorter than its Content-Length */
	r = read_under_fault("truncate", NULL, 10, &m);
	ck_assert_int_eq(r->err.status, MS_TRANSPORT);
	ck_assert_int_eq(r->err.curl, CURLE_PARTIAL_FILE);
	moodle_request_free(r);
	emu_stop(&m);
	/* a PHP warning before the JSON */
	r = read_under_fault("nonjson", NULL, 10, &m);
	ck_assert_int_eq(r->err.status, MS_BAD_REPLY);
	ck_assert_int_eq(r->err.http, 200);
	ck_assert_msg(strncmp(r->err.detail, "the reply is not JSON (", 23) == 0, "%s", r->err.detail);
	moodle_request_free(r);
	emu_stop(&m);
	/* a stall longer than the client's timeout */
	r = read_under_fault("stall", "stall-ms=900,commit-delay-ms=0", 0.3, &m);
	ck_assert_int_eq(r->err.status, MS_TRANSPORT);
	ck_assert_int_eq(r->err.curl, CURLE_OPERATION_TIMEDOUT);
	ck_assert_msg(strstr(r->err.detail, "(the site may still complete the call)") != NULL, "%s", r->err.detail);
	ck_assert_double_lt(r->elapsed, 0.85);
	moodle_request_free(r);
	emu_stop(&m);
	/* a stall shorter than it: the proxy's 504 */
	r = read_under_fault("stall", "stall-ms=100,commit-delay-ms=0", 5, &m);
	ck_assert_int_eq(r->err.status, MS_HTTP_ERROR);
	ck_assert_int_eq(r->err.http, 504);
	moodle_request_free(r);
	emu_stop(&m);
}
END_TEST

/* A port on which nobody listens. */
static int closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	socklen_t len = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	return ntohs(a.sin_port);
}

START_TEST(test_unreachable_site)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
	moodle_options o = options_for(NULL);
	o.url = url;
	o.retries = 3;
	o.retry_base = 0.02;
	/* a read: tried 1 + 3 times */
	moodle_request *r = call_once(&o, request("core_webservice_get_site_info", false, NULL));
	ck_assert_int_eq(r->outcome, MO_FAILED);
	ck_assert_int_eq(r->attempts, 4);
	ck_assert_int_eq(r->err.status, MS_TRANSPORT);
	ck_assert_int_eq(r->err.curl, CURLE_COULDNT_CONNECT);
	ck_assert(!r->err.connected);
	errinfo e;
	ck_assert_int_eq(moodle_read_failure(r, &e), -EXIT_UNAVAILABLE);
	moodle_request_free(r);
	/* a write that never left is as safe to send again, and nothing happened */
	r = call_once(&o, request("enrol_manual_enrol_users", true, "enrolments[0][roleid]", "5", NULL));
	ck_assert_int_eq(r->outcome, MO_FAILED);
	ck_assert_int_eq(r->attempts, 4);
	moodle_request_free(r);
	/* the time limit: the last attempt starts no later than retry_max_time
	 * after the first, however many retries are left */
	o.retries = 50;
	o.retry_base = 100;                                 /* waits of up to 30 s */
	o.retry_max_time = 0.15;
	double t0 = now_monotonic();
	r = call_once(&o, request("core_webservice_get_site_info", false, NULL));
	double took = now_monotonic() - t0;
	ck_assert_int_eq(r->outcome, MO_FAILED);
	ck_assert_int_ge(r->attempts, 2);
	ck_assert_double_le(r->sent_at - r->first_sent, 0.15 + 0.1);
	ck_assert_double_lt(took, 0.15 + 1.0);
	moodle_request_free(r);
}
END_TEST

/* Records the order in which requests finished. */
static void note_order(moodle_client *c, moodle_request *r, void *ctx)
{
	sb_adds(ctx, r->function);
	sb_addc(ctx, ' ');
	(void)c;
}

START_TEST(test_requests_wait_for_their_time)
{
	/* apply delays a batch by setting not_before before it submits (a
	 * deadlock retried, an unknown write looked for later): it must not
	 * start earlier, and requests without a wait go first */
	emu m;
	emu_start(&m, STATE_SITE, NULL);
	moodle_options o = options_for(&m);
	moodle_client *c = client_new(&o);
	strbuf order = STRBUF_INIT;
	moodle_request *late = request("core_course_get_categories", false, NULL);
	moodle_request *now = request("core_webservice_get_site_info", false, NULL);
	late->done = now->done = note_order;
	late->ctx = now->ctx = &order;
	double t0 = now_monotonic();
	late->not_before = t0 + 0.3;
	errinfo e;
	ck_assert_int_eq(moodle_submit(c, late, &e), 0);
	ck_assert_int_eq(moodle_submit(c, now, &e), 0);
	ck_assert_int_eq(moodle_run(c, &e), 0);
	ck_assert_str_eq(order.buf, "core_webservice_get_site_info core_course_get_categories ");
	ck_assert_double_ge(late->first_sent, t0 + 0.3);
	ck_assert_double_lt(now->first_sent, t0 + 0.2);
	ck_assert_int_eq(late->outcome, MO_DONE);
	moodle_request_free(late);
	moodle_request_free(now);
	sb_free(&order);
	moodle_client_free(c);
	emu_stop(&m);
}
END_TEST

/* ---- reads retried through faults ------------------------------------------------------- */

static void snapshot_text(const site_snapshot *s, strbuf *out)
{
	char buf[256], buf2[256];
	for (int64_t id = 1; id < 200; id++) {
		const site_category *cat = site_category_by_id(s, id);
		if (cat)
			sb_addf(out, "category %lld %s %s %lld %d\n", (long long)id, cat->name,
				cat->idnumber ? cat->idnumber : "(null)", (long long)cat->parent, cat->visible);
		const site_course *co = site_course_by_id(s, id);
		if (co)
			sb_addf(out, "course %lld %s %s %s %lld %d\n", (long long)id, co->shortname, co->fullname,
				co->idnumber, (long long)co->categoryid, co->visible);
		const site_user *u = site_user_by_id(s, id);
		if (u)
			sb_addf(out, "user %lld %s %s %d\n", (long long)id, u->username, u->idnumber, u->suspended);
		const site_roster *ro = site_roster_of(s, id);
		for (int64_t uid = 1; ro && uid < 200; uid++) {
			const site_enrolment *en = site_roster_find(ro, uid);
			if (en)
				sb_addf(out, "enrolment %lld %lld %d roles %s groups %s\n", (long long)id, (long long)uid,
					en->active, ids_text(en->roleids, en->nroles, buf, sizeof buf),
					ids_text(en->groupids, en->ngroups, buf2, sizeof buf2));
		}
		const site_group_list *gl = site_groups_of(s, id);
		for (size_t i = 0; gl && i < gl->n; i++)
			sb_addf(out, "group %lld %lld %s %s\n", (long long)id, (long long)gl->items[i].id,
				gl->items[i].name, gl->items[i].idnumber);
	}
}

/* Everything a reconcile run reads, into a snapshot and then as text. */
static void read_everything(moodle_client *c, strbuf *out)
{
	site_snapshot *s = site_new();
	errinfo e;
	ck_assert_int_eq(moodle_read_site_info(c, s, NULL, &e), 0);
	ck_assert_int_eq(moodle_read_categories(c, s, &e), 0);
	ck_assert_int_eq(moodle_read_all_courses(c, s, &e), 0);
	const char *const ids[] = { "S1", "S2", "S3", "S5", "S404" };
	ck_assert_int_eq(moodle_read_users(c, s, "idnumber", ids, ARRAY_LEN(ids), &e), 0);
	const int64_t courses[] = { 2, 3, 4 };
	ck_assert_int_eq(moodle_read_rosters(c, s, courses, 3, true, &e), 0);
	ck_assert_int_eq(moodle_read_course_groups(c, s, courses, 3, &e), 0);
	snapshot_text(s, out);
	site_free(s);
}

START_TEST(test_reads_retried_under_faults)
{
	/* the reference: the same reads without faults */
	emu m;
	emu_start(&m, STATE_SITE, NULL);
	moodle_options o = options_for(&m);
	moodle_client *c = client_new(&o);
	strbuf want = STRBUF_INIT;
	read_everything(c, &want);
	moodle_client_free(c);
	int64_t logical = total_stat(&m, "requests");
	ck_assert_int_eq(logical, 13);
	emu_stop(&m);
	ck_assert(strstr(want.buf, "enrolment 2 7 0 roles 4,5 groups 1,2\n") != NULL);

	/* nearly half of all calls fail, in every way a read can; one request
	 * at a time, so the seeded draws fall on the same requests each run */
	const char *const args[] = { "--faults",
		"http500=0.06,http502=0.06,http503=0.06,http504=0.06,reset-before=0.05,reset-after=0.05,"
		"truncate=0.05,nonjson=0.05,stall=0.04,stall-ms=50,commit-delay-ms=0", "--seed", "11", NULL };
	emu_start(&m, STATE_SITE, args);
	o = options_for(&m);
	o.retries = 12;
	o.retry_base = 0.002;
	o.timeout = 5;
	c = client_new(&o);
	strbuf got = STRBUF_INIT;
	read_everything(c, &got);
	ck_assert_str_eq(got.buf, want.buf);
	json_object *st = emu_http(&m, "/__stats", NULL);
	int64_t requests = json_int_of(st, "requests"), faults = 0;
	json_object_object_foreach(member(st, "faults"), kind, n) {
		faults += json_object_get_int64(n);
		(void)kind;
	}
	json_object_put(st);
	ck_assert_int_ge(faults, 5);
	/* each fault cost exactly one more request; libcurl itself sends a
	 * read again once when a kept-alive connection dies before the answer
	 * (the client counts one attempt then): reads may be sent twice,
	 * writes never (test_write_faults) */
	ck_assert_int_eq(requests, logical + faults);
	ck_assert_int_le((int64_t)moodle_requests_sent(c), requests);
	moodle_client_free(c);
	emu_stop(&m);
	sb_free(&want);
	sb_free(&got);
}
END_TEST

/* ---- writes: never twice, unknown when they may have committed ----------------------------- */

/* Enrols carol (5) in CHE101 (3) on a site whose enrol calls all meet the
 * fault; a read on the same client first, so that its connection is one
 * kept alive. */
static moodle_request *write_under_fault(emu *m, const char *kind, const char *more, double timeout)
{
	char spec[200];
	const char *args[5];
	fault_args(args, spec, sizeof spec, kind, "enrol_manual_enrol_users", more);
	emu_start(m, STATE_SITE, args);
	moodle_options o = options_for(m);
	o.timeout = timeout;
	o.retries = 5;
	moodle_client *c = client_new(&o);
	moodle_request *r = run(c, request("core_webservice_get_site_info", false, NULL));
	ck_assert_int_eq(r->outcome, MO_DONE);
	moodle_request_free(r);
	r = run(c, request("enrol_manual_enrol_users", true, "enrolments[0][roleid]", "5", "enrolments[0][userid]", "5",
		"enrolments[0][courseid]", "3", NULL));
	moodle_client_free(c);
	ck_assert_int_eq(r->attempts, 1);
	ck_assert_int_eq(fn_stat(m, "enrol_manual_enrol_users", "count"), 1);  /* sent once */
	return r;
}

/* Waits until the enrolment appears (true) or `seconds` pass. */
static bool wait_for_enrolment(const emu *m, double seconds)
{
	double end = now_monotonic() + seconds;
	while (now_monotonic() < end) {
		if (enrolments_of(m, 5, 3))
			return true;
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return false;
}

START_TEST(test_write_stalled_past_the_timeout_commits_later)
{
	emu m;
	moodle_request *r = write_under_fault(&m, "stall", "stall-ms=700,commit-delay-ms=300", 0.25);
	ck_assert_double_lt(r->elapsed, 0.65);             /* the client's timeout, not the stall */
	ck_assert_int_eq(r->outcome, MO_UNKNOWN);
	ck_assert_int_eq(r->err.status, MS_TRANSPORT);
	ck_assert_int_eq(r->err.curl, CURLE_OPERATION_TIMEDOUT);
	char buf[1600];
	ck_assert_str_eq(moodle_request_error(r, buf, sizeof buf), "enrol_manual_enrol_users: Timeout was reached "
			 "(the site may still complete the call) (the outcome is unknown: the site may have done it)");
	ck_assert_int_eq(enrolments_of(&m, 5, 3), 0);      /* not yet ... */
	ck_assert(wait_for_enrolment(&m, 4));              /* ... but it was done */
	ck_assert_int_eq(fn_stat(&m, "enrol_manual_enrol_users", "count"), 1);
	moodle_request_free(r);
	emu_stop(&m);
}
END_TEST

START_TEST(test_write_after_a_gateway_timeout_commits_later)
{
	emu m;
	moodle_request *r = write_under_fault(&m, "stall", "stall-ms=100,commit-delay-ms=400", 5);
	ck_assert_int_eq(r->outcome, MO_UNKNOWN);
	ck_assert_int_eq(r->err.status, MS_HTTP_ERROR);
	ck_assert_int_eq(r->err.http, 504);
	ck_assert_int_eq(enrolments_of(&m, 5, 3), 0);      /* a re-read right after the 504 sees nothing (§1.9) */
	ck_assert(wait_for_enrolment(&m, 4));
	moodle_request_free(r);
	emu_stop(&m);
}
END_TEST

START_TEST(test_write_faults)
{
	static const struct {
		const char *kind;
		enum moodle_outcome outcome;
		enum moodle_status status;
		bool committed;
	} cases[] = {
		/* sent, no answer: it may have happened, and here it did */
		{ "reset-after", MO_UNKNOWN, MS_TRANSPORT, true },
		{ "truncate", MO_UNKNOWN, MS_TRANSPORT, true },
		{ "nonjson", MO_UNKNOWN, MS_BAD_REPLY, true },
		/* sent, no answer: the client cannot tell these from the above */
		{ "reset-before", MO_UNKNOWN, MS_TRANSPORT, false },
		{ "http500", MO_UNKNOWN, MS_HTTP_ERROR, false },
		{ "http502", MO_UNKNOWN, MS_HTTP_ERROR, false },
		{ "http503", MO_UNKNOWN, MS_HTTP_ERROR, false },
		{ "http504", MO_UNKNOWN, MS_HTTP_ERROR, false },
		/* Moodle's answer: rolled back whole (§1.9a) */
		{ "deadlock", MO_FAILED, MS_MOODLE_ERROR, false },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		emu m;
		moodle_request *r = write_under_fault(&m, cases[i].kind, NULL, 10);
		ck_assert_msg(r->outcome == cases[i].outcome, "%s: outcome %d", cases[i].kind, r->outcome);
		ck_assert_msg(r->err.status == cases[i].status, "%s: status %d", cases[i].kind, r->err.status);
		ck_assert_msg(enrolments_of(&m, 5, 3) == cases[i].committed, "%s", cases[i].kind);
		if (r->outcome == MO_UNKNOWN) {
			char buf[1600];
			moodle_request_error(r, buf, sizeof buf);
			ck_assert_msg(strstr(buf, " (the outcome is unknown: the site may have done it)") != NULL, "%s", buf);
		}
		if (r->err.status == MS_MOODLE_ERROR) {
			ck_assert_str_eq(r->err.exception, "dml_write_exception");
			ck_assert_str_eq(r->err.errorcode, "dmlwriteexception");
			ck_assert_str_eq(r->err.message, "Error writing to database");
			ck_assert_msg(strstr(r->err.debuginfo, "deadlock detected") != NULL, "%s", r->err.debuginfo);
		}
		moodle_request_free(r);
		emu_stop(&m);
	}
}
END_TEST

/* ---- the token --------------------------------------------------------------------------- */

START_TEST(test_token_in_no_log_line)
{
	char path[] = "/tmp/ims2moodle-client-log-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	log_set_level(LOG_TRACE);

	emu m;
	const char *const args[] = { "--faults", "http503=1@core_course_get_categories", "--seed", "1", NULL };
	emu_start(&m, STATE_SITE, args);
	moodle_options o = options_for(&m);
	o.retries = 2;
	moodle_request *r = call_once(&o, request("core_course_get_categories", false, NULL));
	ck_assert_int_eq(r->attempts, 3);
	moodle_request_free(r);
	r = call_once(&o, request("core_user_get_users_by_field", false, "field", "username", "values[0]", "X", NULL));
	moodle_request_free(r);
	emu_stop(&m);

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char *text;
	size_t len;
	errinfo e;
	ck_assert_int_eq(read_file(path, &text, &len, &e), 0);
	unlink(path);
	close(fd);
	/* the lines were written, the token masked in each */
	ck_assert_msg(strstr(text, "core_course_get_categories: HTTP 503 text/html; trying again in") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "<- core_user_get_users_by_field failed") != NULL, "%s", text);
	ck_assert_msg(strstr(text, TOKEN) == NULL, "%s", text);
	free(text);
}
END_TEST

/* ---- long texts ------------------------------------------------------------------------- */

START_TEST(test_long_texts_stay_utf8)
{
	/* a debuginfo longer than the field, cut where a character would be split */
	strbuf body = STRBUF_INIT;
	sb_adds(&body, "{\"exception\":\"dml_write_exception\",\"errorcode\":\"dmlwriteexception\","
		       "\"message\":\"Error writing to database\",\"debuginfo\":\"");
	for (int i = 0; i < 600; i++)
		sb_adds(&body, "\u0141");                  /* Ł: 2 bytes in UTF-8 */
	sb_adds(&body, "\"}");
	moodle_error err;
	json_object *out;
	ck_assert_int_eq(moodle_classify(200, "application/json", body.buf, body.len, &out, &err), MS_MOODLE_ERROR);
	sb_free(&body);
	ck_assert_uint_eq(strlen(err.debuginfo), 1022);      /* 511 whole characters, not 1023 bytes */
	ck_assert_uint_eq(utf8_chars(err.debuginfo), 511);
	ck_assert_str_eq(err.debuginfo + 1020, "\xc5\x81");
	char buf[100];
	moodle_error_text(&err, buf, sizeof buf);     /* 66 bytes, "(", then 16 Ł and half of one */
	size_t len = strlen(buf);
	ck_assert_uint_eq(len, 98);
	ck_assert_msg((unsigned char)buf[len - 1] == 0x81, "the last byte is %02x", (unsigned char)buf[len - 1]);
	moodle_utf8_cut(buf, 4);                            /* a whole last character stays */
	ck_assert_uint_eq(strlen(buf), len);
	char three[] = "a\xe2\x82";                         /* € cut after 2 of its 3 bytes */
	moodle_utf8_cut(three, sizeof three);
	ck_assert_str_eq(three, "a");
}
END_TEST

/* ---- the retry policy ---------------------------------------------------------------------- */

START_TEST(test_backoff_bounds_and_jitter)
{
	moodle_retry_policy p = { 5, 300, 0.5 };
	uint64_t rng = 42;
	for (int retry = 1; retry <= 10; retry++) {
		double bound = 0.5 * (double)(1 << (retry - 1));
		if (bound > MOODLE_BACKOFF_CAP)
			bound = MOODLE_BACKOFF_CAP;
		double lo = bound, hi = 0, sum = 0;
		int below_half = 0;
		const int n = 20000;
		for (int i = 0; i < n; i++) {
			double d = moodle_backoff(&p, retry, &rng);
			ck_assert_double_ge(d, 0);
			ck_assert_double_lt(d, bound);
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
			sum += d;
			below_half += d < bound / 2;
		}
		/* full jitter: the whole range is used, evenly */
		ck_assert_double_lt(lo, bound * 0.001);
		ck_assert_double_gt(hi, bound * 0.999);
		ck_assert_double_gt(sum / n, bound * 0.48);
		ck_assert_double_lt(sum / n, bound * 0.52);
		ck_assert_int_gt(below_half, n * 48 / 100);
		ck_assert_int_lt(below_half, n * 52 / 100);
	}
	/* the cap holds for any count, without overflow */
	for (int retry = 7; retry < 5000; retry += 97)
		ck_assert_double_lt(moodle_backoff(&p, retry, &rng), MOODLE_BACKOFF_CAP);
	/* the same seed gives the same waits; a zero seed does not stick at 0 */
	uint64_t a = 7, b = 7, z = 0;
	for (int i = 0; i < 10; i++)
		ck_assert_double_eq(moodle_backoff(&p, 3, &a), moodle_backoff(&p, 3, &b));
	double z1 = moodle_backoff(&p, 3, &z), z2 = moodle_backoff(&p, 3, &z);
	ck_assert(z1 != z2);
	/* no base, no wait */
	moodle_retry_policy none = { 5, 300, 0 };
	ck_assert_double_eq(moodle_backoff(&none, 4, &rng), 0);
}
END_TEST

static moodle_error error_of(enum moodle_status status, long http, bool connected, const char *errorcode)
{
	moodle_error e;
	memset(&e, 0, sizeof e);
	e.status = status;
	e.http = http;
	e.connected = connected;
	snprintf(e.errorcode, sizeof e.errorcode, "%s", errorcode);
	return e;
}

START_TEST(test_retry_decisions)
{
	moodle_retry_policy p = { 3, 10, 0.5 };
	uint64_t rng = 1;
	double d;
	moodle_error reset = error_of(MS_TRANSPORT, 0, true, "");
	moodle_error refused = error_of(MS_TRANSPORT, 0, false, "");
	moodle_error gateway = error_of(MS_HTTP_ERROR, 504, true, "");
	moodle_error too_big = error_of(MS_HTTP_ERROR, 413, true, "");
	moodle_error bad = error_of(MS_BAD_REPLY, 200, true, "");
	moodle_error invalid = error_of(MS_MOODLE_ERROR, 200, true, "invalidparameter");
	moodle_error deadlock = error_of(MS_MOODLE_ERROR, 200, true, "dmlwriteexception");

	/* the count: attempts 1..3 may be followed by another, the 4th not */
	for (int attempts = 1; attempts <= 3; attempts++) {
		ck_assert(moodle_retry_decide(&p, &reset, false, attempts, 0.1, &rng, &d));
		ck_assert_double_ge(d, 0);
		ck_assert_double_lt(d, 0.5 * (1 << (attempts - 1)));
	}
	ck_assert(!moodle_retry_decide(&p, &reset, false, 4, 0.1, &rng, &d));
	ck_assert_double_eq(d, 0);
	/* the time: none once it is spent; the wait never goes past it */
	ck_assert(!moodle_retry_decide(&p, &reset, false, 1, 10, &rng, &d));
	moodle_retry_policy slow = { 50, 10, 30 };
	for (int i = 0; i < 200; i++) {
		ck_assert(moodle_retry_decide(&slow, &reset, false, 6, 9.5, &rng, &d));
		ck_assert_double_le(d, 0.5);
	}
	/* what is worth a retry, for a read */
	ck_assert(moodle_retry_decide(&p, &refused, false, 1, 0, &rng, &d));
	ck_assert(moodle_retry_decide(&p, &gateway, false, 1, 0, &rng, &d));
	ck_assert(moodle_retry_decide(&p, &bad, false, 1, 0, &rng, &d));
	ck_assert(moodle_retry_decide(&p, &deadlock, false, 1, 0, &rng, &d));
	ck_assert(!moodle_retry_decide(&p, &too_big, false, 1, 0, &rng, &d));
	ck_assert(!moodle_retry_decide(&p, &invalid, false, 1, 0, &rng, &d));
	/* a write only when it never reached the site */
	ck_assert(moodle_retry_decide(&p, &refused, true, 1, 0, &rng, &d));
	ck_assert(!moodle_retry_decide(&p, &refused, true, 4, 0, &rng, &d));
	ck_assert(!moodle_retry_decide(&p, &reset, true, 1, 0, &rng, &d));
	ck_assert(!moodle_retry_decide(&p, &gateway, true, 1, 0, &rng, &d));
	ck_assert(!moodle_retry_decide(&p, &bad, true, 1, 0, &rng, &d));
	ck_assert(!moodle_retry_decide(&p, &deadlock, true, 1, 0, &rng, &d));
	/* no retries configured */
	moodle_retry_policy never = { 0, 10, 0.5 };
	ck_assert(!moodle_retry_decide(&never, &refused, false, 1, 0, &rng, &d));
}
END_TEST

int main(void)
{
	fakemoodle = getenv("FAKEMOODLE");
	if (!fakemoodle || !*fakemoodle || access(fakemoodle, X_OK) != 0) {
		fprintf(stderr, "test_client: FAKEMOODLE is not set to the emulator; skipped\n");
		return 77;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("policy");
	tcase_add_test(tc, test_backoff_bounds_and_jitter);
	tcase_add_test(tc, test_retry_decisions);
	tcase_add_test(tc, test_long_texts_stay_utf8);
	suite_add_tcase(s, tc);
	tc = tcase_create("reads");
	tcase_add_test(tc, test_site_info_and_functions);
	tcase_add_test(tc, test_categories_and_courses);
	tcase_add_test(tc, test_users_by_field);
	tcase_add_test(tc, test_users_in_chunks_under_the_field_budget);
	tcase_add_test(tc, test_rosters_and_groups);
	tcase_add_test(tc, test_roster_pages);
	suite_add_tcase(s, tc);
	tc = tcase_create("writes");
	tcase_add_test(tc, test_every_write);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_moodle_errors);
	tcase_add_test(tc, test_http_errors_are_not_moodle_errors);
	tcase_add_test(tc, test_connection_faults);
	tcase_add_test(tc, test_unreachable_site);
	tcase_add_test(tc, test_requests_wait_for_their_time);
	tcase_add_test(tc, test_reads_retried_under_faults);
	tcase_add_test(tc, test_write_stalled_past_the_timeout_commits_later);
	tcase_add_test(tc, test_write_after_a_gateway_timeout_commits_later);
	tcase_add_test(tc, test_write_faults);
	tcase_add_test(tc, test_token_in_no_log_line);
	suite_add_tcase(s, tc);
	int status = run_suite(s);
	curl_global_cleanup();
	return status;
}

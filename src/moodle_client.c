/* moodle_client.c -- the REST transport over libcurl's multi interface
 * (see moodle_client.h). */
#include "config.h"
#include "moodle_client.h"
#include "log.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* wstoken, wsfunction, moodlewsrestformat, moodlewssettingraw */
#define HEADER_PAIRS 4

struct moodle_client {
	moodle_options o;
	char *base;                  /* url without trailing slash */
	char *token;
	CURLM *multi;
	CURL **idle;                 /* easy handles kept for reuse */
	size_t nidle;
	moodle_request *queue, **queue_tail;   /* ready to start, in order */
	moodle_request *delayed;               /* retries waiting for their time (few) */
	size_t inflight;
	uint64_t sent;
	uint64_t rng;
	char user_agent[64];
};

/* ---- options ------------------------------------------------------------------- */

int moodle_read_token_file(const char *path, char **token, errinfo *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, -EXIT_CONFIG, "token file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || (st.st_mode & 077)) {
		close(fd);
		return err_set(e, -EXIT_CONFIG,
			       "token file %s can be read by group or others (mode %03o): the token is "
			       "a password; chmod 600 %s", path, (unsigned)(st.st_mode & 0777), path);
	}
	close(fd);
	char *text;
	size_t len;
	int rc = read_file(path, &text, &len, e);
	if (rc < 0)
		return err_set(e, -EXIT_CONFIG, "token file %s cannot be read", path);
	const char *s = text;
	size_t n = strcspn(text, "\n");
	str_trim_span(&s, &n);
	if (n == 0) {
		free(text);
		return err_set(e, -EXIT_CONFIG, "token file %s is empty", path);
	}
	*token = xstrndup(s, n);
	free(text);
	return 0;
}

int moodle_options_load(moodle_options *o, config *c, const char *url_override, char **token_buf,
			errinfo *e)
{
	memset(o, 0, sizeof *o);
	*token_buf = NULL;
	o->url = url_override ? url_override : getenv("MOODLE_URL") && *getenv("MOODLE_URL") ?
		 getenv("MOODLE_URL") : config_str(c, "moodle", "url");
	if (!o->url || !*o->url)
		return err_set(e, -EXIT_CONFIG, "no Moodle site: set moodle.url in the configuration, "
			       "MOODLE_URL, or --url");
	if (strncmp(o->url, "https://", 8) != 0 && strncmp(o->url, "http://", 7) != 0)
		return err_set(e, -EXIT_CONFIG, "the site's address must start with https:// (or "
			       "http:// on a trusted network): '%s'", o->url);
	const char *env_token = getenv("MOODLE_TOKEN");
	const char *file = getenv("MOODLE_TOKEN_FILE");
	if (!file || !*file)
		file = config_str(c, "moodle", "token_file");
	if (env_token && *env_token) {
		*token_buf = xstrdup(env_token);
	} else if (file && *file) {
		int rc = moodle_read_token_file(file, token_buf, e);
		if (rc < 0)
			return rc;
	} else {
		return err_set(e, -EXIT_CONFIG, "no web service token: set MOODLE_TOKEN, "
			       "MOODLE_TOKEN_FILE, or moodle.token_file (never an option)");
	}
	o->token = *token_buf;
	log_add_secret(o->token);
	o->ca_file = config_str(c, "moodle", "ca_file");
	o->timeout = config_duration(c, "moodle", "timeout");
	o->connect_timeout = config_duration(c, "moodle", "connect_timeout");
	o->concurrency = (int)config_int(c, "moodle", "concurrency");
	int64_t budget = config_int(c, "moodle", "field_budget");
	int64_t max_vars = config_int(c, "moodle", "max_input_vars");
	if (budget >= max_vars)
		return err_set(e, -EXIT_CONFIG, "%s: moodle.field_budget (%lld) must stay below "
			       "moodle.max_input_vars (%lld): PHP drops what is beyond, silently",
			       config_origin(c, "moodle", "field_budget"), (long long)budget,
			       (long long)max_vars);
	o->field_budget = (int)budget;
	o->retries = (int)config_int(c, "moodle", "retries");
	o->retry_max_time = config_duration(c, "moodle", "retry_max_time");
	o->retry_base = 0.5;
	return 0;
}

/* ---- the client ---------------------------------------------------------------- */

int moodle_client_new(const moodle_options *o, moodle_client **out, errinfo *e)
{
	static bool global_done;
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return err_set(e, -EXIT_SOFTWARE, "libcurl cannot be initialised");
		global_done = true;
	}
	moodle_client *c = xcalloc(1, sizeof *c);
	c->o = *o;
	if (c->o.concurrency < 1)
		c->o.concurrency = 1;
	if (c->o.field_budget < HEADER_PAIRS + 10)
		c->o.field_budget = 4000;
	if (c->o.timeout <= 0)
		c->o.timeout = 600;
	if (c->o.connect_timeout <= 0)
		c->o.connect_timeout = 15;
	if (c->o.retry_base <= 0)
		c->o.retry_base = 0.5;
	c->base = xstrdup(o->url);
	size_t n = strlen(c->base);
	while (n && c->base[n - 1] == '/')
		c->base[--n] = '\0';
	c->token = xstrdup(o->token ? o->token : "");
	c->o.token = c->token;
	c->o.url = c->base;
	log_add_secret(c->token);
	c->multi = curl_multi_init();
	curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)c->o.concurrency);
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->o.concurrency + 2);
	c->queue_tail = &c->queue;
	c->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
	snprintf(c->user_agent, sizeof c->user_agent, "ims2moodle/%s", PACKAGE_VERSION);
	*out = c;
	return 0;
}

void moodle_client_free(moodle_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nidle; i++)
		curl_easy_cleanup(c->idle[i]);
	free(c->idle);
	curl_multi_cleanup(c->multi);
	free(c->base);
	free(c->token);
	free(c);
}

moodle_request *moodle_request_new(const char *function, bool write)
{
	moodle_request *r = xcalloc(1, sizeof *r);
	r->function = function;
	r->write = write;
	return r;
}

void moodle_request_free(moodle_request *r)
{
	if (!r)
		return;
	mform_free(&r->form);
	sb_free(&r->response);
	if (r->reply)
		json_object_put(r->reply);
	free(r);
}

size_t moodle_param_budget(const moodle_client *c)
{
	return (size_t)c->o.field_budget - HEADER_PAIRS;
}

uint64_t moodle_requests_sent(const moodle_client *c)
{
	return c->sent;
}

const char *moodle_url(const moodle_client *c)
{
	return c->base;
}

int moodle_submit(moodle_client *c, moodle_request *r, errinfo *e)
{
	if (r->form.fields > moodle_param_budget(c))
		return err_set(e, -EXIT_SOFTWARE,
			       "internal error: a %s request of %zu fields is over the budget of %zu; "
			       "it was not sent (PHP would drop what is beyond max_input_vars)",
			       r->function, r->form.fields, moodle_param_budget(c));
	if (r->not_before > now_monotonic()) {
		r->next = c->delayed;   /* the caller asked for a wait (apply's retries, settles) */
		c->delayed = r;
		return 0;
	}
	r->next = NULL;
	*c->queue_tail = r;
	c->queue_tail = &r->next;
	return 0;
}

/* ---- running ----------------------------------------------------------------------- */

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *user)
{
	moodle_request *r = user;
	sb_add(&r->response, ptr, size * nmemb);
	return size * nmemb;
}

static CURL *easy_for(moodle_client *c)
{
	CURL *h = c->nidle ? c->idle[--c->nidle] : curl_easy_init();
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(c->o.timeout * 1000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->o.connect_timeout * 1000));
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (c->o.ca_file && *c->o.ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->o.ca_file);
	return h;
}

static void start(moodle_client *c, moodle_request *r)
{
	strbuf url = STRBUF_INIT;
	sb_addf(&url, "%s/webservice/rest/server.php?wstoken=", c->base);
	mform_escape(&url, c->token);
	sb_addf(&url, "&wsfunction=%s&moodlewsrestformat=json&moodlewssettingraw=1", r->function);
	CURL *h = easy_for(c);
	curl_easy_setopt(h, CURLOPT_URL, url.buf);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, sb_str(&r->form.body));
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)r->form.body.len);
	/* A write goes on a connection of its own: on a kept-alive connection
	 * that the server closes before answering, libcurl sends the request
	 * again by itself, and a write that had committed (reference §1.9)
	 * would be made twice. Reads may reuse connections. */
	curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, r->write ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	sb_free(&url);
	sb_reset(&r->response);
	r->easy = h;
	r->attempts++;
	r->sent_at = now_monotonic();
	if (!r->first_sent)
		r->first_sent = r->sent_at;
	c->sent++;
	c->inflight++;
	log_trace("-> %s (%zu fields, attempt %d)", r->function, r->form.fields, r->attempts);
	curl_multi_add_handle(c->multi, h);
}

double moodle_backoff(const moodle_retry_policy *p, int retry, uint64_t *rng)
{
	if (!*rng)
		*rng = 0x9e3779b97f4a7c15ULL;
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	double cap = p->base > 0 ? p->base : 0;
	for (int i = 1; i < retry && cap < MOODLE_BACKOFF_CAP; i++)
		cap *= 2;
	if (cap > MOODLE_BACKOFF_CAP)
		cap = MOODLE_BACKOFF_CAP;
	return cap * (double)(*rng >> 11) / 9007199254740992.0; /* [0, 1) with 53 bits */
}

bool moodle_retry_decide(const moodle_retry_policy *p, const moodle_error *err, bool write,
			 int attempts, double spent, uint64_t *rng, double *delay)
{
	*delay = 0;
	/* a write that reached the site may have been committed: never again */
	if (write && (err->status != MS_TRANSPORT || err->connected))
		return false;
	if (!moodle_error_transient(err) || attempts > p->retries || spent >= p->max_time)
		return false;
	double d = moodle_backoff(p, attempts, rng);
	if (spent + d > p->max_time)
		d = p->max_time - spent;
	*delay = d;
	return true;
}

static void requeue(moodle_client *c, moodle_request *r, double delay)
{
	r->not_before = now_monotonic() + delay;
	r->next = c->delayed;
	c->delayed = r;
}

/* Decides what a finished attempt means; returns true when the request is
 * finished (done, failed or unknown), false when it was queued again. */
static bool settle(moodle_client *c, moodle_request *r, CURLcode code)
{
	long http = 0;
	curl_off_t sent_bytes = 0;
	char *ctype = NULL;
	CURL *h = r->easy;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http);
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
	curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent_bytes);
	r->elapsed = now_monotonic() - r->sent_at;
	if (r->reply) {
		json_object_put(r->reply);
		r->reply = NULL;
	}
	if (code != CURLE_OK) {
		char detail[200];
		snprintf(detail, sizeof detail, "%s%s", curl_easy_strerror(code),
			 code == CURLE_OPERATION_TIMEDOUT ? " (the site may still complete the call)" : "");
		moodle_error_transport(&r->err, (int)code, sent_bytes > 0, detail);
	} else {
		moodle_classify(http, ctype, r->response.buf, r->response.len, &r->reply, &r->err);
	}
	if (r->err.status == MS_OK) {
		r->outcome = MO_DONE;
		return true;
	}
	bool sent = r->err.status != MS_TRANSPORT || r->err.connected;
	moodle_retry_policy policy = { c->o.retries, c->o.retry_max_time, c->o.retry_base };
	double d;
	if (moodle_retry_decide(&policy, &r->err, r->write, r->attempts, now_monotonic() - r->first_sent,
				&c->rng, &d)) {
		char buf[256];
		log_info("%s: %s; trying again in %.1f s", r->function,
			 moodle_error_text(&r->err, buf, sizeof buf), d);
		requeue(c, r, d);
		return false;
	}
	if (!r->write || !sent)
		r->outcome = MO_FAILED;
	else if (r->err.status == MS_MOODLE_ERROR || r->err.status == MS_PHP_ERROR ||
		 (r->err.status == MS_HTTP_ERROR && r->err.http < 500))
		r->outcome = MO_FAILED;   /* an answer: nothing was committed by this call */
	else
		r->outcome = MO_UNKNOWN;  /* sent, and the answer lost: it may still commit */
	return true;
}

static void finish(moodle_client *c, CURLMsg *msg)
{
	moodle_request *r = NULL;
	CURL *h = msg->easy_handle;
	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&r);
	curl_multi_remove_handle(c->multi, h);
	c->inflight--;
	bool finished = settle(c, r, msg->data.result);
	c->idle = xrealloc(c->idle, (c->nidle + 1) * sizeof *c->idle);
	c->idle[c->nidle++] = h;
	r->easy = NULL;
	if (finished) {
		char buf[256];
		log_trace("<- %s %s in %.3f s%s%s", r->function,
			  r->outcome == MO_DONE ? "ok" : r->outcome == MO_FAILED ? "failed" : "unknown",
			  r->elapsed, r->outcome == MO_DONE ? "" : ": ",
			  r->outcome == MO_DONE ? "" : moodle_error_text(&r->err, buf, sizeof buf));
		if (r->done)
			r->done(c, r, r->ctx);
	}
}

/* Moves the retries whose wait is over to the head of the queue (they were
 * sent before the rest), starts queued requests while there is room, and
 * returns the seconds until the next retry may start (-1 when none waits).
 * Only the retries are looked at one by one: a queue of many thousand
 * requests costs nothing while they wait for room. */
static double start_ready(moodle_client *c)
{
	double now = now_monotonic(), next = -1;
	for (moodle_request **pp = &c->delayed; *pp;) {
		moodle_request *r = *pp;
		if (r->not_before > now) {
			double wait = r->not_before - now;
			if (next < 0 || wait < next)
				next = wait;
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		r->next = c->queue;
		if (!c->queue)
			c->queue_tail = &r->next;
		c->queue = r;
	}
	while (c->queue && c->inflight < (size_t)c->o.concurrency) {
		moodle_request *r = c->queue;
		c->queue = r->next;
		if (!c->queue)
			c->queue_tail = &c->queue;
		start(c, r);
	}
	return next;
}

int moodle_run(moodle_client *c, errinfo *e)
{
	for (;;) {
		double wait = start_ready(c);
		if (!c->inflight && wait < 0)
			return 0;
		int running = 0;
		CURLMcode mc = curl_multi_perform(c->multi, &running);
		if (mc != CURLM_OK)
			return err_set(e, -EXIT_SOFTWARE, "libcurl: %s", curl_multi_strerror(mc));
		CURLMsg *msg;
		int left;
		bool progressed = false;
		while ((msg = curl_multi_info_read(c->multi, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE) {
				finish(c, msg);
				progressed = true;
			}
		if (progressed)
			continue;
		int timeout_ms = 1000;
		if (wait >= 0 && wait * 1000 < timeout_ms)
			timeout_ms = (int)(wait * 1000) + 1;
		if (c->inflight) {
			curl_multi_poll(c->multi, NULL, 0, timeout_ms, NULL);
		} else if (wait > 0) {
			struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
			nanosleep(&ts, NULL);
		}
	}
}

int moodle_call(moodle_client *c, moodle_request *r, errinfo *e)
{
	int rc = moodle_submit(c, r, e);
	return rc < 0 ? rc : moodle_run(c, e);
}

const char *moodle_request_error(const moodle_request *r, char *buf, size_t n)
{
	char inner[1400];
	moodle_error_text(&r->err, inner, sizeof inner);
	snprintf(buf, n, "%s: %s%s", r->function, inner,
		 r->outcome == MO_UNKNOWN ? " (the outcome is unknown: the site may have done it)" : "");
	moodle_utf8_cut(buf, n);
	log_redact(buf);
	return buf;
}

int moodle_read_failure(const moodle_request *r, errinfo *e)
{
	char buf[1600];
	moodle_request_error(r, buf, sizeof buf);
	bool unavailable = r->err.status == MS_TRANSPORT || r->err.status == MS_HTTP_ERROR ||
			   r->err.status == MS_BAD_REPLY ||
			   strcmp(r->err.errorcode, "invalidtoken") == 0 ||
			   strcmp(r->err.errorcode, "accessexception") == 0 ||
			   strncmp(r->err.errorcode, "wsaccess", 8) == 0 ||
			   strcmp(r->err.errorcode, "sitemaintenance") == 0;
	return err_set(e, unavailable ? -EXIT_UNAVAILABLE : -EXIT_SOFTWARE, "%s", buf);
}

/* moodle_client.h -- the REST transport to a Moodle site: requests queued
 * and run over libcurl's multi interface, several in flight over kept-alive
 * connections, each checked against the field budget before it is sent,
 * reads retried with exponential backoff and jitter, writes never retried
 * blindly: a write whose answer was lost is reported as unknown, with the
 * time it was sent, so the caller can decide. */
#ifndef IMS2MOODLE_MOODLE_CLIENT_H
#define IMS2MOODLE_MOODLE_CLIENT_H

#include <json-c/json.h>
#include <stdbool.h>
#include "conf.h"
#include "moodle_form.h"
#include "moodle_reply.h"
#include "util.h"

typedef struct moodle_options {
	const char *url;             /* the site, e.g. https://moodle.example.edu */
	const char *token;           /* never logged; registered with log_add_secret */
	const char *ca_file;
	double timeout;              /* seconds per request */
	double connect_timeout;
	int concurrency;
	int field_budget;            /* most name=value pairs per request, header pairs included */
	int retries;                 /* for reads */
	double retry_max_time;
	double retry_base;           /* bound of the first backoff, seconds (default 0.5) */
} moodle_options;

/* Fills o from the [moodle] section and the environment (MOODLE_URL,
 * MOODLE_TOKEN, MOODLE_TOKEN_FILE); url_override (--url) wins when not
 * NULL. The token string is allocated into *token_buf (the caller frees
 * it). Returns 0, or -EXIT_CONFIG (no URL, no token, a token file that
 * others can read, ...) with e set. */
int moodle_options_load(moodle_options *o, config *c, const char *url_override, char **token_buf,
			errinfo *e);

/* Reads a token file: refuses one that group or others can read; the token
 * is the first line, trimmed. */
int moodle_read_token_file(const char *path, char **token, errinfo *e);

/* The retry policy of reads (and of writes that never left), apart from the
 * transport so that it can be tested: how long to wait before the next
 * attempt, and whether there is one. */
#define MOODLE_BACKOFF_CAP 30.0      /* no wait is longer, in seconds */

typedef struct moodle_retry_policy {
	int retries;                 /* attempts after the first */
	double max_time;             /* seconds after the first attempt by which the last must start */
	double base;                 /* bound of the first wait, seconds */
} moodle_retry_policy;

/* The wait before retry number `retry` (1 = the first retry): "full jitter",
 * uniform in [0, min(MOODLE_BACKOFF_CAP, base * 2^(retry-1))), drawn from
 * *rng (xorshift64; a zero state is replaced by a fixed non-zero one). */
double moodle_backoff(const moodle_retry_policy *p, int retry, uint64_t *rng);

/* Whether a failed attempt is tried again, and after how long (*delay).
 * attempts: the attempts made so far (>= 1); spent: seconds since the first
 * was sent. Only passing faults (moodle_error_transient) are retried; a
 * write only when it never reached the site; never more than p->retries
 * times, and never to start later than p->max_time after the first attempt
 * (the wait is shortened to what is left). */
bool moodle_retry_decide(const moodle_retry_policy *p, const moodle_error *err, bool write,
			 int attempts, double spent, uint64_t *rng, double *delay);

/* What became of a request. */
enum moodle_outcome {
	MO_DONE,       /* Moodle answered without an error */
	MO_FAILED,     /* Moodle refused it, or it was never sent: nothing happened;
			* except errorcode invalidresponse, which Moodle gives after
			* the function ran and committed (core_user_update_users
			* commits each user, and one bad password turns the whole
			* reply into invalidresponse: moodle-ws.md §1.4, §2.13) */
	MO_UNKNOWN,    /* a write was sent and its answer lost: it may have happened */
};

typedef struct moodle_client moodle_client;
typedef struct moodle_request moodle_request;

typedef void (*moodle_done_fn)(moodle_client *c, moodle_request *r, void *ctx);

struct moodle_request {
	const char *function;
	mform form;                  /* the parameters (header pairs are added by the client) */
	bool write;                  /* a write is never retried by the client */
	moodle_done_fn done;         /* called once, when the request is finished */
	void *ctx;
	double not_before;           /* monotonic time before which it is not sent (0: at once) */

	/* results */
	enum moodle_outcome outcome;
	json_object *reply;          /* MO_DONE: the parsed reply (NULL for null); freed with the request */
	moodle_error err;            /* otherwise: why */
	double sent_at;              /* monotonic time the last attempt was sent */
	double elapsed;
	int attempts;

	/* internal */
	struct moodle_request *next;
	void *easy;
	strbuf response;
	double first_sent;
};

int moodle_client_new(const moodle_options *o, moodle_client **out, errinfo *e);
void moodle_client_free(moodle_client *c);

/* A new request for a function (its form empty). */
moodle_request *moodle_request_new(const char *function, bool write);
void moodle_request_free(moodle_request *r);

/* Queues a request. Refuses (-EXIT_SOFTWARE, e set) one over the field
 * budget: callers split batches before. The client owns nothing of it: the
 * done callback (or the caller after moodle_run) frees it. */
int moodle_submit(moodle_client *c, moodle_request *r, errinfo *e);
/* Runs until every queued request is finished (callbacks may queue more).
 * Returns 0, or -EXIT_SOFTWARE when libcurl itself fails. */
int moodle_run(moodle_client *c, errinfo *e);
/* Submits one request and runs it to the end. */
int moodle_call(moodle_client *c, moodle_request *r, errinfo *e);

/* The budget left for parameters once the header pairs are counted. */
size_t moodle_param_budget(const moodle_client *c);
/* Requests sent so far (every attempt counts). */
uint64_t moodle_requests_sent(const moodle_client *c);
const char *moodle_url(const moodle_client *c);

/* A one-line description of a failed request, for logs and reports. */
const char *moodle_request_error(const moodle_request *r, char *buf, size_t n);

/* Sets e from a failed read and returns its code: -EXIT_UNAVAILABLE when
 * the site cannot be reached or refuses the token (transport, HTTP,
 * invalidtoken, accessexception, maintenance), -EXIT_SOFTWARE otherwise. */
int moodle_read_failure(const moodle_request *r, errinfo *e);

#endif

/* server.c -- libmicrohttpd front end (see server.h). */
#include "config.h"
#include "server.h"
#include "hook.h"
#include "state_json.h"
#include "ws.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WS_PATH "/webservice/rest/server.php"

typedef struct req {
	char *uri;           /* raw request target, query string included */
	strbuf body;
	bool started;
	bool too_big;
} req;

static void sleep_ms(long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *con)
{
	(void)cls;
	(void)con;
	req *r = xcalloc(1, sizeof *r);
	r->uri = xstrdup(uri ? uri : "/");
	return r;
}

static void request_completed(void *cls, struct MHD_Connection *con, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)con;
	(void)toe;
	req *r = *con_cls;
	if (r) {
		free(r->uri);
		sb_free(&r->body);
		free(r);
		*con_cls = NULL;
	}
}

static enum MHD_Result respond(struct MHD_Connection *con, int status, const char *ctype, const char *body,
			       size_t len)
{
	char *copy = xmalloc(len + 1);
	memcpy(copy, body, len);
	struct MHD_Response *rs = MHD_create_response_from_buffer(len, copy, MHD_RESPMEM_MUST_FREE);
	if (ctype)
		MHD_add_response_header(rs, "Content-Type", ctype);
	enum MHD_Result ret = MHD_queue_response(con, (unsigned)status, rs);
	MHD_destroy_response(rs);
	return ret;
}

/* Hands the buffer to MHD (no copy: a full university's /__state is 400 MB);
 * sb is left empty. */
static enum MHD_Result respond_sb(struct MHD_Connection *con, int status, const char *ctype, strbuf *sb)
{
	size_t len = sb->len;
	char *body = sb_detach(sb);
	struct MHD_Response *rs = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (ctype)
		MHD_add_response_header(rs, "Content-Type", ctype);
	enum MHD_Result ret = MHD_queue_response(con, (unsigned)status, rs);
	MHD_destroy_response(rs);
	return ret;
}

static enum MHD_Result nginx_page(struct MHD_Connection *con, int status, const char *reason)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n"
		"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", status, reason, status, reason);
	enum MHD_Result r = respond_sb(con, status, "text/html", &sb);
	sb_free(&sb);
	return r;
}

/* Closes the connection with a TCP reset (SO_LINGER 0) and no reply. */
static enum MHD_Result reset_connection(struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci) {
		struct linger lg = { 1, 0 };
		setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	}
	return MHD_NO;
}

typedef struct trunc_body {
	char *data;
	size_t len, limit;
} trunc_body;

static ssize_t trunc_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	trunc_body *t = cls;
	if (pos >= t->limit)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	size_t n = t->limit - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, t->data + pos, n);
	return (ssize_t)n;
}

static void trunc_free(void *cls)
{
	trunc_body *t = cls;
	free(t->data);
	free(t);
}

/* A reply whose Content-Length announces the whole body, cut in half. */
static enum MHD_Result respond_truncated(struct MHD_Connection *con, ws_reply *rep)
{
	trunc_body *t = xcalloc(1, sizeof *t);
	t->len = rep->body.len;
	t->data = sb_detach(&rep->body);
	if (!t->data)
		t->data = xstrdup("");
	t->limit = t->len / 2;
	struct MHD_Response *rs = MHD_create_response_from_callback(t->len, 4096, trunc_reader, t, trunc_free);
	MHD_add_response_header(rs, "Content-Type", rep->content_type);
	enum MHD_Result ret = MHD_queue_response(con, 200, rs);
	MHD_destroy_response(rs);
	return ret;
}

typedef struct stalled {
	server *s;
	ws_call *call;
} stalled;

static void *stalled_apply(void *arg)
{
	stalled *sc = arg;
	server *s = sc->s;
	sleep_ms(s->faults.stall_ms + s->faults.commit_delay_ms);
	ws_reply rep = { 0 };
	pthread_mutex_lock(&s->st->lock);
	ws_call_run(s->st, sc->call, s->wwwroot, WS_NORMAL, &rep);
	pthread_mutex_unlock(&s->st->lock);
	sb_free(&rep.body);
	ws_call_free(sc->call);
	free(sc);
	pthread_mutex_lock(&s->pending_lock);
	s->pending--;
	pthread_cond_broadcast(&s->pending_cond);
	pthread_mutex_unlock(&s->pending_lock);
	return NULL;
}

static bool form_content_type(struct MHD_Connection *con)
{
	const char *ct = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Type");
	return ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

static enum MHD_Result handle_ws(server *s, struct MHD_Connection *con, req *r, const char *query)
{
	sleep_ms(s->latency_ms);
	int maxvars = __atomic_load_n(&s->st->set.max_input_vars, __ATOMIC_RELAXED);
	ws_call *call = ws_call_parse(query, query ? strlen(query) : 0, sb_str(&r->body), r->body.len,
				      form_content_type(con), maxvars);
	const char *fname = ws_call_function(call);
	bool write = ws_function_is_write(fname);

	pthread_mutex_lock(&s->st->lock);
	fault_kind fk = faults_pick(&s->faults, fname, write);
	stats_record(&s->stats, fname, ws_call_fields(call), ws_call_fields_dropped(call), fk != FAULT_NONE);
	if (s->verbose)
		fprintf(stderr, "fakemoodle: %s (%ld fields)%s%s\n", *fname ? fname : "(no function)",
			ws_call_fields(call), fk ? " fault " : "", fk ? fault_name(fk) : "");
	switch (fk) {
	case FAULT_HTTP500:
	case FAULT_HTTP502:
	case FAULT_HTTP503:
	case FAULT_HTTP504:
		pthread_mutex_unlock(&s->st->lock);
		ws_call_free(call);
		return fk == FAULT_HTTP500 ? nginx_page(con, 500, "Internal Server Error")
		       : fk == FAULT_HTTP502 ? nginx_page(con, 502, "Bad Gateway")
		       : fk == FAULT_HTTP503 ? nginx_page(con, 503, "Service Temporarily Unavailable")
					     : nginx_page(con, 504, "Gateway Time-out");
	case FAULT_RESET_BEFORE:
		pthread_mutex_unlock(&s->st->lock);
		ws_call_free(call);
		return reset_connection(con);
	case FAULT_STALL: {
		pthread_mutex_unlock(&s->st->lock);
		stalled *sc = xcalloc(1, sizeof *sc);
		sc->s = s;
		sc->call = call;
		pthread_mutex_lock(&s->pending_lock);
		s->pending++;
		pthread_mutex_unlock(&s->pending_lock);
		pthread_t t;
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, stalled_apply, sc) != 0)
			stalled_apply(sc);
		pthread_attr_destroy(&at);
		sleep_ms(s->faults.stall_ms);
		return nginx_page(con, 504, "Gateway Time-out");
	}
	default:
		break;
	}
	ws_reply rep = { 0 };
	ws_call_run(s->st, call, s->wwwroot, fk == FAULT_DEADLOCK ? WS_DEADLOCK : WS_NORMAL, &rep);
	pthread_mutex_unlock(&s->st->lock);
	ws_call_free(call);
	enum MHD_Result ret;
	if (fk == FAULT_RESET_AFTER)
		ret = reset_connection(con);
	else if (fk == FAULT_TRUNCATE)
		ret = respond_truncated(con, &rep);
	else if (fk == FAULT_NONJSON) {
		strbuf b = STRBUF_INIT;
		sb_adds(&b, "<br />\n<b>Warning</b>:  Undefined array key \"fakemoodle\" in <b>/var/www/moodle/lib/"
			    "weblib.php</b> on line <b>2412</b><br />\n");
		sb_add(&b, sb_str(&rep.body), rep.body.len);
		ret = respond_sb(con, rep.status, rep.content_type, &b);
		sb_free(&b);
	} else
		ret = respond_sb(con, rep.status, rep.content_type, &rep.body);
	sb_free(&rep.body);
	return ret;
}

static enum MHD_Result handle_hook(server *s, struct MHD_Connection *con, req *r)
{
	json_tokener *tok = json_tokener_new();
	json_object *doc = json_tokener_parse_ex(tok, sb_str(&r->body), (int)r->body.len);
	bool bad = json_tokener_get_error(tok) != json_tokener_success;
	json_tokener_free(tok);
	if (bad || !doc) {
		json_object_put(doc);
		return respond(con, 400, "application/json", "{\"error\": \"not JSON\"}\n", 21);
	}
	errinfo e = { 0, "" };
	pthread_mutex_lock(&s->st->lock);
	int rc = hook_apply(s->st, doc, &e);
	pthread_mutex_unlock(&s->st->lock);
	json_object_put(doc);
	strbuf out = STRBUF_INIT;
	if (rc) {
		sb_adds(&out, "{\"error\": ");
		json_add_str(&out, e.msg);
		sb_adds(&out, "}\n");
	} else
		sb_adds(&out, "{\"ok\": true}\n");
	enum MHD_Result ret = respond_sb(con, rc ? 400 : 200, "application/json", &out);
	sb_free(&out);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *con, const char *url, const char *method,
			       const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	(void)url;
	(void)version;
	server *s = cls;
	req *r = *con_cls;
	if (!r) {
		r = uri_logger(NULL, url, con);
		*con_cls = r;
	}
	if (!r->started) {
		r->started = true;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (r->body.len + *upload_data_size > s->max_body)
			r->too_big = true;
		else
			sb_add(&r->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->too_big)
		return nginx_page(con, 413, "Request Entity Too Large");

	char *path = r->uri;
	char *q = strchr(path, '?');
	if (q)
		*q++ = '\0';
	bool get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
	if (!strcmp(path, WS_PATH))
		return handle_ws(s, con, r, q);
	if (!strcmp(path, "/__state") && get) {
		strbuf out = STRBUF_INIT;
		pthread_mutex_lock(&s->st->lock);
		state_dump(s->st, &out);
		pthread_mutex_unlock(&s->st->lock);
		enum MHD_Result ret = respond_sb(con, 200, "application/json", &out);
		sb_free(&out);
		return ret;
	}
	if (!strcmp(path, "/__stats") && get) {
		strbuf out = STRBUF_INIT;
		pthread_mutex_lock(&s->st->lock);
		stats_json(&s->stats, &s->faults, &out);
		pthread_mutex_unlock(&s->st->lock);
		enum MHD_Result ret = respond_sb(con, 200, "application/json", &out);
		sb_free(&out);
		return ret;
	}
	if (!strcmp(path, "/__stats/reset") && post) {
		pthread_mutex_lock(&s->st->lock);
		stats_reset(&s->stats, &s->faults);
		pthread_mutex_unlock(&s->st->lock);
		return respond(con, 200, "application/json", "{\"ok\": true}\n", 13);
	}
	if (!strcmp(path, "/__hook") && post)
		return handle_hook(s, con, r);
	return nginx_page(con, 404, "Not Found");
}

int server_start(server *s, const char *listen, errinfo *e)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof host)
		return err_set(e, -EXIT_USAGE, "--listen must be HOST:PORT, not \"%s\"", listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return err_set(e, -EXIT_USAGE, "--listen: bad port \"%s\"", colon + 1);
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || (ntohl(sa.sin_addr.s_addr) >> 24) != 127)
		return err_set(e, -EXIT_USAGE, "--listen: only loopback (127.x.x.x) addresses, not \"%s\"", host);
	pthread_mutex_init(&s->pending_lock, NULL);
	pthread_cond_init(&s->pending_cond, NULL);
	if (!s->max_body)
		s->max_body = 64u << 20;
	/* MHD's own log only with --verbose: resets and truncations are on purpose */
	s->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
					     (s->verbose ? MHD_USE_ERROR_LOG : 0),
				     0, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				     MHD_OPTION_URI_LOG_CALLBACK, uri_logger, NULL, MHD_OPTION_NOTIFY_COMPLETED,
				     request_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)0,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_END);
	if (!s->daemon)
		return err_set(e, -EXIT_UNAVAILABLE, "cannot listen on %s", listen);
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : (int)port;
	snprintf(s->wwwroot, sizeof s->wwwroot, "http://%s:%d", host, s->port);
	return 0;
}

void server_stop(server *s)
{
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	s->daemon = NULL;
	pthread_mutex_lock(&s->pending_lock);
	while (s->pending > 0)
		pthread_cond_wait(&s->pending_cond, &s->pending_lock);
	pthread_mutex_unlock(&s->pending_lock);
}

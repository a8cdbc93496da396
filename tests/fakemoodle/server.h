/* server.h -- the HTTP side of the emulator (libmicrohttpd, one thread per
 * connection, loopback only): /webservice/rest/server.php with latency and
 * fault injection, and the test endpoints /__state, /__stats,
 * /__stats/reset and /__hook. Every request that touches the state holds
 * st->lock while it runs, so calls are serial as on one PHP worker. */
#ifndef FAKEMOODLE_SERVER_H
#define FAKEMOODLE_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include "faults.h"
#include "state.h"
#include "stats.h"
#include "util.h"

typedef struct server {
	state *st;
	struct MHD_Daemon *daemon;
	char wwwroot[64];
	int port;
	int latency_ms;
	faults faults;
	stats stats;
	int verbose;
	size_t max_body;             /* nginx client_max_body_size */
	pthread_mutex_t pending_lock;
	pthread_cond_t pending_cond;
	int pending;                 /* stalled calls still to be applied */
} server;

/* Starts listening on listen ("127.0.0.1:PORT", port 0 = any free port;
 * only loopback addresses are accepted). s->st, faults, latency must be
 * set. Returns 0, or -EXIT_USAGE / -EXIT_UNAVAILABLE with e set. */
int server_start(server *s, const char *listen, errinfo *e);
/* Stops the daemon and waits until stalled calls have been applied. */
void server_stop(server *s);

#endif

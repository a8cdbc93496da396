/* main.c -- fakemoodle, the Moodle 4.5 Web Services emulator: command
 * line, start-up, and a clean exit on SIGTERM/SIGINT that writes --dump. */
#include "config.h"
#include "faults.h"
#include "server.h"
#include "state.h"
#include "state_json.h"

#include <errno.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
	"usage: fakemoodle --listen 127.0.0.1:PORT --token TOKEN [--state FILE.json] [--dump FILE.json]\n"
	"                  [--max-input-vars N] [--latency MS] [--faults SPEC --seed N] [--debug LEVEL]\n"
	"                  [--verbose]\n"
	"Prints its base URL on the first line of standard output; exits on SIGTERM or SIGINT,\n"
	"writing the state to --dump. See tests/fakemoodle/README.md.\n";

typedef struct opts {
	const char *listen, *token, *state, *dump, *faults;
	long max_input_vars, latency, debug;
	unsigned long long seed;
	bool have_mv, have_debug, verbose;
} opts;

static int parse_long(const char *opt, const char *v, long *out, errinfo *e)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (!*v || *end || errno || x < 0)
		return err_set(e, -EXIT_USAGE, "%s: not a non-negative number: \"%s\"", opt, v);
	*out = x;
	return 0;
}

static int parse_args(int argc, char **argv, opts *o, errinfo *e)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--verbose")) {
			o->verbose = true;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(USAGE, stdout);
			exit(0);
		}
		if (i + 1 >= argc)
			return err_set(e, -EXIT_USAGE, "%s: needs a value (or unknown option)", a);
		const char *v = argv[++i];
		long n;
		if (!strcmp(a, "--listen"))
			o->listen = v;
		else if (!strcmp(a, "--token"))
			o->token = v;
		else if (!strcmp(a, "--state"))
			o->state = v;
		else if (!strcmp(a, "--dump"))
			o->dump = v;
		else if (!strcmp(a, "--faults"))
			o->faults = v;
		else if (!strcmp(a, "--seed")) {
			if (parse_long(a, v, &n, e))
				return e->code;
			o->seed = (unsigned long long)n;
		} else if (!strcmp(a, "--max-input-vars")) {
			if (parse_long(a, v, &o->max_input_vars, e))
				return e->code;
			o->have_mv = true;
		} else if (!strcmp(a, "--latency")) {
			if (parse_long(a, v, &o->latency, e))
				return e->code;
		} else if (!strcmp(a, "--debug")) {
			if (parse_long(a, v, &o->debug, e))
				return e->code;
			o->have_debug = true;
		} else
			return err_set(e, -EXIT_USAGE, "unknown option %s", a);
	}
	if (!o->listen || !o->token || !*o->token)
		return err_set(e, -EXIT_USAGE, "--listen and --token are required");
	return 0;
}

static int write_dump(state *st, const char *path, errinfo *e)
{
	strbuf out = STRBUF_INIT;
	state_dump(st, &out);
	FILE *f = fopen(path, "w");
	if (!f) {
		sb_free(&out);
		return err_set(e, -EXIT_IOERR, "%s: %s", path, strerror(errno));
	}
	size_t w = fwrite(sb_str(&out), 1, out.len, f);
	int closed = fclose(f);
	int rc = (w != out.len || closed != 0) ? err_set(e, -EXIT_IOERR, "%s: write failed", path) : 0;
	sb_free(&out);
	return rc;
}

int main(int argc, char **argv)
{
	opts o = { 0 };
	errinfo e = { 0, "" };
	setlocale(LC_CTYPE, "C.UTF-8");
	if (parse_args(argc, argv, &o, &e)) {
		fprintf(stderr, "fakemoodle: %s\n%s", e.msg, USAGE);
		return EXIT_USAGE;
	}
	/* every thread inherits the blocked signals; main waits for them */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	state *st = st_new_fresh(o.token);
	if (o.state && state_load_file(st, o.state, &e)) {
		fprintf(stderr, "fakemoodle: %s\n", e.msg);
		st_free(st);
		return err_exit_status(e.code);
	}
	/* the parsed file is gone: give its memory back */
	malloc_trim(0);
	if (o.have_debug)
		st->set.debug = (int)o.debug;
	if (o.have_mv)
		st->set.max_input_vars = (int)o.max_input_vars;

	server s;
	memset(&s, 0, sizeof s);
	s.st = st;
	s.latency_ms = (int)o.latency;
	s.verbose = o.verbose;
	if (faults_parse(&s.faults, o.faults, o.seed, &e)) {
		fprintf(stderr, "fakemoodle: %s\n", e.msg);
		st_free(st);
		return EXIT_USAGE;
	}
	if (server_start(&s, o.listen, &e)) {
		fprintf(stderr, "fakemoodle: %s\n", e.msg);
		faults_free(&s.faults);
		st_free(st);
		return err_exit_status(e.code);
	}
	printf("%s\n", s.wwwroot);
	fflush(stdout);

	int sig = 0;
	sigwait(&sigs, &sig);
	server_stop(&s);
	int rc = 0;
	if (o.dump && write_dump(st, o.dump, &e)) {
		fprintf(stderr, "fakemoodle: %s\n", e.msg);
		rc = err_exit_status(e.code);
	}
	stats_free(&s.stats);
	faults_free(&s.faults);
	st_free(st);
	return rc;
}

/* run.h -- the plumbing `plan` and `apply` share: the configuration and
 * settings, the file read in full, the state store, the connection to the
 * site, the reads, and the plan. One sequence, so that apply executes
 * exactly the plan that `plan` shows. */
#ifndef IMS2MOODLE_RUN_H
#define IMS2MOODLE_RUN_H

#include <stdbool.h>
#include "conf.h"
#include "ims_model.h"
#include "moodle_client.h"
#include "plan.h"
#include "settings.h"
#include "site.h"
#include "state.h"

typedef struct run_args {
	const char *config_path;
	const char *url;
	const char *state_dir;
	const char *repair;         /* --repair LIST, or NULL */
	const char *mode;           /* --mode, or NULL */
	const char *site_read;      /* --site-read, or NULL */
	bool force;                 /* --force */
	bool write;                 /* apply: create the store and take its lock */
	const char *file;
} run_args;

typedef struct run {
	config *conf;
	settings cfg;
	char *token;
	moodle_options mopt;
	moodle_client *client;
	ims_model *model;
	site_snapshot *site;
	state_db *db;               /* NULL when plan found no store */
	state_view *store;
	enum site_read read;
	plan *plan;
	char *state_dir;
	int64_t now;
	char file_sha256[65];       /* apply: the file's SHA-256 in hex ("" for standard input) */
} run;

/* Runs everything up to the plan. Returns 0 and fills r, or a negative
 * code with e set: -EXIT_CONFIG, -EXIT_DATAERR (the file was refused),
 * -EXIT_NOINPUT, -EXIT_UNAVAILABLE (the site), -EXIT_TEMPFAIL (the lock, or
 * the file changed while it was read), -EXIT_IOERR. run_free must be called either way. */
int run_prepare(run *r, const run_args *a, errinfo *e);
void run_free(run *r);

/* Parses the options every site command shares; returns 1 when opt was
 * one of them (optarg consumed), 0 when not, <0 on a usage error. */
int run_common_option(run_args *a, int opt, const char *arg);

/* The default state directory: $IMS2MOODLE_STATE_DIR, else
 * LOCALSTATEDIR/lib/ims2moodle. */
const char *run_default_state_dir(void);

#endif

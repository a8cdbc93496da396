/* run.c -- the sequence plan and apply share (see run.h). */
#include "config.h"
#include "run.h"
#include "ims_parse.h"
#include "log.h"
#include "match.h"
#include "moodle_read.h"
#include "sha256.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

const char *run_default_state_dir(void)
{
	const char *env = getenv("IMS2MOODLE_STATE_DIR");
	return env && *env ? env : LOCALSTATEDIR "/lib/ims2moodle";
}

static int load_configuration(run *r, const run_args *a, errinfo *e)
{
	const char *path = config_default_path(a->config_path);
	int rc;
	r->conf = config_new();
	if (path && (rc = config_load(r->conf, path, e)) < 0)
		return rc == -EXIT_NOINPUT ? -EXIT_CONFIG : rc;
	if (a->repair && (rc = config_set(r->conf, "files", "repair", a->repair, "--repair", e)) < 0)
		return rc;
	if (a->mode && (rc = config_set(r->conf, "plan", "mode", a->mode, "--mode", e)) < 0)
		return rc;
	if (a->site_read && (rc = config_set(r->conf, "plan", "site_read", a->site_read, "--site-read", e)) < 0)
		return rc;
	if ((rc = settings_load(&r->cfg, r->conf, e)) < 0)
		return rc;
	if (a->force)
		r->cfg.refuse_older_file = false;
	return 0;
}

/* Whether the file still has the size and modification time it had in
 * before: an export still being written (reference §8 #25) is refused. */
static int unchanged_since(const char *path, const struct stat *before, errinfo *e)
{
	struct stat now;
	if (stat(path, &now) < 0)
		return err_set(e, -EXIT_TEMPFAIL, "%s disappeared while it was read: nothing was planned "
			       "or applied", path);
	if (now.st_size != before->st_size || now.st_mtim.tv_sec != before->st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != before->st_mtim.tv_nsec)
		return err_set(e, -EXIT_TEMPFAIL,
			       "%s changed while it was read (%lld bytes before, %lld after): it is "
			       "probably still being written. Nothing was planned or applied; run again "
			       "once the export is complete", path, (long long)before->st_size,
			       (long long)now.st_size);
	return 0;
}

/* Reads and checks the whole file into the model. For apply, its SHA-256
 * is taken too (a second read), for the run's record in the store. */
static int read_file_in_full(run *r, const run_args *a, errinfo *e)
{
	ims_parse_options opt;
	ims_parse_options_init(&opt);
	opt.repair = r->cfg.repair;
	opt.apply_dtd_defaults = r->cfg.apply_dtd_defaults;
	opt.accept_fragment = r->cfg.accept_fragment;
	opt.threads = r->cfg.parse_threads;
	r->model = ims_model_new();
	struct stat before;
	bool regular = strcmp(a->file, "-") != 0 && stat(a->file, &before) == 0 && S_ISREG(before.st_mode);
	int rc = ims_parse_file(r->model, a->file, &opt, NULL, e);
	if (rc < 0 || !regular)
		return rc;
	if (a->write && sha256_file_hex(a->file, r->file_sha256) < 0)
		return err_set(e, -EXIT_IOERR, "cannot read %s again for its SHA-256: %s", a->file,
			       strerror(errno));
	return unchanged_since(a->file, &before, e);
}

static int open_store(run *r, const run_args *a, errinfo *e)
{
	struct stat st;
	r->state_dir = xstrdup(a->state_dir ? a->state_dir : run_default_state_dir());
	char *db = xasprintf("%s/state.sqlite", r->state_dir);
	bool exists = stat(db, &st) == 0;
	free(db);
	if (!exists && !a->write) {
		/* plan never creates a store: no store is the first run */
		r->store = state_view_new();
		return 0;
	}
	int rc = state_open(r->state_dir, r->mopt.url, &r->db, e);
	if (rc == 0 && a->write)
		rc = state_lock(r->db, e);
	if (rc == 0)
		rc = state_load(r->db, &r->store, e);
	return rc;
}

static void roles_from_settings(run *r)
{
	for (size_t i = 0; r->cfg.role_id_names && r->cfg.role_id_names[i]; i++)
		site_set_role(r->site, r->cfg.role_id_names[i], r->cfg.role_ids[i]);
}

int run_prepare(run *r, const run_args *a, errinfo *e)
{
	int rc;
	memset(r, 0, sizeof *r);
	r->now = (int64_t)time(NULL);
	/* plan as of another moment (tests against an emulator with a fixed
	 * clock; a preview of a date to come) */
	const char *fixed = getenv("IMS2MOODLE_NOW");
	if (fixed && *fixed) {
		char *end;
		errno = 0;
		long long t = strtoll(fixed, &end, 10);
		if (errno || *end || t <= 0)
			return err_set(e, -EXIT_CONFIG, "IMS2MOODLE_NOW '%s' is not a Unix time (seconds)", fixed);
		r->now = (int64_t)t;
	}
	if ((rc = load_configuration(r, a, e)) < 0)
		return rc;
	if ((rc = moodle_options_load(&r->mopt, r->conf, a->url, &r->token, e)) < 0)
		return rc;
	/* the whole file is read and checked before the site is touched */
	if ((rc = read_file_in_full(r, a, e)) < 0)
		return rc;
	if ((rc = open_store(r, a, e)) < 0)
		return rc;
	if ((rc = moodle_client_new(&r->mopt, &r->client, e)) < 0)
		return rc;
	r->site = site_new();
	if ((rc = moodle_read_site_info(r->client, r->site, NULL, e)) < 0)
		return err_prefix(e, "cannot use the site: ");
	roles_from_settings(r);
	r->read = match_choose_read(&r->cfg, r->store, r->now);
	if ((rc = match_read_site(r->client, r->model, r->store, &r->cfg, r->read, r->site, e)) < 0)
		return err_prefix(e, "cannot read the site: ");
	if ((rc = plan_build(r->model, r->site, r->store, &r->cfg, r->now, &r->plan, e)) < 0)
		return rc;
	r->plan->site_read = r->read;
	r->plan->site_requests = r->site->requests;
	return 0;
}

void run_free(run *r)
{
	plan_free(r->plan);
	site_free(r->site);
	moodle_client_free(r->client);
	state_view_free(r->store);
	state_close(r->db);
	ims_model_free(r->model);
	settings_free(&r->cfg);
	config_free(r->conf);
	free(r->token);
	free(r->state_dir);
	memset(r, 0, sizeof *r);
}

int run_common_option(run_args *a, int opt, const char *arg)
{
	switch (opt) {
	case 'c': a->config_path = arg; return 1;
	case 'u': a->url = arg; return 1;
	case 'S': a->state_dir = arg; return 1;
	case 'r': a->repair = arg; return 1;
	case 'm': a->mode = arg; return 1;
	case 'R': a->site_read = arg; return 1;
	case 'F': a->force = true; return 1;
	case 'v': log_set_level(log_get_level() + 1); return 1;
	case 'q': log_set_level(LOG_ERROR); return 1;
	}
	return 0;
}

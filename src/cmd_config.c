/* cmd_config.c -- `ims2moodle config [--check] [--config F]`: prints an
 * annotated configuration with every key and its default, or, with
 * --check, reads the configuration and prints every key's value and where
 * it came from (the file's line, the environment, or the default). */
#include "config.h"
#include "commands.h"
#include "conf.h"
#include "settings.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool check = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': check = true; break;
		case 'c': path = optarg; break;
		case 'h':
			printf("usage: ims2moodle config [--check] [--config F]\n"
			       "Without --check: prints an example configuration with every key, its default and\n"
			       "what it does. With --check: reads the configuration (--config F,\n"
			       "$IMS2MOODLE_CONFIG or " SYSCONFDIR "/ims2moodle.conf) and prints each value and\n"
			       "where it came from; exits 78 if the configuration is wrong.\n");
			return 0;
		default: return EXIT_USAGE;
		}
	}
	if (!check) {
		config_write_example(stdout);
		return 0;
	}
	errinfo e;
	config *cfg = config_new();
	const char *file = config_default_path(path);
	int rc = file ? config_load(cfg, file, &e) : 0;
	settings s = { 0 };
	if (rc == 0)
		rc = settings_load(&s, cfg, &e);
	if (rc < 0) {
		fprintf(stderr, "ims2moodle: %s\n", e.msg);
		settings_free(&s);
		config_free(cfg);
		return err_exit_status(rc == -EXIT_NOINPUT ? -EXIT_CONFIG : rc);
	}
	printf("# %s\n", file ? file : "no configuration file: every key has its default");
	const char *section = NULL;
	for (size_t i = 0; config_keys[i].section; i++) {
		const config_key *k = &config_keys[i];
		if (!section || strcmp(section, k->section) != 0)
			printf("[%s]\n", section = k->section);
		const char *v = config_str(cfg, k->section, k->name);
		printf("%s = %s    # %s\n", k->name, v ? v : "", config_origin(cfg, k->section, k->name));
	}
	settings_free(&s);
	config_free(cfg);
	return 0;
}

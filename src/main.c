/* main.c -- the command line: picks the subcommand and runs it. */
#include "config.h"
#include "commands.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "check", cmd_check, "validate IMS Enterprise files and print a summary" },
	{ "ping", cmd_ping, "check the connection, the token's functions and rights" },
	{ "plan", cmd_plan, "show what applying a file would change (a dry run)" },
	{ "apply", cmd_apply, "make the changes a file asks for on the Moodle site" },
	{ "history", cmd_history, "list the runs the state store remembers" },
	{ "show", cmd_show, "list what one run changed" },
	{ "config", cmd_config, "print an example configuration, or check one" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ims2moodle COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'ims2moodle COMMAND --help' describes a command; "
		     "man ims2moodle describes them all.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("ims2moodle %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "ims2moodle: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

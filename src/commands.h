/* commands.h -- one function per subcommand (git's builtin/ model). Each
 * takes the arguments after the subcommand name (argv[0] is the subcommand)
 * and returns the process exit status. */
#ifndef IMS2MOODLE_COMMANDS_H
#define IMS2MOODLE_COMMANDS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "plan.h"
#include "report.h"

int cmd_check(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_ping(int argc, char **argv);

/* Shared by plan and apply (cmd_plan.c). */
extern const struct option run_long_options[];
/* Whether text written to f may be coloured: a terminal that is not
 * "dumb", and NO_COLOR not set to a non-empty value (check uses it too). */
bool report_to_terminal(FILE *f);
/* Writes p in format f to output ("-" or NULL: standard output); brief: see
 * report_options. */
int write_report(const plan *p, enum report_format f, const char *output, bool brief, errinfo *e);

#endif

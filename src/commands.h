/* commands.h -- one function per subcommand (git's builtin/ model). Each
 * takes the arguments after the subcommand name (argv[0] is the subcommand)
 * and returns the process exit status. */
#ifndef IMS2MOODLE_COMMANDS_H
#define IMS2MOODLE_COMMANDS_H

int cmd_check(int argc, char **argv);

#endif

/* placeholder until the parser lands */
#include "config.h"
#include "commands.h"
int cmd_check(int argc, char **argv) { (void)argc; (void)argv; return 70; }

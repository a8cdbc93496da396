/* conf.h -- the configuration file (named conf, not config: config.h is
 * autoconf's): INI-like `[section]` and `key = value` lines, `#` or `;`
 * comments, optional "double quotes". Every key is declared once in a table
 * (conf_keys.c) with its type, default and documentation, so that a
 * misspelt key is an error naming file:line, and `ims2moodle config` can
 * print an annotated example. */
#ifndef IMS2MOODLE_CONF_H
#define IMS2MOODLE_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "util.h"

enum config_type {
	CT_STRING, CT_INT, CT_BOOL, CT_DURATION, CT_LIST, CT_ENUM, CT_PERCENT,
};

typedef struct config_key {
	const char *section;
	const char *name;
	enum config_type type;
	const char *def;         /* default, as it would be written in the file; NULL = unset */
	const char *choices;     /* CT_ENUM: "a|b|c"; CT_INT: "min..max" or NULL */
	const char *doc;         /* one paragraph, for the example file and the man page */
} config_key;

/* The table of every key (conf_keys.c), ended by a {NULL} entry. */
extern const config_key config_keys[];

typedef struct config config;

/* An empty configuration (all defaults). */
config *config_new(void);
/* Reads a file into cfg. Returns 0, -EXIT_NOINPUT/-EXIT_IOERR when it
 * cannot be read, -EXIT_CONFIG with "file:line: ..." for a syntax error, an
 * unknown section or key, or a value of the wrong type. */
int config_load(config *cfg, const char *path, errinfo *e);
/* Sets one value as if read from a file (command-line overrides); origin
 * names it in messages. Same errors as config_load. */
int config_set(config *cfg, const char *section, const char *name, const char *value,
	       const char *origin, errinfo *e);
void config_free(config *cfg);

/* The value of a key (the default when unset; NULL when neither). The key
 * must be in the table. Strings live as long as cfg. */
const char *config_str(const config *cfg, const char *section, const char *name);
int64_t config_int(const config *cfg, const char *section, const char *name);
bool config_bool(const config *cfg, const char *section, const char *name);
/* Seconds. */
double config_duration(const config *cfg, const char *section, const char *name);
/* A percentage (0..100), or -1 when the value is "none". */
double config_percent(const config *cfg, const char *section, const char *name);
/* A NULL-terminated list of trimmed items (empty list for ""), owned by cfg. */
const char **config_list(config *cfg, const char *section, const char *name);
/* Where a key's value came from ("file:line", "default", ...). */
const char *config_origin(const config *cfg, const char *section, const char *name);
/* Whether the key was set (not the default). */
bool config_is_set(const config *cfg, const char *section, const char *name);

/* Writes an annotated example configuration with every key and its default. */
void config_write_example(FILE *out);

/* The file to read: path if given, else $IMS2MOODLE_CONFIG, else
 * SYSCONFDIR/ims2moodle.conf if it exists, else NULL (defaults only). */
const char *config_default_path(const char *path);

#endif

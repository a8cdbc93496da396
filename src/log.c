/* log.c -- leveled diagnostics on stderr with secret masking (see log.h). */
#include "config.h"
#include "log.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int current_level = LOG_WARN;
static char **secrets;   /* every secret registered, never printed */
static size_t nsecrets;

void log_set_level(int level)
{
	current_level = level < LOG_ERROR ? LOG_ERROR : level;
}

int log_get_level(void)
{
	return current_level;
}

void log_add_secret(const char *secret)
{
	if (!secret || strlen(secret) < 4)
		return;
	for (size_t i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], secret) == 0)
			return;
	secrets = xrealloc(secrets, (nsecrets + 1) * sizeof *secrets);
	secrets[nsecrets++] = xstrdup(secret);
}

void log_redact(char *s)
{
	for (size_t i = 0; i < nsecrets; i++) {
		size_t n = strlen(secrets[i]);
		char *p;
		while ((p = strstr(s, secrets[i])) != NULL) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + n, strlen(p + n) + 1);
		}
	}
}

static const char *const level_names[] = { "error", "warning", "info", "debug", "trace" };

void log_msg(int level, const char *fmt, ...)
{
	if (level > current_level)
		return;
	strbuf sb = STRBUF_INIT;
	va_list ap;

	sb_addf(&sb, "ims2moodle: %s: ", level_names[level > LOG_TRACE ? LOG_TRACE : level]);
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	log_redact(sb.buf);
	fprintf(stderr, "%s\n", sb.buf);
	sb_free(&sb);
}

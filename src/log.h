/* log.h -- diagnostics on standard error, filtered by verbosity. Secrets
 * (the token) are registered once and masked in every line written. */
#ifndef IMS2MOODLE_LOG_H
#define IMS2MOODLE_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3, LOG_TRACE = 4 };

/* Default LOG_WARN; -v raises by one each time, -q lowers to LOG_ERROR. */
void log_set_level(int level);
int log_get_level(void);
/* Registers a secret that must never be printed: it is replaced by "***"
 * in every log line. The string is copied. */
void log_add_secret(const char *secret);
/* Replaces every registered secret in s (in place, same length or shorter). */
void log_redact(char *s);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_trace(...) log_msg(LOG_TRACE, __VA_ARGS__)

#endif

/* util.h -- small helpers every module uses: the error record, checked
 * allocation, a growable byte buffer and the exit statuses (sysexits(3)). */
#ifndef IMS2MOODLE_UTIL_H
#define IMS2MOODLE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>

/* Exit statuses, after sysexits(3). Functions return the negated value. */
enum {
	EXIT_CHANGES = 2,      /* plan: there are changes */
	EXIT_REFUSED = 3,      /* plan, apply: the plan is refused (a threshold, the file) */
	EXIT_USAGE = 64,       /* command line usage error */
	EXIT_DATAERR = 65,     /* the input file was refused */
	EXIT_NOINPUT = 66,     /* an input file does not exist */
	EXIT_UNAVAILABLE = 69, /* the Moodle site cannot be reached or refuses us */
	EXIT_SOFTWARE = 70,    /* internal error */
	EXIT_IOERR = 74,       /* local I/O error */
	EXIT_TEMPFAIL = 75,    /* try again later (lock held, outcome unknown) */
	EXIT_CONFIG = 78,      /* configuration error */
};

/* The error a failing function leaves for its caller: a negative code (the
 * negated exit status that fits best) and one human-readable line. The
 * caller owns it, usually on its stack. */
typedef struct errinfo {
	int code;
	char msg[1024];
} errinfo;

/* Sets e (if not NULL) and returns code, so `return err_set(e, ...)` works.
 * code should be negative. */
int err_set(errinfo *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes e->msg with the formatted text (for adding context on the way up);
 * returns e->code. */
int err_prefix(errinfo *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Maps an error code (negative) to the process exit status. */
int err_exit_status(int code);

/* Allocation that aborts the process on exhaustion: out of memory is not a
 * condition this tool can recover from, and every caller would only abort.
 * out_of_memory says that n bytes could not be had, and aborts. */
__attribute__((noreturn)) void out_of_memory(size_t n);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
/* Zeroed like xcalloc, but every page written now: for a hash table whose
 * slots are read before they are written. calloc's fresh pages are the
 * kernel's shared zero page until written, so each would fault twice, and
 * in a process with a second thread the second fault makes every CPU flush
 * its TLB (ims_parse.c's pipeline builds the model in one). */
void *xcalloc_written(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL-terminated once anything was added. */
typedef struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }
void sb_grow(strbuf *sb, size_t extra);
void sb_add(strbuf *sb, const void *data, size_t n);
void sb_adds(strbuf *sb, const char *s);
void sb_addc(strbuf *sb, char c);
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(strbuf *sb, const char *fmt, va_list ap);
void sb_reset(strbuf *sb);            /* length 0, keeps the memory */
void sb_free(strbuf *sb);
char *sb_detach(strbuf *sb);          /* caller frees; sb is reset */
static inline const char *sb_str(const strbuf *sb) { return sb->buf ? sb->buf : ""; }

/* String helpers. */
bool str_eq(const char *a, const char *b);       /* NULL-safe */
bool str_ieq_ascii(const char *a, const char *b); /* ASCII case-insensitive */
size_t utf8_chars(const char *s); /* characters of UTF-8 text (Moodle's column lengths count them) */
/* Whether text holds markup Moodle refuses in a TEXT or NOTAGS parameter
 * (its cleaning would strip a tag, so the whole call fails). */
bool has_markup(const char *s);
/* s with its control characters (C0 and DEL) written as \n, \t or \xNN, so
 * that a value from a file cannot break or forge a line of a text report:
 * s itself when it has none, else tmp's text (valid until tmp changes). */
const char *str_printable(const char *s, strbuf *tmp);
bool str_is_blank(const char *s);                 /* NULL, empty or ASCII spaces */
/* Trims ASCII whitespace (space, tab, CR, LF) at both ends, in place on a
 * (pointer, length) pair. */
void str_trim_span(const char **s, size_t *n);
/* 64-bit FNV-1a, a byte at a time: stable, for hashes that are kept or
 * shown (the emulator's password and token digests). */
uint64_t hash_bytes(const void *data, size_t n, uint64_t seed);
/* A hash eight bytes at a time, for in-memory tables and record
 * fingerprints that never leave the process (its values may change). */
uint64_t hash_words(const void *data, size_t n, uint64_t seed);
/* Folds the 64-bit value w into the hash h with a 64x64->128 multiply, as
 * wyhash and its kin do (hash_words' step; also for mixing in numbers). */
#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 hash_u128;
#endif
static inline uint64_t hash_mix(uint64_t h, uint64_t w)
{
#ifdef __SIZEOF_INT128__
	hash_u128 r = (hash_u128)(h ^ w) * 0x9E3779B97F4A7C15ULL;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
	uint64_t x = (h ^ w) * 0x9E3779B97F4A7C15ULL;
	return x ^ (x >> 32);
#endif
}
#define HASH_SEED 0xcbf29ce484222325ULL

/* Reads a whole file (or standard input for "-") into a malloc'd buffer.
 * Returns 0, or -EXIT_NOINPUT / -EXIT_IOERR with e set. */
int read_file(const char *path, char **out, size_t *outlen, errinfo *e);

/* qsort that accepts an empty array given as NULL (qsort itself may not
 * be passed NULL, even with no elements). */
void sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Monotonic clock in seconds. */
double now_monotonic(void);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif

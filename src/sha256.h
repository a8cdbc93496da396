/* sha256.h -- SHA-256 (FIPS 180-4), to record in the state store exactly
 * which file a run applied. */
#ifndef IMS2MOODLE_SHA256_H
#define IMS2MOODLE_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
	uint32_t h[8];
	uint64_t bytes;        /* message length so far */
	unsigned char block[64];
	size_t fill;           /* bytes waiting in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* Writes the digest as 64 lower-case hex digits and a NUL into hex. */
void sha256_final_hex(sha256_ctx *c, char hex[65]);

/* The SHA-256 of a whole file as hex. Returns 0, or -1 with errno set. */
int sha256_file_hex(const char *path, char hex[65]);

#endif

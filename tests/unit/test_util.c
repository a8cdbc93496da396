/* test_util.c -- unit tests of the arena, interning, pointer map, strbuf, SHA-256 and the
 * country table. */
#include "config.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "country.h"
#include "ptrmap.h"
#include "sha256.h"
#include "strtab.h"
#include "util.h"
#include "check_main.h"

START_TEST(test_intern_same_pointer)
{
	arena a;
	strtab t;
	arena_init(&a);
	strtab_init(&t, &a);
	const char *x = strtab_intern(&t, "abc123", 6);
	char buf[] = "xxabc123yy";
	const char *y = strtab_intern(&t, buf + 2, 6);
	ck_assert_ptr_eq(x, y);
	ck_assert_str_eq(x, "abc123");
	ck_assert_uint_eq(strtab_len(x), 6);
	ck_assert_ptr_ne(strtab_intern(&t, "ABC123", 6), x);
	ck_assert_ptr_eq(strtab_lookup(&t, "abc123", 6), x);
	ck_assert_ptr_null(strtab_lookup(&t, "nope", 4));
	/* many strings force the table to grow; all stay distinct and stable */
	const char *keep[5000];
	for (int i = 0; i < 5000; i++) {
		char s[32];
		int n = snprintf(s, sizeof s, "id-%d", i);
		keep[i] = strtab_intern(&t, s, (size_t)n);
	}
	for (int i = 0; i < 5000; i++) {
		char s[32];
		int n = snprintf(s, sizeof s, "id-%d", i);
		ck_assert_ptr_eq(strtab_intern(&t, s, (size_t)n), keep[i]);
	}
	ck_assert_uint_eq(t.count, 5002);
	strtab_free(&t);
	arena_free(&a);
}
END_TEST

START_TEST(test_arena_alignment_and_zero)
{
	arena a;
	arena_init(&a);
	for (int i = 1; i < 2000; i++) {
		unsigned char *p = arena_alloc(&a, (size_t)i);
		ck_assert_uint_eq((uintptr_t)p % 8, 0);
		for (int j = 0; j < i; j++)
			ck_assert_uint_eq(p[j], 0);
		memset(p, 0xab, (size_t)i);
	}
	void *big = arena_alloc(&a, 10 * 1024 * 1024);
	ck_assert_ptr_nonnull(big);
	arena_free(&a);
	ck_assert_ptr_null(a.head);
	/* used again after a free: what it hands out is zero again, though the
	 * memory it had was written over */
	static const unsigned char zero[3000];
	for (int i = 1; i < 3000; i++) {
		unsigned char *p = arena_alloc(&a, (size_t)i);
		ck_assert_int_eq(memcmp(p, zero, (size_t)i), 0);
		memset(p, 0xcd, (size_t)i);
	}
	arena_free(&a);
}
END_TEST

START_TEST(test_xcalloc_written)
{
	/* zeroed like calloc, at any size (the tables of strtab and ptrmap) */
	static const unsigned char zero[5 * 4096];
	size_t sizes[] = { 1, 7, 4096, 3 * 4096 + 5, 5 * 4096 };
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		unsigned char *p = xcalloc_written(sizes[k], 1);
		ck_assert_int_eq(memcmp(p, zero, sizes[k]), 0);
		free(p);
	}
	uint64_t *w = xcalloc_written(1000, sizeof *w);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(w[i], 0);
	free(w);
	free(xcalloc_written(0, 8));
}
END_TEST

START_TEST(test_hash_words)
{
	char buf[80], moved[96];
	for (int i = 0; i < (int)sizeof buf; i++)
		buf[i] = (char)('a' + i % 26);
	/* the same bytes at another alignment hash the same */
	for (size_t off = 1; off < 8; off++) {
		memcpy(moved + off, buf, sizeof buf);
		for (size_t n = 0; n <= sizeof buf; n++)
			ck_assert_uint_eq(hash_words(moved + off, n, 7), hash_words(buf, n, 7));
	}
	/* every prefix differs from every other: the zero padding of the last
	 * word does not make "ab" and "ab\0" collide */
	char zeros[16] = { 'a', 'b' };
	ck_assert_uint_ne(hash_words(zeros, 2, HASH_SEED), hash_words(zeros, 3, HASH_SEED));
	ck_assert_uint_ne(hash_words(zeros, 0, HASH_SEED), hash_words(zeros + 2, 8, HASH_SEED));
	for (size_t n = 0; n < sizeof buf; n++)
		ck_assert_uint_ne(hash_words(buf, n, HASH_SEED), hash_words(buf, n + 1, HASH_SEED));
	/* the seed and every single bit count */
	ck_assert_uint_ne(hash_words(buf, 20, 1), hash_words(buf, 20, 2));
	uint64_t h = hash_words(buf, 20, HASH_SEED);
	for (int bit = 0; bit < 20 * 8; bit++) {
		buf[bit / 8] ^= (char)(1 << (bit % 8));
		ck_assert_uint_ne(hash_words(buf, 20, HASH_SEED), h);
		buf[bit / 8] ^= (char)(1 << (bit % 8));
	}
	/* the string table indexes by the low bits: ids that differ in their
	 * last characters only spread over them (random placement of 65,536
	 * ids in as many buckets fills the fullest with about 8) */
	static unsigned char load[65536];
	memset(load, 0, sizeof load);
	unsigned most = 0;
	for (int i = 0; i < 65536; i++) {
		char id[16];
		int n = snprintf(id, sizeof id, "P%07d", i);
		unsigned b = (unsigned)(hash_words(id, (size_t)n, HASH_SEED) & 0xffff);
		if (++load[b] > most)
			most = load[b];
	}
	ck_assert_uint_le(most, 16);
}
END_TEST

START_TEST(test_ptrmap)
{
	ptrmap m;
	int keys[3000];
	ptrmap_init(&m);
	ck_assert_ptr_null(ptrmap_get(&m, &keys[0]));
	for (int i = 0; i < 3000; i++)
		ck_assert_ptr_null(ptrmap_put(&m, &keys[i], &keys[(i + 1) % 3000]));
	ck_assert_uint_eq(m.count, 3000);
	for (int i = 0; i < 3000; i++)
		ck_assert_ptr_eq(ptrmap_get(&m, &keys[i]), &keys[(i + 1) % 3000]);
	ck_assert_ptr_eq(ptrmap_put(&m, &keys[5], NULL), &keys[6]);
	size_t it = 0, seen = 0;
	const void *k;
	void *v;
	while (ptrmap_next(&m, &it, &k, &v))
		seen++;
	ck_assert_uint_eq(seen, 3000);
	ptrmap_free(&m);
}
END_TEST

START_TEST(test_strbuf_and_strings)
{
	strbuf sb = STRBUF_INIT;
	ck_assert_str_eq(sb_str(&sb), "");
	for (int i = 0; i < 1000; i++)
		sb_addf(&sb, "%d,", i);
	ck_assert_uint_eq(sb.len, strlen(sb.buf));
	ck_assert(strncmp(sb.buf, "0,1,2,", 6) == 0);
	sb_reset(&sb);
	sb_adds(&sb, "x");
	sb_addc(&sb, 'y');
	ck_assert_str_eq(sb.buf, "xy");
	char *d = sb_detach(&sb);
	ck_assert_str_eq(d, "xy");
	free(d);

	const char *s = "  \t 91046433 \n ";
	size_t n = strlen(s);
	str_trim_span(&s, &n);
	ck_assert_uint_eq(n, 8);
	ck_assert(strncmp(s, "91046433", 8) == 0);
	ck_assert(str_ieq_ascii("PERSON", "person"));
	ck_assert(!str_ieq_ascii("persona", "person"));
	ck_assert(str_is_blank(" \n"));
	ck_assert(!str_is_blank(" x"));

	errinfo e = { 0 };
	ck_assert_int_eq(err_set(&e, -EXIT_DATAERR, "bad %s", "file"), -EXIT_DATAERR);
	err_prefix(&e, "%s: ", "a.xml");
	ck_assert_str_eq(e.msg, "a.xml: bad file");
	ck_assert_int_eq(err_exit_status(e.code), 65);
}
END_TEST

static void sha_hex(const void *data, size_t n, size_t step, char hex[65])
{
	sha256_ctx c;
	sha256_init(&c);
	for (size_t i = 0; i < n; i += step)
		sha256_update(&c, (const char *)data + i, n - i < step ? n - i : step);
	sha256_final_hex(&c, hex);
}

START_TEST(test_sha256_vectors)
{
	/* FIPS 180-4 examples, each fed whole and in uneven pieces */
	static const struct {
		const char *msg;
		const char *hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
		  "mnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char hex[65];
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		size_t n = strlen(v[i].msg);
		for (size_t step = 1; step <= 70; step += 23) {
			sha_hex(v[i].msg, n, step, hex);
			ck_assert_str_eq(hex, v[i].hex);
		}
		sha_hex(v[i].msg, n, n ? n : 1, hex);
		ck_assert_str_eq(hex, v[i].hex);
	}
	/* a million 'a', through a file */
	char path[] = "/tmp/ims2moodle-sha-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	for (int i = 0; i < 1000000; i++)
		fputc('a', f);
	fclose(f);
	ck_assert_int_eq(sha256_file_hex(path, hex), 0);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	unlink(path);
	ck_assert_int_eq(sha256_file_hex(path, hex), -1);
}
END_TEST

START_TEST(test_country_codes)
{
	/* codes in any case, alpha-3, the standard's names, and other names */
	static const char *const ok[][2] = {
		{ "US", "US" }, { "us", "US" }, { "USA", "US" }, { " United States of America ", "US" },
		{ "United States", "US" }, { "gb", "GB" }, { "GBR", "GB" }, { "United Kingdom", "GB" },
		{ "UK", "GB" }, { "England", "GB" }, { "Norway", "NO" }, { "norway", "NO" }, { "NOR", "NO" },
		{ "Deutschland", "DE" }, { "Russia", "RU" }, { "Russian Federation", "RU" },
		{ "Korea, Republic of", "KR" }, { "South Korea", "KR" }, { "Cote d'Ivoire", "CI" },
		{ "Turkey", "TR" }, { "Czech Republic", "CZ" }, { "Viet Nam", "VN" }, { "ZWE", "ZW" },
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		const char *c = country_code(ok[i][0]);
		ck_assert_msg(c && strcmp(c, ok[i][1]) == 0, "%s -> %s", ok[i][0], c ? c : "NULL");
	}
	/* not ISO 3166: no code (UK is GB's common name, not a code of its own) */
	static const char *const unknown[] = { "Atlantis", "XX", "", "   ", "U", "Norw", "Englandd" };
	for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++)
		ck_assert_msg(country_code(unknown[i]) == NULL, "%s has a code", unknown[i]);
	ck_assert_ptr_null(country_code(NULL));
}
END_TEST

START_TEST(test_str_printable)
{
	strbuf tmp = STRBUF_INIT;
	const char *plain = "Ann \xc3\x85se O'Brien";
	ck_assert_ptr_eq(str_printable(plain, &tmp), plain); /* nothing to change: no copy */
	ck_assert_str_eq(str_printable("Lee\n    #99 delete\tall\r\x01\x7f", &tmp),
			 "Lee\\n    #99 delete\\tall\\x0D\\x01\\x7F");
	ck_assert_ptr_null(str_printable(NULL, &tmp));
	sb_free(&tmp);
}
END_TEST

START_TEST(test_err_set_cuts_whole_characters)
{
	/* a message longer than errinfo.msg, of three-byte characters, at every
	 * offset: never ends in a broken character */
	char big[3000];
	for (int off = 0; off < 3; off++) {
		size_t k = 0;
		for (int i = 0; i < off; i++)
			big[k++] = 'x';
		while (k + 3 < sizeof big) {
			memcpy(big + k, "\xe2\x82\xac", 3); /* the euro sign */
			k += 3;
		}
		big[k] = '\0';
		errinfo e;
		err_set(&e, -1, "%s", big);
		size_t n = strlen(e.msg);
		ck_assert_uint_le(n, sizeof e.msg - 1);
		ck_assert_uint_ge(n, sizeof e.msg - 4);
		ck_assert_uint_eq((n - (size_t)off) % 3, 0);
		err_prefix(&e, "%s", "prefix \xc3\xa9 ");
		n = strlen(e.msg);
		size_t body = n - strlen("prefix \xc3\xa9 ");
		ck_assert_uint_eq((body - (size_t)off) % 3, 0);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_intern_same_pointer);
	tcase_add_test(tc, test_arena_alignment_and_zero);
	tcase_add_test(tc, test_xcalloc_written);
	tcase_add_test(tc, test_hash_words);
	tcase_add_test(tc, test_ptrmap);
	tcase_add_test(tc, test_strbuf_and_strings);
	tcase_add_test(tc, test_sha256_vectors);
	tcase_add_test(tc, test_country_codes);
	tcase_add_test(tc, test_str_printable);
	tcase_add_test(tc, test_err_set_cuts_whole_characters);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

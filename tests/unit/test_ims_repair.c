/* test_ims_repair.c -- unit tests of the --repair streaming filter (reference
 * §8 #78, #79): exactly the bare '&'s in text and attribute values become
 * "&amp;" (references, even undefined ones, comments, CDATA and processing
 * instructions are left alone), whitespace before the XML declaration is
 * skipped, every repair is listed at its original line:col, and the output
 * and the list are the same whatever the chunks the file arrives in (every
 * size from 1 byte to the whole input). ims_repair_map_position maps a
 * position in the filtered text back to the original file. */
#include "config.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims_model.h"
#include "ims_parse.h"
#include "ims_repair.h"
#include "util.h"
#include "check_main.h"

/* Every bare '&' of this input, by line and column (characters), worked out
 * by hand: line 2 in an attribute value; line 3 a bare '&', '&#;', '&#x;',
 * '&a b' and '&&'; line 4 the one outside the comment, CDATA and PI; line 5
 * after a two-byte character, and a last '&' at the very end of the input. */
static const char AMP_IN[] =
	"<?xml version=\"1.0\"?>\n"
	"<enterprise a=\"R&D\" b='x&amp;y'>Q1\n"
	"<t>Smith & Sons &amp; &#38; &#x26; &lt; &nbsp; &#; &#x; &a b &&Q2</t>\n"
	"<!-- a & b --><![CDATA[ c & d ]]><?pi e & f?>Q3 & Q4\n"
	"<u>M\xc3\xa5ne & Q5</u></enterprise>&";
static const char AMP_OUT[] =
	"<?xml version=\"1.0\"?>\n"
	"<enterprise a=\"R&amp;D\" b='x&amp;y'>Q1\n"
	"<t>Smith &amp; Sons &amp; &#38; &#x26; &lt; &nbsp; &amp;#; &amp;#x; &amp;a b &amp;&amp;Q2</t>\n"
	"<!-- a & b --><![CDATA[ c & d ]]><?pi e & f?>Q3 &amp; Q4\n"
	"<u>M\xc3\xa5ne &amp; Q5</u></enterprise>&amp;";
static const ims_loc AMP_AT[] = {
	{ 0, 2, 17 }, { 0, 3, 10 }, { 0, 3, 48 }, { 0, 3, 52 }, { 0, 3, 57 },
	{ 0, 3, 62 }, { 0, 3, 63 }, { 0, 4, 49 }, { 0, 5, 9 }, { 0, 5, 30 },
};
#define LEADING "\r\n \t\n  "   /* two newlines, then two spaces */

typedef struct result {
	strbuf out;
	int terminated;          /* calls with terminate = 1 */
	int after_terminate;     /* calls after that (must be none) */
	ims_model *m;
	ims_repairer *r;
} result;

static void collect(void *ctx, const char *data, size_t n, int terminate)
{
	result *res = ctx;
	if (res->terminated)
		res->after_terminate++;
	sb_add(&res->out, data, n);
	if (terminate)
		res->terminated++;
}

/* Runs the filter over in[0..len) in chunks of `chunk` bytes; the repairer
 * is kept (for map_position) until result_free. */
static void run_filter(result *res, unsigned flags, const char *in, size_t len, size_t chunk)
{
	memset(res, 0, sizeof *res);
	res->m = ims_model_new();
	res->r = ims_repairer_new(flags, res->m, 0);
	for (size_t at = 0; at < len; at += chunk)
		ims_repair_feed(res->r, in + at, len - at < chunk ? len - at : chunk, collect, res);
	ims_repair_finish(res->r, collect, res);
}

static void result_free(result *res)
{
	ims_repairer_free(res->r);
	ims_model_free(res->m);
	sb_free(&res->out);
}

static void assert_repairs(const ims_model *m, int kind, uint64_t count, const ims_loc *at, int nat)
{
	const ims_repair_group *g = &m->repairs[kind];
	ck_assert_uint_eq(g->count, count);
	ck_assert_int_eq(g->nsamples, nat);
	for (int i = 0; i < nat; i++) {
		ck_assert_msg(g->samples[i].line == at[i].line && g->samples[i].col == at[i].col,
			      "%s repair %d at %u:%u, expected %u:%u", ims_repair_kind_name(kind), i,
			      g->samples[i].line, g->samples[i].col, at[i].line, at[i].col);
	}
}

static void assert_same_repairs(const ims_model *a, const ims_model *b, size_t chunk)
{
	for (int k = 0; k < IMS_REPAIR_KINDS; k++) {
		ck_assert_msg(a->repairs[k].count == b->repairs[k].count, "chunk %zu: %s count differs", chunk,
			      ims_repair_kind_name(k));
		ck_assert_int_eq(a->repairs[k].nsamples, b->repairs[k].nsamples);
		for (int i = 0; i < a->repairs[k].nsamples; i++)
			ck_assert_msg(a->repairs[k].samples[i].line == b->repairs[k].samples[i].line &&
				      a->repairs[k].samples[i].col == b->repairs[k].samples[i].col,
				      "chunk %zu: %s repair %d at %u:%u, in one piece %u:%u", chunk,
				      ims_repair_kind_name(k), i, b->repairs[k].samples[i].line,
				      b->repairs[k].samples[i].col, a->repairs[k].samples[i].line,
				      a->repairs[k].samples[i].col);
	}
}

/* Feeds in every chunk size 1..len and compares with the expected output
 * and with the repairs made from the whole input at once. */
static void every_chunk_size(unsigned flags, const char *in, size_t len, const char *expect_out)
{
	result whole;
	run_filter(&whole, flags, in, len, len ? len : 1);
	ck_assert_str_eq(sb_str(&whole.out), expect_out);
	for (size_t chunk = 1; chunk <= len; chunk++) {
		result res;
		run_filter(&res, flags, in, len, chunk);
		ck_assert_msg(strcmp(sb_str(&res.out), expect_out) == 0, "chunk %zu: output\n%s\nexpected\n%s",
			      chunk, sb_str(&res.out), expect_out);
		ck_assert_int_eq(res.terminated, 1);
		ck_assert_int_eq(res.after_terminate, 0);
		assert_same_repairs(whole.m, res.m, chunk);
		result_free(&res);
	}
	result_free(&whole);
}

/* Line and column (UTF-8 characters, or bytes when single_byte) of s[at]. */
static void position_of(const char *s, size_t at, bool single_byte, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < at; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (single_byte || ((unsigned char)s[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

/* Every marker (Q1, Q2, ...) found in the filtered output maps back to its
 * place in the original input. */
static void assert_markers_map_back(const result *res, const char *in, bool single_byte)
{
	const char *out = sb_str(&res->out);
	int found = 0;
	for (const char *q = strchr(out, 'Q'); q; q = strchr(q + 1, 'Q')) {
		char marker[3] = { 'Q', q[1], 0 };
		const char *orig = strstr(in, marker);
		ck_assert_ptr_nonnull(orig);
		int oline, ocol, line, col;
		position_of(in, (size_t)(orig - in), single_byte, &oline, &ocol);
		position_of(out, (size_t)(q - out), single_byte, &line, &col);
		ims_repair_map_position(res->r, &line, &col);
		ck_assert_msg(line == oline && col == ocol, "%s maps to %d:%d, is at %d:%d in the file",
			      marker, line, col, oline, ocol);
		found++;
	}
	ck_assert_int_gt(found, 0);
}

START_TEST(test_ampersand)
{
	result res;
	run_filter(&res, IMS_REPAIR_AMPERSAND, AMP_IN, strlen(AMP_IN), 4096);
	ck_assert_str_eq(sb_str(&res.out), AMP_OUT);
	assert_repairs(res.m, 0, 10, AMP_AT, 10);
	assert_repairs(res.m, 1, 0, NULL, 0);
	assert_markers_map_back(&res, AMP_IN, false);
	result_free(&res);
	every_chunk_size(IMS_REPAIR_AMPERSAND, AMP_IN, strlen(AMP_IN), AMP_OUT);
}
END_TEST

START_TEST(test_leading_space)
{
	const char *in = LEADING "<?xml version=\"1.0\"?>\n<enterprise>Q1 & Q2</enterprise>\n";
	const char *out = "<?xml version=\"1.0\"?>\n<enterprise>Q1 & Q2</enterprise>\n";
	static const ims_loc at[] = { { 0, 1, 1 } };
	result res;
	run_filter(&res, IMS_REPAIR_LEADING_SPACE, in, strlen(in), 4096);
	ck_assert_str_eq(sb_str(&res.out), out);   /* the '&' is not repaired: not asked for */
	assert_repairs(res.m, 1, 1, at, 1);
	assert_repairs(res.m, 0, 0, NULL, 0);
	assert_markers_map_back(&res, in, false);
	/* the declaration's own position: 3:3 in the file, 1:1 in the output */
	int line = 1, col = 1;
	ims_repair_map_position(res.r, &line, &col);
	ck_assert_int_eq(line, 3);
	ck_assert_int_eq(col, 3);
	result_free(&res);
	every_chunk_size(IMS_REPAIR_LEADING_SPACE, in, strlen(in), out);
}
END_TEST

START_TEST(test_both)
{
	size_t n = strlen(LEADING) + strlen(AMP_IN);
	char *in = xmalloc(n + 1);
	snprintf(in, n + 1, "%s%s", LEADING, AMP_IN);
	ims_loc at[10];
	for (int i = 0; i < 10; i++)
		at[i] = (ims_loc){ 0, AMP_AT[i].line + 2, AMP_AT[i].col + (AMP_AT[i].line == 1 ? 2 : 0) };
	static const ims_loc lead[] = { { 0, 1, 1 } };
	result res;
	run_filter(&res, IMS_REPAIR_AMPERSAND | IMS_REPAIR_LEADING_SPACE, in, n, 4096);
	ck_assert_str_eq(sb_str(&res.out), AMP_OUT);
	assert_repairs(res.m, 0, 10, at, 10);
	assert_repairs(res.m, 1, 1, lead, 1);
	assert_markers_map_back(&res, in, false);
	result_free(&res);
	every_chunk_size(IMS_REPAIR_AMPERSAND | IMS_REPAIR_LEADING_SPACE, in, n, AMP_OUT);
	free(in);
}
END_TEST

START_TEST(test_no_repair_needed)
{
	/* a clean file passes byte for byte, with nothing listed */
	const char *in = "<?xml version=\"1.0\"?>\n<e a=\"&amp;&#38;&#x26;\">&lt;&nbsp;&a.b-c:d_;</e>\n";
	result res;
	run_filter(&res, IMS_REPAIR_AMPERSAND | IMS_REPAIR_LEADING_SPACE, in, strlen(in), 4096);
	ck_assert_str_eq(sb_str(&res.out), in);
	ck_assert_uint_eq(res.m->repairs[0].count, 0);
	ck_assert_uint_eq(res.m->repairs[1].count, 0);
	result_free(&res);
	every_chunk_size(IMS_REPAIR_AMPERSAND | IMS_REPAIR_LEADING_SPACE, in, strlen(in), in);
	/* whitespace before a root without a declaration is legal: no repair */
	const char *bare = "\n  <e>x</e>";
	run_filter(&res, IMS_REPAIR_LEADING_SPACE, bare, strlen(bare), 4096);
	ck_assert_uint_eq(res.m->repairs[1].count, 0);
	result_free(&res);
}
END_TEST

START_TEST(test_many_repairs_samples)
{
	/* 25 repairs on 5 lines: the count is all of them, the samples the first 10 */
	strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	ims_loc at[10];
	int k = 0;
	sb_adds(&in, "<e>");
	sb_adds(&out, "<e>");
	for (int line = 1; line <= 5; line++) {
		for (int i = 0; i < 5; i++) {
			if (k < 10)
				at[k] = (ims_loc){ 0, (uint32_t)line, (uint32_t)((line == 1 ? 4 : 1) + 3 * i) };
			k++;
			sb_adds(&in, "&x ");
			sb_adds(&out, "&amp;x ");
		}
		sb_adds(&in, "\n");
		sb_adds(&out, "\n");
	}
	sb_adds(&in, "</e>");
	sb_adds(&out, "</e>");
	result res;
	run_filter(&res, IMS_REPAIR_AMPERSAND, in.buf, in.len, 4096);
	ck_assert_str_eq(sb_str(&res.out), out.buf);
	assert_repairs(res.m, 0, 25, at, 10);
	result_free(&res);
	every_chunk_size(IMS_REPAIR_AMPERSAND, in.buf, in.len, out.buf);
	sb_free(&in);
	sb_free(&out);
}
END_TEST

START_TEST(test_single_byte_columns)
{
	/* ISO-8859-1: a column is a byte; UTF-8: a character */
	const char *latin = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<t>M\xe5ne & Q1</t>";
	const char *utf8 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<t>M\xc3\xa5n\xc3\xa9 & Q1</t>";
	static const ims_loc at[] = { { 0, 2, 9 } };
	result res;
	run_filter(&res, IMS_REPAIR_AMPERSAND, latin, strlen(latin), 4096);
	assert_repairs(res.m, 0, 1, at, 1);
	assert_markers_map_back(&res, latin, true);
	result_free(&res);
	run_filter(&res, IMS_REPAIR_AMPERSAND, utf8, strlen(utf8), 4096);
	assert_repairs(res.m, 0, 1, at, 1);
	assert_markers_map_back(&res, utf8, false);
	result_free(&res);
}
END_TEST

START_TEST(test_utf16_passes_through)
{
	/* UTF-16 cannot be lexed byte-wise: passed on untouched, nothing listed */
	static const char in[] = "\xff\xfe<\0e\0>\0&\0 \0<\0/\0e\0>\0";
	size_t n = sizeof in - 1;
	for (size_t chunk = 1; chunk <= n; chunk++) {
		result res;
		run_filter(&res, IMS_REPAIR_AMPERSAND | IMS_REPAIR_LEADING_SPACE, in, n, chunk);
		ck_assert_uint_eq(res.out.len, n);
		ck_assert(memcmp(res.out.buf, in, n) == 0);
		ck_assert_uint_eq(res.m->repairs[0].count, 0);
		result_free(&res);
	}
}
END_TEST

START_TEST(test_no_flags)
{
	ims_model *m = ims_model_new();
	ck_assert_ptr_null(ims_repairer_new(0, m, 0));
	result res;
	memset(&res, 0, sizeof res);
	ims_repair_feed(NULL, "\n <a>&</a>", 10, collect, &res);
	ims_repair_finish(NULL, collect, &res);
	ck_assert_str_eq(sb_str(&res.out), "\n <a>&</a>");
	ck_assert_int_eq(res.terminated, 1);
	int line = 2, col = 7;
	ims_repair_map_position(NULL, &line, &col);
	ck_assert_int_eq(line, 2);
	ck_assert_int_eq(col, 7);
	sb_free(&res.out);
	ims_model_free(m);
}
END_TEST

START_TEST(test_parse_list)
{
	unsigned flags = 99;
	errinfo e = { 0 };
	ck_assert_int_eq(ims_repair_parse_list("ampersand", &flags, &e), 0);
	ck_assert_uint_eq(flags, IMS_REPAIR_AMPERSAND);
	ck_assert_int_eq(ims_repair_parse_list("ampersand, leading-space", &flags, &e), 0);
	ck_assert_uint_eq(flags, IMS_REPAIR_AMPERSAND | IMS_REPAIR_LEADING_SPACE);
	ck_assert_int_eq(ims_repair_parse_list("none", &flags, &e), 0);
	ck_assert_uint_eq(flags, 0);
	ck_assert_int_eq(ims_repair_parse_list("", &flags, &e), 0);
	ck_assert_uint_eq(flags, 0);
	ck_assert_int_eq(ims_repair_parse_list("ampersand,entities", &flags, &e), -EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "unknown repair 'entities'"));
	ck_assert_int_eq(ims_repair_parse_list("Ampersand", &flags, &e), -EXIT_USAGE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ims_repair");
	TCase *tc = tcase_create("ims_repair");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ampersand);
	tcase_add_test(tc, test_leading_space);
	tcase_add_test(tc, test_both);
	tcase_add_test(tc, test_no_repair_needed);
	tcase_add_test(tc, test_many_repairs_samples);
	tcase_add_test(tc, test_single_byte_columns);
	tcase_add_test(tc, test_utf16_passes_through);
	tcase_add_test(tc, test_no_flags);
	tcase_add_test(tc, test_parse_list);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

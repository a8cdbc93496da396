/* test_form.c -- unit tests of the PHP form decoder: bracket syntax,
 * first-appearance order, repeated indexes, the max_input_vars cut per
 * source, url decoding and $_GET/$_POST merging. */
#include "config.h"
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "form.h"

static arena A;
static pv *parse(const char *s, bool body, long maxvars, form_count *cnt)
{
	pv *p = pv_new_arr(&A);
	form_parse(&A, p, s, strlen(s), body, maxvars, cnt);
	return p;
}

static const char *str_at(pv *p, const char *path)
{
	/* path like "users/0/name" */
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	pv *cur = p;
	for (char *save = NULL, *k = strtok_r(buf, "/", &save); k; k = strtok_r(NULL, "/", &save)) {
		if (!cur || cur->type != PV_ARR)
			return NULL;
		cur = pv_get(cur, k);
	}
	return cur && cur->type == PV_STR ? cur->s : NULL;
}

static void setup(void) { arena_init(&A); }
static void teardown(void) { arena_free(&A); }

START_TEST(test_brackets_literal_and_encoded)
{
	pv *p = parse("users[0][username]=jdoe&users%5B0%5D%5Bcustomfields%5D%5B0%5D%5Btype%5D=dept&"
		      "users[0][customfields][0][value]=I+T%21", true, -1, NULL);
	ck_assert_str_eq(str_at(p, "users/0/username"), "jdoe");
	ck_assert_str_eq(str_at(p, "users/0/customfields/0/type"), "dept");
	ck_assert_str_eq(str_at(p, "users/0/customfields/0/value"), "I T!");
}
END_TEST

START_TEST(test_first_appearance_order_and_merge)
{
	pv *p = parse("l[5][a]=1&l[0][a]=2&l[5][b]=3&l[9][a]=4&l[0][a]=5", true, -1, NULL);
	pv *l = pv_get(p, "l");
	ck_assert_uint_eq(l->live, 3);
	ck_assert_str_eq(l->ents[0].key, "5");
	ck_assert_str_eq(l->ents[1].key, "0");
	ck_assert_str_eq(l->ents[2].key, "9");
	/* the repeated index merges, the last scalar wins */
	ck_assert_str_eq(str_at(p, "l/5/a"), "1");
	ck_assert_str_eq(str_at(p, "l/5/b"), "3");
	ck_assert_str_eq(str_at(p, "l/0/a"), "5");
}
END_TEST

START_TEST(test_append_and_scalar_overwrite)
{
	pv *p = parse("v[]=a&v[]=b&v[7]=c&v[]=d&x=1&x[y]=2&z[q]=1&z=3", true, -1, NULL);
	ck_assert_str_eq(str_at(p, "v/0"), "a");
	ck_assert_str_eq(str_at(p, "v/1"), "b");
	ck_assert_str_eq(str_at(p, "v/8"), "d");
	ck_assert_str_eq(str_at(p, "x/y"), "2");
	ck_assert_str_eq(str_at(p, "z"), "3");
}
END_TEST

START_TEST(test_php_name_rules)
{
	/* dots and spaces become _, an unclosed [ is part of the name, text
	 * after ] is ignored, leading spaces dropped, empty names ignored */
	pv *p = parse("a.b=1&c d=2&e[f=3&g[h]tail=4&%20k=5&=6&m", true, -1, NULL);
	ck_assert_str_eq(str_at(p, "a_b"), "1");
	ck_assert_str_eq(str_at(p, "c_d"), "2");
	ck_assert_str_eq(str_at(p, "e_f"), "3");
	ck_assert_str_eq(str_at(p, "g/h"), "4");
	ck_assert_str_eq(str_at(p, "k"), "5");
	ck_assert_str_eq(str_at(p, "m"), "");
	ck_assert_uint_eq(p->live, 6);
}
END_TEST

START_TEST(test_max_input_vars_body_keeps_n_plus_one)
{
	form_count cnt = { 0, 0 };
	pv *p = parse("a=1&b=2&&c=3&d=4&e=5", true, 3, &cnt);
	/* empty segments count; the check follows the registration */
	ck_assert_int_eq(cnt.pairs, 6);
	ck_assert_int_eq(cnt.kept, 4);
	ck_assert_ptr_nonnull(pv_get(p, "c"));
	ck_assert_ptr_null(pv_get(p, "d"));
}
END_TEST

START_TEST(test_max_input_vars_query_keeps_n)
{
	form_count cnt = { 0, 0 };
	pv *p = parse("a=1&&b=2&c=3&d=4", false, 2, &cnt);
	ck_assert_int_eq(cnt.pairs, 4);
	ck_assert_int_eq(cnt.kept, 2);
	ck_assert_ptr_nonnull(pv_get(p, "b"));
	ck_assert_ptr_null(pv_get(p, "c"));
}
END_TEST

START_TEST(test_max_input_vars_cuts_item_partway)
{
	/* transcript 19's shape: the last kept item loses its last field */
	form_count cnt = { 0, 0 };
	pv *p = parse("h=1&u[0][a]=1&u[0][b]=2&u[1][a]=3&u[1][b]=4&u[2][a]=5", true, 3, &cnt);
	pv *u = pv_get(p, "u");
	ck_assert_uint_eq(u->live, 2);
	ck_assert_str_eq(str_at(p, "u/1/a"), "3");
	ck_assert_ptr_null(str_at(p, "u/1/b"));
}
END_TEST

START_TEST(test_merge_post_wins)
{
	pv *g = parse("wstoken=q&x=1&y[a]=1", false, -1, NULL);
	pv *b = parse("x=2&z=3&y[b]=2", true, -1, NULL);
	pv *m = form_merge(&A, g, b);
	ck_assert_str_eq(m->ents[0].key, "wstoken");
	ck_assert_str_eq(str_at(m, "x"), "2");
	/* array_merge replaces a top-level value whole */
	ck_assert_ptr_null(str_at(m, "y/a"));
	ck_assert_str_eq(str_at(m, "y/b"), "2");
	ck_assert_str_eq(m->ents[3].key, "z");
}
END_TEST

START_TEST(test_urldecode)
{
	size_t n;
	char *s = form_urldecode(&A, "a%2Bb+c%zz%4", 12, &n);
	ck_assert_str_eq(s, "a+b c%zz%4");
	ck_assert_uint_eq(n, 10);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fakemoodle_form");
	TCase *tc = tcase_create("form");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_brackets_literal_and_encoded);
	tcase_add_test(tc, test_first_appearance_order_and_merge);
	tcase_add_test(tc, test_append_and_scalar_overwrite);
	tcase_add_test(tc, test_php_name_rules);
	tcase_add_test(tc, test_max_input_vars_body_keeps_n_plus_one);
	tcase_add_test(tc, test_max_input_vars_query_keeps_n);
	tcase_add_test(tc, test_max_input_vars_cuts_item_partway);
	tcase_add_test(tc, test_merge_post_wins);
	tcase_add_test(tc, test_urldecode);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

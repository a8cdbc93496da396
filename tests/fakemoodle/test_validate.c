/* test_validate.c -- unit tests of the parameter validator: description
 * parsing, validate_parameters() with Moodle's debuginfo paths, the PARAM
 * types' "must equal its cleaned form" rule, and the text rules behind
 * them (validate_email, the password policy, format_string). */
#include "config.h"
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "form.h"
#include "mtext.h"
#include "param.h"
#include "validate.h"

static arena A;
static param_env ENV = { false };

static void setup(void) { arena_init(&A); }
static void teardown(void) { arena_free(&A); }

static const char DESC[] =
	"users [] req\n"
	" username USERNAME req\n"
	" email RAW_TRIMMED req\n"
	" auth AUTH def=manual\n"
	" idnumber RAW def=''\n"
	" suspended BOOL opt\n"
	" customfields [] opt\n"
	"  type ALPHANUMEXT req\n"
	"  value RAW req\n"
	"flag BOOL def=1\n"
	"options {} def\n"
	" ids [INT] opt\n";

/* Validates form against DESC; returns the debuginfo or NULL on success. */
static const char *run(const char *form, pv **out)
{
	errinfo e;
	desc *d = desc_parse(DESC, &e);
	ck_assert_ptr_nonnull(d);
	pv *p = pv_new_arr(&A);
	form_parse(&A, p, form, strlen(form), true, -1, NULL);
	const char *dbg = NULL;
	pv *res = NULL;
	int rc = validate_params(&A, d, p, &ENV, &res, &dbg);
	desc_free(d);
	if (out)
		*out = res;
	return rc ? dbg : NULL;
}

START_TEST(test_defaults_and_reindex)
{
	pv *r;
	ck_assert_ptr_null(run("users[5][username]=a&users[5][email]=a@x.dk&users[0][username]=b&users[0][email]=b@x.dk", &r));
	pv *users = vp_get(r, "users");
	ck_assert_uint_eq(vp_len(users), 2);
	ck_assert_str_eq(vp_item(users, 0)->ents[0].key, "username");
	ck_assert_str_eq(vp_str(vp_item(users, 0), "username"), "a");
	ck_assert_str_eq(vp_str(vp_item(users, 1), "username"), "b");
	ck_assert_str_eq(vp_str(vp_item(users, 0), "auth"), "manual");
	ck_assert_str_eq(vp_str(vp_item(users, 0), "idnumber"), "");
	ck_assert(!vp_has(vp_item(users, 0), "suspended"));
	ck_assert_str_eq(vp_str(r, "flag"), "1");
	ck_assert_uint_eq(vp_get(r, "options")->live, 0);
}
END_TEST

START_TEST(test_paths)
{
	ck_assert_str_eq(run("users[0][username]=JDoe&users[0][email]=a@x.dk", NULL),
			 "users => Invalid parameter value detected: username => Invalid parameter value detected: "
			 "Invalid external api parameter: the value is \"JDoe\", the server was expecting \"username\" type");
	ck_assert_str_eq(run("users[0][username]=a", NULL),
			 "users => Invalid parameter value detected: Missing required key in single structure: email");
	ck_assert_str_eq(run("users[0][username]=a&users[0][email]=a@x.dk&users[0][customfields][0][type]=x y"
			     "&users[0][customfields][0][value]=1", NULL),
			 "users => Invalid parameter value detected: customfields => Invalid parameter value detected: "
			 "type => Invalid parameter value detected: Invalid external api parameter: the value is \"x y\", "
			 "the server was expecting \"alphanumext\" type");
	ck_assert_str_eq(run("foo=1&bar=2&users[0][username]=a&users[0][email]=a@x.dk", NULL),
			 "Unexpected keys (foo, bar) detected in parameter array.");
	ck_assert_str_eq(run("", NULL), "Missing required key in single structure: users");
	ck_assert_str_eq(run("users=1,2", NULL), "users => Invalid parameter value detected: Only arrays accepted. "
						"The bad value is: '1,2'");
	ck_assert_str_eq(run("users[0][username]=a&users[0][email]=a@x.dk&flag[x]=1", NULL),
			 "flag => Invalid parameter value detected: Scalar type expected, array or object received.");
	ck_assert_str_eq(run("users[0][username]=a&users[0][email]=a@x.dk&users[0][suspended]=true", NULL),
			 "users => Invalid parameter value detected: suspended => Invalid parameter value detected: "
			 "Invalid external api parameter: the value is \"true\", the server was expecting \"bool\" type");
	ck_assert_str_eq(run("users[0][username]=a&users[0][email]=a@x.dk&options[ids][0]=05", NULL),
			 "options => Invalid parameter value detected: ids => Invalid parameter value detected: "
			 "Invalid external api parameter: the value is \"05\", the server was expecting \"int\" type");
	ck_assert_str_eq(run("users[0][username]=a&users[0][email]=a@x.dk&users[0][x]=1", NULL),
			 "users => Invalid parameter value detected: Unexpected keys (x) detected in parameter array.");
}
END_TEST

static bool ok(int t, const char *s)
{
	return param_valid(t, s, strlen(s), &ENV);
}

START_TEST(test_param_types)
{
	ck_assert(ok(P_INT, "0") && ok(P_INT, "-5") && ok(P_INT, "9223372036854775807"));
	ck_assert(!ok(P_INT, "05") && !ok(P_INT, "") && !ok(P_INT, " 5") && !ok(P_INT, "+5") && !ok(P_INT, "5.0") &&
		  !ok(P_INT, "-0") && !ok(P_INT, "9223372036854775808"));
	ck_assert(ok(P_BOOL, "0") && ok(P_BOOL, "1") && !ok(P_BOOL, "true") && !ok(P_BOOL, "") && !ok(P_BOOL, "2"));
	ck_assert(ok(P_USERNAME, "a.b-c_d@e") && ok(P_USERNAME, "123"));
	ck_assert(!ok(P_USERNAME, "Dave") && !ok(P_USERNAME, "dave smith") && !ok(P_USERNAME, "d\xc3\xa4ve") &&
		  !ok(P_USERNAME, "dave+x") && !ok(P_USERNAME, " dave"));
	ck_assert(ok(P_TEXT, "Maths & Physics") && ok(P_TEXT, "a < b") && !ok(P_TEXT, "<b>x</b>") &&
		  !ok(P_TEXT, "a <"));
	ck_assert(ok(P_TEXT, "<span lang=\"en\" class=\"multilang\">E</span><span lang=\"da\" class=\"multilang\">D</span>"));
	ck_assert(ok(P_TEXT, "<lang lang=\"en\">E</lang>") && !ok(P_TEXT, "<lang lang=\"en\">E</lang><b>"));
	ck_assert(ok(P_NOTAGS, "O'Neil") && !ok(P_NOTAGS, "<i>x</i>"));
	ck_assert(ok(P_RAW, "<b>anything</b>") && !ok(P_RAW, "bad \xff utf8"));
	ck_assert(ok(P_RAW_TRIMMED, "a@b.c") && !ok(P_RAW_TRIMMED, " a@b.c") && !ok(P_RAW_TRIMMED, "a@b.c\n"));
	ck_assert(ok(P_ALPHA, "abc") && ok(P_ALPHA, "") && !ok(P_ALPHA, "50") && !ok(P_ALPHA, "a_b"));
	ck_assert(ok(P_ALPHANUMEXT, "a-b_9") && !ok(P_ALPHANUMEXT, "a b"));
	ck_assert(ok(P_PLUGIN, "topics") && ok(P_PLUGIN, "nosuchformat") && ok(P_PLUGIN, "") &&
		  !ok(P_PLUGIN, "a__b") && !ok(P_PLUGIN, "Topics") && !ok(P_PLUGIN, "x"));
	ck_assert(ok(P_AUTH, "manual") && ok(P_AUTH, "webservice") && !ok(P_AUTH, "bogus"));
	ck_assert(ok(P_LANG, "en") && ok(P_LANG, "") && !ok(P_LANG, "xx"));
	ck_assert(ok(P_TIMEZONE, "Europe/Copenhagen") && ok(P_TIMEZONE, "-5.5") && ok(P_TIMEZONE, "99") &&
		  !ok(P_TIMEZONE, "Mars/Base"  "!"));
	ck_assert(ok(P_SEQUENCE, "1,2,3") && !ok(P_SEQUENCE, "1, 2"));
}
END_TEST

START_TEST(test_username_clean)
{
	strbuf b = STRBUF_INIT;
	param_clean(&b, P_USERNAME, "  JDoe ", 7, &ENV);
	ck_assert_str_eq(sb_str(&b), "jdoe");
	sb_free(&b);
	param_env ext = { true };
	ck_assert(param_valid(P_USERNAME, "d\xc3\xa4ve", 5, &ext));
}
END_TEST

START_TEST(test_validate_email)
{
	const char *good[] = { "plain@example.com", "a+b@example.com", "UPPER@EXAMPLE.COM", "a@example.c",
			       "a@[127.0.0.1]", "a@xn--bcher-kva.ch" };
	const char *bad[] = { "a@b", "a@localhost", "a@example", "a b@example.com", "<a@example.com>",
			      "a@@example.com", "a.@example.com", ".a@example.com", "\"a b\"@example.com",
			      "a@ex_ample.com", "a@-example.com", "\xc3\xa4@example.com", "a@b\xc3\xbc" "cher.ch", "" };
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		ck_assert_msg(mt_validate_email(good[i]), "%s should pass", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(!mt_validate_email(bad[i]), "%s should fail", bad[i]);
}
END_TEST

START_TEST(test_password_policy)
{
	pw_policy p = { 1, 8, 1, 1, 1, 1, 0 };
	strbuf e = STRBUF_INIT;
	ck_assert(!mt_password_ok(&p, "abc", &e));
	ck_assert_str_eq(sb_str(&e), "<div>Passwords must be at least 8 characters long.</div>"
				     "<div>Passwords must have at least 1 digit(s).</div>"
				     "<div>Passwords must have at least 1 upper case letter(s).</div>"
				     "<div>The password must have at least 1 special character(s) such as *, -, or #.</div>");
	sb_reset(&e);
	ck_assert(!mt_password_ok(&p, "Password!", &e));
	ck_assert_str_eq(sb_str(&e), "<div>Passwords must have at least 1 digit(s).</div>");
	sb_reset(&e);
	ck_assert(mt_password_ok(&p, "Passw0rd!", &e));
	ck_assert_uint_eq(e.len, 0);
	sb_free(&e);
}
END_TEST

START_TEST(test_format_string)
{
	strbuf b = STRBUF_INIT;
	mt_format_string(&b, "Maths & Physics &amp; <b>x</b> a < b");
	ck_assert_str_eq(sb_str(&b), "Maths &amp; Physics &amp; x a &lt; b");
	sb_free(&b);
}
END_TEST

START_TEST(test_loose_compare)
{
	ck_assert(mt_php_loose_eq("05", "5"));
	ck_assert(mt_php_loose_eq("1e1", "10"));
	ck_assert(!mt_php_loose_eq("abc", "0"));
	ck_assert(!mt_php_loose_eq("C1", "c1"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fakemoodle_validate");
	TCase *tc = tcase_create("validate");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults_and_reindex);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_param_types);
	tcase_add_test(tc, test_username_clean);
	tcase_add_test(tc, test_validate_email);
	tcase_add_test(tc, test_password_policy);
	tcase_add_test(tc, test_format_string);
	tcase_add_test(tc, test_loose_compare);
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

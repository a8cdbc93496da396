/* test_moodle.c -- unit tests of the REST client's pieces that need no
 * site: the form encoding and its field count, the classification of
 * replies (from bodies the real Moodle 4.5 sent, transcripts T05, T07, T14,
 * T17), the token file check, and the field budget guard. */
#include "config.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "moodle_client.h"
#include "moodle_form.h"
#include "moodle_reply.h"
#include "check_main.h"

START_TEST(test_form_brackets_escaping_and_count)
{
	mform f = MFORM_INIT;
	mform_addf(&f, "JDoe@Example.com", "users[%d][email]", 0);
	mform_addf(&f, "Ethics & Governance 101/é", "courses[%d][fullname]", 3);
	mform_add_int(&f, -5, "enrolments[%d][timestart]", 1);
	mform_add(&f, "options[0][name]", "");
	ck_assert_str_eq(f.body.buf, "users[0][email]=JDoe%40Example.com"
				     "&courses[3][fullname]=Ethics%20%26%20Governance%20101%2F%C3%A9"
				     "&enrolments[1][timestart]=-5&options[0][name]=");
	ck_assert_uint_eq(f.fields, 4);
	mform g = MFORM_INIT;
	mform_add(&g, "a", "b~c-d.e_f");
	mform_append(&f, &g);
	ck_assert_uint_eq(f.fields, 5);
	ck_assert(strstr(f.body.buf, "&a=b~c-d.e_f") != NULL);
	mform_reset(&f);
	ck_assert_uint_eq(f.fields, 0);
	ck_assert_str_eq(f.body.buf, "");
	mform_free(&f);
	mform_free(&g);
}
END_TEST

static enum moodle_status classify(long http, const char *ctype, const char *body, moodle_error *e,
				   json_object **out)
{
	return moodle_classify(http, ctype, body, strlen(body), out, e);
}

START_TEST(test_classify_success_bodies)
{
	moodle_error e;
	json_object *o;
	/* functions without a return description answer the 4 bytes null (T05) */
	ck_assert_int_eq(classify(200, "application/json", "null", &e, &o), MS_OK);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(classify(200, "application/json", "[]", &e, &o), MS_OK);
	ck_assert(json_object_is_type(o, json_type_array));
	json_object_put(o);
	ck_assert_int_eq(classify(200, "application/json", "[{\"id\":3,\"username\":\"u3\"}]\n", &e, &o), MS_OK);
	ck_assert_int_eq(json_object_array_length(o), 1);
	json_object_put(o);
	ck_assert_int_eq(classify(200, "application/json", "12", &e, &o), MS_OK);
	json_object_put(o);
}
END_TEST

START_TEST(test_classify_moodle_errors)
{
	moodle_error e;
	json_object *o;
	ck_assert_int_eq(classify(200, "application/json",
		"{\"exception\":\"core\\\\exception\\\\moodle_exception\",\"errorcode\":\"invalidtoken\","
		"\"message\":\"Invalid token - token not found\"}", &e, &o), MS_MOODLE_ERROR);
	ck_assert_str_eq(e.exception, "moodle_exception");
	ck_assert_str_eq(e.errorcode, "invalidtoken");
	ck_assert_str_eq(e.message, "Invalid token - token not found");
	ck_assert_str_eq(e.debuginfo, "");
	ck_assert(!moodle_error_transient(&e));
	/* not namespaced in 4.5, with debuginfo (T18) */
	ck_assert_int_eq(classify(200, "application/json",
		"{\"exception\":\"dml_write_exception\",\"errorcode\":\"dmlwriteexception\","
		"\"message\":\"Error writing to database\",\"debuginfo\":\"deadlock detected\"}", &e, &o),
		MS_MOODLE_ERROR);
	ck_assert_str_eq(e.exception, "dml_write_exception");
	ck_assert_str_eq(e.debuginfo, "deadlock detected");
	ck_assert(moodle_error_transient(&e));
	char buf[512];
	ck_assert_str_eq(moodle_error_text(&e, buf, sizeof buf),
			 "dml_write_exception/dmlwriteexception: Error writing to database (deadlock detected)");
	/* a PHP Error has no errorcode (T07: the ids trap) */
	ck_assert_int_eq(classify(200, "application/json",
		"{\"exception\":\"Error\",\"message\":\"Attempt to assign property \\\"contextvalidated\\\" on null\"}",
		&e, &o), MS_PHP_ERROR);
	ck_assert_str_eq(e.exception, "Error");
	/* an error is an error whatever the HTTP status */
	ck_assert_int_eq(classify(500, "application/json",
		"{\"exception\":\"core\\\\exception\\\\invalid_parameter_exception\",\"errorcode\":\"invalidparameter\","
		"\"message\":\"Invalid parameter value detected\"}", &e, &o), MS_MOODLE_ERROR);
	/* the password policy's errorcode is HTML (T03) */
	ck_assert_int_eq(classify(200, "application/json",
		"{\"exception\":\"core\\\\exception\\\\moodle_exception\",\"errorcode\":\"<div>Passwords must have "
		"at least 1 digit(s).<\\/div>\",\"message\":\"error\\/<div>...<\\/div>\"}", &e, &o), MS_MOODLE_ERROR);
	ck_assert_str_eq(e.errorcode, "<div>Passwords must have at least 1 digit(s).</div>");
}
END_TEST

START_TEST(test_classify_transport_and_http)
{
	moodle_error e;
	json_object *o;
	/* nginx's 504 while PHP goes on (§1.9) */
	ck_assert_int_eq(classify(504, "text/html", "<html><head><title>504 Gateway Time-out</title>", &e, &o),
			 MS_HTTP_ERROR);
	ck_assert_int_eq(e.http, 504);
	ck_assert(moodle_error_transient(&e));
	ck_assert_int_eq(classify(413, "text/html", "<html>413</html>", &e, &o), MS_HTTP_ERROR);
	ck_assert(!moodle_error_transient(&e));
	ck_assert_int_eq(classify(403, "text/html", "", &e, &o), MS_HTTP_ERROR);
	ck_assert(!moodle_error_transient(&e));
	/* the default format is XML (T07) */
	ck_assert_int_eq(classify(200, "application/xml; charset=utf-8",
				  "<?xml version=\"1.0\"?><EXCEPTION class=\"moodle_exception\"/>", &e, &o), MS_BAD_REPLY);
	/* a body cut short, a PHP warning before the JSON */
	ck_assert_int_eq(classify(200, "application/json", "[{\"id\":3,\"user", &e, &o), MS_BAD_REPLY);
	ck_assert(moodle_error_transient(&e));
	ck_assert_int_eq(classify(200, "application/json", "<b>Warning</b>: x\n[{\"id\":3}]", &e, &o), MS_BAD_REPLY);
	ck_assert_int_eq(classify(200, "application/json", "", &e, &o), MS_BAD_REPLY);
	ck_assert_int_eq(classify(200, "application/json", "[1] [2]", &e, &o), MS_BAD_REPLY);
	moodle_error_transport(&e, 7, false, "Couldn't connect to server");
	ck_assert_int_eq(e.status, MS_TRANSPORT);
	ck_assert(!e.connected);
	ck_assert(moodle_error_transient(&e));
}
END_TEST

START_TEST(test_token_file_must_be_private)
{
	char path[] = "/tmp/ims2moodle-token-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "  s3cr3ttoken0123456789abcdef \nsecond line\n", 43), 43);
	close(fd);
	char *token = NULL;
	errinfo e;
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(moodle_read_token_file(path, &token, &e), -EXIT_CONFIG);
	ck_assert(strstr(e.msg, "can be read by group or others (mode 644)") != NULL);
	ck_assert(strstr(e.msg, "chmod 600") != NULL);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(moodle_read_token_file(path, &token, &e), 0);
	ck_assert_str_eq(token, "s3cr3ttoken0123456789abcdef");
	/* a registered token never reaches a log line */
	log_add_secret(token);
	char line[200];
	snprintf(line, sizeof line, "GET /webservice/rest/server.php?wstoken=%s&wsfunction=x", token);
	log_redact(line);
	ck_assert_str_eq(line, "GET /webservice/rest/server.php?wstoken=***&wsfunction=x");
	free(token);
	unlink(path);
}
END_TEST

START_TEST(test_requests_over_the_budget_are_never_sent)
{
	moodle_options o = { 0 };
	o.url = "http://127.0.0.1:9";
	o.token = "t0123456789";
	o.field_budget = 20;
	moodle_client *c;
	errinfo e;
	ck_assert_int_eq(moodle_client_new(&o, &c, &e), 0);
	ck_assert_uint_eq(moodle_param_budget(c), 16); /* 4 header pairs */
	moodle_request *r = moodle_request_new("core_user_get_users_by_field", false);
	for (int i = 0; i < 17; i++)
		mform_add_int(&r->form, i, "values[%d]", i);
	ck_assert_int_eq(moodle_submit(c, r, &e), -EXIT_SOFTWARE);
	ck_assert(strstr(e.msg, "17 fields is over the budget of 16") != NULL);
	ck_assert_uint_eq(moodle_requests_sent(c), 0);
	moodle_request_free(r);
	moodle_client_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("moodle");
	TCase *tc = tcase_create("moodle");
	tcase_add_test(tc, test_form_brackets_escaping_and_count);
	tcase_add_test(tc, test_classify_success_bodies);
	tcase_add_test(tc, test_classify_moodle_errors);
	tcase_add_test(tc, test_classify_transport_and_http);
	tcase_add_test(tc, test_token_file_must_be_private);
	tcase_add_test(tc, test_requests_over_the_budget_are_never_sent);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

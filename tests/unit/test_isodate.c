/* test_isodate.c -- unit tests of isodate: the date forms IMS files write
 * (reference §3 "Dates and times", §2.2, §8 #57, #60, #82), what is refused,
 * the order of values with and without zones, and Unix times in a site time
 * zone with IMS end dates inclusive to 23:59:59. Expected Unix times were
 * computed independently (Python's zoneinfo). */
#include "config.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "isodate.h"
#include "check_main.h"

static isodate parse_ok(const char *s)
{
	isodate d;
	ck_assert_msg(isodate_parse(s, strlen(s), &d), "'%s' should be read", s);
	return d;
}

static void parse_refused(const char *s)
{
	isodate d;
	ck_assert_msg(!isodate_parse(s, strlen(s), &d), "'%s' should be refused", s);
}

static int64_t unix_of(const char *s, const char *tz, bool end_of_day)
{
	isodate d = parse_ok(s);
	int64_t t = 0;
	ck_assert_int_eq(isodate_to_unix(&d, tz, end_of_day, &t), 0);
	return t;
}

START_TEST(test_date)
{
	isodate d = parse_ok("2005-12-25");
	ck_assert_int_eq(d.year, 2005);
	ck_assert_int_eq(d.month, 12);
	ck_assert_int_eq(d.day, 25);
	ck_assert(!d.has_time);
	ck_assert(!d.has_zone);
	/* surrounding ASCII whitespace, as padded IMS text has it */
	d = parse_ok("  2001-08-08\n");
	ck_assert_int_eq(d.year, 2001);
	ck_assert_int_eq(d.day, 8);
	/* leap days */
	parse_ok("2024-02-29");
	parse_ok("2000-02-29");
	/* the size of the text is n, not the NUL */
	ck_assert(isodate_parse("2005-12-25junk", 10, &d));
}
END_TEST

START_TEST(test_date_time)
{
	isodate d = parse_ok("2007-03-10T10:02:01");   /* PIFU */
	ck_assert(d.has_time);
	ck_assert(!d.has_zone);
	ck_assert_int_eq(d.hour, 10);
	ck_assert_int_eq(d.minute, 2);
	ck_assert_int_eq(d.second, 1);
	d = parse_ok("2005-12-25T17:30");             /* seconds are optional */
	ck_assert_int_eq(d.minute, 30);
	ck_assert_int_eq(d.second, 0);
	d = parse_ok("2005-12-25 17:30:00");          /* SQL style */
	ck_assert(d.has_time);
	d = parse_ok("2005-12-25T17:30:00.250");      /* fractions are read and dropped */
	ck_assert_int_eq(d.second, 0);
	ck_assert(!d.has_zone);
	parse_ok("2005-12-25T17:30:00,5");
	parse_ok("2005-12-25T24:00:00");              /* ISO 8601's end of the day */
}
END_TEST

START_TEST(test_zones)
{
	isodate d = parse_ok("2005-12-25T17:30:00Z");
	ck_assert(d.has_zone);
	ck_assert_int_eq(d.zone_offset, 0);
	d = parse_ok("2005-08-15T15:52:01+0000");     /* PHP DATE_ISO8601 (WebCT) */
	ck_assert(d.has_zone);
	ck_assert_int_eq(d.zone_offset, 0);
	d = parse_ok("2005-12-25T17:30:00+01:00");
	ck_assert_int_eq(d.zone_offset, 3600);
	d = parse_ok("2005-12-25T17:30:00.125+0530");
	ck_assert_int_eq(d.zone_offset, 5 * 3600 + 30 * 60);
	d = parse_ok("2005-12-25T17:30-05");
	ck_assert_int_eq(d.zone_offset, -5 * 3600);
}
END_TEST

START_TEST(test_sql_style_zone)
{
	/* Cerebrum writes strftime("%F %T %z") (reference §2.2): in the SQL
	 * style (a space for the T) a space may precede a numeric zone */
	isodate d = parse_ok("2008-06-01 13:45:00 +0200");
	ck_assert(d.has_time && d.has_zone);
	ck_assert_int_eq(d.hour, 13);
	ck_assert_int_eq(d.zone_offset, 7200);
	d = parse_ok("2008-06-01 13:45 -03:30");
	ck_assert_int_eq(d.zone_offset, -(3 * 3600 + 30 * 60));
	ck_assert_int_eq(unix_of("2008-06-01 13:45:00 +0200", "Europe/Oslo", false), 1212320700);
	/* only there, only one space, and only before a numeric zone */
	parse_refused("2008-06-01T13:45:00 +0200");
	parse_refused("2008-06-01 13:45:00  +0200");
	parse_refused("2008-06-01 13:45:00 Z");
	parse_refused("2008-06-01 13:45:00 +");
	parse_refused("2008-06-01 +0200");
}
END_TEST

START_TEST(test_refused)
{
	static const char *const bad[] = {
		"", "   ", "20051225",                 /* ISO 8601 basic form: not read (Moodle neither) */
		"25/12/2005", "12/25/2005", "28/Oct/2005", "28-oct-2003#16:06:02",
		"2012-09-06   11:31:27AM",               /* Colleague */
		"2026-02-30", "2023-02-29", "2100-02-29", "2005-13-01", "2005-00-10", "2005-12-00",
		"2005-12-32", "2005-1-05", "05-12-25", "2005/12/25", "2005-12-25T", "2005-12-25T17",
		"2005-12-25T17:3", "2005-12-25T25:00", "2005-12-25T24:30", "2005-12-25T17:60",
		"2005-12-25T17:30:61", "2005-12-25T17:30:00.", "2005-12-25T17:30:00+1",
		"2005-12-25T17:30:00+24:00", "2005-12-25T17:30:00+01:60", "2005-12-25T17:30:00 Z",
		"2005-12-25X17:30", "2005-12-25 junk", "September 2005", "2005-12-25T17:30:00+01:00:00",
		"2005-12-25Z", "2005-12-25+01:00", "20051225T173000Z", "2005-12-25T17:30:00UTC",
		"2005-12-25T17:30:00ZZ", "+2005-12-25", "02005-12-25",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		parse_refused(bad[i]);
}
END_TEST

START_TEST(test_order)
{
	isodate a = parse_ok("2005-09-01"), b = parse_ok("2005-12-25");
	ck_assert_int_lt(isodate_cmp(&a, &b), 0);
	ck_assert_int_gt(isodate_cmp(&b, &a), 0);
	ck_assert_int_eq(isodate_cmp(&a, &a), 0);
	/* the same instant in two zones */
	a = parse_ok("2005-09-01T10:00:00+02:00");
	b = parse_ok("2005-09-01T08:00:00Z");
	ck_assert_int_eq(isodate_cmp(&a, &b), 0);
	/* 10:00 at +02 is before 09:00 UTC (§8 #58 begin after end) */
	b = parse_ok("2005-09-01T09:00:00Z");
	ck_assert_int_lt(isodate_cmp(&a, &b), 0);
	/* a date is its midnight */
	a = parse_ok("2005-09-01");
	b = parse_ok("2005-09-01T00:00:00");
	ck_assert_int_eq(isodate_cmp(&a, &b), 0);
}
END_TEST

START_TEST(test_unix_utc)
{
	ck_assert_int_eq(unix_of("2005-12-25", NULL, false), 1135468800);
	ck_assert_int_eq(unix_of("2005-12-25", "", false), 1135468800);
	ck_assert_int_eq(unix_of("2005-12-25", "UTC", false), 1135468800);
	/* an end date is inclusive: 23:59:59 of that day (§3, §8 #57) */
	ck_assert_int_eq(unix_of("2005-12-25", NULL, true), 1135555199);
	/* a time given is kept also for an end */
	ck_assert_int_eq(unix_of("2005-12-25T17:30:00+01:00", NULL, true), 1135528200);
	ck_assert_int_eq(unix_of("2005-08-15T15:52:01+0000", "Europe/Oslo", false), 1124121121);
	ck_assert_int_eq(unix_of("2005-12-25 17:30-05", "Europe/Oslo", false), 1135549800);
	ck_assert_int_eq(unix_of("1969-12-31T23:59:59", NULL, false), -1);
	/* 24:00 is the next day's first second; 23:59:60 a leap second */
	ck_assert_int_eq(unix_of("2005-12-25T24:00:00", NULL, false), 1135555200);
	ck_assert_int_eq(unix_of("2005-12-31T23:59:60Z", NULL, false), 1136073600);
}
END_TEST

START_TEST(test_unix_site_zone)
{
	/* a date without a zone is the site's (Oslo: +01 in winter, +02 in summer) */
	ck_assert_int_eq(unix_of("2005-12-25", "Europe/Oslo", false), 1135465200);
	ck_assert_int_eq(unix_of("2005-12-25", "Europe/Oslo", true), 1135551599);
	ck_assert_int_eq(unix_of("2026-07-01", "Europe/Oslo", false), 1782856800);
	ck_assert_int_eq(unix_of("2026-07-01", "Europe/Oslo", true), 1782943199);
	ck_assert_int_eq(unix_of("2024-02-29", "Europe/Oslo", false), 1709161200);
	/* the days the clocks change: the offset of the moment meant, not of
	 * midnight (Oslo goes to +02 at 02:00 on 2026-03-29, back on 10-25) */
	ck_assert_int_eq(unix_of("2026-03-29", "Europe/Oslo", false), 1774738800);
	ck_assert_int_eq(unix_of("2026-03-29", "Europe/Oslo", true), 1774821599);
	ck_assert_int_eq(unix_of("2026-10-25", "Europe/Oslo", true), 1792969199);
	ck_assert_int_eq(unix_of("2026-12-18", "America/New_York", true), 1797656399);
	/* TZ of the process is left as it was */
	setenv("TZ", "America/New_York", 1);
	(void)unix_of("2005-12-25", "Europe/Oslo", false);
	ck_assert_str_eq(getenv("TZ"), "America/New_York");
	unsetenv("TZ");
	(void)unix_of("2005-12-25", "Europe/Oslo", false);
	ck_assert_ptr_null(getenv("TZ"));
}
END_TEST

START_TEST(test_unix_unknown_zone)
{
	isodate d = parse_ok("2005-12-25");
	int64_t t = 42;
	ck_assert_int_eq(isodate_to_unix(&d, "Mars/Olympus_Mons", false, &t), -1);
	/* glibc would read any other unknown name as a POSIX zone without
	 * offset, i.e. UTC, shifting every date without a word: refused too */
	static const char *const unknown[] = { "Oslo", "Nowhere", "Europe", ":",
					       "../../../etc/passwd", "Europe/../Europe/Oslo" };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		ck_assert_msg(isodate_to_unix(&d, unknown[i], false, &t) == -1, "zone '%s'", unknown[i]);
	}
	ck_assert_int_eq(t, 42);
	ck_assert_int_eq(isodate_to_unix(&d, ":Europe/Oslo", false, &t), 0);
	ck_assert_int_eq(t, 1135465200);
	/* a value with its own zone needs no site zone */
	d = parse_ok("2005-12-25T00:00:00Z");
	ck_assert_int_eq(isodate_to_unix(&d, "Mars/Olympus_Mons", false, &t), 0);
	ck_assert_int_eq(t, 1135468800);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("isodate");
	TCase *tc = tcase_create("isodate");
	tcase_add_test(tc, test_date);
	tcase_add_test(tc, test_date_time);
	tcase_add_test(tc, test_zones);
	tcase_add_test(tc, test_sql_style_zone);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_unix_utc);
	tcase_add_test(tc, test_unix_site_zone);
	tcase_add_test(tc, test_unix_unknown_zone);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

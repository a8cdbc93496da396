/* isodate.c -- ISO 8601 date parsing and conversion (see isodate.h). */
#include "config.h"
#include "isodate.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static bool digits(const char *s, size_t n, int count, int *out)
{
	int v = 0;
	if ((size_t)count > n)
		return false;
	for (int i = 0; i < count; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static bool parse_zone(const char *s, size_t n, isodate *d)
{
	int hh, mm = 0;
	if (n == 1 && (s[0] == 'Z' || s[0] == 'z')) {
		d->has_zone = true;
		d->zone_offset = 0;
		return true;
	}
	if (n < 3 || (s[0] != '+' && s[0] != '-'))
		return false;
	if (!digits(s + 1, n - 1, 2, &hh) || hh > 23)
		return false;
	if (n == 6 && s[3] == ':') {
		if (!digits(s + 4, 2, 2, &mm))
			return false;
	} else if (n == 5) {
		if (!digits(s + 3, 2, 2, &mm))
			return false;
	} else if (n != 3) {
		return false;
	}
	if (mm > 59)
		return false;
	d->has_zone = true;
	d->zone_offset = (s[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
	return true;
}

bool isodate_parse(const char *s, size_t n, isodate *d)
{
	memset(d, 0, sizeof *d);
	str_trim_span(&s, &n);
	if (n < 10 || !digits(s, n, 4, &d->year) || s[4] != '-' ||
	    !digits(s + 5, n - 5, 2, &d->month) || s[7] != '-' ||
	    !digits(s + 8, n - 8, 2, &d->day))
		return false;
	if (d->month < 1 || d->month > 12 || d->day < 1 ||
	    d->day > days_in_month(d->year, d->month))
		return false;
	if (n == 10)
		return true;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return false;
	const char *p = s + 11;
	size_t left = n - 11;
	if (!digits(p, left, 2, &d->hour) || left < 5 || p[2] != ':' ||
	    !digits(p + 3, left - 3, 2, &d->minute))
		return false;
	p += 5;
	left -= 5;
	if (left >= 3 && p[0] == ':') {
		if (!digits(p + 1, left - 1, 2, &d->second))
			return false;
		p += 3;
		left -= 3;
		if (left && (p[0] == '.' || p[0] == ',')) {
			size_t k = 1;
			while (k < left && p[k] >= '0' && p[k] <= '9')
				k++;
			if (k == 1)
				return false;
			p += k;
			left -= k;
		}
	}
	if (d->hour > 24 || d->minute > 59 || d->second > 60 ||
	    (d->hour == 24 && (d->minute || d->second)))
		return false;
	d->has_time = true;
	/* SQL-style exports write the zone after a space too: Cerebrum's
	 * strftime("%F %T %z") gives "2008-06-01 13:45:00 +0200" (reference §2.2) */
	if (s[10] == ' ' && left > 1 && p[0] == ' ' && (p[1] == '+' || p[1] == '-')) {
		p++;
		left--;
	}
	return left == 0 || parse_zone(p, left, d);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const int64_t yoe = y - era * 400;
	const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t fields_as_utc(const isodate *d, bool end_of_day)
{
	int h = d->hour, mi = d->minute, s = d->second;
	if (!d->has_time && end_of_day) {
		h = 23;
		mi = 59;
		s = 59;
	}
	return days_from_civil(d->year, d->month, d->day) * 86400 + h * 3600 + mi * 60 + s;
}

int isodate_cmp(const isodate *a, const isodate *b)
{
	int64_t x = fields_as_utc(a, false) - (a->has_zone ? a->zone_offset : 0);
	int64_t y = fields_as_utc(b, false) - (b->has_zone ? b->zone_offset : 0);
	return x < y ? -1 : x > y;
}

/* Offset of zone tz from UTC at the wall-clock time `local` (seconds east),
 * found with the C library's zone database. */
static int zone_offset_at(const char *tz, int64_t local, int *offset)
{
	char *saved = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
	char path[512];
	int rc = 0;

	/* Only a zone of the database: glibc reads any other name ("Oslo",
	 * "Nowhere") as a POSIX zone without offset, i.e. as UTC, which would
	 * shift every date without a word. */
	const char *name = tz[0] == ':' ? tz + 1 : tz;
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
	struct stat st;
	if (!*name || strstr(name, "..") || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		free(saved);
		return -1;
	}
	setenv("TZ", tz, 1);
	tzset();
	/* Two passes settle the offset near DST changes. */
	time_t guess = (time_t)local;
	struct tm tm;
	int off = 0;
	for (int i = 0; i < 2; i++) {
		if (!localtime_r(&guess, &tm)) {
			rc = -1;
			break;
		}
		off = (int)tm.tm_gmtoff;
		guess = (time_t)(local - off);
	}
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	*offset = off;
	return rc;
}

int isodate_to_unix(const isodate *d, const char *tz, bool end_of_day, int64_t *out)
{
	int64_t local = fields_as_utc(d, end_of_day);
	int off = 0;

	if (d->has_zone)
		off = d->zone_offset;
	else if (tz && *tz && strcmp(tz, "UTC") != 0 && zone_offset_at(tz, local, &off) < 0)
		return -1;
	*out = local - off;
	return 0;
}

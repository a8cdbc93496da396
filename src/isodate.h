/* isodate.h -- ISO 8601 dates and date-times as IMS files write them
 * (reference §3 "Dates and times", §8 #57): YYYY-MM-DD, or a date-time
 * YYYY-MM-DDThh:mm[:ss[.fff]] with an optional zone Z, +hh, +hhmm, +hh:mm.
 * A space instead of the T is accepted too (SQL-style exports), and then
 * also a space before a numeric zone ("2008-06-01 13:45:00 +0200"). */
#ifndef IMS2MOODLE_ISODATE_H
#define IMS2MOODLE_ISODATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct isodate {
	int year, month, day;
	int hour, minute, second;
	bool has_time;
	bool has_zone;
	int zone_offset;      /* seconds east of UTC, when has_zone */
} isodate;

/* Parses s[0..n) (surrounding ASCII whitespace allowed). Returns true and
 * fills d when it is a valid ISO 8601 date or date-time (calendar checked:
 * no 2023-02-30); false otherwise (d is then unspecified). */
bool isodate_parse(const char *s, size_t n, isodate *d);

/* Orders two parsed values. Values without a zone compare by their fields;
 * mixed values compare as if the zoneless one were UTC. Returns <0, 0, >0. */
int isodate_cmp(const isodate *a, const isodate *b);

/* Converts to a Unix time. A value without a zone is read in the time zone
 * tz (an IANA name such as "Europe/Oslo"; NULL or "" = UTC). With
 * end_of_day, a date without a time means 23:59:59 of that day (IMS end
 * dates are inclusive). Returns 0 and sets *out, or -1 if tz is unknown. */
int isodate_to_unix(const isodate *d, const char *tz, bool end_of_day, int64_t *out);

#endif

/* country.h -- a person's adr/country, as SIS exports write it (an ISO
 * 3166-1 alpha-2 or alpha-3 code in any case, or an English name), to the
 * alpha-2 code Moodle stores (reference §8 #67). */
#ifndef IMS2MOODLE_COUNTRY_H
#define IMS2MOODLE_COUNTRY_H

/* The upper-case alpha-2 code of text, or NULL when it names no country
 * ISO 3166-1 knows. Leading and trailing spaces and case are ignored. */
const char *country_code(const char *text);

#endif

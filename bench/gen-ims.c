/* gen-ims.c -- writes a synthetic IMS Enterprise 1.1 file of a university,
 * deterministically from a seed and in constant memory (it streams: a
 * 1 GB file costs no more than a small one). Same options and seed, same
 * bytes. `--night N` writes the same university N nights later, with a share
 * (`--change-fraction`) of its members withdrawn, newly enrolled or moved to
 * another role each night; `--delta` writes only that night's changes.
 *
 * Every record is drawn from its own random stream (a person's from its
 * index, a group's members from the group's index, a night's change of one
 * member from the night, group and slot), so a change of one option or
 * night never moves any record it does not concern. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define EX_USAGE 64
#define EX_CANTCREAT 73
#define EX_IOERR 74

typedef struct rng {
	uint64_t s;
} rng;

/* splitmix64: good enough spread, trivially reproducible everywhere */
static uint64_t next(rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(rng *r, uint64_t n)
{
	return n ? next(r) % n : 0;
}

static double unit(rng *r)
{
	return (double)(next(r) >> 11) / 9007199254740992.0;
}

/* The random stream of one record: the seed, what kind of record (a small
 * constant) and up to two indexes, mixed so that neighbouring indexes give
 * unrelated streams. */
static rng stream(uint64_t seed, uint64_t kind, uint64_t a, uint64_t b)
{
	rng r = { seed };
	r.s = next(&r) ^ kind * 0xd1b54a32d192ed03ULL;
	r.s = next(&r) ^ a;
	r.s = next(&r) ^ b;
	return r;
}

enum { S_PERSON = 1, S_GROUP, S_MEMBERS, S_NIGHT };

typedef struct opts {
	long persons, groups, members;
	uint64_t seed;
	long night;
	bool delta;
	double withdraw, change, recstatus, delete;
	const char *roles;
	bool latin1;
	const char *ns;
	bool one_line;
	long categories;
	const char *output;
} opts;

/* The role mix: "01:90,02:8,08:2" -> cumulative weights. */
typedef struct mix {
	char code[8][3];
	double cum[8];
	int n;
} mix;

/* The writer: the output, the options, and the line ends and indentation
 * (none with --one-line). */
typedef struct out {
	FILE *f;
	const opts *o;
	const mix *roles;
	const char *nl;
	const char *ind[4]; /* indentation of depth 1..3 (ind[0] is "") */
} out;

static const char *const given_names[] = {
	"Ada", "Björn", "Chau", "Diego", "Eva", "Fatima", "Gustav", "Hana", "Ingrid", "Jonas",
	"Kwame", "Léa", "Mateo", "Nadia", "Olav", "Priya", "Quentin", "Rosa", "Søren", "Tariq",
	"Łukasz", "Zoë", "Şebnem", "Ngọc",
};
static const char *const family_names[] = {
	"Okafor", "Müller", "Nguyen", "García", "Hansen", "Khan", "Larsen", "Sato", "Berg", "Smith",
	"Mensah", "Dubois", "Rossi", "Ivanova", "Nilsen", "Patel", "Moreau", "Silva", "Kristensen",
	"Haddad", "O'Brien", "Ødegård", "Dvořák", "Trần",
};
static const char *const towns[] = {
	"Springfield", "Fairview", "Riverside", "Greenville", "Kingsport", "Ashford",
};

/* A department: the category of its courses (faculty, then department). */
typedef struct subject {
	const char *code, *name, *faculty;
} subject;

static const subject subjects[] = {
	{ "CHEM", "Chemistry", "Science" },
	{ "PHYS", "Physics", "Science" },
	{ "MATH", "Mathematics", "Science" },
	{ "BIOL", "Biology", "Science" },
	{ "COMP", "Computer Science", "Engineering" },
	{ "ELEC", "Electrical Engineering", "Engineering" },
	{ "RDEV", "Research & Development", "Engineering" },
	{ "HIST", "History", "Humanities" },
	{ "PHIL", "Philosophy", "Humanities" },
	{ "FREN", "French Language & Literature", "Humanities" },
	{ "MUSC", "Music", "Arts" },
	{ "ECON", "Economics", "Social Sciences" },
	{ "ETHG", "Ethics & Governance", "Social Sciences" },
	{ "PSYC", "Psychology", "Social Sciences" },
	{ "LAWS", "Law", "Law" },
	{ "NURS", "Nursing", "Health Sciences" },
};
#define N_SUBJECTS ((long)(sizeof subjects / sizeof subjects[0]))
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const levels[] = { "Introduction to", "Intermediate", "Advanced", "Seminar in" };

static const char *const SOURCE = "Generated SIS";

static int parse_mix(const char *s, mix *m)
{
	double total = 0;
	m->n = 0;
	while (*s && m->n < 8) {
		char code[3] = { 0 };
		double w;
		int used;
		if (sscanf(s, "%2[0-9]:%lf%n", code, &w, &used) != 2 || strlen(code) != 2 || w < 0)
			return -1;
		memcpy(m->code[m->n], code, 3);
		total += w;
		m->cum[m->n++] = total;
		s += used;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	if (*s || !m->n || total <= 0)
		return -1;
	for (int i = 0; i < m->n; i++)
		m->cum[i] /= total;
	return 0;
}

static const char *pick_role(rng *r, const mix *m)
{
	double u = unit(r);
	for (int i = 0; i < m->n; i++)
		if (u < m->cum[i])
			return m->code[i];
	return m->code[m->n - 1];
}

/* Decodes one UTF-8 sequence at *p (the generator's own, valid strings) and
 * advances past it. */
static unsigned long utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned long c = *s;
	int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
	if (more)
		c &= 0x3F >> more;
	s++;
	while (more-- > 0 && (*s & 0xC0) == 0x80)
		c = (c << 6) | (*s++ & 0x3F);
	*p = s;
	return c;
}

/* Writes the UTF-8 string s as XML character data (or, with attr, as an
 * attribute value in double quotes) in the output encoding: UTF-8 as is;
 * ISO-8859-1 as Latin-1 bytes, and a character reference for any character
 * Latin-1 does not have. */
static void put_escaped(const out *w, const char *s, bool attr)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		const unsigned char *start = p;
		unsigned long c = utf8_next(&p);
		if (c == '&')
			fputs("&amp;", w->f);
		else if (c == '<')
			fputs("&lt;", w->f);
		else if (c == '>')
			fputs("&gt;", w->f);
		else if (attr && c == '"')
			fputs("&quot;", w->f);
		else if (c < 0x80 || !w->o->latin1)
			fwrite(start, 1, (size_t)(p - start), w->f);
		else if (c < 0x100)
			fputc((int)c, w->f);
		else
			fprintf(w->f, "&#%lu;", c);
	}
}

static void put_text(const out *w, const char *s)
{
	put_escaped(w, s, false);
}

/* <sourcedid><source>Generated SIS</source><id>ID</id></sourcedid> */
static void put_sourcedid(const out *w, char kind, long n, bool section)
{
	fprintf(w->f, "<sourcedid><source>%s</source><id>", SOURCE);
	if (section)
		fprintf(w->f, "S%06ld.2026S", n);
	else
		fprintf(w->f, "%c%07ld", kind, n);
	fputs("</id></sourcedid>", w->f);
}

/* The recstatus attribute of a record drawn from r: " recstatus=\"3\"" for
 * the delete fraction, "2" for the recstatus fraction, else nothing. */
static char draw_recstatus(rng *r, const opts *o)
{
	double u = unit(r);
	return u < o->delete ? '3' : u < o->delete + o->recstatus ? '2' : 0;
}

static void put_recstatus(const out *w, char rs)
{
	if (rs)
		fprintf(w->f, " recstatus=\"%c\"", rs);
}

/* The date `days` days after 2026-01-12, as YYYY-MM-DD. */
static void date_after(long days, char buf[11])
{
	struct tm tm = { .tm_year = 126, .tm_mon = 0, .tm_mday = 12 + (int)days, .tm_hour = 12 };
	mktime(&tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}

static void write_properties(const out *w)
{
	char day[11];
	date_after(w->o->night, day);
	fprintf(w->f, "%s<properties lang=\"en\"><datasource>%s</datasource><target>Moodle</target>"
		      "<type>DATABASE UPDATE</type><datetime>%sT02:00:00</datetime></properties>%s",
		w->ind[1], SOURCE, day, w->nl);
}

/* A few persons have a telephone and an address, in DTD order after email. */
static void write_contact(const out *w, long i)
{
	if (i % 20 != 7)
		return;
	fprintf(w->f, "%s<tel teltype=\"1\">+1 555 01%02ld %04ld</tel>%s", w->ind[2], i / 10000 % 100,
		i % 10000, w->nl);
	fprintf(w->f, "%s<tel teltype=\"Mobile\">+1 555 02%02ld %04ld</tel>%s", w->ind[2], i / 10000 % 100,
		i % 10000, w->nl);
	fprintf(w->f, "%s<adr><street>%ld College Road</street><locality>%s</locality>"
		      "<pcode>%05ld</pcode><country>US</country></adr>%s",
		w->ind[2], 1 + i % 200, towns[i % N_OF(towns)], 10000 + i % 90000, w->nl);
}

static void write_person(const out *w, long i)
{
	rng r = stream(w->o->seed, S_PERSON, (uint64_t)i, 0);
	const char *g = given_names[below(&r, N_OF(given_names))];
	const char *fam = family_names[below(&r, N_OF(family_names))];
	FILE *f = w->f;

	fprintf(f, "%s<person", w->ind[1]);
	put_recstatus(w, draw_recstatus(&r, w->o));
	fprintf(f, ">%s%s", w->nl, w->ind[2]);
	put_sourcedid(w, 'P', i, false);
	fprintf(f, "%s%s<userid useridtype=\"Logon ID\">u%07ld</userid>%s", w->nl, w->ind[2], i, w->nl);
	fprintf(f, "%s<name><fn>", w->ind[2]);
	put_text(w, g);
	fputc(' ', f);
	put_text(w, fam);
	fputs("</fn><n><family>", f);
	put_text(w, fam);
	fputs("</family><given>", f);
	put_text(w, g);
	fprintf(f, "</given></n></name>%s", w->nl);
	fprintf(f, "%s<email>u%07ld@university.example.edu</email>%s", w->ind[2], i, w->nl);
	write_contact(w, i);
	if (i % 10 == 0)
		fprintf(f, "%s<institutionrole primaryrole=\"Yes\" institutionroletype=\"%s\"/>%s",
			w->ind[2], i % 50 == 0 ? "Faculty" : "Student", w->nl);
	fprintf(f, "%s</person>%s", w->ind[1], w->nl);
}

/* The department of group g and the course's number and section within it.
 * Departments beyond the sixteen subjects repeat them on other campuses;
 * short names are unique for every group. */
typedef struct course {
	const subject *subj;
	long campus, number, section;
} course;

static course course_of(const opts *o, long g)
{
	long d = g % o->categories, k = g / o->categories;
	/* k -> (number, section) is one to one: 37 is prime to 400 */
	course c = { &subjects[d % N_SUBJECTS], d / N_SUBJECTS + 1, 100 + (k % 400 * 37 + 1) % 400,
		     k / 400 + 1 };
	return c;
}

static void write_org(const out *w, const course *c)
{
	fputs("<org><orgname>Generated University</orgname>", w->f);
	if (c->campus > 1)
		fprintf(w->f, "<orgunit>Campus %ld</orgunit>", c->campus);
	fputs("<orgunit>Faculty of ", w->f);
	put_text(w, c->subj->faculty);
	fputs("</orgunit><orgunit>", w->f);
	put_text(w, c->subj->name);
	fputs("</orgunit></org>", w->f);
}

static void write_group(const out *w, long g)
{
	rng r = stream(w->o->seed, S_GROUP, (uint64_t)g, 0);
	course c = course_of(w->o, g);
	char code[16];
	FILE *f = w->f;

	snprintf(code, sizeof code, c.campus > 1 ? "%s%ld" : "%s", c.subj->code, c.campus);
	fprintf(f, "%s<group", w->ind[1]);
	put_recstatus(w, draw_recstatus(&r, w->o));
	fprintf(f, ">%s%s", w->nl, w->ind[2]);
	put_sourcedid(w, 'S', g, true);
	fprintf(f, "%s%s<grouptype><scheme>Generated</scheme><typevalue level=\"1\">CourseSection"
		   "</typevalue></grouptype>%s", w->nl, w->ind[2], w->nl);
	fprintf(f, "%s<description><short>%s%03ld-%02ld</short><long>", w->ind[2], code, c.number, c.section);
	put_text(w, c.subj->name);
	fprintf(f, " %ld</long><full>%s ", c.number, levels[(c.number / 100 - 1) % 4]);
	put_text(w, c.subj->name);
	fprintf(f, " (%s%03ld, section %02ld, Spring 2026)</full></description>%s%s", code, c.number,
		c.section, w->nl, w->ind[2]);
	write_org(w, &c);
	fprintf(f, "%s%s<timeframe><begin restrict=\"1\">2026-01-19</begin><end restrict=\"1\">2026-05-15"
		   "</end></timeframe>%s", w->nl, w->ind[2], w->nl);
	fprintf(f, "%s</group>%s", w->ind[1], w->nl);
}

/* One member slot of a group as of some night. */
typedef struct slot {
	long person;
	const char *role;
	bool active;
	char recstatus;
	bool late; /* enrolled late: the role has its own timeframe */
} slot;

/* The members of a group are distinct persons: the j-th is
 * (first + j * stride) mod persons with stride prime to persons, so the
 * first `persons` of them never repeat. Slots 0..M-1 are the group's own;
 * a new enrolment at night n in slot k takes j = n * M + k. */
typedef struct roster {
	uint64_t first, stride;
} roster;

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static roster roster_of(rng *r, long persons)
{
	roster ro = { below(r, (uint64_t)persons), 1 };
	if (persons > 2)
		do
			ro.stride = 1 + below(r, (uint64_t)persons - 1);
		while (gcd(ro.stride, (uint64_t)persons) != 1);
	return ro;
}

static long roster_person(const roster *ro, long persons, long j)
{
	return (long)((ro->first + (uint64_t)j * ro->stride) % (uint64_t)persons);
}

/* Slot k of a group before any night; r is the group's member stream, read
 * in slot order. The first member of a group is its instructor. */
static slot slot_initial(const out *w, rng *r, const roster *ro, long k)
{
	slot s = { roster_person(ro, w->o->persons, k), "02", true, 0, false };
	if (k > 0)
		s.role = pick_role(r, w->roles);
	s.active = unit(r) >= w->o->withdraw;
	s.recstatus = draw_recstatus(r, w->o);
	if (s.recstatus == '3')
		s.active = false;
	s.late = unit(r) < 0.05;
	return s;
}

enum change { CH_NONE, CH_WITHDRAW, CH_ENROL, CH_ROLE };

/* What night n does to slot k of group g (never to the instructor). */
static enum change change_at(const opts *o, long g, long n, long k)
{
	if (k == 0 || o->change <= 0)
		return CH_NONE;
	rng r = stream(o->seed, S_NIGHT, (uint64_t)g, (uint64_t)n << 32 | (uint64_t)k);
	if (unit(&r) >= o->change)
		return CH_NONE;
	return (enum change)(CH_WITHDRAW + below(&r, 3));
}

static const char *other_role(const char *role)
{
	return strcmp(role, "08") == 0 ? "01" : "08";
}

/* Applies night n's change to slot s; returns the change made (CH_ENROL adds
 * a member elsewhere and leaves s as it is; a withdrawn slot stays so). */
static enum change slot_night(const opts *o, slot *s, long g, long n, long k)
{
	enum change c = change_at(o, g, n, k);
	if (c != CH_ENROL && !s->active)
		return CH_NONE;
	if (c == CH_WITHDRAW)
		s->active = false;
	else if (c == CH_ROLE)
		s->role = other_role(s->role);
	return c;
}

static void open_role(const out *w, const char *role, char recstatus)
{
	fprintf(w->f, "<role roletype=\"%s\"", role);
	put_recstatus(w, recstatus);
	fputc('>', w->f);
}

static void write_role(const out *w, const slot *s)
{
	open_role(w, s->role, s->recstatus);
	fprintf(w->f, "<status>%d</status>", s->active);
	if (s->late)
		fputs("<timeframe><begin restrict=\"1\">2026-02-02</begin><end restrict=\"1\">2026-05-15"
		      "</end></timeframe>", w->f);
	fputs("</role>", w->f);
}

static void open_member(const out *w, long person)
{
	fprintf(w->f, "%s<member>%s%s", w->ind[2], w->nl, w->ind[3]);
	put_sourcedid(w, 'P', person, false);
	fprintf(w->f, "%s%s<idtype>1</idtype>%s%s", w->nl, w->ind[3], w->nl, w->ind[3]);
}

static void close_member(const out *w)
{
	fprintf(w->f, "%s%s</member>%s", w->nl, w->ind[2], w->nl);
}

static void write_member(const out *w, const slot *s)
{
	open_member(w, s->person);
	write_role(w, s);
	close_member(w);
}

/* A new enrolment: an active learner. */
static slot new_enrolment(const opts *o, const roster *ro, long n, long k)
{
	slot s = { roster_person(ro, o->persons, n * o->members + k), "01", true, 0, false };
	return s;
}

static void open_membership(const out *w, long g)
{
	fprintf(w->f, "%s<membership>%s%s", w->ind[1], w->nl, w->ind[2]);
	put_sourcedid(w, 'S', g, true);
	fputs(w->nl, w->f);
}

static void close_membership(const out *w)
{
	fprintf(w->f, "%s</membership>%s", w->ind[1], w->nl);
}

/* The membership of group g as of the night asked for: its slots with every
 * night's change applied, then the members enrolled since, in night order. */
static void write_membership(const out *w, long g)
{
	const opts *o = w->o;
	rng r = stream(o->seed, S_MEMBERS, (uint64_t)g, 0);
	roster ro = roster_of(&r, o->persons);

	open_membership(w, g);
	for (long k = 0; k < o->members; k++) {
		slot s = slot_initial(w, &r, &ro, k);
		for (long n = 1; n <= o->night; n++)
			slot_night(o, &s, g, n, k);
		write_member(w, &s);
	}
	for (long n = 1; n <= o->night; n++)
		for (long k = 1; k < o->members; k++)
			if (change_at(o, g, n, k) == CH_ENROL) {
				slot s = new_enrolment(o, &ro, n, k);
				write_member(w, &s);
			}
	close_membership(w);
}

/* One member of a delta: a withdrawal (status 0), a role change (the old
 * role with status 0, the new one with status 1) or a new enrolment. */
static void write_delta_member(const out *w, const slot *before, const slot *after, enum change c)
{
	if (c == CH_ROLE) {
		slot old = *before;
		old.active = false;
		open_member(w, before->person);
		write_role(w, &old);
		fputs(w->nl, w->f);
		fputs(w->ind[3], w->f);
		write_role(w, after);
		close_member(w);
	} else {
		write_member(w, after);
	}
}

/* Only what the last night changed in group g, if anything. */
static void write_membership_delta(const out *w, long g)
{
	const opts *o = w->o;
	rng r = stream(o->seed, S_MEMBERS, (uint64_t)g, 0);
	roster ro = roster_of(&r, o->persons);
	bool opened = false;

	for (long k = 0; k < o->members; k++) {
		slot s = slot_initial(w, &r, &ro, k);
		for (long n = 1; n < o->night; n++)
			slot_night(o, &s, g, n, k);
		slot before = s;
		enum change c = slot_night(o, &s, g, o->night, k);
		if (c == CH_NONE)
			continue;
		if (c == CH_ENROL)
			s = new_enrolment(o, &ro, o->night, k);
		if (!opened)
			open_membership(w, g);
		opened = true;
		write_delta_member(w, &before, &s, c);
	}
	if (opened)
		close_membership(w);
}

static void generate(const out *w)
{
	const opts *o = w->o;
	fprintf(w->f, "<?xml version=\"1.0\" encoding=\"%s\"?>%s", o->latin1 ? "ISO-8859-1" : "UTF-8", w->nl);
	if (o->ns) {
		fputs("<enterprise xmlns=\"", w->f);
		put_escaped(w, o->ns, true);
		fprintf(w->f, "\">%s", w->nl);
	} else {
		fprintf(w->f, "<enterprise>%s", w->nl);
	}
	write_properties(w);
	if (!o->delta) {
		for (long i = 0; i < o->persons; i++)
			write_person(w, i);
		for (long g = 0; g < o->groups; g++)
			write_group(w, g);
	}
	for (long g = 0; g < o->groups; g++) {
		if (o->delta)
			write_membership_delta(w, g);
		else
			write_membership(w, g);
	}
	fputs("</enterprise>\n", w->f);
}

static void usage(FILE *f)
{
	fputs("usage: gen-ims [OPTIONS]\n"
	      "Writes a synthetic IMS Enterprise 1.1 file of a university to standard output (or -o):\n"
	      "persons (P0000000...), course sections (S000000.2026S...) in a faculty/department\n"
	      "category path, and one membership per section. Same options and seed, same bytes.\n"
	      "  --persons N             persons (default 1000)\n"
	      "  --groups G              groups, each a course section (default 100)\n"
	      "  --members-per-group M   members of each group's membership, distinct persons\n"
	      "                          (default 20; at most N)\n"
	      "  --seed S                the seed (default 1): another seed, another university\n"
	      "  --roles MIX             roletype mix, code:weight,... (default 01:90,02:4,08:6);\n"
	      "                          the first member of each group is always an 02 Instructor\n"
	      "  --withdraw-fraction F   share of roles with status 0 (default 0)\n"
	      "  --recstatus-fraction F  share of persons, groups and roles with recstatus=\"2\"\n"
	      "                          (update; default 0)\n"
	      "  --delete-fraction F     share of persons, groups and roles with recstatus=\"3\"\n"
	      "                          (delete; a deleted role has status 0; default 0)\n"
	      "  --categories C          departments to spread the groups over (default 20); the\n"
	      "                          category path is Faculty of X / Department, with a\n"
	      "                          Campus level above it beyond 16 departments\n"
	      "  --night N               the same university N nights later (default 0): each\n"
	      "                          night a share of the members (never the instructor) is\n"
	      "                          changed, a third each: withdrawn (status 0), joined by a\n"
	      "                          new enrolment (an extra 01 member), or moved to role\n"
	      "                          08 (an 08 back to 01); the member count grows by the\n"
	      "                          new enrolments\n"
	      "  --change-fraction P     the share changed each night (default 0.01)\n"
	      "  --delta                 with --night N: only night N's changes (memberships of\n"
	      "                          the changed members, no persons or groups): a\n"
	      "                          withdrawal as status 0, a role change as the old role\n"
	      "                          with status 0 and the new one with status 1\n"
	      "  --encoding utf-8|iso-8859-1   the declared and written encoding (default utf-8);\n"
	      "                          in ISO-8859-1 a name's character outside Latin-1 is\n"
	      "                          written as a character reference\n"
	      "  --namespace URI         a default namespace on the root\n"
	      "  --one-line              no newlines or indentation\n"
	      "  -o, --output FILE       write to FILE\n"
	      "  -h, --help              this help\n"
	      "Exit status: 0 written, 64 usage error, 73 cannot create FILE, 74 write error.\n",
	      f);
}

static bool parse_long(const char *s, long min, long *v)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < min)
		return false;
	*v = n;
	return true;
}

static bool parse_fraction(const char *s, double *v)
{
	char *end;
	double d = strtod(s, &end);
	if (end == s || *end || !(d >= 0 && d <= 1))
		return false;
	*v = d;
	return true;
}

static bool parse_seed(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		return false;
	*v = n;
	return true;
}

static bool parse_encoding(const char *s, bool *latin1)
{
	if (strcasecmp(s, "utf-8") == 0 || strcasecmp(s, "utf8") == 0)
		*latin1 = false;
	else if (strcasecmp(s, "iso-8859-1") == 0 || strcasecmp(s, "latin1") == 0)
		*latin1 = true;
	else
		return false;
	return true;
}

/* Reads the options into o; returns false (with a message) on a bad one. */
static bool parse_options(int argc, char **argv, opts *o, bool *help)
{
	static const struct option longopts[] = {
		{ "persons", required_argument, NULL, 'p' },
		{ "groups", required_argument, NULL, 'g' },
		{ "members-per-group", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "roles", required_argument, NULL, 'r' },
		{ "withdraw-fraction", required_argument, NULL, 'w' },
		{ "recstatus-fraction", required_argument, NULL, 'R' },
		{ "delete-fraction", required_argument, NULL, 'D' },
		{ "night", required_argument, NULL, 'n' },
		{ "change-fraction", required_argument, NULL, 'c' },
		{ "delta", no_argument, NULL, 'd' },
		{ "categories", required_argument, NULL, 'C' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "namespace", required_argument, NULL, 'N' },
		{ "one-line", no_argument, NULL, '1' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, li = -1;
	bool ok = true;
	while (ok && (c = getopt_long(argc, argv, "o:h", longopts, &li)) != -1) {
		switch (c) {
		case 'p': ok = parse_long(optarg, 1, &o->persons); break;
		case 'g': ok = parse_long(optarg, 0, &o->groups); break;
		case 'm': ok = parse_long(optarg, 1, &o->members); break;
		case 's': ok = parse_seed(optarg, &o->seed); break;
		case 'r': o->roles = optarg; break;
		case 'w': ok = parse_fraction(optarg, &o->withdraw); break;
		case 'R': ok = parse_fraction(optarg, &o->recstatus); break;
		case 'D': ok = parse_fraction(optarg, &o->delete); break;
		case 'n': ok = parse_long(optarg, 0, &o->night); break;
		case 'c': ok = parse_fraction(optarg, &o->change); break;
		case 'd': o->delta = true; break;
		case 'C': ok = parse_long(optarg, 1, &o->categories); break;
		case 'e': ok = parse_encoding(optarg, &o->latin1); break;
		case 'N': o->ns = optarg; break;
		case '1': o->one_line = true; break;
		case 'o': o->output = optarg; break;
		case 'h': *help = true; return true;
		default: return false;
		}
		if (!ok)
			fprintf(stderr, "gen-ims: bad value for --%s: %s\n", li >= 0 ? longopts[li].name : "?",
				optarg);
		li = -1;
	}
	if (ok && optind < argc) {
		fprintf(stderr, "gen-ims: unexpected argument %s\n", argv[optind]);
		ok = false;
	}
	if (ok && o->members > o->persons) {
		fprintf(stderr, "gen-ims: --members-per-group must not exceed --persons\n");
		ok = false;
	}
	if (ok && o->recstatus + o->delete > 1) {
		fprintf(stderr, "gen-ims: --recstatus-fraction and --delete-fraction add up to more than 1\n");
		ok = false;
	}
	if (ok && o->delta && o->night < 1) {
		fprintf(stderr, "gen-ims: --delta needs --night N with N >= 1\n");
		ok = false;
	}
	return ok;
}

int main(int argc, char **argv)
{
	opts o = { .persons = 1000, .groups = 100, .members = 20, .seed = 1, .change = 0.01,
		   .roles = "01:90,02:4,08:6", .categories = 20 };
	mix roles;
	bool help = false;

	if (!parse_options(argc, argv, &o, &help)) {
		fprintf(stderr, "gen-ims: see gen-ims --help\n");
		return EX_USAGE;
	}
	if (help) {
		usage(stdout);
		return 0;
	}
	if (parse_mix(o.roles, &roles) < 0) {
		fprintf(stderr, "gen-ims: bad --roles mix: %s (want code:weight,... e.g. 01:90,02:8,08:2)\n",
			o.roles);
		return EX_USAGE;
	}
	FILE *f = o.output ? fopen(o.output, "w") : stdout;
	if (!f) {
		fprintf(stderr, "gen-ims: %s: %s\n", o.output, strerror(errno));
		return EX_CANTCREAT;
	}
	static char buf[1 << 16];
	setvbuf(f, buf, _IOFBF, sizeof buf);
	out w = { f, &o, &roles, o.one_line ? "" : "\n", { "", "", "", "" } };
	if (!o.one_line) {
		w.ind[1] = " ";
		w.ind[2] = "  ";
		w.ind[3] = "   ";
	}
	generate(&w);
	if (ferror(f) | (fclose(f) != 0)) {
		fprintf(stderr, "gen-ims: write error: %s\n", strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

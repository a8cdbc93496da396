/* gen-ims.c -- writes a synthetic IMS Enterprise 1.1 file of a university,
 * deterministically from a seed and in constant memory (it streams: a
 * 1 GB file costs no more than a small one). Same options and seed, same
 * bytes; `--change-fraction` with `--night N` writes the same university N
 * nights later, with that share of the memberships changed. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

typedef struct opts {
	long persons, groups, members;
	uint64_t seed;
	int night;
	double withdraw, change, recstatus;
	const char *roles;
	const char *encoding;
	const char *ns;
	bool one_line;
	int categories;
	const char *output;
} opts;

static const char *const given_names[] = {
	"Ada", "Björn", "Chau", "Diego", "Eva", "Fatima", "Gustav", "Hana", "Ingrid", "Jonas",
	"Kwame", "Léa", "Mateo", "Nadia", "Olav", "Priya", "Quentin", "Rosa", "Søren", "Tariq",
};
static const char *const family_names[] = {
	"Okafor", "Müller", "Nguyen", "García", "Hansen", "Khan", "Larsen", "Sato", "Berg", "Smith",
	"Mensah", "Dubois", "Rossi", "Ivanova", "Nilsen", "Patel", "Moreau", "Silva", "Kristensen", "Haddad",
};
static const char *const subjects[] = {
	"Chemistry", "Physics", "Mathematics", "History", "Ethics & Governance", "Economics",
	"Biology", "Computer Science", "Philosophy", "Music", "Law", "Nursing",
};

/* The role mix: "01:90,02:8,08:2" -> cumulative weights. */
typedef struct mix {
	char code[8][3];
	double cum[8];
	int n;
} mix;

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
	if (!m->n || total <= 0)
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

/* Writes s, escaped for XML text, in the output encoding: UTF-8 as is, or
 * ISO-8859-1 (the names here are all Latin-1). */
static void text(FILE *f, const char *s, bool latin1)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '&')
			fputs("&amp;", f);
		else if (*p == '<')
			fputs("&lt;", f);
		else if (latin1 && *p == 0xC3 && p[1]) {
			fputc((p[1] & 0x3F) | 0xC0, f);
			p++;
		} else
			fputc(*p, f);
	}
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: gen-ims [OPTIONS]\n"
		"Writes a synthetic IMS Enterprise 1.1 file of a university to standard output (or -o).\n"
		"  --persons N             persons (default 1000)\n"
		"  --groups G              groups, each a course section (default 100)\n"
		"  --members-per-group M   members of each group's membership (default 20)\n"
		"  --seed S                the seed (default 1): same options and seed, same bytes\n"
		"  --roles MIX             roletype mix, e.g. 01:90,02:8,08:2 (the first member of a\n"
		"                          group is always an 02 Instructor)\n"
		"  --withdraw-fraction F   share of roles with status 0 (default 0)\n"
		"  --recstatus-fraction F  share of persons and groups marked recstatus 2 (default 0)\n"
		"  --night N               the same university N nights later (default 0) ...\n"
		"  --change-fraction P     ... with this share of memberships changed each night:\n"
		"                          withdrawn, replaced by a new member, or given role 08\n"
		"  --categories C          org units (category names) to spread groups over (default 20)\n"
		"  --encoding utf-8|iso-8859-1   the declared and written encoding (default utf-8)\n"
		"  --namespace URI         a default namespace on the root\n"
		"  --one-line              no newlines or indentation\n"
		"  -o, --output FILE       write to FILE\n");
}

static void generate(FILE *f, const opts *o, const mix *roles)
{
	bool latin1 = strcmp(o->encoding, "iso-8859-1") == 0;
	const char *nl = o->one_line ? "" : "\n", *in = o->one_line ? "" : " ";
	rng base = { o->seed };
	fprintf(f, "<?xml version=\"1.0\" encoding=\"%s\"?>%s", latin1 ? "ISO-8859-1" : "UTF-8", nl);
	if (o->ns)
		fprintf(f, "<enterprise xmlns=\"%s\">%s", o->ns, nl);
	else
		fprintf(f, "<enterprise>%s", nl);
	fprintf(f, "%s<properties><datasource>Generated SIS</datasource><target>Moodle</target>"
		   "<type>DATABASE UPDATE</type><datetime>2026-01-%02dT02:00:00</datetime></properties>%s",
		in, 1 + o->night % 28, nl);
	rng pr = { base.s ^ 0x1111 };
	for (long i = 0; i < o->persons; i++) {
		const char *g = given_names[below(&pr, 20)], *fam = family_names[below(&pr, 20)];
		bool upd = unit(&pr) < o->recstatus;
		fprintf(f, "%s<person%s>%s%s%s<sourcedid><source>Generated SIS</source><id>P%07ld</id></sourcedid>%s",
			in, upd ? " recstatus=\"2\"" : "", nl, in, in, i, nl);
		fprintf(f, "%s%s<userid useridtype=\"Logon ID\">u%07ld</userid>%s", in, in, i, nl);
		fprintf(f, "%s%s<name><fn>", in, in);
		text(f, g, latin1);
		fputc(' ', f);
		text(f, fam, latin1);
		fprintf(f, "</fn><n><family>");
		text(f, fam, latin1);
		fprintf(f, "</family><given>");
		text(f, g, latin1);
		fprintf(f, "</given></n></name>%s%s%s<email>u%07ld@university.example.edu</email>%s", nl, in, in, i, nl);
		if (i % 10 == 0)
			fprintf(f, "%s%s<institutionrole primaryrole=\"Yes\" institutionroletype=\"%s\"/>%s", in, in,
				i % 50 == 0 ? "Faculty" : "Student", nl);
		fprintf(f, "%s</person>%s", in, nl);
	}
	rng gr = { base.s ^ 0x2222 };
	for (long g = 0; g < o->groups; g++) {
		const char *subj = subjects[g % 12];
		bool upd = unit(&gr) < o->recstatus;
		fprintf(f, "%s<group%s>%s%s%s<sourcedid><source>Generated SIS</source><id>S%06ld.2026S</id></sourcedid>%s",
			in, upd ? " recstatus=\"2\"" : "", nl, in, in, g, nl);
		fprintf(f, "%s%s<grouptype><scheme>Generated</scheme><typevalue level=\"1\">CourseSection</typevalue></grouptype>%s",
			in, in, nl);
		fprintf(f, "%s%s<description><short>%.4s%03ld-%02ld</short><long>", in, in, subj, 100 + g % 400, g / 400 % 100);
		text(f, subj, latin1);
		fprintf(f, " %ld</long><full>", 100 + g % 400);
		text(f, subj, latin1);
		fprintf(f, " %ld, section %ld</full></description>%s", 100 + g % 400, g, nl);
		fprintf(f, "%s%s<org><orgunit>Faculty %ld</orgunit></org>%s", in, in, g % (o->categories ? o->categories : 1), nl);
		fprintf(f, "%s%s<timeframe><begin restrict=\"1\">2026-01-19</begin><end restrict=\"1\">2026-05-15</end></timeframe>%s",
			in, in, nl);
		fprintf(f, "%s</group>%s", in, nl);
	}
	for (long g = 0; g < o->groups; g++) {
		/* each group's members come from their own stream, so that a night's
		 * change of one group does not move any other */
		rng mr = { base.s ^ (0x3333 + (uint64_t)g * 0x9e37) };
		fprintf(f, "%s<membership>%s%s%s<sourcedid><source>Generated SIS</source><id>S%06ld.2026S</id></sourcedid>%s",
			in, nl, in, in, g, nl);
		for (long k = 0; k < o->members; k++) {
			long p = (long)below(&mr, (uint64_t)o->persons);
			const char *role = k == 0 ? "02" : pick_role(&mr, roles);
			const char *status = unit(&mr) < o->withdraw ? "0" : "1";
			for (int night = 1; night <= o->night; night++) {
				rng ch = { base.s ^ ((uint64_t)night << 40) ^ ((uint64_t)g << 20) ^ (uint64_t)k };
				if (k == 0 || unit(&ch) >= o->change)
					continue;
				switch (below(&ch, 3)) {
				case 0: status = "0"; break;
				case 1: p = (long)below(&ch, (uint64_t)o->persons); status = "1"; break;
				default: role = "08"; break;
				}
			}
			fprintf(f, "%s%s<member><sourcedid><source>Generated SIS</source><id>P%07ld</id></sourcedid>"
				   "<idtype>1</idtype><role roletype=\"%s\"><status>%s</status></role></member>%s",
				in, in, p, role, status, nl);
		}
		fprintf(f, "%s</membership>%s", in, nl);
	}
	fprintf(f, "</enterprise>\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "persons", required_argument, NULL, 'p' },
		{ "groups", required_argument, NULL, 'g' },
		{ "members-per-group", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "roles", required_argument, NULL, 'r' },
		{ "withdraw-fraction", required_argument, NULL, 'w' },
		{ "recstatus-fraction", required_argument, NULL, 'R' },
		{ "night", required_argument, NULL, 'n' },
		{ "change-fraction", required_argument, NULL, 'c' },
		{ "categories", required_argument, NULL, 'C' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "namespace", required_argument, NULL, 'N' },
		{ "one-line", no_argument, NULL, '1' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	opts o = { 1000, 100, 20, 1, 0, 0, 0, 0, "01:90,02:4,08:6", "utf-8", NULL, false, 20, NULL };
	mix roles;
	int c;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o.persons = atol(optarg); break;
		case 'g': o.groups = atol(optarg); break;
		case 'm': o.members = atol(optarg); break;
		case 's': o.seed = strtoull(optarg, NULL, 10); break;
		case 'r': o.roles = optarg; break;
		case 'w': o.withdraw = atof(optarg); break;
		case 'R': o.recstatus = atof(optarg); break;
		case 'n': o.night = atoi(optarg); break;
		case 'c': o.change = atof(optarg); break;
		case 'C': o.categories = atoi(optarg); break;
		case 'e': o.encoding = optarg; break;
		case 'N': o.ns = optarg; break;
		case '1': o.one_line = true; break;
		case 'o': o.output = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 64;
		}
	}
	if (o.persons < 1 || o.groups < 0 || o.members < 0 || parse_mix(o.roles, &roles) < 0 ||
	    (strcmp(o.encoding, "utf-8") != 0 && strcmp(o.encoding, "iso-8859-1") != 0)) {
		usage(stderr);
		return 64;
	}
	FILE *f = o.output ? fopen(o.output, "w") : stdout;
	if (!f) {
		fprintf(stderr, "gen-ims: %s: %s\n", o.output, strerror(errno));
		return 74;
	}
	static char buf[1 << 16];
	setvbuf(f, buf, _IOFBF, sizeof buf);
	generate(f, &o, &roles);
	if (fclose(f) != 0) {
		fprintf(stderr, "gen-ims: write error: %s\n", strerror(errno));
		return 74;
	}
	return 0;
}

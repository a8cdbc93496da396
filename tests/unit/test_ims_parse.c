/* test_ims_parse.c -- unit tests of what the parser puts in the model
 * (src/ims_parse.c, ims_build.c, ims_model.c) where check's summary does not
 * show it: the exact values after the normalisation of the reference §8 (#44
 * trimmed ids, #46 role type forms, #49 the roletype element, #52/#53 status
 * and recstatus, #39 both idtype forms, #69 CDATA, #70 character references,
 * #76 comments), an '&' in attribute values and every attribute of an
 * element (not only the first 32), the text kept of extensions,
 * fragments (#77) and --strict keeping the records of a file read in full;
 * and the excerpt an error quotes names the right line of a file read in
 * chunks of any size. */
#include "config.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims_excerpt.h"
#include "ims_model.h"
#include "ims_parse.h"
#include "util.h"
#include "check_main.h"

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<enterprise>\n" \
	"<properties><datasource>Registry</datasource><datetime>2026-08-01</datetime></properties>\n"
#define TAIL "</enterprise>\n"

/* Every test runs twice: read in one thread, and with the model built in
 * a second one (ims_parse_options.threads), which must read the same. */
static int threads;
static void one_thread(void) { threads = 1; }
static void two_threads(void) { threads = 2; }

static ims_model *parse_with(const char *xml, const ims_parse_options *opt_in, int expect_rc)
{
	ims_model *m = ims_model_new();
	errinfo e = { 0 };
	ims_parse_options opt;
	if (opt_in)
		opt = *opt_in;
	else
		ims_parse_options_init(&opt);
	opt.threads = threads;
	int rc = ims_parse_memory(m, "t.xml", xml, strlen(xml), &opt, NULL, &e);
	ck_assert_msg(rc == expect_rc, "rc %d (expected %d): %s", rc, expect_rc, e.msg);
	return m;
}

static ims_model *parse_ok(const char *xml)
{
	return parse_with(xml, NULL, 0);
}

static ims_member *nth_member(ims_model *m, int n)
{
	ck_assert_ptr_nonnull(m->memberships);
	ims_member *mb = m->memberships->members;
	for (int i = 0; i < n && mb; i++)
		mb = mb->next;
	ck_assert_ptr_nonnull(mb);
	return mb;
}

START_TEST(test_ids_trimmed)
{
	/* §8 #44: ASCII whitespace at both ends goes, inner spaces and a
	 * no-break space stay */
	ims_model *m = parse_ok(HEAD
		"<person><sourcedid><source> Registry </source><id> 91046433  </id></sourcedid></person>\n"
		"<person><sourcedid><id>\n\t  P 2\r\n  </id></sourcedid></person>\n"
		"<person><sourcedid><id>\xc2\xa0P3</id></sourcedid></person>\n"
		"<group><sourcedid><id>\tMATH101\n</id></sourcedid><description><short> M </short></description></group>\n"
		"<membership><sourcedid><id>  MATH101 </id></sourcedid>\n"
		"<member><sourcedid><id>  91046433   </id></sourcedid><idtype> 1 </idtype>"
		"<role roletype=\" 01 \"><status> 1 </status></role></member></membership>\n" TAIL);
	ims_person *p = m->persons;
	ck_assert_str_eq(p->id, "91046433");
	ck_assert_str_eq(p->sourcedids->source, "Registry");
	ck_assert_str_eq(p->next->id, "P 2");
	ck_assert_str_eq(p->next->next->id, "\xc2\xa0P3");
	ck_assert_uint_eq(m->warnings[W_NBSP_IN_ID].count, 1);
	ck_assert_str_eq(m->groups->id, "MATH101");
	ck_assert_str_eq(m->groups->short_desc, "M");
	ck_assert_str_eq(m->memberships->id, "MATH101");
	/* ids are interned: the membership's group is the group's string */
	ck_assert_ptr_eq(m->memberships->id, m->groups->id);
	ims_member *mb = nth_member(m, 0);
	ck_assert_str_eq(mb->id, "91046433");
	ck_assert_ptr_eq(ims_canonical(m, mb->id), p->id);
	ck_assert_int_eq(mb->idtype, IDT_PERSON);
	ck_assert_int_eq(mb->roles->roletype, ROLE_LEARNER);
	ck_assert_int_eq(mb->roles->status, ST_ACTIVE);
	ck_assert_ptr_null(mb->quarantine);
	ims_model_free(m);
}
END_TEST

START_TEST(test_roletype_forms)
{
	/* §8 #46: digits to the two-digit code, words case-insensitively and
	 * without spaces; anything else unknown (#47), empty as absent */
	static const struct { const char *in; int code; } forms[] = {
		{ "1", ROLE_LEARNER }, { "01", ROLE_LEARNER }, { "Learner", ROLE_LEARNER },
		{ "learner", ROLE_LEARNER }, { " LEARNER ", ROLE_LEARNER }, { "2", ROLE_INSTRUCTOR },
		{ "Instructor", ROLE_INSTRUCTOR }, { "03", ROLE_CONTENT_DEVELOPER },
		{ "Content Developer", ROLE_CONTENT_DEVELOPER }, { "ContentDeveloper", ROLE_CONTENT_DEVELOPER },
		{ "contentdeveloper", ROLE_CONTENT_DEVELOPER }, { "04", ROLE_MEMBER }, { "Member", ROLE_MEMBER },
		{ "05", ROLE_MANAGER }, { "Manager", ROLE_MANAGER }, { "06", ROLE_MENTOR },
		{ "Mentor", ROLE_MENTOR }, { "07", ROLE_ADMINISTRATOR }, { "Administrator", ROLE_ADMINISTRATOR },
		{ "08", ROLE_TEACHING_ASSISTANT }, { "8", ROLE_TEACHING_ASSISTANT },
		{ "Teaching Assistant", ROLE_TEACHING_ASSISTANT }, { "TeachingAssistant", ROLE_TEACHING_ASSISTANT },
		{ "", ROLE_MISSING }, { "  ", ROLE_MISSING },
		{ "0", ROLE_UNKNOWN }, { "00", ROLE_UNKNOWN }, { "09", ROLE_UNKNOWN }, { "9", ROLE_UNKNOWN },
		{ "10", ROLE_UNKNOWN }, { "0001", ROLE_UNKNOWN }, { "-1", ROLE_UNKNOWN }, { "1.0", ROLE_UNKNOWN },
		{ "01a", ROLE_UNKNOWN }, { "Observer", ROLE_UNKNOWN }, { "Student", ROLE_UNKNOWN },
		{ "Learner Instructor", ROLE_UNKNOWN }, { "Learner-Instructor", ROLE_UNKNOWN },
		{ "Teaching_Assistant", ROLE_UNKNOWN },
	};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
		ck_assert_msg(ims_roletype_parse(forms[i].in, strlen(forms[i].in)) == forms[i].code,
			      "roletype '%s' -> %d, expected %d", forms[i].in,
			      ims_roletype_parse(forms[i].in, strlen(forms[i].in)), forms[i].code);
	ck_assert_str_eq(ims_roletype_code(ROLE_CONTENT_DEVELOPER), "03");
	ck_assert_str_eq(ims_roletype_name(ROLE_TEACHING_ASSISTANT), "TeachingAssistant");
}
END_TEST

#define MEMBER(id, inner) "<member><sourcedid><id>" id "</id></sourcedid><idtype>1</idtype>" inner "</member>\n"

START_TEST(test_roles_in_the_model)
{
	ims_model *m = parse_ok(HEAD "<membership><sourcedid><id>G</id></sourcedid>\n"
		MEMBER("P1", "<role roletype=\"Content Developer\"><status>1</status></role>")
		/* #49 Capita: the element, where the attribute is absent */
		MEMBER("P2", "<role><roletype> Instructor </roletype><status>0</status></role>")
		/* both, agreeing */
		MEMBER("P3", "<role roletype=\"02\"><roletype>Instructor</roletype><status>1</status></role>")
		/* both, disagreeing: which is meant cannot be known */
		MEMBER("P4", "<role roletype=\"01\"><roletype>02</roletype><status>1</status></role>")
		/* #48 no roletype; #47 unknown, raw kept */
		MEMBER("P5", "<role><status>1</status></role>")
		MEMBER("P6", "<role roletype=\"Observer\"><status>1</status></role>")
		"</membership>\n" TAIL);
	ims_role *r = nth_member(m, 0)->roles;
	ck_assert_int_eq(r->roletype, ROLE_CONTENT_DEVELOPER);
	ck_assert(!r->roletype_from_element);
	r = nth_member(m, 1)->roles;
	ck_assert_int_eq(r->roletype, ROLE_INSTRUCTOR);
	ck_assert(r->roletype_from_element);
	ck_assert_int_eq(r->status, ST_INACTIVE);
	ck_assert_ptr_null(r->quarantine);
	r = nth_member(m, 2)->roles;
	ck_assert_int_eq(r->roletype, ROLE_INSTRUCTOR);
	ck_assert_ptr_null(r->quarantine);
	r = nth_member(m, 3)->roles;
	ck_assert_str_eq(r->quarantine, "the roletype attribute (01) and <roletype>02</roletype> disagree");
	r = nth_member(m, 4)->roles;
	ck_assert_int_eq(r->roletype, ROLE_MISSING);
	ck_assert_ptr_nonnull(strstr(r->quarantine, "role has no roletype"));
	r = nth_member(m, 5)->roles;
	ck_assert_int_eq(r->roletype, ROLE_UNKNOWN);
	ck_assert_str_eq(r->x->roletype_raw, "Observer");
	ims_model_free(m);
}
END_TEST

START_TEST(test_many_attributes)
{
	/* every attribute is read, also past the 32nd: the roletype and the
	 * recstatus are the 41st and 42nd here */
	strbuf xml = STRBUF_INIT;
	sb_adds(&xml, HEAD "<membership><sourcedid><id>G</id></sourcedid><member><sourcedid><id>P1</id>"
		"</sourcedid><idtype>1</idtype><role");
	for (int i = 0; i < 40; i++)
		sb_addf(&xml, " x%d=\"a&amp;b\"", i);
	sb_adds(&xml, " roletype=\"02\" recstatus=\"3\"><status>1</status></role></member></membership>" TAIL);
	ims_model *m = parse_ok(xml.buf);
	ims_role *r = nth_member(m, 0)->roles;
	ck_assert_int_eq(r->roletype, ROLE_INSTRUCTOR);
	ck_assert_int_eq(r->recstatus, RS_DELETE);
	ims_model_free(m);
	sb_free(&xml);
}
END_TEST

START_TEST(test_status_and_recstatus)
{
	ims_model *m = parse_ok(HEAD
		"<person recstatus=\" 3 \"><sourcedid><id>P1</id></sourcedid></person>\n"
		"<person recstatus=\"delete\"><sourcedid><id>P2</id></sourcedid></person>\n"
		"<person recstatus=\"\"><sourcedid><id>P3</id></sourcedid></person>\n"
		"<person recstatus = \"2\"><sourcedid><id>P4</id></sourcedid></person>\n"
		"<group recstatus=\"03\"><sourcedid><id>G1</id></sourcedid></group>\n"
		"<membership><sourcedid><id>G</id></sourcedid>\n"
		MEMBER("P1", "<role roletype=\"01\" recstatus=\"3\"><status>\n 1\n</status></role>")
		MEMBER("P2", "<role roletype=\"01\" recstatus=\"4\"><status>1</status></role>")
		MEMBER("P3", "<role roletype=\"01\"><status>Active</status></role>")
		MEMBER("P4", "<role roletype=\"01\"><status>1</status><status>0</status></role>")
		MEMBER("P5", "<role roletype=\"01\"><status>0</status><status> 0 </status></role>")
		MEMBER("P6", "<role roletype=\"01\"><subrole>x</subrole></role>")
		"</membership>\n" TAIL);
	ims_person *p = m->persons;
	ck_assert_int_eq(p->recstatus, RS_DELETE);
	ck_assert_ptr_null(p->quarantine);
	p = p->next;
	ck_assert_int_eq(p->recstatus, RS_INVALID);
	ck_assert_str_eq(p->recstatus_raw, "delete");
	ck_assert_str_eq(p->quarantine, "recstatus 'delete' is not 1, 2 or 3");
	p = p->next;
	ck_assert_int_eq(p->recstatus, RS_INVALID);
	ck_assert_str_eq(p->recstatus_raw, "");
	ck_assert_int_eq(p->next->recstatus, RS_UPDATE);
	ck_assert_int_eq(m->groups->recstatus, RS_INVALID);
	ck_assert_str_eq(m->groups->recstatus_raw, "03");

	ims_role *r = nth_member(m, 0)->roles;
	ck_assert_int_eq(r->recstatus, RS_DELETE);
	ck_assert_int_eq(r->status, ST_ACTIVE);
	r = nth_member(m, 1)->roles;
	ck_assert_int_eq(r->recstatus, RS_INVALID);
	ck_assert_str_eq(r->x->recstatus_raw, "4");
	ck_assert_str_eq(r->quarantine, "role recstatus '4' is not 1, 2 or 3");
	r = nth_member(m, 2)->roles;
	ck_assert_int_eq(r->status, ST_INVALID);
	ck_assert_str_eq(r->x->status_raw, "Active");
	/* two statuses that disagree: never read as a withdrawal, nor as active */
	r = nth_member(m, 3)->roles;
	ck_assert_str_eq(r->quarantine, "repeated <status> with different values ('0' after '1')");
	r = nth_member(m, 4)->roles;
	ck_assert_int_eq(r->status, ST_INACTIVE);
	ck_assert_ptr_null(r->quarantine);
	ck_assert_uint_eq(m->warnings[W_MULTIPLE_TIMEFRAME].count, 1);
	r = nth_member(m, 5)->roles;
	ck_assert_int_eq(r->status, ST_MISSING);
	ck_assert_str_eq(r->quarantine, "role has no <status> (required); never read as a withdrawal");
	ims_model_free(m);
}
END_TEST

START_TEST(test_idtype_forms)
{
	/* §8 #39: <idtype>1</idtype> and Moodle's <idtype idtype="1"/> */
	ims_model *m = parse_ok(HEAD "<membership><sourcedid><id>G</id></sourcedid>\n"
		"<member><sourcedid><id>P1</id></sourcedid><idtype idtype=\"1\"/><role roletype=\"01\"><status>1</status></role></member>\n"
		"<member><sourcedid><id>S1</id></sourcedid><idtype idtype=\" 2 \"></idtype><role><status>1</status></role></member>\n"
		"<member><sourcedid><id>P2</id></sourcedid><idtype>1</idtype><role roletype=\"01\"><status>1</status></role></member>\n"
		"<member><sourcedid><id>P3</id></sourcedid><idtype idtype=\"1\">2</idtype><role roletype=\"01\"><status>1</status></role></member>\n"
		"<member><sourcedid><id>P4</id></sourcedid><idtype>1</idtype><idtype>2</idtype><role roletype=\"01\"><status>1</status></role></member>\n"
		"<member><sourcedid><id>P5</id></sourcedid><idtype idtype=\"1\">1</idtype><role roletype=\"01\"><status>1</status></role></member>\n"
		"<member><sourcedid><id>P6</id></sourcedid><role roletype=\"01\"><status>1</status></role></member>\n"
		"</membership>\n" TAIL);
	ck_assert_int_eq(nth_member(m, 0)->idtype, IDT_PERSON);
	ck_assert_ptr_null(nth_member(m, 0)->quarantine);
	/* a group member: a role without roletype is no enrolment, not quarantined */
	ck_assert_int_eq(nth_member(m, 1)->idtype, IDT_GROUP);
	ck_assert_ptr_null(nth_member(m, 1)->roles->quarantine);
	ck_assert_int_eq(nth_member(m, 2)->idtype, IDT_PERSON);
	ck_assert_str_eq(nth_member(m, 3)->quarantine, "<idtype idtype=\"1\"> holds the text '2'; the two disagree");
	ck_assert_str_eq(nth_member(m, 4)->quarantine, "repeated <idtype> with different values ('2' after '1')");
	ck_assert_int_eq(nth_member(m, 5)->idtype, IDT_PERSON);
	ck_assert_ptr_null(nth_member(m, 5)->quarantine);
	ck_assert_int_eq(nth_member(m, 6)->idtype, IDT_MISSING);
	ck_assert_uint_eq(m->warnings[W_IDTYPE_MISSING].count, 1);
	ims_model_free(m);
}
END_TEST

START_TEST(test_text_forms)
{
	/* §8 #69 CDATA joins the text around it; #70 references are decoded;
	 * #76 comments and processing instructions are not text */
	ims_model *m = parse_ok(HEAD
		"<person><sourcedid><id><![CDATA[P]]>1</id></sourcedid>"
		"<name><fn>Ada <![CDATA[<Countess> & ]]>Love<!-- x -->lace<?pi y?></fn>"
		"<n><family>M&#229;ne &amp; S&#xF8;n</family><given>&lt;&gt;&quot;&apos;</given></n></name>"
		"<userid useridtype=\"Logon &amp; ID\" password=\"a&#38;b&amp;#38;\">u1</userid>"
		"<extension><x a=\"R&amp;D &lt;1&gt;\">T&amp;C <![CDATA[&]]></x></extension></person>\n" TAIL);
	ims_person *p = m->persons;
	ck_assert_str_eq(p->id, "P1");
	ck_assert_str_eq(p->fn, "Ada <Countess> & Lovelace");
	ck_assert_str_eq(p->family, "M\xc3\xa5ne & S\xc3\xb8n");
	ck_assert_str_eq(p->given, "<>\"'");
	/* an '&' in an attribute value is an '&' (libxml2 hands it over as
	 * "&#38;"); a written "&#38;" text stays as written */
	ck_assert_str_eq(p->userids->useridtype, "Logon & ID");
	ck_assert_str_eq(p->userids->password, "a&b&#38;");
	ck_assert_str_eq(p->userids->value, "u1");
	/* the extension is kept as XML text, escaped once */
	ck_assert_str_eq(p->extension, "<x a=\"R&amp;D &lt;1&gt;\">T&amp;C &amp;</x>");
	ims_model_free(m);
}
END_TEST

START_TEST(test_comments_keep_role_state)
{
	/* §8 #76: a <comments> after <status> (valid per the DTD) holds no state */
	ims_model *m = parse_ok(HEAD "<membership><comments>c</comments><sourcedid><id>G</id></sourcedid>\n"
		"<member><comments>c</comments><sourcedid><id>P1</id></sourcedid><idtype>1</idtype>"
		"<role roletype=\"02\"><status>1</status><comments>was <status>0</status></comments>"
		"<timeframe><begin restrict=\"1\">2026-09-01</begin><end>2026-12-18</end></timeframe>"
		"<comments/></role></member></membership>\n" TAIL);
	ims_role *r = nth_member(m, 0)->roles;
	ck_assert_int_eq(r->status, ST_ACTIVE);
	ck_assert_int_eq(r->roletype, ROLE_INSTRUCTOR);
	ck_assert_ptr_null(r->quarantine);
	ck_assert_str_eq(r->x->timeframe->begin, "2026-09-01");
	ck_assert_str_eq(r->x->timeframe->begin_restrict, "1");
	ck_assert_str_eq(r->x->timeframe->end, "2026-12-18");
	ck_assert_ptr_null(r->x->timeframe->end_restrict);
	ck_assert_uint_eq(m->warnings[W_MULTIPLE_TIMEFRAME].count, 0);
	ims_model_free(m);
}
END_TEST

START_TEST(test_fragment)
{
	/* §8 #77: refused by default, read with accept_fragment */
	const char *xml = "<?xml version=\"1.0\"?>\n<person recstatus=\"2\"><sourcedid><id>P1</id></sourcedid>"
			  "<name><fn>A</fn></name></person>\n";
	ims_model *m = parse_with(xml, NULL, -EXIT_DATAERR);
	ims_model_free(m);
	ims_parse_options opt;
	ims_parse_options_init(&opt);
	opt.accept_fragment = true;
	m = parse_with(xml, &opt, 0);
	ck_assert_uint_eq(m->counts.persons, 1);
	ck_assert_int_eq(m->persons->recstatus, RS_UPDATE);
	ck_assert(!m->properties.present);
	ck_assert_uint_eq(m->warnings[W_NO_PROPERTIES].count, 0);
	ims_model_free(m);
	/* the option changes nothing for a whole file */
	m = parse_with(HEAD "<person><sourcedid><id>P1</id></sourcedid></person>" TAIL, &opt, 0);
	ck_assert_uint_eq(m->counts.persons, 1);
	ck_assert(m->properties.present);
	ims_model_free(m);
}
END_TEST

START_TEST(test_strict_keeps_records)
{
	/* --strict: a schema deviation refuses the file (exit 65) but the file
	 * was read in full, and its records are all counted (a recstatus 4
	 * person quarantined, the two others valid) */
	const char *src = getenv("top_srcdir");
	char xsd[4096];
	snprintf(xsd, sizeof xsd, "%s/schemas/ims_enterprise_1p1.xsd", src && *src ? src : ".");
	ims_parse_options opt;
	ims_parse_options_init(&opt);
	opt.strict = true;
	opt.schema_path = xsd;
	opt.threads = threads;
	const char *xml = HEAD
		"<person><sourcedid><source>S</source><id>P1</id></sourcedid><name><fn>A</fn></name></person>\n"
		"<person recstatus=\"4\"><sourcedid><source>S</source><id>P2</id></sourcedid><name><fn>B</fn></name></person>\n"
		"<person><sourcedid><source>S</source><id>P3</id></sourcedid><name><fn>C</fn></name></person>\n" TAIL;
	ims_model *m = ims_model_new();
	strbuf errs = STRBUF_INIT;
	errinfo e = { 0 };
	int rc = ims_parse_memory(m, "t.xml", xml, strlen(xml), &opt, &errs, &e);
	ck_assert_msg(rc == -EXIT_DATAERR, "rc %d: %s", rc, e.msg);
	ck_assert_str_eq(e.msg, "t.xml: 1 deviation from the IMS Enterprise 1.1 schema");
	const char *want = "t.xml:5: Element 'person', attribute 'recstatus'";
	ck_assert_msg(strncmp(sb_str(&errs), want, strlen(want)) == 0, "%s", sb_str(&errs));
	ck_assert(!ims_parse_refused(&e));
	ck_assert_uint_eq(m->counts.persons, 3);
	ck_assert_uint_eq(m->counts.quarantined, 1);
	ck_assert_str_eq(m->persons->next->quarantine, "recstatus '4' is not 1, 2 or 3");
	sb_free(&errs);
	ims_model_free(m);
	/* a valid file passes strict */
	m = ims_model_new();
	const char *valid = HEAD
		"<person><sourcedid><source>S</source><id>P1</id></sourcedid><name><fn>A</fn></name></person>\n" TAIL;
	rc = ims_parse_memory(m, "v.xml", valid, strlen(valid), &opt, &errs, &e);
	ck_assert_msg(rc == 0, "%s %s", e.msg, sb_str(&errs));
	ck_assert_uint_eq(m->counts.persons, 1);
	sb_free(&errs);
	ims_model_free(m);
}
END_TEST

START_TEST(test_refusal_message)
{
	/* a refusal is told apart from schema deviations, also when the file
	 * name is so long that the message is cut: the end stays whole */
	char name[3000];
	memset(name, 'd', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	const char *xml = HEAD "<person><sourcedid><id>R&D</id></sourcedid></person>" TAIL;
	ims_model *m = ims_model_new();
	errinfo e = { 0 };
	ims_parse_options opt;
	ims_parse_options_init(&opt);
	opt.threads = threads;
	ck_assert_int_eq(ims_parse_memory(m, name, xml, strlen(xml), &opt, NULL, &e), -EXIT_DATAERR);
	ck_assert(ims_parse_refused(&e));
	ck_assert_ptr_nonnull(strstr(e.msg, "...\n  the whole file is refused; nothing from it is used"));
	ims_model_free(m);
	m = ims_model_new();
	ck_assert_int_eq(ims_parse_memory(m, "t.xml", xml, strlen(xml), &opt, NULL, &e), -EXIT_DATAERR);
	ck_assert(ims_parse_refused(&e));
	const char *want = "t.xml:4:25: an '&' that starts no character";
	ck_assert_msg(strncmp(e.msg, want, strlen(want)) == 0, "%s", e.msg);
	ims_model_free(m);
}
END_TEST

/* A file of n persons and n/10 memberships of 10 members (several
 * megabytes for n in the ten thousands: more than the pipeline's queue and
 * reads hold), with `defect` put in place of person number at. */
static char *big_file(int n, int at, const char *defect)
{
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, HEAD);
	for (int i = 0; i < n; i++) {
		if (i == at)
			sb_adds(&sb, defect);
		sb_addf(&sb, "<person recstatus=\"%d\">\n  <sourcedid><source>Registry</source><id>P%06d</id></sourcedid>\n"
			"  <userid useridtype=\"Logon ID\">u%d</userid>\n  <name><fn>Person &amp; %d</fn>"
			"<n><family>F%d</family><given>G</given></n></name>\n  <email>p%d@example.edu</email>\n"
			"  <extension><x a=\"1\">%d</x>\n  </extension>\n</person>\n", i % 3 + 1, i, i, i, i, i, i);
	}
	for (int g = 0; g < n / 10; g++) {
		sb_addf(&sb, "<membership><sourcedid><source>Registry</source><id>G%d</id></sourcedid>\n", g);
		for (int k = 0; k < 10; k++)
			sb_addf(&sb, "  <member><sourcedid><source>Registry</source><id>P%06d</id></sourcedid>"
				"<idtype>1</idtype>\n    <role roletype=\"0%d\"><status>%d</status></role>\n  </member>\n",
				g * 10 + k, k % 2 + 1, k % 5 ? 1 : 0);
		sb_adds(&sb, "</membership>\n");
	}
	sb_adds(&sb, TAIL);
	return sb.buf;
}

/* Reads xml (its first len bytes) with 1 and with 2 threads: the result
 * code must be expect_rc and the message hold expect_in_msg, and the two
 * reads must give the same code, message, counts and warnings. */
static void read_alike(const char *xml, size_t len, int expect_rc, const char *expect_in_msg)
{
	char msg[2][sizeof ((errinfo *)0)->msg];
	ims_counts counts[2];
	uint64_t warnings[2];
	for (int t = 0; t < 2; t++) {
		ims_parse_options opt;
		ims_parse_options_init(&opt);
		opt.threads = t + 1;
		ims_model *m = ims_model_new();
		errinfo e = { 0 };
		int rc = ims_parse_memory(m, "big.xml", xml, len, &opt, NULL, &e);
		ck_assert_msg(rc == expect_rc, "threads %d: rc %d: %s", t + 1, rc, e.msg);
		memcpy(msg[t], e.msg, sizeof msg[t]);
		counts[t] = m->counts;
		warnings[t] = 0;
		for (int k = 0; k < W_KIND_COUNT; k++)
			warnings[t] += m->warnings[k].count;
		ims_model_free(m);
	}
	ck_assert_str_eq(msg[0], msg[1]);
	ck_assert_msg(strstr(msg[0], expect_in_msg) != NULL, "%s", msg[0]);
	ck_assert(memcmp(&counts[0], &counts[1], sizeof counts[0]) == 0);
	ck_assert_uint_eq(warnings[0], warnings[1]);
}

START_TEST(test_threads_read_alike)
{
	/* well-formed: the same records and warnings */
	char *xml = big_file(30000, -1, "");
	read_alike(xml, strlen(xml), 0, "");
	free(xml);
	/* refused by the builder late in the file, after megabytes it has
	 * read: the same line, column and quoted text */
	xml = big_file(30000, 25000, "<person><person>\n");
	read_alike(xml, strlen(xml), -EXIT_DATAERR, ":200004:16: <person> inside <person>");
	free(xml);
	/* refused by libxml2 late in the file: its error waits for the
	 * builder to read what came before */
	xml = big_file(30000, 29000, "<person><name><fn>R&D</fn></name></person>\n");
	read_alike(xml, strlen(xml), -EXIT_DATAERR, "an '&' that starts no character");
	free(xml);
	/* cut in the middle of the memberships: libxml2's error at the cut,
	 * worded once the builder has read all that came before */
	xml = big_file(30000, -1, "");
	read_alike(xml, strlen(xml) * 9 / 10, -EXIT_DATAERR, "expected '>'");
	free(xml);
	/* a field over its limit deep in the file */
	strbuf defect = STRBUF_INIT;
	sb_adds(&defect, "<person><sourcedid><id>");
	for (int i = 0; i < 70000; i++)
		sb_addc(&defect, i % 64 ? 'a' : '\n');
	sb_adds(&defect, "</id></sourcedid></person>\n");
	xml = big_file(30000, 20000, defect.buf);
	read_alike(xml, strlen(xml), -EXIT_DATAERR, "the text of <id> is longer than 65536 bytes");
	free(xml);
	sb_free(&defect);
}
END_TEST

START_TEST(test_excerpt_lines)
{
	/* lines "line N" of varied lengths, some ending in CR LF, some with
	 * U+00CA (C3 8A: 0x8A is a newline with its high bit set), and a run
	 * of 9,000 empty lines (more newlines in one chunk than a byte counts) */
	strbuf text = STRBUF_INIT;
	for (int n = 1; n <= 400; n++) {
		sb_addf(&text, "line %d", n);
		for (int k = 0; k < n % 23; k++)
			sb_addc(&text, (char)('a' + k));
		if (n % 7 == 0)
			sb_adds(&text, "\xC3\x8A\xC3\x8A");
		sb_adds(&text, n % 5 == 0 ? "\r\n" : "\n");
		if (n == 200)
			for (int k = 0; k < 9000; k++)
				sb_addc(&text, '\n');
	}
	size_t nlines = 0, *starts = xmalloc((text.len + 2) * sizeof *starts);
	starts[nlines++] = 0; /* starts[l - 1]: where line l starts */
	for (size_t i = 0; i < text.len; i++)
		if (text.buf[i] == '\n')
			starts[nlines++] = i + 1;
	const size_t chunks[] = { 1, 7, 8, 9, 64, 333, 5000, 20000 };
	for (size_t c = 0; c < ARRAY_LEN(chunks); c++) {
		ims_excerpt x;
		ims_excerpt_init(&x);
		for (size_t pos = 0, l = 1; pos < text.len; pos += chunks[c]) {
			size_t n = text.len - pos < chunks[c] ? text.len - pos : chunks[c];
			memcpy(ims_excerpt_buffer(&x, chunks[c]), text.buf + pos, n);
			ims_excerpt_commit(&x, n);
			/* each line that starts inside this chunk is quoted, up to its
			 * end or the chunk's */
			for (; l <= nlines && starts[l - 1] < pos + n; l++) {
				size_t start = starts[l - 1], end = start;
				if (start < pos)
					continue;
				while (end < pos + n && text.buf[end] != '\r' && text.buf[end] != '\n')
					end++;
				/* (a character cut at the chunk's end is quoted as '?') */
				size_t ascii = start;
				while (ascii < end && (unsigned char)text.buf[ascii] < 0x80)
					ascii++;
				char out[200];
				ck_assert_msg(ims_excerpt_around(&x, (int)l, 1, UINT64_MAX, out, sizeof out), "chunk %zu line %zu",
					      chunks[c], l);
				ck_assert_msg(strncmp(out, text.buf + start, ascii - start) == 0 &&
					      (ascii < end || out[end - start] == '\n'),
					      "chunk %zu, line %zu quoted as '%s'", chunks[c], l, out);
			}
		}
		ims_excerpt_free(&x);
	}
	free(starts);
	sb_free(&text);

	/* finding bytes on a line, from a column on */
	ims_excerpt x;
	ims_excerpt_init(&x);
	const char *two = "<a>x\x81y</a>\n<b>\x81\x81</b>\n";
	memcpy(ims_excerpt_buffer(&x, 64), two, strlen(two));
	ims_excerpt_commit(&x, strlen(two));
	const unsigned char bad[] = { 0x81, 'y' }, twice[] = { 0x81, 0x81 }, none[] = { 0x82 };
	ck_assert_int_eq(ims_excerpt_find(&x, 1, 1, bad, 2), 5);
	ck_assert_int_eq(ims_excerpt_find(&x, 1, 5, bad, 2), 5);
	ck_assert_int_eq(ims_excerpt_find(&x, 1, 6, bad, 2), 0);    /* not after the column */
	ck_assert_int_eq(ims_excerpt_find(&x, 1, 1, twice, 2), 0);  /* not on the next line */
	ck_assert_int_eq(ims_excerpt_find(&x, 2, 1, twice, 2), 4);
	ck_assert_int_eq(ims_excerpt_find(&x, 2, 1, none, 1), 0);
	ck_assert_int_eq(ims_excerpt_find(&x, 9, 1, twice, 2), 0);  /* no such line */
	ims_excerpt_free(&x);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ims_parse");
	for (int n = 1; n <= 2; n++) {
		TCase *tc = tcase_create(n == 1 ? "model, one thread" : "model, two threads");
		tcase_add_checked_fixture(tc, n == 1 ? one_thread : two_threads, NULL);
		tcase_add_test(tc, test_ids_trimmed);
		tcase_add_test(tc, test_roletype_forms);
		tcase_add_test(tc, test_roles_in_the_model);
		tcase_add_test(tc, test_many_attributes);
		tcase_add_test(tc, test_status_and_recstatus);
		tcase_add_test(tc, test_idtype_forms);
		tcase_add_test(tc, test_text_forms);
		tcase_add_test(tc, test_comments_keep_role_state);
		tcase_add_test(tc, test_fragment);
		tcase_add_test(tc, test_strict_keeps_records);
		tcase_add_test(tc, test_refusal_message);
		suite_add_tcase(s, tc);
	}
	TCase *tc = tcase_create("threads");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_threads_read_alike);
	suite_add_tcase(s, tc);
	tc = tcase_create("excerpt");
	tcase_add_test(tc, test_excerpt_lines);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

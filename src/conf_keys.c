/* conf_keys.c -- every configuration key: section, name, type, default and
 * documentation. The example configuration (`ims2moodle config`) and the
 * checks of conf.c come from this one table; settings_load.c reads it into
 * the run settings. */
#include "config.h"
#include "conf.h"

#define K(sec, name, type, def, choices, doc) { sec, name, type, def, choices, doc }

const config_key config_keys[] = {
	/* ---- the site ---- */
	K("moodle", "url", CT_STRING, NULL, NULL,
	  "The Moodle site's address, e.g. https://moodle.example.edu. The environment variable "
	  "MOODLE_URL and the option --url override it."),
	K("moodle", "token_file", CT_STRING, NULL, NULL,
	  "A file holding the web service token, readable by its owner only (ims2moodle refuses a "
	  "token file that group or others can read). MOODLE_TOKEN_FILE overrides it; MOODLE_TOKEN "
	  "gives the token itself. The token is never an option and never written to logs."),
	K("moodle", "ca_file", CT_STRING, NULL, NULL,
	  "A file of CA certificates to verify the site's TLS certificate with, when it is not "
	  "signed by one of the system's. Verification is always on."),
	K("moodle", "timeout", CT_DURATION, "600s", NULL,
	  "How long one request may take. Moodle lets a web service call run at least 360 s; a write "
	  "that times out may still be committed by the site afterwards, and is reported as unknown."),
	K("moodle", "connect_timeout", CT_DURATION, "15s", NULL, "How long connecting may take."),
	K("moodle", "concurrency", CT_INT, "4", "1..32",
	  "Requests in flight at once. The site is the bottleneck past 2 to 4 (its PHP workers); "
	  "course creation always runs one request at a time."),
	K("moodle", "max_input_vars", CT_INT, "5000", "100..1000000",
	  "The site's PHP max_input_vars. PHP silently drops the fields of a request beyond it, so "
	  "every request is kept under field_budget."),
	K("moodle", "field_budget", CT_INT, "4000", "50..1000000",
	  "The most name=value pairs one request may carry, header pairs included; must stay below "
	  "max_input_vars."),
	K("moodle", "retries", CT_INT, "5", "0..50",
	  "How many times a read that failed for a passing reason (connection, timeout, 5xx) is tried "
	  "again, with exponential backoff and jitter. Writes are never retried blindly."),
	K("moodle", "retry_max_time", CT_DURATION, "300s", NULL,
	  "The most time all retries of one request may take together."),

	/* ---- the input files ---- */
	K("files", "repair", CT_LIST, "", NULL,
	  "Harmless exporter defects to repair while reading, comma-separated: ampersand (a bare & "
	  "read as &amp;) and leading-space (whitespace before <?xml skipped). Every repair is "
	  "reported. Nothing else is ever repaired."),
	K("files", "apply_dtd_defaults", CT_BOOL, "no", NULL,
	  "Read a role without roletype as the DTD default 01 (Learner) instead of quarantining it."),
	K("files", "accept_fragment", CT_BOOL, "no", NULL,
	  "Accept a file whose root is a single person, group or membership (LMB messages)."),
	K("files", "parse_threads", CT_INT, "0", "0..2",
	  "Threads that read a file: 2 builds the model in a second thread while libxml2 parses "
	  "(a large file reads in about three quarters of the time), 1 does both in one, 0 picks 2 "
	  "on a machine with two CPUs or more (one thread with a repair or check --strict). What is "
	  "read is the same."),
	K("files", "target", CT_STRING, NULL, NULL,
	  "This importer's name in properties/target. When set, a file whose targets do not include "
	  "it is skipped (exit 0, with a note)."),
	K("files", "refuse_older", CT_BOOL, "yes", NULL,
	  "In event mode, refuse a file whose properties/datetime is older than the last file "
	  "applied: replaying an old delta would undo later changes. --force overrides it once."),

	/* ---- users ---- */
	K("users", "match", CT_ENUM, "idnumber", "idnumber|username|email",
	  "How a person is found in Moodle: by idnumber (the person's sourcedid id), username "
	  "(from userid) or email."),
	K("users", "useridtypes", CT_LIST, "", NULL,
	  "The userid types to take the username from, in order of preference (Banner sends several: "
	  "e.g. Logon ID, SCTID, Email ID). Empty: the first userid."),
	K("users", "username_from_sourcedid", CT_BOOL, "no", NULL,
	  "When a person has no userid, use the sourcedid id as username."),
	K("users", "lowercase_usernames", CT_BOOL, "yes", NULL,
	  "Lower-case usernames (Moodle's web services refuse upper case). Two userids that become "
	  "one username are both quarantined."),
	K("users", "create", CT_BOOL, "yes", NULL, "Create persons who are not in Moodle."),
	K("users", "auth", CT_STRING, "manual", NULL,
	  "The authentication plugin of new users: manual, nologin, or your single sign-on plugin "
	  "(ldap, cas, saml2, oauth2, ...)."),
	K("users", "password", CT_ENUM, "random", "random|createpassword|none",
	  "Passwords of new users with an internal auth plugin: random (a random password that passes "
	  "Moodle's policy and is never shown: users log in through single sign-on or reset it), "
	  "createpassword (Moodle generates one and emails it at once), none (only for external auth "
	  "plugins, which ignore passwords)."),
	K("users", "update", CT_ENUM, "recstatus", "never|recstatus|changed",
	  "When Moodle users are updated from the file: never, recstatus (only persons marked as an "
	  "update, recstatus 2), or changed (whenever a value differs)."),
	K("users", "update_fields", CT_LIST, "firstname,lastname,email", NULL,
	  "The user fields updates may change: firstname, lastname, email, city, country."),
	K("users", "split_fn", CT_BOOL, "no", NULL,
	  "For a person with a formatted name (fn) only, take the given name and family name from it "
	  "by splitting at the last space. Off: such persons are quarantined."),
	K("users", "empty_clears", CT_BOOL, "no", NULL,
	  "An empty element (<locality/>) clears the optional Moodle field it feeds (city, "
	  "country). Names and email, which Moodle requires, are never blanked. Off: empty means "
	  "unknown, and the field is left as it is."),
	K("users", "missing_email", CT_STRING, NULL, NULL,
	  "A template for the email of persons without one, e.g. {username}@noemail.invalid ({id} is "
	  "the sourcedid). Unset: such persons are quarantined (Moodle requires an email)."),
	K("users", "delete", CT_ENUM, "suspend", "suspend|delete|ignore",
	  "What a person's delete record (recstatus 3) does: suspend the account (the default), "
	  "delete it (all its enrolments and grades go; guarded by safety.user_delete_*), or nothing. "
	  "The guest, the site administrator and the token's user are never touched."),

	/* ---- courses ---- */
	K("courses", "match", CT_LIST, "idnumber,shortname", NULL,
	  "How a group is found in Moodle: by course idnumber (the group's sourcedid id) and by "
	  "shortname. A course found by one and another course by the other is an ambiguity: the "
	  "group is quarantined with both named."),
	K("courses", "create", CT_BOOL, "yes", NULL, "Create courses for groups that are not in Moodle."),
	K("courses", "visible", CT_BOOL, "no", NULL,
	  "Create courses visible. Off (the default): new courses are hidden until a teacher or "
	  "administrator opens them."),
	K("courses", "shortname", CT_ENUM, "id", "id|short|long|full",
	  "What a new course's shortname is made of: the group's id (unique, the default), or its "
	  "short, long or full description. A missing description falls back to long, then the id."),
	K("courses", "fullname", CT_LIST, "full,long,short,id", NULL,
	  "Where a course's full name comes from: the first of these that the group has."),
	K("courses", "summary", CT_ENUM, "none", "none|short|long|full",
	  "Where a new course's summary comes from."),
	K("courses", "category", CT_INT, "1", "1..999999999",
	  "The Moodle category id of new courses (when category_from_orgunit is off, or a group has "
	  "no org/orgunit)."),
	K("courses", "category_from_orgunit", CT_BOOL, "no", NULL,
	  "Put new courses in the category named by the group's org/orgunit path (outermost first), "
	  "creating the missing categories."),
	K("courses", "update", CT_BOOL, "no", NULL,
	  "Apply a group's update record (recstatus 2) to the course's names and summary."),
	K("courses", "delete", CT_ENUM, "hide", "hide|ignore",
	  "What a group's delete record (recstatus 3) does: hide the course, or nothing. Courses are "
	  "never deleted, and never created from a delete record."),
	K("courses", "course_typevalues", CT_LIST, "", NULL,
	  "If set, only groups with one of these grouptype typevalues are courses."),
	K("courses", "noncourse_typevalues", CT_LIST, "Term,CrossListedSection,College,Department,School,Faculty",
	  NULL,
	  "Groups with one of these grouptype typevalues are not courses: their memberships enrol "
	  "nobody (reported as skipped)."),

	/* ---- roles ---- */
	K("roles", "map.01", CT_STRING, "student", NULL,
	  "The Moodle role (shortname) of IMS role 01 Learner. Empty: the role is not mapped, and "
	  "records with it are quarantined, never given a default role."),
	K("roles", "map.02", CT_STRING, "editingteacher", NULL, "IMS role 02 Instructor."),
	K("roles", "map.03", CT_STRING, "editingteacher", NULL, "IMS role 03 Content Developer."),
	K("roles", "map.04", CT_STRING, "student", NULL, "IMS role 04 Member."),
	K("roles", "map.05", CT_STRING, "", NULL,
	  "IMS role 05 Manager: unmapped by default (a manager role in a course grants much)."),
	K("roles", "map.06", CT_STRING, "teacher", NULL, "IMS role 06 Mentor."),
	K("roles", "map.07", CT_STRING, "", NULL, "IMS role 07 Administrator: unmapped by default."),
	K("roles", "map.08", CT_STRING, "teacher", NULL, "IMS role 08 Teaching Assistant."),
	K("roles", "ids", CT_LIST, "manager:1,editingteacher:3,teacher:4,student:5", NULL,
	  "The ids of the site's roles, as shortname:id (no web service function lists roles; these "
	  "are a stock Moodle's). Rosters read from the site confirm or correct them."),

	/* ---- enrolments ---- */
	K("enrolments", "withdraw", CT_ENUM, "suspend", "suspend|unenrol|ignore",
	  "What a withdrawal (role status 0, or role recstatus 3) does: suspend the enrolment (the "
	  "default: grades stay), unenrol (Moodle deletes the student's grades; guarded by "
	  "safety.unenrol_*), or nothing."),
	K("enrolments", "dates", CT_ENUM, "restrict", "restrict|always|never",
	  "Which role timeframe dates become enrolment start and end: only those marked "
	  "restrict=\"1\" (Moodle's rule), always, or never. An end date includes its whole day."),
	K("enrolments", "timezone", CT_STRING, "UTC", NULL,
	  "The site's time zone (e.g. Europe/Oslo), for dates without a zone."),
	K("enrolments", "manage", CT_ENUM, "own", "own|all",
	  "Which enrolments ims2moodle changes or withdraws: only those it made (the default), or "
	  "also enrolments made by hand or by other methods in the courses it manages."),
	K("enrolments", "course_groups", CT_BOOL, "yes", NULL,
	  "Put members in the course group named by their role's extension/cohort, creating it."),

	/* ---- planning ---- */
	K("plan", "mode", CT_ENUM, "event", "event|snapshot",
	  "event: only what the file says changes. snapshot: the file is the whole truth for its "
	  "scope, and enrolments ims2moodle made there that the file no longer lists are withdrawn "
	  "(behind the safety thresholds)."),
	K("plan", "scope", CT_LIST, "", NULL,
	  "Snapshot mode: the group ids whose enrolments the file covers. Empty: the groups in the "
	  "file."),
	K("plan", "allow_empty_snapshot", CT_BOOL, "no", NULL,
	  "Accept a snapshot file with no records (read as: everyone left). An empty extract is far "
	  "more often an export failure."),
	K("plan", "site_read", CT_ENUM, "auto", "auto|reconcile|diff",
	  "How the site is known: reconcile reads from Moodle everything the file refers to (Moodle "
	  "is the truth); diff trusts the store for what ims2moodle made and reads only what the "
	  "store does not know; auto reconciles on the first run and every reconcile_every, and "
	  "diffs in between."),
	K("plan", "reconcile_every", CT_DURATION, "7d", NULL,
	  "With site_read = auto: how often a full reconcile runs."),

	/* ---- safety thresholds ---- */
	K("safety", "suspend_max_percent", CT_PERCENT, "10", NULL,
	  "The most enrolment suspensions one run may plan, as a share of the enrolments ims2moodle "
	  "manages; above it the plan is refused unless --force is given. none: no limit."),
	K("safety", "suspend_max_count", CT_INT, "1000", "-1..1000000000",
	  "The same, as a number (-1: no limit)."),
	K("safety", "unenrol_max_percent", CT_PERCENT, "5", NULL, "The same for unenrolments."),
	K("safety", "unenrol_max_count", CT_INT, "200", "-1..1000000000", "The same, as a number."),
	K("safety", "user_suspend_max_percent", CT_PERCENT, "5", NULL,
	  "The same for suspended user accounts, as a share of the users ims2moodle knows."),
	K("safety", "user_suspend_max_count", CT_INT, "100", "-1..1000000000", "The same, as a number."),
	K("safety", "user_delete_max_percent", CT_PERCENT, "1", NULL, "The same for deleted users."),
	K("safety", "user_delete_max_count", CT_INT, "10", "-1..1000000000", "The same, as a number."),
	K("safety", "course_hide_max_percent", CT_PERCENT, "10", NULL,
	  "The same for hidden courses, as a share of the courses ims2moodle knows."),
	K("safety", "course_hide_max_count", CT_INT, "50", "-1..1000000000", "The same, as a number."),
	K("safety", "course_suspend_max_percent", CT_PERCENT, "50", NULL,
	  "Per course: the most suspensions, as a share of the course's enrolments ims2moodle "
	  "manages."),
	K("safety", "course_unenrol_max_percent", CT_PERCENT, "25", NULL, "Per course: unenrolments."),
	K("safety", "min_count", CT_INT, "10", "0..1000000",
	  "The site-wide percentages apply only from this many actions of a class on, so that a "
	  "small site's few withdrawals are not refused (the counts always apply)."),
	K("safety", "course_min_count", CT_INT, "5", "0..1000000",
	  "Per-course percentages apply only from this many withdrawals in the course on, so that a "
	  "small course's single withdrawal is not refused."),

	/* ---- applying ---- */
	K("apply", "batch_create_users", CT_INT, "100", "1..1000",
	  "Users created per request (each costs the site a password hash)."),
	K("apply", "batch_update_users", CT_INT, "100", "1..1000", "Users updated per request."),
	K("apply", "batch_enrol", CT_INT, "200", "1..2000",
	  "Enrolments (new, reactivated, suspended, dates changed) per request. They are sorted by "
	  "user before they are cut into batches, so that concurrent batches never share a user (the "
	  "site deadlocks otherwise)."),
	K("apply", "batch_unenrol", CT_INT, "200", "1..2000", "Unenrolments per request."),
	K("apply", "batch_roles", CT_INT, "200", "1..2000", "Role assignments or removals per request."),
	K("apply", "batch_group_members", CT_INT, "200", "1..2000", "Course group members per request."),
	K("apply", "batch_create_courses", CT_INT, "20", "1..200",
	  "Courses created per request. Courses are created one request at a time: each creation "
	  "renumbers its category, and concurrent ones are slower than serial."),
	K("apply", "write_retries", CT_INT, "3", "0..20",
	  "How many times a write that can safely be sent again (setting an enrolment's state, a role, "
	  "a group member) is retried after a passing fault or a lost answer. A deadlocked batch "
	  "(dmlwriteexception) is retried whole before it is split to find a bad record."),
	K("apply", "settle_delay", CT_DURATION, "3s", NULL,
	  "After a creation whose answer was lost, how long to wait before reading the site to see "
	  "whether it happened (a site can commit a call after its proxy gave up). What is still "
	  "unknown then is left to the next run's plan, never created twice."),
	K("apply", "check_hidden", CT_BOOL, "yes", NULL,
	  "Read new courses back and stop the run if a course asked hidden came out visible (the "
	  "token lacks moodle/course:visibility), before anyone is enrolled in it."),

	{ NULL, NULL, CT_STRING, NULL, NULL, NULL },
};

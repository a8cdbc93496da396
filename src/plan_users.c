/* plan_users.c -- persons -> Moodle users: the username, names and email a
 * person gets, which Moodle user it is (by idnumber, username or email;
 * ambiguities quarantined with the candidates named), and the actions that
 * create, update, reactivate, suspend or delete users. */
#include "config.h"
#include "plan_internal.h"
#include "identity.h"
#include "country.h"

#include <string.h>

static uref *new_uref(planner *pl, const char *person_id, const ims_person *p)
{
	uref *u = arena_alloc(&pl->work, sizeof *u);
	u->person_id = person_id;
	u->person = p;
	u->index = (uint32_t)pl->nurefs;
	pl->urefs = xrealloc(pl->urefs, (pl->nurefs + 1) * sizeof *pl->urefs);
	pl->urefs[pl->nurefs++] = u;
	ptrmap_put(&pl->users, person_id, u);
	return u;
}

static const char *username_of(planner *pl, const ims_person *p)
{
	return person_username(pl->cfg, p, &pl->strings);
}

/* Moodle's PARAM_USERNAME without extended characters (reference §1.3). */
static bool username_valid(const char *u)
{
	size_t n = 0;
	for (; u[n]; n++) {
		char c = u[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '@' || c == '-'))
			return false;
	}
	return n > 0 && n <= 100;
}

/* An approximation of Moodle's validate_email (reference §2.12): ASCII,
 * one @, a dotted domain of letters, digits and inner hyphens. */
static bool email_plausible(const char *e)
{
	const char *at = strchr(e, '@');
	if (!at || at == e || strchr(at + 1, '@') || strlen(e) > 100)
		return false;
	for (const char *p = e; p < at; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c >= 0x7f || strchr("<>()[]\\,;:\"", c))
			return false;
	}
	if (e[0] == '.' || at[-1] == '.' || strstr(e, ".."))
		return false;
	const char *d = at + 1;
	if (d[0] == '[')
		return d[strlen(d) - 1] == ']';
	bool dot = false;
	size_t label = 0;
	for (const char *p = d; ; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '.' || c == '\0') {
			if (label == 0 || p[-1] == '-')
				return false;
			if (c == '\0')
				break;
			dot = true;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c == '-' && label > 0)))
			return false;
		label++;
	}
	return dot;
}

/* Given and family names; with split_fn, a person with fn only is split at
 * the last space (the OpenACS rule, §8 #66). */
static void names_of(planner *pl, const ims_person *p, const char **first, const char **last)
{
	*first = p->given && *p->given ? p->given : NULL;
	*last = p->family && *p->family ? p->family : NULL;
	if ((*first && *last) || !pl->cfg->split_fn || !p->fn)
		return;
	const char *sp = strrchr(p->fn, ' ');
	if (!sp || sp == p->fn)
		return;
	if (!*first)
		*first = strtab_intern(&pl->strings, p->fn, (size_t)(sp - p->fn));
	if (!*last)
		*last = pl_str(pl, "%s", sp + 1);
}

static const char *email_of(planner *pl, const ims_person *p, const char *username)
{
	if (p->email && *p->email)
		return p->email;
	if (!pl->cfg->missing_email)
		return NULL;
	/* the template's {username} and {id} are replaced */
	strbuf sb = STRBUF_INIT;
	for (const char *t = pl->cfg->missing_email; *t; t++) {
		if (strncmp(t, "{username}", 10) == 0 && username) {
			sb_adds(&sb, username);
			t += 9;
		} else if (strncmp(t, "{id}", 4) == 0) {
			sb_adds(&sb, p->id);
			t += 3;
		} else {
			sb_addc(&sb, *t);
		}
	}
	const char *e = pl_str(pl, "%s", sb_str(&sb));
	sb_free(&sb);
	return e;
}

/* The person's country as the ISO 3166 alpha-2 code Moodle stores (it
 * keeps "0" for anything else), or NULL when the file has none or one no
 * code is known for (§8 #67: then the field is left alone, and plan_person
 * reports it). */
static const char *country_of(const ims_person *p)
{
	const char *c = p->adr ? p->adr->country : NULL;
	return c && *c ? country_code(c) : NULL;
}

/* Reports a country the file gives that is no ISO 3166 country. */
static void report_unknown_country(planner *pl, const ims_person *p)
{
	const char *c = p->adr ? p->adr->country : NULL;
	if (c && *c && !country_code(c))
		pl_skip(pl, p->loc.line, "country", NULL, p->id,
			pl_str(pl, "country '%s' is no ISO 3166 country Moodle knows: the user's country "
			       "is left as it is", c));
}

static const char *describe_users(planner *pl, const site_match *m)
{
	strbuf sb = STRBUF_INIT;
	for (; m; m = m->next) {
		const site_user *u = m->item;
		sb_addf(&sb, "%suser %lld '%s' (idnumber '%s')", sb.len ? "; " : "", (long long)u->id,
			u->username ? u->username : "", u->idnumber ? u->idnumber : "");
	}
	const char *s = pl_str(pl, "%s", sb_str(&sb));
	sb_free(&sb);
	return s;
}

/* Candidates for a person by the configured field. */
static const site_match *candidates(planner *pl, const ims_person *p, const char *username,
				    const char **field)
{
	switch (pl->cfg->user_match) {
	case MATCH_USERNAME:
		*field = "username";
		return username ? site_users_by_username(pl->site, username) : NULL;
	case MATCH_EMAIL:
		*field = "email";
		return p->email && *p->email ? site_users_by_email(pl->site, p->email) : NULL;
	case MATCH_IDNUMBER:
	default:
		*field = "idnumber";
		return site_users_by_idnumber(pl->site, p->id);
	}
}

static bool wants_field(planner *pl, const char *field)
{
	for (const char **f = pl->cfg->user_update_fields; f && *f; f++)
		if (strcmp(*f, field) == 0)
			return true;
	return false;
}

/* Plans the field updates the settings allow; returns the action, or NULL
 * when nothing changes. */
static plan_action *plan_user_update(planner *pl, uref *u, const char *first, const char *last,
				     const char *email)
{
	const ims_person *p = u->person;
	const site_user *su = u->user;
	plan_action *a = NULL;
	bool policy = pl->cfg->update_users == UPDATE_CHANGED ||
		      (pl->cfg->update_users == UPDATE_RECSTATUS && p->recstatus == RS_UPDATE);
	if (!policy || su->from_store)
		return NULL;
	struct { const char *field, *from, *to; } f[] = {
		{ "firstname", su->firstname, first },
		{ "lastname", su->lastname, last },
		{ "email", su->email, email && email_plausible(email) ? email : NULL },
		{ "city", su->city, p->adr ? p->adr->locality : NULL },
		{ "country", su->country, country_of(p) },
	};
	if (wants_field(pl, "country"))
		report_unknown_country(pl, p);
	for (size_t i = 0; i < ARRAY_LEN(f); i++) {
		if (!wants_field(pl, f[i].field))
			continue;
		/* an empty element usually means "unknown", not "erase" (§8 #61) */
		if (!f[i].to || (!*f[i].to && !pl->cfg->empty_clears))
			continue;
		if (str_eq(f[i].from ? f[i].from : "", f[i].to))
			continue;
		size_t max = strcmp(f[i].field, "city") == 0 ? 120 : 100;
		if (utf8_chars(f[i].to) > max || has_markup(f[i].to)) {
			pl_skip(pl, p->loc.line, "person", NULL, p->id,
				has_markup(f[i].to)
				? pl_str(pl, "%s not updated: the file's value contains markup (<...>), "
					 "which Moodle refuses", f[i].field)
				: pl_str(pl, "%s not updated: the file's value is longer than Moodle's %zu "
					 "characters", f[i].field, max));
			continue;
		}
		if (!a) {
			a = pl_action(pl, PA_UPDATE_USER, p->loc.line,
				      p->recstatus == RS_UPDATE ? "the person is an update (recstatus 2)"
								: "the file's values differ from Moodle's");
			a->person_id = p->id;
			a->userid = u->userid;
			pl_object(pl, a);
		}
		pl_change(pl, a->obj, f[i].field, f[i].from, f[i].to);
	}
	return a;
}

/* The person's Old id when it lists one (an id change, PIFU's
 * sourcedidtype, §8 #65), else NULL. */
static const char *old_id_of(const ims_person *p)
{
	for (const ims_sourcedid *sd = p->sourcedids; sd; sd = sd->next)
		if (sd->type && str_ieq_ascii(sd->type, "Old") && sd->id && *sd->id && !str_eq(sd->id, p->id))
			return sd->id;
	return NULL;
}

/* An id change (§8 #65): made when the Old id is one Moodle user's
 * idnumber and the New id nobody's; refused (quarantined) when both are
 * users or the Old id is ambiguous; nothing to do when the Old id is
 * unknown (the person is matched by the New id as usual). Returns true
 * when it decided the person. */
static bool plan_id_change(planner *pl, uref *u, const char *first, const char *last,
			   const char *email)
{
	const ims_person *p = u->person;
	const char *old = old_id_of(p);
	if (!old || pl->cfg->user_match != MATCH_IDNUMBER || p->recstatus == RS_DELETE)
		return false;
	const site_match *om = site_users_by_idnumber(pl->site, old);
	const site_match *nm = site_users_by_idnumber(pl->site, p->id);
	size_t on = site_match_count(om), nn = site_match_count(nm);
	if (on == 0 || (on == 1 && nn == 1 && nm->item == om->item))
		return false;
	if (on > 1 || nn > 0) {
		u->state = US_QUARANTINED;
		u->why = on > 1 ? pl_str(pl, "the id change from Old '%s' to New '%s' cannot be made: "
					 "%zu Moodle users have idnumber '%s'", old, p->id, on, old)
				: pl_str(pl, "the id change from Old '%s' to New '%s' cannot be made: both "
					 "are idnumbers of Moodle users", old, p->id);
		strbuf both = STRBUF_INIT;
		sb_addf(&both, "%s", describe_users(pl, om));
		if (nn)
			sb_addf(&both, "; %s", describe_users(pl, nm));
		pl_quarantine(pl, p->loc.line, "person", p->id, NULL, u->why, pl_str(pl, "%s", both.buf));
		sb_free(&both);
		return true;
	}
	u->state = US_EXISTS;
	u->user = om->item;
	u->userid = u->user->id;
	plan_action *a = plan_user_update(pl, u, first, last, email);
	if (!a) {
		a = pl_action(pl, PA_UPDATE_USER, p->loc.line, NULL);
		a->person_id = p->id;
		a->userid = u->userid;
		pl_object(pl, a);
	}
	a->reason = pl_str(pl, "the person's id changed from '%s' (sourcedidtype Old) to '%s': the "
			   "Moodle user with the old idnumber gets the new one", old, p->id);
	pl_change(pl, a->obj, "idnumber", old, p->id);
	return true;
}

static void plan_person_delete(planner *pl, uref *u)
{
	const ims_person *p = u->person;
	if (u->state != US_EXISTS) {
		pl_skip(pl, p->loc.line, "person", NULL, p->id,
			"delete record (recstatus 3) of a user who is not in Moodle");
		return;
	}
	if (pl->cfg->person_delete == PDEL_IGNORE) {
		pl_skip(pl, p->loc.line, "person", NULL, p->id, "delete record ignored (users.delete = ignore)");
		return;
	}
	if (pl_protected_user(pl, u->userid)) {
		pl_skip(pl, p->loc.line, "person", NULL, p->id,
			"delete record of the guest, the site administrator or the service account: "
			"never suspended or deleted");
		return;
	}
	if (pl->cfg->person_delete == PDEL_DELETE) {
		plan_action *a = pl_action(pl, PA_DELETE_USER, p->loc.line,
					   "the person is deleted (recstatus 3) and users.delete = delete");
		a->person_id = p->id;
		a->userid = u->userid;
	} else if (!u->user->suspended) {
		plan_action *a = pl_action(pl, PA_SUSPEND_USER, p->loc.line,
					   "the person is deleted (recstatus 3): the account is suspended, "
					   "not deleted");
		a->person_id = p->id;
		a->userid = u->userid;
	}
}

/* Moodle's user columns (reference §4.8): a longer value fails the insert
 * with dmlwriteexception and rolls back the whole batch, and truncating it
 * could merge two people (§8 #68). Returns why, or NULL. (Usernames and
 * emails are checked with their own rules.) */
static const char *too_long_for_moodle(const char *idnumber, const char *first, const char *last,
				       const char *city)
{
	if (utf8_chars(idnumber) > 255)
		return "its id is longer than Moodle's 255-character user idnumber";
	if (utf8_chars(first) > 100)
		return "its given name is longer than Moodle's 100 characters";
	if (utf8_chars(last) > 100)
		return "its family name is longer than Moodle's 100 characters";
	if (city && utf8_chars(city) > 120)
		return "its city (adr/locality) is longer than Moodle's 120 characters";
	if (has_markup(first) || has_markup(last) || has_markup(city))
		return "its name or city contains markup (<...>), which Moodle refuses";
	return NULL;
}

/* Why a person has no username: no userid at all, or userids of none of
 * the configured types (then which types it has, §8 #62). */
static const char *no_username_reason(planner *pl, const ims_person *p)
{
	strbuf has = STRBUF_INIT, wanted = STRBUF_INIT;
	for (const ims_userid *u = p->userids; u; u = u->next)
		if (u->value && *u->value)
			sb_addf(&has, "%s%s", has.len ? ", " : "",
				u->useridtype && *u->useridtype ? u->useridtype : "(no type)");
	for (const char **t = pl->cfg->useridtypes; t && *t; t++)
		sb_addf(&wanted, "%s%s", wanted.len ? ", " : "", *t);
	const char *why;
	if (has.len && wanted.len)
		why = pl_str(pl, "none of its userids has a type in users.useridtypes (%s); it has: %s",
			     wanted.buf, has.buf);
	else
		why = "no userid to make a username from (users.username_from_sourcedid would use the id)";
	sb_free(&has);
	sb_free(&wanted);
	return why;
}

static void plan_new_user(planner *pl, uref *u, const char *username, const char *first,
			  const char *last, const char *email, ptrmap *emails)
{
	const ims_person *p = u->person;
	const char *why = NULL;

	if (!username)
		why = no_username_reason(pl, p);
	else if (!username_valid(username))
		why = pl_str(pl, "username '%s' is not one Moodle accepts (lower-case a-z 0-9 _ . @ -, "
			     "at most 100 characters)", username);
	else if (!first || !last)
		why = "no given and family name (Moodle requires both; users.split_fn splits fn)";
	else if ((why = too_long_for_moodle(p->id, first, last, p->adr ? p->adr->locality : NULL)))
		;
	else if (!email)
		why = "no email (Moodle requires one; users.missing_email sets a template)";
	else if (!email_plausible(email))
		why = pl_str(pl, "email '%s' is not an address Moodle accepts", email);
	else if (site_users_by_username(pl->site, username))
		why = pl_str(pl, "username '%s' belongs to another Moodle user", username);
	else if (site_users_by_email(pl->site, email))
		why = pl_str(pl, "email '%s' belongs to another Moodle user", email);
	if (!why) {
		char low[256];
		size_t n = strlen(email);
		if (n < sizeof low) {
			for (size_t i = 0; i <= n; i++)
				low[i] = (email[i] >= 'A' && email[i] <= 'Z') ? (char)(email[i] + 32) : email[i];
			const char *k = strtab_intern(&pl->strings, low, n);
			const char *other = ptrmap_get(emails, k);
			if (other)
				why = pl_str(pl, "email '%s' is also the email of person %s in the file", email, other);
			else
				ptrmap_put(emails, k, (void *)p->id);
		}
	}
	if (why) {
		u->state = US_QUARANTINED;
		u->why = why;
		pl_quarantine(pl, p->loc.line, "person", p->id, NULL, why, NULL);
		return;
	}
	plan_action *a = pl_action(pl, PA_CREATE_USER, p->loc.line,
				   pl_str(pl, "no Moodle user has %s '%s'",
					  pl->cfg->user_match == MATCH_USERNAME ? "username" :
					  pl->cfg->user_match == MATCH_EMAIL ? "email" : "idnumber",
					  pl->cfg->user_match == MATCH_USERNAME ? username :
					  pl->cfg->user_match == MATCH_EMAIL ? email : p->id));
	a->person_id = p->id;
	a->user_ref = username;
	plan_object *o = pl_object(pl, a);
	o->username = username;
	o->idnumber = p->id;
	o->firstname = first;
	o->lastname = last;
	o->email = email;
	o->auth = pl->cfg->auth;
	o->city = p->adr && p->adr->locality && *p->adr->locality ? p->adr->locality : NULL;
	o->country = country_of(p);
	report_unknown_country(pl, p);
	u->state = US_CREATE;
	u->username = username;
}

static void plan_person(planner *pl, const ims_person *p, const ptrmap *shared_usernames,
			ptrmap *emails)
{
	uref *u = new_uref(pl, p->id, p);
	const char *username = username_of(pl, p);
	const char *first, *last, *field;
	names_of(pl, p, &first, &last);
	const char *email = email_of(pl, p, username);

	if (p->quarantine || (p->dup_conflict && pl->cfg->mode == MODE_SNAPSHOT)) {
		u->state = US_QUARANTINED;
		u->why = p->quarantine ? p->quarantine : "repeated with different content";
		return;
	}
	const char *sharers = username ? ptrmap_get(shared_usernames, username) : NULL;
	if (sharers) {
		/* §8 #64: userids that are one username once lower-cased (or the
		 * same userid on two persons): which person owns the login cannot
		 * be known, so none of them gets it */
		u->state = US_QUARANTINED;
		u->why = pl_str(pl, "username '%s' would belong to several persons in the file (%s): "
				"their userids differ only in case, or are the same", username, sharers);
		pl_quarantine(pl, p->loc.line, "person", p->id, NULL, u->why, NULL);
		return;
	}
	if (plan_id_change(pl, u, first, last, email))
		return;
	const site_match *m = candidates(pl, p, username, &field);
	size_t n = site_match_count(m);
	if (n > 1) {
		u->state = US_QUARANTINED;
		u->why = pl_str(pl, "ambiguous: %zu Moodle users have %s '%s'", n, field,
				pl->cfg->user_match == MATCH_IDNUMBER ? p->id :
				pl->cfg->user_match == MATCH_USERNAME ? username : p->email);
		pl_quarantine(pl, p->loc.line, "person", p->id, NULL, u->why, describe_users(pl, m));
		return;
	}
	if (n == 1) {
		u->state = US_EXISTS;
		u->user = m->item;
		u->userid = u->user->id;
		const state_user *su = pl->store ? state_user_of_person(pl->store, p->id) : NULL;
		if (su && su->userid != u->userid) {
			u->state = US_QUARANTINED;
			u->why = pl_str(pl, "Moodle's user %lld matches, but ims2moodle applied this person "
					"to user %lld before", (long long)u->userid, (long long)su->userid);
			pl_quarantine(pl, p->loc.line, "person", p->id, NULL, u->why, describe_users(pl, m));
			return;
		}
	}
	if (p->recstatus == RS_DELETE) {
		plan_person_delete(pl, u);
		return;
	}
	if (u->state == US_EXISTS) {
		const state_user *su = pl->store ? state_user_of_person(pl->store, p->id) : NULL;
		if (u->user->suspended && su && su->suspended_by_us) {
			plan_action *a = pl_action(pl, PA_REACTIVATE_USER, p->loc.line,
						   "ims2moodle suspended this account for a delete record; "
						   "the person is back");
			a->person_id = p->id;
			a->userid = u->userid;
		}
		plan_user_update(pl, u, first, last, email);
		return;
	}
	if (!pl->cfg->create_users) {
		u->state = US_SKIP;
		u->why = "not in Moodle, and user creation is off";
		pl_skip(pl, p->loc.line, "person", NULL, p->id, u->why);
		return;
	}
	plan_new_user(pl, u, username, first, last, email, emails);
}

void plan_users(planner *pl)
{
	/* usernames: the first person to get each; shared: the usernames two
	 * or more persons would get, to the list of those persons' ids */
	ptrmap usernames, shared, emails;
	ptrmap_init(&usernames);
	ptrmap_init(&shared);
	ptrmap_init(&emails);
	for (const ims_person *p = pl->m->persons; p; p = p->next) {
		const char *u = p->quarantine ? NULL : username_of(pl, p);
		if (!u)
			continue;
		const ims_person *first = ptrmap_get(&usernames, u);
		if (!first) {
			ptrmap_put(&usernames, u, (void *)p);
			continue;
		}
		const char *ids = ptrmap_get(&shared, u);
		ptrmap_put(&shared, u, (void *)pl_str(pl, "%s, %s", ids ? ids : first->id, p->id));
	}
	for (const ims_person *p = pl->m->persons; p; p = p->next)
		plan_person(pl, p, &shared, &emails);
	ptrmap_free(&usernames);
	ptrmap_free(&shared);
	ptrmap_free(&emails);
}

uref *plan_user_of_member(planner *pl, const char *member_id, uint32_t line)
{
	/* members' ids are not interned by the parser: the person's own id is
	 * the key when the file has the person, else one of the planner's */
	const char *person_id = ims_canonical(pl->m, member_id);
	if (!person_id)
		person_id = strtab_intern(&pl->strings, member_id, strlen(member_id));
	uref *u = ptrmap_get(&pl->users, person_id);
	if (u)
		return u;
	/* A person who is not in the file (§8 #81, #34). */
	u = new_uref(pl, person_id, NULL);
	const state_user *su = pl->store ? state_user_of_person(pl->store, person_id) : NULL;
	const site_user *known = su ? site_user_by_id(pl->site, su->userid) : NULL;
	if (known) {
		u->state = US_EXISTS;
		u->user = known;
		u->userid = known->id;
		return u;
	}
	const site_match *m = pl->cfg->user_match == MATCH_IDNUMBER ?
			      site_users_by_idnumber(pl->site, person_id) : NULL;
	size_t n = site_match_count(m);
	if (n == 1) {
		u->state = US_EXISTS;
		u->user = m->item;
		u->userid = u->user->id;
	} else if (n > 1) {
		u->state = US_QUARANTINED;
		u->why = pl_str(pl, "ambiguous: %zu Moodle users have idnumber '%s'", n, person_id);
		pl_quarantine(pl, line, "member", person_id, NULL, u->why, describe_users(pl, m));
	} else {
		u->state = US_QUARANTINED;
		u->why = pl->cfg->user_match == MATCH_IDNUMBER ?
			 "the person is neither in the file nor a Moodle user (no user has it as idnumber)" :
			 "the person is not in the file, and without the person record the configured "
			 "match field is unknown";
	}
	return u;
}

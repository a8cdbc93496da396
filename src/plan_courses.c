/* plan_courses.c -- groups -> Moodle courses: which group is a course, which
 * course it is (idnumber, then shortname; ambiguities quarantined with the
 * candidates named), and the actions that create, update or hide courses
 * and create their categories. */
#include "config.h"
#include "plan_internal.h"
#include "identity.h"
#include "isodate.h"

#include <string.h>

static cref *new_cref(planner *pl, const char *group_id, const ims_group *g)
{
	cref *c = arena_alloc(&pl->work, sizeof *c);
	c->group_id = group_id;
	c->group = g;
	c->index = (uint32_t)pl->ncrefs;
	pl->crefs = xrealloc(pl->crefs, (pl->ncrefs + 1) * sizeof *pl->crefs);
	pl->crefs[pl->ncrefs++] = c;
	ptrmap_put(&pl->courses, group_id, c);
	return c;
}

static bool in_list(const char **list, const char *value)
{
	for (; list && *list; list++)
		if (str_ieq_ascii(*list, value))
			return true;
	return false;
}

/* A group is a course unless its grouptype says otherwise (a term, a
 * department, a cross-list: reference §4.4). */
static const char *not_a_course(planner *pl, const ims_group *g)
{
	bool any = false, course = false;
	for (const ims_grouptype *gt = g->grouptypes; gt; gt = gt->next)
		for (const ims_typed_text *tv = gt->typevalues; tv; tv = tv->next) {
			if (!tv->value || !*tv->value)
				continue;
			any = true;
			if (in_list(pl->cfg->noncourse_typevalues, tv->value))
				return pl_str(pl, "group of type '%s', not a course", tv->value);
			if (in_list(pl->cfg->course_typevalues, tv->value))
				course = true;
		}
	if (pl->cfg->course_typevalues && any && !course)
		return "its grouptype is not one of courses.course_typevalues";
	return NULL;
}

static const char *fullname_of(planner *pl, const ims_group *g)
{
	for (int i = 0; i < 4 && pl->cfg->fullname_from[i] != NAME_NONE; i++) {
		const char *v = group_name_from(g, pl->cfg->fullname_from[i]);
		if (v)
			return v;
	}
	return g->id;
}

static const char *shortname_of(planner *pl, const ims_group *g)
{
	return group_shortname(pl->cfg, g);
}

static const char *describe_course(planner *pl, const site_course *c)
{
	return pl_str(pl, "course %lld '%s' (idnumber '%s')", (long long)c->id,
		      c->shortname ? c->shortname : "", c->idnumber ? c->idnumber : "");
}

static const char *describe_matches(planner *pl, const site_match *m)
{
	strbuf sb = STRBUF_INIT;
	for (; m; m = m->next)
		sb_addf(&sb, "%s%s", sb.len ? "; " : "", describe_course(pl, m->item));
	const char *s = pl_str(pl, "%s", sb_str(&sb));
	sb_free(&sb);
	return s;
}


/* Finds the Moodle course of a group: sets c->state to CS_EXISTS, or
 * CS_QUARANTINED for an ambiguity, or leaves it absent (returns false). */
static bool find_course(planner *pl, cref *c, const char *shortname)
{
	const site_match *by_id = course_match_uses(pl->cfg, "idnumber") ? site_courses_by_idnumber(pl->site, c->group_id) : NULL;
	const site_match *by_sn = shortname && course_match_uses(pl->cfg, "shortname") ?
				  site_courses_by_shortname(pl->site, shortname) : NULL;
	size_t nid = site_match_count(by_id), nsn = site_match_count(by_sn);

	if (nid > 1 || nsn > 1) {
		c->state = CS_QUARANTINED;
		c->why = pl_str(pl, "ambiguous: %s %s matches %zu courses",
				nid > 1 ? "idnumber" : "shortname", nid > 1 ? c->group_id : shortname,
				nid > 1 ? nid : nsn);
		pl_quarantine(pl, c->group ? c->group->loc.line : 0, "group", c->group_id, NULL, c->why,
			      describe_matches(pl, nid > 1 ? by_id : by_sn));
		return true;
	}
	const site_course *course = nid ? by_id->item : NULL;
	const site_course *other = nsn ? by_sn->item : NULL;
	if (course && other && other != course) {
		c->state = CS_QUARANTINED;
		c->why = "ambiguous: the idnumber matches one course and the shortname another";
		pl_quarantine(pl, c->group ? c->group->loc.line : 0, "group", c->group_id, NULL, c->why,
			      pl_str(pl, "by idnumber: %s; by shortname: %s", describe_course(pl, course),
				     describe_course(pl, other)));
		return true;
	}
	if (!course && other) {
		if (other->idnumber && *other->idnumber && strcmp(other->idnumber, c->group_id) != 0) {
			/* the shortname belongs to another SIS group's course */
			c->state = CS_QUARANTINED;
			c->why = pl_str(pl, "its shortname '%s' is taken by a course of another group",
					shortname);
			pl_quarantine(pl, c->group ? c->group->loc.line : 0, "group", c->group_id, NULL,
				      c->why, describe_course(pl, other));
			return true;
		}
		course = other;
	}
	if (!course)
		return false;
	c->state = CS_EXISTS;
	c->course = course;
	c->courseid = course->id;
	return true;
}

/* Finds or plans the category of a new course from its org/orgunit path. */
static void plan_category(planner *pl, const ims_group *g, plan_object *o)
{
	int64_t parent = 0;
	const char *parent_ref = NULL;
	strbuf path = STRBUF_INIT;

	if (!pl->cfg->category_from_orgunit || !g->orgunits) {
		o->categoryid = pl->cfg->default_category;
		return;
	}
	for (const ims_typed_text *u = g->orgunits; u; u = u->next) {
		if (!u->value || !*u->value)
			continue;
		if (path.len)
			sb_addc(&path, '/');
		sb_adds(&path, u->value);
		if (!parent_ref) {
			const site_category *found = NULL;
			for (size_t i = 0; i < pl->site->ncategories; i++) {
				const site_category *cat = pl->site->categories[i];
				if (cat->parent == parent && str_eq(cat->name, u->value) &&
				    (!found || cat->id < found->id))
					found = cat;
			}
			if (found) {
				parent = found->id;
				continue;
			}
		}
		const char *ref = strtab_intern(&pl->strings, path.buf, path.len);
		if (!ptrmap_get(&pl->planned, ref)) {
			ptrmap_put(&pl->planned, ref, (void *)ref);
			plan_action *a = pl_action(pl, PA_CREATE_CATEGORY, g->loc.line,
						   "the category named by the group's org/orgunit does not exist");
			plan_object *co = pl_object(pl, a);
			co->name = u->value;
			co->parentid = parent_ref ? 0 : parent;
			co->parent_ref = parent_ref;
			co->category_ref = ref;
			a->group_id = g->id;
		}
		parent_ref = ref;
	}
	o->categoryid = parent_ref ? 0 : (parent ? parent : pl->cfg->default_category);
	o->category_ref = parent_ref;
	sb_free(&path);
}

static int64_t date_of(planner *pl, const char *s, bool end)
{
	isodate d;
	int64_t t;
	if (!s || !*s || !isodate_parse(s, strlen(s), &d) ||
	    isodate_to_unix(&d, pl->cfg->timezone, end, &t) < 0)
		return 0;
	return t;
}

/* Checks the values of a new course against Moodle's limits (§8 #68):
 * never truncated, never sent to fail a batch. */
static const char *invalid_course(planner *pl, const char *shortname, const char *fullname,
				  const char *idnumber)
{
	if (utf8_chars(idnumber) > 100)
		return "its id is longer than Moodle's 100-character course idnumber";
	if (utf8_chars(shortname) > 255)
		return "its shortname would be longer than 255 characters";
	if (utf8_chars(fullname) > 254)
		return "its full name would be longer than 254 characters";
	if (has_markup(shortname) || has_markup(fullname))
		return "its name contains markup (<...>), which Moodle refuses";
	if (str_is_blank(shortname) || str_is_blank(fullname))
		return "its name is blank";
	(void)pl;
	return NULL;
}

static void plan_new_course(planner *pl, cref *c, const char *shortname)
{
	const ims_group *g = c->group;
	const char *fullname = fullname_of(pl, g);
	const char *why = invalid_course(pl, shortname, fullname, g->id);
	ptrmap *planned = &pl->planned;

	if (!why && site_courses_by_shortname(pl->site, shortname))
		why = pl_str(pl, "shortname '%s' is taken by another course", shortname);
	const char *key = pl_str(pl, "shortname:%s", shortname);
	if (!why && ptrmap_get(planned, key))
		why = pl_str(pl, "shortname '%s' is also the shortname of another group in the file",
			     shortname);
	if (why) {
		c->state = CS_QUARANTINED;
		c->why = why;
		pl_quarantine(pl, g->loc.line, "group", g->id, NULL, why, NULL);
		return;
	}
	ptrmap_put(planned, key, (void *)key);
	plan_action *a = pl_action(pl, PA_CREATE_COURSE, g->loc.line,
				   pl->cfg->courses_visible ? "no Moodle course has this idnumber"
							    : "no Moodle course has this idnumber; "
							      "created hidden");
	a->group_id = g->id;
	a->course_ref = g->id;
	plan_object *o = pl_object(pl, a);
	o->shortname = shortname;
	o->fullname = fullname;
	o->idnumber = g->id;
	o->summary = group_name_from(g, pl->cfg->summary_from);
	o->visible = pl->cfg->courses_visible ? 1 : 0;
	if (g->timeframe) {
		o->startdate = date_of(pl, g->timeframe->begin, false);
		o->enddate = o->startdate ? date_of(pl, g->timeframe->end, true) : 0;
		if (o->enddate && o->enddate < o->startdate)
			o->startdate = o->enddate = 0;
	}
	plan_category(pl, g, o);
	c->state = CS_CREATE;
	c->ref = g->id;
}

static void plan_course_update(planner *pl, cref *c, const char *shortname)
{
	const ims_group *g = c->group;
	const site_course *sc = c->course;
	const char *fullname = fullname_of(pl, g);
	const char *summary = group_name_from(g, pl->cfg->summary_from);
	plan_action *a = NULL;

	struct { const char *field, *from, *to; } f[] = {
		{ "fullname", sc->fullname, fullname },
		{ "shortname", sc->shortname, shortname },
		{ "summary", sc->summary, summary },
	};
	for (size_t i = 0; i < ARRAY_LEN(f); i++) {
		if (!f[i].to || str_eq(f[i].from, f[i].to) || (sc->from_store && i != 1))
			continue;
		if (invalid_course(pl, i == 1 ? f[i].to : shortname, i == 0 ? f[i].to : fullname, g->id))
			continue;
		if (!a) {
			a = pl_action(pl, PA_UPDATE_COURSE, g->loc.line,
				      "the group is an update (recstatus 2) and its names changed");
			a->group_id = g->id;
			a->courseid = c->courseid;
			pl_object(pl, a);
		}
		pl_change(pl, a->obj, f[i].field, f[i].from, f[i].to);
	}
}

static void plan_group(planner *pl, const ims_group *g)
{
	cref *c = new_cref(pl, g->id, g);
	const char *shortname = shortname_of(pl, g);

	if (g->quarantine || (g->dup_conflict && pl->cfg->mode == MODE_SNAPSHOT)) {
		c->state = CS_QUARANTINED;
		c->why = g->quarantine ? g->quarantine : "repeated with different content";
		return;
	}
	const char *nc = not_a_course(pl, g);
	if (nc) {
		c->state = CS_SKIP;
		c->why = nc;
		return;
	}
	if (find_course(pl, c, shortname)) {
		if (c->state != CS_EXISTS)
			return;
		if (g->recstatus == RS_DELETE) {
			if (pl->cfg->group_delete == GDEL_IGNORE) {
				pl_skip(pl, g->loc.line, "group", g->id, NULL,
					"delete record ignored (courses.delete = ignore)");
			} else if (c->course->visible != 0) {
				plan_action *a = pl_action(pl, PA_HIDE_COURSE, g->loc.line,
							   "the group is deleted (recstatus 3); courses "
							   "are hidden, never deleted");
				a->group_id = g->id;
				a->courseid = c->courseid;
			}
		} else if (g->recstatus == RS_UPDATE && pl->cfg->update_courses) {
			plan_course_update(pl, c, shortname);
		}
		return;
	}
	if (g->recstatus == RS_DELETE) {
		c->state = CS_SKIP;
		c->why = "a delete record for a course that does not exist";
		pl_skip(pl, g->loc.line, "group", g->id, NULL,
			"delete record (recstatus 3) of a course that does not exist; courses are "
			"never created from a delete record");
		c->skip_reported = true;
		return;
	}
	if (!pl->cfg->create_courses) {
		c->state = CS_SKIP;
		c->why = "no Moodle course has this idnumber and course creation is off";
		pl_skip(pl, g->loc.line, "group", g->id, NULL, c->why);
		c->skip_reported = true;
		return;
	}
	plan_new_course(pl, c, shortname);
}

/* Snapshot mode with plan.scope: every course the list names is covered
 * by the file, also one where the file lists nobody (its enrolments are
 * withdrawn as absent; reference §4.1). */
static void plan_scope_courses(planner *pl)
{
	for (const char **sc = pl->cfg->scope; sc && *sc; sc++) {
		const char *id = ims_canonical(pl->m, *sc);
		if (!id)
			id = strtab_intern(&pl->strings, *sc, strlen(*sc));
		cref *c = plan_course_of_container(pl, id, 0);
		if (c->state != CS_EXISTS && c->state != CS_CREATE && !c->skip_reported) {
			pl_skip(pl, 0, "scope", id, NULL,
				pl_str(pl, "plan.scope names %s, which is no Moodle course (%s): nothing is "
				       "withdrawn there", id, c->why ? c->why : "not found"));
			c->skip_reported = true;
		}
	}
}

void plan_courses(planner *pl)
{
	for (const ims_group *g = pl->m->groups; g; g = g->next)
		plan_group(pl, g);
	if (pl->cfg->mode != MODE_SNAPSHOT)
		return;
	for (size_t i = 0; i < pl->ncrefs; i++)
		pl->crefs[i]->in_scope = !pl->cfg->scope || in_list(pl->cfg->scope, pl->crefs[i]->group_id);
	plan_scope_courses(pl);
}

cref *plan_course_of_container(planner *pl, const char *group_id, uint32_t line)
{
	cref *c = ptrmap_get(&pl->courses, group_id);
	if (c)
		return c;
	/* A group that is not in the file (§8 #81): a course of Moodle's? */
	c = new_cref(pl, group_id, NULL);
	const site_match *by_id = site_courses_by_idnumber(pl->site, group_id);
	size_t n = site_match_count(by_id);
	if (n == 1) {
		c->state = CS_EXISTS;
		c->course = by_id->item;
		c->courseid = c->course->id;
	} else if (n > 1) {
		c->state = CS_QUARANTINED;
		c->why = pl_str(pl, "ambiguous: idnumber %s matches %zu courses", group_id, n);
		pl_quarantine(pl, line, "membership", group_id, NULL, c->why, describe_matches(pl, by_id));
	} else {
		c->state = CS_QUARANTINED;
		c->why = "the group is neither in the file nor a Moodle course (no course has it as idnumber)";
	}
	if (pl->cfg->mode == MODE_SNAPSHOT)
		c->in_scope = !pl->cfg->scope || in_list(pl->cfg->scope, group_id);
	return c;
}

/* fn_categories.c -- core_course_get_categories (criteria, subcategories,
 * visibility) and core_course_create_categories (all-or-nothing). */
#include "config.h"
#include "functions.h"
#include "access.h"
#include "mtext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct crit {
	const char *key;
	const char *value;      /* cleaned */
	vec ids;                /* for "ids" */
} crit;

static bool cat_matches(mcategory *cat, crit *cr, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *k = cr[i].key, *v = cr[i].value;
		if (!strcmp(k, "id")) {
			if (cat->id != mt_php_intval(v))
				return false;
		} else if (!strcmp(k, "ids")) {
			bool found = false;
			for (size_t j = 0; j < cr[i].ids.n; j++)
				if ((mid)(intptr_t)cr[i].ids.v[j] == cat->id)
					found = true;
			if (!found)
				return false;
		} else if (!strcmp(k, "idnumber")) {
			if (!cat->idnumber || strcmp(cat->idnumber, v))
				return false;
		} else if (!strcmp(k, "name")) {
			if (strcmp(cat->name, v))
				return false;
		} else if (!strcmp(k, "parent")) {
			if (cat->parent != mt_php_intval(v))
				return false;
		} else if (!strcmp(k, "visible")) {
			if (cat->visible != mt_php_intval(v))
				return false;
		} else if (!strcmp(k, "theme")) {
			if (strcmp(st_s(cat->theme), v))
				return false;
		}
	}
	return true;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp((*(mcategory *const *)a)->path, (*(mcategory *const *)b)->path);
}

static int cmp_sortorder_str(const void *a, const void *b)
{
	char x[32], y[32];
	snprintf(x, sizeof x, "%lld", (*(mcategory *const *)a)->sortorder);
	snprintf(y, sizeof y, "%lld", (*(mcategory *const *)b)->sortorder);
	return strcmp(x, y);
}

static bool is_descendant(state *st, mcategory *cat, mcategory *anc)
{
	for (mid p = cat->parent; p; ) {
		if (p == anc->id)
			return true;
		mcategory *pc = st_cat(st, p);
		if (!pc)
			break;
		p = pc->parent;
	}
	return false;
}

int fn_get_categories(wsctx *c)
{
	state *st = c->st;
	st_refresh_categories(st);
	pv *criteria = vp_get(c->params, "criteria");
	bool addsub = vp_str(c->params, "addsubcategories")[0] == '1';
	size_t nc = vp_len(criteria);
	crit *cr = xcalloc(nc + 1, sizeof *cr);
	size_t used = 0;
	vec all = { 0 }, found = { 0 };
	int rc = 0;
	bool has_visible = false, has_theme = false;
	const char *visible_v = NULL, *theme_v = NULL;
	for (size_t i = 0; i < nc; i++) {
		pv *it = vp_item(criteria, i);
		const char *key = vp_str(it, "key");
		const char *value = vp_str(it, "value");
		/* trim(): keys are PARAM_ALPHA, nothing to trim */
		bool dup = false;
		for (size_t j = 0; j < used; j++)
			if (!strcmp(cr[j].key, key) && strcmp(key, "ids"))
				dup = true;
		if (dup)
			continue;
		strbuf cl = STRBUF_INIT;
		if (!strcmp(key, "id") || !strcmp(key, "parent")) {
			sb_addf(&cl, "%lld", mt_php_intval(value));
		} else if (!strcmp(key, "ids")) {
			param_clean(&cl, P_SEQUENCE, value, strlen(value), NULL);
		} else if (!strcmp(key, "idnumber")) {
			if (!acc_has(c, "moodle/category:manage")) {
				rc = ws_moodle(c, "criteriaerror", "Missing permissions to search on a criterion.",
					       "You don't have the permissions to search on the \"idnumber\" field.");
				sb_free(&cl);
				goto out;
			}
			sb_adds(&cl, value);
		} else if (!strcmp(key, "name")) {
			param_clean(&cl, P_TEXT, value, strlen(value), NULL);
		} else if (!strcmp(key, "visible")) {
			if (!acc_has(c, "moodle/category:viewhiddencategories")) {
				rc = ws_moodle(c, "criteriaerror", "Missing permissions to search on a criterion.",
					       "You don't have the permissions to search on the \"visible\" field.");
				sb_free(&cl);
				goto out;
			}
			sb_addf(&cl, "%lld", mt_php_intval(value));
		} else if (!strcmp(key, "theme")) {
			if (!acc_has(c, "moodle/category:manage")) {
				rc = ws_moodle(c, "criteriaerror", "Missing permissions to search on a criterion.",
					       "You don't have the permissions to search on the \"theme\" field.");
				sb_free(&cl);
				goto out;
			}
			param_clean(&cl, P_THEME, value, strlen(value), NULL);
		} else {
			rc = ws_moodle(c, "criteriaerror", "Missing permissions to search on a criterion.",
				       ws_fmt(c, "You can not search on this criteria: %s", key));
			sb_free(&cl);
			goto out;
		}
		cr[used].key = key;
		cr[used].value = ws_fmt(c, "%s", sb_str(&cl));
		if (!strcmp(key, "ids")) {
			const char *p = cr[used].value;
			for (;;) {
				const char *comma = strchr(p, ',');
				vec_push(&cr[used].ids, (void *)(intptr_t)mt_php_intval(p));
				if (!comma)
					break;
				p = comma + 1;
			}
		}
		if (!strcmp(key, "visible")) {
			has_visible = true;
			visible_v = cr[used].value;
		}
		if (!strcmp(key, "theme")) {
			has_theme = true;
			theme_v = cr[used].value;
		}
		used++;
		sb_free(&cl);
	}
	for (size_t i = 0; i < st->cats_cap; i++)
		if (st->cats[i])
			vec_push(&all, st->cats[i]);
	if (!nc) {
		for (size_t i = 0; i < all.n; i++)
			vec_push(&found, all.v[i]);
	} else {
		for (size_t i = 0; i < all.n; i++)
			if (cat_matches(all.v[i], cr, used))
				vec_push(&found, all.v[i]);
		if (found.n && addsub) {
			size_t nmatch = found.n;
			for (size_t i = 0; i < all.n; i++) {
				mcategory *cat = all.v[i];
				if (vec_index(&found, cat) >= 0)
					continue;
				if (has_visible && cat->visible != mt_php_intval(visible_v))
					continue;
				if (has_theme && strcmp(st_s(cat->theme), theme_v))
					continue;
				for (size_t j = 0; j < nmatch; j++)
					if (is_descendant(st, cat, found.v[j])) {
						vec_push(&found, cat);
						break;
					}
			}
		}
	}
	vec_sort(&found, cmp_path);
	vec out = { 0 };
	u64map excluded = { 0 };
	bool canviewhidden = acc_has(c, "moodle/category:viewhiddencategories");
	for (size_t i = 0; i < found.n; i++) {
		mcategory *cat = found.v[i];
		bool parent_excluded = false;
		for (mid p = cat->parent; p; ) {
			if (u64map_get(&excluded, (uint64_t)p))
				parent_excluded = true;
			mcategory *pc = st_cat(st, p);
			p = pc ? pc->parent : 0;
		}
		if (parent_excluded) {
			u64map_put(&excluded, (uint64_t)cat->id, (void *)1);
			continue;
		}
		if (!cat->visible && !canviewhidden) {
			u64map_put(&excluded, (uint64_t)cat->id, (void *)1);
			continue;
		}
		vec_push(&out, cat);
	}
	u64map_free(&excluded);
	vec_sort(&out, cmp_sortorder_str);
	json_object *list = json_object_new_array();
	bool manage = acc_has(c, "moodle/category:manage");
	for (size_t i = 0; i < out.n; i++) {
		mcategory *cat = out.v[i];
		json_object *o = json_object_new_object();
		jadd(o, "id", jint(cat->id));
		jadd(o, "name", ws_fstring(c, cat->name));
		if (manage)
			jadd(o, "idnumber", cat->idnumber ? ws_jstr(cat->idnumber) : NULL);
		int fmt;
		json_object *d = ws_ftext(c, cat->description, cat->descriptionformat, &fmt);
		jadd(o, "description", d);
		jadd(o, "descriptionformat", jint(fmt));
		jadd(o, "parent", jint(cat->parent));
		jadd(o, "sortorder", jint(cat->sortorder));
		jadd(o, "coursecount", jint((long long)cat->courses.n));
		if (manage) {
			jadd(o, "visible", jint(cat->visible));
			jadd(o, "visibleold", jint(cat->visibleold));
			jadd(o, "timemodified", jint(cat->timemodified));
		}
		jadd(o, "depth", jint(cat->depth));
		jadd(o, "path", ws_jstr(cat->path));
		if (manage)
			jadd(o, "theme", ws_jstr(param_theme_installed(st_s(cat->theme)) ? cat->theme : ""));
		json_object_array_add(list, o);
	}
	vec_free(&out);
	c->result = list;
out:
	for (size_t i = 0; i < used; i++)
		vec_free(&cr[i].ids);
	free(cr);
	vec_free(&all);
	vec_free(&found);
	return rc;
}

static bool cat_idnumber_taken(state *st, const char *idn)
{
	const vec *v = strmulti_get(&st->cat_idnumber, idn);
	return v && v->n;
}

int fn_create_categories(wsctx *c)
{
	state *st = c->st;
	pv *cats = vp_get(c->params, "categories");
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < vp_len(cats); i++) {
		pv *it = vp_item(cats, i);
		mid parentid = vp_int(it, "parent", 0);
		mcategory *parent = NULL;
		if (parentid) {
			parent = st_cat(st, parentid);
			if (!parent)
				goto fail_unknown;
		}
		if (acc_require(c, "moodle/category:manage"))
			goto fail;
		long long df = vp_int(it, "descriptionformat", 1);
		if (!(df == 0 || df == 1 || df == 2 || df == 4)) {
			ws_moodle(c, "formatnotsupported", "error/formatnotsupported", NULL);
			goto fail;
		}
		const char *name = vp_str(it, "name");
		if (mt_php_empty(name)) {
			ws_moodle(c, "categorynamerequired", "Category name is required", NULL);
			goto fail;
		}
		if (mt_utf8_len(name, strlen(name)) > 255) {
			ws_moodle(c, "categorytoolong", "Category name too long", NULL);
			goto fail;
		}
		const char *idn = vp_str(it, "idnumber");
		if (idn) {
			if (mt_utf8_len(idn, strlen(idn)) > 100) {
				ws_moodle(c, "idnumbertoolong", "ID number is too long", NULL);
				goto fail;
			}
			if (*idn && cat_idnumber_taken(st, idn)) {
				ws_moodle(c, "categoryidnumbertaken", "ID number is already used for another category", NULL);
				goto fail;
			}
		}
		mcategory *cat = xcalloc(1, sizeof *cat);
		cat->name = xstrdup(name);
		cat->idnumber = idn ? xstrdup(idn) : NULL;
		cat->description = xstrdup(vp_str(it, "description") ? vp_str(it, "description") : "");
		cat->descriptionformat = (int)df;
		cat->parent = parent ? parent->id : 0;
		cat->visible = parent ? parent->visible : 1;
		cat->visibleold = 1;
		cat->timemodified = st_now(st);
		cat->theme = xstrdup("");
		st_cat_insert(st, cat);
		st_fix_sortorder(st);
		json_object *r = json_object_new_object();
		jadd(r, "id", jint(cat->id));
		jadd(r, "name", ws_fstring(c, cat->name));
		json_object_array_add(out, r);
	}
	c->result = out;
	return 0;
fail_unknown:
	ws_moodle(c, "unknowcategory", "Category not known!", NULL);
fail:
	json_object_put(out);
	return -1;
}

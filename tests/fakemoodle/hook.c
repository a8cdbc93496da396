/* hook.c -- the test hook's operations (see hook.h). */
#include "config.h"
#include "hook.h"
#include "state_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static menrol *find_instance(state *st, json_object *op, errinfo *e)
{
	json_object *v;
	mid courseid = json_object_object_get_ex(op, "courseid", &v) ? json_object_get_int64(v) : 0;
	const char *name = json_object_object_get_ex(op, "enrol", &v) ? json_object_get_string(v) : "manual";
	mcourse *c = st_course(st, courseid);
	menrol *inst = c ? st_course_instance(c, name, false) : NULL;
	if (!inst)
		err_set(e, -EXIT_DATAERR, "no %s instance in course %lld", name, courseid);
	return inst;
}

static int op_enrol_instance(state *st, json_object *op, errinfo *e)
{
	menrol *inst = find_instance(st, op, e);
	if (!inst)
		return e->code;
	json_object *set;
	if (!json_object_object_get_ex(op, "set", &set) || !json_object_is_type(set, json_type_object))
		return err_set(e, -EXIT_DATAERR, "enrol_instance: \"set\" object missing");
	json_object_object_foreach(set, k, v)
	{
		if (!strcmp(k, "status"))
			st_set_int(st, &inst->status, (int)json_object_get_int64(v));
		else if (!strcmp(k, "roleid"))
			st_set_ll(st, &inst->roleid, json_object_get_int64(v));
		else if (!strcmp(k, "customint1")) {
			inst->customint1_null = v == NULL;
			st_set_ll(st, &inst->customint1, v ? json_object_get_int64(v) : 0);
		} else
			return err_set(e, -EXIT_DATAERR, "enrol_instance: unknown field \"%s\"", k);
	}
	return 0;
}

static void names(json_object *op, const char *key, vec *out)
{
	json_object *arr;
	if (!json_object_object_get_ex(op, key, &arr) || !json_object_is_type(arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		vec_push(out, (void *)json_object_get_string(json_object_array_get_idx(arr, i)));
}

static int op_service(state *st, json_object *op)
{
	vec add = { 0 }, rm = { 0 };
	names(op, "add", &add);
	names(op, "remove", &rm);
	for (size_t i = 0; i < rm.n; i++)
		for (size_t j = 0; j < st->service.n; j++)
			if (!strcmp(st->service.v[j], rm.v[i])) {
				free(st->service.v[j]);
				vec_remove_at(&st->service, j);
				break;
			}
	for (size_t i = 0; i < add.n; i++) {
		bool have = false;
		for (size_t j = 0; j < st->service.n; j++)
			if (!strcmp(st->service.v[j], add.v[i]))
				have = true;
		if (!have)
			vec_push(&st->service, xstrdup(add.v[i]));
	}
	vec_free(&add);
	vec_free(&rm);
	return 0;
}

static int apply_one(state *st, json_object *op, errinfo *e)
{
	json_object *v;
	if (!json_object_is_type(op, json_type_object) || !json_object_object_get_ex(op, "op", &v))
		return err_set(e, -EXIT_DATAERR, "hook: each operation is an object with \"op\"");
	const char *name = json_object_get_string(v);
	int rc;
	if (!strcmp(name, "settings")) {
		if (!json_object_object_get_ex(op, "set", &v))
			return err_set(e, -EXIT_DATAERR, "settings: \"set\" missing");
		rc = state_apply_settings(st, v, e);
	} else if (!strcmp(name, "enrol_instance"))
		rc = op_enrol_instance(st, op, e);
	else if (!strcmp(name, "delete_enrol_instance")) {
		menrol *inst = find_instance(st, op, e);
		if (!inst)
			return e->code;
		st_enrol_delete(st, inst);
		rc = 0;
	} else if (!strcmp(name, "service"))
		rc = op_service(st, op);
	else if (!strcmp(name, "load")) {
		if (!json_object_object_get_ex(op, "state", &v))
			return err_set(e, -EXIT_DATAERR, "load: \"state\" missing");
		rc = state_load_json(st, v, e);
	} else
		return err_set(e, -EXIT_DATAERR, "hook: unknown operation \"%s\"", name);
	if (rc)
		st_rollback(st);
	else
		st_commit(st);
	return rc;
}

int hook_apply(state *st, json_object *doc, errinfo *e)
{
	if (json_object_is_type(doc, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(doc); i++) {
			int rc = apply_one(st, json_object_array_get_idx(doc, i), e);
			if (rc)
				return rc;
		}
		return 0;
	}
	return apply_one(st, doc, e);
}

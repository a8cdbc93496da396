/* fn_site.c -- core_webservice_get_site_info: who the token is, the
 * service's function list and the site's fixed facts. */
#include "config.h"
#include "functions.h"
#include "access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

/* A stable per-user 32-hex string standing in for the private access key. */
static char *private_key(wsctx *c)
{
	uint64_t h = hash_bytes(c->acct->token, strlen(c->acct->token), HASH_SEED);
	uint64_t h2 = hash_bytes(&c->user->id, sizeof c->user->id, h);
	return ws_fmt(c, "%016llx%016llx", (unsigned long long)h, (unsigned long long)h2);
}

int fn_get_site_info(wsctx *c)
{
	muser *u = c->user;
	json_object *o = json_object_new_object();
	add(o, "sitename", ws_fstring(c, c->st->set.sitename));
	add(o, "username", ws_jstr(u->username));
	add(o, "firstname", ws_jstr(u->firstname));
	add(o, "lastname", ws_jstr(u->lastname));
	char *full = st_fullname(u);
	add(o, "fullname", ws_jstr(full));
	free(full);
	add(o, "lang", ws_jstr(u->lang));
	add(o, "userid", json_object_new_int64(u->id));
	add(o, "siteurl", ws_jstr(c->wwwroot));
	add(o, "userpictureurl", ws_jstr(ws_fmt(c, "%s/theme/image.php/boost/core/1795309617/u/f1", c->wwwroot)));
	json_object *fns = json_object_new_array();
	for (size_t i = 0; i < c->st->service.n; i++) {
		const char *name = c->st->service.v[i];
		json_object *f = json_object_new_object();
		add(f, "name", ws_jstr(name));
		add(f, "version", ws_jstr(fn_version(name)));
		json_object_array_add(fns, f);
	}
	add(o, "functions", fns);
	add(o, "downloadfiles", json_object_new_int(0));
	add(o, "uploadfiles", json_object_new_int(0));
	add(o, "release", ws_jstr("4.5dev+ (Build: 20240903)"));
	add(o, "version", ws_jstr("2024090300"));
	add(o, "mobilecssurl", ws_jstr(""));
	static const struct {
		const char *name;
		int value;
	} adv[] = { { "usecomments", 1 }, { "usetags", 1 }, { "enablenotes", 1 }, { "messaging", 1 },
		    { "enableblogs", 1 }, { "enablecompletion", 1 }, { "enablebadges", 1 },
		    { "messagingallusers", 0 }, { "enablecustomreports", 1 }, { "enableglobalsearch", 0 },
		    { "mnet_dispatcher_mode", 0 }, { "enablecompetencies", 1 } };
	json_object *af = json_object_new_array();
	for (size_t i = 0; i < ARRAY_LEN(adv); i++) {
		json_object *f = json_object_new_object();
		add(f, "name", ws_jstr(adv[i].name));
		int v = adv[i].value;
		if (!strcmp(adv[i].name, "enablecompletion"))
			v = c->st->set.enablecompletion;
		add(f, "value", json_object_new_int(v));
		json_object_array_add(af, f);
	}
	add(o, "advancedfeatures", af);
	add(o, "usercanmanageownfiles", json_object_new_boolean(1));
	add(o, "userquota", json_object_new_int64(c->admin ? 0 : 104857600));
	add(o, "usermaxuploadfilesize", json_object_new_int64(c->admin ? -1 : 67108864));
	add(o, "userhomepage", json_object_new_int(1));
	add(o, "userprivateaccesskey", ws_jstr(private_key(c)));
	add(o, "siteid", json_object_new_int(1));
	add(o, "sitecalendartype", ws_jstr("gregorian"));
	add(o, "usercalendartype", ws_jstr(u->calendartype));
	add(o, "userissiteadmin", json_object_new_boolean(c->admin));
	add(o, "theme", ws_jstr("boost"));
	add(o, "limitconcurrentlogins", json_object_new_int(0));
	add(o, "policyagreed", json_object_new_int(0));
	c->result = o;
	return 0;
}

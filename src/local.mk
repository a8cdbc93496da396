# src/local.mk -- ims2moodle itself: a library of the modules, and the program.
# The REST client's modules are listed in src/moodle.mk.

noinst_LIBRARIES += src/libims2moodle.a
src_libims2moodle_a_CFLAGS = $(AM_CFLAGS) -pthread $(XML_CFLAGS) $(CURL_CFLAGS) $(JSONC_CFLAGS) $(SQLITE_CFLAGS)
src_libims2moodle_a_SOURCES = \
	src/util.c src/util.h \
	src/sha256.c src/sha256.h \
	src/arena.c src/arena.h \
	src/strtab.c src/strtab.h \
	src/ptrmap.c src/ptrmap.h \
	src/log.c src/log.h \
	src/isodate.c src/isodate.h \
	src/ims_model.c src/ims_model.h \
	src/ims_build.c src/ims_build.h \
	src/ims_excerpt.c src/ims_excerpt.h \
	src/ims_events.c src/ims_events.h \
	src/ims_repair.c src/ims_repair.h \
	src/ims_parse.c src/ims_parse.h \
	src/ims_summary.c src/ims_summary.h \
	src/site.c src/site.h \
	src/conf.c src/conf.h src/conf_keys.c \
	src/settings.c src/settings.h \
	src/identity.c src/identity.h \
	src/country.c src/country.h \
	src/plan.h src/plan_kinds.c src/plan_internal.h \
	src/plan.c src/plan_courses.c src/plan_users.c src/plan_enrol.c \
	src/state.h src/state.c src/state_view.c

LIBIMS2MOODLE_LIBS = src/libims2moodle.a $(XML_LIBS) $(CURL_LIBS) $(JSONC_LIBS) $(SQLITE_LIBS) -lpthread

src_libims2moodle_a_SOURCES += \
	src/moodle_form.c src/moodle_form.h \
	src/moodle_reply.c src/moodle_reply.h \
	src/moodle_client.c src/moodle_client.h \
	src/moodle_read.c src/moodle_read.h \
	src/match.c src/match.h \
	src/report.h src/report_common.c src/report_json.c src/report_text.c \
	src/report_csv.c src/report_html.c \
	src/run.c src/run.h \
	src/apply.c src/apply.h src/apply_internal.h src/apply_kinds.c

include $(srcdir)/src/moodle.mk

bin_PROGRAMS += ims2moodle
ims2moodle_SOURCES = src/main.c src/commands.h src/cmd_check.c src/cmd_plan.c src/cmd_apply.c src/cmd_history.c src/cmd_config.c src/cmd_ping.c
ims2moodle_CFLAGS = $(src_libims2moodle_a_CFLAGS)
ims2moodle_LDADD = $(LIBIMS2MOODLE_LIBS)
include $(srcdir)/src/state.mk

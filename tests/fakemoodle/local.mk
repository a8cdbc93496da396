# tests/fakemoodle/local.mk -- the Moodle Web Services emulator and its fidelity tests.

FAKEMOODLE_SRC = \
	tests/fakemoodle/main.c \
	tests/fakemoodle/server.c tests/fakemoodle/server.h \
	tests/fakemoodle/ws.c tests/fakemoodle/ws.h \
	tests/fakemoodle/functions.c tests/fakemoodle/functions.h \
	tests/fakemoodle/hook.c tests/fakemoodle/hook.h \
	tests/fakemoodle/faults.c tests/fakemoodle/faults.h \
	tests/fakemoodle/stats.c tests/fakemoodle/stats.h \
	tests/fakemoodle/access.c tests/fakemoodle/access.h \
	tests/fakemoodle/userdetails.c tests/fakemoodle/userdetails.h \
	tests/fakemoodle/fn_site.c tests/fakemoodle/fn_courses.c tests/fakemoodle/fn_categories.c \
	tests/fakemoodle/fn_users.c tests/fakemoodle/fn_enrol.c tests/fakemoodle/fn_groups.c \
	tests/fakemoodle/fn_roles.c

# The pieces the unit tests link as well.
FAKEMOODLE_CORE = \
	tests/fakemoodle/coll.c tests/fakemoodle/coll.h \
	tests/fakemoodle/form.c tests/fakemoodle/form.h \
	tests/fakemoodle/param.c tests/fakemoodle/param.h \
	tests/fakemoodle/mtext.c tests/fakemoodle/mtext.h \
	tests/fakemoodle/validate.c tests/fakemoodle/validate.h \
	tests/fakemoodle/state.c tests/fakemoodle/state.h \
	tests/fakemoodle/state_json.c tests/fakemoodle/state_json.h

if HAVE_MHD
noinst_LIBRARIES += tests/fakemoodle/libfakemoodle.a
tests_fakemoodle_libfakemoodle_a_SOURCES = $(FAKEMOODLE_CORE)
tests_fakemoodle_libfakemoodle_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) -pthread

check_PROGRAMS += tests/fakemoodle/fakemoodle
tests_fakemoodle_fakemoodle_SOURCES = $(FAKEMOODLE_SRC)
tests_fakemoodle_fakemoodle_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JSONC_CFLAGS) -pthread
tests_fakemoodle_fakemoodle_LDADD = tests/fakemoodle/libfakemoodle.a $(LIBIMS2MOODLE_LIBS) $(MHD_LIBS) $(JSONC_LIBS) -lpthread

# Fidelity tests: every recorded transcript step and differential call;
# then the state, hook, stats and fault injection.
TESTS += tests/fakemoodle/replay-transcripts.sh tests/fakemoodle/replay-differential.sh \
	tests/fakemoodle/test_state.py tests/fakemoodle/test_faults.py

if HAVE_CHECK
# Unit tests of the form decoder and the parameter validator.
FAKEMOODLE_UNIT_LDADD = tests/fakemoodle/libfakemoodle.a $(LIBIMS2MOODLE_LIBS) $(JSONC_LIBS) $(CHECK_LIBS) -lpthread
check_PROGRAMS += tests/fakemoodle/test_form tests/fakemoodle/test_validate
tests_fakemoodle_test_form_SOURCES = tests/fakemoodle/test_form.c
tests_fakemoodle_test_form_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_fakemoodle_test_form_LDADD = $(FAKEMOODLE_UNIT_LDADD)
tests_fakemoodle_test_validate_SOURCES = tests/fakemoodle/test_validate.c
tests_fakemoodle_test_validate_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_fakemoodle_test_validate_LDADD = $(FAKEMOODLE_UNIT_LDADD)
TESTS += tests/fakemoodle/test_form tests/fakemoodle/test_validate
endif
endif

EXTRA_DIST += tests/fakemoodle/README.md tests/fakemoodle/replay.py tests/fakemoodle/fmtest.py \
	tests/fakemoodle/test_state.py tests/fakemoodle/test_faults.py \
	tests/fakemoodle/replay-transcripts.sh tests/fakemoodle/replay-differential.sh \
	tests/fakemoodle/transcripts tests/fakemoodle/differential

# tests/unit/state.mk -- the state store's unit suite is listed in
# tests/unit/local.mk; its benchmark (bench/state_load.c, not run by make
# check) is built here with the suites.
check_PROGRAMS += bench/state_load
bench_state_load_SOURCES = bench/state_load.c
bench_state_load_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
bench_state_load_LDADD = $(LIBIMS2MOODLE_LIBS)

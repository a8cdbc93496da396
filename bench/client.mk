# bench/client.mk -- benchmarks of the REST client (requests per second).
# bench/client-bench.sh runs bench/client_rps and wrk against the emulator;
# the figures are in bench/client-results.md.
noinst_PROGRAMS += bench/client_rps
bench_client_rps_SOURCES = bench/client_rps.c
bench_client_rps_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JSONC_CFLAGS)
bench_client_rps_LDADD = $(LIBIMS2MOODLE_LIBS)
dist_noinst_SCRIPTS += bench/client-bench.sh
EXTRA_DIST += bench/wrk-site-info.lua bench/wrk-enrol.lua bench/client-results.md

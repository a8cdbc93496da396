# bench/local.mk -- data generators and benchmarks (figures go to doc/PERFORMANCE.md).
include $(srcdir)/bench/client.mk

# The generator and the floor of the parser benchmark (bench/parse).
noinst_PROGRAMS += bench/gen-ims bench/saxnoop
bench_gen_ims_SOURCES = bench/gen-ims.c
bench_saxnoop_SOURCES = bench/saxnoop.c
bench_saxnoop_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS) -Wno-unused-parameter
bench_saxnoop_LDADD = $(XML_LIBS)
dist_noinst_SCRIPTS += bench/parse bench/apply-bench.py
TESTS += bench/test-gen-ims.sh
EXTRA_DIST += bench/test-gen-ims.sh bench/README

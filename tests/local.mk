# tests/local.mk -- the test suite run by `make check`.
include $(srcdir)/tests/unit/local.mk
include $(srcdir)/tests/fakemoodle/local.mk
include $(srcdir)/tests/parse/local.mk
include $(srcdir)/tests/site/local.mk
include $(srcdir)/tests/cases/local.mk
include $(srcdir)/tests/report/local.mk
include $(srcdir)/tests/fuzz/local.mk
EXTRA_DIST += tests/stress.sh

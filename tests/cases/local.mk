# tests/cases/local.mk -- the data-driven end-to-end cases (input file, site before,
# configuration, expected plan and site after), run by tests/cases/run_cases.py against
# the emulator. The case directories are shipped whole (DIST_DATA_DIRS, see Makefile.am).
if HAVE_MHD
TESTS += tests/cases/run_cases.py
endif
EXTRA_DIST += tests/cases/run_cases.py
DIST_DATA_DIRS += tests/cases

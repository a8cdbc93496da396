# tests/cases/local.mk -- the data-driven end-to-end cases (input file, site before,
# configuration, expected plan and site after), run by tests/cases/run_cases.py against
# the emulator. The case directories are shipped whole.
if HAVE_MHD
TESTS += tests/cases/run_cases.py
endif
EXTRA_DIST += tests/cases

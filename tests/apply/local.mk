# tests/apply/local.mk -- apply against the emulator: faults, kills, bisection, the hidden check.
if HAVE_MHD
TESTS += tests/apply/test_faults.py tests/apply/test_kill.py tests/apply/test_bisect.py \
	tests/apply/test_hidden.py
endif
EXTRA_DIST += tests/apply/applylib.py tests/apply/test_faults.py tests/apply/test_kill.py \
	tests/apply/test_bisect.py tests/apply/test_hidden.py

# tests/site/local.mk -- the commands that talk to a site, against the emulator: ping, and apply
# under faults, kills, bisection and the hidden-course check.
if HAVE_MHD
TESTS += tests/site/test_ping.py tests/site/test_faults.py tests/site/test_kill.py tests/site/test_bisect.py \
	tests/site/test_hidden.py tests/site/test_history.py tests/site/test_changing_file.py tests/site/test_write_once.py
endif
EXTRA_DIST += tests/site/applylib.py tests/site/test_ping.py tests/site/test_faults.py tests/site/test_kill.py \
	tests/site/test_bisect.py tests/site/test_hidden.py tests/site/test_history.py tests/site/test_changing_file.py \
	tests/site/test_write_once.py

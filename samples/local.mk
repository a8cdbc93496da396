# samples/local.mk -- small realistic IMS files of fictional universities, one per dialect
# (Moodle's shipped examples, Banner/LMB, a namespaced root, one line, a follow-up night of
# withdrawals), and their test. The demo's files (university*.xml, demo.sh) are listed in
# Makefile.am.
dist_noinst_DATA += samples/moodle-style.xml samples/one-line.xml samples/withdrawals.xml \
	samples/banner-lmb.xml samples/namespaced.xml samples/ims2moodle.conf.example
TESTS += samples/test-samples.py samples/test-conf-example.sh
EXTRA_DIST += samples/test-samples.py samples/test-conf-example.sh

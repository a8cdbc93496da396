# tests/parse/local.mk -- the parser's tests: the real IMS files other systems produced
# (tests/parse/real, with their provenance), read with the counts and traits their README
# lists.
if HAVE_MHD
TESTS += tests/parse/test_corpus.py
endif
EXTRA_DIST += tests/parse/test_corpus.py
DIST_DATA_DIRS += tests/parse/real
TESTS += tests/parse/test_edge.py
EXTRA_DIST += tests/parse/test_edge.py
DIST_DATA_DIRS += tests/parse/edge

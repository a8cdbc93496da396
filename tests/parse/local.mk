# tests/parse/local.mk -- the parser's tests: the real IMS files other systems produced
# (tests/parse/real, with their provenance), read with the counts and traits their README
# lists; the edge cases of reference §8 (tests/parse/edge, test_edge.py); and the
# data-driven cases with their exact expected messages and summaries (tests/parse/cases,
# run_cases.py, which makes the large hostile inputs at test time).
if HAVE_MHD
TESTS += tests/parse/test_corpus.py
endif
EXTRA_DIST += tests/parse/test_corpus.py
DIST_DATA_DIRS += tests/parse/real
TESTS += tests/parse/test_edge.py
EXTRA_DIST += tests/parse/test_edge.py
DIST_DATA_DIRS += tests/parse/edge
TESTS += tests/parse/run_cases.py
EXTRA_DIST += tests/parse/run_cases.py
DIST_DATA_DIRS += tests/parse/cases

# tests/unit/parse.mk -- unit suites of the parser, dates and repair filter.

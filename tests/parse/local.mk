# tests/parse/local.mk -- data-driven parser cases and the real corpus.

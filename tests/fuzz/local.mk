# tests/fuzz/local.mk -- the parser's fuzzer (clang's libFuzzer with ASan and
# UBSan), run by `make fuzz`, never by `make check`.
EXTRA_DIST += tests/fuzz/fuzz_parse.c tests/fuzz/fuzz_reply.c tests/fuzz/run.sh tests/fuzz/ims.dict

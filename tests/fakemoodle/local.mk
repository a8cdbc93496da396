# tests/fakemoodle/local.mk -- the Moodle Web Services emulator and its fidelity tests.

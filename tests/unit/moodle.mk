# tests/unit/moodle.mk -- unit suites of the REST client.

# src/moodle.mk -- the Moodle REST client's modules (part of libims2moodle).

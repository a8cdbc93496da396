# doc/local.mk -- the manual page and longer documentation.
dist_man_MANS += doc/ims2moodle.1

# doc/local.mk -- the manual page and longer documentation.
dist_man_MANS += doc/ims2moodle.1
dist_doc_DATA = doc/plan-json.md doc/report-sample.png doc/PERFORMANCE.md

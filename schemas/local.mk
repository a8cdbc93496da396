# schemas/local.mk -- the XML Schema of IMS Enterprise 1.1 that `ims2moodle check
# --strict` validates against (installed in $(pkgdatadir)), and its test.
dist_pkgdata_DATA = schemas/ims_enterprise_1p1.xsd
TESTS += schemas/test-schema.sh
EXTRA_DIST += schemas/test-schema.sh schemas/tests

# src/state.mk -- the state store's modules (part of libims2moodle); state.h,
# state.c and state_view.c are listed in src/local.mk.
src_libims2moodle_a_SOURCES += \
	src/state_internal.h \
	src/state_write.c \
	src/state_load.c \
	src/state_runs.c

# doc/local.mk -- build rules for doc/.

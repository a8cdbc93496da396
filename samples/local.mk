# samples/local.mk -- build rules for samples/.

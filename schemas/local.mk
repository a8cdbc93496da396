# schemas/local.mk -- build rules for schemas/.

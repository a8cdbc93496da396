# bench/local.mk -- data generators and benchmarks (figures go to doc/PERFORMANCE.md).
include $(srcdir)/bench/client.mk

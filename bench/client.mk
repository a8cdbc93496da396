# bench/client.mk -- benchmarks of the REST client (requests per second).

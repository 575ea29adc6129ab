#!/bin/sh
# make check: the gateway client and driver suites once more, under valgrind's memcheck (any
# error or definite leak fails). Registered only in builds without --enable-sanitizers: ASan's
# runtime and valgrind do not run together.
exec sh "${top_srcdir:?run through make check}/scripts/valgrind-suites"

#!/bin/sh
# The crash sweep as make check runs it: a spread of crash points (tests/crash/sweep.sh fast), each
# killed once the array carried its request out and once it answered; `make crash-sweep` kills at
# every point.
exec sh "${top_srcdir:-.}/tests/crash/sweep.sh" fast

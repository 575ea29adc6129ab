#!/bin/sh
# copy-smoke.sh - bench/copy-bench once, small (64 MiB, one round): the benchmark still runs.
exec "${top_builddir:-.}/bench/copy-bench" --quick

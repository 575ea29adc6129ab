#!/bin/sh
# The soak as make check runs it: 1000 operations (live VM migrations, guest writes and snapshot
# reverts among them) with a fixed seed, so a failure reproduces with the line it prints; about
# 60 s (slow V-Tree migrations and rollbacks among them). `make soak` runs thousands with a new
# seed each time.
exec sh "${top_srcdir:-.}/tests/soak/soak.sh" 1000 20261125

#!/bin/sh
# Runs the block-device scenario (tests/scenarios/badday-blockdev.cmk) where this process can make
# loop devices: root, and /dev/loop-control with a free device. Elsewhere (a container without
# /dev/loop*, a user build) it skips with 77 and says why.
set -u
s=${top_srcdir:-.}
if [ "$(id -u)" != 0 ]; then
  echo "blockdev: not root: loop devices cannot be made; skipping"
  exit 77
fi
if [ ! -w /dev/loop-control ] || ! losetup -f >/dev/null 2>&1; then
  echo "blockdev: no usable /dev/loop-control or no free loop device; skipping"
  exit 77
fi
exec sh "$s/tests/harness/run-cmk.sh" "$s/tests/scenarios/badday-blockdev.cmk"

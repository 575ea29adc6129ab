#!/bin/sh
# abi/storage_plugin.h compiles alone as C99 -pedantic and as C++, with warnings as errors.
set -eu
h="$top_srcdir/abi/storage_plugin.h"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The value-struct macros too: SP_INIT, SP_FITS and SP_AT expand to C99.
printf '#include "%s"\nint main(void) { sp_error e; sp_volume_info v = SP_INIT(sp_volume_info);\n  (void)e; return SP_FITS(&v, format) && SP_AT(const sp_volume_info, &v, 0) == &v ? (int)SP_OK : 1; }\n' "$h" > "$tmp/c.c"
${CC:-cc} -std=c99 -pedantic -Wall -Wextra -Werror -c "$tmp/c.c" -o "$tmp/c.o"
echo "PASS: C99 -pedantic"
if command -v "${CXX:-c++}" >/dev/null 2>&1; then
  printf '#include "%s"\nint main() { const sp_driver_ops *t = 0; return SP_HAS(t, create_volume) ? 1 : 0; }\n' "$h" > "$tmp/x.cc"
  ${CXX:-c++} -std=c++11 -pedantic -Wall -Wextra -Werror -c "$tmp/x.cc" -o "$tmp/x.o"
  echo "PASS: C++11 -pedantic"
else
  echo "FAIL: no C++ compiler to check the header with"; exit 1
fi
# Nothing but <stddef.h> and <stdint.h> is included.
others=$(grep -E '^#include' "$h" | grep -vE '<stddef.h>|<stdint.h>' || true)
[ -z "$others" ] || { echo "FAIL: header includes $others"; exit 1; }
echo "PASS: self-contained"

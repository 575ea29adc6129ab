#!/bin/sh
# The gateway client's suites once more, against powerflex-sim --api 4.x: the 4.x login
# (POST /rest/auth/login, Bearer access tokens), its renewal, and HTML error pages. make check
# runs the same suites against 3.5 under their own names.
set -u
PFX_TEST_SIM_API=4.x
export PFX_TEST_SIM_API
rc=0
for t in test_client test_auth test_faults test_tls; do
    echo "=== tests/gateway/$t against a 4.x gateway"
    "$top_builddir/tests/gateway/$t"
    st=$?
    [ "$st" -eq 0 ] || { echo "FAIL: $t exited $st"; rc=1; }
done
exit $rc

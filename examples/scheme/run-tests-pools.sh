#!/bin/sh
# run-tests-pools.sh: the Scheme example's tests with its other pool
# pairs (SCHEME_POOLS=imx: IMX and IMXZ; ams: AMS and LO), as a client
# that moves from one collector to another would run them.  run-tests.sh
# runs them with the default pair (AMC and AMCZ).  Under Valgrind
# (TARN_UNDER_VALGRIND) this is skipped (exit 77): memcheck runs the
# pools' own tests, and three passes of the interpreter's would make the
# suite too slow.
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${TARN_UNDER_VALGRIND:-}" ]; then
  echo "run-tests-pools.sh: skipped under Valgrind"
  exit 77
fi
status=0
for pools in imx ams; do
  echo "SCHEME_POOLS=$pools:"
  SCHEME_POOLS=$pools "$here/run-tests.sh"
  rc=$?
  [ $rc -eq 99 ] && exit 99
  [ $rc -ne 0 ] && status=1
done
exit $status

#!/bin/sh
# parstress.sh: the main stress tests with parallel tracing on.
#
# Every test reads TARN_WORKERS at arena creation (parallel.c), so the
# same programs that `make check` runs serially-or-by-default run here
# with 2 and 4 worker threads (4 is more than this machine may have
# cores: workers are then descheduled in the middle of phases).  Run from
# the build directory, as Automake's harness does.
set -u
# The programs run natively here, also when make check-valgrind runs this
# script: they must not think they are under Valgrind (smaller targets).
unset TARN_UNDER_VALGRIND TARN_VALGRIND_BARRIERS
status=0
log=$(mktemp "${TMPDIR:-/tmp}/parstress.XXXXXX") || exit 99
trap 'rm -f "$log"' EXIT
for w in 2 4; do
  for t in amcstress_hot amsstress_hot imxstress_hot mixedrankstress_hot \
           threadstress_hot amcstress_cool imxstress_cool mixedrankstress_cool; do
    if [ ! -x "./test/$t" ]; then
      echo "parstress: ./test/$t not built" >&2
      exit 99
    fi
    TARN_WORKERS=$w "./test/$t" > "$log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
      echo "PASS: $t with TARN_WORKERS=$w"
    else
      # 128 + n: killed by signal n (a crash leaves no message of its own)
      echo "FAIL: $t with TARN_WORKERS=$w (exit status $rc); the end of its output:"
      tail -20 "$log"
      status=1
    fi
  done
done
exit $status

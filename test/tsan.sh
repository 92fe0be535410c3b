#!/bin/sh
# tsan.sh: parallel tracing under ThreadSanitizer (make check-tsan)
#
# Builds the tests that drive parallel tracing hardest with
# -fsanitize=thread (each as one translation unit with code/mps.c, as a
# client would) and runs them with 2 and 4 tracing threads.  A data race
# that TSan reports fails the run (halt_on_error).
#
# What is left out, and why:
#  - Barriers (TARN_NO_BARRIERS=1): a barrier fault can happen inside one
#    of TSan's interceptors (memcpy, memset), where TSan cannot run the
#    handler, and the process dies.  Without barriers every collection
#    runs to its end, which is the kind that traces in parallel anyway.
#  - Tests with several mutator threads: the collector stops them with
#    signals, which TSan delivers only when a thread next enters its
#    runtime, so a thread in a loop of plain stores is never stopped (a
#    hang); and TSan does not see the handshake that orders the stopped
#    thread's writes before the collector's reads (false reports).  The
#    tests here have one mutator thread, plus the collector's workers.
#
# Usage: test/tsan.sh SRCDIR OUTDIR    (CC defaults to clang)
set -u
src=${1:?usage: tsan.sh SRCDIR OUTDIR}
out=${2:?usage: tsan.sh SRCDIR OUTDIR}
cc=${CC:-clang}
mkdir -p "$out" || exit 99
flags="-fsanitize=thread -g -O1 -I$src/include -I$src/code -I$src/test"
common="$src/test/testlib.c $src/test/testfmt.c $src/code/mps.c -lpthread -lm"

build() {  # name source
  echo "tsan: building $1"
  $cc $flags "$2" $common -o "$out/$1" || exit 99
}
build partest "$src/test/partest.c"
build amcstress "$src/test/amcstress.c"
build imxstress "$src/test/imxstress.c"
build imxagetest "$src/test/imxagetest.c"
build mixedrankstress "$src/test/mixedrankstress.c"
build graphbench "$src/test/bench/graphbench.c"

status=0
run() {  # workers name args...
  w=$1; shift
  t=$1; shift
  log="$out/$t.w$w.log"
  if TSAN_OPTIONS="halt_on_error=1 die_after_fork=0 exitcode=66" \
     TARN_NO_BARRIERS=1 TARN_WORKERS=$w "$out/$t" "$@" > "$log" 2>&1; then
    echo "PASS: $t $* with TARN_WORKERS=$w"
  else
    echo "FAIL: $t $* with TARN_WORKERS=$w (log: $log); its end:"
    tail -30 "$log"
    status=1
  fi
}
for w in 2 4; do
  run $w partest
  run $w amcstress
  run $w imxstress
  run $w imxagetest
  run $w mixedrankstress
  run $w graphbench -n 200000 -k 8 -c 2 -W 1 -p amc -w $w
  run $w graphbench -n 200000 -k 8 -c 2 -W 1 -p ams -w $w
  run $w graphbench -n 200000 -k 8 -c 2 -W 1 -p imx -w $w
done
exit $status

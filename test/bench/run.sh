#!/bin/sh
# run.sh: build and run Tarn's benchmarks, print the tables, then one
# table of ratios (summary.sh) and a plot (SVG)
#
# The benchmarks (test/bench/README.md says what each measures):
#   manualbench   manual allocation: MFS, MVFF, SAC, MVT against glibc
#                 malloc, and jemalloc / mimalloc when they can be loaded
#   treebench     binary trees: AMS, LO+AMS, AWL+LO, AMC against Boehm GC
#                 (when libgc-dev is installed)
#   scheme        examples/scheme on allocation-heavy scripts against the
#                 same interpreter built with -DSCHEME_MALLOC_ONLY
#   pausebench    pauses with incremental collection on and off
#   fastpath      callgrind instruction counts of one allocation on each
#                 fast path (mps_reserve/mps_commit, SAC, mps_alloc)
#                 against malloc (needs valgrind; CALLGRIND=0 skips it)
# and with EXTRA=1 the deeper runs kept from the earlier reports: rash
# variety, other SAC classes, two threads, other generation sizes,
# nurserybench, the FIX1 disassembly, callgrind of the manual replay,
# cachegrind of treebench, perf (PERF=1).
#
# Usage (from anywhere; the script finds the repository):
#   test/bench/run.sh [REPS]
# REPS (default 5) is the number of runs of each configuration; the tables
# show medians.  Seeds are fixed.  Environment:
#   QUICK=1       small workloads (checks that everything runs: ~1 minute)
#   EXTRA=1       also the deeper runs listed above (about 20 more minutes)
#   CALLGRIND=0   skip every valgrind run
#   PERF=1        with EXTRA=1, perf hot spots (needs perf record to work)
#   OUT=dir       binaries, outputs, results.tsv, bench.svg
#                 (default /tmp/tarnbench)
#   PLOT=file     where the SVG goes (default $OUT/bench.svg)
#   SRC=dir       take Tarn (SRC/include, SRC/code) from another tree, e.g.
#                 a snapshot or an older checkout to compare against; the
#                 benchmarks themselves always come from this tree
#   TARN_EVENTS=path  the telemetry decoder for pausebench (default: built
#                 here from code/eventcnv.c)

set -e
REPS=${1:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-/tmp/tarnbench}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PLOT=${PLOT:-$OUT/bench.svg}
cd "$ROOT"

SRC=${SRC:-$ROOT}
CC=${CC:-gcc}
CFLAGS="-std=gnu99 -O2 -g -Wall -Wextra -I$SRC/include -I$SRC/code -Itest"
EXTRA=${EXTRA:-0}

if [ "${QUICK:-0}" = 1 ]; then
  MB_ARGS="-n 10000 -C 2"
  TB_ARGS="-d 12"
  TB_CG_ARGS="-d 10"
  PB_ARGS="-d 12 -b 2000"
  FP_N=100000
  NB_ARGS="-t 10"
  NB_OLD="10,50"
  SCHEME_REPS=1
  SCHEME_SCRIPTS="$ROOT/examples/scheme/bench/strings.scm"
else
  MB_ARGS=""
  TB_ARGS=""
  TB_CG_ARGS=""
  PB_ARGS=""
  FP_N=2000000
  NB_ARGS=""
  NB_OLD="10,200"
  SCHEME_REPS=$REPS
  SCHEME_SCRIPTS=""
fi
# Valgrind with Tarn's barriers on (as in normal runs): Tarn turns them off
# under Valgrind unless told, and Valgrind needs these options for them.
VG_BARRIERS="--vex-iropt-register-updates=allregs-at-mem-access --vex-guest-chase=no"
export TARN_VALGRIND_BARRIERS=1
HAVE_VALGRIND=0
if [ "${CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null 2>&1; then
  HAVE_VALGRIND=1
fi

# bench NAME FILE COMMAND...: run COMMAND, show its output and keep it in
# FILE; remember NAME if it fails (run.sh carries on, and exits 1 at the end)
FAILED=
bench() {
  name=$1
  file=$2
  shift 2
  { st=0; "$@" 2>&1 || st=$?; echo $st > "$OUT/$name.status"; } | tee "$file"
  if [ "$(cat "$OUT/$name.status")" != 0 ]; then
    FAILED="$FAILED $name"
  fi
}

echo "== machine"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc: $(nproc)"
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|L1d|L2|L3|Hypervisor|CPU max MHz)' || true
  echo "memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  $CC --version | head -1
  ldd --version 2>&1 | head -1
  for p in libgc-dev libjemalloc2 libmimalloc2.0 valgrind; do
    dpkg -s $p 2>/dev/null | sed -n "s/^Version: /$p /p" || true
  done
  echo "load: $(cat /proc/loadavg)"
  if (cd "$SRC" && git rev-parse --git-dir >/dev/null 2>&1); then
    echo "tarn: $SRC at $(cd "$SRC" && git rev-parse --short HEAD)$(cd "$SRC" && git diff --quiet -- code include || echo ' with local changes')"
  else
    echo "tarn: $SRC (not a git checkout); benchmarks from $ROOT at $(git rev-parse --short HEAD)"
  fi
  echo "reps: $REPS; QUICK=${QUICK:-0} EXTRA=$EXTRA"
} | tee "$OUT/machine.txt"

echo
echo "== build"
# Boehm GC is optional: without gc.h and -lgc, treebench has no boehm.
if echo '#include <gc.h>
int main(void) { GC_INIT(); return GC_get_gc_no() > 1000; }' \
   | $CC -x c - -lgc -o "$OUT/gccheck" 2>/dev/null; then
  TB_GC="-lgc"
else
  TB_GC="-DTREE_NO_BOEHM"
  echo "Boehm GC (libgc-dev) not found: treebench runs without it"
fi
VARIETIES=HOT
[ "$EXTRA" = 1 ] && VARIETIES="HOT RASH"
for v in $VARIETIES; do
  lv=$(echo $v | tr A-Z a-z)
  $CC $CFLAGS -DCONFIG_VAR_$v test/bench/manualbench.c "$SRC/code/mps.c" \
      -lpthread -lm -ldl -o "$OUT/manualbench_$lv"
  $CC $CFLAGS -DCONFIG_VAR_$v test/bench/treebench.c "$SRC/code/mps.c" \
      -lpthread $TB_GC -o "$OUT/treebench_$lv"
  echo "built $OUT/manualbench_$lv $OUT/treebench_$lv"
done
$CC $CFLAGS -DCONFIG_VAR_HOT test/bench/pausebench.c "$SRC/code/mps.c" \
    -lpthread -lm -o "$OUT/pausebench_hot"
$CC $CFLAGS -DCONFIG_VAR_HOT test/bench/fastpath.c "$SRC/code/mps.c" \
    -lpthread -o "$OUT/fastpath_hot"
if [ -z "$TARN_EVENTS" ]; then
  $CC -std=gnu99 -O2 -I"$SRC/include" -I"$SRC/code" "$SRC/code/eventcnv.c" \
      -o "$OUT/tarn-events"
  TARN_EVENTS=$OUT/tarn-events
fi
echo "built $OUT/pausebench_hot $OUT/fastpath_hot $TARN_EVENTS"
if [ "$EXTRA" = 1 ]; then
  $CC $CFLAGS -DCONFIG_VAR_HOT test/bench/nurserybench.c "$SRC/code/mps.c" \
      -lpthread -o "$OUT/nurserybench_hot"
  $CC -std=gnu99 -O2 -I"$SRC/include" -c test/bench/fix1.c -o "$OUT/fix1.o"
  $CC -std=gnu99 -O2 -DFIX1_MAIN -I"$SRC/include" -I"$SRC/code" test/bench/fix1.c \
      "$SRC/code/mps.c" -lpthread -o "$OUT/fix1"
  echo "built $OUT/nurserybench_hot $OUT/fix1"
fi

echo
echo "== manualbench: hot variety (ratios to glibc malloc)"
bench manualbench "$OUT/manual.txt" "$OUT/manualbench_hot" -r "$REPS" $MB_ARGS

echo
echo "== treebench: hot variety, the arena's default chain (ratios to Boehm)"
bench treebench "$OUT/tree.txt" "$OUT/treebench_hot" -r "$REPS" $TB_ARGS

echo
echo "== the Scheme interpreter (AMC/AMCZ) against its malloc-only build"
bench scheme "$OUT/scheme.txt" env OUT="$OUT/scheme" SRC="$SRC" \
  sh examples/scheme/bench/run.sh "$SCHEME_REPS" $SCHEME_SCRIPTS

echo
echo "== pausebench: incremental (1 ms pause time) against stop-the-world"
bench pausebench "$OUT/pause.txt" "$OUT/pausebench_hot" -r "$REPS" -E "$TARN_EVENTS" $PB_ARGS

echo
echo "== fastpath: one allocation of 32 bytes on each fast path"
bench fastpath "$OUT/fastpath.txt" "$OUT/fastpath_hot" -n $FP_N
: > "$OUT/fastpath.ir"
if [ $HAVE_VALGRIND = 1 ]; then
  echo "callgrind (Ir per allocation: all of it, with the amortised slow path;"
  echo "self: the fp* loop alone, i.e. the inline part; the loop and the"
  echo "object's initialisation are the 'loop' row)"
  for a in loop ap malloc malloc+free sac mfs mvff; do
    cg="$OUT/cg.fastpath.$a"
    valgrind --tool=callgrind --toggle-collect='fp*' --callgrind-out-file="$cg" \
      "$OUT/fastpath_hot" -a $a -n $FP_N >/dev/null 2>&1 || { echo "$a: failed under callgrind"; continue; }
    callgrind_annotate "$cg" 2>/dev/null | awk -v a=$a -v n=$FP_N '
      /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
      /fastpath.c:fp/ && !self { gsub(",", "", $1); self = $1 }
      END { printf "%-12s %8.1f Ir %8.1f self\n", a, total / n, self / n }' \
      | tee -a "$OUT/fastpath.ir"
  done
  echo "(breakdowns: callgrind_annotate --inclusive=yes $OUT/cg.fastpath.ap etc.)"
fi

if [ "$EXTRA" = 1 ]; then
  echo
  echo "== EXTRA: manualbench, rash variety"
  "$OUT/manualbench_rash" -r "$REPS" $MB_ARGS -a malloc,mvff,sac,mvt,mfs
  echo
  echo "== EXTRA: manualbench, SAC with geometric classes (every request cached), hot"
  "$OUT/manualbench_hot" -r "$REPS" $MB_ARGS -T var -a malloc,sac -c geo
  echo
  echo "== EXTRA: manualbench, SAC with 15 classes 8 B - 4 KiB (more than the contract's 8), hot"
  "$OUT/manualbench_hot" -r "$REPS" $MB_ARGS -T var -a malloc,sac -c fine || true
  echo
  echo "== EXTRA: manualbench, 2 threads, a pool (and SAC, AP) per thread, hot"
  "$OUT/manualbench_hot" -r "$REPS" $MB_ARGS -T var -t 2
  echo
  echo "== EXTRA: manualbench, 2 threads, one shared pool (SAC and AP per thread), hot"
  "$OUT/manualbench_hot" -r "$REPS" $MB_ARGS -T var -t 2 -S
  echo
  echo "== EXTRA: treebench, rash variety, the arena's default chain"
  "$OUT/treebench_rash" -r "$REPS" $TB_ARGS
  for c in 4096 16384 65536; do
    echo
    echo "== EXTRA: treebench, the benchmark's chain, first generation $c KiB, hot"
    "$OUT/treebench_hot" -r "$REPS" $TB_ARGS -c $c
  done
  echo
  echo "== EXTRA: nurserybench: nursery collections against old data, default arena"
  "$OUT/nurserybench_hot" -r "$REPS" $NB_ARGS -o 10 -w 0,64 || true
  echo
  echo "== EXTRA: nurserybench: 1 GiB arena (no growth; the same zone stripes for every size)"
  "$OUT/nurserybench_hot" -r "$REPS" $NB_ARGS -A 1024 -o $NB_OLD -w 0,64 || true
  echo
  echo "== EXTRA: FIX1: the area scanner's loop (gcc -O2, x86-64)"
  objdump -d --no-show-raw-insn "$OUT/fix1.o" \
    | awk '/<fix1AreaScan>:/ {p = 1} p && /call/ {print; exit} p {print}'
  "$OUT/fix1"
  if [ $HAVE_VALGRIND = 1 ]; then
    sh "$ROOT/test/bench/profile.sh" "$OUT" "$MB_ARGS" "$TB_CG_ARGS"
  fi
fi

echo
echo "== summary"
sh "$ROOT/test/bench/summary.sh" "$OUT" "$PLOT"
if [ -n "$FAILED" ]; then
  echo "run.sh: these benchmarks failed:$FAILED (their output is in $OUT)" >&2
  exit 1
fi

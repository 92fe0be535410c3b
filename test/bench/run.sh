#!/bin/sh
# run.sh: build and run Tarn's benchmarks, print the tables
#
# manualbench (issue 2), treebench (issues 3 and 4), nurserybench (issue 4),
# the FIX1 disassembly, the Scheme interpreter against malloc
# (examples/scheme/bench/run.sh, issue 4), then valgrind instruction counts.
#
# Usage (from anywhere; the script finds the repository):
#   test/bench/run.sh [REPS]
# REPS (default 5) is the number of runs of each configuration; the tables
# show medians.  Seeds are fixed (manualbench -s 1; treebench is
# deterministic).  Environment:
#   CALLGRIND=0   skip the callgrind instruction counts (they take a few
#                 minutes; on by default when valgrind is installed)
#   PERF=1        also print perf hot spots (needs perf record to work)
#   QUICK=1       smaller workloads (for checking that everything runs)
#   OUT=dir       where binaries and profiles go (default /tmp/tarnbench)
#   SRC=dir       take Tarn (SRC/include, SRC/code) from another tree, e.g.
#                 a snapshot or an older checkout to compare against; the
#                 benchmarks themselves always come from this tree

set -e
REPS=${1:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-/tmp/tarnbench}
mkdir -p "$OUT"
cd "$ROOT"

SRC=${SRC:-$ROOT}
CC=${CC:-gcc}
CFLAGS="-std=gnu99 -O2 -g -Wall -Wextra -I$SRC/include -I$SRC/code -Itest"

if [ "${QUICK:-0}" = 1 ]; then
  MB_ARGS="-n 10000 -C 2"
  TB_ARGS="-d 12"
  TB_CG_ARGS="-d 10"
  NB_ARGS="-t 10"
  NB_OLD="10,50"
  SCHEME_REPS=1
else
  MB_ARGS=""
  TB_ARGS=""
  TB_CG_ARGS=""
  NB_ARGS=""
  NB_OLD="10,200"
  SCHEME_REPS=$REPS
fi
# Valgrind with Tarn's barriers on (as in normal runs): Tarn turns them off
# under Valgrind unless told, and Valgrind needs these options for them.
VG_BARRIERS="--vex-iropt-register-updates=allregs-at-mem-access --vex-guest-chase=no"
export TARN_VALGRIND_BARRIERS=1

echo "== machine"
echo "nproc: $(nproc)"
lscpu | grep -E '^(Model name|CPU\(s\)|Thread|L1d|L2|L3|Hypervisor)' || true
$CC --version | head -1
ldd --version 2>&1 | head -1
dpkg -s libgc-dev 2>/dev/null | grep '^Version' | sed 's/^/libgc-dev /' || true
echo "load: $(cat /proc/loadavg)"
if (cd "$SRC" && git rev-parse --git-dir >/dev/null 2>&1); then
  echo "tarn: $SRC at $(cd "$SRC" && git rev-parse --short HEAD)$(cd "$SRC" && git diff --quiet -- code include || echo ' with local changes')"
else
  echo "tarn: $SRC (not a git checkout); benchmarks from $ROOT at $(git rev-parse --short HEAD)"
fi

echo
echo "== build"
for v in HOT RASH; do
  lv=$(echo $v | tr A-Z a-z)
  $CC $CFLAGS -DCONFIG_VAR_$v test/bench/manualbench.c "$SRC/code/mps.c" \
      -lpthread -lm -o "$OUT/manualbench_$lv"
  $CC $CFLAGS -DCONFIG_VAR_$v test/bench/treebench.c "$SRC/code/mps.c" \
      -lpthread -lgc -o "$OUT/treebench_$lv"
  echo "built $OUT/manualbench_$lv $OUT/treebench_$lv"
done
$CC $CFLAGS -DCONFIG_VAR_HOT test/bench/nurserybench.c "$SRC/code/mps.c" \
    -lpthread -o "$OUT/nurserybench_hot"
echo "built $OUT/nurserybench_hot"
$CC -std=gnu99 -O2 -I"$SRC/include" -c test/bench/fix1.c -o "$OUT/fix1.o"
$CC -std=gnu99 -O2 -DFIX1_MAIN -I"$SRC/include" -I"$SRC/code" test/bench/fix1.c "$SRC/code/mps.c" \
    -lpthread -o "$OUT/fix1"

echo
echo "== manualbench (issue 2): hot variety"
"$OUT/manualbench_hot" -r "$REPS" $MB_ARGS
echo
echo "== manualbench: rash variety"
"$OUT/manualbench_rash" -r "$REPS" $MB_ARGS
echo
echo "== manualbench: SAC with geometric classes (every request cached), hot"
"$OUT/manualbench_hot" -r "$REPS" $MB_ARGS -T var -a malloc,sac -c geo
echo
echo "== manualbench: SAC with 15 classes 8 B - 4 KiB, ~1.56x apart (more than the contract's 8), hot"
"$OUT/manualbench_hot" -r "$REPS" $MB_ARGS -T var -a malloc,sac -c fine || true
echo
echo "== manualbench: 2 threads, a pool (and SAC, AP) per thread, hot"
"$OUT/manualbench_hot" -r "$REPS" $MB_ARGS -T var -t 2
echo
echo "== manualbench: 2 threads, one shared pool (SAC and AP per thread), hot"
"$OUT/manualbench_hot" -r "$REPS" $MB_ARGS -T var -t 2 -S

echo
echo "== treebench (issues 3, 4): hot variety, the arena's default chain"
"$OUT/treebench_hot" -r "$REPS" $TB_ARGS
echo
echo "== treebench: rash variety, the arena's default chain"
"$OUT/treebench_rash" -r "$REPS" $TB_ARGS
for c in 4096 16384 65536; do
  echo
  echo "== treebench: the benchmark's chain, first generation $c KiB, hot"
  "$OUT/treebench_hot" -r "$REPS" $TB_ARGS -c $c
done

echo
echo "== nurserybench (issue 4): nursery collections against old data, default arena"
"$OUT/nurserybench_hot" -r "$REPS" $NB_ARGS -o 10 -w 0,64 || true
echo
echo "== nurserybench: 1 GiB arena (no growth; the same zone stripes for every size)"
"$OUT/nurserybench_hot" -r "$REPS" $NB_ARGS -A 1024 -o $NB_OLD -w 0,64 || true
echo
echo "== nurserybench: zones of the old data and of the nursery (one run each)"
for o in $(echo $NB_OLD | tr , ' '); do
  "$OUT/nurserybench_hot" -1 $NB_ARGS -A 1024 -o $o | tail -n 3
done

echo
echo "== the Scheme interpreter on AMC against malloc without free (issue 4)"
OUT="$OUT/scheme" SRC="$SRC" examples/scheme/bench/run.sh "$SCHEME_REPS" || true

echo
echo "== FIX1: the area scanner's loop (gcc -O2, x86-64)"
objdump -d --no-show-raw-insn "$OUT/fix1.o" \
  | awk '/<fix1AreaScan>:/ {p = 1} p && /call/ {print; exit} p {print}'
"$OUT/fix1"

if [ "${CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null 2>&1; then
  echo
  echo "== callgrind: instructions per operation of the manual benchmark (hot)"
  echo "   (only the replay loop is counted: --toggle-collect=replay; it includes"
  echo "   the loop's own ~30 instructions per operation and touching the blocks)"
  for t in var fixed; do
    if [ $t = var ]; then list="malloc mvff sac mvt"; else list="malloc mfs mvff sac"; fi
    for a in $list; do
      cg="$OUT/cg.manual.$t.$a"
      ops=$(timeout 1800 valgrind --tool=callgrind --toggle-collect=replay --callgrind-out-file="$cg" \
              "$OUT/manualbench_hot" -1 -T $t -a $a $MB_ARGS 2>/dev/null \
            | sed -n 's/.* ops \([0-9]*\).*/\1/p')
      ir=$(callgrind_annotate "$cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
      echo "$t $a $ir $ops" | awk '{printf "%-5s %-8s %14s Ir  %9s ops  %7.1f Ir/op\n", $1, $2, $3, $4, $3 / $4}'
    done
  done
  echo "   (breakdowns: callgrind_annotate [--inclusive=yes] $OUT/cg.manual.var.mvff etc.)"
  echo
  echo "== cachegrind: treebench $TB_CG_ARGS (default chain), instructions (Ir) by function"
  echo "   (cachegrind, not callgrind: callgrind 3.19 dies on the barrier faults"
  echo "   of the AMS runs; cachegrind gives self counts only; barriers on)"
  for p in ams lo+ams amc boehm; do
    cg="$OUT/cg.tree.$p"
    timeout 1800 valgrind --tool=cachegrind --cache-sim=no $VG_BARRIERS --cachegrind-out-file="$cg" \
      "$OUT/treebench_hot" -1 -p $p $TB_CG_ARGS 2>/dev/null | grep "^$p:" > "$cg.line" || true
    line=$(head -n 1 "$cg.line")
    if [ -z "$line" ]; then
      echo "$p: the run failed under cachegrind"
      continue
    fi
    cat "$cg.line"
    cg_annotate "$cg" 2>/dev/null > "$cg.txt" || true
    total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' "$cg.txt")
    scan=$(awk '/treebench.c:treeScan$/ {gsub(",", "", $1); print $1; exit}' "$cg.txt")
    echo "$line $total ${scan:-0}" | awk '{
      for (i = 1; i <= NF; ++i) {
        if ($i == "allocs") allocs = $(i + 1)
        if ($i == "refs") refs = $(i + 1)
        if ($i == "calls") calls = $(i + 1)
      }
      total = $(NF - 1); scan = $NF
      printf "   %.0f MIr in all, %.0f Ir per object allocated", total / 1e6, total / allocs
      if (refs > 0) printf "; treeScan: %.1f Ir per reference tested, %.0f%% of references passed to MPS_FIX2", scan / refs, 100 * calls / refs
      printf "\n" }'
    awk '/file:function/ {p = 1; getline; next} p && NF >= 3 && n < 12 {print "     " $0; ++n}' "$cg.txt"
  done
  echo "   (full listings: $OUT/cg.tree.*.txt)"
fi

if [ "${PERF:-0}" = 1 ] && perf record -o "$OUT/perf.test" true >/dev/null 2>&1; then
  echo
  echo "== perf hot spots (cpu-clock samples, self time, top 12)"
  for a in mvff sac mvt; do
    echo "-- manualbench -1 -T var -a $a"
    perf record -e cpu-clock -F 4000 -o "$OUT/perf.manual.$a" \
      "$OUT/manualbench_hot" -1 -T var -a $a $MB_ARGS >/dev/null 2>&1
    perf report -i "$OUT/perf.manual.$a" --no-children --sort symbol --stdio 2>/dev/null \
      | grep '%' | grep -v '^#' | head -12
  done
  for p in ams lo+ams amc; do
    echo "-- treebench -1 -p $p"
    perf record -e cpu-clock -F 4000 -o "$OUT/perf.tree.$p" \
      "$OUT/treebench_hot" -1 -p $p $TB_ARGS >/dev/null 2>&1
    perf report -i "$OUT/perf.tree.$p" --no-children --sort symbol --stdio 2>/dev/null \
      | grep '%' | grep -v '^#' | head -12
  done
fi

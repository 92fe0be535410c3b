#!/bin/sh
# profile.sh: the deeper profiles of run.sh's EXTRA=1 mode
#
# Usage: test/bench/profile.sh OUT MB_ARGS TB_CG_ARGS
# (run.sh calls it with its build directory and workload options, after
# building $OUT/manualbench_hot and $OUT/treebench_hot).  Prints callgrind
# instructions per operation of manualbench's replay loop, cachegrind
# instruction counts of treebench by function, and with PERF=1 perf hot
# spots.

OUT=$1
MB_ARGS=$2
TB_CG_ARGS=$3
VG_BARRIERS="--vex-iropt-register-updates=allregs-at-mem-access --vex-guest-chase=no"
export TARN_VALGRIND_BARRIERS=1
# jemalloc needs room in the static TLS block to be loaded with dlopen
export GLIBC_TUNABLES=glibc.rtld.optional_static_tls=65536

echo
echo "== callgrind: instructions per operation of the manual benchmark (hot)"
echo "   (only the replay loop is counted: --toggle-collect=replay; it includes"
echo "   the loop's own ~30 instructions per operation and touching the blocks)"
for t in var fixed; do
  if [ $t = var ]; then list="malloc jemalloc mimalloc mvff sac mvt"; else list="malloc jemalloc mimalloc mfs mvff sac"; fi
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
for p in ams lo+ams awl+lo amc boehm; do
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
  for p in ams lo+ams awl+lo amc; do
    echo "-- treebench -1 -p $p"
    perf record -e cpu-clock -F 4000 -o "$OUT/perf.tree.$p" \
      "$OUT/treebench_hot" -1 -p $p $TB_CG_ARGS >/dev/null 2>&1
    perf report -i "$OUT/perf.tree.$p" --no-children --sort symbol --stdio 2>/dev/null \
      | grep '%' | grep -v '^#' | head -12
  done
fi

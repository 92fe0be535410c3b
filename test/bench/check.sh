#!/bin/sh
# check.sh: the benchmarks still build, run and agree with their summary
# (part of `make check`; a few seconds)
#
# Runs every benchmark program that `make check` built (test/bench/*,
# examples/scheme/scheme_malloc) once on a tiny workload, then summary.sh
# over their outputs, and fails if
#   - a program fails, or reports FAILED (manualbench checks every block,
#     treebench every tree, the interpreter's two builds must print the
#     same thing);
#   - summary.sh misses a row that the outputs contain, computes a ratio
#     that is not positive, or draws a plot without one bar per ratio;
#   - summary.sh gets the arithmetic wrong on a made-up input whose
#     ratios are known.
# Environment (set by make check): TARN_BUILDDIR (the build directory),
# TARN_EVENTS (the telemetry decoder), SCHEME (the interpreter).

set -e
B=${TARN_BUILDDIR:-.}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/benchcheck.XXXXXX")
trap 'rm -rf "$T"' EXIT

fail() {
  echo "check.sh: $*" >&2
  exit 1
}

run() {                         # run NAME OUTPUT COMMAND...
  name=$1
  out=$2
  shift 2
  status=0
  "$@" > "$out" 2>&1 || status=$?
  if [ $status != 0 ]; then
    cat "$out" >&2
    fail "$name exited with status $status"
  fi
  if grep -q FAILED "$out"; then
    cat "$out" >&2
    fail "$name reported a failure"
  fi
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')" > "$T/machine.txt"
echo "Model name: make check" >> "$T/machine.txt"
run manualbench "$T/manual.txt" "$B/test/bench/manualbench" -r 1 -n 2000 -C 1 -a malloc,mvff,sac,mvt,mfs
run treebench "$T/tree.txt" "$B/test/bench/treebench" -r 1 -d 8 -a 1000
run pausebench "$T/pause.txt" "$B/test/bench/pausebench" -r 1 -d 10 -a 1000 -c 256 -b 100 \
    -E "${TARN_EVENTS:-$B/tarn-events}"
run fastpath "$T/fastpath.txt" "$B/test/bench/fastpath" -n 20000
run "the interpreter benchmark" "$T/scheme.txt" env OUT="$T/scheme" \
    SCHEME_AMC="${SCHEME:-$B/examples/scheme/scheme}" \
    SCHEME_MALLOC="$B/examples/scheme/scheme_malloc" \
    sh "$ROOT/examples/scheme/bench/run.sh" 1 "$ROOT/examples/scheme/bench/strings.scm"
run summary.sh "$T/summary.txt" sh "$HERE/summary.sh" "$T" "$T/bench.svg"

# Every benchmark has its rows, with positive ratios.
for want in "manual/var	mvff	glibc malloc	cpu ms" \
            "manual/var	mvt	glibc malloc	peak rss KiB" \
            "manual/fixed	mfs	glibc malloc	cpu ms" \
            "manual/fixed	sac	glibc malloc	cpu ms" \
            "tree	awl+lo	" "tree	amc	" "tree	ams	" \
            "scheme	strings (amc)	malloc-only build	cpu s" \
            "pause	incremental	stop-the-world	max pause ms" \
            "pause	incremental	stop-the-world	p99 pause ms" \
            "fastpath	ap (reserve+commit)	malloc, no free	ns/alloc" \
            "fastpath	sac	malloc+free	ns/alloc+free"; do
  grep -q "^$want" "$T/results.tsv" || { cat "$T/summary.txt" >&2; fail "no row '$want'"; }
done
awk -F '\t' '$7 != "-" && !($7 + 0 > 0) { print "bad ratio: " $0; bad = 1 } END { exit bad }' \
    "$T/results.tsv" >&2 || fail "a ratio is not positive"
bars=$(awk -F '\t' '$7 + 0 > 0' "$T/results.tsv" | wc -l)
rects=$(grep -c '<rect ' "$T/bench.svg")
[ "$rects" -eq $((bars + 1)) ] || fail "the plot has $rects rectangles for $bars ratios"
head -n 1 "$T/bench.svg" | grep -q '^<svg ' || fail "the plot does not start with <svg"
tail -n 1 "$T/bench.svg" | grep -q '^</svg>$' || fail "the plot does not end with </svg>"

# The arithmetic, on made-up outputs.
S=$T/made-up
mkdir "$S"
cat > "$S/manual.txt" <<'EOF'
var trace: N=10 cycles=1 ops=20 threads=1 mean size 8 B, peak live 1 KiB
alloc      wall ms    cpu ms   peak KiB    rss KiB   wall/m    cpu/m   peak/m    rss/m  ns/op
malloc        10.0     100.0        100        200     1.00     1.00     1.00     1.00    1.0
mvff          20.0     150.0        100        100     2.00     1.50     1.00     0.50    1.0

EOF
cat > "$S/pause.txt" <<'EOF'
| conf | wall s | cpu s | sys s | slow s | gcs | pauses | p50 ms | p99 ms | max ms | total ms | hits |
| inc  |   1.00 |   3.00 |  0.10 |  0.10 |     5 |     100 |   1.000 |   2.000 |    4.00 |    100.0 |      10 |
| stw  |   1.00 |   2.00 |  0.10 |  0.10 |     5 |       5 |   8.000 |  10.000 |   16.00 |     50.0 |      10 |
EOF
printf 'malloc   200.0 Ir     10.0 self\nap        50.0 Ir     20.0 self\n' > "$S/fastpath.ir"
sh "$HERE/summary.sh" "$S" "$S/plot.svg" > /dev/null
cat > "$S/expected" <<'EOF'
manual/var	mvff	glibc malloc	cpu ms	150.0	100.0	1.50
manual/var	mvff	glibc malloc	peak rss KiB	100	200	0.50
pause	incremental	stop-the-world	max pause ms	4.00	16.00	0.25
pause	incremental	stop-the-world	p99 pause ms	2.000	10.000	0.20
pause	incremental	stop-the-world	cpu s	3.00	2.00	1.50
fastpath	ap (reserve+commit)	malloc, no free	Ir/alloc	50.0	200.0	0.25
fastpath	ap, inline part only	malloc, no free	Ir/alloc	20.0	200.0	0.10
EOF
diff "$S/expected" "$S/results.tsv" >&2 || fail "summary.sh computed the wrong ratios"
echo "check.sh: the benchmarks ran; $bars ratios summarised and plotted"

#!/bin/sh
# run.sh: the Scheme interpreter on Tarn's AMC/AMCZ pools against the same
# interpreter on plain malloc without free (issue 4)
#
# Usage (from anywhere):
#   examples/scheme/bench/run.sh [REPS] [SCRIPT.scm ...]
# REPS (default 5): runs of each script with each build, interleaved
# (amc, malloc, amc, malloc, ...) so that changes in the machine's load hit
# both alike; the table shows medians.  SCRIPTs default to every *.scm in
# this directory.
#
# Builds (both from this tree, one translation unit with the whole manager,
# hot variety, -O2):
#   amc     the interpreter as it is (examples/scheme/scheme.c)
#   malloc  the same with -DSCHEME_MALLOC_ONLY: every object comes from
#           malloc and is never freed; the collector never runs
# Measured with /usr/bin/time: CPU time (user + system: the system part is
# page faults on fresh memory, the barriers' mprotect calls and faults),
# wall time, and peak resident set (maxrss).  Every run's output must be
# the same as the first amc run's.  One extra amc run without -q reports
# the collections (the interpreter's GC summary).
#
# Environment:
#   OUT=dir                  where the binaries go (default /tmp/schemebench)
#   SCHEME_AMC, SCHEME_MALLOC  use these binaries instead of building
#   CC, CFLAGS               compiler and flags for the builds
#   SRC=dir                  take Tarn (SRC/include, SRC/code) from another
#                            tree, e.g. a snapshot of a commit; the
#                            interpreter always comes from this tree

set -e
REPS=${1:-5}
[ $# -gt 0 ] && shift
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
OUT=${OUT:-/tmp/schemebench}
CC=${CC:-gcc}
CFLAGS=${CFLAGS:--std=gnu99 -O2}
SRC=${SRC:-$ROOT}
mkdir -p "$OUT"

if [ -z "$SCHEME_AMC" ]; then
  SCHEME_AMC=$OUT/scheme_amc
  $CC $CFLAGS -I"$SRC/include" "$ROOT/examples/scheme/scheme.c" "$SRC/code/mps.c" \
      -lpthread -lm -o "$SCHEME_AMC"
fi
if [ -z "$SCHEME_MALLOC" ]; then
  SCHEME_MALLOC=$OUT/scheme_malloc
  $CC $CFLAGS -DSCHEME_MALLOC_ONLY -I"$SRC/include" "$ROOT/examples/scheme/scheme.c" \
      "$SRC/code/mps.c" -lpthread -lm -o "$SCHEME_MALLOC"
fi

if [ $# -eq 0 ]; then
  set -- "$HERE"/*.scm
fi

echo "scheme bench: $REPS runs of each (medians); Tarn from $SRC; interpreter from $ROOT at $(git -C "$ROOT" log -1 --format=%h 2>/dev/null)$(git -C "$ROOT" diff --quiet -- examples/scheme 2>/dev/null || echo ' with local changes'); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %9s %9s %7s %8s %8s %7s %9s %9s %7s  %s\n' script "amc cpu" "mal cpu" "cpu a/m" "amc wall" "mal wall" "wall a/m" "amc MiB" "mal MiB" "rss a/m" "amc collections"

status=0
for script in "$@"; do
  name=$(basename "$script" .scm)
  dir=$(dirname "$script")
  : > "$OUT/$name.times"
  ref=
  failed=0
  rep=0
  while [ $rep -lt "$REPS" ]; do
    for build in amc malloc; do
      if [ $build = amc ]; then bin=$SCHEME_AMC; else bin=$SCHEME_MALLOC; fi
      if ! (cd "$dir" && /usr/bin/time -f "%e %U %S %M" -o "$OUT/$name.time1" \
              "$bin" -q "$script" > "$OUT/$name.$build.out" 2>&1); then
        echo "$name: the $build build failed:" >&2
        cat "$OUT/$name.$build.out" >&2
        status=1
        failed=1
      fi
      if [ -z "$ref" ]; then
        ref=$OUT/$name.ref
        cp "$OUT/$name.$build.out" "$ref"
      elif ! cmp -s "$ref" "$OUT/$name.$build.out"; then
        echo "$name: the $build build's output differs from the first run's" >&2
        status=1
        failed=1
      fi
      echo "$build $(tail -n 1 "$OUT/$name.time1")" >> "$OUT/$name.times"
    done
    rep=$((rep + 1))
  done
  if [ $failed = 1 ]; then
    printf '%-10s FAILED\n' "$name"
    continue
  fi
  gcs=$(cd "$dir" && "$SCHEME_AMC" "$script" 2>/dev/null \
        | sed -n 's/^GC statistics: \([0-9]*\) collections.*survived (\(.*\)).*/\1 (\2 survived)/p')
  awk -v name="$name" -v gcs="$gcs" '
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; ++i)
        for (j = i; j > 1 && a[j - 1] > a[j]; --j) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { n[$1]++; k = n[$1]; wall[$1, k] = $2; cpu[$1, k] = $3 + $4; rss[$1, k] = $5 / 1024 }
    END {
      for (b in n) {
        for (k = 1; k <= n[b]; ++k) { w[k] = wall[b, k]; c[k] = cpu[b, k]; r[k] = rss[b, k] }
        mw[b] = median(w, n[b]); mc[b] = median(c, n[b]); mr[b] = median(r, n[b])
      }
      printf "%-10s %9.2f %9.2f %7.2f %8.2f %8.2f %7.2f %9.1f %9.1f %7.3f  %s\n", name,
        mc["amc"], mc["malloc"], mc["amc"] / mc["malloc"], mw["amc"], mw["malloc"],
        mw["amc"] / mw["malloc"], mr["amc"], mr["malloc"], mr["amc"] / mr["malloc"], gcs
    }' "$OUT/$name.times"
done
echo "(cpu = user + system seconds; a/m = amc / malloc; MiB = peak resident set)"
exit $status

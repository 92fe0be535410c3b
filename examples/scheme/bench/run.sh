#!/bin/sh
# run.sh: the Scheme interpreter on Tarn's pools (AMC/AMCZ, and optionally
# IMX/IMXZ and AMS/LO) against the same interpreter on plain malloc
# without free (issue 4)
#
# Usage (from anywhere):
#   [POOLS="amc imx ams"] examples/scheme/bench/run.sh [REPS] [SCRIPT.scm ...]
# REPS (default 5): runs of each script with each pool choice and the
# malloc build, interleaved (amc, malloc, amc, malloc, ...; with POOLS="amc
# imx ams": amc, imx, ams, malloc, amc, ...) so that changes in the
# machine's load hit them all alike; the table shows medians.  SCRIPTs
# default to every *.scm in this directory.
#
# Builds (both from this tree, one translation unit with the whole manager,
# hot variety, -O2):
#   amc     the interpreter as it is (examples/scheme/scheme.c), run with
#           SCHEME_POOLS set to each choice in POOLS:
#             amc  AMC and AMCZ (copying, generational; the default)
#             imx  IMX and IMXZ (Tarn's mark-region pool)
#             ams  AMS and LO (mark-sweep, non-moving)
#   malloc  the same with -DSCHEME_MALLOC_ONLY: every object comes from
#           malloc and is never freed; the collector never runs
# Measured with /usr/bin/time: CPU time (user + system: the system part is
# page faults on fresh memory, the barriers' mprotect calls and faults),
# wall time, and peak resident set (maxrss).  Every run's output must be
# the same as the first run's.  One extra run of each pool choice without
# -q reports its collections (the interpreter's GC summary).
#
# With POOLS=amc (the default) the table has a row per script: amc and
# malloc side by side, with their ratio (a/m).  With any other POOLS it
# has a row per script and pool choice, then one for malloc, each with its
# ratios to malloc (/mal) and to amc (/amc, "-" if amc is not in POOLS).
#
# Environment:
#   POOLS="amc imx ams"      the pool choices to run (default amc)
#   OUT=dir                  where the binaries go (default /tmp/schemebench)
#   SCHEME_AMC, SCHEME_MALLOC  use these binaries instead of building (every
#                            pool choice runs SCHEME_AMC)
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
POOLS=$(echo ${POOLS:-amc})     # one space between names
for pool in $POOLS; do
  case $pool in
    amc|imx|ams) ;;
    *) echo "run.sh: POOLS: unknown pool choice $pool (amc, imx or ams)" >&2; exit 2 ;;
  esac
done
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
if [ "$POOLS" = amc ]; then
  printf '%-10s %9s %9s %7s %8s %8s %7s %9s %9s %7s  %s\n' script "amc cpu" "mal cpu" "cpu a/m" "amc wall" "mal wall" "wall a/m" "amc MiB" "mal MiB" "rss a/m" "amc collections"
else
  printf '%-10s %-6s %7s %7s %7s %7s %8s %8s %7s %7s %7s  %s\n' script pools cpu "cpu/mal" "cpu/amc" wall "wall/mal" "wall/amc" MiB "rss/mal" "rss/amc" collections
fi

status=0
for script in "$@"; do
  name=$(basename "$script" .scm)
  dir=$(cd "$(dirname "$script")" && pwd)
  script=$dir/$(basename "$script")     # the runs happen in dir
  : > "$OUT/$name.times"
  : > "$OUT/$name.gcs"
  ref=
  failed=0
  rep=0
  while [ $rep -lt "$REPS" ]; do
    for build in $POOLS malloc; do
      # SCHEME_POOLS is always set, so that the caller's cannot leak in.
      if [ $build = malloc ]; then bin=$SCHEME_MALLOC; pools=amc; else bin=$SCHEME_AMC; pools=$build; fi
      if ! (cd "$dir" && SCHEME_POOLS=$pools /usr/bin/time -f "%e %U %S %M" -o "$OUT/$name.time1" \
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
  for pool in $POOLS; do
    echo "$pool $(cd "$dir" && SCHEME_POOLS=$pool "$SCHEME_AMC" "$script" 2>/dev/null \
        | sed -n 's/^GC statistics: \([0-9]*\) collections.*survived (\(.*\)).*/\1 (\2 survived)/p')" \
      >> "$OUT/$name.gcs"
  done
  awk -v name="$name" -v pools="$POOLS" '
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; ++i)
        for (j = i; j > 1 && a[j - 1] > a[j]; --j) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function ratio(x, b, a, fmt) { return (a in n) ? sprintf(fmt, x[b] / x[a]) : "-" }
    FILENAME ~ /gcs$/ { p = $1; $1 = ""; gcs[p] = substr($0, 2); next }
    { n[$1]++; k = n[$1]; wall[$1, k] = $2; cpu[$1, k] = $3 + $4; rss[$1, k] = $5 / 1024 }
    END {
      for (b in n) {
        for (k = 1; k <= n[b]; ++k) { w[k] = wall[b, k]; c[k] = cpu[b, k]; r[k] = rss[b, k] }
        mw[b] = median(w, n[b]); mc[b] = median(c, n[b]); mr[b] = median(r, n[b])
      }
      if (pools == "amc") {
        printf "%-10s %9.2f %9.2f %7.2f %8.2f %8.2f %7.2f %9.1f %9.1f %7.3f  %s\n", name,
          mc["amc"], mc["malloc"], mc["amc"] / mc["malloc"], mw["amc"], mw["malloc"],
          mw["amc"] / mw["malloc"], mr["amc"], mr["malloc"], mr["amc"] / mr["malloc"], gcs["amc"]
      } else {
        nb = split(pools " malloc", builds, " ")
        for (i = 1; i <= nb; ++i) {
          b = builds[i]
          printf "%-10s %-6s %7.2f %7.2f %7s %7.2f %8.2f %8s %7.1f %7.3f %7s  %s\n",
            i == 1 ? name : "", b, mc[b], mc[b] / mc["malloc"], ratio(mc, b, "amc", "%.2f"),
            mw[b], mw[b] / mw["malloc"], ratio(mw, b, "amc", "%.2f"),
            mr[b], mr[b] / mr["malloc"], ratio(mr, b, "amc", "%.3f"),
            b == "malloc" ? "-" : gcs[b]
        }
      }
    }' "$OUT/$name.gcs" "$OUT/$name.times"
done
if [ "$POOLS" = amc ]; then
  echo "(cpu = user + system seconds; a/m = amc / malloc; MiB = peak resident set)"
else
  echo "(cpu = user + system seconds; /mal, /amc = ratio to malloc, to amc; MiB = peak resident set)"
fi
exit $status

#!/bin/sh
# treepar.sh: trace time of treebench's collections with 1 and 2 workers
# (issue 9), taking turns, and the speedup of the medians.
#
# Usage: test/bench/treepar.sh [TREEBENCH] [RUNS] [POOLS]
#   TREEBENCH  a built treebench (default /tmp/treebench; see README.md)
#   RUNS       runs of each worker count (default 7)
#   POOLS      the pools to measure (default "amc ams imx")
# Each run is one `treebench -1 -P 1e9 -p POOL -w W` (in process, every
# collection stop-the-world so that it may trace in parallel); the time is
# its "trace time" line (tarn_arena_trace_time: roots, scanning, marking,
# copying; not condemning or reclaiming).
set -eu
TB=${1:-/tmp/treebench}
RUNS=${2:-7}
POOLS=${3:-"amc ams imx"}
median() { sort -n | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
for pool in $POOLS; do
  t1=$(mktemp) t2=$(mktemp)
  i=0
  while [ $i -lt "$RUNS" ]; do
    for w in 1 2; do
      t=$("$TB" -1 -P 1e9 -p "$pool" -w $w | awk '/trace time/ {print $4}')
      [ -n "$t" ] || { echo "treepar.sh: no trace time from $TB -p $pool" >&2; exit 1; }
      if [ $w = 1 ]; then echo "$t" >> "$t1"; else echo "$t" >> "$t2"; fi
    done
    i=$((i + 1))
  done
  m1=$(median < "$t1") m2=$(median < "$t2")
  echo "$pool: 1 worker $(tr '\n' ' ' < "$t1")ms; 2 workers $(tr '\n' ' ' < "$t2")ms;" \
       "medians $m1 / $m2 = $(awk -v a="$m1" -v b="$m2" 'BEGIN{printf "%.2f", a/b}')x"
  rm -f "$t1" "$t2"
done

#!/bin/sh
# summary.sh: one table of ratios from run.sh's outputs, and an SVG plot
#
# Usage: test/bench/summary.sh OUT [PLOT]
# Reads OUT/manual.txt, tree.txt, scheme.txt, pause.txt, fastpath.ir (or
# fastpath.txt without valgrind) and machine.txt, as run.sh writes them;
# any that is missing is left out.  Writes OUT/results.tsv (benchmark,
# allocator, baseline, measure, value, baseline's value, ratio), prints it
# as a Markdown table, and draws PLOT (default OUT/bench.svg): one bar per
# row, the ratio on a log scale, 1 = level with the baseline; the same
# bars in text go to PLOT with .txt for .svg.  Every
# measure is lower-is-better (time, resident memory, instructions,
# pause), so a bar left of 1 is a win for the first column.

OUT=${1:?usage: summary.sh OUT [PLOT]}
PLOT=${2:-$OUT/bench.svg}
TSV=$OUT/results.tsv
: > "$TSV"

# manualbench: every allocator against glibc malloc, CPU time and peak RSS
if [ -f "$OUT/manual.txt" ]; then
  awk -v OFS='\t' '
    function flush(   a) {
      if (!("malloc" in cpu)) { delete cpu; delete rss; return }
      for (i = 1; i <= n; ++i) {
        a = order[i]
        if (a == "malloc") continue
        if (cpu[a] == "FAILED") { print "manual/" trace, a, "glibc malloc", "FAILED", "-", "-", "-"; continue }
        print "manual/" trace, a, "glibc malloc", "cpu ms", cpu[a], cpu["malloc"], sprintf("%.2f", cpu[a] / cpu["malloc"])
        print "manual/" trace, a, "glibc malloc", "peak rss KiB", rss[a], rss["malloc"], (rss["malloc"] > 0 ? sprintf("%.2f", rss[a] / rss["malloc"]) : "-")
      }
      delete cpu; delete rss; n = 0
    }
    /^(var|fixed) trace:/ { trace = $1; next }
    /^alloc +wall ms/ { intable = 1; n = 0; next }
    intable && $2 == "FAILED" { order[++n] = $1; cpu[$1] = "FAILED"; next }
    intable && NF == 10 && $2 + 0 == $2 { order[++n] = $1; cpu[$1] = $3; rss[$1] = $5; next }
    intable { flush(); intable = 0 }
    END { if (intable) flush() }' "$OUT/manual.txt" >> "$TSV"
fi

# treebench: every Tarn configuration against Boehm, CPU time and peak RSS
if [ -f "$OUT/tree.txt" ]; then
  awk -v OFS='\t' '
    /^pool +wall ms/ { intable = 1; next }
    /^collector detail/ { intable = 0 }
    intable && $2 == "FAILED" { order[++n] = $1; bad[$1] = 1; next }
    intable && NF == 10 { order[++n] = $1; cpu[$1] = $3; rss[$1] = $6 }
    END {
      b = ("boehm" in cpu)
      for (i = 1; i <= n; ++i) {
        p = order[i]
        if (p == "boehm") continue
        if (bad[p]) { print "tree", p, "Boehm GC", "FAILED", "-", "-", "-"; continue }
        print "tree", p, b ? "Boehm GC" : "(no Boehm GC)", "cpu ms", cpu[p], b ? cpu["boehm"] : "-", b ? sprintf("%.2f", cpu[p] / cpu["boehm"]) : "-"
        print "tree", p, b ? "Boehm GC" : "(no Boehm GC)", "peak rss KiB", rss[p], b ? rss["boehm"] : "-", b ? sprintf("%.2f", rss[p] / rss["boehm"]) : "-"
      }
    }' "$OUT/tree.txt" >> "$TSV"
fi

# the interpreter: AMC build against the malloc-only build
if [ -f "$OUT/scheme.txt" ]; then
  awk -v OFS='\t' '
    /^script / { intable = 1; next }
    intable && $2 == "FAILED" { print "scheme", $1 " (amc)", "malloc-only build", "FAILED", "-", "-", "-"; next }
    intable && NF >= 10 && $2 + 0 == $2 && $3 + 0 > 0 && $9 + 0 > 0 {
      print "scheme", $1 " (amc)", "malloc-only build", "cpu s", $2, $3, sprintf("%.2f", $2 / $3)
      print "scheme", $1 " (amc)", "malloc-only build", "peak rss MiB", $8, $9, sprintf("%.3f", $8 / $9)
    }' "$OUT/scheme.txt" >> "$TSV"
fi

# pauses: incremental against stop-the-world
if [ -f "$OUT/pause.txt" ]; then
  awk -F '|' -v OFS='\t' '
    function trim(s) { gsub(/ /, "", s); return s }
    NF >= 13 && (trim($2) == "inc" || trim($2) == "stw") {
      c = trim($2); cpu[c] = trim($4); p99[c] = trim($10); mx[c] = trim($11)
    }
    END {
      if (!("inc" in cpu) || !("stw" in cpu)) exit
      print "pause", "incremental", "stop-the-world", "max pause ms", mx["inc"], mx["stw"], (mx["stw"] + 0 > 0 ? sprintf("%.2f", mx["inc"] / mx["stw"]) : "-")
      print "pause", "incremental", "stop-the-world", "p99 pause ms", p99["inc"], p99["stw"], (p99["stw"] + 0 > 0 ? sprintf("%.2f", p99["inc"] / p99["stw"]) : "-")
      print "pause", "incremental", "stop-the-world", "cpu s", cpu["inc"], cpu["stw"], (cpu["stw"] + 0 > 0 ? sprintf("%.2f", cpu["inc"] / cpu["stw"]) : "-")
    }' "$OUT/pause.txt" >> "$TSV"
fi

# fast paths: callgrind instructions (or, without valgrind, nanoseconds)
if [ -s "$OUT/fastpath.ir" ]; then
  awk -v OFS='\t' '
    { ir[$1] = $2; self[$1] = $4 }
    END {
      if ("ap" in ir && "malloc" in ir) {
        print "fastpath", "ap (reserve+commit)", "malloc, no free", "Ir/alloc", ir["ap"], ir["malloc"], sprintf("%.2f", ir["ap"] / ir["malloc"])
        print "fastpath", "ap, inline part only", "malloc, no free", "Ir/alloc", self["ap"], ir["malloc"], sprintf("%.2f", self["ap"] / ir["malloc"])
      }
      n = split("sac mfs mvff", t, " ")
      for (i = 1; i <= n; ++i)
        if (t[i] in ir && "malloc+free" in ir)
          print "fastpath", t[i] (t[i] == "sac" ? " (fast macros)" : " (mps_alloc/free)"), "malloc+free", "Ir/alloc+free", ir[t[i]], ir["malloc+free"], sprintf("%.2f", ir[t[i]] / ir["malloc+free"])
    }' "$OUT/fastpath.ir" >> "$TSV"
elif [ -f "$OUT/fastpath.txt" ]; then
  awk -v OFS='\t' '
    / allocations of / { ns[$1] = $(NF - 2) }
    END {
      if ("ap" in ns && "malloc" in ns)
        print "fastpath", "ap (reserve+commit)", "malloc, no free", "ns/alloc", ns["ap"], ns["malloc"], sprintf("%.2f", ns["ap"] / ns["malloc"])
      n = split("sac mfs mvff", t, " ")
      for (i = 1; i <= n; ++i)
        if (t[i] in ns && "malloc+free" in ns && ns["malloc+free"] > 0)
          print "fastpath", t[i], "malloc+free", "ns/alloc+free", ns[t[i]], ns["malloc+free"], sprintf("%.2f", ns[t[i]] / ns["malloc+free"])
    }' "$OUT/fastpath.txt" >> "$TSV"
fi

echo "| benchmark | allocator | against | measure | value | baseline | ratio |"
echo "|---|---|---|---|---:|---:|---:|"
awk -F '\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$TSV"
echo "(medians; ratio = value / baseline, lower is better for every measure;"
echo " results in $TSV)"

# The plot
machine=$(sed -n 's/^Model name: *//p' "$OUT/machine.txt" 2>/dev/null | head -n 1)
when=$(sed -n 's/^date: //p' "$OUT/machine.txt" 2>/dev/null | head -n 1)
awk -F '\t' -v machine="$machine" -v when="$when" '
  function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
  function x(r) {               # log2 scale, 1/8 .. 8
    if (r < 0.125) r = 0.125
    if (r > 8) r = 8
    return x0 + (log(r) / log(2) + 3) * unit
  }
  $7 + 0 > 0 { ++n; label[n] = $1 ": " $2 " / " $3 ", " $4; ratio[n] = $7 + 0 }
  END {
    left = 430; unit = 70; x0 = left; rowh = 18; top = 50
    width = left + 6 * unit + 60; height = top + n * rowh + 50
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", width, height
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
    printf "<text x=\"10\" y=\"18\" font-size=\"14\">Tarn benchmarks: ratio to the baseline (log scale; left of 1 is better)</text>\n"
    printf "<text x=\"10\" y=\"34\" fill=\"#555\">%s %s; medians</text>\n", esc(machine), esc(when)
    for (k = -3; k <= 3; ++k) {
      r = 2 ^ k; gx = x(r)
      printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>\n", gx, top - 4, gx, top + n * rowh, k == 0 ? "#000" : "#ddd"
      printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", gx, top + n * rowh + 14, k < 0 ? "1/" 2 ^ -k : r
    }
    for (i = 1; i <= n; ++i) {
      y = top + (i - 1) * rowh
      a = x(1); b = x(ratio[i])
      lo = a < b ? a : b; w = a < b ? b - a : a - b
      printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 8, y + 12, esc(label[i])
      printf "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", lo, y + 3, w < 1 ? 1 : w, rowh - 6, ratio[i] <= 1 ? "#3b7dd8" : "#e08a2c"
      printf "<text x=\"%.1f\" y=\"%d\" fill=\"#333\">%.2f</text>\n", (a > b ? a : b) + 3, y + 12, ratio[i]
    }
    printf "<text x=\"%d\" y=\"%d\" fill=\"#555\">blue: lower than the baseline; orange: higher; bars are clipped at 1/8 and 8</text>\n", 10, top + n * rowh + 34
    printf "</svg>\n"
  }' "$TSV" > "$PLOT"
# The same as text (for terminals and the Info manual): TEXT, default
# the plot's name with .txt
TEXT=${PLOT%.svg}.txt
awk -F '\t' '
  function col(r) {             # log2 scale, 1/8 .. 8, 8 columns per doubling
    if (r < 0.125) r = 0.125
    if (r > 8) r = 8
    return int((log(r) / log(2) + 3) * 8 + 0.5)
  }
  $7 + 0 > 0 {
    one = col(1); c = col($7 + 0); bar = ""
    for (i = 0; i <= 48; ++i)
      bar = bar ((i >= c && i < one) || (i > one && i <= c) ? "#" : i == one ? "|" : " ")
    printf "%-62.62s %s %5.2f\n", $1 ": " $2 " / " $3 ", " $4, bar, $7
  }
  END {
    printf "%-62s %s\n", "", "1/8     1/4     1/2     1       2       4       8"
  }' "$TSV" > "$TEXT"
echo "plot: $PLOT (and $TEXT)"

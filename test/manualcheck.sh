#!/bin/sh
# manualcheck.sh: every public identifier has a reference entry in the manual.
#
# usage: manualcheck.sh [TOP_SRCDIR]
#   TOP_SRCDIR is the top of the source tree (holding include/ and
#   manual/).  Without it: $srcdir if that holds include/mps.h (Automake's
#   test harness sets it), else the directory above this script.
#
# Public identifiers are collected from include/*.h:
#   - functions and variables declared extern (mps_reserve and the other
#     parenthesised names included);
#   - macros (#define), except include guards and macros the same header
#     #undefs again;
#   - enumeration constants (MPS_RES_...);
#   - typedef names (mps_..._t, ..._s, mps_lib_FILE, tarn_stats_s);
#   - structure tags (struct mps_arena_s, ...);
# leaving out every name that begins with an underscore (Tarn's private
# machinery).  Comments are removed first.
#
# A name has a reference entry if a line of manual/*.texi defines it:
# @deftypefun, @deftypefn, @deffn, @defvr, @deftypevr, @deftp, @deftypevar,
# @defmac, @defun, @defvar (and their ...x forms), or @findex, @vindex,
# @tindex.  The name is the token the command defines (after the category
# and type where the command has them), with braces and parentheses
# stripped.
#
# Prints the names with no entry, and the names the manual defines that
# no header declares (a typo or a stale entry, for names with the
# mps_ / MPS_ / tarn_ / TARN_ prefixes); exits 1 if there are any, 0 if
# there are none, 2 if the sources cannot be found.

set -u

top=${1:-}
if [ -z "$top" ]; then
  if [ -n "${srcdir:-}" ] && [ -f "$srcdir/include/mps.h" ]; then
    top=$srcdir
  else
    top=$(cd "$(dirname "$0")/.." && pwd)
  fi
fi
if [ ! -f "$top/include/mps.h" ] || [ ! -f "$top/manual/tarn.texi" ]; then
  echo "manualcheck: cannot find include/mps.h and manual/tarn.texi under $top" >&2
  exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/manualcheck.XXXXXX") || exit 2
[ -n "${MANUALCHECK_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM
LC_ALL=C
export LC_ALL

# --- The headers -----------------------------------------------------------

for h in "$top"/include/*.h; do
  awk '
    # Remove /* */ comments, keeping line breaks.
    {
      line = $0; out = ""
      while (line != "") {
        if (incomment) {
          i = index(line, "*/")
          if (i == 0) { line = "" } else { line = substr(line, i + 2); incomment = 0 }
        } else {
          i = index(line, "/*")
          if (i == 0) { out = out line; line = "" }
          else { out = out substr(line, 1, i - 1) " "; line = substr(line, i + 2); incomment = 1 }
        }
      }
      print out
    }' "$h" > "$tmp/nocomment.h"

  awk '
    function emit(name) { if (name != "") print name }

    # The first identifier of s matched by the regular expression re, where
    # the match ends with the identifier followed by one closing character.
    function ident_before(s, re,    m) {
      if (match(s, re)) {
        m = substr(s, RSTART, RLENGTH)
        sub(/^[^A-Za-z_]*/, "", m)
        sub(/[^A-Za-z0-9_].*$/, "", m)
        return m
      }
      return ""
    }

    # A whole declaration, from "extern" or "typedef" to its semicolon.
    function declaration(d,    n, i, words, k) {
      if (d ~ /^[ \t]*extern/) {
        n = ident_before(d, "[(][ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*[)][ \t]*[(]")
        if (n == "") n = ident_before(d, "[A-Za-z_][A-Za-z0-9_]*[ \t]*[([]")
        if (n == "") n = ident_before(d, "[A-Za-z_][A-Za-z0-9_]*[ \t]*;")
        emit(n)
      } else if (d ~ /^[ \t]*typedef/) {
        sub(/{.*}/, "", d)      # a structure or union body
        n = ident_before(d, "[(][ \t]*[*][ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*[)]")
        if (n == "") {
          # The last identifier before the final semicolon.
          sub(/;[ \t]*$/, "", d)
          gsub(/\[[^]]*\]/, "", d)
          k = split(d, words, /[^A-Za-z0-9_]+/)
          for (i = k; i >= 1; --i)
            if (words[i] != "") { n = words[i]; break }
        }
        emit(n)
      }
    }

    {
      line = $0
      # struct tags, anywhere
      s = line
      while (match(s, /struct[ \t]+[A-Za-z_][A-Za-z0-9_]*/)) {
        t = substr(s, RSTART, RLENGTH)
        sub(/^struct[ \t]+/, "", t)
        print t
        s = substr(s, RSTART + RLENGTH)
      }
    }

    # Preprocessor lines
    /^[ \t]*#[ \t]*ifndef[ \t]/ {
      g = $0; sub(/^[ \t]*#[ \t]*ifndef[ \t]+/, "", g); sub(/[ \t].*$/, "", g)
      guard = g; guardline = NR; next
    }
    /^[ \t]*#[ \t]*define[ \t]/ {
      m = $0; sub(/^[ \t]*#[ \t]*define[ \t]+/, "", m); sub(/[^A-Za-z0-9_].*$/, "", m)
      if (!(NR == guardline + 1 && m == guard)) defined[m] = 1
      # continuation lines of a macro are not declarations
      while ($0 ~ /\\$/) { if ((getline) <= 0) break }
      next
    }
    /^[ \t]*#[ \t]*undef[ \t]/ {
      m = $0; sub(/^[ \t]*#[ \t]*undef[ \t]+/, "", m); sub(/[^A-Za-z0-9_].*$/, "", m)
      undefd[m] = 1; next
    }
    /^[ \t]*#/ { next }

    # enum constants
    inenum {
      s = $0
      if (s ~ /}/) { sub(/}.*$/, "", s); inenum = 0 }
      k = split(s, items, ",")
      for (i = 1; i <= k; ++i) {
        it = items[i]; sub(/=.*$/, "", it); gsub(/[ \t]/, "", it)
        if (it ~ /^[A-Za-z_][A-Za-z0-9_]*$/) print it
      }
      next
    }
    /^[ \t]*(typedef[ \t]+)?enum[ \t]*[A-Za-z0-9_]*[ \t]*{/ {
      s = $0; sub(/^[^{]*{/, "", s)
      if (s ~ /}/) { sub(/}.*$/, "", s) } else inenum = 1
      k = split(s, items, ",")
      for (i = 1; i <= k; ++i) {
        it = items[i]; sub(/=.*$/, "", it); gsub(/[ \t]/, "", it)
        if (it ~ /^[A-Za-z_][A-Za-z0-9_]*$/) print it
      }
      next
    }

    # extern "C" { (C++ linkage) opens no declaration.
    /^[ \t]*extern[ \t]*"C"/ { next }

    # extern and typedef declarations, which may span lines; a typedef of
    # a structure ends at the semicolon after its closing brace.
    collecting {
      decl = decl " " $0
      depth += gsub(/{/, "{", $0) - gsub(/}/, "}", $0)
      if (depth <= 0 && $0 ~ /;/) { collecting = 0; declaration(decl) }
      next
    }
    /^[ \t]*(extern|typedef)[ \t]/ {
      decl = $0
      depth = gsub(/{/, "{", $0) - gsub(/}/, "}", $0)
      if (depth <= 0 && $0 ~ /;/) declaration(decl)
      else collecting = 1
      next
    }

    END {
      for (m in defined) if (!(m in undefd)) print m
    }
  ' "$tmp/nocomment.h"
done | sort -u > "$tmp/declared"

# Keep only what the C language or the headers' own helpers do not own.
grep -v -x -e 'extern' -e 'typedef' -e 'struct' -e 'enum' -e 'void' \
  "$tmp/declared" > "$tmp/declared.all" || true
grep -v '^_' "$tmp/declared.all" > "$tmp/public" || true

# --- The manual ----------------------------------------------------------

cat "$top"/manual/*.texi | awk '
  # Split the rest of a @def line into tokens: a {...} group (nested
  # braces allowed) is one token.
  function tokens(s, toks,    n, c, depth, cur, i) {
    n = 0; cur = ""; depth = 0
    for (i = 1; i <= length(s); ++i) {
      c = substr(s, i, 1)
      if (depth == 0 && (c == " " || c == "\t")) {
        if (cur != "") { toks[++n] = cur; cur = "" }
        continue
      }
      if (c == "{") ++depth
      if (c == "}") --depth
      cur = cur c
    }
    if (cur != "") toks[++n] = cur
    return n
  }
  function clean(t) {
    gsub(/@[a-z]+\{/, "", t)      # @code{...} and friends
    gsub(/[{}()]/, "", t)
    sub(/^[*]+/, "", t)
    sub(/[^A-Za-z0-9_].*$/, "", t)
    return t
  }
  /^@(def[a-z]*|[fvt]index)[ \t]/ {
    cmd = $1; rest = $0; sub(/^@[a-z]+[ \t]+/, "", rest)
    # Build options (CONFIG_..., TARN_VALGRIND) are documented but are
    # not declared by a header: mark them so that they are not reported.
    option = (rest ~ /^\{Build option\}/)
    sub(/^@/, "", cmd); sub(/x$/, "", cmd)
    if (cmd == "findex" || cmd == "vindex" || cmd == "tindex") pos = 1
    else if (cmd == "deftypefn" || cmd == "deftypevr" || cmd == "deftypeop") pos = 3
    else if (cmd == "deftypefun" || cmd == "deftypevar" || cmd == "deffn" || cmd == "defvr" || cmd == "deftp" || cmd == "defop") pos = 2
    else if (cmd == "defmac" || cmd == "defun" || cmd == "defvar" || cmd == "defspec" || cmd == "defopt") pos = 1
    else next
    n = tokens(rest, toks)
    if (n >= pos) {
      name = clean(toks[pos])
      if (name != "") print name (option ? " option" : "")
    }
  }
' | sort -u > "$tmp/entries"
sed 's/ option$//' "$tmp/entries" | sort -u > "$tmp/documented"
grep -v ' option$' "$tmp/entries" | sort -u > "$tmp/documented.api"

# --- Compare ---------------------------------------------------------------

comm -23 "$tmp/public" "$tmp/documented" > "$tmp/missing"
grep -E '^(_?mps_|MPS_|tarn_|TARN_)' "$tmp/documented.api" \
  | comm -23 - "$tmp/declared.all" > "$tmp/stale"

npublic=$(wc -l < "$tmp/public" | tr -d ' ')
nmissing=$(wc -l < "$tmp/missing" | tr -d ' ')
nstale=$(wc -l < "$tmp/stale" | tr -d ' ')

status=0
if [ "$nmissing" -gt 0 ]; then
  echo "manualcheck: $nmissing of $npublic public identifiers have no reference entry in manual/*.texi:"
  sed 's/^/  /' "$tmp/missing"
  status=1
fi
if [ "$nstale" -gt 0 ]; then
  echo "manualcheck: $nstale names have a reference entry but are declared in no header:"
  sed 's/^/  /' "$tmp/stale"
  status=1
fi
if [ "$status" -eq 0 ]; then
  echo "manualcheck: all $npublic public identifiers of include/*.h have a reference entry"
fi
exit $status

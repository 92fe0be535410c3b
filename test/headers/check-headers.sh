#!/bin/sh
# check-headers.sh: compile-only tests of Tarn's public headers.
#
# usage: check-headers.sh [CC [CXX [INCLUDE_DIR]]]
#   CC, CXX default to $CC / $CXX, then cc / c++; INCLUDE_DIR defaults to
#   ../../include relative to this script.  When clang and clang++ are
#   installed and differ from CC / CXX they are run as well.
#
# Nothing is linked against the library: the headers only declare it.
# allheaders.c and cxx.cc are compiled only; macros.c brings its own stubs
# for the slow paths and is run.  Exits non-zero if any compilation fails
# or warns, or any check fails.

set -u

here=$(cd "$(dirname "$0")" && pwd)
cc=${1:-${CC:-cc}}
cxx=${2:-${CXX:-c++}}
inc=${3:-$here/../../include}
inc=$(cd "$inc" && pwd) || { echo "check-headers: no include dir" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tarn-headers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

failures=0
runs=0

# Warnings about initialisers that leave members out come from the test's
# client-style code ({{MPS_KEY_ARGS_END}}), not from the headers, which
# contain no initialisers.
warn="-Wall -Wextra -Werror -Wno-missing-field-initializers"
# Stricter warnings that clients commonly enable; the headers and the
# macro expansions must not trigger them either.
strict="-Wshadow -Wconversion -Wsign-conversion -Wcast-qual -Wundef \
 -Wstrict-prototypes -Wmissing-prototypes -Wredundant-decls \
 -Wpointer-arith -Wwrite-strings"
strictxx="-Wshadow -Wconversion -Wsign-conversion -Wcast-qual -Wundef \
 -Wpointer-arith -Wzero-as-null-pointer-constant"

compile() { # compiler flags... file
  runs=$((runs + 1))
  if "$@" -c -o "$tmp/out.o" >"$tmp/log" 2>&1; then
    echo "ok:   $*"
  else
    failures=$((failures + 1))
    echo "FAIL: $*"
    sed 's/^/    /' "$tmp/log"
  fi
}

run() { # compiler flags... file: build a program and run it
  runs=$((runs + 1))
  rm -f "$tmp/prog"
  if "$@" -o "$tmp/prog" >"$tmp/log" 2>&1 && "$tmp/prog" >>"$tmp/log" 2>&1
  then
    echo "ok:   run $*"
  else
    failures=$((failures + 1))
    echo "FAIL: run $*"
    sed 's/^/    /' "$tmp/log"
  fi
}

headers="mps.h mpsavm.h mpsacl.h mpscamc.h mpscams.h mpscawl.h mpscimx.h mpsclo.h \
 mpscmfs.h mpscmvff.h mpscmvt.h mpscmv2.h mpscsnc.h mpslib.h mpsio.h \
 mpstd.h tarn.h"

# A compiler may be given with options ("gcc -m32"), so $c is split into
# words where it is used.
have() { # compiler
  set -- $1
  command -v "$1" >/dev/null 2>&1
}
same() { # compiler compiler: do the two commands name the same program?
  set -- $1 "$2"
  a=$(command -v "$1")
  set -- $2
  [ "$a" = "$(command -v "$1")" ] && [ $# -eq 1 ]
}

check_c() { # compiler
  c=$1
  have "$c" || { echo "skip: no $c"; return; }
  # Each header on its own must compile (it includes what it needs).
  for h in $headers; do
    printf '#include "%s"\n#include "%s"\nint tarn_check_dummy;\n' \
      "$h" "$h" >"$tmp/one.c"
    compile $c -ansi -pedantic $warn $strict -I"$inc" "$tmp/one.c"
  done
  # mps.h alone provides size_t, va_list and CHAR_BIT.
  printf '#include "mps.h"\nsize_t s = CHAR_BIT;\nint f(va_list);\n' \
    >"$tmp/std.c"
  compile $c -ansi -pedantic $warn -I"$inc" "$tmp/std.c"
  for std in "-ansi" "-std=c99" "-std=c11" "-std=gnu99"; do
    compile $c $std -pedantic $warn -I"$inc" "$here/allheaders.c"
  done
  compile $c -std=c99 -pedantic $warn $strict -I"$inc" "$here/allheaders.c"
  compile $c -std=gnu99 -O2 $warn -I"$inc" "$here/allheaders.c"
  # The inline macros, run against stub slow paths.
  run $c -ansi -pedantic $warn -I"$inc" "$here/macros.c"
  run $c -std=gnu99 -O2 $warn -I"$inc" "$here/macros.c"
  san="-fsanitize=undefined,address -fno-sanitize-recover=all"
  if echo 'int main(void){return 0;}' >"$tmp/san.c" \
     && $c $san "$tmp/san.c" -o "$tmp/san" >/dev/null 2>&1 \
     && "$tmp/san" >/dev/null 2>&1; then
    run $c -std=c99 -O1 -g $san $warn -I"$inc" "$here/macros.c"
  else
    echo "skip: $c has no working sanitizers"
  fi
}

check_cxx() { # compiler
  c=$1
  have "$c" || { echo "skip: no $c"; return; }
  for std in "-std=c++11" "-std=c++17"; do
    compile $c $std -pedantic $warn -I"$inc" "$here/cxx.cc"
  done
  compile $c -std=c++11 -pedantic $warn $strictxx -I"$inc" "$here/cxx.cc"
  # The C test must compile as C++98 too, apart from what C++ lacks
  # (compound literals are guarded by __STDC_VERSION__).
  compile $c -x c++ -std=c++98 $warn -I"$inc" "$here/allheaders.c"
}

check_c "$cc"
check_cxx "$cxx"
if have clang && ! same clang "$cc"; then
  check_c clang
fi
if have clang++ && ! same clang++ "$cxx"; then
  check_cxx clang++
fi

echo "check-headers: $runs compilations, $failures failed"
[ "$runs" -gt 0 ] || exit 77            # no compiler at all: skipped
[ "$failures" -eq 0 ]

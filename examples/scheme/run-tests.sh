#!/bin/sh
# run-tests.sh: run the Scheme example's tests and compare their output.
#
# Each tests/NAME.scm is run as a script (tests/repl*.scm are fed to the
# REPL on standard input instead) with GC statistics turned off (-q).
# Standard output and standard error together must equal tests/NAME.out,
# and the exit status must be the one in tests/NAME.status (0 if there
# is no such file).  The demo must run and report the node counts it
# checks.  Tests run in a scratch directory of their own, so the files
# they write (tests/ports.scm) go there.  Exits 0 if everything passed, 1 if anything failed, and 99
# (a hard error for Automake) if the interpreter cannot be found.
#
# Environment:
#   SCHEME               the interpreter (default: ./scheme beside this script)
#   SCHEME_FLAGS         extra options for it, e.g. "-p 0" for collections
#                        that are as incremental as possible
#   TARN_UNDER_VALGRIND  if set, run every test under Valgrind's memcheck
#                        (VALGRIND names it), skipping the tests that
#                        say "; valgrind: skip" and the demo
#   TARN_SAN_FLAGS       the sanitizer flags the interpreter was built with
#                        (make check sets it); with AddressSanitizer, the
#                        tests that say "; asan: skip" are skipped

here=$(cd "$(dirname "$0")" && pwd)
scheme=${SCHEME:-$here/scheme}
if [ ! -x "$scheme" ]; then
  echo "run-tests.sh: no interpreter at $scheme (set SCHEME)" >&2
  exit 99
fi

runner=
if [ -n "$TARN_UNDER_VALGRIND" ]; then
  # Tarn resumes the instruction that hit a barrier; Valgrind only gets
  # the registers right for that with allregs-at-mem-access (Tarn turns
  # its barriers off under Valgrind unless TARN_VALGRIND_BARRIERS is set).
  runner="${VALGRIND:-valgrind} -q --error-exitcode=97 --vex-iropt-register-updates=allregs-at-mem-access"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scheme-tests.XXXXXX") || exit 99
mkdir "$tmp/work" || exit 99
trap 'rm -rf "$tmp"' 0 1 2 15

pass=0
fail=0
skip=0
for test in "$here"/tests/*.scm; do
  name=$(basename "$test" .scm)
  if [ -n "$runner" ] && grep -q '^; valgrind: skip' "$test"; then
    echo "SKIP: $name (under valgrind)"
    skip=$((skip + 1))
    continue
  fi
  case $TARN_SAN_FLAGS in
    *sanitize=address*)
      if grep -q '^; asan: skip' "$test"; then
        echo "SKIP: $name (AddressSanitizer build)"
        skip=$((skip + 1))
        continue
      fi ;;
  esac
  expected_status=0
  if [ -f "$here/tests/$name.status" ]; then
    expected_status=$(cat "$here/tests/$name.status")
  fi
  case $name in
    repl*) (cd "$tmp/work" && $runner "$scheme" -q $SCHEME_FLAGS < "$test") \
             > "$tmp/$name.actual" 2>&1 ;;
    *)     (cd "$tmp/work" && $runner "$scheme" -q $SCHEME_FLAGS "$test") \
             > "$tmp/$name.actual" 2>&1 ;;
  esac
  status=$?
  if [ "$status" -ne "$expected_status" ]; then
    echo "FAIL: $name (exit status $status, expected $expected_status)"
    diff -u "$here/tests/$name.out" "$tmp/$name.actual"
    fail=$((fail + 1))
  elif ! diff -u "$here/tests/$name.out" "$tmp/$name.actual"; then
    echo "FAIL: $name (output differs)"
    fail=$((fail + 1))
  else
    echo "PASS: $name"
    pass=$((pass + 1))
  fi
done

# The demo: its node counts are deterministic, its GC statistics are not.
if [ -z "$runner" ]; then
  if "$scheme" $SCHEME_FLAGS "$here/demo.scm" > "$tmp/demo.actual" 2>&1 &&
     grep -q '^long lived tree of depth 14	 check: 32767$' "$tmp/demo.actual" &&
     grep -q '^GC statistics: [1-9][0-9]* collections' "$tmp/demo.actual"; then
    echo "PASS: demo"
    pass=$((pass + 1))
  else
    echo "FAIL: demo"
    cat "$tmp/demo.actual"
    fail=$((fail + 1))
  fi
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

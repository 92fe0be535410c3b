/* testlib.h: support for Tarn's tests
 *
 * Every test that uses randomness takes its seed from the command line
 * (`-s SEED` or the environment variable TARN_SEED), prints it, and can be
 * re-run with it.  die() and check() report a failure with the file, line
 * and seed, and exit non-zero.
 */

#ifndef testlib_h
#define testlib_h

#include "mps.h"
#include "mpslib.h"
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>

extern unsigned long testSeed;

/* Parse -s SEED (or TARN_SEED), print the test name and seed. */
extern void testInit(int argc, char *argv[]);
/* A PRNG (xorshift64*) seeded from testSeed. */
extern unsigned long testRandom(void);
/* Uniform in [0, n). */
extern unsigned long testRnd(unsigned long n);
/* Uniform in [0, 1). */
extern double testRndDouble(void);

extern void testFail(const char *file, int line, const char *what);
#define check(cond) ((cond) ? (void)0 : testFail(__FILE__, __LINE__, #cond))
#define die(res, what) \
  ((res) == MPS_RES_OK ? (void)0 : testDie((res), __FILE__, __LINE__, (what)))
extern void testDie(mps_res_t res, const char *file, int line, const char *what);
extern const char *testResName(mps_res_t res);

/* Argument-check reports.  testRecordReports installs an assertion
 * handler (mps_lib_assert_fail_install) that counts reports and keeps the
 * last one, and returns; testExpectReport checks that exactly one report
 * arrived since the last check and that it names `function` ("function:
 * rule"), then forgets it. */
extern int testReports;
extern char testLastReport[512];
extern mps_lib_assert_fail_t testRecordReports(void);
extern void testExpectReport(const char *function, const char *file, int line);
#define EXPECT(function) testExpectReport((function), __FILE__, __LINE__)
#define EXPECT_RES(call, function) \
  do { check((call) != MPS_RES_OK); EXPECT(function); } while (0)
#define EXPECT_FALSE(call, function) \
  do { check(!(call)); EXPECT(function); } while (0)
#define NONE() check(testReports == 0)

/* Print "name: PASS" and return 0. */
extern int testPass(void);

#endif /* testlib_h */

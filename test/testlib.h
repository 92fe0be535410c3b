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

/* Print "name: PASS" and return 0. */
extern int testPass(void);

#endif /* testlib_h */

/* testlib.c: support for Tarn's tests (see testlib.h) */

#include "testlib.h"
#include <string.h>

unsigned long testSeed = 0;
static unsigned long testState = 0;
static const char *testName = "test";

void testInit(int argc, char *argv[])
{
  const char *env = getenv("TARN_SEED");
  int i;
  testName = argc > 0 ? argv[0] : "test";
  if (strrchr(testName, '/') != NULL)
    testName = strrchr(testName, '/') + 1;
  testSeed = env != NULL ? strtoul(env, NULL, 0) : 0;
  for (i = 1; i + 1 < argc; ++i)
    if (strcmp(argv[i], "-s") == 0)
      testSeed = strtoul(argv[i + 1], NULL, 0);
  if (testSeed == 0) {
    FILE *f = fopen("/dev/urandom", "rb");
    if (f == NULL || fread(&testSeed, sizeof testSeed, 1, f) != 1)
      testSeed = 12345;
    if (f != NULL)
      fclose(f);
    testSeed &= 0xFFFFFFFFUL;
    if (testSeed == 0)
      testSeed = 1;
  }
  testState = testSeed * 2654435761UL + 0x9E3779B97F4A7C15UL;
  if (testState == 0)
    testState = 1;
  printf("%s: seed %lu (re-run with -s %lu)\n", testName, testSeed, testSeed);
  fflush(stdout);
}

unsigned long testRandom(void)
{
  unsigned long x = testState;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  testState = x;
  return (unsigned long)(x * 0x2545F4914F6CDD1DUL);
}

unsigned long testRnd(unsigned long n)
{
  return n == 0 ? 0 : testRandom() % n;
}

double testRndDouble(void)
{
  return (double)(testRandom() >> 11) / 9007199254740992.0;
}

void testFail(const char *file, int line, const char *what)
{
  fflush(stdout);
  fprintf(stderr, "%s: FAIL at %s:%d: %s (seed %lu)\n", testName, file, line, what, testSeed);
  exit(1);
}

const char *testResName(mps_res_t res)
{
  switch (res) {
  case MPS_RES_OK: return "OK";
  case MPS_RES_FAIL: return "FAIL";
  case MPS_RES_RESOURCE: return "RESOURCE";
  case MPS_RES_MEMORY: return "MEMORY";
  case MPS_RES_LIMIT: return "LIMIT";
  case MPS_RES_UNIMPL: return "UNIMPL";
  case MPS_RES_IO: return "IO";
  case MPS_RES_COMMIT_LIMIT: return "COMMIT_LIMIT";
  case MPS_RES_PARAM: return "PARAM";
  default: return "?";
  }
}

void testDie(mps_res_t res, const char *file, int line, const char *what)
{
  char buf[256];
  snprintf(buf, sizeof buf, "%s returned MPS_RES_%s", what, testResName(res));
  testFail(file, line, buf);
}

int testPass(void)
{
  printf("%s: PASS\n", testName);
  return 0;
}

int testReports = 0;
char testLastReport[512];

static void testRecordHandler(const char *file, unsigned line, const char *condition)
{
  (void)file;
  (void)line;
  ++testReports;
  strncpy(testLastReport, condition, sizeof testLastReport - 1);
  testLastReport[sizeof testLastReport - 1] = '\0';
}

mps_lib_assert_fail_t testRecordReports(void)
{
  testReports = 0;
  testLastReport[0] = '\0';
  return mps_lib_assert_fail_install(testRecordHandler);
}

void testExpectReport(const char *function, const char *file, int line)
{
  size_t n = strlen(function);
  if (testReports != 1 || strncmp(testLastReport, function, n) != 0
      || testLastReport[n] != ':') {
    char what[700];
    snprintf(what, sizeof what, "expected one report from %s, got %d (last: \"%s\")",
             function, testReports, testLastReport);
    testFail(file, line, what);
  }
  printf("  rejected: %s\n", testLastReport);
  testReports = 0;
  testLastReport[0] = '\0';
}

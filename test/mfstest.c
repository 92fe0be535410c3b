/* mfstest.c: the MFS pool class
 *
 * For each of several unit sizes: allocate many units and check that they
 * are distinct, aligned, disjoint and hold what was written into them;
 * free them in random order and allocate again (the freed units must be
 * reused: the pool does not grow); check the accounting identity
 * total - free = live units * rounded unit size after every step; and
 * check that destroying the pool gives its memory back to the arena.
 * Then: positional (varargs) creation and MPS_KEY_EXTEND_BY, rejected
 * arguments (reported to a recording assertion handler), and the commit
 * limit (allocation fails with MPS_RES_COMMIT_LIMIT, earlier units are
 * intact, and allocation works again once the limit is raised).
 *
 * Under Valgrind the test also asks memcheck whether freed units are
 * inaccessible and live ones accessible, which checks the pool's client
 * requests.
 */

#include "testlib.h"
#include "mpslib.h"
#include "mpstd.h"
#include "mpsavm.h"
#include "mpscmfs.h"
#include <string.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define MFSTEST_VALGRIND 1
#endif
#endif
#ifndef MFSTEST_VALGRIND
#define MFSTEST_VALGRIND 0
#endif

#define ALIGN_UP(s, a) (((s) + (a) - 1) & ~(size_t)((a) - 1))

typedef struct block_s {
  unsigned char *p;
  unsigned long tag;            /* decides the pattern */
  int live;
} block_s;

/* The size each unit occupies, as the contract states MFS rounds it. */
static size_t roundedUnit(size_t unit)
{
  return ALIGN_UP(unit < sizeof(void *) ? sizeof(void *) : unit, MPS_PF_ALIGN);
}

static unsigned char patternByte(unsigned long tag, size_t j)
{
  return (unsigned char)(tag * 131u + j * 7u + (j >> 8) + 1u);
}

static void fill(block_s *b, size_t unit, unsigned long tag)
{
  size_t j;
  b->tag = tag;
  for (j = 0; j < unit; ++j)
    b->p[j] = patternByte(tag, j);
}

static void verify(const block_s *b, size_t unit)
{
  size_t j;
  for (j = 0; j < unit; ++j)
    if (b->p[j] != patternByte(b->tag, j)) {
      char what[128];
      snprintf(what, sizeof what, "unit %p of size %lu corrupted at offset %lu",
               (void *)b->p, (unsigned long)unit, (unsigned long)j);
      testFail(__FILE__, __LINE__, what);
    }
}

/* Is memcheck of the view that [p, p+n) is addressable?  Outside Valgrind
 * the answer is taken to be what the caller expects. */
static int vgAddressable(void *p, size_t n, int expected)
{
#if MFSTEST_VALGRIND
  unsigned char vbits[16];
  unsigned r;
  if (!RUNNING_ON_VALGRIND)
    return expected;
  if (n > sizeof vbits)
    n = sizeof vbits;
  r = (unsigned)VALGRIND_GET_VBITS(p, vbits, n);
  return r != 3;                /* 3: some byte is not addressable */
#else
  (void)p;
  (void)n;
  return expected;
#endif
}

static void checkAccounting(mps_pool_t pool, size_t live, size_t unit)
{
  size_t total = mps_pool_total_size(pool);
  size_t free = mps_pool_free_size(pool);
  check(free <= total);
  check(total - free == live * roundedUnit(unit));
}

static int cmpBlockAddr(const void *a, const void *b)
{
  const unsigned char *pa = ((const block_s *)a)->p, *pb = ((const block_s *)b)->p;
  return pa < pb ? -1 : pa > pb;
}

static void shuffle(size_t *order, size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i)
    order[i] = i;
  for (i = n; i > 1; --i) {
    size_t j = testRnd(i), t = order[i - 1];
    order[i - 1] = order[j];
    order[j] = t;
  }
}

static void allocOne(block_s *b, mps_pool_t pool, size_t unit, unsigned long tag)
{
  mps_addr_t p;
  die(mps_alloc(&p, pool, unit), "mps_alloc");
  check(p != NULL);
  check(((size_t)p & (MPS_PF_ALIGN - 1)) == 0);
  b->p = p;
  b->live = 1;
  fill(b, unit, tag);
}

/* The main exercise for one unit size. */
static void testUnitSize(mps_arena_t arena, size_t unit)
{
  size_t n = (4u << 20) / roundedUnit(unit);
  size_t i, live = 0, freed, total, inUseBefore;
  size_t *order;
  block_s *blocks;
  unsigned char **freedAddrs;
  mps_pool_t pool, owner;

  if (n < 12)
    n = 12;
  if (n > 3000)
    n = 3000;
  blocks = calloc(n, sizeof *blocks);
  order = calloc(n, sizeof *order);
  freedAddrs = calloc(n, sizeof *freedAddrs);
  check(blocks != NULL && order != NULL && freedAddrs != NULL);
  inUseBefore = mps_arena_committed(arena) - mps_arena_spare_committed(arena);

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MFS_UNIT_SIZE, unit);
    die(mps_pool_create_k(&pool, arena, mps_class_mfs(), args), "mps_pool_create_k MFS");
  } MPS_ARGS_END(args);
  check(mps_pool_total_size(pool) == 0);
  checkAccounting(pool, 0, unit);

  /* Allocate them all. */
  for (i = 0; i < n; ++i) {
    allocOne(&blocks[i], pool, unit, i);
    ++live;
    checkAccounting(pool, live, unit);
    check(mps_addr_pool(&owner, arena, blocks[i].p) && owner == pool);
  }
  /* Distinct and disjoint: sorted, each ends before the next begins. */
  qsort(blocks, n, sizeof *blocks, cmpBlockAddr);
  for (i = 0; i + 1 < n; ++i)
    check(blocks[i].p + unit <= blocks[i + 1].p);
  for (i = 0; i < n; ++i)
    verify(&blocks[i], unit);
  total = mps_pool_total_size(pool);

  /* Free about two thirds in random order, checking each before it goes. */
  shuffle(order, n);
  freed = 0;
  for (i = 0; i < n * 2 / 3; ++i) {
    block_s *b = &blocks[order[i]];
    verify(b, unit);
    check(vgAddressable(b->p, unit, 1));
    mps_free(pool, b->p, unit);
    check(!vgAddressable(b->p, unit, 0));
    freedAddrs[freed++] = b->p;
    b->live = 0;
    --live;
    checkAccounting(pool, live, unit);
    check(mps_pool_total_size(pool) == total);   /* MFS keeps its memory */
  }
  for (i = 0; i < n; ++i)
    if (blocks[i].live)
      verify(&blocks[i], unit);

  /* Allocate as many again: every one must be a freed unit, reused, and
   * the pool must not grow. */
  for (i = 0; i < n; ++i) {
    block_s *b = &blocks[i];
    size_t k;
    int found = 0;
    if (b->live)
      continue;
    allocOne(b, pool, unit, 1000000 + i);
    ++live;
    for (k = 0; k < freed; ++k)
      if (freedAddrs[k] == b->p) {
        freedAddrs[k] = NULL;   /* a unit is reused once */
        found = 1;
        break;
      }
    check(found);
    checkAccounting(pool, live, unit);
  }
  check(mps_pool_total_size(pool) == total);
  for (i = 0; i < n; ++i)
    verify(&blocks[i], unit);

  /* Free everything, again in random order. */
  shuffle(order, n);
  for (i = 0; i < n; ++i) {
    verify(&blocks[order[i]], unit);
    mps_free(pool, blocks[order[i]].p, unit);
    --live;
  }
  checkAccounting(pool, 0, unit);
  check(mps_pool_free_size(pool) == total);

  mps_pool_destroy(pool);
  /* The runs went back to the arena (they may stay committed as spare). */
  check(mps_arena_committed(arena) - mps_arena_spare_committed(arena) == inUseBefore);
  printf("  unit %6lu: %4lu units, pool held %8lu bytes\n", (unsigned long)unit,
         (unsigned long)n, (unsigned long)total);
  free(blocks);
  free(order);
  free(freedAddrs);
}

/* Positional creation: (extend_by, unit_size), and what extend_by does. */
static void testVarargs(mps_arena_t arena)
{
  mps_pool_t pool;
  mps_addr_t p, q;
  size_t extendBy = 256 * 1024, total;

  die(mps_pool_create(&pool, arena, mps_class_mfs(), extendBy, (size_t)24), "mps_pool_create MFS");
  die(mps_alloc(&p, pool, 24), "mps_alloc");
  total = mps_pool_total_size(pool);
  check(total >= extendBy && total < extendBy + 65536);
  die(mps_alloc(&q, pool, 24), "mps_alloc");
  check(p != q);
  check(mps_pool_total_size(pool) == total);     /* same run */
  checkAccounting(pool, 2, 24);
  mps_free(pool, p, 24);
  mps_free(pool, q, 24);
  mps_pool_destroy(pool);

  /* A tiny extend_by is rounded up to hold at least one unit. */
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MFS_UNIT_SIZE, 10000);
    MPS_ARGS_ADD(args, MPS_KEY_EXTEND_BY, 1);
    die(mps_pool_create_k(&pool, arena, mps_class_mfs(), args), "mps_pool_create_k");
  } MPS_ARGS_END(args);
  die(mps_alloc(&p, pool, 10000), "mps_alloc");
  memset(p, 0xA5, 10000);
  die(mps_alloc(&q, pool, 10000), "mps_alloc");
  memset(q, 0x5A, 10000);
  check((char *)q >= (char *)p + 10000 || (char *)p >= (char *)q + 10000);
  check(((unsigned char *)p)[9999] == 0xA5);
  checkAccounting(pool, 2, 10000);
  check(mps_pool_total_size(pool) >= 20000);
  mps_pool_destroy(pool);     /* with units still allocated: allowed */
}

/* Bad arguments, reported to a handler that records and returns. */

static int reports = 0;
static char lastReport[512];

static void recordHandler(const char *file, unsigned line, const char *condition)
{
  (void)file;
  (void)line;
  ++reports;
  strncpy(lastReport, condition, sizeof lastReport - 1);
  lastReport[sizeof lastReport - 1] = '\0';
}

static void expectReport(const char *function, const char *mention, int line)
{
  char what[700];
  if (reports != 1 || strncmp(lastReport, function, strlen(function)) != 0
      || (mention != NULL && strstr(lastReport, mention) == NULL)) {
    snprintf(what, sizeof what, "line %d: expected one report from %s mentioning %s, got %d: \"%s\"",
             line, function, mention != NULL ? mention : "-", reports, lastReport);
    testFail(__FILE__, line, what);
  }
  printf("  rejected: %s\n", lastReport);
  reports = 0;
  lastReport[0] = '\0';
}

static void testArgErrors(mps_arena_t arena)
{
  mps_lib_assert_fail_t old = mps_lib_assert_fail_install(recordHandler);
  mps_pool_t pool = NULL, good;
  mps_addr_t p, q;

  /* The unit size is required. */
  check(mps_pool_create_k(&pool, arena, mps_class_mfs(), mps_args_none) == MPS_RES_PARAM);
  expectReport("mps_pool_create_k", "MPS_KEY_MFS_UNIT_SIZE", __LINE__);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_EXTEND_BY, 4096);
    check(mps_pool_create_k(&pool, arena, mps_class_mfs(), args) == MPS_RES_PARAM);
  } MPS_ARGS_END(args);
  expectReport("mps_pool_create_k", "MPS_KEY_MFS_UNIT_SIZE", __LINE__);
  /* ... and must be positive. */
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MFS_UNIT_SIZE, 0);
    check(mps_pool_create_k(&pool, arena, mps_class_mfs(), args) == MPS_RES_PARAM);
  } MPS_ARGS_END(args);
  expectReport("mps_pool_create_k", "MPS_KEY_MFS_UNIT_SIZE", __LINE__);
  check(mps_pool_create(&pool, arena, mps_class_mfs(), (size_t)4096, (size_t)0) == MPS_RES_PARAM);
  expectReport("mps_pool_create_k", "MPS_KEY_MFS_UNIT_SIZE", __LINE__);
  check(pool == NULL);         /* untouched on failure */

  /* mps_alloc and mps_free must be given the unit size. */
  die(mps_pool_create(&good, arena, mps_class_mfs(), (size_t)65536, (size_t)40), "MFS 40");
  p = NULL;
  check(mps_alloc(&p, good, 41) == MPS_RES_PARAM);
  expectReport("mps_alloc", "size", __LINE__);
  check(mps_alloc(&p, good, 8) == MPS_RES_PARAM);
  expectReport("mps_alloc", "size", __LINE__);
  check(p == NULL);
  checkAccounting(good, 0, 40);
  die(mps_alloc(&p, good, 40), "mps_alloc 40");
  /* The rounded unit size names the same unit (used by caches). */
  die(mps_alloc(&q, good, roundedUnit(40)), "mps_alloc rounded");
  check(reports == 0);
  checkAccounting(good, 2, 40);
  mps_free(good, p, 24);
  expectReport("mps_free", "size", __LINE__);
  checkAccounting(good, 2, 40);                  /* nothing was freed */
  mps_free(good, (char *)p + 4, 40);             /* not a unit: misaligned */
  expectReport("mps_free", NULL, __LINE__);
  checkAccounting(good, 2, 40);
  mps_free(good, p, 40);
  mps_free(good, q, roundedUnit(40));
  check(reports == 0);
  checkAccounting(good, 0, 40);
  mps_pool_destroy(good);

  mps_lib_assert_fail_install(old);
}

/* Hitting the commit limit: the failure passes through, nothing is lost,
 * and raising the limit lets allocation go on. */
static void testCommitLimit(mps_arena_t arena)
{
  enum { MAX_UNITS = 4000 };
  const size_t unit = 4000;
  static block_s blocks[MAX_UNITS];
  mps_pool_t pool;
  mps_addr_t p;
  mps_res_t res = MPS_RES_OK;
  size_t n = 0, i, total;

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MFS_UNIT_SIZE, unit);
    MPS_ARGS_ADD(args, MPS_KEY_EXTEND_BY, 32 * 1024);
    die(mps_pool_create_k(&pool, arena, mps_class_mfs(), args), "mps_pool_create_k");
  } MPS_ARGS_END(args);
  for (i = 0; i < 20; ++i) {
    allocOne(&blocks[n], pool, unit, 7000 + n);
    ++n;
  }
  /* No spare memory to fall back on, and a limit of what is committed now
   * plus a little: the pool can take a few more runs, then no more. */
  mps_arena_spare_set(arena, 0.0);
  die(mps_arena_commit_limit_set(arena, mps_arena_committed(arena) + 100 * 1024),
      "mps_arena_commit_limit_set");
  for (;;) {
    check(n < MAX_UNITS);
    p = NULL;
    res = mps_alloc(&p, pool, unit);
    if (res != MPS_RES_OK)
      break;
    blocks[n].p = p;
    blocks[n].live = 1;
    fill(&blocks[n], unit, 7000 + n);
    ++n;
  }
  check(res == MPS_RES_COMMIT_LIMIT);
  check(p == NULL);
  checkAccounting(pool, n, unit);
  total = mps_pool_total_size(pool);
  /* Still usable: a freed unit can be had again without new memory. */
  mps_free(pool, blocks[3].p, unit);
  allocOne(&blocks[3], pool, unit, 99);
  check(mps_alloc(&p, pool, unit) == MPS_RES_COMMIT_LIMIT);
  check(mps_pool_total_size(pool) == total);
  for (i = 0; i < n; ++i)
    verify(&blocks[i], unit);
  printf("  commit limit reached after %lu units\n", (unsigned long)n);

  die(mps_arena_commit_limit_set(arena, (size_t)-1), "raise the commit limit");
  for (i = 0; i < 40; ++i) {
    check(n < MAX_UNITS);
    allocOne(&blocks[n], pool, unit, 7000 + n);
    ++n;
  }
  check(mps_pool_total_size(pool) > total);
  for (i = 0; i < n; ++i)
    verify(&blocks[i], unit);
  checkAccounting(pool, n, unit);
  for (i = 0; i < n; ++i)
    mps_free(pool, blocks[i].p, unit);
  checkAccounting(pool, 0, unit);
  mps_pool_destroy(pool);
}

/* Two pools in one arena do not disturb each other. */
static void testTwoPools(mps_arena_t arena)
{
  enum { N = 500 };
  static block_s a[N], b[N];
  mps_pool_t pa, pb, owner;
  size_t i;
  die(mps_pool_create(&pa, arena, mps_class_mfs(), (size_t)4096, (size_t)24), "pool a");
  die(mps_pool_create(&pb, arena, mps_class_mfs(), (size_t)8192, (size_t)200), "pool b");
  for (i = 0; i < N; ++i) {
    allocOne(&a[i], pa, 24, i);
    allocOne(&b[i], pb, 200, i + N);
    if (testRnd(3) == 0) {
      size_t j = testRnd(i + 1);
      if (a[j].live) {
        mps_free(pa, a[j].p, 24);
        a[j].live = 0;
      }
    }
  }
  for (i = 0; i < N; ++i) {
    if (a[i].live) {
      verify(&a[i], 24);
      check(mps_addr_pool(&owner, arena, a[i].p) && owner == pa);
    }
    verify(&b[i], 200);
    check(mps_addr_pool(&owner, arena, b[i].p) && owner == pb);
  }
  checkAccounting(pb, N, 200);
  mps_pool_destroy(pa);
  mps_pool_destroy(pb);
}

int main(int argc, char *argv[])
{
  static const size_t units[] = {1, 8, 13, 100, 4096, 70000};
  mps_arena_t arena;
  mps_pool_t warm;
  size_t i;

  testInit(argc, argv);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, 64 << 20);
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "mps_arena_create_k");
  } MPS_ARGS_END(args);
  /* The first pool descriptor makes the arena take memory for descriptors,
   * which it keeps; get that out of the way before measuring. */
  die(mps_pool_create(&warm, arena, mps_class_mfs(), (size_t)65536, (size_t)8), "warm-up");
  mps_pool_destroy(warm);

  for (i = 0; i < sizeof units / sizeof units[0]; ++i)
    testUnitSize(arena, units[i]);
  testVarargs(arena);
  testArgErrors(arena);
  testTwoPools(arena);
  testCommitLimit(arena);
  mps_arena_destroy(arena);
  return testPass();
}

/* mvffstress.c: stress test of the MVFF pool class
 *
 * For each of several pool configurations (every combination of
 * slot_high, arena_high and first_fit, with assorted spare fractions and
 * extension sizes), two pools with random alignments share an arena and
 * receive a random mix of mps_alloc, mps_free, partial frees (a block
 * freed in two pieces) and allocation-point reservations.  Sizes are
 * mostly 1..4096 bytes, sometimes 64 KiB to 1 MiB, and the live set
 * swings up and down.  Every block is filled with a pattern derived from
 * its address and checked when it is freed (and all live blocks at the
 * end of each configuration); the accounting identity
 *   total - free = sum(live sizes rounded up) + AP (limit - init)
 * is checked every few operations.
 *
 * Usage: mvffstress [-s SEED] [-n OPS_PER_CONFIGURATION]
 */

#include "testlib.h"
#include "mpsavm.h"
#include "mpscmvff.h"
#include <string.h>
#include <stdint.h>

#define LIVE_MAX 1500
#define POOLS 2

typedef struct {
  char *p;
  size_t size;                  /* as requested */
} Block;

typedef struct {
  mps_pool_t pool;
  mps_ap_t ap;
  size_t align;
  Block live[LIVE_MAX];
  size_t count;
  size_t rounded;               /* sum of live sizes rounded up */
} PoolState;

static PoolState pools[POOLS];

static size_t roundUp(size_t size, size_t align)
{
  return (size + align - 1) & ~(align - 1);
}

/* The pattern: word i of a block holds its address mixed with i; bytes
 * past the last whole word hold the low bytes of the next such word. */
static uintptr_t patternWord(char *base, size_t i)
{
  return ((uintptr_t)base * 0x9E3779B1u) ^ (i * 0x85EBCA77u) ^ (uintptr_t)i << 7;
}

static void fill(char *p, size_t size)
{
  size_t words = size / sizeof(uintptr_t), i;
  uintptr_t w;
  for (i = 0; i < words; ++i) {
    w = patternWord(p, i);
    memcpy(p + i * sizeof w, &w, sizeof w);
  }
  w = patternWord(p, words);
  memcpy(p + words * sizeof w, &w, size - words * sizeof w);
}

static void verify(char *p, size_t size)
{
  size_t words = size / sizeof(uintptr_t), i;
  uintptr_t w, got = 0;
  for (i = 0; i < words; ++i) {
    memcpy(&got, p + i * sizeof got, sizeof got);
    if (got != patternWord(p, i))
      testFail(__FILE__, __LINE__, "block pattern intact");
  }
  w = patternWord(p, words);
  got = w;
  memcpy(&got, p + words * sizeof w, size - words * sizeof w);
  if (got != w)
    testFail(__FILE__, __LINE__, "block pattern intact (tail)");
}

static void checkAccounting(PoolState *ps)
{
  size_t total = mps_pool_total_size(ps->pool);
  size_t free = mps_pool_free_size(ps->pool);
  size_t unused = 0;
  if (ps->ap != NULL && ps->ap->limit != NULL)
    unused = (size_t)((char *)ps->ap->limit - (char *)ps->ap->init);
  check(free <= total);
  check(total - free == ps->rounded + unused);
}

static size_t randomSize(void)
{
  if (testRnd(200) == 0)
    return ((size_t)64 << 10) + testRnd((size_t)960 << 10);  /* 64 KiB..1 MiB */
  if (testRnd(4) == 0)
    return 1 + testRnd(4096);
  return 1 + testRnd(256);
}

static void addBlock(PoolState *ps, char *p, size_t size)
{
  check(((uintptr_t)p & (ps->align - 1)) == 0);
  check(ps->count < LIVE_MAX);
  fill(p, size);
  ps->live[ps->count].p = p;
  ps->live[ps->count].size = size;
  ++ps->count;
  ps->rounded += roundUp(size, ps->align);
}

static void allocOne(PoolState *ps)
{
  size_t size = randomSize();
  void *p;
  if (ps->ap != NULL && testRnd(4) == 0) {
    mps_res_t res;
    size = roundUp(size, ps->align);
    do {
      MPS_RESERVE_BLOCK(res, p, ps->ap, size);
      die(res, "mps_reserve");
    } while (!mps_commit(ps->ap, p, size));
  } else {
    die(mps_alloc(&p, ps->pool, size), "mps_alloc");
  }
  addBlock(ps, p, size);
}

static void freeOne(PoolState *ps)
{
  size_t i = testRnd(ps->count);
  Block b = ps->live[i];
  size_t rounded = roundUp(b.size, ps->align);
  verify(b.p, b.size);
  if (rounded >= 2 * ps->align && testRnd(8) == 0) {
    /* In two pieces, the upper one first. */
    size_t cut = ps->align * (1 + testRnd(rounded / ps->align - 1));
    mps_free(ps->pool, b.p + cut, rounded - cut);
    mps_free(ps->pool, b.p, cut);
  } else {
    mps_free(ps->pool, b.p, b.size);
  }
  ps->rounded -= rounded;
  ps->live[i] = ps->live[--ps->count];
}

static void runConfiguration(mps_arena_t arena, unsigned config, size_t ops)
{
  static const size_t aligns[] = {sizeof(void *), 16, 32, 64, 256, 4096};
  static const double spares[] = {0.0, 0.25, 0.75, 1.0};
  mps_bool_t slotHigh = (config & 1) != 0;
  mps_bool_t arenaHigh = (config & 2) != 0;
  mps_bool_t firstFit = (config & 4) == 0;
  double spare = spares[testRnd(4)];
  size_t extendBy = (size_t)4096 << testRnd(6);
  size_t k, target = LIVE_MAX / 2;
  unsigned i;

  for (i = 0; i < POOLS; ++i) {
    PoolState *ps = &pools[i];
    ps->align = aligns[testRnd(sizeof aligns / sizeof aligns[0])];
    ps->count = 0;
    ps->rounded = 0;
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_ALIGN, ps->align);
      MPS_ARGS_ADD(args, MPS_KEY_SPARE, spare);
      MPS_ARGS_ADD(args, MPS_KEY_EXTEND_BY, extendBy);
      MPS_ARGS_ADD(args, MPS_KEY_MVFF_SLOT_HIGH, slotHigh);
      MPS_ARGS_ADD(args, MPS_KEY_MVFF_ARENA_HIGH, arenaHigh);
      MPS_ARGS_ADD(args, MPS_KEY_MVFF_FIRST_FIT, firstFit);
      die(mps_pool_create_k(&ps->pool, arena, mps_class_mvff(), args),
          "mps_pool_create_k");
    } MPS_ARGS_END(args);
    ps->ap = NULL;
    if (i == 0)
      die(mps_ap_create_k(&ps->ap, ps->pool, mps_args_none), "mps_ap_create_k");
  }

  for (k = 0; k < ops; ++k) {
    PoolState *ps = &pools[testRnd(POOLS)];
    /* The live set drifts towards a target that moves now and then. */
    if (testRnd(500) == 0)
      target = testRnd(LIVE_MAX);
    if (ps->count > 0
        && (ps->count == LIVE_MAX || testRnd(LIVE_MAX) < (ps->count > target ? 700 : 300)))
      freeOne(ps);
    else
      allocOne(ps);
    if (k % 16 == 0)
      checkAccounting(ps);
  }

  for (i = 0; i < POOLS; ++i) {
    PoolState *ps = &pools[i];
    size_t j;
    for (j = 0; j < ps->count; ++j)
      verify(ps->live[j].p, ps->live[j].size);
    checkAccounting(ps);
    if (ps->ap != NULL)
      mps_ap_destroy(ps->ap);
    ps->ap = NULL;
    checkAccounting(ps);
    /* Free half, then destroy with the rest still live. */
    while (ps->count > LIVE_MAX / 4)
      freeOne(ps);
    checkAccounting(ps);
    mps_pool_destroy(ps->pool);
  }
  printf("  slot_high %d arena_high %d first_fit %d spare %.2f extend_by %lu"
         " aligns %lu/%lu: ok\n", (int)slotHigh, (int)arenaHigh, (int)firstFit,
         spare, (unsigned long)extendBy, (unsigned long)pools[0].align,
         (unsigned long)pools[1].align);
}

int main(int argc, char *argv[])
{
  mps_arena_t arena;
  size_t ops = 20000, committed0;
  unsigned config;
  int i;

  testInit(argc, argv);
  for (i = 1; i + 1 < argc; ++i)
    if (strcmp(argv[i], "-n") == 0)
      ops = (size_t)strtoul(argv[i + 1], NULL, 0);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none),
      "mps_arena_create_k");
  committed0 = mps_arena_committed(arena);
  for (config = 0; config < 8; ++config)
    runConfiguration(arena, config, ops);
  /* All pools are gone: whatever is still committed is spare memory or
   * the manager's own descriptors. */
  check(mps_arena_committed(arena) - mps_arena_spare_committed(arena)
        <= committed0 + ((size_t)1 << 20));
  check(mps_collections(arena) == 0);
  mps_arena_destroy(arena);
  return testPass();
}

/* sacstress.c: random traffic through segregated allocation caches
 *
 * Over an MVFF pool: for several class configurations (a fixed set and one
 * made up from the seed), thousands of random allocations and frees of
 * sizes 8 to 4096 bytes, through the fast macros and the functions at
 * random, with flushes and with the cache destroyed and recreated now and
 * then (blocks outlive their cache and are freed through the next one).
 * Every block is filled with a pattern when allocated and checked before
 * it is freed; after every flush the pool must be charged for exactly the
 * live blocks (each at its class size, overlarge ones at their size
 * rounded to the alignment).  Then several threads, each with its own
 * cache on the same pool, do the same at once: the caches take the arena
 * lock only to reach the pool, so this checks that they do.
 *
 * If MVFF is not linked in, MFS stands in with one class (its unit).
 */

#include "testlib.h"
#include "mpstd.h"
#include "mpsavm.h"
#include "mpscmfs.h"
#include "mpscmvff.h"
#include <pthread.h>
#include <string.h>

/* See sactest.c: MVFF may not be linked in yet. */
#if defined(__GNUC__) && defined(__ELF__)
#pragma weak mps_class_mvff
#endif
static mps_pool_class_t (*volatile mvffClass)(void) = mps_class_mvff;

#define ALIGN_UP(s, a) (((s) + (a) - 1) & ~(size_t)((a) - 1))
#define POOL_ALIGN ((size_t)MPS_PF_ALIGN)
#define SIZE_MIN_ 8
#define SIZE_MAX_ 4096
#define SLOTS 600
#define THREADS 4

typedef struct config_s {
  const char *name;
  size_t count;
  mps_sac_class_s classes[MPS_SAC_CLASS_LIMIT];
} config_s;

typedef struct block_s {
  unsigned char *p;
  size_t size;
  unsigned long tag;
} block_s;

/* A little random generator per thread, so threads need no lock. */
typedef struct rnd_s {
  unsigned long state;
} rnd_s;

static unsigned long rndNext(rnd_s *r)
{
  unsigned long x = r->state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  r->state = x;
  return x;
}

static unsigned long rndBelow(rnd_s *r, unsigned long n)
{
  return rndNext(r) % n;
}

/* Mostly small sizes, some up to the maximum: about uniform in log. */
static size_t rndSize(rnd_s *r)
{
  unsigned bits = 3 + (unsigned)rndBelow(r, 10);           /* 8 .. 4096 */
  size_t size = ((size_t)1 << bits) + rndBelow(r, (unsigned long)1 << bits);
  if (size < SIZE_MIN_)
    size = SIZE_MIN_;
  if (size > SIZE_MAX_)
    size = SIZE_MAX_;
  return size;
}

static size_t chargeOf(const config_s *c, size_t size)
{
  size_t i;
  for (i = 0; i < c->count; ++i)
    if (size <= c->classes[i].mps_block_size)
      return c->classes[i].mps_block_size;
  return ALIGN_UP(size, POOL_ALIGN);
}

static size_t inUse(mps_pool_t pool)
{
  size_t total = mps_pool_total_size(pool), free = mps_pool_free_size(pool);
  check(free <= total);
  return total - free;
}

static void fill(block_s *b, unsigned long tag)
{
  size_t j;
  b->tag = tag;
  /* Word-sized stores for speed, then the tail byte by byte. */
  for (j = 0; j + sizeof(unsigned long) <= b->size; j += sizeof(unsigned long)) {
    unsigned long w = tag * 0x9E3779B97F4A7C15UL + j;
    memcpy(b->p + j, &w, sizeof w);
  }
  for (; j < b->size; ++j)
    b->p[j] = (unsigned char)(tag + j);
}

static void verify(const block_s *b)
{
  size_t j;
  for (j = 0; j + sizeof(unsigned long) <= b->size; j += sizeof(unsigned long)) {
    unsigned long w = b->tag * 0x9E3779B97F4A7C15UL + j, got;
    memcpy(&got, b->p + j, sizeof got);
    if (got != w)
      testFail(__FILE__, __LINE__, "block contents changed while it was allocated");
  }
  for (; j < b->size; ++j)
    if (b->p[j] != (unsigned char)(b->tag + j))
      testFail(__FILE__, __LINE__, "block contents changed while it was allocated");
}

/* What the fast macros rely on (mps.h): no class holds more than its
 * cached count, and the overlarge class after the last one holds nothing. */
static void checkCounts(mps_sac_t sac, const config_s *c)
{
  size_t i;
  for (i = 0; i < c->count; ++i)
    check(sac->_freelists[i]._count <= c->classes[i].mps_cached_count);
  check(sac->_freelists[c->count]._size == (size_t)-1);
  check(sac->_freelists[c->count]._count == 0);
}

static mps_sac_t makeSAC(mps_pool_t pool, const config_s *c)
{
  mps_sac_t sac;
  mps_sac_class_s classes[MPS_SAC_CLASS_LIMIT];
  memcpy(classes, c->classes, sizeof classes);
  die(mps_sac_create(&sac, pool, c->count, classes), "mps_sac_create");
  return sac;
}

/* One run of random traffic.  With `checkPool`, the pool is this run's
 * alone and its accounting is checked at every flush. */
typedef struct run_s {
  mps_pool_t pool;
  const config_s *config;
  unsigned long ops;
  unsigned long seed;
  int checkPool;
  size_t base;                  /* pool in use before the run */
  unsigned long allocs, frees, flushes, recreations;
} run_s;

static void runTraffic(run_s *run)
{
  const config_s *c = run->config;
  block_s *blocks = calloc(SLOTS, sizeof *blocks);
  mps_sac_t sac = makeSAC(run->pool, c);
  rnd_s r;
  size_t live = 0, i;
  unsigned long op;

  check(blocks != NULL);
  r.state = run->seed | 1;
  for (op = 0; op < run->ops; ++op) {
    block_s *b = &blocks[rndBelow(&r, SLOTS)];
    unsigned long what = rndBelow(&r, 1000);
    if (what < 3) {
      mps_sac_flush(sac);
      ++run->flushes;
      if (run->checkPool)
        check(inUse(run->pool) - run->base == live);
    } else if (what < 5) {
      /* Blocks survive their cache and are freed through the next one. */
      mps_sac_destroy(sac);
      sac = makeSAC(run->pool, c);
      ++run->recreations;
      if (run->checkPool)
        check(inUse(run->pool) - run->base == live);
    } else if (b->p == NULL) {
      mps_addr_t p;
      mps_res_t res;
      b->size = rndSize(&r);
      if (rndBelow(&r, 4) != 0) {
        MPS_SAC_ALLOC_FAST(res, p, sac, b->size, 0);
      } else {
        res = mps_sac_alloc(&p, sac, b->size, 0);
      }
      die(res, "alloc");
      check(p != NULL && ((size_t)p & (POOL_ALIGN - 1)) == 0);
      b->p = p;
      fill(b, op + run->seed);
      live += chargeOf(c, b->size);
      ++run->allocs;
    } else {
      verify(b);
      if (rndBelow(&r, 4) != 0)
        MPS_SAC_FREE_FAST(sac, b->p, b->size);
      else
        mps_sac_free(sac, b->p, b->size);
      live -= chargeOf(c, b->size);
      b->p = NULL;
      ++run->frees;
    }
    if (op % 64 == 0)
      checkCounts(sac, c);
  }
  for (i = 0; i < SLOTS; ++i)
    if (blocks[i].p != NULL) {
      verify(&blocks[i]);
      MPS_SAC_FREE_FAST(sac, blocks[i].p, blocks[i].size);
    }
  mps_sac_destroy(sac);
  free(blocks);
}

static void *threadMain(void *arg)
{
  runTraffic(arg);
  return NULL;
}

static void runConfig(mps_arena_t arena, mps_pool_class_t klass, size_t mfsUnit,
                      const config_s *c, unsigned long ops)
{
  mps_pool_t pool;
  run_s runs[THREADS];
  pthread_t threads[THREADS];
  size_t base, i;

  if (mfsUnit != 0)
    die(mps_pool_create(&pool, arena, klass, (size_t)65536, mfsUnit), "MFS pool");
  else
    die(mps_pool_create_k(&pool, arena, klass, mps_args_none), "MVFF pool");
  base = inUse(pool);

  /* One thread, the pool's accounting checked as it goes. */
  memset(&runs[0], 0, sizeof runs[0]);
  runs[0].pool = pool;
  runs[0].config = c;
  runs[0].ops = ops;
  runs[0].seed = testRandom();
  runs[0].checkPool = 1;
  runs[0].base = base;
  runTraffic(&runs[0]);
  check(inUse(pool) == base);
  printf("  %-22s %lu allocs, %lu frees, %lu flushes, %lu new caches\n", c->name,
         runs[0].allocs, runs[0].frees, runs[0].flushes, runs[0].recreations);

  /* Several threads, a cache each, one pool. */
  for (i = 0; i < THREADS; ++i) {
    memset(&runs[i], 0, sizeof runs[i]);
    runs[i].pool = pool;
    runs[i].config = c;
    runs[i].ops = ops / 2;
    runs[i].seed = testRandom();
    runs[i].checkPool = 0;
    check(pthread_create(&threads[i], NULL, threadMain, &runs[i]) == 0);
  }
  for (i = 0; i < THREADS; ++i)
    check(pthread_join(threads[i], NULL) == 0);
  check(inUse(pool) == base);
  mps_pool_destroy(pool);
}

/* A configuration made up from the seed: 1 to 8 classes between 8 and
 * 4096 bytes, cached counts from 0 to 64. */
static void randomConfig(config_s *c)
{
  size_t i, size = 0;
  c->name = "random";
  c->count = 1 + testRnd(MPS_SAC_CLASS_LIMIT);
  for (i = 0; i < c->count; ++i) {
    size_t room = (SIZE_MAX_ - size) / (c->count - i);
    size += ALIGN_UP(1 + testRnd(room > 8 ? room - 8 : 1), POOL_ALIGN);
    if (size < sizeof(void *))
      size = sizeof(void *);
    c->classes[i].mps_block_size = size;
    c->classes[i].mps_cached_count = testRnd(65);
    c->classes[i].mps_frequency = 1 + (unsigned)testRnd(10);
  }
}

int main(int argc, char *argv[])
{
  static const config_s fixed[] = {
    {"8 classes", 8, {{8, 100, 1}, {16, 100, 1}, {32, 50, 1}, {64, 50, 1},
                      {128, 20, 1}, {256, 10, 1}, {1024, 5, 1}, {4096, 2, 1}}},
    {"1 class, many cached", 1, {{32, 1000, 1}}},
    {"never cache", 3, {{16, 0, 1}, {64, 0, 1}, {512, 0, 1}}},
    {"2 classes", 2, {{64, 3, 1}, {2048, 64, 1}}},
    {"1 class of 8", 1, {{8, 1, 1}}},
  };
  mps_arena_t arena;
  config_s c;
  unsigned long ops = getenv("TARN_UNDER_VALGRIND") != NULL ? 4000 : 30000;
  size_t i;

  testInit(argc, argv);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "mps_arena_create_k");
  if (mvffClass != NULL) {
    for (i = 0; i < sizeof fixed / sizeof fixed[0]; ++i)
      runConfig(arena, mvffClass(), 0, &fixed[i], ops);
    for (i = 0; i < 3; ++i) {
      randomConfig(&c);
      runConfig(arena, mvffClass(), 0, &c, ops);
    }
  } else {
    /* MFS takes one size only: every request fits its one class. */
    printf("  MVFF is not linked in: stressing the cache over MFS\n");
    memset(&c, 0, sizeof c);
    c.name = "MFS, unit 4096";
    c.count = 1;
    c.classes[0].mps_block_size = SIZE_MAX_;
    c.classes[0].mps_cached_count = 20;
    runConfig(arena, mps_class_mfs(), SIZE_MAX_, &c, ops);
  }
  mps_arena_destroy(arena);
  return testPass();
}

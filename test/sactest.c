/* sactest.c: segregated allocation caches
 *
 * Run over an MFS pool (one class, the unit size) and, when MVFF is linked
 * in, over an MVFF pool with several classes.  The pool's accounting is the
 * witness: a block a cache allocated counts at its class size in
 * total - free until the cache gives it back.  So after a flush,
 * total - free must be exactly the sum of the class sizes of the live
 * blocks (overlarge ones at their size rounded to the alignment), which
 * checks class selection without looking inside the cache.  The checks
 * that do look inside (the counts of cached blocks) use only what the fast
 * macros in mps.h themselves rely on.
 *
 * Cases: class selection; a freed block coming back from the cache; a class
 * with a cached count of 0; overlarge blocks; flush; destroy flushing; the
 * macros and the functions mixed at random; two caches with identical
 * classes sharing blocks; the commit limit; and rejected arguments.
 */

#include "testlib.h"
#include "mpslib.h"
#include "mpstd.h"
#include "mpsavm.h"
#include "mpscmfs.h"
#include "mpscmvff.h"
#include <string.h>

/* MVFF is written alongside this test; until it is linked in, a weak
 * reference lets the test build and run over MFS alone. */
#if defined(__GNUC__) && defined(__ELF__)
#pragma weak mps_class_mvff
#endif
static mps_pool_class_t (*volatile mvffClass)(void) = mps_class_mvff;

#define ALIGN_UP(s, a) (((s) + (a) - 1) & ~(size_t)((a) - 1))
#define POOL_ALIGN ((size_t)MPS_PF_ALIGN)   /* both pools' default alignment */

typedef struct config_s {
  const char *name;
  mps_pool_t pool;
  size_t count;
  mps_sac_class_s classes[MPS_SAC_CLASS_LIMIT];
  int overlarge;                /* may the pool take other sizes? */
  int keepsMemory;              /* does the pool never return memory? */
} config_s;

typedef struct block_s {
  unsigned char *p;
  size_t size;                  /* as requested */
  unsigned long tag;
} block_s;

static size_t inUse(mps_pool_t pool)
{
  size_t total = mps_pool_total_size(pool), free = mps_pool_free_size(pool);
  check(free <= total);
  return total - free;
}

/* What the pool is charged for a request of size bytes. */
static size_t chargeOf(const config_s *c, size_t size)
{
  size_t i;
  for (i = 0; i < c->count; ++i)
    if (size <= c->classes[i].mps_block_size)
      return c->classes[i].mps_block_size;
  return ALIGN_UP(size, POOL_ALIGN);
}

static size_t largest(const config_s *c)
{
  return c->classes[c->count - 1].mps_block_size;
}

static size_t randomSize(const config_s *c)
{
  if (c->overlarge && testRnd(8) == 0)
    return largest(c) + 1 + testRnd(3000);
  return 1 + testRnd(largest(c));
}

static unsigned char patternByte(unsigned long tag, size_t j)
{
  return (unsigned char)(tag * 29u + j * 13u + 5u);
}

static void fill(block_s *b, unsigned long tag)
{
  size_t j;
  b->tag = tag;
  for (j = 0; j < b->size; ++j)
    b->p[j] = patternByte(tag, j);
}

static void verify(const block_s *b)
{
  size_t j;
  for (j = 0; j < b->size; ++j)
    if (b->p[j] != patternByte(b->tag, j))
      testFail(__FILE__, __LINE__, "block contents changed while it was allocated");
}

static mps_sac_t makeSAC(const config_s *c)
{
  mps_sac_t sac;
  mps_sac_class_s classes[MPS_SAC_CLASS_LIMIT];
  memcpy(classes, c->classes, sizeof classes);
  die(mps_sac_create(&sac, c->pool, c->count, classes), "mps_sac_create");
  /* The array is read only during the call. */
  memset(classes, 0xFF, sizeof classes);
  return sac;
}

/* The layout the fast macros rely on (mps.h): the client's classes, then
 * the overlarge class that stops every search; never more cached than
 * allowed. */
static size_t checkLayout(mps_sac_t sac, const config_s *c)
{
  size_t i, cachedBytes = 0;
  for (i = 0; i < c->count; ++i) {
    check(sac->_freelists[i]._size == c->classes[i].mps_block_size);
    check(sac->_freelists[i]._count <= sac->_freelists[i]._count_max);
    check(sac->_freelists[i]._count_max == c->classes[i].mps_cached_count);
    cachedBytes += sac->_freelists[i]._count * sac->_freelists[i]._size;
  }
  check(sac->_freelists[c->count]._size == (size_t)-1);
  check(sac->_freelists[c->count]._count_max == 0);
  check(sac->_freelists[c->count]._count == 0);
  check(!sac->_trapped);
  return cachedBytes;
}

static void testClassSelection(const config_s *c)
{
  mps_sac_t sac = makeSAC(c);
  size_t base = inUse(c->pool), i;
  for (i = 0; i < 300; ++i) {
    block_s b;
    mps_addr_t p;
    mps_res_t res;
    b.size = i < 20 ? 1 + i % largest(c) : randomSize(c);   /* small sizes first */
    if (i % 2 == 0) {
      die(mps_sac_alloc(&p, sac, b.size, 0), "mps_sac_alloc");
    } else {
      MPS_SAC_ALLOC_FAST(res, p, sac, b.size, 0);
      die(res, "MPS_SAC_ALLOC_FAST");
    }
    check(((size_t)p & (POOL_ALIGN - 1)) == 0);
    b.p = p;
    fill(&b, i);
    mps_sac_flush(sac);
    /* The pool was charged for one block of the right class. */
    check(inUse(c->pool) - base == chargeOf(c, b.size));
    verify(&b);
    if (i % 3 == 0)
      mps_sac_free(sac, b.p, b.size);
    else
      MPS_SAC_FREE_FAST(sac, b.p, b.size);
    mps_sac_flush(sac);
    check(inUse(c->pool) == base);
  }
  checkLayout(sac, c);
  mps_sac_destroy(sac);
}

/* A freed block comes back on the next request of its class, whatever the
 * exact size, and not for another class. */
static void testCaching(const config_s *c)
{
  mps_sac_t sac = makeSAC(c);
  size_t base = inUse(c->pool), i;
  for (i = 0; i < c->count; ++i) {
    size_t size = c->classes[i].mps_block_size;
    size_t lower = i == 0 ? 1 : c->classes[i - 1].mps_block_size + 1;
    mps_addr_t a, b, other = NULL;
    mps_res_t res;
    size_t before;
    MPS_SAC_ALLOC_FAST(res, a, sac, size, 0);
    die(res, "alloc");
    before = inUse(c->pool);
    MPS_SAC_FREE_FAST(sac, a, size);
    if (c->classes[i].mps_cached_count == 0) {
      /* Never cached: straight back to the pool. */
      check(inUse(c->pool) == before - size);
      check(sac->_freelists[i]._count == 0);
      continue;
    }
    check(inUse(c->pool) == before);    /* kept by the cache */
    if (i + 1 < c->count) {
      MPS_SAC_ALLOC_FAST(res, other, sac, c->classes[i + 1].mps_block_size, 0);
      die(res, "alloc other class");
      check(other != a);
    }
    MPS_SAC_ALLOC_FAST(res, b, sac, lower, 0);    /* smallest of the class */
    die(res, "alloc again");
    check(b == a);
    mps_sac_free(sac, b, lower);
    die(mps_sac_alloc(&b, sac, size, 0), "mps_sac_alloc again");
    check(b == a);
    mps_sac_free(sac, b, size);
    if (other != NULL)
      mps_sac_free(sac, other, c->classes[i + 1].mps_block_size);
  }
  checkLayout(sac, c);
  mps_sac_destroy(sac);
  check(inUse(c->pool) == base);
}

/* Overlarge requests go straight to the pool and back. */
static void testOverlarge(const config_s *c)
{
  mps_sac_t sac;
  size_t base, i;
  if (!c->overlarge)
    return;
  sac = makeSAC(c);
  base = inUse(c->pool);
  for (i = 0; i < 50; ++i) {
    block_s b;
    mps_addr_t p;
    mps_res_t res;
    b.size = largest(c) + 1 + testRnd(i < 10 ? 8 : 100000);
    MPS_SAC_ALLOC_FAST(res, p, sac, b.size, 0);
    die(res, "overlarge alloc");
    b.p = p;
    fill(&b, i);
    check(inUse(c->pool) - base == ALIGN_UP(b.size, POOL_ALIGN));
    verify(&b);
    if (i % 2 == 0)
      MPS_SAC_FREE_FAST(sac, b.p, b.size);
    else
      mps_sac_free(sac, b.p, b.size);
    check(inUse(c->pool) == base);      /* not cached */
    check(checkLayout(sac, c) == 0);
  }
  mps_sac_destroy(sac);
}

/* Free more than the cache keeps, then flush: every block goes back. */
static void testFlushAndDestroy(const config_s *c)
{
  enum { PER_CLASS = 40 };
  block_s blocks[MPS_SAC_CLASS_LIMIT * PER_CLASS];
  mps_sac_t sac = makeSAC(c);
  size_t base = inUse(c->pool), n = 0, i, cached, freeBefore, live;
  for (i = 0; i < c->count; ++i) {
    size_t k;
    for (k = 0; k < PER_CLASS; ++k) {
      mps_addr_t p;
      mps_res_t res;
      blocks[n].size = c->classes[i].mps_block_size - testRnd(8);
      MPS_SAC_ALLOC_FAST(res, p, sac, blocks[n].size, 0);
      die(res, "alloc");
      blocks[n].p = p;
      fill(&blocks[n], n);
      ++n;
    }
  }
  live = 0;
  for (i = 0; i < n; ++i)
    live += chargeOf(c, blocks[i].size);
  for (i = 0; i < n; ++i) {
    verify(&blocks[i]);
    MPS_SAC_FREE_FAST(sac, blocks[i].p, blocks[i].size);
    live -= chargeOf(c, blocks[i].size);
    cached = checkLayout(sac, c);
    check(inUse(c->pool) - base == live + cached);
  }
  cached = checkLayout(sac, c);
  /* A class that overflowed made room for later frees. */
  for (i = 0; i < c->count; ++i)
    if (c->classes[i].mps_cached_count >= 2 && c->classes[i].mps_cached_count < PER_CLASS)
      check(sac->_freelists[i]._count < sac->_freelists[i]._count_max);
  freeBefore = mps_pool_free_size(c->pool);
  mps_sac_flush(sac);
  check(checkLayout(sac, c) == 0);
  check(inUse(c->pool) == base);
  /* A pool that keeps its memory (MFS) shows the flush as free space;
   * others may hand some of it to the arena. */
  if (c->keepsMemory)
    check(mps_pool_free_size(c->pool) == freeBefore + cached);
  mps_sac_flush(sac);                   /* nothing to do */
  check(inUse(c->pool) == base);

  /* Destroy flushes too, and leaves live blocks alone. */
  check(cached > 0);
  for (i = 0; i < n; ++i) {
    mps_addr_t p;
    die(mps_sac_alloc(&p, sac, blocks[i].size, 0), "alloc");
    blocks[i].p = p;
    fill(&blocks[i], i + 500);
  }
  for (i = 0; i < n; i += 2)
    mps_sac_free(sac, blocks[i].p, blocks[i].size);
  mps_sac_destroy(sac);
  live = 0;
  for (i = 1; i < n; i += 2) {
    verify(&blocks[i]);
    live += chargeOf(c, blocks[i].size);
  }
  check(inUse(c->pool) - base == live);
  /* A second cache with the same classes takes blocks of the first. */
  sac = makeSAC(c);
  for (i = 1; i < n; i += 2)
    MPS_SAC_FREE_FAST(sac, blocks[i].p, blocks[i].size);
  mps_sac_destroy(sac);
  check(inUse(c->pool) == base);
}

/* Macros and functions, allocating and freeing at random. */
static void testMixed(const config_s *c)
{
  enum { SLOTS = 300, OPS = 6000 };
  block_s blocks[SLOTS];
  mps_sac_t sac = makeSAC(c), sac2 = makeSAC(c);
  size_t base = inUse(c->pool), i, live = 0;
  memset(blocks, 0, sizeof blocks);
  for (i = 0; i < OPS; ++i) {
    block_s *b = &blocks[testRnd(SLOTS)];
    mps_sac_t s = testRnd(10) == 0 ? sac2 : sac;  /* identical classes */
    if (b->p == NULL) {
      mps_addr_t p;
      mps_res_t res;
      b->size = randomSize(c);
      if (testRnd(2)) {
        MPS_SAC_ALLOC_FAST(res, p, s, b->size, 0);
      } else {
        res = mps_sac_alloc(&p, s, b->size, 0);
      }
      die(res, "alloc");
      b->p = p;
      fill(b, i);
      live += chargeOf(c, b->size);
    } else {
      verify(b);
      if (testRnd(2))
        MPS_SAC_FREE_FAST(s, b->p, b->size);
      else
        mps_sac_free(s, b->p, b->size);
      live -= chargeOf(c, b->size);
      b->p = NULL;
    }
    if (i % 97 == 0)
      check(inUse(c->pool) - base == live + checkLayout(sac, c) + checkLayout(sac2, c));
    if (i % 1500 == 0)
      mps_sac_flush(sac);
  }
  for (i = 0; i < SLOTS; ++i)
    if (blocks[i].p != NULL) {
      verify(&blocks[i]);
      MPS_SAC_FREE_FAST(sac, blocks[i].p, blocks[i].size);
    }
  mps_sac_destroy(sac);
  mps_sac_destroy(sac2);
  check(inUse(c->pool) == base);
}

/* At the commit limit a miss fails with MPS_RES_COMMIT_LIMIT, leaves the
 * out parameter and the cache alone, and later succeeds. */
static void testCommitLimit(mps_arena_t arena, const config_s *c)
{
  enum { MAX = 20000 };
  static block_s blocks[MAX];
  mps_sac_t sac = makeSAC(c);
  size_t n = 0, i, base = inUse(c->pool);
  size_t size = largest(c);
  mps_res_t res = MPS_RES_OK;
  mps_addr_t p;

  mps_arena_spare_set(arena, 0.0);
  die(mps_arena_commit_limit_set(arena, mps_arena_committed(arena) + 128 * 1024),
      "mps_arena_commit_limit_set");
  for (;;) {
    check(n < MAX);
    p = NULL;
    MPS_SAC_ALLOC_FAST(res, p, sac, size, 0);
    if (res != MPS_RES_OK)
      break;
    blocks[n].p = p;
    blocks[n].size = size;
    fill(&blocks[n], n);
    ++n;
  }
  check(res == MPS_RES_COMMIT_LIMIT);
  check(p == NULL);
  check(checkLayout(sac, c) == 0);      /* a miss happens on an empty class */
  /* Freed blocks can still be had: the cache works without the pool. */
  MPS_SAC_FREE_FAST(sac, blocks[0].p, size);
  MPS_SAC_ALLOC_FAST(res, p, sac, size, 0);
  die(res, "alloc from the cache at the limit");
  blocks[0].p = p;
  fill(&blocks[0], 0);
  printf("  %s: commit limit reached after %lu blocks\n", c->name, (unsigned long)n);
  die(mps_arena_commit_limit_set(arena, (size_t)-1), "raise the limit");
  for (i = 0; i < 100; ++i) {
    MPS_SAC_ALLOC_FAST(res, p, sac, size, 0);
    die(res, "alloc after raising the limit");
    blocks[n].p = p;
    blocks[n].size = size;
    fill(&blocks[n], n);
    ++n;
  }
  for (i = 0; i < n; ++i) {
    verify(&blocks[i]);
    MPS_SAC_FREE_FAST(sac, blocks[i].p, size);
  }
  mps_sac_destroy(sac);
  check(inUse(c->pool) == base);
}

static void runConfig(mps_arena_t arena, const config_s *c)
{
  printf("  %s: %lu classes\n", c->name, (unsigned long)c->count);
  testClassSelection(c);
  testCaching(c);
  testOverlarge(c);
  testFlushAndDestroy(c);
  testMixed(c);
  testCommitLimit(arena, c);
}

/* Rejected arguments */

#define EXPECT_PARAM(call, function) \
  do { check((call) == MPS_RES_PARAM); EXPECT(function); } while (0)

static void testArgErrors(mps_pool_t pool)
{
  mps_lib_assert_fail_t old = testRecordReports();
  mps_sac_class_s classes[2 * MPS_SAC_CLASS_LIMIT];
  mps_sac_t sac = NULL, good;
  mps_addr_t p = NULL;
  size_t i, base = inUse(pool);

  for (i = 0; i < 2 * MPS_SAC_CLASS_LIMIT; ++i) {
    classes[i].mps_block_size = (i + 1) * 16;
    classes[i].mps_cached_count = 4;
    classes[i].mps_frequency = 1;
  }
  EXPECT_PARAM(mps_sac_create(NULL, pool, 2, classes), "mps_sac_create");
  EXPECT_PARAM(mps_sac_create(&sac, NULL, 2, classes), "mps_sac_create");
  EXPECT_PARAM(mps_sac_create(&sac, pool, 0, classes), "mps_sac_create");
  EXPECT_PARAM(mps_sac_create(&sac, pool, 2, NULL), "mps_sac_create");
  classes[0].mps_block_size = sizeof(void *) / 2;        /* too small for a link */
  EXPECT_PARAM(mps_sac_create(&sac, pool, 2, classes), "mps_sac_create");
  classes[0].mps_block_size = 16;
  classes[1].mps_block_size = 16;                        /* not increasing */
  EXPECT_PARAM(mps_sac_create(&sac, pool, 2, classes), "mps_sac_create");
  classes[1].mps_block_size = 8;                         /* decreasing */
  EXPECT_PARAM(mps_sac_create(&sac, pool, 2, classes), "mps_sac_create");
  classes[1].mps_block_size = 32 + POOL_ALIGN / 2;       /* not aligned */
  EXPECT_PARAM(mps_sac_create(&sac, pool, 2, classes), "mps_sac_create");
  classes[1].mps_block_size = 32;
  check(sac == NULL);
  /* More classes than the implementation takes: a result, not misuse.
   * Up to MPS_SAC_CLASS_LIMIT is always accepted. */
  check(mps_sac_create(&sac, pool, MPS_SAC_CLASS_LIMIT + 1, classes) == MPS_RES_LIMIT);
  check(testReports == 0 && sac == NULL);
  die(mps_sac_create(&good, pool, MPS_SAC_CLASS_LIMIT, classes), "eight classes");
  check(testReports == 0);

  EXPECT_PARAM(mps_sac_alloc(NULL, good, 16, 0), "mps_sac_alloc");
  EXPECT_PARAM(mps_sac_alloc(&p, NULL, 16, 0), "mps_sac_alloc");
  EXPECT_PARAM(mps_sac_alloc(&p, (mps_sac_t)(void *)pool, 16, 0), "mps_sac_alloc");
  EXPECT_PARAM(mps_sac_alloc(&p, good, 0, 0), "mps_sac_alloc");
  EXPECT_PARAM(mps_sac_fill(&p, good, 0, 0), "mps_sac_fill");
  EXPECT_PARAM(mps_sac_fill(&p, NULL, 16, 0), "mps_sac_fill");
  check(p == NULL);
  die(mps_sac_alloc(&p, good, 16, 0), "mps_sac_alloc");
  mps_sac_free(NULL, p, 16);
  EXPECT("mps_sac_free");
  mps_sac_free(good, NULL, 16);
  EXPECT("mps_sac_free");
  mps_sac_empty(good, p, 0);
  EXPECT("mps_sac_empty");
  mps_sac_flush(NULL);
  EXPECT("mps_sac_flush");
  mps_sac_destroy(NULL);
  EXPECT("mps_sac_destroy");
  mps_sac_destroy((mps_sac_t)(void *)pool);
  EXPECT("mps_sac_destroy");
  mps_sac_free(good, p, 16);
  mps_sac_destroy(good);
  check(testReports == 0);
  check(inUse(pool) == base);
  mps_lib_assert_fail_install(old);
}

int main(int argc, char *argv[])
{
  mps_arena_t arena;
  config_s mfs, mvff;
  mps_pool_t mfs13;

  testInit(argc, argv);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, 64 << 20);
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "mps_arena_create_k");
  } MPS_ARGS_END(args);

  /* MFS: one class, the unit size; nothing else may be asked of it. */
  memset(&mfs, 0, sizeof mfs);
  mfs.name = "MFS";
  mfs.count = 1;
  mfs.classes[0].mps_block_size = 48;
  mfs.classes[0].mps_cached_count = 10;
  mfs.classes[0].mps_frequency = 1;
  mfs.overlarge = 0;
  mfs.keepsMemory = 1;
  die(mps_pool_create(&mfs.pool, arena, mps_class_mfs(), (size_t)65536, (size_t)48), "MFS");
  runConfig(arena, &mfs);
  mps_pool_destroy(mfs.pool);

  /* MFS with a unit that is not aligned: the cache asks for the rounded
   * unit, which names the same unit. */
  die(mps_pool_create(&mfs13, arena, mps_class_mfs(), (size_t)65536, (size_t)13), "MFS 13");
  mfs.name = "MFS (unit 13)";
  mfs.pool = mfs13;
  mfs.classes[0].mps_block_size = ALIGN_UP(13, POOL_ALIGN);
  mfs.classes[0].mps_cached_count = 3;
  runConfig(arena, &mfs);
  mps_pool_destroy(mfs13);

  if (mvffClass != NULL) {
    static const mps_sac_class_s classes[] = {
      {16, 20, 10}, {32, 8, 5}, {64, 0, 1}, {96, 1, 1}, {256, 6, 1}, {1024, 3, 1}
    };
    memset(&mvff, 0, sizeof mvff);
    mvff.name = "MVFF";
    mvff.count = sizeof classes / sizeof classes[0];
    memcpy(mvff.classes, classes, sizeof classes);
    mvff.overlarge = 1;
    die(mps_pool_create_k(&mvff.pool, arena, mvffClass(), mps_args_none), "MVFF");
    runConfig(arena, &mvff);
    /* The limit: eight classes. */
    {
      size_t i;
      mvff.name = "MVFF, 8 classes";
      mvff.count = MPS_SAC_CLASS_LIMIT;
      for (i = 0; i < MPS_SAC_CLASS_LIMIT; ++i) {
        mvff.classes[i].mps_block_size = (size_t)8 << i;
        mvff.classes[i].mps_cached_count = 1 + i * 3;
        mvff.classes[i].mps_frequency = 1;
      }
      runConfig(arena, &mvff);
    }
    testArgErrors(mvff.pool);
    mps_pool_destroy(mvff.pool);
  } else {
    printf("  MVFF is not linked in: cache tested over MFS only\n");
    die(mps_pool_create(&mfs.pool, arena, mps_class_mfs(), (size_t)65536, (size_t)16), "MFS");
    testArgErrors(mfs.pool);
    mps_pool_destroy(mfs.pool);
  }
  mps_arena_destroy(arena);
  return testPass();
}

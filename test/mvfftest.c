/* mvfftest.c: the MVFF pool class through the public interface
 *
 * Each part checks the accounting identity after every operation:
 *   total - free = sum of live block sizes rounded up to the alignment
 *                  + sum over allocation points of (limit - init)
 * and that no block overlaps another and none has been overwritten (each
 * is filled with a pattern derived from its address and size).
 */

#include "testlib.h"
#include "mpsavm.h"
#include "mpscmvff.h"
#include "mpslib.h"
#include "mpstd.h"
#include <string.h>
#include <stdint.h>

#define BLOCKS 4000

typedef struct {
  char *p;
  size_t size;
} Block;

static Block blocks[BLOCKS];
static size_t blockCount;
static size_t liveRounded;      /* sum of live sizes rounded to the alignment */
static size_t alignment;        /* of the pool under test */

static size_t roundUp(size_t size, size_t align)
{
  return (size + align - 1) & ~(align - 1);
}

static unsigned char patternByte(char *base, size_t i)
{
  uintptr_t a = (uintptr_t)base;
  return (unsigned char)((a >> 4) ^ (a >> 12) ^ (i * 131) ^ 0x5A);
}

static void fill(char *p, size_t size)
{
  size_t i;
  for (i = 0; i < size; ++i)
    p[i] = (char)patternByte(p, i);
}

static void verify(char *p, size_t size)
{
  size_t i;
  for (i = 0; i < size; ++i)
    if ((unsigned char)p[i] != patternByte(p, i))
      testFail(__FILE__, __LINE__, "block pattern intact");
}

static size_t apUnused(mps_ap_t ap)
{
  if (ap == NULL || ap->limit == NULL)
    return 0;
  return (size_t)((char *)ap->limit - (char *)ap->init);
}

static void checkAccounting(mps_pool_t pool, mps_ap_t ap)
{
  size_t total = mps_pool_total_size(pool);
  size_t free = mps_pool_free_size(pool);
  check(free <= total);
  check(total - free == liveRounded + apUnused(ap));
}

static void forget(void)
{
  blockCount = 0;
  liveRounded = 0;
}

static mps_res_t allocBlock(mps_pool_t pool, size_t size)
{
  void *p;
  mps_res_t res = mps_alloc(&p, pool, size);
  if (res != MPS_RES_OK)
    return res;
  check(((uintptr_t)p & (alignment - 1)) == 0);
  check(blockCount < BLOCKS);
  fill(p, size);
  blocks[blockCount].p = p;
  blocks[blockCount].size = size;
  ++blockCount;
  liveRounded += roundUp(size, alignment);
  return MPS_RES_OK;
}

static void freeBlock(mps_pool_t pool, size_t i)
{
  check(i < blockCount);
  verify(blocks[i].p, blocks[i].size);
  mps_free(pool, blocks[i].p, blocks[i].size);
  liveRounded -= roundUp(blocks[i].size, alignment);
  blocks[i] = blocks[--blockCount];
}

static void freeAll(mps_pool_t pool)
{
  while (blockCount > 0)
    freeBlock(pool, blockCount - 1);
}

static mps_pool_t createPool(mps_arena_t arena, size_t align, double spare,
                             mps_bool_t slotHigh, mps_bool_t arenaHigh,
                             mps_bool_t firstFit)
{
  mps_pool_t pool;
  MPS_ARGS_BEGIN(args) {
    if (align != 0)
      MPS_ARGS_ADD(args, MPS_KEY_ALIGN, align);
    if (spare >= 0.0)
      MPS_ARGS_ADD(args, MPS_KEY_SPARE, spare);
    MPS_ARGS_ADD(args, MPS_KEY_MVFF_SLOT_HIGH, slotHigh);
    MPS_ARGS_ADD(args, MPS_KEY_MVFF_ARENA_HIGH, arenaHigh);
    MPS_ARGS_ADD(args, MPS_KEY_MVFF_FIRST_FIT, firstFit);
    die(mps_pool_create_k(&pool, arena, mps_class_mvff(), args), "mps_pool_create_k");
  } MPS_ARGS_END(args);
  return pool;
}

/* Random allocation and freeing, checking after every step. */
static void churn(mps_pool_t pool, size_t ops, size_t maxSize)
{
  size_t k;
  for (k = 0; k < ops; ++k) {
    if (blockCount > 0 && (blockCount == BLOCKS || testRnd(100) < 45)) {
      freeBlock(pool, testRnd(blockCount));
    } else {
      size_t size = 1 + testRnd(testRnd(10) == 0 ? maxSize : 256);
      die(allocBlock(pool, size), "mps_alloc");
    }
    checkAccounting(pool, NULL);
  }
}

static void testBasic(mps_arena_t arena)
{
  static const size_t aligns[] = {0, sizeof(void *), 16, 32, 64, 256, 4096};
  size_t i;
  for (i = 0; i < sizeof aligns / sizeof aligns[0]; ++i) {
    mps_pool_t pool = createPool(arena, aligns[i], -1.0, 0, 0, 1);
    alignment = aligns[i] == 0 ? MPS_PF_ALIGN : aligns[i];
    if (alignment < sizeof(void *))
      alignment = sizeof(void *);
    forget();
    check(mps_pool_total_size(pool) == 0);
    check(mps_pool_free_size(pool) == 0);
    churn(pool, 3000, 20000);
    freeAll(pool);
    checkAccounting(pool, NULL);
    check(mps_pool_free_size(pool) == mps_pool_total_size(pool));
    mps_pool_destroy(pool);
  }
  printf("basic: alignments honoured, accounting exact\n");
}

/* The rules of MPS_KEY_ALIGN: violations are reported and refused. */
static int assertions = 0;

static void countingHandler(const char *file, unsigned line, const char *cond)
{
  (void)file;
  (void)line;
  (void)cond;
  ++assertions;
}

static void testBadAlign(void)
{
  mps_arena_t arena;
  mps_lib_assert_fail_t old;
  mps_pool_t pool;
  static const size_t bad[] = {24, 2, 1 << 20};
  size_t i;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_GRAIN_SIZE, 65536);
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "arena");
  } MPS_ARGS_END(args);
  /* The largest legal alignment is the grain. */
  pool = createPool(arena, 65536, -1.0, 0, 0, 1);
  alignment = 65536;
  forget();
  die(allocBlock(pool, 10), "alloc with grain alignment");
  die(allocBlock(pool, 70000), "alloc with grain alignment");
  checkAccounting(pool, NULL);
  freeAll(pool);
  mps_pool_destroy(pool);

  old = mps_lib_assert_fail_install(countingHandler);
  for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    mps_res_t res;
    int before = assertions;
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_ALIGN, bad[i]);
      res = mps_pool_create_k(&pool, arena, mps_class_mvff(), args);
    } MPS_ARGS_END(args);
    check(res == MPS_RES_PARAM);
    check(assertions == before + 1);
  }
  (void)mps_lib_assert_fail_install(old);
  mps_arena_destroy(arena);
  printf("bad alignments: refused with MPS_RES_PARAM\n");
}

/* mps_free of parts of a block, in any order. */
static void testSubRange(mps_arena_t arena)
{
  mps_pool_t pool = createPool(arena, 16, -1.0, 0, 0, 1);
  size_t total0;
  char *p;
  void *q;
  alignment = 16;
  forget();
  die(mps_alloc(&q, pool, 1024), "mps_alloc");
  p = q;
  total0 = mps_pool_total_size(pool);
  check(total0 - mps_pool_free_size(pool) == 1024);
  mps_free(pool, p + 256, 256);                 /* the middle */
  check(mps_pool_total_size(pool) - mps_pool_free_size(pool) == 768);
  mps_free(pool, p, 128);                       /* the start */
  check(mps_pool_total_size(pool) - mps_pool_free_size(pool) == 640);
  memset(p + 128, 0x11, 128);                   /* what is left is usable */
  memset(p + 512, 0x22, 512);
  mps_free(pool, p + 768, 256);                 /* the end */
  check(mps_pool_total_size(pool) - mps_pool_free_size(pool) == 384);
  mps_free(pool, p + 128, 128);
  mps_free(pool, p + 512, 256);
  check(mps_pool_total_size(pool) == mps_pool_free_size(pool));
  /* The pieces coalesce: the whole block can be had again. */
  die(allocBlock(pool, 1024), "mps_alloc after piecewise free");
  freeAll(pool);
  mps_pool_destroy(pool);
  printf("sub-range free: accounting exact, pieces coalesce\n");
}

/* The deprecated positional form. */
static void testVarargs(mps_arena_t arena)
{
  mps_pool_t pool;
  size_t k;
  char *prev = NULL;
  die(mps_pool_create(&pool, arena, mps_class_mvff(),
                      (size_t)8192, (size_t)64, (size_t)64,
                      (mps_bool_t)1, (mps_bool_t)1, (mps_bool_t)0),
      "mps_pool_create");
  alignment = 64;
  forget();
  for (k = 0; k < 200; ++k) {
    die(allocBlock(pool, 1 + testRnd(500)), "mps_alloc");
    checkAccounting(pool, NULL);
  }
  /* slot_high with first_fit false works down from the top: in a fresh
   * pool, consecutive small blocks from the first extension descend. */
  for (k = 0; k < 10; ++k) {
    if (prev != NULL && blocks[k].size <= 500)
      check(blocks[k].p < prev);
    prev = blocks[k].p;
  }
  freeAll(pool);
  checkAccounting(pool, NULL);
  mps_pool_destroy(pool);

  /* The defaults work upwards. */
  die(mps_pool_create(&pool, arena, mps_class_mvff(), (size_t)65536, (size_t)32,
                      (size_t)MPS_PF_ALIGN, (mps_bool_t)0, (mps_bool_t)0,
                      (mps_bool_t)1), "mps_pool_create");
  alignment = MPS_PF_ALIGN;
  forget();
  prev = NULL;
  for (k = 0; k < 100; ++k) {
    die(allocBlock(pool, 16), "mps_alloc");
    if (prev != NULL)
      check(blocks[blockCount - 1].p > prev);
    prev = blocks[blockCount - 1].p;
  }
  freeAll(pool);
  mps_pool_destroy(pool);
  printf("varargs: created, placement as documented\n");
}

/* Memory goes back to the arena. */
static void testReturn(void)
{
  mps_arena_t arena;
  mps_pool_t pool;
  size_t committed0, peak, k;
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  mps_arena_spare_set(arena, 0.0);              /* decommit at once */
  pool = createPool(arena, 0, 0.0, 0, 0, 1);    /* keep no free memory */
  alignment = MPS_PF_ALIGN;
  forget();
  /* Warm up the control allocator so that descriptors do not count. */
  for (k = 0; k < 3000; ++k)
    die(allocBlock(pool, 1 + testRnd(3000)), "mps_alloc");
  freeAll(pool);
  check(mps_pool_total_size(pool) == 0);
  committed0 = mps_arena_committed(arena);
  for (k = 0; k < 3000; ++k)
    die(allocBlock(pool, 1 + testRnd(3000)), "mps_alloc");
  peak = mps_arena_committed(arena);
  check(peak > committed0 + 2000 * 1000);
  /* Free in random order, checking as we go. */
  while (blockCount > 0) {
    freeBlock(pool, testRnd(blockCount));
    checkAccounting(pool, NULL);
  }
  check(mps_pool_total_size(pool) == 0);
  check(mps_pool_free_size(pool) == 0);
  check(mps_arena_committed(arena) <= committed0);
  printf("return: committed %lu -> peak %lu -> %lu after freeing all\n",
         (unsigned long)committed0, (unsigned long)peak,
         (unsigned long)mps_arena_committed(arena));

  /* Destroying a pool with live blocks gives everything back too. */
  for (k = 0; k < 1000; ++k)
    die(allocBlock(pool, 1 + testRnd(10000)), "mps_alloc");
  mps_pool_destroy(pool);
  forget();
  check(mps_arena_committed(arena) <= committed0);

  /* With the default spare fraction some free memory is kept, but not
   * more than the fraction says. */
  pool = createPool(arena, 0, -1.0, 0, 0, 1);
  for (k = 0; k < 3000; ++k)
    die(allocBlock(pool, 1 + testRnd(3000)), "mps_alloc");
  while (blockCount > 100) {
    freeBlock(pool, testRnd(blockCount));
    checkAccounting(pool, NULL);
  }
  printf("return: default spare, %lu live bytes: total %lu free %lu\n", (unsigned long)liveRounded, (unsigned long)mps_pool_total_size(pool), (unsigned long)mps_pool_free_size(pool));
  check(mps_pool_total_size(pool) < 3000 * 1500 / 2);
  freeAll(pool);
  check(mps_pool_total_size(pool) == 0);
  mps_pool_destroy(pool);
  mps_arena_destroy(arena);
}

/* Hitting the commit limit: the right error, nothing lost, and recovery. */
static void testCommitLimit(void)
{
  mps_arena_t arena;
  mps_pool_t pool;
  mps_res_t res = MPS_RES_OK;
  size_t k, freed, attempts = 0;
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  pool = createPool(arena, 0, -1.0, 0, 0, 1);
  alignment = MPS_PF_ALIGN;
  forget();
  die(allocBlock(pool, 100), "mps_alloc");
  die(mps_arena_commit_limit_set(arena, mps_arena_committed(arena) + 256 * 1024),
      "mps_arena_commit_limit_set");
  while (attempts < 100000) {
    ++attempts;
    res = allocBlock(pool, 1 + testRnd(testRnd(4) == 0 ? 20000 : 500));
    if (res != MPS_RES_OK)
      break;
    checkAccounting(pool, NULL);
  }
  check(res == MPS_RES_COMMIT_LIMIT);
  printf("commit limit: %lu blocks, then %s\n", (unsigned long)blockCount,
         testResName(res));
  checkAccounting(pool, NULL);
  for (k = 0; k < blockCount; ++k)
    verify(blocks[k].p, blocks[k].size);

  /* Repeated failures leave the pool usable. */
  for (k = 0; k < 20; ++k) {
    void *p;
    res = mps_alloc(&p, pool, 1 << 20);
    check(res == MPS_RES_COMMIT_LIMIT);
    checkAccounting(pool, NULL);
  }

  /* Freeing makes room again. */
  for (freed = 0; blockCount > 0 && freed < 64 * 1024; ) {
    size_t i = testRnd(blockCount);
    freed += blocks[i].size;
    freeBlock(pool, i);
    checkAccounting(pool, NULL);
  }
  for (k = 0; k < 20; ++k)
    die(allocBlock(pool, 1 + testRnd(500)), "mps_alloc after freeing");
  checkAccounting(pool, NULL);

  /* Raising the limit makes room too. */
  {
    void *p;
    check(mps_alloc(&p, pool, 1 << 20) == MPS_RES_COMMIT_LIMIT);
  }
  die(mps_arena_commit_limit_set(arena, (size_t)-1), "mps_arena_commit_limit_set");
  die(allocBlock(pool, 1 << 20), "mps_alloc after raising the limit");
  for (k = 0; k < blockCount; ++k)
    verify(blocks[k].p, blocks[k].size);
  checkAccounting(pool, NULL);
  freeAll(pool);
  mps_pool_destroy(pool);
  mps_arena_destroy(arena);
}

/* Allocation points at the commit limit: the reservation fails with the
 * right code, the pool stays consistent, and freeing makes room. */
static void testAPCommitLimit(void)
{
  mps_arena_t arena;
  mps_pool_t pool;
  mps_ap_t ap;
  mps_res_t res = MPS_RES_OK;
  size_t k, reserved = 0;
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  pool = createPool(arena, 0, -1.0, 0, 0, 1);
  alignment = MPS_PF_ALIGN;
  forget();
  die(mps_ap_create_k(&ap, pool, mps_args_none), "mps_ap_create_k");
  for (k = 0; k < 200; ++k)
    die(allocBlock(pool, 1 + testRnd(3000)), "mps_alloc");
  die(mps_arena_commit_limit_set(arena, mps_arena_committed(arena) + 128 * 1024),
      "mps_arena_commit_limit_set");
  for (k = 0; k < 100000; ++k) {
    mps_addr_t p;
    size_t size = roundUp(1 + testRnd(8000), alignment);
    res = mps_reserve(&p, ap, size);
    if (res != MPS_RES_OK)
      break;
    fill(p, size);
    check(blockCount < BLOCKS);
    if (mps_commit(ap, p, size)) {
      blocks[blockCount].p = p;
      blocks[blockCount].size = size;
      ++blockCount;
      liveRounded += size;
      reserved += size;
    }
    checkAccounting(pool, ap);
  }
  check(res == MPS_RES_COMMIT_LIMIT);
  checkAccounting(pool, ap);
  for (k = 0; k < blockCount; ++k)
    verify(blocks[k].p, blocks[k].size);
  /* Free everything allocated with mps_alloc or the AP: room again. */
  freeAll(pool);
  checkAccounting(pool, ap);
  for (k = 0; k < 50; ++k) {
    mps_addr_t p;
    size_t size = roundUp(1 + testRnd(3000), alignment);
    do {
      die(mps_reserve(&p, ap, size), "mps_reserve after freeing");
    } while (!mps_commit(ap, p, size));
    fill(p, size);
    blocks[blockCount].p = p;
    blocks[blockCount].size = size;
    ++blockCount;
    liveRounded += size;
    checkAccounting(pool, ap);
  }
  mps_ap_destroy(ap);
  freeAll(pool);
  checkAccounting(pool, NULL);
  mps_pool_destroy(pool);
  mps_arena_destroy(arena);
  printf("allocation points at the commit limit: %lu bytes, then %s, then room\n",
         (unsigned long)reserved, testResName(res));
}

/* Allocation points, mixed with mps_alloc. */
static void testAP(mps_arena_t arena)
{
  mps_pool_t pool = createPool(arena, 32, -1.0, 0, 0, 1);
  mps_ap_t ap;
  mps_frame_t frame;
  size_t k;
  alignment = 32;
  forget();
  die(mps_ap_create_k(&ap, pool, mps_args_none), "mps_ap_create_k");
  checkAccounting(pool, ap);
  for (k = 0; k < 4000; ++k) {
    unsigned long op = testRnd(10);
    if (op < 5 && blockCount < BLOCKS) {
      size_t size = roundUp(1 + testRnd(testRnd(20) == 0 ? 100000 : 300), 32);
      mps_addr_t p;
      mps_res_t res;
      do {
        if (op < 2) {
          MPS_RESERVE_BLOCK(res, p, ap, size);
        } else {
          res = mps_reserve(&p, ap, size);
        }
        die(res, "mps_reserve");
        check(((uintptr_t)p & 31) == 0);
        fill(p, size);
      } while (!mps_commit(ap, p, size));
      blocks[blockCount].p = p;
      blocks[blockCount].size = size;
      ++blockCount;
      liveRounded += size;
    } else if (op < 7 && blockCount < BLOCKS) {
      die(allocBlock(pool, 1 + testRnd(2000)), "mps_alloc");
    } else if (blockCount > 0) {
      freeBlock(pool, testRnd(blockCount));
    }
    checkAccounting(pool, ap);
    if (k % 500 == 0) {
      die(mps_ap_frame_push(&frame, ap), "mps_ap_frame_push");
      die(mps_ap_frame_pop(ap, frame), "mps_ap_frame_pop");
    }
  }
  mps_ap_destroy(ap);
  checkAccounting(pool, NULL);
  for (k = 0; k < blockCount; ++k)
    verify(blocks[k].p, blocks[k].size);
  freeAll(pool);
  check(mps_pool_free_size(pool) == mps_pool_total_size(pool));
  mps_pool_destroy(pool);
  printf("allocation points: reserve/commit, mixed with mps_alloc\n");
}

/* Requests no arena can meet fail cleanly. */
static void testHuge(mps_arena_t arena)
{
  mps_pool_t pool = createPool(arena, 0, -1.0, 0, 0, 1);
  void *p;
  alignment = MPS_PF_ALIGN;
  forget();
  die(allocBlock(pool, 1000), "mps_alloc");
  check(mps_alloc(&p, pool, (size_t)-1 / 2) != MPS_RES_OK);
  check(mps_alloc(&p, pool, (size_t)-1 - 4096) != MPS_RES_OK);
  check(mps_alloc(&p, pool, (size_t)-1 / 4 + 1) != MPS_RES_OK);
  checkAccounting(pool, NULL);
  die(allocBlock(pool, 1000), "mps_alloc");
  freeAll(pool);
  mps_pool_destroy(pool);
}

int main(int argc, char *argv[])
{
  mps_arena_t arena;
  testInit(argc, argv);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none),
      "mps_arena_create_k");
  testBasic(arena);
  testSubRange(arena);
  testVarargs(arena);
  testAP(arena);
  testHuge(arena);
  check(mps_collections(arena) == 0);
  mps_arena_destroy(arena);
  testBadAlign();
  testReturn();
  testCommitLimit();
  testAPCommitLimit();
  return testPass();
}

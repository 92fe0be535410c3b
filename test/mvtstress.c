/* mvtstress.c: random allocation and freeing in MVT pools
 *
 * For several parameter sets, thousands of random operations: allocate a
 * block of random size (mostly within the size hints, some larger)
 * through one of 1-3 allocation points, or free a random live block,
 * whole or in pieces (a piece from its middle, leaving two live pieces).
 * Every block is filled with a pattern made from its tag and each word's
 * address, and checked before it is freed and in periodic sweeps, so a
 * block placed over another, or memory handed out twice, is caught.  The
 * accounting identity of the contract (section 5) is checked periodically,
 * and one parameter set runs under a tight commit limit, where allocation
 * must fail with exactly MPS_RES_COMMIT_LIMIT and recover after frees.
 */

#include "testlib.h"
#include "mpsavm.h"
#include "mpscmvt.h"
#include "mpstd.h"
#include <string.h>

#define APS_MAX 3
#define LIVE_MAX 3000
#define OPS 12000

typedef struct piece_s {
  char *base;
  size_t size;                  /* aligned */
  unsigned long tag;
} piece_s;

typedef struct params_s {
  const char *name;
  int positional;               /* create with mps_pool_create */
  size_t align, minSize, meanSize, maxSize;
  size_t reserveDepth;
  double fragLimit;
  int tightLimit;               /* run near the commit limit */
} params_s;

static piece_s live[LIVE_MAX];
static size_t liveCount;
static size_t liveBytes;

static size_t alignUp(size_t size, size_t align)
{
  return (size + align - 1) & ~(align - 1);
}

static mps_word_t patternWord(mps_word_t *w, unsigned long tag)
{
  return (mps_word_t)w ^ (mps_word_t)(tag * 0x9E3779B97F4A7C15UL) ^ 0x5A5A5A5AUL;
}

static void fill(char *p, size_t size, unsigned long tag)
{
  mps_word_t *w = (mps_word_t *)(void *)p;
  size_t i;
  for (i = 0; i < size / sizeof(mps_word_t); ++i)
    w[i] = patternWord(&w[i], tag);
}

static void checkPiece(piece_s *piece)
{
  mps_word_t *w = (mps_word_t *)(void *)piece->base;
  size_t i;
  for (i = 0; i < piece->size / sizeof(mps_word_t); ++i)
    if (w[i] != patternWord(&w[i], piece->tag)) {
      fprintf(stderr, "block %p+%lu (tag %lu) spoilt at word %lu\n", (void *)piece->base,
              (unsigned long)piece->size, piece->tag, (unsigned long)i);
      check(w[i] == patternWord(&w[i], piece->tag));
    }
}

static void checkAccounting(mps_pool_t pool, mps_ap_t ap[], size_t aps)
{
  size_t total = mps_pool_total_size(pool);
  size_t free = mps_pool_free_size(pool);
  size_t inBuffers = 0, i;
  for (i = 0; i < aps; ++i)
    inBuffers += (size_t)((char *)ap[i]->limit - (char *)ap[i]->init);
  check(free <= total);
  if (total - free != liveBytes + inBuffers) {
    fprintf(stderr, "total %lu free %lu live %lu buffers %lu\n", (unsigned long)total,
            (unsigned long)free, (unsigned long)liveBytes, (unsigned long)inBuffers);
    check(total - free == liveBytes + inBuffers);
  }
}

/* Sizes mostly around the mean, some anywhere up to the maximum, a few
 * beyond it. */
static size_t randomSize(const params_s *p)
{
  unsigned long r = testRnd(100);
  size_t size;
  if (r < 60)
    size = p->minSize + testRnd(2 * p->meanSize);
  else if (r < 96)
    size = p->minSize + testRnd(p->maxSize - p->minSize + 1);
  else
    size = p->maxSize + 1 + testRnd(3 * p->maxSize);
  return alignUp(size, p->align);
}

static mps_res_t allocate(const params_s *p, mps_ap_t ap, size_t size, unsigned long tag)
{
  mps_addr_t addr;
  mps_res_t res;
  do {
    res = mps_reserve(&addr, ap, size);
    if (res != MPS_RES_OK)
      return res;
    fill(addr, size, tag);
  } while (!mps_commit(ap, addr, size));
  check(((mps_word_t)addr & (p->align - 1)) == 0);
  check(liveCount < LIVE_MAX);
  live[liveCount].base = addr;
  live[liveCount].size = size;
  live[liveCount].tag = tag;
  ++liveCount;
  liveBytes += size;
  return MPS_RES_OK;
}

static void dropPiece(size_t i)
{
  live[i] = live[--liveCount];
}

/* Free live piece i: whole, or a random aligned part of it, keeping what
 * is left on either side as live pieces.  Sometimes the size passed is
 * not a multiple of the alignment (the pool rounds it up). */
static void release(const params_s *p, mps_pool_t pool, size_t i)
{
  piece_s piece = live[i];
  size_t units = piece.size / p->align;
  size_t from = 0, to = units, passed;
  checkPiece(&piece);
  if (units >= 3 && testRnd(3) == 0 && liveCount < LIVE_MAX) {
    from = testRnd(units - 1);
    to = from + 1 + testRnd(units - from);
  }
  passed = (to - from) * p->align;
  if (testRnd(4) == 0)
    passed -= testRnd(p->align);
  mps_free(pool, piece.base + from * p->align, passed);
  liveBytes -= (to - from) * p->align;
  dropPiece(i);
  if (from > 0) {
    live[liveCount] = piece;
    live[liveCount].size = from * p->align;
    ++liveCount;
  }
  if (to < units) {
    live[liveCount] = piece;
    live[liveCount].base = piece.base + to * p->align;
    live[liveCount].size = (units - to) * p->align;
    ++liveCount;
  }
}

static void run(mps_arena_t arena, const params_s *p)
{
  mps_pool_t pool;
  mps_ap_t ap[APS_MAX];
  size_t aps = 1 + testRnd(APS_MAX), i, op;
  unsigned long tag = 0, limitFailures = 0;
  size_t peak = 0, peakLive = 0;

  if (p->positional) {
    die(mps_pool_create(&pool, arena, mps_class_mvt(), p->minSize, p->meanSize,
                        p->maxSize, (mps_word_t)p->reserveDepth,
                        (mps_word_t)(p->fragLimit * 100.0 + 0.5)),
        "mps_pool_create");
  } else {
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_ALIGN, p->align);
      MPS_ARGS_ADD(args, MPS_KEY_MIN_SIZE, p->minSize);
      MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, p->meanSize);
      MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, p->maxSize);
      MPS_ARGS_ADD(args, MPS_KEY_MVT_RESERVE_DEPTH, p->reserveDepth);
      MPS_ARGS_ADD(args, MPS_KEY_MVT_FRAG_LIMIT, p->fragLimit);
      die(mps_pool_create_k(&pool, arena, mps_class_mvt(), args), "mps_pool_create_k");
    } MPS_ARGS_END(args);
  }
  for (i = 0; i < aps; ++i)
    die(mps_ap_create_k(&ap[i], pool, mps_args_none), "mps_ap_create_k");
  if (p->tightLimit)
    check(mps_arena_commit_limit_set(arena, mps_arena_committed(arena) + 512 * 1024)
          == MPS_RES_OK);

  liveCount = 0;
  liveBytes = 0;
  for (op = 0; op < OPS; ++op) {
    /* Phases of growth and shrinkage, so that free memory both piles up
     * and gets reused. */
    unsigned long allocPercent = (op / 2000) % 2 == 0 ? 65 : 35;
    if (liveCount + 2 < LIVE_MAX && (liveCount == 0 || testRnd(100) < allocPercent)) {
      size_t size = randomSize(p);
      mps_res_t res = allocate(p, ap[testRnd(aps)], size, ++tag);
      if (res != MPS_RES_OK) {
        /* Only the commit limit may refuse; free some and carry on. */
        check(p->tightLimit);
        if (res != MPS_RES_COMMIT_LIMIT)
          die(res, "mps_reserve");
        ++limitFailures;
        for (i = 0; i < 20 && liveCount > 0; ++i)
          release(p, pool, testRnd(liveCount));
      }
    } else if (liveCount > 0) {
      release(p, pool, testRnd(liveCount));
    }
    if (op % 97 == 0)
      checkAccounting(pool, ap, aps);
    if (op % 1500 == 0) {
      for (i = 0; i < liveCount; ++i)
        checkPiece(&live[i]);
    }
    if (op % 1000 == 999) {
      /* A fresh allocation point gives its old buffer back. */
      size_t k = testRnd(aps);
      mps_res_t res;
      mps_ap_destroy(ap[k]);
      while ((res = mps_ap_create_k(&ap[k], pool, mps_args_none)) != MPS_RES_OK) {
        /* Its descriptor needs memory too. */
        check(p->tightLimit && res == MPS_RES_COMMIT_LIMIT && liveCount > 0);
        for (i = 0; i < 50 && liveCount > 0; ++i)
          release(p, pool, testRnd(liveCount));
      }
      checkAccounting(pool, ap, aps);
    }
    if (mps_pool_total_size(pool) > peak)
      peak = mps_pool_total_size(pool);
    if (liveBytes > peakLive)
      peakLive = liveBytes;
  }

  for (i = 0; i < liveCount; ++i)
    checkPiece(&live[i]);
  checkAccounting(pool, ap, aps);
  while (liveCount > 0)
    release(p, pool, liveCount - 1);
  for (i = 0; i < aps; ++i)
    mps_ap_destroy(ap[i]);
  liveBytes = 0;
  checkAccounting(pool, ap, 0);
  /* All free: whatever exceeds the reserve has gone back to the arena. */
  check(mps_pool_free_size(pool) == mps_pool_total_size(pool));
  check(mps_pool_total_size(pool) <= p->reserveDepth * alignUp(p->meanSize, p->align));
  if (p->tightLimit) {
    check(limitFailures > 0);
    check(mps_arena_commit_limit_set(arena, (size_t)-1) == MPS_RES_OK);
  }
  printf("%s: %lu APs, peak %lu bytes (live %lu), %lu commit-limit failures, %lu left\n",
         p->name, (unsigned long)aps, (unsigned long)peak, (unsigned long)peakLive,
         limitFailures,
         (unsigned long)mps_pool_total_size(pool));
  mps_pool_destroy(pool);
}

static const params_s paramSets[] = {
  {"defaults", 0, MPS_PF_ALIGN, MPS_PF_ALIGN, 32, 8192, 1024, 0.3, 0},
  {"small first fit", 0, sizeof(void *), sizeof(void *), 48, 512, 16, 0.0, 0},
  {"no fallback", 0, 32, 32, 256, 4096, 0, 1.0, 0},
  {"positional", 1, MPS_PF_ALIGN, 16, 100, 2000, 100, 0.5, 0},
  {"wide align", 0, 256, 256, 512, 2048, 64, 0.2, 0},
  {"commit limit", 0, MPS_PF_ALIGN, MPS_PF_ALIGN, 64, 2048, 256, 0.3, 1},
};

int main(int argc, char *argv[])
{
  mps_arena_t arena;
  size_t k;
  testInit(argc, argv);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, 64 << 20);
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "mps_arena_create_k");
  } MPS_ARGS_END(args);
  for (k = 0; k < sizeof paramSets / sizeof paramSets[0]; ++k)
    run(arena, &paramSets[k]);
  mps_arena_destroy(arena);
  return testPass();
}

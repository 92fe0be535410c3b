/* mvttest.c: unit tests of the MVT pool class through the public interface
 *
 * Each test keeps its own record of the bytes it holds, so that the
 * accounting identity of the contract (section 5),
 *     total - free = sum of live blocks (rounded to the alignment)
 *                    + sum over allocation points of (limit - init),
 * can be checked after every operation.  Blocks carry patterns that are
 * checked before they are freed, so that overlapping placement shows.
 */

#include "testlib.h"
#include "mpsavm.h"
#include "mpscmvt.h"
#include "mpstd.h"
#include "mpslib.h"
#include <string.h>
#include <unistd.h>
#include <math.h>

#define APS_MAX 3

/* What one test knows about its pool. */
typedef struct state_s {
  mps_arena_t arena;
  mps_pool_t pool;
  mps_ap_t ap[APS_MAX];
  size_t aps;
  size_t align;
  size_t live;          /* bytes of live blocks, rounded to align */
} state_s;

static size_t alignUp(size_t size, size_t align)
{
  return (size + align - 1) & ~(align - 1);
}

/* The arena grain: what the VM arena makes of a 4096-byte request. */
static size_t grainSize(void)
{
  long page = sysconf(_SC_PAGESIZE);
  return page > 4096 ? (size_t)page : 4096;
}

static mps_arena_t makeArena(void)
{
  mps_arena_t arena;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, 64 << 20);
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_GRAIN_SIZE, 4096);
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "mps_arena_create_k");
  } MPS_ARGS_END(args);
  return arena;
}

static void checkAccounting(state_s *s)
{
  size_t total = mps_pool_total_size(s->pool);
  size_t free = mps_pool_free_size(s->pool);
  size_t inBuffers = 0, i;
  for (i = 0; i < s->aps; ++i)
    if (s->ap[i] != NULL)
      inBuffers += (size_t)((char *)s->ap[i]->limit - (char *)s->ap[i]->init);
  check(free <= total);
  if (total - free != s->live + inBuffers) {
    fprintf(stderr, "total %lu free %lu live %lu buffers %lu\n", (unsigned long)total,
            (unsigned long)free, (unsigned long)s->live, (unsigned long)inBuffers);
    check(total - free == s->live + inBuffers);
  }
}

/* A pattern that depends on the block's tag and the word's address, so
 * that a block placed over another spoils the other's pattern. */
static void fill(void *p, size_t size, unsigned long tag)
{
  mps_word_t *w = p;
  size_t i;
  for (i = 0; i < size / sizeof(mps_word_t); ++i)
    w[i] = (mps_word_t)&w[i] ^ (mps_word_t)(tag * 0x9E3779B97F4A7C15UL);
}

static int intact(void *p, size_t size, unsigned long tag)
{
  mps_word_t *w = p;
  size_t i;
  for (i = 0; i < size / sizeof(mps_word_t); ++i)
    if (w[i] != ((mps_word_t)&w[i] ^ (mps_word_t)(tag * 0x9E3779B97F4A7C15UL)))
      return 0;
  return 1;
}

static mps_res_t tryAlloc(void **pReturn, state_s *s, size_t apIndex, size_t size,
                          unsigned long tag)
{
  mps_ap_t ap = s->ap[apIndex];
  mps_addr_t p;
  mps_res_t res;
  check(size % s->align == 0);
  do {
    res = mps_reserve(&p, ap, size);
    if (res != MPS_RES_OK)
      return res;
    fill(p, size, tag);
  } while (!mps_commit(ap, p, size));
  check(((mps_word_t)p & (s->align - 1)) == 0);
  s->live += size;
  checkAccounting(s);
  *pReturn = p;
  return MPS_RES_OK;
}

static void *alloc(state_s *s, size_t apIndex, size_t size, unsigned long tag)
{
  void *p;
  mps_pool_t owner;
  die(tryAlloc(&p, s, apIndex, size, tag), "mps_reserve");
  check(mps_addr_pool(&owner, s->arena, p) && owner == s->pool);
  return p;
}

/* Free [p, p+size) after checking its pattern; size need not be aligned. */
static void release(state_s *s, void *p, size_t size, unsigned long tag)
{
  check(intact(p, alignUp(size, s->align), tag));
  mps_free(s->pool, p, size);
  s->live -= alignUp(size, s->align);
  checkAccounting(s);
}

static void openPool(state_s *s, mps_arena_t arena, size_t aps, mps_arg_s args[])
{
  size_t i;
  memset(s, 0, sizeof *s);
  s->arena = arena;
  die(mps_pool_create_k(&s->pool, arena, mps_class_mvt(), args), "mps_pool_create_k");
  s->aps = aps;
  for (i = 0; i < aps; ++i)
    die(mps_ap_create_k(&s->ap[i], s->pool, mps_args_none), "mps_ap_create_k");
  s->align = MPS_PF_ALIGN;
  checkAccounting(s);
}

static void closeAP(state_s *s, size_t i)
{
  mps_ap_destroy(s->ap[i]);
  s->ap[i] = NULL;
  checkAccounting(s);
}

static void closePool(state_s *s)
{
  size_t i;
  for (i = 0; i < s->aps; ++i)
    if (s->ap[i] != NULL)
      closeAP(s, i);
  mps_pool_destroy(s->pool);
}


/* Ordinary use: various sizes, two allocation points, whole and partial
 * frees, unaligned free sizes, a non-default alignment. */
static void testBasic(mps_arena_t arena, size_t align)
{
  enum { N = 300 };
  static void *block[N];
  static size_t size[N];
  state_s s;
  size_t i, maxSize = 1024;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ALIGN, align);
    MPS_ARGS_ADD(args, MPS_KEY_MIN_SIZE, align);
    MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, 64);
    MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, maxSize);
    openPool(&s, arena, 2, args);
  } MPS_ARGS_END(args);
  s.align = align;

  for (i = 0; i < N; ++i) {
    /* Mostly within the hints, every tenth larger than the maximum. */
    size[i] = i % 10 == 9 ? maxSize + 1 + testRnd(5 * maxSize) : 1 + testRnd(maxSize);
    size[i] = alignUp(size[i], align);
    block[i] = alloc(&s, i % 2, size[i], i);
  }
  /* No two blocks overlap: every pattern is still there. */
  for (i = 0; i < N; ++i)
    check(intact(block[i], size[i], i));

  for (i = 0; i < N; i += 3) {
    char *p = block[i];
    size_t third = alignUp(size[i] / 3, align);
    if (size[i] >= 3 * align && 2 * third < size[i]) {
      /* Middle first, then the two ends; the last with an unaligned
       * size, which the pool rounds up. */
      release(&s, p + third, third, i);
      release(&s, p, third, i);
      release(&s, p + 2 * third, size[i] - 2 * third - (align > 8 ? 3 : 0), i);
    } else {
      release(&s, p, size[i], i);
    }
    block[i] = NULL;
  }
  /* Fresh blocks among the holes. */
  for (i = 0; i < N; i += 3) {
    size[i] = alignUp(1 + testRnd(maxSize), align);
    block[i] = alloc(&s, testRnd(2), size[i], i);
  }
  for (i = 0; i < N; ++i)
    check(intact(block[i], size[i], i));
  for (i = 0; i < N; ++i)
    release(&s, block[i], size[i], i);
  closePool(&s);
  printf("basic (align %lu): ok\n", (unsigned long)align);
}


/* A block larger than the maximum size gets grains of its own, and they go
 * back to the arena when it is freed whole. */
static void testLarge(mps_arena_t arena)
{
  state_s s;
  size_t grain = grainSize();
  size_t big = 5 * grain, odd = 3 * grain + 4 * MPS_PF_ALIGN;
  size_t total0, total1;
  void *small, *p, *q;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, 1024);
    openPool(&s, arena, 1, args);
  } MPS_ARGS_END(args);

  small = alloc(&s, 0, 64, 1);
  total0 = mps_pool_total_size(s.pool);
  p = alloc(&s, 0, big, 2);
  total1 = mps_pool_total_size(s.pool);
  check(total1 == total0 + big);          /* exactly its own grains */
  check((mps_word_t)p % grain == 0);
  check((char *)s.ap[0]->limit == (char *)p + big);
  release(&s, p, big, 2);
  check(mps_pool_total_size(s.pool) == total0);

  /* Not a multiple of the grain: the tail of its last grain is the
   * buffer's until the buffer moves on. */
  q = alloc(&s, 0, odd, 3);
  check(mps_pool_total_size(s.pool) == total0 + alignUp(odd, grain));
  release(&s, q, odd, 3);
  check(mps_pool_total_size(s.pool) <= total0 + grain);
  check(mps_pool_total_size(s.pool) >= total0);
  release(&s, small, 64, 1);
  closePool(&s);
  printf("large: ok\n");
}


/* Scattered holes are reused when the fragmentation limit says the pool
 * holds too much free memory, and not otherwise.  The pool has max size
 * 1024 and mean size 32.  Returns how many new blocks went into holes;
 * *grewReturn says whether the pool took more memory from the arena. */
static size_t reuseScenario(int *grewReturn, state_s *s)
{
  enum { N = 2000, M = 500, SIZE = 64 };
  static char *block[N];
  size_t i, j, inHoles = 0, total;
  for (i = 0; i < N; ++i)
    block[i] = alloc(s, 0, SIZE, i);
  /* Every other block goes: 64-byte holes that cannot coalesce. */
  for (i = 1; i < N; i += 2)
    release(s, block[i], SIZE, i);
  total = mps_pool_total_size(s->pool);
  for (j = 0; j < M; ++j) {
    char *p = alloc(s, 0, SIZE, N + j);
    for (i = 1; i < N - 1; i += 2)
      if (p == block[i]) {
        ++inHoles;
        break;
      }
  }
  for (i = 0; i < N; i += 2)
    check(intact(block[i], SIZE, i));
  check(mps_pool_total_size(s->pool) >= total);
  *grewReturn = mps_pool_total_size(s->pool) > total;
  return inHoles;
}

static void testFragLimit(mps_arena_t arena)
{
  state_s s;
  double limits[] = {0.0, 0.3, 1.0};
  size_t k, inHoles;
  int grew;
  for (k = 0; k < sizeof limits / sizeof limits[0]; ++k) {
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, 32);
      MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, 1024);
      MPS_ARGS_ADD(args, MPS_KEY_MVT_RESERVE_DEPTH, 100000);
      MPS_ARGS_ADD(args, MPS_KEY_MVT_FRAG_LIMIT, limits[k]);
      openPool(&s, arena, 1, args);
    } MPS_ARGS_END(args);
    inHoles = reuseScenario(&grew, &s);
    if (limits[k] == 0.0) {
      /* Always first fit: the pool needs no new memory. */
      check(!grew && inHoles >= 400);
    } else if (limits[k] == 1.0) {
      /* Never: the holes stay empty and the pool grows. */
      check(grew && inHoles == 0);
    } else {
      /* Holes are filled until free memory is back under the limit:
       * 64000 free bytes of 131072, the limit 30% of that. */
      check(inHoles >= 300 && inHoles <= 400);
    }
    closePool(&s);
  }

  /* The positional form takes the limit as a percentage. */
  {
    mps_word_t percent[] = {0, 100};
    for (k = 0; k < 2; ++k) {
      memset(&s, 0, sizeof s);
      s.arena = arena;
      die(mps_pool_create(&s.pool, arena, mps_class_mvt(), (size_t)16, (size_t)32,
                          (size_t)1024, (mps_word_t)100000, percent[k]),
          "mps_pool_create");
      s.aps = 1;
      s.align = MPS_PF_ALIGN;
      /* Like MPS's own tests, pass a rank, which MVT ignores. */
      die(mps_ap_create(&s.ap[0], s.pool, (mps_rank_t)1), "mps_ap_create");
      inHoles = reuseScenario(&grew, &s);
      check(k == 0 ? !grew && inHoles >= 400 : grew && inHoles == 0);
      closePool(&s);
    }
  }
  printf("fragmentation limit: ok\n");
}


/* Large free spans are reused whatever the fragmentation limit, the
 * oldest first: not the lowest, not the largest. */
static void testTemporal(mps_arena_t arena)
{
  enum { N = 1000, SIZE = 64 };
  static char *block[N];
  state_s s;
  size_t i;
  char *p;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, 32);
    MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, 1024);
    MPS_ARGS_ADD(args, MPS_KEY_MVT_RESERVE_DEPTH, 100000);
    MPS_ARGS_ADD(args, MPS_KEY_MVT_FRAG_LIMIT, 1.0);
    openPool(&s, arena, 1, args);
  } MPS_ARGS_END(args);
  for (i = 0; i < N; ++i)
    block[i] = alloc(&s, 0, SIZE, i);
  check(block[700] > block[100]);
  /* Older and higher: blocks 700..739 (2560 bytes). */
  for (i = 700; i < 740; ++i)
    release(&s, block[i], SIZE, i);
  /* Newer, lower and larger: blocks 100..199 (6400 bytes). */
  for (i = 100; i < 200; ++i)
    release(&s, block[i], SIZE, i);
  /* A new buffer: its first block goes to the oldest span. */
  closeAP(&s, 0);
  die(mps_ap_create_k(&s.ap[0], s.pool, mps_args_none), "mps_ap_create_k");
  p = alloc(&s, 0, SIZE, N);
  check(p >= block[700] && p < block[739] + SIZE);
  /* Consecutive allocations sit side by side. */
  check(alloc(&s, 0, SIZE, N + 1) == p + SIZE);
  release(&s, p + SIZE, SIZE, N + 1);
  release(&s, p, SIZE, N);
  for (i = 0; i < N; ++i)
    if (i < 100 || (i >= 200 && i < 700) || i >= 740)
      release(&s, block[i], SIZE, i);
  closePool(&s);
  printf("temporal: ok\n");
}


/* Free memory beyond reserve depth x mean size goes back to the arena;
 * depth 0 keeps none. */
static void testReserve(mps_arena_t arena)
{
  enum { N = 3000, SIZE = 96 };
  static char *block[N];
  size_t depths[] = {0, 1024, 100};
  size_t k, i, grain = grainSize();
  for (k = 0; k < sizeof depths / sizeof depths[0]; ++k) {
    state_s s;
    size_t reserve = depths[k] * 32;
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, 32);
      MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, 2048);
      MPS_ARGS_ADD(args, MPS_KEY_MVT_RESERVE_DEPTH, depths[k]);
      openPool(&s, arena, 1, args);
    } MPS_ARGS_END(args);
    for (i = 0; i < N; ++i)
      block[i] = alloc(&s, 0, SIZE, i);
    check(mps_pool_total_size(s.pool) >= N * SIZE);
    for (i = 0; i < N; ++i)
      release(&s, block[(i * 7) % N], SIZE, (i * 7) % N);
    closeAP(&s, 0);
    /* Everything is free and coalesced into whole grains. */
    check(mps_pool_free_size(s.pool) == mps_pool_total_size(s.pool));
    check(mps_pool_total_size(s.pool) <= reserve);
    check(mps_pool_total_size(s.pool) + grain > reserve);
    closePool(&s);
  }
  printf("reserve depth: ok\n");
}


/* Invalid keyword arguments are refused with MPS_RES_PARAM after telling
 * the assertion handler which rule was broken. */

static char lastMessage[512];
static unsigned failures = 0;

static void recordFailure(const char *file, unsigned line, const char *condition)
{
  (void)file;
  (void)line;
  snprintf(lastMessage, sizeof lastMessage, "%s", condition);
  ++failures;
}

static void expectRefusal(mps_arena_t arena, mps_arg_s args[], const char *words)
{
  mps_pool_t pool = (mps_pool_t)&failures;   /* must be left alone */
  unsigned before = failures;
  lastMessage[0] = '\0';
  check(mps_pool_create_k(&pool, arena, mps_class_mvt(), args) == MPS_RES_PARAM);
  check(pool == (mps_pool_t)&failures);
  check(failures == before + 1);
  if (strstr(lastMessage, words) == NULL) {
    fprintf(stderr, "message \"%s\" lacks \"%s\"\n", lastMessage, words);
    check(strstr(lastMessage, words) != NULL);
  }
}

static void testInvalid(mps_arena_t arena)
{
  mps_lib_assert_fail_t old = mps_lib_assert_fail_install(recordFailure);
  mps_pool_t pool;
  mps_ap_t ap;
  mps_addr_t p = NULL;

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ALIGN, 24);
    expectRefusal(arena, args, "align");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ALIGN, sizeof(void *) / 2);
    expectRefusal(arena, args, "align");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ALIGN, (size_t)1 << 24);   /* beyond the grain */
    expectRefusal(arena, args, "grain");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MIN_SIZE, 0);
    expectRefusal(arena, args, "minSize");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MIN_SIZE, 64);
    MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, 32);
    expectRefusal(arena, args, "minSize <= meanSize");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, 4096);
    MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, 1024);
    expectRefusal(arena, args, "meanSize <= maxSize");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MVT_FRAG_LIMIT, 1.5);
    expectRefusal(arena, args, "fragLimit");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MVT_FRAG_LIMIT, -0.01);
    expectRefusal(arena, args, "fragLimit");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MVT_FRAG_LIMIT, NAN);
    expectRefusal(arena, args, "fragLimit");
  } MPS_ARGS_END(args);
  /* A percentage over 100 in the positional form. */
  {
    unsigned before = failures;
    check(mps_pool_create(&pool, arena, mps_class_mvt(), (size_t)8, (size_t)32,
                          (size_t)1024, (mps_word_t)10, (mps_word_t)101) == MPS_RES_PARAM);
    check(failures == before + 1 && strstr(lastMessage, "fragLimit") != NULL);
  }
  check(failures == 10);

  /* Reserve depth 0, the limits 0 and 1 and the boundaries of the size
   * hints are all acceptable. */
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MIN_SIZE, 64);
    MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, 64);
    MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, 64);
    MPS_ARGS_ADD(args, MPS_KEY_MVT_RESERVE_DEPTH, 0);
    MPS_ARGS_ADD(args, MPS_KEY_MVT_FRAG_LIMIT, 0.0);
    MPS_ARGS_ADD(args, MPS_KEY_ALIGN, sizeof(void *));
    die(mps_pool_create_k(&pool, arena, mps_class_mvt(), args), "mps_pool_create_k");
    check(args[0].key == MPS_KEY_ARGS_END);   /* every key consumed */
  } MPS_ARGS_END(args);
  mps_pool_destroy(pool);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MVT_FRAG_LIMIT, 1.0);
    MPS_ARGS_ADD(args, MPS_KEY_ALIGN, 4096);
    die(mps_pool_create_k(&pool, arena, mps_class_mvt(), args), "mps_pool_create_k");
  } MPS_ARGS_END(args);

  /* mps_alloc is not for MVT. */
  check(mps_alloc(&p, pool, 64) == MPS_RES_UNIMPL);
  check(p == NULL);
  check(failures == 11);

  /* Frames and allocation patterns are accepted and harmless. */
  die(mps_ap_create_k(&ap, pool, mps_args_none), "mps_ap_create_k");
  {
    mps_frame_t frame;
    die(mps_ap_frame_push(&frame, ap), "mps_ap_frame_push");
    do {
      die(mps_reserve(&p, ap, 4096), "mps_reserve");
    } while (!mps_commit(ap, p, 4096));
    check(((mps_word_t)p & 4095) == 0);
    die(mps_ap_frame_pop(ap, frame), "mps_ap_frame_pop");
    die(mps_ap_alloc_pattern_begin(ap, mps_alloc_pattern_ramp()), "pattern begin");
    die(mps_ap_alloc_pattern_end(ap, mps_alloc_pattern_ramp()), "pattern end");
    mps_free(pool, p, 4096);
  }
  check(failures == 11);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_lib_assert_fail_install(old);
  printf("invalid arguments: ok\n");
}


/* At the commit limit allocation fails with MPS_RES_COMMIT_LIMIT, but
 * only once the pool has used every free byte it holds (even with the
 * fragmentation limit at 1, which otherwise keeps small holes unused);
 * nothing is lost, and raising the limit lets allocation go on. */
static void testCommitLimit(void)
{
  enum { N = 4000, HOLES = 40, UNIT = 64 };
  static char *block[N];
  static size_t size[N];
  mps_arena_t arena = makeArena();
  state_s s;
  size_t n = 0, i, total, reused;
  mps_res_t res = MPS_RES_OK;
  void *p;

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, 1024);
    MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, 64);
    MPS_ARGS_ADD(args, MPS_KEY_MVT_FRAG_LIMIT, 1.0);
    openPool(&s, arena, 2, args);
  } MPS_ARGS_END(args);
  /* Sizes are multiples of UNIT, so every free range is too. */
  for (n = 0; n < HOLES; ++n) {
    size[n] = UNIT;
    block[n] = alloc(&s, 0, size[n], n);
  }
  check(mps_arena_commit_limit_set(arena, mps_arena_committed(arena) + 64 * 1024) == MPS_RES_OK);
  while (n < N) {
    size[n] = alignUp(1 + testRnd(1024), UNIT);
    res = tryAlloc(&p, &s, n % 2, size[n], n);
    if (res != MPS_RES_OK)
      break;
    block[n++] = p;
  }
  check(res == MPS_RES_COMMIT_LIMIT);
  /* A large block is refused the same way. */
  check(tryAlloc(&p, &s, 0, 1 << 20, 0) == MPS_RES_COMMIT_LIMIT);
  checkAccounting(&s);
  for (i = 0; i < n; ++i)
    check(intact(block[i], size[i], i));

  /* Holes too small to be worth a buffer, amid live blocks. */
  for (i = 0; i < HOLES; i += 2)
    release(&s, block[i], size[i], i);
  total = mps_pool_total_size(s.pool);
  reused = mps_pool_free_size(s.pool) / UNIT;
  check(reused >= HOLES / 2);
  for (i = 0; i < reused; ++i) {
    /* Never freed: they go with the pool. */
    check(tryAlloc(&p, &s, 0, UNIT, 0) == MPS_RES_OK);
  }
  check(mps_pool_total_size(s.pool) == total);
  check(mps_pool_free_size(s.pool) == 0);
  check(tryAlloc(&p, &s, 0, UNIT, 0) == MPS_RES_COMMIT_LIMIT);
  checkAccounting(&s);
  for (i = 0; i < HOLES; i += 2) {
    size[i] = 0;
    block[i] = NULL;
  }

  check(mps_arena_commit_limit_set(arena, (size_t)-1) == MPS_RES_OK);
  while (n < N) {
    size[n] = alignUp(1 + testRnd(2048), s.align);
    block[n] = alloc(&s, n % 2, size[n], n);
    ++n;
  }
  for (i = 0; i < n; ++i)
    if (block[i] != NULL)
      check(intact(block[i], size[i], i));
  for (i = 0; i < n; ++i)
    if (block[i] != NULL)
      release(&s, block[i], size[i], i);
  closePool(&s);
  mps_arena_destroy(arena);
  printf("commit limit: ok\n");
}


int main(int argc, char *argv[])
{
  mps_arena_t arena;
  testInit(argc, argv);
  arena = makeArena();
  testBasic(arena, MPS_PF_ALIGN);
  testBasic(arena, sizeof(void *));
  testBasic(arena, 64);
  testLarge(arena);
  testFragLimit(arena);
  testTemporal(arena);
  testReserve(arena);
  testInvalid(arena);
  mps_arena_destroy(arena);
  testCommitLimit();
  return testPass();
}

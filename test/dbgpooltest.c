/* dbgpooltest.c: the debugging pools (contract 20)
 *
 * mps_class_mvff_debug and mps_class_ams_debug, through the public
 * interface, with an assertion handler that records reports and returns:
 *  - fenceposts: a byte written just past the end of a block (in the
 *    alignment slop, and at the far end of the fencepost), or just before
 *    its start (and at the far start) is reported when the block is
 *    freed, as "fencepost check on free" naming the block and the pool;
 *    by mps_pool_check_fenceposts (once: the damage is repaired); and at
 *    destroy.  Intact blocks are never reported.
 *  - free space: a byte written into freed memory is reported as "free
 *    space corrupted on release" naming the byte's address and the pool,
 *    by mps_pool_check_free_space, when the memory is reused, when it goes
 *    back to the arena, and at destroy.  Freed and reclaimed memory holds
 *    the free template.
 *  - accounting stays exact: total - free = sum over live blocks of
 *    (size rounded to the alignment + 2 x fence size rounded).
 *  - default templates ("POST", "DEAD"), custom ones (sizes not multiples
 *    of the alignment, larger than it, and zero), varargs creation with
 *    the options pointer first (contract 5), allocation points and caches
 *    on a debug pool, a random workload without false reports, and no
 *    effect of the check functions on non-debug pools.
 *
 * Deliberate smashes go through poke(), which tells Valgrind (and
 * AddressSanitizer, if the manager ever poisons memory for it) that the
 * access is meant, so the test also runs under `make check-valgrind`.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscmvff.h"
#include "mpscams.h"
#include "mpslib.h"
#include "mpstd.h"
#include <string.h>
#include <stdint.h>

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#define DISABLE_CHECKS(p) VALGRIND_DISABLE_ADDR_ERROR_REPORTING_IN_RANGE((p), 1)
#define ENABLE_CHECKS(p) VALGRIND_ENABLE_ADDR_ERROR_REPORTING_IN_RANGE((p), 1)
#else
#define DISABLE_CHECKS(p) ((void)(p))
#define ENABLE_CHECKS(p) ((void)(p))
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

static mps_arena_t arena;

/* Access to memory the manager may have hidden from checkers. */

static unsigned char peek(const void *p)
{
  const volatile unsigned char *q = p;
  unsigned char v;
#ifdef TEST_ASAN
  int poisoned = __asan_address_is_poisoned(p);
  if (poisoned)
    ASAN_UNPOISON_MEMORY_REGION(p, 1);
#endif
  DISABLE_CHECKS(p);
  v = *q;
  ENABLE_CHECKS(p);
#ifdef TEST_ASAN
  if (poisoned)
    ASAN_POISON_MEMORY_REGION(p, 1);
#endif
  return v;
}

static void poke(void *p, unsigned char v)
{
  volatile unsigned char *q = p;
#ifdef TEST_ASAN
  int poisoned = __asan_address_is_poisoned(p);
  if (poisoned)
    ASAN_UNPOISON_MEMORY_REGION(p, 1);
#endif
  DISABLE_CHECKS(p);
  *q = v;
  ENABLE_CHECKS(p);
#ifdef TEST_ASAN
  if (poisoned)
    ASAN_POISON_MEMORY_REGION(p, 1);
#endif
}

/* The manager still holds p for pool (so a write there is the client's
 * fault, not a write to memory given back to the arena). */
static void checkOwned(void *p, mps_pool_t pool)
{
  mps_pool_t owner;
  check(mps_addr_pool(&owner, arena, p) && owner == pool);
}

/* Change the byte at p to something else. */
static void smash(void *p, mps_pool_t pool)
{
  checkOwned(p, pool);
  poke(p, (unsigned char)(peek(p) ^ 0x5A));
}


/* Reports */

#define MAXREPORTS 8
static int reports = 0;
static char report[MAXREPORTS][512];

static void recordHandler(const char *file, unsigned line, const char *condition)
{
  (void)file;
  (void)line;
  if (reports < MAXREPORTS) {
    strncpy(report[reports], condition, sizeof report[reports] - 1);
    report[reports][sizeof report[reports] - 1] = '\0';
  }
  ++reports;
}

static const char *hex(const void *p, char *buf, size_t size)
{
  snprintf(buf, size, "0x%0*jx", (int)(2 * sizeof(void *)), (uintmax_t)(uintptr_t)p);
  return buf;
}

/* Exactly one report since the last expectation, starting with `text`,
 * containing `also` (if not NULL), naming the address and the pool. */
static void expectOne(const char *text, const char *also, const void *addr,
                      mps_pool_t pool, int line)
{
  char a[64], b[64], what[800];
  int ok = reports == 1 && strncmp(report[0], text, strlen(text)) == 0
           && (also == NULL || strstr(report[0], also) != NULL)
           && strstr(report[0], hex(addr, a, sizeof a)) != NULL
           && strstr(report[0], hex(pool, b, sizeof b)) != NULL;
  if (!ok) {
    snprintf(what, sizeof what,
             "expected one report \"%s...\" (%s) naming %s in pool %s; got %d (first: \"%s\")",
             text, also != NULL ? also : "", hex(addr, a, sizeof a), hex(pool, b, sizeof b),
             reports, reports > 0 ? report[0] : "");
    testFail(__FILE__, line, what);
  }
  reports = 0;
}
#define EXPECT_ONE(text, also, addr, pool) expectOne((text), (also), (addr), (pool), __LINE__)

static void expectNone(int line)
{
  if (reports != 0) {
    char what[700];
    snprintf(what, sizeof what, "expected no report, got %d (first: \"%s\")",
             reports, report[0]);
    testFail(__FILE__, line, what);
  }
}
#define EXPECT_NONE() expectNone(__LINE__)

#define FENCE_CHECK "fencepost check on free"
#define FREE_CHECK "free space corrupted on release"


/* Blocks of MVFF debug pools, with exact accounting */

#define BLOCKS 2000

typedef struct {
  unsigned char *p;
  size_t size;
} Block;

typedef struct {
  mps_pool_t pool;
  size_t align;                 /* the pool's */
  size_t fence;                 /* each fencepost: fence size rounded */
  size_t inUse;                 /* what total - free must be */
  Block blocks[BLOCKS];
  size_t count;
} Tester;

static size_t roundUp(size_t size, size_t align)
{
  return (size + align - 1) & ~(align - 1);
}

static size_t blockCost(Tester *t, size_t size)
{
  return roundUp(size, t->align) + 2 * t->fence;
}

static void checkAccounting(Tester *t, int line)
{
  size_t total = mps_pool_total_size(t->pool);
  size_t free = mps_pool_free_size(t->pool);
  if (free > total || total - free != t->inUse) {
    char what[200];
    snprintf(what, sizeof what, "accounting: total %zu - free %zu != %zu in use",
             total, free, t->inUse);
    testFail(__FILE__, line, what);
  }
}
#define ACCOUNTING(t) checkAccounting((t), __LINE__)

static unsigned char patternByte(const unsigned char *base, size_t i)
{
  uintptr_t a = (uintptr_t)base;
  return (unsigned char)((a >> 4) ^ (a >> 11) ^ (i * 131) ^ 0xA5);
}

static void fillBlock(Block *b)
{
  size_t i;
  for (i = 0; i < b->size; ++i)
    b->p[i] = patternByte(b->p, i);
}

static void verifyBlock(Block *b)
{
  size_t i;
  for (i = 0; i < b->size; ++i)
    if (b->p[i] != patternByte(b->p, i))
      testFail(__FILE__, __LINE__, "block contents intact");
}

static void testerInit(Tester *t, mps_pool_t pool, size_t align, size_t fenceSize)
{
  t->pool = pool;
  t->align = align;
  t->fence = roundUp(fenceSize, align);
  t->inUse = 0;
  t->count = 0;
}

/* Allocate a block of size; returns its index. */
static size_t allocBlock(Tester *t, size_t size)
{
  void *p;
  Block *b;
  check(t->count < BLOCKS);
  die(mps_alloc(&p, t->pool, size), "mps_alloc");
  check(((uintptr_t)p & (t->align - 1)) == 0);
  b = &t->blocks[t->count];
  b->p = p;
  b->size = size;
  fillBlock(b);
  t->inUse += blockCost(t, size);
  return t->count++;
}

static void freeBlock(Tester *t, size_t i)
{
  Block *b = &t->blocks[i];
  check(i < t->count);
  verifyBlock(b);
  mps_free(t->pool, b->p, b->size);
  t->inUse -= blockCost(t, b->size);
  t->blocks[i] = t->blocks[--t->count];
}

static void freeAll(Tester *t)
{
  while (t->count > 0)
    freeBlock(t, t->count - 1);
}

/* Every byte of [p, p + n) is a byte of the template. */
static void checkFromTemplate(const unsigned char *p, size_t n, const char *tmpl, size_t size)
{
  size_t i;
  for (i = 0; i < n; ++i)
    if (memchr(tmpl, peek(p + i), size) == NULL)
      testFail(__FILE__, __LINE__, "fencepost/free byte comes from the template");
}

/* [p, p + n) holds the template repeated (n >= size): periodic, and its
 * first period is a rotation of the template. */
static void checkRepeated(const unsigned char *p, size_t n, const char *tmpl, size_t size)
{
  size_t i, r;
  int found = 0;
  check(n >= size);
  for (i = size; i < n; ++i)
    check(peek(p + i) == peek(p + i - size));
  for (r = 0; r < size && !found; ++r) {
    found = 1;
    for (i = 0; i < size; ++i)
      if (peek(p + i) != (unsigned char)tmpl[(r + i) % size]) {
        found = 0;
        break;
      }
  }
  if (!found)
    testFail(__FILE__, __LINE__, "memory holds the template repeated");
}

static mps_pool_t makeMVFFDebug(mps_pool_debug_option_s *options, size_t align,
                                double spare)
{
  mps_pool_t pool;
  MPS_ARGS_BEGIN(args) {
    if (options != NULL)
      MPS_ARGS_ADD(args, MPS_KEY_POOL_DEBUG_OPTIONS, options);
    if (align != 0)
      MPS_ARGS_ADD(args, MPS_KEY_ALIGN, align);
    if (spare >= 0.0)
      MPS_ARGS_ADD(args, MPS_KEY_SPARE, spare);
    die(mps_pool_create_k(&pool, arena, mps_class_mvff_debug(), args), "MVFF debug");
  } MPS_ARGS_END(args);
  return pool;
}


/* The fencepost checks on free and on demand, with the default options. */
static void testFences(void)
{
  static Tester t;
  size_t sizes[] = {1, 13, 16, 24, 100, 1000, 4096, 5000};
  size_t i, n = sizeof sizes / sizeof sizes[0], k;
  mps_pool_t pool = makeMVFFDebug(NULL, 0, -1.0);

  testerInit(&t, pool, MPS_PF_ALIGN, 4);
  /* Every block, whatever its size, has its fenceposts. */
  for (i = 0; i < n; ++i) {
    Block *b = &t.blocks[allocBlock(&t, sizes[i])];
    checkFromTemplate(b->p - t.fence, t.fence, "POST", 4);
    checkFromTemplate(b->p + b->size, roundUp(b->size, t.align) - b->size + t.fence, "POST", 4);
    ACCOUNTING(&t);
  }
  check(mps_pool_total_size(pool) > 0);
  mps_pool_check_fenceposts(pool);
  mps_pool_check_free_space(pool);
  EXPECT_NONE();

  /* One byte past the end, just before the start, and the far ends of
   * both fenceposts, for each size: reported on free, naming the block. */
  for (k = 0; k < 4; ++k) {
    for (i = 0; i < n; ++i) {
      Block *b = &t.blocks[allocBlock(&t, sizes[i])];
      unsigned char *p = b->p;
      size_t size = b->size;
      unsigned char *target = k == 0 ? p + size
                              : k == 1 ? p - 1
                              : k == 2 ? p + roundUp(size, t.align) + t.fence - 1
                              : p - t.fence;
      ACCOUNTING(&t);
      smash(target, pool);
      freeBlock(&t, t.count - 1);
      EXPECT_ONE(FENCE_CHECK, k == 1 || k == 3 ? "before" : "after", p, pool);
      ACCOUNTING(&t);
    }
  }

  /* On demand: reported once (the fencepost is repaired), not again on
   * free. */
  i = allocBlock(&t, 13);
  smash(t.blocks[i].p + 13, pool);
  mps_pool_check_fenceposts(pool);
  EXPECT_ONE("fencepost check", NULL, t.blocks[i].p, pool);
  mps_pool_check_fenceposts(pool);
  EXPECT_NONE();
  smash(t.blocks[i].p - 2, pool);
  mps_pool_check_fenceposts(pool);
  EXPECT_ONE("fencepost check", "before", t.blocks[i].p, pool);
  freeBlock(&t, i);
  EXPECT_NONE();
  ACCOUNTING(&t);

  /* Intact blocks: no report. */
  freeAll(&t);
  EXPECT_NONE();
  ACCOUNTING(&t);
  mps_pool_check_fenceposts(pool);
  mps_pool_check_free_space(pool);
  EXPECT_NONE();

  /* Freeing a block twice, or with the wrong size, is reported.  (A
   * live neighbour keeps the memory in the pool.) */
  (void)allocBlock(&t, 40);
  i = allocBlock(&t, 40);
  {
    Block b = t.blocks[i];
    freeBlock(&t, i);
    EXPECT_NONE();
    mps_free(pool, b.p, b.size);
    EXPECT_ONE("mps_free", NULL, b.p, pool);
    ACCOUNTING(&t);
  }
  i = allocBlock(&t, 40);
  {
    Block b = t.blocks[i];
    mps_free(pool, b.p, 48);
    EXPECT_ONE("mps_free", "size", b.p, pool);
    t.inUse -= blockCost(&t, 40);       /* freed with its real size */
    t.blocks[i] = t.blocks[--t.count];
    ACCOUNTING(&t);
  }
  freeAll(&t);
  EXPECT_NONE();

  /* At destroy: the live block's fencepost, then the free space. */
  i = allocBlock(&t, 50);
  smash(t.blocks[i].p + 50, pool);
  mps_pool_destroy(pool);
  EXPECT_ONE("fencepost check", "destroy", t.blocks[i].p, pool);
}


/* Free-space checks with the default options. */
static void testFreeSpace(void)
{
  static Tester t;
  size_t i, x;
  unsigned char *p, *q;
  mps_pool_t pool = makeMVFFDebug(NULL, 0, -1.0);

  testerInit(&t, pool, MPS_PF_ALIGN, 4);
  for (i = 0; i < 20; ++i)
    (void)allocBlock(&t, 64);
  ACCOUNTING(&t);

  /* Freed memory holds "DEAD" repeated, fenceposts included. */
  p = t.blocks[3].p;
  freeBlock(&t, 3);
  checkRepeated(p - t.fence, 64 + 2 * t.fence, "DEAD", 4);
  EXPECT_NONE();

  /* A write into it: reported by mps_pool_check_free_space, once. */
  smash(p + 10, pool);
  mps_pool_check_free_space(pool);
  EXPECT_ONE(FREE_CHECK, NULL, p + 10, pool);
  mps_pool_check_free_space(pool);
  EXPECT_NONE();
  checkRepeated(p - t.fence, 64 + 2 * t.fence, "DEAD", 4);
  /* ... and at the fencepost's place too, once the block is gone. */
  smash(p - 1, pool);
  mps_pool_check_free_space(pool);
  EXPECT_ONE(FREE_CHECK, NULL, p - 1, pool);

  /* Reported before the memory is used again. */
  q = t.blocks[5].p;
  freeBlock(&t, 5);
  smash(q + 33, pool);
  for (x = 0; x < BLOCKS - 30 && reports == 0; ++x)
    (void)allocBlock(&t, 64);
  EXPECT_ONE(FREE_CHECK, "reuse", q + 33, pool);
  freeAll(&t);
  ACCOUNTING(&t);

  /* At destroy (a live block keeps the memory in the pool). */
  (void)allocBlock(&t, 200);
  (void)allocBlock(&t, 200);
  p = t.blocks[1].p;
  freeBlock(&t, 1);
  checkOwned(p + 100, pool);
  smash(p + 100, pool);
  mps_pool_check_fenceposts(pool);
  EXPECT_NONE();
  mps_pool_destroy(pool);
  EXPECT_ONE(FREE_CHECK, "destroy", p + 100, pool);

  /* When memory goes back to the arena (spare 0: everything goes when
   * everything is free). */
  pool = makeMVFFDebug(NULL, 0, 0.0);
  testerInit(&t, pool, MPS_PF_ALIGN, 4);
  for (i = 0; i < 10; ++i)
    (void)allocBlock(&t, 1000);
  p = t.blocks[4].p;
  freeBlock(&t, 4);
  smash(p + 500, pool);
  EXPECT_NONE();
  freeAll(&t);
  EXPECT_ONE(FREE_CHECK, "arena", p + 500, pool);
  check(mps_pool_total_size(pool) == 0);
  mps_pool_destroy(pool);
  EXPECT_NONE();
}


/* Custom templates, including sizes that are not multiples of the
 * alignment, one larger than it, and zero sizes. */
static void testTemplates(void)
{
  static Tester t;
  static const char fence3[] = "abc", free9[] = "wxyz12345";
  static const char fence20[] = "0123456789ABCDEFGHIJ";
  mps_pool_debug_option_s opts;
  mps_pool_t pool;
  unsigned char *p;
  size_t i;

  /* fence 3 bytes, free 9 bytes, alignment 8: each fencepost is 8. */
  opts.fence_template = fence3;
  opts.fence_size = 3;
  opts.free_template = free9;
  opts.free_size = 9;
  pool = makeMVFFDebug(&opts, 8, -1.0);
  testerInit(&t, pool, 8, 3);
  check(t.fence == 8);
  for (i = 1; i <= 40; ++i) {
    Block *b = &t.blocks[allocBlock(&t, i)];
    checkFromTemplate(b->p - 8, 8, fence3, 3);
    checkFromTemplate(b->p + i, roundUp(i, 8) - i + 8, fence3, 3);
    ACCOUNTING(&t);
  }
  p = t.blocks[7].p;
  i = t.blocks[7].size;
  freeBlock(&t, 7);
  ACCOUNTING(&t);
  checkRepeated(p - 8, roundUp(i, 8) + 16, free9, 9);
  smash(p, pool);
  mps_pool_check_free_space(pool);
  EXPECT_ONE(FREE_CHECK, NULL, p, pool);
  i = allocBlock(&t, 5);
  smash(t.blocks[i].p + 5, pool);
  p = t.blocks[i].p;
  freeBlock(&t, i);
  EXPECT_ONE(FENCE_CHECK, NULL, p, pool);
  freeAll(&t);
  ACCOUNTING(&t);
  mps_pool_destroy(pool);
  EXPECT_NONE();

  /* A fence template larger than the alignment: 20 bytes, alignment 16,
   * each fencepost 32 bytes. */
  opts.fence_template = fence20;
  opts.fence_size = 20;
  pool = makeMVFFDebug(&opts, 16, -1.0);
  testerInit(&t, pool, 16, 20);
  check(t.fence == 32);
  for (i = 0; i < 50; ++i) {
    Block *b = &t.blocks[allocBlock(&t, 1 + testRnd(300))];
    checkFromTemplate(b->p - 32, 32, fence20, 20);
    ACCOUNTING(&t);
  }
  smash(t.blocks[10].p - 32, pool);
  p = t.blocks[10].p;
  freeBlock(&t, 10);
  EXPECT_ONE(FENCE_CHECK, "before", p, pool);
  freeAll(&t);
  ACCOUNTING(&t);
  mps_pool_destroy(pool);
  EXPECT_NONE();

  /* No fenceposts, no splatting: blocks cost their rounded size, and
   * nothing is checked. */
  opts.fence_template = NULL;
  opts.fence_size = 0;
  opts.free_template = NULL;
  opts.free_size = 0;
  pool = makeMVFFDebug(&opts, 0, -1.0);
  testerInit(&t, pool, MPS_PF_ALIGN, 0);
  for (i = 0; i < 30; ++i)
    (void)allocBlock(&t, 1 + testRnd(100));
  ACCOUNTING(&t);
  i = allocBlock(&t, 13);
  poke(t.blocks[i].p + 13, 0);  /* in the slop, harmless here */
  freeBlock(&t, i);
  p = t.blocks[0].p;
  freeBlock(&t, 0);
  poke(p + 1, 1);               /* inside the freed block */
  mps_pool_check_fenceposts(pool);
  mps_pool_check_free_space(pool);
  freeAll(&t);
  ACCOUNTING(&t);
  mps_pool_destroy(pool);
  EXPECT_NONE();
}


/* Varargs creation: the options pointer first, then the MVFF list. */
static void testVarargs(void)
{
  static Tester t;
  static const char fence7[] = "FENCE!!", free2[] = "xy";
  mps_pool_debug_option_s opts;
  mps_pool_t pool;
  unsigned char *p;
  size_t i;

  opts.fence_template = fence7;
  opts.fence_size = 7;
  opts.free_template = free2;
  opts.free_size = 2;
  die(mps_pool_create(&pool, arena, mps_class_mvff_debug(), &opts,
                      (size_t)65536, (size_t)32, (size_t)32,
                      (mps_bool_t)0, (mps_bool_t)0, (mps_bool_t)1),
      "mps_pool_create MVFF debug");
  testerInit(&t, pool, 32, 7);
  check(t.fence == 32);
  for (i = 0; i < 100; ++i) {
    Block *b = &t.blocks[allocBlock(&t, 1 + testRnd(200))];
    checkFromTemplate(b->p - 32, 32, fence7, 7);
    ACCOUNTING(&t);
  }
  p = t.blocks[50].p;
  i = t.blocks[50].size;
  freeBlock(&t, 50);
  checkRepeated(p - 32, roundUp(i, 32) + 64, free2, 2);
  i = allocBlock(&t, 100);
  p = t.blocks[i].p;
  smash(p + 100, pool);
  freeBlock(&t, i);
  EXPECT_ONE(FENCE_CHECK, NULL, p, pool);
  freeAll(&t);
  ACCOUNTING(&t);
  mps_pool_destroy(pool);
  EXPECT_NONE();
}


/* A random workload: no false reports, exact accounting, contents kept;
 * an allocation point and a cache on a debug pool. */
static void testWorkload(void)
{
  static Tester t;
  mps_pool_t pool = makeMVFFDebug(NULL, 0, -1.0);
  mps_ap_t ap;
  mps_sac_t sac;
  mps_sac_class_s classes[2] = {{32, 16, 1}, {128, 8, 1}};
  unsigned long ops = getenv("TARN_UNDER_VALGRIND") != NULL ? 3000 : 20000, n;
  size_t i;

  /* The allocation point first (contract 6.7). */
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  for (i = 0; i < 100; ++i) {
    mps_addr_t q;
    size_t size = roundUp(1 + testRnd(200), MPS_PF_ALIGN);
    do {
      die(mps_reserve(&q, ap, size), "mps_reserve");
      memset(q, 0x77, size);
    } while (!mps_commit(ap, q, size));
  }
  mps_ap_destroy(ap);
  mps_pool_check_free_space(pool);
  EXPECT_NONE();

  testerInit(&t, pool, MPS_PF_ALIGN, 4);
  t.inUse = mps_pool_total_size(pool) - mps_pool_free_size(pool); /* the AP's objects */
  for (n = 0; n < ops; ++n) {
    if (t.count > 0 && (t.count == BLOCKS || testRnd(100) < 45)) {
      freeBlock(&t, testRnd(t.count));
    } else {
      size_t size = testRnd(10) == 0 ? 1 + testRnd(20000) : 1 + testRnd(300);
      (void)allocBlock(&t, size);
    }
    if (n % 97 == 0)
      ACCOUNTING(&t);
    if (n % 1009 == 0) {
      mps_pool_check_fenceposts(pool);
      mps_pool_check_free_space(pool);
    }
  }
  EXPECT_NONE();
  for (i = 0; i < t.count; ++i)
    verifyBlock(&t.blocks[i]);
  freeAll(&t);
  ACCOUNTING(&t);

  die(mps_sac_create(&sac, pool, 2, classes), "mps_sac_create");
  for (n = 0; n < 2000; ++n) {
    mps_addr_t q[4];
    size_t k;
    for (k = 0; k < 4; ++k) {
      die(mps_sac_alloc(&q[k], sac, k % 2 ? 100 : 20, 0), "mps_sac_alloc");
      memset(q[k], (int)k, k % 2 ? 100 : 20);
    }
    for (k = 0; k < 4; ++k)
      mps_sac_free(sac, q[k], k % 2 ? 100 : 20);
  }
  mps_sac_destroy(sac);
  mps_pool_check_fenceposts(pool);
  mps_pool_check_free_space(pool);
  mps_pool_destroy(pool);
  EXPECT_NONE();
}


/* The check functions do nothing to other pools. */
static void testNonDebug(void)
{
  mps_pool_t pool;
  void *p, *q;
  die(mps_pool_create_k(&pool, arena, mps_class_mvff(), mps_args_none), "MVFF");
  die(mps_alloc(&p, pool, 13), "mps_alloc");
  die(mps_alloc(&q, pool, 64), "mps_alloc");
  poke((char *)p + 13, 1);      /* slop: harmless */
  mps_free(pool, q, 64);
  poke((char *)q + 40, 2);      /* free memory away from any link word */
  mps_pool_check_fenceposts(pool);
  mps_pool_check_free_space(pool);
  mps_free(pool, p, 13);
  mps_pool_destroy(pool);
  EXPECT_NONE();
}


/* AMS debug: reclaimed memory is splatted and checked. */

#define NOBJ 200
static mps_addr_t keep[4];      /* an exact root */
static testobj_t dead[NOBJ];    /* not a root: these die */

static mps_pool_t makeAMSDebug(mps_fmt_t fmt, mps_pool_debug_option_s *options)
{
  mps_pool_t pool;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    if (options != NULL)
      MPS_ARGS_ADD(args, MPS_KEY_POOL_DEBUG_OPTIONS, options);
    die(mps_pool_create_k(&pool, arena, mps_class_ams_debug(), args), "AMS debug");
  } MPS_ARGS_END(args);
  return pool;
}

static void allocDead(mps_ap_t ap, size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i)
    die(testobj_alloc(&dead[i], ap, (mps_word_t)i + 1, 0, 6), "testobj_alloc");
}

static void testAMS(void)
{
  static const char amsFree[] = "AMSFREE!";
  mps_pool_debug_option_s opts;
  mps_fmt_t fmt;
  mps_chain_t chain;
  mps_gen_param_s gens[1] = {{1024, 0.5}};
  mps_root_t root;
  mps_pool_t pool, pool2, plain;
  mps_ap_t ap, ap2, apPlain;
  size_t objSize = testobj_size(0, 6), x;
  unsigned char *p;
  testobj_t live;

  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 1, gens), "chain");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, keep, 4), "root");
  mps_arena_park(arena);

  /* Default options: reclaimed objects hold "DEAD". */
  pool = makeAMSDebug(fmt, NULL);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  allocDead(ap, NOBJ);
  keep[0] = dead[0];
  live = dead[0];
  die(mps_arena_collect(arena), "collect");
  mps_arena_park(arena);
  check(testobj_ok(live));
  checkRepeated((unsigned char *)dead[10], objSize, "DEAD", 4);
  checkRepeated((unsigned char *)dead[NOBJ - 2], objSize, "DEAD", 4);
  mps_pool_check_free_space(pool);
  mps_pool_check_fenceposts(pool);
  EXPECT_NONE();

  /* A write into a reclaimed object, found by the check ... */
  p = (unsigned char *)dead[7] + 8;
  smash(p, pool);
  mps_pool_check_fenceposts(pool);      /* no fenceposts in AMS */
  EXPECT_NONE();
  mps_pool_check_free_space(pool);
  EXPECT_ONE(FREE_CHECK, NULL, p, pool);
  mps_pool_check_free_space(pool);
  EXPECT_NONE();

  /* ... and before the memory is used again by an allocation point. */
  p = (unsigned char *)dead[9] + 16;
  smash(p, pool);
  for (x = 0; x < 100000 && reports == 0; ++x) {
    testobj_t obj;
    die(testobj_alloc(&obj, ap, 7, 0, 6), "testobj_alloc");
  }
  EXPECT_ONE(FREE_CHECK, "reuse", p, pool);

  /* ... and at destroy. */
  die(mps_arena_collect(arena), "collect");
  mps_arena_park(arena);
  allocDead(ap, NOBJ);
  die(mps_arena_collect(arena), "collect");
  mps_arena_park(arena);
  check(testobj_ok(live));
  p = (unsigned char *)dead[NOBJ / 2];
  smash(p, pool);
  keep[0] = NULL;
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  EXPECT_ONE(FREE_CHECK, "destroy", p, pool);

  /* Varargs creation (options first), custom template; memory checked
   * when a segment goes back to the arena. */
  opts.fence_template = NULL;
  opts.fence_size = 0;
  opts.free_template = amsFree;
  opts.free_size = 8;
  die(mps_pool_create(&pool2, arena, mps_class_ams_debug(), &opts, fmt, chain,
                      (mps_bool_t)1), "mps_pool_create AMS debug");
  die(mps_ap_create_k(&ap2, pool2, mps_args_none), "AP");
  allocDead(ap2, 50);
  keep[1] = dead[0];
  mps_ap_destroy(ap2);          /* its unused part is free memory now */
  mps_pool_check_free_space(pool2);
  EXPECT_NONE();
  die(mps_arena_collect(arena), "collect");
  mps_arena_park(arena);
  check(testobj_ok(keep[1]));
  checkRepeated((unsigned char *)dead[20], objSize, amsFree, 8);
  p = (unsigned char *)dead[20] + 3;
  smash(p, pool2);
  keep[1] = NULL;
  check(mps_pool_total_size(pool2) > 0);
  die(mps_arena_collect(arena), "collect");
  mps_arena_park(arena);
  EXPECT_ONE(FREE_CHECK, "arena", p, pool2);
  check(mps_pool_total_size(pool2) == 0);
  mps_pool_destroy(pool2);
  EXPECT_NONE();

  /* A plain AMS pool: the checks do nothing. */
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&plain, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&apPlain, plain, mps_args_none), "AP");
  allocDead(apPlain, 20);
  keep[2] = dead[0];
  die(mps_arena_collect(arena), "collect");
  mps_arena_park(arena);
  poke((char *)dead[5] + 8, 0x11);
  mps_pool_check_free_space(plain);
  mps_pool_check_fenceposts(plain);
  EXPECT_NONE();
  keep[2] = NULL;
  mps_ap_destroy(apPlain);
  mps_pool_destroy(plain);
  EXPECT_NONE();

  mps_root_destroy(root);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
}


/* Collections in the arena leave the debugging state alone: an MVFF
 * debug pool's fenceposts stay intact (no false report) and a smashed one
 * is still reported after the collections; in AMS debug, survivors are
 * untouched, and a write into memory that was already free when a later
 * collection ran is still reported after it (reclaim splats only the
 * objects it frees). */
static void testCollections(void)
{
  enum { NBLOCK = 40 };
  mps_fmt_t fmt;
  mps_root_t root;
  mps_pool_t mvff, ams;
  mps_ap_t ap;
  unsigned char *block[NBLOCK];
  size_t i, round;
  unsigned char *p;
  testobj_t live, other;

  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, keep, 4), "root");
  mvff = makeMVFFDebug(NULL, 0, -1.0);
  ams = makeAMSDebug(fmt, NULL);
  die(mps_ap_create_k(&ap, ams, mps_args_none), "AP");
  for (i = 0; i < NBLOCK; ++i) {
    die(mps_alloc((mps_addr_t *)&block[i], mvff, 1 + i * 7), "mps_alloc");
    memset(block[i], (int)i, 1 + i * 7);
  }
  mps_arena_park(arena);
  allocDead(ap, NOBJ);
  keep[0] = live = dead[0];      /* holds dead[1..]'s segment */
  for (round = 0; round < 3; ++round) {
    die(mps_arena_collect(arena), "collect");
    mps_arena_park(arena);
    die(testobj_alloc(&other, ap, 1000 + round, 0, 6), "testobj_alloc");
  }
  check(testobj_ok(live) && live->id == 1);
  mps_pool_check_fenceposts(mvff);
  mps_pool_check_free_space(mvff);
  mps_pool_check_free_space(ams);
  EXPECT_NONE();
  for (i = 0; i < NBLOCK; ++i)
    check(block[i][i * 7] == (unsigned char)i);

  /* A smashed fencepost survives collections, and is reported once. */
  p = block[5] + 1 + 5 * 7;
  smash(p, mvff);
  die(mps_arena_collect(arena), "collect");
  mps_arena_park(arena);
  mps_pool_check_fenceposts(mvff);
  EXPECT_ONE("fencepost check", "mps_pool_check_fenceposts", block[5], mvff);

  /* Reclaimed AMS memory smashed, then another collection. */
  p = (unsigned char *)dead[3] + 8;
  smash(p, ams);
  die(mps_arena_collect(arena), "collect");
  mps_arena_park(arena);
  check(testobj_ok(live));
  mps_pool_check_free_space(ams);
  EXPECT_ONE(FREE_CHECK, "mps_pool_check_free_space", p, ams);

  for (i = 0; i < NBLOCK; ++i)
    mps_free(mvff, block[i], 1 + i * 7);
  EXPECT_NONE();
  keep[0] = NULL;
  mps_ap_destroy(ap);
  mps_pool_destroy(ams);
  mps_pool_destroy(mvff);
  mps_root_destroy(root);
  mps_fmt_destroy(fmt);
  EXPECT_NONE();
}


/* Keyword errors. */
static void testArgs(void)
{
  mps_pool_debug_option_s opts = {NULL, 4, "DEAD", 4};
  mps_pool_t pool;
  mps_res_t res;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_POOL_DEBUG_OPTIONS, &opts);
    res = mps_pool_create_k(&pool, arena, mps_class_mvff_debug(), args);
  } MPS_ARGS_END(args);
  check(res != MPS_RES_OK);
  check(reports == 1 && strstr(report[0], "fence_template") != NULL);
  reports = 0;
  check(mps_class_mvff_debug() == mps_class_mvff_debug());
  check(mps_class_ams_debug() == mps_class_ams_debug());
  check(mps_class_mvff_debug() != mps_class_mvff());
  check(mps_class_ams_debug() != mps_class_ams());
}


int main(int argc, char *argv[])
{
  mps_lib_assert_fail_t old;
  testInit(argc, argv);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  old = mps_lib_assert_fail_install(recordHandler);
  testArgs();
  testFences();
  testFreeSpace();
  testTemplates();
  testVarargs();
  testWorkload();
  testNonDebug();
  testAMS();
  testCollections();
  EXPECT_NONE();
  (void)mps_lib_assert_fail_install(old);
  mps_arena_destroy(arena);
  return testPass();
}

/* fastpath.c: the cost of one allocation on each allocator's fast path
 *
 * Each configuration is one loop in a function of its own (fp*), so that
 * callgrind can count exactly that loop:
 *   valgrind --tool=callgrind --toggle-collect='fp*' fastpath -a ap
 * and run.sh divides the instructions by the number of allocations.  Run
 * natively, the program also prints the time per allocation (noisy: a
 * few nanoseconds on a shared machine).
 *
 * Every configuration allocates N objects of S bytes (-n, -s; default
 * 2 000 000 of 32 bytes) and writes two words into each (a header with
 * the size and a counter), as a client initialises its objects:
 *   loop     no allocator: the objects are a static ring of 64 slots (the
 *            loop and the initialisation alone, to subtract from the rest)
 *   ap       mps_reserve / mps_commit (the inline macros of mps.h) on an
 *            AMCZ pool, arena parked so that no collection runs: the bump
 *            pointer plus, once per buffer, mps_ap_fill; nothing is freed
 *   malloc   glibc malloc, nothing freed in the loop (the closest malloc
 *            gets to a bump allocator); the loop stores each object in
 *            an array, and they are freed after the timing
 *   malloc+free  malloc, and free of the object allocated 64 before: a
 *            steady state of 64 live objects, freed after the timing
 *   sac      MPS_SAC_ALLOC_FAST / MPS_SAC_FREE_FAST over MVFF, one class
 *            of S bytes, the same 64-object ring
 *   mfs      mps_alloc / mps_free on an MFS pool of S-byte units, the same
 *            ring (the out-of-line interface, with the arena lock)
 *   mvff     mps_alloc / mps_free on MVFF, the same ring
 *
 * Under callgrind the counts include the amortised slow path (buffer
 * refills, SAC fills and empties); the "self" count of the fp* function
 * is the inline part alone (run.sh prints both).
 *
 * Usage: fastpath [-n N] [-s S] [-a loop,ap,malloc,malloc+free,sac,mfs,mvff]
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "mps.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscmfs.h"
#include "mpscmvff.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RING 64
#define WORD sizeof(mps_word_t)

typedef enum { C_LOOP, C_AP, C_MALLOC, C_MALLOCFREE, C_SAC, C_MFS, C_MVFF,
               C_LIMIT } Config;
static const char *configName[C_LIMIT] = {"loop", "ap", "malloc", "malloc+free",
                                          "sac", "mfs", "mvff"};

static size_t optN = 2000000, optSize = 32;
static int optConfigs[C_LIMIT] = {1, 1, 1, 1, 1, 1, 1};

static mps_arena_t arena;
static mps_pool_t pool;
static mps_ap_t ap;
static mps_sac_t sac;
static mps_fmt_t fmt;
static void *ring[RING];
static mps_word_t ringStore[RING][8];   /* the loop's objects (S <= 64) */
static volatile uintptr_t sink;         /* keeps the results observable */
static void **kept;                     /* malloc: every object, to free */

static void fail(const char *what)
{
  fprintf(stderr, "fastpath: %s\n", what);
  exit(2);
}

#define INIT(p, i) \
  do { ((mps_word_t *)(p))[0] = optSize; ((mps_word_t *)(p))[1] = (i); } while (0)

/* The format for AMCZ: word 0 is the object's size. */
static mps_addr_t fpSkipFmt(mps_addr_t a)
{
  return (char *)a + *(mps_word_t *)a;
}
static void fpFwdFmt(mps_addr_t old, mps_addr_t new)
{
  (void)old;
  (void)new;
  fail("nothing is forwarded: the arena is parked");
}
static mps_addr_t fpIsFwdFmt(mps_addr_t a)
{
  (void)a;
  return NULL;
}
static void fpPadFmt(mps_addr_t a, size_t size)
{
  *(mps_word_t *)a = size;
}

static void __attribute__((noinline)) fpLoop(size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i) {
    void *p = ringStore[i % RING];
    INIT(p, i);
    sink += (uintptr_t)p;
  }
}

static void __attribute__((noinline)) fpAP(size_t n)
{
  size_t i, size = optSize;
  for (i = 0; i < n; ++i) {
    mps_addr_t p;
    do {
      if (mps_reserve(&p, ap, size) != MPS_RES_OK)
        fail("mps_reserve failed");
      INIT(p, i);
    } while (!mps_commit(ap, p, size));
    sink += (uintptr_t)p;
  }
}

static void __attribute__((noinline)) fpMalloc(size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i) {
    void *p = malloc(optSize);
    if (p == NULL)
      fail("malloc failed");
    INIT(p, i);
    kept[i] = p;
  }
}

static void __attribute__((noinline)) fpMallocFree(size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i) {
    void *p = malloc(optSize);
    if (p == NULL)
      fail("malloc failed");
    INIT(p, i);
    free(ring[i % RING]);
    ring[i % RING] = p;
  }
}

static void __attribute__((noinline)) fpSAC(size_t n)
{
  size_t i, size = optSize;
  for (i = 0; i < n; ++i) {
    mps_addr_t p;
    mps_res_t res;
    MPS_SAC_ALLOC_FAST(res, p, sac, size, 0);
    if (res != MPS_RES_OK)
      fail("SAC allocation failed");
    INIT(p, i);
    if (ring[i % RING] != NULL)
      MPS_SAC_FREE_FAST(sac, ring[i % RING], size);
    ring[i % RING] = p;
  }
}

static void __attribute__((noinline)) fpPool(size_t n)
{
  size_t i, size = optSize;
  for (i = 0; i < n; ++i) {
    mps_addr_t p;
    if (mps_alloc(&p, pool, size) != MPS_RES_OK)
      fail("mps_alloc failed");
    INIT(p, i);
    if (ring[i % RING] != NULL)
      mps_free(pool, ring[i % RING], size);
    ring[i % RING] = p;
  }
}

static void setup(Config c)
{
  mps_res_t res = MPS_RES_OK;
  if (c == C_MALLOC) {
    kept = malloc((optN > 0 ? optN : 1) * sizeof *kept);
    if (kept == NULL)
      fail("malloc failed");
  }
  if (c == C_LOOP || c == C_MALLOC || c == C_MALLOCFREE)
    return;
  if (mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none) != MPS_RES_OK)
    fail("arena creation failed");
  switch (c) {
  case C_AP:
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, WORD);
      MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, fpSkipFmt);
      MPS_ARGS_ADD(args, MPS_KEY_FMT_FWD, fpFwdFmt);
      MPS_ARGS_ADD(args, MPS_KEY_FMT_ISFWD, fpIsFwdFmt);
      MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, fpPadFmt);
      res = mps_fmt_create_k(&fmt, arena, args);
    } MPS_ARGS_END(args);
    if (res != MPS_RES_OK)
      fail("format creation failed");
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
      res = mps_pool_create_k(&pool, arena, mps_class_amcz(), args);
    } MPS_ARGS_END(args);
    if (res != MPS_RES_OK || mps_ap_create_k(&ap, pool, mps_args_none) != MPS_RES_OK)
      fail("AMCZ pool or AP creation failed");
    mps_arena_park(arena);
    break;
  case C_MFS:
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_MFS_UNIT_SIZE, optSize);
      res = mps_pool_create_k(&pool, arena, mps_class_mfs(), args);
    } MPS_ARGS_END(args);
    break;
  case C_SAC:
  case C_MVFF:
    res = mps_pool_create_k(&pool, arena, mps_class_mvff(), mps_args_none);
    if (res == MPS_RES_OK && c == C_SAC) {
      mps_sac_class_s cls;
      cls.mps_block_size = optSize;
      cls.mps_cached_count = 256;
      cls.mps_frequency = 1;
      res = mps_sac_create(&sac, pool, 1, &cls);
    }
    break;
  default:
    break;
  }
  if (res != MPS_RES_OK)
    fail("pool creation failed");
}

static void run(Config c)
{
  switch (c) {
  case C_LOOP: fpLoop(optN); break;
  case C_AP: fpAP(optN); break;
  case C_MALLOC: fpMalloc(optN); break;
  case C_MALLOCFREE: fpMallocFree(optN); break;
  case C_SAC: fpSAC(optN); break;
  case C_MFS: case C_MVFF: fpPool(optN); break;
  default: fail("bad configuration");
  }
}

/* After the timing: free what the malloc loops left allocated (the
 * pools' objects go with their arena). */
static void teardown(Config c)
{
  size_t i;
  if (c == C_MALLOC) {
    for (i = 0; i < optN; ++i)
      free(kept[i]);
    free(kept);
    kept = NULL;
  } else if (c == C_MALLOCFREE) {
    for (i = 0; i < RING; ++i)
      free(ring[i]);
  }
}

static double cpuNow(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char *argv[])
{
  int i, c;
  for (i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
      optN = strtoul(argv[++i], NULL, 0);
    } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
      optSize = strtoul(argv[++i], NULL, 0);
    } else if (strcmp(argv[i], "-a") == 0 && i + 1 < argc) {
      char *s = argv[++i], *tok, *save = NULL;
      memset(optConfigs, 0, sizeof optConfigs);
      for (tok = strtok_r(s, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        for (c = 0; c < C_LIMIT && strcmp(tok, configName[c]) != 0; ++c)
          ;
        if (c == C_LIMIT)
          fail("unknown configuration (-a loop,ap,malloc,malloc+free,sac,mfs,mvff)");
        optConfigs[c] = 1;
      }
    } else {
      fail("usage: fastpath [-n N] [-s size] [-a configurations]");
    }
  }
  if (optSize < 2 * WORD || optSize > sizeof ringStore[0] || optSize % WORD != 0)
    fail("-s: a multiple of the word size from 16 to 64");
  for (c = 0; c < C_LIMIT; ++c) {
    double t0;
    if (!optConfigs[c])
      continue;
    memset(ring, 0, sizeof ring);
    setup((Config)c);
    t0 = cpuNow();
    run((Config)c);
    printf("%-12s %lu allocations of %lu bytes: %.2f ns each\n", configName[c],
           (unsigned long)optN, (unsigned long)optSize,
           (cpuNow() - t0) * 1e9 / (double)optN);
    fflush(stdout);
    teardown((Config)c);
    if (arena != NULL) {
      if (sac != NULL)
        mps_sac_destroy(sac);
      if (ap != NULL)
        mps_ap_destroy(ap);
      mps_pool_destroy(pool);
      if (fmt != NULL)
        mps_fmt_destroy(fmt);
      fmt = NULL;
      mps_arena_destroy(arena);
      arena = NULL;
      sac = NULL;
      ap = NULL;
    }
  }
  return 0;
}

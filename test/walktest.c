/* walktest.c: heap walks and address queries (contract 17, 27.24-26)
 *
 * Two AMS pools (one with an exact and an ambiguous allocation point),
 * an LO pool and a manual MVFF pool share an arena; the format has an
 * 8-byte in-band header, so walkers must be given client pointers.  With
 * the arena parked, and both before and after collections:
 *  - mps_pool_walk visits every live object of each formatted pool
 *    exactly once (the test knows them all) and nothing else;
 *  - mps_arena_formatted_objects_walk visits the same objects, with the
 *    right pool and format, and nothing in the manual pool;
 *  - object bytes walked + the allocation points' (limit - init) equals
 *    total - free for every pool (contract 17.1), with several APs
 *    holding partly used buffers, and with a reservation outstanding
 *    (which the walks do not visit);
 *  - mps_arena_has_addr, mps_addr_pool and mps_addr_fmt work inside both
 *    walkers' callbacks;
 *  - mps_addr_fmt gives the format for every object and returns false,
 *    leaving its out parameter alone, for the stack, malloc'd memory,
 *    NULL and manual-pool blocks;
 *  - inside mps_pool_walk MPS_FIX1 is false; a callback may change
 *    references (passing the new values through the fix macros) and the
 *    collector then follows the changed graph;
 *  - a callback's error stops the walk and is returned.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscams.h"
#include "mpsclo.h"
#include "mpscmvff.h"
#include <string.h>
#include <stdlib.h>

#define HEADER 8
#define NOBJ 3000
#define NAP 4

static mps_arena_t arena;
static mps_fmt_t fmt;
static mps_pool_t pools[3];     /* AMS, AMS, LO */
static mps_ap_t aps[NAP];       /* AMS exact, AMS ambiguous, AMS 2, LO */
static mps_pool_t apPool[NAP];
static mps_pool_t mvff;

static mps_addr_t table[NOBJ];  /* an exact root: every object */
static mps_pool_t tablePool[NOBJ];
static size_t nObj = 0;

typedef struct Seen {
  mps_addr_t addr;
  mps_pool_t pool;
} Seen;

typedef struct WalkState {
  Seen *seen;
  size_t n, cap;
  size_t bytes;
  mps_pool_t pool;              /* mps_pool_walk: the pool walked */
  int bad;                      /* a query or FIX1 gave a wrong answer */
  size_t stopAfter;             /* return MPS_RES_FAIL after this many */
  int swap;                     /* swap refs[0] and refs[1] */
} WalkState;

static int cmpSeen(const void *a, const void *b)
{
  const Seen *x = a, *y = b;
  if (x->addr != y->addr)
    return (mps_word_t)x->addr < (mps_word_t)y->addr ? -1 : 1;
  return 0;
}

static void record(WalkState *w, mps_addr_t addr, mps_pool_t pool)
{
  mps_pool_t p = NULL;
  mps_fmt_t f = NULL;
  if (!mps_arena_has_addr(arena, addr))
    w->bad = 1;
  if (!mps_addr_pool(&p, arena, addr) || p != pool)
    w->bad = 1;
  if (!mps_addr_fmt(&f, arena, addr) || f != fmt)
    w->bad = 1;
  if (w->n < w->cap) {
    w->seen[w->n].addr = addr;
    w->seen[w->n].pool = pool;
  }
  ++w->n;
  w->bytes += (size_t)((char *)testfmt_skip(addr) - (char *)addr);
}

static mps_res_t poolWalker(mps_ss_t ss, void *base, void *limit, void *closure)
{
  WalkState *w = closure;
  char *p = base;
  MPS_SCAN_BEGIN(ss) {
    while (p < (char *)limit) {
      testobj_t obj = (testobj_t)p;
      size_t i;
      if (w->stopAfter != 0 && w->n >= w->stopAfter)
        return MPS_RES_FAIL;
      record(w, p, w->pool);
      for (i = 0; i < obj->nrefs; ++i)
        if (MPS_FIX1(ss, obj->refs[i]))
          w->bad = 1;           /* FIX1 is always false in a walk */
      if (w->swap && obj->nrefs >= 2) {
        mps_addr_t t = obj->refs[0];
        mps_res_t res;
        obj->refs[0] = obj->refs[1];
        obj->refs[1] = t;
        res = MPS_FIX12(ss, &obj->refs[0]);
        if (res == MPS_RES_OK)
          res = MPS_FIX12(ss, &obj->refs[1]);
        if (res != MPS_RES_OK)
          return res;
      }
      p = testfmt_skip(p);
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static void stepper(mps_addr_t addr, mps_fmt_t f, mps_pool_t pool, void *p, size_t s)
{
  WalkState *w = p;
  if (s != 42 || f != fmt)
    w->bad = 1;
  record(w, addr, pool);
}

static void walkInit(WalkState *w)
{
  memset(w, 0, sizeof *w);
  w->cap = NOBJ + 16;
  w->seen = malloc(w->cap * sizeof *w->seen);
  check(w->seen != NULL);
}

static size_t apUnused(mps_ap_t ap)
{
  return ap->limit == NULL ? 0 : (size_t)((char *)ap->limit - (char *)ap->init);
}

/* The arena is parked and every object in `table` is alive; nothing else
 * is (a full collection happened since anything else was dropped, or
 * nothing was dropped). */
static void checkWalks(void)
{
  WalkState pw, aw;
  Seen *expect;
  size_t i, k;

  walkInit(&pw);
  for (k = 0; k < 3; ++k) {
    size_t before = pw.bytes, unused = 0, j;
    pw.pool = pools[k];
    die(mps_pool_walk(pools[k], poolWalker, &pw), "mps_pool_walk");
    for (j = 0; j < NAP; ++j)
      if (apPool[j] == pools[k])
        unused += apUnused(aps[j]);
    check(pw.bytes - before + unused
          == mps_pool_total_size(pools[k]) - mps_pool_free_size(pools[k]));
  }
  check(!pw.bad);
  check(pw.n == nObj);
  walkInit(&aw);
  mps_arena_formatted_objects_walk(arena, stepper, &aw, 42);
  check(!aw.bad);
  check(aw.n == nObj);
  check(aw.bytes == pw.bytes);

  expect = malloc((nObj + 1) * sizeof *expect);
  check(expect != NULL);
  for (i = 0; i < nObj; ++i) {
    expect[i].addr = table[i];
    expect[i].pool = tablePool[i];
    check(testobj_ok(table[i]));
  }
  qsort(expect, nObj, sizeof *expect, cmpSeen);
  qsort(pw.seen, pw.n, sizeof *pw.seen, cmpSeen);
  qsort(aw.seen, aw.n, sizeof *aw.seen, cmpSeen);
  for (i = 0; i < nObj; ++i) {
    check(i == 0 || expect[i - 1].addr != expect[i].addr);
    check(pw.seen[i].addr == expect[i].addr && pw.seen[i].pool == expect[i].pool);
    check(aw.seen[i].addr == expect[i].addr && aw.seen[i].pool == expect[i].pool);
  }
  free(expect);
  free(pw.seen);
  free(aw.seen);
}

static void allocSome(size_t n)
{
  size_t i;
  for (i = 0; i < n && nObj < NOBJ; ++i) {
    unsigned a = (unsigned)testRnd(NAP);
    testobj_t obj;
    size_t nrefs = apPool[a] == pools[2] ? 0 : 2;
    die(testobj_alloc(&obj, aps[a], nObj + 1, nrefs, testRnd(testRnd(10) == 0 ? 3000 : 30)),
        "testobj_alloc");
    if (nrefs > 0 && nObj > 0) {
      obj->refs[0] = table[testRnd(nObj)];
      obj->refs[1] = table[testRnd(nObj)];
    }
    table[nObj] = obj;
    tablePool[nObj] = apPool[a];
    ++nObj;
  }
}

static void queries(void)
{
  mps_fmt_t f;
  mps_pool_t p;
  mps_addr_t block;
  int local;
  void *heap = malloc(64);
  size_t i;

  check(heap != NULL);
  for (i = 0; i < nObj; ++i) {
    f = NULL;
    check(mps_addr_fmt(&f, arena, table[i]) && f == fmt);
    check(mps_addr_pool(&p, arena, table[i]) && p == tablePool[i]);
    check(mps_arena_has_addr(arena, table[i]));
  }
  die(mps_alloc(&block, mvff, 128), "mps_alloc");
  f = (mps_fmt_t)&local;
  check(!mps_addr_fmt(&f, arena, &local));
  check(!mps_addr_fmt(&f, arena, heap));
  check(!mps_addr_fmt(&f, arena, NULL));
  check(!mps_addr_fmt(&f, arena, block));      /* an unformatted pool */
  check(f == (mps_fmt_t)&local);               /* untouched */
  check(mps_addr_pool(&p, arena, block) && p == mvff);
  p = (mps_pool_t)&local;
  check(!mps_addr_pool(&p, arena, heap));
  check(!mps_addr_pool(&p, arena, NULL));
  check(p == (mps_pool_t)&local);
  check(!mps_arena_has_addr(arena, NULL));
  check(!mps_arena_has_addr(arena, heap));
  mps_free(mvff, block, 128);
  free(heap);
}

int main(int argc, char *argv[])
{
  mps_root_t root;
  mps_thr_t thread;
  mps_addr_t manual[16];
  WalkState w;
  testobj_t obj;
  size_t i, j, keep;
  int round, rounds;

  testInit(argc, argv);
  rounds = getenv("TARN_UNDER_VALGRIND") != NULL ? 4 : 12;
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "thread");   /* no thread root */
  die(testfmt_create(&fmt, arena, HEADER), "format");
  for (i = 0; i < 3; ++i) {
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
      die(mps_pool_create_k(&pools[i], arena, i < 2 ? mps_class_ams() : mps_class_lo(), args),
          "pool");
    } MPS_ARGS_END(args);
  }
  die(mps_pool_create_k(&mvff, arena, mps_class_mvff(), mps_args_none), "MVFF");
  die(mps_ap_create_k(&aps[0], pools[0], mps_args_none), "AP");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_ambig());
    die(mps_ap_create_k(&aps[1], pools[0], args), "ambiguous AP");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&aps[2], pools[1], mps_args_none), "AP");
  die(mps_ap_create_k(&aps[3], pools[2], mps_args_none), "LO AP");
  apPool[0] = apPool[1] = pools[0];
  apPool[2] = pools[1];
  apPool[3] = pools[2];
  for (i = 0; i < 16; ++i)
    die(mps_alloc(&manual[i], mvff, 8 + 8 * i), "mps_alloc");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, table, NOBJ), "root");

  /* Nothing yet. */
  mps_arena_park(arena);
  checkWalks();
  mps_arena_release(arena);

  for (round = 0; round < rounds; ++round) {
    /* Allocate with buffers left partly used, and walk without a
     * collection: the APs' unused space is part of total - free. */
    allocSome(120);
    mps_arena_park(arena);
    checkWalks();
    queries();
    mps_arena_release(arena);

    /* A reservation outstanding is not an object, but is in use. */
    if (nObj < NOBJ) {
      size_t size = testobj_size(0, testRnd(100));
      mps_addr_t p;
      die(mps_reserve(&p, aps[round % NAP], size), "mps_reserve");
      mps_arena_park(arena);
      checkWalks();
      mps_arena_release(arena);
      obj = testobj_init(p, nObj + 1, 0, (size - testobj_size(0, 0)) / sizeof(mps_word_t));
      check(mps_commit(aps[round % NAP], p, size));
      table[nObj] = obj;
      tablePool[nObj] = apPool[round % NAP];
      ++nObj;
    }

    /* Drop some, collect, walk exactly the survivors. */
    keep = 0;
    for (i = 0; i < nObj; ++i) {
      if (testRnd(3) != 0) {
        table[keep] = table[i];
        tablePool[keep] = tablePool[i];
        ++keep;
      }
    }
    for (i = keep; i < nObj; ++i)
      table[i] = NULL;
    nObj = keep;
    /* The kept objects may refer to dropped ones: redirect those. */
    for (i = 0; i < nObj; ++i) {
      testobj_t obj = table[i];
      for (j = 0; j < obj->nrefs; ++j)
        obj->refs[j] = table[testRnd(nObj)];
    }
    die(mps_arena_collect(arena), "mps_arena_collect");
    checkWalks();
    mps_arena_release(arena);
  }

  /* A callback's error stops the walk. */
  mps_arena_park(arena);
  walkInit(&w);
  w.stopAfter = 5;
  w.pool = pools[0];
  check(mps_pool_walk(pools[0], poolWalker, &w) == MPS_RES_FAIL);
  check(w.n == 5);
  free(w.seen);

  /* A callback that changes references: the collector follows them. */
  walkInit(&w);
  w.swap = 1;
  for (i = 0; i < 2; ++i) {
    w.pool = pools[i];
    die(mps_pool_walk(pools[i], poolWalker, &w), "mps_pool_walk");
  }
  check(!w.bad);
  free(w.seen);
  {
    /* Make an object reachable only through refs[1] of a rooted object:
     * after the swap it is refs[0]'s target that the walk moved there. */
    testobj_t holder = NULL, target;
    for (i = 0; i < nObj && holder == NULL; ++i)
      if (tablePool[i] == pools[0] && ((testobj_t)table[i])->nrefs >= 2)
        holder = table[i];
    check(holder != NULL);
    mps_arena_release(arena);
    die(testobj_alloc(&target, aps[0], 999999, 0, 10), "alloc");
    mps_arena_park(arena);
    holder->refs[0] = target;
    holder->refs[1] = NULL;
    walkInit(&w);
    w.swap = 1;
    w.pool = pools[0];
    die(mps_pool_walk(pools[0], poolWalker, &w), "mps_pool_walk");
    free(w.seen);
    check(holder->refs[0] == NULL && holder->refs[1] == target);
    die(mps_arena_collect(arena), "mps_arena_collect");
    check(testobj_ok(target) && target->id == 999999);
    table[nObj] = target;       /* so that checkWalks expects it */
    tablePool[nObj] = pools[0];
    ++nObj;
    checkWalks();
  }

  mps_root_destroy(root);
  for (i = 0; i < 16; ++i)
    mps_free(mvff, manual[i], 8 + 8 * i);
  for (i = 0; i < NAP; ++i)
    mps_ap_destroy(aps[i]);
  for (i = 0; i < 3; ++i)
    mps_pool_destroy(pools[i]);
  mps_pool_destroy(mvff);
  mps_fmt_destroy(fmt);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
  return testPass();
}

/* ambigtest.c: ambiguous references
 *
 * 1. An object reachable only from an ambiguous table root, and one
 *    reachable only from the thread's stack, survive many collections
 *    with allocation in between, and so does everything they refer to.
 * 2. Words that are not references -- random words, interior and
 *    misaligned pointers, pointers to free grains, to buffer space, to
 *    segment and page boundaries, NULL, (void *)1, addresses just past and
 *    just before the arena's memory, pointers into LO and manual pools --
 *    in an ambiguous root and on the stack crash nothing, are never
 *    changed, and do not disturb exactly-rooted objects or the pools'
 *    accounting.
 * 3. In an AMS pool created with MPS_KEY_AMS_SUPPORT_AMBIGUOUS false, an
 *    object referenced only ambiguously is reclaimed (while in a default
 *    AMS pool in the same arena the same pattern keeps it).  An object
 *    referred to only by interior or misaligned ambiguous pointers is
 *    reclaimed: only its client address identifies it.
 * 4. AMS objects allocated on an allocation point of rank ambiguous keep
 *    alive what they refer to (AMS and LO objects), whatever else their
 *    fields hold, and their fields are never changed; what they stop
 *    referring to dies.  Their references are ambiguous: one into a pool
 *    that ignores ambiguous references keeps nothing.
 * 5. Each way of making a thread root (mps_root_create_thread, _tagged,
 *    _scanned with the client's own scanner and closure, and the
 *    deprecated mps_root_create_reg) keeps alive objects held only by a
 *    callee's frame; with no thread root, and after the root is
 *    destroyed, the same objects die.
 * 6. Words a returned call left below the stack pointer, where the
 *    collector's own frames will be when the client calls it, keep
 *    nothing alive: the calling thread's stack is scanned from the
 *    client's frames up, not from the manager's (thread.h: entry points),
 *    whose slots a collection does not write hold such words.  (A pointer
 *    to a dead list node left in an unwritten slot of traceSlice's frame
 *    kept it, its string and a whole AMCZ segment, in examples/pools.)
 * Parts 3, 4, 5 and 6 run without a thread root (except the ones parts 5
 * and 6 make), so that nothing but the roots the test makes can keep
 * objects alive, and "reclaimed" can be checked by walking the pool.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscams.h"
#include "mpsclo.h"
#include "mpscmvff.h"
#include <string.h>
#include <stdlib.h>

#define NAMBIG 512
#define NEXACT 64
#define WORD sizeof(mps_word_t)

static mps_arena_t arena;
static mps_addr_t ambigRoot[NAMBIG];
static mps_addr_t exactRoot[NEXACT];
static mps_word_t exactIds[NEXACT];
static int underValgrind;

/* Walking: is addr an object the pool still has? */

typedef struct Find {
  mps_addr_t target;
  int found;
  size_t objects, bytes;
} Find;

static mps_res_t findArea(mps_ss_t ss, void *base, void *limit, void *closure)
{
  Find *f = closure;
  char *p = base;
  (void)ss;
  while (p < (char *)limit) {
    char *next = testfmt_skip(p);
    if (p == f->target)
      ++f->found;
    ++f->objects;
    f->bytes += (size_t)(next - p);
    p = next;
  }
  return MPS_RES_OK;
}

/* Returns how many times the walk visited obj (the arena is parked). */
static int inPool(mps_pool_t pool, void *obj)
{
  Find f;
  f.target = obj;
  f.found = 0;
  f.objects = f.bytes = 0;
  die(mps_pool_walk(pool, findArea, &f), "mps_pool_walk");
  return f.found;
}

static size_t walkedBytes(mps_pool_t pool, size_t *objectsReturn)
{
  Find f;
  f.target = NULL;
  f.found = 0;
  f.objects = f.bytes = 0;
  die(mps_pool_walk(pool, findArea, &f), "mps_pool_walk");
  if (objectsReturn != NULL)
    *objectsReturn = f.objects;
  return f.bytes;
}

static size_t apUnused(mps_ap_t ap)
{
  return ap->limit == NULL ? 0 : (size_t)((char *)ap->limit - (char *)ap->init);
}

static void checkAccounting(mps_pool_t pool, mps_ap_t ap)
{
  check(walkedBytes(pool, NULL) + apUnused(ap)
        == mps_pool_total_size(pool) - mps_pool_free_size(pool));
}

static testobj_t alloc(mps_ap_t ap, size_t nrefs, size_t ndata)
{
  static mps_word_t id = 1;
  testobj_t obj;
  die(testobj_alloc(&obj, ap, id++, nrefs, ndata), "testobj_alloc");
  return obj;
}

/* Allocate garbage and replace some exactly-rooted objects. */
static void churn(mps_ap_t ap, unsigned n)
{
  unsigned i;
  for (i = 0; i < n; ++i) {
    testobj_t obj = alloc(ap, testRnd(3), testRnd(40));
    if (testRnd(4) == 0) {
      size_t k = testRnd(NEXACT);
      exactRoot[k] = obj;
      exactIds[k] = obj->id;
    }
  }
}

static void checkExact(mps_pool_t pool)
{
  size_t k;
  for (k = 0; k < NEXACT; ++k) {
    mps_pool_t p;
    if (exactRoot[k] == NULL)
      continue;
    check(testobj_ok(exactRoot[k]));
    check(((testobj_t)exactRoot[k])->id == exactIds[k]);
    check(mps_addr_pool(&p, arena, exactRoot[k]) && p == pool);
  }
}

/* Find the edges of the arena's memory around addr: the lowest and the
 * highest addresses with mps_arena_has_addr true, by doubling then
 * bisecting. */
static void arenaEdges(char **lowReturn, char **highReturn, char *addr)
{
  size_t step, in, out;
  check(mps_arena_has_addr(arena, addr));
  for (step = 4096; mps_arena_has_addr(arena, addr + step); step *= 2)
    ;
  in = step / 2;
  out = step;
  while (out - in > 1) {
    size_t mid = in + (out - in) / 2;
    if (mps_arena_has_addr(arena, addr + mid))
      in = mid;
    else
      out = mid;
  }
  *highReturn = addr + out;             /* just past */
  for (step = 4096; step < (size_t)addr && mps_arena_has_addr(arena, addr - step); step *= 2)
    ;
  in = step / 2;
  out = step;
  while (out - in > 1) {
    size_t mid = in + (out - in) / 2;
    if (mps_arena_has_addr(arena, addr - mid))
      in = mid;
    else
      out = mid;
  }
  *lowReturn = addr - in;               /* the lowest address in */
}

/* Part 1: objects held only by this frame. */
static void __attribute__((noinline)) stackHeld(mps_pool_t pool, mps_ap_t ap,
                                                mps_pool_t loPool, mps_ap_t loAP)
{
  testobj_t held = alloc(ap, 2, 5);
  testobj_t leaf = alloc(loAP, 0, 30);
  mps_word_t heldId = held->id, leafId = leaf->id;
  int i;
  held->refs[0] = alloc(ap, 0, 9);
  held->refs[1] = leaf;
  for (i = 0; i < 4; ++i) {
    churn(ap, 200);
    die(mps_arena_collect(arena), "mps_arena_collect");
    check(inPool(pool, held) == 1);
    check(inPool(pool, held->refs[0]) == 1);
    check(inPool(loPool, leaf) == 1);
    check(testobj_ok(held) && held->id == heldId);
    check(testobj_ok(held->refs[0]));
    check(testobj_ok(leaf) && leaf->id == leafId);
    mps_arena_release(arena);
  }
}

/* Part 2 on the stack: junk in this frame while collecting. */
static void __attribute__((noinline)) stackJunk(mps_ap_t ap, const mps_word_t *junk, size_t n)
{
  volatile mps_word_t local[NAMBIG];
  size_t i;
  for (i = 0; i < n && i < NAMBIG; ++i)
    local[i] = junk[i];
  churn(ap, 100);
  die(mps_arena_collect(arena), "mps_arena_collect");
  mps_arena_release(arena);
  for (i = 0; i < n && i < NAMBIG; ++i)
    check(local[i] == junk[i]);
}

/* The address of an object that died, kept out of sight of the stack
 * scan (as a hidden word) so that it really died. */
#define HIDE ((mps_word_t)0x5A5A5A5A)
static mps_word_t __attribute__((noinline)) deadAddress(mps_ap_t ap)
{
  mps_word_t hidden = (mps_word_t)alloc(ap, 0, 20) ^ HIDE;
  die(mps_arena_collect(arena), "mps_arena_collect");
  mps_arena_release(arena);
  return hidden;
}

static void partOneTwo(void)
{
  mps_fmt_t fmt;
  mps_pool_t pool, loPool, mvff;
  mps_ap_t ap, loAP;
  mps_thr_t thread;
  mps_root_t rAmbig, rExact, rThread;
  testobj_t x, y, leaf, dead, first;
  mps_word_t xId, yId, leafId;
  mps_word_t *junk;
  mps_addr_t manual;
  char *low, *high;
  size_t n = 0, i;
  int round;
  mps_word_t marker;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "thread");
  die(mps_root_create_thread(&rThread, arena, thread, &marker), "thread root");
  die(testfmt_create(&fmt, arena, 0), "format");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&pool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&loPool, arena, mps_class_lo(), args), "LO");
  } MPS_ARGS_END(args);
  die(mps_pool_create_k(&mvff, arena, mps_class_mvff(), mps_args_none), "MVFF");
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_ap_create_k(&loAP, loPool, mps_args_none), "LO AP");
  memset(ambigRoot, 0, sizeof ambigRoot);
  memset(exactRoot, 0, sizeof exactRoot);
  die(mps_root_create_table(&rAmbig, arena, mps_rank_ambig(), 0, ambigRoot, NAMBIG),
      "ambiguous root");
  die(mps_root_create_table(&rExact, arena, mps_rank_exact(), 0, exactRoot, NEXACT),
      "exact root");

  /* 1. Held only by an ambiguous root (and the children only by x). */
  first = alloc(ap, 0, 1);      /* the first object of a fresh segment */
  x = alloc(ap, 2, 10);
  y = alloc(ap, 0, 100);
  leaf = alloc(loAP, 0, 50);
  x->refs[0] = y;
  x->refs[1] = leaf;
  xId = x->id;
  yId = y->id;
  leafId = leaf->id;
  ambigRoot[0] = x;
  x = y = leaf = NULL;
  for (round = 0; round < 6; ++round) {
    churn(ap, 300);
    die(mps_arena_collect(arena), "mps_arena_collect");
    x = ambigRoot[0];
    check(inPool(pool, x) == 1);
    check(testobj_ok(x) && x->id == xId);
    y = x->refs[0];
    leaf = x->refs[1];
    check(inPool(pool, y) == 1 && testobj_ok(y) && y->id == yId);
    check(inPool(loPool, leaf) == 1 && testobj_ok(leaf) && leaf->id == leafId);
    checkExact(pool);
    checkAccounting(pool, ap);
    mps_arena_release(arena);
  }
  stackHeld(pool, ap, loPool, loAP);

  /* 2. Junk. */
  dead = (testobj_t)(deadAddress(ap) ^ HIDE);  /* its grains are free now */
  die(mps_alloc(&manual, mvff, 64), "mps_alloc");
  x = ambigRoot[0];
  arenaEdges(&low, &high, (char *)x);
  junk = malloc(NAMBIG * sizeof *junk);
  check(junk != NULL);
  junk[n++] = 0;
  junk[n++] = 1;
  junk[n++] = (mps_word_t)-1;
  junk[n++] = (mps_word_t)-WORD;
  junk[n++] = WORD;
  junk[n++] = (mps_word_t)high;
  junk[n++] = (mps_word_t)high + WORD;
  junk[n++] = (mps_word_t)high - WORD;
  junk[n++] = (mps_word_t)high - 1;
  junk[n++] = (mps_word_t)low;
  junk[n++] = (mps_word_t)low - WORD;
  junk[n++] = (mps_word_t)low + 1;
  junk[n++] = (mps_word_t)first;             /* a segment's base */
  junk[n++] = (mps_word_t)first & ~(mps_word_t)0xFFF;
  junk[n++] = (mps_word_t)first & ~(mps_word_t)0xFFFF;
  junk[n++] = (mps_word_t)dead;              /* free grains */
  junk[n++] = (mps_word_t)dead + WORD;
  junk[n++] = (mps_word_t)manual;            /* a manual pool */
  junk[n++] = (mps_word_t)manual + 3;
  junk[n++] = (mps_word_t)x + 1;             /* misaligned */
  junk[n++] = (mps_word_t)x->refs[1] + WORD; /* inside an LO object */
  junk[n++] = (mps_word_t)ambigRoot;         /* not managed */
  junk[n++] = (mps_word_t)&marker;
  junk[n++] = (mps_word_t)arena;
  junk[n++] = (mps_word_t)ap;
  junk[n++] = (mps_word_t)ap->init;          /* buffer space */
  junk[n++] = (mps_word_t)ap->limit;
  junk[n++] = (mps_word_t)ap->limit - WORD;
  for (i = 0; i < testobj_size(2, 10) / WORD; ++i)
    junk[n++] = (mps_word_t)x + i * WORD;    /* every word of x */
  /* Past the last object of each of a few exactly-rooted objects. */
  for (i = 0; i < 16; ++i) {
    testobj_t e = exactRoot[testRnd(NEXACT)];
    if (e != NULL) {
      junk[n++] = (mps_word_t)e + testRnd(((size_t)e->header >> 8) / WORD) * WORD;
      junk[n++] = (mps_word_t)e + ((size_t)e->header >> 8);
    }
  }
  while (n < NAMBIG - 1) {
    switch (testRnd(4)) {
    case 0: junk[n++] = testRandom(); break;
    case 1: junk[n++] = (mps_word_t)low + testRnd((size_t)(high - low)); break;
    case 2: junk[n++] = ((mps_word_t)low + testRnd((size_t)(high - low))) & ~(WORD - 1); break;
    default: junk[n++] = (mps_word_t)x + testRnd(1 << 20) - (1 << 19); break;
    }
  }
  for (i = 0; i < n; ++i)
    ambigRoot[1 + i] = (mps_addr_t)junk[i];
  for (round = 0; round < (underValgrind ? 4 : 20); ++round) {
    churn(ap, 200);
    /* New objects reuse the grains junk points at. */
    die(mps_arena_collect(arena), "mps_arena_collect");
    for (i = 0; i < n; ++i)
      check(ambigRoot[1 + i] == (mps_addr_t)junk[i]);  /* never changed */
    check(ambigRoot[0] == x);
    check(testobj_ok(x) && inPool(pool, x) == 1);
    checkExact(pool);
    checkAccounting(pool, ap);
    checkAccounting(loPool, loAP);
    mps_arena_release(arena);
    if (round % 4 == 0)
      stackJunk(ap, junk, n);
  }

  mps_arena_park(arena);
  free(junk);
  mps_root_destroy(rExact);
  mps_root_destroy(rAmbig);
  mps_root_destroy(rThread);
  mps_free(mvff, manual, 64);
  mps_ap_destroy(loAP);
  mps_ap_destroy(ap);
  mps_pool_destroy(mvff);
  mps_pool_destroy(loPool);
  mps_pool_destroy(pool);
  mps_fmt_destroy(fmt);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
}

/* 3. MPS_KEY_AMS_SUPPORT_AMBIGUOUS false. */
static void partThree(void)
{
  mps_fmt_t fmt;
  mps_pool_t noAmbig, withAmbig;
  mps_ap_t apNo, apWith;
  mps_root_t rAmbig, rExact;
  testobj_t xNo, xWith, eNo, z;
  size_t objects, before, i;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(testfmt_create(&fmt, arena, 0), "format");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_AMS_SUPPORT_AMBIGUOUS, 0);
    die(mps_pool_create_k(&noAmbig, arena, mps_class_ams(), args), "AMS no ambig");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_AMS_SUPPORT_AMBIGUOUS, 1);
    die(mps_pool_create_k(&withAmbig, arena, mps_class_ams(), args), "AMS ambig");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&apNo, noAmbig, mps_args_none), "AP");
  die(mps_ap_create_k(&apWith, withAmbig, mps_args_none), "AP");
  memset(ambigRoot, 0, sizeof ambigRoot);
  memset(exactRoot, 0, sizeof exactRoot);
  die(mps_root_create_table(&rAmbig, arena, mps_rank_ambig(), 0, ambigRoot, NAMBIG),
      "ambiguous root");
  die(mps_root_create_table(&rExact, arena, mps_rank_exact(), 0, exactRoot, NEXACT),
      "exact root");

  xNo = alloc(apNo, 0, 40);
  xWith = alloc(apWith, 0, 40);
  z = alloc(apWith, 0, 20);
  eNo = alloc(apNo, 1, 8);
  eNo->refs[0] = alloc(apNo, 0, 3);   /* exact reference from an exact root's object */
  ambigRoot[0] = xNo;
  ambigRoot[1] = xWith;
  /* z is referred to only by interior and misaligned pointers: only a
   * reference to an object's client address identifies it (contract
   * 6.3), so z dies. */
  for (i = 1; i < testobj_size(0, 20) / WORD; ++i)
    ambigRoot[1 + i] = (char *)z + i * WORD;
  ambigRoot[1 + i] = (char *)z + 1;
  ambigRoot[2 + i] = (char *)z + WORD - 1;
  exactRoot[0] = eNo;
  exactIds[0] = eNo->id;
  mps_arena_park(arena);
  before = mps_pool_total_size(noAmbig) - mps_pool_free_size(noAmbig) - apUnused(apNo);
  check(before == testobj_size(0, 40) + testobj_size(1, 8) + testobj_size(0, 3));
  die(mps_arena_collect(arena), "mps_arena_collect");
  /* The ambiguous reference kept nothing in noAmbig ... */
  check(inPool(noAmbig, xNo) == 0);
  check(inPool(noAmbig, eNo) == 1 && inPool(noAmbig, eNo->refs[0]) == 1);
  check(testobj_ok(eNo) && testobj_ok(eNo->refs[0]));
  (void)walkedBytes(noAmbig, &objects);
  check(objects == 2);
  check(mps_pool_total_size(noAmbig) - mps_pool_free_size(noAmbig)
        == testobj_size(1, 8) + testobj_size(0, 3));
  /* ... but the same reference kept xWith. */
  check(inPool(withAmbig, xWith) == 1 && testobj_ok(xWith));
  check(inPool(withAmbig, z) == 0);
  check(mps_pool_total_size(withAmbig) - mps_pool_free_size(withAmbig)
        == testobj_size(0, 40));
  check(ambigRoot[0] == xNo);   /* and was not changed */
  mps_arena_release(arena);

  mps_arena_park(arena);
  mps_root_destroy(rExact);
  mps_root_destroy(rAmbig);
  mps_ap_destroy(apWith);
  mps_ap_destroy(apNo);
  mps_pool_destroy(withAmbig);
  mps_pool_destroy(noAmbig);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

/* 4. Objects on an ambiguous allocation point. */
static void partFour(void)
{
  mps_fmt_t fmt;
  mps_pool_t pool, loPool;
  mps_ap_t apExact, apAmbig, loAP;
  mps_root_t rExact;
  testobj_t a, b, b2, c, d, leaf, o, n;
  mps_addr_t saved[9];
  mps_pool_t noAmbig;
  mps_ap_t apNo;
  size_t i, objects;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(testfmt_create(&fmt, arena, 0), "format");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&pool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&loPool, arena, mps_class_lo(), args), "LO");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_AMS_SUPPORT_AMBIGUOUS, 0);
    die(mps_pool_create_k(&noAmbig, arena, mps_class_ams(), args), "AMS no ambig");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&apNo, noAmbig, mps_args_none), "AP");
  die(mps_ap_create_k(&apExact, pool, mps_args_none), "exact AP");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_ambig());
    die(mps_ap_create_k(&apAmbig, pool, args), "ambiguous AP");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&loAP, loPool, mps_args_none), "LO AP");
  memset(exactRoot, 0, sizeof exactRoot);
  die(mps_root_create_table(&rExact, arena, mps_rank_exact(), 0, exactRoot, NEXACT),
      "exact root");

  a = alloc(apAmbig, 9, 4);
  b = alloc(apExact, 1, 6);
  d = alloc(apExact, 0, 7);
  b->refs[0] = d;               /* d is held exactly by b */
  b2 = alloc(apExact, 0, 5);
  c = alloc(apExact, 0, 2);
  leaf = alloc(loAP, 0, 11);
  o = alloc(apExact, 1, 0);     /* an exact object referring to a */
  o->refs[0] = a;
  exactRoot[0] = o;
  a->refs[0] = b;
  a->refs[1] = leaf;
  a->refs[2] = (char *)b2 + WORD;        /* interior */
  a->refs[3] = (mps_addr_t)0x12345677;   /* an integer */
  a->refs[4] = (mps_addr_t)1;
  a->refs[5] = c;
  a->refs[6] = (char *)c + 3;            /* misaligned */
  a->refs[7] = a;                        /* itself */
  /* An object of a pool that ignores ambiguous references: a's fields
   * are ambiguous, so it dies (an exact scan of a would keep it). */
  n = alloc(apNo, 0, 3);
  a->refs[8] = n;
  for (i = 0; i < 9; ++i)
    saved[i] = a->refs[i];

  mps_arena_park(arena);
  die(mps_arena_collect(arena), "mps_arena_collect");
  check(inPool(pool, a) == 1 && testobj_ok(a));
  check(inPool(pool, b) == 1 && testobj_ok(b));
  check(inPool(pool, d) == 1 && testobj_ok(d));
  check(inPool(pool, c) == 1 && testobj_ok(c));
  check(inPool(loPool, leaf) == 1 && testobj_ok(leaf));
  for (i = 0; i < 9; ++i)
    check(a->refs[i] == saved[i]);       /* ambiguous words never change */
  check(inPool(noAmbig, n) == 0);
  checkAccounting(pool, apExact);
  checkAccounting(loPool, loAP);

  /* a stops referring to c and the leaf: they die, the rest stays. */
  a->refs[5] = (mps_addr_t)0x7;
  a->refs[1] = NULL;
  die(mps_arena_collect(arena), "mps_arena_collect");
  check(inPool(pool, c) == 0);
  check(inPool(loPool, leaf) == 0);
  check(mps_pool_total_size(loPool) == mps_pool_free_size(loPool));
  check(inPool(pool, a) == 1 && inPool(pool, b) == 1 && inPool(pool, d) == 1);
  check(testobj_ok(a) && testobj_ok(b) && testobj_ok(d));

  /* Nothing refers to a: everything dies. */
  exactRoot[0] = NULL;
  die(mps_arena_collect(arena), "mps_arena_collect");
  (void)walkedBytes(pool, &objects);
  check(objects == 0);
  check(mps_pool_total_size(pool) == mps_pool_free_size(pool));

  mps_root_destroy(rExact);
  mps_ap_destroy(apNo);
  mps_pool_destroy(noAmbig);
  mps_ap_destroy(loAP);
  mps_ap_destroy(apAmbig);
  mps_ap_destroy(apExact);
  mps_pool_destroy(loPool);
  mps_pool_destroy(pool);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

/* 5. Every way of making a thread root keeps what the stack holds; with
 * no thread root the same objects die. */

static unsigned long customCalls = 0;
static int customClosure;

/* A client's own ambiguous stack scanner (mps_root_create_thread_scanned):
 * every word-aligned word is a candidate, as in mps_scan_area. */
static mps_res_t customScan(mps_ss_t ss, void *base, void *limit, void *closure)
{
  if (closure == &customClosure)
    ++customCalls;
  return mps_scan_area(ss, base, limit, NULL);
}

#define NHELD 8

/* Allocate objects held only by this frame, collect, and return how many
 * the pool still has (each is checked intact if it is there). */
static size_t __attribute__((noinline)) heldByFrame(mps_pool_t pool, mps_ap_t ap)
{
  testobj_t held[NHELD];
  mps_word_t ids[NHELD];
  size_t i, kept = 0;
  for (i = 0; i < NHELD; ++i) {
    held[i] = alloc(ap, 1, testRnd(20));
    held[i]->refs[0] = alloc(ap, 0, 3);
    ids[i] = held[i]->id;
  }
  die(mps_arena_collect(arena), "mps_arena_collect");
  for (i = 0; i < NHELD; ++i) {
    int in = inPool(pool, held[i]);
    check(in == 0 || in == 1);
    if (in) {
      check(testobj_ok(held[i]) && held[i]->id == ids[i]);
      check(inPool(pool, held[i]->refs[0]) == 1 && testobj_ok(held[i]->refs[0]));
      ++kept;
    }
  }
  mps_arena_release(arena);
  return kept;
}

static void __attribute__((noinline)) partFive(void *cold)
{
  mps_fmt_t fmt;
  mps_pool_t pool;
  mps_ap_t ap;
  mps_thr_t thread;
  mps_root_t root;
  int kind;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "thread");
  die(testfmt_create(&fmt, arena, 0), "format");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&pool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");

  /* No thread root: nothing keeps them. */
  check(heldByFrame(pool, ap) == 0);
  for (kind = 0; kind < 4; ++kind) {
    switch (kind) {
    case 0:
      die(mps_root_create_thread(&root, arena, thread, cold), "mps_root_create_thread");
      break;
    case 1:
      die(mps_root_create_thread_tagged(&root, arena, mps_rank_ambig(), 0, thread,
                                        mps_scan_area_tagged, WORD - 1, 0, cold),
          "mps_root_create_thread_tagged");
      break;
    case 2:
      die(mps_root_create_thread_scanned(&root, arena, mps_rank_ambig(), 0, thread,
                                         customScan, &customClosure, cold),
          "mps_root_create_thread_scanned");
      break;
    default:
      die(mps_root_create_reg(&root, arena, mps_rank_ambig(), 0, thread,
                              mps_stack_scan_ambig, cold, 0), "mps_root_create_reg");
      break;
    }
    check(heldByFrame(pool, ap) == NHELD);
    mps_root_destroy(root);
    /* And once the root is gone, they die again. */
    check(heldByFrame(pool, ap) == 0);
  }
  check(customCalls > 0);

  mps_arena_park(arena);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_fmt_destroy(fmt);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
}

/* 6. Stale words below the stack pointer. */

#define STALE_WORDS 4096        /* 32 KB below the caller's frame */
#define STALE_NEAR 64           /* of which the words nearest it are zeroed */

static void *volatile staleTarget;      /* not a root */

static void __attribute__((noinline)) makeStaleTarget(mps_ap_t ap)
{
  staleTarget = alloc(ap, 1, 4);
}

/* Fill this frame (below the caller's) with the target's address, except
 * the words nearest the caller, where the entry point's own frames will
 * be: those are zeroed, so that this part tests the frames below. */
static void __attribute__((noinline)) leaveStale(void)
{
  volatile mps_word_t words[STALE_WORDS];
  size_t i;
  for (i = 0; i < STALE_WORDS; ++i)
    words[i] = i < STALE_WORDS - STALE_NEAR ? (mps_word_t)staleTarget : 0;
  (void)words[0];
}

/* This part runs first, and its frame is small (no MPS_ARGS array: most
 * of one is never written), so that no word left in the client's part of
 * the stack by an earlier arena at the same addresses can keep the
 * target: this part is about the manager's part. */
static mps_arg_s amsArgs[2];

static void __attribute__((noinline)) partSix(void *cold)
{
  mps_fmt_t fmt;
  mps_pool_t pool;
  mps_ap_t ap;
  mps_thr_t thread;
  mps_root_t root;
  int round;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "thread");
  die(mps_root_create_thread(&root, arena, thread, cold), "mps_root_create_thread");
  die(testfmt_create(&fmt, arena, 0), "format");
  amsArgs[0].key = MPS_KEY_FORMAT;
  amsArgs[0].val.format = fmt;
  amsArgs[1].key = MPS_KEY_ARGS_END;
  die(mps_pool_create_k(&pool, arena, mps_class_ams(), amsArgs), "AMS");
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");

  /* Through both kinds of entry: a whole collection, and one started
   * and then finished by parking. */
  for (round = 0; round < 8; ++round) {
    makeStaleTarget(ap);
    leaveStale();
    if (round % 2 == 0) {
      die(mps_arena_collect(arena), "mps_arena_collect");
    } else {
      die(mps_arena_start_collect(arena), "mps_arena_start_collect");
      mps_arena_park(arena);
    }
    check(inPool(pool, staleTarget) == 0);
    mps_arena_release(arena);
  }

  mps_arena_park(arena);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_fmt_destroy(fmt);
  mps_root_destroy(root);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
}

int main(int argc, char *argv[])
{
  testInit(argc, argv);
  underValgrind = getenv("TARN_UNDER_VALGRIND") != NULL;
  {
    void *marker = &marker;
    partSix(marker);
  }
  partOneTwo();
  partThree();
  partFour();
  {
    void *marker = &marker;
    partFive(marker);
  }
  return testPass();
}

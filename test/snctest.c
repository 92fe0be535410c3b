/* snctest.c: the SNC pool (contract 6.9, 9.3, 17)
 *
 * SNC objects act as roots: AMC objects referenced only from SNC objects
 * survive collections and the references are updated when they move;
 * popping a frame kills everything allocated since its push, so the AMC
 * objects they alone referenced die (a weak table root sees them
 * splatted).  The thread is deliberately not registered: with no
 * ambiguous roots every AMC object moves and every dead one dies, so all
 * of this is deterministic.
 *
 * Checked along the way: walks (mps_pool_walk and the deprecated
 * formatted-objects walk) agree with each other and with a model of the
 * stack, object for object, and with the pool's size accounting; popped
 * space is reused; frames rejected when not on the allocation point's
 * stack; push and pop between reserve and commit fail; a reservation
 * outstanding across a collection fails to commit; objects of a
 * destroyed allocation point stay and keep being scanned; allocation
 * patterns are accepted; an ambiguous-rank SNC allocation point pins.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpslib.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscsnc.h"
#include "mpscmvff.h"
#include <string.h>

#define MAXLIVE 3000            /* SNC objects on the model's stack */
#define MAXFRAMES 64
#define CHILD_BASE 1000000000UL /* ids of AMC objects: CHILD_BASE + 2 * snc id (+1) */

static mps_arena_t arena;
static mps_fmt_t fmt;
static mps_pool_t amcPool, sncPool;
static mps_ap_t amcAP, sncAP;

/* The model of sncAP's stack */
static testobj_t live[MAXLIVE];         /* SNC objects, oldest first */
static mps_addr_t lastChild[MAXLIVE];   /* address of its AMC child at the last check */
static size_t nlive = 0;
static struct { mps_frame_t frame; size_t nlive; } frames[MAXFRAMES];
static size_t nframes = 0;
static mps_word_t nextId = 1;
static unsigned long moved = 0, checks = 0;

/* A weak table root parallel to live[]: weak[i] is live[i]'s AMC child
 * while live[i] is alive.  deadPending[i]: the SNC object that was there
 * has been popped; after the next full collection the child must have
 * been splatted. */
static mps_addr_t weak[MAXLIVE];
static char deadPending[MAXLIVE];
static mps_addr_t exactHold[4];         /* an exact table root */
static size_t extraObjs = 0;            /* SNC objects outside the model */
static unsigned long splatted = 0;

static int underValgrind(void)
{
  return getenv("TARN_UNDER_VALGRIND") != NULL;
}

/* Allocate an SNC object whose refs[0] is an AMC object A whose refs[0]
 * is an AMC object B; refs[1] is the previous SNC object.  Every AMC
 * pointer is stored in scanned memory before the next AMC allocation,
 * which may collect and move it. */
static void pushObject(void)
{
  testobj_t s, a, b;
  mps_word_t id = nextId++;
  size_t i = nlive;
  check(nlive < MAXLIVE);
  die(testobj_alloc(&s, sncAP, id, 2, testRnd(8)), "SNC alloc");
  s->refs[1] = nlive > 0 ? live[nlive - 1] : NULL;
  die(testobj_alloc(&b, amcAP, CHILD_BASE + 2 * id + 1, 0, testRnd(6)), "AMC alloc B");
  s->refs[0] = b;
  die(testobj_alloc(&a, amcAP, CHILD_BASE + 2 * id, 1, testRnd(6)), "AMC alloc A");
  a->refs[0] = s->refs[0];      /* B, wherever it is now */
  s->refs[0] = a;
  live[i] = s;
  lastChild[i] = a;
  weak[i] = a;
  deadPending[i] = 0;
  ++nlive;
}

/* Garbage in AMC, to provoke collections. */
static void garbage(size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i) {
    testobj_t g;
    die(testobj_alloc(&g, amcAP, 7, 0, testRnd(30)), "garbage");
  }
}

static void checkLive(void)
{
  size_t i;
  for (i = 0; i < nlive; ++i) {
    testobj_t s = live[i], a, b;
    check(testobj_ok(s));
    check(s->nrefs == 2);
    check(s->refs[1] == (i > 0 ? (mps_addr_t)live[i - 1] : NULL));
    a = s->refs[0];
    check(a != NULL && testobj_ok(a));
    check(a->id == CHILD_BASE + 2 * s->id);
    b = a->refs[0];
    check(b != NULL && testobj_ok(b));
    check(b->id == CHILD_BASE + 2 * s->id + 1);
    check(weak[i] == a);        /* the weak reference moved with it */
    if (lastChild[i] != a)
      ++moved;
    lastChild[i] = a;
  }
  ++checks;
}

/* After a full collection: the children of popped objects are gone. */
static void checkDead(void)
{
  size_t i;
  for (i = 0; i < MAXLIVE; ++i)
    if (deadPending[i]) {
      check(weak[i] == NULL);
      deadPending[i] = 0;
      ++splatted;
    }
}

static void collect(void)
{
  die(mps_arena_collect(arena), "collect");
  checkDead();
  checkLive();
  mps_arena_release(arena);
}

static void pushFrame(void)
{
  check(nframes < MAXFRAMES);
  die(mps_ap_frame_push(&frames[nframes].frame, sncAP), "frame push");
  frames[nframes].nlive = nlive;
  ++nframes;
}

static void popFrame(size_t j)
{
  size_t i;
  check(j < nframes);
  die(mps_ap_frame_pop(sncAP, frames[j].frame), "frame pop");
  for (i = frames[j].nlive; i < nlive; ++i)
    deadPending[i] = 1;         /* its child dies at the next collection */
  nlive = frames[j].nlive;
  nframes = j;
}

/* Walking */

typedef struct {
  size_t objs, pads, bytes;
  mps_word_t idSum;
} WalkCount;

static void countBlock(WalkCount *c, mps_addr_t p)
{
  size_t size = (size_t)((char *)testfmt_skip(p) - (char *)p);
  if (testfmt_is_pad(p)) {
    ++c->pads;
  } else {
    check(testobj_ok(p));
    ++c->objs;
    c->idSum += ((testobj_t)p)->id;
  }
  c->bytes += size;
}

static mps_res_t walkArea(mps_ss_t ss, void *base, void *limit, void *closure)
{
  mps_addr_t p = base;
  (void)ss;
  while (p < limit) {
    countBlock(closure, p);
    p = testfmt_skip(p);
  }
  check(p == limit);
  return MPS_RES_OK;
}

static void walkStep(mps_addr_t addr, mps_fmt_t f, mps_pool_t pool, void *p, size_t s)
{
  (void)s;
  check(f == fmt);
  if (pool == sncPool)
    countBlock(p, addr);
}

static size_t apFree(mps_ap_t ap)
{
  if (ap->init == NULL || ap->limit == NULL)
    return 0;
  return (size_t)((char *)ap->limit - (char *)ap->init);
}

/* Walk the SNC pool both ways; return the object count.  The objects are
 * exactly the model's (plus `extra` from other allocation points). */
static size_t checkWalk(mps_ap_t otherAP)
{
  WalkCount w1, w2;
  mps_word_t idSum = 0;
  size_t i, total, inUse;
  memset(&w1, 0, sizeof w1);
  memset(&w2, 0, sizeof w2);
  mps_arena_park(arena);
  die(mps_pool_walk(sncPool, walkArea, &w1), "pool walk");
  mps_arena_formatted_objects_walk(arena, walkStep, &w2, 0);
  check(w1.objs == w2.objs && w1.pads == w2.pads && w1.bytes == w2.bytes);
  check(w1.idSum == w2.idSum);
  check(w1.objs == nlive + extraObjs);
  if (extraObjs == 0) {
    for (i = 0; i < nlive; ++i)
      idSum += live[i]->id;
    check(w1.idSum == idSum);
  }
  total = mps_pool_total_size(sncPool);
  inUse = total - mps_pool_free_size(sncPool);
  check(mps_pool_free_size(sncPool) <= total);
  check(w1.bytes + apFree(sncAP) + (otherAP != NULL ? apFree(otherAP) : 0) == inUse);
  mps_arena_release(arena);
  return w1.objs;
}

/* Frame misuse: the assertion handler records instead of aborting. */

static int reports = 0;
static char lastReport[512];

static void recordHandler(const char *file, unsigned line, const char *condition)
{
  (void)file;
  (void)line;
  ++reports;
  strncpy(lastReport, condition, sizeof lastReport - 1);
  lastReport[sizeof lastReport - 1] = '\0';
}

static void expectRejectedPop(mps_ap_t ap, mps_frame_t frame, int line)
{
  mps_res_t res;
  reports = 0;
  lastReport[0] = '\0';
  res = mps_ap_frame_pop(ap, frame);
  if (res == MPS_RES_OK || reports != 1
      || strncmp(lastReport, "mps_ap_frame_pop", strlen("mps_ap_frame_pop")) != 0) {
    char what[700];
    snprintf(what, sizeof what, "line %d: bad pop accepted or not reported (res %s, %d reports, \"%s\")",
             line, testResName(res), reports, lastReport);
    testFail(__FILE__, line, what);
  }
  check(res == MPS_RES_PARAM);
  printf("  rejected: %s\n", lastReport);
}

static void dummyPad(mps_addr_t addr, size_t size)
{
  (void)addr;
  (void)size;
}

static void testMisuse(void)
{
  mps_lib_assert_fail_t old;
  mps_frame_t f2, fOther, f;
  mps_ap_t ap2;
  mps_addr_t p;
  size_t size = testobj_size(0, 2);
  size_t base = nframes, before = nlive;
  int local = 0;

  die(mps_ap_create_k(&ap2, sncPool, mps_args_none), "second SNC AP");
  old = mps_lib_assert_fail_install(recordHandler);

  pushFrame();
  pushObject();
  pushObject();
  pushFrame();
  f2 = frames[nframes - 1].frame;
  pushObject();
  popFrame(base);               /* pops the older frame, discarding f2 */
  check(nlive == before);
  /* f2 now lies above the top of the stack */
  expectRejectedPop(sncAP, f2, __LINE__);
  /* a frame of another allocation point */
  die(mps_ap_frame_push(&fOther, ap2), "push on ap2");
  expectRejectedPop(sncAP, fOther, __LINE__);
  /* not a frame at all */
  expectRejectedPop(sncAP, (mps_frame_t)(void *)&local, __LINE__);
  /* the stack grows again past where f2 was: a frame pushed now and
   * popped is fine, and so is a pop on ap2 of its own frame */
  pushFrame();
  pushObject();
  popFrame(nframes - 1);
  die(mps_ap_frame_pop(ap2, fOther), "ap2's own frame");

  /* Push and pop between reserve and commit fail (not a report: the
   * generic layer answers MPS_RES_FAIL). */
  reports = 0;
  pushFrame();
  die(mps_reserve(&p, sncAP, size), "reserve");
  check(mps_ap_frame_push(&f, sncAP) == MPS_RES_FAIL);
  check(mps_ap_frame_pop(sncAP, frames[nframes - 1].frame) == MPS_RES_FAIL);
  (void)testobj_init(p, 424242, 0, 2);
  check(mps_commit(sncAP, p, size));
  popFrame(nframes - 1);        /* the stray object goes */
  check(reports == 0);

  mps_lib_assert_fail_install(old);
  mps_ap_destroy(ap2);
}

/* A reservation outstanding across a collection must fail to commit. */
static void testReserveAcrossFlip(void)
{
  mps_addr_t p;
  size_t size = testobj_size(2, 1);
  testobj_t s, a;
  mps_frame_t f;
  int tries = 0;
  die(mps_ap_frame_push(&f, sncAP), "push");
  die(testobj_alloc(&a, amcAP, 99, 0, 3), "amc for reservation");
  exactHold[0] = a;
  do {
    die(mps_reserve(&p, sncAP, size), "reserve");
    s = testobj_init(p, 98, 2, 1);
    s->refs[0] = exactHold[0];
    if (tries == 0)
      collect();                /* the referent moves */
    ++tries;
  } while (!mps_commit(sncAP, p, size));
  check(tries == 2);            /* the first commit failed */
  check(s->refs[0] == exactHold[0]);
  check(exactHold[0] != (mps_addr_t)a);
  check(testobj_ok(s->refs[0]) && ((testobj_t)s->refs[0])->id == 99);
  die(mps_ap_frame_pop(sncAP, f), "pop");
  exactHold[0] = NULL;
}

/* Objects of a destroyed allocation point stay and are scanned. */
static void testOrphans(void)
{
  mps_ap_t ap3;
  testobj_t s[20], a;
  size_t i;
  die(mps_ap_create(&ap3, sncPool, mps_rank_exact()), "AP (deprecated form)");
  for (i = 0; i < 20; ++i) {
    die(testobj_alloc(&s[i], ap3, 5000 + i, 1, 2), "orphan");
    die(testobj_alloc(&a, amcAP, 6000 + i, 0, 4), "orphan's child");
    s[i]->refs[0] = a;
  }
  mps_ap_destroy(ap3);
  garbage(2000);
  collect();
  collect();
  for (i = 0; i < 20; ++i) {
    check(testobj_ok(s[i]) && s[i]->id == 5000 + i);
    a = s[i]->refs[0];
    check(testobj_ok(a) && a->id == 6000 + i);
  }
  extraObjs += 20;
  check(checkWalk(NULL) == nlive + extraObjs);
}

/* An ambiguous-rank SNC allocation point: its references pin. */
static void testAmbig(void)
{
  mps_ap_t apA;
  testobj_t s, a;
  mps_addr_t was;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_ambig());
    die(mps_ap_create_k(&apA, sncPool, args), "ambiguous SNC AP");
  } MPS_ARGS_END(args);
  die(testobj_alloc(&s, apA, 7000, 1, 1), "ambig SNC object");
  die(testobj_alloc(&a, amcAP, 7001, 0, 5), "pinned child");
  s->refs[0] = a;
  was = a;
  garbage(500);
  collect();
  collect();
  check(s->refs[0] == was);     /* not moved, and the word not changed */
  check(testobj_ok(was) && ((testobj_t)was)->id == 7001);
  mps_ap_destroy(apA);
  extraObjs += 1;
  check(checkWalk(NULL) == nlive + extraObjs);
}

/* Collections started with mps_arena_start_collect proceed in slices
 * (with pause time 0, tiny ones): the client pushes, pops, allocates and
 * reads SNC objects while the trace is under way and SNC segments are
 * grey behind the read barrier. */
static void testIncremental(void)
{
  size_t rep, k;
  for (rep = 0; rep < 20; ++rep) {
    size_t base = nframes;
    pushFrame();
    for (k = 0; k < 200 + testRnd(300); ++k)
      pushObject();
    pushFrame();
    for (k = 0; k < 100; ++k)
      pushObject();
    die(mps_arena_start_collect(arena), "start collect");
    if (testRnd(2))
      popFrame(nframes - 1 - testRnd(2));     /* pads grey segments */
    for (k = 0; k < 50; ++k)
      pushObject();                           /* fills a grey segment's tail */
    checkLive();                              /* reads grey segments */
    garbage(200);
    checkLive();
    if (base < nframes && (testRnd(4) != 0 || nlive > 1000))
      popFrame(base);
  }
  collect();
  checkWalk(NULL);
  while (nframes > 0)
    popFrame(nframes - 1);
  collect();
  checkWalk(NULL);
}

static void run(double pauseTime)
{
  mps_chain_t chain;
  mps_gen_param_s gens[] = {{150, 0.85}, {600, 0.45}};
  mps_root_t weakRoot, exactRoot;
  mps_pool_t mvff;
  mps_addr_t block;
  size_t i, rounds, maxTotal = 0;
  int valgrind = underValgrind();

  printf("pause time %g\n", pauseTime);
  nlive = nframes = extraObjs = 0;
  nextId = 1;
  moved = checks = splatted = 0;
  memset(weak, 0, sizeof weak);
  memset(deadPending, 0, sizeof deadPending);
  memset(exactHold, 0, sizeof exactHold);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  mps_arena_pause_time_set(arena, pauseTime);
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&amcPool, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  die(mps_pool_create(&sncPool, arena, mps_class_snc(), fmt), "SNC (deprecated form)");
  die(mps_ap_create_k(&amcAP, amcPool, mps_args_none), "AMC AP");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_exact());
    die(mps_ap_create_k(&sncAP, sncPool, args), "SNC AP");
  } MPS_ARGS_END(args);
  die(mps_root_create_table(&weakRoot, arena, mps_rank_weak(), 0, weak, MAXLIVE), "weak root");
  die(mps_root_create_table(&exactRoot, arena, mps_rank_exact(), 0, exactHold, 4), "exact root");

  /* An SNC pool needs a pad method and no headers. */
  {
    mps_lib_assert_fail_t old = mps_lib_assert_fail_install(recordHandler);
    mps_fmt_t hfmt;
    mps_pool_t bad;
    die(mps_fmt_create_k(&hfmt, arena, mps_args_none), "empty format");
    reports = 0;
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_FORMAT, hfmt);
      check(mps_pool_create_k(&bad, arena, mps_class_snc(), args) != MPS_RES_OK);
    } MPS_ARGS_END(args);
    check(reports >= 1);
    mps_fmt_destroy(hfmt);
    /* every method, but in-band headers */
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_FMT_HEADER_SIZE, 16);
      MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, testfmt_scan);
      MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, testfmt_skip);
      MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, dummyPad);
      die(mps_fmt_create_k(&hfmt, arena, args), "format with headers");
    } MPS_ARGS_END(args);
    reports = 0;
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_FORMAT, hfmt);
      check(mps_pool_create_k(&bad, arena, mps_class_snc(), args) == MPS_RES_PARAM);
    } MPS_ARGS_END(args);
    check(reports == 1 && strstr(lastReport, "headerSize") != NULL);
    mps_fmt_destroy(hfmt);
    mps_lib_assert_fail_install(old);
  }

  /* Patterns are accepted and ignored on SNC (contract 9.4). */
  check(mps_ap_alloc_pattern_end(sncAP, mps_alloc_pattern_ramp()) == MPS_RES_FAIL);
  die(mps_ap_alloc_pattern_begin(sncAP, mps_alloc_pattern_ramp()), "ramp begin");
  die(mps_ap_alloc_pattern_end(sncAP, mps_alloc_pattern_ramp()), "ramp end");
  die(mps_ap_alloc_pattern_reset(sncAP), "pattern reset");

  /* 1. Nested frames; AMC objects kept alive only by SNC objects. */
  for (i = 0; i < 8; ++i) {
    size_t k, n = 40 + testRnd(200);
    pushFrame();
    for (k = 0; k < n; ++k)
      pushObject();
    garbage(valgrind ? 200 : 1000);
    checkLive();
  }
  collect();
  check(checkWalk(NULL) == nlive);
  /* Pop from the top down, collecting after each pop. */
  while (nframes > 4) {
    size_t totalBefore = mps_pool_total_size(sncPool);
    popFrame(nframes - 1);
    collect();
    check(mps_pool_total_size(sncPool) <= totalBefore);
    checkWalk(NULL);
  }
  check(moved > 0);
  printf("nested frames: %lu moves seen, %lu children splatted\n", moved, splatted);
  check(splatted > 0);

  /* 2. Popped space is reused: the same push-allocate-pop cycle, crossing
   * segment boundaries, does not make the pool grow. */
  for (i = 0; i < 60; ++i) {
    size_t k, n = 100 + testRnd(300);
    pushFrame();
    for (k = 0; k < n; ++k)
      pushObject();
    if (i % 10 == 0)
      collect();
    popFrame(nframes - 1);
    if (i == 5)
      maxTotal = mps_pool_total_size(sncPool) + 64 * 1024;
    if (i > 5)
      check(mps_pool_total_size(sncPool) <= maxTotal);
  }
  collect();
  checkWalk(NULL);

  if (pauseTime == 0.0)
    testIncremental();

  /* 3. A random stack discipline with collections interleaved. */
  rounds = valgrind ? 300 : 3000;
  for (i = 0; i < rounds; ++i) {
    unsigned long r = testRnd(100);
    if (r < 50 && nlive < MAXLIVE - 10) {
      size_t k, n = 1 + testRnd(8);
      for (k = 0; k < n; ++k)
        pushObject();
    } else if (r < 65 && nframes < MAXFRAMES) {
      pushFrame();
    } else if (r < 80 && nframes > 0) {
      popFrame(testRnd(nframes));
    } else if (r < 90) {
      garbage(50 + testRnd(200));
      checkLive();
    } else if (r < 93) {
      collect();
      checkWalk(NULL);
    } else {
      /* a large object, bigger than a segment */
      testobj_t big;
      if (nframes > 0) {
        die(testobj_alloc(&big, sncAP, 31337, 0, 3000 + testRnd(3000)), "big");
        check(testobj_ok(big));
        popFrame(nframes - 1);
      }
    }
  }
  collect();
  checkWalk(NULL);
  printf("random: %lu checks, %lu moves, %lu splatted, SNC total %lu\n",
         checks, moved, splatted, (unsigned long)mps_pool_total_size(sncPool));

  /* 4. Frame misuse, reservations across flips, orphans, ambiguity. */
  testMisuse();
  collect();
  checkWalk(NULL);
  testReserveAcrossFlip();
  testAmbig();
  testOrphans();

  /* mps_addr_object does not support SNC or MVFF. */
  die(mps_pool_create_k(&mvff, arena, mps_class_mvff(), mps_args_none), "MVFF");
  die(mps_alloc(&block, mvff, 64), "MVFF block");
  check(mps_addr_object(&block, arena, block) == MPS_RES_UNIMPL);
  if (nlive > 0) {
    mps_addr_t o;
    check(mps_addr_object(&o, arena, (char *)live[0] + 8) == MPS_RES_UNIMPL);
  }
  mps_free(mvff, block, 64);
  mps_pool_destroy(mvff);

  /* Pop everything with a frame pushed at the very bottom of a new AP. */
  {
    mps_ap_t ap4;
    mps_frame_t f;
    size_t before;
    testobj_t s;
    die(mps_ap_create_k(&ap4, sncPool, mps_args_none), "ap4");
    die(mps_ap_frame_push(&f, ap4), "bottom frame");
    before = mps_pool_total_size(sncPool);
    for (i = 0; i < 500; ++i)
      die(testobj_alloc(&s, ap4, 8000 + i, 0, 20), "ap4 alloc");
    check(mps_pool_total_size(sncPool) > before);
    die(mps_ap_frame_pop(ap4, f), "pop to bottom");
    check(mps_pool_total_size(sncPool) == before);
    die(mps_ap_frame_pop(ap4, f), "pop to bottom again (nothing above it)");
    mps_ap_destroy(ap4);
  }

  mps_arena_park(arena);
  mps_root_destroy(exactRoot);
  mps_root_destroy(weakRoot);
  mps_ap_destroy(sncAP);
  mps_ap_destroy(amcAP);
  mps_pool_destroy(sncPool);
  mps_pool_destroy(amcPool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

int main(int argc, char *argv[])
{
  testInit(argc, argv);
  run(0.1);
  /* Every collection in many small slices: SNC segments are grey behind
   * the read barrier while the client pushes, pops and allocates. */
  run(0.0);
  return testPass();
}

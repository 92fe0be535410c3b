/* apfliptest.c: the reserve/commit protocol across collections
 *
 * Contract 9.2 and 27.1-2: a commit returns false exactly when a flip
 * happened after the reserve.  This test checks, on AMS and LO
 * allocation points:
 *  - reserve, collect, commit: the commit fails (and the AP's limit was 0,
 *    the trap compiled clients rely on); the usual retry loop then
 *    succeeds and the new object is intact and survives;
 *  - reserve and commit with no collection in between always succeed at
 *    the first attempt (even when allocation starts collections, which
 *    happen in the fill, before the block is reserved);
 *  - the abandoned reservation does not confuse later collections: walks
 *    visit exactly the committed objects and total - free equals their
 *    bytes (so the abandoned block's memory came back);
 *  - the same with two collections between reserve and commit, with the
 *    function forms of mps_reserve/mps_commit, with MPS_RESERVE_BLOCK, and
 *    when the collection is made by another registered thread while this
 *    one sits between reserve and commit;
 *  - destroying an AP with a reservation outstanding abandons it;
 *  - mps_ap_fill called directly after a collection works;
 *  - allocation frames are accepted on AMS (push and pop succeed, pop is
 *    at most a hint: reachable objects allocated in the frame survive),
 *    and fail with MPS_RES_FAIL between reserve and commit;
 *  - objects held only by this thread's stack survive collections made
 *    by the other thread (which suspends this one and scans its stack);
 *  - in a fresh arena with one AMC pool, a collection between reserve and
 *    commit whose only condemned segment is the empty buffer's condemns
 *    nothing: it must leave no segment white or grey (later collections
 *    checked that, with an assertion, before such a trace reclaimed).
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscams.h"
#include "mpsclo.h"
#include "mpscamc.h"
#include <string.h>
#include <stdlib.h>
#include <pthread.h>

#define NROOT 256
#define WORD sizeof(mps_word_t)

static mps_arena_t arena;
static mps_pool_t amsPool, loPool;
static mps_ap_t amsAP, loAP;
static mps_addr_t rootTable[NROOT];
static mps_word_t rootIds[NROOT];
static size_t nRooted = 0;
static mps_word_t nextId = 1;
static void *stackCold;

static void root(testobj_t obj)
{
  check(nRooted < NROOT);
  rootTable[nRooted] = obj;
  rootIds[nRooted] = obj->id;
  ++nRooted;
}

typedef struct Count {
  size_t objects, bytes;
} Count;

static mps_res_t countArea(mps_ss_t ss, void *base, void *limit, void *closure)
{
  Count *c = closure;
  char *p = base;
  (void)ss;
  while (p < (char *)limit) {
    char *next = testfmt_skip(p);
    ++c->objects;
    c->bytes += (size_t)(next - p);
    p = next;
  }
  return MPS_RES_OK;
}

typedef struct Find {
  mps_addr_t target;
  int found;
} Find;

static mps_res_t findArea(mps_ss_t ss, void *base, void *limit, void *closure)
{
  Find *f = closure;
  char *p = base;
  (void)ss;
  for (; p < (char *)limit; p = testfmt_skip(p))
    if (p == f->target)
      ++f->found;
  return MPS_RES_OK;
}

static size_t apUnused(mps_ap_t ap)
{
  return ap->limit == NULL ? 0 : (size_t)((char *)ap->limit - (char *)ap->init);
}

/* After a full collection (the arena is parked): the pools hold exactly
 * the rooted objects, intact. */
static void checkExactly(void)
{
  Count ams = {0, 0}, lo = {0, 0};
  size_t amsBytes = 0, loBytes = 0, amsN = 0, loN = 0, i;
  for (i = 0; i < nRooted; ++i) {
    testobj_t obj = rootTable[i];
    mps_pool_t pool;
    check(testobj_ok(obj));
    check(obj->id == rootIds[i]);
    check(mps_addr_pool(&pool, arena, obj));
    if (pool == amsPool) {
      ++amsN;
      amsBytes += (size_t)((char *)testfmt_skip(obj) - (char *)obj);
    } else {
      check(pool == loPool);
      ++loN;
      loBytes += (size_t)((char *)testfmt_skip(obj) - (char *)obj);
    }
  }
  die(mps_pool_walk(amsPool, countArea, &ams), "walk");
  die(mps_pool_walk(loPool, countArea, &lo), "walk");
  check(ams.objects == amsN && ams.bytes == amsBytes);
  check(lo.objects == loN && lo.bytes == loBytes);
  check(mps_pool_total_size(amsPool) - mps_pool_free_size(amsPool)
        == amsBytes + apUnused(amsAP));
  check(mps_pool_total_size(loPool) - mps_pool_free_size(loPool)
        == loBytes + apUnused(loAP));
}

static void collectAndCheck(void)
{
  die(mps_arena_collect(arena), "mps_arena_collect");
  checkExactly();
  mps_arena_release(arena);
}

/* Reserve, collect `collections` times, commit: false.  Then retry in
 * the usual loop.  Returns the object. */
static testobj_t flipBetween(mps_ap_t ap, size_t nrefs, size_t ndata, int collections)
{
  size_t size = testobj_size(nrefs, ndata);
  mps_word_t id = nextId++;
  mps_addr_t p;
  testobj_t obj;
  int i, attempts = 0;

  die(mps_reserve(&p, ap, size), "mps_reserve");
  obj = testobj_init(p, id, nrefs, ndata);
  if (nrefs > 0 && nRooted > 0)
    obj->refs[0] = rootTable[0];        /* a reference that may go stale */
  for (i = 0; i < collections; ++i) {
    die(mps_arena_collect(arena), "mps_arena_collect");
    check(ap->limit == NULL);           /* trapped: commit must ask */
    mps_arena_release(arena);
  }
  check(!mps_commit(ap, p, size));
  /* The abandoned block is not an object, and its memory is free. */
  mps_arena_park(arena);
  checkExactly();
  mps_arena_release(arena);

  do {
    ++attempts;
    die(mps_reserve(&p, ap, size), "mps_reserve");
    obj = testobj_init(p, id, nrefs, ndata);
    if (nrefs > 0 && nRooted > 0)
      obj->refs[0] = rootTable[0];
  } while (!mps_commit(ap, p, size));
  check(attempts == 1);
  check(testobj_ok(obj));
  return obj;
}

/* The same with the function forms. */
static testobj_t flipBetweenFunctions(mps_ap_t ap, size_t ndata)
{
  size_t size = testobj_size(0, ndata);
  mps_word_t id = nextId++;
  mps_addr_t p;
  die((mps_reserve)(&p, ap, size), "mps_reserve");
  (void)testobj_init(p, id, 0, ndata);
  die(mps_arena_collect(arena), "mps_arena_collect");
  mps_arena_release(arena);
  check(!(mps_commit)(ap, p, size));
  die((mps_reserve)(&p, ap, size), "mps_reserve");
  (void)testobj_init(p, id, 0, ndata);
  check((mps_commit)(ap, p, size));
  return (testobj_t)((char *)p + testfmt_header_size());
}

/* And with MPS_RESERVE_BLOCK. */
static testobj_t flipBetweenBlock(mps_ap_t ap, size_t ndata)
{
  size_t size = testobj_size(0, ndata);
  mps_word_t id = nextId++;
  mps_addr_t p;
  mps_res_t res;
  MPS_RESERVE_BLOCK(res, p, ap, size);
  die(res, "MPS_RESERVE_BLOCK");
  (void)testobj_init(p, id, 0, ndata);
  die(mps_arena_collect(arena), "mps_arena_collect");
  mps_arena_release(arena);
  check(!mps_commit(ap, p, size));
  MPS_RESERVE_BLOCK(res, p, ap, size);
  die(res, "MPS_RESERVE_BLOCK");
  (void)testobj_init(p, id, 0, ndata);
  check(mps_commit(ap, p, size));
  return (testobj_t)((char *)p + testfmt_header_size());
}

/* Another registered thread collects while this one is between reserve
 * and commit. */
typedef struct Collector {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int request, done, quit;
  mps_thr_t thread;
} Collector;

static Collector collector;

static void *collectorMain(void *p)
{
  Collector *c = p;
  die(mps_thread_reg(&c->thread, arena), "mps_thread_reg");
  pthread_mutex_lock(&c->lock);
  for (;;) {
    while (!c->request && !c->quit)
      pthread_cond_wait(&c->cond, &c->lock);
    if (c->quit)
      break;
    c->request = 0;
    pthread_mutex_unlock(&c->lock);
    die(mps_arena_collect(arena), "mps_arena_collect");
    mps_arena_release(arena);
    pthread_mutex_lock(&c->lock);
    c->done = 1;
    pthread_cond_broadcast(&c->cond);
  }
  pthread_mutex_unlock(&c->lock);
  mps_thread_dereg(c->thread);
  return NULL;
}

static void collectElsewhere(void)
{
  pthread_mutex_lock(&collector.lock);
  collector.done = 0;
  collector.request = 1;
  pthread_cond_broadcast(&collector.cond);
  while (!collector.done)
    pthread_cond_wait(&collector.cond, &collector.lock);
  pthread_mutex_unlock(&collector.lock);
}

static testobj_t flipFromOtherThread(mps_ap_t ap, size_t ndata)
{
  size_t size = testobj_size(0, ndata);
  mps_word_t id = nextId++;
  mps_addr_t p;
  int attempts = 0, failed = 0;
  do {
    ++attempts;
    die(mps_reserve(&p, ap, size), "mps_reserve");
    (void)testobj_init(p, id, 0, ndata);
    if (attempts == 1)
      collectElsewhere();
    if (!mps_commit(ap, p, size))
      ++failed;
    else
      break;
  } while (attempts < 10);
  check(attempts == 2 && failed == 1);
  return (testobj_t)((char *)p + testfmt_header_size());
}

/* Objects held only by this thread's stack survive a collection made by
 * another thread, which must suspend this one and scan its stack. */
static void __attribute__((noinline)) heldWhileElsewhere(void)
{
  testobj_t held[8];
  mps_word_t ids[8];
  size_t i;
  for (i = 0; i < 8; ++i) {
    ids[i] = nextId;
    die(testobj_alloc(&held[i], i % 2 ? loAP : amsAP, nextId++, 0, testRnd(50)), "alloc");
  }
  collectElsewhere();
  mps_arena_park(arena);
  for (i = 0; i < 8; ++i) {
    Find f;
    f.target = held[i];
    f.found = 0;
    die(mps_pool_walk(i % 2 ? loPool : amsPool, findArea, &f), "walk");
    check(f.found == 1);
    check(testobj_ok(held[i]) && held[i]->id == ids[i]);
  }
  mps_arena_release(arena);
}

static void frames(void)
{
  mps_frame_t f1, f2, f3;
  mps_addr_t p;
  size_t size = testobj_size(0, 4), i;
  testobj_t obj;

  die(mps_ap_frame_push(&f1, amsAP), "mps_ap_frame_push");
  for (i = 0; i < 20; ++i) {
    die(testobj_alloc(&obj, amsAP, nextId++, 0, testRnd(30)), "alloc");
    root(obj);
  }
  die(mps_ap_frame_push(&f2, amsAP), "mps_ap_frame_push");
  die(testobj_alloc(&obj, amsAP, nextId++, 0, 5), "alloc");
  root(obj);
  die(mps_ap_frame_push(&f3, amsAP), "mps_ap_frame_push");
  /* Between reserve and commit, push and pop fail (not misuse). */
  die(mps_reserve(&p, amsAP, size), "mps_reserve");
  (void)testobj_init(p, nextId++, 0, 4);
  check(mps_ap_frame_push(&f2, amsAP) == MPS_RES_FAIL);
  check(mps_ap_frame_pop(amsAP, f3) == MPS_RES_FAIL);
  check(mps_commit(amsAP, p, size));   /* unrooted: dies */
  die(mps_ap_frame_pop(amsAP, f2), "mps_ap_frame_pop");     /* pops f3 too */
  die(mps_ap_frame_pop(amsAP, f1), "mps_ap_frame_pop");
  /* Pop is at most a hint: the rooted objects are still alive. */
  collectAndCheck();
  /* A frame on the LO AP too. */
  die(mps_ap_frame_push(&f1, loAP), "mps_ap_frame_push");
  die(testobj_alloc(&obj, loAP, nextId++, 0, 3), "alloc");
  root(obj);
  die(mps_ap_frame_pop(loAP, f1), "mps_ap_frame_pop");
  collectAndCheck();
}

static void emptyTrace(void)
{
  mps_arena_t a;
  mps_thr_t thr;
  mps_fmt_t f;
  mps_chain_t ch;
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t r;
  mps_gen_param_s gens[1] = {{1024, 0.8}};
  static mps_addr_t roots[4];
  size_t size = testobj_size(1, 4);
  mps_addr_t p;
  testobj_t obj;
  int i;
  die(mps_arena_create_k(&a, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thr, a), "thread");
  die(testfmt_create(&f, a, 0), "format");
  die(mps_chain_create(&ch, a, 1, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, f);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, ch);
    die(mps_pool_create_k(&pool, a, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_table(&r, a, mps_rank_exact(), 0, roots, 4), "root");
  die(mps_reserve(&p, ap, size), "mps_reserve");
  (void)testobj_init(p, 1, 1, 4);
  die(mps_arena_collect(a), "collect");       /* condemns only an empty segment */
  mps_arena_release(a);
  (void)mps_commit(ap, p, size);                /* may fail: a flip or not */
  for (i = 0; i < 3; ++i) {
    die(testobj_alloc(&obj, ap, 10 + (mps_word_t)i, 1, 4), "alloc");
    roots[i] = obj;
    die(mps_arena_collect(a), "collect");
    mps_arena_release(a);
  }
  for (i = 0; i < 3; ++i)
    check(testobj_ok(roots[i]) && ((testobj_t)roots[i])->id == 10 + (mps_word_t)i);
  mps_arena_park(a);
  mps_root_destroy(r);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_chain_destroy(ch);
  mps_fmt_destroy(f);
  mps_thread_dereg(thr);
  mps_arena_destroy(a);
}

int main(int argc, char *argv[])
{
  mps_fmt_t fmt;
  mps_thr_t thread;
  mps_root_t rTable, rThread;
  mps_chain_t chain;
  mps_gen_param_s gens[] = {{64, 0.5}};
  mps_addr_t p;
  pthread_t tid;
  size_t i, size;
  unsigned long commits, attempts, collections;
  int round, rounds;
  testobj_t obj;
  int marker;

  testInit(argc, argv);
  stackCold = &marker;
  rounds = getenv("TARN_UNDER_VALGRIND") != NULL ? 10 : 50;
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "thread");
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 1, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&amsPool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&loPool, arena, mps_class_lo(), args), "LO");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&amsAP, amsPool, mps_args_none), "AMS AP");
  die(mps_ap_create_k(&loAP, loPool, mps_args_none), "LO AP");
  memset(rootTable, 0, sizeof rootTable);
  die(mps_root_create_table(&rTable, arena, mps_rank_exact(), 0, rootTable, NROOT), "root");
  /* No thread root: "exactly the rooted objects" must hold. */

  /* Commits with no collection in between succeed at once, even while
   * allocation starts collections. */
  commits = attempts = 0;
  collections = mps_collections(arena);
  for (i = 0; i < (size_t)rounds * 400; ++i) {
    size_t ndata = testRnd(50);
    mps_ap_t ap = testRnd(3) == 0 ? loAP : amsAP;
    size = testobj_size(ap == loAP ? 0 : 2, ndata);
    do {
      ++attempts;
      die(mps_reserve(&p, ap, size), "mps_reserve");
      obj = testobj_init(p, nextId++, ap == loAP ? 0 : 2, ndata);
    } while (!mps_commit(ap, p, size));
    ++commits;
    if (i % 97 == 0)
      root(obj);
  }
  check(attempts == commits);
  check(mps_collections(arena) > collections);      /* some happened */
  printf("%lu commits, %lu collections on the way\n", commits,
         (unsigned long)(mps_collections(arena) - collections));
  collectAndCheck();

  for (round = 0; round < rounds; ++round) {
    root(flipBetween(amsAP, 1 + testRnd(3), testRnd(100), 1));
    collectAndCheck();
    root(flipBetween(loAP, 0, testRnd(100), 1 + (int)testRnd(2)));
    collectAndCheck();
    if (nRooted > NROOT - 8) {
      /* Forget some (they die). */
      nRooted = 4;
      memset(rootTable + nRooted, 0, sizeof(mps_addr_t) * (NROOT - nRooted));
      collectAndCheck();
    }
  }
  root(flipBetween(amsAP, 2, 40000, 1));    /* bigger than a segment */
  collectAndCheck();
  root(flipBetweenFunctions(amsAP, 7));
  root(flipBetweenFunctions(loAP, 7));
  root(flipBetweenBlock(amsAP, 9));
  collectAndCheck();

  /* An AP destroyed with a reservation outstanding, before and after a
   * collection. */
  {
    mps_ap_t tmp;
    die(mps_ap_create_k(&tmp, amsPool, mps_args_none), "AP");
    die(mps_reserve(&p, tmp, testobj_size(0, 10)), "mps_reserve");
    (void)testobj_init(p, nextId++, 0, 10);
    mps_ap_destroy(tmp);
    collectAndCheck();
    die(mps_ap_create_k(&tmp, amsPool, mps_args_none), "AP");
    die(mps_reserve(&p, tmp, testobj_size(0, 10)), "mps_reserve");
    (void)testobj_init(p, nextId++, 0, 10);
    die(mps_arena_collect(arena), "mps_arena_collect");
    mps_arena_release(arena);
    mps_ap_destroy(tmp);
    collectAndCheck();
  }

  /* mps_ap_fill directly, after a collection. */
  die(mps_arena_collect(arena), "mps_arena_collect");
  size = testobj_size(1, 6);
  die(mps_ap_fill(&p, amsAP, size), "mps_ap_fill");
  obj = testobj_init(p, nextId++, 1, 6);
  check(mps_commit(amsAP, p, size));
  root(obj);
  checkExactly();
  mps_arena_release(arena);
  collectAndCheck();

  frames();

  /* A collection by another thread between reserve and commit. */
  memset(&collector, 0, sizeof collector);
  check(pthread_mutex_init(&collector.lock, NULL) == 0);
  check(pthread_cond_init(&collector.cond, NULL) == 0);
  check(pthread_create(&tid, NULL, collectorMain, &collector) == 0);
  for (round = 0; round < rounds / 5 + 2; ++round) {
    root(flipFromOtherThread(amsAP, testRnd(20)));
    root(flipFromOtherThread(loAP, testRnd(20)));
  }
  /* With a thread root, this thread's stack is scanned by the other
   * thread's collections. */
  die(mps_root_create_thread(&rThread, arena, thread, stackCold), "thread root");
  for (round = 0; round < 4; ++round)
    heldWhileElsewhere();
  mps_arena_park(arena);
  mps_root_destroy(rThread);
  mps_arena_release(arena);
  pthread_mutex_lock(&collector.lock);
  collector.quit = 1;
  pthread_cond_broadcast(&collector.cond);
  pthread_mutex_unlock(&collector.lock);
  check(pthread_join(tid, NULL) == 0);
  pthread_cond_destroy(&collector.cond);
  pthread_mutex_destroy(&collector.lock);
  collectAndCheck();

  mps_arena_park(arena);
  mps_root_destroy(rTable);
  mps_ap_destroy(loAP);
  mps_ap_destroy(amsAP);
  mps_pool_destroy(loPool);
  mps_pool_destroy(amsPool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
  emptyTrace();
  return testPass();
}

/* amcgentest.c: AMC generations and allocation patterns (contract 12, 13, 9.4)
 *
 * A long-lived structure sits in AMC while short-lived objects are
 * allocated at a high rate, with a three-generation chain.  The GC
 * messages tell what each collection condemned: the nursery alone, or
 * older generations too.  Checked:
 *  - the old generations are collected far less often than the nursery,
 *    but they are collected (survivors are promoted and promotion fills
 *    the next generation);
 *  - a nursery collection leaves the long-lived structure alone (it is in
 *    the not-condemned size);
 *  - every collection posts a gc-start message with a reason and a gc
 *    message, live <= condemned, clocks do not go backwards;
 *  - the short-lived garbage is reclaimed (the pool stays small) and the
 *    long-lived structure stays intact;
 *  - ramps: ending a pattern that was not begun fails with MPS_RES_FAIL;
 *    patterns nest; reset ends them all; while a ramp is open its
 *    allocation does not provoke collections; after a collect-all ramp the
 *    next collection is a full one (nothing is left not condemned);
 *    objects built during ramps survive them.
 * The thread is registered with an ambiguous stack root (as real clients
 * do); no test below depends on what the stack pins.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include <string.h>

#define NURSERY_KB 128
#define RING 512                /* short-lived survivors: a ring of slots */
#define MAXCOLL 20000

static mps_arena_t arena;
static mps_ap_t ap;

/* Roots: the long-lived structure and the ring of young objects. */
static mps_addr_t *oldRoots;
static size_t nOld;
static mps_word_t oldBaseId = 1000000;
static mps_addr_t ring[RING];
static mps_addr_t rampRoots[64];

/* One entry per collection, from its messages. */
static struct {
  size_t condemned, notCondemned, live;
} coll[MAXCOLL];
static size_t nColl = 0, nStart = 0;
static mps_clock_t lastClock = 0;

static void drainMessages(void)
{
  mps_message_type_t type;
  while (mps_message_queue_type(&type, arena)) {
    mps_message_t m;
    check(mps_message_get(&m, arena, type));
    check(mps_message_type(arena, m) == type);
    check(mps_message_clock(arena, m) >= lastClock);
    lastClock = mps_message_clock(arena, m);
    if (type == mps_message_type_gc_start()) {
      const char *why = mps_message_gc_start_why(arena, m);
      check(why != NULL && why[0] != '\0');
      ++nStart;
    } else {
      check(type == mps_message_type_gc());
      check(nColl < MAXCOLL);
      coll[nColl].condemned = mps_message_gc_condemned_size(arena, m);
      coll[nColl].notCondemned = mps_message_gc_not_condemned_size(arena, m);
      coll[nColl].live = mps_message_gc_live_size(arena, m);
      check(coll[nColl].live <= coll[nColl].condemned);
      ++nColl;
      check(nColl <= nStart);   /* the start comes first */
    }
    mps_message_discard(arena, m);
  }
}

static void checkOld(void)
{
  size_t i;
  for (i = 0; i < nOld; ++i) {
    testobj_t o = oldRoots[i];
    check(testobj_ok(o) && o->id == oldBaseId + i);
    if (o->nrefs > 0) {
      testobj_t c = o->refs[0];
      check(c != NULL && testobj_ok(c) && c->id == oldBaseId + i + 500000);
    }
  }
}

static void young(size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i) {
    testobj_t o;
    die(testobj_alloc(&o, ap, 7, 0, testRnd(20)), "young");
    if (testRnd(8) == 0)
      ring[testRnd(RING)] = o;  /* lives a little while */
  }
}

/* Build a structure of n objects during a ramp, keep `keep` of them. */
static void rampBuild(size_t n, mps_word_t id)
{
  size_t i;
  testobj_t head = NULL;
  mps_addr_t *slot = &rampRoots[0];
  for (i = 0; i < n; ++i) {
    testobj_t o;
    die(testobj_alloc(&o, ap, id + i, 1, 8), "ramp object");
    o->refs[0] = *slot;         /* a list through rampRoots[0] */
    *slot = o;
    (void)head;
  }
}

static size_t checkRampList(mps_word_t id, size_t n)
{
  testobj_t o = rampRoots[0];
  size_t count = 0;
  while (o != NULL) {
    check(testobj_ok(o));
    check(o->id == id + n - 1 - count);
    ++count;
    o = o->refs[0];
  }
  return count;
}

int main(int argc, char *argv[])
{
  mps_fmt_t fmt;
  mps_chain_t chain;
  mps_pool_t pool;
  mps_thr_t thread;
  mps_root_t oldRoot, ringRoot, rampRoot, stackRoot;
  mps_gen_param_s gens[] = {{NURSERY_KB, 0.9}, {512, 0.5}, {2048, 0.3}};
  size_t i, oldSize, rounds, nursery = 0, older = 0, full = 0;
  size_t threshold = 3 * NURSERY_KB * 1024;
  size_t firstSteady;
  mps_word_t c0;
  int valgrind = getenv("TARN_UNDER_VALGRIND") != NULL;
  void *cold = &i;

  testInit(argc, argv);
  nOld = valgrind ? 8000 : 20000;
  rounds = valgrind ? 80000 : 600000;
  oldRoots = calloc(nOld, sizeof *oldRoots);
  check(oldRoots != NULL);

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  mps_message_type_enable(arena, mps_message_type_gc());
  mps_message_type_enable(arena, mps_message_type_gc_start());
  mps_message_type_enable(arena, mps_message_type_gc());   /* twice is harmless */
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 3, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&pool, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_area(&oldRoot, arena, mps_rank_exact(), 0, oldRoots, oldRoots + nOld,
                           mps_scan_area, NULL), "old root");
  die(mps_root_create_table(&ringRoot, arena, mps_rank_exact(), 0, ring, RING), "ring root");
  die(mps_root_create_table(&rampRoot, arena, mps_rank_exact(), 0, rampRoots, 64), "ramp root");
  die(mps_thread_reg(&thread, arena), "thread");
  die(mps_root_create_thread(&stackRoot, arena, thread, cold), "stack root");

  /* Ending a pattern that was not begun fails. */
  check(mps_ap_alloc_pattern_end(ap, mps_alloc_pattern_ramp()) == MPS_RES_FAIL);
  check(mps_ap_alloc_pattern_end(ap, mps_alloc_pattern_ramp_collect_all()) == MPS_RES_FAIL);

  /* The long-lived structure, then full collections to age it. */
  for (i = 0; i < nOld; ++i) {
    testobj_t o, c;
    int withChild = testRnd(2) == 0;
    die(testobj_alloc(&o, ap, oldBaseId + i, withChild ? 1 : 0, 10 + testRnd(10)), "old");
    oldRoots[i] = o;
    if (withChild) {
      die(testobj_alloc(&c, ap, oldBaseId + i + 500000, 0, testRnd(10)), "old child");
      ((testobj_t)oldRoots[i])->refs[0] = c;
    }
  }
  for (i = 0; i < 4; ++i) {     /* out of the chain, into the top generation */
    die(mps_arena_collect(arena), "collect");
    mps_arena_release(arena);
  }
  checkOld();
  drainMessages();
  oldSize = coll[nColl - 1].live;
  printf("long-lived structure: %lu bytes\n", (unsigned long)oldSize);
  check(oldSize > 2 * threshold);
  firstSteady = nColl;

  /* Steady state: the nursery churns. */
  c0 = mps_collections(arena);
  for (i = 0; i < rounds; ++i) {
    young(1);
    if (i % 1000 == 0)
      drainMessages();
  }
  mps_arena_park(arena);        /* a collection in slices ends */
  mps_arena_release(arena);
  drainMessages();
  checkOld();
  check(nColl == nStart);
  for (i = firstSteady; i < nColl; ++i) {
    if (coll[i].notCondemned == 0)
      ++full;
    if (coll[i].condemned > threshold) {
      ++older;
    } else {
      ++nursery;
      /* A nursery collection leaves the old structure alone. */
      check(coll[i].notCondemned >= oldSize);
    }
  }
  printf("%lu collections: %lu of the nursery, %lu of older generations too, %lu full; "
         "pool %lu bytes\n", (unsigned long)(mps_collections(arena) - c0), (unsigned long)nursery,
         (unsigned long)older, (unsigned long)full, (unsigned long)mps_pool_total_size(pool));
  check(nColl - firstSteady == mps_collections(arena) - c0);
  check(nursery >= 20);
  check(older >= 1);            /* promotion fills the older generations */
  check(older * 4 <= nursery);  /* ... far less often */
  check(full == 0);             /* nothing asked for a full collection */
  /* The garbage went: the pool holds the structure and little else. */
  check(mps_pool_total_size(pool) < 2 * oldSize + 64 * NURSERY_KB * 1024);

  /* Ramps: a big structure built while a ramp is open does not provoke
   * collections by itself. */
  die(mps_arena_collect(arena), "collect before the ramp");
  mps_arena_release(arena);
  drainMessages();
  c0 = mps_collections(arena);
  die(mps_ap_alloc_pattern_begin(ap, mps_alloc_pattern_ramp()), "ramp begin");
  rampBuild(valgrind ? 5000 : 20000, 2000000);
  printf("ramp: %lu collections while building %lu bytes\n",
         (unsigned long)(mps_collections(arena) - c0),
         (unsigned long)((valgrind ? 5000 : 20000) * testobj_size(1, 8)));
  check(mps_collections(arena) - c0 <= 1);
  check(checkRampList(2000000, valgrind ? 5000 : 20000) == (valgrind ? 5000u : 20000u));
  die(mps_ap_alloc_pattern_end(ap, mps_alloc_pattern_ramp()), "ramp end");
  check(mps_ap_alloc_pattern_end(ap, mps_alloc_pattern_ramp()) == MPS_RES_FAIL);
  young(valgrind ? 20000 : 100000);     /* collections resume */
  check(mps_collections(arena) > c0 + 1);
  check(checkRampList(2000000, valgrind ? 5000 : 20000) == (valgrind ? 5000u : 20000u));
  rampRoots[0] = NULL;

  /* Nested: collect-all with a ramp inside; then the next collection is
   * a full one. */
  drainMessages();
  die(mps_ap_alloc_pattern_begin(ap, mps_alloc_pattern_ramp_collect_all()), "collect-all begin");
  die(mps_ap_alloc_pattern_begin(ap, mps_alloc_pattern_ramp()), "nested ramp begin");
  rampBuild(3000, 3000000);
  die(mps_ap_alloc_pattern_end(ap, mps_alloc_pattern_ramp()), "nested ramp end");
  rampBuild(1000, 3003000);
  check(checkRampList(3000000, 4000) == 4000);
  drainMessages();
  c0 = mps_collections(arena);
  i = nColl;
  die(mps_ap_alloc_pattern_end(ap, mps_alloc_pattern_ramp_collect_all()), "collect-all end");
  while (mps_collections(arena) == c0)
    young(100);
  /* The collection may still be going on in slices: let it finish. */
  mps_arena_park(arena);
  mps_arena_release(arena);
  drainMessages();
  check(nColl > i);
  check(coll[i].notCondemned == 0);     /* everything was condemned */
  check(checkRampList(3000000, 4000) == 4000);
  checkOld();

  /* Reset ends every open pattern. */
  die(mps_ap_alloc_pattern_begin(ap, mps_alloc_pattern_ramp()), "ramp 1");
  die(mps_ap_alloc_pattern_begin(ap, mps_alloc_pattern_ramp()), "ramp 2");
  die(mps_ap_alloc_pattern_reset(ap), "reset");
  check(mps_ap_alloc_pattern_end(ap, mps_alloc_pattern_ramp()) == MPS_RES_FAIL);
  die(mps_ap_alloc_pattern_reset(ap), "reset with nothing open");
  young(valgrind ? 20000 : 100000);
  rampRoots[0] = NULL;
  die(mps_arena_collect(arena), "final collect");
  checkOld();
  mps_arena_release(arena);
  drainMessages();
  check(nColl == nStart);

  mps_arena_park(arena);
  mps_root_destroy(stackRoot);
  mps_thread_dereg(thread);
  mps_root_destroy(rampRoot);
  mps_root_destroy(ringRoot);
  mps_root_destroy(oldRoot);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  free(oldRoots);
  return testPass();
}

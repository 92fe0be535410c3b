/* msgtest.c: collection messages (contract 13, 27.22)
 *
 *  - no type is enabled at first, and messages of disabled types are
 *    never queued;
 *  - with a type enabled, each collection posts exactly one message of
 *    it, and with both enabled exactly one gc_start and one gc message
 *    (counted over many collections, explicit and started by allocation,
 *    against mps_collections); the start comes first in the queue;
 *  - a gc message's sizes are plausible: live <= condemned, live is the
 *    model's live bytes after a full collection (no ambiguous roots);
 *    collections started by allocation in one chain's pool leave the
 *    other chain's pool (and its garbage) alone; clocks do not go
 *    backwards; mps_message_gc_start_why is a non-empty string;
 *  - mps_message_poll and mps_message_queue_type agree with the queue
 *    (queue_type leaves its out parameter alone when empty);
 *  - disabling a type drops its queued messages and keeps the others;
 *    enabling or disabling twice is harmless;
 *  - messages pile up without loss, and messages left queued or got but
 *    not discarded are freed by mps_arena_destroy (valgrind sees no
 *    leak).
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscams.h"
#include <string.h>
#include <stdlib.h>

#define NROOT 200

static mps_arena_t arena;
static mps_pool_t pool1, pool2;
static mps_ap_t ap1, ap2;
static mps_addr_t roots[NROOT];
static int underValgrind;

static size_t liveBytes(void)
{
  size_t i, bytes = 0;
  for (i = 0; i < NROOT; ++i)
    if (roots[i] != NULL)
      bytes += (size_t)((char *)testfmt_skip(roots[i]) - (char *)roots[i]);
  return bytes;
}

static size_t apUnused(mps_ap_t ap)
{
  return ap->limit == NULL ? 0 : (size_t)((char *)ap->limit - (char *)ap->init);
}

static size_t gcTotal(void)
{
  return mps_pool_total_size(pool1) + mps_pool_total_size(pool2);
}

/* Take every queued message; count them by type and check them.
 * `full`: they come from full collections and the model's live bytes
 * are `live`. */
typedef struct Counts {
  int pairs;                    /* gc_start messages are enabled */
  unsigned long starts, ends;
  mps_clock_t lastClock;
  size_t lastLive, lastCondemned, lastNotCondemned;
} Counts;

static void drain(Counts *c, int full, size_t live)
{
  mps_message_type_t type;
  mps_message_t m;
  while (mps_message_queue_type(&type, arena)) {
    check(mps_message_poll(arena));
    check(mps_message_get(&m, arena, type));
    check(mps_message_type(arena, m) == type);
    check(mps_message_clock(arena, m) >= c->lastClock);
    c->lastClock = mps_message_clock(arena, m);
    if (type == mps_message_type_gc_start()) {
      const char *why = mps_message_gc_start_why(arena, m);
      check(why != NULL && strlen(why) > 0);
      ++c->starts;
    } else {
      check(type == mps_message_type_gc());
      check(!c->pairs || c->ends < c->starts);  /* its start came first */
      c->lastLive = mps_message_gc_live_size(arena, m);
      c->lastCondemned = mps_message_gc_condemned_size(arena, m);
      c->lastNotCondemned = mps_message_gc_not_condemned_size(arena, m);
      check(c->lastLive <= c->lastCondemned);
      check(c->lastCondemned <= gcTotal());
      check(c->lastNotCondemned <= gcTotal());
      if (full) {
        check(c->lastLive >= live);
        check(c->lastLive <= live + live / 16 + 4096);
        check(c->lastCondemned >= live);
      }
      ++c->ends;
    }
    mps_message_discard(arena, m);
  }
  check(!mps_message_poll(arena));
}

static void allocRooted(mps_ap_t ap, size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i) {
    testobj_t obj;
    die(testobj_alloc(&obj, ap, i, 0, testRnd(60)), "alloc");
    if (testRnd(4) == 0)
      roots[testRnd(NROOT)] = obj;
  }
}

static mps_word_t collect(void)
{
  die(mps_arena_collect(arena), "mps_arena_collect");
  mps_arena_release(arena);
  return 1;
}

int main(int argc, char *argv[])
{
  mps_fmt_t fmt;
  mps_chain_t chain1, chain2;
  mps_gen_param_s small[] = {{100, 0.5}}, large[] = {{100000, 0.5}};
  mps_root_t root;
  mps_thr_t thread;
  mps_message_type_t type;
  mps_message_t m, kept;
  Counts c;
  mps_word_t before, n;
  size_t used2;
  unsigned long i, rounds;

  testInit(argc, argv);
  underValgrind = getenv("TARN_UNDER_VALGRIND") != NULL;
  rounds = underValgrind ? 10 : 40;
  memset(&c, 0, sizeof c);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "thread");     /* no thread root */
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain1, arena, 1, small), "chain");
  die(mps_chain_create(&chain2, arena, 1, large), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain1);
    die(mps_pool_create_k(&pool1, arena, mps_class_ams(), args), "AMS 1");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain2);
    die(mps_pool_create_k(&pool2, arena, mps_class_ams(), args), "AMS 2");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap1, pool1, mps_args_none), "AP 1");
  die(mps_ap_create_k(&ap2, pool2, mps_args_none), "AP 2");
  memset(roots, 0, sizeof roots);
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, roots, NROOT), "root");

  /* Empty queue. */
  type = (mps_message_type_t)12345;
  check(!mps_message_poll(arena));
  check(!mps_message_queue_type(&type, arena));
  check(type == (mps_message_type_t)12345);
  check(!mps_message_get(&m, arena, mps_message_type_gc()));

  /* Nothing enabled: nothing queued. */
  allocRooted(ap2, 500);
  before = mps_collections(arena);
  for (i = 0; i < 3; ++i)
    collect();
  check(mps_collections(arena) == before + 3);
  check(!mps_message_poll(arena));

  /* gc only. */
  mps_message_type_enable(arena, mps_message_type_gc());
  mps_message_type_enable(arena, mps_message_type_gc());   /* harmless */
  before = mps_collections(arena);
  for (i = 0; i < rounds; ++i) {
    allocRooted(ap2, 100);
    collect();
    check(mps_message_queue_type(&type, arena) && type == mps_message_type_gc());
    check(!mps_message_get(&m, arena, mps_message_type_gc_start()));
    drain(&c, 1, liveBytes());
  }
  check(c.starts == 0 && c.ends == rounds);
  check(mps_collections(arena) - before == rounds);

  /* Both: one start and one end per collection. */
  mps_message_type_enable(arena, mps_message_type_gc_start());
  memset(&c, 0, sizeof c);
  c.pairs = 1;
  before = mps_collections(arena);
  n = 0;
  for (i = 0; i < rounds; ++i) {
    allocRooted(ap2, 100);
    if (testRnd(3) == 0)
      roots[testRnd(NROOT)] = NULL;
    n += collect();
    check(mps_message_queue_type(&type, arena) && type == mps_message_type_gc_start());
    drain(&c, 1, liveBytes());
  }
  check(c.starts == n && c.ends == n);
  check(mps_collections(arena) - before == n);
  check(c.lastLive == liveBytes());

  /* Collections started by allocation in pool1 (chain1 is small); pool2
   * (chain2) is not condemned by them. */
  memset(&c, 0, sizeof c);
  c.pairs = 1;
  before = mps_collections(arena);
  used2 = mps_pool_total_size(pool2) - mps_pool_free_size(pool2) - apUnused(ap2);
  allocRooted(ap1, underValgrind ? 3000 : 20000);
  mps_arena_park(arena);        /* (finish any collection in progress) */
  n = mps_collections(arena) - before;
  check(n > 0);
  drain(&c, 0, 0);
  mps_arena_release(arena);
  check(c.starts == n && c.ends == n);
  /* pool2 was not collected: its garbage (objects allocRooted dropped
   * from the roots) is all still there. */
  check(mps_pool_total_size(pool2) - mps_pool_free_size(pool2) - apUnused(ap2) == used2);
  printf("%lu collections started by allocation; the last condemned %lu, not %lu\n",
         (unsigned long)n, (unsigned long)c.lastCondemned, (unsigned long)c.lastNotCondemned);

  /* Disabling drops the queued messages of that type only. */
  for (i = 0; i < 5; ++i)
    collect();
  mps_message_type_disable(arena, mps_message_type_gc());
  mps_message_type_disable(arena, mps_message_type_gc());  /* harmless */
  check(!mps_message_get(&m, arena, mps_message_type_gc()));
  check(mps_message_poll(arena));
  memset(&c, 0, sizeof c);
  for (i = 0; i < 5; ++i) {
    check(mps_message_queue_type(&type, arena) && type == mps_message_type_gc_start());
    check(mps_message_get(&m, arena, type));
    mps_message_discard(arena, m);
  }
  check(!mps_message_poll(arena));
  collect();
  check(mps_message_get(&m, arena, mps_message_type_gc_start()));
  mps_message_discard(arena, m);
  check(!mps_message_poll(arena));      /* no gc message: disabled */
  mps_message_type_disable(arena, mps_message_type_gc_start());
  collect();
  check(!mps_message_poll(arena));

  /* Messages pile up without loss. */
  mps_message_type_enable(arena, mps_message_type_gc());
  mps_message_type_enable(arena, mps_message_type_gc_start());
  memset(&c, 0, sizeof c);
  c.pairs = 1;
  for (i = 0; i < rounds * 5; ++i)
    collect();
  drain(&c, 1, liveBytes());
  check(c.starts == rounds * 5 && c.ends == rounds * 5);

  /* Left for mps_arena_destroy: queued ones, and one got but not
   * discarded. */
  for (i = 0; i < 10; ++i)
    collect();
  check(mps_message_get(&kept, arena, mps_message_type_gc()));
  check(mps_message_gc_live_size(arena, kept) <= mps_message_gc_condemned_size(arena, kept));

  mps_arena_park(arena);
  mps_root_destroy(root);
  mps_ap_destroy(ap2);
  mps_ap_destroy(ap1);
  mps_pool_destroy(pool2);
  mps_pool_destroy(pool1);
  mps_chain_destroy(chain2);
  mps_chain_destroy(chain1);
  mps_fmt_destroy(fmt);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
  return testPass();
}

/* threadexittest.c: a thread that exits while registered
 * (contract 11.1: a client error, but one the manager must survive)
 *
 * Rounds of: a "careless" thread registers, makes a thread root and an
 * allocation point, allocates, and exits without undoing any of it.  The
 * main thread collects (the exited thread's id is not in use).  Then
 * a "careful" thread is started (it often gets the exited thread's id:
 * glibc reuses thread descriptors) and holds objects only on its stack
 * while the main thread forces collections; it checks, after each one,
 * that its objects are intact, the one referred to only by its stack did
 * not move (ambiguous references pin), and the one the main thread holds
 * in an exact root did, now and then (so collections really happen).
 * Without exit handling the collector signals a thread that is gone and
 * waits for an acknowledgement that never comes (a watchdog alarm makes
 * the hang a failure), or scans a stack that no longer exists.  (Tarn
 * handles it twice over: a thread-specific key's destructor marks the
 * registrations dead as the thread exits, and a failed pthread_kill does
 * too.  With glibc a new thread often reuses the exited one's
 * descriptor, and so its id, and its stack: the destructor is what keeps
 * the collector from taking it for the dead one.)  At the end the main thread deregisters the
 * careless threads' registrations (allowed from any thread), destroys
 * their roots and allocation points, and the arena is destroyed cleanly.
 */

#define _POSIX_C_SOURCE 200809L

#include "mps.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "testlib.h"
#include "testfmt.h"

#include <pthread.h>
#include <stdio.h>
#include <sched.h>
#include <unistd.h>

#define ROUNDS 20

static mps_arena_t arena;
static mps_pool_t pool;

typedef struct Careless {
  mps_thr_t thr;
  mps_root_t root;
  mps_ap_t ap;
} Careless;

static Careless careless[ROUNDS];

static void *carelessMain(void *arg)
{
  Careless *c = arg;
  void *cold = &c;
  testobj_t o;
  int i;
  die(mps_thread_reg(&c->thr, arena), "thread_reg");
  die(mps_root_create_thread(&c->root, arena, c->thr, cold), "thread root");
  die(mps_ap_create_k(&c->ap, pool, mps_args_none), "ap");
  for (i = 0; i < 100; ++i)
    die(testobj_alloc(&o, c->ap, 1000 + (mps_word_t)i, 1, 4), "alloc");
  return NULL;                  /* exits registered */
}

static volatile int carefulReady, carefulStop, carefulChecks;
static testobj_t held;          /* the main thread's exact root refers here */

static void *carefulMain(void *arg)
{
  mps_thr_t thr;
  mps_root_t root;
  mps_ap_t ap;
  void *cold = &arg;
  testobj_t volatile pinned;
  testobj_t before;
  die(mps_thread_reg(&thr, arena), "thread_reg");
  die(mps_root_create_thread(&root, arena, thr, cold), "thread root");
  die(mps_ap_create_k(&ap, pool, mps_args_none), "ap");
  {
    testobj_t o;
    die(testobj_alloc(&o, ap, 7, 0, 8), "alloc");
    pinned = o;
  }
  before = pinned;
  carefulReady = 1;
  while (!carefulStop) {
    testobj_t g;
    die(testobj_alloc(&g, ap, 9, 0, 2), "garbage");
    check(pinned == before);    /* ambiguous: never moved */
    check(testobj_ok(pinned) && pinned->id == 7);
    ++carefulChecks;
  }
  mps_ap_destroy(ap);
  mps_root_destroy(root);
  mps_thread_dereg(thr);
  return NULL;
}

int main(int argc, char *argv[])
{
  mps_fmt_t fmt;
  mps_thr_t mainThr;
  mps_root_t heldRoot;
  mps_ap_t ap;
  testobj_t first;
  int round, moved = 0;

  testInit(argc, argv);
  alarm(300);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&mainThr, arena), "main thread_reg");
  die(testfmt_create(&fmt, arena, 0), "format");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&pool, arena, mps_class_amc(), args), "AMC pool");
  } MPS_ARGS_END(args);
  die(mps_root_create_table(&heldRoot, arena, mps_rank_exact(), 0,
                            (mps_addr_t *)&held, 1), "held root");
  die(mps_ap_create_k(&ap, pool, mps_args_none), "main ap");
  die(testobj_alloc(&held, ap, 42, 0, 16), "held");

  for (round = 0; round < ROUNDS; ++round) {
    pthread_t t;
    int k;
    check(pthread_create(&t, NULL, carelessMain, &careless[round]) == 0);
    check(pthread_join(t, NULL) == 0);
    /* A collection while the exited thread's id is not yet reused. */
    die(mps_arena_collect(arena), "collect");
    mps_arena_release(arena);
    carefulReady = carefulStop = 0;
    check(pthread_create(&t, NULL, carefulMain, NULL) == 0);
    while (!carefulReady)
      sched_yield();
    for (k = 0; k < 3; ++k) {
      first = held;
      die(mps_arena_collect(arena), "collect");
      mps_arena_release(arena);
      check(testobj_ok(held) && held->id == 42);
      moved += held != first;
    }
    carefulStop = 1;
    check(pthread_join(t, NULL) == 0);
  }
  check(moved > 0);             /* the collections copied */
  check(carefulChecks > 0);

  for (round = 0; round < ROUNDS; ++round) {
    mps_ap_destroy(careless[round].ap);
    mps_root_destroy(careless[round].root);
    mps_thread_dereg(careless[round].thr);
  }
  die(mps_arena_collect(arena), "collect");
  check(testobj_ok(held) && held->id == 42);
  mps_ap_destroy(ap);
  mps_root_destroy(heldRoot);
  mps_arena_park(arena);
  mps_pool_destroy(pool);
  mps_fmt_destroy(fmt);
  mps_thread_dereg(mainThr);
  mps_arena_destroy(arena);
  printf("%d rounds of a thread exiting registered; held object moved %d times\n",
         ROUNDS, moved);
  return testPass();
}

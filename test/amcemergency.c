/* amcemergency.c: AMC at the commit limit (contract 4.5, 27.19)
 *
 * A live structure grows in AMC (with garbage in between) under a commit
 * limit set just above what is committed, so collections cannot get all
 * the to-space they want and must keep objects in place instead.  The
 * test allocates until a reserve fails, and checks that
 *  - the failure is exactly MPS_RES_COMMIT_LIMIT, and it stays so when
 *    tried again, and committed memory never passes the limit;
 *  - nothing reachable was lost or damaged, across the collections made
 *    under the limit, including an explicit full one;
 *  - mps_arena_commit_limit_set(arena, mps_arena_committed(arena))
 *    succeeds and a large allocation then fails with exactly
 *    MPS_RES_COMMIT_LIMIT;
 *  - after the limit is raised, allocation and collection go on: the
 *    structure grows again, objects move again, and all is intact.
 * The thread is not registered: no ambiguous reference pins anything, so
 * only the lack of memory keeps objects in place.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include <string.h>

#define CHAIN_LEN 3

static mps_arena_t arena;
static mps_ap_t ap;
static mps_addr_t *live;        /* an exact area root */
static size_t maxLive, nlive;
static mps_word_t *liveId;      /* id of live[i]; children: id+1 .. */
static int *liveLen;            /* objects in its chain (1..CHAIN_LEN) */
static mps_word_t nextId = 1;

static void checkLimit(void)
{
  check(mps_arena_committed(arena) <= mps_arena_commit_limit(arena));
}

/* Grow the structure by one chain; return the first failure. */
static mps_res_t addChain(void)
{
  testobj_t o;
  mps_res_t res;
  size_t i = nlive, k;
  mps_word_t id = nextId;
  check(nlive < maxLive);
  nextId += CHAIN_LEN;
  res = testobj_alloc(&o, ap, id, 1, testRnd(10));
  if (res != MPS_RES_OK)
    return res;
  live[i] = o;
  liveId[i] = id;
  liveLen[i] = 1;
  ++nlive;
  /* Children hang below it: each new one at the tail. */
  for (k = 1; k < CHAIN_LEN; ++k) {
    testobj_t c, tail;
    size_t d;
    res = testobj_alloc(&c, ap, id + k, k + 1 < CHAIN_LEN ? 1 : 0, testRnd(10));
    if (res != MPS_RES_OK)
      return res;
    tail = live[i];
    for (d = 1; d < k; ++d)
      tail = tail->refs[0];
    tail->refs[0] = c;
    liveLen[i] = (int)k + 1;
  }
  return MPS_RES_OK;
}

static mps_res_t garbage(size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i) {
    testobj_t g;
    mps_res_t res = testobj_alloc(&g, ap, 0, 0, testRnd(40));
    if (res != MPS_RES_OK)
      return res;
  }
  return MPS_RES_OK;
}

static void checkAll(void)
{
  size_t i;
  for (i = 0; i < nlive; ++i) {
    testobj_t o = live[i];
    int k;
    for (k = 0; k < liveLen[i]; ++k) {
      check(o != NULL && testobj_ok(o));
      check(o->id == liveId[i] + (mps_word_t)k);
      o = o->nrefs > 0 ? o->refs[0] : NULL;
    }
    check(o == NULL);
  }
}

/* How many of the first n chains' heads are where they were. */
static size_t countMoved(mps_addr_t *was, size_t n)
{
  size_t i, moved = 0;
  for (i = 0; i < n; ++i)
    if (live[i] != was[i])
      ++moved;
  return moved;
}

int main(int argc, char *argv[])
{
  mps_fmt_t fmt;
  mps_chain_t chain;
  mps_pool_t pool;
  mps_root_t root;
  mps_gen_param_s gens[] = {{256, 0.8}, {1024, 0.5}};
  mps_res_t res;
  size_t i, initial, limit, before, failedAt;
  mps_word_t collectionsBefore;
  mps_addr_t *was;
  testobj_t big;
  int valgrind = getenv("TARN_UNDER_VALGRIND") != NULL;

  testInit(argc, argv);
  initial = valgrind ? 4000 : 20000;
  maxLive = initial * 20;
  live = calloc(maxLive, sizeof *live);
  liveId = calloc(maxLive, sizeof *liveId);
  liveLen = calloc(maxLive, sizeof *liveLen);
  was = calloc(maxLive, sizeof *was);
  check(live && liveId && liveLen && was);

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&pool, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_area(&root, arena, mps_rank_exact(), 0, live, live + maxLive,
                           mps_scan_area, NULL), "root");

  /* A structure, compacted by a full collection. */
  for (i = 0; i < initial; ++i) {
    die(addChain(), "initial structure");
    die(garbage(2), "garbage");
  }
  die(mps_arena_collect(arena), "collect");
  checkAll();
  mps_arena_release(arena);

  /* The limit: a little above what is committed now. */
  limit = mps_arena_committed(arena) + 256 * 1024;
  die(mps_arena_commit_limit_set(arena, limit), "commit limit");
  check(mps_arena_commit_limit(arena) == limit);
  collectionsBefore = mps_collections(arena);
  res = MPS_RES_OK;
  while (res == MPS_RES_OK) {
    res = addChain();
    if (res == MPS_RES_OK)
      res = garbage(testRnd(4));
    checkLimit();
  }
  failedAt = nlive;
  printf("allocation failed with %s after %lu chains, %lu collections under the limit, "
         "committed %lu of %lu\n", testResName(res), (unsigned long)nlive,
         (unsigned long)(mps_collections(arena) - collectionsBefore),
         (unsigned long)mps_arena_committed(arena), (unsigned long)limit);
  check(res == MPS_RES_COMMIT_LIMIT);
  check(mps_collections(arena) > collectionsBefore);    /* it tried to collect */
  checkAll();
  /* Again: growing the structure fails the same way (garbage may be
   * reclaimed, so a little more may fit first), and nothing is lost. */
  for (i = 0; i < 1000; ++i) {
    res = addChain();
    check(res == MPS_RES_OK || res == MPS_RES_COMMIT_LIMIT);
    if (res != MPS_RES_OK)
      break;
  }
  check(res == MPS_RES_COMMIT_LIMIT);
  failedAt = nlive;
  checkLimit();
  checkAll();
  /* A full collection under the limit keeps everything. */
  res = mps_arena_collect(arena);
  check(res == MPS_RES_OK || res == MPS_RES_COMMIT_LIMIT);
  checkAll();
  mps_arena_release(arena);
  checkLimit();

  /* The limit exactly at what is committed: a large request fails. */
  die(mps_arena_commit_limit_set(arena, mps_arena_committed(arena)), "limit = committed");
  res = testobj_alloc(&big, ap, 1, 0, (mps_arena_committed(arena) + (4u << 20)) / sizeof(mps_word_t));
  check(res == MPS_RES_COMMIT_LIMIT);
  checkAll();

  /* Raise the limit: everything goes on. */
  die(mps_arena_commit_limit_set(arena, (size_t)-1), "no limit");
  before = nlive;
  for (i = 0; i < initial / 2; ++i) {
    die(addChain(), "after the limit was raised");
    die(garbage(2), "garbage after the limit was raised");
  }
  check(nlive == before + initial / 2);
  /* Objects kept in place in an emergency move again later. */
  for (i = 0; i < 3; ++i) {
    size_t moved;
    memcpy(was, live, failedAt * sizeof *was);
    die(mps_arena_collect(arena), "collect after raising the limit");
    checkAll();
    moved = countMoved(was, failedAt);
    printf("full collection %lu after raising the limit: %lu of %lu old chains moved\n",
           (unsigned long)i, (unsigned long)moved, (unsigned long)failedAt);
    check(moved > 0);
    mps_arena_release(arena);
  }
  die(testobj_alloc(&big, ap, 1, 0, (4u << 20) / sizeof(mps_word_t)), "a large object now");
  check(testobj_ok(big));

  mps_arena_park(arena);
  mps_root_destroy(root);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  free(live);
  free(liveId);
  free(liveLen);
  free(was);
  return testPass();
}

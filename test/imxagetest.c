/* imxagetest.c: IMX's survivor spaces (when objects leave the nursery)
 *
 * IMX's young objects are copied from the nursery through two survivor
 * spaces before they reach the mature space, so an object is promoted at
 * its third nursery collection (poolimx.c, imxSpacesCreate), and objects
 * that die within two nursery collections never reach it.  Checked, with
 * one worker and with two, through the public interface only (no thread
 * is registered, so nothing is pinned by a stack):
 *  - ages: objects kept from the start move at each of the first three
 *    nursery collections (the nursery and the survivor spaces are
 *    copying) and never again (the mature space collects in place, and
 *    defragmentation only happens in full collections, of which there
 *    are none here);
 *  - medium-lived objects: objects each kept through two nursery
 *    collections and then dropped, 40 nursery collections' worth of
 *    them, never start a full collection and leave the pool no larger
 *    than a few nurseries.  When every object live at a nursery
 *    collection was promoted, they filled the mature space until the
 *    top generation was due (4 MiB; chain.h), and a full collection
 *    came;
 *  - a full collection promotes every young object at once: after one,
 *    the kept objects do not move at nursery collections;
 *  - without the nursery (MPS_KEY_IMX_NURSERY false) the one space is in
 *    generation 0, so collections of generation 0 collect it: 16 MiB of
 *    garbage start no full collection, and the pool stays small;
 *  - under a commit limit (3.5 MiB more than the arena has at the start,
 *    a 512 KiB generation 0, one worker) a window of 20,000 medium-lived
 *    objects (about 2 MiB) turning over while a million are allocated:
 *    no allocation fails, and the window stays intact.  Copying survivors through the survivor spaces needs
 *    fresh blocks where promoting them fills the mature space's holes;
 *    before IMX promoted directly when memory was short, allocation
 *    failed for good after about 100,000 objects.
 *  - many destinations: two IMX pools on one chain, two workers, and old
 *    objects referring to young ones of both pools and every age, so a
 *    worker copies into six spaces in turn: the pools stay small (with
 *    four regions per worker, each copy closed one and took a fresh
 *    block for the next: 69 MiB per pool instead of 0.6).
 * Every kept object stays intact throughout.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscimx.h"
#include "tarn.h"
#include <stdlib.h>
#include <string.h>

#define KiB ((size_t)1 << 10)
#define NURSERY_KIB 256         /* generation 0's capacity */
#define NDATA 12                /* 128-byte objects */
#define NKEPT 256               /* objects kept from the start */
#define WINDOW 2048             /* medium-lived objects kept at once */
#define AGES 2                  /* survivor spaces (IMX_AGES) */

static mps_arena_t arena;
static mps_fmt_t fmt;
static mps_chain_t chain;
static mps_root_t root;
static mps_pool_t pool;
static mps_ap_t ap;
static mps_addr_t kept[NKEPT + WINDOW];    /* the exact root */
static mps_addr_t seen[NKEPT];             /* kept objects' last addresses */
static mps_word_t nextId;
static int fullCollections;
static size_t nurseryKiB = NURSERY_KIB;

static void setUp(size_t workers, mps_bool_t nursery)
{
  mps_gen_param_s params[1] = {{0, 0.9}};
  params[0].mps_capacity = nurseryKiB;
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(tarn_arena_set_workers(arena, workers), "workers");
  mps_message_type_enable(arena, mps_message_type_gc_start());
  mps_message_type_enable(arena, mps_message_type_gc());
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 1, params), "chain");
  memset(kept, 0, sizeof kept);
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, kept,
                            NKEPT + WINDOW), "root");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    MPS_ARGS_ADD(args, MPS_KEY_IMX_NURSERY, nursery);
    die(mps_pool_create_k(&pool, arena, mps_class_imx(), args), "pool");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "ap");
  nextId = 0;
  fullCollections = 0;
}

static void tearDown(void)
{
  mps_arena_park(arena);
  mps_ap_destroy(ap);
  mps_root_destroy(root);
  mps_pool_destroy(pool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

static testobj_t alloc(void)
{
  testobj_t obj;
  die(testobj_alloc(&obj, ap, nextId++, 1, NDATA), "alloc");
  return obj;
}

/* Count the full collections started, and say whether a collection
 * ended, since the last call. */
static int collectionEnded(void)
{
  mps_message_t m;
  int ended = 0;
  while (mps_message_get(&m, arena, mps_message_type_gc_start())) {
    if (strstr(mps_message_gc_start_why(arena, m), "oldest generation") != NULL)
      ++fullCollections;
    mps_message_discard(arena, m);
  }
  while (mps_message_get(&m, arena, mps_message_type_gc())) {
    ended = 1;
    mps_message_discard(arena, m);
  }
  return ended;
}

/* Allocate garbage until a collection has ended. */
static void nurseryCollection(void)
{
  size_t n = 0;
  while (!collectionEnded()) {
    (void)alloc();
    ++n;
    check(n < 64 * NURSERY_KIB * KiB / testobj_size(1, NDATA));
  }
}

/* How many of the objects kept from the start moved since the last
 * call (each must be intact). */
static size_t keptMoved(void)
{
  size_t i, moved = 0;
  for (i = 0; i < NKEPT; ++i) {
    check(testobj_ok(kept[i]));
    check(((testobj_t)kept[i])->id == i);
    if (kept[i] != seen[i])
      ++moved;
    seen[i] = kept[i];
  }
  return moved;
}

static void keepFromStart(void)
{
  size_t i;
  for (i = 0; i < NKEPT; ++i)
    seen[i] = kept[i] = alloc();
}

static void testAges(size_t workers)
{
  size_t c;
  printf("ages, %lu worker(s):", (unsigned long)workers);
  setUp(workers, 1);
  keepFromStart();
  for (c = 1; c <= AGES + 4; ++c) {
    size_t moved;
    nurseryCollection();
    moved = keptMoved();
    printf(" %lu", (unsigned long)moved);
    if (c <= AGES + 1)
      check(moved == NKEPT);    /* copied out of a young space */
    else
      check(moved == 0);        /* in place in the mature space */
  }
  printf("\n");
  check(fullCollections == 0);
  tearDown();
}

/* Objects kept through two nursery collections, then dropped. */
static void testMediumLived(size_t workers)
{
  size_t c, i, peak = 0;
  printf("medium-lived, %lu worker(s):", (unsigned long)workers);
  setUp(workers, 1);
  keepFromStart();
  for (c = 0; c < 64; ++c) {
    size_t size;
    /* Replace the older half of the window: those have now lived
     * through two nursery collections. */
    for (i = (c % 2) * (WINDOW / 2); i < (c % 2 + 1) * (WINDOW / 2); ++i)
      kept[NKEPT + i] = alloc();
    nurseryCollection();
    size = mps_pool_total_size(pool);
    if (size > peak)
      peak = size;
  }
  for (i = 0; i < WINDOW; ++i)
    check(testobj_ok(kept[NKEPT + i]));
  (void)keptMoved();
  printf(" pool peak %lu KiB, %d full collection(s)\n",
         (unsigned long)(peak / KiB), fullCollections);
  check(fullCollections == 0);
  check(peak <= 8 * NURSERY_KIB * KiB);
  tearDown();
}

/* A full collection takes every young object to the mature space. */
static void testFullPromotes(size_t workers)
{
  size_t c;
  printf("full collection, %lu worker(s)\n", (unsigned long)workers);
  setUp(workers, 1);
  keepFromStart();
  mps_arena_collect(arena);
  mps_arena_release(arena);
  (void)collectionEnded();
  check(keptMoved() == NKEPT);
  for (c = 0; c < AGES + 2; ++c) {
    nurseryCollection();
    check(keptMoved() == 0);
  }
  tearDown();
}

/* Without the nursery: garbage is collected by generation 0. */
static void testNoNursery(size_t workers)
{
  size_t bytes = 0, collections = 0, peak = 0;
  printf("no nursery, %lu worker(s):", (unsigned long)workers);
  setUp(workers, 0);
  keepFromStart();
  while (bytes < 64 * NURSERY_KIB * KiB) {
    size_t size;
    (void)alloc();
    bytes += testobj_size(1, NDATA);
    if (collectionEnded())
      ++collections;
    size = mps_pool_total_size(pool);
    if (size > peak)
      peak = size;
  }
  (void)keptMoved();
  printf(" %lu collections, pool peak %lu KiB, %d full collection(s)\n",
         (unsigned long)collections, (unsigned long)(peak / KiB), fullCollections);
  check(collections >= 16);
  check(fullCollections == 0);
  check(peak <= 8 * NURSERY_KIB * KiB);
  tearDown();
}

/* Medium-lived objects under a commit limit. */
static void testCommitLimit(size_t workers)
{
  static mps_addr_t window[20000];
  size_t i, n = getenv("TARN_UNDER_VALGRIND") != NULL ? 300000 : 1000000;
  mps_root_t windowRoot;
  printf("commit limit, %lu worker(s)\n", (unsigned long)workers);
  nurseryKiB = 2 * NURSERY_KIB;
  setUp(workers, 1);
  nurseryKiB = NURSERY_KIB;
  memset(window, 0, sizeof window);
  die(mps_root_create_table(&windowRoot, arena, mps_rank_exact(), 0, window, 20000),
      "window root");
  die(mps_arena_commit_limit_set(arena, mps_arena_committed(arena) + 3584 * KiB),
      "commit limit");
  for (i = 0; i < n; ++i) {
    testobj_t obj;
    mps_res_t res = testobj_alloc(&obj, ap, i, 0, 10);
    if (res != MPS_RES_OK)
      printf("  allocation %lu failed: %d\n", (unsigned long)i, res);
    check(res == MPS_RES_OK);
    if (i % 3 == 0)
      window[(i / 3) % 20000] = obj;
  }
  for (i = 0; i < 20000; ++i) {
    check(testobj_ok(window[i]));
    check(((testobj_t)window[i])->id % 3 == 0);
  }
  mps_root_destroy(windowRoot);
  tearDown();
}

/* Copies into six destinations at once, in a parallel phase. */
static void testManyDestinations(void)
{
  enum { NH = 16, NREFS = 400 };
  mps_pool_t poolB;
  mps_ap_t apB;
  size_t r, h, j, size, peak = 0;
  printf("many destinations, 2 workers:");
  setUp(2, 1);
  mps_arena_pause_time_set(arena, 1e9);         /* parallel phases */
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&poolB, arena, mps_class_imx(), args), "pool B");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&apB, poolB, mps_args_none), "ap B");
  for (h = 0; h < NH; ++h) {
    testobj_t obj;
    die(testobj_alloc(&obj, ap, nextId++, NREFS, 0), "holder");
    kept[h] = obj;
  }
  mps_arena_collect(arena);     /* the holders go to the mature space */
  mps_arena_release(arena);
  (void)collectionEnded();
  for (r = 0; r < 12; ++r) {
    for (h = 0; h < NH; ++h)
      for (j = 0; j < NREFS; ++j)
        if ((j / 2) % 3 == r % 3) {
          testobj_t obj;
          die(testobj_alloc(&obj, j % 2 ? apB : ap, nextId++, 0, 2), "young");
          ((testobj_t)kept[h])->refs[j] = obj;
        }
    nurseryCollection();
    size = mps_pool_total_size(pool) + mps_pool_total_size(poolB);
    if (size > peak)
      peak = size;
  }
  for (h = 0; h < NH; ++h) {
    check(testobj_ok(kept[h]));
    for (j = 0; j < NREFS; ++j) {
      testobj_t obj = ((testobj_t)kept[h])->refs[j];
      check(obj == NULL || testobj_ok(obj));
    }
  }
  printf(" pools' peak %lu KiB, %lu parallel phases\n", (unsigned long)(peak / KiB),
         (unsigned long)tarn_arena_parallel_phases(arena));
  /* (Valgrind runs one worker.) */
  check(tarn_arena_parallel_phases(arena) > 0 || getenv("TARN_UNDER_VALGRIND") != NULL);
  check(peak <= 4096 * KiB);
  mps_arena_park(arena);
  mps_ap_destroy(apB);
  mps_pool_destroy(poolB);
  memset(kept, 0, sizeof kept);
  tearDown();
}

int main(int argc, char *argv[])
{
  size_t workers;
  testInit(argc, argv);
  for (workers = 1; workers <= 2; ++workers) {
    testAges(workers);
    testMediumLived(workers);
    testFullPromotes(workers);
    testNoNursery(workers);
  }
  testCommitLimit(1);           /* one worker: the same run every time */
  testManyDestinations();
  printf("imxagetest: passed\n");
  return 0;
}

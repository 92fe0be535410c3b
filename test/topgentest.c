/* topgentest.c: when the arena's oldest generation is collected
 *
 * A full collection starts once the bytes added to the top generation
 * since the last one pass its capacity, which that collection reset to
 * what survived in the generation: the bytes preserved in it plus those
 * it copied into it from younger generations, at least TOP_GEN_MIN
 * (4 MiB; code/chain.h).  Checked by counting the bytes a client keeps
 * (or allocates) before the gc-start message that gives the top
 * generation as its reason; what is kept hangs from lists whose heads
 * are an exact root, so that most of it is copied by a collection's
 * parallel phase, not while the roots are scanned:
 *  - fragmentation does not count as survival: AMS in the top generation
 *    keeps one object in eight of 8 MiB, so its segments stay (8 MiB of
 *    them) with 1 MiB live; the next full collection comes after about
 *    4 MiB (the minimum), not after the 8 MiB the segments would allow;
 *  - what a full collection promotes counts: 6 MiB of AMC nursery
 *    objects (some of them large) copied into the top generation by a
 *    full collection make the next one come after about 6 MiB more are
 *    promoted, not after the minimum (4 MiB: nothing was preserved in the
 *    top generation itself) and not after 16 MiB (the old minimum);
 *  - and counts once: when that next full collection copies the top
 *    generation's objects within it, they are preserved, not also new,
 *    so the one after comes when the generation has grown by its live
 *    size, not by twice that;
 *  - likewise for IMX, whose nursery survivors a full collection copies
 *    into the holes of mature blocks it has condemned (counted there as
 *    preserved, not also as new).
 * The AMC and IMX cases run with one worker and with two.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscams.h"
#include "mpscamc.h"
#include "mpscimx.h"
#include "tarn.h"
#include <string.h>

#define MiB ((size_t)1 << 20)
#define NDATA 12                /* 16 words with the ref: 128-byte objects */
#define LARGE_NDATA 9000        /* about 72 KiB: a segment of its own in AMC */
#define NLISTS 64
#define RUN 64                  /* consecutive kept objects in one list */

static mps_arena_t arena;
static mps_fmt_t fmt;
static mps_chain_t chain;
static mps_root_t root;
static mps_pool_t pool;
static mps_ap_t ap;
static mps_addr_t heads[NLISTS];        /* the exact root */
static size_t listBytes[NLISTS], listCount[NLISTS];
static size_t nKeep;
static size_t largeEvery;               /* 0: no large objects */

/* Has a collection started because the top generation was due? */
static int topGenDue(void)
{
  mps_message_t m;
  int due = 0;
  while (mps_message_get(&m, arena, mps_message_type_gc_start())) {
    const char *why = mps_message_gc_start_why(arena, m);
    if (strstr(why, "oldest generation") != NULL)
      due = 1;
    mps_message_discard(arena, m);
  }
  return due;
}

/* Allocate an object; if kept, push it on a list (runs of RUN
 * consecutive objects share a list).  Returns its size. */
static size_t alloc(int kept)
{
  testobj_t obj;
  size_t ndata = NDATA, k, size;
  if (kept && largeEvery > 0 && nKeep % largeEvery == largeEvery - 1)
    ndata = LARGE_NDATA;
  size = testobj_size(1, ndata);
  die(testobj_alloc(&obj, ap, (mps_word_t)nKeep, 1, ndata), "alloc");
  if (kept) {
    k = (nKeep / RUN) % NLISTS;
    obj->refs[0] = heads[k];
    heads[k] = obj;
    listBytes[k] += size;
    ++listCount[k];
    ++nKeep;
  }
  return size;
}

static size_t keptBytes(void)
{
  size_t k, bytes = 0;
  for (k = 0; k < NLISTS; ++k)
    bytes += listBytes[k];
  return bytes;
}

static void dropList(size_t k)
{
  heads[k] = NULL;
  listBytes[k] = listCount[k] = 0;
}

/* Allocate (kept or not) until the top generation is due; the bytes. */
static size_t untilTopGenDue(int kept, size_t limit)
{
  size_t bytes = 0;
  while (!topGenDue()) {
    bytes += alloc(kept);
    check(bytes <= limit);
  }
  return bytes;
}

/* Kept bytes until the next full collection, which must come when the
 * top generation has grown by about `live`. */
static void checkNextAfter(const char *what, size_t live)
{
  size_t after = untilTopGenDue(1, 2 * live + 4 * MiB);
  printf("  %s: %lu KiB live; next full collection after %lu KiB more\n", what,
         (unsigned long)(live >> 10), (unsigned long)(after >> 10));
  check(after + MiB / 2 >= live);
  check(after <= live + MiB);   /* a nursery (256 KiB) and a large object late */
}

/* Every list intact, as long as counted. */
static void checkLists(void)
{
  size_t k;
  for (k = 0; k < NLISTS; ++k) {
    size_t n = 0;
    testobj_t o;
    for (o = heads[k]; o != NULL; o = o->refs[0]) {
      check(testobj_ok(o));
      ++n;
    }
    check(n == listCount[k]);
  }
}

/* An arena with `workers` tracing threads, a one-generation chain, and
 * a pool of klass (AMS in the top generation; IMX without
 * defragmentation, so that copies go into holes) with an allocation
 * point. */
static void setUp(mps_pool_class_t klass, size_t workers)
{
  mps_gen_param_s params[1] = {{256, 0.5}};
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(tarn_arena_set_workers(arena, workers), "workers");
  mps_message_type_enable(arena, mps_message_type_gc_start());
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 1, params), "chain");
  nKeep = 0;
  memset(heads, 0, sizeof heads);
  memset(listBytes, 0, sizeof listBytes);
  memset(listCount, 0, sizeof listCount);
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, heads, NLISTS), "root");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    if (klass == mps_class_ams())
      MPS_ARGS_ADD(args, MPS_KEY_GEN, 1);       /* the chain's one gen: top */
    if (klass == mps_class_imx())
      MPS_ARGS_ADD(args, MPS_KEY_IMX_DEFRAG_HEADROOM, 0.0);
    die(mps_pool_create_k(&pool, arena, klass, args), "pool");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "ap");
}

static void tearDown(void)
{
  mps_arena_park(arena);
  checkLists();
  mps_ap_destroy(ap);
  mps_root_destroy(root);
  mps_pool_destroy(pool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

/* Full collection, clamped before and released after. */
static void collect(void)
{
  mps_arena_collect(arena);
  (void)topGenDue();
  mps_arena_release(arena);
}

/* AMS in the top generation: sparse survivors keep 8 MiB of segments. */
static void testFragmentation(void)
{
  size_t bytes = 0, i = 0, after;

  printf("AMS in the top generation, fragmented\n");
  setUp(mps_class_ams(), 1);
  largeEvery = 0;

  mps_arena_clamp(arena);
  while (bytes < 8 * MiB)
    bytes += alloc(i++ % 8 == 0);
  collect();
  check(mps_pool_total_size(pool) >= 7 * MiB);  /* the segments stay */

  after = untilTopGenDue(0, 12 * MiB);
  printf("  %lu KiB of segments for %lu KiB kept; next full collection "
         "after %lu KiB\n", (unsigned long)(mps_pool_total_size(pool) >> 10),
         (unsigned long)(keptBytes() >> 10), (unsigned long)(after >> 10));
  check(after >= 3 * MiB);
  check(after <= 6 * MiB);
  tearDown();
}

/* AMC: a full collection promotes 6 MiB out of the nursery, then one
 * copies the top generation within itself. */
static void testPromotion(size_t workers)
{

  printf("AMC, %lu worker(s)\n", (unsigned long)workers);
  setUp(mps_class_amc(), workers);
  largeEvery = 64;

  mps_arena_clamp(arena);
  while (keptBytes() < 6 * MiB)
    (void)alloc(1);
  collect();                    /* promotes them all */
  /* Kept objects are promoted by the nursery collections. */
  checkNextAfter("promoted by a full collection", keptBytes());
  mps_arena_park(arena);        /* that collection copied the top gen */
  mps_arena_release(arena);
  checkNextAfter("copied within the top generation", keptBytes());
  tearDown();
}

/* IMX: nursery survivors copied into holes of condemned mature blocks. */
static void testPromotionIntoHoles(size_t workers)
{
  size_t k, target;

  printf("IMX, %lu worker(s)\n", (unsigned long)workers);
  setUp(mps_class_imx(), workers);
  largeEvery = 0;

  mps_arena_clamp(arena);
  while (keptBytes() < 8 * MiB)
    (void)alloc(1);
  collect();                    /* promoted into the mature space */
  for (k = 1; k < NLISTS; k += 2)
    dropList(k);                /* every other run of RUN objects dies */
  mps_arena_clamp(arena);
  collect();                    /* holes in the mature blocks */
  mps_arena_clamp(arena);
  target = keptBytes() + 3 * MiB;
  while (keptBytes() < target)
    (void)alloc(1);         /* in the nursery */
  collect();                    /* copies them into the holes */
  checkNextAfter("promoted into condemned blocks", keptBytes());
  tearDown();
}

int main(int argc, char *argv[])
{
  testInit(argc, argv);
  testFragmentation();
  testPromotion(1);
  testPromotion(2);
  testPromotionIntoHoles(1);
  testPromotionIntoHoles(2);
  printf("topgentest: passed\n");
  return 0;
}

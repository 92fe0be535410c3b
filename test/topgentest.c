/* topgentest.c: when the arena's oldest generation is collected
 *
 * A full collection starts once the bytes added to the top generation
 * since the last one pass its capacity, which that collection reset to
 * what survived in the generation: the bytes preserved in it plus those
 * it copied into it from younger generations, at least TOP_GEN_MIN
 * (4 MiB; code/chain.h).  Checked by counting the bytes a client adds
 * before the gc-start message that gives the top generation as its
 * reason:
 *  - fragmentation does not count as survival: AMS in the top generation
 *    keeps one object in eight of 8 MiB, so its segments stay (8 MiB of
 *    them) with 1 MiB live; the next full collection comes after about
 *    4 MiB (the minimum), not after the 8 MiB the segments would allow;
 *  - what a full collection promotes counts: 6 MiB of AMC nursery
 *    objects copied into the top generation by a full collection make
 *    the next one come after about 6 MiB more are promoted, not after
 *    the minimum (4 MiB: nothing was preserved in the top generation
 *    itself) and not after 16 MiB (the old minimum);
 *  - and counts once: when that next full collection copies the top
 *    generation's objects within it, they are preserved, not also new,
 *    so the one after comes when the generation has grown by its live
 *    size, not by twice that.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscams.h"
#include "mpscamc.h"
#include <string.h>

#define MiB ((size_t)1 << 20)
#define NDATA 12                /* 15 words: 120-byte objects */
#define MAXKEEP 400000

static mps_arena_t arena;
static mps_addr_t keep[MAXKEEP];
static size_t nKeep;

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

/* Allocate an object; keep it (in the exact root) if asked. */
static size_t alloc(mps_ap_t ap, int kept)
{
  testobj_t obj;
  die(testobj_alloc(&obj, ap, (mps_word_t)nKeep, 0, NDATA), "alloc");
  if (kept) {
    check(nKeep < MAXKEEP);
    keep[nKeep++] = obj;
  }
  return testobj_size(0, NDATA);
}

/* Allocate (kept or not) until the top generation is due; the bytes. */
static size_t untilTopGenDue(mps_ap_t ap, int kept, size_t limit)
{
  size_t bytes = 0;
  while (!topGenDue()) {
    bytes += alloc(ap, kept);
    check(bytes <= limit);
  }
  return bytes;
}

static void setUp(mps_chain_t *chain_o, mps_fmt_t *fmt_o, mps_root_t *root_o)
{
  mps_gen_param_s params[1] = {{256, 0.5}};
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  mps_message_type_enable(arena, mps_message_type_gc_start());
  die(testfmt_create(fmt_o, arena, 0), "format");
  die(mps_chain_create(chain_o, arena, 1, params), "chain");
  nKeep = 0;
  memset(keep, 0, sizeof keep);
  die(mps_root_create_table(root_o, arena, mps_rank_exact(), 0, keep, MAXKEEP), "root");
}

static void tearDown(mps_chain_t chain, mps_fmt_t fmt, mps_root_t root, mps_pool_t pool,
                     mps_ap_t ap)
{
  size_t i;
  for (i = 0; i < nKeep; ++i)
    check(testobj_ok(keep[i]));
  mps_ap_destroy(ap);
  mps_root_destroy(root);
  mps_pool_destroy(pool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

/* AMS in the top generation: sparse survivors keep 8 MiB of segments. */
static void testFragmentation(void)
{
  mps_chain_t chain;
  mps_fmt_t fmt;
  mps_root_t root;
  mps_pool_t pool;
  mps_ap_t ap;
  size_t bytes = 0, i = 0, after;

  setUp(&chain, &fmt, &root);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    MPS_ARGS_ADD(args, MPS_KEY_GEN, 1);         /* the chain's one gen: top */
    die(mps_pool_create_k(&pool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "ap");

  mps_arena_clamp(arena);
  while (bytes < 8 * MiB)
    bytes += alloc(ap, i++ % 8 == 0);
  mps_arena_collect(arena);
  (void)topGenDue();
  check(mps_pool_total_size(pool) >= 7 * MiB);  /* the segments stay */
  mps_arena_release(arena);

  after = untilTopGenDue(ap, 0, 12 * MiB);
  printf("AMS: %lu KiB of segments for %lu KiB kept; next full collection "
         "after %lu KiB\n", (unsigned long)(mps_pool_total_size(pool) >> 10),
         (unsigned long)(nKeep * testobj_size(0, NDATA) >> 10),
         (unsigned long)(after >> 10));
  check(after >= 3 * MiB);
  check(after <= 6 * MiB);
  mps_arena_park(arena);
  tearDown(chain, fmt, root, pool, ap);
}

/* AMC: a full collection promotes 6 MiB out of the nursery. */
static void testPromotion(void)
{
  mps_chain_t chain;
  mps_fmt_t fmt;
  mps_root_t root;
  mps_pool_t pool;
  mps_ap_t ap;
  size_t bytes = 0, after, live;

  setUp(&chain, &fmt, &root);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&pool, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "ap");

  mps_arena_clamp(arena);
  while (bytes < 6 * MiB)
    bytes += alloc(ap, 1);
  mps_arena_collect(arena);
  (void)topGenDue();
  mps_arena_release(arena);

  /* Kept objects are promoted by the nursery collections. */
  after = untilTopGenDue(ap, 1, 12 * MiB);
  printf("AMC: 6 MiB promoted by a full collection; next full collection "
         "after %lu KiB more\n", (unsigned long)(after >> 10));
  check(after >= 5 * MiB);
  check(after <= 8 * MiB);

  /* That collection copied the top generation within itself: those
   * copies are survivors, counted once (as preserved), not also as new. */
  mps_arena_park(arena);
  live = nKeep * testobj_size(0, NDATA);
  mps_arena_release(arena);
  after = untilTopGenDue(ap, 1, 2 * live + 4 * MiB);
  printf("AMC: %lu KiB live after a full collection of the top generation; next "
         "after %lu KiB more\n", (unsigned long)(live >> 10), (unsigned long)(after >> 10));
  check(after + MiB >= live);
  check(after <= live + 2 * MiB);
  mps_arena_park(arena);
  tearDown(chain, fmt, root, pool, ap);
}

int main(int argc, char *argv[])
{
  testInit(argc, argv);
  testFragmentation();
  testPromotion();
  printf("topgentest: passed\n");
  return 0;
}

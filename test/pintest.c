/* pintest.c: explicit pinning (tarn.h: tarn_pin, tarn_unpin)
 *
 * tarn_pin is Tarn's extension (MPS has none): until the matching
 * tarn_unpin the object containing the address is kept alive and does
 * not move, in every pool, without any other reference.  Checked here:
 *  - AMC: objects pinned by their client address or by an interior
 *    address, with no other reference anywhere (no thread is registered,
 *    so no stack is scanned; the test keeps their addresses scrambled),
 *    survive full collections at the same address with their contents,
 *    while the memory around them is reused; an object both pinned and
 *    held by an exact root does not move either (the root keeps its
 *    value), while an unpinned control object held by a root moves;
 *  - pins nest: an object pinned twice stays after one unpin and goes
 *    after the second; a further unpin, or an unpin of an address never
 *    pinned, returns MPS_RES_FAIL;
 *  - an unpinned object held by a root moves at the next collection, and
 *    one held by nothing dies;
 *  - the same (survival, no motion, death after unpinning) in AMS, LO,
 *    AWL and AMCZ, by client and by interior address, and in AMS with
 *    MPS_KEY_AMS_SUPPORT_AMBIGUOUS false and AMC with MPS_KEY_INTERIOR
 *    false (pins are not ambiguous references the pool may ignore), and
 *    in IMX (with and without its nursery, and without interior pointers)
 *    and IMXZ;
 *  - across incremental collections with pause time 0, driven by
 *    mps_arena_step while the mutator reads the pinned objects, allocates,
 *    and pins and unpins objects between steps.
 * Whether an object is alive is asked of a pool walk (mps_pool_walk) with
 * the arena parked, not only of its memory.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include "mpsclo.h"
#include "mpscawl.h"
#include "mpscimx.h"
#include "tarn.h"
#include <string.h>
#include <stdint.h>

#define SCRAMBLE ((uintptr_t)0xA5C3A5C3UL)
#define NROOTS 16
#define NDATA 12

static mps_arena_t arena;
static mps_fmt_t fmt;
static mps_addr_t roots[NROOTS]; /* an exact root */
static mps_word_t nextId = 1000;

/* Addresses the collector must not see. */
typedef struct {
  uintptr_t scrambled;
  mps_word_t id;
} Hidden;

static void hide(Hidden *h, testobj_t obj)
{
  h->scrambled = (uintptr_t)obj ^ SCRAMBLE;
  h->id = obj->id;
}

static testobj_t unhide(const Hidden *h)
{
  return (testobj_t)(h->scrambled ^ SCRAMBLE);
}

/* An interior address of obj: inside its data. */
static mps_addr_t interior(testobj_t obj)
{
  return (char *)obj + 3 * sizeof(mps_word_t) + 5 * sizeof(mps_word_t) + 3;
}

static testobj_t newObj(mps_ap_t ap, size_t nrefs)
{
  testobj_t obj;
  die(testobj_alloc(&obj, ap, nextId++, nrefs, NDATA), "testobj_alloc");
  return obj;
}

/* Allocate and drop: reuses whatever memory collections freed. */
static void churn(mps_ap_t ap, size_t nrefs, size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i)
    (void)newObj(ap, nrefs);
}

static void collect(void)
{
  die(mps_arena_collect(arena), "mps_arena_collect");
  mps_arena_park(arena);
}

/* Is there a live object (not a pad or forwarding object) at client
 * address addr in pool, with the right id and contents? */
typedef struct {
  mps_addr_t target;
  int found;
} WalkClosure;

static mps_res_t walkArea(mps_ss_t ss, void *base, void *limit, void *closure)
{
  WalkClosure *c = closure;
  char *p = base;
  (void)ss;
  while (p < (char *)limit) {
    if (p == c->target && !testfmt_is_pad(p) && testobj_ok((testobj_t)p))
      c->found = 1;
    p = testfmt_skip(p);
  }
  return MPS_RES_OK;
}

static int isLive(mps_pool_t pool, const Hidden *h)
{
  WalkClosure c;
  c.target = unhide(h);
  c.found = 0;
  die(mps_pool_walk(pool, walkArea, &c), "mps_pool_walk");
  return c.found && unhide(h)->id == h->id;
}

/* Pinned: alive, where it was, intact. */
static void checkPinned(mps_pool_t pool, const Hidden *h, const char *what, int line)
{
  testobj_t obj = unhide(h);
  if (!isLive(pool, h) || !testobj_ok(obj) || obj->id != h->id) {
    char message[200];
    snprintf(message, sizeof message, "object pinned %s: alive, unmoved and intact", what);
    testFail(__FILE__, line, message);
  }
}
#define CHECK_PINNED(pool, h) checkPinned((pool), (h), #h, __LINE__)


/* AMC: client and interior pins, nesting, motion after unpinning. */
static void testAMC(void)
{
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t root;
  Hidden byClient, byInterior, twice, rooted, control, gone;
  testobj_t obj;
  int i;

  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, roots, NROOTS), "root");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&pool, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  mps_arena_park(arena);

  churn(ap, 2, 100);
  obj = newObj(ap, 2);
  hide(&byClient, obj);
  die(tarn_pin(arena, obj), "tarn_pin");
  churn(ap, 2, 50);
  obj = newObj(ap, 2);
  hide(&byInterior, obj);
  die(tarn_pin(arena, interior(obj)), "tarn_pin interior");
  obj = newObj(ap, 2);
  hide(&twice, obj);
  die(tarn_pin(arena, obj), "tarn_pin");
  die(tarn_pin(arena, obj), "tarn_pin again");
  obj = newObj(ap, 2);
  hide(&rooted, obj);
  die(tarn_pin(arena, obj), "tarn_pin");
  roots[0] = obj;
  obj = newObj(ap, 2);
  hide(&control, obj);
  roots[1] = obj;
  obj = newObj(ap, 2);
  hide(&gone, obj);
  obj = NULL;
  churn(ap, 2, 100);
  check(isLive(pool, &gone));
  mps_ap_destroy(ap);           /* nothing of the test's in a buffer */
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");

  for (i = 0; i < 6; ++i) {
    collect();
    CHECK_PINNED(pool, &byClient);
    CHECK_PINNED(pool, &byInterior);
    CHECK_PINNED(pool, &twice);
    CHECK_PINNED(pool, &rooted);
    check(roots[0] == unhide(&rooted));         /* the root was not moved */
    check(!isLive(pool, &gone));                /* nothing keeps this one */
    /* The control object, held by a root, moved (at every collection:
     * it may come back to an address it had before). */
    check(roots[1] != unhide(&control));
    check(testobj_ok(roots[1]) && ((testobj_t)roots[1])->id == control.id);
    hide(&control, roots[1]);
    if (i % 2 == 0)
      churn(ap, 2, 2000);
  }

  /* Nesting: one unpin leaves it pinned. */
  die(tarn_unpin(arena, unhide(&twice)), "tarn_unpin");
  collect();
  churn(ap, 2, 2000);
  collect();
  CHECK_PINNED(pool, &twice);
  die(tarn_unpin(arena, unhide(&twice)), "tarn_unpin second");
  check(tarn_unpin(arena, unhide(&twice)) == MPS_RES_FAIL);
  collect();
  check(!isLive(pool, &twice));

  /* Unpinned and held by a root: it moves at the next collection. */
  roots[2] = unhide(&byClient);
  die(tarn_unpin(arena, unhide(&byClient)), "tarn_unpin");
  check(tarn_unpin(arena, unhide(&byClient)) == MPS_RES_FAIL);
  collect();
  check(roots[2] != unhide(&byClient));
  check(testobj_ok(roots[2]) && ((testobj_t)roots[2])->id == byClient.id);
  roots[2] = NULL;

  /* Unpinned by its interior address, held by nothing: it dies. */
  check(tarn_unpin(arena, unhide(&byInterior)) == MPS_RES_FAIL); /* not that address */
  die(tarn_unpin(arena, interior(unhide(&byInterior))), "tarn_unpin interior");
  collect();
  check(!isLive(pool, &byInterior));

  /* Pinned and rooted, unpinned: now it moves. */
  die(tarn_unpin(arena, unhide(&rooted)), "tarn_unpin");
  collect();
  check(roots[0] != unhide(&rooted));
  check(testobj_ok(roots[0]) && ((testobj_t)roots[0])->id == rooted.id);

  /* Addresses never pinned. */
  check(tarn_unpin(arena, roots[0]) == MPS_RES_FAIL);
  check(tarn_unpin(arena, NULL) == MPS_RES_FAIL);
  check(tarn_unpin(arena, &roots[5]) == MPS_RES_FAIL);

  for (i = 0; i < NROOTS; ++i)
    roots[i] = NULL;
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_root_destroy(root);
}


/* The other pools: pinned objects stay, unpinned ones die. */
enum { PLAIN, NO_AMBIGUOUS, NO_INTERIOR, NO_NURSERY };

static void testPool(const char *name, mps_pool_class_t klass, size_t nrefs, int variant)
{
  mps_pool_t pool;
  mps_ap_t ap;
  Hidden byClient, byInterior, twice, gone;
  testobj_t obj;
  int i;

  printf("  %s\n", name);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    if (variant == NO_AMBIGUOUS)
      MPS_ARGS_ADD(args, MPS_KEY_AMS_SUPPORT_AMBIGUOUS, 0);
    if (variant == NO_INTERIOR)
      MPS_ARGS_ADD(args, MPS_KEY_INTERIOR, 0);
    if (variant == NO_NURSERY)
      MPS_ARGS_ADD(args, MPS_KEY_IMX_NURSERY, 0);
    die(mps_pool_create_k(&pool, arena, klass, args), name);
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  mps_arena_park(arena);
  churn(ap, nrefs, 100);
  obj = newObj(ap, nrefs);
  hide(&byClient, obj);
  die(tarn_pin(arena, obj), "tarn_pin");
  churn(ap, nrefs, 20);
  obj = newObj(ap, nrefs);
  hide(&byInterior, obj);
  die(tarn_pin(arena, interior(obj)), "tarn_pin interior");
  churn(ap, nrefs, 20);
  obj = newObj(ap, nrefs);
  hide(&twice, obj);
  die(tarn_pin(arena, obj), "tarn_pin");
  die(tarn_pin(arena, obj), "tarn_pin");
  obj = newObj(ap, nrefs);
  hide(&gone, obj);
  obj = NULL;
  churn(ap, nrefs, 100);
  mps_ap_destroy(ap);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");

  for (i = 0; i < 2; ++i) {
    collect();
    churn(ap, nrefs, 3000);
    collect();
    CHECK_PINNED(pool, &byClient);
    CHECK_PINNED(pool, &byInterior);
    CHECK_PINNED(pool, &twice);
    check(!isLive(pool, &gone));
  }
  die(tarn_unpin(arena, unhide(&twice)), "tarn_unpin");
  collect();
  CHECK_PINNED(pool, &twice);
  die(tarn_unpin(arena, unhide(&twice)), "tarn_unpin");
  check(tarn_unpin(arena, unhide(&twice)) == MPS_RES_FAIL);
  die(tarn_unpin(arena, unhide(&byClient)), "tarn_unpin");
  die(tarn_unpin(arena, interior(unhide(&byInterior))), "tarn_unpin");
  collect();
  check(!isLive(pool, &byClient));
  check(!isLive(pool, &byInterior));
  check(!isLive(pool, &twice));

  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
}


/* Incremental collections with pause time 0. */
static void testIncremental(void)
{
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t root;
  Hidden pinned[8], late, leaving;
  mps_message_t msg;
  int i, collections = 0, midDone = 0;
  unsigned long steps = 0;

  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, roots, NROOTS), "root");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&pool, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  mps_arena_park(arena);
  mps_arena_pause_time_set(arena, 0.0);
  mps_message_type_enable(arena, mps_message_type_gc());

  /* A rooted list gives the collector work to do in slices. */
  for (i = 0; i < NROOTS; ++i) {
    testobj_t head = newObj(ap, 2);
    int j;
    roots[i] = head;
    for (j = 0; j < 1000; ++j) {
      testobj_t obj = newObj(ap, 2);
      obj->refs[0] = roots[i];
      roots[i] = obj;
    }
  }
  for (i = 0; i < 8; ++i) {
    testobj_t obj = newObj(ap, 2);
    hide(&pinned[i], obj);
    die(tarn_pin(arena, i % 2 ? interior(obj) : (mps_addr_t)obj), "tarn_pin");
  }
  /* One object to be pinned mid-collection, one to be unpinned. */
  hide(&late, newObj(ap, 2));
  roots[0] = unhide(&late);
  hide(&leaving, newObj(ap, 2));
  die(tarn_pin(arena, unhide(&leaving)), "tarn_pin");
  roots[1] = unhide(&leaving);
  mps_arena_clamp(arena);

  while (collections < 3) {
    die(mps_arena_start_collect(arena), "mps_arena_start_collect");
    for (;;) {
      (void)mps_arena_step(arena, 0.0, 0.0);
      ++steps;
      /* The mutator runs between slices: reads the pinned objects
       * (through any barrier) and allocates. */
      for (i = 0; i < 8; ++i) {
        testobj_t obj = unhide(&pinned[i]);
        check(testobj_ok(obj) && obj->id == pinned[i].id);
      }
      churn(ap, 2, 20);
      if (mps_message_get(&msg, arena, mps_message_type_gc())) {
        mps_message_discard(arena, msg);
        break;
      }
      if (collections == 0 && !midDone) {
        /* The collection is under way.  Pin what the root holds now, and
         * let go of the root; unpin the other, which its root holds. */
        midDone = 1;
        hide(&late, roots[0]);
        die(tarn_pin(arena, unhide(&late)), "tarn_pin mid-collection");
        roots[0] = NULL;
        die(tarn_unpin(arena, unhide(&leaving)), "tarn_unpin mid-collection");
      }
      check(steps < 1000000);
    }
    ++collections;
    mps_arena_park(arena);
    for (i = 0; i < 8; ++i)
      CHECK_PINNED(pool, &pinned[i]);
    CHECK_PINNED(pool, &late);
    mps_arena_clamp(arena);
  }
  printf("  %lu steps for %d incremental collections\n", steps, collections);
  check(steps > (unsigned long)collections);   /* they really were incremental */
  check(midDone);
  /* The unpinned object, held by its root, has moved. */
  check(roots[1] != unhide(&leaving));
  check(testobj_ok(roots[1]) && ((testobj_t)roots[1])->id == leaving.id);

  mps_arena_park(arena);
  for (i = 0; i < 8; ++i)
    die(tarn_unpin(arena, i % 2 ? interior(unhide(&pinned[i])) : (mps_addr_t)unhide(&pinned[i])),
        "tarn_unpin");
  die(tarn_unpin(arena, unhide(&late)), "tarn_unpin");
  collect();
  for (i = 0; i < 8; ++i)
    check(!isLive(pool, &pinned[i]));
  check(!isLive(pool, &late));
  for (i = 0; i < NROOTS; ++i)
    roots[i] = NULL;
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_root_destroy(root);
}


int main(int argc, char *argv[])
{
  testInit(argc, argv);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(testfmt_create(&fmt, arena, 0), "format");
  printf("AMC\n");
  testAMC();
  printf("every pool\n");
  testPool("AMS", mps_class_ams(), 2, PLAIN);
  testPool("AMS without ambiguous references", mps_class_ams(), 2, NO_AMBIGUOUS);
  testPool("LO", mps_class_lo(), 0, PLAIN);
  testPool("AWL", mps_class_awl(), 2, PLAIN);
  testPool("AMCZ", mps_class_amcz(), 0, PLAIN);
  testPool("AMC", mps_class_amc(), 2, PLAIN);
  testPool("AMC without interior pointers", mps_class_amc(), 2, NO_INTERIOR);
  testPool("IMX", mps_class_imx(), 2, PLAIN);
  testPool("IMX without interior pointers", mps_class_imx(), 2, NO_INTERIOR);
  testPool("IMX without a nursery", mps_class_imx(), 2, NO_NURSERY);
  testPool("IMXZ", mps_class_imxz(), 0, PLAIN);
  printf("incremental\n");
  testIncremental();
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  return testPass();
}

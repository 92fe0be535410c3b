/* finaltest.c: finalization and its messages (contract 13, 14, 27.20-22)
 *
 * Main phase: N test objects in AMC, AMCZ, AMS, AWL, LO, IMX and IMXZ are registered
 * with mps_finalize and held by an exact root; each is watched by a weak
 * root, and those in scanned pools refer to a child object (AMC or AMS)
 * that nothing else refers to, watched by another weak root.  Some are
 * registered twice, some registered and then definalized.  Then:
 *  - while everything is held, full collections post no message;
 *  - mps_definalize returns MPS_RES_FAIL for a block never registered,
 *    for one already definalized, and for one whose only registration
 *    was finalized; MPS_RES_OK otherwise;
 *  - rounds drop some of the held objects and collect until every
 *    expected message has arrived (a bounded number of collections):
 *    exactly one message per registration not definalized, none for an
 *    object still held or definalized; each message has clock 0, its
 *    reference (asked for twice) is the object's current address and the
 *    object is intact (testobj_ok, the right id); the weak root watching
 *    it still refers to it (finalization ranks before weakness) and so
 *    does the one watching its child, which is intact (objects reachable
 *    from a finalizable object stay alive);
 *  - some messages are kept across further collections before being
 *    discarded: their objects stay intact and their references follow
 *    them when AMC moves them;
 *  - after discard, a dropped object (and its child) is reclaimed by the
 *    next full collection (the weak roots become NULL) unless it has a
 *    second registration, which then produces its second message;
 *  - some objects are resurrected (the reference is kept after discard)
 *    and registered again: they stay alive, and produce another message
 *    when dropped again;
 *  - at the end every non-moving pool (AMS, AWL, LO) is empty again:
 *    total - free is just the unused part of its allocation point.
 * Stress phase: pause time 0, collections started by allocation and
 * mps_arena_step, objects registered and dropped all the while, messages
 * drained as they come; then full collections until every message has
 * arrived: exactly one each, none for held objects.
 * Pile-up phase: thousands of messages of all three types queue over many
 * collections without being taken, then all come out (none lost, none
 * twice, every gc_start with its gc).
 * Disabled phase: with finalization messages disabled nothing is queued;
 * disabling drops queued finalization messages and keeps the others.
 * Tear-down leaves messages queued, got but not discarded, and blocks
 * registered: mps_arena_destroy frees them (Valgrind's leak check).
 * Scaled down when TARN_UNDER_VALGRIND is set.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include "mpscawl.h"
#include "mpsclo.h"
#include "mpscimx.h"
#include <string.h>
#include <stdlib.h>

enum { P_AMC, P_AMCZ, P_AMS, P_AWL, P_LO, P_IMX, P_IMXZ, NPOOLS };
static const char *const poolName[NPOOLS] = { "AMC", "AMCZ", "AMS", "AWL", "LO", "IMX", "IMXZ" };

static mps_arena_t arena;
static mps_pool_t pools[NPOOLS];
static mps_ap_t aps[NPOOLS];
static int underValgrind;

/* The model of the main phase */
static size_t n;                        /* registered objects */
static mps_addr_t *held;                /* exact root: [n] */
static mps_addr_t *weakObj, *weakChild; /* weak roots: [n] */
static mps_addr_t spare[4];             /* exact root */

typedef struct obj_s {
  int pool;
  int hasChild;
  mps_word_t id;
  int registrations;            /* outstanding, by the model */
  int messages;                 /* received */
  int expected;                 /* messages expected in total */
  int dropped;                  /* the model no longer holds it */
  int resurrect;                /* keep it after its first message */
  int discardedAt;              /* full collections since the last discard, or -1 */
} obj_s;

static obj_s *objs;
static unsigned long fullCollections = 0, messagesTotal = 0, keptAcross = 0;
static unsigned long moved = 0, reclaimedSeen = 0, resurrected = 0;

#define ID(k) ((mps_word_t)(k) * 2 + 1)
#define CHILD_ID(k) ((mps_word_t)(k) * 2 + 100000001)

static testobj_t newObj(int pool, mps_word_t id, size_t nrefs)
{
  testobj_t obj;
  die(testobj_alloc(&obj, aps[pool], id, nrefs, testRnd(5)), "testobj_alloc");
  return obj;
}

static size_t kOfId(mps_word_t id)
{
  size_t k = (size_t)(id - 1) / 2;
  check(id % 2 == 1 && k < n);
  return k;
}

static size_t apUnused(mps_ap_t ap)
{
  return ap->limit == NULL ? 0 : (size_t)((char *)ap->limit - (char *)ap->init);
}

/* Kept messages (not yet discarded) */
#define MAXKEPT 64
static mps_message_t kept[MAXKEPT];
static int keptAge[MAXKEPT];
static mps_word_t keptAddr[MAXKEPT];    /* where the object was when kept */
static size_t nKept = 0;

/* Check a finalization message that has just been got. */
static size_t checkMessage(mps_message_t msg)
{
  mps_addr_t ref, ref2;
  testobj_t obj;
  size_t k;
  check(mps_message_type(arena, msg) == mps_message_type_finalization());
  check(mps_message_clock(arena, msg) == 0);
  mps_message_finalization_ref(&ref, arena, msg);
  mps_message_finalization_ref(&ref2, arena, msg);
  check(ref == ref2);
  check(ref != NULL);
  obj = ref;
  check(testobj_ok(obj));
  k = kOfId(obj->id);
  check(obj->id == objs[k].id);
  check(objs[k].dropped);                  /* none for a held object */
  check(held[k] == NULL);
  check(objs[k].registrations > 0);        /* one per registration */
  check(objs[k].messages < objs[k].expected);
  check(weakObj[k] == ref);                /* weak references intact */
  if (objs[k].hasChild) {
    testobj_t child = obj->refs[0];
    check(child != NULL && testobj_ok(child) && child->id == CHILD_ID(k));
    check(weakChild[k] == child);          /* its child is alive too */
  }
  ++objs[k].messages;
  --objs[k].registrations;
  objs[k].discardedAt = -1;     /* the message holds it until discarded */
  ++messagesTotal;
  return k;
}

static void discard(mps_message_t msg, size_t k)
{
  mps_message_discard(arena, msg);
  objs[k].discardedAt = 0;
}

/* Take every finalization message queued. */
static void drain(int keepSome)
{
  mps_message_t msg;
  while (mps_message_get(&msg, arena, mps_message_type_finalization())) {
    size_t k = checkMessage(msg);
    if (objs[k].resurrect && objs[k].messages == 1) {
      /* Keep the reference, register again, drop it later. */
      mps_addr_t ref;
      mps_message_finalization_ref(&ref, arena, msg);
      held[k] = ref;
      objs[k].dropped = 0;
      discard(msg, k);
      objs[k].discardedAt = -1;
      /* Its only registration was finalized: nothing to definalize. */
      check(mps_definalize(arena, &held[k]) == MPS_RES_FAIL);
      die(mps_finalize(arena, &held[k]), "mps_finalize again");
      ++objs[k].registrations;
      ++objs[k].expected;
      ++resurrected;
    } else if (keepSome && nKept < MAXKEPT && testRnd(3) == 0) {
      mps_addr_t ref;
      mps_message_finalization_ref(&ref, arena, msg);
      keptAge[nKept] = 0;
      keptAddr[nKept] = (mps_word_t)ref;
      kept[nKept++] = msg;
    } else {
      discard(msg, k);
    }
  }
}

/* Kept messages: their objects are intact, and the references follow
 * them; each is discarded after one or two more collections. */
static void checkKept(void)
{
  size_t i, j = 0;
  for (i = 0; i < nKept; ++i) {
    mps_addr_t ref;
    testobj_t obj;
    size_t k;
    mps_message_finalization_ref(&ref, arena, kept[i]);
    obj = ref;
    check(testobj_ok(obj));
    k = kOfId(obj->id);
    check(weakObj[k] == ref);
    if (objs[k].hasChild)
      check(weakChild[k] == obj->refs[0] && testobj_ok(obj->refs[0]));
    if (keptAge[i] > 0)
      ++keptAcross;             /* kept across a collection */
    if ((mps_word_t)ref != keptAddr[i]) {
      check(objs[k].pool == P_AMC || objs[k].pool == P_AMCZ || objs[k].pool == P_IMX
            || objs[k].pool == P_IMXZ);
      ++moved;
      keptAddr[i] = (mps_word_t)ref;
    }
    if (++keptAge[i] >= 3 || (keptAge[i] >= 2 && testRnd(2) == 0)) {
      discard(kept[i], k);
    } else {
      keptAge[j] = keptAge[i];
      keptAddr[j] = keptAddr[i];
      kept[j++] = kept[i];
    }
  }
  nKept = j;
}

static void collect(void)
{
  die(mps_arena_collect(arena), "mps_arena_collect");
  ++fullCollections;
}

/* After a full collection: discarded, dropped objects with no
 * registration left are gone; held ones are intact. */
static void checkAfterCollect(void)
{
  size_t k;
  for (k = 0; k < n; ++k) {
    obj_s *o = &objs[k];
    if (!o->dropped) {
      testobj_t obj = held[k];
      check(obj != NULL && testobj_ok(obj) && obj->id == o->id);
      check(weakObj[k] == obj);
      if (o->hasChild)
        check(weakChild[k] == obj->refs[0] && testobj_ok(obj->refs[0]));
      continue;
    }
    if (o->discardedAt < 0)
      continue;
    if (o->discardedAt >= 1 && o->registrations == 0) {
      /* Discarded before this collection and nothing else holds it. */
      check(weakObj[k] == NULL);
      if (o->hasChild)
        check(weakChild[k] == NULL);
      if (o->discardedAt == 1)
        ++reclaimedSeen;
    }
    ++o->discardedAt;
  }
}

static int allArrived(void)
{
  size_t k;
  for (k = 0; k < n; ++k)
    if (objs[k].dropped && objs[k].messages < objs[k].expected)
      return 0;
  return 1;
}

static void mainPhase(void)
{
  size_t k, rounds = 0;
  testobj_t unreg;
  mps_message_type_t type;

  for (k = 0; k < n; ++k) {
    obj_s *o = &objs[k];
    testobj_t obj;
    o->pool = (int)(k % NPOOLS);
    o->hasChild = o->pool == P_AMC || o->pool == P_AMS || o->pool == P_AWL || o->pool == P_IMX;
    o->id = ID(k);
    o->discardedAt = -1;
    obj = newObj(o->pool, o->id, o->hasChild ? 1 : 0);
    held[k] = obj;
    weakObj[k] = obj;
    if (o->hasChild) {
      testobj_t child = newObj(k % 2 ? P_AMS : P_AMC, CHILD_ID(k), 0);
      ((testobj_t)held[k])->refs[0] = child;
      weakChild[k] = child;
    }
    die(mps_finalize(arena, &held[k]), "mps_finalize");
    o->registrations = 1;
    if (k % 7 == 2) {                   /* registered twice */
      die(mps_finalize(arena, &held[k]), "mps_finalize twice");
      o->registrations = 2;
    }
    if (k % 11 == 4) {                  /* definalized */
      check(mps_definalize(arena, &held[k]) == MPS_RES_OK);
      --o->registrations;
      if (o->registrations == 0)
        check(mps_definalize(arena, &held[k]) == MPS_RES_FAIL);
    }
    o->expected = o->registrations;
    o->resurrect = k % 13 == 6 && o->registrations == 1;
  }
  /* A block never registered. */
  unreg = newObj(P_AMS, 7, 0);
  spare[0] = unreg;
  check(mps_definalize(arena, &spare[0]) == MPS_RES_FAIL);

  /* All held: no message. */
  collect();
  checkAfterCollect();
  collect();
  checkAfterCollect();
  check(!mps_message_get(&kept[0], arena, mps_message_type_finalization()));
  check(!mps_message_queue_type(&type, arena));
  mps_arena_release(arena);

  /* Rounds: drop about a third of what is held, collect until every
   * expected message is in. */
  for (;;) {
    size_t tries;
    int any = 0;
    for (k = 0; k < n; ++k) {
      if (!objs[k].dropped && (testRnd(3) == 0 || rounds >= 5)) {
        objs[k].dropped = 1;
        held[k] = NULL;
      }
      any |= !objs[k].dropped;
    }
    for (tries = 0; ; ++tries) {
      check(tries < 10);
      collect();
      checkAfterCollect();
      drain(1);
      checkKept();
      mps_arena_release(arena);
      if (allArrived() && nKept == 0)
        break;
    }
    ++rounds;
    for (k = 0, any = 0; k < n; ++k)
      any |= !objs[k].dropped;          /* resurrection holds some again */
    if (!any && allArrived())
      break;
  }
  /* Every registration produced its message. */
  for (k = 0; k < n; ++k)
    check(objs[k].messages == objs[k].expected && objs[k].registrations == 0);

  collect();
  checkAfterCollect();
  collect();
  checkAfterCollect();
  for (k = 0; k < n; ++k)
    check(weakObj[k] == NULL && weakChild[k] == NULL);
  /* Only the unregistered block is left in the non-moving pools. */
  spare[0] = NULL;
  collect();
  {
    int p;
    for (p = 0; p < NPOOLS; ++p)
      if (p == P_AMS || p == P_AWL || p == P_LO)
        check(mps_pool_total_size(pools[p]) - mps_pool_free_size(pools[p])
              == apUnused(aps[p]));
  }
  mps_arena_release(arena);
  printf("main phase: %lu objects, %lu messages, %lu rounds, %lu full collections, "
         "%lu kept across collections (%lu moved), %lu reclaimed after discard, "
         "%lu resurrected\n",
         (unsigned long)n, messagesTotal, (unsigned long)rounds, fullCollections,
         keptAcross, moved, reclaimedSeen, resurrected);
  check(keptAcross > 0 && moved > 0 && reclaimedSeen > 0 && resurrected > 0);
}

/* Stress: incremental collections while objects are registered and
 * dropped.  A ring of SLOTS held objects; each new one is registered and
 * replaces (drops) an old one. */
#define SLOTS 200
static mps_addr_t ring[SLOTS];          /* exact root */
static mps_word_t ringId[SLOTS];

static unsigned char *stressSeen;       /* messages per id */
static size_t stressMax;

static void stressDrain(void)
{
  mps_message_t msg;
  while (mps_message_get(&msg, arena, mps_message_type_finalization())) {
    mps_addr_t ref;
    testobj_t obj;
    size_t i, slot;
    check(mps_message_clock(arena, msg) == 0);
    mps_message_finalization_ref(&ref, arena, msg);
    obj = ref;
    check(testobj_ok(obj));
    i = (size_t)(obj->id >> 1);
    check(obj->id % 2 == 0 && i < stressMax);
    check(stressSeen[i] == 0);          /* once */
    stressSeen[i] = 1;
    slot = i % SLOTS;
    check(ringId[slot] != obj->id);     /* not held */
    if (obj->nrefs > 0 && obj->refs[0] != NULL) {
      testobj_t child = obj->refs[0];
      check(testobj_ok(child) && child->id == obj->id + 1);
    }
    mps_message_discard(arena, msg);
  }
}

static void stressPhase(void)
{
  size_t i, steps = underValgrind ? 10000 : 100000, made = 0, got, tries;
  size_t before = mps_collections(arena);
  mps_root_t root;
  stressMax = steps + 1;
  stressSeen = calloc(stressMax, 1);
  check(stressSeen != NULL);
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, ring, SLOTS), "ring root");
  mps_arena_pause_time_set(arena, 0.0);
  for (i = 1; i < steps; ++i) {
    size_t slot = i % SLOTS;
    int pool = (int)testRnd(NPOOLS);
    int child = pool == P_AMC || pool == P_AMS || pool == P_AWL || pool == P_IMX;
    testobj_t obj = newObj(pool, (mps_word_t)i << 1, child ? 1 : 0);
    ring[slot] = obj;                   /* drops the old one */
    ringId[slot] = (mps_word_t)i << 1;
    if (child) {
      testobj_t c = newObj(P_AMC, ((mps_word_t)i << 1) + 1, 0);
      ((testobj_t)ring[slot])->refs[0] = c;
    }
    die(mps_finalize(arena, &ring[slot]), "mps_finalize");
    ++made;
    (void)newObj(P_AMC, 0, 2);          /* garbage, so that collections start */
    (void)newObj(P_AMS, 0, 1);
    if (i % 4 == 0)
      (void)mps_arena_step(arena, 0.0, 0.0);
    if (i % 16 == 0)
      stressDrain();
  }
  /* Drop the last ones and collect until every message is in. */
  for (i = 0; i < SLOTS; ++i) {
    ring[i] = NULL;
    ringId[i] = 0;
  }
  for (tries = 0; ; ++tries) {
    check(tries < 10);
    collect();
    stressDrain();
    mps_arena_release(arena);
    for (got = 0, i = 1; i < steps; ++i)
      got += stressSeen[i];
    if (got == made)
      break;
  }
  mps_arena_pause_time_set(arena, 0.1);
  mps_root_destroy(root);
  free(stressSeen);
  printf("stress phase: %lu finalized, %lu collections\n",
         (unsigned long)made, (unsigned long)(mps_collections(arena) - before));
}

/* Pile-up: messages of all types queue without being taken. */
static void pileupPhase(void)
{
  size_t perRound = underValgrind ? 100 : 500, rounds = 20, r, i;
  size_t finals = 0, gcs = 0, starts = 0, collectionsBefore, collections;
  mps_message_type_t type;
  mps_message_t msg;
  unsigned char *seen;
  mps_root_t root;
  mps_addr_t *objsHeld = calloc(perRound, sizeof *objsHeld);
  seen = calloc(perRound * rounds, 1);
  check(objsHeld != NULL && seen != NULL);
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, objsHeld, perRound),
      "pile-up root");
  mps_message_type_enable(arena, mps_message_type_gc());
  mps_message_type_enable(arena, mps_message_type_gc_start());
  mps_message_type_enable(arena, mps_message_type_gc());        /* twice: harmless */
  collectionsBefore = mps_collections(arena);
  for (r = 0; r < rounds; ++r) {
    for (i = 0; i < perRound; ++i) {
      objsHeld[i] = newObj((int)(i % NPOOLS), (mps_word_t)(r * perRound + i) << 1, 0);
      die(mps_finalize(arena, &objsHeld[i]), "mps_finalize");
    }
    for (i = 0; i < perRound; ++i)
      objsHeld[i] = NULL;
    collect();
    mps_arena_release(arena);
  }
  collections = mps_collections(arena) - collectionsBefore;
  check(mps_message_poll(arena));
  while (mps_message_queue_type(&type, arena)) {
    check(mps_message_get(&msg, arena, type));
    if (type == mps_message_type_finalization()) {
      mps_addr_t ref;
      testobj_t obj;
      size_t id;
      mps_message_finalization_ref(&ref, arena, msg);
      obj = ref;
      check(testobj_ok(obj));
      id = (size_t)(obj->id >> 1);
      check(id < perRound * rounds && !seen[id]);
      seen[id] = 1;
      ++finals;
    } else if (type == mps_message_type_gc()) {
      ++gcs;
    } else {
      check(type == mps_message_type_gc_start());
      ++starts;
    }
    mps_message_discard(arena, msg);
  }
  check(!mps_message_poll(arena));
  printf("pile-up phase: %lu finalization, %lu gc_start, %lu gc messages, %lu collections\n",
         (unsigned long)finals, (unsigned long)starts, (unsigned long)gcs,
         (unsigned long)collections);
  check(finals == perRound * rounds);
  check(gcs == starts && gcs == collections);
  mps_message_type_disable(arena, mps_message_type_gc());
  mps_message_type_disable(arena, mps_message_type_gc_start());
  mps_message_type_disable(arena, mps_message_type_gc_start());  /* twice: harmless */
  mps_root_destroy(root);
  free(objsHeld);
  free(seen);
}

/* Disabled: nothing is queued; disabling drops what was queued. */
static void disabledPhase(void)
{
  mps_message_type_t type;
  mps_message_t msg;
  size_t i;
  /* Queue some finalization messages and a gc pair, then disable. */
  mps_message_type_enable(arena, mps_message_type_gc());
  for (i = 0; i < 50; ++i) {
    spare[0] = newObj((int)(i % NPOOLS), 3, 0);
    die(mps_finalize(arena, &spare[0]), "mps_finalize");
  }
  spare[0] = NULL;
  collect();
  mps_arena_release(arena);
  check(mps_message_queue_type(&type, arena));
  mps_message_type_disable(arena, mps_message_type_finalization());
  check(!mps_message_get(&msg, arena, mps_message_type_finalization()));
  check(mps_message_get(&msg, arena, mps_message_type_gc()));      /* kept */
  mps_message_discard(arena, msg);
  mps_message_type_disable(arena, mps_message_type_gc());
  check(!mps_message_poll(arena));
  /* Disabled from the start: new finalizable blocks queue nothing. */
  for (i = 0; i < 100; ++i) {
    spare[0] = newObj((int)(i % NPOOLS), 5, 0);
    die(mps_finalize(arena, &spare[0]), "mps_finalize");
  }
  spare[0] = NULL;
  collect();
  mps_arena_release(arena);
  collect();
  mps_arena_release(arena);
  check(!mps_message_poll(arena));
  check(!mps_message_queue_type(&type, arena));
  check(!mps_message_get(&msg, arena, mps_message_type_finalization()));
  mps_message_type_enable(arena, mps_message_type_finalization());
}

/* Leave things for mps_arena_destroy: a message got and not discarded,
 * messages queued, blocks registered and held, blocks registered and
 * unreachable but never collected. */
static mps_message_t leftOver;

static void leaveForDestroy(void)
{
  size_t i;
  for (i = 0; i < 30; ++i) {
    spare[0] = newObj((int)(i % NPOOLS), 9, 0);
    die(mps_finalize(arena, &spare[0]), "mps_finalize");
  }
  spare[0] = NULL;
  collect();
  mps_arena_release(arena);
  check(mps_message_get(&leftOver, arena, mps_message_type_finalization()));
  check(mps_message_poll(arena));
  for (i = 0; i < 4; ++i) {
    spare[i] = newObj((int)(i % NPOOLS), 11, 0);
    die(mps_finalize(arena, &spare[i]), "mps_finalize");
  }
}

int main(int argc, char *argv[])
{
  mps_fmt_t fmt;
  mps_thr_t thread;
  mps_chain_t chain;
  mps_gen_param_s gens[2] = { { 256, 0.85 }, { 1024, 0.45 } };
  mps_root_t rHeld, rWeakObj, rWeakChild, rSpare;
  int p;

  testInit(argc, argv);
  underValgrind = getenv("TARN_UNDER_VALGRIND") != NULL;
  n = underValgrind ? 1000 : 5000;
  held = calloc(n, sizeof *held);
  weakObj = calloc(n, sizeof *weakObj);
  weakChild = calloc(n, sizeof *weakChild);
  objs = calloc(n, sizeof *objs);
  check(held && weakObj && weakChild && objs);

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "thread");     /* no thread root */
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  for (p = 0; p < NPOOLS; ++p) {
    mps_pool_class_t klass = p == P_AMC ? mps_class_amc() : p == P_AMCZ ? mps_class_amcz()
                             : p == P_AMS ? mps_class_ams() : p == P_AWL ? mps_class_awl()
                             : p == P_LO ? mps_class_lo() : p == P_IMX ? mps_class_imx()
                             : mps_class_imxz();
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
      MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
      die(mps_pool_create_k(&pools[p], arena, klass, args), poolName[p]);
    } MPS_ARGS_END(args);
    die(mps_ap_create_k(&aps[p], pools[p], mps_args_none), "AP");
  }
  die(mps_root_create_table(&rHeld, arena, mps_rank_exact(), 0, held, n), "held root");
  die(mps_root_create_table(&rSpare, arena, mps_rank_exact(), 0, spare, 4), "spare root");
  die(mps_root_create_table(&rWeakObj, arena, mps_rank_weak(), 0, weakObj, n), "weak root");
  die(mps_root_create_table(&rWeakChild, arena, mps_rank_weak(), 0, weakChild, n),
      "weak child root");
  mps_message_type_enable(arena, mps_message_type_finalization());
  mps_message_type_enable(arena, mps_message_type_finalization());  /* harmless */

  mainPhase();
  stressPhase();
  pileupPhase();
  disabledPhase();
  leaveForDestroy();

  mps_arena_park(arena);
  mps_root_destroy(rWeakChild);
  mps_root_destroy(rWeakObj);
  mps_root_destroy(rSpare);
  mps_root_destroy(rHeld);
  for (p = NPOOLS - 1; p >= 0; --p) {
    mps_ap_destroy(aps[p]);
    mps_pool_destroy(pools[p]);
  }
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
  (void)leftOver;
  free(held);
  free(weakObj);
  free(weakChild);
  free(objs);
  return testPass();
}

/* transform.c: transforms (contract 18)
 *
 * A transform replaces every reference to a set of old objects by a
 * reference to a corresponding new object.  The arena must be parked, and
 * nothing may have been collected since the transform was made.  It is
 * all or nothing: an ambiguous reference cannot be changed, so if one
 * points at (or, in a pool with interior pointers, into) an old object,
 * nothing is changed and the client is told.
 *
 * It is done in two passes over the references, with the tracer's walk
 * machinery (TraceWalkSegsBegin): every collected segment is "white" for
 * the walk, and its fix method is pointed at one of ours.
 *   1. Ambiguous references (ambiguous roots, thread stacks, explicit
 *      pins, ambiguous-rank segments): any hit means "not applied".
 *   2. Every other reference: exact and weak roots, every object of every
 *      scanning pool, and the references held by finalization: old ones
 *      are replaced by new ones.
 * Then the old objects are unreferenced, and a full collection recycles
 * them.  Segment summaries are made universal, since references changed
 * zones, and location dependencies on the old objects' zones go stale.
 */

#include "arena.h"
#include "pool.h"
#include "trace.h"
#include "root.h"
#include "thread.h"
#include "message.h"
#include "shield.h"
#include "ld.h"
#include "control.h"
#include "format.h"

#define TransformSig ((Sig)0x5194A45F)

struct mps_transform_s {
  Sig sig;
  Arena arena;
  Word collections;             /* mps_collections when it was made */
  Count count;                  /* pairs */
  Count capacity;               /* slots in the table (a power of 2) */
  Addr *old;                    /* open addressing by old address */
  Addr *new;
  ZoneSet oldZones;
  Bool applied;
  Bool ambiguousHit;            /* pass 1 found an old object */
};

typedef struct mps_transform_s TransformStruct, *Transform;

static Index transformHash(Transform t, Addr addr)
{
  Word w = AddrWord(addr);
  w ^= w >> 17;
  w *= (Word)0x9E3779B97F4A7C15UL;
  return (Index)(w >> 7) & (t->capacity - 1);
}

/* The slot of old, or the empty slot where it would go. */
static Index transformFind(Transform t, Addr old)
{
  Index i = transformHash(t, old);
  while (t->old[i] != NULL && t->old[i] != old)
    i = (i + 1) & (t->capacity - 1);
  return i;
}

static Addr transformLookup(Transform t, Addr old)
{
  Index i;
  if (t->count == 0)
    return NULL;
  i = transformFind(t, old);
  return t->old[i] == old ? t->new[i] : NULL;
}

static Res transformGrow(Transform t)
{
  Arena arena = t->arena;
  Count capacity = t->capacity == 0 ? 64 : t->capacity * 2;
  Addr *oldTable = t->old, *newTable = t->new;
  Count oldCapacity = t->capacity;
  void *p;
  Index i;
  Res res = ControlAlloc(&p, arena, 2 * capacity * sizeof(Addr));
  if (res != ResOK)
    return res;
  t->old = p;
  t->new = t->old + capacity;
  t->capacity = capacity;
  for (i = 0; i < capacity; ++i)
    t->old[i] = t->new[i] = NULL;
  for (i = 0; i < oldCapacity; ++i)
    if (oldTable[i] != NULL) {
      Index j = transformFind(t, oldTable[i]);
      t->old[j] = oldTable[i];
      t->new[j] = newTable[i];
    }
  if (oldTable != NULL)
    ControlFree(arena, oldTable, 2 * oldCapacity * sizeof(Addr));
  return ResOK;
}

/* The one transform being applied (the arena lock is held throughout). */
static Transform transformCurrent = NULL;

/* Pass 1: an ambiguous reference to, or into, an old object. */
static Res transformCheckFix(Seg seg, ScanState ss, Addr *refIO)
{
  Transform t = transformCurrent;
  Pool pool = SegPool(seg);
  Addr base;
  UNUSED(ss);
  if (transformLookup(t, *refIO) != NULL)
    t->ambiguousHit = TRUE;
  else if (pool->klass->addrObject != NULL
           && pool->klass->addrObject(&base, pool, *refIO) == ResOK
           && transformLookup(t, base) != NULL)
    t->ambiguousHit = TRUE;
  return ResOK;
}

/* Pass 2: replace. */
static Res transformReplaceFix(Seg seg, ScanState ss, Addr *refIO)
{
  Addr new = transformLookup(transformCurrent, *refIO);
  UNUSED(seg);
  UNUSED(ss);
  if (new != NULL)
    *refIO = new;
  return ResOK;
}

static void transformScanRoots(Transform t, Bool ambiguous)
{
  Arena arena = t->arena;
  Ring node;
  for (node = arena->rootRing.next; node != &arena->rootRing; node = node->next) {
    Root root = RING_ELT(Root, arenaRing, node);
    ScanStateStruct ss;
    if ((root->rank == RankAMBIG) != ambiguous)
      continue;
    ScanStateInit(&ss, WALK_TRACE, arena, root->rank, t->oldZones);
    (void)RootScan(&ss, root);
    ScanStateFinish(&ss);
  }
}

/* An area scanner for pool walks: scan a run of objects with the format,
 * with our scan state. */
typedef struct TransformWalkStruct {
  ScanState ss;
  Format format;
} TransformWalkStruct;

static mps_res_t transformWalkRun(mps_ss_t walkss, void *base, void *limit, void *closure)
{
  TransformWalkStruct *w = closure;
  UNUSED(walkss);
  return w->format->scan(ScanStateMPS(w->ss), base, limit);
}

/* Scan the objects of every scanning pool whose segments hold references
 * of the given kind (ambiguous or not). */
static void transformScanPools(Transform t, Bool ambiguous)
{
  Arena arena = t->arena;
  Ring node, segNode;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    Bool hasAmbig = FALSE, hasOther = FALSE;
    ScanStateStruct ss;
    TransformWalkStruct w;
    if (!PoolHasAttr(pool, PoolAttrSCAN) || pool->klass->walk == NULL || pool->format == NULL)
      continue;
    for (segNode = pool->segRing.next; segNode != &pool->segRing; segNode = segNode->next) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      if (RankSetIsMember(SegRankSet(seg), RankAMBIG))
        hasAmbig = TRUE;
      else if (SegRankSet(seg) != RankSetEMPTY)
        hasOther = TRUE;
      if (!ambiguous) {
        /* References will change zones: lift barriers, forget summaries. */
        SegLowerBarrier(seg);
        if (SegRankSet(seg) != RankSetEMPTY)
          SegSetSummary(seg, ZoneSetUNIV);
      }
    }
    /* A pool walk visits all its objects; a pool mixing ranks (AMS with
     * an ambiguous allocation point) is checked ambiguously in pass 1 and
     * replaced in pass 2, which cannot hit an old object if pass 1 did
     * not. */
    if (ambiguous ? !hasAmbig : !hasOther && !hasAmbig)
      continue;
    ScanStateInit(&ss, WALK_TRACE, arena, ambiguous ? RankAMBIG : RankEXACT, t->oldZones);
    w.ss = &ss;
    w.format = pool->format;
    (void)pool->klass->walk(pool, transformWalkRun, &w);
    ScanStateFinish(&ss);
  }
}

/* The references finalization holds: registrations and posted messages. */
static void transformFinalRefs(Transform t)
{
  Arena arena = t->arena;
  Ring rings[2];
  Index k;
  rings[0] = &arena->finalRegistered;
  rings[1] = &arena->finalPosted;
  for (k = 0; k < 2; ++k) {
    Ring node;
    for (node = rings[k]->next; node != rings[k]; node = node->next) {
      Message message = RING_ELT(Message, finalRing, node);
      Addr new = transformLookup(t, message->the.final.ref);
      if (new != NULL)
        message->the.final.ref = new;
    }
  }
}

static void transformApply(Transform t)
{
  Arena arena = t->arena;
  ScanStateStruct ss;
  Index i;

  transformCurrent = t;
  ThreadRingSuspend(arena);
  t->ambiguousHit = FALSE;
  TraceWalkSegsBegin(arena, transformCheckFix);
  transformScanRoots(t, TRUE);
  ScanStateInit(&ss, WALK_TRACE, arena, RankAMBIG, t->oldZones);
  for (i = 0; i < arena->pinCount; ++i) {
    mps_addr_t ref = arena->pins[i];
    (void)_mps_fix2(ScanStateMPS(&ss), &ref);
  }
  ScanStateFinish(&ss);
  transformScanPools(t, TRUE);
  TraceWalkSegsEnd(arena);
  if (!t->ambiguousHit) {
    TraceWalkSegsBegin(arena, transformReplaceFix);
    transformScanRoots(t, FALSE);
    transformScanPools(t, FALSE);
    TraceWalkSegsEnd(arena);
    transformFinalRefs(t);
    LDFlip(arena, t->oldZones);
    t->applied = TRUE;
  }
  ThreadRingResume(arena);
  transformCurrent = NULL;
}

mps_res_t mps_transform_create(mps_transform_t *transform_o, mps_arena_t arena)
{
  Transform t;
  void *p;
  Res res;
  ARGCHECK(transform_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ArenaEnter(arena);
  if (arena->state != ArenaPARKED) {
    ArenaLeave(arena);
    return MPS_RES_LIMIT;
  }
  res = ControlAlloc(&p, arena, sizeof(TransformStruct));
  if (res == ResOK) {
    t = p;
    t->arena = arena;
    t->collections = arena->collections;
    t->count = t->capacity = 0;
    t->old = t->new = NULL;
    t->oldZones = ZoneSetEMPTY;
    t->applied = FALSE;
    t->ambiguousHit = FALSE;
    t->sig = TransformSig;
    *transform_o = t;
  }
  ArenaLeave(arena);
  return res;
}

mps_res_t mps_transform_add_oldnew(mps_transform_t t, mps_addr_t *old_array,
                                   mps_addr_t *new_array, size_t count)
{
  Arena arena;
  Res res = ResOK;
  size_t k;
  ARGCHECK(TESTT(Transform, t), MPS_RES_PARAM);
  ARGCHECK(count == 0 || (old_array != NULL && new_array != NULL), MPS_RES_PARAM);
  arena = t->arena;
  ArenaEnter(arena);
  for (k = 0; k < count && res == ResOK; ++k) {
    Addr old = old_array[k];
    Pool pool;
    Index i;
    Bool oldIsCollected = ArenaPoolOfAddr(&pool, arena, old) && PoolHasAttr(pool, PoolAttrGC);
    Bool oldIsNew = FALSE;
    if (!oldIsCollected) {
      ArenaLeave(arena);
      ARGCHECK(oldIsCollected, MPS_RES_PARAM); /* old objects are in automatic pools */
      return MPS_RES_PARAM;
    }
    if (2 * (t->count + 1) > t->capacity)
      res = transformGrow(t);
    if (res != ResOK)
      break;
    i = transformFind(t, old);
    oldIsNew = t->old[i] == NULL;
    if (!oldIsNew) {
      ArenaLeave(arena);
      ARGCHECK(oldIsNew, MPS_RES_PARAM);  /* each old object at most once */
      return MPS_RES_PARAM;
    }
    t->old[i] = old;
    t->new[i] = new_array[k];
    t->oldZones |= (ZoneSet)1 << ZoneOfAddr(arena, old);
    ++t->count;
  }
  ArenaLeave(arena);
  return res;
}

/* The collection runs inside ThreadEntryRun, as for mps_arena_collect
 * (mpsitrace.c). */
static void transformCollectBody(Arena arena, void *closure)
{
  *(Res *)closure = ArenaCollect(arena, "a transform was applied (mps_transform_apply)");
}

TARN_ENTRY mps_res_t mps_transform_apply(mps_bool_t *applied_o, mps_transform_t t)
{
  Arena arena;
  Res res = ResOK;
  ARGCHECK(applied_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Transform, t), MPS_RES_PARAM);
  arena = t->arena;
  ArenaEnter(arena);
  if (arena->state != ArenaPARKED)
    res = ResLIMIT;
  else if (arena->collections != t->collections || t->applied)
    res = ResPARAM;
  else {
    transformApply(t);
    /* The old objects are garbage now (if nothing else held them): the
     * full collection of the contract recycles them. */
    if (t->applied)
      ThreadEntryRun(arena, transformCollectBody, &res);
  }
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *applied_o = t->applied ? 1 : 0;
  return MPS_RES_OK;
}

void mps_transform_destroy(mps_transform_t t)
{
  Arena arena;
  ARGCHECK_VOID(TESTT(Transform, t));
  arena = t->arena;
  ArenaEnter(arena);
  if (t->old != NULL)
    ControlFree(arena, t->old, 2 * t->capacity * sizeof(Addr));
  t->sig = SigINVALID;
  ControlFree(arena, t, sizeof(TransformStruct));
  ArenaLeave(arena);
}

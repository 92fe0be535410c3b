/* shield.c: the write barrier on segments (see shield.h) */

#include "shield.h"
#include "prot.h"
#include "seg.h"
#include "arena.h"
#include "pool.h"
#include "buffer.h"
#include "trace.h"
#include "control.h"
#include "vgmem.h"

/* After ProtSet on seg: memcheck has just forgotten which of its memory is
 * free (see SegStruct.vgHide). */
static void segVGHide(Seg seg)
{
  if (VG_RUNNING() && seg->vgHide != NULL)
    seg->vgHide(seg);
}

static void segSetProtection(Seg seg, AccessSet forbid)
{
  if (seg->pm != forbid) {
    ProtSet(SegBase(seg), SegLimit(seg), forbid);
    seg->pm = forbid;
    segVGHide(seg);
  }
}

void SegLowerBarrier(Seg seg)
{
  segSetProtection(seg, 0);
}

void SegRaiseReadBarrier(Seg seg)
{
  Arena arena = PoolArena(SegPool(seg));
  if (arena->state == ArenaPOSTMORTEM || ProtInit() != ResOK)
    return;
  segSetProtection(seg, ACCESS_READ | ACCESS_WRITE);
}

static Bool segWantsWriteBarrier(Seg seg)
{
  return SegRankSet(seg) != RankSetEMPTY && SegBuffer(seg) == NULL
         && SegSummary(seg) != ZoneSetUNIV;
}

void SegSettleBarrier(Seg seg)
{
  Arena arena = PoolArena(SegPool(seg));
  if (arena->barriersOn && arena->state != ArenaPOSTMORTEM && segWantsWriteBarrier(seg))
    segSetProtection(seg, ACCESS_WRITE);
  else
    segSetProtection(seg, 0);
}

/* The protection a segment should have while the mutator runs. */
static AccessSet segDesiredProtection(Seg seg)
{
  if (SegBuffer(seg) != NULL) {
    SegSetSummary(seg, ZoneSetUNIV);
    return 0;
  }
  if (SegSummary(seg) != ZoneSetUNIV && seg->pm == 0)
    return ACCESS_WRITE;
  return seg->pm;
}

/* Sort segments by address (Shell's sort: no recursion, no library). */
static void shieldSortSegs(Seg *segs, Count n)
{
  Count gap, i, j;
  for (gap = n / 2; gap > 0; gap = gap == 2 ? 1 : gap * 5 / 11) {
    for (i = gap; i < n; ++i) {
      Seg seg = segs[i];
      for (j = i; j >= gap && SegBase(segs[j - gap]) > SegBase(seg); j -= gap)
        segs[j] = segs[j - gap];
      segs[j] = seg;
    }
  }
}

/* Give each segment in segs[0..n) (sorted by address) the protection in
 * its sm field, with one call of the OS for each run of adjacent
 * segments wanting the same: each call costs a system call and, on a
 * machine with several processors, a round of TLB invalidation. */
static void shieldApplyRuns(Seg *segs, Count n)
{
  Index i = 0;
  while (i < n) {
    Index j = i + 1;
    while (j < n && SegBase(segs[j]) == SegLimit(segs[j - 1]) && segs[j]->sm == segs[i]->sm)
      ++j;
    ProtSet(SegBase(segs[i]), SegLimit(segs[j - 1]), segs[i]->sm);
    for (; i < j; ++i) {
      segs[i]->pm = segs[i]->sm;
      segVGHide(segs[i]);
    }
  }
}

/* Give many segments the protection `want` says (its sm field), in
 * address order, a run of adjacent segments at a time.  `want` returns
 * the segment's present protection (pm) to leave it alone. */
typedef AccessSet (*ShieldWantMethod)(Seg seg, void *closure);

static void shieldSetMany(Arena arena, ShieldWantMethod want, void *closure)
{
  Ring node, segNode;
  Count changes = 0, n = 0;
  Seg *segs = NULL;
  void *p;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    for (segNode = pool->segRing.next; segNode != &pool->segRing; segNode = segNode->next) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      seg->sm = want(seg, closure);
      if (seg->sm != seg->pm)
        ++changes;
    }
  }
  if (changes == 0)
    return;
  if (ControlAlloc(&p, arena, changes * sizeof(Seg)) == ResOK)
    segs = p;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    for (segNode = pool->segRing.next; segNode != &pool->segRing; segNode = segNode->next) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      if (seg->sm == seg->pm)
        continue;
      if (segs != NULL)
        segs[n++] = seg;
      else
        segSetProtection(seg, seg->sm);  /* no memory to batch: one by one */
    }
  }
  if (segs != NULL) {
    shieldSortSegs(segs, n);
    shieldApplyRuns(segs, n);
    ControlFree(arena, segs, changes * sizeof(Seg));
  }
}

static AccessSet shieldWantRaised(Seg seg, void *closure)
{
  UNUSED(closure);
  if (!PoolHasAttr(SegPool(seg), PoolAttrSCAN) || SegRankSet(seg) == RankSetEMPTY)
    return seg->pm;
  return segDesiredProtection(seg);
}

void ArenaRaiseBarriers(Arena arena)
{
  if (arena->state == ArenaPOSTMORTEM || !arena->barriersOn)
    return;
  if (ProtInit() != ResOK) {
    arena->barriersOn = FALSE;  /* no fault handler: no barriers */
    return;
  }
  shieldSetMany(arena, shieldWantRaised, NULL);
}

typedef struct ShieldWhereStruct {
  Bool (*pred)(Seg seg, void *closure);
  void *closure;
} ShieldWhereStruct;

static AccessSet shieldWantLowered(Seg seg, void *closure)
{
  ShieldWhereStruct *where = closure;
  return where->pred == NULL || where->pred(seg, where->closure) ? 0 : seg->pm;
}

void ArenaLowerBarriersWhere(Arena arena, Bool (*pred)(Seg seg, void *closure),
                             void *closure)
{
  ShieldWhereStruct where;
  where.pred = pred;
  where.closure = closure;
  shieldSetMany(arena, shieldWantLowered, &where);
}

void ArenaLowerBarriers(Arena arena)
{
  ArenaLowerBarriersWhere(arena, NULL, NULL);
}

/* A fault.  The address belongs to an arena if one of its chunks holds
 * it; the owner is then found in the tract table.  Another thread may
 * have lifted the barrier already, in which case the access just
 * retries. */
Bool ArenaAccess(Addr addr, AccessSet mode)
{
  Ring node;
  UNUSED(mode);
  for (node = ArenaGlobalRing()->next; node != ArenaGlobalRing(); node = node->next) {
    Arena arena = RING_ELT(Arena, globalRing, node);
    Seg seg;
    Bool handled = FALSE;
    if (!ArenaHasAddr(arena, addr))
      continue;
    ArenaEnterRecursive(arena);
    if (SegOfAddr(&seg, arena, addr)) {
      if (seg->pm & ACCESS_READ) {
        /* The read barrier: a grey segment between slices of a trace. */
        TraceSegAccess(arena, seg);
        ++arena->barrierHits;
      } else if (seg->pm != 0) {
        /* The write barrier: the mutator is changing references, so the
         * summary can no longer be trusted. */
        SegLowerBarrier(seg);
        if (SegRankSet(seg) != RankSetEMPTY)
          SegSetSummary(seg, ZoneSetUNIV);
        ++arena->barrierHits;
      }
      handled = TRUE;
    }
    ArenaLeaveRecursive(arena);
    return handled;
  }
  return FALSE;
}

/* shield.c: the write barrier on segments (see shield.h) */

#include "shield.h"
#include "prot.h"
#include "seg.h"
#include "arena.h"
#include "pool.h"
#include "buffer.h"
#include "trace.h"

static void segSetProtection(Seg seg, AccessSet forbid)
{
  if (seg->pm != forbid) {
    ProtSet(SegBase(seg), SegLimit(seg), forbid);
    seg->pm = forbid;
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

void ArenaRaiseBarriers(Arena arena)
{
  Ring node, segNode;
  if (arena->state == ArenaPOSTMORTEM || !arena->barriersOn)
    return;
  if (ProtInit() != ResOK) {
    arena->barriersOn = FALSE;  /* no fault handler: no barriers */
    return;
  }
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    if (!PoolHasAttr(pool, PoolAttrSCAN))
      continue;
    for (segNode = pool->segRing.next; segNode != &pool->segRing; segNode = segNode->next) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      if (SegRankSet(seg) == RankSetEMPTY)
        continue;
      if (SegBuffer(seg) != NULL) {
        SegSetSummary(seg, ZoneSetUNIV);
        segSetProtection(seg, 0);
      } else if (SegSummary(seg) != ZoneSetUNIV && seg->pm == 0) {
        segSetProtection(seg, ACCESS_WRITE);
      }
    }
  }
}

void ArenaLowerBarriers(Arena arena)
{
  Ring node, segNode;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    for (segNode = pool->segRing.next; segNode != &pool->segRing; segNode = segNode->next)
      SegLowerBarrier(RING_ELT(Seg, poolRing, segNode));
  }
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

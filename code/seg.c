/* seg.c: segments (see seg.h) */

#include "seg.h"
#include "control.h"
#include "event.h"
#include "shield.h"
#include <string.h>

Bool SegCheck(Seg seg)
{
  Arena arena;
  CHECKS(Seg, seg);
  CHECKL(seg->tractStruct.seg == seg);
  CHECKD(Pool, SegPool(seg));
  arena = PoolArena(SegPool(seg));
  CHECKL(seg->base < seg->limit);
  CHECKL(AddrIsAligned(seg->base, arena->grainSize));
  CHECKL(AddrIsAligned(seg->limit, arena->grainSize));
  CHECKL(TractOfAddr(arena, seg->base) == &seg->tractStruct);
  CHECKL(TractOfAddr(arena, AddrSub(seg->limit, 1)) == &seg->tractStruct);
  CHECKL(seg->descSize >= sizeof(SegStruct));
  /* A segment with no references is never grey. */
  CHECKL(seg->rankSet != RankSetEMPTY || seg->grey == TraceSetEMPTY);
  return TRUE;
}

Res SegAlloc(Seg *segReturn, Size descSize, LocusPref pref, Size size, Pool pool)
{
  Arena arena = PoolArena(pool);
  Seg seg;
  void *p;
  Addr base;
  Res res;

  AVERT(Pool, pool);
  AVER(descSize >= sizeof(SegStruct));
  res = ControlAlloc(&p, arena, descSize);
  if (res != ResOK)
    return res;
  memset(p, 0, descSize);
  seg = (Seg)p;
  res = ArenaAlloc(&base, pref, size, arena, &seg->tractStruct);
  if (res != ResOK) {
    ControlFree(arena, p, descSize);
    return res;
  }
  seg->tractStruct.white = TraceSetEMPTY;
  seg->tractStruct.pool = pool;
  seg->tractStruct.seg = seg;
  seg->base = base;
  seg->limit = AddrAdd(base, size);
  seg->descSize = descSize;
  RingInit(&seg->poolRing);
  RingInit(&seg->greyRing);
  seg->rankSet = RankSetEMPTY;
  seg->grey = TraceSetEMPTY;
  seg->nailed = TraceSetEMPTY;
  seg->summary = ZoneSetEMPTY;
  seg->pm = 0;
  seg->sm = 0;
  seg->depth = 0;
  seg->buffer = NULL;
  seg->fix = pool->klass->fix;
  seg->pgen = NULL;
  seg->vgHide = NULL;
  seg->parSummary = ZoneSetEMPTY;
  seg->parFresh = FALSE;
  seg->parRegrey = FALSE;
  seg->sig = SegSig;
  RingAppend(&pool->segRing, &seg->poolRing);
  AVERT(Seg, seg);
  EVENTN(SegAlloc, SEG, (Word)arena, (Word)seg, (Word)base, size, (Word)pool);
  *segReturn = seg;
  return ResOK;
}

void SegFree(Seg seg)
{
  Pool pool = SegPool(seg);
  Arena arena = PoolArena(pool);
  AVERT(Seg, seg);
  AVER(seg->buffer == NULL);
  AVER(seg->grey == TraceSetEMPTY);
  EVENTN(SegFree, SEG, (Word)arena, (Word)seg);
  SegLowerBarrier(seg);
  RingRemove(&seg->poolRing);
  RingRemove(&seg->greyRing);
  ArenaFree(arena, seg->base, SegSize(seg));
  seg->sig = SigINVALID;
  ControlFree(arena, seg, seg->descSize);
}

void SegSetWhite(Seg seg, TraceSet white)
{
  seg->tractStruct.white = white;
}

void SegSetGrey(Seg seg, TraceSet grey)
{
  AVER(grey == TraceSetEMPTY || seg->rankSet != RankSetEMPTY);
  seg->grey = grey;
}

void SegSetRankSet(Seg seg, RankSet rankSet)
{
  seg->rankSet = rankSet;
  if (rankSet == RankSetEMPTY)
    seg->summary = ZoneSetEMPTY;
}

void SegSetSummary(Seg seg, ZoneSet summary)
{
  AVER(seg->rankSet != RankSetEMPTY || summary == ZoneSetEMPTY);
  seg->summary = summary;
}

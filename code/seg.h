/* seg.h: segments
 *
 * A segment is a run of grains that a pool manages as a unit for tracing.
 * Its descriptor starts with the TractStruct that every tract-table entry
 * of its grains points at, so FIX2 finds the white set without another
 * load; pools extend SegStruct with their own fields (mark tables, ...).
 *
 * What tracing keeps per segment:
 *  - rankSet: the ranks of the references the segment may hold (empty for
 *    leaf memory, which is never scanned);
 *  - white (in the tract record), grey, nailed: trace sets;
 *  - summary: a zone set containing the zone of every reference in the
 *    segment (design: zones); scanning recomputes it;
 *  - pm, sm, depth: protection mode, shield mode and shield depth for the
 *    barriers (issue 6).
 */

#ifndef tarn_seg_h
#define tarn_seg_h

#include "types.h"
#include "check.h"
#include "ring.h"
#include "tract.h"
#include "arena.h"
#include "pool.h"

#define SegSig ((Sig)0x5195E9A1)

typedef struct SegStruct {
  TractStruct tractStruct;      /* first: the owner record of its grains */
  Sig sig;
  Addr base;
  Addr limit;
  Size descSize;                /* bytes of the descriptor (pool's subclass) */
  RingStruct poolRing;          /* in pool->segRing */
  RingStruct greyRing;          /* in the trace's grey list, when grey */
  RankSet rankSet;
  TraceSet grey;
  TraceSet nailed;
  ZoneSet summary;
  AccessSet pm;
  AccessSet sm;
  unsigned depth;
  Buffer buffer;                /* allocation point in this segment, if any */
  PoolFixMethod fix;            /* cached from the pool class */
  struct PoolGenStruct *pgen;   /* generation accounting (chain.h), or NULL */
  /* Under memcheck, a change of protection (mprotect) makes the whole
   * range addressable and defined again (Valgrind 3.19); the pool's
   * vgHide, if any, marks the segment's free memory no-access again
   * after each change (shield.c), so that a use of reclaimed memory is
   * still reported with barriers on.  NULL: nothing to hide. */
  void (*vgHide)(struct SegStruct *seg);
  /* Parallel tracing (parallel.h): set by workers during a phase (with
   * atomic operations), folded in by the coordinator after it. */
  ZoneSet parSummary;           /* zones of objects scanned one by one */
  Bool parFresh;                /* made during the phase: summary is exact */
  Bool parRegrey;               /* holds work to be greyed the serial way */
} SegStruct;

extern Bool SegCheck(Seg seg);

#define SegPool(seg) ((seg)->tractStruct.pool)
#define SegBase(seg) ((seg)->base)
#define SegLimit(seg) ((seg)->limit)
#define SegSize(seg) AddrOffset((seg)->base, (seg)->limit)
#define SegWhite(seg) ((seg)->tractStruct.white)
#define SegGrey(seg) ((seg)->grey)
#define SegRankSet(seg) ((seg)->rankSet)
#define SegSummary(seg) ((seg)->summary)
#define SegBuffer(seg) ((seg)->buffer)

/* Allocate a segment of size bytes (a multiple of the grain size) with a
 * descriptor of descSize bytes (at least sizeof(SegStruct)). */
extern Res SegAlloc(Seg *segReturn, Size descSize, LocusPref pref, Size size, Pool pool);
extern void SegFree(Seg seg);

static inline Bool SegOfAddr(Seg *segReturn, Arena arena, Addr addr)
{
  Tract tract = TractOfAddr(arena, addr);
  if (tract == NULL || tract->seg == NULL)
    return FALSE;
  *segReturn = tract->seg;
  return TRUE;
}

extern void SegSetWhite(Seg seg, TraceSet white);
extern void SegSetGrey(Seg seg, TraceSet grey);
extern void SegSetRankSet(Seg seg, RankSet rankSet);
extern void SegSetSummary(Seg seg, ZoneSet summary);

#endif /* tarn_seg_h */

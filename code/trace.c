/* trace.c: the tracer (see trace.h)
 *
 * Collections run in slices (traceSlice): each suspends the other
 * registered threads and does work until its deadline; in between, the
 * read barrier on grey segments keeps the mutator from loading white
 * references (traceYield, TraceSegAccess).  A slice with an infinite
 * deadline is a stop-the-world collection.
 *
 * The critical path is _mps_fix2: a reference that passed MPS_FIX1 is
 * looked up in the flat tract table cached in the scan state; if its
 * owner is white for the scan's traces, the segment's cached fix method
 * preserves it.  Every fixed reference's final zone joins the scan's fixed
 * summary, so that a segment's summary after scanning is
 *     (unfixed zones - white zones) + zones of the fixed references,
 * the zones it can refer to now.
 */

#include "trace.h"
#include "chain.h"
#include "root.h"
#include "thread.h"
#include "message.h"
#include "buffer.h"
#include "pool.h"
#include "control.h"
#include "event.h"
#include "ld.h"
#include "final.h"
#include "shield.h"
#include "parallel.h"
#include <string.h>

/* Scan states */

Bool ScanStateCheck(ScanState ss)
{
  CHECKS(ScanState, ss);
  CHECKL(ss->rank < RANK_LIMIT);
  CHECKL(ss->greySeg == NULL || ss->worker != NULL);
  CHECKL(ss->ssStruct._zs == ss->arena->zoneShift);
  return TRUE;
}

void ScanStateInit(ScanState ss, TraceSet traces, Arena arena, Rank rank, ZoneSet white)
{
  ss->ssStruct._zs = arena->zoneShift;
  ss->ssStruct._w = white;
  ss->ssStruct._ufs = 0;
  ss->arena = arena;
  ss->traces = traces;
  ss->rank = rank;
  ss->white = white;
  ss->fixedSummary = ZoneSetEMPTY;
  ss->wasMarked = FALSE;
  ss->pinning = FALSE;
  ss->prefetching = FALSE;
  ss->tableBase = arena->tableBase;
  ss->tableCount = arena->tableCount;
  ss->table = arena->table;
  ss->grainShift = arena->grainShift;
  ss->scannedSize = 0;
  ss->fixRefs = 0;
  ss->unfixedSummary = ZoneSetEMPTY;
  ss->walkClosure = NULL;
  ss->worker = NULL;
  ss->greySeg = NULL;
  ss->greyLow = 0;
  ss->sig = ScanStateSig;
}

void ScanStateInitNull(ScanState ss, Arena arena)
{
  ScanStateInit(ss, TraceSetEMPTY, arena, RankEXACT, ZoneSetEMPTY);
}

void ScanStateFinish(ScanState ss)
{
  AVERT(ScanState, ss);
  ss->sig = SigINVALID;
}

void ScanStateBeginClient(ScanState ss)
{
  ss->ssStruct._ufs = 0;
}

/* After a client scanner: bit 0 of _ufs is set by MPS_SCAN_END, so if it
 * is clear the scanner left its fix block early and we cannot know what
 * it saw: assume anything. */
ZoneSet ScanStateEndClient(ScanState ss)
{
  Word ufs = ss->ssStruct._ufs;
  if ((ufs & 1) == 0)
    ufs = ZoneSetUNIV;
  ss->unfixedSummary |= ufs;
  ss->ssStruct._ufs = 0;
  return ufs;
}

ZoneSet ScanStateSummary(ScanState ss)
{
  return (ss->unfixedSummary & ~ss->white) | ss->fixedSummary;
}

mps_res_t _mps_fix2(mps_ss_t mps_ss, mps_addr_t *ref_io)
{
  ScanState ss = ScanStateOf(mps_ss);
  Addr ref = (Addr)*ref_io;
  Index i = (Index)((AddrWord(ref) - AddrWord(ss->tableBase)) >> ss->grainShift);
  Tract tract;

  AVERT(ScanState, ss);
  if (i < ss->tableCount && (tract = ss->table[i]) != NULL
      && (tract->white & ss->traces) != 0) {
    Seg seg = tract->seg;
    Arena arena = ss->arena;
    Res res = seg->fix(seg, ss, (Addr *)ref_io);
    if (res != ResOK)
      return res;
    ref = (Addr)*ref_io;
    /* A copy may have grown the arena and moved the tract table.  A
     * parallel worker keeps the table of the phase's start: the old table
     * stays mapped until the phase ends (tract.c), and it is right for
     * every white segment, all of which existed when the phase began. */
    if (ss->worker == NULL) {
      ss->tableBase = arena->tableBase;
      ss->tableCount = arena->tableCount;
      ss->table = arena->table;
    }
  } else if (ss->prefetching) {
    /* traceParPrefetch: prefetch, and count references to another page
     * than the last one's (how scattered the referents are). */
    __builtin_prefetch(ref);
    ss->prefetchRefs += 1;
    ss->prefetchFar += ((AddrWord(ref) ^ AddrWord(ss->prefetchLast)) >> PAR_PAGE_SHIFT) != 0;
    ss->prefetchLast = ref;
    return MPS_RES_OK;
  }
  ScanStateFixed(ss, ref);
  return MPS_RES_OK;
}

static void traceWalkSegs(Arena arena, PoolFixMethod fix)
{
  Ring node, segNode;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    if (!PoolHasAttr(pool, PoolAttrGC))
      continue;
    for (segNode = pool->segRing.next; segNode != &pool->segRing; segNode = segNode->next) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      if (fix != NULL) {
        SegSetWhite(seg, SegWhite(seg) | WALK_TRACE);
        seg->fix = fix;
      } else {
        SegSetWhite(seg, SegWhite(seg) & ~WALK_TRACE);
        seg->fix = pool->klass->fix;
      }
    }
  }
}

void TraceWalkSegsBegin(Arena arena, PoolFixMethod fix)
{
  AVER(fix != NULL);
  AVER(!TraceBusy(arena));
  traceWalkSegs(arena, fix);
}

void TraceWalkSegsEnd(Arena arena)
{
  traceWalkSegs(arena, NULL);
}

/* Traces */

Bool TraceCheck(Trace trace)
{
  CHECKS(Trace, trace);
  CHECKL(trace->ti < TRACE_MAX);
  CHECKL(trace->band < RANK_LIMIT);
  return TRUE;
}

Trace ArenaTrace(Arena arena, TraceId ti)
{
  AVER(ti < TRACE_MAX);
  return &arena->traces[ti];
}

static Rank segLowestRank(Seg seg)
{
  Rank r;
  for (r = 0; r < RANK_LIMIT; ++r)
    if (RankSetIsMember(seg->rankSet, r))
      return r;
  NOTREACHED;
  return RankEXACT;
}

void TraceSegGrey(Trace trace, Seg seg)
{
  AVERT(Trace, trace);
  AVERT(Seg, seg);
  if (!TraceSetIsMember(seg->grey, trace->ti)) {
    SegSetGrey(seg, seg->grey | TraceSetSingle(trace->ti));
    RingAppend(&trace->greyRing[segLowestRank(seg)], &seg->greyRing);
  }
}

static void traceSegUngrey(Trace trace, Seg seg)
{
  AVER(TraceSetIsMember(seg->grey, trace->ti));
  SegSetGrey(seg, seg->grey & ~TraceSetSingle(trace->ti));
  RingRemove(&seg->greyRing);
}

void TraceSegCondemned(Trace trace, Seg seg, Size size)
{
  SegSetWhite(seg, SegWhite(seg) | TraceSetSingle(trace->ti));
  trace->white |= ZoneSetOfRange(trace->arena, SegBase(seg), SegLimit(seg));
  trace->condemned += size;
  if (seg->pgen != NULL)
    seg->pgen->gen->condemned += size;
}

/* Objects of size bytes, condemned in seg, survive (kept in place, or
 * copied out of it): they count as live in the trace and in seg's
 * generation (reported by GenCollect). */
void TracePreserved(Trace trace, Seg seg, Size size)
{
  trace->preserved += size;
  if (seg->pgen != NULL)
    seg->pgen->gen->preserved += size;
}

void TraceSetSerial(Trace trace)
{
  trace->parallel = FALSE;
}

static void traceInit(Trace trace, Arena arena, TraceId ti, const char *why)
{
  Rank r;
  trace->ti = ti;
  trace->arena = arena;
  trace->state = TraceINIT;
  trace->why = why;
  trace->white = ZoneSetEMPTY;
  for (r = 0; r < RANK_LIMIT; ++r)
    RingInit(&trace->greyRing[r]);
  trace->band = RankAMBIG;
  trace->emergency = FALSE;
  trace->condemned = 0;
  trace->notCondemned = 0;
  trace->preserved = 0;
  trace->reclaimed = 0;
  trace->scanned = 0;
  trace->segsScanned = 0;
  trace->rootsScanned = 0;
  trace->finalPostedScanned = FALSE;
  trace->finalGuardiansScanned = FALSE;
  trace->pinsScanned = FALSE;
  trace->yielded = FALSE;
  trace->chain = NULL;
  trace->topGen = 0;
  trace->fixRefs = 0;
  trace->startClock = mps_clock();
  trace->parallel = ParWorkersEffective(arena) > 1;
  trace->parPhases = trace->parObjects = trace->parSteals = 0;
  trace->sig = TraceSig;
}

/* Condemning.  A segment is condemned through its pool, which decides
 * what becoming white means for its objects. */

static Res traceCondemnSeg(Trace trace, Seg seg)
{
  Pool pool = SegPool(seg);
  Res res;
  AVER(pool->klass->whiten != NULL);
  AVER(!TraceSetIsMember(SegWhite(seg), trace->ti));  /* reclaimed since */
  SegLowerBarrier(seg);
  res = pool->klass->whiten(pool, trace, seg);
  /* Whatever survives will be scanned, and that scan makes the summary. */
  if (res == ResOK && SegRankSet(seg) != RankSetEMPTY)
    SegSetSummary(seg, ZoneSetEMPTY);
  return res;
}

/* Which segments a trace condemns: those of the collected pools whose
 * generation is in the set described by `chain` and `topGen` (chain
 * NULL: everything). */
typedef struct TraceCondemnSetStruct {
  Arena arena;
  Chain chain;
  Index topGen;
} TraceCondemnSetStruct;

static Bool traceSegInCondemnSet(Seg seg, void *closure)
{
  TraceCondemnSetStruct *set = closure;
  GenDesc gen;
  if (!PoolHasAttr(SegPool(seg), PoolAttrGC))
    return FALSE;
  if (set->chain == NULL)
    return TRUE;
  if (seg->pgen == NULL)
    return FALSE;
  gen = seg->pgen->gen;
  return gen->index <= set->topGen && gen != set->arena->topGen
         && gen >= set->chain->gens && gen < set->chain->gens + set->chain->genCount;
}

/* Condemn the segments of the condemned set.  Their barriers come down
 * first, all together (a run of adjacent segments in one system call),
 * rather than one segment at a time. */
static Res traceCondemn(Trace trace, Chain chain, Index topGen)
{
  Arena arena = trace->arena;
  Ring node, segNode;
  TraceCondemnSetStruct set;
  set.arena = arena;
  set.chain = chain;
  set.topGen = topGen;
  if (chain == NULL)
    PolicyTopGenCondemned(arena);
  ArenaLowerBarriersWhere(arena, traceSegInCondemnSet, &set);
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    if (!PoolHasAttr(pool, PoolAttrGC))
      continue;
    for (segNode = pool->segRing.next; segNode != &pool->segRing; segNode = segNode->next) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      if (traceSegInCondemnSet(seg, &set)) {
        Res res = traceCondemnSeg(trace, seg);
        if (res != ResOK)
          return res;
      } else {
        trace->notCondemned += SegSize(seg);
      }
    }
  }
  return ResOK;
}

/* Flipping: from here on, references the mutator holds may change. */

static void traceFlipBuffers(Arena arena)
{
  Ring node, bnode, bnext;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    if (!PoolHasAttr(pool, PoolAttrGC))
      continue;
    RING_FOR(bnode, &pool->bufferRing, bnext)
      BufferFlip(RING_ELT(Buffer, poolRing, bnode));
  }
}

/* Grey the segments that may refer into the white zones.  Until barriers
 * keep summaries exact (issue 6), a segment the mutator may write has the
 * universal summary, so every such segment is greyed. */
static void traceGreySegs(Trace trace, Bool movingCondemned)
{
  Arena arena = trace->arena;
  Ring node, segNode;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    if (!PoolHasAttr(pool, PoolAttrSCAN))
      continue;
    for (segNode = pool->segRing.next; segNode != &pool->segRing; segNode = segNode->next) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      /* When objects may move, segments of ambiguous references are all
       * scanned in the first band, condemned or not: an ambiguous
       * reference must be seen before an exact one can move its referent
       * (contract 27.6).  The referents of dead ones survive this trace. */
      Bool ambig = movingCondemned && RankSetIsMember(seg->rankSet, RankAMBIG);
      if (seg->rankSet != RankSetEMPTY
          && (ambig || (!TraceSetIsMember(SegWhite(seg), trace->ti)
                        && (seg->summary & trace->white) != ZoneSetEMPTY))) {
        if (pool->klass->grey != NULL)
          pool->klass->grey(pool, trace, seg);
        else
          TraceSegGrey(trace, seg);
      }
    }
  }
}

/* The zones in which objects may move in this trace: those of condemned
 * segments of moving pools. */
static ZoneSet traceMovingZones(Trace trace)
{
  Arena arena = trace->arena;
  ZoneSet moving = ZoneSetEMPTY;
  Ring node, segNode;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    if (!PoolHasAttr(pool, PoolAttrMOVING))
      continue;
    for (segNode = pool->segRing.next; segNode != &pool->segRing; segNode = segNode->next) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      if (TraceSetIsMember(SegWhite(seg), trace->ti))
        moving |= ZoneSetOfRange(arena, SegBase(seg), SegLimit(seg));
    }
  }
  return moving;
}

static void traceFlip(Trace trace)
{
  Arena arena = trace->arena;
  Ring node;
  ZoneSet moving;
  for (node = arena->rootRing.next; node != &arena->rootRing; node = node->next)
    RING_ELT(Root, arenaRing, node)->grey |= TraceSetSingle(trace->ti);
  moving = traceMovingZones(trace);
  traceGreySegs(trace, moving != ZoneSetEMPTY);
  LDFlip(arena, moving);
  ++arena->collections;
  arena->flippedTraces |= TraceSetSingle(trace->ti);
  trace->state = TraceFLIPPED;
  if (arena->gcStartMessage != NULL) {
    Message m = arena->gcStartMessage;
    Size i;
    arena->gcStartMessage = NULL;
    m->clock = mps_clock();
    for (i = 0; trace->why[i] != '\0' && i < MESSAGE_WHY_MAX - 1; ++i)
      m->the.gcStart.why[i] = trace->why[i];
    m->the.gcStart.why[i] = '\0';
    MessagePost(arena, m);
  }
}

/* Scanning */

static Res traceScanRoot(Trace trace, Root root)
{
  ScanStateStruct ss;
  Res res;
  ScanStateInit(&ss, TraceSetSingle(trace->ti), trace->arena, root->rank, trace->white);
  res = RootScan(&ss, root);
  trace->fixRefs += ss.fixRefs;
  ScanStateFinish(&ss);
  if (res == ResOK) {
    root->grey &= ~TraceSetSingle(trace->ti);
    ++trace->rootsScanned;
  }
  return res;
}

static Res traceScanSeg(Trace trace, Seg seg, Rank rank)
{
  Pool pool = SegPool(seg);
  ScanStateStruct ss;
  Bool total = FALSE;
  ZoneSet summary;
  Res res;

  traceSegUngrey(trace, seg);
  SegLowerBarrier(seg);
  ScanStateInit(&ss, TraceSetSingle(trace->ti), trace->arena, rank, trace->white);
  res = pool->klass->scan(&total, &ss, pool, seg);
  summary = ScanStateSummary(&ss);
  trace->scanned += ss.scannedSize;
  trace->fixRefs += ss.fixRefs;
  ScanStateFinish(&ss);
  ++trace->segsScanned;
  if (res != ResOK) {
    TraceSegGrey(trace, seg);   /* try again */
    return res;
  }
  /* A total scan saw every reference in the segment, so its summary is
   * exact; a partial one adds to the old summary.  (A pool whose fixes
   * made more of the segment grey has greyed it again itself.)  The
   * write barrier raised after the collection keeps it true; without
   * barriers the mutator could add anything, so it stays universal. */
  if (!trace->arena->barriersOn)
    summary = ZoneSetUNIV;
  else if (!total)
    summary |= SegSummary(seg);
  SegSetSummary(seg, summary);
  return ResOK;
}

/* Explicit pins are ambiguous references the client asked for. */
static Res tracePinsScan(ScanState ss)
{
  Arena arena = ss->arena;
  Index i;
  ss->pinning = TRUE;
  for (i = 0; i < arena->pinCount; ++i) {
    mps_addr_t ref = arena->pins[i];
    Res res = _mps_fix2(ScanStateMPS(ss), &ref);
    if (res != ResOK)
      return res;
  }
  return ResOK;
}

static Res traceScanFinal(Trace trace, Rank rank, Res (*scan)(ScanState ss))
{
  ScanStateStruct ss;
  Res res;
  ScanStateInit(&ss, TraceSetSingle(trace->ti), trace->arena, rank, trace->white);
  res = scan(&ss);
  ScanStateFinish(&ss);
  return res;
}

/* Scanning in slices.  The work of a trace is: the roots, band by band,
 * then the grey segments of each rank up to the band, until nothing is
 * grey at the weak band.  A slice stops at its deadline, but never before
 * the ambiguous and exact roots are done: those are what the mutator can
 * reach without a barrier. */

static Bool traceRootsPending(Trace trace, Rank band)
{
  Ring node;
  for (node = trace->arena->rootRing.next; node != &trace->arena->rootRing; node = node->next) {
    Root root = RING_ELT(Root, arenaRing, node);
    if (root->rank <= band && TraceSetIsMember(root->grey, trace->ti))
      return TRUE;
  }
  return FALSE;
}

static Res traceScanRoots(Trace trace, Rank band)
{
  Ring node, next;
  Res res;
  RING_FOR(node, &trace->arena->rootRing, next) {
    Root root = RING_ELT(Root, arenaRing, node);
    if (root->rank <= band && TraceSetIsMember(root->grey, trace->ti)) {
      res = traceScanRoot(trace, root);
      if (res != ResOK)
        return res;
    }
  }
  if (!trace->pinsScanned) {
    res = traceScanFinal(trace, RankAMBIG, tracePinsScan);
    if (res != ResOK)
      return res;
    trace->pinsScanned = TRUE;
  }
  if (band >= RankEXACT && !trace->finalPostedScanned) {
    res = traceScanFinal(trace, RankEXACT, FinalScanPosted);
    if (res != ResOK)
      return res;
    trace->finalPostedScanned = TRUE;
  }
  if (band >= RankFINAL && !trace->finalGuardiansScanned) {
    res = traceScanFinal(trace, RankFINAL, FinalScanGuardians);
    if (res != ResOK)
      return res;
    trace->finalGuardiansScanned = TRUE;
  }
  return ResOK;
}

/* Scan grey segments of rank at most the band until none is left or the
 * deadline passes (checked every few segments).  TRUE if none is left. */
static Bool traceScanSegs(Trace trace, mps_clock_t deadline)
{
  Count n = 0;
  Rank r;
  for (r = 0; r <= trace->band; ++r) {
    while (!RingIsSingle(&trace->greyRing[r])) {
      Seg seg = RING_ELT(Seg, greyRing, trace->greyRing[r].next);
      Res res = traceScanSeg(trace, seg, r);
      AVER(res == ResOK);         /* pools preserve in place when short */
      UNUSED(res);
      if ((++n & 7) == 0 && mps_clock() >= deadline)
        return FALSE;
      r = 0;                      /* lower ranks may have become grey */
    }
  }
  return TRUE;
}

/* Parallel draining (design: parallel.h).
 *
 * Where: the exact band of a slice, after the roots up to the band are
 * scanned.  Why it is safe there: the mutator is suspended for the whole
 * slice, so no barrier is needed against it; every ambiguous reference
 * already seen has pinned what it must (nail boards are only made by
 * ambiguous fixes, which never run in a phase); and the final and weak
 * bands, whose fixes depend on the order of preservation, stay serial.
 * The phase seeds its workers with the grey exact segments, which the
 * coordinator takes out of the grey ring here; a fix that preserves an
 * object in a worker pushes the object itself (not its segment) as work,
 * so the grey rings are touched by this thread only.  Afterwards the
 * coordinator folds what the workers found into segment summaries, and
 * greys the serial way whatever a worker could not or did not finish.  */

static Bool tracePoolsParallel(Arena arena, Bool *dependentsReturn)
{
  Ring node;
  *dependentsReturn = FALSE;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    if ((PoolHasAttr(pool, PoolAttrGC) || PoolHasAttr(pool, PoolAttrSCAN))
        && !PoolHasAttr(pool, PoolAttrPARALLEL))
      return FALSE;
    if (pool->klass == PoolClassAWL())
      *dependentsReturn = TRUE;
  }
  return TRUE;
}

/* Worker: scan a segment through its pool.  FALSE if the scan failed:
 * the segment is then greyed again after the phase. */
static Bool traceParPoolScan(Bool *totalReturn, ScanState ss, Seg seg)
{
  Pool pool = SegPool(seg);
  ss->fixedSummary = ZoneSetEMPTY;
  ss->unfixedSummary = ZoneSetEMPTY;
  if (pool->klass->scan(totalReturn, ss, pool, seg) == ResOK)
    return TRUE;
  __atomic_store_n(&seg->parRegrey, TRUE, __ATOMIC_RELAXED);
  return FALSE;
}

/* Widen a segment's parSummary, which several workers may do at once
 * (traceParFold folds it into the summary after the phase). */
static void traceParJoinSummary(Seg seg, ZoneSet summary)
{
  if ((__atomic_load_n(&seg->parSummary, __ATOMIC_RELAXED) & summary) != summary)
    (void)__atomic_fetch_or(&seg->parSummary, summary, __ATOMIC_RELAXED);
}

/* Worker: scan a grey segment taken from the ring (as traceScanSeg). */
static void traceParScanSeg(ParWorker w, ScanState ss, Seg seg)
{
  Bool total = FALSE;
  ZoneSet summary;
  ++ParWorkerCounts(w)->segsScanned;
  if (!traceParPoolScan(&total, ss, seg))
    return;
  summary = ScanStateSummary(ss);
  if (!ss->arena->barriersOn)
    summary = ZoneSetUNIV;
  else if (!total)
    summary |= SegSummary(seg);
  SegSetSummary(seg, summary);
}

/* Worker: scan the grey objects of a segment that a fix queued
 * (ParPushGreys).  Its pool's scan method knows which they are; other
 * workers may be scanning the same segment at once. */
static void traceParScanGreys(ParWorker w, ScanState ss, Seg seg)
{
  Bool total = FALSE;
  ++ParWorkerCounts(w)->objects;
  if (traceParPoolScan(&total, ss, seg))
    traceParJoinSummary(seg, ScanStateSummary(ss));
}

/* Worker: before scanning [client, limit), scan it once without fixing,
 * prefetching the objects its references in white zones point at: the
 * fixes that follow then find them arriving, instead of each waiting for
 * its own miss in turn (a random graph's referents are scattered over
 * the heap).  With no tract table every reference takes _mps_fix2's
 * path for references to nothing white, which prefetches and counts;
 * the counts tell the worker whether prefetching is worth it
 * (ParPrefetchNote). */
static void traceParPrefetch(ParWorker w, ScanState ss, Format format, Addr client,
                             Addr limit)
{
  Count tableCount = ss->tableCount;
  ss->tableCount = 0;
  ss->prefetching = TRUE;
  ss->prefetchRefs = ss->prefetchFar = 0;
  ss->prefetchLast = client;
  ScanStateBeginClient(ss);
  (void)format->scan(ScanStateMPS(ss), client, limit);
  ss->ssStruct._ufs = 0;
  ss->prefetching = FALSE;
  ss->tableCount = tableCount;
  ParPrefetchNote(w, ss->prefetchRefs, ss->prefetchFar);
}

/* Worker: scan one object a fix preserved in this phase, or a run of
 * them (limit != NULL). */
static void traceParScanObjects(ParWorker w, ScanState ss, Seg seg, Addr client, Addr limit)
{
  Format format = SegPool(seg)->format;
  Res res;
  if (limit == NULL)
    limit = (Addr)format->skip(client);
  if (ParPrefetchChoose(w))
    traceParPrefetch(w, ss, format, client, limit);
  ss->fixedSummary = ZoneSetEMPTY;
  ss->unfixedSummary = ZoneSetEMPTY;
  ScanStateBeginClient(ss);
  res = format->scan(ScanStateMPS(ss), client, limit);
  (void)ScanStateEndClient(ss);
  if (res != ResOK) {
    __atomic_store_n(&seg->parRegrey, TRUE, __ATOMIC_RELAXED);
    return;
  }
  ss->scannedSize += AddrOffset(client, limit);
  ++ParWorkerCounts(w)->objects;
  traceParJoinSummary(seg, ScanStateSummary(ss));
}

static void traceParProcess(ParWorker w, ScanState ss, Seg seg, Addr client, Addr limit)
{
  if (client != NULL)
    traceParScanObjects(w, ss, seg, client, limit);
  else if (limit == ParEntryGREYS)
    traceParScanGreys(w, ss, seg);
  else
    traceParScanSeg(w, ss, seg);
}

/* Coordinator, after a stopped phase: put unfinished work back. */
static void traceParLeftover(Trace trace, Seg seg, Addr client)
{
  if (client == NULL)
    TraceSegGrey(trace, seg);
  else
    seg->parRegrey = TRUE;
}

/* Coordinator, after the phase: summaries, and the serial greying of
 * work the workers deferred (the pool's grey method, with parRegrey set
 * while it runs so that it knows why it is called). */
static void traceParFold(Trace trace)
{
  Arena arena = trace->arena;
  Ring node, segNode, segNext;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    if (!PoolHasAttr(pool, PoolAttrGC))
      continue;
    RING_FOR(segNode, &pool->segRing, segNext) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      ZoneSet s = seg->parSummary;
      if (seg->parFresh) {
        seg->parFresh = FALSE;
        if (SegRankSet(seg) != RankSetEMPTY)
          SegSetSummary(seg, arena->barriersOn ? s : ZoneSetUNIV);
      } else if (s != ZoneSetEMPTY) {
        SegSetSummary(seg, arena->barriersOn ? SegSummary(seg) | s : ZoneSetUNIV);
      }
      seg->parSummary = ZoneSetEMPTY;
      if (seg->parRegrey) {
        AVER(pool->klass->grey != NULL);
        pool->klass->grey(pool, trace, seg);
        seg->parRegrey = FALSE;
      }
    }
  }
}

/* A slice runs to the end if it has no deadline, or one so far away (a
 * pause time of more than a thousand seconds) that it cannot matter. */
static Bool traceDeadlineFar(mps_clock_t deadline)
{
  mps_clock_t now = mps_clock(), far = 1000 * mps_clocks_per_sec();
  return deadline == CLOCK_NEVER || (deadline > now && deadline - now >= far);
}

/* Seed a phase with the grey exact segments and run it.  FALSE if the
 * deadline stopped it (its leftovers are grey again). */
static Bool traceParDrain(Trace trace, mps_clock_t deadline)
{
  Arena arena = trace->arena;
  Ring ring = &trace->greyRing[RankEXACT], node, next;
  ScanStateStruct proto;
  ParCountsStruct counts;
  ParEntryStruct *seeds;
  Count n = 0, cap = 0;
  Bool done, dependents;
  void *p;

  /* Only a slice that runs the trace to its end (stop-the-world: an
   * explicit or emergency collection, a parked arena, no barriers, or a
   * pause time too long to matter, traceDeadlineFar).  A slice with a deadline may yield
   * with work left grey, and the serial tracer's slices have (so far)
   * always left grey segments in the grey ring's order, oldest greyed
   * first; a phase finishes work in no particular order, and yielding
   * after one made threadstress fail.  Until that is understood,
   * incremental slices stay serial. */
  if (!traceDeadlineFar(deadline) || ParWorkersEffective(arena) <= 1
      || !tracePoolsParallel(arena, &dependents))
    return TRUE;
  for (node = ring->next; node != ring; node = node->next)
    if (SegRankSet(RING_ELT(Seg, greyRing, node)) == RankSetSingle(RankEXACT))
      ++cap;
  if (cap == 0 || ControlAlloc(&p, arena, cap * sizeof(ParEntryStruct)) != ResOK)
    return TRUE;
  seeds = p;
  RING_FOR(node, ring, next) {
    Seg seg = RING_ELT(Seg, greyRing, node);
    if (SegRankSet(seg) == RankSetSingle(RankEXACT)) {
      traceSegUngrey(trace, seg);
      SegLowerBarrier(seg);
      seeds[n].seg = seg;
      seeds[n].client = NULL;
      seeds[n].limit = NULL;
      ++n;
    }
  }
  /* A worker must never fault (the fault handler would want the arena
   * lock, which the coordinator holds): fresh segments are open and the
   * seeds are open now; white segments were opened when they were
   * condemned, but if the mutator has run since, the barriers went up
   * again (traceYield), and workers write to white objects (forwarding
   * markers, fixed slots of marked objects).  An AWL scanner may read a
   * dependent object anywhere.  In those cases open everything: the
   * barriers go up again when the slice ends. */
  if (dependents || trace->yielded)
    ArenaLowerBarriers(arena);
  ScanStateInit(&proto, TraceSetSingle(trace->ti), arena, RankEXACT, trace->white);
  arena->parActive = TRUE;
  done = ParRun(arena, trace, &proto, seeds, n, deadline,
                traceParProcess, traceParLeftover, &counts);
  arena->parActive = FALSE;
  TractTableRetiredFree(arena);
  ScanStateFinish(&proto);
  ControlFree(arena, seeds, cap * sizeof(ParEntryStruct));
  trace->preserved += counts.preserved;
  trace->scanned += counts.scanned;
  trace->fixRefs += counts.fixRefs;
  trace->segsScanned += counts.segsScanned;
  trace->emergency |= counts.emergency;
  ++trace->parPhases;
  ++arena->parPhases;
  trace->parObjects += counts.objects;
  trace->parSteals += counts.steals;
  traceParFold(trace);
  return done;
}

/* Do the trace's work until the deadline.  TRUE when it is all done. */
static Bool traceWork(Trace trace, mps_clock_t deadline)
{
  for (;;) {
    Res res;
    if (traceRootsPending(trace, trace->band) || !trace->pinsScanned
        || (trace->band >= RankEXACT && !trace->finalPostedScanned)
        || (trace->band >= RankFINAL && !trace->finalGuardiansScanned)) {
      res = traceScanRoots(trace, trace->band);
      AVER(res == ResOK);
      UNUSED(res);
    }
    if (trace->band == RankEXACT && trace->parallel
        && !traceParDrain(trace, deadline))
      return FALSE;
    /* traceScanSegs does some segments before it looks at the clock, so
     * every slice makes progress, even with a pause time of zero. */
    if (!traceScanSegs(trace, deadline))
      return FALSE;
    if (!traceRootsPending(trace, trace->band)) {
      if (trace->band == RankWEAK)
        return TRUE;
      ++trace->band;
    }
  }
}

/* Reclaiming */

static void traceReclaim(Trace trace)
{
  Arena arena = trace->arena;
  Ring node, segNode, segNext;
  trace->state = TraceRECLAIM;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    if (!PoolHasAttr(pool, PoolAttrGC))
      continue;
    RING_FOR(segNode, &pool->segRing, segNext) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      if (TraceSetIsMember(SegWhite(seg), trace->ti)) {
        SegLowerBarrier(seg);
        pool->klass->reclaim(pool, trace, seg);
      }
    }
    if (pool->klass->traceEnd != NULL)
      pool->klass->traceEnd(pool, trace);
  }
}

/* The generations condemned are collected: their new size starts again. */
static void traceResetGens(Chain chain, Index topGen)
{
  Index i;
  for (i = 0; i <= topGen && i < chain->genCount; ++i) {
    GenDesc gen = &chain->gens[i];
    Ring node;
    Size size = 0, newSize = 0;
    for (node = gen->poolGenRing.next; node != &gen->poolGenRing; node = node->next) {
      PoolGen pgen = RING_ELT(PoolGen, genRing, node);
      size += pgen->totalSize;
      newSize += pgen->newSize;
      pgen->newSize = 0;
    }
    ++gen->collections;
    EVENTN(GenCollect, TRACE, (Word)chain->arena, (Word)i, gen->condemned,
           gen->preserved, size, newSize);
    gen->condemned = 0;
    gen->preserved = 0;
  }
}

static void traceResetAllGens(Arena arena)
{
  Ring node;
  PolicyTopGenCollected(arena);
  traceResetGens(arena->defaultChain, arena->defaultChain->genCount);
  for (node = arena->chainRing.next; node != &arena->chainRing; node = node->next) {
    Chain chain = RING_ELT(Chain, arenaRing, node);
    traceResetGens(chain, chain->genCount);
  }
}

static void tracePostEnd(Trace trace)
{
  Arena arena = trace->arena;
  if (arena->gcMessage != NULL) {
    Message m = arena->gcMessage;
    arena->gcMessage = NULL;
    m->clock = mps_clock();
    m->the.gc.live = trace->preserved;
    m->the.gc.condemned = trace->condemned;
    m->the.gc.notCondemned = trace->notCondemned;
    MessagePost(arena, m);
  }
}

/* Both messages of a collection exist before it starts, or neither. */
static void traceMakeMessages(Arena arena)
{
  if (arena->gcStartMessage == NULL
      && MessageCreate(&arena->gcStartMessage, arena, mps_message_type_gc_start()) != ResOK)
    arena->gcStartMessage = NULL;
  if (arena->gcMessage == NULL
      && MessageCreate(&arena->gcMessage, arena, mps_message_type_gc()) != ResOK)
    arena->gcMessage = NULL;
  if (arena->gcStartMessage == NULL || arena->gcMessage == NULL) {
    if (arena->gcStartMessage != NULL)
      MessageDestroy(arena->gcStartMessage);
    if (arena->gcMessage != NULL)
      MessageDestroy(arena->gcMessage);
    arena->gcStartMessage = arena->gcMessage = NULL;
  }
}

static void traceEventHeapSize(Arena arena)
{
  Size total = 0, free = 0;
  Ring node;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    total += PoolTotalSize(pool);
    free += PoolFreeSize(pool);
  }
  EVENTN(HeapSize, ARENA, (Word)arena, arena->committed, total, free);
}

static void traceProtectGrey(Trace trace)
{
  Ring node;
  Rank r;
  for (r = 0; r < RANK_LIMIT; ++r)
    for (node = trace->greyRing[r].next; node != &trace->greyRing[r]; node = node->next)
      SegRaiseReadBarrier(RING_ELT(Seg, greyRing, node));
}

/* Before the mutator runs in the middle of a trace: it must never load a
 * white reference.  Roots it can reach are scanned already, except weak
 * ones, which are fixed now as exact (their referents survive this
 * trace); every grey segment is protected against any access, so the
 * mutator's first touch scans it (the read barrier, TraceSegAccess). */
static void traceYield(Trace trace)
{
  Ring node, next;
  RING_FOR(node, &trace->arena->rootRing, next) {
    Root root = RING_ELT(Root, arenaRing, node);
    if (TraceSetIsMember(root->grey, trace->ti)) {
      ScanStateStruct ss;
      ScanStateInit(&ss, TraceSetSingle(trace->ti), trace->arena, RankEXACT, trace->white);
      (void)RootScan(&ss, root);
      ScanStateFinish(&ss);
      root->grey &= ~TraceSetSingle(trace->ti);
    }
  }
  /* Segments scanned in this trace have exact summaries now: keep them
   * exact while the mutator runs. */
  ArenaRaiseBarriers(trace->arena);
  traceProtectGrey(trace);
  trace->yielded = TRUE;
}

/* Create a trace: condemn, flip, and start the work.  The other threads
 * are suspended for the whole of each slice. */
static Trace traceStart(Arena arena, const char *why, Chain chain, Index topGen)
{
  Trace trace = ArenaTrace(arena, 0);
  Res res;
  AVER(arena->busyTraces == TraceSetEMPTY);
  traceInit(trace, arena, 0, why);
  arena->busyTraces |= TraceSetSingle(0);
  traceMakeMessages(arena);
  if (EVENT_ON(TRACE))
    EventWriteString(EventCodeTraceStart, (Word)arena, why);
  /* Allocation points give back their buffers before anything is
   * condemned, so that pools see every committed object; a buffer with a
   * reservation outstanding is trapped instead, and that commit fails. */
  traceFlipBuffers(arena);
  res = traceCondemn(trace, chain, topGen);
  AVER(res == ResOK);
  UNUSED(res);
  trace->chain = chain;
  trace->topGen = topGen;
  if (trace->condemned > 0) {
    EVENTN(TraceFlip, TRACE, (Word)arena, (Word)trace, trace->condemned, trace->notCondemned);
    traceFlip(trace);
  }
  return trace;
}

static void traceFinish(Trace trace)
{
  Arena arena = trace->arena;
  if (trace->condemned == 0) {
    /* Segments may have been condemned with nothing in them (a block
     * given to a buffer that has committed nothing yet), and with no flip
     * nothing scanned them: they must not stay grey, nor (below) white,
     * or a later trace would find them so without condemning them. */
    Rank r;
    for (r = 0; r < RANK_LIMIT; ++r)
      while (!RingIsSingle(&trace->greyRing[r]))
        traceSegUngrey(trace, RING_ELT(Seg, greyRing, trace->greyRing[r].next));
  }
  traceReclaim(trace);
  ArenaRaiseBarriers(arena);
  if (trace->condemned > 0) {
    if (trace->chain == NULL)
      traceResetAllGens(arena);
    else
      traceResetGens(trace->chain, trace->topGen);
    tracePostEnd(trace);
    EVENTN(TraceEnd, TRACE, (Word)arena, (Word)trace, trace->condemned, trace->preserved,
           trace->reclaimed, trace->scanned, trace->segsScanned);
    if (EVENT_ON(ARENA))
      traceEventHeapSize(arena);
    arena->lastSegsScanned = trace->segsScanned;
    arena->lastScanned = trace->scanned;
    arena->lastCondemned = trace->condemned;
    arena->lastLive = trace->preserved;
    arena->totalScanned += trace->scanned;
  }
  trace->state = TraceFINISHED;
  arena->flippedTraces &= ~TraceSetSingle(trace->ti);
  arena->busyTraces &= ~TraceSetSingle(trace->ti);
  trace->sig = SigINVALID;
}

/* One slice of collection work, with the other threads stopped.  Start a
 * trace first if `start` (then why/chain/topGen describe it).  Returns
 * TRUE if no trace is left in progress. */
static Bool traceSlice(Arena arena, mps_clock_t deadline, Bool start,
                       const char *why, Chain chain, Index topGen)
{
  mps_clock_t begin = mps_clock();
  mps_clock_t pause;
  Trace trace;
  Bool done;

  AVER(!arena->inCollection);
  arena->inCollection = TRUE;
  EVENTN(PauseBegin, TRACE, (Word)arena);
  ThreadRingSuspend(arena);
  trace = start ? traceStart(arena, why, chain, topGen) : ArenaTrace(arena, 0);
  if (trace->condemned == 0) {
    done = TRUE;
  } else {
    mps_clock_t workBegin = mps_clock();
    done = traceWork(trace, deadline);
    arena->traceTime += mps_clock() - workBegin;
  }
  if (done)
    traceFinish(trace);
  else
    traceYield(trace);
  ThreadRingResume(arena);
  EVENTN(PauseEnd, TRACE, (Word)arena);
  pause = mps_clock() - begin;
  arena->lastPause = pause;
  if (pause > arena->maxPause)
    arena->maxPause = pause;
  arena->inCollection = FALSE;
  return done;
}

Bool TraceBusy(Arena arena)
{
  return arena->busyTraces != TraceSetEMPTY;
}

Bool TraceStartAndStep(Arena arena, const char *why, Chain chain, Index topGen,
                       mps_clock_t deadline)
{
  AVER(!TraceBusy(arena));
  return traceSlice(arena, deadline, TRUE, why, chain, topGen);
}

Bool TraceStep(Arena arena, mps_clock_t deadline)
{
  if (!TraceBusy(arena))
    return TRUE;
  return traceSlice(arena, deadline, FALSE, NULL, NULL, 0);
}

void TraceFinishAll(Arena arena)
{
  while (!TraceStep(arena, CLOCK_NEVER))
    ;
}

/* The read barrier: the mutator touched a grey segment between slices.
 * Scan it now (a weak one early as exact: its referents then survive this
 * trace), with the other threads stopped; then it is black and open. */
void TraceSegAccess(Arena arena, Seg seg)
{
  Trace trace = ArenaTrace(arena, 0);
  AVER(TraceBusy(arena));
  if (arena->inCollection) {
    /* The collector itself touched it (reading an object's header, say):
     * it stays grey and will be scanned in its turn. */
    SegLowerBarrier(seg);
    return;
  }
  ThreadRingSuspend(arena);
  arena->inCollection = TRUE;
  EVENTN(PauseBegin, TRACE, (Word)arena);
  if (TraceSetIsMember(SegGrey(seg), trace->ti)) {
    Rank rank = segLowestRank(seg);
    if (rank > trace->band)
      rank = trace->band >= RankEXACT ? RankEXACT : trace->band;
    (void)traceScanSeg(trace, seg, rank);
  }
  /* Open for reading; still closed to writes if its summary is exact,
   * or the mutator's writes would go unseen by the next collection. */
  SegSettleBarrier(seg);
  /* Scanning may have touched (and so opened) other grey segments. */
  traceProtectGrey(trace);
  EVENTN(PauseEnd, TRACE, (Word)arena);
  arena->inCollection = FALSE;
  ThreadRingResume(arena);
}

/* trace.c: the tracer (see trace.h)
 *
 * Collections are stop-the-world for now: a collection suspends the other
 * registered threads, condemns, flips, scans to a fixpoint and reclaims
 * before returning.  The structure (states, grey rings by rank band, the
 * per-segment pool methods) is the one an incremental collector needs.
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
#include <string.h>

/* Scan states */

Bool ScanStateCheck(ScanState ss)
{
  CHECKS(ScanState, ss);
  CHECKL(ss->rank < RANK_LIMIT);
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
  ss->tableBase = arena->tableBase;
  ss->tableCount = arena->tableCount;
  ss->table = arena->table;
  ss->grainShift = arena->grainShift;
  ss->scannedSize = 0;
  ss->fixRefs = 0;
  ss->unfixedSummary = ZoneSetEMPTY;
  ss->walkClosure = NULL;
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
    Res res = seg->fix(seg, ss, (Addr *)ref_io);
    if (res != ResOK)
      return res;
    ref = (Addr)*ref_io;
  }
  ScanStateFixed(ss, ref);
  return MPS_RES_OK;
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
}

void TracePreserved(Trace trace, Size size)
{
  trace->preserved += size;
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
  trace->fixRefs = 0;
  trace->startClock = mps_clock();
  trace->sig = TraceSig;
}

/* Condemning.  A segment is condemned through its pool, which decides
 * what becoming white means for its objects. */

static Res traceCondemnSeg(Trace trace, Seg seg)
{
  Pool pool = SegPool(seg);
  Res res;
  AVER(pool->klass->whiten != NULL);
  SegLowerBarrier(seg);
  res = pool->klass->whiten(pool, trace, seg);
  /* Whatever survives will be scanned, and that scan makes the summary. */
  if (res == ResOK && SegRankSet(seg) != RankSetEMPTY)
    SegSetSummary(seg, ZoneSetEMPTY);
  return res;
}

/* Condemn every segment of the collected pools whose generation is in
 * the set described by `chain` and `topGen` (chain NULL: everything). */
static Res traceCondemn(Trace trace, Chain chain, Index topGen)
{
  Arena arena = trace->arena;
  Ring node, segNode;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    if (!PoolHasAttr(pool, PoolAttrGC))
      continue;
    for (segNode = pool->segRing.next; segNode != &pool->segRing; segNode = segNode->next) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      Bool condemn = chain == NULL;
      if (!condemn && seg->pgen != NULL) {
        GenDesc gen = seg->pgen->gen;
        condemn = gen->index <= topGen && gen != arena->topGen
                  && gen >= chain->gens && gen < chain->gens + chain->genCount;
      }
      if (condemn) {
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
static void traceGreySegs(Trace trace)
{
  Arena arena = trace->arena;
  Ring node, segNode;
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    if (!PoolHasAttr(pool, PoolAttrSCAN))
      continue;
    for (segNode = pool->segRing.next; segNode != &pool->segRing; segNode = segNode->next) {
      Seg seg = RING_ELT(Seg, poolRing, segNode);
      if (seg->rankSet != RankSetEMPTY
          && !TraceSetIsMember(SegWhite(seg), trace->ti)
          && (seg->summary & trace->white) != ZoneSetEMPTY) {
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
  for (node = arena->rootRing.next; node != &arena->rootRing; node = node->next)
    RING_ELT(Root, arenaRing, node)->grey |= TraceSetSingle(trace->ti);
  traceGreySegs(trace);
  LDFlip(arena, traceMovingZones(trace));
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

/* Scan everything grey whose rank is at most `band`; return whether
 * anything was scanned. */
static Res traceScanBand(Bool *progressReturn, Trace trace, Rank band)
{
  Arena arena = trace->arena;
  Ring node, next;
  Rank r;
  Bool progress = FALSE;
  Res res;

  RING_FOR(node, &arena->rootRing, next) {
    Root root = RING_ELT(Root, arenaRing, node);
    if (root->rank <= band && TraceSetIsMember(root->grey, trace->ti)) {
      res = traceScanRoot(trace, root);
      if (res != ResOK)
        return res;
      progress = TRUE;
    }
  }
  if (!trace->pinsScanned) {
    res = traceScanFinal(trace, RankAMBIG, tracePinsScan);
    if (res != ResOK)
      return res;
    trace->pinsScanned = TRUE;
    progress = TRUE;
  }
  if (band >= RankEXACT && !trace->finalPostedScanned) {
    res = traceScanFinal(trace, RankEXACT, FinalScanPosted);
    if (res != ResOK)
      return res;
    trace->finalPostedScanned = TRUE;
    progress = TRUE;
  }
  if (band >= RankFINAL && !trace->finalGuardiansScanned) {
    res = traceScanFinal(trace, RankFINAL, FinalScanGuardians);
    if (res != ResOK)
      return res;
    trace->finalGuardiansScanned = TRUE;
    progress = TRUE;
  }
  for (r = 0; r <= band; ++r) {
    while (!RingIsSingle(&trace->greyRing[r])) {
      Seg seg = RING_ELT(Seg, greyRing, trace->greyRing[r].next);
      res = traceScanSeg(trace, seg, r);
      if (res != ResOK)
        return res;
      progress = TRUE;
    }
  }
  *progressReturn = progress;
  return ResOK;
}

static Res traceScanAll(Trace trace)
{
  Rank band;
  for (band = RankAMBIG; band < RANK_LIMIT; ++band) {
    Bool progress;
    trace->band = band;
    do {
      Res res = traceScanBand(&progress, trace, band);
      if (res != ResOK)
        return res;
    } while (progress);
  }
  return ResOK;
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
      if (TraceSetIsMember(SegWhite(seg), trace->ti))
        pool->klass->reclaim(pool, trace, seg);
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
    EVENTN(GenCollect, TRACE, (Word)chain->arena, (Word)i, size, newSize);
  }
}

static void traceResetAllGens(Arena arena)
{
  Ring node;
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

/* Run a whole collection.  chain NULL: collect everything. */
static Res traceRun(Arena arena, const char *why, Chain chain, Index topGen)
{
  Trace trace;
  Res res;

  AVER(arena->busyTraces == TraceSetEMPTY);
  trace = ArenaTrace(arena, 0);
  traceInit(trace, arena, 0, why);
  EVENTN(PauseBegin, TRACE, (Word)arena);
  if (EVENT_ON(TRACE))
    EventWriteString(EventCodeTraceStart, (Word)arena, why);
  arena->busyTraces |= TraceSetSingle(0);
  arena->inCollection = TRUE;
  traceMakeMessages(arena);
  ThreadRingSuspend(arena);

  /* Allocation points give back their buffers before anything is
   * condemned, so that pools see every committed object; a buffer with a
   * reservation outstanding is trapped instead, and that commit fails. */
  traceFlipBuffers(arena);
  res = traceCondemn(trace, chain, topGen);
  AVER(res == ResOK);
  if (trace->condemned > 0) {
    EVENTN(TraceFlip, TRACE, (Word)arena, (Word)trace, trace->condemned, trace->notCondemned);
    traceFlip(trace);
    res = traceScanAll(trace);
    AVER(res == ResOK);         /* emergency mode arrives with AMC */
    traceReclaim(trace);
    ArenaRaiseBarriers(arena);
    if (chain == NULL)
      traceResetAllGens(arena);
    else
      traceResetGens(chain, topGen);
    tracePostEnd(trace);
    arena->lastSegsScanned = trace->segsScanned;
    arena->lastScanned = trace->scanned;
    arena->lastCondemned = trace->condemned;
    arena->lastLive = trace->preserved;
    arena->totalScanned += trace->scanned;
    arena->lastPause = mps_clock() - trace->startClock;
    if (arena->lastPause > arena->maxPause)
      arena->maxPause = arena->lastPause;
    EVENTN(TraceEnd, TRACE, (Word)arena, (Word)trace, trace->condemned, trace->preserved,
           trace->reclaimed, trace->scanned, trace->segsScanned);
    if (EVENT_ON(ARENA))
      traceEventHeapSize(arena);
  }

  ThreadRingResume(arena);
  trace->state = TraceFINISHED;
  arena->flippedTraces &= ~TraceSetSingle(0);
  arena->busyTraces &= ~TraceSetSingle(0);
  arena->inCollection = FALSE;
  trace->sig = SigINVALID;
  EVENTN(PauseEnd, TRACE, (Word)arena);
  return res;
}

Res TraceCollect(Arena arena, const char *why, Bool full)
{
  Chain chain = NULL;
  Index topGen = 0;
  if (!full) {
    chain = PolicyChainDue(&topGen, arena);
    if (chain == NULL)
      return ResOK;
  }
  return traceRun(arena, why, chain, topGen);
}

/* The collector's part of an arena */

Res ArenaCollectorInit(Arena arena)
{
  void *p;
  Res res;
  MessageInit(arena);
  FinalInit(arena);
  arena->busyTraces = TraceSetEMPTY;
  arena->flippedTraces = TraceSetEMPTY;
  arena->inCollection = FALSE;
  arena->fullRequested = FALSE;
  arena->barriersOn = TRUE;
  arena->pins = NULL;
  arena->pinCount = arena->pinCapacity = 0;
  arena->lastSegsScanned = 0;
  arena->lastScanned = arena->lastCondemned = arena->lastLive = 0;
  arena->lastPause = arena->maxPause = 0;
  arena->totalScanned = 0;
  arena->zonesClaimed = ZoneSetEMPTY;
  arena->barrierHits = 0;
  arena->gcStartMessage = NULL;
  arena->gcMessage = NULL;
  memset(arena->history, 0, sizeof arena->history);
  res = ControlAlloc(&p, arena, TRACE_MAX * sizeof(TraceStruct));
  if (res != ResOK)
    return res;
  memset(p, 0, TRACE_MAX * sizeof(TraceStruct));
  arena->traces = p;
  res = ArenaChainsInit(arena);
  if (res != ResOK) {
    ControlFree(arena, p, TRACE_MAX * sizeof(TraceStruct));
    return res;
  }
  return ResOK;
}

void ArenaCollectorFinish(Arena arena)
{
  AVER(arena->busyTraces == TraceSetEMPTY);
  FinalFinish(arena);
  MessageFinish(arena);
  if (arena->pins != NULL)
    ControlFree(arena, arena->pins, arena->pinCapacity * sizeof(Addr));
  if (arena->gcStartMessage != NULL)
    MessageDestroy(arena->gcStartMessage);
  if (arena->gcMessage != NULL)
    MessageDestroy(arena->gcMessage);
  ArenaChainsFinish(arena);
  ControlFree(arena, arena->traces, TRACE_MAX * sizeof(TraceStruct));
}

/* Arena states (contract 4.4).  Collections run to completion inside the
 * call that starts them, so "parked" and "clamped" differ only in whether
 * a later poll may start a collection. */

void ArenaClamp(Arena arena)
{
  arena->state = ArenaCLAMPED;
}

void ArenaPark(Arena arena)
{
  AVER(arena->busyTraces == TraceSetEMPTY);
  arena->state = ArenaPARKED;
}

void ArenaRelease(Arena arena)
{
  arena->state = ArenaUNCLAMPED;
}

Res ArenaCollect(Arena arena, const char *why)
{
  Res res;
  ArenaPark(arena);
  res = traceRun(arena, why, NULL, 0);
  arena->state = ArenaPARKED;
  return res;
}

Res ArenaStartCollect(Arena arena, const char *why)
{
  arena->state = ArenaUNCLAMPED;
  return traceRun(arena, why, NULL, 0);
}

/* A step may do a whole collection: one is due by the policy, or the
 * client is idle and a full collection is worth doing. */
Bool ArenaStep(Arena arena, double interval, double multiplier)
{
  Index topGen;
  Bool wasClamped = arena->state != ArenaUNCLAMPED;
  Bool work = PolicyChainDue(&topGen, arena) != NULL;
  UNUSED(interval);
  UNUSED(multiplier);
  if (work)
    (void)TraceCollect(arena, "mps_arena_step: a generation is over capacity", FALSE);
  if (wasClamped)
    arena->state = ArenaCLAMPED;
  return work;
}

Bool ArenaCollectForMemory(Arena arena)
{
  if (arena->state != ArenaUNCLAMPED || arena->inCollection)
    return FALSE;
  (void)traceRun(arena, "out of memory: collecting everything before failing", NULL, 0);
  return TRUE;
}

void ArenaRequestFullCollection(Arena arena)
{
  arena->fullRequested = TRUE;
}

/* Called on allocation slow paths: start a collection if one is due. */
void ArenaPoll(Arena arena)
{
  if (arena->state != ArenaUNCLAMPED || arena->inCollection)
    return;
  if (arena->fullRequested) {
    arena->fullRequested = FALSE;
    (void)traceRun(arena, "a ramp allocation pattern ended (collect all)", NULL, 0);
    return;
  }
  (void)TraceCollect(arena, "a generation's new size passed its capacity", FALSE);
}

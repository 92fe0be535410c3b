/* poolamc.c: AMC and AMCZ, the mostly-copying generational pools
 *
 * Allocation: an allocation point gets a fresh segment of the nursery
 * (MPS_KEY_EXTEND_BY bytes, or a segment of its own for an object of at
 * least MPS_KEY_LARGE_SIZE) and bumps through it.  When the buffer is
 * given back, its unused tail becomes a padding object, so a segment is
 * always a run of objects and padding from its base to `top`.
 *
 * Collection: condemned segments are white.  An exact reference to a
 * white object copies it into the forwarding region of the next
 * generation (whose segment is grey, so the copy is scanned) and leaves a
 * forwarding marker (the format's fwd) behind; later references to the
 * old copy are updated from the marker.  A white segment with no nailed
 * objects is freed whole at reclaim.  Copying is Cheney-like: to-space
 * segments are scanned linearly from `scanned` to `top`.
 *
 * Nailing (design note).  An ambiguous reference must neither move nor
 * lose its referent.  On the first ambiguous reference into a condemned
 * segment the segment gets a nailboard: bit tables, one bit per alignment
 * unit, of object starts (found by one walk of the segment with skip),
 * marks and greys.  The referenced object (the one containing the
 * address when MPS_KEY_INTERIOR is true, else only the one starting at
 * it) is marked and stays.  The other objects of the segment are copied
 * out as usual when exact references reach them (ambiguous roots are all
 * scanned, in the first band, before any exact reference), and at reclaim
 * everything unmarked is padded.  So an ambiguous reference pins exactly
 * the objects it may point at, and the rest of the segment is still
 * evacuated or reclaimed.  We chose a board over whole-segment pinning because stacks
 * are scanned at every collection: pinning whole segments would keep the
 * garbage around every stale stack word for as long as the word stays.
 * Whole-segment pinning remains as the fallback when a board (or
 * to-space) cannot be had: every object of the segment then stays, which
 * needs no memory at all (emergency mode, contract 27.19).
 *
 * AMCZ is the same class without scanning: its segments hold no
 * references, so they are never grey and never scanned.
 */

#include "poolamc.h"
#include "format.h"
#include "trace.h"
#include "args.h"
#include "control.h"
#include "vgmem.h"
#include "mpscamc.h"
#include "parallel.h"
#include <string.h>
#if TARN_THREADS
#include <sched.h>
#endif

#define AMC_EXTEND_BY_DEFAULT ((Size)32 * 1024)
#define AMC_LARGE_SIZE_DEFAULT ((Size)64 * 1024)
#define AMC_PAR_SEG_DOUBLINGS 5   /* to-space segments up to 32 times extendBy */

#define AMCOf(pool) ((AMC)(void *)(pool))
#define AMCSegOf(seg) ((AMCSeg)(void *)(seg))
#define AMCBufOf(buffer) ((AMCBuf)(void *)(buffer))

Bool AMCCheck(AMC amc)
{
  Pool pool = &amc->poolStruct;
  CHECKS(AMC, amc);
  CHECKL(pool->format != NULL);
  CHECKL(amc->genCount >= 2);
  CHECKL(amc->largeSize >= amc->extendBy);
  return TRUE;
}

Bool AMCSegCheck(AMCSeg amcseg)
{
  Seg seg = &amcseg->segStruct;
  CHECKS(AMCSeg, amcseg);
  CHECKD(Seg, seg);
  CHECKL(SegBase(seg) <= amcseg->top && amcseg->top <= SegLimit(seg));
  CHECKL(amcseg->nail != AMCNailBOARD || amcseg->marks != NULL);
  return TRUE;
}

static inline Index amcIndex(Seg seg, Addr addr)
{
  return (Index)(AddrOffset(SegBase(seg), addr) >> SegPool(seg)->alignShift);
}

static inline Addr amcAddr(Seg seg, Index i)
{
  return AddrAdd(SegBase(seg), (Size)i << SegPool(seg)->alignShift);
}

/* The end of the objects in a segment: an attached buffer's init, or top. */
static Addr amcSegObjectsLimit(Seg seg)
{
  Buffer buffer = SegBuffer(seg);
  if (buffer != NULL)
    return BufferInit(buffer);
  return AMCSegOf(seg)->top;
}

static Trace amcTrace(ScanState ss)
{
  return ArenaTrace(ss->arena, (TraceId)__builtin_ctz(ss->traces));
}

/* Pool creation */

static void amcVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_FORMAT;
  args[0].val.format = va_arg(varargs, mps_fmt_t);
  args[1].key = MPS_KEY_CHAIN;
  args[1].val.chain = va_arg(varargs, mps_chain_t);
  args[2].key = MPS_KEY_ARGS_END;
}

static Res amcInitCommon(Pool pool, Arena arena, ArgList args, Bool scanned)
{
  AMC amc = AMCOf(pool);
  Format format;
  Chain chain;
  Index gen, i;
  ArgStruct arg;
  void *p;
  Res res;

  amc->extendBy = AMC_EXTEND_BY_DEFAULT;
  amc->largeSize = AMC_LARGE_SIZE_DEFAULT;
  amc->interior = TRUE;
  if (ArgPick(&arg, args, MPS_KEY_EXTEND_BY)) {
    ARGCHECKF("mps_pool_create_k", arg.val.size > 0, ResPARAM); /* MPS_KEY_EXTEND_BY > 0 */
    amc->extendBy = arg.val.size;
  }
  if (ArgPick(&arg, args, MPS_KEY_LARGE_SIZE)) {
    ARGCHECKF("mps_pool_create_k", arg.val.size > 0, ResPARAM); /* MPS_KEY_LARGE_SIZE > 0 */
    amc->largeSize = arg.val.size;
  }
  /* Objects of at least the large size get their own segment, so the
   * usual segment must not be smaller than that. */
  if (amc->largeSize < amc->extendBy)
    amc->largeSize = amc->extendBy;
  if (ArgPick(&arg, args, MPS_KEY_INTERIOR))
    amc->interior = arg.val.b != 0;

  res = FormatPickForPool(&format, arena, args, scanned, TRUE);
  if (res != ResOK)
    return res;
  res = ChainPickForPool(&chain, &gen, arena, args, 0, FALSE);
  if (res != ResOK)
    goto failChain;
  pool->format = format;
  pool->alignment = format->alignment;
  pool->alignShift = SizeLog2(format->alignment);
  amc->scanned = scanned;
  amc->headerSize = format->headerSize;
  amc->chain = chain;
  amc->genCount = chain->genCount + 1;
  res = ControlAlloc(&p, arena, amc->genCount * sizeof(AMCGenStruct));
  if (res != ResOK)
    goto failGens;
  amc->gens = p;
  for (i = 0; i < amc->genCount; ++i) {
    AMCGen g = &amc->gens[i];
    PoolGenInit(&g->pgenStruct, ChainGen(chain, i), pool);
    g->amc = amc;
    g->index = i;
    g->next = i + 1 < amc->genCount ? &amc->gens[i + 1] : g;
    g->fwdSeg = NULL;
    g->fwdInit = g->fwdLimit = NULL;
  }
  amc->rampDepth = 0;
  amc->rampCollectAll = FALSE;
  amc->totalSize = 0;
  amc->sig = AMCSig;
  return ResOK;

failGens:
  ChainReleaseForPool(chain);
failChain:
  FormatReleaseForPool(format);
  return res;
}

static Res amcInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  UNUSED(klass);
  return amcInitCommon(pool, arena, args, TRUE);
}

static Res amczInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  UNUSED(klass);
  return amcInitCommon(pool, arena, args, FALSE);
}

static void amcSegBoardFree(AMCSeg amcseg)
{
  if (amcseg->starts != NULL) {
    ControlFree(PoolArena(SegPool(&amcseg->segStruct)), amcseg->starts,
                3 * BT_SIZE(amcseg->grains));
    amcseg->starts = amcseg->marks = amcseg->greys = NULL;
  }
}

static void amcSegClaimsFree(AMCSeg amcseg)
{
  ParClaimsDestroy(PoolArena(SegPool(&amcseg->segStruct)), &amcseg->claims, amcseg->grains);
}

static void amcSegFree(AMC amc, Seg seg)
{
  AMCSeg amcseg = AMCSegOf(seg);
  Size size = SegSize(seg);
  amcSegBoardFree(amcseg);
  amcSegClaimsFree(amcseg);
  PoolGenRemoveSeg(&amcseg->gen->pgenStruct, size);
  amc->totalSize -= size;
  amcseg->sig = SigINVALID;
  SegFree(seg);
}

static void amcFinish(Pool pool)
{
  AMC amc = AMCOf(pool);
  Ring node, next;
  Index i;
  AVERT(AMC, amc);
  RING_FOR(node, &pool->segRing, next)
    amcSegFree(amc, RING_ELT(Seg, poolRing, node));
  for (i = 0; i < amc->genCount; ++i)
    PoolGenFinish(&amc->gens[i].pgenStruct);
  ControlFree(PoolArena(pool), amc->gens, amc->genCount * sizeof(AMCGenStruct));
  ChainReleaseForPool(amc->chain);
  FormatReleaseForPool(pool->format);
  amc->sig = SigINVALID;
}

/* Segments */

static Res amcSegCreate(Seg *segReturn, AMC amc, AMCGen gen, Size size)
{
  Pool pool = &amc->poolStruct;
  LocusPrefStruct pref;
  AMCSeg amcseg;
  Seg seg;
  Res res;

  GenDescLocusPref(&pref, gen->pgenStruct.gen, PoolArena(pool));
  res = SegAlloc(&seg, sizeof(AMCSegStruct), &pref, size, pool);
  if (res != ResOK)
    return res;
  GenDescNoteSeg(gen->pgenStruct.gen, PoolArena(pool), SegBase(seg), SegLimit(seg));
  amcseg = AMCSegOf(seg);
  amcseg->gen = gen;
  amcseg->top = SegBase(seg);
  amcseg->scanned = SegBase(seg);
  amcseg->nail = AMCNailNONE;
  amcseg->grains = size >> pool->alignShift;
  amcseg->starts = amcseg->marks = amcseg->greys = NULL;
  amcseg->hasGrey = FALSE;
  amcseg->claims = NULL;
  seg->pgen = &gen->pgenStruct;
  if (amc->scanned) {
    SegSetRankSet(seg, RankSetSingle(RankEXACT));
    SegSetSummary(seg, ZoneSetUNIV);
  }
  amcseg->sig = AMCSegSig;
  PoolGenAddSeg(&gen->pgenStruct, size);
  amc->totalSize += size;
  *segReturn = seg;
  return ResOK;
}

static Size amcSegSizeFor(AMC amc, Size size)
{
  Size grain = ArenaGrainSize(PoolArena(&amc->poolStruct));
  if (size >= amc->largeSize)
    return SizeAlignUp(size, grain);
  return SizeAlignUp(SizeMax(amc->extendBy, size), grain);
}

/* Fill [base, limit) of a segment with one padding object. */
static void amcPad(Pool pool, Addr base, Addr limit)
{
  if (base < limit)
    pool->format->pad(base, AddrOffset(base, limit));
}

/* Allocation points */

static Res amcBufferInit(Buffer buffer, Pool pool, ArgList args)
{
  ArgStruct arg;
  UNUSED(pool);
  AMCBufOf(buffer)->hashArrays = FALSE;
  if (ArgPick(&arg, args, MPS_KEY_AP_HASH_ARRAYS))
    AMCBufOf(buffer)->hashArrays = arg.val.b != 0;
  (void)ArgPick(&arg, args, MPS_KEY_RANK);
  buffer->rank = RankEXACT;
  return ResOK;
}

/* Does allocation through this buffer count toward the nursery's new
 * size?  Not for hash arrays, nor while a ramp is open (contract 9.4). */
static Bool amcBufferCounts(AMC amc, Buffer buffer)
{
  return !AMCBufOf(buffer)->hashArrays && amc->rampDepth == 0;
}

static Res amcBufferFill(Addr *baseReturn, Addr *limitReturn, Pool pool,
                         Buffer buffer, Size size)
{
  AMC amc = AMCOf(pool);
  AMCGen nursery = &amc->gens[0];
  Seg seg;
  Res res;

  AVERT(AMC, amc);
  res = amcSegCreate(&seg, amc, nursery, amcSegSizeFor(amc, size));
  if (res != ResOK)
    return res;
  seg->buffer = buffer;
  buffer->seg = seg;
  if (amcBufferCounts(amc, buffer))
    PoolGenNew(&nursery->pgenStruct, SegSize(seg));
  VG_UNDEFINED(SegBase(seg), SegSize(seg));
  *baseReturn = SegBase(seg);
  *limitReturn = SegLimit(seg);
  return ResOK;
}

static void amcBufferEmpty(Pool pool, Buffer buffer, Addr init, Addr limit)
{
  AMC amc = AMCOf(pool);
  Seg seg = buffer->seg;
  AMCSeg amcseg = AMCSegOf(seg);
  AVER(SegBuffer(seg) == buffer);
  seg->buffer = NULL;
  buffer->seg = NULL;
  if (amcBufferCounts(amc, buffer))
    PoolGenUnnew(&amcseg->gen->pgenStruct, AddrOffset(init, limit));
  if (init == SegBase(seg) && SegWhite(seg) == TraceSetEMPTY
      && SegGrey(seg) == TraceSetEMPTY) {
    amcSegFree(amc, seg);       /* nothing was ever allocated in it */
    return;
  }
  amcPad(pool, init, limit);
  amcseg->top = limit;
}

static void amcRampBegin(Pool pool, Buffer buffer, Bool collectAll)
{
  AMC amc = AMCOf(pool);
  UNUSED(buffer);
  ++amc->rampDepth;
  if (collectAll)
    amc->rampCollectAll = TRUE;
}

static void amcRampEnd(Pool pool, Buffer buffer, Bool collectAll)
{
  AMC amc = AMCOf(pool);
  UNUSED(buffer);
  AVER(amc->rampDepth > 0);
  --amc->rampDepth;
  if (amc->rampDepth == 0) {
    if (collectAll || amc->rampCollectAll)
      ArenaRequestFullCollection(PoolArena(pool));
    amc->rampCollectAll = FALSE;
  }
}

static Size amcTotalSize(Pool pool)
{
  return AMCOf(pool)->totalSize;
}

/* Every byte of a segment is an object, padding, or buffer space that
 * counts as in use (contract 5): AMC keeps no free memory. */
static Size amcFreeSize(Pool pool)
{
  UNUSED(pool);
  return 0;
}

/* Condemning and greying */

static Res amcWhiten(Pool pool, Trace trace, Seg seg)
{
  AMCSeg amcseg = AMCSegOf(seg);
  UNUSED(pool);
  AVERT(AMCSeg, amcseg);
  AVER(amcseg->nail == AMCNailNONE);
  AVER(amcseg->claims == NULL);
  if (trace->parallel)
    amcseg->claims = ParClaimsCreate(trace, amcseg->grains);
  /* A buffer still attached holds a reservation the client is filling
   * in: nothing in the segment may move or go, so it is nailed whole. */
  if (SegBuffer(seg) != NULL) {
    amcseg->nail = AMCNailWHOLE;
    amcseg->scanned = SegBase(seg);
    if (SegRankSet(seg) != RankSetEMPTY)
      TraceSegGrey(trace, seg);
  }
  TraceSegCondemned(trace, seg, AddrOffset(SegBase(seg), amcSegObjectsLimit(seg)));
  return ResOK;
}

static void amcNailWhole(Trace trace, Seg seg);

/* Also called after a parallel phase for a segment with parRegrey set: a
 * to-space segment whose objects were not all scanned is scanned whole
 * again; a condemned one held an object that no to-space could be found
 * for, which stayed, so the segment is nailed whole (as amcFix does
 * serially). */
static void amcGrey(Pool pool, Trace trace, Seg seg)
{
  UNUSED(pool);
  if (TraceSetIsMember(SegWhite(seg), trace->ti)) {
    AVER(seg->parRegrey);
    amcNailWhole(trace, seg);
    return;
  }
  if (SegRankSet(seg) == RankSetEMPTY)
    return;
  AMCSegOf(seg)->scanned = SegBase(seg);
  TraceSegGrey(trace, seg);
}

/* Pin the whole segment: every object in it stays. */
static void amcNailWhole(Trace trace, Seg seg)
{
  AMCSeg amcseg = AMCSegOf(seg);
  amcSegBoardFree(amcseg);
  amcseg->nail = AMCNailWHOLE;
  amcseg->scanned = SegBase(seg);
  if (SegRankSet(seg) != RankSetEMPTY)
    TraceSegGrey(trace, seg);
}

/* Give a condemned segment a nailboard; FALSE if there is no memory. */
static Bool amcNailBoard(Seg seg)
{
  AMCSeg amcseg = AMCSegOf(seg);
  Pool pool = SegPool(seg);
  Arena arena = PoolArena(pool);
  Size header = AMCOf(pool)->headerSize;
  mps_fmt_skip_t skip = pool->format->skip;
  Addr base, limit;
  void *p;
  if (ControlAlloc(&p, arena, 3 * BT_SIZE(amcseg->grains)) != ResOK)
    return FALSE;
  amcseg->starts = p;
  amcseg->marks = (BT)(void *)AddrAdd(p, BT_SIZE(amcseg->grains));
  amcseg->greys = (BT)(void *)AddrAdd(p, 2 * BT_SIZE(amcseg->grains));
  BTResRange(amcseg->starts, 0, amcseg->grains);
  BTResRange(amcseg->marks, 0, amcseg->grains);
  BTResRange(amcseg->greys, 0, amcseg->grains);
  amcseg->hasGrey = FALSE;
  limit = amcSegObjectsLimit(seg);
  for (base = SegBase(seg); base < limit;
       base = AddrSub((Addr)skip(AddrAdd(base, header)), header))
    BTSet(amcseg->starts, amcIndex(seg, base));
  amcseg->nail = AMCNailBOARD;
  return TRUE;
}

/* Mark the object whose base is `base` in a boarded segment. */
static void amcBoardMark(ScanState ss, Trace trace, Seg seg, Addr base)
{
  AMCSeg amcseg = AMCSegOf(seg);
  Index i = amcIndex(seg, base);
  if (BTGet(amcseg->marks, i))
    return;
  BTSet(amcseg->marks, i);
  ss->wasMarked = FALSE;
  if (SegRankSet(seg) != RankSetEMPTY) {
    BTSet(amcseg->greys, i);
    amcseg->hasGrey = TRUE;
    TraceSegGrey(trace, seg);
  }
}

/* Fixing */

static Res amcFixAmbig(Seg seg, ScanState ss, Addr ref)
{
  AMCSeg amcseg = AMCSegOf(seg);
  AMC amc = AMCOf(SegPool(seg));
  Format format = SegPool(seg)->format;
  Trace trace = amcTrace(ss);
  Addr base, client;
  Index i;

  if (amcseg->nail == AMCNailWHOLE)
    return ResOK;
  if (ref >= amcSegObjectsLimit(seg))
    return ResOK;               /* beyond the objects: no object there */
  if (amcseg->nail == AMCNailNONE && !amcNailBoard(seg)) {
    amcNailWhole(trace, seg);
    return ResOK;
  }
  /* Find the object: the last start at or below ref. */
  i = amcIndex(seg, ref);
  if (!BTGet(amcseg->starts, i)) {
    Index j = BTFindSetHigh(amcseg->starts, 0, i);
    if (j == i)
      return ResOK;
    i = j;
  }
  base = amcAddr(seg, i);
  client = AddrAdd(base, amc->headerSize);
  if (amc->interior || ss->pinning) {
    if (ref >= AddrSub((Addr)format->skip(client), amc->headerSize))
      return ResOK;
  } else if (ref != client) {
    return ResOK;
  }
  /* An object already moved cannot be pinned: its old copy is a marker
   * and nothing there refers to it any more. */
  if (format->isMoved(client) != NULL)
    return ResOK;
  amcBoardMark(ss, trace, seg, base);
  return ResOK;
}

/* Copy the object at ref into the forwarding region of gen. */
static Res amcForwardAlloc(Addr *baseReturn, Trace trace, AMC amc, AMCGen gen, Size size)
{
  Addr base;
  if (gen->fwdSeg == NULL || AddrOffset(gen->fwdInit, gen->fwdLimit) < size) {
    Seg seg;
    Res res = amcSegCreate(&seg, amc, gen, amcSegSizeFor(amc, size));
    if (res != ResOK)
      return res;
    VG_UNDEFINED(SegBase(seg), SegSize(seg));
    if (size >= amc->largeSize) {
      /* A large object gets a segment of its own; the region stays. */
      AMCSeg amcseg = AMCSegOf(seg);
      amcPad(&amc->poolStruct, AddrAdd(SegBase(seg), size), SegLimit(seg));
      amcseg->top = SegLimit(seg);
      if (amc->scanned)
        TraceSegGrey(trace, seg);
      *baseReturn = SegBase(seg);
      return ResOK;
    }
    if (gen->fwdSeg != NULL) {
      amcPad(&amc->poolStruct, gen->fwdInit, gen->fwdLimit);
      AMCSegOf(gen->fwdSeg)->top = gen->fwdLimit;
    }
    gen->fwdSeg = seg;
    gen->fwdInit = SegBase(seg);
    gen->fwdLimit = SegLimit(seg);
  }
  base = gen->fwdInit;
  gen->fwdInit = AddrAdd(base, size);
  AMCSegOf(gen->fwdSeg)->top = gen->fwdInit;
  if (amc->scanned)
    TraceSegGrey(trace, gen->fwdSeg);
  *baseReturn = base;
  return ResOK;
}

/* Copying in a parallel phase.
 *
 * Exactly once: the first fix to set an object's claim bit copies it; any
 * other fix of the same object waits until the claimer sets the object's
 * done bit (with release ordering, after the format's move wrote the
 * forwarding marker), and then reads the marker.  So the client's isMoved
 * and move methods never run on one object at the same time, although
 * they are not atomic.  Each worker copies into regions of its own, one
 * per destination generation (ParWorkerRegion), and pushes each copy as
 * work: to-space segments made in a phase are neither grey nor scanned
 * linearly; their summaries are made from the objects' scans (parFresh). */

/* Close a worker's region (the Par lock is held): the unused tail becomes
 * padding, and the generation is charged for what was copied. */
static void amcRegionClose(ParRegion r)
{
  AMCGen gen = r->key;
  if (r->seg != NULL) {
    amcPad(&gen->amc->poolStruct, r->init, r->limit);
    AMCSegOf(r->seg)->top = r->limit;
    PoolGenNew(&gen->pgenStruct, r->used);
  }
  r->seg = NULL;
  r->init = r->limit = NULL;
  r->used = 0;
}

/* A new to-space segment for a worker (takes the Par lock); `promoted`
 * bytes copied into it from a younger generation are new in gen. */
static Res amcParSegCreate(Seg *segReturn, ParWorker w, AMC amc, AMCGen gen, Size size,
                           ParRegion closing, Size promoted)
{
  Res res;
  ParLock(w);
  if (closing != NULL)
    amcRegionClose(closing);
  res = amcSegCreate(segReturn, amc, gen, size);
  if (res == ResOK)
    PoolGenNew(&gen->pgenStruct, promoted);
  ParUnlock(w);
  if (res == ResOK)
    (*segReturn)->parFresh = TRUE;
  return res;
}

/* Where a copy out of generation `from` goes (its next generation).
 * *regionReturn: the copy went into the worker's region, which is
 * scanned in order (so the caller need not push it).  A copy into
 * another generation is new there (amcRegionClose charges it); one
 * within the top generation is not. */
static Res amcParAlloc(Addr *baseReturn, Seg *segReturn, Bool *regionReturn,
                       ParWorker w, AMC amc, AMCGen from, Size size)
{
  AMCGen gen = from->next;
  ParRegion r;
  Seg seg;
  Res res;
  if (size >= amc->largeSize) {
    /* A segment of its own, which no one else knows of yet. */
    res = amcParSegCreate(&seg, w, amc, gen, amcSegSizeFor(amc, size), NULL,
                          gen != from ? size : 0);
    if (res != ResOK)
      return res;
    amcPad(&amc->poolStruct, AddrAdd(SegBase(seg), size), SegLimit(seg));
    AMCSegOf(seg)->top = SegLimit(seg);
    *baseReturn = SegBase(seg);
    *segReturn = seg;
    *regionReturn = FALSE;
    return ResOK;
  }
  r = ParWorkerRegion(w, gen);
  r->close = amcRegionClose;
  if (r->seg == NULL || AddrOffset(r->init, r->limit) < size) {
    /* Each segment a region takes in a phase is twice the last, up to
     * 2^AMC_PAR_SEG_DOUBLINGS times extendBy: a worker that copies much makes few segments (each
     * takes the Par lock and searches the arena), and one that copies
     * little wastes at most about what it copied in the unused tail. */
    Size segSize = amcSegSizeFor(amc, size);
    Count doublings = r->fills < AMC_PAR_SEG_DOUBLINGS ? r->fills : AMC_PAR_SEG_DOUBLINGS;
    if (segSize < (amc->extendBy << doublings))
      segSize = SizeAlignUp(amc->extendBy << doublings,
                            ArenaGrainSize(PoolArena(&amc->poolStruct)));
    ParRegionFlush(w, r);       /* its unscanned objects become entries */
    res = amcParSegCreate(&seg, w, amc, gen, segSize, r, 0);
    if (res != ResOK && segSize > amcSegSizeFor(amc, size))
      res = amcParSegCreate(&seg, w, amc, gen, amcSegSizeFor(amc, size), r, 0);
    if (res != ResOK)
      return res;
    ++r->fills;
    r->seg = seg;
    r->scanned = r->init = SegBase(seg);
    r->limit = SegLimit(seg);
  }
  *regionReturn = TRUE;
  *baseReturn = r->init;
  *segReturn = r->seg;
  r->init = AddrAdd(r->init, size);
  if (gen != from)
    r->used += size;
  if (!amc->scanned)
    r->scanned = r->init;       /* AMCZ: nothing in it to scan */
  return ResOK;
}

static Res amcFixParallel(Seg seg, ScanState ss, Addr *refIO)
{
  AMCSeg amcseg = AMCSegOf(seg);
  AMC amc = AMCOf(SegPool(seg));
  Format format = SegPool(seg)->format;
  ParWorker w = ss->worker;
  Addr ref = *refIO, base = AddrSub(ref, amc->headerSize);
  Index i = amcIndex(seg, base);
  Addr moved, newBase;
  Seg newSeg;
  Bool inRegion;
  Size size;

  AVER(ss->rank == RankEXACT);
  AVER(amcseg->claims != NULL);
  /* Every path below reads the object (its forwarding marker, or its
   * size): start that miss now, so that it overlaps the claim table's
   * (another worker may have written that line). */
  __builtin_prefetch(base);
  if (ParClaimIsDone(amcseg->claims, i)) {
    /* Done with already (it moved, or it stays): as serially, a moved
     * object's marker is followed even in a segment nailed since. */
    moved = (Addr)format->isMoved(ref);
    if (moved != NULL)
      *refIO = moved;
    return ResOK;
  }
  if (amcseg->nail == AMCNailWHOLE)
    return ResOK;
  if (amcseg->nail == AMCNailBOARD && BTGet(amcseg->marks, i))
    return ResOK;               /* the board is only written serially */
  if (ParClaim(amcseg->claims, i) != ParClaimMINE) {
    ParClaimWait(amcseg->claims, i);
    moved = (Addr)format->isMoved(ref);
    if (moved != NULL)
      *refIO = moved;           /* else it stays (emergency, below) */
    return ResOK;
  }
  size = AddrOffset(ref, (Addr)format->skip(ref));
  if (amcParAlloc(&newBase, &newSeg, &inRegion, w, amc, amcseg->gen, size) != ResOK) {
    /* No to-space: the object stays, and after the phase the segment is
     * nailed whole (amcGrey), as a serial fix would have done. */
    ParWorkerCounts(w)->emergency = TRUE;
    __atomic_store_n(&seg->parRegrey, TRUE, __ATOMIC_RELAXED);
    ParClaimSetDone(amcseg->claims, i);
    return ResOK;
  }
  memcpy(newBase, base, size);
  moved = AddrAdd(newBase, amc->headerSize);
  format->move(ref, moved);
  ParClaimSetDone(amcseg->claims, i);
  ParCountPreserved(w, seg, size);
  ss->wasMarked = FALSE;
  if (amc->scanned && !inRegion && !ParPush(w, newSeg, moved))
    __atomic_store_n(&newSeg->parRegrey, TRUE, __ATOMIC_RELAXED);
  *refIO = moved;
  return ResOK;
}

static Res amcFix(Seg seg, ScanState ss, Addr *refIO)
{
  AMCSeg amcseg = AMCSegOf(seg);
  Pool pool = SegPool(seg);
  AMC amc = AMCOf(pool);
  Format format = pool->format;
  Addr ref = *refIO;
  Addr moved, base, newBase;
  Size size;
  Trace trace;

  if (ss->rank == RankAMBIG)
    return amcFixAmbig(seg, ss, ref);
  if (ss->worker != NULL)
    return amcFixParallel(seg, ss, refIO);

  AVER(ref < amcSegObjectsLimit(seg));
  moved = (Addr)format->isMoved(ref);
  if (moved != NULL) {
    *refIO = moved;
    return ResOK;
  }
  trace = amcTrace(ss);
  base = AddrSub(ref, amc->headerSize);
  if (amcseg->nail == AMCNailWHOLE)
    return ResOK;               /* stays where it is, and is scanned */
  if (amcseg->nail == AMCNailBOARD && BTGet(amcseg->marks, amcIndex(seg, base)))
    return ResOK;               /* nailed: stays where it is */
  if (ss->rank == RankWEAK) {
    *refIO = NULL;              /* not preserved by any strong path */
    return ResOK;
  }
  size = AddrOffset(ref, (Addr)format->skip(ref));
  if (amcForwardAlloc(&newBase, trace, amc, amcseg->gen->next, size) != ResOK) {
    /* No to-space: keep the segment's objects where they are. */
    trace->emergency = TRUE;
    amcNailWhole(trace, seg);
    return ResOK;
  }
  memcpy(newBase, base, size);
  moved = AddrAdd(newBase, amc->headerSize);
  format->move(ref, moved);
  if (amcseg->claims != NULL) {
    /* So that a later parallel phase sees it has moved.  No phase may
     * have claimed it: it would have moved it, or nailed the segment. */
    Index i = amcIndex(seg, base);
    AVER(!ParClaimIsDone(amcseg->claims, i));
    ParClaimSetDone(amcseg->claims, i);
  }
  if (amcseg->gen->next != amcseg->gen)
    PoolGenNew(&amcseg->gen->next->pgenStruct, size);  /* promoted: new there */
  TracePreserved(trace, seg, size);
  ss->wasMarked = FALSE;
  *refIO = moved;
  return ResOK;
}

/* Scanning */

/* Scan [from, to) of a segment's objects in one call of the format. */
static Res amcScanRange(ScanState ss, Pool pool, Addr from, Addr to)
{
  Size header = AMCOf(pool)->headerSize;
  Res res;
  if (from >= to)
    return ResOK;
  ScanStateBeginClient(ss);
  res = pool->format->scan(ScanStateMPS(ss), AddrAdd(from, header), AddrAdd(to, header));
  (void)ScanStateEndClient(ss);
  if (res == ResOK)
    ss->scannedSize += AddrOffset(from, to);
  return res;
}

static Res amcScanBoard(ScanState ss, Pool pool, Seg seg)
{
  AMCSeg amcseg = AMCSegOf(seg);
  Size header = AMCOf(pool)->headerSize;
  mps_fmt_skip_t skip = pool->format->skip;
  while (amcseg->hasGrey) {
    Index i = BTFindSet(amcseg->greys, 0, amcseg->grains);
    amcseg->hasGrey = FALSE;
    while (i < amcseg->grains) {
      Addr base = amcAddr(seg, i);
      Addr next = AddrSub((Addr)skip(AddrAdd(base, header)), header);
      Res res;
      BTRes(amcseg->greys, i);
      res = amcScanRange(ss, pool, base, next);
      if (res != ResOK) {
        BTSet(amcseg->greys, i);
        amcseg->hasGrey = TRUE;
        return res;
      }
      i = BTFindSet(amcseg->greys, amcIndex(seg, next), amcseg->grains);
    }
  }
  return ResOK;
}

static Res amcScan(Bool *totalReturn, ScanState ss, Pool pool, Seg seg)
{
  AMCSeg amcseg = AMCSegOf(seg);
  AVERT(AMCSeg, amcseg);
  if (amcseg->nail == AMCNailBOARD) {
    *totalReturn = FALSE;
    return amcScanBoard(ss, pool, seg);
  }
  /* Linear: the segment may grow while it is scanned (it may be the
   * forwarding region), so go on until scanning catches up.  The scan is
   * total (its summary exact) if it started at the base. */
  *totalReturn = amcseg->scanned == SegBase(seg);
  for (;;) {
    Addr limit = amcSegObjectsLimit(seg);
    Res res;
    if (amcseg->scanned >= limit)
      break;
    res = amcScanRange(ss, pool, amcseg->scanned, limit);
    if (res != ResOK)
      return res;
    amcseg->scanned = limit;
  }
  return ResOK;
}

/* Reclaiming */

static void amcReclaimNailed(AMC amc, Trace trace, Seg seg)
{
  Pool pool = &amc->poolStruct;
  AMCSeg amcseg = AMCSegOf(seg);
  Format format = pool->format;
  Size header = amc->headerSize;
  Addr limit = amcSegObjectsLimit(seg);
  Addr base = SegBase(seg);
  Size live = 0;
  /* Dead objects and forwarding markers become padding, merged into runs. */
  Addr padBase = NULL;
  while (base < limit) {
    Addr client = AddrAdd(base, header);
    Addr next = AddrSub((Addr)format->skip(client), header);
    Bool keep;
    if (format->isMoved(client) != NULL)
      keep = FALSE;
    else if (amcseg->nail == AMCNailWHOLE)
      keep = TRUE;
    else
      keep = BTGet(amcseg->marks, amcIndex(seg, base));
    if (keep) {
      if (padBase != NULL) {
        amcPad(pool, padBase, base);
        padBase = NULL;
      }
      live += AddrOffset(base, next);
    } else if (padBase == NULL) {
      padBase = base;
    }
    base = next;
  }
  if (padBase != NULL)
    amcPad(pool, padBase, limit);
  TracePreserved(trace, seg, live);     /* objects kept in place */
  amcSegBoardFree(amcseg);
  amcSegClaimsFree(amcseg);
  amcseg->nail = AMCNailNONE;
  SegSetWhite(seg, SegWhite(seg) & ~TraceSetSingle(trace->ti));
  if (live == 0 && SegBuffer(seg) == NULL)
    amcSegFree(amc, seg);
}

static void amcReclaim(Pool pool, Trace trace, Seg seg)
{
  AMC amc = AMCOf(pool);
  AMCSeg amcseg = AMCSegOf(seg);
  AVERT(AMCSeg, amcseg);
  if (amcseg->nail != AMCNailNONE) {
    amcReclaimNailed(amc, trace, seg);
    return;
  }
  AVER(SegBuffer(seg) == NULL);
  trace->reclaimed += SegSize(seg);
  VG_NOACCESS(SegBase(seg), SegSize(seg));
  amcSegFree(amc, seg);
}

/* At the end of a trace the forwarding regions are closed: their unused
 * tails become padding, and the next trace starts new ones. */
static void amcTraceEnd(Pool pool, Trace trace)
{
  AMC amc = AMCOf(pool);
  Index i;
  UNUSED(trace);
  for (i = 0; i < amc->genCount; ++i) {
    AMCGen gen = &amc->gens[i];
    if (gen->fwdSeg != NULL) {
      amcPad(pool, gen->fwdInit, gen->fwdLimit);
      AMCSegOf(gen->fwdSeg)->top = gen->fwdLimit;
      gen->fwdSeg = NULL;
      gen->fwdInit = gen->fwdLimit = NULL;
    }
  }
}

/* Walking and queries */

static Res amcWalk(Pool pool, mps_area_scan_t scanArea, void *closure)
{
  AMC amc = AMCOf(pool);
  ScanStateStruct ss;
  Ring node, next;
  Res res = ResOK;
  ScanStateInitNull(&ss, PoolArena(pool));
  RING_FOR(node, &pool->segRing, next) {
    Seg seg = RING_ELT(Seg, poolRing, node);
    Addr limit = amcSegObjectsLimit(seg);
    if (SegBase(seg) < limit) {
      res = scanArea(ScanStateMPS(&ss), AddrAdd(SegBase(seg), amc->headerSize),
                     AddrAdd(limit, amc->headerSize), closure);
      if (res != ResOK)
        break;
    }
  }
  ScanStateFinish(&ss);
  return res;
}

static Res amcAddrObject(Addr *pReturn, Pool pool, Addr addr)
{
  AMC amc = AMCOf(pool);
  Format format = pool->format;
  Seg seg;
  Addr base, limit;
  if (!SegOfAddr(&seg, PoolArena(pool), addr) || SegPool(seg) != pool)
    return ResFAIL;
  limit = amcSegObjectsLimit(seg);
  base = SegBase(seg);
  while (base < limit) {
    Addr client = AddrAdd(base, amc->headerSize);
    Addr next = AddrSub((Addr)format->skip(client), amc->headerSize);
    if (addr < next) {
      if (format->isMoved(client) != NULL)
        return ResFAIL;         /* the object has moved */
      *pReturn = client;
      return ResOK;
    }
    base = next;
  }
  return ResFAIL;
}

void mps_amc_apply(mps_pool_t pool, mps_amc_apply_stepper_t f, void *p, size_t s)
{
  Ring node;
  AMC amc;
  Arena arena;
  ARGCHECK_VOID(TESTT(Pool, pool));
  ARGCHECK_VOID(pool->klass == PoolClassAMC() || pool->klass == PoolClassAMCZ());
  ARGCHECK_VOID(f != NULL);
  amc = AMCOf(pool);
  arena = PoolArena(pool);
  ARGCHECK_VOID(arena->state == ArenaPARKED || arena->state == ArenaPOSTMORTEM); /* parked */
  ArenaEnter(arena);
  for (node = pool->segRing.next; node != &pool->segRing; node = node->next) {
    Seg seg = RING_ELT(Seg, poolRing, node);
    Addr limit = amcSegObjectsLimit(seg);
    Addr client = AddrAdd(SegBase(seg), amc->headerSize);
    while (AddrSub(client, amc->headerSize) < limit) {
      Addr next = (Addr)pool->format->skip(client);
      f(client, p, s);
      client = next;
    }
  }
  ArenaLeave(arena);
}

/* The classes */

static const PoolClassStruct poolClassAMCStruct = {
  PoolClassSig, "AMC", sizeof(AMCStruct), sizeof(AMCBufStruct),
  PoolAttrGC | PoolAttrFORMAT | PoolAttrMOVING | PoolAttrSCAN | PoolAttrPARALLEL,
  amcVarargs, amcInit, amcFinish,
  NULL, NULL,                               /* alloc, free */
  amcBufferInit, NULL, amcBufferFill, amcBufferEmpty,
  NULL, NULL,                               /* frames: accepted, ignored */
  amcRampBegin, amcRampEnd,
  amcTotalSize, amcFreeSize,
  amcWalk, amcAddrObject, NULL,
  amcWhiten, amcGrey, amcScan, amcFix, amcFix,
  amcReclaim, amcTraceEnd
};

static const PoolClassStruct poolClassAMCZStruct = {
  PoolClassSig, "AMCZ", sizeof(AMCStruct), sizeof(AMCBufStruct),
  PoolAttrGC | PoolAttrFORMAT | PoolAttrMOVING | PoolAttrPARALLEL,
  amcVarargs, amczInit, amcFinish,
  NULL, NULL,
  amcBufferInit, NULL, amcBufferFill, amcBufferEmpty,
  NULL, NULL,
  amcRampBegin, amcRampEnd,
  amcTotalSize, amcFreeSize,
  amcWalk, amcAddrObject, NULL,
  amcWhiten, NULL, NULL, amcFix, amcFix,
  amcReclaim, amcTraceEnd
};

PoolClass PoolClassAMC(void) { return &poolClassAMCStruct; }
PoolClass PoolClassAMCZ(void) { return &poolClassAMCZStruct; }
mps_pool_class_t mps_class_amc(void) { return (mps_pool_class_t)PoolClassAMC(); }
mps_pool_class_t mps_class_amcz(void) { return (mps_pool_class_t)PoolClassAMCZ(); }

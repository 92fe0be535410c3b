/* marksweep.c: non-moving mark-sweep segments (see marksweep.h) */

#include "marksweep.h"
#include "dbgpool.h"
#include "format.h"
#include "trace.h"
#include "buffer.h"
#include "args.h"
#include "vgmem.h"
#include "shield.h"
#include "parallel.h"
#include "pargrey.h"
#include <string.h>

#define MS_SEG_SIZE_DEFAULT ((Size)64 * 1024)

Bool MSPoolCheck(MSPool mspool)
{
  Pool pool = &mspool->poolStruct;
  CHECKS(MSPool, mspool);
  CHECKL(pool->format != NULL);
  CHECKL(mspool->freeSize <= mspool->totalSize);
  CHECKL(mspool->headerSize == pool->format->headerSize);
  return TRUE;
}

Bool MSSegCheck(MSSeg msseg)
{
  Seg seg = &msseg->segStruct;
  Pool pool = SegPool(seg);
  CHECKS(MSSeg, msseg);
  CHECKD(Seg, seg);
  CHECKL(msseg->grains == SegSize(seg) >> pool->alignShift);
  CHECKL(msseg->freeGrains <= msseg->grains);
  CHECKL(msseg->maxRun <= msseg->grains);
  return TRUE;
}

static inline Index msIndex(Seg seg, Addr addr)
{
  return (Index)(AddrOffset(SegBase(seg), addr) >> SegPool(seg)->alignShift);
}

static inline Addr msAddr(Seg seg, Index i)
{
  return AddrAdd(SegBase(seg), (Size)i << SegPool(seg)->alignShift);
}

static Size msSegDescSize(Count grains)
{
  return SizeAlignUp(sizeof(MSSegStruct), sizeof(Word)) + 4 * BT_SIZE(grains)
         + BT_SIZE(BT_WORDS(grains));
}

/* The common pool */

Res MSPoolInit(Pool pool, Arena arena, ArgList args, Bool scanned,
               Index defaultGen, Bool takesGen)
{
  MSPool mspool = MSPoolOf(pool);
  Format format;
  Chain chain;
  Index gen;
  Res res;

  res = FormatPickForPool(&format, arena, args, scanned, FALSE);
  if (res != ResOK)
    return res;
  res = ChainPickForPool(&chain, &gen, arena, args, defaultGen, takesGen);
  if (res != ResOK) {
    FormatReleaseForPool(format);
    return res;
  }
  pool->format = format;
  pool->alignment = format->alignment;
  pool->alignShift = SizeLog2(format->alignment);
  mspool->chain = chain;
  PoolGenInit(&mspool->pgenStruct, ChainGen(chain, gen), pool);
  mspool->headerSize = format->headerSize;
  mspool->segSize = SizeMax(MS_SEG_SIZE_DEFAULT, ArenaGrainSize(arena));
  mspool->fillSeg = NULL;
  mspool->scanned = scanned;
  mspool->supportAmbiguous = TRUE;
  mspool->totalSize = 0;
  mspool->freeSize = 0;
  mspool->findDependent = NULL;
  mspool->sig = MSPoolSig;
  return ResOK;
}

static void msSegFree(MSPool mspool, Seg seg)
{
  Size size = SegSize(seg);
  MSSeg msseg = MSSegOf(seg);
  mspool->totalSize -= size;
  mspool->freeSize -= msseg->freeGrains << SegPool(seg)->alignShift;
  if (PoolHasAttr(SegPool(seg), PoolAttrDEBUG))
    DebugPoolMSSegRelease(seg);
  PoolGenRemoveSeg(&mspool->pgenStruct, size);
  if (mspool->fillSeg == seg)
    mspool->fillSeg = NULL;
  msseg->sig = SigINVALID;
  seg->vgHide = NULL;           /* the tables go with the segment */
  SegFree(seg);
}

void MSPoolFinish(Pool pool)
{
  MSPool mspool = MSPoolOf(pool);
  Ring node, next;
  AVERT(MSPool, mspool);
  RING_FOR(node, &pool->segRing, next) {
    Seg seg = RING_ELT(Seg, poolRing, node);
    /* The pool is going: its memory is dead to memcheck's client too. */
    msSegFree(mspool, seg);
  }
  PoolGenFinish(&mspool->pgenStruct);
  ChainReleaseForPool(mspool->chain);
  FormatReleaseForPool(pool->format);
  mspool->sig = SigINVALID;
}

Size MSTotalSize(Pool pool) { return MSPoolOf(pool)->totalSize; }
Size MSFreeSize(Pool pool) { return MSPoolOf(pool)->freeSize; }

/* Memcheck: mark each run of free grains no-access again (after a change
 * of protection: see SegStruct.vgHide).  Free grains are exactly those
 * whose alloc bit is reset: a buffer's grains are allocated. */
static void msSegVGHide(Seg seg)
{
  MSSeg msseg = MSSegOf(seg);
  Shift shift = SegPool(seg)->alignShift;
  Index i = 0, j;
  while (i < msseg->grains) {
    i = BTFindRes(msseg->allocTable, i, msseg->grains);
    if (i >= msseg->grains)
      break;
    j = BTFindSet(msseg->allocTable, i, msseg->grains);
    VG_NOACCESS(AddrAdd(SegBase(seg), (Size)i << shift), (Size)(j - i) << shift);
    i = j;
  }
}

static Res msSegCreate(Seg *segReturn, MSPool mspool, Size size, RankSet rankSet)
{
  Pool pool = &mspool->poolStruct;
  Count grains = size >> pool->alignShift;
  Size descSize = msSegDescSize(grains);
  LocusPrefStruct pref;
  MSSeg msseg;
  Addr tables;
  Seg seg;
  Res res;

  GenDescLocusPref(&pref, mspool->pgenStruct.gen, PoolArena(pool));
  res = SegAlloc(&seg, descSize, &pref, size, pool);
  if (res != ResOK)
    return res;
  GenDescNoteSeg(mspool->pgenStruct.gen, PoolArena(pool), SegBase(seg), SegLimit(seg));
  msseg = MSSegOf(seg);
  tables = AddrAdd((Addr)msseg, SizeAlignUp(sizeof(MSSegStruct), sizeof(Word)));
  msseg->grains = grains;
  msseg->freeGrains = grains;
  msseg->maxRun = grains;
  msseg->fillHint = 0;
  msseg->allocTable = (BT)tables;
  msseg->startTable = (BT)AddrAdd(tables, BT_SIZE(grains));
  msseg->markTable = (BT)AddrAdd(tables, 2 * BT_SIZE(grains));
  msseg->greyTable = (BT)AddrAdd(tables, 3 * BT_SIZE(grains));
  msseg->greySummary = (BT)AddrAdd(tables, 4 * BT_SIZE(grains));
  BTResRange(msseg->allocTable, 0, grains);
  BTResRange(msseg->startTable, 0, grains);
  BTResRange(msseg->markTable, 0, grains);
  BTResRange(msseg->greyTable, 0, grains);
  BTResRange(msseg->greySummary, 0, BT_WORDS(grains));
  msseg->recordedLimit = SegBase(seg);
  msseg->hasGrey = FALSE;
  msseg->greyLow = grains;
  msseg->allGrey = FALSE;
  SegSetRankSet(seg, rankSet);
  if (rankSet != RankSetEMPTY)
    SegSetSummary(seg, ZoneSetUNIV);
  seg->pgen = &mspool->pgenStruct;
  seg->vgHide = msSegVGHide;
  /* A segment made while a trace has flipped is black for it: its objects
   * are new, and survive. */
  msseg->sig = MSSegSig;
  mspool->totalSize += size;
  mspool->freeSize += size;
  PoolGenAddSeg(&mspool->pgenStruct, size);
  VG_NOACCESS(SegBase(seg), size);
  if (PoolHasAttr(pool, PoolAttrDEBUG))
    DebugPoolFreeSplat(pool, SegBase(seg), SegLimit(seg));
  *segReturn = seg;
  return ResOK;
}

/* Record the starts of the objects committed in [from, to). */
static void msRecordStarts(Seg seg, Addr from, Addr to)
{
  Pool pool = SegPool(seg);
  MSSeg msseg = MSSegOf(seg);
  Size header = pool->format->headerSize;
  mps_fmt_skip_t skip = pool->format->skip;
  Addr base = from;
  while (base < to) {
    Addr next = (Addr)skip(AddrAdd(base, header));
    AVER(next > AddrAdd(base, header));
    BTSet(msseg->startTable, msIndex(seg, base));
    base = AddrSub(next, header);
  }
  AVER(base == to);
}

/* Bring the record of a segment with a buffer up to the buffer's init. */
static void msRecordBuffer(Seg seg)
{
  MSSeg msseg = MSSegOf(seg);
  Buffer buffer = SegBuffer(seg);
  if (buffer != NULL && BufferInit(buffer) > msseg->recordedLimit) {
    msRecordStarts(seg, msseg->recordedLimit, BufferInit(buffer));
    msseg->recordedLimit = BufferInit(buffer);
  }
}

Res MSBufferInit(Buffer buffer, Pool pool, ArgList args)
{
  ArgStruct arg;
  UNUSED(pool);
  buffer->rank = RankEXACT;
  if (ArgPick(&arg, args, MPS_KEY_RANK))
    buffer->rank = arg.val.rank;
  return ResOK;
}

/* Find a free run of at least n grains in a segment the buffer may use,
 * next fit: from the segment where the last fill found one, and in each
 * segment from where its last run ended (the holes before it are mostly
 * too small: a fragmented segment would otherwise be walked from its
 * start on every fill).  Each segment's maxRun bounds its longest free
 * run, so a segment without one long enough is searched once for a given
 * size, not on every fill. */
static Bool msSegFindRun(Index *baseReturn, Index *limitReturn, MSSeg ms, Count n)
{
  Index hint = ms->fillHint < ms->grains ? ms->fillHint : 0;
  if (BTFindResRun(baseReturn, limitReturn, ms->allocTable, hint, ms->grains, n)
      || (hint > 0 && BTFindResRun(baseReturn, limitReturn, ms->allocTable, 0,
                                   hint + n - 1 < ms->grains ? hint + n - 1 : ms->grains,
                                   n))) {
    ms->fillHint = *limitReturn;
    return TRUE;
  }
  ms->maxRun = n - 1;
  return FALSE;
}

static Bool msFindRun(Seg *segReturn, Index *baseReturn, Index *limitReturn,
                      Pool pool, RankSet rankSet, Count n)
{
  MSPool mspool = MSPoolOf(pool);
  Ring start = mspool->fillSeg != NULL ? &mspool->fillSeg->poolRing : pool->segRing.next;
  Ring node = start;
  do {
    if (node != &pool->segRing) {
      Seg s = RING_ELT(Seg, poolRing, node);
      MSSeg ms = MSSegOf(s);
      if (ms->maxRun >= n && SegBuffer(s) == NULL && SegRankSet(s) == rankSet
          && SegWhite(s) == TraceSetEMPTY && SegGrey(s) == TraceSetEMPTY
          && msSegFindRun(baseReturn, limitReturn, ms, n)) {
        mspool->fillSeg = s;
        *segReturn = s;
        return TRUE;
      }
    }
    node = node->next;
  } while (node != start);
  return FALSE;
}

/* A buffer gets a whole free run: one of MS_FILL_GRAINS or more if some
 * segment has one, else one of MS_MIN_FILL_GRAINS or more, else a new
 * segment.  Holes smaller than that are left until their neighbours die
 * and they grow (as Immix leaves holes smaller than a line): handing
 * them out made a fragmented heap of small objects need a fill, and a
 * search, every few objects (the Scheme interpreter on AMS spent 95% of
 * its time there). */
#define MS_FILL_GRAINS ((Count)128)
#define MS_MIN_FILL_GRAINS ((Count)32)

Res MSBufferFill(Addr *baseReturn, Addr *limitReturn, Pool pool,
                 Buffer buffer, Size size)
{
  MSPool mspool = MSPoolOf(pool);
  RankSet rankSet = mspool->scanned ? RankSetSingle(buffer->rank) : RankSetEMPTY;
  Count n = size >> pool->alignShift;
  Index runBase = 0, runLimit = 0;
  MSSeg msseg;
  Seg seg = NULL;
  Addr base, limit;
  Res res;

  AVERT(MSPool, mspool);
  AVER(SizeIsAligned(size, pool->alignment));
  if (!(n < MS_FILL_GRAINS
        && msFindRun(&seg, &runBase, &runLimit, pool, rankSet, MS_FILL_GRAINS)))
    (void)msFindRun(&seg, &runBase, &runLimit, pool, rankSet,
                    n < MS_MIN_FILL_GRAINS ? MS_MIN_FILL_GRAINS : n);
  if (seg == NULL) {
    Size segSize = SizeMax(mspool->segSize, SizeAlignUp(size, ArenaGrainSize(PoolArena(pool))));
    res = msSegCreate(&seg, mspool, segSize, rankSet);
    if (res != ResOK)
      return res;
    runBase = 0;
    runLimit = MSSegOf(seg)->grains;
    mspool->fillSeg = seg;
  }
  msseg = MSSegOf(seg);
  /* The mutator will write new objects here: no barrier, no summary. */
  SegLowerBarrier(seg);
  if (SegRankSet(seg) != RankSetEMPTY)
    SegSetSummary(seg, ZoneSetUNIV);
  BTSetRange(msseg->allocTable, runBase, runLimit);
  msseg->freeGrains -= runLimit - runBase;
  mspool->freeSize -= (runLimit - runBase) << pool->alignShift;
  base = msAddr(seg, runBase);
  limit = msAddr(seg, runLimit);
  seg->buffer = buffer;
  buffer->seg = seg;
  msseg->recordedLimit = base;
  PoolGenNew(&mspool->pgenStruct, AddrOffset(base, limit));
  VG_UNDEFINED(base, AddrOffset(base, limit));
  *baseReturn = base;
  *limitReturn = limit;
  return ResOK;
}

void MSBufferEmpty(Pool pool, Buffer buffer, Addr init, Addr limit)
{
  MSPool mspool = MSPoolOf(pool);
  Seg seg = buffer->seg;
  MSSeg msseg = MSSegOf(seg);
  AVER(SegBuffer(seg) == buffer);
  if (init > msseg->recordedLimit)
    msRecordStarts(seg, msseg->recordedLimit, init);
  msseg->recordedLimit = init;
  if (init < limit) {
    Index i = msIndex(seg, init), l = msIndex(seg, limit);
    BTResRange(msseg->allocTable, i, l);
    msseg->freeGrains += l - i;
    msseg->maxRun = msseg->freeGrains;  /* the run may have grown */
    mspool->freeSize += AddrOffset(init, limit);
    PoolGenUnnew(&mspool->pgenStruct, AddrOffset(init, limit));
    VG_NOACCESS(init, AddrOffset(init, limit));
  }
  seg->buffer = NULL;
  buffer->seg = NULL;
}

/* Tracing */

static inline Trace msTrace(ScanState ss)
{
  return ArenaTrace(ss->arena, (TraceId)__builtin_ctz(ss->traces));
}

Res MSWhiten(Pool pool, Trace trace, Seg seg)
{
  MSSeg msseg = MSSegOf(seg);
  AVERT(MSSeg, msseg);
  msRecordBuffer(seg);
  BTResRange(msseg->markTable, 0, msseg->grains);
  BTResRange(msseg->greyTable, 0, msseg->grains);
  BTResRange(msseg->greySummary, 0, BT_WORDS(msseg->grains));
  msseg->hasGrey = FALSE;
  msseg->greyLow = msseg->grains;
  msseg->parQueued = FALSE;
  TraceSegCondemned(trace, seg, (msseg->grains - msseg->freeGrains) << pool->alignShift);
  return ResOK;
}

/* A segment that is not condemned but may refer to condemned objects:
 * every object in it is to be scanned. */
void MSGrey(Pool pool, Trace trace, Seg seg)
{
  MSSeg msseg = MSSegOf(seg);
  Index w;
  UNUSED(pool);
  if (seg->parRegrey && TraceSetIsMember(SegWhite(seg), trace->ti)) {
    /* After a parallel phase (trace.c): some objects were marked whose
     * scan was deferred or left unfinished, and which ones is not
     * recorded: scan every marked object again (rescanning is harmless,
     * and unmarked objects are dead). */
    ParGreyMarked(msseg->greyTable, msseg->greySummary, msseg->markTable, msseg->grains);
    msseg->hasGrey = TRUE;
    msseg->greyLow = 0;
    TraceSegGrey(trace, seg);
    return;
  }
  msRecordBuffer(seg);
  for (w = 0; w < BT_WORDS(msseg->grains); ++w)
    msseg->greyTable[w] = msseg->startTable[w];
  BTSetRange(msseg->greySummary, 0, BT_WORDS(msseg->grains));
  msseg->hasGrey = TRUE;
  msseg->greyLow = 0;
  msseg->allGrey = TRUE;
  TraceSegGrey(trace, seg);
}

Res MSScan(Bool *totalReturn, ScanState ss, Pool pool, Seg seg)
{
  MSSeg msseg = MSSegOf(seg);
  Format format = pool->format;
  Size header = format->headerSize;
  mps_ss_t mps_ss = ScanStateMPS(ss);
  Bool total;

  AVERT(MSSeg, msseg);
  if (ss->worker != NULL) {
    *totalReturn = FALSE;
    __atomic_store_n(&msseg->allGrey, FALSE, __ATOMIC_RELAXED);
    return ParGreyScan(ss, seg, msseg->greyTable, msseg->greySummary, &msseg->parQueued,
                       msseg->grains);
  }
  total = msseg->allGrey;
  msseg->allGrey = FALSE;
  msseg->parQueued = FALSE;
  /* Grey objects are scanned lowest first: a scan that greys an object
   * behind the one just scanned (a list whose cells point to older
   * cells at lower addresses) goes back to it at once, rather than after
   * a pass to the end of the segment, which made such a segment's scan
   * quadratic in its objects.  Every grey bit is at or above
   * min(cursor, greyLow). */
  if (msseg->hasGrey) {
    Index cursor = msseg->greyLow;
    msseg->greyLow = msseg->grains;
    for (;;) {
      Index from = cursor < msseg->greyLow ? cursor : msseg->greyLow;
      Index i, j;
      Addr first, end;
      Res res;
      msseg->greyLow = msseg->grains;
      i = BTFindSet(msseg->greyTable, from, msseg->grains);
      if (i >= msseg->grains)
        break;
      /* Scan a run of consecutive grey objects in one call. */
      first = end = AddrAdd(msAddr(seg, i), header);
      j = i;
      do {
        BTRes(msseg->greyTable, j);
        end = (Addr)format->skip(end);
        j = msIndex(seg, AddrSub(end, header));
      } while (j < msseg->grains && BTGet(msseg->greyTable, j));
      ScanStateBeginClient(ss);
      res = format->scan(mps_ss, first, end);
      (void)ScanStateEndClient(ss);
      if (res != ResOK) {
        /* Scan these objects again next time. */
        Addr p = first;
        while (p < end) {
          Index k = msIndex(seg, AddrSub(p, header));
          BTSet(msseg->greyTable, k);
          BTSet(msseg->greySummary, k >> WORD_SHIFT);
          p = (Addr)format->skip(p);
        }
        if (from < msseg->greyLow)
          msseg->greyLow = from;
        return res;
      }
      ss->scannedSize += AddrOffset(first, end);
      cursor = j;
    }
    msseg->hasGrey = FALSE;
  }
  /* Total only if every object was grey: otherwise black objects were
   * not scanned again and the old summary still counts. */
  *totalReturn = total;
  return ResOK;
}

/* A serial fix preserved the object at grain i of a scanned segment. */
static void msGreyObject(Trace trace, Seg seg, Index i)
{
  MSSeg msseg = MSSegOf(seg);
  BTSet(msseg->greyTable, i);
  BTSet(msseg->greySummary, i >> WORD_SHIFT);
  if (!msseg->hasGrey || i < msseg->greyLow)
    msseg->greyLow = i;
  msseg->hasGrey = TRUE;
  TraceSegGrey(trace, seg);
}

/* An explicit pin (tarn_pin) keeps the object containing any address in
 * it, whatever the pool's support for ambiguous references. */
static Res msFixPin(Seg seg, ScanState ss, Addr ref)
{
  MSSeg msseg = MSSegOf(seg);
  MSPool mspool = MSPoolOf(SegPool(seg));
  Index i = msIndex(seg, ref);
  Addr base, limit;
  if (!BTGet(msseg->startTable, i)) {
    Index j = BTFindSetHigh(msseg->startTable, 0, i);
    if (j == i)
      return ResOK;             /* below the first object */
    i = j;
  }
  base = msAddr(seg, i);
  limit = AddrSub((Addr)SegPool(seg)->format->skip(AddrAdd(base, mspool->headerSize)),
                  mspool->headerSize);
  if (ref >= limit || BTGet(msseg->markTable, i))
    return ResOK;
  BTSet(msseg->markTable, i);
  ss->wasMarked = FALSE;
  if (mspool->scanned)
    msGreyObject(msTrace(ss), seg, i);
  return ResOK;
}

/* MSFix in a parallel phase (exact rank only): the mark is claimed with
 * an atomic test-and-set, so exactly one worker preserves each object.
 * If its segment is exact, that worker sets the object's grey bit and,
 * unless an entry for the segment is already queued and not yet begun,
 * queues one (ParPushGreys): a worker takes the segment's grey objects
 * in address order (msScanParallel), as the serial scan does, rather
 * than one entry per object.  Otherwise (an ambiguous or weak segment:
 * its objects must be scanned at its own rank, later, serially) it asks
 * the coordinator to grey the segment after the phase. */
static Res msFixParallel(Seg seg, ScanState ss, Index i)
{
  MSSeg msseg = MSSegOf(seg);
  MSPool mspool = MSPoolOf(SegPool(seg));
  AVER(ss->rank == RankEXACT);
  if (ParBTTestAndSet(msseg->markTable, i))
    return ResOK;
  ss->wasMarked = FALSE;
  if (!mspool->scanned)
    return ResOK;
  if (SegRankSet(seg) == RankSetSingle(RankEXACT)) {
    if (!__atomic_load_n(&msseg->hasGrey, __ATOMIC_RELAXED)) {
      /* For a serial scan of what the phase leaves (traceParLeftover). */
      __atomic_store_n(&msseg->greyLow, (Index)0, __ATOMIC_RELAXED);
      __atomic_store_n(&msseg->hasGrey, TRUE, __ATOMIC_RELAXED);
    }
    if (ParGreyObject(ss, seg, msseg->greyTable, msseg->greySummary,
                      &msseg->parQueued, i))
      return ResOK;
  }
  __atomic_store_n(&seg->parRegrey, TRUE, __ATOMIC_RELAXED);
  return ResOK;
}

Res MSFix(Seg seg, ScanState ss, Addr *refIO)
{
  MSSeg msseg = MSSegOf(seg);
  MSPool mspool = MSPoolOf(SegPool(seg));
  Addr base = AddrSub(*refIO, mspool->headerSize);
  Index i;

  if (ss->pinning)
    return msFixPin(seg, ss, *refIO);
  if (base < SegBase(seg) || !AddrIsAligned(base, SegPool(seg)->alignment))
    return ResOK;               /* not an object's client address */
  i = msIndex(seg, base);
  if (ss->rank == RankAMBIG) {
    if (!mspool->supportAmbiguous || !BTGet(msseg->startTable, i))
      return ResOK;
  } else {
    AVER(BTGet(msseg->startTable, i)); /* exact references are to objects */
  }
  if (ss->worker != NULL)
    return msFixParallel(seg, ss, i);
  if (BTGet(msseg->markTable, i))
    return ResOK;
  if (ss->rank == RankWEAK) {
    *refIO = NULL;              /* not preserved by any strong path: splat */
    return ResOK;
  }
  BTSet(msseg->markTable, i);
  ss->wasMarked = FALSE;        /* this fix preserved it (finalization) */
  if (mspool->scanned)
    msGreyObject(msTrace(ss), seg, i);
  return ResOK;
}

/* Reclaiming reads the tables alone, not the objects: an object runs
 * from its start bit to the next start bit or the end of its run of
 * allocated grains, whichever comes first, because every allocated grain
 * is in a recorded object except the unrecorded part of an attached
 * buffer (from recordedLimit: buffers are recorded up to init at whiten,
 * and give back [init, limit) when emptied).  So the dead objects, most
 * of which are in no cache after a collection, are not touched, and runs
 * of them are freed at once. */
static void msFreeRun(Pool pool, MSSeg msseg, Index from, Index to)
{
  Seg seg = &msseg->segStruct;
  Addr base = msAddr(seg, from), limit = msAddr(seg, to);
  BTResRange(msseg->allocTable, from, to);
  msseg->freeGrains += to - from;
  VG_NOACCESS(base, AddrOffset(base, limit));
  if (PoolHasAttr(pool, PoolAttrDEBUG))
    DebugPoolFreeSplat(pool, base, limit);
}

/* Sweep the grains [from, to): free the unmarked objects (forgetting
 * their starts, so that no later scan of the segment sees them), count
 * the marked ones.  Returns the grains freed; *liveIO counts the kept. */
static Count msSweep(Pool pool, MSSeg msseg, Index from, Index to, Count *liveIO)
{
  Index run = BTFindSet(msseg->allocTable, from, to), freeFrom = 0, freeTo = 0;
  Count freed = 0;
  while (run < to) {
    /* A run of allocated grains: objects one after another. */
    Index runEnd = BTFindRes(msseg->allocTable, run, to);
    Index i = BTFindSet(msseg->startTable, run, runEnd);
    while (i < runEnd) {
      Index next = BTFindSet(msseg->startTable, i + 1, runEnd);
      if (BTGet(msseg->markTable, i)) {
        *liveIO += next - i;
      } else {
        BTRes(msseg->startTable, i);
        freed += next - i;
        if (i != freeTo || freeTo == freeFrom) {   /* a new run to free */
          if (freeTo > freeFrom)
            msFreeRun(pool, msseg, freeFrom, freeTo);
          freeFrom = i;
        }
        freeTo = next;
      }
      i = next;
    }
    run = BTFindSet(msseg->allocTable, runEnd, to);
  }
  if (freeTo > freeFrom)
    msFreeRun(pool, msseg, freeFrom, freeTo);
  return freed;
}

void MSReclaim(Pool pool, Trace trace, Seg seg)
{
  MSPool mspool = MSPoolOf(pool);
  MSSeg msseg = MSSegOf(seg);
  Buffer buffer = SegBuffer(seg);
  Count liveGrains = 0, freedGrains;
  Size freed;

  AVERT(MSSeg, msseg);
  if (buffer == NULL) {
    freedGrains = msSweep(pool, msseg, 0, msseg->grains, &liveGrains);
  } else {
    /* Around the buffer's unrecorded part: no starts there. */
    freedGrains = msSweep(pool, msseg, 0, msIndex(seg, msseg->recordedLimit), &liveGrains)
                  + msSweep(pool, msseg, msIndex(seg, BufferLimit(buffer)), msseg->grains,
                            &liveGrains);
  }
  freed = (Size)freedGrains << pool->alignShift;
  if (freed > 0)
    msseg->maxRun = msseg->freeGrains;  /* runs may have grown */
  mspool->freeSize += freed;
  trace->reclaimed += freed;
  TracePreserved(trace, seg, (Size)liveGrains << pool->alignShift);
  SegSetWhite(seg, SegWhite(seg) & ~TraceSetSingle(trace->ti));
  if (msseg->freeGrains == msseg->grains && buffer == NULL
      && SegGrey(seg) == TraceSetEMPTY)
    msSegFree(mspool, seg);
}

Res MSWalk(Pool pool, mps_area_scan_t scanArea, void *closure)
{
  Format format = pool->format;
  Size header = format->headerSize;
  Ring node, next;
  ScanStateStruct ss;
  Res res = ResOK;

  ScanStateInitNull(&ss, PoolArena(pool));
  RING_FOR(node, &pool->segRing, next) {
    Seg seg = RING_ELT(Seg, poolRing, node);
    MSSeg msseg = MSSegOf(seg);
    Index i;
    msRecordBuffer(seg);
    i = BTFindSet(msseg->startTable, 0, msseg->grains);
    while (i < msseg->grains && res == ResOK) {
      Addr first = AddrAdd(msAddr(seg, i), header);
      Addr end = first;
      Index j;
      do {
        end = (Addr)format->skip(end);
        j = msIndex(seg, AddrSub(end, header));
      } while (j < msseg->grains && BTGet(msseg->startTable, j));
      res = scanArea(ScanStateMPS(&ss), first, end, closure);
      i = BTFindSet(msseg->startTable, j, msseg->grains);
    }
    if (res != ResOK)
      break;
  }
  ScanStateFinish(&ss);
  return res;
}

/* poolsnc.c: SNC, the stack-no-checking pool (contract 6.9)
 *
 * A manual pool with stack discipline, for languages that allocate
 * objects on a stack (Forth, PostScript).  Objects are formatted and hold
 * exact references into the collected pools: the pool is never condemned
 * but its segments are scanned like roots.  Allocation is through
 * allocation points only; mps_ap_frame_pop frees everything allocated on
 * that allocation point since the matching push, without checking for
 * references to it.
 *
 * Design.
 *
 * Each allocation point owns a stack of segments, newest first (SNCBuf
 * topSeg, SNCSeg prev).  The buffer is attached to the newest segment or
 * to none.  A segment's objects fill [base, top), and its unused tail
 * [top, limit) is one padding object, so that walks and scans can step
 * through the whole segment with the format's skip; while the buffer is
 * attached the objects end at the buffer's init instead.  When a fill
 * finds room in the tail of the newest segment (after a pop) it reuses
 * it; otherwise it pushes a new segment.  A segment left with no objects
 * when the buffer leaves it is freed at once, so every segment on a stack
 * except the attached one holds at least one object or pad.
 *
 * Frames.  A frame is the address of the allocation position when it was
 * pushed.  A position at a segment's base is recorded as the top of the
 * segment below (it means the same thing), and a position below every
 * segment as the "bottom" handle (the buffer's own address, which is no
 * segment's), so each handle lies in (base, end] of exactly one segment
 * of the stack, where end is the segment's top (or init when attached).
 * Popping finds that segment (a handle found nowhere is a client error:
 * popped already, popped past, or another allocation point's), frees the
 * segments above it and pads the popped part of it; the next fill
 * continues there.  A pop that stays inside the buffer's current region
 * just moves init and alloc back: the common push-allocate-pop cycle of a
 * stack language costs no segment traffic.  Frames above a popped one
 * are discarded implicitly: their positions are now above the top.
 *
 * Scanning.  The class has PoolAttrSCAN but not PoolAttrGC: its segments
 * carry the rank of their allocation point (exact by default) and the
 * universal summary while a buffer may write to them, so the tracer greys
 * each of them at every flip whose white zones they may refer to, and
 * the scan method scans [base, objects end) in one call of the format.
 * Nothing is ever whitened, fixed or reclaimed.  A reservation that is
 * outstanding at the flip cannot be scanned (it is not an object yet),
 * and the tracer does not flip the buffers of manual pools, so greying a
 * segment traps its buffer if a reservation is outstanding: that commit
 * then fails and the client builds the object again (contract 9.2).
 *
 * Incremental collection.  Between the slices of a trace, grey SNC
 * segments are behind the read barrier like any others.  When the pool
 * itself is about to write to a segment (padding a popped part or a
 * buffer's tail), hand it to a buffer, or free it, it first scans it if
 * it is grey (TraceSegAccess), as the barrier would at the client's first
 * touch; a popped segment's dead objects are so scanned once more, which
 * can only keep their referents alive one collection longer.
 *
 * Accounting.  Every byte of every segment is an object, a pad or buffer
 * space, so the free size is 0 and the total is the bytes of segments.
 */

#include "poolsnc.h"
#include "format.h"
#include "trace.h"
#include "args.h"
#include "shield.h"
#include "vgmem.h"
#include "mpscsnc.h"

#define SNC_SEG_SIZE_DEFAULT ((Size)16 * 1024)

#define SNCOf(pool) ((SNC)(void *)(pool))
#define SNCSegOf(seg) ((SNCSeg)(void *)(seg))
#define SNCBufOf(buffer) ((SNCBuf)(void *)(buffer))

/* The handle of a frame pushed when the stack was empty. */
#define sncBottom(buffer) ((Addr)(void *)(buffer))

Bool SNCCheck(SNC snc)
{
  Pool pool = &snc->poolStruct;
  CHECKS(SNC, snc);
  CHECKL(pool->format != NULL);
  CHECKL(pool->format->headerSize == 0);
  CHECKL(snc->segSize >= ArenaGrainSize(PoolArena(pool)));
  return TRUE;
}

Bool SNCSegCheck(SNCSeg sncseg)
{
  Seg seg = &sncseg->segStruct;
  CHECKS(SNCSeg, sncseg);
  CHECKD(Seg, seg);
  CHECKL(SegBase(seg) <= sncseg->top && sncseg->top <= SegLimit(seg));
  CHECKL(SegBuffer(seg) == NULL || SegBuffer(seg) == sncseg->owner);
  return TRUE;
}

static Bool sncPoolCheck(Pool pool)
{
  return SNCCheck(SNCOf(pool));
}

/* Where the objects of a segment end. */
static Addr sncSegObjectsLimit(Seg seg)
{
  Buffer buffer = SegBuffer(seg);
  if (buffer != NULL)
    return BufferInit(buffer);
  return SNCSegOf(seg)->top;
}

/* The pool is about to write to a segment (padding), let the client
 * allocate in it, or free it.  In the middle of an incremental trace a
 * grey segment is scanned first, as the read barrier would (the client
 * must not see references the trace has not fixed, and a grey segment
 * cannot be freed).  Then its barrier is lifted and, since the client
 * may now write to it unseen, its summary forgotten. */
static void sncSegOpen(Seg seg)
{
  Arena arena = PoolArena(SegPool(seg));
  if (SegGrey(seg) != TraceSetEMPTY && TraceBusy(arena))
    TraceSegAccess(arena, seg);
  SegLowerBarrier(seg);
  SegSetSummary(seg, ZoneSetUNIV);
}

/* Make [base, limit) of a segment one padding object. */
static void sncPad(Pool pool, Addr base, Addr limit)
{
  if (base < limit) {
    VG_UNDEFINED(base, AddrOffset(base, limit));
    pool->format->pad(base, AddrOffset(base, limit));
  }
}

/* Pool creation */

static void sncVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_FORMAT;
  args[0].val.format = va_arg(varargs, mps_fmt_t);
  args[1].key = MPS_KEY_ARGS_END;
}

static Res sncInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  SNC snc = SNCOf(pool);
  Format format;
  Res res;

  UNUSED(klass);
  res = FormatPickForPool(&format, arena, args, TRUE, FALSE);
  if (res != ResOK)
    return res;
  if (!FormatHasPad(format) || format->headerSize != 0) {
    FormatReleaseForPool(format);
    ARGCHECKF("mps_pool_create_k", FormatHasPad(format), ResPARAM); /* the format has a pad method */
    ARGCHECKF("mps_pool_create_k", format->headerSize == 0, ResPARAM); /* SNC objects have no in-band headers */
    return ResPARAM;
  }
  pool->format = format;
  pool->alignment = format->alignment;
  pool->alignShift = SizeLog2(format->alignment);
  snc->segSize = SizeAlignUp(SizeMax(SNC_SEG_SIZE_DEFAULT, ArenaGrainSize(arena)),
                             ArenaGrainSize(arena));
  snc->totalSize = 0;
  snc->sig = SNCSig;
  return ResOK;
}

static void sncSegFree(SNC snc, Seg seg)
{
  SNCSeg sncseg = SNCSegOf(seg);
  AVER(SegBuffer(seg) == NULL);
  sncSegOpen(seg);
  AVER(SegGrey(seg) == TraceSetEMPTY);
  snc->totalSize -= SegSize(seg);
  sncseg->sig = SigINVALID;
  VG_NOACCESS(SegBase(seg), SegSize(seg));
  SegFree(seg);
}

static void sncFinish(Pool pool)
{
  SNC snc = SNCOf(pool);
  Ring node, next;
  AVERT(SNC, snc);
  RING_FOR(node, &pool->segRing, next)
    sncSegFree(snc, RING_ELT(Seg, poolRing, node));
  FormatReleaseForPool(pool->format);
  snc->sig = SigINVALID;
}

/* Push a new segment of at least size bytes on the buffer's stack. */
static Res sncSegPush(Seg *segReturn, SNC snc, Buffer buffer, Size size)
{
  Pool pool = &snc->poolStruct;
  Arena arena = PoolArena(pool);
  SNCBuf sncbuf = SNCBufOf(buffer);
  LocusPrefStruct pref;
  SNCSeg sncseg;
  Seg seg;
  Res res;

  LocusPrefInit(&pref);
  size = SizeAlignUp(SizeMax(size, snc->segSize), ArenaGrainSize(arena));
  res = SegAlloc(&seg, sizeof(SNCSegStruct), &pref, size, pool);
  if (res != ResOK)
    return res;
  sncseg = SNCSegOf(seg);
  sncseg->prev = sncbuf->topSeg;
  sncseg->owner = buffer;
  sncseg->top = SegBase(seg);
  SegSetRankSet(seg, RankSetSingle(buffer->rank));
  SegSetSummary(seg, ZoneSetUNIV);
  sncseg->sig = SNCSegSig;
  sncbuf->topSeg = seg;
  snc->totalSize += size;
  *segReturn = seg;
  return ResOK;
}

/* Pop the newest segment off the buffer's stack and free it. */
static void sncSegPop(SNC snc, Buffer buffer)
{
  SNCBuf sncbuf = SNCBufOf(buffer);
  Seg seg = sncbuf->topSeg;
  AVER(seg != NULL);
  sncbuf->topSeg = SNCSegOf(seg)->prev;
  sncSegFree(snc, seg);
}

/* Allocation points */

static Res sncBufferInit(Buffer buffer, Pool pool, ArgList args)
{
  ArgStruct arg;
  UNUSED(pool);
  buffer->rank = RankEXACT;
  if (ArgPick(&arg, args, MPS_KEY_RANK)) {
    /* Exact is the rank the contract names; ambiguous costs nothing. */
    ARGCHECKF("mps_ap_create_k", arg.val.rank == RankEXACT || arg.val.rank == RankAMBIG,
              ResPARAM);        /* MPS_KEY_RANK is exact (or ambiguous) for SNC */
    if (arg.val.rank != RankEXACT && arg.val.rank != RankAMBIG)
      return ResPARAM;
    buffer->rank = arg.val.rank;
  }
  SNCBufOf(buffer)->topSeg = NULL;
  return ResOK;
}

/* The allocation point goes; the objects on its stack stay (contract
 * 9.2: blocks already committed are unaffected) until the pool goes. */
static void sncBufferFinish(Buffer buffer)
{
  SNCBuf sncbuf = SNCBufOf(buffer);
  Seg seg;
  AVER(!BufferIsAttached(buffer));
  for (seg = sncbuf->topSeg; seg != NULL; seg = SNCSegOf(seg)->prev)
    SNCSegOf(seg)->owner = NULL;
  sncbuf->topSeg = NULL;
}

static Res sncBufferFill(Addr *baseReturn, Addr *limitReturn, Pool pool,
                         Buffer buffer, Size size)
{
  SNC snc = SNCOf(pool);
  Seg seg = SNCBufOf(buffer)->topSeg;
  Addr base;
  Res res;

  AVERT(SNC, snc);
  AVER(!BufferIsAttached(buffer));
  if (seg != NULL && AddrOffset(SNCSegOf(seg)->top, SegLimit(seg)) >= size) {
    base = SNCSegOf(seg)->top;  /* the tail left by a pop */
  } else {
    res = sncSegPush(&seg, snc, buffer, size);
    if (res != ResOK)
      return res;
    base = SegBase(seg);
  }
  /* The client will write new objects here. */
  sncSegOpen(seg);
  seg->buffer = buffer;
  buffer->seg = seg;
  VG_UNDEFINED(base, AddrOffset(base, SegLimit(seg)));
  *baseReturn = base;
  *limitReturn = SegLimit(seg);
  return ResOK;
}

static void sncBufferEmpty(Pool pool, Buffer buffer, Addr init, Addr limit)
{
  SNC snc = SNCOf(pool);
  Seg seg = buffer->seg;
  SNCSeg sncseg = SNCSegOf(seg);
  AVER(SegBuffer(seg) == buffer);
  AVER(SNCBufOf(buffer)->topSeg == seg);
  AVER(limit == SegLimit(seg));
  seg->buffer = NULL;
  buffer->seg = NULL;
  if (init == SegBase(seg)) {
    sncSegPop(snc, buffer);     /* nothing in it */
    return;
  }
  sncseg->top = init;
  sncSegOpen(seg);
  sncPad(pool, init, limit);
}

/* Frames */

static Res sncFramePush(mps_frame_t *frameReturn, Pool pool, Buffer buffer)
{
  Seg seg = SNCBufOf(buffer)->topSeg;
  Addr pos;
  UNUSED(pool);
  if (seg == NULL) {
    pos = sncBottom(buffer);
  } else if (BufferIsAttached(buffer)) {
    AVER(buffer->seg == seg);
    pos = BufferInit(buffer);
    if (pos == SegBase(seg)) {
      Seg prev = SNCSegOf(seg)->prev;
      pos = prev != NULL ? SNCSegOf(prev)->top : sncBottom(buffer);
    }
  } else {
    pos = SNCSegOf(seg)->top;
  }
  *frameReturn = (mps_frame_t)(void *)pos;
  return ResOK;
}

static Res sncFramePop(Pool pool, Buffer buffer, mps_frame_t frame)
{
  SNC snc = SNCOf(pool);
  Addr pos = (Addr)(void *)frame;
  Seg seg = NULL;
  Bool frameOnStack;

  AVERT(SNC, snc);
  if (pos != sncBottom(buffer)) {
    for (seg = SNCBufOf(buffer)->topSeg; seg != NULL; seg = SNCSegOf(seg)->prev) {
      if (SegBase(seg) < pos && pos <= sncSegObjectsLimit(seg))
        break;
    }
    frameOnStack = seg != NULL && AddrIsAligned(pos, pool->alignment);
    if (!frameOnStack) {
      ARGCHECKF("mps_ap_frame_pop", frameOnStack, ResPARAM); /* the frame is on the allocation point's stack */
      return ResPARAM;
    }
    /* Inside the buffer's current region: just move back. */
    if (BufferIsAttached(buffer) && buffer->seg == seg && pos >= BufferBase(buffer)) {
      Addr init = BufferInit(buffer);
      if (pos < init)
        VG_UNDEFINED(pos, AddrOffset(pos, init));
      buffer->apStruct.init = pos;
      buffer->apStruct.alloc = pos;
      return ResOK;
    }
  }
  /* Leave the buffer's region (its tail is padded, or an empty segment
   * freed), free the segments above the frame, and pad the popped part
   * of the frame's segment. */
  if (BufferIsAttached(buffer))
    BufferDetach(buffer);
  while (SNCBufOf(buffer)->topSeg != seg)
    sncSegPop(snc, buffer);
  if (seg != NULL) {
    SNCSegOf(seg)->top = pos;
    sncSegOpen(seg);
    sncPad(pool, pos, SegLimit(seg));
  }
  return ResOK;
}

static Size sncTotalSize(Pool pool)
{
  return SNCOf(pool)->totalSize;
}

static Size sncFreeSize(Pool pool)
{
  UNUSED(pool);
  return 0;
}

/* Tracing: SNC segments are only ever grey and scanned. */

static void sncGrey(Pool pool, Trace trace, Seg seg)
{
  Buffer buffer = SegBuffer(seg);
  UNUSED(pool);
  /* A reservation outstanding now will not be scanned: make its commit
   * fail, so the client builds it again after the flip. */
  if (buffer != NULL && !BufferIsReady(buffer))
    BufferFlip(buffer);
  TraceSegGrey(trace, seg);
}

static Res sncScan(Bool *totalReturn, ScanState ss, Pool pool, Seg seg)
{
  Addr base = SegBase(seg);
  Addr limit = sncSegObjectsLimit(seg);
  Res res;
  AVERT(SNCSeg, SNCSegOf(seg));
  *totalReturn = TRUE;
  if (base < limit) {
    ScanStateBeginClient(ss);
    res = pool->format->scan(ScanStateMPS(ss), base, limit);
    (void)ScanStateEndClient(ss);
    if (res != ResOK)
      return res;
    ss->scannedSize += AddrOffset(base, limit);
  }
  return ResOK;
}

/* Walking: objects and pads, including the padded tails. */

static Res sncWalk(Pool pool, mps_area_scan_t scanArea, void *closure)
{
  ScanStateStruct ss;
  Ring node, next;
  Res res = ResOK;
  ScanStateInitNull(&ss, PoolArena(pool));
  RING_FOR(node, &pool->segRing, next) {
    Seg seg = RING_ELT(Seg, poolRing, node);
    Addr limit = SegBuffer(seg) != NULL ? BufferInit(SegBuffer(seg)) : SegLimit(seg);
    if (SegBase(seg) < limit) {
      res = scanArea(ScanStateMPS(&ss), SegBase(seg), limit, closure);
      if (res != ResOK)
        break;
    }
  }
  ScanStateFinish(&ss);
  return res;
}

static const PoolClassStruct poolClassSNCStruct = {
  PoolClassSig, "SNC", sizeof(SNCStruct), sizeof(SNCBufStruct),
  PoolAttrFORMAT | PoolAttrSCAN | PoolAttrRANKED,
  sncVarargs, sncInit, sncFinish,
  NULL, NULL,                               /* alloc, free */
  sncBufferInit, sncBufferFinish, sncBufferFill, sncBufferEmpty,
  sncFramePush, sncFramePop,
  NULL, NULL,                               /* patterns: ignored */
  sncTotalSize, sncFreeSize,
  sncWalk, NULL, sncPoolCheck,              /* walk, addrObject, check */
  NULL, sncGrey, sncScan, NULL, NULL,       /* whiten, grey, scan, fix, emergency */
  NULL, NULL                                /* reclaim, traceEnd */
};

PoolClass PoolClassSNC(void)
{
  return &poolClassSNCStruct;
}

mps_pool_class_t mps_class_snc(void)
{
  return (mps_pool_class_t)PoolClassSNC();
}

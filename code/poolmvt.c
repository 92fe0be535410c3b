/* poolmvt.c: the MVT pool class (see poolmvt.h for the policy)
 *
 * Three sets of memory make up an MVT pool: live blocks (the client's),
 * buffers (what allocation points have been given and not yet used), and
 * the free set (a CBS).  The pool keeps no headers: everything it knows
 * lives in its descriptor and the CBS's nodes, so blocks are exactly as
 * large as the client asked (rounded to the alignment) and the
 * accounting is exact.  Only the CBS, short of nodes, may write into free
 * memory (its emergency list).
 *
 * The age queue holds free spans of at least the reuse size.  It obeys
 * one invariant: every entry lies wholly inside the free set.  Memory
 * enters the free set only through mvtInsert, which merges entries into
 * the span they now belong to; it leaves only through the take and return
 * functions below, each of which calls mvtQueueForget on what it removed.
 */

#include "poolmvt.h"
#include "buffer.h"
#include "args.h"
#include "vgmem.h"
#include "mpscmvt.h"

ARG_DEFINE_KEY(MVT_RESERVE_DEPTH);
ARG_DEFINE_KEY(MVT_FRAG_LIMIT);

/* Size hints beyond this are refused: they would make the span
 * arithmetic overflow, and no real client has blocks so big. */
#define MVT_SIZE_LIMIT (((Size)-1) / 64)

static CBS mvtCBS(MVT mvt)
{
  return &mvt->freeStruct;
}

static Size mvtGrain(MVT mvt)
{
  return ArenaGrainSize(PoolArena(MVTPool(mvt)));
}

Bool MVTCheck(MVT mvt)
{
  Pool pool;
  Align align;
  Index i;
  CHECKS(MVT, mvt);
  pool = MVTPool(mvt);
  /* Not CHECKD(Pool): PoolCheck calls back here through the class. */
  CHECKL(pool->sig == PoolSig);
  CHECKL(pool->klass == PoolClassMVT());
  align = PoolAlignment(pool);
  CHECKL(WordIsP2(align));
  CHECKL(align >= sizeof(void *));
  CHECKL(mvt->minSize > 0);
  CHECKL(mvt->minSize <= mvt->meanSize);
  CHECKL(mvt->meanSize <= mvt->maxSize);
  CHECKL(SizeIsAligned(mvt->minSize, align));
  CHECKL(SizeIsAligned(mvt->meanSize, align));
  CHECKL(SizeIsAligned(mvt->maxSize, align));
  CHECKL(mvt->fragLimit >= 0.0 && mvt->fragLimit <= 1.0);
  CHECKL(mvt->reuseSize >= mvt->maxSize);
  CHECKL(mvt->spanSize >= mvt->reuseSize);
  CHECKL(SizeIsAligned(mvt->spanSize, mvtGrain(mvt)));
  CHECKL(SizeIsAligned(mvt->totalSize, mvtGrain(mvt)));
  CHECKD(CBS, mvtCBS(mvt));
  CHECKL(CBSSize(mvtCBS(mvt)) <= mvt->totalSize);
  CHECKL(mvt->queueCount <= MVT_QUEUE_LENGTH);
  for (i = 0; i < mvt->queueCount; ++i) {
    Range entry = &mvt->queue[i];
    CHECKL(entry->base < entry->limit);
    CHECKL(AddrIsAligned(entry->base, align));
    CHECKL(AddrIsAligned(entry->limit, align));
    CHECKL(RangeSize(entry) >= mvt->reuseSize);
  }
  return TRUE;
}


/* The age queue */

static void mvtQueueRemove(MVT mvt, Index i)
{
  AVER(i < mvt->queueCount);
  for (; i + 1 < mvt->queueCount; ++i)
    mvt->queue[i] = mvt->queue[i + 1];
  --mvt->queueCount;
}

/* The free set has just gained `span` as one whole (coalesced) range.
 * Entries inside it are pieces of it: the oldest grows to the whole span,
 * keeping its place, because the span is at least as old as its oldest
 * piece; the others are dropped as duplicates.  A span with no remembered
 * piece joins at the tail, if there is room. */
static void mvtQueueNote(MVT mvt, Range span)
{
  Bool placed = FALSE;
  Index i = 0;
  if (RangeSize(span) < mvt->reuseSize)
    return;
  while (i < mvt->queueCount) {
    Range entry = &mvt->queue[i];
    if (entry->base < span->limit && span->base < entry->limit) {
      /* Each entry lies inside one range of the set (ranges only grow
       * by merging, and what leaves is forgotten), and span is one. */
      AVER(span->base <= entry->base && entry->limit <= span->limit);
      if (!placed) {
        *entry = *span;
        placed = TRUE;
        ++i;
      } else {
        mvtQueueRemove(mvt, i);
      }
    } else {
      ++i;
    }
  }
  if (!placed && mvt->queueCount < MVT_QUEUE_LENGTH)
    mvt->queue[mvt->queueCount++] = *span;
}

/* [base, limit) has left the free set.  An entry that loses a part keeps
 * the larger of what remains on either side, if that is still worth
 * remembering; the smaller side stays free and findable, only unqueued. */
static void mvtQueueForget(MVT mvt, Addr base, Addr limit)
{
  Index i = 0;
  while (i < mvt->queueCount) {
    Range entry = &mvt->queue[i];
    if (entry->base < limit && base < entry->limit) {
      Size low = base > entry->base ? AddrOffset(entry->base, base) : 0;
      Size high = limit < entry->limit ? AddrOffset(limit, entry->limit) : 0;
      if (low >= high)
        entry->limit = AddrAdd(entry->base, low);
      else
        entry->base = limit;
      if (RangeSize(entry) < mvt->reuseSize) {
        mvtQueueRemove(mvt, i);
        continue;
      }
    }
    ++i;
  }
}


/* Moving memory between the free set, buffers and the arena */

/* Put [base, limit) into the free set.  spanReturn gets the whole free
 * range it became part of. */
static void mvtInsert(Range spanReturn, MVT mvt, Addr base, Addr limit)
{
  RangeStruct range;
  AVER(base < limit);
  RangeInit(&range, base, limit);
  /* Nobody may touch free memory: memcheck reports a client that does. */
  VG_NOACCESS(base, AddrOffset(base, limit));
  CBSInsert(spanReturn, mvtCBS(mvt), &range);
  AVER(spanReturn->base <= base && limit <= spanReturn->limit);
  mvtQueueNote(mvt, spanReturn);
}

/* Remove [base, limit), which lies wholly in the free set.  This fails
 * only when the free set cannot split a range for lack of memory. */
static Bool mvtRemove(MVT mvt, Addr base, Addr limit)
{
  RangeStruct range, old;
  Res res;
  RangeInit(&range, base, limit);
  res = CBSDelete(&old, mvtCBS(mvt), &range);
  if (res != ResOK) {
    /* Anything else means the queue invariant is broken. */
    AVER(res == ResMEMORY || res == ResCOMMIT_LIMIT);
    return FALSE;
  }
  mvtQueueForget(mvt, base, limit);
  return TRUE;
}

/* The whole free range found by a search of the free set, left in it. */
static Bool mvtFindFirst(Range spanReturn, MVT mvt, Size size)
{
  RangeStruct found;
  return CBSFindFirst(&found, spanReturn, mvtCBS(mvt), size, FindDeleteNONE);
}

static Bool mvtFindLargest(Range spanReturn, MVT mvt, Size size)
{
  RangeStruct found;
  return CBSFindLargest(&found, spanReturn, mvtCBS(mvt), size, FindDeleteNONE);
}

/* Take a buffer's worth from the low end of `span`, a free range of at
 * least the requested size: all of it if the rest would be too small to
 * be worth a buffer of its own, otherwise one span size.  The low end,
 * because what remains is then still one range, and the next buffer to
 * be refilled from it carries on where this one stops. */
static Bool mvtTakeFrom(Range rangeReturn, MVT mvt, Range span)
{
  Size take = RangeSize(span);
  if (take >= mvt->spanSize + mvt->reuseSize)
    take = mvt->spanSize;
  if (!mvtRemove(mvt, span->base, AddrAdd(span->base, take)))
    return FALSE;
  RangeInit(rangeReturn, span->base, AddrAdd(span->base, take));
  return TRUE;
}

/* The oldest remembered span that can hold size bytes. */
static Bool mvtTakeQueued(Range rangeReturn, MVT mvt, Size size)
{
  Index i;
  for (i = 0; i < mvt->queueCount; ++i) {
    if (RangeSize(&mvt->queue[i]) >= size) {
      RangeStruct span = mvt->queue[i];
      return mvtTakeFrom(rangeReturn, mvt, &span);
    }
  }
  return FALSE;
}

/* Free memory is "fragmented" when there is more of it than the
 * fragmentation limit allows; then reusing it beats growing the pool. */
static Bool mvtFragmented(MVT mvt)
{
  return (double)CBSSize(mvtCBS(mvt)) > mvt->fragLimit * (double)mvt->totalSize;
}

/* Fresh grains from the arena: the arena's refusal passes through. */
static Res mvtTakeFresh(Range rangeReturn, MVT mvt, Size size)
{
  LocusPrefStruct pref;
  Addr base;
  Res res;
  AVER(size > 0 && SizeIsAligned(size, mvtGrain(mvt)));
  LocusPrefInit(&pref);
  res = PoolArenaAlloc(&base, &pref, size, MVTPool(mvt));
  if (res != ResOK)
    return res;
  mvt->totalSize += size;
  RangeInit(rangeReturn, base, AddrAdd(base, size));
  return ResOK;
}

/* Give [base, limit) back to the arena.  One ArenaFree may not cross a
 * chunk boundary; a chunk's header keeps two chunks' grains apart, but
 * splitting costs nothing and makes it certain. */
static void mvtArenaFree(MVT mvt, Addr base, Addr limit)
{
  Pool pool = MVTPool(mvt);
  Arena arena = PoolArena(pool);
  while (base < limit) {
    Chunk chunk = ArenaChunkOfAddr(arena, base);
    Addr end;
    AVER(chunk != NULL);
    end = AddrMin(limit, chunk->limit);
    PoolArenaFree(pool, base, AddrOffset(base, end));
    AVER(mvt->totalSize >= AddrOffset(base, end));
    mvt->totalSize -= AddrOffset(base, end);
    base = end;
  }
}

/* Give the arena up to `want` bytes (rounded up to grains) of the whole
 * grains inside [base, limit), which lies wholly in the free set; the
 * highest grains go first, so that the rest of a range stays one range.
 * Returns how many bytes went back. */
static Size mvtReturnGrains(MVT mvt, Addr base, Addr limit, Size want)
{
  Size grain = mvtGrain(mvt);
  Addr gBase = AddrAlignUp(base, grain);
  Addr gLimit = AddrAlignDown(limit, grain);
  Size size;
  if (gBase >= gLimit || want == 0)
    return 0;
  size = AddrOffset(gBase, gLimit);
  if (size > want) {
    size = SizeAlignUp(want, grain);
    gBase = AddrSub(gLimit, size);
  }
  if (!mvtRemove(mvt, gBase, gLimit))
    return 0;
  mvtArenaFree(mvt, gBase, gLimit);
  return size;
}

/* Keep no more than the reserve in the free set: return whole grains,
 * first from `span` (the range that just grew, if any: the youngest free
 * memory is the least valuable to keep, temporal fit preferring old
 * spans), then from the largest ranges, until the reserve is respected or
 * no whole free grain is left. */
static void mvtTrimReserve(MVT mvt, Range span)
{
  CBS cbs = mvtCBS(mvt);
  if (CBSSize(cbs) <= mvt->reserveLimit)
    return;
  if (span != NULL)
    (void)mvtReturnGrains(mvt, span->base, span->limit,
                          CBSSize(cbs) - mvt->reserveLimit);
  while (CBSSize(cbs) > mvt->reserveLimit) {
    RangeStruct largest;
    if (!mvtFindLargest(&largest, mvt, mvtGrain(mvt)))
      break;
    if (mvtReturnGrains(mvt, largest.base, largest.limit,
                        CBSSize(cbs) - mvt->reserveLimit) == 0)
      break;
  }
}

/* Does [base, limit) meet the unused part of a buffer?  Freeing such
 * memory is a client error (it was never allocated). */
static Bool mvtMeetsBuffer(Pool pool, Addr base, Addr limit)
{
  Ring node, next;
  RING_FOR(node, &pool->bufferRing, next) {
    Buffer buffer = RING_ELT(Buffer, poolRing, node);
    if (BufferIsAttached(buffer) && base < BufferLimit(buffer)
        && BufferInit(buffer) < limit)
      return TRUE;
  }
  return FALSE;
}


/* Pool methods */

static void mvtVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_MIN_SIZE;
  args[0].val.size = va_arg(varargs, size_t);
  args[1].key = MPS_KEY_MEAN_SIZE;
  args[1].val.size = va_arg(varargs, size_t);
  args[2].key = MPS_KEY_MAX_SIZE;
  args[2].val.size = va_arg(varargs, size_t);
  args[3].key = MPS_KEY_MVT_RESERVE_DEPTH;
  args[3].val.count = va_arg(varargs, mps_word_t);
  /* The positional form gives the limit as a percentage. */
  args[4].key = MPS_KEY_MVT_FRAG_LIMIT;
  args[4].val.d = (double)va_arg(varargs, mps_word_t) / 100.0;
  args[5].key = MPS_KEY_ARGS_END;
}

static Res mvtInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  MVT mvt = MVTOfPool(pool);
  Align align = MPS_PF_ALIGN;
  Size minSize = MVT_MIN_SIZE_DEFAULT;
  Size meanSize = MVT_MEAN_SIZE_DEFAULT;
  Size maxSize = MVT_MAX_SIZE_DEFAULT;
  Count reserveDepth = MVT_RESERVE_DEPTH_DEFAULT;
  double fragLimit = MVT_FRAG_LIMIT_DEFAULT;
  Size grain = ArenaGrainSize(arena);
  ArgStruct arg;
  Res res;

  AVER(klass == PoolClassMVT());
  UNUSED(klass);
  if (ArgPick(&arg, args, MPS_KEY_ALIGN))
    align = arg.val.align;
  if (ArgPick(&arg, args, MPS_KEY_MIN_SIZE))
    minSize = arg.val.size;
  if (ArgPick(&arg, args, MPS_KEY_MEAN_SIZE))
    meanSize = arg.val.size;
  if (ArgPick(&arg, args, MPS_KEY_MAX_SIZE))
    maxSize = arg.val.size;
  if (ArgPick(&arg, args, MPS_KEY_MVT_RESERVE_DEPTH))
    reserveDepth = arg.val.count;
  if (ArgPick(&arg, args, MPS_KEY_MVT_FRAG_LIMIT))
    fragLimit = arg.val.d;

  ARGCHECK(WordIsP2(align), ResPARAM);                  /* MPS_KEY_ALIGN is a power of 2 */
  ARGCHECK(align >= sizeof(void *), ResPARAM);          /* MPS_KEY_ALIGN holds a pointer */
  ARGCHECK(align <= grain, ResPARAM);                   /* MPS_KEY_ALIGN <= arena grain */
  ARGCHECK(minSize > 0, ResPARAM);
  ARGCHECK(minSize <= meanSize, ResPARAM);
  ARGCHECK(meanSize <= maxSize, ResPARAM);
  ARGCHECK(maxSize <= MVT_SIZE_LIMIT, ResPARAM);
  ARGCHECK(fragLimit >= 0.0 && fragLimit <= 1.0, ResPARAM); /* false for NaN too */

  pool->alignment = align;
  pool->alignShift = SizeLog2(align);
  mvt->minSize = SizeAlignUp(minSize, align);
  mvt->meanSize = SizeAlignUp(meanSize, align);
  mvt->maxSize = SizeAlignUp(maxSize, align);
  mvt->reserveDepth = reserveDepth;
  mvt->fragLimit = fragLimit;
  /* A free span that can hold any ordinary request is as good for a
   * buffer as fresh memory. */
  mvt->reuseSize = mvt->maxSize;
  mvt->spanSize = SizeAlignUp(SizeMax(MVT_SPAN_BLOCKS * mvt->maxSize, grain), grain);
  mvt->reserveLimit = reserveDepth > ((Size)-1) / mvt->meanSize
                      ? (Size)-1 : reserveDepth * mvt->meanSize;
  mvt->totalSize = 0;
  mvt->queueCount = 0;

  res = CBSInit(mvtCBS(mvt), arena, align);
  if (res != ResOK)
    return res;
  mvt->sig = MVTSig;
  AVERT(MVT, mvt);
  return ResOK;
}

/* Hand every grain the pool holds back to the arena: live blocks die with
 * the pool.  The pool keeps no list of its spans (the free set knows only
 * the free ones), so it looks for its grains in the tract table; it stops
 * as soon as the count of bytes held reaches zero. */
static void mvtFreeAllGrains(MVT mvt)
{
  Pool pool = MVTPool(mvt);
  Arena arena = PoolArena(pool);
  Size grain = ArenaGrainSize(arena);
  Ring node, next;
  RING_FOR(node, &arena->chunkRing, next) {
    Chunk chunk = RING_ELT(Chunk, arenaRing, node);
    Addr run = NULL;
    Addr a;
    if (mvt->totalSize == 0)
      break;
    for (a = chunk->base; a < chunk->limit; a = AddrAdd(a, grain)) {
      Bool mine = TractOfAddr(arena, a) == &pool->tractStruct;
      if (mine && run == NULL) {
        run = a;
      } else if (!mine && run != NULL) {
        mvtArenaFree(mvt, run, a);
        run = NULL;
      }
    }
    if (run != NULL)
      mvtArenaFree(mvt, run, chunk->limit);
  }
  AVER(mvt->totalSize == 0);
}

static void mvtFinish(Pool pool)
{
  MVT mvt = MVTOfPool(pool);
  AVERT(MVT, mvt);
  CBSFinish(mvtCBS(mvt));
  mvt->queueCount = 0;
  mvtFreeAllGrains(mvt);
  mvt->sig = SigINVALID;
}

static void mvtFree(Pool pool, Addr old, Size size)
{
  MVT mvt = MVTOfPool(pool);
  Size grain;
  Addr limit;
  RangeStruct span;

  AVERT(MVT, mvt);
  ARGCHECK_VOID(AddrIsAligned(old, PoolAlignment(pool))); /* freed block is aligned */
  size = SizeAlignUp(size, PoolAlignment(pool));
  limit = AddrAdd(old, size);
  ARGCHECK_VOID(limit > old && PoolHasAddr(pool, AddrSub(limit, 1))); /* block is in the pool */
  ARGCHECK_VOID(!mvtMeetsBuffer(pool, old, limit)); /* block was allocated */

  mvtInsert(&span, mvt, old, limit);
  if (size > mvt->maxSize) {
    /* A large block had grains of its own: they go straight back,
     * whatever the reserve, with the neighbouring free memory that
     * completes its first and last grains. */
    grain = mvtGrain(mvt);
    (void)mvtReturnGrains(mvt, AddrMax(span.base, AddrAlignDown(old, grain)),
                          AddrMin(span.limit, AddrAlignUp(limit, grain)),
                          (Size)-1);
    mvtTrimReserve(mvt, NULL);
  } else {
    mvtTrimReserve(mvt, &span);
  }
  AVERT(MVT, mvt);
}

static Res mvtBufferFill(Addr *baseReturn, Addr *limitReturn, Pool pool,
                         Buffer buffer, Size size)
{
  MVT mvt = MVTOfPool(pool);
  Size grain;
  RangeStruct range, span;
  Bool triedFirstFit = FALSE;
  Res res;

  AVERT(MVT, mvt);
  AVERT(Buffer, buffer);
  AVER(size > 0 && SizeIsAligned(size, PoolAlignment(pool)));
  UNUSED(buffer);
  grain = mvtGrain(mvt);

  if (size > mvt->maxSize) {
    /* A large block gets grains of its own, so that freeing it gives them
     * straight back.  Only if the arena refuses, the free set may do. */
    if (size > ((Size)-1) - grain)
      return ResRESOURCE;
    res = mvtTakeFresh(&range, mvt, SizeAlignUp(size, grain));
    if (res == ResOK)
      goto found;
    if (mvtFindFirst(&span, mvt, size)
        && mvtRemove(mvt, span.base, AddrAdd(span.base, size))) {
      RangeInit(&range, span.base, AddrAdd(span.base, size));
      goto found;
    }
    return res;
  }

  if (mvtTakeQueued(&range, mvt, size))
    goto found;
  if (mvtFindLargest(&span, mvt, mvt->reuseSize) && mvtTakeFrom(&range, mvt, &span))
    goto found;
  if (mvtFragmented(mvt)) {
    triedFirstFit = TRUE;
    if (mvtFindFirst(&span, mvt, size) && mvtTakeFrom(&range, mvt, &span))
      goto found;
  }
  res = mvtTakeFresh(&range, mvt, mvt->spanSize);
  if (res == ResOK)
    goto found;
  /* Near the commit limit a smaller span may still fit. */
  if (SizeAlignUp(size, grain) < mvt->spanSize
      && mvtTakeFresh(&range, mvt, SizeAlignUp(size, grain)) == ResOK)
    goto found;
  if (!triedFirstFit && mvtFindFirst(&span, mvt, size)
      && mvtTakeFrom(&range, mvt, &span))
    goto found;
  return res;

found:
  AVER(RangeSize(&range) >= size);
  VG_UNDEFINED(range.base, RangeSize(&range));
  *baseReturn = range.base;
  *limitReturn = range.limit;
  AVERT(MVT, mvt);
  return ResOK;
}

/* The unused rest of a buffer becomes free memory. */
static void mvtBufferEmpty(Pool pool, Buffer buffer, Addr init, Addr limit)
{
  MVT mvt = MVTOfPool(pool);
  RangeStruct span;
  AVERT(MVT, mvt);
  AVERT(Buffer, buffer);
  UNUSED(buffer);
  AVER(init <= limit);
  if (init == limit)
    return;
  mvtInsert(&span, mvt, init, limit);
  mvtTrimReserve(mvt, &span);
  AVERT(MVT, mvt);
}

static Size mvtTotalSize(Pool pool)
{
  MVT mvt = MVTOfPool(pool);
  AVERT(MVT, mvt);
  return mvt->totalSize;
}

static Size mvtFreeSize(Pool pool)
{
  MVT mvt = MVTOfPool(pool);
  AVERT(MVT, mvt);
  return CBSSize(mvtCBS(mvt));
}

static Bool mvtPoolCheck(Pool pool)
{
  return MVTCheck(MVTOfPool(pool));
}

/* mps_alloc is not supported (alloc NULL): MVT allocates only through
 * allocation points.  Frames and allocation patterns are accepted and
 * change nothing (NULL methods). */
static PoolClassStruct mvtClassStruct = {
  .sig = PoolClassSig,
  .name = "MVT",
  .size = sizeof(MVTStruct),
  .bufferSize = 0,
  .attr = 0,
  .varargs = mvtVarargs,
  .init = mvtInit,
  .finish = mvtFinish,
  .alloc = NULL,
  .free = mvtFree,
  .bufferFill = mvtBufferFill,
  .bufferEmpty = mvtBufferEmpty,
  .totalSize = mvtTotalSize,
  .freeSize = mvtFreeSize,
  .check = mvtPoolCheck,
};

PoolClass PoolClassMVT(void)
{
  return &mvtClassStruct;
}

mps_pool_class_t mps_class_mvt(void)
{
  return &mvtClassStruct;
}

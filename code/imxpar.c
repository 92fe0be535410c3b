/* imxpar.c: IMX in a parallel phase (code/parallel.h)
 *
 * The workers' side of IMX's tracing: fixing (marking in place, or
 * claiming and copying), copying into a region of its own per worker, and
 * scanning.  The serial mechanism it borrows (free lines, the copy
 * destinations, large blocks) is poolimx.c's, declared in poolimx.h.
 */

#include "poolimx.h"
#include "format.h"
#include "trace.h"
#include "parallel.h"
#include "pargrey.h"
#include "vgmem.h"
#include <string.h>

/* Parallel tracing (parallel.h).
 *
 * In a parallel phase (exact references only) several workers fix at
 * once.  Mark, start and claim bits are set with atomic operations, and
 * grey bits are not used: an object a fix marks in place is pushed as
 * work.  An object in an evacuated block is claimed first (the claim
 * bits, allocated at whiten): the claimer copies it, or marks it in place
 * if there is no room, and the other fixes of it wait until it is done
 * and then read its forwarding marker.  Each worker copies into a region
 * of its own in each destination space, a run of free lines taken as the
 * serial region's are (IMXTakeRun) under the Par lock, which also guards
 * the line maps, the block rings and the accounting; the workers scan
 * their copies a run at a time.  A block whose lines a region takes may
 * be write-protected (a mature block in a nursery collection): its
 * barrier is lowered under the lock, and raised again after the slice.
 * Work that could not be queued, or whose scan failed, sets parRegrey,
 * and imxGrey makes the block grey for the serial tracer after the
 * phase. */

/* Close a worker's region (the Par lock is held): the lines it did not
 * reach are free again, and the space is charged for its copies. */
static void imxParRegionClose(ParRegion r)
{
  IMXSpace to = r->key;
  if (r->seg != NULL) {
    IMXReleaseLines(to->imx, r->seg, r->init, r->limit);
    PoolGenNew(&to->pgenStruct, r->used);
  }
  r->seg = NULL;
  r->init = r->limit = NULL;
  r->used = 0;
}

/* Give a worker's region at least n free lines of space `to`. */
static Bool imxParRegionOpen(ParWorker w, ParRegion r, IMXSpace to, IMXSpace from, Count n)
{
  Addr base = NULL, limit = NULL;
  Seg seg;
  ParRegionFlush(w, r);         /* its unscanned copies become entries */
  ParLock(w);
  imxParRegionClose(r);
  seg = IMXTakeRun(&base, &limit, to->imx, to, from, n);
  ParUnlock(w);
  if (seg == NULL)
    return FALSE;
  r->seg = seg;
  r->scanned = r->init = base;
  r->limit = limit;
  ++r->fills;
  return TRUE;
}

/* Where a worker's copy of size bytes goes: into its region, returned in
 * *regionReturn (scanned in copy order), or else (*regionReturn NULL)
 * into a block of its own. */
static Bool imxParAlloc(Addr *baseReturn, Seg *segReturn, ParRegion *regionReturn,
                        ScanState ss, Seg from, Size size)
{
  ParWorker w = ss->worker;
  IMX imx = IMXOf(SegPool(from));
  IMXSpace fromSpace = IMXSegOf(from)->space;
  IMXSpace to = IMXCopySpace(imx, fromSpace, imxTrace(ss), size);
  ParRegion r;
  Bool ok;
  if (size >= imx->largeSize) {
    if (!fromSpace->nursery)
      return FALSE;             /* stays, as in imxCopy */
    ParLock(w);
    ok = IMXLargeBlock(segReturn, imx, to, from, size);
    if (ok)
      PoolGenNew(&to->pgenStruct, size);
    ParUnlock(w);
    *baseReturn = ok ? SegBase(*segReturn) : NULL;
    *regionReturn = NULL;
    return ok;
  }
  for (;;) {                    /* as imxCopyRegion */
    r = ParWorkerRegion(w, to);
    r->close = imxParRegionClose;
    if ((r->seg != NULL && AddrOffset(r->init, r->limit) >= size)
        || imxParRegionOpen(w, r, to, fromSpace,
                            (Count)((size + imx->lineSize - 1) >> imx->lineShift)))
      break;
    if (!to->nursery)
      return FALSE;
    to = imxMatureSpace(imx);
  }
  *baseReturn = r->init;
  *segReturn = r->seg;
  *regionReturn = r;
  r->init = AddrAdd(r->init, size);
  if (!imx->scanned)
    r->scanned = r->init;       /* IMXZ: nothing in it to scan */
  return TRUE;
}

/* Mark the object at grain i in place, and grey it (pargrey.h). */
static void imxParMark(ScanState ss, Seg seg, Index i)
{
  IMXSeg imxseg = IMXSegOf(seg);
  if (ParBTTestAndSet(imxseg->marks, i))
    return;
  ss->wasMarked = FALSE;
  if (SegRankSet(seg) == RankSetEMPTY)
    return;
  if (!__atomic_load_n(&imxseg->hasGrey, __ATOMIC_RELAXED)) {
    /* For a serial scan of what the phase leaves (traceParLeftover). */
    __atomic_store_n(&imxseg->greyLow, (Index)0, __ATOMIC_RELAXED);
    __atomic_store_n(&imxseg->hasGrey, TRUE, __ATOMIC_RELAXED);
  }
  if (!ParGreyObject(ss, seg, imxseg->greys, imxseg->greySummary,
                     &imxseg->parQueued, i))
    __atomic_store_n(&seg->parRegrey, TRUE, __ATOMIC_RELAXED);
}

/* Copy the object at *refIO, which the caller has claimed; FALSE if
 * there is no room.  The copy starts where it lands, and is preserved
 * (as imxNoteCopy). */
static Bool imxParCopy(Seg seg, ScanState ss, Addr *refIO)
{
  ParWorker w = ss->worker;
  IMX imx = IMXOf(SegPool(seg));
  Format format = SegPool(seg)->format;
  Addr ref = *refIO, base = AddrSub(ref, imx->headerSize);
  Size size = AddrOffset(ref, (Addr)format->skip(ref));
  Addr newBase, moved;
  Seg newSeg;
  ParRegion region;
  IMXSeg to;

  if (!imxParAlloc(&newBase, &newSeg, &region, ss, seg, size)) {
    if (IMXSegOf(seg)->space->nursery)
      ParWorkerCounts(w)->emergency = TRUE;
    return FALSE;
  }
  memcpy(newBase, base, size);
  moved = AddrAdd(newBase, imx->headerSize);
  format->move(ref, moved);
  to = IMXSegOf(newSeg);
  (void)ParBTTestAndSet(to->starts, imxIndex(newSeg, newBase));
  if ((SegWhite(newSeg) & ss->traces) != TraceSetEMPTY) {
    (void)ParBTTestAndSet(to->marks, imxIndex(newSeg, newBase));  /* as imxNoteCopy */
  } else {
    ParCountPreserved(w, seg, size);
    if (region != NULL && newSeg->pgen->gen != seg->pgen->gen)
      region->used += size;     /* promoted: new there (imxParRegionClose) */
  }
  if (region == NULL && imx->scanned && !ParPush(w, newSeg, moved))
    __atomic_store_n(&newSeg->parRegrey, TRUE, __ATOMIC_RELAXED);
  ss->wasMarked = FALSE;
  *refIO = moved;
  return TRUE;
}

Res IMXFixParallel(Seg seg, ScanState ss, Addr *refIO)
{
  IMXSeg imxseg = IMXSegOf(seg);
  Addr ref = *refIO, base = AddrSub(ref, IMXOf(SegPool(seg))->headerSize);
  Index i = imxIndex(seg, base);
  ParClaimResult claim;
  Addr moved;

  AVER(ss->rank == RankEXACT);
  if (!imxseg->evacuate) {
    imxParMark(ss, seg, i);
    return ResOK;
  }
  /* Pinned, or marked by a claimer that could not copy it. */
  if (ParBTGet(imxseg->marks, i))
    return ResOK;
  AVER(imxseg->claims != NULL);
  __builtin_prefetch(base);
  claim = ParClaim(imxseg->claims, i);
  if (claim != ParClaimMINE) {
    if (claim == ParClaimBUSY)
      ParClaimWait(imxseg->claims, i);
    moved = (Addr)SegPool(seg)->format->isMoved(ref);
    if (moved != NULL)
      *refIO = moved;
    return ResOK;
  }
  if (!imxParCopy(seg, ss, refIO))
    imxParMark(ss, seg, i);
  ParClaimSetDone(imxseg->claims, i);
  return ResOK;
}

/* In a worker: the copies the serial tracer left (taken whole by one
 * worker), then the grey objects (pargrey.h).  Not total. */
Res IMXScanParallel(ScanState ss, Seg seg)
{
  IMXSeg imxseg = IMXSegOf(seg);
  Addr limit = imxseg->copyLimit;
  Addr base = __atomic_exchange_n(&imxseg->copyScan, limit, __ATOMIC_RELAXED);
  if (base < limit) {
    Size header = SegPool(seg)->format->headerSize;
    Res res;
    ScanStateBeginClient(ss);
    res = SegPool(seg)->format->scan(ScanStateMPS(ss), AddrAdd(base, header),
                                     AddrAdd(limit, header));
    (void)ScanStateEndClient(ss);
    if (res != ResOK) {
      __atomic_store_n(&imxseg->copyScan, base, __ATOMIC_RELAXED); /* regreyed */
      return res;
    }
    ss->scannedSize += AddrOffset(base, limit);
  }
  __atomic_store_n(&imxseg->allGrey, FALSE, __ATOMIC_RELAXED);
  return ParGreyScan(ss, seg, imxseg->greys, imxseg->greySummary, &imxseg->parQueued,
                     imxseg->grains);
}

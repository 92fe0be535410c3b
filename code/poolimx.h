/* poolimx.h: IMX, the mark-region (Immix-style) pool
 *
 * The design note is the comment at the head of poolimx.c.
 */

#ifndef tarn_poolimx_h
#define tarn_poolimx_h

#include "types.h"
#include "seg.h"
#include "pool.h"
#include "chain.h"
#include "bt.h"
#include "trace.h"

#define IMXSig ((Sig)0x519133C5)
#define IMXSegSig ((Sig)0x5191335E)
#define IMXSpaceSig ((Sig)0x51913590)

typedef struct IMXStruct *IMX;
typedef struct IMXSegStruct *IMXSeg;
typedef struct IMXSpaceStruct *IMXSpace;

/* A region the collector copies survivors into: [init, limit) of seg,
 * a run of lines taken for the current trace. */
typedef struct IMXRegionStruct {
  Seg seg;
  Addr init;
  Addr limit;
} IMXRegionStruct;

/* A space: blocks of one age (poolimx.c, imxSpacesCreate).  In the
 * young spaces (with MPS_KEY_IMX_NURSERY: the nursery, space 0, and the
 * survivor spaces after it, all in generation 0) every block is
 * evacuated whole when condemned: survivors are copied into the next
 * space unless pinned.  The mature space (the last) is mark-region:
 * survivors stay in place unless their block was chosen for
 * defragmentation. */
typedef struct IMXSpaceStruct {
  Sig sig;
  struct IMXStruct *imx;
  PoolGenStruct pgenStruct;
  Index index;
  struct IMXSpaceStruct *next;  /* where its survivors go (itself: the last) */
  Bool nursery;
  RingStruct blockRing;         /* IMXSegs, by spaceRing */
  Count blocks;                 /* on blockRing */
  Size freeSize;                /* bytes of free lines (not in the nursery) */
  Ring allocCursor;             /* mutator's search position in blockRing */
  Ring evacCursor;              /* collector's search position */
  IMXRegionStruct evac;         /* copies into this space, this trace */
  Bool selected;                /* defragmentation candidates were chosen */
  Size evacBudget;              /* bytes of fresh blocks defragmenting it may take */
  Size evacFresh;               /* ... and has taken */
} IMXSpaceStruct;

/* A block: a segment of lines.  The side maps are in the descriptor:
 *   lineUsed  byte per line: non-zero if the line holds objects or was
 *             handed to a buffer or a copying region (free otherwise);
 *   lineMark  byte per line: touched by an object preserved by the
 *             current trace (computed at reclaim), or taken by a region
 *             during it;
 *   starts    bit per grain: an object starts here (complete except for
 *             the objects in [recBase, recLimit), recorded lazily);
 *   marks     bit per grain: the object was preserved in place, or copied
 *             here, by the current trace;
 *   greys     ... and is still to be scanned;
 *   greySummary  bit per word of greys: it may be non-zero (pargrey.h). */
typedef struct IMXSegStruct {
  SegStruct segStruct;
  Sig sig;
  IMXSpace space;
  RingStruct spaceRing;         /* in space->blockRing */
  Count lines;
  Count grains;                 /* alignment units */
  Count usedLines;              /* non-zero bytes of lineUsed */
  Count holes;                  /* maximal runs of free lines (last reclaim) */
  Size liveBytes;               /* preserved in place by the last reclaim */
  Size deadBytes;               /* in the lines it kept used, not live */
  Byte *lineUsed;
  Byte *lineMark;
  BT starts;
  BT marks;
  BT greys;
  BT greySummary;               /* bit w: grey word w may be non-zero */
  Addr recBase;                 /* objects in [recBase, recLimit) ... */
  Addr recLimit;                /* ... have no start bits yet */
  Bool large;                   /* a block for one large object */
  Bool candidate;               /* chosen for defragmentation by this trace */
  Bool evacuate;                /* white, and unpinned objects are copied out */
  Bool hasGrey;                 /* some grey bits may be set */
  Bool allGrey;                 /* every object was made grey (imxGrey) */
  Index greyLow;                /* no grey bit is below this grain */
  Addr copyScan;                /* copies in [copyScan, copyLimit) are grey */
  Addr copyLimit;               /* ... though they have no grey bits */
  Bool parQueued;               /* in a parallel phase: an entry for its
                                   grey objects is queued (pargrey.h) */
  Word *claims;                 /* a parallel trace's claim bits of an
                                   evacuated block (parallel.h), or NULL */
} IMXSegStruct;

typedef struct IMXStruct {
  PoolStruct poolStruct;
  Sig sig;
  Chain chain;
  Bool scanned;                 /* IMX: objects hold references; IMXZ: not */
  Bool interior;                /* ambiguous interior pointers pin */
  Size headerSize;
  Size blockSize;
  Size largeSize;               /* objects this big get a block of their own */
  Size lineSize;
  Shift lineShift;
  double headroom;              /* defragmentation: fresh blocks / space size */
  Count spaceCount;             /* nursery, survivor spaces, mature; 1 without a nursery */
  IMXSpace spaces;
  IMXSpace allocSpace;          /* where the mutator allocates: spaces[0] */
  Size totalSize;               /* bytes of blocks */
  Bool promoteAll;              /* short of memory: survivors skip the
                                   survivor spaces (IMXCopySpace) */
} IMXStruct;

#define IMXSegSeg(imxseg) (&(imxseg)->segStruct)
#define IMXOf(pool) ((IMX)(void *)(pool))
#define IMXSegOf(seg) ((IMXSeg)(void *)(seg))

/* Addresses, grains and lines (for poolimx.c and imxpar.c) */

static inline Index imxIndex(Seg seg, Addr addr)
{
  return (Index)(AddrOffset(SegBase(seg), addr) >> SegPool(seg)->alignShift);
}

static inline Addr imxAddr(Seg seg, Index i)
{
  return AddrAdd(SegBase(seg), (Size)i << SegPool(seg)->alignShift);
}

static inline Index imxLine(IMX imx, Seg seg, Addr addr)
{
  return (Index)(AddrOffset(SegBase(seg), addr) >> imx->lineShift);
}

static inline Addr imxLineAddr(IMX imx, Seg seg, Index l)
{
  return AddrAdd(SegBase(seg), (Size)l << imx->lineShift);
}

static inline Trace imxTrace(ScanState ss)
{
  return ArenaTrace(ss->arena, (TraceId)__builtin_ctz(ss->traces));
}

/* The mature space (with the nursery, the last; else the only space). */
static inline IMXSpace imxMatureSpace(IMX imx)
{
  return &imx->spaces[imx->spaceCount - 1];
}

/* The mechanism poolimx.c lends to the parallel tracer (imxpar.c). */
extern void IMXReleaseLines(IMX imx, Seg seg, Addr from, Addr limit);
extern Seg IMXTakeRun(Addr *baseReturn, Addr *limitReturn, IMX imx, IMXSpace to,
                      IMXSpace from, Count n);
extern IMXSpace IMXCopySpace(IMX imx, IMXSpace from, Trace trace, Size size);
extern Bool IMXLargeBlock(Seg *segReturn, IMX imx, IMXSpace to, Seg seg, Size size);

/* A fix and a scan in a parallel phase's worker (imxpar.c). */
extern Res IMXFixParallel(Seg seg, ScanState ss, Addr *refIO);
extern Res IMXScanParallel(ScanState ss, Seg seg);

/* Choose the blocks of a mature space to evacuate in the trace about to
 * condemn it (imxdefrag.c), and its budget of fresh blocks. */
extern void IMXSelectCandidates(IMX imx, IMXSpace space);

extern Bool IMXCheck(IMX imx);
extern Bool IMXSegCheck(IMXSeg imxseg);
extern Bool IMXSpaceCheck(IMXSpace space);
extern PoolClass PoolClassIMX(void);
extern PoolClass PoolClassIMXZ(void);

#endif /* tarn_poolimx_h */

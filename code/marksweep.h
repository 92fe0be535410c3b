/* marksweep.h: non-moving mark-sweep segments, shared by LO, AMS and AWL
 *
 * The three non-moving automatic pools keep their objects in segments
 * with side bit tables, one bit per alignment unit ("grain" below):
 *   alloc  the grain is in use (by an object, or by an attached buffer);
 *   start  an object starts here (recorded when a buffer gives back its
 *          committed objects, by walking them with the format's skip);
 *   mark   the object starting here was preserved by the current trace;
 *   grey   ... and has not been scanned yet (scanned pools only).
 * Recording starts lets a fix tell in O(1) whether an ambiguous reference
 * is an object's client address, and lets reclaim and scanning go from
 * object to object without walking free memory.
 *
 * The pool classes differ in what they scan and at which rank (LO: never;
 * AMS: exact or ambiguous per allocation point; AWL: exact or weak) and
 * add their own methods on top of these.
 */

#ifndef tarn_marksweep_h
#define tarn_marksweep_h

#include "types.h"
#include "seg.h"
#include "pool.h"
#include "chain.h"
#include "bt.h"

#define MSSegSig ((Sig)0x5193559E)
#define MSPoolSig ((Sig)0x519355B0)

typedef struct MSSegStruct {
  SegStruct segStruct;
  Sig sig;
  Count grains;                 /* alignment units in the segment */
  Count freeGrains;             /* reset bits in allocTable */
  Count maxRun;                 /* no free run is longer (an upper bound,
                                   lowered by failed searches) */
  Index fillHint;               /* where the next search for a run
                                   starts (next fit) */
  BT allocTable;
  BT startTable;
  BT markTable;
  BT greyTable;
  BT greySummary;               /* bit w: grey word w may be non-zero */
  Addr recordedLimit;           /* with a buffer: starts recorded up to here */
  Bool hasGrey;                 /* some grey bits may be set */
  Index greyLow;                /* no grey bit is below this */
  Bool allGrey;                 /* every object was made grey (MSGrey) */
  Bool parQueued;               /* in a parallel phase: an entry for the
                                   segment's grey objects is queued and
                                   its scan has not begun (atomics) */
} MSSegStruct, *MSSeg;

typedef struct MSPoolStruct {
  PoolStruct poolStruct;
  Sig sig;
  Chain chain;
  PoolGenStruct pgenStruct;
  Size headerSize;
  Size segSize;                 /* usual segment size */
  Seg fillSeg;                  /* where the last fill found its run, or
                                   NULL: the next search starts there */
  Bool scanned;                 /* objects hold references */
  Bool supportAmbiguous;        /* ambiguous references preserve objects */
  Size totalSize;               /* bytes of segments */
  Size freeSize;                /* free grains, in bytes */
  /* For AWL: the class may hook weak splatting (NULL otherwise). */
  mps_addr_t (*findDependent)(mps_addr_t);
} MSPoolStruct, *MSPool;

#define MSSegOf(seg) ((MSSeg)(void *)(seg))
#define MSPoolOf(pool) ((MSPool)(void *)(pool))

extern Bool MSSegCheck(MSSeg msseg);
extern Bool MSPoolCheck(MSPool mspool);

/* For the classes: create the common part (format required; needScan:
 * the format needs a scan method). */
extern Res MSPoolInit(Pool pool, Arena arena, ArgList args, Bool scanned,
                      Index defaultGen, Bool takesGen);
extern void MSPoolFinish(Pool pool);

/* Methods the classes use directly */
extern Res MSBufferInit(Buffer buffer, Pool pool, ArgList args);
extern Res MSBufferFill(Addr *baseReturn, Addr *limitReturn, Pool pool,
                        Buffer buffer, Size size);
extern void MSBufferEmpty(Pool pool, Buffer buffer, Addr init, Addr limit);
extern Size MSTotalSize(Pool pool);
extern Size MSFreeSize(Pool pool);
extern Res MSWhiten(Pool pool, Trace trace, Seg seg);
extern void MSGrey(Pool pool, Trace trace, Seg seg);
extern Res MSScan(Bool *totalReturn, ScanState ss, Pool pool, Seg seg);
extern Res MSFix(Seg seg, ScanState ss, Addr *refIO);
extern void MSReclaim(Pool pool, Trace trace, Seg seg);
extern Res MSWalk(Pool pool, mps_area_scan_t scanArea, void *closure);

#endif /* tarn_marksweep_h */

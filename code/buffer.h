/* buffer.h: allocation points
 *
 * An allocation point is a buffer: a region [base, poolLimit) of a pool's
 * memory in which the client allocates by bumping `alloc` (mps_reserve)
 * and then publishing with `init = alloc` (mps_commit), both inline in the
 * client.  The public part, mps_ap_s {init, alloc, limit}, is the first
 * member so that mps_ap_t points at it.
 *
 * Invariant: base <= init <= alloc <= poolLimit, and ap.limit is either
 * poolLimit or 0.  ap.limit == 0 is a trap: the next reserve goes to
 * BufferFill and the next commit to BufferTrip.  The collector traps a
 * buffer at a flip (and only traps it: its owner may be in the middle of
 * the inline code); the commit of the object reserved at the flip fails
 * (design: allocation points).  A detached
 * buffer has base == init == alloc == poolLimit == limit == NULL.
 */

#ifndef tarn_buffer_h
#define tarn_buffer_h

#include "types.h"
#include "check.h"
#include "ring.h"

#define BufferSig ((Sig)0x519B0FFE)

#define BufferModeTRAPPED ((unsigned)1 << 0)  /* ap.limit zeroed on purpose */
#define BufferModeFLIPPED ((unsigned)1 << 1)  /* the outstanding reservation is void */

typedef struct BufferStruct {
  mps_ap_s apStruct;            /* public: init, alloc, limit */
  Sig sig;
  Serial serial;
  Pool pool;
  Arena arena;
  RingStruct poolRing;          /* in pool->bufferRing */
  Addr base;
  Addr poolLimit;
  Rank rank;                    /* of references in objects allocated here */
  Seg seg;                      /* segment holding the region, if any */
  unsigned mode;
  Addr initAtFlip;              /* init when the last flip trapped it */
  Word owner;                   /* the thread that last filled it */
  Count rampDepth;              /* open allocation patterns */
  Bool rampCollectAll;
  Size filled;                  /* bytes handed to this buffer so far */
  Size emptied;                 /* bytes given back unused */
} BufferStruct;

extern Bool BufferCheck(Buffer buffer);

#define BufferOfAP(ap) ((Buffer)(void *)(ap))
#define BufferAP(buffer) (&(buffer)->apStruct)
#define BufferInit(buffer) ((Addr)(buffer)->apStruct.init)
#define BufferAlloc(buffer) ((Addr)(buffer)->apStruct.alloc)
#define BufferBase(buffer) ((buffer)->base)
#define BufferLimit(buffer) ((buffer)->poolLimit)
#define BufferIsReady(buffer) ((buffer)->apStruct.init == (buffer)->apStruct.alloc)
#define BufferIsAttached(buffer) ((buffer)->base != NULL)

extern Res BufferCreate(Buffer *bufferReturn, Pool pool, ArgList args);
extern void BufferDestroy(Buffer buffer);
/* The slow path of mps_reserve: reserve size bytes, refilling if needed. */
extern Res BufferFill(Addr *pReturn, Buffer buffer, Size size);
/* The slow path of mps_commit: is the object just committed valid? */
extern Bool BufferTrip(Buffer buffer, Addr p, Size size);
/* Give the buffer's region back to its pool. */
extern void BufferDetach(Buffer buffer);
/* The collector is about to flip: invalidate any outstanding reservation
 * and stop further allocation in the current region. */
extern void BufferFlip(Buffer buffer);

extern Res BufferFramePush(mps_frame_t *frameReturn, Buffer buffer);
extern Res BufferFramePop(Buffer buffer, mps_frame_t frame);
extern Res BufferPatternBegin(Buffer buffer, Bool collectAll);
extern Res BufferPatternEnd(Buffer buffer);
extern void BufferPatternReset(Buffer buffer);

#endif /* tarn_buffer_h */

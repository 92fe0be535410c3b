/* poolamc.h: AMC and AMCZ, the mostly-copying generational pools
 *
 * See poolamc.c for the design.
 */

#ifndef tarn_poolamc_h
#define tarn_poolamc_h

#include "types.h"
#include "seg.h"
#include "pool.h"
#include "chain.h"
#include "buffer.h"

#define AMCSig ((Sig)0x519A3C00)
#define AMCSegSig ((Sig)0x519A3C5E)

typedef struct AMCStruct *AMC;
typedef struct AMCGenStruct *AMCGen;

/* One per generation the pool has objects in: the chain's generations and
 * the arena's top generation.  Objects that survive a collection of
 * generation i are copied into generation i+1 through its forwarding
 * region (to-space), [fwdInit, fwdLimit) of fwdSeg. */
typedef struct AMCGenStruct {
  PoolGenStruct pgenStruct;
  AMC amc;
  Index index;
  AMCGen next;                  /* where its survivors go */
  Seg fwdSeg;
  Addr fwdInit;
  Addr fwdLimit;
} AMCGenStruct;

/* How a condemned segment keeps objects in place (design note in
 * poolamc.c). */
typedef enum {
  AMCNailNONE,                  /* everything alive is copied out */
  AMCNailBOARD,                 /* objects marked on the board stay */
  AMCNailWHOLE                  /* every object stays */
} AMCNail;

typedef struct AMCSegStruct {
  SegStruct segStruct;
  Sig sig;
  AMCGen gen;
  Addr top;                     /* objects and padding fill [base, top) */
  Addr scanned;                 /* linear scanning has reached here */
  AMCNail nail;
  Count grains;                 /* alignment units (for the board) */
  BT starts;                    /* the board, when nail == AMCNailBOARD */
  BT marks;
  BT greys;
  Bool hasGrey;
  /* For a parallel trace, while condemned: a claim table (parallel.h)
   * indexed by alignment unit.  Claimed: some fix has taken the object
   * to preserve it; done: that fix is done (the object moved, or it
   * stays).  Set only by atomic operations in a phase; NULL if the trace
   * is serial. */
  Word *claims;
} AMCSegStruct, *AMCSeg;

typedef struct AMCBufStruct {
  BufferStruct bufferStruct;
  Bool hashArrays;              /* allocation here does not count */
} AMCBufStruct, *AMCBuf;

typedef struct AMCStruct {
  PoolStruct poolStruct;
  Sig sig;
  Bool scanned;                 /* AMC: objects hold references; AMCZ: not */
  Bool interior;                /* ambiguous interior pointers pin */
  Size headerSize;
  Size extendBy;
  Size largeSize;
  Chain chain;
  Count genCount;               /* the chain's plus the top generation */
  AMCGen gens;
  Count rampDepth;              /* open ramps on the pool's APs */
  Bool rampCollectAll;
  Size totalSize;               /* bytes of segments */
} AMCStruct;

extern Bool AMCCheck(AMC amc);
extern Bool AMCSegCheck(AMCSeg amcseg);

extern PoolClass PoolClassAMC(void);
extern PoolClass PoolClassAMCZ(void);

#endif /* tarn_poolamc_h */

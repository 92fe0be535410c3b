/* poolsnc.h: SNC, the stack-no-checking pool
 *
 * See poolsnc.c for the design.
 */

#ifndef tarn_poolsnc_h
#define tarn_poolsnc_h

#include "types.h"
#include "seg.h"
#include "pool.h"
#include "buffer.h"

#define SNCSig ((Sig)0x519533C0)
#define SNCSegSig ((Sig)0x519533C5)

/* A segment belongs to the stack of one allocation point.  Its objects
 * fill [base, top); [top, limit) is one padding object (or nothing).
 * While the allocation point's buffer is attached to it, the objects end
 * at the buffer's init instead and [init, limit) is the buffer's. */
typedef struct SNCSegStruct {
  SegStruct segStruct;
  Sig sig;
  Seg prev;                     /* the next older segment of the stack */
  Buffer owner;                 /* whose stack; NULL once the AP is gone */
  Addr top;
} SNCSegStruct, *SNCSeg;

typedef struct SNCBufStruct {
  BufferStruct bufferStruct;
  Seg topSeg;                   /* the newest segment of the stack */
} SNCBufStruct, *SNCBuf;

typedef struct SNCStruct {
  PoolStruct poolStruct;
  Sig sig;
  Size segSize;                 /* usual segment size */
  Size totalSize;               /* bytes of segments */
} SNCStruct, *SNC;

extern Bool SNCCheck(SNC snc);
extern Bool SNCSegCheck(SNCSeg sncseg);

extern PoolClass PoolClassSNC(void);

#endif /* tarn_poolsnc_h */

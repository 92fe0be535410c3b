/* poolmvt.h: the MVT pool class (Manual Variable Temporal)
 *
 * MVT is a manual pool for blocks of varied sizes, allocated only through
 * allocation points and freed with mps_free (a block may be freed in
 * pieces).  Its placement policy is "temporal fit": what one allocation
 * point allocates in a row lies side by side in one buffer, so blocks
 * created together, which tend to die together, share memory and leave
 * large holes rather than many small ones when they go.
 *
 * Free memory lives in a coalescing block structure (cbs.h) ordered by
 * address.  A buffer is refilled, in order of preference, from
 *   1. the oldest free span large enough to be worth a buffer of its own
 *      ("reuse size"): an age-ordered queue remembers such spans as they
 *      form, so memory freed long ago is reused before memory freed
 *      recently, and spans formed by coalescing inherit the age of their
 *      oldest part;
 *   2. any other free span of at least the reuse size (the largest);
 *   3. the lowest free span that fits (first fit), but only when the pool
 *      is fragmented, i.e. free memory exceeds the fragmentation limit
 *      times the pool's total memory;
 *   4. a fresh span of whole grains from the arena;
 *   5. and if the arena refuses, any free span that fits.
 * Requests larger than the maximum size hint get a region of their own,
 * rounded up to whole grains.  Whole free grains beyond the reserve
 * (reserve depth x mean size bytes of free memory) go back to the arena,
 * and so do the grains of a large block freed whole.
 *
 * Accounting: the total is what the pool holds from the arena; the free
 * size is what the free set holds.  Everything else is a live block
 * (rounded to the alignment) or the unused part of a buffer, so
 * total - free is exactly what the contract counts as in use.
 */

#ifndef tarn_poolmvt_h
#define tarn_poolmvt_h

#include "pool.h"
#include "cbs.h"

#define MVTSig ((Sig)0x519AB7E4)

/* Defaults of the keyword arguments (contract 6.8). */
#define MVT_MIN_SIZE_DEFAULT ((Size)MPS_PF_ALIGN)
#define MVT_MEAN_SIZE_DEFAULT ((Size)32)
#define MVT_MAX_SIZE_DEFAULT ((Size)8192)
#define MVT_RESERVE_DEPTH_DEFAULT ((Count)1024)
#define MVT_FRAG_LIMIT_DEFAULT 0.3

/* Fresh spans from the arena hold this many maximum-sized blocks (and at
 * least one grain), so that a buffer serves a good run of allocations
 * before it needs refilling. */
#define MVT_SPAN_BLOCKS ((Size)4)

/* How many large free spans the age queue remembers.  Spans it has no
 * room for are still found (step 2 above), only without their age. */
#define MVT_QUEUE_LENGTH 32

typedef struct MVTStruct {
  PoolStruct poolStruct;        /* generic part; must come first */
  Sig sig;
  CBSStruct freeStruct;         /* free memory, address ordered */
  Size minSize;                 /* size hints, rounded up to the alignment */
  Size meanSize;
  Size maxSize;
  Count reserveDepth;
  double fragLimit;             /* in [0, 1] */
  Size spanSize;                /* fresh memory taken per ordinary fill */
  Size reuseSize;               /* smallest span worth a buffer by itself */
  Size reserveLimit;            /* free bytes kept before returning grains */
  Size totalSize;               /* bytes held from the arena */
  Count queueCount;
  RangeStruct queue[MVT_QUEUE_LENGTH]; /* large free spans, oldest first */
} MVTStruct, *MVT;

#define MVTOfPool(pool) ((MVT)(void *)(pool))
#define MVTPool(mvt) (&(mvt)->poolStruct)

extern Bool MVTCheck(MVT mvt);

#endif /* tarn_poolmvt_h */

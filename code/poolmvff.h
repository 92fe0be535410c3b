/* poolmvff.h: the MVFF pool class (Manual Variable First Fit)
 *
 * A general manual pool: mps_alloc/mps_free of any size, and allocation
 * points.  Free memory is kept in a CBS (cbs.h), in front of which sit a
 * current region and exact-size quick lists; poolmvff.c describes the
 * design.  The structure is public so that a debugging subclass can
 * embed it.
 */

#ifndef tarn_poolmvff_h
#define tarn_poolmvff_h

#include "pool.h"
#include "cbs.h"

#define MVFFSig ((Sig)0x519B3FFF)

/* Quick lists: one per block size from one alignment unit up to
 * MVFF_QUICK_CLASSES units (and at most MVFF_QUICK_MAX bytes). */
#define MVFF_QUICK_CLASSES 512
#define MVFF_QUICK_MAX ((Size)4096)

typedef struct MVFFStruct *MVFF;

typedef struct MVFFStruct {
  PoolStruct poolStruct;        /* generic part: must be first */
  Sig sig;
  CBSStruct cbsStruct;          /* free ranges not on a quick list */
  Size extendBy;                /* least to ask of the arena: grains */
  Size avgSize;                 /* MPS_KEY_MEAN_SIZE: a hint, kept only */
  Bool slotHigh;                /* search free ranges from the top */
  Bool arenaHigh;               /* take arena memory from the top */
  Bool firstFit;                /* use the low end of the range found */
  Bool onValgrind;              /* tell memcheck about the fast paths */
  double spare;                 /* free fraction kept before returning */
  Size total;                   /* bytes held from the arena */
  Size spareLimit;              /* spare * total, updated with total */
  Size reduceAt;                /* try returning memory when free > this */
  Addr regionBase;              /* the current region: free memory */
  Addr regionLimit;             /*  outside the CBS, carved first */
  Size quickBytes;              /* bytes on the quick lists */
  Count quickCount;             /* blocks on the quick lists */
  Size sinceFlush;              /* bytes freed to them since the last flush */
  Size quickMax;                /* largest size a quick list takes */
  Count quickClasses;           /* quick lists in use */
  Word quickMap[MVFF_QUICK_CLASSES / WORD_WIDTH]; /* non-empty lists */
  Addr quick[MVFF_QUICK_CLASSES]; /* quick[i]: blocks of (i+1) units */
  Addr flushing[MVFF_QUICK_CLASSES]; /* the lists a flush is draining */
} MVFFStruct;

#define MVFFPool(mvff) (&(mvff)->poolStruct)
#define MVFFOfPool(pool) ((MVFF)(void *)(pool))
#define MVFFCBS(mvff) (&(mvff)->cbsStruct)

extern Bool MVFFCheck(MVFF mvff);

#endif /* tarn_poolmvff_h */

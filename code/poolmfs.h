/* poolmfs.h: the MFS pool class (Manual Fixed Small)
 *
 * An MFS pool hands out blocks ("units") of one size.  It takes memory
 * from the arena in runs of whole grains and carves units from the newest
 * run as they are needed; freed units go on a free list threaded through
 * their first word and are reused before anything new is carved.  Memory
 * is given back to the arena only when the pool is destroyed.
 *
 * Each run ends with a small trailer (MFSRunStruct) that links the runs
 * together, so that the pool needs nothing from the control allocator
 * beyond its own descriptor.  That keeps MFS usable as a building block
 * for the manager's own structures.  The trailer is pool overhead: it is
 * counted in the total size and, not being in use by the client, in the
 * free size, so that total - free is exactly (units in use) * unit size.
 *
 * The client interface is mps_class_mfs() (mpscmfs.h) with the keys
 * MPS_KEY_MFS_UNIT_SIZE (required) and MPS_KEY_EXTEND_BY; the positional
 * form of mps_pool_create takes (size_t extend_by, size_t unit_size).
 * Inside the manager, MFSAlloc and MFSFree skip the interface's checks.
 */

#ifndef tarn_poolmfs_h
#define tarn_poolmfs_h

#include "pool.h"

#define MFSSig ((Sig)0x519F5F5A)

/* MPS_KEY_EXTEND_BY when not given (contract 6.6). */
#define MFS_EXTEND_BY_DEFAULT ((Size)65536)

/* The trailer at the end of each run. */
typedef struct MFSRunStruct *MFSRun;
typedef struct MFSRunStruct {
  MFSRun next;                  /* older runs */
  Addr base;                    /* the run is [base, this trailer's run limit) */
  Size size;                    /* bytes taken from the arena, trailer included */
} MFSRunStruct;

typedef struct MFSStruct {
  PoolStruct poolStruct;        /* generic part; must come first */
  Sig sig;
  Size unitSize;                /* rounded: what each unit occupies */
  Size givenUnitSize;           /* as the client gave it */
  Size runSize;                 /* bytes taken from the arena at a time */
  Addr freeList;                /* free units, linked through their first word */
  Addr carveBase;               /* not yet carved part of the newest run */
  Addr carveLimit;
  MFSRun runs;                  /* newest first */
  Count runCount;
  Count freeCount;              /* units on freeList */
  Count inUse;                  /* units handed out and not freed */
  Size total;                   /* bytes held from the arena */
} MFSStruct, *MFS;

#define MFSOfPool(pool) ((MFS)(void *)(pool))
#define MFSPool(mfs) (&(mfs)->poolStruct)

extern Bool MFSCheck(MFS mfs);

/* Allocate or free one unit of an MFS pool.  The caller holds the arena
 * lock; MFSFree must be given a unit MFSAlloc returned. */
extern Res MFSAlloc(Addr *pReturn, Pool pool);
extern void MFSFree(Pool pool, Addr old);
extern Size MFSUnitSize(Pool pool);

#endif /* tarn_poolmfs_h */

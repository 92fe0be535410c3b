/* sac.h: segregated allocation caches
 *
 * A cache sits between one client thread and a manual pool that supports
 * mps_alloc and mps_free.  It keeps, per size class, a list of free blocks
 * of the class's size, so that most allocations and frees are a few
 * instructions inline in the client (MPS_SAC_ALLOC_FAST and
 * MPS_SAC_FREE_FAST in mps.h) and take no lock.  Only a miss (the class's
 * list is empty) or an overflow (the list is full) comes into the manager,
 * and only then is the arena lock taken, around the calls to the pool.
 *
 * Layout.  The public structure _mps_sac_s comes first, because the macros
 * read it through the mps_sac_t handle.  Its _freelists[0 .. n-1] are the
 * client's n classes in increasing order of block size, and
 * _freelists[n] is the overlarge class: _size (size_t)-1 so that every
 * class search stops there, _count_max 0 so that nothing is ever cached in
 * it.  The remaining entries are set like the overlarge one and never
 * used.  _trapped is always 0 (Tarn has no reason to divert the macros)
 * and _middle is 0.
 *
 * Blocks.  A request of s bytes belongs to the first class whose size is
 * at least s, and the block comes from the pool at the class size, so any
 * block on a class's list serves any request of the class.  Overlarge
 * requests go to the pool at s rounded up to the pool's alignment and are
 * never cached.  Cached blocks are allocated as far as the pool can tell:
 * the pool counts them as in use until the cache gives them back (on
 * overflow, flush and destroy).
 *
 * Batches.  A miss allocates, besides the block asked for, up to
 * batch[i] more blocks of the class and caches them; an overflow returns
 * the block being freed and batch[i] cached ones.  So a client cycling
 * around the empty or the full mark pays for the lock once per batch, not
 * once per block.  batch[i] is half the class's cached count (rounded
 * down), bounded in blocks and in bytes (sac.c).
 */

#ifndef tarn_sac_h
#define tarn_sac_h

#include "types.h"
#include "check.h"

#define SACSig ((Sig)0x5195AC0F)

typedef struct SACStruct *SAC;

typedef struct SACStruct {
  _mps_sac_s esacStruct;        /* public, read inline by the macros; first */
  Sig sig;
  Pool pool;
  Count classes;                /* client classes; _freelists[classes] is overlarge */
  Count batch[MPS_SAC_CLASS_LIMIT]; /* extra blocks moved per miss or overflow */
} SACStruct;

#define SACOfPublic(esac) ((SAC)(void *)(esac))
#define SACPublic(sac) (&(sac)->esacStruct)

extern Bool SACCheck(SAC sac);

#endif /* tarn_sac_h */

/* dbgpool.h: the debugging mixin for pool classes (contract 20)
 *
 * A debugging class is a copy of its base class's method table in which
 * a few methods are wrapped: init and finish (the options, checks at
 * destroy), mps_alloc and mps_free (fenceposts and a table of the live
 * blocks), buffer fill and empty (free-space checks and splatting), and
 * check.  Everything else is the base class's own method, running on the
 * same instance: a debugging pool's instance is the base class's
 * structure with a DebugPoolStruct after it (class size = the base's size
 * rounded up, plus the debugging part).
 *
 * Two checks (contract 20):
 *  - fenceposts: each block of mps_alloc is asked of the base class with
 *    room for a fencepost before and after it, each the fence template's
 *    size rounded up to the pool alignment; the one after also covers the
 *    slop between the client's size and the alignment.  Fenceposts hold
 *    the template repeated, and are checked on mps_free, at destroy and by
 *    mps_pool_check_fenceposts.  The live blocks are kept in a hash table
 *    (client address -> size), which is how the pool finds them to check.
 *  - free space: free memory is kept filled with the free template,
 *    repeated by address (byte at address a is template[a mod size]), so
 *    ranges may split and coalesce freely.  It is checked before it is
 *    used again, when it goes back to the arena, at destroy and by
 *    mps_pool_check_free_space.
 * Failures go to the plinth's assertion handler (mps_lib_assert_fail), with
 * the contract's condition texts ("fencepost check on free", "free space
 * corrupted on release") followed by the addresses and the pool.  If the
 * handler returns, the damage is repaired (re-filled) so that it is
 * reported once, and the operation goes on.
 *
 * Base classes call the hooks below where free memory appears or leaves
 * without passing through a wrapped method (arena memory gained and given
 * back, objects reclaimed), guarded by PoolHasAttr(pool, PoolAttrDEBUG).
 * Memcheck: the hooks and wrappers open free memory only while they touch
 * it; free memory is left no-access, fenceposts too.
 */

#ifndef tarn_dbgpool_h
#define tarn_dbgpool_h

#include "pool.h"

#define DebugPoolSig ((Sig)0x519DEB09)

typedef struct DebugTagStruct {
  Addr client;                  /* NULL: an empty slot */
  Size size;                    /* as the client asked for it */
} DebugTagStruct, *DebugTag;

typedef struct DebugPoolStruct *DebugPool;

typedef struct DebugPoolStruct {
  Sig sig;
  Byte *fenceTemplate;          /* copied from the options */
  Size fenceSize;               /* 0: no fenceposts */
  Size fenceRounded;            /* each fencepost: fenceSize aligned up */
  Byte *freeTemplate;
  Size freeSize;                /* 0: no free-space splatting */
  DebugTag tags;                /* live blocks of mps_alloc (open hashing) */
  Count tagCount;
  Count tagCapacity;            /* 0 or a power of two */
  Bool finishing;               /* the pool is being destroyed */
} DebugPoolStruct;

extern Bool DebugPoolCheck(DebugPool debug);

/* The debugging classes (contract 20). */
extern PoolClass PoolClassMVFFDebug(void);
extern PoolClass PoolClassAMSDebug(void);

/* Is klass the debugging class made from base? */
extern Bool PoolClassIsDebugOf(PoolClass klass, PoolClass base);

/* Hooks for base classes (only for pools with PoolAttrDEBUG):
 * [base, limit) has just become free memory of the pool (fresh from the
 * arena, or reclaimed): fill it with the free template. */
extern void DebugPoolFreeSplat(Pool pool, Addr base, Addr limit);
/* [base, limit), free, goes back to the arena: check it. */
extern void DebugPoolFreeRelease(Pool pool, Addr base, Addr limit);
/* A mark-sweep segment goes back to the arena: check its free grains. */
extern void DebugPoolMSSegRelease(Seg seg);

/* mps_pool_check_fenceposts and mps_pool_check_free_space, with the arena
 * entered; no effect on other pools. */
extern void DebugPoolCheckFenceposts(Pool pool);
extern void DebugPoolCheckFreeSpace(Pool pool);

#endif /* tarn_dbgpool_h */

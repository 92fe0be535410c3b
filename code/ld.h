/* ld.h: location dependency
 *
 * A client that hashes objects by address records, in an mps_ld_s, the
 * zones of the addresses it depended on and the arena's epoch (the count
 * of flips) when it started.  The arena keeps, for each of the last
 * LD_HISTORY flips, the zones in which objects may have moved.  A
 * dependency is stale if a flip since its epoch moved objects in one of
 * its zones; if its epoch is older than the history, it is assumed stale.
 * Adding and testing take no lock: the flip writes the history entry
 * before it advances the epoch, and a test reads the epoch first.
 */

#ifndef tarn_ld_h
#define tarn_ld_h

#include "types.h"

#define LD_HISTORY 16

/* At a flip: objects in `moved` zones may move in the new epoch. */
extern void LDFlip(Arena arena, ZoneSet moved);

#endif /* tarn_ld_h */

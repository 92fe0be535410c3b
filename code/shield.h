/* shield.h: the write barrier on segments
 *
 * A segment's summary says which zones its references may point into.
 * Scanning computes it exactly; to keep it exact afterwards, the segment
 * is protected against writes (design: barriers).  The mutator's first
 * write faults, the fault handler lifts the protection and widens the
 * summary to "anything", and the write goes ahead.  So a collection of
 * the young generations greys only the old segments whose summaries meet
 * the condemned zones, and the rest are never touched.
 *
 * Rules:
 *  - a segment with an attached allocation point is never protected and
 *    its summary is universal (the mutator writes new objects there);
 *  - the collector lifts protection from a segment before it writes to it
 *    (condemning, scanning, refilling, freeing, walking);
 *  - after a collection, and whenever the mutator runs in the middle of
 *    one, every segment that holds references, is not being allocated in,
 *    and has a summary other than universal, is protected against writes;
 *  - in the middle of a collection, grey segments are protected against
 *    any access (the read barrier, trace.c).
 */

#ifndef tarn_shield_h
#define tarn_shield_h

#include "types.h"

extern void SegLowerBarrier(Seg seg);
/* A grey segment while the mutator runs in the middle of a trace. */
extern void SegRaiseReadBarrier(Seg seg);
/* A segment the mutator may use now: protected against writes if its
 * summary is exact, else open. */
extern void SegSettleBarrier(Seg seg);
extern void ArenaRaiseBarriers(Arena arena);
extern void ArenaLowerBarriers(Arena arena);
/* Lower the barriers of the segments for which pred is true, with one
 * call of the OS for each run of adjacent segments. */
extern void ArenaLowerBarriersWhere(Arena arena, Bool (*pred)(Seg seg, void *closure),
                                    void *closure);

#endif /* tarn_shield_h */

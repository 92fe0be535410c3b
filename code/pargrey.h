/* pargrey.h: grey bits of a mark-in-place segment, shared by workers
 *
 * A pool that marks objects in place (AMS, AWL, IMX's mature space)
 * keeps a grey bit per grain.  In a parallel phase one worker may set
 * grey bits in a segment while others scan it, so a segment's grey
 * objects are not queued one entry each: a fix that greys an object
 * queues the segment (one ParPushGreys entry, unless one is queued and
 * its scan has not begun), and the scan takes grey bits a word at a
 * time with an atomic exchange, so each grey object is scanned by the
 * one worker that took its bit.  Runs of consecutive grey objects are
 * scanned in one call of the format, in address order, as serially.
 *
 * A worker that greys an object in the segment it is scanning does not
 * queue the segment (unless another worker is idle with nothing on
 * offer: then the segment is queued, to be shared): it notes the lowest
 * such grain (ScanState greySeg, greyLow), and its scan goes back for it
 * after the current run, taking the lowest word it has next, as the
 * serial scan goes back to the lowest grey object (marksweep.c).  So a tree whose children precede
 * their parent is scanned near where the last scan was, in cache.
 * Queued instead, each such object waited for a later entry that found
 * the segment's grey objects spread over it, and the parallel scan by
 * one worker cost 1.7 times the serial scan on treebench's AMS heap
 * (test/bench/README.md, "Going back for grey objects").
 *
 * `summary` has a bit per word of `bits` that may be non-zero, so that a
 * segment queued for a few objects is not read whole (a random graph's
 * segments are scanned many times, a few objects each time).  The pool
 * keeps it true serially too: every grey bit set has its summary bit
 * set (a stale summary bit only costs a look at a zero word).
 *
 * Ordering: the fix sets the grey bit, then the summary bit, then the
 * queued flag; the scan clears the queued flag, then takes a summary
 * bit, then the word (all sequentially consistent, including the loads
 * that look before an exchange or an or: a relaxed one could be
 * satisfied before the scan's clearing of the flag is visible, on a
 * weakly ordered processor).  A fix that greys an object after the scan
 * passed its word therefore finds the flag clear and queues the segment
 * again.
 */

#ifndef tarn_pargrey_h
#define tarn_pargrey_h

#include "types.h"
#include "parallel.h"

/* Grey the object at grain i (its mark already claimed by the caller)
 * and queue the segment, unless ss is scanning it.  FALSE if no entry
 * could be queued: the caller must have the segment greyed after the
 * phase (parRegrey). */
extern Bool ParGreyObject(ScanState ss, Seg seg, Word *bits, Word *summary,
                          Bool *queued, Index i);

/* After a phase (serially): grey every marked object, for a segment
 * whose deferred or unfinished scans are not recorded (parRegrey).
 * Rescanning is harmless, and unmarked objects are dead. */
extern void ParGreyMarked(Word *bits, Word *summary, const Word *marks, Count grains);

/* Scan the segment's grey objects, in a worker (not total: others may
 * take some of them).  On failure the caller regreys the segment. */
extern Res ParGreyScan(ScanState ss, Seg seg, Word *bits, Word *summary,
                       Bool *queued, Count grains);

#endif /* tarn_pargrey_h */

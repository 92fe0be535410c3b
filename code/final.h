/* final.h: finalization
 *
 * mps_finalize registers a block: the registration is a finalization
 * message made at once (so that posting it later cannot fail) holding the
 * reference, on the arena's ring of registered guardians.  In each trace
 * the guardians are fixed in the final band, after every exact reference
 * has been followed: a fix that had to preserve its object (the pool
 * reports it by clearing ss->wasMarked) means nothing but the
 * registration kept it alive, so the message is posted.  From then on the
 * message is an exact root for the block until the client discards it.
 * Weak references are fixed after the final band, so they still see the
 * block when its message is posted (contract 14).
 */

#ifndef tarn_final_h
#define tarn_final_h

#include "types.h"

extern void FinalInit(Arena arena);
extern void FinalFinish(Arena arena);
extern Res FinalRegister(Arena arena, Addr ref);
extern Res FinalDeregister(Arena arena, Addr ref);
/* For the tracer: posted messages hold exact references; guardians are
 * fixed at the final rank. */
extern Res FinalScanPosted(ScanState ss);
extern Res FinalScanGuardians(ScanState ss);

#endif /* tarn_final_h */

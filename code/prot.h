/* prot.h: memory protection and the fault handler (the barrier's
 * platform part)
 *
 * ProtSet forbids the given accesses to [base, limit) (ACCESS_WRITE:
 * read-only; ACCESS_READ | ACCESS_WRITE: no access; 0: read and write).
 * The SIGSEGV (and SIGBUS) handler is installed the first time memory is
 * protected.  A fault on memory an arena protected is handed to the arena
 * (ArenaAccess), which lifts the barrier and lets the access retry; any
 * other fault goes to the handler that was installed before Tarn's, or,
 * if there was none, gets the default action, so a real crash still
 * crashes (design: barriers).
 */

#ifndef tarn_prot_h
#define tarn_prot_h

#include "types.h"

extern void ProtSet(Addr base, Addr limit, AccessSet forbid);
extern Res ProtInit(void);

/* The arena's side, called from the fault handler: TRUE if the fault at
 * addr was a barrier hit that has been dealt with. */
extern Bool ArenaAccess(Addr addr, AccessSet mode);

#endif /* tarn_prot_h */

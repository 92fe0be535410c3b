/* thread.h: registered threads and their stacks
 *
 * A thread registered with an arena may hold references in its stack and
 * registers; a thread root scans them ambiguously from the stack pointer
 * up to the cold end the client gave.  The calling thread spills its
 * callee-saved registers into its own frame and scans from there; other
 * threads are suspended by signal while their stacks are scanned (issue 6:
 * see thread.c).
 */

#ifndef tarn_thread_h
#define tarn_thread_h

#include "types.h"
#include "check.h"
#include "ring.h"

#if TARN_THREADS
#include <pthread.h>
#endif

#define ThreadSig ((Sig)0x5194EAD0)

struct mps_thr_s {
  Sig sig;
  Serial serial;
  Arena arena;
  RingStruct arenaRing;         /* in arena->threadRing */
#if TARN_THREADS
  pthread_t id;
#endif
  Bool alive;                   /* false after the thread was found dead */
  Bool suspended;               /* by ThreadRingSuspend */
  Thread alias;                 /* same thread registered earlier, if any */
  volatile Addr stackPointer;   /* while suspended: lowest stack word */
  void *volatile fakeStack;     /* while suspended: its ASan fake stack, or NULL */
  Addr stackTop;                /* ASan builds: the cold end of its whole stack */
  volatile int resumed;         /* set by the resume signal */
};

extern Bool ThreadCheck(Thread thread);
extern Res ThreadRegister(Thread *threadReturn, Arena arena);
extern void ThreadDeregister(Thread thread);
extern Bool ThreadIsCurrent(Thread thread);
/* An identity for the calling thread (not a registration). */
extern Word ThreadCurrentId(void);
/* Stop every registered thread of the arena except the caller, and let
 * them go again.  Between the two, their stacks can be scanned and the
 * heap is the collector's. */
extern void ThreadRingSuspend(Arena arena);
extern void ThreadRingResume(Arena arena);
/* Scan [stack pointer, cold) and the registers of the thread with the
 * area scanner and closure. */
extern Res ThreadScan(ScanState ss, Thread thread, Addr cold,
                      mps_area_scan_t scan, void *closure);

/* Scan [base, limit) of a stack, which may hold words memcheck considers
 * undefined: under Valgrind the words are copied and the copy declared
 * defined, so the scan reads nothing undefined and the stack's own state
 * is left as it was. */
extern Res StackScanArea(ScanState ss, Addr base, Addr limit,
                         mps_area_scan_t scan, void *closure);

#endif /* tarn_thread_h */

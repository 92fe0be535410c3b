/* thread.h: registered threads and their stacks
 *
 * A thread registered with an arena may hold references in its stack and
 * registers; a thread root scans them ambiguously from the stack pointer
 * up to the cold end the client gave.  The calling thread's stack is
 * scanned from where it entered the manager (ThreadEntryRun), whose frame
 * holds its callee-saved registers, or else from the scanning frame, into
 * which it spills them; other threads are suspended by signal while their
 * stacks are scanned (issue 6: see thread.c).
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
/* Entry points.  A public function that may run the collector (it must
 * not be inlined: TARN_ENTRY) holds the arena lock and calls
 * ThreadEntryRun(arena, body, closure) directly, which runs body with
 * arena->entry describing where the client's state is: the client's
 * frames, from its stack pointer at its call of the entry point up, and
 * its callee-saved registers at that call.  Then the calling thread's
 * stack is scanned without the manager's own frames, whose slots that
 * this call did not write hold stale words that keep garbage alive.
 * ThreadRingSuspend finds the client's state by unwinding (before it
 * stops other threads: unwinding may take the loader's lock); where that
 * cannot be done, `hot` is used instead: below ThreadEntryRun's frame,
 * which holds every callee-saved register (the entry point's frame, with
 * those it saved, is above). */
#define TARN_ENTRY __attribute__((noinline))
#define THREAD_ENTRY_REGS 16
typedef struct ThreadEntryStruct {
  Addr cfa;                     /* ThreadEntryRun's canonical frame address */
  Addr hot;                     /* below ThreadEntryRun's frame */
  Bool unwound;                 /* client's state looked for */
  Addr clientSP;                /* NULL, or the client's stack pointer */
  Count regCount;
  Word regs[THREAD_ENTRY_REGS]; /* the client's callee-saved registers */
} ThreadEntryStruct;
typedef void (*ThreadEntryBody)(Arena arena, void *closure);
extern void ThreadEntryRun(Arena arena, ThreadEntryBody body, void *closure);
/* Scan [stack pointer, cold) and the registers of the thread with the
 * area scanner and closure.  For the calling thread inside an entry
 * point: the client's frames and registers (arena->entry). */
extern Res ThreadScan(ScanState ss, Thread thread, Addr cold,
                      mps_area_scan_t scan, void *closure);

/* Scan [base, limit) of a stack, which may hold words memcheck considers
 * undefined: under Valgrind the words are copied and the copy declared
 * defined, so the scan reads nothing undefined and the stack's own state
 * is left as it was. */
extern Res StackScanArea(ScanState ss, Addr base, Addr limit,
                         mps_area_scan_t scan, void *closure);

#endif /* tarn_thread_h */

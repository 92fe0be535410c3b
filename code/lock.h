/* lock.h: mutual exclusion
 *
 * One lock per arena serialises entry to the manager (design: threads).
 * The lock records its owner so that re-entrant queries (mps_arena_has_addr
 * from inside a walker callback) can tell they already hold it, and so that
 * mps_arena_busy can answer without taking it.
 */

#ifndef tarn_lock_h
#define tarn_lock_h

#include "types.h"
#include "check.h"

#if TARN_THREADS
#include <pthread.h>
#endif

#define LockSig ((Sig)0x5190C4ED)

/* On Linux the arena lock is a futex word of our own rather than a
 * pthread mutex: every mps_alloc and mps_free takes it, and the pthread
 * mutex's type dispatch and bookkeeping were a sixth of the instructions
 * of a manual allocation (test/bench/manualbench.c).  Elsewhere it is a
 * plain pthread mutex. */
#if TARN_THREADS && defined(__linux__)
#define LOCK_FUTEX 1
#else
#define LOCK_FUTEX 0
#endif

/* Who holds a lock.  With the futex lock, the address of a thread-local
 * byte (lock.c): finding it is two instructions, where pthread_self is a
 * call through the PLT, and every manual allocation claims a lock. */
#if TARN_THREADS
#if LOCK_FUTEX
typedef const void *LockOwner;
#else
typedef pthread_t LockOwner;
#endif
#endif

typedef struct LockStruct {
  Sig sig;
#if TARN_THREADS
#if LOCK_FUTEX
  int state;                    /* 0 free, 1 held, 2 held and contended */
#else
  pthread_mutex_t mutex;
#endif
  LockOwner owner;
#endif
  unsigned depth;               /* claims by the owner; 0 when free */
} LockStruct;

extern void LockInit(Lock lock);
extern void LockFinish(Lock lock);
extern void LockClaim(Lock lock);          /* not already held by caller */
extern void LockRelease(Lock lock);
extern void LockClaimRecursive(Lock lock); /* may already be held by caller */
extern void LockReleaseRecursive(Lock lock);
extern Bool LockIsHeld(Lock lock);         /* by anyone; no synchronisation */
extern Bool LockIsMine(Lock lock);
extern Bool LockCheck(Lock lock);

/* The global lock protects process-wide state (the arena list, lazily
 * built classes).  Lock order: the global lock, then arena locks, then
 * thread.c's suspension lock (held from ThreadRingSuspend to
 * ThreadRingResume), then the telemetry lock, which protects the event
 * buffer and is a leaf: events are written with arena locks held, and
 * nothing is claimed while the telemetry lock is held.  The checked
 * variety fails a claim of the global lock made while the thread holds
 * an arena lock (lock.c).  The fault handler is installed with
 * pthread_once (prot.c), under no lock of ours. */
extern void GlobalLockClaim(void);
extern void GlobalLockRelease(void);
extern void TelemetryLockClaim(void);
extern void TelemetryLockRelease(void);

/* In the child after fork: fresh, unclaimed locks. */
extern void LockReinit(Lock lock);
extern void GlobalLockReinit(void);
extern void TelemetryLockReinit(void);

#endif /* tarn_lock_h */

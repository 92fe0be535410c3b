/* lock.c: mutual exclusion with POSIX threads (see lock.h)
 *
 * With CONFIG_THREAD_SINGLE the locks only count claims.
 */

#include "lock.h"

Bool LockCheck(Lock lock)
{
  CHECKS(Lock, lock);
  return TRUE;
}

#if TARN_THREADS

/* A plain (fast) mutex; recursion is counted by hand, for the few entry
 * points that may be called from inside the manager. */

#if LOCK_FUTEX

/* The futex word: 0 free, 1 held with no waiter, 2 held and a waiter may
 * be asleep.  Claiming is one compare-and-swap from 0 to 1 when the lock
 * is free.  Otherwise spin briefly (the holder is usually another thread
 * in a short manual allocation), then mark the word 2 and sleep until
 * the exchange that marks it 2 finds it free.  A claim made by the slow
 * path leaves 2 behind even if nobody waits, which costs at most one
 * needless wake.  Releasing is one exchange to 0, and a wake only when
 * the old value says someone may sleep. */

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOCK_SPINS 100

#if defined(__x86_64__) || defined(__i386__)
#define cpuRelax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpuRelax() __asm__ __volatile__("yield")
#else
#define cpuRelax() ((void)0)
#endif

/* The owner token (lock.h).  Initial-exec TLS: one byte of the static
 * TLS block, which even a dlopened libtarn can have. */
static __thread char lockSelfByte __attribute__((tls_model("initial-exec")));
#define lockSelf() ((LockOwner)&lockSelfByte)
#define lockOwnerSet(lock) __atomic_store_n(&(lock)->owner, lockSelf(), __ATOMIC_RELAXED)
#define lockOwnerIsSelf(lock) (__atomic_load_n(&(lock)->owner, __ATOMIC_RELAXED) == lockSelf())

static void mutexInit(Lock lock) { lock->state = 0; }
static void mutexFinish(Lock lock) { AVER(lock->state == 0); UNUSED(lock); }

static void mutexClaimSlow(Lock lock)
{
  int i, c;
  for (i = 0; i < LOCK_SPINS; ++i) {
    c = 0;
    if (__atomic_compare_exchange_n(&lock->state, &c, 1, FALSE,
                                    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
      return;
    cpuRelax();
  }
  while (__atomic_exchange_n(&lock->state, 2, __ATOMIC_ACQUIRE) != 0)
    (void)syscall(SYS_futex, &lock->state, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

static void mutexClaim(Lock lock)
{
  int c = 0;
  if (!__atomic_compare_exchange_n(&lock->state, &c, 1, FALSE,
                                   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
    mutexClaimSlow(lock);
}

static void __attribute__((noinline)) mutexWake(Lock lock)
{
  (void)syscall(SYS_futex, &lock->state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void mutexRelease(Lock lock)
{
  if (__atomic_exchange_n(&lock->state, 0, __ATOMIC_RELEASE) == 2)
    mutexWake(lock);
}

#else /* !LOCK_FUTEX */

#define lockOwnerSet(lock) ((lock)->owner = pthread_self())
#define lockOwnerIsSelf(lock) pthread_equal((lock)->owner, pthread_self())

static void mutexInit(Lock lock) { pthread_mutex_init(&lock->mutex, NULL); }
static void mutexFinish(Lock lock) { pthread_mutex_destroy(&lock->mutex); }
static void mutexClaim(Lock lock) { pthread_mutex_lock(&lock->mutex); }
static void mutexRelease(Lock lock) { pthread_mutex_unlock(&lock->mutex); }

#endif /* LOCK_FUTEX */

void LockInit(Lock lock)
{
  mutexInit(lock);
  lock->depth = 0;
  lock->sig = LockSig;
}

void LockFinish(Lock lock)
{
  AVERT(Lock, lock);
  AVER(lock->depth == 0);
  mutexFinish(lock);
  lock->sig = SigINVALID;
}

/* Other threads read depth and owner without the lock (LockIsMine asks
 * whether the caller holds it).  A claim publishes its owner before its
 * depth (release), and LockIsMine reads the depth first (acquire), so a
 * thread that sees a claim's depth also sees that claim's owner, never a
 * stale owner left by an earlier claim of its own: with the stores the
 * other way round, a thread that had just released the lock could take
 * a new holder's claim for its own (threadstress caught this). */
/* Lock order (lock.h): the global lock comes before arena locks.  The
 * checked variety counts, per thread, the arena locks and global lock
 * claims held, and fails a claim of the global lock made while holding
 * an arena lock (unless the thread already has the global lock: it is
 * recursive), which could deadlock with a thread that holds the global
 * lock and waits for the arena's (a thread exiting registered does). */
#if CHECKING
static __thread unsigned lockArenaHeld, lockGlobalHeld;
#define lockNoteArena(delta) ((void)(lockArenaHeld += (unsigned)(delta)))
#else
#define lockNoteArena(delta) ((void)0)
#endif

static void lockTake(Lock lock)
{
  lockOwnerSet(lock);
  __atomic_store_n(&lock->depth, 1, __ATOMIC_RELEASE);
  lockNoteArena(1);
}

Bool LockIsMine(Lock lock)
{
  return __atomic_load_n(&lock->depth, __ATOMIC_ACQUIRE) > 0 && lockOwnerIsSelf(lock);
}

void LockClaim(Lock lock)
{
  AVERT(Lock, lock);
  mutexClaim(lock);
  AVER(lock->depth == 0);       /* a non-recursive claim must be the first */
  lockTake(lock);
}

void LockRelease(Lock lock)
{
  AVERT(Lock, lock);
  AVER(LockIsMine(lock));
  AVER(lock->depth == 1);
  __atomic_store_n(&lock->depth, 0, __ATOMIC_RELAXED);
  lockNoteArena(-1);
  mutexRelease(lock);
}

void LockClaimRecursive(Lock lock)
{
  AVERT(Lock, lock);
  if (LockIsMine(lock)) {
    ++lock->depth;
    return;
  }
  mutexClaim(lock);
  lockTake(lock);
}

void LockReleaseRecursive(Lock lock)
{
  AVERT(Lock, lock);
  AVER(LockIsMine(lock));
  if (lock->depth == 1) {
    __atomic_store_n(&lock->depth, 0, __ATOMIC_RELAXED);
    lockNoteArena(-1);
    mutexRelease(lock);
  } else {
    --lock->depth;
  }
}

static pthread_mutex_t globalMutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

/* In a child after fork, where every arena lock is made afresh. */
void LockReinit(Lock lock)
{
  LockInit(lock);
#if CHECKING
  lockArenaHeld = 0;
#endif
}

void GlobalLockReinit(void)
{
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&globalMutex, &attr);
  pthread_mutexattr_destroy(&attr);
#if CHECKING
  lockGlobalHeld = 0;
#endif
}

void GlobalLockClaim(void)
{
#if CHECKING
  AVER(lockArenaHeld == 0 || lockGlobalHeld > 0); /* lock order: global first */
#endif
  pthread_mutex_lock(&globalMutex);
#if CHECKING
  ++lockGlobalHeld;
#endif
}

void GlobalLockRelease(void)
{
#if CHECKING
  AVER(lockGlobalHeld > 0);
  --lockGlobalHeld;
#endif
  pthread_mutex_unlock(&globalMutex);
}

/* Recursive, like the global lock it was split from (writing the log
 * header writes events). */
static pthread_mutex_t telemetryMutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void TelemetryLockClaim(void) { pthread_mutex_lock(&telemetryMutex); }
void TelemetryLockRelease(void) { pthread_mutex_unlock(&telemetryMutex); }

void TelemetryLockReinit(void)
{
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&telemetryMutex, &attr);
  pthread_mutexattr_destroy(&attr);
}

#else /* single-threaded */

void LockInit(Lock lock) { lock->depth = 0; lock->sig = LockSig; }
void LockFinish(Lock lock) { AVER(lock->depth == 0); lock->sig = SigINVALID; }
Bool LockIsMine(Lock lock) { return lock->depth > 0; }
void LockClaim(Lock lock) { AVER(lock->depth == 0); lock->depth = 1; }
void LockRelease(Lock lock) { AVER(lock->depth == 1); lock->depth = 0; }
void LockClaimRecursive(Lock lock) { ++lock->depth; }
void LockReleaseRecursive(Lock lock) { AVER(lock->depth > 0); --lock->depth; }
void GlobalLockClaim(void) { }
void GlobalLockRelease(void) { }
void LockReinit(Lock lock) { LockInit(lock); }
void GlobalLockReinit(void) { }
void TelemetryLockClaim(void) { }
void TelemetryLockRelease(void) { }
void TelemetryLockReinit(void) { }

#endif

Bool LockIsHeld(Lock lock)
{
  return lock->depth > 0;
}

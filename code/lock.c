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

void LockInit(Lock lock)
{
  pthread_mutex_init(&lock->mutex, NULL);
  lock->depth = 0;
  lock->sig = LockSig;
}

void LockFinish(Lock lock)
{
  AVERT(Lock, lock);
  AVER(lock->depth == 0);
  pthread_mutex_destroy(&lock->mutex);
  lock->sig = SigINVALID;
}

Bool LockIsMine(Lock lock)
{
  return lock->depth > 0 && pthread_equal(lock->owner, pthread_self());
}

void LockClaim(Lock lock)
{
  AVERT(Lock, lock);
  pthread_mutex_lock(&lock->mutex);
  AVER(lock->depth == 0);       /* a non-recursive claim must be the first */
  lock->owner = pthread_self();
  lock->depth = 1;
}

void LockRelease(Lock lock)
{
  AVERT(Lock, lock);
  AVER(LockIsMine(lock));
  AVER(lock->depth == 1);
  lock->depth = 0;
  pthread_mutex_unlock(&lock->mutex);
}

void LockClaimRecursive(Lock lock)
{
  AVERT(Lock, lock);
  if (LockIsMine(lock)) {
    ++lock->depth;
    return;
  }
  pthread_mutex_lock(&lock->mutex);
  lock->owner = pthread_self();
  lock->depth = 1;
}

void LockReleaseRecursive(Lock lock)
{
  AVERT(Lock, lock);
  AVER(LockIsMine(lock));
  if (--lock->depth == 0)
    pthread_mutex_unlock(&lock->mutex);
}

static pthread_mutex_t globalMutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void LockReinit(Lock lock)
{
  LockInit(lock);
}

void GlobalLockReinit(void)
{
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&globalMutex, &attr);
  pthread_mutexattr_destroy(&attr);
}

void GlobalLockClaim(void) { pthread_mutex_lock(&globalMutex); }
void GlobalLockRelease(void) { pthread_mutex_unlock(&globalMutex); }

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

#endif

Bool LockIsHeld(Lock lock)
{
  return lock->depth > 0;
}

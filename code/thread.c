/* thread.c: registered threads, their suspension and their stacks
 *
 * Suspension (POSIX): the collecting thread sends each other registered
 * thread the suspend signal (SIGXCPU unless configured otherwise, contract
 * 0.3) and waits for it to acknowledge.  The handler runs on the thread's
 * own stack, below the signal frame in which the kernel saved the
 * thread's registers, so the handler's frame address is a stack pointer
 * from which scanning up to the cold end covers both the stack and the
 * registers.  The handler then waits for the resume signal.  Handlers
 * keep errno and are installed with SA_RESTART (contract 11).
 *
 * The calling thread, if it called the collector through an entry point
 * (ThreadEntryRun, see thread.h), has its stack scanned from its stack
 * pointer at that call, and its callee-saved registers as they were at
 * the call (found by unwinding the manager's frames), or failing that
 * from below ThreadEntryRun's frame, which holds those registers.  The
 * manager's own frames are not the client's state; scanning them is safe
 * but keeps garbage: their slots that this call did not write (a local
 * used only on another path, padding) hold whatever an earlier, deeper
 * call left there, often references of the client's that have died
 * since.  Without an entry point (a walk, say) the calling thread spills
 * its callee-saved registers into its frame (__builtin_unwind_init) and
 * scans from below that frame (the frame address of a function it
 * calls), in a function that does not return before the scan is over.
 */

#include "thread.h"
#include "arena.h"
#include "control.h"
#include "trace.h"
#include "vgmem.h"
#include <string.h>

#if TARN_THREADS
#include <signal.h>
#include <semaphore.h>
#include <errno.h>
#include <stdlib.h>
#endif

/* AddressSanitizer: stacks hold poisoned redzones, and with detection of
 * use after return, locals whose address is taken live in "fake stack"
 * frames on the heap that the real stack refers to.  So:
 *  - stack words are copied with a routine ASan does not check;
 *  - every fake frame a stack word points into is scanned as well, using
 *    the fake stack of the thread that owns the stack (each thread has
 *    its own: a suspended thread records its own in the suspend handler);
 *  - the low end of a stack is never taken from the address of a local
 *    (it might be a fake frame's), but from __builtin_frame_address. */
#if defined(__SANITIZE_ADDRESS__)
#define THREAD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define THREAD_ASAN 1
#endif
#endif
#ifndef THREAD_ASAN
#define THREAD_ASAN 0
#endif

#if THREAD_ASAN
#include <sanitizer/asan_interface.h>
#define THREAD_NO_ASAN __attribute__((no_sanitize_address))
#define THREAD_FAKE_STACK() __asan_get_current_fake_stack()
#else
#define THREAD_NO_ASAN
#define THREAD_FAKE_STACK() NULL
#endif

Bool ThreadCheck(Thread thread)
{
  CHECKS(Thread, thread);
  CHECKL(thread->arena != NULL);
  return TRUE;
}

/* Entry points (thread.h) */

static Addr threadStackLow(void);

/* Not inlined: its frame lies between the entry point's and every frame
 * body pushes, and holds the caller's callee-saved registers as they
 * were at the call.  An entry inside another keeps the outer's state. */
void __attribute__((noinline)) ThreadEntryRun(Arena arena, ThreadEntryBody body,
                                              void *closure)
{
  ThreadEntryStruct entry;
  __builtin_unwind_init();
  if (arena->entry != NULL) {
    body(arena, closure);
    return;
  }
  entry.cfa = (Addr)__builtin_dwarf_cfa();
  entry.hot = AddrAlignDown(threadStackLow(), sizeof(Word));
  entry.unwound = FALSE;
  entry.clientSP = NULL;
  entry.regCount = 0;
  memset(entry.regs, 0, sizeof entry.regs); /* scanned, if `hot` is used */
  arena->entry = &entry;
  body(arena, closure);
  arena->entry = NULL;
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__aarch64__))
#include <unwind.h>

/* The callee-saved integer registers, by DWARF number. */
#if defined(__x86_64__)
static const int threadCalleeSaved[] = {3, 6, 12, 13, 14, 15}; /* rbx rbp r12-r15 */
#else
static const int threadCalleeSaved[] = {19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29};
#endif
#define THREAD_CALLEE_SAVED (sizeof threadCalleeSaved / sizeof threadCalleeSaved[0])

/* Walking up the stack, frame by frame.  In a frame's context the
 * registers are as they were at the call the frame was making, and
 * _Unwind_GetCFA gives its stack pointer then (libgcc and LLVM's
 * libunwind agree), which is the CFA of the function it called.  So the
 * entry point's frame is the one whose stack pointer is ThreadEntryRun's
 * CFA (then `found`), and the next is the client's. */
typedef struct ThreadUnwindStruct {
  ThreadEntryStruct *entry;
  Bool found;
} ThreadUnwindStruct;

static _Unwind_Reason_Code threadUnwindFrame(struct _Unwind_Context *context, void *p)
{
  ThreadUnwindStruct *u = p;
  Addr sp = (Addr)_Unwind_GetCFA(context);
  Index i;
  if (!u->found) {
    if (sp > u->entry->cfa)
      return _URC_NORMAL_STOP;  /* passed it: not found */
    u->found = sp == u->entry->cfa;
    return _URC_NO_REASON;
  }
  AVER(THREAD_CALLEE_SAVED <= THREAD_ENTRY_REGS);
  for (i = 0; i < THREAD_CALLEE_SAVED; ++i)
    u->entry->regs[i] = (Word)_Unwind_GetGR(context, threadCalleeSaved[i]);
  u->entry->regCount = THREAD_CALLEE_SAVED;
  u->entry->clientSP = sp;
  return _URC_NORMAL_STOP;
}

static void threadEntryUnwind(ThreadEntryStruct *entry)
{
  ThreadUnwindStruct u;
  u.entry = entry;
  u.found = FALSE;
  (void)_Unwind_Backtrace(threadUnwindFrame, &u);
}

#else

static void threadEntryUnwind(ThreadEntryStruct *entry)
{
  UNUSED(entry);                /* `hot` will do */
}

#endif

/* Find the client's state, once per entry, while no thread is stopped. */
static void threadEntryFind(Arena arena)
{
  ThreadEntryStruct *entry = arena->entry;
  if (entry == NULL || entry->unwound)
    return;
  entry->unwound = TRUE;
  threadEntryUnwind(entry);
}

#if TARN_THREADS

/* The signals: chosen when mps.c is compiled (CONFIG_PTHREADEXT_SIGSUSPEND,
 * CONFIG_PTHREADEXT_SIGRESUME), and overridable when the first thread is
 * registered by the environment variables TARN_SIGSUSPEND and
 * TARN_SIGRESUME (signal numbers), for a host that needs those signals. */
static int threadSigSuspend = CONFIG_PTHREADEXT_SIGSUSPEND;
static int threadSigResume = CONFIG_PTHREADEXT_SIGRESUME;

static int threadSignalFromEnv(const char *name, int dflt)
{
  const char *v = getenv(name);
  long n;
  char *end;
  if (v == NULL)
    return dflt;
  n = strtol(v, &end, 10);
  return *end == '\0' && n > 0 && n < NSIG ? (int)n : dflt;
}

static Thread volatile threadSuspendTarget = NULL;
static __thread Thread threadSelf = NULL;
static sem_t threadAck;
static pthread_once_t threadOnce = PTHREAD_ONCE_INIT;
static pthread_mutex_t threadSuspendMutex = PTHREAD_MUTEX_INITIALIZER;
static Bool threadSignalsOK = FALSE;

static void threadSuspendHandler(int sig, siginfo_t *info, void *context)
{
  int savedErrno = errno;
  Thread thread = threadSuspendTarget;
  sigset_t mask;
  UNUSED(sig); UNUSED(info); UNUSED(context);
  threadSelf = thread;
  /* This frame lies below the signal frame holding the registers. */
  thread->stackPointer = (Addr)__builtin_frame_address(0);
  thread->fakeStack = THREAD_FAKE_STACK();
  thread->resumed = 0;
  sigfillset(&mask);
  sigdelset(&mask, threadSigResume);
  sem_post(&threadAck);
  while (!thread->resumed)
    sigsuspend(&mask);
  sem_post(&threadAck);
  errno = savedErrno;
}

static void threadResumeHandler(int sig)
{
  UNUSED(sig);
  if (threadSelf != NULL)
    threadSelf->resumed = 1;
}

/* fork: the child has only the thread that called fork.  Before the fork
 * every arena lock is taken, so that no arena is caught half-changed;
 * afterwards both sides release them, and in the child the other
 * registered threads are marked dead, so that nothing tries to suspend
 * them (contract 27.31; their registrations must still be undone). */
static void threadForkPrepare(void)
{
  Ring node;
  GlobalLockClaim();
  for (node = ArenaGlobalRing()->next; node != ArenaGlobalRing(); node = node->next)
    ArenaEnterRecursive(RING_ELT(Arena, globalRing, node));
  TelemetryLockClaim();
}

static void threadForkRelease(Bool child)
{
  Ring node, tnode;
  if (child)
    TelemetryLockReinit();
  else
    TelemetryLockRelease();
  for (node = ArenaGlobalRing()->next; node != ArenaGlobalRing(); node = node->next) {
    Arena arena = RING_ELT(Arena, globalRing, node);
    if (!child) {
      ArenaLeaveRecursive(arena);
      continue;
    }
    for (tnode = arena->threadRing.next; tnode != &arena->threadRing; tnode = tnode->next) {
      Thread thread = RING_ELT(Thread, arenaRing, tnode);
      if (!pthread_equal(thread->id, pthread_self()))
        thread->alive = FALSE;
    }
    /* The child's thread has a new kernel id, so it cannot unlock a mutex
     * its parent's thread took: make fresh ones. */
    LockReinit(&arena->lockStruct);
  }
  if (child) {
    GlobalLockReinit();
    pthread_mutex_init(&threadSuspendMutex, NULL);
    sem_init(&threadAck, 0, 0);
  } else {
    GlobalLockRelease();
  }
}

static void threadForkParent(void) { threadForkRelease(FALSE); }
static void threadForkChild(void) { threadForkRelease(TRUE); }

/* A thread that exits while registered (a client error, contract 11.1,
 * but one a long-running runtime should survive): a thread-specific key
 * set at registration has a destructor that runs as the thread exits and
 * marks its registrations in every arena dead, so the collector never
 * signals a thread that is gone, nor mistakes a new thread that reuses its
 * id for it.  Its registrations must still be undone
 * (mps_thread_dereg), from any thread. */
static pthread_key_t threadExitKey;
static Bool threadExitKeyOK = FALSE;

static void threadExited(void *value)
{
  Ring node, tnode;
  UNUSED(value);
  GlobalLockClaim();
  for (node = ArenaGlobalRing()->next; node != ArenaGlobalRing(); node = node->next) {
    Arena arena = RING_ELT(Arena, globalRing, node);
    ArenaEnterRecursive(arena);
    for (tnode = arena->threadRing.next; tnode != &arena->threadRing; tnode = tnode->next) {
      Thread thread = RING_ELT(Thread, arenaRing, tnode);
      if (pthread_equal(thread->id, pthread_self()))
        thread->alive = FALSE;
    }
    ArenaLeaveRecursive(arena);
  }
  GlobalLockRelease();
}

static void threadInitSignals(void)
{
  (void)pthread_atfork(threadForkPrepare, threadForkParent, threadForkChild);
  threadExitKeyOK = pthread_key_create(&threadExitKey, threadExited) == 0;
  threadSigSuspend = threadSignalFromEnv("TARN_SIGSUSPEND", threadSigSuspend);
  threadSigResume = threadSignalFromEnv("TARN_SIGRESUME", threadSigResume);
  if (threadSigSuspend == threadSigResume)
    return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = threadSuspendHandler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigfillset(&sa.sa_mask);
  if (sigaction(threadSigSuspend, &sa, NULL) != 0)
    return;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = threadResumeHandler;
  sa.sa_flags = SA_RESTART;
  sigfillset(&sa.sa_mask);
  if (sigaction(threadSigResume, &sa, NULL) != 0)
    return;
  if (sem_init(&threadAck, 0, 0) != 0)
    return;
  threadSignalsOK = TRUE;
}

Bool ThreadIsCurrent(Thread thread)
{
  return pthread_equal(thread->id, pthread_self());
}

Word ThreadCurrentId(void)
{
  return (Word)pthread_self();
}

static void threadWaitAck(void)
{
  while (sem_wait(&threadAck) != 0 && errno == EINTR)
    ;
}

void ThreadRingSuspend(Arena arena)
{
  Ring node, other;
  threadEntryFind(arena);
  /* One suspender at a time, process-wide (threadSuspendTarget and the
   * acknowledgement semaphore are shared).  A lock of its own, taken
   * under the arena lock: the global lock comes before arena locks (fork,
   * thread exit), so it cannot be taken here. */
  pthread_mutex_lock(&threadSuspendMutex);
  for (node = arena->threadRing.next; node != &arena->threadRing; node = node->next) {
    Thread thread = RING_ELT(Thread, arenaRing, node);
    thread->alias = NULL;
    thread->suspended = FALSE;
    if (!thread->alive || ThreadIsCurrent(thread))
      continue;
    /* A thread registered twice is suspended once. */
    for (other = arena->threadRing.next; other != node; other = other->next) {
      Thread t = RING_ELT(Thread, arenaRing, other);
      if (t->suspended && pthread_equal(t->id, thread->id)) {
        thread->alias = t;
        break;
      }
    }
    if (thread->alias != NULL)
      continue;
    threadSuspendTarget = thread;
    if (pthread_kill(thread->id, threadSigSuspend) != 0) {
      thread->alive = FALSE;    /* it exited while registered */
      continue;
    }
    threadWaitAck();
    thread->suspended = TRUE;
  }
}

void ThreadRingResume(Arena arena)
{
  Ring node;
  for (node = arena->threadRing.next; node != &arena->threadRing; node = node->next) {
    Thread thread = RING_ELT(Thread, arenaRing, node);
    if (thread->suspended) {
      if (pthread_kill(thread->id, threadSigResume) == 0)
        threadWaitAck();
      thread->suspended = FALSE;
    }
    thread->alias = NULL;
  }
  pthread_mutex_unlock(&threadSuspendMutex);
}

#else /* single-threaded */

Bool ThreadIsCurrent(Thread thread)
{
  UNUSED(thread);
  return TRUE;
}

Word ThreadCurrentId(void)
{
  return 1;
}

void ThreadRingSuspend(Arena arena) { threadEntryFind(arena); }
void ThreadRingResume(Arena arena) { UNUSED(arena); }

#endif

Res ThreadRegister(Thread *threadReturn, Arena arena)
{
  static Serial serial = 0;
  Thread thread;
  void *p;
  Res res;
#if TARN_THREADS
  pthread_once(&threadOnce, threadInitSignals);
  if (!threadSignalsOK)
    return ResRESOURCE;
#endif
  res = ControlAlloc(&p, arena, sizeof(struct mps_thr_s));
  if (res != ResOK)
    return res;
  thread = p;
  thread->serial = serial++;
  thread->arena = arena;
  RingInit(&thread->arenaRing);
#if TARN_THREADS
  thread->id = pthread_self();
#endif
  thread->alive = TRUE;
  thread->suspended = FALSE;
  thread->alias = NULL;
  thread->stackPointer = NULL;
  thread->fakeStack = NULL;
  thread->stackTop = NULL;
#if THREAD_ASAN && TARN_THREADS
  {
    pthread_attr_t attr;
    void *stackBase;
    size_t stackSize;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      if (pthread_attr_getstack(&attr, &stackBase, &stackSize) == 0)
        thread->stackTop = AddrAdd((Addr)stackBase, stackSize);
      (void)pthread_attr_destroy(&attr);
    }
  }
#endif
  thread->resumed = 0;
#if TARN_THREADS
  threadSelf = thread;          /* touch the thread-local now, not in a handler */
  if (threadExitKeyOK)
    (void)pthread_setspecific(threadExitKey, thread);  /* any non-NULL value */
#endif
  thread->sig = ThreadSig;
  RingAppend(&arena->threadRing, &thread->arenaRing);
  *threadReturn = thread;
  return ResOK;
}

void ThreadDeregister(Thread thread)
{
  AVERT(Thread, thread);
  RingRemove(&thread->arenaRing);
  thread->sig = SigINVALID;
  ControlFree(thread->arena, thread, sizeof(struct mps_thr_s));
}

static void THREAD_NO_ASAN threadCopyWords(Word *to, const Word *from, Count n)
{
  Count i;
  for (i = 0; i < n; ++i)
    to[i] = ((const volatile Word *)from)[i];
}

/* Scan [base, limit) through a copy, in pieces: ambiguous scanning never
 * writes, so scanning the copy is the same as scanning the stack.  fake
 * is the ASan fake stack of the thread whose stack this is (NULL: none,
 * or this is a fake frame already, whose own fake frames are reached from
 * the real stack: a function keeps the address of its fake frame in a
 * register or a real stack slot for as long as the frame is live). */
static Res threadScanCopied(ScanState ss, Addr base, Addr limit,
                            mps_area_scan_t scan, void *closure, void *fake)
{
  mps_ss_t mps_ss = ScanStateMPS(ss);
  Word copy[512];
  Addr p = base;
  while (p < limit) {
    Size n = SizeMin(AddrOffset(p, limit), sizeof copy);
    Res res;
    /* A suspended thread's red zone lies below its stack pointer, where
     * memcheck considers reads invalid; a leaf function may keep a
     * reference there, so it is read all the same. */
    VG_DISABLE_CHECKS(p, n);
    threadCopyWords(copy, (Word *)p, n / sizeof(Word));
    VG_ENABLE_CHECKS(p, n);
    VG_DEFINED(copy, n);
    res = scan(mps_ss, copy, (Addr)copy + n, closure);
    if (res != ResOK)
      return res;
#if THREAD_ASAN
    if (fake != NULL) {
      Index i;
      for (i = 0; i < n / sizeof(Word); ++i) {
        void *frameBase, *frameLimit;
        if (__asan_addr_is_in_fake_stack(fake, (void *)copy[i], &frameBase, &frameLimit)) {
          res = threadScanCopied(ss, AddrAlignUp((Addr)frameBase, sizeof(Word)),
                                 AddrAlignDown((Addr)frameLimit, sizeof(Word)),
                                 scan, closure, NULL);
          if (res != ResOK)
            return res;
        }
      }
    }
#else
    UNUSED(fake);
#endif
    p = AddrAdd(p, n);
  }
  return ResOK;
}

/* A stack of the thread whose fake stack is fake. */
static Res threadScanStack(ScanState ss, Addr base, Addr limit,
                           mps_area_scan_t scan, void *closure, void *fake)
{
  if (base >= limit)
    return ResOK;
  if (VG_RUNNING() || THREAD_ASAN)
    return threadScanCopied(ss, base, limit, scan, closure, fake);
  return scan(ScanStateMPS(ss), base, limit, closure);
}

Res StackScanArea(ScanState ss, Addr base, Addr limit,
                  mps_area_scan_t scan, void *closure)
{
  return threadScanStack(ss, base, limit, scan, closure, THREAD_FAKE_STACK());
}

/* The frame address of a function called by the caller: below all of the
 * caller's frame (never the address of a local, which ASan may have put
 * in a fake frame on the heap). */
static Addr __attribute__((noinline)) threadStackLow(void)
{
  return (Addr)__builtin_frame_address(0);
}

/* Scan the calling thread inside an entry point (thread.h), from sp:
 * the client's registers, then its frames. */
static Res threadScanEntry(ScanState ss, ThreadEntryStruct *entry, Addr sp, Addr cold,
                           mps_area_scan_t scan, void *closure)
{
  Addr hot = entry->clientSP != NULL ? entry->clientSP : entry->hot;
  Res res;
  if (!(sp < hot && hot < cold))
    return threadScanStack(ss, sp, cold, scan, closure, THREAD_FAKE_STACK());
  res = threadScanStack(ss, (Addr)entry->regs, (Addr)(entry->regs + entry->regCount),
                        scan, closure, THREAD_FAKE_STACK());
  if (res != ResOK)
    return res;
  return threadScanStack(ss, hot, cold, scan, closure, THREAD_FAKE_STACK());
}

/* Scan the calling thread.  Not inlined, so that its frame (holding the
 * spilled registers) lies below every frame of its callers; the scan
 * starts below it, unless the collector was entered through an entry
 * point on this stack (ThreadEntryRun): then the client's state is known
 * and the manager's frames are left out. */
static Res __attribute__((noinline)) threadScanSelf(ScanState ss, Addr cold,
                                                    mps_area_scan_t scan, void *closure)
{
  ThreadEntryStruct *entry = ss->arena->entry;
  Addr sp;
  __builtin_unwind_init();
  sp = AddrAlignDown(threadStackLow(), sizeof(Word));
  if (entry != NULL)
    return threadScanEntry(ss, entry, sp, cold, scan, closure);
  return threadScanStack(ss, sp, cold, scan, closure, THREAD_FAKE_STACK());
}

/* The cold end of a stack.  Clients pass the address of a local in an
 * outer frame (contract: mps_root_create_thread); under ASan's detection
 * of use after return that local may be in a fake frame on the heap.
 * Then the whole stack, up to the top the thread had when it registered,
 * is scanned: ASan tells only where the stack pointer was when the fake
 * frame was made, which is below some frames that must be scanned (the
 * saved registers at the top of the callee's frame). */
static Addr threadColdEnd(Thread thread, Addr cold, void *fake)
{
#if THREAD_ASAN
  if (fake != NULL) {
    void *frameBase, *frameLimit;
    void *real = __asan_addr_is_in_fake_stack(fake, (void *)cold, &frameBase, &frameLimit);
    if (real != NULL)
      return thread->stackTop != NULL ? thread->stackTop : (Addr)real;
  }
#else
  UNUSED(thread);
  UNUSED(fake);
#endif
  return cold;
}

Res ThreadScan(ScanState ss, Thread thread, Addr cold,
               mps_area_scan_t scan, void *closure)
{
  AVERT(Thread, thread);
  if (ThreadIsCurrent(thread))
    return threadScanSelf(ss, AddrAlignDown(threadColdEnd(thread, cold, THREAD_FAKE_STACK()),
                                            sizeof(Word)), scan, closure);
#if TARN_THREADS
  {
    Thread suspended = thread->alias != NULL ? thread->alias : thread;
    if (!suspended->suspended)
      return ResOK;             /* dead, or not suspended: nothing to scan */
    cold = threadColdEnd(suspended, cold, suspended->fakeStack);
    return threadScanStack(ss, AddrAlignDown(suspended->stackPointer, sizeof(Word)),
                           AddrAlignDown(cold, sizeof(Word)), scan, closure,
                           suspended->fakeStack);
  }
#else
  return ResOK;
#endif
}

/* prot.c: memory protection and the fault handler on POSIX (see prot.h) */

#include "prot.h"
#include "check.h"
#include "lock.h"
#include <sys/mman.h>
#include <signal.h>
#include <string.h>
#include <errno.h>

void ProtSet(Addr base, Addr limit, AccessSet forbid)
{
  int prot = PROT_READ | PROT_WRITE;
  int r;
  if (forbid & ACCESS_READ)
    prot = PROT_NONE;
  else if (forbid & ACCESS_WRITE)
    prot = PROT_READ;
  r = mprotect(base, AddrOffset(base, limit), prot);
  AVER(r == 0);
  UNUSED(r);
}

static struct sigaction protPrevSEGV, protPrevBUS;
static Bool protInstalled = FALSE;

/* Pass a fault that is not ours to whoever would have had it. */
static void protChain(int sig, siginfo_t *info, void *context, struct sigaction *prev)
{
  if (prev->sa_flags & SA_SIGINFO) {
    prev->sa_sigaction(sig, info, context);
  } else if (prev->sa_handler == SIG_DFL || prev->sa_handler == SIG_IGN) {
    /* (An ignored SIGSEGV would make the access fault for ever; the
     * kernel kills a process whose fault signal is ignored.) */
    /* Let the access happen again with nobody catching it: the default
     * action (a core dump) is what the program would have got. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
  } else {
    prev->sa_handler(sig);
  }
}

/* The faulting access: on x86-64 Linux the page-fault error code says
 * whether it was a write; elsewhere assume either, which ArenaAccess
 * copes with by lifting all protection. */
static AccessSet protFaultMode(void *context)
{
#if defined(__linux__) && defined(__x86_64__) && defined(REG_ERR)
  ucontext_t *uc = context;
  return (uc->uc_mcontext.gregs[REG_ERR] & 2) ? ACCESS_WRITE : ACCESS_READ;
#else
  UNUSED(context);
  return ACCESS_READ | ACCESS_WRITE;
#endif
}

static void protHandler(int sig, siginfo_t *info, void *context)
{
  int savedErrno = errno;
  if (info->si_code == SEGV_ACCERR || sig == SIGBUS) {
    if (ArenaAccess((Addr)info->si_addr, protFaultMode(context))) {
      errno = savedErrno;
      return;
    }
  }
  protChain(sig, info, context, sig == SIGBUS ? &protPrevBUS : &protPrevSEGV);
  errno = savedErrno;
}

/* Install the handler (once per process).  This runs under the arena
 * lock (barriers are first raised by a collection), so it must not take
 * the global lock, which comes before arena locks: a thread exiting
 * registered holds the global lock while it waits for the arena lock
 * (thread.c), and the two deadlocked.  pthread_once makes other callers
 * wait for the first, and the installer takes no lock. */
static void protInstall(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = protHandler;
  /* SA_NODEFER: handling one barrier hit may touch another protected
   * segment (scanning a grey segment reads its referents' headers), and
   * that fault must reach the handler too. */
  sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NODEFER;
  /* Nothing is blocked: a thread waiting in the handler for the arena
   * lock must still be suspendable by the collector. */
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, &protPrevSEGV) == 0
      && sigaction(SIGBUS, &sa, &protPrevBUS) == 0)
    __atomic_store_n(&protInstalled, TRUE, __ATOMIC_RELEASE);
}

#if TARN_THREADS
#include <pthread.h>
static pthread_once_t protOnce = PTHREAD_ONCE_INIT;
#endif

Res ProtInit(void)
{
  if (__atomic_load_n(&protInstalled, __ATOMIC_ACQUIRE))
    return ResOK;
#if TARN_THREADS
  (void)pthread_once(&protOnce, protInstall);
#else
  protInstall();
#endif
  return __atomic_load_n(&protInstalled, __ATOMIC_ACQUIRE) ? ResOK : ResRESOURCE;
}

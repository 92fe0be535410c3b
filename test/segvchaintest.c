/* segvchaintest.c: Tarn's fault handler shares SIGSEGV and SIGBUS with
 * the host program (contract 11, 21, 4.4 postmortem)
 *
 * Tarn installs its SIGSEGV/SIGBUS handler lazily, when it first protects
 * memory, and passes on every fault that is not a barrier hit to the
 * handler that was there before it.  This test checks:
 *
 *  1. A host handler installed before Tarn's (before the first arena
 *     exists) still gets every genuine fault: a write and a read of a
 *     PROT_NONE page the test mapped, a write to a read-only page (each
 *     fixed by the host handler, which then returns so the access is
 *     retried), an access to an unmapped page, and a SIGBUS (an access
 *     past the end of a mapped file; both left with siglongjmp) -- with
 *     the right address and code, exactly once each, from the main thread
 *     and from another registered thread, and in the middle of an
 *     incremental collection (grey segments read-protected).  Meanwhile
 *     Tarn's barrier faults (write barrier after collections, read
 *     barrier between slices) keep working before and after, and never
 *     reach the host handler.
 *  2. With no host handler, a genuine fault still kills the process with
 *     SIGSEGV (SIGBUS for the bus error) after Tarn's handler is
 *     installed: a child process builds a heap, takes barrier hits, then
 *     makes the access; the parent checks how it died, and that it died
 *     at that access (the child reports over a pipe just before it).
 *  3. mps_arena_postmortem removes all protection: a child builds a heap
 *     whose old segments are write-protected (and, in a second child,
 *     whose grey segments are read-protected mid-collection), checks with
 *     system calls (which get EFAULT rather than a signal) that some
 *     memory is protected, calls mps_arena_postmortem, restores the
 *     default SIGSEGV action, and then reads and writes every object: no
 *     EFAULT, no crash, no barrier hit counted.
 *
 * The faults of 2 are: near NULL (unmapped), a PROT_NONE page and a
 * read-only page of the test's, a page past the end of a file (SIGBUS),
 * and an address inside the arena's reserved address space that is in
 * no segment and not committed (PROT_NONE, so SEGV_ACCERR like a barrier
 * hit: Tarn must see that it is not one of its own), and a program that
 * set SIGSEGV to SIG_IGN before Tarn's handler came: the kernel never
 * lets a fault's SIGSEGV be ignored (it kills the process), so neither
 * may the chain.
 *  4. mps_arena_busy answers truthfully from a host's fault handler: a
 *     child whose client code faults outside the manager sees FALSE; one
 *     whose root scanning function faults in the middle of a collection
 *     (the arena lock held) sees TRUE, and the call does not deadlock.
 */

#include "testlib.h"
#include "testfmt.h"
#include "tarn.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include <string.h>
#include <signal.h>
#include <setjmp.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include "vgmem.h"

/* Under Valgrind, memcheck reports each genuine fault (and each system
 * call given a protected buffer) as an error of the program: they are
 * what this test means to do, so reporting is off around them. */
#if TARN_VALGRIND
#define QUIET_BEGIN() VALGRIND_DISABLE_ERROR_REPORTING
#define QUIET_END() VALGRIND_ENABLE_ERROR_REPORTING
#else
#define QUIET_BEGIN() ((void)0)
#define QUIET_END() ((void)0)
#endif

#define NOBJ 2000
#define WORD sizeof(mps_word_t)

static size_t pageSize;
static int underValgrind;

/* The host's handlers and what they saw */
static char *guardPage;         /* PROT_NONE: faults fixed by the host */
static char *roPage;            /* PROT_READ: writes fixed by the host */
static char *unmappedPage;      /* never mapped: the host jumps out */
static char *busPage;           /* a page past the end of a file: SIGBUS */
static volatile sig_atomic_t hostSegvHits, hostBusHits;
static void *volatile hostLastAddr;
static volatile int hostLastCode;
static volatile char hostSink;
static sigjmp_buf hostJmp;
static volatile sig_atomic_t hostJmpArmed;

static void hostWrite(const char *s)
{
  ssize_t r = write(2, s, strlen(s));
  (void)r;
}

static void hostHandler(int sig, siginfo_t *info, void *context)
{
  char *addr = info->si_addr;
  (void)context;
  hostLastAddr = addr;
  hostLastCode = info->si_code;
  if (sig == SIGBUS) {
    ++hostBusHits;
    if (hostJmpArmed) {
      hostJmpArmed = 0;
      siglongjmp(hostJmp, 1);
    }
    hostWrite("segvchaintest: unexpected SIGBUS in the host handler\n");
    _exit(3);
  }
  ++hostSegvHits;
  if (addr >= guardPage && addr < guardPage + pageSize) {
    (void)mprotect(guardPage, pageSize, PROT_READ | PROT_WRITE);
    return;
  }
  if (addr >= roPage && addr < roPage + pageSize) {
    (void)mprotect(roPage, pageSize, PROT_READ | PROT_WRITE);
    return;
  }
  if (hostJmpArmed) {
    hostJmpArmed = 0;
    siglongjmp(hostJmp, 1);
  }
  /* A barrier fault (or anything else) that Tarn should have kept. */
  hostWrite("segvchaintest: unexpected SIGSEGV in the host handler\n");
  _exit(3);
}

static void installHost(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = hostHandler;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  check(sigaction(SIGSEGV, &sa, NULL) == 0);
  check(sigaction(SIGBUS, &sa, NULL) == 0);
}

static int handlerIsHost(int sig)
{
  struct sigaction sa;
  check(sigaction(sig, NULL, &sa) == 0);
  return (sa.sa_flags & SA_SIGINFO) && sa.sa_sigaction == hostHandler;
}

static int handlerIsDefault(int sig)
{
  struct sigaction sa;
  check(sigaction(sig, NULL, &sa) == 0);
  return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL;
}

static char *mapPage(int prot)
{
  void *p = mmap(NULL, pageSize, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(p != MAP_FAILED);
  return p;
}

static void makePages(void)
{
  char path[] = "/tmp/segvchaintestXXXXXX";
  int fd;
  guardPage = mapPage(PROT_NONE);
  roPage = mapPage(PROT_READ);
  /* Below vm.mmap_min_addr (64 KiB on Linux): never mapped, even by
   * mappings made later (an unmapped hole could be reused). */
  unmappedPage = (char *)(4 * pageSize);
  /* A shared mapping of an empty file: any access is past its end. */
  fd = mkstemp(path);
  check(fd >= 0);
  check(unlink(path) == 0);
  busPage = mmap(NULL, pageSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  check(busPage != MAP_FAILED);
  close(fd);
}

/* The genuine faults, each seen by the host exactly once. */
static void genuineFaults(const char *where)
{
  sig_atomic_t segv = hostSegvHits, bus = hostBusHits;
  volatile char *p;

  QUIET_BEGIN();
  (void)mprotect(guardPage, pageSize, PROT_NONE);
  (void)mprotect(roPage, pageSize, PROT_READ);

  /* write to a PROT_NONE page */
  p = guardPage + 24;
  *p = 42;
  check(hostSegvHits == segv + 1);
  check(hostLastAddr == (void *)(guardPage + 24));
  check(hostLastCode == SEGV_ACCERR);
  check(guardPage[24] == 42);

  /* read of a PROT_NONE page */
  (void)mprotect(guardPage, pageSize, PROT_NONE);
  p = guardPage + 100;
  check(*p == 0);
  check(hostSegvHits == segv + 2);
  check(hostLastAddr == (void *)(guardPage + 100));

  /* write to a read-only page */
  p = roPage + 8;
  *p = 7;
  check(hostSegvHits == segv + 3);
  check(hostLastAddr == (void *)(roPage + 8));
  check(hostLastCode == SEGV_ACCERR);
  check(roPage[8] == 7);
  roPage[8] = 0;

  /* an unmapped page: the host leaves the handler by siglongjmp */
  if (sigsetjmp(hostJmp, 1) == 0) {
    hostJmpArmed = 1;
    p = unmappedPage + 16;
    *p = 1;
    check(0);                   /* not reached */
  }
  check(!hostJmpArmed);
  check(hostSegvHits == segv + 4);
  check(hostLastAddr == (void *)(unmappedPage + 16));
  check(hostLastCode == SEGV_MAPERR);

  /* past the end of a file */
  if (sigsetjmp(hostJmp, 1) == 0) {
    hostJmpArmed = 1;
    p = busPage + 32;
    hostSink = *p;              /* a load whose value is used (Valgrind drops dead ones) */
    check(0);
  }
  check(!hostJmpArmed);
  check(hostBusHits == bus + 1);
  check(hostLastAddr == (void *)(busPage + 32));
  check(hostSegvHits == segv + 4);
  QUIET_END();
  printf("  genuine faults %s: all five reached the host handler\n", where);
}

/* A heap in AMC (moving) and AMS (non-moving), from an exact table. */

static mps_arena_t arena;
static mps_fmt_t fmt;
static mps_chain_t chain;
static mps_pool_t amcPool, amsPool;
static mps_ap_t amcAP, amsAP;
static mps_root_t tableRoot;
static mps_addr_t table[NOBJ];
static mps_word_t tableId[NOBJ];
static mps_word_t nextId = 1;

static void heapCreate(double pause)
{
  mps_gen_param_s gens[] = {{256, 0.8}, {1024, 0.4}};
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  mps_arena_pause_time_set(arena, pause);
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&amcPool, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&amsPool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&amcAP, amcPool, mps_args_none), "AMC AP");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_exact());
    die(mps_ap_create_k(&amsAP, amsPool, args), "AMS AP");
  } MPS_ARGS_END(args);
  memset(table, 0, sizeof table);
  memset(tableId, 0, sizeof tableId);
  die(mps_root_create_table(&tableRoot, arena, mps_rank_exact(), 0, table, NOBJ), "root");
}

static void heapDestroy(void)
{
  mps_arena_park(arena);
  mps_root_destroy(tableRoot);
  mps_ap_destroy(amsAP);
  mps_ap_destroy(amcAP);
  mps_pool_destroy(amsPool);
  mps_pool_destroy(amcPool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

static void fill(void)
{
  size_t i;
  for (i = 0; i < NOBJ; ++i) {
    testobj_t o;
    mps_word_t id = nextId++;
    die(testobj_alloc(&o, i % 3 == 0 ? amsAP : amcAP, id, 2, 3 + i % 61), "alloc");
    if (i > 0)
      o->refs[0] = table[i - 1];
    table[i] = o;
    tableId[i] = id;
  }
}

/* Every object intact, with its id, refs[0] to its predecessor. */
static void checkHeap(void)
{
  size_t i;
  for (i = 0; i < NOBJ; ++i) {
    testobj_t o = table[i];
    check(o != NULL && testobj_ok(o) && o->id == tableId[i]);
    if (i > 0 && o->refs[0] != NULL) {
      testobj_t p = o->refs[0];
      check(testobj_ok(p) && p->id == tableId[i - 1]);
    }
  }
}

static mps_word_t barrierHits(void)
{
  tarn_stats_s st;
  tarn_arena_stats(arena, &st);
  return st.barrier_hits;
}

/* Collect so that survivors are scanned and write-protected, then write
 * into old objects: the write barrier must see it (Tarn's handler), and
 * the host handler must not. */
static void barrierRound(void)
{
  sig_atomic_t segv = hostSegvHits;
  mps_word_t h0;
  size_t i;
  die(mps_arena_collect(arena), "collect");
  checkHeap();
  mps_arena_release(arena);
  h0 = barrierHits();
  for (i = 1; i < NOBJ; i += 7) {
    testobj_t o = table[i];
    o->refs[1] = table[(i * 31) % NOBJ];
  }
  check(barrierHits() > h0);
  check(hostSegvHits == segv);
  die(mps_arena_collect(arena), "collect");
  checkHeap();
  for (i = 1; i < NOBJ; i += 7) {
    testobj_t o = table[i], q = o->refs[1];
    check(q == table[(i * 31) % NOBJ]);
    o->refs[1] = NULL;
  }
  mps_arena_release(arena);
}

static void probeHeap(size_t *unreadable, size_t *unwritable);

/* An incremental collection with the read barrier up: pause time 0,
 * start a full collection, and touch objects between slices.  Returns
 * the read/write barrier hits seen. */
static mps_word_t incrementalRound(int faultsInBetween)
{
  mps_word_t h0 = barrierHits(), n0 = mps_collections(arena);
  sig_atomic_t segv = hostSegvHits;
  size_t i;
  mps_arena_pause_time_set(arena, 0.0);
  die(mps_arena_start_collect(arena), "start_collect");
  check(mps_collections(arena) == n0 + 1);
  if (faultsInBetween) {
    size_t unreadable = 0, unwritable = 0;
    probeHeap(&unreadable, &unwritable);
    check(unreadable > 0);      /* grey segments are read-protected now */
    genuineFaults("mid-collection");
  }
  for (i = 0; i < NOBJ; ++i) {
    testobj_t o = table[i];
    check(testobj_ok(o) && o->id == tableId[i]);
  }
  if (!faultsInBetween)
    check(hostSegvHits == segv);
  mps_arena_park(arena);
  checkHeap();
  mps_arena_release(arena);
  mps_arena_pause_time_set(arena, 0.1);
  return barrierHits() - h0;
}

static void *threadFaults(void *arg)
{
  mps_thr_t thr;
  (void)arg;
  die(mps_thread_reg(&thr, arena), "thread_reg");
  genuineFaults("on another registered thread");
  mps_thread_dereg(thr);
  return NULL;
}

static void phaseHost(void)
{
  mps_thr_t thr;
  mps_root_t stackRoot;
  pthread_t t;
  mps_word_t rb;
  void *cold = &thr;

  printf("phase 1: a host handler installed before Tarn's\n");
  installHost();
  genuineFaults("before any arena");
  heapCreate(0.1);
  die(mps_thread_reg(&thr, arena), "thread_reg");
  die(mps_root_create_thread(&stackRoot, arena, thr, cold), "thread root");
  printf("  after creating the arena, SIGSEGV is %s\n",
         handlerIsHost(SIGSEGV) ? "still the host's (Tarn installs lazily)" : "Tarn's");
  fill();
  barrierRound();
  /* Tarn took barrier faults, so its handler sits over the host's; the
   * rest of this phase is about the chaining. */
  check(!handlerIsHost(SIGSEGV));
  genuineFaults("after Tarn's handler was installed");
  barrierRound();
  check(pthread_create(&t, NULL, threadFaults, NULL) == 0);
  check(pthread_join(t, NULL) == 0);
  rb = incrementalRound(1);
  rb += incrementalRound(0);
  printf("  barrier hits in incremental collections: %lu\n", (unsigned long)rb);
  check(rb > 0);
  barrierRound();
  genuineFaults("at the end");
  printf("  %lu collections, %lu barrier hits; host saw %d SIGSEGV, %d SIGBUS\n",
         (unsigned long)mps_collections(arena), (unsigned long)barrierHits(),
         (int)hostSegvHits, (int)hostBusHits);
  mps_arena_park(arena);
  mps_root_destroy(stackRoot);
  mps_thread_dereg(thr);
  heapDestroy();
}

/* Children */

static void noCore(void)
{
  struct rlimit rl = {0, 0};
  (void)setrlimit(RLIMIT_CORE, &rl);
}

static void setDefault(int sig)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  check(sigaction(sig, &sa, NULL) == 0);
}

/* Find an address in the arena's reserved space that no segment holds
 * and that is not committed (so PROT_NONE). */
static char *arenaHole(void)
{
  char *base = (char *)table[0];
  long k;
  for (k = 1; k < 4096; ++k) {
    char *p = (char *)((mps_word_t)(base + k * 65536) & ~(mps_word_t)65535);
    mps_pool_t pool;
    if (mps_arena_has_addr(arena, p) && !mps_addr_pool(&pool, arena, p)) {
      int fds[2];
      ssize_t w;
      /* not readable by the kernel: uncommitted */
      check(pipe(fds) == 0);
      QUIET_BEGIN();
      w = write(fds[1], p, 1);
      QUIET_END();
      close(fds[0]);
      close(fds[1]);
      if (w < 0 && errno == EFAULT)
        return p;
    }
  }
  return NULL;
}

/* Run kind in a child with no host handler; expect death by sig. */
static void childFault(int kind, int expectSig)
{
  int fds[2];
  pid_t pid;
  int status;
  char c = 0;
  ssize_t r;
  check(pipe(fds) == 0);
  fflush(stdout);
  pid = fork();
  check(pid >= 0);
  if (pid == 0) {
    mps_thr_t thr;
    mps_root_t stackRoot;
    volatile char *p = NULL;
    void *cold = &thr;
    close(fds[0]);
    noCore();
    alarm(underValgrind ? 120 : 20);
    setDefault(SIGSEGV);
    setDefault(SIGBUS);
    if (kind == 5)
      (void)signal(SIGSEGV, SIG_IGN);   /* ignored before Tarn's handler */
    heapCreate(0.1);
    die(mps_thread_reg(&thr, arena), "thread_reg");
    die(mps_root_create_thread(&stackRoot, arena, thr, cold), "thread root");
    fill();
    barrierRound();
    check(!handlerIsDefault(SIGSEGV));  /* Tarn's is installed */
    switch (kind) {
    case 0: p = (volatile char *)16; break;                 /* near NULL */
    case 1: (void)mprotect(guardPage, pageSize, PROT_NONE); p = guardPage + 8; break;
    case 2: (void)mprotect(roPage, pageSize, PROT_READ); p = roPage + 8; break;
    case 3: p = busPage + 8; break;
    case 4: p = arenaHole(); check(p != NULL); break;
    case 5: p = (volatile char *)16; break;
    }
    c = (char)('0' + kind);
    check(write(fds[1], &c, 1) == 1);
    QUIET_BEGIN();
    *p = 1;
    /* still alive: say so and fail */
    c = 'L';
    check(write(fds[1], &c, 1) == 1);
    _exit(0);
  }
  close(fds[1]);
  c = 0;
  r = read(fds[0], &c, 1);
  check(r == 1 && c == '0' + kind);     /* it got as far as the access */
  check(waitpid(pid, &status, 0) == pid);
  r = read(fds[0], &c, 1);
  close(fds[0]);
  if (WIFSIGNALED(status))
    printf("  child %d: killed by signal %d (expected %d)\n", kind, WTERMSIG(status), expectSig);
  else
    printf("  child %d: exited with %d (expected signal %d)\n", kind,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1, expectSig);
  check(r == 0);                        /* it did not carry on */
  check(WIFSIGNALED(status) && WTERMSIG(status) == expectSig);
}

/* Pages of [p, p+size) the kernel cannot read / write on our behalf
 * (EFAULT from write/read on a pipe: no signal is raised).  Each page is
 * probed at its first byte inside [p, p+size), never before p: the start
 * of the page may be free memory of the pool, which Tarn tells memcheck
 * is no-access (and reading it would be a use of freed memory). */
static void probe(void *p, size_t size, size_t *unreadable, size_t *unwritable)
{
  int fds[2];
  char *page = (char *)((mps_word_t)p & ~(mps_word_t)(pageSize - 1));
  char *limit = (char *)p + size;
  check(pipe(fds) == 0);
  for (; page < limit; page += pageSize) {
    char c;
    ssize_t r;
    char *at = page < (char *)p ? (char *)p : page;
    errno = 0;
    r = write(fds[1], at, 1);
    if (r < 0) {
      check(errno == EFAULT);
      ++*unreadable;
      ++*unwritable;            /* no read, no write */
      continue;
    }
    check(r == 1);
    /* now read that byte back into the page itself: writes it */
    c = *at;                  /* readable, so this cannot fault */
    errno = 0;
    r = read(fds[0], at, 1);
    if (r < 0) {
      char d;
      check(errno == EFAULT);
      ++*unwritable;
      check(read(fds[0], &d, 1) == 1);
      check(d == c);
    } else {
      check(r == 1);
      check(*at == c);
    }
  }
  close(fds[0]);
  close(fds[1]);
}

static size_t objSize(testobj_t o)
{
  return (size_t)((char *)testfmt_skip(o) - (char *)o);
}

static void probeHeap(size_t *unreadable, size_t *unwritable)
{
  size_t i, j;
  for (i = 0; i < NOBJ; ++i) {
    testobj_t o = table[i];
    probe(o, WORD, unreadable, unwritable);
    /* the referents may be elsewhere (to-space, from-space) */
    for (j = 0; j < 2; ++j)
      if (((mps_addr_t *)((char *)o + 3 * WORD))[j] != NULL)
        probe(((mps_addr_t *)((char *)o + 3 * WORD))[j], WORD, unreadable, unwritable);
  }
}

/* midTrace: 0 parked with write-protected old segments; 1 in the middle
 * of an incremental collection. */
static void childPostmortem(int midTrace)
{
  pid_t pid;
  int status;
  fflush(stdout);
  pid = fork();
  check(pid >= 0);
  if (pid == 0) {
    mps_thr_t thr;
    mps_root_t stackRoot;
    void *cold = &thr;
    size_t unreadable = 0, unwritable = 0, i, j, words = 0;
    mps_word_t h0;
    noCore();
    alarm(underValgrind ? 120 : 20);
    heapCreate(0.1);
    die(mps_thread_reg(&thr, arena), "thread_reg");
    die(mps_root_create_thread(&stackRoot, arena, thr, cold), "thread root");
    fill();
    die(mps_arena_collect(arena), "collect");
    mps_arena_release(arena);
    fill();                     /* more, pointing at the old ones */
    die(mps_arena_collect(arena), "collect");
    mps_arena_release(arena);
    if (midTrace) {
      mps_arena_pause_time_set(arena, 0.0);
      die(mps_arena_start_collect(arena), "start_collect");
    }
    probeHeap(&unreadable, &unwritable);
    printf("  postmortem child %d: before: %lu probes unreadable, %lu unwritable\n",
           midTrace, (unsigned long)unreadable, (unsigned long)unwritable);
    check(unwritable > 0);      /* there was protection to remove */
    if (midTrace)
      check(unreadable > 0);    /* the read barrier too */
    h0 = barrierHits();
    mps_arena_postmortem(arena);
    /* From now on a protection fault would kill the child. */
    setDefault(SIGSEGV);
    setDefault(SIGBUS);
    unreadable = unwritable = 0;
    probeHeap(&unreadable, &unwritable);
    check(unreadable == 0 && unwritable == 0);
    for (i = 0; i < NOBJ; ++i) {
      mps_word_t *w = table[i];
      size_t n = objSize(table[i]) / WORD;
      for (j = 0; j < n; ++j) {
        volatile mps_word_t *v = &w[j];
        mps_word_t x = *v;
        *v = x;
        ++words;
      }
      for (j = 0; j < 2; ++j) {
        volatile mps_word_t *r = ((mps_addr_t *)&w[3])[j];
        if (r != NULL) {
          mps_word_t x = r[0];
          r[0] = x;
          r[1] = r[1];
        }
      }
    }
    check(barrierHits() == h0);
    printf("  postmortem child %d: after: every probe and %lu words read and written, "
           "no barrier hit\n", midTrace, (unsigned long)words);
    fflush(stdout);
    _exit(0);
  }
  check(waitpid(pid, &status, 0) == pid);
  if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    printf("  postmortem child %d: status %d (signal %d)\n", midTrace, status,
           WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Phase 4: mps_arena_busy from a host handler */

static volatile int crashInScan;
static volatile char *volatile badAddress = (volatile char *)16;

static void busyHandler(int sig, siginfo_t *info, void *context)
{
  (void)sig; (void)info; (void)context;
  _exit(mps_arena_busy(arena) ? 40 : 41);
}

static mps_res_t crashingRootScan(mps_ss_t ss, void *p, size_t s)
{
  (void)ss; (void)p; (void)s;
  if (crashInScan)
    *badAddress = 1;
  return MPS_RES_OK;
}

static void childBusy(int inManager)
{
  pid_t pid;
  int status;
  fflush(stdout);
  pid = fork();
  check(pid >= 0);
  if (pid == 0) {
    struct sigaction sa;
    mps_thr_t thr;
    mps_root_t root;
    void *cold = &thr;
    noCore();
    alarm(underValgrind ? 120 : 20);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = busyHandler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    check(sigaction(SIGSEGV, &sa, NULL) == 0);
    heapCreate(0.1);
    die(mps_thread_reg(&thr, arena), "thread_reg");
    die(mps_root_create_thread(&root, arena, thr, cold), "thread root");
    die(mps_root_create(&root, arena, mps_rank_exact(), 0, crashingRootScan, NULL, 0),
        "scanning root");
    fill();
    barrierRound();
    QUIET_BEGIN();
    if (inManager) {
      crashInScan = 1;
      (void)mps_arena_collect(arena);
    } else {
      *badAddress = 1;
    }
    _exit(0);
  }
  check(waitpid(pid, &status, 0) == pid);
  printf("  child faulting %s the manager: exit status %d (expected %d)\n",
         inManager ? "inside" : "outside", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
         inManager ? 40 : 41);
  check(WIFEXITED(status) && WEXITSTATUS(status) == (inManager ? 40 : 41));
}

int main(int argc, char *argv[])
{
  testInit(argc, argv);
  underValgrind = getenv("TARN_UNDER_VALGRIND") != NULL;
  pageSize = (size_t)sysconf(_SC_PAGESIZE);
  makePages();

  /* Phases 2 and 3 run in children forked before this process has any
   * handler or arena: each child starts as a fresh program would.  (A
   * child of phase 1 would inherit Tarn's installed handler chained to
   * the host's.) */
  printf("phase 2: no host handler: genuine faults kill\n");
  childFault(0, SIGSEGV);
  childFault(1, SIGSEGV);
  childFault(2, SIGSEGV);
  childFault(3, SIGBUS);
  childFault(4, SIGSEGV);
  childFault(5, SIGSEGV);
  printf("phase 4: mps_arena_busy in a host's fault handler\n");
  childBusy(0);
  childBusy(1);

  printf("phase 3: mps_arena_postmortem removes protection\n");
  childPostmortem(0);
  childPostmortem(1);

  phaseHost();
  return testPass();
}

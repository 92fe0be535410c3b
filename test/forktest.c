/* forktest.c: fork() with registered threads (contract 11, 27.31)
 *
 * After fork() only the forking thread exists in the child.  The child
 * must be able to go on using the arena on its own, without hanging on
 * the registered threads that did not come along (the collector must not
 * try to suspend them), and must deregister their registrations before
 * destroying the arena.  The parent carries on as before.
 *
 * The parent has a heap in AMC and AMS (an exact table of objects with
 * references between them), the main thread registered with a thread
 * root, and a second registered thread ("sleeper") that holds objects
 * only in its stack and sleeps in read() on a pipe.  Then:
 *
 *  1. The main thread forks with the arena unclamped and write-protected
 *     old segments.  The child checks the heap, allocates (collections
 *     started by allocation), writes into old objects, collects with
 *     mps_arena_collect, runs an incremental collection with pause time
 *     0 and reads the heap between its slices, starts a thread of its own
 *     that registers and allocates while the child collects (so suspension
 *     works in the child), checks everything after each step, deregisters
 *     the sleeper's registration (destroying its root first) and its own,
 *     and destroys the arena.  It runs under an alarm: a hang fails.
 *  2. The main thread forks in the middle of an incremental collection
 *     (grey segments read-protected): the child reads the heap, parks,
 *     checks, collects, and tears down as above.
 *  3. A third registered thread forks (the main thread and the sleeper
 *     stay behind): the child does the same work, then deregisters the
 *     main thread's and the sleeper's registrations as well as its own,
 *     destroys the main thread's allocation points, and tears down.
 *
 * The three rounds are repeated (4 times; once under Valgrind).
 * Between and after the rounds the parent collects and checks; at the
 * end the sleeper wakes, checks that its stack-held objects kept their
 * addresses and contents through every collection the parent made,
 * allocates, deregisters and exits.  Scaled down under Valgrind.
 */

#include "testlib.h"
#include "testfmt.h"
#include "tarn.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/resource.h>

#define NTABLE 3000
#define NSTACK 32

static int underValgrind;
static mps_arena_t arena;
static mps_fmt_t fmt;
static mps_chain_t chain;
static mps_pool_t amcPool, amsPool;
static mps_root_t tableRoot;
static mps_addr_t table[NTABLE];
static mps_word_t tableId[NTABLE];
static volatile mps_word_t nextId = 1;
static pthread_mutex_t idLock = PTHREAD_MUTEX_INITIALIZER;

/* Registrations made in the parent, for the child to undo */
static mps_thr_t mainThr, sleeperThr;
static mps_root_t mainRoot, sleeperRoot;
static mps_ap_t mainAMC, mainAMS;       /* the main thread's APs */
static mps_ap_t sleeperAMC, sleeperAMS; /* the sleeper's */

static mps_word_t newId(void)
{
  mps_word_t id;
  pthread_mutex_lock(&idLock);
  id = nextId++;
  pthread_mutex_unlock(&idLock);
  return id;
}

static testobj_t alloc(mps_ap_t ap, size_t nrefs, size_t ndata)
{
  testobj_t o;
  die(testobj_alloc(&o, ap, newId(), nrefs, ndata), "alloc");
  return o;
}

/* table[i] refers to table[i-1] and table[i/2]: check every object and
 * both references by id. */
static void checkTable(void)
{
  size_t i;
  for (i = 0; i < NTABLE; ++i) {
    testobj_t o = table[i];
    check(o != NULL && testobj_ok(o) && o->id == tableId[i]);
    if (i > 0) {
      testobj_t a = o->refs[0], b = o->refs[1];
      check(a != NULL && testobj_ok(a) && a->id == tableId[i - 1]);
      check(b != NULL && testobj_ok(b) && b->id == tableId[i / 2]);
    }
  }
}

/* Replace some objects by new ones (keeping the shape). */
static void churn(mps_ap_t amc, mps_ap_t ams, size_t n)
{
  size_t k;
  for (k = 0; k < n; ++k) {
    size_t i = 1 + testRnd(NTABLE - 1), j;
    testobj_t o = alloc(testRnd(3) == 0 ? ams : amc, 2, testRnd(30));
    o->refs[0] = table[i - 1];
    o->refs[1] = table[i / 2];
    table[i] = o;
    tableId[i] = o->id;
    /* the objects that referred to the old table[i] */
    if (i + 1 < NTABLE)
      ((testobj_t)table[i + 1])->refs[0] = o;
    for (j = 2 * i; j < 2 * i + 2 && j < NTABLE; ++j)
      if (j != i)
        ((testobj_t)table[j])->refs[1] = o;
  }
}

static void fill(mps_ap_t amc, mps_ap_t ams)
{
  size_t i;
  for (i = 0; i < NTABLE; ++i) {
    testobj_t o = alloc(i % 3 == 0 ? ams : amc, 2, i % 40);
    if (i > 0) {
      o->refs[0] = table[i - 1];
      o->refs[1] = table[i / 2];
    }
    table[i] = o;
    tableId[i] = o->id;
  }
}

static void garbage(mps_ap_t ap, mps_word_t collections)
{
  mps_word_t target = mps_collections(arena) + collections;
  unsigned long k = 0;
  while (mps_collections(arena) < target) {
    (void)alloc(ap, 0, 10 + (k++ % 50));
    check(k < 50000000UL);
  }
}

static void makeAPs(mps_ap_t *amc, mps_ap_t *ams)
{
  die(mps_ap_create_k(amc, amcPool, mps_args_none), "AMC AP");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_exact());
    die(mps_ap_create_k(ams, amsPool, args), "AMS AP");
  } MPS_ARGS_END(args);
}

/* The sleeper: objects in its stack only, then read() on a pipe. */

static int sleeperPipe[2], readyPipe[2];

static void __attribute__((noinline)) sleeperWork(void)
{
  volatile mps_addr_t locals[NSTACK];
  mps_word_t was[NSTACK], ids[NSTACK];       /* addresses as numbers */
  mps_ap_t amc, ams;
  size_t i;
  char c = 'r';
  ssize_t r;
  makeAPs(&sleeperAMC, &sleeperAMS);
  amc = sleeperAMC;
  ams = sleeperAMS;
  for (i = 0; i < NSTACK; ++i) {
    testobj_t o = alloc(i % 2 ? amc : ams, 1, 5 + i);
    locals[i] = o;
    was[i] = (mps_word_t)o;
    ids[i] = o->id;
  }
  check(write(readyPipe[1], &c, 1) == 1);
  do
    r = read(sleeperPipe[0], &c, 1);   /* suspended and resumed many times */
  while (r < 0);                        /* (EINTR is allowed on Linux) */
  check(r == 1);
  for (i = 0; i < NSTACK; ++i) {
    testobj_t o = locals[i];
    check((mps_word_t)o == was[i]);     /* pinned: did not move */
    check(testobj_ok(o) && o->id == ids[i]);
  }
  (void)alloc(amc, 0, 100);
  mps_ap_destroy(ams);
  mps_ap_destroy(amc);
}

static void *sleeperMain(void *arg)
{
  void *cold = &arg;
  die(mps_thread_reg(&sleeperThr, arena), "sleeper thread_reg");
  die(mps_root_create_thread(&sleeperRoot, arena, sleeperThr, cold), "sleeper root");
  sleeperWork();
  mps_root_destroy(sleeperRoot);
  mps_thread_dereg(sleeperThr);
  return NULL;
}

/* A thread of the child's own: registers, allocates while the child's
 * main thread collects, checks the table (read only) and ends. */

static volatile int childThreadStop;
/* The child's two threads take turns at allocating and collecting (a
 * client lock): each is suspended while it waits for the other, which
 * is what this test is about.  Allocation racing with another thread's
 * collections is threadstress's business (its -f phase). */
static pthread_mutex_t childLock = PTHREAD_MUTEX_INITIALIZER;

static void *childThreadMain(void *arg)
{
  mps_thr_t thr;
  mps_root_t root;
  mps_ap_t amc, ams;
  void *cold = &arg;
  unsigned long n = 0;
  die(mps_thread_reg(&thr, arena), "child thread_reg");
  die(mps_root_create_thread(&root, arena, thr, cold), "child thread root");
  makeAPs(&amc, &ams);
  while (!childThreadStop || n < 1000) {
    testobj_t o, p;
    pthread_mutex_lock(&childLock);
    o = alloc(n % 2 ? amc : ams, 1, n % 20);
    p = alloc(amc, 1, 3);
    p->refs[0] = o;
    o->refs[0] = p;
    check(testobj_ok(o) && testobj_ok(p));
    pthread_mutex_unlock(&childLock);
    ++n;
  }
  mps_ap_destroy(ams);
  mps_ap_destroy(amc);
  mps_root_destroy(root);
  mps_thread_dereg(thr);
  return NULL;
}

static mps_word_t barrierHits(void)
{
  tarn_stats_s st;
  tarn_arena_stats(arena, &st);
  return st.barrier_hits;
}

/* The child's work, on whichever thread forked.  own* are the forking
 * thread's registration and APs. */
static void childWork(int round, mps_ap_t amc, mps_ap_t ams)
{
  mps_word_t c0 = mps_collections(arena), h0 = barrierHits();
  pthread_t t;
  size_t i;

  if (round == 2) {
    /* forked mid-collection: read the heap between slices */
    checkTable();
    mps_arena_park(arena);
    checkTable();
    mps_arena_release(arena);
  }
  checkTable();
  /* collections started by allocation */
  churn(amc, ams, 500);
  garbage(amc, 3);
  checkTable();
  /* writes into old objects, then a full collection */
  die(mps_arena_collect(arena), "child collect");
  mps_arena_release(arena);
  for (i = 1; i + 1 < NTABLE; i += 5)
    ((testobj_t)table[i])->refs[0] = table[i - 1];      /* same value */
  check(barrierHits() > h0);
  die(mps_arena_collect(arena), "child collect");
  checkTable();
  mps_arena_release(arena);
  /* incremental, reading between slices */
  mps_arena_pause_time_set(arena, 0.0);
  die(mps_arena_start_collect(arena), "child start_collect");
  checkTable();
  churn(amc, ams, 200);
  checkTable();
  mps_arena_park(arena);
  checkTable();
  mps_arena_release(arena);
  mps_arena_pause_time_set(arena, 0.1);
  /* a new thread in the child, suspended by the child's collections */
  childThreadStop = 0;
  check(pthread_create(&t, NULL, childThreadMain, NULL) == 0);
  for (i = 0; i < 4; ++i) {
    pthread_mutex_lock(&childLock);
    die(mps_arena_collect(arena), "child collect");
    checkTable();
    mps_arena_release(arena);
    churn(amc, ams, 100);
    pthread_mutex_unlock(&childLock);
  }
  childThreadStop = 1;
  check(pthread_join(t, NULL) == 0);
  die(mps_arena_collect(arena), "child collect");
  checkTable();
  check(mps_collections(arena) >= c0 + 8);
  printf("  child %d: %lu collections, %lu barrier hits in the child\n", round,
         (unsigned long)(mps_collections(arena) - c0), (unsigned long)(barrierHits() - h0));
  fflush(stdout);
}

static void childTearDown(mps_ap_t amc, mps_ap_t ams, mps_thr_t self, mps_root_t selfRoot)
{
  mps_arena_park(arena);
  mps_ap_destroy(ams);
  mps_ap_destroy(amc);
  if (mainAMC != NULL && mainAMC != amc) {      /* the main thread's, if it did not fork */
    mps_ap_destroy(mainAMS);
    mps_ap_destroy(mainAMC);
  }
  mps_ap_destroy(sleeperAMS);          /* the sleeper's, which is not here */
  mps_ap_destroy(sleeperAMC);
  /* Registrations of threads that do not exist here: roots first. */
  if (selfRoot != sleeperRoot) {
    mps_root_destroy(sleeperRoot);
    mps_thread_dereg(sleeperThr);
  }
  if (selfRoot != mainRoot) {
    mps_root_destroy(mainRoot);
    mps_thread_dereg(mainThr);
  }
  mps_root_destroy(selfRoot);
  mps_thread_dereg(self);
  mps_root_destroy(tableRoot);
  mps_pool_destroy(amsPool);
  mps_pool_destroy(amcPool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

/* Fork and run the child's part; the parent waits and checks how the
 * child ended. */
static void forkRound(int round, mps_ap_t amc, mps_ap_t ams, mps_thr_t self, mps_root_t selfRoot)
{
  pid_t pid;
  int status;
  fflush(stdout);
  pid = fork();
  check(pid >= 0);
  if (pid == 0) {
    struct rlimit rl = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &rl);
    alarm(underValgrind ? 300 : 30);    /* a hang fails */
    childWork(round, amc, ams);
    childTearDown(amc, ams, self, selfRoot);
    printf("  child %d: the arena is destroyed\n", round);
    fflush(stdout);
    _exit(0);
  }
  check(waitpid(pid, &status, 0) == pid);
  if (!WIFEXITED(status))
    printf("  child %d: killed by signal %d%s\n", round, WTERMSIG(status),
           WTERMSIG(status) == SIGALRM ? " (it hung)" : "");
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Round 3: fork from a third registered thread. */
static void *forkerMain(void *arg)
{
  mps_thr_t thr;
  mps_root_t root;
  mps_ap_t amc, ams;
  void *cold = &arg;
  die(mps_thread_reg(&thr, arena), "forker thread_reg");
  die(mps_root_create_thread(&root, arena, thr, cold), "forker root");
  makeAPs(&amc, &ams);
  churn(amc, ams, 100);
  forkRound(3, amc, ams, thr, root);
  mps_ap_destroy(ams);
  mps_ap_destroy(amc);
  mps_root_destroy(root);
  mps_thread_dereg(thr);
  return NULL;
}

static void parentCheck(void)
{
  die(mps_arena_collect(arena), "collect");
  checkTable();
  mps_arena_release(arena);
  churn(mainAMC, mainAMS, 300);
  garbage(mainAMC, 2);
  checkTable();
}

int main(int argc, char *argv[])
{
  mps_gen_param_s gens[] = {{512, 0.8}, {1024, 0.4}};
  pthread_t sleeper, forker;
  char c = 'w';
  void *cold = &c;
  int rep, reps;

  testInit(argc, argv);
  underValgrind = getenv("TARN_UNDER_VALGRIND") != NULL;
  reps = underValgrind ? 1 : 4;
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
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
  die(mps_thread_reg(&mainThr, arena), "thread_reg");
  die(mps_root_create_thread(&mainRoot, arena, mainThr, cold), "thread root");
  die(mps_root_create_table(&tableRoot, arena, mps_rank_exact(), 0, table, NTABLE), "root");
  makeAPs(&mainAMC, &mainAMS);
  fill(mainAMC, mainAMS);
  parentCheck();

  check(pipe(sleeperPipe) == 0 && pipe(readyPipe) == 0);
  check(pthread_create(&sleeper, NULL, sleeperMain, NULL) == 0);
  check(read(readyPipe[0], &c, 1) == 1);
  parentCheck();

  for (rep = 0; rep < reps; ++rep) {
    printf("round 1: the main thread forks, the arena unclamped\n");
    forkRound(1, mainAMC, mainAMS, mainThr, mainRoot);
    parentCheck();

    printf("round 2: the main thread forks in the middle of an incremental collection\n");
    mps_arena_pause_time_set(arena, 0.0);
    die(mps_arena_start_collect(arena), "start_collect");
    forkRound(2, mainAMC, mainAMS, mainThr, mainRoot);
    mps_arena_park(arena);
    checkTable();
    mps_arena_release(arena);
    mps_arena_pause_time_set(arena, 0.1);
    parentCheck();

    printf("round 3: another registered thread forks\n");
    check(pthread_create(&forker, NULL, forkerMain, NULL) == 0);
    check(pthread_join(forker, NULL) == 0);
    parentCheck();
  }

  /* wake the sleeper: its objects survived everything above */
  check(write(sleeperPipe[1], &c, 1) == 1);
  check(pthread_join(sleeper, NULL) == 0);
  parentCheck();
  printf("parent: %lu collections\n", (unsigned long)mps_collections(arena));

  mps_arena_park(arena);
  mps_ap_destroy(mainAMS);
  mps_ap_destroy(mainAMC);
  mps_root_destroy(tableRoot);
  mps_root_destroy(mainRoot);
  mps_thread_dereg(mainThr);
  mps_pool_destroy(amsPool);
  mps_pool_destroy(amcPool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  return testPass();
}

/* threadstress.c: many registered threads, three pools, forced
 * collections (contract 11, 12.2, 27.5, 27.11, 27.30)
 *
 * NWORKERS worker threads each register with the arena, declare their
 * stack (mps_root_create_thread, cold end in the thread's start
 * function) and a private exact table root, and allocate on allocation
 * points of their own in AMC, AWL (exact rank) and AMS.  They build and
 * rewire a random graph of test objects that spans the pools: each
 * thread changes only objects it allocated, but refers freely to objects
 * of other threads, which it gets from a shared exact table root that
 * every thread reads and writes under a client mutex.  Each thread also
 * keeps a few objects only in volatile locals deep in its stack (pinned
 * by the ambiguous stack scan) and checks now and then that they did not
 * move and are intact.  Now and then a thread allocates a burst of tiny
 * objects, so that it is often inside the reserve/commit fast path when
 * another thread's collection suspends it.  Blocking calls (the read-write lock) are
 * interrupted by the suspend signals and must be restarted.
 *
 * Meanwhile the main thread, registered too, forces collections at
 * random: mps_arena_collect, mps_arena_start_collect, mps_arena_step with
 * random intervals, mps_arena_park, and changes the pause time (0, 0.1
 * ms, 1 ms, 100 ms: with small ones collections run in slices between
 * which the workers run behind the read barrier).  After each forced
 * collection, with the arena parked, it stops the workers between steps
 * (a write lock they take for reading around each step) and checks the
 * shared table and every thread's private table against a shadow model
 * of the whole graph kept by object id: every object intact, with the
 * right id, its references leading to the right ids, one address per
 * id.  Collections also start by themselves on the allocation slow paths
 * (a small nursery), many of them: the run goes on until hundreds have
 * happened (counted with mps_collections) or a time limit.
 *
 * A last phase: one thread allocates tiny objects in a tight
 * reserve/commit loop while the main thread collects again and again,
 * so that collections often stop it inside mps_reserve: every reserve
 * must give a block (not NULL), every object must be intact.  (This
 * caught a race: a flip used to detach a buffer whose owner was inside
 * mps_reserve; now a flip only traps another thread's buffer.)
 *
 * Threads come and go: now and then the main thread asks a worker to
 * retire; it takes the write lock, leaves the model, destroys its table
 * root, its allocation points and its thread root, deregisters and ends
 * in the middle of the run, and a new thread registers in its place.
 *
 * Scaled down when TARN_UNDER_VALGRIND is set.
 */

#include "testlib.h"
#include "testfmt.h"
#include "tarn.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include "mpscawl.h"
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#define NWORKERS 5
#define NSHARED 1000
#define NPRIV 600
#define NSTACK 16
#define MAXREFS 4
#define FAST_COLLECTIONS 12     /* at least, in the fast-path phase */

typedef unsigned Id;

static int underValgrind;
static mps_arena_t arena;
static mps_fmt_t fmt;
static mps_chain_t chain;
static mps_pool_t amcPool, awlPool, amsPool;

/* The shared table: an exact root, changed under sharedLock. */
static mps_addr_t shared[NSHARED];
static Id sharedId[NSHARED];
static pthread_mutex_t sharedLock = PTHREAD_MUTEX_INITIALIZER;

/* Workers hold worldLock for reading around each step; the checker
 * takes it for writing. */
static pthread_rwlock_t worldLock;

/* The model, by id: written by an object's owner (during its steps),
 * read by the checker (with the world stopped). */
static Id maxId;
static Id nextIdShared = 1;
static Id (*shadowRef)[MAXREFS];
static unsigned char *shadowNrefs;
static unsigned char *ownerOf;          /* worker incarnation + 1 */
static unsigned *visited, epoch;
static mps_addr_t *addrOf;
static struct { mps_addr_t obj; Id id; } *dfs;
static volatile int idsExhausted;

typedef struct Worker {
  int slot;
  unsigned char incarnation;            /* ownerOf value, 1..255 */
  pthread_t thread;
  mps_thr_t thr;
  mps_root_t privRoot, stackRoot;
  mps_ap_t amc, awl, ams;
  mps_addr_t priv[NPRIV];
  Id privId[NPRIV];
  unsigned long rnd;                    /* the worker's own PRNG */
  unsigned long steps, stackChecks;
  volatile int inModel;                 /* priv is part of the model */
  volatile int retire, done;
} Worker;

static Worker *workers[NWORKERS];
static unsigned long retired, started;
static unsigned char nextIncarnation = 1;

static unsigned long wrnd(Worker *w, unsigned long n)
{
  unsigned long x = w->rnd;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  w->rnd = x;
  return n == 0 ? 0 : (unsigned long)((x * 0x2545F4914F6CDD1DUL) >> 11) % n;
}

static Id newId(void)
{
  Id id = __sync_fetch_and_add(&nextIdShared, 1);
  if (id >= maxId) {
    idsExhausted = 1;
    return 0;
  }
  return id;
}

/* A modelled object of the worker's, or NULL when ids ran out. */
static testobj_t newObj(Worker *w, size_t nrefs)
{
  testobj_t o;
  mps_ap_t ap;
  Id id = newId();
  unsigned long r = wrnd(w, 10);
  if (id == 0)
    return NULL;
  ap = r < 5 ? w->amc : r < 8 ? w->ams : w->awl;
  die(testobj_alloc(&o, ap, id, nrefs, wrnd(w, 100) == 0 ? 500 + wrnd(w, 2000) : wrnd(w, 24)),
      "alloc");
  shadowNrefs[id] = (unsigned char)nrefs;
  memset(shadowRef[id], 0, sizeof shadowRef[id]);
  ownerOf[id] = w->incarnation;
  return o;
}

static void setRef(testobj_t o, size_t i, testobj_t target)
{
  o->refs[i] = target;
  shadowRef[o->id][i] = target != NULL ? (Id)target->id : 0;
}

/* Something to refer to: a private or a shared object, or NULL. */
static testobj_t pickTarget(Worker *w)
{
  testobj_t t;
  if (wrnd(w, 3) == 0) {
    pthread_mutex_lock(&sharedLock);
    t = shared[wrnd(w, NSHARED)];
    pthread_mutex_unlock(&sharedLock);
  } else {
    t = w->priv[wrnd(w, NPRIV)];
  }
  return t;
}

static void step(Worker *w)
{
  unsigned long r = wrnd(w, 100);
  if (r < 30) {
    size_t nrefs = wrnd(w, MAXREFS + 1), i, s;
    testobj_t o = newObj(w, nrefs);
    if (o == NULL)
      return;
    for (i = 0; i < nrefs; ++i)
      setRef(o, i, pickTarget(w));
    s = wrnd(w, NPRIV);
    w->priv[s] = o;
    w->privId[s] = (Id)o->id;
  } else if (r < 50) {
    /* rewire one of our own objects (perhaps old: a barrier hit) */
    testobj_t o = w->priv[wrnd(w, NPRIV)];
    if (o != NULL && o->nrefs > 0 && ownerOf[o->id] == w->incarnation)
      setRef(o, wrnd(w, o->nrefs), wrnd(w, 5) == 0 ? NULL : pickTarget(w));
  } else if (r < 60) {
    /* publish */
    size_t s = wrnd(w, NPRIV), t = wrnd(w, NSHARED);
    pthread_mutex_lock(&sharedLock);
    shared[t] = w->priv[s];
    sharedId[t] = w->privId[s];
    pthread_mutex_unlock(&sharedLock);
  } else if (r < 70) {
    /* take */
    size_t s = wrnd(w, NPRIV), t = wrnd(w, NSHARED);
    pthread_mutex_lock(&sharedLock);
    w->priv[s] = shared[t];
    w->privId[s] = sharedId[t];
    pthread_mutex_unlock(&sharedLock);
  } else if (r < 78) {
    size_t s = wrnd(w, NPRIV);
    w->priv[s] = NULL;
    w->privId[s] = 0;
  } else if (r < 95) {
    /* short-lived garbage, unmodelled (id 0) */
    testobj_t g;
    unsigned long p = wrnd(w, 3);
    die(testobj_alloc(&g, p == 0 ? w->amc : p == 1 ? w->ams : w->awl, 0, 0, wrnd(w, 40)),
        "garbage");
  } else {
    /* a burst of tiny objects: most of the time in the reserve/commit
     * fast path, where a collection by another thread may stop us */
    mps_ap_t ap = wrnd(w, 2) == 0 ? w->amc : w->ams;
    int k;
    for (k = 0; k < 256; ++k) {
      testobj_t g;
      die(testobj_alloc(&g, ap, 0, 0, 0), "burst");
      check(g != NULL && testobj_ok(g));
    }
  }
}

/* Objects held only by volatile locals of this (deeper) frame. */
static void __attribute__((noinline)) workLoop(Worker *w, int depth)
{
  volatile mps_addr_t locals[NSTACK];
  mps_word_t was[NSTACK], ids[NSTACK];
  size_t i;
  if (depth > 0) {
    locals[0] = NULL;
    workLoop(w, depth - 1);
    check(locals[0] == NULL);
    return;
  }
  for (i = 0; i < NSTACK; ++i) {
    testobj_t o;
    die(testobj_alloc(&o, i % 3 == 0 ? w->amc : i % 3 == 1 ? w->ams : w->awl,
                      (mps_word_t)0x70000000 + i, 0, 3 + i), "stack object");
    locals[i] = o;
    was[i] = (mps_word_t)o;
    ids[i] = o->id;
  }
  while (!w->retire) {
    int k;
    pthread_rwlock_rdlock(&worldLock);
    for (k = 0; k < 16; ++k)
      step(w);
    pthread_rwlock_unlock(&worldLock);
    w->steps += 16;
    if (w->steps % 1024 == 0) {
      for (i = 0; i < NSTACK; ++i) {
        testobj_t o = locals[i];
        check((mps_word_t)o == was[i]);         /* pinned */
        check(testobj_ok(o) && o->id == ids[i]);
      }
      ++w->stackChecks;
    }
  }
}

static void *workerMain(void *arg)
{
  Worker *w = arg;
  void *cold = &arg;
  die(mps_thread_reg(&w->thr, arena), "thread_reg");
  die(mps_root_create_thread(&w->stackRoot, arena, w->thr, cold), "thread root");
  die(mps_ap_create_k(&w->amc, amcPool, mps_args_none), "AMC AP");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_exact());
    die(mps_ap_create_k(&w->awl, awlPool, args), "AWL AP");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_exact());
    die(mps_ap_create_k(&w->ams, amsPool, args), "AMS AP");
  } MPS_ARGS_END(args);
  die(mps_root_create_table(&w->privRoot, arena, mps_rank_exact(), 0, w->priv, NPRIV),
      "private root");
  pthread_rwlock_wrlock(&worldLock);
  w->inModel = 1;
  pthread_rwlock_unlock(&worldLock);

  workLoop(w, 8);

  /* Retire: leave the model, then undo everything and end. */
  pthread_rwlock_wrlock(&worldLock);
  w->inModel = 0;
  mps_root_destroy(w->privRoot);
  pthread_rwlock_unlock(&worldLock);
  mps_ap_destroy(w->ams);
  mps_ap_destroy(w->awl);
  mps_ap_destroy(w->amc);
  mps_root_destroy(w->stackRoot);       /* the thread's roots first */
  mps_thread_dereg(w->thr);
  w->done = 1;
  return NULL;
}

static void startWorker(int slot)
{
  Worker *w = calloc(1, sizeof *w);
  check(w != NULL);
  w->slot = slot;
  w->incarnation = nextIncarnation++;
  check(w->incarnation != 0);           /* at most 255 incarnations */
  w->rnd = testRandom() | 1;
  workers[slot] = w;
  check(pthread_create(&w->thread, NULL, workerMain, w) == 0);
  ++started;
}

static void stopWorker(int slot)
{
  Worker *w = workers[slot];
  w->retire = 1;
  check(pthread_join(w->thread, NULL) == 0);
  check(w->done);
  ++retired;
  workers[slot] = NULL;
  free(w);
}

/* The checker (world stopped: no step in progress). */

static unsigned long checks, objectsChecked;
#define MIN_CHECKS 20

static void traverse(mps_addr_t root, Id rootId)
{
  size_t top = 0;
  if (rootId == 0) {
    check(root == NULL);
    return;
  }
  check(root != NULL);
  dfs[top].obj = root;
  dfs[top].id = rootId;
  ++top;
  while (top > 0) {
    testobj_t o;
    Id id;
    size_t i;
    --top;
    o = dfs[top].obj;
    id = dfs[top].id;
    check(o != NULL);
    if (visited[id] == epoch) {
      check(addrOf[id] == (mps_addr_t)o);       /* one copy of each */
      continue;
    }
    visited[id] = epoch;
    addrOf[id] = o;
    check(testobj_ok(o));
    check(o->id == id);
    check(o->nrefs == shadowNrefs[id]);
    ++objectsChecked;
    for (i = 0; i < o->nrefs; ++i) {
      Id c = shadowRef[id][i];
      if (c == 0) {
        check(o->refs[i] == NULL);
      } else {
        check(top < (size_t)maxId);
        dfs[top].obj = o->refs[i];
        dfs[top].id = c;
        ++top;
      }
    }
  }
}

static void checkWorld(void)
{
  size_t i;
  int s;
  ++epoch;
  for (i = 0; i < NSHARED; ++i)
    traverse(shared[i], sharedId[i]);
  for (s = 0; s < NWORKERS; ++s) {
    Worker *w = workers[s];
    if (w == NULL || !w->inModel)
      continue;
    for (i = 0; i < NPRIV; ++i)
      traverse(w->priv[i], w->privId[i]);
  }
  ++checks;
}

/* Stop the workers between steps and check (the arena is parked). */
static void stopAndCheck(void)
{
  pthread_rwlock_wrlock(&worldLock);
  checkWorld();
  pthread_rwlock_unlock(&worldLock);
}

/* The fast-path phase: one thread allocates tiny objects in a tight
 * reserve/commit loop (so it is inside mps_reserve most of the time),
 * while the main thread collects again and again.  Every collection
 * suspends the allocating thread wherever it is; the protocol must hold:
 * mps_reserve gives a block, and a commit after a flip fails and is
 * retried (contract 27.1-2, 27.5). */

static volatile int tightStop;
static volatile unsigned long tightAllocs, tightRetries;
static mps_pool_t tightPool;

static void *tightMain(void *arg)
{
  mps_thr_t thr;
  mps_root_t root;
  mps_ap_t ap;
  void *cold = &arg;
  size_t size = testobj_size(0, 1);
  die(mps_thread_reg(&thr, arena), "thread_reg");
  die(mps_root_create_thread(&root, arena, thr, cold), "thread root");
  die(mps_ap_create_k(&ap, tightPool, mps_args_none), "AP");
  while (!tightStop) {
    mps_addr_t p;
    testobj_t o;
    int tries = 0;
    do {
      die(mps_reserve(&p, ap, size), "reserve");
      check(p != NULL);                 /* a block, not NULL */
      o = testobj_init(p, 7, 0, 1);
      ++tries;
    } while (!mps_commit(ap, p, size));
    check(testobj_ok(o));
    tightRetries += (unsigned long)(tries - 1);
    ++tightAllocs;
  }
  mps_ap_destroy(ap);
  mps_root_destroy(root);
  mps_thread_dereg(thr);
  return NULL;
}

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleepMicro(unsigned long us)
{
  struct timespec ts;
  ts.tv_sec = 0;
  ts.tv_nsec = (long)(us * 1000);
  while (nanosleep(&ts, &ts) != 0)
    ;
}

int main(int argc, char *argv[])
{
  mps_gen_param_s gens[] = {{256, 0.85}, {1024, 0.45}};
  pthread_rwlockattr_t rwattr;
  mps_thr_t mainThr;
  mps_root_t mainRoot, sharedRoot;
  unsigned long target, minimum, loops = 0, forced = 0, steps = 0, stackChecks = 0;
  unsigned long nCollect = 0, nStart = 0, nStep = 0, nPark = 0;
  double limit, t0;
  tarn_stats_s st;
  int s;
  void *cold = &s;

  testInit(argc, argv);
  underValgrind = getenv("TARN_UNDER_VALGRIND") != NULL;
  target = underValgrind ? 150 : 400;
  minimum = underValgrind ? 40 : 100;
  limit = underValgrind ? 30.0 : 12.0;
  maxId = underValgrind ? 500000 : 3000000;

  shadowRef = calloc(maxId, sizeof *shadowRef);
  shadowNrefs = calloc(maxId, 1);
  ownerOf = calloc(maxId, 1);
  visited = calloc(maxId, sizeof *visited);
  addrOf = calloc(maxId, sizeof *addrOf);
  dfs = calloc((size_t)maxId + 1, sizeof *dfs);
  check(shadowRef && shadowNrefs && ownerOf && visited && addrOf && dfs);

  pthread_rwlockattr_init(&rwattr);
  pthread_rwlockattr_setkind_np(&rwattr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  check(pthread_rwlock_init(&worldLock, &rwattr) == 0);

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
    die(mps_pool_create_k(&awlPool, arena, mps_class_awl(), args), "AWL");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&amsPool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  die(mps_thread_reg(&mainThr, arena), "thread_reg");
  die(mps_root_create_thread(&mainRoot, arena, mainThr, cold), "thread root");
  die(mps_root_create_table(&sharedRoot, arena, mps_rank_exact(), 0, shared, NSHARED),
      "shared root");

  for (s = 0; s < NWORKERS; ++s)
    startWorker(s);

  t0 = now();
  /* Until enough collections and enough checks of the world (which only
   * some of the random actions make), or the time limit. */
  while ((mps_collections(arena) < target || checks < MIN_CHECKS)
         && now() - t0 < limit && !idsExhausted) {
    unsigned long r = testRnd(100);
    ++loops;
    if (r < 20) {
      die(mps_arena_collect(arena), "collect");
      ++nCollect;
      stopAndCheck();
      mps_arena_release(arena);
      ++forced;
    } else if (r < 35) {
      die(mps_arena_start_collect(arena), "start_collect");
      ++nStart;
      ++forced;
      sleepMicro(testRnd(2000));
    } else if (r < 55) {
      (void)mps_arena_step(arena, testRndDouble() * 0.005, testRndDouble() * 10.0);
      ++nStep;
      sleepMicro(testRnd(1000));
    } else if (r < 75) {
      /* park first, or stop the workers first */
      if (testRnd(2) == 0) {
        mps_arena_park(arena);
        stopAndCheck();
      } else {
        pthread_rwlock_wrlock(&worldLock);
        mps_arena_park(arena);
        checkWorld();
        pthread_rwlock_unlock(&worldLock);
      }
      ++nPark;
      mps_arena_release(arena);
    } else if (r < 80) {
      static const double pauses[] = {0.0, 0.0001, 0.001, 0.1};
      mps_arena_pause_time_set(arena, pauses[testRnd(4)]);
    } else {
      sleepMicro(500 + testRnd(3000));
    }
    if (loops % (underValgrind ? 5 : 40) == 0 && nextIncarnation < 250) {
      /* a thread leaves, another comes */
      s = (int)testRnd(NWORKERS);
      stopWorker(s);
      startWorker(s);
    }
  }
  /* A slow machine (Valgrind, other load) may reach the time limit, or
   * use up the ids, before enough checks or before a thread has left
   * mid-run: those are made now, with the threads still running. */
  while (checks < MIN_CHECKS || retired == 0) {
    die(mps_arena_collect(arena), "collect");
    ++nCollect;
    stopAndCheck();
    mps_arena_release(arena);
    ++forced;
    if (retired == 0) {
      s = (int)testRnd(NWORKERS);
      stopWorker(s);
      startWorker(s);
    }
  }

  mps_arena_park(arena);
  stopAndCheck();
  for (s = 0; s < NWORKERS; ++s) {
    steps += workers[s]->steps;
    stackChecks += workers[s]->stackChecks;
    stopWorker(s);
  }
  die(mps_arena_collect(arena), "collect");
  checkWorld();
  mps_arena_release(arena);

  /* The fast-path phase (a watchdog: a collector looping on a corrupt
   * segment would otherwise hang the test). */
  {
    pthread_t t;
    unsigned long n = 0, a0;
    double t1, phase = underValgrind ? 5.0 : 3.0;
    alarm(underValgrind ? 120 : 60);
    tightPool = amcPool;
    tightStop = 0;
    check(pthread_create(&t, NULL, tightMain, NULL) == 0);
    while (tightAllocs < 1000)
      sleepMicro(100);
    /* At least FAST_COLLECTIONS collections and at least `phase`
     * seconds: a count, not a time limit, decides that enough flips
     * happened (under Valgrind on a loaded machine a collection can take
     * half a second). */
    t1 = now();
    a0 = tightAllocs;
    while (n < FAST_COLLECTIONS || now() - t1 < phase) {
      die(mps_arena_collect(arena), "collect");
      mps_arena_release(arena);
      ++n;
    }
    tightStop = 1;
    check(pthread_join(t, NULL) == 0);
    alarm(0);
    printf("fast-path phase: %lu collections while another thread made %lu objects "
           "(%lu commits failed after a flip and were retried)\n",
           n, tightAllocs, tightRetries);
    check(n >= FAST_COLLECTIONS);
    check(tightAllocs > a0);    /* it allocated while we collected */
  }
  die(mps_arena_collect(arena), "collect");
  checkWorld();
  tarn_arena_stats(arena, &st);
  printf("%.1f s: %lu collections (%lu forced: %lu collect, %lu start_collect; "
         "%lu steps, %lu parks), %lu barrier hits, max pause %.1f ms\n",
         now() - t0, (unsigned long)mps_collections(arena), forced, nCollect, nStart,
         nStep, nPark, (unsigned long)st.barrier_hits, st.max_pause * 1e3);
  printf("%lu checks of the world (%lu objects checked), %lu threads started, "
         "%lu retired, %lu ids used%s\n", checks, objectsChecked, started, retired,
         (unsigned long)(nextIdShared - 1), idsExhausted ? " (all)" : "");
  (void)steps;
  (void)stackChecks;
  check(mps_collections(arena) >= minimum);
  check(st.barrier_hits > 0);

  mps_root_destroy(sharedRoot);
  mps_root_destroy(mainRoot);
  mps_thread_dereg(mainThr);
  mps_pool_destroy(amsPool);
  mps_pool_destroy(awlPool);
  mps_pool_destroy(amcPool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  pthread_rwlock_destroy(&worldLock);
  free(shadowRef);
  free(shadowNrefs);
  free(ownerOf);
  free(visited);
  free(addrOf);
  free(dfs);
  return testPass();
}

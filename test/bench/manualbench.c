/* manualbench.c: manual allocation benchmark, Tarn's manual pools vs malloc
 *
 * One operation sequence (a "trace", made once from the seed) is replayed
 * by every allocator, each in a fresh child process (fork), so that no
 * allocator inherits another's heap and the measurements are independent.
 *
 * The trace.  A live set of up to N blocks (a slot table in the client)
 * rises and falls: grow from 0 to N (each step allocates with probability
 * 3/4, else frees a random live block), then shrink to N/4 (allocate with
 * probability 1/4, else free a random block), grow to N again, and so on
 * for C cycles; at the end every remaining block is freed in random order.
 * The victim of a free is chosen uniformly among the live blocks.
 *
 * Sizes (the "var" trace): log-uniform on [8, 4096] bytes, i.e.
 * exp(uniform(ln 8, ln 4096)), rounded up to a multiple of 8.  Half the
 * requests are <= 181 bytes, 81% are <= 1 KiB; the mean is about 660
 * bytes, so the large blocks carry most of the bytes.  The "fixed" trace
 * uses one size (-F, default 64) for every block; MFS runs only on it.
 *
 * Use.  Every allocated block is touched: its first and last words are
 * written (with a tag derived from address and size), and both are checked
 * when the block is freed, so overlapping blocks are caught and no
 * allocator is timed without its blocks being used.
 *
 * Allocators:
 *   malloc   glibc malloc/free (the reference)
 *   mvff     MVFF pool, mps_alloc/mps_free (MEAN_SIZE = the trace's mean)
 *   sac      a SAC over an MVFF pool, MPS_SAC_ALLOC_FAST/MPS_SAC_FREE_FAST;
 *            classes from -c: "small" (default: 16 24 32 48 64 128 192 256,
 *            larger requests go to the pool uncached), "geo" (32 64 ...
 *            4096: every request cached, at up to 2x internal waste),
 *            "fine" (15 classes 8 16 24 32 48 80 120 184 288 440 688 1072
 *            1680 2616 4096, about 1.56x apart: every request cached at
 *            up to 1.56x waste; more classes than the contract promises,
 *            so a manager may refuse it with MPS_RES_LIMIT)
 *   mvt      MVT pool (MIN 8, MEAN = trace mean, MAX 4096) through an
 *            allocation point (mps_reserve/mps_commit), mps_free
 *   mfs      MFS pool with unit size = the fixed size (fixed trace only)
 *   jemalloc, mimalloc  malloc/free of jemalloc (libjemalloc.so.2) and
 *            mi_malloc/mi_free of mimalloc (libmimalloc.so.2), loaded with
 *            dlopen in the child that runs them, so the benchmark builds
 *            and runs without them (they are skipped, with a note, when
 *            the library cannot be loaded); footprint: jemalloc's
 *            stats.mapped (after an epoch refresh), mimalloc's committed
 *            bytes (mi_process_info)
 *
 * Threads (-t T): T threads replay the same trace at once, each with its
 * own slot table and, for Tarn, its own pool (or, with -S, one shared
 * pool: the arena lock serialises mps_alloc/mps_free); sac always gives
 * each thread its own cache (over its own pool, or the shared one with
 * -S); mvt always gives each thread its own AP.
 *
 * Measurements (each configuration run -r times, medians printed):
 *   time   wall and CPU time of the replay only (not pool creation or
 *          destruction), without the time spent taking footprint samples;
 *          with threads, wall is the slowest thread and CPU the sum;
 *   peak   the allocator's own account of the memory it holds, sampled
 *          every 16384 operations and at the top of every grow phase:
 *          Tarn: mps_arena_committed (everything the arena has committed:
 *          pool memory, free memory kept by pools and spare memory kept
 *          by the arena, and the arena's own tables);
 *          malloc: mallinfo2().arena + hblkhd (bytes malloc has taken from
 *          the system with sbrk or mmap, all arenas, free chunks included);
 *          both are measured relative to the value just before the replay
 *          (Tarn: after creating the arena and pools; malloc: the child's
 *          inherited heap, a few KiB);
 *   rss    the peak resident set (VmHWM, reset through clear_refs before
 *          the replay) minus the resident set before the replay: the same
 *          measure for every allocator, exact rather than sampled.
 * Ratios are to malloc in the same run.  "live" is the trace's peak sum of
 * requested bytes (all threads), the least any allocator could use.
 *
 * Usage: manualbench [-n N] [-C cycles] [-s seed] [-r reps] [-t threads]
 *        [-S] [-F fixedsize] [-c small|geo|fine] [-T var|fixed|both]
 *        [-a alloc,alloc,...] [-1]
 * -1 runs each selected allocator once, in this process, without forking
 * (for valgrind --tool=callgrind --toggle-collect=replay, perf record).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "mps.h"
#include "mpsavm.h"
#include "mpscmfs.h"
#include "mpscmvff.h"
#include "mpscmvt.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Trace encoding: one 32-bit word per operation. */
#define OP_FREE   ((uint32_t)1 << 31)  /* free slot (op & OP_MASK) */
#define OP_SAMPLE ((uint32_t)1 << 30)  /* take a footprint sample after it */
#define OP_MASK   (((uint32_t)1 << 30) - 1) /* alloc: size; free: slot */
#define SAMPLE_EVERY 16384

#define MIN_SIZE 8
#define MAX_SIZE 4096

typedef struct Trace {
  uint32_t *ops;
  size_t n, cap;
  size_t maxLive;               /* N */
  size_t peakLiveBytes;         /* per thread */
  double meanSize;
  const char *name;
} Trace;

typedef enum { A_MALLOC, A_MVFF, A_SAC, A_MVT, A_MFS, A_JEMALLOC, A_MIMALLOC,
               A_LIMIT } Alloc;
static const char *allocName[A_LIMIT] = {"malloc", "mvff", "sac", "mvt", "mfs",
                                         "jemalloc", "mimalloc"};

/* Options */
static size_t optN = 50000;
static int optCycles = 4;
static unsigned long optSeed = 1;
static int optReps = 5;
static int optThreads = 1;
static int optShared = 0;
static size_t optFixed = 64;
static const char *optClasses = "small";
static int optTraces = 3;       /* bit 0: var, bit 1: fixed */
static int optAllocs[A_LIMIT] = {1, 1, 1, 1, 1, 1, 1};
static int optInProcess = 0;    /* -1: one run per allocator, no fork */

/* The random generator (xorshift64*), used only to make traces. */
static uint64_t rngState;
static void rngSeed(uint64_t seed)
{
  rngState = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
  if (rngState == 0)
    rngState = 1;
}
static uint64_t rngNext(void)
{
  uint64_t x = rngState;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rngState = x;
  return x * 0x2545F4914F6CDD1DULL;
}
static double rngDouble(void)
{
  return (double)(rngNext() >> 11) / 9007199254740992.0;
}
static size_t rngBelow(size_t n)
{
  return (size_t)(rngNext() % n);
}

static void fail(const char *what)
{
  fprintf(stderr, "manualbench: %s\n", what);
  exit(2);
}

static void *bigAlloc(size_t size)     /* outside malloc's accounting */
{
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    fail("mmap failed");
  return p;
}

static void traceAdd(Trace *t, uint32_t op)
{
  if (t->n == t->cap) {
    size_t cap = t->cap == 0 ? (size_t)1 << 20 : t->cap * 2;
    uint32_t *ops = bigAlloc(cap * sizeof *ops);
    if (t->n > 0) {
      memcpy(ops, t->ops, t->n * sizeof *ops);
      munmap(t->ops, t->cap * sizeof *ops);
    }
    t->ops = ops;
    t->cap = cap;
  }
  t->ops[t->n++] = op;
}

static size_t drawSize(size_t fixed)
{
  double lo = log((double)MIN_SIZE), hi = log((double)MAX_SIZE);
  size_t s;
  if (fixed != 0)
    return fixed;
  s = (size_t)ceil(exp(lo + rngDouble() * (hi - lo)));
  s = (s + 7) & ~(size_t)7;
  return s < MIN_SIZE ? MIN_SIZE : s > MAX_SIZE ? MAX_SIZE : s;
}

/* Make a trace: the client-side simulation keeps the sizes of the live
 * slots, so that frees can be encoded by slot alone. */
static void traceMake(Trace *t, const char *name, size_t N, int cycles,
                      size_t fixed, uint64_t seed)
{
  size_t *sizes = bigAlloc(N * sizeof *sizes);
  size_t live = 0, liveBytes = 0, allocs = 0, allocBytes = 0;
  int c;
  memset(t, 0, sizeof *t);
  t->name = name;
  t->maxLive = N;
  rngSeed(seed);

#define ALLOC_ONE() do { \
    size_t s_ = drawSize(fixed); \
    traceAdd(t, (uint32_t)s_); \
    sizes[live++] = s_; liveBytes += s_; \
    ++allocs; allocBytes += s_; \
    if (liveBytes > t->peakLiveBytes) t->peakLiveBytes = liveBytes; \
  } while (0)
#define FREE_ONE() do { \
    size_t i_ = rngBelow(live); \
    traceAdd(t, OP_FREE | (uint32_t)i_); \
    liveBytes -= sizes[i_]; \
    sizes[i_] = sizes[--live]; \
  } while (0)

  for (c = 0; c <= cycles; ++c) {
    /* grow to N */
    while (live < N) {
      if (live == 0 || rngDouble() < 0.75)
        ALLOC_ONE();
      else
        FREE_ONE();
      if (t->n % SAMPLE_EVERY == 0)
        t->ops[t->n - 1] |= OP_SAMPLE;
    }
    t->ops[t->n - 1] |= OP_SAMPLE;      /* the top of the phase */
    if (c == cycles)
      break;
    /* shrink to N/4 */
    while (live > N / 4) {
      if (rngDouble() < 0.25)
        ALLOC_ONE();
      else
        FREE_ONE();
      if (t->n % SAMPLE_EVERY == 0)
        t->ops[t->n - 1] |= OP_SAMPLE;
    }
  }
  while (live > 0)              /* drain */
    FREE_ONE();
#undef ALLOC_ONE
#undef FREE_ONE
  t->meanSize = (double)allocBytes / (double)allocs;
  munmap(sizes, N * sizeof *sizes);
}

/* Measurements */

static double now(clockid_t clk)
{
  struct timespec ts;
  clock_gettime(clk, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long statusKiB(const char *field)       /* from /proc/self/status */
{
  char line[256];
  size_t len = strlen(field);
  long v = -1;
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL)
    return -1;
  while (fgets(line, sizeof line, f) != NULL)
    if (strncmp(line, field, len) == 0 && line[len] == ':') {
      v = strtol(line + len + 1, NULL, 10);
      break;
    }
  fclose(f);
  return v;
}

static void resetPeakRSS(void)
{
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (f != NULL) {
    fputs("5", f);
    fclose(f);
  }
}

static mps_arena_t arena;               /* in the child, for Tarn */
static Alloc current;
static size_t footprintBase;
static size_t peakFootprint;            /* max over samples, updated atomically */

/* Other mallocs, loaded at run time in the child that runs them (and in
 * a throw-away child to see whether they can be loaded at all). */
typedef int (*MallctlFn)(const char *, void *, size_t *, void *, size_t);
typedef void (*MiInfoFn)(size_t *, size_t *, size_t *, size_t *, size_t *,
                         size_t *, size_t *, size_t *);
static void *(*extMalloc)(size_t);
static void (*extFree)(void *);
static MallctlFn jeMallctl;
static MiInfoFn miInfo;

static const char *extLib(Alloc a)
{
  return a == A_JEMALLOC ? "libjemalloc.so.2" : "libmimalloc.so.2";
}

static int extLoad(Alloc a)
{
  void *h = dlopen(extLib(a), RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return 0;
  if (a == A_JEMALLOC) {
    *(void **)&extMalloc = dlsym(h, "malloc");  /* the library's own */
    *(void **)&extFree = dlsym(h, "free");
    *(void **)&jeMallctl = dlsym(h, "mallctl");
    return extMalloc != NULL && extFree != NULL && jeMallctl != NULL;
  }
  *(void **)&extMalloc = dlsym(h, "mi_malloc");
  *(void **)&extFree = dlsym(h, "mi_free");
  *(void **)&miInfo = dlsym(h, "mi_process_info");
  return extMalloc != NULL && extFree != NULL && miInfo != NULL;
}

/* Whether a can be loaded: try it in a child, so that this process (and
 * the children forked from it for the other allocators) never maps it. */
static int extAvailable(Alloc a)
{
  int status;
  pid_t pid;
  fflush(stdout);
  pid = fork();
  if (pid < 0)
    return 0;
  if (pid == 0)
    _exit(extLoad(a) ? 0 : 1);
  if (waitpid(pid, &status, 0) != pid)
    return 0;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* jemalloc uses initial-exec TLS, which dlopen can only place in the
 * static TLS surplus if glibc was told at start-up to leave room.  So if
 * jemalloc will not load, run this program again with the tunable set
 * (every allocator then runs in such a process, not only jemalloc). */
#define TLS_TUNABLE "glibc.rtld.optional_static_tls=65536"

static void reexecForTLS(char *argv[])
{
  const char *old = getenv("GLIBC_TUNABLES");
  char buf[1024];
  if (old != NULL && strstr(old, "optional_static_tls") != NULL)
    return;                     /* already tried */
  if (old != NULL && old[0] != '\0')
    snprintf(buf, sizeof buf, "%s:%s", old, TLS_TUNABLE);
  else
    snprintf(buf, sizeof buf, "%s", TLS_TUNABLE);
  setenv("GLIBC_TUNABLES", buf, 1);
  fflush(stdout);
  execv("/proc/self/exe", argv);  /* returns only if it failed */
}

static size_t extFootprint(void)
{
  if (current == A_JEMALLOC) {
    uint64_t epoch = 1;
    size_t mapped = 0, len = sizeof mapped;
    (void)jeMallctl("epoch", NULL, NULL, &epoch, sizeof epoch);
    if (jeMallctl("stats.mapped", &mapped, &len, NULL, 0) != 0)
      return 0;
    return mapped;
  } else {
    size_t el, ut, st, rss, prss, commit = 0, pcommit, faults;
    miInfo(&el, &ut, &st, &rss, &prss, &commit, &pcommit, &faults);
    return commit;
  }
}

static size_t footprint(void)
{
  if (current == A_MALLOC) {
    struct mallinfo2 mi = mallinfo2();
    return mi.arena + mi.hblkhd;
  }
  if (current == A_JEMALLOC || current == A_MIMALLOC)
    return extFootprint();
  return mps_arena_committed(arena);
}

static void sample(void)
{
  size_t fp = footprint(), old = __atomic_load_n(&peakFootprint, __ATOMIC_RELAXED);
  while (fp > old
         && !__atomic_compare_exchange_n(&peakFootprint, &old, fp, 1,
                                         __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
}

/* The replay */

typedef struct Slot {
  void *p;
  size_t size;
} Slot;

typedef struct Worker {
  pthread_t thread;
  int index;
  const Trace *trace;
  Slot *slots;
  mps_pool_t pool;
  mps_sac_t sac;
  mps_ap_t ap;
  double wall, cpu, sampleWall, sampleCpu;
  unsigned long errors;
} Worker;

static pthread_barrier_t barrier;

#define TAG(p, size) ((uintptr_t)(p) ^ ((uintptr_t)(size) * 0x9E3779B97F4A7C15ULL))

static inline void touch(void *p, size_t size)
{
  uintptr_t tag = TAG(p, size);
  ((uintptr_t *)p)[0] = tag;
  ((uintptr_t *)((char *)p + size))[-1] = tag;
}

static inline int intact(void *p, size_t size)
{
  uintptr_t tag = TAG(p, size);
  return ((uintptr_t *)p)[0] == tag
         && ((uintptr_t *)((char *)p + size))[-1] == tag;
}

/* The loop, instantiated once per allocator so that each allocator's fast
 * path is inline (or a direct call) exactly as a client would write it.
 * ALLOC sets p from size (failing with fail()); FREE frees p of size. */
#define REPLAY(w, ALLOC, FREE) \
  do { \
    const uint32_t *op_ = (w)->trace->ops, *end_ = op_ + (w)->trace->n; \
    Slot *slots_ = (w)->slots; \
    size_t live_ = 0; \
    for (; op_ < end_; ++op_) { \
      uint32_t o_ = *op_; \
      if (o_ & OP_FREE) { \
        size_t i_ = o_ & OP_MASK; \
        void *p = slots_[i_].p; \
        size_t size = slots_[i_].size; \
        if (!intact(p, size)) \
          ++(w)->errors; \
        FREE; \
        slots_[i_] = slots_[--live_]; \
      } else { \
        size_t size = o_ & OP_MASK; \
        void *p; \
        ALLOC; \
        touch(p, size); \
        slots_[live_].p = p; \
        slots_[live_].size = size; \
        ++live_; \
      } \
      if (o_ & OP_SAMPLE) { \
        double t0_ = now(CLOCK_MONOTONIC), c0_ = now(CLOCK_THREAD_CPUTIME_ID); \
        sample(); \
        (w)->sampleWall += now(CLOCK_MONOTONIC) - t0_; \
        (w)->sampleCpu += now(CLOCK_THREAD_CPUTIME_ID) - c0_; \
      } \
    } \
    if (live_ != 0) \
      ++(w)->errors; \
  } while (0)

static void __attribute__((noinline)) replay(Worker *w)
{
  mps_res_t res;
  switch (current) {
  case A_MALLOC:
    REPLAY(w, { p = malloc(size); if (p == NULL) fail("malloc failed"); },
           free(p));
    break;
  case A_JEMALLOC:
  case A_MIMALLOC:
    REPLAY(w, { p = extMalloc(size); if (p == NULL) fail("malloc failed"); },
           extFree(p));
    break;
  case A_MVFF:
  case A_MFS:
    REPLAY(w, {
        mps_addr_t a;
        res = mps_alloc(&a, w->pool, size);
        if (res != MPS_RES_OK) fail("mps_alloc failed");
        p = a;
      }, mps_free(w->pool, p, size));
    break;
  case A_SAC:
    REPLAY(w, {
        mps_addr_t a;
        MPS_SAC_ALLOC_FAST(res, a, w->sac, size, 0);
        if (res != MPS_RES_OK) fail("SAC alloc failed");
        p = a;
      }, MPS_SAC_FREE_FAST(w->sac, p, size));
    break;
  case A_MVT:
    REPLAY(w, {
        mps_addr_t a;
        do {
          res = mps_reserve(&a, w->ap, size);
          if (res != MPS_RES_OK) fail("mps_reserve failed");
        } while (!mps_commit(w->ap, a, size));
        p = a;
      }, mps_free(w->pool, p, size));
    break;
  default:
    fail("bad allocator");
  }
}

static void *workerMain(void *arg)
{
  Worker *w = arg;
  double t0, c0;
  pthread_barrier_wait(&barrier);
  t0 = now(CLOCK_MONOTONIC);
  c0 = now(CLOCK_THREAD_CPUTIME_ID);
  replay(w);
  w->cpu = now(CLOCK_THREAD_CPUTIME_ID) - c0 - w->sampleCpu;
  w->wall = now(CLOCK_MONOTONIC) - t0 - w->sampleWall;
  return NULL;
}

/* SAC classes */

#define SAC_CLASSES_TRIED 15     /* the most any -c set has */

static size_t sacClasses(mps_sac_class_s *cls, const Trace *t)
{
  static const size_t small[] = {16, 24, 32, 48, 64, 128, 192, 256};
  static const size_t geo[] = {32, 64, 128, 256, 512, 1024, 2048, 4096};
  /* 8 B to 4 KiB in 15 classes, about 1.56x apart (8 * 1.561^k rounded
   * up to 8): more than the 8 the contract promises (MPS_SAC_CLASS_LIMIT) */
  static const size_t fine[] = {8, 16, 24, 32, 48, 80, 120, 184, 288, 440, 688,
                                1072, 1680, 2616, 4096};
  const size_t *sizes = small;
  size_t i, n = 8;
  if (strcmp(t->name, "fixed") == 0) {
    cls[0].mps_block_size = optFixed;
    cls[0].mps_cached_count = 256;
    cls[0].mps_frequency = 1;
    return 1;
  }
  if (strcmp(optClasses, "geo") == 0) {
    sizes = geo;
  } else if (strcmp(optClasses, "fine") == 0) {
    sizes = fine;
    n = sizeof fine / sizeof fine[0];
  } else if (strcmp(optClasses, "small") != 0) {
    fail("-c takes small, geo or fine");
  }
  for (i = 0; i < n; ++i) {
    cls[i].mps_block_size = sizes[i];
    /* about 16 KiB of cache per class, at least 8 blocks */
    cls[i].mps_cached_count = sizes[i] <= 2048 ? 16384 / sizes[i] : 8;
    cls[i].mps_frequency = 1;
  }
  return n;
}

/* One run of one allocator on one trace, in the current (child) process. */

typedef struct Result {
  double wall, cpu;
  size_t peak, rss;
  unsigned long errors;
  int ok;
} Result;

static mps_pool_t makePool(const Trace *t)
{
  mps_pool_t pool = NULL;
  mps_res_t res = MPS_RES_FAIL;
  switch (current) {
  case A_MFS:
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_MFS_UNIT_SIZE, optFixed);
      res = mps_pool_create_k(&pool, arena, mps_class_mfs(), args);
    } MPS_ARGS_END(args);
    break;
  case A_MVFF:
  case A_SAC:
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, (size_t)t->meanSize);
      res = mps_pool_create_k(&pool, arena, mps_class_mvff(), args);
    } MPS_ARGS_END(args);
    break;
  case A_MVT:
    MPS_ARGS_BEGIN(args) {
      MPS_ARGS_ADD(args, MPS_KEY_MIN_SIZE, (size_t)MIN_SIZE);
      MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, (size_t)t->meanSize & ~(size_t)7);
      MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, (size_t)MAX_SIZE);
      res = mps_pool_create_k(&pool, arena, mps_class_mvt(), args);
    } MPS_ARGS_END(args);
    break;
  default:
    fail("makePool");
  }
  if (res != MPS_RES_OK)
    fail("pool creation failed");
  return pool;
}

static void runOne(const Trace *t, Alloc a, Result *r)
{
  Worker *ws = calloc((size_t)optThreads, sizeof *ws);
  mps_pool_t shared = NULL;
  int i;
  long rss0, rss1;
  current = a;
  memset(r, 0, sizeof *r);
  if ((a == A_JEMALLOC || a == A_MIMALLOC) && !extLoad(a))
    fail("cannot load the library");
  if (a != A_MALLOC && a != A_JEMALLOC && a != A_MIMALLOC) {
    if (mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none) != MPS_RES_OK)
      fail("arena creation failed");
    if (optShared)
      shared = makePool(t);
  }
  for (i = 0; i < optThreads; ++i) {
    Worker *w = &ws[i];
    w->index = i;
    w->trace = t;
    w->slots = bigAlloc(t->maxLive * sizeof *w->slots);
    memset(w->slots, 0, t->maxLive * sizeof *w->slots);      /* fault in now */
    if (a != A_MALLOC && a != A_JEMALLOC && a != A_MIMALLOC)
      w->pool = shared != NULL ? shared : makePool(t);
    if (a == A_SAC) {
      mps_sac_class_s cls[SAC_CLASSES_TRIED];
      size_t n = sacClasses(cls, t);
      mps_res_t res = mps_sac_create(&w->sac, w->pool, n, cls);
      if (res == MPS_RES_LIMIT)
        fail("mps_sac_create: MPS_RES_LIMIT (more classes than this Tarn takes)");
      if (res != MPS_RES_OK)
        fail("mps_sac_create failed");
    }
    if (a == A_MVT && mps_ap_create_k(&w->ap, w->pool, mps_args_none) != MPS_RES_OK)
      fail("mps_ap_create_k failed");
  }
  pthread_barrier_init(&barrier, NULL, (unsigned)optThreads);
  footprintBase = footprint();
  peakFootprint = footprintBase;
  resetPeakRSS();
  rss0 = statusKiB("VmRSS");
  for (i = 1; i < optThreads; ++i)
    if (pthread_create(&ws[i].thread, NULL, workerMain, &ws[i]) != 0)
      fail("pthread_create failed");
  workerMain(&ws[0]);
  for (i = 1; i < optThreads; ++i)
    pthread_join(ws[i].thread, NULL);
  rss1 = statusKiB("VmHWM");
  sample();
  r->peak = peakFootprint - footprintBase;
  r->rss = rss0 >= 0 && rss1 >= rss0 ? (size_t)(rss1 - rss0) * 1024 : 0;
  for (i = 0; i < optThreads; ++i) {
    Worker *w = &ws[i];
    if (w->wall > r->wall)
      r->wall = w->wall;
    r->cpu += w->cpu;
    r->errors += w->errors;
  }
  r->ok = r->errors == 0;
  if (a != A_MALLOC && a != A_JEMALLOC && a != A_MIMALLOC) {
    for (i = 0; i < optThreads; ++i) {
      if (ws[i].sac != NULL)
        mps_sac_destroy(ws[i].sac);
      if (ws[i].ap != NULL)
        mps_ap_destroy(ws[i].ap);
      if (shared == NULL)
        mps_pool_destroy(ws[i].pool);
    }
    if (shared != NULL)
      mps_pool_destroy(shared);
    mps_arena_destroy(arena);
  }
}

/* Run in a child; the result comes back through a pipe. */
static void runChild(const Trace *t, Alloc a, Result *r)
{
  int fd[2];
  pid_t pid;
  ssize_t got;
  int status;
  fflush(stdout);
  if (pipe(fd) != 0)
    fail("pipe failed");
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    Result res;
    close(fd[0]);
    runOne(t, a, &res);
    if (write(fd[1], &res, sizeof res) != (ssize_t)sizeof res)
      _exit(3);
    _exit(0);
  }
  close(fd[1]);
  got = read(fd[0], r, sizeof *r);
  close(fd[0]);
  waitpid(pid, &status, 0);
  if (got != (ssize_t)sizeof *r || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    memset(r, 0, sizeof *r);
    fprintf(stderr, "manualbench: %s on %s trace: child failed (status 0x%x)\n",
            allocName[a], t->name, status);
  }
}

static int cmpDouble(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
  qsort(v, (size_t)n, sizeof *v, cmpDouble);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void runTrace(const Trace *t, const Alloc *allocs, int nAllocs)
{
  if (optInProcess) {           /* for profilers: one run each, no fork */
    int k;
    for (k = 0; k < nAllocs; ++k) {
      Result r;
      runOne(t, allocs[k], &r);
      printf("%s trace, %s: wall %.1f ms cpu %.1f ms peak %.0f KiB rss %.0f KiB "
             "ops %lu%s\n", t->name, allocName[allocs[k]], r.wall * 1e3, r.cpu * 1e3,
             r.peak / 1024.0, r.rss / 1024.0, (unsigned long)t->n,
             r.ok ? "" : " FAILED");
    }
    return;
  }
  {
  double (*wall)[64] = calloc(A_LIMIT, sizeof *wall);
  double (*cpu)[64] = calloc(A_LIMIT, sizeof *cpu);
  double (*peak)[64] = calloc(A_LIMIT, sizeof *peak);
  double (*rss)[64] = calloc(A_LIMIT, sizeof *rss);
  double mw[A_LIMIT], mc[A_LIMIT], mp[A_LIMIT], mr[A_LIMIT];
  int bad[A_LIMIT] = {0};
  int rep, k;

  printf("\n%s trace: N=%lu cycles=%d ops=%lu threads=%d%s mean size %.0f B, "
         "peak live %.0f KiB%s\n",
         t->name, (unsigned long)t->maxLive, optCycles, (unsigned long)t->n,
         optThreads, optShared ? " (shared pool)" : "", t->meanSize,
         (double)t->peakLiveBytes * optThreads / 1024.0,
         strcmp(t->name, "fixed") == 0 ? "" : "");
  /* Interleave the allocators within each repetition, so that drift in
   * the machine's load affects them alike. */
  for (rep = 0; rep < optReps; ++rep)
    for (k = 0; k < nAllocs; ++k) {
      Result r;
      Alloc a = allocs[k];
      runChild(t, a, &r);
      if (!r.ok)
        bad[a] = 1;
      wall[a][rep] = r.wall * 1e3;
      cpu[a][rep] = r.cpu * 1e3;
      peak[a][rep] = (double)r.peak / 1024.0;
      rss[a][rep] = (double)r.rss / 1024.0;
    }
  for (k = 0; k < nAllocs; ++k) {
    Alloc a = allocs[k];
    mw[a] = median(wall[a], optReps);
    mc[a] = median(cpu[a], optReps);
    mp[a] = median(peak[a], optReps);
    mr[a] = median(rss[a], optReps);
  }
  printf("%-8s %9s %9s %10s %10s %8s %8s %8s %8s %6s\n", "alloc", "wall ms",
         "cpu ms", "peak KiB", "rss KiB", "wall/m", "cpu/m", "peak/m", "rss/m",
         "ns/op");
  for (k = 0; k < nAllocs; ++k) {
    Alloc a = allocs[k];
    if (bad[a]) {
      printf("%-8s FAILED (a run crashed or a block was corrupted)\n", allocName[a]);
      continue;
    }
    printf("%-8s %9.1f %9.1f %10.0f %10.0f %8.2f %8.2f %8.2f %8.2f %6.1f\n",
           allocName[a], mw[a], mc[a], mp[a], mr[a],
           optAllocs[A_MALLOC] ? mw[a] / mw[A_MALLOC] : 0.0,
           optAllocs[A_MALLOC] ? mc[a] / mc[A_MALLOC] : 0.0,
           optAllocs[A_MALLOC] ? mp[a] / mp[A_MALLOC] : 0.0,
           optAllocs[A_MALLOC] ? mr[a] / mr[A_MALLOC] : 0.0,
           mc[a] * 1e6 / (double)t->n / optThreads);
  }
  fflush(stdout);
  free(wall); free(cpu); free(peak); free(rss);
  }
}

static void usage(void)
{
  fprintf(stderr,
          "usage: manualbench [-n maxlive] [-C cycles] [-s seed] [-r reps]\n"
          "       [-t threads] [-S] [-F fixedsize] [-c small|geo|fine]\n"
          "       [-T var|fixed|both] [-a malloc,mvff,sac,mvt,mfs,jemalloc,mimalloc]\n"
          "       [-1]\n"
          "  -1: run each allocator once in this process (for profilers)\n");
  exit(2);
}

int main(int argc, char *argv[])
{
  int c;
  Trace var, fixed;
  while ((c = getopt(argc, argv, "n:C:s:r:t:SF:c:T:a:1h")) != -1) {
    switch (c) {
    case 'n': optN = strtoul(optarg, NULL, 0); break;
    case 'C': optCycles = atoi(optarg); break;
    case 's': optSeed = strtoul(optarg, NULL, 0); break;
    case 'r': optReps = atoi(optarg); break;
    case 't': optThreads = atoi(optarg); break;
    case 'S': optShared = 1; break;
    case '1': optInProcess = 1; break;
    case 'F': optFixed = strtoul(optarg, NULL, 0); break;
    case 'c': optClasses = optarg; break;
    case 'T':
      optTraces = strcmp(optarg, "var") == 0 ? 1 : strcmp(optarg, "fixed") == 0 ? 2 : 3;
      break;
    case 'a': {
      char *s = strdup(optarg), *tok, *save = NULL;
      int a;
      memset(optAllocs, 0, sizeof optAllocs);
      for (tok = strtok_r(s, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        for (a = 0; a < A_LIMIT; ++a)
          if (strcmp(tok, allocName[a]) == 0)
            optAllocs[a] = 1;
      }
      free(s);
      break;
    }
    default: usage();
    }
  }
  if (optN < 8 || optN > OP_MASK || optReps < 1 || optReps > 64 || optThreads < 1
      || optFixed < 8 || optFixed % 8 != 0 || optFixed > MAX_SIZE)
    usage();
  if (optAllocs[A_JEMALLOC] && !optInProcess && !extAvailable(A_JEMALLOC))
    reexecForTLS(argv);
  printf("manualbench: variety %s, seed %lu, reps %d (medians), SAC classes %s\n",
#if defined(CONFIG_VAR_RASH)
         "rash",
#elif defined(CONFIG_VAR_COOL)
         "cool",
#else
         "hot",
#endif
         optSeed, optReps, optClasses);
  for (c = A_JEMALLOC; c <= A_MIMALLOC; ++c)
    if (optAllocs[c] && !extAvailable((Alloc)c)) {
      printf("%s: %s cannot be loaded (not installed?): skipped%s\n",
             allocName[c], extLib((Alloc)c),
             c == A_JEMALLOC && optInProcess
             ? " (with -1, set GLIBC_TUNABLES=" TLS_TUNABLE ")" : "");
      optAllocs[c] = 0;
    }
  if (optTraces & 1) {
    static const Alloc list[] = {A_MALLOC, A_JEMALLOC, A_MIMALLOC, A_MVFF,
                                 A_SAC, A_MVT};
    Alloc use[6];
    int n = 0, k;
    for (k = 0; k < 6; ++k)
      if (optAllocs[list[k]])
        use[n++] = list[k];
    traceMake(&var, "var", optN, optCycles, 0, optSeed);
    runTrace(&var, use, n);
  }
  if (optTraces & 2) {
    static const Alloc list[] = {A_MALLOC, A_JEMALLOC, A_MIMALLOC, A_MFS,
                                 A_MVFF, A_SAC};
    Alloc use[6];
    int n = 0, k;
    for (k = 0; k < 6; ++k)
      if (optAllocs[list[k]])
        use[n++] = list[k];
    traceMake(&fixed, "fixed", optN, optCycles, optFixed, optSeed);
    runTrace(&fixed, use, n);
  }
  return 0;
}

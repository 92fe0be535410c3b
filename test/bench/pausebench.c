/* pausebench.c: collection pauses with and without incremental collection,
 * and what the barriers cost
 *
 * The workload is the binary-trees workload of treebench.c (written again
 * here, smaller): build and drop a stretch tree of depth D+1; build a
 * long-lived tree of depth L top-down and a long-lived array of A words,
 * kept in a table root; then for d = 4, 6, ..., D build I * 2^(D-d) trees
 * of depth d top-down and as many bottom-up, each checked and dropped;
 * check the long-lived tree and array after each depth.  With -m M, each
 * short-lived tree is followed by M writes into the long-lived tree (a
 * random node gets a new data leaf: a write into an old object, so a
 * write-barrier hit if its segment is protected), which the checks see.
 *
 * Objects: Node {header, left, right, data} and Leaf {header, words...},
 * both 32 bytes for a tree leaf; header = type | size << 8.  Nodes in AMC,
 * leaves and the array in AMCZ, on the default chain unless -c KiB (a
 * two-generation chain, KiB and 4 x KiB).  The main thread is registered
 * and its stack is a root.
 *
 * Configurations (-p, comma-separated; default inc,stw):
 *   inc   pause time 1 ms (-P seconds to change): collections proceed in
 *         slices on the allocation slow path, with the read barrier
 *         between slices;
 *   stw   pause time infinite: each collection is done in one slice.
 * Both have the write barrier (Tarn turns barriers off only under
 * Valgrind, when TARN_VALGRIND_BARRIERS is not set: run the benchmark
 * under `valgrind --tool=none` with and without it to compare).
 *
 * Measured, each configuration in a fresh child process, -r times
 * (medians; configurations interleaved within each repetition):
 *   wall, cpu, sys   the workload's wall time, process CPU time (user +
 *                    system) and system time alone (getrusage): the
 *                    barriers' cost is mostly system time (mprotect calls,
 *                    fault delivery);
 *   gcs              collections (mps_collections);
 *   pauses           every pause, from the telemetry log: the time from
 *                    each PauseBegin to its PauseEnd event (trace
 *                    category on, MPS_TELEMETRY_FILENAME a temporary
 *                    file, decoded by tarn-events, -E to say where it is):
 *                    slices and read-barrier hits alike; count, median,
 *                    99th percentile, maximum;
 *   hits             write- and read-barrier hits (tarn_arena_stats);
 *   slow             CPU time in the allocation slow path (mps_ap_fill,
 *                    mps_ap_trip): the slices and the buffer refills.
 * Then a micro-benchmark of one barrier hit (-b N, default 20000; 0
 * skips it): N objects of 1 KiB in AMC are collected (so their segments
 * are write-protected), then one word of each is written twice over; the
 * first pass takes a fault on the first write into each segment, the
 * second none; the difference divided by the hits is the cost of a hit.
 *
 * Usage: pausebench [-d depth] [-l longdepth] [-i iters] [-a arraywords]
 *                   [-c gen0KiB] [-m writes] [-r reps] [-p inc,stw]
 *                   [-P pausetime] [-b hits] [-E tarn-events]
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "mps.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "tarn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORD sizeof(mps_word_t)

enum { T_NODE = 0x11, T_LEAF = 0x22, T_FWD = 0x33, T_PAD = 0x44 };
#define HDR(type, size) ((mps_word_t)(type) | ((mps_word_t)(size) << 8))
#define HTYPE(h) ((h) & 0xFF)
#define HSIZE(h) ((size_t)((h) >> 8))

typedef struct Leaf {
  mps_word_t hdr;
  mps_word_t v[3];
} Leaf;

typedef struct Node {
  mps_word_t hdr;
  struct Node *left, *right;
  Leaf *data;
} Node;

/* Options */
static int optDepth = 16, optLong = -1, optIters = 2, optReps = 3, optWrites = 0;
static size_t optArray = 500000, optGen0 = 0;
static double optPause = 0.001;
static long optHits = 20000;
static const char *optEvents = NULL;
static int optInc = 1, optStw = 1;

static void fail(const char *what)
{
  fprintf(stderr, "pausebench: %s\n", what);
  fflush(stderr);
  _exit(2);
}

/* The format (nodes scanned; leaves have no references) */

static mps_res_t pbScan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  mps_word_t *p = base;
  MPS_SCAN_BEGIN(ss) {
    while (p < (mps_word_t *)limit) {
      mps_word_t h = *p;
      if (HTYPE(h) == T_NODE) {
        Node *n = (Node *)p;
        mps_res_t res;
        res = MPS_FIX12(ss, (mps_addr_t *)&n->left);
        if (res != MPS_RES_OK)
          return res;
        res = MPS_FIX12(ss, (mps_addr_t *)&n->right);
        if (res != MPS_RES_OK)
          return res;
        res = MPS_FIX12(ss, (mps_addr_t *)&n->data);
        if (res != MPS_RES_OK)
          return res;
      }
      p = (mps_word_t *)((char *)p + HSIZE(h));
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static mps_addr_t pbSkip(mps_addr_t addr)
{
  return (char *)addr + HSIZE(*(mps_word_t *)addr);
}

static void pbFwd(mps_addr_t old, mps_addr_t new)
{
  mps_word_t *p = old;
  p[0] = HDR(T_FWD, HSIZE(p[0]));
  p[1] = (mps_word_t)new;
}

static mps_addr_t pbIsFwd(mps_addr_t addr)
{
  mps_word_t *p = addr;
  return HTYPE(p[0]) == T_FWD ? (mps_addr_t)p[1] : NULL;
}

static void pbPad(mps_addr_t addr, size_t size)
{
  *(mps_word_t *)addr = HDR(T_PAD, size);
}

/* Allocation, with the slow path timed */

static mps_arena_t arena;
static mps_ap_t nodeAP, leafAP;
static double slowCpu;

static double threadCpu(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wallNow(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static mps_res_t __attribute__((noinline)) pbFill(mps_addr_t *p, mps_ap_t ap, size_t size)
{
  double t0 = threadCpu();
  mps_res_t res = mps_ap_fill(p, ap, size);
  slowCpu += threadCpu() - t0;
  return res;
}

static mps_bool_t __attribute__((noinline)) pbTrip(mps_ap_t ap, mps_addr_t p, size_t size)
{
  double t0 = threadCpu();
  mps_bool_t ok = mps_ap_trip(ap, p, size);
  slowCpu += threadCpu() - t0;
  return ok;
}

static inline mps_res_t pbReserve(mps_addr_t *p, mps_ap_t ap, size_t size)
{
  mps_word_t next = (mps_word_t)ap->alloc + (mps_word_t)size;
  if (next > (mps_word_t)ap->alloc && next <= (mps_word_t)ap->limit) {
    ap->alloc = (mps_addr_t)next;
    *p = ap->init;
    return MPS_RES_OK;
  }
  return pbFill(p, ap, size);
}

#define pbCommit(ap, p, size) \
  (((volatile mps_ap_s *)(ap))->init = (ap)->alloc, \
   ((volatile mps_ap_s *)(ap))->limit != NULL || pbTrip(ap, p, size))

static Node *newNode(Node *l, Node *r, Leaf *d)
{
  mps_addr_t p;
  Node *n;
  do {
    if (pbReserve(&p, nodeAP, sizeof(Node)) != MPS_RES_OK)
      fail("mps_reserve failed");
    n = p;
    n->hdr = HDR(T_NODE, sizeof(Node));
    n->left = l;
    n->right = r;
    n->data = d;
  } while (!pbCommit(nodeAP, p, sizeof(Node)));
  return n;
}

static mps_word_t leafValue(mps_word_t v, size_t i)
{
  return (v + i) * 0x9E3779B97F4A7C15ULL ^ (mps_word_t)i;
}

static Leaf *newLeaf(mps_word_t v, size_t words)
{
  size_t size = (1 + words) * WORD, i;
  mps_addr_t p;
  Leaf *l;
  do {
    if (pbReserve(&p, leafAP, size) != MPS_RES_OK)
      fail("mps_reserve failed");
    l = p;
    l->hdr = HDR(T_LEAF, size);
    for (i = 0; i < words; ++i)
      l->v[i] = leafValue(v, i);
  } while (!pbCommit(leafAP, p, size));
  return l;
}

/* Trees: leaves numbered from *next, left to right */

static void populate(int depth, Node *n, mps_word_t *next)
{
  if (depth == 0) {
    n->data = newLeaf((*next)++, 3);
    return;
  }
  n->left = newNode(NULL, NULL, NULL);
  n->right = newNode(NULL, NULL, NULL);
  populate(depth - 1, n->left, next);
  populate(depth - 1, n->right, next);
}

static Node *topDown(int depth, mps_word_t *next)
{
  Node *n = newNode(NULL, NULL, NULL);
  populate(depth, n, next);
  return n;
}

static Node *bottomUp(int depth, mps_word_t *next)
{
  Node *l, *r;
  if (depth == 0)
    return newNode(NULL, NULL, newLeaf((*next)++, 3));
  l = bottomUp(depth - 1, next);
  r = bottomUp(depth - 1, next);
  return newNode(l, r, NULL);
}

static int leafOK(const Leaf *l, mps_word_t v, size_t words)
{
  size_t i;
  if (l == NULL || l->hdr != HDR(T_LEAF, (1 + words) * WORD))
    return 0;
  for (i = 0; i < words; ++i)
    if (l->v[i] != leafValue(v, i))
      return 0;
  return 1;
}

static long checkTree(const Node *n, int depth, mps_word_t *next)
{
  long l, r;
  if (n == NULL || n->hdr != HDR(T_NODE, sizeof(Node)))
    return -1;
  if (depth == 0) {
    if (n->left != NULL || n->right != NULL || !leafOK(n->data, (*next)++, 3))
      return -1;
    return 1;
  }
  if (n->data != NULL)
    return -1;
  l = checkTree(n->left, depth - 1, next);
  r = checkTree(n->right, depth - 1, next);
  return l < 0 || r < 0 ? -1 : l + r + 1;
}

static void mustBeTree(const Node *n, int depth, mps_word_t first)
{
  mps_word_t next = first;
  if (checkTree(n, depth, &next) != (2L << depth) - 1)
    fail("a tree is broken");
}

/* The workload */

static void *roots[2];                  /* the long-lived tree and array */
static unsigned long rnd = 88172645463325252UL;

static unsigned long pbRandom(void)
{
  rnd ^= rnd << 13;
  rnd ^= rnd >> 7;
  rnd ^= rnd << 17;
  return rnd;
}

/* A random leaf node of the long-lived tree gets a new data leaf with
 * the same value: a write into an old node. */
static void writeOld(int longDepth)
{
  Node *n = roots[0];
  unsigned long path = pbRandom();
  mps_word_t index = 0;
  Leaf *l;
  int i;
  for (i = 0; i < longDepth; ++i) {
    int right = (int)((path >> i) & 1);
    index = index * 2 + (mps_word_t)right;
    n = right ? n->right : n->left;
  }
  l = newLeaf(1000000000 + index, 3);
  n = roots[0];                         /* again: the allocation may move nodes */
  for (i = 0; i < longDepth; ++i)
    n = (path >> i) & 1 ? n->right : n->left;
  n->data = l;
}

static void __attribute__((noinline)) workload(void)
{
  int longDepth = optLong >= 0 ? optLong : optDepth, d, k;
  mps_word_t next = 0;
  Node *t;

  t = bottomUp(optDepth + 1, &next);
  mustBeTree(t, optDepth + 1, 0);
  t = NULL;

  next = 1000000000;
  roots[0] = topDown(longDepth, &next);
  roots[1] = newLeaf(77, optArray);

  for (d = 4; d <= optDepth; d += 2) {
    long iters = (long)optIters << (optDepth - d), i;
    for (i = 0; i < iters; ++i) {
      next = (mps_word_t)i << 32;
      t = topDown(d, &next);
      mustBeTree(t, d, (mps_word_t)i << 32);
      next = (mps_word_t)i << 32;
      t = bottomUp(d, &next);
      mustBeTree(t, d, (mps_word_t)i << 32);
      t = NULL;
      for (k = 0; k < optWrites; ++k)
        writeOld(longDepth);
    }
    mustBeTree(roots[0], longDepth, 1000000000);
    if (!leafOK(roots[1], 77, optArray))
      fail("the long-lived array is broken");
  }
}

/* Results, sent from the child to the parent */

typedef struct Result {
  double wall, cpu, sys, slow;
  unsigned long gcs, hits, pauses;
  double p50, p99, max, total;
  int ok;
} Result;

static int cmpDouble(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double tv(struct timeval t)
{
  return (double)t.tv_sec + (double)t.tv_usec * 1e-6;
}

/* Pauses from the telemetry log: PauseBegin .. PauseEnd, in seconds. */
static void readPauses(const char *log, Result *r)
{
  char cmd[1024], line[512];
  FILE *f;
  double begin = -1.0, *p = NULL;
  size_t n = 0, cap = 0;
  if (access(log, F_OK) != 0) { /* no event was ever flushed: no pauses */
    r->pauses = 0;
    r->p50 = r->p99 = r->max = r->total = 0.0;
    return;
  }
  snprintf(cmd, sizeof cmd, "'%s' '%s'", optEvents, log);
  f = popen(cmd, "r");
  if (f == NULL)
    fail("cannot run tarn-events");
  while (fgets(line, sizeof line, f) != NULL) {
    double t;
    char name[64];
    if (sscanf(line, "%lf %63s", &t, name) != 2)
      continue;
    if (strcmp(name, "PauseBegin") == 0) {
      begin = t;
    } else if (strcmp(name, "PauseEnd") == 0 && begin >= 0.0) {
      if (n == cap) {
        cap = cap == 0 ? 1024 : cap * 2;
        p = realloc(p, cap * sizeof *p);
        if (p == NULL)
          fail("out of memory");
      }
      p[n++] = t - begin;
      begin = -1.0;
    }
  }
  if (pclose(f) != 0)
    fail("tarn-events failed (use -E to say where it is)");
  r->pauses = n;
  r->total = 0.0;
  if (n > 0) {
    size_t i;
    qsort(p, n, sizeof *p, cmpDouble);
    /* nearest rank: the smallest pause with at least k% of the pauses at
     * or below it (so p50 <= p99 <= max whatever n is) */
    r->p50 = p[(size_t)ceil((double)n * 0.50) - 1];
    r->p99 = p[(size_t)ceil((double)n * 0.99) - 1];
    r->max = p[n - 1];
    for (i = 0; i < n; ++i)
      r->total += p[i];
  }
  free(p);
}

static void runChild(int inc, int fd)
{
  Result r;
  mps_fmt_t fmt;
  mps_chain_t chain = NULL;
  mps_pool_t nodePool, leafPool;
  mps_root_t tableRoot, threadRoot;
  mps_thr_t thread;
  struct rusage ru0, ru1;
  tarn_stats_s st;
  char log[256];
  double w0;
  void *cold = &r;

  memset(&r, 0, sizeof r);
  snprintf(log, sizeof log, "/tmp/pausebench.%ld.log", (long)getpid());
  setenv("MPS_TELEMETRY_FILENAME", log, 1);
  mps_telemetry_set(1 << 2);            /* the trace category: pauses */

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_PAUSE_TIME, inc ? optPause : INFINITY);
    if (mps_arena_create_k(&arena, mps_arena_class_vm(), args) != MPS_RES_OK)
      fail("arena");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, WORD);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, pbScan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, pbSkip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_FWD, pbFwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ISFWD, pbIsFwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, pbPad);
    if (mps_fmt_create_k(&fmt, arena, args) != MPS_RES_OK)
      fail("format");
  } MPS_ARGS_END(args);
  if (optGen0 > 0) {
    mps_gen_param_s gens[2];
    gens[0].mps_capacity = optGen0;
    gens[0].mps_mortality = 0.8;
    gens[1].mps_capacity = 4 * optGen0;
    gens[1].mps_mortality = 0.4;
    if (mps_chain_create(&chain, arena, 2, gens) != MPS_RES_OK)
      fail("chain");
  }
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    if (chain != NULL)
      MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    if (mps_pool_create_k(&nodePool, arena, mps_class_amc(), args) != MPS_RES_OK)
      fail("AMC");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    if (chain != NULL)
      MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    if (mps_pool_create_k(&leafPool, arena, mps_class_amcz(), args) != MPS_RES_OK)
      fail("AMCZ");
  } MPS_ARGS_END(args);
  if (mps_ap_create_k(&nodeAP, nodePool, mps_args_none) != MPS_RES_OK
      || mps_ap_create_k(&leafAP, leafPool, mps_args_none) != MPS_RES_OK)
    fail("AP");
  if (mps_root_create_table(&tableRoot, arena, mps_rank_exact(), 0, roots, 2) != MPS_RES_OK
      || mps_thread_reg(&thread, arena) != MPS_RES_OK
      || mps_root_create_thread(&threadRoot, arena, thread, cold) != MPS_RES_OK)
    fail("roots");

  getrusage(RUSAGE_SELF, &ru0);
  w0 = wallNow();
  workload();
  r.wall = wallNow() - w0;
  getrusage(RUSAGE_SELF, &ru1);
  r.cpu = tv(ru1.ru_utime) - tv(ru0.ru_utime) + tv(ru1.ru_stime) - tv(ru0.ru_stime);
  r.sys = tv(ru1.ru_stime) - tv(ru0.ru_stime);
  r.slow = slowCpu;
  r.gcs = mps_collections(arena);
  tarn_arena_stats(arena, &st);
  r.hits = st.barrier_hits;

  mps_arena_park(arena);
  roots[0] = roots[1] = NULL;
  mps_root_destroy(threadRoot);
  mps_thread_dereg(thread);
  mps_root_destroy(tableRoot);
  mps_ap_destroy(leafAP);
  mps_ap_destroy(nodeAP);
  mps_pool_destroy(leafPool);
  mps_pool_destroy(nodePool);
  if (chain != NULL)
    mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);             /* flushes the log */
  readPauses(log, &r);
  unlink(log);
  r.ok = 1;
  if (write(fd, &r, sizeof r) != (ssize_t)sizeof r)
    fail("write");
  _exit(0);
}

static Result runOne(int inc)
{
  int fds[2], status;
  pid_t pid;
  Result r;
  if (pipe(fds) != 0)
    fail("pipe");
  fflush(stdout);
  pid = fork();
  if (pid < 0)
    fail("fork");
  if (pid == 0) {
    close(fds[0]);
    runChild(inc, fds[1]);
  }
  close(fds[1]);
  memset(&r, 0, sizeof r);
  if (read(fds[0], &r, sizeof r) != (ssize_t)sizeof r)
    r.ok = 0;
  close(fds[0]);
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    r.ok = 0;
  if (!r.ok)
    fail("a run failed");
  return r;
}

/* The median of field f over n results */
#define MEDIAN(res, n, f, out) do { \
    double v_[64]; int i_; \
    for (i_ = 0; i_ < (n); ++i_) v_[i_] = (double)(res)[i_].f; \
    qsort(v_, (size_t)(n), sizeof(double), cmpDouble); \
    (out) = v_[(n) / 2]; \
  } while (0)

static void report(const char *name, Result *res, int n)
{
  double wall, cpu, sys, slow, gcs, hits, pauses, p50, p99, max, total;
  MEDIAN(res, n, wall, wall);
  MEDIAN(res, n, cpu, cpu);
  MEDIAN(res, n, sys, sys);
  MEDIAN(res, n, slow, slow);
  MEDIAN(res, n, gcs, gcs);
  MEDIAN(res, n, hits, hits);
  MEDIAN(res, n, pauses, pauses);
  MEDIAN(res, n, p50, p50);
  MEDIAN(res, n, p99, p99);
  MEDIAN(res, n, max, max);
  MEDIAN(res, n, total, total);
  printf("| %-4s | %6.2f | %6.2f | %5.2f | %5.2f | %5.0f | %7.0f | %7.3f | %7.3f | %7.2f | %8.1f | %7.0f |\n",
         name, wall, cpu, sys, slow, gcs, pauses, p50 * 1e3, p99 * 1e3, max * 1e3,
         total * 1e3, hits);
}

/* One barrier hit, measured */

static void barrierBench(void)
{
  mps_fmt_t fmt;
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t root;
  void **objs;
  const size_t words = 128;             /* objects of 1 KiB */
  double t1, t2;
  tarn_stats_s st0, st1, st2;
  long i;
  int pass;

  objs = calloc((size_t)optHits, sizeof *objs);
  if (objs == NULL)
    fail("out of memory");
  if (mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none) != MPS_RES_OK)
    fail("arena");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, WORD);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, pbScan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, pbSkip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_FWD, pbFwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ISFWD, pbIsFwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, pbPad);
    if (mps_fmt_create_k(&fmt, arena, args) != MPS_RES_OK)
      fail("format");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    if (mps_pool_create_k(&pool, arena, mps_class_amc(), args) != MPS_RES_OK)
      fail("AMC");
  } MPS_ARGS_END(args);
  if (mps_ap_create_k(&ap, pool, mps_args_none) != MPS_RES_OK
      || mps_root_create_table(&root, arena, mps_rank_exact(), 0, objs, (size_t)optHits)
         != MPS_RES_OK)
    fail("AP, root");
  mps_arena_park(arena);
  for (i = 0; i < optHits; ++i) {
    /* a Leaf-shaped object of the node format: no references, 1 KiB */
    mps_addr_t p;
    size_t size = words * WORD;
    do {
      if (mps_reserve(&p, ap, size) != MPS_RES_OK)
        fail("reserve");
      *(mps_word_t *)p = HDR(T_LEAF, size);
    } while (!mps_commit(ap, p, size));
    objs[i] = p;
  }
  if (mps_arena_collect(arena) != MPS_RES_OK)   /* copied, scanned, protected */
    fail("collect");
  tarn_arena_stats(arena, &st0);
  t1 = t2 = 0.0;
  for (pass = 0; pass < 2; ++pass) {
    double w = wallNow();
    for (i = 0; i < optHits; ++i)
      ((volatile mps_word_t *)objs[i])[1] = (mps_word_t)i;
    w = wallNow() - w;
    if (pass == 0) {
      t1 = w;
      tarn_arena_stats(arena, &st1);
    } else {
      t2 = w;
      tarn_arena_stats(arena, &st2);
    }
  }
  printf("barrier micro-benchmark: %ld writes into %lu write-protected segments "
         "(%.1f MB): first pass %.2f ms (%lu hits), second %.2f ms (%lu hits): "
         "%.2f us per hit\n", optHits, (unsigned long)(st1.barrier_hits - st0.barrier_hits),
         (double)optHits * (double)words * (double)WORD / 1e6, t1 * 1e3,
         (unsigned long)(st1.barrier_hits - st0.barrier_hits), t2 * 1e3,
         (unsigned long)(st2.barrier_hits - st1.barrier_hits),
         st1.barrier_hits > st0.barrier_hits
         ? (t1 - t2) * 1e6 / (double)(st1.barrier_hits - st0.barrier_hits) : 0.0);
  mps_arena_release(arena);
  mps_arena_park(arena);
  mps_root_destroy(root);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  free(objs);
}

int main(int argc, char *argv[])
{
  Result inc[64], stw[64];
  int c, rep;
  while ((c = getopt(argc, argv, "d:l:i:a:c:m:r:p:P:b:E:")) != -1) {
    switch (c) {
    case 'd': optDepth = atoi(optarg); break;
    case 'l': optLong = atoi(optarg); break;
    case 'i': optIters = atoi(optarg); break;
    case 'a': optArray = (size_t)atol(optarg); break;
    case 'c': optGen0 = (size_t)atol(optarg); break;
    case 'm': optWrites = atoi(optarg); break;
    case 'r': optReps = atoi(optarg); break;
    case 'p':
      optInc = strstr(optarg, "inc") != NULL;
      optStw = strstr(optarg, "stw") != NULL;
      break;
    case 'P': optPause = atof(optarg); break;
    case 'b': optHits = atol(optarg); break;
    case 'E': optEvents = optarg; break;
    default:
      fprintf(stderr, "usage: pausebench [-d depth] [-l longdepth] [-i iters] "
              "[-a arraywords] [-c gen0KiB] [-m writes] [-r reps] [-p inc,stw] "
              "[-P pausetime] [-b hits] [-E tarn-events]\n");
      return 2;
    }
  }
  if (optReps < 1 || optReps > 64 || optDepth < 4 || optDepth > 24)
    fail("bad options");
  if (optEvents == NULL)
    optEvents = getenv("TARN_EVENTS") != NULL ? getenv("TARN_EVENTS") : "./tarn-events";
  if (access(optEvents, X_OK) != 0)
    fail("tarn-events not found (build it with make, or give -E PATH)");

  printf("pausebench: depth %d, long-lived depth %d, iterations %d, array %lu words, "
         "%s, %d writes into the long-lived tree per tree, pause time %g s (inc), "
         "%d runs, medians\n",
         optDepth, optLong >= 0 ? optLong : optDepth, optIters, (unsigned long)optArray,
         optGen0 > 0 ? "chain of -c KiB" : "default chain (8 MiB, 36 MiB)", optWrites,
         optPause, optReps);
  for (rep = 0; rep < optReps; ++rep) {
    if (optInc)
      inc[rep] = runOne(1);
    if (optStw)
      stw[rep] = runOne(0);
  }
  printf("\n| conf | wall s | cpu s | sys s | slow s | gcs | pauses | p50 ms | p99 ms | "
         "max ms | total ms | hits |\n");
  printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  if (optInc)
    report("inc", inc, optReps);
  if (optStw)
    report("stw", stw, optReps);
  printf("\n");
  if (optHits > 0)
    barrierBench();
  return 0;
}

/* treebench.c: binary-tree GC benchmark, Tarn's collected pools vs Boehm
 *
 * The workload is in the spirit of the classic binary-trees / GCBench
 * programs (written afresh here):
 *   1. build and drop a "stretch" tree of depth D+1;
 *   2. build a long-lived tree of depth L (top-down) and a long-lived
 *      array of A data words; both stay alive (Tarn: through a table root)
 *      until the end;
 *   3. for d = 4, 6, ..., D: build I * 2^(D-d) trees of depth d top-down
 *      (allocate a node, then its children, then recurse) and as many
 *      bottom-up (children first, then the parent), dropping each tree
 *      as soon as it has been checked, so every depth allocates about
 *      the same number of nodes;
 *   4. check the long-lived tree and array after each depth and at the
 *      end.
 * Every tree is checked when it is complete: its node count must be
 * 2^(d+1) - 1 and every leaf's payload must hold the value it was given,
 * in order, so a collector that frees or overwrites live objects fails
 * instead of looking fast.
 *
 * Objects (the same layout in every configuration; Boehm could do without
 * the header word, but a language runtime would have a type word anyway):
 *   Node  {header, left, right, data}      32 bytes, 3 references
 *   Leaf  {header, v0, v1, v2}             32 bytes, no references; every
 *                                          leaf node (depth 0) has one
 *   the long-lived array is one Leaf of 1 + A words.
 * Header: type in the low 8 bits, size in bytes above them.  Forwarding
 * objects (AMC) keep the size and hold the new address in word 1; padding
 * objects are a header alone.
 *
 * Configurations (-p, comma-separated; default all of them):
 *   ams      nodes and leaves in one AMS pool (one exact AP)
 *   lo+ams   nodes in AMS, leaves and the array in an LO pool
 *   awl+lo   nodes in AWL (an AP of rank exact: AWL used as a plain
 *            non-moving pool, no weak references), leaves and the array
 *            in LO
 *   amc      nodes in AMC, leaves and the array in AMCZ
 *   imx      nodes in IMX, leaves and the array in IMXZ (mark-region,
 *            with a copying nursery; not in the default list)
 *   boehm    GC_MALLOC for nodes, GC_MALLOC_ATOMIC for leaves and the
 *            array (the Boehm equivalent of LO); Boehm's own heuristics.
 *            Compiled out with -DTREE_NO_BOEHM (for machines without
 *            libgc-dev); the ratio columns are then 0.
 * Adding a pool: a name in poolName[], a case in tarnSetup().
 *
 * Tarn's setup: a VM arena; the long-lived objects in an exact table
 * root; the main thread registered, its stack and registers an ambiguous
 * root (mps_root_create_thread).  Generations:
 *   default (no -c)  no MPS_KEY_CHAIN and no MPS_KEY_GEN: every pool uses
 *            the arena's default chain (8 MiB and 36 MiB, MPS 1.118's
 *            default), each in its class's default generation: AMC and
 *            AMCZ allocate in generation 0 (the 8 MiB nursery), AMS, AWL
 *            and LO in generation 1 (36 MiB: their default generation in
 *            Tarn, MSPoolInit's defaultGen in marksweep.c).  This is what a
 *            client gets without asking for anything.
 *   -c KiB   a chain of two generations made by the benchmark (KiB for the
 *            first, 4x that for the second; mortality 0.8 and 0.4), shared
 *            by the pools, every pool allocating in generation 0.
 * The collector runs when a generation's capacity is exceeded.
 *
 * Measurements (each configuration in a fresh child process, -r times,
 * medians printed; ratios are to Boehm):
 *   wall, cpu   time of the whole workload (steps 1-4), not setup;
 *   gcs         collections: mps_collections / GC_get_gc_no;
 *   slow ms     (Tarn) CPU time in the allocation slow path (mps_ap_fill,
 *               mps_ap_trip, timed around the calls): all collection work
 *               (it runs there, in this single-threaded program) plus the
 *               pools' buffer refills;
 *   (Tarn) from the gc and gc_start messages: mean bytes condemned
 *               and surviving per collection, the sum over collections of
 *               the time from gc_start to gc (the collection's duration:
 *               its pauses, and the mutator's time between slices if it
 *               was incremental); from tarn_arena_stats: the longest pause,
 *               bytes scanned by all collections, write-barrier hits.
 *               Boehm: GC_get_full_gc_total_time (GC_start_performance_
 *               measurement) for the time;
 *   peak        the collector's own footprint: the most
 *               mps_arena_committed has been (Tarn: tarn_arena_stats's
 *               peak_committed, which includes the moments inside
 *               collections) vs GC_get_heap_size sampled every 65536
 *               allocations and after every tree (Boehm), relative to the
 *               value before step 1;
 *   rss         peak resident set (VmHWM, reset before step 1) minus the
 *               resident set before step 1.
 *
 * Usage: treebench [-d maxdepth] [-l longdepth] [-i iters] [-a arraywords]
 *                  [-c gen0KiB] [-r reps] [-p pools] [-s seed] [-w workers]
 *                  [-P pausetime] [-1]
 * -c 0 (the default) is the arena's default chain.  -1 runs the first
 * selected configuration once, in this process (for profilers).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "mps.h"
#include "mpsavm.h"
#include "mpscams.h"
#include "mpsclo.h"
#include "mpscamc.h"
#include "mpscimx.h"
#include "mpscawl.h"
#include "mpslib.h"
#include "tarn.h"

#ifndef TREE_NO_BOEHM
#define GC_THREADS 1            /* for GC_get_parallel; no threads are made */
#include <gc.h>
#else                           /* never called: boehm cannot be selected */
#define GC_MALLOC(n) ((void)(n), (void *)NULL)
#define GC_MALLOC_ATOMIC(n) ((void)(n), (void *)NULL)
#define GC_INIT() ((void)0)
#define GC_start_performance_measurement() ((void)0)
#define GC_get_gc_no() 0
#define GC_get_heap_size() ((size_t)0)
#define GC_get_full_gc_total_time() 0
#define GC_get_parallel() 0
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
  mps_word_t v[3];              /* or more, for the long-lived array */
} Leaf;

typedef struct Node {
  mps_word_t hdr;
  struct Node *left, *right;
  Leaf *data;
} Node;

typedef enum { P_AMS, P_LOAMS, P_AWLLO, P_AMC, P_IMX, P_BOEHM, P_LIMIT } PoolKind;
static const char *poolName[P_LIMIT] = {"ams", "lo+ams", "awl+lo", "amc", "imx", "boehm"};

/* Options */
static int optDepth = 16, optLong = -1, optIters = 2, optReps = 5;
static size_t optArray = 500000, optGen0 = 0;   /* 0: the default chain */
static unsigned long optSeed = 1;
/* -w: MPS_KEY_TARN_WORKERS (0: the default); -P: MPS_KEY_PAUSE_TIME in
 * seconds (negative: the default).  A pause time of 1e9 makes every
 * collection one slice that runs to the end, the kind that traces in
 * parallel (code/parallel.h). */
static size_t optWorkers = 0;
static double optPause = -1.0;
static int optPools[P_LIMIT] = {1, 1, 1, 1, 0, 1};
#ifdef TREE_NO_BOEHM
static const int haveBoehm = 0;
#else
static const int haveBoehm = 1;
#endif

static void fail(const char *what)
{
  fprintf(stderr, "treebench: %s\n", what);
  fflush(stderr);
  _exit(2);
}

/* The format */

unsigned long treeScannedRefs = 0;      /* references MPS_FIX1 tested */
unsigned long treeFix2Calls = 0;        /* of which passed to MPS_FIX2 */

/* With parallel tracing several collector threads scan at once, often an
 * object per call: adding to the shared counters on every call would
 * bounce their cache line between the cores and measure that instead of
 * the collector.  Each thread adds up in counters of its own and passes
 * them on every TREE_COUNT_FLUSH references (so a worker's last few
 * thousand go uncounted); treeCountFlush passes on the calling thread's. */
#define TREE_COUNT_FLUSH 65536
static __thread unsigned long treeLocalRefs, treeLocalFix2;

static void treeCountFlush(void)
{
  (void)__atomic_fetch_add(&treeScannedRefs, treeLocalRefs, __ATOMIC_RELAXED);
  (void)__atomic_fetch_add(&treeFix2Calls, treeLocalFix2, __ATOMIC_RELAXED);
  treeLocalRefs = treeLocalFix2 = 0;
}

static void treeCount(unsigned long refs, unsigned long fix2)
{
  treeLocalRefs += refs;
  treeLocalFix2 += fix2;
  if (treeLocalRefs >= TREE_COUNT_FLUSH)
    treeCountFlush();
}

mps_res_t treeScan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  mps_word_t *p = base;
  unsigned long refs = 0, fix2 = 0;
  MPS_SCAN_BEGIN(ss) {
    while (p < (mps_word_t *)limit) {
      mps_word_t h = *p;
      if (HTYPE(h) == T_NODE) {
        Node *n = (Node *)p;
        mps_addr_t *r = (mps_addr_t *)&n->left;
        int i;
        for (i = 0; i < 3; ++i) {
          if (MPS_FIX1(ss, r[i])) {
            mps_res_t res = MPS_FIX2(ss, &r[i]);
            ++fix2;
            if (res != MPS_RES_OK) {
              treeCount(refs, fix2);
              return res;
            }
          }
        }
        refs += 3;
      }
      p = (mps_word_t *)((char *)p + HSIZE(h));
    }
  } MPS_SCAN_END(ss);
  treeCount(refs, fix2);
  return MPS_RES_OK;
}

static mps_addr_t treeSkip(mps_addr_t addr)
{
  return (char *)addr + HSIZE(*(mps_word_t *)addr);
}

static void treeFwd(mps_addr_t old, mps_addr_t new)
{
  mps_word_t *p = old;
  p[0] = HDR(T_FWD, HSIZE(p[0]));
  p[1] = (mps_word_t)new;
}

static mps_addr_t treeIsFwd(mps_addr_t addr)
{
  mps_word_t *p = addr;
  return HTYPE(p[0]) == T_FWD ? (mps_addr_t)p[1] : NULL;
}

static void treePad(mps_addr_t addr, size_t size)
{
  *(mps_word_t *)addr = HDR(T_PAD, size);
}

/* Allocation */

static PoolKind kind;
static mps_arena_t arena;
static mps_ap_t nodeAP, leafAP;
static unsigned long allocCount = 0;
static size_t peakFootprint, footprintBase;

static size_t footprint(void)
{
  return kind == P_BOEHM ? GC_get_heap_size() : mps_arena_committed(arena);
}

/* Collections seen through the gc and gc_start messages (Tarn). */
static unsigned long msgGcs;
static double msgCondemned, msgLive, msgTime;
static mps_clock_t msgStart;

static void drainMessages(void)
{
  mps_message_type_t type;
  mps_message_t msg;
  while (mps_message_queue_type(&type, arena)) {
    if (!mps_message_get(&msg, arena, type))
      break;
    if (type == mps_message_type_gc_start()) {
      msgStart = mps_message_clock(arena, msg);
    } else if (type == mps_message_type_gc()) {
      ++msgGcs;
      msgCondemned += (double)mps_message_gc_condemned_size(arena, msg);
      msgLive += (double)mps_message_gc_live_size(arena, msg);
      msgTime += (double)(mps_message_clock(arena, msg) - msgStart)
                 / (double)mps_clocks_per_sec();
    }
    mps_message_discard(arena, msg);
  }
}

static void sample(void)
{
  size_t fp = footprint();
  if (fp > peakFootprint)
    peakFootprint = fp;
  if (kind != P_BOEHM)
    drainMessages();
}

/* The allocation slow path, timed.  tbReserve is mps_reserve (the same
 * test as the macro in mps.h) with the thread's CPU time taken around
 * mps_ap_fill, and tbCommit likewise around mps_ap_trip: Tarn collects
 * there (buffer refills and every slice of collection work), so slowCpu is
 * the collector's CPU time plus the pools' buffer refills. */
static double slowCpu;
static unsigned long slowCalls;

static double threadCpu(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static mps_res_t __attribute__((noinline)) tbFill(mps_addr_t *p, mps_ap_t ap, size_t size)
{
  double t0 = threadCpu();
  mps_res_t res = mps_ap_fill(p, ap, size);
  slowCpu += threadCpu() - t0;
  ++slowCalls;
  return res;
}

static mps_bool_t __attribute__((noinline)) tbTrip(mps_ap_t ap, mps_addr_t p, size_t size)
{
  double t0 = threadCpu();
  mps_bool_t ok = mps_ap_trip(ap, p, size);
  slowCpu += threadCpu() - t0;
  ++slowCalls;
  return ok;
}

static inline mps_res_t tbReserve(mps_addr_t *p, mps_ap_t ap, size_t size)
{
  mps_word_t next = (mps_word_t)ap->alloc + (mps_word_t)size;
  if (next > (mps_word_t)ap->alloc && next <= (mps_word_t)ap->limit) {
    ap->alloc = (mps_addr_t)next;
    *p = ap->init;
    return MPS_RES_OK;
  }
  return tbFill(p, ap, size);
}

#define tbCommit(ap, p, size) \
  (((volatile mps_ap_s *)(ap))->init = (ap)->alloc, \
   ((volatile mps_ap_s *)(ap))->limit != NULL || tbTrip(ap, p, size))

#define COUNT_ALLOC() \
  do { if ((++allocCount & 0x3FFF) == 0) sample(); } while (0)

static inline Node *newNode(Node *l, Node *r, Leaf *d)
{
  Node *n;
  COUNT_ALLOC();
  if (kind == P_BOEHM) {
    n = GC_MALLOC(sizeof(Node));
    if (n == NULL)
      fail("GC_MALLOC failed");
    n->hdr = HDR(T_NODE, sizeof(Node));
    n->left = l;
    n->right = r;
    n->data = d;
  } else {
    mps_addr_t p;
    do {
      if (tbReserve(&p, nodeAP, sizeof(Node)) != MPS_RES_OK)
        fail("mps_reserve failed");
      n = p;
      n->hdr = HDR(T_NODE, sizeof(Node));
      n->left = l;
      n->right = r;
      n->data = d;
    } while (!tbCommit(nodeAP, p, sizeof(Node)));
  }
  return n;
}

static inline mps_word_t leafValue(mps_word_t v, size_t i)
{
  return (v + i) * 0x9E3779B97F4A7C15ULL ^ (mps_word_t)i;
}

static Leaf *newLeaf(mps_word_t v, size_t words)
{
  size_t size = (1 + words) * WORD, i;
  Leaf *l;
  COUNT_ALLOC();
  if (kind == P_BOEHM) {
    l = GC_MALLOC_ATOMIC(size);
    if (l == NULL)
      fail("GC_MALLOC_ATOMIC failed");
    l->hdr = HDR(T_LEAF, size);
    for (i = 0; i < words; ++i)
      l->v[i] = leafValue(v, i);
  } else {
    mps_addr_t p;
    do {
      if (tbReserve(&p, leafAP, size) != MPS_RES_OK)
        fail("mps_reserve failed");
      l = p;
      l->hdr = HDR(T_LEAF, size);
      for (i = 0; i < words; ++i)
        l->v[i] = leafValue(v, i);
    } while (!tbCommit(leafAP, p, size));
  }
  return l;
}

/* Trees.  *next numbers the leaves from left to right. */

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

/* Count the nodes of a tree of depth `depth`, checking its shape and its
 * leaves (numbered from *next); -1 if anything is wrong. */
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
  long want = (2L << depth) - 1;
  if (checkTree(n, depth, &next) != want)
    fail("a tree is broken (wrong node count or corrupt leaf)");
}

/* The workload.  Long-lived objects are in `roots`, a table root. */

static void *roots[2];          /* [0] long-lived tree, [1] long-lived array */

static void __attribute__((noinline)) workload(void)
{
  int longDepth = optLong >= 0 ? optLong : optDepth, d;
  mps_word_t next;
  Node *t;

  next = 0;                                             /* 1 */
  t = bottomUp(optDepth + 1, &next);
  mustBeTree(t, optDepth + 1, 0);
  t = NULL;
  sample();

  next = 1000000000;                                     /* 2 */
  roots[0] = topDown(longDepth, &next);
  roots[1] = newLeaf(77, optArray);
  sample();

  for (d = 4; d <= optDepth; d += 2) {                  /* 3 */
    long iters = (long)optIters << (optDepth - d), i;
    for (i = 0; i < iters; ++i) {
      next = (mps_word_t)i << 32;
      t = topDown(d, &next);
      mustBeTree(t, d, (mps_word_t)i << 32);
      next = (mps_word_t)i << 32;
      t = bottomUp(d, &next);
      mustBeTree(t, d, (mps_word_t)i << 32);
      t = NULL;
    }
    sample();
    mustBeTree(roots[0], longDepth, 1000000000);        /* 4 */
    if (!leafOK(roots[1], 77, optArray))
      fail("the long-lived array is broken");
  }
  mustBeTree(roots[0], longDepth, 1000000000);
  if (!leafOK(roots[1], 77, optArray))
    fail("the long-lived array is broken");
}

/* Tarn setup */

static mps_fmt_t fmt;
static mps_chain_t chain;
static mps_pool_t nodePool, leafPool;
static mps_root_t tableRoot, threadRoot;
static mps_thr_t thread;

static mps_pool_t makePool(mps_pool_class_t klass, int gen)
{
  mps_pool_t pool;
  mps_res_t res;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    if (chain != NULL)
      MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    if (gen >= 0)
      MPS_ARGS_ADD(args, MPS_KEY_GEN, (unsigned)gen);
    res = mps_pool_create_k(&pool, arena, klass, args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    fail("pool creation failed");
  return pool;
}

static void tarnSetup(void *cold)
{
  mps_gen_param_s gens[2];
  mps_res_t res;
  MPS_ARGS_BEGIN(args) {
    if (optWorkers > 0)
      MPS_ARGS_ADD(args, MPS_KEY_TARN_WORKERS, optWorkers);
    if (optPause >= 0.0)
      MPS_ARGS_ADD(args, MPS_KEY_PAUSE_TIME, optPause);
    res = mps_arena_create_k(&arena, mps_arena_class_vm(), args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    fail("arena creation failed");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, WORD);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, treeScan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, treeSkip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_FWD, treeFwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ISFWD, treeIsFwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, treePad);
    res = mps_fmt_create_k(&fmt, arena, args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    fail("format creation failed");
  mps_message_type_enable(arena, mps_message_type_gc());
  mps_message_type_enable(arena, mps_message_type_gc_start());
  chain = NULL;
  if (optGen0 > 0) {
    gens[0].mps_capacity = optGen0;
    gens[0].mps_mortality = 0.8;
    gens[1].mps_capacity = optGen0 * 4;
    gens[1].mps_mortality = 0.4;
    if (mps_chain_create(&chain, arena, 2, gens) != MPS_RES_OK)
      fail("chain creation failed");
  }
  switch (kind) {
  case P_AMS:
    nodePool = leafPool = makePool(mps_class_ams(), chain != NULL ? 0 : -1);
    break;
  case P_LOAMS:
    nodePool = makePool(mps_class_ams(), chain != NULL ? 0 : -1);
    leafPool = makePool(mps_class_lo(), chain != NULL ? 0 : -1);
    break;
  case P_AWLLO:
    nodePool = makePool(mps_class_awl(), chain != NULL ? 0 : -1);
    leafPool = makePool(mps_class_lo(), chain != NULL ? 0 : -1);
    break;
  case P_AMC:
    nodePool = makePool(mps_class_amc(), -1);
    leafPool = makePool(mps_class_amcz(), -1);
    break;
  case P_IMX:
    nodePool = makePool(mps_class_imx(), -1);
    leafPool = makePool(mps_class_imxz(), -1);
    break;
  default:
    fail("tarnSetup");
  }
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_exact());
    res = mps_ap_create_k(&nodeAP, nodePool, args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    fail("AP creation failed");
  if (leafPool != nodePool) {
    if (mps_ap_create_k(&leafAP, leafPool, mps_args_none) != MPS_RES_OK)
      fail("AP creation failed");
  } else {
    leafAP = nodeAP;
  }
  if (mps_root_create_table(&tableRoot, arena, mps_rank_exact(), 0,
                            (mps_addr_t *)(void *)roots, 2) != MPS_RES_OK)
    fail("root creation failed");
  if (mps_thread_reg(&thread, arena) != MPS_RES_OK)
    fail("thread registration failed");
  if (mps_root_create_thread(&threadRoot, arena, thread, cold) != MPS_RES_OK)
    fail("thread root creation failed");
}

static void tarnTeardown(void)
{
  mps_arena_park(arena);
  roots[0] = roots[1] = NULL;
  mps_root_destroy(threadRoot);
  mps_thread_dereg(thread);
  mps_root_destroy(tableRoot);
  if (leafAP != nodeAP)
    mps_ap_destroy(leafAP);
  mps_ap_destroy(nodeAP);
  if (leafPool != nodePool)
    mps_pool_destroy(leafPool);
  mps_pool_destroy(nodePool);
  if (chain != NULL)
    mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

/* One run, in a child process */

typedef struct Result {
  double wall, cpu;
  unsigned long gcs;
  size_t peak, rss;
  unsigned long allocs, scannedRefs, fix2Calls;
  unsigned long msgGcs, barrierHits;
  double condemned, live, gcTime, maxPause, scanned;  /* bytes, seconds */
  double slowCpu;               /* seconds */
  double traceTime;             /* tarn_arena_trace_time, seconds */
  unsigned long parPhases;      /* tarn_arena_parallel_phases */
  int ok;
} Result;

static double now(clockid_t clk)
{
  struct timespec ts;
  clock_gettime(clk, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long statusKiB(const char *field)
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

static void __attribute__((noinline)) runOne(PoolKind k, Result *r)
{
  void *cold = &cold;           /* the cold end of the stack for Tarn */
  unsigned long gc0 = 0;
  double t0, c0;
  long rss0, rss1;
  kind = k;
  memset(r, 0, sizeof *r);
  if (k == P_BOEHM) {
    GC_INIT();
    GC_start_performance_measurement();
    gc0 = (unsigned long)GC_get_gc_no();
  } else {
    tarnSetup(cold);
    gc0 = mps_collections(arena);
  }
  footprintBase = peakFootprint = footprint();
  resetPeakRSS();
  rss0 = statusKiB("VmRSS");
  t0 = now(CLOCK_MONOTONIC);
  c0 = now(CLOCK_PROCESS_CPUTIME_ID);
  workload();
  r->cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
  r->wall = now(CLOCK_MONOTONIC) - t0;
  rss1 = statusKiB("VmHWM");
  sample();
  if (k != P_BOEHM) {
    /* The high-water mark is inside a collection (to-space and
     * from-space at once), where sampling cannot see it. */
    tarn_stats_s st;
    tarn_arena_stats(arena, &st);
    if (st.peak_committed > peakFootprint)
      peakFootprint = st.peak_committed;
  }
  r->peak = peakFootprint - footprintBase;
  r->rss = rss0 >= 0 && rss1 >= rss0 ? (size_t)(rss1 - rss0) * 1024 : 0;
  r->allocs = allocCount;
  treeCountFlush();
  r->scannedRefs = treeScannedRefs;
  r->fix2Calls = treeFix2Calls;
  if (k == P_BOEHM) {
    r->gcs = (unsigned long)GC_get_gc_no() - gc0;
    r->gcTime = (double)GC_get_full_gc_total_time() * 1e-3;
    r->msgGcs = r->gcs;
  } else {
    tarn_stats_s st;
    r->gcs = mps_collections(arena) - gc0;
    tarn_arena_stats(arena, &st);
    r->msgGcs = msgGcs;
    r->condemned = msgCondemned;
    r->live = msgLive;
    r->gcTime = msgTime;
    r->slowCpu = slowCpu;
    r->maxPause = st.max_pause;
    r->scanned = (double)st.total_scanned;
    r->barrierHits = st.barrier_hits;
    r->traceTime = tarn_arena_trace_time(arena);
    r->parPhases = (unsigned long)tarn_arena_parallel_phases(arena);
    tarnTeardown();
  }
  r->ok = 1;
}

static void runChild(PoolKind k, Result *r)
{
  int fd[2], status;
  pid_t pid;
  ssize_t got;
  fflush(stdout);
  if (pipe(fd) != 0)
    fail("pipe failed");
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    Result res;
    close(fd[0]);
    runOne(k, &res);
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
    fprintf(stderr, "treebench: %s: child failed (status 0x%x)\n", poolName[k], status);
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

static void usage(void)
{
  fprintf(stderr, "usage: treebench [-d maxdepth] [-l longdepth] [-i iters] "
          "[-a arraywords] [-c gen0KiB] [-r reps] "
          "[-p ams,lo+ams,awl+lo,amc,imx,boehm] [-w workers] [-P pause] [-s seed] [-1]\n");
  exit(2);
}

/* What each configuration's pools used, for the report. */
static void describeConfig(void)
{
  if (optGen0 == 0) {
    printf("generations: the arena's default chain (8192 KiB, 36864 KiB; no "
           "MPS_KEY_CHAIN, no MPS_KEY_GEN)\n"
           "  amc: AMC and AMCZ allocate in generation 0 (8 MiB nursery)\n"
           "  imx: IMX and IMXZ: nursery in generation 0, mature space in the top generation\n"
           "  ams, lo+ams, awl+lo: AMS, AWL and LO allocate in generation 1 "
           "(36 MiB), their default\n");
  } else {
    printf("generations: the benchmark's chain (%lu KiB, %lu KiB; mortality "
           "0.8, 0.4); every pool allocates in generation 0\n",
           (unsigned long)optGen0, (unsigned long)optGen0 * 4);
  }
  if (haveBoehm)
    printf("  boehm: its own policy (GC_get_parallel %d)\n", GC_get_parallel());
  else
    printf("  boehm: not built in (-DTREE_NO_BOEHM)\n");
}

static void printResult(const char *label, const Result *r)
{
  printf("%s: wall %.1f ms cpu %.1f ms gcs %lu peak %.0f KiB rss %.0f KiB "
         "allocs %lu scanned refs %lu fix2 calls %lu\n", label, r->wall * 1e3,
         r->cpu * 1e3, r->gcs, r->peak / 1024.0, r->rss / 1024.0, r->allocs,
         r->scannedRefs, r->fix2Calls);
  printf("%s: slow path cpu %.1f ms; gc time %.1f ms; per collection: condemned %.0f KiB, survived %.0f KiB; "
         "max pause %.2f ms; scanned %.0f KiB in all; barrier hits %lu\n", label,
         r->slowCpu * 1e3, r->gcTime * 1e3, r->msgGcs ? r->condemned / 1024.0 / (double)r->msgGcs : 0.0,
         r->msgGcs ? r->live / 1024.0 / (double)r->msgGcs : 0.0, r->maxPause * 1e3,
         r->scanned / 1024.0, r->barrierHits);
  printf("%s: trace time %.1f ms in all (%lu parallel phases)\n", label,
         r->traceTime * 1e3, r->parPhases);
}

int main(int argc, char *argv[])
{
  enum { M_WALL, M_CPU, M_GCS, M_PEAK, M_RSS, M_GCTIME, M_COND, M_LIVE,
         M_MAXPAUSE, M_SCANNED, M_HITS, M_SLOW, M_LIMIT };
  static double v[M_LIMIT][P_LIMIT][64];
  double m[M_LIMIT][P_LIMIT];
  int bad[P_LIMIT] = {0};
  unsigned long allocs = 0;
  int c, rep, k, i, inProcess = 0;
  while ((c = getopt(argc, argv, "d:l:i:a:c:r:p:s:w:P:1h")) != -1) {
    switch (c) {
    case 'd': optDepth = atoi(optarg); break;
    case 'l': optLong = atoi(optarg); break;
    case 'i': optIters = atoi(optarg); break;
    case 'a': optArray = strtoul(optarg, NULL, 0); break;
    case 'c': optGen0 = strtoul(optarg, NULL, 0); break;
    case 'r': optReps = atoi(optarg); break;
    case 's': optSeed = strtoul(optarg, NULL, 0); break;
    case 'w': optWorkers = strtoul(optarg, NULL, 0); break;
    case 'P': optPause = atof(optarg); break;
    case '1': inProcess = 1; break;
    case 'p': {
      char *s = strdup(optarg), *tok, *save = NULL;
      memset(optPools, 0, sizeof optPools);
      for (tok = strtok_r(s, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        for (k = 0; k < P_LIMIT; ++k)
          if (strcmp(tok, poolName[k]) == 0)
            break;
        if (k == P_LIMIT)
          usage();
        optPools[k] = 1;
      }
      free(s);
      break;
    }
    default: usage();
    }
  }
  if (!haveBoehm)
    optPools[P_BOEHM] = 0;
  if (optDepth < 4 || optDepth > 24 || optIters < 1 || optReps < 1 || optReps > 64
      || optArray < 3)
    usage();
  (void)optSeed;                /* the workload is deterministic */
  printf("treebench: variety %s, depth %d, long-lived depth %d, iters %d, "
         "array %lu words, %s, reps %d (medians)\n",
#if defined(CONFIG_VAR_RASH)
         "rash",
#elif defined(CONFIG_VAR_COOL)
         "cool",
#else
         "hot",
#endif
         optDepth, optLong >= 0 ? optLong : optDepth, optIters,
         (unsigned long)optArray, optGen0 == 0 ? "default chain" : "-c chain", optReps);
  describeConfig();

  if (inProcess) {              /* one run, no fork: for profilers */
    Result r;
    for (k = 0; k < P_LIMIT && !optPools[k]; ++k)
      ;
    if (k == P_LIMIT)
      usage();
    runOne((PoolKind)k, &r);
    printResult(poolName[k], &r);
    return 0;
  }

  for (rep = 0; rep < optReps; ++rep)
    for (k = 0; k < P_LIMIT; ++k) {
      Result r;
      if (!optPools[k])
        continue;
      runChild((PoolKind)k, &r);
      if (!r.ok)
        bad[k] = 1;
      allocs = r.allocs > allocs ? r.allocs : allocs;
      v[M_WALL][k][rep] = r.wall * 1e3;
      v[M_CPU][k][rep] = r.cpu * 1e3;
      v[M_GCS][k][rep] = (double)r.gcs;
      v[M_PEAK][k][rep] = (double)r.peak / 1024.0;
      v[M_RSS][k][rep] = (double)r.rss / 1024.0;
      v[M_GCTIME][k][rep] = r.gcTime * 1e3;
      v[M_COND][k][rep] = r.msgGcs ? r.condemned / 1024.0 / (double)r.msgGcs : 0.0;
      v[M_LIVE][k][rep] = r.msgGcs ? r.live / 1024.0 / (double)r.msgGcs : 0.0;
      v[M_MAXPAUSE][k][rep] = r.maxPause * 1e3;
      v[M_SCANNED][k][rep] = r.scanned / 1048576.0;
      v[M_HITS][k][rep] = (double)r.barrierHits;
      v[M_SLOW][k][rep] = r.slowCpu * 1e3;
    }
  for (k = 0; k < P_LIMIT; ++k)
    if (optPools[k])
      for (i = 0; i < M_LIMIT; ++i)
        m[i][k] = median(v[i][k], optReps);
  printf("objects allocated per run: %lu (32 bytes each, plus one array of %lu KiB)\n",
         allocs, (unsigned long)((optArray + 1) * WORD / 1024));
  printf("%-8s %9s %9s %6s %10s %10s %8s %8s %8s %8s\n", "pool", "wall ms",
         "cpu ms", "gcs", "peak KiB", "rss KiB", "wall/b", "cpu/b", "peak/b", "rss/b");
  for (k = 0; k < P_LIMIT; ++k) {
    int b = optPools[P_BOEHM] && !bad[P_BOEHM];
    if (!optPools[k])
      continue;
    if (bad[k]) {
      printf("%-8s FAILED (a run crashed or a tree was broken)\n", poolName[k]);
      continue;
    }
    printf("%-8s %9.1f %9.1f %6.0f %10.0f %10.0f %8.2f %8.2f %8.2f %8.2f\n",
           poolName[k], m[M_WALL][k], m[M_CPU][k], m[M_GCS][k], m[M_PEAK][k],
           m[M_RSS][k],
           b ? m[M_WALL][k] / m[M_WALL][P_BOEHM] : 0.0,
           b ? m[M_CPU][k] / m[M_CPU][P_BOEHM] : 0.0,
           b ? m[M_PEAK][k] / m[M_PEAK][P_BOEHM] : 0.0,
           b ? m[M_RSS][k] / m[M_RSS][P_BOEHM] : 0.0);
  }
  printf("collector detail (medians).  slow cpu: CPU ms in mps_ap_fill/mps_ap_trip "
         "(all collection work and buffer refills);\n  gc wall: sum of gc_start-to-gc "
         "message clocks (Boehm: GC_get_full_gc_total_time, ms resolution);\n"
         "  cond, live: KiB condemned and surviving per collection; max: longest pause; "
         "scanned: by all collections\n");
  printf("%-8s %9s %9s %9s %9s %8s %11s %9s\n", "pool", "slow cpu", "gc wall",
         "cond KiB", "live KiB", "max ms", "scanned MiB", "bar.hits");
  for (k = 0; k < P_LIMIT; ++k) {
    if (!optPools[k] || bad[k])
      continue;
    if (k == P_BOEHM)
      printf("%-8s %9s %9.0f %9s %9s %8s %11s %9s\n", poolName[k], "-",
             m[M_GCTIME][k], "-", "-", "-", "-", "-");
    else
      printf("%-8s %9.1f %9.1f %9.0f %9.0f %8.2f %11.1f %9.0f\n", poolName[k],
             m[M_SLOW][k], m[M_GCTIME][k], m[M_COND][k], m[M_LIVE][k],
             m[M_MAXPAUSE][k], m[M_SCANNED][k], m[M_HITS][k]);
  }
  return 0;
}

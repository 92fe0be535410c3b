/* nurserybench.c: does a nursery collection cost what survives it, or what
 * the heap holds?
 *
 * A generational collector should collect its nursery in time
 * proportional to the nursery's survivors (plus the roots and whatever old
 * memory the mutator has written since the last collection), not to the
 * size of the old generations: the write barrier tells it which old
 * segments may point into the nursery, and only those are scanned.  This
 * benchmark measures exactly that.
 *
 * Setup (each configuration in a fresh child process):
 *   - a VM arena, one AMC pool (nodes and vectors), the arena's default
 *     chain (8 MiB nursery, 36 MiB second generation) unless -n gives a
 *     nursery size (then a chain of -n KiB and 4x that);
 *   - OLD DATA: -o MB of long-lived 32-byte nodes {header, a, b, c}, all
 *     three words references, made in vectors of 1024 (8 KiB each), the
 *     vectors held by a directory vector, the directory by a one-word
 *     exact table root.  Every node's `a` points at a random node made
 *     before it, so a collector that scanned the old data would have
 *     references to follow.  After building, two full collections
 *     (mps_arena_collect) move everything into the oldest generation.
 *   - the main thread registered and its stack an ambiguous root.
 * Measured phase: allocate -t nursery-fuls of short-lived nodes, in groups
 * of 8 (node j's `a` is node j-1 of its group); the last node of every
 * group is stored in a ring of R slots (an exact table root, so storing
 * is no heap write), overwriting the group stored R groups earlier.  So at
 * any moment the last R groups (-s KiB, default 128 KiB: 1.6% of an 8 MiB
 * nursery) are alive and everything older is dead: the survivors of every
 * nursery collection are a fixed -s KiB.  The old data is not touched,
 * unless -w W: then W times per MiB allocated the mutator stores a
 * reference to a random old node into the `b` word of another random old
 * node (old-to-old, so the survivors do not change), and every segment
 * written since the last collection has to be scanned again by it.
 *
 * Measurements, per collection (read when its gc message arrives):
 *   cpu     CPU time of the allocation slow path calls (mps_ap_fill,
 *           mps_ap_trip, timed around the call) from the one in which its
 *           gc_start message arrived to the one in which its gc message
 *           did: the collection's work (in this single-threaded program it
 *           all runs there) plus a few buffer refills;
 *   wall    gc message clock - gc_start message clock;
 *   pause   tarn_arena_stats last_pause (the last slice; the whole
 *           collection when it ran in one slice, which nursery collections
 *           here do: "slices" counts those that did not);
 *   scanned tarn_arena_stats bytes_scanned and segs_scanned;
 *   cond, live  the gc message's condemned and live sizes.
 * A collection is a nursery collection if it condemned no more than twice
 * the nursery's capacity; the others (second generation, full) are counted
 * apart.  Means over the nursery collections of a run; medians of the
 * runs' means over -r runs.  Also: the measured phase's total CPU time,
 * and the write-barrier hits in it.
 *
 * Usage: nurserybench [-o MB,MB,...] [-w W,W,...] [-n nurseryKiB]
 *                     [-s survivorKiB] [-t nurseries] [-F fulls] [-A MiB]
 *                     [-r reps] [-1]
 *   defaults: -o 10,200 -w 0,64 -s 128 -t 100 -F 2 -r 5, the default chain
 *   and the default arena.
 *   -F: full collections after building the old data (0: let it be
 *       promoted by the collections that building causes).
 *   -A: MPS_KEY_ARENA_SIZE in MiB.  The VM arena's first chunk then covers
 *       that much address space, so the arena need not grow while the
 *       old data is built, and the zone stripe (chunk size / 64) is the
 *       same whatever -o is; with the default arena (256 MiB, 4 MiB
 *       stripes) 200 MB of old data makes the arena grow.
 *   -1: the first configuration once, in this process (for profilers),
 *       with a zone diagnosis at the end: the zones the old data lies in
 *       and refers to, against the white set of the last nursery
 *       collection's scans (from the mps_ss_s fields MPS_FIX1 reads).  An
 *       old segment is scanned by a nursery collection when its summary
 *       meets the white set, so if the old data's references share zones
 *       with the nursery, every old segment is scanned, barrier or not.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "mps.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpslib.h"
#include "tarn.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORD sizeof(mps_word_t)

/* Objects: header (type in the low 8 bits, size in bytes above), then
 * words.  T_REFS: every word after the header is a reference or NULL.
 * T_FWD: forwarding marker, new address in word 1.  T_PAD: padding. */
enum { T_REFS = 0x11, T_FWD = 0x33, T_PAD = 0x44 };
#define HDR(type, size) ((mps_word_t)(type) | ((mps_word_t)(size) << 8))
#define HTYPE(h) ((h) & 0xFF)
#define HSIZE(h) ((size_t)((h) >> 8))

typedef struct Obj {
  mps_word_t hdr;
  struct Obj *ref[1];           /* really (size - 1) words */
} Obj;

#define NODE_WORDS 3            /* a node: header + 3 references, 32 B */
#define VEC_LEN 1024            /* nodes per old vector */
#define GROUP 8                 /* young nodes per group */

/* Options */
#define MAX_CONFIGS 8
static double optOld[MAX_CONFIGS] = {10, 200};
static int nOld = 2;
static double optWrites[MAX_CONFIGS] = {0, 64};
static int nWrites = 2;
static size_t optNursery = 0;   /* KiB; 0: the default chain */
static size_t optSurvive = 128; /* KiB */
static int optNurseries = 100;
static int optReps = 5;
static int optFull = 2;         /* full collections after building */
static size_t optArena = 0;     /* MiB of address space at first; 0: default */

static void fail(const char *what)
{
  fprintf(stderr, "nurserybench: %s\n", what);
  fflush(stderr);
  _exit(2);
}

/* The format */

/* For the zone diagnosis (-1): the zone shift and the white zone set of
 * the last scan (the public fields of mps_ss_s that MPS_FIX1 uses). */
static mps_word_t lastZoneShift, lastWhite;

static mps_res_t objScan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  mps_word_t *p = base;
  lastZoneShift = ss->_zs;
  lastWhite = ss->_w;
  MPS_SCAN_BEGIN(ss) {
    while (p < (mps_word_t *)limit) {
      mps_word_t h = *p;
      size_t size = HSIZE(h);
      if (HTYPE(h) == T_REFS) {
        mps_addr_t *r = (mps_addr_t *)(p + 1), *end = (mps_addr_t *)((char *)p + size);
        for (; r < end; ++r)
          if (MPS_FIX1(ss, *r)) {
            mps_res_t res = MPS_FIX2(ss, r);
            if (res != MPS_RES_OK)
              return res;
          }
      }
      p = (mps_word_t *)((char *)p + size);
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static mps_addr_t objSkip(mps_addr_t addr)
{
  return (char *)addr + HSIZE(*(mps_word_t *)addr);
}

static void objFwd(mps_addr_t old, mps_addr_t new)
{
  mps_word_t *p = old;
  p[0] = HDR(T_FWD, HSIZE(p[0]));
  p[1] = (mps_word_t)new;
}

static mps_addr_t objIsFwd(mps_addr_t addr)
{
  mps_word_t *p = addr;
  return HTYPE(p[0]) == T_FWD ? (mps_addr_t)p[1] : NULL;
}

static void objPad(mps_addr_t addr, size_t size)
{
  *(mps_word_t *)addr = HDR(T_PAD, size);
}

/* Measurement state */

static mps_arena_t arena;
static mps_ap_t ap;
static int measuring;

typedef struct Stats {
  unsigned long gcs, nurseryGcs, otherGcs, multiSlice;
  double cpu, wall, pause, scanned, segs, condemned, live;   /* nursery sums */
  double otherCpu;
  double phaseCpu;
  unsigned long barrierHits;
} Stats;

static Stats st;
static int inGc;                /* a gc_start has arrived, its gc not yet */
static double gcCpu;            /* slow-path CPU of the collection in progress */
static int gcCalls;             /* slow-path calls it took */
static mps_clock_t gcStartClock;
static double nurseryCapacity;  /* bytes */

static double clockOf(clockid_t clk)
{
  struct timespec ts;
  clock_gettime(clk, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void noteGc(mps_message_t msg)
{
  tarn_stats_s ts;
  double cond = (double)mps_message_gc_condemned_size(arena, msg);
  double wall = (double)(mps_message_clock(arena, msg) - gcStartClock)
                / (double)mps_clocks_per_sec();
  tarn_arena_stats(arena, &ts);
  ++st.gcs;
  if (cond <= 2 * nurseryCapacity) {
    ++st.nurseryGcs;
    st.cpu += gcCpu;
    st.wall += wall;
    st.pause += ts.last_pause;
    st.scanned += (double)ts.bytes_scanned;
    st.segs += (double)ts.segs_scanned;
    st.condemned += cond;
    st.live += (double)mps_message_gc_live_size(arena, msg);
    if (gcCalls > 1)
      ++st.multiSlice;
  } else {
    ++st.otherGcs;
    st.otherCpu += gcCpu;
  }
}

/* After every slow-path call: attribute its CPU time to the collection
 * in progress, if any, and note the collections that ended. */
static void afterSlowCall(double cpu)
{
  mps_message_type_t type;
  mps_message_t msg;
  int counted = 0;
  if (inGc) {
    gcCpu += cpu;
    ++gcCalls;
    counted = 1;
  }
  while (mps_message_queue_type(&type, arena)) {
    if (!mps_message_get(&msg, arena, type))
      break;
    if (type == mps_message_type_gc_start()) {
      inGc = 1;
      gcStartClock = mps_message_clock(arena, msg);
      gcCpu = counted ? 0 : cpu;
      gcCalls = 1;
      counted = 1;
    } else if (type == mps_message_type_gc()) {
      if (measuring)
        noteGc(msg);
      inGc = 0;
    }
    mps_message_discard(arena, msg);
  }
}

static mps_res_t __attribute__((noinline)) slowFill(mps_addr_t *p, size_t size)
{
  double t0 = clockOf(CLOCK_THREAD_CPUTIME_ID);
  mps_res_t res = mps_ap_fill(p, ap, size);
  afterSlowCall(clockOf(CLOCK_THREAD_CPUTIME_ID) - t0);
  return res;
}

static mps_bool_t __attribute__((noinline)) slowTrip(mps_addr_t p, size_t size)
{
  double t0 = clockOf(CLOCK_THREAD_CPUTIME_ID);
  mps_bool_t ok = mps_ap_trip(ap, p, size);
  afterSlowCall(clockOf(CLOCK_THREAD_CPUTIME_ID) - t0);
  return ok;
}

/* A T_REFS object of n reference words, all set to `fill` (and the first
 * to `first`). */
static inline Obj *newObj(size_t n, Obj *first, Obj *fill)
{
  size_t size = (1 + n) * WORD, i;
  mps_addr_t p;
  Obj *o;
  do {
    mps_word_t next = (mps_word_t)ap->alloc + size;
    if (next > (mps_word_t)ap->alloc && next <= (mps_word_t)ap->limit) {
      ap->alloc = (mps_addr_t)next;
      p = ap->init;
    } else if (slowFill(&p, size) != MPS_RES_OK) {
      fail("mps_reserve failed");
    }
    o = p;
    o->hdr = HDR(T_REFS, size);
    o->ref[0] = first;
    for (i = 1; i < n; ++i)
      o->ref[i] = fill;
  } while (!(((volatile mps_ap_s *)ap)->init = ap->alloc,
             ((volatile mps_ap_s *)ap)->limit != NULL || slowTrip(p, size)));
  return o;
}

/* Random numbers (xorshift64*) */

static uint64_t rng = 88172645463325252ULL;
static inline uint64_t rnd(void)
{
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 2685821657736338717ULL;
}

/* The roots: the directory of old vectors, and the ring of young
 * survivors. */
static Obj *dirRoot[1];
static Obj **ring;
static size_t ringLen;

static size_t oldVectors, oldNodes;

static Obj *oldNode(uint64_t r)
{
  Obj *dir = dirRoot[0];
  size_t i = (size_t)(r % oldNodes);
  return dir->ref[i / VEC_LEN]->ref[i % VEC_LEN];
}

static void buildOld(double mb)
{
  size_t v, i;
  oldNodes = (size_t)(mb * 1e6 / (4 * WORD + WORD * (1.0 + VEC_LEN) / VEC_LEN));
  oldNodes = (oldNodes + VEC_LEN - 1) / VEC_LEN * VEC_LEN;
  if (oldNodes == 0)
    oldNodes = VEC_LEN;
  oldVectors = oldNodes / VEC_LEN;
  dirRoot[0] = newObj(oldVectors, NULL, NULL);
  for (v = 0; v < oldVectors; ++v) {
    Obj *vec = newObj(VEC_LEN, NULL, NULL);
    dirRoot[0]->ref[v] = vec;
    for (i = 0; i < VEC_LEN; ++i) {
      size_t made = v * VEC_LEN + i;
      Obj *a = made > 0 ? oldNode(rnd() % made) : NULL;
      /* oldNode reads vec through the directory: vec is already there */
      vec->ref[i] = newObj(NODE_WORDS, a, NULL);
    }
  }
}

static mps_word_t zoneOf(const void *p)
{
  return (mps_word_t)1 << (((mps_word_t)p >> lastZoneShift) & (8 * WORD - 1));
}

/* The zones the old data lies in, and the zones its references point to
 * (what an exact summary of its segments would hold). */
static void oldZones(mps_word_t *inReturn, mps_word_t *refsReturn)
{
  Obj *dir = dirRoot[0];
  mps_word_t in = zoneOf(dir), refs = 0;
  size_t v, i;
  for (v = 0; v < oldVectors; ++v) {
    Obj *vec = dir->ref[v];
    refs |= zoneOf(vec);
    in |= zoneOf(vec);
    for (i = 0; i < VEC_LEN; ++i) {
      Obj *n = vec->ref[i];
      refs |= zoneOf(n);
      in |= zoneOf(n);
      if (n->ref[0] != NULL)
        refs |= zoneOf(n->ref[0]);
      if (n->ref[1] != NULL)
        refs |= zoneOf(n->ref[1]);
    }
  }
  *inReturn = in;
  *refsReturn = refs;
}

static int zoneCount(mps_word_t z)
{
  return __builtin_popcountl(z);
}

static int diagnose;

static void checkOld(void)
{
  Obj *dir = dirRoot[0];
  size_t v, i;
  if (dir->hdr != HDR(T_REFS, (1 + oldVectors) * WORD))
    fail("the directory is broken");
  for (v = 0; v < oldVectors; ++v) {
    Obj *vec = dir->ref[v];
    if (vec->hdr != HDR(T_REFS, (1 + VEC_LEN) * WORD))
      fail("an old vector is broken");
    for (i = 0; i < VEC_LEN; ++i) {
      Obj *n = vec->ref[i];
      if (n->hdr != HDR(T_REFS, (1 + NODE_WORDS) * WORD)
          || (n->ref[0] != NULL && n->ref[0]->hdr != HDR(T_REFS, (1 + NODE_WORDS) * WORD))
          || (n->ref[1] != NULL && n->ref[1]->hdr != HDR(T_REFS, (1 + NODE_WORDS) * WORD)))
        fail("an old node is broken");
    }
  }
}

/* The measured phase: `total` bytes of young groups; `writes` old writes
 * per MiB. */
static void __attribute__((noinline)) churn(double total, double writes)
{
  double groupBytes = GROUP * (1 + NODE_WORDS) * WORD;
  unsigned long groups = (unsigned long)(total / groupBytes), g;
  /* groups between old writes, in 1/1024ths to keep fractional rates */
  unsigned long step = writes > 0 ? (unsigned long)(1048576.0 / groupBytes / writes * 1024) : 0;
  unsigned long credit = 0;
  size_t pos = 0;
  for (g = 0; g < groups; ++g) {
    Obj *prev = NULL;
    int j;
    for (j = 0; j < GROUP; ++j)
      prev = newObj(NODE_WORDS, prev, NULL);
    ring[pos] = prev;
    pos = pos + 1 == ringLen ? 0 : pos + 1;
    if (step > 0) {
      credit += 1024;
      while (credit >= step) {
        Obj *from = oldNode(rnd()), *to = oldNode(rnd());
        from->ref[1] = to;
        credit -= step;
      }
    }
  }
}

/* One run */

static mps_fmt_t fmt;
static mps_chain_t chain;
static mps_pool_t pool;
static mps_root_t dirRootRoot, ringRoot, threadRoot;
static mps_thr_t thread;

static void __attribute__((noinline)) runOne(double oldMB, double writes, Stats *out)
{
  void *cold = &cold;
  mps_gen_param_s gens[2];
  mps_res_t res;
  double c0;
  int i;
  tarn_stats_s ts0, ts1;

  MPS_ARGS_BEGIN(args) {
    if (optArena > 0)
      MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, optArena << 20);
    res = mps_arena_create_k(&arena, mps_arena_class_vm(), args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    fail("arena creation failed");
  mps_message_type_enable(arena, mps_message_type_gc());
  mps_message_type_enable(arena, mps_message_type_gc_start());
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, WORD);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, objScan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, objSkip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_FWD, objFwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ISFWD, objIsFwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, objPad);
    res = mps_fmt_create_k(&fmt, arena, args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    fail("format creation failed");
  chain = NULL;
  nurseryCapacity = 8192 * 1024.0;
  if (optNursery > 0) {
    gens[0].mps_capacity = optNursery;
    gens[0].mps_mortality = 0.9;
    gens[1].mps_capacity = optNursery * 4;
    gens[1].mps_mortality = 0.5;
    if (mps_chain_create(&chain, arena, 2, gens) != MPS_RES_OK)
      fail("chain creation failed");
    nurseryCapacity = (double)optNursery * 1024.0;
  }
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    if (chain != NULL)
      MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    res = mps_pool_create_k(&pool, arena, mps_class_amc(), args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    fail("pool creation failed");
  if (mps_ap_create_k(&ap, pool, mps_args_none) != MPS_RES_OK)
    fail("AP creation failed");
  ringLen = optSurvive * 1024 / (GROUP * (1 + NODE_WORDS) * WORD);
  if (ringLen == 0)
    ringLen = 1;
  ring = calloc(ringLen, sizeof *ring);
  if (ring == NULL)
    fail("calloc failed");
  if (mps_root_create_table(&dirRootRoot, arena, mps_rank_exact(), 0,
                            (mps_addr_t *)(void *)dirRoot, 1) != MPS_RES_OK
      || mps_root_create_table(&ringRoot, arena, mps_rank_exact(), 0,
                               (mps_addr_t *)(void *)ring, ringLen) != MPS_RES_OK)
    fail("root creation failed");
  if (mps_thread_reg(&thread, arena) != MPS_RES_OK
      || mps_root_create_thread(&threadRoot, arena, thread, cold) != MPS_RES_OK)
    fail("thread root creation failed");

  buildOld(oldMB);
  for (i = 0; i < optFull; ++i)
    mps_arena_collect(arena);
  mps_arena_release(arena);
  checkOld();
  afterSlowCall(0);             /* drain the build's messages */
  inGc = 0;

  memset(&st, 0, sizeof st);
  tarn_arena_stats(arena, &ts0);
  measuring = 1;
  c0 = clockOf(CLOCK_THREAD_CPUTIME_ID);
  churn((double)optNurseries * nurseryCapacity, writes);
  st.phaseCpu = clockOf(CLOCK_THREAD_CPUTIME_ID) - c0;
  measuring = 0;
  tarn_arena_stats(arena, &ts1);
  st.barrierHits = (unsigned long)(ts1.barrier_hits - ts0.barrier_hits);
  checkOld();
  if (diagnose) {
    mps_word_t in, refs, young = zoneOf(ring[0]);
    size_t i;
    for (i = 1; i < ringLen; ++i)
      young |= zoneOf(ring[i]);
    oldZones(&in, &refs);
    printf("zones (shift %lu, stripe %lu KiB): old data in %d zones %016lx, its "
           "references to %d zones %016lx;\n  white set of the last scan %016lx "
           "(%d zones), shared with the old data's references: %016lx; young "
           "survivors in %016lx\n", (unsigned long)lastZoneShift,
           (unsigned long)(((mps_word_t)1 << lastZoneShift) >> 10), zoneCount(in),
           (unsigned long)in, zoneCount(refs), (unsigned long)refs,
           (unsigned long)lastWhite, zoneCount(lastWhite),
           (unsigned long)(lastWhite & refs), (unsigned long)young);
  }
  *out = st;

  mps_arena_park(arena);
  mps_root_destroy(threadRoot);
  mps_thread_dereg(thread);
  mps_root_destroy(ringRoot);
  mps_root_destroy(dirRootRoot);
  free(ring);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  if (chain != NULL)
    mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

static int runChild(double oldMB, double writes, Stats *r)
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
    Stats s;
    close(fd[0]);
    runOne(oldMB, writes, &s);
    if (write(fd[1], &s, sizeof s) != (ssize_t)sizeof s)
      _exit(3);
    _exit(0);
  }
  close(fd[1]);
  got = read(fd[0], r, sizeof *r);
  close(fd[0]);
  waitpid(pid, &status, 0);
  if (got != (ssize_t)sizeof *r || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "nurserybench: child failed (status 0x%x)\n", status);
    return 0;
  }
  return 1;
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

static int parseList(double *v, const char *s)
{
  int n = 0;
  char *copy = strdup(s), *tok, *save = NULL;
  for (tok = strtok_r(copy, ",", &save); tok != NULL && n < MAX_CONFIGS;
       tok = strtok_r(NULL, ",", &save))
    v[n++] = atof(tok);
  free(copy);
  return n;
}

static void usage(void)
{
  fprintf(stderr, "usage: nurserybench [-o MB,MB,...] [-w W,W,...] [-n nurseryKiB] "
          "[-s survivorKiB] [-t nurseries] [-r reps] [-1]\n");
  exit(2);
}

enum { V_CPU, V_WALL, V_PAUSE, V_SCANNED, V_SEGS, V_COND, V_LIVE, V_NGC,
       V_OTHER, V_PHASE, V_HITS, V_MULTI, V_LIMIT };

int main(int argc, char *argv[])
{
  static double v[V_LIMIT][64];
  int c, o, w, rep, inProcess = 0;
  while ((c = getopt(argc, argv, "o:w:n:s:t:F:A:r:1h")) != -1) {
    switch (c) {
    case 'o': nOld = parseList(optOld, optarg); break;
    case 'w': nWrites = parseList(optWrites, optarg); break;
    case 'n': optNursery = strtoul(optarg, NULL, 0); break;
    case 's': optSurvive = strtoul(optarg, NULL, 0); break;
    case 't': optNurseries = atoi(optarg); break;
    case 'F': optFull = atoi(optarg); break;
    case 'A': optArena = strtoul(optarg, NULL, 0); break;
    case 'r': optReps = atoi(optarg); break;
    case '1': inProcess = 1; break;
    default: usage();
    }
  }
  if (nOld < 1 || nWrites < 1 || optNurseries < 1 || optReps < 1 || optReps > 64)
    usage();
  printf("nurserybench: variety %s; AMC; %s; survivors %lu KiB per nursery "
         "collection; %d nurseries allocated per run; reps %d (medians of per-run means)\n",
#if defined(CONFIG_VAR_RASH)
         "rash",
#elif defined(CONFIG_VAR_COOL)
         "cool",
#else
         "hot",
#endif
         optNursery == 0 ? "the default chain (8192 KiB nursery, 36864 KiB)" : "-n chain",
         (unsigned long)optSurvive, optNurseries, optReps);
  if (optNursery > 0)
    printf("chain: %lu KiB, %lu KiB\n", (unsigned long)optNursery,
           (unsigned long)optNursery * 4);

  if (inProcess) {
    Stats s;
    diagnose = 1;
    runOne(optOld[0], optWrites[0], &s);
    printf("old %.0f MB writes/MiB %.0f: nursery gcs %lu (multi-slice %lu), other gcs %lu; "
           "per nursery gc: cpu %.3f ms wall %.3f ms pause %.3f ms scanned %.0f KiB "
           "in %.1f segs, condemned %.0f KiB, live %.0f KiB; phase cpu %.1f ms, "
           "barrier hits %lu\n", optOld[0], optWrites[0], s.nurseryGcs, s.multiSlice,
           s.otherGcs,
           s.nurseryGcs ? s.cpu * 1e3 / (double)s.nurseryGcs : 0.0,
           s.nurseryGcs ? s.wall * 1e3 / (double)s.nurseryGcs : 0.0,
           s.nurseryGcs ? s.pause * 1e3 / (double)s.nurseryGcs : 0.0,
           s.nurseryGcs ? s.scanned / 1024 / (double)s.nurseryGcs : 0.0,
           s.nurseryGcs ? s.segs / (double)s.nurseryGcs : 0.0,
           s.nurseryGcs ? s.condemned / 1024 / (double)s.nurseryGcs : 0.0,
           s.nurseryGcs ? s.live / 1024 / (double)s.nurseryGcs : 0.0,
           s.phaseCpu * 1e3, s.barrierHits);
    return 0;
  }

  printf("per nursery collection: cpu, wall, pause in ms; scanned KiB and segments; "
         "condemned and live KiB\n");
  printf("%7s %7s %5s %5s %5s %8s %8s %8s %9s %7s %8s %7s %9s %8s\n", "old MB",
         "wr/MiB", "ngcs", "other", "multi", "cpu ms", "wall ms", "pause ms",
         "scan KiB", "segs", "cond KiB", "live KiB", "phase ms", "bar.hits");
  for (w = 0; w < nWrites; ++w)
    for (o = 0; o < nOld; ++o) {
      int ok = 1, i;
      for (rep = 0; rep < optReps; ++rep) {
        Stats s;
        double n;
        if (!runChild(optOld[o], optWrites[w], &s)) {
          ok = 0;
          break;
        }
        n = s.nurseryGcs > 0 ? (double)s.nurseryGcs : 1.0;
        v[V_CPU][rep] = s.cpu * 1e3 / n;
        v[V_WALL][rep] = s.wall * 1e3 / n;
        v[V_PAUSE][rep] = s.pause * 1e3 / n;
        v[V_SCANNED][rep] = s.scanned / 1024 / n;
        v[V_SEGS][rep] = s.segs / n;
        v[V_COND][rep] = s.condemned / 1024 / n;
        v[V_LIVE][rep] = s.live / 1024 / n;
        v[V_NGC][rep] = (double)s.nurseryGcs;
        v[V_OTHER][rep] = (double)s.otherGcs;
        v[V_PHASE][rep] = s.phaseCpu * 1e3;
        v[V_HITS][rep] = (double)s.barrierHits;
        v[V_MULTI][rep] = (double)s.multiSlice;
      }
      if (!ok) {
        printf("%7.0f %7.0f FAILED\n", optOld[o], optWrites[w]);
        continue;
      }
      for (i = 0; i < V_LIMIT; ++i)
        v[i][0] = median(v[i], optReps);
      printf("%7.0f %7.0f %5.0f %5.0f %5.0f %8.3f %8.3f %8.3f %9.0f %7.1f %8.0f %7.0f "
             "%9.1f %8.0f\n", optOld[o], optWrites[w], v[V_NGC][0], v[V_OTHER][0],
             v[V_MULTI][0], v[V_CPU][0], v[V_WALL][0], v[V_PAUSE][0], v[V_SCANNED][0],
             v[V_SEGS][0], v[V_COND][0], v[V_LIVE][0], v[V_PHASE][0], v[V_HITS][0]);
    }
  return 0;
}

/* graphbench.c: trace time of full collections of a large random graph,
 * for parallel tracing (code/parallel.h)
 *
 * Builds a graph of N objects (the test format's objects, test/testfmt.h:
 * K references and D data words each), all reachable from one exact root
 * through a 4-ary spanning tree, with the other references random: the
 * shape a parallel tracer can share out (with -k 4, the default, it is
 * the tree alone, laid out breadth first; -k 8 adds four random
 * references to each object).  After W warm-up collections (the first
 * promotes the graph out of the nursery) it runs C full collections for
 * each worker count in the -w list, the counts taking turns, so that a
 * shared machine whose speed drifts treats them alike
 * (mps_arena_collect: slices that run to the end, the kind that trace in
 * parallel).  It prints, for each, the time the collector spent tracing
 * (tarn_arena_trace_time: scanning, marking, copying) and the time of the
 * whole collection; then the medians for each count, and the speedup of
 * each count's median trace time over the first's.  Every collection
 * keeps (and, in AMC, moves) every object (IMX: the first promotes it
 * to the mature space, marked in place after); the graph is checked after
 * the last one.
 *
 * Usage: graphbench [-n objects] [-k refs] [-d datawords] [-c collections]
 *                   [-p amc|ams|imx] [-w workers[,workers...]] [-s seed] [-W warmup]
 * Defaults: -n 1000000 -k 4 -d 2 -c 7 -p amc -W 2, -w from the
 * environment (TARN_WORKERS) or the arena's default.  To compare one
 * worker with two: -w 1,2.
 *
 * Build (from the repository root):
 *   gcc -std=gnu99 -O2 -Iinclude -Icode -Itest test/bench/graphbench.c \
 *       test/testfmt.c test/testlib.c code/mps.c -lpthread -lm -o /tmp/graphbench
 */

#include "mps.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include "mpscimx.h"
#include "tarn.h"
#include "testfmt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXK 16

static void fail(const char *what)
{
  fprintf(stderr, "graphbench: %s\n", what);
  exit(1);
}

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmpDouble(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static unsigned long rndState = 1;
static unsigned long rnd(unsigned long n)
{
  rndState = rndState * 6364136223846793005UL + 1442695040888963407UL;
  return (unsigned long)(rndState >> 33) % n;
}

/* Depth-first over the graph: every object intact, every id once. */
static size_t checkGraph(testobj_t root, size_t n, size_t k)
{
  testobj_t *stack = malloc(n * (k + 1) * sizeof *stack);
  unsigned char *seen = calloc(n + 1, 1);
  size_t top = 0, count = 0, j;
  if (stack == NULL || seen == NULL)
    fail("out of memory checking");
  stack[top++] = root;
  while (top > 0) {
    testobj_t o = stack[--top];
    if (!testobj_ok(o) || o->id < 1 || o->id > n)
      fail("object corrupted");
    if (seen[o->id])
      continue;
    seen[o->id] = 1;
    ++count;
    for (j = 0; j < o->nrefs; ++j)
      if (o->refs[j] != NULL)
        stack[top++] = o->refs[j];
  }
  free(stack);
  free(seen);
  return count;
}

/* The median of the n values of xs[i * stride + offset]. */
static double medianOf(const double *xs, size_t count, size_t stride, size_t offset)
{
  double *v = malloc(count * sizeof *v);
  size_t i, m = 0;
  double r;
  if (v == NULL)
    fail("out of memory");
  for (i = offset; i < count; i += stride)
    v[m++] = xs[i];
  qsort(v, m, sizeof *v, cmpDouble);
  r = m > 0 ? v[m / 2] : 0.0;
  free(v);
  return r;
}

#define MAXW 8                  /* worker counts in a -w list */

int main(int argc, char *argv[])
{
  size_t n = 1000000, k = 4, d = 2, i, j, c;
  size_t workers[MAXW], nw = 0;
  unsigned collections = 7, warmup = 2;
  const char *poolName = "amc";
  mps_arena_t arena;
  mps_fmt_t fmt;
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t root;
  mps_chain_t chain;
  mps_gen_param_s gens[1] = {{64 * 1024, 0.5}};
  testobj_t *objs;
  static testobj_t rootSlot[1];
  double *traceMs, *gcMs;
  char *end;
  int opt;

  while ((opt = getopt(argc, argv, "n:k:d:c:p:w:s:W:")) != -1) {
    switch (opt) {
    case 'n': n = strtoul(optarg, NULL, 0); break;
    case 'k': k = strtoul(optarg, NULL, 0); break;
    case 'd': d = strtoul(optarg, NULL, 0); break;
    case 'c': collections = (unsigned)atoi(optarg); break;
    case 'p': poolName = optarg; break;
    case 'w':
      for (end = optarg; *end != '\0' && nw < MAXW; end += *end == ',')
        workers[nw++] = strtoul(end, &end, 0);
      break;
    case 's': rndState = strtoul(optarg, NULL, 0); break;
    case 'W': warmup = (unsigned)atoi(optarg); break;
    default: fail("usage: graphbench [-n objects] [-k refs] [-d datawords] [-c collections] "
                  "[-p amc|ams|imx] [-w workers[,workers...]] [-s seed] [-W warmup]");
    }
  }
  if (k < 4 || k > MAXK || n < 2 || collections < 1)
    fail("need 4 <= k <= 16, n >= 2, c >= 1");
  for (i = 0; i < nw; ++i)
    if (workers[i] < 1)
      fail("worker counts are at least 1");

  MPS_ARGS_BEGIN(args) {
    if (nw > 0)
      MPS_ARGS_ADD(args, MPS_KEY_TARN_WORKERS, workers[0]);
    if (mps_arena_create_k(&arena, mps_arena_class_vm(), args) != MPS_RES_OK)
      fail("arena");
  } MPS_ARGS_END(args);
  if (nw == 0)
    workers[nw++] = tarn_arena_workers(arena);
  if (testfmt_create(&fmt, arena, 0) != MPS_RES_OK
      || mps_chain_create(&chain, arena, 1, gens) != MPS_RES_OK)
    fail("format or chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    if (mps_pool_create_k(&pool, arena, strcmp(poolName, "ams") == 0 ? mps_class_ams()
                          : strcmp(poolName, "imx") == 0 ? mps_class_imx()
                          : mps_class_amc(), args) != MPS_RES_OK)
      fail("pool");
  } MPS_ARGS_END(args);
  if (mps_ap_create_k(&ap, pool, mps_args_none) != MPS_RES_OK)
    fail("allocation point");
  if (mps_root_create_table(&root, arena, mps_rank_exact(), 0, (mps_addr_t *)rootSlot, 1)
      != MPS_RES_OK)
    fail("root");

  /* Build parked: nothing moves while the C array holds addresses. */
  mps_arena_park(arena);
  objs = malloc(n * sizeof *objs);
  traceMs = malloc(collections * nw * sizeof *traceMs);
  gcMs = malloc(collections * nw * sizeof *gcMs);
  if (objs == NULL || traceMs == NULL || gcMs == NULL)
    fail("out of memory");
  for (i = 0; i < n; ++i)
    if (testobj_alloc(&objs[i], ap, i + 1, k, d) != MPS_RES_OK)
      fail("allocation");
  for (i = 0; i < n; ++i) {
    for (j = 0; j < 4; ++j)
      objs[i]->refs[j] = 4 * i + 1 + j < n ? objs[4 * i + 1 + j] : NULL;
    for (j = 4; j < k; ++j)
      objs[i]->refs[j] = objs[rnd(n)];
  }
  rootSlot[0] = objs[0];
  free(objs);
  mps_arena_release(arena);

  printf("graphbench: %s, %lu objects of %lu refs and %lu data words, workers",
         poolName, (unsigned long)n, (unsigned long)k, (unsigned long)d);
  for (i = 0; i < nw; ++i)
    printf("%s%lu", i == 0 ? " " : ",", (unsigned long)workers[i]);
  printf("\n");
  /* The first collections promote the graph out of the nursery and grow
   * the heap: not counted.  Then the worker counts take turns, so that
   * a machine whose speed drifts (shared) treats them alike. */
  for (c = 0; c < warmup + collections * nw; ++c) {
    size_t w = c < warmup ? workers[0] : workers[(c - warmup) % nw];
    double t0, w0, tms, gms;
    if (tarn_arena_set_workers(arena, w) != MPS_RES_OK)
      fail("set workers");
    t0 = tarn_arena_trace_time(arena);
    w0 = now();
    if (mps_arena_collect(arena) != MPS_RES_OK)
      fail("collect");
    gms = (now() - w0) * 1e3;
    tms = (tarn_arena_trace_time(arena) - t0) * 1e3;
    mps_arena_release(arena);
    printf("  collection %lu (%s, %lu workers): trace %.1f ms, whole collection %.1f ms\n",
           (unsigned long)c + 1, c < warmup ? "warm-up" : "counted", (unsigned long)w,
           tms, gms);
    if (c >= warmup) {
      traceMs[c - warmup] = tms;
      gcMs[c - warmup] = gms;
    }
  }
  if (checkGraph(rootSlot[0], n, k) != n)
    fail("objects lost");
  for (i = 0; i < nw; ++i)
    printf("median, %lu workers: trace %.1f ms, whole collection %.1f ms\n",
           (unsigned long)workers[i], medianOf(traceMs, collections * nw, nw, i),
           medianOf(gcMs, collections * nw, nw, i));
  for (i = 1; i < nw; ++i)
    printf("trace speedup, %lu workers over %lu: %.2f\n", (unsigned long)workers[i],
           (unsigned long)workers[0],
           medianOf(traceMs, collections * nw, nw, 0) / medianOf(traceMs, collections * nw, nw, i));
  printf("parallel phases: %lu\n", (unsigned long)tarn_arena_parallel_phases(arena));

  mps_arena_park(arena);
  mps_root_destroy(root);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  free(traceMs);
  free(gcMs);
  return 0;
}

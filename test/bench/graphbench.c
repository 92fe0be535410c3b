/* graphbench.c: trace time of full collections of a large random graph,
 * for parallel tracing (parallel.md)
 *
 * Builds a graph of N objects (the test format's objects, test/testfmt.h:
 * K references and D data words each), all reachable from one exact root
 * through a 4-ary spanning tree, with the other references random: the
 * shape a parallel tracer can share out.  Then it runs C full collections
 * (mps_arena_collect: slices that run to the end, the kind that trace in
 * parallel) and prints, for each, the time the collector spent tracing
 * (tarn_arena_trace_time: scanning, marking, copying) and the time of the
 * whole collection; and the medians.  Every collection keeps (and, in
 * AMC, moves) every object; the graph is checked after the last one.
 *
 * Usage: graphbench [-n objects] [-k refs] [-d datawords] [-c collections]
 *                   [-p amc|ams] [-w workers] [-s seed]
 * Defaults: -n 1000000 -k 4 -d 2 -c 7 -p amc, -w from the environment
 * (TARN_WORKERS) or the cores available.
 *
 * Build (from the repository root):
 *   gcc -std=gnu99 -O2 -Iinclude -Icode -Itest test/bench/graphbench.c \
 *       test/testfmt.c test/testlib.c code/mps.c -lpthread -lm -o /tmp/graphbench
 */

#include "mps.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
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

int main(int argc, char *argv[])
{
  size_t n = 1000000, k = 4, d = 2, workers = 0, i, j, c;
  unsigned collections = 7;
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
  int opt;

  while ((opt = getopt(argc, argv, "n:k:d:c:p:w:s:")) != -1) {
    switch (opt) {
    case 'n': n = strtoul(optarg, NULL, 0); break;
    case 'k': k = strtoul(optarg, NULL, 0); break;
    case 'd': d = strtoul(optarg, NULL, 0); break;
    case 'c': collections = (unsigned)atoi(optarg); break;
    case 'p': poolName = optarg; break;
    case 'w': workers = strtoul(optarg, NULL, 0); break;
    case 's': rndState = strtoul(optarg, NULL, 0); break;
    default: fail("usage: graphbench [-n objects] [-k refs] [-d datawords] [-c collections] "
                  "[-p amc|ams] [-w workers] [-s seed]");
    }
  }
  if (k < 4 || k > MAXK || n < 2 || collections < 1)
    fail("need 4 <= k <= 16, n >= 2, c >= 1");

  MPS_ARGS_BEGIN(args) {
    if (workers > 0)
      MPS_ARGS_ADD(args, MPS_KEY_TARN_WORKERS, workers);
    if (mps_arena_create_k(&arena, mps_arena_class_vm(), args) != MPS_RES_OK)
      fail("arena");
  } MPS_ARGS_END(args);
  if (testfmt_create(&fmt, arena, 0) != MPS_RES_OK
      || mps_chain_create(&chain, arena, 1, gens) != MPS_RES_OK)
    fail("format or chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    if (mps_pool_create_k(&pool, arena, strcmp(poolName, "ams") == 0 ? mps_class_ams()
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
  traceMs = malloc(collections * sizeof *traceMs);
  gcMs = malloc(collections * sizeof *gcMs);
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

  printf("graphbench: %s, %lu objects of %lu refs and %lu data words, workers %lu\n",
         poolName, (unsigned long)n, (unsigned long)k, (unsigned long)d,
         (unsigned long)tarn_arena_workers(arena));
  for (c = 0; c < collections; ++c) {
    double t0 = tarn_arena_trace_time(arena), w0 = now();
    if (mps_arena_collect(arena) != MPS_RES_OK)
      fail("collect");
    gcMs[c] = (now() - w0) * 1e3;
    traceMs[c] = (tarn_arena_trace_time(arena) - t0) * 1e3;
    mps_arena_release(arena);
    printf("  collection %lu: trace %.1f ms, whole collection %.1f ms\n",
           (unsigned long)c + 1, traceMs[c], gcMs[c]);
  }
  if (checkGraph(rootSlot[0], n, k) != n)
    fail("objects lost");
  qsort(traceMs, collections, sizeof *traceMs, cmpDouble);
  qsort(gcMs, collections, sizeof *gcMs, cmpDouble);
  printf("median: trace %.1f ms, whole collection %.1f ms (%lu parallel phases)\n",
         traceMs[collections / 2], gcMs[collections / 2],
         (unsigned long)tarn_arena_parallel_phases(arena));

  rootSlot[0] = NULL;
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

/* partest.c: parallel tracing: termination, exactly-once copying under
 * contention, marking, worker count, fork (include/tarn.h, code/parallel.h)
 *
 * The arena asks for 4 workers (more than this machine may have cores,
 * so the workers are often descheduled in the middle of a phase: the
 * termination protocol must still see every packet).  Object graphs:
 *   hot:   N objects in AMC (or IMX) each holding K references to a
 *          small "hot" set of H objects in the same pool, so that every
 *          worker keeps fixing references to the same few objects at the
 *          same time: each hot object must be copied exactly once (one
 *          address per id after the collection; IMX copies out of its
 *          nursery, then marks in place) and every reference to it
 *          updated;
 *   chain: a long singly linked list in AMC, with no parallelism in it
 *          at all: the one packet of work passes from worker to worker,
 *          and the phase must end when the list does;
 *   backward: a tree and a list whose references go to older objects,
 *          at lower addresses, in AMS and in IMX (marked in place):
 *          a worker's scan must go back for what it greyed behind it;
 *   mixed: a random graph over AMC, AMS, IMX and LO (atomic marks),
 *          checked the same way.
 * Each shape is collected many times with mps_arena_collect (a slice that
 * runs to the end: the parallel path), and after each collection every
 * object reachable from the root is checked: intact, right id, one
 * address per id, references leading to the right ids (a shadow model).
 * The test fails if no parallel phase ran, or if objects were lost,
 * duplicated or corrupted.  Then a child made by fork() collects too: its
 * worker threads do not exist, and must be made again.
 */

#include "testlib.h"
#include "testfmt.h"
#include "tarn.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include "mpsclo.h"
#include "mpscimx.h"
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXOBJ 40000
#define MAXREFS 8

static mps_arena_t arena;
static mps_ap_t amcAp, amsAp, imxAp, loAp;
static mps_root_t root;
/* The root: the graph is reachable from rootTable[0] only, so nearly all
 * of it is traced by the parallel phase, not by the (serial) root scan. */
static testobj_t rootTable[1];
/* While building, with the arena parked (nothing moves): every object. */
static testobj_t objs[MAXOBJ];
static size_t objCount;
/* Shadow model: by id (= index + 1), the ids each reference leads to. */
static mps_word_t shadow[MAXOBJ][MAXREFS];
static size_t shadowN[MAXOBJ];
static mps_addr_t seenAt[MAXOBJ];
static testobj_t stack[MAXOBJ * MAXREFS + 1];
/* Under Valgrind the collector is serial (parallel.c): no phases. */
static int expectPar;

static testobj_t make(mps_ap_t ap, size_t nrefs, size_t ndata)
{
  testobj_t o;
  mps_word_t id = objCount + 1;
  check(objCount < MAXOBJ);
  die(testobj_alloc(&o, ap, id, nrefs, ndata), "alloc");
  objs[objCount] = o;
  shadowN[objCount] = nrefs;
  ++objCount;
  return o;
}

static void setRef(testobj_t from, size_t i, testobj_t to)
{
  from->refs[i] = to;
  shadow[from->id - 1][i] = to == NULL ? 0 : to->id;
}

/* Everything reachable from the root is intact and where the model says,
 * and has one address (a second copy shows as a reference to another);
 * returns how many objects were reached. */
static size_t verify(void)
{
  size_t top = 0, reached = 0, j;
  memset(seenAt, 0, sizeof seenAt);
  stack[top++] = rootTable[0];
  while (top > 0) {
    testobj_t o = stack[--top];
    mps_word_t id;
    check(o != NULL);
    id = o->id;
    check(id >= 1 && id <= objCount);
    if (seenAt[id - 1] != NULL) {
      check(seenAt[id - 1] == (mps_addr_t)o);   /* the one copy */
      continue;
    }
    seenAt[id - 1] = o;
    ++reached;
    check(testobj_ok(o));
    check(o->nrefs == shadowN[id - 1]);
    for (j = 0; j < o->nrefs; ++j) {
      testobj_t r = o->refs[j];
      check((r == NULL) == (shadow[id - 1][j] == 0));
      if (r != NULL) {
        check(r->id == shadow[id - 1][j]);
        stack[top++] = r;
      }
    }
  }
  return reached;
}

static void beginBuild(void)
{
  mps_arena_park(arena);
  memset(objs, 0, sizeof objs);
  memset(shadow, 0, sizeof shadow);
  objCount = 0;
}

/* A 4-ary tree over objs[0..n) (children of i: 4i+1 .. 4i+4) in slots
 * 0-3; slots 4-7 are for other edges. */
static void treeLinks(size_t n)
{
  size_t i, c;
  for (i = 0; i < n; ++i)
    for (c = 0; c < 4; ++c)
      setRef(objs[i], c, 4 * i + 1 + c < n ? objs[4 * i + 1 + c] : NULL);
}

static void endBuild(size_t rootIndex)
{
  rootTable[0] = objs[rootIndex];
  memset(objs, 0, sizeof objs);
  mps_arena_release(arena);
}

/* Many references to a few objects: contention on the claims. */
static size_t buildHot(mps_ap_t ap, size_t n, size_t hot)
{
  size_t i, k;
  beginBuild();
  for (i = 0; i < n; ++i)
    (void)make(ap, MAXREFS, 1);
  treeLinks(n);
  for (i = 0; i < n; ++i)
    for (k = 4; k < MAXREFS; ++k)
      setRef(objs[i], k, objs[n - 1 - testRnd(hot)]);
  endBuild(0);
  return n;
}

/* A list: no parallelism in it at all. */
static size_t buildChain(size_t n)
{
  size_t i;
  beginBuild();
  for (i = 0; i < n; ++i)
    (void)make(amcAp, 1, 1);
  for (i = 0; i < n; ++i)
    setRef(objs[i], 0, i + 1 < n ? objs[i + 1] : NULL);
  endBuild(0);
  return n;
}

/* References to older objects (lower addresses): a 4-ary tree whose
 * children were allocated before their parent, root last, and a list
 * from each object to the one allocated before it, in one mark-in-place
 * pool (AMS, or IMX once full collections have promoted it).  A worker
 * marks objects behind the place it is scanning in its own segment, and
 * must go back for them (pargrey.h). */
static size_t buildBackward(mps_ap_t ap, size_t n)
{
  size_t j, c;
  beginBuild();
  for (j = 0; j < n; ++j)
    (void)make(ap, 5, 1);
  for (j = 0; j < n; ++j) {
    testobj_t node = objs[n - 1 - j];
    for (c = 0; c < 4; ++c)
      setRef(node, c, 4 * j + 1 + c < n ? objs[n - 1 - (4 * j + 1 + c)] : NULL);
    setRef(node, 4, j + 1 < n ? objs[n - 2 - j] : NULL);
  }
  endBuild(n - 1);
  return n;
}

/* A tree of AMC, AMS and IMX objects with random cross edges, some to LO
 * leaves (atomic marks in three pools, copying in two). */
static size_t buildMixed(size_t n)
{
  size_t i, k, tree = n * 3 / 4;
  mps_ap_t treeAps[3];
  treeAps[0] = amcAp;
  treeAps[1] = amsAp;
  treeAps[2] = imxAp;
  beginBuild();
  for (i = 0; i < tree; ++i)
    (void)make(treeAps[testRnd(3)], MAXREFS, testRnd(4));
  for (; i < n; ++i)
    (void)make(loAp, 0, 1 + testRnd(6));
  treeLinks(tree);
  for (i = 0; i < tree; ++i)
    for (k = 4; k < MAXREFS; ++k)
      setRef(objs[i], k, testRnd(3) == 0 ? NULL : objs[testRnd(n)]);
  endBuild(0);
  return tree;
}

static void collectAndVerify(unsigned times, size_t atLeast)
{
  unsigned t;
  for (t = 0; t < times; ++t) {
    mps_word_t before = tarn_arena_parallel_phases(arena);
    die(mps_arena_collect(arena), "collect");
    check(!expectPar || tarn_arena_parallel_phases(arena) > before);
    check(verify() >= atLeast);
    mps_arena_release(arena);
  }
}

static void forkCheck(void)
{
  pid_t pid;
  int status;
  fflush(stdout);
  pid = fork();
  check(pid >= 0);
  if (pid == 0) {
    /* The parent's worker threads are not here: the collector makes new
     * ones (the phase count grows only if a parallel phase ran). */
    mps_word_t before = tarn_arena_parallel_phases(arena);
    die(mps_arena_collect(arena), "collect in child");
    (void)verify();
    _exit(!expectPar || tarn_arena_parallel_phases(arena) > before ? 0 : 3);
  }
  check(waitpid(pid, &status, 0) == pid);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char *argv[])
{
  mps_fmt_t fmt;
  mps_chain_t chain;
  mps_pool_t amc, ams, imx, lo;
  mps_gen_param_s gens[2] = {{1024, 0.8}, {4096, 0.4}};
  mps_thr_t thr;
  mps_root_t stackRoot;
  void *cold = &cold;
  unsigned round;

  testInit(argc, argv);
  expectPar = getenv("TARN_UNDER_VALGRIND") == NULL;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_TARN_WORKERS, 4);
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "arena");
  } MPS_ARGS_END(args);
  check(tarn_arena_workers(arena) == 4);
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&amc, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&ams, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&lo, arena, mps_class_lo(), args), "LO");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&imx, arena, mps_class_imx(), args), "IMX");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&amcAp, amc, mps_args_none), "AMC ap");
  die(mps_ap_create_k(&amsAp, ams, mps_args_none), "AMS ap");
  die(mps_ap_create_k(&loAp, lo, mps_args_none), "LO ap");
  die(mps_ap_create_k(&imxAp, imx, mps_args_none), "IMX ap");
  die(mps_thread_reg(&thr, arena), "thread");
  die(mps_root_create_thread(&stackRoot, arena, thr, cold), "stack root");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0,
                            (mps_addr_t *)rootTable, 1), "root");

  for (round = 0; round < 6; ++round) {
    size_t n = buildHot(round % 2 == 0 ? amcAp : imxAp, MAXOBJ, 1 + round / 2 * 7);
    collectAndVerify(6, n);
  }
  collectAndVerify(4, buildChain(MAXOBJ));
  collectAndVerify(4, buildBackward(amsAp, MAXOBJ));
  collectAndVerify(4, buildBackward(imxAp, MAXOBJ));
  for (round = 0; round < 3; ++round) {
    size_t n = buildMixed(MAXOBJ);
    collectAndVerify(4, n);
  }
  /* An almost empty heap: phases with hardly any work still end. */
  collectAndVerify(10, buildChain(1));

  /* One worker: the serial path, no phase. */
  die(tarn_arena_set_workers(arena, 1), "set workers");
  check(tarn_arena_workers(arena) == 1);
  {
    size_t n = buildMixed(MAXOBJ / 4);
    mps_word_t before = tarn_arena_parallel_phases(arena);
    die(mps_arena_collect(arena), "collect");
    check(tarn_arena_parallel_phases(arena) == before);
    check(verify() >= n);
    mps_arena_release(arena);
  }
  die(tarn_arena_set_workers(arena, 2), "set workers");
  collectAndVerify(2, buildMixed(MAXOBJ / 4));
#if !defined(__SANITIZE_THREAD__)
  /* ThreadSanitizer does not support making threads after fork() in a
   * multi-threaded process, which is what this checks. */
  forkCheck();
#endif
  check(tarn_arena_trace_time(arena) > 0.0);

  rootTable[0] = NULL;
  mps_root_destroy(root);
  mps_root_destroy(stackRoot);
  mps_thread_dereg(thr);
  mps_ap_destroy(amcAp);
  mps_ap_destroy(amsAp);
  mps_ap_destroy(loAp);
  mps_ap_destroy(imxAp);
  mps_pool_destroy(amc);
  mps_pool_destroy(ams);
  mps_pool_destroy(lo);
  mps_pool_destroy(imx);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  return testPass();
}

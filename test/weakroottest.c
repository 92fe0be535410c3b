/* weakroottest.c: weak roots
 *
 * A table root of rank mps_rank_weak() refers to AMS and LO objects.
 * Other objects are held strongly: by an exact table root, through the
 * fields of strongly held AMS objects, and by an ambiguous table root.
 * A model says which objects are strongly reachable.  After each full
 * collection:
 *  - every weak reference to an object that is not strongly reachable is
 *    NULL (splatted), and the object's memory came back (the walk does not
 *    visit it, total - free is exactly the strongly reachable bytes);
 *  - every weak reference to a strongly reachable object is unchanged and
 *    the object is intact;
 *  - weak words that point outside managed memory are left alone.
 * A collector that treated the weak root as strong fails the first
 * point; one that ignored it, or scanned it before the strong references
 * were all traced, fails the second.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscams.h"
#include "mpsclo.h"
#include <string.h>
#include <stdlib.h>

#define NOBJ 600
#define NSTRONG 40
#define NAMBIG 8
#define NWEAK 256
#define NREFS 2

typedef struct Obj {
  testobj_t addr;
  mps_word_t id;
  int lo;
  int edge[NREFS];
  int mark;
} Obj;

static Obj objs[NOBJ];
static int nObjs = 0;
static int strong[NSTRONG], ambig[NAMBIG], weak[NWEAK];
static mps_addr_t strongRoot[NSTRONG], ambigRoot[NAMBIG], weakRoot[NWEAK];
static mps_word_t outside[4];   /* not managed */

static mps_arena_t arena;
static mps_pool_t amsPool, loPool;
static mps_ap_t amsAP, loAP;
static mps_word_t nextId = 1;
static unsigned long splats = 0, kept = 0;

static void newObj(int o, int lo)
{
  testobj_t obj;
  int i;
  die(testobj_alloc(&obj, lo ? loAP : amsAP, nextId, lo ? 0 : NREFS, testRnd(30)),
      "testobj_alloc");
  objs[o].addr = obj;
  objs[o].id = nextId++;
  objs[o].lo = lo;
  for (i = 0; i < NREFS; ++i)
    objs[o].edge[i] = -1;
}

static mps_addr_t addrOf(int o)
{
  return o < 0 ? NULL : (mps_addr_t)objs[o].addr;
}

static void setEdge(int o, int i, int t)
{
  objs[o].edge[i] = t;
  objs[o].addr->refs[i] = addrOf(t);
}

static void markFrom(int o)
{
  int i;
  if (o < 0 || objs[o].mark)
    return;
  objs[o].mark = 1;
  if (!objs[o].lo)
    for (i = 0; i < NREFS; ++i)
      markFrom(objs[o].edge[i]);
}

/* Mark the strongly reachable objects; return their bytes. */
static size_t markStrong(size_t bytes[2])
{
  int i;
  for (i = 0; i < nObjs; ++i)
    objs[i].mark = 0;
  for (i = 0; i < NSTRONG; ++i)
    markFrom(strong[i]);
  for (i = 0; i < NAMBIG; ++i)
    markFrom(ambig[i]);
  bytes[0] = bytes[1] = 0;
  for (i = 0; i < nObjs; ++i)
    if (objs[i].mark && objs[i].addr != NULL)
      bytes[objs[i].lo] += (size_t)((char *)testfmt_skip(objs[i].addr)
                                    - (char *)objs[i].addr);
  return bytes[0] + bytes[1];
}

static int randomLive(void)
{
  int tries;
  for (tries = 0; tries < 50; ++tries) {
    int o = (int)testRnd((unsigned long)nObjs);
    if (objs[o].addr != NULL && objs[o].mark)
      return o;
  }
  return -1;
}

typedef struct Walk {
  size_t objects, bytes;
} Walk;

static mps_res_t walkArea(mps_ss_t ss, void *base, void *limit, void *closure)
{
  Walk *w = closure;
  char *p = base;
  (void)ss;
  while (p < (char *)limit) {
    char *next = testfmt_skip(p);
    ++w->objects;
    w->bytes += (size_t)(next - p);
    p = next;
  }
  return MPS_RES_OK;
}

static void checkPool(mps_pool_t pool, mps_ap_t ap, size_t live)
{
  Walk w = {0, 0};
  size_t unused = ap->limit == NULL ? 0 : (size_t)((char *)ap->limit - (char *)ap->init);
  die(mps_pool_walk(pool, walkArea, &w), "mps_pool_walk");
  check(w.bytes == live);
  check(mps_pool_total_size(pool) - mps_pool_free_size(pool) == live + unused);
}

static void collectAndCheck(void)
{
  size_t bytes[2];
  int i, j;
  markStrong(bytes);
  die(mps_arena_collect(arena), "mps_arena_collect");
  for (i = 0; i < NWEAK; ++i) {
    int o = weak[i];
    if (o == -2) {
      check(weakRoot[i] == (mps_addr_t)&outside[i % 4]);
      continue;
    }
    if (o < 0) {
      check(weakRoot[i] == NULL);
      continue;
    }
    if (objs[o].mark) {
      check(weakRoot[i] == objs[o].addr);       /* kept, unchanged */
      ++kept;
    } else {
      check(weakRoot[i] == NULL);               /* splatted */
      weak[i] = -1;
      ++splats;
    }
  }
  for (i = 0; i < nObjs; ++i) {
    if (objs[i].addr == NULL)
      continue;
    if (!objs[i].mark) {
      objs[i].addr = NULL;      /* dead */
      continue;
    }
    check(testobj_ok(objs[i].addr));
    check(objs[i].addr->id == objs[i].id);
    if (!objs[i].lo)
      for (j = 0; j < NREFS; ++j)
        check(objs[i].addr->refs[j] == addrOf(objs[i].edge[j]));
  }
  checkPool(amsPool, amsAP, bytes[0]);
  checkPool(loPool, loAP, bytes[1]);
  mps_arena_release(arena);
}

static void mutate(void)
{
  int i, n = (int)testRnd(60) + 10;
  size_t bytes[2];
  /* Replace some dead model slots with new objects, held strongly. */
  for (i = 0; i < nObjs && n > 0; ++i) {
    if (objs[i].addr == NULL) {
      newObj(i, testRnd(3) == 0);
      --n;
      strong[testRnd(NSTRONG)] = i;
    }
  }
  while (n-- > 0 && nObjs < NOBJ) {
    newObj(nObjs, testRnd(3) == 0);
    strong[testRnd(NSTRONG)] = nObjs;
    ++nObjs;
  }
  for (i = 0; i < NSTRONG; ++i)
    strongRoot[i] = addrOf(strong[i]);
  /* Link strongly reachable objects. */
  markStrong(bytes);
  for (i = 0; i < 60; ++i) {
    int o = randomLive();
    if (o >= 0 && !objs[o].lo)
      setEdge(o, (int)testRnd(NREFS), testRnd(4) == 0 ? -1 : randomLive());
  }
  markStrong(bytes);
  /* Weak references to live objects. */
  for (i = 0; i < NWEAK; ++i) {
    if (weak[i] != -2 && testRnd(2) == 0) {
      weak[i] = randomLive();
      weakRoot[i] = addrOf(weak[i]);
    }
  }
  /* Drop strong references, so that some weakly held objects die. */
  for (i = 0; i < NSTRONG; ++i)
    if (testRnd(3) == 0) {
      strong[i] = -1;
      strongRoot[i] = NULL;
    }
  for (i = 0; i < NAMBIG; ++i) {
    ambig[i] = testRnd(2) ? randomLive() : -1;
    ambigRoot[i] = addrOf(ambig[i]);
  }
}

int main(int argc, char *argv[])
{
  mps_fmt_t fmt;
  mps_thr_t thread;
  mps_root_t rStrong, rAmbig, rWeak;
  int round, rounds, i;
  testobj_t a, b, c, d;

  testInit(argc, argv);
  rounds = getenv("TARN_UNDER_VALGRIND") != NULL ? 30 : 200;
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "thread");     /* no thread root */
  die(testfmt_create(&fmt, arena, 0), "format");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&amsPool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&loPool, arena, mps_class_lo(), args), "LO");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&amsAP, amsPool, mps_args_none), "AP");
  die(mps_ap_create_k(&loAP, loPool, mps_args_none), "LO AP");
  for (i = 0; i < NSTRONG; ++i)
    strong[i] = -1;
  for (i = 0; i < NAMBIG; ++i)
    ambig[i] = -1;
  for (i = 0; i < NWEAK; ++i) {
    weak[i] = i % 16 == 5 ? -2 : -1;
    weakRoot[i] = weak[i] == -2 ? (mps_addr_t)&outside[i % 4] : NULL;
  }
  die(mps_root_create_table(&rStrong, arena, mps_rank_exact(), 0, strongRoot, NSTRONG),
      "strong root");
  die(mps_root_create_table(&rAmbig, arena, mps_rank_ambig(), 0, ambigRoot, NAMBIG),
      "ambiguous root");
  die(mps_root_create_table(&rWeak, arena, mps_rank_weak(), 0, weakRoot, NWEAK),
      "weak root");

  /* A fixed case first: strong -> a -> b; weak -> a, b, c, d; c -> d;
   * nothing strong refers to c or d. */
  nObjs = 4;
  newObj(0, 0);
  newObj(1, 0);
  newObj(2, 0);
  newObj(3, 1);
  a = objs[0].addr;
  b = objs[1].addr;
  c = objs[2].addr;
  d = objs[3].addr;
  setEdge(0, 0, 1);
  setEdge(2, 0, 3);
  strong[0] = 0;
  strongRoot[0] = a;
  for (i = 0; i < 4; ++i) {
    weak[i] = i;
    weakRoot[i] = objs[i].addr;
  }
  collectAndCheck();
  check(weakRoot[0] == a && weakRoot[1] == b);
  check(weakRoot[2] == NULL && weakRoot[3] == NULL);
  check(a->refs[0] == b && testobj_ok(b));
  (void)c;
  (void)d;

  for (round = 0; round < rounds; ++round) {
    mutate();
    collectAndCheck();
  }
  printf("%lu weak references splatted, %lu kept\n", splats, kept);
  check(splats > 0 && kept > 0);

  mps_arena_park(arena);
  mps_root_destroy(rWeak);
  mps_root_destroy(rAmbig);
  mps_root_destroy(rStrong);
  mps_ap_destroy(loAP);
  mps_ap_destroy(amsAP);
  mps_pool_destroy(loPool);
  mps_pool_destroy(amsPool);
  mps_fmt_destroy(fmt);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
  return testPass();
}

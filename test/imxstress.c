/* imxstress.c: IMX under a random mutator (contract 6.1, 10, 27.6-7)
 *
 * The pattern of amcstress.c, for the mark-region pool: a random graph
 * of test objects in an IMX pool, reachable from an exact table root and
 * an exact area root, with a shadow model of every edge.  After every
 * collection the graph is traversed from the roots and compared with the
 * model (every object intact, the right id and edges, one address per
 * id).  Objects that moved across full collections are counted: with
 * the nursery some must have moved (promotion copies), and in every
 * phase some must have stayed (the mature space marks in place).
 *
 * Ambiguous references pin, as in amcstress.c: ambiguous table slots at
 * client addresses or inside objects, and volatile stack locals.
 *
 * Reclamation is checked exactly: a weak table holds references to
 * random objects.  After each full collection a weak slot whose object
 * the model says is reachable must hold the object's current address;
 * in the phases without a stack root (nothing conservative keeps garbage
 * alive) a slot whose object is unreachable must have been splatted.
 *
 * Phases, each in a fresh arena: 0 nursery, INTERIOR true; 1 nursery,
 * INTERIOR false; 2 no nursery (pure mark-region), 16-byte in-band
 * headers; 3 nursery, pause time 0 (incremental, behind the read
 * barrier); 4 nursery, no stack root; 5 no nursery, no stack root.
 * `-p N` runs phase N only.  Scaled down when TARN_UNDER_VALGRIND is set.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscimx.h"
#include <string.h>

#define MAXREFS 4
#define NTABLE 600              /* exact table root slots */
#define NAREA 300               /* exact area root slots */
#define NAMBIG 64               /* ambiguous root slots */
#define NSTACK 24               /* objects held by stack locals */
#define NWEAK 1000              /* weak table slots */

typedef unsigned int Id;        /* 0 means no object */

static mps_arena_t arena;
static mps_ap_t ap;
static int interior;

/* Roots */
static mps_addr_t tableRoots[NTABLE];
static mps_addr_t *areaRoots;           /* malloc'd, NAREA words */
static mps_addr_t ambigRoots[NAMBIG];   /* pointers into ambiguously held objects */
static mps_addr_t weakAmbig[NAMBIG];    /* weak: their client addresses */
static mps_addr_t weakTable[NWEAK];     /* weak: random objects */
static Id weakId[NWEAK];

/* The model */
static Id maxId, nextId;
static Id (*shadowRef)[MAXREFS];        /* edges by id */
static unsigned char *shadowNrefs;
static Id rootId[NTABLE + NAREA];
static unsigned *visited, epoch;
static mps_addr_t *addrOf;              /* address seen at the last check */
static struct { mps_addr_t obj; Id child; } *dfs;

/* Ambiguously held objects (this array is not scanned) */
static struct {
  testobj_t obj;
  size_t off;
  Id id, childId;
  int live;
} amb[NAMBIG];

static unsigned long moved, stayed, checks, lastCollections;
static int fullCollection;      /* the check follows a full collection */
static int exactOnly;           /* no stack root: unreachable means dead */
static unsigned long weakKept, weakSplatted;
static unsigned long ambigChecked, interiorDied, interiorSurvived, interiorMoved;

static mps_addr_t *slot(size_t s)
{
  return s < NTABLE ? &tableRoots[s] : &areaRoots[s - NTABLE];
}

static Id newId(void)
{
  check(nextId < maxId);
  return nextId++;
}

/* Allocate an object of a fresh id with nrefs NULL references. */
static testobj_t newObj(size_t nrefs)
{
  testobj_t o;
  Id id = newId();
  size_t ndata = testRnd(100) == 0 ? 9000 + testRnd(4000) : testRnd(16);
  die(testobj_alloc(&o, ap, id, nrefs, ndata), "alloc");
  shadowNrefs[id] = (unsigned char)nrefs;
  memset(shadowRef[id], 0, sizeof shadowRef[id]);
  if (testRnd(4) == 0) {
    size_t k = testRnd(NWEAK);
    weakTable[k] = o;
    weakId[k] = id;
  }
  return o;
}

static void setRef(testobj_t o, size_t i, testobj_t target)
{
  check(i < o->nrefs);
  o->refs[i] = target;
  shadowRef[o->id][i] = target != NULL ? (Id)target->id : 0;
}

/* A random object reachable from the exact roots, or NULL. */
static testobj_t pickReachable(void)
{
  testobj_t p = NULL;
  int tries, steps;
  for (tries = 0; tries < 20 && p == NULL; ++tries)
    p = *slot(testRnd(NTABLE + NAREA));
  if (p == NULL)
    return NULL;
  for (steps = testRnd(4); steps > 0 && p->nrefs > 0; --steps) {
    testobj_t c = p->refs[testRnd(p->nrefs)];
    if (c == NULL)
      break;
    p = c;
  }
  return p;
}

/* Traverse the graph from the exact roots and compare with the model. */
static void checkGraph(void)
{
  size_t s, top = 0;
  ++epoch;
  for (s = 0; s < NTABLE + NAREA; ++s) {
    mps_addr_t p = *slot(s);
    if (rootId[s] == 0) {
      check(p == NULL);
      continue;
    }
    check(p != NULL);
    dfs[top].obj = p;
    dfs[top].child = rootId[s];
    ++top;
    while (top > 0) {
      testobj_t o;
      Id id;
      size_t i;
      --top;
      o = dfs[top].obj;
      id = dfs[top].child;
      if (visited[id] == epoch) {
        check(addrOf[id] == (mps_addr_t)o);     /* one copy per object */
        continue;
      }
      visited[id] = epoch;
      check(testobj_ok(o));
      check(o->id == id);
      check(o->nrefs == shadowNrefs[id]);
      /* Count moves across full collections, where every object was
       * condemned (a nursery collection leaves older objects alone). */
      if (fullCollection && addrOf[id] != NULL) {
        if (addrOf[id] != (mps_addr_t)o)
          ++moved;
        else
          ++stayed;
      }
      addrOf[id] = o;
      for (i = 0; i < o->nrefs; ++i) {
        Id c = shadowRef[id][i];
        if (c == 0) {
          check(o->refs[i] == NULL);
        } else {
          check(o->refs[i] != NULL);
          check(top < (size_t)maxId * MAXREFS);
          dfs[top].obj = o->refs[i];
          dfs[top].child = c;
          ++top;
        }
      }
    }
  }
  ++checks;
}

/* Mark what the ambiguously held objects keep alive (a depth-first
 * walk from each, on the model), after checkGraph in the same epoch. */
static void markFromAmbig(void)
{
  size_t k, top = 0;
  for (k = 0; k < NAMBIG; ++k) {
    if (!amb[k].live || (amb[k].off != 0 && !interior))
      continue;
    dfs[top].obj = NULL;
    dfs[top].child = amb[k].id;
    ++top;
    while (top > 0) {
      Id id;
      size_t i;
      --top;
      id = dfs[top].child;
      if (visited[id] == epoch)
        continue;
      visited[id] = epoch;
      for (i = 0; i < shadowNrefs[id]; ++i)
        if (shadowRef[id][i] != 0) {
          dfs[top].obj = NULL;
          dfs[top].child = shadowRef[id][i];
          ++top;
        }
    }
  }
}

/* After a full collection: the weak table agrees with the model.  The
 * objects checkGraph reached from the exact roots (this epoch) have
 * their current addresses in addrOf; those reachable only through
 * ambiguously held objects are alive but their addresses unknown. */
static void checkWeak(void)
{
  size_t k;
  for (k = 0; k < NWEAK; ++k) {
    Id id = weakId[k];
    if (id != 0 && visited[id] == epoch) {
      check(weakTable[k] == addrOf[id]);  /* kept, and the slot updated */
      ++weakKept;
    }
  }
  markFromAmbig();
  for (k = 0; k < NWEAK; ++k) {
    Id id = weakId[k];
    if (id == 0 || visited[id] == epoch)
      continue;
    if (exactOnly) {
      check(weakTable[k] == NULL);      /* unreachable: reclaimed */
      ++weakSplatted;
      weakId[k] = 0;
    } else if (weakTable[k] == NULL) {
      weakId[k] = 0;
    }
  }
}

/* The ambiguously held objects. */
static void checkAmbig(void)
{
  size_t k;
  for (k = 0; k < NAMBIG; ++k) {
    testobj_t o = amb[k].obj, c;
    if (!amb[k].live)
      continue;
    if (amb[k].off != 0 && !interior) {
      /* Only an interior pointer holds it, which does not pin: it may
       * have died, or survived in place, or (kept by the weak reference,
       * which an incremental collection treats as strong for a while)
       * survived and moved. */
      testobj_t w = weakAmbig[k];
      if (w == NULL) {
        ++interiorDied;
        amb[k].live = 0;
        continue;
      }
      check(testobj_ok(w) && w->id == amb[k].id);
      if (w != o) {
        ++interiorMoved;
        amb[k].live = 0;        /* the ambiguous word points at nothing now */
        continue;
      }
      ++interiorSurvived;
    }
    check(ambigRoots[k] == (mps_addr_t)((char *)o + amb[k].off)); /* the word is untouched */
    check(weakAmbig[k] == (mps_addr_t)o);       /* not moved */
    check(testobj_ok(o));
    check(o->id == amb[k].id);
    c = o->refs[0];
    check(c != NULL && testobj_ok(c) && c->id == amb[k].childId);
    ++ambigChecked;
  }
}

static void afterCollection(void)
{
  checkGraph();
  checkAmbig();
}

/* Call after anything that may have collected. */
static void maybeCollected(void)
{
  unsigned long n = mps_collections(arena);
  if (n != lastCollections) {
    lastCollections = n;
    afterCollection();
  }
}

static void collect(void)
{
  checkGraph();                 /* addresses before */
  die(mps_arena_collect(arena), "collect");
  lastCollections = mps_collections(arena);
  fullCollection = 1;
  afterCollection();
  checkWeak();
  fullCollection = 0;
  mps_arena_release(arena);
}

/* Replace the object held ambiguously in slot k. */
static void newAmbig(size_t k)
{
  testobj_t o, c;
  size_t size;
  o = newObj(1);
  amb[k].obj = o;
  amb[k].id = (Id)o->id;
  /* Client address, or a byte inside the object (sometimes odd). */
  /* [o, skip(o)) runs into the next object's in-band header */
  size = (size_t)((char *)testfmt_skip(o) - (char *)o) - testfmt_header_size();
  amb[k].off = testRnd(3) == 0 ? 0 : 1 + testRnd(size - 1);
  ambigRoots[k] = (char *)o + amb[k].off;
  weakAmbig[k] = o;
  amb[k].live = 1;
  /* This allocation may collect.  What pins o meanwhile is the local
   * o itself, used below, so live in a register or a stack slot of this
   * thread: an ambiguous reference to its client address.  (The root
   * alone may not pin it: with MPS_KEY_INTERIOR false an interior
   * pointer does not, and the weak reference does not keep it alive;
   * amb[] is not scanned, so a reference read back from there after the
   * allocation may be stale.) */
  c = newObj(0);
  setRef(o, 0, c);
  amb[k].childId = (Id)c->id;
}

/* One random mutator step. */
static void mutate(void)
{
  unsigned long r = testRnd(100);
  if (r < 55) {
    /* a new object wired to reachable ones, stored in a root slot */
    size_t nrefs = testRnd(MAXREFS + 1), i, s;
    testobj_t o = newObj(nrefs);
    for (i = 0; i < nrefs; ++i)
      if (testRnd(4) != 0)
        setRef(o, i, pickReachable());
    s = testRnd(NTABLE + NAREA);
    *slot(s) = o;
    rootId[s] = (Id)o->id;
  } else if (r < 80) {
    /* rewire an edge */
    testobj_t o = pickReachable();
    if (o != NULL && o->nrefs > 0)
      setRef(o, testRnd(o->nrefs), testRnd(5) == 0 ? NULL : pickReachable());
  } else if (r < 90) {
    /* drop a root */
    size_t s = testRnd(NTABLE + NAREA);
    *slot(s) = NULL;
    rootId[s] = 0;
  } else if (r < 95) {
    /* copy a root */
    size_t s = testRnd(NTABLE + NAREA), t = testRnd(NTABLE + NAREA);
    *slot(t) = *slot(s);
    rootId[t] = rootId[s];
  } else if (r < 97) {
    newAmbig(testRnd(NAMBIG));
  } else {
    /* short-lived garbage */
    testobj_t g;
    Id id = newId();
    die(testobj_alloc(&g, ap, id, 0, testRnd(40)), "garbage");
  }
  maybeCollected();
}

/* Objects referenced only from this function's volatile locals, deep in
 * the stack, while the mutator runs and collections happen. */
static void __attribute__((noinline)) stackWork(int depth, size_t steps)
{
  volatile mps_addr_t locals[NSTACK];
  static mps_addr_t was[NSTACK];        /* not scanned: plain numbers */
  static Id ids[NSTACK], childIds[NSTACK];
  size_t i, n;
  if (depth > 0) {
    locals[0] = NULL;
    stackWork(depth - 1, steps);
    check(locals[0] == NULL);
    return;
  }
  for (i = 0; i < NSTACK; ++i) {
    testobj_t o = newObj(1);
    locals[i] = o;
    was[i] = o;
    ids[i] = (Id)o->id;
  }
  for (i = 0; i < NSTACK; ++i) {
    testobj_t c = newObj(0);
    setRef((testobj_t)locals[i], 0, c);
    childIds[i] = (Id)c->id;
  }
  for (n = 0; n < steps; ++n) {
    mutate();
    if (n % (steps / 4 + 1) == 0)
      collect();
  }
  collect();
  for (i = 0; i < NSTACK; ++i) {
    testobj_t o = locals[i], c;
    check((mps_addr_t)o == was[i]);     /* did not move */
    check(testobj_ok(o) && o->id == ids[i]);
    c = o->refs[0];
    check(c != NULL && testobj_ok(c) && c->id == childIds[i]);
  }
}

static void phase(int which, size_t steps)
{
  mps_fmt_t fmt;
  mps_chain_t chain;
  mps_pool_t pool;
  mps_thr_t thread;
  mps_root_t tableRoot, areaRoot, ambigRoot, weakRoot, weakTableRoot, stackRoot = NULL;
  mps_gen_param_s gens[] = {{128, 0.8}, {512, 0.4}};
  size_t headerSize = which == 2 ? 16 : 0;
  int nursery = which != 2 && which != 5;
  size_t i;
  void *cold = &i;

  interior = which != 1;
  exactOnly = which >= 4;
  printf("phase %d: MPS_KEY_INTERIOR %s, header %lu, nursery %s%s%s\n", which,
         interior ? "true" : "false", (unsigned long)headerSize,
         nursery ? "true" : "false",
         which == 3 ? ", pause time 0 (incremental)" : "",
         exactOnly ? ", no stack root" : "");
  fflush(stdout);
  memset(tableRoots, 0, sizeof tableRoots);
  memset(ambigRoots, 0, sizeof ambigRoots);
  memset(weakAmbig, 0, sizeof weakAmbig);
  memset(weakTable, 0, sizeof weakTable);
  memset(weakId, 0, sizeof weakId);
  weakKept = weakSplatted = 0;
  memset(amb, 0, sizeof amb);
  memset(rootId, 0, sizeof rootId);
  memset(areaRoots, 0, NAREA * sizeof *areaRoots);
  memset(visited, 0, maxId * sizeof *visited);
  memset(addrOf, 0, maxId * sizeof *addrOf);
  nextId = 1;
  epoch = 0;
  moved = stayed = checks = 0;
  ambigChecked = interiorDied = interiorSurvived = interiorMoved = 0;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  if (which == 3)
    mps_arena_pause_time_set(arena, 0.0);     /* collections in tiny slices */
  die(testfmt_create(&fmt, arena, headerSize), "format");
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    MPS_ARGS_ADD(args, MPS_KEY_INTERIOR, interior);
    MPS_ARGS_ADD(args, MPS_KEY_IMX_NURSERY, nursery);
    die(mps_pool_create_k(&pool, arena, mps_class_imx(), args), "IMX pool");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_table(&tableRoot, arena, mps_rank_exact(), 0, tableRoots, NTABLE),
      "table root");
  die(mps_root_create_area(&areaRoot, arena, mps_rank_exact(), 0, areaRoots,
                           areaRoots + NAREA, mps_scan_area, NULL), "area root");
  die(mps_root_create_table(&ambigRoot, arena, mps_rank_ambig(), 0, ambigRoots, NAMBIG),
      "ambiguous root");
  die(mps_root_create_table(&weakRoot, arena, mps_rank_weak(), 0, weakAmbig, NAMBIG),
      "weak root");
  die(mps_root_create_table(&weakTableRoot, arena, mps_rank_weak(), 0, weakTable, NWEAK),
      "weak table root");
  die(mps_thread_reg(&thread, arena), "thread");
  if (!exactOnly)
    die(mps_root_create_thread(&stackRoot, arena, thread, cold), "stack root");
  lastCollections = mps_collections(arena);

  for (i = 0; i < NAMBIG; ++i)
    newAmbig(i);
  for (i = 0; i < steps; ++i) {
    mutate();
    if (i % (steps / 8 + 1) == 0)
      collect();
  }
  if (!exactOnly)
    stackWork(10, steps / 4);
  for (i = 0; i < steps / 2; ++i)
    mutate();
  collect();

  printf("  %lu collections, %lu checks, %lu moved, %lu stayed, %lu ambiguous checks; "
         "interior-only: %lu died, %lu survived, %lu survived and moved; "
         "weak: %lu kept, %lu splatted; committed %lu, pool %lu (free %lu)\n",
         (unsigned long)mps_collections(arena), checks, moved, stayed, ambigChecked,
         interiorDied, interiorSurvived, interiorMoved, weakKept, weakSplatted,
         (unsigned long)mps_arena_committed(arena),
         (unsigned long)mps_pool_total_size(pool), (unsigned long)mps_pool_free_size(pool));
  check(mps_collections(arena) > 10);
  check(mps_pool_free_size(pool) <= mps_pool_total_size(pool));
  if (nursery)
    check(moved > 0);           /* promotion copied survivors */
  check(stayed > 0);            /* the mature space keeps objects in place */
  check(weakKept > 0);
  if (exactOnly)
    check(weakSplatted > 0);    /* unreachable objects were reclaimed */
  check(ambigChecked > 0);
  if (!interior)                /* an interior pointer alone does not pin */
    check(interiorDied + interiorMoved > 0);

  mps_arena_park(arena);
  if (stackRoot != NULL)
    mps_root_destroy(stackRoot);
  mps_thread_dereg(thread);
  mps_root_destroy(weakTableRoot);
  mps_root_destroy(weakRoot);
  mps_root_destroy(ambigRoot);
  mps_root_destroy(areaRoot);
  mps_root_destroy(tableRoot);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

int main(int argc, char *argv[])
{
  int only = -1, i, p;
  size_t steps = getenv("TARN_UNDER_VALGRIND") != NULL ? 4000 : 30000;
  testInit(argc, argv);
  for (i = 1; i + 1 < argc; ++i)
    if (strcmp(argv[i], "-p") == 0)
      only = atoi(argv[i + 1]);
  maxId = (Id)(steps * 4 + 10000);
  shadowRef = calloc(maxId, sizeof *shadowRef);
  shadowNrefs = calloc(maxId, 1);
  visited = calloc(maxId, sizeof *visited);
  addrOf = calloc(maxId, sizeof *addrOf);
  dfs = calloc((size_t)maxId * MAXREFS + 1, sizeof *dfs);
  areaRoots = calloc(NAREA, sizeof *areaRoots);
  check(shadowRef && shadowNrefs && visited && addrOf && dfs && areaRoots);
  for (p = 0; p < 6; ++p)
    if (only < 0 || only == p)
      phase(p, steps);
  free(shadowRef);
  free(shadowNrefs);
  free(visited);
  free(addrOf);
  free(dfs);
  free(areaRoots);
  return testPass();
}

/* amsstress.c: random object graphs in AMS, held by roots of every kind
 *
 * The test keeps a model of the heap: for each object its address, id,
 * size and the model index of what each reference field points to, and
 * for each root slot the object it holds.  Roots of every kind hold the
 * graph: an exact table, an area scanned by mps_scan_area, a tagged area
 * (mps_scan_area_tagged, a reference is an address with low bits 001), a
 * masked table (a reference has its two low bits clear), a formatted root
 * over testobj objects in malloc'd memory, a client scanning function
 * (which scans only the first `count` slots of its array), an area
 * scanned by mps_scan_area_masked (any tag in the low three bits), an
 * area scanned by mps_scan_area_tagged_or_zero (tag 001 or 000), and the
 * registered thread's stack.  Words that are not references (integers,
 * untagged or wrongly tagged copies of old references, slots past the
 * function root's count) are left behind on purpose: the objects they
 * name must still die.  Every word of the tagged roots, tags included,
 * must be unchanged by collections (nothing moves).
 *
 * The mutator allocates, links, unlinks and drops at random, and
 * collections happen both explicitly (mps_arena_collect) and under
 * allocation pressure (a chain with a small first generation).  After each
 * collection:
 *  - every object reachable in the model is intact (testobj_ok, its id,
 *    its references are the model's) and belongs to the pool;
 *  - a pool walk visits each reachable object exactly once;
 *  - total - free of the pool equals the bytes the walk visited plus the
 *    unused parts of allocation point buffers (contract 17.1);
 *  - after a full collection with no ambiguous root (the thread root is
 *    destroyed around some of them) the walk visits exactly the reachable
 *    objects and total - free equals the model's live bytes, so a
 *    collector that freed nothing, or freed too much, fails.
 * Objects kept only by locals of a deeper, non-inlined function survive a
 * collection made from inside it.  At the end everything is dropped and a
 * collection must give all memory back.
 *
 * Finally several mutator threads share one AMS pool, each with its own
 * allocation point, roots and thread root, checking their own chains of
 * objects while each other's allocation starts collections.
 *
 * Run with -s SEED to repeat a run (the threads phase is not exactly
 * repeatable: thread interleaving varies).  TARN_UNDER_VALGRIND scales it down.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscams.h"
#include <string.h>
#include <stdlib.h>
#include <pthread.h>

#define MAXREFS 4
#define OBJ_MAX 65536           /* model capacity */

typedef struct ModelObj {
  testobj_t addr;               /* client pointer; NULL: model slot unused */
  mps_word_t id;
  size_t nrefs, ndata;
  int edge[MAXREFS];            /* model index of each reference, -1: NULL */
  unsigned long mark;
} ModelObj;

static ModelObj objs[OBJ_MAX];
static int objsHigh = 0;        /* model slots ever used */
static int freeList[OBJ_MAX];
static int freeCount = 0;
static unsigned long markEpoch = 0;
static mps_word_t nextId = 1;

/* Roots */

enum { RK_TABLE, RK_AREA, RK_TAGGED, RK_MASKED, RK_FMT, RK_FUN, RK_AMASKED, RK_TAGZERO,
       RK_LIMIT };
#define NTABLE 64
#define NAREA 64
#define NTAGGED 64
#define NMASKED 64
#define NFMTOBJ 16
#define FMTREFS 4
#define NFUN 64
#define NAMASKED 32
#define NTAGZERO 32
#define NSLOTS (NTABLE + NAREA + NTAGGED + NMASKED + NFMTOBJ * FMTREFS + NFUN \
                + NAMASKED + NTAGZERO)
#define TAG_MASK ((mps_word_t)7)
#define TAG_REF ((mps_word_t)1)
#define MASKED_MASK ((mps_word_t)3)
#define FUN_MAGIC ((size_t)0x5EED)

typedef struct FunRoot {
  size_t count;                 /* slots [0, count) are scanned */
  mps_addr_t refs[NFUN];
} FunRoot;

static mps_addr_t tableRoot[NTABLE];
static mps_addr_t *areaRoot;
static mps_word_t *taggedRoot;
static mps_word_t *maskedRoot;
static void *fmtBlock;
static size_t fmtBlockSize;
static testobj_t fmtObj[NFMTOBJ];
static FunRoot *funRoot;
static mps_word_t *amaskedRoot;   /* mps_scan_area_masked: any tag */
static mps_word_t *tagzeroRoot;   /* mps_scan_area_tagged_or_zero: tag 1 or 0 */
static mps_scan_tag_s amaskedTag = {TAG_MASK, 0};
static mps_word_t *wordOf[NSLOTS];  /* the word of a word root's slot */
static mps_word_t expectWord[NSLOTS];
static volatile int funScanBad = 0;
static unsigned long funScans = 0;

static int rootSlot[NSLOTS];    /* model index held by each slot, or -1 */

static mps_arena_t arena;
static mps_pool_t pool;
static mps_ap_t ap;
static mps_thr_t thread;
static mps_root_t threadRoot = NULL;
static void *stackCold;
static mps_root_t roots[RK_LIMIT];

/* Statistics */
static unsigned long exactChecks = 0, looseChecks = 0, pressureCollections = 0;
static unsigned long explicitCollections = 0, stackPhases = 0;
static size_t maxReachable = 0;

static mps_res_t funScan(mps_ss_t ss, void *p, size_t s)
{
  FunRoot *r = p;
  size_t i;
  if (p != funRoot || s != FUN_MAGIC)
    funScanBad = 1;
  ++funScans;
  MPS_SCAN_BEGIN(ss) {
    for (i = 0; i < r->count; ++i) {
      mps_res_t res = MPS_FIX12(ss, &r->refs[i]);
      if (res != MPS_RES_OK)
        return res;
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static int slotKind(int s, int *indexReturn)
{
  static const int counts[RK_LIMIT] = {
    NTABLE, NAREA, NTAGGED, NMASKED, NFMTOBJ * FMTREFS, NFUN, NAMASKED, NTAGZERO
  };
  int k;
  for (k = 0; k < RK_LIMIT; ++k) {
    if (s < counts[k]) {
      *indexReturn = s;
      return k;
    }
    s -= counts[k];
  }
  check(0);
  return -1;
}

static mps_addr_t addrOf(int o)
{
  return o < 0 ? NULL : (mps_addr_t)objs[o].addr;
}

/* Store model object o (or nothing, o < 0) in root slot s, in the root's
 * own representation. */
static void setSlot(int s, int o)
{
  int i, k = slotKind(s, &i);
  mps_word_t old;
  rootSlot[s] = o;
  switch (k) {
  case RK_TABLE:
    tableRoot[i] = addrOf(o);
    break;
  case RK_AREA:
    areaRoot[i] = addrOf(o);
    break;
  case RK_TAGGED:
    old = taggedRoot[i];
    if (o >= 0)
      taggedRoot[i] = (mps_word_t)addrOf(o) | TAG_REF;
    else if ((old & TAG_MASK) == TAG_REF && testRnd(2))
      taggedRoot[i] = old ^ TAG_REF;  /* the bare address: not a reference */
    else
      taggedRoot[i] = (testRandom() << 3) | (2 + testRnd(6));  /* an integer */
    break;
  case RK_MASKED:
    old = maskedRoot[i];
    if (o >= 0)
      maskedRoot[i] = (mps_word_t)addrOf(o);
    else if (old != 0 && (old & MASKED_MASK) == 0 && testRnd(2))
      maskedRoot[i] = old | 2;          /* a tagged copy: not a reference */
    else if (testRnd(2))
      maskedRoot[i] = 0;
    else
      maskedRoot[i] = (testRandom() << 2) | 1;
    break;
  case RK_FMT:
    fmtObj[i / FMTREFS]->refs[i % FMTREFS] = addrOf(o);
    break;
  case RK_FUN:
    if ((size_t)i >= funRoot->count) {
      /* Make the slot scanned: the slots in between must be valid. */
      size_t j;
      if (o < 0)
        return;
      for (j = funRoot->count; j < (size_t)i; ++j)
        funRoot->refs[j] = NULL;
      funRoot->refs[i] = addrOf(o);
      funRoot->count = (size_t)i + 1;
    } else {
      funRoot->refs[i] = addrOf(o);
    }
    break;
  case RK_AMASKED:
    /* Every word is a reference once its tag is cleared: NULL, tagged. */
    amaskedRoot[i] = (mps_word_t)addrOf(o) | testRnd(8);
    break;
  case RK_TAGZERO:
    if (o >= 0)
      tagzeroRoot[i] = (mps_word_t)addrOf(o) | (testRnd(2) ? TAG_REF : 0);
    else if (testRnd(2))
      tagzeroRoot[i] = 0;
    else
      tagzeroRoot[i] = (testRandom() << 3) | (2 + testRnd(6));
    break;
  default:
    check(0);
  }
  if (wordOf[s] != NULL)
    expectWord[s] = *wordOf[s];
}

/* Shrink the function root: the slots past the new count keep their
 * words but are no longer scanned, so no longer roots. */
static void shrinkFun(size_t count)
{
  size_t j;
  int base = NTABLE + NAREA + NTAGGED + NMASKED + NFMTOBJ * FMTREFS;
  if (count >= funRoot->count)
    return;
  for (j = count; j < funRoot->count; ++j)
    rootSlot[base + (int)j] = -1;
  funRoot->count = count;
}

/* The model */

static int modelNew(void)
{
  int o;
  if (freeCount > 0)
    o = freeList[--freeCount];
  else {
    check(objsHigh < OBJ_MAX);
    o = objsHigh++;
  }
  return o;
}

static size_t objSize(int o)
{
  return testobj_size(objs[o].nrefs, objs[o].ndata);
}

static size_t randomNdata(void)
{
  unsigned long r = testRnd(1000);
  if (r < 700)
    return testRnd(17);
  if (r < 950)
    return 16 + testRnd(200);
  if (r < 998)
    return 200 + testRnd(3000);
  return 9000 + testRnd(2000);     /* bigger than a segment */
}

static int allocObj(size_t nrefs)
{
  testobj_t obj;
  int o, i;
  size_t ndata = randomNdata();
  mps_word_t id = nextId++;
  die(testobj_alloc(&obj, ap, id, nrefs, ndata), "testobj_alloc");
  o = modelNew();
  objs[o].addr = obj;
  objs[o].id = id;
  objs[o].nrefs = nrefs;
  objs[o].ndata = ndata;
  objs[o].mark = 0;
  for (i = 0; i < MAXREFS; ++i)
    objs[o].edge[i] = -1;
  return o;
}

static void setEdge(int o, size_t i, int target)
{
  check(i < objs[o].nrefs);
  objs[o].edge[i] = target;
  objs[o].addr->refs[i] = addrOf(target);
}

/* A random object reachable now: a root slot's object, then a short
 * random walk along references. */
static int pickReachable(void)
{
  int tries, o = -1;
  unsigned long steps;
  for (tries = 0; tries < 32 && o < 0; ++tries)
    o = rootSlot[testRnd(NSLOTS)];
  if (o < 0)
    return -1;
  for (steps = testRnd(5); steps > 0; --steps) {
    int next;
    if (objs[o].nrefs == 0)
      break;
    next = objs[o].edge[testRnd(objs[o].nrefs)];
    if (next < 0)
      break;
    o = next;
  }
  return o;
}

/* Mark the reachable objects with a new epoch; return their number and
 * bytes, and list them in `reach` (OBJ_MAX entries). */
static int reachList[OBJ_MAX];
static int stackWork[OBJ_MAX];

static size_t modelReachable(size_t *bytesReturn)
{
  size_t n = 0, bytes = 0;
  int sp = 0, s;
  ++markEpoch;
  for (s = 0; s < NSLOTS; ++s) {
    int o = rootSlot[s];
    if (o >= 0 && objs[o].mark != markEpoch) {
      objs[o].mark = markEpoch;
      stackWork[sp++] = o;
    }
  }
  while (sp > 0) {
    int o = stackWork[--sp];
    size_t i;
    reachList[n++] = o;
    bytes += objSize(o);
    for (i = 0; i < objs[o].nrefs; ++i) {
      int t = objs[o].edge[i];
      if (t >= 0 && objs[t].mark != markEpoch) {
        objs[t].mark = markEpoch;
        stackWork[sp++] = t;
      }
    }
  }
  *bytesReturn = bytes;
  return n;
}

/* Address sets (open addressing), to match walked objects to the model. */

typedef struct AddrMap {
  mps_addr_t *keys;
  int *vals;
  size_t mask;
} AddrMap;

static size_t hashAddr(mps_addr_t a)
{
  mps_word_t w = (mps_word_t)a;
  w ^= w >> 17;
  w *= (mps_word_t)0x9E3779B97F4A7C15ULL;
  return (size_t)(w >> 20);
}

static void mapInit(AddrMap *m, size_t n)
{
  size_t cap = 64;
  while (cap < 2 * n + 2)
    cap *= 2;
  m->keys = calloc(cap, sizeof *m->keys);
  m->vals = calloc(cap, sizeof *m->vals);
  check(m->keys != NULL && m->vals != NULL);
  m->mask = cap - 1;
}

static void mapFinish(AddrMap *m)
{
  free(m->keys);
  free(m->vals);
}

static void mapAdd(AddrMap *m, mps_addr_t a, int v)
{
  size_t i = hashAddr(a) & m->mask;
  while (m->keys[i] != NULL) {
    check(m->keys[i] != a);     /* two model objects at one address */
    i = (i + 1) & m->mask;
  }
  m->keys[i] = a;
  m->vals[i] = v;
}

static int mapFind(AddrMap *m, mps_addr_t a)
{
  size_t i = hashAddr(a) & m->mask;
  while (m->keys[i] != NULL) {
    if (m->keys[i] == a)
      return m->vals[i];
    i = (i + 1) & m->mask;
  }
  return -1;
}

/* Pool walks */

typedef struct WalkState {
  mps_addr_t *addrs;
  size_t n, cap;
  size_t objBytes, padBytes, pads;
} WalkState;

static mps_res_t walkArea(mps_ss_t ss, void *base, void *limit, void *closure)
{
  WalkState *w = closure;
  char *p = base;
  (void)ss;
  while (p < (char *)limit) {
    char *next = testfmt_skip(p);
    if (testfmt_is_pad(p)) {
      ++w->pads;
      w->padBytes += (size_t)(next - p);
    } else {
      if (w->n < w->cap)
        w->addrs[w->n] = p;
      ++w->n;
      w->objBytes += (size_t)(next - p);
    }
    p = next;
  }
  return MPS_RES_OK;
}

/* Walk the pool (the arena must be parked).  No memory is allocated by
 * the callback: the array is big enough for the smallest objects. */
static void walkPool(WalkState *w)
{
  w->cap = mps_pool_total_size(pool) / (3 * sizeof(mps_word_t)) + 16;
  w->addrs = malloc(w->cap * sizeof *w->addrs);
  check(w->addrs != NULL);
  w->n = w->objBytes = w->padBytes = w->pads = 0;
  die(mps_pool_walk(pool, walkArea, w), "mps_pool_walk");
  check(w->n <= w->cap);
}

static size_t apUnused(mps_ap_t a)
{
  return a->limit == NULL ? 0 : (size_t)((char *)a->limit - (char *)a->init);
}

/* Check the heap against the model (the arena is parked).  `exact`:
 * nothing ambiguous could have kept garbage, and the last collection was
 * full, so the pool must hold exactly the reachable objects. */
static void checkHeap(int exact)
{
  size_t liveBytes, n, i;
  WalkState w;
  AddrMap map;
  size_t visited = 0, extra = 0;
  size_t used = mps_pool_total_size(pool) - mps_pool_free_size(pool);
  int o;

  check(mps_pool_free_size(pool) <= mps_pool_total_size(pool));
  /* Non-moving: the scanners put every word back as it was, tags too. */
  for (i = 0; i < NSLOTS; ++i)
    if (wordOf[i] != NULL)
      check(*wordOf[i] == expectWord[i]);
  n = modelReachable(&liveBytes);
  if (n > maxReachable)
    maxReachable = n;
  mapInit(&map, n);
  for (i = 0; i < n; ++i) {
    mps_pool_t p = NULL;
    size_t j;
    o = reachList[i];
    check(objs[o].addr != NULL);
    check(mps_addr_pool(&p, arena, objs[o].addr));
    check(p == pool);
    check(testobj_ok(objs[o].addr));
    check(objs[o].addr->id == objs[o].id);
    check(objs[o].addr->nrefs == objs[o].nrefs);
    check(testobj_ndata(objs[o].addr) == objs[o].ndata);
    for (j = 0; j < objs[o].nrefs; ++j)
      check(objs[o].addr->refs[j] == addrOf(objs[o].edge[j]));
    mapAdd(&map, objs[o].addr, o);
  }

  walkPool(&w);
  check(w.objBytes + w.padBytes + apUnused(ap) == used);
  for (i = 0; i < w.n; ++i) {
    o = mapFind(&map, w.addrs[i]);
    if (o < 0) {
      ++extra;
      continue;
    }
    check(objs[o].mark == markEpoch);  /* not visited twice */
    objs[o].mark = markEpoch + 1;
    ++visited;
  }
  check(visited == n);          /* every reachable object is still there */
  if (exact) {
    check(extra == 0);          /* and nothing else */
    check(w.objBytes == liveBytes);
    check(used == liveBytes + w.padBytes + apUnused(ap));
    ++exactChecks;
  } else {
    ++looseChecks;
  }
  ++markEpoch;                  /* (the +1 marks above) */

  /* Forget the unreachable: they will never be touched again. */
  for (o = 0; o < objsHigh; ++o) {
    if (objs[o].addr != NULL && objs[o].mark != markEpoch && objs[o].mark != markEpoch - 1) {
      objs[o].addr = NULL;
      freeList[freeCount++] = o;
    }
  }
  mapFinish(&map);
  free(w.addrs);
  check(!funScanBad);
}

/* Thread root on and off: collections made with it destroyed see only
 * the exact roots, so the walk must match the model exactly. */
static void threadRootCreate(void)
{
  check(threadRoot == NULL);
  die(mps_root_create_thread(&threadRoot, arena, thread, stackCold), "mps_root_create_thread");
}

static void threadRootDestroy(void)
{
  check(threadRoot != NULL);
  mps_root_destroy(threadRoot);
  threadRoot = NULL;
}

static void collectAndCheck(int exact)
{
  size_t usedBefore;
  mps_word_t before = mps_collections(arena);
  mps_arena_park(arena);
  usedBefore = mps_pool_total_size(pool) - mps_pool_free_size(pool);
  if (exact)
    threadRootDestroy();
  die(mps_arena_collect(arena), "mps_arena_collect");
  /* A collection of an empty pool condemns nothing, so it does not flip
   * and is not counted (the random steps may call this before the first
   * allocation of a run). */
  check(usedBefore == 0 || mps_collections(arena) > before);
  ++explicitCollections;
  checkHeap(exact);
  /* Memory used can only have gone down (the buffer was given back). */
  check(mps_pool_total_size(pool) - mps_pool_free_size(pool) <= usedBefore);
  if (exact)
    threadRootCreate();
  mps_arena_release(arena);
}

/* Objects held only by this frame's locals survive a collection. */
#define NSTACK 16

static void __attribute__((noinline)) stackPhase(void)
{
  testobj_t local[NSTACK];
  mps_word_t ids[NSTACK];
  WalkState w;
  AddrMap map;
  size_t i, j;

  for (i = 0; i < NSTACK; ++i) {
    testobj_t parent, child;
    ids[i] = nextId;
    die(testobj_alloc(&parent, ap, nextId++, 1 + testRnd(MAXREFS), testRnd(20)),
        "stack parent");
    local[i] = parent;
    die(testobj_alloc(&child, ap, nextId++, 0, testRnd(40)), "stack child");
    parent->refs[0] = child;
  }
  die(mps_arena_collect(arena), "mps_arena_collect");
  walkPool(&w);
  mapInit(&map, w.n);
  for (j = 0; j < w.n; ++j)
    if (mapFind(&map, w.addrs[j]) < 0)
      mapAdd(&map, w.addrs[j], 1);
  for (i = 0; i < NSTACK; ++i) {
    testobj_t child;
    check(testobj_ok(local[i]));
    check(local[i]->id == ids[i]);
    check(mapFind(&map, local[i]) == 1);      /* not reclaimed */
    child = local[i]->refs[0];
    check(testobj_ok(child));
    check(child->id == ids[i] + 1);
    check(mapFind(&map, child) == 1);
  }
  mapFinish(&map);
  free(w.addrs);
  mps_arena_release(arena);
  ++stackPhases;
}

/* Several frames down, with junk words in between. */
static void __attribute__((noinline)) stackDeep(unsigned depth)
{
  volatile mps_word_t pad[8];
  size_t i;
  for (i = 0; i < 8; ++i)
    pad[i] = testRandom();
  pad[0] = depth;
  if (depth == 0)
    stackPhase();
  else
    stackDeep(depth - 1);
  check(pad[0] == depth);
}

/* One random mutation.  While `grow` is set, drops become allocations,
 * so the heap swings between growing and shrinking. */
static void step(int grow)
{
  unsigned long r = testRnd(100);
  int o, t;
  if (grow && ((r >= 45 && r < 60) || r >= 96))
    r = 0;
  if (r < 45) {
    /* Allocate, and hang the new object from a root or an object. */
    int holder = testRnd(3) == 0 ? -1 : pickReachable();
    size_t nrefs = testRnd(MAXREFS + 1), i, e = 0;
    if (grow) {
      /* Prefer an empty field, so that the graph grows. */
      int found = -1;
      for (t = 0; t < 8 && found < 0; ++t, holder = pickReachable()) {
        if (holder < 0 || objs[holder].nrefs == 0)
          continue;
        e = testRnd(objs[holder].nrefs);
        if (objs[holder].edge[e] < 0)
          found = holder;
      }
      holder = found;
    } else if (holder >= 0 && objs[holder].nrefs > 0) {
      e = testRnd(objs[holder].nrefs);
    }
    o = allocObj(nrefs);
    if (holder >= 0 && objs[holder].nrefs > 0)
      setEdge(holder, e, o);
    else
      setSlot((int)testRnd(NSLOTS), o);
    for (i = 0; i < nrefs; ++i)
      if (testRnd(3) == 0)
        setEdge(o, i, pickReachable());
  } else if (r < 60) {
    setSlot((int)testRnd(NSLOTS), -1);
  } else if (r < 78) {
    o = pickReachable();
    if (o >= 0 && objs[o].nrefs > 0)
      setEdge(o, testRnd(objs[o].nrefs), testRnd(4) == 0 ? -1 : pickReachable());
  } else if (r < 90) {
    setSlot((int)testRnd(NSLOTS), pickReachable());
  } else if (r < 92) {
    shrinkFun(testRnd(funRoot->count + 1));
  } else if (r < 93) {
    /* Re-register a root (nothing can be collected in between). */
    mps_arena_park(arena);
    mps_root_destroy(roots[RK_AREA]);
    die(mps_root_create_area(&roots[RK_AREA], arena, mps_rank_exact(), 0,
                             areaRoot, areaRoot + NAREA, mps_scan_area, NULL),
        "mps_root_create_area");
    mps_arena_release(arena);
  } else if (r < 96) {
    /* Read an object while collections may be under way: what the
     * mutator sees is what it wrote. */
    o = pickReachable();
    if (o >= 0) {
      size_t i;
      check(testobj_ok(objs[o].addr) && objs[o].addr->id == objs[o].id);
      for (i = 0; i < objs[o].nrefs; ++i)
        check(objs[o].addr->refs[i] == addrOf(objs[o].edge[i]));
    }
  } else {
    /* Several drops at once, so that whole structures die. */
    for (t = 0; t < 8; ++t)
      setSlot((int)testRnd(NSLOTS), -1);
  }
}

static void createRoots(void)
{
  size_t i;
  char *p;
  areaRoot = calloc(NAREA, sizeof *areaRoot);
  taggedRoot = calloc(NTAGGED, sizeof *taggedRoot);
  maskedRoot = calloc(NMASKED, sizeof *maskedRoot);
  funRoot = calloc(1, sizeof *funRoot);
  amaskedRoot = calloc(NAMASKED, sizeof *amaskedRoot);
  tagzeroRoot = calloc(NTAGZERO, sizeof *tagzeroRoot);
  fmtBlockSize = NFMTOBJ * testobj_size(FMTREFS, 1);
  fmtBlock = malloc(fmtBlockSize);
  check(areaRoot && taggedRoot && maskedRoot && funRoot && fmtBlock);
  check(amaskedRoot && tagzeroRoot);
  for (i = 0, p = fmtBlock; i < NFMTOBJ; ++i, p += testobj_size(FMTREFS, 1))
    fmtObj[i] = testobj_init(p, 1000000 + i, FMTREFS, 1);
  for (i = 0; i < NSLOTS; ++i) {
    int k, j;
    rootSlot[i] = -1;
    k = slotKind((int)i, &j);
    wordOf[i] = k == RK_TAGGED ? &taggedRoot[j] : k == RK_MASKED ? &maskedRoot[j]
                : k == RK_AMASKED ? &amaskedRoot[j] : k == RK_TAGZERO ? &tagzeroRoot[j]
                : NULL;
  }
  for (i = 0; i < NTAGGED; ++i)
    taggedRoot[i] = (testRandom() << 3) | 2;
  for (i = 0; i < NMASKED; ++i)
    maskedRoot[i] = (testRandom() << 2) | 1;
  for (i = 0; i < NSLOTS; ++i)
    if (wordOf[i] != NULL)
      expectWord[i] = *wordOf[i];

  die(mps_root_create_table(&roots[RK_TABLE], arena, mps_rank_exact(), 0,
                            tableRoot, NTABLE), "mps_root_create_table");
  die(mps_root_create_area(&roots[RK_AREA], arena, mps_rank_exact(), 0,
                           areaRoot, areaRoot + NAREA, mps_scan_area, NULL),
      "mps_root_create_area");
  die(mps_root_create_area_tagged(&roots[RK_TAGGED], arena, mps_rank_exact(), 0,
                                  taggedRoot, taggedRoot + NTAGGED,
                                  mps_scan_area_tagged, TAG_MASK, TAG_REF),
      "mps_root_create_area_tagged");
  die(mps_root_create_table_masked(&roots[RK_MASKED], arena, mps_rank_exact(), 0,
                                   (mps_addr_t *)(void *)maskedRoot, NMASKED,
                                   MASKED_MASK),
      "mps_root_create_table_masked");
  die(mps_root_create_fmt(&roots[RK_FMT], arena, mps_rank_exact(), 0, testfmt_scan,
                          fmtObj[0], (char *)fmtBlock + fmtBlockSize + testfmt_header_size()),
      "mps_root_create_fmt");
  die(mps_root_create(&roots[RK_FUN], arena, mps_rank_exact(), 0, funScan,
                      funRoot, FUN_MAGIC), "mps_root_create");
  die(mps_root_create_area(&roots[RK_AMASKED], arena, mps_rank_exact(), 0, amaskedRoot,
                           amaskedRoot + NAMASKED, mps_scan_area_masked, &amaskedTag),
      "mps_root_create_area (masked)");
  die(mps_root_create_area_tagged(&roots[RK_TAGZERO], arena, mps_rank_exact(), 0,
                                  tagzeroRoot, tagzeroRoot + NTAGZERO,
                                  mps_scan_area_tagged_or_zero, TAG_MASK, TAG_REF),
      "mps_root_create_area_tagged (or zero)");
}

static void destroyRoots(void)
{
  int k;
  for (k = 0; k < RK_LIMIT; ++k)
    mps_root_destroy(roots[k]);
  free(areaRoot);
  free(taggedRoot);
  free(maskedRoot);
  free(funRoot);
  free(fmtBlock);
  free(amaskedRoot);
  free(tagzeroRoot);
}

static void __attribute__((noinline)) run(unsigned long steps)
{
  unsigned long i;
  mps_word_t seen;
  size_t used;
  WalkState w;
  int s;

  threadRootCreate();
  seen = mps_collections(arena);
  for (i = 0; i < steps; ++i) {
    step((i / 5000) % 3 == 1);
    if (mps_collections(arena) != seen) {
      /* Allocation pressure started a collection: check (loosely, as the
       * stack may hold stale references). */
      ++pressureCollections;
      mps_arena_park(arena);
      checkHeap(0);
      mps_arena_release(arena);
    }
    if (testRnd(steps / 40 + 1) == 0)
      collectAndCheck(testRnd(3) != 0);
    if (i % 500 == 0)
      (void)mps_arena_step(arena, 0.0005, 0.0);
    if (testRnd(steps / 4 + 1) == 0 || i == steps / 2)
      stackDeep(2 + (unsigned)testRnd(4));
    seen = mps_collections(arena);
  }
  collectAndCheck(1);

  /* Drop everything: all the memory comes back. */
  mps_arena_park(arena);
  used = mps_pool_total_size(pool) - mps_pool_free_size(pool);
  check(used > 0);
  for (s = 0; s < NSLOTS; ++s)
    setSlot(s, -1);
  shrinkFun(0);
  threadRootDestroy();
  die(mps_arena_collect(arena), "mps_arena_collect");
  walkPool(&w);
  check(w.n == 0);
  free(w.addrs);
  check(mps_pool_free_size(pool) == mps_pool_total_size(pool));
  printf("dropped everything: used %lu -> 0, total now %lu\n",
         (unsigned long)used, (unsigned long)mps_pool_total_size(pool));
  mps_arena_release(arena);
}

/* One whole run in a fresh arena, with in-band headers of `headerSize`
 * bytes (testfmt keeps the header size in a global: one format at a time). */
static void runArena(size_t headerSize, unsigned long steps)
{
  mps_fmt_t fmt;
  mps_chain_t chain;
  mps_gen_param_s gens[] = {{150, 0.8}, {400, 0.5}};

  objsHigh = freeCount = 0;
  maxReachable = 0;
  exactChecks = looseChecks = pressureCollections = 0;
  explicitCollections = stackPhases = funScans = 0;
  memset(tableRoot, 0, sizeof tableRoot);

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "mps_thread_reg");
  die(testfmt_create(&fmt, arena, headerSize), "fmt");
  die(mps_chain_create(&chain, arena, 2, gens), "mps_chain_create");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&pool, arena, mps_class_ams(), args), "AMS pool");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_exact());
    die(mps_ap_create_k(&ap, pool, args), "AP");
  } MPS_ARGS_END(args);
  createRoots();

  run(steps);

  printf("header %lu: collections %lu (explicit %lu, pressure %lu), checks exact %lu "
         "loose %lu, stack phases %lu, function root scans %lu, objects %lu, "
         "most reachable %lu\n",
         (unsigned long)headerSize, (unsigned long)mps_collections(arena),
         explicitCollections, pressureCollections, exactChecks, looseChecks, stackPhases,
         funScans, (unsigned long)nextId - 1, (unsigned long)maxReachable);
  check(pressureCollections > 0);
  check(exactChecks > 2);
  check(stackPhases > 0);
  check(funScans > 0);

  mps_arena_park(arena);
  destroyRoots();
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
}

/* Several mutator threads at once, each with its own allocation point,
 * exact root and thread root, in one arena.  Each keeps chains of objects
 * (refs[0] links to the next) and a model of each chain's ids; whichever
 * thread's allocation starts a collection must suspend the others and scan
 * their stacks, and their commits may fail and be retried.  Each thread
 * also keeps objects only in its own frame across allocations. */

#define NMUT 3
#define NCHAIN 32
#define CHAIN_MAX 24

typedef struct Mutator {
  int index;
  pthread_t tid;
  unsigned long steps, state;
  mps_addr_t chains[NCHAIN];
  mps_word_t ids[NCHAIN][CHAIN_MAX];
  size_t length[NCHAIN];
  mps_word_t nextId;
  unsigned long collects;
} Mutator;

static mps_pool_t mutPool;

static unsigned long mutRnd(Mutator *m, unsigned long n)
{
  unsigned long x = m->state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  m->state = x;
  return n == 0 ? 0 : x % n;
}

static void mutCheckChain(Mutator *m, size_t k)
{
  testobj_t obj = m->chains[k];
  size_t i;
  for (i = m->length[k]; i > 0; --i) {
    check(obj != NULL);
    check(testobj_ok(obj));
    check(obj->id == m->ids[k][i - 1]);
    obj = obj->refs[0];
  }
  check(obj == NULL);
}

static void __attribute__((noinline)) mutWork(Mutator *m, mps_ap_t ap)
{
  unsigned long i;
  size_t k;
  for (i = 0; i < m->steps; ++i) {
    unsigned long r = mutRnd(m, 100);
    testobj_t obj;
    k = mutRnd(m, NCHAIN);
    if (r < 50 && m->length[k] < CHAIN_MAX) {
      mps_word_t id = ((mps_word_t)m->index << 40) | m->nextId++;
      die(testobj_alloc(&obj, ap, id, 1 + mutRnd(m, 2), mutRnd(m, 40)), "alloc");
      obj->refs[0] = m->chains[k];
      m->chains[k] = obj;
      m->ids[k][m->length[k]++] = id;
    } else if (r < 75 && m->length[k] > 0) {
      m->chains[k] = ((testobj_t)m->chains[k])->refs[0];
      --m->length[k];
    } else if (r < 78) {
      m->chains[k] = NULL;
      m->length[k] = 0;
    } else if (r < 95) {
      mutCheckChain(m, k);
    } else if (r < 99) {
      /* A chain held only by this frame across allocations. */
      testobj_t held = m->chains[k];
      size_t len = m->length[k], j;
      mps_word_t top = len > 0 ? m->ids[k][len - 1] : 0;
      m->chains[k] = NULL;
      for (j = 0; j < 20; ++j)
        die(testobj_alloc(&obj, ap, 0, 1, mutRnd(m, 100)), "alloc");
      check(len == 0 || (testobj_ok(held) && held->id == top));
      m->chains[k] = held;
      mutCheckChain(m, k);
    } else if (m->index == 0) {
      die(mps_arena_collect(arena), "mps_arena_collect");
      mps_arena_release(arena);
      ++m->collects;
    }
  }
  for (k = 0; k < NCHAIN; ++k)
    mutCheckChain(m, k);
}

static void *mutMain(void *p)
{
  Mutator *m = p;
  mps_thr_t thr;
  mps_root_t troot, rroot;
  mps_ap_t ap;
  void *cold = &cold;
  die(mps_thread_reg(&thr, arena), "mps_thread_reg");
  die(mps_root_create_thread(&troot, arena, thr, cold), "thread root");
  die(mps_root_create_table(&rroot, arena, mps_rank_exact(), 0, m->chains, NCHAIN),
      "chains root");
  die(mps_ap_create_k(&ap, mutPool, mps_args_none), "AP");
  mutWork(m, ap);
  mps_ap_destroy(ap);
  mps_root_destroy(rroot);
  mps_root_destroy(troot);
  mps_thread_dereg(thr);
  return NULL;
}

static void threadsPhase(unsigned long steps)
{
  static Mutator muts[NMUT];
  mps_fmt_t fmt;
  mps_chain_t chain;
  mps_gen_param_s gens[] = {{200, 0.8}};
  mps_word_t before;
  int i;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(testfmt_create(&fmt, arena, 0), "fmt");
  die(mps_chain_create(&chain, arena, 1, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&mutPool, arena, mps_class_ams(), args), "AMS pool");
  } MPS_ARGS_END(args);
  before = mps_collections(arena);
  for (i = 0; i < NMUT; ++i) {
    memset(&muts[i], 0, sizeof muts[i]);
    muts[i].index = i;
    muts[i].steps = steps;
    muts[i].state = testRandom() | 1;
    muts[i].nextId = 1;
    check(pthread_create(&muts[i].tid, NULL, mutMain, &muts[i]) == 0);
  }
  for (i = 0; i < NMUT; ++i)
    check(pthread_join(muts[i].tid, NULL) == 0);
  printf("threads: %d mutators, %lu collections (%lu explicit)\n", NMUT,
         (unsigned long)(mps_collections(arena) - before), muts[0].collects);
  check(mps_collections(arena) - before > muts[0].collects);  /* some by pressure */

  mps_arena_park(arena);
  mps_pool_destroy(mutPool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

int main(int argc, char *argv[])
{
  unsigned long steps = 150000;
  void *marker = &marker;

  testInit(argc, argv);
  if (getenv("TARN_UNDER_VALGRIND") != NULL)
    steps /= 8;
  stackCold = marker;
  runArena(0, steps);
  runArena(16, steps / 2);
  threadsPhase(steps / 8);
  return testPass();
}

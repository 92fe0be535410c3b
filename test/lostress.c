/* lostress.c: leaf objects in LO, held by AMS objects and by roots
 *
 * LO objects are testobj objects with no references, allocated on an LO
 * allocation point.  They are held by the reference fields of AMS
 * "parent" objects (themselves held by an exact table root), by an exact
 * table root, by a tagged area root (low bits 001 mark a reference), by an
 * ambiguous table root holding client pointers, and by the registered
 * thread's stack.  A model records what holds what.  The mutator
 * allocates leaves of every size (one word of data up to several
 * segments), moves and drops references, replaces parents, and collects,
 * explicitly and under allocation pressure.  After each collection:
 *  - every reachable leaf and parent is intact and in the right pool;
 *  - walks of both pools visit every reachable object once, and the
 *    pools' total - free equals the walked bytes plus the allocation
 *    points' unused buffers;
 *  - after a full collection made with the thread root destroyed, the
 *    walks visit exactly the reachable objects (dead leaves came back).
 * Leaves held only by locals of a deeper function survive a collection.
 * An unregistered thread reads and writes LO blocks that roots keep
 * alive while the main thread allocates and collects (contract 6.5).
 *
 * The whole run is repeated with in-band headers of 0, 8 and 16 bytes,
 * each in its own arena (testfmt keeps the header size in a global, so
 * one format exists at a time).
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscams.h"
#include "mpsclo.h"
#include <string.h>
#include <stdlib.h>
#include <pthread.h>

#define OBJ_MAX 32768
#define NPARENT 48
#define K 6                     /* references in a parent */
#define NLTABLE 64
#define NLTAGGED 32
#define NLAMBIG 16
#define NHOLDER (NPARENT * K + NLTABLE + NLTAGGED + NLAMBIG)
#define TAG_MASK ((mps_word_t)7)
#define TAG_REF ((mps_word_t)1)

typedef struct Obj {
  testobj_t addr;               /* NULL: model slot unused */
  mps_word_t id;
  size_t nrefs, ndata;
  int lo;                       /* a leaf in the LO pool */
  unsigned long mark;
} Obj;

static Obj objs[OBJ_MAX];
static int objsHigh = 0, freeList[OBJ_MAX], freeCount = 0;
static unsigned long epoch = 0;
static mps_word_t nextId = 1;

static int parentSlot[NPARENT];         /* model index of each parent */
static int holder[NHOLDER];             /* model index of the leaf held */
static mps_addr_t parentTable[NPARENT];
static mps_addr_t leafTable[NLTABLE];
static mps_word_t leafTagged[NLTAGGED];
static mps_addr_t leafAmbig[NLAMBIG];

static mps_arena_t arena;
static mps_pool_t amsPool, loPool;
static mps_ap_t amsAP, loAP;
static mps_thr_t thread;
static mps_root_t threadRoot = NULL;
static void *stackCold;
static unsigned long exactChecks, looseChecks, pressure, stackPhases;

/* The model */

static int modelNew(void)
{
  if (freeCount > 0)
    return freeList[--freeCount];
  check(objsHigh < OBJ_MAX);
  return objsHigh++;
}

static size_t randomNdata(void)
{
  unsigned long r = testRnd(1000);
  if (r < 600)
    return testRnd(8);
  if (r < 900)
    return 8 + testRnd(120);
  if (r < 990)
    return 128 + testRnd(2000);
  return 8000 + testRnd(12000);   /* one to three segments */
}

static int newObj(int lo)
{
  int o;
  testobj_t obj;
  size_t nrefs = lo ? 0 : K;
  size_t ndata = lo ? randomNdata() : testRnd(8);
  mps_word_t id = nextId++;
  die(testobj_alloc(&obj, lo ? loAP : amsAP, id, nrefs, ndata), "testobj_alloc");
  o = modelNew();
  objs[o].addr = obj;
  objs[o].id = id;
  objs[o].nrefs = nrefs;
  objs[o].ndata = ndata;
  objs[o].lo = lo;
  objs[o].mark = 0;
  return o;
}

static mps_addr_t addrOf(int o)
{
  return o < 0 ? NULL : (mps_addr_t)objs[o].addr;
}

/* Holders 0 .. NPARENT*K-1 are parents' fields, then the roots. */
static int holderUsable(int h)
{
  return h >= NPARENT * K || parentSlot[h / K] >= 0;
}

static void setHolder(int h, int o)
{
  check(holderUsable(h));
  check(o < 0 || objs[o].lo);
  holder[h] = o;
  if (h < NPARENT * K) {
    objs[parentSlot[h / K]].addr->refs[h % K] = addrOf(o);
    return;
  }
  h -= NPARENT * K;
  if (h < NLTABLE) {
    leafTable[h] = addrOf(o);
    return;
  }
  h -= NLTABLE;
  if (h < NLTAGGED) {
    leafTagged[h] = o < 0 ? (testRandom() << 3) | 4 : (mps_word_t)addrOf(o) | TAG_REF;
    return;
  }
  h -= NLTAGGED;
  check(h < NLAMBIG);
  leafAmbig[h] = addrOf(o);
}

static void setParent(int i, int o)
{
  int j;
  parentSlot[i] = o;
  parentTable[i] = addrOf(o);
  for (j = 0; j < K; ++j)
    holder[i * K + j] = -1;     /* a new parent's fields are NULL */
}

static int randomHolder(void)
{
  int h, tries;
  for (tries = 0; tries < 16; ++tries) {
    h = (int)testRnd(NHOLDER);
    if (holderUsable(h))
      return h;
  }
  return NPARENT * K + (int)testRnd(NLTABLE);
}

static int randomLeaf(void)
{
  int tries;
  for (tries = 0; tries < 16; ++tries) {
    int h = (int)testRnd(NHOLDER);
    if (holderUsable(h) && holder[h] >= 0)
      return holder[h];
  }
  return -1;
}

static void markObj(int o, size_t *n, size_t bytes[2])
{
  if (o < 0 || objs[o].mark == epoch)
    return;
  objs[o].mark = epoch;
  ++*n;
  bytes[objs[o].lo] += testobj_size(objs[o].nrefs, objs[o].ndata);
}

static size_t modelReachable(size_t bytes[2])
{
  size_t n = 0;
  int i;
  ++epoch;
  bytes[0] = bytes[1] = 0;
  for (i = 0; i < NPARENT; ++i)
    markObj(parentSlot[i], &n, bytes);
  for (i = 0; i < NHOLDER; ++i)
    if (holderUsable(i))
      markObj(holder[i], &n, bytes);
  return n;
}

/* Walking */

typedef struct Walk {
  mps_addr_t *addrs;
  size_t n, cap, bytes;
} Walk;

static mps_res_t walkArea(mps_ss_t ss, void *base, void *limit, void *closure)
{
  Walk *w = closure;
  char *p = base;
  (void)ss;
  while (p < (char *)limit) {
    char *next = testfmt_skip(p);
    if (w->n < w->cap)
      w->addrs[w->n] = p;
    ++w->n;
    w->bytes += (size_t)(next - p);
    p = next;
  }
  return MPS_RES_OK;
}

static void walkPool(Walk *w, mps_pool_t pool)
{
  w->cap = mps_pool_total_size(pool) / (3 * sizeof(mps_word_t)) + 16;
  w->addrs = malloc(w->cap * sizeof *w->addrs);
  check(w->addrs != NULL);
  w->n = w->bytes = 0;
  die(mps_pool_walk(pool, walkArea, w), "mps_pool_walk");
  check(w->n <= w->cap);
}

static size_t apUnused(mps_ap_t a)
{
  return a->limit == NULL ? 0 : (size_t)((char *)a->limit - (char *)a->init);
}

static int cmpAddr(const void *a, const void *b)
{
  mps_word_t x = (mps_word_t)*(mps_addr_t const *)a, y = (mps_word_t)*(mps_addr_t const *)b;
  return x < y ? -1 : x > y;
}

/* Check one pool: returns the number of reachable objects visited. */
static size_t checkPool(mps_pool_t pool, mps_ap_t ap, int lo, int exact, size_t liveBytes)
{
  Walk w;
  size_t i, visited = 0, extra = 0;
  int o;
  walkPool(&w, pool);
  check(w.bytes + apUnused(ap) == mps_pool_total_size(pool) - mps_pool_free_size(pool));
  qsort(w.addrs, w.n, sizeof *w.addrs, cmpAddr);
  for (i = 1; i < w.n; ++i)
    check(w.addrs[i - 1] != w.addrs[i]);        /* each visited once */
  for (o = 0; o < objsHigh; ++o) {
    if (objs[o].addr == NULL || objs[o].mark != epoch || objs[o].lo != lo)
      continue;
    check(bsearch(&objs[o].addr, w.addrs, w.n, sizeof *w.addrs, cmpAddr) != NULL);
    ++visited;
  }
  extra = w.n - visited;
  if (exact) {
    check(extra == 0);
    check(w.bytes == liveBytes);
  }
  free(w.addrs);
  return visited;
}

static void checkHeap(int exact)
{
  size_t bytes[2], n, i;
  int o;
  n = modelReachable(bytes);
  for (o = 0; o < objsHigh; ++o) {
    mps_pool_t p = NULL;
    if (objs[o].addr == NULL || objs[o].mark != epoch)
      continue;
    check(testobj_ok(objs[o].addr));
    check(objs[o].addr->id == objs[o].id);
    check(testobj_ndata(objs[o].addr) == objs[o].ndata);
    check(mps_addr_pool(&p, arena, objs[o].addr));
    check(p == (objs[o].lo ? loPool : amsPool));
  }
  for (i = 0; i < NPARENT; ++i) {
    int j;
    if (parentSlot[i] < 0)
      continue;
    for (j = 0; j < K; ++j)
      check(objs[parentSlot[i]].addr->refs[j] == addrOf(holder[i * K + j]));
  }
  check(checkPool(loPool, loAP, 1, exact, bytes[1])
        + checkPool(amsPool, amsAP, 0, exact, bytes[0]) == n);
  if (exact)
    ++exactChecks;
  else
    ++looseChecks;
  for (o = 0; o < objsHigh; ++o)
    if (objs[o].addr != NULL && objs[o].mark != epoch) {
      objs[o].addr = NULL;
      freeList[freeCount++] = o;
    }
}

static void collectAndCheck(int exact)
{
  mps_arena_park(arena);
  if (exact) {
    mps_root_destroy(threadRoot);
    threadRoot = NULL;
  }
  die(mps_arena_collect(arena), "mps_arena_collect");
  checkHeap(exact);
  if (exact)
    die(mps_root_create_thread(&threadRoot, arena, thread, stackCold), "thread root");
  mps_arena_release(arena);
}

/* Leaves held only by this frame survive. */
#define NSTACK 12
static void __attribute__((noinline)) stackPhase(void)
{
  testobj_t local[NSTACK];
  mps_word_t ids[NSTACK];
  Walk w;
  size_t i;
  for (i = 0; i < NSTACK; ++i) {
    ids[i] = nextId;
    die(testobj_alloc(&local[i], loAP, nextId++, 0, randomNdata()), "stack leaf");
  }
  die(mps_arena_collect(arena), "mps_arena_collect");
  walkPool(&w, loPool);
  qsort(w.addrs, w.n, sizeof *w.addrs, cmpAddr);
  for (i = 0; i < NSTACK; ++i) {
    check(testobj_ok(local[i]));
    check(local[i]->id == ids[i]);
    check(bsearch(&local[i], w.addrs, w.n, sizeof *w.addrs, cmpAddr) != NULL);
  }
  free(w.addrs);
  mps_arena_release(arena);
  ++stackPhases;
}

static void __attribute__((noinline)) stackDeep(unsigned depth)
{
  volatile mps_word_t pad[4];
  pad[0] = depth;
  pad[1] = pad[2] = pad[3] = testRandom();
  if (depth == 0)
    stackPhase();
  else
    stackDeep(depth - 1);
  check(pad[0] == depth);
}

static void step(void)
{
  unsigned long r = testRnd(100);
  int o;
  if (r < 40) {
    o = newObj(1);
    setHolder(randomHolder(), o);
  } else if (r < 48) {
    o = newObj(0);
    setParent((int)testRnd(NPARENT), o);
  } else if (r < 70) {
    setHolder(randomHolder(), randomLeaf());
  } else if (r < 92) {
    setHolder(randomHolder(), -1);
  } else {
    setParent((int)testRnd(NPARENT), -1);
  }
}

/* An unregistered thread may use LO blocks that something keeps alive. */
typedef struct Reader {
  testobj_t leaves[8];
  mps_word_t ids[8];
  volatile int stop;
  unsigned long rounds;
  int bad;
} Reader;

static void *readerMain(void *p)
{
  Reader *r = p;
  while (!r->stop || r->rounds < 10) {
    size_t i, j;
    for (i = 0; i < 8; ++i) {
      testobj_t leaf = r->leaves[i];
      mps_word_t *data = (mps_word_t *)&leaf->refs[0];
      size_t n = testobj_ndata(leaf);
      if (!testobj_ok(leaf) || leaf->id != r->ids[i])
        r->bad = 1;
      /* Write the data, read it back, restore the pattern. */
      for (j = 0; j < n; ++j)
        data[j] = ~testobj_pattern(leaf->id, j);
      for (j = 0; j < n; ++j)
        if (data[j] != ~testobj_pattern(leaf->id, j))
          r->bad = 1;
      for (j = 0; j < n; ++j)
        data[j] = testobj_pattern(leaf->id, j);
    }
    ++r->rounds;
  }
  return NULL;
}

static void unregisteredReader(unsigned long steps)
{
  static mps_addr_t pinned[8];
  static Reader reader;
  mps_root_t root;
  pthread_t tid;
  unsigned long i;
  size_t k;
  memset(&reader, 0, sizeof reader);
  memset(pinned, 0, sizeof pinned);
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, pinned, 8), "pinned root");
  for (k = 0; k < 8; ++k) {
    reader.ids[k] = nextId;
    die(testobj_alloc(&reader.leaves[k], loAP, nextId++, 0, 1 + testRnd(64)), "leaf");
    pinned[k] = reader.leaves[k];
  }
  check(pthread_create(&tid, NULL, readerMain, &reader) == 0);
  for (i = 0; i < steps; ++i) {
    step();
    if (i % 200 == 0) {
      die(mps_arena_collect(arena), "mps_arena_collect");
      mps_arena_release(arena);
    }
  }
  reader.stop = 1;
  check(pthread_join(tid, NULL) == 0);
  check(!reader.bad);
  for (k = 0; k < 8; ++k)
    check(testobj_ok(reader.leaves[k]));
  mps_root_destroy(root);
}

static void __attribute__((noinline)) runOnce(size_t headerSize, unsigned long steps)
{
  mps_fmt_t fmt;
  mps_chain_t chain;
  mps_gen_param_s gens[] = {{256, 0.8}};
  mps_root_t rParents, rTable, rTagged, rAmbig;
  mps_word_t seen;
  unsigned long i;
  size_t used;
  int h;

  objsHigh = freeCount = 0;
  exactChecks = looseChecks = pressure = stackPhases = 0;
  memset(objs, 0, sizeof objs);
  for (i = 0; i < NPARENT; ++i) {
    parentSlot[i] = -1;
    parentTable[i] = NULL;
  }
  for (h = 0; h < NHOLDER; ++h)
    holder[h] = -1;
  memset(leafTable, 0, sizeof leafTable);
  memset(leafAmbig, 0, sizeof leafAmbig);
  for (i = 0; i < NLTAGGED; ++i)
    leafTagged[i] = 4;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "thread");
  die(testfmt_create(&fmt, arena, headerSize), "format");
  check(testfmt_header_size() == headerSize);
  die(mps_chain_create(&chain, arena, 1, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&amsPool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&loPool, arena, mps_class_lo(), args), "LO");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&amsAP, amsPool, mps_args_none), "AMS AP");
  die(mps_ap_create_k(&loAP, loPool, mps_args_none), "LO AP");
  die(mps_root_create_table(&rParents, arena, mps_rank_exact(), 0, parentTable, NPARENT),
      "parents root");
  die(mps_root_create_table(&rTable, arena, mps_rank_exact(), 0, leafTable, NLTABLE),
      "leaf table root");
  die(mps_root_create_area_tagged(&rTagged, arena, mps_rank_exact(), 0, leafTagged,
                                  leafTagged + NLTAGGED, mps_scan_area_tagged,
                                  TAG_MASK, TAG_REF), "tagged root");
  die(mps_root_create_table(&rAmbig, arena, mps_rank_ambig(), 0, leafAmbig, NLAMBIG),
      "ambiguous root");
  die(mps_root_create_thread(&threadRoot, arena, thread, stackCold), "thread root");

  seen = mps_collections(arena);
  for (i = 0; i < steps; ++i) {
    step();
    if (mps_collections(arena) != seen) {
      ++pressure;
      mps_arena_park(arena);
      checkHeap(0);
      mps_arena_release(arena);
    }
    if (testRnd(steps / 30 + 1) == 0)
      collectAndCheck(testRnd(3) != 0);
    if (i == steps / 3 || testRnd(steps / 3 + 1) == 0)
      stackDeep(1 + (unsigned)testRnd(4));
    seen = mps_collections(arena);
  }
  unregisteredReader(steps / 10 + 100);
  collectAndCheck(1);

  /* Everything dropped: both pools give everything back. */
  mps_arena_park(arena);
  used = mps_pool_total_size(loPool) - mps_pool_free_size(loPool);
  check(used > 0);
  for (i = 0; i < NPARENT; ++i)
    setParent((int)i, -1);
  for (h = NPARENT * K; h < NHOLDER; ++h)
    setHolder(h, -1);
  mps_root_destroy(threadRoot);
  threadRoot = NULL;
  die(mps_arena_collect(arena), "mps_arena_collect");
  checkHeap(1);
  check(mps_pool_free_size(loPool) == mps_pool_total_size(loPool));
  check(mps_pool_free_size(amsPool) == mps_pool_total_size(amsPool));
  printf("header %lu: collections %lu (pressure %lu), checks exact %lu loose %lu, "
         "stack phases %lu, LO used at end %lu -> 0\n",
         (unsigned long)headerSize, (unsigned long)mps_collections(arena), pressure,
         exactChecks, looseChecks, stackPhases, (unsigned long)used);
  check(pressure > 0 && exactChecks > 2 && stackPhases > 0);

  mps_root_destroy(rAmbig);
  mps_root_destroy(rTagged);
  mps_root_destroy(rTable);
  mps_root_destroy(rParents);
  mps_ap_destroy(loAP);
  mps_ap_destroy(amsAP);
  mps_pool_destroy(loPool);
  mps_pool_destroy(amsPool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
}

int main(int argc, char *argv[])
{
  unsigned long steps = 120000;
  void *marker = &marker;
  testInit(argc, argv);
  stackCold = marker;
  if (getenv("TARN_UNDER_VALGRIND") != NULL)
    steps /= 8;
  runOnce(0, steps);
  runOnce(8, steps);
  runOnce(16, steps);
  return testPass();
}

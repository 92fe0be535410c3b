/* cbstest.c: the coalescing block structure against a reference model
 *
 * The model is a byte per alignment unit of a test block (1 = in the
 * set).  Random inserts, deletes, batch inserts and finds of every kind
 * are applied to both, and after each operation the results are compared:
 * the returned ranges, CBSSize, and (regularly) the full list of ranges
 * from CBSIterate, which must be the maximal runs of the model, in
 * address order, and CBSCheckDeep.  It runs for several alignments,
 * including one word, where one-unit ranges exercise the one-word layout
 * of the emergency list.
 *
 * The emergency path is driven by exhausting the control allocator under
 * a commit limit: further inserts then cannot get nodes, so ranges go on
 * the in-band emergency list; the test goes on checking every operation
 * (finds and deletes must see those ranges), then lifts the limit and
 * checks that the ranges reach the tree.
 *
 * The CBS is used from a single thread here, so the test calls it without
 * entering the arena (its only arena calls are to the control allocator).
 */

#include "testlib.h"
#include "mpsavm.h"
#include "cbs.h"
#include "arena.h"
#include "control.h"
#include <string.h>

#define UNITS 4096              /* alignment units in the test block */
#define MAX_RANGES (UNITS / 2 + 1)

static Byte model[UNITS];       /* 1: unit in the set */
static Count modelUnits;        /* units in the set */
static Addr blockBase;          /* the test block */
static Align unit;              /* the CBS alignment */
static Bool emergencyMode;      /* ranges may be non-maximal */

static RangeStruct listed[MAX_RANGES];
static Count listedCount;

static Addr addrOf(Index i)
{
  return AddrAdd(blockBase, i * unit);
}

static Index indexOf(Addr a)
{
  check(a >= blockBase && a <= addrOf(UNITS));
  check(AddrIsAligned(a, unit));
  return AddrOffset(blockBase, a) / unit;
}

static Count modelCount(void)
{
  return modelUnits;
}

static void modelSet(Range r, Byte v)
{
  Index i;
  for (i = indexOf(r->base); i < indexOf(r->limit); ++i) {
    check(model[i] != v);
    model[i] = v;
    if (v)
      ++modelUnits;
    else
      --modelUnits;
  }
}

static Bool modelAll(Range r, Byte v)
{
  Index i;
  for (i = indexOf(r->base); i < indexOf(r->limit); ++i)
    if (model[i] != v)
      return FALSE;
  return TRUE;
}

/* The maximal run of set units containing unit i. */
static void modelRun(Range r, Index i)
{
  Index lo = i, hi = i;
  check(model[i]);
  while (lo > 0 && model[lo - 1])
    --lo;
  while (hi < UNITS && model[hi])
    ++hi;
  RangeInit(r, addrOf(lo), addrOf(hi));
}

static Bool listVisit(CBS cbs, Range range, void *closure)
{
  (void)cbs;
  (void)closure;
  check(listedCount < MAX_RANGES);
  listed[listedCount++] = *range;
  return TRUE;
}

/* Take the CBS's list of ranges and check it against the model: in
 * order, disjoint, covering exactly the set, and (outside emergencies)
 * maximal. */
static void checkList(CBS cbs)
{
  Index i, u = 0;
  Count total = 0, units;
  listedCount = 0;
  CBSIterate(cbs, listVisit, NULL);
  for (i = 0; i < listedCount; ++i) {
    Index b = indexOf(listed[i].base), l = indexOf(listed[i].limit);
    check(b < l);
    check(b >= u);
    if (!emergencyMode)
      check(i == 0 || b > u);   /* never touching: maximal */
    for (; u < b; ++u)
      check(!model[u]);
    for (; u < l; ++u)
      check(model[u]);
    total += l - b;
  }
  for (; u < UNITS; ++u)
    check(!model[u]);
  for (u = 0, units = 0; u < UNITS; ++u)
    units += model[u];
  check(units == modelCount());
  check(total == modelCount());
  check(CBSSize(cbs) == total * unit);
  check(CBSCheckDeep(cbs));
}

/* A random free run in the model, at most maxLen units: FALSE if the
 * chosen start is in the set. */
static Bool pickFree(Range r, Count maxLen)
{
  Index i = testRnd(UNITS), j = i + 1;
  Count len = 1 + testRnd(maxLen);
  if (model[i])
    return FALSE;
  while (j < UNITS && j - i < len && !model[j])
    ++j;
  RangeInit(r, addrOf(i), addrOf(j));
  return TRUE;
}

static void testInsert(CBS cbs)
{
  RangeStruct r, got, run;
  if (!pickFree(&r, testRnd(4) == 0 ? 64 : 4))
    return;
  CBSInsert(&got, cbs, &r);
  modelSet(&r, 1);
  check(got.base <= r.base && r.limit <= got.limit);
  check(modelAll(&got, 1));
  if (!emergencyMode) {
    modelRun(&run, indexOf(r.base));
    check(got.base == run.base && got.limit == run.limit);
  }
}

static void testInsertMany(CBS cbs)
{
  RangeStruct batch[200], copy[200];
  Count n = 0, want = 1 + testRnd(200), tries;
  Index i;
  for (tries = 0; tries < 4 * want && n < want; ++tries) {
    RangeStruct r;
    if (!pickFree(&r, 3))
      continue;
    /* Keep the batch ranges apart: mark them in the model as we go. */
    modelSet(&r, 1);
    batch[n++] = r;
  }
  memcpy(copy, batch, n * sizeof(RangeStruct));
  if (testRnd(2) == 0) {
    CBSInsertMany(cbs, batch, n);
  } else {
    /* Small isolated runs are handed back, not added. */
    Size minSize = (1 + testRnd(8)) * unit;
    Count left;
    CBSInsertManyLarge(&left, cbs, batch, n, minSize);
    check(left <= n);
    for (i = 0; i < left; ++i) {
      check(RangeSize(&batch[i]) < minSize);
      modelSet(&batch[i], 0);
    }
    for (i = 0; i < left; ++i) {
      Index b = indexOf(batch[i].base), l = indexOf(batch[i].limit);
      check(b == 0 || !model[b - 1]);       /* touched nothing */
      check(l == UNITS || !model[l]);
    }
    for (i = 0; i < n; ++i) {
      Index u;
      Bool kept = FALSE;
      for (u = 0; u < left; ++u)
        if (batch[u].base <= copy[i].base && copy[i].limit <= batch[u].limit)
          kept = TRUE;
      check(kept || modelAll(&copy[i], 1));
    }
    return;
  }
  for (i = 0; i < n; ++i)
    check(modelAll(&copy[i], 1));
}

static void testDelete(CBS cbs)
{
  RangeStruct r, old, run;
  Index i = testRnd(UNITS), j;
  Res res;
  if (!model[i])
    return;
  modelRun(&run, i);
  if (emergencyMode) {
    /* The range must lie inside one range of the CBS, and during an
     * emergency those need not be maximal. */
    Index k;
    listedCount = 0;
    CBSIterate(cbs, listVisit, NULL);
    for (k = 0; k < listedCount; ++k)
      if (addrOf(i) < listed[k].limit)
        break;
    check(k < listedCount && listed[k].base <= addrOf(i));
    run = listed[k];
  }
  j = i + 1 + testRnd(indexOf(run.limit) - i);
  if (testRnd(4) == 0)
    i = indexOf(run.base);      /* from the start of the run */
  RangeInit(&r, addrOf(i), addrOf(j));
  res = CBSDelete(&old, cbs, &r);
  check(res == ResOK);
  check(old.base <= r.base && r.limit <= old.limit);
  check(modelAll(&old, 1));
  if (!emergencyMode)
    check(old.base == run.base && old.limit == run.limit);
  modelSet(&r, 0);
}

/* What a find should answer, from the CBS's own list (outside
 * emergencies, the maximal runs, as checkList ensures). */
static Bool expectFind(Range r, int kind, Size size)
{
  Index i;
  Bool found = FALSE;
  for (i = 0; i < listedCount; ++i) {
    Size s = RangeSize(&listed[i]);
    if (s < size)
      continue;
    if (!found || kind == 1 || (kind == 2 && s > RangeSize(r))) {
      *r = listed[i];
      found = TRUE;
      if (kind == 0)
        break;
    }
  }
  return found;
}

static void testFind(CBS cbs)
{
  int kind = (int)testRnd(3);
  FindDelete fd = (FindDelete)testRnd(4);
  Size size = (1 + testRnd(testRnd(8) == 0 ? 200 : 8)) * unit;
  RangeStruct want, got, old;
  Bool found, expected;

  RangeInit(&want, NULL, NULL);
  listedCount = 0;
  CBSIterate(cbs, listVisit, NULL);
  expected = expectFind(&want, kind, size);
  switch (kind) {
  case 0:
    found = CBSFindFirst(&got, &old, cbs, size, fd);
    break;
  case 1:
    found = CBSFindLast(&got, &old, cbs, size, fd);
    break;
  default:
    found = CBSFindLargest(&got, &old, cbs, size, fd);
    break;
  }
  check(found == expected);
  if (!found)
    return;
  check(old.base == want.base && old.limit == want.limit);
  switch (fd) {
  case FindDeleteLOW:
    check(got.base == old.base && RangeSize(&got) == size);
    break;
  case FindDeleteHIGH:
    check(got.limit == old.limit && RangeSize(&got) == size);
    break;
  default:
    check(got.base == old.base && got.limit == old.limit);
    break;
  }
  if (fd != FindDeleteNONE)
    modelSet(&got, 0);
}

static void (*afterOp)(void) = NULL;

static void randomOps(CBS cbs, Count ops)
{
  Count k;
  for (k = 0; k < ops; ++k) {
    if (afterOp != NULL)
      afterOp();
    unsigned long op = testRnd(100);
    if (op < 40)
      testInsert(cbs);
    else if (op < 43)
      testInsertMany(cbs);
    else if (op < 70)
      testDelete(cbs);
    else
      testFind(cbs);
    check(CBSSize(cbs) == modelCount() * unit);
    if (k % 64 == 0)
      checkList(cbs);
  }
  checkList(cbs);
}

static void setupBlock(void *mem, Align align)
{
  unit = align;
  blockBase = AddrAlignUp((Addr)mem, 4096);
  memset(model, 0, sizeof model);
  modelUnits = 0;
}

/* Deterministic checks of coalescing, in both directions and bridging. */
static void testCoalescing(Arena arena)
{
  CBSStruct cbsStruct;
  CBS cbs = &cbsStruct;
  RangeStruct r, got;
  die(CBSInit(cbs, arena, unit), "CBSInit");
  RangeInit(&r, addrOf(10), addrOf(20));
  CBSInsert(&got, cbs, &r);
  check(got.base == addrOf(10) && got.limit == addrOf(20));
  RangeInit(&r, addrOf(30), addrOf(40));
  CBSInsert(&got, cbs, &r);
  check(got.base == addrOf(30) && got.limit == addrOf(40));
  RangeInit(&r, addrOf(20), addrOf(25));         /* joins the lower */
  CBSInsert(&got, cbs, &r);
  check(got.base == addrOf(10) && got.limit == addrOf(25));
  RangeInit(&r, addrOf(26), addrOf(30));         /* joins the upper */
  CBSInsert(&got, cbs, &r);
  check(got.base == addrOf(26) && got.limit == addrOf(40));
  RangeInit(&r, addrOf(25), addrOf(26));         /* bridges both */
  CBSInsert(&got, cbs, &r);
  check(got.base == addrOf(10) && got.limit == addrOf(40));
  check(cbs->nodes == 1);
  check(CBSSize(cbs) == 30 * unit);
  RangeInit(&r, addrOf(15), addrOf(16));         /* splits */
  die(CBSDelete(&got, cbs, &r), "CBSDelete");
  check(got.base == addrOf(10) && got.limit == addrOf(40));
  check(cbs->nodes == 2);
  check(CBSCheckDeep(cbs));
  CBSFinish(cbs);
}

static void testNormal(Arena arena, Align align, Count ops)
{
  void *mem = malloc(UNITS * align + 4096);
  CBSStruct cbsStruct;
  CBS cbs = &cbsStruct;
  check(mem != NULL);
  setupBlock(mem, align);
  emergencyMode = FALSE;
  testCoalescing(arena);
  die(CBSInit(cbs, arena, align), "CBSInit");
  check(CBSCheck(cbs));
  randomOps(cbs, ops);
  check(cbs->emergencyCount == 0);
  printf("  alignment %lu: %lu ops, %lu ranges at the end\n",
         (unsigned long)align, (unsigned long)ops, (unsigned long)listedCount);
  CBSFinish(cbs);
  free(mem);
}

/* A batch far larger and wider than the model's block: thousands of
 * isolated 16-byte ranges whose bases differ in up to 36 bits, so that
 * the batch's radix sort uses its widest digits and several passes, and
 * a second batch that touches them all.  The addresses are never
 * touched (the CBS keeps its nodes in control memory, and there is
 * plenty of it, so no range goes on the in-band emergency list). */
#define WIDE_COUNT 6000
#define WIDE_SPAN_SHIFT 36

static Addr wideBase;
static RangeStruct wideSeen[2 * WIDE_COUNT];
static Count wideSeenCount;

static Bool wideVisit(CBS cbs, Range range, void *closure)
{
  (void)cbs;
  (void)closure;
  check(wideSeenCount < 2 * WIDE_COUNT);
  wideSeen[wideSeenCount++] = *range;
  return TRUE;
}

static int wideCompare(const void *a, const void *b)
{
  Addr x = ((const RangeStruct *)a)->base, y = ((const RangeStruct *)b)->base;
  return x < y ? -1 : x > y;
}

static void testWideBatch(Arena arena)
{
  static RangeStruct batch[WIDE_COUNT], want[WIDE_COUNT];
  CBSStruct cbsStruct;
  CBS cbs = &cbsStruct;
  Count n = 0, left, i;
  wideBase = (Addr)((Word)1 << 40);
  die(CBSInit(cbs, arena, 16), "CBSInit");
  /* Distinct bases, 32 bytes apart at least: random slots of a bitmap. */
  while (n < WIDE_COUNT) {
    Word slot = ((Word)testRnd(1UL << 20) << (WIDE_SPAN_SHIFT - 5 - 20))
                | testRnd(1UL << (WIDE_SPAN_SHIFT - 5 - 20));
    Addr b = AddrAdd(wideBase, slot << 5);
    for (i = 0; i < n && want[i].base != b; ++i) {
    }
    if (i < n)
      continue;
    RangeInit(&want[n], b, AddrAdd(b, 16));
    batch[n] = want[n];
    ++n;
  }
  CBSInsertManyLarge(&left, cbs, batch, n, 0);
  check(left == 0);
  qsort(want, n, sizeof want[0], wideCompare);
  wideSeenCount = 0;
  CBSIterate(cbs, wideVisit, NULL);
  check(wideSeenCount == n);
  for (i = 0; i < n; ++i)
    check(wideSeen[i].base == want[i].base && wideSeen[i].limit == want[i].limit);
  /* The gaps' first halves: every range grows to 32 bytes, none merges
   * with the next (at least 32 bytes on). */
  for (i = 0; i < n; ++i)
    RangeInit(&batch[i], want[i].limit, AddrAdd(want[i].limit, 16));
  CBSInsertManyLarge(&left, cbs, batch, n, 0);
  check(left == 0);
  wideSeenCount = 0;
  CBSIterate(cbs, wideVisit, NULL);
  for (i = 0; i < wideSeenCount; ++i)
    check(RangeSize(&wideSeen[i]) % 32 == 0);
  check(CBSSize(cbs) == n * 32);
  check(CBSCheckDeep(cbs));
  printf("  wide batch: %lu ranges over 2^%d bytes sorted and merged\n",
         (unsigned long)n, WIDE_SPAN_SHIFT);
  CBSFinish(cbs);
}

#define HOARD_MAX 100000

static Arena hoardArena;
static void *hoard[HOARD_MAX];
static Size hoardSize[HOARD_MAX];
static Count hoarded = 0;

/* Take every control block a node could use. */
static void hoardAll(void)
{
  Size s;
  for (s = 16; s <= 64; s += 16) {
    while (hoarded < HOARD_MAX && ControlAlloc(&hoard[hoarded], hoardArena, s) == ResOK)
      hoardSize[hoarded++] = s;
  }
  check(hoarded < HOARD_MAX);
}

static void testEmergency(Align align)
{
  mps_arena_t mpsArena;
  Arena arena;
  void *mem = malloc(UNITS * align + 4096);
  Count i, emergencies = 0;
  CBSStruct cbsStruct;
  CBS cbs = &cbsStruct;
  RangeStruct r, got;

  check(mem != NULL);
  setupBlock(mem, align);
  die(mps_arena_create_k(&mpsArena, mps_arena_class_vm(), mps_args_none),
      "mps_arena_create_k");
  arena = (Arena)mpsArena;
  die(CBSInit(cbs, arena, align), "CBSInit");

  /* Some ranges in the tree first. */
  emergencyMode = FALSE;
  randomOps(cbs, 500);

  /* Exhaust node memory: no more commitment, and every control block of
   * the sizes a node might have taken. */
  /* No spare memory either: the arena would give it up to make room. */
  mps_arena_spare_set(mpsArena, 0.0);
  die(mps_arena_commit_limit_set(mpsArena, mps_arena_committed(mpsArena)),
      "commit_limit_set");
  hoardArena = arena;
  hoarded = 0;
  hoardAll();

  /* Isolated single units cannot coalesce, so each needs a node. */
  emergencyMode = TRUE;
  for (i = 0; i < UNITS; i += 3) {
    if (model[i] || (i > 0 && model[i - 1]) || (i + 1 < UNITS && model[i + 1]))
      continue;
    RangeInit(&r, addrOf(i), addrOf(i + 1));
    CBSInsert(&got, cbs, &r);
    modelSet(&r, 1);
    check(got.base == r.base && got.limit == r.limit);
  }
  check(cbs->emergencyCount > 0);
  emergencies = cbs->emergencyCount;
  checkList(cbs);

  /* Everything keeps working while the list is in use: first with nodes
   * freed by deletions taken away again at once, so that the list stays;
   * then letting them be used, so that ranges move into the tree. */
  afterOp = hoardAll;
  randomOps(cbs, 1000);
  afterOp = NULL;
  randomOps(cbs, 2000);
  printf("  alignment %lu: %lu emergency ranges, %lu after random ops\n",
         (unsigned long)align, (unsigned long)emergencies,
         (unsigned long)cbs->emergencyCount);

  /* Lift the limit and give the hoard back: the next operation moves the
   * list into the tree, and nothing was lost. */
  die(mps_arena_commit_limit_set(mpsArena, (size_t)-1), "commit_limit_set");
  for (i = 0; i < hoarded; ++i)
    ControlFree(arena, hoard[i], hoardSize[i]);
  check(CBSFlush(cbs));
  check(cbs->emergencyCount == 0);
  check(cbs->emergency == NULL);
  emergencyMode = FALSE;
  checkList(cbs);
  randomOps(cbs, 1000);
  check(cbs->emergencyCount == 0);

  CBSFinish(cbs);
  mps_arena_destroy(mpsArena);
  free(mem);
}

int main(int argc, char *argv[])
{
  mps_arena_t arena;
  static const Align aligns[] = {sizeof(Word), 16, 64, 4096};
  Index i;

  testInit(argc, argv);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none),
      "mps_arena_create_k");
  for (i = 0; i < sizeof aligns / sizeof aligns[0]; ++i)
    testNormal((Arena)arena, aligns[i], aligns[i] == 4096 ? 5000 : 20000);
  testWideBatch((Arena)arena);
  mps_arena_destroy(arena);

  testEmergency(sizeof(Word));
  testEmergency(32);
  return testPass();
}

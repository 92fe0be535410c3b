/* tracttest.c: unit tests of the tract layer: bit tables, zone sets, grain
 * allocation, the flat tract table across several chunks, commitment
 * accounting, spare memory and the commit limit.  Uses internal headers. */

#include "testlib.h"
#include "arena.h"
#include "bt.h"
#include "mpsavm.h"
#include <string.h>

#define BITS 1000

static void testBT(void)
{
  Word table[BT_WORDS(BITS)];
  unsigned char model[BITS];
  int round;
  memset(model, 0, sizeof model);
  BTResRange(table, 0, BITS);
  for (round = 0; round < 20000; ++round) {
    Index base = testRnd(BITS), limit = base + testRnd(BITS - base + 1), i;
    Count n = 1 + testRnd(40);
    Index rb, rl, mb, crb, crl;
    Count enough;
    Bool found, mfound;
    switch (testRnd(4)) {
    case 0:
      BTSetRange(table, base, limit);
      memset(model + base, 1, limit - base);
      break;
    case 1:
      BTResRange(table, base, limit);
      memset(model + base, 0, limit - base);
      break;
    case 2: {
      Bool set = TRUE, res = TRUE;
      Count count = 0;
      for (i = base; i < limit; ++i) {
        set = set && model[i];
        res = res && !model[i];
        count += model[i];
      }
      check(BTIsSetRange(table, base, limit) == set);
      check(BTIsResRange(table, base, limit) == res);
      check(BTCountSet(table, base, limit) == count);
      for (i = base; i < limit && !model[i]; ++i) ;
      check(BTFindSet(table, base, limit) == i);
      for (i = limit; i > base && !model[i - 1]; --i) ;
      check(BTFindSetHigh(table, base, limit) == (i > base ? i - 1 : limit));
      break;
    }
    default:
      /* Runs of reset bits, lowest and highest, against the model. */
      found = BTFindResRun(&rb, &rl, table, base, limit, n);
      mfound = FALSE;
      for (mb = base; mb + n <= limit; ++mb) {
        for (i = mb; i < mb + n && !model[i]; ++i) ;
        if (i == mb + n) { mfound = TRUE; break; }
      }
      check(found == mfound);
      if (found) {
        check(rb == mb);
        check(rl - rb >= n);
        check(BTIsResRange(table, rb, rl));
        check(rl == limit || model[rl]);
        /* Capped: the same start, the end no further than enough. */
        enough = n + testRnd(4);
        check(BTFindResRunCapped(&crb, &crl, table, base, limit, n, enough));
        check(crb == rb);
        check(crl == (rl - rb > enough ? rb + enough : rl));
      }
      found = BTFindResRunHigh(&rb, &rl, table, base, limit, n);
      mfound = FALSE;
      for (mb = limit; mb >= base + n; --mb) {
        for (i = mb - n; i < mb && !model[i]; ++i) ;
        if (i == mb) { mfound = TRUE; break; }
      }
      check(found == mfound);
      if (found) {
        check(rl == mb);
        check(BTIsResRange(table, rb, rl));
        check(rb == base || model[rb - 1]);
        enough = n + testRnd(4);
        check(BTFindResRunHighCapped(&crb, &crl, table, base, limit, n, enough));
        check(crl == rl);
        check(crb == (rl - rb > enough ? rl - enough : rb));
      }
      break;
    }
    for (i = 0; i < BITS; i += 1 + testRnd(10))
      check(BTGet(table, i) == model[i]);
  }
}

static void testZones(Arena arena)
{
  Size stripe = (Size)1 << arena->zoneShift;
  Addr a = (Addr)(stripe * 1000);
  check(ZoneSetOfRange(arena, a, AddrAdd(a, 1)) == (ZoneSet)1 << (1000 % 64));
  check(ZoneSetOfRange(arena, a, AddrAdd(a, stripe + 1))
        == ((ZoneSet)3 << (1000 % 64)));
  /* Wrapping round from zone 63 to zone 0. */
  a = (Addr)(stripe * 63);
  check(ZoneSetOfRange(arena, a, AddrAdd(a, stripe * 2)) == (((ZoneSet)1 << 63) | 1));
  check(ZoneSetOfRange(arena, a, AddrAdd(a, stripe * 64)) == ZoneSetUNIV);
  check(ZoneOfAddr(arena, AddrAdd(a, stripe)) == 0);
}

#define RUNS 200

static void testTable(void)
{
  mps_arena_t arena;
  TractStruct owners[3];
  Addr base[RUNS];
  Size size[RUNS];
  Index i;
  Size grain, committed0;
  LocusPrefStruct pref;
  Res res;

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, 2 << 20);  /* small: force growth */
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "arena create");
  } MPS_ARGS_END(args);
  grain = arena->grainSize;
  testZones(arena);
  memset(owners, 0, sizeof owners);
  LocusPrefInit(&pref);
  committed0 = arena->committed;
  ArenaEnter(arena);
  for (i = 0; i < RUNS; ++i) {
    size[i] = grain * (1 + testRnd(i % 10 == 0 ? 300 : 8));
    pref.high = testRnd(2);
    res = ArenaAlloc(&base[i], &pref, size[i], arena, &owners[i % 3]);
    die(res, "ArenaAlloc");
    check(AddrIsAligned(base[i], grain));
    memset(base[i], (int)i, size[i]);   /* committed and writable */
  }
  printf("%lu chunks, reserved %lu, committed %lu\n", (unsigned long)arena->chunkCount,
         (unsigned long)arena->reserved, (unsigned long)arena->committed);
  check(arena->chunkCount > 1);        /* the arena grew */
  check(arena->committed <= arena->reserved);
  /* Every grain of every run maps to its owner, and runs do not overlap. */
  for (i = 0; i < RUNS; ++i) {
    Addr a;
    for (a = base[i]; a < AddrAdd(base[i], size[i]); a += grain / 2) {
      check(TractOfAddr(arena, a) == &owners[i % 3]);
      check(*(unsigned char *)a == (unsigned char)i);
      check(ArenaHasAddr(arena, a));
    }
  }
  check(TractOfAddr(arena, (Addr)&arena) == NULL);
  check(TractOfAddr(arena, NULL) == NULL);
  /* Free half; their grains map to nothing and become spare. */
  for (i = 0; i < RUNS; i += 2) {
    ArenaFree(arena, base[i], size[i]);
    check(TractOfAddr(arena, base[i]) == NULL);
    check(TractOfAddr(arena, AddrAdd(base[i], size[i] - 1)) == NULL);
    check(arena->spareCommitted <= arena->spare * arena->committed + 1);
  }
  /* Commit limit: with the limit at the current commitment and no spare,
   * a fresh allocation fails with exactly COMMIT_LIMIT. */
  ArenaSetSpare(arena, 0.0);
  check(arena->spareCommitted == 0);
  check(ArenaSetCommitLimit(arena, arena->committed) == ResOK);
  res = ArenaAlloc(&base[0], &pref, grain, arena, &owners[0]);
  check(res == ResCOMMIT_LIMIT);
  check(ArenaSetCommitLimit(arena, arena->committed + grain) == ResOK);
  res = ArenaAlloc(&base[0], &pref, grain, arena, &owners[0]);
  die(res, "ArenaAlloc after raising the limit");
  size[0] = grain;
  check(ArenaSetCommitLimit(arena, SIZE_NONE) == ResOK);
  ArenaFree(arena, base[0], size[0]);
  for (i = 1; i < RUNS; i += 2)
    ArenaFree(arena, base[i], size[i]);
  /* With no spare allowed, everything freed was decommitted: only the
   * chunk headers and the tract table remain. */
  check(arena->spareCommitted == 0);
  check(arena->committed < committed0 * arena->chunkCount + 2 * grain * arena->chunkCount);
  ArenaLeave(arena);
  mps_arena_destroy(arena);
}

/* Spare grains are reused before fresh ones: grains freed at the top of
 * a chunk are taken by a low allocation although fresh grains lie below
 * them, so it commits nothing. */
static void testSpareReuse(void)
{
  mps_arena_t arena;
  TractStruct owner;
  LocusPrefStruct pref;
  Addr high, low;
  Size grain, spare0, committed0;
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena create");
  grain = arena->grainSize;
  memset(&owner, 0, sizeof owner);
  LocusPrefInit(&pref);
  ArenaEnter(arena);
  pref.high = TRUE;
  die(ArenaAlloc(&high, &pref, 4 * grain, arena, &owner), "ArenaAlloc high");
  ArenaFree(arena, high, 4 * grain);
  spare0 = arena->spareCommitted;
  committed0 = arena->committed;
  check(spare0 >= 4 * grain);
  pref.high = FALSE;
  die(ArenaAlloc(&low, &pref, 2 * grain, arena, &owner), "ArenaAlloc low");
  check(low >= high && low < AddrAdd(high, 4 * grain));
  check(arena->committed == committed0);
  check(arena->spareCommitted == spare0 - 2 * grain);
  ArenaFree(arena, low, 2 * grain);
  ArenaLeave(arena);
  mps_arena_destroy(arena);
}

int main(int argc, char *argv[])
{
  testInit(argc, argv);
  testSpareReuse();
  testBT();
  testTable();
  return testPass();
}

/* macros.c: run-time test of the inline macros of mps.h
 *
 * Needs no library: the slow paths the macros call (mps_ap_fill,
 * mps_ap_trip, mps_sac_fill, mps_sac_empty, _mps_fix2, _mps_args_full)
 * and the key objects are stubs defined here, which record how they were
 * called.  The test checks the fast paths against the conventions written
 * in mps.h, which the library must follow too.  Exits 0 on success.
 */

#include <stdio.h>
#include "mps.h"

static int failures = 0;

#define CHECK(cond) \
  MPS_BEGIN \
    if (!(cond)) { \
      ++failures; \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
              #cond); \
    } \
  MPS_END


/* Stubs for the library side */

struct mps_key_s { const char *name; };
const struct mps_key_s _mps_key_ARGS_END = {"ARGS_END"};
const struct mps_key_s _mps_key_ARENA_SIZE = {"ARENA_SIZE"};
const struct mps_key_s _mps_key_PAUSE_TIME = {"PAUSE_TIME"};
const struct mps_key_s _mps_key_ALIGN = {"ALIGN"};

static int args_full_calls = 0;
void _mps_args_full(void) { ++args_full_calls; }

static int fill_calls = 0;
static size_t fill_size = 0;
static mps_res_t fill_result = MPS_RES_MEMORY;
mps_res_t mps_ap_fill(mps_addr_t *p_o, mps_ap_t ap, size_t size)
{
  (void)ap;
  ++fill_calls;
  fill_size = size;
  if (fill_result == MPS_RES_OK)
    *p_o = (mps_addr_t)&fill_calls;
  return fill_result;
}

static int trip_calls = 0;
static mps_bool_t trip_result = 0;
static mps_addr_t trip_init_seen = NULL;
mps_bool_t mps_ap_trip(mps_ap_t ap, mps_addr_t p, size_t size)
{
  (void)p; (void)size;
  ++trip_calls;
  trip_init_seen = ap->init;
  return trip_result;
}

static int sac_fill_calls = 0, sac_empty_calls = 0;
static size_t sac_fill_size = 0, sac_empty_size = 0;
static mps_addr_t sac_empty_p = NULL;
static char overflow_block[64];
mps_res_t mps_sac_fill(mps_addr_t *p_o, mps_sac_t sac, size_t size,
                       mps_bool_t unused)
{
  (void)sac; (void)unused;
  ++sac_fill_calls;
  sac_fill_size = size;
  *p_o = overflow_block;
  return MPS_RES_OK;
}
void mps_sac_empty(mps_sac_t sac, mps_addr_t p, size_t size)
{
  (void)sac;
  ++sac_empty_calls;
  sac_empty_size = size;
  sac_empty_p = p;
}

static int fix2_calls = 0;
static mps_addr_t fix2_replacement = NULL;
mps_res_t _mps_fix2(mps_ss_t ss, mps_addr_t *ref_io)
{
  (void)ss;
  ++fix2_calls;
  if (fix2_replacement != NULL)
    *ref_io = fix2_replacement;
  return MPS_RES_OK;
}


/* Allocation points */

static volatile size_t huge_size = ~(size_t)0 - 3;
static int evaluations = 0;
static mps_ap_t counted_ap(mps_ap_t ap) { ++evaluations; return ap; }
static size_t counted_size(size_t s) { ++evaluations; return s; }

static void test_ap(void)
{
  static mps_word_t buf[32];                       /* 256 bytes on LP64 */
  char *base = (char *)buf;
  char *top = base + sizeof buf;
  mps_ap_s aps;
  mps_ap_t ap = &aps;
  mps_addr_t p = NULL;
  mps_res_t res;
  mps_bool_t ok;

  aps.init = aps.alloc = base;
  aps.limit = top;

  /* Fast path: reserve advances alloc only, commit moves init up. */
  res = mps_reserve(&p, ap, 16);
  CHECK(res == MPS_RES_OK && p == base);
  CHECK(aps.alloc == base + 16 && aps.init == base);
  ok = mps_commit(ap, p, 16);
  CHECK(ok == 1 && aps.init == base + 16 && trip_calls == 0);

  /* Exactly filling the buffer stays on the fast path. */
  res = mps_reserve(&p, ap, (size_t)(top - (base + 16)));
  CHECK(res == MPS_RES_OK && p == base + 16 && aps.alloc == top);
  CHECK(mps_commit(ap, p, (size_t)(top - (base + 16))) == 1);
  CHECK(fill_calls == 0);

  /* Past the limit: fill, with the same size; *p_o untouched on failure. */
  p = NULL;
  res = mps_reserve(&p, ap, 8);
  CHECK(res == MPS_RES_MEMORY && fill_calls == 1 && fill_size == 8);
  CHECK(p == NULL && aps.alloc == top);

  /* A zero size goes to fill as well. */
  aps.init = aps.alloc = base;
  res = mps_reserve(&p, ap, 0);
  CHECK(fill_calls == 2 && aps.alloc == base);

  /* A size that would wrap around goes to fill, never the fast path.
   * (Volatile, so that the compiler does not analyse the dead branch.) */
  res = mps_reserve(&p, ap, huge_size);
  CHECK(fill_calls == 3 && aps.alloc == base);

  /* Trapped (limit 0): reserve fills, commit sets init then trips. */
  aps.limit = NULL;
  res = mps_reserve(&p, ap, 8);
  CHECK(fill_calls == 4 && aps.alloc == base);
  aps.alloc = base + 8;                 /* as if fill had reserved */
  trip_result = 0;
  ok = mps_commit(ap, base, 8);
  CHECK(ok == 0 && trip_calls == 1 && trip_init_seen == base + 8);
  trip_result = 1;
  CHECK(mps_commit(ap, base, 8) == 1 && trip_calls == 2);
  trip_result = 0;

  /* MPS_RESERVE_BLOCK: the same, evaluating ap and size once. */
  aps.init = aps.alloc = base;
  aps.limit = top;
  evaluations = 0;
  MPS_RESERVE_BLOCK(res, p, counted_ap(ap), counted_size(24));
  CHECK(res == MPS_RES_OK && p == base && aps.alloc == base + 24);
  CHECK(evaluations == 2);
  CHECK(mps_commit(ap, p, 24) == 1 && aps.init == base + 24);
  fill_result = MPS_RES_OK;
  MPS_RESERVE_BLOCK(res, p, ap, 4096);
  CHECK(res == MPS_RES_OK && fill_calls == 5 && fill_size == 4096);
  CHECK(p == (mps_addr_t)&fill_calls);
  fill_result = MPS_RES_MEMORY;
  aps.limit = NULL;
  MPS_RESERVE_BLOCK(res, p, ap, 8);
  CHECK(res == MPS_RES_MEMORY && fill_calls == 6);
}


/* Segregated allocation caches */

static void test_sac(void)
{
  static mps_addr_t blocks[4][8];      /* cached blocks of class 32 */
  _mps_sac_s cache;
  mps_sac_t sac = &cache;
  mps_addr_t p = NULL;
  mps_res_t res;
  size_t i;

  cache._middle = 0;
  cache._trapped = 0;
  cache._freelists[0]._size = 16;
  cache._freelists[1]._size = 32;
  cache._freelists[2]._size = 64;
  cache._freelists[3]._size = ~(size_t)0;          /* overlarge */
  for (i = 0; i < 4; ++i) {
    cache._freelists[i]._count = 0;
    cache._freelists[i]._count_max = 3;
    cache._freelists[i]._blocks = NULL;
  }
  cache._freelists[3]._count_max = 0;
  /* two blocks cached in class 32: blocks[0] -> blocks[1] */
  blocks[0][0] = blocks[1];
  blocks[1][0] = NULL;
  cache._freelists[1]._blocks = blocks[0];
  cache._freelists[1]._count = 2;

  /* A hit pops the head of the right class. */
  MPS_SAC_ALLOC_FAST(res, p, sac, 20, 0);
  CHECK(res == MPS_RES_OK && p == blocks[0]);
  CHECK(cache._freelists[1]._count == 1
        && cache._freelists[1]._blocks == blocks[1]);
  MPS_SAC_ALLOC_FAST(res, p, sac, 32, 0);
  CHECK(res == MPS_RES_OK && p == blocks[1]);
  CHECK(cache._freelists[1]._count == 0 && sac_fill_calls == 0);

  /* A miss calls mps_sac_fill with the requested size. */
  evaluations = 0;
  MPS_SAC_ALLOC_FAST(res, p, sac, counted_size(30), 0);
  CHECK(res == MPS_RES_OK && p == overflow_block);
  CHECK(sac_fill_calls == 1 && sac_fill_size == 30 && evaluations == 1);

  /* Freeing pushes onto the class, linking through the first word. */
  MPS_SAC_FREE_FAST(sac, blocks[2], 17);
  CHECK(cache._freelists[1]._count == 1
        && cache._freelists[1]._blocks == blocks[2]
        && blocks[2][0] == NULL);
  MPS_SAC_FREE(sac, blocks[3], 32);
  CHECK(cache._freelists[1]._count == 2
        && cache._freelists[1]._blocks == blocks[3]
        && blocks[3][0] == blocks[2]);
  MPS_SAC_FREE_FAST(sac, blocks[0], 31);
  CHECK(cache._freelists[1]._count == 3 && sac_empty_calls == 0);
  /* ... until the class is full. */
  MPS_SAC_FREE_FAST(sac, blocks[1], 31);
  CHECK(cache._freelists[1]._count == 3 && sac_empty_calls == 1
        && sac_empty_p == blocks[1] && sac_empty_size == 31);

  /* Smallest and overlarge classes. */
  MPS_SAC_FREE_FAST(sac, blocks[1], 1);
  CHECK(cache._freelists[0]._count == 1
        && cache._freelists[0]._blocks == blocks[1]);
  MPS_SAC_ALLOC(res, p, sac, 8, 0);
  CHECK(res == MPS_RES_OK && p == blocks[1]
        && cache._freelists[0]._count == 0);
  MPS_SAC_ALLOC_FAST(res, p, sac, 100000, 0);
  CHECK(sac_fill_calls == 2 && sac_fill_size == 100000);
  MPS_SAC_FREE_FAST(sac, overflow_block, 100000);
  CHECK(sac_empty_calls == 2 && sac_empty_size == 100000);

  /* A trapped cache always takes the slow paths. */
  cache._trapped = 1;
  MPS_SAC_ALLOC_FAST(res, p, sac, 20, 0);
  CHECK(sac_fill_calls == 3 && cache._freelists[1]._count == 3);
  MPS_SAC_FREE_FAST(sac, blocks[1], 8);
  CHECK(sac_empty_calls == 3 && cache._freelists[0]._count == 0);
}


/* Scanning */

static mps_res_t helper_complete(mps_ss_t ss, mps_addr_t ref)
{
  MPS_SCAN_BEGIN(ss) {
    (void)MPS_FIX1(ss, ref);
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static mps_res_t helper_early(mps_ss_t ss, mps_addr_t ref)
{
  MPS_SCAN_BEGIN(ss) {
    if (MPS_FIX1(ss, ref) || ref != NULL)
      return MPS_RES_FAIL;
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static mps_res_t scanner(mps_ss_t ss, mps_addr_t *refs, size_t n,
                         int mode)
{
  mps_res_t res = MPS_RES_OK;
  MPS_SCAN_BEGIN(ss) {
    size_t i;
    for (i = 0; i < n; ++i) {
      res = MPS_FIX12(ss, &refs[i]);
      if (res != MPS_RES_OK)
        return res;
    }
    if (mode == 1)
      MPS_FIX_CALL(ss, res = helper_complete(ss, refs[0]));
    if (mode == 2)
      MPS_FIX_CALL(ss, res = helper_early(ss, refs[0]));
    if (mode == 3) {
      MPS_FIX_CALL(ss, res = helper_complete(ss, refs[0]));
      return MPS_RES_OK;                 /* early return after a call */
    }
    if (mode == 4)
      return MPS_RES_OK;                 /* early return after fixes */
  } MPS_SCAN_END(ss);
  return res;
}

#define ZS 4
#define ZONE_ADDR(z) ((mps_addr_t)(((mps_word_t)(z) << ZS) | 8))
#define ZBIT(z) ((mps_word_t)1 << (z))

static void test_scan(void)
{
  mps_ss_s state;
  mps_ss_t ss = &state;
  mps_addr_t refs[3];
  mps_res_t res;
  mps_word_t width = sizeof(mps_word_t) * CHAR_BIT;

  state._zs = ZS;
  state._w = ZBIT(5) | ZBIT(7);

  /* FIX1: zone of the word tested against the white set. */
  MPS_SCAN_BEGIN(ss) {
    CHECK(MPS_FIX1(ss, ZONE_ADDR(5)));
    CHECK(MPS_FIX1(ss, ZONE_ADDR(7)));
    CHECK(MPS_FIX1(ss, ZONE_ADDR(5 + width)));      /* zones wrap */
    CHECK(!MPS_FIX1(ss, ZONE_ADDR(6)));
    CHECK(!MPS_FIX1(ss, NULL));
    CHECK(!MPS_FIX1(ss, 0));
  } MPS_SCAN_END(ss);

  /* A complete scan leaves bit 0 and every zone seen in _ufs. */
  refs[0] = ZONE_ADDR(5);
  refs[1] = ZONE_ADDR(6);
  refs[2] = NULL;
  state._ufs = 0;
  fix2_calls = 0;
  fix2_replacement = ZONE_ADDR(9);
  res = scanner(ss, refs, 3, 0);
  CHECK(res == MPS_RES_OK && fix2_calls == 1);
  CHECK(refs[0] == ZONE_ADDR(9) && refs[1] == ZONE_ADDR(6));
  CHECK(state._ufs == (ZBIT(0) | ZBIT(5) | ZBIT(6)));
  fix2_replacement = NULL;

  /* An early return leaves bit 0 clear. */
  state._ufs = 0;
  refs[0] = ZONE_ADDR(5);
  (void)scanner(ss, refs, 2, 4);
  CHECK((state._ufs & 1) == 0);

  /* MPS_FIX_CALL with a callee that completes: summaries merge. */
  state._ufs = 0;
  refs[0] = ZONE_ADDR(3);
  (void)scanner(ss, refs, 1, 1);
  CHECK(state._ufs == (ZBIT(0) | ZBIT(3)));
  refs[0] = ZONE_ADDR(5);
  refs[1] = ZONE_ADDR(11);
  state._ufs = 0;
  fix2_calls = 0;
  (void)scanner(ss, refs, 2, 1);
  CHECK(fix2_calls == 1);
  CHECK(state._ufs == (ZBIT(0) | ZBIT(5) | ZBIT(11)));

  /* MPS_FIX_CALL with a callee that returns early: universal summary. */
  state._ufs = 0;
  refs[0] = ZONE_ADDR(3);
  res = scanner(ss, refs, 1, 2);
  CHECK(res == MPS_RES_FAIL);
  CHECK(state._ufs == ~(mps_word_t)0);

  /* The caller returning early after MPS_FIX_CALL is still seen. */
  state._ufs = 0;
  (void)scanner(ss, refs, 1, 3);
  CHECK((state._ufs & 1) == 0);

  /* Nothing is white (as in a pool walk): FIX1 is always false. */
  state._w = 0;
  state._ufs = 0;
  fix2_calls = 0;
  refs[0] = ZONE_ADDR(5);
  (void)scanner(ss, refs, 1, 0);
  CHECK(fix2_calls == 0 && state._ufs == (ZBIT(0) | ZBIT(5)));
}


/* Keyword arguments */

static void test_args(void)
{
  MPS_ARGS_BEGIN(args) {
    int i;
    CHECK(args[0].key == MPS_KEY_ARGS_END);
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, 1024);
    MPS_ARGS_ADD(args, MPS_KEY_PAUSE_TIME, 0.5);
    MPS_ARGS_ADD_FIELD(args, MPS_KEY_ALIGN, align, 16);
    CHECK(args[0].key == MPS_KEY_ARENA_SIZE && args[0].val.size == 1024);
    CHECK(args[1].key == MPS_KEY_PAUSE_TIME && args[1].val.d == 0.5);
    CHECK(args[2].key == MPS_KEY_ALIGN && args[2].val.align == 16);
    CHECK(args[3].key == MPS_KEY_ARGS_END);

    /* Fill to capacity: 31 arguments and the terminator. */
    for (i = 3; i < MPS_ARGS_MAX - 1; ++i)
      MPS_ARGS_ADD(args, MPS_KEY_ALIGN, (mps_align_t)i);
    CHECK(args_full_calls == 0);
    CHECK(args[MPS_ARGS_MAX - 2].key == MPS_KEY_ALIGN);
    CHECK(args[MPS_ARGS_MAX - 1].key == MPS_KEY_ARGS_END);
    MPS_ARGS_ADD(args, MPS_KEY_ALIGN, 8);
    CHECK(args_full_calls == 1);
    CHECK(args[MPS_ARGS_MAX - 1].key == MPS_KEY_ARGS_END);

    MPS_ARGS_BEGIN(inner) {
      MPS_ARGS_ADD(inner, MPS_KEY_ARENA_SIZE, 1);
      MPS_ARGS_DONE(inner);
      CHECK(inner[1].key == MPS_KEY_ARGS_END);
      MPS_ARGS_ADD(inner, MPS_KEY_ARENA_SIZE, 2);
      CHECK(args_full_calls == 2);
      CHECK(inner[0].val.size == 1 && inner[1].key == MPS_KEY_ARGS_END);
      MPS_ARGS_DONE(inner);
    } MPS_ARGS_END(inner);
  } MPS_ARGS_END(args);
}


int main(void)
{
  test_ap();
  test_sac();
  test_scan();
  test_args();
  if (failures != 0) {
    fprintf(stderr, "macros: %d checks failed\n", failures);
    return 1;
  }
  printf("macros: all checks passed\n");
  return 0;
}

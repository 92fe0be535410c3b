/* amczstress.c: AMCZ leaves under AMC holders; walking and mps_addr_object
 * (contract 6.1, 6.2, 4.6, 17)
 *
 * Leaf objects (no references) live in an AMCZ pool, referenced from
 * holder objects in an AMC pool, which an exact root keeps.  The mutator
 * replaces holders and leaves (sharing some leaves) while collections
 * happen.  Checked:
 *  - leaves and holders stay intact with the right ids and edges, and
 *    leaves move (AMCZ copies too);
 *  - after a full collection (no ambiguous references: the thread is not
 *    registered), mps_amc_apply visits exactly the reachable objects of
 *    each pool, each once, plus padding; mps_pool_walk and
 *    mps_arena_formatted_objects_walk visit the same objects and pads,
 *    and with a parked arena and allocation points in use, the bytes
 *    walked plus the allocation points' unused buffers are exactly the
 *    pools' total minus free sizes;
 *  - mps_addr_object gives the client address of the object containing
 *    any address inside an AMC or AMCZ object, MPS_RES_FAIL for addresses
 *    outside the arena or beyond the last object of a segment, and
 *    MPS_RES_UNIMPL for a block of an MVFF pool.
 * Two phases: no header, and a 16-byte in-band header.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscmvff.h"
#include <string.h>

#define NHOLD 1500
#define MAXREFS 3

static mps_arena_t arena;
static mps_fmt_t fmt;
static mps_pool_t amc, amcz;
static mps_ap_t holdAP, leafAP;
static mps_addr_t holders[NHOLD];       /* exact root */
static mps_word_t holdId[NHOLD];
static mps_word_t (*leafIds)[MAXREFS];  /* leafIds[i][k]: id of holders[i]->refs[k] */
static mps_addr_t (*leafWas)[MAXREFS];  /* its address at the last full check */
static mps_word_t nextId = 1;
static unsigned long leafMoves, leafStays;

static unsigned char *seen;             /* by id: times visited by a walk */
static mps_word_t maxId;

static testobj_t newLeaf(void)
{
  testobj_t o;
  check(nextId < maxId);
  die(testobj_alloc(&o, leafAP, nextId++, 0, testRnd(50)), "leaf");
  return o;
}

/* A new holder in slot i, with fresh or shared leaves. */
static void newHolder(size_t i)
{
  testobj_t h;
  size_t k, nrefs = 1 + testRnd(MAXREFS);
  check(nextId < maxId);
  die(testobj_alloc(&h, holdAP, nextId++, nrefs, testRnd(6)), "holder");
  holders[i] = h;
  holdId[i] = h->id;
  for (k = 0; k < MAXREFS; ++k) {
    leafIds[i][k] = 0;
    leafWas[i][k] = NULL;
  }
  for (k = 0; k < nrefs; ++k) {
    size_t j = testRnd(NHOLD);
    testobj_t hj = holders[j], leaf;
    if (j != i && hj != NULL && testRnd(4) == 0 && hj->refs[0] != NULL) {
      leaf = hj->refs[0];       /* shared */
    } else {
      leaf = newLeaf();         /* may collect: h moves */
    }
    ((testobj_t)holders[i])->refs[k] = leaf;
    leafIds[i][k] = leaf->id;
  }
}

static void checkAll(int full)
{
  size_t i, k;
  for (i = 0; i < NHOLD; ++i) {
    testobj_t h = holders[i];
    if (h == NULL)
      continue;
    check(testobj_ok(h) && h->id == holdId[i]);
    for (k = 0; k < MAXREFS; ++k) {
      testobj_t leaf = k < h->nrefs ? h->refs[k] : NULL;
      if (leafIds[i][k] == 0)
        continue;
      check(leaf != NULL && testobj_ok(leaf) && leaf->id == leafIds[i][k]);
      if (full) {
        if (leafWas[i][k] != NULL) {
          if (leafWas[i][k] != (mps_addr_t)leaf)
            ++leafMoves;
          else
            ++leafStays;
        }
        leafWas[i][k] = leaf;
      }
    }
  }
}

/* Walking */

typedef struct {
  mps_pool_t pool;
  size_t objs, pads, bytes;
} Tally;

static void tally(Tally *t, mps_addr_t p)
{
  char *base = (char *)p - testfmt_header_size();
  char *next = (char *)testfmt_skip(p) - testfmt_header_size();
  t->bytes += (size_t)(next - base);
  if (testfmt_is_pad(p)) {
    ++t->pads;
  } else {
    testobj_t o = p;
    check(testobj_ok(o));
    check(o->id < maxId);
    ++t->objs;
    ++seen[o->id];
  }
}

static void applyStep(mps_addr_t addr, void *p, size_t s)
{
  (void)s;
  tally(p, addr);
}

static mps_res_t walkArea(mps_ss_t ss, void *base, void *limit, void *closure)
{
  mps_addr_t p = base;
  (void)ss;
  while (p < limit) {
    tally(closure, p);
    p = testfmt_skip(p);
  }
  check(p == limit);
  return MPS_RES_OK;
}

static void fowStep(mps_addr_t addr, mps_fmt_t f, mps_pool_t pool, void *p, size_t s)
{
  Tally *t = p;
  (void)s;
  check(f == fmt);
  if (pool == t[0].pool)
    tally(&t[0], addr);
  else if (pool == t[1].pool)
    tally(&t[1], addr);
}

static size_t apUnused(mps_ap_t ap)
{
  if (ap->init == NULL || ap->limit == NULL)
    return 0;
  return (size_t)((char *)ap->limit - (char *)ap->init);
}

/* Walk both pools three ways (arena parked).  With `exact`, after a full
 * collection, the objects are exactly the reachable ones. */
static void checkWalks(int exact)
{
  Tally a[2], w[2], f[2];
  size_t i, k, reachHold = 0, reachLeaf = 0;
  int p;
  memset(a, 0, sizeof a);
  memset(w, 0, sizeof w);
  memset(f, 0, sizeof f);
  a[0].pool = w[0].pool = f[0].pool = amc;
  a[1].pool = w[1].pool = f[1].pool = amcz;

  memset(seen, 0, maxId);
  mps_amc_apply(amc, applyStep, &a[0], 0);
  mps_amc_apply(amcz, applyStep, &a[1], 0);
  if (exact) {
    /* Each reachable object once; nothing else. */
    for (i = 0; i < NHOLD; ++i) {
      if (holders[i] == NULL)
        continue;
      check(seen[holdId[i]] == 1);
      seen[holdId[i]] = 2;      /* counted */
      ++reachHold;
      for (k = 0; k < MAXREFS; ++k)
        if (leafIds[i][k] != 0) {
          check(seen[leafIds[i][k]] >= 1);
          if (seen[leafIds[i][k]] == 1) {
            seen[leafIds[i][k]] = 2;
            ++reachLeaf;
          }
        }
    }
    check(a[0].objs == reachHold);
    check(a[1].objs == reachLeaf);
  }
  for (i = 0; i < maxId; ++i)
    check(seen[i] <= 2);        /* no object twice */

  memset(seen, 0, maxId);
  die(mps_pool_walk(amc, walkArea, &w[0]), "walk AMC");
  die(mps_pool_walk(amcz, walkArea, &w[1]), "walk AMCZ");
  mps_arena_formatted_objects_walk(arena, fowStep, f, 0);
  for (p = 0; p < 2; ++p) {
    check(w[p].objs == a[p].objs && w[p].pads == a[p].pads && w[p].bytes == a[p].bytes);
    check(f[p].objs == a[p].objs && f[p].pads == a[p].pads && f[p].bytes == a[p].bytes);
  }
  check(w[0].bytes + apUnused(holdAP)
        == mps_pool_total_size(amc) - mps_pool_free_size(amc));
  check(w[1].bytes + apUnused(leafAP)
        == mps_pool_total_size(amcz) - mps_pool_free_size(amcz));
}

/* mps_addr_object on every byte offset of some objects. */
static void checkAddrObject(void)
{
  size_t i, n = 0;
  mps_addr_t r;
  int local = 0;
  for (i = 0; i < NHOLD && n < 10; ++i) {
    testobj_t h = holders[testRnd(NHOLD)], objs[2];
    int j;
    if (h == NULL)
      continue;
    objs[0] = h;
    objs[1] = h->refs[0];
    for (j = 0; j < 2; ++j) {
      char *c = (char *)objs[j];
      size_t size = (size_t)((char *)testfmt_skip(c) - c) - testfmt_header_size(), off;
      size_t probes[6];
      int q;
      probes[0] = 0;
      probes[1] = 1;
      probes[2] = size / 2;
      probes[3] = size - 1;
      probes[4] = testRnd(size);
      probes[5] = testRnd(size);
      for (q = 0; q < 6; ++q) {
        off = probes[q];
        r = NULL;
        die(mps_addr_object(&r, arena, c + off), "mps_addr_object");
        check(r == (mps_addr_t)c);
      }
    }
    ++n;
  }
  /* Outside the arena */
  r = &local;
  check(mps_addr_object(&r, arena, NULL) == MPS_RES_FAIL);
  check(mps_addr_object(&r, arena, &local) == MPS_RES_FAIL);
  check(mps_addr_object(&r, arena, holders) == MPS_RES_FAIL);
  check(r == &local);           /* untouched on failure */
  /* Beyond the last object of a segment: the unused part of a buffer */
  if (holdAP->init != NULL && holdAP->limit != NULL && holdAP->init < holdAP->limit) {
    check(mps_addr_object(&r, arena, holdAP->init) == MPS_RES_FAIL);
    check(mps_addr_object(&r, arena, (char *)holdAP->limit - 1) == MPS_RES_FAIL);
  }
}

static void phase(size_t headerSize, size_t rounds)
{
  mps_chain_t chain;
  mps_root_t root;
  mps_pool_t mvff;
  mps_addr_t block, r;
  mps_gen_param_s gens[] = {{100, 0.8}, {400, 0.4}};
  size_t i;

  printf("header %lu\n", (unsigned long)headerSize);
  memset(holders, 0, sizeof holders);
  memset(leafWas, 0, NHOLD * sizeof *leafWas);
  memset(leafIds, 0, NHOLD * sizeof *leafIds);
  nextId = 1;
  leafMoves = leafStays = 0;
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(testfmt_create(&fmt, arena, headerSize), "format");
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&amc, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  die(mps_pool_create(&amcz, arena, mps_class_amcz(), fmt, chain), "AMCZ (deprecated form)");
  die(mps_ap_create_k(&holdAP, amc, mps_args_none), "holder AP");
  die(mps_ap_create_k(&leafAP, amcz, mps_args_none), "leaf AP");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, holders, NHOLD), "root");

  for (i = 0; i < NHOLD; ++i)
    newHolder(i);
  for (i = 0; i < rounds; ++i) {
    unsigned long r = testRnd(100);
    if (r < 70) {
      newHolder(testRnd(NHOLD));
    } else if (r < 80) {
      holders[testRnd(NHOLD)] = NULL;
    } else if (r < 98) {
      (void)newLeaf();          /* garbage */
    } else if (r < 99 || testRnd(4) != 0) {
      checkAll(0);
    } else {
      die(mps_arena_collect(arena), "collect");
      checkAll(1);
      checkWalks(1);
      checkAddrObject();
      mps_arena_release(arena);
    }
  }
  /* Parked with buffers in use: the accounting includes them. */
  mps_arena_park(arena);
  checkAll(0);
  checkWalks(0);
  checkAddrObject();
  mps_arena_release(arena);
  die(mps_arena_collect(arena), "collect");
  checkAll(1);
  checkWalks(1);
  mps_arena_release(arena);
  printf("  %lu collections, leaves moved %lu times, stayed %lu times\n",
         (unsigned long)mps_collections(arena), leafMoves, leafStays);
  check(leafMoves > 0);
  check(leafMoves > leafStays);

  /* MVFF does not answer mps_addr_object. */
  die(mps_pool_create_k(&mvff, arena, mps_class_mvff(), mps_args_none), "MVFF");
  die(mps_alloc(&block, mvff, 64), "MVFF block");
  check(mps_addr_object(&r, arena, block) == MPS_RES_UNIMPL);
  check(mps_addr_object(&r, arena, (char *)block + 8) == MPS_RES_UNIMPL);
  mps_free(mvff, block, 64);
  mps_pool_destroy(mvff);

  mps_arena_park(arena);
  mps_root_destroy(root);
  mps_ap_destroy(leafAP);
  mps_ap_destroy(holdAP);
  mps_pool_destroy(amcz);
  mps_pool_destroy(amc);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
}

int main(int argc, char *argv[])
{
  size_t rounds = getenv("TARN_UNDER_VALGRIND") != NULL ? 5000 : 60000;
  testInit(argc, argv);
  maxId = (mps_word_t)(rounds * (MAXREFS + 1) + NHOLD * (MAXREFS + 1) + 10);
  seen = calloc(maxId, 1);
  leafIds = calloc(NHOLD, sizeof *leafIds);
  leafWas = calloc(NHOLD, sizeof *leafWas);
  check(seen && leafIds && leafWas);
  phase(0, rounds);
  phase(16, rounds);
  free(seen);
  free(leafIds);
  free(leafWas);
  return testPass();
}

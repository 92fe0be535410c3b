/* imxtest.c: IMX's defragmentation, pinning and footprint
 *
 * No thread is registered, so nothing is scanned conservatively except
 * what the test holds ambiguously on purpose: what survives is exactly
 * what the roots reach.
 *
 * Evacuation (with and without the nursery).  N small objects are
 * allocated, held by an exact root table, and collected (with the
 * nursery they are promoted into the mature space).  Then 15 in 16 are
 * dropped at random and the survivors are linked in a chain (each
 * survivor's ref[0] is the next one: a referrer inside the heap).  The
 * next full collection leaves the mature blocks fragmented (many holes,
 * few used lines), so the one after evacuates them.  Checked:
 *  - some survivors moved (evacuation happened), and the pool shrank;
 *  - every survivor is intact, and both its exact referrers (the root
 *    slot and the previous survivor's ref[0]) hold its new address;
 *  - survivors also held by an ambiguous root, or by tarn_pin, did not
 *    move (they sit in the same fragmented blocks as the ones that did);
 *  - a pool walk and a formatted-objects walk see exactly the survivors,
 *    intact; mps_addr_object finds a survivor from an interior address.
 *
 * Dead objects in every line (with the nursery): when every other small
 * object dies, every line keeps a live one (no holes) and half of each
 * block is dead; the next full collection must evacuate some of those
 * blocks (survivors moved, intact; the pool shrank).
 *
 * Large objects (with the nursery): a large object that survives the
 * nursery is copied once, into the mature space, and does not move at
 * later collections; one also held ambiguously stays where it is until
 * the ambiguous reference goes, and is copied out at the next
 * collection.  Each stays intact, and so do the small objects it refers
 * to.  Without the nursery a large object can land in an ordinary block
 * (the buffer had room for it); when that block, left with holes, is
 * chosen for defragmentation, the large object stays where it is.
 *
 * Reserve/commit: a commit after a collection that came between it and
 * its reserve fails, the retry succeeds, and the objects survive intact,
 * chained by exact references, and walks see exactly them.
 *
 * Footprint: the same workload, then medium objects (about 1 KiB, too
 * big for most holes the dead small objects left), allocated and kept;
 * IMX's pool total size and the arena's committed memory (less the spare
 * memory it keeps mapped after a peak) must be below AMS's for the same objects (each run in a fresh arena), since IMX
 * compacts the sparse blocks and AMS can only reuse holes in place; and
 * below IMX's own with defragmentation off (headroom 0).
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscimx.h"
#include "mpscams.h"
#include "tarn.h"
#include <string.h>

#define N 40000                 /* small objects */
#define KEEP 16                 /* one in KEEP survives */
#define NAMBIG 32               /* survivors also held ambiguously */
#define NPIN 32                 /* survivors also pinned */
#define NMEDIUM 600             /* medium objects for the footprint test */

static mps_arena_t arena;
static mps_fmt_t fmt;
static mps_chain_t chain;
static mps_addr_t *table;               /* exact root: N + NMEDIUM slots */
static mps_addr_t ambig[NAMBIG];        /* ambiguous root */
static size_t survivor[N / 4];          /* slots of the survivors, in chain order */
static mps_addr_t before[N / 4];        /* their addresses before evacuation */
static size_t nsurv;

static void collect(void)
{
  die(mps_arena_collect(arena), "collect");
  mps_arena_release(arena);
}

static mps_pool_t makePool(mps_pool_class_t klass, int nursery)
{
  mps_pool_t pool;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    if (klass == mps_class_imx())
      MPS_ARGS_ADD(args, MPS_KEY_IMX_NURSERY, nursery);
    die(mps_pool_create_k(&pool, arena, klass, args), "pool");
  } MPS_ARGS_END(args);
  return pool;
}

/* Allocate the small objects, collect, drop all but the survivors, and
 * link the survivors into a chain.  Returns nothing: table and
 * survivor[] describe the result. */
static void fragment(mps_ap_t ap)
{
  size_t i, k;
  for (i = 0; i < N; ++i) {
    testobj_t o;
    die(testobj_alloc(&o, ap, i + 1, 1, 1), "small object");
    table[i] = o;
  }
  collect();                    /* with a nursery: promoted, compactly */
  nsurv = 0;
  for (i = 0; i < N; ++i) {
    if (testRnd(KEEP) == 0 && nsurv < N / 4)
      survivor[nsurv++] = i;
    else
      table[i] = NULL;
  }
  check(nsurv > NAMBIG + NPIN + 10);
  for (k = 0; k + 1 < nsurv; ++k)
    ((testobj_t)table[survivor[k]])->refs[0] = table[survivor[k + 1]];
  collect();                    /* reclaims the dead: blocks now fragmented */
}

/* Every survivor intact, with its referrers agreeing on its address. */
static void checkSurvivors(void)
{
  size_t k;
  for (k = 0; k < nsurv; ++k) {
    testobj_t o = table[survivor[k]];
    check(o != NULL && testobj_ok(o));
    check(o->id == survivor[k] + 1);
    if (k + 1 < nsurv)
      check(o->refs[0] == table[survivor[k + 1]]);
    else
      check(o->refs[0] == NULL);
  }
}

static size_t walked, walkedBad;

static mps_res_t countArea(mps_ss_t ss, void *base, void *limit, void *closure)
{
  char *p = base;
  (void)ss;
  (void)closure;
  while (p < (char *)limit) {
    testobj_t o = (testobj_t)p;
    if (!testfmt_is_pad(o)) {
      ++walked;
      if (!testobj_ok(o) || table[o->id - 1] != o)
        ++walkedBad;
    }
    p = testfmt_skip(p);
  }
  return MPS_RES_OK;
}

static void countObject(mps_addr_t addr, mps_fmt_t f, mps_pool_t pool, void *p, size_t s)
{
  testobj_t o = addr;
  (void)f;
  (void)pool;
  (void)p;
  (void)s;
  if (!testfmt_is_pad(o)) {
    ++walked;
    if (!testobj_ok(o) || table[o->id - 1] != o)
      ++walkedBad;
  }
}

static void testEvacuation(int nursery)
{
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t root, ambigRoot;
  size_t k, moved = 0, pinnedMoved = 0, total0, total1;
  mps_addr_t base;

  printf("evacuation, nursery %s\n", nursery ? "true" : "false");
  memset(table, 0, (N + NMEDIUM) * sizeof *table);
  memset(ambig, 0, sizeof ambig);
  pool = makePool(mps_class_imx(), nursery);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, table, N + NMEDIUM), "root");
  die(mps_root_create_table(&ambigRoot, arena, mps_rank_ambig(), 0, ambig, NAMBIG),
      "ambiguous root");
  fragment(ap);
  /* Pin some survivors, spread over the chain, by either means. */
  for (k = 0; k < NAMBIG; ++k)
    ambig[k] = (char *)table[survivor[k * 2]] + (k % 3) * 8;   /* interior too */
  for (k = 0; k < NPIN; ++k)
    die(tarn_pin(arena, table[survivor[k * 2 + 1]]), "tarn_pin");
  for (k = 0; k < nsurv; ++k)
    before[k] = table[survivor[k]];
  total0 = mps_pool_total_size(pool);
  collect();                    /* evacuates the fragmented blocks */
  total1 = mps_pool_total_size(pool);
  checkSurvivors();
  for (k = 0; k < nsurv; ++k) {
    int pinned = k < 2 * NAMBIG;
    if (table[survivor[k]] != before[k]) {
      ++moved;
      if (pinned)
        ++pinnedMoved;
    }
  }
  printf("  %lu survivors of %d, %lu moved, %lu pinned moved; pool %lu -> %lu bytes\n",
         (unsigned long)nsurv, N, (unsigned long)moved, (unsigned long)pinnedMoved,
         (unsigned long)total0, (unsigned long)total1);
  check(moved > nsurv / 4);     /* evacuation happened */
  check(pinnedMoved == 0);      /* ... but never of a pinned object */
  check(total1 < total0);       /* and blocks were given back */
  for (k = 0; k < NAMBIG; ++k)
    check(ambig[k] == (char *)table[survivor[k * 2]] + (k % 3) * 8);

  /* Walks see exactly the survivors. */
  mps_arena_park(arena);
  walked = walkedBad = 0;
  die(mps_pool_walk(pool, countArea, NULL), "pool walk");
  check(walked == nsurv && walkedBad == 0);
  walked = walkedBad = 0;
  mps_arena_formatted_objects_walk(arena, countObject, NULL, 0);
  check(walked == nsurv && walkedBad == 0);
  die(mps_addr_object(&base, arena, (char *)table[survivor[3]] + 5), "mps_addr_object");
  check(base == table[survivor[3]]);
  mps_arena_release(arena);

  /* Unpinned, the pinned ones may move at last; everything stays intact. */
  for (k = 0; k < NPIN; ++k)
    die(tarn_unpin(arena, before[k * 2 + 1]), "tarn_unpin");
  memset(ambig, 0, sizeof ambig);
  collect();
  collect();
  checkSurvivors();
  mps_root_destroy(ambigRoot);
  mps_root_destroy(root);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
}

/* Objects that die one in two leave no free line (every 128-byte line
 * keeps a live 40-byte object) but half of each block dead: the next
 * full collection must still choose such blocks and evacuate them. */
static void testDeadInLines(void)
{
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t root;
  size_t i, kept = 0, moved = 0, total0, total1;

  printf("blocks with dead objects in every line\n");
  memset(table, 0, (N + NMEDIUM) * sizeof *table);
  pool = makePool(mps_class_imx(), 1);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, table, N + NMEDIUM), "root");
  for (i = 0; i < N; ++i) {
    testobj_t o;
    die(testobj_alloc(&o, ap, i + 1, 1, 1), "small object");
    table[i] = o;
  }
  collect();                    /* promoted, compactly */
  for (i = 0; i < N; ++i)
    if (i % 2 == 1)
      table[i] = NULL;
  collect();                    /* half dead, in every line */
  for (i = 0; i < N && kept < N / 4; i += 2)
    before[kept++] = table[i];
  total0 = mps_pool_total_size(pool);
  collect();                    /* evacuates some of those blocks */
  total1 = mps_pool_total_size(pool);
  for (i = 0, kept = 0; i < N; i += 2, ++kept) {
    testobj_t o = table[i];
    check(o != NULL && testobj_ok(o) && o->id == i + 1);
    if (kept < N / 4 && (mps_addr_t)o != before[kept])
      ++moved;
  }
  printf("  %lu of %lu survivors checked for moving, %lu moved; pool %lu -> %lu bytes\n",
         (unsigned long)(N / 4), (unsigned long)kept, (unsigned long)moved,
         (unsigned long)total0, (unsigned long)total1);
  check(moved > N / 32);
  check(total1 < total0);
  mps_arena_park(arena);
  mps_root_destroy(root);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_arena_release(arena);
}

/* The reserve/commit protocol across a flip: a commit after a
 * collection that came between it and its reserve fails, the retry
 * succeeds, and the object then survives intact (and its memory from the
 * failed attempt is not mistaken for an object by a walk). */
/* A large object (a quarter block or more) referring to NLREFS small
 * ones, all held by the exact root from slot `slot`. */
#define NLREFS 8
#define LARGE_DATA 3000         /* words: about 24 KiB */
static testobj_t makeLarge(mps_ap_t ap, size_t slot, mps_word_t id)
{
  testobj_t big;
  size_t i;
  die(testobj_alloc(&big, ap, id, NLREFS, LARGE_DATA), "large object");
  table[slot] = big;
  for (i = 0; i < NLREFS; ++i) {
    testobj_t small;
    die(testobj_alloc(&small, ap, id * 100 + i, 0, 3), "small object");
    ((testobj_t)table[slot])->refs[i] = small;
  }
  return table[slot];
}

static void checkLarge(size_t slot, mps_word_t id)
{
  testobj_t big = table[slot];
  size_t i;
  check(testobj_ok(big) && big->id == id && testobj_ndata(big) == LARGE_DATA);
  for (i = 0; i < NLREFS; ++i) {
    testobj_t small = big->refs[i];
    check(small != NULL && testobj_ok(small) && small->id == id * 100 + i);
  }
}

static void testLargeInBlock(void)
{
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t root;
  testobj_t obj, big;
  int i;
  memset(table, 0, (N + NMEDIUM) * sizeof *table);
  pool = makePool(mps_class_imx(), 0);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, table, N + NMEDIUM), "root");
  die(testobj_alloc(&obj, ap, 1, 0, 4), "small");       /* the buffer gets a whole block */
  table[1] = obj;
  die(testobj_alloc(&obj, ap, 3, 0, 100), "dead");
  die(testobj_alloc(&obj, ap, 4, 0, 100), "dead");
  die(testobj_alloc(&big, ap, 2, 0, 8200 / sizeof(mps_word_t)), "large, in the block");
  table[0] = big;
  die(testobj_alloc(&obj, ap, 5, 0, 300), "dead");
  die(testobj_alloc(&obj, ap, 6, 0, 4), "small");
  table[2] = obj;
  for (i = 0; i < 4; ++i) {
    collect();
    check(table[0] == big && testobj_ok(big) && big->id == 2);
    check(testobj_ok(table[1]) && ((testobj_t)table[1])->id == 1);
    check(testobj_ok(table[2]) && ((testobj_t)table[2])->id == 6);
  }
  mps_root_destroy(root);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
}

static void testLarge(void)
{
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t root, ambigRoot;
  mps_addr_t a0, b0, a1, b1;

  printf("large objects leave the nursery once; pinned ones stay\n");
  memset(table, 0, (N + NMEDIUM) * sizeof *table);
  memset(ambig, 0, sizeof ambig);
  pool = makePool(mps_class_imx(), 1);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, table, N + NMEDIUM), "root");
  die(mps_root_create_area(&ambigRoot, arena, mps_rank_ambig(), 0, ambig, ambig + NAMBIG,
                           mps_scan_area, NULL), "ambiguous root");
  a0 = makeLarge(ap, 0, 1);
  b0 = makeLarge(ap, 1, 2);
  ambig[0] = b0;
  collect();
  a1 = table[0];
  b1 = table[1];
  check(a1 != a0);              /* copied out of the nursery */
  check(b1 == b0);              /* pinned: in place */
  checkLarge(0, 1);
  checkLarge(1, 2);
  ambig[0] = NULL;
  collect();
  check(table[0] == a1);        /* large objects do not move in the mature space */
  check(table[1] != b1);        /* unpinned: copied out of the nursery now */
  checkLarge(0, 1);
  checkLarge(1, 2);
  b1 = table[1];
  collect();
  check(table[0] == a1 && table[1] == b1);
  checkLarge(0, 1);
  checkLarge(1, 2);
  mps_root_destroy(ambigRoot);
  mps_root_destroy(root);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  testLargeInBlock();
}

static void testFlip(int nursery)
{
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t root;
  size_t k, attempts = 0, failed = 0;

  printf("reserve, collect, commit; nursery %s\n", nursery ? "true" : "false");
  memset(table, 0, (N + NMEDIUM) * sizeof *table);
  pool = makePool(mps_class_imx(), nursery);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, table, N + NMEDIUM), "root");
  for (k = 0; k < 200; ++k) {
    size_t ndata = k % 3 == 0 ? 1200 + k * 8 : k % 40;   /* some large */
    size_t size = testobj_size(1, ndata);
    int first = 1;
    mps_addr_t p;
    for (;;) {
      ++attempts;
      die(mps_reserve(&p, ap, size), "mps_reserve");
      (void)testobj_init(p, k + 1, 1, ndata);
      if (first && k % 2 == 0) {
        die(mps_arena_collect(arena), "collect");   /* between reserve and commit */
        mps_arena_release(arena);
      }
      if (mps_commit(ap, p, size))
        break;
      check(first && k % 2 == 0);   /* only a commit after a flip fails */
      ++failed;
      first = 0;
    }
    table[k] = p;
    if (k > 0)
      ((testobj_t)table[k])->refs[0] = table[k - 1];
  }
  collect();
  for (k = 0; k < 200; ++k) {
    testobj_t o = table[k];
    check(testobj_ok(o) && o->id == k + 1);
    check(o->refs[0] == (k > 0 ? table[k - 1] : NULL));
  }
  mps_arena_park(arena);
  walked = walkedBad = 0;
  die(mps_pool_walk(pool, countArea, NULL), "pool walk");
  check(walked == 200 && walkedBad == 0);
  mps_arena_release(arena);
  printf("  %lu attempts, %lu commits refused after a flip\n",
         (unsigned long)attempts, (unsigned long)failed);
  check(failed == 100);          /* every commit with a collection before it */
  mps_root_destroy(root);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
}

/* The footprint workload on one pool class, in a fresh arena: returns
 * the pool's total size at the end, and the arena's committed memory
 * through *committed. */
static size_t footprint(const char *name, mps_pool_class_t klass, double headroom,
                        size_t *committed)
{
  mps_gen_param_s gens[] = {{1024, 0.8}, {4096, 0.4}};
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t root;
  size_t i, total;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  memset(table, 0, (N + NMEDIUM) * sizeof *table);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    if (klass == mps_class_imx())
      MPS_ARGS_ADD(args, MPS_KEY_IMX_DEFRAG_HEADROOM, headroom);
    die(mps_pool_create_k(&pool, arena, klass, args), "pool");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, table, N + NMEDIUM), "root");
  fragment(ap);
  collect();                    /* IMX evacuates here */
  for (i = 0; i < NMEDIUM; ++i) {
    testobj_t o;
    die(testobj_alloc(&o, ap, N + i + 1, 0, 125), "medium object");
    table[N + i] = o;
  }
  collect();
  checkSurvivors();
  for (i = 0; i < NMEDIUM; ++i)
    check(testobj_ok(table[N + i]) && ((testobj_t)table[N + i])->id == N + i + 1);
  total = mps_pool_total_size(pool);
  /* Committed memory in use: not the spare memory the arena keeps
   * mapped after a peak (such as a nursery collection's). */
  *committed = mps_arena_committed(arena) - mps_arena_spare_committed(arena);
  printf("  %s: pool total %lu bytes (free %lu), arena committed %lu bytes "
         "(%lu of them spare)\n", name,
         (unsigned long)total, (unsigned long)mps_pool_free_size(pool),
         (unsigned long)mps_arena_committed(arena),
         (unsigned long)mps_arena_spare_committed(arena));
  mps_root_destroy(root);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  return total;
}

int main(int argc, char *argv[])
{
  mps_gen_param_s gens[] = {{1024, 0.8}, {4096, 0.4}};
  size_t imxTotal, amsTotal, imxCommitted, amsCommitted, noDefrag, noDefragCommitted;
  testInit(argc, argv);
  table = calloc(N + NMEDIUM, sizeof *table);
  check(table != NULL);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  testEvacuation(0);
  testEvacuation(1);
  testDeadInLines();
  testLarge();
  testFlip(0);
  testFlip(1);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);

  printf("footprint after fragmentation (each in a fresh arena)\n");
  imxTotal = footprint("IMX", mps_class_imx(), 0.125, &imxCommitted);
  noDefrag = footprint("IMX, headroom 0 (no defragmentation)", mps_class_imx(), 0.0,
                       &noDefragCommitted);
  amsTotal = footprint("AMS", mps_class_ams(), 0.0, &amsCommitted);
  printf("  IMX/AMS: pool total %.2f, committed less spare %.2f\n",
         (double)imxTotal / (double)amsTotal, (double)imxCommitted / (double)amsCommitted);
  check(imxTotal < amsTotal);
  check(imxCommitted < amsCommitted);
  check(imxTotal < noDefrag);   /* it is defragmentation that does it */
  free(table);
  return testPass();
}

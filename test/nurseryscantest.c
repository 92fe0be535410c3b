/* nurseryscantest.c: a nursery collection scans what may point into the
 * nursery, not the old generations (issue 4; contract 12; design: zones)
 *
 * A VM arena of 64 MiB (its first chunk: 1 MiB zone stripes, so 64 MiB
 * covers every zone once) and an AMC pool with the default chain.  Old
 * data: OLD_MB of 32-byte nodes, each of whose three reference words
 * points at a random older node, held through vectors from one exact
 * root, then promoted to the top generation by full collections.  Old
 * data that big does not fit in the zones the nursery leaves to the
 * older generations of the first chunk.  Then the mutator allocates
 * several nurseries' worth of short-lived nodes that refer to old nodes
 * (keeping a few hundred alive in a ring of roots) without writing into
 * the old data.
 *
 * Checked, from tarn_arena_stats after each nursery collection: it
 * scanned less than a tenth of the old data.  If old data had been put in
 * the nursery's zones (once the other zones were full, rather than getting
 * more address space) the old nodes' summaries would meet every nursery's
 * white set and each nursery collection would scan all of them.  Also
 * checked: the old data is intact at the end (every node's references
 * point at nodes, as built).
 */

#include "mps.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "tarn.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#define OLD_MB 40
#define NODE_WORDS 4
#define VEC_NODES 1024
#define RING 256

enum { T_NODE = 1, T_VEC = 2, T_FWD = 3, T_PAD = 4 };

/* Objects: word 0 is type | words << 8; nodes have three references,
 * vectors word 1 = length then references. */
typedef mps_word_t *obj_t;

#define TYPE(o) ((o)[0] & 0xFF)
#define WORDS(o) ((size_t)((o)[0] >> 8))

static mps_res_t scan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  MPS_SCAN_BEGIN(ss) {
    obj_t o = base;
    while ((mps_addr_t)o < limit) {
      size_t i, from = TYPE(o) == T_NODE ? 1 : 2;
      if (TYPE(o) == T_NODE || TYPE(o) == T_VEC)
        for (i = from; i < WORDS(o); ++i) {
          mps_addr_t r = (mps_addr_t)o[i];
          if (MPS_FIX1(ss, r)) {
            mps_res_t res = MPS_FIX2(ss, &r);
            if (res != MPS_RES_OK)
              return res;
            o[i] = (mps_word_t)r;
          }
        }
      o += WORDS(o);
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static mps_addr_t skip(mps_addr_t addr)
{
  obj_t o = addr;
  return o + WORDS(o);
}

static void fwd(mps_addr_t old, mps_addr_t new)
{
  obj_t o = old;
  size_t words = WORDS(o);
  o[0] = T_FWD | (words << 8);
  o[1] = (mps_word_t)new;
}

static mps_addr_t isfwd(mps_addr_t addr)
{
  obj_t o = addr;
  return TYPE(o) == T_FWD ? (mps_addr_t)o[1] : NULL;
}

static void pad(mps_addr_t addr, size_t size)
{
  obj_t o = addr;
  o[0] = T_PAD | ((size / sizeof(mps_word_t)) << 8);
}

static mps_ap_t ap;

static obj_t make(int type, size_t words)
{
  size_t size = words * sizeof(mps_word_t);
  mps_addr_t p;
  obj_t o;
  do {
    die(mps_reserve(&p, ap, size), "reserve");
    o = p;
    memset(o, 0, size);
    o[0] = (mps_word_t)type | (words << 8);
    if (type == T_VEC)
      o[1] = words - 2;
  } while (!mps_commit(ap, p, size));
  return o;
}

static obj_t dir;                       /* the exact root: vectors of nodes */
static obj_t ring[RING];                /* exact root: recent young nodes */

int main(int argc, char *argv[])
{
  mps_arena_t arena;
  mps_fmt_t fmt;
  mps_pool_t pool;
  mps_root_t dirRoot, ringRoot;
  size_t nodes = (size_t)OLD_MB << 20 >> 5, vecs = nodes / VEC_NODES, v, i, n = 0;
  size_t oldBytes, worst = 0;
  mps_word_t gcs0, seen, nurseries = 0;
  tarn_stats_s st;

  testInit(argc, argv);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, (size_t)64 << 20);
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "arena");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, sizeof(mps_word_t));
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, scan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, skip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_FWD, fwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ISFWD, isfwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, pad);
    die(mps_fmt_create_k(&fmt, arena, args), "format");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&pool, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "ap");
  die(mps_root_create_table(&dirRoot, arena, mps_rank_exact(), 0, (mps_addr_t *)&dir, 1),
      "dir root");
  die(mps_root_create_table(&ringRoot, arena, mps_rank_exact(), 0, (mps_addr_t *)ring, RING),
      "ring root");

  /* The old data: node k's references point at random nodes made before
   * it (or at NULL for the first). */
  dir = make(T_VEC, vecs + 2);
  for (v = 0; v < vecs; ++v) {
    obj_t vec = make(T_VEC, VEC_NODES + 2);
    dir[2 + v] = (mps_word_t)vec;
    for (i = 0; i < VEC_NODES; ++i, ++n) {
      obj_t node = make(T_NODE, NODE_WORDS);
      int j;
      for (j = 1; j < NODE_WORDS && n > 0; ++j) {
        size_t k = testRnd(n);
        obj_t kv = (obj_t)dir[2 + k / VEC_NODES];
        node[j] = kv[2 + k % VEC_NODES];
      }
      vec = (obj_t)dir[2 + v];        /* may have moved */
      vec[2 + i] = (mps_word_t)node;
    }
  }
  die(mps_arena_collect(arena), "collect");
  die(mps_arena_collect(arena), "collect");
  mps_arena_release(arena);
  oldBytes = (size_t)OLD_MB << 20;

  /* Young garbage, a ring of survivors; the old data untouched.  With
   * an unbounded pause time each collection is over when the allocation
   * that started it returns, so the statistics are its own. */
  mps_arena_pause_time_set(arena, 1e9);
  gcs0 = seen = mps_collections(arena);
  for (i = 0; seen < gcs0 + 12 && i < 20000000; ++i) {
    obj_t y = make(T_NODE, NODE_WORDS);
    {                           /* young-to-old: work for FIX1, no survivors */
      obj_t vec = (obj_t)dir[2 + testRnd(vecs)];
      y[1] = vec[2 + testRnd(VEC_NODES)];
    }
    ring[i % RING] = y;
    tarn_arena_stats(arena, &st);
    if (st.collections == seen)
      continue;
    seen = st.collections;
    if (st.condemned < oldBytes / 2) {         /* a nursery collection */
      ++nurseries;
      if (st.bytes_scanned > worst)
        worst = st.bytes_scanned;
    }
  }
  printf("%lu nursery collections after %d MB of old data: at most %lu KiB scanned\n",
         (unsigned long)nurseries, OLD_MB, (unsigned long)(worst >> 10));
  check(nurseries >= 5);
  check(worst > 0);
  check(worst < oldBytes / 10);

  /* The old data intact: every reference of every node is a node. */
  for (v = 0; v < vecs; ++v) {
    obj_t vec = (obj_t)dir[2 + v];
    check(TYPE(vec) == T_VEC && vec[1] == VEC_NODES);
    for (i = 0; i < VEC_NODES; ++i) {
      obj_t node = (obj_t)vec[2 + i];
      int j;
      check(TYPE(node) == T_NODE && WORDS(node) == NODE_WORDS);
      for (j = 1; j < NODE_WORDS; ++j)
        check(node[j] == 0 || TYPE((obj_t)node[j]) == T_NODE);
    }
  }

  mps_arena_park(arena);
  mps_root_destroy(ringRoot);
  mps_root_destroy(dirRoot);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  return testPass();
}

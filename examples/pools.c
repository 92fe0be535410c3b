/* pools.c: every pool class of Tarn, with one object format
 *
 * A small plain-C client of Tarn (or of MPS 1.118, whose interface Tarn
 * implements).  It makes one arena, one object format and one chain,
 * and then puts each pool class to the use it is meant for:
 *
 *   AMC   a linked list that the collector moves;
 *   AMCZ  strings (leaves) that the list's nodes point to;
 *   AMS   a tree that is collected but never moves;
 *   LO    leaf buffers hung from the tree;
 *   AWL   an array of weak references, splatted when their targets die;
 *   SNC   a stack of frames whose objects keep AMC objects alive until
 *         the frame is popped;
 *   MFS   fixed-size records, freed and reused;
 *   MVFF  blocks of any size, like malloc;
 *   MVT   blocks of any size through an allocation point.
 *
 * It prints what it did and checks every result: the exit status is 1
 * (with a message saying which check failed) if anything is wrong.
 * Counts of objects that should die allow a little slack, because the
 * stack is scanned ambiguously and a stale word may keep one alive.
 *
 * Build it the single-translation-unit way, with no library:
 *   cc -std=gnu99 -O2 -Iinclude examples/pools.c code/mps.c -lpthread -o pools
 */

#include "mps.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include "mpscawl.h"
#include "mpsclo.h"
#include "mpscsnc.h"
#include "mpscmfs.h"
#include "mpscmvff.h"
#include "mpscmvt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

static int failures;

#define CHECK(cond) \
  do { \
    if (!(cond)) { \
      fprintf(stderr, "pools: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures; \
    } \
  } while (0)

static void die(mps_res_t res, const char *what)
{
  if (res != MPS_RES_OK) {
    fprintf(stderr, "pools: %s failed (result %d)\n", what, res);
    exit(1);
  }
}


/* THE FORMAT
 *
 * Every formatted object starts with a header word: its type in the low
 * 8 bits and a count above them.  A node holds a value (a tagged integer:
 * low bit 1, so no scanner mistakes it for a reference) and `count`
 * references, each a node or NULL.  A string holds `count` bytes.  Every
 * object is at least two words, so a forwarding marker (header, new
 * address) always fits; padding may be a single word.  Every word of a
 * node is a header, a reference, NULL or a tagged integer, which is what
 * AWL asks of the objects it holds. */

typedef mps_word_t word;
enum { T_NODE = 1, T_STRING, T_FWD, T_PAD };

typedef struct node {
  word header;
  word value;
  struct node *ref[];
} node_s, *node_t;

typedef struct string {
  word header;
  char chars[];
} string_s, *string_t;

#define WORD sizeof(word)
#define HDR(type, count) ((word)(type) | ((word)(count) << 8))
#define HTYPE(h) ((unsigned)((h) & 0xFF))
#define HCOUNT(h) ((size_t)((h) >> 8))
#define TAGGED(v) (((word)(v) << 1) | 1)
#define UNTAG(w) ((long)((w) >> 1))
#define ROUND_UP(n) (((n) + WORD - 1) / WORD * WORD)

static size_t node_size(size_t refs) { return WORD * (2 + refs); }
static size_t string_size(size_t len)
{
  size_t size = ROUND_UP(WORD + len + 1);
  return size < 2 * WORD ? 2 * WORD : size;
}

static size_t obj_size(word h)
{
  switch (HTYPE(h)) {
  case T_NODE: return node_size(HCOUNT(h));
  case T_STRING: return string_size(HCOUNT(h));
  default: return HCOUNT(h);            /* T_FWD and T_PAD hold their size */
  }
}

/* Fix every reference of every node from base to limit.  A weak
 * reference whose target died comes back from MPS_FIX2 as NULL, and is
 * stored as NULL: that is how the AWL array below loses its targets. */
static mps_res_t fmt_scan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  MPS_SCAN_BEGIN(ss) {
    while (base < limit) {
      word h = *(word *)base;
      if (HTYPE(h) == T_NODE) {
        node_t n = base;
        size_t i;
        for (i = 0; i < HCOUNT(h); ++i) {
          mps_addr_t ref = n->ref[i];
          if (ref != NULL && MPS_FIX1(ss, ref)) {
            mps_res_t res = MPS_FIX2(ss, &ref);
            if (res != MPS_RES_OK)
              return res;
            n->ref[i] = ref;
          }
        }
      }
      base = (char *)base + obj_size(h);
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static mps_addr_t fmt_skip(mps_addr_t addr)
{
  return (char *)addr + obj_size(*(word *)addr);
}

static void fmt_fwd(mps_addr_t old, mps_addr_t new)
{
  word *w = old;
  size_t size = obj_size(w[0]);
  w[1] = (word)new;
  w[0] = HDR(T_FWD, size);
}

static mps_addr_t fmt_isfwd(mps_addr_t addr)
{
  word *w = addr;
  return HTYPE(w[0]) == T_FWD ? (mps_addr_t)w[1] : NULL;
}

static void fmt_pad(mps_addr_t addr, size_t size)
{
  *(word *)addr = HDR(T_PAD, size);
}


/* THE CLIENT'S STATE */

static mps_arena_t arena;
static mps_fmt_t fmt;
static mps_chain_t chain;

/* Exact roots: everything the program keeps between steps is reachable
 * from here.  (The stack is also a root, ambiguous, for C locals.) */
enum { R_LIST, R_TREE, R_KEEP, R_WEAK, NROOTS };
static node_t roots[NROOTS];

/* The reserve/commit protocol: the object is initialised between the
 * two, and again if the commit fails because a collection intervened. */
static node_t make_node(mps_ap_t ap, size_t refs, long value)
{
  size_t size = node_size(refs), i;
  mps_addr_t p;
  node_t n;
  do {
    die(mps_reserve(&p, ap, size), "reserve a node");
    n = p;
    n->header = HDR(T_NODE, refs);
    n->value = TAGGED(value);
    for (i = 0; i < refs; ++i)
      n->ref[i] = NULL;
  } while (!mps_commit(ap, p, size));
  return n;
}

static string_t make_string(mps_ap_t ap, const char *s)
{
  size_t len = strlen(s), size = string_size(len);
  mps_addr_t p;
  string_t str;
  do {
    die(mps_reserve(&p, ap, size), "reserve a string");
    str = p;
    str->header = HDR(T_STRING, len);
    memset(str->chars, 0, size - WORD);
    memcpy(str->chars, s, len);
  } while (!mps_commit(ap, p, size));
  return str;
}

static mps_pool_t make_pool(mps_pool_class_t class, int formatted)
{
  mps_pool_t pool;
  MPS_ARGS_BEGIN(args) {
    if (formatted) {
      MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
      if (class != mps_class_snc())
        MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    }
    die(mps_pool_create_k(&pool, arena, class, args), "pool");
  } MPS_ARGS_END(args);
  return pool;
}

static mps_ap_t make_ap(mps_pool_t pool, mps_rank_t rank)
{
  mps_ap_t ap;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, rank);
    die(mps_ap_create_k(&ap, pool, args), "allocation point");
  } MPS_ARGS_END(args);
  return ap;
}

/* Zero the stack below the caller's frame.  The collector scans the
 * whole stack ambiguously, including the words that calls which have
 * returned left behind it; one of those pointing at a dropped list's
 * head would keep the whole list alive, so every collection here starts
 * from a scrubbed stack.  (Volatile stores, so that they are not
 * optimised away as dead.) */
static NOINLINE void scrub_stack(void)
{
  volatile word area[4096];
  size_t i;
  for (i = 0; i < sizeof area / sizeof area[0]; ++i)
    area[i] = 0;
}

static void collect(void)
{
  scrub_stack();
  die(mps_arena_collect(arena), "collection");
  mps_arena_release(arena);
}

/* Bytes of a pool in use: what it holds minus what is free in it. */
static size_t used(mps_pool_t pool)
{
  return mps_pool_total_size(pool) - mps_pool_free_size(pool);
}

/* Garbage: `count` nodes of `refs` references that nobody keeps.
 * Returns their size in bytes. */
static NOINLINE size_t make_garbage(mps_ap_t ap, size_t count, size_t refs)
{
  size_t i;
  for (i = 0; i < count; ++i)
    make_node(ap, refs, (long)i);
  return count * node_size(refs);
}

static mps_ap_t make_leaf_ap(mps_pool_t pool)
{
  mps_ap_t ap;
  die(mps_ap_create_k(&ap, pool, mps_args_none), "leaf allocation point");
  return ap;
}

/* The AMC pool and its allocation point serve the later steps too:
 * their weak references and frames point at AMC objects. */
static mps_pool_t amc;
static mps_ap_t amc_ap;


/* AMC AND AMCZ: a list of nodes, each pointing to a string.  The
 * collector may move every one of them (unless a stack word pins it);
 * the list must come out of collections intact. */

#define LIST 1000

static NOINLINE void build_list(mps_ap_t strings)
{
  long i;
  char text[32];
  roots[R_LIST] = NULL;
  for (i = LIST - 1; i >= 0; --i) {
    node_t n = make_node(amc_ap, 2, i);
    n->ref[0] = roots[R_LIST];
    roots[R_LIST] = n;
    snprintf(text, sizeof text, "item %ld", i);
    roots[R_LIST]->ref[1] = (node_t)make_string(strings, text);
  }
}

/* How many nodes of the list are right; where[] gets their addresses
 * (in malloc'd memory, which is not a root, so it pins nothing). */
static NOINLINE long check_list(word *where)
{
  long i = 0, good = 0;
  node_t n;
  char text[32];
  for (n = roots[R_LIST]; n != NULL; n = n->ref[0], ++i) {
    snprintf(text, sizeof text, "item %ld", i);
    good += UNTAG(n->value) == i && strcmp(((string_t)n->ref[1])->chars, text) == 0;
    where[i] = (word)n;
  }
  return i == LIST ? good : -1;
}

static void demo_amc(void)
{
  mps_pool_t amcz = make_pool(mps_class_amcz(), 1);
  mps_ap_t strings = make_leaf_ap(amcz);
  word *before = malloc(LIST * sizeof *before), *after = malloc(LIST * sizeof *after);
  size_t garbage, i, moved = 0;
  CHECK(before != NULL && after != NULL);
  build_list(strings);
  CHECK(check_list(before) == LIST);
  garbage = make_garbage(amc_ap, 100000, 4);
  collect();
  CHECK(check_list(after) == LIST);
  for (i = 0; i < LIST; ++i)
    moved += before[i] != after[i];
  printf("AMC:  a list of %d nodes survived %lu bytes of garbage and a "
         "collection; %lu nodes moved\n", LIST, (unsigned long)garbage,
         (unsigned long)moved);
  printf("AMCZ: its %d strings are intact; %lu bytes in use in AMC, %lu in AMCZ\n",
         LIST, (unsigned long)used(amc), (unsigned long)used(amcz));
  CHECK(used(amc) < garbage / 4);
  roots[R_LIST] = NULL;
  collect();
  CHECK(used(amcz) < LIST * string_size(9) / 4);
  free(before);
  free(after);
  mps_ap_destroy(strings);
  mps_pool_destroy(amcz);
}


/* AMS AND LO: a binary tree that does not move, each node with a leaf
 * buffer in LO.  The tree must keep its addresses and its contents,
 * and the garbage around it must be swept. */

#define DEPTH 10
#define TREE_NODES ((1L << DEPTH) - 1)

static node_t build_tree(mps_ap_t ap, mps_ap_t lo, int depth, long *next)
{
  node_t n;
  char text[32];
  if (depth == 0)
    return NULL;
  n = make_node(ap, 3, (*next)++);      /* n is on the stack: kept alive */
  n->ref[0] = build_tree(ap, lo, depth - 1, next);
  n->ref[1] = build_tree(ap, lo, depth - 1, next);
  snprintf(text, sizeof text, "leaf %ld", UNTAG(n->value));
  n->ref[2] = (node_t)make_string(lo, text);
  return n;
}

/* Record the tree's addresses in preorder; count nodes whose value and
 * buffer are right. */
static long walk_tree(node_t n, word *where, long *i)
{
  char text[32];
  long good;
  if (n == NULL)
    return 0;
  where[(*i)++] = (word)n;
  snprintf(text, sizeof text, "leaf %ld", UNTAG(n->value));
  good = strcmp(((string_t)n->ref[2])->chars, text) == 0;
  return good + walk_tree(n->ref[0], where, i) + walk_tree(n->ref[1], where, i);
}

static NOINLINE size_t lo_garbage(mps_ap_t lo, size_t count)
{
  size_t i;
  for (i = 0; i < count; ++i)
    make_string(lo, "garbage that nobody keeps");
  return count * string_size(25);
}

static void demo_ams(void)
{
  mps_pool_t ams = make_pool(mps_class_ams(), 1), lo = make_pool(mps_class_lo(), 1);
  mps_ap_t ap = make_ap(ams, mps_rank_exact()), lo_ap = make_leaf_ap(lo);
  word *before = malloc(TREE_NODES * sizeof *before);
  word *after = malloc(TREE_NODES * sizeof *after);
  long next = 0, i = 0, j = 0, moved = 0;
  size_t garbage, lo_trash;
  CHECK(before != NULL && after != NULL);
  roots[R_TREE] = build_tree(ap, lo_ap, DEPTH, &next);
  CHECK(walk_tree(roots[R_TREE], before, &i) == TREE_NODES);
  garbage = make_garbage(ap, 50000, 2);
  lo_trash = lo_garbage(lo_ap, 50000);
  collect();
  CHECK(walk_tree(roots[R_TREE], after, &j) == TREE_NODES && j == TREE_NODES);
  for (i = 0; i < TREE_NODES; ++i)
    moved += before[i] != after[i];
  printf("AMS:  a tree of %ld nodes survived %lu bytes of garbage and a "
         "collection; %ld nodes moved; %lu bytes in use\n", TREE_NODES,
         (unsigned long)garbage, moved, (unsigned long)used(ams));
  printf("LO:   its %ld buffers are intact after %lu bytes of garbage; "
         "%lu bytes in use\n", TREE_NODES, (unsigned long)lo_trash,
         (unsigned long)used(lo));
  CHECK(moved == 0);
  CHECK(used(ams) < TREE_NODES * node_size(3) + garbage / 4);
  CHECK(used(lo) < TREE_NODES * string_size(9) + lo_trash / 4);
  roots[R_TREE] = NULL;
  free(before);
  free(after);
  mps_ap_destroy(lo_ap);
  mps_ap_destroy(ap);
  mps_pool_destroy(lo);
  mps_pool_destroy(ams);
}


/* AWL: an array of weak references to AMC nodes, half of which are
 * also kept by a strong node.  After a collection the kept half must be
 * there and the rest (but for stale stack words) gone: NULL. */

#define WEAK 100

static NOINLINE void fill_weak(void)
{
  long i;
  for (i = 0; i < WEAK; ++i) {
    node_t target = make_node(amc_ap, 0, 1000 + i);
    roots[R_WEAK]->ref[i] = target;
    if (i % 2 == 0)
      roots[R_KEEP]->ref[i / 2] = target;
  }
}

/* Count the weak references in roots[R_WEAK] that are NULL; check the
 * ones that must be alive (every even one if `kept`). */
static long count_splatted(int kept)
{
  long i, splatted = 0;
  for (i = 0; i < WEAK; ++i) {
    node_t target = roots[R_WEAK]->ref[i];
    if (target == NULL)
      ++splatted;
    else
      CHECK(UNTAG(target->value) == 1000 + i);
    if (kept && i % 2 == 0)
      CHECK(target != NULL && target == roots[R_KEEP]->ref[i / 2]);
  }
  return splatted;
}

static void demo_awl(mps_ap_t weak_ap)
{
  long splatted;
  roots[R_WEAK] = make_node(weak_ap, WEAK, 0);
  roots[R_KEEP] = make_node(amc_ap, WEAK / 2, 0);
  fill_weak();
  make_garbage(amc_ap, 10000, 2);       /* clears stale words off the stack */
  collect();
  splatted = count_splatted(1);
  printf("AWL:  %d weak references, half of them to objects kept elsewhere: "
         "after a collection %ld are NULL\n", WEAK, splatted);
  CHECK(splatted >= WEAK / 2 - 5 && splatted <= WEAK / 2);
  roots[R_KEEP] = NULL;
  collect();
  splatted = count_splatted(0);
  printf("      dropping the strong node: now %ld are NULL\n", splatted);
  CHECK(splatted >= WEAK - 10);
}


/* SNC: objects in a frame refer to AMC nodes, which only the frame keeps
 * alive (a weak array watches them).  Popping the frame frees the frame's
 * objects at once, and the nodes die at the next collection. */

static NOINLINE void fill_frame(mps_ap_t snc_ap)
{
  long i;
  for (i = 0; i < WEAK; ++i) {
    node_t holder = make_node(snc_ap, 1, i);
    holder->ref[0] = make_node(amc_ap, 0, 1000 + i);
    roots[R_WEAK]->ref[i] = holder->ref[0];
  }
}

static void demo_snc(mps_pool_t snc, mps_ap_t weak_ap)
{
  mps_ap_t snc_ap = make_ap(snc, mps_rank_exact());
  mps_frame_t frame;
  size_t in_frame;
  long splatted;
  roots[R_WEAK] = make_node(weak_ap, WEAK, 0);
  die(mps_ap_frame_push(&frame, snc_ap), "frame push");
  fill_frame(snc_ap);
  make_garbage(amc_ap, 10000, 2);
  collect();
  splatted = count_splatted(0);
  in_frame = used(snc);
  printf("SNC:  a frame of %d objects kept %d AMC nodes through a "
         "collection (%ld lost); %lu bytes in use\n", WEAK, WEAK, splatted,
         (unsigned long)in_frame);
  CHECK(splatted == 0);
  CHECK(in_frame >= WEAK * node_size(1));
  die(mps_ap_frame_pop(snc_ap, frame), "frame pop");
  make_garbage(amc_ap, 10000, 2);
  collect();
  splatted = count_splatted(0);
  printf("      after the pop, %ld of them are gone\n", splatted);
  CHECK(splatted >= WEAK - 10);
  roots[R_WEAK] = NULL;
  mps_ap_destroy(snc_ap);
}


/* MFS: records of one size.  Freed records are reused, so allocating
 * the same number again does not grow the pool. */

#define RECORDS 1000

static void demo_mfs(void)
{
  mps_pool_t mfs;
  void *rec[RECORDS];
  size_t total, i;
  int round;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MFS_UNIT_SIZE, 64);
    die(mps_pool_create_k(&mfs, arena, mps_class_mfs(), args), "MFS pool");
  } MPS_ARGS_END(args);
  total = 0;
  for (round = 0; round < 2; ++round) {
    for (i = 0; i < RECORDS; ++i) {
      die(mps_alloc(&rec[i], mfs, 64), "MFS alloc");
      memset(rec[i], round + 1, 64);
    }
    for (i = 0; i < RECORDS; ++i)
      CHECK(((unsigned char *)rec[i])[63] == round + 1);
    if (round == 0)
      total = mps_pool_total_size(mfs);
    for (i = 0; i < RECORDS; ++i)
      mps_free(mfs, rec[i], 64);
  }
  printf("MFS:  %d records of 64 bytes, freed and allocated again: the pool "
         "stayed at %lu bytes\n", RECORDS, (unsigned long)mps_pool_total_size(mfs));
  CHECK(total >= RECORDS * 64);
  CHECK(mps_pool_total_size(mfs) == total);
  mps_pool_destroy(mfs);
}


/* MVFF: blocks of many sizes, like malloc.  Half are freed; the others
 * must keep their contents, and the freed space must be reused. */

#define BLOCKS 500

static size_t block_size(size_t i) { return 16 + (i * 53) % 700; }

static void demo_mvff(void)
{
  mps_pool_t mvff = make_pool(mps_class_mvff(), 0);
  void *block[BLOCKS];
  size_t i, bytes = 0, total;
  for (i = 0; i < BLOCKS; ++i) {
    die(mps_alloc(&block[i], mvff, block_size(i)), "MVFF alloc");
    memset(block[i], (int)(i & 0xFF), block_size(i));
    bytes += block_size(i);
  }
  for (i = 1; i < BLOCKS; i += 2)
    mps_free(mvff, block[i], block_size(i));
  for (i = 0; i < BLOCKS; i += 2)
    CHECK(((unsigned char *)block[i])[block_size(i) - 1] == (i & 0xFF));
  total = mps_pool_total_size(mvff);
  for (i = 1; i < BLOCKS; i += 2)       /* the same sizes again: reused */
    die(mps_alloc(&block[i], mvff, block_size(i)), "MVFF alloc");
  printf("MVFF: %d blocks, %lu bytes; half freed and allocated again, the "
         "pool holds %lu bytes\n", BLOCKS, (unsigned long)bytes,
         (unsigned long)mps_pool_total_size(mvff));
  CHECK(mps_pool_total_size(mvff) == total);
  for (i = 0; i < BLOCKS; ++i)
    mps_free(mvff, block[i], block_size(i));
  CHECK(used(mvff) == 0);
  mps_pool_destroy(mvff);
}


/* MVT: blocks of many sizes through an allocation point, freed with
 * mps_free.  Every block must keep its contents until it is freed. */

static void demo_mvt(void)
{
  mps_pool_t mvt;
  mps_ap_t ap;
  void *block[BLOCKS];
  size_t i;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MIN_SIZE, 16);
    MPS_ARGS_ADD(args, MPS_KEY_MEAN_SIZE, 300);
    MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, 1024);
    die(mps_pool_create_k(&mvt, arena, mps_class_mvt(), args), "MVT pool");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, mvt, mps_args_none), "MVT allocation point");
  for (i = 0; i < BLOCKS; ++i) {
    size_t size = ROUND_UP(block_size(i));
    mps_addr_t p;
    do {
      die(mps_reserve(&p, ap, size), "MVT reserve");
    } while (!mps_commit(ap, p, size));
    memset(p, (int)(i & 0xFF), size);
    block[i] = p;
  }
  for (i = 0; i < BLOCKS; ++i)
    CHECK(((unsigned char *)block[i])[0] == (i & 0xFF));
  printf("MVT:  %d blocks through an allocation point; the pool holds %lu "
         "bytes, %lu of them free\n", BLOCKS,
         (unsigned long)mps_pool_total_size(mvt),
         (unsigned long)mps_pool_free_size(mvt));
  CHECK(used(mvt) >= BLOCKS * 16);
  for (i = 0; i < BLOCKS; ++i)
    mps_free(mvt, block[i], ROUND_UP(block_size(i)));
  mps_ap_destroy(ap);
  mps_pool_destroy(mvt);
}


/* SETTING UP AND TEARING DOWN */

static void make_format(void)
{
  static mps_gen_param_s gens[] = { { 1024, 0.8 }, { 4096, 0.4 } };
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, WORD);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, fmt_scan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, fmt_skip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_FWD, fmt_fwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ISFWD, fmt_isfwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, fmt_pad);
    die(mps_fmt_create_k(&fmt, arena, args), "format");
  } MPS_ARGS_END(args);
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
}

/* Count the collections Tarn reported. */
static unsigned long count_collections(void)
{
  mps_message_t msg;
  unsigned long n = 0;
  while (mps_message_get(&msg, arena, mps_message_type_gc())) {
    ++n;
    mps_message_discard(arena, msg);
  }
  return n;
}

/* Everything that touches the heap runs here, below `cold`. */
static NOINLINE int run(void *cold)
{
  mps_thr_t thread;
  mps_root_t stack_root, roots_root;
  mps_pool_t awl, snc;
  mps_ap_t weak_ap;
  unsigned long collections;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  mps_message_type_enable(arena, mps_message_type_gc());
  die(mps_thread_reg(&thread, arena), "thread registration");
  die(mps_root_create_thread(&stack_root, arena, thread, cold), "stack root");
  die(mps_root_create_area(&roots_root, arena, mps_rank_exact(), 0, roots,
                           roots + NROOTS, mps_scan_area, NULL), "roots");
  make_format();
  amc = make_pool(mps_class_amc(), 1);
  amc_ap = make_ap(amc, mps_rank_exact());
  awl = make_pool(mps_class_awl(), 1);
  weak_ap = make_ap(awl, mps_rank_weak());
  snc = make_pool(mps_class_snc(), 1);

  demo_amc();
  demo_ams();
  demo_awl(weak_ap);
  demo_snc(snc, weak_ap);
  demo_mfs();
  demo_mvff();
  demo_mvt();
  collections = count_collections();
  printf("Tarn reported %lu collections\n", collections);
  CHECK(collections >= 8);      /* at least the ones asked for */

  mps_arena_park(arena);
  mps_ap_destroy(weak_ap);
  mps_ap_destroy(amc_ap);
  mps_pool_destroy(snc);
  mps_pool_destroy(awl);
  mps_pool_destroy(amc);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_root_destroy(roots_root);
  mps_root_destroy(stack_root);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
  if (failures > 0)
    printf("pools: %d checks failed\n", failures);
  return failures > 0;
}

int main(void)
{
  void *cold = NULL;    /* the cold end of the stack Tarn scans */
  int status = run(&cold);
  return status + (cold != NULL);       /* keeps `cold` in this frame */
}

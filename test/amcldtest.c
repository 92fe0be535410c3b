/* amcldtest.c: address-hashed tables over AMC with location dependency
 * (contract 15, 27.23, 6.1 MPS_KEY_AP_HASH_ARRAYS)
 *
 * Two `eq` hash tables map key objects, by address, to values:
 *  - table 1: open addressing in malloc'd memory, the key array an exact
 *    table root, with its own mps_ld_s;
 *  - table 2: the key array is itself an AMC object allocated on an
 *    allocation point with MPS_KEY_AP_HASH_ARRAYS, referenced from an
 *    exact root; it grows by allocating a bigger array.
 * Keys live in AMC (they move) and in AMS (they never move).  The client
 * follows the contract's protocol: mps_ld_add before hashing an address;
 * on a miss, if mps_ld_isstale says so, reset, rehash from the current
 * addresses and retry.  Thousands of collections happen between
 * lookups, inserts and deletes, and no lookup may ever give a wrong
 * answer: an inserted key is found with its value, a deleted or never
 * inserted one is not.
 *
 * Also checked: after any collection, for every key whose address
 * changed since it was hashed, isstale on the address it was hashed at is
 * true (no false negative), for the table's ld and for a merged ld;
 * isstale implies isstale_any; both are false right after a reset; AMS
 * keys are always found without rehashing; allocating on the hash-array
 * allocation point alone provokes no collection.  The thread is not
 * registered, so no ambiguous reference pins anything: keys really move.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include <string.h>

#define NKEYS 512               /* key indexes; the last NAMS are AMS keys */
#define NAMS 64
#define CAP1 2048               /* table 1 capacity */
#define CAP2_MIN 16

static mps_arena_t arena;
static mps_ap_t keyAP, amsAP, hashAP, junkAP;

/* Keys: keys[i] is the current object for index i (an exact root). */
static mps_addr_t keys[NKEYS];
static mps_word_t keyId[NKEYS];
static mps_word_t nextId = 1;

/* Tombstones: a static object outside the arena (FIX2 ignores it). */
static mps_word_t tombObject[4];
#define TOMB ((mps_addr_t)tombObject)

typedef struct Table {
  const char *name;
  mps_ld_s ld;
  size_t cap, count, used;      /* used: live + tombstones */
  size_t *vals;                 /* malloc'd, the key index */
  int inserted[NKEYS];          /* is the current keys[i] in the table? */
  mps_addr_t hashedAt[NKEYS];   /* the address it was hashed at */
  int merged[NKEYS];            /* ldMerged took this dependency over */
  unsigned long lookups, rehashes, staleChecks;
} Table;

static Table t1, t2;
static mps_addr_t t1keys[CAP1];         /* exact root */
static mps_addr_t t2holder[1];          /* exact root: table 2's key array */
static mps_ld_s ldMerged;
static unsigned long collectionsSeen = 0, lastCollections = 0, amsStale = 0;

static mps_addr_t *tableKeys(Table *t)
{
  if (t == &t1)
    return t1keys;
  return ((testobj_t)t2holder[0])->refs;
}

static size_t hashAddr(mps_addr_t a, size_t cap)
{
  mps_word_t h = ((mps_word_t)a >> 3) * (mps_word_t)0x9E3779B97F4A7C15ULL;
  return (size_t)(h >> 20) & (cap - 1);
}

/* Probe for key; return its slot or cap. */
static size_t probe(Table *t, mps_addr_t key)
{
  mps_addr_t *k = tableKeys(t);
  size_t i = hashAddr(key, t->cap), n;
  for (n = 0; n < t->cap; ++n) {
    if (k[i] == NULL)
      return t->cap;
    if (k[i] == key)
      return i;
    i = (i + 1) & (t->cap - 1);
  }
  return t->cap;
}

/* Put a key known to be absent; ld_add before hashing. */
static void place(Table *t, mps_addr_t key, size_t idx)
{
  mps_addr_t *k = tableKeys(t);
  size_t i;
  mps_ld_add(&t->ld, arena, key);
  i = hashAddr(key, t->cap);
  while (k[i] != NULL && k[i] != TOMB)
    i = (i + 1) & (t->cap - 1);
  if (k[i] == NULL)
    ++t->used;
  k[i] = key;
  t->vals[i] = idx;
  t->hashedAt[idx] = key;
  t->merged[idx] = 0;
  ++t->count;
}

/* ldMerged: the union of both tables' dependencies as they are now
 * (later additions to the tables' lds are not in it). */
static void rebuildMerged(void)
{
  size_t i;
  mps_ld_reset(&ldMerged, arena);
  check(!mps_ld_isstale_any(&ldMerged, arena));
  mps_ld_merge(&ldMerged, arena, &t1.ld);
  mps_ld_merge(&ldMerged, arena, &t2.ld);
  for (i = 0; i < NKEYS; ++i) {
    t1.merged[i] = t1.inserted[i];
    t2.merged[i] = t2.inserted[i];
  }
}

/* Rehash in place from the keys' current addresses.  Nothing here
 * allocates, so nothing moves while it runs. */
static void rehash(Table *t)
{
  mps_addr_t *k = tableKeys(t);
  size_t i, n = 0;
  size_t *idx = malloc(t->count * sizeof *idx + 1);
  mps_addr_t *old = malloc(t->count * sizeof *old + 1);
  check(idx != NULL && old != NULL);
  for (i = 0; i < t->cap; ++i)
    if (k[i] != NULL && k[i] != TOMB) {
      old[n] = k[i];
      idx[n] = t->vals[i];
      ++n;
    }
  check(n == t->count);
  mps_ld_reset(&t->ld, arena);
  check(!mps_ld_isstale(&t->ld, arena, keys[0]));  /* false right after reset */
  check(!mps_ld_isstale_any(&t->ld, arena));
  for (i = 0; i < t->cap; ++i)
    k[i] = NULL;
  t->count = t->used = 0;
  for (i = 0; i < n; ++i) {
    check(old[i] == keys[idx[i]]);      /* the table held the current key */
    place(t, old[i], idx[i]);
  }
  free(idx);
  free(old);
  ++t->rehashes;
  rebuildMerged();
}

static int isStale(Table *t, mps_addr_t a)
{
  int stale = mps_ld_isstale(&t->ld, arena, a) != 0;
  if (stale)
    check(mps_ld_isstale_any(&t->ld, arena));
  ++t->staleChecks;
  return stale;
}

/* The client's lookup: on a miss, rehash if stale and retry. */
static size_t lookup(Table *t, size_t idx)
{
  mps_addr_t key = keys[idx];
  size_t slot = probe(t, key);
  ++t->lookups;
  if (slot == t->cap && t->inserted[idx])
    check(idx < NKEYS - NAMS);  /* AMS keys never move: found at once */
  if (slot == t->cap && isStale(t, key)) {
    rehash(t);
    slot = probe(t, key);
  }
  if (t->inserted[idx]) {
    check(slot != t->cap);
    check(t->vals[slot] == idx);
  } else {
    check(slot == t->cap);
  }
  return slot;
}

static void grow2(size_t cap);

static void insert(Table *t, size_t idx)
{
  if (t->inserted[idx])
    return;
  (void)lookup(t, idx);         /* absent, and the table is fresh */
  if (t == &t2 && (t->used + 1) * 2 > t->cap) {
    /* a new array, bigger unless tombstones filled this one */
    grow2((t->count + 1) * 4 > t->cap ? t->cap * 2 : t->cap); /* allocates: keys may move */
    (void)lookup(t, idx);
  }
  place(t, keys[idx], idx);
  t->inserted[idx] = 1;
}

static void delete(Table *t, size_t idx)
{
  size_t slot;
  if (!t->inserted[idx])
    return;
  slot = lookup(t, idx);
  tableKeys(t)[slot] = TOMB;
  --t->count;
  t->inserted[idx] = 0;
}

/* Table 2 gets a new key array of cap slots, on the hash-array AP. */
static void grow2(size_t cap)
{
  testobj_t a;
  size_t i, n = 0;
  size_t *idx;
  mps_addr_t *k;
  die(testobj_alloc(&a, hashAP, 0, cap, 0), "hash array");
  /* Nothing allocates from here on: the old array and keys stay put. */
  idx = malloc(t2.count * sizeof *idx + 1);
  check(idx != NULL);
  if (t2holder[0] != NULL) {
    k = tableKeys(&t2);
    for (i = 0; i < t2.cap; ++i)
      if (k[i] != NULL && k[i] != TOMB)
        idx[n++] = t2.vals[i];
  }
  check(n == t2.count);
  t2holder[0] = a;
  free(t2.vals);
  t2.vals = calloc(cap, sizeof *t2.vals);
  check(t2.vals != NULL);
  t2.cap = cap;
  t2.count = t2.used = 0;
  mps_ld_reset(&t2.ld, arena);
  for (i = 0; i < n; ++i)
    place(&t2, keys[idx[i]], idx[i]);
  free(idx);
  rebuildMerged();
}

/* After a collection: no dependency on a moved key may look fresh. */
static void checkNoFalseNegatives(Table *t)
{
  size_t i;
  for (i = 0; i < NKEYS; ++i)
    if (t->inserted[i] && keys[i] != t->hashedAt[i]) {
      check(i < NKEYS - NAMS);  /* AMS keys never move */
      check(mps_ld_isstale(&t->ld, arena, t->hashedAt[i]));
      check(mps_ld_isstale_any(&t->ld, arena));
      if (t->merged[i]) {
        check(mps_ld_isstale(&ldMerged, arena, t->hashedAt[i]));
        check(mps_ld_isstale_any(&ldMerged, arena));
      }
    }
}

static mps_ld_s ldAms;

static void afterCollections(void)
{
  mps_word_t n = mps_collections(arena);
  size_t i;
  if (n == lastCollections)
    return;
  collectionsSeen += n - lastCollections;
  lastCollections = n;
  checkNoFalseNegatives(&t1);
  checkNoFalseNegatives(&t2);
  if (mps_ld_isstale_any(&ldAms, arena))
    ++amsStale;                 /* allowed: false positives */
  mps_ld_reset(&ldAms, arena);
  for (i = NKEYS - NAMS; i < NKEYS; ++i)
    mps_ld_add(&ldAms, arena, keys[i]);
}

static void newKey(size_t idx)
{
  testobj_t o;
  delete(&t1, idx);
  delete(&t2, idx);
  keyId[idx] = nextId++;
  die(testobj_alloc(&o, idx < NKEYS - NAMS ? keyAP : amsAP, keyId[idx], 0, testRnd(4)),
      "key");
  keys[idx] = o;
}

static void checkKeys(void)
{
  size_t i;
  for (i = 0; i < NKEYS; ++i)
    check(testobj_ok(keys[i]) && ((testobj_t)keys[i])->id == keyId[i]);
}

static void run(double pauseTime, size_t target)
{
  mps_fmt_t fmt;
  mps_chain_t chain;
  mps_pool_t amc, ams;
  mps_root_t keysRoot, t1Root, t2Root;
  mps_gen_param_s gens[] = {{48, 0.9}, {200, 0.5}};
  size_t i, rounds;
  mps_word_t before;

  printf("pause time %g\n", pauseTime);
  memset(keys, 0, sizeof keys);
  memset(t1keys, 0, sizeof t1keys);
  t2holder[0] = NULL;
  memset(&t1, 0, sizeof t1);
  memset(&t2, 0, sizeof t2);
  collectionsSeen = lastCollections = amsStale = 0;
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  mps_arena_pause_time_set(arena, pauseTime);
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&amc, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&ams, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&keyAP, amc, mps_args_none), "key AP");
  die(mps_ap_create_k(&junkAP, amc, mps_args_none), "junk AP");
  die(mps_ap_create_k(&amsAP, ams, mps_args_none), "AMS AP");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_AP_HASH_ARRAYS, 1);
    die(mps_ap_create_k(&hashAP, amc, args), "hash-array AP");
  } MPS_ARGS_END(args);
  die(mps_root_create_table(&keysRoot, arena, mps_rank_exact(), 0, keys, NKEYS), "keys root");
  die(mps_root_create_table(&t1Root, arena, mps_rank_exact(), 0, t1keys, CAP1), "t1 root");
  die(mps_root_create_table(&t2Root, arena, mps_rank_exact(), 0, t2holder, 1), "t2 root");

  t1.name = "malloc'd table";
  t1.cap = CAP1;
  t1.vals = calloc(CAP1, sizeof *t1.vals);
  check(t1.vals != NULL);
  mps_ld_reset(&t1.ld, arena);
  t2.name = "hash-array table";
  t2.cap = 0;
  mps_ld_reset(&t2.ld, arena);
  mps_ld_reset(&ldAms, arena);
  check(!mps_ld_isstale_any(&ldAms, arena));
  grow2(CAP2_MIN);
  rebuildMerged();

  for (i = 0; i < NKEYS; ++i)
    newKey(i);
  lastCollections = mps_collections(arena);
  for (i = NKEYS - NAMS; i < NKEYS; ++i)
    mps_ld_add(&ldAms, arena, keys[i]);

  /* Hash arrays alone do not provoke collections. */
  die(mps_arena_collect(arena), "collect");
  mps_arena_release(arena);
  afterCollections();
  before = mps_collections(arena);
  for (i = 0; i < 400; ++i) {
    testobj_t junk;
    die(testobj_alloc(&junk, hashAP, 0, 64, 0), "hash array junk");
  }
  check(mps_collections(arena) == before);

  rounds = 0;
  while (collectionsSeen < target) {
    unsigned long r = testRnd(1000);
    size_t idx = testRnd(NKEYS);
    Table *t = testRnd(2) ? &t1 : &t2;
    ++rounds;
    check(rounds < target * 1000);
    if (r < 400) {
      (void)lookup(t, idx);
    } else if (r < 600) {
      insert(t, idx);
    } else if (r < 680) {
      delete(t, idx);
    } else if (r < 720) {
      newKey(idx);
    } else if (r < 998) {
      testobj_t junk;
      die(testobj_alloc(&junk, junkAP, 0, 0, testRnd(60)), "junk");
    } else {
      die(mps_arena_collect(arena), "collect");
      checkKeys();
      mps_arena_release(arena);
    }
    afterCollections();
    /* Every key, both tables, now and then. */
    if (r % 97 == 0) {
      size_t j;
      for (j = 0; j < NKEYS; ++j) {
        (void)lookup(&t1, j);
        (void)lookup(&t2, j);
      }
    }
  }
  checkKeys();
  for (i = 0; i < NKEYS; ++i) {
    (void)lookup(&t1, i);
    (void)lookup(&t2, i);
  }
  printf("%lu rounds, %lu collections; %s: %lu lookups, %lu rehashes; %s: %lu lookups, "
         "%lu rehashes, capacity %lu; AMS ld stale %lu times\n",
         (unsigned long)rounds, collectionsSeen, t1.name, t1.lookups, t1.rehashes,
         t2.name, t2.lookups, t2.rehashes, (unsigned long)t2.cap, amsStale);
  check(t1.rehashes > 0 && t2.rehashes > 0);

  mps_arena_park(arena);
  mps_root_destroy(t2Root);
  mps_root_destroy(t1Root);
  mps_root_destroy(keysRoot);
  mps_ap_destroy(hashAP);
  mps_ap_destroy(amsAP);
  mps_ap_destroy(junkAP);
  mps_ap_destroy(keyAP);
  mps_pool_destroy(ams);
  mps_pool_destroy(amc);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  free(t1.vals);
  free(t2.vals);
}

int main(int argc, char *argv[])
{
  int valgrind = getenv("TARN_UNDER_VALGRIND") != NULL;
  testInit(argc, argv);
  run(0.1, valgrind ? 150 : 2000);
  /* Collections in tiny slices: lookups, rehashes and isstale in the
   * middle of traces, reading the tables through the read barrier. */
  run(0.0, valgrind ? 50 : 400);
  return testPass();
}

/* awltabletest.c: weak-key and weak-value hash tables in AWL
 * (contract 6.4, 10.1, 15, 27.8)
 *
 * The classic design: a table is two AWL arrays of the same length,
 * keys and values, hashed by address with open addressing.  The weak
 * array is allocated on an allocation point of rank mps_rank_weak(), the
 * other on an exact one; each names the other as its dependent
 * (MPS_KEY_AWL_FIND_DEPENDENT).  When the weak array's scanner sees a
 * reference splatted (MPS_FIX2 returned OK and the word is now NULL) it
 * deletes the entry: a tombstone in the key slot, NULL in the value
 * slot, whichever of the two was the weak one; and it counts the splat
 * in the array's header.  Keys and values are test objects in AMC (they
 * move) and AMS; the tables notice motion with a location dependency
 * (mps_ld) and rehash.
 *
 * Two tables share one population of entries.  Entry s has a key K (AMC
 * or AMS), a value V (AMC) and a second key J (AMC):
 *   T0, weak keys:   K -> V    (V held only by T0's value array)
 *   T1, weak values: J -> K    (J held only by T1's key array)
 * K is held strongly by an exact root, or by a field of an AMC "holder"
 * object (reachable from an exact root through a chain of AMS objects, one
 * per segment, so that incremental collections take several slices to
 * reach it), so some keys are reachable both weakly and strongly.  Weak
 * roots watch K (when held directly), V and J.  Rounds drop about half of
 * the live entries (by clearing their strong reference), add new
 * ones, and collect.  After every full collection (mps_arena_collect):
 *  - every live entry is in both tables and intact: T0 maps K's current
 *    address to V, T1 maps J to K's current address (so the weak slots
 *    were updated when K moved: a collector that left weak references
 *    stale fails here, and some K must have moved);
 *  - no dropped entry is left: the tables hold exactly as many entries as
 *    there are live ones, every key slot refers to a live entry's object,
 *    every tombstone has its dependent slot cleared, and the number of
 *    splats each weak array's scanner saw is exactly the number of dropped
 *    entries (a collector that never splats, or splats without the
 *    scanner seeing it, fails);
 *  - one full collection after an entry was dropped its V and J are gone
 *    too (the weak roots watching them are NULL): the scanner's clearing
 *    of the dependent slot let them die.
 * Between full collections the mutator runs under collections started
 * by allocation and, in the later rounds, with pause time 0 so that
 * collections proceed in tiny slices (mps_arena_step) with the weak
 * arrays behind the read barrier, scanned early as exact when touched.
 * Then dropped entries may survive a collection or more, but every weak
 * slot that is not NULL or a tombstone must refer to an intact object,
 * and every live entry must be findable.  Scaled down when
 * TARN_UNDER_VALGRIND is set.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include "mpscawl.h"
#include <string.h>
#include <stdlib.h>

/* The array format.  Every word of an array is a reference, NULL, or a
 * word with non-zero low bits (as AWL clients must keep it). */

typedef struct array_s {
  mps_word_t header;            /* nslots << 3 | ARRAY_TAG, or a pad */
  struct array_s *dependent;    /* the other array of the table; not fixed */
  mps_word_t info;              /* splats << 8 | isKeys << 4 | 1 */
  mps_addr_t slot[1];           /* nslots of them */
} array_s, *array_t;

#define ARRAY_TAG 1
#define PAD_TAG 3
#define HDR_TAG(h) ((h) & 7)
#define HDR_LEN(h) ((size_t)((h) >> 3))
#define WORD sizeof(mps_word_t)
#define DELETED ((mps_addr_t)(mps_word_t)0xDE1E7ED1)  /* a tombstone key */
#define INFO(isKeys) (((mps_word_t)(isKeys) << 4) | 1)
#define INFO_SPLATS(info) ((size_t)((info) >> 8))
#define INFO_ISKEYS(info) (((info) >> 4) & 1)
#define IS_REF(w) ((w) != NULL && ((mps_word_t)(w) & 7) == 0)

static size_t arraySize(size_t nslots)
{
  return (3 + nslots) * WORD;
}

static size_t blockSize(mps_word_t h)
{
  return HDR_TAG(h) == ARRAY_TAG ? arraySize(HDR_LEN(h)) : HDR_LEN(h) * WORD;
}

static mps_res_t arrayScan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  MPS_SCAN_BEGIN(ss) {
    while (base < limit) {
      array_t a = base;
      if (HDR_TAG(a->header) == ARRAY_TAG) {
        size_t i, n = HDR_LEN(a->header);
        for (i = 0; i < n; ++i) {
          mps_addr_t ref = a->slot[i];
          if (IS_REF(ref) && MPS_FIX1(ss, ref)) {
            mps_res_t res = MPS_FIX2(ss, &ref);
            if (res != MPS_RES_OK)
              return res;
            if (ref == NULL) {
              /* Splatted: delete the entry, here and in the dependent. */
              int isKeys = (int)INFO_ISKEYS(a->info);
              a->slot[i] = isKeys ? DELETED : NULL;
              if (a->dependent != NULL)
                a->dependent->slot[i] = isKeys ? NULL : DELETED;
              a->info += (mps_word_t)1 << 8;
            } else {
              a->slot[i] = ref;
            }
          }
        }
      }
      base = (char *)base + blockSize(a->header);
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static mps_addr_t arraySkip(mps_addr_t addr)
{
  return (char *)addr + blockSize(*(mps_word_t *)addr);
}

static void arrayPad(mps_addr_t addr, size_t size)
{
  *(mps_word_t *)addr = (mps_word_t)(size / WORD) << 3 | PAD_TAG;
}

static mps_addr_t arrayFindDependent(mps_addr_t addr)
{
  array_t a = addr;
  return HDR_TAG(a->header) == ARRAY_TAG ? (mps_addr_t)a->dependent : NULL;
}

/* The state */

static mps_arena_t arena;
static mps_pool_t amcPool, amsPool, awlPool;
static mps_ap_t amcAP, amsAP, awlWeakAP, awlExactAP;
static int underValgrind;

static size_t nslots;           /* entry slots in the model */
static size_t tableSize;        /* power of two, >= 4 * nslots */
#define NHOLDERS 32
static size_t holderRefs;       /* refs per holder object */

/* Roots (all exact except the watches) */
static mps_addr_t *keyRoot;             /* [nslots]: K held directly */
static mps_addr_t holderRoot[1];        /* the first link of the holder chain */
static mps_addr_t arrayRoot[4];         /* T0 keys, T0 values, T1 keys, T1 values */
static mps_addr_t tmpRoot[2];
static mps_addr_t *keyWatch, *valWatch, *jWatch;   /* weak: [nslots] each */

typedef struct table_s {
  int weakKeys;
  mps_addr_t *keysRoot, *valuesRoot;    /* where the arrays are held */
  mps_ld_s ld;
  size_t rehashes;
} table_s;

static table_s tables[2];

enum { FREE = 0, LIVE, DROPPED };

/* K's id is (serial << 14 | model slot) << 2; V's and J's add 1 and 2. */
#define SLOT_BITS 14

typedef struct entry_s {
  int state;
  int byHolder;                 /* K is a field of a holder, not a root */
  int inAMS;                    /* K is in AMS */
  mps_word_t id;                /* K's id; V is id + 1, J is id + 2 */
  unsigned fullCollections;     /* since it was dropped */
  mps_word_t lastAddr;          /* K's address at the last check */
} entry_s;

static entry_s *entries;
static mps_word_t nextId = 1;
static size_t nLive = 0, nDropped = 0, totalDropped = 0;
static unsigned long moves = 0, lookups = 0, reclaimedChecked = 0;
static unsigned long lateSeen = 0;      /* dropped entries still there, incremental */

static array_t arr(mps_addr_t *root) { return (array_t)*root; }

/* The holders hang off a chain of AMS links, each in a segment of its
 * own, so that an incremental collection needs several slices of exact
 * scanning to reach the last holders' keys: a weak array scanned early as
 * weak, rather than exact, would lose them. */
static testobj_t holderOf(size_t s)
{
  testobj_t link = holderRoot[0];
  size_t i;
  for (i = 0; i < s % NHOLDERS; ++i)
    link = link->refs[0];
  return link->refs[1];
}

static testobj_t keyAddr(size_t s)
{
  if (entries[s].byHolder)
    return (testobj_t)holderOf(s)->refs[s / NHOLDERS];
  return (testobj_t)keyRoot[s];
}

static void setKeyRef(size_t s, testobj_t k)
{
  if (entries[s].byHolder)
    holderOf(s)->refs[s / NHOLDERS] = k;
  else
    keyRoot[s] = k;
}

/* Tables: open addressing by address, linear probing.  No operation
 * allocates, so no collection can start while one runs (no thread root
 * holds the locals). */

static size_t hashAddr(mps_addr_t addr)
{
  mps_word_t w = (mps_word_t)addr >> 3;
  return (size_t)((w * 0x9E3779B97F4A7C15UL) >> 17) & (tableSize - 1);
}

static void tableInsertRaw(table_s *t, mps_addr_t key, mps_addr_t value)
{
  array_t keys = arr(t->keysRoot), values = arr(t->valuesRoot);
  size_t i = hashAddr(key);
  while (keys->slot[i] != NULL && keys->slot[i] != DELETED)
    i = (i + 1) & (tableSize - 1);
  mps_ld_add(&t->ld, arena, key);
  keys->slot[i] = key;
  values->slot[i] = value;
}

/* Rebuild the table from its current contents, dropping tombstones. */
static void tableRehash(table_s *t)
{
  array_t keys = arr(t->keysRoot), values = arr(t->valuesRoot);
  mps_addr_t *k = malloc(tableSize * sizeof *k), *v = malloc(tableSize * sizeof *v);
  size_t i, n = 0;
  check(k != NULL && v != NULL);
  for (i = 0; i < tableSize; ++i) {
    if (IS_REF(keys->slot[i])) {
      k[n] = keys->slot[i];
      v[n] = values->slot[i];
      ++n;
    }
    keys->slot[i] = NULL;
    values->slot[i] = NULL;
  }
  mps_ld_reset(&t->ld, arena);
  for (i = 0; i < n; ++i)
    tableInsertRaw(t, k[i], v[i]);
  free(k);
  free(v);
  ++t->rehashes;
}

/* The slot of key, or tableSize if it is not there. */
static size_t tableFind(table_s *t, mps_addr_t key)
{
  int attempt;
  ++lookups;
  for (attempt = 0; attempt < 2; ++attempt) {
    array_t keys = arr(t->keysRoot);
    size_t i = hashAddr(key);
    while (keys->slot[i] != NULL) {
      if (keys->slot[i] == key)
        return i;
      i = (i + 1) & (tableSize - 1);
    }
    if (!mps_ld_isstale(&t->ld, arena, key))
      break;
    tableRehash(t);
  }
  return tableSize;
}

/* Allocation */

static testobj_t newObj(mps_ap_t ap, mps_word_t id, size_t nrefs)
{
  testobj_t obj;
  die(testobj_alloc(&obj, ap, id, nrefs, 1 + testRnd(6)), "testobj_alloc");
  return obj;
}

static array_t newArray(mps_ap_t ap, int isKeys)
{
  size_t size = arraySize(tableSize), i;
  mps_addr_t p;
  array_t a;
  do {
    die(mps_reserve(&p, ap, size), "reserve array");
    a = p;
    a->header = (mps_word_t)tableSize << 3 | ARRAY_TAG;
    a->dependent = NULL;
    a->info = INFO(isKeys);
    for (i = 0; i < tableSize; ++i)
      a->slot[i] = NULL;
  } while (!mps_commit(ap, p, size));
  return a;
}

/* A new entry in free model slot s: K, V and J, in both tables. */
static void addEntry(size_t s)
{
  entry_s *e = &entries[s];
  testobj_t k, v, j;
  e->state = LIVE;
  e->inAMS = testRnd(4) == 0;
  e->id = ((nextId++ << SLOT_BITS) | s) << 2;
  e->fullCollections = 0;
  k = newObj(e->inAMS ? amsAP : amcAP, e->id, 0);
  setKeyRef(s, k);
  /* Only keys held directly are watched: a weak root is scanned as exact
   * when an incremental collection yields, which would keep the keys the
   * chain holds marked before the weak arrays are touched. */
  keyWatch[s] = e->byHolder ? NULL : k;
  v = newObj(amcAP, e->id + 1, 0);
  tmpRoot[0] = v;
  valWatch[s] = v;
  j = newObj(amcAP, e->id + 2, 0);
  jWatch[s] = j;
  /* No allocation from here on: the locals stay valid. */
  k = keyAddr(s);
  v = tmpRoot[0];
  tableInsertRaw(&tables[0], k, v);
  tableInsertRaw(&tables[1], j, k);
  e->lastAddr = (mps_word_t)k;
  tmpRoot[0] = NULL;
  ++nLive;
}

static void dropEntry(size_t s)
{
  entries[s].state = DROPPED;
  entries[s].fullCollections = 0;
  setKeyRef(s, NULL);
  --nLive;
  ++nDropped;
  ++totalDropped;
}

/* Checking */

static size_t entryOfId(mps_word_t id)
{
  size_t s = (size_t)(id >> 2) & (((size_t)1 << SLOT_BITS) - 1);
  if (s < nslots && entries[s].state != FREE && entries[s].id == id)
    return s;
  return nslots;
}

/* Every weak slot that is not empty or a tombstone refers to an intact
 * object, and its partner matches it.  Returns the number of entries.
 * With `strict`, every entry must be live. */
static size_t checkTableSlots(table_s *t, int strict, size_t *deadSeen)
{
  array_t keys = arr(t->keysRoot), values = arr(t->valuesRoot);
  size_t i, n = 0;
  check(HDR_TAG(keys->header) == ARRAY_TAG && HDR_LEN(keys->header) == tableSize);
  check(HDR_TAG(values->header) == ARRAY_TAG && HDR_LEN(values->header) == tableSize);
  check(keys->dependent == values && values->dependent == keys);
  check(INFO_ISKEYS(keys->info) == 1 && INFO_ISKEYS(values->info) == 0);
  for (i = 0; i < tableSize; ++i) {
    mps_addr_t k = keys->slot[i], v = values->slot[i];
    testobj_t ko, vo, kobj;
    size_t s;
    if (k == NULL || k == DELETED) {
      check(v == NULL);         /* empty, or deleted with the dependent */
      continue;
    }
    check(IS_REF(k) && IS_REF(v));
    ko = k;
    vo = v;
    check(testobj_ok(ko) && testobj_ok(vo));
    kobj = t->weakKeys ? ko : vo;       /* the entry's K */
    check(kobj->id % 4 == 0);
    if (t->weakKeys)
      check(vo->id == ko->id + 1);
    else
      check(ko->id == vo->id + 2);
    s = entryOfId(kobj->id);
    check(s < nslots);
    if (entries[s].state == LIVE) {
      check(kobj == keyAddr(s));
    } else {
      check(!strict);           /* a dropped entry survives only while incremental */
      ++*deadSeen;
    }
    ++n;
  }
  return n;
}

static void checkTables(int strict)
{
  size_t s, n0, n1, dead0 = 0, dead1 = 0;
  n0 = checkTableSlots(&tables[0], strict, &dead0);
  n1 = checkTableSlots(&tables[1], strict, &dead1);
  check(n0 - dead0 == nLive && n1 - dead1 == nLive);
  for (s = 0; s < nslots; ++s) {
    entry_s *e = &entries[s];
    testobj_t k;
    size_t i;
    if (e->state != LIVE)
      continue;
    k = keyAddr(s);
    check(k != NULL && testobj_ok(k) && k->id == e->id);
    check(keyWatch[s] == (e->byHolder ? NULL : k));    /* weakly and strongly held: kept */
    if ((mps_word_t)k != e->lastAddr) {
      check(!e->inAMS);                 /* AMS does not move */
      ++moves;
      e->lastAddr = (mps_word_t)k;
    }
    i = tableFind(&tables[0], k);
    check(i < tableSize);
    check(arr(tables[0].keysRoot)->slot[i] == k);
    check(arr(tables[0].valuesRoot)->slot[i] == valWatch[s]);
    check(valWatch[s] != NULL && ((testobj_t)valWatch[s])->id == e->id + 1);
    check(jWatch[s] != NULL && testobj_ok(jWatch[s]));
    i = tableFind(&tables[1], jWatch[s]);
    check(i < tableSize);
    check(arr(tables[1].valuesRoot)->slot[i] == k);   /* weak value updated */
    check(((testobj_t)arr(tables[1].keysRoot)->slot[i])->id == e->id + 2);
  }
}

/* After a full collection: the strict checks, the splat counts, and the
 * dropped entries' dependents reclaimed one collection later. */
static void checkAfterFull(void)
{
  size_t s, splats[2];
  checkTables(1);
  splats[0] = INFO_SPLATS(arr(tables[0].keysRoot)->info);
  splats[1] = INFO_SPLATS(arr(tables[1].valuesRoot)->info);
  check(INFO_SPLATS(arr(tables[0].valuesRoot)->info) == 0);
  check(INFO_SPLATS(arr(tables[1].keysRoot)->info) == 0);
  /* Every entry dropped so far was splatted exactly once in each table. */
  check(splats[0] == totalDropped && splats[1] == totalDropped);
  for (s = 0; s < nslots; ++s) {
    entry_s *e = &entries[s];
    if (e->state != DROPPED)
      continue;
    ++e->fullCollections;
    check(keyWatch[s] == NULL);         /* K is dead */
    if (valWatch[s] != NULL)
      check(testobj_ok(valWatch[s]) && ((testobj_t)valWatch[s])->id == e->id + 1);
    if (jWatch[s] != NULL)
      check(testobj_ok(jWatch[s]) && ((testobj_t)jWatch[s])->id == e->id + 2);
    if (e->fullCollections >= 2) {
      /* The scanner cleared the dependent slot a collection ago. */
      check(valWatch[s] == NULL && jWatch[s] == NULL);
      e->state = FREE;
      --nDropped;
      ++reclaimedChecked;
    }
  }
}

/* The mutator between collections: look entries up (touching the arrays,
 * behind the read barrier while incremental), check the weak slots,
 * and allocate garbage so that collections start.  No thread root: locals
 * do not live across allocation. */
static void mutate(size_t steps, int incremental)
{
  size_t n;
  for (n = 0; n < steps; ++n) {
    size_t s = testRnd(nslots), i, g;
    if (entries[s].state == LIVE) {
      testobj_t k = keyAddr(s);
      i = tableFind(&tables[0], k);
      check(i < tableSize && arr(tables[0].keysRoot)->slot[i] == k);
      check(((testobj_t)arr(tables[0].valuesRoot)->slot[i])->id == entries[s].id + 1);
      i = tableFind(&tables[1], jWatch[s]);
      check(i < tableSize && arr(tables[1].valuesRoot)->slot[i] == k);
    }
    for (g = 0; g < 8; ++g)
      (void)newObj(amcAP, 1, testRnd(3));       /* garbage */
    if (incremental)
      (void)mps_arena_step(arena, 0.0, 0.0);
    if (n % 64 == 0) {
      size_t dead0 = 0, dead1 = 0;
      size_t n0 = checkTableSlots(&tables[0], 0, &dead0);
      size_t n1 = checkTableSlots(&tables[1], 0, &dead1);
      check(n0 - dead0 == nLive && n1 - dead1 == nLive);
      lateSeen += dead0 + dead1;
    }
  }
}

static void collectFull(void)
{
  die(mps_arena_collect(arena), "mps_arena_collect");
  checkAfterFull();
  mps_arena_release(arena);
}

static void round_(int incremental)
{
  size_t s, want;
  /* Drop about half of the live entries. */
  for (s = 0; s < nslots; ++s)
    if (entries[s].state == LIVE && testRnd(2) == 0)
      dropEntry(s);
  /* Add new ones in free model slots. */
  want = nslots / 2;
  for (s = 0; s < nslots && nLive < want; ++s)
    if (entries[s].state == FREE)
      addEntry(s);
  if (incremental) {
    mps_arena_pause_time_set(arena, 0.0);
    die(mps_arena_start_collect(arena), "mps_arena_start_collect");
    mutate(underValgrind ? 1000 : 2000, 1);
  } else {
    mps_arena_pause_time_set(arena, 0.1);
    mutate(underValgrind ? 600 : 1500, 0);
  }
  collectFull();
  /* Tombstones go; the table is rebuilt at the keys' current places. */
  tableRehash(&tables[0]);
  tableRehash(&tables[1]);
  checkTables(1);
}

/* The fixed cases first: one key held both ways, one only weakly, in
 * both tables; a collection splats exactly the weak-only one. */
static void fixedCase(void)
{
  size_t a = 1, b = 2;          /* held directly, so watched */
  addEntry(a);
  addEntry(b);
  dropEntry(b);
  die(mps_arena_collect(arena), "mps_arena_collect");
  check(keyWatch[a] != NULL && keyWatch[b] == NULL);
  check(INFO_SPLATS(arr(tables[0].keysRoot)->info) == 1);
  check(INFO_SPLATS(arr(tables[1].valuesRoot)->info) == 1);
  check(valWatch[b] != NULL);   /* the value survives this collection ... */
  checkAfterFull();
  mps_arena_release(arena);
  die(mps_arena_collect(arena), "mps_arena_collect");
  check(valWatch[b] == NULL && jWatch[b] == NULL);   /* ... but not the next */
  checkAfterFull();
  check(entries[b].state == FREE);
  mps_arena_release(arena);
}

int main(int argc, char *argv[])
{
  mps_fmt_t objFmt, arrFmt;
  mps_chain_t chain;
  mps_gen_param_s gens[2] = { { 128, 0.9 }, { 512, 0.5 } };  /* small: many collections */
  mps_thr_t thread;
  mps_root_t rKey, rHolder, rArray, rTmp, rKW, rVW, rJW;
  int round, rounds;
  size_t i;

  testInit(argc, argv);
  underValgrind = getenv("TARN_UNDER_VALGRIND") != NULL;
  nslots = underValgrind ? 1000 : 3000;
  rounds = underValgrind ? 12 : 24;
  for (tableSize = 1; tableSize < 4 * nslots; tableSize *= 2)
    ;
  holderRefs = (nslots + NHOLDERS - 1) / NHOLDERS;
  entries = calloc(nslots, sizeof *entries);
  keyRoot = calloc(nslots, sizeof *keyRoot);
  keyWatch = calloc(nslots, sizeof *keyWatch);
  valWatch = calloc(nslots, sizeof *valWatch);
  jWatch = calloc(nslots, sizeof *jWatch);
  check(entries && keyRoot && keyWatch && valWatch && jWatch);

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "thread");     /* no thread root */
  die(testfmt_create(&objFmt, arena, 0), "format");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, WORD);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, arrayScan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, arraySkip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, arrayPad);
    die(mps_fmt_create_k(&arrFmt, arena, args), "array format");
  } MPS_ARGS_END(args);
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, objFmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&amcPool, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, objFmt);
    die(mps_pool_create_k(&amsPool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, arrFmt);
    MPS_ARGS_ADD(args, MPS_KEY_AWL_FIND_DEPENDENT, arrayFindDependent);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&awlPool, arena, mps_class_awl(), args), "AWL");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&amcAP, amcPool, mps_args_none), "AMC AP");
  die(mps_ap_create_k(&amsAP, amsPool, mps_args_none), "AMS AP");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_weak());
    die(mps_ap_create_k(&awlWeakAP, awlPool, args), "AWL weak AP");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_exact());
    die(mps_ap_create_k(&awlExactAP, awlPool, args), "AWL exact AP");
  } MPS_ARGS_END(args);

  die(mps_root_create_table(&rKey, arena, mps_rank_exact(), 0, keyRoot, nslots), "key root");
  die(mps_root_create_table(&rHolder, arena, mps_rank_exact(), 0, holderRoot, 1),
      "holder root");
  die(mps_root_create_table(&rArray, arena, mps_rank_exact(), 0, arrayRoot, 4), "array root");
  die(mps_root_create_table(&rTmp, arena, mps_rank_exact(), 0, tmpRoot, 2), "tmp root");
  die(mps_root_create_table(&rKW, arena, mps_rank_weak(), 0, keyWatch, nslots), "K watch");
  die(mps_root_create_table(&rVW, arena, mps_rank_weak(), 0, valWatch, nslots), "V watch");
  die(mps_root_create_table(&rJW, arena, mps_rank_weak(), 0, jWatch, nslots), "J watch");

  for (i = NHOLDERS; i-- > 0;) {
    size_t g;
    testobj_t link = newObj(amsAP, 3, 2);
    link->refs[0] = holderRoot[0];
    holderRoot[0] = link;
    link = newObj(amcAP, 2, holderRefs);
    ((testobj_t)holderRoot[0])->refs[1] = link;
    for (g = 0; g < 40; ++g)            /* garbage: the next link is elsewhere */
      (void)newObj(amsAP, 1, 250);
  }
  for (i = 0; i < nslots; ++i)
    entries[i].byHolder = i % 3 == 0;
  /* T0 weak keys: keys on the weak AP.  T1 weak values. */
  arrayRoot[0] = newArray(awlWeakAP, 1);
  arrayRoot[1] = newArray(awlExactAP, 0);
  arrayRoot[2] = newArray(awlExactAP, 1);
  arrayRoot[3] = newArray(awlWeakAP, 0);
  arr(&arrayRoot[0])->dependent = arr(&arrayRoot[1]);
  arr(&arrayRoot[1])->dependent = arr(&arrayRoot[0]);
  arr(&arrayRoot[2])->dependent = arr(&arrayRoot[3]);
  arr(&arrayRoot[3])->dependent = arr(&arrayRoot[2]);
  for (i = 0; i < 2; ++i) {
    tables[i].weakKeys = i == 0;
    tables[i].keysRoot = &arrayRoot[2 * i];
    tables[i].valuesRoot = &arrayRoot[2 * i + 1];
    mps_ld_reset(&tables[i].ld, arena);
  }

  fixedCase();
  for (round = 0; round < rounds; ++round)
    round_(round >= rounds / 2);
  /* Drop everything: both tables empty after two full collections. */
  for (i = 0; i < nslots; ++i)
    if (entries[i].state == LIVE)
      dropEntry(i);
  collectFull();
  collectFull();
  check(nLive == 0 && nDropped == 0);

  printf("%lu entries dropped and checked gone (%lu dependents reclaimed), "
         "%lu key moves seen, %lu lookups, %lu + %lu rehashes, "
         "%lu collections, %lu late entries seen while incremental\n",
         (unsigned long)totalDropped, reclaimedChecked, moves, lookups,
         (unsigned long)tables[0].rehashes, (unsigned long)tables[1].rehashes,
         (unsigned long)mps_collections(arena), lateSeen);
  check(totalDropped > 0 && moves > 0 && reclaimedChecked > 0);

  mps_arena_park(arena);
  mps_root_destroy(rJW);
  mps_root_destroy(rVW);
  mps_root_destroy(rKW);
  mps_root_destroy(rTmp);
  mps_root_destroy(rArray);
  mps_root_destroy(rHolder);
  mps_root_destroy(rKey);
  mps_ap_destroy(awlExactAP);
  mps_ap_destroy(awlWeakAP);
  mps_ap_destroy(amsAP);
  mps_ap_destroy(amcAP);
  mps_pool_destroy(awlPool);
  mps_pool_destroy(amsPool);
  mps_pool_destroy(amcPool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(arrFmt);
  mps_fmt_destroy(objFmt);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
  free(entries);
  free(keyRoot);
  free(keyWatch);
  free(valWatch);
  free(jWatch);
  return testPass();
}

/* mixedrankstress.c: every rank at once under random collections
 * (contract 6.1, 6.3, 6.4, 10.1, 14, 27.6-8, 27.20)
 *
 * A random graph of test objects ("nodes", in AMC and AMS) is held by an
 * exact table root, an ambiguous table root (pinning) and a few
 * temporary exact slots.  A node has two strong edges and may own a
 * table: a weak AWL array of keys (allocated on a weak-rank allocation
 * point) and an exact AWL array of values (exact-rank allocation point),
 * each naming the other as its dependent (MPS_KEY_AWL_FIND_DEPENDENT).
 * Keys refer weakly back to nodes, values strongly, so AMC refers to AWL
 * and AWL back to AMC and AMS in both ranks.  When the key array's
 * scanner sees a key splatted it clears the value.  Some nodes are
 * registered for finalization (the final rank).  A model records every
 * edge, key and value by id.
 *
 * Each step allocates new nodes and tables (held by temporary roots),
 * allocates garbage (collections start by allocation), and at random
 * calls mps_arena_collect, mps_arena_start_collect or mps_arena_step;
 * pause time 0 in parts of the run makes collections proceed in slices
 * with the mutator running between them behind barriers.  Then, after
 * every step, the heap is traversed from the roots and checked against
 * the model:
 *  - every reachable node is intact (testobj_ok) with the right id and
 *    the right edges, at one address (so ambiguously referenced nodes
 *    did not move), and every table has the right arrays;
 *  - every key that is not NULL refers to an intact object with the key's
 *    id (no weak reference to freed or reused memory), at the node's
 *    current address if it is reachable (weak references follow moves);
 *  - a NULL key (a splat) is only for a node that was neither strongly
 *    reachable nor kept by finalization (no false splats, finalization
 *    before weakness), and its value has been cleared (if more than one
 *    collection started since the model was brought up to date, a node
 *    only the value of a dead key kept may have gone too);
 *  - after mps_arena_collect, additionally, every key to a node that was
 *    not kept is NULL (nothing dead escapes a full collection);
 *  - the part of the heap only finalization keeps alive is traversed too,
 *    from a weak root watching every registered node: that weak reference
 *    is never splatted while the node is registered;
 *  - every finalization message is for a registered node that is not
 *    reachable (with the same allowance), intact with its edges, comes
 *    once, and the weak root watching the node still refers to it.
 * The mutator then rewires edges, keys, values, roots and ambiguous
 * roots, drops objects and registers some, using only addresses it read
 * since the last call that could collect.  At the end everything is
 * dropped: a few full collections must finalize every registered node.
 * Scaled down when TARN_UNDER_VALGRIND is set.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include "mpscawl.h"
#include <string.h>
#include <stdlib.h>

/* The table arrays' format.  Every word is a reference, NULL, or has
 * non-zero low bits. */

#define TSLOTS 16

typedef struct array_s {
  mps_word_t header;            /* TSLOTS << 3 | 1, or a pad (| 3) */
  struct array_s *dependent;    /* the other array; not fixed */
  mps_word_t info;              /* table id << 8 | weak << 4 | 1 */
  mps_addr_t slot[TSLOTS];
} array_s, *array_t;

#define WORD sizeof(mps_word_t)
#define ARRAY_HEADER ((mps_word_t)TSLOTS << 3 | 1)
#define INFO(table, weak) ((mps_word_t)(table) << 8 | (mps_word_t)(weak) << 4 | 1)
#define IS_REF(w) ((w) != NULL && ((mps_word_t)(w) & 7) == 0)

static unsigned long scannerSplats = 0;

static mps_res_t arrayScan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  MPS_SCAN_BEGIN(ss) {
    while (base < limit) {
      array_t a = base;
      size_t size;
      if ((a->header & 7) == 1) {
        size_t i;
        for (i = 0; i < TSLOTS; ++i) {
          mps_addr_t ref = a->slot[i];
          if (IS_REF(ref) && MPS_FIX1(ss, ref)) {
            mps_res_t res = MPS_FIX2(ss, &ref);
            if (res != MPS_RES_OK)
              return res;
            a->slot[i] = ref;
            if (ref == NULL) {          /* splatted: clear the value */
              if (a->dependent != NULL)
                a->dependent->slot[i] = NULL;
              ++scannerSplats;
            }
          }
        }
        size = sizeof(array_s);
      } else {
        size = (size_t)(a->header >> 3) * WORD;
      }
      base = (char *)base + size;
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static mps_addr_t arraySkip(mps_addr_t addr)
{
  mps_word_t h = *(mps_word_t *)addr;
  return (char *)addr + ((h & 7) == 1 ? sizeof(array_s) : (size_t)(h >> 3) * WORD);
}

static void arrayPad(mps_addr_t addr, size_t size)
{
  *(mps_word_t *)addr = (mps_word_t)(size / WORD) << 3 | 3;
}

static mps_addr_t arrayFindDependent(mps_addr_t addr)
{
  array_t a = addr;
  return (a->header & 7) == 1 ? (mps_addr_t)a->dependent : NULL;
}

/* The state */

typedef unsigned Id;                    /* node ids from 1; 0 is none */

enum { NROOT = 64, NAMBIG = 16, NTMP = 4 };

static mps_arena_t arena;
static mps_ap_t amcAP, amsAP, weakAP, exactAP;
static int underValgrind;

static mps_addr_t rootSlot[NROOT], ambigSlot[NAMBIG];
static mps_addr_t tmpNode[NTMP], tmpW[NTMP], tmpE[NTMP];
static Id rootId[NROOT], ambigId[NAMBIG], tmpId[NTMP];

typedef struct node_s {
  Id edge[2];
  int table;                    /* -1 or the table it owns */
  int inAMS;
  int registered;               /* finalization outstanding */
  int finalized;                /* its message came */
  int reach, keep;              /* by the model, at the last update */
  int keepAll;                  /* kept however many collections come */
  int reachAll;                 /* ... and reachable from the roots */
  unsigned visited;             /* epoch of the last traversal */
  testobj_t addr;               /* where the traversal found it */
} node_s;

typedef struct table_s {
  Id owner;
  Id key[TSLOTS], val[TSLOTS];
} table_s;

static node_s *nodes;
static table_s *tables;
static Id nNodes = 0, maxNodes;
static int nTables = 0, maxTables;
static unsigned epoch = 0;

static unsigned long strictChecks = 0, splatsSeen = 0, weakChecked = 0;
static unsigned long finalized = 0, registeredTotal = 0, moves = 0, visits = 0;
static unsigned long lastVisits, population;  /* in the last traversal; the target */

static Id *stack;                       /* for traversals and the model */
/* A weak root: [id] refers to node id while it is registered for
 * finalization, so that the part of the heap only finalization keeps
 * alive can be traversed too (weak references to registered blocks are
 * not splatted, and follow them when they move). */
static mps_addr_t *regWatch;
static int traversingKept;

/* The model: what is strongly reachable, and what is kept (reachable,
 * or reachable from a node registered for finalization). */
static void modelMark(Id id, int keep)
{
  size_t sp = 0;
  stack[sp++] = id;
  while (sp > 0) {
    node_s *n;
    int i;
    id = stack[--sp];
    if (id == 0)
      continue;
    n = &nodes[id];
    if (keep ? n->keep : n->reach)
      continue;
    if (keep)
      n->keep = 1;
    else
      n->reach = n->keep = 1;
    stack[sp++] = n->edge[0];
    stack[sp++] = n->edge[1];
    if (n->table >= 0)
      for (i = 0; i < TSLOTS; ++i)
        stack[sp++] = tables[n->table].val[i];
  }
}

/* What survives any number of collections without mutation: a value
 * keeps its node alive for the collection that splats its key, but not
 * for the next.  So follow a value only if its key is kept too. */
static void modelMarkAll(Id id, int reach)
{
  size_t sp = 0;
  stack[sp++] = id;
  while (sp > 0) {
    node_s *n;
    int i;
    id = stack[--sp];
    if (id == 0 || (reach ? nodes[id].reachAll : nodes[id].keepAll))
      continue;
    n = &nodes[id];
    if (reach)
      n->reachAll = 1;
    else
      n->keepAll = 1;
    stack[sp++] = n->edge[0];
    stack[sp++] = n->edge[1];
    if (n->table >= 0)
      for (i = 0; i < TSLOTS; ++i)
        if (tables[n->table].key[i] != 0 && nodes[tables[n->table].key[i]].keepAll)
          stack[sp++] = tables[n->table].val[i];
  }
}

static unsigned long flipsAtUpdate;     /* mps_collections at the last update */

static void modelUpdate(void)
{
  Id id;
  int i, changed;
  for (id = 1; id <= nNodes; ++id)
    nodes[id].reach = nodes[id].keep = nodes[id].keepAll = nodes[id].reachAll = 0;
  for (i = 0; i < NROOT; ++i)
    modelMark(rootId[i], 0);
  for (i = 0; i < NAMBIG; ++i)
    modelMark(ambigId[i], 0);
  for (i = 0; i < NTMP; ++i)
    modelMark(tmpId[i], 0);
  for (id = 1; id <= nNodes; ++id)
    if (nodes[id].registered)
      modelMark(id, 1);
  for (i = 0; i < NROOT; ++i)
    modelMarkAll(rootId[i], 0);
  for (i = 0; i < NAMBIG; ++i)
    modelMarkAll(ambigId[i], 0);
  for (i = 0; i < NTMP; ++i)
    modelMarkAll(tmpId[i], 0);
  for (id = 1; id <= nNodes; ++id)
    if (nodes[id].registered)
      modelMarkAll(id, 0);
  do {                                  /* values whose keys became kept */
    changed = 0;
    for (i = 0; i < nTables; ++i) {
      table_s *t = &tables[i];
      int j;
      if (!nodes[t->owner].keepAll)
        continue;
      for (j = 0; j < TSLOTS; ++j)
        if (t->key[j] != 0 && nodes[t->key[j]].keepAll && t->val[j] != 0
            && !nodes[t->val[j]].keepAll) {
          modelMarkAll(t->val[j], 0);
          changed = 1;
        }
    }
  } while (changed);
  /* Values are followed only when their keys are kept (keepAll is
   * complete now, so one pass does). */
  for (i = 0; i < NROOT; ++i)
    modelMarkAll(rootId[i], 1);
  for (i = 0; i < NAMBIG; ++i)
    modelMarkAll(ambigId[i], 1);
  for (i = 0; i < NTMP; ++i)
    modelMarkAll(tmpId[i], 1);
  flipsAtUpdate = mps_collections(arena);
}

/* The traversal.  Pending weak keys are checked at the end, when every
 * reachable node's address is known. */
typedef struct pend_s { int table, slot; testobj_t ref; } pend_s;
static pend_s *pend;
static size_t nPend;
static testobj_t *stackAddr;

static void checkNode(Id id, testobj_t obj, size_t *sp)
{
  node_s *n = &nodes[id];
  int j;
  check(obj != NULL && testobj_ok(obj) && obj->id == id && obj->nrefs == 4);
  if (n->visited == epoch) {
    check(n->addr == obj);              /* one address per object */
    return;
  }
  check(traversingKept ? n->keep : n->reach);
  if (n->addr != NULL && n->addr != obj)
    ++moves;
  n->visited = epoch;
  n->addr = obj;
  ++visits;
  for (j = 0; j < 2; ++j) {
    if (n->edge[j] == 0) {
      check(obj->refs[j] == NULL);
    } else {
      stack[*sp] = n->edge[j];
      stackAddr[(*sp)++] = obj->refs[j];
    }
  }
  if (n->table < 0) {
    check(obj->refs[2] == NULL && obj->refs[3] == NULL);
  } else {
    table_s *t = &tables[n->table];
    array_t w = obj->refs[2], e = obj->refs[3];
    int i;
    check(w != NULL && e != NULL);
    check(w->header == ARRAY_HEADER && e->header == ARRAY_HEADER);
    check(w->info == INFO(n->table, 1) && e->info == INFO(n->table, 0));
    check(w->dependent == e && e->dependent == w);
    for (i = 0; i < TSLOTS; ++i) {
      mps_addr_t k = w->slot[i], v = e->slot[i];
      if (k == NULL) {
        check(v == NULL);               /* no key, no value */
        if (t->key[i] != 0) {
          /* A splat: only of a node nothing kept.  (After two
           * collections, a node that only a value of a dead key kept
           * may have gone too.) */
          if (mps_collections(arena) - flipsAtUpdate < 2)
            check(!nodes[t->key[i]].keep);
          else
            check(!nodes[t->key[i]].keepAll);
          t->key[i] = 0;
          t->val[i] = 0;
          ++splatsSeen;
        }
        continue;
      }
      check(t->key[i] != 0);
      pend[nPend].table = n->table;
      pend[nPend].slot = i;
      pend[nPend].ref = k;
      ++nPend;
      if (t->val[i] == 0) {
        check(v == NULL);
      } else {
        stack[*sp] = t->val[i];
        stackAddr[(*sp)++] = v;
      }
    }
  }
}

static void traverse(int strict)
{
  size_t sp = 0, p;
  int i;
  Id id;
  ++epoch;
  nPend = 0;
  lastVisits = visits;
  for (i = 0; i < NROOT; ++i)
    if (rootId[i] != 0) {
      stack[sp] = rootId[i];
      stackAddr[sp++] = rootSlot[i];
    } else {
      check(rootSlot[i] == NULL);
    }
  for (i = 0; i < NAMBIG; ++i)
    if (ambigId[i] != 0) {
      stack[sp] = ambigId[i];
      stackAddr[sp++] = ambigSlot[i];   /* so exact refs must agree: pinned */
    }
  for (i = 0; i < NTMP; ++i)
    if (tmpId[i] != 0) {
      stack[sp] = tmpId[i];
      stackAddr[sp++] = tmpNode[i];
    }
  traversingKept = 0;
  while (sp > 0) {
    --sp;
    checkNode(stack[sp], stackAddr[sp], &sp);
  }
  /* What only finalization keeps alive: splats there change the model. */
  traversingKept = 1;
  for (id = 1; id <= nNodes; ++id) {
    if (!nodes[id].registered)
      continue;
    check(regWatch[id] != NULL);        /* not splatted while registered */
    stack[sp] = id;
    stackAddr[sp++] = regWatch[id];
    while (sp > 0) {
      --sp;
      checkNode(stack[sp], stackAddr[sp], &sp);
    }
  }
  for (p = 0; p < nPend; ++p) {
    table_s *t = &tables[pend[p].table];
    Id k = t->key[pend[p].slot];
    testobj_t ref = pend[p].ref;
    /* Never a reference to freed or reused memory. */
    check(k != 0 && testobj_ok(ref) && ref->id == k && ref->nrefs == 4);
    if (nodes[k].visited == epoch)
      check(ref == nodes[k].addr);      /* follows the node when it moves */
    if (strict)
      check(nodes[k].keep);             /* the full collection splatted the rest */
    ++weakChecked;
  }
  if (strict)
    ++strictChecks;
  lastVisits = visits - lastVisits;
}

/* Finalization messages: each for a registered node the model says is
 * unreachable, intact, with its edges. */
static void drainFinal(void)
{
  mps_message_t msg;
  Id id;
  while (mps_message_get(&msg, arena, mps_message_type_finalization())) {
    mps_addr_t ref;
    testobj_t obj;
    int j;
    mps_message_finalization_ref(&ref, arena, msg);
    obj = ref;
    check(testobj_ok(obj) && obj->nrefs == 4);
    id = (Id)obj->id;
    check(id >= 1 && id <= nNodes);
    check(nodes[id].registered && !nodes[id].finalized);
    /* Not reachable.  (After two collections, a node only the value of
     * a dead key kept reachable may have become finalizable.) */
    if (mps_collections(arena) - flipsAtUpdate < 2)
      check(!nodes[id].reach);
    else
      check(!nodes[id].reachAll);
    for (j = 0; j < 2; ++j) {
      Id e = nodes[id].edge[j];
      testobj_t c = obj->refs[j];
      if (e == 0)
        check(c == NULL);
      else
        check(c != NULL && testobj_ok(c) && c->id == e);
    }
    check(regWatch[id] == obj);         /* weak references intact */
    regWatch[id] = NULL;
    nodes[id].registered = 0;
    nodes[id].finalized = 1;
    ++finalized;
    mps_message_discard(arena, msg);
  }
}

/* Registered nodes that are not reachable: finalization may take more
 * than one collection (one finalizable node may keep another alive). */
static size_t unfinalized(void)
{
  size_t count = 0;
  Id id;
  for (id = 1; id <= nNodes; ++id)
    if (nodes[id].registered && !nodes[id].reach)
      ++count;
  return count;
}

/* Allocation: new nodes, some with tables, in the temporary roots. */

static Id newNodeId(void)
{
  Id id = ++nNodes;
  check(id < maxNodes);
  memset(&nodes[id], 0, sizeof nodes[id]);
  nodes[id].table = -1;
  return id;
}

static array_t newArray(mps_ap_t ap, int table, int weak)
{
  mps_addr_t p;
  array_t a;
  int i;
  do {
    die(mps_reserve(&p, ap, sizeof(array_s)), "reserve array");
    a = p;
    a->header = ARRAY_HEADER;
    a->dependent = NULL;
    a->info = INFO(table, weak);
    for (i = 0; i < TSLOTS; ++i)
      a->slot[i] = NULL;
  } while (!mps_commit(ap, p, sizeof(array_s)));
  return a;
}

static void allocNodes(void)
{
  int t;
  for (t = 0; t < NTMP; ++t) {
    Id id;
    testobj_t obj;
    if (tmpId[t] != 0 || testRnd(2) == 0)
      continue;
    id = newNodeId();
    nodes[id].inAMS = testRnd(5) == 0;
    die(testobj_alloc(&obj, nodes[id].inAMS ? amsAP : amcAP, id, 4, testRnd(4)), "alloc");
    tmpNode[t] = obj;
    tmpId[t] = id;
    nodes[id].reach = nodes[id].keep = 1;       /* held by a temporary root */
    if (testRnd(2) == 0 && nTables < maxTables) {
      int tb = nTables++;
      array_t w, e;
      memset(&tables[tb], 0, sizeof tables[tb]);
      tables[tb].owner = id;
      nodes[id].table = tb;
      tmpW[t] = newArray(weakAP, tb, 1);
      tmpE[t] = newArray(exactAP, tb, 0);
      /* No allocation from here. */
      w = tmpW[t];
      e = tmpE[t];
      w->dependent = e;
      e->dependent = w;
      ((testobj_t)tmpNode[t])->refs[2] = w;
      ((testobj_t)tmpNode[t])->refs[3] = e;
      tmpW[t] = tmpE[t] = NULL;
    }
  }
}

static void garbage(void)
{
  int i, n = (int)testRnd(40);
  for (i = 0; i < n; ++i) {
    testobj_t obj;
    die(testobj_alloc(&obj, testRnd(4) ? amcAP : amsAP, 0, 0, testRnd(16)), "garbage");
  }
}

/* Mutation, with the addresses of the last traversal (no call that could
 * collect until the next traversal). */

static Id randomReach(void)
{
  int tries;
  for (tries = 0; tries < 40; ++tries) {
    Id id = 1 + (Id)testRnd(nNodes);
    if (nodes[id].reach && nodes[id].visited == epoch)
      return id;
  }
  return 0;
}

static void setEdge(Id from, int j, Id to)
{
  nodes[from].edge[j] = to;
  nodes[from].addr->refs[j] = to == 0 ? NULL : nodes[to].addr;
}

static void mutate(void)
{
  int t, i, n;
  /* Link the new nodes in. */
  for (t = 0; t < NTMP; ++t) {
    Id id = tmpId[t], parent;
    if (id == 0)
      continue;
    nodes[id].addr = tmpNode[t];
    nodes[id].visited = epoch;
    nodes[id].reach = 1;
    parent = randomReach();
    if (parent != 0 && parent != id && testRnd(4) != 0) {
      int j = nodes[parent].edge[0] == 0 ? 0 : nodes[parent].edge[1] == 0 ? 1 : (int)testRnd(2);
      setEdge(parent, j, id);
    } else {
      int r = (int)testRnd(NROOT);
      rootSlot[r] = tmpNode[t];
      rootId[r] = id;
    }
    tmpNode[t] = NULL;
    tmpId[t] = 0;
  }
  n = (int)testRnd(24);
  for (i = 0; i < n; ++i) {
    unsigned what = (unsigned)testRnd(100);
    Id a = randomReach(), b = randomReach();
    if (a == 0)
      break;
    if (what < 25) {                    /* an edge, sometimes dropped */
      int j = (int)testRnd(2);
      if (nodes[a].edge[j] == 0 || testRnd(3) == 0)
        setEdge(a, j, testRnd(4) == 0 ? 0 : b);
    } else if (what < 75) {             /* a key and value */
      Id owner = a;
      table_s *tb;
      array_t w, e;
      int s;
      if (nodes[owner].table < 0 || b == 0)
        continue;
      tb = &tables[nodes[owner].table];
      w = nodes[owner].addr->refs[2];
      e = nodes[owner].addr->refs[3];
      s = (int)testRnd(TSLOTS);
      if (testRnd(6) == 0) {            /* delete the entry */
        tb->key[s] = tb->val[s] = 0;
        w->slot[s] = NULL;
        e->slot[s] = NULL;
      } else {
        Id v = testRnd(3) == 0 ? 0 : randomReach();
        tb->key[s] = b;
        tb->val[s] = v;
        w->slot[s] = nodes[b].addr;
        e->slot[s] = v == 0 ? NULL : nodes[v].addr;
      }
    } else if (what < 85) {             /* an exact root */
      int r = (int)testRnd(NROOT);
      Id v = testRnd(6) == 0 ? 0 : a;
      rootId[r] = v;
      rootSlot[r] = v == 0 ? NULL : nodes[v].addr;
    } else if (what < 93) {             /* an ambiguous root: pins */
      int r = (int)testRnd(NAMBIG);
      Id v = testRnd(2) == 0 ? 0 : a;
      ambigId[r] = v;
      ambigSlot[r] = v == 0 ? NULL : nodes[v].addr;
    } else if (!nodes[a].registered && !nodes[a].finalized) {
      mps_addr_t ref = nodes[a].addr;   /* finalization */
      die(mps_finalize(arena, &ref), "mps_finalize");
      regWatch[a] = ref;
      nodes[a].registered = 1;
      ++registeredTotal;
    }
  }
  /* Keep the population bounded: drop roots now and then, and when it
   * is too big, edges and values too. */
  if (testRnd(8) == 0) {
    int r = (int)testRnd(NROOT);
    rootId[r] = 0;
    rootSlot[r] = NULL;
  }
  if (lastVisits > population) {
    for (i = 0; i < 4; ++i) {
      int r = (int)testRnd(NROOT);
      rootId[r] = 0;
      rootSlot[r] = NULL;
    }
    for (i = 0; i < 40; ++i) {
      Id a = randomReach();
      if (a != 0) {
        setEdge(a, (int)testRnd(2), 0);
        if (nodes[a].table >= 0) {
          int s = (int)testRnd(TSLOTS);
          tables[nodes[a].table].val[s] = 0;
          ((array_t)nodes[a].addr->refs[3])->slot[s] = NULL;
        }
      }
    }
  }
}

int main(int argc, char *argv[])
{
  mps_fmt_t objFmt, arrFmt;
  mps_thr_t thread;
  mps_chain_t chain;
  mps_gen_param_s gens[2] = { { 192, 0.85 }, { 768, 0.45 } };
  mps_pool_t amcPool, amsPool, awlPool;
  mps_root_t rRoot, rAmbig, rTmp, rW, rE, rReg;
  unsigned long steps, step, collects = 0, starts = 0, slices = 0;

  testInit(argc, argv);
  underValgrind = getenv("TARN_UNDER_VALGRIND") != NULL;
  steps = underValgrind ? 3000 : 6000;
  population = underValgrind ? 300 : 600;
  maxNodes = (Id)(steps * NTMP + 16);
  maxTables = (int)maxNodes;
  nodes = calloc(maxNodes, sizeof *nodes);
  tables = calloc((size_t)maxTables, sizeof *tables);
  stack = malloc((maxNodes * 3 + (size_t)maxTables * TSLOTS + 64) * sizeof *stack);
  stackAddr = malloc((maxNodes * 3 + (size_t)maxTables * TSLOTS + 64) * sizeof *stackAddr);
  pend = malloc((size_t)maxTables * TSLOTS * sizeof *pend);
  regWatch = calloc(maxNodes, sizeof *regWatch);
  check(nodes && tables && stack && stackAddr && pend && regWatch);

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
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&amsPool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, arrFmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    MPS_ARGS_ADD(args, MPS_KEY_AWL_FIND_DEPENDENT, arrayFindDependent);
    die(mps_pool_create_k(&awlPool, arena, mps_class_awl(), args), "AWL");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&amcAP, amcPool, mps_args_none), "AMC AP");
  die(mps_ap_create_k(&amsAP, amsPool, mps_args_none), "AMS AP");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_weak());
    die(mps_ap_create_k(&weakAP, awlPool, args), "AWL weak AP");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_exact());
    die(mps_ap_create_k(&exactAP, awlPool, args), "AWL exact AP");
  } MPS_ARGS_END(args);
  die(mps_root_create_table(&rRoot, arena, mps_rank_exact(), 0, rootSlot, NROOT), "root");
  die(mps_root_create_table(&rAmbig, arena, mps_rank_ambig(), 0, ambigSlot, NAMBIG),
      "ambiguous root");
  die(mps_root_create_table(&rTmp, arena, mps_rank_exact(), 0, tmpNode, NTMP), "tmp root");
  die(mps_root_create_table(&rW, arena, mps_rank_exact(), 0, tmpW, NTMP), "tmp W root");
  die(mps_root_create_table(&rE, arena, mps_rank_exact(), 0, tmpE, NTMP), "tmp E root");
  die(mps_root_create_table(&rReg, arena, mps_rank_weak(), 0, regWatch, maxNodes),
      "registered watch root");
  mps_message_type_enable(arena, mps_message_type_finalization());

  for (step = 0; step < steps; ++step) {
    unsigned what;
    int strict = 0;
    /* Pause time: the default, then 0 (incremental), then alternating. */
    if (step == steps / 3)
      mps_arena_pause_time_set(arena, 0.0);
    else if (step >= 2 * steps / 3 && step % 200 == 0)
      mps_arena_pause_time_set(arena, (step / 200) % 2 ? 0.0 : 0.1);
    allocNodes();
    garbage();
    what = (unsigned)testRnd(100);
    if (what < 3) {
      die(mps_arena_collect(arena), "mps_arena_collect");
      strict = 1;
      ++collects;
    } else if (what < 6) {
      die(mps_arena_start_collect(arena), "mps_arena_start_collect");
      ++starts;
    } else if (what < 40) {
      (void)mps_arena_step(arena, 0.0, 0.0);
      ++slices;
    }
    traverse(strict);
    drainFinal();
    if (strict)
      mps_arena_release(arena);
    modelUpdate();
    mutate();
    modelUpdate();
  }
  /* Drop everything: full collections finalize every registered node
   * and splat every key. */
  memset(rootSlot, 0, sizeof rootSlot);
  memset(rootId, 0, sizeof rootId);
  memset(ambigSlot, 0, sizeof ambigSlot);
  memset(ambigId, 0, sizeof ambigId);
  modelUpdate();
  for (step = 0; ; ++step) {
    check(step < 8);
    die(mps_arena_collect(arena), "mps_arena_collect");
    traverse(1);
    drainFinal();
    mps_arena_release(arena);
    modelUpdate();
    if (unfinalized() == 0)
      break;
  }

  printf("%lu steps, %lu nodes, %d tables, %lu collections (%lu full, %lu started, "
         "%lu steps asked), %lu strict checks, %lu weak keys checked, %lu splats seen "
         "(%lu by the scanner), %lu moves, %lu of %lu registered finalized, "
         "%lu nodes visited\n",
         steps, (unsigned long)nNodes, nTables, (unsigned long)mps_collections(arena),
         collects, starts, slices, strictChecks, weakChecked, splatsSeen, scannerSplats,
         moves, finalized, registeredTotal, visits);
  check(strictChecks > 0 && splatsSeen > 0 && moves > 0 && finalized > 0);
  check(scannerSplats >= splatsSeen);

  mps_arena_park(arena);
  mps_root_destroy(rReg);
  mps_root_destroy(rE);
  mps_root_destroy(rW);
  mps_root_destroy(rTmp);
  mps_root_destroy(rAmbig);
  mps_root_destroy(rRoot);
  mps_ap_destroy(exactAP);
  mps_ap_destroy(weakAP);
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
  free(nodes);
  free(tables);
  free(stack);
  free(stackAddr);
  free(pend);
  free(regWatch);
  return testPass();
}

/* cbs.c: coalescing block structure (see cbs.h)
 *
 * THE TREE
 *
 * Each node holds one range and two annotations of the subtree rooted at
 * it: maxSize, the size of its largest range, and height (a leaf is 1).
 * Invariants, checked by CBSCheckDeep:
 *  - in-order traversal gives ranges in address order, and consecutive
 *    tree ranges never touch (insertion coalesces), so prev.limit < base;
 *  - maxSize = max(own size, children's maxSize), height = 1 + max of the
 *    children's heights, and the children's heights differ by at most one
 *    (AVL), so the depth is below 1.45 log2(n + 2) and CBS_PATH_MAX can
 *    never be reached with ranges at least a word long.
 *
 * Operations on single ranges do not recurse (only the batch rebuild and
 * the deep check do, to the depth of the tree).  An operation walks down
 * from the root and records the way it came as an array of links:
 * link[0] is &cbs->root, link[d] is the child field in the node at depth
 * d - 1 that holds the node at depth d.  A change at depth d is then
 * repaired by walking the links back up (cbsFixup), recomputing
 * annotations, rotating where the AVL condition fails, and storing a new
 * subtree root through the link.  The walk stops early once a node's
 * annotations come out unchanged, because nothing above can then change
 * either; callers that changed a node above the starting point say how
 * far up the walk must go regardless.
 *
 * THE EMERGENCY LIST
 *
 * When a range must be added and no node can be had, it is threaded onto a
 * singly-linked list kept in address order, with touching emergency ranges
 * merged.  The links are written into the free memory itself:
 *   word 0  the address of the next emergency range, or 0; bit 0 set means
 *           this range is exactly one word long (ranges are word aligned,
 *           so the bit is otherwise clear);
 *   word 1  the limit of this range (present only if it is two words or
 *           longer).
 * A one-word range can exist only when the alignment is one word.
 * Memcheck is told that set memory is inaccessible; the list code opens
 * just the words it reads or writes and closes them again.  Emergency
 * ranges are disjoint from tree ranges but may touch them.  Every public
 * operation first tries to move the list into the tree (CBSFlush), and
 * the finds and iteration also look at whatever is left, so an emergency
 * range behaves like any other.
 */

#include <stdint.h>

#include "cbs.h"
#include "arena.h"
#include "control.h"
#include "vgmem.h"

typedef struct CBSNodeStruct {
  Addr base;
  Addr limit;
  CBSNode left;                 /* lower ranges */
  CBSNode right;                /* higher ranges */
  Size maxSize;                 /* largest range in this subtree */
  unsigned height;              /* of this subtree; a leaf is 1 */
} CBSNodeStruct;

/* Far above the depth of any AVL tree that fits in an address space. */
#define CBS_PATH_MAX 100

#define CBS_ONE_WORD ((Word)1)  /* tag in word 0 of a one-word range */

/* Which range a search wants. */
typedef enum { CBSFindFIRST, CBSFindLAST, CBSFindLARGEST } CBSFindKind;


/* Checking */

Bool CBSCheck(CBS cbs)
{
  CHECKS(CBS, cbs);
  CHECKL(cbs->arena != NULL);
  CHECKL(WordIsP2(cbs->alignment));
  CHECKL(cbs->alignment >= sizeof(Word));
  CHECKL(cbs->size >= cbs->emergencySize);
  CHECKL((cbs->emergency == NULL) == (cbs->emergencyCount == 0));
  CHECKL((cbs->emergency == NULL) == (cbs->emergencySize == 0));
  CHECKL((cbs->root == NULL) == (cbs->nodes == 0));
  CHECKL(AddrIsAligned(cbs->emergency, cbs->alignment));
  return TRUE;
}


/* Node annotations and rotations */

static inline Size cbsNodeSize(CBSNode n)
{
  return AddrOffset(n->base, n->limit);
}

static inline unsigned cbsHeight(CBSNode n)
{
  return n == NULL ? 0 : n->height;
}

/* Recompute n's annotations from its own range and its children; say
 * whether they changed. */
static inline Bool cbsNodeUpdate(CBSNode n)
{
  Size max = cbsNodeSize(n);
  unsigned hl = cbsHeight(n->left), hr = cbsHeight(n->right);
  unsigned h = (hl > hr ? hl : hr) + 1;
  Bool changed;
  if (n->left != NULL && n->left->maxSize > max)
    max = n->left->maxSize;
  if (n->right != NULL && n->right->maxSize > max)
    max = n->right->maxSize;
  changed = max != n->maxSize || h != n->height;
  n->maxSize = max;
  n->height = h;
  return changed;
}

static CBSNode cbsRotateRight(CBSNode n)
{
  CBSNode l = n->left;
  n->left = l->right;
  l->right = n;
  (void)cbsNodeUpdate(n);
  (void)cbsNodeUpdate(l);
  return l;
}

static CBSNode cbsRotateLeft(CBSNode n)
{
  CBSNode r = n->right;
  n->right = r->left;
  r->left = n;
  (void)cbsNodeUpdate(n);
  (void)cbsNodeUpdate(r);
  return r;
}

/* n's subtrees are AVL trees whose heights differ by two: restore the
 * condition with one or two rotations and return the new subtree root. */
static CBSNode cbsRebalance(CBSNode n)
{
  if (cbsHeight(n->left) > cbsHeight(n->right)) {
    if (cbsHeight(n->left->left) < cbsHeight(n->left->right))
      n->left = cbsRotateLeft(n->left);
    return cbsRotateRight(n);
  }
  if (cbsHeight(n->right->right) < cbsHeight(n->right->left))
    n->right = cbsRotateRight(n->right);
  return cbsRotateLeft(n);
}

/* Repair annotations and balance from depth `depth` up to the root.  Nodes
 * at depth <= stopDepth whose annotations do not change end the walk;
 * deeper ones never do (the caller changed something above them). */
static void cbsFixup(CBSNode **link, int depth, int stopDepth)
{
  for (; depth >= 0; --depth) {
    CBSNode n = *link[depth];
    Bool changed = cbsNodeUpdate(n);
    unsigned hl = cbsHeight(n->left), hr = cbsHeight(n->right);
    if (hl > hr + 1 || hr > hl + 1) {
      *link[depth] = cbsRebalance(n);
      changed = TRUE;
    }
    if (!changed && depth <= stopDepth)
      return;
  }
}


/* Nodes */

static Bool cbsNodeAlloc(CBSNode *nodeReturn, CBS cbs, Addr base, Addr limit)
{
  void *p;
  CBSNode n;
  if (ControlAlloc(&p, cbs->arena, sizeof(CBSNodeStruct)) != ResOK)
    return FALSE;
  n = p;
  n->base = base;
  n->limit = limit;
  n->left = NULL;
  n->right = NULL;
  n->maxSize = AddrOffset(base, limit);
  n->height = 1;
  ++cbs->nodes;
  *nodeReturn = n;
  return TRUE;
}

static void cbsNodeFree(CBS cbs, CBSNode n)
{
  AVER(cbs->nodes > 0);
  --cbs->nodes;
  ControlFree(cbs->arena, n, sizeof(CBSNodeStruct));
}


/* Tree operations */

static inline int cbsMinInt(int a, int b)
{
  return a < b ? a : b;
}

/* Remove the node at depth `depth` of the path.  Annotations are repaired
 * at least as far up as mustFix. */
static void cbsRemoveAt(CBS cbs, CBSNode **link, int depth, int mustFix)
{
  CBSNode n = *link[depth];
  if (n->left == NULL || n->right == NULL) {
    *link[depth] = n->left != NULL ? n->left : n->right;
    cbsFixup(link, depth - 1, cbsMinInt(depth - 1, mustFix));
  } else {
    /* Two children: move the in-order successor (leftmost node of the
     * right subtree, which has no left child) into n and unlink it. */
    int k = depth + 1;
    CBSNode next;
    link[k] = &n->right;
    while ((*link[k])->left != NULL) {
      AVER(k + 1 < CBS_PATH_MAX);
      link[k + 1] = &(*link[k])->left;
      ++k;
    }
    next = *link[k];
    n->base = next->base;
    n->limit = next->limit;
    *link[k] = next->right;
    cbsFixup(link, k - 1, cbsMinInt(depth, mustFix));
    n = next;
  }
  cbsNodeFree(cbs, n);
}

/* Link the new node n (not touching any tree range) into the tree. */
static void cbsLinkNode(CBS cbs, CBSNode n)
{
  CBSNode *link[CBS_PATH_MAX];
  CBSNode m;
  int depth = 0;
  link[0] = &cbs->root;
  while ((m = *link[depth]) != NULL) {
    AVER(depth + 1 < CBS_PATH_MAX);
    if (n->limit < m->base) {
      link[depth + 1] = &m->left;
    } else {
      AVER(m->limit < n->base);
      link[depth + 1] = &m->right;
    }
    ++depth;
  }
  *link[depth] = n;
  cbsFixup(link, depth - 1, depth - 1);
}

/* Add [base, limit) to the tree, merging with the tree ranges it touches.
 * Returns FALSE, leaving the tree as it was, only if a new node was needed
 * and none could be had.  Does not change cbs->size. */
static Bool cbsTreeInsert(Range rangeReturn, CBS cbs, Addr base, Addr limit)
{
  CBSNode *link[CBS_PATH_MAX];
  CBSNode n, pred = NULL, succ = NULL;
  int depth = 0, predDepth = -1, succDepth = -1;

  /* Walk down to the empty slot where the range would go.  Its in-order
   * neighbours are the last nodes on the way where we turned right (pred)
   * and left (succ). */
  link[0] = &cbs->root;
  while ((n = *link[depth]) != NULL) {
    AVER(depth + 1 < CBS_PATH_MAX);
    if (limit <= n->base) {
      succ = n;
      succDepth = depth;
      link[depth + 1] = &n->left;
    } else {
      AVER(n->limit <= base);   /* disjoint from the set */
      pred = n;
      predDepth = depth;
      link[depth + 1] = &n->right;
    }
    ++depth;
  }

  if (pred != NULL && pred->limit == base) {
    if (succ != NULL && succ->base == limit) {
      /* The range bridges two nodes.  The deeper of the two is the
       * slot's parent, so it has no child on the side facing the other:
       * remove it and widen the shallower, which is its ancestor. */
      RangeInit(rangeReturn, pred->base, succ->limit);
      if (predDepth > succDepth) {
        succ->base = pred->base;
        cbsRemoveAt(cbs, link, predDepth, succDepth);
      } else {
        pred->limit = succ->limit;
        cbsRemoveAt(cbs, link, succDepth, predDepth);
      }
    } else {
      pred->limit = limit;
      RangeInit(rangeReturn, pred->base, limit);
      cbsFixup(link, predDepth, predDepth);
    }
  } else if (succ != NULL && succ->base == limit) {
    succ->base = base;
    RangeInit(rangeReturn, base, succ->limit);
    cbsFixup(link, succDepth, succDepth);
  } else {
    if (!cbsNodeAlloc(&n, cbs, base, limit))
      return FALSE;
    *link[depth] = n;
    cbsFixup(link, depth - 1, depth - 1);
    RangeInit(rangeReturn, base, limit);
  }
  return TRUE;
}

/* Fill link[] with the way to the tree node containing addr and return
 * its depth, or -1 if no tree range contains addr. */
static int cbsTreeSearch(CBSNode **link, CBS cbs, Addr addr)
{
  CBSNode n;
  int depth = 0;
  link[0] = &cbs->root;
  while ((n = *link[depth]) != NULL) {
    AVER(depth + 1 < CBS_PATH_MAX);
    if (addr < n->base)
      link[depth + 1] = &n->left;
    else if (addr >= n->limit)
      link[depth + 1] = &n->right;
    else
      return depth;
    ++depth;
  }
  return -1;
}

/* Descend to the lowest / highest / largest node of at least size bytes,
 * recording the way in link[]; return its depth or -1. */
static int cbsTreeFind(CBSNode **link, CBS cbs, Size size, CBSFindKind kind)
{
  CBSNode n = cbs->root;
  int depth = 0;
  Size want;
  if (n == NULL || n->maxSize < size)
    return -1;
  want = kind == CBSFindLARGEST ? n->maxSize : size;
  link[0] = &cbs->root;
  for (;;) {
    AVER(n != NULL && n->maxSize >= want);
    AVER(depth + 1 < CBS_PATH_MAX);
    if (kind == CBSFindLAST) {
      if (n->right != NULL && n->right->maxSize >= want) {
        link[depth + 1] = &n->right;
      } else if (cbsNodeSize(n) >= want) {
        return depth;
      } else {
        link[depth + 1] = &n->left;
      }
    } else {
      /* FIRST, and LARGEST taking the lowest of equal largest ranges. */
      if (n->left != NULL && n->left->maxSize >= want) {
        link[depth + 1] = &n->left;
      } else if (cbsNodeSize(n) >= want) {
        return depth;
      } else {
        link[depth + 1] = &n->right;
      }
    }
    ++depth;
    n = *link[depth];
  }
}


/* The emergency list */

static void cbsEmRead(Addr *nextReturn, Addr *limitReturn, Addr base)
{
  Word *w = (Word *)(void *)base;
  Word word0;
  VG_DEFINED(w, sizeof(Word));
  word0 = w[0];
  VG_NOACCESS(w, sizeof(Word));
  if (word0 & CBS_ONE_WORD) {
    *nextReturn = (Addr)(word0 & ~CBS_ONE_WORD);
    *limitReturn = AddrAdd(base, sizeof(Word));
  } else {
    VG_DEFINED(&w[1], sizeof(Word));
    *limitReturn = (Addr)w[1];
    VG_NOACCESS(&w[1], sizeof(Word));
    *nextReturn = (Addr)word0;
  }
}

static void cbsEmWrite(Addr base, Addr limit, Addr next)
{
  Word *w = (Word *)(void *)base;
  if (AddrOffset(base, limit) == sizeof(Word)) {
    VG_UNDEFINED(w, sizeof(Word));
    w[0] = AddrWord(next) | CBS_ONE_WORD;
    VG_NOACCESS(w, sizeof(Word));
  } else {
    VG_UNDEFINED(w, 2 * sizeof(Word));
    w[0] = AddrWord(next);
    w[1] = AddrWord(limit);
    VG_NOACCESS(w, 2 * sizeof(Word));
  }
}

/* Make the range after prev (whose limit is prevLimit), or the first range
 * if prev is NULL, be next. */
static void cbsEmSetNext(CBS cbs, Addr prev, Addr prevLimit, Addr next)
{
  if (prev == NULL)
    cbs->emergency = next;
  else
    cbsEmWrite(prev, prevLimit, next);
}

/* Add [base, limit) to the list, merging with touching list ranges. */
static void cbsEmInsert(Range rangeReturn, CBS cbs, Addr base, Addr limit)
{
  Addr prev = NULL, prevLimit = NULL, cur = cbs->emergency;
  Addr curNext = NULL, curLimit = NULL;
  Addr newBase = base, newLimit = limit, newNext;
  Bool joinPrev, joinNext;

  while (cur != NULL) {
    cbsEmRead(&curNext, &curLimit, cur);
    if (cur > base)
      break;
    AVER(curLimit <= base);
    prev = cur;
    prevLimit = curLimit;
    cur = curNext;
  }
  AVER(cur == NULL || limit <= cur);
  joinPrev = prev != NULL && prevLimit == base;
  joinNext = cur != NULL && cur == limit;
  if (joinPrev)
    newBase = prev;
  newNext = cur;
  if (joinNext) {
    newLimit = curLimit;
    newNext = curNext;
  }
  cbsEmWrite(newBase, newLimit, newNext);
  if (!joinPrev)
    cbsEmSetNext(cbs, prev, prevLimit, newBase);
  cbs->emergencyCount = cbs->emergencyCount + 1 - (joinPrev ? 1 : 0) - (joinNext ? 1 : 0);
  cbs->emergencySize += AddrOffset(base, limit);
  RangeInit(rangeReturn, newBase, newLimit);
}

/* Remove [base, limit) from the list range containing it, if any. */
static Bool cbsEmDelete(Range oldReturn, CBS cbs, Addr base, Addr limit)
{
  Addr prev = NULL, prevLimit = NULL, cur = cbs->emergency;
  Addr curNext, curLimit;

  while (cur != NULL) {
    cbsEmRead(&curNext, &curLimit, cur);
    if (cur > base)
      return FALSE;
    if (base < curLimit)
      break;
    prev = cur;
    prevLimit = curLimit;
    cur = curNext;
  }
  if (cur == NULL)
    return FALSE;
  AVER(limit <= curLimit);
  RangeInit(oldReturn, cur, curLimit);
  if (base == cur) {
    if (limit == curLimit) {
      cbsEmSetNext(cbs, prev, prevLimit, curNext);
      --cbs->emergencyCount;
    } else {
      cbsEmWrite(limit, curLimit, curNext);
      cbsEmSetNext(cbs, prev, prevLimit, limit);
    }
  } else if (limit == curLimit) {
    cbsEmWrite(cur, base, curNext);
  } else {
    cbsEmWrite(limit, curLimit, curNext);
    cbsEmWrite(cur, base, limit);
    ++cbs->emergencyCount;
  }
  cbs->emergencySize -= AddrOffset(base, limit);
  return TRUE;
}

/* Is [base, limit) a better answer to the search than [b, l)? */
static Bool cbsBetter(CBSFindKind kind, Addr base, Addr limit, Addr b, Addr l)
{
  switch (kind) {
  case CBSFindFIRST:
    return base < b;
  case CBSFindLAST:
    return base > b;
  default:
    return AddrOffset(base, limit) > AddrOffset(b, l)
           || (AddrOffset(base, limit) == AddrOffset(b, l) && base < b);
  }
}

/* The list's best range of at least size bytes for the search. */
static Bool cbsEmFind(Addr *baseReturn, Addr *limitReturn, CBS cbs,
                      Size size, CBSFindKind kind)
{
  Addr cur = cbs->emergency, next, limit;
  Bool found = FALSE;
  while (cur != NULL) {
    cbsEmRead(&next, &limit, cur);
    if (AddrOffset(cur, limit) >= size
        && (!found || cbsBetter(kind, cur, limit, *baseReturn, *limitReturn))) {
      *baseReturn = cur;
      *limitReturn = limit;
      found = TRUE;
      if (kind == CBSFindFIRST)
        break;
    }
    cur = next;
  }
  return found;
}

Bool CBSFlush(CBS cbs)
{
  AVERT(CBS, cbs);
  while (cbs->emergency != NULL) {
    Addr base = cbs->emergency, next, limit;
    RangeStruct range;
    cbsEmRead(&next, &limit, base);
    /* The tree never touches the range's memory, so the list can still be
     * unlinked after the range has joined the tree. */
    if (!cbsTreeInsert(&range, cbs, base, limit))
      return FALSE;
    cbs->emergency = next;
    --cbs->emergencyCount;
    cbs->emergencySize -= AddrOffset(base, limit);
  }
  return TRUE;
}


/* Interface */

Res CBSInit(CBS cbs, Arena arena, Align alignment)
{
  AVER(cbs != NULL);
  AVER(arena != NULL);
  AVER(WordIsP2(alignment));
  AVER(alignment >= sizeof(Word));
  cbs->arena = arena;
  cbs->alignment = alignment;
  cbs->root = NULL;
  cbs->nodes = 0;
  cbs->size = 0;
  cbs->emergency = NULL;
  cbs->emergencyCount = 0;
  cbs->emergencySize = 0;
  cbs->sig = CBSSig;
  AVERT(CBS, cbs);
  return ResOK;
}

/* Free the nodes without recursion: rotate left children up until the
 * root has none, then free the root and carry on with its right child. */
void CBSFinish(CBS cbs)
{
  CBSNode n;
  AVERT(CBS, cbs);
  n = cbs->root;
  while (n != NULL) {
    if (n->left != NULL) {
      CBSNode l = n->left;
      n->left = l->right;
      l->right = n;
      n = l;
    } else {
      CBSNode r = n->right;
      cbsNodeFree(cbs, n);
      n = r;
    }
  }
  AVER(cbs->nodes == 0);
  cbs->root = NULL;
  cbs->emergency = NULL;        /* the list lives in memory the owner keeps */
  cbs->sig = SigINVALID;
}

static inline Bool cbsRangeCheck(CBS cbs, Range range)
{
  return range != NULL && range->base < range->limit
         && AddrIsAligned(range->base, cbs->alignment)
         && AddrIsAligned(range->limit, cbs->alignment);
}

void CBSInsert(Range rangeReturn, CBS cbs, Range range)
{
  AVERT(CBS, cbs);
  AVER(rangeReturn != NULL);
  AVER(cbsRangeCheck(cbs, range));
  if (cbs->emergency != NULL)
    (void)CBSFlush(cbs);
  if (!cbsTreeInsert(rangeReturn, cbs, range->base, range->limit))
    cbsEmInsert(rangeReturn, cbs, range->base, range->limit);
  cbs->size += RangeSize(range);
}

/* Batch insertion
 *
 * Adding many ranges one at a time costs a descent and a repair each.
 * When the batch is large compared with the tree it is cheaper to merge:
 * sort the batch, list the tree's nodes in order, merge the two sequences
 * (coalescing as insertion would), and build a perfectly balanced tree
 * from the result, all in time linear in the total apart from the sort.
 * The node list needs scratch memory from the control allocator; if none
 * can be had, or the batch is small, the ranges go in one at a time. */

#define CBS_BATCH_MIN 32        /* smaller batches: one at a time */
#define CBS_RADIX_BITS_MAX 11
#define CBS_RADIX_BITS_MIN 8

/* One pass of the radix sort: src[0..count) into dst by the digit of
 * `bits` bits at `shift`, keeping the order of equal digits. */
static void cbsSortPass(Range dst, Range src, Count count, Shift shift, Shift bits)
{
  uint32_t counts[1 << CBS_RADIX_BITS_MAX];
  Word mask = ((Word)1 << bits) - 1;
  uint32_t sum = 0;
  Index i;
  for (i = 0; i <= mask; ++i)
    counts[i] = 0;
  for (i = 0; i < count; ++i)
    ++counts[(AddrWord(src[i].base) >> shift) & mask];
  for (i = 0; i <= mask; ++i) {
    uint32_t c = counts[i];
    counts[i] = sum;
    sum += c;
  }
  for (i = 0; i < count; ++i)
    dst[counts[(AddrWord(src[i].base) >> shift) & mask]++] = src[i];
}

/* Sort ranges[0..count) by base, using tmp[0..count) as well; return
 * whichever of the two holds the result.  A least-significant-digit radix
 * sort over only the bits in which the bases differ: one pool's free
 * blocks usually differ in twenty or so bits, so with digits of up to
 * eleven bits (fewer for a small batch, whose counting table would
 * otherwise cost more than its elements) this is two or three linear
 * passes. */
static Range cbsSortRanges(Range ranges, Range tmp, Count count)
{
  Word all = WORD_ONES, any = 0, varying;
  Range src = ranges, dst = tmp, t;
  Shift lo, width, digit, maxDigit, shift;
  Count passes;
  Index i;

  AVER(count < ((Count)1 << 31));
  for (i = 0; i < count; ++i) {
    all &= AddrWord(ranges[i].base);
    any |= AddrWord(ranges[i].base);
  }
  varying = all ^ any;
  if (varying == 0)
    return src;
  lo = (Shift)__builtin_ctzl((unsigned long)varying);
  width = (Shift)(WORD_WIDTH - __builtin_clzl((unsigned long)varying)) - lo;
  maxDigit = CBS_RADIX_BITS_MIN;
  while (maxDigit < CBS_RADIX_BITS_MAX && ((Count)1 << (maxDigit + 1)) <= count)
    ++maxDigit;
  passes = (width + maxDigit - 1) / maxDigit;
  digit = (Shift)((width + passes - 1) / passes);
  for (shift = lo; shift < lo + width; shift += digit) {
    cbsSortPass(dst, src, count, shift, SizeMin(digit, lo + width - shift));
    t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/* Build a balanced tree from nodes[lo, hi), which are in address order.
 * Subtree sizes differ by at most one at every node, so the AVL
 * condition holds; the recursion is only log2(hi - lo) deep. */
static CBSNode cbsBuild(CBSNode *nodes, Index lo, Index hi)
{
  Index mid;
  CBSNode n;
  if (lo >= hi)
    return NULL;
  mid = lo + (hi - lo) / 2;
  n = nodes[mid];
  n->left = cbsBuild(nodes, lo, mid);
  n->right = cbsBuild(nodes, mid + 1, hi);
  n->height = 0;
  n->maxSize = 0;
  (void)cbsNodeUpdate(n);
  return n;
}

void CBSInsertManyLarge(Count *leftReturn, CBS cbs, Range ranges,
                        Count count, Size minSize)
{
  CBSNode *nodes, stack[CBS_PATH_MAX], n, last;
  Count treeNodes, out, runs, left, i, j, end;
  Size scratch, added = 0;
  Range sorted;
  int sp = 0;
  void *p;

  AVERT(CBS, cbs);
  AVER(leftReturn != NULL);
  AVER(count == 0 || ranges != NULL);
  if (cbs->emergency != NULL)
    (void)CBSFlush(cbs);
  treeNodes = cbs->nodes;
  /* Scratch: the node list, then room for the radix sort.  The merge sees
   * only the tree, so with emergency ranges left it is not used. */
  scratch = (treeNodes + count) * sizeof(CBSNode) + count * sizeof(RangeStruct);
  if (count < CBS_BATCH_MIN || count * 8 < treeNodes || cbs->emergency != NULL
      || ControlAlloc(&p, cbs->arena, scratch) != ResOK) {
    for (i = 0; i < count; ++i) {
      RangeStruct r;
      CBSInsert(&r, cbs, &ranges[i]);
    }
    *leftReturn = 0;
    return;
  }
  nodes = p;

  for (i = 0; i < count; ++i)
    AVER(cbsRangeCheck(cbs, &ranges[i]));
  sorted = cbsSortRanges(ranges, (Range)(void *)&nodes[treeNodes + count], count);

  /* Merge touching batch ranges into runs, in place. */
  runs = 0;
  for (i = 0; i < count; ++i) {
    AVER(runs == 0 || sorted[runs - 1].limit <= sorted[i].base);
    if (runs > 0 && sorted[runs - 1].limit == sorted[i].base)
      sorted[runs - 1].limit = sorted[i].limit;
    else
      sorted[runs++] = sorted[i];
  }

  /* The tree's nodes in order, at the end of the scratch array, so that
   * the merged output (written from the start) never overtakes them. */
  n = cbs->root;
  j = count;
  for (;;) {
    while (n != NULL) {
      AVER(sp < CBS_PATH_MAX);
      stack[sp++] = n;
      n = n->left;
    }
    if (sp == 0)
      break;
    n = stack[--sp];
    nodes[j++] = n;
    n = n->right;
  }
  end = j;
  AVER(end == count + treeNodes);

  /* Merge runs and tree nodes in address order, coalescing into the last
   * node written or the next tree node.  A run that touches neither and is
   * smaller than minSize is left out, written back to the caller's array
   * (never overtaking the reading of the runs, even if they are there). */
  out = 0;
  left = 0;
  last = NULL;
  i = 0;
  j = count;
  while (i < runs || j < end) {
    if (j < end && (i == runs || nodes[j]->base < sorted[i].base)) {
      n = nodes[j++];
      AVER(last == NULL || last->limit <= n->base);
      if (last != NULL && last->limit == n->base) {
        last->limit = n->limit;
        cbsNodeFree(cbs, n);
      } else {
        nodes[out++] = n;
        last = n;
      }
    } else {
      RangeStruct r = sorted[i++];
      AVER(last == NULL || last->limit <= r.base);
      AVER(j == end || r.limit <= nodes[j]->base);
      if (last != NULL && last->limit == r.base) {
        last->limit = r.limit;
      } else if (j < end && nodes[j]->base == r.limit) {
        nodes[j]->base = r.base;  /* the next tree node grows down */
      } else if (RangeSize(&r) < minSize) {
        ranges[left++] = r;
        continue;
      } else if (cbsNodeAlloc(&n, cbs, r.base, r.limit)) {
        nodes[out++] = n;
        last = n;
      } else {
        RangeStruct dummy;
        cbsEmInsert(&dummy, cbs, r.base, r.limit);
      }
      added += RangeSize(&r);
    }
    AVER(out <= j);
  }

  cbs->root = cbsBuild(nodes, 0, out);
  AVER(cbs->nodes == out);
  cbs->size += added;
  ControlFree(cbs->arena, nodes, scratch);
  *leftReturn = left;
}

void CBSInsertMany(CBS cbs, Range ranges, Count count)
{
  Count left;
  CBSInsertManyLarge(&left, cbs, ranges, count, 0);
  AVER(left == 0);
}

/* Remove [base, limit) from the tree node containing it (at least the
 * base must be in the tree).  Returns FALSE if no tree range contains
 * base. */
static Bool cbsTreeDelete(Range oldReturn, CBS cbs, Addr base, Addr limit)
{
  CBSNode *link[CBS_PATH_MAX];
  CBSNode n;
  int depth = cbsTreeSearch(link, cbs, base);
  if (depth < 0)
    return FALSE;
  n = *link[depth];
  AVER(limit <= n->limit);
  RangeInit(oldReturn, n->base, n->limit);
  if (base == n->base) {
    if (limit == n->limit) {
      cbsRemoveAt(cbs, link, depth, depth);
    } else {
      n->base = limit;
      cbsFixup(link, depth, depth);
    }
  } else if (limit == n->limit) {
    n->limit = base;
    cbsFixup(link, depth, depth);
  } else {
    /* From the middle: the upper part needs a node of its own, or a place
     * on the emergency list (it is at least one alignment unit). */
    Addr upperLimit = n->limit;
    CBSNode upper;
    Bool haveNode = cbsNodeAlloc(&upper, cbs, limit, upperLimit);
    n->limit = base;
    cbsFixup(link, depth, depth);
    if (haveNode) {
      cbsLinkNode(cbs, upper);
    } else {
      RangeStruct dummy;
      cbsEmInsert(&dummy, cbs, limit, upperLimit);
    }
  }
  return TRUE;
}

Res CBSDelete(Range oldReturn, CBS cbs, Range range)
{
  AVERT(CBS, cbs);
  AVER(oldReturn != NULL);
  AVER(cbsRangeCheck(cbs, range));
  if (cbs->emergency != NULL)
    (void)CBSFlush(cbs);
  if (!cbsTreeDelete(oldReturn, cbs, range->base, range->limit)
      && !cbsEmDelete(oldReturn, cbs, range->base, range->limit)) {
    NOTREACHED;                 /* the range is not in the set */
    return ResFAIL;
  }
  cbs->size -= RangeSize(range);
  return ResOK;
}

/* The part of [base, limit) that fd takes. */
static void cbsSelect(Range rangeReturn, Addr base, Addr limit, Size size,
                      FindDelete fd)
{
  switch (fd) {
  case FindDeleteLOW:
    RangeInit(rangeReturn, base, AddrAdd(base, size));
    break;
  case FindDeleteHIGH:
    RangeInit(rangeReturn, AddrSub(limit, size), limit);
    break;
  default:
    RangeInit(rangeReturn, base, limit);
    break;
  }
}

static inline Bool cbsFind(Range rangeReturn, Range oldRangeReturn, CBS cbs,
                           Size size, FindDelete fd, CBSFindKind kind)
{
  CBSNode *link[CBS_PATH_MAX];
  CBSNode n;
  int depth;

  AVERT(CBS, cbs);
  AVER(rangeReturn != NULL);
  AVER(oldRangeReturn != NULL);
  AVER(size > 0);
  AVER(SizeIsAligned(size, cbs->alignment));
  AVER(fd == FindDeleteNONE || fd == FindDeleteLOW || fd == FindDeleteHIGH
       || fd == FindDeleteENTIRE);

  if (cbs->emergency != NULL) {
    (void)CBSFlush(cbs);
    if (cbs->emergency != NULL) {
      /* Still some: compare the list's best with the tree's. */
      Addr base = NULL, limit = NULL;
      depth = cbsTreeFind(link, cbs, size, kind);
      if (cbsEmFind(&base, &limit, cbs, size, kind)
          && (depth < 0 || cbsBetter(kind, base, limit, (*link[depth])->base,
                                     (*link[depth])->limit))) {
        RangeStruct old;
        RangeInit(oldRangeReturn, base, limit);
        cbsSelect(rangeReturn, base, limit, size, fd);
        if (fd != FindDeleteNONE) {
          Bool found = cbsEmDelete(&old, cbs, rangeReturn->base, rangeReturn->limit);
          AVER(found);
          UNUSED(found);
          cbs->size -= RangeSize(rangeReturn);
        }
        return TRUE;
      }
    }
  }

  depth = cbsTreeFind(link, cbs, size, kind);
  if (depth < 0)
    return FALSE;
  n = *link[depth];
  RangeInit(oldRangeReturn, n->base, n->limit);
  cbsSelect(rangeReturn, n->base, n->limit, size, fd);
  switch (fd) {
  case FindDeleteNONE:
    return TRUE;
  case FindDeleteLOW:
    if (cbsNodeSize(n) == size) {
      cbsRemoveAt(cbs, link, depth, depth);
    } else {
      n->base = AddrAdd(n->base, size);
      cbsFixup(link, depth, depth);
    }
    break;
  case FindDeleteHIGH:
    if (cbsNodeSize(n) == size) {
      cbsRemoveAt(cbs, link, depth, depth);
    } else {
      n->limit = AddrSub(n->limit, size);
      cbsFixup(link, depth, depth);
    }
    break;
  default:
    cbsRemoveAt(cbs, link, depth, depth);
    break;
  }
  cbs->size -= RangeSize(rangeReturn);
  return TRUE;
}

Bool CBSFindFirst(Range rangeReturn, Range oldRangeReturn, CBS cbs,
                  Size size, FindDelete fd)
{
  return cbsFind(rangeReturn, oldRangeReturn, cbs, size, fd, CBSFindFIRST);
}

Bool CBSFindLast(Range rangeReturn, Range oldRangeReturn, CBS cbs,
                 Size size, FindDelete fd)
{
  return cbsFind(rangeReturn, oldRangeReturn, cbs, size, fd, CBSFindLAST);
}

Bool CBSFindLargest(Range rangeReturn, Range oldRangeReturn, CBS cbs,
                    Size size, FindDelete fd)
{
  return cbsFind(rangeReturn, oldRangeReturn, cbs, size, fd, CBSFindLARGEST);
}

/* Visit tree and emergency ranges merged in address order, without
 * flushing. */
static void cbsIterateRaw(CBS cbs, CBSVisitor visit, void *closure)
{
  CBSNode stack[CBS_PATH_MAX];
  int sp = 0;
  CBSNode n = cbs->root;
  Addr em = cbs->emergency, emNext = NULL, emLimit = NULL;
  RangeStruct range;

  if (em != NULL)
    cbsEmRead(&emNext, &emLimit, em);
  for (;;) {
    while (n != NULL) {
      AVER(sp < CBS_PATH_MAX);
      stack[sp++] = n;
      n = n->left;
    }
    if (sp == 0)
      break;
    n = stack[--sp];
    while (em != NULL && em < n->base) {
      RangeInit(&range, em, emLimit);
      if (!visit(cbs, &range, closure))
        return;
      em = emNext;
      if (em != NULL)
        cbsEmRead(&emNext, &emLimit, em);
    }
    RangeInit(&range, n->base, n->limit);
    if (!visit(cbs, &range, closure))
      return;
    n = n->right;
  }
  while (em != NULL) {
    RangeInit(&range, em, emLimit);
    if (!visit(cbs, &range, closure))
      return;
    em = emNext;
    if (em != NULL)
      cbsEmRead(&emNext, &emLimit, em);
  }
}

void CBSIterate(CBS cbs, CBSVisitor visit, void *closure)
{
  AVERT(CBS, cbs);
  AVER(visit != NULL);
  if (cbs->emergency != NULL)
    (void)CBSFlush(cbs);
  cbsIterateRaw(cbs, visit, closure);
}


/* Deep checking */

/* Check the subtree at n, whose ranges must lie strictly between lo and
 * hi (NULL: unbounded); add its nodes and bytes to the counts. */
static Bool cbsCheckSubtree(CBS cbs, CBSNode n, Addr lo, Addr hi,
                            Count *countIO, Size *sizeIO)
{
  Size max;
  unsigned hl, hr;
  CHECKL(n->base < n->limit);
  CHECKL(AddrIsAligned(n->base, cbs->alignment));
  CHECKL(AddrIsAligned(n->limit, cbs->alignment));
  CHECKL(lo == NULL || lo < n->base);
  CHECKL(hi == NULL || n->limit < hi);
  max = cbsNodeSize(n);
  if (n->left != NULL) {
    CHECKL(cbsCheckSubtree(cbs, n->left, lo, n->base, countIO, sizeIO));
    max = SizeMax(max, n->left->maxSize);
  }
  if (n->right != NULL) {
    CHECKL(cbsCheckSubtree(cbs, n->right, n->limit, hi, countIO, sizeIO));
    max = SizeMax(max, n->right->maxSize);
  }
  hl = cbsHeight(n->left);
  hr = cbsHeight(n->right);
  CHECKL(n->maxSize == max);
  CHECKL(n->height == (hl > hr ? hl : hr) + 1);
  CHECKL(hl <= hr + 1 && hr <= hl + 1);
  CHECKL(n->height < CBS_PATH_MAX / 2);
  ++*countIO;
  *sizeIO += cbsNodeSize(n);
  return TRUE;
}

typedef struct CBSCheckClosureStruct {
  Addr prevLimit;
  Bool ok;
} CBSCheckClosureStruct;

static Bool cbsCheckVisit(CBS cbs, Range range, void *closure)
{
  CBSCheckClosureStruct *c = closure;
  UNUSED(cbs);
  if (c->prevLimit != NULL && range->base < c->prevLimit) {
    c->ok = FALSE;
    return FALSE;
  }
  c->prevLimit = range->limit;
  return TRUE;
}

Bool CBSCheckDeep(CBS cbs)
{
  Count nodes = 0, emCount = 0;
  Size treeSize = 0, emSize = 0;
  Addr em, next, limit, prevLimit = NULL;
  CBSCheckClosureStruct closure;

  CHECKD(CBS, cbs);
  if (cbs->root != NULL)
    CHECKL(cbsCheckSubtree(cbs, cbs->root, NULL, NULL, &nodes, &treeSize));
  CHECKL(nodes == cbs->nodes);
  for (em = cbs->emergency; em != NULL; em = next) {
    cbsEmRead(&next, &limit, em);
    CHECKL(em < limit);
    CHECKL(AddrIsAligned(em, cbs->alignment));
    CHECKL(AddrIsAligned(limit, cbs->alignment));
    CHECKL(prevLimit == NULL || prevLimit < em);  /* ordered and merged */
    prevLimit = limit;
    ++emCount;
    emSize += AddrOffset(em, limit);
  }
  CHECKL(emCount == cbs->emergencyCount);
  CHECKL(emSize == cbs->emergencySize);
  CHECKL(treeSize + emSize == cbs->size);
  /* Tree and list ranges together are disjoint. */
  closure.prevLimit = NULL;
  closure.ok = TRUE;
  cbsIterateRaw(cbs, cbsCheckVisit, &closure);
  CHECKL(closure.ok);
  return TRUE;
}

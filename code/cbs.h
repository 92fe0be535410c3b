/* cbs.h: coalescing block structure
 *
 * A CBS is a set of disjoint half-open address ranges [base, limit), all
 * aligned to the CBS's alignment.  Adding a range that touches ranges
 * already in the set merges them, so the set describes each run of
 * addresses once.  Manual pools keep their free memory in one.
 *
 * The ranges live in an AVL tree keyed by address whose nodes also record
 * the largest range size in their subtree; that makes "lowest range of at
 * least n bytes", "highest ..." and "largest" searches O(log n) descents.
 * Nodes come from the arena's control allocator.
 *
 * Adding must not fail (a pool freeing memory has no way to report it), so
 * when no node can be had the range is kept in an emergency list threaded
 * through the free memory itself; see cbs.c for its layout.  Emergency
 * ranges take part in every operation and move into the tree as soon as
 * nodes can be had again.  While any exist, a range in the set may touch
 * another one (an emergency range next to a tree range), so "maximal" in
 * the description of CBSInsert holds only when the emergency list is empty.
 *
 * The CBS owns no memory other than its nodes: it writes into ranges of
 * the set only for the emergency list.  The CBS is not locked: its owner
 * (the pool, under the arena lock) serialises access.
 */

#ifndef tarn_cbs_h
#define tarn_cbs_h

#include "types.h"
#include "check.h"

#define CBSSig ((Sig)0x519CB5E7)

/* What a find does with the range it finds (see CBSFindFirst). */
typedef enum {
  FindDeleteNONE,               /* leave the set as it is */
  FindDeleteLOW,                /* remove the lowest `size` bytes */
  FindDeleteHIGH,               /* remove the highest `size` bytes */
  FindDeleteENTIRE              /* remove the whole range */
} FindDelete;

typedef struct CBSStruct *CBS;
typedef struct CBSNodeStruct *CBSNode;

typedef struct CBSStruct {
  Sig sig;
  Arena arena;                  /* where nodes come from */
  Align alignment;              /* of every base and limit; >= a word */
  CBSNode root;                 /* AVL tree of ranges, address order */
  Count nodes;                  /* in the tree */
  Size size;                    /* bytes in the set: tree + emergency */
  Addr emergency;               /* first emergency range (address order) */
  Count emergencyCount;
  Size emergencySize;
} CBSStruct;

extern Res CBSInit(CBS cbs, Arena arena, Align alignment);
extern void CBSFinish(CBS cbs);

/* Add range, which must be non-empty, aligned and disjoint from the set.
 * *rangeReturn receives the range of the set that now contains it (the
 * result of coalescing).  Never fails. */
extern void CBSInsert(Range rangeReturn, CBS cbs, Range range);

/* Add count ranges, each as CBSInsert would (non-empty, aligned, disjoint
 * from the set and from each other), in any order; the array's contents
 * are undefined afterwards.
 * Cheaper than count insertions when count is not small compared with the
 * set.  Never fails. */
extern void CBSInsertMany(CBS cbs, Range ranges, Count count);

/* The same, except that ranges which would end up in a range of the set
 * on their own (touching no range of the set) and smaller than minSize
 * are left out: merged where they touch each other, they are written to
 * ranges[0..*leftReturn) for the caller to keep.  A set of free memory
 * can so take only what coalesces or is big, sparing a node for each
 * small isolated block.  (If the batch is small or scratch memory cannot
 * be had, everything is added and *leftReturn is 0.) */
extern void CBSInsertManyLarge(Count *leftReturn, CBS cbs, Range ranges,
                               Count count, Size minSize);

/* Remove range, which must lie inside one range of the set; *oldReturn
 * receives that range as it was.  Removing from the middle of a range
 * needs a node for the upper part; if none can be had the upper part goes
 * to the emergency list, so in this implementation the result is always
 * ResOK (callers should still be ready for ResMEMORY). */
extern Res CBSDelete(Range oldReturn, CBS cbs, Range range);

/* Find the lowest (First), highest (Last) or largest range of at least
 * size bytes.  On success *oldRangeReturn receives that range as it was
 * and *rangeReturn the part that fd removed from the set: its first size
 * bytes (LOW), its last size bytes (HIGH), all of it (ENTIRE) or, for
 * NONE, all of it without removing anything.  Never fails for lack of
 * memory: removing never needs a node. */
extern Bool CBSFindFirst(Range rangeReturn, Range oldRangeReturn, CBS cbs,
                         Size size, FindDelete fd);
extern Bool CBSFindLast(Range rangeReturn, Range oldRangeReturn, CBS cbs,
                        Size size, FindDelete fd);
extern Bool CBSFindLargest(Range rangeReturn, Range oldRangeReturn, CBS cbs,
                           Size size, FindDelete fd);

/* Total bytes in the set. */
static inline Size CBSSize(CBS cbs) { return cbs->size; }

/* Call visit on every range in address order until it returns FALSE.  The
 * visitor must not change the set. */
typedef Bool (*CBSVisitor)(CBS cbs, Range range, void *closure);
extern void CBSIterate(CBS cbs, CBSVisitor visit, void *closure);

/* Move emergency ranges into the tree if nodes can be had; TRUE if the
 * emergency list is now empty.  The other operations do this themselves;
 * owners call it when they know memory has become available. */
extern Bool CBSFlush(CBS cbs);

/* CBSCheck is cheap (constant time), for use on every operation.
 * CBSCheckDeep walks the whole structure and checks every invariant:
 * order, alignment, separation, the size and height annotations, AVL
 * balance and the totals.  Tests call it. */
extern Bool CBSCheck(CBS cbs);
extern Bool CBSCheckDeep(CBS cbs);

#endif /* tarn_cbs_h */

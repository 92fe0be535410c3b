/* poolmvff.c: the MVFF pool class (see poolmvff.h)
 *
 * DESIGN
 *
 * Memory comes from the arena in runs of whole grains (at least extendBy
 * bytes at a time) held without segments: every grain the pool holds has
 * the pool's own tract record as owner, which is how the pool finds them
 * all again when it is destroyed.  total counts those bytes.
 *
 * Free memory is in exactly one of three places:
 *  - the CBS: an address-ordered set of free ranges that coalesces on
 *    insertion, searched by first fit (the lowest range that fits, or the
 *    highest with slot_high);
 *  - the region: one free range taken whole out of the CBS, from which
 *    requests are carved at constant cost (from its low end, or its high
 *    end when first_fit is false).  When a request does not fit it, the
 *    first fit for that request in the CBS becomes the new region, and
 *    what is left of the old one goes on a quick list (or back to the CBS
 *    if it is too big for one).  So requests are served in first-fit
 *    order, a range at a time, and a range just found is used up before
 *    the tree is searched again;
 *  - the quick lists: LIFO lists of freed blocks of one exact size each
 *    (one alignment unit up to MVFF_QUICK_MAX bytes), linked through the
 *    blocks' first words.  mps_free pushes a small block in constant time;
 *    mps_alloc takes an exact fit from them first, then carves the
 *    region, then splits the smallest larger quick block (found through a
 *    bit map of the non-empty lists).
 * The region and the quick lists trade exact address order for speed (a
 * tree operation costs tens of nanoseconds, a list operation a few); the
 * following keep first fit's character and bound its memory use:
 *  1. before asking the arena for more memory the quick lists and the
 *     region go back to the CBS, where they coalesce (mvffFlush), and
 *     first fit is tried again; this is skipped only while they hold less
 *     than max(extendBy, total / MVFF_FLUSH_FRACTION), which bounds the
 *     growth they can cause; and it is always done before failing;
 *  2. the same happens before memory is returned to the arena, so that
 *     free memory can coalesce into whole grains;
 *  3. the region and the quick lists count as free in every query.
 * A flush of many blocks goes into the CBS as one batch (CBSInsertMany),
 * which sorts them and merges them with the tree in linear time.
 * Accounting: freeSize = CBS + region + quick bytes; the client has the
 * rest: each block at its size rounded up to the alignment, and each
 * buffer from its base to its limit.  So
 *   total - free = sum(live blocks, rounded) + sum over APs (limit - init)
 * holds exactly (the part of a buffer below init is committed objects).
 *
 * Returning memory (mvffReduce): when, after a free, free memory exceeds
 * the spare fraction of the total, the pool flushes (rule 2) and gives
 * whole grains of the largest free ranges back to the arena, in pieces of
 * at least extendBy, until free memory is down to MVFF_REDUCE_TO of the
 * spare fraction (aiming below the trigger, so that a live set hovering
 * at the boundary does not move grains back and forth at every free).
 * Smaller pieces go only when free memory is more than halfway from the
 * spare fraction to the whole total.  If fragmentation stops it short,
 * the next attempt waits until a good deal more is free.  Only whole
 * grains inside free ranges are returned, and every such grain is the
 * pool's own, so the pool never frees a grain it does not hold or one
 * with live data.  When everything is free, every whole grain beyond the
 * spare fraction goes (with the default, all of them).
 *
 * Allocation points fill by worst fit: the largest free range of at least
 * the requested size, capped at max(size, extendBy), unaffected by the
 * placement keys (contract 6.7).  Emptying returns [init, limit) to the
 * CBS.
 *
 * Failures: when the arena refuses memory, its result (COMMIT_LIMIT,
 * RESOURCE, MEMORY) is returned after a retry with just the rounded size;
 * nothing has changed, so the pool stays usable.  CBS insertion cannot
 * fail (cbs.h), so mps_free never loses memory.
 *
 * Memcheck: blocks handed out are undefined; free memory (CBS, region,
 * quick lists) is no-access, and the pool opens only the link word it
 * uses.
 */

#include "poolmvff.h"
#include "dbgpool.h"
#include "args.h"
#include "vgmem.h"
#include "mpscmvff.h"

ARG_DEFINE_KEY(MVFF_SLOT_HIGH);
ARG_DEFINE_KEY(MVFF_ARENA_HIGH);
ARG_DEFINE_KEY(MVFF_FIRST_FIT);

#define MVFF_EXTEND_BY_DEFAULT ((Size)65536)
#define MVFF_MEAN_SIZE_DEFAULT ((Size)32)
#define MVFF_SPARE_DEFAULT 0.75

/* Returning memory aims at this fraction of the spare fraction. */
#define MVFF_REDUCE_TO 0.5

/* After an attempt to return memory leaves free memory above the
 * trigger, the next attempt waits until another 1 / MVFF_REDUCE_SLACK of
 * the memory in use (at least extendBy) is free. */
#define MVFF_REDUCE_SLACK 4

/* Memory held in front of the CBS is put back before growing only if
 * it is at least total / MVFF_FLUSH_FRACTION (and at least extendBy). */
#define MVFF_FLUSH_FRACTION 8

/* Flushes of fewer quick blocks than this insert them one by one. */
#define MVFF_BATCH_MIN 64

/* Requests above this are refused with ResRESOURCE: rounding them up to
 * grains could wrap round, and no arena could supply them anyway. */
#define MVFF_SIZE_MAX (((Size)-1) / 4)


Bool MVFFCheck(MVFF mvff)
{
  Pool pool;
  CHECKS(MVFF, mvff);
  pool = MVFFPool(mvff);
  /* Not PoolCheck: it calls this function through the class. */
  CHECKL(pool->sig == PoolSig);
  CHECKL(pool->klass == PoolClassMVFF()
         || PoolClassIsDebugOf(pool->klass, PoolClassMVFF()));
  CHECKD(CBS, MVFFCBS(mvff));
  CHECKL(MVFFCBS(mvff)->alignment == PoolAlignment(pool));
  CHECKL(SizeIsAligned(mvff->extendBy, ArenaGrainSize(PoolArena(pool))));
  CHECKL(mvff->extendBy > 0);
  CHECKL(mvff->spare >= 0.0 && mvff->spare <= 1.0);
  CHECKL(mvff->spareLimit <= mvff->total);
  CHECKL(mvff->reduceAt >= mvff->spareLimit);
  CHECKL(SizeIsAligned(mvff->total, ArenaGrainSize(PoolArena(pool))));
  CHECKL(mvff->regionBase <= mvff->regionLimit);
  CHECKL(AddrIsAligned(mvff->regionBase, PoolAlignment(pool)));
  CHECKL(AddrIsAligned(mvff->regionLimit, PoolAlignment(pool)));
  CHECKL(CBSSize(MVFFCBS(mvff)) + mvff->quickBytes
         + AddrOffset(mvff->regionBase, mvff->regionLimit) <= mvff->total);
  CHECKL(mvff->quickClasses <= MVFF_QUICK_CLASSES);
  CHECKL(mvff->quickMax == (Size)mvff->quickClasses << pool->alignShift);
  CHECKL(mvff->quickMax <= MVFF_QUICK_MAX);
  CHECKL((mvff->quickCount == 0) == (mvff->quickBytes == 0));
  return TRUE;
}

static inline Size mvffRegionSize(MVFF mvff)
{
  return AddrOffset(mvff->regionBase, mvff->regionLimit);
}

static inline Size mvffFreeSizeOf(MVFF mvff)
{
  return CBSSize(MVFFCBS(mvff)) + mvff->quickBytes + mvffRegionSize(mvff);
}

static void mvffSetTotal(MVFF mvff, Size total)
{
  mvff->total = total;
  mvff->spareLimit = (Size)(mvff->spare * (double)total);
  if (mvff->spareLimit > total)
    mvff->spareLimit = total;
  mvff->reduceAt = mvff->spareLimit;
}

/* Should memory go back to the arena?  Free memory is above the trigger
 * (normally the spare fraction of the total), or everything is free and
 * less than all of it is to be kept. */
static inline Bool mvffShouldReduce(MVFF mvff)
{
  Size free = mvffFreeSizeOf(mvff);
  return free > mvff->reduceAt
         || (free == mvff->total && free > mvff->spareLimit);
}


/* Creation and destruction */

static void mvffVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_EXTEND_BY;
  args[0].val.size = va_arg(varargs, size_t);
  args[1].key = MPS_KEY_MEAN_SIZE;
  args[1].val.size = va_arg(varargs, size_t);
  args[2].key = MPS_KEY_ALIGN;
  args[2].val.align = va_arg(varargs, size_t);
  args[3].key = MPS_KEY_MVFF_SLOT_HIGH;
  args[3].val.b = va_arg(varargs, mps_bool_t);
  args[4].key = MPS_KEY_MVFF_ARENA_HIGH;
  args[4].val.b = va_arg(varargs, mps_bool_t);
  args[5].key = MPS_KEY_MVFF_FIRST_FIT;
  args[5].val.b = va_arg(varargs, mps_bool_t);
  args[6].key = MPS_KEY_ARGS_END;
}

static Res mvffInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  MVFF mvff = MVFFOfPool(pool);
  Size extendBy = MVFF_EXTEND_BY_DEFAULT;
  Size avgSize = MVFF_MEAN_SIZE_DEFAULT;
  Align align = MPS_PF_ALIGN;
  Bool slotHigh = FALSE, arenaHigh = FALSE, firstFit = TRUE;
  double spare = MVFF_SPARE_DEFAULT;
  Size grain = ArenaGrainSize(arena);
  ArgStruct arg;
  Index i;
  Res res;

  UNUSED(klass);
  if (align < sizeof(void *))
    align = sizeof(void *);
  if (ArgPick(&arg, args, MPS_KEY_EXTEND_BY))
    extendBy = arg.val.size;
  if (ArgPick(&arg, args, MPS_KEY_MEAN_SIZE))
    avgSize = arg.val.size;
  if (ArgPick(&arg, args, MPS_KEY_ALIGN))
    align = arg.val.align;
  if (ArgPick(&arg, args, MPS_KEY_SPARE))
    spare = arg.val.d;
  if (ArgPick(&arg, args, MPS_KEY_MVFF_SLOT_HIGH))
    slotHigh = arg.val.b != 0;
  if (ArgPick(&arg, args, MPS_KEY_MVFF_ARENA_HIGH))
    arenaHigh = arg.val.b != 0;
  if (ArgPick(&arg, args, MPS_KEY_MVFF_FIRST_FIT))
    firstFit = arg.val.b != 0;

  /* Keyword rules (contract 6.7), reported as the client's call. */
  ARGCHECKF("mps_pool_create_k", extendBy > 0, ResPARAM);
  ARGCHECKF("mps_pool_create_k", extendBy <= MVFF_SIZE_MAX, ResPARAM);
  ARGCHECKF("mps_pool_create_k", avgSize > 0, ResPARAM);
  ARGCHECKF("mps_pool_create_k", WordIsP2(align), ResPARAM);
  ARGCHECKF("mps_pool_create_k", align >= sizeof(void *), ResPARAM);
  ARGCHECKF("mps_pool_create_k", align <= grain, ResPARAM);
  ARGCHECKF("mps_pool_create_k", spare >= 0.0 && spare <= 1.0, ResPARAM);

  pool->alignment = align;
  pool->alignShift = SizeLog2(align);
  res = CBSInit(MVFFCBS(mvff), arena, align);
  if (res != ResOK)
    return res;
  mvff->extendBy = SizeAlignUp(extendBy, grain);
  mvff->avgSize = avgSize;
  mvff->slotHigh = slotHigh;
  mvff->arenaHigh = arenaHigh;
  mvff->firstFit = firstFit;
  mvff->onValgrind = VG_RUNNING();
  mvff->spare = spare;
  mvffSetTotal(mvff, 0);
  mvff->regionBase = NULL;
  mvff->regionLimit = NULL;
  mvff->quickBytes = 0;
  mvff->quickCount = 0;
  mvff->sinceFlush = 0;
  mvff->quickClasses = SizeMin(MVFF_QUICK_MAX >> pool->alignShift, MVFF_QUICK_CLASSES);
  mvff->quickMax = (Size)mvff->quickClasses << pool->alignShift;
  for (i = 0; i < MVFF_QUICK_CLASSES; ++i)
    mvff->quick[i] = NULL;
  for (i = 0; i < MVFF_QUICK_CLASSES / WORD_WIDTH; ++i)
    mvff->quickMap[i] = 0;
  mvff->sig = MVFFSig;
  AVERT(MVFF, mvff);
  return ResOK;
}

/* Give back every grain the pool holds: free, in buffers, or live.  The
 * grains are found by their owner in the tract table, chunk by chunk (a
 * run of owned grains cannot cross into another chunk, whose header
 * grains belong to the arena). */
static void mvffFinish(Pool pool)
{
  MVFF mvff = MVFFOfPool(pool);
  Arena arena = PoolArena(pool);
  Shift gs = arena->grainShift;
  Tract mine = &pool->tractStruct;
  Size left;
  Ring node, next;

  AVERT(MVFF, mvff);
  CBSFinish(MVFFCBS(mvff));
  left = mvff->total;
  RING_FOR(node, &arena->chunkRing, next) {
    Chunk chunk = RING_ELT(Chunk, arenaRing, node);
    Index i = chunk->headerSize >> gs;
    if (left == 0)
      break;
    for (;;) {
      Index j;
      i = BTFindSet(chunk->allocTable, i, chunk->grains);
      if (i >= chunk->grains)
        break;
      j = i;
      while (j < chunk->grains
             && TractOfAddr(arena, ChunkAddrOfIndex(chunk, j, gs)) == mine)
        ++j;
      if (j > i) {
        Size size = (Size)(j - i) << gs;
        ArenaFree(arena, ChunkAddrOfIndex(chunk, i, gs), size);
        AVER(left >= size);
        left -= size;
      } else {
        ++j;
      }
      i = j;
    }
  }
  AVER(left == 0);
  mvffSetTotal(mvff, 0);
  mvff->sig = SigINVALID;
}


/* The quick lists
 *
 * quick[c] holds free blocks of exactly (c + 1) alignment units, linked
 * through their first words; bit c of quickMap is set when it is
 * non-empty. */

/* Memcheck requests on the fast paths cost several instructions each
 * even when no tool is running; they are made only under Valgrind. */
#define MVFF_VG(mvff, request) \
  do { if ((mvff)->onValgrind) request; } while (0)

static inline Index mvffQuickClass(Pool pool, Size size)
{
  return (size >> pool->alignShift) - 1;
}

/* Put the free block p, already no-access, on list c. */
static inline void mvffQuickPushFree(MVFF mvff, Index c, Addr p)
{
  Addr head = mvff->quick[c];
  MVFF_VG(mvff, VG_UNDEFINED(p, sizeof(Addr)));
  *(Addr *)(void *)p = head;
  MVFF_VG(mvff, VG_NOACCESS(p, sizeof(Addr)));
  mvff->quick[c] = p;
  if (head == NULL)
    BTSet(mvff->quickMap, c);
  ++mvff->quickCount;
}

/* Take the first block of non-empty list c; it stays no-access. */
static inline Addr mvffQuickPop(MVFF mvff, Index c)
{
  Addr p = mvff->quick[c];
  Addr next;
  AVER(p != NULL);
  MVFF_VG(mvff, VG_DEFINED(p, sizeof(Addr)));
  next = *(Addr *)(void *)p;
  MVFF_VG(mvff, VG_NOACCESS(p, sizeof(Addr)));
  mvff->quick[c] = next;
  if (next == NULL)
    BTRes(mvff->quickMap, c);
  AVER(mvff->quickCount > 0);
  --mvff->quickCount;
  return p;
}

/* The lowest non-empty list at or above c, or quickClasses if none. */
static inline Index mvffQuickFind(MVFF mvff, Index c)
{
  Index w = c >> WORD_SHIFT;
  Index words = (mvff->quickClasses + WORD_WIDTH - 1) >> WORD_SHIFT;
  Word bits;
  if (c >= mvff->quickClasses)
    return mvff->quickClasses;
  bits = mvff->quickMap[w] & (WORD_ONES << (c & (WORD_WIDTH - 1)));
  while (bits == 0) {
    ++w;
    if (w >= words)
      return mvff->quickClasses;
    bits = mvff->quickMap[w];
  }
  return (w << WORD_SHIFT) + (Index)__builtin_ctzl((unsigned long)bits);
}


/* Flushing: quick lists and region back into the CBS */

static void mvffRegionRelease(MVFF mvff)
{
  if (mvff->regionBase < mvff->regionLimit) {
    RangeStruct range, coalesced;
    RangeInit(&range, mvff->regionBase, mvff->regionLimit);
    CBSInsert(&coalesced, MVFFCBS(mvff), &range);
  }
  mvff->regionBase = NULL;
  mvff->regionLimit = NULL;
}

/* Does anything sit in front of the CBS? */
static inline Bool mvffHasFront(MVFF mvff)
{
  return mvff->quickBytes > 0 || mvff->regionBase < mvff->regionLimit;
}

/* Before growing: has enough been freed since the last flush that
 * putting it back might avoid growth?  (What a flush leaves on the quick
 * lists touches no other free memory, so only newer frees can help.)  A
 * little held back costs at most that much extra total, and flushing at
 * every extension would make the quick lists useless to a client whose
 * live set grows. */
static inline Bool mvffWorthFlushing(MVFF mvff)
{
  return mvff->sinceFlush + mvffRegionSize(mvff)
         >= SizeMax(mvff->extendBy, mvff->total / MVFF_FLUSH_FRACTION);
}

/* Put the quick lists and the region back in the CBS, so that they
 * coalesce.  Many blocks go in as a batch (CBSInsertManyLarge), which
 * keeps out the small ones that touch no other free memory: they return
 * to the quick lists, where they serve requests of their size as well as
 * ever, instead of costing a tree node each.
 *
 * A batch needs scratch memory from the control pool (about 40 bytes per
 * block), which counts in the arena's committed memory like any other:
 * flushing 50000 freed 64-byte blocks at once used to raise the peak
 * footprint by half the freed bytes.  So the lists are moved aside
 * (flushing[]) and drained in batches of at most total /
 * MVFF_SCRATCH_FRACTION bytes of scratch; what a batch leaves goes back
 * on the (now empty) quick lists, so no block is taken twice.  Without
 * scratch memory the blocks go in one at a time. */

#define MVFF_SCRATCH_FRACTION 8
#define MVFF_SCRATCH_PER_BLOCK (2 * sizeof(RangeStruct) + sizeof(void *))

/* Fill ranges[k..max) from the lists being flushed; return the new k.
 *
 * The lists run through free blocks that are usually long out of cache,
 * so following one list is a chain of cache misses, each waiting for the
 * last.  Several lists (lanes) are followed at once, a block from each in
 * turn, so that their misses overlap: this made flushing about three
 * times faster in manualbench.  Lists are taken up in class order from
 * *cIO; on return every non-empty list being flushed has class >= *cIO,
 * so the next call carries on where this one stopped. */
#define MVFF_FLUSH_LANES 8

static Count mvffFlushTake(MVFF mvff, Range ranges, Count k, Count max, Index *cIO)
{
  Pool pool = MVFFPool(mvff);
  Index lanes[MVFF_FLUSH_LANES];
  Index c = *cIO, j, n = 0;
  for (;;) {
    while (n < MVFF_FLUSH_LANES && c < mvff->quickClasses) {
      if (mvff->flushing[c] != NULL)
        lanes[n++] = c;
      ++c;
    }
    if (n == 0 || k >= max)
      break;
    for (j = 0; j < n && k < max;) {
      Index l = lanes[j];
      Addr q = mvff->flushing[l];
      MVFF_VG(mvff, VG_DEFINED(q, sizeof(Addr)));
      mvff->flushing[l] = *(Addr *)(void *)q;
      MVFF_VG(mvff, VG_NOACCESS(q, sizeof(Addr)));
      RangeInit(&ranges[k++], q, AddrAdd(q, (Size)(l + 1) << pool->alignShift));
      if (mvff->flushing[l] == NULL)
        lanes[j] = lanes[--n];  /* the lane is done: take the last one's place */
      else
        ++j;
    }
  }
  /* The lists left non-empty are the lanes still open. */
  for (j = 0; j < n; ++j)
    if (lanes[j] < c)
      c = lanes[j];
  *cIO = c;
  return k;
}

/* Insert ranges[0..k) as a batch; the small ones left over go back on
 * the quick lists. */
static void mvffFlushBatch(MVFF mvff, Range ranges, Count k)
{
  Pool pool = MVFFPool(mvff);
  Count left, i;
  CBSInsertManyLarge(&left, MVFFCBS(mvff), ranges, k,
                     mvff->quickMax + PoolAlignment(pool));
  for (i = 0; i < left; ++i) {
    Size size = RangeSize(&ranges[i]);
    AVER(size <= mvff->quickMax);
    mvffQuickPushFree(mvff, mvffQuickClass(pool, size), ranges[i].base);
    mvff->quickBytes += size;
  }
}

/* Move the quick lists aside, leaving them empty. */
static Count mvffFlushDetach(MVFF mvff)
{
  Count count = mvff->quickCount;
  Index c, i;
  for (c = 0; c < mvff->quickClasses; ++c) {
    mvff->flushing[c] = mvff->quick[c];
    mvff->quick[c] = NULL;
  }
  for (i = 0; i < MVFF_QUICK_CLASSES / WORD_WIDTH; ++i)
    mvff->quickMap[i] = 0;
  mvff->quickBytes = 0;
  mvff->quickCount = 0;
  return count;
}

static void mvffFlush(MVFF mvff)
{
  Pool pool = MVFFPool(mvff);
  Arena arena = PoolArena(pool);
  Count count, max, k = 0;
  Index c = 0;
  Size scratch;
  void *p;

  mvff->sinceFlush = 0;
  count = mvffFlushDetach(mvff);
  max = SizeMax(MVFF_BATCH_MIN,
                mvff->total / MVFF_SCRATCH_FRACTION / MVFF_SCRATCH_PER_BLOCK);
  max = SizeMin(max, count + 1);
  scratch = max * sizeof(RangeStruct);
  if (count >= MVFF_BATCH_MIN && ControlAlloc(&p, arena, scratch) == ResOK) {
    Range ranges = p;
    if (mvff->regionBase < mvff->regionLimit)
      RangeInit(&ranges[k++], mvff->regionBase, mvff->regionLimit);
    mvff->regionBase = NULL;
    mvff->regionLimit = NULL;
    for (;;) {
      k = mvffFlushTake(mvff, ranges, k, max, &c);
      if (k == 0)
        break;
      mvffFlushBatch(mvff, ranges, k);
      k = 0;
    }
    ControlFree(arena, ranges, scratch);
  } else {
    mvffRegionRelease(mvff);
    for (;;) {
      RangeStruct range, coalesced;
      if (mvffFlushTake(mvff, &range, 0, 1, &c) == 0)
        break;
      CBSInsert(&coalesced, MVFFCBS(mvff), &range);
    }
  }
}


/* Arena memory */

/* Get at least size bytes (at least extendBy) from the arena and add them
 * to the CBS. */
static Res mvffExtend(MVFF mvff, Size size)
{
  Pool pool = MVFFPool(mvff);
  Arena arena = PoolArena(pool);
  Size want = SizeAlignUp(size, ArenaGrainSize(arena));
  Size get = SizeMax(want, mvff->extendBy);
  LocusPrefStruct pref;
  RangeStruct range, coalesced;
  Addr base;
  Res res;

  LocusPrefInit(&pref);
  pref.high = mvff->arenaHigh;
  res = PoolArenaAlloc(&base, &pref, get, pool);
  if (res != ResOK && get > want) {
    /* Perhaps the extension is too much for the commit limit or the
     * address space, but the request itself is not. */
    get = want;
    res = PoolArenaAlloc(&base, &pref, get, pool);
  }
  if (res != ResOK)
    return res;
  mvffSetTotal(mvff, mvff->total + get);
  VG_NOACCESS(base, get);
  if (PoolHasAttr(pool, PoolAttrDEBUG))
    DebugPoolFreeSplat(pool, base, AddrAdd(base, get));
  RangeInit(&range, base, AddrAdd(base, get));
  CBSInsert(&coalesced, MVFFCBS(mvff), &range);
  return ResOK;
}

/* Give [base, limit), whole grains the pool holds, back to the arena. */
static void mvffArenaFree(MVFF mvff, Addr base, Addr limit)
{
  Pool pool = MVFFPool(mvff);
  Arena arena = PoolArena(pool);
  while (base < limit) {
    Chunk chunk = ArenaChunkOfAddr(arena, base);
    Addr l;
    AVER(chunk != NULL);
    l = AddrMin(limit, chunk->limit);
    if (PoolHasAttr(pool, PoolAttrDEBUG))
      DebugPoolFreeRelease(pool, base, l);
    PoolArenaFree(pool, base, AddrOffset(base, l));
    mvffSetTotal(mvff, mvff->total - AddrOffset(base, l));
    base = l;
  }
}

/* Return whole grains of range (which lies inside one CBS range) to the
 * arena: as many as bring free memory down to the fraction `keep` of the
 * total, but at least least bytes (so the arena is not left with holes
 * too small for the next extension), taken from the end away from where
 * allocation starts.  Returns whether any went. */
static Bool mvffReturnGrains(MVFF mvff, Range range, double keep, Size least)
{
  Size grain = ArenaGrainSize(PoolArena(MVFFPool(mvff)));
  Addr base = AddrAlignUp(range->base, grain);
  Addr limit = AddrAlignDown(range->limit, grain);
  Size free = mvffFreeSizeOf(mvff);
  Size keepSize = (Size)(keep * (double)mvff->total);
  RangeStruct give, old;
  Size need;

  if (base >= limit || AddrOffset(base, limit) < least
      || free <= keepSize || keep >= 1.0)
    return FALSE;
  /* Returning x bytes leaves free - x against keep * (total - x), so
   * x >= (free - keep * total) / (1 - keep) is enough. */
  need = (Size)((double)(free - keepSize) / (1.0 - keep));
  need = SizeAlignUp(SizeMax(need, least), grain);
  if (need < AddrOffset(base, limit)) {
    if (mvff->arenaHigh)
      limit = AddrAdd(base, need);
    else
      base = AddrSub(limit, need);
  }
  RangeInit(&give, base, limit);
  if (CBSDelete(&old, MVFFCBS(mvff), &give) != ResOK)
    return FALSE;
  mvffArenaFree(mvff, base, limit);
  return TRUE;
}

/* Free memory has gone above the trigger: flush, so that free memory
 * coalesces, and return whole grains of the largest free ranges until
 * free memory is down to MVFF_REDUCE_TO of the spare fraction.
 *
 * Only pieces of at least extendBy are returned at first: small holes
 * scattered through the arena make its searches slow and are no use for
 * the pool's own next extension, and returning them turned out to raise
 * the peak footprint, not lower it.  Smaller pieces go only when free
 * memory is still more than halfway from the spare fraction to the whole
 * total (a badly fragmented pool whose live set has collapsed), and then
 * only down to that halfway mark. */
static void mvffReduce(MVFF mvff)
{
  Size grain = ArenaGrainSize(PoolArena(MVFFPool(mvff)));
  double keep = mvff->spare * MVFF_REDUCE_TO;
  Size least = mvff->extendBy;
  Size free;
  mvffFlush(mvff);
  if (mvffFreeSizeOf(mvff) == mvff->total) {
    keep = mvff->spare;         /* everything is free: keep just the spare */
    least = grain;
  }
  for (;;) {
    RangeStruct range, old;
    if (!CBSFindLargest(&range, &old, MVFFCBS(mvff), least, FindDeleteNONE)
        || !mvffReturnGrains(mvff, &range, keep, least)) {
      double half = (1.0 + mvff->spare) / 2.0;
      if (least == grain
          || (double)mvffFreeSizeOf(mvff) <= half * (double)mvff->total)
        break;
      least = grain;
      keep = half;
    }
  }
  /* If free memory is still above the trigger, do not try again until a
   * good deal more has been freed (a quarter of what is in use, or
   * extendBy): each attempt costs a flush, and the number of attempts
   * while the live set falls is then logarithmic. */
  free = mvffFreeSizeOf(mvff);
  if (free > mvff->reduceAt)
    mvff->reduceAt = free + SizeMax(mvff->extendBy,
                                    (mvff->total - free) / MVFF_REDUCE_SLACK);
}


/* Allocation and freeing */

/* First fit over the CBS (from the top with slot_high), removing the
 * whole range (for a new region) or the end first_fit says. */
static inline Bool mvffFind(Range rangeReturn, MVFF mvff, Size size, Bool entire)
{
  RangeStruct old;
  FindDelete fd = entire ? FindDeleteENTIRE
                  : mvff->firstFit ? FindDeleteLOW : FindDeleteHIGH;
  if (mvff->slotHigh)
    return CBSFindLast(rangeReturn, &old, MVFFCBS(mvff), size, fd);
  return CBSFindFirst(rangeReturn, &old, MVFFCBS(mvff), size, fd);
}

/* Carve size bytes from the region, which has room. */
static inline Addr mvffRegionCarve(MVFF mvff, Size size)
{
  Addr p;
  AVER(mvffRegionSize(mvff) >= size);
  if (mvff->firstFit) {
    p = mvff->regionBase;
    mvff->regionBase = AddrAdd(p, size);
  } else {
    p = AddrSub(mvff->regionLimit, size);
    mvff->regionLimit = p;
  }
  return p;
}

/* The region is too small for a request: put what is left of it on a
 * quick list (or, if too big for one, back in the CBS). */
static void mvffRegionRetire(MVFF mvff)
{
  Size size = mvffRegionSize(mvff);
  if (size > 0 && size <= mvff->quickMax) {
    mvffQuickPushFree(mvff, mvffQuickClass(MVFFPool(mvff), size), mvff->regionBase);
    mvff->quickBytes += size;
    mvff->sinceFlush += size;
    mvff->regionBase = NULL;
    mvff->regionLimit = NULL;
  } else {
    mvffRegionRelease(mvff);
  }
}

/* Serve a request (size aligned) from in front of the CBS if possible:
 * an exact quick fit, the region, or the smallest larger quick block.
 * This is mps_alloc's fast path, so it is inlined even where the
 * compiler would rather not. */
#if defined(__GNUC__) || defined(__clang__)
#define MVFF_ALWAYS_INLINE __attribute__((always_inline))
#else
#define MVFF_ALWAYS_INLINE
#endif

static inline MVFF_ALWAYS_INLINE Bool mvffAllocFront(Addr *pReturn, MVFF mvff, Size size)
{
  Pool pool = MVFFPool(mvff);
  Addr p;
  if (size <= mvff->quickMax) {
    Index c = mvffQuickClass(pool, size);
    if (mvff->quick[c] != NULL) {
      p = mvffQuickPop(mvff, c);
      mvff->quickBytes -= size;
      goto found;
    }
    if (mvffRegionSize(mvff) >= size) {
      p = mvffRegionCarve(mvff, size);
      goto found;
    }
    c = mvffQuickFind(mvff, c + 1);
    if (c < mvff->quickClasses) {
      Size bigger = (Size)(c + 1) << pool->alignShift;
      p = mvffQuickPop(mvff, c);
      mvffQuickPushFree(mvff, mvffQuickClass(pool, bigger - size), AddrAdd(p, size));
      mvff->quickBytes -= size;
      goto found;
    }
  } else if (mvffRegionSize(mvff) >= size) {
    p = mvffRegionCarve(mvff, size);
    goto found;
  }
  return FALSE;

found:
  MVFF_VG(mvff, VG_UNDEFINED(p, size));
  *pReturn = p;
  return TRUE;
}

/* Nothing in front of the CBS fits: the first fit in the CBS becomes the
 * new region.  Failing that, flush (which may make something in front
 * fit, or a range in the CBS), or extend. */
static Res mvffAllocSlow(Addr *pReturn, MVFF mvff, Size size)
{
  RangeStruct range;
  Bool flushed = FALSE, extended = FALSE;
  Res res;

  mvffRegionRetire(mvff);
  while (!mvffFind(&range, mvff, size, TRUE)) {
    if (!flushed && mvffWorthFlushing(mvff)) {
      mvffFlush(mvff);
      flushed = TRUE;
      if (mvffAllocFront(pReturn, mvff, size))
        return ResOK;
      continue;
    }
    AVER(!extended);            /* a fresh extension always fits */
    if (extended)
      return ResFAIL;
    res = mvffExtend(mvff, size);
    if (res != ResOK) {
      /* Before failing, see whether the held-back memory would do. */
      if (flushed || !mvffHasFront(mvff))
        return res;
      mvffFlush(mvff);
      flushed = TRUE;
      if (mvffAllocFront(pReturn, mvff, size))
        return ResOK;
      continue;
    }
    extended = TRUE;
  }
  mvff->regionBase = range.base;
  mvff->regionLimit = range.limit;
  *pReturn = mvffRegionCarve(mvff, size);
  VG_UNDEFINED(*pReturn, size);
  return ResOK;
}

static Res mvffAlloc(Addr *pReturn, Pool pool, Size size)
{
  MVFF mvff = MVFFOfPool(pool);
  AVERT(MVFF, mvff);
  AVER(size > 0);
  if (size > MVFF_SIZE_MAX)
    return ResRESOURCE;
  size = SizeAlignUp(size, PoolAlignment(pool));
  if (mvffAllocFront(pReturn, mvff, size))
    return ResOK;
  return mvffAllocSlow(pReturn, mvff, size);
}

static void mvffFree(Pool pool, Addr old, Size size)
{
  MVFF mvff = MVFFOfPool(pool);

  AVERT(MVFF, mvff);
  ARGCHECKF("mps_free", AddrIsAligned(old, PoolAlignment(pool)), );
  ARGCHECKF("mps_free", size <= MVFF_SIZE_MAX, );
  size = SizeAlignUp(size, PoolAlignment(pool));
  AVER(PoolHasAddr(pool, AddrSub(AddrAdd(old, size), 1)));

  if (size <= mvff->quickMax) {
    Index c = mvffQuickClass(pool, size);
    Addr head = mvff->quick[c];
    *(Addr *)(void *)old = head;
    MVFF_VG(mvff, VG_NOACCESS(old, size));
    mvff->quick[c] = old;
    if (head == NULL)
      BTSet(mvff->quickMap, c);
    mvff->quickBytes += size;
    mvff->sinceFlush += size;
    ++mvff->quickCount;
  } else {
    RangeStruct range, coalesced;
    VG_NOACCESS(old, size);
    RangeInit(&range, old, AddrAdd(old, size));
    CBSInsert(&coalesced, MVFFCBS(mvff), &range);
  }
  if (mvffShouldReduce(mvff))
    mvffReduce(mvff);
}


/* Allocation points */

static Res mvffBufferFill(Addr *baseReturn, Addr *limitReturn, Pool pool,
                          Buffer buffer, Size size)
{
  MVFF mvff = MVFFOfPool(pool);
  CBS cbs = MVFFCBS(mvff);
  RangeStruct range, old, piece;
  Bool flushed = FALSE, extended = FALSE;
  Size take;
  Res res;

  AVERT(MVFF, mvff);
  AVER(size > 0);
  UNUSED(buffer);
  if (size > MVFF_SIZE_MAX)
    return ResRESOURCE;
  size = SizeAlignUp(size, PoolAlignment(pool));
  mvffRegionRelease(mvff);      /* it may be, or join, the largest range */
  while (!CBSFindLargest(&range, &old, cbs, size, FindDeleteNONE)) {
    /* As in mvffAllocSlow: flush if that may help, else extend. */
    if (!flushed && mvffWorthFlushing(mvff)) {
      mvffFlush(mvff);
      flushed = TRUE;
      continue;
    }
    AVER(!extended);            /* a fresh extension always fits */
    if (extended)
      return ResFAIL;
    res = mvffExtend(mvff, size);
    if (res == ResOK) {
      extended = TRUE;
      continue;
    }
    if (!flushed && mvffHasFront(mvff)) {
      mvffFlush(mvff);
      flushed = TRUE;
      continue;
    }
    /* Last resort: the largest quick block that is big enough.  (After a
     * flush, those touch no other free memory.) */
    if (size <= mvff->quickMax) {
      Index c = mvffQuickClass(pool, size);
      Index top = BTFindSetHigh(mvff->quickMap, c, mvff->quickClasses);
      if (top < mvff->quickClasses) {
        Size bigger = (Size)(top + 1) << pool->alignShift;
        Addr p = mvffQuickPop(mvff, top);
        mvff->quickBytes -= bigger;
        VG_UNDEFINED(p, bigger);
        *baseReturn = p;
        *limitReturn = AddrAdd(p, bigger);
        return ResOK;
      }
    }
    return res;
  }
  /* Worst fit, but leave the rest of a very large range to others. */
  take = SizeMin(RangeSize(&range), SizeMax(size, mvff->extendBy));
  RangeInit(&piece, range.base, AddrAdd(range.base, take));
  res = CBSDelete(&old, cbs, &piece);   /* a prefix: needs no node */
  if (res != ResOK)
    return res;
  VG_UNDEFINED(piece.base, take);
  *baseReturn = piece.base;
  *limitReturn = piece.limit;
  return ResOK;
}

static void mvffBufferEmpty(Pool pool, Buffer buffer, Addr init, Addr limit)
{
  MVFF mvff = MVFFOfPool(pool);
  RangeStruct range, coalesced;
  AVERT(MVFF, mvff);
  AVER(init <= limit);
  UNUSED(buffer);
  if (init == limit)
    return;
  VG_NOACCESS(init, AddrOffset(init, limit));
  RangeInit(&range, init, limit);
  CBSInsert(&coalesced, MVFFCBS(mvff), &range);
  if (mvffShouldReduce(mvff))
    mvffReduce(mvff);
}


/* Sizes */

static Size mvffTotalSize(Pool pool)
{
  MVFF mvff = MVFFOfPool(pool);
  AVERT(MVFF, mvff);
  return mvff->total;
}

static Size mvffFreeSize(Pool pool)
{
  MVFF mvff = MVFFOfPool(pool);
  AVERT(MVFF, mvff);
  return mvffFreeSizeOf(mvff);
}

static Bool mvffCheckMethod(Pool pool)
{
  return MVFFCheck(MVFFOfPool(pool));
}


/* The class */

static const PoolClassStruct mvffPoolClass = {
  .sig = PoolClassSig,
  .name = "MVFF",
  .size = sizeof(MVFFStruct),
  .bufferSize = 0,
  .attr = 0,
  .varargs = mvffVarargs,
  .init = mvffInit,
  .finish = mvffFinish,
  .alloc = mvffAlloc,
  .free = mvffFree,
  .bufferFill = mvffBufferFill,
  .bufferEmpty = mvffBufferEmpty,
  .totalSize = mvffTotalSize,
  .freeSize = mvffFreeSize,
  .check = mvffCheckMethod,
};

PoolClass PoolClassMVFF(void)
{
  return &mvffPoolClass;
}

mps_pool_class_t mps_class_mvff(void)
{
  return (mps_pool_class_t)PoolClassMVFF();
}

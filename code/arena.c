/* arena.c: the generic arena (see arena.h)
 *
 * Grain allocation: a request is for a whole number of grains.  The arena
 * looks through its chunks for a free run (lowest or highest first, in the
 * preferred zones if it can), commits whatever part of the run is not
 * already committed (charging the commit limit, after giving up spare
 * memory if that makes room), and points the run's tract-table entries at
 * the owner.  When no chunk has room the class adds a chunk.
 *
 * Freed grains stay committed as spare memory until spare memory exceeds
 * the spare fraction of committed memory; then the excess is decommitted.
 * An allocation that has to commit also commits some free grains after
 * its run, as spare (chunkCommitAhead): a system call per small segment
 * was most of the time IMX's parallel workers spent holding their lock.
 */

#include "arena.h"
#include "args.h"
#include "tarn.h"
#include "pool.h"
#include "trace.h"
#include "event.h"
#include "vgmem.h"

/* Keep the high-water mark of committed memory (tarn_arena_stats): it
 * is reached inside collections, where a client cannot sample it. */
static void arenaNoteCommitted(Arena arena)
{
  if (arena->committed > arena->peakCommitted)
    arena->peakCommitted = arena->committed;
}

static RingStruct arenaGlobalRing = {&arenaGlobalRing, &arenaGlobalRing};
static Serial arenaSerial = 0;

Ring ArenaGlobalRing(void)
{
  return &arenaGlobalRing;
}

Bool ArenaClassCheck(ArenaClass klass)
{
  CHECKS(ArenaClass, klass);
  CHECKL(klass->create != NULL && klass->destroy != NULL);
  CHECKL(klass->grow != NULL && klass->commit != NULL && klass->decommit != NULL);
  return TRUE;
}

Bool ArenaCheck(Arena arena)
{
  CHECKS(Arena, arena);
  CHECKD(ArenaClass, arena->klass);
  CHECKL(WordIsP2(arena->grainSize));
  CHECKL(arena->grainSize == (Size)1 << arena->grainShift);
  CHECKL(arena->zoneShift >= arena->grainShift);
  CHECKL(arena->committed <= arena->reserved);
  CHECKL(arena->spareCommitted <= arena->committed);
  CHECKL(arena->spare >= 0.0 && arena->spare <= 1.0);
  CHECKL(TractTableCheck(arena));
  CHECKD(Control, ArenaControl(arena));
  return TRUE;
}

void LocusPrefInit(LocusPref pref)
{
  pref->zones = ZoneSetUNIV;
  pref->avoid = ZoneSetEMPTY;
  pref->high = FALSE;
}

ZoneSet ZoneSetOfRange(Arena arena, Addr base, Addr limit)
{
  Word zbase, zlast;
  AVER(base < limit);
  zbase = AddrWord(base) >> arena->zoneShift;
  zlast = (AddrWord(limit) - 1) >> arena->zoneShift;
  if (zlast - zbase >= ZONE_COUNT - 1)
    return ZoneSetUNIV;
  zbase &= ZONE_COUNT - 1;
  zlast &= ZONE_COUNT - 1;
  if (zbase <= zlast)
    return (WORD_ONES >> (WORD_WIDTH - 1 - (zlast - zbase))) << zbase;
  return ~((WORD_ONES >> (WORD_WIDTH - (zbase - zlast - 1))) << (zlast + 1));
}

/* Creation and destruction */

Res ArenaCreate(Arena *arenaReturn, ArenaClass klass, ArgList args)
{
  Arena arena;
  Res res;
  AVERT(ArenaClass, klass);
  res = klass->create(&arena, args);
  if (res != ResOK)
    return res;
  res = ArenaCollectorInit(arena);
  if (res != ResOK) {
    arena->klass->destroy(arena);
    return res;
  }
  GlobalLockClaim();
  RingAppend(&arenaGlobalRing, &arena->globalRing);
  arena->serial = arenaSerial++;
  GlobalLockRelease();
  AVERT(Arena, arena);
  EVENTN(ArenaCreate, ARENA, (Word)arena, arena->reserved, arena->committed);
  *arenaReturn = arena;
  return ResOK;
}

void ArenaDestroy(Arena arena)
{
  AVERT(Arena, arena);
  EVENTN(ArenaDestroy, ARENA, (Word)arena);
  GlobalLockClaim();
  RingRemove(&arena->globalRing);
  GlobalLockRelease();
  ArenaCollectorFinish(arena);
  arena->klass->destroy(arena);
}

Res ArenaInit(Arena arena, ArenaClass klass, Size grainSize, ArgList args)
{
  ArgStruct arg;
  Bool spareGiven = FALSE;

  AVER(WordIsP2(grainSize));
  arena->klass = klass;
  LockInit(&arena->lockStruct);
  RingInit(&arena->globalRing);
  arena->grainSize = grainSize;
  arena->grainShift = SizeLog2(grainSize);
  arena->zoneShift = arena->grainShift; /* the class sets it properly */
  RingInit(&arena->chunkRing);
  arena->chunkCount = 0;
  arena->primary = NULL;
  arena->growthDesired = 0;
  arena->growthMinimum = 0;
  arena->extended = NULL;
  arena->contracted = NULL;
  arena->zoned = TRUE;
  arena->tableBase = NULL;
  arena->tableCount = 0;
  arena->table = NULL;
  arena->tableMapSize = 0;
  arena->tableRetiredCount = 0;
  arena->parActive = FALSE;
  arena->par = NULL;
  arena->workersArg = 0;
  arena->traceTime = 0;
  arena->parPhases = 0;
  arena->entry = NULL;
  arena->headerTract.white = TraceSetEMPTY;
  arena->headerTract.pool = NULL;
  arena->headerTract.seg = NULL;
  arena->controlTract = arena->headerTract;
  arena->reserved = 0;
  arena->committed = 0;
  arena->peakCommitted = 0;
  arena->spareCommitted = 0;
  arena->commitLimit = SIZE_NONE;
  arena->spare = 0.75;
  arena->tableCommitted = 0;
  RingInit(&arena->poolRing);
  RingInit(&arena->formatRing);
  RingInit(&arena->chainRing);
  RingInit(&arena->rootRing);
  RingInit(&arena->threadRing);
  arena->poolSerial = 0;
  arena->formatSerial = 0;
  arena->state = ArenaUNCLAMPED;
  arena->pauseTime = 0.1;
  arena->collections = 0;
  arena->epoch = 0;

  if (ArgPick(&arg, args, MPS_KEY_COMMIT_LIMIT))
    arena->commitLimit = arg.val.size;
  if (ArgPick(&arg, args, MPS_KEY_SPARE)) {
    ARGCHECKF("mps_arena_create_k", arg.val.d >= 0.0 && arg.val.d <= 1.0, ResPARAM);
    arena->spare = arg.val.d;
    spareGiven = TRUE;
  }
  if (ArgPick(&arg, args, MPS_KEY_SPARE_COMMIT_LIMIT) && !spareGiven) {
    /* Deprecated: a byte count, as a fraction of the commit limit. */
    if (arena->commitLimit == SIZE_NONE || arg.val.size >= arena->commitLimit)
      arena->spare = arena->commitLimit == SIZE_NONE && arg.val.size == 0 ? 0.0 : 1.0;
    else
      arena->spare = (double)arg.val.size / (double)arena->commitLimit;
  }
  if (ArgPick(&arg, args, MPS_KEY_PAUSE_TIME)) {
    ARGCHECKF("mps_arena_create_k", arg.val.d >= 0.0, ResPARAM);
    arena->pauseTime = arg.val.d;
  }
  if (ArgPick(&arg, args, MPS_KEY_TARN_WORKERS)) {
    ARGCHECKF("mps_arena_create_k", arg.val.count >= 1, ResPARAM); /* MPS_KEY_TARN_WORKERS >= 1 */
    arena->workersArg = (Count)arg.val.count;
  }
  if (ArgPick(&arg, args, MPS_KEY_ARENA_ZONED))
    arena->zoned = arg.val.b != 0;
  if (ArgPick(&arg, args, MPS_KEY_ARENA_EXTENDED))
    arena->extended = (mps_arena_extended_t)arg.val.fun;
  if (ArgPick(&arg, args, MPS_KEY_ARENA_CONTRACTED))
    arena->contracted = (mps_arena_contracted_t)arg.val.fun;
  (void)ArgPick(&arg, args, MPS_KEY_VMW3_TOP_DOWN);

  ControlInit(arena);
  arena->sig = ArenaSig;
  return ResOK;
}

void ArenaFinish(Arena arena)
{
  AVERT(Arena, arena);
  ControlFinish(arena);
  TractTableFinish(arena);
  arena->sig = SigINVALID;
  LockFinish(&arena->lockStruct);
}

/* A chunk joins the arena: it is charged for its header, the tract table is
 * made to cover it, and its header grains are marked as the arena's. */
/* A separately mapped table is charged, for the part that covers each
 * chunk, as reserved and committed memory of the arena. */
static Size chunkTableCharge(Arena arena, Chunk chunk)
{
  if (!arena->klass->tableSeparate)
    return 0;
  return SizeAlignUp(chunk->grains * sizeof(Tract), arena->grainSize);
}

void ArenaChunkAdded(Arena arena, Chunk chunk)
{
  Ring node;
  AVERT(Chunk, chunk);
  /* Keep the ring in address order. */
  for (node = arena->chunkRing.next; node != &arena->chunkRing; node = node->next) {
    Chunk other = RING_ELT(Chunk, arenaRing, node);
    if (other->base > chunk->base)
      break;
  }
  RingAppend(node, &chunk->arenaRing);
  ++arena->chunkCount;
  if (arena->primary == NULL)
    arena->primary = chunk;
  arena->reserved += AddrOffset(chunk->base, chunk->limit) + chunkTableCharge(arena, chunk);
  arena->committed += chunk->headerSize + chunkTableCharge(arena, chunk);
  arenaNoteCommitted(arena);
  arena->tableCommitted += chunkTableCharge(arena, chunk);
  TractTableSet(arena, chunk->base, chunk->headerLimit, &arena->headerTract);
  if (arena->extended != NULL)
    arena->extended(arena, chunk->base, AddrOffset(chunk->base, chunk->limit));
  EVENTN(ChunkAdd, ARENA, (Word)arena, (Word)chunk->base, AddrOffset(chunk->base, chunk->limit));
}

void ArenaChunkRemoved(Arena arena, Chunk chunk)
{
  Shift gs = arena->grainShift;
  Count spareGrains = 0;
  Index w;
  AVERT(Chunk, chunk);
  if (arena->contracted != NULL)
    arena->contracted(arena, chunk->base, AddrOffset(chunk->base, chunk->limit));
  for (w = 0; w < BT_WORDS(chunk->grains); ++w)
    spareGrains += (Count)__builtin_popcountl((unsigned long)
                     (chunk->committedTable[w] & ~chunk->allocTable[w]));
  TractTableSet(arena, chunk->base, chunk->limit, NULL);
  arena->committed -= (chunk->committedGrains << gs) + chunkTableCharge(arena, chunk);
  arena->tableCommitted -= chunkTableCharge(arena, chunk);
  arena->spareCommitted -= spareGrains << gs;
  arena->reserved -= AddrOffset(chunk->base, chunk->limit) + chunkTableCharge(arena, chunk);
  RingRemove(&chunk->arenaRing);
  --arena->chunkCount;
}

/* Entry and exit */

void ArenaEnter(Arena arena)
{
  LockClaim(&arena->lockStruct);
}

void ArenaLeave(Arena arena)
{
  LockRelease(&arena->lockStruct);
}

void ArenaEnterRecursive(Arena arena)
{
  LockClaimRecursive(&arena->lockStruct);
}

void ArenaLeaveRecursive(Arena arena)
{
  LockReleaseRecursive(&arena->lockStruct);
}

Bool ArenaBusy(Arena arena)
{
  return LockIsHeld(&arena->lockStruct);
}

/* Finding addresses */

Chunk ArenaChunkOfAddr(Arena arena, Addr addr)
{
  Ring node;
  for (node = arena->chunkRing.next; node != &arena->chunkRing; node = node->next) {
    Chunk chunk = RING_ELT(Chunk, arenaRing, node);
    if (chunk->base <= addr && addr < chunk->limit)
      return chunk;
  }
  return NULL;
}

Bool ArenaHasAddr(Arena arena, Addr addr)
{
  return ArenaChunkOfAddr(arena, addr) != NULL;
}

Bool ArenaPoolOfAddr(Pool *poolReturn, Arena arena, Addr addr)
{
  Tract tract = TractOfAddr(arena, addr);
  if (tract == NULL || tract->pool == NULL)
    return FALSE;
  *poolReturn = tract->pool;
  return TRUE;
}

/* Searching a chunk for free grains.
 *
 * chunkFindRun finds n free grains, lowest or highest first; with zones it
 * only accepts places whose zone set lies within the preferred zones,
 * trying each stripe boundary inside each free run. */

static Bool chunkPlaceInRun(Index *baseReturn, Arena arena, Chunk chunk,
                            Index runBase, Index runLimit, Count n,
                            LocusPref pref)
{
  Shift gs = arena->grainShift;
  Size stripe = (Size)1 << arena->zoneShift;
  if (pref->zones == ZoneSetUNIV) {
    *baseReturn = pref->high ? runLimit - n : runBase;
    return TRUE;
  }
  if (!pref->high) {
    Index cand = runBase;
    while (cand + n <= runLimit) {
      Addr a = ChunkAddrOfIndex(chunk, cand, gs);
      if ((ZoneSetOfRange(arena, a, AddrAdd(a, n << gs)) & ~pref->zones) == 0) {
        *baseReturn = cand;
        return TRUE;
      }
      cand = ChunkIndexOfAddr(chunk, AddrAlignUp(AddrAdd(a, 1), stripe), gs);
    }
  } else {
    Index candLimit = runLimit;
    while (candLimit >= runBase + n) {
      Addr l = ChunkAddrOfIndex(chunk, candLimit, gs);
      Addr a = AddrSub(l, n << gs);
      if ((ZoneSetOfRange(arena, a, l) & ~pref->zones) == 0) {
        *baseReturn = candLimit - n;
        return TRUE;
      }
      candLimit = ChunkIndexOfAddr(chunk, AddrAlignDown(AddrSub(l, 1), stripe), gs);
    }
  }
  return FALSE;
}

/* Spare grains (committed, not allocated) are reused before fresh ones:
 * they cost no system call and no page faults, and a pool that gives
 * memory back and later grows again (a manual pool whose live set rises
 * and falls) then keeps its footprint instead of adding fresh memory to
 * the spare it left.  The spare runs are those of committed & ~alloc,
 * found a word at a time from spareHint (below it there are none, so a
 * collector that takes its to-space from the spare its last from-space
 * left does not walk the whole allocated heap each time); each run is
 * offered to chunkPlaceInRun. */
/* The number of consecutive set bits of w from bit 0. */
static inline Count wordTrailingOnes(Word w)
{
  return ~w == 0 ? WORD_WIDTH : (Count)__builtin_ctzl((unsigned long)~w);
}

/* Lower the spare hint of a chunk when grains from i on become spare. */
static void chunkSpareFrom(Chunk chunk, Index i)
{
  if (i < chunk->spareHint)
    chunk->spareHint = i;
}

static Bool chunkFindSpareRun(Index *baseReturn, Arena arena, Chunk chunk,
                              Count n, LocusPref pref)
{
  Index words = (chunk->grains + WORD_WIDTH - 1) >> WORD_SHIFT;
  Index w, runBase = 0;
  Index first = chunk->grains;  /* the lowest spare grain seen */
  Count len = 0;                /* of the spare run in hand */
  Count spare = chunk->committedGrains - chunk->allocGrains;  /* not yet seen */
  Bool found = FALSE;
  if (spare < n)
    return FALSE;
  /* Stop once every spare grain has been seen and the run in hand is
   * over.  Within a word, jump from run to run with count-trailing-
   * zeros/ones. */
  for (w = chunk->spareHint >> WORD_SHIFT; w < words && (spare > 0 || len > 0); ++w) {
    Word bits = chunk->committedTable[w] & ~chunk->allocTable[w];
    Count pos = 0;
    if (bits == 0 && len == 0)
      continue;
    spare -= (Count)__builtin_popcountl((unsigned long)bits);
    if (bits != 0 && first == chunk->grains)
      first = (w << WORD_SHIFT) + (Index)__builtin_ctzl((unsigned long)bits);
    while (pos < WORD_WIDTH) {
      Word rest = bits >> pos;
      Count ones;
      if (len == 0) {
        if (rest == 0)
          break;
        pos += (Count)__builtin_ctzl((unsigned long)rest);
        rest = bits >> pos;
        runBase = (w << WORD_SHIFT) + pos;
      }
      ones = wordTrailingOnes(rest);
      if (ones > WORD_WIDTH - pos)
        ones = WORD_WIDTH - pos;
      len += ones;
      pos += ones;
      if (pos < WORD_WIDTH) {   /* the run ends inside this word */
        if (len >= n
            && chunkPlaceInRun(baseReturn, arena, chunk, runBase, runBase + len, n, pref)) {
          found = TRUE;
          goto done;
        }
        len = 0;
      }
    }
  }
  found = len >= n
          && chunkPlaceInRun(baseReturn, arena, chunk, runBase, runBase + len, n, pref);
done:
  /* Every grain below `first` from the old hint was seen not spare; a
   * run taken at `first` moves the hint past it. */
  if (found && *baseReturn == first)
    first += n;
  if (first > chunk->spareHint)
    chunk->spareHint = first;
  return found;
}

/* A run is examined at most `enough` grains at a time (the search does
 * not scan to the end of a long free tail): enough for n grains at every
 * stripe boundary of two stripes.  A run cut short there is searched
 * again from the first place not yet tried. */
static Bool chunkFindRun(Index *baseReturn, Arena arena, Chunk chunk, Count n,
                         LocusPref pref)
{
  Index from = chunk->freeHint;
  Index to = chunk->grains;
  Index runBase, runLimit;
  Count stripeGrains = arena->zoneShift > arena->grainShift
                       ? (Count)1 << (arena->zoneShift - arena->grainShift) : 1;
  Count enough = pref->zones == ZoneSetUNIV ? n : n + 2 * stripeGrains;
  if (chunk->grains - chunk->allocGrains < n)
    return FALSE;
  if (!pref->high) {
    if (chunkFindSpareRun(baseReturn, arena, chunk, n, pref))
      return TRUE;
    while (BTFindResRunCapped(&runBase, &runLimit, chunk->allocTable, from, to,
                              n, enough)) {
      if (chunkPlaceInRun(baseReturn, arena, chunk, runBase, runLimit, n, pref))
        return TRUE;
      from = runLimit - runBase == enough ? runLimit - n + 1 : runLimit;
    }
  } else {
    while (BTFindResRunHighCapped(&runBase, &runLimit, chunk->allocTable, from, to,
                                  n, enough)) {
      if (chunkPlaceInRun(baseReturn, arena, chunk, runBase, runLimit, n, pref))
        return TRUE;
      to = runLimit - runBase == enough ? runBase + n - 1 : runBase;
    }
  }
  return FALSE;
}

static Bool arenaFindRun(Chunk *chunkReturn, Index *baseReturn, Arena arena,
                         Count n, LocusPref pref)
{
  Ring node;
  if (!pref->high) {
    for (node = arena->chunkRing.next; node != &arena->chunkRing; node = node->next) {
      Chunk chunk = RING_ELT(Chunk, arenaRing, node);
      if (chunkFindRun(baseReturn, arena, chunk, n, pref)) {
        *chunkReturn = chunk;
        return TRUE;
      }
    }
  } else {
    for (node = arena->chunkRing.prev; node != &arena->chunkRing; node = node->prev) {
      Chunk chunk = RING_ELT(Chunk, arenaRing, node);
      if (chunkFindRun(baseReturn, arena, chunk, n, pref)) {
        *chunkReturn = chunk;
        return TRUE;
      }
    }
  }
  return FALSE;
}

/* Commit the uncommitted grains of [base, base+n) in chunk. */
static Res chunkCommitRun(Arena arena, Chunk chunk, Index base, Count n)
{
  Index i = base, limit = base + n;
  Shift gs = arena->grainShift;
  Size before = arena->committed;
  while (i < limit) {
    Index runBase = BTFindRes(chunk->committedTable, i, limit);
    Index runLimit;
    Res res;
    if (runBase == limit)
      break;
    runLimit = BTFindSet(chunk->committedTable, runBase, limit);
    res = arena->klass->commit(arena, ChunkAddrOfIndex(chunk, runBase, gs),
                               ChunkAddrOfIndex(chunk, runLimit, gs));
    if (res != ResOK)
      return res;
    BTSetRange(chunk->committedTable, runBase, runLimit);
    chunk->committedGrains += runLimit - runBase;
    arena->committed += (runLimit - runBase) << gs;
    i = runLimit;
  }
  arenaNoteCommitted(arena);
  if (arena->committed != before)
    EVENTN(ArenaCommit, ARENA, (Word)arena, arena->committed, arena->spareCommitted);
  return ResOK;
}

/* Commit ahead: when an allocation has to commit, the free uncommitted
 * grains that follow it (up to ARENA_COMMIT_AHEAD bytes) are committed
 * too, as spare, so that a pool taking small segments one after another
 * (IMX's 32 KiB blocks, a copying trace's to-space) makes one system
 * call for several.  Only where spare memory is kept, within the spare
 * allowance and the commit limit. */
#define ARENA_COMMIT_AHEAD ((Size)256 * 1024)

/* Would spare memory exceed the spare fraction of committed memory if
 * `more` bytes were committed as spare? */
static Bool arenaSpareOver(Arena arena, Size more)
{
  return (double)(arena->spareCommitted + more)
         > arena->spare * (double)(arena->committed + more);
}

static void chunkCommitAhead(Arena arena, Chunk chunk, Index from)
{
  Shift gs = arena->grainShift;
  Index limit = from, max = from + (ARENA_COMMIT_AHEAD >> gs);
  Size size;
  if (!arena->klass->hasSpare)
    return;
  if (max > chunk->grains)
    max = chunk->grains;
  while (limit < max && !BTGet(chunk->allocTable, limit) && !BTGet(chunk->committedTable, limit))
    ++limit;
  size = (Size)(limit - from) << gs;
  if (size == 0 || arena->committed + size > arena->commitLimit || arenaSpareOver(arena, size))
    return;
  if (chunkCommitRun(arena, chunk, from, limit - from) != ResOK)
    return;
  arena->spareCommitted += size;
  chunkSpareFrom(chunk, from);
  VG_NOACCESS(ChunkAddrOfIndex(chunk, from, gs), size);
}

Res ArenaAlloc(Addr *baseReturn, LocusPref pref, Size size, Arena arena, Tract owner)
{
  Shift gs = arena->grainShift;
  Count n;
  Chunk chunk;
  Index base;
  Count spare, fresh;
  Addr addr;
  Res res;

  AVERT(Arena, arena);
  AVER(size > 0);
  AVER(SizeIsAligned(size, arena->grainSize));
  n = size >> gs;

  if (!arenaFindRun(&chunk, &base, arena, n, pref)) {
    /* Widen the search: zones nobody else wants; then, before invading
     * zones another generation prefers, more address space (a new chunk
     * has every zone: reserving it is cheap, while mixing generations in
     * a zone makes every nursery collection scan the old segments that
     * refer to it); then anything but zone 0, then anything. */
    LocusPrefStruct any = *pref;
    Bool found = FALSE;
    any.zones = ~pref->avoid & ~(ZoneSet)1;
    if (any.zones != pref->zones && any.zones != ZoneSetEMPTY)
      found = arenaFindRun(&chunk, &base, arena, n, &any);
    if (!found && pref->zones != ZoneSetUNIV
        && arena->klass->grow(arena, size) == ResOK)
      found = arenaFindRun(&chunk, &base, arena, n, pref)
              || (any.zones != ZoneSetEMPTY && arenaFindRun(&chunk, &base, arena, n, &any));
    if (!found && pref->zones != (ZoneSetUNIV & ~(ZoneSet)1)) {
      any.zones = ZoneSetUNIV & ~(ZoneSet)1;
      found = arenaFindRun(&chunk, &base, arena, n, &any);
    }
    if (!found)
      any.zones = ZoneSetUNIV;
    if (!found && !arenaFindRun(&chunk, &base, arena, n, &any)) {
      res = arena->klass->grow(arena, size);
      if (res != ResOK)
        return res;
      if (!arenaFindRun(&chunk, &base, arena, n, &any))
        return ResRESOURCE;
    }
  }

  /* Claim the run, then make sure committing it stays within the limit,
   * giving up spare memory elsewhere if need be. */
  BTSetRange(chunk->allocTable, base, base + n);
  chunk->allocGrains += n;
  if (base <= chunk->freeHint && chunk->freeHint < base + n)
    chunk->freeHint = base + n;
  spare = BTCountSet(chunk->committedTable, base, base + n);
  fresh = n - spare;
  arena->spareCommitted -= spare << gs;
  if (fresh > 0 && arena->committed + (fresh << gs) > arena->commitLimit) {
    Size room = arena->commitLimit > arena->committed ? arena->commitLimit - arena->committed : 0;
    Size need = (fresh << gs) - room;
    ArenaPurgeSpare(arena, arena->spareCommitted > need ? arena->spareCommitted - need : 0);
    if (arena->committed + (fresh << gs) > arena->commitLimit) {
      res = ResCOMMIT_LIMIT;
      goto failCommit;
    }
  }
  res = chunkCommitRun(arena, chunk, base, n);
  if (res != ResOK)
    goto failCommit;
  if (fresh > 0)
    chunkCommitAhead(arena, chunk, base + n);

  addr = ChunkAddrOfIndex(chunk, base, gs);
  TractTableSet(arena, addr, AddrAdd(addr, size), owner);
  VG_UNDEFINED(addr, size);
  *baseReturn = addr;
  return ResOK;

failCommit:
  /* Whatever got committed stays as spare. */
  BTResRange(chunk->allocTable, base, base + n);
  chunk->allocGrains -= n;
  if (base < chunk->freeHint)
    chunk->freeHint = base;
  chunkSpareFrom(chunk, base);
  arena->spareCommitted += BTCountSet(chunk->committedTable, base, base + n) << gs;
  return res;
}

void ArenaFree(Arena arena, Addr base, Size size)
{
  Chunk chunk;
  Shift gs = arena->grainShift;
  Index i;
  Count n;

  AVERT(Arena, arena);
  AVER(SizeIsAligned(size, arena->grainSize));
  chunk = ArenaChunkOfAddr(arena, base);
  AVER(chunk != NULL);
  AVER(AddrAdd(base, size) <= chunk->limit);
  i = ChunkIndexOfAddr(chunk, base, gs);
  n = size >> gs;
  AVER(BTIsSetRange(chunk->allocTable, i, i + n));
  AVER(BTIsSetRange(chunk->committedTable, i, i + n));
  BTResRange(chunk->allocTable, i, i + n);
  chunk->allocGrains -= n;
  if (i < chunk->freeHint)
    chunk->freeHint = i;
  chunkSpareFrom(chunk, i);
  TractTableSet(arena, base, AddrAdd(base, size), NULL);
  VG_NOACCESS(base, size);
  arena->spareCommitted += size;
  if (!arena->klass->hasSpare)
    ArenaPurgeSpare(arena, 0);
  else if (arenaSpareOver(arena, 0))
    /* Leave half the allowance, so that a steady alloc/free pattern at the
     * boundary does not commit and decommit at every step. */
    ArenaPurgeSpare(arena, (Size)(arena->spare * (double)arena->committed / 2));
}

/* Decommit spare grains, highest chunks first, until spare committed memory
 * is at most target. */
void ArenaPurgeSpare(Arena arena, Size target)
{
  Ring node;
  Shift gs = arena->grainShift;
  Size before = arena->committed;
  for (node = arena->chunkRing.prev;
       node != &arena->chunkRing && arena->spareCommitted > target;
       node = node->prev) {
    Chunk chunk = RING_ELT(Chunk, arenaRing, node);
    Index w, words = BT_WORDS(chunk->grains);
    for (w = words; w > 0 && arena->spareCommitted > target; --w) {
      Word spareBits = chunk->committedTable[w - 1] & ~chunk->allocTable[w - 1];
      while (spareBits != 0 && arena->spareCommitted > target) {
        Index bit = WORD_WIDTH - 1 - (Index)__builtin_clzl((unsigned long)spareBits);
        Index i = ((w - 1) << WORD_SHIFT) + bit;
        Addr a = ChunkAddrOfIndex(chunk, i, gs);
        /* Extend downwards over adjacent spare grains in this word. */
        Index lo = bit;
        while (lo > 0 && (spareBits >> (lo - 1) & 1))
          --lo;
        a = ChunkAddrOfIndex(chunk, ((w - 1) << WORD_SHIFT) + lo, gs);
        arena->klass->decommit(arena, a, ChunkAddrOfIndex(chunk, i + 1, gs));
        BTResRange(chunk->committedTable, ((w - 1) << WORD_SHIFT) + lo, i + 1);
        chunk->committedGrains -= bit - lo + 1;
        arena->committed -= (Size)(bit - lo + 1) << gs;
        arena->spareCommitted -= (Size)(bit - lo + 1) << gs;
        spareBits &= ~((bit == WORD_WIDTH - 1 ? WORD_ONES : (((Word)1 << (bit + 1)) - 1))
                       & ~(((Word)1 << lo) - 1));
      }
    }
  }
  if (arena->committed != before)
    EVENTN(ArenaCommit, ARENA, (Word)arena, arena->committed, arena->spareCommitted);
}

void ArenaSetOwner(Arena arena, Addr base, Addr limit, Tract owner)
{
  TractTableSet(arena, base, limit, owner);
}

/* Accounting */

Size ArenaReserved(Arena arena) { return arena->reserved; }
Size ArenaCommitted(Arena arena) { return arena->committed; }
Size ArenaSpareCommitted(Arena arena) { return arena->spareCommitted; }
Size ArenaCommitLimit(Arena arena) { return arena->commitLimit; }
double ArenaSpare(Arena arena) { return arena->spare; }

Res ArenaSetCommitLimit(Arena arena, Size limit)
{
  if (limit < arena->committed) {
    Size excess = arena->committed - limit;
    if (excess > arena->spareCommitted)
      return ResFAIL;
    ArenaPurgeSpare(arena, arena->spareCommitted - excess);
    AVER(arena->committed <= limit);
  }
  arena->commitLimit = limit;
  return ResOK;
}

void ArenaSetSpare(Arena arena, double spare)
{
  AVER(spare >= 0.0 && spare <= 1.0);
  arena->spare = spare;
  if ((double)arena->spareCommitted > spare * (double)arena->committed)
    ArenaPurgeSpare(arena, (Size)(spare * (double)arena->committed));
  /* Purging reduces committed too; repeat until the invariant holds. */
  while ((double)arena->spareCommitted > spare * (double)arena->committed
         && arena->spareCommitted > 0)
    ArenaPurgeSpare(arena, (Size)(spare * (double)arena->committed));
}

/* poolimx.c: IMX, the mark-region (Immix-style) pool
 *
 * This comment is the pool's design note.
 *
 * Memory is divided into blocks (segments of IMX_BLOCK_SIZE bytes) of
 * lines (1 << IMX_LINE_SHIFT bytes).  The mutator bump-allocates through runs
 * of free lines: an allocation point's buffer is given a whole maximal
 * run, and when it is emptied the lines it did not reach are free again.
 * Lines are 128 bytes, as in the Immix paper: a line is kept whole while
 * one object in it lives, and with 256-byte lines the interpreter's mature
 * space held twice its live bytes after a full collection and peaked
 * 1.6 MiB higher (lists.scm), at about the same instruction count
 * (test/bench/README.md, "The oldest generation").
 *
 * Marking.  A fix of an object in a condemned block either marks it in
 * place (object mark bit, grey bit) or, if its block is being evacuated,
 * copies it out and leaves a forwarding object (the format's fwd).  The
 * lines a preserved object touches are marked at reclaim, from the object
 * marks; a block whose lines are all unmarked is given back to the arena,
 * and the unmarked lines of the others are free for allocation.  The
 * start bits become the mark bits (word by word): the dead and the
 * forwarded objects are forgotten, so walks and ambiguous fixes never see
 * them, although their bytes remain in lines shared with live objects.
 *
 * Generations.  With MPS_KEY_IMX_NURSERY (the default) new objects go to
 * a copying nursery (generation 0 of the chain): each allocation point
 * gets fresh blocks.  A collection of the nursery copies its survivors
 * into the first of IMX_AGES survivor spaces (copying too, in generation
 * 0), those of each survivor space into the next, and those of the last
 * into the mature space, which is the arena's top generation (so full
 * collections collect it; the chain's other generations are not used).
 * A full collection promotes every young survivor, and a large object
 * leaves the nursery straight for the mature space.  The mature space
 * is collected in place, with opportunistic defragmentation: at the
 * start of a collection that condemns it, the blocks the previous
 * collection left most fragmented (most holes, most dead bytes in the
 * lines kept, or sparsely used) are chosen as candidates, within a
 * budget of fresh blocks (MPS_KEY_IMX_DEFRAG_HEADROOM of the space's
 * size) plus the free lines of the other blocks.  Objects in candidates
 * are copied out in the same pass as marking.  Without the nursery there
 * is one mark-region space, in generation 0, and the mutator allocates
 * straight into its holes.
 *
 * Why a copying nursery and not sticky marks.  With sticky mark bits
 * the young objects would be allocated in the holes of mature blocks, so
 * young and old objects would share blocks and zones.  Tarn finds
 * old-to-young references with zone summaries per segment (kept true by
 * the page-protection write barrier), and MPS_FIX1 discards a reference
 * by its zone alone: neither can tell a young object from an old one in
 * the same zone, so a nursery collection would condemn every block with
 * a young object in it and scan every block whose summary meets their
 * zones.  A nursery of its own blocks keeps the young objects in the
 * nursery's zones (FIX1 rejects most old references in a few
 * instructions), frees whole blocks at reclaim, and needs a copy reserve
 * only for the survivors.  Why not a mark-region space per generation:
 * see imxSpacesCreate.
 *
 * Pinning.  An ambiguous reference (or tarn_pin) marks the object it may
 * point at in place, wherever it is; a later exact fix finds the mark
 * and leaves the object alone.  Ambiguous roots are scanned first, so an
 * object is never copied before an ambiguous reference to it is seen,
 * except one found later in a scanned ambiguous segment of another pool
 * (AMS): as with AMC, an already moved object cannot be pinned.  Large
 * objects (a quarter block or more) get a block of their own; one that
 * survives the nursery is copied once, into a block of its own in the
 * mature space (IMXLargeBlock), and never moves after that.  A nursery
 * block kept for pinned objects, large or not, stays in the nursery (see
 * imxReclaim).  If copying finds no memory the object is
 * marked in place: marking needs none (contract 27.19).
 *
 * Parallel tracing.  Workers mark in place with atomic bit operations
 * and share a block's grey objects as AMS does (pargrey.h); an object in
 * an evacuated block is claimed, so exactly one worker copies it, into a
 * region of free lines of its own (imxpar.c).
 *
 * IMXZ is the same class for objects without references (as AMCZ is to
 * AMC): its blocks have an empty rank set, so they are never grey and
 * never scanned, and marks and copies set no grey bits.
 */

#include "poolimx.h"
#include "format.h"
#include "trace.h"
#include "buffer.h"
#include "args.h"
#include "shield.h"
#include "vgmem.h"
#include "parallel.h"
#include "pargrey.h"
#include "mpscimx.h"
#include <string.h>

#define IMX_BLOCK_SIZE ((Size)32 * 1024)
#define IMX_LINE_SHIFT ((Shift)7)          /* 128-byte lines (see the top) */
#define IMX_HEADROOM_DEFAULT 0.125
/* Survivor spaces between the nursery and the mature space: an object is
 * promoted when it has survived IMX_AGES + 1 nursery collections (see
 * imxSpacesCreate). */
#define IMX_AGES 2

ARG_DEFINE_KEY(IMX_NURSERY);
ARG_DEFINE_KEY(IMX_DEFRAG_HEADROOM);


Bool IMXSpaceCheck(IMXSpace space)
{
  CHECKS(IMXSpace, space);
  CHECKL(space->imx != NULL);
  CHECKL(space == &space->imx->spaces[space->index]);
  CHECKL(space->next == space || space->next == space + 1);
  CHECKL(space->nursery == (space->next != space));
  CHECKL(!space->nursery || space->freeSize == 0);
  CHECKL(space->evac.seg == NULL || space->evac.init <= space->evac.limit);
  return TRUE;
}

Bool IMXCheck(IMX imx)
{
  Pool pool = &imx->poolStruct;
  CHECKS(IMX, imx);
  CHECKL(pool->format != NULL);
  CHECKL(imx->lineSize == (Size)1 << imx->lineShift);
  CHECKL(imx->lineSize >= pool->alignment);
  CHECKL(imx->blockSize % imx->lineSize == 0);
  CHECKL(imx->largeSize <= imx->blockSize);
  CHECKL(imx->headroom >= 0.0);
  CHECKL(imx->spaceCount >= 1 && imx->spaces != NULL);
  CHECKL(imx->allocSpace == &imx->spaces[0]);
  CHECKD(IMXSpace, imx->allocSpace);
  return TRUE;
}

Bool IMXSegCheck(IMXSeg imxseg)
{
  Seg seg = IMXSegSeg(imxseg);
  Pool pool = SegPool(seg);
  CHECKS(IMXSeg, imxseg);
  CHECKD(Seg, seg);
  CHECKD(IMXSpace, imxseg->space);
  CHECKL(imxseg->grains == SegSize(seg) >> pool->alignShift);
  CHECKL(imxseg->lines == SegSize(seg) >> IMXOf(pool)->lineShift);
  CHECKL(imxseg->usedLines <= imxseg->lines);
  CHECKL(imxseg->recBase <= imxseg->recLimit);
  CHECKL((Addr)imxseg->greys == AddrAdd((Addr)imxseg->marks, BT_SIZE(imxseg->grains)));
  CHECKL(!imxseg->candidate || imxseg->evacuate);
  CHECKL(!imxseg->evacuate || !imxseg->large || imxseg->space->nursery);
  CHECKL(imxseg->greyLow <= imxseg->grains);
  CHECKL(imxseg->copyScan <= imxseg->copyLimit);
  return TRUE;
}

/* The end of the committed objects of the region being filled. */
static Addr imxRecLimit(Seg seg)
{
  Buffer buffer = SegBuffer(seg);
  return buffer != NULL ? BufferInit(buffer) : IMXSegOf(seg)->recLimit;
}

/* Record the starts of the objects in [recBase, recLimit).  Nursery
 * blocks are recorded only when something needs their starts (an
 * ambiguous fix, a walk, greying), so most never are: their survivors
 * are found by exact references and copied. */
static void imxRecord(Seg seg)
{
  IMXSeg imxseg = IMXSegOf(seg);
  Pool pool = SegPool(seg);
  Size header = IMXOf(pool)->headerSize;
  mps_fmt_skip_t skip = pool->format->skip;
  Addr limit = imxRecLimit(seg);
  Addr base = imxseg->recBase;
  while (base < limit) {
    Addr next = AddrSub((Addr)skip(AddrAdd(base, header)), header);
    AVER(next > base);
    BTSet(imxseg->starts, imxIndex(seg, base));
    base = next;
  }
  imxseg->recBase = imxseg->recLimit = limit;
}

/* Line maps: count used lines and holes (maximal free runs).  Words of
 * the map are tested whole first: most are all used or all free. */
static void imxCountLines(IMXSeg imxseg)
{
  Count used = 0, holes = 0, l;
  Bool prevFree = FALSE;
  for (l = 0; l < imxseg->lines; ++l) {
    if (imxseg->lineUsed[l] != 0) {
      ++used;
      prevFree = FALSE;
    } else {
      if (!prevFree)
        ++holes;
      prevFree = TRUE;
    }
  }
  imxseg->usedLines = used;
  imxseg->holes = holes;
}

/* Is no line marked?  One word of the byte map at a time. */
static Bool imxNoLineMarked(IMXSeg imxseg)
{
  const Word *w = (const Word *)(void *)imxseg->lineMark;
  Count n = SizeAlignUp(imxseg->lines, sizeof(Word)) / sizeof(Word), i;
  for (i = 0; i < n; ++i)
    if (w[i] != 0)
      return FALSE;
  return TRUE;
}

/* Find the first run of at least n free lines; store the maximal run. */
static Bool imxFindRun(Index *baseReturn, Index *limitReturn, IMXSeg imxseg, Count n)
{
  Index l = 0;
  if (imxseg->lines - imxseg->usedLines < n)
    return FALSE;
  while (l < imxseg->lines) {
    Index b;
    while (l < imxseg->lines && imxseg->lineUsed[l] != 0)
      ++l;
    b = l;
    while (l < imxseg->lines && imxseg->lineUsed[l] == 0)
      ++l;
    if (l - b >= n) {
      *baseReturn = b;
      *limitReturn = l;
      return TRUE;
    }
  }
  return FALSE;
}

/* Pool creation */

static void imxVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_FORMAT;
  args[0].val.format = va_arg(varargs, mps_fmt_t);
  args[1].key = MPS_KEY_CHAIN;
  args[1].val.chain = va_arg(varargs, mps_chain_t);
  args[2].key = MPS_KEY_ARGS_END;
}

static void imxSpaceInit(IMX imx, Index i, GenDesc gen, Bool nursery)
{
  IMXSpace space = &imx->spaces[i];
  space->imx = imx;
  PoolGenInit(&space->pgenStruct, gen, &imx->poolStruct);
  space->index = i;
  space->next = i + 1 < imx->spaceCount ? space + 1 : space;
  space->nursery = nursery;
  RingInit(&space->blockRing);
  space->blocks = 0;
  space->freeSize = 0;
  space->allocCursor = space->evacCursor = &space->blockRing;
  space->evac.seg = NULL;
  space->evac.init = space->evac.limit = NULL;
  space->selected = FALSE;
  space->evacBudget = space->evacFresh = 0;
  space->sig = IMXSpaceSig;
}

static Res imxPickArgs(IMX imx, ArgList args, Bool *nurseryReturn)
{
  ArgStruct arg;
  *nurseryReturn = TRUE;
  imx->interior = TRUE;
  imx->headroom = IMX_HEADROOM_DEFAULT;
  if (ArgPick(&arg, args, MPS_KEY_IMX_NURSERY))
    *nurseryReturn = arg.val.b != 0;
  if (ArgPick(&arg, args, MPS_KEY_IMX_DEFRAG_HEADROOM)) {
    ARGCHECKF("mps_pool_create_k", arg.val.d >= 0.0 && arg.val.d <= 1.0,
              ResPARAM); /* MPS_KEY_IMX_DEFRAG_HEADROOM in [0, 1] */
    imx->headroom = arg.val.d;
  }
  if (ArgPick(&arg, args, MPS_KEY_INTERIOR))
    imx->interior = arg.val.b != 0;
  return ResOK;
}

/* The spaces.  With the nursery: the nursery and IMX_AGES survivor
 * spaces in generation 0, and the mature space in the arena's top
 * generation, which full collections collect (GenImmix's arrangement,
 * with survivor spaces in front of the mature space).  A survivor space
 * is copying, as the nursery is: a collection of generation 0 evacuates
 * each young space into the next, the last into the mature space.
 * Without them every object live at a nursery collection was promoted,
 * and the mature space filled with objects that died soon after: the
 * interpreter's lists.scm ran 17 full collections, against 4 with one
 * survivor space and 1 with two (test/bench/README.md, "Survivor
 * spaces").  They share the nursery's generation and zones, so a mature
 * block referring to a survivor is scanned at nursery collections, as it
 * must be.  Not one space per generation of the chain, with blocks
 * aging in place: an aged block stays in the zones of the younger
 * generation, so every older block referring to it would be scanned at
 * each collection of that generation.
 * Without the nursery: one mark-region space in generation 0
 * (non-generational Immix: the mutator fills the holes that collections
 * leave). */
static Res imxSpacesCreate(IMX imx, Arena arena, Chain chain, Bool nursery)
{
  Index i;
  void *p;
  Res res;
  imx->spaceCount = nursery ? 2 + IMX_AGES : 1;
  res = ControlAlloc(&p, arena, imx->spaceCount * sizeof(IMXSpaceStruct));
  if (res != ResOK)
    return res;
  imx->spaces = p;
  for (i = 0; i < imx->spaceCount; ++i) {
    Bool mature = nursery && i + 1 == imx->spaceCount;
    imxSpaceInit(imx, i, ChainGen(chain, mature ? chain->genCount : 0),
                 nursery && !mature);
  }
  imx->allocSpace = &imx->spaces[0];
  return ResOK;
}

/* Blocks and lines: lines hold whole grains, and a block whole lines. */
static void imxSetSizes(IMX imx, Pool pool, Arena arena)
{
  imx->blockSize = SizeAlignUp(IMX_BLOCK_SIZE, ArenaGrainSize(arena));
  imx->largeSize = imx->blockSize / 4;
  imx->lineShift = IMX_LINE_SHIFT;
  imx->lineSize = (Size)1 << IMX_LINE_SHIFT;
  if (imx->lineSize < pool->alignment) {
    imx->lineShift = pool->alignShift;
    imx->lineSize = pool->alignment;
  }
}

static Res imxInitCommon(Pool pool, Arena arena, ArgList args, Bool scanned)
{
  IMX imx = IMXOf(pool);
  Format format;
  Chain chain;
  Index gen;
  Bool nursery;
  Res res;

  res = imxPickArgs(imx, args, &nursery);
  if (res != ResOK)
    return res;
  res = FormatPickForPool(&format, arena, args, scanned, TRUE);
  if (res != ResOK)
    return res;
  res = ChainPickForPool(&chain, &gen, arena, args, 0, FALSE);
  if (res != ResOK)
    goto failChain;
  pool->format = format;
  pool->alignment = format->alignment;
  pool->alignShift = SizeLog2(format->alignment);
  imx->chain = chain;
  imx->scanned = scanned;
  imx->headerSize = format->headerSize;
  imxSetSizes(imx, pool, arena);
  res = imxSpacesCreate(imx, arena, chain, nursery);
  if (res != ResOK)
    goto failSpaces;
  imx->totalSize = 0;
  imx->promoteAll = FALSE;
  imx->sig = IMXSig;
  AVERT(IMX, imx);
  return ResOK;

failSpaces:
  ChainReleaseForPool(chain);
failChain:
  FormatReleaseForPool(format);
  return res;
}

static Res imxInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  UNUSED(klass);
  return imxInitCommon(pool, arena, args, TRUE);
}

static Res imxzInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  UNUSED(klass);
  return imxInitCommon(pool, arena, args, FALSE);
}

/* Blocks */

static Size imxDescSize(Count grains, Count lines)
{
  return SizeAlignUp(sizeof(IMXSegStruct), sizeof(Word)) + 3 * BT_SIZE(grains)
         + BT_SIZE(BT_WORDS(grains)) + 2 * SizeAlignUp(lines, sizeof(Word));
}

static void imxBlockLink(IMXSeg imxseg, IMXSpace space)
{
  imxseg->space = space;
  RingAppend(&space->blockRing, &imxseg->spaceRing);
  ++space->blocks;
  if (!space->nursery)
    space->freeSize += (imxseg->lines - imxseg->usedLines) << space->imx->lineShift;
}

static Res imxBlockCreate(Seg *segReturn, IMX imx, IMXSpace space, Size size,
                          Bool large, ZoneSet summary)
{
  Pool pool = &imx->poolStruct;
  Arena arena = PoolArena(pool);
  Count grains = size >> pool->alignShift;
  Count lines = size >> imx->lineShift;
  LocusPrefStruct pref;
  IMXSeg imxseg;
  Addr tables;
  Seg seg;
  Res res;

  GenDescLocusPref(&pref, space->pgenStruct.gen, arena);
  res = SegAlloc(&seg, imxDescSize(grains, lines), &pref, size, pool);
  if (res != ResOK)
    return res;
  GenDescNoteSeg(space->pgenStruct.gen, arena, SegBase(seg), SegLimit(seg));
  imxseg = IMXSegOf(seg);
  tables = AddrAdd((Addr)imxseg, SizeAlignUp(sizeof(IMXSegStruct), sizeof(Word)));
  imxseg->grains = grains;
  imxseg->lines = lines;
  imxseg->starts = (BT)tables;
  imxseg->marks = (BT)AddrAdd(tables, BT_SIZE(grains));
  imxseg->greys = (BT)AddrAdd(tables, 2 * BT_SIZE(grains));
  imxseg->greySummary = (BT)AddrAdd(tables, 3 * BT_SIZE(grains));
  imxseg->lineUsed = (Byte *)AddrAdd(tables, 3 * BT_SIZE(grains) + BT_SIZE(BT_WORDS(grains)));
  imxseg->lineMark = imxseg->lineUsed + SizeAlignUp(lines, sizeof(Word));
  BTResRange(imxseg->starts, 0, grains);
  BTResRange(imxseg->marks, 0, grains);
  BTResRange(imxseg->greys, 0, grains);
  BTResRange(imxseg->greySummary, 0, BT_WORDS(grains));
  memset(imxseg->lineUsed, 0, 2 * SizeAlignUp(lines, sizeof(Word)));
  RingInit(&imxseg->spaceRing);
  imxseg->usedLines = 0;
  imxseg->holes = 1;
  imxseg->liveBytes = imxseg->deadBytes = 0;
  imxseg->recBase = imxseg->recLimit = SegBase(seg);
  imxseg->large = large;
  imxseg->candidate = imxseg->evacuate = FALSE;
  imxseg->claims = NULL;
  imxseg->hasGrey = imxseg->allGrey = imxseg->parQueued = FALSE;
  imxseg->greyLow = grains;
  imxseg->copyScan = imxseg->copyLimit = SegBase(seg);
  seg->pgen = &space->pgenStruct;
  if (imx->scanned) {
    SegSetRankSet(seg, RankSetSingle(RankEXACT));
    SegSetSummary(seg, summary);
  }
  imxseg->sig = IMXSegSig;
  PoolGenAddSeg(&space->pgenStruct, size);
  imx->totalSize += size;
  imxBlockLink(imxseg, space);
  VG_NOACCESS(SegBase(seg), size);
  *segReturn = seg;
  return ResOK;
}

/* Take a block out of its space's ring, keeping the cursors valid. */
static void imxBlockUnlink(IMXSeg imxseg)
{
  IMXSpace space = imxseg->space;
  Ring node = &imxseg->spaceRing;
  if (space->allocCursor == node)
    space->allocCursor = node->next;
  if (space->evacCursor == node)
    space->evacCursor = node->next;
  RingRemove(node);
  --space->blocks;
  if (!space->nursery)
    space->freeSize -= (imxseg->lines - imxseg->usedLines) << space->imx->lineShift;
}

static void imxClaimsFree(IMXSeg imxseg)
{
  ParClaimsDestroy(PoolArena(SegPool(IMXSegSeg(imxseg))), &imxseg->claims, imxseg->grains);
}

static void imxBlockFree(IMX imx, Seg seg)
{
  IMXSeg imxseg = IMXSegOf(seg);
  Size size = SegSize(seg);
  AVER(imxseg->space->evac.seg != seg);
  imxClaimsFree(imxseg);
  imxBlockUnlink(imxseg);
  PoolGenRemoveSeg(&imxseg->space->pgenStruct, size);
  imx->totalSize -= size;
  imxseg->sig = SigINVALID;
  SegFree(seg);
}

static void imxFinish(Pool pool)
{
  IMX imx = IMXOf(pool);
  Ring node, next;
  Index i;
  AVERT(IMX, imx);
  for (i = 0; i < imx->spaceCount; ++i)
    imx->spaces[i].evac.seg = NULL;
  RING_FOR(node, &pool->segRing, next)
    imxBlockFree(imx, RING_ELT(Seg, poolRing, node));
  for (i = 0; i < imx->spaceCount; ++i) {
    PoolGenFinish(&imx->spaces[i].pgenStruct);
    imx->spaces[i].sig = SigINVALID;
  }
  ControlFree(PoolArena(pool), imx->spaces, imx->spaceCount * sizeof(IMXSpaceStruct));
  ChainReleaseForPool(imx->chain);
  FormatReleaseForPool(pool->format);
  imx->sig = SigINVALID;
}

/* Take lines [b, l) of a block for a region (a buffer's or the
 * collector's): they are used, and live for the trace in progress. */
static void imxTakeLines(IMX imx, Seg seg, Index b, Index l)
{
  IMXSeg imxseg = IMXSegOf(seg);
  memset(imxseg->lineUsed + b, 1, l - b);
  memset(imxseg->lineMark + b, 1, l - b);
  imxseg->usedLines += l - b;
  if (!imxseg->space->nursery)
    imxseg->space->freeSize -= (Size)(l - b) << imx->lineShift;
}

/* Give back the whole lines of [from, limit) (limit is line-aligned). */
void IMXReleaseLines(IMX imx, Seg seg, Addr from, Addr limit)
{
  IMXSeg imxseg = IMXSegOf(seg);
  Index b = imxLine(imx, seg, AddrAlignUp(from, imx->lineSize));
  Index l = imxLine(imx, seg, limit);
  if (b >= l)
    return;
  memset(imxseg->lineUsed + b, 0, l - b);
  memset(imxseg->lineMark + b, 0, l - b);
  imxseg->usedLines -= l - b;
  if (!imxseg->space->nursery)
    imxseg->space->freeSize += (Size)(l - b) << imx->lineShift;
  VG_NOACCESS(imxLineAddr(imx, seg, b), (Size)(l - b) << imx->lineShift);
}

/* Find a run of at least n free lines in a block of a space, starting
 * at *cursorIO.  For the mutator (mark-region spaces only), blocks being
 * traced are left alone (a white block's new objects would look dead; a
 * grey one's would not be scanned); the collector may copy into any
 * block not being evacuated (in a survivor space, those it made in this
 * trace). */
static Seg imxFindLines(Index *bReturn, Index *lReturn, IMXSpace space, Ring *cursorIO,
                        Count n, Bool forMutator)
{
  Ring head = &space->blockRing;
  Ring node = *cursorIO;
  Count i;
  AVER(!forMutator || !space->nursery);
  for (i = 0; i <= space->blocks; ++i) {
    IMXSeg imxseg;
    Seg seg;
    if (node == head)
      node = node->next;
    if (node == head)
      break;
    imxseg = RING_ELT(IMXSeg, spaceRing, node);
    seg = IMXSegSeg(imxseg);
    if (!imxseg->large && !imxseg->evacuate
        && (!forMutator || (SegBuffer(seg) == NULL && SegWhite(seg) == TraceSetEMPTY
                            && SegGrey(seg) == TraceSetEMPTY))
        && imxFindRun(bReturn, lReturn, imxseg, n)) {
      *cursorIO = node;
      return seg;
    }
    node = node->next;
  }
  *cursorIO = head;
  return NULL;
}

/* Allocation points */

static Res imxBufferInit(Buffer buffer, Pool pool, ArgList args)
{
  ArgStruct arg;
  UNUSED(pool);
  (void)ArgPick(&arg, args, MPS_KEY_RANK);
  buffer->rank = RankEXACT;
  return ResOK;
}

/* A fresh block whole, for a large object or for the nursery. */
static Res imxFillBlock(Seg *segReturn, IMX imx, IMXSpace space, Size size)
{
  Pool pool = &imx->poolStruct;
  Bool large = size >= imx->largeSize;
  Size blockSize = large ? SizeAlignUp(size, ArenaGrainSize(PoolArena(pool))) : imx->blockSize;
  Seg seg;
  Res res = imxBlockCreate(&seg, imx, space, blockSize, large, ZoneSetUNIV);
  if (res != ResOK)
    return res;
  imxTakeLines(imx, seg, 0, IMXSegOf(seg)->lines);
  *segReturn = seg;
  return ResOK;
}

static Res imxBufferFill(Addr *baseReturn, Addr *limitReturn, Pool pool,
                         Buffer buffer, Size size)
{
  IMX imx = IMXOf(pool);
  IMXSpace space = imx->allocSpace;
  Count n = (Count)((size + imx->lineSize - 1) >> imx->lineShift);
  Index b = 0, l = 0;
  Seg seg = NULL;
  Res res;

  AVERT(IMX, imx);
  if (!space->nursery && size < imx->largeSize)
    seg = imxFindLines(&b, &l, space, &space->allocCursor, n, TRUE);
  if (seg != NULL) {
    imxTakeLines(imx, seg, b, l);
  } else {
    res = imxFillBlock(&seg, imx, space, size);
    if (res != ResOK)
      return res;
    b = 0;
    l = IMXSegOf(seg)->lines;
  }
  /* The mutator will write new objects here: no barrier, no summary. */
  SegLowerBarrier(seg);
  if (imx->scanned)
    SegSetSummary(seg, ZoneSetUNIV);
  seg->buffer = buffer;
  buffer->seg = seg;
  *baseReturn = imxLineAddr(imx, seg, b);
  *limitReturn = imxLineAddr(imx, seg, l);
  IMXSegOf(seg)->recBase = IMXSegOf(seg)->recLimit = *baseReturn;
  PoolGenNew(&IMXSegOf(seg)->space->pgenStruct, AddrOffset(*baseReturn, *limitReturn));
  VG_UNDEFINED(*baseReturn, AddrOffset(*baseReturn, *limitReturn));
  return ResOK;
}

static void imxBufferEmpty(Pool pool, Buffer buffer, Addr init, Addr limit)
{
  IMX imx = IMXOf(pool);
  Seg seg = buffer->seg;
  IMXSeg imxseg = IMXSegOf(seg);
  AVER(SegBuffer(seg) == buffer);
  seg->buffer = NULL;
  buffer->seg = NULL;
  PoolGenUnnew(&imxseg->space->pgenStruct, AddrOffset(init, limit));
  if (imxseg->space->nursery) {
    if (init == SegBase(seg) && SegWhite(seg) == TraceSetEMPTY
        && SegGrey(seg) == TraceSetEMPTY) {
      imxBlockFree(imx, seg);   /* nothing was ever allocated in it */
      return;
    }
    imxseg->recLimit = init;    /* recorded lazily: see imxRecord */
    return;
  }
  /* A mature block may get other regions later: record this one now. */
  imxseg->recLimit = init;
  imxRecord(seg);
  IMXReleaseLines(imx, seg, init, limit);
}

static Size imxTotalSize(Pool pool)
{
  return IMXOf(pool)->totalSize;
}

/* Free lines of mature blocks, which allocation reuses.  The unused
 * tails of nursery blocks are not free: a nursery block is filled once. */
static Size imxFreeSize(Pool pool)
{
  IMX imx = IMXOf(pool);
  Size free = 0;
  Index i;
  for (i = 0; i < imx->spaceCount; ++i)
    free += imx->spaces[i].freeSize;
  return free;
}

/* Condemning and greying */

static Res imxWhiten(Pool pool, Trace trace, Seg seg)
{
  IMX imx = IMXOf(pool);
  IMXSeg imxseg = IMXSegOf(seg);
  Size condemned;
  AVERT(IMXSeg, imxseg);
  if (!imxseg->space->nursery && !imxseg->space->selected)
    IMXSelectCandidates(imx, imxseg->space);
  /* marks and greys are adjacent in the descriptor: clear both at once */
  memset(imxseg->marks, 0, 2 * BT_SIZE(imxseg->grains));
  BTResRange(imxseg->greySummary, 0, BT_WORDS(imxseg->grains));
  memset(imxseg->lineMark, 0, imxseg->lines);
  imxseg->hasGrey = imxseg->allGrey = imxseg->parQueued = FALSE;
  imxseg->greyLow = imxseg->grains;
  /* Large objects leave the nursery too (IMXLargeBlock), but do not move
   * in the mature space. */
  imxseg->evacuate = imxseg->space->nursery || (imxseg->candidate && !imxseg->large);
  AVER(imxseg->claims == NULL);
  if (imxseg->evacuate && trace->parallel)
    imxseg->claims = ParClaimsCreate(trace, imxseg->grains);
  /* A block the mutator filled: as far as it got (its lines are all
   * taken); any other: the lines it uses. */
  if (imxseg->space->nursery && imxseg->space == imx->allocSpace)
    condemned = AddrOffset(SegBase(seg), imxRecLimit(seg));
  else
    condemned = imxseg->usedLines << imx->lineShift;
  TraceSegCondemned(trace, seg, condemned);
  return ResOK;
}

/* A block not condemned but that may refer to condemned objects: every
 * object in it is to be scanned.  Also called after a parallel phase
 * (parRegrey) for a block some of whose objects were not scanned: a
 * condemned block's preserved objects are then all scanned again. */
static void imxGrey(Pool pool, Trace trace, Seg seg)
{
  IMXSeg imxseg = IMXSegOf(seg);
  Index w;
  UNUSED(pool);
  if (TraceSetIsMember(SegWhite(seg), trace->ti)) {
    AVER(seg->parRegrey);
    ParGreyMarked(imxseg->greys, imxseg->greySummary, imxseg->marks, imxseg->grains);
    imxseg->hasGrey = TRUE;
    imxseg->greyLow = 0;
    TraceSegGrey(trace, seg);
    return;
  }
  imxRecord(seg);
  for (w = 0; w < BT_WORDS(imxseg->grains); ++w)
    imxseg->greys[w] |= imxseg->starts[w];
  BTSetRange(imxseg->greySummary, 0, BT_WORDS(imxseg->grains));
  imxseg->hasGrey = TRUE;
  imxseg->allGrey = TRUE;
  imxseg->greyLow = 0;
  TraceSegGrey(trace, seg);
}

/* Make the object at grain i grey (its segment is made grey by the
 * caller).  greyLow is where imxScan looks next: a scan that greys an
 * object below the one it scans (a list whose cells point backwards)
 * goes back to it at once, not after a pass over the rest. */
static inline void imxSetGrey(IMXSeg imxseg, Index i)
{
  BTSet(imxseg->greys, i);
  BTSet(imxseg->greySummary, i >> WORD_SHIFT);  /* pargrey.h */
  imxseg->hasGrey = TRUE;
  if (i < imxseg->greyLow)
    imxseg->greyLow = i;
}

/* Mark the object at grain i in place (and make it grey). */
static void imxMarkInPlace(ScanState ss, Seg seg, Index i)
{
  IMXSeg imxseg = IMXSegOf(seg);
  BTSet(imxseg->marks, i);
  ss->wasMarked = FALSE;        /* this fix preserved it (finalization) */
  if (SegRankSet(seg) != RankSetEMPTY) {
    imxSetGrey(imxseg, i);
    TraceSegGrey(imxTrace(ss), seg);
  }
}

/* Fixing */

/* An ambiguous reference, or an explicit pin: mark in place the object
 * it may refer to (the one containing it, with interior pointers). */
static Res imxFixAmbig(Seg seg, ScanState ss, Addr ref)
{
  IMXSeg imxseg = IMXSegOf(seg);
  IMX imx = IMXOf(SegPool(seg));
  Format format = SegPool(seg)->format;
  Addr base, client;
  Index i;

  imxRecord(seg);
  if (ref < SegBase(seg))
    return ResOK;
  i = imxIndex(seg, ref);
  if (imx->interior || ss->pinning) {
    if (!BTGet(imxseg->starts, i)) {
      Index j = BTFindSetHigh(imxseg->starts, 0, i);
      if (j == i)
        return ResOK;           /* below the first object */
      i = j;
    }
    base = imxAddr(seg, i);
    client = AddrAdd(base, imx->headerSize);
    if (ref >= AddrSub((Addr)format->skip(client), imx->headerSize))
      return ResOK;             /* in free space after the object */
  } else {
    base = AddrSub(ref, imx->headerSize);
    if (base < SegBase(seg) || !AddrIsAligned(base, SegPool(seg)->alignment))
      return ResOK;
    i = imxIndex(seg, base);
    if (!BTGet(imxseg->starts, i))
      return ResOK;
    client = ref;
  }
  if (BTGet(imxseg->marks, i))
    return ResOK;
  /* An object already moved cannot be pinned: its old copy is a
   * forwarding object and nothing refers to it any more. */
  if (imxseg->evacuate && format->isMoved(client) != NULL)
    return ResOK;
  imxMarkInPlace(ss, seg, i);
  return ResOK;
}

/* Close a space's copying region: the lines it did not reach are free
 * again. */
static void imxRegionClose(IMX imx, IMXSpace space)
{
  IMXRegionStruct *r = &space->evac;
  if (r->seg != NULL) {
    IMXReleaseLines(imx, r->seg, r->init, r->limit);
    r->seg = NULL;
    r->init = r->limit = NULL;
  }
}

/* Take a run of at least n free lines in space `to` for copying into,
 * [*baseReturn, *limitReturn): free lines of a block not being
 * evacuated (in a survivor space, the rest of the blocks this trace
 * made, whose regions were closed early), or else a fresh block.  Copies
 * that defragment `from` take fresh blocks only within its budget.  NULL
 * if there is no room. */
Seg IMXTakeRun(Addr *baseReturn, Addr *limitReturn, IMX imx, IMXSpace to,
                      IMXSpace from, Count n)
{
  Bool defrag = !from->nursery;
  Index b = 0, l = 0;
  Seg seg = imxFindLines(&b, &l, to, &to->evacCursor, n, FALSE);
  if (seg == NULL) {
    if (defrag && from->evacFresh + imx->blockSize > from->evacBudget)
      return NULL;
    /* Nothing is in it yet: scanning the copies makes its summary. */
    if (imxBlockCreate(&seg, imx, to, imx->blockSize, FALSE, ZoneSetEMPTY) != ResOK)
      return NULL;
    if (defrag)
      from->evacFresh += imx->blockSize;
    b = 0;
    l = IMXSegOf(seg)->lines;
    to->evacCursor = &IMXSegOf(seg)->spaceRing;
  }
  imxTakeLines(imx, seg, b, l);
  SegLowerBarrier(seg);         /* the collector writes the copies */
  *baseReturn = imxLineAddr(imx, seg, b);
  *limitReturn = imxLineAddr(imx, seg, l);
  VG_UNDEFINED(*baseReturn, AddrOffset(*baseReturn, *limitReturn));
  return seg;
}


/* Where the survivors of space `from` go: the next space, except that a
 * full collection promotes every survivor to the mature space (so that
 * after it the young spaces are empty, as after AMC's), that large
 * objects go there at once (IMXLargeBlock), and that every survivor does
 * when memory is short (imxTraceEnd). */
IMXSpace IMXCopySpace(IMX imx, IMXSpace from, Trace trace, Size size)
{
  if (trace->chain == NULL || size >= imx->largeSize || imx->promoteAll)
    return imxMatureSpace(imx);
  return from->next;
}

/* Open the serial copying region of space `to` (closing the last). */
static Bool imxRegionOpen(IMX imx, IMXSpace to, IMXSpace from, Count n)
{
  IMXRegionStruct *r = &to->evac;
  imxRegionClose(imx, to);
  r->seg = IMXTakeRun(&r->init, &r->limit, imx, to, from, n);
  return r->seg != NULL;
}

/* A serial region with room for size bytes, when the one of space `to`
 * has not: a new one there or, if no memory can be had for a young
 * space, the mature space's (whose free lines need none: before the
 * survivor spaces, every survivor went there, and a commit limit must
 * not cost more than it did then).  NULL if neither has room. */
static IMXRegionStruct *imxCopyRegion(IMX imx, IMXSpace to, IMXSpace from, Size size)
{
  Count n = (Count)((size + imx->lineSize - 1) >> imx->lineShift);
  IMXRegionStruct *r;
  if (imxRegionOpen(imx, to, from, n))
    return &to->evac;
  if (!to->nursery)
    return NULL;
  r = &imxMatureSpace(imx)->evac;
  if ((r->seg != NULL && AddrOffset(r->init, r->limit) >= size)
      || imxRegionOpen(imx, imxMatureSpace(imx), from, n))
    return r;
  return NULL;
}

/* Record a copy, from the condemned block from, at newBase in block seg:
 * it starts there, is grey, and is preserved: marked if seg is condemned
 * too (its reclaim counts it, in seg's generation), else counted now, in
 * from's generation.  Copies follow one another in a region, so a copy
 * that extends the block's run of unscanned copies [copyScan, copyLimit)
 * is made grey by extending it (imxScan scans it with one call, as a
 * Cheney scan would); any other gets a grey bit. */
static void imxNoteCopy(Trace trace, Seg from, Seg seg, Addr newBase, Size size)
{
  IMXSeg to = IMXSegOf(seg);
  Index i = imxIndex(seg, newBase);
  BTSet(to->starts, i);
  if (TraceSetIsMember(SegWhite(seg), trace->ti)) {
    BTSet(to->marks, i);        /* reclaim counts it as preserved */
  } else {
    TracePreserved(trace, from, size);
    if (seg->pgen->gen != from->pgen->gen)
      PoolGenNew(seg->pgen, size);  /* promoted: new there */
  }
  if (SegRankSet(seg) != RankSetEMPTY) {
    if (to->copyLimit == newBase)
      to->copyLimit = AddrAdd(newBase, size);
    else if (to->copyScan == to->copyLimit) {
      to->copyScan = newBase;
      to->copyLimit = AddrAdd(newBase, size);
    } else
      imxSetGrey(to, i);
    TraceSegGrey(trace, seg);
  }
}

/* A block of its own in the next space for a large object leaving the
 * nursery.  Not aged in place: its block would stay in the nursery's
 * zones, and every older block referring to it, and itself, would then
 * be scanned at every nursery collection (a vector of 30,000 references
 * is scanned whole).  Copying it once costs less. */
Bool IMXLargeBlock(Seg *segReturn, IMX imx, IMXSpace to, Seg seg, Size size)
{
  Seg newSeg;
  AVER(IMXSegOf(seg)->space->nursery);
  if (imxBlockCreate(&newSeg, imx, to, SegSize(seg), TRUE, ZoneSetEMPTY) != ResOK)
    return FALSE;               /* marked in place: tried again next time */
  imxTakeLines(imx, newSeg, 0, IMXSegOf(newSeg)->lines);
  SegLowerBarrier(newSeg);      /* the collector writes the copy */
  IMXSegOf(newSeg)->recBase = IMXSegOf(newSeg)->recLimit = SegLimit(newSeg);
  VG_UNDEFINED(SegBase(newSeg), size);
  *segReturn = newSeg;
  return TRUE;
}

/* Copy the object at ref out of its block, into the next space; FALSE
 * if there is no room (then it is marked in place). */
static Bool imxCopy(Seg seg, ScanState ss, Addr *refIO)
{
  IMX imx = IMXOf(SegPool(seg));
  Format format = SegPool(seg)->format;
  IMXSpace from = IMXSegOf(seg)->space;
  Trace trace = imxTrace(ss);
  Addr ref = *refIO;
  Addr base = AddrSub(ref, imx->headerSize);
  Size size = AddrOffset(ref, (Addr)format->skip(ref));
  IMXSpace to = IMXCopySpace(imx, from, trace, size);
  IMXRegionStruct *r;
  Addr newBase;
  Seg newSeg;

  if (size >= imx->largeSize) {
    /* One that got into an ordinary mature block (through a buffer with
     * room for it) stays there, as large objects in the mature space do. */
    if (!from->nursery || !IMXLargeBlock(&newSeg, imx, to, seg, size))
      return FALSE;
    newBase = SegBase(newSeg);
  } else {
    r = &to->evac;
    if (r->seg == NULL || AddrOffset(r->init, r->limit) < size)
      r = imxCopyRegion(imx, to, from, size);
    if (r == NULL) {
      if (from->nursery)
        trace->emergency = TRUE;
      return FALSE;
    }
    newSeg = r->seg;
    newBase = r->init;
    r->init = AddrAdd(newBase, size);
  }
  memcpy(newBase, base, size);
  *refIO = AddrAdd(newBase, imx->headerSize);
  format->move(ref, *refIO);
  if (IMXSegOf(seg)->claims != NULL)
    /* So that a later parallel phase sees it moved. */
    ParClaimSetDone(IMXSegOf(seg)->claims, imxIndex(seg, base));
  imxNoteCopy(trace, seg, newSeg, newBase, size);
  ss->wasMarked = FALSE;
  return TRUE;
}

static Res imxFix(Seg seg, ScanState ss, Addr *refIO)
{
  IMXSeg imxseg = IMXSegOf(seg);
  IMX imx = IMXOf(SegPool(seg));
  Addr ref = *refIO;
  Index i;

  if (ss->rank == RankAMBIG || ss->pinning)
    return imxFixAmbig(seg, ss, ref);
  if (ss->worker != NULL)
    return IMXFixParallel(seg, ss, refIO);
  i = imxIndex(seg, AddrSub(ref, imx->headerSize));
  if (BTGet(imxseg->marks, i))
    return ResOK;               /* preserved in place already */
  if (imxseg->evacuate) {
    Addr moved = (Addr)SegPool(seg)->format->isMoved(ref);
    if (moved != NULL) {
      *refIO = moved;
      return ResOK;
    }
  }
  if (ss->rank == RankWEAK) {
    *refIO = NULL;              /* not preserved by any strong path: splat */
    return ResOK;
  }
  if (imxseg->evacuate && imxCopy(seg, ss, refIO))
    return ResOK;
  imxMarkInPlace(ss, seg, i);
  return ResOK;
}

/* Scanning: runs of consecutive grey objects, one format call each. */

static Res imxScanRun(ScanState ss, Seg seg, Index i, Index *nextReturn)
{
  IMXSeg imxseg = IMXSegOf(seg);
  Format format = SegPool(seg)->format;
  Size header = format->headerSize;
  Addr first = AddrAdd(imxAddr(seg, i), header);
  Addr end = first;
  Index j = i;
  Res res;
  do {
    BTRes(imxseg->greys, j);
    end = (Addr)format->skip(end);
    j = imxIndex(seg, AddrSub(end, header));
  } while (j < imxseg->grains && BTGet(imxseg->greys, j));
  ScanStateBeginClient(ss);
  res = format->scan(ScanStateMPS(ss), first, end);
  (void)ScanStateEndClient(ss);
  if (res != ResOK) {
    Addr p = first;             /* scan these again next time */
    while (p < end) {
      imxSetGrey(imxseg, imxIndex(seg, AddrSub(p, header)));
      p = (Addr)format->skip(p);
    }
    return res;
  }
  ss->scannedSize += AddrOffset(first, end);
  *nextReturn = j;
  return ResOK;
}

/* Scan the run of unscanned copies (imxNoteCopy); fixes may extend it. */
static Res imxScanCopies(ScanState ss, Seg seg)
{
  IMXSeg imxseg = IMXSegOf(seg);
  Format format = SegPool(seg)->format;
  Size header = format->headerSize;
  while (imxseg->copyScan < imxseg->copyLimit) {
    Addr base = imxseg->copyScan, limit = imxseg->copyLimit;
    Res res;
    imxseg->copyScan = limit;
    ScanStateBeginClient(ss);
    res = format->scan(ScanStateMPS(ss), AddrAdd(base, header), AddrAdd(limit, header));
    (void)ScanStateEndClient(ss);
    if (res != ResOK) {
      imxseg->copyScan = base;  /* scan it again next time */
      return res;
    }
    ss->scannedSize += AddrOffset(base, limit);
  }
  return ResOK;
}

static Res imxScan(Bool *totalReturn, ScanState ss, Pool pool, Seg seg)
{
  IMXSeg imxseg = IMXSegOf(seg);
  Bool total;
  Res res;
  UNUSED(pool);
  if (ss->worker != NULL) {
    /* Not checked whole: other workers change its grey state. */
    *totalReturn = FALSE;
    return IMXScanParallel(ss, seg);
  }
  AVERT(IMXSeg, imxseg);
  total = imxseg->allGrey;
  imxseg->allGrey = FALSE;
  imxseg->parQueued = FALSE;
  /* Copies first, then grey objects, lowest first (none is below
   * greyLow), until neither is left: each may make more of the other. */
  for (;;) {
    Index i;
    res = imxScanCopies(ss, seg);
    if (res != ResOK)
      return res;
    if (!imxseg->hasGrey)
      break;
    i = BTFindSet(imxseg->greys, imxseg->greyLow, imxseg->grains);
    imxseg->hasGrey = FALSE;
    imxseg->greyLow = imxseg->grains;
    while (i < imxseg->grains) {
      Index next;
      res = imxScanRun(ss, seg, i, &next);
      if (res != ResOK)
        return res;
      if (imxseg->greyLow < next) {
        next = imxseg->greyLow;
        imxseg->greyLow = imxseg->grains;
      }
      i = BTFindSet(imxseg->greys, next, imxseg->grains);
    }
  }
  /* Total only if every object was grey: otherwise black objects were
   * not scanned again and the old summary still counts. */
  *totalReturn = total;
  return ResOK;
}

/* Reclaiming */

/* Mark the lines of the preserved objects and forget the others: the
 * start table becomes the mark table.  Returns the preserved bytes. */
static Size imxReclaimObjects(IMX imx, Seg seg)
{
  IMXSeg imxseg = IMXSegOf(seg);
  Format format = SegPool(seg)->format;
  Size header = imx->headerSize, live = 0;
  Index i, w;
  i = BTFindSet(imxseg->marks, 0, imxseg->grains);
  while (i < imxseg->grains) {
    Addr base = imxAddr(seg, i);
    Addr next = AddrSub((Addr)format->skip(AddrAdd(base, header)), header);
    Index l = imxLine(imx, seg, base), last = imxLine(imx, seg, AddrSub(next, 1));
    if (last == l)
      imxseg->lineMark[l] = 1;  /* most objects are within a line */
    else
      memset(imxseg->lineMark + l, 1, last + 1 - l);
    live += AddrOffset(base, next);
    i = BTFindSet(imxseg->marks, imxIndex(seg, next), imxseg->grains);
  }
  for (w = 0; w < BT_WORDS(imxseg->grains); ++w)
    imxseg->starts[w] = imxseg->marks[w];
  return live;
}

static void imxReclaim(Pool pool, Trace trace, Seg seg)
{
  IMX imx = IMXOf(pool);
  IMXSeg imxseg = IMXSegOf(seg);
  IMXSpace space = imxseg->space;
  Buffer buffer = SegBuffer(seg);
  Count usedBefore = imxseg->usedLines;
  Size live, unreached;

  AVERT(IMXSeg, imxseg);
  live = imxReclaimObjects(imx, seg);
  if (imxseg->large && live > 0)
    /* Only its object may use a large block: none of it is free. */
    memset(imxseg->lineMark, 1, imxseg->lines);
  if (buffer != NULL) {
    /* A buffer trapped at the flip still holds [init, limit). */
    Index l = imxLine(imx, seg, BufferInit(buffer));
    memset(imxseg->lineMark + l, 1, imxLine(imx, seg, BufferLimit(buffer)) - l);
  }
  imxseg->recBase = imxseg->recLimit = imxRecLimit(seg);
  memcpy(imxseg->lineUsed, imxseg->lineMark, imxseg->lines);
  imxCountLines(imxseg);
  if (!space->nursery)
    space->freeSize += (usedBefore - imxseg->usedLines) << imx->lineShift;
  imxseg->liveBytes = live;
  /* Lines a region or a trapped buffer holds but has not reached are not
   * dead objects. */
  unreached = buffer != NULL ? AddrOffset(BufferInit(buffer), BufferLimit(buffer)) : 0;
  if (space->evac.seg == seg)
    unreached += AddrOffset(space->evac.init, space->evac.limit);
  imxseg->deadBytes = SizeMax((Size)imxseg->usedLines << imx->lineShift, live + unreached)
                      - live - unreached;
  imxseg->candidate = imxseg->evacuate = FALSE;
  imxClaimsFree(imxseg);
  TracePreserved(trace, seg, live);
  if (usedBefore > imxseg->usedLines)
    trace->reclaimed += (usedBefore - imxseg->usedLines) << imx->lineShift;
  SegSetWhite(seg, SegWhite(seg) & ~TraceSetSingle(trace->ti));
  if (imxNoLineMarked(imxseg) && buffer == NULL && SegGrey(seg) == TraceSetEMPTY
      && space->evac.seg != seg)
    imxBlockFree(imx, seg);
  /* A young block kept for pinned objects (large or not) stays in its
   * space, as AMC's nailed segments do: it is in the nursery's zones,
   * and promoted it would make the summaries of the older blocks
   * referring into it meet the nursery's zones, so they would be scanned
   * at every nursery collection.  Once unpinned, its objects are copied
   * out like the others. */
}

/* Is memory short for the survivor spaces?  Copying young objects
 * through them takes fresh blocks (the young spaces never reuse a
 * block's free lines across collections), where promoting them fills the
 * mature space's holes: under a commit limit a nursery collection that
 * could not copy kept its survivors in place, their blocks stayed young
 * and mostly empty, and allocation failed for good where promoting
 * directly kept going (a 2 MiB live set under a 3.5 MiB limit).  So the
 * next collection promotes directly if the last one ran out of memory,
 * or if the commit limit leaves less room than four times what
 * generation 0 and the survivor spaces may hold (twice that was not
 * enough: by the time it was short, too much was young to move).
 * Without a commit limit, ResMEMORY is the only sign, and copies that
 * find no memory for a young space go to the mature space's free lines
 * (imxCopyRegion). */
static Bool imxMemoryShort(IMX imx, Trace trace)
{
  Arena arena = PoolArena(&imx->poolStruct);
  Size young = ChainGen(imx->chain, 0)->capacity, room;
  Index i;
  if (trace->emergency)
    return TRUE;
  for (i = 1; i + 1 < imx->spaceCount; ++i)     /* the survivor spaces */
    young += imx->spaces[i].pgenStruct.totalSize;
  room = ArenaCommitLimit(arena) > ArenaCommitted(arena)
         ? ArenaCommitLimit(arena) - ArenaCommitted(arena) : 0;
  return room + ArenaSpareCommitted(arena) < 4 * young;
}

/* At the end of a trace the copying regions close and the cursors start
 * again from the first block (reclaim made new holes). */
static void imxTraceEnd(Pool pool, Trace trace)
{
  IMX imx = IMXOf(pool);
  Index i;
  if (imx->spaceCount > 1)
    imx->promoteAll = imxMemoryShort(imx, trace);
  for (i = 0; i < imx->spaceCount; ++i) {
    IMXSpace space = &imx->spaces[i];
    imxRegionClose(imx, space);
    space->selected = FALSE;
    space->allocCursor = space->evacCursor = &space->blockRing;
  }
}

/* Walking and queries */

/* Call f on each run of consecutive recorded objects of a block. */
static Res imxWalkBlock(Seg seg, mps_area_scan_t scanArea, void *closure, ScanState ss)
{
  IMXSeg imxseg = IMXSegOf(seg);
  Format format = SegPool(seg)->format;
  Size header = format->headerSize;
  Index i;
  imxRecord(seg);
  i = BTFindSet(imxseg->starts, 0, imxseg->grains);
  while (i < imxseg->grains) {
    Addr first = AddrAdd(imxAddr(seg, i), header);
    Addr end = first;
    Index j;
    Res res;
    do {
      end = (Addr)format->skip(end);
      j = imxIndex(seg, AddrSub(end, header));
    } while (j < imxseg->grains && BTGet(imxseg->starts, j));
    res = scanArea(ScanStateMPS(ss), first, end, closure);
    if (res != ResOK)
      return res;
    i = BTFindSet(imxseg->starts, j, imxseg->grains);
  }
  return ResOK;
}

static Res imxWalk(Pool pool, mps_area_scan_t scanArea, void *closure)
{
  ScanStateStruct ss;
  Ring node, next;
  Res res = ResOK;
  ScanStateInitNull(&ss, PoolArena(pool));
  RING_FOR(node, &pool->segRing, next) {
    res = imxWalkBlock(RING_ELT(Seg, poolRing, node), scanArea, closure, &ss);
    if (res != ResOK)
      break;
  }
  ScanStateFinish(&ss);
  return res;
}

static Res imxAddrObject(Addr *pReturn, Pool pool, Addr addr)
{
  IMX imx = IMXOf(pool);
  Format format = pool->format;
  IMXSeg imxseg;
  Addr base, client;
  Seg seg;
  Index i;
  if (!SegOfAddr(&seg, PoolArena(pool), addr) || SegPool(seg) != pool)
    return ResFAIL;
  imxseg = IMXSegOf(seg);
  imxRecord(seg);
  i = imxIndex(seg, addr);
  if (!BTGet(imxseg->starts, i)) {
    Index j = BTFindSetHigh(imxseg->starts, 0, i);
    if (j == i)
      return ResFAIL;
    i = j;
  }
  base = imxAddr(seg, i);
  client = AddrAdd(base, imx->headerSize);
  if (addr >= AddrSub((Addr)format->skip(client), imx->headerSize)
      || format->isMoved(client) != NULL)
    return ResFAIL;
  *pReturn = client;
  return ResOK;
}

/* The classes */

static const PoolClassStruct poolClassIMXStruct = {
  PoolClassSig, "IMX", sizeof(IMXStruct), 0,
  PoolAttrGC | PoolAttrFORMAT | PoolAttrMOVING | PoolAttrSCAN | PoolAttrPARALLEL,
  imxVarargs, imxInit, imxFinish,
  NULL, NULL,                               /* alloc, free */
  imxBufferInit, NULL, imxBufferFill, imxBufferEmpty,
  NULL, NULL, NULL, NULL,                   /* frames, ramps */
  imxTotalSize, imxFreeSize,
  imxWalk, imxAddrObject, NULL,
  imxWhiten, imxGrey, imxScan, imxFix, imxFix,
  imxReclaim, imxTraceEnd
};

static const PoolClassStruct poolClassIMXZStruct = {
  PoolClassSig, "IMXZ", sizeof(IMXStruct), 0,
  PoolAttrGC | PoolAttrFORMAT | PoolAttrMOVING | PoolAttrPARALLEL,
  imxVarargs, imxzInit, imxFinish,
  NULL, NULL,                               /* alloc, free */
  imxBufferInit, NULL, imxBufferFill, imxBufferEmpty,
  NULL, NULL, NULL, NULL,                   /* frames, ramps */
  imxTotalSize, imxFreeSize,
  imxWalk, imxAddrObject, NULL,
  imxWhiten, NULL, NULL, imxFix, imxFix,    /* never grey, never scanned */
  imxReclaim, imxTraceEnd
};

PoolClass PoolClassIMX(void)
{
  return &poolClassIMXStruct;
}

PoolClass PoolClassIMXZ(void)
{
  return &poolClassIMXZStruct;
}

mps_pool_class_t mps_class_imxz(void)
{
  return (mps_pool_class_t)PoolClassIMXZ();
}

mps_pool_class_t mps_class_imx(void)
{
  return (mps_pool_class_t)PoolClassIMX();
}

/* pargrey.c: grey bits of a mark-in-place segment, shared by workers
 * (the design is in pargrey.h) */

#include "pargrey.h"
#include "seg.h"
#include "pool.h"
#include "format.h"
#include "trace.h"
#include "bt.h"

static inline Index pgIndex(Seg seg, Addr addr)
{
  return (Index)(AddrOffset(SegBase(seg), addr) >> SegPool(seg)->alignShift);
}

static inline Addr pgAddr(Seg seg, Index i)
{
  return AddrAdd(SegBase(seg), (Size)i << SegPool(seg)->alignShift);
}

Bool ParGreyObject(ScanState ss, Seg seg, Word *bits, Word *summary, Bool *queued, Index i)
{
  Index k = i >> WORD_SHIFT;
  Word *sum = &summary[k >> WORD_SHIFT];
  Word sumBit = (Word)1 << (k & (WORD_WIDTH - 1));
  (void)__atomic_fetch_or(&bits[k], (Word)1 << (i & (WORD_WIDTH - 1)), __ATOMIC_SEQ_CST);
  if ((__atomic_load_n(sum, __ATOMIC_SEQ_CST) & sumBit) == 0)
    (void)__atomic_fetch_or(sum, sumBit, __ATOMIC_SEQ_CST);
  /* This worker's scan of the segment will go back for it, and need not
   * queue the segment unless another worker has nothing to do. */
  if (seg == ss->greySeg) {
    if (i < ss->greyLow)
      ss->greyLow = i;
    if (!ParSomeoneStarves(ss->worker))
      return TRUE;
  }
  /* Read before written: most fixes find an entry queued, and writing the
   * flag every time would take its line from the workers reading it. */
  return __atomic_load_n(queued, __ATOMIC_SEQ_CST)
         || __atomic_exchange_n(queued, TRUE, __ATOMIC_SEQ_CST)
         || ParPushGreys(ss->worker, seg);
}

void ParGreyMarked(Word *bits, Word *summary, const Word *marks, Count grains)
{
  Index w;
  for (w = 0; w < BT_WORDS(grains); ++w)
    bits[w] |= marks[w];
  BTSetRange(summary, 0, BT_WORDS(grains));
}

/* The grey word w, taken (zero if another worker took it first). */
static Word pgTake(Word *bits, Index w)
{
  if (__atomic_load_n(&bits[w], __ATOMIC_SEQ_CST) == 0)
    return 0;
  return __atomic_exchange_n(&bits[w], (Word)0, __ATOMIC_SEQ_CST);
}

/* The first grey word at or after w that the summary says may be
 * non-zero, taking its summary bit; words if none.  (A segment queued for
 * a few grey objects is not read whole: a random graph's segments are
 * scanned many times, a few objects each time.) */
static Index pgNextWord(Word *summary, Index w, Index words)
{
  while (w < words) {
    Index sw = w >> WORD_SHIFT;
    Word s = __atomic_load_n(&summary[sw], __ATOMIC_SEQ_CST)
             & (WORD_ONES << (w & (WORD_WIDTH - 1)));
    if (s != 0) {
      Index found = (sw << WORD_SHIFT) + (Index)__builtin_ctzl((unsigned long)s);
      (void)__atomic_fetch_and(&summary[sw],
                               ~((Word)1 << (found & (WORD_WIDTH - 1))), __ATOMIC_SEQ_CST);
      return found;
    }
    w = (sw + 1) << WORD_SHIFT;
  }
  return words;
}

/* The parallel scan takes grey words a few ahead of the one it scans and
 * prefetches their objects, so that the first touches of objects
 * scattered over the segment (a random graph's: one grey object per
 * word, most of them not in any cache) overlap instead of each stalling
 * the scan in turn. */
#define PG_SCAN_AHEAD 4

typedef struct PGWordStruct {
  Index w;
  Word bits;
} PGWordStruct;

static void pgPrefetch(Seg seg, Index w, Word bits)
{
  while (bits != 0) {
    __builtin_prefetch(pgAddr(seg, (w << WORD_SHIFT) + (Index)__builtin_ctzl((unsigned long)bits)));
    bits &= bits - 1;
  }
}

/* A scan of one segment's grey words: the words taken ahead of the one
 * scanned, and where the summary search goes on. */
typedef struct PGScanStruct {
  Seg seg;
  Word *bits;
  Word *summary;
  Count grains;
  Index words;
  Index search;
  Count count;
  PGWordStruct ahead[PG_SCAN_AHEAD];
} PGScanStruct;

/* Take grey words until PG_SCAN_AHEAD are ahead (or none is left). */
static void pgTakeAhead(PGScanStruct *pg)
{
  while (pg->count < PG_SCAN_AHEAD && pg->search < pg->words) {
    Index w = pgNextWord(pg->summary, pg->search, pg->words);
    Word bits;
    if (w >= pg->words) {
      pg->search = pg->words;
      return;
    }
    pg->search = w + 1;
    bits = pgTake(pg->bits, w);
    if (bits != 0) {
      pgPrefetch(pg->seg, w, bits);
      pg->ahead[pg->count].w = w;
      pg->ahead[pg->count].bits = bits;
      ++pg->count;
    }
  }
}

/* Take the lowest of the words ahead: a word this scan greyed behind
 * itself (which it went back for) comes before those it took earlier. */
static void pgTakeLowest(PGScanStruct *pg, Index *wReturn, Word *bitsReturn)
{
  Index k, min = 0;
  for (k = 1; k < pg->count; ++k)
    if (pg->ahead[k].w < pg->ahead[min].w)
      min = k;
  *wReturn = pg->ahead[min].w;
  *bitsReturn = pg->ahead[min].bits;
  --pg->count;
  pg->ahead[min] = pg->ahead[pg->count];
}

/* Scan the grey objects of word w (bits), in runs; a run that goes on
 * into later words takes their grey bits as it reaches them. */
static Res pgScanWord(ScanState ss, PGScanStruct *pg, Index w, Word bits)
{
  Seg seg = pg->seg;
  Format format = SegPool(seg)->format;
  Size header = format->headerSize;
  while (bits != 0) {
    Index i = (w << WORD_SHIFT) + (Index)__builtin_ctzl((unsigned long)bits);
    Addr first, end;
    Res res;
    first = end = AddrAdd(pgAddr(seg, i), header);
    for (;;) {
      bits &= ~((Word)1 << (i & (WORD_WIDTH - 1)));
      end = (Addr)format->skip(end);
      i = pgIndex(seg, AddrSub(end, header));
      if (i >= pg->grains)
        break;
      if ((i >> WORD_SHIFT) != w) {
        /* Bits left in word w would be inside this object: none are. */
        AVER(bits == 0);
        w = i >> WORD_SHIFT;
        bits = pgTake(pg->bits, w);
      }
      if ((bits >> (i & (WORD_WIDTH - 1)) & 1) == 0)
        break;
    }
    ScanStateBeginClient(ss);
    res = format->scan(ScanStateMPS(ss), first, end);
    (void)ScanStateEndClient(ss);
    if (res != ResOK)
      return res;               /* the caller regreys the segment */
    ss->scannedSize += AddrOffset(first, end);
  }
  return ResOK;
}

Res ParGreyScan(ScanState ss, Seg seg, Word *bits, Word *summary, Bool *queued, Count grains)
{
  PGScanStruct pg;
  pg.seg = seg;
  pg.bits = bits;
  pg.summary = summary;
  pg.grains = grains;
  pg.words = BT_WORDS(grains);
  pg.search = 0;
  pg.count = 0;
  AVER(ss->greySeg == NULL);    /* not nested: greyLow is this scan's */
  ss->greySeg = seg;
  ss->greyLow = grains;
  (void)__atomic_exchange_n(queued, FALSE, __ATOMIC_SEQ_CST);
  for (;;) {
    Index w;
    Word wbits;
    Res res;
    pgTakeAhead(&pg);
    if (pg.count == 0) {
      ss->greySeg = NULL;
      return ResOK;
    }
    pgTakeLowest(&pg, &w, &wbits);
    res = pgScanWord(ss, &pg, w, wbits);
    if (res != ResOK) {
      ss->greySeg = NULL;
      return res;
    }
    /* Go back to what this scan greyed behind itself. */
    if (ss->greyLow < grains) {
      Index low = ss->greyLow >> WORD_SHIFT;
      ss->greyLow = grains;
      if (low < pg.search)
        pg.search = low;
    }
  }
}

/* bt.c: bit tables (see bt.h) */

#include "bt.h"
#include "check.h"

/* Mask of the bits [lo, hi) within one word, 0 <= lo < hi <= WORD_WIDTH. */
static Word btMask(Index lo, Index hi)
{
  Word upper = hi == WORD_WIDTH ? WORD_ONES : (((Word)1 << hi) - 1);
  return upper & ~(((Word)1 << lo) - 1);
}

/* Apply fn to each word touched by [base, limit) with the mask of the bits
 * in range.  The callers below are written out to keep them inlinable. */

void BTSetRangeWords(BT bt, Index base, Index limit)
{
  while (base < limit) {
    Index w = base >> WORD_SHIFT, lo = base & (WORD_WIDTH - 1);
    Index hi = (limit - (base - lo)) >= WORD_WIDTH ? WORD_WIDTH : limit - (base - lo);
    if (lo == 0 && hi == WORD_WIDTH)
      bt[w] = WORD_ONES;
    else
      bt[w] |= btMask(lo, hi);
    base = base - lo + hi;
  }
}

void BTResRangeWords(BT bt, Index base, Index limit)
{
  while (base < limit) {
    Index w = base >> WORD_SHIFT, lo = base & (WORD_WIDTH - 1);
    Index hi = (limit - (base - lo)) >= WORD_WIDTH ? WORD_WIDTH : limit - (base - lo);
    if (lo == 0 && hi == WORD_WIDTH)
      bt[w] = 0;
    else
      bt[w] &= ~btMask(lo, hi);
    base = base - lo + hi;
  }
}

Bool BTIsSetRange(BT bt, Index base, Index limit)
{
  while (base < limit) {
    Index w = base >> WORD_SHIFT, lo = base & (WORD_WIDTH - 1);
    Index hi = (limit - (base - lo)) >= WORD_WIDTH ? WORD_WIDTH : limit - (base - lo);
    Word m = btMask(lo, hi);
    if ((bt[w] & m) != m)
      return FALSE;
    base = base - lo + hi;
  }
  return TRUE;
}

Bool BTIsResRange(BT bt, Index base, Index limit)
{
  while (base < limit) {
    Index w = base >> WORD_SHIFT, lo = base & (WORD_WIDTH - 1);
    Index hi = (limit - (base - lo)) >= WORD_WIDTH ? WORD_WIDTH : limit - (base - lo);
    if ((bt[w] & btMask(lo, hi)) != 0)
      return FALSE;
    base = base - lo + hi;
  }
  return TRUE;
}

Count BTCountSet(BT bt, Index base, Index limit)
{
  Count n = 0;
  while (base < limit) {
    Index w = base >> WORD_SHIFT, lo = base & (WORD_WIDTH - 1);
    Index hi = (limit - (base - lo)) >= WORD_WIDTH ? WORD_WIDTH : limit - (base - lo);
    n += (Count)__builtin_popcountl((unsigned long)(bt[w] & btMask(lo, hi)));
    base = base - lo + hi;
  }
  return n;
}

/* Search upwards for a bit equal to `want`. */
static Index btFindUp(BT bt, Index base, Index limit, Bool want)
{
  while (base < limit) {
    Index w = base >> WORD_SHIFT, lo = base & (WORD_WIDTH - 1);
    Index hi = (limit - (base - lo)) >= WORD_WIDTH ? WORD_WIDTH : limit - (base - lo);
    Word bits = (want ? bt[w] : ~bt[w]) & btMask(lo, hi);
    if (bits != 0)
      return (base - lo) + (Index)__builtin_ctzl((unsigned long)bits);
    base = base - lo + hi;
  }
  return limit;
}

/* Search downwards from limit-1 for a bit equal to `want`. */
static Index btFindDown(BT bt, Index base, Index limit, Bool want)
{
  Index top = limit;
  while (top > base) {
    Index last = top - 1;
    Index w = last >> WORD_SHIFT;
    Index wordBase = w << WORD_SHIFT;
    Index lo = base > wordBase ? base - wordBase : 0;
    Index hi = last - wordBase + 1;
    Word bits = (want ? bt[w] : ~bt[w]) & btMask(lo, hi);
    if (bits != 0)
      return wordBase + (WORD_WIDTH - 1 - (Index)__builtin_clzl((unsigned long)bits));
    top = wordBase + lo;
  }
  return limit;
}

Index BTFindSetSearch(BT bt, Index base, Index limit) { return btFindUp(bt, base, limit, TRUE); }
Index BTFindResSearch(BT bt, Index base, Index limit) { return btFindUp(bt, base, limit, FALSE); }
Index BTFindSetHigh(BT bt, Index base, Index limit) { return btFindDown(bt, base, limit, TRUE); }
Index BTFindResHigh(BT bt, Index base, Index limit) { return btFindDown(bt, base, limit, FALSE); }

/* The run searches stop looking for the far end of a run once it is
 * `enough` long: a caller that needs only n bits should not pay for
 * scanning to the end of a long free tail (the arena's chunks are mostly
 * one, and the arena searches them on every segment allocation). */

Bool BTFindResRunCapped(Index *runBaseReturn, Index *runLimitReturn,
                        BT bt, Index base, Index limit, Count n, Count enough)
{
  AVER(n > 0);
  AVER(enough >= n);
  while (base < limit) {
    Index runBase = BTFindRes(bt, base, limit);
    Index runLimit, searchLimit;
    if (runBase == limit || limit - runBase < n)
      return FALSE;
    searchLimit = limit - runBase > enough ? runBase + enough : limit;
    runLimit = BTFindSet(bt, runBase, searchLimit);
    if (runLimit - runBase >= n) {
      *runBaseReturn = runBase;
      *runLimitReturn = runLimit;
      return TRUE;
    }
    base = runLimit;
  }
  return FALSE;
}

Bool BTFindResRunHighCapped(Index *runBaseReturn, Index *runLimitReturn,
                            BT bt, Index base, Index limit, Count n, Count enough)
{
  Index top = limit;
  AVER(n > 0);
  AVER(enough >= n);
  while (top > base) {
    Index last = BTFindResHigh(bt, base, top);
    Index runBase, searchBase;
    if (last == top || last + 1 - base < n)
      return FALSE;
    searchBase = last + 1 - base > enough ? last + 1 - enough : base;
    runBase = BTFindSetHigh(bt, searchBase, last);
    runBase = runBase == last ? searchBase : runBase + 1;
    if (last + 1 - runBase >= n) {
      *runBaseReturn = runBase;
      *runLimitReturn = last + 1;
      return TRUE;
    }
    top = runBase;
  }
  return FALSE;
}

Bool BTFindResRun(Index *runBaseReturn, Index *runLimitReturn,
                  BT bt, Index base, Index limit, Count n)
{
  return BTFindResRunCapped(runBaseReturn, runLimitReturn, bt, base, limit, n,
                            limit > base + n ? limit - base : n);
}

Bool BTFindResRunHigh(Index *runBaseReturn, Index *runLimitReturn,
                      BT bt, Index base, Index limit, Count n)
{
  return BTFindResRunHighCapped(runBaseReturn, runLimitReturn, bt, base, limit, n,
                                limit > base + n ? limit - base : n);
}

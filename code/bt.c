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

void BTSetRange(BT bt, Index base, Index limit)
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

void BTResRange(BT bt, Index base, Index limit)
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

Index BTFindSet(BT bt, Index base, Index limit) { return btFindUp(bt, base, limit, TRUE); }
Index BTFindRes(BT bt, Index base, Index limit) { return btFindUp(bt, base, limit, FALSE); }
Index BTFindSetHigh(BT bt, Index base, Index limit) { return btFindDown(bt, base, limit, TRUE); }
Index BTFindResHigh(BT bt, Index base, Index limit) { return btFindDown(bt, base, limit, FALSE); }

Bool BTFindResRun(Index *runBaseReturn, Index *runLimitReturn,
                  BT bt, Index base, Index limit, Count n)
{
  AVER(n > 0);
  while (base < limit) {
    Index runBase = BTFindRes(bt, base, limit);
    Index runLimit;
    if (runBase == limit || limit - runBase < n)
      return FALSE;
    runLimit = BTFindSet(bt, runBase, limit);
    if (runLimit - runBase >= n) {
      *runBaseReturn = runBase;
      *runLimitReturn = runLimit;
      return TRUE;
    }
    base = runLimit;
  }
  return FALSE;
}

Bool BTFindResRunHigh(Index *runBaseReturn, Index *runLimitReturn,
                      BT bt, Index base, Index limit, Count n)
{
  Index top = limit;
  AVER(n > 0);
  while (top > base) {
    Index last = BTFindResHigh(bt, base, top);
    Index runBase;
    if (last == top || last + 1 - base < n)
      return FALSE;
    runBase = BTFindSetHigh(bt, base, last);
    runBase = runBase == last ? base : runBase + 1;
    if (last + 1 - runBase >= n) {
      *runBaseReturn = runBase;
      *runLimitReturn = last + 1;
      return TRUE;
    }
    top = runBase;
  }
  return FALSE;
}

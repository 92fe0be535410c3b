/* bt.h: bit tables
 *
 * A bit table is an array of words used as a vector of bits.  Chunks use
 * them for grain allocation and commitment; mark-sweep pools use them for
 * mark and allocation maps.  Range operations work a word at a time.
 */

#ifndef tarn_bt_h
#define tarn_bt_h

#include "types.h"

typedef Word *BT;

#define BT_WORDS(n) (((n) + WORD_WIDTH - 1) >> WORD_SHIFT)
#define BT_SIZE(n) (BT_WORDS(n) * sizeof(Word))

static inline Bool BTGet(BT bt, Index i)
{
  return (bt[i >> WORD_SHIFT] >> (i & (WORD_WIDTH - 1))) & 1;
}
static inline void BTSet(BT bt, Index i)
{
  bt[i >> WORD_SHIFT] |= (Word)1 << (i & (WORD_WIDTH - 1));
}
static inline void BTRes(BT bt, Index i)
{
  bt[i >> WORD_SHIFT] &= ~((Word)1 << (i & (WORD_WIDTH - 1)));
}

/* Set / reset the bits [base, limit).  A range inside one word (a small
 * object's grains) is done inline. */
extern void BTSetRangeWords(BT bt, Index base, Index limit);
extern void BTResRangeWords(BT bt, Index base, Index limit);

static inline Word BTWordMask(Index base, Index limit)  /* same word */
{
  Index lo = base & (WORD_WIDTH - 1), n = limit - base;
  return (n == WORD_WIDTH ? WORD_ONES : (((Word)1 << n) - 1)) << lo;
}

static inline void BTSetRange(BT bt, Index base, Index limit)
{
  if (base < limit && (base >> WORD_SHIFT) == ((limit - 1) >> WORD_SHIFT))
    bt[base >> WORD_SHIFT] |= BTWordMask(base, limit);
  else
    BTSetRangeWords(bt, base, limit);
}

static inline void BTResRange(BT bt, Index base, Index limit)
{
  if (base < limit && (base >> WORD_SHIFT) == ((limit - 1) >> WORD_SHIFT))
    bt[base >> WORD_SHIFT] &= ~BTWordMask(base, limit);
  else
    BTResRangeWords(bt, base, limit);
}
extern Bool BTIsSetRange(BT bt, Index base, Index limit);
extern Bool BTIsResRange(BT bt, Index base, Index limit);
extern Count BTCountSet(BT bt, Index base, Index limit);

/* Find the first (lowest) index in [base, limit) whose bit is set / reset;
 * return limit if none.  The answer is often in base's own word (the
 * next object start in a mark-sweep segment, a few grains on), so that
 * case is inline and the search word by word is not. */
extern Index BTFindSetSearch(BT bt, Index base, Index limit);
extern Index BTFindResSearch(BT bt, Index base, Index limit);

/* The bits of base's word from base up, but not beyond limit (bits
 * beyond limit may be undefined: Memcheck would object to a decision
 * that looked at them).  *spanReturn: how many bits that is. */
static inline Word btFirstWord(BT bt, Index base, Index limit, Bool want,
                               Count *spanReturn)
{
  Index lo = base & (WORD_WIDTH - 1);
  Count span = WORD_WIDTH - lo;
  Word w = bt[base >> WORD_SHIFT];
  Word bits = (want ? w : ~w) >> lo;
  if (limit - base < span) {
    span = limit - base;
    bits &= ((Word)1 << span) - 1;
  }
  *spanReturn = span;
  return bits;
}

static inline Index BTFindSet(BT bt, Index base, Index limit)
{
  Count span;
  Word bits;
  if (base >= limit)
    return limit;
  bits = btFirstWord(bt, base, limit, TRUE, &span);
  if (bits != 0)
    return base + (Index)__builtin_ctzl((unsigned long)bits);
  return BTFindSetSearch(bt, base + span, limit);
}

static inline Index BTFindRes(BT bt, Index base, Index limit)
{
  Count span;
  Word bits;
  if (base >= limit)
    return limit;
  bits = btFirstWord(bt, base, limit, FALSE, &span);
  if (bits != 0)
    return base + (Index)__builtin_ctzl((unsigned long)bits);
  return BTFindResSearch(bt, base + span, limit);
}
/* Highest index in [base, limit) whose bit is set / reset; limit if none. */
extern Index BTFindSetHigh(BT bt, Index base, Index limit);
extern Index BTFindResHigh(BT bt, Index base, Index limit);

/* Find a run of at least n reset bits in [base, limit), lowest first (or
 * highest first).  On success store the maximal run's [runBase, runLimit). */
extern Bool BTFindResRun(Index *runBaseReturn, Index *runLimitReturn,
                         BT bt, Index base, Index limit, Count n);
extern Bool BTFindResRunHigh(Index *runBaseReturn, Index *runLimitReturn,
                             BT bt, Index base, Index limit, Count n);
/* The same, but the run reported stops after `enough` (>= n) bits even if
 * it goes on: [runBase, runLimit) is free and n <= its length <= enough. */
extern Bool BTFindResRunCapped(Index *runBaseReturn, Index *runLimitReturn,
                               BT bt, Index base, Index limit, Count n, Count enough);
extern Bool BTFindResRunHighCapped(Index *runBaseReturn, Index *runLimitReturn,
                                   BT bt, Index base, Index limit, Count n, Count enough);

#endif /* tarn_bt_h */

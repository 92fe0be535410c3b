/* types.h: the basic types of the manager
 *
 * Internal code speaks in these names; the interface layer (mpsi.c)
 * converts from the public mps_ types, which have the same
 * representation.  Handle types are the public structure tags, so a
 * public handle and an internal one are the same pointer.
 */

#ifndef tarn_types_h
#define tarn_types_h

#include "config.h"
#include "mps.h"
#include "mpstd.h"
#include <stddef.h>
#include <limits.h>

typedef mps_word_t Word;          /* unsigned, as wide as a pointer */
typedef unsigned char Byte;
typedef char *Addr;               /* byte address: arithmetic in bytes */
typedef size_t Size;
typedef size_t Count;
typedef size_t Index;
typedef Word Align;               /* a power of two */
typedef unsigned Shift;
typedef int Bool;
typedef int Res;                  /* an MPS_RES_ code */
typedef Word Sig;                 /* structure signature, see check.h */
typedef Word Serial;
typedef Word Epoch;
typedef Word ZoneSet;             /* one bit per zone (address stripe) */
typedef unsigned TraceId;
typedef unsigned TraceSet;        /* one bit per trace */
typedef unsigned Rank;
typedef unsigned RankSet;
typedef unsigned AccessSet;       /* ACCESS_READ | ACCESS_WRITE */
typedef void (*Fun)(void);

typedef struct mps_arena_s *Arena;
typedef struct mps_arena_class_s *ArenaClass;
typedef struct mps_pool_s *Pool;
typedef const struct mps_pool_class_s *PoolClass;
typedef struct mps_fmt_s *Format;
typedef struct mps_chain_s *Chain;
typedef struct mps_root_s *Root;
typedef struct mps_thr_s *Thread;
typedef struct mps_message_s *Message;
typedef struct BufferStruct *Buffer;
typedef struct SegStruct *Seg;
typedef struct TractStruct *Tract;
typedef struct ChunkStruct *Chunk;
typedef struct ScanStateStruct *ScanState;
typedef struct TraceStruct *Trace;
typedef struct RangeStruct *Range;
typedef struct RingStruct *Ring;
typedef struct LockStruct *Lock;
typedef mps_arg_s ArgStruct;
typedef struct mps_arena_s ArenaStruct;
typedef struct mps_pool_s PoolStruct;
typedef struct mps_fmt_s FormatStruct;
typedef struct mps_chain_s ChainStruct;
typedef struct mps_root_s RootStruct;
typedef struct mps_thr_s ThreadStruct;
typedef struct mps_message_s MessageStruct;
typedef mps_arg_s *ArgList;
typedef mps_key_t Key;

#define TRUE 1
#define FALSE 0

#define ResOK MPS_RES_OK
#define ResFAIL MPS_RES_FAIL
#define ResRESOURCE MPS_RES_RESOURCE
#define ResMEMORY MPS_RES_MEMORY
#define ResLIMIT MPS_RES_LIMIT
#define ResUNIMPL MPS_RES_UNIMPL
#define ResIO MPS_RES_IO
#define ResCOMMIT_LIMIT MPS_RES_COMMIT_LIMIT
#define ResPARAM MPS_RES_PARAM

#define WORD_WIDTH MPS_WORD_WIDTH
#define WORD_SHIFT MPS_WORD_SHIFT
#define WORD_ONES ((Word)-1)
#define SIZE_NONE ((Size)-1)

#define ZONE_COUNT WORD_WIDTH
#define ZoneSetEMPTY ((ZoneSet)0)
#define ZoneSetUNIV ((ZoneSet)-1)
#define TraceSetEMPTY ((TraceSet)0)
#define RankSetEMPTY ((RankSet)0)

#define ACCESS_READ ((AccessSet)1)
#define ACCESS_WRITE ((AccessSet)2)

/* Ranks, in the order the collector scans them.  The public rank values
 * (mps_rank_ambig() and friends) are these. */
enum {
  RankAMBIG = 0,
  RankEXACT = 1,
  RankFINAL = 2,
  RankWEAK = 3,
  RANK_LIMIT = 4
};

#define RankSetSingle(r) ((RankSet)1 << (r))
#define RankSetIsMember(rs, r) (((rs) & RankSetSingle(r)) != 0)

/* Address arithmetic, written as functions so the types are checked. */

static inline Addr AddrAdd(Addr a, Size s) { return a + s; }
static inline Addr AddrSub(Addr a, Size s) { return a - s; }
static inline Size AddrOffset(Addr base, Addr limit) { return (Size)(limit - base); }
static inline Word AddrWord(Addr a) { return (Word)a; }
static inline Bool AddrIsAligned(Addr a, Align align) { return ((Word)a & (align - 1)) == 0; }
static inline Addr AddrAlignUp(Addr a, Align align)
{
  return (Addr)(((Word)a + align - 1) & ~(Word)(align - 1));
}
static inline Addr AddrAlignDown(Addr a, Align align)
{
  return (Addr)((Word)a & ~(Word)(align - 1));
}
static inline Size SizeAlignUp(Size s, Align align) { return (s + align - 1) & ~(Size)(align - 1); }
static inline Size SizeAlignDown(Size s, Align align) { return s & ~(Size)(align - 1); }
static inline Bool SizeIsAligned(Size s, Align align) { return (s & (align - 1)) == 0; }
static inline Bool WordIsP2(Word w) { return w != 0 && (w & (w - 1)) == 0; }
static inline Shift SizeLog2(Size s)
{
  Shift sh = 0;
  while (((Size)1 << sh) < s)
    ++sh;
  return sh;
}
static inline Size SizeMin(Size a, Size b) { return a < b ? a : b; }
static inline Size SizeMax(Size a, Size b) { return a > b ? a : b; }
static inline Addr AddrMin(Addr a, Addr b) { return a < b ? a : b; }
static inline Addr AddrMax(Addr a, Addr b) { return a > b ? a : b; }

/* A half-open address range [base, limit). */
typedef struct RangeStruct {
  Addr base;
  Addr limit;
} RangeStruct;

static inline void RangeInit(Range r, Addr base, Addr limit) { r->base = base; r->limit = limit; }
static inline Size RangeSize(Range r) { return AddrOffset(r->base, r->limit); }
static inline Bool RangeContains(Range r, Addr a) { return r->base <= a && a < r->limit; }
static inline Bool RangeIsEmpty(Range r) { return r->base == r->limit; }

#endif /* tarn_types_h */

/* tract.h: tracts, chunks and the flat tract table
 *
 * The arena hands out memory in grains (tracts).  Each chunk is one
 * contiguous reservation of address space; it records which of its grains
 * are allocated and which are committed in two bit tables.
 *
 * The tract table is one flat array per arena, indexed by
 * (addr - tableBase) >> grainShift over the whole span of the arena's
 * chunks.  An entry is NULL for a grain that is free or outside every
 * chunk, and otherwise points to the grain's owner record (TractStruct):
 * the pool, the segment, and the set of traces for which the memory is
 * white.  All grains of one segment point at the segment's record; all
 * grains that a pool holds without a segment point at the pool's record.
 * So FIX2 gets from any address to "is this white, and whose is it" with
 * one bounds test and two loads (design: critical path).
 */

#ifndef tarn_tract_h
#define tarn_tract_h

#include "types.h"
#include "ring.h"
#include "bt.h"

typedef struct TractStruct {
  TraceSet white;               /* traces that condemned this memory */
  Pool pool;                    /* owning pool; NULL for the arena's own */
  Seg seg;                      /* owning segment, or NULL */
} TractStruct;

#define ChunkSig ((Sig)0x519C4C4B)

typedef struct ChunkStruct {
  Sig sig;
  Arena arena;
  RingStruct arenaRing;         /* in arena->chunkRing, address order */
  Addr base;                    /* the whole reservation */
  Addr limit;
  Addr headerLimit;             /* grains below this hold the header */
  Count grains;                 /* (limit - base) >> grainShift */
  BT allocTable;                /* 1 = allocated (header included) */
  BT committedTable;            /* 1 = committed */
  Count allocGrains;            /* set bits in allocTable */
  Count committedGrains;        /* set bits in committedTable */
  Index freeHint;               /* every grain below this is allocated */
  Index spareHint;              /* no grain below this is spare */
  Size headerSize;
} ChunkStruct;

extern Bool ChunkCheck(Chunk chunk);

static inline Index ChunkIndexOfAddr(Chunk chunk, Addr addr, Shift grainShift)
{
  return (Index)(AddrOffset(chunk->base, addr) >> grainShift);
}
static inline Addr ChunkAddrOfIndex(Chunk chunk, Index i, Shift grainShift)
{
  return AddrAdd(chunk->base, (Size)i << grainShift);
}

/* Lay out and initialise a chunk whose first headerSize bytes (already
 * committed) hold the ChunkStruct, extra bytes for the arena class, and
 * the two bit tables.  Returns where the bit tables end. */
extern Size ChunkHeaderSize(Size chunkSize, Shift grainShift, Size extra);
extern void ChunkInit(Chunk chunk, Arena arena, Addr base, Addr limit,
                      Size headerSize, Size extra);
extern void ChunkFinish(Chunk chunk);

/* The tract table (members of the arena; see arena.h). */
extern Res TractTableCover(Arena arena, Addr base, Addr limit);
extern void TractTableSet(Arena arena, Addr base, Addr limit, Tract owner);
extern void TractTableFinish(Arena arena);
/* Unmap the tables TractTableCover replaced during a parallel phase. */
extern void TractTableRetiredFree(Arena arena);
extern Bool TractTableCheck(Arena arena);

#endif /* tarn_tract_h */

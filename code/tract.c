/* tract.c: chunks and the flat tract table (see tract.h) */

#include "arena.h"
#include "vgmem.h"
#include <string.h>

Bool ChunkCheck(Chunk chunk)
{
  CHECKS(Chunk, chunk);
  CHECKL(chunk->base < chunk->limit);
  CHECKL(chunk->base <= chunk->headerLimit && chunk->headerLimit <= chunk->limit);
  CHECKL(chunk->allocGrains <= chunk->grains);
  CHECKL(chunk->committedGrains <= chunk->grains);
  return TRUE;
}

/* Bytes needed at the start of a chunk for the ChunkStruct, `extra` bytes
 * of class data, and the two bit tables, rounded to whole grains. */
Size ChunkHeaderSize(Size chunkSize, Shift grainShift, Size extra)
{
  Count grains = chunkSize >> grainShift;
  Size size = SizeAlignUp(sizeof(ChunkStruct), sizeof(Word))
            + SizeAlignUp(extra, sizeof(Word))
            + 2 * BT_SIZE(grains);
  return SizeAlignUp(size, (Size)1 << grainShift);
}

void ChunkInit(Chunk chunk, Arena arena, Addr base, Addr limit,
               Size headerSize, Size extra)
{
  Shift gs = arena->grainShift;
  Addr tables = AddrAdd((Addr)chunk, SizeAlignUp(sizeof(ChunkStruct), sizeof(Word))
                                     + SizeAlignUp(extra, sizeof(Word)));
  Index headerGrains = headerSize >> gs;

  AVER(AddrIsAligned(base, arena->grainSize));
  AVER(AddrIsAligned(limit, arena->grainSize));
  chunk->arena = arena;
  RingInit(&chunk->arenaRing);
  chunk->base = base;
  chunk->limit = limit;
  chunk->headerSize = headerSize;
  chunk->headerLimit = AddrAdd(base, headerSize);
  chunk->grains = AddrOffset(base, limit) >> gs;
  chunk->allocTable = (BT)tables;
  chunk->committedTable = (BT)AddrAdd(tables, BT_SIZE(chunk->grains));
  AVER(AddrAdd((Addr)chunk->committedTable, BT_SIZE(chunk->grains)) <= chunk->headerLimit);
  /* Whole words: the bits past the last grain must read as free and
   * uncommitted, since some loops work a word at a time. */
  memset(chunk->allocTable, 0, BT_SIZE(chunk->grains));
  memset(chunk->committedTable, 0, BT_SIZE(chunk->grains));
  BTSetRange(chunk->allocTable, 0, headerGrains);
  BTSetRange(chunk->committedTable, 0, headerGrains);
  chunk->allocGrains = headerGrains;
  chunk->freeHint = headerGrains;
  chunk->spareHint = headerGrains;
  chunk->committedGrains = headerGrains;
  chunk->sig = ChunkSig;
  AVERT(Chunk, chunk);
}

void ChunkFinish(Chunk chunk)
{
  AVERT(Chunk, chunk);
  chunk->sig = SigINVALID;
}

/* The table.  Growing it maps a larger table, copies the entries for the
 * chunks, and unmaps the old one.  Only the parts that cover chunks are
 * ever touched, so a sparse span costs address space, not memory. */

Bool TractTableCheck(Arena arena)
{
  CHECKL(arena->tableCount == 0 || arena->table != NULL);
  CHECKL(AddrIsAligned(arena->tableBase, arena->grainSize));
  return TRUE;
}

Res TractTableCover(Arena arena, Addr base, Addr limit)
{
  Addr oldBase = arena->tableBase;
  Addr oldLimit = AddrAdd(oldBase, arena->tableCount << arena->grainShift);
  Addr newBase, newLimit;
  Tract *newTable;
  Count newCount;
  Size mapSize;
  Ring node, next;
  Res res;

  if (arena->tableCount > 0 && oldBase <= base && limit <= oldLimit)
    return ResOK;
  /* During a parallel phase other workers read the old table without a
   * lock (their scan states cache it): it is kept until the phase ends. */
  if (arena->parActive && arena->tableCount > 0
      && arena->tableRetiredCount == TABLE_RETIRED_MAX)
    return ResMEMORY;
  if (arena->tableCount == 0) {
    newBase = base;
    newLimit = limit;
  } else {
    /* Growing: leave room on both sides for more chunks, so the table is
     * not remapped at every growth.  The room costs only address space. */
    Size span;
    newBase = AddrMin(oldBase, base);
    newLimit = AddrMax(oldLimit, limit);
    span = AddrOffset(newBase, newLimit);
    newBase = AddrWord(newBase) > span + arena->grainSize
              ? AddrSub(newBase, span) : (Addr)arena->grainSize;
    newLimit = AddrWord(newLimit) + span > AddrWord(newLimit)
               ? AddrAdd(newLimit, span) : newLimit;
    newLimit = AddrAlignDown(newLimit, arena->grainSize);
  }
  newCount = AddrOffset(newBase, newLimit) >> arena->grainShift;
  mapSize = newCount * sizeof(Tract);
  res = arena->klass->tableMap(arena, (Addr *)&newTable, mapSize);
  if (res != ResOK && arena->tableCount > 0) {
    /* Try again without the room to grow. */
    newBase = AddrMin(oldBase, base);
    newLimit = AddrMax(oldLimit, limit);
    newCount = AddrOffset(newBase, newLimit) >> arena->grainShift;
    mapSize = newCount * sizeof(Tract);
    res = arena->klass->tableMap(arena, (Addr *)&newTable, mapSize);
  }
  if (res != ResOK)
    return res;
  RING_FOR(node, &arena->chunkRing, next) {
    Chunk chunk = RING_ELT(Chunk, arenaRing, node);
    Index from = (Index)(AddrOffset(oldBase, chunk->base) >> arena->grainShift);
    Index to = (Index)(AddrOffset(newBase, chunk->base) >> arena->grainShift);
    Index i;
    if (chunk->base < oldBase || chunk->limit > oldLimit || arena->tableCount == 0)
      continue;                 /* the chunk being added: no entries yet */
    for (i = 0; i < chunk->grains; ++i)
      newTable[to + i] = arena->table[from + i];
  }
  if (arena->tableCount > 0 && arena->parActive) {
    arena->tableRetired[arena->tableRetiredCount] = arena->table;
    arena->tableRetiredSize[arena->tableRetiredCount] = arena->tableMapSize;
    ++arena->tableRetiredCount;
  } else if (arena->tableCount > 0) {
    arena->klass->tableUnmap(arena, (Addr)arena->table, arena->tableMapSize);
  }
  arena->table = newTable;
  arena->tableBase = newBase;
  arena->tableCount = newCount;
  arena->tableMapSize = mapSize;
  return ResOK;
}

void TractTableRetiredFree(Arena arena)
{
  AVER(!arena->parActive);
  while (arena->tableRetiredCount > 0) {
    --arena->tableRetiredCount;
    arena->klass->tableUnmap(arena, (Addr)arena->tableRetired[arena->tableRetiredCount],
                             arena->tableRetiredSize[arena->tableRetiredCount]);
  }
}

void TractTableSet(Arena arena, Addr base, Addr limit, Tract owner)
{
  Index i = (Index)(AddrOffset(arena->tableBase, base) >> arena->grainShift);
  Index end = (Index)(AddrOffset(arena->tableBase, limit) >> arena->grainShift);
  AVER(arena->tableBase <= base && base <= limit);
  AVER(end <= arena->tableCount);
  for (; i < end; ++i)
    arena->table[i] = owner;
}

void TractTableFinish(Arena arena)
{
  if (arena->tableCount > 0)
    arena->klass->tableUnmap(arena, (Addr)arena->table, arena->tableMapSize);
  arena->table = NULL;
  arena->tableCount = 0;
}

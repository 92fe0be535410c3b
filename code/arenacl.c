/* arenacl.c: the client arena class
 *
 * The client hands in blocks of memory; each becomes a chunk.  Nothing is
 * reserved or committed with the operating system: "committing" only
 * counts.  The tract table lives in the header of the newest chunk, sized
 * for the span of all chunks, so a block given to mps_arena_extend that is
 * far from the others needs room for a large table (ResMEMORY if it has
 * not).
 */

#include "arena.h"
#include "args.h"
#include "vgmem.h"
#include "mpsacl.h"

#define CL_GRAIN_DEFAULT ((Size)8192)

ARG_DEFINE_KEY(ARENA_CL_BASE);

typedef struct CLArenaStruct {
  ArenaStruct arenaStruct;
  Addr tableSpace;              /* table room in the chunk being added */
  Size tableSpaceSize;
} CLArenaStruct, *CLArena;

#define CLArenaOf(arena) ((CLArena)(void *)(arena))

static void clArenaVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_ARENA_SIZE;
  args[0].val.size = va_arg(varargs, size_t);
  args[1].key = MPS_KEY_ARENA_CL_BASE;
  args[1].val.addr = va_arg(varargs, mps_addr_t);
  args[2].key = MPS_KEY_ARGS_END;
}

/* Work out the layout of a chunk in the block [base, base+size): where the
 * chunk starts and ends, how big its header is (class data of `extra`
 * bytes and a tract table able to cover spanBase..spanLimit included). */
static Res clChunkLayout(Addr *chunkBaseReturn, Addr *chunkLimitReturn,
                         Size *headerReturn, Size *tableBytesReturn,
                         Addr base, Size size, Size grainSize, Size extra,
                         Addr spanBase, Addr spanLimit)
{
  Addr chunkBase = AddrAlignUp(base, grainSize);
  Addr chunkLimit = AddrAlignDown(AddrAdd(base, size), grainSize);
  Shift gs = SizeLog2(grainSize);
  Size tableBytes, header;

  if (AddrAdd(base, size) < base || chunkLimit <= chunkBase)
    return ResMEMORY;
  spanBase = spanBase == NULL ? chunkBase : AddrMin(spanBase, chunkBase);
  spanLimit = spanLimit == NULL ? chunkLimit : AddrMax(spanLimit, chunkLimit);
  tableBytes = (AddrOffset(spanBase, spanLimit) >> gs) * sizeof(Tract);
  header = ChunkHeaderSize(AddrOffset(chunkBase, chunkLimit), gs,
                           SizeAlignUp(extra, sizeof(Word)) + tableBytes);
  if (header >= AddrOffset(chunkBase, chunkLimit))
    return ResMEMORY;
  *chunkBaseReturn = chunkBase;
  *chunkLimitReturn = chunkLimit;
  *headerReturn = header;
  *tableBytesReturn = tableBytes;
  return ResOK;
}

/* Make a chunk of [chunkBase, chunkLimit) and add it to the arena.  Its
 * header holds the ChunkStruct, `extra` bytes of class data, room for the
 * tract table, then the bit tables. */
static Res clChunkAdd(Arena arena, Addr chunkBase, Addr chunkLimit, Size header,
                      Size extra, Size tableBytes)
{
  Chunk chunk = (Chunk)chunkBase;
  CLArena clArena = CLArenaOf(arena);
  Size tableOffset = SizeAlignUp(sizeof(ChunkStruct), sizeof(Word))
                     + SizeAlignUp(extra, sizeof(Word));
  Res res;

  if (arena->committed + header > arena->commitLimit)
    return ResCOMMIT_LIMIT;
  clArena->tableSpace = AddrAdd(chunkBase, tableOffset);
  clArena->tableSpaceSize = tableBytes;
  ChunkInit(chunk, arena, chunkBase, chunkLimit, header,
            SizeAlignUp(extra, sizeof(Word)) + tableBytes);
  res = TractTableCover(arena, chunkBase, chunkLimit);
  clArena->tableSpace = NULL;
  clArena->tableSpaceSize = 0;
  if (res != ResOK) {
    ChunkFinish(chunk);
    return res;
  }
  ArenaChunkAdded(arena, chunk);
  VG_NOACCESS(chunk->headerLimit, AddrOffset(chunk->headerLimit, chunk->limit));
  return ResOK;
}

static Res clArenaCreate(Arena *arenaReturn, ArgList args)
{
  Size size, grainSize = CL_GRAIN_DEFAULT, header, tableBytes;
  Addr base, chunkBase, chunkLimit;
  Arena arena;
  ArgStruct arg;
  Res res;

  if (!ArgRequire(&arg, args, MPS_KEY_ARENA_CL_BASE, "mps_arena_create_k"))
    return ResPARAM;
  base = (Addr)arg.val.addr;
  if (!ArgRequire(&arg, args, MPS_KEY_ARENA_SIZE, "mps_arena_create_k"))
    return ResPARAM;
  size = arg.val.size;
  if (ArgPick(&arg, args, MPS_KEY_ARENA_GRAIN_SIZE)) {
    ARGCHECKF("mps_arena_create_k", WordIsP2(arg.val.size) && arg.val.size >= sizeof(void *),
              ResPARAM);
    grainSize = arg.val.size;
  }
  ARGCHECKF("mps_arena_create_k", base != NULL, ResPARAM);
  res = clChunkLayout(&chunkBase, &chunkLimit, &header, &tableBytes, base, size,
                      grainSize, sizeof(CLArenaStruct), NULL, NULL);
  if (res != ResOK)
    return res;
  arena = (Arena)AddrAdd(chunkBase, SizeAlignUp(sizeof(ChunkStruct), sizeof(Word)));
  res = ArenaInit(arena, ArenaClassCL(), grainSize, args);
  if (res != ResOK)
    return res;
  CLArenaOf(arena)->tableSpace = NULL;
  CLArenaOf(arena)->tableSpaceSize = 0;
  {
    Size csize = AddrOffset(chunkBase, chunkLimit);
    arena->zoneShift = SizeLog2(csize) > WORD_SHIFT + arena->grainShift
                       ? SizeLog2(csize) - WORD_SHIFT : arena->grainShift;
  }
  res = clChunkAdd(arena, chunkBase, chunkLimit, header, sizeof(CLArenaStruct), tableBytes);
  if (res != ResOK) {
    ArenaFinish(arena);
    return res;
  }
  *arenaReturn = arena;
  return ResOK;
}

static void clArenaDestroy(Arena arena)
{
  Chunk primary = arena->primary;
  Ring node, next;
  RING_FOR(node, &arena->chunkRing, next) {
    Chunk chunk = RING_ELT(Chunk, arenaRing, node);
    if (chunk != primary) {
      VG_UNDEFINED(chunk->base, AddrOffset(chunk->base, chunk->limit));
      ArenaChunkRemoved(arena, chunk);
      ChunkFinish(chunk);
    }
  }
  {
    Addr base = primary->base;
    Size size = AddrOffset(primary->base, primary->limit);
    ArenaChunkRemoved(arena, primary);
    ChunkFinish(primary);
    ArenaFinish(arena);
    VG_UNDEFINED(base, size);
  }
}

static Res clArenaGrow(Arena arena, Size size)
{
  UNUSED(arena); UNUSED(size);
  return ResRESOURCE;           /* only the client can add memory */
}

static Res clArenaCommit(Arena arena, Addr base, Addr limit)
{
  UNUSED(arena); UNUSED(base); UNUSED(limit);
  return ResOK;
}

static void clArenaDecommit(Arena arena, Addr base, Addr limit)
{
  UNUSED(arena); UNUSED(base); UNUSED(limit);
}

static Res clArenaExtend(Arena arena, Addr base, Size size)
{
  Addr chunkBase, chunkLimit;
  Size header, tableBytes;
  Addr spanLimit = AddrAdd(arena->tableBase, arena->tableCount << arena->grainShift);
  Res res;
  res = clChunkLayout(&chunkBase, &chunkLimit, &header, &tableBytes, base, size,
                      arena->grainSize, 0, arena->tableBase, spanLimit);
  if (res != ResOK)
    return res;
  if (ArenaChunkOfAddr(arena, chunkBase) != NULL
      || ArenaChunkOfAddr(arena, AddrSub(chunkLimit, 1)) != NULL)
    return ResPARAM;            /* overlaps a block the arena has */
  return clChunkAdd(arena, chunkBase, chunkLimit, header, 0, tableBytes);
}

static Res clArenaTableMap(Arena arena, Addr *baseReturn, Size size)
{
  CLArena clArena = CLArenaOf(arena);
  if (clArena->tableSpace == NULL || size > clArena->tableSpaceSize)
    return ResMEMORY;
  *baseReturn = clArena->tableSpace;
  {
    Size i;
    for (i = 0; i < size / sizeof(Tract); ++i)
      ((Tract *)clArena->tableSpace)[i] = NULL;
  }
  return ResOK;
}

static void clArenaTableUnmap(Arena arena, Addr base, Size size)
{
  UNUSED(arena); UNUSED(base); UNUSED(size);
}

static const ArenaClassStruct clArenaClass = {
  ArenaClassSig, "CL",
  clArenaVarargs, clArenaCreate, clArenaDestroy, clArenaGrow,
  clArenaCommit, clArenaDecommit, clArenaExtend,
  clArenaTableMap, clArenaTableUnmap,
  FALSE, FALSE
};

ArenaClass ArenaClassCL(void)
{
  return (ArenaClass)&clArenaClass;
}

mps_arena_class_t mps_arena_class_cl(void)
{
  return (mps_arena_class_t)ArenaClassCL();
}

/* arenavm.c: the virtual-memory arena class
 *
 * Chunks are reservations of address space from the operating system.
 * The first chunk's header holds the arena structure itself.  When the
 * chunks are full the arena reserves another chunk, preferably just above
 * the highest one so that the tract table stays dense.
 */

#include "arena.h"
#include "args.h"
#include "vm.h"
#include "vgmem.h"
#include "mpsavm.h"

#define VM_ARENA_SIZE_DEFAULT ((Size)1 << 28)   /* 256 MiB, tuning */

typedef struct VMArenaStruct {
  ArenaStruct arenaStruct;
  Size chunkSize;               /* size of the first chunk */
} VMArenaStruct, *VMArena;

#define VMArenaOf(arena) ((VMArena)(void *)(arena))

/* Reserve a chunk of at least size bytes, commit its header (extra bytes of
 * class data after the ChunkStruct), and return where it starts. */
static Res vmChunkReserve(Addr *baseReturn, Size *sizeReturn, Size *headerReturn,
                          Size size, Size grainSize, Size extra, Addr hint,
                          Arena arena)
{
  Addr base;
  Size header;
  Shift gs = SizeLog2(grainSize);
  Align align = SizeMax(grainSize, VMPageSize());
  Res res;

  size = SizeAlignUp(size, align);
  if (size == 0)
    return ResRESOURCE;
  header = SizeAlignUp(ChunkHeaderSize(size, gs, extra), align);
  if (header >= size) {
    size = SizeAlignUp(header + size, align);
    header = SizeAlignUp(ChunkHeaderSize(size, gs, extra), align);
  }
  if (arena != NULL && arena->committed + header > arena->commitLimit)
    return ResCOMMIT_LIMIT;
  res = VMReserve(&base, size, align, hint);
  if (res != ResOK)
    return res;
  res = VMCommit(base, AddrAdd(base, header));
  if (res != ResOK) {
    VMRelease(base, size);
    return res;
  }
  *baseReturn = base;
  *sizeReturn = size;
  *headerReturn = header;
  return ResOK;
}

static void vmArenaVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_ARENA_SIZE;
  args[0].val.size = va_arg(varargs, size_t);
  args[1].key = MPS_KEY_ARGS_END;
}

static Res vmArenaCreate(Arena *arenaReturn, ArgList args)
{
  Size size = VM_ARENA_SIZE_DEFAULT;
  Size grainSize = VMPageSize();
  Size header;
  Addr base;
  Chunk chunk;
  Arena arena;
  ArgStruct arg;
  Res res;

  if (ArgPick(&arg, args, MPS_KEY_ARENA_SIZE))
    size = arg.val.size;
  if (ArgPick(&arg, args, MPS_KEY_ARENA_GRAIN_SIZE)) {
    ARGCHECKF("mps_arena_create_k", WordIsP2(arg.val.size), ResPARAM);
    grainSize = SizeMax(arg.val.size, VMPageSize());
  }
  /* Enough grains for every zone to have at least one. */
  size = SizeMax(size, grainSize * WORD_WIDTH);

  res = vmChunkReserve(&base, &size, &header, size, grainSize,
                       sizeof(VMArenaStruct), NULL, NULL);
  if (res != ResOK)
    return res;
  chunk = (Chunk)base;
  arena = (Arena)AddrAdd(base, SizeAlignUp(sizeof(ChunkStruct), sizeof(Word)));
  res = ArenaInit(arena, ArenaClassVM(), grainSize, args);
  if (res != ResOK)
    goto failInit;
  VMArenaOf(arena)->chunkSize = size;
  /* Stripe the zones across the first chunk. */
  arena->zoneShift = SizeLog2(size) > WORD_SHIFT + arena->grainShift
                     ? SizeLog2(size) - WORD_SHIFT : arena->grainShift;
  if (arena->committed + header > arena->commitLimit) {
    res = ResCOMMIT_LIMIT;
    goto failLimit;
  }
  ChunkInit(chunk, arena, base, AddrAdd(base, size), header, sizeof(VMArenaStruct));
  res = TractTableCover(arena, base, AddrAdd(base, size));
  if (res != ResOK)
    goto failTable;
  ArenaChunkAdded(arena, chunk);
  *arenaReturn = arena;
  return ResOK;

failTable:
  ChunkFinish(chunk);
failLimit:
  ArenaFinish(arena);
failInit:
  VMRelease(base, size);
  return res;
}

static void vmArenaDestroy(Arena arena)
{
  Chunk primary = arena->primary;
  Addr base = primary->base;
  Size size = AddrOffset(primary->base, primary->limit);
  Ring node, next;

  RING_FOR(node, &arena->chunkRing, next) {
    Chunk chunk = RING_ELT(Chunk, arenaRing, node);
    if (chunk != primary) {
      Addr cbase = chunk->base;
      Size csize = AddrOffset(chunk->base, chunk->limit);
      ArenaChunkRemoved(arena, chunk);
      ChunkFinish(chunk);
      VMRelease(cbase, csize);
    }
  }
  ArenaChunkRemoved(arena, primary);
  ChunkFinish(primary);
  ArenaFinish(arena);
  VMRelease(base, size);
}

/* No single request may grow the arena by more than this: its chunk's
 * tables alone would be enormous.  (A terabyte, with 4 KiB grains.) */
#define VM_GROW_MAX_GRAINS ((Size)1 << 28)

static Res vmArenaGrow(Arena arena, Size size)
{
  VMArena vmArena = VMArenaOf(arena);
  Size desired = SizeMax(arena->growthDesired != 0 ? arena->growthDesired : vmArena->chunkSize,
                         size + ArenaGrainSize(arena));
  Size minimum = SizeMax(arena->growthMinimum, size + ArenaGrainSize(arena));
  Chunk top = RING_ELT(Chunk, arenaRing, arena->chunkRing.prev);
  Addr base;
  Size chunkSize, header;
  Chunk chunk;
  Res res;

  if (size / ArenaGrainSize(arena) > VM_GROW_MAX_GRAINS)
    return ResRESOURCE;
  /* The header needs room too: ask for a little more than size. */
  desired = SizeMax(desired, size + ChunkHeaderSize(size, arena->grainShift, 0));
  minimum = SizeMax(minimum, size + ChunkHeaderSize(size, arena->grainShift, 0));
  res = vmChunkReserve(&base, &chunkSize, &header, desired, ArenaGrainSize(arena),
                       0, top->limit, arena);
  if (res != ResOK && minimum < desired)
    res = vmChunkReserve(&base, &chunkSize, &header, minimum, ArenaGrainSize(arena),
                         0, top->limit, arena);
  if (res != ResOK)
    return res;
  chunk = (Chunk)base;
  ChunkInit(chunk, arena, base, AddrAdd(base, chunkSize), header, 0);
  res = TractTableCover(arena, base, AddrAdd(base, chunkSize));
  if (res != ResOK) {
    ChunkFinish(chunk);
    VMRelease(base, chunkSize);
    return res;
  }
  ArenaChunkAdded(arena, chunk);
  return ResOK;
}

static Res vmArenaCommit(Arena arena, Addr base, Addr limit)
{
  UNUSED(arena);
  return VMCommit(base, limit);
}

static void vmArenaDecommit(Arena arena, Addr base, Addr limit)
{
  UNUSED(arena);
  VMDecommit(base, limit);
}

static Res vmArenaExtend(Arena arena, Addr base, Size size)
{
  UNUSED(arena); UNUSED(base); UNUSED(size);
  return ResUNIMPL;
}

static Res vmArenaTableMap(Arena arena, Addr *baseReturn, Size size)
{
  UNUSED(arena);
  return VMMapLazy(baseReturn, SizeAlignUp(size, VMPageSize()), NULL);
}

static void vmArenaTableUnmap(Arena arena, Addr base, Size size)
{
  UNUSED(arena);
  VMRelease(base, SizeAlignUp(size, VMPageSize()));
}

static const ArenaClassStruct vmArenaClass = {
  ArenaClassSig, "VM",
  vmArenaVarargs, vmArenaCreate, vmArenaDestroy, vmArenaGrow,
  vmArenaCommit, vmArenaDecommit, vmArenaExtend,
  vmArenaTableMap, vmArenaTableUnmap,
  TRUE, TRUE
};

ArenaClass ArenaClassVM(void)
{
  return (ArenaClass)&vmArenaClass;
}

mps_arena_class_t mps_arena_class_vm(void)
{
  return (mps_arena_class_t)ArenaClassVM();
}

mps_res_t mps_arena_vm_growth(mps_arena_t arena, size_t desired, size_t minimum)
{
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(desired >= minimum, MPS_RES_PARAM);
  ArenaEnter(arena);
  arena->growthDesired = desired;
  arena->growthMinimum = minimum;
  ArenaLeave(arena);
  return MPS_RES_OK;
}

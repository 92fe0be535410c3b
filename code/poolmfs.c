/* poolmfs.c: the MFS pool class (see poolmfs.h)
 *
 * Memcheck's view of a pool's memory, kept up to date through vgmem.h:
 * units handed out are the client's (undefined until written); free units,
 * the uncarved part of a run and the run trailers are no-access, and are
 * opened only for the word the pool reads or writes.  So a client that
 * touches a unit after freeing it, or runs off the end of the last unit
 * into a trailer, is reported.
 */

#include "poolmfs.h"
#include "args.h"
#include "vgmem.h"
#include "mpscmfs.h"

ARG_DEFINE_KEY(MFS_UNIT_SIZE);

/* ARGCHECKF with the rule spelt out in the client's terms (the keyword),
 * for rules whose C expression would mean nothing to the client. */
#if TARN_CHECK_ARGS
#define MFS_ARGCHECK(func, cond, rule, ret) \
  do { if (!(cond)) { ArgFail(__FILE__, __LINE__, (func), (rule)); return ret; } } while (0)
#else
#define MFS_ARGCHECK(func, cond, rule, ret) ((void)0)
#endif

/* Sizes above this are refused at creation: rounding them up to a grain
 * could wrap round, and no arena could supply them anyway. */
#define MFS_SIZE_MAX (((Size)-1) / 4)

#define MFS_TRAILER_SIZE (sizeof(MFSRunStruct))

Bool MFSCheck(MFS mfs)
{
  Pool pool;
  CHECKS(MFS, mfs);
  pool = MFSPool(mfs);
  /* Not PoolCheck: that calls this function through the class. */
  CHECKL(pool->sig == PoolSig);
  CHECKL(pool->klass == PoolClassMFS());
  CHECKL(mfs->unitSize >= sizeof(Addr));
  CHECKL(mfs->unitSize >= mfs->givenUnitSize);
  CHECKL(SizeIsAligned(mfs->unitSize, PoolAlignment(pool)));
  CHECKL(SizeIsAligned(mfs->runSize, ArenaGrainSize(PoolArena(pool))));
  CHECKL(mfs->runSize >= mfs->unitSize + MFS_TRAILER_SIZE);
  CHECKL(mfs->carveBase <= mfs->carveLimit);
  CHECKL(mfs->total == mfs->runCount * mfs->runSize);
  CHECKL((mfs->runs == NULL) == (mfs->runCount == 0));
  CHECKL((mfs->freeList == NULL) == (mfs->freeCount == 0));
  CHECKL(AddrIsAligned(mfs->freeList, PoolAlignment(pool)));
  CHECKL((mfs->inUse + mfs->freeCount) * mfs->unitSize <= mfs->total);
  return TRUE;
}

Size MFSUnitSize(Pool pool)
{
  AVERT(MFS, MFSOfPool(pool));
  return MFSOfPool(pool)->unitSize;
}

/* Each run's trailer sits at its very end, word aligned because runs are
 * whole grains. */
static MFSRun mfsRunTrailer(Addr base, Size size)
{
  return (MFSRun)(void *)AddrSub(AddrAdd(base, size), MFS_TRAILER_SIZE);
}

/* Take a new run from the arena and make it the carving region.  Whatever
 * is left of the old region is smaller than a unit and is simply dropped:
 * it stays counted in the total and in the free size. */
static Res mfsExtend(MFS mfs)
{
  Pool pool = MFSPool(mfs);
  LocusPrefStruct pref;
  MFSRun run;
  Addr base;
  Res res;

  LocusPrefInit(&pref);
  res = PoolArenaAlloc(&base, &pref, mfs->runSize, pool);
  if (res != ResOK)
    return res;             /* nothing changed: the pool is as it was */
  run = mfsRunTrailer(base, mfs->runSize);
  run->next = mfs->runs;
  run->base = base;
  run->size = mfs->runSize;
  mfs->runs = run;
  ++mfs->runCount;
  mfs->total += mfs->runSize;
  mfs->carveBase = base;
  mfs->carveLimit = (Addr)run;
  VG_NOACCESS(base, mfs->runSize);
  return ResOK;
}

Res MFSAlloc(Addr *pReturn, Pool pool)
{
  MFS mfs = MFSOfPool(pool);
  Addr p;

  AVERT(MFS, mfs);
  AVER(pReturn != NULL);

  p = mfs->freeList;
  if (p != NULL) {
    VG_DEFINED(p, sizeof(Addr));
    mfs->freeList = *(Addr *)p;
    --mfs->freeCount;
  } else {
    if (AddrOffset(mfs->carveBase, mfs->carveLimit) < mfs->unitSize) {
      Res res = mfsExtend(mfs);
      if (res != ResOK)
        return res;
    }
    p = mfs->carveBase;
    mfs->carveBase = AddrAdd(p, mfs->unitSize);
  }
  VG_UNDEFINED(p, mfs->unitSize);
  ++mfs->inUse;
  *pReturn = p;
  return ResOK;
}

#if TARN_CHECK_INTERNAL
/* Is p the start of a unit this pool has carved?  Linear in the number of
 * runs, so only the cool variety asks, and it looks at no more than
 * MFS_CHECK_RUNS of the newest runs (beyond those it gives the benefit of
 * the doubt) so that a big pool does not make every free slow. */
#define MFS_CHECK_RUNS 64
static Bool mfsIsCarvedUnit(MFS mfs, Addr p)
{
  MFSRun run = mfs->runs;
  Count looked = 0;
  while (run != NULL) {
    MFSRun next;
    Addr base, limit;
    VG_DEFINED(run, MFS_TRAILER_SIZE);
    next = run->next;
    base = run->base;
    /* Only the newest run is partly carved. */
    limit = run == mfs->runs ? mfs->carveBase : (Addr)run;
    VG_NOACCESS(run, MFS_TRAILER_SIZE);
    if (base <= p && p < limit)
      return AddrOffset(base, p) % mfs->unitSize == 0
             && AddrOffset(p, limit) >= mfs->unitSize;
    if (++looked == MFS_CHECK_RUNS)
      return TRUE;
    run = next;
  }
  return FALSE;
}
#endif

void MFSFree(Pool pool, Addr old)
{
  MFS mfs = MFSOfPool(pool);

  AVERT(MFS, mfs);
  AVER(old != NULL);
  AVER(mfs->inUse > 0);
  AVER(mfsIsCarvedUnit(mfs, old));

  /* The client owned the unit until now, so its first word is
   * addressable. */
  *(Addr *)old = mfs->freeList;
  mfs->freeList = old;
  ++mfs->freeCount;
  --mfs->inUse;
  VG_NOACCESS(old, mfs->unitSize);
}

/* The client's size must name the unit (the pool does not store sizes,
 * so this is the only check it can make).  The size given at creation is
 * what MPS documents; the rounded unit size is accepted as well, because
 * a segregated allocation cache can only ask for multiples of the pool
 * alignment, and it denotes the same unit.  These methods are reached
 * only from mps_alloc and mps_free (and from caches, whose class sizes
 * the client chose), so the checks are reported under those names. */
static Res mfsAllocMethod(Addr *pReturn, Pool pool, Size size)
{
  MFS mfs = MFSOfPool(pool);
  AVERT(MFS, mfs);
  MFS_ARGCHECK("mps_alloc", size == mfs->givenUnitSize || size == mfs->unitSize,
               "size == MPS_KEY_MFS_UNIT_SIZE of the pool", ResPARAM);
  UNUSED(mfs);                  /* in the rash variety */
  UNUSED(size);
  return MFSAlloc(pReturn, pool);
}

static void mfsFreeMethod(Pool pool, Addr old, Size size)
{
  MFS mfs = MFSOfPool(pool);
  AVERT(MFS, mfs);
  /* On a mismatch the unit stays allocated rather than be guessed at.
   * mps_free has checked that the address is in the pool; that it is
   * aligned is the cheap part of being a unit (the cool variety checks
   * the rest in MFSFree). */
  MFS_ARGCHECK("mps_free", size == mfs->givenUnitSize || size == mfs->unitSize,
               "size == MPS_KEY_MFS_UNIT_SIZE of the pool", /* void */);
  MFS_ARGCHECK("mps_free", AddrIsAligned(old, PoolAlignment(pool)),
               "the address is a block of the pool", /* void */);
  UNUSED(mfs);                  /* in the rash variety */
  UNUSED(size);
  MFSFree(pool, old);
}

/* mps_pool_create(&pool, arena, mps_class_mfs(), extend_by, unit_size) */
static void mfsVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_EXTEND_BY;
  args[0].val.size = va_arg(varargs, size_t);
  args[1].key = MPS_KEY_MFS_UNIT_SIZE;
  args[1].val.size = va_arg(varargs, size_t);
  args[2].key = MPS_KEY_ARGS_END;
}

static Res mfsInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  MFS mfs = MFSOfPool(pool);
  Size extendBy = MFS_EXTEND_BY_DEFAULT;
  Size givenUnitSize, unitSize;
  ArgStruct arg;

  AVERT(Arena, arena);
  AVER(klass == PoolClassMFS());
  UNUSED(klass);

  /* The generic layer cannot know which keys a class requires, so the
   * class reports a missing one in the name of the creating function. */
  if (!ArgRequire(&arg, args, MPS_KEY_MFS_UNIT_SIZE, "mps_pool_create_k"))
    return ResPARAM;
  givenUnitSize = arg.val.size;
  if (ArgPick(&arg, args, MPS_KEY_EXTEND_BY))
    extendBy = arg.val.size;
  MFS_ARGCHECK("mps_pool_create_k", givenUnitSize > 0,
               "MPS_KEY_MFS_UNIT_SIZE > 0", ResPARAM);
  MFS_ARGCHECK("mps_pool_create_k", givenUnitSize <= MFS_SIZE_MAX,
               "MPS_KEY_MFS_UNIT_SIZE fits in the address space", ResPARAM);
  MFS_ARGCHECK("mps_pool_create_k", extendBy <= MFS_SIZE_MAX,
               "MPS_KEY_EXTEND_BY fits in the address space", ResPARAM);

  /* A free unit must hold the link word, and units must stay aligned. */
  unitSize = SizeAlignUp(SizeMax(givenUnitSize, sizeof(Addr)), PoolAlignment(pool));
  mfs->givenUnitSize = givenUnitSize;
  mfs->unitSize = unitSize;
  /* A run must hold at least one unit besides its trailer. */
  mfs->runSize = SizeAlignUp(SizeMax(extendBy, unitSize + MFS_TRAILER_SIZE),
                             ArenaGrainSize(arena));
  mfs->freeList = NULL;
  mfs->carveBase = mfs->carveLimit = NULL;
  mfs->runs = NULL;
  mfs->runCount = 0;
  mfs->freeCount = 0;
  mfs->inUse = 0;
  mfs->total = 0;
  mfs->sig = MFSSig;
  AVERT(MFS, mfs);
  return ResOK;
}

/* Give every run back.  Units still allocated simply cease to exist. */
static void mfsFinish(Pool pool)
{
  MFS mfs = MFSOfPool(pool);
  MFSRun run;

  AVERT(MFS, mfs);
  run = mfs->runs;
  while (run != NULL) {
    MFSRun next;
    Addr base;
    Size size;
    VG_DEFINED(run, MFS_TRAILER_SIZE);
    next = run->next;
    base = run->base;
    size = run->size;
    PoolArenaFree(pool, base, size);
    run = next;
  }
  mfs->runs = NULL;
  mfs->runCount = 0;
  mfs->total = 0;
  mfs->sig = SigINVALID;
}

static Size mfsTotalSize(Pool pool)
{
  MFS mfs = MFSOfPool(pool);
  AVERT(MFS, mfs);
  return mfs->total;
}

/* Everything not in a unit the client holds: free units, the uncarved
 * region, the remnants too small for a unit, and the trailers. */
static Size mfsFreeSize(Pool pool)
{
  MFS mfs = MFSOfPool(pool);
  AVERT(MFS, mfs);
  return mfs->total - mfs->inUse * mfs->unitSize;
}

static Bool mfsCheckMethod(Pool pool)
{
  return MFSCheck(MFSOfPool(pool));
}

static const PoolClassStruct mfsPoolClass = {
  .sig = PoolClassSig,
  .name = "MFS",
  .size = sizeof(MFSStruct),
  .bufferSize = 0,
  .attr = 0,
  .varargs = mfsVarargs,
  .init = mfsInit,
  .finish = mfsFinish,
  .alloc = mfsAllocMethod,
  .free = mfsFreeMethod,
  .totalSize = mfsTotalSize,
  .freeSize = mfsFreeSize,
  .check = mfsCheckMethod,
};

PoolClass PoolClassMFS(void)
{
  return &mfsPoolClass;
}

mps_pool_class_t mps_class_mfs(void)
{
  return (mps_pool_class_t)PoolClassMFS();
}

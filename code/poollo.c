/* poollo.c: LO, the leaf-object pool
 *
 * Automatically managed, non-moving, never scanned: objects hold no
 * references to managed memory, so the pool only marks them (through
 * ambiguous or exact references to their client addresses) and sweeps
 * the unmarked.  It never protects its memory, so unregistered threads may
 * use LO blocks (contract 6.5).  All the machinery is marksweep.c's.
 */

#include "marksweep.h"
#include "mpsclo.h"

static void loVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_FORMAT;
  args[0].val.format = va_arg(varargs, mps_fmt_t);
  args[1].key = MPS_KEY_ARGS_END;
}

static Res loInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  UNUSED(klass);
  return MSPoolInit(pool, arena, args, FALSE, 1, TRUE);
}

static Res loBufferInit(Buffer buffer, Pool pool, ArgList args)
{
  ArgStruct arg;
  UNUSED(pool);
  (void)ArgPick(&arg, args, MPS_KEY_RANK);
  buffer->rank = RankEXACT;
  return ResOK;
}

static const PoolClassStruct poolClassLOStruct = {
  PoolClassSig, "LO", sizeof(MSPoolStruct), 0,
  PoolAttrGC | PoolAttrFORMAT | PoolAttrPARALLEL,
  loVarargs, loInit, MSPoolFinish,
  NULL, NULL,                               /* alloc, free */
  loBufferInit, NULL, MSBufferFill, MSBufferEmpty,
  NULL, NULL, NULL, NULL,                   /* frames, ramps */
  MSTotalSize, MSFreeSize,
  MSWalk, NULL, NULL,                       /* walk, addrObject, check */
  MSWhiten, NULL, NULL, MSFix, MSFix,       /* whiten, grey, scan, fix, emergency */
  MSReclaim, NULL
};

PoolClass PoolClassLO(void)
{
  return &poolClassLOStruct;
}

mps_pool_class_t mps_class_lo(void)
{
  return (mps_pool_class_t)PoolClassLO();
}

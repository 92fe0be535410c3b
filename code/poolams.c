/* poolams.c: AMS, automatic mark-and-sweep
 *
 * Non-moving and non-generational: objects stay where they were
 * allocated and in the generation they were allocated in.  Objects are
 * scanned at the rank of the allocation point that made them, exact or
 * ambiguous (MPS_KEY_RANK), each segment holding one rank.  With
 * MPS_KEY_AMS_SUPPORT_AMBIGUOUS false, ambiguous references to the pool's
 * objects preserve nothing.  The machinery is marksweep.c's.
 */

#include "marksweep.h"
#include "args.h"
#include "mpscams.h"

ARG_DEFINE_KEY(AMS_SUPPORT_AMBIGUOUS);

static void amsVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_FORMAT;
  args[0].val.format = va_arg(varargs, mps_fmt_t);
  args[1].key = MPS_KEY_CHAIN;
  args[1].val.chain = va_arg(varargs, mps_chain_t);
  args[2].key = MPS_KEY_AMS_SUPPORT_AMBIGUOUS;
  args[2].val.b = va_arg(varargs, mps_bool_t);
  args[3].key = MPS_KEY_ARGS_END;
}

static Res amsInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  ArgStruct arg;
  Bool supportAmbiguous = TRUE;
  Res res;
  UNUSED(klass);
  if (ArgPick(&arg, args, MPS_KEY_AMS_SUPPORT_AMBIGUOUS))
    supportAmbiguous = arg.val.b != 0;
  res = MSPoolInit(pool, arena, args, TRUE, 1, TRUE);
  if (res != ResOK)
    return res;
  MSPoolOf(pool)->supportAmbiguous = supportAmbiguous;
  return ResOK;
}

static Res amsBufferInit(Buffer buffer, Pool pool, ArgList args)
{
  Res res = MSBufferInit(buffer, pool, args);
  if (res != ResOK)
    return res;
  ARGCHECKF("mps_ap_create_k", buffer->rank == RankEXACT || buffer->rank == RankAMBIG,
            ResPARAM); /* AMS ranks are exact or ambiguous */
  return ResOK;
}

static const PoolClassStruct poolClassAMSStruct = {
  PoolClassSig, "AMS", sizeof(MSPoolStruct), 0,
  PoolAttrGC | PoolAttrFORMAT | PoolAttrSCAN | PoolAttrRANKED | PoolAttrPARALLEL,
  amsVarargs, amsInit, MSPoolFinish,
  NULL, NULL,                               /* alloc, free */
  amsBufferInit, NULL, MSBufferFill, MSBufferEmpty,
  NULL, NULL, NULL, NULL,                   /* frames, ramps */
  MSTotalSize, MSFreeSize,
  MSWalk, NULL, NULL,                       /* walk, addrObject, check */
  MSWhiten, MSGrey, MSScan, MSFix, MSFix,
  MSReclaim, NULL
};

PoolClass PoolClassAMS(void)
{
  return &poolClassAMSStruct;
}

mps_pool_class_t mps_class_ams(void)
{
  return (mps_pool_class_t)PoolClassAMS();
}

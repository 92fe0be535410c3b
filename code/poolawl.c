/* poolawl.c: AWL, automatic weak linked
 *
 * A non-moving mark-sweep pool whose objects may hold weak references:
 * objects allocated on an allocation point of rank mps_rank_weak() live
 * in weak segments, which the tracer scans in the weak band, after every
 * strong path has been followed; a reference there to an object that
 * nothing stronger preserved is splatted to NULL (MSFix).  The client's
 * scanner sees the NULL and may clear related data in the object's
 * dependent (MPS_KEY_AWL_FIND_DEPENDENT).  While the object is scanned the
 * dependent is accessible: if the client's scanner touches it behind a
 * barrier, the fault handler, re-entered on the collector's own thread,
 * lifts the barrier (shield.c).
 */

#include "marksweep.h"
#include "args.h"
#include "mpscawl.h"

ARG_DEFINE_KEY(AWL_FIND_DEPENDENT);

static mps_addr_t awlNoDependent(mps_addr_t addr)
{
  UNUSED(addr);
  return NULL;
}

static void awlVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_FORMAT;
  args[0].val.format = va_arg(varargs, mps_fmt_t);
  args[1].key = MPS_KEY_AWL_FIND_DEPENDENT;
  args[1].val.addr_method = va_arg(varargs, mps_awl_find_dependent_t);
  args[2].key = MPS_KEY_ARGS_END;
}

static Res awlInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  ArgStruct arg;
  mps_awl_find_dependent_t findDependent = awlNoDependent;
  Res res;
  UNUSED(klass);
  if (ArgPick(&arg, args, MPS_KEY_AWL_FIND_DEPENDENT) && arg.val.addr_method != NULL)
    findDependent = arg.val.addr_method;
  res = MSPoolInit(pool, arena, args, TRUE, 1, TRUE);
  if (res != ResOK)
    return res;
  MSPoolOf(pool)->findDependent = findDependent;
  return ResOK;
}

static Res awlBufferInit(Buffer buffer, Pool pool, ArgList args)
{
  Res res = MSBufferInit(buffer, pool, args);
  if (res != ResOK)
    return res;
  ARGCHECKF("mps_ap_create_k", buffer->rank == RankEXACT || buffer->rank == RankWEAK,
            ResPARAM); /* AWL ranks are exact or weak */
  return ResOK;
}

static const PoolClassStruct poolClassAWLStruct = {
  PoolClassSig, "AWL", sizeof(MSPoolStruct), 0,
  PoolAttrGC | PoolAttrFORMAT | PoolAttrSCAN | PoolAttrRANKED | PoolAttrPARALLEL,
  awlVarargs, awlInit, MSPoolFinish,
  NULL, NULL,                               /* alloc, free */
  awlBufferInit, NULL, MSBufferFill, MSBufferEmpty,
  NULL, NULL, NULL, NULL,                   /* frames, ramps */
  MSTotalSize, MSFreeSize,
  MSWalk, NULL, NULL,                       /* walk, addrObject, check */
  MSWhiten, MSGrey, MSScan, MSFix, MSFix,
  MSReclaim, NULL
};

PoolClass PoolClassAWL(void)
{
  return &poolClassAWLStruct;
}

mps_pool_class_t mps_class_awl(void)
{
  return (mps_pool_class_t)PoolClassAWL();
}

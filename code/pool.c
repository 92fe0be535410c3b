/* pool.c: the generic pool (see pool.h) */

#include "pool.h"
#include "buffer.h"
#include "control.h"
#include "vgmem.h"
#include "event.h"
#include <string.h>

Bool PoolClassCheck(PoolClass klass)
{
  CHECKS(PoolClass, klass);
  CHECKL(klass->name != NULL);
  CHECKL(klass->size >= sizeof(PoolStruct));
  CHECKL(klass->init != NULL && klass->finish != NULL);
  CHECKL(klass->totalSize != NULL && klass->freeSize != NULL);
  CHECKL((klass->bufferFill == NULL) == (klass->bufferEmpty == NULL));
  CHECKL(klass->bufferSize == 0 || klass->bufferSize >= sizeof(BufferStruct));
  return TRUE;
}

Bool PoolCheck(Pool pool)
{
  CHECKS(Pool, pool);
  CHECKD(PoolClass, pool->klass);
  CHECKL(pool->arena != NULL && pool->arena->sig == ArenaSig);
  CHECKL(WordIsP2(pool->alignment));
  CHECKL(pool->alignment == (Align)1 << pool->alignShift);
  CHECKL(pool->tractStruct.pool == pool);
  CHECKL(pool->tractStruct.seg == NULL);
  if (pool->klass->check != NULL)
    CHECKL(pool->klass->check(pool));
  return TRUE;
}

void PoolInitGeneric(Pool pool, Arena arena, PoolClass klass)
{
  pool->klass = klass;
  pool->arena = arena;
  RingInit(&pool->arenaRing);
  RingInit(&pool->bufferRing);
  RingInit(&pool->segRing);
  pool->alignment = sizeof(void *) > MPS_PF_ALIGN ? sizeof(void *) : MPS_PF_ALIGN;
  pool->alignShift = SizeLog2(pool->alignment);
  pool->format = NULL;
  pool->tractStruct.white = TraceSetEMPTY;
  pool->tractStruct.pool = pool;
  pool->tractStruct.seg = NULL;
  pool->bufferSerial = 0;
  pool->sacCount = 0;
  pool->serial = arena->poolSerial++;
  pool->sig = PoolSig;
}

void PoolFinishGeneric(Pool pool)
{
  AVER(RingIsSingle(&pool->bufferRing));
  pool->sig = SigINVALID;
  RingFinish(&pool->bufferRing);
  RingFinish(&pool->segRing);
}

Res PoolCreate(Pool *poolReturn, Arena arena, PoolClass klass, ArgList args)
{
  Pool pool;
  void *p;
  Res res;

  AVERT(Arena, arena);
  AVERT(PoolClass, klass);
  res = ControlAlloc(&p, arena, klass->size);
  if (res != ResOK)
    return res;
  memset(p, 0, klass->size);
  pool = (Pool)p;
  PoolInitGeneric(pool, arena, klass);
  res = klass->init(pool, arena, klass, args);
  if (res != ResOK) {
    PoolFinishGeneric(pool);
    ControlFree(arena, p, klass->size);
    return res;
  }
  pool->alignShift = SizeLog2(pool->alignment);
  RingAppend(&arena->poolRing, &pool->arenaRing);
  AVERT(Pool, pool);
  if (EVENT_ON(POOL))
    EventWriteString(EventCodePoolCreate, (Word)pool, klass->name);
  *poolReturn = pool;
  return ResOK;
}

void PoolDestroy(Pool pool)
{
  Arena arena = PoolArena(pool);
  PoolClass klass = pool->klass;
  AVERT(Pool, pool);
  EVENTN(PoolDestroy, POOL, (Word)arena, (Word)pool);
  RingRemove(&pool->arenaRing);
  klass->finish(pool);
  PoolFinishGeneric(pool);
  ControlFree(arena, pool, klass->size);
}

Res PoolAlloc(Addr *pReturn, Pool pool, Size size)
{
  Res res;
  AVERT(Pool, pool);
  AVER(size > 0);
  AVER(pool->klass->alloc != NULL);  /* mps_alloc checked */
  res = pool->klass->alloc(pReturn, pool, size);
  if (res == ResOK) {
    AVER(AddrIsAligned(*pReturn, pool->alignment));
  }
  return res;
}

void PoolFree(Pool pool, Addr old, Size size)
{
  AVERT(Pool, pool);
  AVER(old != NULL);
  AVER(size > 0);
  AVER(pool->klass->free != NULL);
  pool->klass->free(pool, old, size);
}

Size PoolTotalSize(Pool pool)
{
  AVERT(Pool, pool);
  return pool->klass->totalSize(pool);
}

Size PoolFreeSize(Pool pool)
{
  AVERT(Pool, pool);
  return pool->klass->freeSize(pool);
}

Bool PoolHasAddr(Pool pool, Addr addr)
{
  Tract tract = TractOfAddr(PoolArena(pool), addr);
  return tract != NULL && tract->pool == pool;
}

Res PoolArenaAlloc(Addr *baseReturn, LocusPref pref, Size size, Pool pool)
{
  return ArenaAlloc(baseReturn, pref, size, PoolArena(pool), &pool->tractStruct);
}

void PoolArenaFree(Pool pool, Addr base, Size size)
{
  AVER(TractOfAddr(PoolArena(pool), base) == &pool->tractStruct);
  ArenaFree(PoolArena(pool), base, size);
}

/* buffer.c: allocation points (see buffer.h) */

#include "buffer.h"
#include "pool.h"
#include "control.h"
#include "trace.h"
#include "event.h"
#include "thread.h"
#include <string.h>

Bool BufferCheck(Buffer buffer)
{
  CHECKS(Buffer, buffer);
  CHECKL(buffer->pool != NULL && buffer->pool->sig == PoolSig);
  if (buffer->base == NULL) {
    CHECKL(buffer->apStruct.init == NULL || (buffer->mode & BufferModeFLIPPED) == 0);
  } else {
    CHECKL(buffer->base <= BufferInit(buffer));
    CHECKL(BufferInit(buffer) <= BufferAlloc(buffer));
    CHECKL(BufferAlloc(buffer) <= buffer->poolLimit);
    CHECKL(buffer->apStruct.limit == NULL
           || (Addr)buffer->apStruct.limit == buffer->poolLimit);
  }
  CHECKL((buffer->mode & BufferModeFLIPPED) == 0 || buffer->apStruct.limit == NULL);
  return TRUE;
}

static void bufferSetEmpty(Buffer buffer)
{
  buffer->base = NULL;
  buffer->poolLimit = NULL;
  buffer->apStruct.init = NULL;
  buffer->apStruct.alloc = NULL;
  buffer->apStruct.limit = NULL;
  buffer->seg = NULL;
}

static Size bufferStructSize(Pool pool)
{
  return pool->klass->bufferSize != 0 ? pool->klass->bufferSize : sizeof(BufferStruct);
}

Res BufferCreate(Buffer *bufferReturn, Pool pool, ArgList args)
{
  Arena arena = PoolArena(pool);
  Size size = bufferStructSize(pool);
  Buffer buffer;
  ArgStruct arg;
  void *p;
  Res res;

  AVERT(Pool, pool);
  if (pool->klass->bufferFill == NULL)
    return ResUNIMPL;
  res = ControlAlloc(&p, arena, size);
  if (res != ResOK)
    return res;
  memset(p, 0, size);
  buffer = (Buffer)p;
  bufferSetEmpty(buffer);
  buffer->pool = pool;
  buffer->arena = arena;
  RingInit(&buffer->poolRing);
  buffer->rank = RankEXACT;
  buffer->mode = 0;
  buffer->rampDepth = 0;
  buffer->rampCollectAll = FALSE;
  buffer->filled = 0;
  buffer->emptied = 0;
  buffer->serial = pool->bufferSerial++;
  buffer->sig = BufferSig;
  if (pool->klass->bufferInit != NULL) {
    res = pool->klass->bufferInit(buffer, pool, args);
    if (res != ResOK) {
      buffer->sig = SigINVALID;
      ControlFree(arena, p, size);
      return res;
    }
  } else {
    /* Pools without their own init take (and ignore) a rank. */
    (void)ArgPick(&arg, args, MPS_KEY_RANK);
  }
  RingAppend(&pool->bufferRing, &buffer->poolRing);
  AVERT(Buffer, buffer);
  *bufferReturn = buffer;
  return ResOK;
}

void BufferDestroy(Buffer buffer)
{
  Pool pool = buffer->pool;
  Arena arena = buffer->arena;
  AVERT(Buffer, buffer);
  /* A block reserved but not committed is abandoned (contract 9.2). */
  buffer->apStruct.alloc = buffer->apStruct.init;
  BufferDetach(buffer);
  if (pool->klass->bufferFinish != NULL)
    pool->klass->bufferFinish(buffer);
  RingRemove(&buffer->poolRing);
  buffer->sig = SigINVALID;
  ControlFree(arena, buffer, bufferStructSize(pool));
}

void BufferDetach(Buffer buffer)
{
  Pool pool = buffer->pool;
  AVERT(Buffer, buffer);
  AVER(BufferIsReady(buffer));
  if (!BufferIsAttached(buffer))
    return;
  buffer->emptied += AddrOffset(BufferInit(buffer), buffer->poolLimit);
  pool->klass->bufferEmpty(pool, buffer, BufferInit(buffer), buffer->poolLimit);
  bufferSetEmpty(buffer);
  buffer->mode &= ~(BufferModeTRAPPED | BufferModeFLIPPED);
}

Res BufferFill(Addr *pReturn, Buffer buffer, Size size)
{
  Pool pool = buffer->pool;
  Addr base, limit;
  Res res;

  AVERT(Buffer, buffer);
  AVER(size > 0);
  AVER(BufferIsReady(buffer));

  /* A trap set for a reason other than a flip, with room left: lift it.
   * (After a flip the region may be condemned: start a new one.) */
  if ((buffer->mode & BufferModeTRAPPED) && !(buffer->mode & BufferModeFLIPPED)
      && BufferIsAttached(buffer)
      && AddrAdd(BufferAlloc(buffer), size) > BufferAlloc(buffer)
      && AddrAdd(BufferAlloc(buffer), size) <= buffer->poolLimit) {
    buffer->mode &= ~BufferModeTRAPPED;
    buffer->apStruct.limit = buffer->poolLimit;
  } else {
    BufferDetach(buffer);
    /* Allocating in an automatically managed pool is when a collection
     * may be due (contract 12.2); manual pools never start one. */
    if (PoolHasAttr(pool, PoolAttrGC))
      ArenaPoll(buffer->arena);
    res = pool->klass->bufferFill(&base, &limit, pool, buffer, size);
    /* Out of memory in a collected pool: collect everything, then try
     * once more before failing (contract 27.19). */
    if ((res == ResCOMMIT_LIMIT || res == ResRESOURCE || res == ResMEMORY)
        && PoolHasAttr(pool, PoolAttrGC) && ArenaCollectForMemory(buffer->arena))
      res = pool->klass->bufferFill(&base, &limit, pool, buffer, size);
    if (res != ResOK)
      return res;
    AVER(AddrOffset(base, limit) >= size);
    buffer->base = base;
    buffer->poolLimit = limit;
    buffer->apStruct.init = base;
    buffer->apStruct.alloc = base;
    buffer->apStruct.limit = limit;
    buffer->filled += AddrOffset(base, limit);
    buffer->owner = ThreadCurrentId();
    EVENTN(BufferFill, SEG, (Word)buffer->arena, (Word)buffer, (Word)base, AddrOffset(base, limit));
  }
  *pReturn = BufferAlloc(buffer);
  buffer->apStruct.alloc = AddrAdd(BufferAlloc(buffer), size);
  AVERT(Buffer, buffer);
  return ResOK;
}

Bool BufferTrip(Buffer buffer, Addr p, Size size)
{
  AVERT(Buffer, buffer);
  AVER(BufferIsReady(buffer));
  /* If another thread's flip came between this commit's store to init and
   * its load of limit, the flip saw the object committed and detached the
   * buffer: the object is valid. */
  AVER(!BufferIsAttached(buffer) || AddrAdd(p, size) == BufferInit(buffer));
  UNUSED(size);
  if ((buffer->mode & BufferModeFLIPPED) && p == buffer->initAtFlip) {
    /* Reserved before the flip, or in the middle of a reserve the flip
     * interrupted: either way the collector did not see it as an object,
     * and its references may be stale.  Give its memory back with the
     * rest of the region; the client tries again. */
    buffer->apStruct.init = p;
    buffer->apStruct.alloc = p;
    BufferDetach(buffer);
    return FALSE;
  }
  /* Committed before the flip (its commit was interrupted between storing
   * init and loading limit): the collector saw it. */
  return TRUE;
}

/* The flip only traps the buffer: its owner thread may be suspended in
 * the middle of the inline reserve or commit, so nothing it may be about
 * to read or write (init, alloc) is changed.  What was committed before
 * the flip is [base, init); the one object that may be on its way, at
 * initAtFlip, is refused by BufferTrip. */
void BufferFlip(Buffer buffer)
{
  AVERT(Buffer, buffer);
  if (!BufferIsAttached(buffer))
    return;
  /* The thread running the collector is inside the manager, so it cannot
   * be half-way through an inline reserve or commit: its own ready
   * buffers can be given back now. */
  if (BufferIsReady(buffer) && buffer->owner == ThreadCurrentId()) {
    BufferDetach(buffer);
    return;
  }
  buffer->initAtFlip = BufferInit(buffer);
  buffer->mode |= BufferModeFLIPPED | BufferModeTRAPPED;
  buffer->apStruct.limit = NULL;
}

Res BufferFramePush(mps_frame_t *frameReturn, Buffer buffer)
{
  Pool pool = buffer->pool;
  AVERT(Buffer, buffer);
  if (!BufferIsReady(buffer))
    return ResFAIL;
  if (pool->klass->framePush != NULL)
    return pool->klass->framePush(frameReturn, pool, buffer);
  *frameReturn = (mps_frame_t)(void *)BufferInit(buffer);
  return ResOK;
}

Res BufferFramePop(Buffer buffer, mps_frame_t frame)
{
  Pool pool = buffer->pool;
  AVERT(Buffer, buffer);
  if (!BufferIsReady(buffer))
    return ResFAIL;
  if (pool->klass->framePop != NULL)
    return pool->klass->framePop(pool, buffer, frame);
  return ResOK;
}

Res BufferPatternBegin(Buffer buffer, Bool collectAll)
{
  Pool pool = buffer->pool;
  AVERT(Buffer, buffer);
  ++buffer->rampDepth;
  if (collectAll)
    buffer->rampCollectAll = TRUE;
  if (pool->klass->rampBegin != NULL)
    pool->klass->rampBegin(pool, buffer, collectAll);
  return ResOK;
}

Res BufferPatternEnd(Buffer buffer)
{
  Pool pool = buffer->pool;
  Bool collectAll = buffer->rampCollectAll;
  AVERT(Buffer, buffer);
  if (buffer->rampDepth == 0)
    return ResFAIL;
  --buffer->rampDepth;
  if (buffer->rampDepth == 0)
    buffer->rampCollectAll = FALSE;
  if (pool->klass->rampEnd != NULL)
    pool->klass->rampEnd(pool, buffer, collectAll && buffer->rampDepth == 0);
  return ResOK;
}

void BufferPatternReset(Buffer buffer)
{
  while (buffer->rampDepth > 0)
    (void)BufferPatternEnd(buffer);
}

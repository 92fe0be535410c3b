/* mpsi.c: the public interface: arenas, pools, allocation points
 *
 * Each function checks its arguments (ARGCHECK: the hot and cool
 * varieties; a failure names the function and the rule), takes the arena
 * lock, calls one internal function, and converts the result.  Out
 * parameters are written only on success.
 */

#include "arena.h"
#include "pool.h"
#include "dbgpool.h"
#include "buffer.h"
#include "args.h"
#include "event.h"
#include "trace.h"
#include "thread.h"
#include "mpsavm.h"
#include "mpsacl.h"
#include <string.h>

/* Arenas */

mps_res_t mps_arena_create_k(mps_arena_t *arena_o, mps_arena_class_t arena_class,
                             mps_arg_s args[])
{
  Arena arena;
  Res res;
  ARGCHECK(arena_o != NULL, MPS_RES_PARAM);
  ARGCHECK(arena_class != NULL && arena_class->sig == ArenaClassSig, MPS_RES_PARAM);
  ARGCHECK(ArgListCheck(args), MPS_RES_PARAM);
  EventInit();
  res = ArenaCreate(&arena, arena_class, args);
  if (res != ResOK)
    return res;
  *arena_o = arena;
  return MPS_RES_OK;
}

mps_res_t mps_arena_create_v(mps_arena_t *arena_o, mps_arena_class_t arena_class,
                             va_list varargs)
{
  ArgStruct args[MPS_ARGS_MAX];
  ARGCHECK(arena_class != NULL && arena_class->sig == ArenaClassSig, MPS_RES_PARAM);
  arena_class->varargs(args, varargs);
  return mps_arena_create_k(arena_o, arena_class, args);
}

mps_res_t mps_arena_create(mps_arena_t *arena_o, mps_arena_class_t arena_class, ...)
{
  mps_res_t res;
  va_list varargs;
  va_start(varargs, arena_class);
  res = mps_arena_create_v(arena_o, arena_class, varargs);
  va_end(varargs);
  return res;
}

void mps_arena_destroy(mps_arena_t arena)
{
  ARGCHECK_VOID(TESTT(Arena, arena));
  ARGCHECK_VOID(RingIsSingle(&arena->poolRing));      /* every pool destroyed */
  ARGCHECK_VOID(RingIsSingle(&arena->rootRing));      /* every root destroyed */
  ARGCHECK_VOID(RingIsSingle(&arena->formatRing));    /* every format destroyed */
  ARGCHECK_VOID(RingIsSingle(&arena->chainRing));     /* every chain destroyed */
  ARGCHECK_VOID(RingIsSingle(&arena->threadRing));    /* every thread deregistered */
  ARGCHECK_VOID(!ArenaBusy(arena));
  ArenaDestroy(arena);
  mps_telemetry_flush();
}

size_t mps_arena_reserved(mps_arena_t arena)
{
  Size size;
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnterRecursive(arena);
  size = ArenaReserved(arena);
  ArenaLeaveRecursive(arena);
  return size;
}

size_t mps_arena_committed(mps_arena_t arena)
{
  Size size;
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnterRecursive(arena);
  size = ArenaCommitted(arena);
  ArenaLeaveRecursive(arena);
  return size;
}

size_t mps_arena_spare_committed(mps_arena_t arena)
{
  Size size;
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnterRecursive(arena);
  size = ArenaSpareCommitted(arena);
  ArenaLeaveRecursive(arena);
  return size;
}

size_t mps_arena_commit_limit(mps_arena_t arena)
{
  Size size;
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnter(arena);
  size = ArenaCommitLimit(arena);
  ArenaLeave(arena);
  return size;
}

mps_res_t mps_arena_commit_limit_set(mps_arena_t arena, size_t limit)
{
  Res res;
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ArenaEnter(arena);
  res = ArenaSetCommitLimit(arena, limit);
  ArenaLeave(arena);
  return res;
}

double mps_arena_spare(mps_arena_t arena)
{
  double spare;
  ARGCHECK(TESTT(Arena, arena), 0.0);
  ArenaEnter(arena);
  spare = ArenaSpare(arena);
  ArenaLeave(arena);
  return spare;
}

void mps_arena_spare_set(mps_arena_t arena, double spare)
{
  ARGCHECK_VOID(TESTT(Arena, arena));
  ARGCHECK_VOID(spare >= 0.0 && spare <= 1.0);
  ArenaEnter(arena);
  ArenaSetSpare(arena, spare);
  ArenaLeave(arena);
}

size_t mps_arena_spare_commit_limit(mps_arena_t arena)
{
  Size size;
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnter(arena);
  size = (Size)(ArenaSpare(arena) * (double)ArenaCommitted(arena));
  ArenaLeave(arena);
  return size;
}

void mps_arena_spare_commit_limit_set(mps_arena_t arena, size_t limit)
{
  ARGCHECK_VOID(TESTT(Arena, arena));
  ArenaEnter(arena);
  if (limit >= ArenaCommitted(arena) || ArenaCommitted(arena) == 0)
    ArenaSetSpare(arena, 1.0);
  else
    ArenaSetSpare(arena, (double)limit / (double)ArenaCommitted(arena));
  ArenaLeave(arena);
}

double mps_arena_pause_time(mps_arena_t arena)
{
  double t;
  ARGCHECK(TESTT(Arena, arena), 0.0);
  ArenaEnter(arena);
  t = arena->pauseTime;
  ArenaLeave(arena);
  return t;
}

void mps_arena_pause_time_set(mps_arena_t arena, double pause_time)
{
  ARGCHECK_VOID(TESTT(Arena, arena));
  ARGCHECK_VOID(pause_time >= 0.0);
  ArenaEnter(arena);
  arena->pauseTime = pause_time;
  ArenaLeave(arena);
}

mps_bool_t mps_arena_busy(mps_arena_t arena)
{
  ARGCHECK(TESTT(Arena, arena), 0);
  return ArenaBusy(arena) ? 1 : 0;
}

mps_bool_t mps_arena_has_addr(mps_arena_t arena, mps_addr_t addr)
{
  Bool b;
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnterRecursive(arena);
  b = ArenaHasAddr(arena, (Addr)addr);
  ArenaLeaveRecursive(arena);
  return b ? 1 : 0;
}

mps_bool_t mps_addr_pool(mps_pool_t *pool_o, mps_arena_t arena, mps_addr_t addr)
{
  Pool pool;
  Bool b;
  ARGCHECK(pool_o != NULL, 0);
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnterRecursive(arena);
  b = ArenaPoolOfAddr(&pool, arena, (Addr)addr);
  ArenaLeaveRecursive(arena);
  if (!b)
    return 0;
  *pool_o = pool;
  return 1;
}

mps_res_t mps_arena_extend(mps_arena_t arena, mps_addr_t base, size_t size)
{
  Res res;
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(base != NULL, MPS_RES_PARAM);
  ARGCHECK(size > 0, MPS_RES_PARAM);
  ARGCHECK(arena->klass == ArenaClassCL(), MPS_RES_UNIMPL); /* VM arenas grow themselves */
  ArenaEnter(arena);
  res = arena->klass->extend(arena, (Addr)base, size);
  ArenaLeave(arena);
  return res;
}

mps_word_t mps_collections(mps_arena_t arena)
{
  Word n;
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnter(arena);
  n = arena->collections;
  ArenaLeave(arena);
  return n;
}

/* Pools */

mps_res_t mps_pool_create_k(mps_pool_t *pool_o, mps_arena_t arena,
                            mps_pool_class_t pool_class, mps_arg_s args[])
{
  Pool pool;
  Res res;
  ARGCHECK(pool_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(pool_class != NULL && pool_class->sig == PoolClassSig, MPS_RES_PARAM);
  ARGCHECK(ArgListCheck(args), MPS_RES_PARAM);
  ArenaEnter(arena);
  res = PoolCreate(&pool, arena, pool_class, args);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *pool_o = pool;
  return MPS_RES_OK;
}

mps_res_t mps_pool_create_v(mps_pool_t *pool_o, mps_arena_t arena,
                            mps_pool_class_t pool_class, va_list varargs)
{
  ArgStruct args[MPS_ARGS_MAX];
  ARGCHECK(pool_class != NULL && pool_class->sig == PoolClassSig, MPS_RES_PARAM);
  if (pool_class->varargs != NULL)
    pool_class->varargs(args, varargs);
  else
    args[0].key = MPS_KEY_ARGS_END;
  return mps_pool_create_k(pool_o, arena, pool_class, args);
}

mps_res_t mps_pool_create(mps_pool_t *pool_o, mps_arena_t arena,
                          mps_pool_class_t pool_class, ...)
{
  mps_res_t res;
  va_list varargs;
  va_start(varargs, pool_class);
  res = mps_pool_create_v(pool_o, arena, pool_class, varargs);
  va_end(varargs);
  return res;
}

/* Entry points that may run the collector (TARN_ENTRY) do it inside
 * ThreadEntryRun (thread.h), so that a scan of the calling thread's stack
 * leaves out the manager's frames.  Their closures are initialised in
 * full before, in case their frames are scanned (thread.h: `hot`). */

static void traceFinishAllBody(Arena arena, void *closure)
{
  UNUSED(closure);
  TraceFinishAll(arena);
}

TARN_ENTRY void mps_pool_destroy(mps_pool_t pool)
{
  Arena arena;
  ARGCHECK_VOID(TESTT(Pool, pool));
  ARGCHECK_VOID(RingIsSingle(&pool->bufferRing)); /* allocation points destroyed */
  ARGCHECK_VOID(pool->sacCount == 0);              /* allocation caches destroyed */
  arena = PoolArena(pool);
  ArenaEnter(arena);
  /* The safe order parks the arena first (contract 5); if a collection is
   * still in progress, it is finished now, while the pool's objects are
   * still there, rather than left holding segments that are going. */
  if (TraceBusy(arena))
    ThreadEntryRun(arena, traceFinishAllBody, NULL);
  PoolDestroy(pool);
  ArenaLeave(arena);
}

size_t mps_pool_total_size(mps_pool_t pool)
{
  Arena arena;
  Size size;
  ARGCHECK(TESTT(Pool, pool), 0);
  arena = PoolArena(pool);
  ArenaEnter(arena);
  size = PoolTotalSize(pool);
  ArenaLeave(arena);
  return size;
}

size_t mps_pool_free_size(mps_pool_t pool)
{
  Arena arena;
  Size size;
  ARGCHECK(TESTT(Pool, pool), 0);
  arena = PoolArena(pool);
  ArenaEnter(arena);
  size = PoolFreeSize(pool);
  ArenaLeave(arena);
  return size;
}

/* Debugging pools (contract 20): no effect on other pools. */

void mps_pool_check_fenceposts(mps_pool_t pool)
{
  Arena arena;
  ARGCHECK_VOID(TESTT(Pool, pool));
  arena = PoolArena(pool);
  ArenaEnter(arena);
  DebugPoolCheckFenceposts(pool);
  ArenaLeave(arena);
}

void mps_pool_check_free_space(mps_pool_t pool)
{
  Arena arena;
  ARGCHECK_VOID(TESTT(Pool, pool));
  arena = PoolArena(pool);
  ArenaEnter(arena);
  DebugPoolCheckFreeSpace(pool);
  ArenaLeave(arena);
}

mps_res_t mps_alloc(mps_addr_t *p_o, mps_pool_t pool, size_t size)
{
  Arena arena;
  Addr p;
  Res res;
  ARGCHECK(p_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Pool, pool), MPS_RES_PARAM);
  ARGCHECK(size > 0, MPS_RES_PARAM);
  ARGCHECK(pool->klass->alloc != NULL, MPS_RES_UNIMPL); /* the class supports mps_alloc */
  arena = PoolArena(pool);
  ArenaEnter(arena);
  res = PoolAlloc(&p, pool, size);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *p_o = (mps_addr_t)p;
  return MPS_RES_OK;
}

void mps_free(mps_pool_t pool, mps_addr_t p, size_t size)
{
  Arena arena;
  ARGCHECK_VOID(TESTT(Pool, pool));
  ARGCHECK_VOID(p != NULL);
  ARGCHECK_VOID(size > 0);
  ARGCHECK_VOID(pool->klass->free != NULL); /* the class supports mps_free */
  arena = PoolArena(pool);
  ArenaEnter(arena);
  if (!PoolHasAddr(pool, (Addr)p)) {
    ArenaLeave(arena);
    ARGCHECK_VOID(PoolHasAddr(pool, (Addr)p));
    return;
  }
  PoolFree(pool, (Addr)p, size);
  ArenaLeave(arena);
}

/* Allocation points */

mps_res_t mps_ap_create_k(mps_ap_t *ap_o, mps_pool_t pool, mps_arg_s args[])
{
  Arena arena;
  Buffer buffer;
  Res res;
  ARGCHECK(ap_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Pool, pool), MPS_RES_PARAM);
  ARGCHECK(ArgListCheck(args), MPS_RES_PARAM);
  ARGCHECK(pool->klass->bufferFill != NULL, MPS_RES_UNIMPL); /* the class has allocation points */
  arena = PoolArena(pool);
  ArenaEnter(arena);
  res = BufferCreate(&buffer, pool, args);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *ap_o = BufferAP(buffer);
  return MPS_RES_OK;
}

mps_res_t mps_ap_create_v(mps_ap_t *ap_o, mps_pool_t pool, va_list varargs)
{
  ArgStruct args[2];
  ARGCHECK(TESTT(Pool, pool), MPS_RES_PARAM);
  /* Classes with ranked allocation points read one rank; the others read
   * nothing and ignore what is passed. */
  if (PoolHasAttr(pool, PoolAttrRANKED)) {
    args[0].key = MPS_KEY_RANK;
    args[0].val.rank = va_arg(varargs, mps_rank_t);
    args[1].key = MPS_KEY_ARGS_END;
  } else {
    args[0].key = MPS_KEY_ARGS_END;
  }
  return mps_ap_create_k(ap_o, pool, args);
}

mps_res_t mps_ap_create(mps_ap_t *ap_o, mps_pool_t pool, ...)
{
  mps_res_t res;
  va_list varargs;
  va_start(varargs, pool);
  res = mps_ap_create_v(ap_o, pool, varargs);
  va_end(varargs);
  return res;
}

void mps_ap_destroy(mps_ap_t ap)
{
  Buffer buffer = BufferOfAP(ap);
  Arena arena;
  ARGCHECK_VOID(ap != NULL && TESTT(Buffer, buffer));
  arena = buffer->arena;
  ArenaEnter(arena);
  BufferDestroy(buffer);
  ArenaLeave(arena);
}

typedef struct ApFillStruct {
  Buffer buffer;
  Size size;
  Addr p;                       /* out */
  Res res;                      /* out */
} ApFillStruct;

static void apFillBody(Arena arena, void *closure)
{
  ApFillStruct *fill = closure;
  UNUSED(arena);
  fill->res = BufferFill(&fill->p, fill->buffer, fill->size);
}

TARN_ENTRY mps_res_t mps_ap_fill(mps_addr_t *p_o, mps_ap_t ap, size_t size)
{
  Buffer buffer = BufferOfAP(ap);
  Arena arena;
  ApFillStruct fill;
  ARGCHECK(p_o != NULL, MPS_RES_PARAM);
  ARGCHECK(ap != NULL && TESTT(Buffer, buffer), MPS_RES_PARAM);
  ARGCHECK(size > 0, MPS_RES_PARAM);
  ARGCHECK(SizeIsAligned(size, buffer->pool->alignment), MPS_RES_PARAM); /* size is aligned */
  ARGCHECK(BufferIsReady(buffer), MPS_RES_PARAM);  /* no reserve is outstanding */
  arena = buffer->arena;
  fill.buffer = buffer;
  fill.size = size;
  fill.p = NULL;
  fill.res = ResOK;
  ArenaEnter(arena);
  ThreadEntryRun(arena, apFillBody, &fill);
  ArenaLeave(arena);
  if (fill.res != ResOK)
    return fill.res;
  *p_o = (mps_addr_t)fill.p;
  return MPS_RES_OK;
}

mps_bool_t mps_ap_trip(mps_ap_t ap, mps_addr_t p, size_t size)
{
  Buffer buffer = BufferOfAP(ap);
  Arena arena;
  Bool b;
  ARGCHECK(ap != NULL && TESTT(Buffer, buffer), 0);
  ARGCHECK(BufferIsReady(buffer), 0);
  arena = buffer->arena;
  ArenaEnter(arena);
  b = BufferTrip(buffer, (Addr)p, size);
  ArenaLeave(arena);
  return b ? 1 : 0;
}

mps_res_t (mps_reserve)(mps_addr_t *p_o, mps_ap_t ap, size_t size)
{
  Addr alloc, next;
  ARGCHECK(p_o != NULL, MPS_RES_PARAM);
  ARGCHECK(ap != NULL && TESTT(Buffer, BufferOfAP(ap)), MPS_RES_PARAM);
  alloc = (Addr)ap->alloc;
  next = AddrAdd(alloc, size);
  if (next > alloc && next <= (Addr)ap->limit) {
    ap->alloc = (mps_addr_t)next;
    *p_o = ap->init;
    return MPS_RES_OK;
  }
  return mps_ap_fill(p_o, ap, size);
}

mps_bool_t (mps_commit)(mps_ap_t ap, mps_addr_t p, size_t size)
{
  ARGCHECK(ap != NULL && TESTT(Buffer, BufferOfAP(ap)), 0);
  ap->init = ap->alloc;
  if (ap->limit != NULL)
    return 1;
  return mps_ap_trip(ap, p, size);
}

mps_res_t (mps_ap_frame_push)(mps_frame_t *frame_o, mps_ap_t ap)
{
  Buffer buffer = BufferOfAP(ap);
  mps_frame_t frame;
  Res res;
  ARGCHECK(frame_o != NULL, MPS_RES_PARAM);
  ARGCHECK(ap != NULL && TESTT(Buffer, buffer), MPS_RES_PARAM);
  ArenaEnter(buffer->arena);
  res = BufferFramePush(&frame, buffer);
  ArenaLeave(buffer->arena);
  if (res != ResOK)
    return res;
  *frame_o = frame;
  return MPS_RES_OK;
}

mps_res_t (mps_ap_frame_pop)(mps_ap_t ap, mps_frame_t frame)
{
  Buffer buffer = BufferOfAP(ap);
  Res res;
  ARGCHECK(ap != NULL && TESTT(Buffer, buffer), MPS_RES_PARAM);
  ArenaEnter(buffer->arena);
  res = BufferFramePop(buffer, frame);
  ArenaLeave(buffer->arena);
  return res;
}

/* Allocation patterns: two distinct addresses stand for the two kinds. */

struct mps_alloc_pattern_s {
  int collectAll;
};

static struct mps_alloc_pattern_s patternRamp = {0};
static struct mps_alloc_pattern_s patternRampCollectAll = {1};

mps_alloc_pattern_t mps_alloc_pattern_ramp(void)
{
  return &patternRamp;
}

mps_alloc_pattern_t mps_alloc_pattern_ramp_collect_all(void)
{
  return &patternRampCollectAll;
}

mps_res_t mps_ap_alloc_pattern_begin(mps_ap_t ap, mps_alloc_pattern_t alloc_pattern)
{
  Buffer buffer = BufferOfAP(ap);
  Res res;
  ARGCHECK(ap != NULL && TESTT(Buffer, buffer), MPS_RES_PARAM);
  ARGCHECK(alloc_pattern == &patternRamp || alloc_pattern == &patternRampCollectAll,
           MPS_RES_PARAM);
  ArenaEnter(buffer->arena);
  res = BufferPatternBegin(buffer, alloc_pattern->collectAll);
  ArenaLeave(buffer->arena);
  return res;
}

mps_res_t mps_ap_alloc_pattern_end(mps_ap_t ap, mps_alloc_pattern_t alloc_pattern)
{
  Buffer buffer = BufferOfAP(ap);
  Res res;
  ARGCHECK(ap != NULL && TESTT(Buffer, buffer), MPS_RES_PARAM);
  ARGCHECK(alloc_pattern == &patternRamp || alloc_pattern == &patternRampCollectAll,
           MPS_RES_PARAM);
  ArenaEnter(buffer->arena);
  res = BufferPatternEnd(buffer);
  ArenaLeave(buffer->arena);
  return res;
}

mps_res_t mps_ap_alloc_pattern_reset(mps_ap_t ap)
{
  Buffer buffer = BufferOfAP(ap);
  ARGCHECK(ap != NULL && TESTT(Buffer, buffer), MPS_RES_PARAM);
  ArenaEnter(buffer->arena);
  BufferPatternReset(buffer);
  ArenaLeave(buffer->arena);
  return MPS_RES_OK;
}

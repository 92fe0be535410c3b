/* final.c: finalization (see final.h) */

#include "final.h"
#include "arena.h"
#include "message.h"
#include "trace.h"
#include "pool.h"

void FinalInit(Arena arena)
{
  RingInit(&arena->finalRegistered);
  RingInit(&arena->finalPosted);
}

/* Destroying the arena finalizes nothing (contract 14): registrations and
 * undiscarded messages are simply freed. */
void FinalFinish(Arena arena)
{
  Ring node, next;
  RING_FOR(node, &arena->finalRegistered, next)
    MessageDestroy(RING_ELT(Message, finalRing, node));
  RING_FOR(node, &arena->finalPosted, next)
    MessageDestroy(RING_ELT(Message, finalRing, node));
}

Res FinalRegister(Arena arena, Addr ref)
{
  Message message;
  Res res = MessageCreate(&message, arena, mps_message_type_finalization());
  if (res != ResOK)
    return res;
  message->the.final.ref = ref;
  message->clock = 0;
  RingAppend(&arena->finalRegistered, &message->finalRing);
  return ResOK;
}

Res FinalDeregister(Arena arena, Addr ref)
{
  Ring node;
  for (node = arena->finalRegistered.next; node != &arena->finalRegistered; node = node->next) {
    Message message = RING_ELT(Message, finalRing, node);
    if (message->the.final.ref == ref) {
      MessageDestroy(message);
      return ResOK;
    }
  }
  return ResFAIL;
}

Res FinalScanPosted(ScanState ss)
{
  Arena arena = ss->arena;
  Ring node;
  AVER(ss->rank == RankEXACT);
  for (node = arena->finalPosted.next; node != &arena->finalPosted; node = node->next) {
    Message message = RING_ELT(Message, finalRing, node);
    Res res = _mps_fix2(ScanStateMPS(ss), (mps_addr_t *)&message->the.final.ref);
    if (res != ResOK)
      return res;
  }
  return ResOK;
}

Res FinalScanGuardians(ScanState ss)
{
  Arena arena = ss->arena;
  Ring node, next;
  AVER(ss->rank == RankFINAL);
  RING_FOR(node, &arena->finalRegistered, next) {
    Message message = RING_ELT(Message, finalRing, node);
    Res res;
    ss->wasMarked = TRUE;
    res = _mps_fix2(ScanStateMPS(ss), (mps_addr_t *)&message->the.final.ref);
    if (res != ResOK)
      return res;
    if (!ss->wasMarked) {
      /* Only the registration kept it: finalizable. */
      RingRemove(&message->finalRing);
      RingAppend(&arena->finalPosted, &message->finalRing);
      MessagePost(arena, message);
    }
  }
  return ResOK;
}

mps_res_t mps_finalize(mps_arena_t arena, mps_addr_t *ref_p)
{
  Pool pool;
  Res res;
  Bool blockIsInACollectedPool;
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(ref_p != NULL, MPS_RES_PARAM);
  ArenaEnter(arena);
  blockIsInACollectedPool = ArenaPoolOfAddr(&pool, arena, (Addr)*ref_p)
                            && PoolHasAttr(pool, PoolAttrGC);
  res = blockIsInACollectedPool ? FinalRegister(arena, (Addr)*ref_p) : ResPARAM;
  ArenaLeave(arena);
  ARGCHECK(blockIsInACollectedPool, MPS_RES_PARAM);
  return res;
}

mps_res_t mps_definalize(mps_arena_t arena, mps_addr_t *ref_p)
{
  Res res;
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(ref_p != NULL, MPS_RES_PARAM);
  ArenaEnter(arena);
  res = FinalDeregister(arena, (Addr)*ref_p);
  ArenaLeave(arena);
  return res;
}

void mps_message_finalization_ref(mps_addr_t *ref_o, mps_arena_t arena, mps_message_t message)
{
  ARGCHECK_VOID(ref_o != NULL);
  ARGCHECK_VOID(TESTT(Arena, arena));
  ARGCHECK_VOID(TESTT(Message, message));
  ARGCHECK_VOID(message->type == mps_message_type_finalization());
  ArenaEnter(arena);
  *ref_o = message->the.final.ref;
  ArenaLeave(arena);
}

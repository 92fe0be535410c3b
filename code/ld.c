/* ld.c: location dependency (see ld.h) */

#include "ld.h"
#include "arena.h"
#include "check.h"

void LDFlip(Arena arena, ZoneSet moved)
{
  Epoch next = arena->epoch + 1;
  arena->history[next % LD_HISTORY] = moved;
  __atomic_store_n(&arena->epoch, next, __ATOMIC_RELEASE);
}

static ZoneSet ldZoneOf(Arena arena, Addr addr)
{
  return (ZoneSet)1 << ZoneOfAddr(arena, addr);
}

/* The zones in which objects may have moved since epoch. */
static ZoneSet ldMovedSince(Arena arena, Epoch epoch)
{
  Epoch now = __atomic_load_n(&arena->epoch, __ATOMIC_ACQUIRE);
  ZoneSet moved = ZoneSetEMPTY;
  Epoch e;
  if (now == epoch)
    return ZoneSetEMPTY;
  if (now - epoch >= LD_HISTORY)
    return ZoneSetUNIV;
  for (e = epoch + 1; e <= now; ++e)
    moved |= arena->history[e % LD_HISTORY];
  /* The history may have been overwritten while we read it. */
  if (__atomic_load_n(&arena->epoch, __ATOMIC_ACQUIRE) - epoch >= LD_HISTORY)
    return ZoneSetUNIV;
  return moved;
}

void mps_ld_reset(mps_ld_t ld, mps_arena_t arena)
{
  ARGCHECK_VOID(ld != NULL);
  ARGCHECK_VOID(TESTT(Arena, arena));
  ld->_epoch = __atomic_load_n(&arena->epoch, __ATOMIC_ACQUIRE);
  ld->_rs = ZoneSetEMPTY;
}

void mps_ld_add(mps_ld_t ld, mps_arena_t arena, mps_addr_t addr)
{
  ARGCHECK_VOID(ld != NULL);
  ARGCHECK_VOID(TESTT(Arena, arena));
  ld->_rs |= ldZoneOf(arena, (Addr)addr);
}

void mps_ld_merge(mps_ld_t dest_ld, mps_arena_t arena, mps_ld_t src_ld)
{
  ARGCHECK_VOID(dest_ld != NULL && src_ld != NULL);
  ARGCHECK_VOID(TESTT(Arena, arena));
  /* The merged dependency is as old as the older of the two. */
  if (src_ld->_epoch < dest_ld->_epoch)
    dest_ld->_epoch = src_ld->_epoch;
  dest_ld->_rs |= src_ld->_rs;
}

mps_bool_t mps_ld_isstale(mps_ld_t ld, mps_arena_t arena, mps_addr_t addr)
{
  ARGCHECK(ld != NULL, 1);
  ARGCHECK(TESTT(Arena, arena), 1);
  UNUSED(addr);   /* zone precision is per dependency, not per address */
  return (ldMovedSince(arena, ld->_epoch) & ld->_rs) != ZoneSetEMPTY;
}

mps_bool_t mps_ld_isstale_any(mps_ld_t ld, mps_arena_t arena)
{
  ARGCHECK(ld != NULL, 1);
  ARGCHECK(TESTT(Arena, arena), 1);
  return (ldMovedSince(arena, ld->_epoch) & ld->_rs) != ZoneSetEMPTY;
}

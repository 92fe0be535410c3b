/* policy.c: when to collect, and how much at a time
 *
 * The tracer (trace.c) knows how to collect; this module decides when:
 *  - on the allocation slow path of a collected pool (ArenaPoll): if a
 *    trace is in progress, do a slice of it; else if a generation is over
 *    its capacity, or a ramp asked for a full collection, start one;
 *  - on mps_arena_step: a slice of at most `interval` seconds;
 *  - when memory runs out: a whole collection before giving up;
 *  - on mps_arena_collect / park / start_collect, as the contract says.
 * A slice lasts at most the arena's pause time (MPS_KEY_PAUSE_TIME,
 * mps_arena_pause_time_set); a trace that does not finish in one slice
 * goes on in later ones, with the read barrier keeping the mutator from
 * white references in between (trace.c, design: incremental).
 *
 * The arena states (contract 4.4): unclamped, clamped (no trace work at
 * all, so nothing moves), parked (no trace in progress either),
 * postmortem (nothing, and no protection).
 */

#include "trace.h"
#include "chain.h"
#include "final.h"
#include "message.h"
#include "control.h"
#include "shield.h"
#include "parallel.h"
#include "vgmem.h"
#include <string.h>
#include <stdlib.h>
#include <math.h>

/* Barriers resume the faulting instruction after the handler has changed
 * the protection.  Valgrind gets that right only with
 * --vex-iropt-register-updates=allregs-at-mem-access --vex-guest-chase=no,
 * so under Valgrind
 * barriers are off (summaries stay universal and every collection runs
 * to completion) unless TARN_VALGRIND_BARRIERS is set in the environment,
 * as Tarn's own `make check-valgrind` does with that option. */
static Bool policyBarriersAllowed(void)
{
  /* TARN_NO_BARRIERS turns them off anywhere, to measure what they cost. */
  if (getenv("TARN_NO_BARRIERS") != NULL)
    return FALSE;
  return !VG_RUNNING() || getenv("TARN_VALGRIND_BARRIERS") != NULL;
}

Res ArenaCollectorInit(Arena arena)
{
  void *p;
  Res res;
  MessageInit(arena);
  FinalInit(arena);
  arena->busyTraces = TraceSetEMPTY;
  arena->flippedTraces = TraceSetEMPTY;
  arena->inCollection = FALSE;
  arena->fullRequested = FALSE;
  arena->barriersOn = policyBarriersAllowed();
  arena->pins = NULL;
  arena->pinCount = arena->pinCapacity = 0;
  arena->lastSegsScanned = 0;
  arena->lastScanned = arena->lastCondemned = arena->lastLive = 0;
  arena->lastPause = arena->maxPause = 0;
  arena->totalScanned = 0;
  arena->zonesClaimed = ZoneSetEMPTY;
  arena->barrierHits = 0;
  arena->gcStartMessage = NULL;
  arena->gcMessage = NULL;
  memset(arena->history, 0, sizeof arena->history);
  res = ControlAlloc(&p, arena, TRACE_MAX * sizeof(TraceStruct));
  if (res != ResOK)
    return res;
  memset(p, 0, TRACE_MAX * sizeof(TraceStruct));
  arena->traces = p;
  res = ArenaChainsInit(arena);
  if (res != ResOK) {
    ControlFree(arena, p, TRACE_MAX * sizeof(TraceStruct));
    return res;
  }
  res = ParInit(arena);
  if (res != ResOK) {
    ArenaChainsFinish(arena);
    ControlFree(arena, p, TRACE_MAX * sizeof(TraceStruct));
    return res;
  }
  return ResOK;
}

void ArenaCollectorFinish(Arena arena)
{
  if (TraceBusy(arena))
    TraceFinishAll(arena);
  FinalFinish(arena);
  MessageFinish(arena);
  if (arena->pins != NULL)
    ControlFree(arena, arena->pins, arena->pinCapacity * sizeof(Addr));
  if (arena->gcStartMessage != NULL)
    MessageDestroy(arena->gcStartMessage);
  if (arena->gcMessage != NULL)
    MessageDestroy(arena->gcMessage);
  ParFinish(arena);
  ArenaChainsFinish(arena);
  ControlFree(arena, arena->traces, TRACE_MAX * sizeof(TraceStruct));
}

/* The deadline of a slice of `seconds` from now. */
static mps_clock_t policyDeadline(Arena arena, double seconds)
{
  double ticks = seconds * (double)mps_clocks_per_sec();
  mps_clock_t now = mps_clock();
  if (!arena->barriersOn)
    return CLOCK_NEVER;         /* no read barrier: no incremental work */
  if (!(ticks < (double)(CLOCK_NEVER - now)))
    return CLOCK_NEVER;
  return now + (mps_clock_t)ticks;
}

/* Start whatever collection is due, if any, with a first slice. */
static Bool policyStartDue(Arena arena, mps_clock_t deadline)
{
  Chain chain;
  Index topGen;
  if (arena->fullRequested) {
    arena->fullRequested = FALSE;
    (void)TraceStartAndStep(arena, "a ramp allocation pattern ended (collect all)",
                            NULL, 0, deadline);
    return TRUE;
  }
  if (PolicyTopGenDue(arena)) {
    (void)TraceStartAndStep(arena, "the oldest generation has doubled since the last full collection",
                            NULL, 0, deadline);
    return TRUE;
  }
  chain = PolicyChainDue(&topGen, arena);
  if (chain == NULL)
    return FALSE;
  (void)TraceStartAndStep(arena, "a generation's new size passed its capacity",
                          chain, topGen, deadline);
  return TRUE;
}

void ArenaPoll(Arena arena)
{
  mps_clock_t deadline;
  if (arena->state != ArenaUNCLAMPED || arena->inCollection)
    return;
  deadline = policyDeadline(arena, arena->pauseTime);
  if (TraceBusy(arena))
    (void)TraceStep(arena, deadline);
  else
    (void)policyStartDue(arena, deadline);
}

void ArenaClamp(Arena arena)
{
  arena->state = ArenaCLAMPED;
}

void ArenaPark(Arena arena)
{
  TraceFinishAll(arena);
  arena->state = ArenaPARKED;
}

void ArenaRelease(Arena arena)
{
  arena->state = ArenaUNCLAMPED;
}

Res ArenaCollect(Arena arena, const char *why)
{
  ArenaPark(arena);
  (void)TraceStartAndStep(arena, why, NULL, 0, CLOCK_NEVER);
  arena->state = ArenaPARKED;
  return ResOK;
}

Res ArenaStartCollect(Arena arena, const char *why)
{
  TraceFinishAll(arena);
  arena->state = ArenaUNCLAMPED;
  (void)TraceStartAndStep(arena, why, NULL, 0, policyDeadline(arena, arena->pauseTime));
  return ResOK;
}

/* The client is idle for `interval` seconds, and expects `multiplier`
 * more such calls.  Do a slice of the trace in progress, or start a due
 * collection; returns whether there was work.  (The contract's idle
 * full collection, predicted to fit in interval x multiplier, is not
 * attempted: a due generation or a trace in progress is work enough.) */
Bool ArenaStep(Arena arena, double interval, double multiplier)
{
  ArenaState state = arena->state;
  mps_clock_t deadline = policyDeadline(arena, interval);
  Bool work;
  UNUSED(multiplier);
  if (state == ArenaPOSTMORTEM)
    return FALSE;
  if (TraceBusy(arena)) {
    (void)TraceStep(arena, deadline);
    work = TRUE;
  } else {
    work = policyStartDue(arena, deadline);
  }
  /* A clamped or parked arena is clamped afterwards (contract 4.4). */
  arena->state = state == ArenaUNCLAMPED ? ArenaUNCLAMPED : ArenaCLAMPED;
  return work;
}

Bool ArenaCollectForMemory(Arena arena)
{
  if (arena->state != ArenaUNCLAMPED || arena->inCollection)
    return FALSE;
  TraceFinishAll(arena);
  (void)TraceStartAndStep(arena, "out of memory: collecting everything before failing",
                          NULL, 0, CLOCK_NEVER);
  return TRUE;
}

void ArenaRequestFullCollection(Arena arena)
{
  arena->fullRequested = TRUE;
}

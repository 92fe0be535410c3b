/* ext.c: Tarn's extensions beyond the MPS interface (include/tarn.h) */

#include "arena.h"
#include "control.h"
#include "tarn.h"
#include "parallel.h"
#include <string.h>

const char *tarn_version(void)
{
  return TARN_VERSION " (" TARN_VARIETY ")";
}

/* Pins are kept in an array in control memory, scanned ambiguously at
 * every trace (trace.c), which is what keeps and fixes them in place. */
mps_res_t tarn_pin(mps_arena_t arena, mps_addr_t addr)
{
  Res res = ResOK;
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ArenaEnter(arena);
  if (arena->pinCount == arena->pinCapacity) {
    Count capacity = arena->pinCapacity == 0 ? 64 : arena->pinCapacity * 2;
    void *p;
    res = ControlAlloc(&p, arena, capacity * sizeof(Addr));
    if (res == ResOK) {
      if (arena->pins != NULL) {
        memcpy(p, arena->pins, arena->pinCount * sizeof(Addr));
        ControlFree(arena, arena->pins, arena->pinCapacity * sizeof(Addr));
      }
      arena->pins = p;
      arena->pinCapacity = capacity;
    }
  }
  if (res == ResOK)
    arena->pins[arena->pinCount++] = (Addr)addr;
  ArenaLeave(arena);
  return res;
}

mps_res_t tarn_unpin(mps_arena_t arena, mps_addr_t addr)
{
  Res res = ResFAIL;
  Index i;
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ArenaEnter(arena);
  for (i = arena->pinCount; i > 0; --i) {
    if (arena->pins[i - 1] == (Addr)addr) {
      arena->pins[i - 1] = arena->pins[--arena->pinCount];
      res = ResOK;
      break;
    }
  }
  ArenaLeave(arena);
  return res;
}

void tarn_arena_stats(mps_arena_t arena, tarn_stats_s *stats_o)
{
  double perSec;
  ARGCHECK_VOID(TESTT(Arena, arena));
  ARGCHECK_VOID(stats_o != NULL);
  perSec = (double)mps_clocks_per_sec();
  ArenaEnter(arena);
  stats_o->collections = arena->collections;
  stats_o->barrier_hits = arena->barrierHits;
  stats_o->segs_scanned = arena->lastSegsScanned;
  stats_o->bytes_scanned = arena->lastScanned;
  stats_o->condemned = arena->lastCondemned;
  stats_o->live = arena->lastLive;
  stats_o->last_pause = (double)arena->lastPause / perSec;
  stats_o->max_pause = (double)arena->maxPause / perSec;
  stats_o->total_scanned = arena->totalScanned;
  stats_o->peak_committed = arena->peakCommitted;
  ArenaLeave(arena);
}

/* Parallel tracing (parallel.h).  A new count applies from the next
 * collection: a trace in progress keeps the count it started with. */
mps_res_t tarn_arena_set_workers(mps_arena_t arena, size_t workers)
{
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(workers >= 1, MPS_RES_PARAM);
  ArenaEnter(arena);
  ParSetWorkers(arena, workers);
  ArenaLeave(arena);
  return MPS_RES_OK;
}

size_t tarn_arena_workers(mps_arena_t arena)
{
  size_t n;
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnter(arena);
  n = ParWorkersRequested(arena);
  ArenaLeave(arena);
  return n;
}

double tarn_arena_trace_time(mps_arena_t arena)
{
  double t;
  ARGCHECK(TESTT(Arena, arena), 0.0);
  ArenaEnter(arena);
  t = (double)arena->traceTime / (double)mps_clocks_per_sec();
  ArenaLeave(arena);
  return t;
}

mps_word_t tarn_arena_parallel_phases(mps_arena_t arena)
{
  mps_word_t n;
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnter(arena);
  n = arena->parPhases;
  ArenaLeave(arena);
  return n;
}

/* trace.h: tracing: the scan state, fixing, and the trace itself
 *
 * A trace is one garbage collection (design: tracing).  It
 *   1. condemns a set of segments: each becomes white for the trace (the
 *      pool's whiten method), and the trace's white zone set is the union
 *      of their zones;
 *   2. flips: allocation points are trapped, every root becomes grey, and
 *      every non-white segment with references whose summary meets the
 *      white zones becomes grey;
 *   3. scans grey roots and segments, band by band in rank order
 *      (ambiguous, exact, final, weak), until nothing is grey: scanning
 *      fixes each reference, which preserves its referent (marks or copies
 *      it and makes what it refers to grey in turn);
 *   4. reclaims: each white segment's pool frees what was not preserved.
 *
 * The scan state is what a client scanner sees as mps_ss_t.  The public
 * part (mps_ss_s: zone shift, white zone set, unfixed summary) comes
 * first so MPS_FIX1 can test a reference with no call; the rest belongs to
 * the manager.
 */

#ifndef tarn_trace_h
#define tarn_trace_h

#include "types.h"
#include "check.h"
#include "ring.h"
#include "arena.h"
#include "seg.h"

#define TRACE_MAX 1             /* traces at once (one, for now) */
#define TraceSig ((Sig)0x51974ACE)
#define ScanStateSig ((Sig)0x5195CA45)

#define TraceSetSingle(ti) ((TraceSet)1 << (ti))
#define TraceSetIsMember(ts, ti) (((ts) >> (ti)) & 1)

typedef struct ScanStateStruct {
  mps_ss_s ssStruct;            /* public: _zs, _w, _ufs (see mps.h) */
  Sig sig;
  Arena arena;
  TraceSet traces;              /* the traces this scan is for */
  Rank rank;                    /* of the references being scanned */
  ZoneSet white;                /* white zones of those traces */
  ZoneSet fixedSummary;         /* zones of references after fixing */
  Bool wasMarked;               /* set by a pool fix: already preserved */
  Bool pinning;                 /* fixing explicit pins (tarn_pin) */
  Bool prefetching;             /* _mps_fix2 only prefetches (traceParPrefetch) */
  Count prefetchRefs;           /* ... references seen */
  Count prefetchFar;            /* ... of which to another page than the last */
  Addr prefetchLast;
  /* The tract table, cached for _mps_fix2 (see tract.h). */
  Addr tableBase;
  Count tableCount;
  Tract *table;
  Shift grainShift;
  ZoneSet unfixedSummary;       /* what client scanners saw, before fixing */
  void *walkClosure;            /* for mps_arena_roots_walk's fix */
  Size scannedSize;             /* statistics */
  Count fixRefs;
  struct ParWorkerStruct *worker; /* a parallel phase's worker, or NULL */
  Seg greySeg;                  /* the segment ParGreyScan is scanning */
  Index greyLow;                /* ... lowest grain it greyed there */
} ScanStateStruct;

#define ScanStateOf(mps_ss) ((ScanState)(void *)(mps_ss))
#define ScanStateMPS(ss) (&(ss)->ssStruct)
#define ScanStateRank(ss) ((ss)->rank)
#define ScanStateArena(ss) ((ss)->arena)

extern Bool ScanStateCheck(ScanState ss);
extern void ScanStateInit(ScanState ss, TraceSet traces, Arena arena, Rank rank, ZoneSet white);
extern void ScanStateFinish(ScanState ss);
/* Around each call of a client scanner: reset the unfixed summary, and
 * afterwards compute the summary of what was scanned (UNIV if the scanner
 * returned from inside its fix block without reaching MPS_SCAN_END). */
extern void ScanStateBeginClient(ScanState ss);
extern ZoneSet ScanStateEndClient(ScanState ss);
/* The zones the scanned references may refer to now. */
extern ZoneSet ScanStateSummary(ScanState ss);
/* A scan state whose FIX1 is always false (pool walks, contract 17.1). */
extern void ScanStateInitNull(ScanState ss, Arena arena);

/* Record that a fix stored `ref` (its zone joins the fixed summary). */
static inline void ScanStateFixed(ScanState ss, Addr ref)
{
  ss->fixedSummary |= (ZoneSet)1 << ((AddrWord(ref) >> ss->ssStruct._zs) & (ZONE_COUNT - 1));
}

typedef enum TraceState {
  TraceINIT,                    /* condemning */
  TraceFLIPPED,                 /* roots and segments being scanned */
  TraceRECLAIM,                 /* reclaiming white segments */
  TraceFINISHED
} TraceState;

typedef struct TraceStruct {
  Sig sig;
  TraceId ti;
  Arena arena;
  TraceState state;
  const char *why;              /* reason, for the gc_start message */
  ZoneSet white;                /* zones of condemned segments */
  RingStruct greyRing[RANK_LIMIT]; /* grey segments, by lowest rank */
  Rank band;                    /* rank band being scanned */
  Bool emergency;               /* out of memory: preserve in place */
  /* Accounting for the gc message (bytes) */
  Size condemned;
  Size notCondemned;
  Size preserved;               /* of the condemned, found reachable */
  Size reclaimed;
  Size scanned;
  Count segsScanned;
  Count rootsScanned;
  Bool finalPostedScanned;      /* posted finalization messages, exact */
  Bool finalGuardiansScanned;   /* registrations, in the final band */
  Bool pinsScanned;             /* explicit pins, in the ambiguous band */
  Bool yielded;                 /* the mutator has run during this trace */
  Chain chain;                  /* condemned generations, or NULL: all */
  Index topGen;
  Count fixRefs;
  mps_clock_t startClock;
  Bool parallel;                /* may drain in parallel (parallel.h) */
  Count parPhases;              /* statistics of parallel phases */
  Count parObjects;
  Count parSteals;
} TraceStruct;

extern Bool TraceCheck(Trace trace);

/* For pools */
extern void TraceSegGrey(Trace trace, Seg seg);    /* seg has grey objects */
extern void TraceSegCondemned(Trace trace, Seg seg, Size size);
extern void TracePreserved(Trace trace, Seg seg, Size size); /* preserved bytes of white seg */
extern Trace ArenaTrace(Arena arena, TraceId ti);
extern void TraceScanSegRange(ScanState ss, Seg seg);
/* A pool whose whiten finds it cannot support a parallel phase (no memory
 * for its claim tables, say) makes the trace serial. */
extern void TraceSetSerial(Trace trace);

/* Walks that visit references with the tracer's machinery, on a parked
 * arena: every collected segment is made "white" for a walk-only trace
 * bit and its fix method pointed at `fix` until TraceWalkSegsEnd, so that
 * _mps_fix2 needs no special case (mps_arena_roots_walk, transforms). */
#define WALK_TRACE ((TraceSet)1 << (sizeof(TraceSet) * CHAR_BIT - 1))
extern void TraceWalkSegsBegin(Arena arena, PoolFixMethod fix);
extern void TraceWalkSegsEnd(Arena arena);

/* The collector's part of arena creation and destruction */
extern Res ArenaCollectorInit(Arena arena);
extern void ArenaCollectorFinish(Arena arena);

/* Collection in slices (trace.c) */
#define CLOCK_NEVER ((mps_clock_t)-1)
extern Bool TraceBusy(Arena arena);
extern Bool TraceStartAndStep(Arena arena, const char *why, Chain chain, Index topGen,
                              mps_clock_t deadline);
extern Bool TraceStep(Arena arena, mps_clock_t deadline);
extern void TraceFinishAll(Arena arena);
extern void TraceSegAccess(Arena arena, Seg seg);

/* Policy (policy.c) */
extern void ArenaPark(Arena arena);
extern void ArenaRelease(Arena arena);
extern void ArenaClamp(Arena arena);
extern Res ArenaCollect(Arena arena, const char *why);
extern Res ArenaStartCollect(Arena arena, const char *why);
extern Bool ArenaStep(Arena arena, double interval, double multiplier);
extern void ArenaPoll(Arena arena);
extern void ArenaRequestFullCollection(Arena arena);
/* A full collection to free memory, if the arena's state allows one now;
 * returns whether it ran. */
extern Bool ArenaCollectForMemory(Arena arena);

#endif /* tarn_trace_h */

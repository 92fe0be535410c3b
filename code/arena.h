/* arena.h: the arena
 *
 * An arena owns address space in chunks, hands grains to pools, keeps the
 * tract table, accounts for committed memory against the commit limit and
 * the spare fraction, and (later layers) runs the collector.  Two classes
 * supply chunks: VM (arenavm.c) reserves them from the operating system,
 * CL (arenacl.c) takes blocks from the client.
 */

#ifndef tarn_arena_h
#define tarn_arena_h

#include "types.h"
#include "check.h"
#include "ring.h"
#include "lock.h"
#include "tract.h"
#include "control.h"
#include <stdarg.h>

#define ArenaSig ((Sig)0x519A4E4A)
#define ArenaClassSig ((Sig)0x519A4CC1)

/* Where an allocation would like to be.  zones: the zones it prefers (the
 * arena falls back to any zone); high: search from the top of memory. */
typedef struct LocusPrefStruct {
  ZoneSet zones;
  ZoneSet avoid;                /* when zones are full, keep out of these */
  Bool high;
} LocusPrefStruct, *LocusPref;

typedef void (*ArenaVarargsMethod)(ArgStruct args[], va_list varargs);
typedef Res (*ArenaCreateMethod)(Arena *arenaReturn, ArgList args);
typedef void (*ArenaDestroyMethod)(Arena arena);
typedef Res (*ArenaGrowMethod)(Arena arena, Size size);
typedef Res (*ArenaCommitMethod)(Arena arena, Addr base, Addr limit);
typedef void (*ArenaDecommitMethod)(Arena arena, Addr base, Addr limit);
typedef Res (*ArenaExtendMethod)(Arena arena, Addr base, Size size);
typedef Res (*ArenaTableMapMethod)(Arena arena, Addr *baseReturn, Size size);
typedef void (*ArenaTableUnmapMethod)(Arena arena, Addr base, Size size);

typedef struct mps_arena_class_s {
  Sig sig;
  const char *name;
  ArenaVarargsMethod varargs;   /* positional creation arguments */
  ArenaCreateMethod create;
  ArenaDestroyMethod destroy;
  ArenaGrowMethod grow;         /* add a chunk of at least size usable bytes */
  ArenaCommitMethod commit;
  ArenaDecommitMethod decommit;
  ArenaExtendMethod extend;     /* client supplies a chunk */
  ArenaTableMapMethod tableMap; /* memory for the tract table */
  ArenaTableUnmapMethod tableUnmap;
  Bool hasSpare;                /* keeps spare committed memory */
  Bool tableSeparate;           /* the tract table is mapped outside chunks */
} ArenaClassStruct;

extern Bool ArenaClassCheck(ArenaClass klass);

typedef enum ArenaState {
  ArenaUNCLAMPED,
  ArenaCLAMPED,
  ArenaPARKED,
  ArenaPOSTMORTEM
} ArenaState;

struct mps_arena_s {
  Sig sig;
  Serial serial;
  ArenaClass klass;
  LockStruct lockStruct;
  RingStruct globalRing;        /* in the list of all arenas */

  /* Address space */
  Size grainSize;
  Shift grainShift;
  Shift zoneShift;              /* zone(addr) = (addr >> zoneShift) % 64 */
  RingStruct chunkRing;         /* address order */
  Count chunkCount;
  Chunk primary;                /* the chunk holding this structure */
  Size growthDesired;           /* mps_arena_vm_growth */
  Size growthMinimum;
  mps_arena_extended_t extended;
  mps_arena_contracted_t contracted;
  Bool zoned;

  /* The flat tract table (tract.h) */
  Addr tableBase;
  Count tableCount;
  Tract *table;
  Size tableMapSize;            /* bytes mapped for the table */
  /* Tables replaced during a parallel phase, unmapped after it. */
#define TABLE_RETIRED_MAX 8
  Tract *tableRetired[TABLE_RETIRED_MAX];
  Size tableRetiredSize[TABLE_RETIRED_MAX];
  Count tableRetiredCount;
  Bool parActive;               /* worker threads are tracing */
  struct ParStruct *par;        /* parallel tracing (parallel.h) */
  Count workersArg;             /* MPS_KEY_TARN_WORKERS, or 0 */
  mps_clock_t traceTime;        /* clock spent draining grey (statistics) */
  /* While an entry point runs the collector (ThreadEntryRun, thread.h):
   * where the calling thread's own state is.  NULL otherwise. */
  struct ThreadEntryStruct *entry;
  Word parPhases;               /* parallel phases run (statistics) */
  TractStruct headerTract;      /* owner of chunk headers: no pool */
  TractStruct controlTract;     /* owner of control memory: no pool */

  /* Accounting (bytes) */
  Size reserved;
  Size committed;
  Size peakCommitted;           /* the most committed has been */
  Size spareCommitted;
  Size commitLimit;
  double spare;                 /* fraction of committed kept as spare */
  Size tableCommitted;          /* part of committed charged for the table */

  /* Internal allocator for descriptors */
  ControlStruct controlStruct;

  /* Things created in this arena */
  RingStruct poolRing;
  RingStruct formatRing;
  RingStruct chainRing;
  RingStruct rootRing;
  RingStruct threadRing;
  Serial poolSerial;
  Serial formatSerial;

  /* Collection state */
  ArenaState state;
  double pauseTime;
  Word collections;             /* flips so far (mps_collections) */
  Epoch epoch;                  /* advances at each flip */
  struct mps_chain_s *defaultChain;
  struct GenDescStruct *topGen; /* survivors of the last generations */
  struct TraceStruct *traces;   /* TRACE_MAX of them */
  TraceSet busyTraces;          /* traces in progress */
  TraceSet flippedTraces;       /* traces that have flipped */
  Bool inCollection;            /* a trace is running its steps */
  Bool fullRequested;           /* a ramp asked for a full collection */
  Bool barriersOn;              /* write barriers keep summaries exact */
  ZoneSet zonesClaimed;         /* zones some generation prefers */
  Count barrierHits;            /* faults handled (statistics) */
  /* Explicit pins (tarn_pin): addresses scanned ambiguously each trace */
  Addr *pins;
  Count pinCount;
  Count pinCapacity;
  /* Statistics of the last collection (tarn_arena_stats) */
  Count lastSegsScanned;
  Size lastScanned;
  Size lastCondemned;
  Size lastLive;
  mps_clock_t lastPause;
  mps_clock_t maxPause;
  Size totalScanned;
  ZoneSet history[16];          /* zones moved at recent flips (ld.c) */

  /* Messages (message.c) */
  RingStruct messageRing;       /* queued messages, oldest first */
  Word enabledMessageTypes;     /* bit per mps_message_type_t */
  struct mps_message_s *gcStartMessage; /* preallocated, posted at flip */
  struct mps_message_s *gcMessage;      /* preallocated, posted at end */
  RingStruct finalRegistered;   /* finalization messages not yet posted */
  RingStruct finalPosted;       /* posted and not yet discarded */
};

extern Bool ArenaCheck(Arena arena);

#define ArenaGrainSize(arena) ((arena)->grainSize)
#define ArenaControl(arena) (&(arena)->controlStruct)

static inline Index ZoneOfAddr(Arena arena, Addr addr)
{
  return (Index)((AddrWord(addr) >> arena->zoneShift) & (ZONE_COUNT - 1));
}
extern ZoneSet ZoneSetOfRange(Arena arena, Addr base, Addr limit);

/* O(1) lookup of the owner of the grain holding addr, or NULL. */
static inline Tract TractOfAddr(Arena arena, Addr addr)
{
  Index i = (Index)((AddrWord(addr) - AddrWord(arena->tableBase)) >> arena->grainShift);
  return i < arena->tableCount ? arena->table[i] : NULL;
}

/* Creation and destruction: the classes call ArenaInit once the arena
 * structure is in memory and ArenaFinish before giving it back. */
extern Res ArenaCreate(Arena *arenaReturn, ArenaClass klass, ArgList args);
extern void ArenaDestroy(Arena arena);
extern Res ArenaInit(Arena arena, ArenaClass klass, Size grainSize, ArgList args);
extern void ArenaFinish(Arena arena);
extern void ArenaChunkAdded(Arena arena, Chunk chunk);
extern void ArenaChunkRemoved(Arena arena, Chunk chunk);

/* Entry to and exit from the manager (the arena lock). */
extern void ArenaEnter(Arena arena);
extern void ArenaLeave(Arena arena);
extern void ArenaEnterRecursive(Arena arena);
extern void ArenaLeaveRecursive(Arena arena);
extern Bool ArenaBusy(Arena arena);

/* Grains for pools, segments and the manager itself. */
extern Res ArenaAlloc(Addr *baseReturn, LocusPref pref, Size size,
                      Arena arena, Tract owner);
extern void ArenaFree(Arena arena, Addr base, Size size);
extern void ArenaSetOwner(Arena arena, Addr base, Addr limit, Tract owner);
extern Chunk ArenaChunkOfAddr(Arena arena, Addr addr);
extern Bool ArenaHasAddr(Arena arena, Addr addr);
extern Bool ArenaPoolOfAddr(Pool *poolReturn, Arena arena, Addr addr);

/* Accounting and limits */
extern Size ArenaReserved(Arena arena);
extern Size ArenaCommitted(Arena arena);
extern Size ArenaSpareCommitted(Arena arena);
extern Size ArenaCommitLimit(Arena arena);
extern Res ArenaSetCommitLimit(Arena arena, Size limit);
extern double ArenaSpare(Arena arena);
extern void ArenaSetSpare(Arena arena, double spare);
extern void ArenaPurgeSpare(Arena arena, Size target);

extern void LocusPrefInit(LocusPref pref);

/* Arena classes */
extern ArenaClass ArenaClassVM(void);
extern ArenaClass ArenaClassCL(void);

/* All arenas, for the fault handler and fork (issue 6). */
extern Ring ArenaGlobalRing(void);

#endif /* tarn_arena_h */

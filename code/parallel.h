/* parallel.h: parallel tracing: worker threads, work packets, termination
 *
 * A trace's exact band may be drained by several threads at once.  The
 * collecting thread, which holds the arena lock and has suspended the
 * mutator, is the coordinator and also worker 0; the other workers are
 * the collector's own threads, never registered with the arena, with the
 * suspension signals blocked.  Only slices that run the trace to its end
 * are parallel (trace.c, traceParDrain); incremental slices are serial.
 *
 * Work is a set of entries (ParEntryStruct):
 *  - (segment, NULL): scan this grey segment through its pool (the
 *    phase's seeds, taken from the grey ring);
 *  - (segment, client): scan the one object a fix preserved;
 *  - (segment, client, limit): scan a run of objects in one call of the
 *    format: a worker's copies (below), cut to PAR_RUN_SIZE when taken;
 *  - (segment, NULL, ParEntryGREYS): scan the segment's grey objects, as
 *    its pool records them (AMS, AWL and IMX: grey bits taken with
 *    atomic exchange, so several workers may share one segment;
 *    pargrey.h).
 * Each worker keeps a packet of entries as a private stack; a full packet
 * (or half of one, when another worker is idle) is published on a shared
 * list that idle workers take from.  A copying pool gives each worker
 * regions of to-space (ParWorkerRegion), and the objects copied there are
 * the worker's own work, scanned in copy order (Cheney) a run at a time;
 * a worker that finds another idle offers it the older half of what it
 * has copied and not scanned.  So work moves between workers in large
 * pieces, far apart in the heap, and the per-object cost is a claim (one
 * atomic operation on a word shared by neighbours) and a copy.
 *
 * The phase ends when every worker is idle with an empty packet and the
 * shared list is empty (termination, parallel.c), or when the coordinator
 * sees the slice's deadline pass (then every worker publishes what it
 * holds and the coordinator hands it back to the serial tracer).
 *
 * What workers may touch (the invariants the pools keep):
 *  - mark, grey and claim bits, only with atomic operations;
 *  - a white object's memory, only after winning its claim;
 *  - their own packets, scan state and allocation regions;
 *  - everything shared that allocates (segments, the control allocator,
 *    the tract table, generation accounting, telemetry) only inside
 *    ParLock/ParUnlock;
 *  - a segment's barrier, only to lower it inside ParLock (IMX copies
 *    into free lines of a block that may be write-protected; raising
 *    barriers again is the coordinator's, after the slice);
 *  - nothing of the grey rings, the rest of the shield or the roots:
 *    the coordinator does those before and after the phase.
 *
 * Prefetching.  A worker's run of objects may first be scanned without
 * fixing, prefetching the white objects its references point at
 * (trace.c, traceParPrefetch), so that the misses of the real scan's
 * fixes overlap; an AMS scan takes grey words a few ahead and prefetches
 * their objects (marksweep.c).  The first pays only where referents are
 * scattered (a random graph: 1.6x -> 2.0x) and costs a second pass of
 * the client's scanner where they are not (a tree laid out breadth
 * first), so each worker counts, on the runs it prefetches and on a
 * sample of the others, how often a reference goes to another page than
 * the one before, and prefetches when that is common (ParPrefetchChoose).
 * The serial tracer does not prefetch.
 *
 * Measured (test/bench/README.md, "Parallel tracing"): the per-object
 * costs that made two workers slower than one were entries per object,
 * a struct copy that stalled on store forwarding, the Par lock taken for
 * every small to-space segment, and bits of one object in two cache
 * lines; a mark-in-place scan that left the objects it greyed behind it
 * to a later entry (pargrey.h); and, for IMX, a commit (a system call)
 * for nearly every block taken under the Par lock (the arena now commits
 * ahead).  The remaining limit is the memory system (a worker reading
 * what the mutator's core just wrote, or copying into pages never
 * touched, each first touch a page fault).
 */

#ifndef tarn_parallel_h
#define tarn_parallel_h

#include "types.h"
#include "check.h"
#include "config.h"

#define ParSig ((Sig)0x519BA4A1)
#define ParWorkerSig ((Sig)0x519BA4C4)
#define ParPacketSig ((Sig)0x519BA4CE)

#define PAR_MAX_WORKERS 16      /* a cap on threads per arena */
#define PAR_PACKET_ENTRIES 169  /* a packet is about 4 KiB */
/* Bump regions per worker: one per destination a phase copies into at
 * once.  IMX has three (two survivor spaces and the mature space), so a
 * client with IMX and IMXZ (or IMX and AMC) needs six; with four, a worker
 * scanning old objects that refer to young ones of every age closed a
 * region at nearly every copy, each leaving its last line part-used. */
#define PAR_REGIONS 8
#define PAR_RUN_SIZE ((Size)4096) /* bytes of a region scanned at once */

typedef struct ParStruct *Par;
typedef struct ParWorkerStruct *ParWorker;
typedef struct ParPacketStruct *ParPacket;
typedef struct ParRegionStruct *ParRegion;

typedef struct ParEntryStruct {
  Seg seg;
  Addr client;                  /* NULL: the whole (grey) segment, or
                                   with limit ParEntryGREYS, its grey
                                   objects (ParPushGreys) */
  Addr limit;                   /* NULL: the one object at client; else
                                   the objects from client up to limit
                                   (a run of a worker's region) */
} ParEntryStruct;

typedef struct ParPacketStruct {
  Sig sig;
  ParPacket next;               /* in the shared or free list */
  Count count;
  ParEntryStruct entry[PAR_PACKET_ENTRIES];
} ParPacketStruct;

/* A worker's private bump region for a pool (AMC's to-space): the pool
 * owns the meaning of `key` and of the fields; the worker closes every
 * region it holds at the end of each phase with the pool's `close`
 * (called with the Par lock held). */
typedef struct ParRegionStruct {
  void *key;                    /* NULL: slot unused */
  Seg seg;
  Addr scanned;                 /* objects in [seg base, scanned) are
                                   scanned or handed on as entries */
  Addr init;
  Addr limit;
  Size used;                    /* bytes since opened that are new in the
                                   region's generation (the pool's count) */
  Count fills;                  /* segments taken since opened */
  void (*close)(ParRegion region);
} ParRegionStruct;

/* Per-worker counters, added to the trace by the coordinator at the end. */
typedef struct ParCountsStruct {
  Size preserved;
  struct GenDescStruct *gen;    /* the generation genPreserved is of */
  Size genPreserved;            /* preserved, not yet added to gen */
  Size scanned;
  Count fixRefs;
  Count segsScanned;
  Count objects;                /* entries scanned: objects or runs */
  Count steals;                 /* packets taken from the shared list */
  Bool emergency;               /* ran out of memory for to-space */
} ParCountsStruct;

/* The arena's parallel tracing state (parallel.c). */
extern Res ParInit(Arena arena);
extern void ParFinish(Arena arena);
extern Bool ParCheck(Par par);
extern Bool ParWorkerCheck(ParWorker w);
extern Bool ParPacketCheck(ParPacket p);

/* The worker count asked for (1: serial), and the count a trace will use
 * now (1 under Valgrind, without threads, or if asked for 1). */
extern Count ParWorkersRequested(Arena arena);
extern void ParSetWorkers(Arena arena, Count n);
extern Count ParWorkersEffective(Arena arena);

/* The process's available cores (at least 1). */
extern Count ParCoresAvailable(void);

/* Run one phase: the entries in `seeds` are shared out, and every worker
 * calls `process` on each entry it takes, until the work is all done
 * (TRUE) or `deadline` passed (FALSE; then the entries left over are
 * passed to `leftover` on the coordinator's thread, after the workers have
 * stopped).  `ss` is the prototype scan state each worker copies. */
typedef void (*ParProcessMethod)(ParWorker w, ScanState ss, Seg seg, Addr client, Addr limit);
typedef void (*ParLeftoverMethod)(Trace trace, Seg seg, Addr client);
extern Bool ParRun(Arena arena, Trace trace, ScanState proto,
                   ParEntryStruct *seeds, Count seedCount, mps_clock_t deadline,
                   ParProcessMethod process, ParLeftoverMethod leftover,
                   ParCountsStruct *countsReturn);

/* For fixes during a phase (ss->worker != NULL).  ParPush: the object
 * at client is to be scanned.  ParPushGreys: some of the segment's
 * objects are to be scanned, which only its pool knows (its scan method
 * is called with a worker's scan state, concurrently with fixes and
 * other scans of the segment, and must be safe so). */
extern Bool ParPush(ParWorker w, Seg seg, Addr client);
extern Bool ParPushGreys(ParWorker w, Seg seg);
#define ParEntryGREYS ((Addr)1)   /* limit of a ParPushGreys entry */
extern void ParLock(ParWorker w);
extern void ParUnlock(ParWorker w);
extern ParRegion ParWorkerRegion(ParWorker w, void *key);
/* Objects copied into a region are the worker's work, scanned in copy
 * order (Cheney) from `scanned`, a run of them at a time; before a
 * region's segment is given up, its unscanned run becomes an entry
 * (ParRegionFlush). */
extern void ParRegionFlush(ParWorker w, ParRegion r);
extern ParCountsStruct *ParWorkerCounts(ParWorker w);
/* Should the run about to be scanned be prefetched first?  If it was,
 * what the prefetching pass saw (ParPrefetchNote): how many references,
 * and how many went to another page than the one before. */
#define PAR_PAGE_SHIFT 12
extern Bool ParPrefetchChoose(ParWorker w);
extern void ParPrefetchNote(ParWorker w, Count refs, Count far);
/* A fix preserved size bytes condemned in seg (TracePreserved's work). */
extern void ParCountPreserved(ParWorker w, Seg seg, Size size);

/* Is the calling thread one of the collector's worker threads (not the
 * coordinator)?  For the event writer (event.c). */
extern Bool ParIsWorkerThread(void);

/* Is some worker idle with nothing on offer?  (A worker that could keep
 * work to itself shares it instead.) */
extern Bool ParSomeoneStarves(ParWorker w);

/* Atomic bit operations on bit tables (BT), for marks and claims.  Each
 * returns whether the bit was set before. */
static inline Bool ParBTTestAndSet(Word *bt, Index i)
{
  Word bit = (Word)1 << (i & (WORD_WIDTH - 1));
  Word *w = &bt[i >> WORD_SHIFT];
  if ((__atomic_load_n(w, __ATOMIC_RELAXED) & bit) != 0)
    return TRUE;
  return (__atomic_fetch_or(w, bit, __ATOMIC_ACQ_REL) & bit) != 0;
}

static inline Bool ParBTGet(Word *bt, Index i)
{
  Word bit = (Word)1 << (i & (WORD_WIDTH - 1));
  return (__atomic_load_n(&bt[i >> WORD_SHIFT], __ATOMIC_ACQUIRE) & bit) != 0;
}

static inline void ParBTSetRelease(Word *bt, Index i)
{
  Word bit = (Word)1 << (i & (WORD_WIDTH - 1));
  (void)__atomic_fetch_or(&bt[i >> WORD_SHIFT], bit, __ATOMIC_RELEASE);
}

/* A claim table: two bits for each index i, in one word, so that a fix
 * that reads an object's state and then claims it touches one cache
 * line (another worker may have written it).  Bit 2i: claimed, some fix
 * has taken the object; bit 2i+1: done, that fix finished with it (its
 * writes are published with release ordering).  PAR_CLAIM_SIZE(n) bytes
 * for n indexes. */
#define PAR_CLAIM_SIZE(n) BT_SIZE(2 * (n))

typedef enum ParClaimResult {
  ParClaimMINE,                 /* the caller claimed it, and must finish */
  ParClaimBUSY,                 /* another fix claimed it, not yet done */
  ParClaimDONE                  /* done (acquire: its writes are visible) */
} ParClaimResult;

static inline ParClaimResult ParClaim(Word *t, Index i)
{
  Index b = 2 * i;
  Word claim = (Word)1 << (b & (WORD_WIDTH - 1)), done = claim << 1;
  Word *w = &t[b >> WORD_SHIFT];
  Word old = __atomic_load_n(w, __ATOMIC_ACQUIRE);
  if ((old & done) != 0)
    return ParClaimDONE;
  if ((old & claim) != 0)
    return ParClaimBUSY;
  old = __atomic_fetch_or(w, claim, __ATOMIC_ACQ_REL);
  if ((old & done) != 0)
    return ParClaimDONE;
  return (old & claim) != 0 ? ParClaimBUSY : ParClaimMINE;
}

static inline Bool ParClaimIsDone(Word *t, Index i)
{
  Index b = 2 * i + 1;
  return (__atomic_load_n(&t[b >> WORD_SHIFT], __ATOMIC_ACQUIRE)
          & ((Word)1 << (b & (WORD_WIDTH - 1)))) != 0;
}

/* A zeroed claim table for a segment of n grains that a parallel trace
 * condemns; NULL, and the trace made serial, if there is no memory. */
extern Word *ParClaimsCreate(Trace trace, Count n);
/* Free *claimsIO (if any) and set it to NULL. */
extern void ParClaimsDestroy(Arena arena, Word **claimsIO, Count n);

/* Wait until the fix that claimed index i is done with it (acquire). */
extern void ParClaimWait(Word *t, Index i);

/* Claimed and done at once, or done after a claim (release). */
static inline void ParClaimSetDone(Word *t, Index i)
{
  Index b = 2 * i;
  (void)__atomic_fetch_or(&t[b >> WORD_SHIFT], (Word)3 << (b & (WORD_WIDTH - 1)),
                          __ATOMIC_RELEASE);
}

#endif /* tarn_parallel_h */

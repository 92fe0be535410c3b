/* parallel.c: parallel tracing: worker threads, work packets, termination
 * (the design is in parallel.h)
 *
 * Threads.  Worker threads are started the first time a phase needs them
 * and then wait on `phaseCond` between phases.  They are started with
 * every asynchronous signal blocked, so the suspension signals the
 * collector sends to registered threads (thread.c) can never stop one, and
 * they are never registered, so the collector never tries to.  After
 * fork() only the forking thread exists in the child: the process id
 * recorded when the threads were started tells ParRun that they are gone,
 * and it makes the synchronisation objects afresh and starts new threads.
 *
 * Termination.  A worker is idle when its own packet is empty and it
 * found the shared list empty; it then waits on `workCond`.  Only a
 * worker that is not idle can make new work, and it publishes work before
 * it can become idle, so when idle == active (checked under `lock`) there
 * is no work anywhere: the last worker to go idle sets `finished` and
 * wakes the others.
 */

#include "parallel.h"
#include "arena.h"
#include "trace.h"
#include "seg.h"
#include "format.h"
#include "vgmem.h"
#include <string.h>
#include <stdlib.h>

#if TARN_THREADS
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sched.h>
#endif

typedef struct ParWorkerStruct {
  Sig sig;
  Par par;
  Index index;                  /* 0: the coordinator */
  ParPacket packet;             /* private stack of entries, or NULL */
  ScanStateStruct ss;           /* copied from the phase's prototype */
  ParCountsStruct counts;
  ParRegionStruct region[PAR_REGIONS];
  Index nextRegion;             /* round robin for eviction */
  Word seen;                    /* the last phase this thread looked at */
  /* Whether to prefetch before scanning (ParPrefetchChoose), and what
   * the prefetching passes of this window saw; kept from phase to phase. */
  Bool prefetch;
  Count sinceProbe;             /* runs since the last probe */
  Count window;                 /* prefetching passes in this window */
  Count refs;                   /* references they saw */
  Count far;                    /* ... to another page than the last */
} ParWorkerStruct;

typedef struct ParStruct {
  Sig sig;
  Arena arena;
  Count requested;              /* workers asked for, >= 1 */
#if TARN_THREADS
  pid_t pid;                    /* the process whose threads these are */
  Count started;                /* threads running: workers 1..started */
  pthread_t thread[PAR_MAX_WORKERS];
  pthread_mutex_t lock;         /* guards everything below */
  pthread_cond_t phaseCond;     /* a phase starts, or quit */
  pthread_cond_t workCond;      /* work published, or phase over */
  pthread_cond_t doneCond;      /* a worker left the phase */
#endif
  Word generation;              /* phases started */
  Bool quit;
  Count active;                 /* workers in this phase */
  Count left;                   /* threads still in this phase */
  Count idle;                   /* read outside the lock: atomics */
  int stop;                     /* deadline passed: atomics */
  Bool finished;
  ParPacket shared;             /* published packets */
  Count sharedCount;            /* of them: written under the lock, read
                                   outside it (atomics) */
  ParPacket free;               /* empty packets */
  Count packets;                /* allocated, for ParFinish */
  ParProcessMethod process;
  mps_clock_t deadline;
  ParWorkerStruct worker[PAR_MAX_WORKERS];
} ParStruct;

Bool ParCheck(Par par)
{
  CHECKS(Par, par);
  CHECKL(par->requested >= 1 && par->requested <= PAR_MAX_WORKERS);
  CHECKL(par->active <= PAR_MAX_WORKERS);
  return TRUE;
}

Bool ParWorkerCheck(ParWorker w)
{
  CHECKS(ParWorker, w);
  CHECKL(w->index < PAR_MAX_WORKERS);
  CHECKL(w->packet == NULL || w->packet->count <= PAR_PACKET_ENTRIES);
  return TRUE;
}

Bool ParPacketCheck(ParPacket p)
{
  CHECKS(ParPacket, p);
  CHECKL(p->count <= PAR_PACKET_ENTRIES);
  return TRUE;
}

Count ParCoresAvailable(void)
{
#if TARN_THREADS && defined(_SC_NPROCESSORS_ONLN)
  long n = sysconf(_SC_NPROCESSORS_ONLN);
#if defined(CPU_COUNT)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) < n)
    n = CPU_COUNT(&set);
#endif
  return n < 1 ? 1 : (Count)n;
#else
  return 1;
#endif
}

static Count parClamp(Count n)
{
  if (n < 1)
    return 1;
  return n > PAR_MAX_WORKERS ? PAR_MAX_WORKERS : n;
}

Res ParInit(Arena arena)
{
  Par par;
  void *p;
  Index i;
  const char *env;
  Res res = ControlAlloc(&p, arena, sizeof(ParStruct));
  if (res != ResOK)
    return res;
  par = p;
  memset(par, 0, sizeof *par);
  par->arena = arena;
  /* As many workers as the process has cores, unless asked otherwise
   * (test/bench/README.md, "Parallel tracing", has the measurements). */
  par->requested = parClamp(ParCoresAvailable());
  /* TARN_WORKERS lets a whole test suite run with a given count. */
  env = getenv("TARN_WORKERS");
  if (env != NULL && *env != '\0')
    par->requested = parClamp((Count)strtoul(env, NULL, 10));
  if (arena->workersArg != 0)
    par->requested = parClamp(arena->workersArg);
  for (i = 0; i < PAR_MAX_WORKERS; ++i) {
    par->worker[i].par = par;
    par->worker[i].index = i;
    par->worker[i].sig = ParWorkerSig;
  }
  par->sig = ParSig;
  arena->par = par;
  return ResOK;
}

Count ParWorkersRequested(Arena arena)
{
  return arena->par->requested;
}

void ParSetWorkers(Arena arena, Count n)
{
  AVERT(Par, arena->par);
  arena->par->requested = parClamp(n);
}

Count ParWorkersEffective(Arena arena)
{
#if TARN_THREADS
  if (VG_RUNNING())
    return 1;                   /* Valgrind serialises threads anyway */
  return arena->par->requested;
#else
  UNUSED(arena);
  return 1;
#endif
}

/* Prefetching before a scan (trace.c, traceParPrefetch) pays where the
 * objects scanned refer to objects scattered over the heap, whose misses
 * it overlaps, and costs a second pass of the client's scanner where
 * they are near one another (a tree laid out as it is traced), which the
 * hardware prefetcher already fetches.  Which holds is a property of the
 * heap, so each worker measures it: every run it prefetches, and one run
 * in PAR_PROBE_EVERY that it does not, counts the references that go to
 * another page than the one before; after PAR_PREFETCH_WINDOW such runs
 * the worker prefetches from then on if more than one reference in
 * PAR_FAR_SHARE went far.  (Counts, not timings: a shared machine's
 * preemptions made timings flip the choice at random.) */
#define PAR_PREFETCH_WINDOW 16
#define PAR_PROBE_EVERY 8
#define PAR_FAR_SHARE 4

Bool ParPrefetchChoose(ParWorker w)
{
  return w->prefetch || ++w->sinceProbe % PAR_PROBE_EVERY == 0;
}

void ParPrefetchNote(ParWorker w, Count refs, Count far)
{
  w->refs += refs;
  w->far += far;
  if (++w->window < PAR_PREFETCH_WINDOW)
    return;
  w->prefetch = w->far * PAR_FAR_SHARE > w->refs;
  w->window = 0;
  w->refs = w->far = 0;
}

ParCountsStruct *ParWorkerCounts(ParWorker w)
{
  return &w->counts;
}

/* Add what a worker preserved in one generation to it.  Workers add
 * concurrently, but only when the generation changes (consecutive copies
 * mostly come from one) and once at the end of the phase, so the shared
 * counter is touched rarely. */
static void parFlushGen(ParCountsStruct *c)
{
  if (c->gen != NULL && c->genPreserved > 0)
    (void)__atomic_fetch_add(&c->gen->preserved, c->genPreserved, __ATOMIC_RELAXED);
  c->genPreserved = 0;
}

void ParCountPreserved(ParWorker w, Seg seg, Size size)
{
  ParCountsStruct *c = &w->counts;
  GenDesc gen = seg->pgen != NULL ? seg->pgen->gen : NULL;
  c->preserved += size;
  if (gen != c->gen) {
    parFlushGen(c);
    c->gen = gen;
  }
  c->genPreserved += size;
}

#if TARN_THREADS

static __thread Bool parWorkerThread = FALSE;

#define PAR_SPINS 20000         /* polls of an idle worker before it sleeps */

Bool ParIsWorkerThread(void)
{
  return parWorkerThread;
}

/* Packets.  The free list and allocation are under the lock. */

static ParPacket parPacketGetLocked(Par par)
{
  ParPacket p = par->free;
  void *mem;
  if (p != NULL) {
    par->free = p->next;
  } else {
    if (ControlAlloc(&mem, par->arena, sizeof(ParPacketStruct)) != ResOK)
      return NULL;
    p = mem;
    p->sig = ParPacketSig;
    ++par->packets;
  }
  p->next = NULL;
  p->count = 0;
  return p;
}

static void parPacketFreeLocked(Par par, ParPacket p)
{
  AVERT(ParPacket, p);
  p->next = par->free;
  par->free = p;
}

static void parPublishLocked(Par par, ParPacket p)
{
  p->next = par->shared;
  par->shared = p;
  __atomic_store_n(&par->sharedCount, par->sharedCount + 1, __ATOMIC_RELAXED);
  (void)pthread_cond_signal(&par->workCond);
}

void ParLock(ParWorker w)
{
  (void)pthread_mutex_lock(&w->par->lock);
}

void ParUnlock(ParWorker w)
{
  (void)pthread_mutex_unlock(&w->par->lock);
}

/* Is a worker idle with nothing on offer?  (Not while a shared packet
 * waits: a starving worker that is descheduled would otherwise be given
 * one packet per push.) */
static Bool parSomeoneStarves(Par par)
{
  return __atomic_load_n(&par->idle, __ATOMIC_RELAXED) > 0
         && __atomic_load_n(&par->sharedCount, __ATOMIC_RELAXED) == 0;
}

Bool ParSomeoneStarves(ParWorker w)
{
  return parSomeoneStarves(w->par);
}

/* Give half of a packet to the shared list, for an idle worker. */
static void parShareHalf(ParWorker w)
{
  Par par = w->par;
  ParPacket p = w->packet, q;
  Count half = p->count / 2;
  ParLock(w);
  q = parPacketGetLocked(par);
  if (q != NULL) {
    memcpy(q->entry, p->entry, half * sizeof(ParEntryStruct));
    q->count = half;
    memmove(p->entry, p->entry + half, (p->count - half) * sizeof(ParEntryStruct));
    p->count -= half;
    parPublishLocked(par, q);
  }
  ParUnlock(w);
}

/* Push an entry on the worker's stack.  FALSE if no packet could be had
 * (no memory): the caller must make the work reachable another way.
 * (The fields are stored one by one: a whole-struct copy from the
 * caller's frame stalled on store forwarding, ParPush being called for
 * every object a mark-sweep fix preserves.) */
static Bool parPush(ParWorker w, Seg seg, Addr client, Addr limit)
{
  Par par = w->par;
  ParPacket p = w->packet;
  ParEntryStruct *slot;
  if (p == NULL || p->count == PAR_PACKET_ENTRIES) {
    ParLock(w);
    if (p != NULL)
      parPublishLocked(par, p);
    p = parPacketGetLocked(par);
    ParUnlock(w);
    w->packet = p;
    if (p == NULL)
      return FALSE;
  }
  slot = &p->entry[p->count];
  slot->seg = seg;
  slot->client = client;
  slot->limit = limit;
  ++p->count;
  /* Someone is starving: share, while there is enough to split. */
  if (p->count >= 2 && parSomeoneStarves(par))
    parShareHalf(w);
  return TRUE;
}

Bool ParPush(ParWorker w, Seg seg, Addr client)
{
  return parPush(w, seg, client, NULL);
}

Bool ParPushGreys(ParWorker w, Seg seg)
{
  return parPush(w, seg, NULL, ParEntryGREYS);
}

/* Publish one entry at once, for a starving worker.  FALSE if no packet
 * could be had. */
static Bool parShareEntry(ParWorker w, const ParEntryStruct *e)
{
  Par par = w->par;
  ParPacket q;
  ParLock(w);
  q = parPacketGetLocked(par);
  if (q != NULL) {
    q->entry[0] = *e;
    q->count = 1;
    parPublishLocked(par, q);
  }
  ParUnlock(w);
  return q != NULL;
}

/* A region's unscanned objects, [scanned, init), are the worker's own
 * work, taken a run at a time (one call of the format's scan), and the
 * part of it that a starving worker is offered.  Runs are capped at
 * PAR_RUN_SIZE bytes, so that most of the work stays in the region where
 * it can be shared, not in a long run that one worker scans alone. */

/* Cut a run of objects after about `cap` bytes (at least one object):
 * TRUE if there is a rest, which goes to *restReturn. */
static Bool parRunCut(ParEntryStruct *run, Size cap, ParEntryStruct *restReturn)
{
  Format format;
  Addr want, end;
  if (AddrOffset(run->client, run->limit) <= cap)
    return FALSE;
  format = SegPool(run->seg)->format;
  want = AddrAdd(run->client, cap);
  end = (Addr)format->skip(run->client);
  while (end < want)
    end = (Addr)format->skip(end);
  if (end >= run->limit)
    return FALSE;
  restReturn->seg = run->seg;
  restReturn->client = end;
  restReturn->limit = run->limit;
  run->limit = end;
  return TRUE;
}

/* The unscanned objects of a region, at most about `cap` bytes of them
 * (at least one object), as an entry; they then count as scanned. */
static Bool parRegionRun(ParRegion r, ParEntryStruct *entryReturn, Size cap)
{
  Size header;
  ParEntryStruct rest;
  if (r->key == NULL || r->seg == NULL || r->scanned >= r->init)
    return FALSE;
  header = SegPool(r->seg)->format->headerSize;
  entryReturn->seg = r->seg;
  entryReturn->client = AddrAdd(r->scanned, header);
  entryReturn->limit = AddrAdd(r->init, header);
  (void)parRunCut(entryReturn, cap, &rest);
  r->scanned = AddrSub(entryReturn->limit, header);
  return TRUE;
}

void ParRegionFlush(ParWorker w, ParRegion r)
{
  ParEntryStruct e;
  if (parRegionRun(r, &e, (Size)-1) && !parPush(w, e.seg, e.client, e.limit)) {
    /* No packet: the pool scans the whole segment again afterwards. */
    __atomic_store_n(&e.seg->parRegrey, TRUE, __ATOMIC_RELAXED);
  }
}

/* Offer a starving worker the older half (by size) of the region's
 * unscanned objects, or all of them if that is at most a run. */
static void parRegionOffer(ParWorker w, ParRegion r)
{
  ParEntryStruct e;
  Addr oldScanned = r->scanned;
  Size backlog = AddrOffset(r->scanned, r->init);
  if (backlog == 0 || r->seg == NULL)
    return;
  (void)parRegionRun(r, &e, backlog > PAR_RUN_SIZE ? backlog / 2 : backlog);
  if (!parShareEntry(w, &e))
    r->scanned = oldScanned;    /* no packet: keep it */
}

/* Take a run from one of the worker's regions (offering some of the rest
 * if someone starves). */
static Bool parRegionTake(ParWorker w, ParEntryStruct *entryReturn)
{
  Index i;
  for (i = 0; i < PAR_REGIONS; ++i) {
    ParRegion r = &w->region[i];
    if (parRegionRun(r, entryReturn, PAR_RUN_SIZE)) {
      if (parSomeoneStarves(w->par))
        parRegionOffer(w, r);
      return TRUE;
    }
  }
  return FALSE;
}

/* A region for key (a pool's generation, say), opened if need be.  The
 * caller is about to copy into it: a starving worker is offered some of
 * its unscanned objects now, rather than when this worker next takes a
 * run. */
ParRegion ParWorkerRegion(ParWorker w, void *key)
{
  Index i;
  ParRegion r;
  for (i = 0; i < PAR_REGIONS; ++i)
    if (w->region[i].key == key) {
      r = &w->region[i];
      if (parSomeoneStarves(w->par))
        parRegionOffer(w, r);
      return r;
    }
  for (i = 0; i < PAR_REGIONS; ++i)
    if (w->region[i].key == NULL)
      break;
  if (i == PAR_REGIONS) {
    /* Every slot is in use: close one, round robin. */
    i = w->nextRegion;
    w->nextRegion = (w->nextRegion + 1) % PAR_REGIONS;
    r = &w->region[i];
    ParRegionFlush(w, r);
    ParLock(w);
    r->close(r);
    ParUnlock(w);
  }
  r = &w->region[i];
  memset(r, 0, sizeof *r);
  r->key = key;
  return r;
}

static void parCloseRegions(ParWorker w)
{
  Index i;
  ParLock(w);
  for (i = 0; i < PAR_REGIONS; ++i) {
    ParRegion r = &w->region[i];
    if (r->key != NULL) {
      if (r->close != NULL)
        r->close(r);
      r->key = NULL;
    }
  }
  ParUnlock(w);
}

/* Take an entry from the worker's own stack, or a packet from the shared
 * list; FALSE when the phase is over for this worker. */
static Bool parTake(ParWorker w, ParEntryStruct *entryReturn)
{
  Par par = w->par;
  for (;;) {
    ParPacket p = w->packet;
    /* A stop is seen at the next entry, so a phase overruns its
     * deadline by at most one entry's scan (a grey segment's scan goes
     * on while it finds grey objects it greyed itself: pargrey.h). */
    if (__atomic_load_n(&par->stop, __ATOMIC_RELAXED))
      return FALSE;
    if (p != NULL && p->count > 0) {
      ParEntryStruct *top = &p->entry[p->count - 1];
      ParEntryStruct rest;
      /* Field by field: a wider copy would stall the loads of them that
       * follow (store forwarding). */
      entryReturn->seg = top->seg;
      entryReturn->client = top->client;
      entryReturn->limit = top->limit;
      /* A long run (a region's flushed objects, or one shared) is
       * scanned a part at a time; the rest stays, to be shared. */
      if (top->client != NULL && top->limit != NULL
          && parRunCut(entryReturn, PAR_RUN_SIZE, &rest)) {
        *top = rest;
        if (parSomeoneStarves(par)) {
          ParEntryStruct half = rest;
          if (parRunCut(&half, AddrOffset(rest.client, rest.limit) / 2, top)
              && !parShareEntry(w, &half))
            top->client = half.client;  /* no packet: keep it */
        }
      } else {
        --p->count;
      }
      return TRUE;
    }
    if (parRegionTake(w, entryReturn))
      return TRUE;
    ParLock(w);
    if (par->shared == NULL && !par->finished) {
      Count idle = par->idle + 1;
      __atomic_store_n(&par->idle, idle, __ATOMIC_RELAXED);
      if (idle == par->active) {
        __atomic_store_n(&par->finished, TRUE, __ATOMIC_RELAXED);
        (void)pthread_cond_broadcast(&par->workCond);
      } else {
        /* Work usually comes back within microseconds: poll a while
         * before sleeping (a sleep and a wake cost two system calls). */
        unsigned spin;
        ParUnlock(w);
        for (spin = 0; spin < PAR_SPINS; ++spin)
          if (__atomic_load_n(&par->sharedCount, __ATOMIC_RELAXED) != 0
              || __atomic_load_n(&par->finished, __ATOMIC_RELAXED)
              || __atomic_load_n(&par->stop, __ATOMIC_RELAXED))
            break;
        ParLock(w);
      }
      while (par->shared == NULL && !par->finished
             && !__atomic_load_n(&par->stop, __ATOMIC_RELAXED))
        (void)pthread_cond_wait(&par->workCond, &par->lock);
      if (par->shared != NULL && !par->finished)
        __atomic_store_n(&par->idle, par->idle - 1, __ATOMIC_RELAXED);
    }
    if (par->finished || par->shared == NULL) {
      ParUnlock(w);
      return FALSE;
    }
    if (p != NULL)
      parPacketFreeLocked(par, p);
    w->packet = par->shared;
    par->shared = w->packet->next;
    __atomic_store_n(&par->sharedCount, par->sharedCount - 1, __ATOMIC_RELAXED);
    ++w->counts.steals;
    ParUnlock(w);
  }
}

static void parStop(Par par)
{
  (void)pthread_mutex_lock(&par->lock);
  __atomic_store_n(&par->stop, 1, __ATOMIC_RELAXED);
  (void)pthread_cond_broadcast(&par->workCond);
  (void)pthread_mutex_unlock(&par->lock);
}

/* A worker's part of a phase. */
static void parWork(ParWorker w)
{
  Par par = w->par;
  ParEntryStruct e;
  Count n = 0;
  while (parTake(w, &e)) {
    par->process(w, &w->ss, e.seg, e.client, e.limit);
    AVER(w->ss.greySeg == NULL);  /* ParGreyScan has returned */
    /* Only the coordinator reads the clock: mps_clock is the client's
     * plinth, which need not be callable from other threads. */
    if (w->index == 0 && (++n & 31) == 0 && par->deadline != CLOCK_NEVER
        && mps_clock() >= par->deadline)
      parStop(par);
  }
  /* Stopped early: what is left goes back to the coordinator. */
  for (n = 0; n < PAR_REGIONS; ++n)
    ParRegionFlush(w, &w->region[n]);
  if (w->packet != NULL) {
    ParLock(w);
    if (w->packet->count > 0)
      parPublishLocked(par, w->packet);
    else
      parPacketFreeLocked(par, w->packet);
    ParUnlock(w);
    w->packet = NULL;
  }
  parCloseRegions(w);
}

static void *parThreadMain(void *closure)
{
  ParWorker w = closure;
  Par par = w->par;
  Word seen;
  parWorkerThread = TRUE;
  (void)pthread_mutex_lock(&par->lock);
  seen = w->seen;               /* set before the thread was created */
  for (;;) {
    while (par->generation == seen && !par->quit)
      (void)pthread_cond_wait(&par->phaseCond, &par->lock);
    if (par->quit)
      break;
    seen = par->generation;
    if (w->index >= par->active)
      continue;                 /* this phase wants fewer workers */
    (void)pthread_mutex_unlock(&par->lock);
    parWork(w);
    (void)pthread_mutex_lock(&par->lock);
    if (--par->left == 0)
      (void)pthread_cond_signal(&par->doneCond);
  }
  (void)pthread_mutex_unlock(&par->lock);
  return NULL;
}

/* Make the synchronisation objects, in a new process too (after fork the
 * old ones may be in any state, and their waiters do not exist). */
static void parSyncInit(Par par)
{
  (void)pthread_mutex_init(&par->lock, NULL);
  (void)pthread_cond_init(&par->phaseCond, NULL);
  (void)pthread_cond_init(&par->workCond, NULL);
  (void)pthread_cond_init(&par->doneCond, NULL);
  par->pid = getpid();
  par->started = 0;
  par->quit = FALSE;
}

/* Start threads up to n workers in all.  Every asynchronous signal is
 * blocked in them (they inherit the mask at creation): in particular
 * the suspend and resume signals of thread.c, which are only for
 * registered threads.  Faults (SIGSEGV, SIGBUS) stay deliverable, as
 * they must for synchronous errors. */
static void parStartThreads(Par par, Count n)
{
  sigset_t all, old;
  if (par->pid != getpid())
    parSyncInit(par);
  if (par->started + 1 >= n)
    return;
  sigfillset(&all);
  sigdelset(&all, SIGSEGV);
  sigdelset(&all, SIGBUS);
  sigdelset(&all, SIGFPE);
  sigdelset(&all, SIGILL);
  (void)pthread_sigmask(SIG_BLOCK, &all, &old);
  while (par->started + 1 < n) {
    ParWorker w = &par->worker[par->started + 1];
    /* The thread may first take the lock after the coordinator started
     * the phase it was made for: it must not take that one as seen. */
    w->seen = par->generation;
    if (pthread_create(&par->thread[par->started + 1], NULL, parThreadMain, w) != 0)
      break;
    ++par->started;
  }
  (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Share the seeds out in small packets; returns how many found one (the
 * rest, if memory ran out, go back through `leftover`). */
static Index parSeed(Par par, ParEntryStruct *seeds, Count seedCount)
{
  Index i = 0;
  while (i < seedCount) {
    ParPacket p = parPacketGetLocked(par);
    Count k;
    if (p == NULL)
      break;                    /* the rest stays with the coordinator */
    for (k = 0; k < 8 && i < seedCount; ++k, ++i)
      p->entry[p->count++] = seeds[i];
    p->next = par->shared;
    par->shared = p;
    __atomic_store_n(&par->sharedCount, par->sharedCount + 1, __ATOMIC_RELAXED);
  }
  return i;
}

Bool ParRun(Arena arena, Trace trace, ScanState proto,
            ParEntryStruct *seeds, Count seedCount, mps_clock_t deadline,
            ParProcessMethod process, ParLeftoverMethod leftover,
            ParCountsStruct *countsReturn)
{
  Par par = arena->par;
  Count n = ParWorkersEffective(arena), i;
  Index seeded;
  Bool done;

  AVERT(Par, par);
  AVER(n > 1);
  memset(countsReturn, 0, sizeof *countsReturn);
  parStartThreads(par, n);
  n = par->started + 1 < n ? par->started + 1 : n;
  for (i = 0; i < n; ++i) {
    ParWorker w = &par->worker[i];
    w->ss = *proto;
    w->ss.worker = w;
    w->packet = NULL;
    memset(&w->counts, 0, sizeof w->counts);
  }
  (void)pthread_mutex_lock(&par->lock);
  par->process = process;
  par->deadline = deadline;
  par->active = n;
  par->left = n - 1;
  par->idle = 0;
  par->stop = 0;
  __atomic_store_n(&par->finished, FALSE, __ATOMIC_RELAXED);
  seeded = parSeed(par, seeds, seedCount);
  ++par->generation;
  (void)pthread_cond_broadcast(&par->phaseCond);
  (void)pthread_mutex_unlock(&par->lock);

  parWork(&par->worker[0]);

  (void)pthread_mutex_lock(&par->lock);
  while (par->left > 0)
    (void)pthread_cond_wait(&par->doneCond, &par->lock);
  done = !par->stop;
  (void)pthread_mutex_unlock(&par->lock);

  /* Termination: a phase that was not stopped left no work anywhere. */
  AVER(!done || par->shared == NULL);
  /* The workers are waiting for the next phase: the rest is ours. */
  for (i = seeded; i < seedCount; ++i)
    leftover(trace, seeds[i].seg, seeds[i].client);
  while (par->shared != NULL) {
    ParPacket p = par->shared;
    par->shared = p->next;
    while (p->count > 0) {
      --p->count;
      leftover(trace, p->entry[p->count].seg, p->entry[p->count].client);
    }
    parPacketFreeLocked(par, p);
  }
  __atomic_store_n(&par->sharedCount, 0, __ATOMIC_RELAXED);
  for (i = 0; i < n; ++i) {
    ParCountsStruct *c = &par->worker[i].counts;
    parFlushGen(c);
    countsReturn->preserved += c->preserved;
    countsReturn->scanned += c->scanned + par->worker[i].ss.scannedSize;
    countsReturn->fixRefs += c->fixRefs + par->worker[i].ss.fixRefs;
    countsReturn->segsScanned += c->segsScanned;
    countsReturn->objects += c->objects;
    countsReturn->steals += c->steals;
    countsReturn->emergency |= c->emergency;
    ScanStateFinish(&par->worker[i].ss);
  }
  return done;
}

static void parStopThreads(Par par)
{
  Index i;
  if (par->pid != getpid() || par->started == 0)
    return;                     /* none, or they stayed in the parent */
  (void)pthread_mutex_lock(&par->lock);
  par->quit = TRUE;
  (void)pthread_cond_broadcast(&par->phaseCond);
  (void)pthread_mutex_unlock(&par->lock);
  for (i = 1; i <= par->started; ++i)
    (void)pthread_join(par->thread[i], NULL);
  par->started = 0;
}

/* The claimer holds no lock the waiter could be holding, and copying an
 * object is short: spin, yielding now and then in case the claimer was
 * descheduled. */
void ParClaimWait(Word *t, Index i)
{
  unsigned spins = 0;
  while (!ParClaimIsDone(t, i))
    if ((++spins & 63) == 0)
      sched_yield();
}

#else /* !TARN_THREADS: the serial tracer is all there is */

void ParClaimWait(Word *t, Index i)
{
  UNUSED(t); UNUSED(i);
  NOTREACHED;                   /* only workers claim */
}

Bool ParIsWorkerThread(void)
{
  return FALSE;
}

Bool ParPush(ParWorker w, Seg seg, Addr client)
{
  UNUSED(w); UNUSED(seg); UNUSED(client);
  NOTREACHED;
  return FALSE;
}
Bool ParPushGreys(ParWorker w, Seg seg)
{
  UNUSED(w); UNUSED(seg);
  NOTREACHED;
  return FALSE;
}
Bool ParSomeoneStarves(ParWorker w)
{
  UNUSED(w);
  NOTREACHED;                   /* only workers grey */
  return FALSE;
}
void ParLock(ParWorker w) { UNUSED(w); }
void ParUnlock(ParWorker w) { UNUSED(w); }
void ParRegionFlush(ParWorker w, ParRegion r)
{
  UNUSED(w); UNUSED(r);
  NOTREACHED;                   /* only workers have regions to flush */
}
ParRegion ParWorkerRegion(ParWorker w, void *key)
{
  UNUSED(key);
  return &w->region[0];
}
Bool ParRun(Arena arena, Trace trace, ScanState proto,
            ParEntryStruct *seeds, Count seedCount, mps_clock_t deadline,
            ParProcessMethod process, ParLeftoverMethod leftover,
            ParCountsStruct *countsReturn)
{
  UNUSED(arena); UNUSED(trace); UNUSED(proto); UNUSED(seeds); UNUSED(seedCount);
  UNUSED(deadline); UNUSED(process); UNUSED(leftover); UNUSED(countsReturn);
  NOTREACHED;
  return FALSE;
}
static void parStopThreads(Par par) { UNUSED(par); }

#endif /* TARN_THREADS */

Word *ParClaimsCreate(Trace trace, Count n)
{
  void *p;
  if (ControlAlloc(&p, trace->arena, PAR_CLAIM_SIZE(n)) != ResOK) {
    TraceSetSerial(trace);      /* no claims: no parallel phase */
    return NULL;
  }
  memset(p, 0, PAR_CLAIM_SIZE(n));
  return p;
}

void ParClaimsDestroy(Arena arena, Word **claimsIO, Count n)
{
  if (*claimsIO != NULL) {
    ControlFree(arena, *claimsIO, PAR_CLAIM_SIZE(n));
    *claimsIO = NULL;
  }
}

void ParFinish(Arena arena)
{
  Par par = arena->par;
  if (par == NULL)
    return;
  AVERT(Par, par);
  parStopThreads(par);
  while (par->free != NULL) {
    ParPacket p = par->free;
    par->free = p->next;
    p->sig = SigINVALID;
    ControlFree(arena, p, sizeof(ParPacketStruct));
  }
  par->sig = SigINVALID;
  ControlFree(arena, par, sizeof(ParStruct));
  arena->par = NULL;
}

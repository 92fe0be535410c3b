/* pool.h: the generic pool and the pool class method table
 *
 * A pool class is a table of methods; a pool is an instance whose
 * structure starts with PoolStruct, followed by the class's own fields
 * (class->size bytes in all).  A method left NULL means the class does not
 * support the operation: the generic layer answers ResUNIMPL or does
 * nothing, as stated per method below.  Tracing methods are per segment.
 */

#ifndef tarn_pool_h
#define tarn_pool_h

#include "types.h"
#include "check.h"
#include "ring.h"
#include "tract.h"
#include "arena.h"
#include <stdarg.h>

#define PoolSig ((Sig)0x519B0019)
#define PoolClassSig ((Sig)0x519B0C1A)

/* Class attributes */
#define PoolAttrGC ((unsigned)1 << 0)       /* automatically managed */
#define PoolAttrFORMAT ((unsigned)1 << 1)   /* objects are formatted */
#define PoolAttrMOVING ((unsigned)1 << 2)   /* objects may move */
#define PoolAttrSCAN ((unsigned)1 << 3)     /* objects may hold references */
#define PoolAttrRANKED ((unsigned)1 << 4)   /* allocation points take a rank */
#define PoolAttrDEBUG ((unsigned)1 << 5)    /* a debugging class (dbgpool.h) */
/* The class's fix and scan may run on several worker threads at once
 * during a parallel phase (parallel.h): a fix with ss->worker set must
 * preserve with atomic claims, push what it preserves with ParPush (or
 * set seg->parRegrey and leave it to the class's grey method after the
 * phase), allocate only inside ParLock, and never touch the grey rings;
 * the grey method must accept a white segment (then: make every
 * preserved object grey).  A trace is serial if any traced pool's class
 * lacks the attribute. */
#define PoolAttrPARALLEL ((unsigned)1 << 6)

typedef void (*PoolVarargsMethod)(ArgStruct args[], va_list varargs);
typedef Res (*PoolInitMethod)(Pool pool, Arena arena, PoolClass klass, ArgList args);
typedef void (*PoolFinishMethod)(Pool pool);
typedef Res (*PoolAllocMethod)(Addr *pReturn, Pool pool, Size size);
typedef void (*PoolFreeMethod)(Pool pool, Addr old, Size size);
typedef Res (*PoolBufferInitMethod)(Buffer buffer, Pool pool, ArgList args);
typedef void (*PoolBufferFinishMethod)(Buffer buffer);
/* Give the buffer a region [*baseReturn, *limitReturn) of at least size
 * bytes, which the pool counts as in use until it is emptied. */
typedef Res (*PoolBufferFillMethod)(Addr *baseReturn, Addr *limitReturn,
                                    Pool pool, Buffer buffer, Size size);
/* The buffer gives back its region: [base, init) holds committed objects,
 * [init, limit) is unused and returns to the pool. */
typedef void (*PoolBufferEmptyMethod)(Pool pool, Buffer buffer, Addr init, Addr limit);
typedef Res (*PoolFramePushMethod)(mps_frame_t *frameReturn, Pool pool, Buffer buffer);
typedef Res (*PoolFramePopMethod)(Pool pool, Buffer buffer, mps_frame_t frame);
typedef void (*PoolRampMethod)(Pool pool, Buffer buffer, Bool collectAll);
typedef Size (*PoolSizeMethod)(Pool pool);
typedef Res (*PoolWalkMethod)(Pool pool, mps_area_scan_t scanArea, void *closure);
typedef Res (*PoolAddrObjectMethod)(Addr *pReturn, Pool pool, Addr addr);
typedef Bool (*PoolCheckMethod)(Pool pool);
/* Tracing, per segment (the tracing layer documents them). */
typedef Res (*PoolWhitenMethod)(Pool pool, Trace trace, Seg seg);
typedef void (*PoolGreyMethod)(Pool pool, Trace trace, Seg seg);
typedef Res (*PoolScanMethod)(Bool *totalReturn, ScanState ss, Pool pool, Seg seg);
typedef Res (*PoolFixMethod)(Seg seg, ScanState ss, Addr *refIO);
typedef void (*PoolReclaimMethod)(Pool pool, Trace trace, Seg seg);
typedef void (*PoolTraceEndMethod)(Pool pool, Trace trace);

typedef struct mps_pool_class_s {
  Sig sig;
  const char *name;
  Size size;                    /* bytes of the pool instance */
  Size bufferSize;              /* bytes of a buffer; 0 means BufferStruct */
  unsigned attr;
  PoolVarargsMethod varargs;    /* NULL: no positional arguments */
  PoolInitMethod init;          /* required */
  PoolFinishMethod finish;      /* required */
  PoolAllocMethod alloc;        /* NULL: mps_alloc unsupported */
  PoolFreeMethod free;          /* NULL: mps_free unsupported */
  PoolBufferInitMethod bufferInit;     /* NULL: nothing to do */
  PoolBufferFinishMethod bufferFinish; /* NULL: nothing to do */
  PoolBufferFillMethod bufferFill;     /* NULL: no allocation points */
  PoolBufferEmptyMethod bufferEmpty;   /* required with bufferFill */
  PoolFramePushMethod framePush;       /* NULL: frames are no-ops */
  PoolFramePopMethod framePop;
  PoolRampMethod rampBegin;            /* NULL: patterns ignored */
  PoolRampMethod rampEnd;
  PoolSizeMethod totalSize;     /* required */
  PoolSizeMethod freeSize;      /* required */
  PoolWalkMethod walk;          /* NULL: nothing to walk */
  PoolAddrObjectMethod addrObject;     /* NULL: ResUNIMPL */
  PoolCheckMethod check;        /* NULL: only the generic check */
  PoolWhitenMethod whiten;
  PoolGreyMethod grey;
  PoolScanMethod scan;
  PoolFixMethod fix;
  PoolFixMethod fixEmergency;
  PoolReclaimMethod reclaim;
  PoolTraceEndMethod traceEnd;
} PoolClassStruct;

struct mps_pool_s {
  Sig sig;
  Serial serial;
  PoolClass klass;
  Arena arena;
  RingStruct arenaRing;         /* in arena->poolRing */
  RingStruct bufferRing;        /* the pool's allocation points */
  RingStruct segRing;           /* the pool's segments */
  Align alignment;              /* of blocks and of reserve sizes */
  Shift alignShift;
  Format format;                /* NULL for unformatted pools */
  TractStruct tractStruct;      /* owner of grains held without a segment */
  Serial bufferSerial;
  Count sacCount;               /* segregated allocation caches on the pool */
};

extern Bool PoolClassCheck(PoolClass klass);
extern Bool PoolCheck(Pool pool);

extern Res PoolCreate(Pool *poolReturn, Arena arena, PoolClass klass, ArgList args);
extern void PoolDestroy(Pool pool);
/* For classes: the generic part of init/finish (PoolCreate calls them). */
extern void PoolInitGeneric(Pool pool, Arena arena, PoolClass klass);
extern void PoolFinishGeneric(Pool pool);

extern Res PoolAlloc(Addr *pReturn, Pool pool, Size size);
extern void PoolFree(Pool pool, Addr old, Size size);
extern Size PoolTotalSize(Pool pool);
extern Size PoolFreeSize(Pool pool);
extern Bool PoolHasAddr(Pool pool, Addr addr);

/* Grains held by the pool without a segment. */
extern Res PoolArenaAlloc(Addr *baseReturn, LocusPref pref, Size size, Pool pool);
extern void PoolArenaFree(Pool pool, Addr base, Size size);

#define PoolArena(pool) ((pool)->arena)
#define PoolAlignment(pool) ((pool)->alignment)
#define PoolHasAttr(pool, a) (((pool)->klass->attr & (a)) != 0)

/* The pool's checked class-specific structure. */
#define PoolClassOf(pool) ((pool)->klass)

/* Pool classes */
extern PoolClass PoolClassMFS(void);
extern PoolClass PoolClassMVFF(void);
extern PoolClass PoolClassMVT(void);
extern PoolClass PoolClassLO(void);
extern PoolClass PoolClassAMS(void);
extern PoolClass PoolClassAMC(void);
extern PoolClass PoolClassAMCZ(void);
extern PoolClass PoolClassAWL(void);
extern PoolClass PoolClassSNC(void);
extern PoolClass PoolClassMVFFDebug(void);  /* dbgpool.c */
extern PoolClass PoolClassAMSDebug(void);

#endif /* tarn_pool_h */

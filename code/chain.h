/* chain.h: generation chains and the collection policy
 *
 * A chain is a list of generations, each with a capacity (bytes) and a
 * predicted mortality.  A pool on a chain keeps, for each generation it
 * has objects in, a PoolGen: the bytes of its segments in that generation
 * and the bytes allocated (or promoted) into it since the generation was
 * last collected ("new size").  When a generation's new size passes its
 * capacity the chain is due for collection: every generation up to the
 * highest one over capacity is condemned (contract 12.2).
 *
 * Survivors of the last generation of a chain go to the arena's top
 * generation, which is collected only by full collections.
 */

#ifndef tarn_chain_h
#define tarn_chain_h

#include "types.h"
#include "check.h"
#include "ring.h"
#include "arena.h"

#define GenDescSig ((Sig)0x5199E4DE)
#define PoolGenSig ((Sig)0x5199E490)
#define ChainSig ((Sig)0x519C4A14)

typedef struct GenDescStruct *GenDesc;
typedef struct PoolGenStruct *PoolGen;

typedef struct GenDescStruct {
  Sig sig;
  Index index;                  /* in its chain; the top generation: -1 */
  ZoneSet zones;                /* where its segments prefer to be */
  Size capacity;                /* bytes */
  double mortality;             /* fraction expected to die (moving average) */
  RingStruct poolGenRing;       /* PoolGens in this generation */
  Count collections;            /* times condemned */
  Size condemned;               /* condemned in it by the current trace:
                                 * reported (GenCollect) and reset when
                                 * the trace ends; 0 between traces */
  Size preserved;               /* of condemned, found alive: the same */
  Size newAtCondemn;            /* the top generation: its new size when a
                                 * full collection condemned it */
} GenDescStruct;

typedef struct PoolGenStruct {
  Sig sig;
  Pool pool;
  GenDesc gen;
  RingStruct genRing;           /* in gen->poolGenRing */
  Size totalSize;               /* bytes of the pool's segments in gen */
  Size newSize;                 /* allocated or promoted since last collected */
} PoolGenStruct;

struct mps_chain_s {
  Sig sig;
  Arena arena;
  RingStruct arenaRing;         /* in arena->chainRing */
  Count genCount;
  GenDescStruct *gens;
  Count poolCount;              /* pools on the chain */
};

extern Bool ChainCheck(Chain chain);
extern Bool GenDescCheck(GenDesc gen);
extern Bool PoolGenCheck(PoolGen pgen);

extern Res ChainCreate(Chain *chainReturn, Arena arena, Count genCount,
                       mps_gen_param_s *params);
extern void ChainDestroy(Chain chain);
extern GenDesc ChainGen(Chain chain, Index i);   /* i == genCount: top */

/* For pools: pick MPS_KEY_CHAIN (default: the arena's default chain) and
 * MPS_KEY_GEN; `defaultGen` is used when no generation is given. */
extern Res ChainPickForPool(Chain *chainReturn, Index *genReturn, Arena arena,
                            ArgList args, Index defaultGen, Bool takesGen);
extern void ChainReleaseForPool(Chain chain);

/* Zones: each generation prefers the zones its segments already occupy,
 * and a generation with none yet prefers zones no generation has claimed,
 * so that summaries can tell generations apart.  Zone 0 is avoided
 * altogether, so that MPS_FIX1(NULL) is false. */
extern ZoneSet GenDescPrefZones(GenDesc gen, Arena arena);
/* Where a new segment of gen should go (zones, and zones to keep out of). */
extern void GenDescLocusPref(LocusPrefStruct *pref, GenDesc gen, Arena arena);
extern void GenDescNoteSeg(GenDesc gen, Arena arena, Addr base, Addr limit);

extern void PoolGenInit(PoolGen pgen, GenDesc gen, Pool pool);
extern void PoolGenFinish(PoolGen pgen);
extern void PoolGenAddSeg(PoolGen pgen, Size size);
extern void PoolGenRemoveSeg(PoolGen pgen, Size size);
extern void PoolGenNew(PoolGen pgen, Size size);     /* allocation counts */
extern void PoolGenUnnew(PoolGen pgen, Size size);   /* unused buffer given back */

/* The arena's collector state that belongs here. */
extern Res ArenaChainsInit(Arena arena);
extern void ArenaChainsFinish(Arena arena);
extern GenDesc ArenaTopGen(Arena arena);

/* Policy: which generations of which chain are due (NULL if none). */
extern Chain PolicyChainDue(Index *topGenReturn, Arena arena);
/* Is the arena's top generation due?  It is, once what was promoted into
 * it since the last full collection passes its capacity, which is reset
 * after each full collection to what survived (so a full collection comes
 * whenever the oldest objects have doubled), and at least TOP_GEN_MIN.
 * What survived is the bytes preserved in it plus those the collection
 * copied into it from younger generations, not the size of the segments
 * that hold them: a non-moving pool's segments keep their free space, and
 * counting it would let the generation grow by its fragmentation as well.
 * The minimum keeps a small heap from being collected whole too often;
 * at 16 MiB it let a program with 6 MiB live reach four times that
 * before a full collection (test/bench/README.md, "The oldest
 * generation"). */
extern Bool PolicyTopGenDue(Arena arena);
extern void PolicyTopGenCondemned(Arena arena);
extern void PolicyTopGenCollected(Arena arena);
#define TOP_GEN_MIN ((Size)4 << 20)

#endif /* tarn_chain_h */

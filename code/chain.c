/* chain.c: generation chains and collection policy (see chain.h) */

#include "chain.h"
#include "arena.h"
#include "args.h"
#include "control.h"
#include "pool.h"
#include "event.h"
#include <string.h>

Bool GenDescCheck(GenDesc gen)
{
  CHECKS(GenDesc, gen);
  CHECKL(gen->mortality >= 0.0 && gen->mortality <= 1.0);
  return TRUE;
}

Bool PoolGenCheck(PoolGen pgen)
{
  CHECKS(PoolGen, pgen);
  CHECKD(GenDesc, pgen->gen);
  CHECKL(pgen->pool != NULL);
  return TRUE;
}

Bool ChainCheck(Chain chain)
{
  Index i;
  CHECKS(Chain, chain);
  CHECKL(chain->genCount > 0);
  for (i = 0; i < chain->genCount; ++i)
    CHECKD(GenDesc, &chain->gens[i]);
  return TRUE;
}

static void genDescInit(GenDesc gen, Index index, Size capacity, double mortality)
{
  gen->index = index;
  gen->zones = ZoneSetEMPTY;    /* claimed as its segments are placed */
  gen->capacity = capacity;
  gen->mortality = mortality;
  RingInit(&gen->poolGenRing);
  gen->collections = 0;
  gen->condemned = 0;
  gen->preserved = 0;
  gen->newAtCondemn = 0;
  gen->sig = GenDescSig;
}

static void genDescFinish(GenDesc gen)
{
  AVER(RingIsSingle(&gen->poolGenRing));
  gen->sig = SigINVALID;
}

Res ChainCreate(Chain *chainReturn, Arena arena, Count genCount, mps_gen_param_s *params)
{
  Chain chain;
  void *p;
  Index i;
  Res res;

  AVER(genCount > 0);
  res = ControlAlloc(&p, arena, sizeof(struct mps_chain_s) + genCount * sizeof(GenDescStruct));
  if (res != ResOK)
    return res;
  chain = p;
  chain->arena = arena;
  RingInit(&chain->arenaRing);
  chain->genCount = genCount;
  chain->gens = (GenDescStruct *)(void *)(chain + 1);
  chain->poolCount = 0;
  for (i = 0; i < genCount; ++i)
    genDescInit(&chain->gens[i], i, params[i].mps_capacity * (Size)1024,
                params[i].mps_mortality);
  chain->sig = ChainSig;
  RingAppend(&arena->chainRing, &chain->arenaRing);
  *chainReturn = chain;
  return ResOK;
}

void ChainDestroy(Chain chain)
{
  Arena arena = chain->arena;
  Index i;
  AVERT(Chain, chain);
  AVER(chain->poolCount == 0);
  for (i = 0; i < chain->genCount; ++i)
    genDescFinish(&chain->gens[i]);
  RingRemove(&chain->arenaRing);
  chain->sig = SigINVALID;
  ControlFree(arena, chain, sizeof(struct mps_chain_s) + chain->genCount * sizeof(GenDescStruct));
}

GenDesc ChainGen(Chain chain, Index i)
{
  AVER(i <= chain->genCount);
  if (i == chain->genCount)
    return chain->arena->topGen;
  return &chain->gens[i];
}

Res ChainPickForPool(Chain *chainReturn, Index *genReturn, Arena arena,
                     ArgList args, Index defaultGen, Bool takesGen)
{
  ArgStruct arg;
  Chain chain = arena->defaultChain;
  Index gen = defaultGen;
  if (ArgPick(&arg, args, MPS_KEY_CHAIN)) {
    chain = arg.val.chain;
    ARGCHECKF("mps_pool_create_k", TESTT(Chain, chain), ResPARAM); /* MPS_KEY_CHAIN is a chain */
    ARGCHECKF("mps_pool_create_k", chain->arena == arena, ResPARAM); /* the chain is the arena's */
    gen = 0;
  }
  if (takesGen && ArgPick(&arg, args, MPS_KEY_GEN)) {
    ARGCHECKF("mps_pool_create_k", arg.val.u <= chain->genCount, ResPARAM); /* MPS_KEY_GEN <= gen count */
    gen = arg.val.u;
  }
  if (gen > chain->genCount)
    gen = chain->genCount;
  ++chain->poolCount;
  *chainReturn = chain;
  *genReturn = gen;
  return ResOK;
}

void ChainReleaseForPool(Chain chain)
{
  AVERT(Chain, chain);
  AVER(chain->poolCount > 0);
  --chain->poolCount;
}

ZoneSet GenDescPrefZones(GenDesc gen, Arena arena)
{
  ZoneSet zones = gen->zones != ZoneSetEMPTY ? gen->zones : ~arena->zonesClaimed;
  zones &= ~(ZoneSet)1;
  return zones != ZoneSetEMPTY ? zones : ZoneSetUNIV & ~(ZoneSet)1;
}

void GenDescLocusPref(LocusPrefStruct *pref, GenDesc gen, Arena arena)
{
  LocusPrefInit(pref);
  pref->zones = GenDescPrefZones(gen, arena);
  pref->avoid = arena->zonesClaimed & ~gen->zones;
}

void GenDescNoteSeg(GenDesc gen, Arena arena, Addr base, Addr limit)
{
  ZoneSet zones = ZoneSetOfRange(arena, base, limit);
  gen->zones |= zones;
  arena->zonesClaimed |= zones;
}

void PoolGenInit(PoolGen pgen, GenDesc gen, Pool pool)
{
  AVERT(GenDesc, gen);
  pgen->pool = pool;
  pgen->gen = gen;
  RingInit(&pgen->genRing);
  RingAppend(&gen->poolGenRing, &pgen->genRing);
  pgen->totalSize = 0;
  pgen->newSize = 0;
  pgen->sig = PoolGenSig;
}

void PoolGenFinish(PoolGen pgen)
{
  AVERT(PoolGen, pgen);
  RingRemove(&pgen->genRing);
  pgen->sig = SigINVALID;
}

void PoolGenAddSeg(PoolGen pgen, Size size) { pgen->totalSize += size; }
void PoolGenRemoveSeg(PoolGen pgen, Size size)
{
  AVER(pgen->totalSize >= size);
  pgen->totalSize -= size;
}
void PoolGenNew(PoolGen pgen, Size size) { pgen->newSize += size; }
void PoolGenUnnew(PoolGen pgen, Size size)
{
  pgen->newSize = pgen->newSize > size ? pgen->newSize - size : 0;
}

static Size genNewSize(GenDesc gen)
{
  Size size = 0;
  Ring node;
  for (node = gen->poolGenRing.next; node != &gen->poolGenRing; node = node->next)
    size += RING_ELT(PoolGen, genRing, node)->newSize;
  return size;
}

/* The default chain: two generations, 8 MiB and 36 MiB (contract 12.3). */
static mps_gen_param_s chainDefaultParams[] = {{8 * 1024, 0.85}, {36 * 1024, 0.45}};

Res ArenaChainsInit(Arena arena)
{
  void *p;
  Res res;
  res = ControlAlloc(&p, arena, sizeof(GenDescStruct));
  if (res != ResOK)
    return res;
  arena->topGen = p;
  genDescInit(arena->topGen, (Index)-1, TOP_GEN_MIN, 0.5);
  res = ChainCreate(&arena->defaultChain, arena, 2, chainDefaultParams);
  if (res != ResOK) {
    genDescFinish(arena->topGen);
    ControlFree(arena, p, sizeof(GenDescStruct));
    return res;
  }
  /* The default chain is the arena's, not the client's: keep it off the
   * ring the destroy check looks at. */
  RingRemove(&arena->defaultChain->arenaRing);
  return ResOK;
}

void ArenaChainsFinish(Arena arena)
{
  RingAppend(&arena->chainRing, &arena->defaultChain->arenaRing);
  ChainDestroy(arena->defaultChain);
  genDescFinish(arena->topGen);
  ControlFree(arena, arena->topGen, sizeof(GenDescStruct));
}

GenDesc ArenaTopGen(Arena arena)
{
  return arena->topGen;
}

/* Find the chain with the most urgent need: the highest generation whose
 * new size passes its capacity. */
static Index chainHighestOver(Chain chain)
{
  Index i, top = (Index)-1;
  for (i = 0; i < chain->genCount; ++i)
    if (genNewSize(&chain->gens[i]) > chain->gens[i].capacity)
      top = i;
  return top;
}

Bool PolicyTopGenDue(Arena arena)
{
  return genNewSize(arena->topGen) > arena->topGen->capacity;
}

/* A full collection condemns the top generation: what is added to its
 * new size from here to PolicyTopGenCollected was promoted (copied into
 * it) by the collection, and survived it (as did what the mutator
 * allocated in it meanwhile, if the collection was incremental).  Pools
 * count a copy within the generation, or into a block the collection
 * condemned, as preserved, not as new. */
void PolicyTopGenCondemned(Arena arena)
{
  arena->topGen->newAtCondemn = genNewSize(arena->topGen);
}

void PolicyTopGenCollected(Arena arena)
{
  GenDesc gen = arena->topGen;
  Size size = 0, newSize = 0, promoted;
  Ring node;
  for (node = gen->poolGenRing.next; node != &gen->poolGenRing; node = node->next) {
    PoolGen pgen = RING_ELT(PoolGen, genRing, node);
    size += pgen->totalSize;
    newSize += pgen->newSize;
    pgen->newSize = 0;
  }
  promoted = newSize > gen->newAtCondemn ? newSize - gen->newAtCondemn : 0;
  gen->capacity = SizeMax(TOP_GEN_MIN, gen->preserved + promoted);
  gen->newAtCondemn = 0;
  /* The top generation's index is (Index)-1 (chain.h). */
  EVENTN(GenCollect, TRACE, (Word)arena, (Word)gen->index, gen->condemned,
         gen->preserved, size, newSize);
  gen->condemned = 0;
  gen->preserved = 0;
  ++gen->collections;
}

Chain PolicyChainDue(Index *topGenReturn, Arena arena)
{
  Ring node;
  Index top = chainHighestOver(arena->defaultChain);
  if (top != (Index)-1) {
    *topGenReturn = top;
    return arena->defaultChain;
  }
  for (node = arena->chainRing.next; node != &arena->chainRing; node = node->next) {
    Chain chain = RING_ELT(Chain, arenaRing, node);
    top = chainHighestOver(chain);
    if (top != (Index)-1) {
      *topGenReturn = top;
      return chain;
    }
  }
  return NULL;
}

/* sac.c: segregated allocation caches (see sac.h)
 *
 * The functions here are the slow paths of the inline macros and their
 * out-of-line equivalents.  They run without the arena lock, in the
 * client thread that owns the cache, and take the lock only around calls
 * to the pool.  Each of them copes with any state the macros can leave,
 * including being called for a class whose list could have served the
 * request, so that the functions and the macros can be mixed freely.
 */

#include "sac.h"
#include "pool.h"
#include "control.h"

/* Bounds on the extra blocks moved in one go (see sac.h): enough to make
 * the lock rare for small blocks, not so much that a class of large
 * blocks grabs a lot of memory on its first miss. */
#define SAC_BATCH_BLOCKS ((Count)32)
#define SAC_BATCH_BYTES ((Size)16 * 1024)

#define SAC_OVERLARGE_SIZE ((Size)-1)

Bool SACCheck(SAC sac)
{
  const _mps_sac_s *esac;
  Index i;
  CHECKS(SAC, sac);
  /* Only the pool's signature: the rest of the pool may be changing under
   * another thread, since the cache is checked without the arena lock. */
  CHECKL(TESTT(Pool, sac->pool));
  CHECKL(sac->classes >= 1 && sac->classes <= MPS_SAC_CLASS_LIMIT);
  esac = SACPublic(sac);
  CHECKL(esac->_middle == 0);
  CHECKL(esac->_trapped == 0);
  for (i = 0; i < sac->classes; ++i) {
    const _mps_sac_freelist_block_s *fl = &esac->_freelists[i];
    CHECKL(fl->_size >= sizeof(void *));
    CHECKL(SizeIsAligned(fl->_size, PoolAlignment(sac->pool)));
    CHECKL(i == 0 || fl->_size > esac->_freelists[i - 1]._size);
    CHECKL(fl->_count <= fl->_count_max);
    CHECKL((fl->_count == 0) == (fl->_blocks == NULL));
    CHECKL(sac->batch[i] <= fl->_count_max);
  }
  for (i = sac->classes; i < 2 * MPS_SAC_CLASS_LIMIT; ++i) {
    const _mps_sac_freelist_block_s *fl = &esac->_freelists[i];
    CHECKL(fl->_size == SAC_OVERLARGE_SIZE);
    CHECKL(fl->_count == 0 && fl->_count_max == 0 && fl->_blocks == NULL);
  }
  return TRUE;
}

/* The class a request of size bytes belongs to: the same search as the
 * macros make, ending at the overlarge class at the latest. */
static Index sacClassOfSize(SAC sac, Size size)
{
  const _mps_sac_s *esac = SACPublic(sac);
  Index i = 0;
  while (size > esac->_freelists[i]._size)
    ++i;
  return i;
}

/* Half the class's cached count, so that after a miss the class still has
 * room for the block the client frees next (a freed block comes back on
 * the next request of its class, as clients expect), and after an
 * overflow it still holds blocks for the next requests. */
static Count sacBatch(Size blockSize, Count cachedCount)
{
  Count byBytes = SizeMax(1, SAC_BATCH_BYTES / blockSize);
  return SizeMin(cachedCount / 2, SizeMin(SAC_BATCH_BLOCKS, byBytes));
}

static void sacPush(_mps_sac_freelist_block_s *fl, Addr p)
{
  *(mps_addr_t *)p = fl->_blocks;
  fl->_blocks = p;
  ++fl->_count;
}

static Addr sacPop(_mps_sac_freelist_block_s *fl)
{
  Addr p = fl->_blocks;
  fl->_blocks = *(mps_addr_t *)p;
  --fl->_count;
  return p;
}

/* Give one block back to the pool; the caller holds the arena lock.  The
 * cache has no record of which blocks it handed out, so a stray pointer is
 * caught here, when it reaches the pool, rather than when it was freed. */
static void sacPoolFree(SAC sac, Addr p, Size size)
{
#if TARN_CHECK_ARGS
  if (!PoolHasAddr(sac->pool, p)) {
    ArgFail(__FILE__, __LINE__, "mps_sac_free", "the block belongs to the cache's pool");
    return;                 /* dropping it is the least harmful choice */
  }
#endif
  PoolFree(sac->pool, p, size);
}

/* A miss in class i: allocate the block asked for and up to batch[i] more,
 * which are cached.  The extra blocks are a bonus: if the pool runs out
 * while getting them, the request still succeeds with what there is. */
static Res sacRefill(Addr *pReturn, SAC sac, Index i)
{
  _mps_sac_freelist_block_s *fl = &SACPublic(sac)->_freelists[i];
  Arena arena = PoolArena(sac->pool);
  Size size = fl->_size;
  Count room, extra;
  Addr p;
  mps_addr_t head, *tailLink;   /* links are the macros' type */
  Res res;

  AVER(i < sac->classes);
  room = fl->_count_max - fl->_count;
  extra = SizeMin(sac->batch[i], room);

  ArenaEnter(arena);
  res = PoolAlloc(&p, sac->pool, size);
  if (res != ResOK) {
    ArenaLeave(arena);
    return res;
  }
  /* Chain the extras in allocation order, so that the cache hands them
   * out in that order too (usually ascending addresses). */
  head = NULL;
  tailLink = &head;
  for (; extra > 0; --extra) {
    Addr q;
    if (PoolAlloc(&q, sac->pool, size) != ResOK)
      break;
    *tailLink = q;
    tailLink = (mps_addr_t *)q;
    ++fl->_count;
  }
  ArenaLeave(arena);
  *tailLink = fl->_blocks;      /* with no extras this leaves the list as it was */
  fl->_blocks = head;
  *pReturn = p;
  return ResOK;
}

static Res sacAlloc(Addr *pReturn, SAC sac, Size size)
{
  Index i = sacClassOfSize(sac, size);
  _mps_sac_freelist_block_s *fl = &SACPublic(sac)->_freelists[i];
  Pool pool = sac->pool;
  Arena arena;
  Size rounded;
  Addr p;
  Res res;

  AVERT(SAC, sac);
  if (fl->_count > 0) {         /* the macro was bypassed: a plain hit */
    *pReturn = sacPop(fl);
    return ResOK;
  }
  if (i < sac->classes)
    return sacRefill(pReturn, sac, i);

  /* Overlarge: straight to the pool, at the size rounded to the
   * alignment (a size that would wrap round cannot be had). */
  if (size > SAC_OVERLARGE_SIZE - PoolAlignment(pool))
    return ResRESOURCE;
  rounded = SizeAlignUp(size, PoolAlignment(pool));
  arena = PoolArena(pool);
  ArenaEnter(arena);
  res = PoolAlloc(&p, pool, rounded);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *pReturn = p;
  return ResOK;
}

/* A block comes back.  Cache it if its class has room; otherwise return it
 * and batch[i] cached blocks of the class to the pool, making room for the
 * next frees. */
static void sacFree(SAC sac, Addr p, Size size)
{
  Index i = sacClassOfSize(sac, size);
  _mps_sac_freelist_block_s *fl = &SACPublic(sac)->_freelists[i];
  Pool pool = sac->pool;
  Arena arena = PoolArena(pool);

  AVERT(SAC, sac);
  if (fl->_count < fl->_count_max) {   /* the macro was bypassed */
    sacPush(fl, p);
    return;
  }
  ArenaEnter(arena);
  if (i < sac->classes) {
    Count keep = fl->_count_max - sac->batch[i];
    sacPoolFree(sac, p, fl->_size);
    while (fl->_count > keep)
      sacPoolFree(sac, sacPop(fl), fl->_size);
  } else {
    /* Allocated at this rounding by sacAlloc; a size too large to round
     * cannot have come from there. */
    if (size <= SAC_OVERLARGE_SIZE - PoolAlignment(pool))
      sacPoolFree(sac, p, SizeAlignUp(size, PoolAlignment(pool)));
  }
  ArenaLeave(arena);
}

/* Return every cached block; the caller holds the arena lock. */
static void sacFlushLocked(SAC sac)
{
  _mps_sac_s *esac = SACPublic(sac);
  Index i;
  for (i = 0; i < sac->classes; ++i) {
    _mps_sac_freelist_block_s *fl = &esac->_freelists[i];
    while (fl->_count > 0)
      sacPoolFree(sac, sacPop(fl), fl->_size);
  }
}

static Bool sacIsEmpty(SAC sac)
{
  Index i;
  for (i = 0; i < sac->classes; ++i)
    if (SACPublic(sac)->_freelists[i]._count > 0)
      return FALSE;
  return TRUE;
}

/* Interface */

mps_res_t mps_sac_create(mps_sac_t *sac_o, mps_pool_t pool, size_t classes_count,
                         mps_sac_class_s *classes)
{
  Arena arena;
  SAC sac;
  _mps_sac_s *esac;
  void *p;
  Index i;
  Res res;

  ARGCHECK(sac_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Pool, pool), MPS_RES_PARAM);
  /* The cache needs both halves of manual allocation from the pool. */
  ARGCHECK(pool->klass->alloc != NULL && pool->klass->free != NULL, MPS_RES_UNIMPL);
  ARGCHECK(classes != NULL, MPS_RES_PARAM);
  ARGCHECK(classes_count >= 1, MPS_RES_PARAM);
  /* Not a client error: the contract allows this result for more classes
   * than the implementation takes.  Tarn takes MPS_SAC_CLASS_LIMIT, as
   * MPS does, although _freelists would have room for more. */
  if (classes_count > MPS_SAC_CLASS_LIMIT)
    return MPS_RES_LIMIT;
  /* A cached block holds the free-list link in its first word. */
  ARGCHECK(classes[0].mps_block_size >= sizeof(void *), MPS_RES_PARAM);
  for (i = 0; i < classes_count; ++i)
    ARGCHECK(SizeIsAligned(classes[i].mps_block_size, PoolAlignment(pool)), MPS_RES_PARAM);
  for (i = 1; i < classes_count; ++i)
    ARGCHECK(classes[i].mps_block_size > classes[i - 1].mps_block_size, MPS_RES_PARAM);

  arena = PoolArena(pool);
  ArenaEnter(arena);
  res = ControlAlloc(&p, arena, sizeof(SACStruct));
  if (res == ResOK)
    ++pool->sacCount;
  ArenaLeave(arena);
  if (res != ResOK)
    return res;

  sac = (SAC)p;
  esac = SACPublic(sac);
  esac->_middle = 0;
  esac->_trapped = 0;
  /* mps_frequency is advice about the order of the class search; the
   * macros search from the smallest class, so it is not used. */
  for (i = 0; i < classes_count; ++i) {
    _mps_sac_freelist_block_s *fl = &esac->_freelists[i];
    fl->_size = classes[i].mps_block_size;
    fl->_count = 0;
    fl->_count_max = classes[i].mps_cached_count;
    fl->_blocks = NULL;
    sac->batch[i] = sacBatch(fl->_size, fl->_count_max);
  }
  for (i = classes_count; i < 2 * MPS_SAC_CLASS_LIMIT; ++i) {
    _mps_sac_freelist_block_s *fl = &esac->_freelists[i];
    fl->_size = SAC_OVERLARGE_SIZE;
    fl->_count = 0;
    fl->_count_max = 0;
    fl->_blocks = NULL;
    if (i < MPS_SAC_CLASS_LIMIT)
      sac->batch[i] = 0;
  }
  sac->pool = pool;
  sac->classes = classes_count;
  sac->sig = SACSig;
  AVERT(SAC, sac);
  *sac_o = (mps_sac_t)esac;
  return MPS_RES_OK;
}

void mps_sac_destroy(mps_sac_t esac)
{
  SAC sac = SACOfPublic(esac);
  Arena arena;
  ARGCHECK_VOID(TESTT(SAC, sac));
  AVERT(SAC, sac);
  arena = PoolArena(sac->pool);
  ArenaEnter(arena);
  sacFlushLocked(sac);
  AVER(sac->pool->sacCount > 0);
  --sac->pool->sacCount;
  sac->sig = SigINVALID;
  ControlFree(arena, sac, sizeof(SACStruct));
  ArenaLeave(arena);
}

void mps_sac_flush(mps_sac_t esac)
{
  SAC sac = SACOfPublic(esac);
  Arena arena;
  ARGCHECK_VOID(TESTT(SAC, sac));
  AVERT(SAC, sac);
  if (sacIsEmpty(sac))
    return;                 /* nothing for the pool: no need for the lock */
  arena = PoolArena(sac->pool);
  ArenaEnter(arena);
  sacFlushLocked(sac);
  ArenaLeave(arena);
}

/* `unused` is obsolete (it asked for an allocation that may fail rather
 * than collect); manual pools never collect, so it changes nothing. */
mps_res_t mps_sac_alloc(mps_addr_t *p_o, mps_sac_t esac, size_t size, mps_bool_t unused)
{
  SAC sac = SACOfPublic(esac);
  Addr p;
  Res res;
  UNUSED(unused);
  ARGCHECK(p_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(SAC, sac), MPS_RES_PARAM);
  ARGCHECK(size > 0, MPS_RES_PARAM);
  res = sacAlloc(&p, sac, size);
  if (res != ResOK)
    return res;
  *p_o = (mps_addr_t)p;
  return MPS_RES_OK;
}

mps_res_t mps_sac_fill(mps_addr_t *p_o, mps_sac_t esac, size_t size, mps_bool_t unused)
{
  SAC sac = SACOfPublic(esac);
  Addr p;
  Res res;
  UNUSED(unused);
  ARGCHECK(p_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(SAC, sac), MPS_RES_PARAM);
  ARGCHECK(size > 0, MPS_RES_PARAM);
  res = sacAlloc(&p, sac, size);
  if (res != ResOK)
    return res;
  *p_o = (mps_addr_t)p;
  return MPS_RES_OK;
}

void mps_sac_free(mps_sac_t esac, mps_addr_t p, size_t size)
{
  SAC sac = SACOfPublic(esac);
  ARGCHECK_VOID(TESTT(SAC, sac));
  ARGCHECK_VOID(p != NULL);
  ARGCHECK_VOID(size > 0);
  sacFree(sac, (Addr)p, size);
}

void mps_sac_empty(mps_sac_t esac, mps_addr_t p, size_t size)
{
  SAC sac = SACOfPublic(esac);
  ARGCHECK_VOID(TESTT(SAC, sac));
  ARGCHECK_VOID(p != NULL);
  ARGCHECK_VOID(size > 0);
  sacFree(sac, (Addr)p, size);
}

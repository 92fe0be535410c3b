/* dbgpool.c: the debugging mixin for pool classes (see dbgpool.h)
 *
 * The debugging classes are built, once, by copying the base class's
 * method table and replacing the methods listed in dbgpool.h; a class
 * is built under the global lock the first time it is asked for, and is
 * the same object ever after.  What depends on the base class (how to
 * find its free memory, whether mps_alloc is debugged) is in the
 * DebugPoolClassStruct that wraps the table.
 */

#include "dbgpool.h"
#include "poolmvff.h"
#include "marksweep.h"
#include "cbs.h"
#include "control.h"
#include "shield.h"
#include "lock.h"
#include "args.h"
#include "vgmem.h"
#include "mpscmvff.h"
#include "mpscams.h"
#include <string.h>

/* MPS 1.118's defaults (contract 20: the manual says "FREE"). */
static const char debugFenceDefault[] = "POST";
static const char debugFreeDefault[] = "DEAD";
#define DEBUG_DEFAULT_SIZE ((Size)4)

/* Requests above this are refused (fenceposts must not wrap round). */
#define DEBUG_SIZE_MAX (((Size)-1) / 8)

#define DEBUG_TAGS_INITIAL ((Count)64)

typedef void (*DebugFreeVisitor)(Pool pool, Addr base, Addr limit, const char *when);

typedef struct DebugPoolClassStruct {
  PoolClassStruct classStruct;  /* first: pools point at it */
  PoolClass base;
  Size debugOffset;             /* of the DebugPoolStruct in the instance */
  /* Call visit on each range of free memory the pool holds. */
  void (*freeWalk)(Pool pool, DebugFreeVisitor visit, const char *when);
  /* After the base class's init (e.g. to keep free memory unwritten). */
  void (*adjust)(Pool pool);
  Bool built;
} DebugPoolClassStruct;

static const DebugPoolClassStruct *debugClassOf(Pool pool)
{
  return (const DebugPoolClassStruct *)(const void *)pool->klass;
}

static DebugPool debugOf(Pool pool)
{
  return (DebugPool)(void *)AddrAdd((Addr)pool, debugClassOf(pool)->debugOffset);
}

static PoolClass debugBase(Pool pool)
{
  return debugClassOf(pool)->base;
}

Bool DebugPoolCheck(DebugPool debug)
{
  CHECKS(DebugPool, debug);
  CHECKL((debug->fenceSize == 0) == (debug->fenceRounded == 0));
  CHECKL(debug->fenceRounded >= debug->fenceSize);
  CHECKL(debug->fenceSize == 0 || debug->fenceTemplate != NULL);
  CHECKL(debug->freeSize == 0 || debug->freeTemplate != NULL);
  CHECKL(debug->tagCount <= debug->tagCapacity);
  CHECKL(debug->tagCapacity == 0 || WordIsP2(debug->tagCapacity));
  return TRUE;
}


/* Reports
 *
 * The message goes to the assertion handler from a buffer on the stack
 * (the handler must copy it if it keeps it). */

typedef struct DebugMessageStruct {
  char text[400];
  Size length;
} DebugMessageStruct, *DebugMessage;

static void msgString(DebugMessage m, const char *s)
{
  while (*s != '\0' && m->length < sizeof m->text - 1)
    m->text[m->length++] = *s++;
  m->text[m->length] = '\0';
}

static void msgWord(DebugMessage m, Word w, unsigned base, unsigned minDigits)
{
  char digits[2 * sizeof(Word) * 4];
  unsigned n = 0;
  do {
    digits[n++] = "0123456789abcdef"[w % base];
    w /= base;
  } while (w != 0 || n < minDigits);
  while (n > 0 && m->length < sizeof m->text - 1)
    m->text[m->length++] = digits[--n];
  m->text[m->length] = '\0';
}

static void msgAddr(DebugMessage m, Addr a)
{
  msgString(m, "0x");
  msgWord(m, (Word)a, 16, 2 * sizeof(Addr));
}

static void msgPool(DebugMessage m, Pool pool)
{
  msgString(m, " in pool ");
  msgAddr(m, (Addr)pool);
  msgString(m, " (");
  msgString(m, pool->klass->name);
  msgString(m, " #");
  msgWord(m, (Word)pool->serial, 10, 1);
  msgString(m, ")");
}

static void msgByte(DebugMessage m, const char *what, Byte b)
{
  msgString(m, what);
  msgString(m, "0x");
  msgWord(m, (Word)b, 16, 2);
}


/* Templates
 *
 * fill/first-difference over [base, limit) with the template repeated from
 * phase `phase` at base.  The pattern has period `size`, so after the first
 * period the rest is a copy of what precedes it (and checking it is a
 * comparison with what precedes it). */

static void patternFill(Addr base, Addr limit, const Byte *tmpl, Size size, Index phase)
{
  Size length = AddrOffset(base, limit), done, i;
  for (i = 0; i < length && i < size; ++i) {
    base[i] = (char)tmpl[phase];
    if (++phase == size)
      phase = 0;
  }
  for (done = size; done < length; done *= 2)
    (void)memcpy(base + done, base, SizeMin(done, length - done));
}

/* The first byte in [base, limit) that differs from the pattern, or
 * limit. */
static Addr patternDiffer(Addr base, Addr limit, const Byte *tmpl, Size size, Index phase)
{
  Size length = AddrOffset(base, limit), i;
  Index k = phase;
  for (i = 0; i < length && i < size; ++i) {
    if ((Byte)base[i] != tmpl[k])
      return base + i;
    if (++k == size)
      k = 0;
  }
  if (length <= size || memcmp(base + size, base, length - size) == 0)
    return limit;
  for (i = size; i < length; ++i)
    if (base[i] != base[i - size])
      return base + i;
  return limit;
}

static Byte patternByte(const Byte *tmpl, Size size, Index phase, Size offset)
{
  return tmpl[(phase + offset) % size];
}


/* Free space */

static Index freePhase(DebugPool debug, Addr base)
{
  return (Index)((Word)base % debug->freeSize);
}

/* Fill free memory; memcheck is left seeing it no-access. */
static void freeSplat(DebugPool debug, Addr base, Addr limit)
{
  if (debug->freeSize == 0 || base >= limit)
    return;
  VG_UNDEFINED(base, AddrOffset(base, limit));
  patternFill(base, limit, debug->freeTemplate, debug->freeSize, freePhase(debug, base));
  VG_NOACCESS(base, AddrOffset(base, limit));
}

/* Check free memory [base, limit).  `when` completes the report.  If
 * stillFree, memcheck is left seeing it no-access and damage is repaired;
 * otherwise it is about to be handed out and is left undefined. */
static void freeCheck(Pool pool, Addr base, Addr limit, const char *when, Bool stillFree)
{
  DebugPool debug = debugOf(pool);
  Size size = AddrOffset(base, limit);
  Addr bad;
  if (debug->freeSize == 0 || base >= limit)
    return;
  VG_DEFINED(base, size);
  bad = patternDiffer(base, limit, debug->freeTemplate, debug->freeSize,
                      freePhase(debug, base));
  if (bad < limit) {
    DebugMessageStruct m;
    m.length = 0;
    msgString(&m, "free space corrupted on release: byte at ");
    msgAddr(&m, bad);
    msgByte(&m, " is ", (Byte)*bad);
    msgByte(&m, ", not ", patternByte(debug->freeTemplate, debug->freeSize,
                                       freePhase(debug, base), AddrOffset(base, bad)));
    msgString(&m, ", in free memory ");
    msgAddr(&m, base);
    msgString(&m, "-");
    msgAddr(&m, limit);
    msgPool(&m, pool);
    msgString(&m, ", found ");
    msgString(&m, when);
    mps_lib_assert_fail(__FILE__, __LINE__, m.text);
    if (stillFree)
      patternFill(base, limit, debug->freeTemplate, debug->freeSize, freePhase(debug, base));
  }
  if (stillFree)
    VG_NOACCESS(base, size);
  else
    VG_UNDEFINED(base, size);
}

void DebugPoolFreeSplat(Pool pool, Addr base, Addr limit)
{
  AVER(PoolHasAttr(pool, PoolAttrDEBUG));
  freeSplat(debugOf(pool), base, limit);
}

void DebugPoolFreeRelease(Pool pool, Addr base, Addr limit)
{
  AVER(PoolHasAttr(pool, PoolAttrDEBUG));
  freeCheck(pool, base, limit, "when it went back to the arena", TRUE);
}

static void debugCheckVisit(Pool pool, Addr base, Addr limit, const char *when)
{
  freeCheck(pool, base, limit, when, TRUE);
}

static void debugCheckAllFree(Pool pool, const char *when)
{
  const DebugPoolClassStruct *dklass = debugClassOf(pool);
  if (debugOf(pool)->freeSize == 0 || dklass->freeWalk == NULL)
    return;
  dklass->freeWalk(pool, debugCheckVisit, when);
}


/* Fenceposts and the table of live blocks */

static Size debugAligned(Pool pool, Size size)
{
  return SizeAlignUp(size, PoolAlignment(pool));
}

static Index tagHash(DebugPool debug, Addr client)
{
  Word w = (Word)client;
  w ^= w >> 15;
  w *= (Word)0x9E3779B97F4A7C15ULL;
  w ^= w >> 29;
  return (Index)(w & (debug->tagCapacity - 1));
}

/* The slot of client, or tagCapacity. */
static Index tagFind(DebugPool debug, Addr client)
{
  Index i, mask = debug->tagCapacity - 1;
  if (debug->tagCapacity == 0)
    return 0;
  for (i = tagHash(debug, client); debug->tags[i].client != NULL; i = (i + 1) & mask)
    if (debug->tags[i].client == client)
      return i;
  return debug->tagCapacity;
}

static void tagPut(DebugPool debug, Addr client, Size size)
{
  Index i, mask = debug->tagCapacity - 1;
  i = tagHash(debug, client);
  while (debug->tags[i].client != NULL)
    i = (i + 1) & mask;
  debug->tags[i].client = client;
  debug->tags[i].size = size;
  ++debug->tagCount;
}

/* Make room for one more tag (load at most three quarters). */
static Res tagReserve(Pool pool, DebugPool debug)
{
  Arena arena = PoolArena(pool);
  DebugTag old = debug->tags;
  Count oldCapacity = debug->tagCapacity, capacity, i;
  void *p;
  Res res;
  if ((debug->tagCount + 1) * 4 <= oldCapacity * 3)
    return ResOK;
  capacity = oldCapacity == 0 ? DEBUG_TAGS_INITIAL : oldCapacity * 2;
  res = ControlAlloc(&p, arena, capacity * sizeof(DebugTagStruct));
  if (res != ResOK)
    return res;
  (void)memset(p, 0, capacity * sizeof(DebugTagStruct));
  debug->tags = p;
  debug->tagCapacity = capacity;
  debug->tagCount = 0;
  for (i = 0; i < oldCapacity; ++i)
    if (old[i].client != NULL)
      tagPut(debug, old[i].client, old[i].size);
  if (old != NULL)
    ControlFree(arena, old, oldCapacity * sizeof(DebugTagStruct));
  return ResOK;
}

/* Remove the tag in slot i (linear probing: later entries of the same
 * cluster move back to fill the hole). */
static void tagRemove(DebugPool debug, Index i)
{
  Index mask = debug->tagCapacity - 1, j = i;
  for (;;) {
    Index k;
    j = (j + 1) & mask;
    if (debug->tags[j].client == NULL)
      break;
    k = tagHash(debug, debug->tags[j].client);
    /* Leave it if its home is cyclically in (i, j]. */
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
      continue;
    debug->tags[i] = debug->tags[j];
    i = j;
  }
  debug->tags[i].client = NULL;
  debug->tags[i].size = 0;
  --debug->tagCount;
}

/* The fenceposts of the block at client of `size` bytes:
 * [client - fence, client) and [client + size, client + aligned + fence). */
static void fenceWrite(Pool pool, DebugPool debug, Addr client, Size size)
{
  Addr before = AddrSub(client, debug->fenceRounded);
  Addr after = AddrAdd(client, size);
  Addr afterLimit = AddrAdd(client, debugAligned(pool, size) + debug->fenceRounded);
  if (debug->fenceSize == 0)
    return;
  patternFill(before, client, debug->fenceTemplate, debug->fenceSize, 0);
  patternFill(after, afterLimit, debug->fenceTemplate, debug->fenceSize, 0);
  VG_NOACCESS(before, debug->fenceRounded);
  VG_NOACCESS(after, AddrOffset(after, afterLimit));
}

/* Check a block's fenceposts; report, and repair if repair, on damage.
 * Returns whether they were intact. */
static Bool fenceCheck(Pool pool, DebugPool debug, Addr client, Size size,
                       const char *when, Bool repair)
{
  Addr before = AddrSub(client, debug->fenceRounded);
  Addr after = AddrAdd(client, size);
  Addr afterLimit = AddrAdd(client, debugAligned(pool, size) + debug->fenceRounded);
  Addr bad;
  const char *where;
  Size offset;
  DebugMessageStruct m;

  if (debug->fenceSize == 0)
    return TRUE;
  VG_DEFINED(before, debug->fenceRounded);
  VG_DEFINED(after, AddrOffset(after, afterLimit));
  where = "before";
  bad = patternDiffer(before, client, debug->fenceTemplate, debug->fenceSize, 0);
  offset = AddrOffset(before, bad);
  if (bad == client) {
    where = "after";
    bad = patternDiffer(after, afterLimit, debug->fenceTemplate, debug->fenceSize, 0);
    offset = AddrOffset(after, bad);
    if (bad == afterLimit) {
      VG_NOACCESS(before, debug->fenceRounded);
      VG_NOACCESS(after, AddrOffset(after, afterLimit));
      return TRUE;
    }
  }
  m.length = 0;
  msgString(&m, "fencepost check ");
  msgString(&m, when);
  msgString(&m, ": block ");
  msgAddr(&m, client);
  msgString(&m, " (");
  msgWord(&m, (Word)size, 10, 1);
  msgString(&m, " bytes)");
  msgPool(&m, pool);
  msgString(&m, ": fencepost ");
  msgString(&m, where);
  msgString(&m, " the block smashed at ");
  msgAddr(&m, bad);
  msgByte(&m, " (", (Byte)*bad);
  msgByte(&m, ", not ", patternByte(debug->fenceTemplate, debug->fenceSize, 0, offset));
  msgString(&m, ")");
  mps_lib_assert_fail(__FILE__, __LINE__, m.text);
  if (repair) {
    fenceWrite(pool, debug, client, size);
  } else {
    VG_NOACCESS(before, debug->fenceRounded);
    VG_NOACCESS(after, AddrOffset(after, afterLimit));
  }
  return FALSE;
}

static void debugCheckAllFences(Pool pool, const char *when)
{
  DebugPool debug = debugOf(pool);
  Index i;
  if (debug->fenceSize == 0)
    return;
  for (i = 0; i < debug->tagCapacity; ++i)
    if (debug->tags[i].client != NULL)
      (void)fenceCheck(pool, debug, debug->tags[i].client, debug->tags[i].size, when, TRUE);
}


/* The methods */

static Res debugCopyTemplate(Byte **tmplReturn, Arena arena, const void *tmpl, Size size)
{
  void *p;
  Res res;
  *tmplReturn = NULL;
  if (size == 0)
    return ResOK;
  res = ControlAlloc(&p, arena, size);
  if (res != ResOK)
    return res;
  (void)memcpy(p, tmpl, size);
  *tmplReturn = p;
  return ResOK;
}

static void debugFreeParts(Pool pool, DebugPool debug)
{
  Arena arena = PoolArena(pool);
  if (debug->fenceTemplate != NULL)
    ControlFree(arena, debug->fenceTemplate, debug->fenceSize);
  if (debug->freeTemplate != NULL)
    ControlFree(arena, debug->freeTemplate, debug->freeSize);
  if (debug->tags != NULL)
    ControlFree(arena, debug->tags, debug->tagCapacity * sizeof(DebugTagStruct));
  debug->fenceTemplate = NULL;
  debug->freeTemplate = NULL;
  debug->tags = NULL;
  debug->tagCapacity = 0;
  debug->tagCount = 0;
}

static Res debugInit(Pool pool, Arena arena, PoolClass klass, ArgList args)
{
  const DebugPoolClassStruct *dklass = (const DebugPoolClassStruct *)(const void *)klass;
  DebugPool debug = (DebugPool)(void *)AddrAdd((Addr)pool, dklass->debugOffset);
  mps_pool_debug_option_s defaults;
  const mps_pool_debug_option_s *options = &defaults;
  ArgStruct arg;
  Res res;

  defaults.fence_template = debugFenceDefault;
  defaults.fence_size = DEBUG_DEFAULT_SIZE;
  defaults.free_template = debugFreeDefault;
  defaults.free_size = DEBUG_DEFAULT_SIZE;
  if (ArgPick(&arg, args, MPS_KEY_POOL_DEBUG_OPTIONS)) {
    ARGCHECKF("mps_pool_create_k", arg.val.pool_debug_options != NULL, ResPARAM);
    options = arg.val.pool_debug_options;
  }
  ARGCHECKF("mps_pool_create_k", options->fence_size == 0 || options->fence_template != NULL,
            ResPARAM);
  ARGCHECKF("mps_pool_create_k", options->free_size == 0 || options->free_template != NULL,
            ResPARAM);
  ARGCHECKF("mps_pool_create_k", options->fence_size <= DEBUG_SIZE_MAX, ResPARAM);
  ARGCHECKF("mps_pool_create_k", options->free_size <= DEBUG_SIZE_MAX, ResPARAM);

  res = dklass->base->init(pool, arena, klass, args);
  if (res != ResOK)
    return res;
  debug->fenceSize = options->fence_size;
  debug->fenceRounded = debugAligned(pool, options->fence_size);
  debug->freeSize = options->free_size;
  debug->tags = NULL;
  debug->tagCount = 0;
  debug->tagCapacity = 0;
  debug->finishing = FALSE;
  res = debugCopyTemplate(&debug->fenceTemplate, arena, options->fence_template,
                          options->fence_size);
  if (res == ResOK)
    res = debugCopyTemplate(&debug->freeTemplate, arena, options->free_template,
                            options->free_size);
  if (res != ResOK) {
    debugFreeParts(pool, debug);
    dklass->base->finish(pool);
    return res;
  }
  debug->sig = DebugPoolSig;
  if (dklass->adjust != NULL)
    dklass->adjust(pool);
  AVERT(DebugPool, debug);
  return ResOK;
}

static void debugFinish(Pool pool)
{
  DebugPool debug = debugOf(pool);
  AVERT(DebugPool, debug);
  debugCheckAllFences(pool, "on destroy");
  debugCheckAllFree(pool, "when the pool was destroyed");
  debug->finishing = TRUE;
  debugBase(pool)->finish(pool);
  debugFreeParts(pool, debug);
  debug->sig = SigINVALID;
}

static Res debugAlloc(Addr *pReturn, Pool pool, Size size)
{
  DebugPool debug = debugOf(pool);
  Size fence, whole;
  Addr base, client;
  Res res;

  AVERT(DebugPool, debug);
  AVER(size > 0);
  if (size > DEBUG_SIZE_MAX - 2 * debug->fenceRounded)
    return ResRESOURCE;
  fence = debug->fenceRounded;
  whole = debugAligned(pool, size) + 2 * fence;
  res = tagReserve(pool, debug);
  if (res != ResOK)
    return res;
  res = debugBase(pool)->alloc(&base, pool, whole);
  if (res != ResOK)
    return res;
  freeCheck(pool, base, AddrAdd(base, whole), "before reuse by mps_alloc", FALSE);
  client = AddrAdd(base, fence);
  fenceWrite(pool, debug, client, size);
  tagPut(debug, client, size);
  *pReturn = client;
  return ResOK;
}

static void debugFree(Pool pool, Addr old, Size size)
{
  DebugPool debug = debugOf(pool);
  Index i;
  Size fence, whole;
  Addr base;

  AVERT(DebugPool, debug);
  i = tagFind(debug, old);
  if (i >= debug->tagCapacity) {
    DebugMessageStruct m;
    m.length = 0;
    msgString(&m, "mps_free: ");
    msgAddr(&m, old);
    msgString(&m, " is not a live block of mps_alloc");
    msgPool(&m, pool);
    msgString(&m, " (freed twice, never allocated, a part of a block, or an"
              " allocation point's object: not freed)");
    mps_lib_assert_fail(__FILE__, __LINE__, m.text);
    return;
  }
  if (debug->tags[i].size != size) {
    DebugMessageStruct m;
    m.length = 0;
    msgString(&m, "mps_free: block ");
    msgAddr(&m, old);
    msgPool(&m, pool);
    msgString(&m, " was allocated with size ");
    msgWord(&m, (Word)debug->tags[i].size, 10, 1);
    msgString(&m, ", freed with size ");
    msgWord(&m, (Word)size, 10, 1);
    msgString(&m, " (freed with its allocated size)");
    mps_lib_assert_fail(__FILE__, __LINE__, m.text);
    size = debug->tags[i].size;
  }
  (void)fenceCheck(pool, debug, old, size, "on free", FALSE);
  tagRemove(debug, i);
  fence = debug->fenceRounded;
  whole = debugAligned(pool, size) + 2 * fence;
  base = AddrSub(old, fence);
  freeSplat(debug, base, AddrAdd(base, whole));
  debugBase(pool)->free(pool, base, whole);
}

static Res debugBufferFill(Addr *baseReturn, Addr *limitReturn, Pool pool,
                           Buffer buffer, Size size)
{
  Addr base, limit;
  Res res;
  AVERT(DebugPool, debugOf(pool));
  res = debugBase(pool)->bufferFill(&base, &limit, pool, buffer, size);
  if (res != ResOK)
    return res;
  freeCheck(pool, base, limit, "before reuse by an allocation point", FALSE);
  *baseReturn = base;
  *limitReturn = limit;
  return ResOK;
}

static void debugBufferEmpty(Pool pool, Buffer buffer, Addr init, Addr limit)
{
  AVERT(DebugPool, debugOf(pool));
  freeSplat(debugOf(pool), init, limit);
  debugBase(pool)->bufferEmpty(pool, buffer, init, limit);
}

static Bool debugCheckMethod(Pool pool)
{
  PoolClass base = debugBase(pool);
  CHECKD(DebugPool, debugOf(pool));
  if (base->check != NULL)
    CHECKL(base->check(pool));
  return TRUE;
}


/* Interface */

void DebugPoolCheckFenceposts(Pool pool)
{
  if (!PoolHasAttr(pool, PoolAttrDEBUG))
    return;
  AVERT(DebugPool, debugOf(pool));
  debugCheckAllFences(pool, "on mps_pool_check_fenceposts");
}

void DebugPoolCheckFreeSpace(Pool pool)
{
  if (!PoolHasAttr(pool, PoolAttrDEBUG))
    return;
  AVERT(DebugPool, debugOf(pool));
  debugCheckAllFree(pool, "by mps_pool_check_free_space");
}

Bool PoolClassIsDebugOf(PoolClass klass, PoolClass base)
{
  return (klass->attr & PoolAttrDEBUG) != 0
         && ((const DebugPoolClassStruct *)(const void *)klass)->base == base;
}


/* Building a class */

static void debugClassBuild(DebugPoolClassStruct *dklass, PoolClass base,
                            const char *name, PoolVarargsMethod varargs,
                            void (*freeWalk)(Pool, DebugFreeVisitor, const char *),
                            void (*adjust)(Pool))
{
  PoolClassStruct *klass = &dklass->classStruct;
  GlobalLockClaim();
  if (!dklass->built) {
    *klass = *base;
    dklass->freeWalk = freeWalk;
    dklass->adjust = adjust;
    klass->name = name;
    dklass->base = base;
    dklass->debugOffset = SizeAlignUp(base->size, MPS_PF_ALIGN);
    klass->size = dklass->debugOffset + sizeof(DebugPoolStruct);
    /* Fenceposts and splatting are not made safe for worker threads. */
    klass->attr = (base->attr | PoolAttrDEBUG) & ~PoolAttrPARALLEL;
    klass->varargs = varargs;
    klass->init = debugInit;
    klass->finish = debugFinish;
    if (base->alloc != NULL) {
      klass->alloc = debugAlloc;
      klass->free = debugFree;
    }
    if (base->bufferFill != NULL) {
      klass->bufferFill = debugBufferFill;
      klass->bufferEmpty = debugBufferEmpty;
    }
    klass->check = debugCheckMethod;
    dklass->built = TRUE;
  }
  GlobalLockRelease();
}


/* MVFF debug
 *
 * The quick lists are switched off: they link free blocks through their
 * first words, which would spoil the free template.  Free memory is then
 * the CBS and the region, written by nobody but the client (the CBS
 * writes into free memory only for its emergency list, when it cannot
 * get nodes: after that, mps_pool_check_free_space may report the links
 * it left). */

static DebugPoolClassStruct mvffDebugClass;

static void mvffDebugVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_POOL_DEBUG_OPTIONS;
  args[0].val.pool_debug_options = va_arg(varargs, mps_pool_debug_option_s *);
  PoolClassMVFF()->varargs(args + 1, varargs);
}

static void mvffDebugAdjust(Pool pool)
{
  MVFF mvff = MVFFOfPool(pool);
  AVER(mvff->quickCount == 0);
  mvff->quickClasses = 0;
  mvff->quickMax = 0;
}

typedef struct DebugCBSClosureStruct {
  Pool pool;
  DebugFreeVisitor visit;
  const char *when;
} DebugCBSClosureStruct;

static Bool mvffDebugCBSVisit(CBS cbs, Range range, void *closure)
{
  DebugCBSClosureStruct *c = closure;
  UNUSED(cbs);
  c->visit(c->pool, range->base, range->limit, c->when);
  return TRUE;
}

static void mvffDebugFreeWalk(Pool pool, DebugFreeVisitor visit, const char *when)
{
  MVFF mvff = MVFFOfPool(pool);
  DebugCBSClosureStruct c;
  AVER(mvff->quickCount == 0);
  c.pool = pool;
  c.visit = visit;
  c.when = when;
  CBSIterate(MVFFCBS(mvff), mvffDebugCBSVisit, &c);
  if (mvff->regionBase < mvff->regionLimit)
    visit(pool, mvff->regionBase, mvff->regionLimit, when);
}

PoolClass PoolClassMVFFDebug(void)
{
  debugClassBuild(&mvffDebugClass, PoolClassMVFF(), "MVFFDebug", mvffDebugVarargs,
                  mvffDebugFreeWalk, mvffDebugAdjust);
  return &mvffDebugClass.classStruct;
}

mps_pool_class_t mps_class_mvff_debug(void)
{
  return (mps_pool_class_t)PoolClassMVFFDebug();
}


/* AMS debug
 *
 * Allocation is only through allocation points, so only free-space
 * checking applies (the fence options are accepted and kept).  Memory
 * becomes free when a segment is made, a buffer is emptied or an object
 * is reclaimed; it is checked when a buffer is filled and when a
 * segment goes back to the arena. */

static DebugPoolClassStruct amsDebugClass;

static void amsDebugVarargs(ArgStruct args[], va_list varargs)
{
  args[0].key = MPS_KEY_POOL_DEBUG_OPTIONS;
  args[0].val.pool_debug_options = va_arg(varargs, mps_pool_debug_option_s *);
  PoolClassAMS()->varargs(args + 1, varargs);
}

/* Each run of free grains in a mark-sweep segment.  The segment may be
 * protected (a barrier): its protection is lifted while the walk reads
 * and repairs free memory (shield.h: the collector lifts protection
 * before it writes), and put back as it was. */
static void msDebugSegFreeWalk(Seg seg, DebugFreeVisitor visit, const char *when)
{
  Pool pool = SegPool(seg);
  MSSeg msseg = MSSegOf(seg);
  AccessSet pm = seg->pm;
  Index i = 0;
  SegLowerBarrier(seg);
  while (i < msseg->grains) {
    Index j;
    i = BTFindRes(msseg->allocTable, i, msseg->grains);
    if (i >= msseg->grains)
      break;
    j = BTFindSet(msseg->allocTable, i, msseg->grains);
    visit(pool, AddrAdd(SegBase(seg), (Size)i << pool->alignShift),
          AddrAdd(SegBase(seg), (Size)j << pool->alignShift), when);
    i = j;
  }
  if ((pm & ACCESS_READ) != 0)
    SegRaiseReadBarrier(seg);
  else if ((pm & ACCESS_WRITE) != 0)
    SegSettleBarrier(seg);
}

static void msDebugFreeWalk(Pool pool, DebugFreeVisitor visit, const char *when)
{
  Ring node, next;
  RING_FOR(node, &pool->segRing, next) {
    msDebugSegFreeWalk(RING_ELT(Seg, poolRing, node), visit, when);
  }
}

void DebugPoolMSSegRelease(Seg seg)
{
  Pool pool = SegPool(seg);
  AVER(PoolHasAttr(pool, PoolAttrDEBUG));
  /* At destroy, debugFinish has checked everything already. */
  if (debugOf(pool)->finishing)
    return;
  msDebugSegFreeWalk(seg, debugCheckVisit, "when it went back to the arena");
}

PoolClass PoolClassAMSDebug(void)
{
  debugClassBuild(&amsDebugClass, PoolClassAMS(), "AMSDebug", amsDebugVarargs,
                  msDebugFreeWalk, NULL);
  return &amsDebugClass.classStruct;
}

mps_pool_class_t mps_class_ams_debug(void)
{
  return (mps_pool_class_t)PoolClassAMSDebug();
}

/* control.c: allocator for the manager's descriptors (see control.h) */

#include "arena.h"
#include "vgmem.h"

#define CONTROL_RUN ((Size)64 * 1024)

Bool ControlCheck(Control control)
{
  CHECKS(Control, control);
  CHECKL(control->bumpBase <= control->bumpLimit);
  return TRUE;
}

void ControlInit(Arena arena)
{
  Control control = ArenaControl(arena);
  Index i;
  for (i = 0; i < CONTROL_CLASSES; ++i)
    control->freeList[i] = NULL;
  control->bumpBase = control->bumpLimit = NULL;
  control->runSize = SizeMax(CONTROL_RUN, ArenaGrainSize(arena));
  control->inUse = 0;
  control->sig = ControlSig;
}

/* Everything the control allocator holds lies in the arena's chunks, which
 * are given back wholesale when the arena is destroyed. */
void ControlFinish(Arena arena)
{
  Control control = ArenaControl(arena);
  AVERT(Control, control);
  control->sig = SigINVALID;
}

static Index controlClass(Size size)
{
  return (size + CONTROL_GRANULE - 1) / CONTROL_GRANULE - 1;
}

static Res controlRefill(Arena arena, Control control)
{
  Addr base;
  LocusPrefStruct pref;
  Res res;
  /* Put the unused tail of the old run on the free lists. */
  while (AddrOffset(control->bumpBase, control->bumpLimit) >= CONTROL_GRANULE) {
    Size left = AddrOffset(control->bumpBase, control->bumpLimit);
    Size piece = SizeMin(left, CONTROL_SMALL_MAX);
    Index c;
    piece = SizeAlignDown(piece, CONTROL_GRANULE);
    c = controlClass(piece);
    *(void **)control->bumpBase = control->freeList[c];
    control->freeList[c] = control->bumpBase;
    VG_NOACCESS(control->bumpBase, piece);
    control->bumpBase = AddrAdd(control->bumpBase, piece);
  }
  LocusPrefInit(&pref);
  pref.high = TRUE;             /* keep descriptors away from pool memory */
  res = ArenaAlloc(&base, &pref, control->runSize, arena, &arena->controlTract);
  if (res != ResOK)
    return res;
  control->bumpBase = base;
  control->bumpLimit = AddrAdd(base, control->runSize);
  return ResOK;
}

Res ControlAlloc(void **pReturn, Arena arena, Size size)
{
  Control control = ArenaControl(arena);
  void *p;
  AVERT(Control, control);
  AVER(size > 0);

  if (size > CONTROL_SMALL_MAX) {
    Addr base;
    LocusPrefStruct pref;
    Res res;
    LocusPrefInit(&pref);
    pref.high = TRUE;
    res = ArenaAlloc(&base, &pref, SizeAlignUp(size, ArenaGrainSize(arena)),
                     arena, &arena->controlTract);
    if (res != ResOK)
      return res;
    p = base;
    size = SizeAlignUp(size, ArenaGrainSize(arena));
  } else {
    Index c = controlClass(size);
    Size rounded = (c + 1) * CONTROL_GRANULE;
    p = control->freeList[c];
    if (p != NULL) {
      VG_DEFINED(p, sizeof(void *));
      control->freeList[c] = *(void **)p;
    } else {
      if (AddrOffset(control->bumpBase, control->bumpLimit) < rounded) {
        Res res = controlRefill(arena, control);
        if (res != ResOK)
          return res;
      }
      p = control->bumpBase;
      control->bumpBase = AddrAdd(control->bumpBase, rounded);
    }
    size = rounded;
  }
  VG_UNDEFINED(p, size);
  control->inUse += size;
  *pReturn = p;
  return ResOK;
}

void ControlFree(Arena arena, void *p, Size size)
{
  Control control = ArenaControl(arena);
  AVERT(Control, control);
  AVER(p != NULL);
  if (size > CONTROL_SMALL_MAX) {
    size = SizeAlignUp(size, ArenaGrainSize(arena));
    ArenaFree(arena, (Addr)p, size);
  } else {
    Index c = controlClass(size);
    size = (c + 1) * CONTROL_GRANULE;
    *(void **)p = control->freeList[c];
    control->freeList[c] = p;
    VG_NOACCESS(p, size);
  }
  AVER(control->inUse >= size);
  control->inUse -= size;
}

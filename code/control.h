/* control.h: the arena's allocator for the manager's own descriptors
 *
 * Pools, segments, roots, formats, buffers and messages are described by
 * small structures that the manager allocates for itself.  The control
 * allocator keeps one free list per 16-byte size class up to
 * CONTROL_SMALL_MAX, carved from runs of grains that it takes from the
 * arena; larger requests get whole grains.  Nothing is returned to the
 * arena until the arena is destroyed, except large blocks.  The classes
 * reach a page (4 KiB) because descriptors with side tables (an IMX block's
 * is about 2.2 KiB) would otherwise each take whole grains: a 4 KiB page
 * for every 32 KiB block, an eighth of the pool's footprint.  The cost:
 * every class keeps its peak count (descriptors, AMC's nail boards,
 * parallel claim tables) after a heap shrinks.
 */

#ifndef tarn_control_h
#define tarn_control_h

#include "types.h"

#define CONTROL_GRANULE ((Size)16)
#define CONTROL_SMALL_MAX ((Size)4096)
#define CONTROL_CLASSES (CONTROL_SMALL_MAX / CONTROL_GRANULE)
#define ControlSig ((Sig)0x519C0417)

typedef struct ControlStruct {
  Sig sig;
  void *freeList[CONTROL_CLASSES];
  Addr bumpBase;                /* unused part of the current run */
  Addr bumpLimit;
  Size runSize;                 /* grains taken at a time */
  Size inUse;                   /* bytes handed out and not freed */
} ControlStruct, *Control;

extern void ControlInit(Arena arena);
extern void ControlFinish(Arena arena);
extern Res ControlAlloc(void **pReturn, Arena arena, Size size);
extern void ControlFree(Arena arena, void *p, Size size);
extern Bool ControlCheck(Control control);

#endif /* tarn_control_h */

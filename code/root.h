/* root.h: roots
 *
 * A root is memory outside automatically managed pools that holds
 * references: an area (scanned by an area scanner with a closure), a run
 * of formatted objects, a client function, or a registered thread's stack
 * and registers.  Every root has one rank.  At a flip all roots become
 * grey; each is scanned once per trace, in the band of its rank.
 */

#ifndef tarn_root_h
#define tarn_root_h

#include "types.h"
#include "check.h"
#include "ring.h"

#define RootSig ((Sig)0x51940070)

typedef enum RootVar {
  RootAREA,                     /* [base, limit) with an area scanner */
  RootFMT,                      /* formatted objects in [base, limit) */
  RootFUN,                      /* a client function */
  RootTHREAD                    /* a thread's stack and registers */
} RootVar;

struct mps_root_s {
  Sig sig;
  Serial serial;
  Arena arena;
  RingStruct arenaRing;         /* in arena->rootRing */
  Rank rank;
  RootVar var;
  mps_rm_t mode;
  TraceSet grey;
  union {
    struct {
      Addr base, limit;
      mps_area_scan_t scan;
      void *closure;
      mps_scan_tag_s tag;       /* closure of tagged scanners */
    } area;
    struct {
      Addr base, limit;
      mps_fmt_scan_t scan;
    } fmt;
    struct {
      mps_root_scan_t scan;
      void *p;
      size_t s;
    } fun;
    struct {
      Thread thread;
      mps_area_scan_t scan;
      void *closure;
      mps_scan_tag_s tag;
      Addr cold;
    } thread;
  } the;
};

extern Bool RootCheck(Root root);
extern Res RootCreateArea(Root *rootReturn, Arena arena, Rank rank, mps_rm_t mode,
                          Addr base, Addr limit, mps_area_scan_t scan,
                          void *closure, Word mask, Word pattern, Bool tagged);
extern Res RootCreateFmt(Root *rootReturn, Arena arena, Rank rank, mps_rm_t mode,
                         mps_fmt_scan_t scan, Addr base, Addr limit);
extern Res RootCreateFun(Root *rootReturn, Arena arena, Rank rank,
                         mps_root_scan_t scan, void *p, size_t s);
extern Res RootCreateThread(Root *rootReturn, Arena arena, Rank rank, Thread thread,
                            mps_area_scan_t scan, void *closure, Word mask,
                            Word pattern, Bool tagged, Addr cold);
extern void RootDestroy(Root root);
/* Scan the root with ss (whose rank is the root's). */
extern Res RootScan(ScanState ss, Root root);
/* Visit the references of a root that point into automatically managed
 * memory (mps_arena_roots_walk). */
extern Res RootWalk(Root root, mps_roots_stepper_t f, void *p, size_t s);

#endif /* tarn_root_h */

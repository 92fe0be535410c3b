/* root.c: roots (see root.h) */

#include "root.h"
#include "arena.h"
#include "control.h"
#include "trace.h"
#include "thread.h"

Bool RootCheck(Root root)
{
  CHECKS(Root, root);
  CHECKL(root->arena != NULL);
  CHECKL(root->rank < RANK_LIMIT);
  switch (root->var) {
  case RootAREA:
    CHECKL(root->the.area.base < root->the.area.limit);
    CHECKL(root->the.area.scan != NULL);
    break;
  case RootFMT:
    CHECKL(root->the.fmt.base < root->the.fmt.limit);
    CHECKL(root->the.fmt.scan != NULL);
    break;
  case RootFUN:
    CHECKL(root->the.fun.scan != NULL);
    break;
  case RootTHREAD:
    CHECKL(root->the.thread.thread != NULL);
    CHECKL(root->rank == RankAMBIG);
    break;
  default:
    CHECKL(FALSE);
  }
  return TRUE;
}

static Res rootAlloc(Root *rootReturn, Arena arena, Rank rank, mps_rm_t mode, RootVar var)
{
  static Serial serial = 0;
  Root root;
  void *p;
  Res res = ControlAlloc(&p, arena, sizeof(struct mps_root_s));
  if (res != ResOK)
    return res;
  root = p;
  root->serial = serial++;
  root->arena = arena;
  RingInit(&root->arenaRing);
  root->rank = rank;
  root->var = var;
  root->mode = mode;
  /* A root made after a flip holds only what the mutator could load, and
   * the mutator never holds white references: it is black. */
  root->grey = TraceSetEMPTY;
  *rootReturn = root;
  return ResOK;
}

static void rootAttach(Root root)
{
  root->sig = RootSig;
  RingAppend(&root->arena->rootRing, &root->arenaRing);
  AVERT(Root, root);
}

Res RootCreateArea(Root *rootReturn, Arena arena, Rank rank, mps_rm_t mode,
                   Addr base, Addr limit, mps_area_scan_t scan,
                   void *closure, Word mask, Word pattern, Bool tagged)
{
  Root root;
  Res res = rootAlloc(&root, arena, rank, mode, RootAREA);
  if (res != ResOK)
    return res;
  root->the.area.base = base;
  root->the.area.limit = limit;
  root->the.area.scan = scan;
  root->the.area.tag.mask = mask;
  root->the.area.tag.pattern = pattern;
  root->the.area.closure = tagged ? (void *)&root->the.area.tag : closure;
  rootAttach(root);
  *rootReturn = root;
  return ResOK;
}

Res RootCreateFmt(Root *rootReturn, Arena arena, Rank rank, mps_rm_t mode,
                  mps_fmt_scan_t scan, Addr base, Addr limit)
{
  Root root;
  Res res = rootAlloc(&root, arena, rank, mode, RootFMT);
  if (res != ResOK)
    return res;
  root->the.fmt.base = base;
  root->the.fmt.limit = limit;
  root->the.fmt.scan = scan;
  rootAttach(root);
  *rootReturn = root;
  return ResOK;
}

Res RootCreateFun(Root *rootReturn, Arena arena, Rank rank,
                  mps_root_scan_t scan, void *p, size_t s)
{
  Root root;
  Res res = rootAlloc(&root, arena, rank, 0, RootFUN);
  if (res != ResOK)
    return res;
  root->the.fun.scan = scan;
  root->the.fun.p = p;
  root->the.fun.s = s;
  rootAttach(root);
  *rootReturn = root;
  return ResOK;
}

Res RootCreateThread(Root *rootReturn, Arena arena, Rank rank, Thread thread,
                     mps_area_scan_t scan, void *closure, Word mask,
                     Word pattern, Bool tagged, Addr cold)
{
  Root root;
  Res res = rootAlloc(&root, arena, rank, 0, RootTHREAD);
  if (res != ResOK)
    return res;
  root->the.thread.thread = thread;
  root->the.thread.scan = scan;
  root->the.thread.tag.mask = mask;
  root->the.thread.tag.pattern = pattern;
  root->the.thread.closure = tagged ? (void *)&root->the.thread.tag : closure;
  root->the.thread.cold = cold;
  rootAttach(root);
  *rootReturn = root;
  return ResOK;
}

void RootDestroy(Root root)
{
  AVERT(Root, root);
  RingRemove(&root->arenaRing);
  root->sig = SigINVALID;
  ControlFree(root->arena, root, sizeof(struct mps_root_s));
}

Res RootScan(ScanState ss, Root root)
{
  mps_ss_t mps_ss = ScanStateMPS(ss);
  Res res;
  AVERT(Root, root);
  /* The scan's rank is the root's, except that a weak root is scanned as
   * exact when the mutator must run before the weak band (trace.c). */
  AVER(ss->rank == root->rank || (root->rank == RankWEAK && ss->rank == RankEXACT));
  ScanStateBeginClient(ss);
  switch (root->var) {
  case RootAREA:
    res = root->the.area.scan(mps_ss, root->the.area.base, root->the.area.limit,
                              root->the.area.closure);
    break;
  case RootFMT:
    res = root->the.fmt.scan(mps_ss, root->the.fmt.base, root->the.fmt.limit);
    break;
  case RootFUN:
    res = root->the.fun.scan(mps_ss, root->the.fun.p, root->the.fun.s);
    break;
  case RootTHREAD:
    res = ThreadScan(ss, root->the.thread.thread, root->the.thread.cold,
                     root->the.thread.scan, root->the.thread.closure);
    break;
  default:
    NOTREACHED;
    res = ResFAIL;
  }
  (void)ScanStateEndClient(ss);
  return res;
}

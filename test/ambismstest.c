/* ambismstest.c: an ambiguous reference inside an AMS ambiguous-rank
 * object that is reached only through exact references pins its AMC
 * referent, even though an exact root reaches that referent too. */
#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
static mps_addr_t exactRoots[2];
int main(int argc, char *argv[])
{
  mps_arena_t arena; mps_fmt_t fmt; mps_pool_t amc, ams; mps_ap_t amcAP, amsAP;
  mps_root_t root; testobj_t x, y, holder; mps_addr_t yWas; int i;
  testInit(argc, argv);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(testfmt_create(&fmt, arena, 0), "fmt");
  MPS_ARGS_BEGIN(args) { MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&amc, arena, mps_class_amc(), args), "amc"); } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) { MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&ams, arena, mps_class_ams(), args), "ams"); } MPS_ARGS_END(args);
  die(mps_ap_create_k(&amcAP, amc, mps_args_none), "ap");
  MPS_ARGS_BEGIN(args) { MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_ambig());
    die(mps_ap_create_k(&amsAP, ams, args), "ams ap"); } MPS_ARGS_END(args);
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, exactRoots, 2), "root");
  /* exactRoots[0] -> Y (AMC); exactRoots[1] -> holder (AMC) -> X (AMS, ambig rank) ~> Y */
  die(testobj_alloc(&y, amcAP, 1, 0, 4), "y"); exactRoots[0] = y;
  die(testobj_alloc(&x, amsAP, 2, 1, 4), "x");
  x->refs[0] = exactRoots[0];
  die(testobj_alloc(&holder, amcAP, 3, 1, 4), "holder");
  holder->refs[0] = x; exactRoots[1] = holder;
  yWas = x->refs[0];
  for (i = 0; i < 3; ++i) { die(mps_arena_collect(arena), "collect"); mps_arena_release(arena); }
  x = ((testobj_t)exactRoots[1])->refs[0];
  printf("x->refs[0] %p (was %p), Y now at %p\n", x->refs[0], yWas, exactRoots[0]);
  check(x->refs[0] == yWas);                    /* ambiguous word unchanged */
  check(exactRoots[0] == yWas);                 /* ... so Y must not have moved */
  check(testobj_ok(x->refs[0]));
  mps_arena_park(arena);
  mps_root_destroy(root); mps_ap_destroy(amsAP); mps_ap_destroy(amcAP);
  mps_pool_destroy(ams); mps_pool_destroy(amc); mps_fmt_destroy(fmt); mps_arena_destroy(arena);
  return testPass();
}

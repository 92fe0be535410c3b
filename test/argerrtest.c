/* argerrtest.c: interface functions reject bad arguments
 *
 * An assertion handler installed with mps_lib_assert_fail_install records
 * each report and returns, so the rejected call must return without
 * crashing.  Each case checks that exactly one report arrived, that it
 * names the function, and that the call returned a failure (or, for void
 * functions, changed nothing).
 */

#include "testlib.h"
#include "mpslib.h"
#include "mpsavm.h"
#include "mpsacl.h"
#include "mpscmfs.h"
#include "mpscmvff.h"
#include "mpscmvt.h"
#include <string.h>


int main(int argc, char *argv[])
{
  mps_arena_t arena, arena2 = NULL;
  mps_pool_t pool, mvt;
  mps_ap_t ap;
  mps_addr_t p, q;
  mps_lib_assert_fail_t old;
  void *junk[8];

  testInit(argc, argv);
  memset(junk, 0, sizeof junk);
  old = testRecordReports();

  /* Arenas */
  EXPECT_RES(mps_arena_create_k(NULL, mps_arena_class_vm(), mps_args_none), "mps_arena_create_k");
  EXPECT_RES(mps_arena_create_k(&arena2, NULL, mps_args_none), "mps_arena_create_k");
  EXPECT_RES(mps_arena_create_k(&arena2, (mps_arena_class_t)junk, mps_args_none),
             "mps_arena_create_k");
  EXPECT_RES(mps_arena_create_k(&arena2, mps_arena_class_vm(), NULL), "mps_arena_create_k");
  EXPECT_RES(mps_arena_create_k(&arena2, mps_arena_class_cl(), mps_args_none),
             "mps_arena_create_k");  /* the client block is required */
  check(arena2 == NULL);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");

  mps_arena_destroy(NULL);
  EXPECT("mps_arena_destroy");
  check(mps_arena_committed(NULL) == 0);
  EXPECT("mps_arena_committed");
  check(mps_arena_reserved((mps_arena_t)junk) == 0);
  EXPECT("mps_arena_reserved");
  check(mps_arena_spare_committed(NULL) == 0);
  EXPECT("mps_arena_spare_committed");
  EXPECT_RES(mps_arena_commit_limit_set(NULL, 100), "mps_arena_commit_limit_set");
  mps_arena_spare_set(arena, 1.5);
  EXPECT("mps_arena_spare_set");
  check(mps_arena_spare(arena) <= 1.0);
  mps_arena_pause_time_set(arena, -1.0);
  EXPECT("mps_arena_pause_time_set");
  check(!mps_arena_has_addr(NULL, &p));
  EXPECT("mps_arena_has_addr");
  check(!mps_addr_pool(NULL, arena, &p));
  EXPECT("mps_addr_pool");
  EXPECT_RES(mps_arena_extend(arena, junk, sizeof junk), "mps_arena_extend"); /* VM */

  /* Pools */
  EXPECT_RES(mps_pool_create_k(NULL, arena, mps_class_mvff(), mps_args_none), "mps_pool_create_k");
  EXPECT_RES(mps_pool_create_k(&pool, NULL, mps_class_mvff(), mps_args_none), "mps_pool_create_k");
  EXPECT_RES(mps_pool_create_k(&pool, arena, NULL, mps_args_none), "mps_pool_create_k");
  EXPECT_RES(mps_pool_create_k(&pool, (mps_arena_t)junk, mps_class_mvff(), mps_args_none),
             "mps_pool_create_k");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ALIGN, 3);   /* not a power of two */
    check(mps_pool_create_k(&pool, arena, mps_class_mvff(), args) != MPS_RES_OK);
  } MPS_ARGS_END(args);
  check(strstr(testLastReport, "lign") != NULL);
  EXPECT("mps_pool_create_k");
  die(mps_pool_create_k(&pool, arena, mps_class_mvff(), mps_args_none), "MVFF pool");
  /* MFS needs its unit size. */
  check(mps_pool_create_k(&mvt, arena, mps_class_mfs(), mps_args_none) != MPS_RES_OK);
  check(strstr(testLastReport, "MPS_KEY_MFS_UNIT_SIZE") != NULL);
  EXPECT("mps_pool_create_k");
  die(mps_pool_create_k(&mvt, arena, mps_class_mvt(), mps_args_none), "MVT pool");

  mps_pool_destroy(NULL);
  EXPECT("mps_pool_destroy");
  mps_pool_destroy((mps_pool_t)arena);        /* wrong kind */
  EXPECT("mps_pool_destroy");
  check(mps_pool_total_size(NULL) == 0);
  EXPECT("mps_pool_total_size");
  check(mps_pool_free_size((mps_pool_t)arena) == 0);
  EXPECT("mps_pool_free_size");

  EXPECT_RES(mps_alloc(NULL, pool, 8), "mps_alloc");
  EXPECT_RES(mps_alloc(&p, NULL, 8), "mps_alloc");
  EXPECT_RES(mps_alloc(&p, pool, 0), "mps_alloc");
  EXPECT_RES(mps_alloc(&p, (mps_pool_t)arena, 8), "mps_alloc");
  EXPECT_RES(mps_alloc(&p, mvt, 8), "mps_alloc");     /* MVT has no mps_alloc */
  die(mps_alloc(&p, pool, 64), "mps_alloc");
  mps_free(NULL, p, 64);
  EXPECT("mps_free");
  mps_free(pool, NULL, 64);
  EXPECT("mps_free");
  mps_free(pool, p, 0);
  EXPECT("mps_free");
  mps_free(pool, junk, 64);                      /* not the pool's block */
  EXPECT("mps_free");
  mps_free(pool, p, 64);
  check(testReports == 0);

  /* Allocation points */
  EXPECT_RES(mps_ap_create_k(NULL, pool, mps_args_none), "mps_ap_create_k");
  EXPECT_RES(mps_ap_create_k(&ap, NULL, mps_args_none), "mps_ap_create_k");
  EXPECT_RES(mps_ap_create_k(&ap, pool, NULL), "mps_ap_create_k");
  die(mps_ap_create_k(&ap, mvt, mps_args_none), "AP on MVT");
  EXPECT_RES(mps_ap_fill(&p, ap, 0), "mps_ap_fill");
  EXPECT_RES(mps_ap_fill(&p, ap, 3), "mps_ap_fill");  /* not aligned */
  EXPECT_RES(mps_ap_fill(&p, NULL, 8), "mps_ap_fill");
  die(mps_reserve(&p, ap, 16), "mps_reserve");
  EXPECT_RES(mps_ap_fill(&q, ap, 16), "mps_ap_fill");  /* reserve twice */
  /* A frame push between reserve and commit is a failure, not misuse. */
  check(mps_ap_frame_push((mps_frame_t *)&q, ap) == MPS_RES_FAIL);
  check(testReports == 0);
  check(mps_commit(ap, p, 16));
  mps_free(mvt, p, 16);
  mps_ap_destroy(NULL);
  EXPECT("mps_ap_destroy");
  mps_ap_destroy((mps_ap_t)(void *)junk);
  EXPECT("mps_ap_destroy");
  EXPECT_RES(mps_ap_alloc_pattern_begin(ap, NULL), "mps_ap_alloc_pattern_begin");
  check(mps_ap_alloc_pattern_end(ap, mps_alloc_pattern_ramp()) == MPS_RES_FAIL);
  check(testReports == 0);                           /* a failure, not a misuse */

  mps_ap_destroy(ap);
  mps_pool_destroy(mvt);
  /* Destroying an arena with a pool in it is refused. */
  mps_arena_destroy(arena);
  EXPECT("mps_arena_destroy");
  mps_pool_destroy(pool);
  mps_arena_destroy(arena);
  check(testReports == 0);
  mps_lib_assert_fail_install(old);
  return testPass();
}

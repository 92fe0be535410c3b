/* collectargerr.c: the collector's interface functions reject bad
 * arguments (formats, chains, roots, threads, messages, collection
 * control, walks)
 *
 * As in argerrtest: an assertion handler installed with
 * mps_lib_assert_fail_install records each report and returns, so each
 * rejected call must return without crashing.  Every case checks that
 * exactly one report arrived, that it names the function the client
 * called (not a function it happens to be built on), and that the call
 * failed (for void functions: changed nothing).  Valid calls in between
 * must produce no report at all.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpslib.h"
#include "mpsavm.h"
#include "mpscams.h"
#include "mpsclo.h"
#include "mpscmvff.h"
#include <string.h>


static mps_res_t dummyScan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  (void)ss; (void)base; (void)limit;
  return MPS_RES_OK;
}

static mps_addr_t dummySkip(mps_addr_t addr)
{
  return (char *)addr + 16;
}

static mps_res_t dummyRootScan(mps_ss_t ss, void *p, size_t s)
{
  (void)ss; (void)p; (void)s;
  return MPS_RES_OK;
}

static mps_res_t dummyArea(mps_ss_t ss, void *base, void *limit, void *closure)
{
  (void)ss; (void)base; (void)limit; (void)closure;
  return MPS_RES_OK;
}

static void dummyStepper(mps_addr_t addr, mps_fmt_t fmt, mps_pool_t pool, void *p, size_t s)
{
  (void)addr; (void)fmt; (void)pool; (void)p; (void)s;
}

static void dummyRootsStepper(mps_addr_t *ref, mps_root_t root, void *p, size_t s)
{
  (void)ref; (void)root; (void)p; (void)s;
}

static mps_res_t dummyReg(mps_ss_t ss, mps_thr_t thr, void *p, size_t s)
{
  (void)ss; (void)thr; (void)p; (void)s;
  return MPS_RES_OK;
}

/* An object held only by this frame survives a collection (the thread
 * root's cold end is in main, the caller). */
static void __attribute__((noinline)) heldByStack(mps_arena_t arena, mps_ap_t ap)
{
  testobj_t obj;
  die(testobj_alloc(&obj, ap, 99, 0, 4), "alloc");
  die(mps_arena_collect(arena), "mps_arena_collect");
  check(testobj_ok(obj) && obj->id == 99);
  mps_arena_release(arena);
}

static mps_addr_t table[8];
static mps_word_t words[8];

int main(int argc, char *argv[])
{
  mps_arena_t arena, arena2;
  mps_fmt_t fmt, fmt2, noScan, fmtOut;
  mps_chain_t chain, chain2, chainOut;
  mps_pool_t pool, lo, mvff;
  mps_ap_t ap;
  mps_root_t root, rootOut;
  mps_thr_t thr, thr2, thrOut;
  mps_message_t gcMsg, startMsg, msgOut;
  mps_message_type_t type;
  mps_gen_param_s gens[] = {{100, 0.5}};
  mps_gen_param_s bad[2];
  mps_fmt_A_s fmtA;
  mps_fmt_B_s fmtB;
  mps_fmt_auto_header_s fmtAH;
  mps_fmt_fixed_s fmtFixed;
  mps_lib_assert_fail_t old;
  mps_addr_t p;
  testobj_t obj;
  void *junk[16];
  int marker;

  testInit(argc, argv);
  memset(junk, 0, sizeof junk);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_arena_create_k(&arena2, mps_arena_class_vm(), mps_args_none), "arena 2");
  old = testRecordReports();

  /* Formats */
  fmtOut = (mps_fmt_t)(void *)junk;
  EXPECT_RES(mps_fmt_create_k(NULL, arena, mps_args_none), "mps_fmt_create_k");
  EXPECT_RES(mps_fmt_create_k(&fmtOut, NULL, mps_args_none), "mps_fmt_create_k");
  EXPECT_RES(mps_fmt_create_k(&fmtOut, (mps_arena_t)(void *)junk, mps_args_none),
             "mps_fmt_create_k");
  EXPECT_RES(mps_fmt_create_k(&fmtOut, arena, NULL), "mps_fmt_create_k");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, 12);    /* not a power of two */
    EXPECT_RES(mps_fmt_create_k(&fmtOut, arena, args), "mps_fmt_create_k");
  } MPS_ARGS_END(args);
  check(fmtOut == (mps_fmt_t)(void *)junk);     /* untouched */
  memset(&fmtA, 0, sizeof fmtA);
  fmtA.align = 8;
  fmtA.scan = dummyScan;
  fmtA.skip = dummySkip;
  EXPECT_RES(mps_fmt_create_A(&fmtOut, arena, NULL), "mps_fmt_create_A");
  EXPECT_RES(mps_fmt_create_A(NULL, arena, &fmtA), "mps_fmt_create_A");
  EXPECT_RES(mps_fmt_create_A(&fmtOut, NULL, &fmtA), "mps_fmt_create_A");
  memset(&fmtB, 0, sizeof fmtB);
  fmtB.align = 8;
  fmtB.skip = dummySkip;
  EXPECT_RES(mps_fmt_create_B(&fmtOut, arena, NULL), "mps_fmt_create_B");
  EXPECT_RES(mps_fmt_create_B(&fmtOut, NULL, &fmtB), "mps_fmt_create_B");
  memset(&fmtAH, 0, sizeof fmtAH);
  fmtAH.align = 8;
  fmtAH.skip = dummySkip;
  fmtAH.mps_headerSize = 8;
  EXPECT_RES(mps_fmt_create_auto_header(&fmtOut, arena, NULL), "mps_fmt_create_auto_header");
  EXPECT_RES(mps_fmt_create_auto_header(NULL, arena, &fmtAH), "mps_fmt_create_auto_header");
  memset(&fmtFixed, 0, sizeof fmtFixed);
  fmtFixed.align = 8;
  fmtFixed.scan = dummyScan;
  EXPECT_RES(mps_fmt_create_fixed(&fmtOut, arena, NULL), "mps_fmt_create_fixed");
  EXPECT_RES(mps_fmt_create_fixed(&fmtOut, (mps_arena_t)(void *)junk, &fmtFixed),
             "mps_fmt_create_fixed");
  fmtA.align = 6;
  EXPECT_RES(mps_fmt_create_A(&fmtOut, arena, &fmtA), "mps_fmt_create_A");
  fmtA.align = 8;
  check(fmtOut == (mps_fmt_t)(void *)junk);
  NONE();
  die(mps_fmt_create_A(&fmt2, arena, &fmtA), "mps_fmt_create_A");
  mps_fmt_destroy(fmt2);
  die(testfmt_create(&fmt, arena, 0), "format");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, dummySkip);   /* no scan method */
    die(mps_fmt_create_k(&noScan, arena, args), "format without scan");
  } MPS_ARGS_END(args);
  die(testfmt_create(&fmt2, arena2, 0), "format of arena 2");
  NONE();
  mps_fmt_destroy(NULL);
  EXPECT("mps_fmt_destroy");
  mps_fmt_destroy((mps_fmt_t)(void *)arena);
  EXPECT("mps_fmt_destroy");

  /* Chains */
  chainOut = (mps_chain_t)(void *)junk;
  EXPECT_RES(mps_chain_create(NULL, arena, 1, gens), "mps_chain_create");
  EXPECT_RES(mps_chain_create(&chainOut, NULL, 1, gens), "mps_chain_create");
  EXPECT_RES(mps_chain_create(&chainOut, arena, 0, gens), "mps_chain_create");
  EXPECT_RES(mps_chain_create(&chainOut, arena, 1, NULL), "mps_chain_create");
  bad[0] = gens[0];
  bad[1].mps_capacity = 0;
  bad[1].mps_mortality = 0.5;
  EXPECT_RES(mps_chain_create(&chainOut, arena, 2, bad), "mps_chain_create");
  bad[1].mps_capacity = 100;
  bad[1].mps_mortality = 1.5;
  EXPECT_RES(mps_chain_create(&chainOut, arena, 2, bad), "mps_chain_create");
  bad[1].mps_mortality = -0.25;
  EXPECT_RES(mps_chain_create(&chainOut, arena, 2, bad), "mps_chain_create");
  check(chainOut == (mps_chain_t)(void *)junk);
  die(mps_chain_create(&chain, arena, 1, gens), "chain");
  die(mps_chain_create(&chain2, arena2, 1, gens), "chain of arena 2");
  mps_chain_destroy(NULL);
  EXPECT("mps_chain_destroy");
  mps_chain_destroy((mps_chain_t)(void *)fmt);
  EXPECT("mps_chain_destroy");
  NONE();

  /* Pools made with them */
  MPS_ARGS_BEGIN(args) {
    EXPECT_RES(mps_pool_create_k(&pool, arena, mps_class_ams(), args), "mps_pool_create_k");
  } MPS_ARGS_END(args);                                 /* no format */
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, noScan);
    EXPECT_RES(mps_pool_create_k(&pool, arena, mps_class_ams(), args), "mps_pool_create_k");
  } MPS_ARGS_END(args);                                 /* AMS scans */
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt2);
    EXPECT_RES(mps_pool_create_k(&pool, arena, mps_class_ams(), args), "mps_pool_create_k");
  } MPS_ARGS_END(args);                                 /* another arena's format */
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain2);
    EXPECT_RES(mps_pool_create_k(&pool, arena, mps_class_ams(), args), "mps_pool_create_k");
  } MPS_ARGS_END(args);                                 /* another arena's chain */
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&pool, arena, mps_class_ams(), args), "AMS");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, noScan);
    die(mps_pool_create_k(&lo, arena, mps_class_lo(), args), "LO needs no scan");
  } MPS_ARGS_END(args);
  die(mps_pool_create_k(&mvff, arena, mps_class_mvff(), mps_args_none), "MVFF");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_weak());  /* AMS: exact or ambiguous */
    EXPECT_RES(mps_ap_create_k(&ap, pool, args), "mps_ap_create_k");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  NONE();
  /* Formats and chains in use cannot be destroyed. */
  mps_fmt_destroy(fmt);
  EXPECT("mps_fmt_destroy");
  mps_chain_destroy(chain);
  EXPECT("mps_chain_destroy");
  mps_fmt_destroy(noScan);
  EXPECT("mps_fmt_destroy");
  die(testobj_alloc(&obj, ap, 1, 0, 4), "alloc");

  /* mps_addr_fmt */
  fmtOut = (mps_fmt_t)(void *)junk;
  EXPECT_FALSE(mps_addr_fmt(NULL, arena, obj), "mps_addr_fmt");
  EXPECT_FALSE(mps_addr_fmt(&fmtOut, NULL, obj), "mps_addr_fmt");
  check(fmtOut == (mps_fmt_t)(void *)junk);
  check(mps_addr_fmt(&fmtOut, arena, obj) && fmtOut == fmt);
  NONE();

  /* Roots */
  rootOut = (mps_root_t)(void *)junk;
  EXPECT_RES(mps_root_create_area(NULL, arena, mps_rank_exact(), 0, table, table + 8,
                                  mps_scan_area, NULL), "mps_root_create_area");
  EXPECT_RES(mps_root_create_area(&rootOut, NULL, mps_rank_exact(), 0, table, table + 8,
                                  mps_scan_area, NULL), "mps_root_create_area");
  EXPECT_RES(mps_root_create_area(&rootOut, arena, 7, 0, table, table + 8,
                                  mps_scan_area, NULL), "mps_root_create_area");
  EXPECT_RES(mps_root_create_area(&rootOut, arena, mps_rank_exact(), 0, NULL, table + 8,
                                  mps_scan_area, NULL), "mps_root_create_area");
  EXPECT_RES(mps_root_create_area(&rootOut, arena, mps_rank_exact(), 0, table + 8, table,
                                  mps_scan_area, NULL), "mps_root_create_area");
  EXPECT_RES(mps_root_create_area(&rootOut, arena, mps_rank_exact(), 0, table, table,
                                  mps_scan_area, NULL), "mps_root_create_area");
  EXPECT_RES(mps_root_create_area(&rootOut, arena, mps_rank_exact(), 0, table, table + 8,
                                  NULL, NULL), "mps_root_create_area");
  EXPECT_RES(mps_root_create_area_tagged(&rootOut, arena, mps_rank_exact(), 0, words,
                                         words + 8, mps_scan_area_tagged, 7, 9),
             "mps_root_create_area_tagged");            /* pattern outside the mask */
  EXPECT_RES(mps_root_create_area_tagged(&rootOut, NULL, mps_rank_exact(), 0, words,
                                         words + 8, mps_scan_area_tagged, 7, 1),
             "mps_root_create_area_tagged");
  EXPECT_RES(mps_root_create_area_tagged(&rootOut, arena, mps_rank_exact(), 0, words,
                                         words + 8, NULL, 7, 1),
             "mps_root_create_area_tagged");
  EXPECT_RES(mps_root_create_table(&rootOut, arena, mps_rank_exact(), 0, table, 0),
             "mps_root_create_table");
  EXPECT_RES(mps_root_create_table(&rootOut, arena, mps_rank_exact(), 0, NULL, 8),
             "mps_root_create_table");
  EXPECT_RES(mps_root_create_table(&rootOut, NULL, mps_rank_exact(), 0, table, 8),
             "mps_root_create_table");
  EXPECT_RES(mps_root_create_table(&rootOut, arena, 9, 0, table, 8),
             "mps_root_create_table");
  EXPECT_RES(mps_root_create_table(NULL, arena, mps_rank_exact(), 0, table, 8),
             "mps_root_create_table");
  EXPECT_RES(mps_root_create_table_masked(&rootOut, arena, mps_rank_exact(), 0,
                                          (mps_addr_t *)(void *)words, 0, 3),
             "mps_root_create_table_masked");
  EXPECT_RES(mps_root_create_table_masked(&rootOut, (mps_arena_t)(void *)junk,
                                          mps_rank_exact(), 0,
                                          (mps_addr_t *)(void *)words, 8, 3),
             "mps_root_create_table_masked");
  EXPECT_RES(mps_root_create_table_masked(&rootOut, arena, 11, 0,
                                          (mps_addr_t *)(void *)words, 8, 3),
             "mps_root_create_table_masked");
  EXPECT_RES(mps_root_create_fmt(&rootOut, arena, mps_rank_exact(), 0, NULL, table, table + 8),
             "mps_root_create_fmt");
  EXPECT_RES(mps_root_create_fmt(&rootOut, arena, mps_rank_exact(), 0, dummyScan, table + 8,
                                 table), "mps_root_create_fmt");
  EXPECT_RES(mps_root_create_fmt(&rootOut, arena, 5, 0, dummyScan, table, table + 8),
             "mps_root_create_fmt");
  EXPECT_RES(mps_root_create_fmt(&rootOut, NULL, mps_rank_exact(), 0, dummyScan, table,
                                 table + 8), "mps_root_create_fmt");
  EXPECT_RES(mps_root_create(&rootOut, arena, mps_rank_exact(), 0, NULL, NULL, 0),
             "mps_root_create");
  EXPECT_RES(mps_root_create(&rootOut, arena, 6, 0, dummyRootScan, NULL, 0),
             "mps_root_create");
  EXPECT_RES(mps_root_create(NULL, arena, mps_rank_exact(), 0, dummyRootScan, NULL, 0),
             "mps_root_create");
  check(rootOut == (mps_root_t)(void *)junk);
  mps_root_destroy(NULL);
  EXPECT("mps_root_destroy");
  mps_root_destroy((mps_root_t)(void *)pool);
  EXPECT("mps_root_destroy");
  NONE();

  /* Threads and thread roots */
  thrOut = (mps_thr_t)(void *)junk;
  EXPECT_RES(mps_thread_reg(NULL, arena), "mps_thread_reg");
  EXPECT_RES(mps_thread_reg(&thrOut, NULL), "mps_thread_reg");
  check(thrOut == (mps_thr_t)(void *)junk);
  die(mps_thread_reg(&thr, arena), "mps_thread_reg");
  die(mps_thread_reg(&thr2, arena2), "mps_thread_reg");
  mps_thread_dereg(NULL);
  EXPECT("mps_thread_dereg");
  EXPECT_RES(mps_root_create_thread(&rootOut, arena, NULL, &marker), "mps_root_create_thread");
  EXPECT_RES(mps_root_create_thread(&rootOut, arena, thr, NULL), "mps_root_create_thread");
  EXPECT_RES(mps_root_create_thread(&rootOut, arena, thr2, &marker),
             "mps_root_create_thread");                 /* registered with arena2 */
  EXPECT_RES(mps_root_create_thread(NULL, arena, thr, &marker), "mps_root_create_thread");
  EXPECT_RES(mps_root_create_thread_tagged(&rootOut, arena, mps_rank_exact(), 0, thr,
                                           mps_scan_area_tagged, 7, 0, &marker),
             "mps_root_create_thread_tagged");          /* thread roots are ambiguous */
  EXPECT_RES(mps_root_create_thread_tagged(&rootOut, arena, mps_rank_ambig(),
                                           MPS_RM_PROT, thr, mps_scan_area_tagged, 7, 0,
                                           &marker), "mps_root_create_thread_tagged");
  EXPECT_RES(mps_root_create_thread_tagged(&rootOut, arena, mps_rank_ambig(), 0, thr,
                                           NULL, 7, 0, &marker),
             "mps_root_create_thread_tagged");
  EXPECT_RES(mps_root_create_thread_tagged(&rootOut, arena, mps_rank_ambig(), 0, thr2,
                                           mps_scan_area_tagged, 7, 0, &marker),
             "mps_root_create_thread_tagged");
  EXPECT_RES(mps_root_create_thread_scanned(&rootOut, arena, mps_rank_weak(), 0, thr,
                                            mps_scan_area, NULL, &marker),
             "mps_root_create_thread_scanned");
  EXPECT_RES(mps_root_create_thread_scanned(&rootOut, arena, mps_rank_ambig(), 0, thr,
                                            mps_scan_area, NULL, NULL),
             "mps_root_create_thread_scanned");
  EXPECT_RES(mps_root_create_thread_scanned(&rootOut, arena, mps_rank_ambig(), 0, thr2,
                                            mps_scan_area, NULL, &marker),
             "mps_root_create_thread_scanned");
  EXPECT_RES(mps_root_create_reg(&rootOut, arena, mps_rank_ambig(), 0, thr, dummyReg,
                                 &marker, 0), "mps_root_create_reg");
  EXPECT_RES(mps_root_create_reg(&rootOut, arena, mps_rank_exact(), 0, thr,
                                 mps_stack_scan_ambig, &marker, 0), "mps_root_create_reg");
  EXPECT_RES(mps_root_create_reg(&rootOut, arena, mps_rank_ambig(), 0, thr,
                                 mps_stack_scan_ambig, NULL, 0), "mps_root_create_reg");
  EXPECT_RES(mps_root_create_reg(&rootOut, arena, mps_rank_ambig(), 0, thr2,
                                 mps_stack_scan_ambig, &marker, 0), "mps_root_create_reg");
  check(rootOut == (mps_root_t)(void *)junk);
  NONE();
  /* A thread with a thread root cannot be deregistered; it stays
   * registered, and its root still works. */
  die(mps_root_create_thread(&root, arena, thr, &marker), "thread root");
  mps_thread_dereg(thr);
  EXPECT("mps_thread_dereg");
  heldByStack(arena, ap);
  mps_root_destroy(root);
  NONE();

  /* Collection control */
  mps_arena_clamp(NULL);
  EXPECT("mps_arena_clamp");
  mps_arena_release(NULL);
  EXPECT("mps_arena_release");
  mps_arena_park((mps_arena_t)(void *)junk);
  EXPECT("mps_arena_park");
  EXPECT_RES(mps_arena_collect(NULL), "mps_arena_collect");
  EXPECT_RES(mps_arena_start_collect((mps_arena_t)(void *)pool), "mps_arena_start_collect");
  EXPECT_FALSE(mps_arena_step(NULL, 0.0, 0.0), "mps_arena_step");
  EXPECT_FALSE(mps_arena_step(arena, -1.0, 0.0), "mps_arena_step");
  EXPECT_FALSE(mps_arena_step(arena, 0.0, -2.0), "mps_arena_step");
  check(mps_collections(arena) > 0);
  NONE();

  /* Messages */
  mps_message_type_enable(NULL, mps_message_type_gc());
  EXPECT("mps_message_type_enable");
  mps_message_type_enable(arena, (mps_message_type_t)77);
  EXPECT("mps_message_type_enable");
  mps_message_type_disable(NULL, mps_message_type_gc());
  EXPECT("mps_message_type_disable");
  mps_message_type_disable(arena, (mps_message_type_t)-1);
  EXPECT("mps_message_type_disable");
  /* The bad enables enabled nothing. */
  die(mps_arena_collect(arena), "mps_arena_collect");
  mps_arena_release(arena);
  check(!mps_message_poll(arena));
  mps_message_type_enable(arena, mps_message_type_gc());
  mps_message_type_enable(arena, mps_message_type_gc_start());
  mps_message_type_enable(arena2, mps_message_type_gc());
  die(testobj_alloc(&obj, ap, 2, 0, 4), "alloc");
  table[0] = obj;
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, table, 8), "root");
  die(mps_arena_collect(arena), "mps_arena_collect");
  mps_arena_release(arena);
  NONE();
  EXPECT_FALSE(mps_message_poll(NULL), "mps_message_poll");
  type = (mps_message_type_t)55;
  EXPECT_FALSE(mps_message_queue_type(NULL, arena), "mps_message_queue_type");
  EXPECT_FALSE(mps_message_queue_type(&type, NULL), "mps_message_queue_type");
  check(type == (mps_message_type_t)55);
  msgOut = (mps_message_t)(void *)junk;
  EXPECT_FALSE(mps_message_get(NULL, arena, mps_message_type_gc()), "mps_message_get");
  EXPECT_FALSE(mps_message_get(&msgOut, NULL, mps_message_type_gc()), "mps_message_get");
  EXPECT_FALSE(mps_message_get(&msgOut, arena, (mps_message_type_t)42), "mps_message_get");
  check(msgOut == (mps_message_t)(void *)junk);
  check(mps_message_get(&gcMsg, arena, mps_message_type_gc()));
  check(mps_message_get(&startMsg, arena, mps_message_type_gc_start()));
  NONE();
  check(mps_message_type(NULL, gcMsg) == 0);
  EXPECT("mps_message_type");
  check(mps_message_type(arena, NULL) == 0);
  EXPECT("mps_message_type");
  check(mps_message_clock(arena, (mps_message_t)(void *)junk) == 0);
  EXPECT("mps_message_clock");
  check(mps_message_gc_live_size(arena, startMsg) == 0);     /* not a gc message */
  EXPECT("mps_message_gc_live_size");
  check(mps_message_gc_condemned_size(arena, startMsg) == 0);
  EXPECT("mps_message_gc_condemned_size");
  check(mps_message_gc_not_condemned_size(arena, startMsg) == 0);
  EXPECT("mps_message_gc_not_condemned_size");
  check(mps_message_gc_start_why(arena, gcMsg) == NULL);     /* not a start message */
  EXPECT("mps_message_gc_start_why");
  check(mps_message_gc_live_size(NULL, gcMsg) == 0);
  EXPECT("mps_message_gc_live_size");
  p = junk;
  mps_message_finalization_ref(&p, arena, gcMsg);             /* not a finalization */
  EXPECT("mps_message_finalization_ref");
  check(p == junk);
  mps_message_discard(arena, NULL);
  EXPECT("mps_message_discard");
  mps_message_discard(NULL, gcMsg);
  EXPECT("mps_message_discard");
  mps_message_discard(arena2, gcMsg);                         /* another arena's */
  EXPECT("mps_message_discard");
  /* The rejected discards left the messages alone. */
  check(mps_message_type(arena, gcMsg) == mps_message_type_gc());
  check(mps_message_gc_live_size(arena, gcMsg) <= mps_message_gc_condemned_size(arena, gcMsg));
  check(strlen(mps_message_gc_start_why(arena, startMsg)) > 0);
  mps_message_discard(arena, gcMsg);
  mps_message_discard(arena, startMsg);
  NONE();

  /* Walks */
  mps_arena_park(arena);
  EXPECT_RES(mps_pool_walk(NULL, dummyArea, NULL), "mps_pool_walk");
  EXPECT_RES(mps_pool_walk(pool, NULL, NULL), "mps_pool_walk");
  EXPECT_RES(mps_pool_walk((mps_pool_t)(void *)fmt, dummyArea, NULL), "mps_pool_walk");
  die(mps_pool_walk(pool, dummyArea, NULL), "mps_pool_walk");
  mps_arena_formatted_objects_walk(NULL, dummyStepper, NULL, 0);
  EXPECT("mps_arena_formatted_objects_walk");
  mps_arena_formatted_objects_walk(arena, NULL, NULL, 0);
  EXPECT("mps_arena_formatted_objects_walk");
  mps_arena_roots_walk(NULL, dummyRootsStepper, NULL, 0);
  EXPECT("mps_arena_roots_walk");
  mps_arena_roots_walk(arena, NULL, NULL, 0);
  EXPECT("mps_arena_roots_walk");
  NONE();
  mps_arena_release(arena);
  EXPECT_RES(mps_pool_walk(pool, dummyArea, NULL), "mps_pool_walk");  /* not parked */
  mps_arena_roots_walk(arena, dummyRootsStepper, NULL, 0);
  EXPECT("mps_arena_roots_walk");                                       /* not parked */
  NONE();

  /* Tear-down, with every call valid. */
  mps_arena_park(arena);
  mps_root_destroy(root);
  mps_ap_destroy(ap);
  mps_pool_destroy(mvff);
  mps_pool_destroy(lo);
  mps_pool_destroy(pool);
  mps_fmt_destroy(noScan);
  mps_fmt_destroy(fmt);
  mps_fmt_destroy(fmt2);
  mps_chain_destroy(chain);
  mps_chain_destroy(chain2);
  mps_thread_dereg(thr);
  mps_thread_dereg(thr2);
  mps_arena_destroy(arena);
  mps_arena_destroy(arena2);
  NONE();
  mps_lib_assert_fail_install(old);
  return testPass();
}

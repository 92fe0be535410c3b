/* transformtest.c: transforms replace every reference to old objects by
 * references to new ones, all or nothing (contract 18).
 *
 * A graph in AMC and AMS, referred to from an exact table root, a weak
 * root, an AMS object and a finalization registration; half the objects
 * get replacements.  After mps_transform_apply every reference that was to
 * an old object is to its new object, and nothing else changed.  An
 * ambiguous root pointing at an old object makes the transform fail with
 * nothing changed.  Errors: not parked (MPS_RES_LIMIT), a collection
 * since creation (MPS_RES_PARAM). */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"

#define N 200

static mps_addr_t exactRoot[N];
static mps_addr_t weakRoot[N];
static mps_addr_t ambigRoot[1];
static mps_arena_t arena;
static mps_ap_t amcAP, amsAP;

static testobj_t make(mps_ap_t ap, mps_word_t id, size_t nrefs)
{
  testobj_t o;
  die(testobj_alloc(&o, ap, id, nrefs, 2), "alloc");
  return o;
}

static void collect(void)
{
  die(mps_arena_collect(arena), "collect");
}

int main(int argc, char *argv[])
{
  mps_fmt_t fmt;
  mps_pool_t amc, ams;
  mps_root_t rExact, rWeak, rAmbig;
  mps_transform_t t;
  mps_addr_t olds[N], news[N];
  mps_bool_t applied;
  testobj_t holder;
  size_t i, n;

  testInit(argc, argv);
  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(testfmt_create(&fmt, arena, 0), "format");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&amc, arena, mps_class_amc(), args), "amc");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&ams, arena, mps_class_ams(), args), "ams");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&amcAP, amc, mps_args_none), "amc ap");
  die(mps_ap_create_k(&amsAP, ams, mps_args_none), "ams ap");
  die(mps_root_create_table(&rExact, arena, mps_rank_exact(), 0, exactRoot, N), "exact");
  die(mps_root_create_table(&rWeak, arena, mps_rank_weak(), 0, weakRoot, N), "weak");
  die(mps_root_create_table(&rAmbig, arena, mps_rank_ambig(), 0, ambigRoot, 1), "ambig");

  /* Objects 0..N-1 in AMC (even) and AMS (odd), each referring to the
   * next; an AMS holder refers to all of them through its slots. */
  for (i = 0; i < N; ++i)
    exactRoot[i] = make(i % 2 == 0 ? amcAP : amsAP, i, 1);
  for (i = 0; i < N; ++i) {
    ((testobj_t)exactRoot[i])->refs[0] = exactRoot[(i + 1) % N];
    weakRoot[i] = exactRoot[i];
  }
  holder = make(amsAP, 9999, N);
  for (i = 0; i < N; ++i)
    holder->refs[i] = exactRoot[i];
  exactRoot[0] = holder;        /* object 0 is still held by the cycle */

  mps_arena_park(arena);

  /* Errors first. */
  mps_arena_release(arena);
  check(mps_transform_create(&t, arena) == MPS_RES_LIMIT);
  mps_arena_park(arena);
  die(mps_transform_create(&t, arena), "transform_create");
  collect();
  check(mps_transform_apply(&applied, t) == MPS_RES_PARAM);
  mps_transform_destroy(t);

  /* Replacements for the objects with ids divisible by 4 (and not the
   * holder), new ones carrying id + 100000. */
  n = 0;
  for (i = 0; i < N; ++i) {
    testobj_t o = holder->refs[i];
    if (o->id % 4 == 0) {
      testobj_t r;
      mps_arena_release(arena);
      r = make(o->id % 8 == 0 ? amcAP : amsAP, o->id + 100000, 1);
      mps_arena_park(arena);
      /* the allocation may have collected: refresh o */
      o = holder->refs[i];
      r->refs[0] = o->refs[0];
      olds[n] = o;
      news[n] = r;
      ++n;
    }
  }
  /* Nothing refers to the new objects yet except this stack frame's
   * arrays, which are not roots: keep them with an exact root. */
  {
    mps_root_t rNews;
    die(mps_root_create_table(&rNews, arena, mps_rank_exact(), 0, news, n), "news root");
    /* An ambiguous reference to an old object: nothing happens. */
    ambigRoot[0] = olds[1];
    die(mps_transform_create(&t, arena), "transform_create");
    die(mps_transform_add_oldnew(t, olds, news, n), "add_oldnew");
    die(mps_transform_apply(&applied, t), "apply (ambiguous)");
    check(!applied);
    for (i = 0; i < N; ++i)
      check(holder->refs[i] == weakRoot[i]);    /* unchanged */
    mps_transform_destroy(t);

    /* Without it: applied. */
    ambigRoot[0] = NULL;
    die(mps_transform_create(&t, arena), "transform_create");
    die(mps_transform_add_oldnew(t, olds, news, n), "add_oldnew");
    die(mps_transform_apply(&applied, t), "apply");
    check(applied);
    check(mps_transform_apply(&applied, t) != MPS_RES_OK);     /* at most once */
    mps_transform_destroy(t);
    for (i = 0; i < N; ++i) {
      testobj_t o = holder->refs[i];
      check(testobj_ok(o));
      check(o->id % 4 != 0 || o->id >= 100000);
      check(o->id == i || o->id == i + 100000);
      check(weakRoot[i] == NULL || weakRoot[i] == (mps_addr_t)o);
      /* Every object's successor is the current one. */
      check(o->refs[0] == holder->refs[(i + 1) % N]);
    }
    mps_root_destroy(rNews);
  }
  mps_arena_park(arena);
  mps_root_destroy(rAmbig);
  mps_root_destroy(rWeak);
  mps_root_destroy(rExact);
  mps_ap_destroy(amsAP);
  mps_ap_destroy(amcAP);
  mps_pool_destroy(ams);
  mps_pool_destroy(amc);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  return testPass();
}

// cxx.cc: compile-only test that Tarn's public headers work from C++.
// Compiled with -c (see check-headers.sh); never linked.

#include "mps.h"
#include "mpsavm.h"
#include "mpsacl.h"
#include "mpscamc.h"
#include "mpscams.h"
#include "mpscawl.h"
#include "mpscimx.h"
#include "mpsclo.h"
#include "mpscmfs.h"
#include "mpscmvff.h"
#include "mpscmvt.h"
#include "mpscmv2.h"
#include "mpscsnc.h"
#include "mpslib.h"
#include "mpsio.h"
#include "mpstd.h"
#include "tarn.h"
#include "mps.h"
#include "mpslib.h"

static_assert(MPS_RES_PARAM == 8, "result codes");
static_assert(mps_message_type_gc_start() == 2, "message types");
static_assert(sizeof(mps_word_t) == sizeof(void *), "word size");

static mps_arg_s static_args[] = {{MPS_KEY_ARGS_END, {0}}};
mps_gen_param_s gens[] = {{1024, 0.8}};

// The library's symbols keep C linkage.
extern "C" mps_res_t _mps_fix2(mps_ss_t, mps_addr_t *);
extern "C" mps_res_t mps_ap_fill(mps_addr_t *, mps_ap_t, size_t);

namespace {

mps_res_t scan_one(mps_ss_t ss, mps_addr_t *slot)
{
  MPS_SCAN_BEGIN(ss) {
    mps_res_t res = MPS_FIX12(ss, slot);
    if (res != MPS_RES_OK)
      return res;
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

mps_res_t scan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  MPS_SCAN_BEGIN(ss) {
    for (mps_addr_t *p = static_cast<mps_addr_t *>(base);
         p < static_cast<mps_addr_t *>(limit); ++p) {
      if (MPS_FIX1(ss, *p)) {
        mps_res_t res = MPS_FIX2(ss, p);
        if (res != MPS_RES_OK)
          return res;
      }
      mps_res_t res = MPS_RES_OK;
      MPS_FIX_CALL(ss, res = scan_one(ss, p));
      if (res != MPS_RES_OK)
        return res;
      res = MPS_FIX(ss, p);
      if (res != MPS_RES_OK)
        return res;
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

} // namespace

mps_res_t make(mps_arena_t arena, mps_fmt_t fmt, mps_chain_t chain,
               size_t size, mps_addr_t *p_o)
{
  mps_res_t res;
  mps_pool_t pool;
  mps_ap_t ap;
  mps_fmt_t fmt2;

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, scan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, 8);
    res = mps_fmt_create_k(&fmt2, arena, args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    return res;

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    MPS_ARGS_ADD(args, MPS_KEY_INTERIOR, 1);
    MPS_ARGS_BEGIN(inner) {
      MPS_ARGS_ADD(inner, MPS_KEY_RANK, mps_rank_exact());
      MPS_ARGS_DONE(inner);
    } MPS_ARGS_END(inner);
    res = mps_pool_create_k(&pool, arena, mps_class_amc(), args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    return res;

  res = mps_ap_create_k(&ap, pool, mps_args_none);
  if (res != MPS_RES_OK)
    return res;

  mps_addr_t p;
  do {
    res = mps_reserve(&p, ap, size);
    if (res != MPS_RES_OK)
      return res;
  } while (!mps_commit(ap, p, size));

  do {
    MPS_RESERVE_BLOCK(res, p, ap, size);
    if (res != MPS_RES_OK)
      return res;
  } while (!mps_commit(ap, p, size));

  mps_res_t (*reserve)(mps_addr_t *, mps_ap_t, size_t) = &(mps_reserve);
  res = reserve(&p, ap, size);

  mps_sac_class_s classes[] = {{16, 10, 1}, {32, 10, 1}};
  mps_sac_t sac;
  res = mps_sac_create(&sac, pool, 2, classes);
  if (res != MPS_RES_OK)
    return res;
  MPS_SAC_ALLOC_FAST(res, p, sac, size, 0);
  if (res == MPS_RES_OK)
    MPS_SAC_FREE_FAST(sac, p, size);

  switch (res) {
  case MPS_RES_OK:
    break;
  case MPS_RES_COMMIT_LIMIT:
  case MPS_RES_MEMORY:
    return MPS_RES_MEMORY;
  default:
    return res;
  }
  (void)static_args;
  (void)mps_lib_fputs(tarn_version(), mps_lib_stderr);
  *p_o = p;
  return mps_chain_create(&chain, arena, 1, gens);
}

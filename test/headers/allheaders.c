/* allheaders.c: compile-only test of Tarn's public headers
 *
 * Compiled with -c under C90, C99 and C11 with warnings as errors (see
 * check-headers.sh); never linked.  It includes every header twice in a
 * scrambled order, checks the values and types the MPS 1.118 interface
 * fixes, and uses every macro the way clients do.  Signature checks
 * assign each function to a pointer of the exact type: any mismatch is
 * an incompatible-pointer warning, hence an error.
 */

#include "mpscsnc.h"
#include "mpslib.h"
#include "mpscawl.h"
#include "mpstd.h"
#include "mpsavm.h"
#include "mpscmv2.h"
#include "mpsio.h"
#include "mpscamc.h"
#include "tarn.h"
#include "mpscmfs.h"
#include "mpsacl.h"
#include "mps.h"
#include "mpscams.h"
#include "mpscimx.h"
#include "mpsclo.h"
#include "mpscmvff.h"
#include "mpscmvt.h"

#include "mpscmvt.h"
#include "mps.h"
#include "mpsio.h"
#include "mpscmvff.h"
#include "tarn.h"
#include "mpsacl.h"
#include "mpsclo.h"
#include "mpscams.h"
#include "mpstd.h"
#include "mpscmfs.h"
#include "mpscsnc.h"
#include "mpscmv2.h"
#include "mpscamc.h"
#include "mpsavm.h"
#include "mpslib.h"
#include "mpscawl.h"
#include "mpscimx.h"


/* Compile-time checks */

#define CHECK(name, cond) typedef char check_##name[(cond) ? 1 : -1]

CHECK(res_ok, MPS_RES_OK == 0);
CHECK(res_fail, MPS_RES_FAIL == 1);
CHECK(res_resource, MPS_RES_RESOURCE == 2);
CHECK(res_memory, MPS_RES_MEMORY == 3);
CHECK(res_limit, MPS_RES_LIMIT == 4);
CHECK(res_unimpl, MPS_RES_UNIMPL == 5);
CHECK(res_io, MPS_RES_IO == 6);
CHECK(res_commit_limit, MPS_RES_COMMIT_LIMIT == 7);
CHECK(res_param, MPS_RES_PARAM == 8);
CHECK(rm_const, MPS_RM_CONST == 1);
CHECK(rm_prot, MPS_RM_PROT == 2);
CHECK(rm_prot_inner, MPS_RM_PROT_INNER == MPS_RM_PROT);
CHECK(msg_final, mps_message_type_finalization() == 0);
CHECK(msg_gc, mps_message_type_gc() == 1);
CHECK(msg_gc_start, mps_message_type_gc_start() == 2);
CHECK(args_max, MPS_ARGS_MAX == 32);
CHECK(sac_class_limit, MPS_SAC_CLASS_LIMIT == 8);
CHECK(sac_limit_type, sizeof(MPS_SAC_CLASS_LIMIT) == sizeof(size_t));
CHECK(word_is_pointer_sized, sizeof(mps_word_t) == sizeof(void *));
CHECK(word_width, sizeof(MPS_T_WORD) * CHAR_BIT == MPS_WORD_WIDTH);
CHECK(word_shift, 1 << MPS_WORD_SHIFT == MPS_WORD_WIDTH);
CHECK(word_same, sizeof(MPS_T_WORD) == sizeof(mps_word_t));
CHECK(ulongest, sizeof(MPS_T_ULONGEST) >= sizeof(MPS_T_WORD));
CHECK(pf_align, MPS_PF_ALIGN >= 4 && (MPS_PF_ALIGN & (MPS_PF_ALIGN - 1)) == 0);
CHECK(pf_string, sizeof(MPS_PF_STRING) == 7);
CHECK(sac_freelists, sizeof(((_mps_sac_s *)0)->_freelists)
                     == 2 * MPS_SAC_CLASS_LIMIT
                        * sizeof(_mps_sac_freelist_block_s));
CHECK(ld_two_words, sizeof(mps_ld_s) == 2 * sizeof(mps_word_t));
CHECK(ap_three_addrs, sizeof(mps_ap_s) == 3 * sizeof(mps_addr_t));
CHECK(bool_is_int, sizeof(mps_bool_t) == sizeof(int));

#if defined(MPS_OS_LI) + defined(MPS_OS_FR) + defined(MPS_OS_XC) \
    + defined(MPS_OS_W3) != 1
#error "expected exactly one MPS_OS_*"
#endif
#if defined(MPS_ARCH_A6) + defined(MPS_ARCH_I3) + defined(MPS_ARCH_I6) != 1
#error "expected exactly one MPS_ARCH_*"
#endif
#if defined(MPS_BUILD_GC) + defined(MPS_BUILD_LL) + defined(MPS_BUILD_MV) \
    + defined(MPS_BUILD_PC) != 1
#error "expected exactly one MPS_BUILD_*"
#endif
#if defined(__linux__) && defined(__x86_64__)
#if !defined(MPS_OS_LI) || !defined(MPS_ARCH_I6) || MPS_WORD_WIDTH != 64 \
    || MPS_WORD_SHIFT != 6 || MPS_PF_ALIGN != 8
#error "wrong platform description for Linux x86-64"
#endif
#if defined(__clang__) && !defined(MPS_PF_LII6LL)
#error "expected lii6ll"
#endif
#if !defined(__clang__) && !defined(MPS_PF_LII6GC)
#error "expected lii6gc"
#endif
#endif
#if !defined(mps_h) || !defined(mpsavm_h) || !defined(mpsacl_h) \
    || !defined(mpscamc_h) || !defined(mpscams_h) || !defined(mpscawl_h) \
    || !defined(mpsclo_h) || !defined(mpscmfs_h) || !defined(mpscmvff_h) \
    || !defined(mpscmvt_h) || !defined(mpscmv2_h) || !defined(mpscsnc_h) \
    || !defined(mpslib_h) || !defined(mpsio_h) || !defined(mpstd_h) \
    || !defined(tarn_h) || !defined(mpscimx_h)
#error "an include guard has an unexpected name"
#endif


/* Static initialisers: keys are address constants; public structures
 * are initialised positionally. */

static mps_arg_s static_args[] = {{MPS_KEY_ARGS_END}};
static mps_arg_s static_args2[] = {
  {MPS_KEY_ARENA_ZONED, {0}},
  {MPS_KEY_ARGS_END, {0}}
};
mps_gen_param_s gens[] = {{1024, 0.8}, {2048, 0.4}};
mps_sac_class_s sac_classes[] = {{16, 100, 4}, {64, 20, 1}};
mps_sac_classes_s sac_classes_old[] = {{32, 10, 1}};
mps_pool_debug_option_s debug_options = {"POST", 4, "DEAD", 4};
mps_scan_tag_s scan_tag = {7, 1};
extern const char tarn_version_string[], platform_string[];
const char tarn_version_string[] = TARN_VERSION_STRING;
const char platform_string[] = MPS_PF_STRING;

extern mps_res_t fmt_scan(mps_ss_t, mps_addr_t, mps_addr_t);
extern mps_addr_t fmt_skip(mps_addr_t);
extern void fmt_copy(mps_addr_t, mps_addr_t);
extern void fmt_fwd(mps_addr_t, mps_addr_t);
extern mps_addr_t fmt_isfwd(mps_addr_t);
extern void fmt_pad(mps_addr_t, size_t);
extern mps_addr_t fmt_class(mps_addr_t);

mps_fmt_A_s fmt_A = {8, fmt_scan, fmt_skip, fmt_copy, fmt_fwd, fmt_isfwd,
                     fmt_pad};
mps_fmt_B_s fmt_B = {8, fmt_scan, fmt_skip, fmt_copy, fmt_fwd, fmt_isfwd,
                     fmt_pad, fmt_class};
mps_fmt_auto_header_s fmt_ah = {8, fmt_scan, fmt_skip, fmt_fwd, fmt_isfwd,
                                fmt_pad, 16};
mps_fmt_fixed_s fmt_fixed = {8, fmt_scan, fmt_fwd, fmt_isfwd, fmt_pad};
mps_fmt_A_t fmt_A_p = &fmt_A;
mps_fmt_B_t fmt_B_p = &fmt_B;

mps_key_t all_keys[] = {
  MPS_KEY_ARGS_END, MPS_KEY_ARENA_GRAIN_SIZE, MPS_KEY_ARENA_SIZE,
  MPS_KEY_ARENA_ZONED, MPS_KEY_ARENA_EXTENDED, MPS_KEY_ARENA_CONTRACTED,
  MPS_KEY_FORMAT, MPS_KEY_CHAIN, MPS_KEY_GEN, MPS_KEY_RANK,
  MPS_KEY_COMMIT_LIMIT, MPS_KEY_SPARE_COMMIT_LIMIT, MPS_KEY_PAUSE_TIME,
  MPS_KEY_EXTEND_BY, MPS_KEY_LARGE_SIZE, MPS_KEY_MIN_SIZE,
  MPS_KEY_MEAN_SIZE, MPS_KEY_MAX_SIZE, MPS_KEY_ALIGN, MPS_KEY_SPARE,
  MPS_KEY_INTERIOR, MPS_KEY_VMW3_TOP_DOWN, MPS_KEY_FMT_ALIGN,
  MPS_KEY_FMT_HEADER_SIZE, MPS_KEY_FMT_SCAN, MPS_KEY_FMT_SKIP,
  MPS_KEY_FMT_FWD, MPS_KEY_FMT_ISFWD, MPS_KEY_FMT_PAD, MPS_KEY_FMT_CLASS,
  MPS_KEY_AP_HASH_ARRAYS, MPS_KEY_POOL_DEBUG_OPTIONS,
  MPS_KEY_ARENA_CL_BASE, MPS_KEY_AMS_SUPPORT_AMBIGUOUS,
  MPS_KEY_AWL_FIND_DEPENDENT, MPS_KEY_MFS_UNIT_SIZE,
  MPS_KEY_MVFF_SLOT_HIGH, MPS_KEY_MVFF_ARENA_HIGH, MPS_KEY_MVFF_FIRST_FIT,
  MPS_KEY_MVT_RESERVE_DEPTH, MPS_KEY_MVT_FRAG_LIMIT
};
CHECK(key_count, sizeof(all_keys) / sizeof(all_keys[0]) == 41);


/* Types of structure members, union members and key fields */

#define MEMBER(type, object, member) \
  { type *q_ = &(object).member; (void)q_; }
#define FIELD(key, type) \
  { type *q_ = &arg.val.key##_FIELD; mps_key_t k_ = key; \
    (void)q_; (void)k_; }

extern void check_members(void);
void check_members(void)
{
  mps_arg_s arg;
  mps_ap_s ap;
  mps_gen_param_s gen;
  mps_sac_class_s sc;
  mps_pool_debug_option_s dbg;
  mps_scan_tag_s tag;
  _mps_sac_s sac;
  mps_lib_FILE *stream = mps_lib_stderr;
  struct mps_lib_stream_s *stream2 = stream;
  mps_io_t io = (struct mps_io_s *)0;
  mps_class_t old_class = (mps_pool_class_t)0;
  mps_scan_tag_t tagp = &tag;

  MEMBER(mps_key_t, arg, key)
  MEMBER(mps_bool_t, arg, val.b)
  MEMBER(char, arg, val.c)
  MEMBER(const char *, arg, val.string)
  MEMBER(int, arg, val.i)
  MEMBER(unsigned, arg, val.u)
  MEMBER(long, arg, val.l)
  MEMBER(unsigned long, arg, val.ul)
  MEMBER(float, arg, val.f)
  MEMBER(double, arg, val.d)
  MEMBER(size_t, arg, val.size)
  MEMBER(mps_fun_t, arg, val.fun)
  MEMBER(mps_addr_t, arg, val.addr)
  MEMBER(mps_fmt_t, arg, val.format)
  MEMBER(mps_chain_t, arg, val.chain)
  MEMBER(mps_pool_debug_option_s *, arg, val.pool_debug_options)
  MEMBER(mps_awl_find_dependent_t, arg, val.addr_method)
  MEMBER(mps_align_t, arg, val.align)
  MEMBER(mps_word_t, arg, val.count)
  MEMBER(void *, arg, val.p)
  MEMBER(mps_rank_t, arg, val.rank)
  MEMBER(mps_fmt_scan_t, arg, val.fmt_scan)
  MEMBER(mps_fmt_skip_t, arg, val.fmt_skip)
  MEMBER(mps_fmt_fwd_t, arg, val.fmt_fwd)
  MEMBER(mps_fmt_isfwd_t, arg, val.fmt_isfwd)
  MEMBER(mps_fmt_pad_t, arg, val.fmt_pad)
  MEMBER(mps_fmt_class_t, arg, val.fmt_class)
  MEMBER(mps_pool_t, arg, val.pool)

  MEMBER(mps_addr_t, ap, init)
  MEMBER(mps_addr_t, ap, alloc)
  MEMBER(mps_addr_t, ap, limit)
  MEMBER(size_t, gen, mps_capacity)
  MEMBER(double, gen, mps_mortality)
  MEMBER(size_t, sc, mps_block_size)
  MEMBER(size_t, sc, mps_cached_count)
  MEMBER(unsigned, sc, mps_frequency)
  MEMBER(const void *, dbg, fence_template)
  MEMBER(size_t, dbg, fence_size)
  MEMBER(const void *, dbg, free_template)
  MEMBER(size_t, dbg, free_size)
  MEMBER(mps_word_t, tag, mask)
  MEMBER(mps_word_t, tag, pattern)
  MEMBER(size_t, sac, _middle)
  MEMBER(mps_bool_t, sac, _trapped)
  MEMBER(size_t, sac, _freelists[0]._size)
  MEMBER(size_t, sac, _freelists[0]._count)
  MEMBER(size_t, sac, _freelists[0]._count_max)
  MEMBER(mps_addr_t, sac, _freelists[0]._blocks)
  MEMBER(mps_fmt_class_t, fmt_B, mps_class)
  MEMBER(size_t, fmt_ah, mps_headerSize)

  FIELD(MPS_KEY_ARENA_GRAIN_SIZE, size_t)
  FIELD(MPS_KEY_ARENA_SIZE, size_t)
  FIELD(MPS_KEY_ARENA_ZONED, mps_bool_t)
  FIELD(MPS_KEY_ARENA_EXTENDED, mps_fun_t)
  FIELD(MPS_KEY_ARENA_CONTRACTED, mps_fun_t)
  FIELD(MPS_KEY_FORMAT, mps_fmt_t)
  FIELD(MPS_KEY_CHAIN, mps_chain_t)
  FIELD(MPS_KEY_GEN, unsigned)
  FIELD(MPS_KEY_RANK, mps_rank_t)
  FIELD(MPS_KEY_COMMIT_LIMIT, size_t)
  FIELD(MPS_KEY_SPARE_COMMIT_LIMIT, size_t)
  FIELD(MPS_KEY_PAUSE_TIME, double)
  FIELD(MPS_KEY_EXTEND_BY, size_t)
  FIELD(MPS_KEY_LARGE_SIZE, size_t)
  FIELD(MPS_KEY_MIN_SIZE, size_t)
  FIELD(MPS_KEY_MEAN_SIZE, size_t)
  FIELD(MPS_KEY_MAX_SIZE, size_t)
  FIELD(MPS_KEY_ALIGN, mps_align_t)
  FIELD(MPS_KEY_SPARE, double)
  FIELD(MPS_KEY_INTERIOR, mps_bool_t)
  FIELD(MPS_KEY_VMW3_TOP_DOWN, mps_bool_t)
  FIELD(MPS_KEY_FMT_ALIGN, mps_align_t)
  FIELD(MPS_KEY_FMT_HEADER_SIZE, size_t)
  FIELD(MPS_KEY_FMT_SCAN, mps_fmt_scan_t)
  FIELD(MPS_KEY_FMT_SKIP, mps_fmt_skip_t)
  FIELD(MPS_KEY_FMT_FWD, mps_fmt_fwd_t)
  FIELD(MPS_KEY_FMT_ISFWD, mps_fmt_isfwd_t)
  FIELD(MPS_KEY_FMT_PAD, mps_fmt_pad_t)
  FIELD(MPS_KEY_FMT_CLASS, mps_fmt_class_t)
  FIELD(MPS_KEY_AP_HASH_ARRAYS, mps_bool_t)
  FIELD(MPS_KEY_POOL_DEBUG_OPTIONS, mps_pool_debug_option_s *)
  FIELD(MPS_KEY_ARENA_CL_BASE, mps_addr_t)
  FIELD(MPS_KEY_AMS_SUPPORT_AMBIGUOUS, mps_bool_t)
  FIELD(MPS_KEY_AWL_FIND_DEPENDENT, mps_awl_find_dependent_t)
  FIELD(MPS_KEY_MFS_UNIT_SIZE, size_t)
  FIELD(MPS_KEY_MVFF_SLOT_HIGH, mps_bool_t)
  FIELD(MPS_KEY_MVFF_ARENA_HIGH, mps_bool_t)
  FIELD(MPS_KEY_MVFF_FIRST_FIT, mps_bool_t)
  FIELD(MPS_KEY_MVT_RESERVE_DEPTH, mps_word_t)
  FIELD(MPS_KEY_MVT_FRAG_LIMIT, double)

  (void)stream2; (void)io; (void)old_class; (void)tagp;
  (void)static_args; (void)static_args2;
}


/* Function signatures */

#define SIG(ret, name, params) \
  { ret (*p_) params = name; (void)p_; }

extern void check_signatures(void);
void check_signatures(void)
{
  /* mps.h: arenas */
  SIG(mps_res_t, mps_arena_create, (mps_arena_t *, mps_arena_class_t, ...))
  SIG(mps_res_t, mps_arena_create_v,
      (mps_arena_t *, mps_arena_class_t, va_list))
  SIG(mps_res_t, mps_arena_create_k,
      (mps_arena_t *, mps_arena_class_t, mps_arg_s []))
  SIG(void, mps_arena_destroy, (mps_arena_t))
  SIG(void, mps_arena_clamp, (mps_arena_t))
  SIG(void, mps_arena_release, (mps_arena_t))
  SIG(void, mps_arena_park, (mps_arena_t))
  SIG(void, mps_arena_postmortem, (mps_arena_t))
  SIG(mps_res_t, mps_arena_start_collect, (mps_arena_t))
  SIG(mps_res_t, mps_arena_collect, (mps_arena_t))
  SIG(mps_bool_t, mps_arena_step, (mps_arena_t, double, double))
  SIG(size_t, mps_arena_reserved, (mps_arena_t))
  SIG(size_t, mps_arena_committed, (mps_arena_t))
  SIG(size_t, mps_arena_spare_committed, (mps_arena_t))
  SIG(size_t, mps_arena_commit_limit, (mps_arena_t))
  SIG(mps_res_t, mps_arena_commit_limit_set, (mps_arena_t, size_t))
  SIG(double, mps_arena_spare, (mps_arena_t))
  SIG(void, mps_arena_spare_set, (mps_arena_t, double))
  SIG(size_t, mps_arena_spare_commit_limit, (mps_arena_t))
  SIG(void, mps_arena_spare_commit_limit_set, (mps_arena_t, size_t))
  SIG(double, mps_arena_pause_time, (mps_arena_t))
  SIG(void, mps_arena_pause_time_set, (mps_arena_t, double))
  SIG(mps_bool_t, mps_arena_busy, (mps_arena_t))
  SIG(mps_bool_t, mps_arena_has_addr, (mps_arena_t, mps_addr_t))
  SIG(mps_bool_t, mps_addr_pool, (mps_pool_t *, mps_arena_t, mps_addr_t))
  SIG(mps_bool_t, mps_addr_fmt, (mps_fmt_t *, mps_arena_t, mps_addr_t))
  SIG(mps_res_t, mps_addr_object, (mps_addr_t *, mps_arena_t, mps_addr_t))
  SIG(mps_res_t, mps_arena_extend, (mps_arena_t, mps_addr_t, size_t))
  SIG(mps_word_t, mps_collections, (mps_arena_t))
  /* formats */
  SIG(mps_res_t, mps_fmt_create_k, (mps_fmt_t *, mps_arena_t, mps_arg_s []))
  SIG(mps_res_t, mps_fmt_create_A, (mps_fmt_t *, mps_arena_t, mps_fmt_A_s *))
  SIG(mps_res_t, mps_fmt_create_B, (mps_fmt_t *, mps_arena_t, mps_fmt_B_s *))
  SIG(mps_res_t, mps_fmt_create_auto_header,
      (mps_fmt_t *, mps_arena_t, mps_fmt_auto_header_s *))
  SIG(mps_res_t, mps_fmt_create_fixed,
      (mps_fmt_t *, mps_arena_t, mps_fmt_fixed_s *))
  SIG(void, mps_fmt_destroy, (mps_fmt_t))
  /* pools */
  SIG(mps_res_t, mps_pool_create,
      (mps_pool_t *, mps_arena_t, mps_pool_class_t, ...))
  SIG(mps_res_t, mps_pool_create_v,
      (mps_pool_t *, mps_arena_t, mps_pool_class_t, va_list))
  SIG(mps_res_t, mps_pool_create_k,
      (mps_pool_t *, mps_arena_t, mps_pool_class_t, mps_arg_s []))
  SIG(void, mps_pool_destroy, (mps_pool_t))
  SIG(size_t, mps_pool_total_size, (mps_pool_t))
  SIG(size_t, mps_pool_free_size, (mps_pool_t))
  SIG(mps_res_t, mps_pool_walk, (mps_pool_t, mps_area_scan_t, void *))
  SIG(mps_res_t, mps_alloc, (mps_addr_t *, mps_pool_t, size_t))
  SIG(void, mps_free, (mps_pool_t, mps_addr_t, size_t))
  /* chains */
  SIG(mps_res_t, mps_chain_create,
      (mps_chain_t *, mps_arena_t, size_t, mps_gen_param_s *))
  SIG(void, mps_chain_destroy, (mps_chain_t))
  /* allocation points, frames, patterns */
  SIG(mps_res_t, mps_ap_create, (mps_ap_t *, mps_pool_t, ...))
  SIG(mps_res_t, mps_ap_create_v, (mps_ap_t *, mps_pool_t, va_list))
  SIG(mps_res_t, mps_ap_create_k, (mps_ap_t *, mps_pool_t, mps_arg_s []))
  SIG(void, mps_ap_destroy, (mps_ap_t))
  SIG(mps_res_t, (mps_reserve), (mps_addr_t *, mps_ap_t, size_t))
  SIG(mps_bool_t, (mps_commit), (mps_ap_t, mps_addr_t, size_t))
  SIG(mps_res_t, mps_ap_fill, (mps_addr_t *, mps_ap_t, size_t))
  SIG(mps_bool_t, mps_ap_trip, (mps_ap_t, mps_addr_t, size_t))
  SIG(mps_res_t, (mps_ap_frame_push), (mps_frame_t *, mps_ap_t))
  SIG(mps_res_t, (mps_ap_frame_pop), (mps_ap_t, mps_frame_t))
  SIG(mps_res_t, mps_ap_frame_push, (mps_frame_t *, mps_ap_t))
  SIG(mps_res_t, mps_ap_frame_pop, (mps_ap_t, mps_frame_t))
  SIG(mps_alloc_pattern_t, mps_alloc_pattern_ramp, (void))
  SIG(mps_alloc_pattern_t, mps_alloc_pattern_ramp_collect_all, (void))
  SIG(mps_res_t, mps_ap_alloc_pattern_begin, (mps_ap_t, mps_alloc_pattern_t))
  SIG(mps_res_t, mps_ap_alloc_pattern_end, (mps_ap_t, mps_alloc_pattern_t))
  SIG(mps_res_t, mps_ap_alloc_pattern_reset, (mps_ap_t))
  /* segregated allocation caches */
  SIG(mps_res_t, mps_sac_create,
      (mps_sac_t *, mps_pool_t, size_t, mps_sac_class_s *))
  SIG(void, mps_sac_destroy, (mps_sac_t))
  SIG(mps_res_t, mps_sac_alloc, (mps_addr_t *, mps_sac_t, size_t, mps_bool_t))
  SIG(void, mps_sac_free, (mps_sac_t, mps_addr_t, size_t))
  SIG(void, mps_sac_flush, (mps_sac_t))
  SIG(mps_res_t, mps_sac_fill, (mps_addr_t *, mps_sac_t, size_t, mps_bool_t))
  SIG(void, mps_sac_empty, (mps_sac_t, mps_addr_t, size_t))
  /* roots */
  SIG(mps_rank_t, mps_rank_ambig, (void))
  SIG(mps_rank_t, mps_rank_exact, (void))
  SIG(mps_rank_t, mps_rank_weak, (void))
  SIG(mps_res_t, mps_root_create,
      (mps_root_t *, mps_arena_t, mps_rank_t, mps_rm_t, mps_root_scan_t,
       void *, size_t))
  SIG(mps_res_t, mps_root_create_table,
      (mps_root_t *, mps_arena_t, mps_rank_t, mps_rm_t, mps_addr_t *, size_t))
  SIG(mps_res_t, mps_root_create_table_masked,
      (mps_root_t *, mps_arena_t, mps_rank_t, mps_rm_t, mps_addr_t *, size_t,
       mps_word_t))
  SIG(mps_res_t, mps_root_create_area,
      (mps_root_t *, mps_arena_t, mps_rank_t, mps_rm_t, void *, void *,
       mps_area_scan_t, void *))
  SIG(mps_res_t, mps_root_create_area_tagged,
      (mps_root_t *, mps_arena_t, mps_rank_t, mps_rm_t, void *, void *,
       mps_area_scan_t, mps_word_t, mps_word_t))
  SIG(mps_res_t, mps_root_create_fmt,
      (mps_root_t *, mps_arena_t, mps_rank_t, mps_rm_t, mps_fmt_scan_t,
       mps_addr_t, mps_addr_t))
  SIG(mps_res_t, mps_root_create_reg,
      (mps_root_t *, mps_arena_t, mps_rank_t, mps_rm_t, mps_thr_t,
       mps_reg_scan_t, void *, size_t))
  SIG(mps_res_t, mps_root_create_thread,
      (mps_root_t *, mps_arena_t, mps_thr_t, void *))
  SIG(mps_res_t, mps_root_create_thread_scanned,
      (mps_root_t *, mps_arena_t, mps_rank_t, mps_rm_t, mps_thr_t,
       mps_area_scan_t, void *, void *))
  SIG(mps_res_t, mps_root_create_thread_tagged,
      (mps_root_t *, mps_arena_t, mps_rank_t, mps_rm_t, mps_thr_t,
       mps_area_scan_t, mps_word_t, mps_word_t, void *))
  SIG(void, mps_root_destroy, (mps_root_t))
  SIG(mps_res_t, mps_stack_scan_ambig, (mps_ss_t, mps_thr_t, void *, size_t))
  /* threads */
  SIG(mps_res_t, mps_thread_reg, (mps_thr_t *, mps_arena_t))
  SIG(void, mps_thread_dereg, (mps_thr_t))
  /* location dependency */
  SIG(void, mps_ld_reset, (mps_ld_t, mps_arena_t))
  SIG(void, mps_ld_add, (mps_ld_t, mps_arena_t, mps_addr_t))
  SIG(void, mps_ld_merge, (mps_ld_t, mps_arena_t, mps_ld_t))
  SIG(mps_bool_t, mps_ld_isstale, (mps_ld_t, mps_arena_t, mps_addr_t))
  SIG(mps_bool_t, mps_ld_isstale_any, (mps_ld_t, mps_arena_t))
  /* messages */
  SIG(void, mps_message_type_enable, (mps_arena_t, mps_message_type_t))
  SIG(void, mps_message_type_disable, (mps_arena_t, mps_message_type_t))
  SIG(mps_bool_t, mps_message_poll, (mps_arena_t))
  SIG(mps_bool_t, mps_message_queue_type, (mps_message_type_t *, mps_arena_t))
  SIG(mps_bool_t, mps_message_get,
      (mps_message_t *, mps_arena_t, mps_message_type_t))
  SIG(void, mps_message_discard, (mps_arena_t, mps_message_t))
  SIG(mps_message_type_t, mps_message_type, (mps_arena_t, mps_message_t))
  SIG(mps_clock_t, mps_message_clock, (mps_arena_t, mps_message_t))
  SIG(void, mps_message_finalization_ref,
      (mps_addr_t *, mps_arena_t, mps_message_t))
  SIG(size_t, mps_message_gc_live_size, (mps_arena_t, mps_message_t))
  SIG(size_t, mps_message_gc_condemned_size, (mps_arena_t, mps_message_t))
  SIG(size_t, mps_message_gc_not_condemned_size,
      (mps_arena_t, mps_message_t))
  SIG(const char *, mps_message_gc_start_why, (mps_arena_t, mps_message_t))
  /* finalization */
  SIG(mps_res_t, mps_finalize, (mps_arena_t, mps_addr_t *))
  SIG(mps_res_t, mps_definalize, (mps_arena_t, mps_addr_t *))
  /* telemetry */
  SIG(void, mps_telemetry_set, (mps_word_t))
  SIG(void, mps_telemetry_reset, (mps_word_t))
  SIG(mps_word_t, mps_telemetry_get, (void))
  SIG(mps_label_t, mps_telemetry_intern, (const char *))
  SIG(void, mps_telemetry_label, (mps_addr_t, mps_label_t))
  SIG(void, mps_telemetry_flush, (void))
  /* walking, debugging pools, transforms */
  SIG(void, mps_arena_formatted_objects_walk,
      (mps_arena_t, mps_formatted_objects_stepper_t, void *, size_t))
  SIG(void, mps_arena_roots_walk,
      (mps_arena_t, mps_roots_stepper_t, void *, size_t))
  SIG(void, mps_pool_check_fenceposts, (mps_pool_t))
  SIG(void, mps_pool_check_free_space, (mps_pool_t))
  SIG(mps_res_t, mps_transform_create, (mps_transform_t *, mps_arena_t))
  SIG(mps_res_t, mps_transform_add_oldnew,
      (mps_transform_t, mps_addr_t *, mps_addr_t *, size_t))
  SIG(mps_res_t, mps_transform_apply, (mps_bool_t *, mps_transform_t))
  SIG(void, mps_transform_destroy, (mps_transform_t))
  /* scanning */
  SIG(mps_res_t, mps_scan_area, (mps_ss_t, void *, void *, void *))
  SIG(mps_res_t, mps_scan_area_masked, (mps_ss_t, void *, void *, void *))
  SIG(mps_res_t, mps_scan_area_tagged, (mps_ss_t, void *, void *, void *))
  SIG(mps_res_t, mps_scan_area_tagged_or_zero,
      (mps_ss_t, void *, void *, void *))
  SIG(mps_res_t, _mps_fix2, (mps_ss_t, mps_addr_t *))

  /* class and arena headers */
  SIG(mps_arena_class_t, mps_arena_class_vm, (void))
  SIG(mps_res_t, mps_arena_vm_growth, (mps_arena_t, size_t, size_t))
  SIG(mps_arena_class_t, mps_arena_class_cl, (void))
  SIG(mps_pool_class_t, mps_class_amc, (void))
  SIG(mps_pool_class_t, mps_class_amcz, (void))
  SIG(void, mps_amc_apply,
      (mps_pool_t, mps_amc_apply_stepper_t, void *, size_t))
  SIG(mps_pool_class_t, mps_class_ams, (void))
  SIG(mps_pool_class_t, mps_class_ams_debug, (void))
  SIG(mps_pool_class_t, mps_class_awl, (void))
  SIG(mps_pool_class_t, mps_class_lo, (void))
  SIG(mps_pool_class_t, mps_class_mfs, (void))
  SIG(mps_pool_class_t, mps_class_mvff, (void))
  SIG(mps_pool_class_t, mps_class_mvff_debug, (void))
  SIG(mps_pool_class_t, mps_class_mvt, (void))
  SIG(mps_pool_class_t, mps_class_snc, (void))
  SIG(size_t, mps_mvff_free_size, (mps_pool_t))
  SIG(size_t, mps_mvff_size, (mps_pool_t))
  SIG(size_t, mps_mvt_free_size, (mps_pool_t))
  SIG(size_t, mps_mvt_size, (mps_pool_t))

  /* plinth */
  SIG(int, mps_lib_get_EOF, (void))
  SIG(mps_lib_FILE *, mps_lib_get_stderr, (void))
  SIG(mps_lib_FILE *, mps_lib_get_stdout, (void))
  SIG(int, mps_lib_fputc, (int, mps_lib_FILE *))
  SIG(int, mps_lib_fputs, (const char *, mps_lib_FILE *))
  SIG(void, mps_lib_assert_fail, (const char *, unsigned, const char *))
  SIG(mps_lib_assert_fail_t, mps_lib_assert_fail_install,
      (mps_lib_assert_fail_t))
  SIG(void *, mps_lib_memset, (void *, int, size_t))
  SIG(void *, mps_lib_memcpy, (void *, const void *, size_t))
  SIG(int, mps_lib_memcmp, (const void *, const void *, size_t))
  SIG(mps_clock_t, mps_clock, (void))
  SIG(mps_clock_t, mps_clocks_per_sec, (void))
  SIG(unsigned long, mps_lib_telemetry_control, (void))
  SIG(mps_res_t, mps_io_create, (mps_io_t *))
  SIG(void, mps_io_destroy, (mps_io_t))
  SIG(mps_res_t, mps_io_write, (mps_io_t, void *, size_t))
  SIG(mps_res_t, mps_io_flush, (mps_io_t))

  /* Tarn */
  SIG(const char *, tarn_version, (void))
}


/* Function-pointer types */

extern void assert_handler(const char *, unsigned, const char *);
extern mps_addr_t find_dependent(mps_addr_t);
extern void amc_stepper(mps_addr_t, void *, size_t);
extern void objects_stepper(mps_addr_t, mps_fmt_t, mps_pool_t, void *,
                            size_t);
extern void roots_stepper(mps_addr_t *, mps_root_t, void *, size_t);
extern void extended(mps_arena_t, void *, size_t);
extern mps_res_t root_scan(mps_ss_t, void *, size_t);
extern mps_res_t reg_scan(mps_ss_t, mps_thr_t, void *, size_t);
extern mps_res_t area_scan(mps_ss_t, void *, void *, void *);

mps_lib_assert_fail_t fp_assert = assert_handler;
mps_awl_find_dependent_t fp_dependent = find_dependent;
mps_amc_apply_stepper_t fp_amc = amc_stepper;
mps_formatted_objects_stepper_t fp_objects = objects_stepper;
mps_roots_stepper_t fp_roots = roots_stepper;
mps_arena_extended_t fp_extended = extended;
mps_arena_contracted_t fp_contracted = extended;
mps_root_scan_t fp_root_scan = root_scan;
mps_reg_scan_t fp_reg_scan = reg_scan;
mps_area_scan_t fp_area_scan = area_scan;
mps_fmt_copy_t fp_copy = fmt_copy;
mps_fmt_scan_t fp_fmt_scan = fmt_scan;
mps_fmt_skip_t fp_fmt_skip = fmt_skip;
mps_fmt_fwd_t fp_fmt_fwd = fmt_fwd;
mps_fmt_isfwd_t fp_fmt_isfwd = fmt_isfwd;
mps_fmt_pad_t fp_fmt_pad = fmt_pad;
mps_fmt_class_t fp_fmt_class = fmt_class;
mps_fun_t fp_fun = (mps_fun_t)extended;


/* Keyword arguments */

extern mps_res_t make_arena(mps_arena_t *, size_t);
mps_res_t make_arena(mps_arena_t *arena_o, size_t size)
{
  mps_res_t res;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, size);
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_GRAIN_SIZE, 4096);
    MPS_ARGS_ADD(args, MPS_KEY_PAUSE_TIME, 0.1);
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_EXTENDED, (mps_fun_t)extended);
    MPS_ARGS_ADD_FIELD(args, MPS_KEY_COMMIT_LIMIT, size, size * 2);
    res = mps_arena_create_k(arena_o, mps_arena_class_vm(), args);
  } MPS_ARGS_END(args);
  return res;
}

extern mps_res_t make_pools(mps_pool_t *, mps_pool_t *, mps_arena_t,
                            mps_fmt_t, mps_bool_t);
mps_res_t make_pools(mps_pool_t *amc_o, mps_pool_t *mvff_o,
                     mps_arena_t arena, mps_fmt_t fmt, mps_bool_t high)
{
  mps_res_t res = MPS_RES_OK;
  mps_chain_t chain;

  res = mps_chain_create(&chain, arena, sizeof gens / sizeof gens[0], gens);
  if (res != MPS_RES_OK)
    return res;

  MPS_ARGS_BEGIN(outer) {
    /* A block after MPS_ARGS_BEGIN may start with declarations. */
    size_t extend = 65536;
    mps_pool_class_t amc = mps_class_amc();

    MPS_ARGS_ADD(outer, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(outer, MPS_KEY_CHAIN, chain);
    if (high)
      MPS_ARGS_ADD(outer, MPS_KEY_INTERIOR, 0);
    else
      MPS_ARGS_ADD(outer, MPS_KEY_INTERIOR, 1);
    MPS_ARGS_BEGIN(inner) {
      int n = 0;
      MPS_ARGS_ADD(inner, MPS_KEY_EXTEND_BY, extend);
      MPS_ARGS_ADD(inner, MPS_KEY_MEAN_SIZE, 32);
      MPS_ARGS_ADD(inner, MPS_KEY_ALIGN, (mps_align_t)MPS_PF_ALIGN);
      MPS_ARGS_ADD(inner, MPS_KEY_SPARE, 0.5);
      MPS_ARGS_ADD(inner, MPS_KEY_MVFF_ARENA_HIGH, high);
      MPS_ARGS_ADD(inner, MPS_KEY_MVFF_SLOT_HIGH, high);
      MPS_ARGS_ADD(inner, MPS_KEY_MVFF_FIRST_FIT, !high);
      MPS_ARGS_ADD(inner, MPS_KEY_POOL_DEBUG_OPTIONS, &debug_options);
      MPS_ARGS_DONE(inner);
      res = mps_pool_create_k(mvff_o, arena, mps_class_mvff_debug(), inner);
      while (inner[n].key != MPS_KEY_ARGS_END)
        ++n;
      if (n != 0)
        res = MPS_RES_PARAM;
    } MPS_ARGS_END(inner);
    if (res == MPS_RES_OK)
      res = mps_pool_create_k(amc_o, arena, amc, outer);
  } MPS_ARGS_END(outer);
  return res;
}

extern mps_res_t make_more(mps_arena_t, mps_fmt_t, mps_addr_t, size_t);
mps_res_t make_more(mps_arena_t arena, mps_fmt_t fmt, mps_addr_t base,
                    size_t size)
{
  mps_res_t res;
  mps_pool_t pool;
  mps_ap_t ap;
  mps_arena_t cl;
  mps_fmt_t fmt2;

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_CL_BASE, base);
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, size);
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_ZONED, 0);
    res = mps_arena_create_k(&cl, mps_arena_class_cl(), args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    return res;

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, 8);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_HEADER_SIZE, 0);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, fmt_scan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, fmt_skip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_FWD, fmt_fwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ISFWD, fmt_isfwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, fmt_pad);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_CLASS, fmt_class);
    res = mps_fmt_create_k(&fmt2, arena, args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    return res;

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_GEN, 1);
    MPS_ARGS_ADD(args, MPS_KEY_AWL_FIND_DEPENDENT, find_dependent);
    res = mps_pool_create_k(&pool, arena, mps_class_awl(), args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    return res;

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_weak());
    res = mps_ap_create_k(&ap, pool, args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    return res;

  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MFS_UNIT_SIZE, 64);
    MPS_ARGS_ADD(args, MPS_KEY_MVT_RESERVE_DEPTH, 1024);
    MPS_ARGS_ADD(args, MPS_KEY_MVT_FRAG_LIMIT, 0.3);
    MPS_ARGS_ADD(args, MPS_KEY_MIN_SIZE, 8);
    MPS_ARGS_ADD(args, MPS_KEY_MAX_SIZE, 8192);
    MPS_ARGS_ADD(args, MPS_KEY_AMS_SUPPORT_AMBIGUOUS, 1);
    MPS_ARGS_ADD(args, MPS_KEY_AP_HASH_ARRAYS, 1);
    MPS_ARGS_ADD(args, MPS_KEY_LARGE_SIZE, 32768);
    MPS_ARGS_ADD(args, MPS_KEY_VMW3_TOP_DOWN, 0);
    MPS_ARGS_ADD(args, MPS_KEY_SPARE_COMMIT_LIMIT, 0);
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_CONTRACTED, (mps_fun_t)extended);
    res = mps_pool_create_k(&pool, arena, mps_class_mvt(), args);
  } MPS_ARGS_END(args);
  if (res != MPS_RES_OK)
    return res;

  res = mps_ap_create_k(&ap, pool, mps_args_none);
  if (res != MPS_RES_OK)
    return res;
  res = mps_pool_create_k(&pool, arena, mps_class_lo(), static_args2);
  if (res != MPS_RES_OK)
    return res;

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
  /* C99 compound literals with designated union members. */
  res = mps_pool_create_k(&pool, arena, mps_class_mvff(),
                          (mps_arg_s[]){{MPS_KEY_ALIGN, {.align = 8}},
                                        {MPS_KEY_SPARE, {.d = 0.25}},
                                        {MPS_KEY_ARGS_END, {0}}});
  if (res != MPS_RES_OK)
    return res;
#endif

  /* Deprecated varargs and structure-based creators. */
  res = mps_arena_create(&cl, mps_arena_class_vm(), (size_t)1 << 20);
  if (res != MPS_RES_OK)
    return res;
  res = mps_fmt_create_A(&fmt2, arena, &fmt_A);
  if (res != MPS_RES_OK)
    return res;
  res = mps_pool_create(&pool, arena, mps_class_amc(), fmt2, (mps_chain_t)0);
  if (res != MPS_RES_OK)
    return res;
  return mps_ap_create(&ap, pool, mps_rank_exact());
}


/* Scanning */

extern mps_res_t scan_one(mps_ss_t, mps_addr_t *);
mps_res_t scan_one(mps_ss_t ss, mps_addr_t *slot)
{
  MPS_SCAN_BEGIN(ss) {
    mps_res_t res = MPS_FIX12(ss, slot);
    if (res != MPS_RES_OK)
      return res;
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

/* Tagged words: tag in the low three bits, 0 means a pointer. */
mps_res_t fmt_scan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  MPS_SCAN_BEGIN(ss) {
    mps_word_t *p = (mps_word_t *)base;
    mps_res_t res;

    while (p < (mps_word_t *)limit) {
      mps_word_t w = *p;
      if (w == 0) {
        ++p;
        continue;
      }
      if (MPS_FIX1(ss, w)) {
        mps_addr_t ref = (mps_addr_t)(w & ~(mps_word_t)7);
        res = MPS_FIX2(ss, &ref);
        if (res != MPS_RES_OK)
          return res;
        *p = (mps_word_t)ref | (w & 7);
      }
      if (MPS_FIX1(ss, (mps_addr_t)p) && MPS_FIX1(ss, 0))
        return MPS_RES_FAIL;
      res = MPS_FIX12(ss, (mps_addr_t *)p);
      if (res != MPS_RES_OK)
        return res;
      res = MPS_FIX(ss, (mps_addr_t *)p);
      if (res)
        return res;
      MPS_FIX_CALL(ss, res = scan_one(ss, (mps_addr_t *)p));
      if (res != MPS_RES_OK)
        return res;
      MPS_FIX_CALL(ss, scan_one(ss, (mps_addr_t *)p));
      if (w & 1)
        MPS_FIX_CALL(ss, res = mps_scan_area(ss, p, p + 1, NULL));
      else
        MPS_FIX_CALL(ss, res = mps_scan_area_tagged(ss, p, p + 1, &scan_tag));
      ++p;
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

/* Scanners that use only some of the macros must not draw warnings. */
extern mps_res_t scan_nothing(mps_ss_t, void *, size_t);
mps_res_t scan_nothing(mps_ss_t ss, void *p, size_t s)
{
  MPS_SCAN_BEGIN(ss) {
  } MPS_SCAN_END(ss);
  (void)p;
  (void)s;
  return MPS_RES_OK;
}

mps_res_t root_scan(mps_ss_t ss, void *p, size_t s)
{
  mps_res_t res = MPS_RES_OK;
  MPS_SCAN_BEGIN(ss) {
    if (s == 0)
      return MPS_RES_OK;       /* early return before any fix (Emacs) */
    MPS_FIX_CALL(ss, res = scan_one(ss, (mps_addr_t *)p));
  } MPS_SCAN_END(ss);
  return res;
}

mps_res_t area_scan(mps_ss_t ss, void *base, void *limit, void *closure)
{
  mps_scan_tag_t tag = (mps_scan_tag_t)closure;
  MPS_SCAN_BEGIN(ss) {
    mps_word_t *p;
    for (p = (mps_word_t *)base; p < (mps_word_t *)limit; ++p) {
      if ((*p & tag->mask) == tag->pattern && MPS_FIX1(ss, *p)) {
        mps_addr_t ref = (mps_addr_t)(*p & ~tag->mask);
        mps_res_t res = MPS_FIX2(ss, &ref);
        if (res != MPS_RES_OK)
          return res;
        *p = (mps_word_t)ref | tag->pattern;
      }
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}


/* Allocation points */

extern mps_res_t alloc_object(mps_addr_t *, mps_ap_t, size_t);
mps_res_t alloc_object(mps_addr_t *p_o, mps_ap_t ap, size_t size)
{
  mps_addr_t p;
  mps_res_t res;
  mps_frame_t frame;
  mps_bool_t committed;

  do {
    res = mps_reserve(&p, ap, size);
    if (res != MPS_RES_OK)
      return res;
    *(mps_word_t *)p = 0;
  } while (!mps_commit(ap, p, size));

  do {
    MPS_RESERVE_BLOCK(res, p, ap, size);
    if (res != MPS_RES_OK)
      return res;
    *(mps_word_t *)p = 0;
    committed = mps_commit(ap, p, size);
  } while (committed != 1);

  if (size > 64)
    MPS_RESERVE_BLOCK(res, p, ap, size);
  else
    res = mps_reserve(&p, ap, size);
  if (res == MPS_RES_OK && mps_commit(ap, p, size) == 0)
    return MPS_RES_FAIL;

  /* The functions behind the macros. */
  res = (mps_reserve)(&p, ap, size);
  if (res != MPS_RES_OK || !(mps_commit)(ap, p, size))
    return MPS_RES_FAIL;
  {
    mps_res_t (*reserve)(mps_addr_t *, mps_ap_t, size_t) = &(mps_reserve);
    mps_bool_t (*commit)(mps_ap_t, mps_addr_t, size_t) = (mps_commit);
    res = reserve(&p, ap, size);
    if (res == MPS_RES_OK)
      (void)commit(ap, p, size);
  }

  res = mps_ap_frame_push(&frame, ap);
  if (res == MPS_RES_OK)
    res = mps_ap_frame_pop(ap, frame);
  (void)mps_ap_alloc_pattern_begin(ap, mps_alloc_pattern_ramp());
  (void)mps_ap_alloc_pattern_end(ap, mps_alloc_pattern_ramp_collect_all());

  *p_o = p;
  return res;
}


/* Segregated allocation caches */

extern mps_res_t sac_use(mps_pool_t, size_t);
mps_res_t sac_use(mps_pool_t pool, size_t size)
{
  mps_sac_t sac;
  mps_addr_t p, q;
  mps_res_t res;

  res = mps_sac_create(&sac, pool, sizeof sac_classes / sizeof sac_classes[0],
                       sac_classes);
  if (res != MPS_RES_OK)
    return res;
  MPS_SAC_ALLOC_FAST(res, p, sac, size, 0);
  if (res != MPS_RES_OK)
    return res;
  MPS_SAC_ALLOC(res, q, sac, size * 2, 0);
  if (res != MPS_RES_OK)
    return res;
  if (size > 8)
    MPS_SAC_FREE_FAST(sac, p, size);
  else
    MPS_SAC_FREE(sac, p, size);
  MPS_SAC_FREE_FAST(sac, q, size * 2);
  res = mps_sac_alloc(&p, sac, size, 0);
  if (res == MPS_RES_OK)
    mps_sac_free(sac, p, size);
  mps_sac_flush(sac);
  mps_sac_destroy(sac);
  return res;
}


/* Results, messages, roots and the rest */

extern const char *describe(mps_res_t);
const char *describe(mps_res_t res)
{
  switch (res) {
  case MPS_RES_OK: return "ok";
  case MPS_RES_FAIL: return "fail";
  case MPS_RES_RESOURCE: return "resource";
  case MPS_RES_MEMORY: return "memory";
  case MPS_RES_LIMIT: return "limit";
  case MPS_RES_UNIMPL: return "unimpl";
  case MPS_RES_IO: return "io";
  case MPS_RES_COMMIT_LIMIT: return "commit limit";
  case MPS_RES_PARAM: return "param";
  default: return "unknown";
  }
}

extern void messages(mps_arena_t);
void messages(mps_arena_t arena)
{
  mps_message_type_t type;
  mps_message_t message;

  mps_message_type_enable(arena, mps_message_type_finalization());
  mps_message_type_enable(arena, mps_message_type_gc());
  mps_message_type_disable(arena, mps_message_type_gc_start());
  while (mps_message_queue_type(&type, arena)) {
    if (!mps_message_get(&message, arena, type))
      break;
    switch (type) {
    case mps_message_type_finalization(): {
      mps_addr_t ref;
      mps_message_finalization_ref(&ref, arena, message);
      (void)mps_definalize(arena, &ref);
      break;
    }
    case mps_message_type_gc():
      (void)mps_message_gc_live_size(arena, message);
      break;
    case mps_message_type_gc_start():
      (void)mps_lib_fputs(mps_message_gc_start_why(arena, message),
                          mps_lib_stderr);
      break;
    default:
      break;
    }
    mps_message_discard(arena, message);
  }
}

static mps_addr_t table[4];

extern mps_res_t roots(mps_arena_t, mps_thr_t *, mps_root_t *);
mps_res_t roots(mps_arena_t arena, mps_thr_t *thr_o, mps_root_t *root_o)
{
  mps_res_t res;
  void *cold = &res;
  mps_rm_t rm = MPS_RM_CONST | MPS_RM_PROT | MPS_RM_PROT_INNER;
  mps_ld_s ld;

  res = mps_thread_reg(thr_o, arena);
  if (res != MPS_RES_OK)
    return res;
  res = mps_root_create_thread(root_o, arena, *thr_o, cold);
  if (res != MPS_RES_OK)
    return res;
  res = mps_root_create_table(root_o, arena, mps_rank_exact(), rm,
                              (mps_addr_t *)(void *)table, 4);
  if (res != MPS_RES_OK)
    return res;
  res = mps_root_create_reg(root_o, arena, mps_rank_ambig(), (mps_rm_t)0,
                            *thr_o, mps_stack_scan_ambig, cold, 0);
  if (res != MPS_RES_OK)
    return res;
  res = mps_root_create_area_tagged(root_o, arena, mps_rank_ambig(), 0,
                                    table, table + 4, mps_scan_area_tagged,
                                    sizeof(mps_word_t) - 1, 0);
  if (res != MPS_RES_OK)
    return res;
  mps_ld_reset(&ld, arena);
  mps_ld_add(&ld, arena, table[0]);
  if (mps_ld_isstale(&ld, arena, table[0]) && !mps_ld_isstale_any(&ld, arena))
    return MPS_RES_FAIL;
  mps_telemetry_set(1 << 6);
  mps_telemetry_label(table, mps_telemetry_intern("table"));
  if (mps_lib_fputc('x', mps_lib_stdout) == mps_lib_EOF)
    return MPS_RES_IO;
  (void)mps_lib_memset(table, 0, sizeof table);
  (void)(mps_lib_memcpy)(table, table + 2, 2 * sizeof table[0]);
  if (mps_lib_memcmp(table, table + 2, sizeof table[0]) != 0)
    return MPS_RES_FAIL;
  return mps_arena_step(arena, 0.01, 1.0) ? MPS_RES_OK : MPS_RES_FAIL;
}

extern size_t sizes(mps_pool_t);
size_t sizes(mps_pool_t pool)
{
  return mps_mvff_free_size(pool) + mps_mvff_size(pool)
         + mps_mvt_free_size(pool) + mps_mvt_size(pool);
}


/* The macros can be removed, leaving the functions. */

#undef mps_reserve
#undef mps_commit

extern mps_res_t alloc_by_function(mps_addr_t *, mps_ap_t, size_t);
mps_res_t alloc_by_function(mps_addr_t *p_o, mps_ap_t ap, size_t size)
{
  mps_res_t res;
  do {
    res = mps_reserve(p_o, ap, size);
    if (res != MPS_RES_OK)
      return res;
  } while (!mps_commit(ap, *p_o, size));
  return MPS_RES_OK;
}

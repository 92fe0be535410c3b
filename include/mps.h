/* mps.h: Tarn's core public interface (source-compatible with MPS 1.118)
 *
 * Programs written against the Memory Pool System 1.118 compile against
 * this header unchanged.  The names, types, signatures, structure layouts
 * and macro categories here are fixed by that interface; everything that
 * begins with an underscore is Tarn's own machinery behind the public
 * macros and may change between Tarn releases.
 *
 * Must stay valid C90, C99 and C++, warning-free with -Wall -Wextra
 * -pedantic, so: no // comments, no long long, no variadic macros, no
 * inline functions, declarations only at the start of blocks.
 */

#ifndef mps_h
#define mps_h

#include <stddef.h>
#include <stdarg.h>
#include <limits.h>

#ifdef __cplusplus
extern "C" {
#endif


/* Transparent types */

/* A word is an unsigned integer as wide as a pointer.  Only 64-bit
 * Windows needs anything but unsigned long. */
#if defined(_WIN64) && defined(__GNUC__)
__extension__ typedef unsigned long long mps_word_t;
#elif defined(_WIN64)
typedef unsigned __int64 mps_word_t;
#else
typedef unsigned long mps_word_t;
#endif

typedef int mps_bool_t;                 /* truth value: results are 0 or 1 */
typedef int mps_res_t;                  /* result code, see below */
typedef void *mps_addr_t;               /* an address, or a reference */
typedef size_t mps_align_t;             /* a power of two */
typedef unsigned mps_rm_t;              /* root mode: OR of MPS_RM_* */
typedef unsigned mps_rank_t;            /* reference rank */
typedef unsigned mps_message_type_t;    /* message type */
typedef mps_word_t mps_clock_t;         /* processor time */
typedef mps_word_t mps_label_t;         /* telemetry label */
typedef void (*mps_fun_t)(void);        /* any function, for keywords */


/* Handle types: pointers to structures the client never looks inside,
 * except the four that are completed below. */

typedef struct mps_arena_s *mps_arena_t;
typedef struct mps_arena_class_s *mps_arena_class_t;
typedef struct mps_pool_s *mps_pool_t;
typedef struct mps_pool_class_s *mps_pool_class_t;
typedef mps_pool_class_t mps_class_t;   /* deprecated name */
typedef struct mps_chain_s *mps_chain_t;
typedef struct mps_fmt_s *mps_fmt_t;
typedef struct mps_root_s *mps_root_t;
typedef struct mps_thr_s *mps_thr_t;
typedef struct mps_ap_s *mps_ap_t;
typedef struct mps_ld_s *mps_ld_t;
typedef struct mps_ss_s *mps_ss_t;
typedef struct mps_message_s *mps_message_t;
typedef struct mps_alloc_pattern_s *mps_alloc_pattern_t;
typedef struct mps_frame_s *mps_frame_t;
typedef const struct mps_key_s *mps_key_t;
typedef struct _mps_sac_s *mps_sac_t;
typedef struct mps_transform_s *mps_transform_t;
typedef struct mps_scan_tag_s *mps_scan_tag_t;


/* Result codes.  MPS_RES_OK is the only success. */

enum {
  MPS_RES_OK = 0,
  MPS_RES_FAIL,                 /* failed, no more specific reason */
  MPS_RES_RESOURCE,             /* out of a resource, e.g. address space */
  MPS_RES_MEMORY,               /* out of memory */
  MPS_RES_LIMIT,                /* an internal limit was reached */
  MPS_RES_UNIMPL,               /* not implemented for this case */
  MPS_RES_IO,                   /* telemetry I/O failed */
  MPS_RES_COMMIT_LIMIT,         /* the arena's commit limit was reached */
  MPS_RES_PARAM                 /* an argument was invalid */
};


/* Function-pointer types */

typedef mps_res_t (*mps_root_scan_t)(mps_ss_t, void *, size_t);
typedef mps_res_t (*mps_area_scan_t)(mps_ss_t, void *, void *, void *);
typedef mps_res_t (*mps_fmt_scan_t)(mps_ss_t, mps_addr_t, mps_addr_t);
typedef mps_res_t (*mps_reg_scan_t)(mps_ss_t, mps_thr_t, void *, size_t);
typedef mps_addr_t (*mps_fmt_skip_t)(mps_addr_t);
typedef void (*mps_fmt_copy_t)(mps_addr_t, mps_addr_t);   /* obsolete */
typedef void (*mps_fmt_fwd_t)(mps_addr_t, mps_addr_t);
typedef mps_addr_t (*mps_fmt_isfwd_t)(mps_addr_t);
typedef void (*mps_fmt_pad_t)(mps_addr_t, size_t);
typedef mps_addr_t (*mps_fmt_class_t)(mps_addr_t);
typedef void (*mps_arena_extended_t)(mps_arena_t, void *, size_t);
typedef void (*mps_arena_contracted_t)(mps_arena_t, void *, size_t);
typedef void (*mps_formatted_objects_stepper_t)(mps_addr_t, mps_fmt_t,
                                                mps_pool_t, void *, size_t);
typedef void (*mps_roots_stepper_t)(mps_addr_t *, mps_root_t,
                                    void *, size_t);


/* Utility */

#define MPS_BEGIN do {
#define MPS_END } while(0)


/* Keyword arguments
 *
 * Each key MPS_KEY_X is the address of a constant object defined by the
 * library, and MPS_KEY_X_FIELD names the member of mps_arg_s.val that
 * carries its value.  Keys of particular classes are in their headers.
 */

typedef struct mps_arg_s {
  mps_key_t key;
  union {
    mps_bool_t b;
    char c;
    const char *string;
    int i;
    unsigned u;
    long l;
    unsigned long ul;
    float f;
    double d;
    size_t size;
    mps_fun_t fun;
    mps_addr_t addr;
    mps_fmt_t format;
    mps_chain_t chain;
    struct mps_pool_debug_option_s *pool_debug_options;
    mps_addr_t (*addr_method)(mps_addr_t);
    mps_align_t align;
    mps_word_t count;
    void *p;
    mps_rank_t rank;
    mps_fmt_scan_t fmt_scan;
    mps_fmt_skip_t fmt_skip;
    mps_fmt_fwd_t fmt_fwd;
    mps_fmt_isfwd_t fmt_isfwd;
    mps_fmt_pad_t fmt_pad;
    mps_fmt_class_t fmt_class;
    mps_pool_t pool;
  } val;
} mps_arg_s;

extern mps_arg_s mps_args_none[];       /* just the terminator */

extern const struct mps_key_s _mps_key_ARGS_END;
#define MPS_KEY_ARGS_END (&_mps_key_ARGS_END)

extern const struct mps_key_s _mps_key_ARENA_GRAIN_SIZE;
#define MPS_KEY_ARENA_GRAIN_SIZE (&_mps_key_ARENA_GRAIN_SIZE)
#define MPS_KEY_ARENA_GRAIN_SIZE_FIELD size
extern const struct mps_key_s _mps_key_ARENA_SIZE;
#define MPS_KEY_ARENA_SIZE (&_mps_key_ARENA_SIZE)
#define MPS_KEY_ARENA_SIZE_FIELD size
extern const struct mps_key_s _mps_key_ARENA_ZONED;
#define MPS_KEY_ARENA_ZONED (&_mps_key_ARENA_ZONED)
#define MPS_KEY_ARENA_ZONED_FIELD b
extern const struct mps_key_s _mps_key_ARENA_EXTENDED;
#define MPS_KEY_ARENA_EXTENDED (&_mps_key_ARENA_EXTENDED)
#define MPS_KEY_ARENA_EXTENDED_FIELD fun
extern const struct mps_key_s _mps_key_ARENA_CONTRACTED;
#define MPS_KEY_ARENA_CONTRACTED (&_mps_key_ARENA_CONTRACTED)
#define MPS_KEY_ARENA_CONTRACTED_FIELD fun
extern const struct mps_key_s _mps_key_FORMAT;
#define MPS_KEY_FORMAT (&_mps_key_FORMAT)
#define MPS_KEY_FORMAT_FIELD format
extern const struct mps_key_s _mps_key_CHAIN;
#define MPS_KEY_CHAIN (&_mps_key_CHAIN)
#define MPS_KEY_CHAIN_FIELD chain
extern const struct mps_key_s _mps_key_GEN;
#define MPS_KEY_GEN (&_mps_key_GEN)
#define MPS_KEY_GEN_FIELD u
extern const struct mps_key_s _mps_key_RANK;
#define MPS_KEY_RANK (&_mps_key_RANK)
#define MPS_KEY_RANK_FIELD rank
extern const struct mps_key_s _mps_key_COMMIT_LIMIT;
#define MPS_KEY_COMMIT_LIMIT (&_mps_key_COMMIT_LIMIT)
#define MPS_KEY_COMMIT_LIMIT_FIELD size
extern const struct mps_key_s _mps_key_SPARE_COMMIT_LIMIT;
#define MPS_KEY_SPARE_COMMIT_LIMIT (&_mps_key_SPARE_COMMIT_LIMIT)
#define MPS_KEY_SPARE_COMMIT_LIMIT_FIELD size
extern const struct mps_key_s _mps_key_PAUSE_TIME;
#define MPS_KEY_PAUSE_TIME (&_mps_key_PAUSE_TIME)
#define MPS_KEY_PAUSE_TIME_FIELD d
extern const struct mps_key_s _mps_key_EXTEND_BY;
#define MPS_KEY_EXTEND_BY (&_mps_key_EXTEND_BY)
#define MPS_KEY_EXTEND_BY_FIELD size
extern const struct mps_key_s _mps_key_LARGE_SIZE;
#define MPS_KEY_LARGE_SIZE (&_mps_key_LARGE_SIZE)
#define MPS_KEY_LARGE_SIZE_FIELD size
extern const struct mps_key_s _mps_key_MIN_SIZE;
#define MPS_KEY_MIN_SIZE (&_mps_key_MIN_SIZE)
#define MPS_KEY_MIN_SIZE_FIELD size
extern const struct mps_key_s _mps_key_MEAN_SIZE;
#define MPS_KEY_MEAN_SIZE (&_mps_key_MEAN_SIZE)
#define MPS_KEY_MEAN_SIZE_FIELD size
extern const struct mps_key_s _mps_key_MAX_SIZE;
#define MPS_KEY_MAX_SIZE (&_mps_key_MAX_SIZE)
#define MPS_KEY_MAX_SIZE_FIELD size
extern const struct mps_key_s _mps_key_ALIGN;
#define MPS_KEY_ALIGN (&_mps_key_ALIGN)
#define MPS_KEY_ALIGN_FIELD align
extern const struct mps_key_s _mps_key_SPARE;
#define MPS_KEY_SPARE (&_mps_key_SPARE)
#define MPS_KEY_SPARE_FIELD d
extern const struct mps_key_s _mps_key_INTERIOR;
#define MPS_KEY_INTERIOR (&_mps_key_INTERIOR)
#define MPS_KEY_INTERIOR_FIELD b
extern const struct mps_key_s _mps_key_VMW3_TOP_DOWN;
#define MPS_KEY_VMW3_TOP_DOWN (&_mps_key_VMW3_TOP_DOWN)
#define MPS_KEY_VMW3_TOP_DOWN_FIELD b
extern const struct mps_key_s _mps_key_FMT_ALIGN;
#define MPS_KEY_FMT_ALIGN (&_mps_key_FMT_ALIGN)
#define MPS_KEY_FMT_ALIGN_FIELD align
extern const struct mps_key_s _mps_key_FMT_HEADER_SIZE;
#define MPS_KEY_FMT_HEADER_SIZE (&_mps_key_FMT_HEADER_SIZE)
#define MPS_KEY_FMT_HEADER_SIZE_FIELD size
extern const struct mps_key_s _mps_key_FMT_SCAN;
#define MPS_KEY_FMT_SCAN (&_mps_key_FMT_SCAN)
#define MPS_KEY_FMT_SCAN_FIELD fmt_scan
extern const struct mps_key_s _mps_key_FMT_SKIP;
#define MPS_KEY_FMT_SKIP (&_mps_key_FMT_SKIP)
#define MPS_KEY_FMT_SKIP_FIELD fmt_skip
extern const struct mps_key_s _mps_key_FMT_FWD;
#define MPS_KEY_FMT_FWD (&_mps_key_FMT_FWD)
#define MPS_KEY_FMT_FWD_FIELD fmt_fwd
extern const struct mps_key_s _mps_key_FMT_ISFWD;
#define MPS_KEY_FMT_ISFWD (&_mps_key_FMT_ISFWD)
#define MPS_KEY_FMT_ISFWD_FIELD fmt_isfwd
extern const struct mps_key_s _mps_key_FMT_PAD;
#define MPS_KEY_FMT_PAD (&_mps_key_FMT_PAD)
#define MPS_KEY_FMT_PAD_FIELD fmt_pad
extern const struct mps_key_s _mps_key_FMT_CLASS;
#define MPS_KEY_FMT_CLASS (&_mps_key_FMT_CLASS)
#define MPS_KEY_FMT_CLASS_FIELD fmt_class
extern const struct mps_key_s _mps_key_AP_HASH_ARRAYS;
#define MPS_KEY_AP_HASH_ARRAYS (&_mps_key_AP_HASH_ARRAYS)
#define MPS_KEY_AP_HASH_ARRAYS_FIELD b
extern const struct mps_key_s _mps_key_POOL_DEBUG_OPTIONS;
#define MPS_KEY_POOL_DEBUG_OPTIONS (&_mps_key_POOL_DEBUG_OPTIONS)
#define MPS_KEY_POOL_DEBUG_OPTIONS_FIELD pool_debug_options

/* Building a list on the stack:
 *
 *   MPS_ARGS_BEGIN(args) {
 *     MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, size);
 *     res = mps_arena_create_k(&arena, mps_arena_class_vm(), args);
 *   } MPS_ARGS_END(args);
 *
 * MPS_ARGS_BEGIN opens two blocks and declares the array (always kept
 * terminated) and its fill counter _mps_i_<name>.  Adding beyond the
 * capacity calls _mps_args_full(), which reports the client error, and
 * leaves the list as it was.  MPS_ARGS_DONE makes every later add fail
 * that way.
 */

#define MPS_ARGS_MAX 32

extern void _mps_args_full(void);

#define MPS_ARGS_BEGIN(args_) \
  MPS_BEGIN \
    mps_arg_s args_[MPS_ARGS_MAX]; \
    int _mps_i_##args_ = 0; \
    args_[0].key = MPS_KEY_ARGS_END; \
    (void)args_; \
    (void)_mps_i_##args_; \
    MPS_BEGIN

#define MPS_ARGS_ADD_FIELD(args_, key_, field_, value_) \
  MPS_BEGIN \
    if (_mps_i_##args_ >= MPS_ARGS_MAX - 1) { \
      _mps_args_full(); \
    } else { \
      args_[_mps_i_##args_].key = (key_); \
      args_[_mps_i_##args_].val.field_ = (value_); \
      ++_mps_i_##args_; \
      args_[_mps_i_##args_].key = MPS_KEY_ARGS_END; \
    } \
  MPS_END

#define MPS_ARGS_ADD(args_, key_, value_) \
  MPS_ARGS_ADD_FIELD(args_, key_, key_##_FIELD, value_)

#define MPS_ARGS_DONE(args_) \
  MPS_BEGIN \
    if (_mps_i_##args_ < MPS_ARGS_MAX) \
      args_[_mps_i_##args_].key = MPS_KEY_ARGS_END; \
    _mps_i_##args_ = MPS_ARGS_MAX; \
  MPS_END

#define MPS_ARGS_END(args_) \
  MPS_END; \
  MPS_END


/* Public structures */

typedef struct mps_scan_tag_s {
  mps_word_t mask;
  mps_word_t pattern;
} mps_scan_tag_s;

typedef struct mps_gen_param_s {
  size_t mps_capacity;          /* kilobytes */
  double mps_mortality;         /* initial guess, 0..1 */
} mps_gen_param_s;

typedef struct mps_pool_debug_option_s {
  const void *fence_template;
  size_t fence_size;
  const void *free_template;
  size_t free_size;
} mps_pool_debug_option_s;

/* Location dependency.  Clients embed it by value; members private. */
typedef struct mps_ld_s {
  mps_word_t _epoch, _rs;
} mps_ld_s;

/* Deprecated format descriptions, for mps_fmt_create_A etc. */
typedef struct mps_fmt_A_s {
  mps_align_t align;
  mps_fmt_scan_t scan;
  mps_fmt_skip_t skip;
  mps_fmt_copy_t copy;
  mps_fmt_fwd_t fwd;
  mps_fmt_isfwd_t isfwd;
  mps_fmt_pad_t pad;
} mps_fmt_A_s;
typedef struct mps_fmt_A_s *mps_fmt_A_t;

typedef struct mps_fmt_B_s {
  mps_align_t align;
  mps_fmt_scan_t scan;
  mps_fmt_skip_t skip;
  mps_fmt_copy_t copy;
  mps_fmt_fwd_t fwd;
  mps_fmt_isfwd_t isfwd;
  mps_fmt_pad_t pad;
  mps_fmt_class_t mps_class;
} mps_fmt_B_s;
typedef struct mps_fmt_B_s *mps_fmt_B_t;

typedef struct mps_fmt_auto_header_s {
  mps_align_t align;
  mps_fmt_scan_t scan;
  mps_fmt_skip_t skip;
  mps_fmt_fwd_t fwd;
  mps_fmt_isfwd_t isfwd;
  mps_fmt_pad_t pad;
  size_t mps_headerSize;
} mps_fmt_auto_header_s;

typedef struct mps_fmt_fixed_s {
  mps_align_t align;
  mps_fmt_scan_t scan;
  mps_fmt_fwd_t fwd;
  mps_fmt_isfwd_t isfwd;
  mps_fmt_pad_t pad;
} mps_fmt_fixed_s;


/* Arenas (the classes are in mpsavm.h and mpsacl.h) */

extern mps_res_t mps_arena_create(mps_arena_t *, mps_arena_class_t, ...);
extern mps_res_t mps_arena_create_v(mps_arena_t *, mps_arena_class_t,
                                    va_list);
extern mps_res_t mps_arena_create_k(mps_arena_t *, mps_arena_class_t,
                                    mps_arg_s []);
extern void mps_arena_destroy(mps_arena_t);

extern void mps_arena_clamp(mps_arena_t);
extern void mps_arena_release(mps_arena_t);
extern void mps_arena_park(mps_arena_t);
extern void mps_arena_postmortem(mps_arena_t);
extern mps_res_t mps_arena_start_collect(mps_arena_t);
extern mps_res_t mps_arena_collect(mps_arena_t);
extern mps_bool_t mps_arena_step(mps_arena_t, double, double);

extern size_t mps_arena_reserved(mps_arena_t);
extern size_t mps_arena_committed(mps_arena_t);
extern size_t mps_arena_spare_committed(mps_arena_t);
extern size_t mps_arena_commit_limit(mps_arena_t);
extern mps_res_t mps_arena_commit_limit_set(mps_arena_t, size_t);
extern double mps_arena_spare(mps_arena_t);
extern void mps_arena_spare_set(mps_arena_t, double);
extern size_t mps_arena_spare_commit_limit(mps_arena_t);    /* deprecated */
extern void mps_arena_spare_commit_limit_set(mps_arena_t, size_t);
extern double mps_arena_pause_time(mps_arena_t);
extern void mps_arena_pause_time_set(mps_arena_t, double);

extern mps_bool_t mps_arena_busy(mps_arena_t);
extern mps_bool_t mps_arena_has_addr(mps_arena_t, mps_addr_t);
extern mps_bool_t mps_addr_pool(mps_pool_t *, mps_arena_t, mps_addr_t);
extern mps_bool_t mps_addr_fmt(mps_fmt_t *, mps_arena_t, mps_addr_t);
extern mps_res_t mps_addr_object(mps_addr_t *, mps_arena_t, mps_addr_t);
extern mps_res_t mps_arena_extend(mps_arena_t, mps_addr_t, size_t);
extern mps_word_t mps_collections(mps_arena_t);


/* Object formats */

extern mps_res_t mps_fmt_create_k(mps_fmt_t *, mps_arena_t, mps_arg_s []);
extern mps_res_t mps_fmt_create_A(mps_fmt_t *, mps_arena_t, mps_fmt_A_s *);
extern mps_res_t mps_fmt_create_B(mps_fmt_t *, mps_arena_t, mps_fmt_B_s *);
extern mps_res_t mps_fmt_create_auto_header(mps_fmt_t *, mps_arena_t,
                                            mps_fmt_auto_header_s *);
extern mps_res_t mps_fmt_create_fixed(mps_fmt_t *, mps_arena_t,
                                      mps_fmt_fixed_s *);
extern void mps_fmt_destroy(mps_fmt_t);


/* Pools (the classes are in the mpsc*.h headers) */

extern mps_res_t mps_pool_create(mps_pool_t *, mps_arena_t,
                                 mps_pool_class_t, ...);
extern mps_res_t mps_pool_create_v(mps_pool_t *, mps_arena_t,
                                   mps_pool_class_t, va_list);
extern mps_res_t mps_pool_create_k(mps_pool_t *, mps_arena_t,
                                   mps_pool_class_t, mps_arg_s []);
extern void mps_pool_destroy(mps_pool_t);
extern size_t mps_pool_total_size(mps_pool_t);
extern size_t mps_pool_free_size(mps_pool_t);
extern mps_res_t mps_pool_walk(mps_pool_t, mps_area_scan_t, void *);

extern mps_res_t mps_alloc(mps_addr_t *, mps_pool_t, size_t);
extern void mps_free(mps_pool_t, mps_addr_t, size_t);


/* Generation chains */

extern mps_res_t mps_chain_create(mps_chain_t *, mps_arena_t, size_t,
                                  mps_gen_param_s *);
extern void mps_chain_destroy(mps_chain_t);


/* Allocation points
 *
 * The three fields are public: init <= alloc <= limit, except that the
 * library traps an AP by setting limit to 0.  The macros below are the
 * inline fast paths; mps_ap_fill and mps_ap_trip are the slow paths.
 */

typedef struct mps_ap_s {
  mps_addr_t init;              /* end of committed memory */
  mps_addr_t alloc;             /* end of reserved memory */
  mps_addr_t limit;             /* end of the buffer; 0 when trapped */
} mps_ap_s;

extern mps_res_t mps_ap_create(mps_ap_t *, mps_pool_t, ...);
extern mps_res_t mps_ap_create_v(mps_ap_t *, mps_pool_t, va_list);
extern mps_res_t mps_ap_create_k(mps_ap_t *, mps_pool_t, mps_arg_s []);
extern void mps_ap_destroy(mps_ap_t);

extern mps_res_t (mps_reserve)(mps_addr_t *, mps_ap_t, size_t);
extern mps_bool_t (mps_commit)(mps_ap_t, mps_addr_t, size_t);
extern mps_res_t mps_ap_fill(mps_addr_t *, mps_ap_t, size_t);
extern mps_bool_t mps_ap_trip(mps_ap_t, mps_addr_t, size_t);

/* mps_reserve: an expression of type mps_res_t.  The bounds test is done
 * on integers so that it is well defined when alloc + size would wrap;
 * a wrap, a zero size, a trapped AP (limit 0) and an exhausted buffer
 * all go to mps_ap_fill.  Arguments may be evaluated more than once. */
#define mps_reserve(p_o_, ap_, size_) \
  ((mps_word_t)(ap_)->alloc + (mps_word_t)(size_) \
       > (mps_word_t)(ap_)->alloc \
   && (mps_word_t)(ap_)->alloc + (mps_word_t)(size_) \
       <= (mps_word_t)(ap_)->limit \
   ? ((ap_)->alloc = (mps_addr_t)((char *)(ap_)->alloc + (size_)), \
      *(p_o_) = (ap_)->init, \
      (mps_res_t)MPS_RES_OK) \
   : mps_ap_fill(p_o_, ap_, size_))

/* mps_commit: an expression of type mps_bool_t (0 or 1).  Publishes the
 * block by moving init up to alloc, then succeeds at once unless the AP
 * is trapped, in which case mps_ap_trip decides.  Both accesses are
 * volatile so that the compiler cannot load limit before it has stored
 * init: a flip between the two must either see the block committed or
 * leave limit 0 for this commit to find. */
#define mps_commit(ap_, p_, size_) \
  (((volatile mps_ap_s *)(ap_))->init = (ap_)->alloc, \
   ((volatile mps_ap_s *)(ap_))->limit != NULL \
   || mps_ap_trip(ap_, p_, size_))

/* MPS_RESERVE_BLOCK: statement form of mps_reserve.  res_v_ and p_v_ are
 * lvalues (p_v_ of type mps_addr_t); ap_ and size_ are evaluated once. */
#define MPS_RESERVE_BLOCK(res_v_, p_v_, ap_, size_) \
  MPS_BEGIN \
    mps_ap_t _mps_rb_ap = (ap_); \
    size_t _mps_rb_size = (size_); \
    mps_word_t _mps_rb_next = (mps_word_t)_mps_rb_ap->alloc \
                              + (mps_word_t)_mps_rb_size; \
    if (_mps_rb_next > (mps_word_t)_mps_rb_ap->alloc \
        && _mps_rb_next <= (mps_word_t)_mps_rb_ap->limit) { \
      _mps_rb_ap->alloc = \
        (mps_addr_t)((char *)_mps_rb_ap->alloc + _mps_rb_size); \
      (p_v_) = _mps_rb_ap->init; \
      (res_v_) = MPS_RES_OK; \
    } else { \
      (res_v_) = mps_ap_fill(&(p_v_), _mps_rb_ap, _mps_rb_size); \
    } \
  MPS_END

/* Allocation frames */
extern mps_res_t (mps_ap_frame_push)(mps_frame_t *, mps_ap_t);
extern mps_res_t (mps_ap_frame_pop)(mps_ap_t, mps_frame_t);

/* Allocation patterns */
extern mps_alloc_pattern_t mps_alloc_pattern_ramp(void);
extern mps_alloc_pattern_t mps_alloc_pattern_ramp_collect_all(void);
extern mps_res_t mps_ap_alloc_pattern_begin(mps_ap_t, mps_alloc_pattern_t);
extern mps_res_t mps_ap_alloc_pattern_end(mps_ap_t, mps_alloc_pattern_t);
extern mps_res_t mps_ap_alloc_pattern_reset(mps_ap_t);


/* Segregated allocation caches
 *
 * The cache structure is complete only so that the fast macros can work
 * inline; its members are private.  What the macros assume, and what
 * the library's mps_sac_* functions must maintain:
 *
 *   - _freelists[0 .. n-1] are the n size classes in increasing order of
 *     _size, the largest block size of the class; the last one,
 *     _freelists[n-1], is the overlarge class, with _size (size_t)-1
 *     and _count_max 0, so every class search stops by it;
 *   - a request of s bytes belongs to the first class i with
 *     s <= _freelists[i]._size, and every block on list i is big enough
 *     for any request of class i;
 *   - _blocks heads a list of _count cached free blocks, linked through
 *     each block's first word; at most _count_max are kept;
 *   - when _trapped is non-zero the macros touch nothing and always call
 *     mps_sac_fill / mps_sac_empty;
 *   - _middle is not used by the macros (Tarn sets it to 0).
 */

#define MPS_SAC_CLASS_LIMIT ((size_t)8)

typedef struct _mps_sac_freelist_block_s {
  size_t _size;
  size_t _count;
  size_t _count_max;
  mps_addr_t _blocks;
} _mps_sac_freelist_block_s;

typedef struct _mps_sac_s {
  size_t _middle;
  mps_bool_t _trapped;
  _mps_sac_freelist_block_s _freelists[2 * MPS_SAC_CLASS_LIMIT];
} _mps_sac_s;

typedef struct mps_sac_class_s {
  size_t mps_block_size;
  size_t mps_cached_count;
  unsigned mps_frequency;
} mps_sac_class_s;

#define mps_sac_classes_s mps_sac_class_s       /* old name */

extern mps_res_t mps_sac_create(mps_sac_t *, mps_pool_t, size_t,
                                mps_sac_class_s *);
extern void mps_sac_destroy(mps_sac_t);
extern mps_res_t mps_sac_alloc(mps_addr_t *, mps_sac_t, size_t, mps_bool_t);
extern void mps_sac_free(mps_sac_t, mps_addr_t, size_t);
extern void mps_sac_flush(mps_sac_t);
extern mps_res_t mps_sac_fill(mps_addr_t *, mps_sac_t, size_t, mps_bool_t);
extern void mps_sac_empty(mps_sac_t, mps_addr_t, size_t);

/* MPS_SAC_ALLOC_FAST: statement; res_v_ and p_v_ are lvalues (p_v_ of
 * type mps_addr_t); sac_, size_ and unused_ are evaluated once. */
#define MPS_SAC_ALLOC_FAST(res_v_, p_v_, sac_, size_, unused_) \
  MPS_BEGIN \
    mps_sac_t _mps_sa_sac = (sac_); \
    size_t _mps_sa_size = (size_); \
    _mps_sac_freelist_block_s *_mps_sa_fl = _mps_sa_sac->_freelists; \
    if (!_mps_sa_sac->_trapped) { \
      while (_mps_sa_size > _mps_sa_fl->_size) \
        ++_mps_sa_fl; \
    } \
    if (!_mps_sa_sac->_trapped && _mps_sa_fl->_count > 0) { \
      mps_addr_t _mps_sa_blk = _mps_sa_fl->_blocks; \
      _mps_sa_fl->_blocks = *(mps_addr_t *)_mps_sa_blk; \
      --_mps_sa_fl->_count; \
      (p_v_) = _mps_sa_blk; \
      (res_v_) = MPS_RES_OK; \
    } else { \
      (res_v_) = mps_sac_fill(&(p_v_), _mps_sa_sac, _mps_sa_size, \
                              (unused_)); \
    } \
  MPS_END

/* MPS_SAC_FREE_FAST: statement; each argument is evaluated once. */
#define MPS_SAC_FREE_FAST(sac_, p_, size_) \
  MPS_BEGIN \
    mps_sac_t _mps_sf_sac = (sac_); \
    mps_addr_t _mps_sf_p = (p_); \
    size_t _mps_sf_size = (size_); \
    _mps_sac_freelist_block_s *_mps_sf_fl = _mps_sf_sac->_freelists; \
    if (!_mps_sf_sac->_trapped) { \
      while (_mps_sf_size > _mps_sf_fl->_size) \
        ++_mps_sf_fl; \
    } \
    if (!_mps_sf_sac->_trapped \
        && _mps_sf_fl->_count < _mps_sf_fl->_count_max) { \
      *(mps_addr_t *)_mps_sf_p = _mps_sf_fl->_blocks; \
      _mps_sf_fl->_blocks = _mps_sf_p; \
      ++_mps_sf_fl->_count; \
    } else { \
      mps_sac_empty(_mps_sf_sac, _mps_sf_p, _mps_sf_size); \
    } \
  MPS_END

/* Old names */
#define MPS_SAC_ALLOC(res_v_, p_v_, sac_, size_, unused_) \
  MPS_SAC_ALLOC_FAST(res_v_, p_v_, sac_, size_, unused_)
#define MPS_SAC_FREE(sac_, p_, size_) MPS_SAC_FREE_FAST(sac_, p_, size_)


/* Roots */

extern mps_rank_t mps_rank_ambig(void);
extern mps_rank_t mps_rank_exact(void);
extern mps_rank_t mps_rank_weak(void);

#define MPS_RM_CONST ((mps_rm_t)1<<0)           /* deprecated */
#define MPS_RM_PROT ((mps_rm_t)1<<1)
#define MPS_RM_PROT_INNER ((mps_rm_t)1<<1)      /* same bit, as in 1.118 */

extern mps_res_t mps_root_create(mps_root_t *, mps_arena_t, mps_rank_t,
                                 mps_rm_t, mps_root_scan_t, void *, size_t);
extern mps_res_t mps_root_create_table(mps_root_t *, mps_arena_t,
                                       mps_rank_t, mps_rm_t,
                                       mps_addr_t *, size_t);
extern mps_res_t mps_root_create_table_masked(mps_root_t *, mps_arena_t,
                                              mps_rank_t, mps_rm_t,
                                              mps_addr_t *, size_t,
                                              mps_word_t);
extern mps_res_t mps_root_create_area(mps_root_t *, mps_arena_t,
                                      mps_rank_t, mps_rm_t,
                                      void *, void *,
                                      mps_area_scan_t, void *);
extern mps_res_t mps_root_create_area_tagged(mps_root_t *, mps_arena_t,
                                             mps_rank_t, mps_rm_t,
                                             void *, void *,
                                             mps_area_scan_t,
                                             mps_word_t, mps_word_t);
extern mps_res_t mps_root_create_fmt(mps_root_t *, mps_arena_t,
                                     mps_rank_t, mps_rm_t,
                                     mps_fmt_scan_t, mps_addr_t,
                                     mps_addr_t);
extern mps_res_t mps_root_create_reg(mps_root_t *, mps_arena_t,
                                     mps_rank_t, mps_rm_t, mps_thr_t,
                                     mps_reg_scan_t, void *, size_t);
extern mps_res_t mps_root_create_thread(mps_root_t *, mps_arena_t,
                                        mps_thr_t, void *);
extern mps_res_t mps_root_create_thread_scanned(mps_root_t *, mps_arena_t,
                                                mps_rank_t, mps_rm_t,
                                                mps_thr_t, mps_area_scan_t,
                                                void *, void *);
extern mps_res_t mps_root_create_thread_tagged(mps_root_t *, mps_arena_t,
                                               mps_rank_t, mps_rm_t,
                                               mps_thr_t, mps_area_scan_t,
                                               mps_word_t, mps_word_t,
                                               void *);
extern void mps_root_destroy(mps_root_t);

/* Only for passing to mps_root_create_reg (deprecated). */
extern mps_res_t mps_stack_scan_ambig(mps_ss_t, mps_thr_t, void *, size_t);


/* Threads */

extern mps_res_t mps_thread_reg(mps_thr_t *, mps_arena_t);
extern void mps_thread_dereg(mps_thr_t);


/* Location dependency */

extern void mps_ld_reset(mps_ld_t, mps_arena_t);
extern void mps_ld_add(mps_ld_t, mps_arena_t, mps_addr_t);
extern void mps_ld_merge(mps_ld_t, mps_arena_t, mps_ld_t);
extern mps_bool_t mps_ld_isstale(mps_ld_t, mps_arena_t, mps_addr_t);
extern mps_bool_t mps_ld_isstale_any(mps_ld_t, mps_arena_t);


/* Messages.  The three types are constants, not functions. */

#define mps_message_type_finalization() ((mps_message_type_t)0)
#define mps_message_type_gc() ((mps_message_type_t)1)
#define mps_message_type_gc_start() ((mps_message_type_t)2)

extern void mps_message_type_enable(mps_arena_t, mps_message_type_t);
extern void mps_message_type_disable(mps_arena_t, mps_message_type_t);
extern mps_bool_t mps_message_poll(mps_arena_t);
extern mps_bool_t mps_message_queue_type(mps_message_type_t *, mps_arena_t);
extern mps_bool_t mps_message_get(mps_message_t *, mps_arena_t,
                                  mps_message_type_t);
extern void mps_message_discard(mps_arena_t, mps_message_t);
extern mps_message_type_t mps_message_type(mps_arena_t, mps_message_t);
extern mps_clock_t mps_message_clock(mps_arena_t, mps_message_t);
extern void mps_message_finalization_ref(mps_addr_t *, mps_arena_t,
                                         mps_message_t);
extern size_t mps_message_gc_live_size(mps_arena_t, mps_message_t);
extern size_t mps_message_gc_condemned_size(mps_arena_t, mps_message_t);
extern size_t mps_message_gc_not_condemned_size(mps_arena_t,
                                                mps_message_t);
extern const char *mps_message_gc_start_why(mps_arena_t, mps_message_t);


/* Finalization */

extern mps_res_t mps_finalize(mps_arena_t, mps_addr_t *);
extern mps_res_t mps_definalize(mps_arena_t, mps_addr_t *);


/* Telemetry */

extern void mps_telemetry_set(mps_word_t);
extern void mps_telemetry_reset(mps_word_t);
extern mps_word_t mps_telemetry_get(void);
extern mps_label_t mps_telemetry_intern(const char *);
extern void mps_telemetry_label(mps_addr_t, mps_label_t);
extern void mps_telemetry_flush(void);


/* Heap walking (deprecated forms; mps_pool_walk is above) */

extern void mps_arena_formatted_objects_walk(mps_arena_t,
                                             mps_formatted_objects_stepper_t,
                                             void *, size_t);
extern void mps_arena_roots_walk(mps_arena_t, mps_roots_stepper_t,
                                 void *, size_t);


/* Debugging pools */

extern void mps_pool_check_fenceposts(mps_pool_t);
extern void mps_pool_check_free_space(mps_pool_t);


/* Transforms */

extern mps_res_t mps_transform_create(mps_transform_t *, mps_arena_t);
extern mps_res_t mps_transform_add_oldnew(mps_transform_t, mps_addr_t *,
                                          mps_addr_t *, size_t);
extern mps_res_t mps_transform_apply(mps_bool_t *, mps_transform_t);
extern void mps_transform_destroy(mps_transform_t);


/* Scanning
 *
 * The scan state's members are private.  The library sets _zs (zone
 * shift) and _w (white zone set: bit z set if zone z may hold condemned
 * objects; Tarn keeps collected memory out of zone 0 while it can, so
 * FIX1 is false for NULL, and FIX2 ignores NULL anyway; bit 0 of _ufs
 * means something else, below) and _ufs = 0 before calling a
 * scanner, and reads _ufs afterwards:
 *
 *   - MPS_SCAN_BEGIN caches the state in locals and starts the local
 *     summary _mps_ufs at 1 (bit 0: "the end of the block was reached");
 *   - MPS_FIX1 ORs the zone bit of every word it tests into _mps_ufs;
 *   - MPS_SCAN_END ORs _mps_ufs into _ufs, so a scan that got there
 *     leaves bit 0 set and _ufs a superset of the zones it saw;
 *   - a scan that returned early leaves bit 0 of _ufs clear, and the
 *     library must then assume the summary is universal;
 *   - MPS_FIX_CALL stores the summary so far in _ufs with bit 0 clear,
 *     makes the call, and takes back _ufs if the callee reached its
 *     MPS_SCAN_END (bit 0 set) or the universal summary if not; it then
 *     clears bit 0 of _ufs again so that an early return of the caller
 *     is still seen as one.
 *
 * MPS_FIX2 is a call of _mps_fix2, which the library defines.
 */

typedef struct mps_ss_s {
  mps_word_t _zs, _w, _ufs;
} mps_ss_s;

extern mps_res_t _mps_fix2(mps_ss_t, mps_addr_t *);

#define MPS_SCAN_BEGIN(ss_) \
  MPS_BEGIN \
    mps_ss_t _mps_ss = (ss_); \
    mps_word_t _mps_zs = _mps_ss->_zs; \
    mps_word_t _mps_w = _mps_ss->_w; \
    mps_word_t _mps_ufs = 1; \
    mps_word_t _mps_wt = 0; \
    (void)_mps_zs; (void)_mps_w; (void)_mps_wt; \
    MPS_BEGIN

#define MPS_SCAN_END(ss_) \
    MPS_END; \
    _mps_ss->_ufs |= _mps_ufs; \
  MPS_END

/* Expression, true if ref_ may point to a condemned object.  ref_ is
 * evaluated once; ss_ is not used. */
#define MPS_FIX1(ss_, ref_) \
  (_mps_wt = (mps_word_t)1 << (((mps_word_t)(ref_) >> _mps_zs) \
                               & (sizeof(mps_word_t) * CHAR_BIT - 1)), \
   _mps_ufs |= _mps_wt, \
   (_mps_w & _mps_wt) != 0)

#define MPS_FIX2(ss_, ref_io_) _mps_fix2(ss_, ref_io_)

#define MPS_FIX12(ss_, ref_io_) \
  (MPS_FIX1(ss_, *(ref_io_)) ? MPS_FIX2(ss_, ref_io_) \
                             : (mps_res_t)MPS_RES_OK)

#define MPS_FIX(ss_, ref_io_) MPS_FIX12(ss_, ref_io_)      /* deprecated */

/* Statement: call_ is an expression (often "res = f(ss, ...)") calling a
 * function that does its own MPS_SCAN_BEGIN/END on the same scan state.
 * ss_ is not used. */
#define MPS_FIX_CALL(ss_, call_) \
  MPS_BEGIN \
    _mps_ss->_ufs = (_mps_ss->_ufs | _mps_ufs) & ~(mps_word_t)1; \
    (call_); \
    if ((_mps_ss->_ufs & 1) == 0) \
      _mps_ufs = ~(mps_word_t)0; \
    else \
      _mps_ufs = _mps_ss->_ufs; \
    _mps_ss->_ufs &= ~(mps_word_t)1; \
  MPS_END

/* Area scanners, usable as mps_area_scan_t */
extern mps_res_t mps_scan_area(mps_ss_t, void *, void *, void *);
extern mps_res_t mps_scan_area_masked(mps_ss_t, void *, void *, void *);
extern mps_res_t mps_scan_area_tagged(mps_ss_t, void *, void *, void *);
extern mps_res_t mps_scan_area_tagged_or_zero(mps_ss_t, void *, void *,
                                              void *);


#ifdef __cplusplus
}
#endif

#endif /* mps_h */

/* mpscmvt.h: Tarn MVT pool class (MPS 1.118 compatible) */

#ifndef mpscmvt_h
#define mpscmvt_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Manual Variable Temporal: manual pool allocated through APs. */
extern mps_pool_class_t mps_class_mvt(void);

/* How many mean-sized blocks of free space to keep for reuse. */
extern const struct mps_key_s _mps_key_MVT_RESERVE_DEPTH;
#define MPS_KEY_MVT_RESERVE_DEPTH (&_mps_key_MVT_RESERVE_DEPTH)
#define MPS_KEY_MVT_RESERVE_DEPTH_FIELD count

/* Fragmentation limit, a double in [0, 1]. */
extern const struct mps_key_s _mps_key_MVT_FRAG_LIMIT;
#define MPS_KEY_MVT_FRAG_LIMIT (&_mps_key_MVT_FRAG_LIMIT)
#define MPS_KEY_MVT_FRAG_LIMIT_FIELD d

/* Deprecated names of the generic size queries. */
#define mps_mvt_free_size mps_pool_free_size
#define mps_mvt_size mps_pool_total_size

#ifdef __cplusplus
}
#endif

#endif /* mpscmvt_h */

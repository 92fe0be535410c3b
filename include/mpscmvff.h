/* mpscmvff.h: Tarn MVFF pool classes (MPS 1.118 compatible) */

#ifndef mpscmvff_h
#define mpscmvff_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Manual Variable First Fit: general manual pool. */
extern mps_pool_class_t mps_class_mvff(void);

/* The same, with fenceposts and free-space checking. */
extern mps_pool_class_t mps_class_mvff_debug(void);

/* Placement hints. */
extern const struct mps_key_s _mps_key_MVFF_SLOT_HIGH;
#define MPS_KEY_MVFF_SLOT_HIGH (&_mps_key_MVFF_SLOT_HIGH)
#define MPS_KEY_MVFF_SLOT_HIGH_FIELD b
extern const struct mps_key_s _mps_key_MVFF_ARENA_HIGH;
#define MPS_KEY_MVFF_ARENA_HIGH (&_mps_key_MVFF_ARENA_HIGH)
#define MPS_KEY_MVFF_ARENA_HIGH_FIELD b
extern const struct mps_key_s _mps_key_MVFF_FIRST_FIT;
#define MPS_KEY_MVFF_FIRST_FIT (&_mps_key_MVFF_FIRST_FIT)
#define MPS_KEY_MVFF_FIRST_FIT_FIELD b

/* Deprecated names of the generic size queries. */
#define mps_mvff_free_size mps_pool_free_size
#define mps_mvff_size mps_pool_total_size

#ifdef __cplusplus
}
#endif

#endif /* mpscmvff_h */

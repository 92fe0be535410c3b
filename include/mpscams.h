/* mpscams.h: Tarn AMS pool classes (MPS 1.118 compatible) */

#ifndef mpscams_h
#define mpscams_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Automatic Mark-and-Sweep: non-moving, scanned. */
extern mps_pool_class_t mps_class_ams(void);

/* The same, with free-space checking (MPS_KEY_POOL_DEBUG_OPTIONS). */
extern mps_pool_class_t mps_class_ams_debug(void);

/* Whether ambiguous references to the pool's objects keep them alive. */
extern const struct mps_key_s _mps_key_AMS_SUPPORT_AMBIGUOUS;
#define MPS_KEY_AMS_SUPPORT_AMBIGUOUS (&_mps_key_AMS_SUPPORT_AMBIGUOUS)
#define MPS_KEY_AMS_SUPPORT_AMBIGUOUS_FIELD b

#ifdef __cplusplus
}
#endif

#endif /* mpscams_h */

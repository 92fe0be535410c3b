/* mpscsnc.h: Tarn SNC pool class (MPS 1.118 compatible) */

#ifndef mpscsnc_h
#define mpscsnc_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stack No Checking: manual pool with stack discipline (frames). */
extern mps_pool_class_t mps_class_snc(void);

#ifdef __cplusplus
}
#endif

#endif /* mpscsnc_h */

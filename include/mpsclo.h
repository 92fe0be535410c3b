/* mpsclo.h: Tarn LO pool class (MPS 1.118 compatible) */

#ifndef mpsclo_h
#define mpsclo_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Leaf Object: non-moving, never scanned, never behind a barrier. */
extern mps_pool_class_t mps_class_lo(void);

#ifdef __cplusplus
}
#endif

#endif /* mpsclo_h */

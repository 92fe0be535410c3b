/* mpscamc.h: Tarn AMC and AMCZ pool classes (MPS 1.118 compatible) */

#ifndef mpscamc_h
#define mpscamc_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Automatic Mostly-Copying: moving, generational, scanned. */
extern mps_pool_class_t mps_class_amc(void);

/* AMC for leaf objects: never scanned, never behind a barrier. */
extern mps_pool_class_t mps_class_amcz(void);

/* Deprecated walker: calls the stepper on each object of an AMC pool in
 * a parked arena. */
typedef void (*mps_amc_apply_stepper_t)(mps_addr_t, void *, size_t);
extern void mps_amc_apply(mps_pool_t, mps_amc_apply_stepper_t,
                          void *, size_t);

#ifdef __cplusplus
}
#endif

#endif /* mpscamc_h */

/* mpscawl.h: Tarn AWL pool class (MPS 1.118 compatible) */

#ifndef mpscawl_h
#define mpscawl_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Automatic Weak Linked: non-moving, may hold weak references. */
extern mps_pool_class_t mps_class_awl(void);

/* Maps an object to its dependent object, or NULL if it has none. */
typedef mps_addr_t (*mps_awl_find_dependent_t)(mps_addr_t);

extern const struct mps_key_s _mps_key_AWL_FIND_DEPENDENT;
#define MPS_KEY_AWL_FIND_DEPENDENT (&_mps_key_AWL_FIND_DEPENDENT)
#define MPS_KEY_AWL_FIND_DEPENDENT_FIELD addr_method

#ifdef __cplusplus
}
#endif

#endif /* mpscawl_h */

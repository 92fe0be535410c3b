/* mpscmfs.h: Tarn MFS pool class (MPS 1.118 compatible) */

#ifndef mpscmfs_h
#define mpscmfs_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Manual Fixed Small: manually managed blocks of one size. */
extern mps_pool_class_t mps_class_mfs(void);

/* The block size (required). */
extern const struct mps_key_s _mps_key_MFS_UNIT_SIZE;
#define MPS_KEY_MFS_UNIT_SIZE (&_mps_key_MFS_UNIT_SIZE)
#define MPS_KEY_MFS_UNIT_SIZE_FIELD size

#ifdef __cplusplus
}
#endif

#endif /* mpscmfs_h */

/* mpsavm.h: Tarn virtual-memory arena class (MPS 1.118 compatible) */

#ifndef mpsavm_h
#define mpsavm_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Arenas that reserve address space from the OS and commit on demand. */
extern mps_arena_class_t mps_arena_class_vm(void);

/* Tuning hint: how much to grow the reservation by (desired), and the
 * least growth worth having (minimum). */
extern mps_res_t mps_arena_vm_growth(mps_arena_t, size_t, size_t);

#ifdef __cplusplus
}
#endif

#endif /* mpsavm_h */

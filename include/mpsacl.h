/* mpsacl.h: Tarn client arena class (MPS 1.118 compatible) */

#ifndef mpsacl_h
#define mpsacl_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Arenas that manage blocks of memory handed over by the client. */
extern mps_arena_class_t mps_arena_class_cl(void);

/* Base of the client's block (required; its size is MPS_KEY_ARENA_SIZE). */
extern const struct mps_key_s _mps_key_ARENA_CL_BASE;
#define MPS_KEY_ARENA_CL_BASE (&_mps_key_ARENA_CL_BASE)
#define MPS_KEY_ARENA_CL_BASE_FIELD addr

#ifdef __cplusplus
}
#endif

#endif /* mpsacl_h */

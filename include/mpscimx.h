/* mpscimx.h: Tarn's IMX pool class, a mark-region (Immix-style) pool
 *
 * An extension: MPS 1.118 has no such class.  IMX holds formatted,
 * scanned objects like AMC (the format needs scan, skip, fwd, isfwd and
 * pad) but keeps most of them in place: memory is divided into blocks of
 * lines, the collector marks the lines live objects touch, and allocation
 * bumps through the runs of free lines.  Fragmented blocks are evacuated
 * (their objects copied and forwarded) opportunistically.  See the
 * manual's pool guide for the keyword arguments.
 */

#ifndef mpscimx_h
#define mpscimx_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

extern mps_pool_class_t mps_class_imx(void);
/* IMXZ: IMX for objects with no references (never scanned), as AMCZ is
 * to AMC; the format needs skip, fwd, isfwd and pad. */
extern mps_pool_class_t mps_class_imxz(void);

/* Whether new objects go to a copying nursery whose survivors are
 * promoted, through two copying survivor spaces, into the mark-region
 * space of the arena's top generation (default true), or are allocated
 * directly in the mark-region space (non-generational Immix). */
extern const struct mps_key_s _mps_key_IMX_NURSERY;
#define MPS_KEY_IMX_NURSERY (&_mps_key_IMX_NURSERY)
#define MPS_KEY_IMX_NURSERY_FIELD b

/* The most the pool may add in fresh blocks during a collection to
 * defragment its mark-region space, as a fraction of that space's size
 * (default 0.125; 0 turns defragmentation off). */
extern const struct mps_key_s _mps_key_IMX_DEFRAG_HEADROOM;
#define MPS_KEY_IMX_DEFRAG_HEADROOM (&_mps_key_IMX_DEFRAG_HEADROOM)
#define MPS_KEY_IMX_DEFRAG_HEADROOM_FIELD d

#ifdef __cplusplus
}
#endif

#endif /* mpscimx_h */

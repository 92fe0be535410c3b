/* tarn.h: Tarn's own extensions to the MPS interface
 *
 * Everything here is Tarn's, named tarn_ / TARN_; nothing here changes
 * the meaning of an MPS name.
 */

#ifndef tarn_h
#define tarn_h

#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the headers being compiled against ... */
#define TARN_VERSION_STRING "0.1.0"

/* ... and of the library linked in. */
extern const char *tarn_version(void);

/* Explicit pinning.  MPS pins an object only while an ambiguous reference
 * to it exists (a stack word, an ambiguous root).  tarn_pin pins the
 * object containing addr (any address inside it) without one: until the
 * matching tarn_unpin the object is kept alive and does not move, in every
 * pool.  Pins nest: an object pinned twice needs two unpins.
 * tarn_unpin returns MPS_RES_FAIL if addr was not pinned. */
extern mps_res_t tarn_pin(mps_arena_t arena, mps_addr_t addr);
extern mps_res_t tarn_unpin(mps_arena_t arena, mps_addr_t addr);

/* Statistics of an arena's collector, for tests, tuning and telemetry.
 * Sizes in bytes, times in seconds. */
typedef struct tarn_stats_s {
  mps_word_t collections;       /* flips, as mps_collections */
  mps_word_t barrier_hits;      /* barrier faults handled (write and read) */
  mps_word_t segs_scanned;      /* by the last collection */
  size_t bytes_scanned;         /* by the last collection */
  size_t condemned;             /* by the last collection */
  size_t live;                  /* survivors of the last collection */
  double last_pause;            /* of the last slice of collection work */
  double max_pause;             /* the longest slice so far */
  size_t total_scanned;         /* bytes scanned by all collections */
  size_t peak_committed;        /* the most mps_arena_committed has been,
                                   during collections too */
} tarn_stats_s;

extern void tarn_arena_stats(mps_arena_t arena, tarn_stats_s *stats_o);

/* Parallel tracing.  A collection drains its exact band with up to this
 * many threads (the collecting thread and collector-owned workers).  The
 * default is the number of cores the process may run on (at most 16),
 * overridden by the environment variable TARN_WORKERS, overridden by
 * MPS_KEY_TARN_WORKERS (a count, at arena creation).  1 means serial
 * tracing.  tarn_arena_set_workers
 * applies from the next collection; tarn_arena_workers returns the count
 * asked for.  tarn_arena_trace_time is the time in seconds the arena's
 * collections have spent tracing (scanning, marking and copying: not
 * condemning or reclaiming), summed over all collections. */
extern const struct mps_key_s _mps_key_TARN_WORKERS;
#define MPS_KEY_TARN_WORKERS (&_mps_key_TARN_WORKERS)
#define MPS_KEY_TARN_WORKERS_FIELD count
extern mps_res_t tarn_arena_set_workers(mps_arena_t arena, size_t workers);
extern size_t tarn_arena_workers(mps_arena_t arena);
extern double tarn_arena_trace_time(mps_arena_t arena);
/* How many parallel phases the arena's collections have run (a phase
 * drains one collection's exact band with several threads; serial
 * collections run none). */
extern mps_word_t tarn_arena_parallel_phases(mps_arena_t arena);

#ifdef __cplusplus
}
#endif

#endif /* tarn_h */

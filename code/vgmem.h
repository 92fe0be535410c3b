/* vgmem.h: telling Valgrind's memcheck what the manager does with memory
 *
 * Memcheck cannot know that memory inside an arena chunk has been handed to
 * a client, freed, or reclaimed; these client requests tell it.  They cost
 * a few instructions when not running under Valgrind and nothing when the
 * Valgrind headers are absent.
 */

#ifndef tarn_vgmem_h
#define tarn_vgmem_h

#include "config.h"

#if TARN_VALGRIND
#include <valgrind/memcheck.h>
/* Whether we run under Valgrind, asked once: a request costs a dozen
 * instructions even outside Valgrind, a load and a test does not. */
extern int VGRunningCache;
static inline int VGRunning(void)
{
  if (VGRunningCache < 0)
    VGRunningCache = RUNNING_ON_VALGRIND != 0;
  return VGRunningCache;
}
#define VG_NOACCESS(p, s) \
  (VGRunning() ? (void)VALGRIND_MAKE_MEM_NOACCESS((p), (s)) : (void)0)
#define VG_UNDEFINED(p, s) \
  (VGRunning() ? (void)VALGRIND_MAKE_MEM_UNDEFINED((p), (s)) : (void)0)
#define VG_DEFINED(p, s) \
  (VGRunning() ? (void)VALGRIND_MAKE_MEM_DEFINED((p), (s)) : (void)0)
#define VG_RUNNING() VGRunning()
/* Memcheck's view of [p, p+s) can be saved and restored around a read of
 * memory the client has not initialised (ambiguous scanning). */
#define VG_DISABLE_CHECKS(p, s) ((void)VALGRIND_DISABLE_ADDR_ERROR_REPORTING_IN_RANGE((p), (s)))
#define VG_ENABLE_CHECKS(p, s) ((void)VALGRIND_ENABLE_ADDR_ERROR_REPORTING_IN_RANGE((p), (s)))
#else
#define VG_NOACCESS(p, s) ((void)(p), (void)(s))
#define VG_UNDEFINED(p, s) ((void)(p), (void)(s))
#define VG_DEFINED(p, s) ((void)(p), (void)(s))
#define VG_RUNNING() 0
#define VG_DISABLE_CHECKS(p, s) ((void)(p), (void)(s))
#define VG_ENABLE_CHECKS(p, s) ((void)(p), (void)(s))
#endif

#endif /* tarn_vgmem_h */

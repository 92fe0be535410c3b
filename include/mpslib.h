/* mpslib.h: Tarn plinth, library module (MPS 1.118 compatible)
 *
 * The few C library services the manager uses.  Tarn's mps.c supplies a
 * default built on the standard C library; compiled with
 * CONFIG_PLINTH_NONE it leaves them out and the client must define every
 * function here and in mpsio.h.  They may be called from a fault
 * handler, so a client's versions must not call the manager or touch
 * managed memory.
 */

#ifndef mpslib_h
#define mpslib_h

#include <stddef.h>
#include "mps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The failure result of the output functions (like EOF). */
extern int mps_lib_get_EOF(void);
#define mps_lib_EOF (mps_lib_get_EOF())

/* An output stream; never complete, a plinth may cast FILE * to it. */
typedef struct mps_lib_stream_s mps_lib_FILE;

extern mps_lib_FILE *mps_lib_get_stderr(void);
extern mps_lib_FILE *mps_lib_get_stdout(void);
#define mps_lib_stderr (mps_lib_get_stderr())
#define mps_lib_stdout (mps_lib_get_stdout())

extern int mps_lib_fputc(int, mps_lib_FILE *);
extern int mps_lib_fputs(const char *, mps_lib_FILE *);

/* Called with the file, line and condition of each failed assertion. */
extern void mps_lib_assert_fail(const char *, unsigned, const char *);

/* The default plinth's mps_lib_assert_fail calls a replaceable handler;
 * installing one returns the previous handler. */
typedef void (*mps_lib_assert_fail_t)(const char *, unsigned, const char *);
extern mps_lib_assert_fail_t mps_lib_assert_fail_install(mps_lib_assert_fail_t);

/* As memset, memcpy (never overlapping) and memcmp. */
extern void *(mps_lib_memset)(void *, int, size_t);
extern void *(mps_lib_memcpy)(void *, const void *, size_t);
extern int (mps_lib_memcmp)(const void *, const void *, size_t);

/* Processor time, in units of mps_clocks_per_sec() per second. */
extern mps_clock_t mps_clock(void);
extern mps_clock_t mps_clocks_per_sec(void);

/* The initial telemetry filter. */
extern unsigned long mps_lib_telemetry_control(void);

#ifdef __cplusplus
}
#endif

#endif /* mpslib_h */

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

#ifdef __cplusplus
}
#endif

#endif /* tarn_h */

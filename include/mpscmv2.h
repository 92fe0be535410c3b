/* mpscmv2.h: old name of mpscmvt.h (MPS 1.118 compatible) */

#ifndef mpscmv2_h
#define mpscmv2_h

#include "mpscmvt.h"

#endif /* mpscmv2_h */

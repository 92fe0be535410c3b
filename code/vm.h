/* vm.h: virtual memory: reserve, commit, decommit, release
 *
 * The only module that calls mmap.  Reserved memory is inaccessible;
 * committed memory is readable, writable and zero when first committed.
 */

#ifndef tarn_vm_h
#define tarn_vm_h

#include "types.h"

extern Size VMPageSize(void);
/* Reserve size bytes (a multiple of the page size) aligned to align,
 * preferably at hint.  ResRESOURCE if address space cannot be had. */
extern Res VMReserve(Addr *baseReturn, Size size, Align align, Addr hint);
extern void VMRelease(Addr base, Size size);
/* ResMEMORY if the operating system refuses. */
extern Res VMCommit(Addr base, Addr limit);
extern void VMDecommit(Addr base, Addr limit);
/* Map size bytes of zero-filled, readable and writable memory that is
 * charged to the process only when touched (used for the tract table). */
extern Res VMMapLazy(Addr *baseReturn, Size size, Addr hint);

#endif /* tarn_vm_h */

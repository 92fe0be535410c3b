/* vm.c: virtual memory on POSIX systems (see vm.h)
 *
 * Reserve maps PROT_NONE with MAP_NORESERVE, so reserving costs no commit
 * charge; commit is mprotect to read/write; decommit maps fresh PROT_NONE
 * pages over the range, which gives the memory back to the system.
 */

#include "vm.h"
#include "check.h"
#include "vgmem.h"

#include <sys/mman.h>
#include <unistd.h>
#include <errno.h>

#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif
#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif

#if TARN_VALGRIND
int VGRunningCache = -1;
#endif

Size VMPageSize(void)
{
  static Size pageSize = 0;
  if (pageSize == 0) {
    long ps = sysconf(_SC_PAGESIZE);
    pageSize = ps > 0 ? (Size)ps : 4096;
  }
  return pageSize;
}

static Res vmMap(Addr *baseReturn, Size size, Addr hint, int prot)
{
  void *p = mmap(hint, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return ResRESOURCE;
  *baseReturn = (Addr)p;
  return ResOK;
}

Res VMReserve(Addr *baseReturn, Size size, Align align, Addr hint)
{
  Addr base, aligned;
  Size page = VMPageSize();
  Size extra = align > page ? align - page : 0;
  Res res;

  AVER(SizeIsAligned(size, page));
  if (size == 0 || size + extra < size)
    return ResRESOURCE;
  /* Try the hint first with exactly the size: adjacent chunks keep the
   * tract table dense. */
  if (hint != NULL && AddrIsAligned(hint, align)) {
    res = vmMap(&base, size, hint, PROT_NONE);
    if (res == ResOK) {
      if (base == hint) {
        *baseReturn = base;
        return ResOK;
      }
      (void)munmap(base, size);
    }
  }
  res = vmMap(&base, size + extra, NULL, PROT_NONE);
  if (res != ResOK)
    return res;
  aligned = AddrAlignUp(base, align);
  if (aligned > base)
    (void)munmap(base, AddrOffset(base, aligned));
  if (AddrAdd(aligned, size) < AddrAdd(base, size + extra))
    (void)munmap(AddrAdd(aligned, size),
                 AddrOffset(AddrAdd(aligned, size), AddrAdd(base, size + extra)));
  *baseReturn = aligned;
  return ResOK;
}

void VMRelease(Addr base, Size size)
{
  int r = munmap(base, size);
  AVER(r == 0);
  UNUSED(r);
}

Res VMCommit(Addr base, Addr limit)
{
  AVER(base < limit);
  if (mprotect(base, AddrOffset(base, limit), PROT_READ | PROT_WRITE) != 0)
    return ResMEMORY;
  return ResOK;
}

void VMDecommit(Addr base, Addr limit)
{
  void *p;
  AVER(base < limit);
  p = mmap(base, AddrOffset(base, limit), PROT_NONE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
  AVER(p == (void *)base);
  UNUSED(p);
}

Res VMMapLazy(Addr *baseReturn, Size size, Addr hint)
{
  AVER(SizeIsAligned(size, VMPageSize()));
  return vmMap(baseReturn, size, hint, PROT_READ | PROT_WRITE);
}

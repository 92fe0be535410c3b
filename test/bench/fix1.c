/* fix1.c: what MPS_FIX1 costs, in machine code
 *
 * Two scanners written as a client writes them.  Compile with -O2 and
 * disassemble to see the inner loops (test/bench/run.sh does this and
 * README.md shows the result):
 *
 *   gcc -std=gnu99 -O2 -Iinclude -c test/bench/fix1.c -o /tmp/fix1.o
 *   objdump -d --no-show-raw-insn /tmp/fix1.o
 *
 * fix1AreaScan treats every word of [base, limit) as a reference (like
 * mps_scan_area); fix1NodeScan is treebench's node scanner (objects with
 * a header word and three references).  In both, the test that rejects a
 * reference that cannot point at a condemned object -- a shift, a mask,
 * a variable shift to make the zone bit, an OR into the summary, and a
 * test against the white set -- is all that runs for most words; only
 * references into the white zones reach MPS_FIX2 (_mps_fix2, a call into
 * the manager).
 *
 * Built as a program (-DFIX1_MAIN, linked with code/mps.c) it also times
 * the area scanner over a large vector whose words are not white (FIX1
 * only) to give the cost per word in nanoseconds.
 */

#include "mps.h"
#include <stddef.h>

mps_res_t fix1AreaScan(mps_ss_t ss, void *base, void *limit, void *closure);
mps_res_t fix1NodeScan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit);

mps_res_t fix1AreaScan(mps_ss_t ss, void *base, void *limit, void *closure)
{
  mps_addr_t *p = base;
  (void)closure;
  MPS_SCAN_BEGIN(ss) {
    for (; p < (mps_addr_t *)limit; ++p) {
      if (MPS_FIX1(ss, *p)) {
        mps_res_t res = MPS_FIX2(ss, p);
        if (res != MPS_RES_OK)
          return res;
      }
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

/* Objects: header word (type in the low 8 bits, size in bytes above),
 * then for type 0x11 three references. */
mps_res_t fix1NodeScan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  mps_word_t *p = base;
  MPS_SCAN_BEGIN(ss) {
    while (p < (mps_word_t *)limit) {
      mps_word_t h = *p;
      if ((h & 0xFF) == 0x11) {
        mps_addr_t *r = (mps_addr_t *)&p[1];
        int i;
        for (i = 0; i < 3; ++i)
          if (MPS_FIX1(ss, r[i])) {
            mps_res_t res = MPS_FIX2(ss, &r[i]);
            if (res != MPS_RES_OK)
              return res;
          }
      }
      p = (mps_word_t *)((char *)p + (h >> 8));
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

#ifdef FIX1_MAIN
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(void)
{
  enum { N = 1 << 14, REPS = 20000 };  /* 128 KiB: stays in L2 */
  mps_addr_t *v = malloc(N * sizeof *v);
  mps_ss_s ss;
  struct timespec t0, t1;
  double ns;
  size_t i;
  int r;
  for (i = 0; i < N; ++i)       /* addresses in zones 1..63 */
    v[i] = (mps_addr_t)(((i % 63) + 1) << 20 | (i & 0xFFFF8));
  ss._zs = 20;                  /* zone = (addr >> 20) & 63 */
  ss._w = 0;                    /* nothing white: every word stops at FIX1 */
  ss._ufs = 0;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  for (r = 0; r < REPS; ++r)
    (void)fix1AreaScan(&ss, v, v + N, NULL);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
  ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec))
       / ((double)N * REPS);
  printf("fix1: %.2f ns per word (FIX1 only, %lu KiB vector in cache), summary %#lx\n",
         ns, (unsigned long)(N * sizeof *v / 1024), (unsigned long)ss._ufs);
  return 0;
}
#endif

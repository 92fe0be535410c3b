/* scan.c: the area scanners the manager provides to clients (contract 8.4)
 *
 * They are ordinary client-style scanners written with the public fix
 * macros, so they run the same critical path as a client's own.
 */

#include "mps.h"
#include "types.h"

mps_res_t mps_scan_area(mps_ss_t ss, void *base, void *limit, void *closure)
{
  mps_addr_t *p = base, *end = limit;
  (void)closure;
  MPS_SCAN_BEGIN(ss) {
    for (; p < end; ++p) {
      mps_addr_t ref = *p;
      if (MPS_FIX1(ss, ref)) {
        mps_res_t res = MPS_FIX2(ss, p);
        if (res != MPS_RES_OK)
          return res;
      }
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

/* Fix every word with its tag bits (mask) removed, then put them back. */
mps_res_t mps_scan_area_masked(mps_ss_t ss, void *base, void *limit, void *closure)
{
  mps_scan_tag_t tag = closure;
  mps_word_t mask = tag->mask;
  mps_word_t *p = base, *end = limit;
  MPS_SCAN_BEGIN(ss) {
    for (; p < end; ++p) {
      mps_word_t word = *p;
      mps_addr_t ref = (mps_addr_t)(word & ~mask);
      if (MPS_FIX1(ss, ref)) {
        mps_res_t res = MPS_FIX2(ss, &ref);
        if (res != MPS_RES_OK)
          return res;
        *p = (mps_word_t)ref | (word & mask);
      }
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

/* Only words whose tag bits equal the pattern are references. */
mps_res_t mps_scan_area_tagged(mps_ss_t ss, void *base, void *limit, void *closure)
{
  mps_scan_tag_t tag = closure;
  mps_word_t mask = tag->mask, pattern = tag->pattern;
  mps_word_t *p = base, *end = limit;
  MPS_SCAN_BEGIN(ss) {
    for (; p < end; ++p) {
      mps_word_t word = *p;
      mps_addr_t ref;
      if ((word & mask) != pattern)
        continue;
      ref = (mps_addr_t)(word ^ pattern);
      if (MPS_FIX1(ss, ref)) {
        mps_res_t res = MPS_FIX2(ss, &ref);
        if (res != MPS_RES_OK)
          return res;
        *p = (mps_word_t)ref | pattern;
      }
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

/* As tagged, and words with zero tag bits are references too. */
mps_res_t mps_scan_area_tagged_or_zero(mps_ss_t ss, void *base, void *limit, void *closure)
{
  mps_scan_tag_t tag = closure;
  mps_word_t mask = tag->mask, pattern = tag->pattern;
  mps_word_t *p = base, *end = limit;
  MPS_SCAN_BEGIN(ss) {
    for (; p < end; ++p) {
      mps_word_t word = *p;
      mps_word_t bits = word & mask;
      mps_addr_t ref;
      if (bits != pattern && bits != 0)
        continue;
      ref = (mps_addr_t)(word ^ bits);
      if (MPS_FIX1(ss, ref)) {
        mps_res_t res = MPS_FIX2(ss, &ref);
        if (res != MPS_RES_OK)
          return res;
        *p = (mps_word_t)ref | bits;
      }
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

/* The deprecated register-and-stack scanner exists only to be passed to
 * mps_root_create_reg, which recognises it; it is never called. */
mps_res_t mps_stack_scan_ambig(mps_ss_t ss, mps_thr_t thr, void *p, size_t s)
{
  (void)ss; (void)thr; (void)p; (void)s;
  return MPS_RES_UNIMPL;
}

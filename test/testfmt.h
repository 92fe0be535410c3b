/* testfmt.h: an object format for Tarn's tests
 *
 * Objects are word-aligned and at least two words long.  The first word
 * (at the base) is a header: the type in the low 8 bits, the object's
 * whole size in bytes above them.  An optional in-band header of
 * `headerSize` bytes comes first; client pointers point after it.
 *
 *   OBJ   header, id, nrefs, ref[nrefs], data[ndata]
 *         data[i] = testobj_pattern(id, i), so corruption is detectable
 *   FWD   header, new address                       (same size as the object)
 *   PAD   header, ...                               (any size >= 1 word)
 *
 * The scanner fixes ref[] with MPS_FIX12; the forwarding address is never
 * fixed.  Used by the pool tests, stress tests and benchmarks.
 */

#ifndef testfmt_h
#define testfmt_h

#include "mps.h"
#include <stddef.h>

enum { TESTOBJ_OBJ = 0x5A, TESTOBJ_FWD = 0xF0, TESTOBJ_PAD = 0x9D };

typedef struct testobj_s {
  mps_word_t header;            /* type | size << 8 */
  mps_word_t id;
  mps_word_t nrefs;
  mps_addr_t refs[1];           /* nrefs of them, then the data words */
} testobj_s, *testobj_t;

/* Create the format: alignment of a word, in-band header of headerSize
 * bytes (a multiple of the word size, possibly 0). */
extern mps_res_t testfmt_create(mps_fmt_t *fmt_o, mps_arena_t arena, size_t headerSize);
extern size_t testfmt_header_size(void);

extern size_t testobj_size(size_t nrefs, size_t ndata);
extern mps_word_t testobj_pattern(mps_word_t id, size_t i);
/* Allocate and initialise an object on ap (reserve/commit loop): refs
 * NULL, data filled with the pattern.  Returns the client pointer. */
extern mps_res_t testobj_alloc(testobj_t *obj_o, mps_ap_t ap, mps_word_t id,
                               size_t nrefs, size_t ndata);
/* Is obj a well-formed, intact object (header, id-derived data)? */
extern int testobj_ok(testobj_t obj);
extern size_t testobj_ndata(testobj_t obj);

/* Initialise an object in memory the client owns (for example a
 * formatted root outside the arena): `base` is the base of a block of
 * testobj_size(nrefs, ndata) bytes.  Returns the client pointer. */
extern testobj_t testobj_init(void *base, mps_word_t id, size_t nrefs, size_t ndata);
/* The format's scan and skip methods (client pointers), for formatted
 * roots over testobj objects and for walkers. */
extern mps_res_t testfmt_scan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit);
extern mps_addr_t testfmt_skip(mps_addr_t addr);
/* Is the block at client pointer addr a padding object? */
extern int testfmt_is_pad(mps_addr_t addr);

#endif /* testfmt_h */

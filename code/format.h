/* format.h: object formats
 *
 * A format is the client's description of its objects: how to scan, skip,
 * forward, test for forwarding and pad them, their alignment and the size
 * of an in-band header (client pointer = base pointer + headerSize).  The
 * manager calls these methods; it never looks inside objects itself.
 * Methods the client did not give are replaced by ones that report the
 * omission, so using a pool that needs them is a diagnosed client error.
 */

#ifndef tarn_format_h
#define tarn_format_h

#include "types.h"
#include "check.h"
#include "ring.h"

#define FormatSig ((Sig)0x519F0437)

struct mps_fmt_s {
  Sig sig;
  Serial serial;
  Arena arena;
  RingStruct arenaRing;         /* in arena->formatRing */
  Align alignment;
  Size headerSize;
  mps_fmt_scan_t scan;
  mps_fmt_skip_t skip;
  mps_fmt_fwd_t move;
  mps_fmt_isfwd_t isMoved;
  mps_fmt_pad_t pad;
  mps_fmt_class_t klass;
  Count poolCount;              /* pools using the format */
};

extern Bool FormatCheck(Format format);
extern Res FormatCreate(Format *formatReturn, Arena arena, ArgList args);
extern void FormatDestroy(Format format);

/* Which methods the client supplied (the rest are the reporting stubs). */
extern Bool FormatHasScan(Format format);
extern Bool FormatHasSkip(Format format);
extern Bool FormatHasMove(Format format);
extern Bool FormatHasPad(Format format);

/* Pools that take a format: pick MPS_KEY_FORMAT (required), check it
 * belongs to the arena and has the methods the class needs, and count the
 * pool as a user. */
extern Res FormatPickForPool(Format *formatReturn, Arena arena, ArgList args,
                             Bool needScan, Bool needMove);
extern void FormatReleaseForPool(Format format);

/* Size of the whole block whose client pointer is obj. */
static inline Size FormatObjectSize(Format format, Addr obj)
{
  return AddrOffset(obj, (Addr)format->skip(obj));
}

#endif /* tarn_format_h */

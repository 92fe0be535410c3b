/* format.c: object formats (see format.h) */

#include "format.h"
#include "arena.h"
#include "args.h"
#include "control.h"
#include "mpscamc.h"
#include <string.h>

/* Stand-ins for methods the client did not supply.  A pool that needs a
 * method checks for the stand-in when the pool is created; if one is ever
 * called anyway it reports the missing method. */

static mps_res_t formatNoScan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  UNUSED(ss); UNUSED(base); UNUSED(limit);
  ArgFail(__FILE__, __LINE__, "format", "the format has a scan method (MPS_KEY_FMT_SCAN)");
  return MPS_RES_UNIMPL;
}

static mps_addr_t formatNoSkip(mps_addr_t addr)
{
  ArgFail(__FILE__, __LINE__, "format", "the format has a skip method (MPS_KEY_FMT_SKIP)");
  return (char *)addr + sizeof(mps_word_t);
}

static void formatNoMove(mps_addr_t old, mps_addr_t new)
{
  UNUSED(old); UNUSED(new);
  ArgFail(__FILE__, __LINE__, "format", "the format has a forward method (MPS_KEY_FMT_FWD)");
}

static mps_addr_t formatNoIsMoved(mps_addr_t addr)
{
  UNUSED(addr);
  ArgFail(__FILE__, __LINE__, "format", "the format has an is-forwarded method (MPS_KEY_FMT_ISFWD)");
  return NULL;
}

static void formatNoPad(mps_addr_t addr, size_t size)
{
  UNUSED(addr); UNUSED(size);
  ArgFail(__FILE__, __LINE__, "format", "the format has a padding method (MPS_KEY_FMT_PAD)");
}

/* The default class method: the object's first word (contract 7.3). */
static mps_addr_t formatDefaultClass(mps_addr_t addr)
{
  return *(mps_addr_t *)addr;
}

Bool FormatCheck(Format format)
{
  CHECKS(Format, format);
  CHECKL(format->arena != NULL);
  CHECKL(WordIsP2(format->alignment));
  CHECKL(format->scan != NULL && format->skip != NULL && format->move != NULL);
  CHECKL(format->isMoved != NULL && format->pad != NULL && format->klass != NULL);
  return TRUE;
}

Bool FormatHasScan(Format format) { return format->scan != formatNoScan; }
Bool FormatHasSkip(Format format) { return format->skip != formatNoSkip; }
Bool FormatHasMove(Format format)
{
  return format->move != formatNoMove && format->isMoved != formatNoIsMoved;
}
Bool FormatHasPad(Format format) { return format->pad != formatNoPad; }

Res FormatCreate(Format *formatReturn, Arena arena, ArgList args)
{
  Format format;
  ArgStruct arg;
  void *p;
  Res res;

  res = ControlAlloc(&p, arena, sizeof(struct mps_fmt_s));
  if (res != ResOK)
    return res;
  format = p;
  memset(format, 0, sizeof *format);
  format->arena = arena;
  RingInit(&format->arenaRing);
  format->alignment = MPS_PF_ALIGN;
  format->headerSize = 0;
  format->scan = formatNoScan;
  format->skip = formatNoSkip;
  format->move = formatNoMove;
  format->isMoved = formatNoIsMoved;
  format->pad = formatNoPad;
  format->klass = formatDefaultClass;
  format->poolCount = 0;

  if (ArgPick(&arg, args, MPS_KEY_FMT_ALIGN)) {
    ARGCHECKF("mps_fmt_create_k", WordIsP2(arg.val.align), ResPARAM); /* alignment is a power of 2 */
    format->alignment = arg.val.align;
  }
  if (ArgPick(&arg, args, MPS_KEY_FMT_HEADER_SIZE))
    format->headerSize = arg.val.size;
  if (ArgPick(&arg, args, MPS_KEY_FMT_SCAN) && arg.val.fmt_scan != NULL)
    format->scan = arg.val.fmt_scan;
  if (ArgPick(&arg, args, MPS_KEY_FMT_SKIP) && arg.val.fmt_skip != NULL)
    format->skip = arg.val.fmt_skip;
  if (ArgPick(&arg, args, MPS_KEY_FMT_FWD) && arg.val.fmt_fwd != NULL)
    format->move = arg.val.fmt_fwd;
  if (ArgPick(&arg, args, MPS_KEY_FMT_ISFWD) && arg.val.fmt_isfwd != NULL)
    format->isMoved = arg.val.fmt_isfwd;
  if (ArgPick(&arg, args, MPS_KEY_FMT_PAD) && arg.val.fmt_pad != NULL)
    format->pad = arg.val.fmt_pad;
  if (ArgPick(&arg, args, MPS_KEY_FMT_CLASS) && arg.val.fmt_class != NULL)
    format->klass = arg.val.fmt_class;
  /* The alignment must be at least a word's, so that padding objects and
   * forwarding markers of the smallest size can exist. */
  if (format->alignment < sizeof(mps_word_t))
    format->alignment = sizeof(mps_word_t);

  format->serial = arena->formatSerial++;
  format->sig = FormatSig;
  RingAppend(&arena->formatRing, &format->arenaRing);
  *formatReturn = format;
  return ResOK;
}

void FormatDestroy(Format format)
{
  AVERT(Format, format);
  AVER(format->poolCount == 0);
  RingRemove(&format->arenaRing);
  format->sig = SigINVALID;
  ControlFree(format->arena, format, sizeof(struct mps_fmt_s));
}

Res FormatPickForPool(Format *formatReturn, Arena arena, ArgList args,
                      Bool needScan, Bool needMove)
{
  ArgStruct arg;
  Format format;
  if (!ArgRequire(&arg, args, MPS_KEY_FORMAT, "mps_pool_create_k"))
    return ResPARAM;
  format = arg.val.format;
  ARGCHECKF("mps_pool_create_k", TESTT(Format, format), ResPARAM); /* MPS_KEY_FORMAT is a format */
  ARGCHECKF("mps_pool_create_k", format->arena == arena, ResPARAM); /* the format is the arena's */
  ARGCHECKF("mps_pool_create_k", FormatHasSkip(format), ResPARAM); /* the format has a skip method */
  if (needScan)
    ARGCHECKF("mps_pool_create_k", FormatHasScan(format), ResPARAM); /* the format has a scan method */
  if (needMove) {
    ARGCHECKF("mps_pool_create_k", FormatHasMove(format), ResPARAM); /* the format has fwd and isfwd */
    ARGCHECKF("mps_pool_create_k", FormatHasPad(format), ResPARAM); /* the format has a pad method */
  }
  ++format->poolCount;
  *formatReturn = format;
  return ResOK;
}

void FormatReleaseForPool(Format format)
{
  AVERT(Format, format);
  AVER(format->poolCount > 0);
  --format->poolCount;
}

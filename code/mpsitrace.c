/* mpsitrace.c: the public interface: formats, chains, roots, threads,
 * collection control, messages and heap walking
 *
 * As in mpsi.c: check the arguments, take the arena lock, call one
 * internal function.
 */

#include "arena.h"
#include "pool.h"
#include "args.h"
#include "format.h"
#include "chain.h"
#include "root.h"
#include "thread.h"
#include "trace.h"
#include "message.h"
#include "shield.h"
#include <string.h>

/* Formats.  The deprecated structure-based creators are built on the
 * keyword one; each reports a bad argument in its own name (`func`). */

static mps_res_t fmtCreateK(const char *func, mps_fmt_t *fmt_o, mps_arena_t arena,
                            mps_arg_s args[])
{
  Format format;
  Res res;
  UNUSED(func);                 /* (in the rash variety) */
  ARGCHECKF(func, fmt_o != NULL, MPS_RES_PARAM);
  ARGCHECKF(func, TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECKF(func, ArgListCheck(args), MPS_RES_PARAM);
  ArenaEnter(arena);
  res = FormatCreate(&format, arena, args);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *fmt_o = format;
  return MPS_RES_OK;
}

mps_res_t mps_fmt_create_k(mps_fmt_t *fmt_o, mps_arena_t arena, mps_arg_s args[])
{
  return fmtCreateK("mps_fmt_create_k", fmt_o, arena, args);
}

/* The structure-based creators all come here with their methods. */
static mps_res_t fmtCreate(const char *func, mps_fmt_t *fmt_o, mps_arena_t arena,
                           mps_align_t align, size_t headerSize, mps_fmt_scan_t scan,
                           mps_fmt_skip_t skip, mps_fmt_fwd_t fwd, mps_fmt_isfwd_t isfwd,
                           mps_fmt_pad_t pad, mps_fmt_class_t klass)
{
  mps_res_t res;
  UNUSED(func);
  ARGCHECKF(func, WordIsP2((Word)align), MPS_RES_PARAM); /* alignment is a power of 2 */
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, align);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_HEADER_SIZE, headerSize);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, scan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, skip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_FWD, fwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ISFWD, isfwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, pad);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_CLASS, klass);
    res = fmtCreateK(func, fmt_o, arena, args);
  } MPS_ARGS_END(args);
  return res;
}

mps_res_t mps_fmt_create_A(mps_fmt_t *fmt_o, mps_arena_t arena, mps_fmt_A_s *fmt_A)
{
  ARGCHECK(fmt_A != NULL, MPS_RES_PARAM);
  return fmtCreate("mps_fmt_create_A", fmt_o, arena, fmt_A->align, 0, fmt_A->scan,
                   fmt_A->skip, fmt_A->fwd, fmt_A->isfwd, fmt_A->pad, NULL);
}

mps_res_t mps_fmt_create_B(mps_fmt_t *fmt_o, mps_arena_t arena, mps_fmt_B_s *fmt_B)
{
  ARGCHECK(fmt_B != NULL, MPS_RES_PARAM);
  return fmtCreate("mps_fmt_create_B", fmt_o, arena, fmt_B->align, 0, fmt_B->scan,
                   fmt_B->skip, fmt_B->fwd, fmt_B->isfwd, fmt_B->pad, fmt_B->mps_class);
}

mps_res_t mps_fmt_create_auto_header(mps_fmt_t *fmt_o, mps_arena_t arena,
                                     mps_fmt_auto_header_s *fmt_ah)
{
  ARGCHECK(fmt_ah != NULL, MPS_RES_PARAM);
  return fmtCreate("mps_fmt_create_auto_header", fmt_o, arena, fmt_ah->align,
                   fmt_ah->mps_headerSize, fmt_ah->scan, fmt_ah->skip, fmt_ah->fwd,
                   fmt_ah->isfwd, fmt_ah->pad, NULL);
}

mps_res_t mps_fmt_create_fixed(mps_fmt_t *fmt_o, mps_arena_t arena, mps_fmt_fixed_s *fmt_fixed)
{
  ARGCHECK(fmt_fixed != NULL, MPS_RES_PARAM);
  return fmtCreate("mps_fmt_create_fixed", fmt_o, arena, fmt_fixed->align, 0,
                   fmt_fixed->scan, NULL, fmt_fixed->fwd, fmt_fixed->isfwd, fmt_fixed->pad,
                   NULL);
}

void mps_fmt_destroy(mps_fmt_t format)
{
  Arena arena;
  ARGCHECK_VOID(TESTT(Format, format));
  ARGCHECK_VOID(format->poolCount == 0);    /* no pool uses the format */
  arena = format->arena;
  ArenaEnter(arena);
  FormatDestroy(format);
  ArenaLeave(arena);
}

mps_bool_t mps_addr_fmt(mps_fmt_t *fmt_o, mps_arena_t arena, mps_addr_t addr)
{
  Pool pool;
  Bool found;
  ARGCHECK(fmt_o != NULL, 0);
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnterRecursive(arena);
  found = ArenaPoolOfAddr(&pool, arena, (Addr)addr) && pool->format != NULL;
  ArenaLeaveRecursive(arena);
  if (!found)
    return 0;
  *fmt_o = pool->format;
  return 1;
}

/* Chains */

mps_res_t mps_chain_create(mps_chain_t *chain_o, mps_arena_t arena, size_t gen_count,
                           mps_gen_param_s *gen_params)
{
  Chain chain;
  Res res;
  size_t i;
  ARGCHECK(chain_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(gen_count > 0, MPS_RES_PARAM);
  ARGCHECK(gen_params != NULL, MPS_RES_PARAM);
  for (i = 0; i < gen_count; ++i) {
    ARGCHECK(gen_params[i].mps_capacity > 0, MPS_RES_PARAM);
    ARGCHECK(gen_params[i].mps_mortality >= 0.0 && gen_params[i].mps_mortality <= 1.0,
             MPS_RES_PARAM);
  }
  ArenaEnter(arena);
  res = ChainCreate(&chain, arena, gen_count, gen_params);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *chain_o = chain;
  return MPS_RES_OK;
}

void mps_chain_destroy(mps_chain_t chain)
{
  Arena arena;
  ARGCHECK_VOID(TESTT(Chain, chain));
  ARGCHECK_VOID(chain->poolCount == 0);     /* no pool uses the chain */
  arena = chain->arena;
  ArenaEnter(arena);
  ChainDestroy(chain);
  ArenaLeave(arena);
}

/* Ranks */

mps_rank_t mps_rank_ambig(void) { return RankAMBIG; }
mps_rank_t mps_rank_exact(void) { return RankEXACT; }
mps_rank_t mps_rank_weak(void) { return RankWEAK; }

#define RANK_OK(rank) ((rank) == RankAMBIG || (rank) == RankEXACT || (rank) == RankWEAK)

/* Roots */

/* Area roots.  The table creators are built on the area ones; each
 * reports a bad argument in its own name (`func`). */
static mps_res_t rootCreateArea(const char *func, mps_root_t *root_o, mps_arena_t arena,
                                mps_rank_t rank, mps_rm_t rm, void *base, void *limit,
                                mps_area_scan_t scan_area, void *closure,
                                mps_word_t mask, mps_word_t pattern, Bool tagged)
{
  Root root;
  Res res;
  UNUSED(func);                 /* (in the rash variety) */
  ARGCHECKF(func, root_o != NULL, MPS_RES_PARAM);
  ARGCHECKF(func, TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECKF(func, RANK_OK(rank), MPS_RES_PARAM);
  ARGCHECKF(func, base != NULL && (char *)base < (char *)limit, MPS_RES_PARAM);
  ARGCHECKF(func, scan_area != NULL, MPS_RES_PARAM);
  ARGCHECKF(func, (pattern & ~mask) == 0, MPS_RES_PARAM); /* the pattern lies within the mask */
  ArenaEnter(arena);
  res = RootCreateArea(&root, arena, rank, rm, base, limit, scan_area, closure,
                       mask, pattern, tagged);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *root_o = root;
  return MPS_RES_OK;
}

mps_res_t mps_root_create_area(mps_root_t *root_o, mps_arena_t arena, mps_rank_t rank,
                               mps_rm_t rm, void *base, void *limit,
                               mps_area_scan_t scan_area, void *closure)
{
  return rootCreateArea("mps_root_create_area", root_o, arena, rank, rm, base, limit,
                        scan_area, closure, 0, 0, FALSE);
}

mps_res_t mps_root_create_area_tagged(mps_root_t *root_o, mps_arena_t arena,
                                      mps_rank_t rank, mps_rm_t rm, void *base, void *limit,
                                      mps_area_scan_t scan_area, mps_word_t mask,
                                      mps_word_t pattern)
{
  return rootCreateArea("mps_root_create_area_tagged", root_o, arena, rank, rm, base, limit,
                        scan_area, NULL, mask, pattern, TRUE);
}

mps_res_t mps_root_create_table(mps_root_t *root_o, mps_arena_t arena, mps_rank_t rank,
                                mps_rm_t rm, mps_addr_t *base, size_t count)
{
  ARGCHECK(count > 0, MPS_RES_PARAM);
  ARGCHECK(base != NULL, MPS_RES_PARAM);
  return rootCreateArea("mps_root_create_table", root_o, arena, rank, rm, base,
                        base + count, mps_scan_area, NULL, 0, 0, FALSE);
}

mps_res_t mps_root_create_table_masked(mps_root_t *root_o, mps_arena_t arena,
                                       mps_rank_t rank, mps_rm_t rm, mps_addr_t *base,
                                       size_t count, mps_word_t mask)
{
  ARGCHECK(count > 0, MPS_RES_PARAM);
  ARGCHECK(base != NULL, MPS_RES_PARAM);
  return rootCreateArea("mps_root_create_table_masked", root_o, arena, rank, rm, base,
                        base + count, mps_scan_area_tagged, NULL, mask, 0, TRUE);
}

mps_res_t mps_root_create_fmt(mps_root_t *root_o, mps_arena_t arena, mps_rank_t rank,
                              mps_rm_t rm, mps_fmt_scan_t fmt_scan, mps_addr_t base,
                              mps_addr_t limit)
{
  Root root;
  Res res;
  ARGCHECK(root_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(RANK_OK(rank), MPS_RES_PARAM);
  ARGCHECK(fmt_scan != NULL, MPS_RES_PARAM);
  ARGCHECK(base != NULL && (char *)base < (char *)limit, MPS_RES_PARAM);
  ArenaEnter(arena);
  res = RootCreateFmt(&root, arena, rank, rm, fmt_scan, base, limit);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *root_o = root;
  return MPS_RES_OK;
}

mps_res_t mps_root_create(mps_root_t *root_o, mps_arena_t arena, mps_rank_t rank,
                          mps_rm_t rm, mps_root_scan_t root_scan, void *p, size_t s)
{
  Root root;
  Res res;
  ARGCHECK(root_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(RANK_OK(rank), MPS_RES_PARAM);
  ARGCHECK(root_scan != NULL, MPS_RES_PARAM);
  UNUSED(rm);                   /* modes are permissions: none is needed */
  ArenaEnter(arena);
  res = RootCreateFun(&root, arena, rank, root_scan, p, s);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *root_o = root;
  return MPS_RES_OK;
}

static mps_res_t rootCreateThread(mps_root_t *root_o, mps_arena_t arena, mps_rank_t rank,
                                  mps_thr_t thr, mps_area_scan_t scan_area, void *closure,
                                  mps_word_t mask, mps_word_t pattern, Bool tagged,
                                  void *cold)
{
  Root root;
  Res res;
  ArenaEnter(arena);
  res = RootCreateThread(&root, arena, rank, thr, scan_area, closure, mask, pattern,
                         tagged, cold);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *root_o = root;
  return MPS_RES_OK;
}

mps_res_t mps_root_create_thread(mps_root_t *root_o, mps_arena_t arena, mps_thr_t thr,
                                 void *cold)
{
  ARGCHECK(root_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(TESTT(Thread, thr), MPS_RES_PARAM);
  ARGCHECK(thr->arena == arena, MPS_RES_PARAM);
  ARGCHECK(cold != NULL, MPS_RES_PARAM);
  return rootCreateThread(root_o, arena, RankAMBIG, thr, mps_scan_area_tagged, NULL,
                          sizeof(mps_word_t) - 1, 0, TRUE, cold);
}

mps_res_t mps_root_create_thread_tagged(mps_root_t *root_o, mps_arena_t arena,
                                        mps_rank_t rank, mps_rm_t rm, mps_thr_t thr,
                                        mps_area_scan_t scan_area, mps_word_t mask,
                                        mps_word_t pattern, void *cold)
{
  ARGCHECK(root_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(rank == RankAMBIG, MPS_RES_PARAM);   /* thread roots are ambiguous */
  ARGCHECK(rm == 0, MPS_RES_PARAM);
  ARGCHECK(TESTT(Thread, thr), MPS_RES_PARAM);
  ARGCHECK(thr->arena == arena, MPS_RES_PARAM); /* the thread is registered with the arena */
  ARGCHECK(scan_area != NULL, MPS_RES_PARAM);
  ARGCHECK(cold != NULL, MPS_RES_PARAM);
  return rootCreateThread(root_o, arena, rank, thr, scan_area, NULL, mask, pattern,
                          TRUE, cold);
}

mps_res_t mps_root_create_thread_scanned(mps_root_t *root_o, mps_arena_t arena,
                                         mps_rank_t rank, mps_rm_t rm, mps_thr_t thr,
                                         mps_area_scan_t scan_area, void *closure,
                                         void *cold)
{
  ARGCHECK(root_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(rank == RankAMBIG, MPS_RES_PARAM);   /* thread roots are ambiguous */
  ARGCHECK(rm == 0, MPS_RES_PARAM);
  ARGCHECK(TESTT(Thread, thr), MPS_RES_PARAM);
  ARGCHECK(thr->arena == arena, MPS_RES_PARAM); /* the thread is registered with the arena */
  ARGCHECK(scan_area != NULL, MPS_RES_PARAM);
  ARGCHECK(cold != NULL, MPS_RES_PARAM);
  return rootCreateThread(root_o, arena, rank, thr, scan_area, closure, 0, 0, FALSE, cold);
}

mps_res_t mps_root_create_reg(mps_root_t *root_o, mps_arena_t arena, mps_rank_t rank,
                              mps_rm_t rm, mps_thr_t thr, mps_reg_scan_t reg_scan,
                              void *p, size_t s)
{
  UNUSED(s);
  ARGCHECK(root_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ARGCHECK(rank == RankAMBIG, MPS_RES_PARAM);   /* thread roots are ambiguous */
  ARGCHECK(rm == 0, MPS_RES_PARAM);
  ARGCHECK(TESTT(Thread, thr), MPS_RES_PARAM);
  ARGCHECK(thr->arena == arena, MPS_RES_PARAM); /* the thread is registered with the arena */
  ARGCHECK(reg_scan == mps_stack_scan_ambig, MPS_RES_PARAM); /* the only scanner supported */
  ARGCHECK(p != NULL, MPS_RES_PARAM);
  return rootCreateThread(root_o, arena, RankAMBIG, thr, mps_scan_area_tagged, NULL,
                          sizeof(mps_word_t) - 1, 0, TRUE, p);
}

void mps_root_destroy(mps_root_t root)
{
  Arena arena;
  ARGCHECK_VOID(TESTT(Root, root));
  arena = root->arena;
  ArenaEnter(arena);
  RootDestroy(root);
  ArenaLeave(arena);
}

/* Threads */

mps_res_t mps_thread_reg(mps_thr_t *thr_o, mps_arena_t arena)
{
  Thread thread;
  Res res;
  ARGCHECK(thr_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ArenaEnter(arena);
  res = ThreadRegister(&thread, arena);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *thr_o = thread;
  return MPS_RES_OK;
}

void mps_thread_dereg(mps_thr_t thr)
{
  Arena arena;
  Ring node;
  ARGCHECK_VOID(TESTT(Thread, thr));
  arena = thr->arena;
  ArenaEnter(arena);
  for (node = arena->rootRing.next; node != &arena->rootRing; node = node->next) {
    Root root = RING_ELT(Root, arenaRing, node);
    if (root->var == RootTHREAD && root->the.thread.thread == thr) {
      ArenaLeave(arena);
      ARGCHECK_VOID(root->the.thread.thread != thr); /* its thread roots are destroyed */
      return;
    }
  }
  ThreadDeregister(thr);
  ArenaLeave(arena);
}

/* Collection control */

void mps_arena_clamp(mps_arena_t arena)
{
  ARGCHECK_VOID(TESTT(Arena, arena));
  ArenaEnter(arena);
  ArenaClamp(arena);
  ArenaLeave(arena);
}

void mps_arena_release(mps_arena_t arena)
{
  ARGCHECK_VOID(TESTT(Arena, arena));
  ArenaEnter(arena);
  ArenaRelease(arena);
  ArenaLeave(arena);
}

/* Entry points that may run the collector (TARN_ENTRY) do it inside
 * ThreadEntryRun (thread.h), so that a scan of the calling thread's stack
 * leaves out the manager's frames.  Their closures are initialised in
 * full before, in case their frames are scanned (thread.h: `hot`). */

static void arenaParkBody(Arena arena, void *closure)
{
  UNUSED(closure);
  ArenaPark(arena);
}

TARN_ENTRY void mps_arena_park(mps_arena_t arena)
{
  ARGCHECK_VOID(TESTT(Arena, arena));
  ArenaEnter(arena);
  ThreadEntryRun(arena, arenaParkBody, NULL);
  ArenaLeave(arena);
}

/* Called from debuggers and fatal error handlers, possibly on the thread
 * that holds the lock: it takes no lock (contract 4.4). */
void mps_arena_postmortem(mps_arena_t arena)
{
  ARGCHECK_VOID(TESTT(Arena, arena));
  arena->state = ArenaPOSTMORTEM;
  ArenaLowerBarriers(arena);
}

static void arenaCollectBody(Arena arena, void *closure)
{
  *(Res *)closure = ArenaCollect(arena, "the client asked for a full collection (mps_arena_collect)");
}

TARN_ENTRY mps_res_t mps_arena_collect(mps_arena_t arena)
{
  Res res = ResOK;
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ArenaEnter(arena);
  ThreadEntryRun(arena, arenaCollectBody, &res);
  ArenaLeave(arena);
  return res;
}

static void arenaStartCollectBody(Arena arena, void *closure)
{
  *(Res *)closure = ArenaStartCollect(arena, "the client asked for a full collection to start (mps_arena_start_collect)");
}

TARN_ENTRY mps_res_t mps_arena_start_collect(mps_arena_t arena)
{
  Res res = ResOK;
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ArenaEnter(arena);
  ThreadEntryRun(arena, arenaStartCollectBody, &res);
  ArenaLeave(arena);
  return res;
}

typedef struct ArenaStepStruct {
  double interval, multiplier;
  Bool work;                    /* out */
} ArenaStepStruct;

static void arenaStepBody(Arena arena, void *closure)
{
  ArenaStepStruct *step = closure;
  step->work = ArenaStep(arena, step->interval, step->multiplier);
}

TARN_ENTRY mps_bool_t mps_arena_step(mps_arena_t arena, double interval, double multiplier)
{
  ArenaStepStruct step;
  ARGCHECK(TESTT(Arena, arena), 0);
  ARGCHECK(interval >= 0.0, 0);
  ARGCHECK(multiplier >= 0.0, 0);
  step.interval = interval;
  step.multiplier = multiplier;
  step.work = FALSE;
  ArenaEnter(arena);
  ThreadEntryRun(arena, arenaStepBody, &step);
  ArenaLeave(arena);
  return step.work ? 1 : 0;
}

/* Messages */

#define MESSAGE_TYPE_OK(t) ((t) <= mps_message_type_gc_start())

void mps_message_type_enable(mps_arena_t arena, mps_message_type_t message_type)
{
  ARGCHECK_VOID(TESTT(Arena, arena));
  ARGCHECK_VOID(MESSAGE_TYPE_OK(message_type));
  ArenaEnter(arena);
  MessageTypeEnable(arena, message_type);
  ArenaLeave(arena);
}

void mps_message_type_disable(mps_arena_t arena, mps_message_type_t message_type)
{
  ARGCHECK_VOID(TESTT(Arena, arena));
  ARGCHECK_VOID(MESSAGE_TYPE_OK(message_type));
  ArenaEnter(arena);
  MessageTypeDisable(arena, message_type);
  ArenaLeave(arena);
}

mps_bool_t mps_message_poll(mps_arena_t arena)
{
  Bool b;
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnter(arena);
  b = !RingIsSingle(&arena->messageRing);
  ArenaLeave(arena);
  return b ? 1 : 0;
}

mps_bool_t mps_message_queue_type(mps_message_type_t *message_type_o, mps_arena_t arena)
{
  mps_message_type_t type;
  Bool b;
  ARGCHECK(message_type_o != NULL, 0);
  ARGCHECK(TESTT(Arena, arena), 0);
  ArenaEnter(arena);
  b = MessageQueueType(&type, arena);
  ArenaLeave(arena);
  if (!b)
    return 0;
  *message_type_o = type;
  return 1;
}

mps_bool_t mps_message_get(mps_message_t *message_o, mps_arena_t arena,
                           mps_message_type_t message_type)
{
  Message message;
  Bool b;
  ARGCHECK(message_o != NULL, 0);
  ARGCHECK(TESTT(Arena, arena), 0);
  ARGCHECK(MESSAGE_TYPE_OK(message_type), 0);
  ArenaEnter(arena);
  b = MessageGet(&message, arena, message_type);
  ArenaLeave(arena);
  if (!b)
    return 0;
  *message_o = message;
  return 1;
}

void mps_message_discard(mps_arena_t arena, mps_message_t message)
{
  ARGCHECK_VOID(TESTT(Arena, arena));
  ARGCHECK_VOID(TESTT(Message, message));
  ARGCHECK_VOID(message->arena == arena);
  ArenaEnter(arena);
  MessageDestroy(message);
  ArenaLeave(arena);
}

mps_message_type_t mps_message_type(mps_arena_t arena, mps_message_t message)
{
  ARGCHECK(TESTT(Arena, arena), 0);
  ARGCHECK(TESTT(Message, message), 0);
  return message->type;
}

mps_clock_t mps_message_clock(mps_arena_t arena, mps_message_t message)
{
  ARGCHECK(TESTT(Arena, arena), 0);
  ARGCHECK(TESTT(Message, message), 0);
  return message->type == mps_message_type_finalization() ? 0 : message->clock;
}

size_t mps_message_gc_live_size(mps_arena_t arena, mps_message_t message)
{
  ARGCHECK(TESTT(Arena, arena), 0);
  ARGCHECK(TESTT(Message, message) && message->type == mps_message_type_gc(), 0);
  return message->the.gc.live;
}

size_t mps_message_gc_condemned_size(mps_arena_t arena, mps_message_t message)
{
  ARGCHECK(TESTT(Arena, arena), 0);
  ARGCHECK(TESTT(Message, message) && message->type == mps_message_type_gc(), 0);
  return message->the.gc.condemned;
}

size_t mps_message_gc_not_condemned_size(mps_arena_t arena, mps_message_t message)
{
  ARGCHECK(TESTT(Arena, arena), 0);
  ARGCHECK(TESTT(Message, message) && message->type == mps_message_type_gc(), 0);
  return message->the.gc.notCondemned;
}

const char *mps_message_gc_start_why(mps_arena_t arena, mps_message_t message)
{
  ARGCHECK(TESTT(Arena, arena), NULL);
  ARGCHECK(TESTT(Message, message) && message->type == mps_message_type_gc_start(), NULL);
  return message->the.gcStart.why;
}

/* Walking */

mps_res_t mps_pool_walk(mps_pool_t pool, mps_area_scan_t scan_area, void *closure)
{
  Arena arena;
  Res res;
  ARGCHECK(TESTT(Pool, pool), MPS_RES_PARAM);
  ARGCHECK(scan_area != NULL, MPS_RES_PARAM);
  arena = PoolArena(pool);
  ARGCHECK(arena->state == ArenaPARKED || arena->state == ArenaPOSTMORTEM,
           MPS_RES_PARAM);      /* the arena is parked */
  if (pool->klass->walk == NULL)
    return MPS_RES_OK;
  ArenaEnter(arena);
  /* The callback may change references: lift the barriers and forget the
   * summaries of everything it may touch. */
  {
    Ring node;
    for (node = pool->segRing.next; node != &pool->segRing; node = node->next) {
      Seg seg = RING_ELT(Seg, poolRing, node);
      SegLowerBarrier(seg);
      if (SegRankSet(seg) != RankSetEMPTY)
        SegSetSummary(seg, ZoneSetUNIV);
    }
  }
  res = pool->klass->walk(pool, scan_area, closure);
  ArenaLeave(arena);
  return res;
}

typedef struct WalkStepperStruct {
  mps_formatted_objects_stepper_t f;
  Format format;
  Pool pool;
  void *p;
  size_t s;
} WalkStepperStruct;

/* An area scanner that hands each object of the run to the stepper. */
static mps_res_t walkObjects(mps_ss_t ss, void *base, void *limit, void *closure)
{
  WalkStepperStruct *w = closure;
  Addr obj = base;
  UNUSED(ss);
  while (obj < (Addr)limit) {
    Addr next = (Addr)w->format->skip(obj);
    w->f(obj, w->format, w->pool, w->p, w->s);
    obj = next;
  }
  return MPS_RES_OK;
}

void mps_arena_formatted_objects_walk(mps_arena_t arena, mps_formatted_objects_stepper_t f,
                                      void *p, size_t s)
{
  Ring node;
  ARGCHECK_VOID(TESTT(Arena, arena));
  ARGCHECK_VOID(f != NULL);
  ArenaEnter(arena);
  for (node = arena->poolRing.next; node != &arena->poolRing; node = node->next) {
    Pool pool = RING_ELT(Pool, arenaRing, node);
    WalkStepperStruct w;
    if (pool->format == NULL || pool->klass->walk == NULL)
      continue;
    w.f = f;
    w.format = pool->format;
    w.pool = pool;
    w.p = p;
    w.s = s;
    (void)pool->klass->walk(pool, walkObjects, &w);
  }
  ArenaLeave(arena);
}

/* mps_arena_roots_walk (deprecated): the roots are scanned with a scan
 * state whose fix reports each reference into automatic memory.  So as
 * not to burden _mps_fix2, every collected segment is made "white" for a
 * walk-only trace bit and its fix method pointed at the reporter for the
 * duration; the arena is parked, so no real trace can see this. */


typedef struct RootsWalkStruct {
  mps_roots_stepper_t f;
  Root root;
  void *p;
  size_t s;
} RootsWalkStruct;

static Res rootsWalkFix(Seg seg, ScanState ss, Addr *refIO)
{
  RootsWalkStruct *w = ss->walkClosure;
  UNUSED(seg);
  w->f((mps_addr_t *)refIO, w->root, w->p, w->s);
  return ResOK;
}

void mps_arena_roots_walk(mps_arena_t arena, mps_roots_stepper_t f, void *p, size_t s)
{
  Ring node;
  RootsWalkStruct w;
  ARGCHECK_VOID(TESTT(Arena, arena));
  ARGCHECK_VOID(f != NULL);
  ARGCHECK_VOID(arena->state == ArenaPARKED); /* the arena is parked */
  ArenaEnter(arena);
  TraceWalkSegsBegin(arena, rootsWalkFix);
  ThreadRingSuspend(arena);
  w.f = f;
  w.p = p;
  w.s = s;
  for (node = arena->rootRing.next; node != &arena->rootRing; node = node->next) {
    Root root = RING_ELT(Root, arenaRing, node);
    ScanStateStruct ss;
    ScanStateInit(&ss, WALK_TRACE, arena, root->rank, ZoneSetUNIV);
    ss.walkClosure = &w;
    w.root = root;
    (void)RootScan(&ss, root);
    ScanStateFinish(&ss);
  }
  ThreadRingResume(arena);
  TraceWalkSegsEnd(arena);
  ArenaLeave(arena);
}

mps_res_t mps_addr_object(mps_addr_t *p_o, mps_arena_t arena, mps_addr_t addr)
{
  Pool pool;
  Addr p;
  Res res;
  ARGCHECK(p_o != NULL, MPS_RES_PARAM);
  ARGCHECK(TESTT(Arena, arena), MPS_RES_PARAM);
  ArenaEnter(arena);
  if (!ArenaPoolOfAddr(&pool, arena, (Addr)addr))
    res = ResFAIL;
  else if (pool->klass->addrObject == NULL)
    res = ResUNIMPL;
  else
    res = pool->klass->addrObject(&p, pool, (Addr)addr);
  ArenaLeave(arena);
  if (res != ResOK)
    return res;
  *p_o = p;
  return MPS_RES_OK;
}

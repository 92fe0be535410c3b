/* args.c: keyword arguments (see args.h) */

#include "args.h"
#include "tarn.h"

ARG_DEFINE_KEY(ARGS_END);
ArgStruct mps_args_none[] = {{MPS_KEY_ARGS_END, {0}}};

/* Keys shared by several classes; class-specific keys live with their
 * classes. */
ARG_DEFINE_KEY(ARENA_GRAIN_SIZE);
ARG_DEFINE_KEY(ARENA_SIZE);
ARG_DEFINE_KEY(ARENA_ZONED);
ARG_DEFINE_KEY(TARN_WORKERS);
ARG_DEFINE_KEY(ARENA_EXTENDED);
ARG_DEFINE_KEY(ARENA_CONTRACTED);
ARG_DEFINE_KEY(FORMAT);
ARG_DEFINE_KEY(CHAIN);
ARG_DEFINE_KEY(GEN);
ARG_DEFINE_KEY(RANK);
ARG_DEFINE_KEY(COMMIT_LIMIT);
ARG_DEFINE_KEY(SPARE_COMMIT_LIMIT);
ARG_DEFINE_KEY(PAUSE_TIME);
ARG_DEFINE_KEY(EXTEND_BY);
ARG_DEFINE_KEY(LARGE_SIZE);
ARG_DEFINE_KEY(MIN_SIZE);
ARG_DEFINE_KEY(MEAN_SIZE);
ARG_DEFINE_KEY(MAX_SIZE);
ARG_DEFINE_KEY(ALIGN);
ARG_DEFINE_KEY(SPARE);
ARG_DEFINE_KEY(INTERIOR);
ARG_DEFINE_KEY(VMW3_TOP_DOWN);
ARG_DEFINE_KEY(FMT_ALIGN);
ARG_DEFINE_KEY(FMT_HEADER_SIZE);
ARG_DEFINE_KEY(FMT_SCAN);
ARG_DEFINE_KEY(FMT_SKIP);
ARG_DEFINE_KEY(FMT_FWD);
ARG_DEFINE_KEY(FMT_ISFWD);
ARG_DEFINE_KEY(FMT_PAD);
ARG_DEFINE_KEY(FMT_CLASS);
ARG_DEFINE_KEY(AP_HASH_ARRAYS);
ARG_DEFINE_KEY(POOL_DEBUG_OPTIONS);

/* A list is well formed if it is terminated within a sane length and every
 * key carries the key signature. */
Bool ArgListCheck(ArgList args)
{
  Index i;
  if (args == NULL)
    return FALSE;
  for (i = 0; i < 1000; ++i) {
    if (args[i].key == NULL || args[i].key->sig != KeySig)
      return FALSE;
    if (args[i].key == MPS_KEY_ARGS_END)
      return TRUE;
  }
  return FALSE;
}

Bool ArgPick(ArgStruct *argReturn, ArgList args, Key key)
{
  Index i;
  AVER(args != NULL);
  for (i = 0; args[i].key != MPS_KEY_ARGS_END; ++i) {
    if (args[i].key == key) {
      *argReturn = args[i];
      do {
        args[i] = args[i + 1];
        ++i;
      } while (args[i - 1].key != MPS_KEY_ARGS_END);
      return TRUE;
    }
  }
  return FALSE;
}

Bool ArgRequire(ArgStruct *argReturn, ArgList args, Key key, const char *func)
{
  char rule[128];
  Size i = 0;
  const char *s;
  if (ArgPick(argReturn, args, key))
    return TRUE;
  for (s = key->name; *s != '\0' && i < sizeof rule - 16; ++s)
    rule[i++] = *s;
  for (s = " is required"; *s != '\0'; ++s)
    rule[i++] = *s;
  rule[i] = '\0';
  ArgFail(__FILE__, __LINE__, func, rule);
  return FALSE;
}

/* MPS_ARGS_ADD on a full list lands here. */
void _mps_args_full(void)
{
  ArgFail(__FILE__, __LINE__, "MPS_ARGS_ADD", "argument list has room (MPS_ARGS_MAX)");
}

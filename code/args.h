/* args.h: keyword arguments
 *
 * A keyword argument list is an array of mps_arg_s ended by
 * MPS_KEY_ARGS_END.  Functions taking lists consume the keys they
 * recognise: ArgPick finds the first occurrence of a key, copies it out and
 * removes it from the array (later elements move down), so that after the
 * call the array holds only what nobody used.  Unknown keys are ignored.
 */

#ifndef tarn_args_h
#define tarn_args_h

#include "types.h"
#include "check.h"

#define KeySig ((Sig)0x519E1C0D)

struct mps_key_s {
  Sig sig;
  const char *name;
};

/* Define the key object behind MPS_KEY_<name>. */
#define ARG_DEFINE_KEY(name) \
  const struct mps_key_s _mps_key_##name = {KeySig, "MPS_KEY_" #name}

extern Bool ArgListCheck(ArgList args);
extern Bool ArgPick(ArgStruct *argReturn, ArgList args, Key key);
/* Pick a key the client must give to func; if it is missing, report
 * "func: MPS_KEY_X is required" and return FALSE (callers return
 * ResPARAM). */
extern Bool ArgRequire(ArgStruct *argReturn, ArgList args, Key key, const char *func);

#endif /* tarn_args_h */

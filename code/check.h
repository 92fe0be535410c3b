/* check.h: assertions, argument checks and structure signatures
 *
 * Every structure begins (or, where a public part must come first, carries)
 * a signature word.  A Check function per structure tests the signature and
 * the invariants; AVERT(Type, p) calls TypeCheck(p) in the checked variety.
 *
 * Two kinds of test:
 *  - AVER(cond): an internal invariant.  Compiled in only in the cool
 *    variety (CONFIG_VAR_COOL).  Failure means a bug in Tarn.
 *  - ARGCHECK(cond, ret): a rule of the interface.  Compiled in the cool and
 *    hot varieties.  Failure means the client broke the contract; the
 *    assertion handler is told which function and which rule, and if it
 *    returns, the function returns `ret` without touching anything.
 */

#ifndef tarn_check_h
#define tarn_check_h

#include "types.h"
#include "mpslib.h"

/* Signatures: distinct, unlikely bit patterns.  A destroyed structure gets
 * SigINVALID so that a dangling handle fails its check. */
#define SigINVALID ((Sig)0x51960BAD)

extern void CheckFail(const char *file, unsigned line, const char *cond);
extern void ArgFail(const char *file, unsigned line, const char *func, const char *cond);

#if TARN_CHECK_INTERNAL
#define AVER(cond) \
  ((cond) ? (void)0 : CheckFail(__FILE__, __LINE__, #cond))
#define AVERT(type, p) \
  (type##Check(p) ? (void)0 : CheckFail(__FILE__, __LINE__, #type "Check(" #p ")"))
#define CHECKING 1
#else
#define AVER(cond) ((void)0)
#define AVERT(type, p) ((void)0)
#define CHECKING 0
#endif

/* Checks inside Check functions: return FALSE from the enclosing function
 * after reporting which invariant failed. */
#define CHECKL(cond) \
  do { if (!(cond)) { CheckFail(__FILE__, __LINE__, #cond); return FALSE; } } while (0)
#define CHECKS(type, p) CHECKL((p) != NULL && (p)->sig == type##Sig)
#define CHECKD(type, p) CHECKL(type##Check(p))

#define NOTREACHED CheckFail(__FILE__, __LINE__, "unreachable code")

#if TARN_CHECK_ARGS
#define ARGCHECK(cond, ret) \
  do { if (!(cond)) { ArgFail(__FILE__, __LINE__, __func__, #cond); return ret; } } while (0)
#define ARGCHECK_VOID(cond) \
  do { if (!(cond)) { ArgFail(__FILE__, __LINE__, __func__, #cond); return; } } while (0)
/* For checks made below the interface, naming the interface function the
 * client called (e.g. a pool class checking its keyword arguments for
 * mps_pool_create_k). */
#define ARGCHECKF(func, cond, ret) \
  do { if (!(cond)) { ArgFail(__FILE__, __LINE__, (func), #cond); return ret; } } while (0)
#else
/* sizeof keeps the variables in cond "used" without evaluating it. */
#define ARGCHECK(cond, ret) ((void)sizeof(cond))
#define ARGCHECK_VOID(cond) ((void)sizeof(cond))
#define ARGCHECKF(func, cond, ret) ((void)sizeof(cond))
#endif

/* TESTT: the cheap check used on interface arguments: the pointer is
 * non-null and carries the type's signature. */
#define TESTT(type, p) ((p) != NULL && (p)->sig == type##Sig)

#define UNUSED(x) ((void)(x))

#endif /* tarn_check_h */

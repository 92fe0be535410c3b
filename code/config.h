/* config.h: build configuration of Tarn
 *
 * The variety decides how much checking is compiled in (design: checking).
 *   CONFIG_VAR_COOL  every internal invariant is checked (AVER), including on
 *                    the critical path; interface arguments are checked.
 *   CONFIG_VAR_HOT   the default: interface arguments are checked, internal
 *                    AVERs are compiled out.
 *   CONFIG_VAR_RASH  nothing is checked.
 * A client compiling code/mps.c picks one with -D; configure's
 * --enable-checking selects COOL for the library.
 */

#ifndef tarn_config_h
#define tarn_config_h

#if defined(CONFIG_VAR_COOL)
#define TARN_CHECK_INTERNAL 1
#define TARN_CHECK_ARGS 1
#define TARN_VARIETY "cool"
#elif defined(CONFIG_VAR_RASH)
#define TARN_CHECK_INTERNAL 0
#define TARN_CHECK_ARGS 0
#define TARN_VARIETY "rash"
#else /* CONFIG_VAR_HOT is the default */
#define TARN_CHECK_INTERNAL 0
#define TARN_CHECK_ARGS 1
#define TARN_VARIETY "hot"
#endif

/* Without CONFIG_THREAD_SINGLE the arena lock is a real mutex. */
#if defined(CONFIG_THREAD_SINGLE)
#define TARN_THREADS 0
#else
#define TARN_THREADS 1
#endif

/* Signals used to suspend and resume registered threads (issue 6). */
#ifndef CONFIG_PTHREADEXT_SIGSUSPEND
#define CONFIG_PTHREADEXT_SIGSUSPEND SIGXCPU
#endif
#ifndef CONFIG_PTHREADEXT_SIGRESUME
#define CONFIG_PTHREADEXT_SIGRESUME SIGXFSZ
#endif

/* Valgrind client requests are compiled in when the headers are found
 * (configure defines HAVE_VALGRIND_MEMCHECK_H; a client build of mps.c can
 * define TARN_VALGRIND=1 itself).  Without them the requests are no-ops. */
#if !defined(TARN_VALGRIND)
#if defined(HAVE_VALGRIND_MEMCHECK_H)
#define TARN_VALGRIND 1
#elif defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#define TARN_VALGRIND 1
#else
#define TARN_VALGRIND 0
#endif
#else
#define TARN_VALGRIND 0
#endif
#endif

#define TARN_VERSION "0.1.0"

#endif /* tarn_config_h */

/* mpstd.h: Tarn platform description (MPS 1.118 compatible)
 *
 * Works out which platform is being compiled for, using only the
 * compiler's predefined macros, and describes it.  For the detected
 * platform it defines:
 *
 *   MPS_PF_<CODE>    and MPS_PF_STRING, the six-letter code
 *                    (OS, architecture, compiler), e.g. "lii6gc"
 *   MPS_OS_<OS>      FR FreeBSD, LI Linux, W3 Windows, XC macOS
 *   MPS_ARCH_<ARCH>  A6 ARM64, I3 IA-32, I6 x86-64
 *   MPS_BUILD_<CC>   GC GCC, LL Clang, MV Microsoft, PC Pelles C
 *   MPS_T_WORD       unsigned integer type as wide as a pointer
 *   MPS_T_ULONGEST   widest unsigned integer type used for output
 *   MPS_WORD_WIDTH   bits in MPS_T_WORD
 *   MPS_WORD_SHIFT   log2 of MPS_WORD_WIDTH
 *   MPS_PF_ALIGN     natural alignment of the platform
 *
 * This header includes nothing.  Clang also defines __GNUC__, so it is
 * tested for first wherever the two compilers have different codes.
 *
 * If CONFIG_PF_STRING is defined (a build asking for a particular
 * platform), the matching CONFIG_PF_<CODE> must be defined too; the
 * preprocessor cannot compare strings, so the check is on that macro.
 * A CONFIG_PF_ANSI build skips the check.
 */

#ifndef mpstd_h
#define mpstd_h

#if defined(CONFIG_PF_STRING) && !defined(CONFIG_PF_ANSI)
#define MPSTD_CHECK_PF_ 1
#else
#define MPSTD_CHECK_PF_ 0
#endif


/* Windows */

#if defined(__POCC__) && defined(_WIN32) && defined(_WIN64) \
    && defined(_M_X64)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_W3I6PC)
#error "CONFIG_PF_STRING does not match the detected platform w3i6pc"
#endif
#define MPS_PF_W3I6PC
#define MPS_PF_STRING   "w3i6pc"
#define MPS_OS_W3
#define MPS_ARCH_I6
#define MPS_BUILD_PC
#define MPS_T_WORD      unsigned __int64
#define MPS_T_ULONGEST  unsigned __int64
#define MPS_WORD_WIDTH  64
#define MPS_WORD_SHIFT  6
#define MPS_PF_ALIGN    16

#elif defined(__POCC__) && defined(_WIN32) && defined(_M_IX86)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_W3I3PC)
#error "CONFIG_PF_STRING does not match the detected platform w3i3pc"
#endif
#define MPS_PF_W3I3PC
#define MPS_PF_STRING   "w3i3pc"
#define MPS_OS_W3
#define MPS_ARCH_I3
#define MPS_BUILD_PC
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  32
#define MPS_WORD_SHIFT  5
#define MPS_PF_ALIGN    8

#elif defined(_MSC_VER) && defined(_WIN32) && defined(_WIN64) \
      && defined(_M_X64)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_W3I6MV)
#error "CONFIG_PF_STRING does not match the detected platform w3i6mv"
#endif
#define MPS_PF_W3I6MV
#define MPS_PF_STRING   "w3i6mv"
#define MPS_OS_W3
#define MPS_ARCH_I6
#define MPS_BUILD_MV
#define MPS_T_WORD      unsigned __int64
#define MPS_T_ULONGEST  unsigned __int64
#define MPS_WORD_WIDTH  64
#define MPS_WORD_SHIFT  6
#define MPS_PF_ALIGN    16

#elif defined(_MSC_VER) && defined(_WIN32) && defined(_M_IX86)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_W3I3MV)
#error "CONFIG_PF_STRING does not match the detected platform w3i3mv"
#endif
#define MPS_PF_W3I3MV
#define MPS_PF_STRING   "w3i3mv"
#define MPS_OS_W3
#define MPS_ARCH_I3
#define MPS_BUILD_MV
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  32
#define MPS_WORD_SHIFT  5
#define MPS_PF_ALIGN    8


/* macOS */

#elif defined(__APPLE__) && defined(__MACH__) && defined(__i386__) \
      && defined(__clang__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_XCI3LL)
#error "CONFIG_PF_STRING does not match the detected platform xci3ll"
#endif
#define MPS_PF_XCI3LL
#define MPS_PF_STRING   "xci3ll"
#define MPS_OS_XC
#define MPS_ARCH_I3
#define MPS_BUILD_LL
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  32
#define MPS_WORD_SHIFT  5
#define MPS_PF_ALIGN    4

#elif defined(__APPLE__) && defined(__MACH__) && defined(__i386__) \
      && defined(__GNUC__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_XCI3GC)
#error "CONFIG_PF_STRING does not match the detected platform xci3gc"
#endif
#define MPS_PF_XCI3GC
#define MPS_PF_STRING   "xci3gc"
#define MPS_OS_XC
#define MPS_ARCH_I3
#define MPS_BUILD_GC
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  32
#define MPS_WORD_SHIFT  5
#define MPS_PF_ALIGN    4

#elif defined(__APPLE__) && defined(__MACH__) && defined(__x86_64__) \
      && defined(__clang__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_XCI6LL)
#error "CONFIG_PF_STRING does not match the detected platform xci6ll"
#endif
#define MPS_PF_XCI6LL
#define MPS_PF_STRING   "xci6ll"
#define MPS_OS_XC
#define MPS_ARCH_I6
#define MPS_BUILD_LL
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  64
#define MPS_WORD_SHIFT  6
#define MPS_PF_ALIGN    8

#elif defined(__APPLE__) && defined(__MACH__) && defined(__x86_64__) \
      && defined(__GNUC__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_XCI6GC)
#error "CONFIG_PF_STRING does not match the detected platform xci6gc"
#endif
#define MPS_PF_XCI6GC
#define MPS_PF_STRING   "xci6gc"
#define MPS_OS_XC
#define MPS_ARCH_I6
#define MPS_BUILD_GC
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  64
#define MPS_WORD_SHIFT  6
#define MPS_PF_ALIGN    8

#elif defined(__APPLE__) && defined(__MACH__) \
      && (defined(__arm64__) || defined(__aarch64__)) && defined(__clang__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_XCA6LL)
#error "CONFIG_PF_STRING does not match the detected platform xca6ll"
#endif
#define MPS_PF_XCA6LL
#define MPS_PF_STRING   "xca6ll"
#define MPS_OS_XC
#define MPS_ARCH_A6
#define MPS_BUILD_LL
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  64
#define MPS_WORD_SHIFT  6
#define MPS_PF_ALIGN    8


/* Linux */

#elif defined(__linux__) && defined(__i386__) && defined(__GNUC__)
/* 1.118 has no lii3ll: Clang on Linux IA-32 also builds as lii3gc. */
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_LII3GC)
#error "CONFIG_PF_STRING does not match the detected platform lii3gc"
#endif
#define MPS_PF_LII3GC
#define MPS_PF_STRING   "lii3gc"
#define MPS_OS_LI
#define MPS_ARCH_I3
#define MPS_BUILD_GC
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  32
#define MPS_WORD_SHIFT  5
#define MPS_PF_ALIGN    4

#elif defined(__linux__) && defined(__x86_64__) && defined(__clang__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_LII6LL)
#error "CONFIG_PF_STRING does not match the detected platform lii6ll"
#endif
#define MPS_PF_LII6LL
#define MPS_PF_STRING   "lii6ll"
#define MPS_OS_LI
#define MPS_ARCH_I6
#define MPS_BUILD_LL
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  64
#define MPS_WORD_SHIFT  6
#define MPS_PF_ALIGN    8

#elif defined(__linux__) && defined(__x86_64__) && defined(__GNUC__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_LII6GC)
#error "CONFIG_PF_STRING does not match the detected platform lii6gc"
#endif
#define MPS_PF_LII6GC
#define MPS_PF_STRING   "lii6gc"
#define MPS_OS_LI
#define MPS_ARCH_I6
#define MPS_BUILD_GC
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  64
#define MPS_WORD_SHIFT  6
#define MPS_PF_ALIGN    8

#elif defined(__linux__) && defined(__aarch64__) && defined(__clang__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_LIA6LL)
#error "CONFIG_PF_STRING does not match the detected platform lia6ll"
#endif
#define MPS_PF_LIA6LL
#define MPS_PF_STRING   "lia6ll"
#define MPS_OS_LI
#define MPS_ARCH_A6
#define MPS_BUILD_LL
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  64
#define MPS_WORD_SHIFT  6
#define MPS_PF_ALIGN    8

#elif defined(__linux__) && defined(__aarch64__) && defined(__GNUC__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_LIA6GC)
#error "CONFIG_PF_STRING does not match the detected platform lia6gc"
#endif
#define MPS_PF_LIA6GC
#define MPS_PF_STRING   "lia6gc"
#define MPS_OS_LI
#define MPS_ARCH_A6
#define MPS_BUILD_GC
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  64
#define MPS_WORD_SHIFT  6
#define MPS_PF_ALIGN    8


/* FreeBSD */

#elif defined(__FreeBSD__) && defined(__i386__) && defined(__clang__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_FRI3LL)
#error "CONFIG_PF_STRING does not match the detected platform fri3ll"
#endif
#define MPS_PF_FRI3LL
#define MPS_PF_STRING   "fri3ll"
#define MPS_OS_FR
#define MPS_ARCH_I3
#define MPS_BUILD_LL
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  32
#define MPS_WORD_SHIFT  5
#define MPS_PF_ALIGN    4

#elif defined(__FreeBSD__) && defined(__i386__) && defined(__GNUC__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_FRI3GC)
#error "CONFIG_PF_STRING does not match the detected platform fri3gc"
#endif
#define MPS_PF_FRI3GC
#define MPS_PF_STRING   "fri3gc"
#define MPS_OS_FR
#define MPS_ARCH_I3
#define MPS_BUILD_GC
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  32
#define MPS_WORD_SHIFT  5
#define MPS_PF_ALIGN    4

#elif defined(__FreeBSD__) && (defined(__x86_64__) || defined(__amd64__)) \
      && defined(__clang__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_FRI6LL)
#error "CONFIG_PF_STRING does not match the detected platform fri6ll"
#endif
#define MPS_PF_FRI6LL
#define MPS_PF_STRING   "fri6ll"
#define MPS_OS_FR
#define MPS_ARCH_I6
#define MPS_BUILD_LL
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  64
#define MPS_WORD_SHIFT  6
#define MPS_PF_ALIGN    8

#elif defined(__FreeBSD__) && (defined(__x86_64__) || defined(__amd64__)) \
      && defined(__GNUC__)
#if MPSTD_CHECK_PF_ && !defined(CONFIG_PF_FRI6GC)
#error "CONFIG_PF_STRING does not match the detected platform fri6gc"
#endif
#define MPS_PF_FRI6GC
#define MPS_PF_STRING   "fri6gc"
#define MPS_OS_FR
#define MPS_ARCH_I6
#define MPS_BUILD_GC
#define MPS_T_WORD      unsigned long
#define MPS_T_ULONGEST  unsigned long
#define MPS_WORD_WIDTH  64
#define MPS_WORD_SHIFT  6
#define MPS_PF_ALIGN    8

#else
#error "mpstd.h: unknown platform; Tarn has no description of it"
#endif

#undef MPSTD_CHECK_PF_

#endif /* mpstd_h */

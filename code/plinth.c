/* plinth.c: the default plinth, on the standard C library
 *
 * The manager reaches the outside world only through these functions
 * (mpslib.h and mpsio.h).  A client that defines CONFIG_PLINTH_NONE when
 * compiling mps.c supplies its own.  They may be called from a fault
 * handler, so they keep no state beyond a few globals.
 */

#include "config.h"

#ifndef CONFIG_PLINTH_NONE

#include "mps.h"
#include "mpslib.h"
#include "mpsio.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ctype.h>

int mps_lib_get_EOF(void)
{
  return EOF;
}

mps_lib_FILE *mps_lib_get_stderr(void)
{
  return (mps_lib_FILE *)stderr;
}

mps_lib_FILE *mps_lib_get_stdout(void)
{
  return (mps_lib_FILE *)stdout;
}

int mps_lib_fputc(int c, mps_lib_FILE *stream)
{
  return fputc(c, (FILE *)stream);
}

int mps_lib_fputs(const char *s, mps_lib_FILE *stream)
{
  return fputs(s, (FILE *)stream);
}

static void plinthAssertDefault(const char *file, unsigned line, const char *condition)
{
  fflush(stdout);
  fprintf(stderr, "%s:%u: Tarn assertion failed: %s\n", file, line, condition);
  fflush(stderr);
  mps_telemetry_flush();
#if defined(CONFIG_VAR_COOL)
  abort();
#endif
}

static mps_lib_assert_fail_t plinthAssertHandler = plinthAssertDefault;

void mps_lib_assert_fail(const char *file, unsigned line, const char *condition)
{
  plinthAssertHandler(file, line, condition);
}

mps_lib_assert_fail_t mps_lib_assert_fail_install(mps_lib_assert_fail_t handler)
{
  mps_lib_assert_fail_t old = plinthAssertHandler;
  plinthAssertHandler = handler != NULL ? handler : plinthAssertDefault;
  return old;
}

void *(mps_lib_memset)(void *s, int c, size_t n)
{
  return memset(s, c, n);
}

void *(mps_lib_memcpy)(void *dest, const void *source, size_t n)
{
  return memcpy(dest, source, n);
}

int (mps_lib_memcmp)(const void *s1, const void *s2, size_t n)
{
  return memcmp(s1, s2, n);
}

/* The clock is monotonic, in microseconds: scheduling and telemetry want
 * elapsed time that never goes backwards. */
mps_clock_t mps_clock(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (mps_clock_t)ts.tv_sec * 1000000 + (mps_clock_t)ts.tv_nsec / 1000;
}

mps_clock_t mps_clocks_per_sec(void)
{
  return 1000000;
}

/* MPS_TELEMETRY_CONTROL: a number, or category names separated by spaces
 * (case does not matter), or "all". */
unsigned long mps_lib_telemetry_control(void)
{
  static const char *const names[] = {"arena", "pool", "trace", "seg", "ref", "object", "user"};
  const char *s = getenv("MPS_TELEMETRY_CONTROL");
  unsigned long mask = 0;
  char word[16];
  if (s == NULL)
    return 0;
  if (isdigit((unsigned char)*s))
    return strtoul(s, NULL, 0);
  while (*s != '\0') {
    size_t n = 0, i;
    while (*s == ' ' || *s == ',')
      ++s;
    while (*s != '\0' && *s != ' ' && *s != ',') {
      if (n < sizeof word - 1)
        word[n++] = (char)tolower((unsigned char)*s);
      ++s;
    }
    word[n] = '\0';
    if (strcmp(word, "all") == 0)
      mask = ~0UL;
    for (i = 0; i < sizeof names / sizeof names[0]; ++i)
      if (strcmp(word, names[i]) == 0)
        mask |= 1UL << i;
  }
  return mask;
}

/* I/O: the telemetry stream is a binary file. */

static FILE *plinthIOStream = NULL;

mps_res_t mps_io_create(mps_io_t *io_o)
{
  const char *name = getenv("MPS_TELEMETRY_FILENAME");
  FILE *f;
  if (plinthIOStream != NULL)
    return MPS_RES_LIMIT;
  if (name == NULL)
    name = "mpsio.log";
  f = fopen(name, "wb");
  if (f == NULL)
    return MPS_RES_IO;
  plinthIOStream = f;
  *io_o = (mps_io_t)f;
  return MPS_RES_OK;
}

void mps_io_destroy(mps_io_t io)
{
  FILE *f = (FILE *)io;
  if (f == plinthIOStream)
    plinthIOStream = NULL;
  (void)fclose(f);
}

mps_res_t mps_io_write(mps_io_t io, void *buf, size_t size)
{
  return fwrite(buf, 1, size, (FILE *)io) == size ? MPS_RES_OK : MPS_RES_IO;
}

mps_res_t mps_io_flush(mps_io_t io)
{
  return fflush((FILE *)io) == 0 ? MPS_RES_OK : MPS_RES_IO;
}

#endif /* CONFIG_PLINTH_NONE */

/* memchecktest.c: Valgrind's memcheck sees what Tarn does with memory
 *
 * Tarn tells memcheck (code/vgmem.h) when memory becomes an object, free,
 * or reclaimed, so that memcheck can catch a client using memory it no
 * longer owns.  This test runs itself as a child under valgrind in
 * several modes and checks memcheck's verdict (exit code and report):
 *   ams-dead   an AMS object no root reaches is reclaimed by a collection,
 *              then read: memcheck reports an invalid read at that address;
 *   lo-dead    the same in an LO pool;
 *   ams-live   the same object kept by a root: no error (so the error
 *              above comes from reclaiming, not from the read itself);
 *   mvff-freed a block read after mps_free: invalid read;
 *   fence      a byte written just past a block of an MVFF debug pool,
 *              into its fencepost: invalid write.
 * The children run with Tarn's barriers off, Tarn's default under
 * Valgrind (manual/debugging.md), and then the collected modes again with
 * barriers on (TARN_VALGRIND_BARRIERS): memcheck treats mprotect as
 * making a range addressable and defined, so Tarn marks a segment's free
 * memory no-access again after each change of its protection, and the
 * reclaimed object must still be reported.
 * The test runs only under `make check-valgrind` (which sets
 * TARN_UNDER_VALGRIND), or when TARN_MEMCHECKTEST is set: a plain `make
 * check` reports it skipped (exit 77), since nothing in it runs without
 * Valgrind.  Where it runs, Valgrind must work: if it cannot be started
 * the test fails rather than skips (check-valgrind promised it).  A
 * sanitizer build skips it (Valgrind cannot run ASan binaries).
 * The child's objects are kept by nothing but exact roots: no thread is
 * registered, so no stack is scanned.  When this test itself runs under
 * valgrind (make check-valgrind), the inner valgrind is started with the
 * outer one's preloaded libraries removed from the environment.
 */

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscams.h"
#include "mpsclo.h"
#include "mpscmvff.h"
#include <string.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#define ERROR_EXIT 42

#if defined(__SANITIZE_ADDRESS__)
#define TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define TEST_SANITIZED 1
#endif
#endif

/* The child */

static mps_addr_t rootTable[2];
static volatile uintptr_t hidden; /* an address no scan can see */

static int childCollected(const char *mode)
{
  mps_arena_t arena;
  mps_fmt_t fmt;
  mps_pool_t pool;
  mps_ap_t ap;
  mps_root_t root;
  testobj_t a, b;
  int lo = strcmp(mode, "lo-dead") == 0;
  int live = strcmp(mode, "ams-live") == 0;
  size_t freeBefore, freeAfter;
  volatile mps_word_t *target;
  mps_word_t word;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(testfmt_create(&fmt, arena, 0), "format");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    die(mps_pool_create_k(&pool, arena, lo ? mps_class_lo() : mps_class_ams(), args), "pool");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, rootTable, 2), "root");
  mps_arena_park(arena);
  die(testobj_alloc(&a, ap, 1, 0, 30), "alloc");
  die(testobj_alloc(&b, ap, 2, 0, 30), "alloc");
  rootTable[0] = a;
  if (live)
    rootTable[1] = b;
  hidden = (uintptr_t)b ^ 0x5A5A5A5AUL;
  b = NULL;
  mps_ap_destroy(ap);           /* only reclaiming changes the free size now */
  freeBefore = mps_pool_free_size(pool);
  die(mps_arena_collect(arena), "collect");
  mps_arena_park(arena);
  freeAfter = mps_pool_free_size(pool);
  check(testobj_ok(a));
  /* The dead object was reclaimed (its bytes are free now), the live one
   * was not. */
  check(live ? freeAfter == freeBefore : freeAfter >= freeBefore + testobj_size(0, 30));

  target = (volatile mps_word_t *)(hidden ^ 0x5A5A5A5AUL) + 1;
  printf("reading %p\n", (void *)target);
  fflush(stdout);
  word = *target;               /* invalid unless the object is live */
  if (live)
    check(word == 2);           /* its id */

  rootTable[0] = rootTable[1] = NULL;
  mps_root_destroy(root);
  mps_pool_destroy(pool);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);
  return 0;
}

static int childMVFF(const char *mode)
{
  mps_arena_t arena;
  mps_pool_t pool;
  int fence = strcmp(mode, "fence") == 0;
  char *p;
  void *q;

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_pool_create_k(&pool, arena, fence ? mps_class_mvff_debug() : mps_class_mvff(),
                        mps_args_none), "pool");
  die(mps_alloc(&q, pool, 100), "keeper");
  die(mps_alloc((mps_addr_t *)&p, pool, 13), "mps_alloc");
  memset(p, 1, 13);
  if (fence) {
    printf("writing %p\n", (void *)(p + 13));
    fflush(stdout);
    p[13] = 'x';                /* one past the end: into the fencepost */
    p[13] = 'P';                /* (put the byte back: no report from Tarn) */
    mps_free(pool, p, 13);
  } else {
    volatile char *v = p;
    char c;
    mps_free(pool, p, 13);
    printf("reading %p\n", (void *)(p + 4));
    fflush(stdout);
    c = v[4];
    (void)c;
  }
  mps_free(pool, q, 100);
  mps_pool_destroy(pool);
  mps_arena_destroy(arena);
  return 0;
}

static int child(const char *mode)
{
  if (strcmp(mode, "mvff-freed") == 0 || strcmp(mode, "fence") == 0)
    return childMVFF(mode);
  return childCollected(mode);
}


/* The parent */

static char self[4096];
static char output[1 << 16];

/* If this process itself runs under valgrind (make check-valgrind), the
 * environment preloads valgrind's client libraries; the inner valgrind
 * must not inherit them. */
static void dropValgrindPreload(void)
{
  const char *preload = getenv("LD_PRELOAD");
  char kept[4096];
  size_t k = 0;
  if (preload == NULL || strstr(preload, "vgpreload") == NULL)
    return;
  while (*preload != '\0') {
    size_t n = strcspn(preload, ": ");
    char item[4096];
    snprintf(item, sizeof item, "%.*s", (int)n, preload);
    if (n > 0 && strstr(item, "vgpreload") == NULL && k + n + 2 < sizeof kept) {
      if (k > 0)
        kept[k++] = ':';
      memcpy(kept + k, preload, n);
      k += n;
    }
    preload += n;
    if (*preload != '\0')
      ++preload;
  }
  kept[k] = '\0';
  if (k > 0)
    setenv("LD_PRELOAD", kept, 1);
  else
    unsetenv("LD_PRELOAD");
}

/* Run this program under valgrind in mode; return its exit status (-1 if
 * valgrind could not be run) and leave its output in output[]. */
static int runChild(const char *mode, int barriers)
{
  int fds[2], status;
  size_t got = 0;
  pid_t pid;
  const char *valgrind = getenv("VALGRIND");
  if (valgrind == NULL || *valgrind == '\0')
    valgrind = "valgrind";
  if (pipe(fds) != 0)
    testFail(__FILE__, __LINE__, "pipe");
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0)
    testFail(__FILE__, __LINE__, "fork");
  if (pid == 0) {
    char errorExit[32];
    snprintf(errorExit, sizeof errorExit, "--error-exitcode=%d", ERROR_EXIT);
    dropValgrindPreload();
    if (barriers)
      setenv("TARN_VALGRIND_BARRIERS", "1", 1);
    else
      unsetenv("TARN_VALGRIND_BARRIERS");
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    execlp(valgrind, valgrind, "-q", errorExit,
           "--vex-iropt-register-updates=allregs-at-mem-access", "--vex-guest-chase=no",
           self, "child", mode, (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  for (;;) {
    ssize_t n = read(fds[0], output + got, sizeof output - 1 - got);
    if (n <= 0)
      break;
    got += (size_t)n;
    if (got == sizeof output - 1)
      break;
  }
  output[got] = '\0';
  close(fds[0]);
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
    return -2;
  if (WEXITSTATUS(status) == 127)
    return -1;
  return WEXITSTATUS(status);
}

/* The address the child said it would touch, as memcheck prints it. */
static const char *childTarget(const char *verb, char *buf, size_t size)
{
  const char *s = strstr(output, verb);
  void *p;
  if (s == NULL || sscanf(s + strlen(verb), " %p", &p) != 1)
    return NULL;
  snprintf(buf, size, "Address %p ", p);
  return buf;
}

static void expect(const char *mode, int barriers, int error, const char *kind,
                   const char *verb)
{
  int rc = runChild(mode, barriers);
  char addr[64];
  printf("%s%s: valgrind exit %d\n", mode, barriers ? " (barriers on)" : "", rc);
  if (rc == -1)
    testFail(__FILE__, __LINE__, "valgrind could not be started (is VALGRIND right?)");
  if (error) {
    const char *a = childTarget(verb, addr, sizeof addr);
    if (rc != ERROR_EXIT || strstr(output, kind) == NULL || a == NULL
        || strstr(output, a) == NULL) {
      fprintf(stderr, "--- child output (%s) ---\n%s---\n", mode, output);
      testFail(__FILE__, __LINE__, "memcheck reports the access, at the object's address");
    }
  } else if (rc != 0 || strstr(output, "Invalid") != NULL) {
    fprintf(stderr, "--- child output (%s) ---\n%s---\n", mode, output);
    testFail(__FILE__, __LINE__, "memcheck reports nothing");
  }
}

int main(int argc, char *argv[])
{
  ssize_t n;
  if (argc == 3 && strcmp(argv[1], "child") == 0)
    return child(argv[2]);
  testInit(argc, argv);
#ifdef TEST_SANITIZED
  printf("memchecktest: sanitizer build, valgrind cannot run it: SKIP\n");
  return 77;
#endif
  if (getenv("TARN_UNDER_VALGRIND") == NULL && getenv("TARN_MEMCHECKTEST") == NULL) {
    printf("memchecktest: runs under make check-valgrind (or with TARN_MEMCHECKTEST=1): "
           "SKIP\n");
    return 77;
  }
  n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
  } else {
    strncpy(self, argv[0], sizeof self - 1);
  }
  /* Under Valgrind barriers are off unless TARN_VALGRIND_BARRIERS is set
   * (manual/debugging.md): the children run that way. */
  expect("ams-live", 0, 0, NULL, NULL);
  expect("ams-dead", 0, 1, "Invalid read of size", "reading");
  expect("lo-dead", 0, 1, "Invalid read of size", "reading");
  expect("mvff-freed", 0, 1, "Invalid read of size 1", "reading");
  expect("fence", 0, 1, "Invalid write of size 1", "writing");
  /* With barriers on, every change of a segment's protection makes
   * memcheck forget what Tarn told it (mprotect makes the range
   * addressable): Tarn tells it again (SegStruct.vgHide). */
  expect("ams-live", 1, 0, NULL, NULL);
  expect("ams-dead", 1, 1, "Invalid read of size", "reading");
  expect("lo-dead", 1, 1, "Invalid read of size", "reading");
  return testPass();
}

/* eventtest.c: telemetry (contract 19; manual/telemetry.md)
 *
 * With every category on before the arena exists, and the stream sent to
 * a file of its own (MPS_TELEMETRY_FILENAME, set before the first event
 * is written), run collections on an AMC pool, explicit ones and ones
 * started by allocation, counting the gc_start and gc messages.  Then turn
 * telemetry off, collect again, destroy the arena (which flushes), and
 * read the log back:
 *  - the header record comes first; every record is whole: a known code,
 *    the length its argument list in EVENT_LIST says, a terminated string
 *    where there is one, nothing left over; times do not go backwards;
 *  - one TraceFlip per gc_start message and one TraceEnd per gc message;
 *    a TraceStart without a TraceFlip is a collection that condemned
 *    nothing (it posts no message);
 *  - each TraceEnd's condemned and live sizes equal its gc message's, and
 *    its condemned and live sizes are the sums of the condemned and
 *    preserved sizes of the GenCollect events (one per generation
 *    collected) before it, and no generation preserved more than it
 *    condemned;
 *  - PauseBegin and PauseEnd alternate, and the collection events fall
 *    inside pauses;
 *  - the label the test interned is in an Intern event with its text,
 *    and a Label event ties the pool to it;
 *  - once telemetry is off (mps_telemetry_reset) nothing more is written:
 *    the last record is the Intern written just before, and the file does
 *    not grow when the arena is destroyed.
 * Then tarn-events (the environment variable TARN_EVENTS, which make check
 * sets, or ../tarn-events from this program's directory; not finding it
 * fails the test) is run on the log: its summary counts one TraceFlip per
 * gc_start message and one TraceEnd per gc message, and as many
 * collections (less those that condemned nothing) as gc messages; the CSV
 * has a row per TraceFlip and TraceEnd; the SVG has one bar per pause;
 * the text names the interned label; HTML succeeds; and a damaged log is
 * refused with exit status 1.
 */

#define _POSIX_C_SOURCE 200809L

#include "testlib.h"
#include "testfmt.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "event.h"
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ALL_CATEGORIES ((mps_word_t)0x7F)  /* bits 0..6 (contract 1) */
#define NROOT 400
#define POOL_LABEL "eventtest pool"
#define OFF_LABEL "eventtest: telemetry off"

static mps_arena_t arena;
static mps_ap_t ap;
static mps_addr_t roots[NROOT];

/* The gc messages, in order */
typedef struct Msgs {
  unsigned long starts, ends;
  size_t live[4096], condemned[4096];
} Msgs;

static Msgs msgs, offMsgs;

static void drain(Msgs *m)
{
  mps_message_type_t type;
  mps_message_t message;
  while (mps_message_queue_type(&type, arena)) {
    check(mps_message_get(&message, arena, type));
    if (type == mps_message_type_gc_start()) {
      ++m->starts;
    } else {
      check(type == mps_message_type_gc());
      check(m->ends < sizeof m->live / sizeof m->live[0]);
      m->live[m->ends] = mps_message_gc_live_size(arena, message);
      m->condemned[m->ends] = mps_message_gc_condemned_size(arena, message);
      ++m->ends;
    }
    mps_message_discard(arena, message);
  }
}

static void allocate(size_t n, Msgs *m)
{
  size_t i;
  for (i = 0; i < n; ++i) {
    testobj_t obj;
    die(testobj_alloc(&obj, ap, i, 1, testRnd(40)), "alloc");
    obj->refs[0] = roots[testRnd(NROOT)];
    if (testRnd(3) == 0)
      roots[testRnd(NROOT)] = obj;
    if (i % 256 == 0)
      drain(m);
  }
}

static void collect(Msgs *m)
{
  die(mps_arena_collect(arena), "mps_arena_collect");
  mps_arena_release(arena);
  drain(m);
}

static long fileSize(const char *path)
{
  struct stat st;
  check(stat(path, &st) == 0);
  return (long)st.st_size;
}

/* Reading the log back */

typedef struct Log {
  Word *w;
  size_t words;
} Log;

static Log logRead(const char *path)
{
  Log log;
  long size = fileSize(path);
  FILE *f = fopen(path, "rb");
  check(f != NULL);
  check(size > 0 && size % (long)sizeof(Word) == 0);
  log.words = (size_t)size / sizeof(Word);
  log.w = malloc((size_t)size);
  check(log.w != NULL);
  check(fread(log.w, sizeof(Word), log.words, f) == log.words);
  fclose(f);
  return log;
}

#define EVENT_SPEC(name, code, cat, args) [code] = args,
static const char *const eventSpec[EventCodeLIMIT] = { EVENT_LIST(EVENT_SPEC) };

/* The position of an argument in its event's list, or -1. */
static int argIndex(unsigned code, const char *name)
{
  const char *s = eventSpec[code];
  size_t len = strlen(name);
  int i = 0;
  while (*s != '\0') {
    size_t n = strcspn(s, " ");
    if (n == len && strncmp(s, name, n) == 0)
      return i;
    if (n > 0)
      ++i;
    s += n + (s[n] == ' ');
  }
  return -1;
}

static size_t argCount(unsigned code)
{
  const char *s = eventSpec[code];
  size_t n = 0;
  for (; *s != '\0'; ++s)
    if (*s != ' ' && (s[1] == ' ' || s[1] == '\0'))
      ++n;
  return n;
}

static int hasString(unsigned code)
{
  return code == EventCodeTraceStart || code == EventCodeIntern || code == EventCodePoolCreate;
}

static Word arg(const Word *rec, const char *name)
{
  int i = argIndex((unsigned)(rec[0] & 0xFFFF), name);
  check(i >= 0);
  return rec[2 + i];
}

static const char *str(const Word *rec)
{
  return (const char *)&rec[2 + argCount((unsigned)(rec[0] & 0xFFFF)) - 1];
}

/* What the reader found */
typedef struct Seen {
  unsigned long count[EventCodeLIMIT];
  unsigned long emptyStarts, ends;
  Word genCondemned;            /* sum of this trace's GenCollect condemned */
  Word genPreserved;            /* and of their preserved */
  int inPause, flipped, started, poolInterned, poolLabelled;
  const Word *last;
} Seen;

/* Check one record's form; return its length in words. */
static size_t recordCheck(const Log *log, size_t pos, Word *lastTime)
{
  const Word *rec = &log->w[pos];
  unsigned code = (unsigned)(rec[0] & 0xFFFF);
  size_t len = (size_t)((rec[0] >> 16) & 0xFFFF);
  check(pos + 2 <= log->words);
  check((rec[0] >> 16) >> 16 == 0);
  check(code < EventCodeLIMIT && eventSpec[code] != NULL);
  check(pos + len <= log->words);
  if (hasString(code)) {
    check(len >= 2 + argCount(code));
    check(((const char *)&rec[len])[-1] == '\0');
  } else {
    check(len == 2 + argCount(code));
  }
  check(rec[1] >= *lastTime);
  *lastTime = rec[1];
  return len;
}

/* The collection and pause events, against the messages. */
static void recordTrace(Seen *seen, const Word *rec, unsigned code, mps_label_t label,
                        mps_pool_t pool)
{
  switch (code) {
  case EventCodePauseBegin: check(!seen->inPause); seen->inPause = 1; break;
  case EventCodePauseEnd: check(seen->inPause); seen->inPause = 0; break;
  case EventCodeTraceStart:
    check(seen->inPause && !seen->started && strlen(str(rec)) > 0);
    seen->started = 1;
    seen->flipped = 0;
    seen->genCondemned = 0;
    seen->genPreserved = 0;
    break;
  case EventCodeGenCollect:
    check(seen->inPause && seen->flipped);
    seen->genCondemned += arg(rec, "condemned");
    seen->genPreserved += arg(rec, "preserved");
    check(arg(rec, "preserved") <= arg(rec, "condemned"));
    break;
  case EventCodeTraceFlip:
    check(seen->inPause && seen->started && !seen->flipped);
    seen->flipped = 1;
    break;
  case EventCodeTraceEnd:
    check(seen->inPause && seen->flipped && seen->ends < msgs.ends);
    check(arg(rec, "condemned") == msgs.condemned[seen->ends]);
    check(arg(rec, "live") == msgs.live[seen->ends]);
    /* every condemned segment belongs to a generation of the chain */
    check(seen->genCondemned == arg(rec, "condemned"));
    check(seen->genPreserved == arg(rec, "live"));
    ++seen->ends;
    seen->started = seen->flipped = 0;
    break;
  case EventCodeIntern:
    if (arg(rec, "label") == label)
      seen->poolInterned = strcmp(str(rec), POOL_LABEL) == 0;
    break;
  case EventCodeLabel:
    if (arg(rec, "label") == label && arg(rec, "addr") == (Word)pool)
      seen->poolLabelled = 1;
    break;
  default: break;
  }
}

static void logCheck(const Log *log, Seen *seen, mps_label_t label, mps_pool_t pool)
{
  size_t pos = 0;
  Word lastTime = 0;
  memset(seen, 0, sizeof *seen);
  check(log->words >= 4 && (log->w[0] & 0xFFFF) == EventCodeHeader);
  check(arg(log->w, "version") == EVENT_VERSION && arg(log->w, "clocksPerSec") > 0);
  while (pos < log->words) {
    const Word *rec = &log->w[pos];
    unsigned code = (unsigned)(rec[0] & 0xFFFF);
    size_t len = recordCheck(log, pos, &lastTime);
    /* a collection that condemned nothing ends with its pause */
    if (code == EventCodePauseEnd && seen->started && !seen->flipped) {
      ++seen->emptyStarts;
      seen->started = 0;
    }
    recordTrace(seen, rec, code, label, pool);
    ++seen->count[code];
    seen->last = rec;
    pos += len;
  }
  check(pos == log->words);
  check(!seen->inPause);
}

/* Running tarn-events */

static int run(const char *tool, const char *args, const char *in, const char *out)
{
  char cmd[1024];
  int status;
  snprintf(cmd, sizeof cmd, "\"%s\" %s -o \"%s\" \"%s\" 2>/dev/null", tool, args, out, in);
  status = system(cmd);
  check(status != -1 && WIFEXITED(status));
  return WEXITSTATUS(status);
}

static char *slurp(const char *path)
{
  long size = fileSize(path);
  FILE *f = fopen(path, "rb");
  char *text = malloc((size_t)size + 1);
  check(f != NULL && text != NULL);
  check(fread(text, 1, (size_t)size, f) == (size_t)size);
  text[size] = '\0';
  fclose(f);
  return text;
}

static unsigned long occurrences(const char *text, const char *s)
{
  unsigned long n = 0;
  while ((text = strstr(text, s)) != NULL) {
    ++n;
    text += strlen(s);
  }
  return n;
}

/* The summary line "key: N" */
static unsigned long summaryValue(const char *text, const char *key)
{
  const char *p = strstr(text, key);
  check(p != NULL);
  return strtoul(p + strlen(key), NULL, 10);
}

/* The summary's count of an event: the line "  Name   category N". */
static unsigned long summaryCount(const char *text, const char *name)
{
  char key[64];
  const char *p;
  snprintf(key, sizeof key, "\n  %s ", name);
  p = strstr(text, key);
  check(p != NULL);
  p += strlen(key);
  while (*p == ' ')
    ++p;
  while (*p != ' ' && *p != '\0')    /* the category */
    ++p;
  return strtoul(p, NULL, 10);
}

/* Lines of the CSV output whose event column is name. */
static unsigned long csvRows(const char *text, const char *name)
{
  char key[64];
  unsigned long n = 0;
  const char *line;
  snprintf(key, sizeof key, ",%s,", name);
  for (line = text; line != NULL && *line != '\0'; ) {
    const char *end = strchr(line, '\n');
    const char *hit = strstr(line, key);
    if (hit != NULL && (end == NULL || hit < end) && strchr(line, ',') == hit)
      ++n;
    line = end != NULL ? end + 1 : NULL;
  }
  return n;
}

static void damaged(const char *tool, const Log *log, const char *path, const char *out,
                    size_t bytes, long skip)
{
  FILE *f = fopen(path, "wb");
  check(f != NULL);
  check(fwrite((const char *)log->w + skip, 1, bytes, f) == bytes);
  check(fclose(f) == 0);
  check(run(tool, "-f text", path, out) == 1);
}

/* The tool's counts are checked against the gc and gc_start messages the
 * run received (m), as well as against this test's own reading. */
static void toolCheck(const char *tool, const char *logPath, const Log *log, const Seen *seen,
                      const Msgs *m)
{
  char out[600], bad[600];
  char *text;
  snprintf(out, sizeof out, "%s.out", logPath);
  snprintf(bad, sizeof bad, "%s.bad", logPath);
  check(run(tool, "-f summary", logPath, out) == 0);
  text = slurp(out);
  check(summaryValue(text, "\npauses: ") == seen->count[EventCodePauseEnd]);
  check(summaryValue(text, "\ncollections: ") == seen->count[EventCodeTraceStart]);
  check(summaryValue(text, "\ncollections: ")
        - summaryValue(text, "\ncollections that condemned nothing: ") == m->ends);
  check(summaryCount(text, "TraceFlip") == m->starts);
  check(summaryCount(text, "TraceEnd") == m->ends);
  free(text);
  check(run(tool, "-f svg", logPath, out) == 0);
  text = slurp(out);
  check(strncmp(text, "<?xml", 5) == 0 && strstr(text, "</svg>") != NULL);
  check(occurrences(text, "<rect class=\"pause\"") == seen->count[EventCodePauseEnd]);
  free(text);
  check(run(tool, "-f text", logPath, out) == 0);
  text = slurp(out);
  check(strstr(text, "\"" POOL_LABEL "\"") != NULL);
  free(text);
  check(run(tool, "-f csv", logPath, out) == 0);
  text = slurp(out);
  check(csvRows(text, "TraceEnd") == m->ends && csvRows(text, "TraceFlip") == m->starts);
  free(text);
  check(run(tool, "-f html", logPath, out) == 0);
  damaged(tool, log, bad, out, log->words * sizeof(Word) - 3, 0);   /* cut short */
  damaged(tool, log, bad, out, log->words * sizeof(Word) - 8, 8);   /* no header */
  remove(out);
  remove(bad);
  printf("%s: summary, svg (%lu bars), text, csv, html and two damaged logs checked\n",
         tool, seen->count[EventCodePauseEnd]);
}

/* tarn-events: TARN_EVENTS (make check sets it), else beside this
 * program's directory (the build tree's top, for test/eventtest_*).  Not
 * finding it is a failure: the tool is part of what this test checks. */
static const char *findTool(const char *env, char *buf, size_t size)
{
  char self[512];
  ssize_t n;
  char *slash;
  if (env != NULL && env[0] != '\0')
    return env;
  n = readlink("/proc/self/exe", self, sizeof self - 1);
  check(n > 0);
  self[n] = '\0';
  slash = strrchr(self, '/');
  check(slash != NULL);
  *slash = '\0';
  snprintf(buf, size, "%s/../tarn-events", self);
  if (access(buf, X_OK) != 0)
    testFail(__FILE__, __LINE__, "tarn-events not found: build it, or set TARN_EVENTS");
  return buf;
}

int main(int argc, char *argv[])
{
  char path[512], toolPath[600];
  const char *tmp = getenv("TMPDIR"), *tool = getenv("TARN_EVENTS");
  mps_fmt_t fmt;
  mps_chain_t chain;
  mps_gen_param_s gens[] = {{96, 0.6}, {400, 0.4}};
  mps_pool_t pool;
  mps_root_t root;
  mps_thr_t thread;
  mps_label_t label, offLabel;
  long sizeAtOff;
  unsigned long i, rounds;
  Log log;
  Seen seen;

  testInit(argc, argv);
  rounds = getenv("TARN_UNDER_VALGRIND") != NULL ? 6 : 30;
  snprintf(path, sizeof path, "%s/eventtest-%ld.log", tmp != NULL ? tmp : "/tmp",
           (long)getpid());
  check(setenv("MPS_TELEMETRY_FILENAME", path, 1) == 0);
  remove(path);
  mps_telemetry_set(ALL_CATEGORIES);
  check((mps_telemetry_get() & ALL_CATEGORIES) == ALL_CATEGORIES);

  die(mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none), "arena");
  die(mps_thread_reg(&thread, arena), "thread");      /* the stack is not a root */
  die(testfmt_create(&fmt, arena, 0), "format");
  die(mps_chain_create(&chain, arena, 2, gens), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&pool, arena, mps_class_amc(), args), "AMC");
  } MPS_ARGS_END(args);
  die(mps_ap_create_k(&ap, pool, mps_args_none), "AP");
  die(mps_root_create_table(&root, arena, mps_rank_exact(), 0, roots, NROOT), "root");
  label = mps_telemetry_intern(POOL_LABEL);
  mps_telemetry_label(pool, label);
  mps_message_type_enable(arena, mps_message_type_gc_start());
  mps_message_type_enable(arena, mps_message_type_gc());

  for (i = 0; i < rounds; ++i) {
    allocate(2000, &msgs);
    if (i % 4 == 0)
      collect(&msgs);
  }
  mps_arena_park(arena);
  drain(&msgs);
  check(msgs.ends > 0 && msgs.starts == msgs.ends);

  /* Off: the marker is the last event. */
  offLabel = mps_telemetry_intern(OFF_LABEL);
  mps_telemetry_reset(ALL_CATEGORIES);
  check((mps_telemetry_get() & ALL_CATEGORIES) == 0);
  mps_telemetry_flush();
  sizeAtOff = fileSize(path);
  mps_arena_release(arena);
  allocate(2000, &offMsgs);
  collect(&offMsgs);
  check(offMsgs.ends > 0);
  check(mps_telemetry_intern("not written") != offLabel);
  mps_telemetry_label(pool, offLabel);

  mps_arena_park(arena);
  drain(&offMsgs);
  mps_root_destroy(root);
  mps_ap_destroy(ap);
  mps_pool_destroy(pool);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt);
  mps_thread_dereg(thread);
  mps_arena_destroy(arena);
  check(fileSize(path) == sizeAtOff);

  log = logRead(path);
  logCheck(&log, &seen, label, pool);
  printf("%lu records: %lu collections (%lu condemned nothing), %lu pauses; "
         "%lu gc_start and %lu gc messages\n", (unsigned long)log.words,
         seen.count[EventCodeTraceStart], seen.emptyStarts, seen.count[EventCodePauseEnd],
         msgs.starts, msgs.ends);
  check(seen.count[EventCodeTraceFlip] == msgs.starts);
  check(seen.count[EventCodeTraceEnd] == msgs.ends && seen.ends == msgs.ends);
  check(seen.count[EventCodeTraceStart] == msgs.starts + seen.emptyStarts);
  check(seen.count[EventCodePauseBegin] == seen.count[EventCodePauseEnd]);
  check(seen.count[EventCodeArenaCreate] == 1 && seen.count[EventCodeArenaDestroy] == 0);
  check(seen.count[EventCodePoolCreate] == 1 && seen.count[EventCodeHeader] == 1);
  check(seen.poolInterned && seen.poolLabelled);
  check((seen.last[0] & 0xFFFF) == EventCodeIntern && arg(seen.last, "label") == offLabel);
  check(strcmp(str(seen.last), OFF_LABEL) == 0);

  toolCheck(findTool(tool, toolPath, sizeof toolPath), path, &log, &seen, &msgs);
  free(log.w);
  remove(path);
  return testPass();
}

/* eventcnv.c: tarn-events, the reader of Tarn's telemetry stream
 *
 * Reads a log the manager wrote (record format: the top of event.h),
 * checks every record, and writes the events as text or CSV, a picture of
 * heap size and collection pauses (SVG, or HTML with a table), or a
 * summary.  Event names, categories and argument names come from
 * EVENT_LIST, so the tool follows the manager; how an argument is shown
 * follows its name (argKind).  Usage and formats: manual/telemetry.md.
 *
 * Exit status: 0 if the log was read to its end, 1 if it is damaged (the
 * records before the damage are still converted), 2 for a usage or I/O
 * error.
 */

#include "event.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <errno.h>

#define MAX_ARGS 8
#define NAME_CHARS 24
#define WORD_BYTES sizeof(Word)

typedef unsigned long long ULL;

/* Events and their arguments, from EVENT_LIST */

typedef struct EventDesc {
  const char *name;             /* NULL: no event has this code */
  unsigned cat;
  const char *spec;             /* argument names separated by spaces */
} EventDesc;

#define EVENT_ROW(name, code, cat, args) [code] = {#name, EventCat##cat, args},
static const EventDesc eventDesc[EventCodeLIMIT] = { EVENT_LIST(EVENT_ROW) };
#undef EVENT_ROW

static const char *const catName[] = {
  "arena", "pool", "trace", "seg", "ref", "object", "user"
};

typedef enum { ArgDEC, ArgHEX, ArgSTR, ArgLABEL } ArgKind;

typedef struct ArgDesc {
  char name[NAME_CHARS];
  ArgKind kind;
} ArgDesc;

static ArgDesc argDesc[EventCodeLIMIT][MAX_ARGS];
static unsigned argCount[EventCodeLIMIT];
static int hasString[EventCodeLIMIT];  /* the last argument is a string */

/* Addresses are shown in hex, strings quoted, labels with their text,
 * everything else (sizes, counts) in decimal. */
static ArgKind argKind(const char *name)
{
  static const char *const hex[] = {
    "arena", "pool", "seg", "buffer", "trace", "base", "addr", "class", "chunk"
  };
  size_t i;
  if (strcmp(name, "why") == 0 || strcmp(name, "string") == 0 || strcmp(name, "className") == 0)
    return ArgSTR;
  if (strcmp(name, "label") == 0)
    return ArgLABEL;
  for (i = 0; i < sizeof hex / sizeof hex[0]; ++i)
    if (strcmp(name, hex[i]) == 0)
      return ArgHEX;
  return ArgDEC;
}

static void fatal(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("tarn-events: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

static void descInitEvent(unsigned code)
{
  const char *s = eventDesc[code].spec;
  unsigned n = 0;
  while (*s != '\0') {
    size_t len = strcspn(s, " ");
    if (len > 0) {
      if (n == MAX_ARGS || len >= NAME_CHARS)
        fatal("event %s: too many or too long argument names", eventDesc[code].name);
      memcpy(argDesc[code][n].name, s, len);
      argDesc[code][n].name[len] = '\0';
      argDesc[code][n].kind = argKind(argDesc[code][n].name);
      if (n > 0 && argDesc[code][n - 1].kind == ArgSTR)
        fatal("event %s: a string argument must come last", eventDesc[code].name);
      ++n;
    }
    s += len + (s[len] == ' ');
  }
  argCount[code] = n;
  hasString[code] = n > 0 && argDesc[code][n - 1].kind == ArgSTR;
}

static void descInit(void)
{
  unsigned code;
  for (code = 0; code < EventCodeLIMIT; ++code)
    if (eventDesc[code].name != NULL)
      descInitEvent(code);
}

/* Growing arrays */

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
  if (n < *cap)
    return p;
  *cap = *cap == 0 ? 64 : *cap * 2;
  p = realloc(p, *cap * size);
  if (p == NULL)
    fatal("out of memory");
  return p;
}

/* The log: the whole input in memory, and the well-formed prefix */

typedef struct Label { Word label; const char *text; } Label;

typedef struct Log {
  Word *words;
  size_t bytes;                 /* length of the input */
  size_t valid;                 /* words in the well-formed prefix */
  Word t0;                      /* time of the first record */
  double clocksPerSec;
  Label *labels;
  size_t nLabels, capLabels;
  char error[200];              /* why reading stopped early, or "" */
} Log;

typedef struct Rec {
  size_t pos;                   /* word index in the log */
  unsigned code;
  size_t len;                   /* in words */
  Word time;
  const Word *args;
} Rec;

static void readInput(Log *log, FILE *in, const char *name)
{
  size_t cap = 1 << 16, got;
  char *buf = malloc(cap);
  log->bytes = 0;
  while (buf != NULL) {
    got = fread(buf + log->bytes, 1, cap - log->bytes - WORD_BYTES, in);
    log->bytes += got;
    if (got == 0)
      break;
    if (cap - log->bytes - WORD_BYTES == 0)
      buf = realloc(buf, cap *= 2);
  }
  if (buf == NULL)
    fatal("out of memory reading %s", name);
  if (ferror(in))
    fatal("cannot read %s", name);
  memset(buf + log->bytes, 0, WORD_BYTES);   /* pad the last word */
  log->words = (Word *)(void *)buf;
}

static Rec recAt(const Log *log, size_t pos)
{
  Rec rec;
  rec.pos = pos;
  rec.code = (unsigned)(log->words[pos] & 0xFFFF);
  rec.len = (size_t)((log->words[pos] >> 16) & 0xFFFF);
  rec.time = log->words[pos + 1];
  rec.args = &log->words[pos + 2];
  return rec;
}

static const char *recString(const Rec *rec)
{
  return (const char *)(const void *)&rec->args[argCount[rec->code] - 1];
}

static int argIndex(unsigned code, const char *name)
{
  unsigned i;
  for (i = 0; i < argCount[code]; ++i)
    if (strcmp(argDesc[code][i].name, name) == 0)
      return (int)i;
  return -1;
}

/* The value of the word argument called name, if the event has one. */
static int recArg(Word *valueReturn, const Rec *rec, const char *name)
{
  int i = argIndex(rec->code, name);
  if (i < 0 || argDesc[rec->code][i].kind == ArgSTR)
    return 0;
  *valueReturn = rec->args[i];
  return 1;
}

static double recSeconds(const Log *log, const Rec *rec)
{
  double ticks = rec->time >= log->t0 ? (double)(rec->time - log->t0)
                                      : -(double)(log->t0 - rec->time);
  return ticks / log->clocksPerSec;
}

static int logError(Log *log, size_t pos, const char *fmt, ...)
{
  va_list ap;
  int n = snprintf(log->error, sizeof log->error, "byte offset %llu: ",
                   (ULL)pos * WORD_BYTES);
  va_start(ap, fmt);
  vsnprintf(log->error + n, sizeof log->error - (size_t)n, fmt, ap);
  va_end(ap);
  return 0;
}

/* Is the record at pos whole and well formed? */
static int recCheck(Log *log, size_t pos)
{
  size_t left = log->bytes / WORD_BYTES - pos, need;
  Word w0 = log->words[pos];
  Rec rec;
  if (left < 2)
    return logError(log, pos, "truncated: %llu bytes left, too few for a record",
                    (ULL)(log->bytes - pos * WORD_BYTES));
  rec = recAt(log, pos);
  if (pos == 0 && (rec.code != EventCodeHeader || (w0 >> 16) >> 16 != 0))
    return logError(log, pos, "not a Tarn telemetry log: no header record "
                    "(or written with another word size or byte order)");
  if ((w0 >> 16) >> 16 != 0 || rec.code >= EventCodeLIMIT || eventDesc[rec.code].name == NULL)
    return logError(log, pos, "corrupt: bad record header 0x%llx (unknown event code %u)",
                    (ULL)w0, rec.code);
  need = 2 + argCount[rec.code];
  if (rec.len < need || (!hasString[rec.code] && rec.len != need))
    return logError(log, pos, "corrupt: %s record of %llu words, expected %s%llu",
                    eventDesc[rec.code].name, (ULL)rec.len,
                    hasString[rec.code] ? "at least " : "", (ULL)need);
  if (rec.len > left)
    return logError(log, pos, "truncated: %s record of %llu words, only %llu bytes left",
                    eventDesc[rec.code].name, (ULL)rec.len,
                    (ULL)(log->bytes - pos * WORD_BYTES));
  if (hasString[rec.code] && ((const char *)&log->words[pos + rec.len])[-1] != '\0')
    return logError(log, pos, "corrupt: unterminated string in %s record",
                    eventDesc[rec.code].name);
  if (rec.code == EventCodeHeader && (rec.args[0] != EVENT_VERSION || rec.args[1] == 0))
    return logError(log, pos, "log format version %llu (clock rate %llu); "
                    "this tool reads version %d", (ULL)rec.args[0], (ULL)rec.args[1],
                    EVENT_VERSION);
  return 1;
}

/* What a checked record tells the reader itself: clock and labels. */
static void recNote(Log *log, const Rec *rec)
{
  if (rec->code == EventCodeHeader) {
    log->clocksPerSec = (double)rec->args[1];
    if (rec->pos == 0)
      log->t0 = rec->time;
  } else if (rec->code == EventCodeIntern) {
    Word label;
    log->labels = grow(log->labels, &log->capLabels, log->nLabels, sizeof(Label));
    (void)recArg(&label, rec, "label");
    log->labels[log->nLabels].label = label;
    log->labels[log->nLabels].text = recString(rec);
    ++log->nLabels;
  }
}

static void logCheck(Log *log)
{
  size_t pos = 0, words = log->bytes / WORD_BYTES;
  log->error[0] = '\0';
  if (log->bytes < 4 * WORD_BYTES)
    (void)logError(log, 0, "not a Tarn telemetry log: %llu bytes, too short for a header "
                   "record", (ULL)log->bytes);
  while (log->error[0] == '\0' && pos < words && recCheck(log, pos)) {
    Rec rec = recAt(log, pos);
    recNote(log, &rec);
    pos += rec.len;
  }
  log->valid = pos;
  if (log->error[0] == '\0' && log->bytes % WORD_BYTES != 0)
    (void)logError(log, pos, "truncated: %llu stray bytes at the end",
                   (ULL)(log->bytes % WORD_BYTES));
}

/* A string in double quotes: C escapes for text, doubled quotes for CSV. */
static void putQuoted(FILE *out, const char *s, int csv)
{
  fputc('"', out);
  for (; *s != '\0'; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' && csv)
      fputs("\"\"", out);
    else if ((c == '"' || c == '\\') && !csv)
      fprintf(out, "\\%c", c);
    else if ((c < 0x20 || c == 0x7F) && !csv)
      fprintf(out, "\\x%02x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
}

static void putXmlString(FILE *out, const char *s)
{
  for (; *s != '\0'; ++s)
    switch (*s) {
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '&': fputs("&amp;", out); break;
    case '"': fputs("&quot;", out); break;
    default: fputc(*s, out); break;
    }
}

static void putValue(FILE *out, const Rec *rec, unsigned i, int csv)
{
  switch (argDesc[rec->code][i].kind) {
  case ArgHEX: fprintf(out, "0x%llx", (ULL)rec->args[i]); break;
  case ArgSTR: putQuoted(out, recString(rec), csv); break;
  default: fprintf(out, "%llu", (ULL)rec->args[i]); break;
  }
}

/* The text of the record's label argument (not for Intern, which makes
 * the label), or NULL. */
static const char *recLabelText(const Log *log, const Rec *rec)
{
  Word label;
  size_t i;
  if (rec->code == EventCodeIntern || !recArg(&label, rec, "label"))
    return NULL;
  for (i = log->nLabels; i > 0; --i)
    if (log->labels[i - 1].label == label)
      return log->labels[i - 1].text;
  return NULL;
}

/* -f text: time, event name, name=value for each argument */

static void writeText(FILE *out, const Log *log, const char *name)
{
  size_t pos;
  unsigned i;
  (void)name;
  for (pos = 0; pos < log->valid; pos += recAt(log, pos).len) {
    Rec rec = recAt(log, pos);
    const char *text = recLabelText(log, &rec);
    fprintf(out, "%.6f %s", recSeconds(log, &rec), eventDesc[rec.code].name);
    for (i = 0; i < argCount[rec.code]; ++i) {
      fprintf(out, " %s=", argDesc[rec.code][i].name);
      putValue(out, &rec, i, 0);
      if (text != NULL && argDesc[rec.code][i].kind == ArgLABEL) {
        fputc(' ', out);
        putQuoted(out, text, 0);
      }
    }
    fputc('\n', out);
  }
}

/* -f csv: time, event, one column per argument name in EVENT_LIST (in
 * order of first use), and labelText, the text of a label argument. */

static const char *csvCol[EventCodeLIMIT * MAX_ARGS];
static unsigned csvCols;

static void csvInit(void)
{
  unsigned code, i, c;
  for (code = 0; code < EventCodeLIMIT; ++code)
    for (i = 0; i < argCount[code]; ++i) {
      for (c = 0; c < csvCols && strcmp(csvCol[c], argDesc[code][i].name) != 0; ++c)
        ;
      if (c == csvCols)
        csvCol[csvCols++] = argDesc[code][i].name;
    }
}

static void putCsvRow(FILE *out, const Log *log, const Rec *rec)
{
  const char *text = recLabelText(log, rec);
  unsigned c;
  fprintf(out, "%.6f,%s", recSeconds(log, rec), eventDesc[rec->code].name);
  for (c = 0; c < csvCols; ++c) {
    int i = argIndex(rec->code, csvCol[c]);
    fputc(',', out);
    if (i >= 0)
      putValue(out, rec, (unsigned)i, 1);
  }
  fputc(',', out);
  if (text != NULL)
    putQuoted(out, text, 1);
  fputc('\n', out);
}

static void writeCsv(FILE *out, const Log *log, const char *name)
{
  size_t pos;
  unsigned c;
  (void)name;
  csvInit();
  fputs("time,event", out);
  for (c = 0; c < csvCols; ++c)
    fprintf(out, ",%s", csvCol[c]);
  fputs(",labelText\n", out);
  for (pos = 0; pos < log->valid; pos += recAt(log, pos).len) {
    Rec rec = recAt(log, pos);
    putCsvRow(out, log, &rec);
  }
}

/* Analysis for the picture and the summary.  A pause runs from
 * PauseBegin to PauseEnd (the other threads stopped); a collection from
 * TraceStart to TraceEnd, or to the end of its pause if it condemned
 * nothing (no TraceFlip).  An incremental collection has several pauses. */

typedef struct Point { double t, v; } Point;

typedef struct Series { Point *p; size_t n, cap; } Series;

typedef struct Pause {
  double start, end;
  size_t coll;                  /* index + 1 of its collection, or 0 */
  int done;
} Pause;

typedef struct Coll {
  double start, pauseTotal;
  const char *why;
  Word condemned, live, reclaimed;
  size_t pauses;
  int flipped, ended;
} Coll;

typedef struct ArenaState {
  Word arena, committed, poolTotal;
  size_t pause, coll;           /* index + 1 of the open one, or 0 */
} ArenaState;

typedef struct Stats {
  unsigned long count[EventCodeLIMIT];
  Series committed, poolTotal;  /* summed over the arenas */
  ArenaState *arenas;
  size_t nArenas, capArenas;
  Pause *pause;
  size_t nPause, capPause;
  Coll *coll;
  size_t nColl, capColl;
  size_t pauses, empty;         /* finished pauses, empty collections */
  double span, pauseTotal, pauseMax, peak;
} Stats;

static void seriesAdd(Series *s, double t, double v)
{
  s->p = grow(s->p, &s->cap, s->n, sizeof(Point));
  s->p[s->n].t = t;
  s->p[s->n].v = v;
  ++s->n;
}

static ArenaState *arenaState(Stats *st, Word arena)
{
  size_t i;
  for (i = 0; i < st->nArenas; ++i)
    if (st->arenas[i].arena == arena)
      return &st->arenas[i];
  st->arenas = grow(st->arenas, &st->capArenas, st->nArenas, sizeof(ArenaState));
  memset(&st->arenas[st->nArenas], 0, sizeof(ArenaState));
  st->arenas[st->nArenas].arena = arena;
  return &st->arenas[st->nArenas++];
}

/* Note the sizes an event reports and add the new totals to the series. */
static void noteSizes(Stats *st, ArenaState *as, const Rec *rec, double t)
{
  Word v;
  size_t i;
  double committed = 0, poolTotal = 0;
  int pools;
  if (rec->code == EventCodeArenaDestroy)
    as->committed = as->poolTotal = 0;
  else if (recArg(&v, rec, "committed"))
    as->committed = v;
  else
    return;
  pools = recArg(&v, rec, "poolTotal");
  if (pools)
    as->poolTotal = v;
  for (i = 0; i < st->nArenas; ++i) {
    committed += (double)st->arenas[i].committed;
    poolTotal += (double)st->arenas[i].poolTotal;
  }
  seriesAdd(&st->committed, t, committed);
  if (pools || (rec->code == EventCodeArenaDestroy && st->poolTotal.n > 0))
    seriesAdd(&st->poolTotal, t, poolTotal);
  if (committed > st->peak)
    st->peak = committed;
}

static void pauseBegin(Stats *st, ArenaState *as, double t)
{
  Pause *p;
  st->pause = grow(st->pause, &st->capPause, st->nPause, sizeof(Pause));
  p = &st->pause[st->nPause++];
  p->start = p->end = t;
  p->coll = as->coll;
  p->done = 0;
  as->pause = st->nPause;
}

static void pauseEnd(Stats *st, ArenaState *as, double t)
{
  Pause *p = as->pause == 0 ? NULL : &st->pause[as->pause - 1];
  Coll *c;
  if (p == NULL)
    return;
  as->pause = 0;
  p->end = t;
  p->done = 1;
  ++st->pauses;
  st->pauseTotal += t - p->start;
  if (t - p->start > st->pauseMax)
    st->pauseMax = t - p->start;
  if (p->coll == 0)
    return;
  c = &st->coll[p->coll - 1];
  ++c->pauses;
  c->pauseTotal += t - p->start;
  if (as->coll == p->coll && !c->flipped) {  /* it condemned nothing */
    as->coll = 0;
    ++st->empty;
  }
}

static void traceStart(Stats *st, ArenaState *as, const Rec *rec, double t)
{
  Coll *c;
  st->coll = grow(st->coll, &st->capColl, st->nColl, sizeof(Coll));
  c = &st->coll[st->nColl++];
  memset(c, 0, sizeof *c);
  c->start = t;
  c->why = recString(rec);
  as->coll = st->nColl;
  if (as->pause != 0)
    st->pause[as->pause - 1].coll = st->nColl;
}

static void traceEnd(Stats *st, ArenaState *as, const Rec *rec)
{
  Coll *c = as->coll == 0 ? NULL : &st->coll[as->coll - 1];
  if (c == NULL)
    return;
  (void)recArg(&c->condemned, rec, "condemned");
  (void)recArg(&c->live, rec, "live");
  (void)recArg(&c->reclaimed, rec, "reclaimed");
  c->ended = 1;
  as->coll = 0;
}

static void noteEvent(Stats *st, const Rec *rec, double t)
{
  Word arena;
  ArenaState *as;
  if (!recArg(&arena, rec, "arena"))
    return;
  as = arenaState(st, arena);
  noteSizes(st, as, rec, t);
  switch (rec->code) {
  case EventCodePauseBegin: pauseBegin(st, as, t); break;
  case EventCodePauseEnd: pauseEnd(st, as, t); break;
  case EventCodeTraceStart: traceStart(st, as, rec, t); break;
  case EventCodeTraceEnd: traceEnd(st, as, rec); break;
  case EventCodeTraceFlip:
    if (as->coll != 0)
      st->coll[as->coll - 1].flipped = 1;
    break;
  default: break;
  }
}

static void analyse(Stats *st, const Log *log)
{
  size_t pos;
  memset(st, 0, sizeof *st);
  for (pos = 0; pos < log->valid; pos += recAt(log, pos).len) {
    Rec rec = recAt(log, pos);
    double t = recSeconds(log, &rec);
    ++st->count[rec.code];
    if (t > st->span)
      st->span = t;
    noteEvent(st, &rec, t);
  }
}

static void statsFree(Stats *st)
{
  free(st->committed.p);
  free(st->poolTotal.p);
  free(st->arenas);
  free(st->pause);
  free(st->coll);
}

static double pauseMean(const Stats *st)
{
  return st->pauses == 0 ? 0 : st->pauseTotal / (double)st->pauses;
}

/* -f summary */

static void writeSummary(FILE *out, const Log *log, const char *name)
{
  Stats st;
  unsigned code;
  analyse(&st, log);
  fprintf(out, "log: %s\nbytes: %llu\nspan: %.6f s\nevents:\n", name,
          (ULL)(log->valid * WORD_BYTES), st.span);
  for (code = 0; code < EventCodeLIMIT; ++code)
    if (eventDesc[code].name != NULL)
      fprintf(out, "  %-14s %-6s %lu\n", eventDesc[code].name,
              eventDesc[code].cat < sizeof catName / sizeof catName[0]
              ? catName[eventDesc[code].cat] : "?", st.count[code]);
  fprintf(out, "collections: %lu\ncollections that condemned nothing: %lu\n"
          "pauses: %lu\npause total: %.3f ms\npause max: %.3f ms\npause mean: %.3f ms\n"
          "peak committed: %.0f bytes\n", (unsigned long)st.nColl, (unsigned long)st.empty,
          (unsigned long)st.pauses, st.pauseTotal * 1e3, st.pauseMax * 1e3,
          pauseMean(&st) * 1e3, st.peak);
  statsFree(&st);
}

/* -f svg: the picture */

enum { SVG_W = 960, SVG_H = 480, PLOT_L = 90, PLOT_R = 870, PLOT_T = 70, PLOT_B = 420 };

typedef struct Axis {
  double max, step, unit;       /* data units; labels are value / unit */
  const char *unitName;
} Axis;

/* An axis from 0 to a round number >= max with about five ticks, each
 * step 1, 2 or 5 times a power of ten (in units). */
static Axis axisMake(double max, double unit, const char *unitName)
{
  Axis a;
  double raw, mag = 1, steps;
  a.unit = unit;
  a.unitName = unitName;
  if (!(max > 0))
    max = unit;
  raw = max / unit / 5;
  while (mag * 10 <= raw)
    mag *= 10;
  while (mag > raw)
    mag /= 10;
  a.step = (raw <= mag ? 1 : raw <= 2 * mag ? 2 : raw <= 5 * mag ? 5 : 10) * mag * unit;
  steps = (double)(ULL)(max / a.step);
  a.max = (steps * a.step < max * (1 - 1e-9) ? steps + 1 : steps) * a.step;
  return a;
}

static Axis bytesAxis(double max)
{
  static const char *const names[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  unsigned i = 0;
  double unit = 1;
  while (i < 4 && max >= unit * 1024) {
    unit *= 1024;
    ++i;
  }
  return axisMake(max, unit, names[i]);
}

static double px(const Axis *x, double t)
{
  return PLOT_L + t / x->max * (PLOT_R - PLOT_L);
}

static double py(const Axis *y, double v)
{
  return PLOT_B - v / y->max * (PLOT_B - PLOT_T);
}

static void svgAxisX(FILE *out, const Axis *x)
{
  double v;
  fprintf(out, "<g stroke=\"black\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n",
          PLOT_L, PLOT_B, PLOT_R, PLOT_B);
  for (v = 0; v <= x->max + x->step / 2; v += x->step)
    fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>"
            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
            px(x, v), PLOT_B, px(x, v), PLOT_B + 5, px(x, v), PLOT_B + 18, v / x->unit);
  fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time (%s)</text>\n",
          (PLOT_L + PLOT_R) / 2, PLOT_B + 40, x->unitName);
}

/* A vertical axis at xAxis; side -1 puts the labels left, +1 right. */
static void svgAxisY(FILE *out, const Axis *y, int xAxis, int side, const char *title)
{
  double v;
  fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
          xAxis, PLOT_T, xAxis, PLOT_B);
  for (v = 0; v <= y->max + y->step / 2; v += y->step)
    fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>"
            "<text x=\"%d\" y=\"%.1f\" text-anchor=\"%s\">%g</text>\n",
            xAxis, py(y, v), xAxis + 5 * side, py(y, v), xAxis + 8 * side, py(y, v) + 4,
            side < 0 ? "end" : "start", v / y->unit);
  fprintf(out, "<text transform=\"translate(%d,%d) rotate(-90)\" text-anchor=\"middle\">"
          "%s (%s)</text>\n", xAxis + 62 * side, (PLOT_T + PLOT_B) / 2, title, y->unitName);
}

/* A series as a step line that holds each value until the next. */
static void svgSeries(FILE *out, const Series *s, const Axis *x, const Axis *y,
                      const char *cls, const char *style)
{
  size_t i;
  if (s->n == 0)
    return;
  fprintf(out, "<path class=\"%s\" fill=\"none\" %s d=\"M%.1f %.1f", cls, style,
          px(x, s->p[0].t), py(y, s->p[0].v));
  for (i = 1; i < s->n; ++i)
    fprintf(out, " H%.1f V%.1f", px(x, s->p[i].t), py(y, s->p[i].v));
  fprintf(out, " H%d\"/>\n", PLOT_R);
}

/* One bar per finished pause, with a tooltip. */
static void svgBars(FILE *out, const Stats *st, const Axis *x, const Axis *y)
{
  size_t i;
  for (i = 0; i < st->nPause; ++i) {
    const Pause *p = &st->pause[i];
    double d = p->end - p->start, w = px(x, p->end) - px(x, p->start);
    if (!p->done)
      continue;
    fprintf(out, "<rect class=\"pause\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\">"
            "<title>%.6f s: pause %.3f ms", px(x, p->start), py(y, d), w < 1 ? 1.0 : w,
            PLOT_B - py(y, d), p->start, d * 1e3);
    if (p->coll != 0) {
      fprintf(out, ", collection %lu: ", (unsigned long)p->coll);
      putXmlString(out, st->coll[p->coll - 1].why);
    }
    fputs("</title></rect>\n", out);
  }
}

static void svgTitle(FILE *out, const Stats *st, const char *name)
{
  Axis peak = bytesAxis(st->peak);
  fprintf(out, "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">", SVG_W / 2);
  putXmlString(out, name);
  fprintf(out, ": %lu collections, %lu pauses, max pause %.3f ms, mean pause %.3f ms, "
          "peak committed %.1f %s</text>\n", (unsigned long)st->nColl,
          (unsigned long)st->pauses, st->pauseMax * 1e3, pauseMean(st) * 1e3,
          st->peak / peak.unit, peak.unitName);
}

static void svgLegend(FILE *out)
{
  fprintf(out, "<g transform=\"translate(%d,48)\">"
          "<path d=\"M0 -4 H20\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>"
          "<text x=\"25\" y=\"0\">committed</text>"
          "<path d=\"M120 -4 H140\" stroke=\"#2a9d3a\" stroke-width=\"2\" "
          "stroke-dasharray=\"5,3\"/><text x=\"145\" y=\"0\">pool total</text>"
          "<rect x=\"240\" y=\"-10\" width=\"12\" height=\"10\" fill=\"#d9534f\" "
          "fill-opacity=\"0.6\"/><text x=\"257\" y=\"0\">pause (right axis)</text>"
          "</g>\n", PLOT_L);
}

static void svgPicture(FILE *out, const Stats *st, const char *name)
{
  Axis x = axisMake(st->span, 1, "s");
  Axis bytes = bytesAxis(st->peak);
  Axis ms = axisMake(st->pauseMax, 1e-3, "ms");
  fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
          "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
          SVG_W, SVG_H, SVG_W, SVG_H, SVG_W, SVG_H);
  svgTitle(out, st, name);
  svgLegend(out);
  fputs("<g fill=\"#d9534f\" fill-opacity=\"0.6\">\n", out);
  svgBars(out, st, &x, &ms);
  fputs("</g>\n", out);
  svgSeries(out, &st->poolTotal, &x, &bytes, "poolTotal",
            "stroke=\"#2a9d3a\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\"");
  svgSeries(out, &st->committed, &x, &bytes, "committed",
            "stroke=\"#1f5fa8\" stroke-width=\"2\"");
  svgAxisX(out, &x);
  svgAxisY(out, &bytes, PLOT_L, -1, "committed memory");
  svgAxisY(out, &ms, PLOT_R, 1, "pause");
  fputs("</svg>\n", out);
}

static void writeSvg(FILE *out, const Log *log, const char *name)
{
  Stats st;
  analyse(&st, log);
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
  svgPicture(out, &st, name);
  statsFree(&st);
}

/* -f html: the picture and a table of the collections */

static void htmlRow(FILE *out, const Coll *c, size_t n)
{
  fprintf(out, "<tr><td>%lu</td><td>%.6f</td><td class=\"why\">", (unsigned long)n, c->start);
  putXmlString(out, c->why);
  if (c->ended)
    fprintf(out, "</td><td>%llu</td><td>%llu</td><td>%llu</td>",
            (ULL)c->condemned, (ULL)c->live, (ULL)c->reclaimed);
  else
    fprintf(out, "</td><td colspan=\"3\">%s</td>", c->flipped ? "unfinished" : "nothing condemned");
  fprintf(out, "<td>%lu</td><td>%.3f</td></tr>\n", (unsigned long)c->pauses, c->pauseTotal * 1e3);
}

static void writeHtml(FILE *out, const Log *log, const char *name)
{
  Stats st;
  size_t i;
  analyse(&st, log);
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
  putXmlString(out, name);
  fputs(": Tarn telemetry</title>\n<style>body { font-family: sans-serif; } "
        "table { border-collapse: collapse; } th, td { border: 1px solid #bbb; "
        "padding: 2px 8px; text-align: right; } td.why { text-align: left; }</style>\n"
        "</head>\n<body>\n<h1>Tarn telemetry: ", out);
  putXmlString(out, name);
  fputs("</h1>\n", out);
  svgPicture(out, &st, name);
  fprintf(out, "<h2>Collections</h2>\n<p>%lu collections in %lu pauses: total pause %.3f ms, "
          "max %.3f ms, mean %.3f ms.  Sizes in bytes.</p>\n<table>\n<tr><th>#</th>"
          "<th>start (s)</th><th>why</th><th>condemned</th><th>live</th><th>reclaimed</th>"
          "<th>pauses</th><th>pause (ms)</th></tr>\n", (unsigned long)st.nColl,
          (unsigned long)st.pauses, st.pauseTotal * 1e3, st.pauseMax * 1e3,
          pauseMean(&st) * 1e3);
  for (i = 0; i < st.nColl; ++i)
    htmlRow(out, &st.coll[i], i + 1);
  fputs("</table>\n</body>\n</html>\n", out);
  statsFree(&st);
}

/* The command line */

typedef void (*Writer)(FILE *out, const Log *log, const char *name);

static const struct { const char *name; Writer write; } formats[] = {
  {"text", writeText}, {"csv", writeCsv}, {"svg", writeSvg},
  {"html", writeHtml}, {"summary", writeSummary}
};

static void usage(FILE *f)
{
  fputs("usage: tarn-events [-f text|csv|svg|html|summary] [-o OUTPUT] [LOG]\n"
        "Read a Tarn telemetry log (default: standard input) and write it as\n"
        "  text     one line per event (the default)\n"
        "  csv      one row per event, one column per argument name\n"
        "  svg      committed memory over time and a bar per collection pause\n"
        "  html     the SVG picture and a table of the collections\n"
        "  summary  counts of events, collections, pauses, peak committed\n"
        "Exit status: 0 read to the end, 1 damaged log, 2 usage or I/O error.\n", f);
}

static Writer formatWriter(const char *name)
{
  size_t i;
  for (i = 0; i < sizeof formats / sizeof formats[0]; ++i)
    if (strcmp(formats[i].name, name) == 0)
      return formats[i].write;
  usage(stderr);
  fatal("unknown format \"%s\"", name);
  return NULL;
}

static FILE *openInput(const char **nameIO)
{
  FILE *in = stdin;
  if (*nameIO == NULL || strcmp(*nameIO, "-") == 0)
    *nameIO = "(standard input)";
  else if ((in = fopen(*nameIO, "rb")) == NULL)
    fatal("cannot open %s: %s", *nameIO, strerror(errno));
  return in;
}

int main(int argc, char *argv[])
{
  Writer write = writeText;
  const char *inName = NULL, *outName = NULL;
  FILE *in, *out = stdout;
  Log log;
  int i;
  for (i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
      write = formatWriter(argv[++i]);
    } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
      outName = argv[++i];
    } else if (inName == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
      inName = argv[i];
    } else {
      usage(stderr);
      return 2;
    }
  }
  descInit();
  in = openInput(&inName);
  memset(&log, 0, sizeof log);
  log.clocksPerSec = 1;
  readInput(&log, in, inName);
  if (in != stdin)
    fclose(in);
  logCheck(&log);
  if (outName != NULL && (out = fopen(outName, "w")) == NULL)
    fatal("cannot open %s for writing: %s", outName, strerror(errno));
  write(out, &log, inName);
  if (fflush(out) != 0 || ferror(out) || (out != stdout && fclose(out) != 0))
    fatal("error writing %s", outName != NULL ? outName : "standard output");
  free(log.words);
  free(log.labels);
  if (log.error[0] == '\0')
    return 0;
  fprintf(stderr, "tarn-events: %s: %s\n", inName, log.error);
  return 1;
}

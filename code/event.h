/* event.h: telemetry
 *
 * The manager can record a stream of events (design: telemetry): what a
 * collection condemned and kept, how long it paused, what the arena
 * committed, which segments came and went.  A global filter word (one bit
 * per category, contract 19) says which categories are recorded; when a
 * category is off, recording its event costs one load and one test.
 *
 * Each record is a whole number of words (mps_word_t: 64 bits on 64-bit
 * platforms):
 *     word 0   code (16 bits) | length in words (16 bits) | 32 bits spare
 *     word 1   time: mps_clock() (microseconds with the default plinth)
 *     word 2.. the event's arguments, one word each; a string argument is
 *              stored NUL-terminated and padded to a word
 * Records are collected in a buffer and written through the plinth's I/O
 * module (mps_io_write) when it fills, at mps_telemetry_flush, and when an
 * arena is destroyed.  The stream starts with a header record naming the
 * format version and the clock rate.  code/eventcnv.c reads it.
 */

#ifndef tarn_event_h
#define tarn_event_h

#include "types.h"

/* Categories (contract section 1: bit numbers fixed) */
#define EventCatARENA 0
#define EventCatPOOL 1
#define EventCatTRACE 2
#define EventCatSEG 3
#define EventCatREF 4
#define EventCatOBJECT 5
#define EventCatUSER 6

/* Event codes, with the category and arguments of each. */
#define EVENT_LIST(X) \
  X(Header,       0, ARENA,  "version clocksPerSec") \
  X(ArenaCreate,  1, ARENA,  "arena reserved committed") \
  X(ArenaDestroy, 2, ARENA,  "arena") \
  X(ArenaCommit,  3, ARENA,  "arena committed spare") \
  X(ChunkAdd,     4, ARENA,  "arena base size") \
  X(PoolCreate,   5, POOL,   "pool className") \
  X(PoolDestroy,  6, POOL,   "arena pool") \
  X(TraceStart,   7, TRACE,  "arena why") \
  X(TraceFlip,    8, TRACE,  "arena trace condemned notCondemned") \
  X(TraceEnd,     9, TRACE,  "arena trace condemned live reclaimed scanned segsScanned") \
  X(GenCollect,  10, TRACE,  "arena gen condemned preserved size newSize") \
  X(PauseBegin,  11, TRACE,  "arena") \
  X(PauseEnd,    12, TRACE,  "arena") \
  X(SegAlloc,    13, SEG,    "arena seg base size pool") \
  X(SegFree,     14, SEG,    "arena seg") \
  X(BufferFill,  15, SEG,    "arena buffer base size") \
  X(Intern,      16, USER,   "label string") \
  X(Label,       17, USER,   "addr label") \
  X(HeapSize,    18, ARENA,  "arena committed poolTotal poolFree")

#define EVENT_ENUM(name, code, cat, args) EventCode##name = code,
enum { EVENT_LIST(EVENT_ENUM) EventCodeLIMIT };
#undef EVENT_ENUM

#define EVENT_VERSION 3          /* 2: GenCollect gained condemned; 3: preserved */

extern Word EventFilterWord;

/* Record an event with n word arguments, if its category is on.  A build
 * may define EVENT_ON(cat) as 0 to compile every event out (used to
 * measure what the disabled events cost: manual/telemetry.md). */
#if defined(CONFIG_VAR_RASH) && !defined(EVENT_ON)
#define EVENT_ON(cat) 0          /* the rash variety records nothing */
#endif
#ifndef EVENT_ON
#define EVENT_ON(cat) ((EventFilterWord >> EventCat##cat) & 1)
#endif
#define EVENT0(name, cat) \
  (EVENT_ON(cat) ? EventWrite(EventCode##name, 0, NULL) : (void)0)
#define EVENTN(name, cat, ...) \
  do { if (EVENT_ON(cat)) { Word _ev_args[] = {__VA_ARGS__}; \
    EventWrite(EventCode##name, sizeof _ev_args / sizeof _ev_args[0], _ev_args); } } while (0)

extern void EventInit(void);
extern Word EventFilter(void);
extern void EventWrite(unsigned code, Count n, const Word *args);
extern void EventWriteString(unsigned code, Word arg, const char *string);
extern void EventFlush(void);

#endif /* tarn_event_h */

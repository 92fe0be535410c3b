/* event.c: telemetry (see event.h) */

#include "event.h"
#include "lock.h"
#include "mpsio.h"
#include <string.h>

#define EVENT_BUFFER_WORDS 8192

Word EventFilterWord = 0;
static Bool eventInited = FALSE;
static Word eventLabelNext = 1;
static Word eventBuffer[EVENT_BUFFER_WORDS];
static Count eventFill = 0;
static mps_io_t eventIO = NULL;
static Bool eventIOFailed = FALSE;
static Bool eventHeaderWritten = FALSE;

void EventInit(void)
{
  TelemetryLockClaim();
  if (!eventInited) {
    EventFilterWord |= (Word)mps_lib_telemetry_control();
    eventInited = TRUE;
  }
  TelemetryLockRelease();
}

Word EventFilter(void)
{
  return EventFilterWord;
}

/* Write out what is buffered; the stream is opened the first time. */
static void eventFlushLocked(void)
{
  if (eventFill == 0)
    return;
  if (eventIO == NULL && !eventIOFailed && mps_io_create(&eventIO) != MPS_RES_OK) {
    eventIO = NULL;
    eventIOFailed = TRUE;
  }
  if (eventIO != NULL) {
    (void)mps_io_write(eventIO, eventBuffer, eventFill * sizeof(Word));
    (void)mps_io_flush(eventIO);
  }
  eventFill = 0;
}

static void eventPut(unsigned code, Count n, const Word *args, const char *string)
{
  Size strWords = string == NULL ? 0 : (strlen(string) + sizeof(Word)) / sizeof(Word);
  Count len = 2 + n + strWords;
  if (len > EVENT_BUFFER_WORDS)
    return;
  if (eventFill + len > EVENT_BUFFER_WORDS)
    eventFlushLocked();
  eventBuffer[eventFill] = (Word)code | ((Word)len << 16);
  eventBuffer[eventFill + 1] = (Word)mps_clock();
  if (n > 0)
    memcpy(&eventBuffer[eventFill + 2], args, n * sizeof(Word));
  if (string != NULL) {
    Word *w = &eventBuffer[eventFill + 2 + n];
    w[strWords - 1] = 0;
    memcpy(w, string, strlen(string) + 1);
  }
  eventFill += len;
}

static void eventPutHeader(void)
{
  if (!eventHeaderWritten) {
    Word args[2];
    args[0] = EVENT_VERSION;
    args[1] = (Word)mps_clocks_per_sec();
    eventHeaderWritten = TRUE;
    eventPut(EventCodeHeader, 2, args, NULL);
  }
}

/* Parallel tracing workers (parallel.h) write events too: the telemetry
 * lock is a leaf that nobody holds across a slice, so they claim it like
 * any thread. */
void EventWrite(unsigned code, Count n, const Word *args)
{
  TelemetryLockClaim();
  eventPutHeader();
  eventPut(code, n, args, NULL);
  TelemetryLockRelease();
}

void EventWriteString(unsigned code, Word arg, const char *string)
{
  TelemetryLockClaim();
  eventPutHeader();
  eventPut(code, 1, &arg, string);
  TelemetryLockRelease();
}

void EventFlush(void)
{
  TelemetryLockClaim();
  eventFlushLocked();
  TelemetryLockRelease();
}

void mps_telemetry_set(mps_word_t set_mask)
{
  EventInit();
  TelemetryLockClaim();
  EventFilterWord |= set_mask;
  TelemetryLockRelease();
}

void mps_telemetry_reset(mps_word_t reset_mask)
{
  EventInit();
  TelemetryLockClaim();
  EventFilterWord &= ~reset_mask;
  TelemetryLockRelease();
}

mps_word_t mps_telemetry_get(void)
{
  EventInit();
  return EventFilterWord;
}

mps_label_t mps_telemetry_intern(const char *label)
{
  mps_label_t l;
  char buf[256];
  ARGCHECK(label != NULL, 0);
  TelemetryLockClaim();
  l = eventLabelNext++;
  TelemetryLockRelease();
  if (EVENT_ON(USER)) {
    strncpy(buf, label, sizeof buf - 1);
    buf[sizeof buf - 1] = '\0';
    EventWriteString(EventCodeIntern, l, buf);
  }
  return l;
}

void mps_telemetry_label(mps_addr_t addr, mps_label_t label)
{
  EVENTN(Label, USER, (Word)addr, label);
}

void mps_telemetry_flush(void)
{
  EventFlush();
}

/* event.c: telemetry control (see event.h) */

#include "event.h"
#include "lock.h"

static Word eventFilter = 0;
static Bool eventInited = FALSE;
static Word eventLabelNext = 1;

void EventInit(void)
{
  GlobalLockClaim();
  if (!eventInited) {
    eventFilter |= (Word)mps_lib_telemetry_control();
    eventInited = TRUE;
  }
  GlobalLockRelease();
}

Word EventFilter(void)
{
  return eventFilter;
}

void mps_telemetry_set(mps_word_t set_mask)
{
  EventInit();
  GlobalLockClaim();
  eventFilter |= set_mask;
  GlobalLockRelease();
}

void mps_telemetry_reset(mps_word_t reset_mask)
{
  EventInit();
  GlobalLockClaim();
  eventFilter &= ~reset_mask;
  GlobalLockRelease();
}

mps_word_t mps_telemetry_get(void)
{
  EventInit();
  return eventFilter;
}

mps_label_t mps_telemetry_intern(const char *label)
{
  mps_label_t l;
  ARGCHECK(label != NULL, 0);
  GlobalLockClaim();
  l = eventLabelNext++;
  GlobalLockRelease();
  return l;
}

void mps_telemetry_label(mps_addr_t addr, mps_label_t label)
{
  UNUSED(addr);
  UNUSED(label);
}

void mps_telemetry_flush(void)
{
}

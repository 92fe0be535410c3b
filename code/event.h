/* event.h: telemetry
 *
 * A global filter word selects categories of events (contract section
 * 19).  This module keeps the filter and the label table; the event
 * stream itself is written through the plinth's I/O module.
 */

#ifndef tarn_event_h
#define tarn_event_h

#include "types.h"

extern void EventInit(void);
extern Word EventFilter(void);

#endif /* tarn_event_h */

/* message.h: the client-visible message queue
 *
 * The manager reports events (a collection started, a collection ended,
 * a block became finalizable) by queueing messages that the client polls
 * for.  Messages of a type the client has not enabled are never queued.
 * Each collection's two messages are allocated before it starts, so that
 * posting them cannot fail half-way (contract 13.4).
 */

#ifndef tarn_message_h
#define tarn_message_h

#include "types.h"
#include "check.h"
#include "ring.h"

#define MessageSig ((Sig)0x5193E55A)
#define MESSAGE_WHY_MAX 64

struct mps_message_s {
  Sig sig;
  Arena arena;
  mps_message_type_t type;
  RingStruct queueRing;         /* in arena->messageRing when queued */
  RingStruct finalRing;         /* finalization: registered or posted ring */
  mps_clock_t clock;
  union {
    struct {
      Size live;
      Size condemned;
      Size notCondemned;
    } gc;
    struct {
      char why[MESSAGE_WHY_MAX];
    } gcStart;
    struct {
      Addr ref;                 /* the finalizable block (a root, exact) */
    } final;
  } the;
};

extern Bool MessageCheck(Message message);
extern void MessageInit(Arena arena);
extern void MessageFinish(Arena arena);       /* discards everything queued */
extern Res MessageCreate(Message *messageReturn, Arena arena, mps_message_type_t type);
extern void MessageDestroy(Message message);
extern void MessagePost(Arena arena, Message message); /* or destroy, if disabled */
extern Bool MessageTypeEnabled(Arena arena, mps_message_type_t type);
extern void MessageTypeEnable(Arena arena, mps_message_type_t type);
extern void MessageTypeDisable(Arena arena, mps_message_type_t type);
extern Bool MessageQueueType(mps_message_type_t *typeReturn, Arena arena);
extern Bool MessageGet(Message *messageReturn, Arena arena, mps_message_type_t type);

#endif /* tarn_message_h */

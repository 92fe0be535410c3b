/* message.c: the client-visible message queue (see message.h) */

#include "message.h"
#include "arena.h"
#include "control.h"
#include <string.h>

#define MESSAGE_TYPE_LIMIT 3

Bool MessageCheck(Message message)
{
  CHECKS(Message, message);
  CHECKL(message->type < MESSAGE_TYPE_LIMIT);
  return TRUE;
}

void MessageInit(Arena arena)
{
  RingInit(&arena->messageRing);
  arena->enabledMessageTypes = 0;
}

void MessageFinish(Arena arena)
{
  Ring node, next;
  RING_FOR(node, &arena->messageRing, next)
    MessageDestroy(RING_ELT(Message, queueRing, node));
}

Res MessageCreate(Message *messageReturn, Arena arena, mps_message_type_t type)
{
  Message message;
  void *p;
  Res res = ControlAlloc(&p, arena, sizeof(struct mps_message_s));
  if (res != ResOK)
    return res;
  message = p;
  memset(message, 0, sizeof *message);
  message->arena = arena;
  message->type = type;
  RingInit(&message->queueRing);
  RingInit(&message->finalRing);
  message->sig = MessageSig;
  *messageReturn = message;
  return ResOK;
}

void MessageDestroy(Message message)
{
  AVERT(Message, message);
  RingRemove(&message->queueRing);
  RingRemove(&message->finalRing);
  message->sig = SigINVALID;
  ControlFree(message->arena, message, sizeof(struct mps_message_s));
}

Bool MessageTypeEnabled(Arena arena, mps_message_type_t type)
{
  return type < MESSAGE_TYPE_LIMIT && (arena->enabledMessageTypes >> type) & 1;
}

void MessagePost(Arena arena, Message message)
{
  AVERT(Message, message);
  if (MessageTypeEnabled(arena, message->type))
    RingAppend(&arena->messageRing, &message->queueRing);
  else
    MessageDestroy(message);
}

void MessageTypeEnable(Arena arena, mps_message_type_t type)
{
  arena->enabledMessageTypes |= (Word)1 << type;
}

void MessageTypeDisable(Arena arena, mps_message_type_t type)
{
  Ring node, next;
  arena->enabledMessageTypes &= ~((Word)1 << type);
  RING_FOR(node, &arena->messageRing, next) {
    Message message = RING_ELT(Message, queueRing, node);
    if (message->type == type)
      MessageDestroy(message);
  }
}

Bool MessageQueueType(mps_message_type_t *typeReturn, Arena arena)
{
  if (RingIsSingle(&arena->messageRing))
    return FALSE;
  *typeReturn = RING_ELT(Message, queueRing, arena->messageRing.next)->type;
  return TRUE;
}

Bool MessageGet(Message *messageReturn, Arena arena, mps_message_type_t type)
{
  Ring node;
  for (node = arena->messageRing.next; node != &arena->messageRing; node = node->next) {
    Message message = RING_ELT(Message, queueRing, node);
    if (message->type == type) {
      RingRemove(&message->queueRing);
      *messageReturn = message;
      return TRUE;
    }
  }
  return FALSE;
}

/* ring.h: intrusive doubly-linked rings
 *
 * A ring node is embedded in the structure it links; the ring's own node is
 * the sentinel.  RING_ELT(Type, field, node) recovers the containing
 * structure; it needs the typedef TypeStruct for the structure.
 */

#ifndef tarn_ring_h
#define tarn_ring_h

#include "types.h"

typedef struct RingStruct {
  struct RingStruct *next;
  struct RingStruct *prev;
} RingStruct;

static inline void RingInit(Ring ring) { ring->next = ring; ring->prev = ring; }
static inline Bool RingIsSingle(Ring ring) { return ring->next == ring; }
static inline void RingFinish(Ring ring) { ring->next = ring->prev = NULL; }

/* Insert new just before ring (at the tail when ring is the sentinel). */
static inline void RingAppend(Ring ring, Ring new)
{
  new->prev = ring->prev;
  new->next = ring;
  ring->prev->next = new;
  ring->prev = new;
}

/* Insert new just after ring (at the head when ring is the sentinel). */
static inline void RingInsert(Ring ring, Ring new)
{
  new->next = ring->next;
  new->prev = ring;
  ring->next->prev = new;
  ring->next = new;
}

static inline void RingRemove(Ring old)
{
  old->next->prev = old->prev;
  old->prev->next = old->next;
  old->next = old->prev = old;
}

static inline Count RingLength(Ring ring)
{
  Count n = 0;
  Ring node;
  for (node = ring->next; node != ring; node = node->next)
    ++n;
  return n;
}

#define RING_ELT(type, field, node) \
  ((type)(void *)((char *)(node) - offsetof(type##Struct, field)))

/* Iterate safely: the current node may be removed. */
#define RING_FOR(node_, ring_, next_) \
  for (node_ = (ring_)->next, next_ = node_->next; node_ != (ring_); \
       node_ = next_, next_ = node_->next)

#endif /* tarn_ring_h */

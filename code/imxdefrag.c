/* imxdefrag.c: IMX's defragmentation policy (which mature blocks to evacuate)
 *
 * Policy apart from mechanism: poolimx.c evacuates the blocks marked as
 * candidates, in the same pass as marking, copying their objects into
 * other blocks' free lines or fresh blocks (within the budget set here);
 * this module only chooses them, from what the previous reclaim left in
 * each block (holes, used lines, live and dead bytes).
 */

#include "poolimx.h"
#include <string.h>

/* Candidates need at least this many holes, unless sparse (at most
 * 1/IMX_SPARSE of their lines used). */
#define IMX_MIN_HOLES 2
#define IMX_SPARSE 4
/* Or when dead objects fill at least 1/IMX_DEAD_SHARE of their used
 * lines' bytes (the score is then the dead 64ths of the block): a line
 * stays used while one object in it lives, so a block whose objects died
 * one in two, scattered, has no holes and half its bytes wasted. */
#define IMX_DEAD_SHARE 4
#define IMX_SCORE_MAX 64

/* Defragmentation: choosing candidates.  On the first condemned mature
 * block of a trace, rank the mature blocks by the holes the previous
 * reclaim left in them, or by the dead bytes in the lines it kept (a
 * sparse block counts as most fragmented), and take them from the most
 * fragmented down while the bytes they kept fit in the space to copy
 * them to: the budget of fresh blocks plus the free lines of the blocks
 * not taken. */
static Count imxScore(IMXSeg imxseg)
{
  Count holes, dead;
  if (imxseg->large || imxseg->usedLines == 0 || SegBuffer(IMXSegSeg(imxseg)) != NULL)
    return 0;
  if (imxseg->usedLines * IMX_SPARSE <= imxseg->lines)
    return IMX_SCORE_MAX;       /* sparse: the best candidates */
  holes = imxseg->holes < IMX_MIN_HOLES ? 0
          : imxseg->holes > IMX_SCORE_MAX ? IMX_SCORE_MAX : imxseg->holes;
  dead = (Count)(imxseg->deadBytes * IMX_SCORE_MAX / SegSize(IMXSegSeg(imxseg)));
  return dead * IMX_DEAD_SHARE >= IMX_SCORE_MAX && dead > holes ? dead : holes;
}

void IMXSelectCandidates(IMX imx, IMXSpace space)
{
  Count hist[IMX_SCORE_MAX + 1], s, threshold;
  Size room, need = 0;
  Ring node;
  space->selected = TRUE;
  space->evacFresh = 0;
  space->evacBudget = (Size)(imx->headroom * (double)space->pgenStruct.totalSize);
  if (imx->headroom <= 0.0)
    return;
  memset(hist, 0, sizeof hist);
  for (node = space->blockRing.next; node != &space->blockRing; node = node->next) {
    IMXSeg imxseg = RING_ELT(IMXSeg, spaceRing, node);
    s = imxScore(imxseg);
    hist[s] += imxseg->liveBytes > 0 ? imxseg->liveBytes : 1;
  }
  /* Copies go to the next space: its free lines are an upper bound on
   * the room there in blocks not taken. */
  room = space->evacBudget + space->next->freeSize;
  for (threshold = IMX_SCORE_MAX; threshold >= IMX_MIN_HOLES; --threshold) {
    if (need + hist[threshold] > room)
      break;
    need += hist[threshold];
  }
  /* Every block scoring above the threshold is taken, and of those
   * scoring it (the score whose blocks did not all fit), as many as fit:
   * blocks that died alike score alike. */
  for (node = space->blockRing.next; node != &space->blockRing; node = node->next) {
    IMXSeg imxseg = RING_ELT(IMXSeg, spaceRing, node);
    s = imxScore(imxseg);
    if (s < IMX_MIN_HOLES || s < threshold)
      continue;
    if (s == threshold) {
      Size live = imxseg->liveBytes > 0 ? imxseg->liveBytes : 1;
      if (need + live > room)
        continue;
      need += live;
    }
    /* Every block of the space is about to be condemned with this one. */
    imxseg->candidate = imxseg->evacuate = TRUE;
  }
}

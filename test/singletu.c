/* singletu.c: a client built as `cc -O2 client.c code/mps.c` with no
 * library, checking that the amalgamation links on its own and works:
 * a VM arena, an MVFF pool, blocks allocated, written, checked, freed. */

#include "mps.h"
#include "mpsavm.h"
#include "mpscmvff.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#define BLOCKS 1000

int main(void)
{
  mps_arena_t arena;
  mps_pool_t pool;
  void *blocks[BLOCKS];
  size_t sizes[BLOCKS];
  size_t i;

  if (mps_arena_create_k(&arena, mps_arena_class_vm(), mps_args_none) != MPS_RES_OK)
    return 1;
  if (mps_pool_create_k(&pool, arena, mps_class_mvff(), mps_args_none) != MPS_RES_OK)
    return 1;
  for (i = 0; i < BLOCKS; ++i) {
    sizes[i] = 8 + (i * 37) % 500;
    if (mps_alloc(&blocks[i], pool, sizes[i]) != MPS_RES_OK)
      return 1;
    memset(blocks[i], (int)(i & 0xFF), sizes[i]);
  }
  for (i = 0; i < BLOCKS; ++i) {
    size_t j;
    for (j = 0; j < sizes[i]; ++j)
      if (((unsigned char *)blocks[i])[j] != (unsigned char)(i & 0xFF)) {
        fprintf(stderr, "singletu: block %lu corrupted\n", (unsigned long)i);
        return 1;
      }
    mps_free(pool, blocks[i], sizes[i]);
  }
  if (mps_pool_total_size(pool) < mps_pool_free_size(pool))
    return 1;
  mps_pool_destroy(pool);
  mps_arena_destroy(arena);
  printf("singletu: PASS\n");
  return 0;
}

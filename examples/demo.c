/* demo.c: a tour of Tarn's arena and manual pools
 *
 * Creates a virtual-memory arena and, in it, an MFS pool of fixed-size
 * records, an MVFF pool used like malloc, an MVT pool fed through an
 * allocation point, and a segregated allocation cache over the MVFF pool.
 * It builds a small linked structure in each, checks it, frees it, and
 * prints what the arena and pools hold at each step.
 */

#include "mps.h"
#include "mpsavm.h"
#include "mpscmfs.h"
#include "mpscmvff.h"
#include "mpscmvt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct node_s {
  struct node_s *next;
  unsigned long value;
} node_s;

static void check_res(mps_res_t res, const char *what)
{
  if (res != MPS_RES_OK) {
    fprintf(stderr, "demo: %s failed with result %d\n", what, res);
    exit(1);
  }
}

static void show(const char *when, mps_arena_t arena, mps_pool_t pool)
{
  printf("  %-34s arena committed %8lu  pool total %8lu free %8lu\n", when,
         (unsigned long)mps_arena_committed(arena),
         (unsigned long)mps_pool_total_size(pool),
         (unsigned long)mps_pool_free_size(pool));
}

/* MFS: a list of fixed-size nodes. */
static void demo_mfs(mps_arena_t arena)
{
  mps_pool_t pool;
  node_s *list = NULL, *n;
  unsigned long i, sum = 0;
  printf("MFS (fixed-size units of %lu bytes)\n", (unsigned long)sizeof(node_s));
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_MFS_UNIT_SIZE, sizeof(node_s));
    check_res(mps_pool_create_k(&pool, arena, mps_class_mfs(), args), "MFS pool");
  } MPS_ARGS_END(args);
  for (i = 1; i <= 10000; ++i) {
    mps_addr_t p;
    check_res(mps_alloc(&p, pool, sizeof(node_s)), "mps_alloc");
    n = p;
    n->value = i;
    n->next = list;
    list = n;
  }
  show("after 10000 nodes:", arena, pool);
  while (list != NULL) {
    n = list;
    list = n->next;
    sum += n->value;
    mps_free(pool, n, sizeof(node_s));
  }
  printf("  sum of values %lu (expected %lu)\n", sum, 10000UL * 10001UL / 2);
  show("after freeing them:", arena, pool);
  mps_pool_destroy(pool);
}

/* MVFF: variable-sized strings, like malloc. */
static void demo_mvff(mps_arena_t arena)
{
  mps_pool_t pool;
  char *strings[2000];
  size_t i;
  printf("MVFF (first fit, like malloc)\n");
  check_res(mps_pool_create_k(&pool, arena, mps_class_mvff(), mps_args_none), "MVFF pool");
  for (i = 0; i < 2000; ++i) {
    mps_addr_t p;
    size_t len = 1 + (i * 7919) % 300;
    check_res(mps_alloc(&p, pool, len + 1), "mps_alloc");
    strings[i] = p;
    memset(strings[i], 'a' + (int)(i % 26), len);
    strings[i][len] = '\0';
  }
  show("after 2000 strings:", arena, pool);
  for (i = 0; i < 2000; i += 2)
    mps_free(pool, strings[i], strlen(strings[i]) + 1);
  show("after freeing every other one:", arena, pool);
  for (i = 1; i < 2000; i += 2)
    mps_free(pool, strings[i], strlen(strings[i]) + 1);
  show("after freeing the rest:", arena, pool);
  mps_pool_destroy(pool);
}

/* MVT: records allocated through an allocation point. */
static void demo_mvt(mps_arena_t arena)
{
  mps_pool_t pool;
  mps_ap_t ap;
  node_s *list = NULL, *n;
  unsigned long i, count = 0;
  printf("MVT (temporal fit, through an allocation point)\n");
  check_res(mps_pool_create_k(&pool, arena, mps_class_mvt(), mps_args_none), "MVT pool");
  check_res(mps_ap_create_k(&ap, pool, mps_args_none), "allocation point");
  for (i = 0; i < 5000; ++i) {
    mps_addr_t p;
    do {
      check_res(mps_reserve(&p, ap, sizeof(node_s)), "mps_reserve");
      n = p;
      n->value = i;
      n->next = list;
    } while (!mps_commit(ap, p, sizeof(node_s)));
    list = n;
  }
  show("after 5000 records:", arena, pool);
  while (list != NULL) {
    n = list;
    list = n->next;
    ++count;
    mps_free(pool, n, sizeof(node_s));
  }
  printf("  freed %lu records\n", count);
  mps_ap_destroy(ap);
  show("after freeing them:", arena, pool);
  mps_pool_destroy(pool);
}

/* A segregated allocation cache in front of MVFF. */
static void demo_sac(mps_arena_t arena)
{
  mps_pool_t pool;
  mps_sac_t sac;
  mps_sac_class_s classes[3] = {{16, 100, 1}, {64, 50, 1}, {256, 20, 1}};
  void *blocks[1000];
  size_t i;
  printf("SAC over MVFF (size classes 16, 64, 256)\n");
  check_res(mps_pool_create_k(&pool, arena, mps_class_mvff(), mps_args_none), "MVFF pool");
  check_res(mps_sac_create(&sac, pool, 3, classes), "mps_sac_create");
  for (i = 0; i < 1000; ++i) {
    mps_res_t res;
    mps_addr_t p;
    MPS_SAC_ALLOC_FAST(res, p, sac, 8 + i % 200, 0);
    check_res(res, "MPS_SAC_ALLOC_FAST");
    blocks[i] = p;
  }
  show("after 1000 blocks:", arena, pool);
  for (i = 0; i < 1000; ++i)
    MPS_SAC_FREE_FAST(sac, blocks[i], 8 + i % 200);
  show("after freeing them into the cache:", arena, pool);
  mps_sac_flush(sac);
  show("after flushing the cache:", arena, pool);
  mps_sac_destroy(sac);
  mps_pool_destroy(pool);
}

int main(void)
{
  mps_arena_t arena;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, 64 << 20);
    check_res(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "arena");
  } MPS_ARGS_END(args);
  printf("Tarn demo: a VM arena reserving %lu bytes\n",
         (unsigned long)mps_arena_reserved(arena));
  demo_mfs(arena);
  demo_mvff(arena);
  demo_mvt(arena);
  demo_sac(arena);
  printf("arena committed %lu bytes at the end (spare %lu); collections: %lu\n",
         (unsigned long)mps_arena_committed(arena),
         (unsigned long)mps_arena_spare_committed(arena),
         (unsigned long)mps_collections(arena));
  mps_arena_destroy(arena);
  printf("demo finished\n");
  return 0;
}

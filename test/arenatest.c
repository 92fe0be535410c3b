/* arenatest.c: VM and client arenas: creation, accounting, commit limit,
 * spare memory, growth, tract ownership */

#include "testlib.h"
#include "mpsavm.h"
#include "mpsacl.h"
#include "mpscmvff.h"
#include <string.h>

static void testVM(void)
{
  mps_arena_t arena;
  size_t reserved, committed;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, 16 << 20);
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "mps_arena_create_k");
  } MPS_ARGS_END(args);
  reserved = mps_arena_reserved(arena);
  committed = mps_arena_committed(arena);
  printf("VM arena: reserved %lu committed %lu spare %lu\n", (unsigned long)reserved,
         (unsigned long)committed, (unsigned long)mps_arena_spare_committed(arena));
  check(reserved >= 16 << 20);
  check(committed > 0 && committed <= reserved);
  check(mps_arena_commit_limit(arena) == (size_t)-1);
  check(!mps_arena_has_addr(arena, NULL));
  check(!mps_arena_has_addr(arena, &arena));
  check(mps_arena_commit_limit_set(arena, committed) == MPS_RES_OK);
  check(mps_arena_commit_limit_set(arena, committed - 1) != MPS_RES_OK);
  check(mps_arena_commit_limit(arena) == committed);
  check(mps_arena_commit_limit_set(arena, (size_t)-1) == MPS_RES_OK);
  check(mps_collections(arena) == 0);
  mps_arena_destroy(arena);
}

static void testCL(void)
{
  size_t size = 4 << 20;
  void *block = malloc(size);
  mps_arena_t arena;
  check(block != NULL);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_CL_BASE, block);
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, size);
    die(mps_arena_create_k(&arena, mps_arena_class_cl(), args), "mps_arena_create_k CL");
  } MPS_ARGS_END(args);
  check(mps_arena_reserved(arena) <= size);
  check(mps_arena_has_addr(arena, (char *)block + size / 2));
  check(!mps_arena_has_addr(arena, (char *)block + size + 8192));
  check(mps_arena_spare_committed(arena) == 0);
  mps_arena_destroy(arena);
  free(block);
}

/* Commit ahead (arena.c): an allocation that has to commit memory also
 * commits some of the free memory after it, as spare, so that the next
 * small segments need no commit of their own; not when no spare memory
 * is kept, and never past the commit limit. */
#define AHEAD_OBJ ((size_t)60 << 10)    /* one MVFF segment each */

static mps_pool_t aheadPool(mps_arena_t arena)
{
  mps_pool_t pool;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_EXTEND_BY, 64 << 10);
    die(mps_pool_create_k(&pool, arena, mps_class_mvff(), args), "mps_pool_create_k MVFF");
  } MPS_ARGS_END(args);
  return pool;
}

static void testCommitAhead(double spare)
{
  mps_arena_t arena;
  mps_pool_t pool;
  void *p[8];
  size_t before, after, i, fresh = 0;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, 64 << 20);
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "mps_arena_create_k");
  } MPS_ARGS_END(args);
  mps_arena_spare_set(arena, spare);
  pool = aheadPool(arena);
  for (i = 0; i < 8; ++i) {
    before = mps_arena_committed(arena);
    die(mps_alloc(&p[i], pool, AHEAD_OBJ), "mps_alloc");
    after = mps_arena_committed(arena);
    if (after != before)
      ++fresh;
    if (spare == 0.0)
      check(mps_arena_spare_committed(arena) == 0);
  }
  printf("commit ahead, spare %.2f: %lu of 8 segments committed memory, spare %lu\n",
         spare, (unsigned long)fresh, (unsigned long)mps_arena_spare_committed(arena));
  if (spare == 0.0)
    check(fresh == 8);          /* every segment commits its own */
  else
    check(fresh < 8);           /* some were committed ahead */
  for (i = 0; i < 8; ++i)
    mps_free(pool, p[i], AHEAD_OBJ);
  mps_pool_destroy(pool);
  mps_arena_destroy(arena);
}

/* Under a commit limit that leaves room for one more segment only, the
 * allocation succeeds and commits nothing ahead. */
static void testCommitAheadLimit(void)
{
  mps_arena_t arena;
  mps_pool_t pool;
  void *a, *b;
  size_t limit;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_ARENA_SIZE, 64 << 20);
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "mps_arena_create_k");
  } MPS_ARGS_END(args);
  pool = aheadPool(arena);
  die(mps_alloc(&a, pool, AHEAD_OBJ), "mps_alloc");
  mps_arena_spare_commit_limit_set(arena, 0);       /* no spare: nothing ahead */
  mps_arena_spare_set(arena, 0.75);
  limit = mps_arena_committed(arena) - mps_arena_spare_committed(arena) + (64 << 10);
  check(mps_arena_commit_limit_set(arena, limit) == MPS_RES_OK);
  die(mps_alloc(&b, pool, AHEAD_OBJ), "mps_alloc under the limit");
  check(mps_arena_committed(arena) <= limit);
  mps_free(pool, a, AHEAD_OBJ);
  mps_free(pool, b, AHEAD_OBJ);
  mps_pool_destroy(pool);
  mps_arena_destroy(arena);
}

int main(int argc, char *argv[])
{
  testInit(argc, argv);
  testVM();
  testCL();
  testCommitAhead(0.75);
  testCommitAhead(0.0);
  testCommitAheadLimit();
  return testPass();
}

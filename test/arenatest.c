/* arenatest.c: VM and client arenas: creation, accounting, commit limit,
 * spare memory, growth, tract ownership */

#include "testlib.h"
#include "mpsavm.h"
#include "mpsacl.h"
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

int main(int argc, char *argv[])
{
  testInit(argc, argv);
  testVM();
  testCL();
  return testPass();
}

/* testfmt.c: an object format for Tarn's tests (see testfmt.h) */

#include "testfmt.h"
#include <string.h>

#define WORD sizeof(mps_word_t)
#define TYPE(h) ((h) & 0xFF)
#define SIZE(h) ((size_t)((h) >> 8))
#define HEADER(type, size) ((mps_word_t)(type) | ((mps_word_t)(size) << 8))

static size_t testfmtHeader = 0;

size_t testfmt_header_size(void)
{
  return testfmtHeader;
}

/* The word at the block's base (the in-band header if there is one, else
 * the object's own first word) holds the type and the block's size; the
 * client part keeps a copy in obj->header so a smash shows up. */
static mps_word_t *baseOf(mps_addr_t client)
{
  return (mps_word_t *)((char *)client - testfmtHeader);
}
#define BLOCK_HEADER(client) (*baseOf(client))

size_t testobj_size(size_t nrefs, size_t ndata)
{
  return testfmtHeader + (3 + nrefs + ndata) * WORD;
}

mps_word_t testobj_pattern(mps_word_t id, size_t i)
{
  return (id * 2654435761UL) ^ ((mps_word_t)i * 0x9E3779B9UL) ^ 0xA5A5A5A5UL;
}

static mps_res_t testfmtScan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  char *p = base;
  MPS_SCAN_BEGIN(ss) {
    while (p < (char *)limit) {
      testobj_t obj = (testobj_t)p;
      mps_word_t h = BLOCK_HEADER(p);
      if (TYPE(h) == TESTOBJ_OBJ) {
        size_t i;
        for (i = 0; i < obj->nrefs; ++i) {
          mps_res_t res = MPS_FIX12(ss, &obj->refs[i]);
          if (res != MPS_RES_OK)
            return res;
        }
      }
      p += SIZE(h);
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static mps_addr_t testfmtSkip(mps_addr_t addr)
{
  return (char *)addr + SIZE(BLOCK_HEADER(addr));
}

static void testfmtFwd(mps_addr_t old, mps_addr_t new)
{
  testobj_t obj = old;
  size_t size = SIZE(BLOCK_HEADER(old));
  BLOCK_HEADER(old) = HEADER(TESTOBJ_FWD, size);
  obj->id = (mps_word_t)new;
}

static mps_addr_t testfmtIsFwd(mps_addr_t addr)
{
  testobj_t obj = addr;
  if (TYPE(BLOCK_HEADER(addr)) == TESTOBJ_FWD)
    return (mps_addr_t)obj->id;
  return NULL;
}

/* Padding takes a base pointer: the block header is at the base. */
static void testfmtPad(mps_addr_t addr, size_t size)
{
  *(mps_word_t *)addr = HEADER(TESTOBJ_PAD, size);
}

static mps_addr_t testfmtClass(mps_addr_t addr)
{
  return TYPE(BLOCK_HEADER(addr)) == TESTOBJ_OBJ ? (mps_addr_t)testfmtScan : NULL;
}

mps_res_t testfmt_create(mps_fmt_t *fmt_o, mps_arena_t arena, size_t headerSize)
{
  mps_res_t res;
  testfmtHeader = headerSize;
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, WORD);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_HEADER_SIZE, headerSize);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, testfmtScan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, testfmtSkip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_FWD, testfmtFwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ISFWD, testfmtIsFwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, testfmtPad);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_CLASS, testfmtClass);
    res = mps_fmt_create_k(fmt_o, arena, args);
  } MPS_ARGS_END(args);
  return res;
}

testobj_t testobj_init(void *base, mps_word_t id, size_t nrefs, size_t ndata)
{
  size_t size = testobj_size(nrefs, ndata);
  testobj_t obj = (testobj_t)((char *)base + testfmtHeader);
  size_t i;
  *(mps_word_t *)base = HEADER(TESTOBJ_OBJ, size);
  obj->header = HEADER(TESTOBJ_OBJ, size);
  obj->id = id;
  obj->nrefs = nrefs;
  for (i = 0; i < nrefs; ++i)
    obj->refs[i] = NULL;
  for (i = 0; i < ndata; ++i)
    ((mps_word_t *)&obj->refs[nrefs])[i] = testobj_pattern(id, i);
  return obj;
}

mps_res_t testfmt_scan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  return testfmtScan(ss, base, limit);
}

mps_addr_t testfmt_skip(mps_addr_t addr)
{
  return testfmtSkip(addr);
}

int testfmt_is_pad(mps_addr_t addr)
{
  return TYPE(BLOCK_HEADER(addr)) == TESTOBJ_PAD;
}

mps_res_t testobj_alloc(testobj_t *obj_o, mps_ap_t ap, mps_word_t id,
                        size_t nrefs, size_t ndata)
{
  size_t size = testobj_size(nrefs, ndata);
  mps_addr_t p;
  testobj_t obj;
  do {
    mps_res_t res = mps_reserve(&p, ap, size);
    if (res != MPS_RES_OK)
      return res;
    obj = testobj_init(p, id, nrefs, ndata);
  } while (!mps_commit(ap, p, size));
  *obj_o = obj;
  return MPS_RES_OK;
}

size_t testobj_ndata(testobj_t obj)
{
  return (SIZE(obj->header) - testfmtHeader) / WORD - 3 - obj->nrefs;
}

int testobj_ok(testobj_t obj)
{
  size_t i, ndata;
  if (TYPE(obj->header) != TESTOBJ_OBJ || BLOCK_HEADER(obj) != obj->header)
    return 0;
  if (SIZE(obj->header) < testfmtHeader + (3 + obj->nrefs) * WORD)
    return 0;
  ndata = testobj_ndata(obj);
  for (i = 0; i < ndata; ++i)
    if (((mps_word_t *)&obj->refs[obj->nrefs])[i] != testobj_pattern(obj->id, i))
      return 0;
  return 1;
}

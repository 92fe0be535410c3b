/* scheme.c: a small Scheme interpreter, written as a client of Tarn
 *
 * Tarn implements the public interface of MPS 1.118; this program uses
 * only that interface (mps.h, mpsavm.h, the pool class headers), plus
 * Tarn's IMX pool classes (mpscimx.h), an extension.  It is the example
 * the README's first command runs.  README.md in this directory explains
 * the design: how values are represented, which pool holds what, and how
 * the roots are registered.  In short:
 *
 *   - fixnums, characters, booleans, () and a few markers are immediates;
 *   - pairs, vectors, closures, primitives, environment frames and
 *     symbols live in the object pool (scanned);
 *   - strings, flonums, buffers and ports live in the leaf pool (never
 *     scanned); a buffer's bytes are malloc'd, and freed when Tarn posts
 *     the buffer's finalization message;
 *   - the environment variable SCHEME_POOLS chooses those two pools:
 *     amc (the default: AMC and AMCZ, copying), imx (IMX and IMXZ,
 *     mark-region, Tarn's own) or ams (AMS and LO, mark-sweep);
 *   - weak-key hash tables are an object-pool object holding two AWL
 *     arrays: keys on a weak allocation point, values on an exact one;
 *   - every C local is kept alive (and pinned) by the ambiguous root on
 *     the interpreter thread's stack and registers;
 *   - the symbol table and a block of C globals are exact roots.
 *
 * Build (one translation unit with the whole manager):
 *   cc -std=gnu99 -O2 -Iinclude examples/scheme/scheme.c code/mps.c \
 *      -lpthread -lm -o scheme
 */

#include "mps.h"
#include "mpsavm.h"
#include "mpscamc.h"
#include "mpscams.h"
#include "mpscawl.h"
#include "mpscimx.h"
#include "mpsclo.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NORETURN __attribute__((noreturn))
#define NOINLINE __attribute__((noinline))
#define UNUSED __attribute__((unused))


/* VALUES
 *
 * A value (obj) is a word.  Low bits 000: a pointer to an object in
 * the heap (never NULL once initialised).  Low bit 1: a fixnum (62 bits
 * of signed integer on a 64-bit machine).  Low bits 010: a constant;
 * 110: a character.  The scanners fix only words whose low three bits
 * are 000, so immediates are never mistaken for references. */

typedef mps_word_t word;
typedef struct object { word header; } *obj;

#define WORD sizeof(word)
#define TAG_MASK ((word)7)
#define IS_PTR(x) ((((word)(x)) & TAG_MASK) == 0 && (x) != NULL)
#define IS_FIXNUM(x) ((((word)(x)) & 1) != 0)
#define FIXNUM(n) ((obj)(((word)(n) << 1) | 1))
#define FIXVAL(x) ((long)(word)(x) >> 1)
#define FIXNUM_MAX (LONG_MAX >> 1)
#define FIXNUM_MIN (LONG_MIN >> 1)
#define CONST(n) ((obj)(((word)(n) << 3) | 2))
#define IS_CHAR(x) ((((word)(x)) & TAG_MASK) == 6)
#define MAKE_CHAR(c) ((obj)(((word)(unsigned char)(c) << 3) | 6))
#define CHARVAL(x) ((int)((word)(x) >> 3))

#define NIL     CONST(0)
#define TRUE    CONST(1)
#define FALSE   CONST(2)
#define UNSPEC  CONST(3)        /* the value of forms with no useful value */
#define EOF_OBJ CONST(4)
#define UNBOUND CONST(5)        /* an unbound variable's value cell */
#define NOARG   CONST(6)        /* "no irritant" for errors */
#define DOT     CONST(7)        /* the reader's "." token */
#define DELETED CONST(8)        /* a weak hash table's deleted key */
#define BOOL(c) ((c) ? TRUE : FALSE)


/* OBJECTS
 *
 * Every object starts with a header word: the type in the low 8 bits
 * and a type-specific length above them.  The words after the header
 * that hold references come first, so the scanner only needs to know
 * how many there are.  Every object is at least two words, so any
 * object can be overwritten by a forwarding marker (header + address);
 * padding objects may be a single header word. */

enum {
  T_PAIR = 1,   /* car, cdr */
  T_VECTOR,     /* length = element count */
  T_CLOSURE,    /* formals, body, env, name */
  T_PRIM,       /* name, C function; length = min | max << 8 */
  T_ENV,        /* parent, names, extra, values[length] */
  T_SYMBOL,     /* name (string), global value; length = special form */
  T_STRING,     /* length = bytes, then NUL-terminated characters */
  T_FLONUM,     /* a double */
  T_FWD,        /* forwarding marker: length = size in bytes, new addr */
  T_PAD,        /* padding: length = size in bytes */
  T_WTABLE,     /* weak-key hash table: keys, values, used, ld */
  T_BUFFER,     /* length = bytes; the C resource (struct bufres *) */
  T_WKEYS,      /* AWL, weak: dependent, length = slots, then the keys */
  T_WVALS,      /* AWL, exact: dependent, length = slots, then the values */
  T_PORT,       /* length = direction; the C resource (struct portres *) */
  T_THREAD      /* length = state; result, the C side (struct threadres *) */
};

#define HDR(type, len) ((word)(type) | ((word)(len) << 8))
#define HTYPE(h) ((unsigned)((h) & 0xFF))
#define HLEN(h) ((size_t)((h) >> 8))
#define TYPE(x) HTYPE((x)->header)
#define LEN(x) HLEN((x)->header)

typedef obj (*prim_fn)(long argc, obj *argv);

struct pair { word header; obj car, cdr; };
struct vector { word header; obj v[]; };
struct closure { word header; obj formals, body, env, name; };
struct prim { word header; obj name; prim_fn fn; };
struct env { word header; obj parent, names, extra; obj v[]; };
struct symbol { word header; obj name, value; };
struct string { word header; char s[]; };
struct flonum { word header; double d; };
struct wtable { word header; obj keys, vals, used; mps_ld_s ld; };
struct bufres;
struct buffer { word header; struct bufres *res; };
struct warray { word header; struct warray *dependent; obj slot[]; };
struct portres;
struct port { word header; struct portres *res; };
struct threadres;
struct thread { word header; obj result; struct threadres *res; };

#define PAIR(x) ((struct pair *)(x))
#define VEC(x) ((struct vector *)(x))
#define CLOS(x) ((struct closure *)(x))
#define PRIM(x) ((struct prim *)(x))
#define ENV(x) ((struct env *)(x))
#define SYM(x) ((struct symbol *)(x))
#define STR(x) ((struct string *)(x))
#define FLO(x) ((struct flonum *)(x))
#define WTAB(x) ((struct wtable *)(x))
#define BUF(x) ((struct buffer *)(x))
#define WARR(x) ((struct warray *)(x))
#define PORT(x) ((struct port *)(x))
#define THR(x) ((struct thread *)(x))
#define CAR(x) (PAIR(x)->car)
#define CDR(x) (PAIR(x)->cdr)

static int is_type(obj x, unsigned type)
{
  return IS_PTR(x) && TYPE(x) == type;
}
#define IS_PAIR(x) is_type(x, T_PAIR)
#define IS_SYMBOL(x) is_type(x, T_SYMBOL)
#define IS_STRING(x) is_type(x, T_STRING)
#define IS_FLONUM(x) is_type(x, T_FLONUM)
#define IS_VECTOR(x) is_type(x, T_VECTOR)

#define STRING_SIZE(len) (WORD * (1 + ((len) + WORD) / WORD))

static size_t obj_size(word h)
{
  size_t len = HLEN(h);
  switch (HTYPE(h)) {
  case T_PAIR: return sizeof(struct pair);
  case T_VECTOR: return WORD * (1 + len);
  case T_CLOSURE: return sizeof(struct closure);
  case T_PRIM: return sizeof(struct prim);
  case T_ENV: return WORD * (4 + len);
  case T_SYMBOL: return sizeof(struct symbol);
  case T_STRING: return STRING_SIZE(len);
  case T_FLONUM: return sizeof(struct flonum);
  case T_WTABLE: return sizeof(struct wtable);
  case T_BUFFER: return sizeof(struct buffer);
  case T_PORT: return sizeof(struct port);
  case T_THREAD: return sizeof(struct thread);
  case T_WKEYS: case T_WVALS: return WORD * (2 + len);
  default: return len;          /* T_FWD, T_PAD */
  }
}

/* How many reference words follow the header. */
static size_t obj_nrefs(word h)
{
  switch (HTYPE(h)) {
  case T_PAIR: return 2;
  case T_VECTOR: return HLEN(h);
  case T_CLOSURE: return 4;
  case T_PRIM: return 1;
  case T_ENV: return 3 + HLEN(h);
  case T_SYMBOL: return 2;
  case T_WTABLE: return 3;      /* keys, values, used (a fixnum) */
  case T_THREAD: return 1;      /* result (then a C pointer) */
  default: return 0;            /* leaves, forwarding, padding, AWL arrays */
  }
}


/* THE OBJECT FORMAT
 *
 * These run on Tarn's schedule, possibly inside a fault handler: they
 * touch only the object in hand and call nothing but the fix macros. */

static mps_res_t fmt_scan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  MPS_SCAN_BEGIN(ss) {
    while (base < limit) {
      word h = *(word *)base;
      obj *slot = (obj *)base + 1;
      size_t i, n = obj_nrefs(h);
      for (i = 0; i < n; ++i) {
        obj ref = slot[i];
        if (IS_PTR(ref) && MPS_FIX1(ss, ref)) {
          mps_addr_t addr = ref;
          mps_res_t res = MPS_FIX2(ss, &addr);
          if (res != MPS_RES_OK)
            return res;
          slot[i] = addr;
        }
      }
      base = (char *)base + obj_size(h);
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static mps_addr_t fmt_skip(mps_addr_t addr)
{
  return (char *)addr + obj_size(*(word *)addr);
}

static void fmt_fwd(mps_addr_t old, mps_addr_t new)
{
  word *w = old;
  size_t size = obj_size(w[0]);
  w[1] = (word)new;
  w[0] = HDR(T_FWD, size);
}

static mps_addr_t fmt_isfwd(mps_addr_t addr)
{
  word *w = addr;
  return HTYPE(w[0]) == T_FWD ? (mps_addr_t)w[1] : NULL;
}

static void fmt_pad(mps_addr_t addr, size_t size)
{
  *(word *)addr = HDR(T_PAD, size);
}

/* The AWL arrays of weak hash tables have a format of their own (skip
 * and pad are the same).  Every word of them is a header, an untagged
 * reference, NULL (an empty slot) or a tagged immediate, as AWL wants.
 * The dependent word is not fixed: AWL does not move, and the table
 * holds both arrays.  When a key is splatted (MPS_FIX2 returned OK and
 * the reference is now NULL) the entry is deleted: a DELETED marker in
 * the key slot, so that probing goes on past it, and #f in the value
 * slot of the dependent, which Tarn keeps accessible while it scans. */
static mps_res_t awl_scan(mps_ss_t ss, mps_addr_t base, mps_addr_t limit)
{
  MPS_SCAN_BEGIN(ss) {
    while (base < limit) {
      word h = *(word *)base;
      if (HTYPE(h) == T_WKEYS || HTYPE(h) == T_WVALS) {
        struct warray *a = base;
        size_t i, n = HLEN(h);
        for (i = 0; i < n; ++i) {
          obj ref = a->slot[i];
          if (IS_PTR(ref) && MPS_FIX1(ss, ref)) {
            mps_addr_t addr = ref;
            mps_res_t res = MPS_FIX2(ss, &addr);
            if (res != MPS_RES_OK)
              return res;
            if (addr == NULL) {         /* a weak key whose object died */
              a->slot[i] = DELETED;
              if (a->dependent != NULL)
                a->dependent->slot[i] = FALSE;
            } else {
              a->slot[i] = addr;
            }
          }
        }
      }
      base = (char *)base + obj_size(h);
    }
  } MPS_SCAN_END(ss);
  return MPS_RES_OK;
}

static mps_addr_t awl_find_dependent(mps_addr_t addr)
{
  word h = *(word *)addr;
  return HTYPE(h) == T_WKEYS ? (mps_addr_t)WARR(addr)->dependent : NULL;
}


/* MEMORY MANAGER STATE */

static mps_arena_t arena;
/* The pools: objects with references, leaf objects, weak arrays.  The
 * first two are a pair of classes chosen by SCHEME_POOLS (pools_choose);
 * the collector may move their objects (AMC, IMX) or not (AMS, LO), so
 * the interpreter assumes they may move.  Every object the C stack
 * refers to is kept alive and unmoved by the ambiguous thread roots, so
 * AMS is created with MPS_KEY_AMS_SUPPORT_AMBIGUOUS (its default, made
 * explicit; LO always honours ambiguous references).  AMS and LO honour
 * only references to an object's start, not into it: C code keeps the
 * object itself in a local, never just a pointer to one of its fields. */
static const struct pool_choice {
  const char *name;                     /* the value of SCHEME_POOLS */
  const char *obj_name, *leaf_name;     /* the classes, for messages */
  mps_pool_class_t (*obj_class)(void), (*leaf_class)(void);
  int ams;                              /* obj_class is AMS */
} pool_choices[] = {
  { "amc", "AMC", "AMCZ", mps_class_amc, mps_class_amcz, 0 },
  { "imx", "IMX", "IMXZ", mps_class_imx, mps_class_imxz, 0 },
  { "ams", "AMS", "LO", mps_class_ams, mps_class_lo, 1 },
};
static const struct pool_choice *pools = &pool_choices[0];
static mps_pool_t pool_obj, pool_leaf, pool_weak;
/* Each interpreter thread has allocation points of its own
 * (threads.inc): allocation points are not shared between threads. */
#define THREAD_LOCAL __thread
static THREAD_LOCAL mps_ap_t ap_obj, ap_leaf, ap_weak_keys, ap_weak_vals;

/* C globals holding values: an exact root, scanned as tagged words
 * (only words with low bits 000 are references). */
static struct {
  obj sym_quote, sym_quasiquote, sym_unquote, sym_unquote_splicing;
  obj sym_else, sym_arrow, sym_lambda;
  obj reader_stack;             /* the reader's unfinished lists */
  obj toplevel;                 /* the form being evaluated */
  obj symtab;                   /* the weak symbol table (weak.inc) */
  obj bound;                    /* symbols that must not die */
} G;

/* GC statistics gathered from messages. */
static struct {
  unsigned long collections;
  double condemned, live, not_condemned;
  char why[200];
  unsigned long finalized;      /* buffers whose bytes finalization freed */
  unsigned long ports_finalized;        /* ports finalization closed */
} stats;

/* The C side of a buffer: its bytes, on a list of every buffer not yet
 * freed, so that the ones still alive at exit can be freed then
 * (destroying the arena finalizes nothing). */
struct bufres {
  unsigned char *bytes;
  size_t len;
  struct bufres *prev, *next;
};
static struct bufres buffers = { NULL, 0, &buffers, &buffers };

static void out_of_memory(mps_res_t res) NORETURN;

/* The reserve/commit protocol: INIT must set every reference field;
 * it may run more than once if the commit fails (after a flip). */
#define ALLOC(ap, type, var, size, init) \
  do { \
    mps_addr_t p_; \
    size_t s_ = (size); \
    do { \
      mps_res_t res_ = mps_reserve(&p_, (ap), s_); \
      if (res_ != MPS_RES_OK) \
        out_of_memory(res_); \
      (var) = (type *)p_; \
      init; \
    } while (!mps_commit((ap), p_, s_)); \
  } while (0)

#ifdef SCHEME_MALLOC_ONLY
/* The baseline build for examples/scheme/bench (cc -DSCHEME_MALLOC_ONLY):
 * every object that would go to the object or leaf pool (whatever
 * SCHEME_POOLS says) comes from malloc instead and is never freed, so
 * nothing is ever collected (the pools get no allocation, so the
 * collector never runs; the roots and the thread stay registered but
 * are never scanned).  Finalized buffers and ports and the
 * AWL arrays of weak tables and the symbol table still use their pools,
 * so those features keep working; the benchmarks use none of them.
 *
 * The objects are retained on purpose until the process exits.  Built
 * with AddressSanitizer (make check-sanitizers), whose leak checker
 * reports every unreachable block at exit, the build says so: every
 * object is also recorded in malloc_only_kept, which keeps it reachable.
 * (Not freed at exit: a spawned thread may still be running then.)  The
 * normal build, which the benchmark numbers come from, does not pay for
 * the record. */
#if defined(__SANITIZE_ADDRESS__)
#define MALLOC_ONLY_KEEP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MALLOC_ONLY_KEEP 1
#endif
#endif
#ifdef MALLOC_ONLY_KEEP
static void **malloc_only_kept;
static size_t malloc_only_count, malloc_only_capacity;
static pthread_mutex_t malloc_only_mutex = PTHREAD_MUTEX_INITIALIZER;

static void malloc_only_keep(void *p)
{
  pthread_mutex_lock(&malloc_only_mutex);
  if (malloc_only_count == malloc_only_capacity) {
    size_t capacity = malloc_only_capacity == 0 ? 4096 : 2 * malloc_only_capacity;
    void **kept = realloc(malloc_only_kept, capacity * sizeof *kept);
    if (kept == NULL)
      out_of_memory(MPS_RES_MEMORY);
    malloc_only_kept = kept;
    malloc_only_capacity = capacity;
  }
  malloc_only_kept[malloc_only_count++] = p;
  pthread_mutex_unlock(&malloc_only_mutex);
}
#endif

static void *malloc_only(size_t size)
{
  void *p = malloc(size);
  if (p == NULL)
    out_of_memory(MPS_RES_MEMORY);
#ifdef MALLOC_ONLY_KEEP
  malloc_only_keep(p);
#endif
  return p;
}
#define ALLOC_ON_AP(ap, type, var, size, init) \
  do { \
    mps_addr_t p_; \
    size_t s_ = (size); \
    do { \
      mps_res_t res_ = mps_reserve(&p_, (ap), s_); \
      if (res_ != MPS_RES_OK) \
        out_of_memory(res_); \
      (var) = (type *)p_; \
      init; \
    } while (!mps_commit((ap), p_, s_)); \
  } while (0)
#undef ALLOC
#define ALLOC(ap, type, var, size, init) \
  do { \
    if (((ap) == ap_obj || (ap) == ap_leaf) \
        && !__builtin_types_compatible_p(type, struct buffer) \
        && !__builtin_types_compatible_p(type, struct port)) { \
      (var) = (type *)malloc_only(size); \
      init; \
    } else { \
      ALLOC_ON_AP(ap, type, var, size, init); \
    } \
  } while (0)
#endif


/* ERRORS */

/* The interpreter thread's stack, in MiB: reserved, touched only as
 * deep as the recursion goes.  A level of Scheme recursion such as
 * (+ 1 (f (- n 1))) takes about 170 bytes, so 128 MiB allows some
 * 700000 levels; deeper recursion is reported as an error. */
#ifndef SCHEME_STACK_MB
#define SCHEME_STACK_MB 128
#endif
#define STACK_SIZE ((size_t)SCHEME_STACK_MB << 20)
#define STACK_MARGIN ((size_t)4 << 20)          /* for handlers and Tarn */

/* Per interpreter thread: where errors go, and its stack. */
static THREAD_LOCAL jmp_buf *err_jmp;
static THREAD_LOCAL int exit_code;
static THREAD_LOCAL char *stack_cold;   /* cold end of the thread's stack */
static THREAD_LOCAL size_t stack_budget; /* how much of it it may use */

static void print(obj x, FILE *out, int write);

static void throw(int code) NORETURN;
static void throw(int code)
{
  longjmp(*err_jmp, code);
}

static void error(const char *msg, obj irritant) NORETURN;
static void error(const char *msg, obj irritant)
{
  fflush(stdout);
  fprintf(stderr, "error: %s", msg);
  if (irritant != NOARG) {
    fputs(": ", stderr);
    print(irritant, stderr, 1);
  }
  fputc('\n', stderr);
  throw(1);
}

static void out_of_memory(mps_res_t res)
{
  fflush(stdout);
  fprintf(stderr, "scheme: out of memory (Tarn result %d)\n", res);
  exit(2);
}

/* Where the stack is now.  With GNU C, the frame address rather than the
 * address of a local: under AddressSanitizer's detection of use after
 * return, a local whose address is taken lives on the heap. */
#if defined(__GNUC__)
#define CHECK_STACK() \
  do { \
    if ((size_t)(stack_cold - (char *)__builtin_frame_address(0)) > stack_budget) \
      error("recursion too deep", NOARG); \
  } while (0)
#define STACK_HERE() ((char *)__builtin_frame_address(0))
#else
#define CHECK_STACK() \
  do { \
    char here_; \
    if ((size_t)(stack_cold - &here_) > stack_budget) \
      error("recursion too deep", NOARG); \
  } while (0)
#define STACK_HERE() ((char *)cold)
#endif


/* CONSTRUCTORS */

static obj cons(obj car, obj cdr)
{
  struct pair *p;
  ALLOC(ap_obj, struct pair, p, sizeof *p,
        (p->header = HDR(T_PAIR, 0), p->car = car, p->cdr = cdr));
  return (obj)p;
}

static obj make_vector(size_t n, obj fill)
{
  struct vector *v;
  size_t i;
  if (n > ((size_t)1 << 40))
    error("vector too large", FIXNUM(n));
  ALLOC(ap_obj, struct vector, v, WORD * (1 + n),
        v->header = HDR(T_VECTOR, n);
        for (i = 0; i < n; ++i) v->v[i] = fill);
  return (obj)v;
}

static obj make_closure(obj formals, obj body, obj env, obj name)
{
  struct closure *c;
  ALLOC(ap_obj, struct closure, c, sizeof *c,
        (c->header = HDR(T_CLOSURE, 0), c->formals = formals,
         c->body = body, c->env = env, c->name = name));
  return (obj)c;
}

static obj make_prim(obj name, prim_fn fn, int min, int max)
{
  struct prim *p;
  ALLOC(ap_obj, struct prim, p, sizeof *p,
        (p->header = HDR(T_PRIM, min | max << 8), p->name = name,
         p->fn = fn));
  return (obj)p;
}

/* A frame of n values: vals[0..nvals) then rest for the others. */
static obj make_env(obj parent, obj names, size_t n, const obj *vals,
                    size_t nvals, obj rest)
{
  struct env *e;
  size_t i;
  ALLOC(ap_obj, struct env, e, WORD * (4 + n),
        e->header = HDR(T_ENV, n); e->parent = parent; e->names = names;
        e->extra = NIL;
        for (i = 0; i < n; ++i) e->v[i] = i < nvals ? vals[i] : rest);
  return (obj)e;
}

static obj make_symbol(obj name)
{
  struct symbol *s;
  ALLOC(ap_obj, struct symbol, s, sizeof *s,
        (s->header = HDR(T_SYMBOL, 0), s->name = name, s->value = UNBOUND));
  return (obj)s;
}

/* A string of len bytes copied from chars (which may be NULL for a
 * string of fill characters). */
static obj make_string(const char *chars, size_t len, int fill)
{
  struct string *s;
  size_t size = STRING_SIZE(len);
  ALLOC(ap_leaf, struct string, s, size,
        ((word *)s)[size / WORD - 1] = 0;
        s->header = HDR(T_STRING, len);
        if (chars) memcpy(s->s, chars, len); else memset(s->s, fill, len);
        s->s[len] = '\0');
  return (obj)s;
}

static obj make_flonum(double d)
{
  struct flonum *f;
  ALLOC(ap_leaf, struct flonum, f, sizeof *f,
        (f->header = HDR(T_FLONUM, 0), f->d = d));
  return (obj)f;
}

static obj make_int(long n)
{
  if (n < FIXNUM_MIN || n > FIXNUM_MAX)
    return make_flonum((double)n);
  return FIXNUM(n);
}

static obj list2(obj a, obj b) { return cons(a, cons(b, NIL)); }


/* Weak-key hash tables and the symbol table are in weak.inc. */
#include "weak.inc"


/* FINALIZED BUFFERS
 *
 * A buffer is a small leaf-pool object pointing to a C resource: bytes
 * from malloc.  It is registered for finalization when it is made; when
 * the collector finds it unreachable it posts a finalization message, and
 * drain_messages frees the bytes (and counts them in stats.finalized).
 * buffer-free! frees them at once and cancels the registration. */

static void bufres_free(struct bufres *r)
{
  r->prev->next = r->next;
  r->next->prev = r->prev;
  free(r->bytes);
  free(r);
}

static obj make_buffer(size_t n, int fill)
{
  struct bufres *r = malloc(sizeof *r);
  struct buffer *b;
  mps_addr_t ref;
  if (r == NULL || (r->bytes = malloc(n > 0 ? n : 1)) == NULL)
    out_of_memory(MPS_RES_MEMORY);
  memset(r->bytes, fill, n);
  r->len = n;
  r->next = &buffers;
  r->prev = buffers.prev;
  buffers.prev->next = r;
  buffers.prev = r;
  ALLOC(ap_leaf, struct buffer, b, sizeof *b,
        (b->header = HDR(T_BUFFER, n), b->res = r));
  ref = b;
  if (mps_finalize(arena, &ref) != MPS_RES_OK)
    out_of_memory(MPS_RES_MEMORY);
  return (obj)b;
}


/* Finalized file ports are in ports.inc. */
#include "ports.inc"


/* CHECKED ACCESS */

static obj check(obj x, unsigned type, const char *who)
{
  if (!is_type(x, type)) {
    char msg[100];
    static const char *const names[] = {
      "?", "pair", "vector", "procedure", "procedure", "environment",
      "symbol", "string", "number", "?", "?", "weak hash table", "buffer",
      "?", "?", "port", "thread"
    };
    snprintf(msg, sizeof msg, "%s: expected a %s", who, names[type]);
    error(msg, x);
  }
  return x;
}

static obj car(obj x) { return CAR(check(x, T_PAIR, "car")); }
static obj cdr(obj x) { return CDR(check(x, T_PAIR, "cdr")); }

/* Syntax access: errors mention the whole form. */
static obj scar(obj x)
{
  if (!IS_PAIR(x))
    error("bad syntax", G.toplevel);
  return CAR(x);
}
static obj scdr(obj x)
{
  if (!IS_PAIR(x))
    error("bad syntax", G.toplevel);
  return CDR(x);
}

static long list_length(obj x)  /* -1 if not a proper list */
{
  long n = 0;
  for (; IS_PAIR(x); x = CDR(x))
    ++n;
  return x == NIL ? n : -1;
}

static long check_list(obj x, const char *who)
{
  long n = list_length(x);
  char msg[100];
  if (n < 0) {
    snprintf(msg, sizeof msg, "%s: expected a proper list", who);
    error(msg, x);
  }
  return n;
}

static long check_int(obj x, const char *who)
{
  char msg[100];
  if (!IS_FIXNUM(x)) {
    snprintf(msg, sizeof msg, "%s: expected an integer", who);
    error(msg, x);
  }
  return FIXVAL(x);
}

static size_t check_index(obj x, size_t len, const char *who)
{
  long i = check_int(x, who);
  char msg[100];
  if (i < 0 || (size_t)i >= len) {
    snprintf(msg, sizeof msg, "%s: index out of range", who);
    error(msg, x);
  }
  return (size_t)i;
}


/* ENVIRONMENTS
 *
 * Global variables live in their symbol's value cell.  A local frame
 * (T_ENV) holds n values; their names are the first n elements of
 * the frame's names list, each a symbol or a binding (symbol init ...)
 * -- so a let can use its binding list as it is -- and, when the list
 * runs out into a symbol, that symbol (a rest parameter).  Internal
 * defines that are not parameters go on the frame's extra alist. */

static obj *frame_slot(obj env, obj sym)
{
  struct env *e = ENV(env);
  size_t i, n = LEN(env);
  obj names = e->names, a;
  for (i = 0; i < n; ++i) {
    obj name = names;
    if (IS_PAIR(names)) {
      name = CAR(names);
      if (IS_PAIR(name))
        name = CAR(name);
      names = CDR(names);
    }
    if (name == sym)
      return &e->v[i];
  }
  for (a = e->extra; a != NIL; a = CDR(a))
    if (CAR(CAR(a)) == sym)
      return &CDR(CAR(a));
  return NULL;
}

static obj *lookup(obj sym, obj env)
{
  for (; env != NIL; env = ENV(env)->parent) {
    obj *slot = frame_slot(env, sym);
    if (slot != NULL)
      return slot;
  }
  return &SYM(sym)->value;
}

static void define(obj env, obj sym, obj value)
{
  obj *slot;
  if (env == NIL) {
    bind_global(sym, value);
    return;
  }
  slot = frame_slot(env, sym);
  if (slot != NULL)
    *slot = value;
  else {
    obj cell = cons(cons(sym, value), ENV(env)->extra);
    ENV(env)->extra = cell;
  }
}


/* Interpreter threads and the global interpreter lock. */
#include "threads.inc"


/* THE EVALUATOR
 *
 * eval loops instead of recursing for every tail position, so tail
 * calls and loops run in constant C stack.  Arguments are evaluated
 * into a C array on the stack, which the thread root keeps alive. */

enum {
  SF_NONE, SF_QUOTE, SF_IF, SF_DEFINE, SF_SET, SF_LAMBDA, SF_BEGIN, SF_LET,
  SF_LETSTAR, SF_LETREC, SF_COND, SF_CASE, SF_AND, SF_OR, SF_WHEN,
  SF_UNLESS, SF_DO, SF_QUASIQUOTE
};

static obj eval(obj x, obj env);
static obj apply_proc(obj f, long argc, obj *argv);

/* Evaluate all but the last expression of a body; return the last,
 * unevaluated. */
static obj body_tail(obj body, obj env)
{
  if (body == NIL)
    return UNSPEC;
  while (IS_PAIR(scdr(body))) {
    eval(CAR(body), env);
    body = CDR(body);
  }
  return CAR(body);
}

static obj bind_args(obj f, long argc, obj *argv)
{
  obj formals = CLOS(f)->formals, p, rest = NIL;
  long nreq = 0, i;
  for (p = formals; IS_PAIR(p); p = CDR(p))
    ++nreq;
  if (argc < nreq || (p == NIL && argc > nreq))
    error("wrong number of arguments to", f);
  if (p != NIL)
    for (i = argc; i > nreq; --i)
      rest = cons(argv[i - 1], rest);
  return make_env(CLOS(f)->env, formals, (size_t)nreq + (p != NIL), argv,
                  (size_t)nreq, rest);
}

static obj call_prim(obj f, long argc, obj *argv)
{
  long min = (long)(LEN(f) & 0xFF), max = (long)(LEN(f) >> 8);
  if (argc < min || (max != 0xFF && argc > max))
    error("wrong number of arguments to", f);
  return PRIM(f)->fn(argc, argv);
}

static obj check_formals(obj formals)
{
  obj p;
  for (p = formals; IS_PAIR(p); p = CDR(p))
    if (!IS_SYMBOL(CAR(p)))
      error("bad lambda list", formals);
  if (p != NIL && !IS_SYMBOL(p))
    error("bad lambda list", formals);
  return formals;
}

/* (define f (lambda ...)) names the new procedure f, for printing. */
static void name_lambda(obj expr, obj value, obj name)
{
  if (IS_PAIR(expr) && CAR(expr) == G.sym_lambda && is_type(value, T_CLOSURE))
    CLOS(value)->name = name;
}

static int eqv(obj a, obj b);
static obj quasi(obj x, obj env, int depth);

static obj eval(obj x, obj env)
{
  obj op, f, args, v;
  long n, i;
  CHECK_STACK();
tail:
  GIL_TICK();
  if (!IS_PTR(x)) {
    if (x == NIL)
      error("cannot evaluate ()", NOARG);
    return x;
  }
  if (TYPE(x) == T_SYMBOL) {
    v = *lookup(x, env);
    if (v == UNBOUND)
      error("unbound variable", x);
    return v;
  }
  if (TYPE(x) != T_PAIR)
    return x;
  op = CAR(x);
  if (IS_SYMBOL(op) && LEN(op) != SF_NONE) {
    switch (LEN(op)) {
    case SF_QUOTE:
      return scar(scdr(x));
    case SF_QUASIQUOTE:
      return quasi(scar(scdr(x)), env, 1);
    case SF_IF:
      args = scdr(x);
      if (eval(scar(args), env) != FALSE)
        x = scar(scdr(args));
      else if (IS_PAIR(scdr(scdr(args))))
        x = CAR(CDR(CDR(args)));
      else
        return UNSPEC;
      goto tail;
    case SF_DEFINE: {
      obj target = scar(scdr(x)), name;
      if (IS_PAIR(target)) {
        name = CAR(target);
        v = make_closure(check_formals(CDR(target)), scdr(scdr(x)), env, name);
      } else {
        name = target;
        args = IS_PAIR(scdr(scdr(x))) ? CAR(CDR(CDR(x))) : UNSPEC;
        v = eval(args, env);
        name_lambda(args, v, name);
      }
      if (!IS_SYMBOL(name))
        error("define: not a symbol", name);
      define(env, name, v);
      return UNSPEC;
    }
    case SF_SET: {
      obj name = scar(scdr(x)), *slot;
      v = eval(scar(scdr(scdr(x))), env);
      if (!IS_SYMBOL(name))
        error("set!: not a symbol", name);
      slot = lookup(name, env);
      if (*slot == UNBOUND)
        error("set!: unbound variable", name);
      *slot = v;
      return UNSPEC;
    }
    case SF_LAMBDA:
      return make_closure(check_formals(scar(scdr(x))), scdr(scdr(x)), env, FALSE);
    case SF_BEGIN:
      x = body_tail(scdr(x), env);
      goto tail;
    case SF_LET:
      args = scar(scdr(x));
      if (IS_SYMBOL(args)) {    /* named let: (let name bindings body...) */
        obj bindings = scar(scdr(scdr(x))), body = scdr(scdr(scdr(x)));
        obj loop = make_env(env, scdr(x), 1, NULL, 0, UNBOUND);
        f = make_closure(bindings, body, loop, args);
        ENV(loop)->v[0] = f;
        n = list_length(bindings);
        if (n < 0)
          error("bad syntax", x);
        {
          obj argv[n > 0 ? n : 1];
          for (i = 0, args = bindings; i < n; ++i, args = CDR(args))
            argv[i] = eval(scar(scdr(scar(args))), env);
          env = bind_args(f, n, argv);
        }
        x = body_tail(body, env);
        goto tail;
      }
      n = list_length(args);
      if (n < 0)
        error("bad syntax", x);
      {
        obj argv[n > 0 ? n : 1];
        for (i = 0; i < n; ++i, args = CDR(args)) {
          if (!IS_SYMBOL(scar(scar(args))))
            error("bad syntax", x);
          argv[i] = eval(scar(scdr(CAR(args))), env);
        }
        env = make_env(env, scar(scdr(x)), (size_t)n, argv, (size_t)n, NIL);
      }
      x = body_tail(scdr(scdr(x)), env);
      goto tail;
    case SF_LETSTAR:
      args = scar(scdr(x));
      if (args == NIL)
        env = make_env(env, NIL, 0, NULL, 0, NIL);
      for (; IS_PAIR(args); args = CDR(args)) {
        v = eval(scar(scdr(scar(args))), env);
        env = make_env(env, args, 1, &v, 1, NIL);
      }
      x = body_tail(scdr(scdr(x)), env);
      goto tail;
    case SF_LETREC:
      args = scar(scdr(x));
      n = list_length(args);
      if (n < 0)
        error("bad syntax", x);
      env = make_env(env, args, (size_t)n, NULL, 0, UNBOUND);
      for (i = 0; i < n; ++i, args = CDR(args)) {
        v = eval(scar(scdr(scar(args))), env);
        name_lambda(CAR(CDR(CAR(args))), v, CAR(CAR(args)));
        ENV(env)->v[i] = v;
      }
      x = body_tail(scdr(scdr(x)), env);
      goto tail;
    case SF_COND:
      for (args = scdr(x); args != NIL; args = scdr(args)) {
        obj clause = scar(args);
        if (scar(clause) == G.sym_else) {
          x = body_tail(CDR(clause), env);
          goto tail;
        }
        v = eval(CAR(clause), env);
        if (v != FALSE) {
          if (CDR(clause) == NIL)
            return v;
          if (scar(CDR(clause)) == G.sym_arrow) {
            f = eval(scar(scdr(CDR(clause))), env);
            return apply_proc(f, 1, &v);
          }
          x = body_tail(CDR(clause), env);
          goto tail;
        }
      }
      return UNSPEC;
    case SF_CASE:
      v = eval(scar(scdr(x)), env);
      for (args = scdr(scdr(x)); args != NIL; args = scdr(args)) {
        obj clause = scar(args), data = scar(clause);
        int match = data == G.sym_else;
        for (; !match && IS_PAIR(data); data = CDR(data))
          match = eqv(v, CAR(data));
        if (match) {
          x = body_tail(CDR(clause), env);
          goto tail;
        }
      }
      return UNSPEC;
    case SF_AND:
    case SF_OR:
      args = scdr(x);
      if (args == NIL)
        return BOOL(LEN(op) == SF_AND);
      for (; IS_PAIR(scdr(args)); args = CDR(args)) {
        v = eval(CAR(args), env);
        if ((v == FALSE) == (LEN(op) == SF_AND))
          return v;
      }
      x = CAR(args);
      goto tail;
    case SF_WHEN:
    case SF_UNLESS:
      v = eval(scar(scdr(x)), env);
      if ((v != FALSE) != (LEN(op) == SF_WHEN))
        return UNSPEC;
      x = body_tail(scdr(scdr(x)), env);
      goto tail;
    case SF_DO: {       /* (do ((var init step)...) (test expr...) body...) */
      obj bindings = scar(scdr(x)), test = scar(scdr(scdr(x)));
      obj body = scdr(scdr(scdr(x))), frame, b;
      n = check_list(bindings, "do");
      {
        obj argv[n > 0 ? n : 1];
        for (i = 0, b = bindings; i < n; ++i, b = CDR(b))
          argv[i] = eval(scar(scdr(scar(b))), env);
        frame = make_env(env, bindings, (size_t)n, argv, (size_t)n, NIL);
        while (eval(scar(test), frame) == FALSE) {
          for (b = body; IS_PAIR(b); b = CDR(b))
            eval(CAR(b), frame);
          for (i = 0, b = bindings; i < n; ++i, b = CDR(b)) {
            obj step = scdr(scdr(CAR(b)));
            argv[i] = IS_PAIR(step) ? eval(CAR(step), frame) : ENV(frame)->v[i];
          }
          frame = make_env(env, bindings, (size_t)n, argv, (size_t)n, NIL);
        }
      }
      env = frame;
      x = body_tail(CDR(test), env);
      goto tail;
    }
    }
  }

  /* An application. */
  f = eval(op, env);
  n = list_length(CDR(x));
  if (n < 0)
    error("bad syntax", x);
  {
    obj argv[n > 0 ? n : 1];
    for (i = 0, args = CDR(x); i < n; ++i, args = CDR(args))
      argv[i] = eval(CAR(args), env);
    if (is_type(f, T_PRIM))
      return call_prim(f, n, argv);
    if (!is_type(f, T_CLOSURE))
      error("not a procedure", f);
    env = bind_args(f, n, argv);
  }
  x = body_tail(CLOS(f)->body, env);
  goto tail;
}

static obj apply_proc(obj f, long argc, obj *argv)
{
  obj env;
  if (is_type(f, T_PRIM))
    return call_prim(f, argc, argv);
  if (!is_type(f, T_CLOSURE))
    error("not a procedure", f);
  env = bind_args(f, argc, argv);
  return eval(body_tail(CLOS(f)->body, env), env);
}

/* Quasiquote, without vectors: `(a ,b ,@c). */
static obj quasi(obj x, obj env, int depth)
{
  obj head, rest;
  CHECK_STACK();
  if (!IS_PAIR(x))
    return x;
  head = CAR(x);
  if (head == G.sym_unquote) {
    if (depth == 1)
      return eval(scar(scdr(x)), env);
    return list2(head, quasi(scar(scdr(x)), env, depth - 1));
  }
  if (head == G.sym_quasiquote)
    return list2(head, quasi(scar(scdr(x)), env, depth + 1));
  rest = quasi(CDR(x), env, depth);
  if (IS_PAIR(head) && CAR(head) == G.sym_unquote_splicing && depth == 1) {
    obj spliced = eval(scar(scdr(head)), env), result = rest;
    long k, len = check_list(spliced, "unquote-splicing");
    obj items[len > 0 ? len : 1];
    for (k = 0; k < len; ++k, spliced = CDR(spliced))
      items[k] = CAR(spliced);
    for (k = len; k > 0; --k)
      result = cons(items[k - 1], result);
    return result;
  }
  return cons(quasi(head, env, depth), rest);
}


/* Equivalence, printing and the reader are in io.inc. */
#include "io.inc"


/* GC MESSAGES AND STATISTICS */

static void drain_messages(void)
{
  mps_message_type_t type;
  mps_message_t msg;
  while (mps_message_queue_type(&type, arena)) {
    if (!mps_message_get(&msg, arena, type))
      break;
    if (type == mps_message_type_gc()) {
      ++stats.collections;
      stats.condemned += (double)mps_message_gc_condemned_size(arena, msg);
      stats.live += (double)mps_message_gc_live_size(arena, msg);
      stats.not_condemned += (double)mps_message_gc_not_condemned_size(arena, msg);
    } else if (type == mps_message_type_gc_start()) {
      snprintf(stats.why, sizeof stats.why, "%s",
               mps_message_gc_start_why(arena, msg));
    } else if (type == mps_message_type_finalization()) {
      /* Only buffers and ports are registered.  The message keeps
       * the object alive until it is discarded; its resource goes now. */
      mps_addr_t ref;
      mps_message_finalization_ref(&ref, arena, msg);
      if (HTYPE(*(word *)ref) == T_BUFFER && BUF(ref)->res != NULL) {
        bufres_free(BUF(ref)->res);
        BUF(ref)->res = NULL;
        ++stats.finalized;
      } else if (HTYPE(*(word *)ref) == T_PORT && PORT(ref)->res != NULL) {
        portres_close(PORT(ref)->res);
        PORT(ref)->res = NULL;
        ++stats.ports_finalized;
      }
    }
    mps_message_discard(arena, msg);
  }
}

static void print_stats(FILE *out)
{
  fprintf(out, "GC statistics: %lu collections, %.0f bytes condemned, "
          "%.0f bytes survived (%.1f%%)\n", stats.collections,
          stats.condemned, stats.live,
          stats.condemned > 0 ? 100.0 * stats.live / stats.condemned : 0.0);
  fprintf(out, "  heap now: %lu bytes in %s, %lu bytes in %s, %lu bytes in AWL; "
          "last collection started because: %s\n",
          (unsigned long)mps_pool_total_size(pool_obj), pools->obj_name,
          (unsigned long)mps_pool_total_size(pool_leaf), pools->leaf_name,
          (unsigned long)mps_pool_total_size(pool_weak),
          stats.why[0] ? stats.why : "(none)");
  if (stats.finalized > 0)
    fprintf(out, "  %lu buffers finalized\n", stats.finalized);
  if (stats.ports_finalized > 0)
    fprintf(out, "  %lu ports closed by finalization\n", stats.ports_finalized);
}

/* The primitive procedures and their table. */
#include "prims.inc"


/* START-UP, THE TOP LEVEL AND SHUT-DOWN */

/* Exit if res is not OK; what (a printf format, with its arguments)
 * names what failed.  (Declared in threads.inc.) */
static void die(mps_res_t res, const char *what, ...)
{
  if (res != MPS_RES_OK) {
    va_list ap;
    fputs("scheme: ", stderr);
    va_start(ap, what);
    vfprintf(stderr, what, ap);
    va_end(ap);
    fprintf(stderr, " failed (Tarn result %d)\n", res);
    exit(2);
  }
}

/* Set pools from the environment variable SCHEME_POOLS (unset or empty:
 * the first choice). */
static void pools_choose(void)
{
  const char *name = getenv("SCHEME_POOLS");
  size_t i;
  if (name == NULL || name[0] == '\0')
    return;
  for (i = 0; i < sizeof pool_choices / sizeof pool_choices[0]; ++i)
    if (strcmp(name, pool_choices[i].name) == 0) {
      pools = &pool_choices[i];
      return;
    }
  fprintf(stderr, "scheme: SCHEME_POOLS=%s is unknown; "
          "it must be amc (the default), imx or ams\n", name);
  exit(2);
}

static mps_fmt_t fmt, fmt_weak;
static mps_chain_t chain;
static mps_root_t globals_root;

/* The nursery is small enough that the demo sees plenty of collections. */
static mps_gen_param_s gen_params[] = {
  { 4096, 0.85 },               /* kilobytes, expected mortality */
  { 16384, 0.45 }
};

/* The calling thread's allocation points (every interpreter thread
 * makes its own). */
static void aps_create(void)
{
  die(mps_ap_create_k(&ap_obj, pool_obj, mps_args_none), "%s allocation point",
      pools->obj_name);
  die(mps_ap_create_k(&ap_leaf, pool_leaf, mps_args_none), "%s allocation point",
      pools->leaf_name);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_weak());
    die(mps_ap_create_k(&ap_weak_keys, pool_weak, args), "AWL weak allocation point");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_RANK, mps_rank_exact());
    die(mps_ap_create_k(&ap_weak_vals, pool_weak, args), "AWL exact allocation point");
  } MPS_ARGS_END(args);
}

static void aps_destroy(void)
{
  mps_ap_destroy(ap_weak_vals);
  mps_ap_destroy(ap_weak_keys);
  mps_ap_destroy(ap_leaf);
  mps_ap_destroy(ap_obj);
}

static void heap_create(double pause_time)
{
  MPS_ARGS_BEGIN(args) {
    if (pause_time >= 0)
      MPS_ARGS_ADD(args, MPS_KEY_PAUSE_TIME, pause_time);
    die(mps_arena_create_k(&arena, mps_arena_class_vm(), args), "arena");
  } MPS_ARGS_END(args);
  mps_message_type_enable(arena, mps_message_type_gc());
  mps_message_type_enable(arena, mps_message_type_gc_start());
  mps_message_type_enable(arena, mps_message_type_finalization());
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, WORD);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, fmt_scan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, fmt_skip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_FWD, fmt_fwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ISFWD, fmt_isfwd);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, fmt_pad);
    die(mps_fmt_create_k(&fmt, arena, args), "format");
  } MPS_ARGS_END(args);
  die(mps_chain_create(&chain, arena, sizeof gen_params / sizeof gen_params[0],
                       gen_params), "chain");
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    if (pools->ams)
      MPS_ARGS_ADD(args, MPS_KEY_AMS_SUPPORT_AMBIGUOUS, 1);
    die(mps_pool_create_k(&pool_obj, arena, pools->obj_class(), args), "%s pool",
        pools->obj_name);
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    die(mps_pool_create_k(&pool_leaf, arena, pools->leaf_class(), args), "%s pool",
        pools->leaf_name);
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FMT_ALIGN, WORD);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SCAN, awl_scan);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_SKIP, fmt_skip);
    MPS_ARGS_ADD(args, MPS_KEY_FMT_PAD, fmt_pad);
    die(mps_fmt_create_k(&fmt_weak, arena, args), "AWL format");
  } MPS_ARGS_END(args);
  MPS_ARGS_BEGIN(args) {
    MPS_ARGS_ADD(args, MPS_KEY_FORMAT, fmt_weak);
    MPS_ARGS_ADD(args, MPS_KEY_CHAIN, chain);
    MPS_ARGS_ADD(args, MPS_KEY_AWL_FIND_DEPENDENT, awl_find_dependent);
    die(mps_pool_create_k(&pool_weak, arena, mps_class_awl(), args), "AWL pool");
  } MPS_ARGS_END(args);
  aps_create();
  /* G is all NULL (static storage) so it is valid when registered. */
  die(mps_root_create_area_tagged(&globals_root, arena, mps_rank_exact(), 0,
                                  &G, &G + 1, mps_scan_area_tagged,
                                  TAG_MASK, 0), "globals root");
  G.bound = NIL;
  symtab_rebuild();
}

static void heap_destroy(void)
{
  mps_arena_park(arena);
  mps_root_destroy(globals_root);
  free(symhash);
  aps_destroy();
  mps_pool_destroy(pool_weak);
  mps_pool_destroy(pool_leaf);
  mps_pool_destroy(pool_obj);
  mps_chain_destroy(chain);
  mps_fmt_destroy(fmt_weak);
  mps_fmt_destroy(fmt);
  mps_arena_destroy(arena);     /* finalizes nothing: free what is left */
  while (buffers.next != &buffers)
    bufres_free(buffers.next);
  while (ports.next != &ports)
    portres_close(ports.next);
  free(tokbuf);
}

static void globals_init(void)
{
  static const struct { const char *name; int code; } forms[] = {
    {"quote", SF_QUOTE}, {"if", SF_IF}, {"define", SF_DEFINE},
    {"set!", SF_SET}, {"lambda", SF_LAMBDA}, {"begin", SF_BEGIN},
    {"let", SF_LET}, {"let*", SF_LETSTAR}, {"letrec", SF_LETREC},
    {"letrec*", SF_LETREC}, {"cond", SF_COND}, {"case", SF_CASE},
    {"and", SF_AND}, {"or", SF_OR}, {"when", SF_WHEN},
    {"unless", SF_UNLESS}, {"do", SF_DO}, {"quasiquote", SF_QUASIQUOTE}
  };
  size_t i;
  G.reader_stack = NIL;
  G.toplevel = NIL;
  for (i = 0; i < sizeof forms / sizeof forms[0]; ++i) {
    obj sym = intern_c(forms[i].name), cell = cons(sym, G.bound);
    G.bound = cell;             /* a special form must not die */
    SYM(sym)->header = HDR(T_SYMBOL, forms[i].code);
  }
  G.sym_quote = intern_c("quote");
  G.sym_quasiquote = intern_c("quasiquote");
  G.sym_unquote = intern_c("unquote");
  G.sym_unquote_splicing = intern_c("unquote-splicing");
  G.sym_else = intern_c("else");
  G.sym_arrow = intern_c("=>");
  G.sym_lambda = intern_c("lambda");
  for (i = 0; i < sizeof prims / sizeof prims[0]; ++i) {
    obj sym = intern_c(prims[i].name);
    bind_global(sym, make_prim(sym, prims[i].fn, prims[i].min, prims[i].max));
  }
}

/* Let other threads run while the next form has not arrived. */
static void wait_for_input(FILE *in)
{
  int c;
  gil_release();
  c = getc(in);
  if (c != EOF)
    ungetc(c, in);
  gil_acquire();
}

/* Read and evaluate every form in `in`.  Returns the exit status.  In
 * a REPL results are printed and errors do not stop it; a script stops
 * at its first error with status 1. */
static int toplevel(FILE *in, int repl)
{
  int prompt = repl && isatty(fileno(in));
  jmp_buf jb;
  volatile int status = 0;
  err_jmp = &jb;
  for (;;) {
    obj x, v;
    int code = setjmp(jb);
    if (code == 2) {            /* (exit) */
      status = exit_code;
      break;
    }
    if (code != 0) {            /* an error, already reported */
      G.toplevel = NIL;
      G.reader_stack = NIL;
      drain_messages();
      if (!repl) {
        status = 1;
        break;
      }
    }
    if (prompt) {
      fputs("> ", stdout);
      fflush(stdout);
    }
    wait_for_input(in);
    x = read_datum(in);
    if (x == EOF_OBJ)
      break;
    G.toplevel = x;
    v = eval(x, NIL);
    G.toplevel = NIL;
    if (repl && v != UNSPEC) {
      print(v, stdout, 1);
      putchar('\n');
    }
    drain_messages();
  }
  if (prompt)
    putchar('\n');
  fflush(stdout);
  return status;
}

struct options {
  const char *file;
  int quiet;
  double pause_time;            /* negative: Tarn's default */
  int status;
};

/* Everything that touches the heap runs here, below `cold`. */
static NOINLINE int interpret(struct options *opts, void *cold)
{
  mps_thr_t thread;
  mps_root_t stack_root;
  FILE *in = stdin;
  int status;

  gil_acquire();
  heap_create(opts->pause_time);
  die(mps_thread_reg(&thread, arena), "thread registration");
  die(mps_root_create_thread(&stack_root, arena, thread, cold), "stack root");
  stack_cold = STACK_HERE();
  stack_budget = STACK_SIZE - STACK_MARGIN;
  globals_init();

  if (opts->file != NULL && strcmp(opts->file, "-") != 0) {
    in = fopen(opts->file, "r");
    if (in == NULL) {
      perror(opts->file);
      status = 2;
      goto done;
    }
  }
  status = toplevel(in, opts->file == NULL);
  if (in != stdin)
    fclose(in);

done:
  join_all();
  mps_arena_park(arena);
  drain_messages();
  if (!opts->quiet)
    print_stats(stdout);
  fflush(stdout);
  mps_root_destroy(stack_root);
  mps_thread_dereg(thread);
  heap_destroy();
  return status;
}

static void *interpreter_thread(void *p)
{
  void *cold = NULL;    /* the cold end of the stack the collector scans */
  struct options *opts = p;
  opts->status = interpret(opts, &cold);
  return cold;          /* keeps `cold` in this frame */
}

static void usage(void)
{
  fputs("usage: scheme [-q] [-p seconds] [file.scm | -]\n"
        "  Runs file.scm (or standard input with -), or a REPL if no file.\n"
        "  -q          do not print GC statistics at exit\n"
        "  -p seconds  the collector's pause time (small values make\n"
        "              collections more incremental)\n"
        "Environment: SCHEME_POOLS=amc (AMC+AMCZ, the default), imx (IMX+IMXZ)\n"
        "  or ams (AMS+LO) chooses the pools of objects and leaf objects.\n",
        stderr);
  exit(2);
}

int main(int argc, char **argv)
{
  struct options opts = { NULL, 0, -1.0, 0 };
  pthread_attr_t attr;
  pthread_t thread;
  int i;
  pools_choose();
  for (i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "-q") == 0)
      opts.quiet = 1;
    else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
      opts.pause_time = atof(argv[++i]);
    else if (argv[i][0] == '-' && argv[i][1] != '\0')
      usage();
    else if (opts.file == NULL)
      opts.file = argv[i];
    else
      usage();
  }
  /* The interpreter recurses on the C stack for non-tail calls, so it
   * runs on a thread with a large stack rather than on main's. */
  if (pthread_attr_init(&attr) != 0 ||
      pthread_attr_setstacksize(&attr, STACK_SIZE) != 0 ||
      pthread_create(&thread, &attr, interpreter_thread, &opts) != 0 ||
      pthread_join(thread, NULL) != 0) {
    fputs("scheme: cannot start the interpreter thread\n", stderr);
    return 2;
  }
  pthread_attr_destroy(&attr);
  return opts.status;
}

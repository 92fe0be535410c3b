/* ceiling.c: how much faster can two threads do memory-bound work than
 * one, on this machine?  The ceiling for parallel tracing (graphbench)
 *
 * A trace phase is bound by memory bandwidth where it streams through
 * memory (copying a tree laid out breadth first), and by memory latency
 * where it follows references to scattered objects (a random graph).
 * This program does the same amount of each kind of work with one thread
 * and then split over two, taking turns, and prints the median speedups:
 *   copy   memcpy of 2 x SIZE bytes (each thread its own buffers);
 *   chase  a walk of 2 x STEPS steps through random cyclic permutations
 *          (a dependent load per step: each thread its own permutation);
 *   mix    a copy of an object per step of a walk, as a copying
 *          collector does (each thread its own permutation and buffers);
 *   scan   a read of one word in every 32 bytes of 16 MiB each, which
 *          the main thread has just written (a nursery the mutator has
 *          just filled, marked in address order).
 * A speedup below 2 is the machine's, not the collector's: two virtual
 * CPUs that share a core, or one memory channel, cannot do better.
 *
 * Usage: ceiling [-s MiB] [-n steps] [-r reps]
 * Defaults: -s 128 -n 4000000 -r 5.
 * Build: gcc -std=gnu99 -O2 test/bench/ceiling.c -lpthread -o /tmp/ceiling
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REPS_MAX 64
#define OBJ_WORDS 8             /* the object copied per step in `mix` */
#define SCAN_BYTES ((size_t)16 << 20)   /* per thread, in `scan` */

typedef struct job_s {
  int kind;                     /* 0 copy, 1 chase, 2 mix */
  char *src, *dst;              /* copy: the buffers */
  size_t bytes;
  size_t *next;                 /* chase, mix: the permutation */
  size_t steps;
  size_t *objs;                 /* mix: objects, OBJ_WORDS words each */
  size_t *to;                   /* mix: where they are copied */
  size_t result;                /* keeps the work from being optimised out */
} job_s;

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *work(void *p)
{
  job_s *job = p;
  size_t i = 0, k, sum = 0;
  switch (job->kind) {
  case 0:
    memcpy(job->dst, job->src, job->bytes);
    sum = (size_t)job->dst[job->bytes - 1];
    break;
  case 1:
    for (k = 0; k < job->steps; ++k) {
      i = job->next[i];
      sum += i;
    }
    break;
  case 3:
    for (k = 0; k < job->bytes; k += 32)
      sum += (size_t)job->src[k];
    break;
  default:
    for (k = 0; k < job->steps; ++k) {
      i = job->next[i];
      memcpy(job->to + k * OBJ_WORDS, job->objs + i * OBJ_WORDS,
             OBJ_WORDS * sizeof(size_t));
      sum += job->to[k * OBJ_WORDS];
    }
    break;
  }
  job->result = sum;
  return NULL;
}

/* A random cyclic permutation of n (Sattolo's algorithm). */
static size_t *cycle(size_t n, unsigned seed)
{
  size_t *next = malloc(n * sizeof *next);
  size_t *order = malloc(n * sizeof *order);
  size_t i;
  if (next == NULL || order == NULL) {
    fprintf(stderr, "ceiling: out of memory\n");
    exit(1);
  }
  srand(seed);
  for (i = 0; i < n; ++i)
    order[i] = i;
  for (i = n - 1; i > 0; --i) {
    size_t j = ((size_t)rand() * ((size_t)RAND_MAX + 1) + (size_t)rand()) % i;
    size_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (i = 0; i < n; ++i)
    next[order[i]] = order[(i + 1) % n];
  free(order);
  return next;
}

static void *alloc(size_t bytes)
{
  void *p = malloc(bytes);
  if (p == NULL) {
    fprintf(stderr, "ceiling: out of memory\n");
    exit(1);
  }
  memset(p, 1, bytes);          /* touch it: no page faults while timed */
  return p;
}

/* Time the two jobs one after the other, and together on two threads. */
static void refill(job_s jobs[2])
{
  if (jobs[0].kind == 3) {      /* written afresh by this thread */
    memset(jobs[0].src, 2, jobs[0].bytes);
    memset(jobs[1].src, 3, jobs[1].bytes);
  }
}

static void measure(job_s jobs[2], double *serial, double *parallel)
{
  pthread_t thread;
  double t0;
  refill(jobs);
  t0 = now();
  work(&jobs[0]);
  work(&jobs[1]);
  *serial = now() - t0;
  refill(jobs);
  t0 = now();
  if (pthread_create(&thread, NULL, work, &jobs[1]) != 0) {
    fprintf(stderr, "ceiling: cannot create a thread\n");
    exit(1);
  }
  work(&jobs[0]);
  pthread_join(thread, NULL);
  *parallel = now() - t0;
}

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
  qsort(v, (size_t)n, sizeof *v, cmp);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char *argv[])
{
  static const char *names[] = { "copy", "chase", "mix", "scan" };
  size_t size = (size_t)128 << 20, steps = 4000000;
  int reps = 5, opt, kind, t, r;
  job_s jobs[4][2];

  while ((opt = getopt(argc, argv, "s:n:r:")) != -1) {
    switch (opt) {
    case 's': size = (size_t)atol(optarg) << 20; break;
    case 'n': steps = (size_t)atol(optarg); break;
    case 'r': reps = atoi(optarg); break;
    default:
      fprintf(stderr, "usage: ceiling [-s MiB] [-n steps] [-r reps]\n");
      return 2;
    }
  }
  if (size == 0 || steps < 2 || reps < 1 || reps > REPS_MAX) {
    fprintf(stderr, "ceiling: -s must be positive, -n at least 2, -r 1 to %d\n", REPS_MAX);
    return 2;
  }
  memset(jobs, 0, sizeof jobs);
  for (t = 0; t < 2; ++t) {
    jobs[0][t].kind = 0;
    jobs[0][t].src = alloc(size);
    jobs[0][t].dst = alloc(size);
    jobs[0][t].bytes = size;
    jobs[1][t].kind = 1;
    jobs[1][t].next = cycle(steps, 1u + (unsigned)t);
    jobs[1][t].steps = steps;
    jobs[2][t] = jobs[1][t];
    jobs[2][t].kind = 2;
    jobs[2][t].objs = alloc(steps * OBJ_WORDS * sizeof(size_t));
    jobs[2][t].to = alloc(steps * OBJ_WORDS * sizeof(size_t));
    jobs[3][t].kind = 3;
    jobs[3][t].src = alloc(SCAN_BYTES);
    jobs[3][t].bytes = SCAN_BYTES;
  }
  printf("ceiling: the same work on one thread and on two (medians of %d)\n", reps);
  for (kind = 0; kind < 4; ++kind) {
    double serial[REPS_MAX], parallel[REPS_MAX], s, p;
    for (r = 0; r < reps; ++r)
      measure(jobs[kind], &serial[r], &parallel[r]);
    s = median(serial, reps);
    p = median(parallel, reps);
    printf("  %-6s 1 thread %8.1f ms   2 threads %8.1f ms   speedup %.2f\n",
           names[kind], s * 1e3, p * 1e3, s / p);
  }
  return 0;
}

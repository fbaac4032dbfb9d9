/*
 * The fork-join pool of pool.h. A job's parts are claimed one at a time from one atomic counter
 * that also holds the job's number, by the caller and by every worker, so a worker that the OS
 * has not scheduled (a busy machine) delays at most the one part it claimed: the caller takes
 * the rest, and the pool is never slower than a single thread by more than a part.
 */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

/* How long a worker spins for the next job before it sleeps: 2 ms, longer than any gap between
 * the kernels of a training step (the next batch, the loss read), since a sleeping worker
 * takes 50-200 us to wake on a virtual machine (measured: a 2-thread step ran slower than a
 * 1-thread one with a 50 us spin), as OpenMP and OpenBLAS also spin rather than sleep. */
#define SPIN_NS 2000000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
/* job number << 32 | parts << 16 | next part to claim: a claim is a compare-and-swap that
 * succeeds only while the job it read is still the current one, with the parts it read. */
static _Atomic uint64_t next;
#define JOB(c) ((uint32_t)((c) >> 32))
#define PARTS(c) ((int)(((c) >> 16) & 0xffff))
#define INDEX(c) ((int)((c)&0xffff))
static atomic_int done;     /* parts of the current job finished */
static atomic_int busy;     /* a pool_run or pool_set_threads is in progress */
static atomic_int stopping;
static pool_fn job_fn;
static void *job_ctx;
static int nthreads = 1;
static pthread_t tids[POOL_MAX];

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Claims and runs parts of job `job` (fn, ctx) until none is left or another job has started.
 * fn and ctx were read after `job` was seen published; a successful claim proves the job is
 * still running, so they are that job's (the caller writes the next job's only after this
 * one's parts are all claimed and done). */
static void work(uint32_t job, pool_fn fn, void *ctx) {
  uint64_t cur = atomic_load_explicit(&next, memory_order_acquire);
  for (;;) {
    if (JOB(cur) != job || INDEX(cur) >= PARTS(cur)) return;
    if (atomic_compare_exchange_weak_explicit(&next, &cur, cur + 1, memory_order_acq_rel, memory_order_acquire)) {
      fn(ctx, INDEX(cur), PARTS(cur));
      atomic_fetch_add_explicit(&done, 1, memory_order_release);
      cur = atomic_load_explicit(&next, memory_order_acquire);
    }
  }
}

static void *worker(void *arg) {
  uint32_t seen = (uint32_t)(uintptr_t)arg; /* the job number when the worker was made */
  while (!atomic_load(&stopping)) {
    uint64_t cur = atomic_load_explicit(&next, memory_order_acquire);
    if (JOB(cur) == seen) {
      const uint64_t t0 = now_ns();
      for (int spins = 1; JOB(cur = atomic_load_explicit(&next, memory_order_acquire)) == seen; spins++) {
        if ((spins & 63) == 0) {
          if (now_ns() - t0 > SPIN_NS) {
            pthread_mutex_lock(&mu);
            while (JOB(cur = atomic_load(&next)) == seen && !atomic_load(&stopping)) pthread_cond_wait(&cv, &mu);
            pthread_mutex_unlock(&mu);
            break;
          }
          /* Every few microseconds, let any other thread that wants this core have it: on a
           * busy machine the spinning worker must not keep the caller (or anyone) waiting. */
          sched_yield();
        }
        relax();
      }
      continue;
    }
    seen = JOB(cur);
    /* The job's fields were written before its number was published (release/acquire); if a
     * newer job replaced them meanwhile, work() sees another number and claims nothing. */
    work(seen, job_fn, job_ctx);
  }
  return NULL;
}

int pool_threads(void) { return nthreads; }

static int npartition = 1;
int pool_partition(void) { return npartition; }
void pool_set_partition(int n) { npartition = n < 1 ? 1 : (n > POOL_MAX ? POOL_MAX : n); }

void pool_set_threads(int n) {
  if (n < 1) n = 1;
  if (n > POOL_MAX) n = POOL_MAX;
  while (atomic_exchange(&busy, 1)) relax();
  if (n != nthreads) {
    if (nthreads > 1) {
      pthread_mutex_lock(&mu);
      atomic_store(&stopping, 1);
      pthread_cond_broadcast(&cv);
      pthread_mutex_unlock(&mu);
      for (int i = 1; i < nthreads; i++) pthread_join(tids[i], NULL);
      atomic_store(&stopping, 0);
    }
    nthreads = 1;
    const uint32_t job = JOB(atomic_load(&next));
    for (int i = 1; i < n; i++) {
      if (pthread_create(&tids[i], NULL, worker, (void *)(uintptr_t)job) != 0) break;
      nthreads = i + 1;
    }
  }
  atomic_store(&busy, 0);
}

void pool_run(pool_fn fn, void *ctx, int parts) {
  if (parts < 1) parts = 1;
  if (parts > 0xffff) parts = 0xffff;
  if (parts == 1 || nthreads == 1 || atomic_exchange(&busy, 1)) {
    /* One part, one thread, or another thread is using the pool: every part here. */
    for (int p = 0; p < parts; p++) fn(ctx, p, parts);
    return;
  }
  job_fn = fn;
  job_ctx = ctx;
  atomic_store_explicit(&done, 0, memory_order_relaxed);
  const uint32_t job = JOB(atomic_load(&next)) + 1;
  pthread_mutex_lock(&mu);
  atomic_store_explicit(&next, (uint64_t)job << 32 | (uint64_t)parts << 16, memory_order_release);
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  work(job, fn, ctx);
  /* Every part is claimed; wait for the ones a worker is still running. */
  for (int spins = 1; atomic_load_explicit(&done, memory_order_acquire) < parts; spins++) {
    if ((spins & 63) == 0) sched_yield(); /* the worker may be waiting for this core */
    else relax();
  }
  atomic_store(&busy, 0);
}

void pool_split(int n, int part, int parts, int align, int *lo, int *hi) {
  int chunk = (n + parts - 1) / parts;
  if (align > 1) chunk = (chunk + align - 1) / align * align;
  int a = part * chunk, b = a + chunk;
  if (a > n) a = n;
  if (b > n || part == parts - 1) b = n;
  *lo = a;
  *hi = b;
}

/*
 * One Adam step over several tensors at once (the native engine's Adam, src/runtime/native/adam.ts), split over the
 * pool's threads. For each tensor, from float32 arrays p, m, v, g:
 *   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,  p <- p - lr/(1 - b1^t) m / (sqrt(v)/sqrt(1 - b2^t) + eps)
 * in float32 as PyTorch does.
 *   adam_step(..., maxima = NULL): computes the new values, writes nothing, and returns how many
 *     new p are not finite (the optimizer's check before a step it cannot prove finite).
 *   adam_step(..., maxima): writes m and v in place and the new p to pOut (which may be p itself),
 *     returns the same count, and stores per tensor the largest |new m| and new v as float bits.
 *   abs_max_bits: the largest |x| over several arrays, as the bits of a float (a value above
 *     0x7f7fffff means an infinity or a NaN); integer compares, so the loop vectorises.
 * The check and the write compute every number with the same float32 operations, so a step the
 * check accepts writes only finite p. Subnormal numbers count as zero in both (adam_part says why).
 */
#include <math.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fused.h"
#include "pool.h"

#define ADAM_MAX_PARTS (4 * POOL_MAX)

typedef struct {
  float step_size, inv_sqrt_c2, b1, b2, eps, c1, c2;
} adam_consts;

/* The new m, v and p of element i, named mi, vi and pi. */
#define ADAM_NEW(i)                                       \
  const float gi = g[i];                                  \
  const float mi = k.b1 * m[i] + k.c1 * gi;               \
  const float vi = k.b2 * v[i] + k.c2 * gi * gi;          \
  const float pi = p[i] - k.step_size * mi / (sqrtf(vi) * k.inv_sqrt_c2 + k.eps)

/* bad counts NaN and infinite pi: pi - pi is NaN exactly then. An int, as wide as a float, so the loop vectorises. */
#define ADAM_COUNT_BAD                                    \
  const float d = pi - pi;                                \
  bad += d != d

#define ADAM_KEEP_MAXIMA                                  \
  uint32_t mb, vb;                                        \
  memcpy(&mb, &mi, 4);                                    \
  memcpy(&vb, &vi, 4);                                    \
  mb &= 0x7fffffffu;                                      \
  vb &= 0x7fffffffu;                                      \
  mmax = mb > mmax ? mb : mmax;                           \
  vmax = vb > vmax ? vb : vmax

VECTOR_CLONES
static int check_range(const float *restrict p, const float *restrict m, const float *restrict v, const float *restrict g,
                       size_t n, adam_consts k) {
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    ADAM_NEW(i);
    ADAM_COUNT_BAD;
  }
  return bad;
}

/* The write: m and v in place, the new p into OUT (p itself, or another array). */
#define ADAM_APPLY_LOOP(OUT)                              \
  int bad = 0;                                            \
  uint32_t mmax = 0, vmax = 0;                            \
  for (size_t i = 0; i < n; i++) {                        \
    ADAM_NEW(i);                                          \
    m[i] = mi;                                            \
    v[i] = vi;                                            \
    OUT[i] = pi;                                          \
    ADAM_COUNT_BAD;                                       \
    ADAM_KEEP_MAXIMA;                                     \
  }                                                       \
  *mmax_out = mmax;                                       \
  *vmax_out = vmax;                                       \
  return bad

/* p updated in place (restrict holds: p is read and written only through p). */
VECTOR_CLONES
static int apply_in_place(float *restrict p, float *restrict m, float *restrict v, const float *restrict g,
                          size_t n, adam_consts k, uint32_t *mmax_out, uint32_t *vmax_out) {
  ADAM_APPLY_LOOP(p);
}

/* The new p into another array. */
VECTOR_CLONES
static int apply_to(const float *restrict p, float *restrict m, float *restrict v, const float *restrict g, float *restrict po,
                    size_t n, adam_consts k, uint32_t *mmax_out, uint32_t *vmax_out) {
  ADAM_APPLY_LOOP(po);
}

VECTOR_CLONES
static uint32_t abs_max_range(const float *restrict x, size_t n) {
  const uint32_t *u = (const uint32_t *)x;
  uint32_t a = 0;
  for (size_t i = 0; i < n; i++) {
    const uint32_t b = u[i] & 0x7fffffffu;
    a = b > a ? b : a;
  }
  return a;
}

/* `count` tensors: their arrays (a fixed number per tensor) and lengths. */
typedef struct {
  int count;
  float *const *arrays;
  const size_t *lengths;
  size_t total;
} tensor_list;

static tensor_list list_of(int count, float *const *arrays, const size_t *lengths) {
  tensor_list l = {count, arrays, lengths, 0};
  for (int t = 0; t < count; t++) l.total += lengths[t];
  return l;
}

/*
 * The concatenation of the tensors, cut into parts of multiples of 64 numbers: calls
 * visit(ctx, part, t, a, b) for each piece [a, b) of tensor t that falls in part `part`.
 */
typedef void (*piece_fn)(void *ctx, int part, int t, size_t a, size_t b);

static void visit_part(const tensor_list *l, int part, int parts, piece_fn visit, void *ctx) {
  int lo_i, hi_i;
  const size_t blocks = (l->total + 63) / 64;
  pool_split((int)blocks, part, parts, 1, &lo_i, &hi_i);
  size_t lo = (size_t)lo_i * 64, hi = (size_t)hi_i * 64;
  if (hi > l->total) hi = l->total;
  size_t base = 0;
  for (int t = 0; t < l->count && base < hi; t++) {
    const size_t n = l->lengths[t];
    const size_t a = lo > base ? lo - base : 0, b = hi - base < n ? hi - base : n;
    if (a < b) visit(ctx, part, t, a, b);
    base += n;
  }
}

static int parts_for(size_t total) {
  return total >= (1 << 16) && pool_threads() > 1 ? 4 * pool_threads() : 1;
}

typedef struct {
  tensor_list list; /* 5 arrays per tensor: p, m, v, g, pOut */
  adam_consts k;
  int write;
  uint32_t *part_maxima; /* 2 per tensor per part, when writing */
  int64_t bad[ADAM_MAX_PARTS];
} adam_job;

static void adam_piece(void *ctx, int part, int t, size_t a, size_t b) {
  adam_job *j = ctx;
  float *const *A = j->list.arrays + 5 * t;
  if (!j->write) {
    j->bad[part] += check_range(A[0] + a, A[1] + a, A[2] + a, A[3] + a, b - a, j->k);
    return;
  }
  uint32_t mmax, vmax;
  if (A[4] == A[0]) {
    j->bad[part] += apply_in_place(A[0] + a, A[1] + a, A[2] + a, A[3] + a, b - a, j->k, &mmax, &vmax);
  } else {
    j->bad[part] += apply_to(A[0] + a, A[1] + a, A[2] + a, A[3] + a, A[4] + a, b - a, j->k, &mmax, &vmax);
  }
  uint32_t *mx = j->part_maxima + 2 * ((size_t)part * j->list.count + t);
  if (mmax > mx[0]) mx[0] = mmax;
  if (vmax > mx[1]) mx[1] = vmax;
}

/*
 * Subnormal numbers (below 1.2e-38) are read and written as zero inside the loops: flush-to-zero
 * and denormals-are-zero in this thread's MXCSR, restored after. Without them a model's moments
 * fill with subnormals from its second epoch on (m of a weight whose gradient is mostly zero
 * decays by 0.9 a step: 48 000 of 937 000 numbers in the lesson's KL model), each costing the
 * CPU a microcode assist, and an epoch took 2.35 s instead of 1.8 on one thread. What it changes:
 * a subnormal m moves p by at most lr / (1 - b1) * 1.2e-38 / eps (1.2e-32 at the lesson's
 * settings), and a subnormal v leaves sqrt(v) * k + eps equal to eps; the lesson's KL model
 * trained 3 epochs has the same weights bit for bit either way.
 */
static void adam_part(void *ctx, int part, int parts) {
  adam_job *j = ctx;
#if defined(__x86_64__)
  const unsigned int csr = _mm_getcsr();
  _mm_setcsr(csr | 0x8040); /* FTZ (bit 15) and DAZ (bit 6) */
#endif
  visit_part(&j->list, part, parts, adam_piece, j);
#if defined(__x86_64__)
  _mm_setcsr(csr);
#endif
}

int64_t adam_step(int count, float *const *arrays, const size_t *lengths, double lr, double b1, double b2, double eps, double step,
                  uint32_t *maxima) {
  adam_job j;
  memset(&j, 0, sizeof j);
  j.list = list_of(count, arrays, lengths);
  /* Constants formed in double and rounded once (see fused.h). */
  j.k.step_size = (float)(lr / (1.0 - pow(b1, step)));
  j.k.inv_sqrt_c2 = (float)(1.0 / sqrt(1.0 - pow(b2, step)));
  j.k.b1 = (float)b1;
  j.k.b2 = (float)b2;
  j.k.eps = (float)eps;
  j.k.c1 = (float)(1.0 - b1);
  j.k.c2 = (float)(1.0 - b2);
  const int parts = parts_for(j.list.total);
  j.write = maxima != NULL;
  if (j.write) {
    j.part_maxima = calloc((size_t)parts * count * 2 + 1, sizeof(uint32_t));
    if (j.part_maxima == NULL) return -1;
  }
  pool_run(adam_part, &j, parts);
  int64_t bad = 0;
  for (int p = 0; p < parts; p++) bad += j.bad[p];
  if (j.write) {
    for (int t = 0; t < count; t++) {
      uint32_t mmax = 0, vmax = 0;
      for (int p = 0; p < parts; p++) {
        const uint32_t *mx = j.part_maxima + 2 * ((size_t)p * count + t);
        if (mx[0] > mmax) mmax = mx[0];
        if (mx[1] > vmax) vmax = mx[1];
      }
      maxima[2 * t] = mmax;
      maxima[2 * t + 1] = vmax;
    }
    free(j.part_maxima);
  }
  return bad;
}

typedef struct {
  tensor_list list; /* 1 array per tensor */
  uint32_t max[ADAM_MAX_PARTS];
} max_job;

static void max_piece(void *ctx, int part, int t, size_t a, size_t b) {
  max_job *j = ctx;
  const uint32_t m = abs_max_range(j->list.arrays[t] + a, b - a);
  if (m > j->max[part]) j->max[part] = m;
}

static void max_part(void *ctx, int part, int parts) {
  max_job *j = ctx;
  visit_part(&j->list, part, parts, max_piece, j);
}

uint32_t abs_max_bits(int count, float *const *arrays, const size_t *lengths) {
  max_job j;
  memset(&j, 0, sizeof j);
  j.list = list_of(count, arrays, lengths);
  const int parts = parts_for(j.list.total);
  pool_run(max_part, &j, parts);
  uint32_t m = 0;
  for (int p = 0; p < parts; p++) if (j.max[p] > m) m = j.max[p];
  return m;
}

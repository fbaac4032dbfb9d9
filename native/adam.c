/*
 * One Adam step over several tensors at once (the optimizer's kernel, src/core/optim.ts), split
 * over the pool's threads: for each tensor, from float32 arrays p, m, v, g into pOut, mOut, vOut,
 *   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,  p <- p - lr/(1 - b1^t) m / (sqrt(v)/sqrt(1 - b2^t) + eps)
 * in float32 as PyTorch does; returns how many new parameters are not finite.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fused.h"
#include "pool.h"

#define ADAM_MAX_PARTS (4 * POOL_MAX)

typedef struct {
  int count;
  float *const *arrays; /* 7 per tensor: p, m, v, g, pOut, mOut, vOut */
  const size_t *lengths;
  size_t total;
  float step_size, inv_sqrt_c2, b1, b2, eps, c1, c2;
  int64_t bad[ADAM_MAX_PARTS];
} adam_job;

VECTOR_CLONES
static int64_t adam_range(const float *restrict p, const float *restrict m, const float *restrict v, const float *restrict g,
                          float *restrict po, float *restrict mo, float *restrict vo,
                          size_t n, float step_size, float inv_sqrt_c2, float b1, float b2, float eps, float c1, float c2) {
  int bad = 0; /* an int, as wide as a float, so the loop vectorises; a part holds < 2^31 numbers */
  for (size_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * gi * gi;
    mo[i] = mi;
    vo[i] = vi;
    const float pi = p[i] - step_size * mi / (sqrtf(vi) * inv_sqrt_c2 + eps);
    po[i] = pi;
    const float d = pi - pi; /* NaN exactly when pi is NaN or infinite */
    bad += d != d;
  }
  return bad;
}

static void adam_part(void *ctx, int part, int parts) {
  adam_job *j = ctx;
  /* This part's share of the concatenation of all tensors, in multiples of 64 numbers. */
  int lo_i, hi_i;
  const size_t blocks = (j->total + 63) / 64;
  pool_split((int)blocks, part, parts, 1, &lo_i, &hi_i);
  size_t lo = (size_t)lo_i * 64, hi = (size_t)hi_i * 64;
  if (hi > j->total) hi = j->total;
  int64_t bad = 0;
  size_t base = 0;
  for (int t = 0; t < j->count && base < hi; t++) {
    const size_t n = j->lengths[t];
    const size_t a = lo > base ? lo - base : 0, b = hi - base < n ? hi - base : n;
    if (a < b) {
      float *const *A = j->arrays + 7 * t;
      bad += adam_range(A[0] + a, A[1] + a, A[2] + a, A[3] + a, A[4] + a, A[5] + a, A[6] + a, b - a,
                        j->step_size, j->inv_sqrt_c2, j->b1, j->b2, j->eps, j->c1, j->c2);
    }
    base += n;
  }
  j->bad[part] = bad;
}

int64_t adam_many(int count, float *const *arrays, const size_t *lengths, double lr, double b1, double b2, double eps, double step) {
  adam_job j;
  memset(&j, 0, sizeof j);
  j.count = count;
  j.arrays = arrays;
  j.lengths = lengths;
  for (int t = 0; t < count; t++) j.total += lengths[t];
  /* Constants formed in double and rounded once (see fused.h). */
  j.step_size = (float)(lr / (1.0 - pow(b1, step)));
  j.inv_sqrt_c2 = (float)(1.0 / sqrt(1.0 - pow(b2, step)));
  j.b1 = (float)b1;
  j.b2 = (float)b2;
  j.eps = (float)eps;
  j.c1 = (float)(1.0 - b1);
  j.c2 = (float)(1.0 - b2);
  const int parts = j.total >= (1 << 16) && pool_threads() > 1 ? 4 * pool_threads() : 1;
  pool_run(adam_part, &j, parts);
  int64_t bad = 0;
  for (int p = 0; p < parts; p++) bad += j.bad[p];
  return bad;
}

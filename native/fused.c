/*
 * Fused kernels for the dense layers, and the plain products, split over the pool's threads (pool.h):
 *
 *   dense_forward:  y = act(x W + b)                         x [rows, in], W [in, out], b [out]
 *   dense_backward: dz = dy * act'(y), db = colsum(dz), dW = x^T dz, dx = dz W^T (dx optional)
 *   gemm_batched:   C_i = op(A_i) op(B_i), the BatchMatMul kernel's products
 *
 * act: 0 linear, 1 relu, 2 sigmoid. The elementwise parts are written as tfjs computes them
 * (relu' = y > 0; sigmoid' = dy * (y * (1 - y))), without contracting into FMAs, so they round
 * as tfjs's own kernels do; the products are OpenBLAS's, one single-threaded call per part.
 */
#include "fused.h"

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

/* Products below this many multiply-adds run on one thread: splitting them costs more than it saves. */
#define PARALLEL_MIN_MACS (1 << 20)
/* Columns per part are cut at multiples of this (whole cache lines, whole SIMD registers). */
#define ALIGN 16

/* e^x in float32 for the sigmoid: Cody-Waite reduction and a degree-6 polynomial (relative
 * error < 2e-7 on [-87, 88], clamped outside), branch-free so the compiler vectorises it. */
static inline float exp_f32(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float n = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = ((int32_t)n + 127) << 23; /* 2^n */
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

VECTOR_CLONES
static void bias_act(float *restrict y, const float *restrict b, int rows, int cols, int ld, int act, int phase) {
  /* phase 0: y = b per row; phase 1: y = act(y) */
  for (int r = 0; r < rows; r++) {
    float *yr = y + (size_t)r * ld;
    if (phase == 0) {
      for (int c = 0; c < cols; c++) yr[c] = b[c];
    } else if (act == 1) {
      for (int c = 0; c < cols; c++) yr[c] = yr[c] > 0.0f ? yr[c] : 0.0f;
    } else if (act == 2) {
      for (int c = 0; c < cols; c++) yr[c] = 1.0f / (1.0f + exp_f32(-yr[c]));
    }
  }
}

typedef struct {
  int rows, in, out, act;
  const float *x, *w, *b, *dy, *y;
  float *yo, *dz, *dw, *db, *dx;
} dense_job;

static void forward_part(void *ctx, int part, int parts) {
  const dense_job *j = ctx;
  int c0, c1;
  pool_split(j->out, part, parts, ALIGN, &c0, &c1);
  if (c1 <= c0) return;
  bias_act(j->yo + c0, j->b + c0, j->rows, c1 - c0, j->out, j->act, 0);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, j->rows, c1 - c0, j->in, 1.0f,
              j->x, j->in, j->w + c0, j->out, 1.0f, j->yo + c0, j->out);
  if (j->act != 0) bias_act(j->yo + c0, NULL, j->rows, c1 - c0, j->out, j->act, 1);
}

/* Parts for a product of `macs` multiply-adds split along `width` columns (or rows): one per
 * thread of the partition (pool.h: the same split on any thread count, so the same numbers; each
 * part packs its own copy of the shared operand, so more cost more), none narrower than 64;
 * below PARALLEL_MIN_MACS one part. */
static int parts_for(long long macs, int width) {
  const int t = pool_partition();
  if (t == 1 || macs < PARALLEL_MIN_MACS) return 1;
  const int most = width / 64;
  return most < 2 ? 2 : (most < t ? most : t);
}

void dense_forward(const float *x, const float *w, const float *b, float *y, int rows, int in, int out, int act, int flags) {
  /* out of memory for the sparse lists (-1): the dense product below gives the same numbers to rounding */
  if ((flags & DENSE_SPARSE_CODE) && act == 0 && sparse_forward(x, w, b, y, rows, in, out) == 1) return;
  dense_job j = {rows, in, out, act, x, w, b, NULL, NULL, y, NULL, NULL, NULL, NULL};
  pool_run(forward_part, &j, parts_for((long long)rows * in * out, out));
}

/* dz (columns c0..c1) from dy and y, and db for those columns. */
VECTOR_CLONES
static void act_grad(const float *restrict dy, const float *restrict y, float *restrict dz, float *restrict db, int rows, int c0, int c1, int ld, int act) {
  const int n = c1 - c0;
  for (int c = 0; c < n; c++) db[c0 + c] = 0.0f;
  for (int r = 0; r < rows; r++) {
    const float *dyr = dy + (size_t)r * ld + c0, *yr = y + (size_t)r * ld + c0;
    float *dzr = act == 0 ? NULL : dz + (size_t)r * ld + c0, *dbr = db + c0; /* linear: dz is dy, no scratch */
    if (act == 1) {
      for (int c = 0; c < n; c++) dzr[c] = yr[c] > 0.0f ? dyr[c] : 0.0f;
    } else if (act == 2) {
      for (int c = 0; c < n; c++) {
        const float t = 1.0f - yr[c];
        const float u = yr[c] * t;
        dzr[c] = dyr[c] * u;
      }
    }
    const float *src = act == 0 ? dyr : dzr;
    for (int c = 0; c < n; c++) dbr[c] += src[c];
  }
}

static void act_grad_part(void *ctx, int part, int parts) {
  const dense_job *j = ctx;
  int c0, c1;
  pool_split(j->out, part, parts, ALIGN, &c0, &c1);
  if (c1 > c0) act_grad(j->dy, j->y, j->dz, j->db, j->rows, c0, c1, j->out, j->act);
}

/* Parts 0..wparts-1 compute dW = x^T dz, split along its larger side (the part then packs its
 * own copy of the smaller operand); the rest compute dx = dz W^T, split along its columns. */
typedef struct {
  const dense_job *j;
  int wparts, xparts;
} grads_job;

static void grads_part(void *ctx, int part, int parts) {
  const grads_job *g = ctx;
  const dense_job *j = g->j;
  const float *dz = j->act == 0 ? j->dy : j->dz;
  int lo, hi;
  (void)parts;
  if (part < g->wparts) {
    if (j->in > j->out) { /* rows lo..hi of dW */
      pool_split(j->in, part, g->wparts, ALIGN, &lo, &hi);
      if (hi > lo)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, hi - lo, j->out, j->rows, 1.0f,
                    j->x + lo, j->in, dz, j->out, 0.0f, j->dw + (size_t)lo * j->out, j->out);
    } else { /* columns lo..hi of dW */
      pool_split(j->out, part, g->wparts, ALIGN, &lo, &hi);
      if (hi > lo)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, j->in, hi - lo, j->rows, 1.0f,
                    j->x, j->in, dz + lo, j->out, 0.0f, j->dw + lo, j->out);
    }
    return;
  }
  pool_split(j->in, part - g->wparts, g->xparts, ALIGN, &lo, &hi);
  if (hi > lo)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, j->rows, hi - lo, j->out, 1.0f,
                dz, j->out, j->w + (size_t)lo * j->out, j->out, 0.0f, j->dx + lo, j->in);
}

/* Scratch for dz, kept between calls (a fresh 400 kB malloc is an mmap and page faults each step). */
static _Thread_local float *scratch;
static _Thread_local size_t scratch_len;

int dense_backward(const float *dy, const float *x, const float *w, const float *y, float *dx, float *dw, float *db,
                   int rows, int in, int out, int act, int flags) {
  const size_t need = (size_t)rows * out;
  if (act != 0 && need > scratch_len) {
    float *s = realloc(scratch, need * sizeof(float));
    if (s == NULL) return -1;
    scratch = s;
    scratch_len = need;
  }
  dense_job j = {rows, in, out, act, x, w, NULL, dy, y, NULL, scratch, dw, db, dx};
  /* dz and db first (elementwise, split by columns), then dW and dx together: with two threads
   * one takes each, both the same size, and neither repacks the other's operands. */
  const int t = pool_threads();
  pool_run(act_grad_part, &j, t > 1 && (long long)rows * out >= (1 << 15) ? t : 1);
  const float *dz = act == 0 ? dy : scratch;
  const int code = (flags & DENSE_SPARSE_CODE) && act == 0;
  if (code || ((flags & DENSE_SPARSE_DZ) && dx == NULL)) {
    const int s = code ? sparse_code_grad(dz, x, w, dx, dw, rows, in, out) : sparse_dz_weight(dz, x, dw, rows, in, out);
    if (s < 0) return -1;
    if (s == 1) return 0;
  }
  const int wparts = parts_for((long long)rows * in * out, in > out ? in : out);
  grads_job g = {&j, dx == NULL ? wparts : (wparts + 1) / 2, dx == NULL ? 0 : (wparts + 1) / 2};
  pool_run(grads_part, &g, g.wparts + g.xparts);
  if (code && dx != NULL) { /* a code's gradient only at its non-zeros, as sparse_code_grad gives it */
    for (size_t i = 0; i < (size_t)rows * in; i++) dx[i] = x[i] != 0.0f ? dx[i] : 0.0f;
  }
  return 0;
}

/* ---- plain products (the BatchMatMul kernel), split over the pool ---- */

typedef struct {
  int ta, tb, m, n, k, batch;
  const float *a, *b;
  float *c;
  size_t sa, sb, sc;
} gemm_job;

static void gemm_one(const gemm_job *j, int i, int m0, int m1, int n0, int n1) {
  const int lda = j->ta ? j->m : j->k, ldb = j->tb ? j->k : j->n;
  const float *a = j->a + i * j->sa + (size_t)m0 * (j->ta ? 1 : lda);
  const float *b = j->b + i * j->sb + (size_t)n0 * (j->tb ? ldb : 1);
  cblas_sgemm(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans, j->tb ? CblasTrans : CblasNoTrans,
              m1 - m0, n1 - n0, j->k, 1.0f, a, lda, b, ldb, 0.0f, j->c + i * j->sc + (size_t)m0 * j->n + n0, j->n);
}

static void gemm_part(void *ctx, int part, int parts) {
  const gemm_job *j = ctx;
  int lo, hi;
  if (j->batch >= parts) { /* whole products per part */
    pool_split(j->batch, part, parts, 1, &lo, &hi);
    for (int i = lo; i < hi; i++) gemm_one(j, i, 0, j->m, 0, j->n);
  } else if (j->n >= j->m) { /* columns of every product */
    pool_split(j->n, part, parts, ALIGN, &lo, &hi);
    for (int i = 0; i < j->batch && lo < hi; i++) gemm_one(j, i, 0, j->m, lo, hi);
  } else { /* rows */
    pool_split(j->m, part, parts, ALIGN, &lo, &hi);
    for (int i = 0; i < j->batch && lo < hi; i++) gemm_one(j, i, lo, hi, 0, j->n);
  }
}

void gemm_batched(int ta, int tb, int m, int n, int k, const float *a, const float *b, float *c,
                  int batch, size_t sa, size_t sb, size_t sc) {
  gemm_job j = {ta, tb, m, n, k, batch, a, b, c, sa, sb, sc};
  if (m == 0 || n == 0) return;
  pool_run(gemm_part, &j, batch > 1 ? parts_for((long long)batch * m * n * k, 64 * batch) : parts_for((long long)m * n * k, n >= m ? n : m));
}

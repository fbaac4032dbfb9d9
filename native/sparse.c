/*
 * Dense-layer products for a sparse operand (src/runtime/native/dense.ts asks for them; fused.c's
 * dense_forward and dense_backward call these first and fall back to OpenBLAS when they decline):
 *
 *   sparse_forward:   y = x W + b, x [rows, in] sparse (a dictionary SAE's code), W [in, out]
 *   sparse_code_grad: db = colsum(dy), dW = x^T dy, dx = dy W^T at x's non-zeros only
 *   sparse_dz_weight: dW = x^T dz, dz [rows, out] sparse (the gradient at a ReLU or TopK code)
 *
 * Each works from the non-zeros of the sparse operand, listed by row (CSR) or by column (CSC),
 * so its cost is (non-zeros) x (the other side) instead of rows x in x out. They decline (return
 * 0) when more than 1/SPARSE_MAX_DENSITY of the operand is non-zero: OpenBLAS is faster there.
 * The sums run in index order, as written; they differ from OpenBLAS's only in rounding. Every
 * output row or column is summed by one part in a fixed order, so the numbers do not depend on
 * the thread count.
 */
#include <stdlib.h>
#include <string.h>

#include "fused.h"
#include "pool.h"

/* At most 1 in SPARSE_MAX_DENSITY entries non-zero, or the product goes to OpenBLAS. */
#define SPARSE_MAX_DENSITY 8

/* The non-zeros of a [rows, cols], by row (start[rows + 1], idx, val) and by column (cstart[cols + 1], cidx, cval). */
typedef struct {
  int rows, cols, nnz;
  int *start, *idx, *cstart, *cidx;
  float *val, *cval;
} nonzeros;

/* Kept between calls, per thread (a worker of a pool trains its own model). */
static _Thread_local int *ibuf;
static _Thread_local float *fbuf;
static _Thread_local size_t ibuf_len, fbuf_len;

static int grow(size_t ints, size_t floats) {
  if (ints > ibuf_len) {
    int *p = realloc(ibuf, ints * sizeof(int));
    if (p == NULL) return -1;
    ibuf = p;
    ibuf_len = ints;
  }
  if (floats > fbuf_len) {
    float *p = realloc(fbuf, floats * sizeof(float));
    if (p == NULL) return -1;
    fbuf = p;
    fbuf_len = floats;
  }
  return 0;
}

/*
 * The non-zeros of a, by row and (with `by_column`) by column; `extra` more floats of scratch
 * after them (nz->val + 2 * nnz). Returns 1, 0 when a is too dense (nothing built), -1 when out of memory.
 */
static int find_nonzeros(const float *a, int rows, int cols, int by_column, size_t extra, nonzeros *nz) {
  const size_t total = (size_t)rows * cols;
  size_t count = 0;
  for (size_t i = 0; i < total; i++) count += a[i] != 0.0f;
  if (count * SPARSE_MAX_DENSITY > total) return 0;
  const size_t n = count;
  if (grow((size_t)rows + 1 + n + (by_column ? (size_t)cols + 1 + n : 0), 2 * n + extra) != 0) return -1;
  nz->rows = rows;
  nz->cols = cols;
  nz->nnz = (int)n;
  nz->start = ibuf;
  nz->idx = ibuf + rows + 1;
  nz->val = fbuf;
  int k = 0;
  for (int r = 0; r < rows; r++) {
    nz->start[r] = k;
    const float *ar = a + (size_t)r * cols;
    for (int c = 0; c < cols; c++) {
      if (ar[c] != 0.0f) {
        nz->idx[k] = c;
        nz->val[k++] = ar[c];
      }
    }
  }
  nz->start[rows] = k;
  if (!by_column) return 1;
  nz->cstart = nz->idx + n;
  nz->cidx = nz->cstart + cols + 1;
  nz->cval = fbuf + n;
  /* counting sort by column; rows stay in order within a column */
  memset(nz->cstart, 0, sizeof(int) * ((size_t)cols + 1));
  for (int i = 0; i < k; i++) nz->cstart[nz->idx[i] + 1]++;
  for (int c = 0; c < cols; c++) nz->cstart[c + 1] += nz->cstart[c];
  for (int r = 0; r < rows; r++) {
    for (int i = nz->start[r]; i < nz->start[r + 1]; i++) {
      const int c = nz->idx[i];
      const int at = nz->cstart[c]++;
      nz->cidx[at] = r;
      nz->cval[at] = nz->val[i];
    }
  }
  /* the cursors moved each start to the next column's: shift back */
  for (int c = cols; c > 0; c--) nz->cstart[c] = nz->cstart[c - 1];
  nz->cstart[0] = 0;
  return 1;
}

VECTOR_CLONES
static void axpy(float *restrict y, float a, const float *restrict x, int n) {
  for (int i = 0; i < n; i++) y[i] += a * x[i];
}

/* a . b in 16 interleaved partial sums (one SIMD register's lanes), then added in a fixed order */
VECTOR_CLONES
static float dot(const float *restrict a, const float *restrict b, int n) {
  float lane[16] = {0};
  int i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; l++) lane[l] += a[i + l] * b[i + l];
  for (; i < n; i++) lane[i & 15] += a[i] * b[i];
  float s = 0.0f;
  for (int l = 0; l < 16; l++) s += lane[l];
  return s;
}

typedef struct {
  const nonzeros *nz;
  int in, out;
  const float *x, *w, *b, *dy;
  float *y, *dw, *dx, *t;
} sparse_job;

static void forward_rows(void *ctx, int part, int parts) {
  const sparse_job *j = ctx;
  int r0, r1;
  pool_split(j->nz->rows, part, parts, 1, &r0, &r1);
  for (int r = r0; r < r1; r++) {
    float *yr = j->y + (size_t)r * j->out;
    memcpy(yr, j->b, sizeof(float) * (size_t)j->out);
    for (int i = j->nz->start[r]; i < j->nz->start[r + 1]; i++)
      axpy(yr, j->nz->val[i], j->w + (size_t)j->nz->idx[i] * j->out, j->out);
  }
}

static int parts(void) {
  return pool_threads();
}

int sparse_forward(const float *x, const float *w, const float *b, float *y, int rows, int in, int out) {
  nonzeros nz;
  const int found = find_nonzeros(x, rows, in, 0, 0, &nz);
  if (found <= 0) return found;
  sparse_job j = {&nz, in, out, x, w, b, NULL, y, NULL, NULL, NULL};
  pool_run(forward_rows, &j, parts());
  return 1;
}

/* dW rows j0..j1 (one per row of W, a column of x) from x's non-zeros in those columns. */
static void code_weight_rows(void *ctx, int part, int nparts) {
  const sparse_job *j = ctx;
  const nonzeros *nz = j->nz;
  int c0, c1;
  pool_split(j->in, part, nparts, 1, &c0, &c1);
  for (int c = c0; c < c1; c++) {
    float *dwr = j->dw + (size_t)c * j->out;
    memset(dwr, 0, sizeof(float) * (size_t)j->out);
    for (int i = nz->cstart[c]; i < nz->cstart[c + 1]; i++)
      axpy(dwr, nz->cval[i], j->dy + (size_t)nz->cidx[i] * j->out, j->out);
  }
}

/* dx rows r0..r1: dy_r . W_c at x's non-zeros (r, c), 0 elsewhere. */
static void code_input_rows(void *ctx, int part, int nparts) {
  const sparse_job *j = ctx;
  const nonzeros *nz = j->nz;
  int r0, r1;
  pool_split(nz->rows, part, nparts, 1, &r0, &r1);
  for (int r = r0; r < r1; r++) {
    float *dxr = j->dx + (size_t)r * j->in;
    memset(dxr, 0, sizeof(float) * (size_t)j->in);
    for (int i = nz->start[r]; i < nz->start[r + 1]; i++)
      dxr[nz->idx[i]] = dot(j->dy + (size_t)r * j->out, j->w + (size_t)nz->idx[i] * j->out, j->out);
  }
}

int sparse_code_grad(const float *dy, const float *x, const float *w, float *dx, float *dw, int rows, int in, int out) {
  nonzeros nz;
  const int found = find_nonzeros(x, rows, in, 1, 0, &nz);
  if (found <= 0) return found;
  sparse_job j = {&nz, in, out, x, w, NULL, dy, NULL, dw, dx, NULL};
  pool_run(code_weight_rows, &j, parts());
  if (dx != NULL) pool_run(code_input_rows, &j, parts());
  return 1;
}

/* Rows c0..c1 of dW^T [out, in]: sum over dz's non-zeros (r, c) in column c of dz[r, c] x_r. */
static void dz_weight_rows(void *ctx, int part, int nparts) {
  const sparse_job *j = ctx;
  const nonzeros *nz = j->nz;
  int c0, c1;
  pool_split(j->out, part, nparts, 1, &c0, &c1);
  for (int c = c0; c < c1; c++) {
    float *tr = j->t + (size_t)c * j->in;
    memset(tr, 0, sizeof(float) * (size_t)j->in);
    for (int i = nz->cstart[c]; i < nz->cstart[c + 1]; i++)
      axpy(tr, nz->cval[i], j->x + (size_t)nz->cidx[i] * j->in, j->in);
  }
}

/* dW [in, out] rows r0..r1 = the transpose of t [out, in], in 16 x 16 tiles. */
static void transpose_rows(void *ctx, int part, int nparts) {
  const sparse_job *j = ctx;
  int r0, r1;
  pool_split(j->in, part, nparts, 16, &r0, &r1);
  for (int rb = r0; rb < r1; rb += 16) {
    const int re = rb + 16 < r1 ? rb + 16 : r1;
    for (int cb = 0; cb < j->out; cb += 16) {
      const int ce = cb + 16 < j->out ? cb + 16 : j->out;
      for (int r = rb; r < re; r++)
        for (int c = cb; c < ce; c++) j->dw[(size_t)r * j->out + c] = j->t[(size_t)c * j->in + r];
    }
  }
}

int sparse_dz_weight(const float *dz, const float *x, float *dw, int rows, int in, int out) {
  nonzeros nz;
  const int found = find_nonzeros(dz, rows, out, 1, (size_t)in * out, &nz);
  if (found <= 0) return found;
  sparse_job j = {&nz, in, out, x, NULL, NULL, dz, NULL, dw, NULL, fbuf + 2 * (size_t)nz.nnz};
  pool_run(dz_weight_rows, &j, parts());
  pool_run(transpose_rows, &j, parts());
  return 1;
}

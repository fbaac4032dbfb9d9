/*
 * The dictionary SAE's encoder, y = (x - c) W + b for data x (src/runtime/native/dense.ts's
 * SaeCenteredDense), computed as x W + (b - c W) without the [rows, in] difference x - c:
 *
 *   centered_forward:  shift = c W,  y = x W + (b - shift)
 *   centered_backward: db = colsum(dy),  dW = x^T dy - c^T db,  dc = -(db W^T)
 *
 * Each part is the product or sum tfjs ran for the same expression before this kernel (a 1-row
 * product, then a subtraction; an outer product added to dW), so the numbers are the same; dW's
 * x^T dy runs over dy's non-zeros when it is sparse (a ReLU or TopK code: sparse.c).
 */
#include <cblas.h>
#include <stdlib.h>

#include "fused.h"

static _Thread_local float *vec;
static _Thread_local size_t vec_len;

static float *scratch_of(size_t n) {
  if (n > vec_len) {
    float *p = realloc(vec, n * sizeof(float));
    if (p == NULL) return NULL;
    vec = p;
    vec_len = n;
  }
  return vec;
}

int centered_forward(const float *x, const float *c, const float *w, const float *b, float *y, int rows, int in, int out) {
  float *shift = scratch_of((size_t)out);
  if (shift == NULL) return -1;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, out, in, 1.0f, c, in, w, out, 0.0f, shift, out);
  for (int j = 0; j < out; j++) shift[j] = b[j] - shift[j];
  dense_forward(x, w, shift, y, rows, in, out, 0, 0);
  return 0;
}

int centered_backward(const float *dy, const float *x, const float *c, const float *w, float *dw, float *db, float *dc,
                      int rows, int in, int out) {
  if (dense_backward(dy, x, w, dy, NULL, dw, db, rows, in, out, 0, DENSE_SPARSE_DZ) != 0) return -1;
  float *neg = scratch_of((size_t)out);
  if (neg == NULL) return -1;
  for (int j = 0; j < out; j++) neg[j] = -db[j];
  for (int i = 0; i < in; i++) {
    float *row = dw + (size_t)i * out;
    const float ci = c[i];
    for (int j = 0; j < out; j++) row[j] = row[j] + ci * neg[j];
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 1, in, out, 1.0f, neg, out, w, out, 0.0f, dc, in);
  return 0;
}

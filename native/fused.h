/* Fused dense-layer kernels and products (fused.c), Adam (adam.c), their N-API bindings (fused_napi.c). */
#ifndef SAE_FUSED_H
#define SAE_FUSED_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* Elementwise loops are compiled for AVX-512, AVX2 and the baseline, picked at load time. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/* flags: DENSE_SPARSE_CODE: x is a sparse code (a linear layer only): the product runs over its
 * non-zeros, and dx is wanted only there (0 elsewhere: the code's activation zeroes the gradient
 * there anyway). DENSE_SPARSE_DZ: dW = x^T dz runs over dz's non-zeros when dx is not wanted. */
#define DENSE_SPARSE_CODE 1
#define DENSE_SPARSE_DZ 2
void dense_forward(const float *x, const float *w, const float *b, float *y, int rows, int in, int out, int act, int flags);
/* dx may be NULL (not wanted). Returns 0, or -1 when scratch memory could not be allocated. */
int dense_backward(const float *dy, const float *x, const float *w, const float *y, float *dx, float *dw, float *db,
                   int rows, int in, int out, int act, int flags);
/* The dictionary SAE's encoder (x - c) W + b and its gradients (centered.c); 0, or -1 when out of memory. */
int centered_forward(const float *x, const float *c, const float *w, const float *b, float *y, int rows, int in, int out);
int centered_backward(const float *dy, const float *x, const float *c, const float *w, float *dw, float *db, float *dc,
                      int rows, int in, int out);
/* The sparse products (sparse.c): 1 done, 0 declined (the operand is too dense), -1 out of memory. */
int sparse_forward(const float *x, const float *w, const float *b, float *y, int rows, int in, int out);
int sparse_code_grad(const float *dy, const float *x, const float *w, float *dx, float *dw, int rows, int in, int out);
int sparse_dz_weight(const float *dz, const float *x, float *dw, int rows, int in, int out);
/* C_i [m x n] = op(A_i) op(B_i) for i < batch, row-major, products i strideA/B/C numbers apart. */
void gemm_batched(int ta, int tb, int m, int n, int k, const float *a, const float *b, float *c,
                  int batch, size_t sa, size_t sb, size_t sc);
/* Adam (adam.c). arrays: 5 per tensor (p, m, v, g, pOut; pOut is p or overlaps nothing); returns how
 * many new parameters are not finite (-1: out of memory). maxima NULL: only counts, writes nothing;
 * else m and v are updated in place, the new p written to pOut, and maxima[2t], maxima[2t + 1] get the
 * bits of tensor t's largest |m| and v. Every constant is formed in double and rounded once, as PyTorch
 * does with its Python-float hyperparameters: (float)(1.0 - b2) is 0.001 to float precision, while
 * 1.0f - (float)b2 is 0.00099998713, which made every update 6.4e-6 (relative) too large. */
int64_t adam_step(int count, float *const *arrays, const size_t *lengths, double lr, double b1, double b2, double eps, double step,
                  uint32_t *maxima);
/* The bits of the largest |x| over the arrays (above 0x7f7fffff: one is infinite or NaN). */
uint32_t abs_max_bits(int count, float *const *arrays, const size_t *lengths);

/* The loss terms (loss.c). */
double mse_value(const float *a, const float *b, size_t n);
void mse_grad(const float *a, const float *b, float dy, float *out, size_t n, int sign);
double kl_value(const float *h, int rows, int cols, double rho, double lo, double hi);
int kl_grad(const float *h, int rows, int cols, double rho, double lo, double hi, float dy, float *out);

/* TopK's mask (topk.c): 1 where x >= its row's k-th largest value (1 <= k <= cols), or with `values`
 * the code relu(x) * mask; -1 when out of memory. support_grad: out = f != 0 ? dy : 0.
 * fired_columns: out[c] = 1 where some row's f[., c] > threshold, else 0. */
int topk_mask(const float *x, float *mask, int rows, int cols, int k, int values);
void support_grad(const float *dy, const float *f, float *out, size_t n);
void fired_columns(const float *f, int rows, int cols, float threshold, float *out);

/* Rows (axis 1) or columns (axis 0) of w [rows, cols] divided by their norm, at least 1e-12 (norm.c); -1 when out of memory. */
int unit_norm(const float *w, float *out, int rows, int cols, int axis);

/* Adds denseForward, denseBackward, adamStep, absMaxBits, mse, mseGrad, kl, klGrad, topkMask and unitNorm to `exports`. */
napi_status fused_register(napi_env env, napi_value exports);

#endif

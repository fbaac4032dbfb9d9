/*
 * N-API bindings of the fused kernels (fused.c):
 *
 *   denseForward(x, w, b, y, rows, inDim, outDim, act[, flags])
 *   denseBackward(dy, x, w, y, dx | null, dw, db, rows, inDim, outDim, act[, flags])
 *     (flags: 1 x is a sparse code, 2 dz may be sparse; fused.h)
 *   centeredForward(x, c, w, b, y, rows, inDim, outDim),  centeredBackward(dy, x, c, w, dw, db, dc, rows, inDim, outDim)
 *   adamStep([p, m, v, g, pOut, ...5 per tensor], lr, beta1, beta2, epsilon, step, maxima | null) -> non-finite count
 *     (null: only counts; a Uint32Array of 2 per tensor: updates m, v in place, writes pOut (p or apart))
 *   absMaxBits([arrays]) -> the bits of the largest |x| (adam.c)
 *   mse(a, b) -> mean((a - b)^2),  mseGrad(a, b, dy, out, sign)
 *   kl(h, rows, cols, rho, lo, hi) -> penalty,  klGrad(h, rows, cols, rho, lo, hi, dy, out)
 *   topkMask(x, mask, rows, cols, k[, values])  (values 1: the code relu(x) * mask)
 *   supportGrad(dy, f, out),  firedColumns(f, rows, cols, threshold, out)
 *   unitNorm(w, out, rows, cols, axis)
 *
 * Every array is a Float32Array (a view of the wasm heap or a cpu tensor's values); sizes are
 * checked against the shapes before anything is read or written.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "fused.h"

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "sae-lab native: N-API call failed"); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

/* A Float32Array of at least `need` numbers, or NULL (then `*ok` is false). */
static float *floats(napi_env env, napi_value v, size_t need, bool *ok) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t length, offset;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != napi_float32_array || length < need) {
    *ok = false;
    return NULL;
  }
  return (float *)data;
}

static bool ints(napi_env env, napi_value *argv, int n, int64_t *out) {
  for (int i = 0; i < n; i++) {
    if (napi_get_value_int64(env, argv[i], &out[i]) != napi_ok || out[i] < 0 || out[i] > (1 << 30)) return false;
  }
  return true;
}

static napi_value dense_forward_js(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  int64_t d[5] = {0}; /* rows, in, out, act, flags */
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 8 || !ints(env, argv + 4, (int)argc - 4, d) || d[3] > 2 || d[4] > 3) {
    napi_throw_type_error(env, NULL, "denseForward(x, w, b, y, rows, inDim, outDim, act[, flags]) expects 8 or 9 arguments, act 0-2, flags 0-3");
    return NULL;
  }
  bool ok = true;
  const float *x = floats(env, argv[0], (size_t)(d[0] * d[1]), &ok);
  const float *w = floats(env, argv[1], (size_t)(d[1] * d[2]), &ok);
  const float *b = floats(env, argv[2], (size_t)d[2], &ok);
  float *y = floats(env, argv[3], (size_t)(d[0] * d[2]), &ok);
  if (!ok) {
    napi_throw_range_error(env, NULL, "denseForward: the arrays must be Float32Arrays that fit the sizes");
    return NULL;
  }
  if (d[0] > 0 && d[2] > 0) dense_forward(x, w, b, y, (int)d[0], (int)d[1], (int)d[2], (int)d[3], (int)d[4]);
  return NULL;
}

static napi_value dense_backward_js(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  int64_t d[5] = {0}; /* rows, in, out, act, flags */
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 11 || !ints(env, argv + 7, (int)argc - 7, d) || d[3] > 2 || d[4] > 3) {
    napi_throw_type_error(env, NULL, "denseBackward(dy, x, w, y, dx, dw, db, rows, inDim, outDim, act[, flags]) expects 11 or 12 arguments, act 0-2, flags 0-3");
    return NULL;
  }
  const size_t rows = (size_t)d[0], in = (size_t)d[1], out = (size_t)d[2];
  bool ok = true;
  const float *dy = floats(env, argv[0], rows * out, &ok);
  const float *x = floats(env, argv[1], rows * in, &ok);
  const float *w = floats(env, argv[2], in * out, &ok);
  const float *y = floats(env, argv[3], rows * out, &ok);
  napi_valuetype t;
  CHECK(napi_typeof(env, argv[4], &t));
  float *dx = t == napi_null ? NULL : floats(env, argv[4], rows * in, &ok);
  float *dw = floats(env, argv[5], in * out, &ok);
  float *db = floats(env, argv[6], out, &ok);
  if (!ok) {
    napi_throw_range_error(env, NULL, "denseBackward: the arrays must be Float32Arrays that fit the sizes (dx may be null)");
    return NULL;
  }
  if (dense_backward(dy, x, w, y, dx, dw, db, (int)rows, (int)in, (int)out, (int)d[3], (int)d[4]) != 0) {
    napi_throw_error(env, NULL, "denseBackward: out of memory");
  }
  return NULL;
}

/* centeredForward(x, c, w, b, y, rows, inDim, outDim) */
static napi_value centered_forward_js(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  int64_t d[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 8 || !ints(env, argv + 5, 3, d)) {
    napi_throw_type_error(env, NULL, "centeredForward(x, c, w, b, y, rows, inDim, outDim) expects 8 arguments");
    return NULL;
  }
  const size_t rows = (size_t)d[0], in = (size_t)d[1], out = (size_t)d[2];
  bool ok = true;
  const float *x = floats(env, argv[0], rows * in, &ok);
  const float *c = floats(env, argv[1], in, &ok);
  const float *w = floats(env, argv[2], in * out, &ok);
  const float *b = floats(env, argv[3], out, &ok);
  float *y = floats(env, argv[4], rows * out, &ok);
  if (!ok) {
    napi_throw_range_error(env, NULL, "centeredForward: the arrays must be Float32Arrays that fit the sizes");
    return NULL;
  }
  if (rows > 0 && out > 0 && centered_forward(x, c, w, b, y, (int)rows, (int)in, (int)out) != 0) napi_throw_error(env, NULL, "centeredForward: out of memory");
  return NULL;
}

/* centeredBackward(dy, x, c, w, dw, db, dc, rows, inDim, outDim) */
static napi_value centered_backward_js(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  int64_t d[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 10 || !ints(env, argv + 7, 3, d)) {
    napi_throw_type_error(env, NULL, "centeredBackward(dy, x, c, w, dw, db, dc, rows, inDim, outDim) expects 10 arguments");
    return NULL;
  }
  const size_t rows = (size_t)d[0], in = (size_t)d[1], out = (size_t)d[2];
  bool ok = true;
  const float *dy = floats(env, argv[0], rows * out, &ok);
  const float *x = floats(env, argv[1], rows * in, &ok);
  const float *c = floats(env, argv[2], in, &ok);
  const float *w = floats(env, argv[3], in * out, &ok);
  float *dw = floats(env, argv[4], in * out, &ok);
  float *db = floats(env, argv[5], out, &ok);
  float *dc = floats(env, argv[6], in, &ok);
  if (!ok) {
    napi_throw_range_error(env, NULL, "centeredBackward: the arrays must be Float32Arrays that fit the sizes");
    return NULL;
  }
  if (centered_backward(dy, x, c, w, dw, db, dc, (int)rows, (int)in, (int)out) != 0) napi_throw_error(env, NULL, "centeredBackward: out of memory");
  return NULL;
}

/*
 * The Float32Arrays of the JS array `list` (its length a multiple of `group`, each group's arrays
 * of one length): *arrays and *lengths (one per group) malloc'ed, freed by the caller; false when
 * the list does not fit (nothing to free then).
 */
static bool float_groups(napi_env env, napi_value list, uint32_t group, float ***arrays, size_t **lengths, int *count) {
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, list, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, list, &n) != napi_ok || n % group != 0) return false;
  float **a = malloc(sizeof(float *) * (n + 1));
  size_t *len = malloc(sizeof(size_t) * (n / group + 1));
  bool ok = a != NULL && len != NULL;
  for (uint32_t i = 0; ok && i < n; i++) {
    napi_value e;
    napi_typedarray_type type;
    napi_value buffer;
    size_t length, offset;
    void *data;
    ok = napi_get_element(env, list, i, &e) == napi_ok &&
         napi_get_typedarray_info(env, e, &type, &length, &data, &buffer, &offset) == napi_ok &&
         type == napi_float32_array;
    if (!ok) break;
    if (i % group == 0) len[i / group] = length;
    else ok = length == len[i / group];
    a[i] = data;
  }
  if (!ok) {
    free(a);
    free(len);
    return false;
  }
  *arrays = a;
  *lengths = len;
  *count = (int)(n / group);
  return true;
}

static napi_value adam_step_js(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  double h[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 7) {
    napi_throw_type_error(env, NULL, "adamStep(arrays (5 per tensor), lr, beta1, beta2, epsilon, step, maxima | null) expects 7 arguments");
    return NULL;
  }
  for (int i = 0; i < 5; i++) CHECK(napi_get_value_double(env, argv[1 + i], &h[i]));
  float **arrays;
  size_t *lengths;
  int count;
  if (!float_groups(env, argv[0], 5, &arrays, &lengths, &count)) {
    napi_throw_type_error(env, NULL, "adamStep: every array must be a Float32Array, the 5 of one tensor of one length");
    return NULL;
  }
  uint32_t *maxima = NULL;
  napi_valuetype kind;
  bool ok = napi_typeof(env, argv[6], &kind) == napi_ok;
  if (ok && kind != napi_null) {
    napi_typedarray_type type;
    napi_value buffer;
    size_t length, offset;
    void *data;
    ok = napi_get_typedarray_info(env, argv[6], &type, &length, &data, &buffer, &offset) == napi_ok &&
         type == napi_uint32_array && length >= (size_t)count * 2;
    maxima = data;
  }
  /* No array written overlaps another array of the call, except a tensor's pOut that is its p: the
   * loops use restrict, and different tensors' parts run on different threads. Written: m, v, pOut,
   * and p when pOut is p; arrays only read (p otherwise, g) may share memory. */
  const int n_arrays = count * 5;
#define WRITTEN(i) ((i) % 5 != 0 && (i) % 5 != 3 ? true : (i) % 5 == 0 && arrays[(i) + 4] == arrays[i])
  for (int a = 0; ok && a < n_arrays; a++) {
    for (int b = a + 1; ok && b < n_arrays; b++) {
      const char *x = (const char *)arrays[a], *y = (const char *)arrays[b];
      const size_t xb = lengths[a / 5] * sizeof(float), yb = lengths[b / 5] * sizeof(float);
      const bool p_is_pout = a / 5 == b / 5 && a % 5 == 0 && b % 5 == 4 && x == y;
      ok = p_is_pout || !(WRITTEN(a) || WRITTEN(b)) || xb == 0 || yb == 0 || x + xb <= y || y + yb <= x;
    }
  }
#undef WRITTEN
  napi_value result = NULL;
  if (!ok) {
    napi_throw_type_error(env, NULL, "adamStep: maxima must be null or a Uint32Array of 2 per tensor, and no array written (m, v, pOut) may overlap another (a tensor's pOut may be its p)");
  } else {
    const int64_t bad = adam_step(count, arrays, lengths, h[0], h[1], h[2], h[3], h[4], maxima);
    if (bad < 0) napi_throw_error(env, NULL, "adamStep: out of memory");
    else CHECK(napi_create_int64(env, bad, &result));
  }
  free(arrays);
  free(lengths);
  return result;
}

static napi_value abs_max_bits_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  float **arrays;
  size_t *lengths;
  int count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      !float_groups(env, argv[0], 1, &arrays, &lengths, &count)) {
    napi_throw_type_error(env, NULL, "absMaxBits(arrays) expects one array of Float32Arrays");
    return NULL;
  }
  const uint32_t bits = abs_max_bits(count, arrays, lengths);
  free(arrays);
  free(lengths);
  napi_value result;
  CHECK(napi_create_uint32(env, bits, &result));
  return result;
}

/* mse(a, b) -> mean((a - b)^2);  mseGrad(a, b, dy, out, sign) */
static napi_value mse_js(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool ok = argc == 2 || argc == 5;
  size_t n = 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  void *data;
  if (ok) ok = napi_get_typedarray_info(env, argv[0], &type, &n, &data, &buffer, &offset) == napi_ok;
  const float *a = ok ? floats(env, argv[0], n, &ok) : NULL, *b = ok ? floats(env, argv[1], n, &ok) : NULL;
  float *out = ok && argc == 5 ? floats(env, argv[3], n, &ok) : NULL;
  double dy = 0;
  int32_t sign = 1;
  if (ok && argc == 5) ok = napi_get_value_double(env, argv[2], &dy) == napi_ok && napi_get_value_int32(env, argv[4], &sign) == napi_ok;
  if (!ok) {
    napi_throw_type_error(env, NULL, "mse(a, b) or mseGrad(a, b, dy, out, sign): Float32Arrays of one length");
    return NULL;
  }
  napi_value result = NULL;
  if (argc == 2) CHECK(napi_create_double(env, mse_value(a, b, n), &result));
  else mse_grad(a, b, (float)dy, out, n, sign);
  return result;
}

/* kl(h, rows, cols, rho, lo, hi) -> penalty;  klGrad(h, rows, cols, rho, lo, hi, dy, out) */
static napi_value kl_js(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t d[2];
  double p[4] = {0, 0, 0, 0}; /* rho, lo, hi, dy */
  bool ok = (argc == 6 || argc == 8) && ints(env, argv + 1, 2, d);
  for (size_t i = 3; ok && i < (argc == 8 ? 7 : 6); i++) ok = napi_get_value_double(env, argv[i], &p[i - 3]) == napi_ok;
  const float *h = ok ? floats(env, argv[0], (size_t)(d[0] * d[1]), &ok) : NULL;
  float *out = ok && argc == 8 ? floats(env, argv[7], (size_t)(d[0] * d[1]), &ok) : NULL;
  if (!ok) {
    napi_throw_type_error(env, NULL, "kl(h, rows, cols, rho, lo, hi) or klGrad(h, rows, cols, rho, lo, hi, dy, out)");
    return NULL;
  }
  napi_value result = NULL;
  if (argc == 6) CHECK(napi_create_double(env, kl_value(h, (int)d[0], (int)d[1], p[0], p[1], p[2]), &result));
  else if (kl_grad(h, (int)d[0], (int)d[1], p[0], p[1], p[2], (float)p[3], out) != 0) napi_throw_error(env, NULL, "klGrad: out of memory");
  return result;
}

/* topkMask(x, mask, rows, cols, k): mask = 1 where x >= its row's k-th largest value */
static napi_value topk_mask_js(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  int64_t d[4] = {0}; /* rows, cols, k, values */
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5 || !ints(env, argv + 2, (int)argc - 2, d) || d[3] > 1) {
    napi_throw_type_error(env, NULL, "topkMask(x, mask, rows, cols, k[, values]) expects 5 or 6 arguments, rows, cols and k integers in [0, 2^30], values 0 or 1");
    return NULL;
  }
  if (d[2] < 1 || d[2] > d[1]) {
    char message[96];
    snprintf(message, sizeof message, "topkMask: k = %lld is invalid: expected 1 <= k <= cols = %lld", (long long)d[2], (long long)d[1]);
    napi_throw_range_error(env, NULL, message);
    return NULL;
  }
  bool ok = true;
  const float *x = floats(env, argv[0], (size_t)(d[0] * d[1]), &ok);
  float *mask = floats(env, argv[1], (size_t)(d[0] * d[1]), &ok);
  if (!ok) {
    napi_throw_range_error(env, NULL, "topkMask: x and mask must be Float32Arrays that fit the sizes");
    return NULL;
  }
  if (topk_mask(x, mask, (int)d[0], (int)d[1], (int)d[2], (int)d[3]) != 0) napi_throw_error(env, NULL, "topkMask: out of memory");
  return NULL;
}

/* supportGrad(dy, f, out): out = f != 0 ? dy : 0, three Float32Arrays of one length */
static napi_value support_grad_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) {
    napi_throw_type_error(env, NULL, "supportGrad(dy, f, out) expects 3 arguments");
    return NULL;
  }
  napi_typedarray_type type;
  napi_value buffer;
  size_t n = 0, offset;
  void *data;
  bool ok = napi_get_typedarray_info(env, argv[0], &type, &n, &data, &buffer, &offset) == napi_ok && type == napi_float32_array;
  const float *dy = ok ? floats(env, argv[0], n, &ok) : NULL;
  const float *f = ok ? floats(env, argv[1], n, &ok) : NULL;
  float *out = ok ? floats(env, argv[2], n, &ok) : NULL;
  if (!ok) {
    napi_throw_range_error(env, NULL, "supportGrad: dy, f and out must be Float32Arrays, f and out at least as long as dy");
    return NULL;
  }
  support_grad(dy, f, out, n);
  return NULL;
}

/* firedColumns(f, rows, cols, threshold, out): out[c] = 1 where some f[r, c] > threshold, else 0 */
static napi_value fired_columns_js(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  int64_t d[2];
  double threshold;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5 || !ints(env, argv + 1, 2, d) ||
      napi_get_value_double(env, argv[3], &threshold) != napi_ok) {
    napi_throw_type_error(env, NULL, "firedColumns(f, rows, cols, threshold, out) expects 5 arguments, rows and cols integers in [0, 2^30]");
    return NULL;
  }
  bool ok = true;
  const float *f = floats(env, argv[0], (size_t)(d[0] * d[1]), &ok);
  float *out = floats(env, argv[4], (size_t)d[1], &ok);
  if (!ok) {
    napi_throw_range_error(env, NULL, "firedColumns: f and out must be Float32Arrays that fit the sizes");
    return NULL;
  }
  fired_columns(f, (int)d[0], (int)d[1], (float)threshold, out);
  return NULL;
}

/* unitNorm(w, out, rows, cols, axis): out = w / max(norm along axis, 1e-12) */
static napi_value unit_norm_js(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  int64_t d[3]; /* rows, cols, axis */
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5 || !ints(env, argv + 2, 3, d) || d[2] > 1) {
    napi_throw_type_error(env, NULL, "unitNorm(w, out, rows, cols, axis) expects 5 arguments, rows and cols integers in [0, 2^30], axis 0 or 1");
    return NULL;
  }
  bool ok = true;
  const float *w = floats(env, argv[0], (size_t)(d[0] * d[1]), &ok);
  float *out = floats(env, argv[1], (size_t)(d[0] * d[1]), &ok);
  if (!ok) {
    napi_throw_range_error(env, NULL, "unitNorm: w and out must be Float32Arrays that fit the sizes");
    return NULL;
  }
  if (unit_norm(w, out, (int)d[0], (int)d[1], (int)d[2]) != 0) napi_throw_error(env, NULL, "unitNorm: out of memory");
  return NULL;
}

napi_status fused_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"denseForward", NULL, dense_forward_js, NULL, NULL, NULL, napi_default, NULL},
    {"denseBackward", NULL, dense_backward_js, NULL, NULL, NULL, napi_default, NULL},
    {"centeredForward", NULL, centered_forward_js, NULL, NULL, NULL, napi_default, NULL},
    {"centeredBackward", NULL, centered_backward_js, NULL, NULL, NULL, napi_default, NULL},
    {"adamStep", NULL, adam_step_js, NULL, NULL, NULL, napi_default, NULL},
    {"absMaxBits", NULL, abs_max_bits_js, NULL, NULL, NULL, napi_default, NULL},
    {"mse", NULL, mse_js, NULL, NULL, NULL, napi_default, NULL},
    {"mseGrad", NULL, mse_js, NULL, NULL, NULL, napi_default, NULL},
    {"kl", NULL, kl_js, NULL, NULL, NULL, napi_default, NULL},
    {"klGrad", NULL, kl_js, NULL, NULL, NULL, napi_default, NULL},
    {"topkMask", NULL, topk_mask_js, NULL, NULL, NULL, napi_default, NULL},
    {"unitNorm", NULL, unit_norm_js, NULL, NULL, NULL, napi_default, NULL},
    {"supportGrad", NULL, support_grad_js, NULL, NULL, NULL, napi_default, NULL},
    {"firedColumns", NULL, fired_columns_js, NULL, NULL, NULL, napi_default, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

/*
 * sae-lab native kernels: single-precision matrix products through OpenBLAS (cblas_sgemm) for
 * TensorFlow.js, called on Float32Array views (of the wasm backend's heap, so no copies).
 *
 *   sgemm(transA, transB, m, n, k, a, b, c, batch, strideA, strideB, strideC)
 *     for i in 0..batch-1:  C_i[m x n] = op(A_i) op(B_i), row-major, op = transpose or not
 *   adam(p, m, v, g, pOut, mOut, vOut, lr, beta1, beta2, epsilon, step) -> count
 *     one Adam step over flat arrays, in float32 as PyTorch does (see src/optim.ts); returns
 *     how many of the new parameter values are not finite (the caller then drops the step)
 *   setThreads(n), threads()
 */
#include <math.h>
#include <node_api.h>
#include <cblas.h>
#include <stdbool.h>
#include <stdint.h>

extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);

#define CHECK(call)                                                  \
  do {                                                               \
    if ((call) != napi_ok) {                                         \
      napi_throw_error(env, NULL, "sae-lab native: N-API call failed"); \
      return NULL;                                                   \
    }                                                                \
  } while (0)

static bool get_floats(napi_env env, napi_value v, float** data, size_t* length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, (void**)data, &buffer, &offset) != napi_ok) return false;
  return type == napi_float32_array;
}

/* Reads exactly `want` arguments into argv; throws (and returns false) otherwise. */
static bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value* argv, const char* message) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != want) {
    napi_throw_type_error(env, NULL, message);
    return false;
  }
  return true;
}

static napi_value sgemm(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  if (!get_args(env, info, 12, argv, "sgemm expects 12 arguments")) return NULL;
  bool ta, tb;
  int64_t m, n, k, batch, sa, sb, sc;
  CHECK(napi_get_value_bool(env, argv[0], &ta));
  CHECK(napi_get_value_bool(env, argv[1], &tb));
  CHECK(napi_get_value_int64(env, argv[2], &m));
  CHECK(napi_get_value_int64(env, argv[3], &n));
  CHECK(napi_get_value_int64(env, argv[4], &k));
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!get_floats(env, argv[5], &a, &la) || !get_floats(env, argv[6], &b, &lb) || !get_floats(env, argv[7], &c, &lc)) {
    napi_throw_type_error(env, NULL, "sgemm: a, b and c must be Float32Arrays");
    return NULL;
  }
  CHECK(napi_get_value_int64(env, argv[8], &batch));
  CHECK(napi_get_value_int64(env, argv[9], &sa));
  CHECK(napi_get_value_int64(env, argv[10], &sb));
  CHECK(napi_get_value_int64(env, argv[11], &sc));
  if (m < 0 || n < 0 || k < 0 || batch < 1 || sa < 0 || sb < 0 || sc < 0 ||
      (size_t)((batch - 1) * sa + m * k) > la || (size_t)((batch - 1) * sb + k * n) > lb ||
      (size_t)((batch - 1) * sc + m * n) > lc) {
    napi_throw_range_error(env, NULL, "sgemm: sizes do not fit the arrays");
    return NULL;
  }
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)m, (int)n, (int)k, 1.0f,
                a + i * sa, ta ? (int)m : (int)k,
                b + i * sb, tb ? (int)k : (int)n,
                0.0f, c + i * sc, (int)n);
  }
  return NULL;
}

static napi_value adam(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  if (!get_args(env, info, 12, argv, "adam expects 12 arguments")) return NULL;
  float* arr[7];
  size_t len[7];
  for (int i = 0; i < 7; i++) {
    if (!get_floats(env, argv[i], &arr[i], &len[i]) || len[i] != len[0]) {
      napi_throw_type_error(env, NULL, "adam: p, m, v, g and the outputs must be Float32Arrays of one length");
      return NULL;
    }
  }
  double lr, b1, b2, eps, step;
  CHECK(napi_get_value_double(env, argv[7], &lr));
  CHECK(napi_get_value_double(env, argv[8], &b1));
  CHECK(napi_get_value_double(env, argv[9], &b2));
  CHECK(napi_get_value_double(env, argv[10], &eps));
  CHECK(napi_get_value_double(env, argv[11], &step));
  /* Every constant is formed in double and rounded once, as PyTorch does with its Python-float
   * hyperparameters: (float)(1.0 - b2) is 0.001 to float precision, while 1.0f - (float)b2 is
   * 0.00099998713, which made every native update 6.4e-6 (relative) too large. */
  const float step_size = (float)(lr / (1.0 - pow(b1, step)));
  const float inv_sqrt_c2 = (float)(1.0 / sqrt(1.0 - pow(b2, step)));
  const float fb1 = (float)b1, fb2 = (float)b2, feps = (float)eps;
  const float c1 = (float)(1.0 - b1), c2 = (float)(1.0 - b2);
  const float *p = arr[0], *m = arr[1], *v = arr[2], *g = arr[3];
  float *po = arr[4], *mo = arr[5], *vo = arr[6];
  const size_t n = len[0];
  int64_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = fb1 * m[i] + c1 * gi;
    const float vi = fb2 * v[i] + c2 * gi * gi;
    mo[i] = mi;
    vo[i] = vi;
    po[i] = p[i] - step_size * mi / (sqrtf(vi) * inv_sqrt_c2 + feps);
    bad += !isfinite(po[i]);
  }
  napi_value out;
  CHECK(napi_create_int64(env, bad, &out));
  return out;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t t;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &t));
  if (t >= 1) openblas_set_num_threads(t);
  return NULL;
}

static napi_value get_threads(napi_env env, napi_callback_info info) {
  napi_value out;
  (void)info;
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"adam", NULL, adam, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"threads", NULL, get_threads, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, 4, props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

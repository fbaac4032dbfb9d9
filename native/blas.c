/*
 * sae-lab native kernels: single-precision matrix products through OpenBLAS (cblas_sgemm) for
 * TensorFlow.js, called on Float32Array views (of the wasm backend's heap, so no copies).
 *
 *   sgemm(transA, transB, m, n, k, a, b, c, batch, strideA, strideB, strideC)
 *     for i in 0..batch-1:  C_i[m x n] = op(A_i) op(B_i), row-major, op = transpose or not,
 *     split over the threads (fused.c's gemm_batched)
 *   setThreads(n), threads()          threads of every kernel here (pool.c; OpenBLAS then runs 1)
 *   setBlasThreads(n), blasThreads()  OpenBLAS's own threads instead (the pool then runs 1)
 * and, from fused_napi.c, the fused dense-layer kernels (fused.c) and Adam (adam.c).
 */
#include <math.h>
#include <node_api.h>
#include <cblas.h>
#include <stdbool.h>
#include <stdint.h>

#include "fused.h"
#include "pool.h"

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
  gemm_batched(ta, tb, (int)m, (int)n, (int)k, a, b, c, (int)batch, (size_t)sa, (size_t)sb, (size_t)sc);
  return NULL;
}

/* setThreads(n): the kernels' own threads (pool.c), OpenBLAS back to 1 (each part calls it
 * single-threaded); setBlasThreads(n): OpenBLAS's own threads instead (to compare);
 * setPartition(n): how many parts a product is split into (pool.h), whatever the thread count. */
enum count_setting { KIT_THREADS, BLAS_THREADS, PARTITION };

static napi_value set_count_impl(napi_env env, napi_callback_info info, enum count_setting what) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t t;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &t));
  if (t < 1 || t > POOL_MAX) {
    napi_throw_range_error(env, NULL, what == PARTITION ? "partition: expected an integer from 1 to 8" : "threads: expected an integer from 1 to 8");
    return NULL;
  }
  if (what == PARTITION) {
    pool_set_partition(t);
  } else if (what == BLAS_THREADS) {
    pool_set_threads(1);
    openblas_set_num_threads(t);
  } else {
    openblas_set_num_threads(1);
    pool_set_threads(t);
  }
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) { return set_count_impl(env, info, KIT_THREADS); }
static napi_value set_blas_threads(napi_env env, napi_callback_info info) { return set_count_impl(env, info, BLAS_THREADS); }
static napi_value set_partition(napi_env env, napi_callback_info info) { return set_count_impl(env, info, PARTITION); }

static napi_value get_threads_impl(napi_env env, int n) {
  napi_value out;
  CHECK(napi_create_int32(env, n, &out));
  return out;
}

static napi_value get_threads(napi_env env, napi_callback_info info) { (void)info; return get_threads_impl(env, pool_threads()); }
static napi_value get_blas_threads(napi_env env, napi_callback_info info) { (void)info; return get_threads_impl(env, openblas_get_num_threads()); }

static napi_value get_partition(napi_env env, napi_callback_info info) { (void)info; return get_threads_impl(env, pool_partition()); }

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"threads", NULL, get_threads, NULL, NULL, NULL, napi_default, NULL},
    {"setBlasThreads", NULL, set_blas_threads, NULL, NULL, NULL, napi_default, NULL},
    {"blasThreads", NULL, get_blas_threads, NULL, NULL, NULL, napi_default, NULL},
    {"setPartition", NULL, set_partition, NULL, NULL, NULL, napi_default, NULL},
    {"partition", NULL, get_partition, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  CHECK(fused_register(env, exports));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

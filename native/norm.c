/*
 * Unit-norm rows or columns (src/runtime/native/norm.ts registers it): the dictionary SAE's
 * decoder renormalisation after each step,
 *
 *   out = w / max(sqrt(sum of w^2 along the axis), 1e-12)
 *
 * in float32, each sum of squares added in order (row by row for columns), as the wasm backend's
 * Square, Sum, Sqrt, Maximum and Div kernels compute it one after the other: the same bits.
 */
#include <math.h>
#include <stdlib.h>

#include "fused.h"

int unit_norm(const float *w, float *out, int rows, int cols, int axis) {
  const float floor_norm = 1e-12f;
  if (axis == 1) {
    for (int i = 0; i < rows; i++) {
      const float *row = w + (size_t)i * cols;
      float s = 0.0f;
      for (int j = 0; j < cols; j++) {
        const float sq = row[j] * row[j];
        s += sq;
      }
      float n = sqrtf(s);
      if (!(n > floor_norm)) n = isnan(n) ? n : floor_norm;
      for (int j = 0; j < cols; j++) out[(size_t)i * cols + j] = row[j] / n;
    }
    return 0;
  }
  float *sums = calloc((size_t)cols, sizeof(float));
  if (sums == NULL) return -1;
  for (int i = 0; i < rows; i++) {
    const float *row = w + (size_t)i * cols;
    for (int j = 0; j < cols; j++) {
      const float sq = row[j] * row[j];
      sums[j] += sq;
    }
  }
  for (int j = 0; j < cols; j++) {
    const float n = sqrtf(sums[j]);
    sums[j] = (n > floor_norm || isnan(n)) ? n : floor_norm;
  }
  for (int i = 0; i < rows; i++) {
    for (int j = 0; j < cols; j++) out[(size_t)i * cols + j] = w[(size_t)i * cols + j] / sums[j];
  }
  free(sums);
  return 0;
}

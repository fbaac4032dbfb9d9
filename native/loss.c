/*
 * The lesson's two loss terms as single passes (src/runtime/native/loss.ts registers them):
 *
 *   mse(a, b)        = mean((a - b)^2);      its gradient 2 (b - a) / n * dy  (for b; -that for a)
 *   kl(h; rho)       = sum_j KL(rho || q_j),  q_j = clamp(mean_i h_ij, lo, hi)
 *                      its gradient dy * (-rho / q_j + (1 - rho) / (1 - q_j)) / rows where lo <= q_j <= hi, else 0
 *
 * Sums are accumulated in double, so a value differs from tfjs's float32 reductions by float32
 * rounding only. The gradient of the clamp passes where lo <= q <= hi, as tfjs's clipByValue does.
 */
#include <math.h>
#include <stdlib.h>

#include "fused.h"

VECTOR_CLONES
double mse_value(const float *restrict a, const float *restrict b, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double d = (double)a[i] - (double)b[i];
    s += d * d;
  }
  return n == 0 ? NAN : s / (double)n;
}

VECTOR_CLONES
void mse_grad(const float *restrict a, const float *restrict b, float dy, float *restrict out, size_t n, int sign) {
  /* d/db mean((a - b)^2) = 2 (b - a) / n; d/da is its negative */
  const float scale = (float)((sign < 0 ? -2.0 : 2.0) / (double)n) * dy;
  for (size_t i = 0; i < n; i++) out[i] = (b[i] - a[i]) * scale;
}

/* Column means of h [rows x cols] in double, into q. */
static void column_means(const float *restrict h, int rows, int cols, double *restrict q) {
  for (int j = 0; j < cols; j++) q[j] = 0.0;
  for (int i = 0; i < rows; i++) {
    const float *hi = h + (size_t)i * cols;
    for (int j = 0; j < cols; j++) q[j] += hi[j];
  }
  for (int j = 0; j < cols; j++) q[j] /= rows;
}

double kl_value(const float *h, int rows, int cols, double rho, double lo, double hi) {
  double *q = malloc(sizeof(double) * (size_t)(cols > 0 ? cols : 1));
  if (q == NULL) return NAN;
  column_means(h, rows, cols, q);
  double s = 0.0;
  for (int j = 0; j < cols; j++) {
    /* q in float32 as tfjs holds it, then clamped */
    double qj = (float)q[j];
    qj = qj < lo ? lo : (qj > hi ? hi : qj);
    s += rho * log(rho / qj) + (1.0 - rho) * log((1.0 - rho) / (1.0 - qj));
  }
  free(q);
  return s;
}

int kl_grad(const float *h, int rows, int cols, double rho, double lo, double hi, float dy, float *out) {
  double *q = malloc(sizeof(double) * (size_t)(cols > 0 ? cols : 1));
  float *g = malloc(sizeof(float) * (size_t)(cols > 0 ? cols : 1));
  if (q == NULL || g == NULL) {
    free(q);
    free(g);
    return -1;
  }
  column_means(h, rows, cols, q);
  for (int j = 0; j < cols; j++) {
    const double qj = (float)q[j];
    g[j] = qj >= lo && qj <= hi ? (float)((-rho / qj + (1.0 - rho) / (1.0 - qj)) * dy / rows) : 0.0f;
  }
  for (int i = 0; i < rows; i++) {
    float *o = out + (size_t)i * cols;
    for (int j = 0; j < cols; j++) o[j] = g[j];
  }
  free(q);
  free(g);
  return 0;
}

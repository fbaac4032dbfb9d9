/*
 * TopK's mask, or its code, as one pass (src/runtime/native/topk.ts registers it):
 *
 *   mask[i, j] = 1 where x[i, j] >= the k-th largest value of row i, else 0
 *   code[i, j] = x[i, j] where mask[i, j] = 1 and x[i, j] > 0, else 0 (relu(x) * mask, bit for bit)
 *
 * the same as comparing each row with the k-th of tf.topk's sorted values (ties with the k-th
 * value are all kept). The k-th largest comes from a min-heap of k values where k is small
 * (k <= n / 16: TopK's k of 4-32), else from quickselect on a copy of the row; rows are split
 * over the pool's threads. A row holding NaN gets some mask (memory-safe), not necessarily
 * tf.topk's: NaN compares false either way.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "fused.h"
#include "pool.h"

/*
 * The k-th largest value of row[0..n): a min-heap of the k largest seen so far, whose root is
 * replaced when a larger value comes. After the first k values most comparisons with the root
 * fail, a branch the CPU predicts well (quickselect's partition branches are coin flips).
 */
static float kth_largest(const float *row, int n, int k, float *heap) {
  for (int i = 0; i < k; i++) {
    /* sift up */
    int c = i;
    const float v = row[i];
    while (c > 0 && heap[(c - 1) / 2] > v) {
      heap[c] = heap[(c - 1) / 2];
      c = (c - 1) / 2;
    }
    heap[c] = v;
  }
  for (int i = k; i < n; i++) {
    const float v = row[i];
    if (!(v > heap[0])) continue;
    /* replace the root, sift down */
    int c = 0;
    for (;;) {
      int l = 2 * c + 1;
      if (l >= k) break;
      if (l + 1 < k && heap[l + 1] < heap[l]) l++;
      if (!(heap[l] < v)) break;
      heap[c] = heap[l];
      c = l;
    }
    heap[c] = v;
  }
  return heap[0];
}

/* The value of rank `r` (0 = largest) of a[0..n), by quickselect, reordering a. */
static float select_desc(float *a, int n, int r) {
  int lo = 0, hi = n - 1;
  while (lo < hi) {
    /* median of three as the pivot */
    const int mid = lo + (hi - lo) / 2;
    float p = a[mid];
    if ((a[lo] > p) != (a[lo] > a[hi])) p = a[lo];
    else if ((a[hi] > p) != (a[hi] > a[lo])) p = a[hi];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] > p) i++;
      while (a[j] < p) j--;
      if (i <= j) {
        const float t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    /* now a[lo..j] >= p, a[i..hi] <= p, and a[j+1..i-1] == p */
    if (r <= j) hi = j;
    else if (r >= i) lo = i;
    else return a[r];
  }
  return a[r];
}

typedef struct {
  const float *x;
  float *mask;
  int rows, cols, k, values;
  atomic_int failed;
} TopkJob;

static void topk_part(void *ctx, int part, int parts) {
  TopkJob *j = ctx;
  int lo, hi;
  pool_split(j->rows, part, parts, 1, &lo, &hi);
  if (lo >= hi) return;
  float *scratch = malloc(sizeof(float) * (size_t)j->cols);
  if (scratch == NULL) {
    j->failed = 1;
    return;
  }
  for (int i = lo; i < hi; i++) {
    const float *row = j->x + (size_t)i * j->cols;
    float *out = j->mask + (size_t)i * j->cols;
    float kth;
    if (j->k <= j->cols / 16) {
      kth = kth_largest(row, j->cols, j->k, scratch);
    } else {
      memcpy(scratch, row, sizeof(float) * (size_t)j->cols);
      kth = select_desc(scratch, j->cols, j->k - 1);
    }
    if (j->values) {
      for (int c = 0; c < j->cols; c++) out[c] = row[c] >= kth && row[c] > 0.0f ? row[c] : 0.0f;
    } else {
      for (int c = 0; c < j->cols; c++) out[c] = row[c] >= kth ? 1.0f : 0.0f;
    }
  }
  free(scratch);
}

int topk_mask(const float *x, float *mask, int rows, int cols, int k, int values) {
  if (rows <= 0 || cols <= 0) return 0;
  TopkJob j = {x, mask, rows, cols, k, values};
  atomic_init(&j.failed, 0);
  const int t = pool_threads();
  pool_run(topk_part, &j, t > 1 && (long long)rows * cols >= (1 << 14) ? t : 1);
  return j.failed ? -1 : 0;
}

/* TopK's gradient: out = dy where the code f is non-zero, else 0 (f's zeros are outside the top k or at most 0). */
VECTOR_CLONES
void support_grad(const float *restrict dy, const float *restrict f, float *restrict out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = f[i] != 0.0f ? dy[i] : 0.0f;
}

/* out[c] = 1 where some row of f [rows, cols] is above `threshold` in column c, else 0. */
void fired_columns(const float *f, int rows, int cols, float threshold, float *out) {
  for (int c = 0; c < cols; c++) out[c] = 0.0f;
  for (int r = 0; r < rows; r++) {
    const float *fr = f + (size_t)r * cols;
    for (int c = 0; c < cols; c++) out[c] = fr[c] > threshold ? 1.0f : out[c];
  }
}

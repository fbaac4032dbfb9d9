/*
 * A tiny fork-join pool for the native kernels: pool_run(fn, ctx, parts) runs fn(ctx, p, parts)
 * for every part p < parts, each exactly once, on the caller and the workers (whoever claims it
 * first), and returns when all are done. Workers spin for a short while after a job (the next
 * kernel of a training step follows within microseconds), then sleep on a condition variable,
 * so an idle pool costs no CPU.
 */
#ifndef SAE_POOL_H
#define SAE_POOL_H

#define POOL_MAX 8

typedef void (*pool_fn)(void *ctx, int part, int parts);

/* Threads in use, the caller included (1 = everything runs on the caller). */
int pool_threads(void);
/* Sets the thread count (1..POOL_MAX, the caller included); starts or stops workers. */
void pool_set_threads(int n);
/* How many parts a product is split into, whatever the thread count (1..POOL_MAX): OpenBLAS's
 * rounding can depend on a block's shape, so a fixed split makes the numbers the same on 1 thread
 * (a worker of a pool) as on several. */
int pool_partition(void);
void pool_set_partition(int n);
/* Runs the `parts` parts (at most 65535) of fn; all on the caller when another call is running. */
void pool_run(pool_fn fn, void *ctx, int parts);
/* [*lo, *hi): part `part` of `parts` of 0..n, cut at multiples of `align` (the last part takes the rest). */
void pool_split(int n, int part, int parts, int align, int *lo, int *hi);

#endif

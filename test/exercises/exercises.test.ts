import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { classMeans, selectivity } from '../../src/exercises/selectivity';
import { keepTopK, sparseCodeCurve, unitImportance, unitsForQuality, decodeMse } from '../../src/exercises/sparsecode';
import { ksvd } from '../../src/exercises/ksvd';
import { denseCodes, omp } from '../../src/exercises/omp';
import { PCA as MlPca } from 'ml-pca';
import { fitPca, pcaTransform } from '../../src/exercises/pca';
import { accuracy, predictProba, trainClassifier } from '../../src/exercises/softmax';
import type { EpochRecord } from '../../src/core/train';
import { createModel } from '../../src/core/sae';
import { Rng } from '../../src/runtime/random';
import { assertAllClose, assertClose, setup } from '../helpers';

test('class means and selectivity indices by hand', () => {
  // 4 samples, 2 units, 3 classes; labels 0, 0, 1, 2
  const acts = [1, 0.5, 3, 0.5, 0, 0.5, 0, 0.5];
  const { means, counts } = classMeans(acts, 2, [0, 0, 1, 2], 3);
  assert.deepEqual(counts, [2, 1, 1]);
  assertAllClose(means, [2, 0.5, 0, 0.5, 0, 0.5], 1e-12); // [class][unit]
  const s = selectivity(means, 2, 3);
  // unit 0: profile [2, 0, 0] -> preferred 0, top 2, rest 0 -> index 1; p = [1, 0, 0] -> entropy 0 -> 1
  assert.equal(s[0].preferred, 0);
  assertClose(s[0].index, 1, 1e-12);
  assertClose(s[0].entropyIndex, 1, 1e-12);
  // unit 1: flat [0.5, 0.5, 0.5] -> index 0, entropy log 3 -> 0
  assertClose(s[1].index, 0, 1e-12);
  assertClose(s[1].entropyIndex, 0, 1e-12);
  // profile [3, 1, 0]: top 3, rest 0.5 -> 2.5 / 3.5
  assertClose(selectivity(Float64Array.from([3, 1, 0]), 1, 3)[0].index, 2.5 / 3.5, 1e-12);
  assert.throws(() => classMeans(acts, 2, [0, 1, 2]), /4 rows of 2 but there are 3 labels/);
  assert.throws(() => classMeans(acts, 2, [0, 0, 1, 7], 3), /label 7 of sample 3 is not in \[0, 2\]/);
});

test('keepTopK keeps the k largest magnitudes of each row', () => {
  const codes = Float32Array.from([0.1, 0.9, 0.5, 0.3, /**/ -2, 1, 0, 0.5]);
  assert.deepEqual(Array.from(keepTopK(codes, 4, 2)), [0, 0.9, 0.5, 0, -2, 1, 0, 0].map(Math.fround));
  assert.deepEqual(Array.from(keepTopK(codes, 4, 0)), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(keepTopK(codes, 4, 4)), Array.from(codes));
  assert.throws(() => keepTopK(codes, 4, 5), /k must be an integer in \[0, 4\], got 5/);
});

test('sparse-code curve runs from the empty to the full code; importance matches a direct ablation', async () => {
  await setup();
  const model = createModel({ sparsity: 'l1', inputDim: 16, hiddenDim: 8, latentDim: 6 }, 2);
  const rng = new Rng(1);
  const images = Float32Array.from({ length: 5 * 16 }, () => rng.next());
  const codes = Float32Array.from({ length: 5 * 6 }, () => rng.next());
  const curve = sparseCodeCurve(model, codes, images, [2, 4]);
  assert.deepEqual(curve.map((p) => p.k), [0, 2, 4, 6]);
  assertClose(curve[0].quality, 0, 1e-12);
  assertClose(curve[3].quality, 1, 1e-12);
  assertClose(curve[3].mse, decodeMse(model, codes, images), 1e-9);
  assertClose(curve[0].mse, decodeMse(model, new Float32Array(30), images), 1e-9);
  const k90 = unitsForQuality(curve, 0.9);
  assert.ok(curve.find((p) => p.k === k90)!.quality >= 0.9);
  assert.ok(curve.filter((p) => p.k < k90).every((p) => p.quality < 0.9));
  const imp = unitImportance(model, codes, images);
  const ablate3 = Float32Array.from(codes, (v, i) => (i % 6 === 3 ? 0 : v));
  assertClose(imp[3], decodeMse(model, ablate3, images) - decodeMse(model, codes, images), 1e-6);
  model.dispose();
});

/** A random unit-norm dictionary and signals that are exact k-sparse combinations of it. */
function synthetic(seed: number, atoms: number, dim: number, n: number, k: number) {
  const rng = new Rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const D = new Float64Array(atoms * dim);
  for (let j = 0; j < atoms; j++) {
    let norm = 0;
    for (let t = 0; t < dim; t++) { D[j * dim + t] = gauss(); norm += D[j * dim + t] ** 2; }
    for (let t = 0; t < dim; t++) D[j * dim + t] /= Math.sqrt(norm);
  }
  const X = new Float64Array(n * dim);
  const supports: number[][] = [];
  for (let i = 0; i < n; i++) {
    const support = Array.from(rng.permutation(atoms).subarray(0, k));
    supports.push(support);
    for (const j of support) {
      const c = (rng.next() < 0.5 ? -1 : 1) * (1 + rng.next());
      for (let t = 0; t < dim; t++) X[i * dim + t] += c * D[j * dim + t];
    }
  }
  return { D, X, supports };
}

test('OMP recovers the exact support of k-sparse signals', () => {
  const { D, X, supports } = synthetic(7, 40, 64, 50, 4);
  const codes = omp(X, D, 64, 4);
  codes.forEach((c, i) => {
    assert.deepEqual([...c.support].sort((a, b) => a - b), [...supports[i]].sort((a, b) => a - b), `signal ${i}`);
    let norm2 = 0;
    for (let t = 0; t < 64; t++) norm2 += X[i * 64 + t] ** 2;
    assert.ok(c.residual < 1e-12 * norm2, `signal ${i}: residual ${c.residual} of ${norm2}`);
  });
  const dense = denseCodes(codes, 40);
  assert.equal(dense.filter((v) => v !== 0).length, 50 * 4);
  assert.throws(() => omp(X, D, 64, 0), /k must be an integer in \[1, 40\], got 0/);
});

test('K-SVD error falls every iteration and ends far below the start', () => {
  const { X } = synthetic(3, 24, 32, 300, 3);
  const r = ksvd(X, 32, { atoms: 24, sparsity: 3, iterations: 20, seed: 1 });
  console.log(`K-SVD mean squared error per iteration: ${r.errors.map((e) => e.toExponential(2)).join(' ')}`);
  for (let i = 1; i < r.errors.length; i++) {
    assert.ok(r.errors[i] <= r.errors[i - 1] * (1 + 1e-12), `iteration ${i}: ${r.errors[i]} > ${r.errors[i - 1]}`);
  }
  assert.ok(r.errors[r.errors.length - 1] < 0.25 * r.errors[0], 'K-SVD barely improved');
  for (let j = 0; j < 24; j++) {
    let norm = 0;
    for (let t = 0; t < 32; t++) norm += r.dictionary[j * 32 + t] ** 2;
    assertClose(norm, 1, 1e-9, `atom ${j} norm`);
  }
});

test('PCA recovers a known decomposition', () => {
  // Points on a plane in 3-D: x = a * u + b * v with var(a) >> var(b), u and v orthonormal.
  const u = [1 / Math.sqrt(2), 1 / Math.sqrt(2), 0];
  const v = [0, 0, 1];
  const rng = new Rng(5);
  const n = 400;
  const data = new Float64Array(n * 3);
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = 10 * (rng.next() - 0.5);
    const b = rng.next() - 0.5;
    as.push(a); bs.push(b);
    for (let t = 0; t < 3; t++) data[i * 3 + t] = 5 + a * u[t] + b * v[t];
  }
  const pca = fitPca(data, 3, 2);
  const sample = (xs: number[]) => { const m = xs.reduce((p, q) => p + q) / xs.length; return xs.reduce((p, q) => p + (q - m) ** 2, 0) / (xs.length - 1); };
  // Independent check: the sample covariance C, computed here, satisfies C c = lambda c.
  const mean = [0, 1, 2].map((t) => as.reduce((s2, _, i) => s2 + data[i * 3 + t], 0) / n);
  const C = [0, 1, 2].map((r) => [0, 1, 2].map((c) => {
    let s2 = 0;
    for (let i = 0; i < n; i++) s2 += (data[i * 3 + r] - mean[r]) * (data[i * 3 + c] - mean[c]);
    return s2 / (n - 1);
  }));
  for (let k = 0; k < 2; k++) {
    const vec = [0, 1, 2].map((t) => pca.components[k * 3 + t]);
    const cv = C.map((row) => row.reduce((s2, x, t) => s2 + x * vec[t], 0));
    assertAllClose(cv, vec.map((x) => pca.variances[k] * x), 1e-9, `component ${k}`);
    assertClose(vec.reduce((s2, x) => s2 + x * x, 0), 1, 1e-9);
  }
  // ... and the components are (close to) the directions the data was built from.
  assertClose(Math.abs(pca.components[0] * u[0] + pca.components[1] * u[1] + pca.components[2] * u[2]), 1, 1e-4);
  assertClose(Math.abs(pca.components[5]), 1, 1e-3); // second component = +-v
  assertClose(pca.variances[0], sample(as), 1e-2);
  assertClose(pca.explained[0] + pca.explained[1], 1, 1e-9);
  const z = pcaTransform(pca, data);
  const sign = Math.sign(pca.components[0] * u[0] + pca.components[1] * u[1]);
  const meanA = as.reduce((p, q) => p + q) / n;
  assertClose(z[0], sign * (as[0] - meanA), 1e-2);
});

test('the softmax classifier: probabilities sum to 1, separable classes are learned', async () => {
  await setup();
  const rng = new Rng(9);
  const n = 300;
  const x = new Float32Array(n * 2);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i] = c;
    x[i * 2] = [0, 5, 10][c] + rng.next();
    x[i * 2 + 1] = [10, 0, 5][c] + rng.next();
  }
  const before = tf.memory().numTensors;
  const clf = await trainClassifier(x, labels, 2, { classes: 3, epochs: 30, seed: 1 });
  assert.equal(tf.memory().numTensors, before, 'training leaks no tensors');
  assert.equal(accuracy(clf, x, labels), 1);
  const p = predictProba(clf, x.subarray(0, 2));
  assertClose(p[0] + p[1] + p[2], 1, 1e-6);
  // The probabilities are softmax(z) of z = standardised(x) W + b, computed by hand here.
  const z = [0, 1, 2].map((c) => clf.bias[c] + [0, 1].reduce((s, f) => s + ((x[f] - clf.mean[f]) / clf.std[f]) * clf.weights[f * 3 + c], 0));
  const ez = z.map(Math.exp);
  assertAllClose(p.subarray(0, 3), ez.map((e) => e / ez.reduce((a, b) => a + b)), 1e-5);
});

test('the softmax classifier trains through the one fit: each epoch records total = crossEntropy + l2 * squaredWeights', async () => {
  await setup();
  const rng = new Rng(3);
  const n = 120;
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
  const x = Float32Array.from({ length: n * 2 }, (_, k) => rng.next() + 4 * labels[k >> 1] * (k % 2));
  const records: EpochRecord[] = [];
  const before = tf.memory().numTensors;
  await trainClassifier(x, labels, 2, { classes: 3, epochs: 4, batchSize: 32, l2: 0.05, seed: 2, onEpoch: (r) => records.push(r) });
  assert.equal(tf.memory().numTensors, before, 'training leaks no tensors');
  assert.equal(records.length, 4);
  for (const r of records) {
    // Per batch total = ce + 0.05 sw, so the epoch means obey it too.
    assertClose(r.total, r.crossEntropy + 0.05 * r.squaredWeights, 1e-5, `epoch ${r.epoch} total`);
    assert.ok(r.squaredWeights > 0);
  }
  // W starts at 0, where every class has probability 1/3: the first epoch's mean is below ln 3 and it falls.
  assert.ok(records[0].crossEntropy < Math.log(3), `first epoch cross-entropy ${records[0].crossEntropy}`);
  assert.ok(records[3].crossEntropy < records[0].crossEntropy);
  await assert.rejects(trainClassifier(x, Uint8Array.from(labels, (y) => y + 1), 2, { classes: 3 }),
    /labels\[2\] = 3 is invalid: expected a class in \[0, 2\]/);
  await assert.rejects(trainClassifier(x.subarray(1), labels, 2), /not a whole number of rows of dim = 2/);
});


test('fitPca gives bitwise the numbers of ml-pca computing the covariance itself (its covarianceMatrix method)', () => {
  const rng = new Rng(9);
  const [n, dim] = [200, 20];
  // MNIST-like: many exact zeros, a few constant columns
  const data = Float64Array.from({ length: n * dim }, (_, i) => (i % dim < 3 ? 0 : Math.max(0, rng.uniform(-0.5, 1))));
  const ours = fitPca(data, dim, 8);
  const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * dim, (i + 1) * dim)));
  const theirs = new MlPca(rows, { method: 'covarianceMatrix', center: true, scale: false });
  const vectors = theirs.getEigenvectors();
  assert.deepEqual(ours.variances, theirs.getEigenvalues().slice(0, 8));
  for (let c = 0; c < 8; c++) {
    for (let j = 0; j < dim; j++) assert.equal(ours.components[c * dim + j], vectors.get(j, c), `component ${c}, value ${j}`);
  }
});

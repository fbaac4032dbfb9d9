/**
 * Adam (src/core/optim.ts): the bound that lets a step skip its check, the step written in place
 * against the same step written to new memory, and everything a step must leave alone: a refused
 * step's weights and moments, a clone of a weight, cpu arrays already handed out, and the wasm
 * backend's packed copies of a weight (XNNPACK's products).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { tf } from '../../src/runtime/backend';
import { loadNative, nativeEngine, useNative } from '../../src/runtime/native';
import { Adam } from '../../src/core/optim';
import { AdamAttrs, AdamKernels, floatOfBits, jsAdam, stepSurelyFinite } from '../../src/runtime/native/adam-bound';
import { ReferenceAdam } from '../../src/runtime/reference-adam';
import { engine, useEngine } from '../../src/runtime/engine';
import { availableBackends, setup, withBackend, withMode } from '../helpers';

const attrs = (lr: number, step = 1, epsilon = 1e-8): AdamAttrs => ({ lr, beta1: 0.9, beta2: 0.999, epsilon, step });

test('stepSurelyFinite: normal steps pass, and whatever it cannot bound is left to the check', () => {
  assert.equal(stepSurelyFinite(1, 1, 0, 0, attrs(1e-3)), true);
  assert.equal(stepSurelyFinite(10, 1e6, 1e5, 1e12, attrs(1e-3, 500)), true);
  // a first step moves p by up to lr / (1 - 0.9) * (0.1 g) / eps: 1e28 * 1e8 = 1e36 passes, 1e31 * 1e8 does not
  assert.equal(stepSurelyFinite(1, 1, 0, 0, attrs(1e28)), true);
  assert.equal(stepSurelyFinite(1, 1, 0, 0, attrs(1e31)), false);
  // lr 1e39: the float32 step size is infinite
  assert.equal(stepSurelyFinite(1, 1, 0, 0, attrs(1e39)), false);
  assert.equal(stepSurelyFinite(1, Infinity, 0, 0, attrs(1e-3)), false, 'an infinite gradient');
  assert.equal(stepSurelyFinite(NaN, 1, 0, 0, attrs(1e-3)), false, 'a NaN weight');
  assert.equal(stepSurelyFinite(1, 1, 0, Infinity, attrs(1e-3)), false, 'an infinite v from an earlier step');
  assert.equal(stepSurelyFinite(1, 1, 0, 0, attrs(1e-3, 1, 0)), false, 'eps 0: 0 / 0 is possible');
  assert.equal(stepSurelyFinite(1, 1, 0, 0, attrs(1e-3, 1, 1e-40)), false, 'a subnormal eps, which the native loop reads as 0');
  assert.equal(stepSurelyFinite(1, 1, 0, 0, { ...attrs(1e-3), beta2: -1e-50 }), false, 'a beta2 below 0 that rounds to -0');
  assert.equal(stepSurelyFinite(1, 1, 0, 0, { ...attrs(1e-3), beta2: 1 }), false, 'beta2 1: 1 / sqrt(0)');
  assert.equal(stepSurelyFinite(3e38, 0, 0, 0, attrs(1e-3)), false, 'a weight near float32\'s largest');
});

/** Arrays of every sign combination of the extremes: p = +-P, g in {G, -G, 0}, m in {M, -M, 0}, v in {0, V}. */
function extremes(P: number, G: number, M: number, V: number): Float32Array[] {
  const rows: number[][] = [];
  for (const p of [P, -P]) for (const g of [G, -G, 0]) for (const m of [M, -M, 0]) for (const v of [0, V]) rows.push([p, m, v, g]);
  return [0, 1, 2, 3].map((c) => Float32Array.from(rows, (r) => r[c]));
}

test('stepSurelyFinite is sound: every step it passes gives finite weights (native and JavaScript), and most normal steps pass', () => {
  const native = loadNative();
  const kernels: [string, AdamKernels][] = [['js', jsAdam]];
  if (native?.adamStep !== undefined) kernels.push(['native', native as AdamKernels]);
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const logUniform = (lo: number, hi: number) => Math.fround(10 ** (lo + (hi - lo) * rand()));
  let passed = 0;
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    // magnitudes from tiny to near float32's overflow, so that both answers occur
    const P = logUniform(-3, 38.5);
    const G = logUniform(-8, 38.5);
    const M = logUniform(-8, 38.5);
    const V = logUniform(-8, 38.5);
    const a = attrs(logUniform(-6, 36), 1 + Math.floor(rand() * 1000), logUniform(rand() < 0.1 ? -45 : -12, 0)); // subnormal eps too
    const surely = stepSurelyFinite(P, G, M, V, a);
    for (const [name, k] of kernels) {
      const [p, m, v, g] = extremes(P, G, M, V);
      const bad = k.adamStep([p, m, v, g, p], a.lr, a.beta1, a.beta2, a.epsilon, a.step, null);
      if (surely) assert.equal(bad, 0, `${name}: passed P ${P} G ${G} M ${M} V ${V} ${JSON.stringify(a)}, yet ${bad} weights are not finite`);
      if (bad > 0) refused += 1;
    }
    if (surely) passed += 1;
  }
  assert.ok(passed > 300, `only ${passed} of 3000 passed`);
  assert.ok(refused > 300, `only ${refused} steps would overflow: the sample does not test the bound`);
  // the lesson's scale: weights ~1, gradients ~1e-3..10, Adam's defaults
  for (let i = 0; i < 200; i++) {
    assert.equal(stepSurelyFinite(logUniform(-2, 1), logUniform(-6, 1), logUniform(-6, 1), logUniform(-12, 2), attrs(1e-3, 1 + i)), true);
  }
});

/**
 * Three steps of Adam on a copy of `init`, with or without a reshaped view of the weight alive
 * during each step (a reshape shares the weight's memory on every backend: it must keep its
 * values); for each step, whether it kept the weight's memory (its dataId: changed in place) and
 * whether it could (wasm, and the backend's reference count of that memory 1).
 */
function threeSteps(init: tf.Tensor, name: string, hold: boolean) {
  const w = tf.tidy(() => tf.variable(init.clone(), true, name));
  const opt = new Adam(0.01);
  const before = tf.memory().numTensors;
  const kept: boolean[] = [];
  const alone: boolean[] = [];
  const backend = tf.engine().backend as unknown as { refCount(id: unknown): number };
  for (let t = 0; t < 3; t++) {
    const g = tf.tidy(() => tf.sin(tf.mul(w, 3 + t)));
    const held = hold ? tf.reshape(w, [-1]) : null;
    const heldBefore = held === null ? null : Array.from(w.dataSync());
    const id = w.dataId;
    alone.push(tf.getBackend() === 'wasm' && backend.refCount(id) === 1);
    assert.equal(opt.applyGradients({ [name]: g }), true);
    kept.push(w.dataId === id);
    if (held !== null) assert.deepEqual(Array.from(held.dataSync()), heldBefore, `${name}, step ${t + 1}: the view keeps its values`);
    tf.dispose([g, held as tf.Tensor]);
  }
  assert.equal(tf.memory().numTensors, before, `${name}: no tensor leaks`);
  const values = Array.from(w.dataSync());
  w.dispose();
  opt.dispose();
  return { values, kept, alone };
}

test('Adam in place gives the same weights, bit for bit, as Adam into new memory, and a view keeps its values', async () => {
  await setup();
  // In place is the native engine's, on wasm and cpu; the reference engine runs Adam as tf ops (reference-adam.ts, tested below).
  for (const backend of (await availableBackends()).filter((b) => b === 'wasm' || b === 'cpu')) {
    for (const native of nativeEngine.runsOn(backend) ? [true] : []) {
      await withMode(backend, 'native', () => {
        const what = `${backend}, native ${native}`;
        const init = tf.randomNormal([40, 30], 0, 1, 'float32', 7);
        const initValues = Array.from(init.dataSync());
        const alone = threeSteps(init, `alone-${backend}-${native}`, false);
        const shared = threeSteps(init, `shared-${backend}-${native}`, true);
        // In place exactly where no other tensor shares the memory, on wasm only (cpu's dataSync()
        // hands out a tensor's own array); the first weight may still share init's memory.
        assert.deepEqual(alone.kept, alone.alone, `${what}: in place where alone`);
        assert.deepEqual(alone.kept.slice(1), [backend === 'wasm', backend === 'wasm'], `${what}: steps 2 and 3 in place`);
        assert.deepEqual(shared.kept, [false, false, false], `${what}: new memory under a view`);
        assert.deepEqual(alone.values, shared.values, `${what}: in place vs new memory`);
        assert.deepEqual(Array.from(init.dataSync()), initValues, `${what}: init is unchanged`);
        assert.notDeepEqual(alone.values, initValues, 'the steps changed the weight');
        init.dispose();
      });
    }
  }
});

test('a gradient that is the variable itself: new memory, the same step as with a copy of it', async () => {
  await setup();
  for (const backend of await availableBackends()) {
    await withBackend(backend, () => {
      const [w, u] = ['self-w', 'self-u'].map((name) => tf.tidy(() => tf.variable(tf.tensor1d([0.5, -2, 3]), true, `${name}-${backend}`)));
      const copy = u.clone();
      const [a, b] = [new Adam(0.1), new Adam(0.1)];
      const before = tf.memory().numTensors;
      assert.equal(a.applyGradients({ [w.name]: w }), true);
      assert.equal(b.applyGradients({ [u.name]: copy }), true);
      // The native path keeps its moments in plain arrays; Adam in tf ops (tensorflow) keeps m and v as tensors.
      const moments = backend === 'wasm' || backend === 'cpu' ? 0 : 4;
      assert.equal(tf.memory().numTensors, before + moments, `${backend}: no tensor leaks`);
      assert.deepEqual(Array.from(w.dataSync()), Array.from(u.dataSync()), backend);
      tf.dispose([w, u, copy]);
      a.dispose();
      b.dispose();
    });
  }
});

test('Adam refuses settings PyTorch refuses, and an epsilon the native loop would read as 0', () => {
  assert.throws(() => new Adam(-1e-3), /Adam\.learningRate = -0\.001 is invalid: expected a finite number >= 0/);
  assert.throws(() => new Adam(NaN), /learningRate = NaN is invalid/);
  assert.throws(() => new Adam(1e-3, 1), /beta1 = 1 is invalid: expected 0 <= beta1 < 1/);
  assert.throws(() => new Adam(1e-3, 0.9, -1e-50), /beta2 = -1e-50 is invalid: expected 0 <= beta2 < 1/);
  assert.throws(() => new Adam(1e-3, 0.9, 0.999, 1e-40), /epsilon = 1e-40 is invalid: expected a finite number >= 1\.17549\d+e-38/);
  assert.doesNotThrow(() => new Adam(0, 0, 0, 2 ** -126));
});

test('a refused step changes no weight and no moment; the next step is a first step', async () => {
  await setup();
  for (const backend of await availableBackends()) {
    await withBackend(backend, () => {
      // made in a tidy, so that the variable alone holds its memory and wasm steps it in place
      const w = tf.tidy(() => tf.variable(tf.tensor1d([0.5, -0.25, 1]), true, `refused-${backend}`));
      const opt = new Adam(0.1);
      const nan = tf.tensor1d([1, NaN, 0.5]);
      assert.equal(opt.applyGradients({ [w.name]: nan }), false);
      assert.deepEqual(Array.from(w.dataSync()), [0.5, -0.25, 1]);
      const g = tf.tensor1d([1, -1, 0.5]);
      const id = w.dataId;
      assert.equal(opt.applyGradients({ [w.name]: g }), true);
      assert.equal(w.dataId === id, backend === 'wasm', `${backend}: the step was in place on wasm only`);
      // a first Adam step moves every weight by lr against the gradient's sign: m / sqrt(v) = g / |g|
      const got = Array.from(w.dataSync());
      [0.4, -0.15, 0.9].forEach((want, i) => assert.ok(Math.abs(got[i] - want) < 1e-6, `${backend} w[${i}]: ${got[i]} vs ${want}`));
      tf.dispose([w, nan, g]);
      opt.dispose();
    });
  }
});

test('on cpu, an array that dataSync() handed out before a step keeps its values', async () => {
  await setup();
  await withBackend('cpu', () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]), true, 'cpu-handed-out');
    const opt = new Adam(0.1);
    const before = w.dataSync();
    const g = tf.tensor1d([1, 1, 1]);
    opt.applyGradients({ [w.name]: g });
    assert.deepEqual(Array.from(before), [1, 2, 3]);
    assert.ok(Math.abs(w.dataSync()[0] - 0.9) < 1e-6);
    tf.dispose([w, g]);
    opt.dispose();
  });
});

test('wasm: a product by tfjs\'s own kernel sees the weight a step changed in place', async (t) => {
  const main = await setup();
  if (main !== 'wasm') return t.skip('the kit runs on another backend here');
  if (!nativeEngine.runsOn('wasm')) return t.skip(`the native engine (Adam in place) does not run here: ${nativeEngine.whyNot()}`);
  // The products by tfjs's own kernel (XNNPACK) are the reference engine's; the step in place is the native engine's.
  await withMode('wasm', 'reference', () => {
    const x = tf.randomNormal([5, 20], 0, 1, 'float32', 1);
    const w = tf.tidy(() => tf.variable(tf.randomNormal([20, 8], 0, 1, 'float32', 2), true, 'xnnpack-weight'));
    const opt = new Adam(0.1);
    const g = tf.onesLike(w);
    tf.tidy(() => tf.matMul(x, w).dataSync()); // XNNPACK packs w and keeps it under w's id
    const id = w.dataId;
    useEngine('native');
    assert.equal(engine().name, 'native');
    opt.applyGradients({ [w.name]: g });
    useEngine('reference');
    assert.equal(engine().name, 'reference');
    assert.equal(w.dataId, id, 'the step changed w in place');
    const fresh = tf.tensor(w.dataSync(), w.shape); // the new values under a new id
    const got = tf.matMul(x, w);
    const want = tf.matMul(x, fresh);
    assert.deepEqual(Array.from(got.dataSync()), Array.from(want.dataSync()));
    tf.dispose([x, w, g, fresh, got, want]);
    opt.dispose();
  });
  useNative(true);
});

test('wasm: a weight and gradient made on cpu move to the wasm heap before the step reads them, even when the heap must grow', async (t) => {
  const main = await setup();
  if (main !== 'wasm') return t.skip('the kit runs on another backend here');
  const heap = () => (tf.findBackend('wasm') as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
  const n = heap() / 4; // together, twice the heap's size now
  const [w, g] = await withBackend('cpu', () => [
    tf.tidy(() => tf.variable(tf.fill([n], 0.5), true, 'moved-w')), tf.fill([n], 1)]);
  const before = heap();
  await withBackend('wasm', () => {
    const opt = new Adam(0.1);
    assert.equal(opt.applyGradients({ [w.name]: g }), true);
    const v = w.dataSync();
    assert.ok(Math.abs(v[0] - 0.4) < 1e-6 && Math.abs(v[n - 1] - 0.4) < 1e-6, `${v[0]}, ${v[n - 1]}`);
    opt.dispose();
  });
  assert.ok(heap() > before, 'the heap grew');
  tf.dispose([w, g]);
});

test('Adam names a gradient that does not fit its variable', async () => {
  await setup();
  const w = tf.variable(tf.zeros([3, 2]), true, 'misfit');
  const g = tf.zeros([2, 2]);
  const opt = new Adam(0.1);
  assert.throws(() => opt.applyGradients({ [w.name]: g }), /the gradient of misfit is float32 \[2,2\], expected float32 \[3,2\]/);
  assert.throws(() => opt.applyGradients({ nothing: g }), /no variable named nothing/);
  tf.dispose([w, g]);
  opt.dispose();
});

test('floatOfBits reads float32 bits', () => {
  assert.equal(floatOfBits(0x3f800000), 1);
  assert.equal(floatOfBits(0x7f800000), Infinity);
  assert.ok(Number.isNaN(floatOfBits(0x7fc00000)));
});

test('the reference engine\'s Adam (tf ops) takes the native step to float32 precision over 20 steps, and refuses the same overflow', async () => {
  await setup();
  await withBackend('cpu', () => {
    const shape = [30, 20];
    const w1 = tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 3), true, 'ops-native'));
    const w2 = tf.tidy(() => tf.variable(w1.clone(), true, 'ops-tf'));
    const native = new Adam(1e-2);
    const ops = new ReferenceAdam({ learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const before = tf.memory().numTensors;
    for (let step = 1; step <= 20; step++) {
      const g = tf.randomNormal(shape, 0, 1 + step, 'float32', 100 + step);
      assert.equal(native.applyGradients({ [w1.name]: g }), true);
      assert.equal(ops.apply(step, [w2.name], [w2], { [w2.name]: g }), true);
      g.dispose();
    }
    const [a, b] = [w1.dataSync(), w2.dataSync()];
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 4e-7 * Math.max(1, Math.abs(a[i])), `entry ${i}: ${a[i]} vs ${b[i]}`);
    assert.equal(tf.memory().numTensors, before + 2, 'two moments kept, nothing else');
    // lr 3e38: the step size lr / (1 - 0.9) overflows float32 in both, so both refuse the first step.
    const keep = Array.from(w2.dataSync());
    const g = tf.onesLike(w2);
    assert.equal(new Adam(3e38).applyGradients({ [w1.name]: g }), false);
    const big = new ReferenceAdam({ learningRate: 3e38, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    assert.equal(big.apply(1, [w2.name], [w2], { [w2.name]: g }), false);
    assert.deepEqual(Array.from(w2.dataSync()), keep, 'a refused step changes nothing');
    tf.dispose([g, w1, w2]);
    ops.dispose();
    big.dispose();
    native.dispose();
  });
});

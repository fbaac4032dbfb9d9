/**
 * The amortisation gap's scores: the truth as the dictionary with the true coefficients as codes
 * (FVU ~0, precision and recall 1), all-zero codes (FVU 1, recall 0), a permuted dictionary's
 * pooled precision, recall and FVU worked by hand, OMP's FVU against the kit's omp residuals, the
 * bias and the atoms' scale changing nothing, trainPlanted keeping a dictionary whose encoder FVU
 * is scoreSae's, and bad shapes named.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Rng } from '../../src/runtime/random';
import { standardNormal } from '../../src/truth/gaussian';
import { plantedModel } from '../../src/truth/planted';
import { samplePlanted } from '../../src/truth/planted-sample';
import { omp } from '../../src/exercises/omp';
import { amortisation, AmortisationInput, MethodScores } from '../../src/truth/amortisation';
import { trainPlanted } from '../../src/truth/sweep';
import { setup } from '../helpers';
import { smallPlanted } from './small-planted';

const model = plantedModel({ n: 32, d: 64, l0: 3, seed: 1 });
const sample = samplePlanted(model, 300, 2);
const perfect: AmortisationInput = { decoderRows: model.features, signals: sample.x, codes: sample.coefficients, d: 64, k: 3,
  truth: { features: model.features, coefficients: sample.coefficients } };

const byMethod = (methods: MethodScores[]) => Object.fromEntries(methods.map((m) => [m.method, m]));

test('the truth as the dictionary, the true coefficients as codes: FVU ~0, precision and recall 1, L0 the true L0', () => {
  const r = amortisation(perfect);
  assert.deepEqual(r.methods.map((m) => m.method), ['encoder', 'OMP', 'FISTA', 'FISTA+refit']);
  const e = byMethod(r.methods).encoder;
  assert.ok(e.fvu < 1e-10, `encoder FVU ${e.fvu}`); // x was rounded to float32 once
  assert.deepEqual([e.precision, e.recall], [1, 1]);
  let fired = 0;
  for (const v of sample.coefficients) if (v !== 0) fired += 1;
  assert.equal(e.l0, fired / 300);
  assert.equal(r.count, 300);
  for (const m of r.methods) assert.ok(m.l0 <= 3 + 1e-12, `${m.method}: L0 ${m.l0} above k`);
});

test('all-zero codes, the bias at the mean signal: FVU 1, recall 0, L0 0, precision undefined (NaN)', () => {
  const mean = new Float64Array(64);
  for (let i = 0; i < 300; i++) for (let t = 0; t < 64; t++) mean[t] += sample.x[i * 64 + t] / 300;
  const e = byMethod(amortisation({ ...perfect, codes: new Float32Array(300 * 32), bias: mean }).methods).encoder;
  assert.ok(Math.abs(e.fvu - 1) < 1e-12, `FVU ${e.fvu}`);
  assert.equal(e.recall, 0);
  assert.equal(e.l0, 0);
  assert.ok(Number.isNaN(e.precision));
});

test('a permuted dictionary: pooled precision and recall and the FVU, by hand', () => {
  const eye = Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0));
  // decoder row j is true feature [2, 0, 3, 1][j]
  const rows = Float32Array.from([0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
  const coefficients = Float32Array.from([1, 2, 0, 0, 0, 0, 1.5, 0]); // sample 0: features 0, 1; sample 1: feature 2
  // sample 0: latent 1 (feature 0, right), latent 2 (feature 3, wrong); sample 1: latent 0 (feature 2, right),
  // latents 3 and 1 (features 1 and 0, wrong): 2 right of 5 named, 2 of 3 fired.
  const codes = Float32Array.from([0, 1, 0.5, 0, 1.5, 0.1, 0, 0.2]);
  const input = { decoderRows: rows, signals: coefficients, codes, d: 4, k: 2, truth: { features: eye, coefficients } };
  const e = byMethod(amortisation(input).methods).encoder;
  assert.ok(Math.abs(e.precision - 2 / 5) < 1e-15 && Math.abs(e.recall - 2 / 3) < 1e-15, `precision ${e.precision}, recall ${e.recall}`);
  // x_hat: (1, 0, 0, 0.5) and (0.1, 0.2, 1.5, 0); |x - x_hat|^2 = 4.25 + 0.05; mean x (0.5, 1, 0.75, 0), sum of squares 2 x 1.8125
  assert.ok(Math.abs(e.fvu - 4.3 / 3.625) < 1e-7, `FVU ${e.fvu}`);
  assert.equal(e.l0, 2.5);
  const given = byMethod(amortisation({ ...input, truth: { ...input.truth, latentOf: Int32Array.from([1, 3, 0, 2]) } }).methods).encoder;
  assert.deepEqual([given.precision, given.recall], [e.precision, e.recall]);
});

/** A random unit-norm dictionary [latents, d] and a TopK-like code of each signal: the k largest of relu(D x). */
function randomCase(latents: number, d: number, k: number, x: Float32Array, seed: number) {
  const rng = new Rng(seed);
  const rows = new Float64Array(latents * d);
  for (let j = 0; j < latents; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) { rows[j * d + t] = standardNormal(rng); s += rows[j * d + t] ** 2; }
    for (let t = 0; t < d; t++) rows[j * d + t] /= Math.sqrt(s);
  }
  const count = x.length / d;
  const codes = new Float64Array(count * latents);
  for (let i = 0; i < count; i++) {
    const a = Array.from({ length: latents }, (_, j) => { let s = 0; for (let t = 0; t < d; t++) s += rows[j * d + t] * x[i * d + t]; return s; });
    const top = a.map((v, j) => [v, j]).sort((p, q) => q[0] - p[0]).slice(0, k);
    for (const [v, j] of top) if (v > 0) codes[i * latents + j] = v;
  }
  return { rows, codes };
}

test("OMP's FVU is the one of the kit's omp residuals; a bias and the atoms' scale change nothing", () => {
  const { rows, codes } = randomCase(48, 64, 4, sample.x, 5);
  const input: AmortisationInput = { ...perfect, decoderRows: rows, codes, k: 4 };
  const r = byMethod(amortisation(input).methods);
  const greedy = omp(Float64Array.from(sample.x), rows, 64, 4);
  const mean = new Float64Array(64);
  for (let i = 0; i < 300; i++) for (let t = 0; t < 64; t++) mean[t] += sample.x[i * 64 + t] / 300;
  let total = 0;
  for (let i = 0; i < 300; i++) for (let t = 0; t < 64; t++) total += (sample.x[i * 64 + t] - mean[t]) ** 2;
  const want = greedy.reduce((s, c) => s + c.residual, 0) / total;
  assert.ok(Math.abs(r.OMP.fvu - want) < 1e-9, `OMP FVU ${r.OMP.fvu}, from omp ${want}`);

  // x + b with bias b codes exactly like x; rows times 2 with codes halved is the same dictionary.
  const b = Float64Array.from({ length: 64 }, (_, t) => Math.sin(t));
  const shifted = Float64Array.from(sample.x, (v, i) => v + b[i % 64]);
  const scaled = { ...input, decoderRows: rows.map((v) => 2 * v), codes: codes.map((v) => v / 2) };
  for (const [label, other] of [['bias', { ...input, signals: shifted, bias: b }], ['scale', scaled]] as const) {
    const o = byMethod(amortisation(other).methods);
    for (const m of Object.keys(r)) {
      assert.ok(Math.abs(o[m].fvu - r[m].fvu) < 1e-9 && o[m].l0 === r[m].l0 && o[m].recall === r[m].recall, `${label}, ${m}`);
    }
  }
});

test('trainPlanted keeps the dictionaries it is asked to; their encoder FVU and L0 are scoreSae\'s', async () => {
  await setup();
  const { planted, train, test } = smallPlanted();
  const rows = await trainPlanted([
    { method: 'TopK', label: 'k 2', options: { activation: 'topk', k: 2, latentDim: 12 } },
    { method: 'ReLU + L1', label: 'lambda 0.01', options: { activation: 'relu', sparsityWeight: 0.01, latentDim: 12 } },
  ], train, planted, test, { cap: 10, stopGain: 0.05, batchSize: 128, learningRate: 3e-3, seed: 4, keep: (s) => s.method === 'TopK' });
  assert.equal(rows[1].dictionary, undefined);
  const kept = rows[0].dictionary!;
  assert.deepEqual([kept.decoderRows.length, kept.bias.length, kept.codes.length], [12 * 8, 8, 256 * 12]);
  const r = byMethod(amortisation({ decoderRows: kept.decoderRows, bias: kept.bias, signals: test.x, codes: kept.codes, d: 8, k: 2,
    truth: { features: planted.features, coefficients: test.coefficients } }).methods);
  assert.ok(Math.abs(r.encoder.fvu - rows[0].fvu) < 1e-5 * Math.max(1, rows[0].fvu), `encoder FVU ${r.encoder.fvu}, scoreSae ${rows[0].fvu}`);
  assert.ok(Math.abs(r.encoder.l0 - rows[0].l0) < 1e-12);
});

test('bad shapes are named', () => {
  assert.throws(() => amortisation({ ...perfect, codes: new Float32Array(300 * 31) }),
    /amortisation: the encoder codes holds 9300 values, but rows x cols = 300 x 32 = 9600/);
  assert.throws(() => amortisation({ ...perfect, decoderRows: new Float32Array(65) }), /amortisation: the decoder rows holds 65 values, not a whole number/);
  assert.throws(() => amortisation({ ...perfect, bias: new Float64Array(3) }), /the bias holds 3 values; expected d = 64/);
  assert.throws(() => amortisation({ ...perfect, k: 0 }), /k = 0 is invalid: expected an integer in \[1, 32\]/);
  assert.throws(() => amortisation({ ...perfect, truth: { features: model.features, coefficients: new Float32Array(10) } }),
    /amortisation: the true coefficients holds 10 values, but rows x cols = 300 x 32 = 9600/);
  assert.throws(() => amortisation({ ...perfect, truth: { ...perfect.truth!, latentOf: new Int32Array(3) } }), /latentOf holds 3 values; expected one per true feature \(n = 32\)/);
});

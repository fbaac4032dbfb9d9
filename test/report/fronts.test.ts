import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  penaltySweeps, sweepFronts, frontTable, modelCountLine, fvuAboveOneLines, frontCurve, matchedFronts, matchedTable,
  lowestFvuLine, budgetLines,
} from '../../src/report/fronts';
import type { FrontRow } from '../../src/report/fronts';
import type { DictSaeTask } from '../../src/store/dictsae-pool';
import type { Dataset } from '../../src/data/mnist';

const sweeps = penaltySweeps({ relu: [1e-3, 1e-2], kl: [0.05, 0.1], topk: [8, 16] });

test('penaltySweeps: the grids, their configs and how each knob steps', () => {
  const [l1, kl, topk] = [sweeps['ReLU + L1'], sweeps['sigmoid + KL'], sweeps.TopK];
  assert.deepEqual(Object.keys(sweeps), ['ReLU + L1', 'sigmoid + KL', 'TopK']);
  assert.deepEqual(l1.start[0], { label: 'lambda 0.001', knob: 1e-3, config: { activation: 'relu', sparsityWeight: 1e-3 } });
  assert.equal(l1.sparser(l1.start[1]).label, 'lambda 0.03');
  assert.equal(l1.denser(256)(l1.start[0]).label, 'lambda 0.00033');
  assert.deepEqual(kl.start[0].config, { activation: 'sigmoid', rho: 0.05, sparsityWeight: 0.1 });
  assert.equal(kl.sparser(kl.start[0]).label, 'rho 0.017');
  assert.equal(kl.denser(256)({ ...kl.start[1], knob: 0.3 }).label, 'rho 0.5');
  assert.deepEqual(topk.start[0].config, { activation: 'topk', k: 8, auxK: 64 });
  assert.equal(topk.sparser({ ...topk.start[0], knob: 1 }).label, 'k 1');
  assert.equal(topk.denser(20)(topk.start[1]).label, 'k 20');
});

test('penaltySweeps with the three newer kinds: BatchTopK and Matryoshka step k as TopK, JumpReLU steps lambda as L1', async () => {
  const all = penaltySweeps({ relu: [1e-3], kl: [0.05], topk: [8], batchtopk: [4, 8], jumprelu: [1e-3], matryoshka: [8] });
  assert.deepEqual(Object.keys(all), ['ReLU + L1', 'sigmoid + KL', 'TopK', 'BatchTopK', 'JumpReLU', 'Matryoshka BatchTopK']);
  const [b, j, mat] = [all.BatchTopK, all.JumpReLU, all['Matryoshka BatchTopK']];
  assert.deepEqual(b.start[0].config, { activation: 'batchtopk', k: 4, auxK: 64 });
  assert.equal(b.sparser(b.start[0]).label, 'k 2');
  assert.equal(b.denser(10)(b.start[1]).label, 'k 10');
  assert.deepEqual(j.start[0].config, { activation: 'jumprelu', sparsityWeight: 1e-3 });
  assert.equal(j.sparser(j.start[0]).label, 'lambda 0.003');
  assert.equal(j.denser(256)(j.start[0]).label, 'lambda 0.00033');
  // Matryoshka's prefixes follow the data set's latent count: sweepFronts asks for them with it.
  const asked: DictSaeTask[] = [];
  const pool = { measure: async (task: DictSaeTask) => {
    asked.push(task);
    return { l0: (task.options as { k: number }).k, fvu: 0.5, fvuRaw: 0.5, seconds: 1, finalLoss: 0, epochs: 1, lastGain: 0 };
  } };
  const set = (latent: number) => ({ train: { dim: 10 } as Dataset, test: {} as Dataset, latent });
  await sweepFronts(pool, { small: set(96), large: set(512) }, { 'Matryoshka BatchTopK': mat },
    { lowest: 8, highest: 8, extraPerEnd: 0, deadAfter: 50, train: { epochs: 1 } });
  assert.deepEqual(asked.map((t) => [t.title, (t.options as { prefixes: number[] }).prefixes]), [
    ['small: Matryoshka BatchTopK, k 8', [12, 24, 48, 96]], ['large: Matryoshka BatchTopK, k 8', [64, 128, 256, 512]]]);
  assert.deepEqual(asked[0].options, { inputDim: 10, latentDim: 96, deadAfter: 50, activation: 'batchtopk', k: 8, auxK: 64,
    prefixes: [12, 24, 48, 96] });
});

const row = (data: string, method: string, setting: string, l0: number, fvu: number, fvuRaw = fvu, added = false,
  epochs = 1, lastGain = 1): FrontRow => ({ data, method, setting, l0, fvu, fvuRaw, added, epochs, lastGain });

test('sweepFronts: every sweep of every set, grid first, rounded, additions marked', async () => {
  const asked: DictSaeTask[] = [];
  // L0 falls with the knob for L1, rises for KL and TopK: a fake pool, no training.
  const pool = { measure: async (task: DictSaeTask) => {
    asked.push(task);
    const o = task.options as { activation: string; sparsityWeight?: number; rho?: number; k?: number };
    const l0 = o.activation === 'relu' ? 0.08 / o.sparsityWeight! : o.activation === 'sigmoid' ? 400 * o.rho! : o.k!;
    return { l0: l0 + 1e-4, fvu: 1 / l0 + 1e-6, fvuRaw: 0.5 / l0, seconds: 1, finalLoss: 0, epochs: 1, lastGain: 1 };
  } };
  const set = { train: { dim: 784 } as Dataset, test: {} as Dataset, latent: 32 };
  const rows = await sweepFronts(pool, { pixels: set }, sweeps,
    { lowest: 4, highest: 32, extraPerEnd: 2, deadAfter: 200, train: { epochs: 1 }, stopGain: 0.01 });
  assert.deepEqual(rows.map((r) => `${r.method}: ${r.setting}${r.added ? ' +' : ''}`), [
    // L1's densest start (L0 80) is past 32 already; TopK's k 4 measures L0 4.0001, not yet 4.
    'ReLU + L1: lambda 0.001', 'ReLU + L1: lambda 0.01', 'ReLU + L1: lambda 0.03 +',
    'sigmoid + KL: rho 0.05', 'sigmoid + KL: rho 0.1', 'sigmoid + KL: rho 0.017 +', 'sigmoid + KL: rho 0.0057 +',
    'TopK: k 8', 'TopK: k 16', 'TopK: k 4 +', 'TopK: k 2 +', 'TopK: k 32 +',
  ]);
  assert.deepEqual(rows[0], row('pixels', 'ReLU + L1', 'lambda 0.001', 80, 0.0125, 0.0063));
  const first = asked.find((t) => t.title === 'pixels: TopK, k 8')!;
  assert.deepEqual(first, { data: 'pixels', options: { inputDim: 784, latentDim: 32, deadAfter: 200, activation: 'topk', k: 8, auxK: 64 },
    seed: 42, train: { epochs: 1 }, stopGain: 0.01, title: 'pixels: TopK, k 8' });
  assert.equal(modelCountLine(rows, { lowest: 4, highest: 32 }, { cap: 2, stepsPerEpoch: 24 }),
    '12 models (6 settings added beyond the starting grids to reach L0 4 and 32), 2 epochs each (24 steps an epoch).');
  assert.equal(modelCountLine(rows, { lowest: 4, highest: 32 }, { cap: 15, stopGain: 0.01, stepsPerEpoch: 469 }),
    '12 models (6 settings added beyond the starting grids to reach L0 4 and 32), each trained until an epoch ' +
    'changed its training loss by less than 1% either way, at most 15 epochs (469 steps an epoch).');
});

test('budgetLines: the models the rule stopped and those at the cap, per data set and method', () => {
  const rows = [row('a', 'TopK', 'k 4', 4, 0.3, 0.3, false, 6, 0.008), row('a', 'TopK', 'k 8', 8, 0.2, 0.2, false, 9, 0.009),
    row('a', 'sigmoid + KL', 'rho 0.05', 20, 0.8, 0.13, false, 15, 0.0712), row('a', 'sigmoid + KL', 'rho 0.1', 30, 0.7, 0.1, false, 15, 0.021),
    row('a', 'sigmoid + KL', 'rho 0.01', 2, 0.9, 0.5, false, 11, 0.004), row('b', 'TopK', 'k 4', 4, 0.3, 0.3, false, 15, 0.01),
    row('c', 'TopK', 'k 4', 4, 0.3, 0.3, false, 15, -0.07)];
  assert.deepEqual(budgetLines(rows, { cap: 15, stopGain: 0.01, stepsPerEpoch: 469 }), [
    'a, TopK: of 2 models, 2 flattened after 6-9 epochs.',
    'a, sigmoid + KL: of 3 models, 1 flattened after 11 epochs; 2 ran to the cap of 15 epochs, the last one still changing the loss by 2.1%-7.1%.',
    // a gain of exactly the rule's 1% does not stop training
    'b, TopK: of 1 model, 1 ran to the cap of 15 epochs, the last one still changing the loss by 1.0%.',
    // a loss that rose by 7% has not flattened
    'c, TopK: of 1 model, 1 ran to the cap of 15 epochs, the last one still changing the loss by -7.0%.',
  ]);
});

test('frontTable and fvuAboveOneLines', () => {
  const rows = [row('a', 'TopK', 'k 4', 4, 1.2, 0.9), row('a', 'TopK', 'k 8', 8, 1.1, 0.8), row('b', 'ReLU + L1', 'x', 2, 1.5, 1.5)];
  assert.deepEqual(frontTable(rows)[0], { data: 'a', method: 'TopK', setting: 'k 4', L0: 4, FVU: 1.2, 'FVU, raw code': 0.9,
    epochs: 1, 'last epoch gain': '100.0%' });
  assert.deepEqual(fvuAboveOneLines(rows), [
    '3 of 3 models have an FVU above 1 (worse than predicting the mean input): a, TopK: 2; b, ReLU + L1: 1.',
    '1 of 3 models have an FVU with the raw code above 1 (worse than predicting the mean input): b, ReLU + L1: 1.',
  ]);
  assert.equal(fvuAboveOneLines([row('a', 'TopK', 'k 4', 4, 0.5)])[0],
    '0 of 1 models have an FVU above 1 (worse than predicting the mean input).');
});

test('frontCurve, matchedFronts, matchedTable and lowestFvuLine', () => {
  const rows = [
    row('a', 'TopK', 'k 8', 8, 0.4), row('a', 'TopK', 'k 4', 4, 0.6),
    row('a', 'ReLU + L1', 'l 1', 4, 0.9), row('a', 'ReLU + L1', 'l 2', 8, 0.7),
    row('a', 'sigmoid + KL', 'r 1', 6, 0.5, 0.3), row('a', 'sigmoid + KL', 'r 2', 8, 0.45, 0.2),
  ];
  assert.deepEqual(frontCurve(rows, 'a', 'TopK').map((p) => p.setting), ['k 4', 'k 8']);
  assert.deepEqual(frontCurve(rows, 'a', 'sigmoid + KL', true).map((p) => p.fvu), [0.3, 0.2]);
  const m = matchedFronts(rows, 'a', [4, 8]);
  assert.deepEqual(matchedTable(m), [
    { L0: 4, 'ReLU + L1': 0.9, 'KL, code > 0.1': "not reached (the sweep's smallest L0 is 6)",
      'KL, raw code': "not reached (the sweep's smallest L0 is 6)", TopK: 0.6, lowest: 'TopK' },
    { L0: 8, 'ReLU + L1': 0.7, 'KL, code > 0.1': 0.45, 'KL, raw code': 0.2, TopK: 0.4,
      lowest: 'TopK (KL code > 0.1) / sigmoid + KL (KL raw code)' },
  ]);
  assert.equal(lowestFvuLine(m), 'lowest FVU: TopK at L0 4 (KL does not reach it); at L0 8 it depends on how KL is ' +
    'measured: TopK with its code cut at 0.1, sigmoid + KL with its raw code');
  const none = matchedFronts([row('a', 'TopK', 'k 4', 4, 0.6)], 'a', [4]);
  assert.equal(matchedTable(none)[0].lowest, 'fewer than two methods reach it');
  assert.equal(lowestFvuLine(none), 'lowest FVU: no comparison at L0 4 (fewer than two methods reach it)');
});

test('matchedFronts and matchedTable with six methods: every curve its column, KL twice', () => {
  const rows = [row('a', 'ReLU + L1', 'l', 4, 0.5), row('a', 'ReLU + L1', 'l2', 16, 0.3),
    row('a', 'sigmoid + KL', 'r', 4, 0.9, 0.4), row('a', 'sigmoid + KL', 'r2', 16, 0.8, 0.2),
    row('a', 'TopK', 'k 4', 4, 0.4), row('a', 'TopK', 'k 16', 16, 0.2),
    row('a', 'BatchTopK', 'k 4', 4, 0.35), row('a', 'BatchTopK', 'k 16', 16, 0.15),
    row('a', 'JumpReLU', 'x', 8, 0.3), row('a', 'JumpReLU', 'y', 16, 0.25), row('b', 'TopK', 'k 4', 4, 0.1)];
  const m = matchedFronts(rows, 'a', [4, 8]);
  assert.deepEqual(m.methods, ['ReLU + L1', 'sigmoid + KL', 'TopK', 'BatchTopK', 'JumpReLU']);
  assert.deepEqual(Object.keys(m.curves), ['ReLU + L1', 'TopK', 'BatchTopK', 'JumpReLU']);
  // At L0 8 (half way in log L0 from 4 to 16): ReLU 0.4, KL cut 0.85, raw 0.3, TopK 0.3, BatchTopK 0.25, JumpReLU 0.3.
  const table = matchedTable(m);
  assert.deepEqual(Object.keys(table[0]), ['L0', 'ReLU + L1', 'KL, code > 0.1', 'KL, raw code', 'TopK', 'BatchTopK',
    'JumpReLU', 'lowest']);
  assert.deepEqual(table[1], { L0: 8, 'ReLU + L1': 0.4, 'KL, code > 0.1': 0.85, 'KL, raw code': 0.3, TopK: 0.3,
    BatchTopK: 0.25, JumpReLU: 0.3, lowest: 'BatchTopK' });
  assert.equal(table[0].JumpReLU, "not reached (the sweep's smallest L0 is 8)");
  assert.equal(table[0].lowest, 'BatchTopK');
});

test('offAxisLine names the models at L0 0 of one data set, or says nothing', async () => {
  const { offAxisLine } = await import('../../src/report/fronts');
  const row = (data: string, l0: number, setting: string) =>
    ({ data, method: 'sigmoid + KL', setting, l0, fvu: 1.36, fvuRaw: 1.15, added: false, epochs: 5, lastGain: 0.1 });
  const rows = [row('pixels', 0, 'rho 0.01'), row('pixels', 1.9, 'rho 0.02'), row('acts', 0, 'rho 0.001')];
  assert.equal(offAxisLine(rows, 'pixels'), 'Not drawn on the log axis (L0 0.00: under 0.005 active latents per input): sigmoid + KL, rho 0.01 (FVU 1.36, raw code 1.15).');
  assert.equal(offAxisLine(rows.slice(1, 2), 'pixels'), '');
});

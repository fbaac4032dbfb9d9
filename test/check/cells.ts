/**
 * Every task cell, read from the notebook that holds it (the solution version, with nbgrader's
 * markers: the code cell that calls `check.<task>(` and the markdown cell before it), and for each a
 * cell that carries on with the kit's own function (as the notebook's next cells do).
 * test/scripts/handout.test.ts runs them in tslab: the solution version prints every check's pass
 * line; the student version raises one `not implemented yet` per task and runs every other cell.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TASKS } from '../../src/check/tasks';

export interface TaskCellSample {
  task: string;
  /** the notebook the task belongs in (its number, from TASKS) */
  notebook: string;
  /** what the cell needs from './sae-lab' besides tf, check and NotImplemented */
  imports: string[];
  /** the markdown cell before the task: heading, ARENA-style marks, the statement, hints */
  markdown: string;
  /** the task cell (solution version) */
  cell: string;
  /** a later cell that uses the kit's own version (never the learner's function) */
  after: string;
}

type Sample = Pick<TaskCellSample, 'task' | 'imports' | 'after'>;

const NOTEBOOKS = path.resolve(__dirname, '..', '..', 'notebooks');
const sourceOf = (cell: { source: string | string[] }) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

/** The task's cell and the markdown before it, from the notebook numbered `notebook`. */
function fromNotebook(task: string, notebook: string): { markdown: string; cell: string } {
  const file = fs.readdirSync(NOTEBOOKS).find((f) => f.startsWith(`${notebook}-`) && f.endsWith('.ipynb'));
  if (!file) throw new Error(`no notebook ${notebook}-*.ipynb for task ${task}`);
  const cells: { cell_type: string; source: string | string[] }[] = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, file), 'utf8')).cells;
  const at = cells.findIndex((c) => c.cell_type === 'code' && sourceOf(c).includes(`check.${task}(`));
  if (at < 1 || cells[at - 1].cell_type !== 'markdown') throw new Error(`${file}: no task cell calling check.${task}( after a markdown cell`);
  return { markdown: sourceOf(cells[at - 1]), cell: sourceOf(cells[at]) };
}

const SAMPLES: Sample[] = [
  {
    task: 'l1Penalty',
    imports: ['l1Penalty'],
    after: `console.log('kit l1Penalty:', l1Penalty(tf.tensor2d([[1, -2], [0, 3]])).arraySync());`,
  },
  {
    task: 'klPenalty',
    imports: ['KL_EPS', 'KL_UPPER', 'klPenalty'],
    after: `console.log('kit klPenalty:', klPenalty(tf.tensor2d([[0.1, 0.2], [0, 0]]), 0.05).arraySync());`,
  },
  {
    task: 'numericalGradient',
    imports: ['klPenalty', 'numericalGradient'],
    after: `// The kit's numericalGradient checks the gradient TensorFlow.js computes for klPenalty.
// (Try yours: replace klPenalty by myKlPenalty and numericalGradient by myNumericalGradient.)
const codeForCheck = [0.1, 0.3, 0.05, 0.2, 0.2, 0.1];
const penaltyAt = (v: Float64Array) => tf.tidy(() => klPenalty(tf.tensor2d(Float32Array.from(v), [3, 2]), 0.05).dataSync()[0]);
const analytic = tf.tidy(() => Array.from(tf.grad((h: tf.Tensor) => klPenalty(h as tf.Tensor2D, 0.05))(tf.tensor2d(codeForCheck, [3, 2])).dataSync()));
const numeric = numericalGradient(penaltyAt, Float64Array.from(codeForCheck), 1e-3);
const relError = Math.hypot(...analytic.map((a, i) => a - numeric[i])) / Math.hypot(...analytic);
console.log(\`relative difference between the analytic and the numerical gradient: \${relError.toExponential(1)}\`);`,
  },
  {
    task: 'trainStep',
    imports: ['SparseAutoencoder', 'Optimizer', 'L1SparseAutoencoder', 'createOptimizer', 'trainStep'],
    after: `const stepModel = new L1SparseAutoencoder({ inputDim: 16, hiddenDim: 8, latentDim: 4, sparsityWeight: 1e-3 }, 42);
const stepOptimizer = createOptimizer(1e-2);
const stepBatch = tf.randomUniform([8, 16], 0, 1, 'float32', 1) as tf.Tensor2D;
const stepLosses = Array.from({ length: 5 }, () => trainStep(stepModel, stepBatch, stepOptimizer));
console.log('kit trainStep losses:', stepLosses.map((l) => l.toFixed(4)).join(' '));
tf.dispose(stepBatch);
stepOptimizer.dispose();
stepModel.dispose();`,
  },
  {
    task: 'sparsity',
    imports: ['SparsityNumbers', 'sparsityReport'],
    after: `console.log('kit sparsityReport:', sparsityReport(Float32Array.from([0.5, 0, 0, 0.2]), 2, { threshold: 0.1 }).populationSparsity);`,
  },
  {
    task: 'decodeOneHot',
    imports: ['SparseAutoencoder', 'KLSparseAutoencoder', 'decodeUnits'],
    after: `const featureModel = new KLSparseAutoencoder({ inputDim: 16, hiddenDim: 8, latentDim: 4 }, 42);
console.log('kit decodeUnits:', decodeUnits(featureModel, [0, 3]).map((f) => f.length).join(', '));
featureModel.dispose();`,
  },
  {
    task: 'sweep',
    imports: ['SparseAutoencoder', 'SweepRow', 'createModel', 'weightSweep'],
    after: `const sweepRows = await weightSweep([1e-3, 1e-2], async (w) => createModel({ inputDim: 4, hiddenDim: 3, latentDim: 2, sparsityWeight: w }),
  (m) => m.config.sparsityWeight);
console.log('kit weightSweep:', JSON.stringify(sweepRows));`,
  },
  {
    task: 'matchSparsity',
    imports: ['SparsityMatch', 'matchSparsity'],
    after: `const matched = await matchSparsity(0.1, async (w) => 0.5 / (1 + w / 0.01), 1e-4, 1, 8);
console.log('kit matchSparsity:', matched.weight.toPrecision(3), matched.sparsity.toPrecision(3));`,
  },
  {
    task: 'selectivity',
    imports: ['selectivity'],
    after: `console.log('kit selectivity:', selectivity(Float64Array.from([1, 0, 0, 1]), 2, 2).map((u) => u.index));`,
  },
  {
    task: 'keepTopK',
    imports: ['keepTopK'],
    after: `console.log('kit keepTopK:', Array.from(keepTopK(Float32Array.from([0.1, 0.9, 0.5]), 3, 1)));`,
  },
  {
    task: 'omp',
    imports: ['OmpCode', 'leastSquares', 'omp'],
    after: `console.log('kit omp:', JSON.stringify(omp(Float64Array.from([0, 2, 0]), Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), 3, 1)[0]));`,
  },
  {
    task: 'topK',
    imports: ['topK'],
    after: `console.log('kit topK:', topK(tf.tensor2d([[0.3, -1, 2, 0.1]]), 2).arraySync());`,
  },
  {
    task: 'fvu',
    imports: ['fvu'],
    after: `console.log('kit fvu:', fvu(Float32Array.from([0, 1, 2, 3]), Float32Array.from([0, 1, 2, 2]), 1));`,
  },
  {
    task: 'toyLoss',
    imports: ['createToyModel'],
    after: `const toyLossModel = createToyModel({ inputDim: 5, hiddenDim: 2, instances: 2, importance: 0.9 });
const toyLosses = tf.tidy(() => Array.from(toyLossModel.instanceLosses(
  tf.randomUniform([2, 4, 5], 0, 1, 'float32', 1) as tf.Tensor3D).dataSync()));
console.log('kit instanceLosses:', toyLosses.map((l) => l.toFixed(4)).join(' '));
toyLossModel.dispose();`,
  },
  {
    task: 'interference',
    imports: ['interference', 'instanceWeights', 'createToyModel'],
    after: `const toyForCheck = createToyModel({ inputDim: 5, hiddenDim: 2, instances: 1 });
console.log('kit interference:', Array.from(interference(instanceWeights(toyForCheck)[0])).map((v) => v.toFixed(3)).join(' '));
toyForCheck.dispose();`,
  },
  {
    task: 'mcc',
    imports: ['mcc', 'assignMax'],
    after: `console.log('kit mcc:', mcc(Float32Array.from([0, 2, -1, 0]), Float32Array.from([1, 0, 0, 1]), 2).mcc);`,
  },
  {
    task: 'firing',
    imports: ['firingScores'],
    after: `const kitFiring = firingScores({ decoderRows: [1, 0], features: [1, 0], d: 2, codes: [0.5, 0, 0.2, 0],
  coefficients: [1, 1, 0, 0] });
console.log('kit firingScores:', kitFiring.precision[0], kitFiring.recall[0]);`,
  },
  {
    task: 'istaStep',
    imports: ['istaStep'],
    after: `const kitStep = istaStep(Float64Array.from([1, 0, 0.5]), Float64Array.from([1, 0, 0, 1, 0.6, 0.8]),
  Float64Array.from([2, -1]), 2, 0.4, 0.5);
console.log('kit istaStep:', Array.from(kitStep, (v) => v.toFixed(2)).join(' '));`,
  },
  {
    task: 'batchTopK',
    imports: ['batchTopK'],
    after: `console.log('kit batchTopK:', batchTopK(tf.tensor2d([[3, 2, 2], [2, 1, 0]]), 1).arraySync());`,
  },
  {
    task: 'jumpRelu',
    imports: ['jumpRelu'],
    after: `const jumpGrads = tf.grads((a: tf.Tensor, t: tf.Tensor) => tf.sum(jumpRelu(a as tf.Tensor2D, t as tf.Tensor1D, 0.2)))(
  [tf.tensor2d([[0.55, 0.45, 1]]), tf.tensor1d([0.5, 0.5, 0.2])]);
console.log('kit jumpRelu gradients:', jumpGrads.map((g) => Array.from(g.dataSync())));`,
  },
  {
    task: 'matryoshkaLoss',
    imports: ['matryoshkaReconstruction'],
    after: `const [mx, mf, mw, mb] = [tf.tensor2d([[2, 1], [0, 4]]), tf.tensor2d([[1, 0, 2], [0, 3, 1]]),
  tf.tensor2d([[1, 0], [0, 1], [1, 1]]), tf.tensor1d([0.1, -0.2])];
const mLoss = matryoshkaReconstruction({ x: mx, f: mf, xHat: tf.add(tf.matMul(mf, mw), mb) as tf.Tensor2D,
  decoder: () => mw, bias: mb }, [1, 3]);
console.log('kit matryoshkaReconstruction:', mLoss.arraySync());`,
  },
  {
    task: 'diagnose',
    imports: ['diagnoseRecord', 'TrainingRecord'],
    after: `const stuckRun: TrainingRecord = { loss: [1, 0.6, 0.5], deadShare: [0, 0, 0], meanRowNorm: [1, 1, 1],
  meanCode: [0.5, 0.55, 0.6], l0: [40, 39.5, 39], shrinkage: 0.93 };
console.log('kit diagnoseRecord:', diagnoseRecord(stuckRun));`,
  },
];

export const TASK_CELLS: TaskCellSample[] = SAMPLES.map((s) => {
  const notebook = TASKS.find((t) => t.name === s.task)?.notebook;
  if (!notebook) throw new Error(`task ${s.task} is not in TASKS`);
  return { ...s, notebook, ...fromNotebook(s.task, notebook) };
});

/** Type-only imports (erased at runtime): the rest are values. */
export const TYPE_IMPORTS = new Set(['SparseAutoencoder', 'Optimizer', 'SparsityNumbers', 'SweepRow', 'SparsityMatch', 'OmpCode', 'TrainingRecord']);

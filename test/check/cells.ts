/**
 * The task cells as the notebooks hold them (the solution version, with nbgrader's markers), one
 * per task, and a cell for each that carries on with the kit's own function (as the notebook's next
 * cells do). test/scripts/handout.test.ts runs them in tslab: the solution version prints every
 * check's pass line; the student version raises one `not implemented yet` per task and runs every
 * other cell. They are also what the lead pastes into the notebooks.
 */

export interface TaskCellSample {
  task: string;
  /** the notebook the task belongs in */
  notebook: string;
  /** what the cell needs from './src/index' besides tf, check and NotImplemented */
  imports: string[];
  /** the markdown cell before the task: heading, ARENA-style marks, the statement, hints */
  markdown: string;
  /** the task cell (solution version) */
  cell: string;
  /** a later cell that uses the kit's own version (never the learner's function) */
  after: string;
}

export const TASK_CELLS: TaskCellSample[] = [
  {
    task: 'l1Penalty',
    notebook: '01',
    imports: ['l1Penalty'],
    markdown: `### Task · the L1 penalty
Difficulty ●○○○○ · Importance ●●●●○ · about 5 minutes

Write \`myL1Penalty(h)\`: the lesson's \`l1_loss\`, one number for a batch of codes \`h\` [batch, latentDim].
Wrap the body in \`tf.tidy\` so it leaves no tensors behind.

<details><summary>Hint</summary>The lesson's code takes <code>torch.mean</code>, not the sum of the formula: the mean over batch <i>and</i> units.</details>`,
    cell: `function myL1Penalty(h: tf.Tensor2D): tf.Scalar {
  // BEGIN SOLUTION
  return tf.tidy(() => tf.mean(tf.abs(h)) as tf.Scalar);
  // END SOLUTION
}
check.l1Penalty(myL1Penalty);`,
    after: `console.log('kit l1Penalty:', l1Penalty(tf.tensor2d([[1, -2], [0, 3]])).arraySync());`,
  },
  {
    task: 'klPenalty',
    notebook: '02',
    imports: ['KL_EPS', 'KL_UPPER', 'klPenalty'],
    markdown: `### Task · the KL penalty, clamped
Difficulty ●●○○○ · Importance ●●●●● · about 15 minutes

Write \`myKlPenalty(h, rho)\`: for each unit j, its mean activation over the batch, clamped to
\`[KL_EPS, KL_UPPER]\`, then KL(ρ ‖ ρ̂ⱼ) summed over the units.

<details><summary>Hint 1</summary>ρ̂ is one number per unit: a mean over axis 0.</details>
<details><summary>Hint 2</summary>Why KL_UPPER and not 1 - 1e-8? See the note on the clamp below.</details>`,
    cell: `function myKlPenalty(h: tf.Tensor2D, rho: number): tf.Scalar {
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const rhoHat = tf.clipByValue(tf.mean(h, 0), KL_EPS, KL_UPPER);
    const kl = tf.add(
      tf.mul(rho, tf.log(tf.div(rho, rhoHat))),
      tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, rhoHat)))));
    return tf.sum(kl) as tf.Scalar;
  });
  // END SOLUTION
}
check.klPenalty(myKlPenalty);`,
    after: `console.log('kit klPenalty:', klPenalty(tf.tensor2d([[0.1, 0.2], [0, 0]]), 0.05).arraySync());`,
  },
  {
    task: 'numericalGradient',
    notebook: '02',
    imports: ['klPenalty', 'numericalGradient'],
    markdown: `### Task · check a gradient by finite differences
Difficulty ●●○○○ · Importance ●●●○○ · about 15 minutes

TensorFlow.js computes the KL penalty's gradient for you. Is it right? Write \`myNumericalGradient(f, x, eps)\`:
entry i is \`(f(x + eps·e_i) − f(x − eps·e_i)) / (2·eps)\`, where e_i moves coordinate i only. Leave \`x\` as you found it.

<details><summary>Hint</summary>Change <code>x[i]</code> in place, call <code>f</code> twice, and put <code>x[i]</code> back before the next coordinate.</details>`,
    cell: `function myNumericalGradient(f: (x: Float64Array) => number, x: Float64Array, eps: number): Float64Array {
  // BEGIN SOLUTION
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + eps;
    const up = f(x);
    x[i] = keep - eps;
    const down = f(x);
    x[i] = keep;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
  // END SOLUTION
}
check.numericalGradient(myNumericalGradient);`,
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
    notebook: '03',
    imports: ['SparseAutoencoder', 'Optimizer', 'L1SparseAutoencoder', 'createOptimizer', 'trainStep'],
    markdown: `### Task · one training step
Difficulty ●●●○○ · Importance ●●●●● · about 20 minutes

Write \`myTrainStep(model, x, optimizer)\`: the gradients of \`model.losses(x).total\` with respect to
\`model.variables\` (\`tf.variableGrads\`), one optimizer step (\`optimizer.applyGradients\`), and the loss
before the step as a number. Dispose what you made.

<details><summary>Hint</summary><code>tf.variableGrads(f, variables)</code> returns <code>{ value, grads }</code>: the loss and a map from variable names to gradients, which is what <code>applyGradients</code> takes.</details>`,
    cell: `function myTrainStep(model: SparseAutoencoder, x: tf.Tensor2D, optimizer: Optimizer): number {
  // BEGIN SOLUTION
  const { value, grads } = tf.variableGrads(() => model.losses(x).total, model.variables);
  optimizer.applyGradients(grads);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
  // END SOLUTION
}
check.trainStep(myTrainStep);`,
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
    notebook: '04',
    imports: ['SparsityNumbers', 'sparsityReport'],
    markdown: `### Task · population and lifetime sparsity
Difficulty ●●○○○ · Importance ●●●●○ · about 15 minutes

Write \`mySparsity(activations, latentDim, threshold)\` for a [samples, latentDim] matrix (row-major): a unit is
active when its activation is **above** the threshold. Return the population sparsity, the lifetime sparsity of
every unit, and the inactive units (lifetime below 0.01).

<details><summary>Hint</summary>Population: across a row (one sample's units). Lifetime: down a column (one unit's samples).</details>`,
    cell: `function mySparsity(activations: Float32Array, latentDim: number, threshold: number): SparsityNumbers {
  // BEGIN SOLUTION
  const samples = activations.length / latentDim;
  const activeCount = new Array<number>(latentDim).fill(0);
  let population = 0;
  for (let s = 0; s < samples; s++) {
    let on = 0;
    for (let j = 0; j < latentDim; j++) {
      if (activations[s * latentDim + j] > threshold) {
        on += 1;
        activeCount[j] += 1;
      }
    }
    population += on / latentDim / samples;
  }
  const lifetimePerUnit = activeCount.map((c) => c / samples);
  const inactiveUnits = lifetimePerUnit.map((v, j) => (v < 0.01 ? j : -1)).filter((j) => j >= 0);
  return { populationSparsity: population, lifetimePerUnit, inactiveUnits };
  // END SOLUTION
}
check.sparsity(mySparsity);`,
    after: `console.log('kit sparsityReport:', sparsityReport(Float32Array.from([0.5, 0, 0, 0.2]), 2, { threshold: 0.1 }).populationSparsity);`,
  },
  {
    task: 'decodeOneHot',
    notebook: '05',
    imports: ['SparseAutoencoder', 'KLSparseAutoencoder', 'decodeUnits'],
    markdown: `### Task · what one unit draws
Difficulty ●●○○○ · Importance ●●●○○ · about 10 minutes

Write \`myDecodeOneHot(model, unit)\`: decode the code that is 1 at \`unit\` and 0 elsewhere, and return the image.

<details><summary>Hint</summary>The decoder takes a batch: one row [1, latentDim]. <code>tf.oneHot</code> gives int32; the decoder wants float32.</details>`,
    cell: `function myDecodeOneHot(model: SparseAutoencoder, unit: number): Float32Array {
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const code = tf.oneHot(tf.tensor1d([unit], 'int32'), model.latentDim).toFloat() as tf.Tensor2D;
    return model.decode(code).dataSync() as Float32Array;
  });
  // END SOLUTION
}
check.decodeOneHot(myDecodeOneHot);`,
    after: `const featureModel = new KLSparseAutoencoder({ inputDim: 16, hiddenDim: 8, latentDim: 4 }, 42);
console.log('kit decodeUnits:', decodeUnits(featureModel, [0, 3]).map((f) => f.length).join(', '));
featureModel.dispose();`,
  },
  {
    task: 'sweep',
    notebook: '07',
    imports: ['SparseAutoencoder', 'SweepRow', 'createModel', 'weightSweep'],
    markdown: `### Task · the sweep loop
Difficulty ●●○○○ · Importance ●●●○○ · about 10 minutes

Write \`mySweep(weights, trainAt, measure)\`: for each weight in order, train a model (\`await trainAt(weight)\`),
measure it, dispose it, and return one \`{ weight, result }\` row per weight. One model in memory at a time.

<details><summary>Hint</summary>A <code>for...of</code> loop with <code>await</code>; <code>weights.map</code> would start every training at once.</details>`,
    cell: `async function mySweep<T>(weights: readonly number[], trainAt: (weight: number) => Promise<SparseAutoencoder>,
  measure: (model: SparseAutoencoder) => T): Promise<SweepRow<T>[]> {
  // BEGIN SOLUTION
  const rows: SweepRow<T>[] = [];
  for (const weight of weights) {
    const model = await trainAt(weight);
    rows.push({ weight, result: measure(model) });
    model.dispose();
  }
  return rows;
  // END SOLUTION
}
await check.sweep(mySweep);`,
    after: `const sweepRows = await weightSweep([1e-3, 1e-2], async (w) => createModel({ inputDim: 4, hiddenDim: 3, latentDim: 2, sparsityWeight: w }),
  (m) => m.config.sparsityWeight);
console.log('kit weightSweep:', JSON.stringify(sweepRows));`,
  },
  {
    task: 'matchSparsity',
    notebook: '08',
    imports: ['SparsityMatch', 'matchSparsity'],
    markdown: `### Task · the same sparsity for both penalties
Difficulty ●●●○○ · Importance ●●●○○ · about 20 minutes

λ = 0.01 and β = 0.1 do not give the same sparsity. Write \`myMatchSparsity(target, measure, low, high, steps)\`:
find the weight in [low, high] whose population sparsity (\`await measure(weight)\`, a training run) is closest to
\`target\`, with at most \`steps\` measurements. Sparsity falls as the weight grows.

<details><summary>Hint 1</summary>Bisection: keep [low, high] around the target and halve it with every measurement.</details>
<details><summary>Hint 2</summary>The weights span decades: halve in log space (the middle of [low, high] is √(low·high)).</details>`,
    cell: `async function myMatchSparsity(target: number, measure: (weight: number) => Promise<number>,
  low: number, high: number, steps: number): Promise<SparsityMatch> {
  // BEGIN SOLUTION
  let best: SparsityMatch | null = null;
  for (let s = 0; s < steps; s++) {
    const weight = Math.sqrt(low * high);
    const sparsity = await measure(weight);
    if (best === null || Math.abs(sparsity - target) < Math.abs(best.sparsity - target)) best = { weight, sparsity };
    if (sparsity > target) low = weight;
    else high = weight;
  }
  return best!;
  // END SOLUTION
}
await check.matchSparsity(myMatchSparsity);`,
    after: `const matched = await matchSparsity(0.1, async (w) => 0.5 / (1 + w / 0.01), 1e-4, 1, 8);
console.log('kit matchSparsity:', matched.weight.toPrecision(3), matched.sparsity.toPrecision(3));`,
  },
  {
    task: 'selectivity',
    notebook: '10',
    imports: ['selectivity'],
    markdown: `### Task · the contrast index
Difficulty ●●○○○ · Importance ●●●○○ · about 10 minutes

Write \`mySelectivity(means, units, numClasses)\`: for each unit, (top − rest) / (top + rest), with top its largest
class mean and rest the mean of the other classes (0 for a unit that never responds). \`means\` is
[numClasses, units], row-major, as \`classMeans\` returns it.`,
    cell: `function mySelectivity(means: Float64Array, units: number, numClasses: number): number[] {
  // BEGIN SOLUTION
  return Array.from({ length: units }, (_, j) => {
    const profile = Array.from({ length: numClasses }, (_, c) => means[c * units + j]);
    const top = Math.max(...profile);
    const rest = (profile.reduce((a, b) => a + b, 0) - top) / (numClasses - 1);
    return top + rest > 0 ? (top - rest) / (top + rest) : 0;
  });
  // END SOLUTION
}
check.selectivity(mySelectivity);`,
    after: `console.log('kit selectivity:', selectivity(Float64Array.from([1, 0, 0, 1]), 2, 2).map((u) => u.index));`,
  },
  {
    task: 'keepTopK',
    notebook: '11',
    imports: ['keepTopK'],
    markdown: `### Task · keep the k largest
Difficulty ●●○○○ · Importance ●●●○○ · about 10 minutes

Write \`myKeepTopK(codes, units, k)\`: a copy of \`codes\` [n, units] in which each row keeps its k entries of
largest magnitude and every other entry is 0.`,
    cell: `function myKeepTopK(codes: Float32Array, units: number, k: number): Float32Array {
  // BEGIN SOLUTION
  const out = new Float32Array(codes.length);
  for (let r = 0; r < codes.length / units; r++) {
    const order = Array.from({ length: units }, (_, j) => r * units + j)
      .sort((a, b) => Math.abs(codes[b]) - Math.abs(codes[a]));
    for (const i of order.slice(0, k)) out[i] = codes[i];
  }
  return out;
  // END SOLUTION
}
check.keepTopK(myKeepTopK);`,
    after: `console.log('kit keepTopK:', Array.from(keepTopK(Float32Array.from([0.1, 0.9, 0.5]), 3, 1)));`,
  },
  {
    task: 'omp',
    notebook: '12',
    imports: ['OmpCode', 'leastSquares', 'omp'],
    markdown: `### Task · orthogonal matching pursuit
Difficulty ●●●●○ · Importance ●●○○○ · about 30 minutes

Write \`myOmp(x, atoms, dim, k)\`: k times, pick the atom most correlated (in absolute value) with the residual,
refit all chosen coefficients by least squares (\`leastSquares(atoms, dim, support, x)\`), and update the residual.
Return \`{ support, coef }\`.

<details><summary>Hint</summary>Without the refit this is plain matching pursuit, and its coefficients drift when atoms are correlated.</details>`,
    cell: `function myOmp(x: Float64Array, atoms: Float64Array, dim: number, k: number): OmpCode {
  // BEGIN SOLUTION
  const count = atoms.length / dim;
  const support: number[] = [];
  let coef: number[] = [];
  const residual = Float64Array.from(x);
  for (let step = 0; step < k; step++) {
    let best = -1;
    let bestAbs = 1e-10;
    for (let j = 0; j < count; j++) {
      if (support.includes(j)) continue;
      let c = 0;
      for (let t = 0; t < dim; t++) c += residual[t] * atoms[j * dim + t];
      if (Math.abs(c) > bestAbs) {
        best = j;
        bestAbs = Math.abs(c);
      }
    }
    if (best < 0) break;
    support.push(best);
    coef = leastSquares(atoms, dim, support, x);
    for (let t = 0; t < dim; t++) residual[t] = x[t] - support.reduce((s, j, i) => s + coef[i] * atoms[j * dim + t], 0);
  }
  return { support, coef };
  // END SOLUTION
}
check.omp(myOmp);`,
    after: `console.log('kit omp:', JSON.stringify(omp(Float64Array.from([0, 2, 0]), Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), 3, 1)[0]));`,
  },
  {
    task: 'topK',
    notebook: '13',
    imports: ['topK'],
    markdown: `### Task · the TopK activation
Difficulty ●●○○○ · Importance ●●●●○ · about 10 minutes

Write \`myTopK(z, k)\`: in each row of the pre-activations \`z\` keep the k largest values, set the rest to 0, and apply ReLU.

<details><summary>Hint</summary><code>tf.topk(z, k).values</code> holds each row's k largest; the k-th is a threshold.</details>`,
    cell: `function myTopK(z: tf.Tensor2D, k: number): tf.Tensor2D {
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const kth = tf.slice(tf.topk(z, k).values, [0, k - 1], [-1, 1]);
    return tf.relu(tf.mul(z, tf.cast(tf.greaterEqual(z, kth), 'float32'))) as tf.Tensor2D;
  });
  // END SOLUTION
}
check.topK(myTopK);`,
    after: `console.log('kit topK:', topK(tf.tensor2d([[0.3, -1, 2, 0.1]]), 2).arraySync());`,
  },
  {
    task: 'fvu',
    notebook: '14',
    imports: ['fvu'],
    markdown: `### Task · the fraction of variance unexplained
Difficulty ●○○○○ · Importance ●●●●○ · about 10 minutes

Write \`myFvu(x, xHat, dim)\`: Σ‖x − x̂‖² / Σ‖x − x̄‖², with x̄ the mean input (one mean per dimension).`,
    cell: `function myFvu(x: Float32Array, xHat: Float32Array, dim: number): number {
  // BEGIN SOLUTION
  const n = x.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < x.length; i++) mean[i % dim] += x[i] / n;
  let err = 0;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    err += (x[i] - xHat[i]) ** 2;
    total += (x[i] - mean[i % dim]) ** 2;
  }
  return err / total;
  // END SOLUTION
}
check.fvu(myFvu);`,
    after: `console.log('kit fvu:', fvu(Float32Array.from([0, 1, 2, 3]), Float32Array.from([0, 1, 2, 2]), 1));`,
  },
];

/** Type-only imports (erased at runtime): the rest are values. */
export const TYPE_IMPORTS = new Set(['SparseAutoencoder', 'Optimizer', 'SparsityNumbers', 'SweepRow', 'SparsityMatch', 'OmpCode']);

/**
 * The course tasks: where each is taught, the signature of the learner's function (what
 * check.<name> takes), the kit's own version that the cells after the task use, and ARENA-style
 * marks (difficulty and importance 1-5, a time budget in minutes). scripts/handout.ts reads this
 * to count the tasks per notebook and to list them in the learners' README.
 *
 * The minutes are first estimates, to be replaced by what a pilot workshop measures.
 */

export interface TaskInfo {
  /** check.<name>, and the name the stub's NotImplemented carries */
  name: string;
  /** the notebook's number ('01') */
  notebook: string;
  title: string;
  /** the learner's function, as the task cell declares it */
  signature: string;
  /** the kit's version, used by the cells after the task */
  kit: string;
  /** 1 (a few lines, a direct translation of a formula) to 5 (an algorithm with several parts) */
  difficulty: number;
  /** 1 (a side road) to 5 (the heart of the lesson) */
  importance: number;
  /** a time budget for a learner who read the notebook up to the task */
  minutes: number;
}

export const TASKS: readonly TaskInfo[] = Object.freeze([
  { name: 'l1Penalty', notebook: '01', title: 'the L1 penalty', signature: 'myL1Penalty(h: tf.Tensor2D): tf.Scalar',
    kit: 'l1Penalty (core/losses.ts)', difficulty: 1, importance: 4, minutes: 5 },
  { name: 'klPenalty', notebook: '02', title: 'the KL penalty, clamped', signature: 'myKlPenalty(h: tf.Tensor2D, rho: number): tf.Scalar',
    kit: 'klPenalty (core/losses.ts)', difficulty: 2, importance: 5, minutes: 15 },
  { name: 'numericalGradient', notebook: '02', title: 'a finite-difference gradient check',
    signature: 'myNumericalGradient(f: (x: Float64Array) => number, x: Float64Array, eps: number): Float64Array',
    kit: 'numericalGradient (check/reference.ts)', difficulty: 2, importance: 3, minutes: 15 },
  { name: 'trainStep', notebook: '03', title: 'one training step',
    signature: 'myTrainStep(model: SparseAutoencoder, x: tf.Tensor2D, optimizer: Optimizer): number',
    kit: 'trainStep (check/reference.ts); fit and trainEpoch (core/train.ts) run the same step', difficulty: 3, importance: 5, minutes: 20 },
  { name: 'sparsity', notebook: '04', title: 'population and lifetime sparsity, inactive units',
    signature: 'mySparsity(activations: Float32Array, latentDim: number, threshold: number): SparsityNumbers',
    kit: 'sparsityReport (core/analysis.ts)', difficulty: 2, importance: 4, minutes: 15 },
  { name: 'decodeOneHot', notebook: '05', title: 'a unit\'s feature: decoding a one-hot code',
    signature: 'myDecodeOneHot(model: SparseAutoencoder, unit: number): Float32Array',
    kit: 'decodeUnits (core/evaluate.ts)', difficulty: 2, importance: 3, minutes: 10 },
  { name: 'sweep', notebook: '07', title: 'the sweep loop of Exercise 1',
    signature: 'mySweep<T>(weights: readonly number[], trainAt: (weight: number) => Promise<SparseAutoencoder>, measure: (model: SparseAutoencoder) => T): Promise<SweepRow<T>[]>',
    kit: 'weightSweep (check/reference.ts)', difficulty: 2, importance: 3, minutes: 10 },
  { name: 'matchSparsity', notebook: '08', title: 'a penalty weight that matches a target sparsity',
    signature: 'myMatchSparsity(target: number, measure: (weight: number) => Promise<number>, low: number, high: number, steps: number): Promise<SparsityMatch>',
    kit: 'matchSparsity (check/reference.ts)', difficulty: 3, importance: 3, minutes: 20 },
  { name: 'selectivity', notebook: '10', title: 'the contrast selectivity index',
    signature: 'mySelectivity(means: Float64Array, width: number, numClasses: number): number[]',
    kit: 'selectivity (exercises/selectivity.ts)', difficulty: 2, importance: 3, minutes: 10 },
  { name: 'keepTopK', notebook: '11', title: 'keeping each code\'s k largest units',
    signature: 'myKeepTopK(codes: Float32Array, width: number, k: number): Float32Array',
    kit: 'keepTopK (exercises/sparsecode.ts)', difficulty: 2, importance: 3, minutes: 10 },
  { name: 'omp', notebook: '12', title: 'orthogonal matching pursuit',
    signature: 'myOmp(x: Float64Array, atoms: Float64Array, dim: number, k: number): OmpCode',
    kit: 'omp (exercises/omp.ts)', difficulty: 4, importance: 2, minutes: 30 },
  { name: 'topK', notebook: '13', title: 'the TopK activation', signature: 'myTopK(z: tf.Tensor2D, k: number): tf.Tensor2D',
    kit: 'topK (interp/activations/topk.ts)', difficulty: 2, importance: 4, minutes: 10 },
  { name: 'fvu', notebook: '14', title: 'the fraction of variance unexplained',
    signature: 'myFvu(x: Float32Array, xHat: Float32Array, dim: number): number',
    kit: 'fvu (interp/metrics.ts)', difficulty: 1, importance: 4, minutes: 10 },
  { name: 'toyLoss', notebook: '15', title: 'the toy model\'s importance-weighted loss',
    signature: 'myToyLoss(x: tf.Tensor2D, xHat: tf.Tensor2D, importance: tf.Tensor1D): tf.Scalar',
    kit: 'ToyModel.instanceLosses (toy/model.ts)', difficulty: 1, importance: 4, minutes: 10 },
  { name: 'interference', notebook: '15', title: 'each feature\'s interference',
    signature: 'myInterference(w: Float32Array, m: number, n: number): number[]',
    kit: 'interference (toy/analysis.ts)', difficulty: 2, importance: 4, minutes: 15 },
  { name: 'mcc', notebook: '16', title: 'the MCC of a dictionary',
    signature: 'myMcc(decoderRows: Float32Array, trueFeatures: Float32Array, d: number): number',
    kit: 'mcc (truth/recovery.ts)', difficulty: 2, importance: 4, minutes: 15 },
  { name: 'firing', notebook: '16', title: 'a latent\'s precision and recall of firing',
    signature: 'myFiring(latentCode: Float32Array, featureCoef: Float32Array, threshold: number): { precision: number; recall: number }',
    kit: 'firingScores (truth/recovery-codes.ts)', difficulty: 1, importance: 3, minutes: 10 },
  { name: 'istaStep', notebook: '16', title: 'one ISTA step for the lasso',
    signature: 'myIstaStep(code: Float64Array, atoms: Float64Array, signal: Float64Array, dim: number, lambda: number, step: number): Float64Array',
    kit: 'istaStep (truth/ista.ts)', difficulty: 2, importance: 3, minutes: 15 },
  { name: 'batchTopK', notebook: '17', title: 'the BatchTopK code', signature: 'myBatchTopK(z: tf.Tensor2D, k: number): tf.Tensor2D',
    kit: 'batchTopK (interp/activations/batchtopk.ts)', difficulty: 2, importance: 4, minutes: 15 },
  { name: 'jumpRelu', notebook: '17', title: 'JumpReLU and its straight-through gradients',
    signature: 'myJumpRelu(a: tf.Tensor2D, theta: tf.Tensor1D, epsilon: number): tf.Tensor2D',
    kit: 'jumpRelu (interp/activations/jumprelu.ts)', difficulty: 3, importance: 4, minutes: 20 },
  { name: 'matryoshkaLoss', notebook: '17', title: 'the Matryoshka reconstruction loss',
    signature: 'myMatryoshkaLoss(x: tf.Tensor2D, f: tf.Tensor2D, wDec: tf.Tensor2D, bDec: tf.Tensor1D, prefixes: readonly number[]): tf.Scalar',
    kit: 'matryoshkaReconstruction (interp/activations/matryoshka.ts)', difficulty: 2, importance: 3, minutes: 15 },
  { name: 'diagnose', notebook: '18', title: 'naming the failure in a training record',
    signature: 'myDiagnose(record: TrainingRecord): string',
    kit: 'diagnoseRecord (report/failures.ts)', difficulty: 2, importance: 3, minutes: 15 },
].map((t) => Object.freeze(t)));

/** The task called `name`, or undefined. */
export function taskInfo(name: string): TaskInfo | undefined {
  return TASKS.find((t) => t.name === name);
}

/** "●●○○○": a 1-5 mark as ARENA-style dots. */
export function dots(value: number): string {
  const n = Math.max(0, Math.min(5, Math.round(value)));
  return '●'.repeat(n) + '○'.repeat(5 - n);
}

/** The line under a task's heading: difficulty, importance and time budget. */
export function taskMarks(name: string): string {
  const t = taskInfo(name);
  if (!t) throw new Error(`no task named '${name}'; the tasks are ${TASKS.map((x) => x.name).join(', ')}`);
  return `Difficulty ${dots(t.difficulty)} · Importance ${dots(t.importance)} · about ${t.minutes} minutes`;
}

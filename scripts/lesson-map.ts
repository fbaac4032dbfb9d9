/**
 * What each notebook teaches, for the lesson's index page (`npm run lesson`, out/lesson/index.html):
 * its learning goal in one sentence, the part of the lesson (../shared/lesson/sparse-autoencoder.md)
 * it covers, and how long a full-mode run takes.
 *
 * `fullSeconds` is measured, not estimated: after a full run (`npm run lesson`, SAE_QUICK unset, on a
 * fresh results cache), copy each notebook's seconds from out/lesson/summary.json
 * (`notebooks.<name>.result.seconds`, where `quick` is false). null shows as "not measured yet".
 * These: 2026-11-26 06:19-06:29 UTC, 2 cores, wasm + native addon, empty cache, 600.1 s in all
 * (10 min 24 s wall clock); see docs/teaching.md for earlier runs. 16: 2026-12-08 01:32 UTC, alone
 * but while the test suite ran on the same 2 cores (so slower than on an idle machine). 14 (six kinds, 60
 * models), 17 and 18 (five failures): 2026-12-08 03:37-04:15 UTC, while other work kept the 2 cores busy
 * (load about 5), so these are upper bounds.
 */

export interface LessonInfo {
  /** what the learner can do or explain after the notebook, in one sentence */
  goal: string;
  /** the lesson's section: "Part 1" ... "Part 6", "Exercise 1" ... "Exercise 5", "Challenge", "Beyond the lesson" */
  part: string;
  /** seconds of a full-mode run on a fresh results cache; null until measured */
  fullSeconds: number | null;
}

export const LESSON_MAP: Readonly<Record<string, LessonInfo>> = Object.freeze({
  '00-setup': {
    goal: 'Check that the kit runs: which TensorFlow.js backend it picked and which data sets it found.',
    part: 'Setup (before Part 1)',
    fullSeconds: 3.8,
  },
  '01-l1-autoencoder': {
    goal: 'Build an autoencoder whose loss adds an L1 penalty on the code, and see how λ prices every active unit.',
    part: 'Part 1: sparse autoencoder with L1 regularization',
    fullSeconds: 3.6,
  },
  '02-kl-autoencoder': {
    goal: 'Build an autoencoder whose loss pulls each unit\'s mean activation towards a target ρ with a KL divergence.',
    part: 'Part 2: sparse autoencoder with KL divergence',
    fullSeconds: 3.8,
  },
  '03-training-loop': {
    goal: 'Train both models on MNIST with one Adam step per mini-batch and read the three loss curves.',
    part: 'Part 3: training function',
    fullSeconds: 17.5,
  },
  '04-sparsity-analysis': {
    goal: 'Measure how sparse the codes are, per image (population) and per unit (lifetime), and find inactive units.',
    part: 'Part 4: sparsity analysis',
    fullSeconds: 57.9,
  },
  '05-learned-features': {
    goal: 'Show what each latent unit draws through the decoder and how well the models reconstruct test digits.',
    part: 'Part 5: visualize learned features',
    fullSeconds: 4,
  },
  '06-full-run': {
    goal: 'Run the lesson end to end with its settings (15 epochs, 128 units) and read its summary numbers.',
    part: 'Part 6: main execution',
    fullSeconds: 15.8,
  },
  '07-ex1-sparsity-weights': {
    goal: 'Sweep the penalty weight of both models and find where sparsity starts to cost reconstruction.',
    part: 'Exercise 1: sparsity weight tuning',
    fullSeconds: 124.9,
  },
  '08-ex2-l1-vs-kl': {
    goal: 'Compare L1 (λ 0.01) with KL (β 0.1, ρ 0.05) on training dynamics, final sparsity and features.',
    part: 'Exercise 2: L1 vs KL comparison',
    fullSeconds: 4.1,
  },
  '09-ex3-overcomplete': {
    goal: 'Widen the code from 64 to 1024 units and see what an overcomplete code does to error, sparsity and features.',
    part: 'Exercise 3: overcomplete representations',
    fullSeconds: 95.5,
  },
  '10-ex4-selectivity': {
    goal: 'Score how strongly each unit prefers one digit class, with two selectivity indices.',
    part: 'Exercise 4: feature selectivity',
    fullSeconds: 4.2,
  },
  '11-ex5-sparse-codes': {
    goal: 'Find how few of a code\'s largest activations a reconstruction needs, and which units matter most.',
    part: 'Exercise 5: reconstruction from sparse codes',
    fullSeconds: 5.4,
  },
  '12-dictionary-learning': {
    goal: 'Compare SAE, linear-decoder SAE, K-SVD and PCA atoms, and their codes as features for a classifier.',
    part: 'Advanced challenge: dictionary learning connection',
    fullSeconds: 51.7,
  },
  '13-sae-inside-a-classifier': {
    goal: 'Train a TopK SAE on an MLP\'s hidden layer and compare its features with the neurons they come from.',
    part: 'Beyond the lesson',
    fullSeconds: 47.7,
  },
  '14-penalties-compared': {
    goal: 'Compare six SAE kinds (L1, KL, TopK, BatchTopK, JumpReLU, Matryoshka) fairly, by reconstruction error (FVU) at matched sparsity (L0).',
    part: 'Beyond the lesson',
    fullSeconds: 1548.7,
  },
  '15-toy-superposition': {
    goal: 'Train Anthropic\'s toy model over a sweep of sparsity in one batched run and watch sparse features go into superposition.',
    part: 'Beyond the lesson',
    fullSeconds: 15.2,
  },
  '16-planted-features': {
    goal: 'Plant known features in synthetic data and score how well each SAE recovers them: MCC, firing F1, absorption.',
    part: 'Beyond the lesson',
    fullSeconds: 56.1,
  },
  '17-todays-architectures': {
    goal: 'Train BatchTopK, JumpReLU and Matryoshka BatchTopK on the planted features and compare all six SAEs at matched L0.',
    part: 'Beyond the lesson',
    fullSeconds: 140.5,
  },
  '18-training-failures': {
    goal: 'Produce dead latents, L1 shrinkage, decoder-norm drift, a stuck log-θ threshold and dense latents on purpose, measure each, then fix it.',
    part: 'Beyond the lesson',
    fullSeconds: 23.9,
  },
});

/**
 * The amortisation gap: an SAE's encoder is one cheap guess at each signal's code over its decoder.
 * Freeze the decoder as a dictionary and code the same signals at the same L0 by sparse-coding
 * solvers that look at each signal on its own: OMP (exercises/omp.ts, greedy, k atoms) and the
 * lasso by FISTA at the lambda that gives k non-zeros (lasso-l0.ts), as it comes and refitted by
 * least squares on its support. Each method gets the FVU, the L0 it reached and, with the planted
 * truth, how well its non-zeros pick out the features that really fired.
 *
 * Why the lasso is non-negative by default: the encoder's codes (ReLU, TopK) are >= 0, so a
 * non-negative lasso searches the same set of codes the encoder could have given, and its gain
 * over the encoder is the gap of the encoder alone. The kit's OMP is signed (it may also cancel
 * with negative coefficients): codes the encoder cannot give, so its FVU may be lower than any
 * non-negative code of k atoms reaches; read it as an optimistic bound.
 */
import { asMatrix, matrixOf } from '../data/matrix';
import { fvu, l0 } from '../interp/metrics';
import { ompFromCorrelations } from '../exercises/omp';
import { gramOf, largestEigenvalue } from './ista';
import { lassoAtL0, LassoL0Options } from './lasso-l0';
import { matchingFor } from './recovery-data';

/** The planted truth behind the signals. */
export interface AmortisationTruth {
  /** the true features, [n, d] */
  features: ArrayLike<number>;
  /** the true coefficients of the same signals, [count, n]; a feature fired where its value is not 0 */
  coefficients: ArrayLike<number>;
  /** latentOf[i]: the latent matched to true feature i, or -1; mcc's Hungarian matching of the decoder rows when absent */
  latentOf?: Int32Array;
}

/** A frozen dictionary, the signals, the encoder's codes and the L0 to compare at. */
export interface AmortisationInput {
  /** the SAE's decoder rows (atoms), [latents, d]; scaled to unit norm inside (codes scaled to match) */
  decoderRows: ArrayLike<number>;
  /** the decoder bias b_dec, [d]: every method codes x - b, as the SAE's x_hat = c W_dec + b_dec; zeros when absent */
  bias?: ArrayLike<number>;
  /** the signals, [count, d] */
  signals: ArrayLike<number>;
  /** the encoder's codes of the signals, [count, latents] */
  codes: ArrayLike<number>;
  /** the width of a signal */
  d: number;
  /** the target L0: OMP picks k atoms and the lasso's lambda is set per signal for k non-zeros */
  k: number;
  /** the planted truth; without it precision and recall are NaN */
  truth?: AmortisationTruth;
  /** the lasso's sign constraint; true by default (see the top of this file) */
  nonNegative?: boolean;
  /** the bisection's and FISTA's options (lasso-l0.ts) */
  lasso?: Omit<LassoL0Options, 'nonNegative' | 'lipschitz'>;
}

export type AmortisationMethod = 'encoder' | 'OMP' | 'FISTA' | 'FISTA+refit';

/** One method's codes of the signals, scored. */
export interface MethodScores {
  method: AmortisationMethod;
  /** sum |x - x_hat|^2 / sum |x - mean(x)|^2 over all signals (interp/metrics.ts `fvu`), x_hat = c D + b */
  fvu: number;
  /** the mean number of non-zero coefficients per signal */
  l0: number;
  /** pooled over signals: matched true features of non-zero latents that really fired / all matched features of non-zero latents (NaN with no truth or no non-zero) */
  precision: number;
  /** pooled over signals: true features that fired and whose matched latent is non-zero / all true features that fired (NaN with no truth) */
  recall: number;
}

/** The four methods at one L0. */
export interface Amortisation {
  /** the target L0 */
  k: number;
  /** the signals coded */
  count: number;
  /** encoder, OMP, FISTA, FISTA+refit, in that order */
  methods: MethodScores[];
  /** the median over signals of the lambda the bisection chose, in units of unit-norm atoms */
  medianLambda: number;
  /** the mean FISTA iterations per signal, over all its solves */
  meanIterations: number;
}

/**
 * Codes `signals` over the frozen `decoderRows` at L0 k by OMP and the lasso, and scores them with
 * the encoder's `codes`. Throws, naming the array and its rows and cols, where shapes disagree.
 * Precision and recall map each latent to its matched true feature (the inverse of latentOf);
 * latents with no matched feature (only when latents > n) count in neither. Counts are pooled
 * over all signals, not averaged per signal, so a signal with an empty code needs no 0/0 rule.
 */
export function amortisation(input: AmortisationInput): Amortisation {
  const { d, k } = input;
  const decoder = asMatrix(input.decoderRows, d, 'amortisation: the decoder rows');
  const x = asMatrix(input.signals, d, 'amortisation: the signals');
  const latents = decoder.rows;
  const count = x.rows;
  const codes = matrixOf(input.codes, count, latents, 'amortisation: the encoder codes');
  const bias = input.bias ?? new Float64Array(d);
  if (bias.length !== d) throw new Error(`amortisation: the bias holds ${bias.length} values; expected d = ${d}`);
  if (!Number.isInteger(k) || k < 1 || k > latents) throw new Error(`amortisation: k = ${k} is invalid: expected an integer in [1, ${latents}] (latents)`);
  const featureOf = input.truth ? matchedFeatures(input, latents) : null;
  const nonNegative = input.nonNegative ?? true;

  // Unit-norm atoms: one lambda weighs every atom alike, and OMP picks by |correlation|.
  const norms = new Float64Array(latents);
  const atoms = new Float64Array(latents * d);
  for (let j = 0; j < latents; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += decoder.data[j * d + t] ** 2;
    norms[j] = Math.sqrt(s);
    for (let t = 0; t < d; t++) atoms[j * d + t] = norms[j] > 0 ? decoder.data[j * d + t] / norms[j] : 0;
  }
  const g = gramOf(atoms, latents, d);
  const lipschitz = largestEigenvalue(g, latents);
  const found = solveAll(x.data, bias, atoms, g, lipschitz, count, latents, d, k, { ...input.lasso, nonNegative });
  const encoder = new Float64Array(count * latents);
  for (let i = 0; i < count; i++) for (let j = 0; j < latents; j++) encoder[i * latents + j] = codes.data[i * latents + j] * norms[j];

  const score = (method: AmortisationMethod, c: Float64Array): MethodScores => {
    const support = featureOf ? supportScores(c, featureOf, input.truth!.coefficients, count, latents) : { precision: NaN, recall: NaN };
    return { method, fvu: fvu(x.data, reconstruct(c, atoms, bias, count, latents, d), d), l0: l0(c, latents), ...support };
  };
  const lambdas = Float64Array.from(found.lambdas).sort();
  return {
    k, count,
    methods: [score('encoder', encoder), score('OMP', found.omp), score('FISTA', found.lasso), score('FISTA+refit', found.refit)],
    medianLambda: lambdas[Math.floor(count / 2)],
    meanIterations: found.iterations / count,
  };
}

/** featureOf[j]: the true feature matched to latent j, or -1, after checking the truth's shapes. */
function matchedFeatures(input: AmortisationInput, latents: number): Int32Array {
  const truth = input.truth!;
  const features = asMatrix(truth.features, input.d, 'amortisation: the true features');
  matrixOf(truth.coefficients, input.signals.length / input.d, features.rows, 'amortisation: the true coefficients');
  const latentOf = matchingFor({ decoderRows: input.decoderRows, codes: input.codes, features: truth.features,
    coefficients: truth.coefficients, d: input.d }, truth.latentOf);
  const featureOf = new Int32Array(latents).fill(-1);
  latentOf.forEach((j, i) => { if (j >= 0) featureOf[j] = i; });
  return featureOf;
}

/** OMP and lasso codes ([count, latents] each, over the unit-norm atoms) of every x - b. */
function solveAll(x: ArrayLike<number>, bias: ArrayLike<number>, atoms: Float64Array, g: Float64Array, lipschitz: number,
  count: number, latents: number, d: number, k: number, options: LassoL0Options) {
  const omp = new Float64Array(count * latents);
  const lasso = new Float64Array(count * latents);
  const refit = new Float64Array(count * latents);
  const lambdas = new Float64Array(count);
  const xc = new Float64Array(d);
  const alpha = new Float64Array(latents);
  let iterations = 0;
  for (let i = 0; i < count; i++) {
    let norm2 = 0;
    for (let t = 0; t < d; t++) { xc[t] = x[i * d + t] - bias[t]; norm2 += xc[t] * xc[t]; }
    for (let j = 0; j < latents; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += atoms[j * d + t] * xc[t];
      alpha[j] = s;
    }
    const greedy = ompFromCorrelations(alpha, g, latents, norm2, k);
    greedy.support.forEach((j, a) => { omp[i * latents + j] = greedy.coef[a]; });
    const r = lassoAtL0(g, alpha, latents, k, lipschitz, options);
    lasso.set(r.code, i * latents);
    refit.set(r.refit, i * latents);
    lambdas[i] = r.lambda;
    iterations += r.iterations;
  }
  return { omp, lasso, refit, lambdas, iterations };
}

/** x_hat = c A + b, [count, d], for codes c [count, latents] over atoms A [latents, d]. */
function reconstruct(c: Float64Array, atoms: Float64Array, bias: ArrayLike<number>, count: number, latents: number, d: number): Float64Array {
  const out = new Float64Array(count * d);
  for (let i = 0; i < count; i++) {
    const o = i * d;
    for (let t = 0; t < d; t++) out[o + t] = bias[t];
    for (let j = 0; j < latents; j++) {
      const v = c[i * latents + j];
      if (v === 0) continue;
      for (let t = 0; t < d; t++) out[o + t] += v * atoms[j * d + t];
    }
  }
  return out;
}

/** Pooled support precision and recall of codes c [count, latents] against the true coefficients [count, n]. */
function supportScores(c: Float64Array, featureOf: Int32Array, coefficients: ArrayLike<number>, count: number, latents: number) {
  const n = coefficients.length / count;
  let predicted = 0;
  let fired = 0;
  let hits = 0;
  for (let i = 0; i < count; i++) {
    for (let f = 0; f < n; f++) if (coefficients[i * n + f] !== 0) fired += 1;
    for (let j = 0; j < latents; j++) {
      const f = featureOf[j];
      if (c[i * latents + j] === 0 || f < 0) continue;
      predicted += 1;
      if (coefficients[i * n + f] !== 0) hits += 1;
    }
  }
  return { precision: predicted > 0 ? hits / predicted : NaN, recall: fired > 0 ? hits / fired : NaN };
}

/**
 * Notebook 16's training: dictionary SAEs of several kinds, sparsities and latent counts trained one
 * after another on the same planted samples, each until its loss has flattened (core/stopping.ts),
 * and each scored against the truth of fresh samples (score.ts). The models are small (tens of inputs),
 * so the whole sweep runs in this thread in about a minute; one progress display shows it.
 */
import type { Dataset } from '../data/mnist';
import { fit } from '../core/train';
import { epochGain, lossFlattened } from '../core/stopping';
import { DictSae } from '../interp/dictsae';
import type { DictSaeOptions } from '../interp/dictsae-config';
import { progressView, viewReporter } from '../runtime/progress';
import * as tf from '../runtime/tf';
import { floatsOf } from '../runtime/values';
import type { FeatureTruth } from './planted';
import type { PlantedSample } from './planted-sample';
import { RecoveryScores, scoreSae } from './score';

/** One SAE to train: its method (the table's group), its label and the SAE's options (inputDim is the data's). */
export interface PlantedSetting { method: string; label: string; options: DictSaeOptions }

/** A trained setting's scores, with its latent count and how its training ended. */
export interface PlantedRow extends RecoveryScores {
  method: string;
  setting: string;
  latents: number;
  epochs: number;
  /** how much the last epoch lowered the training loss, a fraction */
  lastGain: number;
  /** what the amortisation gap (amortisation.ts) needs of the trained SAE; only for settings `keep` picks */
  dictionary?: KeptDictionary;
}

/** A trained SAE's dictionary and its codes, read before the SAE is disposed. */
export interface KeptDictionary {
  /** the decoder rows, [latents, d] */
  decoderRows: Float32Array;
  /** the decoder bias b_dec, [d] (x_hat = codes W_dec + b_dec) */
  bias: Float32Array;
  /** the encoder's codes of the test sample, [test.count, latents] */
  codes: Float32Array;
}

/**
 * How every setting trains: Adam, batches, the epoch cap and the stopping rule's least gain; `keep`
 * picks the settings whose rows also carry their dictionary (none when absent).
 */
export interface PlantedTraining {
  cap: number; stopGain: number; batchSize: number; learningRate: number; seed: number;
  keep?: (setting: PlantedSetting) => boolean;
}

/** The decoder rows, decoder bias and test-sample codes of `sae`. */
function keptDictionary(sae: DictSae, test: PlantedSample, d: number): KeptDictionary {
  return {
    decoderRows: floatsOf(() => tf.clone(sae.decoderMatrix())),
    bias: floatsOf(() => tf.clone(sae.bDec)),
    codes: floatsOf(() => sae.encode(tf.tensor2d(test.x, [test.count, d]))),
  };
}

/**
 * Trains each setting on `train` and scores it on `test` of `planted`, in order; one display shows
 * the sweep. A setting that training.keep picks also keeps its dictionary (KeptDictionary).
 */
export async function trainPlanted(settings: readonly PlantedSetting[], train: Dataset, planted: FeatureTruth,
  test: PlantedSample, training: PlantedTraining, title = 'SAEs on the planted features'): Promise<PlantedRow[]> {
  const view = progressView(title);
  const rows: PlantedRow[] = [];
  for (const [i, s] of settings.entries()) {
    const sae = new DictSae({ ...s.options, inputDim: train.dim }, training.seed);
    try {
      const inner = viewReporter(view);
      const progress = { batch: inner.batch, epoch: () => {} };
      const history = await fit(sae, train, { epochs: training.cap, batchSize: training.batchSize,
        learningRate: training.learningRate, seed: training.seed, progress, until: lossFlattened(training.stopGain) });
      const gain = epochGain(history);
      rows.push({ method: s.method, setting: s.label, latents: sae.latentDim, epochs: history.length,
        lastGain: Number.isNaN(gain) ? 1 : gain, ...scoreSae(sae, planted, test),
        ...(training.keep?.(s) ? { dictionary: keptDictionary(sae, test, planted.config.d) } : {}) });
      view.finished(`${i + 1}/${settings.length} ${s.method}, ${s.label}: ${history.length} epochs`);
    } finally {
      sae.dispose();
    }
  }
  return rows;
}

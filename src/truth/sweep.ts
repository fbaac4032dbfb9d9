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
import type { PlantedModel } from './planted';
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
}

/** How every setting trains: Adam, batches, the epoch cap and the stopping rule's least gain. */
export interface PlantedTraining { cap: number; stopGain: number; batchSize: number; learningRate: number; seed: number }

/** Trains each setting on `train` and scores it on `test` of `planted`, in order; one display shows the sweep. */
export async function trainPlanted(settings: readonly PlantedSetting[], train: Dataset, planted: PlantedModel,
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
        lastGain: Number.isNaN(gain) ? 1 : gain, ...scoreSae(sae, planted, test) });
      view.finished(`${i + 1}/${settings.length} ${s.method}, ${s.label}: ${history.length} epochs`);
    } finally {
      sae.dispose();
    }
  }
  return rows;
}

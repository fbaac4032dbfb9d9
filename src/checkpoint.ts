/**
 * Checkpoints: a trained model's config, weights and history in a directory.
 *
 *   <dir>/checkpoint.json        config, seed, history, tensor table, weights file name + sha256
 *   <dir>/weights-<sha>.bin      all weights, float32 little-endian, in the table's order
 *
 * A save writes the new weights under a new name, then replaces checkpoint.json by rename, then
 * deletes the old weights. Stopped at any point, the directory still holds one whole checkpoint.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from './tf';
import { SaeConfig } from './models/config';
import { SparseAutoencoder, createModel } from './models/sae';
import type { History } from './train';
import { writeFileAtomic } from './files';

export const CHECKPOINT_FORMAT = 'sae-lab-checkpoint';
export const CHECKPOINT_VERSION = 1;

interface TensorEntry { name: string; shape: number[]; offset: number; length: number }

export interface CheckpointMeta {
  format: string;
  version: number;
  config: SaeConfig;
  /** the seed of the initial weights */
  seed: number;
  history: History;
  /** free-form facts about the run (backend, data, train settings) */
  info: Record<string, unknown>;
  tensors: TensorEntry[];
  weightsFile: string;
  sha256: string;
  savedAt: string;
}

export interface Checkpoint {
  model: SparseAutoencoder;
  history: History;
  seed: number;
  info: Record<string, unknown>;
}

/** Tensor names without the model's global prefix (sae12/encoder/0/w -> encoder/0/w). */
function localNames(model: SparseAutoencoder): string[] {
  const layers = [...model.encoder.map((_, i) => `encoder/${i}`), ...model.decoder.map((_, i) => `decoder/${i}`)];
  return layers.flatMap((l) => [`${l}/w`, `${l}/b`]);
}

/** Saves `model` with its history into `dir` (created if needed), atomically. */
export function saveCheckpoint(dir: string, model: SparseAutoencoder, options: { history?: History; seed?: number; info?: Record<string, unknown> } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const names = localNames(model);
  const tensors: TensorEntry[] = [];
  const parts: Float32Array[] = [];
  let offset = 0;
  model.variables.forEach((v, i) => {
    const values = v.dataSync() as Float32Array;
    tensors.push({ name: names[i], shape: v.shape.slice(), offset, length: values.length });
    parts.push(values);
    offset += values.length;
  });
  const all = new Float32Array(offset);
  parts.forEach((p, i) => all.set(p, tensors[i].offset));
  const bytes = Buffer.from(all.buffer, all.byteOffset, all.byteLength);
  if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f) throw new Error('checkpoints assume a little-endian machine');
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const weightsFile = `weights-${sha256.slice(0, 16)}.bin`;
  writeFileAtomic(path.join(dir, weightsFile), bytes);
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, config: model.config, seed: options.seed ?? 0,
    history: options.history ?? [], info: options.info ?? {}, tensors, weightsFile, sha256, savedAt: new Date().toISOString(),
  };
  writeFileAtomic(path.join(dir, 'checkpoint.json'), JSON.stringify(meta, null, 1));
  for (const f of fs.readdirSync(dir)) {
    if (/^weights-[0-9a-f]+\.bin$/.test(f) && f !== weightsFile) fs.rmSync(path.join(dir, f), { force: true });
  }
  return dir;
}

function fail(dir: string, what: string): never {
  throw new Error(`checkpoint ${dir}: ${what}`);
}

/** Loads a checkpoint saved by saveCheckpoint; every inconsistency is an error naming what is wrong. */
export function loadCheckpoint(dir: string): Checkpoint {
  const file = path.join(dir, 'checkpoint.json');
  if (!fs.existsSync(file)) fail(dir, `no checkpoint.json (is ${dir} a checkpoint directory?)`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    fail(dir, `checkpoint.json is not valid JSON (${(err as Error).message})`);
  }
  if (meta.format !== CHECKPOINT_FORMAT) fail(dir, `format is ${JSON.stringify(meta.format)}, expected "${CHECKPOINT_FORMAT}"`);
  if (meta.version !== CHECKPOINT_VERSION) fail(dir, `version ${meta.version} is not supported (this kit reads version ${CHECKPOINT_VERSION})`);
  const weightsPath = path.join(dir, String(meta.weightsFile));
  if (!/^weights-[0-9a-f]+\.bin$/.test(String(meta.weightsFile)) || !fs.existsSync(weightsPath)) {
    fail(dir, `weights file ${meta.weightsFile} is missing`);
  }
  const bytes = fs.readFileSync(weightsPath);
  const expectedBytes = 4 * meta.tensors.reduce((n, t) => n + t.length, 0);
  if (bytes.length !== expectedBytes) fail(dir, `${meta.weightsFile} holds ${bytes.length} bytes, expected ${expectedBytes} (truncated?)`);
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  if (sha !== meta.sha256) fail(dir, `${meta.weightsFile} is corrupt: sha256 ${sha.slice(0, 12)}..., expected ${String(meta.sha256).slice(0, 12)}...`);

  let model: SparseAutoencoder;
  try {
    model = createModel(meta.config, meta.seed);
  } catch (err) {
    fail(dir, `bad config: ${(err as Error).message}`);
  }
  const names = localNames(model);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  try {
    if (meta.tensors.length !== names.length) fail(dir, `${meta.tensors.length} tensors, the model has ${names.length}`);
    model.variables.forEach((v, i) => {
      const entry = meta.tensors[i];
      if (entry.name !== names[i]) fail(dir, `tensor ${i} is ${entry.name}, expected ${names[i]}`);
      if (entry.shape.join('x') !== v.shape.join('x')) {
        fail(dir, `tensor ${entry.name} has shape [${entry.shape}], the config needs [${v.shape}]`);
      }
      tf.tidy(() => v.assign(tf.tensor(values.subarray(entry.offset, entry.offset + entry.length), v.shape)));
    });
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, history: meta.history, seed: meta.seed, info: meta.info };
}

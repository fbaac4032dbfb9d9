/**
 * `npx tsx bench/dictsae-kinds.ts [--engine native|reference] [--rounds 3] [--steps 100]`: ms per
 * training step (forward, backward, Adam, afterStep) of each dictionary SAE kind at 784 -> 256
 * latents, batch 128, on MNIST: TopK k 16, BatchTopK k 16, Matryoshka BatchTopK (prefixes 32, 64,
 * 128, 256) and JumpReLU. Each kind is warmed up one epoch, then timed `--rounds` times, the
 * rounds interleaved so a passing load touches all kinds alike; each reports its fastest.
 */
import { initBackend } from '../src/runtime/backend';
import { EngineName, engine, useEngine } from '../src/runtime/engine';
import { DictSae, DictSaeOptions } from '../src/interp/dictsae';
import { fit } from '../src/core/train';
import { loadMnist } from '../src/data/mnist';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const KINDS: [string, DictSaeOptions][] = [
  ['topk', { activation: 'topk', k: 16 }],
  ['batchtopk', { activation: 'batchtopk', k: 16 }],
  ['matryoshka', { activation: 'batchtopk', k: 16, prefixes: [32, 64, 128, 256] }],
  ['jumprelu', { activation: 'jumprelu' }],
];

async function main(): Promise<void> {
  const info = await initBackend({ log: false });
  useEngine(flag('engine', 'native') as EngineName);
  const rounds = Number(flag('rounds', '3'));
  const steps = Number(flag('steps', '100'));
  const batchSize = 128;
  const data = loadMnist({ split: 'train', limit: steps * batchSize });
  const models = KINDS.map(([, options]) => new DictSae({ inputDim: 784, latentDim: 256, ...options }, 1));
  const best = KINDS.map(() => Infinity);
  for (const sae of models) await fit(sae, data, { epochs: 1, batchSize, progress: false });
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < models.length; i++) {
      const start = performance.now();
      await fit(models[i], data, { epochs: 1, batchSize, seed: r, progress: false });
      best[i] = Math.min(best[i], (performance.now() - start) / steps);
    }
  }
  console.log(`${info.name}+${engine().name}, 784 -> 256, batch ${batchSize}, best of ${rounds} x ${steps} steps:`);
  KINDS.forEach(([name], i) => console.log(`  ${name.padEnd(11)} ${best[i].toFixed(2)} ms/step (${(best[i] / best[0]).toFixed(2)} x topk)`));
  for (const sae of models) sae.dispose();
}

main();

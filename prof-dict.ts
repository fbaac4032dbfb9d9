import { initBackend, loadMnist, DictSae, fit, tf } from './src/index';
async function main() {
const backend = await initBackend();
console.log(backend);
const train = loadMnist({ split: 'train', limit: 12800 });
const configs: Record<string, any> = {
  relu: { activation: 'relu', sparsityWeight: 1e-3 },
  kl: { activation: 'sigmoid', rho: 0.05, sparsityWeight: 0.1 },
  topk: { activation: 'topk', k: 16, auxK: 64 },
};
for (const [name, c] of Object.entries(configs)) {
  const sae = new DictSae({ inputDim: 784, latentDim: 256, deadAfter: 200, ...c }, 42);
  const t0 = Date.now();
  await fit(sae, train, { epochs: 3, batchSize: 128, learningRate: 1e-3, seed: 42, progress: false, onEpoch: (r: any) => console.log(name, r.epoch, (r.seconds*10).toFixed(2), 'ms/step') });
  const ms = (Date.now() - t0) / 100;
  console.log(name, ms.toFixed(2), 'ms/step', tf.memory().numTensors);
  sae.dispose();
}
}
main();

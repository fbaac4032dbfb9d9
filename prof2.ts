import { initBackend, loadMnist, DictSae, fit, tf } from './src/index';
async function main() {
  await initBackend();
  const train = loadMnist({ split: 'train', limit: 1280 });
  const c = ({ topk: { activation: 'topk', k: 16, auxK: 64 }, relu: { activation: 'relu', sparsityWeight: 1e-3 }, kl: { activation: 'sigmoid', rho: 0.05, sparsityWeight: 0.1 } } as any)[process.argv[2]];
  const sae = new DictSae({ inputDim: 784, latentDim: 256, deadAfter: 2, ...(c as any) }, 42);
  await fit(sae, train, { epochs: 2, batchSize: 128, learningRate: 1e-3, seed: 42, progress: false });
  const info = await tf.profile(async () => { await fit(sae, train, { epochs: 1, batchSize: 128, learningRate: 1e-3, seed: 42, progress: false }); });
  const agg = new Map<string, [number, number]>();
  for (const k of info.kernels) { const a = agg.get(k.name) ?? [0, 0]; a[0] += 1; a[1] += k.kernelTimeMs as number; agg.set(k.name, a); }
  const rows = [...agg.entries()].sort((a, b) => b[1][1] - a[1][1]);
  let total = 0; for (const r of rows) total += r[1][1];
  console.log('total kernel ms per step', (total / 10).toFixed(2), 'kernels per step', info.kernels.length / 10);
  for (const [n, [c2, t]] of rows.slice(0, 25)) console.log(n.padEnd(24), (c2 / 10).toFixed(1), (t / 10).toFixed(3));
}
main();

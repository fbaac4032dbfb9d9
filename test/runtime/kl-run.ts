/** A short KL training run shared by the native and fused tests: its losses, epoch by epoch. */
import { loadMnist } from '../../src/data/mnist';
import { createModel } from '../../src/core/sae';
import { fit } from '../../src/core/train';

/** Two epochs of a 32-latent KL model on 512 MNIST images (seed 4): [total, reconstruction, sparsity] per epoch. */
export async function klRunLosses(): Promise<number[]> {
  const data = loadMnist({ split: 'train', limit: 512 });
  const model = createModel({ sparsity: 'kl', latentDim: 32 }, 4);
  const h = await fit(model, data, { epochs: 2, batchSize: 64, seed: 4, progress: false });
  model.dispose();
  return h.flatMap((r) => [r.total, r.reconstruction, r.sparsity]);
}

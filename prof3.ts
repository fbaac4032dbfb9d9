import { initBackend, tf } from './src/index';
async function main() {
  await initBackend();
  const x = tf.randomNormal([128, 256]) as tf.Tensor2D;
  const k = 16;
  const t = (name: string, f: () => tf.Tensor) => {
    for (let i = 0; i < 5; i++) tf.tidy(f);
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) tf.tidy(() => { f().dataSync(); });
    console.log(name, ((performance.now() - t0) / 100).toFixed(3), 'ms');
  };
  const kth = () => tf.slice(tf.topk(x, k).values, [0, k - 1], [-1, 1]);
  t('topk', () => tf.topk(x, k).values);
  t('broadcast ge', () => tf.greaterEqual(x, kth()));
  t('tile ge', () => tf.greaterEqual(x, tf.tile(kth(), [1, 256])));
  t('sub step', () => tf.step(tf.sub(x, kth())));
  t('matmul ones', () => tf.greaterEqual(x, tf.matMul(kth(), tf.ones([1, 256]))));
  const a = tf.greaterEqual(x, kth()).dataSync(); const b = tf.greaterEqual(x, tf.tile(kth(), [1, 256])).dataSync();
  console.log(a.every((v, i) => v === b[i]));
}
main();

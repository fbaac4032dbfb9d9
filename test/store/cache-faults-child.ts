/**
 * Child process for cache-faults.test.ts: trains (or loads) the tiny run of that test through
 * trainCached and prints one JSON line {cached, stored, ms}. argv[2]: the cache directory, or
 * '-' for none given (SAE_CACHE_DIR or the default then). A child, so that a load that hangs or
 * grows without bound is stopped by the test's timeout instead of stopping the test run.
 */
import { initBackend } from '../../src/runtime/backend';
import { loadMnist } from '../../src/data/mnist';
import { trainCached } from '../../src/store/cache';
import { CHILD_SPEC } from './cache-faults-spec';

async function main(): Promise<void> {
  const dir = process.argv[2];
  await initBackend({ log: false });
  const data = loadMnist({ split: 'train', limit: 128 });
  const start = Date.now();
  const run = await trainCached(CHILD_SPEC, data, { cacheDir: dir === '-' ? undefined : dir, progress: false, log: false });
  run.model.dispose();
  console.log(JSON.stringify({ cached: run.cached, stored: run.stored, ms: Date.now() - start }));
}

main().catch((err) => {
  console.log(JSON.stringify({ error: (err as Error).message }));
  process.exit(1);
});

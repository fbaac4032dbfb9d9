/**
 * `npm run site -- --fill-cache`: trains, in Node, the lesson's four 15-epoch models that notebooks
 * 04-06 take from the results cache (lessonSpec 'kl', 'l1', 'none-sigmoid', 'none-relu' on the full
 * MNIST training set) with the numerics the browser edition has: TensorFlow.js's wasm backend and the
 * reference engine (no native addon), so their cache keys are the ones the site's kernel computes
 * ('wasm+reference' is part of each key, store/cache-key.ts). They go into the project's results
 * cache (SAE_CACHE_DIR or .cache/sae-lab); scripts/site.ts copies every 'wasm+reference' entry from
 * there into the site, so full mode in the browser loads these models instead of training them.
 * A run whose entries are there already trains nothing. With SAE_QUICK=1 it trains the quick-mode
 * models instead (2 epochs on 3000 images; the site's test fills a scratch cache so).
 */
export const LESSON_KINDS = ['kl', 'l1', 'none-sigmoid', 'none-relu'] as const;

export async function fillSiteCache(): Promise<void> {
  // Before the kit loads: the browser's numerics.
  process.env.SAE_NATIVE = '0';
  process.env.SAE_BACKEND = 'wasm';
  const kit = await import('../src/index');
  const backend = await kit.initBackend();
  if (backend.name !== 'wasm' || backend.engine !== 'reference') throw new Error(`expected wasm+reference, got ${backend.name}+${backend.engine}`);
  const sizes = kit.runSizes();
  const { train } = kit.lessonData(sizes);
  await kit.pretrain(LESSON_KINDS.map((kind) => ({ ...kit.lessonSpec(kind, sizes), title: `${kind} (${sizes.epochs} epochs, for the site)` })), train,
    { title: 'The lesson models of notebooks 04-06, on wasm+reference as the browser edition trains them' });
}

if (require.main === module) {
  fillSiteCache().catch((err) => {
    console.error(`sae-lab: ${(err as Error).message}`);
    process.exit(1);
  });
}

/**
 * Exercise 1's sweep through the compiled kit, as a notebook runs it: `node bench/kit-sweep.mjs
 * specs.json cacheDir` loads ./sae-lab.js (scripts/build-kit.mjs builds it; bench.ts runs that
 * first) and MNIST's training images, then times one `pretrain` of the specs into cacheDir. Its
 * last line is one JSON object: {"seconds", "workers", "peak_rss_mb"} (the process's, workers included).
 */
import * as fs from 'fs';
import { createRequire } from 'module';

const require = createRequire(import.meta.url);
const kit = require('../sae-lab.js');
const [specsFile, cacheDir] = process.argv.slice(2);
if (specsFile === undefined || cacheDir === undefined) throw new Error('usage: node bench/kit-sweep.mjs specs.json cacheDir');
const specs = JSON.parse(fs.readFileSync(specsFile, 'utf8'));

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 200);
await kit.initBackend({ log: false });
const data = kit.loadMnist({ split: 'train' });
const t0 = performance.now();
const result = await kit.pretrain(specs, data, { cacheDir, retrain: true, log: false, progress: false, title: 'bench: Exercise 1 sweep' });
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
console.log(JSON.stringify({ seconds, workers: result.workers, peak_rss_mb: Math.round(peak / 2 ** 20) }));

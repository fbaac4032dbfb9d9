/**
 * Concurrent writers and readers of one checkpoint directory, as real processes: two children save
 * different models at the same instant, round after round, while a third loads in a loop.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createModel } from '../../src/core/sae';
import { loadCheckpoint, saveCheckpoint } from '../../src/store/checkpoint';
import { bytesOf, setup } from '../helpers';

const ROUNDS = 25;
const SAVES_PER_ROUND = 3;
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const ROOT = path.join(__dirname, '..', '..');

interface Child { proc: ChildProcess; output: Promise<string> }

/** `node --import tsx test/fixtures/<script>.ts args...`, its stdout collected. */
function runFixture(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, script), ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  const output = new Promise<string>((resolve) => proc.on('close', () => resolve(out)));
  return { proc, output };
}

/** The last line a child printed, parsed. */
async function report(child: Child): Promise<Record<string, unknown>> {
  const text = (await child.output).trim();
  const last = text.split('\n').pop() ?? '';
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`child printed no report: ${JSON.stringify(text)}`);
  }
}

async function waitForFiles(files: string[], what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!files.every((f) => fs.existsSync(f))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Tells the writers to start round `r` at one instant, a little ahead. */
function announce(sync: string, r: number): void {
  const tmp = path.join(sync, `.go-${r}`);
  fs.writeFileSync(tmp, String(Date.now() + 20));
  fs.renameSync(tmp, path.join(sync, `go-${r}`));
}

/** What is wrong with the directory between rounds (no save running), or null. */
function checkDirectory(dir: string, expected: Map<string, Float32Array>): string | null {
  const files = fs.readdirSync(dir);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'));
  if (!files.includes(meta.weightsFile)) return `checkpoint.json names ${meta.weightsFile}, which is gone (files: ${files.join(' ')})`;
  const leftovers = files.filter((f) => f.endsWith('.tmp') || f.endsWith('.pending'));
  if (leftovers.length) return `leftover files ${leftovers.join(' ')}`;
  const weights = files.filter((f) => f.endsWith('.bin'));
  if (weights.length > 2) return `${weights.length} weights files, at most one per writer expected: ${weights.join(' ')}`;
  let ck;
  try {
    ck = loadCheckpoint(dir);
  } catch (err) {
    return `load failed: ${(err as Error).name}: ${(err as Error).message}`;
  }
  const want = expected.get(ck.model.config.sparsity);
  const got = ck.model.variables[0].dataSync() as Float32Array;
  ck.model.dispose();
  if (!want || Buffer.compare(bytesOf(got), bytesOf(want)) !== 0) return 'the loaded weights are neither writer\'s';
  return null;
}

test('two processes saving into one directory at the same instant, with a reader, never break it', { timeout: 120_000 }, async () => {
  await setup();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-ckpt-race-'));
  const dir = path.join(base, 'ck');
  const sync = path.join(base, 'sync');
  fs.mkdirSync(sync);
  // The writers' models, rebuilt here from the same seeds to recognise what is loaded.
  const models = { l1: createModel({ sparsity: 'l1', latentDim: 8, hiddenDim: 16 }, 1), kl: createModel({ sparsity: 'kl', latentDim: 8, hiddenDim: 16 }, 2) };
  const expected = new Map(Object.entries(models).map(([k, m]) => [k, m.variables[0].dataSync() as Float32Array]));
  saveCheckpoint(dir, models.l1, { seed: 1 }); // so the reader has something from the start

  const writers = [
    runFixture('checkpoint-save-loop.ts', [dir, sync, 'a', 'l1', '1', String(ROUNDS), String(SAVES_PER_ROUND)]),
    runFixture('checkpoint-save-loop.ts', [dir, sync, 'b', 'kl', '2', String(ROUNDS), String(SAVES_PER_ROUND)]),
  ];
  const reader = runFixture('checkpoint-load-loop.ts', [dir, sync]);
  const broken: string[] = [];
  try {
    await waitForFiles(['a', 'b', 'reader'].map((id) => path.join(sync, `ready-${id}`)), 'the children to start');
    for (let r = 0; r < ROUNDS; r++) {
      announce(sync, r);
      await waitForFiles(['a', 'b'].map((id) => path.join(sync, `done-${id}-${r}`)), `round ${r}`);
      const problem = checkDirectory(dir, expected);
      if (problem) broken.push(`round ${r}: ${problem}`);
    }
  } finally {
    fs.writeFileSync(path.join(sync, 'stop'), '');
    for (const c of [...writers, reader]) setTimeout(() => c.proc.kill(), 30_000).unref();
  }
  const [a, b, read] = await Promise.all([...writers, reader].map(report));
  Object.values(models).forEach((m) => m.dispose());

  assert.deepEqual([a.error, b.error, read.error], [undefined, undefined, undefined], 'no child crashed');
  assert.deepEqual([a.saves, b.saves], [ROUNDS * SAVES_PER_ROUND, ROUNDS * SAVES_PER_ROUND], `every save succeeded: ${JSON.stringify([a.errors, b.errors])}`);
  assert.deepEqual(broken, [], `after ${broken.length} of ${ROUNDS} rounds the directory was broken`);
  const failures = read.failures as string[];
  assert.ok((read.loads as number) > 0, 'the reader loaded');
  assert.deepEqual(failures.slice(0, 5), [],
    `${failures.length} of ${failures.length + (read.loads as number)} concurrent loads failed`);
  fs.rmSync(base, { recursive: true, force: true });
});

/**
 * The dictionary SAE's checkpoint file (store/dictsae-checkpoint.ts): what a load refuses, each
 * with a sentence naming the checkpoint and what is wrong; a save replaces the file whole. The
 * round trip of every kind (same codes, same loss) is in test/interp/dictsae-kinds.test.ts.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../src/runtime/backend';
import { DictSae } from '../../src/interp/dictsae';
import { DICTSAE_CHECKPOINT_FILE, loadDictSae, saveDictSae } from '../../src/store/dictsae-checkpoint';
import { canonicalJson, sha256Hex } from '../../src/store/checkpoint-meta';
import { setup } from '../helpers';

/** Rewrites the checkpoint file with `edit` applied, and its sha256 made right again when `rehash`. */
function rewrite(dir: string, edit: (stored: Record<string, any>) => void, rehash: boolean): void {
  const file = path.join(dir, DICTSAE_CHECKPOINT_FILE);
  const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(stored);
  if (rehash) {
    delete stored.sha256;
    stored.sha256 = sha256Hex(canonicalJson(stored));
  }
  fs.writeFileSync(file, JSON.stringify(stored));
}

test('a dictionary SAE checkpoint refuses edits, damage, links, another format, a bad config and a wrong table', async () => {
  await setup();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dictsae-ckpt-faults-'));
  const sae = new DictSae({ activation: 'jumprelu', inputDim: 6, latentDim: 8 }, 1);
  const save = () => saveDictSae(dir, sae, { seed: 1 });
  const before = tf.memory().numTensors;
  const refused: [string, () => void, RegExp][] = [
    ['an edited value', () => rewrite(dir, (s) => { s.seed = 2; }, false), /was edited or is damaged \(its sha256 does not match\)/],
    ['damaged weights', () => rewrite(dir, (s) => { s.weights = s.weights.slice(0, -8) + 'AAAAAAAA'; }, false), /sha256 does not match/],
    ['another format', () => rewrite(dir, (s) => { s.format = 'sae-lab-checkpoint'; }, true), /format "sae-lab-checkpoint", expected 'sae-lab-dictsae'/],
    ['another version', () => rewrite(dir, (s) => { s.version = 9; }, true), /version 9, expected 1/],
    ['a bad config', () => rewrite(dir, (s) => { s.config.bandwidth = -1; }, true), /DictSaeConfig\.bandwidth = -1 is invalid: expected a finite number > 0/],
    ['a config of another kind', () => rewrite(dir, (s) => {
      const { bandwidth, initialThreshold, ...rest } = s.config;
      void [bandwidth, initialThreshold];
      s.config = { ...rest, activation: 'relu' };
    }, true),
      /the tensors are w_enc \[6,8\], b_enc \[8\], w_dec \[8,6\], b_dec \[6\], threshold \[8\]; the config needs w_enc \[6,8\], b_enc \[8\], w_dec \[8,6\], b_dec \[6\]$/],
    ['short weights', () => rewrite(dir, (s) => { s.weights = s.weights.slice(0, 16); }, true), /the weights hold 12 bytes, expected 472/],
    ['no file', () => fs.rmSync(path.join(dir, DICTSAE_CHECKPOINT_FILE)), /no dictsae\.json \(is it a dictionary SAE checkpoint\?\)/],
    ['a link', () => {
      fs.renameSync(path.join(dir, DICTSAE_CHECKPOINT_FILE), path.join(dir, 'elsewhere.json'));
      fs.symlinkSync(path.join(dir, 'elsewhere.json'), path.join(dir, DICTSAE_CHECKPOINT_FILE));
    }, /dictsae\.json is a symbolic link, not a regular file/],
  ];
  for (const [what, damage, message] of refused) {
    fs.rmSync(path.join(dir, DICTSAE_CHECKPOINT_FILE), { force: true });
    save();
    damage();
    assert.throws(() => loadDictSae(dir), (err: Error) => err.message.startsWith(`dictionary SAE checkpoint ${dir}: `) && message.test(err.message) || assert.fail(`${what}: ${err.message}`));
  }
  assert.equal(tf.memory().numTensors, before, 'a refused load leaves no tensors behind');
  // A save over a link replaces the link with a file and leaves its target alone.
  const target = fs.readFileSync(path.join(dir, 'elsewhere.json'), 'utf8');
  save();
  assert.ok(fs.lstatSync(path.join(dir, DICTSAE_CHECKPOINT_FILE)).isFile());
  assert.equal(fs.readFileSync(path.join(dir, 'elsewhere.json'), 'utf8'), target);
  assert.deepEqual(fs.readdirSync(dir).sort(), [DICTSAE_CHECKPOINT_FILE, 'elsewhere.json'], 'one file per checkpoint, no leftovers');
  const loaded = loadDictSae(dir);
  assert.equal(loaded.seed, 1);
  loaded.sae.dispose();
  // Non-finite weights are refused and nothing is written.
  tf.tidy(() => sae.bEnc.assign(tf.fill([8], NaN) as tf.Tensor1D));
  const emptyDir = path.join(dir, 'nan');
  assert.throws(() => saveDictSae(emptyDir, sae), /b_enc hold non-finite values; nothing was written/);
  assert.ok(!fs.existsSync(emptyDir));
  sae.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

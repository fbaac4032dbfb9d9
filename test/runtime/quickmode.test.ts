/** Issue 11: a quick-mode run says so at its top; a full run does not. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { quickModeNotice, runSizes } from '../../src/runtime/settings';

const ROOT = path.resolve(__dirname, '..', '..');

function startBackend(quick: string | undefined): string {
  const env = { ...process.env };
  delete env.SAE_QUICK;
  if (quick !== undefined) env.SAE_QUICK = quick;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', "require('./src/runtime/backend').initBackend()"],
    { cwd: ROOT, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('the quick-mode notice names the sizes and is printed only in quick mode', () => {
  const notice = quickModeNotice(runSizes({ SAE_QUICK: '1' }));
  assert.match(notice, /^QUICK MODE \(SAE_QUICK=1\): 3000 training images, 2 epochs\./);
  assert.ok(startBackend('1').includes(notice), 'quick: notice printed');
  assert.ok(!startBackend(undefined).includes('QUICK MODE'), 'full: no notice');
  assert.ok(!startBackend('0').includes('QUICK MODE'), 'SAE_QUICK=0: no notice');
});

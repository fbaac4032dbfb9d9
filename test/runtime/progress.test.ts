import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { notebookProgress, terminalProgress } from '../../src/runtime/progress';

const step = (batch: number, batches = 10) => ({ epoch: 1, epochs: 2, batch, batches, loss: 0.5, seconds: 1 });

test('notebook progress rewrites one display, throttled, and escapes its title', () => {
  const shown: string[] = [];
  const p = notebookProgress({ html: (s) => shown.push(s) }, '<KL> & co', 60_000);
  for (let b = 1; b <= 10; b++) p.batch(step(b));
  // first batch shows, batches 2-9 fall inside the throttle window, the last batch always shows
  assert.equal(shown.length, 2);
  assert.match(shown[1], /batch 10\/10/);
  assert.match(shown[0], /&lt;KL&gt; &amp; co/);
  assert.doesNotMatch(shown[0], /<KL>/);
  p.epoch('Epoch 1 - Total: 1');
  p.epoch('Epoch 2 - Total: 0.5');
  const last = shown[shown.length - 1];
  assert.match(last, /Epoch 1 - Total: 1.*Epoch 2 - Total: 0\.5/s);
  assert.doesNotMatch(last, /<progress/);
});

test('terminal progress writes only epoch lines when not a terminal', () => {
  const out: string[] = [];
  const stream = { isTTY: false, write: (s: string) => { out.push(s); return true; } } as unknown as NodeJS.WriteStream;
  const p = terminalProgress(stream, 0);
  for (let b = 1; b <= 10; b++) p.batch(step(b));
  p.epoch('Epoch 1 - done');
  assert.deepEqual(out, ['Epoch 1 - done\n']);

  const tty: string[] = [];
  const t = terminalProgress({ isTTY: true, write: (s: string) => { tty.push(s); return true; } } as unknown as NodeJS.WriteStream, 0);
  t.batch(step(5));
  assert.match(tty[0], /^\r\[#{15}\.{15}\] epoch 1\/2 {2}batch 5\/10/);
});

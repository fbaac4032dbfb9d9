/**
 * scripts/setup-jupyter.mjs (run by `npm install`) where it can't or shouldn't make .venv: it says
 * what to do, leaves nothing half made, and lets the install go on (exit 0), or fails with --strict
 * (`npm run setup:jupyter`). Every case here writes only to a scratch folder (--venv=DIR); making a
 * real environment from PyPI is what `npm ci` does in CI.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, jupyterMissing, jupyterPython } from '../../scripts/jupyter';

const SCRIPT = path.join(ROOT, 'scripts', 'setup-jupyter.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-lab-setup-'));

function setup(env: NodeJS.ProcessEnv, ...args: string[]) {
  const venv = path.join(dir, `venv-${Math.random().toString(36).slice(2)}`);
  const clean = { ...process.env };
  for (const k of ['SAE_PYTHON', 'SAE_NO_VENV', 'SAE_VENV_PYTHON']) delete clean[k];
  const r = spawnSync(process.execPath, [SCRIPT, `--venv=${venv}`, ...args], { env: { ...clean, ...env }, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, venv };
}

/** A stand-in for a Python: answers the version probe, and fails `-m venv` as Debian's does without python3-venv. */
function fakePython(version: string): string {
  const file = path.join(dir, `python-${version}`);
  fs.writeFileSync(file, `#!/bin/sh
case "$*" in
  *"-m venv"*) echo "The virtual environment was not created successfully because ensurepip is not available." >&2;
               echo "On Debian/Ubuntu systems, you need to install the python3-venv package" >&2; mkdir -p "$3/bin"; exit 1;;
  *) echo "${version}"; echo "${file}";;
esac
`, { mode: 0o755 });
  return file;
}

test('SAE_NO_VENV=1 makes no environment', () => {
  const r = setup({ SAE_NO_VENV: '1' });
  assert.equal(r.status, 0);
  assert.match(r.out, /SAE_NO_VENV=1: no \.venv/);
  assert.equal(fs.existsSync(r.venv), false);
});

test('an unknown SAE_NO_VENV value is refused', () => {
  const r = setup({ SAE_NO_VENV: 'maybe' });
  assert.equal(r.status, 1);
  assert.match(r.out, /SAE_NO_VENV="maybe" is not understood/);
});

test('SAE_PYTHON without Jupyter: says how to fix it, the install goes on; --strict fails', () => {
  const bogus = path.join(dir, 'no-such-python');
  const r = setup({ SAE_PYTHON: bogus });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, new RegExp(`Jupyter not set up: SAE_PYTHON=${bogus} cannot import jupyter_client, nbclient, nbconvert`));
  assert.match(r.out, /pip install -r scripts\/jupyter-requirements\.txt/);
  assert.equal(fs.existsSync(r.venv), false);
  assert.equal(setup({ SAE_PYTHON: bogus }, '--strict').status, 1);
});

test('SAE_PYTHON with Jupyter is used as it is', { skip: jupyterMissing() ? 'skipped: no Jupyter here' : false }, () => {
  const r = setup({ SAE_PYTHON: jupyterPython().python });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /Jupyter from SAE_PYTHON=.*nbclient \d/);
  assert.equal(fs.existsSync(r.venv), false);
});

test('no Python with venv: names the package to install, leaves no half-made environment', () => {
  const r = setup({ SAE_VENV_PYTHON: fakePython('3.11') });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /no Python 3\.10\+ that can create a virtual environment .*no ensurepip: python3-venv missing/);
  assert.match(r.out, /apt-get install -y python3 python3-venv/);
  assert.match(r.out, /npm run setup:jupyter/);
  assert.equal(fs.existsSync(r.venv), false, 'a half-made environment was left behind');
  assert.equal(setup({ SAE_VENV_PYTHON: fakePython('3.11') }, '--strict').status, 1);
});

test('a Python older than 3.10 or none at all is passed over, with the reason', () => {
  let r = setup({ SAE_VENV_PYTHON: fakePython('3.8') });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /Python 3\.8, older than 3\.10/);
  r = setup({ SAE_VENV_PYTHON: path.join(dir, 'nothing-here') });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /nothing-here: not found/);
});

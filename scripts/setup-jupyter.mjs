#!/usr/bin/env node
/**
 * Sets up Jupyter for the kit: a project-local Python environment, .venv/, with the pinned
 * JupyterLab 4, Notebook 7, nbclient, nbconvert and plotly of scripts/jupyter-requirements.txt
 * (from PyPI). Runs on `npm install`; `npm run setup:jupyter` runs it again and fails loudly
 * (--strict) instead of only saying what is missing. `--venv=DIR` makes it elsewhere (tests).
 *
 * Nothing is created when SAE_NO_VENV=1, or when SAE_PYTHON names a Python that already has Jupyter.
 * Where no Python 3.10+ with venv is found, or PyPI can't be reached, it says what to do and the
 * rest of `npm install` still succeeds (the notebook tests then skip locally, with that message).
 *
 * The Python the environment is made from: SAE_VENV_PYTHON when set, else the first of
 * /usr/bin/python3 (the system's, the one CI and Debian's python3-venv provide) and `python3`
 * on PATH (which may be a pyenv or Homebrew Python) that is 3.10 or newer and can create a venv.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
// --venv=DIR: another place than .venv (the tests use a scratch folder).
const venvArg = process.argv.find((a) => a.startsWith('--venv='));
const VENV = venvArg ? path.resolve(venvArg.slice('--venv='.length)) : path.join(root, '.venv');
const NAME = path.relative(root, VENV).startsWith('..') ? VENV : path.relative(root, VENV);
const VENV_PYTHON = process.platform === 'win32' ? path.join(VENV, 'Scripts', 'python.exe') : path.join(VENV, 'bin', 'python');
// Written last, after pip succeeded: scripts/jupyter.ts uses .venv only when it is there.
const STAMP = path.join(VENV, 'sae-lab-jupyter.json');
const REQUIREMENTS = path.join(root, 'scripts', 'jupyter-requirements.txt');
const CONSTRAINTS = path.join(root, 'scripts', 'jupyter-constraints.txt');
const MIN_PYTHON = [3, 10]; // JupyterLab 4.6, Notebook 7.6 and nbclient 0.11 need 3.10
const NEEDED = 'import jupyter_client, nbclient, nbconvert';
const HINT_VENV = 'Debian/Ubuntu: apt-get install -y python3 python3-venv; Fedora: dnf install python3; ' +
  'macOS: brew install python; then run npm run setup:jupyter';

const say = (msg) => console.log(`sae-lab: ${msg}`);

function giveUp(why, hint) {
  console.warn(`sae-lab: Jupyter not set up: ${why}.\n  ${hint}\n  Everything else is installed; ` +
    'the notebook tests are skipped until Jupyter is there (see README, "Set up").');
  process.exit(strict ? 1 : 0);
}

function flag(name) {
  const v = (process.env[name] ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(v)) return false;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  console.error(`sae-lab: ${name}=${JSON.stringify(process.env[name])} is not understood; expected 1/true/yes/on or 0/false/no/off`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim() || (r.error ? String(r.error.message) : '') };
}

/** Python's "major.minor" and its real executable, or null when it doesn't run. */
function describePython(python) {
  const r = run(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2]); print(sys.executable)']);
  if (!r.ok) return null;
  const [version, executable] = r.out.split('\n');
  return { version, executable };
}

const atLeast = (version) => {
  const [a, b] = version.split('.').map(Number);
  return a > MIN_PYTHON[0] || (a === MIN_PYTHON[0] && b >= MIN_PYTHON[1]);
};

function fingerprint(python) {
  const h = createHash('sha256');
  for (const f of [REQUIREMENTS, CONSTRAINTS]) h.update(readFileSync(f));
  return { requirements: h.digest('hex').slice(0, 16), python: python.version };
}

function versions(python) {
  const r = run(python, ['-c', 'import json, importlib.metadata as m\n' +
    'def v(p):\n  try: return m.version(p)\n  except Exception: return None\n' +
    'print(json.dumps({p: v(p) for p in ["jupyterlab", "notebook", "nbclient", "nbconvert", "plotly"]}))']);
  return r.ok ? JSON.parse(r.out) : {};
}

const listVersions = (v) => Object.entries(v).filter(([, x]) => x).map(([k, x]) => `${k} ${x}`).join(', ');

if (flag('SAE_NO_VENV')) {
  say('SAE_NO_VENV=1: no .venv; Jupyter comes from SAE_PYTHON, else /usr/bin/python3');
  process.exit(0);
}

const configured = process.env.SAE_PYTHON;
if (configured) {
  const probe = run(configured, ['-c', NEEDED]);
  if (!probe.ok) {
    giveUp(`SAE_PYTHON=${configured} cannot ${NEEDED}`,
      `Install them into it (${configured} -m pip install -r scripts/jupyter-requirements.txt), or unset SAE_PYTHON ` +
      'and run npm run setup:jupyter to get the kit\'s own .venv');
  }
  const v = versions(configured);
  say(`Jupyter from SAE_PYTHON=${configured} (${listVersions(v)}); no .venv`);
  if (!v.plotly) say('  note: plotly is not installed there, so JupyterLab draws the charts only in trusted notebooks (see environment.md)');
  process.exit(0);
}

// Already set up with these requirements: nothing to do (npm ci keeps .venv).
if (existsSync(STAMP) && existsSync(VENV_PYTHON)) {
  const current = describePython(VENV_PYTHON);
  let stamp = null;
  try { stamp = JSON.parse(readFileSync(STAMP, 'utf8')); } catch { /* rewritten below */ }
  if (current && stamp && JSON.stringify(stamp.fingerprint) === JSON.stringify(fingerprint(current)) && run(VENV_PYTHON, ['-c', NEEDED]).ok) {
    say(`Jupyter in ${NAME} is up to date (${listVersions(versions(VENV_PYTHON))})`);
    process.exit(0);
  }
}

const started = Date.now();
const tried = [];
let base = null;
const candidates = process.env.SAE_VENV_PYTHON ? [process.env.SAE_VENV_PYTHON] : ['/usr/bin/python3', 'python3'];
for (const candidate of candidates) {
  const info = describePython(candidate);
  if (!info) { tried.push(`${candidate}: not found`); continue; }
  if (!atLeast(info.version)) { tried.push(`${candidate}: Python ${info.version}, older than ${MIN_PYTHON.join('.')}`); continue; }
  // A venv of another Python version is made again; one of the same version is reused (pip updates it).
  const existing = existsSync(VENV_PYTHON) ? describePython(VENV_PYTHON) : null;
  if (existing && existing.version === info.version) { base = info; break; }
  rmSync(VENV, { recursive: true, force: true });
  say(`creating ${NAME} with ${candidate} (Python ${info.version}, ${info.executable})`);
  const made = run(info.executable, ['-m', 'venv', VENV]);
  if (made.ok && existsSync(VENV_PYTHON)) { base = info; break; }
  rmSync(VENV, { recursive: true, force: true });
  const why = /ensurepip|venv/.test(made.err) ? 'cannot create a venv (no ensurepip: python3-venv missing?)' : made.err.split('\n').pop();
  tried.push(`${candidate}: Python ${info.version}, ${why}`);
}
if (!base) giveUp(`no Python ${MIN_PYTHON.join('.')}+ that can create a virtual environment (${tried.join('; ')})`, HINT_VENV);

const pip = (extra) => {
  const args = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', '-q', '-r', REQUIREMENTS, ...extra];
  return spawnSync(VENV_PYTHON, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
};
say(`installing ${readFileSync(REQUIREMENTS, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join(' ')} into ${NAME} (PyPI)`);
let r = pip(['-c', CONSTRAINTS]);
if (r.status !== 0 && !/Could not fetch|Failed to establish|NewConnectionError|Network is unreachable|Temporary failure/.test(r.stderr ?? '')) {
  // The tested set can't be met here (another Python version): the top-level pins alone.
  say('the tested versions in scripts/jupyter-constraints.txt do not fit this Python; installing with the top-level pins alone');
  r = pip([]);
}
if (r.status !== 0) {
  process.stderr.write(r.stderr ?? '');
  rmSync(STAMP, { force: true });
  giveUp('pip could not install the Jupyter packages (is PyPI reachable?)', 'Run npm run setup:jupyter again once it is');
}
const probe = run(VENV_PYTHON, ['-c', NEEDED]);
if (!probe.ok) giveUp(`${NAME} was installed but ${NEEDED} fails: ${probe.err}`, `Remove ${NAME} and run npm run setup:jupyter`);
writeFileSync(STAMP, JSON.stringify({ fingerprint: fingerprint(base), base: base.executable, at: new Date().toISOString() }, null, 1));
say(`Jupyter set up in ${NAME} in ${((Date.now() - started) / 1000).toFixed(0)} s: ${listVersions(versions(VENV_PYTHON))}`);

/**
 * `npm start`: registers this project's tslab kernel and opens JupyterLab on notebooks/, from the
 * kit's .venv (made by npm install), SAE_PYTHON, or what is on PATH; where only the classic notebook
 * is installed, that. The token stays on: open the URL with `?token=...` that Jupyter prints.
 * `npm start -- --ui=notebook` opens the Notebook 7 UI instead (`--ui=classic`: the classic notebook);
 * other arguments go to Jupyter.
 *
 * startJupyter() is the same start for code (the browser tests): a free port, a token, a root folder,
 * and a promise that resolves once the server answers.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { PLOTLY_ASSET_DIR, PYTHON, ROOT, jupyterEnv, jupyterVersions, registerKernel } from './jupyter';

/** 'lab': JupyterLab; 'notebook': the Notebook 7 app (its own server); 'classic': the classic notebook (6.x) */
export type JupyterKind = 'lab' | 'notebook' | 'classic';

export interface JupyterApp {
  kind: JupyterKind;
  /** e.g. "JupyterLab 4.6.6" */
  name: string;
  /** the command line that starts it */
  command: string[];
  /** whether this Jupyter renders application/vnd.plotly.v1+json (plotly's lab extension) */
  plotlyRenderer: boolean;
  /** the server's config class for command-line options: ServerApp (jupyter_server) or NotebookApp (notebook 6) */
  config: 'ServerApp' | 'NotebookApp';
  /** with notebook 7 beside JupyterLab, the server also serves the Notebook 7 UI (/tree, /notebooks/...) */
  notebook7: boolean;
}

function runs(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout || r.stderr).trim() : null;
}

/** The full path of a command on PATH (Jupyter is started with .venv/bin first on PATH, so a bare name could change meaning). */
function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, cmd);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch { /* not here */ }
  }
  return null;
}

const major = (v: string | null) => (v ? Number(v.split('.')[0]) : 0);

/**
 * The Jupyter to start: `kind` 'lab' (JupyterLab), 'notebook' (Notebook 7) or 'classic' (the classic
 * notebook), or the best there is (JupyterLab, else Notebook 7, else the classic notebook). Looks in
 * PYTHON first (the kit's .venv, SAE_PYTHON or /usr/bin/python3), then on PATH. Null when none is installed.
 */
export function findJupyter(kind?: JupyterKind): JupyterApp | null {
  const v = jupyterVersions(PYTHON);
  const apps: JupyterApp[] = [];
  if (v.jupyterlab) {
    apps.push({ kind: 'lab', name: `JupyterLab ${v.jupyterlab}`, command: [PYTHON, '-m', 'jupyterlab'], plotlyRenderer: v.plotly !== null && major(v.plotly) >= 5, config: 'ServerApp', notebook7: major(v.notebook) >= 7 });
  } else {
    const lab = which('jupyter-lab');
    const version = lab && runs(lab, ['--version']);
    if (lab && version) apps.push({ kind: 'lab', name: `JupyterLab ${version}`, command: [lab], plotlyRenderer: false, config: 'ServerApp', notebook7: false });
  }
  if (v.notebook && major(v.notebook) >= 7) {
    apps.push({ kind: 'notebook', name: `Notebook ${v.notebook}`, command: [PYTHON, '-m', 'notebook'], plotlyRenderer: v.plotly !== null && major(v.plotly) >= 5, config: 'ServerApp', notebook7: true });
  }
  if (v.notebook && major(v.notebook) < 7) {
    apps.push({ kind: 'classic', name: `the classic notebook ${v.notebook}`, command: [PYTHON, '-m', 'notebook'], plotlyRenderer: false, config: 'NotebookApp', notebook7: false });
  } else {
    const classic = which('jupyter-notebook');
    const version = classic && runs(classic, ['--version']);
    if (classic && version && major(version) < 7) {
      apps.push({ kind: 'classic', name: `the classic notebook ${version}`, command: [classic], plotlyRenderer: false, config: 'NotebookApp', notebook7: false });
    }
  }
  return apps.find((a) => kind === undefined || a.kind === kind) ?? null;
}

export interface StartOptions {
  /** which Jupyter (default: JupyterLab, else Notebook 7, else the classic notebook) */
  kind?: JupyterKind;
  /** the folder Jupyter shows (default notebooks/) */
  root?: string;
  /** port (default: Jupyter's, 8888 or the next free one) */
  port?: number;
  /** address to listen on (default: Jupyter's, localhost) */
  ip?: string;
  /** the token (default: Jupyter makes one and prints it); never empty */
  token?: string;
  /** open a browser (default: Jupyter's choice) */
  openBrowser?: boolean;
  /** more environment for the server and its kernels (e.g. SAE_QUICK) */
  env?: NodeJS.ProcessEnv;
  /** more command-line options for Jupyter */
  args?: string[];
}

/** The command line and environment that start Jupyter with these options. */
export function jupyterCommand(app: JupyterApp, options: StartOptions = {}): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const extra = options.args ?? [];
  const args = [...app.command.slice(1), `--notebook-dir=${options.root ?? path.join(ROOT, 'notebooks')}`];
  // Where a chart's HTML fallback finds Plotly (the Plotly MIME renderer needs nothing from here).
  args.push(`--${app.config}.extra_static_paths=${PLOTLY_ASSET_DIR}`);
  if (options.port !== undefined) args.push(`--port=${options.port}`, `--${app.config}.port_retries=0`);
  if (options.ip !== undefined) args.push(`--ip=${options.ip}`);
  if (options.openBrowser === false) args.push('--no-browser');
  // Jupyter refuses to run as root unless told; containers and these machines run as root.
  if (process.getuid?.() === 0 && !extra.includes('--allow-root')) args.push('--allow-root');
  args.push(...extra);
  const env = jupyterEnv(options.env);
  if (options.token !== undefined) {
    if (!options.token) throw new Error('an empty token would turn authentication off; give a token');
    env.JUPYTER_TOKEN = options.token;
  }
  return { cmd: app.command[0], args, env };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningJupyter {
  app: JupyterApp;
  /** http://127.0.0.1:PORT/ */
  baseUrl: string;
  token: string;
  process: ChildProcess;
  /** what the server printed so far */
  log(): string;
  /** GET/POST/DELETE on the server's REST API (with the token) */
  api(method: string, route: string, body?: unknown): Promise<unknown>;
  /** shuts down its kernels, then the server */
  stop(): Promise<void>;
}

/**
 * Starts Jupyter on 127.0.0.1 at a free port with a token, registers the kernel first, and resolves
 * once the server answers its REST API (rejects with its log when it exits or takes over `timeoutMs`).
 */
export async function startJupyter(options: StartOptions & { timeoutMs?: number } = {}): Promise<RunningJupyter> {
  const app = findJupyter(options.kind);
  if (!app) throw new Error(`no ${options.kind ?? 'Jupyter'} found (${PYTHON}; PATH)`);
  registerKernel();
  const token = options.token ?? randomBytes(24).toString('hex');
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? await freePort();
  const { cmd, args, env } = jupyterCommand(app, { ...options, ip, port, token, openBrowser: options.openBrowser ?? false });
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // A caller that dies without stop() (an uncaught error, a test runner's timeout) still ends the server.
  const orphanGuard = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); };
  process.on('exit', orphanGuard);
  child.on('exit', () => process.removeListener('exit', orphanGuard));
  let log = '';
  child.stdout!.on('data', (b) => { log += b; });
  child.stderr!.on('data', (b) => { log += b; });
  const baseUrl = `http://${ip}:${port}/`;
  const api = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${route.replace(/^\//, '')}`, {
      method,
      headers: { Authorization: `token ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  };
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      const kernels = (await api('GET', 'api/kernels')) as { id: string }[];
      await Promise.all(kernels.map((k) => api('DELETE', `api/kernels/${k.id}`).catch(() => undefined)));
    } catch { /* the server is going anyway */ }
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${app.name} exited (${child.exitCode ?? child.signalCode}) before it answered:\n${log}`);
    }
    try {
      await api('GET', 'api/status');
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${app.name} did not answer on ${baseUrl} within ${options.timeoutMs ?? 60_000} ms:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return { app, baseUrl, token, process: child, log: () => log, api, stop };
}

/** `npm start -- --ui=notebook`: which UI; the other arguments go to Jupyter. */
function parseArgs(argv: string[]): { kind?: JupyterKind; args: string[] } {
  let kind: JupyterKind | undefined;
  const args = argv.filter((a) => {
    const m = /^--ui=(lab|notebook|classic)$/.exec(a);
    if (m) kind = m[1] as JupyterKind;
    else if (a.startsWith('--ui=')) throw new Error(`${a}: expected --ui=lab, --ui=notebook or --ui=classic`);
    return !m;
  });
  return { kind, args };
}

function main(): void {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const app = findJupyter(parsed.kind);
  if (!app && parsed.kind) {
    console.error(`--ui=${parsed.kind}: not installed with ${PYTHON} or on PATH`);
    process.exit(2);
  }
  if (!app) {
    console.error('No Jupyter found. Run npm install (it sets up JupyterLab in .venv; it needs Python 3.10+ with venv, ' +
      'e.g. apt-get install -y python3-venv, then npm run setup:jupyter), or set SAE_PYTHON to a Python with JupyterLab.');
    process.exit(2);
  }
  const spec = registerKernel();
  console.log(`registered the tslab kernel: ${spec}`);
  const { cmd, args, env } = jupyterCommand(app, { args: parsed.args });
  console.log(`starting ${app.name}: ${cmd} ${args.join(' ')}`);
  if (app.kind !== 'classic' && !app.plotlyRenderer) {
    console.log('note: plotly is not installed in this Jupyter, so charts draw only in trusted notebooks ' +
      `(${PYTHON} -m pip install plotly, or use the kit's .venv; see environment.md)`);
  }
  const child = spawn(cmd, args, { stdio: 'inherit', env });
  child.on('exit', (code) => process.exit(code ?? 0));
  // Ctrl-C reaches Jupyter from the terminal itself (it asks whether to stop); stay until it exits.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
}

if (require.main === module) main();

/**
 * `npm start`: registers this project's tslab kernel and opens Jupyter on notebooks/:
 * JupyterLab where it is installed, otherwise the classic notebook. The token stays on:
 * open the URL with `?token=...` that Jupyter prints.
 */
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';
import { PYTHON, ROOT, jupyterEnv, registerKernel } from './jupyter';

function has(args: string[]): boolean {
  return spawnSync(args[0], args.slice(1), { stdio: 'ignore' }).status === 0;
}

function main(): void {
  const spec = registerKernel();
  console.log(`registered the tslab kernel: ${spec}`);
  const extra = process.argv.slice(2);
  const candidates: [string, string[], string][] = [
    ['jupyter-lab', ['--version'], 'JupyterLab'],
    [PYTHON, ['-m', 'jupyterlab', '--version'], 'JupyterLab'],
    ['jupyter-notebook', ['--version'], 'the classic Jupyter notebook'],
  ];
  for (const [cmd, probe, name] of candidates) {
    if (!has([cmd, ...probe])) continue;
    const args = cmd === PYTHON ? ['-m', 'jupyterlab'] : [];
    args.push(`--notebook-dir=${path.join(ROOT, 'notebooks')}`);
    // Jupyter refuses to run as root unless told; containers and these machines run as root.
    if (process.getuid?.() === 0 && !extra.includes('--allow-root')) args.push('--allow-root');
    args.push(...extra);
    console.log(`starting ${name}: ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { stdio: 'inherit', env: jupyterEnv() });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  console.error('No Jupyter found. Install JupyterLab (pip install jupyterlab) or Debian\'s classic notebook ' +
    '(apt-get install -y jupyter-notebook), then run npm start again.');
  process.exit(2);
}

main();

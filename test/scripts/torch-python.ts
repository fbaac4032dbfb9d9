/** The Python that runs the lesson's PyTorch code, for the agreement tests. */
import { spawnSync } from 'node:child_process';

/** The first python3 with torch: $PYTHON, python3 on the PATH, then Debian's /usr/bin/python3. */
export function findPython(): { python: string | null; why: string } {
  const tried: string[] = [];
  for (const python of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p)) {
    const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return { python, why: '' };
    tried.push(`${python}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { python: null, why: `no python3 with torch (apt-get install python3-torch): ${tried.join('; ')}` };
}

/** The test's skip reason where no python3 has torch (never in CI, where that fails instead). */
export function torchSkip(python: string | null, why: string): string | false {
  return python === null && process.env.CI !== 'true' ? why : false;
}

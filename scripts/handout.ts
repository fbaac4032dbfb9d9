/**
 * `npm run handout`: the course as a hand-out, from the committed notebooks (the solution version).
 *
 *   out/handout/student/            notebooks with every solution region replaced by a stub, open-question
 *                                   answers removed, outputs cleared; the kit (src/, scripts/, native/,
 *                                   package files) so the folder runs as it is; a README for learners
 *   out/handout/solutions/          the full notebooks, outputs cleared
 *   out/handout/sae-lab-student.zip the student folder, for handing out
 *   out/handout/tasks.json          tasks and open questions per notebook (the lesson index shows the counts)
 *
 * Markers (nbgrader's delimiters, found as substrings of a line as nbgrader does):
 *   code cells      `// BEGIN SOLUTION` ... `// END SOLUTION`: replaced by `// YOUR CODE HERE` and
 *                   `throw new NotImplemented('<task>');`, indented like the BEGIN line. The task is the
 *                   cell's `check.<task>(...)` call, or a name after the marker (`// BEGIN SOLUTION plot`).
 *   markdown cells  `<!-- BEGIN SOLUTION -->` ... `<!-- END SOLUTION -->`: replaced by `*Your answer here.*`
 * A BEGIN without END, an END without BEGIN, nested markers and markers of the wrong kind for the cell
 * are errors naming the notebook and the cell. So is a later cell that uses a name a task cell declares:
 * in the student version the task cell fails, tslab keeps none of its declarations, and that cell would
 * not compile. Usage: tsx scripts/handout.ts [--out DIR] [--no-zip]
 */
import * as fs from 'fs';
import * as path from 'path';
import { taskInfo } from '../src/check/tasks';
import { HandoutError, Notebook, NotebookHandout, makeHandout } from './handout-notebook';
import { TaskSummary, learnerReadme, solutionsReadme } from './handout-readme';
import { zipFolder } from './handout-zip';

export {
  CODE_STUB, TEXT_STUB, HandoutError, makeHandout, tokens, solutionLines, findSolutionLeaks, topLevelNames,
} from './handout-notebook';
export type { Cell, Notebook, TaskCell, NotebookHandout } from './handout-notebook';
export { crc32, writeZip, zipFolder } from './handout-zip';
export { learnerReadme } from './handout-readme';
export type { TaskSummary } from './handout-readme';

export const ROOT = path.resolve(__dirname, '..');
export const HANDOUT_OUT = path.join(ROOT, 'out', 'handout');

/** Files of scripts/ that are the teacher's tools, not the learner's. */
const TEACHER_SCRIPTS = [/^handout/, /^execute_with_errors\.py$/];

/** Whether a path (relative to the root, with /) is ignored by the simple .gitignore patterns the kit uses. */
function ignoredBy(patterns: string[]): (rel: string, isDir: boolean) => boolean {
  return (rel, isDir) => patterns.some((p) => {
    const dirOnly = p.endsWith('/');
    const pat = dirOnly ? p.slice(0, -1) : p;
    if (dirOnly && !isDir) return false;
    if (pat.startsWith('*.')) return rel.endsWith(pat.slice(1));
    if (pat.includes('/')) return rel === pat.replace(/^\//, '');
    return path.posix.basename(rel) === pat;
  });
}

function gitignorePatterns(root: string): string[] {
  const file = path.join(root, '.gitignore');
  if (!fs.existsSync(file)) return ['node_modules/', 'out/', '.cache/', '.jupyter/'];
  return fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
}

/** Copies `from` (a folder under root) to `to`, skipping what .gitignore ignores and what `skip` says. */
function copyTree(root: string, from: string, to: string, skip: (rel: string) => boolean = () => false): number {
  const ignored = ignoredBy(gitignorePatterns(root));
  let files = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      const rel = path.relative(root, abs).split(path.sep).join('/');
      if (ignored(rel, entry.isDirectory()) || skip(rel)) continue;
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) {
        const dest = path.join(to, path.relative(from, abs));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.copyFileSync(abs, dest);
        files += 1;
      }
    }
  };
  walk(from);
  return files;
}

/** JSON with nbformat's one-space indent (notebooks) or npm's two (package files). */
function writeJson(file: string, value: unknown, indent = 1): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, indent)}\n`);
}

/** The kit's package.json for learners: the scripts that run the course, not the teacher's and tester's. */
function learnerPackage(root: string): Record<string, unknown> {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const keep = ['start', 'lesson', 'install', 'build:native', 'setup:jupyter', 'typecheck'];
  pkg.scripts = Object.fromEntries(Object.entries(pkg.scripts ?? {}).filter(([k]) => keep.includes(k)));
  return pkg;
}

function learnerTsconfig(root: string): Record<string, unknown> {
  const ts = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
  ts.include = ['src', 'scripts'];
  return ts;
}

// ---------------------------------------------------------------------------------------------
// The hand-out.

export interface HandoutOptions {
  /** where the kit's files come from (this project by default) */
  root?: string;
  /** the notebooks (default: root/notebooks/NN-*.ipynb) */
  notebooks?: string[];
  /** the output folder (out/handout by default) */
  out?: string;
  /** write the zip (default true) */
  zip?: boolean;
  /** force the JavaScript zip writer even where the zip command exists (tests) */
  zipWith?: 'cli' | 'node';
}

export interface HandoutResult {
  out: string;
  student: string;
  solutions: string;
  zip: string | null;
  zippedWith: 'zip' | 'node' | null;
  summary: TaskSummary;
}

function notebooksIn(root: string): string[] {
  const dir = path.join(root, 'notebooks');
  return fs.readdirSync(dir).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort().map((f) => path.join(dir, f));
}

/** Tasks and open questions per notebook, for tasks.json, the README and the lesson index. */
export function summarize(handouts: NotebookHandout[]): TaskSummary {
  const notebooks = handouts.map((h) => ({
    notebook: h.name,
    title: h.title,
    tasks: h.tasks.map((t) => {
      const info = taskInfo(t.task);
      return { task: t.task, cell: t.cell, title: info?.title ?? t.task, difficulty: info?.difficulty ?? null, importance: info?.importance ?? null, minutes: info?.minutes ?? null };
    }),
    questions: h.questions,
  }));
  return {
    notebooks,
    tasks: notebooks.reduce((n, nb) => n + nb.tasks.length, 0),
    questions: notebooks.reduce((n, nb) => n + nb.questions, 0),
  };
}

/** The notebook in `file`; a HandoutError naming the file (and the parse error) when it is not one. */
function readNotebook(file: string): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new HandoutError(`${file} is not a notebook: invalid JSON (${err.message})`);
    throw err;
  }
  if (!Array.isArray((nb as { cells?: unknown } | null)?.cells)) throw new HandoutError(`${file} is not a notebook: it has no list of cells`);
  return nb as Notebook;
}

/** The number of tasks in each notebook (file name without .ipynb -> count), e.g. for the lesson's index page. */
export function taskCounts(notebooks: string[] = notebooksIn(ROOT)): Record<string, number> {
  return Object.fromEntries(notebooks.map((file) => {
    const h = makeHandout(readNotebook(file), path.basename(file));
    return [h.name, h.tasks.length];
  }));
}

export function buildHandout(options: HandoutOptions = {}): HandoutResult {
  const root = options.root ?? ROOT;
  const out = options.out ?? path.join(root, 'out', 'handout');
  const files = options.notebooks ?? notebooksIn(root);
  const handouts: NotebookHandout[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      handouts.push(makeHandout(readNotebook(file), path.basename(file)));
    } catch (err) {
      if (!(err instanceof HandoutError)) throw err;
      problems.push(err.message);
    }
  }
  if (problems.length > 0) throw new HandoutError(problems.join('\n'));
  const summary = summarize(handouts);
  const student = path.join(out, 'student');
  const solutions = path.join(out, 'solutions');
  const zip = path.join(out, 'sae-lab-student.zip');
  for (const p of [student, solutions, zip, path.join(out, 'tasks.json')]) fs.rmSync(p, { recursive: true, force: true });

  for (const h of handouts) {
    writeJson(path.join(student, 'notebooks', `${h.name}.ipynb`), h.student);
    writeJson(path.join(solutions, `${h.name}.ipynb`), h.solution);
  }
  const notebookDir = path.join(root, 'notebooks');
  if (fs.existsSync(notebookDir)) {
    // Anything else the notebooks folder holds (images, data); its notebooks only in their student version.
    copyTree(root, notebookDir, path.join(student, 'notebooks'), (rel) => rel.endsWith('.ipynb'));
  }
  copyTree(root, path.join(root, 'src'), path.join(student, 'src'));
  copyTree(root, path.join(root, 'scripts'), path.join(student, 'scripts'), (rel) => TEACHER_SCRIPTS.some((re) => re.test(path.posix.basename(rel))));
  if (fs.existsSync(path.join(root, 'native'))) copyTree(root, path.join(root, 'native'), path.join(student, 'native'), (rel) => rel.startsWith('native/build'));
  for (const f of ['package-lock.json', '.gitignore', 'environment.md']) {
    if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(student, f));
  }
  // The kernel launcher must stay executable.
  const launcher = path.join(student, 'scripts', 'tslab-kernel');
  if (fs.existsSync(launcher)) fs.chmodSync(launcher, 0o755);
  writeJson(path.join(student, 'package.json'), learnerPackage(root), 2);
  writeJson(path.join(student, 'tsconfig.json'), learnerTsconfig(root), 2);
  fs.writeFileSync(path.join(student, 'README.md'), learnerReadme(summary));
  fs.writeFileSync(path.join(solutions, 'README.md'), solutionsReadme(summary));
  writeJson(path.join(out, 'tasks.json'), summary);
  let zippedWith: 'zip' | 'node' | null = null;
  if (options.zip ?? true) {
    zippedWith = zipFolder(student, zip, 'sae-lab-student', options.zipWith === undefined ? undefined : options.zipWith === 'cli');
  }
  return { out, student, solutions, zip: zippedWith ? zip : null, zippedWith, summary };
}

function main(): void {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? path.resolve(args[outAt + 1] ?? '') : undefined;
  let result: HandoutResult;
  try {
    result = buildHandout({ out, zip: !args.includes('--no-zip') });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(err instanceof HandoutError ? 1 : 2);
  }
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  for (const nb of result.summary.notebooks) {
    const tasks = nb.tasks.map((t) => t.task).join(', ');
    console.log(`${nb.notebook.padEnd(30)} ${String(nb.tasks.length).padStart(2)} tasks${tasks ? ` (${tasks})` : ''}` +
      `${nb.questions ? `, ${nb.questions} open questions` : ''}`);
  }
  console.log(`${result.summary.tasks} tasks and ${result.summary.questions} open questions in ${result.summary.notebooks.length} notebooks`);
  console.log(`student version: ${rel(result.student)}`);
  console.log(`solutions:       ${rel(result.solutions)}`);
  if (result.zip) console.log(`zip:             ${rel(result.zip)} (${(fs.statSync(result.zip).size / 1e6).toFixed(1)} MB, ${result.zippedWith === 'zip' ? 'zip command' : 'built-in writer'})`);
  console.log(`task counts:     ${rel(path.join(result.out, 'tasks.json'))}`);
}

if (require.main === module) main();

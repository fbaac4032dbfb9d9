/**
 * The hand-out's notebook side: finds nbgrader's solution markers in a notebook, checks them, and
 * makes the student version (every code region a stub that type-checks and throws NotImplemented,
 * every markdown answer a line for the learner's own) and the solution version (outputs cleared).
 * See handout.ts for the rules.
 */
import { TASKS, taskInfo } from '../src/check/tasks';

export const CODE_STUB = '// YOUR CODE HERE';
export const TEXT_STUB = '*Your answer here.*';
const BEGIN = 'BEGIN SOLUTION';
const END = 'END SOLUTION';

export interface Cell {
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
  id?: string;
  [key: string]: unknown;
}

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** A marker or task problem, naming the notebook and the cell. */
export class HandoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandoutError';
  }
}

export interface TaskCell {
  /** check.<task>, or the name given after BEGIN SOLUTION */
  task: string;
  /** the cell's index in the notebook (counting markdown cells, from 0) */
  cell: number;
  /** whether the task has a check in the kit */
  checked: boolean;
}

export interface NotebookHandout {
  /** file name without .ipynb */
  name: string;
  title: string;
  tasks: TaskCell[];
  /** markdown answer regions (open questions) */
  questions: number;
  student: Notebook;
  solution: Notebook;
}

const sourceOf = (cell: Cell): string => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

/** nbformat's multi-line source: one string per line, each but the last ending in \n. */
function toSource(text: string): string[] {
  const lines = text.split('\n');
  return lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)).filter((l, i, a) => l !== '' || i < a.length - 1);
}

const ordinal = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;

/** "02-kl-autoencoder.ipynb, cell 7 (4th code cell)" */
function where(notebook: string, nb: Notebook, index: number): string {
  const cell = nb.cells[index];
  const kind = cell.cell_type;
  const nth = nb.cells.slice(0, index + 1).filter((c) => c.cell_type === kind).length;
  return `${notebook}, cell ${index} (${ordinal(nth)} ${kind} cell)`;
}

interface Region {
  /** line index of BEGIN, of END */
  begin: number;
  end: number;
  /** a name written after BEGIN SOLUTION (code cells), or null */
  name: string | null;
}

/** The solution regions of a cell; throws on malformed or misplaced markers. */
function regions(lines: string[], cell: Cell, at: string): Region[] {
  const found: Region[] = [];
  let open: { line: number; name: string | null } | null = null;
  lines.forEach((line, i) => {
    const isBegin = line.includes(BEGIN);
    const isEnd = line.includes(END);
    if (!isBegin && !isEnd) return;
    const trimmed = line.trim();
    const marker = isBegin ? BEGIN : END;
    if (cell.cell_type === 'raw') throw new HandoutError(`${at}: a raw cell holds "${marker}" (line ${i + 1}); solution regions go in code or markdown cells`);
    if (cell.cell_type === 'code' && !trimmed.startsWith('//')) {
      throw new HandoutError(`${at}: line ${i + 1} holds "${marker}" but is not a \`// ${marker}\` comment` +
        (trimmed.startsWith('<!--') ? ' (the HTML comment marker is for markdown cells)' : ''));
    }
    if (cell.cell_type === 'markdown' && !(trimmed.startsWith('<!--') && trimmed.endsWith('-->'))) {
      throw new HandoutError(`${at}: line ${i + 1} holds "${marker}" but is not an \`<!-- ${marker} -->\` comment` +
        (trimmed.startsWith('//') ? ' (the // marker is for code cells)' : ''));
    }
    if (isBegin) {
      if (open) throw new HandoutError(`${at}: nested solution regions: BEGIN SOLUTION on line ${i + 1} inside the region opened on line ${open.line + 1}`);
      const rest = trimmed.slice(trimmed.indexOf(BEGIN) + BEGIN.length).replace(/-->$/, '').trim();
      open = { line: i, name: rest === '' ? null : rest };
    } else {
      if (!open) throw new HandoutError(`${at}: END SOLUTION on line ${i + 1} without a BEGIN SOLUTION before it`);
      found.push({ begin: open.line, end: i, name: open.name });
      open = null;
    }
  });
  if (open) throw new HandoutError(`${at}: BEGIN SOLUTION on line ${(open as { line: number }).line + 1} has no END SOLUTION`);
  return found;
}

/** The check calls of a cell: the task names in `check.<task>(`. */
function checkCalls(source: string): string[] {
  return Array.from(new Set(Array.from(source.matchAll(/\bcheck\.([A-Za-z_$][\w$]*)\s*\(/g), (m) => m[1])));
}

/** Names a cell declares at its top level (function, class, const/let/var, simple destructuring). */
export function topLevelNames(source: string): string[] {
  const names: string[] = [];
  for (const line of source.split('\n')) {
    let m = /^(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/.exec(line) ?? /^(?:export\s+)?class\s+([A-Za-z_$][\w$]*)/.exec(line);
    if (m) {
      names.push(m[1]);
      continue;
    }
    m = /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)/.exec(line);
    if (m) {
      names.push(m[1]);
      continue;
    }
    m = /^(?:export\s+)?(?:const|let|var)\s+[{[]([^=]*)[}\]]\s*=/.exec(line);
    if (m) {
      for (const part of m[1].split(',')) {
        const name = /(?:^|:)\s*([A-Za-z_$][\w$]*)\s*(?:=.*)?$/.exec(part.trim());
        if (name) names.push(name[1]);
      }
    }
  }
  return names;
}

/** The identifiers of a code cell, outside strings and comments (roughly: enough to find a name's uses). */
function identifiers(source: string): Set<string> {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g, ' ');
  // Template literals: keep what is inside ${...}.
  const withoutTemplates = code.replace(/`(?:\\.|[^`\\])*`/g, (t) => Array.from(t.matchAll(/\$\{([^}]*)\}/g), (m) => ` ${m[1]} `).join(' '));
  // An identifier right before a colon is an object key or a parameter's name, not a use.
  return new Set(Array.from(withoutTemplates.matchAll(/(?<![\w$.])[A-Za-z_$][\w$]*(?![\w$])(?!\s*:)/g), (m) => m[0]));
}

function clearOutputs(cell: Cell): Cell {
  const out: Cell = { ...cell, source: toSource(sourceOf(cell)) };
  if (out.cell_type === 'code') {
    out.outputs = [];
    out.execution_count = null;
  }
  if (out.metadata) {
    const { execution: _execution, collapsed: _collapsed, scrolled: _scrolled, ...rest } = out.metadata as Record<string, unknown>;
    out.metadata = rest;
  }
  return out;
}

/** The first markdown heading of a notebook. */
function titleOf(nb: Notebook, name: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'markdown') continue;
    const m = /^#\s+(.+)$/m.exec(sourceOf(cell));
    if (m) return m[1].trim();
  }
  return name;
}

/**
 * The student and solution versions of one notebook. `notebook` names it in errors. Throws a
 * HandoutError listing every problem found.
 */
export function makeHandout(nb: Notebook, notebook: string): NotebookHandout {
  const name = notebook.replace(/\.ipynb$/, '');
  const problems: string[] = [];
  const tasks: TaskCell[] = [];
  let questions = 0;
  const studentCells: Cell[] = [];
  const declared: { name: string; task: string; cell: number }[] = [];
  nb.cells.forEach((cell, index) => {
    const at = where(notebook, nb, index);
    const source = sourceOf(cell);
    const lines = source.split('\n');
    let found: Region[];
    try {
      found = regions(lines, cell, at);
    } catch (err) {
      problems.push((err as Error).message);
      studentCells.push(clearOutputs(cell));
      return;
    }
    // A later cell must not use what a task cell declares (the task cell fails in the student version).
    if (cell.cell_type === 'code') {
      const used = identifiers(source);
      for (const d of declared) {
        if (used.has(d.name)) {
          problems.push(`${at} uses ${d.name}, which task cell ${d.cell} (${d.task}) declares: in the student version that cell ` +
            'stops at the unfinished task and tslab keeps none of its declarations; use the kit\'s own function here');
        }
      }
    }
    if (found.length === 0) {
      studentCells.push(clearOutputs(cell));
      return;
    }
    if (cell.cell_type === 'markdown') {
      questions += found.length;
      const kept: string[] = [];
      let r = 0;
      for (let i = 0; i < lines.length; i++) {
        if (r < found.length && i === found[r].begin) {
          kept.push(TEXT_STUB);
          i = found[r].end;
          r += 1;
        } else {
          kept.push(lines[i]);
        }
      }
      studentCells.push(clearOutputs({ ...cell, source: kept.join('\n') }));
      return;
    }
    // A code task cell.
    const calls = checkCalls(source);
    const named = Array.from(new Set(found.map((f) => f.name).filter((n): n is string => n !== null)));
    let task: string | null = null;
    if (named.length > 1) problems.push(`${at}: its solution regions name different tasks (${named.join(', ')}); one task per cell`);
    else if (calls.length > 1) problems.push(`${at}: it calls ${calls.map((c) => `check.${c}`).join(' and ')}; one task (one check) per cell`);
    else if (named.length === 1) task = named[0];
    else if (calls.length === 1) task = calls[0];
    else problems.push(`${at}: a solution region but no check.<task>(...) call; end the task cell with its check, or name the task after the marker (// BEGIN SOLUTION myTask)`);
    for (const c of calls) {
      if (!taskInfo(c)) problems.push(`${at}: check.${c} is not a check of the kit; the checks are ${TASKS.map((t) => t.name).join(', ')}`);
    }
    if (task === null) {
      studentCells.push(clearOutputs(cell));
      return;
    }
    tasks.push({ task, cell: index, checked: calls.includes(task) });
    for (const n of topLevelNames(source)) declared.push({ name: n, task, cell: index });
    const kept: string[] = [];
    let r = 0;
    for (let i = 0; i < lines.length; i++) {
      if (r < found.length && i === found[r].begin) {
        const indent = /^\s*/.exec(lines[i])![0];
        kept.push(`${indent}${CODE_STUB}`, `${indent}throw new NotImplemented('${task}');`);
        i = found[r].end;
        r += 1;
      } else {
        kept.push(lines[i]);
      }
    }
    studentCells.push(clearOutputs({ ...cell, source: kept.join('\n') }));
  });
  if (tasks.length > 0) {
    const first = tasks[0].cell;
    const imports = nb.cells.slice(0, first).filter((c) => c.cell_type === 'code').map(sourceOf).join('\n');
    for (const needed of ['NotImplemented', 'check']) {
      const re = new RegExp(`import\\s*\\{[^}]*\\b${needed}\\b[^}]*\\}\\s*from\\s*['"][^'"]*(?:sae-lab|src/index)['"]`);
      if (!re.test(imports)) {
        problems.push(`${notebook}: it has tasks (the first in cell ${first}) but no cell before it imports ${needed} from './sae-lab'`);
      }
    }
  }
  if (problems.length > 0) throw new HandoutError(problems.join('\n'));
  const strip = (n: Notebook): Notebook => ({ ...n, cells: n.cells.map(clearOutputs) });
  const student: Notebook = { ...nb, cells: studentCells };
  const solution = strip(nb);
  const leaks = findSolutionLeaks(solution, student);
  if (leaks.length > 0) throw new HandoutError(`${notebook}: the student version still holds solution lines:\n${leaks.join('\n')}`);
  return { name, title: titleOf(nb, name), tasks, questions, student, solution };
}

/** Code and text as tokens: identifiers, numbers, single punctuation characters. */
export function tokens(text: string): string[] {
  return Array.from(text.matchAll(/[A-Za-z_$][\w$]*|\d+(?:\.\d+)?(?:e[-+]?\d+)?|\S/gi), (m) => m[0]);
}

/** The lines inside solution regions of a notebook, and (to tell them apart) the text outside them. */
export function solutionLines(nb: Notebook): { inside: string[]; outside: string } {
  const inside: string[] = [];
  const outside: string[] = [];
  for (const cell of nb.cells) {
    let open = false;
    for (const line of sourceOf(cell).split('\n')) {
      if (line.includes(BEGIN)) open = true;
      else if (line.includes(END)) open = false;
      else (open ? inside : outside).push(line);
    }
  }
  return { inside, outside: outside.join('\n') };
}

/**
 * Solution lines (of at least `minTokens` tokens, not also written outside the regions) whose token
 * sequence appears anywhere in `student`: the hand-out's guarantee that no solution leaks.
 */
export function findSolutionLeaks(solution: Notebook, student: Notebook, minTokens = 4): string[] {
  const { inside, outside } = solutionLines(solution);
  const join = (t: string[]) => ` ${t.join(' ')} `;
  const public_ = join(tokens(outside));
  const studentText = student.cells.map((c) => join(tokens(sourceOf(c)))).join(' \u0000 ');
  return inside.filter((line) => {
    const t = tokens(line);
    return t.length >= minTokens && !public_.includes(join(t)) && studentText.includes(join(t));
  });
}

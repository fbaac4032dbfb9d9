/**
 * Every open question gets its finding: in an executed notebook, each markdown cell that asks one
 * of the lesson's questions ("**Question") must come right after a code cell that printed a line
 * starting "Finding". `npx tsx scripts/findings-check.ts DIR` checks every executed notebook in
 * DIR (e.g. out/lesson) and lists the questions without one; the notebook tests run it in quick mode.
 */
import * as fs from 'fs';
import * as path from 'path';

interface Cell { cell_type: string; source: string | string[]; outputs?: { output_type: string; text?: string | string[] }[] }

const text = (v: string | string[] | undefined) => ([] as string[]).concat(v ?? []).join('');

/** The questions of one executed notebook (their first line) with no "Finding" line printed by the code cell just before. */
export function questionsWithoutFinding(notebook: { cells: Cell[] }): string[] {
  const missing: string[] = [];
  notebook.cells.forEach((cell, i) => {
    const source = text(cell.source);
    if (cell.cell_type !== 'markdown' || !source.includes('**Question')) return;
    const before = notebook.cells[i - 1];
    const printed = before?.cell_type === 'code'
      ? (before.outputs ?? []).filter((o) => o.output_type === 'stream').map((o) => text(o.text)).join('') : '';
    if (!printed.split('\n').some((line) => line.startsWith('Finding'))) missing.push(`cell ${i}: ${source.split('\n')[0]}`);
  });
  return missing;
}

/** How many questions each executed notebook in `dir` asks, and those without a finding. */
export function checkFindings(dir: string): { questions: number; missing: string[] } {
  let questions = 0;
  const missing: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort()) {
    const nb = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    questions += nb.cells.filter((c: Cell) => c.cell_type === 'markdown' && text(c.source).includes('**Question')).length;
    for (const m of questionsWithoutFinding(nb)) missing.push(`${file} ${m}`);
  }
  return { questions, missing };
}

if (require.main === module) {
  const dir = process.argv[2] ?? path.join(__dirname, '..', 'out', 'lesson');
  const { questions, missing } = checkFindings(dir);
  console.log(`${questions} questions in ${dir}; ${missing.length} without a finding line`);
  for (const m of missing) console.log(`  ${m}`);
  process.exitCode = missing.length ? 1 : 0;
}

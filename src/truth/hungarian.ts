/**
 * The assignment problem: pair rows with columns one-to-one so that the summed score of the pairs
 * is as large as it can be (the Hungarian method of Kuhn and Munkres, in the shortest-augmenting-
 * path form with row and column potentials: O(rows^2 cols) for rows <= cols). Recovery scores use
 * it to match true features with latents (`mcc` in recovery.ts), but it knows nothing of either.
 */

/**
 * For each row of `score` ([rows, cols], row-major), the column it is assigned, or -1: every
 * column is used at most once and min(rows, cols) rows get a column, chosen so that the sum of
 * their scores is the largest possible. When rows > cols, rows - cols rows get -1. Ties go to
 * any one of the best assignments. Scores may be negative; every one must be finite.
 */
export function assignMax(score: ArrayLike<number>, rows: number, cols: number): Int32Array {
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`assignMax: rows = ${rows} is invalid: expected an integer >= 0`);
  if (!Number.isInteger(cols) || cols < 0) throw new Error(`assignMax: cols = ${cols} is invalid: expected an integer >= 0`);
  if (score.length !== rows * cols) {
    throw new Error(`assignMax: the score matrix holds ${score.length} values, but rows x cols = ${rows} x ${cols} = ${rows * cols}`);
  }
  for (let k = 0; k < score.length; k++) {
    if (!Number.isFinite(score[k])) {
      throw new Error(`assignMax: score[${k}] = ${score[k]} (row ${Math.floor(k / cols)}, col ${k % cols}) is invalid: expected a finite number`);
    }
  }
  const out = new Int32Array(rows).fill(-1);
  if (rows === 0 || cols === 0) return out;
  if (rows <= cols) {
    // Minimising the cost -score maximises the score.
    const colOfRow = minCostAssignment((i, j) => -score[i * cols + j], rows, cols);
    out.set(colOfRow);
    return out;
  }
  // More rows than columns: assign each column a row on the transposed matrix.
  const rowOfCol = minCostAssignment((j, i) => -score[i * cols + j], cols, rows);
  for (let j = 0; j < cols; j++) out[rowOfCol[j]] = j;
  return out;
}

/** The sum of score[i, assignment[i]] over the assigned rows (those with a column, not -1). */
export function assignedTotal(score: ArrayLike<number>, cols: number, assignment: Int32Array): number {
  let total = 0;
  for (let i = 0; i < assignment.length; i++) if (assignment[i] >= 0) total += score[i * cols + assignment[i]];
  return total;
}

/** Potentials and the partial matching of the method, 1-based with 0 as the free "virtual" row and column. */
interface State {
  cost: (i: number, j: number) => number;
  n: number;
  m: number;
  /** u[i]: row potentials (1..n) */
  u: Float64Array;
  /** v[j]: column potentials (1..m) */
  v: Float64Array;
  /** rowOf[j]: the row matched to column j, 0 when none; rowOf[0] is the row being added */
  rowOf: Int32Array;
}

/**
 * For n <= m rows and columns of cost(i, j) (0-based), each row's column in an assignment of least
 * total cost. Rows enter one at a time; each entry finds a shortest augmenting path (`addRow`).
 */
function minCostAssignment(cost: (i: number, j: number) => number, n: number, m: number): Int32Array {
  const s: State = { cost, n, m, u: new Float64Array(n + 1), v: new Float64Array(m + 1), rowOf: new Int32Array(m + 1) };
  for (let i = 1; i <= n; i++) addRow(s, i);
  const colOfRow = new Int32Array(n);
  for (let j = 1; j <= m; j++) if (s.rowOf[j] > 0) colOfRow[s.rowOf[j] - 1] = j - 1;
  return colOfRow;
}

/**
 * Adds row `row` to the matching: grows a tree of tight edges from it (Dijkstra on the reduced
 * costs cost - u - v, which stay >= 0), updating the potentials by the smallest slack each time,
 * until it reaches a free column; then flips the path so every row on it moves one column along.
 */
function addRow(s: State, row: number): void {
  const { m, u, v, rowOf } = s;
  const slack = new Float64Array(m + 1).fill(Infinity);
  const via = new Int32Array(m + 1);
  const used = new Uint8Array(m + 1);
  rowOf[0] = row;
  let col = 0;
  do {
    used[col] = 1;
    const i = rowOf[col];
    let delta = Infinity;
    let next = 0;
    for (let j = 1; j <= m; j++) {
      if (used[j]) continue;
      const reduced = s.cost(i - 1, j - 1) - u[i] - v[j];
      if (reduced < slack[j]) { slack[j] = reduced; via[j] = col; }
      if (slack[j] < delta) { delta = slack[j]; next = j; }
    }
    for (let j = 0; j <= m; j++) {
      if (used[j]) { u[rowOf[j]] += delta; v[j] -= delta; } else slack[j] -= delta;
    }
    col = next;
  } while (rowOf[col] !== 0);
  do {
    const prev = via[col];
    rowOf[col] = rowOf[prev];
    col = prev;
  } while (col !== 0);
}

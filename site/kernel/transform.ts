/**
 * One notebook cell of TypeScript to one script the site's kernel runs (site/kernel/worker.ts), so
 * that cells behave as they do in tslab:
 *   - imports become look-ups in the kernel's modules: `import { a, b as c } from './sae-lab'` is
 *     `({ a, b: c } = __saeImport('./sae-lab'))`; `import type` goes;
 *   - TypeScript is transpiled (types stripped; ts.transpileModule, no type check);
 *   - top-level declarations (const, let, var, function, class) outlive the cell: they become
 *     globals of the kernel, so a later cell sees them and may declare the same name again;
 *   - the cell runs inside an async function (top-level await), and its last expression, if it
 *     ends with one, is what the function returns (shown as the cell's result).
 * `ts` is the TypeScript compiler (in the browser: typescript.js, loaded by the worker).
 */
import type * as TS from 'typescript';

type Edit = { start: number; end: number; text: string };

function applyEdits(source: string, edits: Edit[]): string {
  let out = source;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function importText(ts: typeof TS, node: TS.ImportDeclaration): string {
  const from = JSON.stringify((node.moduleSpecifier as TS.StringLiteral).text);
  const clause = node.importClause;
  if (!clause) return `void __saeImport(${from});`;
  if (clause.isTypeOnly) return '';
  const parts: string[] = [];
  if (clause.name) parts.push(`void (${clause.name.text} = __saeDefault(__saeImport(${from})));`);
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) parts.push(`void (${bindings.name.text} = __saeImport(${from}));`);
  if (bindings && ts.isNamedImports(bindings)) {
    const names = bindings.elements.filter((e) => !e.isTypeOnly)
      .map((e) => (e.propertyName ? `${e.propertyName.text}: ${e.name.text}` : e.name.text));
    if (names.length) parts.push(`void ({ ${names.join(', ')} } = __saeImport(${from}));`);
  }
  return parts.join(' ');
}

/** The cell with its imports rewritten, still TypeScript. */
function rewriteImports(ts: typeof TS, source: string): string {
  const file = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.ES2020, true, ts.ScriptKind.TS);
  const edits: Edit[] = [];
  for (const st of file.statements) {
    if (ts.isImportDeclaration(st)) edits.push({ start: st.getStart(file), end: st.getEnd(), text: importText(ts, st) });
    else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference)) {
      const from = JSON.stringify((st.moduleReference.expression as TS.StringLiteral).text);
      edits.push({ start: st.getStart(file), end: st.getEnd(), text: `void (${st.name.text} = __saeImport(${from}));` });
    } else if (ts.isExportDeclaration(st) || ts.isExportAssignment(st) ||
      (ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword))) {
      throw new SyntaxError('a notebook cell cannot export anything (line ' + (file.getLineAndCharacterOfPosition(st.getStart(file)).line + 1) + ')');
    }
  }
  return applyEdits(source, edits);
}

/** The transpiled cell's top level, rewritten so its declarations become globals; returns the body. */
function globalise(ts: typeof TS, js: string): string {
  const file = ts.createSourceFile('cell.js', js, ts.ScriptTarget.ES2020, true, ts.ScriptKind.JS);
  const edits: Edit[] = [];
  const hoisted: string[] = [];
  const statements = file.statements;
  statements.forEach((st, index) => {
    const start = st.getStart(file);
    const text = (n: TS.Node) => js.slice(n.getStart(file), n.getEnd());
    if (ts.isVariableStatement(st)) {
      const parts = st.declarationList.declarations.map((d) => {
        const name = text(d.name);
        const value = d.initializer ? text(d.initializer) : 'undefined';
        return ts.isIdentifier(d.name) ? `${name} = ${value};` : `(${name} = ${value});`;
      });
      edits.push({ start, end: st.getEnd(), text: parts.join(' ') });
    } else if (ts.isFunctionDeclaration(st) && st.name) {
      hoisted.push(`globalThis[${JSON.stringify(st.name.text)}] = ${st.name.text};`);
    } else if (ts.isClassDeclaration(st) && st.name) {
      edits.push({ start, end: start, text: `${st.name.text} = ` });
      edits.push({ start: st.getEnd(), end: st.getEnd(), text: ';' });
    } else if (ts.isExpressionStatement(st) && index === statements.length - 1) {
      edits.push({ start, end: st.getEnd(), text: `return (${text(st.expression)});` });
    }
  });
  return hoisted.join(' ') + '\n' + applyEdits(js, edits);
}

/** The script that runs the cell: an expression whose value is a Promise of the cell's result. */
export function compileCell(ts: typeof TS, source: string): string {
  const withImports = rewriteImports(ts, source);
  const out = ts.transpileModule(withImports, {
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext, alwaysStrict: false, strict: false,
      sourceMap: false, removeComments: false, isolatedModules: true, experimentalDecorators: true,
    },
  });
  const syntax = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error && d.code !== 1375 && d.code !== 1378);
  if (syntax.length > 0) {
    const d = syntax[0];
    const where = d.file && d.start !== undefined ? ` (line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1})` : '';
    throw new SyntaxError(`${ts.flattenDiagnosticMessageText(d.messageText, '\n')}${where}`);
  }
  const js = out.outputText.replace(/^export \{\};\s*$/m, '');
  return `(async () => {\n${globalise(ts, js)}\n})()`;
}

// --fix and --fix-dry-run: the rules' mechanical fixes applied to files (the same edits the language server
// offers as quick fixes). A file that does not parse cleanly is never touched.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { yaml } from './lazy-packages.js';
import { applyEdits, fixEdits } from './engine/fix.js';
import type { Finding, FindingFix } from './engine/run.js';
import { appendAll } from './arrays.js';

export interface FileFix {
  /** The path as findings show it. */
  readonly file: string;
  readonly before: string;
  readonly after: string;
  /** How many findings' fixes were applied. */
  readonly applied: number;
}

export interface FixPlan {
  readonly files: readonly FileFix[];
  /** Files with fixable findings left alone because they do not parse cleanly (or could not be read). */
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
}

/** Applies fixes one after the other (each located again in the text the previous ones left). */
export function applyFixes(text: string, fixes: readonly FindingFix[]): { text: string; applied: number } {
  let current = text;
  let applied = 0;
  for (const fix of fixes) {
    const edits = fixEdits(current, fix);
    if (!edits) continue; // already done by an earlier fix, or not safely possible
    current = applyEdits(current, edits);
    applied++;
  }
  return { text: current, applied };
}

export function hasParseErrors(text: string): boolean {
  return (yaml().parseAllDocuments(text, { version: '1.1', prettyErrors: false }) as { errors: unknown[] }[]).some(
    (d) => d.errors.length > 0,
  );
}

/** What --fix would change: the active (unsuppressed) findings with a fix, by file. Reads files, writes nothing. */
export function planFixes(findings: readonly Finding[], cwd: string): FixPlan {
  const byFile = new Map<string, FindingFix[]>();
  for (const f of findings) {
    if (!f.fix || f.suppression) continue;
    const list = byFile.get(f.file) ?? [];
    list.push(f.fix);
    byFile.set(f.file, list);
  }
  const files: FileFix[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const [file, fixes] of byFile) {
    let before: string;
    try {
      before = readFileSync(resolve(cwd, file), 'utf8');
    } catch (error) {
      skipped.push({ file, reason: `cannot read (${(error as NodeJS.ErrnoException).code ?? error})` });
      continue;
    }
    if (hasParseErrors(before)) {
      skipped.push({ file, reason: 'it has a parse error' });
      continue;
    }
    const { text: after, applied } = applyFixes(before, fixes);
    if (after !== before) files.push({ file, before, after, applied });
  }
  return { files, skipped };
}

export function writeFixes(plan: FixPlan, cwd: string): void {
  for (const f of plan.files) writeFileSync(resolve(cwd, f.file), f.after);
}

/** A unified diff (`diff -u` / `git apply` form) of one file's change, with three lines of context. */
export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  const a = splitLines(before);
  const b = splitLines(after);
  // Fixes change a few lines: compare only what lies between the common head and tail.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: { kind: ' ' | '-' | '+'; line: string }[] = [];
  for (let i = 0; i < head; i++) ops.push({ kind: ' ', line: a[i] });
  appendAll(ops, lineDiff(a.slice(head, a.length - tail), b.slice(head, b.length - tail)));
  for (let i = a.length - tail; i < a.length; i++) ops.push({ kind: ' ', line: a[i] });

  const out = [`--- a/${file}`, `+++ b/${file}`];
  let i = 0;
  while (i < ops.length) {
    if (ops[i].kind === ' ') {
      i++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change within reach.
    let start = Math.max(0, i - context);
    let end = i;
    while (end < ops.length) {
      if (ops[end].kind !== ' ') {
        end++;
        continue;
      }
      let run = end;
      while (run < ops.length && ops[run].kind === ' ') run++;
      if (run === ops.length || run - end > 2 * context) {
        end = Math.min(run, end + context);
        break;
      }
      end = run;
    }
    let oldLine = 1;
    let newLine = 1;
    for (let k = 0; k < start; k++) {
      if (ops[k].kind !== '+') oldLine++;
      if (ops[k].kind !== '-') newLine++;
    }
    const hunk = ops.slice(start, end);
    const oldCount = hunk.filter((o) => o.kind !== '+').length;
    const newCount = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${oldCount ? oldLine : oldLine - 1},${oldCount} +${newCount ? newLine : newLine - 1},${newCount} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    i = end;
    start = end;
  }
  return `${out.join('\n')}\n`;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Line diff by longest common subsequence (the changed middle of a fixed file is small). */
function lineDiff(a: string[], b: string[]): { kind: ' ' | '-' | '+'; line: string }[] {
  // Fixes far apart in a long file: a correct (if coarse) diff rather than a table of millions of cells.
  if (a.length * b.length > 4_000_000)
    return [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: { kind: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i++] });
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push({ kind: '-', line: a[i++] });
    } else {
      ops.push({ kind: '+', line: b[j++] });
    }
  }
  return ops;
}

// Rendered Helm charts (`helm template ... | meshlint -`): each document of helm's output follows a
// `# Source: <chart>/templates/<file>` comment. When that template exists in a chart of the scan's chart scope
// (chartScope in src/scan.ts), findings on the document are located in the template: at the line of the offending
// key when its path can be followed there (by indentation: a template is not YAML until rendered), else at the
// template's first line, with the rendered path in the message.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineCounterOf, type SourceDocument, type SourceFile, type TracedLocation } from '../parse/source.js';
import type { Path } from '../model/values.js';

// Matched against trimmed lines: no trailing blanks to skip (and no lazy quantifier to backtrack on).
const SOURCE = /^# Source: (\S.*)$/;

/** The `# Source:` a document of rendered output follows (the comment lines between it and the previous one). */
export function sourceOf(file: SourceFile, index: number): string | undefined {
  const document = file.documents[index];
  const previousEnd = index > 0 ? file.documents[index - 1].end : 0;
  let source: string | undefined;
  let offset = Math.min(previousEnd, document.start);
  for (const line of file.text.slice(offset, document.end).split('\n')) {
    const trimmed = line.trim();
    const match = SOURCE.exec(trimmed);
    if (match) source = match[1];
    else if (trimmed !== '' && trimmed !== '---' && !trimmed.startsWith('#')) break;
    offset += line.length + 1;
  }
  return source;
}

export interface ChartIndex {
  /** Chart name (Chart.yaml `name`, else its directory's name) -> absolute chart directories. */
  readonly byName: ReadonlyMap<string, readonly string[]>;
}

/**
 * Gives every document of rendered output whose template exists a `trace` into the template. `display` turns an
 * absolute path into the path shown to users. Returns the templates read (absolute paths).
 */
export function attributeRendered(
  files: readonly SourceFile[],
  charts: ChartIndex,
  display: (absolute: string) => string,
  exists: (absolute: string) => boolean,
): string[] {
  const templates = new Map<string, SourceFile | undefined>();
  const template = (absolute: string): SourceFile | undefined => {
    if (!templates.has(absolute)) {
      let file: SourceFile | undefined;
      try {
        const text = readFileSync(absolute, 'utf8');
        file = {
          path: display(absolute),
          text,
          lineCounter: lineCounterOf(text),
          documents: [],
          problems: [],
          skipped: 'Helm template',
        };
      } catch {
        file = undefined;
      }
      templates.set(absolute, file);
    }
    return templates.get(absolute);
  };
  for (const file of files) {
    if (!file.text.includes('# Source: ')) continue;
    file.documents.forEach((document, index) => {
      const source = sourceOf(file, index);
      if (!source || document.trace) return;
      const [chart, ...rest] = source.split('/');
      // A subchart's templates are under charts/<name>/ of its parent: the path after the chart name says where.
      const found = (charts.byName.get(chart) ?? []).map((dir) => join(dir, ...rest)).find(exists);
      const target = found ? template(found) : undefined;
      if (!target) return;
      (document as { trace?: SourceDocument['trace'] }).trace = (path) => locateInTemplate(target, document, path);
    });
  }
  return [...templates.keys()];
}

function locateInTemplate(template: SourceFile, document: SourceDocument, path: Path): TracedLocation {
  const existing = existingPrefix(document.value, path);
  const line = followKeys(template.text, existing);
  const lines = template.text.split('\n');
  if (line) {
    const range = {
      startLine: line.line + 1,
      startColumn: line.column + 1,
      endLine: line.line + 1,
      endColumn: Math.max(line.column + 2, contentEnd(lines[line.line]) + 1),
    };
    return { file: template, document, path, range };
  }
  const first = lines[0] ?? '';
  return {
    file: template,
    document,
    path,
    range: { startLine: 1, startColumn: 1, endLine: 1, endColumn: Math.max(2, contentEnd(first) + 1) },
    note: `rendered path ${formatRendered(existing)}`,
  };
}

/** Where a line's content ends: before a trailing ` # comment` and blanks. */
function contentEnd(line: string): number {
  const comment = line.indexOf(' #');
  return (comment === -1 ? line : line.slice(0, comment)).trimEnd().length;
}

function formatRendered(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || '(document)';
}

/** The part of a path that exists in the rendered value (a rule may name a missing field). */
function existingPrefix(value: unknown, path: Path): Path {
  let node = value;
  let i = 0;
  for (; i < path.length; i++) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, path[i])) break;
    node = (node as Record<string, unknown>)[path[i] as string];
  }
  return path.slice(0, i);
}

const BLANK_OR_DIRECTIVE = /^\s*($|#|\{\{)/;

/**
 * Follows a key path through a template by indentation: each key must appear, deeper than its parent, before the
 * parent's block ends; a list index counts the items of the list. Undefined when the path cannot be followed
 * (a key that a template function writes, an item of a `range` loop).
 */
export function followKeys(text: string, path: Path): { line: number; column: number } | undefined {
  const lines = text.split('\n');
  let parentIndent = -1;
  let from = 0;
  let found: { line: number; column: number } | undefined =
    path.length === 0 ? { line: firstContent(lines), column: 0 } : undefined;
  let itemLine = -1;
  for (const segment of path) {
    found = undefined;
    if (typeof segment === 'number') {
      let itemIndent = -1;
      let count = -1;
      for (let i = from; i < lines.length; i++) {
        const line = lines[i];
        if (BLANK_OR_DIRECTIVE.test(line)) continue;
        const indent = line.length - line.trimStart().length;
        if (indent <= parentIndent && i !== itemLine) break;
        if (!line.trimStart().startsWith('- ') && line.trim() !== '-') continue;
        if (itemIndent === -1) itemIndent = indent;
        if (indent !== itemIndent) continue;
        count++;
        if (count === segment) {
          found = { line: i, column: indent };
          parentIndent = indent;
          from = i;
          itemLine = i;
          break;
        }
      }
    } else {
      for (let i = from; i < lines.length; i++) {
        const line = lines[i];
        if (BLANK_OR_DIRECTIVE.test(line)) continue;
        const indent = line.length - line.trimStart().length;
        if (indent <= parentIndent && i !== itemLine) break;
        const column = keyColumn(line, segment);
        if (column === undefined || column <= parentIndent) continue;
        found = { line: i, column };
        parentIndent = column;
        from = i + 1;
        itemLine = -1;
        break;
      }
    }
    if (!found) return undefined;
  }
  return found;
}

function firstContent(lines: readonly string[]): number {
  const i = lines.findIndex((l) => !BLANK_OR_DIRECTIVE.test(l));
  return Math.max(0, i);
}

/** Where `key:` starts on a line (after indentation and list dashes), plain or quoted; undefined if it does not. */
function keyColumn(line: string, key: string): number | undefined {
  let column = 0;
  while (line[column] === ' ') column++;
  while (line[column] === '-' && line[column + 1] === ' ') {
    column += 2;
    while (line[column] === ' ') column++;
  }
  for (const quote of ['', '"', "'"]) {
    const written = `${quote}${key}${quote}`;
    if (!line.startsWith(written, column)) continue;
    let after = column + written.length;
    while (line[after] === ' ') after++;
    if (line[after] === ':' && (after + 1 === line.length || line[after + 1] === ' ' || line[after + 1] === '\r'))
      return column;
  }
  return undefined;
}

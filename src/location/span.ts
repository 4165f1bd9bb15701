// A finding inside a string value (a password on line 7 of an application.properties held in a ConfigMap key, a
// token inside a command line): the range of those characters in the file, instead of the whole value. Exact for
// literal block scalars (`|`: every line of the value is a line of the file, minus the block's indentation) and for
// one-line plain or quoted scalars written without escapes; anything else keeps the value's range.
import type { SourceFile } from '../parse/source.js';
import type { Range } from './locate.js';

export function narrowToSpan(file: SourceFile, value: Range, text: string, span: readonly [number, number]): Range {
  const [start, end] = span;
  if (start < 0 || end <= start || end > text.length) return value;
  const starts = file.lineCounter.lineStarts;
  const origin = starts[value.startLine - 1] + value.startColumn - 1;
  const source = file.text;
  const indicator = source[origin];
  if (indicator === '|') return inLiteralBlock(file, value, origin, text, start, end) ?? value;
  if (value.startLine !== value.endLine || text.includes('\n')) return value;
  const quoted = indicator === '"' || indicator === "'";
  const first = origin + (quoted ? 1 : 0);
  if (source.slice(first, first + text.length) !== text) return value; // escapes or folding: offsets do not carry over
  return {
    startLine: value.startLine,
    startColumn: value.startColumn + (quoted ? 1 : 0) + start,
    endLine: value.startLine,
    endColumn: value.startColumn + (quoted ? 1 : 0) + end,
  };
}

function inLiteralBlock(
  file: SourceFile,
  value: Range,
  origin: number,
  text: string,
  start: number,
  end: number,
): Range | undefined {
  const source = file.text;
  const header = source.indexOf('\n', origin);
  if (header === -1) return undefined;
  // The block's indentation: that of its first non-blank line.
  let lineStart = header + 1;
  let indent = -1;
  while (lineStart < source.length) {
    let i = lineStart;
    while (source[i] === ' ') i++;
    if (source[i] !== '\n' && source[i] !== '\r') {
      indent = i - lineStart;
      break;
    }
    const next = source.indexOf('\n', lineStart);
    if (next === -1) break;
    lineStart = next + 1;
  }
  if (indent <= 0) return undefined;
  const at = (offset: number) => {
    const lineIndex = countNewlines(text, offset);
    const column = offset - (text.lastIndexOf('\n', offset - 1) + 1);
    return { line: value.startLine + 1 + lineIndex, column: indent + column + 1 };
  };
  const from = at(start);
  const to = at(end - 1);
  // The line in the file must hold what the value says it holds there.
  const lineText = (line: number) =>
    source.slice(
      file.lineCounter.lineStarts[line - 1] ?? source.length,
      (file.lineCounter.lineStarts[line] ?? source.length + 1) - 1,
    );
  const expected = text.slice(start, Math.min(end, text.indexOf('\n', start) === -1 ? end : text.indexOf('\n', start)));
  if (
    !lineText(from.line)
      .slice(from.column - 1)
      .startsWith(expected)
  )
    return undefined;
  return { startLine: from.line, startColumn: from.column, endLine: to.line, endColumn: to.column + 1 };
}

function countNewlines(text: string, before: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < before; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

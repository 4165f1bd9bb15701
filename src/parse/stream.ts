// How Kubernetes cuts a file into documents before any YAML parsing (k8s.io/apimachinery util/yaml:
// NewYAMLOrJSONDecoder, YAMLReader): a stream whose first non-blank character is `{` is JSON; anything else is cut
// on lines that start with `---` (followed only by blanks or a comment) and each part is parsed on its own by
// go-yaml, which reads the first document of the part. Parsing the parts separately is what keeps one broken
// document from hiding the next, and a `%YAML` directive from changing how a later part is read.
import { closingDoubleQuote, closingSingleQuote } from '../location/scalar-offsets.js';

/** One part of the stream, by offsets into the text: [start, end) is what the YAML parser reads. */
export interface StreamPart {
  readonly start: number;
  readonly end: number;
}

export interface StreamProblem {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

export interface SplitStream {
  readonly parts: StreamPart[];
  readonly problems: StreamProblem[];
}

/** Whether Kubernetes reads this text as JSON (its first non-blank character is `{`). */
export function isJsonStream(text: string): boolean {
  return /^\s*\{/.test(text);
}

/** The parts of a YAML stream, as Kubernetes' YAMLReader returns them (empty parts are not returned). */
export function splitYamlStream(text: string): SplitStream {
  const parts: StreamPart[] = [];
  const problems = eachYamlPart(text, (start, end) => parts.push({ start, end }));
  return { parts, problems };
}

/**
 * The parts of a YAML stream (as splitYamlStream cuts them), handed over one at a time as offsets: no record per part
 * is made (a file of a million documents would hold a million of them while it is parsed). Returns the problems.
 */
export function eachYamlPart(text: string, onPart: (start: number, end: number) => void): StreamProblem[] {
  const problems: StreamProblem[] = [];
  let partStart = 0;
  // Only lines starting with `---` cut the stream: they are searched for, not every line read.
  for (
    let lineStart = text.startsWith('---') ? 0 : lineStartingWith(text, '---', 0);
    lineStart !== -1;
    lineStart = lineStartingWith(text, '---', lineStart + 3)
  ) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const next = newline === -1 ? text.length + 1 : newline + 1;
    const rest = text.slice(lineStart + 3, lineEnd).trim();
    if (rest !== '' && !rest.startsWith('#')) {
      // kubectl stops reading the file here; meshlint says where and reads on, so that the rest is linted too.
      problems.push({
        message: `Invalid document separator "---${truncate(rest)}": Kubernetes only accepts blanks or a comment after "---" on its line and rejects the file here. Put the content on the next line.`,
        start: lineStart,
        end: lineEnd,
      });
    }
    if (lineStart > partStart) onPart(partStart, lineStart);
    partStart = Math.min(next, text.length);
  }
  if (text.length > partStart) onPart(partStart, text.length);
  return problems;
}

/** The start of the first line after offset `from` (a line break before it at `from` or later) starting with `prefix`; -1 if none. */
function lineStartingWith(text: string, prefix: string, from: number): number {
  const at = text.indexOf(`\n${prefix}`, from);
  return at === -1 ? -1 : at + 1;
}

/**
 * go-yaml reads the first document of a part: a `%` directive line after content ends that document, and what
 * follows is never read. Returns the end of what go-yaml reads.
 */
export function firstDocumentEnd(text: string, start: number, end: number): number {
  let lineStart = start;
  while (lineStart < end) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 || newline > end ? end : newline;
    const first = text[lineStart];
    if (first !== '%' && first !== '#' && text.slice(lineStart, lineEnd).trim() !== '') {
      // The first content line: the document ends at the next directive line (searched for, not line by line, and
      // only up to the part's end: a search to the text's end for each part of a stream is quadratic).
      const directive = text.slice(lineStart, end).indexOf('\n%');
      return directive === -1 ? end : lineStart + directive + 1;
    }
    lineStart = lineEnd + 1;
  }
  return end;
}

/**
 * Lone CR line breaks (old Mac files) are line breaks for go-yaml and for meshlint's line numbers; the YAML parser
 * meshlint uses only knows LF and CRLF. Same length, so every offset stays valid.
 */
export function withLineFeeds(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** The offset of the first lone CR line break, or -1. */
export function firstLoneCr(text: string): number {
  return text.includes('\r') ? text.search(/\r(?!\n)/) : -1;
}

/**
 * go-yaml accepts the continuation lines of a double-quoted scalar at any indentation (long `command:` strings are
 * often written so); the YAML parser meshlint uses rejects them when they are indented less than their key.
 * Rewrites every multi-line double-quoted scalar of [start, end) onto one line of the same length (its folded
 * form, padded with spaces after the closing quote), so that every offset stays valid. Used only on a part that
 * failed to parse, and kept only when the rewritten part parses cleanly. Returns the rewritten text and the offsets
 * of the scalars folded (from the opening to past the closing quote).
 */
export function foldQuotedLines(
  text: string,
  start: number,
  end: number,
): { text: string; scalars: [number, number][] } | undefined {
  let out = '';
  let copied = start;
  const scalars: [number, number][] = [];
  let blockIndent = -1; // inside a block scalar: lines indented more than this are its text
  let i = start; // always at the start of a line here
  while (i < end) {
    const firstEnd = lineEndOf(text, i, end);
    const indent = indentOf(text, i, firstEnd);
    if (blockIndent >= 0) {
      if (indent > blockIndent || text.slice(i, firstEnd).trim() === '') {
        i = firstEnd + 1;
        continue;
      }
      blockIndent = -1;
    }
    let segmentStart = i; // where the current physical line (after a closing quote: that line) begins
    let j = i + indent;
    let lineEnd = firstEnd;
    while (j < lineEnd) {
      const c = text[j];
      if (c === '#' && (j === segmentStart || /\s/.test(text[j - 1]))) {
        j = lineEnd;
        break;
      }
      if ((c === '"' || c === "'") && startsScalar(text, segmentStart, j)) {
        const close = c === '"' ? closingDoubleQuote(text, j + 1, end) : closingSingleQuote(text, j + 1, end);
        if (close === -1) return undefined;
        if (close > lineEnd) {
          if (c === '"') {
            const folded = foldDoubleQuoted(text.slice(j + 1, close));
            const width = close + 1 - j;
            if (folded.length + 2 > width) return undefined;
            out += `${text.slice(copied, j)}"${folded}"${' '.repeat(width - folded.length - 2)}`;
            copied = close + 1;
            scalars.push([j, close + 1]);
          }
          segmentStart = text.lastIndexOf('\n', close) + 1;
          lineEnd = lineEndOf(text, close, end);
        }
        j = close + 1;
        continue;
      }
      j++;
    }
    if (endsWithBlockHeader(text.slice(segmentStart, lineEnd).trimEnd())) blockIndent = indent;
    i = lineEnd + 1;
  }
  return scalars.length > 0 ? { text: text.slice(0, start) + out + text.slice(copied), scalars } : undefined;
}

function lineEndOf(text: string, from: number, end: number): number {
  const newline = text.indexOf('\n', from);
  return newline === -1 || newline > end ? end : newline;
}

function indentOf(text: string, from: number, lineEnd: number): number {
  let k = from;
  while (k < lineEnd && text[k] === ' ') k++;
  return k - from;
}

/** A quote opens a quoted scalar only where a scalar may start: after indentation, `: `, `- `, `? `, `[`, `{` or `,`. */
function startsScalar(text: string, lineStart: number, at: number): boolean {
  let k = at - 1;
  while (k >= lineStart && (text[k] === ' ' || text[k] === '\t')) k--;
  if (k < lineStart) return true;
  const before = text[k];
  if (before === '[' || before === '{' || before === ',') return true;
  return (before === ':' || before === '-' || before === '?') && k + 1 < at;
}

/** The one-line form of a double-quoted scalar's body: line folding as YAML defines it, escapes kept. */
function foldDoubleQuoted(body: string): string {
  const lines = body.split('\n');
  let out = '';
  for (let k = 0; k < lines.length; k++) {
    let line = lines[k];
    if (k > 0) line = line.replace(/^[ \t]+/, '');
    const last = k === lines.length - 1;
    if (!last) {
      // A backslash at the end of a line escapes the break: nothing is inserted.
      const escapedBreak = /(^|[^\\])(\\\\)*\\$/.test(line);
      if (escapedBreak) {
        out += line.slice(0, -1);
        continue;
      }
      line = withoutTrailingBlanks(line);
    }
    out += line;
    if (!last) {
      // Empty lines between two lines are kept as line feeds; a single break folds into a space.
      let empties = 0;
      while (k + 1 < lines.length - 1 && lines[k + 1].trim() === '') {
        empties++;
        k++;
      }
      out += empties > 0 ? '\\n'.repeat(empties) : ' ';
    }
  }
  return out;
}

function truncate(text: string): string {
  return text.length > 40 ? ` ${text.slice(0, 37)}...` : ` ${text}`;
}

/**
 * Whether a line ends in a block scalar header (`key: |`, `- >-`, `|2 # note`): an indicator at the start or after
 * a blank, `:` or `-`, then indentation and chomping digits or signs, blanks, and nothing or a comment. A scan, not a
 * regular expression: each candidate's check stops at the next character that cannot follow an indicator.
 */
function endsWithBlockHeader(line: string): boolean {
  for (let p = 0; p < line.length; p++) {
    const c = line[p];
    if (c !== '|' && c !== '>') continue;
    if (p > 0 && !/[\s:-]/.test(line[p - 1])) continue;
    let j = p + 1;
    while (j < line.length && /[0-9+-]/.test(line[j])) j++;
    while (j < line.length && /\s/.test(line[j])) j++;
    if (j === line.length || (line[j] === '#' && !line.includes('\n', j))) return true;
  }
  return false;
}

function withoutTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  return line.slice(0, end);
}

// Where each character of a string value was written. A scalar's value is not its source text: quotes, escapes
// (`\"`, `\n`, `\u00e9`, `''`), line folding (a line break read as a space, blank lines as line breaks), a block's
// indentation and its header are all gone from it. This reads a scalar's source the way the yaml package does (the
// value meshlint's parsers give, which is go-yaml v2's for strings) and keeps, for every UTF-16 unit of the value,
// the source offsets it came from; a caller checks that the value read equals the value it holds before trusting it.

/** A scalar's value, and for each of its UTF-16 units the source offsets [start(i), end(i)) that produced it. */
export interface ScalarOffsets {
  readonly value: string;
  start(unit: number): number;
  end(unit: number): number;
}

/**
 * The value of the scalar whose node starts at `start` (its quote, block header or first character) and ends at
 * `end` (its last character; only a plain scalar needs it, the others end where their syntax says), with the source
 * offsets of every unit. `expected`: when given, a block scalar with an explicit indentation indicator (relative to
 * a parent this cannot see) is read at each possible indentation until one gives this value.
 */
export function scalarOffsets(source: string, start: number, end: number, expected?: string): ScalarOffsets {
  const indicator = source[start];
  if (indicator === '"') return doubleQuoted(source, start);
  if (indicator === "'") {
    const close = closingSingleQuote(source, start + 1, source.length);
    return folded(source, start + 1, close === -1 ? source.length : close, true);
  }
  if (indicator === '|' || indicator === '>') return blockScalar(source, start, expected);
  return folded(source, start, end, false);
}

/** Source offsets [from, to) of the value's units [start, end): what a span of the value covers in the source. */
export function sourceSpan(map: ScalarOffsets, start: number, end: number): [number, number] | undefined {
  if (start < 0 || end <= start || end > map.value.length) return undefined;
  return [map.start(start), map.end(end - 1)];
}

/**
 * Runs of units, not one entry per unit (a value can be megabytes long): a run either maps each unit to the source
 * character at the same distance (text written as itself) or all its units to one source range (an escape, a fold).
 */
class Builder {
  private readonly parts: string[] = [];
  private length = 0;
  private readonly runUnit: number[] = [];
  private readonly runFrom: number[] = [];
  private readonly runTo: number[] = [];
  private readonly runVerbatim: boolean[] = [];

  /** `text` was read from source offsets [from, to): every unit of it maps there. */
  add(text: string, from: number, to: number): void {
    if (!text) return;
    this.run(from, to, false);
    this.parts.push(text);
    this.length += text.length;
  }

  /** Each unit of `text` is the source character at the same distance from `from`. */
  addVerbatim(text: string, from: number): void {
    if (!text) return;
    const last = this.runUnit.length - 1;
    // Text that continues the previous run in the source too extends that run.
    if (!(last >= 0 && this.runVerbatim[last] && this.runFrom[last] + (this.length - this.runUnit[last]) === from))
      this.run(from, from, true);
    this.parts.push(text);
    this.length += text.length;
  }

  endsWithLineBreak(): boolean {
    const last = this.parts.findLast((part) => part.length > 0);
    return last?.endsWith('\n') ?? false;
  }

  done(): ScalarOffsets {
    const { runUnit, runFrom, runTo, runVerbatim } = this;
    const runOf = (unit: number) => {
      let lo = 0;
      let hi = runUnit.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (runUnit[mid] <= unit) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    return {
      value: this.parts.join(''),
      start(unit) {
        const r = runOf(unit);
        return runVerbatim[r] ? runFrom[r] + unit - runUnit[r] : runFrom[r];
      },
      end(unit) {
        const r = runOf(unit);
        return runVerbatim[r] ? runFrom[r] + unit - runUnit[r] + 1 : runTo[r];
      },
    };
  }

  private run(from: number, to: number, verbatim: boolean): void {
    this.runUnit.push(this.length);
    this.runFrom.push(from);
    this.runTo.push(to);
    this.runVerbatim.push(verbatim);
  }
}

const isBlank = (ch: string | undefined) => ch === ' ' || ch === '\t';

/** The closing `"` of a double-quoted scalar whose body starts at `from` (escapes skipped), or -1 before `end`. */
export function closingDoubleQuote(text: string, from: number, end: number): number {
  for (let k = from; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 92 /* \\ */) k++;
    else if (c === 34 /* " */) return k;
  }
  return -1;
}

/** The closing `'` of a single-quoted scalar whose body starts at `from` (`''` skipped), or -1 before `end`. */
export function closingSingleQuote(text: string, from: number, end: number): number {
  for (let k = from; k < end; k++) {
    if (text.charCodeAt(k) === 39 /* ' */) {
      if (text.charCodeAt(k + 1) === 39) k++;
      else return k;
    }
  }
  return -1;
}

/**
 * Plain and single-quoted scalars (the text between the quotes): lines are trimmed of surrounding blanks, a single
 * line break becomes a space, n blank lines become n line breaks; `''` is a quote in single-quoted text.
 */
function folded(source: string, from: number, to: number, singleQuoted: boolean): ScalarOffsets {
  const out = new Builder();
  // Line boundaries: [lineStart, contentEnd) without the line break (and its \r).
  const lines: { start: number; end: number }[] = [];
  for (let at = from; ; ) {
    const nl = source.indexOf('\n', at);
    if (nl === -1 || nl >= to) {
      lines.push({ start: at, end: to });
      break;
    }
    lines.push({ start: at, end: source[nl - 1] === '\r' && nl - 1 >= at ? nl - 1 : nl });
    at = nl + 1;
  }
  const emit = (start: number, end: number) => {
    if (!singleQuoted) return out.addVerbatim(source.slice(start, end), start);
    for (let i = start; i < end; i++) {
      if (source[i] === "'" && source[i + 1] === "'" && i + 1 < end) {
        out.add("'", i, i + 2);
        i++;
      } else out.addVerbatim(source[i], i);
    }
  };
  if (lines.length === 1) {
    emit(from, to);
    return out.done();
  }
  // The first line keeps its leading blanks, the last its trailing ones; the others lose both.
  let gapStart = trimEnd(source, lines[0].start, lines[0].end);
  emit(lines[0].start, gapStart);
  let separator = ' ';
  let pending = '';
  for (let k = 1; k < lines.length; k++) {
    const last = k === lines.length - 1;
    const contentStart = trimStart(source, lines[k].start, lines[k].end);
    const contentEnd = last ? lines[k].end : trimEnd(source, contentStart, lines[k].end);
    if (!last && contentStart === contentEnd) {
      if (separator === '\n') pending += '\n';
      else separator = '\n';
      continue;
    }
    out.add(pending + separator, gapStart, contentStart);
    emit(contentStart, contentEnd);
    gapStart = contentEnd;
    pending = '';
    separator = ' ';
  }
  return out.done();
}

function trimStart(source: string, start: number, end: number): number {
  while (start < end && isBlank(source[start])) start++;
  return start;
}

function trimEnd(source: string, start: number, end: number): number {
  while (end > start && isBlank(source[end - 1])) end--;
  return end;
}

/** YAML double-quoted escapes, as the yaml package decodes them (the fast reader's too). */
export const DOUBLE_QUOTED_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  '\t': '\t',
};
const HEX_LENGTHS: Record<string, number> = { x: 2, u: 4, U: 8 };

/** A double-quoted scalar: escapes, `\` at a line's end joining lines, and folding as for plain text. */
function doubleQuoted(source: string, start: number): ScalarOffsets {
  const out = new Builder();
  let i = start + 1;
  while (i < source.length && source[i] !== '"') {
    const ch = source[i];
    if (ch === '\r' && source[i + 1] === '\n') {
      i++;
    } else if (ch === '\n') {
      // A line break: a space, or as many line breaks as blank lines follow; the next line's blanks go too.
      let fold = '';
      let j = i + 1;
      while (isBlank(source[j]) || source[j] === '\n' || (source[j] === '\r' && source[j + 1] === '\n')) {
        if (source[j] === '\n') fold += '\n';
        j++;
      }
      out.add(fold || ' ', i, j);
      i = j;
    } else if (ch === '\\') {
      const next = source[i + 1];
      const simple = DOUBLE_QUOTED_ESCAPES[next];
      if (simple !== undefined) {
        out.add(simple, i, i + 2);
        i += 2;
      } else if (next === '\n' || (next === '\r' && source[i + 2] === '\n')) {
        // An escaped line break joins the lines, without the next line's leading blanks.
        let j = i + (next === '\n' ? 2 : 3);
        while (isBlank(source[j])) j++;
        i = j;
      } else if (next !== undefined && next in HEX_LENGTHS) {
        const length = HEX_LENGTHS[next];
        const digits = source.slice(i + 2, i + 2 + length);
        const code = digits.length === length && /^[0-9a-fA-F]+$/.test(digits) ? Number.parseInt(digits, 16) : NaN;
        const char = Number.isNaN(code) || code > 0x10ffff ? undefined : String.fromCodePoint(code);
        if (char === undefined) out.addVerbatim(source.slice(i, i + 2 + length), i);
        else out.add(char, i, i + 2 + length);
        i += 2 + length;
      } else {
        // Not an escape: both characters stay (the parser reports it).
        out.addVerbatim(source.slice(i, i + 2), i);
        i += 2;
      }
    } else if (isBlank(ch)) {
      // Blanks before a line break are dropped, others kept.
      let j = i;
      while (isBlank(source[j])) j++;
      if (source[j] !== '\n' && !(source[j] === '\r' && source[j + 1] === '\n')) out.addVerbatim(source.slice(i, j), i);
      i = j;
    } else {
      out.addVerbatim(ch, i);
      i++;
    }
  }
  return out.done();
}

interface BlockLine {
  /** Offset of the line's first character, of its first non-space one, of its end (before \r\n), after its break. */
  readonly start: number;
  readonly content: number;
  readonly end: number;
  readonly next: number;
}

/** A literal (`|`) or folded (`>`) block scalar, its header at `start`. */
function blockScalar(source: string, start: number, expected: string | undefined): ScalarOffsets {
  const headerEnd = source.indexOf('\n', start);
  const header = /^[|>]([-+]?)([1-9]?)([-+]?)/.exec(source.slice(start, headerEnd === -1 ? source.length : headerEnd));
  const chomp = header?.[1] || header?.[3] || '';
  const explicit = Number(header?.[2] || 0);
  const literal = source[start] === '|';
  const lines: BlockLine[] = [];
  let firstContent: BlockLine | undefined;
  for (let at = headerEnd + 1; headerEnd !== -1 && at <= source.length; ) {
    const nl = source.indexOf('\n', at);
    const next = nl === -1 ? source.length + 1 : nl + 1;
    const end = nl === -1 ? source.length : source[nl - 1] === '\r' && nl - 1 >= at ? nl - 1 : nl;
    let content = at;
    while (content < end && source[content] === ' ') content++;
    const line = { start: at, content, end, next };
    // Past the block: a line with content indented less than any indentation the block can have.
    if (
      content < end &&
      firstContent &&
      content - at < Math.min(explicit || Infinity, firstContent.content - firstContent.start)
    )
      break;
    if (content < end) firstContent ??= line;
    lines.push(line);
    at = next;
  }
  const read = (indent: number) => readBlock(source, lines, indent, literal, chomp);
  if (!explicit || !firstContent) return read(firstContent ? firstContent.content - firstContent.start : 0);
  // The indicator counts from the parent's indentation, which is not known here: the one that reads the value,
  // most likely that of the header's line (a map's key).
  const widest = firstContent.content - firstContent.start;
  const lineStart = source.lastIndexOf('\n', start - 1) + 1;
  let headerIndent = lineStart;
  while (source[headerIndent] === ' ') headerIndent++;
  const likely = read(Math.min(widest, explicit + headerIndent - lineStart));
  if (likely.value === expected) return likely;
  let fallback: ScalarOffsets | undefined;
  for (let indent = widest; indent >= explicit; indent--) {
    const candidate = read(indent);
    if (candidate.value === expected) return candidate;
    fallback ??= candidate;
  }
  return fallback ?? read(widest);
}

function readBlock(
  source: string,
  all: readonly BlockLine[],
  indent: number,
  literal: boolean,
  chomp: string,
): ScalarOffsets {
  const out = new Builder();
  const width = (l: BlockLine) => l.content - l.start;
  const empty = (l: BlockLine) => l.content === l.end;
  // The block ends before the first line with content indented less than the block (or a document marker).
  let count = 0;
  while (count < all.length) {
    const l = all[count];
    if (
      !empty(l) &&
      (width(l) < indent || (indent === 0 && /^(?:---|\.\.\.)(?:[ \t\r\n]|$)/.test(source.slice(l.start, l.start + 4))))
    )
      break;
    count++;
  }
  // A final line without a line break (the end of the text) is a line only when it has characters.
  const lines = all.slice(0, count).filter((l, k) => k < count - 1 || l.next <= source.length || l.start < l.end);
  let chompStart = lines.length;
  while (chompStart > 0 && empty(lines[chompStart - 1])) chompStart--;
  const cut = (l: BlockLine) => Math.min(l.start + indent, l.content);
  if (chompStart === 0) {
    if (chomp === '+' && lines.length > 0) {
      // Every line break of the block (at least one).
      const breaks = lines.filter((l) => l.next <= source.length);
      for (const l of breaks.length ? breaks : lines.slice(0, 1)) out.add('\n', l.end, Math.min(l.next, source.length));
    }
    return out.done();
  }
  let contentStart = 0;
  while (empty(lines[contentStart])) contentStart++;
  // Trailing empty lines indented more than the block are content.
  for (let k = lines.length - 1; k >= chompStart; k--) if (width(lines[k]) > indent) chompStart = k + 1;
  for (let k = 0; k < contentStart; k++) {
    const l = lines[k];
    out.addVerbatim(source.slice(cut(l), l.content), cut(l));
    out.add('\n', l.end, Math.min(l.next, source.length));
  }
  let separator = '';
  let separatorFrom = lines[contentStart].start;
  let prevMoreIndented = false;
  for (let k = contentStart; k < chompStart; k++) {
    const l = lines[k];
    const body = cut(l);
    const text = source.slice(body, l.end);
    if (literal) {
      out.add(separator, separatorFrom, body);
      out.addVerbatim(text, body);
      separator = '\n';
    } else if (width(l) > indent || source[l.content] === '\t') {
      if (separator === ' ') separator = '\n';
      else if (!prevMoreIndented && separator === '\n') separator = '\n\n';
      out.add(separator, separatorFrom, body);
      out.addVerbatim(text, body);
      separator = '\n';
      prevMoreIndented = true;
    } else if (l.content === l.end) {
      if (separator === '\n') {
        out.add('\n', separatorFrom, l.end);
        separatorFrom = l.end;
      } else separator = '\n';
      continue;
    } else {
      out.add(separator, separatorFrom, body);
      out.addVerbatim(text, body);
      separator = ' ';
      prevMoreIndented = false;
    }
    separatorFrom = l.end;
  }
  const lastBreak = lines[chompStart - 1];
  if (chomp === '+') {
    // Kept: the last content line's break, then every trailing line (with what it has beyond the indentation).
    let from = lastBreak.end;
    for (let k = chompStart; k < lines.length; k++) {
      out.add('\n', from, lines[k].start);
      out.addVerbatim(source.slice(cut(lines[k]), lines[k].end), cut(lines[k]));
      from = lines[k].end;
    }
    const tail = lines[lines.length - 1];
    if (tail.next <= source.length) out.add('\n', from, tail.next);
    else if (!out.endsWithLineBreak()) out.add('\n', from, Math.min(from + 1, source.length));
  } else if (chomp !== '-') {
    out.add('\n', lastBreak.end, Math.min(lastBreak.next, source.length));
  }
  return out.done();
}

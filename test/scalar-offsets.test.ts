// Offsets of a value's characters in its scalar's source, for every scalar style: the value read must be the one
// the yaml package reads, every character must come from source that reads as it, and the source a span maps to
// must read back as the span.
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, parseDocument, stringify, type Scalar } from 'yaml';
import { scalarOffsets, sourceSpan, type ScalarOffsets } from '../src/location/scalar-offsets.js';
import { randomInt } from './seeded-random.js';

/** The tests' seeded generator (MESHLINT_TEST_SEED replays a run), as a number in [0, 1). */
const next = () => randomInt(2 ** 30) / 2 ** 30;

type Style = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/** The value node of `k` in a one-key document, read with every scalar a string. */
function valueNode(source: string): Scalar {
  const doc = parseDocument(source, { schema: 'failsafe', strict: false, uniqueKeys: false });
  const map = doc.contents;
  if (!isMap(map) || !isScalar(map.items[0]?.value)) throw new Error(`no scalar in ${JSON.stringify(source)}`);
  return map.items[0].value as Scalar;
}

function mapOf(source: string): { node: Scalar; map: ScalarOffsets } {
  const node = valueNode(source);
  const [start, end] = node.range!;
  return { node, map: scalarOffsets(source, start, end, String(node.value)) };
}

/** Decodes a piece of source cut out of a scalar of `style`, as that style reads it. */
function decodeSlice(style: string, slice: string, indent: number): string {
  const text =
    style === 'QUOTE_DOUBLE'
      ? `k: "${slice}"`
      : style === 'QUOTE_SINGLE'
        ? `k: '${slice}'`
        : style === 'PLAIN'
          ? `k: '${slice.replaceAll("'", "''")}'` // plain and single-quoted text fold alike
          : `k: |-${indent}\n${' '.repeat(indent)}${slice}`;
  return String(valueNode(text).value);
}

const lineBreakish = (s: string) => /^[ \t\r\n]*$/.test(s);

function checkUnits(source: string, style: string, map: ScalarOffsets): void {
  map.value.split('').forEach((unit, i) => {
    const piece = source.slice(map.start(i), map.end(i));
    if (piece === unit) return;
    if ((unit === ' ' || unit === '\n') && lineBreakish(piece)) return; // folding or a line break
    if (style === 'QUOTE_SINGLE' && piece === "''" && unit === "'") return;
    if (style === 'QUOTE_DOUBLE' && piece.startsWith('\\') && String(valueNode(`k: "${piece}"`).value).includes(unit))
      return;
    // Two units of one astral character written as itself.
    if (piece.length === 2 && piece.includes(unit)) return;
    throw new Error(`unit ${i} ${JSON.stringify(unit)} maps to ${JSON.stringify(piece)} in ${JSON.stringify(source)}`);
  });
  for (let i = 1; i < map.value.length; i++) expect(map.start(i)).toBeGreaterThanOrEqual(map.start(i - 1));
}

/** Random spans that start and end on a non-blank unit: their source must read back as the span. */
function checkSpans(source: string, style: string, map: ScalarOffsets, next: () => number, indent: number): void {
  const value = map.value;
  const solid = (i: number) => !/[\s]/.test(value[i]) && !/[\uD800-\uDFFF]/.test(value[i]);
  for (let n = 0; n < 8 && value.length > 0; n++) {
    const a = Math.floor(next() * value.length);
    const b = a + 1 + Math.floor(next() * Math.min(40, value.length - a));
    if (!solid(a) || !solid(b - 1)) continue;
    const [from, to] = sourceSpan(map, a, b)!;
    const slice = source.slice(from, to);
    if (style === 'BLOCK_FOLDED') {
      // Folding depends on the whole line a span starts in: check the spans of one line.
      if (/\n/.test(slice)) continue;
      expect(slice).toBe(value.slice(a, b));
      continue;
    }
    if (style === 'PLAIN' && /^[ \t]|[ \t]$/.test(slice)) continue;
    expect(decodeSlice(style, slice, indent), JSON.stringify({ source, a, b })).toBe(value.slice(a, b));
  }
}

const PIECES = ['a', 'Z', '9', '_', '-', ':', '#', 'é', '中', '😀', ' ', '  ', '\t', '"', "'", '\\', '/', '{', ','];

/** Mostly words (that every style can write), or any characters. */
function randomText(next: () => number, length: number, pieces = PIECES, breaks = true): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const r = breaks ? next() : 1;
    out += r < 0.1 ? '\n' : r < 0.15 ? '\n\n' : r < 0.18 ? '\r\n' : (pieces[Math.floor(next() * pieces.length)] ?? 'x');
  }
  return out;
}
const WORDS = ['tok3n', 'ab', 'ZZ', ' ', ' ', 'é', '😀', '-x'];

describe('scalar offsets: values written by the yaml package in every style', () => {
  const styles: Style[] = ['PLAIN', 'QUOTE_SINGLE', 'QUOTE_DOUBLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'];
  it.each(styles)('%s', (style) => {
    let checked = 0;
    for (let n = 0; n < 300; n++) {
      // Plain and folded text is written over several lines only when it has no line breaks of its own.
      const breaks = (style !== 'PLAIN' && style !== 'BLOCK_FOLDED') || next() < 0.2;
      const text = randomText(next, 1 + Math.floor(next() * 60), next() < 0.6 ? WORDS : PIECES, breaks).trim() || 'x';
      const source = stringify(
        { k: text },
        {
          defaultStringType: style,
          defaultKeyType: 'PLAIN',
          lineWidth: 20 + Math.floor(next() * 40),
          minContentWidth: 0,
        },
      );
      const { node, map } = mapOf(source);
      expect(map.value, JSON.stringify(source)).toBe(String(node.value));
      checkUnits(source, String(node.type), map);
      checkSpans(source, String(node.type), map, next, 2);
      if (node.type === style) checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });
});

/** Hand-written sources: what people write, and what the yaml package's writer never does. */
function randomDoubleQuoted(next: () => number): string {
  const parts = [
    'ab',
    'Tok3n',
    '\\n',
    '\\t',
    '\\"',
    '\\\\',
    '\\u00e9',
    '\\x41',
    '\\U0001F600',
    '\\/',
    ' ',
    '\t',
    'é',
    '😀',
  ];
  const breaks = ['\n    ', '\n\n    ', '\\\n    ', '\\\r\n  ', '\r\n    ', '  \n    ', '\n  \n    '];
  let body = '';
  for (let i = 0, n = 1 + Math.floor(next() * 30); i < n; i++)
    body += next() < 0.15 ? breaks[Math.floor(next() * breaks.length)] : parts[Math.floor(next() * parts.length)];
  return `k: "${body}"\n`;
}

function randomFlowLines(next: () => number, quote: string): string {
  const words = ['ab', 'Tok3n', "''", 'é', '😀', 'x:y', 'a#b', '\\n'].filter((w) => quote || w !== "''");
  const gaps = [' ', '  ', '\t', '\n    ', '\n\n    ', ' \n  \t ', '\r\n    ', '\n   \n    '];
  let body = words[0];
  for (let i = 0, n = Math.floor(next() * 12); i < n; i++)
    body += gaps[Math.floor(next() * gaps.length)] + words[Math.floor(next() * words.length)];
  return `k: ${quote}${body}${quote}\n`;
}

function randomBlock(next: () => number): { source: string; indent: number } {
  const indent = 2 + Math.floor(next() * 3);
  const header = ['|', '>', '|-', '>-', '|+', '>+', `|${indent - 2 || ''}`, `>${indent}-`][Math.floor(next() * 8)];
  const explicit = /\d/.test(header) ? Number(header.replace(/\D/g, '')) : 0;
  const base = explicit ? explicit : indent;
  const eol = next() < 0.3 ? '\r\n' : '\n';
  const lines: string[] = [];
  for (let i = 0, n = 1 + Math.floor(next() * 8); i < n; i++) {
    const r = next();
    const first = !lines.some((l) => l.trim());
    const extra = first ? '' : r < 0.2 ? ' '.repeat(1 + Math.floor(next() * 3)) : r < 0.25 ? '\t' : '';
    lines.push(
      r > 0.85
        ? ''
        : `${' '.repeat(base)}${extra}${
            randomText(next, 1 + Math.floor(next() * 10))
              .replace(/\r?\n/g, ' ')
              .trim() || 'x'
          }`,
    );
  }
  if (!lines.some((l) => l.trim())) lines.push(`${' '.repeat(base)}tok`);
  const source = `k: ${header}${next() < 0.2 ? ' # a comment' : ''}${eol}${lines.join(eol)}${eol}${next() < 0.5 ? `${eol}${eol}` : ''}n: 1${eol}`;
  return { source, indent: base };
}

describe('scalar offsets: hand-written scalars', () => {
  const cases: [string, () => (next: () => number) => { source: string; indent: number }][] = [
    [
      'double-quoted with escapes, continuations and CRLF',
      () => (next) => ({ source: randomDoubleQuoted(next), indent: 0 }),
    ],
    ['single-quoted over several lines', () => (next) => ({ source: randomFlowLines(next, "'"), indent: 0 })],
    ['plain over several lines', () => (next) => ({ source: randomFlowLines(next, ''), indent: 0 })],
    ['block scalars with headers, CRLF, tabs and kept lines', () => randomBlock],
  ];
  it.each(cases)('%s', (_name, make) => {
    const generate = make();
    for (let n = 0; n < 300; n++) {
      const { source, indent } = generate(next);
      const { node, map } = mapOf(source);
      expect(map.value, JSON.stringify(source)).toBe(String(node.value));
      checkUnits(source, String(node.type), map);
      checkSpans(source, String(node.type), map, next, indent);
    }
  });
});

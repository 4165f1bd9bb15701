// The lean reader (src/parse/fast.ts) against the YAML library: for every document it accepts, the value, the
// documents and their offsets, the problems of the file, and the location of every path must be exactly what the
// library's reading gives. Over every fixture, a fixed sample of ../shared/corpus, and generated YAML built around
// the traps of YAML 1.1 and of indentation.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { isMap, isPair, isSeq } from 'yaml';
import { describe, expect, it } from 'vitest';
import { locateOffsets } from '../src/location/locate.js';
import { FastReader, readLocationTree } from '../src/parse/fast.js';
import { jsonPartReadsCleanly } from '../src/parse/json-part.js';
import { parseSource, type SourceFile } from '../src/parse/source.js';
import { firstDocumentEnd, isJsonStream, splitYamlStream } from '../src/parse/stream.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { JSON_TRAPS, TRICKY_KEYS, TRICKY_SCALARS } from './yaml-constructs.js';
import { corpusDir, manifestFiles } from './helpers.js';
import { expectLibraryLocations } from './location-trees.js';
import { SEED } from './seeded-random.js';

const shape = (file: SourceFile) => ({
  documents: file.documents.map(({ index, value, start, end }) => ({ index, value, start, end })),
  problems: file.problems,
  unreadDocuments: file.unreadDocuments,
  skipped: file.skipped,
});

interface Tally {
  parts: number;
  accepted: number;
  located: number;
}

/**
 * Reads a text both ways and asserts they agree; counts the parts the lean reader accepts and, with `locate`, checks
 * the location of every path of every accepted document (three targets each).
 */
function compareBothWays(name: string, text: string | Uint8Array, tally: Tally, locate: boolean): void {
  const fast = parseSource(name, text, MANIFEST_PARSE_OPTIONS);
  const full = parseSource(name, text, { ...MANIFEST_PARSE_OPTIONS, fast: false });
  expect(shape(fast), name).toStrictEqual(shape(full));
  const source = fast.text;
  if (isJsonStream(source)) return;
  const reader = new FastReader(source);
  for (const part of splitYamlStream(source).parts) {
    tally.parts++;
    const end = firstDocumentEnd(source, part.start, part.end);
    if (reader.read(part.start, end).kind === 'document') tally.accepted++;
  }
  if (!locate) return;
  for (const document of full.documents)
    expectLibraryLocations(
      name,
      source,
      document,
      () => document.ast,
      (paths) => readLocationTree(source, document.start, document.end, paths),
      tally,
    );
}

describe('the lean reader reads what the YAML library reads', () => {
  it('on every fixture and a fixed sample of the corpus: values, documents, offsets, problems, locations', {
    timeout: 120_000,
  }, () => {
    const tally: Tally = { parts: 0, accepted: 0, located: 0 };
    for (const path of manifestFiles('fixtures')) compareBothWays(path, readFileSync(path), tally, true);
    const corpus = corpusDir();
    if (corpus) {
      // Every 6th file (about 630): values of all of them, locations of every 3rd of those.
      manifestFiles(corpus)
        .filter((_, i) => i % 6 === 0)
        .forEach((path, i) => compareBothWays(path, readFileSync(path), tally, i % 3 === 0));
    } else {
      console.warn('fast-read: ../shared/corpus not found; only the fixtures are compared.');
    }
    console.log(
      `fast-read: the lean reader accepted ${tally.accepted} of ${tally.parts} documents; ${tally.located} locations compared`,
    );
    // The subset is the common case: a reader that declines most documents would be correct and useless.
    expect(tally.accepted).toBeGreaterThan(tally.parts * 0.9);
  });

  it('builds a tree for some paths with their nodes only (as many as the paths, not as the document)', () => {
    const entries = Array.from({ length: 5000 }, (_, i) => `  - name: n${i}\n    spec: {port: ${i}, tags: [a, b]}\n`);
    const text = `kind: List\nitems:\n${entries.join('')}`;
    const nodes = (node: unknown): number => {
      if (isPair(node)) return 1 + nodes(node.key) + nodes(node.value);
      if (isMap(node) || isSeq(node)) return 1 + node.items.reduce((sum: number, item) => sum + nodes(item), 0);
      return node === undefined ? 0 : 1;
    };
    const alone = () => nodes(readLocationTree(text, 0, text.length, [['items', 7]])!.contents);
    const before = alone();
    // A path that ends where a later one goes on: what is kept below it is its own, nothing another path shares.
    readLocationTree(text, 0, text.length, [
      ['items', 10],
      ['items', 10, 'spec', 'port'],
    ]);
    expect(alone()).toBe(before);
    const paths = [['items', 4000, 'spec', 'tags', 1], ['items', 10, 'missing'], ['items', 7000], ['kind']];
    const whole = readLocationTree(text, 0, text.length)!;
    const some = readLocationTree(text, 0, text.length, paths)!;
    expect(nodes(whole.contents)).toBeGreaterThan(5000 * 12);
    expect(nodes(some.contents)).toBeLessThan(50);
    for (const path of paths)
      for (const target of ['key', 'value', 'pair'] as const)
        expect(locateOffsets(text, some, 0, text.length, path, target)).toStrictEqual(
          locateOffsets(text, whole, 0, text.length, path, target),
        );
  });

  it('reads the YAML 1.1 scalars go-yaml reads, and nothing of an object prototype', () => {
    const file = parseSource('s.yaml', 'a: y\nb: 0755\nc: 1_000\nd: 1:20\ne: valueOf\nf: "0755"\ng: constructor\n');
    expect(file.documents[0].value).toStrictEqual({
      a: true,
      b: 493,
      c: 1000,
      d: '1:20',
      e: 'valueOf',
      f: '0755',
      g: 'constructor',
    });
  });

  it('stops at the filter fields of a document nobody reads, and agrees with the library whatever follows', () => {
    const fields = ['apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition'];
    // Lines the lean reader declines or the library rejects (inside a composed document each is a problem).
    const traps = [
      '- x',
      'x',
      ' y: z',
      'a: *b',
      'a: &x [1,',
      '"open',
      '? q',
      '{',
      '--- foo',
      '...',
      '%TAG ! x',
      'k: v\n  - n',
      'key: |\n x\n  y',
      'kind: Pod',
      'apiVersion: v1',
      'a:\tb',
      '{{ .Values.x }}',
    ];
    const bodies = ['spec:\n  group: example.com\n  names:\n    kind: Thing', 'metadata:\n  name: things.example.com'];
    const orders = [
      [fields[0], fields[1], bodies[0]],
      [fields[1], fields[0], bodies[0]],
      [bodies[1], fields[1], bodies[0], fields[0]],
      [fields[0], bodies[1], fields[1], bodies[0]],
    ];
    let unread = 0;
    let cases = 0;
    for (const order of orders) {
      const lines = order.join('\n').split('\n');
      for (let at = 0; at <= lines.length; at++) {
        for (const trap of traps) {
          const text = [...lines.slice(0, at), trap, ...lines.slice(at)].join('\n');
          const fast = parseSource('crd.yaml', text, MANIFEST_PARSE_OPTIONS);
          const full = parseSource('crd.yaml', text, { ...MANIFEST_PARSE_OPTIONS, fast: false });
          expect(shape(fast), JSON.stringify(text)).toStrictEqual(shape(full));
          cases++;
          if (fast.unreadDocuments) unread++;
        }
      }
    }
    // Most traps come after both fields: those documents are unread both ways, a trap before them mostly is not.
    expect(unread).toBeGreaterThan(cases / 3);
    expect(unread).toBeLessThan(cases);
  });
});

// Generated YAML: nested block maps and sequences in the layouts manifests use, with keys and scalars chosen among
// the traps (YAML 1.1 booleans and numbers, merge keys, quoted keys, `: ` and `#` inside scalars, block scalars
// holding `---`, trailing blanks), CRLF line ends, a byte order mark, comments and several documents.
type Node =
  | { kind: 'map'; entries: [string, Node][] }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'scalar'; text: string }
  | { kind: 'block'; header: string; lines: string[] };

// Traps are one pick in four: a document is read by the lean reader only when it holds none it declines.
const keyArbitrary = fc.oneof(
  fc.constantFrom(
    ...TRICKY_KEYS,
    '<<',
    "'single key'",
    '"a#b"',
    '"<<"',
    'key with space',
    'x:y',
    '__proto__',
    '1:20',
    '[a]',
    '{a: 1}',
  ),
  { arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9_.-]{0,8}$/), weight: 3 },
);
const scalarArbitrary = fc.oneof(
  fc.constantFrom(
    ...TRICKY_SCALARS,
    'a: b',
    'a #b',
    'a#b',
    '"#not a comment"',
    "'it''s'",
    '"a: b"',
    'http://x:80/p',
    '- x',
    '-1',
    '::1',
    ':8080',
    '[a, "b", {c: d}]',
    '{a: 1, b: [x, y]}',
    '[]',
    '{}',
    '"esc \\" \\\\ \\u00e9"',
    '"broken \\q"',
    '"open',
    '&anchor x',
    '*alias',
    '~',
    '',
  ),
  { arbitrary: fc.stringMatching(/^[a-z][a-z0-9 ./-]{0,12}[a-z0-9]$/), weight: 2 },
  fc.string({ maxLength: 10 }).map((s) => JSON.stringify(s)),
);
const blockArbitrary: fc.Arbitrary<Node> = fc.record({
  kind: fc.constant('block' as const),
  header: fc.constantFrom('|', '|-', '>', '>-', '|', '|-', '>', '|+', '|2', '|  # note'),
  lines: fc.array(
    fc.constantFrom('text', 'text', '---', '  more indented', '', '# not a comment', 'trailing  ', '- item'),
    { minLength: 1, maxLength: 4 },
  ),
});
const { node: nodeArbitrary } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArbitrary.map((text): Node => ({ kind: 'scalar', text })),
    blockArbitrary,
    fc
      .array(fc.tuple(keyArbitrary, tie('node')), { minLength: 1, maxLength: 4 })
      .map((entries): Node => ({ kind: 'map', entries })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((items): Node => ({ kind: 'seq', items })),
  ),
}));

interface Layout {
  readonly step: number;
  readonly compactSeq: boolean;
  readonly comment: string;
  readonly trailing: string;
}

/** The node's lines at indentation `indent` (a map or sequence), or its one-line text (a scalar, after `key: `). */
function render(node: Node, indent: number, layout: Layout): string[] {
  const pad = ' '.repeat(indent);
  if (node.kind === 'map') {
    return node.entries.flatMap(([key, value]) => {
      const head = `${pad}${key}:`;
      if (value.kind === 'scalar') return [`${head} ${value.text}${layout.trailing}`];
      if (value.kind === 'block')
        return [`${head} ${value.header}${layout.comment}`, ...blockLines(value, indent + layout.step)];
      const childIndent = value.kind === 'seq' && layout.compactSeq ? indent : indent + layout.step;
      return [`${head}${layout.comment}`, ...render(value, childIndent, layout)];
    });
  }
  if (node.kind === 'seq') {
    return node.items.flatMap((item) => {
      if (item.kind === 'scalar') return [`${pad}- ${item.text}${layout.trailing}`];
      if (item.kind === 'block') return [`${pad}- ${item.header}`, ...blockLines(item, indent + 2)];
      const inner = render(item, indent + 2, layout);
      return [`${pad}- ${inner[0].slice(indent + 2)}`, ...inner.slice(1)];
    });
  }
  return [`${pad}${node.kind === 'scalar' ? node.text : ''}`];
}

function blockLines(node: Extract<Node, { kind: 'block' }>, indent: number): string[] {
  return node.lines.map((line) => (line === '' ? '' : `${' '.repeat(indent)}${line}`));
}

const streamArbitrary = fc
  .record({
    documents: fc.array(fc.array(fc.tuple(keyArbitrary, nodeArbitrary), { minLength: 1, maxLength: 5 }), {
      minLength: 1,
      maxLength: 3,
    }),
    step: fc.constantFrom(2, 4),
    compactSeq: fc.boolean(),
    comment: fc.constantFrom('', ' # note', '  #'),
    trailing: fc.constantFrom('', '  ', ' # c'),
    lineEnd: fc.constantFrom('\n', '\n', '\n', '\n', '\n', '\r\n'),
    bom: fc.boolean(),
    head: fc.constantFrom('', '# leading comment\n', '---\n'),
  })
  .map(({ documents, step, compactSeq, comment, trailing, lineEnd, bom, head }) => {
    const layout = { step, compactSeq, comment, trailing };
    const parts = documents.map((entries) => render({ kind: 'map', entries }, 0, layout).join(lineEnd) + lineEnd);
    return `${bom ? '\uFEFF' : ''}${head}${parts.join(`---${lineEnd}`)}`;
  });

describe('the lean reader on generated YAML', () => {
  it('agrees with the YAML library on every document, accepted or not', { timeout: 120_000 }, () => {
    const tally: Tally = { parts: 0, accepted: 0, located: 0 };
    fc.assert(
      fc.property(streamArbitrary, (text) => {
        compareBothWays('generated.yaml', text, tally, true);
      }),
      { numRuns: 600, seed: SEED },
    );
    console.log(`fast-read: generated: accepted ${tally.accepted} of ${tally.parts} documents`);
    // The traps make many documents fall back, but not all of them: the comparison must also cover accepted ones.
    expect(tally.accepted).toBeGreaterThan(tally.parts * 0.25);
  });
});

// Generated JSON streams: JSON.parse gives the values of the parts the YAML library reads without a problem, and the
// library reads the rest (duplicate and `<<` keys, tabs, CR, very long keys, deep nesting, characters it treats
// specially); both readings must agree on everything.
const jsonStreamArbitrary = fc
  .record({
    value: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 6 }),
    indent: fc.constantFrom(0, 1, 2, 4),
    trap: fc.option(fc.nat(JSON_TRAPS.length - 1), { freq: 2 }),
  })
  .map(({ value, indent, trap }) => {
    const text = JSON.stringify(value, null, indent);
    return trap === null ? text : JSON_TRAPS[trap](text);
  });

describe('JSON streams read without the YAML library', () => {
  it('agree with the YAML library on values, offsets and problems', { timeout: 120_000 }, () => {
    let clean = 0;
    let runs = 0;
    fc.assert(
      fc.property(jsonStreamArbitrary, (text) => {
        const fast = parseSource('generated.json', text, MANIFEST_PARSE_OPTIONS);
        const full = parseSource('generated.json', text, { ...MANIFEST_PARSE_OPTIONS, fast: false });
        expect(shape(fast), text).toStrictEqual(shape(full));
        runs++;
        if (isJsonStream(text) && jsonPartReadsCleanly(text, 0, text.length)) clean++;
      }),
      { numRuns: 400, seed: SEED },
    );
    // Both kinds of part must be compared: those read by JSON.parse alone, and those the traps leave to the library.
    expect(clean).toBeGreaterThan(runs * 0.2);
    expect(clean).toBeLessThan(runs * 0.9);
  });
});

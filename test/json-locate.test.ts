// Documents written as JSON are located without the YAML library (src/parse/json-part.ts readJsonLocationTree): its
// trees must locate every path exactly as the library's tree does, on the JSON the corpus holds (documents, and JSON
// held in strings), the fixtures, generated JSON in every layout and escape, and the edge cases; and it must leave
// to the library whatever the library might read otherwise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isMap, isPair, isSeq, Parser } from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocatedAsRead } from '../src/location/as-read.js';
import { locate, locateOffsets, type LocationTree, type Path } from '../src/location/locate.js';
import { isCleanJsonValue, jsonPartReadsCleanly, readJsonLocationTree } from '../src/parse/json-part.js';
import { parseSource } from '../src/parse/source.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
// @ts-expect-error: a plain ES module of the repository's scripts, without types
import { generateEnvoyClustersJson } from '../scripts/gen-scale-repo.mjs';
import { corpusDir, manifestFiles, runCli, tempRepo } from './helpers.js';
import { expectLibraryLocations, pathsOf } from './location-trees.js';
import { SEED } from './seeded-random.js';
import { JSON_TRAPS } from './yaml-constructs.js';

interface Tally {
  documents: number;
  accepted: number;
  located: number;
}
const newTally = (): Tally => ({ documents: 0, accepted: 0, located: 0 });

/**
 * Reads `text` as a JSON file (a stream of JSON values, when it starts with `{`) and as YAML (as a document held in a
 * string, or a YAML file written as JSON, is read), and expects the JSON reader's trees, where it builds one, to
 * locate every path as the library's tree, which then has no error.
 */
function compareWithLibrary(
  name: string,
  text: string,
  tally: Tally,
  readings: readonly ('kubernetes' | 'yaml')[] = ['kubernetes', 'yaml'],
): { json: boolean; yaml: boolean } {
  const readAll = { json: true, yaml: true };
  for (const json of readings) {
    const file = parseSource(name, text, { ...MANIFEST_PARSE_OPTIONS, json });
    for (const document of file.documents) {
      tally.documents++;
      const library = () => {
        expect(document.ast.errors, `${name} #${document.index} (${json}): the library reads it cleanly`).toEqual([]);
        return document.ast as LocationTree;
      };
      const read = (paths?: readonly Path[]) => readJsonLocationTree(file.text, document.start, document.end, paths);
      if (expectLibraryLocations(`${name} (${json})`, file.text, document, library, read, tally)) tally.accepted++;
      else readAll[json === 'yaml' ? 'yaml' : 'json'] = false;
    }
  }
  return readAll;
}

/** JSON values held in the strings of a value (dashboards, configs in ConfigMaps). */
function* jsonStrings(value: unknown): Generator<string> {
  if (typeof value === 'string') {
    const first = value.trimStart()[0];
    if (first !== '{' && first !== '[') return;
    try {
      JSON.parse(value);
      yield value;
    } catch {
      // not JSON
    }
  } else if (value && typeof value === 'object') for (const inner of Object.values(value)) yield* jsonStrings(inner);
}

describe('JSON location trees locate as the YAML library', () => {
  it('on the JSON of the fixtures and the corpus (documents, and JSON held in strings)', { timeout: 300_000 }, () => {
    const tally = newTally();
    const files = manifestFiles('fixtures').concat(manifestFiles('test').filter((path) => path.endsWith('.json')));
    const corpus = corpusDir();
    if (corpus) files.push(...manifestFiles(corpus));
    else console.warn('json-locate: ../shared/corpus not found; only the fixtures are compared.');
    let held = 0;
    for (const path of files) {
      const text = readFileSync(path, 'utf8');
      const file = parseSource(path, text, MANIFEST_PARSE_OPTIONS);
      // Documents written as JSON (read as JSON, or as the flow YAML they also are), and those that are not (declined).
      if (path.endsWith('.json') || file.documents.some((d) => /^\s*[[{]/.test(text.slice(d.start, d.end))))
        compareWithLibrary(path, text, tally);
      for (const document of file.documents)
        for (const inner of jsonStrings(document.value)) {
          held++;
          // (Read as JSON only: as YAML, the same text has the same tree, which the files and generated JSON compare.)
          compareWithLibrary(`${path} #${document.index} (a JSON string)`, inner, tally, ['kubernetes']);
        }
    }
    console.log(
      `json-locate: ${tally.accepted} of ${tally.documents} documents read (${held} JSON strings); ${tally.located} locations compared`,
    );
    expect(tally.accepted).toBeGreaterThan(corpus ? 200 : 5);
  });

  it('on generated JSON: every layout of blanks, escapes (\\u, surrogate pairs, \\/), unicode, numbers', {
    timeout: 300_000,
  }, () => {
    const tally = newTally();
    let strict = 0;
    let strictRead = 0;
    let clean = 0;
    fc.assert(
      fc.property(generatedJson, ({ text, trap }) => {
        const readAll = compareWithLibrary('generated.json', text, tally);
        // What a JSON stream's reading takes for one clean value without asking jsonPartReadsCleanly (or JSON.parse).
        if (isCleanJsonValue(text, 0, text.length)) {
          clean++;
          expect(jsonPartReadsCleanly(text, 0, text.length), text).toBe(true);
          expect(() => JSON.parse(text), text).not.toThrow();
        }
        if (trap === null) {
          // Strict JSON with no trap is read both ways (as JSON and as YAML).
          strict++;
          if (readAll.json && readAll.yaml) strictRead++;
        }
      }),
      { numRuns: 500, seed: SEED },
    );
    console.log(`json-locate: generated: ${tally.accepted} of ${tally.documents} documents read`);
    expect(strict).toBeGreaterThan(100);
    expect(strictRead).toBe(strict);
    expect(clean).toBeGreaterThan(100);
  });

  it('on the edge cases, and leaves to the library what it might read otherwise', () => {
    const tally = newTally();
    const read = [
      '{}',
      '[]',
      '[ ]',
      '{"a": {}, "b": [], "c": [[], [{}], {}], "d": { }}',
      '{"n": [-0, 0, 1e5, 1E+5, -1.5e-3, 0.25, 123456789012345678901234567890, -7]}',
      '{"t": true, "f": false, "z": null, "tt": [true, false, null]}',
      '{"a\\"b": "c\\\\d", "\\u00e9": "\\ud83d\\ude00", "e\\/f": "\\b\\f\\n\\r\\t", "g": "\\u2028", "\\ud800": 1}',
      '{"clé": "値", "emoji 😀": "x😀y", "ключ": ["щ", {"ß": "ü"}]}',
      '{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ],\n  "c": {\n    "d": "e"\n  }\n}\n',
      '{\n  "a": 1\n  , "b": [ 1\n  , 2 ]\n}',
      '{"a":\n1, "b":\n\n  [\n]}',
      '{"a": [1,\n 2], "b": {"c":\n {"d": 1}, "e": [{"f": [\n1]}]}}',
      '[{"x": 1}, {"x": 2}, {"x": [3, 4]}\n]',
      `{"${'k'.repeat(999)}": 1}`,
      `{"deep": ${'['.repeat(199)}${']'.repeat(199)}}`,
      '{"key with # hash": "value # too", "k2": ["#", " #x"]}',
      '  \n {"lead": "blanks"}  \n\n',
    ];
    for (const text of read)
      expect(compareWithLibrary(JSON.stringify(text.slice(0, 60)), text, tally), text.slice(0, 80)).toEqual({
        json: true,
        yaml: true,
      });
    // A stream of JSON values: each one (as YAML, the stream is one document the library cannot read).
    const stream = '{"a": 1} {"b": [2]}\n[3, {"c": "d"}]\n';
    expect(compareWithLibrary('stream', stream, tally)).toEqual({ json: true, yaml: false });
    expect(parseSource('stream.json', stream, MANIFEST_PARSE_OPTIONS).documents).toHaveLength(3);
    const declined = [
      '{"dup": 1, "dup": 2}',
      '{"a\\u0062": 1, "ab": 2}',
      '{"<<": {"a": 1}}',
      '{"a": 1,\r\n "b": 2}',
      '{\t"a": 1}',
      '{"a"\n: 1}',
      `{"${'k'.repeat(1001)}": 1}`,
      `{"deep": ${'['.repeat(200)}${']'.repeat(200)}}`,
      '{"x": "\u2028"}',
      '{"x": "\u0085"}',
      '{"a": 1} # a comment',
      '{a: 1}',
      "{'a': 1}",
      '{"a": 01}',
      '{"a": .5}',
      '{"a": 1.}',
      '{"a": +1}',
      '{"a": [1,]}',
      '{"a": "\\x41"}',
      '{"a": "\\u12"}',
      '{"a": True}',
      '"a scalar"',
      '{"a": 1}}',
      '{"a": 1',
    ];
    for (const text of declined) {
      expect(readJsonLocationTree(text, 0, text.length), text).toBeUndefined();
      expect(readJsonLocationTree(text, 0, text.length, [['a']]), text).toBeUndefined();
      expect(isCleanJsonValue(text, 0, text.length), text).toBe(false);
      compareWithLibrary(JSON.stringify(text.slice(0, 60)), text, tally);
    }
  });
});

describe('JSON location trees for some paths', () => {
  const nodes = (node: unknown): number => {
    if (isPair(node)) return 1 + nodes(node.key) + nodes(node.value);
    if (isMap(node) || isSeq(node)) return 1 + node.items.reduce((sum: number, item) => sum + nodes(item), 0);
    return node === undefined ? 0 : 1;
  };
  const items = Array.from({ length: 3000 }, (_, i) => ({ name: `n${i}`, spec: { port: i, tags: ['a', { b: [i] }] } }));

  it('hold as many nodes as the paths, on one line or many (not as many as the document)', () => {
    const paths = [['items', 2500, 'spec', 'tags', 1], ['items', 10, 'missing'], ['items', 7000], ['kind'], ['items']];
    for (const text of [
      JSON.stringify({ kind: 'List', items }),
      JSON.stringify({ kind: 'List', items }, null, 2),
      // Entries on the first lines of collections that go on past them.
      `{"kind": "List", "items": [${items.map((item) => JSON.stringify(item)).join(', ')},\n{"x": [1,\n2]}]}`,
    ]) {
      const whole = readJsonLocationTree(text, 0, text.length)!;
      const some = readJsonLocationTree(text, 0, text.length, paths)!;
      expect(nodes(whole.contents)).toBeGreaterThan(3000 * 12);
      expect(nodes(some.contents)).toBeLessThan(60);
      const library = parseSource('l.json', text, { ...MANIFEST_PARSE_OPTIONS, fast: false }).documents[0].ast;
      for (const path of paths)
        for (const target of ['key', 'value', 'pair'] as const)
          expect(locateOffsets(text, some, 0, text.length, path, target), `${path} ${target}`).toStrictEqual(
            locateOffsets(text, library, 0, text.length, path, target),
          );
    }
  });
});

describe('JSON location trees read with their paths located as read', () => {
  const items = Array.from({ length: 2000 }, (_, i) => ({ name: `n${i}`, spec: { port: i, tags: ['a', { b: [i] }] } }));
  const layouts = [
    JSON.stringify({ kind: 'List', items }),
    JSON.stringify({ kind: 'List', items }, null, 2),
    // Entries on the first lines of collections that go on past them.
    `{"kind": "List", "items": [${items.map((item) => JSON.stringify(item)).join(', ')},\n{"x": [1,\n2]}]}`,
    `[[1, [2,\n3]], {"a": [4, {"b": 5}, [6,\n7]]}, 8]`,
  ];
  const targets = ['key', 'value', 'pair'] as const;

  it('locate every path, target and missing tail as the YAML library, in every layout', () => {
    for (const text of layouts) {
      const value = JSON.parse(text) as unknown;
      // Every path of the small documents; of the large ones, those of every 97th item (and the paths above them).
      const paths = [...pathsOf(value)].filter((path) => typeof path[1] !== 'number' || path[1] % 97 === 0);
      const asked = paths.flatMap((path) => targets.map(() => path));
      const askedTargets = paths.flatMap(() => targets);
      const asRead = new LocatedAsRead(text, 0, text.length, asked, askedTargets);
      const tree = readJsonLocationTree(text, 0, text.length, asked, asRead)!;
      const library = parseSource('l.json', text, { ...MANIFEST_PARSE_OPTIONS, fast: false }).documents[0].ast;
      let locatedAsRead = 0;
      asked.forEach((path, i) => {
        const expected = locateOffsets(text, library, 0, text.length, path, askedTargets[i]);
        const found = asRead.located(i)
          ? { start: asRead.start(i), end: asRead.end(i), missing: asRead.missing(i) }
          : locateOffsets(text, tree, 0, text.length, path, askedTargets[i]);
        if (asRead.located(i)) locatedAsRead++;
        expect(found, `${JSON.stringify(path)} ${askedTargets[i]}`).toStrictEqual(expected);
      });
      expect(locatedAsRead).toBeGreaterThan(asked.length / 3);
    }
  });

  it('leave no path located when the document is declined further on (the lean YAML reader then reads it)', () => {
    const text = '{"items": [{"a": 1}, {"a": 2}, {"a": 3}], "x": 1, "x": 2}';
    const paths: Path[] = [0, 1, 2].map((i) => ['items', i, 'a']);
    const asRead = new LocatedAsRead(text, 0, text.length, paths, ['pair', 'pair', 'pair']);
    expect(readJsonLocationTree(text, 0, text.length, paths, asRead)).toBeUndefined();
    expect(paths.map((_, i) => asRead.located(i))).toEqual([false, false, false]);
  });
});

interface Finding {
  readonly ruleId: string;
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

describe('findings in a JSON document', () => {
  afterEach(() => vi.restoreAllMocks());

  it('are located without the YAML library parsing the document (an Envoy bootstrap written as JSON)', async () => {
    const dir = tempRepo({});
    generateEnvoyClustersJson(dir, 50);
    const minified = readFileSync(join(dir, 'envoy.json'), 'utf8');
    const json = { minified, indented: JSON.stringify(JSON.parse(minified), null, 2) };
    const parsed: string[] = [];
    const parse = Parser.prototype.parse;
    vi.spyOn(Parser.prototype, 'parse').mockImplementation(function (this: Parser, source, incomplete) {
      parsed.push(source);
      return parse.call(this, source, incomplete);
    });
    for (const [layout, text] of Object.entries(json)) {
      parsed.length = 0;
      const repo = tempRepo({ 'envoy.json': text });
      const { code, stdout } = await runCli([repo, '-f', 'json', '--no-config'], repo);
      expect(code, layout).toBe(1);
      const findings = JSON.parse(stdout).findings as Finding[];
      expect(
        findings.filter((f) => f.ruleId === 'envoy-upstream-plaintext'),
        layout,
      ).toHaveLength(50);
      expect(
        parsed.filter((source) => source.includes('"clusters"')),
        layout,
      ).toEqual([]);
      // Where the library's tree puts them.
      const file = parseSource('envoy.json', text, { ...MANIFEST_PARSE_OPTIONS, fast: false });
      for (const finding of findings) {
        const path = finding.path
          .split(/\.|\[(\d+)\]/)
          .filter((segment) => segment)
          .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
        const { startLine, startColumn, endLine, endColumn } = locate(file, file.documents[0], path).range;
        expect([finding.line, finding.column, finding.endLine, finding.endColumn], finding.path).toEqual([
          startLine,
          startColumn,
          endLine,
          endColumn,
        ]);
      }
    }
  });
});

// Generated JSON: values written with blanks anywhere JSON allows them (spaces, line feeds; the traps add tabs, CR
// and a key's `:` on the next line, which the library reads otherwise or not at all), strings with any character
// raw or escaped (\uXXXX, surrogate pairs, \/, the short escapes), numbers in several spellings, and the traps the
// JSON reader must leave to the library.
const BLANKS = ['', '', '', ' ', ' ', '\n', '  ', '\n  ', ' \n', '\n\n '];
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};
function writeJson(value: unknown, choices: readonly number[]): string {
  let k = 0;
  const pick = (n: number) => (choices.length === 0 ? 0 : choices[k++ % choices.length] % n);
  const blank = () => BLANKS[pick(BLANKS.length)];
  const string = (s: string) => {
    let out = '"';
    for (const ch of s) {
      const code = ch.codePointAt(0)!;
      if (SHORT_ESCAPES[ch] !== undefined && pick(3) !== 0) out += SHORT_ESCAPES[ch];
      else if (code < 0x20 || ch === '"' || ch === '\\' || pick(4) === 0)
        for (let i = 0; i < ch.length; i++)
          out += `\\u${ch
            .charCodeAt(i)
            .toString(16)
            .padStart(4, pick(2) ? '0' : '0')}`;
      else if (ch === '/' && pick(2) === 0) out += '\\/';
      else out += ch;
    }
    return `${out}"`;
  };
  const number = (n: number) => {
    if (Object.is(n, -0)) return '-0';
    if (!Number.isFinite(n)) return 'null';
    const spellings = [JSON.stringify(n), n.toExponential(), n.toExponential().toUpperCase().replace('E+', 'E')];
    return spellings[pick(spellings.length)];
  };
  const write = (v: unknown): string => {
    if (v === null) return 'null';
    if (typeof v === 'number') return number(v);
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'string') return string(v);
    if (Array.isArray(v)) return `[${blank()}${v.map((item) => write(item)).join(`${blank()},${blank()}`)}${blank()}]`;
    const entries = Object.entries(v as Record<string, unknown>).map(
      ([key, item]) => `${string(key)}${pick(4) === 0 ? ' ' : ''}:${blank()}${write(item)}`,
    );
    return `{${blank()}${entries.join(`${blank()},${blank()}`)}${blank()}}`;
  };
  return write(value);
}
const generatedJson = fc
  .record({
    value: fc.dictionary(fc.string({ maxLength: 6, unit: 'binary' }), fc.jsonValue({ maxDepth: 4 }), {
      minKeys: 1,
      maxKeys: 6,
    }),
    unicode: fc.array(fc.string({ unit: 'grapheme', maxLength: 5 }), { maxLength: 4 }),
    choices: fc.array(fc.nat(1000), { maxLength: 40 }),
    trap: fc.option(fc.nat(JSON_TRAPS.length - 1), { freq: 3 }),
  })
  .map(({ value, unicode, choices, trap }) => {
    const text = writeJson({ ...value, unicode }, choices);
    return { text: trap === null ? text : JSON_TRAPS[trap](text), trap };
  });

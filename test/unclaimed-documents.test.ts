// Documents nothing reads are counted, not kept (issue 13: a file of a million tiny documents kept a million objects,
// about 1.5 times the memory budget). What must hold: the lint's findings, notices and counts are those of a parse
// that keeps every document (fixtures, a sample of the corpus, and documents made to sit at each edge of the rule),
// whoever asks for a file's documents still gets every one, and a new reader of unclaimed documents cannot go unseen.
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.js';
import { defaultConfig, type RuleSetting } from '../src/engine/config.js';
import { lint } from '../src/engine/run.js';
import { Graph } from '../src/model/graph.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { readByNobody } from '../src/model/unclaimed.js';
import {
  documentCount,
  fromFileData,
  keptDocuments,
  type ParseOptions,
  parseSource,
  toFileData,
} from '../src/parse/source.js';
import { corpusDir, manifestFiles } from './helpers.js';

const KEEP_ALL: ParseOptions = { ...MANIFEST_PARSE_OPTIONS, notKept: undefined };

/** The lint of these files (name -> bytes) parsed with these options: findings, notices and counts. */
function lintWith(files: readonly (readonly [string, Uint8Array | string])[], options: ParseOptions) {
  const rules = new Map<string, RuleSetting>([['networkpolicy-no-default-deny', { severity: 'off' }]]);
  const parsed = files.map(([name, bytes]) => parseSource(name, bytes, options));
  const result = lint({ files: parsed, rules: RULES, config: { ...defaultConfig('.'), rules } });
  const unkept = parsed.reduce((n, f) => n + (f.unkeptDocuments ?? 0), 0);
  return { report: JSON.stringify([result.findings, result.notices, result.stats]), unkept };
}

/** Every number, boolean and null a document could hold under a key some reader looks for, and next to them. */
function edgeDocuments(): [string, string][] {
  const keys = [
    'apiVersion',
    'kind',
    'name',
    'address',
    'connectTimeout',
    'hidden_envoy_deprecated_hosts',
    '@type',
    'resources',
    'admin',
    'static_resources',
    'staticResources',
    '_format_version',
    '_transform',
    'services',
    'routes',
    'plugins',
    'consumers',
    'meshConfig',
    'linkerdVersion',
    'identity',
    'secretGenerator',
    'namePrefix',
  ];
  const bodies = (key: string) => [
    `${JSON.stringify(key)}: 1234567\npassword: 12345678\n`,
    `${JSON.stringify(key)}: [{port: 1}]\n`,
    `${JSON.stringify(key)}: {port: 1}\nname: 9\n`,
  ];
  return [
    ['values.yaml', keys.flatMap(bodies).join('---\n')],
    ['kustomization.yaml', 'password: 123456789\ntoken: 4242424242\n'],
    ['nested/kustomization.yml', 'a: 1\n'],
    ['plain.yaml', 'password: 123456789\n---\na: {b: [1, true, null]}\n---\n- 1\n---\n42\n---\n{}\n'],
    ['token.yaml', 'a: 1\nb: ghp_rYxJlsy2KovwNLDwZ9FyL805Vlazdx0hnBj\n'],
    ['comment.yaml', 'a: 1 # ghp_rYxJlsy2KovwNLDwZ9FyL805Vlazdx0hnBj\n'],
    ['json.json', '{"a": 1}\n{"b": 2}\n'],
  ];
}

describe('documents nobody reads', () => {
  it('leave the lint of the fixtures, a corpus sample and edge documents as when every document is kept', () => {
    const root = join(import.meta.dirname, '..');
    const corpus = corpusDir();
    // Every tenth corpus file, and every one with a document not kept (Helm values files, Kong settings).
    const sample = corpus
      ? manifestFiles(corpus).filter(
          (path, i) => i % 10 === 0 || parseSource(path, readFileSync(path), MANIFEST_PARSE_OPTIONS).unkeptDocuments,
        )
      : [];
    const onDisk = [...manifestFiles(join(root, 'fixtures')), ...sample].map(
      (path) => [relative(root, path), readFileSync(path)] as const,
    );
    const all = [...onDisk, ...edgeDocuments()];
    const kept = lintWith(all, KEEP_ALL);
    const lean = lintWith(all, MANIFEST_PARSE_OPTIONS);
    expect(kept.unkept).toBe(0);
    expect(lean.unkept).toBeGreaterThan(corpus ? 50 : 3);
    expect(lean.report).toBe(kept.report);
  });

  it('are not kept: a file of tiny documents keeps under 20 bytes a document (131 when each was kept)', () => {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const n = 200_000;
    const text = Array.from({ length: n }, (_, i) => `a: ${i % 10}\n`).join('---\n');
    collect();
    collect();
    const before = process.memoryUsage().heapUsed;
    const file = parseSource('tiny.yaml', text, MANIFEST_PARSE_OPTIONS);
    const graph = new Graph([], [file]);
    collect();
    collect();
    const bytes = process.memoryUsage().heapUsed - before;
    expect([...graph.documents]).toHaveLength(0);
    expect(documentCount(file)).toBe(n);
    expect(bytes / n).toBeLessThan(20);
  });

  it('are read again, the same, for whoever asks for every document of the file; kept ones stay the same objects', () => {
    const text = 'a: 1\n---\nkind: x\n---\nb: [2, 3]\n---\n# nothing\n---\nc: "s"\n';
    const file = parseSource('f.yaml', text, MANIFEST_PARSE_OPTIONS);
    const reference = parseSource('f.yaml', text, KEEP_ALL);
    const kept = keptDocuments(file);
    expect(kept.map((d) => d.value)).toEqual([{ kind: 'x' }, { c: 's' }]);
    expect(file.unkeptDocuments).toBe(2);
    expect(documentCount(file)).toBe(4);
    const all = file.documents;
    expect(all.map((d) => [d.index, d.value, d.start, d.end])).toEqual(
      reference.documents.map((d) => [d.index, d.value, d.start, d.end]),
    );
    expect(all[1]).toBe(kept[0]);
    expect(all[3]).toBe(kept[1]);
    expect(file.documents).toBe(all); // read again once
    expect(keptDocuments(file)).toBe(kept); // and the graph's view does not change
    expect(all[0].ast.contents?.toJSON()).toEqual({ a: 1 });
  });

  it('cross to a parser thread or the cache as indexes, not as documents, and are read again there', () => {
    const text = ['a: 1', 'b: 2', 'kind: x', 'c: 3', '%YAML 1.1\n---\nd: 4', 'e: "s"', 'f: 5'].join('\n---\n');
    const file = parseSource('f.yaml', text, MANIFEST_PARSE_OPTIONS);
    const data = toFileData(file);
    expect(data.documents.map((d) => d.value)).toEqual([{ kind: 'x' }, { e: 's' }]);
    expect(data.unkept).toEqual([0, 2, 3, 4, 5, 6, 7, 8]); // part 4 is the directive alone (a problem)
    const copy = fromFileData(structuredClone(data));
    expect(documentCount(copy)).toBe(documentCount(file));
    expect(keptDocuments(copy).map((d) => d.value)).toEqual([{ kind: 'x' }, { e: 's' }]);
    const reference = parseSource('f.yaml', text, KEEP_ALL).documents;
    expect(copy.documents.map((d) => [d.index, d.value, d.start, d.end])).toEqual(
      reference.map((d) => [d.index, d.value, d.start, d.end]),
    );
    expect(file.documents.map((d) => [d.index, d.value, d.start, d.end])).toEqual(
      reference.map((d) => [d.index, d.value, d.start, d.end]),
    );
  });

  it('are only mappings of numbers, booleans and nulls, without a key a reader looks for, outside kustomizations', () => {
    expect(readByNobody({ a: 1, b: { c: [true, null, 2.5] } }, 'x.yaml')).toBe(true);
    expect(readByNobody({}, 'x.yaml')).toBe(true);
    for (const value of [{ a: 'x' }, { a: ['x'] }, { a: { b: 's' } }, [1], 1, null, { a: new Date(0) }])
      expect(readByNobody(value, 'x.yaml'), JSON.stringify(value)).toBe(false);
    for (const key of ['kind', 'apiVersion', 'name', 'typedConfig', '_format_version', 'meshConfig', 'namePrefix'])
      expect(readByNobody({ [key]: 1 }, 'x.yaml'), key).toBe(false);
    expect(readByNobody({ a: 1 }, 'base/kustomization.yaml')).toBe(false);
  });

  it('are read by no module that reads Graph.documents without naming its keys in src/model/unclaimed.ts', () => {
    const root = join(import.meta.dirname, '..');
    const readers = [...typescriptFiles(join(root, 'src')), ...typescriptFiles(join(root, 'rules'))]
      .filter((path) => /\b(?:graph|g|whole)\.documents\b|\)\.documents\b/.test(readFileSync(path, 'utf8')))
      .map((path) => relative(root, path))
      .sort();
    // Each of these reads unclaimed documents by a key named in unclaimed.ts or by their strings; a new one must
    // name its keys there (or keep every document) before it joins this list.
    expect(readers).toEqual([
      'rules/secrets/secret-hardcoded.ts',
      'src/lsp/focus.ts',
      'src/model/istio/meshconfig.ts',
      'src/model/linkerd/policy.ts',
    ]);
  });
});

/** The TypeScript files under a folder. */
function typescriptFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

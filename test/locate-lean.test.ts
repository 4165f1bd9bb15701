// Locating while the lean reader reads a document (src/location/as-read.ts; issue 13: peak memory at most twice the
// input plus 150 MB): the same locations as the YAML library's tree gives, with no tree of all the document's findings.
// Objects are counted in heap snapshots (never bytes or time). (Requests not kept per finding: finding-memory.test.ts.)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocatedAsRead } from '../src/location/as-read.js';
import {
  locate,
  locateOffsets,
  locationKey,
  type LocatableDocument,
  type Path,
  type Target,
} from '../src/location/locate.js';
import { LocationMemo } from '../src/location/memo.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { readLocationTree } from '../src/parse/fast.js';
import { readJsonLocationTree } from '../src/parse/json-part.js';
import { locateAll, type LocationRequest } from '../src/parse/pool.js';
import { parseSource, type SourceFile } from '../src/parse/source.js';
import { collect, countNodes, heapSnapshot, type Snapshot } from './heap.js';
// @ts-expect-error: a plain ES module of the repository's scripts, without types
import { generateDeckRoutes, generateEnvoyClusters, generateEnvoyClustersJson } from '../scripts/gen-scale-repo.mjs';

const TARGETS: readonly Target[] = ['pair', 'key', 'value'];

/**
 * Every path of a value, each also with a tail that is not there; with `asText`, their indexes written as text (no
 * index to locating: the path stops at the sequence). (Apart: such a path has the memo key of the path with numbers.)
 */
function pathsOf(value: unknown, asText = false): Path[] {
  const out: Path[] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    out.push(path, [...path, 'absent', 0]);
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, [...path, i]));
      out.push([...path, node.length]);
    } else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(value, []);
  return asText ? out.map((path) => path.map(String)) : out;
}

/** Documents whose lean tree was read with a LocatedAsRead (see compareWithLibrary). */
let readAsLocated = 0;

/** Every location of `files` asked of locateAll (trees read with LocatedAsRead), and the library's answer for each. */
async function compareWithLibrary(files: readonly SourceFile[], asText = false): Promise<number> {
  const requests: LocationRequest[] = [];
  for (const file of files)
    for (const document of file.documents)
      for (const path of pathsOf(document.value, asText))
        for (const target of TARGETS) requests.push({ file, document, path, target });
  readAsLocated = 0;
  for (const { document } of requests) {
    const lean = (document as LocatableDocument).leanTreeFor?.bind(document);
    if (!lean || Object.hasOwn(document, 'leanTreeFor')) continue;
    Object.defineProperty(document, 'leanTreeFor', {
      value: (paths: readonly Path[], asRead?: LocatedAsRead) => {
        const tree = lean(paths, asRead);
        if (tree && asRead) readAsLocated++;
        return tree;
      },
    });
  }
  const memo = new LocationMemo();
  const byRequest = await locateAll(requests, undefined, memo);
  // Without a memo (no key made), the same ranges by request.
  readAsLocated = 0;
  const keyless = await locateAll(requests, undefined, undefined);
  let compared = 0;
  const known = new Map(files.map((file) => [file, memo.of(file)]));
  for (const [i, { file, document, path, target }] of requests.entries()) {
    const located = known.get(file)!.get(locationKey(document.index, path, target));
    if (!located) continue;
    expect(byRequest.rangeOf(i)).toEqual(located.range);
    expect(keyless.rangeOf(i)).toEqual(located.range);
    const { index, start, end, ast } = document; // the YAML library's tree
    expect({ path, target, located }).toEqual({
      path,
      target,
      located: locate(file, { index, start, end, ast }, path, target),
    });
    compared++;
  }
  expect(readAsLocated).toBeGreaterThan(0);
  return compared;
}

const parse = (path: string, text: string) => parseSource(path, text, MANIFEST_PARSE_OPTIONS);

/**
 * Reads the tree of `paths` (each with its target) with a LocatedAsRead by `read` (the lean reader or the JSON
 * reader), and expects fewer than 20 tree nodes held once it is read, and every path located as the whole tree
 * locates it.
 */
async function expectLocatedAsRead(
  text: string,
  paths: readonly Path[],
  targetOf: (path: Path, i: number) => Target,
  read: typeof readLocationTree,
): Promise<void> {
  const targets = paths.map(targetOf);
  const treeNodes = async () =>
    countNodes(await heapSnapshot(), 'object', (name) => name === 'TreePair' || name === 'TreeScalar');
  const before = await treeNodes();
  const asRead = new LocatedAsRead(text, 0, text.length, paths, targets);
  const tree = read(text, 0, text.length, paths, asRead)!;
  expect((await treeNodes()) - before).toBeLessThan(20);
  expect(tree.contents).toBeDefined();
  const whole = read(text, 0, text.length)!;
  paths.forEach((path, i) => {
    expect(asRead.located(i)).toBe(true);
    expect({ start: asRead.start(i), end: asRead.end(i), missing: asRead.missing(i) }).toStrictEqual(
      locateOffsets(text, whole, 0, text.length, path, targets[i]),
    );
  });
}

describe('locating as a document is read', () => {
  it('gives what the YAML library gives, for every path, target, missing tail and index written as text', async () => {
    const fixtures = readdirSync('fixtures', { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => join(e.parentPath, e.name))
      .sort()
      .filter((_, i) => i % 3 === 0);
    // (Parsed anew for each comparison: a document whose library tree is built is located in that tree.)
    const files = () => [
      ...fixtures.map((path) => parse(path, readFileSync(path, 'utf8'))),
      parse(
        'shapes.yaml',
        [
          'items:\n- a: 1\n  b: [x, y]\n- - n1\n  - - n2\n    - {k: v}\n-\n- "quoted": |\n    block\n    text\n\n  c: # note\n    d: e\n',
          'list:\n  - name: first   # trailing\n    ports:\n      - 80\n      - 443\n  - name: second\n    empty:\n  - plain\n',
        ].join('---\n'),
      ),
    ];
    expect(await compareWithLibrary(files())).toBeGreaterThan(5000);
    expect(await compareWithLibrary(files(), true)).toBeGreaterThan(5000);
  });

  it("gives what the YAML library gives on the bench's decK and Envoy files (YAML, and JSON on one line)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshlint-locate-lean-'));
    try {
      for (const name of ['deck', 'envoy', 'envoy-json']) mkdirSync(join(dir, name));
      generateDeckRoutes(join(dir, 'deck'), 300);
      generateEnvoyClusters(join(dir, 'envoy'), 200);
      generateEnvoyClustersJson(join(dir, 'envoy-json'), 200);
      const files = ['deck/kong.yaml', 'envoy/envoy.yaml', 'envoy-json/envoy.json'].map((name) =>
        parse(name, readFileSync(join(dir, name), 'utf8')),
      );
      expect(await compareWithLibrary(files)).toBeGreaterThan(10000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps no sequence entry's nodes once its paths are located (but the first's)", async () => {
    const n = 2000;
    const text = `kind: List\nitems:\n${Array.from({ length: n }, (_, i) => `  - name: n${i}\n    port: ${i}\n`).join('')}`;
    const paths: Path[] = Array.from({ length: n }, (_, i) => ['items', i, i % 2 ? 'name' : 'port']);
    // Held: the tree (its root, `items` and the first entry) and every path's offsets.
    await expectLocatedAsRead(text, paths, (_, i) => TARGETS[i % 3], readLocationTree);
  });

  it('locates a path given as a base and the path below it as the path whole, without making it', () => {
    const n = 300;
    const text = `services:\n${Array.from({ length: n }, (_, i) => `  - name: s${i}\n    routes:\n      - name: r${i}\n        paths: ["/${i}"]\n`).join('')}`;
    // Bases of routes and services (shared, as a resource's is), paths below them, and one above a base's end.
    const bases: Path[] = [];
    const below: Path[] = [];
    for (let i = 0; i < n; i++) {
      const route = ['services', i, 'routes', 0];
      bases.push(route, route, ['services', i], []);
      below.push(['name'], ['paths', 0], ['routes', 0, 'absent'], ['services', i, 'name']);
    }
    const targets = below.map((_, k) => TARGETS[k % 3]);
    const split = new LocatedAsRead(text, 0, text.length, below, targets, bases);
    readLocationTree(text, 0, text.length, below, split);
    const whole = below.map((path, k) => [...bases[k], ...path]);
    const joined = new LocatedAsRead(text, 0, text.length, whole, targets);
    readLocationTree(text, 0, text.length, whole, joined);
    whole.forEach((path, k) => {
      expect(split.located(k)).toBe(joined.located(k));
      expect([split.start(k), split.end(k), split.missing(k)]).toEqual([
        joined.start(k),
        joined.end(k),
        joined.missing(k),
      ]);
      expect(split.path(k)).toEqual(path);
    });
    expect(split.located(2)).toBe(true);
    expect(split.missing(2)).toEqual(['absent']);
    // Nothing made for a path with its base: the rule's own array is read.
    expect(split.path(0)).not.toBe(below[0]);
    expect(split.path(3)).toBe(below[3]);
  });

  it('builds no value while it reads: no object per entry held until its sequence ends', () => {
    const n = 2000;
    const text = `kind: List\nitems:\n${Array.from({ length: n }, (_, i) => `  - name: n${i}\n    spec: {port: ${i}}\n`).join('')}`;
    const paths: Path[] = Array.from({ length: n }, (_, i) => ['items', i, 'name']);
    const dir = mkdtempSync(join(tmpdir(), 'meshlint-locate-lean-'));
    // Heap snapshots taken while the second entry and the last are read (written at once: the reading goes on).
    const snapshots: string[] = [];
    class Watched extends LocatedAsRead {
      #entries = 0;
      override entryRead(wanted: unknown, node: unknown): boolean {
        const entry = this.#entries++;
        if (entry === 1 || entry === n - 1) {
          collect();
          snapshots.push(writeHeapSnapshot(join(dir, `${entry}.heapsnapshot`)));
        }
        return super.entryRead(wanted, node);
      }
    }
    try {
      const asRead = new Watched(
        text,
        0,
        text.length,
        paths,
        paths.map(() => 'key'),
      );
      expect(readLocationTree(text, 0, text.length, paths, asRead)).toBeDefined();
      const [second, last] = snapshots.map((path) =>
        countNodes(JSON.parse(readFileSync(path, 'utf8')) as Snapshot, 'object', () => true),
      );
      // Old code: an empty object per entry read (its mapping's value), held in the sequence's list of values.
      expect(last - second).toBeLessThan(n / 10);
      expect(asRead.located(n - 1)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps no cluster's nodes of an Envoy bootstrap written as JSON on one line once its paths are located", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshlint-locate-lean-'));
    generateEnvoyClustersJson(dir, 2000);
    const text = readFileSync(join(dir, 'envoy.json'), 'utf8');
    rmSync(dir, { recursive: true, force: true });
    // A finding on every cluster's name, as envoy-upstream-plaintext reports them. Held: the tree's root and the pairs
    // down to `clusters` (read without asRead: three nodes per cluster, 6,000). The whole tree locates as the
    // library's tree (json-locate.test.ts).
    const paths: Path[] = Array.from({ length: 2000 }, (_, i) => ['static_resources', 'clusters', i, 'name']);
    await expectLocatedAsRead(text, paths, () => 'pair', readJsonLocationTree);
  });
});

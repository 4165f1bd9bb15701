// What a scan keeps per document for its whole run (issue 13: peak memory at most twice the input plus 150 MB).
// Measured in bytes after full collections, not in time: the heap a file of tiny documents retains is deterministic.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { readAndParse } from '../src/parse/pool.js';
import { parseSource } from '../src/parse/source.js';
import { eachYamlPart, splitYamlStream } from '../src/parse/stream.js';
import { Graph, readResources } from '../src/model/graph.js';
import { strMap } from '../src/model/values.js';
import { countNodes, type Snapshot } from './heap.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Heap bytes still held, after full collections, while `make`'s result is kept. */
function retainedBytes(make: () => unknown): number {
  collect();
  collect();
  const before = process.memoryUsage().heapUsed;
  const kept = make();
  collect();
  collect();
  const after = process.memoryUsage().heapUsed;
  expect(kept).toBeDefined();
  return after - before;
}

describe('memory per document', () => {
  it('a file of tiny documents and its graph keep under 160 bytes a document (221 with a document list held, wider documents and pushed line starts; 131 measured)', () => {
    const n = 200_000;
    const text = Array.from({ length: n }, (_, i) => `a: ${i % 10}\n`).join('---\n');
    let documents = 0;
    const bytes = retainedBytes(() => {
      const file = parseSource('tiny.yaml', text);
      const graph = new Graph([], [file]);
      for (const _ of graph.documents) documents++;
      return graph;
    });
    expect(documents).toBe(n);
    expect(bytes / n).toBeLessThan(160);
  });

  it('the graph gives its documents in file order, those without a value left out, made as they are read', () => {
    const files = [parseSource('a.yaml', 'a: 1\n---\n# only a comment\n---\nb: 2\n'), parseSource('b.yaml', 'c: 3\n')];
    const graph = new Graph([], files);
    expect(Array.isArray(graph.documents)).toBe(false);
    const refs = [...graph.documents];
    expect(refs.map((ref) => [ref.file.path, ref.document.value])).toEqual([
      ['a.yaml', { a: 1 }],
      ['a.yaml', { b: 2 }],
      ['b.yaml', { c: 3 }],
    ]);
    // Read again, the same documents (the list is not consumed by a first reader).
    expect([...graph.documents].map((ref) => ref.document)).toEqual(refs.map((ref) => ref.document));
  });

  it("labels and annotations of string values are the document's own map, not a copy kept beside it", () => {
    const labels = { app: 'web', tier: 'front' };
    expect(strMap(labels)).toBe(labels);
    // Other scalars are turned into strings (a copy), and nested values left out, as before.
    expect(strMap({ app: 'web', replicas: 3, nested: { a: 'b' } })).toEqual({ app: 'web', replicas: '3' });
  });

  it('resources at a document root share their base and anchor paths (frozen), not two arrays each', () => {
    const text = ['a', 'b'].map((name) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n`).join('---\n');
    const [a, b] = readResources([parseSource('s.yaml', text)]);
    expect(a.source.base).toBe(b.source.base);
    expect(a.anchor).toBe(b.anchor);
    expect(a.anchor).toEqual(['metadata', 'name']);
    expect(Object.isFrozen(a.anchor) && Object.isFrozen(a.source.base)).toBe(true);
  });

  it('line starts are held in an exact-size typed array, of 2 bytes a line up to 64K characters', () => {
    const starts = parseSource('t.yaml', 'a: 1\nb: 2\n\nc: 3').lineCounter.lineStarts;
    // Old code: a Uint32Array for every text.
    expect(starts).toBeInstanceOf(Uint16Array);
    expect([...starts]).toEqual([0, 5, 10, 11]);
    // The longest text of 2-byte line starts (its last line starts at its end), then one character more.
    const longest = `${'k: v\n'.repeat(13107)}`;
    expect(longest.length).toBe(0xffff);
    const short = parseSource('s.yaml', longest).lineCounter;
    expect(short.lineStarts).toBeInstanceOf(Uint16Array);
    expect(short.lineStarts[13107]).toBe(0xffff);
    expect(short.linePos(0xffff - 1)).toEqual({ line: 13107, col: 5 });
    const long = parseSource('l.yaml', `${longest}k: v\n`).lineCounter;
    expect(long.lineStarts).toBeInstanceOf(Uint32Array);
    expect(long.lineStarts[13108]).toBe(0x10000 + 4);
    expect(long.linePos(0x10000 + 4)).toEqual({ line: 13109, col: 1 });
  });

  it('stream parts are handed over as offsets, in order, as splitYamlStream lists them', () => {
    const text = 'a: 1\n---\nb: 2\n--- x\nc: 3\n---\n---\n';
    const seen: [number, number][] = [];
    const problems = eachYamlPart(text, (start, end) => seen.push([start, end]));
    const split = splitYamlStream(text);
    expect(seen).toEqual(split.parts.map((part) => [part.start, part.end]));
    expect(problems).toEqual(split.problems);
    expect(problems).toHaveLength(1);
  });

  it('a bad separator is reported before the problems of the parts after it', () => {
    const file = parseSource('t.yaml', 'a: 1\n--- x\nb: [\n');
    expect(file.problems.map((p) => p.start)).toEqual([...file.problems.map((p) => p.start)].sort((x, y) => x - y));
    expect(file.problems[0].message).toMatch(/Invalid document separator/);
  });
});

describe('a file read for a scan', () => {
  it("is parsed with its bytes let go of (held by the reading call, they were kept until V8's next full collection)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshlint-document-memory-'));
    const path = join(dir, 'many.yaml');
    // Documents the lean reader reads: it asks notKept of each, while the file is being parsed.
    writeFileSync(
      path,
      Array.from({ length: 20_000 }, (_, i) => `kind: ConfigMap\nmetadata: {name: c${i}}\n`).join('---\n'),
    );
    const bytes = statSync(path).size;
    let snapshot = '';
    const notKept = () => {
      // (A heap snapshot: what is reachable, whenever V8 frees the memory of buffers it collected.)
      snapshot ||= writeHeapSnapshot(join(dir, 'parsing.heapsnapshot'));
      return false;
    };
    try {
      const outcome = readAndParse({ absolute: path, shown: 'many.yaml' }, 1 << 30, { notKept });
      expect(outcome.kind === 'file' && outcome.file.documents.length).toBe(20_000);
      const heap = JSON.parse(readFileSync(snapshot, 'utf8')) as Snapshot;
      // A buffer's memory is a native node of its size: the file's bytes, or the line starts (4 bytes a line).
      expect(countNodes(heap, 'native', (_, __, size) => size >= bytes / 2)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a text of many distinct short scalars', () => {
  it('remembers a bounded number of them to share (a table of every one grew with the text)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshlint-document-memory-'));
    const n = 60_000;
    const text = `kind: List\nitems:\n${Array.from({ length: n }, (_, i) => `  - name-${i}\n`).join('')}`;
    let snapshot = '';
    // Asked of the document once it is read, while its reader (and what it remembers) is alive.
    const notKept = () => {
      collect();
      snapshot = writeHeapSnapshot(join(dir, 'read.heapsnapshot'));
      return false;
    };
    try {
      const file = parseSource('many.yaml', text, { notKept });
      expect((file.documents[0].value as { items: string[] }).items).toHaveLength(n);
      const heap = JSON.parse(readFileSync(snapshot, 'utf8')) as Snapshot;
      // The list of the document's items is ~0.5 MB; a table of 60,000 strings ~1.8 MB.
      expect(countNodes(heap, 'array', (_, __, size) => size > 1_000_000)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Parser threads must give what parsing on this thread gives, and a failing thread must cost nothing but time.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { locateAll, parseAll, ParserPool, type ParseJob, type ParseOutcome } from '../src/parse/pool.js';
import { locate, locationKey, type LocatableDocument } from '../src/location/locate.js';
import { LocationMemo } from '../src/location/memo.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import type { LocationRequest } from '../src/parse/pool.js';

const jobs: ParseJob[] = readdirSync('fixtures', { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
  .map((e) => ({ absolute: resolve(e.parentPath, e.name), shown: join(e.parentPath, e.name) }));
const options = { maxBytes: 20 * 1024 * 1024, workers: 2, parse: MANIFEST_PARSE_OPTIONS };
const bundle = pathToFileURL(resolve('dist/meshlint.cjs'));

function summary(outcomes: ParseOutcome[]) {
  return outcomes.map((o) =>
    o.kind === 'file'
      ? {
          path: o.file.path,
          text: o.file.text,
          problems: o.file.problems,
          skipped: o.file.skipped,
          values: o.file.documents.map((d) => d.value),
        }
      : o,
  );
}

/** Every path of every document, to be located. */
function requestsFor(outcomes: ParseOutcome[]): LocationRequest[] {
  const out: LocationRequest[] = [];
  for (const o of outcomes) {
    if (o.kind !== 'file') continue;
    for (const document of o.file.documents) {
      const walk = (value: unknown, path: (string | number)[]) => {
        out.push({ file: o.file, document, path, target: 'pair' });
        if (Array.isArray(value)) value.slice(0, 3).forEach((v, i) => walk(v, [...path, i]));
        else if (value && typeof value === 'object')
          Object.entries(value)
            .slice(0, 6)
            .forEach(([k, v]) => walk(v, [...path, k]));
      };
      walk(document.value, []);
    }
  }
  return out;
}

describe('parser threads', () => {
  const local = parseAll(jobs, { ...options, workers: 0 });

  it('parse the fixtures exactly as this thread does', async () => {
    const pool = ParserPool.start({ ...options, workerUrl: bundle })!;
    expect(pool).toBeDefined();
    const threaded = await parseAll(jobs, options, pool);
    pool.close();
    expect(summary(threaded)).toEqual(summary(await local));
  });

  it('locate every path exactly as this thread does', async () => {
    const pool = ParserPool.start({ ...options, workerUrl: bundle })!;
    const threaded = await parseAll(jobs, options, pool);
    const requests = requestsFor(threaded);
    const memo = new LocationMemo();
    await locateAll(requests, pool, memo);
    pool.close();
    const mine = await local;
    const eager = new Map(mine.flatMap((o) => (o.kind === 'file' ? [[o.file.path, o.file] as const] : [])));
    let compared = 0;
    for (const r of requests) {
      const prefetched = memo.of(r.file).get(locationKey(r.document.index, r.path, r.target));
      const file = eager.get(r.file.path)!;
      expect(prefetched ?? locate(r.file, r.document, r.path, r.target)).toEqual(
        locate(file, file.documents.find((d) => d.index === r.document.index)!, r.path, r.target),
      );
      if (prefetched) compared++;
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('locate on this thread from a tree of the paths asked for, never the whole document tree', async () => {
    const files = (await local).flatMap((o) => (o.kind === 'file' && !o.file.skipped ? [o.file] : []));
    const requests = requestsFor((await local).filter((o) => o.kind === 'file'));
    let wholeTrees = 0;
    let treesForPaths = 0;
    for (const file of files)
      for (const document of file.documents as LocatableDocument[]) {
        const { leanTree, leanTreeFor } = document;
        if (!leanTree || !leanTreeFor) continue;
        document.leanTree = () => {
          wholeTrees++;
          return leanTree.call(document);
        };
        document.leanTreeFor = (paths) => {
          treesForPaths++;
          return leanTreeFor.call(document, paths);
        };
      }
    const memo = new LocationMemo();
    await locateAll(requests, undefined, memo);
    expect(wholeTrees).toBe(0);
    expect(treesForPaths).toBeGreaterThan(50);
    let compared = 0;
    for (const r of requests) {
      const prefetched = memo.of(r.file).get(locationKey(r.document.index, r.path, r.target));
      if (!prefetched) continue;
      compared++;
      const { index, start, end, ast } = r.document; // the YAML library's tree
      expect(prefetched).toEqual(locate(r.file, { index, start, end, ast }, r.path, r.target));
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('fall back to this thread when the threads fail', async () => {
    const broken = new URL('data:text/javascript,throw new Error("thread failed")');
    const pool = ParserPool.start({ ...options, workerUrl: broken })!;
    const outcomes = await parseAll(jobs, options, pool);
    pool.close();
    expect(summary(outcomes)).toEqual(summary(await local));
  });
});

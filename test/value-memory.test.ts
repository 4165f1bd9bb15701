// What a parsed document's value keeps for a whole scan (issue 13: peak memory within twice the input plus 150 MB).
// Counted (objects and their sizes in a heap snapshot, strings), never timed.
import { describe, expect, it } from 'vitest';
import { FastReader } from '../src/parse/fast.js';
import { parseSource } from '../src/parse/source.js';
import { plainObject } from '../src/parse/value.js';
import { countNodes, heapSnapshot } from './heap.js';

/** `count` documents holding mappings of one, two and five keys (block and flow), all in namespace `team-a`. */
function documents(count: number): string {
  return Array.from(
    { length: count },
    (_, i) =>
      `kind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: team-a\nspec:\n  selector: {matchLabels: {app: app-${i}}}\n` +
      `  one:\n    single${i % 7}: ${i}\n  five: {a: v${i}, b: x, c: x, d: x, e: x}\n`,
  ).join('---\n');
}

/** The value of a one-document text, read by the lean reader (undefined when it declines it). */
function leanValue(text: string): unknown {
  const read = new FastReader(text).read(0, text.length);
  return read.kind === 'document' ? read.value : undefined;
}

describe('parsed values kept for the run', () => {
  it('hold their mappings at exact size: one key in 32 bytes, two in 40, five in 64, all in the object', async () => {
    const file = parseSource('d.yaml', documents(1000), {});
    expect(file.documents.length).toBe(1000);
    const heap = await heapSnapshot();
    const sized = (keys: string[]) => {
      const sizes = new Map<number, number>();
      countNodes(heap, 'object', (_, edge, size) => {
        const match = keys.every((k) => edge(k) !== undefined) && edge('_unexpected') === undefined;
        if (match) sizes.set(size, (sizes.get(size) ?? 0) + 1);
        return match;
      });
      return sizes;
    };
    // Objects made by `{}` hold four fields in themselves (56 bytes for one or two keys) and a fifth or later key in
    // a property array (the object itself 56 bytes).
    expect(sized(['matchLabels'])).toEqual(new Map([[32, 1000]]));
    expect(sized(['name', 'namespace'])).toEqual(new Map([[40, 1000]]));
    expect(sized(['a', 'b', 'c', 'd', 'e'])).toEqual(new Map([[64, 1000]]));
    expect(file.documents[999].value).toEqual({
      kind: 'Deployment',
      metadata: { name: 'app-999', namespace: 'team-a' },
      spec: {
        selector: { matchLabels: { app: 'app-999' } },
        one: { single5: 999 },
        five: { a: 'v999', b: 'x', c: 'x', d: 'x', e: 'x' },
      },
    });
  });

  it('share one copy of a short scalar string within a file', async () => {
    const file = parseSource('d.yaml', documents(1000), {});
    const heap = await heapSnapshot();
    // One copy per read of the text before (1,000 here); the file's text holds it too, but inside itself.
    expect(countNodes(heap, 'string', (name) => name === 'team-a')).toBeLessThan(5);
    expect(file.documents.map((d) => (d.value as { metadata: { namespace: string } }).metadata.namespace)).toEqual(
      Array(1000).fill('team-a'),
    );
  });

  it('share one object for equal small mappings of scalars within a file, and only for equal ones', async () => {
    const text = Array.from(
      { length: 1000 },
      (_, i) =>
        `kind: Deployment\nmetadata: {appName: app-${i}}\nspec:\n  securityContext: {readOnlyRootFilesystem: true, runAsUser: 1000}\n` +
        `  limits:\n    cpu: 500m\n    memory: 256Mi\n  mtls: {peerMode: ${i % 2 ? 'STRICT' : 'PERMISSIVE'}}\n`,
    ).join('---\n');
    const file = parseSource('d.yaml', text, {});
    const heap = await heapSnapshot();
    const holding = (key: string) => countNodes(heap, 'object', (_, edge) => edge(key) !== undefined);
    // Old code: one object per document (1,000 each).
    expect(holding('readOnlyRootFilesystem')).toBe(1);
    expect(holding('cpu')).toBe(1);
    expect(holding('peerMode')).toBe(2);
    expect(holding('appName')).toBe(1000);
    expect(file.documents[999].value).toEqual({
      kind: 'Deployment',
      metadata: { appName: 'app-999' },
      spec: {
        securityContext: { readOnlyRootFilesystem: true, runAsUser: 1000 },
        limits: { cpu: '500m', memory: '256Mi' },
        mtls: { peerMode: 'STRICT' },
      },
    });
    // Mappings a looser key would take for one another stay apart.
    const apart = [
      '{a: 1}',
      "{a: '1'}",
      '{a: true}',
      "{a: 'true'}",
      '{a: null}',
      "{a: ''}",
      '{a: -0}',
      '{a: 0}',
      "{a: '1:a', b: x}",
      "{a: '1', a1: 'a'}",
      "{'a1:a': x}",
      '{}',
      '{b: 1, a: 1}',
      '{a: 1, b: 1}',
    ];
    const read = parseSource('a.yaml', apart.map((m, i) => `m${i}: ${m}`).join('\n'), {}).documents[0].value as Record<
      string,
      unknown
    >;
    const values = apart.map((_, i) => read[`m${i}`]);
    expect(new Set(values).size).toBe(apart.length);
    expect(values.map((v) => JSON.stringify(v))).toEqual([
      '{"a":1}',
      '{"a":"1"}',
      '{"a":true}',
      '{"a":"true"}',
      '{"a":null}',
      '{"a":""}',
      '{"a":0}',
      '{"a":0}',
      '{"a":"1:a","b":"x"}',
      '{"a":"1","a1":"a"}',
      '{"a1:a":"x"}',
      '{}',
      '{"b":1,"a":1}',
      '{"a":1,"b":1}',
    ]);
    expect(Object.is((values[6] as { a: number }).a, -0)).toBe(true);
  });

  it('are plain objects with their keys in order, and read as before', () => {
    const [small, large, flow, flowLarge, proto] = [
      'b: 1\na: 2\n"__proto__": 3\n',
      `${Array.from({ length: 20 }, (_, i) => `k${19 - i}: ${i}`).join('\n')}\n`,
      `m: {${Array.from({ length: 3 }, (_, i) => `f${i}: ${i}`).join(', ')}}\n`,
      `m: {${Array.from({ length: 12 }, (_, i) => `f${i}: ${i}`).join(', ')}}\n`,
      'x: {"__proto__": {polluted: 1}, y: 2}\n',
    ].map(leanValue) as Record<string, unknown>[];
    expect(Object.getPrototypeOf(small)).toBe(Object.prototype);
    expect(Object.keys(small)).toEqual(['b', 'a', '__proto__']);
    expect(Object.hasOwn(small, '__proto__')).toBe(true);
    expect(JSON.stringify(small)).toBe('{"b":1,"a":2,"__proto__":3}');
    expect(Object.keys(large)).toEqual(Array.from({ length: 20 }, (_, i) => `k${19 - i}`));
    expect(Object.values(large)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(flow).toEqual({ m: { f0: 0, f1: 1, f2: 2 } });
    expect(Object.keys(flowLarge.m as object)).toHaveLength(12);
    const x = proto.x as Record<string, unknown>;
    expect(Object.getPrototypeOf(x)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(x, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('still find a duplicate key in small and large mappings, block and flow', () => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);
    for (const n of [1, 7, 8, 9, 30]) {
      const duplicated = [...keys(n), 'k0'];
      const block = leanValue(`${duplicated.map((k, i) => `${k}: ${i}`).join('\n')}\n`);
      const flow = leanValue(`m: {${duplicated.map((k, i) => `${k}: ${i}`).join(', ')}}\n`);
      expect(
        leanValue(
          `${keys(n)
            .map((k, i) => `${k}: ${i}`)
            .join('\n')}\n`,
        ),
      ).toBeDefined();
      expect(block, `block ${n}`).toBeUndefined();
      expect(flow, `flow ${n}`).toBeUndefined();
    }
    const nested = leanValue('a:\n  b: 1\n  c: {b: 1, c: 2}\nb: {a: 1}\nc: 3\n');
    expect(nested).toEqual({ a: { b: 1, c: { b: 1, c: 2 } }, b: { a: 1 }, c: 3 });
  });

  it('plainObject makes the mapping of a key range', () => {
    const keys = ['x', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const values = keys.map((_, i) => i);
    expect(plainObject(keys, values, 1, 2)).toEqual({ a: 1, b: 2 });
    expect(Object.keys(plainObject(keys, values, 1, 10))).toEqual(keys.slice(1));
    expect(plainObject(keys, values, 0, 0)).toEqual({});
  });
});

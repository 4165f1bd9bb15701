// What reading an Envoy file and viewing its clusters allocate (issue 13: peak memory at most twice the input plus
// 150 MB). On one file of 40,000 clusters V8's last full collection comes mid-run, so whatever the reader and the
// cluster views make per cluster after it counts towards the peak, kept or not. Counted in allocations (a heap
// sampling profile taking every allocation) and in shared objects, not in bytes or time.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterView, formatAddress, readEnvoy, walk } from '../src/model/envoy/index.js';
import type { Resource } from '../src/model/resource.js';
import { parseSource } from '../src/parse/source.js';
import { detectSecrets } from '../src/secrets/detect.js';
import { textMemo } from '../src/secrets/memo.js';
import { countNodes, heapSnapshot } from './heap.js';
// @ts-expect-error: a plain ES module of the repository's scripts, without types
import { generateEnvoyClusters } from '../scripts/gen-scale-repo.mjs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string };
  readonly children: readonly ProfileNode[];
}

/**
 * Allocations made by `run` inside functions named `within` (and what they call), the fewest of three runs: every
 * allocation is sampled, and compiling and collecting only ever add (a loaded machine changes when they happen).
 */
async function allocationsWithin(within: string, run: () => unknown): Promise<number> {
  let fewest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) fewest = Math.min(fewest, await allocationsOnce(within, run));
  return fewest;
}

async function allocationsOnce(within: string, run: () => unknown): Promise<number> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 1,
      includeObjectsCollectedByMinorGC: true,
      includeObjectsCollectedByMajorGC: true,
    });
    run();
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as {
      profile: { head: ProfileNode; samples: { nodeId: number }[] };
    };
    const inside = new Set<number>();
    const visit = (node: ProfileNode, under: boolean) => {
      const here = under || node.callFrame.functionName === within;
      if (here) inside.add(node.id);
      for (const c of node.children) visit(c, here);
    };
    visit(profile.head, false);
    return profile.samples.filter((s) => inside.has(s.nodeId)).length;
  } finally {
    session.disconnect();
  }
}

/** The bench's bootstrap of `count` clusters (one listener first, then clusters of one endpoint each). */
function bootstrap(count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'meshlint-envoy-memory-'));
  generateEnvoyClusters(dir, count);
  const file = parseSource('envoy.yaml', readFileSync(join(dir, 'envoy.yaml'), 'utf8'));
  rmSync(dir, { recursive: true });
  return { file, document: file.documents[0] };
}

/** The clusters read from a bootstrap. */
function clustersOf({ file, document }: ReturnType<typeof bootstrap>): Resource[] {
  return readEnvoy(file, document)!.filter((r) => r.kind === 'EnvoyCluster');
}

const COUNT = 400;

describe('Envoy clusters in memory', () => {
  it('a cluster view makes no Node per level or list item (116 allocations per cluster before)', async () => {
    const resources = clustersOf(bootstrap(COUNT));
    resources.forEach(clusterView); // compiled and warmed
    let views: unknown[] = [];
    const allocations = await allocationsWithin('clusterView', () => {
      views = resources.map(clusterView);
    });
    expect(views).toHaveLength(COUNT);
    expect(allocations / COUNT).toBeLessThan(50);
  });

  it('a cluster view reads as before: endpoints, their paths and scope, transport, TLS matches, dynamic', () => {
    const view = clusterView(clustersOf(bootstrap(1))[0]);
    expect(view.endpoints).toEqual([
      {
        node: {
          value: 'backend-0',
          path: [
            'load_assignment',
            'endpoints',
            0,
            'lb_endpoints',
            0,
            'endpoint',
            'address',
            'socket_address',
            'address',
          ],
        },
        host: 'backend-0',
        port: 80,
        scope: 'network',
      },
    ]);
    expect(view.transport).toEqual({ kind: 'none', node: { value: undefined, path: ['transport_socket'] } });
    expect(view.tlsMatches).toEqual([]);
    expect(view.dynamic).toBe(false);
    const camel = parseSource(
      'c.yaml',
      [
        '- name: api',
        '  type: EDS',
        '  hosts: [{socketAddress: {address: 127.0.0.1, namedPort: http}}, {pipe: {path: /s}}]',
        '  transportSocketMatches:',
        '    - name: tls',
        '      transportSocket:',
        '        name: envoy.transport_sockets.tls',
        '        typedConfig: {"@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext}',
        '    - name: plain',
        '      transportSocket: {name: envoy.transport_sockets.raw_buffer}',
        '',
      ].join('\n'),
    );
    const api = clusterView(readEnvoy(camel, camel.documents[0])![0]);
    expect(api.endpoints.map((e) => [e.node.path, e.host, e.port, e.scope])).toEqual([
      [['hosts', 0, 'socketAddress', 'address'], '127.0.0.1', 'http', 'loopback'],
      [['hosts', 1], '', undefined, 'local'],
    ]);
    expect(api.tlsMatches.map((t) => [t.context.path, t.direction])).toEqual([
      [['transportSocketMatches', 0, 'transportSocket', 'typedConfig'], 'upstream'],
    ]);
    expect(api.dynamic).toBe(true);
  });

  it('reading a bootstrap makes no Node, path, SourceRef nor base per cluster (14 allocations per cluster, then 6)', async () => {
    const { file, document } = bootstrap(COUNT);
    readEnvoy(file, document); // compiled and warmed
    let resources: Resource[] | undefined;
    const allocations = await allocationsWithin('readEnvoy', () => {
      resources = readEnvoy(file, document);
    });
    expect(resources).toHaveLength(COUNT + 1); // and the listener
    expect(resources![8].source.base).toEqual(['static_resources', 'clusters', 7]);
    expect(allocations / COUNT).toBeLessThan(4);
  });

  it('reading a bare list of clusters makes no path, SourceRef nor base per item (8 allocations per item, then 6)', async () => {
    const lines: string[] = [];
    for (let c = 0; c < COUNT; c++)
      lines.push(`- {name: c-${c}, connect_timeout: 1s, load_assignment: {cluster_name: c-${c}}}`);
    const file = parseSource('list.yaml', `${lines.join('\n')}\n`);
    const document = file.documents[0];
    readEnvoy(file, document); // compiled and warmed
    let resources: Resource[] | undefined;
    const allocations = await allocationsWithin('readEnvoy', () => {
      resources = readEnvoy(file, document);
    });
    expect(resources).toHaveLength(COUNT);
    expect(resources!.map((r) => r.source.base)).toEqual(Array.from({ length: COUNT }, (_, i) => [i]));
    expect(allocations / COUNT).toBeLessThan(4);
  });

  it('xDS resources, wrapped in a discovery Resource or not, keep the path of their own item', () => {
    const text = [
      'resources:',
      '  - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster',
      '    name: a',
      '    connect_timeout: 1s',
      '  - "@type": type.googleapis.com/envoy.service.discovery.v3.Resource',
      '    name: b',
      '    resource: {"@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: b, connect_timeout: 1s}',
      '  - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster',
      '    name: c',
      '    connect_timeout: 1s',
      '  - "@type": type.googleapis.com/envoy.service.discovery.v3.Resource',
      '    name: d',
      '    resource: {"@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: d, connect_timeout: 1s}',
      '',
    ].join('\n');
    const file = parseSource('xds.yaml', text);
    const read = readEnvoy(file, file.documents[0])!;
    expect(read.map((r) => [r.name, r.source.base])).toEqual([
      ['a', ['resources', 0]],
      ['b', ['resources', 1, 'resource']],
      ['c', ['resources', 2]],
      ['d', ['resources', 3, 'resource']],
    ]);
  });

  it('keep one place per list (file, document, path, namespace, origin), not one each, nor a SourceRef or base', async () => {
    const { file, document } = bootstrap(COUNT);
    const places = async () => {
      const heap = await heapSnapshot();
      return [
        countNodes(heap, 'object', (name) => name === 'EnvoyPlace'),
        countNodes(heap, 'object', (name, edge) => name === 'EnvoyObject' && edge('place') !== undefined),
        countNodes(heap, 'object', (name, edge) => name === 'EnvoyObject' && edge('file') !== undefined),
      ];
    };
    const before = await places();
    const resources = readEnvoy(file, document)!;
    const after = await places();
    expect(resources).toHaveLength(COUNT + 1);
    // One place for the listeners, one for the clusters; a resource each (its file and document are its place's).
    expect(after.map((n, i) => n - before[i])).toEqual([2, COUNT + 1, 0]);
  });

  it('Envoy resources share their empty labels and annotations, their name anchor and their list path', () => {
    const [a, b] = clustersOf(bootstrap(3));
    expect([a.format, a.apiVersion, a.group, a.source.file.path, a.source.document.index]).toEqual([
      'envoy',
      'envoy/v3',
      '',
      'envoy.yaml',
      0,
    ]);
    expect([a.source.base, b.source.base]).toEqual([
      ['static_resources', 'clusters', 0],
      ['static_resources', 'clusters', 1],
    ]);
    expect(a.labels).toBe(b.labels);
    expect(a.annotations).toBe(a.labels);
    expect(a.anchor).toBe(b.anchor);
    expect(a.anchor).toEqual(['name']);
    expect(Object.isFrozen(a.anchor) && Object.isFrozen(a.labels)).toBe(true);
    expect(a.labels).toEqual({});
  });
});

describe("a cluster's message data", () => {
  it('holds its address as one flat string, not a tree of concatenations (one or two per cluster before)', async () => {
    const endpoints = clustersOf(bootstrap(COUNT)).map((r) => clusterView(r).endpoints[0]);
    const concatenations = async () => countNodes(await heapSnapshot(), 'concatenated string', () => true);
    const before = await concatenations();
    const addresses = endpoints.map(formatAddress);
    expect((await concatenations()) - before).toBeLessThan(20);
    expect(addresses.slice(0, 2)).toEqual(['backend-0:80', 'backend-1:80']);
    expect(formatAddress({ ...endpoints[0], host: '::1', port: 443 })).toBe('[::1]:443');
  });
});

describe('secrets in an Envoy bootstrap', () => {
  it("keep no facts of a cluster's or an endpoint's name in the run's memo (two per cluster before)", async () => {
    // cluster-1000 and up, backend-1000 and up: 12 and 13 characters, plain, each met once or twice.
    const { document } = bootstrap(2000);
    const memo = textMemo();
    const facts = async () => countNodes(await heapSnapshot(), 'object', (name) => name === 'Facts');
    const before = await facts();
    expect(detectSecrets(document.value, { mode: 'manifest', entropy: true, memo })).toEqual([]);
    expect((await facts()) - before).toBeLessThan(20);
    expect(memo.facts('cluster-1000').shape).toBe(0); // what the memo would have held for it
  });
});

describe('walking Envoy resources', () => {
  it('makes a Node only for objects and lists, and no [key, value] pair per key (110 allocations per cluster before)', async () => {
    const { document } = bootstrap(COUNT);
    const root = { value: document.value, path: [] };
    const visitNothing = () => {};
    walk(root, visitNothing); // compiled and warmed
    const allocations = await allocationsWithin('walk', () => walk(root, visitNothing));
    expect(allocations / COUNT).toBeLessThan(80);
  });

  it('visits the same objects in the same order, with their keys and paths', () => {
    const value = { a: [{ b: 1 }, 'x', [{ c: { d: null } }]], e: { f: 'y' }, g: 2 };
    const seen: unknown[] = [];
    walk({ value, path: ['root'] }, (node, key) => seen.push([key, node.path, Object.keys(node.value as object)]));
    expect(seen).toEqual([
      [undefined, ['root'], ['a', 'e', 'g']],
      ['e', ['root', 'e'], ['f']],
      [0, ['root', 'a', 2, 0], ['c']],
      ['c', ['root', 'a', 2, 0, 'c'], ['d']],
      [0, ['root', 'a', 0], ['b']],
    ]);
  });
});

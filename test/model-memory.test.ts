// What the model keeps per resource for a whole scan (issue 13: peak memory within twice the input plus 150 MB).
// Counted (hidden classes, objects), never timed.
import { describe, expect, it } from 'vitest';
import { Graph } from '../src/model/graph.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { parseSource } from '../src/parse/source.js';
import { effectiveMtls, peerAuthentications } from '../src/model/istio/mtls.js';
import { compileSelector, LabelIndex, labelsSelector } from '../src/model/kubernetes/selectors.js';
import { countNodes, heapSnapshot } from './heap.js';
import { runWithNatives } from './helpers.js';
import { textMemo } from '../src/secrets/memo.js';

/**
 * Arrays on the heap (after full collections) whose backing store has 8 or more free slots: an array kept for the
 * run should be of its size (pushing onto `[]` reserves 17 slots, a spread into a literal about as many).
 */
async function roomyArrays(): Promise<number> {
  const heap = await heapSnapshot();
  const { node_fields, edge_fields, node_types, edge_types } = heap.snapshot.meta;
  const [N, E] = [node_fields.length, edge_fields.length];
  const [typeAt, nameAt, sizeAt, edgesAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) =>
    node_fields.indexOf(f),
  );
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) => edge_fields.indexOf(f));
  const [object, element, internal] = [
    node_types[0].indexOf('object'),
    edge_types[0].indexOf('element'),
    edge_types[0].indexOf('internal'),
  ];
  let count = 0;
  for (let i = 0, e = 0; i < heap.nodes.length; i += N) {
    const edges = heap.nodes[i + edgesAt];
    if (heap.nodes[i + typeAt] === object && heap.strings[heap.nodes[i + nameAt]] === 'Array') {
      let length = 0;
      let store = -1;
      for (let k = e; k < e + edges * E; k += E) {
        if (heap.edges[k + edgeTypeAt] === element) length++;
        else if (heap.edges[k + edgeTypeAt] === internal && heap.strings[heap.edges[k + edgeNameAt]] === 'elements')
          store = heap.edges[k + toAt];
      }
      if (store >= 0 && heap.nodes[store + sizeAt] >= 16 + 8 * (length + 8)) count++;
    }
    e += edges * E;
  }
  return count;
}

/** `count` namespaces' worth of manifests: a Deployment, a Service and an AuthorizationPolicy each. */
const MANY_MANIFESTS = `const text = Array.from({ length: 3000 }, (_, i) => [
  'apiVersion: apps/v1\\nkind: Deployment\\nmetadata:\\n  name: app-' + i + '\\n  namespace: ns-' + (i % 50) +
    '\\nspec:\\n  template:\\n    metadata:\\n      labels: {app: app-' + i + '}\\n    spec:\\n      containers:\\n        - {name: main, image: x}\\n',
  'apiVersion: v1\\nkind: Service\\nmetadata:\\n  name: app-' + i + '\\n  namespace: ns-' + (i % 50) + '\\nspec:\\n  selector: {app: app-' + i + '}\\n',
  'apiVersion: security.istio.io/v1\\nkind: AuthorizationPolicy\\nmetadata:\\n  name: app-' + i + '\\n  namespace: ns-' + (i % 50) +
    '\\n  labels: {k' + i + ': v}\\nspec:\\n  selector:\\n    matchLabels: {app: app-' + i + '}\\n  action: ' + (i % 2 ? 'DENY' : 'ALLOW') + '\\n',
].join('---\\n')).join('---\\n');
const graph = Graph.fromFiles([parseSource('many.yaml', text, MANIFEST_PARSE_OPTIONS)]);
/** How many of the objects do not share the first one's hidden class. */
const apart = (objects) => objects.filter((o) => !same(o, objects[0])).length;`;

const MODEL = {
  Graph: 'src/model/graph.ts',
  parseSource: 'src/parse/source.ts',
  MANIFEST_PARSE_OPTIONS: 'src/model/kubernetes/reader.ts',
};

describe('model objects kept for the run', () => {
  it('AuthorizationPolicy views share one hidden class (a spread-then-extended object had one of its own)', () => {
    const printed = runWithNatives(
      { ...MODEL, authorizationPolicies: 'src/model/istio/authz.ts' },
      `${MANY_MANIFESTS}
const policies = authorizationPolicies(graph);
console.log(policies.length, apart(policies), JSON.stringify(Object.keys(policies[1])));`,
    );
    expect(printed).toBe('3000 0 ["resource","selector","targetRefs","action","rules","dryRun"]');
  });
});

describe('pod templates kept for the run', () => {
  const workloads = (n: number) =>
    Array.from(
      { length: n },
      (_, i) =>
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${i}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: main, image: x}\n`,
    ).join('---\n');

  it('share the spec path of their kind, frozen', () => {
    const graph = Graph.fromFiles([parseSource('w.yaml', workloads(3), MANIFEST_PARSE_OPTIONS)]);
    const [a, b] = graph.workloads;
    expect(a.pod.specPath).toEqual(['spec', 'template', 'spec']);
    expect(b.pod.specPath).toBe(a.pod.specPath);
    expect(Object.isFrozen(a.pod.specPath)).toBe(true);
    expect(a.pod.containers[0].path).toEqual(['spec', 'template', 'spec', 'containers', 0]);
  });

  it('share the paths of their first containers, frozen, one per kind, group and index', () => {
    const deployments = Graph.fromFiles([parseSource('w.yaml', workloads(3), MANIFEST_PARSE_OPTIONS)]).workloads;
    const [a, b] = deployments;
    expect(a.pod.containers[0].path).toEqual(['spec', 'template', 'spec', 'containers', 0]);
    // Old code: a copy per container.
    expect(a.pod.containers[0].path).toBe(b.pod.containers[0].path);
    expect(Object.isFrozen(a.pod.containers[0].path)).toBe(true);
    const many = Array.from({ length: 10 }, (_, i) => `        - {name: c${i}, image: x}`).join('\n');
    const pods = Graph.fromFiles([
      parseSource(
        'p.yaml',
        `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n    - {name: i, image: x}\n  containers:\n${many.replace(/^ {6}/gm, '  ')}\n`,
        MANIFEST_PARSE_OPTIONS,
      ),
    ]).workloads;
    expect(pods[0].pod.containers.map((c) => c.path)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => ['spec', 'containers', i]),
      ['spec', 'initContainers', 0],
    ]);
  });

  it('keep no roomy arrays: spec paths, container lists and container paths are of their size', async () => {
    const file = parseSource('w.yaml', workloads(2000), MANIFEST_PARSE_OPTIONS);
    const before = await roomyArrays();
    const graph = Graph.fromFiles([file]);
    expect(graph.workloads.length).toBe(2000);
    const added = (await roomyArrays()) - before;
    // Old code: three per workload (6,000).
    expect(added).toBeLessThan(200);
    expect(graph.workloads[1999].pod.containers[0].path).toEqual(['spec', 'template', 'spec', 'containers', 0]);
  });
});

describe('the secrets memo of documents', () => {
  it('keeps a document where nothing was found as its text alone (no entry object, no list per print)', async () => {
    const memo = textMemo();
    const texts = Array.from({ length: 1000 }, (_, i) => `kind: ConfigMap\nmetadata:\n  name: c${i}\n`);
    const entries = async () =>
      countNodes(
        await heapSnapshot(),
        'object',
        (_, edge) => edge('text') !== undefined && edge('detections') !== undefined,
      );
    const before = await entries();
    for (const text of texts) expect(memo.document('yaml', text, () => [])).toEqual([]);
    const found = [{ kind: 'x' }] as never;
    expect(memo.document('yaml', 'kind: Secret\n', () => found)).toBe(found);
    // Old code: one entry per document (1,001).
    expect((await entries()) - before).toBeLessThan(10);
    // Remembered: asked again, nothing is detected again.
    for (const text of texts) expect(memo.document('yaml', `${text}`, () => found)).toEqual([]);
    expect(memo.document('yaml', 'kind: Secret\n', () => [])).toBe(found);
    // Texts sharing a print are told apart whole, the second one kept beside the first.
    const text = `kind: ConfigMap\ndata:\n  a: "${'x'.repeat(200)}"\n`;
    const middle = `kind: ConfigMap\ndata:\n  a: "${'x'.repeat(100)}y${'x'.repeat(99)}"\n`;
    expect(memo.document('yaml', text, () => [])).toEqual([]);
    expect(memo.document('yaml', middle, () => found)).toBe(found);
    expect(memo.document('yaml', `${text}`, () => found)).toEqual([]);
    expect(memo.document('yaml', `${middle}`, () => [])).toBe(found);
  });
});

describe('PeerAuthentication views', () => {
  it('share one frozen mode path', () => {
    const text = [0, 1]
      .map(
        (i) =>
          `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: p${i}\n  namespace: n${i}\nspec:\n  mtls: {mode: STRICT}\n`,
      )
      .join('---\n');
    const graph = Graph.fromFiles([parseSource('pa.yaml', text, MANIFEST_PARSE_OPTIONS)]);
    const [a, b] = peerAuthentications(graph, { rootNamespace: 'istio-system', assumeInjected: false });
    expect(a.modePath).toEqual(['spec', 'mtls', 'mode']);
    expect(b.modePath).toBe(a.modePath);
    expect(Object.isFrozen(a.modePath)).toBe(true);
  });

  it('give workloads without competing policies one frozen empty list of conflicts', () => {
    const text = [0, 1]
      .map(
        (i) =>
          `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${i}\n  namespace: n${i}\nspec:\n  template:\n    spec:\n      containers: [{name: main, image: x}]\n`,
      )
      .join('---\n');
    const graph = Graph.fromFiles([parseSource('w.yaml', text, MANIFEST_PARSE_OPTIONS)]);
    const mesh = { rootNamespace: 'istio-system', assumeInjected: true };
    const [a, b] = graph.workloads.map((w) => effectiveMtls(graph, mesh, w));
    expect(a.conflicts).toEqual([]);
    expect(b.conflicts).toBe(a.conflicts);
    expect(Object.isFrozen(a.conflicts)).toBe(true);
  });
});

describe('label indexes', () => {
  it('make no string per label pair, and select as a linear filter would', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ labels: { app: `app-${i}`, tier: i % 2 ? 'web' : 'db' } }));
    const strings = async () => {
      const heap = await heapSnapshot();
      return countNodes(heap, 'string', () => true) + countNodes(heap, 'concatenated string', () => true);
    };
    const before = await strings();
    const index = new LabelIndex(items, (item) => item.labels);
    // Old code: a `key\0value` string per pair kept as a Map key (over 1,000).
    expect((await strings()) - before).toBeLessThan(100);
    expect(index.select(labelsSelector({ app: 'app-7' }))).toEqual([items[7]]);
    expect(index.select(labelsSelector({ app: 'app-7', tier: 'web' }))).toEqual([items[7]]);
    expect(index.select(labelsSelector({ app: 'app-7', tier: 'db' }))).toEqual([]);
    expect(index.select(labelsSelector({ tier: 'db' }))).toHaveLength(500);
    expect(index.select(labelsSelector({ 'app\0app-7': '' }))).toEqual([]);
    expect(index.select(compileSelector({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }))).toHaveLength(
      1000,
    );
  });
});

/** A file of `count` PeerAuthentications p0, p1 ... in namespace ns. */
function peerAuthenticationFile(count: number) {
  const text = Array.from(
    { length: count },
    (_, i) =>
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: p${i}\n  namespace: ns\nspec:\n  mtls: {mode: STRICT}\n`,
  ).join('---\n');
  return parseSource('p.yaml', text, MANIFEST_PARSE_OPTIONS);
}

describe('API groups of resources', () => {
  it('are one string per group, not one per resource, and read as before', async () => {
    const file = peerAuthenticationFile(1000);
    const before = await heapSnapshot();
    // (A heap snapshot names every sliced string "(sliced string)": they are counted whole.)
    const count = (heap: typeof before) => countNodes(heap, 'sliced string', () => true);
    const graph = Graph.fromFiles([file]);
    expect(graph.resources.map((r) => r.group)).toEqual(Array(1000).fill('security.istio.io'));
    // Old code: a slice of the apiVersion per resource (1,000).
    expect(count(await heapSnapshot()) - count(before)).toBeLessThan(100);
    const odd = Graph.fromFiles([
      parseSource(
        'o.yaml',
        'apiVersion: "a\\ud800.example/v1"\nkind: Widget\nmetadata: {name: w}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n',
        MANIFEST_PARSE_OPTIONS,
      ),
    ]);
    expect(odd.resources.map((r) => r.group)).toEqual(['a\ud800.example', '']);
  });
});

describe('Kubernetes resources kept for the run', () => {
  it('are their own SourceRef (no object per resource holding file, document and base), and read as before', async () => {
    const file = peerAuthenticationFile(1000);
    // Objects that hold a file but are no resource (a resource has a kind): SourceRefs of their own.
    const sourceRefs = (heap: Awaited<ReturnType<typeof heapSnapshot>>) =>
      countNodes(heap, 'object', (_, edge) => edge('file') !== undefined && edge('kind') === undefined);
    const before = sourceRefs(await heapSnapshot());
    const graph = Graph.fromFiles([file]);
    expect(graph.resources.length).toBe(1000);
    // Old code: a SourceRef object per resource (1,000).
    expect(sourceRefs(await heapSnapshot()) - before).toBeLessThan(100);
    const last = graph.resources[999];
    expect(last.source.file).toBe(file);
    expect(last.source.document).toBe(file.documents[999]);
    expect(last.source.base).toEqual([]);
    expect([last.format, last.apiVersion, last.group, last.kind, last.name, last.namespace]).toEqual([
      'kubernetes',
      'security.istio.io/v1',
      'security.istio.io',
      'PeerAuthentication',
      'p999',
      'ns',
    ]);
    expect(last.anchor).toEqual(['metadata', 'name']);
  });
});

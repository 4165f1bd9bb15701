// What a lint keeps per finding and per location (issue 13: peak memory at most twice the input plus 150 MB). On a
// file of many findings V8 seldom collects the old generation late in a run, so objects made per finding count
// whether kept or not. Counted in heap snapshots (objects, not bytes or time): deterministic.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/engine/config.js';
import { defineRule, inFamily, type RuleDefinition } from '../src/engine/rule.js';
import { fingerprint, lint, lintStaged } from '../src/engine/run.js';
import { locateAll } from '../src/parse/pool.js';
import { plainFinding } from '../src/engine/message.js';
import { relativeToRoot } from '../src/report/index.js';
import { ignoreScopes } from '../src/engine/suppress.js';
import { locate, locateOffsets, locationKey } from '../src/location/locate.js';
import { LocationMemo } from '../src/location/memo.js';
import { Graph } from '../src/model/graph.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { readLocationTree, wantedPaths } from '../src/parse/fast.js';
import { parseSource } from '../src/parse/source.js';
import { documentPrint, textMemo } from '../src/secrets/memo.js';
import { collect, countNodes, heapSnapshot, type Snapshot } from './heap.js';
import { checksummed } from './secret-samples.js';

/** A rule used only by these tests: its id, title, messages and check; the rest the same for each. */
function testRule<const M extends string>(
  id: string,
  title: string,
  messages: Record<M, string>,
  check: RuleDefinition<M>['check'],
) {
  return inFamily(
    'test',
    defineRule<M>({
      id,
      title,
      severity: 'warning',
      securitySeverity: 1,
      tags: ['security'],
      description: `A rule used only by the memory tests: ${title.toLowerCase()}.`,
      remediation: 'None.',
      messages,
      examples: { invalid: {}, valid: {} },
      check,
    }),
  );
}

const RULE_ID = 'test-one-finding-per-deployment';
/** A rule used only by these tests: one finding on every Deployment, with `data` in its message when given. */
const onEveryDeployment = (message: string, data?: Record<string, string>) =>
  testRule(RULE_ID, 'One finding per Deployment', { found: message }, ({ graph, report }) => {
    for (const r of graph.ofKind('Deployment'))
      report({ resource: r, path: ['spec', 'replicas'], messageId: 'found', data });
  });
const perDeployment = onEveryDeployment('{{resource}} is a Deployment.');

const deployments = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${i}\nspec:\n  replicas: ${i}\n`,
  ).join('---\n');

function stagedLint(n: number) {
  const file = parseSource('many.yaml', deployments(n), MANIFEST_PARSE_OPTIONS);
  return lintStaged({ files: [file], rules: [perDeployment], config: defaultConfig('.') });
}

/** Strings of a snapshot, flat or not, whose text matches. */
const countStrings = (heap: Snapshot, matches: (text: string) => boolean) =>
  ['string', 'concatenated string', 'sliced string'].reduce((n, type) => n + countNodes(heap, type, matches), 0);

describe('memory per finding', () => {
  it('a finding is one object from the report to the result (no unlocated or located copy kept beside it)', async () => {
    const n = 300;
    const staged = stagedLint(n);
    const result = staged.finish();
    expect(result.findings).toHaveLength(n);
    expect(result.findings[7]).toMatchObject({ ruleId: RULE_ID, range: { startLine: 6 + 7 * 7 } });
    const heap = await heapSnapshot();
    // (The staged lint is kept too, as a caller that finishes it holds it.)
    const findings = countNodes(
      heap,
      'object',
      (_, edge) => edge('ruleId') === RULE_ID && edge('range') !== undefined && edge('related') !== undefined,
    );
    expect(findings).toBe(n);
    expect(staged.graph.resources).toHaveLength(n);
  });

  it('a finding on a resource keeps no fingerprint: it is made when read, the same every time, as a string of its own', async () => {
    const n = 300;
    const staged = stagedLint(n);
    const result = staged.finish();
    const before = await heapSnapshot();
    const prints = new Set(result.findings.map((f) => f.fingerprint));
    expect(prints.size).toBe(n);
    // (Before: one string kept per finding, from the rules to the report.)
    expect(countNodes(before, 'string', (name) => prints.has(name))).toBe(0);
    expect(result.findings.map((f) => f.fingerprint)).toEqual([...prints]);
    // A string of its own, not a view of a longer digest that it would keep alive.
    const after = await heapSnapshot();
    expect(countNodes(after, 'sliced string', (name) => prints.has(name))).toBe(0);
    expect(countNodes(after, 'string', (name) => prints.has(name))).toBe(n);
    expect(prints).toContain(
      fingerprint(RULE_ID, 'many.yaml', 'Deployment.apps/default/d7', ['spec', 'replicas'], 'found'),
    );
    // Copies carry it as text: the cache's, and those of reports with paths relative to the repository's root.
    expect(plainFinding(result.findings[7]).fingerprint).toBe(result.findings[7].fingerprint);
    const rebased = relativeToRoot(result, '/repo/sub', '/repo').findings[7];
    expect([rebased.fingerprint, rebased.file]).toEqual([result.findings[7].fingerprint, 'sub/many.yaml']);
  });

  it("findings of a rule share one object of message values while the values are equal (not the rule's object each)", async () => {
    const n = 300;
    // Values in a new object at each report, as rules make them: the same text for most, another for every 100th.
    const sameWhy = testRule('test-same-values', 'Same values', { found: '{{resource}}{{why}}' }, ({ graph, report }) =>
      graph.ofKind('Deployment').forEach((r, i) =>
        report({
          resource: r,
          path: ['spec', 'replicas'],
          messageId: 'found',
          data: { why: i % 100 === 99 ? ' (another reason)' : ' (the usual reason)' },
        }),
      ),
    );
    const file = parseSource('many.yaml', deployments(n), MANIFEST_PARSE_OPTIONS);
    const result = lintStaged({ files: [file], rules: [sameWhy], config: defaultConfig('.') }).finish();
    const valueObjects = countNodes(await heapSnapshot(), 'object', (_, edge) => edge('why') !== undefined);
    // Before: one per finding (300). Now one per run of equal values: 1 + 2 for each of the 3 others.
    expect(valueObjects).toBeLessThanOrEqual(7);
    expect(result.findings.map((f) => f.message).filter((m) => m.endsWith('(another reason)'))).toHaveLength(3);
    expect(result.findings.find((f) => f.resource?.name === 'd7')?.message).toBe(
      'Deployment default/d7 (the usual reason)',
    );
  });

  it('what locating needed is let go of once the lint is finished, while the lint and its result are kept', async () => {
    const staged = stagedLint(50);
    expect([...staged.requests]).toHaveLength(50);
    const request = new WeakRef([...staged.requests][0]);
    const result = staged.finish();
    // (A weak reference holds its target until the current job ends.)
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    collect();
    expect([...staged.requests]).toHaveLength(0);
    expect(request.deref()).toBeUndefined();
    expect(result.findings).toHaveLength(50);
  });

  it('takes the ranges locateAll found by request: no memo key is made or kept per location (related ones too)', async () => {
    const n = 200;
    const file = parseSource('many.yaml', deployments(n), MANIFEST_PARSE_OPTIONS);
    // Two findings at each Deployment's replicas (two rules, one location), one related location each.
    const twice = testRule('test-second-rule', 'Second rule', { found: 'again' }, ({ graph, report }) => {
      for (const r of graph.ofKind('Deployment'))
        report({
          resource: r,
          path: ['spec', 'replicas'],
          messageId: 'found',
          related: [{ resource: r, path: ['metadata', 'name'], message: 'named here' }],
        });
    });
    const rules = [perDeployment, twice];
    const memo = new LocationMemo();
    const staged = lintStaged({ files: [file], rules, config: defaultConfig('.'), locations: memo });
    const located = await locateAll(staged.requests, undefined, undefined);
    const { findings } = staged.finish(located);
    // (Before: a key and a range per location in the memo, 400.)
    expect(memo.of(file).size).toBe(0);
    const expected = lint({
      files: [parseSource('many.yaml', deployments(n), MANIFEST_PARSE_OPTIONS)],
      rules,
      config: defaultConfig('.'),
    });
    expect(findings).toHaveLength(2 * n);
    expect(findings.map((f) => [f.range, f.related.map((r) => r.range)])).toEqual(
      expected.findings.map((f) => [f.range, f.related.map((r) => r.range)]),
    );
    // One range object per location, shared by the findings there.
    expect(findings[0].range).toBe(findings[1].range);
  });

  it('a finding on a resource below the document root keeps no path of its own: made from the base when read', async () => {
    const n = 400;
    const routes = Array.from({ length: n }, (_, r) => `      - name: route-${r}\n        paths: ["/r${r}"]`);
    const text = `_format_version: "3.0"\nservices:\n  - name: svc\n    url: http://svc:80\n    routes:\n${routes.join('\n')}\n`;
    // Two findings on every route: at its anchor, and at a path of one segment the rule gives.
    const onRoutes = testRule('test-on-routes', 'On routes', { anchor: 'a', named: 'n' }, ({ graph, report }) => {
      for (const r of graph.ofKind('KongRoute')) {
        report({ resource: r, messageId: 'anchor' });
        report({ resource: r, path: ['paths'], messageId: 'named' });
      }
    });
    const arrays = async () => countNodes(await heapSnapshot(), 'object', (name) => name === 'Array');
    const staged = (rules: never[]) =>
      lintStaged({ files: [parseSource('kong.yaml', text)], rules, config: defaultConfig('.') });
    // The same graph without the findings, then with them: the arrays the findings hold.
    let kept = staged([]);
    const without = await arrays();
    kept = staged([onRoutes] as never[]);
    const withFindings = await arrays();
    // (Before: a path per finding, 800.)
    expect(withFindings - without).toBeLessThan(n / 10);
    const { findings } = kept.finish();
    expect(findings).toHaveLength(2 * n);
    const route7 = findings.filter((f) => f.resource?.name === 'route-7');
    expect(route7.map((f) => f.path)).toEqual([
      ['services', 0, 'routes', 7, 'name'],
      ['services', 0, 'routes', 7, 'paths'],
    ]);
    expect(route7[0].path).not.toBe(route7[0].path);
    expect(plainFinding(route7[1]).path).toEqual(['services', 0, 'routes', 7, 'paths']);
  });

  it('makes location requests when they are read, not one kept per finding until the lint finishes', async () => {
    const n = 300;
    const requestObjects = async () =>
      countNodes(
        await heapSnapshot(),
        'object',
        (_, edge) => edge('file') !== undefined && edge('document') !== undefined && edge('target') !== undefined,
      );
    const before = await requestObjects();
    const staged = stagedLint(n);
    // (Before: one per finding.)
    expect((await requestObjects()) - before).toBeLessThan(n / 10);
    const requests = [...staged.requests];
    expect(requests).toHaveLength(n);
    const { file, document } = requests[7];
    expect(requests[7]).toEqual({ file, document, path: ['spec', 'replicas'], target: 'pair' });
    expect(document).toBe(file.documents[7]);
    const result = staged.finish();
    expect(result.findings[7].range).toEqual(locate(file, document, ['spec', 'replicas']).range);
  });

  it("a location's memo key is one flat string, not a tree of concatenations kept beside its flat copy", async () => {
    // (A snapshot names a string up to its first \0: concatenations are counted, not found by name.)
    const concatenations = async () => countNodes(await heapSnapshot(), 'concatenated string', () => true);
    const before = await concatenations();
    const keys = new Map<string, number>();
    for (let i = 0; i < 500; i++) keys.set(locationKey(i, ['flat-key-marker', i, 'spec'], 'pair'), i);
    const after = await concatenations();
    expect(after - before).toBeLessThan(50);
    expect(keys.size).toBe(500);
    expect(locationKey(3, ['a', 1], 'key')).toBe('3\0key\0a\x001');
    expect(locationKey(0, [], 'pair')).toBe('0\0pair\0');
  });

  it('the secrets memo keys a document by a small integer, not by a string made of its reading and ends', () => {
    const text = `kind: ConfigMap\ndata:\n  a: "${'x'.repeat(200)}"\n`;
    const print = documentPrint('yaml', text);
    expect(Number.isInteger(print) && print >= 0 && print < 2 ** 30).toBe(true);
    expect(documentPrint('yaml', `${text}`)).toBe(print);
    expect(documentPrint('json', text)).not.toBe(print);
    // The middle of a text is not read for the print: texts that share it are told apart by comparing them whole.
    const middle = `kind: ConfigMap\ndata:\n  a: "${'x'.repeat(100)}y${'x'.repeat(99)}"\n`;
    expect(documentPrint('yaml', middle)).toBe(print);
    const memo = textMemo();
    const found = [{ kind: 'x' }] as never;
    expect(memo.document('yaml', text, () => found)).toBe(found);
    expect(memo.document('yaml', middle, () => [])).toEqual([]);
    expect(memo.document('yaml', `${text}`, () => [])).toBe(found);
  });

  it("a document's index of resource bases makes no Map per resource (nor per base that goes on)", async () => {
    const n = 2000;
    const list = `apiVersion: v1\nkind: List\nitems:\n${Array.from({ length: n }, (_, i) => `  - apiVersion: v1\n    kind: Service\n    metadata:\n      name: s${i}\n`).join('')}`;
    const file = parseSource('list.yaml', list, MANIFEST_PARSE_OPTIONS);
    const graph = Graph.fromFiles([file]);
    expect(graph.resources).toHaveLength(n);
    const maps = async () => countNodes(await heapSnapshot(), 'object', (name) => name === 'Map');
    const before = await maps();
    const document = { file, document: file.documents[0] };
    expect(graph.resourceAt(document, ['items', 1234, 'spec'])?.name).toBe('s1234');
    expect(graph.resourceAt(document, ['kind'])).toBeUndefined();
    const after = await maps();
    expect(after - before).toBeLessThan(20);
  });

  it("a decK file's index of resource bases makes no Map per service (a trie made one per service and routes list)", async () => {
    const services = Array.from(
      { length: 300 },
      (_, s) =>
        `  - name: svc-${s}\n    url: http://svc-${s}:80\n    routes:\n      - name: r-${s}-a\n        paths: ["/a${s}"]\n      - name: r-${s}-b\n        paths: ["/b${s}"]`,
    );
    const file = parseSource('kong.yaml', `_format_version: "3.0"\nservices:\n${services.join('\n')}\n`);
    const graph = Graph.fromFiles([file]);
    expect(graph.resources).toHaveLength(900);
    const maps = async () => countNodes(await heapSnapshot(), 'object', (name) => name === 'Map');
    const before = await maps();
    const document = { file, document: file.documents[0] };
    expect(graph.resourceAt(document, ['services', 123, 'routes', 1, 'paths', 0])?.name).toBe('r-123-b');
    expect(graph.resourceAt(document, ['services', 299, 'url'])?.name).toBe('svc-299');
    expect(graph.resourceAt(document, ['services', '123'])).toBeUndefined();
    expect(graph.resourceAt(document, ['_format_version'])).toBeUndefined();
    const after = await maps();
    // (The trie: 600.)
    expect(after - before).toBeLessThan(20);
  });

  it("the paths' tree a location tree is read for makes a Map only at a node of several segments", async () => {
    const maps = async () => countNodes(await heapSnapshot(), 'object', (name) => name === 'Map');
    const before = await maps();
    const paths = Array.from({ length: 2000 }, (_, i) => ['items', i, 'spec', 'name']);
    const tree = wantedPaths(paths);
    const after = await maps();
    expect(after - before).toBeLessThan(20);
    const items = tree.get('items')!;
    expect([tree.spread, items.spread, items.get('1234')!.spread]).toEqual([false, true, false]);
    expect(items.get('1234')?.get('spec')?.get('name')).toBeDefined();
    expect(items.get('1234')?.get('name')).toBeUndefined();
    expect(items.get('2000')).toBeUndefined();
  });

  it("a location tree's nodes make their ranges when read, not an array kept per node", async () => {
    const n = 2000;
    const text = `kind: List\nitems:\n${Array.from({ length: n }, (_, i) => `  - name: n${i}\n    port: ${i}\n`).join('')}`;
    const arrays = async () => countNodes(await heapSnapshot(), 'object', (name) => name === 'Array');
    const before = await arrays();
    const paths = Array.from({ length: n }, (_, i) => ['items', i, 'name']);
    const tree = readLocationTree(text, 0, text.length, paths)!;
    const after = await arrays();
    // The paths (n arrays) and each entry's list of pairs (n): its range and its scalars' ranges are not kept (3n more).
    expect(after - before).toBeLessThan(n * 2.5);
    const at = locateOffsets(text, tree, 0, text.length, ['items', 1234, 'name'], 'pair');
    expect(text.slice(at.start, at.end)).toBe('name: n1234');
    expect(text.slice(...(tree.contents as { range: [number, number] }).range)).toBe(text);
  });

  it('the location memo keeps a found location as its range alone, the Located only when part of the path is missing', async () => {
    const n = 500;
    const file = parseSource('many.yaml', deployments(n), MANIFEST_PARSE_OPTIONS);
    const memo = new LocationMemo();
    for (const document of file.documents) {
      memo.locate(file, document, ['spec', 'replicas']);
      memo.locate(file, document, ['metadata', 'name'], 'value');
    }
    const absent = memo.locate(file, file.documents[3], ['spec', 'absent']);
    const heap = await heapSnapshot();
    const locatedObjects = countNodes(
      heap,
      'object',
      (_, edge) => edge('range') !== undefined && edge('missing') !== undefined,
    );
    expect(locatedObjects).toBeLessThan(10);
    // What callers see is unchanged: a Located for every location, in the memo's copy for the cache too.
    const document = file.documents[7];
    expect(memo.locate(file, document, ['spec', 'replicas'])).toEqual({
      range: { startLine: 6 + 7 * 7, startColumn: 3, endLine: 6 + 7 * 7, endColumn: 14 },
      missing: [],
    });
    expect(memo.rangeOf(file, document, ['spec', 'replicas'])).toEqual(
      memo.locate(file, document, ['spec', 'replicas']).range,
    );
    expect(absent.missing).toEqual(['absent']);
    expect(memo.locate(file, file.documents[3], ['spec', 'absent'])).toBe(absent);
    const copy = memo.of(file);
    expect(copy.size).toBe(2 * n + 1);
    expect(copy.get(locationKey(7, ['spec', 'replicas'], 'pair'))?.missing).toEqual([]);
  });

  it('resources of a file that never names the ignore annotation share one empty list of scopes', () => {
    const graph = Graph.fromFiles([parseSource('d.yaml', deployments(2), MANIFEST_PARSE_OPTIONS)]);
    const [a, b] = graph.resources;
    expect(ignoreScopes(a)).toHaveLength(0);
    expect(ignoreScopes(a)).toBe(ignoreScopes(b));
  });

  it('a path found whole shares one empty list of missing segments; one not found has its own', () => {
    const file = parseSource('d.yaml', deployments(1), MANIFEST_PARSE_OPTIONS);
    const document = file.documents[0];
    const found = [locate(file, document, ['spec', 'replicas']), locate(file, document, ['metadata', 'name'])];
    expect(found[0].missing).toHaveLength(0);
    expect(found[0].missing).toBe(found[1].missing);
    expect(locate(file, document, ['spec', 'absent', 'x']).missing).toEqual(['absent', 'x']);
  });
  it('a finding keeps no text of its message: it is rendered when read, the same every time', async () => {
    const n = 300;
    const staged = stagedLint(n);
    const result = staged.finish();
    const rendered = /^Deployment default\/d\d+ is a Deployment\.$/;
    // (What the result keeps until its report is written.)
    expect(countStrings(await heapSnapshot(), (text) => rendered.test(text))).toBe(0);
    const messages = result.findings.map((f) => f.message);
    expect(messages[7]).toBe(`Deployment default/d${7} is a Deployment.`); // (a literal would be a string of the heap)
    expect(new Set(messages).size).toBe(n);
    expect(result.findings.map((f) => f.message)).toEqual(messages);
    // Read, each is one string (the count sees them).
    expect(countStrings(await heapSnapshot(), (text) => rendered.test(text))).toBe(n);
    expect(messages).toHaveLength(n);
  });

  it('a message rendered when read is still redacted: no report, copy or cache of it prints the value whole', () => {
    const token = checksummed('ghp_');
    const file = parseSource('many.yaml', deployments(3), MANIFEST_PARSE_OPTIONS);
    const config = defaultConfig('.');
    const result = lintStaged({
      files: [file],
      rules: [onEveryDeployment('{{resource}} carries {{token}} ({{resource}} again).', { token })],
      config,
    }).finish();
    expect(result.findings).toHaveLength(3);
    for (const f of result.findings) {
      expect(f.message).toMatch(/^Deployment default\/d\d carries ghp_\S* \(Deployment default\/d\d again\)\.$/);
      expect(f.message).not.toContain(token);
      expect(f.message).not.toContain(token.slice(4, 20));
      // A copy of a finding (a spread) carries no part of its message: the message is given as text or not at all.
      expect(JSON.stringify({ ...f })).not.toContain(token.slice(4, 20));
      // Serialised (JSON, the cache's stored run), a finding carries its message as text, its fields as before.
      const serialised = JSON.parse(JSON.stringify(f));
      expect(serialised.message).toBe(f.message);
      expect(Object.keys(serialised)).toEqual([
        'ruleId',
        'message',
        'file',
        'resource',
        'path',
        'fingerprint',
        'range',
        'related',
        'severity',
      ]);
    }
  });
});

describe('memory per finding with a fix, on a resource with several findings', () => {
  const twoFixes = testRule(
    'test-two-fixes-per-deployment',
    'Two fixable findings per Deployment',
    { found: '{{resource}} is a Deployment ({{which}}).' },
    ({ graph, report }) => {
      for (const r of graph.ofKind('Deployment'))
        for (const which of ['replicas', 'paused'])
          report({
            resource: r,
            path: ['spec', which],
            messageId: 'found',
            data: { which },
            fix: { title: `Set ${which}`, changes: [{ set: ['spec', which], value: 1 }] },
          });
    },
  );

  it('findings make their resource summary when read (none kept) and hold their fix in themselves (no property array each)', async () => {
    const n = 300;
    const file = parseSource('many.yaml', deployments(n), MANIFEST_PARSE_OPTIONS);
    const propertyArrays = (heap: Awaited<ReturnType<typeof heapSnapshot>>) =>
      countNodes(heap, 'hidden', (name) => name === 'system / PropertyArray');
    const before = propertyArrays(await heapSnapshot());
    const staged = lintStaged({ files: [file], rules: [twoFixes], config: defaultConfig('.') });
    const result = staged.finish();
    expect(result.findings).toHaveLength(2 * n);
    const heap = await heapSnapshot();
    // Old code: the fix added to a finding already made (one property array per finding, 600 here).
    expect(propertyArrays(heap) - before).toBeLessThan(50);
    // Old code: one summary per finding (600); then one per resource (300), shared through a WeakMap.
    const summaries = countNodes(
      heap,
      'object',
      (_, edge) =>
        edge('apiVersion') === 'apps/v1' &&
        edge('kind') === 'Deployment' &&
        edge('metadata') === undefined &&
        edge('format') === undefined &&
        edge('name') !== undefined,
    );
    expect(summaries).toBe(0);
    const [first, second] = result.findings.filter((f) => f.resource?.name === 'd7');
    expect(first.resource).toEqual(second.resource);
    expect(first.resource).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'd7' });
    expect(first.fix).toEqual({ title: 'Set paused', document: 7, changes: [{ set: ['spec', 'paused'], value: 1 }] });
  });

  it("findings keep their rule's fix (one for a run of equal ones) and make the report's fix when read", async () => {
    const n = 300;
    const oneFix = testRule(
      'test-one-fix-per-deployment',
      'One fixable finding per Deployment',
      { found: '{{resource}} is a Deployment.' },
      ({ graph, report }) => {
        for (const r of graph.ofKind('Deployment'))
          report({
            resource: r,
            path: ['spec', 'paused'],
            messageId: 'found',
            fix: { title: 'Pause it', changes: [{ set: ['spec', 'paused'], value: true }] },
          });
      },
    );
    const file = parseSource('many.yaml', deployments(n), MANIFEST_PARSE_OPTIONS);
    const staged = lintStaged({ files: [file], rules: [oneFix], config: defaultConfig('.') });
    const result = staged.finish();
    expect(result.findings).toHaveLength(n);
    const fixes = countNodes(
      await heapSnapshot(),
      'object',
      (_, edge) => edge('title') === 'Pause it' && edge('changes') !== undefined,
    );
    // Old code: one fix per finding, with its paths from the document root (301 here, each with its changes). Now the
    // one kept, and V8's boilerplate of the rule's object literal.
    expect(fixes).toBeLessThan(5);
    const fix = result.findings.find((f) => f.resource?.name === 'd7')?.fix;
    expect(fix).toEqual({ title: 'Pause it', document: 7, changes: [{ set: ['spec', 'paused'], value: true }] });
  });
});

// What a scan keeps while it runs (issue 13: peak memory within twice the input plus 150 MB). Counted, never timed.
import { closeSync, openSync, ftruncateSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAll, ParserPool } from '../src/parse/pool.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { parseSource } from '../src/parse/source.js';
import { originAt, originOf, trace, type Origin } from '../src/kustomize/traced.js';
import { Builder, listedBy, type BuildHost } from '../src/kustomize/build.js';
import { readFileSync, statSync } from 'node:fs';
import { scan } from '../src/scan.js';
import { runWithNatives, tempRepo } from './helpers.js';

const CRD =
  'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n';
const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n';

describe('texts a scan lets go of', () => {
  const files = {
    'crds.yaml': `${CRD}---\n${CRD.replace('widgets', 'gadgets')}`,
    'comments.yaml': '# nothing but a comment\n',
    'pod.yaml': POD,
    'broken.yaml': `${CRD}---\nkey: "x" y\n`,
  };
  const dir = tempRepo(files);
  const jobs = Object.keys(files).map((shown) => ({ absolute: join(dir, shown), shown }));
  const texts = async (releaseUnusedTexts: boolean) =>
    (await parseAll(jobs, { maxBytes: 1e6, parse: MANIFEST_PARSE_OPTIONS, releaseUnusedTexts })).map((o) =>
      o.kind === 'file' ? o.file.text : o.message,
    );

  it('empties the text of a file with nothing to lint as soon as it is parsed, and keeps every other', async () => {
    expect(await texts(true)).toEqual(['', '', POD, files['broken.yaml']]);
    expect(await texts(false)).toEqual(Object.values(files));
  });

  it('keeps the text of a file whose documents no reader keeps, without reading them again to decide', async () => {
    // Documents of numbers only are counted, not kept (src/model/unclaimed.ts); `file.documents` reads them again
    // from the text on first use, so deciding must not ask for it (a million tiny documents made 250 MB that way).
    const numbers = tempRepo({ 'numbers.yaml': 'a: 1\n---\nb: 2\n---\nc: 3\n' });
    const [outcome] = await parseAll([{ absolute: join(numbers, 'numbers.yaml'), shown: 'numbers.yaml' }], {
      maxBytes: 1e6,
      parse: MANIFEST_PARSE_OPTIONS,
      releaseUnusedTexts: true,
    });
    if (outcome.kind !== 'file') throw new Error(outcome.message);
    expect(outcome.file.unkeptDocuments).toBe(3);
    expect(Object.getOwnPropertyDescriptor(outcome.file, 'documents')?.get).toBeTypeOf('function'); // not read again
    expect(outcome.file.text).toBe('a: 1\n---\nb: 2\n---\nc: 3\n');
    expect(outcome.file.documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('gives the same findings and notices with and without the cache (which keeps every text)', async () => {
    const plain = await scan({ cwd: dir, paths: ['.'], configPath: false });
    const cached = await scan({
      cwd: dir,
      paths: ['.'],
      configPath: false,
      cacheLocation: join(dir, '.cache'),
      cacheKeyFile: join(dir, '.key'),
    });
    const shown = (r: typeof plain) => ({ findings: r.findings, notices: r.notices, stats: r.stats });
    expect(plain.findings.map((f) => `${f.file}:${f.range.startLine} ${f.ruleId}`)).toContain(
      'broken.yaml:8 parse-error',
    );
    expect(shown(cached)).toEqual(shown(plain));
  });
});

describe('parser threads', () => {
  it('start only when asked for, however large the input', () => {
    // 80 MB of input in sparse files (nothing is read: the pool decided by their sizes before).
    const dir = tempRepo({});
    const jobs = Array.from({ length: 20 }, (_, i) => {
      const absolute = join(dir, `big-${i}.yaml`);
      const fd = openSync(absolute, 'w');
      ftruncateSync(fd, 4 * 1024 * 1024);
      closeSync(fd);
      return { absolute, shown: `big-${i}.yaml` };
    });
    expect(jobs.length * 4).toBeGreaterThan(64); // above the size that used to start two threads
    const workerUrl = pathToFileURL(resolve('dist/meshlint.cjs'));
    expect(ParserPool.start({ maxBytes: 1e8, workerUrl })).toBeUndefined();
    const asked = ParserPool.start({ maxBytes: 1e8, workerUrl, workers: 1 });
    expect(asked).toBeDefined();
    asked?.close();
  });
});

describe('kustomize builds', () => {
  // A base listed by two overlays; each directory is a root of the scan.
  const dir = tempRepo({
    'base/kustomization.yaml': 'resources:\n- pod.yaml\n',
    'base/pod.yaml': POD,
    'a/kustomization.yaml': 'resources:\n- ../base\nnamePrefix: a-\n',
    'b/kustomization.yaml': 'resources:\n- ../base\nnamePrefix: b-\n',
  });
  const roots = ['a', 'b', 'base'].map((root) => join(dir, root));
  /** Builds every root; says how many times each file was read for a build. */
  const buildAll = (listed?: (host: BuildHost) => ReadonlySet<string>) => {
    const reads = new Map<string, number>();
    const host: BuildHost = {
      yaml: (absolute) => {
        reads.set(absolute, (reads.get(absolute) ?? 0) + 1);
        return parseSource(absolute, readFileSync(absolute), MANIFEST_PARSE_OPTIONS);
      },
      text: (absolute) => readFileSync(absolute, 'utf8'),
      isDirectory: (absolute) => statSync(absolute, { throwIfNoEntry: false })?.isDirectory() ?? false,
      isFile: (absolute) => statSync(absolute, { throwIfNoEntry: false })?.isFile() ?? false,
    };
    const builder = new Builder(host, listed?.(host));
    const names = roots.map((root) =>
      builder.build(root).objects.map((o) => (o.body.metadata as { name: string }).name),
    );
    return { names, reads: reads.get(join(dir, 'base/pod.yaml')) };
  };

  it('keep for another build only what a kustomization lists, with the same objects', () => {
    const listed = (host: BuildHost) => new Set(roots.flatMap((root) => listedBy(host, root)));
    const kept = buildAll();
    const handedOver = buildAll(listed);
    expect(handedOver.names).toEqual([['a-p'], ['b-p'], ['p']]);
    expect(handedOver.names).toEqual(kept.names);
    // The base is listed: built once and kept for the other overlay and its own root, in both cases.
    expect(kept.reads).toBe(1);
    expect(handedOver.reads).toBe(1);
  });

  it('hand over the objects of a directory nobody lists (built once) instead of keeping a copy', () => {
    // Nothing listed: every build reads its files again (nothing kept); before, the base was kept after its first
    // build and copied for every later one.
    expect(buildAll(() => new Set()).reads).toBe(3);
  });
});

describe('origins of built objects', () => {
  const file = parseSource('base.yaml', POD, MANIFEST_PARSE_OPTIONS);
  const root: Origin = { file, document: file.documents[0], path: ['items', 0] };
  const body = trace({ spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] } }, root) as {
    spec: { containers: { ports: object[] }[] };
  };

  it('hold their parent and key, not a copy of the path (one small object per key)', () => {
    const containers = body.spec.containers;
    const port = originOf(containers[0].ports, 0) as Origin & { parent?: Origin };
    expect(port.path).toEqual(['items', 0, 'spec', 'containers', 0, 'ports', 0]);
    expect(port.file).toBe(file);
    expect(port.document).toBe(file.documents[0]);
    expect(port.parent).toBe(originOf(containers[0], 'ports'));
    expect(Object.keys(port)).not.toContain('path');
  });

  it('are located as plain origins', () => {
    const at = originAt(body, root, ['spec', 'containers', 0, 'ports', 0, 'protocol']);
    expect(at).toEqual({
      file,
      document: file.documents[0],
      path: ['items', 0, 'spec', 'containers', 0, 'ports', 0, 'protocol'],
    });
    expect(originAt(body, root, [])).toEqual(root);
  });
});

/**
 * The layout of the strings `body` (a module's code, importing `imports`) prints: V8 tells it only to natives syntax, so a
 * child process compares each string's hidden class with a flat string's and a chain's. `layout(value)` prints one.
 */
function layouts(imports: Record<string, string>, body: string): string {
  return runWithNatives(
    imports,
    `const [flat, chain] = [JSON.parse('"' + 'x'.repeat(40) + '"'), 'a'.repeat(20) + 'b'.repeat(20)];
const layout = (v) => (same(v, flat) ? 'flat' : same(v, chain) ? 'chain' : 'other');
${body}`,
  );
}

describe('long strings made while reading', () => {
  it('lean reader: block scalars and double-quoted ones with escapes are one flat string, not a chain of pieces', () => {
    const printed = layouts(
      { parseSource: 'src/parse/source.ts' },
      `const lines = Array.from({ length: 200 }, (_, i) => '    line ' + i + ' of the dashboard').join('\\n');
const quoted = '"' + Array.from({ length: 200 }, (_, i) => '{\\\\"panel\\\\": ' + i + '}').join(', ') + '"';
console.log([...['|', '>', '|-'].map((style) => style + '\\n' + lines), quoted].map((value) => {
  const text = 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: c\\ndata:\\n  d: ' + value + '\\n';
  return layout(parseSource('cm.yaml', text, {}).documents[0].value.data.d);
}).join(' '));`,
    );
    expect(printed).toBe('flat flat flat flat');
  });

  it("kustomize: a long string's Go JSON (hashed) and a generated Secret's base64 (kept) are one flat string each", () => {
    const printed = layouts(
      { goJson: 'src/kustomize/hash.ts', encodeBase64: 'src/kustomize/build.ts' },
      `const long = Array.from({ length: 200 }, (_, i) => '<panel id="' + i + '">').join('\\n');
console.log(layout(goJson(long)), layout(encodeBase64(long)));`,
    );
    expect(printed).toBe('flat flat');
  });
});

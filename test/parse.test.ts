import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromFileData, parseSource, toFileData } from '../src/parse/source.js';
import { locate } from '../src/location/locate.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { lintTexts } from './helpers.js';

describe('parsing manifests the way Kubernetes reads them', () => {
  it('reads YAML 1.1 booleans (yes/on/off) as booleans, and quoted ones as strings', () => {
    const file = parseSource('a.yaml', 'a: yes\nb: on\nc: off\nd: "yes"\ne: 0777\n');
    expect(file.documents[0].value).toEqual({ a: true, b: true, c: false, d: 'yes', e: 511 });
  });

  it('reads short plain scalars and keys as go-yaml does, by the lean reader and by the YAML library alike', () => {
    // (The lean reader skips the null/boolean look-ups for what no such spelling starts with, and reads plain decimal
    // digits without the regexes: these are the cases either shortcut could get wrong.)
    const text =
      'a: 0\nb: 7\nc: 08\nd: 010\ne: 123\nf: 1_000\ng: 12345678901234567890\nh: n\ni: nope\nj: Off\nk: ~\nl: trUe\nm: kind\n' +
      'no: 1\nY: 2\nok: 3\nport: 4\n12: 5\ntcp: 6\n';
    const expected = {
      ...{ a: 0, b: 7, c: 8, d: 8, e: 123, f: 1000, g: Number('12345678901234567890'), h: false, i: 'nope', j: false },
      ...{ k: null, l: 'trUe', m: 'kind', false: 1, true: 2, ok: 3, port: 4, '12': 5, tcp: 6 },
    };
    expect(parseSource('a.yaml', text).documents[0].value).toEqual(expected);
    expect(parseSource('a.yaml', text, { fast: false }).documents[0].value).toEqual(expected);
  });

  it('keeps the last of duplicate keys, as go-yaml does, and reports the later key', () => {
    const file = parseSource('a.yaml', 'x:\n  privileged: false\n  privileged: true\n');
    expect(file.documents[0].value).toEqual({ x: { privileged: true } });
    expect(file.problems).toHaveLength(1);
    expect(file.problems[0].code).toBe('yaml-duplicate-key');
    expect(file.lineCounter.linePos(file.problems[0].start)).toEqual({ line: 3, col: 3 });
  });

  it('reads multi-document files and lints every good document around a broken one', () => {
    const text =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {hostPID: true}\n---\nkey: "x" y\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {hostPID: true}\n';
    const result = lintTexts({ 'multi.yaml': text });
    const summary = result.findings
      .filter((f) => ['parse-error', 'container-privileged'].includes(f.ruleId))
      .map((f) => `${f.range.startLine} ${f.ruleId}`);
    expect(summary).toEqual(['4 container-privileged', '6 parse-error', '11 container-privileged']);
  });

  it('reads JSON manifests with exact locations', () => {
    const result = lintTexts({ 'pod.json': readFileSync('test/pod-fixture.json', 'utf8') });
    const privileged = result.findings.find((f) => f.ruleId === 'container-privileged');
    expect(privileged?.range).toMatchObject({ startLine: 11, startColumn: 97 });
    expect(result.findings.map((f) => f.ruleId)).toEqual(['container-privileged']);
  });

  it('expands kind: List items and locates findings inside them', () => {
    const text =
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n    spec:\n      hostIPC: true\n';
    const finding = lintTexts({ 'list.yaml': text }).findings.find((f) => f.ruleId === 'container-privileged');
    expect(finding?.range.startLine).toBe(8);
    expect(finding?.resource).toMatchObject({ kind: 'Pod', name: 'a', namespace: 'default' });
  });

  it('skips Go/Helm templates with a notice instead of failing', () => {
    const result = lintTexts({
      't.yaml': 'metadata:\n  name: {{ .Values.name }}\nspec:\n  {{- if .Values.x }}\n  hostPID: true\n  {{- end }}\n',
    });
    expect(result.findings).toEqual([]);
    expect(result.notices[0].message).toMatch(/template/);
  });

  it('does not take {{ }} inside strings and block scalars for a template', () => {
    const file = parseSource('c.yaml', 'a: "{{ x }}"\nb: |\n  {{ y }}\n');
    expect(file.skipped).toBeUndefined();
  });

  it('reports invalid UTF-8 at its line and still reads the rest', () => {
    const bytes = Buffer.concat([
      Buffer.from('apiVersion: v1\nkind: Pod\nmetadata:\n  name: "M'),
      Buffer.from([0xfc]),
      Buffer.from('nchen"\nspec: {hostPID: true, serviceAccountName: x}\n'),
    ]);
    const result = lintTexts({ 'latin1.yaml': bytes });
    expect(result.findings.map((f) => `${f.range.startLine} ${f.ruleId}`)).toEqual([
      '4 parse-error',
      '5 container-privileged',
    ]);
  });

  it('skips binary files with a notice', () => {
    const result = lintTexts({ 'blob.yaml': new Uint8Array([0x61, 0x00, 0x62]) });
    expect(result.findings).toEqual([]);
    expect(result.notices[0].message).toMatch(/binary/);
  });

  it('handles empty, comment-only and empty-document files without findings', () => {
    const result = lintTexts({ 'e.yaml': '', 'c.yaml': '# nothing\n', 'd.yaml': '---\n---\n' });
    expect(result.findings).toEqual([]);
  });

  it('stops alias bombs with a located finding instead of expanding them', () => {
    let text = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n';
    for (let i = 1; i < 9; i++)
      text += `${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(10)
        .fill(`*${'abcdefghij'[i - 1]}`)
        .join(',')}]\n`;
    const started = Date.now();
    const result = lintTexts({ 'bomb.yaml': text });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['parse-error']);
  });

  it('survives nesting 10,000 levels deep with a located finding or none, never an exception', () => {
    const deep = `${'['.repeat(10000)}${']'.repeat(10000)}\n`;
    expect(() => lintTexts({ 'deep.yaml': deep })).not.toThrow();
    const block = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(() => lintTexts({ 'deep-block.yaml': block })).not.toThrow();
  });

  it('ignores a BOM and CRLF line ends for locations', () => {
    const result = lintTexts({
      'w.yaml': '\uFEFFapiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: a\r\nspec:\r\n  hostPID: true\r\n',
    });
    expect(result.findings.find((f) => f.ruleId === 'container-privileged')?.range).toMatchObject({
      startLine: 6,
      startColumn: 3,
    });
  });

  it('treats documents without apiVersion and kind as not ours', () => {
    const result = lintTexts({ 'compose.yaml': 'services:\n  web:\n    image: nginx:latest\n    privileged: true\n' });
    expect(result.findings).toEqual([]);
    expect(result.stats.resources).toBe(0);
  });
});

describe('locations', () => {
  const text =
    'spec:\n  containers:\n    - name: app\n      securityContext:\n        privileged: true\n      image: nginx\n';
  const file = parseSource('l.yaml', text);
  const doc = file.documents[0];

  it('points at key and value of a scalar, the key only with target key, the value only with target value', () => {
    const path = ['spec', 'containers', 0, 'securityContext', 'privileged'];
    expect(locate(file, doc, path).range).toEqual({ startLine: 5, startColumn: 9, endLine: 5, endColumn: 25 });
    expect(locate(file, doc, path, 'key').range).toEqual({ startLine: 5, startColumn: 9, endLine: 5, endColumn: 19 });
    expect(locate(file, doc, path, 'value').range).toEqual({
      startLine: 5,
      startColumn: 21,
      endLine: 5,
      endColumn: 25,
    });
  });

  it('finds plain keys the yaml package reads as numbers by their Kubernetes reading (e0, 1e3, yes), also when the yaml package reads the document', () => {
    // The anchor makes the lean reader hand the document to the yaml package, whose 1.1 schema reads `e0` as 0.
    const keyed = parseSource('k.yaml', 'a: &x 1\ne0: v\n1e3: w\nyes: z\n');
    const document = keyed.documents[0];
    expect(document.value).toEqual({ a: 1, e0: 'v', '1000': 'w', true: 'z' });
    expect(locate(keyed, document, ['e0'], 'key').range).toMatchObject({ startLine: 2, startColumn: 1, endColumn: 3 });
    expect(locate(keyed, document, ['1000'], 'key').range).toMatchObject({ startLine: 3, startColumn: 1 });
    expect(locate(keyed, document, ['true'], 'key').range).toMatchObject({ startLine: 4, startColumn: 1 });
    expect(locate(keyed, document, ['0'], 'key').missing).toEqual(['0']);
  });

  it('points a missing field at its nearest existing parent and says what is missing', () => {
    const located = locate(file, doc, ['spec', 'containers', 0, 'securityContext', 'readOnlyRootFilesystem']);
    expect(located.range).toMatchObject({ startLine: 4, startColumn: 7 });
    expect(located.missing).toEqual(['readOnlyRootFilesystem']);
  });

  it('points a sequence item at its first line', () => {
    expect(locate(file, doc, ['spec', 'containers', 0]).range).toEqual({
      startLine: 3,
      startColumn: 7,
      endLine: 3,
      endColumn: 16,
    });
  });
});

describe('syntax trees rebuilt lazily from worker data', () => {
  function allPaths(
    value: unknown,
    path: (string | number)[] = [],
    out: (string | number)[][] = [],
  ): (string | number)[][] {
    out.push(path);
    if (Array.isArray(value)) value.forEach((v, i) => allPaths(v, [...path, i], out));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) allPaths(v, [...path, k], out);
    return out;
  }

  const samples = {
    'multi.yaml':
      '# leading comment\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n# between\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Pod, metadata: {name: b}}\n...\n---\nkey: [1, {x: "y"}]\n',
    'crlf.yaml': 'a:\r\n  b: 1\r\n---\r\nc: &x {d: 2}\r\ne: *x\r\n',
    'pod.json': readFileSync('test/pod-fixture.json', 'utf8'),
  };

  it.each(Object.entries(samples))('%s: every path resolves to the same range as with the eager tree', (name, text) => {
    const eager = parseSource(name, text);
    const lazy = fromFileData(toFileData(eager));
    expect(lazy.documents.map((d) => d.value)).toEqual(eager.documents.map((d) => d.value));
    expect(lazy.lineCounter.lineStarts).toEqual(eager.lineCounter.lineStarts);
    for (const [i, doc] of eager.documents.entries()) {
      for (const path of allPaths(doc.value)) {
        for (const target of ['pair', 'key', 'value'] as const) {
          expect(locate(lazy, lazy.documents[i], path, target)).toEqual(locate(eager, doc, path, target));
        }
      }
    }
  });
});

describe('line numbers', () => {
  it('are counted from the text, also after a multi-line quoted scalar (the parser skips those line starts)', () => {
    const text = 'a: "one\n  two\n  three"\nb: [\n';
    expect([...parseSource('t.yaml', text).lineCounter.lineStarts]).toEqual([0, 8, 14, 23, 28]);
  });

  it('puts invalid UTF-8 after an unclosed quote on its own line', () => {
    const bytes = Buffer.concat([Buffer.from('a: [1]"# x\n'), Buffer.from([0x80]), Buffer.from(': b\n')]);
    const result = lintTexts({ 'u.yaml': bytes });
    const utf8 = result.findings.find((f) => f.message.startsWith('Invalid UTF-8'));
    expect(utf8?.range).toMatchObject({ startLine: 2, startColumn: 1 });
  });
});

describe('documents of kinds no rule reads (CustomResourceDefinitions)', () => {
  const crd =
    'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n';
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n';

  it('are lexed but not composed, and the other documents keep their indexes and lines', () => {
    const file = parseSource(
      'mixed.yaml',
      `${pod}---\n${crd}---\n${pod.replace('name: p', 'name: q')}`,
      MANIFEST_PARSE_OPTIONS,
    );
    expect(file.unreadDocuments).toBe(1);
    expect(file.documents.map((d) => d.index)).toEqual([0, 2]);
    const result = lintTexts({ 'mixed.yaml': `${pod}---\n${crd}---\n${pod.replace('name: p', 'name: q')}` });
    expect(result.stats).toMatchObject({ documents: 2, unreadDocuments: 1 });
    expect(result.findings.filter((f) => f.ruleId === 'container-privileged').map((f) => f.range.startLine)).toEqual([
      6, 20,
    ]);
  });

  it('do not hide errors around them: a broken document after a CRD is still reported at its line', () => {
    const file = parseSource('after.yaml', `${crd}---\nkey: "x" y\n`, MANIFEST_PARSE_OPTIONS);
    expect(file.unreadDocuments).toBe(1);
    expect(file.problems.map((p) => [p.code, file.lineCounter.linePos(p.start).line])).toEqual([['parse-error', 8]]);
  });

  it('only when they are apiextensions CustomResourceDefinitions', () => {
    expect(
      parseSource('other.yaml', crd.replace('apiextensions.k8s.io/v1', 'example.com/v1'), MANIFEST_PARSE_OPTIONS)
        .unreadDocuments,
    ).toBeUndefined();
    expect(
      parseSource(
        'quoted.yaml',
        crd.replace('kind: CustomResourceDefinition', 'kind: "CustomResourceDefinition"'),
        MANIFEST_PARSE_OPTIONS,
      ).unreadDocuments,
    ).toBe(1);
  });

  it('are composed when the caller names no documents to skip (the parser knows no kinds)', () => {
    const file = parseSource('crd.yaml', crd);
    expect(file.unreadDocuments).toBeUndefined();
    expect(file.documents).toHaveLength(1);
  });
});

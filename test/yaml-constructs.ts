// Manifests built around the constructs where YAML readers disagree (YAML 1.1 scalars, merge keys, anchors,
// directives, separators, quoted scalars across lines, line ends, JSON): shared by the kubectl differential test
// and the property test.
import fc from 'fast-check';

/** Plain scalars whose meaning differs between YAML 1.1, YAML 1.2 and go-yaml. */
export const TRICKY_SCALARS = [
  'y',
  'n',
  'yes',
  'No',
  'ON',
  'off',
  'True',
  'FALSE',
  '~',
  'null',
  'Null',
  '0755',
  '08',
  '0x1F',
  '0o17',
  '0b101',
  '-0b11',
  '1_000',
  '1e3',
  '1.5e3',
  '.5',
  '+12',
  '-0x1f',
  '1:20',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '12345678901234567890',
  '0.',
  '-',
  '1.2.3',
  '=',
  'foo bar',
  'a#b',
  '"quoted"',
  "'single ''q'''",
  '"tab\\tnew\\nline"',
  '!!str 12',
  '!!int "7"',
  '!custom x',
  '!!binary aGVsbG8=',
  '!!float 3',
  '!!bool yes',
  '0',
  '-0',
  '+.5',
  '1e',
  '0x',
  '9223372036854775808',
];
/** Rejected by Kubernetes: JSON cannot hold them. */
export const REJECTED_SCALARS = ['.inf', '-.Inf', '.nan', '+.INF'];
/**
 * Changes to a JSON text that make the YAML library read it otherwise than JSON.parse, or not at all, or make a
 * reader without the library leave it to the library (duplicate and `<<` keys, a key's `:` on the next line, tabs,
 * CR, very long keys, deep nesting, characters the library treats specially, several values in one stream).
 */
export const JSON_TRAPS: readonly ((text: string) => string)[] = [
  (t) => t.replace('{', '{"dup": 1, "dup": 2, '),
  (t) => t.replace('{', '{"<<": {"a": 1}, '),
  (t) => t.replace('{', '{"a\\u0062": 1, "ab": 2, '),
  (t) => t.replace('{', '{"a"\n: 1, '),
  (t) => t.replace('\n ', '\n\t'),
  (t) => t.replace('\n', '\r\n'),
  (t) => t.replace('{', `{"${'k'.repeat(1030)}": 1, `),
  (t) => t.replace('{', '{"x": "\u2028\u0085", '),
  (t) => t.replace('{', `{"deep": ${'['.repeat(220)}${']'.repeat(220)}, `),
  (t) => `${t} ${t}`,
  (t) => `${t}\n[1, "two", {"three": 3}]\n"four"`,
];
export const TRICKY_KEYS = ['a', 'y', 'n', 'on', '1', '0x10', 'true', '1.5', '"quoted key"', 'under_score'];

const HEAD = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

/** Hand-written documents, each a file of its own (name -> text). */
export function handWritten(): Record<string, string> {
  const docs: Record<string, string> = {
    'merge-after-explicit.yaml': `${HEAD('m1')}data:\n  privileged: false\n  <<: {privileged: true, extra: 1}\n`,
    'merge-before-explicit.yaml': `${HEAD('m2')}data:\n  <<: {privileged: true}\n  privileged: false\n`,
    'merge-list.yaml': `${HEAD('m3')}base: &b {x: 1, y: 2}\nother: &o {x: 3, z: 4}\ndata:\n  <<: [*b, *o]\n  k: v\n`,
    'merge-list-explicit-between.yaml': `${HEAD('m4')}base: &b {x: 1}\ndata:\n  x: 0\n  <<: [*b, {x: 2, w: 5}]\n`,
    'merge-nested-alias.yaml': `${HEAD('m5')}a: &a {p: 1}\nb: &b {<<: *a, q: 2}\ndata:\n  <<: *b\n  r: 3\n`,
    'aliases-many.yaml': `${HEAD('al')}s: &s x\nlist: [${Array.from({ length: 150 }, () => '*s').join(', ')}]\n`,
    'yaml11-scalars.yaml': `${HEAD('sc')}${TRICKY_SCALARS.map((s, i) => `k${i}: ${s}`).join('\n')}\n`,
    'yaml11-keys.yaml': `${HEAD('ks')}${TRICKY_KEYS.map((k, i) => `${k}: v${i}`).join('\n')}\n`,
    'dq-under-indented.yaml': `${HEAD('dq')}spec:\n  command: "a very long\n  command line\n continued here"\n  next: 1\n`,
    'dq-escaped-break.yaml': `${HEAD('dq2')}spec:\n  v: "one \\\n  two\n\n  three"\n`,
    'sq-multiline.yaml': `${HEAD('sq')}spec:\n  v: 'one\n    two'\n`,
    'lone-cr.yaml': `${HEAD('cr').replace(/\n/g, '\r')}data: {x: "1"}\r`,
    'crlf.yaml': `${HEAD('crlf').replace(/\n/g, '\r\n')}data:\r\n  x: on\r\n`,
    'bom.yaml': `\uFEFF${HEAD('bom')}data: {x: y}\n`,
    'inf.yaml': `${HEAD('inf')}data: {x: .inf}\n`,
    'nan-key.yaml': `${HEAD('nan')}.nan: 1\n`,
    'null-key.yaml': `${HEAD('nk')}~: 1\n`,
    'json-trailing-comma.json': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"},}\n',
    'json-ok.json':
      '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j2"}, "data": {"a": "1"}, "n": 1.50, "e": 1e3}\n',
    'json-stream.json':
      '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j3"}}\n{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j4"}}\n',
    'flow-map-not-json.yaml': '{apiVersion: v1, kind: ConfigMap, metadata: {name: f}}\n',
    'unterminated.yaml': `${HEAD('u')}data: {x: "unterminated}\n`,
    'tabs-indent.yaml': `${HEAD('t')}data:\n\tx: 1\n`,
    'document-end.yaml': `${HEAD('de')}data: {x: "1"}\n...\n${HEAD('after')}`,
    'directive-11.yaml': `%YAML 1.1\n---\n${HEAD('d11')}data: {x: on}\n`,
    'directive-12.yaml': `%YAML 1.2\n---\n${HEAD('d12')}data: {x: on}\n`,
    'directive-after-content.yaml': `${HEAD('dac')}data: {x: on}\n%YAML 1.2\n---\n${HEAD('dac2')}data: {x: on}\n`,
    'separator-comment.yaml': `${HEAD('s1')}--- # next\n${HEAD('s2')}`,
    'separator-content.yaml': `${HEAD('s3')}--- {a: 1}\n`,
    'separator-in-block.yaml': `${HEAD('s4')}data:\n  x: |\n    text\n---\n${HEAD('s5')}`,
    'indented-separator.yaml': `${HEAD('s6')}data:\n  x: |\n    a\n    ---\n    b\n`,
    'broken-middle.yaml': `${HEAD('b1')}---\n${HEAD('b2')}data: {x: "open}\n---\n${HEAD('b3')}`,
    'duplicate-keys.yaml': `${HEAD('dup')}data: {a: "1"}\ndata: {b: "2"}\n`,
    'comment-in-plain.yaml': `${HEAD('cp')}data:\n  x: a\n    # c\n    b\n`,
    'binary-tag.yaml': `${HEAD('bin')}binaryData:\n  k: !!binary |\n    aGVsbG8gd29ybGQ=\n`,
    'empty-values.yaml': `${HEAD('ev')}data:\n  a:\n  b: ""\n  c: []\n  d: {}\n`,
    'deep-flow.yaml': `${HEAD('deep')}data: {x: ${'['.repeat(50)}1${']'.repeat(50)}}\n`,
    'anchor-redefined.yaml': `${HEAD('ar')}a: &x 1\nb: *x\nc: &x 2\nd: *x\n`,
    'long-string.yaml': `${HEAD('ls')}data:\n  x: ${'a'.repeat(5000)}\n`,
    'unicode.yaml': `${HEAD('uc')}data:\n  "é": "\\u00e9\\x41"\n  emoji: "\u{1F600}"\n`,
    'folded.yaml': `${HEAD('fo')}data:\n  x: >-\n    one\n    two\n\n    three\n  y: |+\n    keep\n\n`,
  };
  return docs;
}

/** Whole files in other encodings, with their byte order marks: kubectl decodes UTF-16 and rejects UTF-32. */
export function encodedFiles(): Record<string, Buffer> {
  const text = `${HEAD('enc')}data: {x: on}\n`;
  const utf32be = Buffer.alloc(text.length * 4);
  [...text].forEach((c, i) => utf32be.writeUInt32BE(c.codePointAt(0)!, i * 4));
  const utf32le = Buffer.alloc(text.length * 4);
  [...text].forEach((c, i) => utf32le.writeUInt32LE(c.codePointAt(0)!, i * 4));
  const utf16le = Buffer.from(text, 'utf16le');
  return {
    'utf16le-bom.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le]),
    'utf16be-bom.yaml': Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(utf16le).swap16()]),
    'utf32le-bom.yaml': Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32le]),
    'utf32be-bom.yaml': Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), utf32be]),
  };
}

/** One generated manifest: a ConfigMap-like object whose fields use the tricky constructs. */
export const manifestArbitrary: fc.Arbitrary<string> = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    fields: fc.array(
      fc.record({
        key: fc.constantFrom(...TRICKY_KEYS, 'k1', 'k2', 'k3'),
        value: fc.oneof(
          fc.constantFrom(...TRICKY_SCALARS),
          fc.constantFrom('{a: 1, b: [x, y]}', '[1, two, "3"]', '{}', '[]'),
          fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
        ),
        style: fc.constantFrom('block', 'flow'),
      }),
      { maxLength: 8 },
    ),
    merge: fc.constantFrom('none', 'before', 'after', 'list'),
    lineEnd: fc.constantFrom('\n', '\n', '\n', '\r\n'),
  })
  .map(({ name, fields, merge, lineEnd }) => {
    const seen = new Set<string>();
    const unique = fields.filter((f) => !seen.has(f.key) && seen.add(f.key));
    const lines = [
      `apiVersion: v1`,
      `kind: ConfigMap`,
      `metadata:`,
      `  name: ${name}`,
      `base: &base {k1: from-base, m: 1}`,
      `data:`,
    ];
    if (merge === 'before') lines.push('  <<: *base');
    if (merge === 'list') lines.push('  <<: [*base, {k2: from-list, m: 2}]');
    for (const f of unique) lines.push(f.style === 'flow' ? `  ${f.key}: [${f.value}]` : `  ${f.key}: ${f.value}`);
    if (merge === 'after') lines.push('  <<: *base');
    return lines.join(lineEnd) + lineEnd;
  });

/** Ways to break a document, as editors and templating do. */
export const breakageArbitrary = fc.constantFrom(
  (text: string) => text.replace(/name: (\S+)/, 'name: "$1'), // unterminated double quote
  (text: string) => text.replace(/name: (\S+)/, "name: '$1"), // unterminated single quote
  (text: string) => text.replace('metadata:', 'metadata: [ :'), // broken flow
  (text: string) => `${text}  bad: indentation: here\n`, // mapping in a plain scalar
);

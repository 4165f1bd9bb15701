// The per-string shortcut (a string's shape, read once) and the per-document memo of secret-hardcoded must not change
// what is found: each is compared with the full reading, on every fixture and on a sample of ../shared/corpus.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSource, sliceReading } from '../src/parse/source.js';
import { type DetectOptions, detectSecrets } from '../src/secrets/detect.js';
import { documentSecrets } from '../src/secrets/documents.js';
import { commandLines, type TextMemo, textMemo } from '../src/secrets/memo.js';
import { mayHoldProviderToken, unescapeJson } from '../src/secrets/prefilter.js';
import { mayNameASecret, mayNameASecretOnceWorthIt } from '../src/secrets/name-runs.js';
import { secretNameKind } from '../src/secrets/names.js';
import {
  HAS_PROVIDER_TOKEN,
  IS_COMMAND_LINE,
  IS_HIGH_ENTROPY,
  IS_JSON_LIKE,
  IS_MULTILINE,
  IS_PAIR,
  isPlainShort,
  stringShape,
} from '../src/secrets/shape.js';
import {
  findProviderSecrets,
  hasProviderCandidate,
  PROVIDER_CANDIDATES,
  scanProviderSecrets,
} from '../src/secrets/providers.js';
import { shannon } from '../src/secrets/entropy.js';
import { corpusDir, manifestFiles } from './helpers.js';
import { checksummed } from './secret-samples.js';

/**
 * A memo whose facts send every string to the full reading (each branch then decided by the string's real shape) and
 * every pair of embedded text to the key-name test: the walk as it was before the shortcuts.
 */
function fullReadingMemo(): TextMemo {
  const memo = textMemo();
  return {
    ...memo,
    facts: (text) => {
      const facts = memo.facts(text);
      return {
        text,
        shape: facts.shape | HAS_PROVIDER_TOKEN,
        providers: facts.providers,
        pairs: () => facts.pairs(),
        namedPairs: () => facts.pairs(),
        json: () => {
          try {
            return JSON.parse(text);
          } catch {
            return undefined;
          }
        },
        jsonMayFind: () => true,
        jsonOrLinesMayFind: () => true,
      };
    },
  };
}

/** Every key and string value in the documents of the fixtures and of one quarter (0 to 3) of the corpus's files. */
function sampleStrings(quarter: number): Set<string> {
  const strings = new Set<string>();
  const collect = (value: unknown) => {
    if (typeof value === 'string') strings.add(value);
    else if (Array.isArray(value)) for (const item of value) collect(item);
    else if (value && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) {
        strings.add(key);
        collect(item);
      }
  };
  const files = manifestFiles('fixtures');
  const corpus = corpusDir();
  if (corpus) files.push(...manifestFiles(corpus).filter((_, i) => i % 4 === quarter));
  for (const path of files)
    for (const document of parseSource(path, readFileSync(path)).documents) collect(document.value);
  return strings;
}

describe('stringShape', () => {
  it('marks what needs a string read on its own, and nothing for plain values', () => {
    expect(stringShape('nginx')).toBe(0);
    expect(stringShape('registry.example.com/team/app')).toBe(0);
    expect(stringShape('8080')).toBe(0);
    expect(stringShape(checksummed('ghp_')) & HAS_PROVIDER_TOKEN).toBe(HAS_PROVIDER_TOKEN);
    expect(stringShape('{"a": 1}') & IS_JSON_LIKE).toBe(IS_JSON_LIKE);
    expect(stringShape(' [1, 2] \n') & IS_JSON_LIKE).toBe(IS_JSON_LIKE);
    expect(stringShape('a=1\nb=2') & IS_MULTILINE).toBe(IS_MULTILINE);
    expect(stringShape('run --password=x') & IS_COMMAND_LINE).toBe(IS_COMMAND_LINE);
    expect(stringShape('Authorization: Bearer x') & IS_COMMAND_LINE).toBe(IS_COMMAND_LINE);
    expect(stringShape('token: abc') & IS_PAIR).toBe(IS_PAIR);
    expect(stringShape('nginx:1.25') & IS_PAIR).toBe(IS_PAIR);
    expect(stringShape('9fK2xQ7LmZ4pR8vT1wYb3NcD6hJ0sGeA')).toBe(IS_HIGH_ENTROPY);
    expect(stringShape('ARGOCD_K8S_CLIENT_QPS_LIMIT_VALUE')).toBe(0);
  });
});

describe('the shortcut and the document memo find what the full reading finds', () => {
  const files = manifestFiles('fixtures');
  const corpus = corpusDir();
  if (corpus)
    files.push(...manifestFiles(corpus)); // the whole corpus: the prefilters must be exact on real text
  else console.warn('secret-shape: ../shared/corpus not found; only the fixtures are compared.');

  it.each(['manifest', 'foreign'] as const)('in %s mode', (mode) => {
    const options = (memo: DetectOptions['memo']): DetectOptions => ({
      mode,
      entropy: true,
      memo,
      names: [],
      allow: () => false,
    });
    const full = options(fullReadingMemo());
    const shortcut = options(textMemo());
    const remembered = options(textMemo());
    let documents = 0;
    let found = 0;
    for (const path of files) {
      const file = parseSource(path, readFileSync(path));
      for (const document of file.documents) {
        if (document.value === undefined) continue;
        const expected = detectSecrets(document.value, full);
        expect(detectSecrets(document.value, shortcut), path).toEqual(expected);
        // Twice: the second reading of the same text comes from the memo.
        expect(documentSecrets({ file, document }, remembered), path).toEqual(expected);
        expect(documentSecrets({ file, document }, remembered), path).toEqual(expected);
        documents++;
        found += expected.length;
      }
    }
    expect(documents).toBeGreaterThan(corpus ? 1000 : 300); // the fixtures alone hold about 400 documents
    if (mode === 'manifest') expect(found).toBeGreaterThan(100); // the comparison covers findings, not only silence
  });

  it('keys a document by its mode and reader, not by its text alone', () => {
    const text = '{"kind": "ConfigMap", "apiVersion": "v1", "data": {"password": "Xq7#pL2v!Rz9wK"}}\n';
    const json = parseSource('a.json', text);
    const yaml = parseSource('b.yaml', `x: 1\n---\n${text}`);
    const memo = textMemo();
    const opts = (mode: DetectOptions['mode']): DetectOptions => ({ mode, entropy: true, memo });
    const jsonRef = { file: json, document: json.documents[0] };
    const yamlRef = { file: yaml, document: yaml.documents[1] };
    expect(documentSecrets(jsonRef, opts('manifest'))).toHaveLength(1);
    expect(documentSecrets(jsonRef, opts('foreign'))).toHaveLength(0); // name heuristics are for manifests only
    expect(documentSecrets(yamlRef, opts('manifest'))).toEqual(detectSecrets(yamlRef.document.value, opts('manifest')));
    // The same text embedded in a string is read as YAML, not as strict JSON: never answered with the JSON file's entry.
    const fresh: DetectOptions = { mode: 'manifest', entropy: true, memo: textMemo() };
    expect(documentSecrets(jsonRef, fresh)).toHaveLength(1);
    const embedded = { ...json, origin: { file: yaml, toHostOffset: (offset: number) => offset } };
    const yamlReading = { ...jsonRef.document, value: { password: 'Bt5%mN8c@Lw3qY' } };
    expect(documentSecrets({ file: embedded, document: yamlReading }, fresh).map((d) => d.secret)).toEqual([
      'Bt5%mN8c@Lw3qY',
    ]);
  });

  it('remembers only a few documents per fingerprint, so look-ups stay linear in generated repositories', () => {
    const memo = textMemo();
    // Same length and same first and last 48 characters: one fingerprint, 200 different texts.
    const texts = Array.from(
      { length: 200 },
      (_, i) => `${'a'.repeat(48)}-${String(i).padStart(3, '0')}-${'z'.repeat(48)}`,
    );
    let reads = 0;
    const read = () => {
      reads++;
      return [];
    };
    for (const text of texts) memo.document('yaml manifest', text, read);
    expect(reads).toBe(200);
    memo.document('yaml manifest', texts[0].slice(0), read); // an early copy is known
    expect(reads).toBe(200);
    memo.document('yaml manifest', texts[150].slice(0), read); // past the few kept: read again, never mistaken
    expect(reads).toBe(201);
  });

  it('says which reading a document slice determines', () => {
    const text = '{"kind": "ConfigMap", "apiVersion": "v1", "data": {"a": "1"}}\n';
    const json = parseSource('a.json', text);
    const yaml = parseSource('b.yaml', 'kind: ConfigMap\napiVersion: v1\n');
    expect(sliceReading(json, json.documents[0])).toBe('json');
    expect(sliceReading(yaml, yaml.documents[0])).toBe('yaml');
    const aliases = parseSource('c.yaml', 'a: &x 1\nb: *x\n');
    expect(sliceReading(aliases, aliases.documents[0])).toBeUndefined();
  });

  it('reads a built document (no text of its own) every time', () => {
    const file = parseSource('c.yaml', 'password: Xq7#pL2v!Rz9wK\n');
    const document = file.documents[0];
    const memo = textMemo();
    const opts: DetectOptions = { mode: 'manifest', entropy: true, memo };
    expect(documentSecrets({ file, document }, opts)).toHaveLength(1);
    // A built document with the same offsets but another value: not answered from the memo.
    const built = Object.assign(Object.create(Object.getPrototypeOf(document)), document, {
      value: { password: 'Bt5%mN8c@Lw3qY' },
      trace: () => ({ file, document, path: [] }),
    });
    expect(documentSecrets({ file, document: built }, opts).map((d) => d.secret)).toEqual(['Bt5%mN8c@Lw3qY']);
  });

  it('reads a document the YAML library read every time (what lies before its start may change its value)', () => {
    const file = parseSource('d.yaml', 'a: &x 1\nb: *x\npassword: Xq7#pL2v!Rz9wK\n'); // aliases: not the lean reader's
    const document = file.documents[0];
    const opts: DetectOptions = { mode: 'manifest', entropy: true, memo: textMemo() };
    expect(documentSecrets({ file, document }, opts)).toHaveLength(1);
    const other = { ...document, value: { password: 'Bt5%mN8c@Lw3qY' } };
    expect(documentSecrets({ file, document: other }, opts).map((d) => d.secret)).toEqual(['Bt5%mN8c@Lw3qY']);
  });
});

describe('commandLines', () => {
  /** The lines it stands for: every line of the first 20,000 that holds ` -` or `uthorization`, cut out one by one. */
  function naive(s: string): [number, number][] {
    const out: [number, number][] = [];
    for (let start = 0, n = 0; start < s.length && n < 20_000; n++) {
      const newline = s.indexOf('\n', start);
      const end = newline === -1 ? s.length : newline;
      const line = s.slice(start, end);
      if (line.includes(' -') || line.includes('uthorization')) out.push([start, end]);
      start = end + 1;
    }
    return out;
  }

  it('finds the lines that cutting out every line finds', () => {
    const texts = [
      '',
      ' -',
      'no flags here\nnone here either\n',
      'curl -u a:b -H "Authorization: Bearer x"\nplain\n  --password=x -p y\r\nlast -line',
      'Authorization: Basic x\n\n\nuthorization\n -\n-\n',
      'x\n'.repeat(5) + 'a -b',
      `${'line\n'.repeat(19_999)}last -x\nbeyond -y\n`, // the 20,000th line is read, the next is not
      `${'a -b\n'.repeat(20_005)}`,
    ];
    for (const text of texts) expect([...commandLines(text)], JSON.stringify(text.slice(0, 40))).toEqual(naive(text));
  });
});

describe('the provider prefilter of foreign documents', () => {
  const opts: DetectOptions = { mode: 'foreign', entropy: true, memo: textMemo() };
  const found = (text: string) => {
    const file = parseSource('values.yaml', text);
    return file.documents.flatMap((document) => documentSecrets({ file, document }, opts).map((d) => d.secret));
  };

  it('skips a text with no candidate prefix and no escape', () => {
    expect(mayHoldProviderToken('image: nginx:1.25\nreplicas: 3\nname: "db"\n')).toBe(false);
    expect(mayHoldProviderToken(`token: ${checksummed('ghp_')}\n`)).toBe(true);
    // A URL counts only with user information: https://user:password@host, https://TOKEN@host.
    expect(mayHoldProviderToken('url: https://example.com/a@b\nother: "http://x" @y\n')).toBe(false);
    expect(mayHoldProviderToken('url: https://ci:Xq7pL2vRz9wK@example.com\n')).toBe(true);
    expect(mayHoldProviderToken('url: "postgres://app:Xq7pL2vRz9wK@db:5432/x"\n')).toBe(true);
    expect(mayHoldProviderToken('git: https://ghx9Kq2LmZ4pR8vT1wYb3NcD@github.com/o/r\n')).toBe(true);
  });

  it('finds a URL with a password in a foreign document, and what only looks like one in its text is none', () => {
    expect(found('url: https://ci:Xq7pL2vRz9wK@example.com/x\n')).toEqual(['Xq7pL2vRz9wK']);
    expect(found('a: ["https://ci:Xq7pL2vRz9wK@example.com"]\n')).toEqual(['Xq7pL2vRz9wK']);
    // Folded or quoted apart, the text's `@` belongs to no user information of the value either.
    expect(found('url: https://ci:Xq7pL2vRz9wK\n  @example.com\n')).toEqual([]);
    expect(found("url: 'https://ci:Xq7pL2v''Rz9wK@example.com'\n")).toEqual([]);
  });

  it('still finds a token spelled with escapes, joined by an escaped line break, or in flow style', () => {
    const token = checksummed('ghp_');
    const escaped = `\\u00${token.charCodeAt(0).toString(16)}${token.slice(1)}`; // \u0067hp_...
    expect(found(`a: "${escaped}"\n`)).toEqual([token]);
    expect(found(`a: "${token.slice(0, 2)}\\\n  ${token.slice(2)}"\n`)).toEqual([token]); // "gh\<newline>p_..."
    expect(found(`a: {b: [${token}]}\n`)).toEqual([token]);
    expect(found(`a: '${token}'\n---\nb: 1\n`)).toEqual([token]);
    expect(found('a: "\\u0067hp_ not a token"\nb: plain\n')).toEqual([]);
  });
});

describe('embedded text read only when it could name a secret', () => {
  const token = checksummed('ghp_');
  const manifest: DetectOptions = { mode: 'manifest', entropy: true, names: [], allow: () => false };
  /** What a ConfigMap value finds with the shortcuts, checked against the full reading. */
  const secretsIn = (value: string) => {
    const document = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'app.json': value } };
    const found = detectSecrets(document, { ...manifest, memo: textMemo() });
    expect(found).toEqual(detectSecrets(document, { ...manifest, memo: fullReadingMemo() }));
    return found.map((d) => d.secret);
  };

  it('finds names and tokens that escapes in embedded JSON spell', () => {
    expect(secretsIn('{"pass\\u0077ord": "Xq7#pL2v!Rz9wK"}')).toEqual(['Xq7#pL2v!Rz9wK']);
    expect(secretsIn('{"p\\nw": "Xq7#pL2v!Rz9wK"}')).toEqual(['Xq7#pL2v!Rz9wK']); // tokens p, w: "pw"
    expect(secretsIn(`{"a": "\\u0067${token.slice(1)}"}`)).toEqual([token]);
    expect(secretsIn('{"url": "postgres:\\/\\/app:Xq7pL2vRz9wK@db:5432\\/x"}')).toEqual(['Xq7pL2vRz9wK']); // :\/\/ is ://
    expect(secretsIn('{"inner": "{\\"pass\\\\u0077ord\\": \\"Xq7#pL2v!Rz9wK\\"}"}')).toEqual(['Xq7#pL2v!Rz9wK']); // JSON in JSON
  });

  it('finds values that their context, not their name, makes secret', () => {
    const auth = Buffer.from('ci:Xq7pL2vRz9wK').toString('base64');
    expect(secretsIn(`{"auths": {"registry.example.com": {"auth": "${auth}"}}}`)).toEqual([auth]);
    expect(secretsIn('{"kty": "oct", "k": "Xq7pL2vRz9wKm3Nb"}')).toEqual(['Xq7pL2vRz9wKm3Nb']);
    // A Secret's data (kubectl's last-applied-configuration) is base64 under keys that need not say secret.
    const data = Buffer.from('Xq7#pL2v!Rz9wK').toString('base64');
    expect(secretsIn(`{"apiVersion":"v1","kind":"Secret","data":{"conn":"${data}"}}`)).toEqual(['Xq7#pL2v!Rz9wK']);
    // A name spelled across an escaped line break or a quote pair of the JSON is still a name.
    expect(secretsIn('{"pass\\nword": "Xq7#pL2v!Rz9wK"}')).toEqual(['Xq7#pL2v!Rz9wK']);
    expect(secretsIn('{"db\\"pw": "Xq7#pL2v!Rz9wK"}')).toEqual(['Xq7#pL2v!Rz9wK']);
    expect(secretsIn('{"args": ["curl", "-u", "ci:Xq7pL2vRz9wK", "https://x"], "command": ["sh"]}')).toHaveLength(0);
  });

  it('finds pairs under joined or synthesized names in multi-line text', () => {
    expect(secretsIn('a=1\np-w=Xq7#pL2v!Rz9wK\n')).toEqual(['Xq7#pL2v!Rz9wK']);
    expect(secretsIn('#!/bin/sh\ncurl -u ci:Xq7pL2vRz9wK https://x\n')).toEqual(['Xq7pL2vRz9wK']);
    expect(secretsIn('#!/bin/sh\nmysql -uroot -pXq7pL2vRz9wK db\n')).toEqual(['Xq7pL2vRz9wK']);
    expect(secretsIn('x=1\ncurl -H "AUTHORIZATION: Bearer Xq7pL2vRz9wKm3Nb8" https://x\n')).toEqual([
      'Xq7pL2vRz9wKm3Nb8',
    ]);
  });

  it('says which texts name no secret', () => {
    expect(mayNameASecret('replicas: 3\nimage: nginx\n')).toBe(false);
    expect(mayNameASecret('DB_PASSWORD=x')).toBe(true);
    expect(mayNameASecret('p_w')).toBe(true);
    expect(mayNameASecret('api-K\u212Aey')).toBe(true); // the Kelvin sign lowercases to k
    // Secret words inside other words are no name runs: a token must start (and end) where the run does.
    expect(mayNameASecret('mode: PASSTHROUGH\nbypass: true\npassthrough: 1\nmonkey: keyboard\n')).toBe(false);
    expect(mayNameASecret('compass=north\ntokenizer=x\nsecretary: y\n')).toBe(false);
    // Runs of several tokens, whatever separates them (tokens() drops it), and camel case.
    for (const name of ['pass_word', "pass''word", 'pass\n  word', 'api-key', 'apiKey', 'APIKey', 'API_KEY', 'to.ken'])
      expect(mayNameASecret(`${name}: x`), name).toBe(true);
    // A secret word glued to another ends a token but starts inside it; a JVM property is named without its D.
    expect(mayNameASecret('dbpassword=x')).toBe(true);
    expect(mayNameASecret('-Dapi.key=x -Dsonar.login=y')).toBe(true);
    expect(mayNameASecret('-Dsonar.login=y')).toBe(true);
    expect(mayNameASecret('Dapi.key=x')).toBe(false); // no flag: D is a part of the name
    expect(unescapeJson('{"a\\u0062": "\\\\u0067\\/\\n"}')).toBe('{"ab": "\\u0067/\n"}');
  });
});

describe('manifests in the traps of YAML text', () => {
  const found = (mode: DetectOptions['mode'], text: string, extra: Partial<DetectOptions> = {}) => {
    const opts: DetectOptions = { mode, entropy: true, memo: textMemo(), names: [], allow: () => false, ...extra };
    const file = parseSource('m.yaml', text);
    return file.documents.flatMap((document) => {
      const secrets = documentSecrets({ file, document }, opts);
      expect(secrets).toEqual(detectSecrets(document.value, { ...opts, memo: fullReadingMemo() }));
      return secrets.map((d) => d.secret);
    });
  };
  const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n';

  it('find what a walk of their values finds', () => {
    const manifest = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n${data}`;
    // A secret name folded over two lines of a plain key is one name: "pass word" reads as password.
    expect(found('manifest', manifest('  ? pass\n    word\n  : Xq7#pL2v!Rz9wK\n'))).toEqual(['Xq7#pL2v!Rz9wK']);
    expect(found('manifest', manifest('  "pass\\u0077ord": "Xq7#pL2v!Rz9wK"\n'))).toEqual(['Xq7#pL2v!Rz9wK']);
    expect(found('manifest', manifest('  {a: "x", db-pw: Xq7#pL2v!Rz9wK}\n'.replace('  {', '  m: {')))).toEqual([
      'Xq7#pL2v!Rz9wK',
    ]);
    // An entropy run folded over two lines of a double-quoted scalar is joined by the escaped line break.
    expect(found('manifest', manifest('  session: "AhzCueQpBenQtYh5\\\n    Xj8TPQxjq4i9DoV8"\n'))).toEqual([
      'AhzCueQpBenQtYh5Xj8TPQxjq4i9DoV8',
    ]);
    // Nothing but a high-entropy string under a plain name.
    expect(found('manifest', manifest('  session: AhzCueQpBenQtYh5Xj8TPQxjq4i9DoV8\n'))).toEqual([
      'AhzCueQpBenQtYh5Xj8TPQxjq4i9DoV8',
    ]);
    expect(found('manifest', service)).toEqual([]);
    // Extra secret names from the options.
    const pin = manifest('  app_pin: "91735512"\n');
    expect(found('manifest', pin, { names: [{ test: (n: string) => /_pin$/i.test(n) }] })).toEqual(['91735512']);
  });
});

describe('the name-run prefilter agrees with the name heuristic', () => {
  /** Names as embedded text cuts them out: a key before `=` or `:`, a flag, a quoted JSON key, a JVM property. */
  const contexts = (name: string) => [
    name,
    `${name}=x`,
    `  ${name}: x`,
    `{"${name}": "x"}`,
    `run --${name}=x`,
    `java -D${name}=x`,
    `<${name}>x</${name}>`,
    `x=1;${name}=y`,
  ];
  const corpus = corpusDir();
  // Keys, and values short enough to be names (env names, header names).
  const keys = new Set([...sampleStrings(0)].filter((text) => text.length < 80));

  it('sees a name run wherever a name secretNameKind accepts is written', () => {
    let secret = 0;
    for (const name of keys) {
      if (secretNameKind(name) === undefined) continue;
      if (name.startsWith('D') && /^D[a-z]/.test(name)) continue; // -D<name> would be read as a JVM property
      secret++;
      for (const text of contexts(name)) expect(mayNameASecret(text), JSON.stringify(text)).toBe(true);
    }
    expect(secret).toBeGreaterThan(corpus ? 150 : 50);
  });

  it('does so for generated names: secret words and qualifiers joined in every case and with any separator', () => {
    const words = [
      'pass',
      'word',
      'api',
      'key',
      'secret',
      'token',
      'client',
      'private',
      'db',
      'x',
      'conn',
      'str',
      'in',
      '2',
    ];
    const separators = ['', '_', '-', '.', ' ', "''", '/', '\n  '];
    const cases = [(w: string) => w, (w: string) => w.toUpperCase(), (w: string) => w[0].toUpperCase() + w.slice(1)];
    let seed = 7;
    const pick = <T>(list: readonly T[]) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return list[seed % list.length];
    };
    let secret = 0;
    for (let n = 0; n < 20_000; n++) {
      const count = 1 + (n % 4);
      let name = '';
      for (let k = 0; k < count; k++) name += (k > 0 ? pick(separators) : '') + pick(cases)(pick(words));
      if (secretNameKind(name) === undefined) continue;
      secret++;
      for (const text of contexts(name)) expect(mayNameASecret(text), JSON.stringify(text)).toBe(true);
    }
    expect(secret).toBeGreaterThan(1000);
  });
});

describe('what one reading of a string tells without reading it again', () => {
  /** Every string value and key of the fixtures and a quarter of the corpus, with texts made to sit on the edges. */
  const corpus = corpusDir();
  const strings = sampleStrings(1);
  // Random texts over the characters that decide: blanks, the openers of JSON, pairs and flags, prefixes' letters.
  const alphabet = ['a', 'Z', '0', '-', '_', '.', '/', ' ', '\t', '\r', '\n', ':', '=', '<', '{', '[', '@', 'gh', 'p_'];
  let seed = 11;
  const pick = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };
  for (let n = 0; n < 30_000; n++) {
    let text = '';
    for (let k = pick() % 14; k > 0; k--) text += alphabet[pick() % alphabet.length];
    strings.add(text);
  }
  for (const text of ['Authorizatio', 'uthorization', '-password', ' -p', 'a:b', 'x=1', '{}', '[1]', '\ta', 'ab\r'])
    strings.add(text);
  for (const text of ['Authorization', 'XAUTHORIZATION', 'cluster-12345', 'abcdefghijklmno', 'abcdefghijklmnop'])
    strings.add(text);

  it('tells a short plain string by its characters: its shape is 0', () => {
    let plain = 0;
    for (const text of strings) {
      if (!isPlainShort(text) || text === '') continue;
      plain++;
      expect(stringShape(text), JSON.stringify(text)).toBe(0);
    }
    expect(plain).toBeGreaterThan(corpus ? 3_000 : 600); // the fixtures alone hold about 900
    for (const text of ['nginx', 'http', 'v1.2.3', 'my-service', 'a_b/c.d']) expect(isPlainShort(text)).toBe(true);
    for (const text of ['cluster-12345', 'abcdefghijklmno']) expect(isPlainShort(text)).toBe(true);
    const notPlainShort = [
      '-v',
      'a b',
      'a:b',
      'a=b',
      '<a>',
      '{a',
      '[a',
      'a\nb',
      '\tx',
      'abcdefghijklmnop',
      'Authorization',
    ];
    for (const text of notPlainShort) expect(isPlainShort(text), JSON.stringify(text)).toBe(false);
  });

  it('scans for provider secrets and candidates in one pass, as the two scans would', () => {
    const token = checksummed('ghp_');
    for (const text of [
      token,
      `a ${token} b https://x.example.com`,
      'https://example.com/a@b',
      'https://ci:Xq7pL2vRz9wK@example.com',
      'short://u@h',
      '://@',
      '-----BEGIN CERTIFICATE-----',
      'key-',
    ])
      strings.add(text);
    let candidates = 0;
    for (const text of strings) {
      const scan = scanProviderSecrets(text);
      expect(scan.matches, JSON.stringify(text)).toEqual(findProviderSecrets(text));
      expect(scan.candidate, JSON.stringify(text)).toBe(hasProviderCandidate(text));
      if (scan.candidate) candidates++;
    }
    expect(candidates).toBeGreaterThan(corpusDir() ? 100 : 60); // the fixtures alone hold about 90
  });

  it('finds the candidate prefixes the alternation of every prefix finds, by its first three characters', () => {
    // Texts of prefixes' pieces run together (a URL's `://` counts only with user information: left out here).
    const pieces = [
      'sk',
      'gh',
      'p_',
      'pa',
      'se',
      'ke',
      'y-',
      'A',
      'KIA',
      'xo',
      'xb-',
      'eyJ',
      'Q~',
      'SK',
      '-',
      'é',
      ' ',
    ];
    let seed = 7;
    const pick = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    const texts = [...strings].filter((text) => !text.includes('://'));
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      for (let k = pick() % 8; k > 0; k--) text += pieces[pick() % pieces.length];
      texts.push(text);
    }
    let found = 0;
    for (const text of texts) {
      const expected = RegExp(PROVIDER_CANDIDATES.source).test(text);
      expect(hasProviderCandidate(text), JSON.stringify(text)).toBe(expected);
      if (expected) found++;
    }
    expect(found).toBeGreaterThan(corpus ? 120 : 60);
  });

  it('reads the pairs of multi-line text under secret-like keys from the lines where a name run ends only', () => {
    mayNameASecretOnceWorthIt('x'.repeat(20_000)); // builds the automaton, as a scan of some size does
    const lines = ['db.password=Xq7pL2vRz9wK', 'user=app', '  apiKey: "k3Jd8sLq0Zp"', '# token=abc123XYZ987'];
    const texts = [...strings].filter((text) => text.includes('\n') && text.length < 200_000);
    texts.push(lines.join('\n'), `${'a=b\n'.repeat(20_000)}password=Xq7pL2vRz9wK\n`, `x\n${lines.join('\r\n')}`);
    let named = 0;
    for (const text of texts) {
      const all = textMemo().facts(text).pairs();
      const expected = all.filter((pair) => secretNameKind(pair.key) !== undefined);
      expect(textMemo().facts(text).namedPairs(), JSON.stringify(text.slice(0, 200))).toEqual(expected);
      named += expected.length;
    }
    expect(named).toBeGreaterThan(corpus ? 20 : 3);
  });

  it('measures Shannon entropy as a count of each character would', () => {
    const reference = (text: string) => {
      const counts = new Map<string, number>();
      for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
      let bits = 0;
      for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
      return bits;
    };
    for (const text of [...strings, '', 'aaaa', 'aé\u{1F600}é', 'Xq7pL2vRz9wK+/=_-']) {
      expect(shannon(text), JSON.stringify(text)).toBe(reference(text));
      expect(shannon(text), JSON.stringify(text)).toBe(reference(text)); // its counts start from zero again
    }
  });

  it('keeps no JSON tree in which nothing can be found, and reads the same', () => {
    const memo = textMemo();
    const dashboard = JSON.stringify({ panels: [{ title: 'Requests', targets: [{ expr: 'sum(rate(x[5m]))' }] }] });
    const withSecret = JSON.stringify({ panels: [], password: 'Xq7#pL2v!Rz9wK' });
    expect(memo.facts(dashboard).jsonMayFind()).toBe(false);
    expect(memo.facts(dashboard).json()).toEqual({}); // a stand-in: the walk asks only whether the text is JSON
    expect(memo.facts(withSecret).json()).toEqual(JSON.parse(withSecret));
    expect(memo.facts('{"a": 1').json()).toBeUndefined();
    const manifest: DetectOptions = { mode: 'manifest', entropy: true, names: [], allow: () => false };
    const pretty = JSON.stringify(JSON.parse(dashboard), null, 2); // multi-line: not even parsed
    const notJson = '{\n  db_password=Xq7#pL2v!Rz9wK\n}'; // reads as lines: its pair names a secret
    const escaped = '{\n  "a": "p\\u0077d=Xq7#pL2v!Rz9wK"\n}';
    const found = [dashboard, withSecret, `${dashboard}\n`, pretty, notJson, escaped, `${notJson}x`].map((value) => {
      const document = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'a.json': value } };
      const secrets = detectSecrets(document, { ...manifest, memo });
      expect(secrets).toEqual(detectSecrets(document, { ...manifest, memo: fullReadingMemo() }));
      return secrets.length;
    });
    expect(found).toEqual([0, 1, 0, 0, 1, 1, 1]);
  });
});

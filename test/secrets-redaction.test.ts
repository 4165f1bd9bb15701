// Redaction, end to end: plant secrets of every kind in every place the rules look, run the real CLI bundle in
// every output format (stdout, stderr and an -o file), and fail if any planted value, its base64, or any part of it
// beyond a provider prefix plus 4 characters appears anywhere. Values are random (seeded: see seeded-random.ts).
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from './seeded-random.js';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findProviderSecrets } from '../src/secrets/providers.js';
import { checksummed, SAMPLES } from './secret-samples.js';
import { FORMATS } from '../src/report/index.js';
import { REDACTED_LINE } from '../src/excerpts.js';

const CLI = resolve('dist/meshlint.cjs');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n: number, alphabet = ALNUM) =>
  Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
const b64 = (s: string) => Buffer.from(s).toString('base64');

interface Plant {
  readonly what: string;
  readonly value: string;
  /** Leading characters a message may show (provider prefix plus 4). */
  readonly shown: number;
}

const plants: Plant[] = [];
function plant(what: string, value: string, shown = 0): string {
  plants.push({ what, value, shown });
  return value;
}
const password = (what: string) => plant(what, `${rand(6)}!${rand(7)}`);

function pemKey(): string {
  const body = randomBytes(138).toString('base64').replace(/^../, 'MI');
  return `-----BEGIN PRIVATE KEY-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----`;
}

const indent = (text: string, n: number) =>
  text
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
const container = (extra: string) => `
        - name: app
          image: registry.local/app:1.0@sha256:4f5f2c2a6a4e1b1f9d0b54bc7b3e4d6e0c4a4f6b5d1a1f0e2c3b4a5d6e7f8a9b
${extra}`;

function writeRepository(dir: string): number {
  const files: Record<string, string> = {};
  const pem = plant('PEM private key', pemKey());
  const lastApplied = password('last-applied Secret value');
  const dockerPassword = password('registry password');
  files['workload.yaml'] = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:${container(`          args:
            - --client-secret=${password('args flag')}
            - --token
            - ${password('args next item')}
          command: ["sh", "-c", "curl -u admin:${password('curl -u')} http://x && mysql -u root -p${password('mysql -p')} db"]
          env:
            - name: DB_PASSWORD
              value: "${password('env block')}"
            - {name: API_KEY, value: "${password('env flow')}"}
            - name: GITHUB
              value: ${plant('GitHub token', checksummed('ghp_'), 8)}
            - name: Authorization
              value: Bearer ${password('bearer header')}`)}
`;
  files['pod.json'] = JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'json' },
      spec: { containers: [{ name: 'a', image: 'a', env: [{ name: 'REDIS_PASSWORD', value: password('env JSON') }] }] },
    },
    null,
    2,
  );
  files['configmap.yaml'] = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"stringData":{"password":"${lastApplied}"}}'
data:
  SMTP_PASSWORD: "${password('ConfigMap key')}"
  app.properties: |
    db.password=${password('properties')}
  app.ini: |
    [x]
    secret = ${password('ini')}
  app.json: |
    {"apiKey": "${password('JSON text')}"}
  app.yaml: |
    auth:
      token: ${password('YAML text')}
  .env: |
    export SESSION_SECRET=${password('.env')}
  settings.xml: |
    <password>${password('XML')}</password>
  aws: ${plant('AWS key id', `AKIA${rand(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, 8)}
  aws_secret_access_key: ${plant('AWS secret key', rand(40))}
  slack: https://hooks.slack.com/services/T01234567/B01234567/${plant('Slack webhook', rand(44))}
  stripe: ${plant('Stripe key', `sk_live_${rand(28)}`, 12)}
  gcp: ${plant('Google API key', `AIza${rand(35)}`, 8)}
  jwt: ${plant('JWT', `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: rand(20) })).toString('base64url')}.${rand(43)}`)}
  db: postgres://shop:${password('database URL password')}@db:5432/shop
  git: https://ci:${password('basic-auth URL password')}@git.example.net/repo.git
  sendgrid: ${plant('SendGrid key', `SG.${rand(22)}.${rand(43)}`, 7)}
  npm: ${plant('npm token', checksummed('npm_'), 8)}
  hf: ${plant('Hugging Face token', `hf_${rand(34, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`, 7)}
  vault: ${plant('Vault token', `hvs.${rand(95)}`, 8)}
  gitlab: ${plant('GitLab token', `glpat-${rand(20)}`, 10)}
  openai: ${plant('OpenAI key', `sk-proj-${rand(58)}T3BlbkFJ${rand(58)}`, 7)}
  anthropic: ${plant('Anthropic key', `sk-ant-api03-${rand(93)}AA`, 11)}
  session: ${plant('high-entropy string', rand(40))}
  .dockerconfigjson: ${b64(JSON.stringify({ auths: { 'r.example.net': { auth: b64(`deploy:${dockerPassword}`) } } }))}
`;
  files['secret.yaml'] = `apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: shop}
type: kubernetes.io/tls
data:
  tls.key: ${b64(pem)}
  password: ${b64(password('Secret data'))}
stringData:
  token: ${password('Secret stringData')}
`;
  files['kustomization.yaml'] = `secretGenerator:
  - name: db
    literals:
      - password=${password('secretGenerator literal')}
`;
  files['kong.yaml'] = `_format_version: "3.0"
consumers:
  - username: p
    keyauth_credentials: [{key: ${password('Kong key-auth')}}]
    basicauth_credentials: [{username: p, password: ${password('Kong basic-auth')}}]
    hmacauth_credentials: [{username: p, secret: ${password('Kong HMAC')}}]
    jwt_secrets: [{key: iss, algorithm: HS256, secret: ${password('Kong JWT')}}]
    oauth2_credentials: [{name: a, client_id: a, client_secret: ${password('Kong OAuth2')}}]
plugins:
  - name: rate-limiting
    config: {redis_password: ${password('Kong redis_password')}}
  - name: request-transformer
    config: {add: {headers: ["Authorization:Bearer ${password('Kong header')}"]}}
`;
  files['envoy.yaml'] = `static_resources:
  secrets:
    - name: key
      tls_certificate:
        private_key:
          inline_string: |
${indent(plant('Envoy inline PEM', pemKey()), 12)}
    - name: hmac
      generic_secret: {secret: {inline_string: ${password('Envoy generic secret')}}}
    - name: bytes
      tls_certificate: {private_key: {inline_bytes: ${plant('Envoy inline_bytes', b64(rand(40)))}}}
`;
  files['jwks.yaml'] = `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: ra}
spec:
  jwtRules:
    - issuer: x
      jwks: '{"keys":[{"kty":"EC","crv":"P-256","x":"abc","y":"def","d":"${plant('JWK d', rand(43))}"}]}'
`;
  // Every provider format and generic form, one ConfigMap key each (the prefix plus 4 may show for provider tokens).
  // A composite value (a URL, a connection string, a JSON key file) plants only its secret part: the rest is public.
  const entries = SAMPLES.map((sample, i) => {
    const token = sample.token();
    const match = findProviderSecrets(token)[0];
    const secret =
      match?.id === 'slack-webhook'
        ? token.slice(token.lastIndexOf('/') + 1)
        : (match?.secret ?? token).replace(/^AccountKey=/, '');
    plants.push({
      what: `${sample.id} #${i}`,
      value: secret,
      shown: match?.preview && secret === token ? match.preview.length - 1 : 0,
    });
    return `  ${sample.key}_${i}: ${JSON.stringify(token)}\n`;
  });
  files['providers.yaml'] = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: providers}\ndata:\n${entries.join('')}`;
  // Not manifests: provider patterns only.
  mkdirSync(join(dir, '.github/workflows'), { recursive: true });
  files['.github/workflows/ci.yml'] =
    `on: push\njobs:\n  a:\n    env:\n      GH_TOKEN: ${plant('GitHub token in a workflow', checksummed('ghp_'), 8)}\n`;
  const findingsExpected = plants.length;
  // Broken input must not leak either: a parse error and a duplicate key on lines that hold secrets.
  files['broken.yaml'] =
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken}\ndata:\n  password: "${password('parse error line')}\n  - [\n`;
  files['duplicate.yaml'] =
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup}\ndata:\n  token: ${rand(4)}\n  token: ${password('duplicate key line')}\n`;
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return findingsExpected;
}

let dir: string;
let expected: number;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshlint-redaction-'));
  expected = writeRepository(dir);
});

function run(args: string[], input?: string): string {
  const result = spawnSync(process.execPath, [CLI, ...args, '--no-config', '--stats'], {
    cwd: dir,
    encoding: 'utf8',
    input,
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(1);
  return `${result.stdout}\n${result.stderr}`;
}

function leaks(output: string): string[] {
  const found: string[] = [];
  for (const p of plants) {
    if (output.includes(p.value)) found.push(`${p.what}: whole value`);
    if (output.includes(b64(p.value))) found.push(`${p.what}: base64`);
    if (p.value.length >= 12) {
      const hidden = p.value.slice(p.shown);
      for (let i = 0; i + 6 <= hidden.length; i++) {
        // A run of hex digits shares its alphabet with the fingerprints in the output: a longer window keeps chance
        // matches out (six hex digits recur by chance in a report of thousands of fingerprints).
        const n = /^[0-9a-f-]+$/i.test(hidden.slice(i, i + 6)) ? 10 : 6;
        if (i + n > hidden.length) continue;
        if (output.includes(hidden.slice(i, i + n))) {
          found.push(`${p.what}: "${hidden.slice(i, i + n)}" (characters past the allowed prefix)`);
          break;
        }
      }
    }
  }
  return found;
}

describe('redaction of planted secrets (real CLI, every format)', () => {
  // The formats come from the registry; the bundle must offer exactly those, so a new format cannot skip this check.
  it('checks every format the CLI offers', () => {
    const refused = spawnSync(process.execPath, [CLI, '.', '--no-config', '-f', 'no-such-format'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(refused.stderr).toContain(`Allowed choices are ${FORMATS.join(', ')}.`);
  });

  it.each(FORMATS)('%s on standard output', (format) => {
    const output = run(['.', '-f', format]);
    expect(leaks(output)).toEqual([]);
  });

  it.each(FORMATS)('%s written with -o', (format) => {
    const file = join(dir, `report.${format}`);
    const output = run(['.', '-f', format, '-o', file]);
    const written = readFileSync(file, 'utf8');
    expect(written.length).toBeGreaterThan(0);
    expect(leaks(output + written)).toEqual([]);
  });

  it('text shows code frames (so the check above covers them), with the lines of secrets masked', () => {
    const output = run(['.', '-f', 'text']);
    expect(output).toMatch(/^ {4} *\d+ \| .*\n {4} +\| *\^+/m);
    expect(output).toContain(REDACTED_LINE);
    const secretFrames = output
      .split('\n')
      .filter((line, i, all) => / secret-(hardcoded|in-manifest)$/.test(line) && /^ +\d+ \| /.test(all[i + 1] ?? ''));
    expect(secretFrames.length).toBeGreaterThan(5);
    for (const line of output.split('\n'))
      if (/^ +\d+ \| /.test(line) && line.includes('PASSWORD')) expect(line).toContain(REDACTED_LINE);
    expect(leaks(output)).toEqual([]);
  });

  it('a baseline file, and a scan against it', () => {
    const file = join(dir, 'baseline.json');
    const written = spawnSync(process.execPath, [CLI, '.', '--no-config', '--write-baseline', file], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const baseline = readFileSync(file, 'utf8');
    expect(baseline).toContain('secret-hardcoded');
    const rerun = spawnSync(process.execPath, [CLI, '.', '--no-config', '--baseline', file, '-f', 'json'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(leaks(written.stdout + written.stderr + baseline + rerun.stdout + rerun.stderr)).toEqual([]);
  });

  it('standard input, reported under a file name', () => {
    const output = run(
      ['-', '--stdin-filename', 'configmap.yaml', '-f', 'json'],
      readFileSync(join(dir, 'configmap.yaml'), 'utf8'),
    );
    expect(leaks(output)).toEqual([]);
  });

  it('finds every planted secret (so that the test above cannot pass by finding nothing)', () => {
    const report = JSON.parse(run(['.', '-f', 'json']).split('\nmeshlint: stats')[0].replace(/\n$/, '')) as {
      findings: { ruleId: string; file: string; line: number; message: string }[];
    };
    const secrets = report.findings.filter((f) => f.ruleId.startsWith('secret-'));
    // One finding per planted secret, plus the secret on the duplicate-key line (the broken document yields none).
    expect(secrets.length).toBe(expected + 1);
    expect(report.findings.some((f) => f.ruleId === 'parse-error' && f.file === 'broken.yaml')).toBe(true);
    expect(report.findings.some((f) => f.ruleId === 'yaml-duplicate-key' && f.file === 'duplicate.yaml')).toBe(true);
    // Provider tokens show their prefix plus 4 characters at most.
    const github = plants.find((p) => p.what === 'GitHub token')!;
    expect(secrets.some((f) => f.message.includes(`${github.value.slice(0, 8)}…`))).toBe(true);
  });
});

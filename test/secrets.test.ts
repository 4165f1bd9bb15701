// Unit tests of the secret detectors in src/secrets: pure functions, tables of what is and is not a secret.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { tempRepo } from './helpers.js';
import { parseSource } from '../src/parse/source.js';
import { lint } from '../src/engine/run.js';
import { defaultConfig } from '../src/engine/config.js';
import { RULES } from '../rules/index.js';
import { entropyThreshold, isHighEntropy, looksLikeWords, shannon } from '../src/secrets/entropy.js';
import { commandLinePairs, decodeBase64Text, embeddedPairs } from '../src/secrets/embedded.js';
import { detectSecrets, type DetectOptions } from '../src/secrets/detect.js';
import { isMetadataName, secretNameKind, tokens } from '../src/secrets/names.js';
import { findProviderSecrets, preview, TOKEN_FORMATS, validPemPrivateKey } from '../src/secrets/providers.js';
import { badChecksum, checksummed, pem, SAMPLES } from './secret-samples.js';
import { hashKind, isPlaceholder, isReference } from '../src/secrets/values.js';
import { committedEntries } from '../src/secrets/secret-data.js';
import { secretIdentity } from '../src/secrets/identity.js';
import { compileSecretOptions } from '../src/secrets/options.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function random(n: number, alphabet = ALNUM, seed = 1): string {
  let x = seed * 2654435761;
  let out = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += alphabet[Math.floor((x / 2147483648) * alphabet.length)];
  }
  return out;
}

const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/PWoMTkQ3CxRZJxk',
  'wauPu5eHWb3EZSK9UAJc/dUbrIGhRANCAASKdAMXb5ORdMPpfuElwqcQYLQzldcH',
  'Coh6reSiBDLbTSMsjuK8hTiOmX9iz2T7zx/4i5zlUKtsaNlRF8J84RrQ',
  '-----END PRIVATE KEY-----',
].join('\n');

describe('entropy', () => {
  it('measures bits per character', () => {
    expect(shannon('')).toBe(0);
    expect(shannon('aaaa')).toBe(0);
    expect(shannon('abcd')).toBe(2);
    expect(shannon('password')).toBeCloseTo(2.75, 2);
  });

  it('has length-dependent thresholds and none for short strings', () => {
    expect(entropyThreshold(random(12))).toBeUndefined();
    expect(entropyThreshold(random(20))).toBe(3.7);
    expect(entropyThreshold(random(24))).toBe(3.9);
    expect(entropyThreshold(random(32))).toBe(4.2);
    expect(entropyThreshold(random(48))).toBe(4.4);
    expect(entropyThreshold('0123456789abcdef0123456789abcdef')).toBe(3.3);
  });

  it('flags random tokens and spares identifiers, digests, UUIDs and paths', () => {
    for (let seed = 1; seed <= 20; seed++)
      expect(isHighEntropy(random(32, ALNUM, seed)), random(32, ALNUM, seed)).toBe(true);
    expect(isHighEntropy('ARGOCD_K8S_CLIENT_QPS_LIMIT')).toBe(false);
    expect(isHighEntropy('routeToEnvoy2ViaEnvoy1Cluster')).toBe(false);
    expect(isHighEntropy('3c0d9c0320bb34888c2df5757c718ce6ca992ce6')).toBe(false); // sha1
    expect(isHighEntropy('123e4567-e89b-12d3-a456-426614174000')).toBe(false);
    expect(isHighEntropy('/var/lib/k8s/abc123XYZ/data9Q')).toBe(false);
    expect(isHighEntropy('abcdefghijklmnopqrstuvwxyz')).toBe(false); // no digit
    expect(looksLikeWords('kubernetes-dashboard-v2')).toBe(true);
    expect(looksLikeWords(random(24))).toBe(false);
  });
});

describe('provider patterns', () => {
  const providerIds = new Set([
    ...TOKEN_FORMATS.map((f) => f.id),
    'private-key',
    'database-url',
    'basic-auth-url',
    'token-url',
  ]);
  const samples = SAMPLES.filter((s) => providerIds.has(s.id)).map((s, i) => [`${s.id} #${i}`, s] as const);

  it('has a sample for every format', () => {
    expect(
      TOKEN_FORMATS.map((f) => f.id).filter(
        (id) =>
          !SAMPLES.some((s) => s.id === id) &&
          ![
            'gitlab-trigger-token',
            'gitlab-runner-registration',
            'sentry',
            'newrelic',
            'linear',
            'pulumi',
            'postman',
            'grafana',
            'databricks',
            'age',
            'terraform-cloud',
          ].includes(id),
      ),
    ).toEqual([]);
  });

  it.each(samples)('finds %s, in a line of text, and not its near miss', (_, sample) => {
    const token = sample.token();
    const found = findProviderSecrets(`value: "${token}" # trailing`);
    expect(found.map((f) => f.id)).toContain(sample.id);
    expect(findProviderSecrets(`${sample.nearKey ?? 'note'}=${sample.nearMiss()}`).map((f) => f.id)).not.toContain(
      sample.id,
    );
  });

  it('checks the CRC32 of GitHub and npm tokens', () => {
    for (const prefix of ['ghp_', 'gho_', 'ghs_', 'npm_']) {
      expect(findProviderSecrets(checksummed(prefix))).toHaveLength(1);
      expect(findProviderSecrets(badChecksum(prefix))).toEqual([]);
    }
  });

  it('rejects samples, placeholders and references', () => {
    expect(findProviderSecrets(`ghp_${'x'.repeat(36)}`)).toEqual([]);
    expect(findProviderSecrets('AKIAIOSFODNN7EXAMPLE')).toEqual([]);
    expect(findProviderSecrets('-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----')).toEqual([]);
    expect(findProviderSecrets('postgres://shop:${DB_PASSWORD}@db:5432/shop')).toEqual([]);
    expect(findProviderSecrets('postgres://shop:<password>@db:5432/shop')).toEqual([]);
    expect(findProviderSecrets('https://user:****@example.net')).toEqual([]);
    expect(findProviderSecrets('https://docs.example.net/v1/page')).toEqual([]);
    expect(findProviderSecrets(`x${checksummed('ghp_')}`)).toEqual([]); // inside a longer word
  });

  it('validates PEM bodies', () => {
    expect(validPemPrivateKey(PEM)).toBe(true);
    expect(validPemPrivateKey(PEM.replace(/MIG[^\n]*\n/, 'MIIE...truncated\n').replace(/wau[^\n]*\n/, ''))).toBe(false);
  });

  it('previews at most the prefix plus 4 characters, and nothing for prefix-less kinds', () => {
    const token = checksummed('ghp_');
    const [match] = findProviderSecrets(token);
    expect(match.preview).toBe(`${token.slice(0, 8)}…`);
    expect(preview(token, 0)).toBe('');
    expect(findProviderSecrets(PEM)[0].preview).toBe('');
    expect(findProviderSecrets(`https://ci:${random(12)}@git.example.net/x`)[0].preview).toBe('');
  });
});

describe('key names', () => {
  it('splits names into tokens', () => {
    expect(tokens('dbPassword_FILE')).toEqual(['db', 'password', 'file']);
    expect(tokens('AWS_SECRET_ACCESS_KEY')).toEqual(['aws', 'secret', 'access', 'key']);
    expect(tokens('spring.datasource.password')).toEqual(['spring', 'datasource', 'password']);
  });

  it.each([
    ['DB_PASSWORD', 'password'],
    ['password', 'password'],
    ['DB_PASS', 'password'],
    ['passphrase', 'password'],
    ['apiKey', 'API key'],
    ['api-key', 'API key'],
    ['X_API_KEY', 'API key'],
    ['AWS_SECRET_ACCESS_KEY', 'API key'],
    ['client_secret', 'secret'],
    ['clientSecret', 'secret'],
    ['JWT_SECRET', 'secret'],
    ['SECRET_KEY', 'secret'],
    ['private_key', 'private key'],
    ['privateKey', 'private key'],
    ['tls.key', 'private key'],
    ['GITHUB_TOKEN', 'token'],
    ['refresh_token', 'token'],
    ['access_token', 'token'],
    ['Authorization', 'authorization header'],
    ['credentials', 'credential'],
    ['connectionString', 'connection string'],
    ['redis_password', 'password'],
    ['node.session.auth.password_in', 'password'],
  ])('%s is a %s', (name, kind) => {
    expect(secretNameKind(name)).toBe(kind);
  });

  it.each([
    'DB_PASSWORD_FILE',
    'TLS_KEY_PATH',
    'API_KEY_NAME',
    'AWS_ACCESS_KEY_ID',
    'TOKEN_URL',
    'secretName',
    'credentialName',
    'existingSecret',
    'passwordSecret',
    'publicKey',
    'public_key',
    'rsa_public_key',
    'bypass',
    'passthrough',
    'keyboard',
    'tokenizer',
    'TOKEN_TTL',
    'PASSWORD_MIN_LENGTH',
    'secretKeyRef',
    'imagePullSecrets',
    'csrf_token',
    'key',
    'auth',
    'username',
    'token_endpoint',
    'password_policy',
    'tlsSecret',
    'primary_key',
  ])('%s is not a secret', (name) => {
    expect(secretNameKind(name)).toBeUndefined();
  });

  it('tells metadata names from secret values in a Secret', () => {
    expect(isMetadataName('type')).toBe(true);
    expect(isMetadataName('client-id')).toBe(true);
    expect(isMetadataName('ca.digest')).toBe(true);
    expect(isMetadataName('key')).toBe(false);
    expect(isMetadataName('password')).toBe(false);
    expect(isMetadataName('client1')).toBe(false);
    expect(isMetadataName('discovery.sendtargets.auth.username_in')).toBe(true);
    expect(isMetadataName('apiAddress')).toBe(true);
  });
});

describe('values', () => {
  it.each([
    '${DB_PASSWORD}',
    '$DB_PASSWORD',
    '$(DB_PASSWORD)',
    '{{ .Values.password }}',
    '{vault://env/x}',
    'vault:secret/data/x#k',
    'ref+vault://secret/x#k',
    '${{ env "DECK_KEY" }}',
    'ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x',
    '/var/run/secrets/db/password',
    'certs/key.pem',
    'projects/p/secrets/s/versions/1',
    '$dex.github.clientSecret',
    'Bearer ${TOKEN}',
  ])('%s is a reference', (value) => {
    expect(isReference(value)).toBe(true);
  });

  it.each([
    '',
    '<password>',
    'xxxxxxxx',
    'XXXX-XXXX',
    'REPLACE_ME',
    'replace-with-your-key',
    'your-api-key',
    'changeme',
    'example',
    'my-example-secret',
    '[redacted]',
    '********',
    'AKIAIOSFODNN7EXAMPLE',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'id_token',
    'client_secret_post',
    'VERY_SECRET_KEY',
    'your_password',
  ])('%j is a placeholder', (value) => {
    expect(isPlaceholder(value)).toBe(true);
  });

  it.each(['Tr0ub4dor&3x', 'nr3yBdGBL#EPH1', 'hunter22', 'postgres://x:Kq8Zm2@example.net/db'])(
    '%s is neither',
    (value) => {
      expect(isReference(value)).toBe(false);
      expect(isPlaceholder(value)).toBe(false);
    },
  );

  it('recognises password hashes', () => {
    expect(hashKind('$2y$05$NLYuo.x7JAL4EL7OOEHGjOUznJagjXCUczoWwc.dW1/5Qo6h5NiwO')).toBe('bcrypt');
    expect(hashKind('user:$2y$05$NLYuo.x7JAL4EL7OOEHGjOUznJagjXCUczoWwc.dW1/5Qo6h5NiwO')).toBe('bcrypt');
    expect(hashKind('$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA')).toBe('argon2');
    expect(hashKind('{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=')).toBe('LDAP');
    expect(hashKind('Tr0ub4dor&3x')).toBeUndefined();
  });
});

describe('embedded text', () => {
  it('reads properties, ini, .env, YAML, JSON lines and XML leaves', () => {
    const text = [
      'a.password=one1',
      '[db]',
      'password = "two2"',
      'export TOKEN=three3',
      'auth:',
      '  secret: four4 # comment',
      '"apiKey": "five5",',
      '<password>six6</password>',
      '# password=commented',
      'empty=',
    ].join('\n');
    const pairs = embeddedPairs(text);
    expect(pairs.map(({ key, value }) => ({ key, value }))).toEqual([
      { key: 'a.password', value: 'one1' },
      { key: 'password', value: 'two2' },
      { key: 'TOKEN', value: 'three3' },
      { key: 'secret', value: 'four4' },
      { key: 'apiKey', value: 'five5' },
      { key: 'password', value: 'six6' },
    ]);
    for (const pair of pairs) expect(text.slice(pair.offset, pair.offset + pair.value.length)).toBe(pair.value); // each at its own place
    expect(embeddedPairs('//registry.npmjs.org/:_authToken=abc123def')).toEqual([
      { key: '_authToken', value: 'abc123def', offset: 33 },
    ]);
  });

  it('reads flags, curl -u, mysql -p and Authorization headers from command lines', () => {
    expect(commandLinePairs('app --password=abc123 --token "def456" --verbose')).toEqual([
      { key: 'password', value: 'abc123' },
      { key: 'token', value: 'def456' },
    ]);
    expect(commandLinePairs('curl -u admin:S3cr3t https://x')).toContainEqual({ key: 'password', value: 'S3cr3t' });
    expect(commandLinePairs('mysql -u root -pS3cr3t db')).toContainEqual({ key: 'password', value: 'S3cr3t' });
    expect(commandLinePairs('mysql -u root db; vttablet -port 15002')).not.toContainEqual({
      key: 'password',
      value: 'ort',
    });
    expect(commandLinePairs('curl -H "Authorization: Bearer abcdef123456" https://x')).toContainEqual({
      key: 'authorization',
      value: 'abcdef123456',
    });
  });

  it('decodes base64 text only', () => {
    expect(decodeBase64Text(Buffer.from('hello: world').toString('base64'))).toBe('hello: world');
    expect(decodeBase64Text('not base64!')).toBeUndefined();
    expect(decodeBase64Text(Buffer.from([0, 1, 2, 255, 254]).toString('base64'))).toBeUndefined();
  });
});

describe('detectSecrets', () => {
  const manifest: DetectOptions = { mode: 'manifest', entropy: true };
  const keys = (value: unknown, opts = manifest) =>
    detectSecrets(value, opts).map((d) => `${d.path.join('.')} ${d.source} ${d.kind}`);

  it('takes the env name from the sibling of value', () => {
    const pod = {
      spec: {
        containers: [
          {
            env: [
              { name: 'DB_PASSWORD', value: 'Kq8Zm2Lx7R' },
              { name: 'MODE', value: 'Kq8Zm2Lx7R' },
            ],
          },
        ],
      },
    };
    expect(keys(pod)).toEqual(['spec.containers.0.env.0.value name password']);
  });

  it('reports only provider patterns in files meshlint does not read', () => {
    const workflow = { env: { DB_PASSWORD: 'Kq8Zm2Lx7R', GH: checksummed('ghp_'), RANDOM: random(40) } };
    expect(keys(workflow, { mode: 'foreign', entropy: true })).toEqual(['env.GH provider a GitHub token']);
  });

  it('skips references, Secret data and encrypted kinds', () => {
    expect(keys({ env: [{ name: 'X_PASSWORD', valueFrom: { secretKeyRef: { name: 'a', key: 'b' } } }] })).toEqual([]);
    expect(keys({ apiVersion: 'v1', kind: 'Secret', data: { password: 'S3F6OFptMkx4N1I=' } })).toEqual([]);
    expect(
      keys({
        apiVersion: 'bitnami.com/v1alpha1',
        kind: 'SealedSecret',
        spec: { encryptedData: { password: checksummed('ghp_') } },
      }),
    ).toEqual([]);
    expect(keys({ password: 'ENC[x]', sops: { mac: 'ENC[y]', version: '3.9.0' } })).toEqual([]);
  });

  it('parses JSON in strings and reports at the string', () => {
    const annotation = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', stringData: { token: 'Kq8Zm2Lx7R' } });
    const found = detectSecrets(
      { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': annotation } } },
      manifest,
    );
    expect(found.map((d) => [d.path.join('.'), d.kind, d.key])).toEqual([
      [
        'metadata.annotations.kubectl.kubernetes.io/last-applied-configuration',
        'Secret value',
        '"token" in the text of "kubectl.kubernetes.io/last-applied-configuration"',
      ],
    ]);
  });

  it('knows Kong credentials, Envoy DataSources and private JWKs', () => {
    expect(
      keys({
        consumers: [
          {
            keyauth_credentials: [{ key: 'Kq8Zm2Lx7R' }],
            jwt_secrets: [{ key: 'issuer-Kq8Zm2Lx7R', secret: 'Wq3Lm8Zx2R' }],
          },
        ],
      }),
    ).toEqual([
      'consumers.0.keyauth_credentials.0.key name Kong key-auth key',
      'consumers.0.jwt_secrets.0.secret name Kong JWT secret',
    ]);
    expect(
      keys({
        tls: { private_key: { inline_string: 'Kq8Zm2Lx7R' }, certificate_chain: { inline_string: 'Kq8Zm2Lx7R' } },
      }),
    ).toEqual(['tls.private_key.inline_string name private key']);
    expect(keys({ jwks: JSON.stringify({ keys: [{ kty: 'EC', x: 'abc', d: 'Kq8Zm2Lx7R1' }] }) })).toEqual([
      'jwks name private JSON Web Key member',
    ]);
    expect(keys({ jwks: JSON.stringify({ keys: [{ kty: 'EC', x: 'abcdefgh', y: 'abcdefgh' }] }) })).toEqual([]);
  });

  it('never throws on odd values', () => {
    let deep: unknown = 'Kq8Zm2Lx7R';
    for (let i = 0; i < 5000; i++) deep = { password: deep };
    const odd = {
      a: null,
      b: new Date(0),
      c: new Uint8Array(10),
      d: 12n,
      e: [[[[]]]],
      f: { password: 1234567 },
      g: deep,
      h: '{not json',
      i: '[1,',
    };
    expect(() => detectSecrets(odd, manifest)).not.toThrow();
    expect(keys({ f: { password: 12345678 } })).toEqual(['f.password name password']);
  });

  it('applies the configured names and allow-list', () => {
    const { names, allow } = compileSecretOptions({
      secretNames: ['.*_PIN'],
      allowValues: ['Kq8Zm2Lx7R'],
      allowPatterns: ['^dev-'],
    });
    const opts: DetectOptions = { mode: 'manifest', names, allow, entropy: false };
    expect(
      keys({ CARD_PIN: '83920174', DB_PASSWORD: 'Kq8Zm2Lx7R', API_TOKEN: 'dev-Wq3Lm8Zx2R', other: random(40) }, opts),
    ).toEqual(['CARD_PIN name secret']);
  });
});

describe('committed Secret entries', () => {
  it('describes each secret key and skips public or placeholder ones', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const entries = committedEntries({
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
        'tls.key': b64(PEM),
        empty: '',
        placeholder: b64('REPLACE_ME'),
      },
      stringData: { username: 'admin', type: 'git', token: 'Kq8Zm2Lx7R' },
    });
    expect(entries.map((e) => [e.path.join('.'), e.holds])).toEqual([
      ['data.tls.key', 'a TLS private key'],
      ['stringData.token', 'a token'],
    ]);
  });
});

describe('fingerprints', () => {
  it('salted identities differ by value and salt, and are short hashes', () => {
    expect(secretIdentity('s', 'a')).toMatch(/^[0-9a-f]{16}$/);
    expect(secretIdentity('s', 'a')).not.toBe(secretIdentity('s', 'b'));
    expect(secretIdentity('s', 'a')).not.toBe(secretIdentity('t', 'a'));
  });

  it('tell apart two secrets in one embedded text, and change when the value is rotated', () => {
    const run = (text: string) => {
      const file = parseSource('cm.yaml', text);
      const config = {
        ...defaultConfig('.'),
        rules: new Map(
          RULES.filter((r) => r.id !== 'secret-hardcoded').map((r) => [r.id, { severity: 'off' as const }]),
        ),
      };
      return lint({ files: [file], rules: RULES, config }).findings.map((f) => f.fingerprint);
    };
    const doc = (pw: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  app.ini: |\n    password = ${pw}\n    api_key = Wq3Lm8Zx2Rt7\n`;
    const first = run(doc('Kq8Zm2Lx7R'));
    expect(first).toHaveLength(2);
    expect(new Set(first).size).toBe(2);
    const rotated = run(doc('Zr5Tq1Mw9P'));
    expect(rotated).toContain(first.find((f) => rotated.includes(f)));
    expect(rotated.filter((f) => !first.includes(f))).toHaveLength(1);
    expect(run(doc('Kq8Zm2Lx7R'))).toEqual(first);
  });
});

describe('secrets in every output', () => {
  const salted = (salt?: string) =>
    salt ? `rules:\n  secret-hardcoded: { options: { fingerprintSalt: ${salt} } }\n` : 'rules: {}\n';

  it('salts secret-in-manifest fingerprints with the configured salt, like secret-hardcoded', async () => {
    const secret = 'apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: hunter2x\n';
    const fingerprints = async (salt?: string) =>
      (await scan({ cwd: tempRepo({ 's.yaml': secret, '.meshlint.yaml': salted(salt) }) })).findings
        .filter((f) => f.ruleId === 'secret-in-manifest')
        .map((f) => f.fingerprint);
    const plain = await fingerprints();
    expect(plain).toHaveLength(1);
    expect(await fingerprints('pepper-one')).not.toEqual(plain);
    expect(await fingerprints('pepper-one')).toEqual(await fingerprints('pepper-one'));
    expect(await fingerprints('pepper-two')).not.toEqual(await fingerprints('pepper-one'));
  });

  it('redacts a token that schema-invalid echoes from the manifest', async () => {
    const token = checksummed('ghp_');
    const policy = `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: x}\nspec:\n  mtls:\n    mode: ${token}\n`;
    const result = await scan({ cwd: tempRepo({ 'p.yaml': policy, '.meshlint.yaml': 'rules: {}\n' }) });
    const invalid = result.findings.filter((f) => f.ruleId === 'schema-invalid');
    expect(invalid.length).toBeGreaterThan(0);
    expect(JSON.stringify(result.findings)).not.toContain(token.slice(8));
    expect(invalid.some((f) => f.message.includes(`${token.slice(0, 8)}…`))).toBe(true);
  });

  it('names a document that is no resource by its path relative to the root, not its absolute path', async () => {
    const key = JSON.stringify(pem());
    const dir = tempRepo({
      'gw/kong.yaml': `_format_version: "3.0"\ncertificates:\n  - cert: x\n    key: ${key}\n`,
      'ci/.keep': '',
    });
    const result = await scan({ cwd: join(dir, 'ci'), paths: ['../gw'], configPath: false }); // the scanned files lie outside the working directory
    const messages = result.findings.filter((f) => f.ruleId === 'secret-hardcoded').map((f) => f.message);
    expect(messages).toEqual([expect.stringMatching(/^\.\.\/gw\/kong\.yaml contains a PEM private key in "key"/)]);
    expect(messages.join('\n')).not.toContain(dir);
  });
});

describe('secrets in embedded text, each at its own line and column', () => {
  it('locates values of properties, .env, INI, XML, TOML, JSON and scripts held in block scalars', async () => {
    const lines = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: cm, namespace: x}',
      'data:',
      '  app.properties: |',
      '    a.url=jdbc:postgresql://db/x',
      '    a.password=Tr0ub4dor&3x',
      '  run.sh: |',
      '    #!/bin/sh',
      '    curl -u admin:Zq8Lm2Xr9Tw4 https://x.example.net',
      '    curl -H "Authorization: Bearer Kf7Rt2Lq9Zm4Xw8" https://y',
      '    mysql -u root -pHx8Lq2Zm7Rt4 shop',
      '    export API_TOKEN=Mq4Lz8Xr2Tw9',
      '  app.toml: |',
      '    [db]',
      '    password = "Lm2Zq8Xr9Tw4"',
      '  settings.xml: |',
      '    <s><password>Rt5Lq8Zm2Xw7</password></s>',
      '  note: see the runbook -- no secret here',
      '  one-line: --password=Pw7Qz2Lx9Rm4',
    ];
    const result = await scan({
      cwd: tempRepo({ 'cm.yaml': `${lines.join('\n')}\n`, '.meshlint.yaml': 'rules: {}\n' }),
    });
    const at = result.findings
      .filter((f) => f.ruleId === 'secret-hardcoded')
      .map((f) => `${f.range.startLine}:${f.range.startColumn}-${f.range.endColumn}`);
    const expected = (line: number, secret: string) => {
      const text = lines[line - 1];
      const column = text.indexOf(secret) + 1;
      return `${line}:${column}-${column + secret.length}`;
    };
    expect(at.sort()).toEqual(
      [
        expected(7, 'Tr0ub4dor&3x'),
        expected(10, 'Zq8Lm2Xr9Tw4'),
        expected(11, 'Kf7Rt2Lq9Zm4Xw8'),
        expected(12, 'Hx8Lq2Zm7Rt4'),
        expected(13, 'Mq4Lz8Xr2Tw9'),
        expected(16, 'Lm2Zq8Xr9Tw4'),
        expected(18, 'Rt5Lq8Zm2Xw7'),
        expected(20, 'Pw7Qz2Lx9Rm4'),
      ].sort(),
    );
  });
});

describe('remediation that fits where the secret sits', () => {
  it('names the secrets context, decK substitution, SDS or a Secret reference', async () => {
    const token = checksummed('ghp_');
    const cwd = tempRepo({
      '.meshlint.yaml': 'rules: {}\n',
      '.github/workflows/ci.yml': `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      GH_TOKEN: ${token}\n    steps: [{run: echo}]\n`,
      'kong.yaml': `_format_version: "3.0"\nconsumers:\n  - username: a\n    keyauth_credentials:\n      - key: Zq8Lm2Xr9Tw4\n    basicauth_credentials:\n      - {username: a, password: Lm2Zq8Xr9Tw4}\n`,
      'envoy.yaml':
        'static_resources:\n  secrets:\n    - name: hmac\n      generic_secret: {secret: {inline_string: Rt5Lq8Zm2Xw7}}\n',
      'deploy.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: x}\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: a:1@sha256:0000000000000000000000000000000000000000000000000000000000000000\n          env: [{name: DB_PASSWORD, value: Pw7Qz2Lx9Rm4}]\n',
      'cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\ndata:\n  SMTP_PASSWORD: Kq3Zm8Lx2Rt7\n',
    });
    const result = await scan({ cwd, paths: ['.'] });
    const message = (file: string, key: string) =>
      result.findings.find((f) => f.ruleId === 'secret-hardcoded' && f.file === file && f.message.includes(`"${key}"`))
        ?.message ?? '';
    expect(message('.github/workflows/ci.yml', 'GH_TOKEN')).toContain('secrets context');
    expect(message('kong.yaml', 'key')).toContain('key-auth keys cannot be vault references');
    expect(message('kong.yaml', 'password')).toContain('{vault://');
    expect(message('envoy.yaml', 'secret')).toContain('SDS');
    expect(message('deploy.yaml', 'DB_PASSWORD')).toContain('valueFrom.secretKeyRef');
    expect(message('cm.yaml', 'SMTP_PASSWORD')).toContain('instead of the ConfigMap');
  });
});

describe('fewer misses and fewer false alarms', () => {
  const found = (data: Record<string, string>, labels: Record<string, string> = {}) =>
    detectSecrets(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels }, data },
      { mode: 'manifest', entropy: true },
    ).map((d) => d.path.join('.'));

  it('reports a lowercase UUID or a dashed token under a credential name, and SECRET_BLAH like BLAH_SECRET', () => {
    expect(found({ SNYK_TOKEN: crypto.randomUUID() })).toEqual(['data.SNYK_TOKEN']);
    expect(found({ ACCESS_KEY: '8312341g-5678-abcd-4a2b2c-33bcsd655' })).toEqual(['data.ACCESS_KEY']);
    expect(found({ SECRET_SIGNING: 'Pw7Qz2Lx9Rm4' })).toEqual(['data.SECRET_SIGNING']);
    expect(found({ PASSWORD_DB: 'Pw7Qz2Lx9Rm4' })).toEqual(['data.PASSWORD_DB']);
    expect(found({ API_TOKEN_2: 'Pw7Qz2Lx9Rm4' })).toEqual(['data.API_TOKEN_2']);
    expect(found({ secret: 'db-credentials', password: 'payments-v2' })).toEqual([]); // names of Secrets, not secrets
  });

  it('keeps quiet on settings named like credentials, labels, masks and documented examples', () => {
    expect(
      found({
        hideCredentials: 'Enabled',
        auth_credential_type: 'client_secret_basic',
        key_names: 'apikey',
        token_bucket_size: '100',
      }),
    ).toEqual([]);
    expect(found({ note: 'x' }, { 'konghq.com/credential': 'oauth2' })).toEqual([]);
    expect(
      found({
        GITHUB_TOKEN: `ghp_${'*'.repeat(32)}abcd`,
        SLACK_BOT_TOKEN: 'xoxb-***',
        JWT_SECRET: '########',
        DB_PASSWORD: 'changeme',
      }),
    ).toEqual([]);
    expect(
      found({
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      }),
    ).toEqual([]);
    expect(found({ sample: `ghp_${'x'.repeat(36)}`, masked: '****************************************' })).toEqual([]);
  });

  it('does not take a random value for a placeholder because letters in it spell a word', () => {
    expect(isPlaceholder('Kq8TbdZm2XyourLx7R')).toBe(false);
    expect(isPlaceholder('your-api-key-here')).toBe(true);
    expect(isPlaceholder('yourApiKeyHere')).toBe(true);
  });
});

describe('shapes of published samples (Nosey Parker rule examples), each with its near miss', () => {
  const found = (text: string) =>
    detectSecrets(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { snippet: text } },
      {
        mode: 'manifest',
        entropy: true,
      },
    ).map((d) => d.kind);
  const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('finds AWS key ids by their shape even when made up, but not one repeated character or the documented example', () => {
    expect(findProviderSecrets('AKIADEADBEEFDEADBEEF').map((m) => m.id)).toEqual(['aws-access-key-id']);
    expect(findProviderSecrets("export AWS_API_KEY='A3T0ABCDEFGHIJKLMNOP'").map((m) => m.id)).toEqual([
      'aws-access-key-id',
    ]);
    expect(findProviderSecrets('AKIAAAAAAAAAAAAAAAAB')).toEqual([]);
    expect(findProviderSecrets('AKIAIOSFODNN7EXAMPLE')).toEqual([]);
    expect(findProviderSecrets('AKIA0123456789ABCDEF')).toEqual([]); // 0, 1, 8, 9 are not base32
  });

  it('finds a token written as the user of a URL, not a user name or a masked token', () => {
    const token = random(36, ALNUM, 7);
    expect(found(`git clone http://ghs_${token}@github.com/o/r.git`)).toEqual(['a URL with a token as its user name']);
    expect(found(`https://${random(40, '0123456789abcdef', 3)}@github.com/o/r.git`)).toEqual([
      'a URL with a token as its user name',
    ]);
    expect(found(`https://${checksummed('ghp_')}@github.com/o/r.git`)).toEqual(['a GitHub token']);
    expect(found('git clone https://x-access-token@github.com/o/r.git')).toEqual([]);
    expect(found('https://oauth2@gitlab.example.net/o/r.git')).toEqual([]);
    expect(found('https://build-bot-2024-service-account@git.example.net/o/r.git')).toEqual([]);
    expect(found(`https://ghs_${'*'.repeat(32)}abcd@github.com/o/r.git`)).toEqual([]);
    expect(found('ssh://git@github.com/o/r.git')).toEqual([]);
  });

  it('reads the removed and added lines of a diff, not list items or templates', () => {
    const uuid = crypto.randomUUID();
    expect(found(`-export NPM_TOKEN="${uuid}"`)).toEqual(['token']);
    expect(found(`diff\n+DB_PASSWORD=Pw7Qz2Lx9Rm4\n`)).toEqual(['password']);
    expect(found('-export NPM_TOKEN="${NPM_TOKEN}"')).toEqual([]);
    expect(embeddedPairs('--password\n- name: x\n-x').map((p) => p.key)).toEqual(['name']);
  });

  it('finds a JWT whose header was damaged in copying, not a JSON pair that is no JWT', () => {
    const claims = b64url({ iss: 'supabase', role: 'anon', iat: 1656596461, exp: 1972172461 });
    const damaged = `${b64url({ alg: 'HS256', typ: 'JWT' }).replace('InR5cCI6', 'EnR5cCI6')}.${claims}.${random(43, ALNUM, 5)}`;
    expect(found(`ANON_KEY=${damaged}`)).toEqual(['a JSON Web Token']);
    expect(found(`${b64url({ note: 'no alg' })}.${claims}.${random(43, ALNUM, 5)}`)).toEqual([]);
  });

  it('takes a glued credential name (jwtsecret) like jwt_secret, not a page or CSRF token', () => {
    expect(secretNameKind('jwtsecret')).toBe('secret');
    expect(secretNameKind('dbpassword')).toBe('password');
    expect(secretNameKind('nexttoken')).toBeUndefined();
    expect(secretNameKind('csrftoken')).toBeUndefined();
    expect(secretNameKind('tlssecret')).toBeUndefined();
    expect(found(`jwt:\n  jwtsecret: "7\`D'}/vYR)T;W\\5]EBrf;_&k>qX??]G&3CF"\n`)).toEqual(['secret']);
  });

  it('reports a weak password such as `secret` in a DSN or under a password name, not a stand-in', () => {
    expect(found('postgresql://user:secret@localhost/database')).toEqual(['a database or broker URL with a password']);
    expect(detectSecrets({ data: { DB_PASSWORD: 'secret' } }, { mode: 'manifest' }).map((d) => d.kind)).toEqual([
      'password',
    ]);
    expect(found('postgresql://user:changeme@localhost/database')).toEqual([]);
    expect(found('postgresql://user:example@localhost/database')).toEqual([]);
    expect(detectSecrets({ data: { password: 'password', DB_PASSWORD: 'changeme' } }, { mode: 'manifest' })).toEqual(
      [],
    );
    expect(isPlaceholder('secret')).toBe(true); // under a name that is no password: a stand-in still
  });

  it('finds Sourcegraph tokens with upper-case hex, not one with a letter outside hex', () => {
    expect(
      findProviderSecrets('sgp_AaD80dc6E02eCAE1_d3cba16CC0F18fA14A2EFB61CbDFceEBf9fAD16b').map((m) => m.id),
    ).toEqual(['sourcegraph']);
    expect(findProviderSecrets('sgp_local_d45b6G86aBb0F2Cee943902dbaDBCFCFDD1dA089')).toEqual([]);
  });

  it("spares providers' documented example keys, not a key of the same shape", () => {
    expect(findProviderSecrets("require('stripe')('sk_test_4eC39HqLyjWDarjtT1zdp7dc')")).toEqual([]);
    const jwtIo =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    expect(findProviderSecrets(`Authorization: Bearer ${jwtIo}`)).toEqual([]);
    expect(findProviderSecrets('firebase: AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM')).toEqual([]);
    expect(found(`apiKey: "AIza${'a'.repeat(35)}"`)).toEqual([]); // a prefix padded to length
    expect(findProviderSecrets(`sk_test_${random(24, ALNUM, 9)}`).map((m) => m.id)).toEqual(['stripe']);
    expect(findProviderSecrets(`AIza${random(35, ALNUM, 4)}`).map((m) => m.id)).toEqual(['gcp-api-key']);
    expect(found(`apiKey: "AIza${random(35, ALNUM, 4)}"`)).toEqual(['a Google API key']);
    expect(findProviderSecrets(`Bearer ${jwtIo.slice(0, -4)}${random(4, ALNUM, 2)}`).map((m) => m.id)).toEqual(['jwt']);
  });

  it('takes variables written one after another and an HTML-escaped <placeholder> for what they are', () => {
    expect(found('"password": "$super$ecret",\n')).toEqual([]);
    expect(found('"password": "&lt;YOURPASSWROD&gt;"\n')).toEqual([]);
    expect(found('"password": "s$uper$ecret",\n')).toEqual(['password']);
    expect(hashKind('$apr1$Vxyz1234$AbCdEfGhIjKlMnOpQrStUv')).toBe('crypt');
    expect(isReference('$apr1$Vxyz1234$AbCdEfGhIjKlMnOpQrStUv')).toBe(false);
  });

  it('reads .NET appSettings, connection strings and typed declarations, not their public members', () => {
    expect(
      found(
        '<add key="FromEmailAddress" value="joe@example.net"/>\n<add key="FromEmailPassword" value="Prestigitariu$"/>\n',
      ),
    ).toEqual(['password']);
    expect(
      found('<add key="ConnectionString_B2B" value="Server=db,1433;Database=B2B;User ID=app;Password=#gets0m3;" />\n'),
    ).toEqual(['password']);
    expect(found('DB=Server=db;Database=shop;Integrated Security=true;\n')).toEqual([]);
    expect(found('DB=Server=db;Password=${DB_PASSWORD};\n')).toEqual([]);
    expect(found('    private static String CLIENT_SECRET = "6fb1cff7690db9ac066cadbbde8e3c078efdabcf";')).toEqual([
      'secret',
    ]);
    expect(found('    private static final String TOKEN_HEADER = "X-Auth-Token";')).toEqual([]);
  });

  it('reads a quoted mysql -p password in a script, not a quoted variable', () => {
    expect(found('mysql -u root -p"Zq4Lm8Xt2Rw7" shop\n')).toEqual(['password']);
    expect(found("mysqldump -uroot -p'Zq4Lm8Xt2Rw7' shop > /backup/shop.sql\n")).toEqual(['password']);
    expect(found('const API_KEY = `Zq4Lm8Xt2Rw7Pk9B`;\n')).toEqual(['API key']);
    expect(found('mysql -u root -p"$MYSQL_ROOT_PASSWORD" shop\n')).toEqual([]);
    expect(found('export TOKEN=`cat /run/secrets/token`\n')).toEqual([]);
  });

  it('reads a commented-out line when its value looks generated, not a documented default', () => {
    expect(found("                 //$google_client_secret = 'fnhqAakzWrX-mtFQ4PRdMoy0';")).toEqual(['secret']);
    expect(found('# api_key: Kq8Zm2Lx7Rt4Wv9Pq3Ns6Yb1\n')).toEqual(['API key']);
    expect(found('# password=admin\n# db.password=changeme\n')).toEqual([]);
    expect(found("// $admin_password = 'Pa55word!';")).toEqual([]);
  });
});

describe('near misses of the labelled set (test/data/secrets-labelled.json) stay quiet, their tokens are still found', () => {
  const found = (data: Record<string, string>) =>
    detectSecrets(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data },
      { mode: 'manifest', entropy: true },
    ).map((d) => `${d.path.join('.')} ${d.source}`);
  const HEX = '0123456789abcdef';

  it('leaves a string that opens with a provider prefix and fails its format to that provider, unless a credential name says otherwise', () => {
    const token = checksummed('ghp_');
    expect(found({ note: badChecksum('ghp_') })).toEqual([]); // CRC32 fails: a near miss of GitHub's format
    expect(found({ note: `AIza${random(42, ALNUM, 11)}` })).toEqual([]); // an over-long Google API key
    expect(found({ note: `sgp_local_${random(40, 'ABCDEFabcdef0123456789G', 12)}` })).toEqual([]);
    expect(found({ note: token })).toEqual(['data.note provider']);
    expect(found({ GITHUB_TOKEN: badChecksum('ghp_') })).toEqual(['data.GITHUB_TOKEN name']);
    expect(found({ note: random(40, ALNUM, 13) })).toEqual(['data.note entropy']); // no prefix: still noted
  });

  it('reads a one-line KEY=value as a pair: the entropy test is on the value under its own key', () => {
    expect(found({ snippet: `AZURE_TENANT_ID=${crypto.randomUUID()}` })).toEqual([]);
    expect(found({ snippet: `NOTION_DATABASE_ID=${random(32, HEX, 14)}` })).toEqual([]);
    expect(found({ snippet: `SQUARE_APPLICATION_ID=sq0idp-${random(22, ALNUM, 15)}` })).toEqual([]);
    expect(found({ snippet: `encryptedData: ${random(40, ALNUM, 16)}` })).toEqual([]); // a SealedSecret's key
    expect(found({ snippet: `RANDOM_SEED=${random(40, ALNUM, 17)}` })).toEqual(['data.snippet entropy']);
    expect(found({ snippet: `${random(38, ALNUM, 18)}==` })).toEqual(['data.snippet entropy']); // padding, not a pair
    expect(found({ DB_PASSWORD: 'Kq8:Zm2=Lx7R' })).toEqual(['data.DB_PASSWORD name']); // the outer name still decides
  });

  it('takes hex of a digest length in capitals or mixed case for a digest, as in lower case', () => {
    expect(isHighEntropy(random(40, '0123456789ABCDEF', 19))).toBe(false); // a certificate thumbprint
    expect(isHighEntropy('BcAeb6640ad7DAD46AD73687946Ce85047d5C9Bb')).toBe(false);
    expect(isHighEntropy(random(40, ALNUM, 20))).toBe(true);
    expect(isHighEntropy(random(36, '0123456789ABCDEF', 21))).toBe(true); // not a digest length
  });

  it('reads an Okta SSWS authorization header', () => {
    expect(found({ snippet: `Authorization: SSWS 00${random(40, ALNUM, 22)}` })).toEqual(['data.snippet name']);
    expect(found({ snippet: 'Authorization: SSWS ${OKTA_API_TOKEN}' })).toEqual([]);
  });

  it('takes a value that is one character over three quarters of its length for a filler', () => {
    expect(found({ snippet: `"aws_secret_access_key" =  ${'a'.repeat(37)}end` })).toEqual([]);
    expect(found({ snippet: `okta_api_token: ${'0'.repeat(42)}aa` })).toEqual([]);
    expect(found({ snippet: `aws_secret_access_key = ${random(40, ALNUM, 23)}` })).toEqual(['data.snippet name']);
  });

  it('does not take a GUID without dashes after API- for an Octopus Deploy key', () => {
    expect(findProviderSecrets(`https://x.notion.site/API-${random(32, '0123456789ABCDEF', 24)}`)).toEqual([]);
    expect(
      findProviderSecrets(`set apikey="API-${random(26, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 25)}7"`),
    ).toHaveLength(1);
  });

  it('does not take a selector of words (#add-password) for a password, nor USERNAME:PASSWORD in a URL', () => {
    expect(found({ snippet: 'this.addPassword = "#add-password";' })).toEqual([]);
    expect(found({ snippet: 'admin_password = "#Xk9-p2Lq"' })).toEqual(['data.snippet name']);
    expect(found({ snippet: 'mongodb://USERNAME:PASSWORD@localhost:27017' })).toEqual([]);
    expect(found({ snippet: 'mongodb://admin:S3cr3tPassw0rd@localhost:27017' })).toEqual(['data.snippet provider']);
  });

  it('reads sonar.login (also as a JVM -D flag) as a token, and the password of a .netrc entry', () => {
    const hex = random(40, HEX, 28);
    expect(found({ snippet: `sonar-scanner -Dsonar.host.url=https://sonarcloud.io -Dsonar.login=${hex}` })).toEqual([
      'data.snippet name',
    ]);
    expect(found({ snippet: `$sonarLogin = "${hex}"` })).toEqual(['data.snippet name']);
    expect(found({ snippet: 'sonar-scanner -Dsonar.login=${SONAR_TOKEN}' })).toEqual([]);
    expect(found({ snippet: 'sonar-scanner -Dsonar.projectKey=orders-service -Dsonar.login=${SONAR_TOKEN}' })).toEqual(
      [],
    );
    expect(found({ netrc: `machine api.example.net\n  login ci\n  password ${random(24, ALNUM, 30)}\n` })).toEqual([
      'data.netrc name',
    ]);
    expect(found({ notes: 'Use your login and password below.\nThe machine restarts nightly.\n' })).toEqual([]);
  });

  it('takes a PHP or Perl variable read ($_POST["password"], $this->password) for code, not a literal', () => {
    expect(found({ snippet: '$user = $_POST["username"];\n$pwd = $_POST["password"];' })).toEqual([]);
    expect(isReference('$this->password')).toBe(true);
    expect(found({ snippet: '$pwd = "Rk7#mQ2x!Lp9";' })).toEqual(['data.snippet name']);
  });

  it('does not take an age recipient (a public key) for a credential', () => {
    const bech32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
    expect(found({ note: `age1${random(58, bech32, 26)}` })).toEqual([]);
    expect(found({ note: `age1${random(58, bech32, 27)}B9` })).toEqual(['data.note entropy']);
  });
});

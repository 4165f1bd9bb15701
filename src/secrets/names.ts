// Key-name heuristic (after gitleaks' generic-api-key keywords and detect-secrets' KeywordDetector): a literal value
// under a name that says it is a secret. Names are split into lowercase tokens (camelCase, snake_case, kebab-case,
// dots) and matched by whole tokens, so `bypass`, `passthrough`, `tokenizer` and `keyboard` stay quiet. Names that describe a secret rather
// than hold it (`*_FILE`, `*_PATH`, `*_NAME`, `*_ID`, `*_URL`, `secretName`, `credentialName`) are exempt.

import { mayNameASecret, nameRunsBuilt } from './name-runs.js';

export type SecretNameKind =
  | 'password'
  | 'token'
  | 'API key'
  | 'private key'
  | 'secret'
  | 'credential'
  | 'connection string'
  | 'authorization header';

/** Splits a key name into lowercase tokens: "dbPassword_FILE" -> ["db", "password", "file"]. */
export function tokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Last tokens that make the name metadata about a secret, not the secret. */
const META = new Set([
  'stdin', // docker login --password-stdin: a flag that reads the secret, followed by no value
  'name',
  'names',
  'id',
  'ids',
  'ref',
  'refs',
  'reference',
  'file',
  'files',
  'filename',
  'filepath',
  'path',
  'paths',
  'dir',
  'directory',
  'mount',
  'location',
  'url',
  'uri',
  'urls',
  'endpoint',
  'endpoints',
  'host',
  'hostname',
  'port',
  'header',
  'headers',
  'length',
  'len',
  'size',
  'ttl',
  'timeout',
  'expiry',
  'expires',
  'expiration',
  'lifetime',
  'duration',
  'interval',
  'period',
  'age',
  'type',
  'types',
  'kind',
  'algorithm',
  'alg',
  'enabled',
  'enable',
  'disabled',
  'required',
  'policy',
  'policies',
  'rotation',
  'version',
  'count',
  'format',
  'prefix',
  'suffix',
  'env',
  'var',
  'provider',
  'store',
  'arn',
  'field',
  'mode',
  'source',
  'template',
  'annotation',
  'label',
  'selector',
  'namespace',
  'hash',
  'hashed',
  'digest',
  'checksum',
  'strength',
  'min',
  'max',
  'regex',
  'pattern',
  'validation',
  'reset',
  'audience',
  'audiences',
  'issuer',
  'scope',
  'scopes',
  'claim',
  'claims',
  'method',
  'methods',
  'mechanism',
  'backend',
  'cache',
  'limit',
  'retries',
  'usage',
  'user',
  'username',
  'login',
  'email',
  'mapping',
  'location',
  'key',
  'keys',
  'query',
  'param',
  'cookie',
  'secret',
  'secrets',
  'generator',
  'manager',
  'config',
  'configs',
  'volume',
  'policy',
  'auth',
  'authentication',
  'description',
  'hint',
  'help',
  'prompt',
  'message',
  'placeholder',
  'sha',
  'sha1',
  'sha256',
  'md5',
  'fingerprint',
  'encoding',
  'length',
  'charset',
  'command',
  'script',
  'exists',
  'check',
  'test',
  'verify',
  'validate',
  'valid',
  'create',
  'update',
  'delete',
  'list',
  'get',
  'permissions',
  'role',
  'roles',
  'state',
  'status',
  'option',
  'options',
  'class',
  'server',
  'service',
  'request',
  'response',
  'payload',
  'attribute',
  'attributes',
  'property',
  'resource',
  'resources',
  'bytes',
  'bits',
  'output',
  'input',
  'variable',
  'address',
  'addresses',
  'project',
  'region',
  'zone',
  'domain',
  'tenant',
  'organization',
  'org',
  'account',
]);

/** A token that, as the last token, still marks a secret despite being in META ("secret", "key"): see below. */
const SECRET_WORDS: Readonly<Record<string, SecretNameKind>> = {
  password: 'password',
  passwd: 'password',
  pwd: 'password',
  passphrase: 'password',
  pass: 'password',
  pw: 'password',
  token: 'token',
  tokens: 'token',
  apikey: 'API key',
  apitoken: 'token',
  accesstoken: 'token',
  authtoken: 'token',
  secret: 'secret',
  secrets: 'secret',
  privatekey: 'private key',
  secretkey: 'secret',
  clientsecret: 'secret',
  credential: 'credential',
  credentials: 'credential',
  creds: 'credential',
  dsn: 'connection string',
  connectionstring: 'connection string',
  authorization: 'authorization header',
  bearer: 'token',
  htpasswd: 'password',
  hmac: 'secret',
  masterkey: 'secret',
  accesskey: 'API key',
  apisecret: 'secret',
  sastoken: 'token',
  dockerconfigjson: 'credential',
  dockercfg: 'credential',
  netrc: 'credential',
  pgpass: 'password',
};

/** Two-token combinations that are secrets: `api key`, `private key`, `signing key` ... (last token is "key"). */
const KEY_QUALIFIERS: Readonly<Record<string, SecretNameKind>> = {
  api: 'API key',
  access: 'API key',
  secret: 'secret',
  private: 'private key',
  priv: 'private key',
  signing: 'secret',
  encryption: 'secret',
  enc: 'secret',
  master: 'secret',
  hmac: 'secret',
  ssh: 'private key',
  account: 'API key',
  storage: 'API key',
  license: 'API key',
  client: 'secret',
  app: 'secret',
  auth: 'secret',
  session: 'secret',
  cookie: 'secret',
  jwt: 'secret',
  webhook: 'secret',
  encrypt: 'secret',
  crypto: 'secret',
  tls: 'private key',
  service: 'API key',
  admin: 'secret',
  root: 'secret',
  shared: 'secret',
  pre: 'secret',
  psk: 'secret',
  x: 'API key',
  aws: 'API key',
};

/** Qualifiers before "secret"/"token" that make the name a reference to a Secret object (existingSecret, passwordSecret). */
const SECRET_REFERENCE_QUALIFIERS = new Set([
  'existing',
  'password',
  'passwd',
  'token',
  'credential',
  'credentials',
  'creds',
  'tls',
  'cert',
  'certificate',
  'ca',
  'keystore',
  'truststore',
  'ssh',
  'basic',
  'image',
  'pull',
  'registry',
  'docker',
  'k8s',
  'kubernetes',
  'bootstrap',
  'mtls',
  'kubeconfig',
  'sds',
]);

/** Names that look secret-like and are known references or public material. */
const EXEMPT = new Set([
  'secretname',
  'credentialname',
  'secretref',
  'secretkeyref',
  'secretstoreref',
  'credentialssecret',
  'existingsecret',
  'passwordsecret',
  'tokensecretref',
  'imagepullsecrets',
  'serviceaccountname',
  'tokenreviewer',
  'publickey',
  'pubkey',
  'rsapublickey',
  'cacrt',
  'tlscrt',
  'cabundle',
  'certificate',
  'certificates',
  'csrftoken',
  'publictoken',
  'passwordpolicy',
  'tokenpolicy',
  'secretproviderclass',
  'credentialsfrom',
  'secretsfrom',
  'automountserviceaccounttoken',
  'serviceaccounttoken',
  'hidepassword',
  'showpassword',
  'forcepasswordchange',
  'passwordauthentication',
  'passwordless',
  'tokenrequests',
  'tokenrequest',
  'keyauth',
  'basicauth',
  'hmacauth',
  'secretgenerator',
  'tokensource',
  'secretsmanager',
  'secretstore',
  'secretstores',
  'externalsecret',
  'sealedsecret',
  'tlssecret',
  'secretsdir',
  'sslpassthrough',
  'passwordfile',
  'tokenfile',
  'authtype',
]);

/** First tokens that make a name a setting about a secret rather than the secret (hideCredentials: Enabled). */
const SETTING_VERBS = new Set([
  'hide',
  'show',
  'require',
  'requires',
  'allow',
  'use',
  'enable',
  'disable',
  'skip',
  'no',
  'with',
  'verify',
  'check',
  'validate',
  'remember',
  'store',
  'send',
  'include',
  'forward',
  'strip',
  'preserve',
  'anonymous',
  'run',
  'is',
  'has',
  'should',
  'max',
  'min',
  'num',
]);
/** Secret words that name the secret when they come first (SECRET_BLAH, PASSWORD_DB); "token" and "key" do not (token_bucket, key_names). */
const LEADING_SECRET_WORDS = new Set(['secret', 'password', 'passwd', 'passphrase', 'apikey', 'credentials', 'creds']);

const GLUED_SECRET = /^([a-z]{2,20})(secret|password|passwd|token)$/;
/** Qualifiers that make a glued name something else: a reference to a Secret (tlssecret), a page or CSRF token. */
const NOT_GLUED_QUALIFIERS = new Set([
  ...SECRET_REFERENCE_QUALIFIERS,
  'next',
  'page',
  'continuation',
  'sync',
  'resume',
  'cancellation',
  'cancel',
  'csrf',
  'xsrf',
  'public',
  'pub',
  'no',
  'is',
  'has',
]);

/**
 * The runs of tokens (joined as tokens() joins them) that every name secretNameKind accepts holds (see classify):
 * `whole` runs start and end where tokens do (a secret word, one or several tokens joined as in `pass_word`; a
 * qualifier and `key`; the two tokens of a connection string or of `sonar.login`); `glued` words end a token but may
 * start inside it (GLUED_SECRET: `dbpassword`).
 */
export const SECRET_NAME_RUNS: { readonly whole: readonly string[]; readonly glued: readonly string[] } = {
  whole: [
    ...Object.keys(SECRET_WORDS),
    ...Object.keys(KEY_QUALIFIERS).flatMap((qualifier) => [`${qualifier}key`, `${qualifier}keys`]),
    'connectionstring',
    'connstr',
    'sonarlogin',
  ],
  glued: ['secret', 'password', 'passwd', 'token'],
};

const cache = new Map<string, SecretNameKind | null>();

/** What kind of secret a key name says its value is, or undefined when it says none (or only describes one). */
export function secretNameKind(name: string): SecretNameKind | undefined {
  let hit = cache.get(name);
  if (hit === undefined) {
    // Most names hold no name run (see SECRET_NAME_RUNS), told by one pass of the automaton once it is built.
    hit = (nameRunsBuilt() && !mayNameASecret(name) ? undefined : classify(name)) ?? null;
    if (cache.size > 50_000) cache.clear();
    cache.set(name, hit);
  }
  return hit ?? undefined;
}

function classify(name: string): SecretNameKind | undefined {
  if (name.length > 80) return undefined;
  const t = tokens(name);
  if (t.length > 1 && (t[t.length - 1] === 'in' || t[t.length - 1] === 'out')) t.pop(); // CHAP password_in, username_out
  while (t.length > 1 && /^\d+$/.test(t[t.length - 1])) t.pop(); // API_TOKEN_2, password1
  if (t.length === 0) return undefined;
  const joined = t.join('');
  if (EXEMPT.has(joined)) return undefined;
  if (t.includes('public') || t.includes('pub') || t.includes('csrf') || t.includes('xsrf')) return undefined;
  if (t.length > 1 && SETTING_VERBS.has(t[0])) return undefined; // hideCredentials, requirePassword, useToken: a setting about the secret
  const last = t[t.length - 1];
  const before = t[t.length - 2];
  // Whole name is one secret word: password, apiKey, client_secret...
  if (SECRET_WORDS[joined] && !(joined === 'secret' && t.length > 1 && SECRET_REFERENCE_QUALIFIERS.has(t[0])))
    return SECRET_WORDS[joined];
  if (last === 'key' || last === 'keys') {
    if (before && KEY_QUALIFIERS[before]) return KEY_QUALIFIERS[before];
    return undefined;
  }
  if (last === 'secret' || last === 'secrets') {
    if (before && SECRET_REFERENCE_QUALIFIERS.has(before)) return undefined;
    return 'secret';
  }
  if (last === 'login' && before === 'sonar') return 'token'; // sonar.login: the scanner's token (its user and password pair is deprecated)
  if (last === 'string' && before === 'connection') return 'connection string';
  if (last === 'str' && before === 'conn') return 'connection string';
  if (META.has(last)) return undefined;
  if (SECRET_WORDS[last]) {
    if (last === 'pass' && t.length === 1) return 'password';
    return SECRET_WORDS[last];
  }
  // One word glued to a secret word (jwtsecret, dbpassword, githubtoken) counts like jwt_secret, db_password.
  const glued = GLUED_SECRET.exec(last);
  if (glued && !NOT_GLUED_QUALIFIERS.has(glued[1]) && !SETTING_VERBS.has(glued[1]) && !EXEMPT.has(last))
    return SECRET_WORDS[glued[2]];
  // A secret word first and a qualifier after it: SECRET_BLAH counts like BLAH_SECRET, PASSWORD_DB like DB_PASSWORD.
  const lead = SECRET_WORDS[t[0]];
  if (lead && t.length > 1 && LEADING_SECRET_WORDS.has(t[0])) return lead;
  // "secret" or "password" in the middle followed by a non-meta word: dbPasswordPlain, TOKEN_VALUE.
  for (let i = t.length - 2; i >= 0; i--) {
    const word = SECRET_WORDS[t[i]];
    if (word && ['value', 'plain', 'plaintext', 'literal', 'raw', 'data', 'string', 'text'].includes(last)) return word;
  }
  return undefined;
}

/** Tokens of META that still mean a secret when they name a value of a Secret (`data.key`, `data.secret`). */
const SECRET_META = new Set([
  'key',
  'keys',
  'secret',
  'secrets',
  'auth',
  'config',
  'configs',
  'cookie',
  'hash',
  'hashed',
  'bytes',
  'payload',
  'credential',
]);

/** A name that describes or identifies (type, project, url, username, client-id, ca.digest), not a secret value. */
export function isMetadataName(name: string): boolean {
  if (secretNameKind(name)) return false;
  const t = tokens(name);
  if (t.length > 1 && (t[t.length - 1] === 'in' || t[t.length - 1] === 'out')) t.pop();
  const last = t[t.length - 1];
  return last !== undefined && META.has(last) && !SECRET_META.has(last);
}

// The document walker: every scalar of a parsed document with its path and its *effective key name* (the map key;
// for `{name: X, value: Y}` pairs such as container env, the sibling `name`; for Envoy `inline_string`, the field
// that holds the DataSource), so that `- name: DB_PASSWORD` + `value: ...` on another line is found whatever the
// YAML style (block, flow, JSON). Pure: plain values in, detections out.
import type { Path } from '../model/values.js';
import { isObj, type Obj } from '../model/values.js';
import { isHighEntropy, looksLikeWords } from './entropy.js';
import { bareFlag, commandLinePairs, decodeBase64Text } from './embedded.js';
import { secretNameKind, tokens } from './names.js';
import { type StringFacts, type TextMemo, type TextPair, textMemo } from './memo.js';
import { providerPrefixOf } from './providers.js';
import {
  IS_COMMAND_LINE,
  IS_HIGH_ENTROPY,
  IS_JSON_LIKE,
  IS_MULTILINE,
  IS_PAIR,
  isPlainShort,
  READ_ALONE,
} from './shape.js';
import { hashKind, isHexDigest, isPlaceholder, isReference, looksLikeName } from './values.js';

export type DetectionSource = 'provider' | 'name' | 'entropy' | 'hash';

export interface Detection {
  /** Path of the scalar (from the document root) that holds the secret. */
  readonly path: Path;
  readonly source: DetectionSource;
  /** What it is: "a GitHub token", "password", "bcrypt". */
  readonly kind: string;
  /** Where, for people: the key name, or `"db.password" in "application.properties"` for embedded text. */
  readonly key: string;
  /** Public prefix plus at most 4 characters, or ''. */
  readonly preview: string;
  /** The secret: for the fingerprint only, never shown. */
  readonly secret: string;
  /** Offsets of the secret in the string at `path` (text embedded in a block scalar: its own line and column). */
  readonly span?: readonly [number, number];
}

/** Where a value sits: at offset `at` of the string `within` (a scalar, or a string inside embedded text). */
interface Where {
  readonly within: string;
  readonly at: number;
}

export interface DetectOptions {
  /** 'manifest': every heuristic; 'foreign' (files meshlint does not read: CI workflows, compose, Helm values): provider patterns only. */
  readonly mode: 'manifest' | 'foreign';
  /** Extra secret-like key names (case-insensitive regexes on the whole name). */
  readonly names?: readonly { test(name: string): boolean }[];
  /** Values never reported (exact values and patterns from the configuration). */
  readonly allow?: (value: string) => boolean;
  /** The high-entropy check for strings under no secret-like name. */
  readonly entropy?: boolean;
  /** Shared by the documents of one run, so that a string met again is not read again. */
  readonly memo?: TextMemo;
}

/** Kinds that hold encrypted or externally resolved secrets: nothing in them is a literal credential. */
const NON_SECRET_KINDS = new Set([
  'SealedSecret',
  'ExternalSecret',
  'ClusterExternalSecret',
  'SecretStore',
  'ClusterSecretStore',
  'PushSecret',
  'SopsSecret',
  'VaultStaticSecret',
  'VaultDynamicSecret',
  'VaultPKISecret',
  'VaultAuth',
  'VaultConnection',
  'SecretProviderClass',
  'OnePasswordItem',
  'InfisicalSecret',
  'DopplerSecret',
]);

/** Keys whose subtree is a reference to a secret kept elsewhere (or generated status), never a value. */
const REFERENCE_KEYS = new Set([
  'valueFrom',
  'envFrom',
  'secretKeyRef',
  'configMapKeyRef',
  'secretRef',
  'configFrom',
  'remoteRef',
  'sds_config',
  'sdsConfig',
  'tls_certificate_sds_secret_configs',
  'validation_context_sds_secret_config',
  'imagePullSecrets',
  'managedFields',
  'filename',
  'environment_variable',
  'environmentVariable',
  'encryptedData',
  'sops',
]);
/** A reference key, or one ending in Ref, Refs, _ref, _refs, Selector, From (by its last character first: every key passes here). */
function isReferenceKey(key: string): boolean {
  if (REFERENCE_KEYS.has(key)) return true;
  switch (key.charCodeAt(key.length - 1)) {
    case 102:
      return key.endsWith('Ref') || key.endsWith('_ref'); // f
    case 115:
      return key.endsWith('Refs') || key.endsWith('_refs'); // s
    case 114:
      return key.endsWith('Selector'); // r
    case 109:
      return key.endsWith('From'); // m
    default:
      return false;
  }
}

/** Kong consumer credentials (decK): the fields that are the credential. key-auth keys cannot be vault references. */
const KONG_CREDENTIALS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  keyauth_credentials: { key: 'Kong key-auth key' },
  basicauth_credentials: { password: 'Kong basic-auth password' },
  hmacauth_credentials: { secret: 'Kong HMAC secret' },
  jwt_secrets: { secret: 'Kong JWT secret' },
  oauth2_credentials: { client_secret: 'Kong OAuth2 client secret' },
};

/** Kong Operator credential kinds (configuration.konghq.com/v1alpha1): their `spec` is the decK credential of the same type. */
const KONG_OPERATOR_CREDENTIALS: Readonly<Record<string, string>> = {
  KongCredentialAPIKey: 'keyauth_credentials',
  KongCredentialBasicAuth: 'basicauth_credentials',
  KongCredentialHMAC: 'hmacauth_credentials',
  KongCredentialJWT: 'jwt_secrets',
};

const ENVOY_INLINE = new Set(['inline_string', 'inline_bytes', 'inlineString', 'inlineBytes']);
const JWK_PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];
const PUBLIC_NAME_PARTS = [
  'path',
  'host',
  'namespace',
  'message',
  'operation',
  'driver',
  'user',
  'group',
  'enum',
  'digest',
  'sha',
  'checksum',
  'hash',
  'integrity',
  'etag',
  'commit',
  'revision',
  'resourceversion',
  'uid',
  'fingerprint',
  'bundle',
  'image',
  'tag',
  'version',
  'nonce',
  'crt',
  'cert',
  'pem',
  'thumbprint',
  'signature',
  'generation',
  'build',
  'salt',
  'kid',
  'x5t',
  'modulus',
  'pub',
  'cadata',
  'ca.',
];
/** Names under which a high-entropy string is expected and public (by parts of the name: a loop, not one big pattern). */
function isPublicRandomName(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower === 'id' || lower === 'n' || lower === 'e' || lower === 'ref') return true;
  if (
    lower.endsWith('name') ||
    lower.endsWith('names') ||
    lower.endsWith('_id') ||
    lower.endsWith('ca') ||
    /[^a-z0-9_]ref$/.test(lower) ||
    /[a-z]id$/.test(lower)
  )
    return true; // userId, uuid, ACCOUNT_SID
  return PUBLIC_NAME_PARTS.some((part) => lower.includes(part));
}

interface Walk {
  readonly opts: DetectOptions;
  readonly out: Detection[];
  /** Inside text embedded in a string (JSON, properties...): every detection points at this scalar. */
  readonly host?: { readonly path: Path; readonly name: string; readonly text: string };
  readonly seen: Set<string>;
  readonly memo: TextMemo;
}

const MAX_DEPTH = 200;

/** Ancestor keys and sequence indexes, outermost first (the same segments as the path). */
type Names = (string | number)[];

/** Every secret in a document's plain value. */
export function detectSecrets(value: unknown, opts: DetectOptions): Detection[] {
  const walk: Walk = { opts, out: [], seen: new Set(), memo: opts.memo ?? textMemo() };
  visit(walk, value, newPath(), undefined, undefined);
  return walk.out;
}

/**
 * An empty path that can hold keys and indexes as it is: an empty literal holds small integers only, and the first
 * key pushed would change its kind of elements, which sends the walk's compiled code back to the interpreter.
 */
function newPath(): (string | number)[] {
  const path: (string | number)[] = [''];
  path.pop();
  return path;
}

/**
 * @param name effective key name of this value
 * @param path keys and sequence indexes from the root to this value: also its ancestors (outermost first), for context
 *   rules (Kong credentials, Envoy DataSources)
 * @param forced a kind the context gives every scalar below (Secret data in last-applied-configuration)
 */
function visit(
  w: Walk,
  value: unknown,
  path: (string | number)[],
  name: string | undefined,
  forced: string | undefined,
): void {
  if (path.length > MAX_DEPTH) return;
  if (typeof value === 'string') {
    scalar(w, value, path, name, forced);
  } else if (typeof value === 'object') {
    if (value === null) return;
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype)
      object(w, value as Obj, path, name, forced); // the common case, tested first
    else if (Array.isArray(value)) array(w, value, path, name, forced);
    else if (!ArrayBuffer.isView(value) && !(value instanceof Date)) object(w, { ...value }, path, name, forced); // !!binary, !!timestamp; own properties only
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    if (w.opts.mode === 'manifest' && (value >= 100_000 || value <= -10_000) && Number.isInteger(Number(value)))
      named(w, String(value), path, name, forced, path);
  }
}

function object(
  w: Walk,
  o: Readonly<Record<string, unknown>>,
  path: (string | number)[],
  name: string | undefined,
  forced: string | undefined,
): void {
  // The object's prototype is Object.prototype (see visit), which has no enumerable property: for...in gives its own
  // keys, and reads `o[key]` through the enumeration's cache of the object's shape, not a look-up per key among the
  // thousands of shapes of a scan (each document's maps have their own). The few keys that change how an object is
  // read (kind, sops, kty) are looked for among its keys: a named read of an absent property costs more.
  let marked = false;
  let paired = false; // a `name`, `key` or `header` that may name a sibling `value`
  for (const key in o) {
    if (key === 'kind' || key === 'sops' || key === 'kty') marked = true;
    else if (key === 'name' || key === 'key' || key === 'header') paired = true;
  }
  const kind = marked && typeof o.kind === 'string' ? o.kind : undefined;
  if (marked) {
    if (kind && typeof o.apiVersion === 'string' && NON_SECRET_KINDS.has(kind)) return;
    if (
      isObj(o.sops) &&
      (o.sops.mac !== undefined || o.sops.version !== undefined || o.sops.lastmodified !== undefined)
    )
      return; // a SOPS-encrypted document
  }
  const isSecret = kind === 'Secret' && (o.apiVersion === 'v1' || o.apiVersion === undefined);
  const manifest = w.opts.mode === 'manifest';
  // A JSON Web Key with private members (RequestAuthentication inline jwks, Envoy jwt_authn local_jwks).
  if (marked && manifest && typeof o.kty === 'string') {
    const members = o.kty === 'oct' ? ['k'] : JWK_PRIVATE_MEMBERS;
    for (const m of members) {
      const v = o[m];
      if (typeof v === 'string' && v.length >= 8 && !isPlaceholder(v) && !isReference(v)) {
        add(w, [...path, m], 'name', 'private JSON Web Key member', label(w, m), '', v);
        break;
      }
    }
    return;
  }
  const kong = name !== undefined && Object.hasOwn(KONG_CREDENTIALS, name) ? KONG_CREDENTIALS[name] : undefined; // items inherit the array's name
  const dockerAuth = path.length >= 2 && path[path.length - 2] === 'auths';
  for (const key in o) {
    const v = o[key];
    if (v === null || v === undefined || typeof v === 'boolean') continue;
    if (isReferenceKey(key)) continue;
    if (isSecret && (key === 'data' || key === 'stringData')) {
      // Top-level Secret data belongs to secret-in-manifest; inside embedded text (last-applied-configuration) it is a literal here.
      if (!w.host) continue;
      if (manifest)
        for (const [k, item] of Object.entries(isObj(v) ? v : {})) {
          if (typeof item === 'string')
            named(
              w,
              key === 'data' ? (decodeBase64Text(item) ?? item) : item,
              [...path, key, k],
              k,
              'Secret value',
              path,
            );
        }
      continue;
    }
    let childName: string | undefined = key;
    let childForced = forced;
    if (manifest) {
      if (
        key === 'value' &&
        paired &&
        (typeof o.name === 'string' || typeof o.key === 'string' || typeof o.header === 'string')
      ) {
        childName = String(typeof o.name === 'string' ? o.name : typeof o.key === 'string' ? o.key : o.header); // env-style pair
      } else if (ENVOY_INLINE.has(key)) {
        childName = envoyDataSourceName(name, path);
        if (!childName) continue; // a certificate, a CA bundle, an OCSP staple: public
        if (childName === 'session_ticket_key') childForced = 'TLS session ticket key';
      }
      if (kong && kong[key]) childForced = kong[key];
      if (
        key === 'spec' &&
        kind &&
        Object.hasOwn(KONG_OPERATOR_CREDENTIALS, kind) &&
        String(o.apiVersion).startsWith('configuration.konghq.com/')
      )
        childName = KONG_OPERATOR_CREDENTIALS[kind];
      if (dockerAuth && /^(?:auth|password|identitytoken|registrytoken)$/.test(key))
        childForced = 'registry credential';
      if (key === 'private_key' && o.type === 'service_account') childForced = 'Google service-account private key';
    }
    path.push(key);
    // A string (most values) goes to scalar directly: visit would only test its type and the depth.
    if (typeof v !== 'string') visit(w, v, path, childName, childForced);
    else if (path.length <= MAX_DEPTH) scalar(w, v, path, childName, childForced);
    path.pop();
  }
}

/** The DataSource's field for Envoy `inline_*`: private_key, password, generic_secret.secret, session_ticket_keys.keys. */
function envoyDataSourceName(name: string | undefined, names: Names): string | undefined {
  const field = name ?? '';
  if (field === 'keys' && lastKey(names, 1) === 'session_ticket_keys') return 'session_ticket_key';
  if (field === 'keys' || /^\d+$/.test(field))
    return lastKey(names, 1) === 'session_ticket_keys' ? 'session_ticket_key' : undefined;
  return secretNameKind(field) ? field : undefined;
}

/** The ancestor key `skip` levels up, sequence indexes not counted. */
function lastKey(names: Names, skip: number): string | undefined {
  let seen = 0;
  for (let i = names.length - 1; i >= 0; i--) {
    const n = names[i];
    if (typeof n === 'number') continue;
    if (seen++ === skip) return n;
  }
  return undefined;
}

function array(
  w: Walk,
  a: readonly unknown[],
  path: (string | number)[],
  name: string | undefined,
  forced: string | undefined,
): void {
  const manifest = w.opts.mode === 'manifest';
  const commandLike = manifest && (name === 'args' || name === 'command' || name === 'cmd' || name === 'entrypoint');
  const literals = manifest && name === 'literals' ? lastKey(path, 1) : undefined;
  // The same for every item (lastKey skips the index pushed below): decided once per list, for the names that need it.
  const kongNameList = manifest && isKongTransformerNameList(name, path);
  const kongHeaderList = manifest && name === 'headers' && /^(?:add|append|replace|set)$/.test(lastKey(path, 1) ?? '');
  for (let i = 0; i < a.length; i++) {
    const item = a[i];
    path.push(i);
    if (typeof item === 'string' && commandLike) {
      const flag = bareFlag(item);
      const next = a[i + 1];
      if (flag && typeof next === 'string' && !next.startsWith('-') && secretNameKind(flag)) {
        path[path.length - 1] = i + 1;
        named(w, next, path, flag, undefined, path);
        path[path.length - 1] = i;
      }
      const facts = w.memo.facts(item);
      if (!providerOnly(w, facts, path, name)) {
        const before = w.out.length;
        for (const pair of commandLinePairs(item))
          named(w, pair.value, path, pair.key, undefined, path, { within: item, at: item.indexOf(pair.value) });
        if (w.out.length === before && !item.includes('\n')) onePair(w, facts, path, name); // db_password=... as an argument
      }
    } else if (typeof item === 'string' && (literals === 'secretGenerator' || literals === 'configMapGenerator')) {
      const eq = item.indexOf('=');
      if (eq > 0) {
        const key = item.slice(0, eq).trim();
        const value = item
          .slice(eq + 1)
          .trim()
          .replace(/^(["'])(.*)\1$/, '$2');
        const secretLiteral = literals === 'secretGenerator' && !nonSecretName(key);
        named(w, value, path, key, secretLiteral ? 'secretGenerator value' : undefined, path, {
          within: item,
          at: item.indexOf(value, eq),
        });
      }
      providerOnly(w, w.memo.facts(item), path, name);
    } else if (typeof item === 'string' && kongNameList) {
      providerOnly(w, w.memo.facts(item), path, name); // `old:new` names to rename, or names to remove: no value in them
    } else if (typeof item === 'string' && kongHeaderList && item.includes(':')) {
      // Kong request-transformer add.headers: ["Authorization:Bearer ..."] (rename.headers holds header names only)
      const colon = item.indexOf(':');
      const value = item.slice(colon + 1).trim();
      named(w, value, path, item.slice(0, colon).trim(), undefined, path, {
        within: item,
        at: item.indexOf(value, colon),
      });
    } else {
      visit(w, item, path, name, forced);
    }
    path.pop();
  }
}

/** Kong request/response-transformer `rename.*` (`old:new`) and `remove.*` lists: names of headers, parameters, fields. */
function isKongTransformerNameList(name: string | undefined, path: Names): boolean {
  if (name !== 'headers' && name !== 'querystring' && name !== 'body' && name !== 'json') return false;
  const parent = lastKey(path, 1);
  return parent === 'rename' || parent === 'remove';
}

/** Names that are not secrets even in a secretGenerator: user names, hosts, ports, database names. */
function nonSecretName(key: string): boolean {
  const t = tokens(key);
  const last = t[t.length - 1] ?? '';
  return /^(?:user|username|login|email|host|hostname|port|url|uri|endpoint|database|db|dbname|schema|region|bucket|name|id|namespace|cluster|zone|project|type|mode|env|environment|issuer|audience|crt|cert|certificate|ca)$/.test(
    last,
  );
}

function scalar(
  w: Walk,
  s: string,
  path: (string | number)[],
  name: string | undefined,
  forced: string | undefined,
): void {
  if (s.length === 0) return;
  // A short plain string (most values) is told by its characters, without a look-up: its shape is 0.
  const facts = isPlainShort(s) ? undefined : w.memo.facts(s);
  const shape = facts === undefined ? 0 : facts.shape;
  if (facts === undefined || (shape & READ_ALONE) === 0) {
    // Nothing in the string alone: only its key name (or the high-entropy test) can make it a finding.
    if (w.opts.mode !== 'manifest' || (forced === undefined && !mayBeNamed(w, name, shape))) return;
    named(w, s, path, name, forced, path, { within: s, at: 0 });
    return;
  }
  const found = providerOnly(w, facts, path, name);
  if (found || w.opts.mode !== 'manifest') return;
  if ((shape & IS_JSON_LIKE) !== 0) {
    // Multi-line text in which nothing can be found read as JSON nor as lines (their pairs, read under secret-like
    // names only unless the options add names) is not parsed: either way it finds nothing (big dashboards).
    if ((shape & IS_MULTILINE) !== 0 && (w.opts.names?.length ?? 0) === 0 && !facts.jsonOrLinesMayFind()) return;
    const parsed = facts.json();
    if (parsed !== undefined) {
      if (facts.jsonMayFind())
        embedded(w, path, name, s, (inner) => visit(inner, parsed, newPath(), undefined, undefined));
      return;
    }
  }
  if ((shape & IS_MULTILINE) !== 0) {
    embeddedPairs(w, path, name, facts);
    return;
  }
  // A command line or header in one value: --password=..., curl -u, Authorization: Bearer ... (the flag names it).
  if ((shape & IS_COMMAND_LINE) !== 0) {
    const before = w.out.length;
    for (const pair of commandLinePairs(s))
      named(w, pair.value, path, pair.key, undefined, path, { within: s, at: s.indexOf(pair.value) });
    if (w.out.length > before) return;
  }
  const read = onePair(w, facts, path, name);
  if (read === 'found') return;
  // Read as pairs under keys made of words, a value is random or not under its own key (AZURE_TENANT_ID=<uuid> is an
  // identifier), not the whole `KEY=value` string under the outer one. (A random key is no key: base64 padding in
  // `kZp4...RtY==` reads as a pair too.)
  const pairs = read?.filter((pair) => looksLikeWords(pair.key)) ?? [];
  const before = w.out.length;
  named(w, s, path, name, forced, path, { within: s, at: 0 }, pairs.length > 0);
  if (w.out.length === before)
    for (const pair of pairs) entropyNote(w, pair.value, path, pair.key, path, { within: s, at: pair.at });
}

/**
 * The pairs of text embedded in the scalar at `path`, each read under its own key. Only a secret-like key can make a
 * pair a finding there (embedded text gets no high-entropy test), so without extra secret names only those are read.
 */
function embeddedPairs(w: Walk, path: (string | number)[], name: string | undefined, facts: StringFacts): void {
  const s = facts.text;
  const pairs = (w.opts.names?.length ?? 0) > 0 ? facts.pairs() : facts.namedPairs();
  if (pairs.length === 0) return;
  embedded(w, path, name, s, (inner) => {
    for (const pair of pairs) named(inner, pair.value, [], pair.key, undefined, [], { within: s, at: pair.at });
  });
}

/**
 * One pair in a one-line value (`oauth_token: gho_...`, `VAULT_TOKEN="s...."`, `"token": "ghu_..."`), read like a
 * line of embedded text so that the inner key names the secret; true when it held one. Otherwise the caller reads the
 * value whole under its own name.
 */
function onePair(
  w: Walk,
  facts: StringFacts,
  path: (string | number)[],
  name: string | undefined,
): 'found' | readonly TextPair[] | undefined {
  if ((facts.shape & IS_PAIR) === 0) return undefined;
  const pairs = facts.pairs();
  if (pairs.length === 0) return undefined;
  const before = w.out.length;
  embeddedPairs(w, path, name, facts);
  return w.out.length > before ? 'found' : pairs;
}

/** Runs `fn` on text embedded in the scalar at `path`: its detections point at that scalar, labelled with the inner key. */
function embedded(
  w: Walk,
  path: (string | number)[],
  name: string | undefined,
  text: string,
  fn: (inner: Walk) => void,
): void {
  const host = w.host ?? { path: [...path], name: name ?? '', text };
  fn({ opts: w.opts, out: w.out, host, seen: w.seen, memo: w.memo });
}

/** Provider patterns on a string; true when one was found. */
function providerOnly(w: Walk, facts: StringFacts, path: (string | number)[], name: string | undefined): boolean {
  const { providers: matches, text: s } = facts;
  let any = false;
  for (const m of matches) {
    if (w.opts.allow?.(m.secret)) continue;
    add(w, path, 'provider', m.kind, label(w, name), m.preview, m.secret, { within: s, at: m.start }, m.end - m.start);
    any = true;
  }
  return any;
}

/** A string under this name could be reported by `named`: the name is secret-like, or the string high-entropy. */
function mayBeNamed(w: Walk, name: string | undefined, shape: number): boolean {
  if (name === undefined) return false;
  return (shape & IS_HIGH_ENTROPY) !== 0 || secretNameKind(name) !== undefined || (w.opts.names?.length ?? 0) > 0;
}

/** A value under a name: reported when the name is secret-like (or the context forces it) and the value a literal. */
function named(
  w: Walk,
  value: string,
  path: (string | number)[],
  name: string | undefined,
  forced: string | undefined,
  names: Names,
  where?: Where,
  /** The string was read as a `key=value` pair: its value gets the entropy test under its own key instead. */
  readAsPair = false,
): void {
  if (w.opts.mode !== 'manifest') return;
  let kind: string | undefined = forced ?? (name ? secretNameKind(name) : undefined);
  if (!kind && name && w.opts.names?.some((re) => re.test(name))) kind = 'secret';
  let v = value.trim();
  if (!kind) {
    if (!readAsPair) entropyNote(w, value, path, name, names, where);
    return;
  }
  if (kind === 'authorization header') v = v.replace(/^(?:Bearer|Basic|Token|Bot|Digest|SSWS)(?:\s+|$)/i, ''); // `authorization:bearer` names a scheme only
  if (
    !isLiteralSecret(v, kind === 'password' || forced !== undefined ? 3 : 6, kind === 'password') ||
    w.opts.allow?.(v) ||
    w.opts.allow?.(value)
  )
    return;
  if (!forced && (looksLikeName(v.startsWith('#') ? v.slice(1) : v) || echoesName(v, name) || names.includes('labels')))
    return; // #add-password: an anchor or selector made of words // label values are identifiers (konghq.com/credential: key-auth)
  const hash =
    hashKind(v) ??
    (kind === 'password' || /password/i.test(forced ?? '') ? (isHexDigest(v) ? 'hex digest' : undefined) : undefined);
  if (hash) {
    add(w, path, 'hash', hash, label(w, name), '', v, where, value.length);
    return;
  }
  add(w, path, 'name', forced ?? kind, label(w, name), '', v, where, value.length);
}

/** An age recipient (bech32 `age1...`): a public key, as random as one and as harmless. */
const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

/**
 * The note for a random-looking string under a name that says nothing (the entropy heuristic, outside embedded text).
 * A string opening with a provider's prefix is left to that provider's format: one that fails it (a checksum, a
 * length, an alphabet) is a near miss of a known format, not an unknown credential (under a credential-named key the
 * name heuristic reports it all the same).
 */
function entropyNote(
  w: Walk,
  value: string,
  path: (string | number)[],
  name: string | undefined,
  names: Names,
  where?: Where,
): void {
  const v = value.trim();
  if (
    w.opts.entropy &&
    !w.host &&
    name &&
    v.length >= 20 &&
    isHighEntropy(v) &&
    !isPublicRandomName(name) &&
    !names.includes('annotations') &&
    !names.includes('labels') &&
    !names.includes('jwt_secrets') &&
    !isReferenceKey(name) &&
    providerPrefixOf(v) === undefined &&
    !AGE_RECIPIENT.test(v) &&
    !isPlaceholder(v) &&
    decodeBase64Text(v) === undefined &&
    !w.opts.allow?.(v)
  )
    add(w, path, 'entropy', 'high-entropy string', label(w, name), '', v, where, value.length);
}

/** The value contains its whole key name (`GOOGLE_API_KEY: GOOGLE_API_KEY_VAL`): a stand-in, not a secret. */
function echoesName(value: string, name: string | undefined): boolean {
  if (!name) return false;
  const norm = (x: string) => x.toLowerCase().replace(/[^a-z0-9]/g, '');
  const v = norm(value);
  const n = norm(name);
  return n.length >= 4 && v.includes(n); // but `KONG_PG_PASSWORD: kong` is a real (weak) password
}

/**
 * A literal that could be a credential: long enough, not a reference, template, placeholder or sentence. A password
 * may be a common weak one (`secret`): still a credential.
 */
function isLiteralSecret(value: string, minLength: number, password: boolean): boolean {
  if (value.length < minLength || value.length > 10_000) return false;
  if (isReference(value) || isPlaceholder(value, { weakIsReal: password })) return false;
  if (/\s/.test(value) && !/^-----BEGIN/.test(value)) return false; // prose, descriptions, commands
  if (/^(?:true|false|yes|no|on|off|null|~)$/i.test(value)) return false;
  return true;
}

function label(w: Walk, name: string | undefined): string {
  const inner = name ? `"${clip(name)}"` : 'a value';
  return w.host ? `${inner} in the text of "${clip(w.host.name)}"` : inner;
}

function clip(name: string): string {
  return name.length > 60 ? `${name.slice(0, 57)}...` : name;
}

function add(
  w: Walk,
  path: Path,
  source: DetectionSource,
  kind: string,
  key: string,
  preview: string,
  secret: string,
  where?: Where,
  length = 0,
): void {
  const at = w.host ? w.host.path : [...path];
  const id = `${at.join('\0')}\u0001${source}\u0001${key}\u0001${secret}`;
  if (w.seen.has(id)) return;
  w.seen.add(id);
  const start = where && where.at >= 0 ? offsetInLocated(w, where) : undefined;
  const span = start === undefined || length === 0 ? undefined : ([start, start + length] as const);
  w.out.push({ path: at, source, kind, key, preview, secret, ...(span ? { span } : {}) });
}

/** The offset of a value in the string the detection is located at (the host text), when it can be found there. */
function offsetInLocated(w: Walk, where: Where): number | undefined {
  if (!w.host || where.within === w.host.text) return where.at;
  // A string inside embedded JSON: found once in the host text, as written (escaped) or as is.
  const written = JSON.stringify(where.within).slice(1, -1);
  const found = w.host.text.indexOf(written);
  if (found !== -1 && written === where.within) return found + where.at;
  if (found !== -1) return where.at === 0 ? found : undefined; // escapes shift the inner offsets
  return undefined;
}

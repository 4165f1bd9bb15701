// What a committed `kind: Secret` holds, key by key, decoded but never printed: Kubernetes stores `data` as base64
// (an encoding, not encryption: https://kubernetes.io/docs/concepts/configuration/secret/) and `stringData` as plain
// text, so a committed Secret is its values in the clear for anyone who can read the repository.
import { isObj, obj, str, type Obj, type Path } from '../model/values.js';
import { decodeBase64Text } from './embedded.js';
import { isMetadataName, secretNameKind, tokens } from './names.js';
import { findProviderSecrets } from './providers.js';
import { isPlaceholder, isReference } from './values.js';

export interface CommittedEntry {
  readonly field: 'data' | 'stringData';
  readonly key: string;
  /** Path relative to the Secret. */
  readonly path: Path;
  /** What it holds, for the message: "a TLS private key", "docker registry credentials". */
  readonly holds: string;
  /** The decoded value: for the fingerprint only. */
  readonly value: string;
}

/** Keys of Secrets that hold public or identifying material only (the certificate of a TLS Secret, a user name). */
const PUBLIC_KEYS =
  /^(?:ca\.crt|tls\.crt|ca-bundle\.crt|ca\.pem|cert\.pem|ca|crt|cert|certificate|username|user|namespace|host|port|url|issuer|audience)$/i;

/** Kong credential types that carry a secret (acl and mtls-auth hold a group or a subject name). */
const KONG_SECRET_CREDENTIALS = new Set([
  'key-auth',
  'basic-auth',
  'jwt',
  'hmac-auth',
  'oauth2',
  'keyauth_credential',
  'basicauth_credential',
  'jwt_secret',
  'hmacauth_credential',
  'oauth2_credential',
]);

const ARTICLE = (kind: string) => (/^[aeiou]/i.test(kind) && !/^(?:user|uni)/i.test(kind) ? `an ${kind}` : `a ${kind}`);

/** Every key of a Secret's data/stringData that commits a real value (not empty, a placeholder, a template or public). */
export function committedEntries(secret: Obj): CommittedEntry[] {
  if (isObj(secret.sops)) return [];
  const type = str(secret.type) ?? 'Opaque';
  const labels = obj(obj(secret.metadata).labels);
  const kongCredential =
    str(labels['konghq.com/credential']) ??
    str(obj(secret).kongCredType) ??
    str(obj(secret.stringData).kongCredType) ??
    decodeKongType(obj(secret.data).kongCredType);
  const out: CommittedEntry[] = [];
  for (const field of ['data', 'stringData'] as const) {
    const map = secret[field];
    if (!isObj(map)) continue;
    for (const [key, raw] of Object.entries(map)) {
      if (raw === null || raw === undefined) continue;
      const text = typeof raw === 'string' ? raw : typeof raw === 'object' ? '' : String(raw);
      if (text.trim() === '' || isReference(text) || isPlaceholder(text)) continue;
      let value = text;
      let undecodable = false;
      if (field === 'data') {
        const decoded = decodeBase64Text(text);
        if (decoded === undefined) undecodable = !/^[A-Za-z0-9+/=\s]+$/.test(text);
        else value = decoded;
        if (undecodable && /\s/.test(text.trim())) continue; // prose ("shhhh! it's a github secret"): a documentation stand-in the API server would reject
      }
      if (value.trim() === '' || isReference(value) || isPlaceholder(value)) continue;
      if (key === 'kongCredType' || (PUBLIC_KEYS.test(key) && !/PRIVATE KEY/.test(value)) || isPublicPem(value))
        continue;
      if (kongCredential && !KONG_SECRET_CREDENTIALS.has(kongCredential)) continue; // acl groups, mtls-auth subject names
      if (isMetadataName(key) && findProviderSecrets(value).length === 0) continue; // type, project, url, client-id, ca.digest
      out.push({
        field,
        key,
        path: [field, key],
        holds: undecodable
          ? 'a value that is not valid base64 (Kubernetes rejects it)'
          : describe(key, value, type, kongCredential),
        value,
      });
    }
  }
  return out;
}

function isPublicPem(value: string): boolean {
  return (
    /-----BEGIN (?:CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY|X509 CRL|CERTIFICATE REQUEST)-----/.test(value) &&
    !/PRIVATE KEY/.test(value)
  );
}

function describe(key: string, value: string, type: string, kongCredential: string | undefined): string {
  const lower = key.toLowerCase();
  if (
    lower === '.dockerconfigjson' ||
    lower === '.dockercfg' ||
    type === 'kubernetes.io/dockerconfigjson' ||
    type === 'kubernetes.io/dockercfg'
  ) {
    return 'docker registry credentials';
  }
  const provider = findProviderSecrets(value)[0];
  if (provider?.id === 'private-key') {
    if (lower === 'tls.key' || type === 'kubernetes.io/tls') return 'a TLS private key';
    if (lower === 'ssh-privatekey' || type === 'kubernetes.io/ssh-auth') return 'an SSH private key';
    return provider.kind;
  }
  if (provider) return provider.kind;
  if (/"type"\s*:\s*"service_account"/.test(value)) return 'a Google service-account key';
  if (kongCredential) return `a Kong ${kongCredential} credential`;
  if (type === 'kubernetes.io/basic-auth' && lower === 'password') return 'a basic-auth password';
  if (type === 'bootstrap.kubernetes.io/token' && lower === 'token-secret') return 'a bootstrap token secret';
  if (type === 'kubernetes.io/service-account-token' && lower === 'token') return 'a service-account token';
  if (/\.(?:ya?ml|json|ini|conf|cfg|toml|properties|xml|env)$/i.test(key))
    return 'a configuration file (credentials are often inside)';
  const kind = secretNameKind(key) ?? (tokens(key).includes('key') ? 'key' : undefined);
  return kind ? ARTICLE(kind) : 'a value';
}

function decodeKongType(value: unknown): string | undefined {
  return typeof value === 'string' ? decodeBase64Text(value)?.trim() : undefined;
}

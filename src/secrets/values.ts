// What a value is when it is not a secret: a reference to one (resolved elsewhere at deploy or run time), a
// template, an obvious placeholder, or a one-way hash (the cases gitleaks' global allowlist and secretlint's rules
// exempt).

const REFERENCE_WHOLE: readonly RegExp[] = [
  /^\$[A-Za-z_][\w.:-]*$/, // $VAR, Argo CD's $secret-key and $secret:key
  /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/, // $(VAR): Kubernetes dependent environment variables
  /^\(\(.+\)\)$/, // ((var)): Concourse
  /^#\{.+\}$/, // #{var}
  /^%[A-Za-z_][\w.]*%$/, // %VAR%
  /^@[A-Za-z_][\w.]*@$/, // @VAR@
  /^vault:/i, // vault:secret/data/x#key (Bank-Vaults), vault://...
  /^ref\+[a-z0-9]+:\/\//, // ref+vault://, ref+awssecrets:// (vals, helm-secrets)
  /^\$ENV:\/\//, // APISIX
  /^ENC\[.*\]$/s, // SOPS
  /^arn:aws[\w-]*:(?:secretsmanager|ssm|kms):/, // AWS Secrets Manager / SSM Parameter Store
  /^projects\/[^/]+\/secrets\/[^/]+/, // GCP Secret Manager
  /^https:\/\/[\w-]+\.vault\.azure\.net\/(?:secrets|keys)\//, // Azure Key Vault
  /^(?:file|env|secret|k8s|awssm|gcpsm|azkv|op|bw|doppler|infisical):\/\//i, // secret-manager URIs
  /^\/(?:[\w.@+-]+\/)*[\w.@+-]+\/?$/, // an absolute path: /var/run/secrets/..., /etc/secrets/...
  /^(?:\.{1,2}\/|~\/)?(?:[\w.@+-]+\/)*[\w@+-][\w.@+-]*\.(?:pem|key|crt|cer|cert|der|p8|p12|pfx|jks|keystore|json|ya?ml|txt|conf|cfg|env|properties|toml|ini|keytab|pub|asc|gpg|token|secret|htpasswd)$/i, // a file name
];

/** Anywhere in the value: the value is (partly) computed by a template or resolved from a reference. */
const REFERENCE_INSIDE = /\$\{|\$\([A-Za-z_]|\{\{|\{%|\{vault:\/\/|ENC\[|<%=?|\$\{\{/;

/** A reference or template, not a literal: `${VAR}`, `$(VAR)`, `{{ }}`, `{vault://...}`, `ENC[...]`, ARNs, paths. */
export function isReference(value: string): boolean {
  const v = value.trim();
  return REFERENCE_INSIDE.test(v) || REFERENCE_WHOLE.some((re) => re.test(v));
}

const PLACEHOLDER_WORDS = new Set([
  'changeme', 'change-me', 'change_me', 'changeit', 'change-it', 'replaceme', 'replace-me', 'replace_me', 'replace',
  'example', 'sample', 'dummy', 'placeholder', 'redacted', 'none', 'null', 'nil', 'undefined', 'todo', 'tbd',
  'fixme', 'secret', 'secrets', 'password', 'passwd', 'token', 'apikey', 'api-key', 'api_key', 'mypassword',
  'mysecret', 'my-secret', 'foo', 'bar', 'baz', 'foobar', 'n/a', 'na', 'tba', 'unset', 'empty', 'default',
  'required', 'optional', 'string', 'value', 'true', 'false', 'yes', 'no', 'on', 'off', 'xxx', '...', 'private',
  'privatekey', 'private-key', 'key', 'secretkey', 'secret-key', 'your-secret', 'credentials', 'hidden', 'masked',
]);

/** AWS's documented example credentials (docs.aws.amazon.com): never real. */
const AWS_EXAMPLES = new Set(['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY']);

/** Empty, masked or obviously a stand-in: `<...>`, `xxx...`, `REPLACE_ME`, `your-...`, `example`, `redacted`. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v === '' || AWS_EXAMPLES.has(v)) return true;
  const lower = v.toLowerCase();
  if (PLACEHOLDER_WORDS.has(lower)) return true;
  if (/^<[^>]*>$|^\[[^\]]*\]$|^\{[^}]*\}$/.test(v)) return true; // <password>, [token], {secret}
  if (/^(.)\1*$/.test(v)) return true; // xxxxxxxx, ********, 00000000
  if (/^(?:x{3,}|\*{3,}|\.{3,}|…)/i.test(v) || /(?:x{6,}|\*{4,}|\.{3,}|…)$/i.test(v)) return true;
  if (/^(?:replace|change|insert|enter|put|set|add|fill|update)[-_ ]?(?:me|it|this|with|your|here|in)\b/i.test(v)) return true;
  if (/^(?:your|my|some|the|a|an)[-_ ]?(?:[a-z]+[-_ ]?)*(?:password|passwd|secret|token|key|pass|credential|value)s?$/i.test(v)) return true;
  if (/^your[-_]/i.test(v)) return true;
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v) && /SECRET|KEY|TOKEN|PASS|VAL|API|CHANGE|REPLACE|HERE|YOUR|MY_/.test(v)) return true; // VERY_SECRET_KEY, GOOGLE_API_KEY_VAL
  if (/^[a-z_]*(?:token|password|passwd|secret|key|credentials?)[a-z_]*$/.test(v) && /_|^(?:token|password|secret|key)/.test(v)) return true; // enum values: id_token, client_secret_post
  if (/redacted|placeholder|dummy|changeme|replace[-_]?me|not[-_]?a[-_]?(?:real|secret)|fake/i.test(v)) return true;
  if (/example/i.test(v) && !/example\.(?:com|net|org)\b/i.test(v)) return true; // but a value may mention the example.com domains
  return false;
}

/** A one-way password hash (bcrypt, argon2, crypt, LDAP {SSHA}); its kind, or undefined. */
export function hashKind(value: string): string | undefined {
  let v = value.trim();
  const htpasswd = /^[^:\s$]+:((?:\$|\{)\S+)$/.exec(v); // user:hash lines of an htpasswd file
  if (htpasswd) v = htpasswd[1];
  if (/^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/.test(v)) return 'bcrypt';
  if (/^\$argon2(?:id|i|d)\$/.test(v)) return 'argon2';
  if (/^\$(?:1|5|6|apr1|y|7)\$[^\s]+$/.test(v)) return 'crypt';
  if (/^\{(?:SHA|SSHA|SHA256|SSHA256|SHA512|SSHA512|MD5|SMD5|CRYPT|PBKDF2[-\w]*)\}\S+$/i.test(v)) return 'LDAP';
  if (/^(?:pbkdf2_sha256|pbkdf2_sha1|scrypt|sha1|md5)\$/.test(v)) return 'salted';
  return undefined;
}

/** A hex digest (sha1, sha256, md5): how Kong and others store hashed passwords and API keys. */
export function isHexDigest(value: string): boolean {
  return /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/.test(value.trim());
}

/**
 * A value that names something rather than being a secret: `secret: db-credentials` (a Secret's name), words joined
 * by dashes, an in-cluster host. Only used for key-name matches, never for provider patterns.
 */
export function looksLikeName(value: string): boolean {
  return /^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(value) || /^[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)*\.svc(?:\.cluster\.local)?(?::\d+)?$/.test(value);
}

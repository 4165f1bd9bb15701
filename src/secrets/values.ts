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

/** Shell, PHP or Perl variables written one after another (`$super$ecret`): interpolated, not a literal. */
const VARIABLES_ONLY = /^\$[A-Za-z_]\w*(?:\$[A-Za-z_]\w*)+$/;

/** A PHP or Perl variable read (`$_POST["password"]`, `$config['db']`, `$this->password`): code, not a literal. */
const VARIABLE_ACCESS = /^\$[A-Za-z_]\w*(?:\[|->)/;

/** A reference or template, not a literal: `${VAR}`, `$(VAR)`, `{{ }}`, `{vault://...}`, `ENC[...]`, ARNs, paths. */
export function isReference(value: string): boolean {
  const v = value.trim();
  return (
    REFERENCE_INSIDE.test(v) ||
    VARIABLE_ACCESS.test(v) ||
    REFERENCE_WHOLE.some((re) => re.test(v)) ||
    (VARIABLES_ONLY.test(v) && hashKind(v) === undefined) // `$apr1$salt$hash` is a crypt hash
  );
}

const PLACEHOLDER_WORDS = new Set([
  'changeme',
  'change-me',
  'change_me',
  'changeit',
  'change-it',
  'replaceme',
  'replace-me',
  'replace_me',
  'replace',
  'example',
  'sample',
  'dummy',
  'placeholder',
  'redacted',
  'none',
  'null',
  'nil',
  'undefined',
  'todo',
  'tbd',
  'fixme',
  'secret',
  'secrets',
  'password',
  'passwd',
  'token',
  'apikey',
  'api-key',
  'api_key',
  'mypassword',
  'mysecret',
  'my-secret',
  'foo',
  'bar',
  'baz',
  'foobar',
  'n/a',
  'na',
  'tba',
  'unset',
  'empty',
  'default',
  'required',
  'optional',
  'string',
  'value',
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'xxx',
  '...',
  'private',
  'privatekey',
  'private-key',
  'key',
  'secretkey',
  'secret-key',
  'your-secret',
  'credentials',
  'hidden',
  'masked',
]);

/**
 * Providers' documented example credentials, printed for everyone to copy: AWS's example keys (docs.aws.amazon.com),
 * the test key of Stripe's API reference, jwt.io's example token, and the example Google API keys of Firebase's
 * Android SDK (the list gitleaks' gcp-api-key rule allows).
 */
const DOCUMENTED_EXAMPLES = new Set([
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  'AIzaSyabcdefghijklmnopqrstuvwxyz1234567',
  'AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs',
  'AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM',
  'AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU',
  'AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0',
  'AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A',
  'AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c',
  'AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4',
  'AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY',
  'AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM',
  'AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ',
  'AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g',
  'AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU',
  'AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw',
  'AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE',
  'AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY',
]);

/** Words that make a value a stand-in when they are one of its words (not letters inside a random string). */
const PLACEHOLDER_TOKENS = new Set([
  'example',
  'examples',
  'sample',
  'dummy',
  'placeholder',
  'redacted',
  'changeme',
  'replaceme',
  'fake',
  'todo',
  'fixme',
  'tbd',
  'insert',
  'your',
  'yours',
  'here',
  'xxx',
  'xxxx',
  'notreal',
  'masked',
  'hidden',
  'obfuscated',
]);

/**
 * Common weak passwords that read like stand-ins but are what people set: written as a password (a DSN's, a value under
 * a password name) they are a real, weak, committed credential.
 */
const WEAK_PASSWORDS = new Set([
  'secret',
  'secrets',
  'password',
  'passwd',
  'mypassword',
  'mysecret',
  'my-secret',
  'private',
  'default',
  'secretkey',
  'secret-key',
]);

/**
 * Empty, masked or obviously a stand-in: `<...>`, `xxx...`, `****`, `####`, `REPLACE_ME`, `your-...`, `example`.
 * With `weakIsReal`, the value is a password and common weak ones (`secret`, `password`) are not stand-ins.
 */
export function isPlaceholder(value: string, options?: { readonly weakIsReal?: boolean }): boolean {
  const v = value.trim();
  if (v === '' || DOCUMENTED_EXAMPLES.has(v)) return true;
  const lower = v.toLowerCase();
  if (options?.weakIsReal && WEAK_PASSWORDS.has(lower)) return false;
  if (PLACEHOLDER_WORDS.has(lower)) return true;
  if (/^<[^>]*>$|^\[[^\]]*\]$|^\{[^}]*\}$/.test(v)) return true; // <password>, [token], {secret}
  if (v.startsWith('&lt;') && v.endsWith('&gt;') && v.indexOf('&gt;') === v.length - 4) return true; // <password> escaped in HTML or XML
  if (isOneCharacter(v) || isMostlyOneRun(v)) return true; // xxxxxxxx, ********, 00000000, AIzaaaaaaaaaaaaaaaaa, 0000...0aa
  if (isMasked(v)) return true;
  if (
    /^(?:replace|change|insert|enter|put|set|add|fill|update)[-_ ]?(?:me|it|this|with|your|here|in)(?:$|[^a-z])/i.test(
      v,
    )
  )
    return true;
  if (/^(?:your|my|some|the|a|an)[-_ ]?[a-z_ -]*(?:password|passwd|secret|token|key|pass|credential|value)s?$/i.test(v))
    return true;
  if (/^your[-_]/i.test(v)) return true;
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v) && /SECRET|KEY|TOKEN|PASS|VAL|API|CHANGE|REPLACE|HERE|YOUR|MY_/.test(v))
    return true; // VERY_SECRET_KEY, GOOGLE_API_KEY_VAL
  if (
    /^[a-z_]+$/.test(v) &&
    /_|^(?:token|password|secret|key)/.test(v) &&
    /token|password|passwd|secret|key|credential/.test(v)
  )
    return true; // enum values: id_token, client_secret_post
  if (/EXAMPLE(?:KEY)?$/.test(v)) return true; // providers' documented samples: AKIA...EXAMPLE, .../bPxRfiCYEXAMPLEKEY
  return (
    wordsOf(v.replace(/example\.(?:com|net|org)/gi, '')).some((word) => PLACEHOLDER_TOKENS.has(word)) ||
    /not[-_ ]?a[-_ ]?(?:real|secret)|replace[-_ ]?me|change[-_ ]?me/i.test(v)
  );
}

/**
 * One character repeated at least 12 times and over three quarters of the value: a token's prefix padded to its length
 * (`AIzaaaa...`) or a filler with a few characters after it (`aaaa...end`, `0000...0aa`). Random tokens have no such run.
 */
function isMostlyOneRun(v: string): boolean {
  let longest = 1;
  let run = 1;
  for (let i = 1; i < v.length; i++) {
    run = v[i] === v[i - 1] ? run + 1 : 1;
    if (run > longest) longest = run;
  }
  return longest >= 12 && longest * 4 >= v.length * 3;
}

/** The value is one character repeated. */
function isOneCharacter(v: string): boolean {
  for (let i = 1; i < v.length; i++) if (v[i] !== v[0]) return false;
  return v.length > 0;
}

/** A masked or elided value: a run of three `*`, four `#`, six `x`, or an ellipsis (`ghp_****abcd`, `sk-...`, `####`). */
export function isMasked(v: string): boolean {
  return /\*{3}|#{4}|[xX]{6}|\.{3}|\u2026/.test(v) || /^(?:x{3}|X{3})/.test(v);
}

/**
 * Lowercase words of a value split at separators, and at case changes when the value has no digit
 * ("yourApiKeyHere" -> your, api, key, here): a random token's case changes make chance words ("...TbdK..."), not words.
 */
function wordsOf(v: string): string[] {
  const split = /\d/.test(v) ? v : v.replace(/([a-z])([A-Z])/g, '$1 $2');
  return split.toLowerCase().split(/[^a-z0-9]+/);
}

/** A provider token that is a stand-in: masked, elided, one character, or a documented sample (…EXAMPLE). */
export function isPlaceholderToken(token: string): boolean {
  return (
    isMasked(token) ||
    /example/i.test(token) ||
    /^<.*>$/.test(token) ||
    PLACEHOLDER_WORDS.has(token.toLowerCase()) ||
    DOCUMENTED_EXAMPLES.has(token)
  );
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
  if (UUID_LIKE.test(value) || !/[a-z]{3}/.test(value)) return false; // a UUID or a dashed token, not words
  return (
    (/^[a-z0-9-]+$/.test(value) &&
      /^[a-z0-9]/.test(value) &&
      value.includes('-') &&
      !value.endsWith('-') &&
      !value.includes('--') &&
      readsAsWords(value)) ||
    /^[a-z][a-z0-9.-]*\.svc(?:\.cluster\.local)?(?::\d+)?$/.test(value)
  );
}

const UUID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Most dash-separated parts are pronounceable words (db-credentials, payments-v2), not random runs (x7kq-9fj2). */
function readsAsWords(value: string): boolean {
  const parts = value.split('-');
  const wordy = parts.filter((p) => /^[a-z]+\d*$|^v?\d+$/.test(p) && (p.length <= 3 || /[aeiouy]/.test(p)));
  return (
    wordy.length >= parts.length - (parts.length > 3 ? 1 : 0) &&
    !parts.some((p) => p.length > 12 && !/[aeiouy]{1}.*[aeiouy]/.test(p))
  );
}

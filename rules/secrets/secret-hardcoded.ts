import { defineRule, yaml } from '../../src/engine/rule.js';
import type { DetectionSource } from '../../src/secrets/detect.js';
import { documentSecrets, isManifestDocument } from '../../src/secrets/documents.js';
import { type TextMemo, textMemo } from '../../src/secrets/memo.js';
import { remediationFor } from '../../src/secrets/remediation.js';
import { DEFAULT_SALT, secretIdentity, writtenAt } from '../../src/secrets/identity.js';
import { compileSecretOptions, SECRET_OPTIONS_SCHEMA, type SecretOptions } from '../../src/secrets/options.js';

/**
 * One memo per run: the engine hands the same options object to the check of every graph (the files, then each
 * kustomization's build), whose strings and documents are mostly the same.
 */
const memos = new WeakMap<object, TextMemo>();
function memoFor(options: object): TextMemo {
  let memo = memos.get(options);
  if (!memo) {
    memo = textMemo();
    memos.set(options, memo);
  }
  return memo;
}

const MESSAGE: Record<DetectionSource, 'provider' | 'named' | 'entropy' | 'hash'> = {
  provider: 'provider',
  name: 'named',
  entropy: 'entropy',
  hash: 'hash',
};

export default defineRule({
  id: 'secret-hardcoded',
  title: 'Do not hardcode credentials in manifests',
  severity: 'error',
  securitySeverity: 8.5,
  tags: ['security', 'secrets', 'CWE-798', 'CIS-5.4.1'],
  description: `A credential written into a manifest is readable by everyone who can read the repository, its forks,
CI logs and every cluster user who can \`get\` the object (a ConfigMap, a Deployment's env), and it stays in git
history after it is removed: it must be treated as leaked and rotated. Secrets belong in a secret store and reach the
workload by reference.

**What is reported** (the document walker sees every scalar with its *effective key name*, whatever the YAML style):

- **Provider tokens** (error), in any string of any document, each from the provider's documented format (prefix,
  alphabet, length, and the checksum where there is one: the CRC32 in GitHub's \`ghp_\`/\`gho_\`/\`ghu_\`/\`ghs_\`/\`ghr_\`
  and npm's \`npm_\` tokens). Cloud: AWS access key ids and Amazon Bedrock API keys, Google API keys, Google OAuth
  client secrets (\`GOCSPX-\` and 28 URL-safe characters, the prefix Google gives client secrets since 2021) and
  OAuth 2.0 access tokens (\`ya29.\` and URL-safe text: opaque and short-lived, but a bearer credential while they
  live; see Google Cloud's token types), Azure AD client
  secrets and storage keys, Alibaba, DigitalOcean, Cloudflare Origin CA keys, Fly.io, Heroku, Scalingo, Terraform
  Cloud. Code and CI: GitHub (every prefix, fine-grained), GitLab (every prefix, routable tokens), Bitbucket and
  Atlassian, npm, PyPI, NuGet, Docker Hub, JFrog, SonarQube, Snyk, Octopus Deploy, Sourcegraph, Pulumi, Postman,
  Databricks. Messaging and SaaS: Slack (bot, user, app, workspace, legacy, configuration access and refresh tokens,
  webhooks), Twilio, SendGrid, Mailchimp, Mailgun, HubSpot, Facebook, Stripe, Square, Shopify, MaxMind, ClickHouse,
  42 Intra, Freemius, Sentry, New Relic, Linear, Grafana. AI: OpenAI, Anthropic API and admin keys, Hugging Face user
  and organization tokens, Perplexity, Notion. Secret stores: Vault service and batch tokens, 1Password secret keys
  and service-account tokens, Doppler, age. Generic forms: PEM private keys of every type (a real base64 body of at
  least 100 characters, not \`...\`), JWTs whose payload decodes to JSON (a header damaged in copying still opens
  with \`{"alg":"\`), URLs and DSNs with a password (a common weak one such as \`secret\` or \`password\` is a real
  credential, not a placeholder), and URLs whose user is a token (\`https://TOKEN@github.com\`: git sends it as the
  credential; user names such as \`git\` or \`x-access-token\` are words, not tokens). AWS access key ids are
  found by their shape (prefix and 16 base32 characters) even when made up (\`AKIADEADBEEF...\`).
  Masked (\`ghp_****\`), elided and documented sample values (\`AKIA...EXAMPLE\`, the test key of Stripe's API
  reference, jwt.io's example token) are not reported. Formats whose
  value has no prefix (Cloudflare API tokens, Okta, Sumo Logic, MessageBird, Snyk and Heroku UUIDs, Facebook app
  secrets) are found by their key name (below). Every token is found by a linear scan: literal prefixes, then the
  longest run of the format's alphabet, then its structure.
- **A literal under a secret-like name** (error): \`password\`, \`DB_PASS\`, \`apiKey\`, \`client_secret\`,
  \`private_key\`, \`AWS_SECRET_ACCESS_KEY\`, \`Authorization\` ... matched on whole name tokens (so \`bypass\` and
  \`keyboard\` do not count; one word glued to \`secret\`, \`password\` or \`token\`, such as \`jwtsecret\`, counts like
  \`jwt_secret\`, but not \`nexttoken\` or \`csrftoken\`). The name is the map key, or for \`{name: X, value: Y}\` pairs (container \`env\`,
  Envoy and Kong headers) the sibling \`name\`: \`- name: DB_PASSWORD\` with \`value:\` on the next line, the case
  line-based scanners miss, is found in block, flow and JSON style alike. Also: \`args\`/\`command\` flags
  (\`--password=...\`, \`--token x\`, \`-Dsonar.login=...\` (a JVM property: its name without the D; \`sonar.login\`
  holds the SonarQube scanner's token), \`curl -u user:pass\`, \`mysql -p...\`, \`Authorization: Bearer ...\` or
  \`SSWS ...\` (Okta)),
  ConfigMap data including text embedded in block scalars (properties, ini, .env, YAML, TOML, JSON, XML leaves, .npmrc,
  and scripts: \`curl -u\`, \`-H "Authorization: Bearer ..."\`, \`mysql -p...\` (quoted too: \`-p"..."\`), \`export X=...\`, Dockerfile
  \`ENV X=...\`, JavaScript \`const X = ...\`, Java and C# \`private static String X = ...\`, PHP \`$x = ...\`, .NET
  \`<add key="X" value="..."/>\` and the \`Password=\` member of a connection string, .netrc entries (\`machine H login U
  password P\`), the \`-\`/\`+\` lines of a diff; a commented-out line
  when its value looks generated, since a comment is committed too), each reported at its own
  line and column inside the block; a one-line value that holds one pair (\`oauth_token: gho_...\`,
  \`VAULT_CLIENT_TOKEN=...\`, \`"token": "..."\`, \`let g:gh_token='...'\`, in ConfigMap data, env values, args and
  annotations) is read the same way and reported at the characters of the value, kustomize
  \`secretGenerator\` literals (all but user names, hosts and ports), the JSON of the
  \`kubectl.kubernetes.io/last-applied-configuration\` annotation (which repeats a Secret's data in the clear), Kong
  decK consumer credentials (\`keyauth_credentials[].key\`: key-auth keys cannot be vault references,
  \`basicauth_credentials[].password\`, \`hmacauth_credentials[].secret\`, \`jwt_secrets[].secret\`,
  \`oauth2_credentials[].client_secret\`, and the same fields in the \`spec\` of Kong Operator's KongCredentialAPIKey,
  KongCredentialBasicAuth, KongCredentialHMAC and KongCredentialJWT) and plugin fields (\`redis_password\`, \`client_secret\`, \`api_key\` ...),
  Envoy \`config.core.v3.DataSource\` \`inline_string\`/\`inline_bytes\` under \`private_key\`, \`password\`,
  \`generic_secret.secret\`, \`session_ticket_keys.keys\` (certificates, CA bundles and OCSP staples are public),
  RequestAuthentication inline \`jwks\` (or any JWK) carrying private members \`d\`, \`p\`, \`q\`, \`dp\`, \`dq\`,
  \`qi\` or an \`oct\` key \`k\`, and registry \`auths\` entries.
- **A password hash** (note): bcrypt, argon2, crypt, LDAP \`{SSHA}\`, or a hex digest under a password name (Kong
  dumps basic-auth passwords as sha1): not the password, but crackable offline.
- **A high-entropy string** under no secret-like name (note, option \`entropy\`): 20 to 200 characters of a base64
  or hex alphabet mixing letters and digits, with Shannon entropy above the 5th percentile of random strings of that
  length (base64: 3.7 at 20 characters up to 4.4 at 40; hex: 3.3 at 32 up to 3.6 at 64; a fixed threshold is
  meaningless because entropy is bounded by log2 of the length). Digests (hex of a digest's length, in either
  case: certificate thumbprints are written in capitals), ids, images, certificates, UUIDs, age recipients (public
  keys), annotations and base64 of text are exempt. A one-line \`KEY=value\` is tested as its value under its own key
  (\`AZURE_TENANT_ID=<uuid>\` is an identifier, as it would be on its own line). A string that opens with a provider's
  prefix (four characters or more: \`ghp_\`, \`AIza\`, \`AKIA\`, \`sgp_\`, \`tk-us-\` ...) is left to that provider's
  format: when it fails it (a CRC32 that does not match, a length or an alphabet the provider never issues), it is a
  near miss of a known format, not an unknown credential, and gets no note (under a secret-like name it is still
  reported as a literal). Measured on a labelled set of published samples (test/data/secrets-labelled.json: 175
  tokens and 191 near misses from gitleaks' and Nosey Parker's rule tests, providers' documented formats and
  settings named like credentials), such notes were 23 of the 29 near misses flagged before (now 2 of 191, both
  random strings of no known format, which is what a note is for) and not one of its tokens depended on them.

**What is never reported**: \`valueFrom\`, \`secretKeyRef\`, \`envFrom\`, every \`*Ref\`/\`*From\` subtree, SDS configs,
\`filename\` and \`environment_variable\` sources, Kong \`configFrom\`; values that are references or templates
(\`\${VAR}\`, \`$VAR\`, \`$(VAR)\`, \`{{ }}\`, \`{vault://...}\`, \`vault:...\`, \`ref+vault://...\`, \`\${{ env "DECK_..." }}\`,
SOPS \`ENC[...]\`, Secrets Manager/SSM ARNs, GCP and Azure secret URIs, absolute paths such as \`/var/run/secrets/...\`);
obvious placeholders (empty, \`<...>\`, \`xxx...\`, \`REPLACE_ME\`, \`changeme\`, \`your-...\`, anything with
\`example\` or \`redacted\`, AWS's documented example keys); values that read as names (\`secret: db-credentials\`)
or prose (with spaces); names that only describe a secret (\`*_FILE\`, \`*_PATH\`, \`*_NAME\`, \`*_ID\`, \`*_URL\`,
\`secretName\`, \`credentialName\`, \`existingSecret\`, \`passwordSecret\`, \`publicKey\`); SealedSecret,
ExternalSecret, SopsSecret, SecretProviderClass, Vault operator kinds and documents with a \`sops:\` block. The
\`data\`/\`stringData\` of a \`kind: Secret\` is left to \`secret-in-manifest\`.

**Files meshlint does not read** (GitHub workflows, compose files, Helm values, package.json): only provider
patterns are reported there. A provider token is a leak whatever file holds it, in any string anywhere; the name
and entropy heuristics need a schema meshlint knows (a Helm \`values.yaml\` is full of
\`existingSecret\`, \`passwordKey\` and chart defaults) and would turn a mesh linter into a noisy general secret
scanner. Kong decK files, Envoy bootstraps and xDS files, and kustomizations are recognised by shape and get every
heuristic.

**Options** (\`.meshlint.yaml\`): \`secretNames\` adds secret-like names (regular expressions on the whole key, e.g.
\`'.*_PIN'\`), \`allowValues\` and \`allowPatterns\` silence known non-secrets, \`entropy: false\` turns the
high-entropy note off. Patterns run on RE2 (linear time, whatever the pattern and the value); one RE2 cannot run
(lookaround, backreferences) or an invalid one is a configuration error (exit 2, with the file, line and key).
\`fingerprintSalt\` salts every fingerprint derived from a secret, \`secret-in-manifest\`'s too.

\`\`\`yaml
rules:
  secret-hardcoded:
    options:
      secretNames: ['.*_PIN', 'LICENSE']
      allowPatterns: ['^dev-only-']
      entropy: false
\`\`\`

**Redaction**: no output contains a detected value. A message names the key and the kind of secret, and for
provider tokens at most the public prefix plus 4 characters (\`ghp_u8jz…\`); nothing of passwords. The fingerprint
adds a truncated salted hash of the value (option \`fingerprintSalt\`), so that a rotated secret is a new finding
and the fingerprint cannot be reversed by hashing a dictionary without the salt.`,
  remediation:
    'Revoke and rotate the credential and remove it from the manifest (and from git history); then supply it the way its place allows (each message names the one that fits): a Kubernetes manifest references a Secret managed outside the repository (`valueFrom.secretKeyRef`, `envFrom`, a volume; ExternalSecret, SealedSecret, SOPS), a ConfigMap value moves into such a Secret, a GitHub workflow reads the `secrets` context, a decK file uses a Kong vault reference (`{vault://...}`) or decK environment substitution (`${{ env "DECK_..." }}`), a KongPlugin uses `configFrom`, and Envoy takes secrets over SDS.',
  references: [
    'https://kubernetes.io/docs/concepts/configuration/secret/',
    'https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/',
    'https://github.com/gitleaks/gitleaks/blob/master/config/gitleaks.toml',
    'https://cloud.google.com/docs/authentication/token-types#access',
    'https://github.com/praetorian-inc/noseyparker/blob/main/crates/noseyparker/data/default/builtin/rules/google.yml',
    'https://github.com/secretlint/secretlint/tree/master/packages/%40secretlint/secretlint-rule-preset-recommend',
    'https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/core/v3/base.proto#config-core-v3-datasource',
    'https://docs.konghq.com/gateway/latest/kong-enterprise/secrets-management/',
    'https://istio.io/latest/docs/reference/config/security/request_authentication/#JWTRule',
    'https://cwe.mitre.org/data/definitions/798.html',
  ],
  options: {
    schema: SECRET_OPTIONS_SCHEMA,
    defaults: {
      secretNames: [],
      allowValues: [],
      allowPatterns: [],
      entropy: true,
      fingerprintSalt: DEFAULT_SALT,
    } as SecretOptions,
    problems: (options) => compileSecretOptions(options).problems,
    shares: (options) => (options.fingerprintSalt ? { secrets: { fingerprintSalt: options.fingerprintSalt } } : {}),
  },
  messages: {
    provider: '{{resource}} contains {{kind}}{{preview}} in {{key}}: revoke and rotate it, then {{fix}}.',
    named: '{{resource}} sets {{key}} to a literal {{kind}}: rotate it and {{fix}}.',
    entropy:
      '{{resource}} has a high-entropy string in {{key}} that may be a credential: if it is one, rotate it and {{fix}}; if not, allow-list it in the options of secret-hardcoded.',
    hash: '{{resource}} holds a {{kind}} password hash in {{key}}: hashes can be cracked offline, so keep them in a Secret as well.',
  },
  examples: {
    invalid: {
      'env-pair-name-on-another-line': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
        spec:
          template:
            spec:
              containers:
                - name: api
                  image: api:1.0
                  env:
                    - name: DB_PASSWORD
                      value: nr3yBdGBL#EPH1 # expect: secret-hardcoded @22-36
                    - {name: STRIPE_KEY, value: sk_live_aF1LlqsajAIxNKu8iS2G8NPR} # expect: secret-hardcoded @41-73
                  args: ["--api-token=Q2xvdWRUb2tlbjQ5Mzg"] # expect: secret-hardcoded @31-50
      `,
      'configmap-embedded-properties-at-their-own-line': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app-config
        data:
          application.properties: |
            spring.datasource.url=jdbc:postgresql://db:5432/shop
            spring.datasource.password=Tr0ub4dor&3x # expect: secret-hardcoded @32-44
      `,
      'kong-consumer-credential-and-hash': yaml`
        _format_version: "3.0"
        consumers:
          - username: partner
            keyauth_credentials:
              - key: 9fK2mQ7xLp4Rt8Vw # expect: secret-hardcoded @14-30
            basicauth_credentials:
              - username: partner
                password: 41bed440e50454f31af3176813e02ea68ef786e4 # expect: secret-hardcoded @19-59
      `,
      'high-entropy-string-without-a-name': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: flags
        data:
          session: AhzCueQpBenQtYh5Xj8TPQxjq4i9DoV8 # expect: secret-hardcoded @12-44
          build.flags: RANDOM_SEED=AhzCueQpBenQtYh5Xj8TPQxjq4i9DoV8 # expect: secret-hardcoded @28-60
      `,
    },
    valid: {
      'references-not-literals': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
        spec:
          template:
            spec:
              containers:
                - name: api
                  image: api:1.0
                  envFrom:
                    - secretRef: {name: api-env}
                  env:
                    - name: DB_PASSWORD
                      valueFrom:
                        secretKeyRef: {name: db, key: password}
                    - name: API_TOKEN
                      value: $(TOKEN_FROM_FILE)
                    - name: DB_PASSWORD_FILE
                      value: /var/run/secrets/db/password
                    - name: CLIENT_SECRET
                      value: "{vault://env/client-secret}"
      `,
      'placeholders-and-names': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: defaults
        data:
          password: <set-me>
          api_key: REPLACE_ME
          secretName: db-credentials
          aws_access_key_id: AKIAIOSFODNN7EXAMPLE
          token: your-token-here
          bypass: Tr0ub4dor3xyz
      `,
      'flag-that-reads-the-secret-from-stdin': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: push-scripts
        data:
          login.sh: |
            aws ecr get-login-password --region eu-central-1 \\
              | docker login --username AWS --password-stdin 891511536143.dkr.ecr.eu-central-1.amazonaws.com
      `,
      'near-misses-of-known-formats-and-identifiers': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: build-info
        data:
          legacy: ghp_rYxJlsy2KovwNLDwZ9FyL805Vlazdx0hnBj
          thumbprint: 9F2C41D0B7A35E8816C0E4F7A2B9D3C5E1F06A48
          tenant: AZURE_TENANT_ID=3fd44da2-f0e2-4550-a8c2-17be67e00403
          recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
          mongo: mongodb://USERNAME:PASSWORD@localhost:27017
          octopus: https://wiki.notion.site/API-BD80F56CDC1441E6BF6011AB6D852875
      `,
      'sealed-secret-is-encrypted': yaml`
        apiVersion: bitnami.com/v1alpha1
        kind: SealedSecret
        metadata:
          name: db
        spec:
          encryptedData:
            password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq9ai7Yv1HvqfKUqBmbi7c1FY9UPxAFE
      `,
    },
  },
  check({ graph, options, settings, report }) {
    const { names, allow } = compileSecretOptions(options);
    const salt = options.fingerprintSalt || settings.secrets.fingerprintSalt;
    const memo = memoFor(options);
    for (const ref of graph.documents) {
      const mode = isManifestDocument(graph, ref) ? 'manifest' : 'foreign';
      for (const d of documentSecrets(ref, { mode, names, allow, entropy: options.entropy, memo })) {
        report({
          document: ref,
          path: d.path,
          target: 'value',
          ...(d.span ? { span: d.span } : {}),
          messageId: MESSAGE[d.source],
          data: {
            kind: d.kind,
            key: d.key,
            preview: d.preview ? ` (${d.preview})` : '',
            fix: remediationFor(graph, ref, d.path),
          },
          severity: d.source === 'entropy' || d.source === 'hash' ? 'note' : undefined,
          identity: secretIdentity(
            salt,
            'secret-hardcoded',
            ...writtenAt(ref.file, ref.document, d.path),
            d.key,
            d.secret,
          ),
        });
      }
    }
  },
});

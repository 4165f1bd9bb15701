import { defineRule, yaml } from '../../src/engine/rule.js';
import { secretIdentity, writtenAt } from '../../src/secrets/identity.js';
import { committedEntries } from '../../src/secrets/secret-data.js';

export default defineRule({
  id: 'secret-in-manifest',
  title: 'Do not commit Secret objects with data',
  severity: 'error',
  securitySeverity: 8.0,
  tags: ['security', 'secrets', 'CWE-312', 'CWE-798'],
  description: `A \`kind: Secret\` keeps its values in \`data\` as base64 and in \`stringData\` as plain text. Base64 is an
encoding, not encryption: the Kubernetes documentation warns that a Secret is "stored unencrypted" and that anyone
with access to the manifest can read it
([Secrets](https://kubernetes.io/docs/concepts/configuration/secret/), "Caution"). A Secret committed with data puts
the credential in the repository, its forks and its history.

Each key that holds a value is reported at that key, saying what it holds after decoding (a TLS private key, docker
registry credentials, a basic-auth password, a service-account or bootstrap token, a provider token, a Kong
credential from \`konghq.com/credential\`), never the value itself. Not reported: empty values, templates and
references (\`{{ }}\`, \`\${VAR}\`, SOPS \`ENC[...]\`), placeholders (\`<...>\`, \`REPLACE_ME\`, \`changeme\`, base64 of
them), public material alone (\`ca.crt\`, \`tls.crt\`, certificates and public keys), keys that name or describe
rather than hold a secret (\`username\`, \`type\`, \`url\`, \`project\`, \`client-id\`, \`ca.digest\`: the last word of the key is
metadata), Kong \`acl\` and \`mtls-auth\` credentials (a group, a subject name), prose in \`data\` (documentation stand-ins such
as "shhhh! it's a secret", which the API server would reject as base64), documents with a
\`sops:\` block, and Secrets without data (a \`kubernetes.io/service-account-token\` Secret is filled by the token
controller). SealedSecret, ExternalSecret and SopsSecret are other kinds and never match. A value that is not valid
base64 is reported too: the API server rejects it, and it is probably the plain secret.`,
  remediation:
    'Remove the Secret from the repository (and rotate what it held), and deliver it with an ExternalSecret (External Secrets Operator), a SealedSecret (Bitnami sealed-secrets) or a SOPS-encrypted file decrypted at deploy time.',
  references: [
    'https://kubernetes.io/docs/concepts/configuration/secret/',
    'https://kubernetes.io/docs/concepts/security/secrets-good-practices/',
    'https://external-secrets.io/latest/',
    'https://github.com/bitnami-labs/sealed-secrets',
    'https://github.com/getsops/sops',
  ],
  messages: {
    committed:
      '{{resource}} commits {{field}} key "{{key}}" holding {{holds}}: base64 is not encryption; rotate it and deliver it with an ExternalSecret, a SealedSecret or SOPS instead.',
  },
  examples: {
    invalid: {
      'tls-secret-with-private-key': yaml`
        apiVersion: v1
        kind: Secret
        metadata:
          name: web-tls
        type: kubernetes.io/tls
        data:
          tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJjekNDQVJtZ0F3SUJBZ0lVCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K
          tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JR0hBZ0VBTUJNR0J5cUdTTTQ5QWdFR0NDcUdTTTQ5QXdFSEJHMHdhd0lCQVFRZy9QV29NVGtRM0N4UlpKeGsKd2F1UHU1ZUhXYjNFWlNLOVVBSmMvZFVicklHaFJBTkNBQVNLZEFNWGI1T1JkTVBwZnVFbHdxY1FZTFF6bGRjSApDb2g2cmVTaUJETGJUU01zanVLOGhUaU9tWDlpejJUN3p4LzRpNXpsVUt0c2FObFJGOEo4NFJyUQotLS0tLUVORCBQUklWQVRFIEtFWS0tLS0tCg== # expect: secret-in-manifest @3-336
      `,
      'basic-auth-string-data': yaml`
        apiVersion: v1
        kind: Secret
        metadata:
          name: registry-login
        type: kubernetes.io/basic-auth
        stringData:
          username: deploy
          password: nr3yBdGBL#EPH1 # expect: secret-in-manifest @3-27
      `,
    },
    valid: {
      'service-account-token-without-data': yaml`
        apiVersion: v1
        kind: Secret
        metadata:
          name: build-robot-token
          annotations:
            kubernetes.io/service-account.name: build-robot
        type: kubernetes.io/service-account-token
      `,
      'placeholders-and-templates': yaml`
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
        stringData:
          password: REPLACE_ME
          token: \${API_TOKEN}
        data:
          api-key: ""
      `,
      'external-secret': yaml`
        apiVersion: external-secrets.io/v1beta1
        kind: ExternalSecret
        metadata:
          name: db
        spec:
          secretStoreRef: {name: vault, kind: ClusterSecretStore}
          target: {name: db}
          data:
            - secretKey: password
              remoteRef: {key: secret/db, property: password}
      `,
    },
  },
  check({ graph, settings, report }) {
    for (const secret of graph.ofKind('Secret', '')) {
      for (const entry of committedEntries(secret.body)) {
        report({
          resource: secret,
          path: entry.path,
          messageId: 'committed',
          data: { field: entry.field, key: entry.key, holds: entry.holds },
          identity: secretIdentity(
            settings.secrets.fingerprintSalt,
            'secret-in-manifest',
            ...writtenAt(secret.source.file, secret.source.document, entry.path, secret.source.base),
            entry.value,
          ),
        });
      }
    }
  },
});

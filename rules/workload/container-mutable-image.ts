import { defineRule, yaml } from '../../src/engine/rule.js';
import { str } from '../../src/model/values.js';

/** Splits an image reference into repository, tag and digest (a registry port is not a tag). */
function parseImageReference(image: string): { repository: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const rest = at === -1 ? image : image.slice(0, at);
  const colon = rest.lastIndexOf(':');
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : undefined;
  return { repository: tag === undefined ? rest : rest.slice(0, colon), tag, digest };
}

/** Digest lengths by algorithm (OCI image spec, "Digests": sha256 is 64 hex digits, sha512 128). */
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

function isWellFormedDigest(digest: string): boolean {
  const colon = digest.indexOf(':');
  const length = DIGEST_LENGTHS[digest.slice(0, colon)];
  const hex = digest.slice(colon + 1);
  return colon !== -1 && length !== undefined && hex.length === length && /^[a-f0-9]+$/.test(hex);
}

export default defineRule({
  id: 'container-mutable-image',
  title: 'Container images must be pinned by digest',
  severity: 'error',
  securitySeverity: 5.5,
  tags: ['security', 'container', 'supply-chain', 'immutability'],
  description: `A tag is a mutable pointer: whoever can push to the registry can change what \`app:1.4\` means, and the
next pod that starts (a reschedule, a scale-up) runs the new image without any change in the repository. \`:latest\`
or no tag at all (which means \`latest\`) is worse: it changes on every push and implies \`imagePullPolicy: Always\`.
Only a digest (\`@sha256:...\`) names exactly one image, so that what was reviewed and scanned is what runs.

Severity: **error** for \`:latest\` or no tag, **warning** for a tag without a digest. A reference with both a tag and
a digest (\`nginx:1.27@sha256:...\`) is pinned: the runtime uses the digest and the tag stays readable. A registry port
(\`registry:5000/app\`) is not mistaken for a tag. A digest that is not one (\`@sha256:123456\`: the OCI image spec
requires 64 lowercase hex digits for sha256, 128 for sha512) is reported as a malformed digest, an **error**: the
runtime refuses the reference, so the pod never starts as written. Images set by kustomize's \`images:\` transformer are not seen
here: lint the rendered output.`,
  remediation:
    'Reference the image by digest, for example `nginx:1.27@sha256:<digest>` (`docker buildx imagetools inspect nginx:1.27` prints it), and let a bot such as Renovate update the digest.',
  references: ['https://kubernetes.io/docs/concepts/containers/images/#image-names'],
  messages: {
    latest:
      'Container "{{container}}" of {{resource}} uses image "{{image}}" with {{why}}: the image can change under the same name; pin it by digest (image@sha256:...).',
    malformedDigest:
      'Container "{{container}}" of {{resource}} uses image "{{image}}" with a malformed digest "{{digest}}" ({{why}}): the image cannot be pulled as written. Use the full digest (sha256: and 64 hex digits).',
    tagOnly:
      'Container "{{container}}" of {{resource}} uses image "{{image}}" without a digest: a tag can be moved; pin it by digest (image@sha256:...).',
  },
  examples: {
    invalid: {
      'latest-tag': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
                - name: app
                  image: nginx:latest # expect: container-mutable-image @18-30
      `,
      'no-tag-means-latest': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: registry.example.com:5000/team/web # expect: container-mutable-image @14-48
      `,
      'truncated-digest': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: nginx@sha256:123456 # expect: container-mutable-image @14-33
      `,
      'tag-without-digest-is-a-warning': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: nginx:1.27.3 # expect: container-mutable-image @14-26
      `,
    },
    valid: {
      'tag-and-digest': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: nginx:1.27.3@sha256:4f5f2c2a6a4e1b1f9d0b54bc7b3e4d6e0c4a4f6b5d1a1f0e2c3b4a5d6e7f8a9b
      `,
      'digest-with-registry-port': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: registry.example.com:5000/web@sha256:4f5f2c2a6a4e1b1f9d0b54bc7b3e4d6e0c4a4f6b5d1a1f0e2c3b4a5d6e7f8a9b
      `,
    },
  },
  check({ graph, report }) {
    for (const workload of graph.workloads) {
      for (const container of workload.pod.containers) {
        const image = str(container.spec.image);
        if (!image) continue;
        const { tag, digest } = parseImageReference(image);
        const path = [...container.path, 'image'];
        const data = { container: container.name, image };
        if (digest !== undefined) {
          if (!isWellFormedDigest(digest))
            report({
              resource: workload,
              path,
              target: 'value',
              messageId: 'malformedDigest',
              data: { ...data, digest, why: digestProblem(digest) },
            });
          continue;
        }
        if (tag === undefined || tag === 'latest') {
          report({
            resource: workload,
            path,
            target: 'value',
            messageId: 'latest',
            data: { ...data, why: tag ? 'the :latest tag' : 'no tag (that is :latest)' },
          });
        } else {
          report({ resource: workload, path, target: 'value', messageId: 'tagOnly', data, severity: 'warning' });
        }
      }
    }
  },
});

function digestProblem(digest: string): string {
  const colon = digest.indexOf(':');
  const algorithm = colon === -1 ? undefined : digest.slice(0, colon);
  if (algorithm === undefined || DIGEST_LENGTHS[algorithm] === undefined)
    return 'no known algorithm: sha256, sha384 or sha512';
  const hex = digest.slice(colon + 1);
  if (!/^[a-f0-9]*$/.test(hex)) return 'not lowercase hex';
  return `${hex.length} hex digits where ${algorithm} has ${DIGEST_LENGTHS[algorithm]}`;
}

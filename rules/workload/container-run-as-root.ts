import { defineRule, yaml } from '../../src/engine/rule.js';
import { effectiveSecurityField, isInjectedContainer } from '../../src/model/kubernetes/index.js';
import { formatPath, type Path } from '../../src/model/values.js';

export default defineRule({
  id: 'container-run-as-root',
  title: 'Containers must run as a non-root user',
  severity: 'error',
  securitySeverity: 6.5,
  tags: ['security', 'container', 'privilege', 'pod-security-standards'],
  description: `A process that runs as UID 0 in a container is root on the node's kernel as far as everything the
container can reach is concerned: a writable host path, a kernel or runtime escape, a mounted socket. The Pod Security
Standards' **restricted** profile ("Running as Non-root", "Running as Non-root user") requires
\`runAsNonRoot: true\` at the pod level or on every container, and forbids \`runAsUser: 0\` anywhere
(kubernetes.io/docs/concepts/security/pod-security-standards). With \`runAsNonRoot: true\` the kubelet refuses to start a
container whose image would run as root, so the guarantee does not depend on the image's \`USER\` line.

The pod's \`securityContext\` is inherited: a container field wins over the pod's, as the kubelet applies them
(\`PodSecurityContext\` in the Kubernetes API). Severity: **error** for \`runAsUser: 0\` or \`runAsNonRoot: false\`,
**warning** when \`runAsNonRoot\` is not set (reported once per workload, naming the containers; a non-zero
\`runAsUser\` is still reported, as the standard asks, because a later edit or an image without that user brings root
back silently). Containers a mesh injects (\`istio-proxy\`, \`istio-init\`, \`linkerd-proxy\`, \`linkerd-init\`) are
configured by the mesh, not by the manifest, and are not judged.`,
  remediation:
    'Set `securityContext.runAsNonRoot: true` (and a non-zero `runAsUser` if the image has no user) in the pod spec, and remove `runAsUser: 0`.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
  messages: {
    rootUser:
      '{{resource}} runs container(s) {{containers}} as root ({{where}}: 0): set a non-zero runAsUser and runAsNonRoot: true.',
    nonRootFalse:
      '{{resource}} allows container(s) {{containers}} to run as root ({{where}}: false): set runAsNonRoot: true.',
    notRequired:
      '{{resource}} does not require container(s) {{containers}} to run as non-root: set securityContext.runAsNonRoot: true in the pod spec.',
  },
  examples: {
    invalid: {
      'no-run-as-non-root': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          template:
            spec: # expect: container-run-as-root @5-9
              containers:
                - { name: app, image: nginx:1.27 }
      `,
      'root-user-in-a-container-overrides-the-pod': yaml`
        apiVersion: v1
        kind: Pod
        metadata: { name: web }
        spec:
          securityContext: { runAsNonRoot: true, runAsUser: 1000 }
          containers:
            - name: app
              image: nginx:1.27
              securityContext:
                runAsUser: 0 # expect: container-run-as-root @20-21
      `,
      'pod-level-false': yaml`
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata: { name: web }
        spec:
          template:
            spec:
              securityContext:
                runAsNonRoot: false # expect: container-run-as-root @23-28
              containers:
                - { name: app, image: nginx:1.27 }
      `,
    },
    valid: {
      'pod-level-setting-is-inherited': yaml`
        apiVersion: apps.openshift.io/v1
        kind: DeploymentConfig
        metadata: { name: web }
        spec:
          template:
            spec:
              securityContext: { runAsNonRoot: true }
              containers:
                - { name: app, image: nginx:1.27 }
                - { name: sidecar, image: envoy:1.32 }
      `,
      'every-container-sets-it-and-the-injected-proxy-is-not-judged': yaml`
        apiVersion: v1
        kind: Pod
        metadata: { name: web }
        spec:
          initContainers:
            - name: istio-init
              image: docker.io/istio/proxyv2:1.24.0
              securityContext: { runAsUser: 0, runAsNonRoot: false }
          containers:
            - name: app
              image: nginx:1.27
              securityContext: { runAsNonRoot: true }
      `,
    },
  },
  check({ graph, report }) {
    for (const workload of graph.workloads) {
      const offences = new Map<
        string,
        { path: Path; messageId: 'rootUser' | 'nonRootFalse' | 'notRequired'; containers: string[]; where: string }
      >();
      const add = (
        key: string,
        path: Path,
        messageId: 'rootUser' | 'nonRootFalse' | 'notRequired',
        where: string,
        container: string,
      ) => {
        const entry = offences.get(key) ?? { path, messageId, containers: [], where };
        entry.containers.push(container);
        offences.set(key, entry);
      };
      for (const container of workload.pod.containers) {
        if (isInjectedContainer(container)) continue;
        const user = effectiveSecurityField(workload, container, ['runAsUser']);
        if (user.path && user.value === 0) {
          add(formatPath(user.path), user.path, 'rootUser', `${user.from} runAsUser`, container.name);
          continue;
        }
        const nonRoot = effectiveSecurityField(workload, container, ['runAsNonRoot']);
        if (nonRoot.value === true) continue;
        if (nonRoot.path)
          add(formatPath(nonRoot.path), nonRoot.path, 'nonRootFalse', `${nonRoot.from} runAsNonRoot`, container.name);
        else
          add(
            'missing',
            [...workload.pod.specPath, 'securityContext', 'runAsNonRoot'],
            'notRequired',
            '',
            container.name,
          );
      }
      for (const { path, messageId, containers, where } of offences.values()) {
        report({
          resource: workload,
          path,
          target: messageId === 'notRequired' ? undefined : 'value',
          messageId,
          data: { containers: containers.map((name) => `"${name}"`).join(', '), where },
          severity: messageId === 'notRequired' ? 'warning' : undefined,
          // An explicit runAsNonRoot: false or runAsUser: 0 says the image needs root: only the missing setting is set.
          ...(messageId === 'notRequired'
            ? {
                fix: {
                  title: 'Set securityContext.runAsNonRoot: true in the pod spec',
                  changes: [{ set: path, value: true }],
                },
              }
            : {}),
        });
      }
    }
  },
});

import { defineRule, yaml } from '../../src/engine/rule.js';
import { effectiveSecurityField, isInjectedContainer, isWindowsPod } from '../../src/model/kubernetes/index.js';
import { formatPath, type Path } from '../../src/model/values.js';

export default defineRule({
  id: 'container-no-seccomp',
  title: 'Containers must run with a seccomp profile',
  severity: 'error',
  securitySeverity: 5.5,
  tags: ['security', 'container', 'pod-security-standards'],
  description: `seccomp filters the system calls a process may make; the container runtime's default profile
(\`RuntimeDefault\`) blocks dozens that containers never need and that kernel exploits and escapes use
(\`unshare\`, \`keyctl\`, \`bpf\`, \`mount\` ...). Kubernetes does **not** apply it by default: without
\`seccompProfile\` a container runs \`Unconfined\` (unless the kubelet's \`--seccomp-default\` is on, which manifests
cannot see). The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards, "Seccomp")
forbid \`Unconfined\` in **baseline** and require \`RuntimeDefault\` or \`Localhost\` in **restricted**, set at the pod
level or on every container.

The pod's \`securityContext.seccompProfile\` is inherited: a container's own profile wins over it. Severity:
**error** for an explicit \`Unconfined\`, **warning** when no profile is set (reported once per workload, naming the
containers, at the pod's securityContext where one line fixes them all). The deprecated
\`seccomp.security.alpha.kubernetes.io\` annotations are not read: deprecated when the fields went GA in 1.19
(KEP-135), no longer copied to the fields since 1.25, and without effect in current Kubernetes. Windows pods (\`spec.os.name: windows\`) are exempt, and containers a mesh injects
(\`istio-proxy\`, \`istio-init\`, \`linkerd-proxy\`, \`linkerd-init\`) are the mesh's to configure.`,
  remediation:
    'Set `securityContext.seccompProfile: { type: RuntimeDefault }` in the pod spec (or `Localhost` with a profile of your own).',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    'https://kubernetes.io/docs/tutorials/security/seccomp/',
  ],
  messages: {
    unconfined:
      '{{resource}} runs container(s) {{containers}} without seccomp ({{where}}: Unconfined): use RuntimeDefault or Localhost.',
    missing:
      '{{resource}} sets no seccomp profile for container(s) {{containers}}, so they run Unconfined: set securityContext.seccompProfile.type: RuntimeDefault in the pod spec.',
  },
  examples: {
    invalid: {
      'no-profile': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          template:
            spec:
              securityContext: # expect: container-no-seccomp @7-22
                runAsNonRoot: true
              containers:
                - { name: app, image: nginx:1.27 }
      `,
      'container-unconfined-overrides-the-pod': yaml`
        apiVersion: v1
        kind: Pod
        metadata: { name: web }
        spec:
          securityContext:
            seccompProfile: { type: RuntimeDefault }
          containers:
            - name: app
              image: nginx:1.27
              securityContext:
                seccompProfile:
                  type: Unconfined # expect: container-no-seccomp @17-27
      `,
    },
    valid: {
      'pod-level-runtime-default-is-inherited': yaml`
        apiVersion: apps.openshift.io/v1
        kind: DeploymentConfig
        metadata: { name: web }
        spec:
          template:
            spec:
              securityContext:
                seccompProfile: { type: RuntimeDefault }
              containers:
                - { name: app, image: nginx:1.27 }
      `,
      'every-container-localhost-and-injected-proxy': yaml`
        apiVersion: v1
        kind: Pod
        metadata: { name: web }
        spec:
          containers:
            - name: app
              image: nginx:1.27
              securityContext:
                seccompProfile: { type: Localhost, localhostProfile: profiles/app.json }
            - name: istio-proxy
              image: docker.io/istio/proxyv2:1.24.0
      `,
    },
  },
  check({ graph, report }) {
    for (const workload of graph.workloads) {
      if (isWindowsPod(workload)) continue;
      const offences = new Map<
        string,
        { path: Path; messageId: 'unconfined' | 'missing'; containers: string[]; where: string }
      >();
      for (const container of workload.pod.containers) {
        if (isInjectedContainer(container)) continue;
        const profile = effectiveSecurityField(workload, container, ['seccompProfile', 'type']);
        if (profile.value === 'RuntimeDefault' || profile.value === 'Localhost') continue;
        const unconfined = profile.path !== undefined && profile.value === 'Unconfined';
        // An unknown type is schema-invalid (the API server rejects it); only the missing and Unconfined cases are ours.
        if (profile.path !== undefined && !unconfined) continue;
        const path = profile.path ?? [...workload.pod.specPath, 'securityContext', 'seccompProfile'];
        const key = formatPath(path);
        const entry = offences.get(key) ?? {
          path,
          messageId: unconfined ? 'unconfined' : 'missing',
          containers: [],
          where: `${profile.from} seccompProfile.type`,
        };
        entry.containers.push(container.name);
        offences.set(key, entry);
      }
      for (const { path, messageId, containers, where } of offences.values()) {
        report({
          resource: workload,
          path,
          target: messageId === 'unconfined' ? 'value' : undefined,
          messageId,
          data: { containers: containers.map((name) => `"${name}"`).join(', '), where },
          severity: messageId === 'missing' ? 'warning' : undefined,
          // An explicit Unconfined may be needed by the workload: only the missing profile is set mechanically.
          ...(messageId === 'missing'
            ? {
                fix: {
                  title: 'Set securityContext.seccompProfile.type: RuntimeDefault in the pod spec',
                  changes: [{ set: [...path, 'type'], value: 'RuntimeDefault' }],
                },
              }
            : {}),
        });
      }
    }
  },
});

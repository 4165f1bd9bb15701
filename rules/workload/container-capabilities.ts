import { defineRule, yaml } from '../../src/engine/rule.js';
import { isInjectedContainer, isWindowsPod } from '../../src/model/kubernetes/index.js';
import { arr, get, str } from '../../src/model/values.js';

/** The capabilities the baseline profile lets a container add: the container runtimes' default set. */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** `cap_net_admin`, `CAP_NET_ADMIN` and `NET_ADMIN` name one capability. */
function capabilityName(value: string): string {
  const upper = value.toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

export default defineRule({
  id: 'container-capabilities',
  title: 'Containers must drop all capabilities and add back at most NET_BIND_SERVICE',
  severity: 'error',
  securitySeverity: 6.5,
  tags: ['security', 'container', 'privilege', 'pod-security-standards'],
  description: `Linux capabilities split root's power into pieces; a container runtime grants a default set
(\`CHOWN\`, \`DAC_OVERRIDE\`, \`FOWNER\`, \`SETUID\`, \`SETGID\`, \`NET_RAW\` in some runtimes ...) unless the container
drops them. The Pod Security Standards define two levels (kubernetes.io/docs/concepts/security/pod-security-standards):
**baseline** ("Capabilities") forbids adding anything beyond that default set (\`AUDIT_WRITE\`, \`CHOWN\`,
\`DAC_OVERRIDE\`, \`FOWNER\`, \`FSETID\`, \`KILL\`, \`MKNOD\`, \`NET_BIND_SERVICE\`, \`SETFCAP\`, \`SETGID\`, \`SETPCAP\`,
\`SETUID\`, \`SYS_CHROOT\`), and **restricted** ("Capabilities (v1.22+)") requires \`drop: ["ALL"]\` on every container
and allows adding back only \`NET_BIND_SERVICE\`. \`NET_ADMIN\`, \`SYS_ADMIN\`, \`SYS_PTRACE\`, \`BPF\` and the like give
a compromised process the means to rewrite the pod's network (and bypass a mesh sidecar's redirection), mount file
systems or read other processes' memory.

Severity: **error** for a capability beyond the baseline set, **warning** for a baseline capability other than
\`NET_BIND_SERVICE\` and for a missing \`drop: ["ALL"]\`. Capabilities exist only on containers (no pod-level field).
The drop list must hold exactly \`ALL\`: Pod Security admission compares the string as written
(\`check_capabilities_restricted.go\` in kubernetes/pod-security-admission), so \`all\` is refused in a restricted
namespace. Windows pods (\`spec.os.name: windows\`) are exempt, as the standard says. The \`NET_ADMIN\`/\`NET_RAW\` of Istio's and
Linkerd's init containers are added by the injector, not written in the manifest; when a rendered manifest holds them
(\`istio-init\`, \`linkerd-init\`, \`istio-proxy\`, \`linkerd-proxy\`), they are the mesh's and are not judged.`,
  remediation:
    'Set `securityContext.capabilities.drop: ["ALL"]` on the container and add back only what it needs (`NET_BIND_SERVICE` to bind ports below 1024).',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
    'https://man7.org/linux/man-pages/man7/capabilities.7.html',
  ],
  messages: {
    addedDangerous:
      'Container "{{container}}" of {{resource}} adds capability {{capability}}, beyond what the baseline Pod Security Standard allows: remove it.',
    added:
      'Container "{{container}}" of {{resource}} adds capability {{capability}}: the restricted Pod Security Standard allows adding back only NET_BIND_SERVICE.',
    dropNotAll:
      'Container "{{container}}" of {{resource}} does not drop all capabilities: set securityContext.capabilities.drop: ["ALL"].',
  },
  examples: {
    invalid: {
      'adds-net-admin-and-keeps-the-defaults': yaml`
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: { name: agent }
        spec:
          template:
            spec:
              containers:
                - name: agent
                  image: agent:1.0
                  securityContext:
                    capabilities: # expect: container-capabilities @13-25
                      add:
                        - NET_ADMIN # expect: container-capabilities @19-28
                        - CHOWN # expect: container-capabilities @19-24
      `,
      'drop-list-without-all': yaml`
        apiVersion: v1
        kind: Pod
        metadata: { name: web }
        spec:
          containers:
            - name: app
              image: nginx:1.27
              securityContext:
                capabilities:
                  drop: [NET_RAW] # expect: container-capabilities @11-15
            - name: lower-case
              image: nginx:1.27
              securityContext:
                capabilities:
                  drop: [all] # expect: container-capabilities @11-15
      `,
    },
    valid: {
      'drop-all-add-net-bind-service': yaml`
        apiVersion: v1
        kind: Pod
        metadata: { name: web }
        spec:
          containers:
            - name: app
              image: nginx:1.27
              securityContext:
                capabilities: { drop: [ALL], add: [NET_BIND_SERVICE] }
      `,
      'injected-init-container-and-windows-pod': yaml`
        apiVersion: v1
        kind: Pod
        metadata: { name: web }
        spec:
          initContainers:
            - name: istio-init
              image: docker.io/istio/proxyv2:1.24.0
              securityContext:
                capabilities: { add: [NET_ADMIN, NET_RAW], drop: [ALL] }
          containers:
            - name: app
              image: nginx:1.27
              securityContext:
                capabilities: { drop: [ALL] }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: windows }
        spec:
          os: { name: windows }
          containers:
            - { name: app, image: mcr.microsoft.com/windows/servercore:ltsc2022 }
      `,
    },
  },
  check({ graph, report }) {
    for (const workload of graph.workloads) {
      if (isWindowsPod(workload)) continue;
      for (const container of workload.pod.containers) {
        if (isInjectedContainer(container)) continue;
        const capabilitiesPath = [...container.path, 'securityContext', 'capabilities'];
        const capabilities = get(container.spec, 'securityContext', 'capabilities');
        arr(get(capabilities, 'add')).forEach((entry, index) => {
          const capability = str(entry);
          if (capability === undefined) return;
          const name = capabilityName(capability);
          if (name === 'NET_BIND_SERVICE') return;
          const baseline = BASELINE_CAPABILITIES.has(name);
          report({
            resource: workload,
            path: [...capabilitiesPath, 'add', index],
            target: 'value',
            messageId: baseline ? 'added' : 'addedDangerous',
            data: { container: container.name, capability },
            severity: baseline ? 'warning' : undefined,
          });
        });
        const drop = get(capabilities, 'drop');
        // Pod Security admission compares the exact string "ALL" (check_capabilities_restricted.go): `all` is rejected.
        if (arr(drop).some((entry) => entry === 'ALL')) continue;
        const dropPath = [...capabilitiesPath, 'drop'];
        report({
          resource: workload,
          path: drop === undefined ? capabilitiesPath : dropPath,
          messageId: 'dropNotAll',
          data: { container: container.name },
          severity: 'warning',
          // ALL in place of the first entry drops what that entry dropped and every other capability too.
          fix: {
            title: 'Drop all capabilities (securityContext.capabilities.drop: [ALL])',
            changes: [
              arr(drop).length > 0 ? { set: [...dropPath, 0], value: 'ALL' } : { set: dropPath, value: ['ALL'] },
            ],
          },
        });
      }
    }
  },
});

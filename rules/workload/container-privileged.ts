import { defineRule, yaml } from '../../src/engine/rule.js';
import { obj } from '../../src/model/values.js';

const HOST_NAMESPACES = ['hostPID', 'hostIPC', 'hostNetwork'] as const;

export default defineRule({
  id: 'container-privileged',
  title: 'Containers must not run privileged or share host namespaces',
  severity: 'error',
  securitySeverity: 9.0,
  tags: ['security', 'container', 'privilege', 'CIS-5.2'],
  description: `A privileged container has every Linux capability and access to all host devices: escaping it is
trivial, so it is the host. Sharing the host's namespaces breaks isolation at the pod level: \`hostPID\` lets the pod
see and signal (and with ptrace, read the memory of) every process on the node, \`hostIPC\` shares System V IPC and
shared memory with them, and \`hostNetwork\` puts the pod on the node's network stack, where it can reach
node-local services and bypasses NetworkPolicy and the Istio sidecar (hostNetwork pods are never injected).

These fields are booleans: a quoted \`"true"\` (or any other non-boolean) is refused by the API server ("cannot
unmarshal string into Go struct field ... of type bool"), so such a manifest asks for privilege and never deploys
as written; it is reported too, rather than read as "not privileged".`,
  remediation:
    'Remove `securityContext.privileged: true` (grant only the specific capabilities needed under `capabilities.add`), and remove `hostPID`, `hostIPC` and `hostNetwork` from the pod spec.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
  messages: {
    privileged:
      'Container "{{container}}" of {{resource}} runs privileged (every capability and host device): remove securityContext.privileged or set it to false.',
    hostNamespace:
      "{{resource}} sets {{field}}: true, sharing the node's {{what}}: remove {{field}} from the pod spec.",
    notBoolean:
      '{{resource}} sets {{field}} to {{value}}, which is not a boolean: the API server rejects the manifest. Write false (or remove the field); quoting true does not make it safe.',
  },
  examples: {
    invalid: {
      'privileged-container': yaml`
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: agent
        spec:
          template:
            spec:
              containers:
                - name: agent
                  image: agent:1.0
                  securityContext:
                    privileged: true # expect: container-privileged @13-29
      `,
      'host-pid-and-network': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: debug
        spec:
          hostPID: true # expect: container-privileged @3-16
          hostNetwork: yes # expect: container-privileged @3-19
          containers:
            - name: shell
              image: busybox:1.37
      `,
      'quoted-true-is-rejected-not-ignored': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: quoted
        spec:
          hostNetwork: "true" # expect: container-privileged @3-22
          containers:
            - name: app
              image: app:1.0
              securityContext:
                privileged: "true" # expect: container-privileged @9-27
      `,
    },
    valid: {
      'explicitly-unprivileged': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          hostNetwork: false
          containers:
            - name: app
              image: nginx:1.27
              securityContext:
                privileged: false
                capabilities:
                  drop: [ALL]
      `,
      'string-true-is-not-privileged': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: docs
        data:
          privileged: "true"
      `,
    },
  },
  check({ graph, report }) {
    const what = { hostPID: 'process namespace', hostIPC: 'IPC namespace', hostNetwork: 'network namespace' };
    for (const workload of graph.workloads) {
      for (const field of HOST_NAMESPACES) {
        const value = workload.pod.spec[field];
        if (value === true) {
          report({
            resource: workload,
            path: [...workload.pod.specPath, field],
            messageId: 'hostNamespace',
            data: { field, what: what[field] },
          });
        } else if (isNotBoolean(value)) {
          report({
            resource: workload,
            path: [...workload.pod.specPath, field],
            messageId: 'notBoolean',
            data: { field, value: JSON.stringify(value) },
          });
        }
      }
      for (const container of workload.pod.containers) {
        const privileged = obj(container.spec.securityContext).privileged;
        const path = [...container.path, 'securityContext', 'privileged'];
        if (privileged === true) {
          report({
            resource: workload,
            path,
            messageId: 'privileged',
            data: { container: container.name },
            fix: { title: 'Set securityContext.privileged: false', changes: [{ set: path, value: false }] },
          });
        } else if (isNotBoolean(privileged)) {
          report({
            resource: workload,
            path,
            messageId: 'notBoolean',
            data: {
              field: `securityContext.privileged of container "${container.name}"`,
              value: JSON.stringify(privileged),
            },
          });
        }
      }
    }
  },
});

/** Set, and not a boolean (null is the field left empty, which the API server reads as unset). */
function isNotBoolean(value: unknown): boolean {
  return value !== undefined && value !== null && typeof value !== 'boolean';
}

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
node-local services and bypasses NetworkPolicy and the Istio sidecar (hostNetwork pods are never injected).`,
  remediation: 'Remove `securityContext.privileged: true` (grant only the specific capabilities needed under `capabilities.add`), and remove `hostPID`, `hostIPC` and `hostNetwork` from the pod spec.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
  messages: {
    privileged: 'Container "{{container}}" of {{resource}} runs privileged (every capability and host device): remove securityContext.privileged or set it to false.',
    hostNamespace: '{{resource}} sets {{field}}: true, sharing the node\'s {{what}}: remove {{field}} from the pod spec.',
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
        if (workload.pod.spec[field] === true) {
          report({ resource: workload, path: [...workload.pod.specPath, field], messageId: 'hostNamespace', data: { field, what: what[field] } });
        }
      }
      for (const container of workload.pod.containers) {
        if (obj(container.spec.securityContext).privileged === true) {
          const path = [...container.path, 'securityContext', 'privileged'];
          report({ resource: workload, path, messageId: 'privileged', data: { container: container.name }, fix: { title: 'Set securityContext.privileged: false', changes: [{ set: path, value: false }] } });
        }
      }
    }
  },
});

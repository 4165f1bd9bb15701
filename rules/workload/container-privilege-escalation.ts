import { defineRule, yaml } from '../../src/engine/rule.js';
import { obj } from '../../src/model/values.js';

export default defineRule({
  id: 'container-privilege-escalation',
  title: 'Containers must forbid privilege escalation',
  severity: 'warning',
  securitySeverity: 6.0,
  tags: ['security', 'container', 'privilege', 'CIS-5.2'],
  description: `\`allowPrivilegeEscalation\` controls the kernel's \`no_new_privs\` flag. Unless it is explicitly
\`false\`, a process in the container can gain more privileges than its parent, through setuid or setgid binaries or
file capabilities, which turns a foothold as an unprivileged user into root in the container. Kubernetes defaults it to
\`true\`, so leaving it out is the same as allowing escalation.`,
  remediation: 'Set `securityContext.allowPrivilegeEscalation: false` on the container.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
  messages: {
    notFalse:
      'Container "{{container}}" of {{resource}} allows privilege escalation (setuid binaries can gain root): set securityContext.allowPrivilegeEscalation: false.',
  },
  examples: {
    invalid: {
      'left-at-the-default': yaml`
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
        spec:
          template:
            spec:
              containers:
                - name: postgres
                  image: postgres:17.2
                  securityContext: # expect: container-privilege-escalation @11-26
                    readOnlyRootFilesystem: true
      `,
      'explicitly-true': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: nginx:1.27
              securityContext:
                allowPrivilegeEscalation: true # expect: container-privilege-escalation @9-39
      `,
    },
    valid: {
      'explicitly-false': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: nginx:1.27
              securityContext:
                allowPrivilegeEscalation: false
      `,
    },
  },
  check({ graph, report }) {
    for (const workload of graph.workloads) {
      for (const container of workload.pod.containers) {
        if (obj(container.spec.securityContext).allowPrivilegeEscalation === false) continue;
        const path = [...container.path, 'securityContext', 'allowPrivilegeEscalation'];
        report({
          resource: workload,
          path,
          messageId: 'notFalse',
          data: { container: container.name },
          fix: { title: 'Set securityContext.allowPrivilegeEscalation: false', changes: [{ set: path, value: false }] },
        });
      }
    }
  },
});

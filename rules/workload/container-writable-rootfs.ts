import { defineRule, yaml } from '../../src/engine/rule.js';
import { obj } from '../../src/model/values.js';

export default defineRule({
  id: 'container-writable-rootfs',
  title: 'Containers must run with a read-only root filesystem',
  severity: 'error',
  securitySeverity: 6.0,
  tags: ['security', 'container', 'immutability', 'CIS-5.2'],
  description: `An attacker who gets code execution in a container with a writable root filesystem can drop tools,
modify binaries and configuration, and persist across process restarts. A read-only root filesystem makes the
container immutable at run time: everything it must write goes to an explicit \`emptyDir\` or volume.

Kubernetes only has this setting on the **container** securityContext
(\`containers[].securityContext.readOnlyRootFilesystem\`). The pod-level securityContext has no such field, so a
\`readOnlyRootFilesystem: true\` there is ignored by the API server and does not count. Every container is checked:
\`containers\`, \`initContainers\` and \`ephemeralContainers\`, in every workload kind (Pod, Deployment, StatefulSet,
DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate). Only the boolean \`true\` counts (YAML 1.1
\`yes\`/\`on\` are booleans too); the string \`"true"\` is rejected by the API server.`,
  remediation:
    'Set `securityContext.readOnlyRootFilesystem: true` on the container and mount an `emptyDir` volume at each path it must write (for example /tmp).',
  references: ['https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security-context-1'],
  messages: {
    missing:
      'Container "{{container}}" of {{resource}} has a writable root filesystem: set securityContext.readOnlyRootFilesystem: true (and mount emptyDir volumes where it writes).',
    notTrue:
      'Container "{{container}}" of {{resource}} sets readOnlyRootFilesystem to {{value}}: set it to true (and mount emptyDir volumes where it writes).',
  },
  examples: {
    invalid: {
      'container-without-security-context': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
                - name: app # expect: container-writable-rootfs @11-20
                  image: nginx:1.27
      `,
      'read-only-explicitly-false': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: nginx:1.27
              securityContext:
                readOnlyRootFilesystem: false # expect: container-writable-rootfs @9-38
      `,
      'pod-level-setting-does-not-count': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          securityContext:
            readOnlyRootFilesystem: true
          containers:
            - name: app
              image: nginx:1.27
              securityContext: # expect: container-writable-rootfs @7-22
                runAsNonRoot: true
      `,
      'init-container-of-cronjob': yaml`
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: report
        spec:
          schedule: "0 * * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  initContainers:
                    - name: fetch # expect: container-writable-rootfs @15-26
                      image: curlimages/curl:8.10.1
                  containers:
                    - name: report
                      image: busybox:1.37
                      securityContext:
                        readOnlyRootFilesystem: true
      `,
    },
    valid: {
      'read-only-root-filesystem': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
                - name: app
                  image: nginx:1.27
                  securityContext:
                    readOnlyRootFilesystem: true
                  volumeMounts:
                    - name: tmp
                      mountPath: /tmp
              volumes:
                - name: tmp
                  emptyDir: {}
      `,
      'yaml-1.1-yes-is-true': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: nginx:1.27
              securityContext:
                readOnlyRootFilesystem: yes
      `,
    },
  },
  check({ graph, report }) {
    for (const workload of graph.workloads) {
      for (const container of workload.pod.containers) {
        const value = obj(container.spec.securityContext).readOnlyRootFilesystem;
        if (value === true) continue;
        const path = [...container.path, 'securityContext', 'readOnlyRootFilesystem'];
        report({
          resource: workload,
          path,
          messageId: value === undefined ? 'missing' : 'notTrue',
          data: { container: container.name, value: JSON.stringify(value) },
          fix: { title: 'Set securityContext.readOnlyRootFilesystem: true', changes: [{ set: path, value: true }] },
        });
      }
    }
  },
});

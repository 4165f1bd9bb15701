import { defineRule, yaml } from '../../src/engine/rule.js';
import { arr, get, isObj, str } from '../../src/model/values.js';

/** Host directories whose mount (as a whole) hands the node to the pod: its root, configuration, kernel and devices. */
const NODE_DIRECTORIES = new Set([
  '/',
  '/etc',
  '/root',
  '/proc',
  '/sys',
  '/boot',
  '/dev',
  '/run',
  '/var/run',
  '/var',
  '/var/lib',
  '/home',
]);

/** Host paths that hand the node to the pod with anything under them: the kubelet's and the container runtimes' state and sockets. */
const NODE_CONTROL_PATHS = [
  '/var/lib/kubelet',
  '/etc/kubernetes',
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/var/run/containerd',
  '/run/containerd',
  '/var/run/crio',
  '/run/crio',
  '/var/run/cri-dockerd.sock',
  '/run/cri-dockerd.sock',
  '/var/lib/docker',
  '/var/lib/containerd',
];

/** The path without trailing slashes ('/' stays '/'); a loop, as a regex anchored at the end backtracks on '/' runs. */
function normalise(path: string): string {
  let end = path.length;
  while (end > 0 && path[end - 1] === '/') end -= 1;
  return end === 0 ? '/' : path.slice(0, end);
}

function takesOverNode(path: string): boolean {
  const normalised = normalise(path);
  return (
    NODE_DIRECTORIES.has(normalised) ||
    NODE_CONTROL_PATHS.some((danger) => normalised === danger || normalised.startsWith(`${danger}/`))
  );
}

export default defineRule({
  id: 'pod-host-path',
  title: 'Pods must not mount host paths',
  severity: 'warning',
  securitySeverity: 7.0,
  tags: ['security', 'pod', 'pod-security-standards'],
  description: `A \`hostPath\` volume mounts a file or directory of the node into the pod. Whatever the pod's
containers can write there, they write on the node: a log directory becomes a way to plant files the node runs, and
the container runtime's socket (\`/var/run/docker.sock\`, \`/run/containerd/containerd.sock\`) or the node's root lets
the pod start privileged containers and take the node over. The Pod Security Standards' **baseline** profile forbids
\`hostPath\` volumes outright ("HostPath Volumes": \`spec.volumes[*].hostPath\` must be undefined;
kubernetes.io/docs/concepts/security/pod-security-standards), and the Kubernetes volume documentation warns that
hostPath "exposes privileged system credentials".

Severity: **error** for the node's root and its whole \`/etc\`, \`/proc\`, \`/sys\`, \`/dev\`, \`/boot\`, \`/root\`,
\`/run\`, and anything under the kubelet's and the container runtimes' directories and sockets (a pod that mounts
them owns the node), **warning** for any other host path (\`/etc/ssl/certs\`, \`/var/log\`, \`/etc/cni/net.d\`: node
agents such as log shippers and CNI installers need some; suppress the finding with the reason).`,
  remediation:
    'Use an emptyDir, a PersistentVolumeClaim, a ConfigMap or a CSI volume instead; if a node agent truly needs the host path, mount it readOnly and suppress the finding with the reason.',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    'https://kubernetes.io/docs/concepts/storage/volumes/#hostpath',
  ],
  messages: {
    takeover:
      '{{resource}} mounts the host path "{{hostPath}}" (volume "{{volume}}"): a pod with it controls the node. Remove the hostPath volume.',
    hostPath:
      '{{resource}} mounts the host path "{{hostPath}}" (volume "{{volume}}"): its containers write to the node. Use another volume type, or mount it readOnly and suppress with the reason.',
  },
  examples: {
    invalid: {
      'runtime-socket': yaml`
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: { name: agent }
        spec:
          template:
            spec:
              containers:
                - { name: agent, image: agent:1.0, volumeMounts: [{ name: sock, mountPath: /var/run/docker.sock }] }
              volumes:
                - name: sock
                  hostPath: # expect: pod-host-path @11-19
                    path: /var/run/docker.sock
      `,
      'log-directory': yaml`
        apiVersion: v1
        kind: Pod
        metadata: { name: shipper }
        spec:
          containers:
            - { name: shipper, image: fluent-bit:3.2 }
          volumes:
            - name: logs
              hostPath: { path: /var/log } # expect: pod-host-path @7-15
      `,
    },
    valid: {
      'empty-dir-and-projected': yaml`
        apiVersion: v1
        kind: Pod
        metadata: { name: web }
        spec:
          containers:
            - { name: app, image: nginx:1.27 }
          volumes:
            - { name: cache, emptyDir: {} }
            - name: token
              projected: { sources: [{ serviceAccountToken: { path: token } }] }
      `,
    },
  },
  check({ graph, report }) {
    for (const workload of graph.workloads) {
      arr(workload.pod.spec.volumes).forEach((volume, index) => {
        const hostPath = get(volume, 'hostPath');
        if (!isObj(hostPath)) return;
        const path = str(hostPath.path) ?? '';
        report({
          resource: workload,
          path: [...workload.pod.specPath, 'volumes', index, 'hostPath'],
          target: 'key',
          messageId: takesOverNode(path) ? 'takeover' : 'hostPath',
          data: { hostPath: path, volume: str(get(volume, 'name')) ?? `#${index}` },
          severity: takesOverNode(path) ? 'error' : undefined,
        });
      });
    }
  },
});

import { defineRule, yaml } from '../../src/engine/rule.js';
import { arr, get } from '../../src/model/values.js';

export default defineRule({
  id: 'pod-host-ports',
  title: 'Containers must not bind host ports',
  severity: 'warning',
  securitySeverity: 5.0,
  tags: ['security', 'pod', 'network', 'pod-security-standards'],
  description: `\`hostPort\` makes the node itself listen on a port and forward it to the container. The port is
reachable by anyone who can reach the node, past the Service and the ingress gateway the cluster's design puts in
front of it; whether a NetworkPolicy applies to host-port traffic depends on the network plugin (the Kubernetes
documentation leaves it to the implementation). It also pins the pod to nodes where the port is free. The Pod Security Standards' **baseline** profile ("HostPorts") says
host ports "should be disallowed entirely (recommended) or restricted to a known list": \`hostPort\` must be undefined
or 0 on every container, init container and ephemeral container
(kubernetes.io/docs/concepts/security/pod-security-standards).

\`hostNetwork: true\` (which makes every container port a host port) is reported by \`container-privileged\`, so
this rule judges only ports that set \`hostPort\`.`,
  remediation:
    'Remove `hostPort` and expose the container through a Service (ClusterIP, NodePort or LoadBalancer) or an ingress gateway.',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    'https://kubernetes.io/docs/concepts/configuration/overview/#services',
  ],
  messages: {
    hostPort:
      'Container "{{container}}" of {{resource}} binds host port {{port}} on the node: remove hostPort and expose it through a Service.',
  },
  examples: {
    invalid: {
      'host-port': yaml`
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: { name: ingress }
        spec:
          template:
            spec:
              containers:
                - name: proxy
                  image: envoy:1.32
                  ports:
                    - containerPort: 8443
                      hostPort: 443 # expect: pod-host-ports @25-28
      `,
    },
    valid: {
      'container-port-only-and-zero': yaml`
        apiVersion: v1
        kind: Pod
        metadata: { name: web }
        spec:
          containers:
            - name: app
              image: nginx:1.27
              ports:
                - containerPort: 8080
                - { containerPort: 9090, hostPort: 0 }
      `,
    },
  },
  check({ graph, report }) {
    for (const workload of graph.workloads) {
      for (const container of workload.pod.containers) {
        arr(container.spec.ports).forEach((port, index) => {
          const hostPort = get(port, 'hostPort');
          if (hostPort === undefined || hostPort === null || hostPort === 0 || hostPort === '0') return;
          report({
            resource: workload,
            path: [...container.path, 'ports', index, 'hostPort'],
            target: 'value',
            messageId: 'hostPort',
            data: { container: container.name, port: String(hostPort) },
          });
        });
      }
    }
  },
});

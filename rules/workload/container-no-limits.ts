import { defineRule, yaml } from '../../src/engine/rule.js';
import type { Graph } from '../../src/model/graph.js';
import { arr, get, obj, str } from '../../src/model/values.js';

const RESOURCES = ['cpu', 'memory'] as const;

/** Resources that a LimitRange of the namespace fills in as container defaults. */
function defaultedByLimitRange(graph: Graph, namespace: string): Set<string> {
  return graph.memo(`container:limitRangeDefaults:${namespace}`, () => {
    const defaulted = new Set<string>();
    for (const range of graph.inNamespace('LimitRange', namespace)) {
      for (const limit of arr(get(range.body, 'spec', 'limits'))) {
        if (str(get(limit, 'type')) !== 'Container') continue;
        for (const name of Object.keys(obj(get(limit, 'default')))) defaulted.add(name);
      }
    }
    return defaulted;
  });
}

export default defineRule({
  id: 'container-no-limits',
  title: 'Containers must set CPU and memory limits',
  severity: 'warning',
  securitySeverity: 4.0,
  tags: ['security', 'container', 'availability', 'CIS-5.7'],
  description: `Without a memory limit a container can take all the memory of its node (a leak, a decompression bomb, a
deliberate denial of service) until the kernel's OOM killer picks victims, possibly the sidecar proxy or a neighbour's
pods. Without a CPU limit it can starve everything else scheduled on the node. Limits bound the blast radius of one
compromised or misbehaving workload.

A limit counts when the container sets it, or when a LimitRange of type \`Container\` in the same namespace (in the
scanned files) provides a \`default\` for it, since the API server then fills it in. Ephemeral (debug) containers
cannot have resources and are not checked.`,
  remediation:
    'Set `resources.limits.cpu` and `resources.limits.memory` on the container (sized from observed usage), or give the namespace a LimitRange with container defaults.',
  references: ['https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/'],
  messages: {
    missing:
      'Container "{{container}}" of {{resource}} has no {{missing}} limit: set resources.limits.{{first}} so that it cannot exhaust its node.',
  },
  examples: {
    invalid: {
      'no-resources-at-all': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
                - name: app # expect: container-no-limits @11-20
                  image: nginx:1.27
      `,
      'requests-but-no-memory-limit': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: nginx:1.27
              resources:
                requests:
                  memory: 64Mi
                limits: # expect: container-no-limits @9-15
                  cpu: 500m
      `,
    },
    valid: {
      'both-limits': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: nginx:1.27
              resources:
                limits: { cpu: 500m, memory: 128Mi }
      `,
      'namespace-limit-range-defaults': yaml`
        apiVersion: v1
        kind: LimitRange
        metadata:
          name: defaults
          namespace: shop
        spec:
          limits:
            - type: Container
              default: { cpu: 500m, memory: 256Mi }
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          namespace: shop
        spec:
          containers:
            - name: app
              image: nginx:1.27
      `,
    },
  },
  check({ graph, report }) {
    for (const workload of graph.workloads) {
      const defaulted = defaultedByLimitRange(graph, workload.namespace);
      for (const container of workload.pod.containers) {
        if (container.group === 'ephemeralContainers') continue;
        const limits = obj(get(container.spec, 'resources', 'limits'));
        const missing = RESOURCES.filter((r) => limits[r] === undefined && !defaulted.has(r));
        if (missing.length === 0) continue;
        report({
          resource: workload,
          path: [...container.path, 'resources', 'limits', missing[0]],
          messageId: 'missing',
          data: {
            container: container.name,
            missing: missing.join(' or '),
            first: missing.join(' and resources.limits.'),
          },
        });
      }
    }
  },
});

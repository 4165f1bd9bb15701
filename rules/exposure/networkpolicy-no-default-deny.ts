import { defineRule, yaml } from '../../src/engine/rule.js';
import type { Resource } from '../../src/model/resource.js';
import { workloadNamespaces } from '../../src/model/istio/index.js';
import { arr, get, isObj, obj } from '../../src/model/values.js';

/** podSelector {} (all pods), Ingress among the policy types, and no ingress rule: every inbound connection is denied. */
function deniesAllIngress(policy: Resource): boolean {
  const spec = obj(policy.body.spec);
  if (
    !isObj(spec.podSelector) ||
    Object.keys(spec.podSelector).some((k) => {
      const v = (spec.podSelector as Record<string, unknown>)[k];
      return Array.isArray(v) ? v.length > 0 : isObj(v) ? Object.keys(v).length > 0 : v !== null && v !== undefined;
    })
  )
    return false;
  const types = spec.policyTypes === undefined ? ['Ingress'] : arr(spec.policyTypes);
  if (!types.includes('Ingress')) return false;
  return arr(get(spec, 'ingress')).length === 0;
}

export default defineRule({
  id: 'networkpolicy-no-default-deny',
  title: 'Namespaces should deny ingress by default with a NetworkPolicy',
  severity: 'note',
  securitySeverity: 4.0,
  tags: ['security', 'kubernetes', 'network', 'defense-in-depth'],
  description: `Kubernetes pods accept connections from anywhere in the cluster until a NetworkPolicy selects them ("By default,
a pod is non-isolated for ingress; all inbound connections are allowed"). A mesh does not replace this layer: traffic
that bypasses the sidecar (excluded ports, hostNetwork or un-injected pods, UID 1337, a PERMISSIVE port) reaches the
pod directly, and only a NetworkPolicy (enforced by the CNI, below the mesh) stops it. Istio's security best practices
recommend both layers.

Reported (as a note) once per namespace with workloads when no NetworkPolicy of that namespace is a default deny:
\`podSelector: {}\`, \`Ingress\` in \`policyTypes\` (implied when \`policyTypes\` is absent) and no \`ingress\` rules. The
finding is on the Namespace object, or on the first workload when the repository has none.`,
  remediation:
    'Add a NetworkPolicy `default-deny-ingress` with `podSelector: {}` and `policyTypes: [Ingress]` to the namespace, then NetworkPolicies that allow the traffic each workload needs (including from the ingress gateway and istiod).',
  references: [
    'https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic',
    'https://istio.io/latest/docs/ops/best-practices/security/',
  ],
  messages: {
    missing:
      'Namespace {{namespace}} has workloads but no default-deny NetworkPolicy: any pod of the cluster can connect to them when the mesh is bypassed. Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress].',
  },
  examples: {
    invalid: {
      'allow-policy-is-not-default-deny': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web # expect: networkpolicy-no-default-deny @3-12
          namespace: shop
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: web:1.0 }]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: { name: web, namespace: shop }
        spec:
          podSelector: { matchLabels: { app: web } }
          ingress:
            - from: [{ podSelector: {} }]
      `,
    },
    valid: {
      'default-deny-ingress': yaml`
        apiVersion: v1
        kind: Namespace
        metadata: { name: shop }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            spec:
              containers: [{ name: web, image: web:1.0 }]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: { name: default-deny, namespace: shop }
        spec:
          podSelector: {}
          policyTypes: [Ingress, Egress]
      `,
    },
  },
  check({ graph, report }) {
    const denying = graph.memo(
      'network:defaultDenyNamespaces',
      (g) =>
        new Set(
          g
            .ofKind('NetworkPolicy', 'networking.k8s.io')
            .filter(deniesAllIngress)
            .map((p) => p.namespace),
        ),
    );
    for (const { namespace, anchor } of workloadNamespaces(graph)) {
      if (!denying.has(namespace)) report({ resource: anchor, messageId: 'missing', data: { namespace } });
    }
  },
});

import { defineRule, yaml } from '../../src/engine/rule.js';
import type { Graph } from '../../src/model/graph.js';
import {
  authorizationPolicies,
  inMesh,
  isEmptyRule,
  membership,
  workloadNamespaces,
  type AuthorizationPolicy,
} from '../../src/model/istio/index.js';

/** A namespace-wide policy that denies whatever no other ALLOW rule allows. */
function deniesByDefault(p: AuthorizationPolicy): boolean {
  if (p.selector || p.targetRefs || p.dryRun) return false;
  const rules = p.rules ?? [];
  if (p.action === 'ALLOW') return !rules.some(isEmptyRule);
  if (p.action === 'DENY') return rules.some(isEmptyRule);
  return false;
}

function defaultDenyNamespaces(graph: Graph): Set<string> {
  return graph.memo(
    'authz:defaultDenyNamespaces',
    (g) =>
      new Set(
        authorizationPolicies(g)
          .filter(deniesByDefault)
          .map((p) => p.resource.namespace),
      ),
  );
}

export default defineRule({
  id: 'authz-no-default-deny',
  title: 'Mesh namespaces should deny by default',
  severity: 'note',
  securitySeverity: 4.0,
  tags: ['security', 'istio', 'authorization', 'defense-in-depth'],
  description: `Istio allows every request to a workload that no ALLOW policy covers ("If there are no ALLOW policies for the
workload, allow the request"; istio/api \`authorization_policy.proto\`). Without a default deny, every new workload
and every forgotten port is open to the whole mesh (and, without STRICT mTLS, to anything on the network), and
least privilege depends on everyone remembering to write a policy. Istio's best practice is an \`allow-nothing\`
policy, \`spec: {}\`, per namespace (or in the root namespace for the whole mesh), then ALLOW policies for what is
needed.

Reported (as a note) once per namespace with in-mesh workloads when neither the namespace nor the root namespace
(\`mesh.rootNamespace\`) holds a selector-less policy that denies by default: an ALLOW policy without \`rules\` (allow
nothing) or whose rules are all conditional (every other request is denied), or a DENY policy with an empty rule.
Selector, \`targetRefs\` and dry-run policies do not count. Namespaces whose only in-mesh workloads are Istio gateways
are skipped: a deny-all there would block the ingress itself, and edge access is governed by the Gateway's servers. The finding is on the Namespace object, or on the first
workload when the repository has none.`,
  remediation:
    'Add `apiVersion: security.istio.io/v1, kind: AuthorizationPolicy, metadata: {name: allow-nothing, namespace: <ns>}, spec: {}` and ALLOW policies for the callers each workload needs.',
  references: [
    'https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns',
    'https://istio.io/latest/docs/reference/config/security/authorization-policy/',
  ],
  messages: {
    missing:
      "Namespace {{namespace}} has workloads in the mesh but no default-deny AuthorizationPolicy (its own or {{root}}'s): every request no policy covers is allowed. Add an allow-nothing policy (spec: {}) in {{namespace}}.",
  },
  examples: {
    invalid: {
      'injected-namespace-without-policies': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop # expect: authz-no-default-deny @3-13
          labels: { istio-injection: enabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            spec:
              containers: [{ name: web, image: web:1.0 }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: allow-all, namespace: shop }
        spec:
          rules: [{}]
      `,
    },
    valid: {
      'gateway-only-namespace': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: istio-ingress
          labels: { istio-injection: enabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: istio-ingress, namespace: istio-ingress }
        spec:
          template:
            metadata:
              labels: { istio: ingressgateway, sidecar.istio.io/inject: "true" }
              annotations: { inject.istio.io/templates: gateway }
            spec:
              containers: [{ name: istio-proxy, image: auto }]
      `,
      'allow-nothing-in-the-namespace': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            spec:
              containers: [{ name: web, image: web:1.0 }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: allow-nothing, namespace: shop }
        spec: {}
      `,
      'mesh-wide-deny-in-root-namespace': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio.io/dataplane-mode: ambient }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            spec:
              containers: [{ name: web, image: web:1.0 }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: allow-nothing, namespace: istio-system }
        spec:
          action: ALLOW
      `,
    },
  },
  check({ graph, settings, report }) {
    const mesh = settings.mesh;
    const denying = defaultDenyNamespaces(graph);
    if (denying.has(mesh.rootNamespace)) return;
    for (const { namespace, anchor, workloads } of workloadNamespaces(graph)) {
      if (denying.has(namespace)) continue;
      if (
        !workloads.some((w) => {
          const m = membership(graph, mesh, w);
          return inMesh(m) && !m.gateway;
        })
      )
        continue;
      report({ resource: anchor, messageId: 'missing', data: { namespace, root: mesh.rootNamespace } });
    }
  },
});

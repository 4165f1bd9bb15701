import { defineRule, yaml } from '../../src/engine/rule.js';
import type { Graph } from '../../src/model/graph.js';
import { describe, type Workload } from '../../src/model/resource.js';
import {
  authorizationPolicies, istioResources, nameList, policiesFor, policyScope, selectedWorkloads, sourceValues, type AuthorizationPolicy, type MeshSettings, type PolicyScope,
} from '../../src/model/istio.js';

/** ALLOW with requestPrincipals (or a request.auth.* condition), or DENY with notRequestPrincipals: tokens are required. */
function requiresToken(p: AuthorizationPolicy): boolean {
  if (p.dryRun) return false;
  if (p.action === 'ALLOW') {
    const values = sourceValues(p, ['requestPrincipals'], ['request.auth.principal', 'request.auth.audiences', 'request.auth.presenter']);
    if (values.some((v) => !v.field.startsWith('not '))) return true;
    return (p.rules ?? []).some((rule) => JSON.stringify(rule ?? '').includes('"request.auth.claims['));
  }
  if (p.action === 'DENY') return sourceValues(p, ['notRequestPrincipals']).length > 0;
  return false;
}

/** Policies that could cover the RequestAuthentication's pods when the repo does not hold them: same namespace or root, selector a subset of its own. */
function coveringPolicies(graph: Graph, mesh: MeshSettings, ra: PolicyScope): AuthorizationPolicy[] {
  const raLabels = ra.selector ?? {};
  return authorizationPolicies(graph).filter((p) => {
    if (p.targetRefs !== ra.targetRefs) return false;
    const ns = p.resource.namespace;
    if (ns !== ra.resource.namespace && ns !== mesh.rootNamespace) return false;
    return Object.entries(p.selector ?? {}).every(([k, v]) => raLabels[k] === v) && requiresToken(p);
  });
}

export default defineRule({
  id: 'jwt-not-enforced',
  family: 'authz',
  title: 'RequestAuthentication must be paired with a policy that requires a token',
  severity: 'error',
  securitySeverity: 8.0,
  tags: ['security', 'istio', 'authentication', 'jwt'],
  description: `A RequestAuthentication only **validates** tokens that are present: "A request that does not contain any
authentication credentials will be accepted but will not have any authenticated identity. To restrict access to
authenticated requests only, this should be accompanied by an authorization rule" (istio/api
\`security/v1beta1/request_authentication.proto\`; istiod builds each provider as \`allow_missing\`,
\`pilot/pkg/security/authn/policy_applier.go\`). A RequestAuthentication alone looks like JWT protection and lets every
request without a token through.

The workloads of the RequestAuthentication are selected as for AuthorizationPolicy (its namespace, all namespaces from
the root namespace, narrowed by the selector). Each must be covered by an ALLOW policy that requires
\`requestPrincipals\` (or a \`request.auth.*\` condition), or a DENY policy on \`notRequestPrincipals\`. When the repository
holds none of the selected workloads, a policy in the same namespace (or the root namespace) whose selector is a subset
of the RequestAuthentication's counts. Policies with \`targetRefs\` (gateways, waypoints) pair with RequestAuthentications
that use \`targetRefs\`.`,
  remediation: 'Add an AuthorizationPolicy for the same workloads with `action: ALLOW` and `from: [{source: {requestPrincipals: ["<issuer>/*"]}}]` (or `action: DENY` with `notRequestPrincipals: ["*"]`).',
  references: [
    'https://istio.io/latest/docs/reference/config/security/request_authentication/',
    'https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#require-a-valid-token',
  ],
  messages: {
    workloads: '{{resource}} validates tokens for {{workloads}}, but no AuthorizationPolicy requires one there: requests without a token are accepted. Add an ALLOW policy with requestPrincipals (or DENY notRequestPrincipals: ["*"]).',
    noPolicy: '{{resource}} validates tokens, but no AuthorizationPolicy for its workloads requires one: requests without a token are accepted. Add an ALLOW policy with requestPrincipals (or DENY notRequestPrincipals: ["*"]).',
  },
  examples: {
    invalid: {
      'request-authentication-alone': yaml`
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt # expect: jwt-not-enforced
          namespace: istio-system
        spec:
          selector: { matchLabels: { istio: ingressgateway } }
          jwtRules:
            - issuer: https://auth.example.com
              jwksUri: https://auth.example.com/.well-known/jwks.json
      `,
      'policy-covers-another-workload': yaml`
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt # expect: jwt-not-enforced
          namespace: shop
        spec:
          jwtRules: [{ issuer: https://auth.example.com }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: api-jwt, namespace: shop }
        spec:
          selector: { matchLabels: { app: api } }
          rules:
            - from: [{ source: { requestPrincipals: ["https://auth.example.com/*"] } }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: api, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: api } }
            spec:
              containers: [{ name: api, image: api:1.0 }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: web:1.0 }]
      `,
    },
    valid: {
      'paired-with-requestprincipals': yaml`
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: { name: jwt, namespace: istio-system }
        spec:
          selector: { matchLabels: { istio: ingressgateway } }
          jwtRules: [{ issuer: https://auth.example.com }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: require-jwt, namespace: istio-system }
        spec:
          selector: { matchLabels: { istio: ingressgateway } }
          action: DENY
          rules:
            - from: [{ source: { notRequestPrincipals: ["*"] } }]
      `,
    },
  },
  check({ graph, settings, report }) {
    const mesh = settings.mesh;
    for (const resource of istioResources(graph, 'RequestAuthentication')) {
      const scope = policyScope(resource);
      const workloads = selectedWorkloads(graph, mesh, scope);
      if (workloads.length > 0) {
        const open: Workload[] = workloads.filter((w) => !policiesFor(graph, mesh, w).some(requiresToken));
        if (open.length === 0) continue;
        report({
          resource,
          messageId: 'workloads',
          data: { workloads: nameList(open) },
          related: open.slice(0, 5).map((w) => ({ resource: w, message: `${describe(w)} accepts requests without a token` })),
        });
      } else if (coveringPolicies(graph, mesh, scope).length === 0) {
        report({ resource, messageId: 'noPolicy' });
      }
    }
  },
});

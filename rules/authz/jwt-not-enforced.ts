import { defineRule, yaml } from '../../src/engine/rule.js';
import { arr, get, isObj, obj, str } from '../../src/model/values.js';
import type { Graph } from '../../src/model/graph.js';
import { describe, type Workload } from '../../src/model/resource.js';
import {
  authorizationPolicies,
  istioResources,
  nameList,
  policiesFor,
  policyScope,
  selectedWorkloads,
  type AuthorizationPolicy,
  type MeshSettings,
  type PolicyScope,
} from '../../src/model/istio/index.js';

const TOKEN_KEYS = /^request\.auth\.(principal|audiences|presenter|claims\[)/;

/** A rule that only matches requests with a valid token: every source names requestPrincipals, or a when on request.auth.*. */
function ruleRequiresToken(rule: unknown): boolean {
  if (arr(get(rule, 'when')).some((c) => TOKEN_KEYS.test(str(get(c, 'key')) ?? '') && arr(get(c, 'values')).length > 0))
    return true;
  const froms = arr(get(rule, 'from'));
  return froms.length > 0 && froms.every((f) => arr(get(f, 'source', 'requestPrincipals')).length > 0);
}

/** A DENY rule that matches exactly the requests without a token: from [{source: {notRequestPrincipals: [...]}}] only. */
function ruleDeniesTokenless(rule: unknown): boolean {
  if (!isObj(rule) || rule.to !== undefined || rule.when !== undefined) return false;
  const froms = arr(rule.from);
  return (
    froms.length > 0 &&
    froms.every((f) => {
      const source = obj(get(f, 'source'));
      return Object.keys(source).length === 1 && arr(source.notRequestPrincipals).length > 0;
    })
  );
}

const PEER_KEYS = /^source\.(principal|namespace)$/;

/** A rule that only matches callers with a named peer identity (every source names principals or namespaces, or a when on them). */
function ruleRequiresPeer(rule: unknown): boolean {
  if (arr(get(rule, 'when')).some((c) => PEER_KEYS.test(str(get(c, 'key')) ?? '') && arr(get(c, 'values')).length > 0))
    return true;
  const froms = arr(get(rule, 'from'));
  return (
    froms.length > 0 &&
    froms.every((f) => arr(get(f, 'source', 'principals')).length > 0 || arr(get(f, 'source', 'namespaces')).length > 0)
  );
}

/** An ALLOW rule that lets anyone in without a token: it neither requires a token nor names the peers it admits. */
function ruleOpensToAnyone(rule: unknown): boolean {
  return !ruleRequiresToken(rule) && !ruleRequiresPeer(rule);
}

/**
 * Whether the policies on a workload turn away requests without a token. ALLOW policies are ORed (istio/api
 * authorization_policy.proto: "allow the request if any of the ALLOW policies match"), so one ALLOW rule that matches
 * anyone without a token opens the workload. Closed: a DENY rule refuses token-less requests, or some ALLOW rule
 * requires a token and no ALLOW rule admits anonymous callers. Dry-run policies are not enforced.
 */
function tokenEnforced(policies: readonly AuthorizationPolicy[]): boolean {
  const enforced = policies.filter((p) => !p.dryRun);
  if (enforced.some((p) => p.action === 'DENY' && (p.rules ?? []).some(ruleDeniesTokenless))) return true;
  const allowRules = enforced.filter((p) => p.action === 'ALLOW').flatMap((p) => p.rules ?? []);
  return allowRules.some(ruleRequiresToken) && !allowRules.some(ruleOpensToAnyone);
}

/** The first ALLOW policy with a rule that admits anyone without a token, for the message. */
function openingRule(policies: readonly AuthorizationPolicy[]): AuthorizationPolicy | undefined {
  return policies.find((p) => !p.dryRun && p.action === 'ALLOW' && (p.rules ?? []).some(ruleOpensToAnyone));
}

/** Policies that could cover the RequestAuthentication's pods when the repo does not hold them: same namespace or root, selector a subset of its own. */
function coveringPolicies(graph: Graph, mesh: MeshSettings, ra: PolicyScope): AuthorizationPolicy[] {
  const raLabels = ra.selector ?? {};
  return authorizationPolicies(graph).filter((p) => {
    if (p.targetRefs !== ra.targetRefs) return false;
    const ns = p.resource.namespace;
    if (ns !== ra.resource.namespace && ns !== mesh.rootNamespace) return false;
    return Object.entries(p.selector ?? {}).every(([k, v]) => raLabels[k] === v);
  });
}

export default defineRule({
  id: 'jwt-not-enforced',
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
the root namespace, narrowed by the selector). Each must be covered by an ALLOW policy that has a
rule that only matches requests with a token (every \`from\` source names \`requestPrincipals\`, or a \`when\` on
\`request.auth.*\`), or by a DENY policy with a rule that is only \`notRequestPrincipals\`. A rule that also lets
another source in (\`from: [{source: {principals: [...]}}, {source: {requestPrincipals: [...]}}]\`) does not count.

ALLOW policies are ORed: "If there are any ALLOW policies for the workload, allow the request if any of the ALLOW
policies match the request" (istio/api \`security/v1beta1/authorization_policy.proto\`, and the evaluation order in
\`pilot/pkg/security/authz/builder\`: CUSTOM, DENY, then ALLOW). So a workload is only closed to token-less requests
when a DENY rule refuses them, or when an ALLOW rule requires a token and **no** rule of any (enforced, non dry-run)
ALLOW policy on it admits anonymous callers: a second ALLOW policy with \`paths: ["/*"]\`, or a rule that is only a
\`when\` on a header, lets requests without a token through although a require-jwt policy exists, and the message
names that policy. A rule that names the peers it admits (every source has \`principals\` or \`namespaces\`, or a
\`when\` on \`source.principal\` / \`source.namespace\`) lets only those mTLS peers in without a token: the usual
service-to-service exception beside a token requirement for everyone else, not counted as opening the workload. When the repository
holds none of the selected workloads, a policy in the same namespace (or the root namespace) whose selector is a subset
of the RequestAuthentication's counts. Policies with \`targetRefs\` (gateways, waypoints) pair with RequestAuthentications
that use \`targetRefs\`.

Recent Istio adds \`jwtRules[].presence: REQUIRED\` ("Configures whether the JWT token must be present in the request",
istio/api \`request_authentication.proto\`): when every rule of the RequestAuthentication sets it, the resource rejects
token-less requests by itself and is not reported (one OPTIONAL rule is enough to let them through).`,
  remediation:
    'Add an AuthorizationPolicy for the same workloads with `action: ALLOW` and `from: [{source: {requestPrincipals: ["<issuer>/*"]}}]` (or `action: DENY` with `notRequestPrincipals: ["*"]`).',
  references: [
    'https://istio.io/latest/docs/reference/config/security/request_authentication/',
    'https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#require-a-valid-token',
  ],
  messages: {
    workloads:
      '{{resource}} validates tokens for {{workloads}}, but no AuthorizationPolicy requires one there: requests without a token are accepted. Add an ALLOW policy with requestPrincipals (or DENY notRequestPrincipals: ["*"]).',
    openedBy:
      '{{resource}} validates tokens for {{workloads}}, but {{policy}} has an ALLOW rule that matches requests without a token, and ALLOW policies are ORed: requests without a token are accepted. Make every ALLOW rule require requestPrincipals, or add a DENY policy with notRequestPrincipals: ["*"].',
    noPolicy:
      '{{resource}} validates tokens, but no AuthorizationPolicy for its workloads requires one: requests without a token are accepted. Add an ALLOW policy with requestPrincipals (or DENY notRequestPrincipals: ["*"]).',
  },
  examples: {
    invalid: {
      'request-authentication-alone': yaml`
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt # expect: jwt-not-enforced @3-12
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
          name: jwt # expect: jwt-not-enforced @3-12
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
      'second-allow-without-token-opens-the-workload': yaml`
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt # expect: jwt-not-enforced @3-12
          namespace: shop
        spec:
          selector: { matchLabels: { app: api } }
          jwtRules: [{ issuer: https://auth.example.com }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: require-jwt, namespace: shop }
        spec:
          selector: { matchLabels: { app: api } }
          rules:
            - from: [{ source: { requestPrincipals: ["https://auth.example.com/*"] } }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: health, namespace: shop }
        spec:
          selector: { matchLabels: { app: api } }
          rules:
            - to: [{ operation: { paths: ["/*"] } }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: api, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: api } }
            spec:
              containers: [{ name: api, image: api:1.0 }]
      `,
    },
    valid: {
      'every-allow-rule-requires-a-token': yaml`
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: { name: jwt, namespace: shop }
        spec:
          selector: { matchLabels: { app: api } }
          jwtRules: [{ issuer: https://auth.example.com }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: readers, namespace: shop }
        spec:
          selector: { matchLabels: { app: api } }
          rules:
            - from: [{ source: { requestPrincipals: ["https://auth.example.com/*"] } }]
              to: [{ operation: { methods: [GET] } }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: writers, namespace: shop }
        spec:
          selector: { matchLabels: { app: api } }
          rules:
            - to: [{ operation: { methods: [POST] } }]
              when: [{ key: request.auth.claims[role], values: [writer] }]
            - from: [{ source: { principals: ["cluster.local/ns/shop/sa/batch"] } }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: api, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: api } }
            spec:
              containers: [{ name: api, image: api:1.0 }]
      `,
      'presence-required-on-every-rule': yaml`
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: { name: jwt, namespace: shop }
        spec:
          jwtRules:
            - issuer: https://auth.example.com
              presence: REQUIRED
      `,
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
      const rules = arr(get(resource.body, 'spec', 'jwtRules'));
      if (rules.length > 0 && rules.every((r) => get(r, 'presence') === 'REQUIRED')) continue;
      const scope = policyScope(resource);
      const workloads = selectedWorkloads(graph, mesh, scope);
      if (workloads.length > 0) {
        const open: Workload[] = workloads.filter((w) => !tokenEnforced(policiesFor(graph, mesh, w)));
        if (open.length === 0) continue;
        const opener = openingRule(open.flatMap((w) => policiesFor(graph, mesh, w)));
        report({
          resource,
          messageId: opener ? 'openedBy' : 'workloads',
          data: { workloads: nameList(open), policy: opener ? describe(opener.resource) : '' },
          related: [
            ...(opener
              ? [
                  {
                    resource: opener.resource,
                    path: ['spec', 'rules'],
                    message: `${describe(opener.resource)} has an ALLOW rule that matches requests without a token`,
                  },
                ]
              : []),
            ...open
              .slice(0, 5)
              .map((w) => ({ resource: w, message: `${describe(w)} accepts requests without a token` })),
          ],
        });
      } else if (!tokenEnforced(coveringPolicies(graph, mesh, scope))) {
        const opener = openingRule(coveringPolicies(graph, mesh, scope));
        report({
          resource,
          messageId: opener ? 'openedBy' : 'noPolicy',
          data: { workloads: 'its workloads', policy: opener ? describe(opener.resource) : '' },
        });
      }
    }
  },
});

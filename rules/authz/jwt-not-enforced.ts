import { defineRule, yaml } from '../../src/engine/rule.js';
import { arr, get, isObj, obj, str } from '../../src/model/values.js';
import { type Graph, groupBy } from '../../src/model/graph.js';
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

/** What one AuthorizationPolicy says of requests without a token (see tokenEnforced): read once per policy. */
interface TokenFacts {
  /** An enforced DENY rule refuses them. */
  readonly deniesTokenless: boolean;
  /** An enforced ALLOW rule requires a token. */
  readonly requiresToken: boolean;
  /** An enforced ALLOW rule admits anyone without a token. */
  readonly opens: boolean;
}

function tokenFacts(graph: Graph, p: AuthorizationPolicy): TokenFacts {
  return graph.memoFor('jwt-not-enforced:tokenFacts', p, () => {
    const rules = p.rules ?? [];
    const allow = !p.dryRun && p.action === 'ALLOW';
    return {
      deniesTokenless: !p.dryRun && p.action === 'DENY' && rules.some(ruleDeniesTokenless),
      requiresToken: allow && rules.some(ruleRequiresToken),
      opens: allow && rules.some(ruleOpensToAnyone),
    };
  });
}

/**
 * Whether the policies on a workload turn away requests without a token. ALLOW policies are ORed (istio/api
 * authorization_policy.proto: "allow the request if any of the ALLOW policies match"), so one ALLOW rule that matches
 * anyone without a token opens the workload. Closed: a DENY rule refuses token-less requests, or some ALLOW rule
 * requires a token and no ALLOW rule admits anonymous callers. Dry-run policies are not enforced.
 */
function tokenEnforced(graph: Graph, policies: readonly AuthorizationPolicy[]): boolean {
  return verdictOf(policies.map((p) => tokenFacts(graph, p))).enforced;
}

/** tokenEnforced of a list of policies, from their facts (a list's verdict is that of its parts together). */
function verdictOf(facts: readonly TokenFacts[]): { readonly enforced: boolean } & TokenFacts {
  const deniesTokenless = facts.some((f) => f.deniesTokenless);
  const requiresToken = facts.some((f) => f.requiresToken);
  const opens = facts.some((f) => f.opens);
  return { enforced: deniesTokenless || (requiresToken && !opens), deniesTokenless, requiresToken, opens };
}

/** The first ALLOW policy with a rule that admits anyone without a token, for the message. */
function openingRule(graph: Graph, policies: readonly AuthorizationPolicy[]): AuthorizationPolicy | undefined {
  return policies.find((p) => tokenFacts(graph, p).opens);
}

interface OpenWorkloads {
  /** The selected workloads that accept requests without a token. */
  readonly open: readonly Workload[];
  /** The first ALLOW policy of theirs (in their order) that admits anyone without a token. */
  readonly opener: AuthorizationPolicy | undefined;
}

/**
 * The open workloads of a selection, once per selection: RequestAuthentications without a selector all get their
 * namespace's one list (the corpus holds 14 in a namespace of 517 workloads, whose policies were read again for
 * each: 7,250 verdicts for 517 workloads).
 */
function openAmong(graph: Graph, mesh: MeshSettings, workloads: readonly Workload[]): OpenWorkloads {
  return graph.memoFor('jwt-not-enforced:openAmong', workloads, () => {
    // Workloads of the same policies share their list (policiesFor): its verdict is read once.
    const open = workloads.filter((w) => {
      const policies = policiesFor(graph, mesh, w);
      return !graph.memoFor('jwt-not-enforced:tokenEnforced', policies, () => tokenEnforced(graph, policies));
    });
    let opener: AuthorizationPolicy | undefined;
    for (const w of open) {
      const policies = policiesFor(graph, mesh, w);
      opener = graph.memoFor('jwt-not-enforced:openingRule', policies, () => openingRule(graph, policies));
      if (opener) break;
    }
    return { open, opener };
  });
}

/**
 * Whether the AuthorizationPolicies that could cover a RequestAuthentication's pods when the repo does not hold them
 * (same namespace or root, same targeting, selector a subset of its own) require a token, and the first of them (in
 * the order of the scan) that admits anyone without one. A repo of policies without their workloads asks this of
 * every RequestAuthentication: the policies without a selector, which cover them all, are read together once, and
 * the others are found by one of their labels.
 */
function coveringVerdict(
  graph: Graph,
  mesh: MeshSettings,
  ra: PolicyScope,
): { readonly enforced: boolean; readonly opener: AuthorizationPolicy | undefined } {
  const raLabels = ra.selector ?? {};
  const candidates = coveringCandidates(graph, mesh, ra.resource.namespace, ra.targetRefs);
  const selective: AuthorizationPolicy[] = [];
  for (const [key, value] of Object.entries(raLabels))
    for (const p of candidates.byFirstLabel.get(`${key}\0${value}`) ?? [])
      if (Object.entries(p.selector ?? {}).every(([k, v]) => raLabels[k] === v)) selective.push(p);
  const { enforced } = verdictOf([candidates.unselectiveFacts, ...selective.map((p) => tokenFacts(graph, p))]);
  const opener = firstOpening(graph, [...candidates.unselectiveOpener, ...selective]);
  return { enforced, opener };
}

/** Of policies in any order, the first in the scan's order that admits anyone without a token. */
function firstOpening(graph: Graph, policies: readonly AuthorizationPolicy[]): AuthorizationPolicy | undefined {
  const order = graph.memo(
    'jwt-not-enforced:policyOrder',
    (g) => new Map(authorizationPolicies(g).map((p, i) => [p, i])),
  );
  let first: AuthorizationPolicy | undefined;
  for (const p of policies)
    if (tokenFacts(graph, p).opens && (first === undefined || (order.get(p) ?? 0) < (order.get(first) ?? 0))) first = p;
  return first;
}

interface CoveringCandidates {
  /** The policies without a selector (they cover every RequestAuthentication of the namespace), and their facts together. */
  readonly unselective: readonly AuthorizationPolicy[];
  readonly unselectiveFacts: TokenFacts;
  /** The first of them that admits anyone without a token (none or one). */
  readonly unselectiveOpener: readonly AuthorizationPolicy[];
  /** The others, by the first label of their selector (`key\0value`). */
  readonly byFirstLabel: ReadonlyMap<string, readonly AuthorizationPolicy[]>;
}

/** The AuthorizationPolicies of a namespace and of the root namespace with the given targeting, arranged once. */
function coveringCandidates(
  graph: Graph,
  mesh: MeshSettings,
  namespace: string,
  targetRefs: boolean,
): CoveringCandidates {
  return graph.memo(`jwt-not-enforced:covering:${targetRefs}:${namespace}`, (g) => {
    const byNamespace = g.memo('jwt-not-enforced:policiesByNamespace', (h) =>
      groupBy(authorizationPolicies(h), (p) => p.resource.namespace),
    );
    const policies = [
      ...(byNamespace.get(namespace) ?? []),
      ...(namespace === mesh.rootNamespace ? [] : (byNamespace.get(mesh.rootNamespace) ?? [])),
    ].filter((p) => p.targetRefs === targetRefs);
    const unselective: AuthorizationPolicy[] = [];
    const byFirstLabel = new Map<string, AuthorizationPolicy[]>();
    for (const p of policies) {
      const first = Object.entries(p.selector ?? {})[0];
      if (!first) unselective.push(p);
      else {
        const key = `${first[0]}\0${first[1]}`;
        const list = byFirstLabel.get(key);
        if (list) list.push(p);
        else byFirstLabel.set(key, [p]);
      }
    }
    const opener = firstOpening(g, unselective);
    return {
      unselective,
      unselectiveFacts: verdictOf(unselective.map((p) => tokenFacts(g, p))),
      unselectiveOpener: opener ? [opener] : [],
      byFirstLabel,
    };
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
        const { open, opener } = openAmong(graph, mesh, workloads);
        if (open.length === 0) continue;
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
      } else {
        const { enforced, opener } = coveringVerdict(graph, mesh, scope);
        if (enforced) continue;
        report({
          resource,
          messageId: opener ? 'openedBy' : 'noPolicy',
          data: { workloads: 'its workloads', policy: opener ? describe(opener.resource) : '' },
        });
      }
    }
  },
});

import { defineRule, yaml, type RuleContext } from '../../src/engine/rule.js';
import { at, bool, child, entries, has, items, rbacSites, type Node } from '../../src/model/envoy/index.js';
import type { Graph } from '../../src/model/graph.js';
import {
  authorizationPolicies,
  istioResources,
  policyScope,
  selectedWorkloads,
  sourceValues,
  type AuthorizationPolicy,
  type MeshSettings,
} from '../../src/model/istio/index.js';
import { DEFAULT_INBOUND_POLICY, linkerdResources, meshTlsIdentities } from '../../src/model/linkerd/index.js';
import type { Resource } from '../../src/model/resource.js';
import { arr, get, isObj, str, strMap, type Obj, type Path } from '../../src/model/values.js';

type MessageId =
  | 'linkerdAdminProbes'
  | 'istioAny'
  | 'istioPattern'
  | 'linkerdAnyIdentity'
  | 'linkerdIdentityPattern'
  | 'linkerdUnauthenticated'
  | 'linkerdDefaultPolicy'
  | 'linkerdAnyNetwork'
  | 'envoyWildcard';
type Context = RuleContext<MessageId, undefined>;

const ISTIO_FIELDS = ['principals', 'requestPrincipals', 'namespaces'];
const ISTIO_WHEN_KEYS = ['source.principal', 'source.namespace', 'request.auth.principal'];

/**
 * Whether every workload the policy applies to has a RequestAuthentication: then a request principal exists only for a
 * token one of its issuers signed, and `requestPrincipals: ["*"]` means "any valid token". When the repository holds
 * none of the policy's workloads, a RequestAuthentication of the same namespace (or the root namespace) whose selector
 * is a subset of the policy's covers them.
 */
function tokensValidatedFor(focused: Graph, mesh: MeshSettings, policy: AuthorizationPolicy): boolean {
  const graph = focused.whole; // a RequestAuthentication in another file counts (the language server lints one file)
  const authentications = istioResources(graph, 'RequestAuthentication')
    .map(policyScope)
    .filter((ra) => ra.targetRefs === policy.targetRefs);
  if (authentications.length === 0) return false;
  const workloads = selectedWorkloads(graph, mesh, policy);
  if (workloads.length > 0) {
    const covered = new Set(authentications.flatMap((ra) => selectedWorkloads(graph, mesh, ra)));
    return workloads.every((w) => covered.has(w));
  }
  const labels = policy.selector ?? {};
  return authentications.some((ra) => {
    const ns = ra.resource.namespace;
    if (ns !== policy.resource.namespace && ns !== mesh.rootNamespace) return false;
    return Object.entries(ra.selector ?? {}).every(([k, v]) => labels[k] === v);
  });
}

/** Istio AuthorizationPolicy: ALLOW (the default action) and CUSTOM rules whose identity fields match anyone. */
function checkIstioAuthorizationPolicies({ graph, settings, report }: Context): void {
  for (const policy of authorizationPolicies(graph)) {
    if (policy.action !== 'ALLOW' && policy.action !== 'CUSTOM') continue;
    for (const v of sourceValues(policy, ISTIO_FIELDS, ISTIO_WHEN_KEYS)) {
      if (v.field.startsWith('not ')) continue;
      const value = v.value.trim();
      // <issuer>/* is "any subject of this issuer", Istio's documented way to require a token: not a wildcard identity.
      if ((v.field === 'requestPrincipals' || v.field === 'request.auth.principal') && /^[^*]+\/\*$/.test(value))
        continue;
      // "*" as a request principal is "any valid token of the configured issuers" where a RequestAuthentication
      // validates tokens: what a require-a-token policy means to say.
      if (
        value === '*' &&
        (v.field === 'requestPrincipals' || v.field === 'request.auth.principal') &&
        tokensValidatedFor(graph, settings.mesh, policy)
      )
        continue;
      if (value === '*') {
        report({
          resource: policy.resource,
          path: v.path,
          target: 'value',
          messageId: 'istioAny',
          data: { field: v.field, action: policy.action },
        });
      } else if (value.startsWith('*') || value.endsWith('*')) {
        report({
          resource: policy.resource,
          path: v.path,
          target: 'value',
          messageId: 'istioPattern',
          data: { field: v.field, value, action: policy.action },
          severity: 'warning',
        });
      }
    }
  }
}

const LINKERD_ADMIN_PORTS: readonly unknown[] = ['linkerd-admin', 4191, '4191'];

/** A ServerAuthorization whose Servers (by name or selector, in its namespace) all serve only the proxy admin port. */
function onlyAdminPort(graph: Graph, authorization: Resource): boolean {
  const ref = get(authorization.body, 'spec', 'server');
  const servers = linkerdResources(graph.whole, 'Server').filter((s) => s.namespace === authorization.namespace);
  const name = str(get(ref, 'name'));
  const selected =
    name !== undefined
      ? servers.filter((s) => s.name === name)
      : servers.filter(
          (s) =>
            Object.entries(strMap(get(ref, 'selector', 'matchLabels'))).every(([k, v]) => s.labels[k] === v) &&
            get(ref, 'selector') !== undefined,
        );
  return selected.length > 0 && selected.every((s) => LINKERD_ADMIN_PORTS.includes(get(s.body, 'spec', 'port')));
}

/** Linkerd: MeshTLSAuthentication identities, ServerAuthorization clients, and the default inbound policy annotation. */
function checkLinkerd({ graph, report }: Context): void {
  for (const auth of linkerdResources(graph, 'MeshTLSAuthentication')) {
    for (const { value, index } of meshTlsIdentities(auth)) {
      if (value === '*')
        report({
          resource: auth,
          path: ['spec', 'identities', index],
          target: 'value',
          messageId: 'linkerdAnyIdentity',
        });
      else if (value.startsWith('*'))
        report({
          resource: auth,
          path: ['spec', 'identities', index],
          target: 'value',
          messageId: 'linkerdIdentityPattern',
          data: { value },
          severity: 'warning',
        });
    }
  }
  for (const sa of linkerdResources(graph, 'ServerAuthorization')) {
    const client = get(sa.body, 'spec', 'client');
    if (get(client, 'unauthenticated') === true) {
      // Linkerd's documented pattern: unauthenticated access to the proxy admin port only, so that kubelet probes pass.
      if (onlyAdminPort(graph, sa))
        report({
          resource: sa,
          path: ['spec', 'client', 'unauthenticated'],
          messageId: 'linkerdAdminProbes',
          severity: 'note',
        });
      else report({ resource: sa, path: ['spec', 'client', 'unauthenticated'], messageId: 'linkerdUnauthenticated' });
    }
    arr(get(client, 'meshTLS', 'identities')).forEach((v, index) => {
      if (v === '*')
        report({
          resource: sa,
          path: ['spec', 'client', 'meshTLS', 'identities', index],
          target: 'value',
          messageId: 'linkerdAnyIdentity',
        });
      else if (typeof v === 'string' && v.startsWith('*'))
        report({
          resource: sa,
          path: ['spec', 'client', 'meshTLS', 'identities', index],
          target: 'value',
          messageId: 'linkerdIdentityPattern',
          data: { value: v },
          severity: 'warning',
        });
    });
  }
  for (const auth of linkerdResources(graph, 'NetworkAuthentication')) {
    arr(get(auth.body, 'spec', 'networks')).forEach((network, index) => {
      const cidr = get(network, 'cidr');
      if ((cidr === '0.0.0.0/0' || cidr === '::/0') && arr(get(network, 'except')).length === 0) {
        report({
          resource: auth,
          path: ['spec', 'networks', index, 'cidr'],
          target: 'value',
          messageId: 'linkerdAnyNetwork',
          data: { cidr },
          severity: 'warning',
        });
      }
    });
  }
  const openPolicy = (value: string | undefined) => value === 'all-unauthenticated';
  for (const ns of graph.ofKind('Namespace', '')) {
    if (openPolicy(ns.annotations[DEFAULT_INBOUND_POLICY]))
      report({
        resource: ns,
        path: ['metadata', 'annotations', DEFAULT_INBOUND_POLICY],
        target: 'value',
        messageId: 'linkerdDefaultPolicy',
      });
  }
  for (const w of graph.workloads) {
    if (openPolicy(w.pod.annotations[DEFAULT_INBOUND_POLICY]))
      report({
        resource: w,
        path: [...w.pod.path, 'metadata', 'annotations', DEFAULT_INBOUND_POLICY],
        target: 'value',
        messageId: 'linkerdDefaultPolicy',
      });
  }
}

/** Matches every string: safe_regex .*, prefix "" or "spiffe://", suffix/contains "". */
function matchesAll(matcher: Node): boolean {
  if (!isObj(matcher.value)) return true; // authenticated: {} or a principal_name that is absent
  const regex = str(at(matcher, 'safe_regex', 'regex').value) ?? str(child(matcher, 'regex').value);
  if (regex !== undefined) return /^\^?(\.\*|\.\+)\$?$/.test(regex);
  const prefix = str(child(matcher, 'prefix').value);
  if (prefix !== undefined) return prefix === '' || prefix === 'spiffe://';
  for (const f of ['suffix', 'contains']) if (str(child(matcher, f).value) === '') return true;
  return false;
}

/** A principal that lets anyone in: any, authenticated with a match-all name, a /0 source range (or an OR of one). */
function wildcardPrincipal(p: Node, depth = 0): Node | undefined {
  if (depth > 20 || !isObj(p.value)) return undefined;
  if (bool(child(p, 'any')) === true) return child(p, 'any');
  const auth = child(p, 'authenticated');
  if (isObj(auth.value) || auth.value === null) {
    const name = child(auth, 'principal_name');
    return matchesAll(name) ? (isObj(name.value) ? name : auth) : undefined;
  }
  for (const f of ['source_ip', 'direct_remote_ip', 'remote_ip']) {
    const cidr = child(p, f);
    if (isObj(cidr.value)) {
      const len = child(cidr, 'prefix_len');
      const n = typeof len.value === 'object' && isObj(len.value) ? (len.value as Obj).value : len.value;
      if (
        n === 0 ||
        n === '0' ||
        (len.value === undefined && /^(0\.0\.0\.0|::)$/.test(String(child(cidr, 'address_prefix').value)))
      )
        return has(cidr, 'prefix_len') ? len : cidr;
    }
  }
  const or = child(p, 'or_ids');
  if (isObj(or.value)) {
    for (const id of items(child(or, 'ids'))) {
      const w = wildcardPrincipal(id, depth + 1);
      if (w) return w;
    }
  }
  const and = child(p, 'and_ids');
  if (isObj(and.value)) {
    const ids = items(child(and, 'ids'));
    if (ids.length > 0 && ids.every((id) => wildcardPrincipal(id, depth + 1))) return and;
  }
  return undefined;
}

/**
 * `authz-wildcard-principal` for Envoy: an RBAC filter (HTTP or network, or a per-route RBACPerRoute) whose
 * `rules.action` is ALLOW (the default) with a policy principal that matches everyone: `any: true`,
 * `authenticated` with no or a match-all `principal_name`, a 0-length source/remote IP prefix, or an `or_ids`
 * containing one of those (an `and_ids` only when all of its ids are). `shadow_rules` are not enforced and are
 * skipped. data: {policy, principal}.
 */
export function envoyWildcardPrincipals(
  graph: Graph,
): { resource: Resource; path: Path; data: { policy: string; principal: string } }[] {
  const out: ReturnType<typeof envoyWildcardPrincipals> = [];
  for (const site of rbacSites(graph)) {
    const rules = child(site.holder, 'rules');
    if (!isObj(rules.value)) continue;
    const action = child(rules, 'action').value;
    if (!(action === undefined || action === 'ALLOW' || action === 0)) continue;
    for (const [policy, body] of entries(child(rules, 'policies'))) {
      for (const principal of items(child(body, 'principals'))) {
        const hit = wildcardPrincipal(principal);
        if (hit)
          out.push({ resource: site.resource, path: hit.path, data: { policy, principal: describePrincipal(hit) } });
      }
    }
  }
  return out;
}

function describePrincipal(n: Node): string {
  const key = String(n.path.at(-1));
  if (key === 'any') return 'any: true';
  if (/principal_?[nN]ame|authenticated/.test(key)) return 'any authenticated peer';
  if (/prefix_?[lL]en/.test(key) || /ip$|Ip$/.test(key)) return 'any source address (/0)';
  return 'everyone';
}

/** Envoy RBAC filters (HTTP, network, per-route overrides) whose ALLOW policy admits any principal. */
function checkEnvoy({ graph, report }: Context): void {
  for (const f of envoyWildcardPrincipals(graph)) {
    report({ resource: f.resource, path: f.path, messageId: 'envoyWildcard', data: f.data });
  }
}

export default defineRule({
  id: 'authz-wildcard-principal',
  title: 'Allow rules must name the identities they allow',
  severity: 'error',
  securitySeverity: 8.0,
  tags: ['security', 'istio', 'linkerd', 'envoy', 'authorization', 'identity'],
  description: `An identity-based allow rule protects only as much as the identities it names. In Istio, \`principals: ["*"]\`
matches any authenticated peer ("Presence match": any non-empty value; code \`pilot/pkg/security/authz/matcher/string.go\`),
i.e. every workload of the mesh; \`namespaces: ["*"]\` likewise; \`requestPrincipals: ["*"]\` any valid JWT of any
configured issuer (\`<issuer>/*\`, any subject of one named issuer, is Istio's documented way to require a token and
is not reported; neither is \`requestPrincipals: ["*"]\` when a RequestAuthentication covers every workload the policy
applies to: a request principal only exists for a token that passed the RequestAuthentication's issuers and keys
(the request principal is \`<iss>/<sub>\` of a validated token, istio/api \`security/v1beta1/authorization_policy.proto\`;
Istio's own "Require a valid token" task, istio.io/latest/docs/tasks/security/authentication/authn-policy, uses
\`requestPrincipals: ["*"]\`), which is what such a policy intends;
without one, no request has a principal). A leading or trailing \`*\` (\`cluster.local/ns/shop/sa/*\`, \`*/sa/admin\`, \`prod-*\`) is a
prefix/suffix match and admits identities nobody has reviewed yet (a new service account in the namespace, a namespace
created later): reported as a warning. A \`*\` in the middle of a principal is literal and matches nothing; it is not
reported here.

Only ALLOW (the default action) and CUSTOM policies are reported. DENY rules with wildcards are the safe direction
(\`DENY\` + \`notPrincipals: ["*"]\` is Istio's own "require mTLS" pattern) and are never reported; AUDIT decides nothing.
\`when\` conditions on \`source.principal\`, \`source.namespace\` and \`request.auth.principal\` are read the same way.

Linkerd equivalents (policy.linkerd.io, linkerd.io/2/reference/authorization-policy): a \`MeshTLSAuthentication\` with
\`identities: ["*"]\` (every meshed client) or a \`*.\` domain pattern, a legacy \`ServerAuthorization\` with
\`client.unauthenticated: true\` (plaintext from anyone; a note only when every Server it names serves the proxy admin
port, \`linkerd-admin\` / 4191, which is Linkerd's documented pattern for kubelet probes and Prometheus,
linkerd.io/2/tasks/restricting-access) or \`meshTLS.identities: ["*"]\`, and the
\`config.linkerd.io/default-inbound-policy: all-unauthenticated\` annotation on a Namespace or pod template (every port
open to everyone, meshed or not). A \`NetworkAuthentication\` for \`0.0.0.0/0\` or \`::/0\` without \`except\` authorizes
every address with no identity at all: a warning (it may back a deliberately public port).

Envoy (\`envoy.filters.http.rbac\` and \`envoy.filters.network.rbac\`, and per-route RBAC overrides): an ALLOW policy (the
default action) with a principal that matches everyone: \`any: true\`, \`authenticated\` without a name or with a
match-all name (\`safe_regex: ".*"\`, an empty prefix), or a \`/0\` source range (\`remote_ip\`, \`direct_remote_ip\`,
\`source_ip\`). An \`or_ids\` counts when any of its ids does, an \`and_ids\` only when all do; \`shadow_rules\`
enforce nothing and are not read (\`envoy/config/rbac/v3/rbac.proto\`).`,
  remediation:
    'List the exact principals (`cluster.local/ns/<ns>/sa/<service-account>`), namespaces or JWT issuers/subjects that need access; in Linkerd, name identities or ServiceAccounts (`identityRefs`) and use `all-authenticated`, `cluster-authenticated` or `deny` as the default inbound policy.',
  references: [
    'https://istio.io/latest/docs/reference/config/security/authorization-policy/#Rule',
    'https://istio.io/latest/docs/ops/best-practices/security/#safer-authorization-policy-patterns',
    'https://linkerd.io/2/reference/authorization-policy/',
  ],
  messages: {
    istioAny:
      '{{resource}} ({{action}}) matches {{field}} "*", any identity: list the exact {{field}} values that need access.',
    istioPattern:
      '{{resource}} ({{action}}) matches {{field}} "{{value}}", a wildcard that also matches identities created later: list the exact {{field}} values.',
    linkerdAnyIdentity:
      '{{resource}} authorizes identity "*", every meshed client: list the identities (or identityRefs to ServiceAccounts) that need access.',
    linkerdIdentityPattern:
      '{{resource}} authorizes identity pattern "{{value}}", which also matches identities created later: list the exact identities.',
    linkerdUnauthenticated:
      '{{resource}} authorizes unauthenticated clients: plaintext callers without identity are allowed. Require meshTLS with named identities.',
    linkerdAdminProbes:
      "{{resource}} authorizes unauthenticated clients on the proxy admin port only (linkerd-admin, 4191), Linkerd's documented way to let kubelet probes and metrics scrapers in: fine as long as the Server stays limited to that port.",
    linkerdAnyNetwork:
      '{{resource}} authorizes every address ({{cidr}}) without identity: clients anywhere, meshed or not, pass. Name the client networks, or use a MeshTLSAuthentication.',
    envoyWildcard:
      'Policy "{{policy}}" of the RBAC filter of {{resource}} allows {{principal}}, which matches every client: name the principals that need access.',
    linkerdDefaultPolicy:
      '{{resource}} sets the default inbound policy all-unauthenticated: every port without a Server accepts anyone, meshed or not. Use all-authenticated, cluster-authenticated or deny.',
  },
  examples: {
    invalid: {
      'istio-any-principal-and-namespace-prefix': yaml`
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          rules:
            - from:
                - source:
                    principals: ["*"] # expect: authz-wildcard-principal @26-29
                - source:
                    principals: ["cluster.local/ns/shop/sa/*"] # expect: authz-wildcard-principal @26-54
                    namespaces: ["prod-*"] # expect: authz-wildcard-principal @26-34
      `,
      'linkerd-wildcards': yaml`
        apiVersion: policy.linkerd.io/v1alpha1
        kind: MeshTLSAuthentication
        metadata: { name: anyone, namespace: shop }
        spec:
          identities:
            - "*" # expect: authz-wildcard-principal @7-10
            - "*.shop.serviceaccount.identity.linkerd.cluster.local" # expect: authz-wildcard-principal @7-61
        ---
        apiVersion: policy.linkerd.io/v1alpha1
        kind: NetworkAuthentication
        metadata: { name: everywhere, namespace: shop }
        spec:
          networks:
            - cidr: 0.0.0.0/0 # expect: authz-wildcard-principal @13-22
        ---
        apiVersion: policy.linkerd.io/v1beta1
        kind: ServerAuthorization
        metadata: { name: public, namespace: shop }
        spec:
          server: { name: web-http }
          client:
            unauthenticated: true # expect: authz-wildcard-principal @5-26
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          annotations:
            config.linkerd.io/default-inbound-policy: all-unauthenticated # expect: authz-wildcard-principal @47-66
      `,
      'linkerd-unauthenticated-admin-port-for-probes': yaml`
        apiVersion: policy.linkerd.io/v1beta1
        kind: Server
        metadata: { name: admin, namespace: emojivoto }
        spec:
          podSelector: {}
          port: linkerd-admin
          proxyProtocol: HTTP/1
        ---
        apiVersion: policy.linkerd.io/v1beta1
        kind: ServerAuthorization
        metadata: { name: admin-everyone, namespace: emojivoto }
        spec:
          server: { name: admin }
          client:
            unauthenticated: true # expect: authz-wildcard-principal @5-26
      `,
      'envoy-http-rbac-allows-any': yaml`
        resources:
          - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
            name: api
            address: { socketAddress: { address: 0.0.0.0, portValue: 8080 } }
            filterChains:
              - filters:
                  - name: envoy.filters.network.http_connection_manager
                    typedConfig:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                      statPrefix: api
                      httpFilters:
                        - name: envoy.filters.http.rbac
                          typedConfig:
                            "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
                            rules:
                              policies:
                                everyone:
                                  permissions: [{ any: true }]
                                  principals:
                                    - any: true # expect: authz-wildcard-principal @31-40
      `,
      'request-principals-star-without-request-authentication': yaml`
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: any-token, namespace: shop }
        spec:
          selector: { matchLabels: { app: api } }
          rules:
            - from: [{ source: { requestPrincipals: ["*"] } }] # expect: authz-wildcard-principal @46-49
      `,
    },
    valid: {
      'request-principals-star-with-request-authentication': yaml`
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: { name: jwt, namespace: shop }
        spec:
          selector: { matchLabels: { app: api } }
          jwtRules: [{ issuer: https://auth.example.com, jwksUri: https://auth.example.com/jwks.json }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: any-token, namespace: shop }
        spec:
          selector: { matchLabels: { app: api } }
          rules:
            - from: [{ source: { requestPrincipals: ["*"] } }]
      `,
      'envoy-rbac-named-principal': yaml`
        static_resources:
          listeners:
            - name: db
              address: { socket_address: { address: 0.0.0.0, port_value: 5432 } }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.rbac
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC
                        stat_prefix: db
                        rules:
                          policies:
                            app-only:
                              permissions: [{ any: true }]
                              principals:
                                - authenticated: { principal_name: { exact: spiffe://cluster.local/ns/shop/sa/app } }
      `,
      'deny-with-not-principals-star-requires-mtls': yaml`
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: require-mtls, namespace: shop }
        spec:
          action: DENY
          rules:
            - from:
                - source:
                    notPrincipals: ["*"]
                - source:
                    principals: ["*"]
      `,
      'exact-principals': yaml`
        apiVersion: security.istio.io/v1beta1
        kind: AuthorizationPolicy
        metadata: { name: web, namespace: shop }
        spec:
          rules:
            - from:
                - source:
                    principals: ["cluster.local/ns/shop/sa/frontend"]
                    namespaces: ["shop"]
      `,
    },
  },
  check(context) {
    checkIstioAuthorizationPolicies(context);
    checkLinkerd(context);
    checkEnvoy(context);
  },
});

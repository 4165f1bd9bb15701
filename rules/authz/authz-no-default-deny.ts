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
import {
  declaredPorts,
  type LinkerdDefaultPolicy,
  type LinkerdPort,
  linkerdDefaultPolicy,
  linkerdInjected,
  serverCovers,
  skippedInboundPort,
} from '../../src/model/linkerd/index.js';
import type { Workload } from '../../src/model/resource.js';

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

/** Who a permissive Linkerd default admits (linkerd.io/2/reference/authorization-policy, "Default policies"). */
const ADMITTED: Record<Exclude<LinkerdDefaultPolicy, 'deny'>, string> = {
  'all-unauthenticated': 'any client from anywhere, meshed or not,',
  audit: 'any client from anywhere, meshed or not (audit only logs it),',
  'cluster-unauthenticated': 'any client in the cluster networks, meshed or not,',
  'all-authenticated': 'any meshed client (of this or a linked cluster)',
  'cluster-authenticated': 'any meshed client of the cluster',
};

/** "port 9102 (metrics)", "ports 8080 (http), 9000". */
function portList(ports: readonly LinkerdPort[]): string {
  const names = [...new Set(ports.map((p) => (p.name ? `${p.number} (${p.name})` : String(p.number))))];
  return `${names.length === 1 ? 'port' : 'ports'} ${names.join(', ')}`;
}

/** A Linkerd-injected workload that is not an Istio one, and not an ingress (whose ports serve the outside). */
function linkerdMeshed(graph: Graph, settings: Parameters<typeof membership>[1], w: Workload): boolean {
  if (w.pod.annotations['linkerd.io/inject'] === 'ingress') return false;
  return !inMesh(membership(graph, settings, w)) && linkerdInjected(graph, w);
}

export default defineRule({
  id: 'authz-no-default-deny',
  title: 'Mesh namespaces should deny by default',
  severity: 'note',
  securitySeverity: 4.0,
  tags: ['security', 'istio', 'linkerd', 'authorization', 'defense-in-depth'],
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
workload when the repository has none.

**Linkerd.** A meshed pod admits, on every port no \`Server\` selects, what its *default inbound policy* allows
(linkerd.io/2/reference/authorization-policy, "Default policies"): the \`config.linkerd.io/default-inbound-policy\`
annotation of the pod template, else of its Namespace, else the cluster-wide default the install sets
(\`proxy.defaultInboundPolicy\`; \`policyController.defaultAllowPolicy\` in Linkerd 2.11), which is
\`all-unauthenticated\` unless changed. Once a Server selects a port, traffic to it is denied unless an
AuthorizationPolicy (or ServerAuthorization) allows it, so only ports without a Server fall back to the default.
\`all-unauthenticated\` and \`audit\` admit any client, meshed or not, from anywhere; \`cluster-unauthenticated\` any
client in the cluster networks; \`all-authenticated\` and \`cluster-authenticated\` any meshed client. All of them leave
least privilege to whoever remembers to write a Server, the same gap as an Istio namespace without a default deny, so
they share this rule and its severity (plaintext from outside the mesh is the weaker default's extra risk; an explicit
\`all-unauthenticated\` annotation is also reported by \`authz-wildcard-principal\`). Only \`deny\` closes it.

Reported once per Linkerd-injected workload (\`linkerd.io/inject: enabled\` on the pod template or its Namespace, not
an Istio sidecar or ambient pod) under a default other than \`deny\` when one of its declared container ports has no
Server of its namespace whose \`podSelector\` matches the pod and whose \`port\` is that port's number or name (a
Server "selects a port on a set of pods in the same namespace", and only ports in the pod spec count). The finding is
on the first such port and lists them all. The cluster default is, in this order: \`mesh.linkerdDefaultInboundPolicy\`
in \`.meshlint.yaml\`, the Linkerd install in the repository (the \`linkerd-config\` ConfigMap's \`values\`, the
policy controller's \`--default-policy\` argument in charts/linkerd-control-plane's \`destination.yaml\`, or a
control-plane values file), then \`all-unauthenticated\`. Not reported: pods in \`linkerd.io/inject: ingress\` mode
(their ports serve the outside, as Istio gateways are skipped above), ports listed in
\`config.linkerd.io/skip-inbound-ports\` (the proxy never sees them: \`sidecar-bypass\` reports those), the proxy's own
ports (not in the manifest), and workloads that declare no ports.`,
  remediation:
    'Istio: add `apiVersion: security.istio.io/v1, kind: AuthorizationPolicy, metadata: {name: allow-nothing, namespace: <ns>}, spec: {}` and ALLOW policies for the callers each workload needs. Linkerd: annotate the Namespace `config.linkerd.io/default-inbound-policy: deny` (or install with `proxy.defaultInboundPolicy: deny`), and add a Server with an AuthorizationPolicy for each port that must be reachable.',
  references: [
    'https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns',
    'https://istio.io/latest/docs/reference/config/security/authorization-policy/',
    'https://linkerd.io/2/reference/authorization-policy/#default-policies',
  ],
  messages: {
    linkerdOpen:
      '{{resource}} is in the Linkerd mesh and its default inbound policy is {{policy}}, set by {{origin}}: {{who}} may call {{ports}}, which no Server selects. Add a Server (and an AuthorizationPolicy) for each port, or set config.linkerd.io/default-inbound-policy: deny on Namespace {{namespace}}.',
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
      'linkerd-port-without-server': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          annotations: { linkerd.io/inject: enabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers:
                - name: web
                  image: web:1.0
                  ports:
                    - { name: http, containerPort: 8080 }
                    - { name: admin, containerPort: 9090 } # expect: authz-no-default-deny @45-49
        ---
        apiVersion: policy.linkerd.io/v1beta3
        kind: Server
        metadata: { name: web-http, namespace: shop }
        spec:
          podSelector: { matchLabels: { app: web } }
          port: http
      `,
      'linkerd-authenticated-default-from-the-install': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: linkerd-config, namespace: linkerd }
        data:
          values: |
            proxy:
              defaultInboundPolicy: cluster-authenticated
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: api, namespace: shop }
        spec:
          template:
            metadata:
              annotations: { linkerd.io/inject: enabled }
            spec:
              containers:
                - name: api
                  image: api:1.0
                  ports: [{ containerPort: 8080 }] # expect: authz-no-default-deny @36-40
      `,
    },
    valid: {
      'linkerd-namespace-denies-by-default': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          annotations:
            linkerd.io/inject: enabled
            config.linkerd.io/default-inbound-policy: deny
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            spec:
              containers:
                - name: web
                  image: web:1.0
                  ports: [{ containerPort: 8080 }]
      `,
      'linkerd-install-denies-by-default': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: linkerd-destination, namespace: linkerd }
        spec:
          template:
            metadata:
              labels: { linkerd.io/control-plane-component: destination }
            spec:
              containers:
                - name: policy
                  image: cr.l5d.io/linkerd/policy-controller:edge-24.11.8
                  args: [--default-policy=deny]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata:
              annotations: { linkerd.io/inject: enabled }
            spec:
              containers:
                - name: web
                  image: web:1.0
                  ports: [{ containerPort: 8080 }]
      `,
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
    for (const w of graph.workloads) {
      if (!linkerdMeshed(graph, mesh, w)) continue;
      const origin = linkerdDefaultPolicy(graph, w, mesh.linkerdDefaultInboundPolicy);
      if (origin.policy === 'deny') continue;
      const open = declaredPorts(w).filter(
        (p) => !skippedInboundPort(graph, w, p.number) && !serverCovers(graph, w, p),
      );
      if (open.length === 0) continue;
      report({
        resource: w,
        path: open[0].path,
        target: 'value',
        messageId: 'linkerdOpen',
        data: {
          policy: origin.policy,
          origin: origin.describe,
          who: ADMITTED[origin.policy],
          ports: portList(open),
          namespace: w.namespace,
        },
        related: origin.resource
          ? [{ resource: origin.resource, path: origin.path, message: `default inbound policy ${origin.policy}` }]
          : [],
      });
    }
  },
});
